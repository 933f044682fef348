/**
 * The filter of a tracker with acoustic tracks: a track heard only by cheap sensors carries a
 * particle cloud (particle-cloud.ts) and is updated by it; every other track by the inner
 * filter (the IMM). The cloud's mean and covariance are kept as the track's state, and the
 * inner filter's per-mode state is reset to them after each cloud update, so gating,
 * association, merging and reports treat both kinds alike.
 *
 * Hand-off: a detection that localises the target precisely (a radar plot, a position with
 * an error under `handOffSd`) ends the cloud; the track, with its id, goes on in the inner
 * filter from the cloud's moments.
 *
 * Hand-back (the tracker's default since 2026-12-05, after its `deleteAfter`): a track of the inner filter that no precise detection has updated for a
 * while (see `handBackAfter`), when an acoustic node hears it, gets a cloud again, drawn from its
 * predicted Gaussian, and the acoustic model (negative information, rivals, misfit) holds it.
 * An inner track that no precise detection has updated since its birth takes no report of an
 * acoustic node at all.
 */
import { innovate, createEkfWorkspace } from '../filters/ekf.js';
import type { TrackFilter } from '../tracker/filter.js';
import { SHAPE_DISC, SHAPE_POINT, SHAPE_RAY, type PreparedDetection } from '../tracker/prepare.js';
import type { Track } from '../tracker/track.js';
import type { AcousticNetwork, AcousticNode } from './acoustic-network.js';
import { bearingHitEvidence, bearingUpdate, CLOUD_FAST_BAND, CLOUD_SPEED_BAND, cloudMoments, createCloud, levelUpdate, massWithin, pointUpdate, predictCloud, presenceHit, resampleCloud, seedFromGaussian, seedFromReport, type AdaptiveCount, type ParticleCloud } from './particle-cloud.js';
import type { RangeScaleSource } from './range-scale.js';
import { mulberry32 } from '../math/mulberry32.js';
import type { Detection } from '../types.js';
import { presenceModel } from './presence-model.js';
import { createRivals, rivalsLogLikelihood, rivalsUpdate, type FirstReport, type RivalModes } from './rival-modes.js';
import type { SourcePrior } from './source-prior.js';

/** What an acoustic track carries besides its Gaussian summary. */
export interface CloudState {
  cloud: ParticleCloud;
  /** Time (s) of the last negative update from each node. */
  missAt: Map<string, number>;
  /** Time (s) of the last silence pass over the track (silence.ts). */
  silenceAt?: number;
  /**
   * Set when the cloud came back from the precise sensors (hand-back): `clutter` after fewer than
   * {@link CARRY_RIVALS_SCANS} of their scans (the rivals' evidence carried), `track` after more
   * (a target the precise sensors held: its radar is not clutter, so its one microphone is not
   * alone to blame when it is dropped).
   */
  fromPrecise?: 'clutter' | 'track';
  /** Running mean of the log predictive likelihood of its hits (how well the cloud explains them). */
  logL: number;
  /** Hits the cloud took. */
  hits: number;
  /** Time (s) of the first report of the run that started the track (its birth comes after the run's reports). */
  firstReportT?: number;
  /**
   * Since its last hit, the log likelihood ratio of the silences it met (silence.ts): log of
   * P(those nodes heard nothing | the target is where the cloud says) over P(they heard
   * nothing | no target there). Falls while nodes that should hear the target stay silent;
   * 0 after each hit.
   */
  silentLogLR?: number;
  /** The rival hypotheses (a ground vehicle, a stationary source) and the probabilities of all three (rival-modes.ts). */
  rivals?: RivalModes;
  /** The part of the rivals' evidence (`airLogRatio`) already given to the track's class belief. */
  sourceEvidence?: number;
  /** The node of its last re-acquisition (`reseedCloudTrack`). */
  reseedNode?: string;
  /** The received levels (`snr_db`, dB) of each node's last reports to the track, and when: what its next level is weighed against ({@link levelTerm}). */
  levels?: TrackLevels;
  /** Whether the track is reported: its mean is probably near the target (`massShown`) and its silences are not strongly against it ({@link CLOUD_HIDE_SILENCE}). */
  shown: boolean;
  /** The mass rule alone, with its hysteresis (see {@link CLOUD_REPORT_RADIUS}); `shown` when absent. */
  massShown?: boolean;
}

