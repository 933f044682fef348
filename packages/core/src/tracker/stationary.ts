/**
 * Stationary sources of the radars: a radar's returns from things that stand still (buildings,
 * masts, wind turbines, terrain, a parked vehicle) come scan after scan from one place, and a
 * tracker that starts a track from any plot no track took makes each of them a track that never
 * ends, slow and low: a "hovering multirotor" for the classifier, a false track for the air
 * picture (an outside scene with six such spots held about five false tracks at any time).
 * Radars keep a clutter map of such places for the same reason (Skolnik, Radar Handbook:
 * clutter-map CFAR, stationary-target suppression).
 *
 * The test, on a track that radar plots (`range_bearing`) alone have fed for the last `windowS`
 * s, held that long: any other report it took in that time (a presence, a bearing, a position
 * fix of an observer or of another tracker) says something else sees a target there, and a
 * cooperative identity, ever, says what it is. Two centroids of its plots: its first ones (of its
 * first `windowS`/2 s, or its first `minPlots` when that took longer) and its later ones of the
 * last `windowS`/2 s. A source that stands still gives centroids whose difference, over its
 * covariance (the plots' mean error covariances over their counts, full 2×2: a radar's range is
 * far sharper than its cross-range), is a χ² with 2 degrees of freedom, and later plots whose
 * Mahalanobis distances to their centroid sum to a χ² with 2(n − 1). When neither rejects
 * standing still at level `p`, the track is a stationary source, unless it began where a moving
 * track of its sensors had ended shortly before (a target that went on after a fade, a picture
 * re-anchored: `ended`). It is dropped, and its place (3.5 σ of the plots' major axis, at most
 * 2 km) becomes a spot of its sensors where their plots start no track as long as they go on
 * coming there (a spot unfed for `keepS` s is forgotten; at most 1,000 a sensor). A track that
 * takes plots there (a target flying through) keeps them: only births are refused.
 *
 * What this cannot tell: a target that appears and then stays on one spot for `windowS` s, seen
 * by the radars alone and not where a moving track just ended (a multirotor that takes off
 * beside a radar and hovers). One that arrives from elsewhere is kept (its first centroid is
 * elsewhere), and one that a microphone, direction finder or observer also reports is not judged
 * while they do. The slowest mover told from standing still depends on the plots' errors: with
 * 130 m of cross-range error and a plot every 3 s, 4 m/s is kept. A new target's first plots on a
 * known spot start no track until it leaves the spot.
 */
import type { PreparedDetection } from './prepare.js';
import { SHAPE_POINT } from './prepare.js';
import { chiSquareQuantile } from './options.js';
import type { Track } from './track.js';

export interface StationaryOptions {
  /** Seconds a track is held before it is judged; the centroids are of its first and last halves. */
  windowS: number;
  /** Level of the two tests of standing still (their χ² quantiles at p): both must accept it. */
  p: number;
  /** Plots each half needs (the first half takes more time when it had fewer). */
  minPlots: number;
  /** A spot no plot of its sensors fed for this long (s) is forgotten. */
  keepS: number;
}

export const STATIONARY_DEFAULTS: Readonly<StationaryOptions> = Object.freeze({ windowS: 120, p: 0.99, minPlots: 5, keepS: 600 });

/** Checks the options; throws naming the bad field. */
export function checkStationary(o: StationaryOptions): void {
  if (!(o.windowS > 0 && Number.isFinite(o.windowS))) throw new Error(`tracker option stationarySources.windowS must be a positive number (s), got ${o.windowS}`);
  if (!(o.p > 0 && o.p < 1)) throw new Error(`tracker option stationarySources.p must be in (0, 1), got ${o.p}`);
  if (!(Number.isInteger(o.minPlots) && o.minPlots >= 2)) throw new Error(`tracker option stationarySources.minPlots must be an integer >= 2, got ${o.minPlots}`);
  if (!(o.keepS > 0 && Number.isFinite(o.keepS))) throw new Error(`tracker option stationarySources.keepS must be a positive number (s), got ${o.keepS}`);
}

/** Recent plots a track keeps (a ring): 64 covers a minute of a radar turning every second. */
const RING = 64;
/** Spots kept per sensor (the least recently fed go first), and ended tracks remembered. */
const SPOTS_PER_SENSOR = 1000;
const ENDINGS = 2000;
/** A spot's radius is at most this (m): one that large says its plots are too vague to tell a place. */
const SPOT_RADIUS_MAX = 2000;

