/**
 * Small helpers shared by the sensor models when they write interchange rows: argument checks,
 * angle and longitude wrapping at the I/O boundary, small metric offsets of a geodetic point,
 * and row numbering. Internal to the simulator (not exported from the package).
 */
import { radToDeg, wrapTwoPi } from '@skywarden/core';
import type { SimDetection } from './sensors.js';
import { meridianRadius, primeVerticalRadius } from './local-basis.js';

const DEG = Math.PI / 180;

/** Throws a RangeError with `msg` unless `cond` holds (programmer errors in options). */
export function check(cond: boolean, msg: string): void {
  if (!cond) throw new RangeError(msg);
}

/** Wraps radians into degrees in [0, 360), guarding against 360 produced by rounding. */
export function bearingDeg(rad: number): number {
  const d = radToDeg(wrapTwoPi(rad));
  return d >= 360 || d < 0 ? 0 : d;
}

/** Radians to degrees clamped into [-90, 90] (an elevation at the I/O boundary). */
export function elevationDeg(rad: number): number {
  return Math.max(-90, Math.min(90, radToDeg(rad)));
}

/** Wraps a longitude (degrees) into [-180, 180); values already in range are unchanged. */
export function wrapLonDeg(d: number): number {
  return d >= -180 && d < 180 ? d : ((((d + 180) % 360) + 360) % 360) - 180;
}

/**
 * Latitude and longitude (degrees) of a point moved `de` metres east and `dn` metres north of
 * (`latDeg`, `lonDeg`) at height `h` (m), to first order (radii of curvature of WGS84): good to
 * millimetres for offsets of a few kilometres, which is all the noise models need.
 */
export function offsetLatLon(latDeg: number, lonDeg: number, h: number, de: number, dn: number): { lat: number; lon: number } {
  const latRad = latDeg * DEG;
  return {
    lat: Math.max(-90, Math.min(90, latDeg + dn / (meridianRadius(latRad) + h) / DEG)),
    lon: wrapLonDeg(lonDeg + de / ((primeVerticalRadius(latRad) + h) * Math.cos(latRad)) / DEG),
  };
}

/** Assigns ids `<sensor>-<n>` (n from 1) in list order; `list` must already be sorted by t. */
export function numberRows(sensorId: string, list: SimDetection[]): void {
  for (let i = 0; i < list.length; i++) list[i].row.id = `${sensorId}-${i + 1}`;
}

/** Orders detections by measurement time (for a stable `Array.prototype.sort`). */
export const byT = (a: SimDetection, b: SimDetection): number => a.row.t - b.row.t;
