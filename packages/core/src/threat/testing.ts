/**
 * Helpers for tests and benchmarks of threat prediction and alerts: square zones placed in
 * metres from an origin, and track reports of a target flying a given course.
 */
import { destination } from '../geo/distance.js';
import { createGeoArea, type GeoArea } from '../geo/polygon.js';
import type { GeoPoint } from '../types.js';
import type { TrackReportLike } from './predict.js';

/**
 * A square area of `sideM` metres (approximately: its corners are placed with `destination`)
 * centred `eastM` east and `northM` north of `origin`, edges along the meridians and parallels.
 */
export function squareArea(origin: GeoPoint, eastM: number, northM: number, sideM: number): GeoArea {
  const c = destination(destination(origin, 0, northM), Math.PI / 2, eastM);
  const n = destination(c, 0, sideM / 2);
  const e = destination(c, Math.PI / 2, sideM / 2);
  const dLat = n.latDeg - c.latDeg;
  const dLon = e.lonDeg - c.lonDeg;
  const ring = Float64Array.from([
    c.lonDeg - dLon, c.latDeg - dLat,
    c.lonDeg + dLon, c.latDeg - dLat,
    c.lonDeg + dLon, c.latDeg + dLat,
    c.lonDeg - dLon, c.latDeg + dLat,
    c.lonDeg - dLon, c.latDeg - dLat,
  ]);
  return createGeoArea([{ rings: [ring] }]);
}

/**
 * The report of a target that left `start` at time 0 on `bearing` (rad, clockwise from
 * north) at `speed` m/s, at time `t` (s): position by `destination`, velocity in the local
 * level frame at that position (the initial bearing kept: good within a few hundred km).
 */
export function straightReport(
  trackId: string,
  start: GeoPoint,
  bearing: number,
  speed: number,
  t: number,
  extra: Partial<TrackReportLike> = {},
): TrackReportLike {
  const position = destination(start, bearing, speed * t);
  return {
    trackId,
    position,
    velocityEnu: [speed * Math.sin(bearing), speed * Math.cos(bearing), 0],
    positionSd: 50,
    ...extra,
  };
}
