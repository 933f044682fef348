/**
 * Extended Kalman filter update with the Joseph-form covariance update
 * (Bucy & Joseph 1968; Bar-Shalom et al. 2001, eq. 5.2.3-18):
 *   S = H·P·Hᵀ + R,  K = P·Hᵀ·S⁻¹,  x⁺ = x + K·ν,
 *   P⁺ = (I − K·H)·P·(I − K·H)ᵀ + K·R·Kᵀ  (kept symmetric).
 * `innovate` computes the innovation, its covariance and the Mahalanobis distance (used
 * for gating and association); `applyUpdate` then updates the state from that workspace.
 * A non-positive-definite S is reported as `false`, never thrown.
 */
import { cholesky, invFromCholesky, logDetFromCholesky, mahalanobisSq, symmetrize } from '../linalg/dense.js';
import { COMP_RANGE_RATE, evaluateMeasurement, measurementResidual, type Measurement } from '../models/measurement.js';
import { MAX_MEAS_DIM, STATE_DIM } from '../models/state.js';

/** Scratch buffers of one filter step; reuse one per tracker. */
export interface EkfWorkspace {
  zhat: Float64Array;
  h: Float64Array;
  nu: Float64Array;
  s: Float64Array;
  l: Float64Array;
  sInv: Float64Array;
  pht: Float64Array;
  k: Float64Array;
  a: Float64Array;
  ap: Float64Array;
  tmp: Float64Array;
  /** Results of the last `innovate`. */
  dim: number;
  /** Columns of H that may be non-zero (3: position only, 6: velocity too). */
  kMax: number;
  /** Squared Mahalanobis distance νᵀS⁻¹ν. */
  d2: number;
  /** ln |S|. */
  logDetS: number;
}

export function createEkfWorkspace(): EkfWorkspace {
  const m = MAX_MEAS_DIM;
  const n = STATE_DIM;
  return {
    zhat: new Float64Array(m),
    h: new Float64Array(m * n),
    nu: new Float64Array(m),
    s: new Float64Array(m * m),
    l: new Float64Array(m * m),
    sInv: new Float64Array(m * m),
    pht: new Float64Array(n * m),
    k: new Float64Array(n * m),
    a: new Float64Array(n * n),
    ap: new Float64Array(n * n),
    tmp: new Float64Array(n * n),
    dim: 0,
    kMax: 6,
    d2: Infinity,
    logDetS: 0,
  };
}

/**
 * Innovation of measurement `meas` against the prediction (`x`, `p`). Fills `ws` and returns
 * false when the model is singular there or S is not positive definite.
 */
export function innovate(x: Float64Array, p: Float64Array, meas: Measurement, ws: EkfWorkspace): boolean {
  const n = STATE_DIM;
  const m = meas.dim;
  ws.dim = m;
  ws.d2 = Infinity;
  if (!evaluateMeasurement(meas, x, ws.zhat, ws.h)) return false;
  measurementResidual(meas, ws.zhat, ws.nu);
  const h = ws.h;
  const pht = ws.pht;
  // Only range rate and delayed (acoustic) measurements depend on velocity: without them H's velocity columns are zero and the
  // products below need only the position columns.
  let kMax = meas.delay > 0 ? n : 3;
  for (let j = 0; j < m; j++) if (meas.comps[j] === COMP_RANGE_RATE) kMax = n;
  // PHᵀ (n×m)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < kMax; k++) s += p[i * n + k] * h[j * n + k];
      pht[i * m + j] = s;
    }
  }
  // S = H·PHᵀ + R (m×m)
  const sm = ws.s;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < kMax; k++) s += h[i * n + k] * pht[k * m + j];
      sm[i * m + j] = s;
    }
    sm[i * m + i] += meas.variance[i];
  }
  ws.kMax = kMax;
  symmetrize(sm, m);
  if (!cholesky(sm, m, ws.l)) return false;
  ws.logDetS = logDetFromCholesky(ws.l, m);
  ws.d2 = mahalanobisSq(ws.l, m, ws.nu, ws.tmp);
  return true;
}

/**
 * Updates `x` and `p` in place from the innovation left in `ws` by a successful `innovate`
 * with the same `x`, `p` and `meas`.
 */
export function applyUpdate(x: Float64Array, p: Float64Array, meas: Measurement, ws: EkfWorkspace): void {
  const n = STATE_DIM;
  const m = ws.dim;
  invFromCholesky(ws.l, m, ws.sInv, ws.tmp);
  const k = ws.k;
  const pht = ws.pht;
  const sInv = ws.sInv;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let q = 0; q < m; q++) s += pht[i * m + q] * sInv[q * m + j];
      k[i * m + j] = s;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += k[i * m + j] * ws.nu[j];
    x[i] += s;
  }
  // A = I − K·H (columns beyond kMax are those of the identity)
  const a = ws.a;
  const h = ws.h;
  const kMax = ws.kMax;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      if (j < kMax) for (let q = 0; q < m; q++) s -= k[i * m + q] * h[q * n + j];
      a[i * n + j] = s;
    }
  }
  // AP = A·P; P = AP·Aᵀ + K·R·Kᵀ
  const ap = ws.ap;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < kMax; q++) s += a[i * n + q] * p[q * n + j];
      for (let q = kMax; q < n; q++) s += (i === q ? 1 : 0) * p[q * n + j];
      ap[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let q = 0; q < kMax; q++) s += ap[i * n + q] * a[j * n + q];
      if (j >= kMax) s += ap[i * n + j];
      for (let q = 0; q < m; q++) s += k[i * m + q] * meas.variance[q] * k[j * m + q];
      p[i * n + j] = s;
      p[j * n + i] = s;
    }
  }
}
