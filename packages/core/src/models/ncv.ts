/**
 * Nearly-constant-velocity motion in 3D (continuous white-noise acceleration model, see
 * Bar-Shalom, Li, Kirubarajan, "Estimation with Applications to Tracking and Navigation",
 * 2001, §6.2.2). The acceleration noise has a 3×3 power spectral density matrix `G`
 * (m²/s³), so that horizontal and vertical manoeuvres can be set apart: in the local level
 * frame of the target G = diag(qH, qH, qV), rotated into the tracker frame by the caller.
 *
 * With dt the step, per axis pair (position, velocity):
 *   F = [[I, dt·I], [0, I]],  Q = [[dt³/3·G, dt²/2·G], [dt²/2·G, dt·G]].
 * A negative dt (a detection slightly older than the state: out-of-sequence by a fraction of
 * a report interval) moves the mean back along the velocity and still adds Q(|dt|): an
 * approximation that keeps the covariance positive definite.
 */
import { STATE_DIM } from './state.js';

/**
 * Predicts state `x` (6) and covariance `p` (6×6 row-major) over `dt` seconds into
 * `xOut`, `pOut` (may alias `x`, `p`). `g` is the 3×3 acceleration spectral density (m²/s³).
 */
export function predictNcv(
  x: Float64Array,
  p: Float64Array,
  dt: number,
  g: Float64Array,
  xOut: Float64Array,
  pOut: Float64Array,
): void {
  const n = STATE_DIM;
  xOut[0] = x[0] + dt * x[3];
  xOut[1] = x[1] + dt * x[4];
  xOut[2] = x[2] + dt * x[5];
  xOut[3] = x[3];
  xOut[4] = x[4];
  xOut[5] = x[5];
  const adt = Math.abs(dt);
  const q11 = (adt * adt * adt) / 3;
  const q12 = (dt * adt) / 2; // sign of dt: position-velocity correlation follows the direction of time
  const q22 = adt;
  const dt2 = dt * dt;
  // Blocks of P: A = pos-pos, B = pos-vel, C = vel-vel (3×3 each).
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const a = p[i * n + j];
      const b = p[i * n + 3 + j];
      const bt = p[(3 + i) * n + j]; // = B[j][i] (symmetric P)
      const c = p[(3 + i) * n + 3 + j];
      const gij = g[i * 3 + j];
      const newA = a + dt * (b + bt) + dt2 * c + q11 * gij;
      const newB = b + dt * c + q12 * gij;
      const newBt = bt + dt * c + q12 * gij;
      const newC = c + q22 * gij;
      pOut[i * n + j] = newA;
      pOut[i * n + 3 + j] = newB;
      pOut[(3 + i) * n + j] = newBt;
      pOut[(3 + i) * n + 3 + j] = newC;
    }
  }
}
