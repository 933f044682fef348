/**
 * The warnings' part of the picture: from the track reports of a report time to alert
 * changes, Updates and the warnings summary (the warning runner: threat prediction and the
 * alert machine; the Update policy). The picture drives it in-process; the batch command may
 * drive a copy of it in a worker thread from the same reports (cli/warning-worker.ts), which
 * gives the same events in the same order: it is the same code fed the same reports.
 *
 * Only the reports of the times at which the runner predicts matter (every `alertInterval`
 * seconds: `warningDue` of warning-runner.ts); the others it ignores, so a driver may send only
 * those.
 */
import type { AlertMachineOptions, AlertTransition } from '../alerts/alert-machine.js';
import { createWarningRunner, WARNING_INTERVAL_S, type WarningRunner, type WarningZone } from '../alerts/warning-runner.js';
import type { ThreatPredictorOptions } from '../threat/predict.js';
import type { PredictionReuseOptions } from '../threat/reuse.js';
import type { TrackReport } from '../tracker/tracker.js';
import type { PictureSink } from './events.js';
import { createUpdatePolicy, type UpdatePolicyOptions } from './update-policy.js';

export interface WarningStageOptions {
  zones: readonly WarningZone[];
  /** Seconds between threat predictions (and Update reviews). Default {@link WARNING_INTERVAL_S}. */
  alertInterval?: number;
  predictor?: ThreatPredictorOptions;
  predictionReuse?: PredictionReuseOptions | false;
  alerts?: AlertMachineOptions;
  updates?: UpdatePolicyOptions;
}

export interface WarningStage {
  readonly runner: WarningRunner;
  /**
   * The reports of time t (operators' marks already applied): emits the alert changes
   * (raised, cleared), then at a prediction time the Updates due and the warnings summary.
   */
  onReports(t: number, reports: readonly TrackReport[], emit: PictureSink): void;
  /** A change made outside the reports (an operator's raise or end): the Update policy hears of it and it is emitted. */
  changed(c: AlertTransition, emit: PictureSink): void;
}

export function createWarningStage(o: WarningStageOptions): WarningStage {
  const runner = createWarningRunner(o.zones, { interval: o.alertInterval ?? WARNING_INTERVAL_S, predictor: o.predictor, alerts: o.alerts, reuse: o.predictionReuse });
  const policy = createUpdatePolicy(o.updates);
  const changed = (c: AlertTransition, emit: PictureSink) => {
    policy.onChange(c);
    emit({ type: 'alert', action: c.state === 'alert' ? 'raised' : 'cleared', t: c.t, change: c });
  };
  return {
    runner,
    changed,
    onReports(t, reports, emit) {
      for (const c of runner.onReport(t, reports)) changed(c, emit);
      if (runner.time !== t) return; // the threats are predicted every alert interval
      const states = [...runner.machine.state().values()];
      for (const u of policy.review(t, states)) emit({ type: 'alert', action: 'updated', t, change: u });
      emit({ type: 'warnings', t, states, threats: runner.threats });
    },
  };
}

