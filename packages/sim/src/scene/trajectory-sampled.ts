/**
 * Trajectories from recorded fixes (real aircraft and helicopter tracks, for example OpenSky
 * state vectors, see opensky.ts), behind the same {@link Trajectory} interface as the simulated
 * ones, so that every sensor model and scene can fly real motion.
 *
 * Cleaning. Fixes are taken in the order given (or stably sorted by time first, with
 * `order: 'sort'`); a fix whose time is not later than the last kept one is dropped (a duplicate
 * or an out-of-order report, as a live feed would discard it). A gap between consecutive kept
 * fixes longer than `maxGap` (default 60 s) is not bridged: {@link sampledTrajectory} ends the
 * trajectory at the last fix before the first such gap, and {@link splitFixes} splits the fixes
 * there into separate pieces (one trajectory each; opensky.ts does so per flight).
 *
 * Interpolation. Between two fixes the target moves along the straight line (the chord) between
 * them at constant speed: linear in ECEF, which is linear in any local ENU frame (an ENU frame is
 * a rigid motion of ECEF). The latitude and longitude are those of the chord point; the altitude
 * is interpolated linearly in metres above the ellipsoid, so the target does not sag below its
 * fixes by the chord's depth under the curved Earth (d²/8R: 4 m for a 15 km gap). At a fix time
 * the sample is the fix itself, exactly.
 *
 * Velocity. Constant over a segment (the one that starts at or before `t`; at the last fix, the
 * last segment): the chord divided by the segment's duration, rotated into the ENU axes at the
 * target's current position, east and north scaled from the chord point's height to the target's
 * altitude, and up the segment's altitude rate. Heading is that of the local horizontal velocity
 * (0 when it is zero). A trajectory of a single fix exists only at its time, at rest.
 */
import { ecefToGeodetic, geodeticToEcef, wrapTwoPi, type GeoPoint } from '@skywarden/core';
import { ecefToEnuVector, enuBasis, meridianRadius, primeVerticalRadius } from './local-basis.js';
import type { SimTarget, TargetSample, Trajectory } from './trajectory.js';

const DEG = Math.PI / 180;

/** One recorded fix: a time (s since the Unix epoch) and a position (degrees, metres above the ellipsoid). */
export interface TimedFix {
  t: number;
  position: GeoPoint;
}

/** How fixes are cleaned and split; see the module comment. */
export interface FixCleaningOptions {
  /** Longest gap (s) between consecutive fixes that is interpolated across; default 60. */
  maxGap?: number;
  /**
   * `drop` (default): take the fixes in the given order and drop every fix not later than the
   * last kept one. `sort`: sort them by time first (stable), then drop repeated times.
   */
  order?: 'drop' | 'sort';
}

/** Inputs of {@link sampledTrajectory}. */
export interface SampledTrajectoryOptions extends FixCleaningOptions {
  /** Truth id. */
  id: string;
  /** Class label (for example `helicopter`). */
  cls: string;
  /** Recorded fixes; at least one must survive cleaning. */
  samples: readonly TimedFix[];
  /** See {@link SimTarget.decoy}; default false. */
  decoy?: boolean;
}

function checkFix(where: string, f: TimedFix, i: number): void {
  const p = f?.position;
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`${where}: samples[${i}].${what} must be a finite number${what === 'position.latDeg' ? ' within [-90, 90]' : ''}, got ${String(v)}`);
  };
  if (!Number.isFinite(f?.t)) bad('t', f?.t);
  if (!(Number.isFinite(p?.latDeg) && Math.abs(p.latDeg) <= 90)) bad('position.latDeg', p?.latDeg);
  if (!Number.isFinite(p?.lonDeg)) bad('position.lonDeg', p?.lonDeg);
  if (!Number.isFinite(p?.altM)) bad('position.altM', p?.altM);
}

/**
 * Cleans `samples` (see the module comment) and splits them at every gap longer than `maxGap`.
 * Returns the pieces in time order, each non-empty and strictly increasing in time (the fix
 * objects are the given ones, not copies). Throws a RangeError naming the first fix with a
 * non-finite time or coordinate, or a bad `maxGap`.
 */
export function splitFixes(samples: readonly TimedFix[], opts: FixCleaningOptions = {}): TimedFix[][] {
  const maxGap = opts.maxGap ?? 60;
  if (!(maxGap > 0)) throw new RangeError(`splitFixes: maxGap must be > 0 s, got ${maxGap}`);
  const order = opts.order ?? 'drop';
  if (order !== 'drop' && order !== 'sort') throw new RangeError(`splitFixes: order must be "drop" or "sort", got ${JSON.stringify(order)}`);
  for (let i = 0; i < samples.length; i++) checkFix('splitFixes', samples[i], i);
  const list = order === 'sort' ? [...samples].sort((a, b) => a.t - b.t) : samples;
  const pieces: TimedFix[][] = [];
  let cur: TimedFix[] = [];
  let last = -Infinity;
  for (const f of list) {
    if (!(f.t > last)) continue;
    if (cur.length > 0 && f.t - last > maxGap) {
      pieces.push(cur);
      cur = [];
    }
    cur.push(f);
    last = f.t;
  }
  if (cur.length > 0) pieces.push(cur);
  return pieces;
}

