/**
 * Adapts a prepared detection's measurement to the state it is compared with: a bearing's
 * variance is inflated near the sensor, where a bearing says little (EKF linearisation).
 * Used alike by the hypothesiser (gating) and the filter (update).
 */
import { STATE_DIM } from '../models/state.js';
import { SHAPE_RAY, type PreparedDetection } from './prepare.js';

const n = STATE_DIM;

/** Sets the bearing component's variance of `pd` for the state (`x`, `p`) it is about to meet. */
export function adaptMeasurement(pd: PreparedDetection, x: Float64Array, p: Float64Array): void {
  if (pd.shape !== SHAPE_RAY || pd.bearingComp < 0) return;
  const rho2 = (x[0] - pd.sx) ** 2 + (x[1] - pd.sy) ** 2;
  const varH = 0.5 * (p[0] + p[n + 1]);
  pd.meas.variance[pd.bearingComp] = pd.bearingVariance + varH / Math.max(rho2, 1);
}

/** ln |R| of a detection's measurement as adapted (its errors are independent: R is diagonal). */
export function logDetR(pd: PreparedDetection): number {
  let s = 0;
  for (let i = 0; i < pd.meas.dim; i++) s += Math.log(pd.meas.variance[i]);
  return s;
}