/** A track's radar plots, as the test needs them. */
export interface PlotLog {
  /** Time of the first plot logged. */
  t0: number;
  /** Sums over the first plots (those of the first half window, or the first `minPlots` if it had fewer): count, east, north, and the errors' covariance (xx, yy, xy); and the time of the last of them. */
  t1: number;
  n1: number;
  e1: number;
  no1: number;
  cxx1: number;
  cyy1: number;
  cxy1: number;
  /** The last plots (ring, oldest overwritten): time, position and error covariance. */
  t: Float64Array;
  e: Float64Array;
  n: Float64Array;
  cxx: Float64Array;
  cyy: Float64Array;
  cxy: Float64Array;
  next: number;
  size: number;
  /** The time of the last detection that is not a radar plot (presence, bearing, a position fix) the track took: for `windowS` s after it, the track is not judged. */
  otherT: number;
  /** A detection that carries a cooperative identity fed the track: it is never judged. */
  cooperative: boolean;
  /** The track began where a moving track had just ended (a target that went on, not a new source): never judged. */
  continues?: boolean;
}

/** Logs a detection the track took (the track updater calls it for every pair applied). */
export function logHit(tr: Track, pd: PreparedDetection, windowS: number, minPlots: number): void {
  let log = tr.plots;
  if (!log) {
    log = {
      t0: pd.det.t, t1: pd.det.t, n1: 0, e1: 0, no1: 0, cxx1: 0, cyy1: 0, cxy1: 0,
      t: new Float64Array(RING), e: new Float64Array(RING), n: new Float64Array(RING), cxx: new Float64Array(RING), cyy: new Float64Array(RING), cxy: new Float64Array(RING),
      next: 0, size: 0, otherT: -Infinity, cooperative: false,
    };
    tr.plots = log;
  }
  if (pd.det.cooperativeId !== undefined) log.cooperative = true;
  // radar plots only: a position fix (an observer's, a direction finder's, another tracker's) says a target is there
  if (pd.shape !== SHAPE_POINT || pd.det.type !== 'range_bearing') {
    log.otherT = Math.max(log.otherT, pd.det.t);
    return;
  }
  if (pd.det.t <= log.t0 + windowS / 2 || log.n1 < minPlots) {
    log.t1 = pd.det.t;
    log.n1++;
    log.e1 += pd.ax;
    log.no1 += pd.ay;
    log.cxx1 += pd.cxx;
    log.cyy1 += pd.cyy;
    log.cxy1 += pd.cxy;
  }
  const k = log.next;
  log.t[k] = pd.det.t;
  log.e[k] = pd.ax;
  log.n[k] = pd.ay;
  log.cxx[k] = pd.cxx;
  log.cyy[k] = pd.cyy;
  log.cxy[k] = pd.cxy;
  log.next = (k + 1) % RING;
  if (log.size < RING) log.size++;
}

/** aᵀ C⁻¹ a for the 2×2 covariance (xx, yy, xy); Infinity for a singular one. */
function mahalanobis2(a: number, b: number, xx: number, yy: number, xy: number): number {
  const det = xx * yy - xy * xy;
  if (!(det > 0)) return Infinity;
  return (yy * a * a - 2 * xy * a * b + xx * b * b) / det;
}

/** The largest eigenvalue of the 2×2 covariance (xx, yy, xy). */
function majorVariance(xx: number, yy: number, xy: number): number {
  const h = 0.5 * (xx - yy);
  return 0.5 * (xx + yy) + Math.sqrt(h * h + xy * xy);
}

/** The two centroids of a log as of time t (its first plots, and its later plots of the last half window), or null when either has too few. */
interface Centroids {
  c1e: number;
  c1n: number;
  c2e: number;
  c2n: number;
  n2: number;
  /** Mean error covariances of the two groups. */
  a1: [number, number, number];
  a2: [number, number, number];
  /** The later group's first time. */
  from: number;
  /** The distance between the centroids, squared, over their covariance (χ², 2 degrees of freedom for a fixed point). */
  d2: number;
}

function centroids(log: PlotLog, t: number, half: number, minPlots: number): Centroids | null {
  if (log.n1 < minPlots) return null;
  const from = Math.max(t - half, log.t1 + 1e-9);
  let n2 = 0;
  let e2 = 0;
  let no2 = 0;
  let xx2 = 0;
  let yy2 = 0;
  let xy2 = 0;
  for (let k = 0; k < log.size; k++) {
    if (log.t[k] < from) continue;
    n2++;
    e2 += log.e[k];
    no2 += log.n[k];
    xx2 += log.cxx[k];
    yy2 += log.cyy[k];
    xy2 += log.cxy[k];
  }
  if (n2 < minPlots) return null;
  const n1 = log.n1;
  const a1: [number, number, number] = [log.cxx1 / n1, log.cyy1 / n1, log.cxy1 / n1];
  const a2: [number, number, number] = [xx2 / n2, yy2 / n2, xy2 / n2];
  const c1e = log.e1 / n1;
  const c1n = log.no1 / n1;
  const c2e = e2 / n2;
  const c2n = no2 / n2;
  const d2 = mahalanobis2(c2e - c1e, c2n - c1n, a1[0] / n1 + a2[0] / n2, a1[1] / n1 + a2[1] / n2, a1[2] / n1 + a2[2] / n2);
  return { c1e, c1n, c2e, c2n, n2, a1, a2, from, d2 };
}

interface Spot {
  e: number;
  n: number;
  r2: number;
  last: number;
}

