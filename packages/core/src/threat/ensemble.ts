/**
 * Deterministic quadrature nodes for the threat ensemble (docs/warnings.md "Ensemble").
 *
 * The ensemble integrates an indicator (does the path enter the zone?), not a smooth
 * function, so it uses equal-probability strata instead of Gauss-Hermite nodes: the real
 * line is cut at the normal quantiles Φ⁻¹(i/n), i = 1..n−1, into n strata of probability
 * 1/n each, and each stratum is represented by its conditional mean
 * E[Z | Z in stratum i] = n·(φ(bᵢ) − φ(bᵢ₊₁)) (the centroid rule of a Lloyd-Max quantiser,
 * Max 1960). The weights are equal, so a product ensemble has equal member weights and a
 * probability is a share of members; an error in a probability is at most about 1/(2n) per
 * dimension that matters. The mean is kept exactly and the variance nearly (n = 3: 0.79σ²,
 * n = 5: 0.90σ², n = 7: 0.93σ²).
 */
import { normalCdf } from '../identify/special-functions.js';
import { normalPdf, normalQuantile } from '../math/normal.js';

export { normalCdf, normalPdf, normalQuantile };

/**
 * The n equal-probability stratum nodes of the standard normal, ascending, each the
 * conditional mean of its stratum (weight 1/n each). n = 1 gives [0].
 * @param n number of strata, an integer from 1 to 99
 */
export function stratumNodes(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`stratumNodes: n must be an integer in [1, 99], got ${n}`);
  const out = new Float64Array(n);
  let prev = 0; // φ(−∞)
  for (let i = 0; i < n; i++) {
    const next = i === n - 1 ? 0 : normalPdf(normalQuantile((i + 1) / n));
    out[i] = n * (prev - next);
    prev = next;
  }
  // exact symmetry (the quantile approximation is not exactly odd in floating point)
  for (let i = 0; i < n >> 1; i++) {
    const m = 0.5 * (out[n - 1 - i] - out[i]);
    out[i] = -m;
    out[n - 1 - i] = m;
  }
  if (n % 2 === 1) out[n >> 1] = 0;
  return out;
}

/**
 * Nodes of the standard bivariate normal (unit variance per axis) for the position offset,
 * as (x0, y0, x1, y1, ...), equal weights. n = 1: the origin. n = 5: the plane cut into five
 * cells of probability 1/5 (the disc r ≤ r₀ with 1 − exp(−r₀²/2) = 1/5, and the four
 * quadrants of the rest, centred on the axes), each cell at its conditional mean: the origin
 * and four points at radius E[r | r > r₀]·sin(π/4)/(π/4) ≈ 1.312 on the ±x, ±y axes.
 */
export function planeNodes(n: 1 | 5): Float64Array {
  if (n === 1) return new Float64Array(2);
  if (n !== 5) throw new Error(`planeNodes: n must be 1 or 5, got ${String(n)}`);
  const r0 = Math.sqrt(-2 * Math.log(1 - 1 / 5));
  const tail = Math.exp(-0.5 * r0 * r0); // P(r > r0) for the Rayleigh radius
  const meanR = (r0 * tail + Math.sqrt(2 * Math.PI) * (1 - normalCdf(r0))) / tail;
  const rho = (meanR * Math.sin(Math.PI / 4)) / (Math.PI / 4);
  return Float64Array.from([0, 0, rho, 0, -rho, 0, 0, rho, 0, -rho]);
}
