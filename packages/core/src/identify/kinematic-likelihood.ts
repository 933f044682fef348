/**
 * Kinematic likelihoods of the classes: for an observed speed, altitude, turn rate or climb
 * rate (with its estimation error), the log-likelihood of each class, written into an
 * out-array indexed like `CLASS_LABELS` and shifted so that its largest entry is 0 (only the
 * differences between classes matter). Each function returns `false`, and writes nothing,
 * when the observation is unusable (not finite): the term is then left out.
 *
 * Speed: a filter's horizontal speed estimate is the length of a 2-D velocity estimate with
 * (about) isotropic Gaussian error of standard deviation σ per axis, so given the true speed ν
 * the estimate x follows a Rice distribution (S. O. Rice, 1945):
 *   p(x | ν) = x/σ² · exp(−(x² + ν²)/(2σ²)) · I0(xν/σ²).
 * A young track with σ = 80 m/s has a speed estimate near 100 m/s even if the target hovers;
 * the Rice kernel knows that, a Gaussian around x does not. The class likelihood is
 *   p(x | c) = ∫ p(x | ν) p(ν | c) dν,
 * computed by the trapezoid rule on a 1 m/s grid from 0 to 600 m/s over the precomputed class
 * densities (the folded soft bands of `class-model.ts` mixed with the outlier floor). In logs,
 *   ln p(x | ν) = ln(x/σ²) − (x − ν)²/(2σ²) + ln I0e(xν/σ²),   I0e(z) = e^{−z}·I0(z),
 * and the first term does not depend on ν: it cancels between classes and is dropped, which
 * keeps everything finite at x = 0 and for any x.
 *
 * Altitude: the soft band convolved with the Gaussian altitude error (closed form), mixed with
 * the outlier floor. Turn and climb rates: tolerance factors with a floor.
 */
import { CLASS_LABELS } from '../types.js';
import {
  ALTITUDE_OUTLIER_MAX,
  ALTITUDE_OUTLIER_MIN,
  CLASS_KINEMATICS,
  LIKELIHOOD_FLOOR,
  SPEED_OUTLIER_MAX,
  foldedSoftBandDensity,
  softBandDensity,
  toleranceFactor,
} from './class-model.js';
import { besselI0e } from './special-functions.js';

const K = CLASS_LABELS.length;

/** Spacing of the speed quadrature grid (m/s). */
export const SPEED_GRID_STEP = 1;
/** Number of grid points: speeds 0, 1, …, 600 m/s. */
const N = Math.round(SPEED_OUTLIER_MAX / SPEED_GRID_STEP) + 1;

/**
 * Smallest speed error (m/s, per axis) the speed likelihood assumes, added in quadrature to
 * the given one: wind gusts and the filter's own lag make a speed estimate no better than
 * about 2 m/s, and it keeps the quadrature (1 m/s grid) exact to many digits.
 */
export const SPEED_SD_MIN = 2;

/** Kernel support: grid points farther than this many σ from x contribute below e^-32. */
const KERNEL_HALF_WIDTH_SD = 8;

/**
 * Class speed densities on the grid, row per class, each row multiplied by the trapezoid
 * weights and scaled to sum to 1 (so each class is exactly normalised on the grid).
 */
const speedDensity = (() => {
  const d = new Float64Array(K * N);
  const floor = LIKELIHOOD_FLOOR / SPEED_OUTLIER_MAX;
  for (let c = 0; c < K; c++) {
    const band = CLASS_KINEMATICS[c].speed;
    let sum = 0;
    for (let i = 0; i < N; i++) {
      const w = i === 0 || i === N - 1 ? 0.5 * SPEED_GRID_STEP : SPEED_GRID_STEP;
      const v = w * ((1 - LIKELIHOOD_FLOOR) * foldedSoftBandDensity(i * SPEED_GRID_STEP, band) + floor);
      d[c * N + i] = v;
      sum += v;
    }
    for (let i = 0; i < N; i++) d[c * N + i] /= sum;
  }
  return d;
})();

/** Scratch for the Rice kernel on the grid (core is single-threaded per isolate). */
const kernel = new Float64Array(N);

function shiftToMaxZero(out: Float64Array): void {
  let m = -Infinity;
  for (let c = 0; c < K; c++) if (out[c] > m) m = out[c];
  for (let c = 0; c < K; c++) out[c] -= m;
}

/**
 * Log-likelihood of each class for a horizontal ground speed estimate `speed` (m/s; its
 * absolute value is used) whose velocity error has standard deviation `speedSd` (m/s per
 * horizontal axis; `SPEED_SD_MIN` is added in quadrature). Returns false for a non-finite
 * speed or error, or a speed beyond the grid by more than 8σ (outside every model: no
 * information).
 */
