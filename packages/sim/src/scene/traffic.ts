/**
 * Cooperative air traffic for the preset scenes: airliners crossing the region high and fast,
 * and helicopters crossing it low, each with an ICAO 24-bit address for its ADS-B reports.
 *
 * - Airliner (`aircraft`): 220-240 m/s, 8-11 km, a straight crossing in a random direction at a
 *   random lateral offset, from 40 km outside the region to 40 km beyond it, closest to the
 *   centre line at a time uniform in [t0 + 0.1·duration, t0 + 0.9·duration].
 * - Helicopter (`helicopter`): 50-70 m/s, 300-1000 m, from 2 km outside one side to 2 km beyond
 *   the other through one or two waypoints (turns of 1-3 °/s), starting at a time uniform in
 *   [t0 − 0.3·flight time, t0 + 0.5·duration].
 * Draws, in order, from the stream given (airliner: direction, speed, offset, time, altitude,
 * address; helicopter: direction, speed, waypoints, altitude, turn rates, address, start).
 */
import { enuToGeodetic, type EnuFrame, type GeoPoint } from '@skywarden/core';
import { edgeDistance } from './raid.js';
import type { Rng } from './rng.js';
import { planRoute } from './routes.js';
import type { SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;

/** Where and when the traffic flies. */
export interface TrafficArea {
  /** ENU frame at the centre of the square region. */
  frame: EnuFrame;
  /** Half the side of the region (m). */
  half: number;
  /** The simulated period: start (s since the Unix epoch) and length (s). */
  t0: number;
  durationS: number;
}

/**
 * A source of unique ICAO 24-bit addresses (6 upper-case hex digits) in the Republic of Korea's
 * block 718000-71FFFF, drawn from `rng`.
 */
export function createIcaoAllocator(rng: Rng): () => string {
  const used = new Set<number>();
  return () => {
    let a: number;
    do a = rng.int(0x718000, 0x71ffff);
    while (used.has(a));
    used.add(a);
    return a.toString(16).toUpperCase();
  };
}

/** A point `a` metres along the heading θ and `l` metres to its right from the frame's origin. */
function along(frame: EnuFrame, th: number, a: number, l: number): GeoPoint {
  return enuToGeodetic(frame, a * Math.sin(th) + l * Math.cos(th), a * Math.cos(th) - l * Math.sin(th), 0);
}

/** An airliner crossing `area` (see the module comment), and its ICAO address from `icao`. */
export function makeAirliner(rng: Rng, area: TrafficArea, id: string, icao: () => string): { target: SimTarget; icao: string } {
  const { frame, half, t0, durationS } = area;
  const th = rng.uniform(0, 2 * Math.PI);
  const speed = rng.uniform(220, 240);
  const lateral = rng.uniform(-half, half);
  const reach = edgeDistance(half, th) + 40e3;
  const tClosest = t0 + rng.uniform(0.1, 0.9) * durationS;
  const route = planRoute(rng, [along(frame, th, -reach, lateral), along(frame, th, reach, lateral)], {
    speed,
    turnRate: [1 * DEG, 1 * DEG],
    altitude: rng.uniform(8000, 11000),
  });
  const address = icao();
  return {
    target: { id, cls: 'aircraft', start: route.start, startTime: tClosest - route.duration / 2, speed, heading: route.heading, legs: route.legs },
    icao: address,
  };
}

/** A helicopter crossing `area` low (see the module comment), and its ICAO address from `icao`. */
export function makeHelicopter(rng: Rng, area: TrafficArea, id: string, icao: () => string): { target: SimTarget; icao: string } {
  const { frame, half, t0, durationS } = area;
  const th = rng.uniform(0, 2 * Math.PI);
  const speed = rng.uniform(50, 70);
  const reach = edgeDistance(half, th) + 2e3;
  const wps: GeoPoint[] = [along(frame, th, -reach, rng.uniform(-0.8 * half, 0.8 * half))];
  const nMid = rng.int(1, 2);
  for (let k = 1; k <= nMid; k++) wps.push(along(frame, th, -reach + (2 * reach * k) / (nMid + 1), rng.uniform(-0.6 * half, 0.6 * half)));
  wps.push(along(frame, th, reach, rng.uniform(-0.8 * half, 0.8 * half)));
  const route = planRoute(rng, wps, { speed, turnRate: [1 * DEG, 3 * DEG], altitude: rng.uniform(300, 1000) });
  const address = icao();
  return {
    target: {
      id,
      cls: 'helicopter',
      start: route.start,
      startTime: t0 + rng.uniform(-0.3 * route.duration, 0.5 * durationS),
      speed,
      heading: route.heading,
      legs: route.legs,
    },
    icao: address,
  };
}
