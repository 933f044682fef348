/**
 * The multi-sensor multi-target tracker: plain wiring of predictor (nearly constant
 * velocity), updater (EKF, Joseph form), gate (Mahalanobis, with a spatial pre-filter),
 * data associator (global nearest neighbour, optimal assignment per cluster), initiator
 * (one-point, from any detection that localises a target) and deleter (time and
 * uncertainty based). `step(detections, t)` pushes a batch in and returns events; the same
 * input always gives the same output. See docs/tracker.md.
 */
import { solveLap, createLapWorkspace } from '../assign/lap.js';
import { clusterPairs } from '../assign/clusters.js';
import { createEnuFrame, enuToGeodetic, geodeticToEnu, type EnuFrame } from '../geo/index.js';
import { applyUpdate, createEkfWorkspace, innovate } from '../filters/ekf.js';
import { localRotation } from '../models/local-frame.js';
import { applyCooperative, applyHint, applyKinematics, classProbabilities, createClassState, threatProbability } from '../identify/classifier.js';
import { cholesky, mahalanobisSq } from '../linalg/dense.js';
import { predictNcv } from '../models/ncv.js';
import { STATE_DIM } from '../models/state.js';
import type { Detection, GeoPoint } from '../types.js';
import { chiSquareQuantile, resolveTrackerOptions, type TrackerOptions } from './options.js';
import { createPreparedDetection, prepareDetection, SHAPE_DISC, SHAPE_POINT, SHAPE_RAY, type PrepareContext, type PreparedDetection } from './prepare.js';
import { crossRays, discsOverlap, presenceFix, type Disc, type Ray } from './initiate.js';
import { createSpatialGrid } from './spatial-grid.js';
import type { Track, TrackStatus } from './track.js';

export type TrackerEventType = 'created' | 'confirmed' | 'updated' | 'coasting' | 'deleted' | 'rejected';

export interface TrackerEvent {
  type: TrackerEventType;
  t: number;
  /** Track concerned (absent for `rejected`). */
  trackId?: string;
  /** For `rejected`: the detection and why it could not be used. */
  detection?: Detection;
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
}

