/**
 * Stationary sources of the precise sensors: a radar's returns from things that stand still
 * (buildings, masts, wind turbines, terrain, a parked vehicle) come scan after scan from one
 * place, and a tracker that starts a track from any plot no track took makes each of them a
 * track that never ends, slow and low: a "hovering multirotor" for the classifier, a false track
 * for the air picture (an outside scene with six such spots held about five false tracks at any
 * time). Radars keep a clutter map of such places for the same reason (Skolnik, Radar Handbook,
 * ch. 2 and 15: clutter-map CFAR, stationary-target suppression).
 *
 * The test, on a track point detections alone have fed for the last `windowS` s (a presence or
 * bearing report it took says something else hears a target there: a microphone's hover, say;
 * a cooperative identity, ever, says what it is) once it has been held for `windowS` s: the centroid of
 * its plots in its first `windowS`/2 s (or its first `minPlots`, when that took longer) against
 * the centroid of its later plots in the last `windowS`/2 s (each plot weighed by its own
 * per-axis error variance). A source that stands still gives
 * centroids whose distance squared over the sum of their variances is a χ² with 2 degrees of
 * freedom; the plots of the last half scatter about their centroid as their errors say (χ² with
 * 2(n − 1) degrees of freedom). When neither test rejects standing still at level `p`, the track
 * is a stationary source: it is dropped, and its place (the last centroid, within 3.5 σ of the
 * plots) becomes a spot of its sensors where their plots start no track, as long as they go on
 * coming there (a spot unfed for `keepS` s is forgotten). A track that takes plots there (a
 * target flying through) keeps them: only births are refused.
 *
 * What this cannot tell: a target that appears and then stays on one spot for `windowS` s seen by
 * the radars alone (a multirotor that takes off and hovers). One that arrives from elsewhere is
 * kept (its first centroid is elsewhere), and one that a microphone, direction finder or
 * observer's bearing also reports is not judged while they do. The slowest mover told from standing still
 * depends on the plots' errors: with 175 m cross-range error and a plot every 3 s, about 3 m/s.
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

/** A track's plots, as the test needs them. */
export interface PlotLog {
  /** Time of the first plot logged. */
  t0: number;
  /** Sums over the first plots (those of the first half window, or the first `minPlots` if it had fewer): count, east, north, per-axis variance; and the time of the last of them. */
  t1: number;
  n1: number;
  e1: number;
  no1: number;
  v1: number;
  /** The last plots (ring, oldest overwritten). */
  t: Float64Array;
  e: Float64Array;
  n: Float64Array;
  v: Float64Array;
  next: number;
  size: number;
  /** The time of the last detection that is not a point (presence, bearing) the track took: for `windowS` s after it, the track is not judged. */
  otherT: number;
  /** A detection that carries a cooperative identity fed the track: it is never judged. */
  cooperative: boolean;
}

/** Logs a detection the track took (the track updater calls it for every pair applied). */
export function logHit(tr: Track, pd: PreparedDetection, windowS: number, minPlots: number): void {
  let log = tr.plots;
  if (!log) {
    log = { t0: pd.det.t, t1: pd.det.t, n1: 0, e1: 0, no1: 0, v1: 0, t: new Float64Array(RING), e: new Float64Array(RING), n: new Float64Array(RING), v: new Float64Array(RING), next: 0, size: 0, otherT: -Infinity, cooperative: false };
    tr.plots = log;
  }
  if (pd.det.cooperativeId !== undefined) log.cooperative = true;
  if (pd.shape !== SHAPE_POINT) {
    log.otherT = Math.max(log.otherT, pd.det.t);
    return;
  }
  const v = 0.5 * (pd.cxx + pd.cyy);
  if (pd.det.t <= log.t0 + windowS / 2 || log.n1 < minPlots) {
    log.t1 = pd.det.t;
    log.n1++;
    log.e1 += pd.ax;
    log.no1 += pd.ay;
    log.v1 += v;
  }
  log.t[log.next] = pd.det.t;
  log.e[log.next] = pd.ax;
  log.n[log.next] = pd.ay;
  log.v[log.next] = v;
  log.next = (log.next + 1) % RING;
  if (log.size < RING) log.size++;
}

interface Spot {
  sensors: Set<string>;
  e: number;
  n: number;
  r2: number;
  last: number;
}

export interface StationarySources {
  /** Whether `tr` is a stationary source (see the module comment); when it is, its place becomes a spot. */
  judge(tr: Track, t: number): boolean;
  /** Whether a point detection of `sensorId` at (e, n) at time t falls on a known spot (which it then keeps alive): it starts no track. */
  blocks(sensorId: string, e: number, n: number, t: number): boolean;
  /** Tracks dropped as stationary sources, births refused on spots, and the spots known. */
  readonly dropped: number;
  readonly refused: number;
  readonly spots: number;
}

export function createStationarySources(o: StationaryOptions): StationarySources {
  checkStationary(o);
  const spots: Spot[] = [];
  const half = o.windowS / 2;
  const meanGate = chiSquareQuantile(2, o.p);
  let dropped = 0;
  let refused = 0;
  return {
    judge(tr, t) {
      const log = tr.plots;
      if (!log || log.cooperative || t - log.otherT < o.windowS || tr.cloud !== undefined || tr.cooperativeId !== undefined) return false;
      if (t - log.t0 < o.windowS || log.n1 < o.minPlots) return false;
      // the last half window's plots (after the first ones: the two sets are apart)
      const from = Math.max(t - half, log.t1 + 1e-9);
      let n2 = 0;
      let e2 = 0;
      let no2 = 0;
      let v2 = 0;
      for (let k = 0; k < log.size; k++) {
        if (log.t[k] < from) continue;
        n2++;
        e2 += log.e[k];
        no2 += log.n[k];
        v2 += log.v[k];
      }
      if (n2 < o.minPlots) return false;
      const c1e = log.e1 / log.n1;
      const c1n = log.no1 / log.n1;
      const c2e = e2 / n2;
      const c2n = no2 / n2;
      const var1 = log.v1 / log.n1;
      const var2 = v2 / n2;
      const de = c2e - c1e;
      const dn = c2n - c1n;
      if ((de * de + dn * dn) / (var1 / log.n1 + var2 / n2) > meanGate) return false;
      // the last half's plots scatter about their centroid as their errors say
      let s = 0;
      for (let k = 0; k < log.size; k++) {
        if (log.t[k] < from) continue;
        const a = log.e[k] - c2e;
        const b = log.n[k] - c2n;
        s += (a * a + b * b) / log.v[k];
      }
      if (s > chiSquareQuantile(2 * (n2 - 1), o.p)) return false;
      const r = 3.5 * Math.sqrt(2 * Math.max(var1, var2));
      spots.push({ sensors: new Set(tr.sensors.keys()), e: c2e, n: c2n, r2: r * r, last: t });
      dropped++;
      return true;
    },
    blocks(sensorId, e, n, t) {
      let hit = false;
      for (let i = spots.length - 1; i >= 0; i--) {
        const s = spots[i];
        if (t - s.last > o.keepS) {
          spots.splice(i, 1);
          continue;
        }
        if (!s.sensors.has(sensorId)) continue;
        const a = e - s.e;
        const b = n - s.n;
        if (a * a + b * b <= s.r2) {
          s.last = Math.max(s.last, t);
          hit = true;
        }
      }
      if (hit) refused++;
      return hit;
    },
    get dropped() {
      return dropped;
    },
    get refused() {
      return refused;
    },
    get spots() {
      return spots.length;
    },
  };
}
