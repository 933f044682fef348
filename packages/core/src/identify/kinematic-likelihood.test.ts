import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_LABELS, type ClassLabel } from '../types.js';
import { CLASS_KINEMATICS, LIKELIHOOD_FLOOR, SPEED_OUTLIER_MAX, foldedSoftBandDensity } from './class-model.js';
import {
  SPEED_SD_MIN,
  altitudeLogLikelihood,
  climbRateLogLikelihood,
  speedLogLikelihood,
  turnRateLogLikelihood,
} from './kinematic-likelihood.js';

const K = CLASS_LABELS.length;
const at = (label: ClassLabel): number => CLASS_LABELS.indexOf(label);

/** ln of the Rice density p(x | ν, σ), straight from the formula (I0 by its power series or asymptote). */
function logRice(x: number, nu: number, s: number): number {
  const z = (x * nu) / (s * s);
  let logI0: number;
  if (z < 50) {
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 200; k++) {
      term *= (z / (2 * k)) * (z / (2 * k));
      sum += term;
    }
    logI0 = Math.log(sum);
  } else {
    logI0 = z - 0.5 * Math.log(2 * Math.PI * z) + Math.log(1 + 1 / (8 * z) + 9 / (128 * z * z));
  }
  return Math.log(x / (s * s)) - (x * x + nu * nu) / (2 * s * s) + logI0;
}

/** Independent reference: ∫ Rice(x | ν, σ) p(ν | c) dν on a 0.05 m/s grid, as log-likelihoods shifted to max 0. */
function referenceSpeed(x: number, sd: number): number[] {
  const s = Math.hypot(sd, SPEED_SD_MIN);
  const h = 0.05;
  const n = Math.round(SPEED_OUTLIER_MAX / h);
  const out: number[] = [];
  for (const m of CLASS_KINEMATICS) {
    let norm = 0;
    let l = 0;
    for (let i = 0; i <= n; i++) {
      const nu = i * h;
      const w = i === 0 || i === n ? h / 2 : h;
      const p = (1 - LIKELIHOOD_FLOOR) * foldedSoftBandDensity(nu, m.speed) + LIKELIHOOD_FLOOR / SPEED_OUTLIER_MAX;
      norm += w * p;
      l += w * p * Math.exp(logRice(x, nu, s));
    }
    out.push(Math.log(l / norm));
  }
  const mx = Math.max(...out);
  return out.map((v) => v - mx);
}

test('speed likelihood matches a direct Rice integration (fine grid, own Bessel series)', () => {
  const out = new Float64Array(K);
  for (const [x, sd] of [
    [50, 0],
    [51, 3],
    [0.5, 1],
    [160, 5],
    [230, 12],
    [37, 30],
    [100, 80],
    [12, 20],
  ]) {
    assert.equal(speedLogLikelihood(x, sd, out), true);
    const ref = referenceSpeed(x, sd);
    for (let c = 0; c < K; c++) {
      assert.ok(Math.abs(out[c] - ref[c]) < 2e-3, `x=${x} sd=${sd} ${CLASS_LABELS[c]}: ${out[c]} vs ${ref[c]}`);
    }
  }
});

test('speed likelihood: the right class wins, the largest entry is 0, all finite', () => {
  const out = new Float64Array(K);
  const best = (x: number, sd: number): ClassLabel => {
    speedLogLikelihood(x, sd, out);
    let b = 0;
    for (let c = 1; c < K; c++) if (out[c] > out[b]) b = c;
    assert.equal(out[b], 0);
    for (let c = 0; c < K; c++) assert.ok(Number.isFinite(out[c]) && out[c] <= 0);
    return CLASS_LABELS[b];
  };
  assert.equal(best(51, 2), 'piston_owa');
  assert.equal(best(155, 2), 'jet_owa');
  assert.equal(best(240, 2), 'cruise_missile');
  assert.equal(best(2, 2), 'multirotor');
  assert.equal(best(0, 0), 'multirotor');
  // Speed evidence between two classes is bounded by the outlier floor (about 8 nats).
  speedLogLikelihood(51, 0, out);
  for (let c = 0; c < K; c++) assert.ok(out[c] > -9, `${CLASS_LABELS[c]} ${out[c]}`);
});

test('speed likelihood: the Rice kernel knows that an uncertain hover looks fast', () => {
  // A hovering target whose track has σ = 30 m/s per axis shows a speed of about 37 m/s
  // (Rayleigh mean σ√(π/2)). That must not be read as a Shahed.
  const out = new Float64Array(K);
  speedLogLikelihood(37, 30, out);
  assert.ok(out[at('multirotor')] > out[at('piston_owa')]);
  // With a precise velocity the same 37 m/s is no multirotor.
  speedLogLikelihood(37, 1, out);
  assert.ok(out[at('multirotor')] < out[at('fixed_wing_small')] - 2);
});

test('speed likelihood: unusable input leaves the term out', () => {
  const out = new Float64Array(K).fill(7);
  assert.equal(speedLogLikelihood(Number.NaN, 1, out), false);
  assert.equal(speedLogLikelihood(Number.POSITIVE_INFINITY, 1, out), false);
  assert.equal(speedLogLikelihood(50, Number.NaN, out), false);
  assert.equal(speedLogLikelihood(10000, 3, out), false, 'beyond every model');
  assert.deepEqual(Array.from(out), new Array(K).fill(7));
  // A negative speed is read as its magnitude.
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  speedLogLikelihood(-50, 3, a);
  speedLogLikelihood(50, 3, b);
  assert.deepEqual(a, b);
});

test('altitude likelihood: cruise missiles low, aircraft high, negative altitude is clutter', () => {
  const out = new Float64Array(K);
  assert.equal(altitudeLogLikelihood(10000, 0, out), true);
  assert.equal(out[at('aircraft')], 0);
  assert.ok(out[at('cruise_missile')] < -5 && out[at('piston_owa')] < -5);
  altitudeLogLikelihood(-500, 0, out);
  assert.equal(out[at('clutter')], 0);
  // A large altitude error flattens the differences.
  const sharp = new Float64Array(K);
  const blurred = new Float64Array(K);
  altitudeLogLikelihood(100, 0, sharp);
  altitudeLogLikelihood(100, 2000, blurred);
  assert.ok(Math.min(...blurred) > Math.min(...sharp));
  assert.equal(altitudeLogLikelihood(Number.NaN, 0, out), false);
  assert.equal(altitudeLogLikelihood(1e300, 0, out), true);
  for (let c = 0; c < K; c++) assert.ok(Number.isFinite(out[c]));
});

test('turn and climb tolerances: inside is neutral, beyond is penalised, clutter takes anything', () => {
  const out = new Float64Array(K);
  turnRateLogLikelihood(0.02, 0, out);
  assert.deepEqual(Array.from(out), new Array(K).fill(0));
  turnRateLogLikelihood(-0.8, 0, out);
  assert.equal(out[at('clutter')], 0);
  assert.equal(out[at('multirotor')], 0);
  assert.ok(out[at('piston_owa')] < -4 && out[at('cruise_missile')] < -4);
  climbRateLogLikelihood(-50, 0, out);
  assert.equal(out[at('piston_owa')], 0, 'a Shahed dives onto its target');
  assert.ok(out[at('multirotor')] < -4);
  climbRateLogLikelihood(15, 0, out);
  assert.ok(out[at('piston_owa')] < -4);
  assert.equal(out[at('aircraft')], 0);
  assert.equal(turnRateLogLikelihood(Number.NaN, 0, out), false);
  assert.equal(climbRateLogLikelihood(1, Number.POSITIVE_INFINITY, out), false);
});
