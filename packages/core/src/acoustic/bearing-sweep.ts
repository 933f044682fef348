/**
 * Does a run of bearings from one array show a moving source? A source that moves across the
 * array's view turns its bearing: a drone at 50 m/s passing 1 km away turns it by about
 * 0.05 rad/s at its closest, while a generator or an idling engine holds it still. The test
 * compares two nested models of the bearings (unwrapped along the run) by weighted least
 * squares (weights 1/σᵢ²):
 * - still: bearing(t) = a;
 * - turning: bearing(t) = a + b·(t − t̄) + c·(t − t̄)², smooth enough for a pass of a few tens of
 *   seconds (the turn of a passing source speeds up towards its closest point and slows after).
 * The run sweeps when the turning model explains the bearings significantly better
 * (χ²still − χ²turning ≥ the χ² quantile of 2 degrees of freedom at `p`, by default 0.9973: the
 * two-sided three sigma) and is itself a fit (χ²turning within the quantile of n − 3 degrees of
 * freedom at `fitP`: bearings scattered at random, as from a diffuse noise, are not a smooth
 * turn). A bearing that stays still may still be a drone flying towards or away from the array:
 * the test only tells that one that turns is moving.
 */
import { cholesky, invFromCholesky } from '../linalg/dense.js';
import { normalQuantile } from '../math/normal.js';

export interface SweepFit {
  /** Turn rate (rad/s) of the turning model at the run's weighted mean time. */
  rate: number;
  /** Weighted residual sum of squares of the still model (n − 1 degrees of freedom). */
  chi2Still: number;
  /** Weighted residual sum of squares of the turning model (n − 3 degrees of freedom). */
  chi2Turn: number;
  /** Number of bearings. */
  n: number;
}

/**
 * Both fits of bearings (rad, any branch) against time (s), with their one-sigmas (rad, > 0);
 * null with fewer than 4 bearings or when their times do not determine a quadratic.
 */
export function fitSweep(t: ArrayLike<number>, bearing: ArrayLike<number>, sd: ArrayLike<number>): SweepFit | null {
  const n = t.length;
  if (n < 4 || bearing.length !== n || sd.length !== n) return null;
  // unwrap: each bearing on the branch nearest the previous one
  const y = new Float64Array(n);
  y[0] = bearing[0];
  for (let i = 1; i < n; i++) y[i] = bearing[i] - 2 * Math.PI * Math.round((bearing[i] - y[i - 1]) / (2 * Math.PI));
  let sw = 0;
  let st = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (sd[i] * sd[i]);
    sw += w;
    st += w * t[i];
    sy += w * y[i];
  }
  const tm = st / sw;
  const ym = sy / sw;
  // normal equations of the turning model in u = t − t̄ and z = y − ȳ: Σw[1 u u²]ᵀ[1 u u²] k = Σw[1 u u²]ᵀ z
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let chi2Still = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (sd[i] * sd[i]);
    const u = t[i] - tm;
    const z = y[i] - ym;
    s1 += w * u;
    s2 += w * u * u;
    s3 += w * u * u * u;
    s4 += w * u * u * u * u;
    z0 += w * z;
    z1 += w * u * z;
    z2 += w * u * u * z;
    chi2Still += w * z * z;
  }
  // the normal matrix is symmetric positive definite when the times determine a quadratic
  const l = new Float64Array(9);
  if (!cholesky(Float64Array.of(sw, s1, s2, s1, s2, s3, s2, s3, s4), 3, l)) return null;
  const inv = invFromCholesky(l, 3, new Float64Array(9), new Float64Array(9));
  const k = [0, 1, 2].map((r) => inv[3 * r] * z0 + inv[3 * r + 1] * z1 + inv[3 * r + 2] * z2);
  let chi2Turn = 0;
  for (let i = 0; i < n; i++) {
    const u = t[i] - tm;
    const r = y[i] - ym - (k[0] + k[1] * u + k[2] * u * u);
    chi2Turn += (r * r) / (sd[i] * sd[i]);
  }
  return { rate: k[1], chi2Still, chi2Turn, n };
}

/** The χ² quantile with k degrees of freedom at probability p (Wilson and Hilferty's cube of a normal; k ≥ 1). */
export function chiSquareQuantile(k: number, p: number): number {
  const a = 2 / (9 * k);
  const c = 1 - a + normalQuantile(p) * Math.sqrt(a);
  return k * c * c * c;
}

export interface SweepTest {
  /** The turning model must beat the still one at this probability (2 degrees of freedom). Default 0.9973. */
  p?: number;
  /** The turning model's residual must lie within its χ² quantile at this probability. Default 0.99. */
  fitP?: number;
}

/** Whether the fits show a source that turns the bearing (see the file's comment). */
export function sweeps(f: SweepFit | null, o: SweepTest = {}): boolean {
  if (!f) return false;
  return f.chi2Still - f.chi2Turn >= chiSquareQuantile(2, o.p ?? 0.9973) && f.chi2Turn <= chiSquareQuantile(f.n - 3, o.fitP ?? 0.99);
}
