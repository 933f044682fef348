/**
 * A Gaussian state estimate constrained by one linear inequality, by density truncation
 * (D. Simon and D. L. Simon, "Constrained Kalman filtering via density function truncation
 * for turbofan engine health estimation", Int. J. Systems Science 41(2), 2010; D. Simon,
 * "Kalman filtering with state constraints: a survey of linear and nonlinear algorithms",
 * IET Control Theory & Applications 4(8), 2010, §2.5): the estimate N(x, P) is replaced by the
 * mean and covariance of that density cut at the bound, which is the moment-matched
 * Gaussian of what the constraint leaves. For the scalar c = aᵀx with mean μ, variance σ²
 * and the bound c ≥ b, with α = (b − μ)/σ and λ = φ(α)/(1 − Φ(α)), the truncated scalar has
 * mean μ + σλ and variance σ²(1 + αλ − λ²); the rest of the state moves with it along
 * g = P·a/σ² (its regression on c): x ← x + g·σλ, P ← P − (1 − (1 + αλ − λ²))·σ²·g·gᵀ.
 * A bound more than {@link NEGLIGIBLE_SD} sigmas below the mean leaves the estimate as it is.
 */
import { normalPdf } from '../math/normal.js';
import { normalUpperTail } from '../identify/special-functions.js';

/** Sigmas below the mean beyond which a bound is left unapplied (its mass under 1e-9). */
export const NEGLIGIBLE_SD = 6;

/** Scratch for P·a, grown to the largest n seen. */
let g = new Float64Array(16);

/**
 * Truncates N(x, P) (n-vector, n×n row-major; changed in place) to aᵀx ≥ aᵀx + excess,
 * where `a` has length n and `excess` is how far the bound lies above the current value of
 * aᵀx (negative: below it). Returns whether the estimate changed. A non-positive variance of
 * aᵀx leaves the estimate unchanged unless the mean itself breaks the bound, when it is
 * moved onto the bound.
 */
export function truncateBelow(x: Float64Array, p: Float64Array, a: ArrayLike<number>, n: number, excess: number): boolean {
  if (g.length < n) g = new Float64Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += p[i * n + j] * a[j];
    g[i] = s;
    v += a[i] * s;
  }
  if (!(v > 0)) {
    if (!(excess > 0)) return false;
    // a sure value beyond the bound: move the mean onto it along a
    let aa = 0;
    for (let i = 0; i < n; i++) aa += a[i] * a[i];
    if (!(aa > 0)) return false;
    for (let i = 0; i < n; i++) x[i] += (a[i] * excess) / aa;
    return true;
  }
  const sd = Math.sqrt(v);
  const alpha = excess / sd;
  if (alpha < -NEGLIGIBLE_SD) return false;
  const tail = normalUpperTail(alpha);
  // far above the bound's side the ratio φ/Q tends to α (Mills' ratio): use its asymptote
  // where the tail underflows
  const lambda = tail > 1e-300 ? normalPdf(alpha) / tail : alpha + 1 / alpha;
  const shift = sd * lambda;
  const ratio = Math.min(1, Math.max(0, 1 + alpha * lambda - lambda * lambda));
  for (let i = 0; i < n; i++) x[i] += (g[i] / v) * shift;
  const k = (1 - ratio) / v;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) p[i * n + j] -= k * g[i] * g[j];
  return true;
}
