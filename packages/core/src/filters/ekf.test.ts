import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame } from '../geo/index.js';
import { createLocalFrame } from '../models/local-frame.js';
import { addComponent, COMP_BEARING, COMP_E, COMP_N, COMP_RANGE, createMeasurement, resetMeasurement } from '../models/measurement.js';
import { predictNcv } from '../models/ncv.js';
import { applyUpdate, createEkfWorkspace, innovate } from './ekf.js';

/** Small seeded normal generator (Box-Muller over an LCG), enough for a filter test. */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const global = createEnuFrame({ latDeg: 37.5, lonDeg: 127, altM: 0 });

test('EKF with range-bearing converges on a straight trajectory, errors consistent with its covariance', () => {
  const sensor = createLocalFrame(global, global.origin);
  const rnd = normals(42);
  const x = Float64Array.from([10000, 20000, 0, 0, 0, 0]);
  const p = new Float64Array(36);
  for (let i = 0; i < 3; i++) p[i * 6 + i] = 500 ** 2;
  for (let i = 3; i < 6; i++) p[i * 6 + i] = 80 ** 2;
  p[2 * 6 + 2] = 1;
  p[5 * 6 + 5] = 1;
  const g = Float64Array.from([0.1, 0, 0, 0, 0.1, 0, 0, 0, 0.01]);
  const ws = createEkfWorkspace();
  const m = createMeasurement(sensor);
  const truthV = [45, -20];
  let nees = 0;
  let count = 0;
  for (let k = 1; k <= 120; k++) {
    const t = k * 2;
    const te = 10000 + truthV[0] * t;
    const tn = 20000 + truthV[1] * t;
    predictNcv(x, p, 2, g, x, p);
    resetMeasurement(m, sensor);
    const r = Math.hypot(te, tn);
    let b = Math.atan2(te, tn);
    if (b < 0) b += 2 * Math.PI;
    addComponent(m, COMP_RANGE, r + 20 * rnd(), 20);
    addComponent(m, COMP_BEARING, b + 0.01 * rnd(), 0.01);
    assert.equal(innovate(x, p, m, ws), true);
    applyUpdate(x, p, m, ws);
    if (k > 40) {
      const ee = x[0] - te;
      const en = x[1] - tn;
      // NEES of the horizontal position
      const a = p[0];
      const bb = p[1];
      const d = p[7];
      const det = a * d - bb * bb;
      nees += (d * ee * ee - 2 * bb * ee * en + a * en * en) / det;
      count++;
    }
  }
  assert.ok(Math.abs(x[3] - truthV[0]) < 3 && Math.abs(x[4] - truthV[1]) < 3, `velocity ${x[3]}, ${x[4]}`);
  const meanNees = nees / count;
  // 2 degrees of freedom: the mean should be near 2 for a consistent filter
  assert.ok(meanNees > 0.8 && meanNees < 4, `mean NEES ${meanNees}`);
  // covariance stays symmetric and positive
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) assert.equal(p[i * 6 + j], p[j * 6 + i]);
});

test('position update moves the state by the Kalman gain and shrinks the covariance', () => {
  const at = createLocalFrame(global, global.origin);
  const x = Float64Array.from([100, 0, 0, 0, 0, 0]);
  const p = new Float64Array(36);
  for (let i = 0; i < 6; i++) p[i * 6 + i] = 100 ** 2;
  const m = createMeasurement(at);
  addComponent(m, COMP_E, 0, 100);
  addComponent(m, COMP_N, 0, 100);
  const ws = createEkfWorkspace();
  assert.equal(innovate(x, p, m, ws), true);
  assert.ok(Math.abs(ws.d2 - (100 * 100) / (2 * 100 * 100)) < 1e-9); // ν = -100, S = 2·100²
  applyUpdate(x, p, m, ws);
  assert.ok(Math.abs(x[0] - 50) < 1e-9, `x=${x[0]}`);
  assert.ok(Math.abs(p[0] - 5000) < 1e-6, `P=${p[0]}`);
});

test('innovation with a non-positive-definite S is returned as failure', () => {
  const at = createLocalFrame(global, global.origin);
  const x = new Float64Array(6);
  const p = new Float64Array(36); // zero covariance
  const m = createMeasurement(at);
  addComponent(m, COMP_E, 0, 0); // zero noise
  assert.equal(innovate(x, p, m, createEkfWorkspace()), false);
});
