/**
 * A raid of one-way-attack drones crossing (or striking inside) a square region: the generator
 * behind makeMixedScene, makeSmallScene and each wave of makeNationalScene.
 *
 * Each drone enters 3-8 km outside the region on the side the raid comes from, flies a dog-leg
 * route (routes.ts) through a few waypoints that wander across the track, and either dives onto
 * an aim point inside the region (a strike) or leaves 5 km beyond the far side. Types:
 * - piston (`piston_owa`, Shahed-136 / Geran-2 type): 45-55 m/s, 100-2000 m, turns of 2-6 °/s,
 *   climbs and descents up to 3 m/s;
 * - jet (`jet_owa`, Geran-3 type): 140-170 m/s, 300-2500 m, turns of 1-3 °/s, up to 10 m/s;
 * - decoy (Gerbera type, `decoy: true`, class `piston_owa`: to a sensor and to the defence it
 *   looks like the piston drone it imitates): a lighter airframe with a smaller engine, so it
 *   flies slower and lower: 38-48 m/s, 100-1200 m.
 * A share of the drones is downed (shot down, or crashed): its trajectory, and so its truth
 * rows, end at a time drawn uniformly in the middle 90 % of the part of its flight inside the
 * simulated period (so the loss is seen), in the air, without a modelled fall.
 *
 * Random streams: the routes, speeds and launch times draw from `rng` exactly as before decoys
 * and losses existed; each drone's fate (decoy, downed, when, and the decoy's speed and height)
 * draws five numbers from the separate `fateRng`. So changing the shares changes no route, and
 * more drones leave the first ones unchanged.
 */
