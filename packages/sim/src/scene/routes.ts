/**
 * Routes through waypoints as trajectory legs: fly straight at a waypoint, turn towards the next
 * at a constant rate, fly straight again (a dog-leg route), optionally climbing or descending on
 * the straight legs and ending with a dive to the ground.
 *
 * Geometry. The plan is made in the tangent plane of the start point, the plane in which
 * trajectory.ts integrates, so the target flies the planned path. A turn of heading change Δθ at
 * heading rate k (clockwise positive) moves the target by (v/k)·(cos θ0 − cos θ1, sin θ1 − sin θ0)
 * (east, north). The turn angle is chosen so that the heading at the end of the turn points at
 * the waypoint from where the turn ends (a few fixed-point steps: the end point depends on the
 * angle), so the straight leg then passes through the waypoint whenever the waypoint lies
 * outside the turn circle (radius v/k, 0.6-1.5 km for a drone at 50 m/s turning 2-5 °/s).
 */
import { createEnuFrame, geodeticToEnu, wrapPi, wrapTwoPi, type GeoPoint } from '@skywarden/core';
import type { Rng } from './rng.js';
import type { Leg } from './trajectory.js';

/** Options of {@link planRoute}. */
export interface RoutePlanOptions {
  /** Horizontal speed (m/s), constant. */
  speed: number;
  /** Range [lo, hi] of the heading rate of each turn (rad/s, > 0). */
  turnRate: readonly [number, number];
  /** Start altitude (m above the ellipsoid). */
  altitude: number;
  /** Probability that a straight leg changes altitude; default 0. */
  climbProb?: number;
  /** Range [lo, hi] of the altitudes the climbs and descents aim at (m); default the start altitude only. */
  altRange?: readonly [number, number];
  /** Largest climb or descent rate (m/s); default 3. */
  maxClimbRate?: number;
  /** End with a dive to `groundAltM` at 20-40 m/s down (a strike); default false. */
  dive?: boolean;
  /** Ground altitude for the dive (m); default 0. */
  groundAltM?: number;
}

/** A planned route: start state and legs for a {@link SimTarget}. */
export interface PlannedRoute {
  /** First waypoint, at the start altitude. */
  start: GeoPoint;
  /** Initial heading (rad, clockwise from north, [0, 2π)). */
  heading: number;
  legs: Leg[];
  /** Sum of the legs' durations (s). */
  duration: number;
}

/**
 * Plans a route from `waypoints[0]` through the others (see the module comment). Throws a
 * RangeError for fewer than two waypoints, a speed ≤ 0 or a bad turn-rate range.
 */
export function planRoute(rng: Rng, waypoints: readonly GeoPoint[], opts: RoutePlanOptions): PlannedRoute {
  if (waypoints.length < 2) throw new RangeError(`planRoute: need at least 2 waypoints, got ${waypoints.length}`);
  const v = opts.speed;
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`planRoute: speed must be > 0, got ${v}`);
  const [wLo, wHi] = opts.turnRate;
  if (!(wLo > 0 && wHi >= wLo)) throw new RangeError(`planRoute: turnRate must be [lo, hi] with 0 < lo <= hi, got [${wLo}, ${wHi}]`);
  const start: GeoPoint = { latDeg: waypoints[0].latDeg, lonDeg: waypoints[0].lonDeg, altM: opts.altitude };
  const frame = createEnuFrame(start);
  const pts = waypoints.map((w) => geodeticToEnu(frame, { latDeg: w.latDeg, lonDeg: w.lonDeg, altM: opts.altitude }));
  const climbProb = opts.climbProb ?? 0;
  const [aLo, aHi] = opts.altRange ?? [opts.altitude, opts.altitude];
  const maxClimb = opts.maxClimbRate ?? 3;

  let e = 0;
  let n = 0;
  let alt = opts.altitude;
  let heading = Math.atan2(pts[1][0], pts[1][1]);
  const heading0 = wrapTwoPi(heading);
  const legs: Leg[] = [];

  const straight = (dist: number): void => {
    if (dist <= 0) return;
    const duration = dist / v;
    let climbRate = 0;
    if (climbProb > 0 && rng.next() < climbProb) {
      const aim = rng.uniform(aLo, aHi);
      climbRate = Math.max(-maxClimb, Math.min(maxClimb, (aim - alt) / duration));
    }
    alt += climbRate * duration;
    legs.push({ duration, turnRate: 0, climbRate });
    e += dist * Math.sin(heading);
    n += dist * Math.cos(heading);
  };

  for (let i = 1; i < pts.length; i++) {
    const [we, wn] = pts[i];
    if (i > 1) {
      const w = rng.uniform(wLo, wHi);
      let d = wrapPi(Math.atan2(we - e, wn - n) - heading);
      let ee = e;
      let nn = n;
      for (let it = 0; it < 6 && Math.abs(d) > 1e-4; it++) {
        const k = d > 0 ? w : -w;
        ee = e + (v / k) * (Math.cos(heading) - Math.cos(heading + d));
        nn = n + (v / k) * (Math.sin(heading + d) - Math.sin(heading));
        d = wrapPi(Math.atan2(we - ee, wn - nn) - heading);
      }
      if (Math.abs(d) > 1e-4) {
        const k = d > 0 ? w : -w;
        const duration = Math.abs(d) / w;
        e += (v / k) * (Math.cos(heading) - Math.cos(heading + d));
        n += (v / k) * (Math.sin(heading + d) - Math.sin(heading));
        heading += d;
        legs.push({ duration, turnRate: -k, climbRate: 0 });
      }
    }
    // Fly along the heading to abeam the waypoint.
    straight((we - e) * Math.sin(heading) + (wn - n) * Math.cos(heading));
  }
  if (opts.dive) {
    const ground = opts.groundAltM ?? 0;
    const drop = Math.max(0, alt - ground);
    const duration = Math.max(5, drop / rng.uniform(20, 40));
    legs.push({ duration, turnRate: 0, climbRate: -drop / duration });
  }
  let duration = 0;
  for (const l of legs) duration += l.duration;
  return { start, heading: heading0, legs, duration };
}
