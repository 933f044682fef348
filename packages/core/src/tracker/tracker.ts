/**
 * The multi-sensor multi-target tracker: plain wiring of its components (docs/tracker.md,
 * "Seams"): a filter (IMM of nearly-constant-velocity modes, EKF updates), a hypothesiser
 * (Mahalanobis gate with a spatial pre-filter), a data associator (global nearest neighbour,
 * optimal assignment per cluster), initiators (one-point, crossing bearings, presence
 * discs), a deleter (time and uncertainty based), a merger and an identifier, around a shared
 * track table. `step(detections, t)` pushes a batch in and returns events; the same input
 * always gives the same output.
 */
import { createRangeScaleLearner } from '../acoustic/range-scale.js';
import { createSourcePrior } from '../acoustic/source-prior.js';
import { MODE_PRIOR } from '../acoustic/rival-modes.js';
import { createEnuFrame, type EnuFrame } from '../geo/index.js';
import type { Detection, GeoPoint } from '../types.js';
import { createPairList } from './hypothesiser.js';
import { createAcousticNetwork } from '../acoustic/acoustic-network.js';
import { resolveComponents, type TrackerComponents } from './components.js';
import { resolveTrackerOptions, type TrackerOptions } from './options.js';
import { createPreparedDetection, prepareDetection, SHAPE_POINT, SHAPE_RAY, type PrepareContext, type PreparedDetection } from './prepare.js';
import type { Track, TrackStatus } from './track.js';
import { createTrackReporter } from './track-reporter.js';
import { createTrackStarter } from './track-starter.js';
import { createBirthLimiter } from './birth-limiter.js';
import { createStationarySources } from './stationary.js';
import { createTrackTable } from './track-table.js';
import { DELETE_REASONS } from './deleter.js';
import { createTrackUpdater } from './track-updater.js';

export type TrackerEventType = 'created' | 'confirmed' | 'updated' | 'coasting' | 'deleted' | 'rejected' | 'faulted';

export interface TrackerEvent {
  type: TrackerEventType;
  t: number;
  /** Track concerned (absent for `rejected` and `faulted`). */
  trackId?: string;
  /**
   * For `rejected`: the detection and why it could not be used. For `faulted`: a detection
   * that made the tracker throw, or left a track with a non-finite state, when processed on
   * its own (the tracker skipped it and went on; the service quarantines its journal row).
   */
  detection?: Detection;
  /** For `rejected` and `faulted`: what was wrong. For `deleted`: the rule that removed the track (`DELETE_REASONS`, deleter.ts), when its deleter names it. */
  reason?: string;
}

/** A track's state as reported: geodetic position, local-level velocity, uncertainty. */
export interface TrackReport {
  t: number;
  trackId: string;
  status: Exclude<TrackStatus, 'tentative'>;
  position: GeoPoint;
  /** False when the altitude is not observable from the detections so far. */
  altitudeObservable: boolean;
  /** Velocity east, north, up in the local level frame at the track (m/s). */
  velocityEnu: [number, number, number];
  /** Horizontal one-sigma: √(trace of the 2×2 horizontal covariance / 2) (m). */
  positionSd: number;
  /** Horizontal velocity one-sigma: √(trace of the 2×2 horizontal velocity covariance / 2) (m/s); the threat predictor's heading and speed spread. */
  velocitySd: number;
  /** Vertical one-sigma (m). */
  altitudeSd: number;
  /** Class probabilities, label to probability (docs/identification.md); shared between reports until the class changes: do not modify. */
  classProbs: Readonly<Record<string, number>>;
  /** P(piston_owa) + P(jet_owa) + P(cruise_missile). */
  threatProbability: number;
  cooperativeId?: string;
  /** Ids of sensors that contributed to the track. */
  sensors: string[];
}

export interface Tracker {
  readonly options: TrackerOptions;
  readonly frame: EnuFrame;
  /** Time of the last step (s), or -Infinity before the first. */
  readonly time: number;
  /**
   * Processes `detections` (any order; all with time <= t, ideally after the previous step's t)
   * and advances the tracker to time `t`. Returns the events in a deterministic order.
   */
  step(detections: readonly Detection[], t: number): TrackerEvent[];
  /** Reports of every confirmed or coasting track, predicted to time `t` (the tracker is not changed). */
  report(t: number): TrackReport[];
  /** Live tracks, tentative ones included (read only). */
  tracks(): readonly Track[];
  /** Work counters since creation, for benchmarks and diagnostics. */
  readonly stats: TrackerStats;
}