export interface CloudFilterOptions {
  inner: TrackFilter;
  network: AcousticNetwork;
  /** A position error (m) under which a detection hands the track over to the inner filter. Default 400. */
  handOffSd?: number;
  /**
   * Hand-back: a track of the inner filter that no precise detection updated for this
   * many seconds (and for three of the precise sensors' revisits), and that an acoustic node
   * hears, gets a cloud again (from its Gaussian state) and the acoustic model takes it:
   * negative information, rival hypotheses, misfit, the silence test. Default Infinity (off);
   * the tracker's default components give it `deleteAfter` (15 s: a radar that misses a few
   * plots keeps its track; with the 6 s coasting time such tracks were handed back and off:
   * docs/tracker.md).
   */
  handBackAfter?: number;
  /**
   * A cloud handed off to the precise sensors and handed back after fewer than this many of
   * their scans gets its rivals' evidence back (rival-modes.ts: a target of the class in the air,
   * a ground vehicle, a stationary source), instead of their prior: a clutter plot or two near a
   * generator's track is not evidence of a target in the air, and three scans or more of a
   * track the precise sensors held are. Default {@link CARRY_RIVALS_SCANS}; 0: never.
   */
  carryRivalsScans?: number;
  /**
   * Whether a handed-back cloud has the fast band (particle-cloud.ts) when > 0: its particles
   * then take the band that holds the speed each draws from the track's Gaussian state (the
   * state's velocity decides, not the share). Default 0: the piston band only.
   */
  fastShare?: number;
  /** A handed-back cloud's adaptive particle count (particle-cloud.ts `AdaptiveCount`); absent: a fixed count. */
  adaptive?: AdaptiveCount;
  /** Where a handed-back cloud's particles and its rivals' draw their range scales (range-scale.ts); absent: the declared ranges. */
  rangeScale?: RangeScaleSource;
  /** The source kinds' prior learnt over the network's tracks (source-prior.ts): a hand-back's rivals start from it, and a hand-off teaches it. */
  sourcePrior?: SourcePrior;
  /** How the nodes' received levels weigh the clouds ({@link LevelEvidence}, e.g. {@link LEVEL_EVIDENCE}); false (the default): not at all. */
  levels?: LevelEvidence | false;
  /** A handed-back cloud's and its rivals' resampling kernel (particle-cloud.ts `CloudOptions.kernel`); absent: the default. */
  kernel?: number;
  /**
   * Whether a track that other reports hold (a hit within {@link REFUSE_HELD_S}) refuses a
   * presence report its cloud gives less than {@link MISFIT_LIKELIHOOD}, once the misfit test
   * applies to it ({@link MISFIT_MIN_HITS} hits): the report is left to the initiator. Default true.
   */
  refuseMisfits?: boolean;
}

/**
 * How the received levels of a node's reports (`snr_db`) weigh an acoustic track
 * (particle-cloud.ts `levelUpdate`): a report's level against the levels of the same node's
 * earlier reports to the track, at most `keep` of them and none older than `maxAge` s (an older
 * one may be another pass, and a straight path back is worse the longer it is), with a
 * one-sigma scatter of `sd` dB per report.
 */
export interface LevelEvidence {
  sd: number;
  maxAge: number;
  keep: number;
}

/**
 * A setting by the model (the tracker's default is off): 3 dB a report (outdoor propagation over
 * a few hundred metres to kilometres scatters levels by a few dB: turbulence, ground effect;
 * Embleton 1996), the node's levels of the last minute, up to 8: one pass over a node (a drone
 * at 50 m/s crosses a 2.5 km disc in up to 100 s).
 */