export function speedLogLikelihood(speed: number, speedSd: number, out: Float64Array): boolean {
  if (!Number.isFinite(speed) || !Number.isFinite(speedSd)) return false;
  const x = Math.abs(speed);
  const s2 = speedSd * speedSd + SPEED_SD_MIN * SPEED_SD_MIN;
  if (!Number.isFinite(s2)) return false; // an error beyond 1e154 m/s: no information
  const s = Math.sqrt(s2);
  const lo = Math.max(0, Math.ceil((x - KERNEL_HALF_WIDTH_SD * s) / SPEED_GRID_STEP));
  const hi = Math.min(N - 1, Math.floor((x + KERNEL_HALF_WIDTH_SD * s) / SPEED_GRID_STEP));
  if (lo > hi) return false;
  const half = 0.5 / s2;
  const a = x / s2;
  // Every class row is a smooth function of ν on the scale of its shoulders (≥ 4 m/s) and the
  // kernel on the scale of s, so a wide kernel is integrated on every k-th point (k ≤ 4): the
  // trapezoid rule on such smooth integrands stays exact to about e^-20 relative, and the
  // common factor k cancels between classes. 600 is a multiple of every k, so the end point
  // keeps its half weight.
  const k = Math.max(1, Math.min(4, Math.floor(s / 4)));
  const start = Math.ceil(lo / k) * k;
  // No rescaling needed: at the grid point nearest to x the Gaussian factor is above e^-1/16
  // and I0e above 1e-3, so the kernel cannot underflow everywhere.
  for (let i = start; i <= hi; i += k) {
    const nu = i * SPEED_GRID_STEP;
    kernel[i] = Math.exp(-(x - nu) * (x - nu) * half) * besselI0e(a * nu);
  }
  for (let c = 0; c < K; c++) {
    const row = c * N;
    let l = 0;
    for (let i = start; i <= hi; i += k) l += speedDensity[row + i] * kernel[i];
    out[c] = Math.log(l);
  }
  shiftToMaxZero(out);
  return true;
}

/**
 * Log-likelihood of each class for an altitude estimate `altitude` (m above the ellipsoid)
 * with Gaussian error `altitudeSd` (m). Returns false for a non-finite altitude or error.
 */
export function altitudeLogLikelihood(altitude: number, altitudeSd: number, out: Float64Array): boolean {
  if (!Number.isFinite(altitude) || !Number.isFinite(altitudeSd)) return false;
  const floor = LIKELIHOOD_FLOOR / (ALTITUDE_OUTLIER_MAX - ALTITUDE_OUTLIER_MIN);
  for (let c = 0; c < K; c++) {
    const l = (1 - LIKELIHOOD_FLOOR) * softBandDensity(altitude, CLASS_KINEMATICS[c].altitude, altitudeSd) + floor;
    out[c] = Math.log(l);
  }
  shiftToMaxZero(out);
  return true;
}

/**
 * Log-likelihood of each class for a turn rate estimate (rad/s, either sign) with error
 * `turnRateSd` (rad/s): the tolerance factor of each class's envelope, floored.
 */
export function turnRateLogLikelihood(turnRate: number, turnRateSd: number, out: Float64Array): boolean {
  if (!Number.isFinite(turnRate) || !Number.isFinite(turnRateSd)) return false;
  const x = Math.abs(turnRate);
  for (let c = 0; c < K; c++) {
    const m = CLASS_KINEMATICS[c];
    const f = toleranceFactor(x, -Infinity, m.turnRateMax, m.turnRateSoft, turnRateSd);
    out[c] = Math.log(LIKELIHOOD_FLOOR + (1 - LIKELIHOOD_FLOOR) * f);
  }
  shiftToMaxZero(out);
  return true;
}

/**
 * Log-likelihood of each class for a climb rate estimate (m/s, positive up) with error
 * `climbRateSd` (m/s): the tolerance factor of each class's envelope [−descent, climb], floored.
 */
export function climbRateLogLikelihood(climbRate: number, climbRateSd: number, out: Float64Array): boolean {
  if (!Number.isFinite(climbRate) || !Number.isFinite(climbRateSd)) return false;
  for (let c = 0; c < K; c++) {
    const m = CLASS_KINEMATICS[c];
    const f = toleranceFactor(climbRate, -m.descentRateMax, m.climbRateMax, m.climbRateSoft, climbRateSd);
    out[c] = Math.log(LIKELIHOOD_FLOOR + (1 - LIKELIHOOD_FLOOR) * f);
  }
  shiftToMaxZero(out);
  return true;
}
