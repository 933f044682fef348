/**
 * The air picture: one pure, push-style object that owns everything between a detection and
 * a warning. Detections and operators' actions go in with their times; typed events come out
 * (events.ts) through one sink, synchronously, in the order they happen. No clock, no I/O:
 * the batch command (`skywarden track`), replay and the live service all drive this object,
 * so the same detections give the same tracks, alerts and Updates everywhere.
 *
 * Inside: the anchoring of the tracker's frame (origin.ts), the tracker and its batch runner
 * (reorder buffer, steps, reports on the grid), the threat predictor and alert machine (the
 * warning runner), operators' overrides (overrides.ts) and the alert Update policy
 * (update-policy.ts).
 */
import type { AlertMachineOptions, AlertTransition, ZoneState } from '../alerts/alert-machine.js';
import type { WarningRunner, WarningZone } from '../alerts/warning-runner.js';
import type { ThreatPredictorOptions } from '../threat/predict.js';
import type { PredictionReuseOptions } from '../threat/reuse.js';
import { createBatchRunner, type BatchRunner } from '../tracker/batch-runner.js';
import type { TrackerOptions } from '../tracker/options.js';
import type { TrackerComponents } from '../tracker/components.js';
import { detectionAnchor } from '../tracker/origin.js';
import { createTracker, type Tracker } from '../tracker/tracker.js';
import type { Detection, GeoPoint, Sensor } from '../types.js';
import type { PictureSink } from './events.js';
import { effectiveReports, mergeMark, type OperatorMark } from './overrides.js';
import type { UpdatePolicyOptions } from './update-policy.js';
import { createWarningStage } from './warning-stage.js';

export interface PictureOptions {
  /** Origin of the tracker's frame (the sensors' centre, origin.ts); without one the first detection that gives a point anchors it. */
  anchor?: GeoPoint | null;
  /** Tracker options (docs/tracker.md); the origin is the anchor. */
  tracker?: Partial<Omit<TrackerOptions, 'origin'>>;
  /** Tracker components replaced (the tracker's seams: research, tests); default all. */
  trackerComponents?: Partial<TrackerComponents>;
  /** The sensors (sensors.json, the live register): their acoustic nodes give acoustic tracks and negative information. */
  sensors?: Iterable<Sensor>;
  /** How late (s) a detection may arrive behind the newest. Default 5. */
  reorderDelay?: number;
  /** Report interval (s). Default 1. */
  reportEvery?: number;
  /** Longest tracker step (s). Default 1. */
  stepMax?: number;
  /** Keys the duplicate check's hashes (batch-runner.ts `idSeed`): pass a random draw where ids come from outside. */
  idSeed?: readonly [number, number];
  /** Warning zones; none: no threat prediction and no alerts. */
  zones?: readonly WarningZone[];
  /** Seconds between threat predictions (and Update reviews). Default 5. */
  alertInterval?: number;
  predictor?: ThreatPredictorOptions;
  /** Reuse of a track's last threat prediction while its state has not changed enough (threat/reuse.ts); false: none. Default on. */
  predictionReuse?: PredictionReuseOptions | false;
  alerts?: AlertMachineOptions;
  updates?: UpdatePolicyOptions;
}

export interface Picture {
  /** Offers a detection; null when taken, else why it was refused (late, duplicate, no anchor). */
  push(det: Detection): string | null;
  /** The clock says `t` (live use): the steps due up to `t - reorderDelay` run, as if a detection at `t` had arrived. */
  advanceTo(t: number): void;
  /** End of input (batch use): everything pending is processed and reported. */
  finish(): void;
  /** An operator's mark on a live track at time `t`; null when no such track. */
  mark(trackId: string, mark: OperatorMark, t: number): OperatorMark | null;
  /**
   * An operator raises or ends a zone's alert. It is stamped with the picture's time, not the
   * clock's: the latest time the picture has been advanced to less the reorder delay (what the
   * reports have reached, or would have, when no track is alive and none are made), and never
   * before the latest report or the alert machine's time, which only moves forward. (Stamped with
   * the latest report alone, a raise and an end a minute apart in a quiet picture both carried
   * the time of the last report before them: an outside review, 2026-12-07.) Returns the change (null when the zone was
   * already in that state), or undefined for an unknown zone.
   */
  manualAlert(zone: string, action: 'raise' | 'end', clockT: number, who: string, reason: string): AlertTransition | null | undefined;
  /** Every zone's alert state, in zone order (empty without zones). */
  zoneStates(): ZoneState[];
  /** Operators' marks on live tracks. */
  readonly marks: ReadonlyMap<string, OperatorMark>;
  /** The tracker, once the frame is anchored. */
  readonly tracker: Tracker | null;
  /** Time of the latest report (s), -Infinity before the first. */
  readonly reportTime: number;
  /** Detections waiting in the reorder buffer. */
  readonly pending: number;
  /** Time of the next tracker step (s), NaN before the first detection; due on the clock at this plus the reorder delay. */
  readonly nextStepTime: number;
  readonly reorderDelay: number;
  readonly hasZones: boolean;
  /** Threat predictions made afresh and reused (threat/reuse.ts); null without zones. */
  readonly predictions: WarningRunner['predictions'] | null;
}