export const LEVEL_EVIDENCE: LevelEvidence = { sd: 3, maxAge: 60, keep: 8 };

/** A track's received levels by node: the times and levels of each node's last reports to it (oldest first). */
export type TrackLevels = Map<string, { t: number[]; db: number[] }>;

const levelAgo = new Float64Array(64);
const levelDb = new Float64Array(64);

/**
 * The level of node `node`'s report `det` against the track's earlier levels from that node,
 * applied to cloud `cl` (the track's cloud or one of its rivals): the log predictive likelihood,
 * or 0 when the report has no level, the track none from that node within `o.maxAge` s, or `o`
 * is false. {@link recordLevel} then keeps the report's level.
 */
export function levelTerm(cl: ParticleCloud, levels: TrackLevels | undefined, sx: number, sy: number, sz: number, det: Detection, o: LevelEvidence | false): number {
  if (o === false || det.snrDb === undefined || !levels) return 0;
  const past = levels.get(det.sensorId);
  if (!past) return 0;
  let n = 0;
  for (let j = 0; j < past.t.length && n < levelAgo.length; j++) {
    const ago = det.t - past.t[j];
    if (!(ago > 0) || ago > o.maxAge) continue;
    levelAgo[n] = ago;
    levelDb[n] = past.db[j];
    n++;
  }
  return levelUpdate(cl, sx, sy, sz, det.snrDb, levelDb, levelAgo, n, o.sd);
}

/** Keeps the level of `det` (if it has one) among its node's last `o.keep` for the track; returns the map (created when needed). */
export function recordLevel(levels: TrackLevels | undefined, det: Detection, o: LevelEvidence): TrackLevels | undefined {
  if (det.snrDb === undefined) return levels;
  const m = levels ?? new Map<string, { t: number[]; db: number[] }>();
  let past = m.get(det.sensorId);
  if (!past) m.set(det.sensorId, (past = { t: [], db: [] }));
  if (past.t.length > 0 && det.t < past.t[past.t.length - 1]) return m;
  past.t.push(det.t);
  past.db.push(det.snrDb);
  // the levels of another pass (older than maxAge) and beyond the last `keep` go
  let drop = Math.max(0, past.t.length - Math.max(1, Math.min(o.keep, levelAgo.length)));
  while (drop < past.t.length - 1 && det.t - past.t[drop] > o.maxAge) drop++;
  if (drop > 0) {
    past.t.splice(0, drop);
    past.db.splice(0, drop);
  }
  return m;
}