import { enuToGeodetic, type EnuFrame, type GeoPoint } from '@skywarden/core';
import type { Rng } from './rng.js';
import { planRoute } from './routes.js';
import type { Leg, SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;

/** Inputs of {@link makeRaid}. */
export interface RaidOptions {
  /** Stream of the routes, speeds and launch times. */
  rng: Rng;
  /** Stream of the drones' fates (decoy, downed); see the module comment. */
  fateRng: Rng;
  /** ENU frame at the centre of the square region; its origin's altitude is the ground. */
  frame: EnuFrame;
  /** Half the side of the square region (m), > 0. */
  half: number;
  /** Heading of the raid (rad, clockwise from north): the drones come from the opposite side. */
  heading: number;
  /**
   * Heading of the i-th drone's raid axis (rad) when the drones do not all come from one side
   * (`raid.from_spread_deg`); default `heading` for every drone.
   */
  headingOf?: (i: number) => number;
  /** Number of drones, an integer ≥ 0. */
  nDrones: number;
  /** Share of jet drones, 0..1; default 0.1. */
  jetShare?: number;
  /** Share of drones that strike inside the region, 0..1; default 0.5. */
  strikeShare?: number;
  /** Share of all drones that are decoys (taken from the piston drones), 0..1 − jetShare; default 0.2. */
  decoyShare?: number;
  /** Share of drones that are downed mid-flight, 0..1; default 0.1. */
  downedShare?: number;
  /** The simulated period [t0, t1] (s since the Unix epoch): downed times fall in it when the flight does. */
  t0: number;
  t1: number;
  /** Start time (s) of the i-th drone, whose whole route lasts `routeDuration` s; drawn from `rng`. */
  startTime: (rng: Rng, routeDuration: number, i: number) => number;
  /**
   * Corridor of the i-th drone (raids in waves): every lateral position of its route as drawn,
   * l, becomes `centre + l·scale` (m across the raid heading), so the drones of a wave keep to
   * one corridor and the random streams stay the same. Default none (the whole region).
   */
  corridor?: (i: number) => { centre: number; scale: number };
  /** Range [lo, hi] (m) of the entry points across the raid heading; default [−half, half]. */
  entryLateral?: readonly [number, number];
  /**
   * Aim point of a strike as (along, across) the raid heading (m from the centre); default
   * uniform in [−0.2, 0.8]·half along and [−0.8, 0.8]·half across.
   */
  strikeAim?: (rng: Rng) => readonly [number, number];
  /** Range [lo, hi] of the number of intermediate waypoints; default [1, 3]. */
  waypoints?: readonly [number, number];
  /** One-sigma lateral wander (m) from one waypoint to the next; default 6000. */
  wander?: number;
  /** Id of the i-th drone (i from 0). */
  id: (i: number) => string;
  /**
   * Range [lo, hi] (m) of every drone's altitudes (start, climbs and descents), jets and decoys
   * included, instead of the defaults by type; drawn from the same random numbers, so the rest of
   * the raid is unchanged. Default none.
   */
  altRange?: readonly [number, number];
}

/** One generated drone. */
export interface RaidDrone {
  /** The drone as flown (legs cut at `downedAt` for a downed drone). */
  target: SimTarget;
  /** When its planned route would have ended (s). */
  plannedEndTime: number;
  /** When it was downed (s), or null if it flew its whole route. */
  downedAt: number | null;
}

/** `legs` cut after `duration` seconds (a fresh array; the cut leg is shortened). */
export function truncateLegs(legs: readonly Leg[], duration: number): Leg[] {
  const out: Leg[] = [];
  let total = 0;
  for (const leg of legs) {
    const rest = duration - total;
    if (!(rest > 0)) break;
    if (leg.duration <= rest) out.push(leg);
    else out.push({ ...leg, duration: rest });
    total += leg.duration;
  }
  return out;
}

/** Distance from the centre of a square of half side `half` to its edge in direction (sin θ, cos θ). */
export function edgeDistance(half: number, theta: number): number {
  return half / Math.max(Math.abs(Math.sin(theta)), Math.abs(Math.cos(theta)));
}

const share = (fn: string, name: string, v: number): void => {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${fn}: ${name} must be in [0, 1], got ${v}`);
};

/**
 * Generates a raid (see the module comment). Throws a RangeError for a bad count, share or
 * region size, quoting the value.
 */
export function makeRaid(opts: RaidOptions): RaidDrone[] {
  const { rng: raid, fateRng: fate, frame, half, nDrones } = opts;
  if (!Number.isSafeInteger(nDrones) || nDrones < 0) throw new RangeError(`makeRaid: nDrones must be an integer >= 0, got ${nDrones}`);
  if (!(half > 0) || !Number.isFinite(half)) throw new RangeError(`makeRaid: half must be > 0, got ${half}`);
  const jetShare = opts.jetShare ?? 0.1;
  const strikeShare = opts.strikeShare ?? 0.5;
  const decoyShare = opts.decoyShare ?? 0.2;
  const downedShare = opts.downedShare ?? 0.1;
  share('makeRaid', 'jetShare', jetShare);
  share('makeRaid', 'strikeShare', strikeShare);
  share('makeRaid', 'decoyShare', decoyShare);
  share('makeRaid', 'downedShare', downedShare);
  if (decoyShare + jetShare > 1 + 1e-12) throw new RangeError(`makeRaid: decoyShare + jetShare must be <= 1 (decoys are piston drones), got ${decoyShare} + ${jetShare}`);
  const [wLo, wHi] = opts.waypoints ?? [1, 3];
  if (!(Number.isSafeInteger(wLo) && Number.isSafeInteger(wHi) && wLo >= 0 && wHi >= wLo)) {
    throw new RangeError(`makeRaid: waypoints must be integers [lo, hi] with 0 <= lo <= hi, got [${wLo}, ${wHi}]`);
  }
  const wander = opts.wander ?? 6e3;
  if (opts.altRange !== undefined) {
    const [aLo, aHi] = opts.altRange;
    if (!(aLo >= 0 && aHi >= aLo && Number.isFinite(aHi))) throw new RangeError(`makeRaid: altRange must be [lo, hi] with 0 <= lo <= hi, got [${aLo}, ${aHi}]`);
  }
  const [latLo, latHi] = opts.entryLateral ?? [-half, half];
  const pDecoy = jetShare < 1 ? decoyShare / (1 - jetShare) : 0;
  const clampL = (l: number): number => Math.max(-1.1 * half, Math.min(1.1 * half, l));
  const ground = frame.origin.altM;

  const drones: RaidDrone[] = [];
  for (let i = 0; i < nDrones; i++) {
    const heading = opts.headingOf?.(i) ?? opts.heading;
    if (!Number.isFinite(heading)) throw new RangeError(`makeRaid: the heading of drone ${i} must be finite, got ${heading}`);
    const u: [number, number] = [Math.sin(heading), Math.cos(heading)];
    const p: [number, number] = [Math.cos(heading), -Math.sin(heading)];
    const at = (a: number, l: number): GeoPoint => enuToGeodetic(frame, a * u[0] + l * p[0], a * u[1] + l * p[1], 0);
    const edge = edgeDistance(half, heading);
    const c = opts.corridor?.(i);
    const atC = c ? (a: number, l: number): GeoPoint => at(a, c.centre + l * c.scale) : at;
    const fDecoy = fate.next();
    const fDown = fate.next();
    const fTime = fate.next();
    const fSpeed = fate.next();
    const fAlt = fate.next();

    const jet = raid.next() < jetShare;
    const decoy = !jet && fDecoy < pDecoy;
    let speed = jet ? raid.uniform(140, 170) : raid.uniform(45, 55);
    let altRange: [number, number] = jet ? [300, 2500] : [100, 2000];
    let alt = raid.uniform(altRange[0], altRange[1]);
    if (decoy) {
      speed = 38 + 10 * fSpeed;
      altRange = [100, 1200];
      alt = 100 + 1100 * fAlt;
    }
    if (opts.altRange !== undefined) {
      // the same draws mapped onto the requested band
      const [lo, hi] = opts.altRange;
      const f = (alt - altRange[0]) / (altRange[1] - altRange[0]);
      altRange = [lo, hi];
      alt = lo + (hi - lo) * f;
    }
    const strike = raid.next() < strikeShare;
    const entryA = -(edge + raid.uniform(3e3, 8e3));
    let lateral = raid.uniform(latLo, latHi);
    let aim: readonly [number, number] | null = null;
    let endA: number;
    if (!strike) endA = edge + 5e3;
    else if (opts.strikeAim) {
      aim = opts.strikeAim(raid);
      endA = aim[0];
    } else endA = raid.uniform(-0.2 * half, 0.8 * half);
    const nMid = raid.int(wLo, wHi);
    const wps: GeoPoint[] = [atC(entryA, lateral)];
    for (let k = 1; k <= nMid; k++) {
      lateral = clampL(lateral + raid.normal(0, wander));
      wps.push(atC(entryA + ((endA - entryA) * k) / (nMid + 1), lateral));
    }
    const endL = !strike ? clampL(lateral + raid.normal(0, wander)) : aim !== null ? aim[1] : raid.uniform(-0.8 * half, 0.8 * half);
    wps.push(aim !== null ? at(endA, endL) : atC(endA, endL)); // an aim point given is where it is
    const route = planRoute(raid, wps, {
      speed,
      turnRate: jet ? [1 * DEG, 3 * DEG] : [2 * DEG, 6 * DEG],
      altitude: alt,
      climbProb: 0.3,
      altRange,
      maxClimbRate: jet ? 10 : 3,
      dive: strike,
      groundAltM: ground,
    });
    const startTime = opts.startTime(raid, route.duration, i);
    const plannedEndTime = startTime + route.duration;
    let legs = route.legs;
    let downedAt: number | null = null;
    if (fDown < downedShare) {
      const a = Math.max(startTime, opts.t0);
      const b = Math.min(plannedEndTime, opts.t1);
      const frac = 0.05 + 0.9 * fTime;
      downedAt = b > a ? a + (b - a) * frac : startTime + route.duration * frac;
      legs = truncateLegs(route.legs, downedAt - startTime);
    }
    const target: SimTarget = {
      id: opts.id(i),
      cls: jet ? 'jet_owa' : 'piston_owa',
      start: route.start,
      startTime,
      speed,
      heading: route.heading,
      legs,
    };
    if (decoy) target.decoy = true;
    drones.push({ target, plannedEndTime, downedAt });
  }
  return drones;
}
