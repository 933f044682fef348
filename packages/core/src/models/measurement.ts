/**
 * Measurement models. Every measurement is a function of the target's position (and for
 * range rate its velocity) expressed in some local ENU frame: the sensor's, or for a position
 * report the frame at the reported point. A measurement lists its components by code:
 *
 * | code | component | value, units |
 * |---|---|---|
 * | COMP_E, COMP_N, COMP_U | local position | m (position reports: measured value 0 in the frame at the report) |
 * | COMP_RANGE | slant range ‖d‖ | m |
 * | COMP_BEARING | atan2(dE, dN), clockwise from north | rad, residual wrapped to (−π, π] |
 * | COMP_ELEVATION | atan2(dU, ‖(dE, dN)‖) | rad |
 * | COMP_RANGE_RATE | d·v/‖d‖, positive moving away | m/s |
 *
 * `evaluateMeasurement` returns the predicted measurement and its analytic Jacobian
 * (an extended Kalman filter linearisation); `measurement.test.ts` checks the Jacobians
 * against central differences.
 */
import { MAX_MEAS_DIM, STATE_DIM } from './state.js';
import type { LocalFrame } from './local-frame.js';

export const COMP_E = 0;
export const COMP_N = 1;
export const COMP_U = 2;
export const COMP_RANGE = 3;
export const COMP_BEARING = 4;
export const COMP_ELEVATION = 5;
export const COMP_RANGE_RATE = 6;

/**
 * A detection made ready for filtering: measured values, their error variances (errors of
 * the components are independent, so the noise covariance is diagonal) and the frame.
 */
export interface Measurement {
  /** Number of components (0..MAX_MEAS_DIM). */
  dim: number;
  /** Component codes, `dim` of them. */
  comps: Int8Array;
  /** Measured values. */
  z: Float64Array;
  /** Error variance of each component (diagonal of the noise covariance R). */
  variance: Float64Array;
  /** Local frame the components are expressed in. */
  frame: LocalFrame;
  /**
   * 1 / propagation speed (s/m) when the signal travels slowly enough to matter (sound:
   * 1/343), else 0. The components then describe the target where it was when the signal
   * left it: d = M·(p − v·τ) + o with τ = ‖d‖·delay, the measurement stamped at arrival.
   */
  delay: number;
}

/** Creates an empty measurement buffer (reuse it: filling allocates nothing). */
export function createMeasurement(frame: LocalFrame): Measurement {
  return {
    dim: 0,
    comps: new Int8Array(MAX_MEAS_DIM),
    z: new Float64Array(MAX_MEAS_DIM),
    variance: new Float64Array(MAX_MEAS_DIM),
    frame,
    delay: 0,
  };
}

/** Appends a component with measured value `z` and one-sigma error `sd`. */
export function addComponent(m: Measurement, code: number, z: number, sd: number): void {
  const k = m.dim;
  if (k >= MAX_MEAS_DIM) throw new Error(`measurement has already ${MAX_MEAS_DIM} components`);
  m.comps[k] = code;
  m.z[k] = z;
  m.variance[k] = sd * sd;
  m.dim = k + 1;
}

/** Clears the components of `m` and points it at `frame`. */
export function resetMeasurement(m: Measurement, frame: LocalFrame, delay = 0): void {
  m.dim = 0;
  m.frame = frame;
  m.delay = delay;
}

const d = new Float64Array(3);
const vl = new Float64Array(3);
const gd = new Float64Array(3);
const w = new Float64Array(3);
const u = new Float64Array(3);
const gv = new Float64Array(3);

/**
 * Predicted measurement of state `x` into `zhat` (dim) and its Jacobian into `h`
 * (dim × STATE_DIM row-major). Returns false where the model is singular (target at the
 * sensor's position for range/bearing/elevation components).
 */
