/**
 * Vector helpers the simulator needs to carry velocities between frames, over the core's
 * geodesy (ENU rotations, radii of curvature).
 */
import { enuRotation, meridianRadius, primeVerticalRadius } from '@skywarden/core';

export { meridianRadius, primeVerticalRadius };

/**
 * The ENU axes at geodetic latitude `latRad`, longitude `lonRad` (radians), as a row-major 3×3
 * matrix whose rows are the east, north and up unit vectors in ECEF: enu = R·ecef, ecef = Rᵀ·enu.
 */
export function enuBasis(latRad: number, lonRad: number, out: Float64Array = new Float64Array(9)): Float64Array {
  return enuRotation((latRad * 180) / Math.PI, (lonRad * 180) / Math.PI, out);
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
