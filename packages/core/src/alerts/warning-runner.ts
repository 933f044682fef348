/**
 * Warnings from track reports: the threat predictor and the alert machine wired together,
 * updated at most every `interval` seconds (predicting every track's path against every zone
 * each second costs more than the tracking). Each track's predicted speed is bounded by the
 * top speed of the threat classes it may be (`threatTopSpeed`). Used by the live picture, the
 * batch command and the benchmark.
 */
import { createThreatPredictor, type ThreatPredictorOptions, type ZoneThreat } from '../threat/predict.js';
import { createReusingPredictor, type FreshReason, type PredictionReuseOptions } from '../threat/reuse.js';
import type { GeoArea } from '../geo/polygon.js';
import type { TrackReport } from '../tracker/tracker.js';
import { threatTopSpeed } from '../identify/classifier.js';
import { ALERT_DEFAULTS, createAlertMachine, type AlertMachine, type AlertMachineOptions, type AlertTransition } from './alert-machine.js';

export interface WarningZone {
  id: string;
  area: GeoArea;
  leadS?: number;
}

export interface WarningRunner {
  /** Feeds the reports of time t; returns the alert changes (empty between updates). */
  onReport(t: number, reports: readonly TrackReport[]): AlertTransition[];
  readonly machine: AlertMachine;
  /** Time (s) of the last update (the last report time at which the threats were predicted); -Infinity before the first. */
  readonly time: number;
  /** The threats (track, zone) predicted at `time`: every pair the predictor returned. */
  readonly threats: readonly ZoneThreat[];
  /**
   * Track predictions made afresh (by reason) and reused (threat/reuse.ts) since creation, the
   * path points the ensemble walked (its work), and the track reports the predictor refused (a
   * track it cannot project: at a pole, with a non-finite state), with the last refusal's reason.
   */
  readonly predictions: { fresh: number; reused: number; byReason: Readonly<Record<FreshReason, number>>; points: number; refused: number; lastRefusal: string | null };
}

/** Seconds between two threat predictions unless told (the picture's `alertInterval`). */
export const WARNING_INTERVAL_S = 5;

/**
 * Whether the runner predicts at report time `t`, its last prediction having been at `lastT`
 * (-Infinity before the first): the one rule of {@link WarningRunner.onReport}, for a driver
 * that sends only the reports that matter (picture/warning-stage.ts).
 */
export function warningDue(lastT: number, t: number, interval: number): boolean {
  return t - lastT >= interval - 1e-9;
}

export function createWarningRunner(
  zones: readonly WarningZone[],
  opts: {
    interval?: number;
    predictor?: ThreatPredictorOptions;
    alerts?: AlertMachineOptions;
    /** Reuse of a track's last prediction while its state has not changed enough (threat/reuse.ts); false: every track afresh at every update. Default on. */
    reuse?: PredictionReuseOptions | false;
  } = {},
): WarningRunner {
  const interval = opts.interval ?? WARNING_INTERVAL_S;
  if (!(interval >= 0 && Number.isFinite(interval))) throw new Error(`warning interval must be a finite number >= 0, got ${interval}`);
  // the urgent raise's window is the machine's imminentS (its reasons name it)
  const predictor = createThreatPredictor(zones.map((z) => ({ id: z.id, area: z.area, leadS: z.leadS })), { ...opts.predictor, imminentS: opts.alerts?.imminentS ?? ALERT_DEFAULTS.imminentS });
  const reuse = opts.reuse === false ? null : createReusingPredictor(predictor, opts.reuse);
  const plain = { fresh: 0, reused: 0, byReason: { new: 0, age: 0, state: 0, class: 0, zone: 0, time: 0 } };
  const machine = createAlertMachine(zones.map((z) => ({ id: z.id, leadS: z.leadS })), opts.alerts);
  let lastT = -Infinity;
  let lastThreats: ZoneThreat[] = [];
  let refused = 0;
  let lastRefusal: string | null = null;
  /**
   * One track's threats. A report the predictor refuses (a track at a pole, a non-finite state)
   * gives none and is counted: it must not take the other tracks' warnings with it (one sensor's
   * row at latitude 89.95 had stopped every zone's alerts).
   */
  const threatsOf = (t: number, r: TrackReport): ZoneThreat[] => {
    try {
      return reuse ? reuse.predict(t, r) : predictor.predict(r);
    } catch (err) {
      refused++;
      lastRefusal = err instanceof Error ? err.message : String(err);
      return [];
    }
  };
  return {
    machine,
    get time() {
      return lastT;
    },
    get threats() {
      return lastThreats;
    },
    get predictions() {
      const s = reuse ? reuse.stats : plain;
      return { fresh: s.fresh, reused: s.reused, byReason: { ...s.byReason }, points: predictor.stats.points, refused, lastRefusal };
    },
    onReport(t, reports) {
      if (!warningDue(lastT, t, interval)) return [];
      lastT = t;
      // each track's paths no faster than its class can fly (a young track's velocity estimate
      // may say 110 ± 40 m/s for a drone that flies 50): no ETA shorter than physics allows
      const bounded = reports.map((r) => {
        const maxSpeed = threatTopSpeed(r.classProbs);
        return maxSpeed === undefined ? r : { ...r, maxSpeed };
      });
      const refusedBefore = refused;
      const threats = bounded.flatMap((r) => threatsOf(t, r));
      if (reuse) reuse.retain(new Set(bounded.map((r) => r.trackId)));
      else plain.fresh += bounded.length - (refused - refusedBefore);
      lastThreats = threats;
      return machine.update(t, threats, reports.map((r) => ({ id: r.trackId, threatProbability: r.threatProbability, positionSd: r.positionSd })));
    },
  };
}