/** A seed for a cloud's generator from a detection (deterministic: the same input, the same cloud). */
export function seedOfDetection(det: Detection): number {
  let h = 2166136261;
  const s = `${det.sensorId}@${det.t}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Weight of a new hit in `logL`. */
const LOGL_SMOOTHING = 0.2;

/**
 * The misfit test (cloud-deleter.ts): a cloud whose reports' predictive likelihood runs below
 * this, once it has taken {@link MISFIT_MIN_HITS} of them, no longer explains them.
 */
export const MISFIT_LIKELIHOOD = 0.05;
export const MISFIT_MIN_HITS = 5;
/**
 * A track is being heard while its last hit is at most this old (s): one and a half of the
 * nodes' usual report period, as a silence is counted (silence.ts).
 */
export const REFUSE_HELD_S = 3;
const LOG_MISFIT = Math.log(MISFIT_LIKELIHOOD);

/** The weights (and range-scale evidence) of a cloud before a report that may be refused. */
let savedW = new Float64Array(0);
let savedRs = new Float64Array(0);

export function createCloudFilter(o: CloudFilterOptions): TrackFilter {
  const inner = o.inner;
  const handOffSd = o.handOffSd ?? 400;
  const refuseMisfits = o.refuseMisfits ?? true;
  const handBackAfter = o.handBackAfter ?? Infinity;
  const carryRivals = o.carryRivalsScans ?? CARRY_RIVALS_SCANS;
  const fastShare = o.fastShare ?? 0;
  const levelsOpt = o.levels ?? false;
  // a track faster than the cloud's bands allow (with margin) stays with the inner filter: an
  // airliner or a cruise missile a microphone also hears
  const topSpeed = fastShare > 0 ? 1.1 * CLOUD_FAST_BAND[1] : 1.5 * CLOUD_SPEED_BAND[1];
  const ws = createEkfWorkspace();
  const xs = new Float64Array(6);
  const ps = new Float64Array(36);

  /** Whether `pd` localises the target well enough for the inner filter to take the track. */
  const precise = (pd: PreparedDetection): boolean => {
    if (pd.shape !== SHAPE_POINT) return false;
    if (pd.det.type === 'range_bearing') return true;
    return Math.sqrt(0.5 * (pd.cxx + pd.cyy)) <= handOffSd;
  };

  /**
   * Gives `tr` (an inner track) a cloud again when `pd` comes from an acoustic node and no
   * precise detection has updated it for `handBackAfter` s and, once their revisit is known,
   * three of the precise sensors' revisits (a radar that misses a plot or two may hand it off
   * again at its next plot: the id stays); returns whether it did. Not
   * for a cooperative track, nor for one faster than the cloud's bands allow (`topSpeed`).
   */
  function handBack(tr: Track, pd: PreparedDetection): boolean {
    if (tr.cooperativeId !== undefined || (pd.shape !== SHAPE_DISC && pd.shape !== SHAPE_RAY)) return false;
    const node = o.network.node(pd.det.sensorId);
    if (!node) return false;
    const last = tr.precise;
    const since = pd.det.t - (last?.t ?? tr.firstT);
    const revisitKnown = last !== undefined && !Number.isNaN(last.gap);
    if (since < handBackAfter || (revisitKnown && since < 3 * last.gap)) return false;
    inner.predict(tr, pd.det.t, xs, ps);
    if (Math.hypot(xs[3], xs[4]) > topSpeed) return false;
    const seed = seedOfDetection(pd.det);
    const cloud = createCloud(mulberry32(seed), { fastShare, ...(o.adaptive ? { adaptive: o.adaptive } : {}), ...(o.rangeScale ? { rangeScale: o.rangeScale, learnScale: true } : {}), ...(o.kernel !== undefined ? { kernel: o.kernel } : {}) });
    seedFromGaussian(cloud, pd.det.t, xs, ps, CLOUD_H_MIN, CLOUD_H_MAX);
    const rivals = createRivals(seed, reportOf(node, pd.det.t), o.rangeScale, o.kernel, o.sourcePrior?.prior(2));
    rivals.stratum = 2;
    // handed off after fewer than `carryRivals` scans: the rivals' evidence from before stands
    const held = last?.heldRivals;
    const carried = held !== undefined && carryRivals > 0 && (last!.scans ?? Infinity) < carryRivals;
    // (held: the reports' log likelihood of each kind; the new rivals' prior comes on top)
    if (carried) for (let k = 0; k < 3; k++) rivals.logP[k] = rivals.logPrior![k] + held[k];
    // (the held evidence goes with tr.precise once the hand-back took its report: a refused one keeps both)
    tr.cloud = { cloud, missAt: new Map(), logL: 0, hits: 0, shown: true, rivals, ...(last ? { fromPrecise: carried ? ('clutter' as const) : ('track' as const) } : {}) };
    return true;
  }

  /** A precise sensor's detection at time t: the precise sensors' revisit. */
  function notePrecise(tr: Track, t: number): void {
    const was = tr.precise;
    if (!was) tr.precise = { t, gap: NaN };
    else if (t - was.t > 0.25) {
      // a new scan (plots of one scan are closer): the precise sensors' revisit, gaps capped at 30 s
      const gap = Math.min(t - was.t, 30);
      was.gap = Number.isNaN(was.gap) ? gap : was.gap + 0.3 * (gap - was.gap);
      was.t = t;
      if (was.scans !== undefined) was.scans++;
    }
  }

  return {
    modes: inner.modes,
    maxQHorizontal: inner.maxQHorizontal,
    initialise(tr) {
      inner.initialise(tr);
    },
    predict(tr, t, xOut, pOut) {
      inner.predict(tr, t, xOut, pOut);
    },
    // an inner track weighed between precise detections (joint association); a cloud takes one detection at a time
    weighs(tr, pd) {
      return !tr.cloud && precise(pd) && inner.updateWeighted !== undefined && (inner.weighs?.(tr, pd) ?? false);
    },
    updateWeighted(tr, pds, scale, missWeight) {
      if (tr.cloud || !inner.updateWeighted || !pds.every(precise)) return NaN;
      let t = -Infinity;
      for (const pd of pds) t = Math.max(t, pd.det.t);
      const d2 = inner.updateWeighted(tr, pds, scale, missWeight);
      if (!Number.isNaN(d2)) notePrecise(tr, t);
      return d2;
    },
    update(tr, pd) {
      if (precise(pd)) {
        const handedOffRivals = tr.cloud?.rivals;
        const handedOff = handedOffRivals ? rivalsLogLikelihood(handedOffRivals) : undefined;
        // a cloud the precise sensors take: what its reports said of its kind teaches the prior
        if (handedOff && o.sourcePrior && tr.cloud!.hits >= MISFIT_MIN_HITS) o.sourcePrior.learn(handedOffRivals!.stratum ?? 0, handedOff);
        tr.cloud = undefined;
        notePrecise(tr, pd.det.t);
        // what the microphones told of the source is kept while the precise sensors hold the
        // track: a plot or two (clutter near a generator's cloud) do not make it a target in the air
        if (handedOff && carryRivals) Object.assign(tr.precise!, { heldRivals: handedOff, scans: 1 });
        return inner.update(tr, pd);
      }
      // an inner track no precise detection has updated since its birth (a single radar plot,
      // perhaps clutter), or one its precise sensors have not confirmed yet, takes no report of
      // an acoustic node: presence discs do not make it a track (a generator's reports confirmed
      // two clutter plots' track and held it for minutes), and what the node hears starts or
      // feeds a cloud of its own
      if (!tr.cloud && (tr.precise === undefined || tr.status === 'tentative') && o.network.node(pd.det.sensorId) !== undefined) return NaN;
      const handedBack = !tr.cloud && handBack(tr, pd);
      if (!tr.cloud) return inner.update(tr, pd);
      const cs = tr.cloud;
      // a detection the new cloud cannot take leaves the track as it was
      const refuse = (): number => {
        if (handedBack) tr.cloud = undefined;
        return NaN;
      };
      // the Mahalanobis distance of the detection to the cloud's Gaussian summary: the
      // association's cost and the track's consistency test
      inner.predict(tr, pd.det.t, xs, ps);
      const d2 = innovate(xs, ps, pd.meas, ws) ? ws.d2 : NaN;
      if (Number.isNaN(d2)) return refuse();
      const c = cs.cloud;
      predictCloud(c, pd.det.t);
      let hit: (cl: ParticleCloud) => number;
      if (pd.shape === SHAPE_DISC) {
        const node = o.network.node(pd.det.sensorId);
        const model = node?.model ?? presenceModel(pd.reach);
        hit = (cl) => presenceHit(cl, pd.sx, pd.sy, pd.sz, model);
      } else if (pd.shape === SHAPE_RAY) {
        const bearing = Math.atan2(pd.ux, pd.uy);
        const sd = Math.hypot(pd.angleSd, 0.02);
        const node = o.network.node(pd.det.sensorId);
        hit = (cl) => {
          if (node) bearingHitEvidence(cl, pd.sx, pd.sy, pd.sz, node.model);
          return bearingUpdate(cl, pd.sx, pd.sy, pd.sz, bearing, sd, pd.reach);
        };
      } else {
        const sd = Math.sqrt(0.5 * (pd.cxx + pd.cyy));
        hit = (cl) => pointUpdate(cl, pd.ax, pd.ay, sd);
      }
      // a node's received level weighs the clouds too (presence and bearing reports); the report's
      // fit alone is the track's `logL`: the level's term is a density in dB⁻¹, which the rivals
      // compare across hypotheses and the misfit test must not see
      const levels = pd.shape === SHAPE_DISC || pd.shape === SHAPE_RAY ? levelsOpt : false;
      let fit = 0;
      const weigh = (cl: ParticleCloud): number => {
        const l = hit(cl);
        if (cl === c) fit = l;
        return l === -Infinity ? l : l + levelTerm(cl, cs.levels, pd.sx, pd.sy, pd.sz, pd.det, levels);
      };
      // a presence report the cloud gives less than the misfit test's likelihood, while other
      // reports hold the track, is another source's (another drone's, most often, where drones
      // fly close): it is left to start or feed a track of its own (docs/tracker.md "A report
      // that is not the track's")
      const guard = refuseMisfits && pd.shape === SHAPE_DISC && cs.hits >= MISFIT_MIN_HITS && pd.det.t - tr.lastHitT <= REFUSE_HELD_S;
      if (guard) {
        if (savedW.length < c.n) savedW = new Float64Array(c.w.length);
        savedW.set(c.w.subarray(0, c.n));
        if (c.rsLL) {
          if (savedRs.length < c.rsLL.length) savedRs = new Float64Array(c.rsLL.length);
          savedRs.set(c.rsLL);
        }
      }
      const logL = weigh(c);
      if (logL === -Infinity) return refuse(); // nothing in the cloud can explain it
      if (guard && fit < LOG_MISFIT) {
        c.w.set(savedW.subarray(0, c.n));
        if (c.rsLL) c.rsLL.set(savedRs.subarray(0, c.rsLL.length));
        return refuse();
      }
      if (cs.rivals) rivalsUpdate(cs.rivals, pd.det.t, logL, weigh);
      if (levels) cs.levels = recordLevel(cs.levels, pd.det, levels);
      cs.logL = cs.hits === 0 ? fit : cs.logL + LOGL_SMOOTHING * (fit - cs.logL);
      cs.hits++;
      cs.silentLogLR = 0;
      syncCloudTrack(tr, inner);
      // handed back: a later hand-off learns the precise sensors' revisit afresh
      if (handedBack) tr.precise = undefined;
      return d2;
    },
  };
}

/** The cloud's moments become the track's state at the cloud's time, and the inner filter restarts from them (after any change of the cloud). */
export function syncCloudTrack(tr: Track, inner: TrackFilter): void {
  const cs = tr.cloud;
  if (!cs) return;
  resampleCloud(cs.cloud);
  cloudMoments(cs.cloud, tr.x, tr.p);
  tr.t = cs.cloud.t;
  inner.initialise(tr);
  cs.massShown = cloudShown(cs.cloud, tr.x[0], tr.x[1], cs.massShown ?? cs.shown);
  cs.shown = cs.massShown && (cs.silentLogLR ?? 0) >= CLOUD_HIDE_SILENCE;
}

/** Heights (m above the ellipsoid) a new or re-acquired acoustic track may fly at, by default. */
export const CLOUD_H_MIN = 50;
export const CLOUD_H_MAX = 2500;

/** A presence report of `node` at time t, as the clouds and the rivals take one. */
export function reportOf(node: AcousticNode, t: number): FirstReport {
  return { t, sx: node.sx, sy: node.sy, sz: node.sz, model: node.model, reach: node.reach };
}

/** The acoustic node that last reported to the track, and when; undefined when none of its sensors is a node. */
export function lastNode(tr: Track, network: AcousticNetwork): { node: AcousticNode; t: number } | undefined {
  let last: AcousticNode | undefined;
  let lastT = -Infinity;
  for (const [id, at] of tr.sensors) {
    const node = network.node(id);
    if (node && at > lastT) {
      last = node;
      lastT = at;
    }
  }
  return last ? { node: last, t: lastT } : undefined;
}

/**
 * Re-acquisition: the cloud of a track whose reports stopped fitting it (cloud-deleter.ts)
 * while `node` still hears it is spread again over that node's disc at its report at `t`
 * (headings and speeds from the prior, heights in [hMin, hMax]); the track keeps its id,
 * status, class belief and rival hypotheses (their evidence so far stands).
 */
export function reseedCloudTrack(tr: Track, node: AcousticNode, t: number, inner: TrackFilter, hMin = CLOUD_H_MIN, hMax = CLOUD_H_MAX): void {
  const cs = tr.cloud;
  if (!cs) return;
  // never back in time (silences may have carried the cloud past that report)
  const t0 = Math.max(t, cs.cloud.t);
  seedFromReport(cs.cloud, t0, reportOf(node, t0), hMin, hMax);
  cs.logL = 0;
  cs.hits = 0;
  cs.reseedNode = node.id;
  syncCloudTrack(tr, inner);
}

/** Scans of precise detections below which a handed-back cloud keeps its rivals' evidence. */
export const CARRY_RIVALS_SCANS = 3;

/** Seconds of reports that confirm an acoustic track (a gust or a passing car lasts seconds). */
export const CLOUD_CONFIRM_SPAN = 20;

/**
 * Whether an acoustic track may be confirmed: its reports span at least
 * {@link CLOUD_CONFIRM_SPAN} s, from one node or several (a gust at one node, or wind and
 * thunder at several neighbours at once, last seconds; a drone is heard for a minute or
 * more). Tracks without a cloud: always.
 */
export function cloudConfirmable(tr: Track): boolean {
  return tr.cloud === undefined || tr.lastHitT - Math.min(tr.firstT, tr.cloud.firstReportT ?? Infinity) >= CLOUD_CONFIRM_SPAN;
}

/** Whether the track's speed and heading come from measurements: not for an acoustic track one node alone heard (its motion is the prior's). */
export function cloudKinematicsKnown(tr: Track): boolean {
  return tr.cloud === undefined || tr.sensors.size >= 2;
}

/**
 * An acoustic track is reported when its reported point (the cloud's mean) is within
 * `CLOUD_REPORT_RADIUS` m of the target with at least even odds (the cloud's weight within
 * that radius of its mean), and hidden again (kept, not reported: too vague to place anyone in
 * its path) below `CLOUD_HIDE_MASS`, so that a track near the limit does not blink. A spread
 * alone does not say it: a ring (a target that left a node in an unknown direction) has its
 * mean where the target is not.
 */
export const CLOUD_REPORT_RADIUS = 2000;
export const CLOUD_REPORT_MASS = 0.5;
export const CLOUD_HIDE_MASS = 0.4;

/**
 * An acoustic track is not reported while the silences since its last hit are more than 10
 * times likelier with no target there than with the target where its cloud says (log of the
 * ratio, `CloudState.silentLogLR`: "strong" evidence on Jeffreys' scale); it is kept, and a hit
 * shows it again. It is deleted at 100 times (cloud-deleter.ts). A false alarm heard for
 * 10-60 s at one node became a track that flew on through the gaps between the nodes' discs,
 * unheard and reported, for the two minutes of its coasting (2026-12-05: `docs/tracker.md`).
 */
export const CLOUD_HIDE_SILENCE = Math.log(0.1);

/** Whether a cloud with mean (x, y) is shown, given whether it was. */
export function cloudShown(c: ParticleCloud, x: number, y: number, wasShown: boolean): boolean {
  const m = massWithin(c, x, y, CLOUD_REPORT_RADIUS);
  return wasShown ? m >= CLOUD_HIDE_MASS : m >= CLOUD_REPORT_MASS;
}

/** Whether a track is reported: tracks without a cloud always; acoustic ones while shown (`cloudShown`, with hysteresis). */
export function cloudReportable(tr: Track): boolean {
  return tr.cloud === undefined || tr.cloud.shown;
}