/**
 * A trajectory through recorded fixes (see the module comment for the cleaning, the
 * interpolation and the velocity). It ends at the last fix before the first gap longer than
 * `maxGap` (default 60 s); use {@link splitFixes} to make one trajectory per piece instead.
 *
 * Its `target` is a {@link SimTarget} for identity and class: `start`, `startTime`, `speed` and
 * `heading` are the first fix's state and `legs` is empty (the motion is in the fixes, so do not
 * compile that target with `compileTrajectory`). `speedBound` bounds the 3D speed over all
 * segments. Throws a RangeError for an empty id, no fixes, or a non-finite fix (naming it).
 */
export function sampledTrajectory(opts: SampledTrajectoryOptions): Trajectory {
  const { id, cls } = opts;
  if (typeof id !== 'string' || id.length === 0) throw new RangeError(`sampledTrajectory: id must be a non-empty string, got ${JSON.stringify(id)}`);
  if (!Array.isArray(opts.samples)) throw new RangeError(`sampledTrajectory ${id}: samples must be an array, got ${String(opts.samples)}`);
  let fixes: TimedFix[];
  try {
    fixes = splitFixes(opts.samples, opts)[0] ?? [];
  } catch (err) {
    throw new RangeError(`sampledTrajectory ${id}: ${(err as Error).message.replace(/^splitFixes: /, '')}`);
  }
  const n = fixes.length;
  if (n === 0) throw new RangeError(`sampledTrajectory ${id}: needs at least one fix, got ${opts.samples.length} samples`);

  const times = new Float64Array(n);
  const alts = new Float64Array(n);
  const ecef = new Float64Array(3 * n);
  const p = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    times[i] = fixes[i].t;
    alts[i] = fixes[i].position.altM;
    geodeticToEcef(fixes[i].position, p);
    ecef.set(p, 3 * i);
  }
  // Bound of the 3D speed: the horizontal part of the chord plus the altitude rate.
  let speedBound = 0;
  for (let i = 0; i + 1 < n; i++) {
    const dt = times[i + 1] - times[i];
    const chord = Math.hypot(ecef[3 * i + 3] - ecef[3 * i], ecef[3 * i + 4] - ecef[3 * i + 1], ecef[3 * i + 5] - ecef[3 * i + 2]);
    speedBound = Math.max(speedBound, (chord + Math.abs(alts[i + 1] - alts[i])) / dt);
  }

  const startTime = times[0];
  const endTime = times[n - 1];
  const basis = new Float64Array(9);
  const vLoc = new Float64Array(3);

  const sample = (t: number): TargetSample | null => {
    if (!(t >= startTime && t <= endTime)) return null;
    // Last fix at or before t.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    const seg = lo < n - 1 ? lo : lo - 1; // the segment whose velocity applies
    let latDeg: number;
    let lonDeg: number;
    let alt: number;
    let chordAlt: number;
    if (times[lo] === t) {
      const q = fixes[lo].position;
      latDeg = q.latDeg;
      lonDeg = q.lonDeg;
      alt = q.altM;
      chordAlt = alt;
    } else {
      const f = (t - times[lo]) / (times[lo + 1] - times[lo]);
      const o = 3 * lo;
      const q = ecefToGeodetic(
        ecef[o] + f * (ecef[o + 3] - ecef[o]),
        ecef[o + 1] + f * (ecef[o + 4] - ecef[o + 1]),
        ecef[o + 2] + f * (ecef[o + 5] - ecef[o + 2]),
      );
      latDeg = q.latDeg;
      lonDeg = q.lonDeg;
      alt = alts[lo] + f * (alts[lo + 1] - alts[lo]);
      chordAlt = q.altM;
    }
    let ve = 0;
    let vn = 0;
    let vu = 0;
    if (seg >= 0) {
      const o = 3 * seg;
      const dt = times[seg + 1] - times[seg];
      const latRad = latDeg * DEG;
      enuBasis(latRad, lonDeg * DEG, basis);
      ecefToEnuVector(basis, (ecef[o + 3] - ecef[o]) / dt, (ecef[o + 4] - ecef[o + 1]) / dt, (ecef[o + 5] - ecef[o + 2]) / dt, vLoc);
      // Same angular rates at the target's altitude as at the chord point's height.
      const nr = primeVerticalRadius(latRad);
      const mr = meridianRadius(latRad);
      ve = (vLoc[0] * (nr + alt)) / (nr + chordAlt);
      vn = (vLoc[1] * (mr + alt)) / (mr + chordAlt);
      vu = (alts[seg + 1] - alts[seg]) / dt;
    }
    const speed = Math.hypot(ve, vn);
    return {
      position: { latDeg, lonDeg, altM: alt },
      velocityEnu: [ve, vn, vu],
      speed,
      heading: speed > 0 ? wrapTwoPi(Math.atan2(ve, vn)) : 0,
    };
  };

  const first = fixes[0].position;
  const s0 = sample(startTime)!;
  const target: SimTarget = {
    id,
    cls,
    start: { latDeg: first.latDeg, lonDeg: first.lonDeg, altM: first.altM },
    startTime,
    speed: s0.speed,
    heading: s0.heading,
    legs: [],
  };
  if (opts.decoy) target.decoy = true;
  return { target, startTime, endTime, sample, speedBound };
}