export function evaluateMeasurement(meas: Measurement, x: Float64Array, zhat: Float64Array, h: Float64Array): boolean {
  const f = meas.frame;
  const m = f.m;
  const x0 = x[0];
  const x1 = x[1];
  const x2 = x[2];
  d[0] = m[0] * x0 + m[1] * x1 + m[2] * x2 + f.o[0];
  d[1] = m[3] * x0 + m[4] * x1 + m[5] * x2 + f.o[1];
  d[2] = m[6] * x0 + m[7] * x1 + m[8] * x2 + f.o[2];
  // Propagation delay: the target's position when the signal left it, d = d0 − w·τ with
  // τ = ‖d‖·delay, solved exactly (a quadratic in τ) for straight motion over τ. The
  // Jacobian then follows d's implicit dependence on p and v.
  const k = meas.delay;
  let tau = 0;
  let sw = 0; // k / (1 + k·uᵀw), the Sherman-Morrison factor
  if (k > 0) {
    w[0] = m[0] * x[3] + m[1] * x[4] + m[2] * x[5];
    w[1] = m[3] * x[3] + m[4] * x[4] + m[5] * x[5];
    w[2] = m[6] * x[3] + m[7] * x[4] + m[8] * x[5];
    // ‖d0 − w·τ‖ = τ/k is a quadratic in τ: (1/k² − w·w)·τ² + 2(d0·w)·τ − d0·d0 = 0
    const qa = 1 / (k * k) - (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    const qb = d[0] * w[0] + d[1] * w[1] + d[2] * w[2];
    const qc = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    if (!(qa > 0)) return false; // a target as fast as the signal: no solution
    tau = (-qb + Math.sqrt(qb * qb + qa * qc)) / qa;
    d[0] -= w[0] * tau;
    d[1] -= w[1] * tau;
    d[2] -= w[2] * tau;
    const r0 = Math.hypot(d[0], d[1], d[2]);
    if (r0 > 1e-6) {
      u[0] = d[0] / r0;
      u[1] = d[1] / r0;
      u[2] = d[2] / r0;
      sw = k / (1 + k * (u[0] * w[0] + u[1] * w[1] + u[2] * w[2]));
    }
  }
  const de = d[0];
  const dn = d[1];
  const du = d[2];
  const rho2 = de * de + dn * dn;
  const r2 = rho2 + du * du;
  const rho = Math.sqrt(rho2);
  const r = Math.sqrt(r2);
  const n = STATE_DIM;
  for (let kc = 0; kc < meas.dim; kc++) {
    const code = meas.comps[kc];
    gd[0] = 0;
    gd[1] = 0;
    gd[2] = 0;
    let useV = false;
    switch (code) {
      case COMP_E:
      case COMP_N:
      case COMP_U:
        zhat[kc] = d[code];
        gd[code] = 1;
        break;
      case COMP_RANGE:
        if (!(r > 1e-6)) return false;
        zhat[kc] = r;
        gd[0] = de / r;
        gd[1] = dn / r;
        gd[2] = du / r;
        break;
      case COMP_BEARING: {
        if (!(rho > 1e-6)) return false;
        let b = Math.atan2(de, dn);
        if (b < 0) b += 2 * Math.PI;
        zhat[kc] = b;
        gd[0] = dn / rho2;
        gd[1] = -de / rho2;
        break;
      }
      case COMP_ELEVATION: {
        if (!(rho > 1e-6)) return false;
        zhat[kc] = Math.atan2(du, rho);
        const c = du / (r2 * rho);
        gd[0] = -de * c;
        gd[1] = -dn * c;
        gd[2] = rho / r2;
        break;
      }
      case COMP_RANGE_RATE: {
        if (!(r > 1e-6)) return false;
        const v0 = x[3];
        const v1 = x[4];
        const v2 = x[5];
        vl[0] = m[0] * v0 + m[1] * v1 + m[2] * v2;
        vl[1] = m[3] * v0 + m[4] * v1 + m[5] * v2;
        vl[2] = m[6] * v0 + m[7] * v1 + m[8] * v2;
        const rr = (de * vl[0] + dn * vl[1] + du * vl[2]) / r;
        zhat[kc] = rr;
        gd[0] = (vl[0] - (rr * de) / r) / r;
        gd[1] = (vl[1] - (rr * dn) / r) / r;
        gd[2] = (vl[2] - (rr * du) / r) / r;
        gv[0] = de / r;
        gv[1] = dn / r;
        gv[2] = du / r;
        useV = true;
        break;
      }
      default:
        throw new Error(`unknown measurement component code ${code}`);
    }
    // H row = [gdᵀ·∂d/∂p, gdᵀ·∂d/∂v + gvᵀ·M]; without delay ∂d/∂p = M and ∂d/∂v = 0; with it
    // ∂d/∂p = A⁻¹M and ∂d/∂v = −τ·A⁻¹M, A = I + k·w·uᵀ, so gdᵀA⁻¹ = gdᵀ − sw·(gdᵀw)·uᵀ.
    if (sw !== 0) {
      const gw = sw * (gd[0] * w[0] + gd[1] * w[1] + gd[2] * w[2]);
      gd[0] -= gw * u[0];
      gd[1] -= gw * u[1];
      gd[2] -= gw * u[2];
    }
    const row = kc * n;
    for (let j = 0; j < 3; j++) {
      const hp = gd[0] * m[j] + gd[1] * m[3 + j] + gd[2] * m[6 + j];
      h[row + j] = hp;
      let hv = useV ? gv[0] * m[j] + gv[1] * m[3 + j] + gv[2] * m[6 + j] : 0;
      if (k > 0) hv -= tau * hp;
      h[row + 3 + j] = hv;
    }
  }
  return true;
}

/** Residual z − ẑ into `out`, with bearings wrapped to (−π, π]. */
export function measurementResidual(meas: Measurement, zhat: Float64Array, out: Float64Array): Float64Array {
  for (let k = 0; k < meas.dim; k++) {
    let v = meas.z[k] - zhat[k];
    if (meas.comps[k] === COMP_BEARING) {
      v = v - 2 * Math.PI * Math.round(v / (2 * Math.PI));
    }
    out[k] = v;
  }
  return out;
}