export interface TrackerStats {
  detections: number;
  /** Candidate pairs from the spatial index, pairs that passed the disc pre-test, and pairs inside the gate. */
  candidates: number;
  innovations: number;
  gated: number;
  /** Tracks started (tentative) and confirmed. */
  started: number;
  confirmed: number;
  /** Births refused by the clutter map (birth-limiter.ts): detections that started no track in a saturated cell. */
  birthsRefused: number;
  /** Track updates by a weighted set of detections (joint probabilistic association: jpda-associator.ts), and those that fell back to one detection. */
  mixtures: number;
  mixturesFallback: number;
  /** Tracks dropped as stationary sources, and plots that started no track on their spots (stationary.ts). */
  stationaryDropped: number;
  stationaryRefused: number;
  /**
   * How far sound carries as the acoustic tracks taught it (acoustic/range-scale.ts): the mean of
   * the network's distribution of the range scale, and the tracks it learnt from (1 and 0 without
   * `acousticRangeScale`).
   */
  rangeScale: number;
  rangeScaleTracks: number;
  /** The source kinds' priors (in the air, a ground vehicle, a stationary source) of the three strata in turn (tracks born of one node, of several, handed back) and the tracks they learnt from (acoustic/source-prior.ts; the fixed prior and 0 without `acousticLearnSources`). */
  sourcePrior: number[];
  sourcePriorTracks: number;
}

/** A pause (s) in one sensor's detections that ends an association group. */
const SLICE_GAP = 0.25;
/** Association rounds per stage of a group (a sensor reporting faster than the step needs several). */
const MAX_ROUNDS = 16;
const isMature = (tr: Track) => tr.status !== 'tentative';
const isTentative = (tr: Track) => tr.status === 'tentative';

/**
 * The cell of a sensor's measurement space within which two of its reports in one scan are
 * one report repeated: a square of a quarter of the point's smallest standard deviation (a
 * radar's range error, not its wide cross-range one: two targets side by side at one range
 * are two plots), a sector of a quarter of a ray's bearing error, and the whole disc of a
 * presence report (presence is one bit: a second one in the scan says nothing new).
 */
function resolutionCell(pd: PreparedDetection): string {
  if (pd.shape === SHAPE_POINT) {
    const half = (pd.cxx + pd.cyy) / 2;
    const minVar = half - Math.sqrt(((pd.cxx - pd.cyy) / 2) ** 2 + pd.cxy ** 2);
    const res = Math.max(0.25, 0.25 * Math.sqrt(Math.max(0, minVar)));
    return `p${Math.floor(pd.ax / res)},${Math.floor(pd.ay / res)}`;
  }
  if (pd.shape === SHAPE_RAY) return `r${Math.floor(Math.atan2(pd.uy, pd.ux) / Math.max(1e-5, 0.25 * pd.angleSd))}`;
  return 'd';
}