/** A group of detections of one sensor, associated together. */
interface Candidate {
  det: number;
  track: number;
  cost: number;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** Revisits without a detection after which a track coasts, a young one is dropped, and any is deleted. */
const REVISITS_TO_COAST = 2.2;
const REVISITS_TO_DROP_YOUNG = 3.5;
const REVISITS_TO_DELETE = 5;
/** Weight of a new gap in a track's mean revisit, and the longest gap taken as a revisit (s). */
const GAP_SMOOTHING = 0.3;
const MAX_REVISIT = 10;
/** Seconds between two searches for duplicate tracks to merge. */
const MERGE_INTERVAL = 5;
/** A pause (s) in one sensor's detections that ends an association group. */
const SLICE_GAP = 0.25;
/** Elevations steeper than this (rad) give no usable height for a new track. */
const MAX_INIT_ELEVATION = (80 * Math.PI) / 180;
/** Seconds between kinematic classification steps of a track. */
const CLASSIFY_INTERVAL = 5;
/** Seconds after which a sensor's next class hint on a track counts in full (its reports are correlated). */
const CLASS_HINT_TIME = 10;
/** Speed (m/s) assumed for the motion between detections that start a track together. */
const TYPICAL_SPEED = 60;
/** A detection with a cooperative identity updates its track unless this many gates away (a corrupt report). */
const IDENTITY_GATE_FACTOR = 25;
/** Inflation of the pre-gate's covariance, and a floor (m²) added to its diagonal. */
const PREGATE_INFLATION = 2;
const PREGATE_FLOOR = 50 * 50;

export function createTracker(opts: Partial<TrackerOptions> & { origin: GeoPoint }): Tracker {
  const options = resolveTrackerOptions(opts);
  const frame = createEnuFrame(options.origin);
  const n = STATE_DIM;
  const gates = [0, 1, 2, 3, 4].map((k) => (k === 0 ? 0 : chiSquareQuantile(k, options.gateProbability)));
  const ctx: PrepareContext = {
    global: frame,
    assumedAltitude: options.assumedAltitude,
    assumedAltitudeSd: options.assumedAltitudeSd,
    soundSpeed: options.soundSpeed,
    bearingReach: options.bearingReach,
    sensorFrames: new Map(),
  };
  const ws = createEkfWorkspace();
  const lapWs = createLapWorkspace(8, 16);
  const grid = createSpatialGrid(options.gridCell);
  const xs = new Float64Array(n);
  const ps = new Float64Array(n * n);
  const v3 = new Float64Array(3);
  const rot9 = new Float64Array(9);
  const slots: (Track | undefined)[] = [];
  const freeSlots: number[] = [];
  let live: Track[] = [];
  let nextId = 1;
  const stats: TrackerStats = { detections: 0, candidates: 0, innovations: 0, gated: 0, started: 0, confirmed: 0 };
  let time = -Infinity;

  const modes = options.motionModes;
  const nModes = modes.length;
  const maxQH = Math.max(...modes.map((m) => m.qHorizontal));
  const g9 = new Float64Array(9);

  /** Orients the unit noise densities gH, gV to the local level at the track's position. */
  function orientNoise(tr: Track): void {
    const geo = enuToGeodetic(frame, tr.x[0], tr.x[1], tr.x[2]);
    const m = localRotation(frame, geo.latDeg, geo.lonDeg, rot9);
    // gH = Mᵀ·diag(1, 1, 0)·M, gV = Mᵀ·diag(0, 0, 1)·M
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        tr.gH[i * 3 + j] = m[i] * m[j] + m[3 + i] * m[3 + j];
        tr.gV[i * 3 + j] = m[6 + i] * m[6 + j];
      }
    }
    tr.gAtE = tr.x[0];
    tr.gAtN = tr.x[1];
  }

  /** Noise density of mode j (or, with j = -1, the modes' mixture by their probabilities) into `out`. */
  function noiseOf(tr: Track, j: number, out: Float64Array): Float64Array {
    let qh = 0;
    let qv = 0;
    if (j >= 0) {
      qh = modes[j].qHorizontal;
      qv = modes[j].qVertical;
    } else {
      for (let k = 0; k < nModes; k++) {
        qh += tr.mu[k] * modes[k].qHorizontal;
        qv += tr.mu[k] * modes[k].qVertical;
      }
    }
    for (let i = 0; i < 9; i++) out[i] = qh * tr.gH[i] + qv * tr.gV[i];
    return out;
  }

  function reorientIfMoved(tr: Track): void {
    const dx = tr.x[0] - tr.gAtE;
    const dy = tr.x[1] - tr.gAtN;
    if (dx * dx + dy * dy > 20000 * 20000) orientNoise(tr);
  }

  /** The combined estimate predicted to `t` with the mixture's noise (gating, reports). */
  function predictTo(tr: Track, t: number, xOut: Float64Array, pOut: Float64Array): void {
    reorientIfMoved(tr);
    predictNcv(tr.x, tr.p, t - tr.t, noiseOf(tr, -1, g9), xOut, pOut);
  }

  /** Bearing error inflated near the sensor, where a bearing says little (EKF linearisation). */
  function adaptMeasurement(pd: PreparedDetection, x: Float64Array, p: Float64Array): void {
    if (pd.shape !== SHAPE_RAY || pd.bearingComp < 0) return;
    const rho2 = (x[0] - pd.sx) ** 2 + (x[1] - pd.sy) ** 2;
    const varH = 0.5 * (p[0] + p[n + 1]);
    pd.meas.variance[pd.bearingComp] = pd.bearingVariance + varH / Math.max(rho2, 1);
  }

  // IMM scratch
  const mixX = new Float64Array(nModes * n);
  const mixP = new Float64Array(nModes * n * n);
  const logL = new Float64Array(nModes);
  const cbar = new Float64Array(nModes);
  const xm = new Float64Array(n);
  const pm = new Float64Array(n * n);

  /**
   * Interacting multiple model update (Blom & Bar-Shalom 1988; Bar-Shalom et al. 2001 §11.6.6)
   * of track `tr` with detection `pd`: mixing with the mode transition probabilities over the
   * elapsed time, per-mode prediction and EKF update, mode probabilities from the
   * likelihoods, and the moment-matched combined estimate. Returns the squared Mahalanobis
   * distance of the most likely mode, or NaN when no mode could use the detection.
   */
  function updateTrack(tr: Track, pd: PreparedDetection): number {
    reorientIfMoved(tr);
    const dt = pd.det.t - tr.t;
    const adt = Math.abs(dt);
    // mixing: π_ij = P(mode j now | mode i before), from the modes' mean durations
    for (let j = 0; j < nModes; j++) {
      let c = 0;
      for (let i = 0; i < nModes; i++) c += transition(i, j, adt) * tr.mu[i];
      cbar[j] = c;
    }
    for (let j = 0; j < nModes; j++) {
      const xo = j * n;
      const po = j * n * n;
      for (let a = 0; a < n; a++) mixX[xo + a] = 0;
      for (let i = 0; i < nModes; i++) {
        const wgt = cbar[j] > 0 ? (transition(i, j, adt) * tr.mu[i]) / cbar[j] : i === j ? 1 : 0;
        for (let a = 0; a < n; a++) mixX[xo + a] += wgt * tr.modeX[i * n + a];
      }
      for (let a = 0; a < n * n; a++) mixP[po + a] = 0;
      for (let i = 0; i < nModes; i++) {
        const wgt = cbar[j] > 0 ? (transition(i, j, adt) * tr.mu[i]) / cbar[j] : i === j ? 1 : 0;
        if (wgt === 0) continue;
        const io = i * n * n;
        // lower triangle, mirrored below
        for (let a = 0; a < n; a++) {
          const da = tr.modeX[i * n + a] - mixX[xo + a];
          for (let b = 0; b <= a; b++) {
            const db = tr.modeX[i * n + b] - mixX[xo + b];
            mixP[po + a * n + b] += wgt * (tr.modeP[io + a * n + b] + da * db);
          }
        }
      }
      for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) mixP[po + b * n + a] = mixP[po + a * n + b];
    }
    // per-mode prediction and update
    let best = -1;
    let bestD2 = NaN;
    let maxLog = -Infinity;
    for (let j = 0; j < nModes; j++) {
      const xo = j * n;
      const po = j * n * n;
      for (let a = 0; a < n; a++) xm[a] = mixX[xo + a];
      for (let a = 0; a < n * n; a++) pm[a] = mixP[po + a];
      predictNcv(xm, pm, dt, noiseOf(tr, j, g9), xm, pm);
      adaptMeasurement(pd, xm, pm);
      if (innovate(xm, pm, pd.meas, ws)) {
        logL[j] = -0.5 * (ws.d2 + ws.logDetS + ws.dim * LOG_2PI);
        const d2 = ws.d2;
        applyUpdate(xm, pm, pd.meas, ws);
        if (logL[j] + Math.log(cbar[j] || 1e-300) > maxLog) {
          maxLog = logL[j] + Math.log(cbar[j] || 1e-300);
          best = j;
          bestD2 = d2;
        }
      } else {
        logL[j] = -Infinity;
      }
      for (let a = 0; a < n; a++) mixX[xo + a] = xm[a];
      for (let a = 0; a < n * n; a++) mixP[po + a] = pm[a];
    }
    if (best < 0) return NaN;
    let sum = 0;
    for (let j = 0; j < nModes; j++) {
      const w = logL[j] === -Infinity || !(cbar[j] > 0) ? 0 : Math.exp(logL[j] + Math.log(cbar[j]) - maxLog);
      tr.mu[j] = w;
      sum += w;
    }
    for (let j = 0; j < nModes; j++) tr.mu[j] = Math.max(tr.mu[j] / sum, 1e-6);
    let s2 = 0;
    for (let j = 0; j < nModes; j++) s2 += tr.mu[j];
    for (let j = 0; j < nModes; j++) tr.mu[j] /= s2;
    tr.modeX.set(mixX);
    tr.modeP.set(mixP);
    combine(tr);
    tr.t = pd.det.t;
    return bestD2;
  }

  function transition(i: number, j: number, adt: number): number {
    if (nModes === 1) return 1;
    const stay = Math.exp(-adt / modes[i].meanDuration);
    return i === j ? stay : (1 - stay) / (nModes - 1);
  }

  /** The combined (moment-matched) estimate of the modes into tr.x, tr.p. */
  function combine(tr: Track): void {
    tr.x.fill(0);
    for (let j = 0; j < nModes; j++) for (let a = 0; a < n; a++) tr.x[a] += tr.mu[j] * tr.modeX[j * n + a];
    tr.p.fill(0);
    for (let j = 0; j < nModes; j++) {
      const mu = tr.mu[j];
      const jo = j * n * n;
      for (let a = 0; a < n; a++) {
        const da = tr.modeX[j * n + a] - tr.x[a];
        for (let b = 0; b <= a; b++) tr.p[a * n + b] += mu * (tr.modeP[jo + a * n + b] + da * (tr.modeX[j * n + b] - tr.x[b]));
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) tr.p[b * n + a] = tr.p[a * n + b];
  }

  function horizontalSd(p: Float64Array): number {
    return Math.sqrt(0.5 * (p[0] + p[n + 1]));
  }

  /** Starts a tentative track from one detection that localises a target (position, range-bearing). */
  function newTrack(pd: PreparedDetection, events: TrackerEvent[]): void {
    const det = pd.det;
    const x = new Float64Array(n);
    const p = new Float64Array(n * n);
    const f = pd.meas.frame;
    const m = f.m;
    // position and its covariance in the local frame of the measurement
    const dl = new Float64Array(3);
    const pl = new Float64Array(9);
    if (det.type === 'position') {
      const vz = det.hasAltitude ? det.altSd * det.altSd : options.assumedAltitudeSd * options.assumedAltitudeSd;
      pl[0] = det.posSd * det.posSd;
      pl[4] = det.posSd * det.posSd;
      pl[8] = vz;
    } else if (det.type === 'range_bearing') {
      const el = det.elevation ?? pd.assumedElevation;
      const elSd = det.elevation === undefined ? pd.assumedElevationSd : det.elevationSd;
      const r = det.range;
      const sb = Math.sin(det.bearing);
      const cb = Math.cos(det.bearing);
      const se = Math.sin(el);
      const ce = Math.cos(el);
      dl[0] = r * ce * sb;
      dl[1] = r * ce * cb;
      dl[2] = r * se;
      // J = ∂d/∂(r, b, el), columns
      const j = [ce * sb, r * ce * cb, -r * se * sb, ce * cb, -r * ce * sb, -r * se * cb, se, 0, r * ce];
      const vr = [det.rangeSd * det.rangeSd, det.bearingSd * det.bearingSd, elSd * elSd];
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += j[a * 3 + k] * vr[k] * j[b * 3 + k];
          pl[a * 3 + b] = s;
        }
      }
    } else {
      return;
    }
    // global position = Mᵀ(dl − o); covariance Mᵀ·Pl·M; velocity covariance likewise from the local level
    const a0 = dl[0] - f.o[0];
    const a1 = dl[1] - f.o[1];
    const a2 = dl[2] - f.o[2];
    for (let i = 0; i < 3; i++) x[i] = m[i] * a0 + m[3 + i] * a1 + m[6 + i] * a2;
    for (let i = 0; i < 3; i++) {
      for (let jx = 0; jx < 3; jx++) {
        let s = 0;
        for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) s += m[k * 3 + i] * pl[k * 3 + l] * m[l * 3 + jx];
        p[i * n + jx] = s;
      }
    }
    initVelocityCovariance(m, p);
    startTrack(x, p, det.t, det, events);
  }

  /** Starts a tentative track at state (x, p), time t, from detection `det`. */
  function startTrack(x: Float64Array, p: Float64Array, t: number, det: Detection, events: TrackerEvent[]): Track {
    const slot = freeSlots.length > 0 ? (freeSlots.pop() as number) : slots.length;
    const modeX = new Float64Array(nModes * n);
    const modeP = new Float64Array(nModes * n * n);
    const mu = new Float64Array(nModes);
    const mu0 = options.initialModeProbabilities;
    const muSum = mu0.reduce((a, b) => a + b, 0);
    for (let j = 0; j < nModes; j++) {
      modeX.set(x, j * n);
      modeP.set(p, j * n * n);
      mu[j] = mu0[j] / muSum;
    }
    const tr: Track = {
      id: String(nextId++),
      slot,
      x,
      p,
      t,
      status: 'tentative',
      hits: 1,
      nis: 0,
      nisDof: 0,
      firstT: t,
      lastHitT: det.t,
      meanGap: NaN,
      modeX,
      modeP,
      mu,
      gH: new Float64Array(9),
      gV: new Float64Array(9),
      gAtE: 0,
      gAtN: 0,
      sensors: new Map([[det.sensorId, det.t]]),
      cls: createClassState(options.classPrior),
      clsT: t,
      clsOut: null,
    };
    if (det.cooperativeId !== undefined) setCooperative(tr, det.cooperativeId);
    classEvidence(tr, det, undefined);
    orientNoise(tr);
    slots[slot] = tr;
    live.push(tr);
    insertInGrid(tr, stepWindowEnd);
    if (options.confirmHits <= 1) tr.status = 'confirmed';
    stats.started++;
    events.push({ type: 'created', t: det.t, trackId: tr.id });
    if (tr.status === 'confirmed') events.push({ type: 'confirmed', t: det.t, trackId: tr.id });
    return tr;
  }

  interface PooledRay extends Ray {
    det: Detection;
    sz: number;
    delay: number;
  }
  interface PooledDisc extends Disc {
    det: Detection;
    delay: number;
  }
  /** Unassigned bearings and presence detections, waiting for others to localise a target with. */
  let rayPool: PooledRay[] = [];
  let discPool: PooledDisc[] = [];

  /** Position (E, N) in the tracker frame at an altitude above the ellipsoid: the tracker's U there. */
  function upAt(e: number, nn: number, altM: number): number {
    const g = enuToGeodetic(frame, e, nn, 0);
    return geodeticToEnu(frame, { latDeg: g.latDeg, lonDeg: g.lonDeg, altM })[2];
  }

  /** Starts a tentative track at a horizontal fix (x, y, 2×2 covariance) at the assumed altitude, or `up` when known. */
  function startFromFix(
    x: number, y: number, cxx: number, cxy: number, cyy: number, up: number | null, upVar: number, t: number, dets: Detection[], events: TrackerEvent[],
  ): void {
    const st = new Float64Array(n);
    const p = new Float64Array(n * n);
    st[0] = x;
    st[1] = y;
    st[2] = up ?? upAt(x, y, options.assumedAltitude);
    p[0] = cxx;
    p[1] = cxy;
    p[n] = cxy;
    p[n + 1] = cyy;
    p[2 * n + 2] = up === null ? options.assumedAltitudeSd * options.assumedAltitudeSd : upVar;
    const g = enuToGeodetic(frame, x, y, st[2]);
    initVelocityCovariance(localRotation(frame, g.latDeg, g.lonDeg, rot9), p);
    const tr = startTrack(st, p, t, dets[0], events);
    for (let i = 1; i < dets.length; i++) {
      classEvidence(tr, dets[i], tr.sensors.get(dets[i].sensorId));
      tr.hits++;
      tr.sensors.set(dets[i].sensorId, dets[i].t);
      if (dets[i].t > tr.lastHitT) tr.lastHitT = dets[i].t;
    }
  }

  /** A bearing no track took: crossed with a waiting bearing from another place, or left to wait. */
  function initiateFromBearing(pd: PreparedDetection, events: TrackerEvent[]): void {
    const det = pd.det;
    const t = det.t;
    rayPool = rayPool.filter((e) => t - e.det.t <= options.bearingInitWindow && e.det.t - t <= options.bearingInitWindow);
    const ray: PooledRay = { sx: pd.sx, sy: pd.sy, sz: pd.sz, ux: pd.ux, uy: pd.uy, angleSd: pd.angleSd, reach: pd.reach, det, delay: pd.meas.delay };
    let best = -1;
    let bestArea = Infinity;
    let bestFix: ReturnType<typeof crossRays> = null;
    for (let i = 0; i < rayPool.length; i++) {
      const e = rayPool[i];
      if (e.det.sensorId === det.sensorId || Math.hypot(e.sx - ray.sx, e.sy - ray.sy) < 50) continue;
      const dtm = Math.abs(t - e.det.t);
      const fix = crossRays(e, ray, options.minCrossingAngle, (TYPICAL_SPEED * dtm) ** 2);
      if (!fix) continue;
      const area = fix.cxx * fix.cyy - fix.cxy * fix.cxy;
      if (area < bestArea) {
        bestArea = area;
        best = i;
        bestFix = fix;
      }
    }
    if (best < 0 || !bestFix) {
      rayPool.push(ray);
      return;
    }
    const other = rayPool[best];
    rayPool.splice(best, 1);
    // height from a measured elevation, if either bearing has one
    let up: number | null = null;
    let upVar = 0;
    for (const [r, range] of [[other, bestFix.rangeA], [ray, bestFix.rangeB]] as const) {
      const d = r.det;
      if (d.type === 'bearing' && d.elevation !== undefined && Math.abs(d.elevation) < MAX_INIT_ELEVATION && up === null) {
        up = r.sz + range * Math.tan(d.elevation);
        upVar = (range * d.elevationSd) ** 2 + 100 * 100;
      }
    }
    // the sound left the target range/c before each acoustic detection
    const te = 0.5 * (other.det.t - bestFix.rangeA * other.delay + (t - bestFix.rangeB * ray.delay));
    startFromFix(bestFix.x, bestFix.y, bestFix.cxx, bestFix.cxy, bestFix.cyy, up, upVar, te, [other.det, det], events);
  }

  /** A presence detection no track took: with others heard at once nearby it starts a track, else it waits. */
  function initiateFromPresence(pd: PreparedDetection, events: TrackerEvent[]): void {
    const det = pd.det;
    const t = det.t;
    discPool = discPool.filter((e) => t - e.det.t <= options.presenceInitWindow && e.det.t - t <= options.presenceInitWindow);
    const disc: PooledDisc = { sx: pd.sx, sy: pd.sy, radius: pd.reach, det, delay: pd.meas.delay };
    // the latest waiting detection of each other sensor whose disc overlaps this one
    const latest = new Map<string, number>();
    for (let i = 0; i < discPool.length; i++) {
      const e = discPool[i];
      if (e.det.sensorId === det.sensorId) continue;
      const slack = TYPICAL_SPEED * Math.abs(t - e.det.t);
      if (!discsOverlap([e, disc], slack)) continue;
      const j = latest.get(e.det.sensorId);
      if (j === undefined || discPool[j].det.t < e.det.t) latest.set(e.det.sensorId, i);
    }
    if (latest.size + 1 < options.presenceInitSensors) {
      discPool.push(disc);
      return;
    }
    const chosen = Array.from(latest.values()).map((i) => discPool[i]);
    chosen.push(disc);
    const fix = presenceFix(chosen);
    const taken = new Set(chosen);
    discPool = discPool.filter((e) => !taken.has(e));
    let te = 0;
    for (const c of chosen) te += c.det.t - (c.radius / 2) * c.delay;
    te /= chosen.length;
    startFromFix(fix.x, fix.y, fix.variance, 0, fix.variance, null, 0, te, chosen.map((c) => c.det), events);
  }

  /**
   * A detection's evidence on the track's class: its sensor's class hint, and a cooperative
   * identity. Repeated reports of one sensor are correlated, so each counts in proportion to
   * the time since that sensor's previous one (full weight after `CLASS_HINT_TIME`).
   */
  function classEvidence(tr: Track, det: Detection, previous: number | undefined): void {
    const w = previous === undefined ? 1 : Math.min(1, Math.max(0, det.t - previous) / CLASS_HINT_TIME);
    if (w <= 0) return;
    if (det.classHint) applyHint(tr.cls, det.classHint, w);
    if (det.cooperativeId !== undefined) applyCooperative(tr.cls, det.sensorKind === 'remote_id' ? 'remote_id' : 'adsb', w);
    tr.clsOut = null;
  }

  /** A kinematic classification step for every confirmed track, every `CLASSIFY_INTERVAL` s (the evidence is weighted by the time it covers). */
  function classify(t: number): void {
    for (const tr of live) {
      if (tr.status === 'tentative') {
        tr.clsT = t;
        continue;
      }
      const dt = t - tr.clsT;
      if (dt < CLASSIFY_INTERVAL && tr.hits > options.confirmHits + 1) continue;
      const x = tr.x;
      const p = tr.p;
      const g = enuToGeodetic(frame, x[0], x[1], x[2]);
      const altSd = Math.sqrt(p[2 * n + 2]);
      applyKinematics(tr.cls, {
        speed: Math.hypot(x[3], x[4]),
        speedSd: Math.sqrt(0.5 * (p[3 * n + 3] + p[4 * n + 4])),
        altitude: altSd <= options.altitudeObservableSd ? g.altM : NaN,
        altitudeSd: altSd,
        climbRate: x[5],
        climbRateSd: Math.sqrt(p[5 * n + 5]),
        dt,
      });
      tr.clsT = t;
      tr.clsOut = null;
    }
  }

  /** Tracks by cooperative identity (ADS-B address, Remote ID serial). */
  const byIdentity = new Map<string, Track>();
  function setCooperative(tr: Track, id: string): void {
    if (tr.cooperativeId === id && byIdentity.get(id) === tr) return;
    if (tr.cooperativeId !== undefined && byIdentity.get(tr.cooperativeId) === tr) byIdentity.delete(tr.cooperativeId);
    tr.cooperativeId = id;
    byIdentity.set(id, tr);
  }

  /** Velocity covariance of a new track (tracker frame), isotropic in the local level of frame `m`. */
  function initVelocityCovariance(m: Float64Array, p: Float64Array): void {
    const vh = options.initVelocitySdH * options.initVelocitySdH;
    const vv = options.initVelocitySdV * options.initVelocitySdV;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let sv = 0;
        for (let k = 0; k < 3; k++) sv += m[k * 3 + i] * (k === 2 ? vv : vh) * m[k * 3 + j];
        p[(3 + i) * n + 3 + j] = sv;
      }
    }
  }

  let stepWindowStart = 0;
  let stepWindowEnd = 0;

  function insertInGrid(tr: Track, tRef: number): void {
    // disc that holds the track's position over the whole step window, with margin
    const w = Math.max(Math.abs(tRef - tr.t), Math.abs(stepWindowStart - tr.t), 1);
    const sdPos = horizontalSd(tr.p);
    const sdVel = Math.sqrt(0.5 * (tr.p[3 * n + 3] + tr.p[4 * n + 4]));
    const speed = Math.hypot(tr.x[3], tr.x[4]);
    const radius = 4 * sdPos + (speed + 4 * sdVel) * w + 200;
    const mid = 0.5 * (stepWindowStart + tRef) - tr.t;
    grid.insert(tr.slot, tr.x[0] + tr.x[3] * mid, tr.x[1] + tr.x[4] * mid, radius + (speed * w) / 2);
  }

  const pairDet: number[] = [];
  const pairTrack: number[] = [];
  const pairCost: number[] = [];

  /** Whether track `tr` can be near detection `pd` at its time: cheap horizontal tests by shape. */
  function preGate(tr: Track, pd: PreparedDetection, gate: number): boolean {
    const dt = pd.det.t - tr.t;
    const p = tr.p;
    const px = tr.x[0] + tr.x[3] * dt;
    const py = tr.x[1] + tr.x[4] * dt;
    const adt = Math.abs(dt);
    const qd = (maxQH * adt * adt * adt) / 3;
    const dt2 = dt * dt;
    const vxx = p[0] + 2 * dt * p[3] + dt2 * p[3 * n + 3] + qd;
    const vxy = p[1] + dt * (p[4] + p[3 * n + 1]) + dt2 * p[3 * n + 4];
    const vyy = p[n + 1] + 2 * dt * p[n + 4] + dt2 * p[4 * n + 4] + qd;
    if (pd.shape === SHAPE_POINT) {
      // a range-bearing plot without elevation is placed at an assumed height: its ground
      // position is too uncertain for this test (a high target would be refused), so the
      // full gate decides
      if (!Number.isNaN(pd.assumedElevation)) return true;
      // Pre-gate on the horizontal plane: the 2×2 horizontal covariance of the predicted track
      // plus the detection's, inflated against linearisation differences. The marginal
      // Mahalanobis distance never exceeds the full one, so this only drops pairs the gate
      // would refuse.
      const de = px - pd.ax;
      const dn = py - pd.ay;
      const sxx = (vxx + pd.cxx) * PREGATE_INFLATION + PREGATE_FLOOR;
      const sxy = (vxy + pd.cxy) * PREGATE_INFLATION;
      const syy = (vyy + pd.cyy) * PREGATE_INFLATION + PREGATE_FLOOR;
      const det2 = sxx * syy - sxy * sxy;
      return !(det2 > 0 && (syy * de * de - 2 * sxy * de * dn + sxx * dn * dn) / det2 > gate);
    }
    // rays and discs: distances with generous margins (the sound's travel time lets an
    // acoustic sensor hear a target where it was up to reach/343 s ago)
    const sdH = Math.sqrt(0.5 * (vxx + vyy));
    const speed = Math.hypot(tr.x[3], tr.x[4]);
    const slack = 4 * sdH + 200 + (pd.meas.delay > 0 ? speed * pd.reach * pd.meas.delay : 0);
    const rx = px - pd.sx;
    const ry = py - pd.sy;
    const rho = Math.hypot(rx, ry);
    if (rho > pd.reach + slack) return false;
    if (pd.shape === SHAPE_DISC) return true;
    const along = rx * pd.ux + ry * pd.uy;
    if (along < -slack) return false;
    const cross = Math.abs(rx * pd.uy - ry * pd.ux);
    return cross <= 1.5 * Math.sqrt((rho * pd.angleSd) ** 2 * gate) + slack;
  }

  /** Gathers gated (detection, track) pairs for the detections not yet used whose `want` flag is set. */
  function gatherPairs(prepared: PreparedDetection[], used: Uint8Array, want: Uint8Array, accept: (tr: Track) => boolean): void {
    pairDet.length = 0;
    pairTrack.length = 0;
    pairCost.length = 0;
    for (let i = 0; i < prepared.length; i++) {
      if (used[i] || !want[i]) continue;
      const pd = prepared[i];
      const gate = gates[pd.meas.dim];
      const coop = pd.det.cooperativeId;
      if (coop !== undefined) {
        // a cooperative identity names its track: no competition, and a loose gate that only
        // refuses corrupt reports
        const tr = byIdentity.get(coop);
        if (tr) {
          if (accept(tr) && !scannedAlready(tr, pd)) {
            predictTo(tr, pd.det.t, xs, ps);
            stats.innovations++;
            adaptMeasurement(pd, xs, ps);
            if (innovate(xs, ps, pd.meas, ws) && ws.d2 <= IDENTITY_GATE_FACTOR * gate && Number.isFinite(ws.logDetS)) {
              pairDet.push(i);
              pairTrack.push(tr.slot);
              pairCost.push(0);
            }
          }
          continue;
        }
      }
      grid.query(pd.ax, pd.ay, pd.radius, (slot) => {
        const tr = slots[slot];
        if (!tr || !accept(tr)) return;
        stats.candidates++;
        if (tr.cooperativeId !== undefined && coop !== undefined && tr.cooperativeId !== coop) return;
        if (!preGate(tr, pd, gate)) return;
        if (scannedAlready(tr, pd)) return;
        predictTo(tr, pd.det.t, xs, ps);
        stats.innovations++;
        adaptMeasurement(pd, xs, ps);
        if (!innovate(xs, ps, pd.meas, ws)) return;
        if (!(ws.d2 <= gate)) return;
        stats.gated++;
        pairDet.push(i);
        pairTrack.push(slot);
        pairCost.push(ws.d2);
      });
    }
  }

  /** A sensor cannot see one target twice in one scan: refuses a second detection within `sameScanWindow`. */
  function scannedAlready(tr: Track, pd: PreparedDetection): boolean {
    const hits = hitTimes.get(tr);
    if (hits === undefined) return false;
    // only forward in time, and not within one scan: an earlier detection after a later one
    // would be applied backwards
    for (const ht of hits) if (pd.det.t - ht < options.sameScanWindow) return true;
    return false;
  }

  /** Detections of pairs put off to a later round by `earliestPerTrack`. */
  const deferredDet: number[] = [];
  /**
   * Keeps, for each track, only its pairs with the earliest gated detection (and those within
   * `sameScanWindow` of it); the others are put off to the next round. A sensor that reports
   * a target several times within one group (faster than the step) then updates its track in
   * time order. Otherwise the best-fitting of them, not the first, would win the first round,
   * and the earlier ones, refused as going backwards (`scannedAlready`), would start new
   * tracks: one target split into many.
   */
  function earliestPerTrack(prepared: PreparedDetection[]): void {
    deferredDet.length = 0;
    const np = pairDet.length;
    if (np < 2) return;
    const first = new Map<number, number>();
    for (let k = 0; k < np; k++) {
      const t = prepared[pairDet[k]].det.t;
      const f = first.get(pairTrack[k]);
      if (f === undefined || t < f) first.set(pairTrack[k], t);
    }
    if (first.size === np) return; // one pair per track
    let w = 0;
    for (let k = 0; k < np; k++) {
      if (prepared[pairDet[k]].det.t - (first.get(pairTrack[k]) as number) >= options.sameScanWindow) {
        deferredDet.push(pairDet[k]);
        continue;
      }
      pairDet[w] = pairDet[k];
      pairTrack[w] = pairTrack[k];
      pairCost[w] = pairCost[k];
      w++;
    }
    pairDet.length = w;
    pairTrack.length = w;
    pairCost.length = w;
  }

  /** Solves the assignment of the gathered pairs; returns chosen (det, slot) pairs. */
  function assign(nDets: number): Candidate[] {
    const np = pairDet.length;
    const out: Candidate[] = [];
    if (np === 0) return out;
    // local track numbering for clustering
    const trackIndex = new Map<number, number>();
    const pt = new Int32Array(np);
    const pdArr = new Int32Array(np);
    for (let k = 0; k < np; k++) {
      let ti = trackIndex.get(pairTrack[k]);
      if (ti === undefined) {
        ti = trackIndex.size;
        trackIndex.set(pairTrack[k], ti);
      }
      pt[k] = ti;
      pdArr[k] = pairDet[k];
    }
    const slotOf = Array.from(trackIndex.keys());
    const cl = clusterPairs(trackIndex.size, nDets, pt, pdArr, np);
    const byCluster: number[][] = Array.from({ length: cl.nClusters }, () => []);
    for (let k = 0; k < np; k++) byCluster[cl.clusterOfDet[pdArr[k]]].push(k);
    for (const ks of byCluster) {
      if (ks.length === 1) {
        const k = ks[0];
        out.push({ det: pairDet[k], track: pairTrack[k], cost: pairCost[k] });
        continue;
      }
      const dets: number[] = [];
      const trs: number[] = [];
      const dIdx = new Map<number, number>();
      const tIdx = new Map<number, number>();
      for (const k of ks) {
        if (!dIdx.has(pdArr[k])) {
          dIdx.set(pdArr[k], dets.length);
          dets.push(pdArr[k]);
        }
        if (!tIdx.has(pt[k])) {
          tIdx.set(pt[k], trs.length);
          trs.push(pt[k]);
        }
      }
      const nr = dets.length;
      const nc = trs.length + nr; // one "no track" column per detection
      const cost = new Float64Array(nr * nc).fill(Infinity);
      for (let r = 0; r < nr; r++) cost[r * nc + trs.length + r] = gates[4] * 2;
      for (const k of ks) cost[dIdx.get(pdArr[k])! * nc + tIdx.get(pt[k])!] = pairCost[k];
      const res = solveLap(cost, nr, nc, lapWs);
      for (let r = 0; r < nr; r++) {
        const c = res.rowToCol[r];
        if (c >= 0 && c < trs.length) out.push({ det: dets[r], track: slotOf[trs[c]], cost: cost[r * nc + c] });
      }
    }
    return out;
  }

  const touched = new Set<Track>();
  /** Prepared detections, reused from group to group. */
  const preparedPool: PreparedDetection[] = [];
  /** Times of the detections each track got from the group being processed. */
  const hitTimes = new Map<Track, number[]>();
  const MAX_ROUNDS = 16;

  function applyPairs(chosen: Candidate[], prepared: PreparedDetection[], used: Uint8Array, events: TrackerEvent[]): void {
    chosen.sort((a, b) => prepared[a.det].det.t - prepared[b.det].det.t || a.det - b.det);
    for (const c of chosen) {
      const tr = slots[c.track];
      const pd = prepared[c.det];
      if (!tr) continue;
      const d2 = updateTrack(tr, pd);
      if (Number.isNaN(d2)) continue;
      tr.nis += d2;
      tr.nisDof += pd.meas.dim;
      used[c.det] = 1;
      tr.hits++;
      if (pd.det.t > tr.lastHitT) {
        // running mean of the gaps between detections (capped: a long silence is no revisit)
        const gap = Math.min(pd.det.t - tr.lastHitT, MAX_REVISIT);
        if (gap > options.sameScanWindow) tr.meanGap = Number.isNaN(tr.meanGap) ? gap : tr.meanGap + GAP_SMOOTHING * (gap - tr.meanGap);
        tr.lastHitT = pd.det.t;
      }
      classEvidence(tr, pd.det, tr.sensors.get(pd.det.sensorId));
      tr.sensors.set(pd.det.sensorId, pd.det.t);
      if (pd.det.cooperativeId !== undefined) setCooperative(tr, pd.det.cooperativeId);
      touched.add(tr);
      const ht = hitTimes.get(tr);
      if (ht) ht.push(pd.det.t);
      else hitTimes.set(tr, [pd.det.t]);
      if (tr.status === 'tentative' && tr.hits >= options.confirmHits && tr.nis <= chiSquareQuantile(tr.nisDof, options.confirmConsistency)) {
        tr.status = 'confirmed';
        stats.confirmed++;
        events.push({ type: 'confirmed', t: pd.det.t, trackId: tr.id });
      } else if (tr.status === 'coasting') {
        tr.status = 'confirmed';
      }
    }
  }

  const isMature = (tr: Track) => tr.status !== 'tentative';
  const isTentative = (tr: Track) => tr.status === 'tentative';

  function processGroup(group: Detection[], events: TrackerEvent[]): void {
    const prepared: PreparedDetection[] = [];
    for (const det of group) {
      if (preparedPool.length <= prepared.length) preparedPool.push(createPreparedDetection());
      const r = prepareDetection(ctx, det, preparedPool[prepared.length]);
      if ('reason' in r) events.push({ type: 'rejected', t: det.t, detection: det, reason: r.reason });
      else prepared.push(r);
    }
    if (prepared.length === 0) return;
    const used = new Uint8Array(prepared.length);
    hitTimes.clear();
    // Confirmed tracks first, then tentative ones. Each round gives a track at most one
    // detection; later rounds let a sensor that reports faster than the step update a track
    // again with its later detections, but never twice within one scan (`sameScanWindow`).
    const want = new Uint8Array(prepared.length);
    for (const stage of [isMature, isTentative]) {
      want.fill(1);
      for (let round = 0; round < MAX_ROUNDS; round++) {
        gatherPairs(prepared, used, want, stage);
        if (pairDet.length === 0) break;
        earliestPerTrack(prepared);
        const chosen = assign(prepared.length);
        if (chosen.length === 0) break;
        applyPairs(chosen, prepared, used, events);
        // the next round looks again only at the detections that gated but were not assigned
        want.fill(0);
        for (let k = 0; k < pairDet.length; k++) if (!used[pairDet[k]]) want[pairDet[k]] = 1;
        for (const i of deferredDet) if (!used[i]) want[i] = 1;
      }
    }
    for (let i = 0; i < prepared.length; i++) {
      if (used[i]) continue;
      const pd = prepared[i];
      // a report of an identity that a live track carries never starts a second track
      const coop = pd.det.cooperativeId;
      if (coop !== undefined && byIdentity.has(coop)) {
        events.push({ type: 'rejected', t: pd.det.t, detection: pd.det, reason: `outside the gate of track ${byIdentity.get(coop)!.id}, which carries identity ${coop}` });
        continue;
      }
      if (pd.shape === SHAPE_POINT) newTrack(pd, events);
      else if (pd.shape === SHAPE_RAY) initiateFromBearing(pd, events);
      else initiateFromPresence(pd, events);
    }
  }

  function remove(tr: Track, t: number, events: TrackerEvent[]): void {
    if (tr.cooperativeId !== undefined && byIdentity.get(tr.cooperativeId) === tr) byIdentity.delete(tr.cooperativeId);
    slots[tr.slot] = undefined;
    freeSlots.push(tr.slot);
    if (tr.status !== 'tentative') events.push({ type: 'deleted', t, trackId: tr.id });
  }

  function lifecycle(t: number, events: TrackerEvent[]): void {
    const keep: Track[] = [];
    for (const tr of live) {
      const silent = t - tr.lastHitT;
      const sd = horizontalSd(tr.p); // at the last update; its growth since is covered by the time limits
      // time limits stretch with the track's own revisit: a radar turning every 4 s with a
      // Pd of 0.85 often leaves 8 s between detections
      const gap = Number.isNaN(tr.meanGap) ? 0 : tr.meanGap;
      const coastLimit = Math.max(options.coastAfter, REVISITS_TO_COAST * gap);
      let gone = false;
      if (tr.status === 'tentative') gone = silent > options.tentativeTimeout;
      else if (tr.hits < options.matureHits) gone = silent > Math.max(options.coastAfter, REVISITS_TO_DROP_YOUNG * gap);
      else gone = silent > Math.max(options.deleteAfter, REVISITS_TO_DELETE * gap) || sd > options.maxPositionSd;
      if (gone) {
        remove(tr, t, events);
        continue;
      }
      if (tr.status === 'confirmed' && silent > coastLimit) {
        tr.status = 'coasting';
        events.push({ type: 'coasting', t, trackId: tr.id });
      }
      keep.push(tr);
    }
    live = keep;
  }

  /**
   * Merges confirmed tracks that follow the same target: at heights that agree within their
   * uncertainties, and closer than `mergeDistance` with velocities within `mergeSpeed`, or
   * agreeing within their uncertainties (a chi-square test on the position and horizontal
   * velocity differences, with the sum of both covariances:
   * a track-to-track association test that treats their errors as independent). The older
   * track (smaller id) stays; it takes the state of the younger one when that is the more
   * precise, and its cooperative identity when it had none.
   */
  const mergeGrid = createSpatialGrid(Math.max(options.mergeMaxDistance, options.mergeDistance, 1));
  const mergeGate = chiSquareQuantile(5, options.mergeProbability);
  const d5 = new Float64Array(5);
  const s25 = new Float64Array(25);
  const l25 = new Float64Array(25);
  const t5 = new Float64Array(5);
  const xa = new Float64Array(n);
  const pa = new Float64Array(n * n);
  const xb = new Float64Array(n);
  const pb = new Float64Array(n * n);
  const H5 = [0, 1, 2, 3, 4]; // E, N, U, VE, VN
  let mergeDead = new Set<Track>();

  function sameTarget(a: Track, b: Track, t: number): boolean {
    // cheap refusal first: the 4-D Mahalanobis distance is at least the horizontal distance²
    // over the trace of the summed horizontal covariances (grown by the prediction)
    const da = t - a.t;
    const db = t - b.t;
    const ex = a.x[0] + a.x[3] * da - (b.x[0] + b.x[3] * db);
    const ey = a.x[1] + a.x[4] * da - (b.x[1] + b.x[4] * db);
    const d2 = ex * ex + ey * ey;
    const lim = Math.max(options.mergeMaxDistance, options.mergeDistance);
    if (d2 > lim * lim) return false;
    if (d2 > options.mergeDistance * options.mergeDistance) {
      const pa0 = a.p;
      const pb0 = b.p;
      const grownA = pa0[0] + pa0[n + 1] + (pa0[3 * n + 3] + pa0[4 * n + 4]) * da * da * 2 + (2 * maxQH * Math.abs(da * da * da)) / 3;
      const grownB = pb0[0] + pb0[n + 1] + (pb0[3 * n + 3] + pb0[4 * n + 4]) * db * db * 2 + (2 * maxQH * Math.abs(db * db * db)) / 3;
      if (d2 > mergeGate * (grownA + grownB)) return false;
    }
    predictTo(a, t, xa, pa);
    predictTo(b, t, xb, pb);
    const dist = Math.hypot(xa[0] - xb[0], xa[1] - xb[1]);
    if (dist > Math.max(options.mergeMaxDistance, options.mergeDistance)) return false;
    // two targets stacked at different heights are not one: heights must agree too
    const dz = Math.abs(xa[2] - xb[2]);
    if (dz > 3 * Math.sqrt(pa[2 * n + 2] + pb[2 * n + 2]) + 100) return false;
    if (dist <= options.mergeDistance && Math.hypot(xa[3] - xb[3], xa[4] - xb[4]) <= options.mergeSpeed) return true;
    for (let i = 0; i < 5; i++) {
      d5[i] = xa[H5[i]] - xb[H5[i]];
      for (let j = 0; j < 5; j++) s25[i * 5 + j] = pa[H5[i] * n + H5[j]] + pb[H5[i] * n + H5[j]];
    }
    if (!cholesky(s25, 5, l25)) return false;
    return mahalanobisSq(l25, 5, d5, t5) <= mergeGate;
  }

  let lastMerge = -Infinity;
  function merge(t: number, events: TrackerEvent[]): void {
    if (live.length < 2 || t - lastMerge < MERGE_INTERVAL) return;
    lastMerge = t;
    mergeGrid.clear();
    let mature = 0;
    for (const tr of live) {
      if (tr.status === 'tentative') continue;
      const dt = t - tr.t;
      mergeGrid.insert(tr.slot, tr.x[0] + tr.x[3] * dt, tr.x[1] + tr.x[4] * dt, 0);
      mature++;
    }
    if (mature < 2) return;
    const dead = mergeDead;
    dead.clear();
    const reach = Math.max(options.mergeMaxDistance, options.mergeDistance);
    for (const tr of live) {
      if (tr.status === 'tentative' || dead.has(tr)) continue;
      const dt = t - tr.t;
      mergeGrid.query(tr.x[0] + tr.x[3] * dt, tr.x[1] + tr.x[4] * dt, reach, (slot) => {
        const other = slots[slot];
        if (!other || other === tr || dead.has(other) || dead.has(tr) || Number(other.id) < Number(tr.id)) return;
        if (tr.cooperativeId !== undefined && other.cooperativeId !== undefined && tr.cooperativeId !== other.cooperativeId) return;
        if (!sameTarget(tr, other, t)) return;
        // tr is the older (smaller id)
        const younger = other;
        const older = tr;
        if (younger.p[0] + younger.p[n + 1] < older.p[0] + older.p[n + 1]) {
          older.x.set(younger.x);
          older.p.set(younger.p);
          older.modeX.set(younger.modeX);
          older.modeP.set(younger.modeP);
          older.mu.set(younger.mu);
          older.t = younger.t;
        }
        older.lastHitT = Math.max(older.lastHitT, younger.lastHitT);
        older.hits += younger.hits;
        for (const [sid, st] of younger.sensors) if ((older.sensors.get(sid) ?? -Infinity) < st) older.sensors.set(sid, st);
        if (younger.cooperativeId !== undefined && (older.cooperativeId === undefined || older.cooperativeId === younger.cooperativeId)) {
          const id = younger.cooperativeId;
          byIdentity.delete(id);
          younger.cooperativeId = undefined;
          setCooperative(older, id);
        }
        if (younger.status === 'confirmed' && older.status === 'coasting' && older.t === younger.t) older.status = 'confirmed';
        dead.add(younger);
      });
    }
    if (dead.size === 0) return;
    for (const tr of dead) remove(tr, t, events);
    live = live.filter((tr) => !dead.has(tr));
    mergeDead = new Set();
  }

  const tracker: Tracker = {
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
      stepWindowStart = sorted.length > 0 ? Math.min(sorted[0].t, t) : t;
      stepWindowEnd = t;
      grid.clear();
      for (const tr of live) insertInGrid(tr, t);
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
      touched.clear();
      for (const g of groups) processGroup(g, events);
      for (const tr of live) {
        if (touched.has(tr) && tr.status !== 'tentative') events.push({ type: 'updated', t, trackId: tr.id });
      }
      lifecycle(t, events);
      merge(t, events);
      classify(t);
      time = t;
      return events;
    },
    report(t) {
      const out: TrackReport[] = [];
      for (const tr of live) {
        if (tr.status === 'tentative') continue;
        predictTo(tr, t, xs, ps);
        const geo = enuToGeodetic(frame, xs[0], xs[1], xs[2]);
        const m = localRotation(frame, geo.latDeg, geo.lonDeg, rot9);
        v3[0] = m[0] * xs[3] + m[1] * xs[4] + m[2] * xs[5];
        v3[1] = m[3] * xs[3] + m[4] * xs[4] + m[5] * xs[5];
        v3[2] = m[6] * xs[3] + m[7] * xs[4] + m[8] * xs[5];
        // local covariance of the position: rows of M applied to the position block
        let trH = 0;
        let varU = 0;
        for (let r = 0; r < 3; r++) {
          let s = 0;
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += m[r * 3 + i] * ps[i * n + j] * m[r * 3 + j];
          if (r < 2) trH += s;
          else varU = s;
        }
        const rep: TrackReport = {
          t,
          trackId: tr.id,
          status: tr.status === 'coasting' ? 'coasting' : 'confirmed',
          position: geo,
          altitudeObservable: Math.sqrt(varU) <= options.altitudeObservableSd,
          velocityEnu: [v3[0], v3[1], v3[2]],
          positionSd: Math.sqrt(trH / 2),
          altitudeSd: Math.sqrt(varU),
          sensors: Array.from(tr.sensors.keys()),
          classProbs: (tr.clsOut ??= { probs: classProbabilities(tr.cls), threat: threatProbability(tr.cls) }).probs,
          threatProbability: tr.clsOut.threat,
        };
        if (tr.cooperativeId !== undefined) rep.cooperativeId = tr.cooperativeId;
        out.push(rep);
      }
      out.sort((a, b) => Number(a.trackId) - Number(b.trackId));
      return out;
    },
    tracks() {
      return live;
    },
    stats,
  };
  return tracker;
}