interface Ending {
  sensors: Set<string>;
  e: number;
  n: number;
  t: number;
}

export interface StationarySources {
  /** Whether `tr` is a stationary source (see the module comment); when it is, its place becomes a spot. */
  judge(tr: Track, t: number): boolean;
  /** Tells of a track that ended otherwise (deleted, lost): when it had moved, a track that begins where it ended continues it and is not judged. */
  ended(tr: Track, t: number): void;
  /** Whether a point detection of `sensorId` at (e, n) at time t falls on a known spot (which it then keeps alive): it starts no track. */
  blocks(sensorId: string, e: number, n: number, t: number): boolean;
  /** The spots known (a spot of several sensors counted once for each; the tracker's stats count the tracks dropped and the births refused). */
  readonly spots: number;
}

export function createStationarySources(o: StationaryOptions): StationarySources {
  checkStationary(o);
  /** Spots by sensor (a spot of a track several radars fed is in each of their lists). */
  const spots = new Map<string, Spot[]>();
  /** Moving tracks that ended, oldest first (a ring by count, and by age at use). */
  const endings: Ending[] = [];
  const half = o.windowS / 2;
  const meanGate = chiSquareQuantile(2, o.p);
  /** How long after a moving track ended a track that begins there continues it (s). */
  const continueS = 2.5 * o.windowS;

  /** Whether the track began where a moving track of one of its sensors had just ended. */
  function continuesEnded(tr: Track, log: PlotLog, c: Centroids): boolean {
    const r = 3.5 * Math.sqrt(majorVariance(...c.a1)) + 500;
    for (let i = endings.length - 1; i >= 0; i--) {
      const x = endings[i];
      if (x.t > log.t0 + 1 || log.t0 - x.t > continueS) continue;
      if (Math.hypot(x.e - c.c1e, x.n - c.c1n) > r) continue;
      for (const id of tr.sensors.keys()) if (x.sensors.has(id)) return true;
    }
    return false;
  }

  return {
    judge(tr, t) {
      const log = tr.plots;
      if (!log || log.cooperative || log.continues || t - log.otherT < o.windowS || tr.cloud !== undefined || tr.cooperativeId !== undefined) return false;
      if (t - log.t0 < o.windowS) return false;
      const c = centroids(log, t, half, o.minPlots);
      if (!c || c.d2 > meanGate) return false;
      // the later plots scatter about their centroid as their errors say (a target circling a point scatters more)
      let s = 0;
      for (let k = 0; k < log.size; k++) {
        if (log.t[k] < c.from) continue;
        s += mahalanobis2(log.e[k] - c.c2e, log.n[k] - c.c2n, log.cxx[k], log.cyy[k], log.cxy[k]);
      }
      if (s > chiSquareQuantile(2 * (c.n2 - 1), o.p)) return false;
      // a target that went on where a moving track had just ended (a fade, a re-anchored picture) is not a new source
      if (continuesEnded(tr, log, c)) {
        log.continues = true;
        return false;
      }
      const r = Math.min(SPOT_RADIUS_MAX, 3.5 * Math.sqrt(Math.max(majorVariance(...c.a1), majorVariance(...c.a2))));
      const spot: Spot = { e: c.c2e, n: c.c2n, r2: r * r, last: t };
      for (const id of tr.sensors.keys()) {
        let list = spots.get(id);
        if (!list) spots.set(id, (list = []));
        if (list.length >= SPOTS_PER_SENSOR) {
          // the least recently fed goes
          let worst = 0;
          for (let i = 1; i < list.length; i++) if (list[i].last < list[worst].last) worst = i;
          list.splice(worst, 1);
        }
        list.push(spot);
      }
      return true;
    },
    ended(tr, t) {
      const log = tr.plots;
      if (!log || log.size === 0) return;
      // it moved: its first plots and its last ones apart (a young track's velocity, from a few plots, is no evidence: a clutter spot's first tracks die young)
      const c = centroids(log, t, half, o.minPlots);
      if (!c || !(c.d2 > meanGate)) return;
      if (endings.length >= ENDINGS) endings.shift();
      endings.push({ sensors: new Set(tr.sensors.keys()), e: tr.x[0], n: tr.x[1], t });
    },
    blocks(sensorId, e, n, t) {
      const list = spots.get(sensorId);
      if (!list) return false;
      let hit = false;
      let kept = 0;
      for (let i = 0; i < list.length; i++) {
        const sp = list[i];
        if (t - sp.last > o.keepS) continue; // forgotten
        list[kept++] = sp;
        const a = e - sp.e;
        const b = n - sp.n;
        if (a * a + b * b <= sp.r2) {
          sp.last = Math.max(sp.last, t);
          hit = true;
        }
      }
      list.length = kept;
      if (kept === 0) spots.delete(sensorId);
      return hit;
    },
    get spots() {
      let n = 0;
      for (const list of spots.values()) n += list.length;
      return n;
    },
  };
}
