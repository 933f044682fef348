/**
 * Small WGS84 helpers the simulator needs beyond the core geodesy API: the East-North-Up unit
 * vectors at a point (to carry velocities between frames) and the radii of curvature (to turn
 * small metric offsets into latitude and longitude). WGS84 constants from NIMA TR8350.2.
 */

/** WGS84 semi-major axis (m). */
export const WGS84_A = 6378137;
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563;
/** WGS84 first eccentricity squared. */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);

/**
 * The ENU axes at geodetic latitude `latRad`, longitude `lonRad`, as a row-major 3×3 matrix
 * whose rows are the east, north and up unit vectors in ECEF: enu = R·ecef, ecef = Rᵀ·enu.
 */
export function enuBasis(latRad: number, lonRad: number, out: Float64Array = new Float64Array(9)): Float64Array {
  const sp = Math.sin(latRad);
  const cp = Math.cos(latRad);
  const sl = Math.sin(lonRad);
  const cl = Math.cos(lonRad);
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

/** out = Rᵀ·v: a vector from the ENU axes of basis `r` into ECEF axes. */
export function enuToEcefVector(r: Float64Array, ve: number, vn: number, vu: number, out: Float64Array): Float64Array {
  out[0] = r[0] * ve + r[3] * vn + r[6] * vu;
  out[1] = r[1] * ve + r[4] * vn + r[7] * vu;
  out[2] = r[2] * ve + r[5] * vn + r[8] * vu;
  return out;
}

/** out = R·v: a vector from ECEF axes into the ENU axes of basis `r`. */
export function ecefToEnuVector(r: Float64Array, x: number, y: number, z: number, out: Float64Array): Float64Array {
  out[0] = r[0] * x + r[1] * y + r[2] * z;
  out[1] = r[3] * x + r[4] * y + r[5] * z;
  out[2] = r[6] * x + r[7] * y + r[8] * z;
  return out;
}

/** Meridional radius of curvature M (m) at geodetic latitude `latRad`. */
export function meridianRadius(latRad: number): number {
  const s = Math.sin(latRad);
  const w = 1 - WGS84_E2 * s * s;
  return (WGS84_A * (1 - WGS84_E2)) / (w * Math.sqrt(w));
}

/** Prime-vertical radius of curvature N (m) at geodetic latitude `latRad`. */
export function primeVerticalRadius(latRad: number): number {
  const s = Math.sin(latRad);
  return WGS84_A / Math.sqrt(1 - WGS84_E2 * s * s);
}
