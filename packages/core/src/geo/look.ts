/**
 * Look angles: slant range, bearing (azimuth) and elevation of a point seen from the origin of
 * a local ENU frame — the spherical coordinates of the ENU vector, with the azimuth measured
 * clockwise from north as in surveying, radar and satellite navigation practice (e.g. P. Misra,
 * P. Enge, "Global Positioning System: Signals, Measurements, and Performance", 2nd ed., 2006).
 *
 * e = r cos(el) sin(az), n = r cos(el) cos(az), u = r sin(el).
 *
 * Bearings are relative to true (geodetic) north at the observer; elevation is above the
 * observer's local horizontal plane (tangent to the ellipsoid), so a distant target at the same
 * height above the ellipsoid has a negative elevation (Earth curvature, no refraction model).
 */
import type { GeoPoint } from '../types.js';
import { degToRad, wrapTwoPi } from './angles.js';
import { geodeticToEcef } from './ecef.js';

/** Look angles of a target from an observer. */
export interface LookAngles {
  /** Slant range (m), ≥ 0. */
  range: number;
  /** Bearing clockwise from true north (rad, [0, 2π)); 0 when the target is straight up, down or at the observer. */
  bearing: number;
  /** Elevation above the local horizontal (rad, [−π/2, π/2]); 0 when the range is zero. */
  elevation: number;
}

/**
 * ENU vector to look angles.
 * @param e east (m)
 * @param n north (m)
 * @param u up (m)
 * @returns a new object
 */
export function enuToLook(e: number, n: number, u: number): LookAngles {
  const h = Math.sqrt(e * e + n * n);
  return {
    range: Math.sqrt(h * h + u * u),
    bearing: wrapTwoPi(Math.atan2(e, n)),
    elevation: Math.atan2(u, h),
  };
}

/**
 * Look angles to an ENU vector.
 * @param range slant range (m)
 * @param bearing clockwise from true north (rad)
 * @param elevation above the local horizontal (rad)
 * @param out optional length-3 array for e, n, u (m); nothing is allocated when given
 */
export function lookToEnu(range: number, bearing: number, elevation: number, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(3);
  const h = range * Math.cos(elevation);
  o[0] = h * Math.sin(bearing);
  o[1] = h * Math.cos(bearing);
  o[2] = range * Math.sin(elevation);
  return o;
}

const scratchFrom = new Float64Array(3);
const scratchTo = new Float64Array(3);

/**
 * Look angles of `to` seen from `from`, in the ENU frame at `from` (exact ECEF geometry, any
 * distance). Same result as `createEnuFrame(from)`, `geodeticToEnu` and {@link enuToLook},
 * without building the frame.
 * @param from observer (degrees, metres above the ellipsoid)
 * @param to target (degrees, metres above the ellipsoid)
 */
export function lookAngles(from: GeoPoint, to: GeoPoint): LookAngles {
  const a = geodeticToEcef(from, scratchFrom);
  const b = geodeticToEcef(to, scratchTo);
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const dz = b[2] - a[2];
  const phi = degToRad(from.latDeg);
  const lam = degToRad(from.lonDeg);
  const sp = Math.sin(phi);
  const cp = Math.cos(phi);
  const sl = Math.sin(lam);
  const cl = Math.cos(lam);
  // Rows of the ENU rotation (see enu.ts).
  const t = cl * dx + sl * dy;
  const e = -sl * dx + cl * dy;
  const n = -sp * t + cp * dz;
  const u = cp * t + sp * dz;
  return enuToLook(e, n, u);
}