export function createPicture(options: PictureOptions, sink: PictureSink): Picture {
  const reorderDelay = options.reorderDelay ?? 5;
  const reportEvery = options.reportEvery ?? 1;
  const zones = options.zones ?? [];
  const stage =
    zones.length > 0 ? createWarningStage({ zones, alertInterval: options.alertInterval, predictor: options.predictor, predictionReuse: options.predictionReuse, alerts: options.alerts, updates: options.updates }) : null;
  const warn: WarningRunner | null = stage ? stage.runner : null;
  const marks = new Map<string, OperatorMark>();
  const sensors = options.sensors ? [...options.sensors] : [];
  let tracker: Tracker | null = null;
  let runner: BatchRunner | null = null;
  let reportTime = -Infinity;

  const anchorAt = (origin: GeoPoint) => {
    const tr = createTracker({ ...options.tracker, ...(sensors.length > 0 ? { sensors } : {}), origin }, options.trackerComponents);
    tracker = tr;
    runner = createBatchRunner(
      tr,
      { reorderDelay, reportEvery, stepMax: options.stepMax, idSeed: options.idSeed },
      {
        onEvents(events) {
          sink({ type: 'tracker', t: tr.time, events });
        },
        onReport(t, reports) {
          reportTime = t;
          if (marks.size > 0) {
            // marks of tracks that are gone are forgotten
            const alive = new Set(tr.tracks().map((x) => x.id));
            for (const r of reports) alive.add(r.trackId);
            for (const id of marks.keys()) if (!alive.has(id)) marks.delete(id);
          }
          sink({ type: 'tracks', t, reports, marks });
          stage?.onReports(t, effectiveReports(reports, marks), sink);
        },
      },
    );
  };
  if (options.anchor) anchorAt(options.anchor);

  return {
    push(det) {
      if (!runner) {
        const a = detectionAnchor(det);
        if (!a) return 'no sensor position known to anchor the tracker frame';
        anchorAt(a);
      }
      return (runner as unknown as BatchRunner).push(det);
    },
    advanceTo(t) {
      runner?.advanceTo(t);
    },
    finish() {
      runner?.finish();
    },
    mark(trackId, m, t) {
      if (!tracker || !tracker.tracks().some((x) => x.id === trackId)) return null;
      const cur = mergeMark(marks.get(trackId), m);
      marks.set(trackId, cur);
      sink({ type: 'override', t, trackId, mark: cur });
      return cur;
    },
    manualAlert(zone, action, clockT, who, reason) {
      if (!warn || !warn.machine.state().has(zone)) return undefined;
      // reports are made up to the time advanced to less the delay: one later than this stamp can
      // still come (the machine's updates follow them), one earlier cannot
      const reached = (runner?.latest ?? -Infinity) - reorderDelay;
      const mt = Math.max(warn.machine.time, reportTime, reached);
      const t = Number.isFinite(mt) ? mt : clockT - reorderDelay;
      const c = action === 'raise' ? warn.machine.manualRaise(zone, t, who, reason) : warn.machine.manualEnd(zone, t, who, reason);
      if (c) stage?.changed(c, sink);
      return c;
    },
    zoneStates() {
      return warn ? [...warn.machine.state().values()] : [];
    },
    marks,
    get tracker() {
      return tracker;
    },
    get reportTime() {
      return reportTime;
    },
    get pending() {
      return runner?.pending ?? 0;
    },
    get nextStepTime() {
      return runner ? runner.nextStepTime : NaN;
    },
    reorderDelay,
    hasZones: warn !== null,
    get predictions() {
      return warn ? warn.predictions : null;
    },
  };
}
