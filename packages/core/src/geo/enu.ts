/**
 * Local East-North-Up (ENU) tangent frames about a geodetic origin.
 *
 * The axes are the local geodetic east, north and up (ellipsoid normal) at the origin; the
 * rotation from ECEF differences to ENU is the standard one (e.g. EPSG Guidance Note 7-2,
 * method 9836 "Geocentric/topocentric conversions"):
 *
 * ```
 * [e]   [ −sin λ          cos λ          0     ] [x − x₀]
 * [n] = [ −sin φ cos λ   −sin φ sin λ    cos φ ] [y − y₀]
 * [u]   [  cos φ cos λ    cos φ sin λ    sin φ ] [z − z₀]
 * ```
 *
 * All coordinates are metres. The map is an exact rigid motion of ECEF, valid at any distance
 * (no flat-earth approximation): `u` is height above the tangent plane, not above the ellipsoid.
 */
import type { GeoPoint } from '../types.js';
import { degToRad } from './angles.js';
import { ecefToGeodetic, geodeticToEcef } from './ecef.js';

/** An ENU frame: its origin and the rigid motion from ECEF. Treat every field as read-only. */
export interface EnuFrame {
  /** The origin (a copy of the point given to {@link createEnuFrame}). */
  readonly origin: GeoPoint;
  /** The origin in ECEF (m), length 3. */
  readonly originEcef: Float64Array;
  /** 3×3 row-major rotation that maps an ECEF difference vector to E, N, U (rows: e, n, u axes). */
  readonly rot: Float64Array;
}

/**
 * The rotation from ECEF axes to the ENU axes at a latitude and longitude (degrees), into
 * `out` (3×3 row-major, rows: the east, north and up unit vectors in ECEF). Allocates nothing.
 */
export function enuRotation(latDeg: number, lonDeg: number, out: Float64Array): Float64Array {
  const phi = degToRad(latDeg);
  const lam = degToRad(lonDeg);
  const sp = Math.sin(phi);
  const cp = Math.cos(phi);
  const sl = Math.sin(lam);
  const cl = Math.cos(lam);
  out[0] = -sl;
  out[1] = cl;
  out[2] = 0;
  out[3] = -sp * cl;
  out[4] = -sp * sl;
  out[5] = cp;
  out[6] = cp * cl;
  out[7] = cp * sl;
  out[8] = sp;
  return out;
}

/**
 * Creates the ENU frame at `origin`.
 * @param origin the frame's origin (degrees, metres above the ellipsoid)
 */
export function createEnuFrame(origin: GeoPoint): EnuFrame {
  const rot = enuRotation(origin.latDeg, origin.lonDeg, new Float64Array(9));
  const copy: GeoPoint = Object.freeze({ latDeg: origin.latDeg, lonDeg: origin.lonDeg, altM: origin.altM });
  return Object.freeze({ origin: copy, originEcef: geodeticToEcef(copy), rot });
}

/**
 * ECEF position to ENU coordinates in `frame`: out = R·(x − x₀).
 * @param ecef x, y, z (m); may be the same array as `out`
 * @param out optional length-3 array for e, n, u (m); nothing is allocated when given
 */
export function ecefToEnu(frame: EnuFrame, ecef: ArrayLike<number>, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(3);
  const r = frame.rot;
  const c = frame.originEcef;
  const dx = ecef[0] - c[0];
  const dy = ecef[1] - c[1];
  const dz = ecef[2] - c[2];
  o[0] = r[0] * dx + r[1] * dy + r[2] * dz;
  o[1] = r[3] * dx + r[4] * dy + r[5] * dz;
  o[2] = r[6] * dx + r[7] * dy + r[8] * dz;
  return o;
}

/**
 * ENU coordinates in `frame` to an ECEF position: out = x₀ + Rᵀ·enu.
 * @param enu e, n, u (m); may be the same array as `out`
 * @param out optional length-3 array for x, y, z (m); nothing is allocated when given
 */
export function enuToEcef(frame: EnuFrame, enu: ArrayLike<number>, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(3);
  const r = frame.rot;
  const c = frame.originEcef;
  const e = enu[0];
  const n = enu[1];
  const u = enu[2];
  o[0] = c[0] + r[0] * e + r[3] * n + r[6] * u;
  o[1] = c[1] + r[1] * e + r[4] * n + r[7] * u;
  o[2] = c[2] + r[2] * e + r[5] * n + r[8] * u;
  return o;
}

/**
 * Geodetic position to ENU coordinates in `frame`.
 * @param p position (degrees, metres above the ellipsoid)
 * @param out optional length-3 array for e, n, u (m); nothing is allocated when given
 */
export function geodeticToEnu(frame: EnuFrame, p: GeoPoint, out?: Float64Array): Float64Array {
  const o = geodeticToEcef(p, out);
  return ecefToEnu(frame, o, o);
}

const scratch = new Float64Array(3);

/**
 * ENU coordinates in `frame` to a geodetic position.
 * @param e east (m)
 * @param n north (m)
 * @param u up (m, along the origin's ellipsoid normal)
 * @returns the position in degrees and metres above the ellipsoid (a new object)
 */
export function enuToGeodetic(frame: EnuFrame, e: number, n: number, u: number): GeoPoint {
  scratch[0] = e;
  scratch[1] = n;
  scratch[2] = u;
  enuToEcef(frame, scratch, scratch);
  return ecefToGeodetic(scratch[0], scratch[1], scratch[2]);
}
