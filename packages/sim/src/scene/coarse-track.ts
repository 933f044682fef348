/**
 * Conservative culling of (sensor site, target) pairs: a trajectory sampled every few seconds in
 * ECEF, and the time windows in which the target may come within a given slant distance of a
 * site. Networks of hundreds of short-range sensors (microphones, observers) test only these
 * windows exactly, instead of every report time of every target.
 *
 * Bound. Between two samples p_k, p_{k+1} taken Δ apart, every point of the path is within
 * v̂·(t − t_k) of p_k and within v̂·(t_{k+1} − t) of p_{k+1}, where v̂ bounds the 3D speed
 * (the largest leg-boundary speed, where a constant-acceleration leg has its extremes, plus
 * the largest climb rate, or the trajectory's own `speedBound`, with 1 % and 1 m/s of margin
 * for the plane-to-ellipsoid mapping).
 * So the distance to a site S over the interval is at least (|p_k − S| + |p_{k+1} − S| − v̂Δ)/2,
 * and an interval whose bound exceeds the radius cannot hold a point within it.
 */
import { geodeticToEcef } from '@skywarden/core';
import type { Trajectory } from './trajectory.js';

/** Time between the samples of a coarse track (s). */
export const COARSE_STEP = 4;

/** A trajectory sampled every {@link COARSE_STEP} seconds from its start (the last sample at its end). */
export interface CoarseTrack {
  /** Sample times (s since the Unix epoch), ascending. */
  times: Float64Array;
  /** ECEF x, y, z (m) of each sample, interleaved. */
  ecef: Float64Array;
  /** An upper bound of the target's 3D speed over its whole life (m/s). */
  speedBound: number;
}

const cache = new WeakMap<Trajectory, CoarseTrack>();

/** The coarse track of `tr`, computed once and cached per trajectory object. */
export function coarseTrackOf(tr: Trajectory): CoarseTrack {
  let c = cache.get(tr);
  if (c !== undefined) return c;
  const span = tr.endTime - tr.startTime;
  const n = Math.max(1, Math.ceil(span / COARSE_STEP)) + 1;
  const times = new Float64Array(n);
  const ecef = new Float64Array(3 * n);
  const p = new Float64Array(3);
  for (let k = 0; k < n; k++) {
    const t = k === n - 1 ? tr.endTime : tr.startTime + k * COARSE_STEP;
    times[k] = t;
    const s = tr.sample(t);
    if (s === null) throw new Error(`coarseTrackOf: trajectory ${tr.target.id} has no state at ${t}`);
    geodeticToEcef(s.position, p);
    ecef[3 * k] = p[0];
    ecef[3 * k + 1] = p[1];
    ecef[3 * k + 2] = p[2];
  }
  // Speed extremes of constant-acceleration legs lie at leg boundaries. A trajectory that is not
  // made of legs states its own bound.
  let vMax = tr.target.speed;
  let climbMax = 0;
  if (tr.speedBound !== undefined) {
    vMax = tr.speedBound;
  } else {
    let tl = tr.startTime;
    for (const leg of tr.target.legs) {
      tl += leg.duration;
      climbMax = Math.max(climbMax, Math.abs(leg.climbRate));
      const s = tr.sample(Math.min(tl, tr.endTime));
      if (s !== null) vMax = Math.max(vMax, s.speed);
    }
  }
  c = { times, ecef, speedBound: (vMax + climbMax) * 1.01 + 1 };
  cache.set(tr, c);
  return c;
}

/**
 * Time windows within [ta, tb] in which the target of `tr` may be within `radius` metres
 * (straight-line, ECEF) of the point `site` (ECEF, m). Appends [start, end] pairs, ascending and
 * disjoint, to `out` (cleared first) and returns it. Conservative: every time in [ta, tb] at which
 * the target is within `radius` lies in a window; windows may also hold times at which it is not.
 */
export function nearWindows(tr: Trajectory, site: ArrayLike<number>, radius: number, ta: number, tb: number, out: number[] = []): number[] {
  out.length = 0;
  const lo = Math.max(ta, tr.startTime);
  const hi = Math.min(tb, tr.endTime);
  if (!(lo <= hi)) return out;
  const c = coarseTrackOf(tr);
  const { times, ecef } = c;
  const n = times.length;
  const sx = site[0];
  const sy = site[1];
  const sz = site[2];
  const dist = (k: number): number => Math.hypot(ecef[3 * k] - sx, ecef[3 * k + 1] - sy, ecef[3 * k + 2] - sz);
  if (n === 1) {
    if (dist(0) <= radius) out.push(lo, hi);
    return out;
  }
  // First interval [t_k, t_{k+1}] that reaches lo.
  let k = Math.max(0, Math.min(n - 2, Math.floor((lo - tr.startTime) / COARSE_STEP)));
  while (k > 0 && times[k] > lo) k--;
  let dPrev = dist(k);
  for (; k < n - 1 && times[k] <= hi; k++) {
    const dNext = dist(k + 1);
    const dt = times[k + 1] - times[k];
    if ((dPrev + dNext - c.speedBound * dt) / 2 <= radius) {
      const a = Math.max(lo, times[k]);
      const b = Math.min(hi, times[k + 1]);
      if (out.length > 0 && out[out.length - 1] >= a) out[out.length - 1] = Math.max(out[out.length - 1], b);
      else out.push(a, b);
    }
    dPrev = dNext;
  }
  return out;
}