/** What a thrown value says. */
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * True when every number of a track's state and covariance is finite and the covariance's
 * position and velocity blocks are positive semi-definite (each 3×3 block's principal minors
 * non-negative, within rounding): a covariance with a negative variance in some direction is as
 * broken as a NaN (its report's one-sigma would be the root of a negative number).
 */
function finiteState(tr: Track): boolean {
  for (let i = 0; i < tr.x.length; i++) if (!Number.isFinite(tr.x[i])) return false;
  for (let i = 0; i < tr.p.length; i++) if (!Number.isFinite(tr.p[i])) return false;
  return tr.p.length < 36 || (semiDefinite3(tr.p, 6, 0) && semiDefinite3(tr.p, 6, 3));
}

/** Whether the 3×3 block of the n×n row-major `p` at (o, o) is positive semi-definite, within a relative 1e-9. */
function semiDefinite3(p: Float64Array, n: number, o: number): boolean {
  const a = p[o * n + o];
  const b = p[o * n + o + 1];
  const c = p[o * n + o + 2];
  const d = p[(o + 1) * n + o + 1];
  const e = p[(o + 1) * n + o + 2];
  const f = p[(o + 2) * n + o + 2];
  const s = Math.max(a, d, f);
  if (!(s >= 0)) return false;
  const tol = 1e-9 * s;
  if (a < -tol || d < -tol || f < -tol) return false;
  const tol2 = tol * s;
  if (a * d - b * b < -tol2 || a * f - c * c < -tol2 || d * f - e * e < -tol2) return false;
  const det = a * (d * f - e * e) - b * (b * f - e * c) + c * (b * e - d * c);
  return det >= -tol2 * s;
}

/**
 * A tracker with the given options; `components` replaces any of its components (defaults:
 * `DEFAULT_COMPONENTS`, the tracker as documented).
 */
export function createTracker(opts: Partial<TrackerOptions> & { origin: GeoPoint }, components?: Partial<TrackerComponents>): Tracker {
  const options = resolveTrackerOptions(opts);
  const frame = createEnuFrame(options.origin);
  const ctx: PrepareContext = {
    global: frame,
    assumedAltitude: options.assumedAltitude,
    assumedAltitudeSd: options.assumedAltitudeSd,
    soundSpeed: options.soundSpeed,
    bearingReach: options.bearingReach,
    sensorFrames: new Map(),
  };
  const stats: TrackerStats = { detections: 0, candidates: 0, innovations: 0, gated: 0, started: 0, confirmed: 0, birthsRefused: 0, mixtures: 0, mixturesFallback: 0, stationaryDropped: 0, stationaryRefused: 0, rangeScale: 1, rangeScaleTracks: 0, sourcePrior: [...MODE_PRIOR, ...MODE_PRIOR, ...MODE_PRIOR], sourcePriorTracks: 0 };
  const table = createTrackTable(options);
  const acoustic = createAcousticNetwork({ frame, sensors: options.acousticClouds ? options.sensors : [], learnPd: options.acousticLearnPd ? {} : false });
  const rangeScale = options.acousticRangeScale && acoustic.size > 0 ? createRangeScaleLearner(options.acousticRangeScale) : null;
  const sourcePrior = options.acousticLearnSources && acoustic.size > 0 ? createSourcePrior() : null;
  const parts = resolveComponents({ options, frame, table, stats, acoustic, rangeScale, sourcePrior }, components);
  const { filter, identifier, hypothesiser, associator, initiators, deleter, merger, silence } = parts;
  const startTrack = createTrackStarter({ table, filter, identifier, stats, confirmHits: options.confirmHits });
  const births = createBirthLimiter(options.birthLimit);
  const stationary = options.stationarySources ? createStationarySources(options.stationarySources) : null;
  const applyPairs = createTrackUpdater({ ...options, table, filter, identifier, stats });
  const report = createTrackReporter({ frame, filter, altitudeObservableSd: options.altitudeObservableSd });
  const pairs = createPairList();
  /** Per group: the time of the last detection kept in each resolution cell (repeats within a scan are refused). */
  const repeats = new Map<string, number>();
  /** Per group: the detections refused as repeats (not taken again after a fault). */
  const repeated = new Set<Detection>();
  /** Detections of the current step that faulted before their group ran. */
  const faulted = new Set<Detection>();
  /** Prepared detections, reused from group to group. */
  const preparedPool: PreparedDetection[] = [];
  let time = -Infinity;

  function processGroup(group: Detection[], events: TrackerEvent[]): void {
    const prepared: PreparedDetection[] = [];
    repeats.clear();
    repeated.clear();
    // the pairs of this group only (a fault's suspects are the tracks its detections gated with)
    pairs.det.length = 0;
    pairs.track.length = 0;
    pairs.cost.length = 0;
    pairs.logLik.length = 0;
    pairs.weighable.length = 0;
    pairs.deferred.length = 0;
    for (const det of group) {
      if (preparedPool.length <= prepared.length) preparedPool.push(createPreparedDetection());
      const r = prepareDetection(ctx, det, preparedPool[prepared.length]);
      if ('reason' in r) {
        events.push({ type: 'rejected', t: det.t, detection: det, reason: r.reason });
        continue;
      }
      // A sensor reports a target once per scan (sameScanWindow): a detection inside the
      // resolution of one the same sensor made less than a scan before is a repeat of that
      // report, not a second target. (A flood of copies then costs one detection per scan and
      // place, not a track each: 20,000 copies in 20 s at one spot had started 11,000 tracks.)
      const key = resolutionCell(r);
      const kept = repeats.get(key);
      if (kept !== undefined && det.t - kept < options.sameScanWindow) {
        repeated.add(det);
        events.push({ type: 'rejected', t: det.t, detection: det, reason: `repeats a detection of sensor ${det.sensorId} made ${((det.t - kept) * 1000).toFixed(1)} ms before at the same place, within one scan (${options.sameScanWindow} s)` });
        continue;
      }
      repeats.set(key, det.t);
      prepared.push(r);
    }
    if (prepared.length === 0) return;
    const used = new Uint8Array(prepared.length);
    table.groupHits.clear();
    // Confirmed tracks first, then tentative ones. Each round gives a track at most one
    // detection; later rounds let a sensor that reports faster than the step update a track
    // again with its later detections, but never twice within one scan (`sameScanWindow`).
    const want = new Uint8Array(prepared.length);
    for (const stage of [isMature, isTentative]) {
      want.fill(1);
      for (let round = 0; round < MAX_ROUNDS; round++) {
        hypothesiser.hypothesise(prepared, used, want, stage, pairs);
        if (pairs.det.length === 0) break;
        const chosen = associator.associate(pairs, prepared.length);
        if (chosen.length === 0) break;
        applyPairs(chosen, prepared, used, events);
        // the next round looks again only at the detections that gated but were not assigned
        want.fill(0);
        for (let k = 0; k < pairs.det.length; k++) if (!used[pairs.det[k]]) want[pairs.det[k]] = 1;
        for (const i of pairs.deferred) if (!used[i]) want[i] = 1;
      }
    }
    for (let i = 0; i < prepared.length; i++) {
      if (used[i]) continue;
      const pd = prepared[i];
      // a report of an identity that a live track carries never starts a second track
      const coop = pd.det.cooperativeId;
      if (coop !== undefined && table.byIdentity.has(coop)) {
        events.push({ type: 'rejected', t: pd.det.t, detection: pd.det, reason: `outside the gate of track ${table.byIdentity.get(coop)!.id}, which carries identity ${coop}` });
        continue;
      }
      // a plot on a stationary source's spot of its sensor starts no track (stationary.ts)
      if (stationary && pd.shape === SHAPE_POINT && stationary.blocks(pd.det.sensorId, pd.ax, pd.ay, pd.det.t)) {
        stats.stationaryRefused++;
        continue;
      }
      for (const initiator of initiators) {
        if (!initiator.accepts(pd)) continue;
        const birth = initiator.initiate(pd);
        if (birth) {
          if (births.admit(birth.x[0], birth.x[1], pd.det.t)) startTrack(birth, events);
          else stats.birthsRefused++;
        }
        break;
      }
    }
  }

  /** Removes the live tracks `drop` picks (a fault's broken or suspect tracks). */
  function dropTracks(drop: (tr: Track) => boolean, t: number, events: TrackerEvent[]): void {
    const keep: Track[] = [];
    for (const tr of table.live) {
      if (drop(tr)) table.remove(tr, t, events, DELETE_REASONS.fault);
      else keep.push(tr);
    }
    table.live = keep;
  }

  /**
   * One group, guarded: a throw, or a track it hit or started left with a non-finite state,
   * is a fault. Then the broken tracks are dropped and the group's detections are taken again
   * one by one; a detection that faults on its own is reported as `faulted` and skipped, the
   * others are used (the rest of the step, and every later step, go on). A detection that
   * was applied before the fault may be applied twice: a fault is a bug or a hostile input
   * that passed the input checks, and the picture must survive it, not be exact through it.
   */
  function guardedGroup(group: Detection[], t: number, events: TrackerEvent[], tracksDropped = false): void {
    const before = table.live.length;
    let fault: string | null = null;
    try {
      processGroup(group, events);
      for (const tr of table.groupHits.keys()) if (!finiteState(tr)) fault = `track ${tr.id}'s state became non-finite or its covariance indefinite`;
      for (let i = before; i < table.live.length; i++) if (!finiteState(table.live[i])) fault = `track ${table.live[i].id} started with a non-finite state or an indefinite covariance`;
    } catch (err) {
      fault = errorText(err);
    }
    if (fault === null) return;
    dropTracks((tr) => !finiteState(tr), t, events);
    if (group.length === 1) {
      // The fault may be a track's (finite numbers, broken state) as well as the detection's:
      // drop the tracks it gated with and take it once more. Only a detection that faults again,
      // or with no track to blame, is the culprit (the service quarantines it for good).
      if (!tracksDropped) {
        const suspects = new Set<Track>();
        for (const slot of pairs.track) {
          const tr = table.slots[slot];
          if (tr) suspects.add(tr);
        }
        if (suspects.size > 0) {
          dropTracks((tr) => suspects.has(tr), t, events);
          guardedGroup(group, t, events, true);
          return;
        }
      }
      events.push({ type: 'faulted', t: group[0].t, detection: group[0], reason: fault });
      return;
    }
    // one by one, but for the group's repeats, already refused (a flood plus one fault costs no more)
    const again = group.filter((d) => !repeated.has(d));
    for (const d of again) guardedGroup([d], t, events);
  }

  /** The deleter's verdict on every live track: removal, or coasting. */
  function lifecycle(t: number, events: TrackerEvent[]): void {
    const keep: Track[] = [];
    for (const tr of table.live) {
      if (stationary && stationary.judge(tr, t)) {
        stats.stationaryDropped++;
        table.remove(tr, t, events, DELETE_REASONS.stationary);
        continue;
      }
      const verdict = deleter.judge(tr, t);
      if (verdict === 'delete') {
        stationary?.ended(tr, t);
        table.remove(tr, t, events, deleter.lastReason);
        continue;
      }
      if (verdict === 'coast') {
        tr.status = 'coasting';
        events.push({ type: 'coasting', t, trackId: tr.id });
      }
      keep.push(tr);
    }
    table.live = keep;
    if (rangeScale && rangeScale.learnt !== stats.rangeScaleTracks) {
      stats.rangeScaleTracks = rangeScale.learnt;
      stats.rangeScale = rangeScale.mean;
    }
    if (sourcePrior && sourcePrior.tracks !== stats.sourcePriorTracks) {
      stats.sourcePriorTracks = sourcePrior.tracks;
      stats.sourcePrior = [...sourcePrior.prior(0), ...sourcePrior.prior(1), ...sourcePrior.prior(2)];
    }
  }

  return {
    options,
    frame,
    get time() {
      return time;
    },
    step(detections, t) {
      if (!Number.isFinite(t)) throw new Error(`tracker.step needs a finite time, got ${t}`);
      if (t < time) throw new Error(`tracker.step(t=${t}) goes back in time (the last step was at ${time})`);
      const events: TrackerEvent[] = [];
      const sorted = detections.slice().sort((a, b) => a.t - b.t);
      stats.detections += sorted.length;
      for (const d of sorted) {
        if (d.t > t) throw new Error(`tracker.step(t=${t}) got a detection from the future (t=${d.t}, sensor ${d.sensorId})`);
      }
      table.beginStep(sorted.length > 0 ? Math.min(sorted[0].t, t) : t, t);
      // groups: runs of one sensor's detections without a pause longer than SLICE_GAP (a
      // scan, or a burst of reports), processed in time order
      const groups: Detection[][] = [];
      const open = new Map<string, Detection[]>();
      for (const d of sorted) {
        const g = open.get(d.sensorId);
        if (g && d.t - g[g.length - 1].t <= SLICE_GAP) g.push(d);
        else {
          const ng = [d];
          open.set(d.sensorId, ng);
          groups.push(ng);
        }
      }
      if (acoustic.size > 0) {
        for (const d of sorted) {
          try {
            acoustic.heard(d);
          } catch (err) {
            events.push({ type: 'faulted', t: d.t, detection: d, reason: errorText(err) });
            faulted.add(d);
          }
        }
      }
      for (const g of groups) {
        if (faulted.size > 0) {
          const rest = g.filter((d) => !faulted.has(d));
          if (rest.length > 0) guardedGroup(rest, t, events);
        } else guardedGroup(g, t, events);
      }
      faulted.clear();
      silence?.apply(table.live, t);
      for (const tr of table.live) {
        if (table.touched.has(tr) && tr.status !== 'tentative') events.push({ type: 'updated', t, trackId: tr.id });
      }
      lifecycle(t, events);
      merger.merge(t, events);
      identifier.step(table.live, t);
      time = t;
      return events;
    },
    report(t) {
      return report(table.live, t);
    },
    tracks() {
      return table.live;
    },
    stats,
  };
}
