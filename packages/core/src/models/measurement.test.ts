import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame } from '../geo/index.js';
import { createLocalFrame, fromLocal, toLocal } from './local-frame.js';
import {
  addComponent,
  COMP_BEARING,
  COMP_E,
  COMP_ELEVATION,
  COMP_N,
  COMP_RANGE,
  COMP_RANGE_RATE,
  COMP_U,
  createMeasurement,
  evaluateMeasurement,
  measurementResidual,
} from './measurement.js';

const global = createEnuFrame({ latDeg: 37.5, lonDeg: 127.0, altM: 0 });

test('local frame maps to and from the global frame consistently', () => {
  const f = createLocalFrame(global, { latDeg: 37.9, lonDeg: 126.6, altM: 120 });
  const x = Float64Array.from([1234, -5678, 900]);
  const back = fromLocal(f, toLocal(f, x, new Float64Array(3)), new Float64Array(3));
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(back[i] - x[i]) < 1e-6);
});

test('analytic Jacobians match central differences for every component', () => {
  const sensor = createLocalFrame(global, { latDeg: 37.7, lonDeg: 127.2, altM: 50 });
  const m = createMeasurement(sensor);
  addComponent(m, COMP_RANGE, 0, 1);
  addComponent(m, COMP_BEARING, 0, 1);
  addComponent(m, COMP_ELEVATION, 0, 1);
  addComponent(m, COMP_RANGE_RATE, 0, 1);
  const m2 = createMeasurement(sensor);
  addComponent(m2, COMP_E, 0, 1);
  addComponent(m2, COMP_N, 0, 1);
  addComponent(m2, COMP_U, 0, 1);
  const states = [
    [5000, 20000, 800, 40, -30, 1],
    [-15000, 30000, 1500, -45, 10, -2],
    [25000, 18000, 100, 150, 20, 0],
  ];
  // acoustic: bearing, elevation and position with the sound's travel time
  const m3 = createMeasurement(sensor);
  m3.delay = 1 / 343;
  addComponent(m3, COMP_BEARING, 0, 1);
  addComponent(m3, COMP_ELEVATION, 0, 1);
  addComponent(m3, COMP_E, 0, 1);
  addComponent(m3, COMP_RANGE, 0, 1);
  for (const meas of [m, m2, m3]) {
    for (const s of states) {
      const x = Float64Array.from(s);
      const z0 = new Float64Array(4);
      const h = new Float64Array(24);
      assert.equal(evaluateMeasurement(meas, x, z0, h), true);
      for (let j = 0; j < 6; j++) {
        const eps = j < 3 ? 0.5 : 0.01;
        const xp = x.slice();
        const xm = x.slice();
        xp[j] += eps;
        xm[j] -= eps;
        const zp = new Float64Array(4);
        const zm = new Float64Array(4);
        const tmp = new Float64Array(24);
        evaluateMeasurement(meas, xp, zp, tmp);
        evaluateMeasurement(meas, xm, zm, tmp);
        for (let k = 0; k < meas.dim; k++) {
          const num = (zp[k] - zm[k]) / (2 * eps);
          const ana = h[k * 6 + j];
          assert.ok(Math.abs(num - ana) <= 1e-6 + 1e-5 * Math.abs(ana), `comp ${meas.comps[k]} d/dx${j}: numeric ${num} analytic ${ana}`);
        }
      }
    }
  }
});

test('range and bearing of a target due north-east of the sensor', () => {
  const at = { latDeg: 37.5, lonDeg: 127.0, altM: 0 };
  const sensor = createLocalFrame(global, at); // same as the global origin: identity map
  const m = createMeasurement(sensor);
  addComponent(m, COMP_RANGE, 0, 1);
  addComponent(m, COMP_BEARING, 0, 1);
  addComponent(m, COMP_ELEVATION, 0, 1);
  const zhat = new Float64Array(4);
  evaluateMeasurement(m, Float64Array.from([3000, 3000, 0, 0, 0, 0]), zhat, new Float64Array(24));
  assert.ok(Math.abs(zhat[0] - Math.hypot(3000, 3000)) < 1e-6);
  assert.ok(Math.abs(zhat[1] - Math.PI / 4) < 1e-12);
  assert.ok(Math.abs(zhat[2]) < 1e-12);
});

test('bearing residuals wrap across north', () => {
  const m = createMeasurement(createLocalFrame(global, global.origin));
  addComponent(m, COMP_BEARING, 0.01, 0.1);
  const out = measurementResidual(m, Float64Array.from([2 * Math.PI - 0.01]), new Float64Array(1));
  assert.ok(Math.abs(out[0] - 0.02) < 1e-12, `residual ${out[0]}`);
});

test('a target at the sensor makes the range/bearing model report failure', () => {
  const f = createLocalFrame(global, global.origin);
  const m = createMeasurement(f);
  addComponent(m, COMP_RANGE, 0, 1);
  addComponent(m, COMP_BEARING, 0, 1);
  assert.equal(evaluateMeasurement(m, new Float64Array(6), new Float64Array(4), new Float64Array(24)), false);
});

test('with a propagation delay the model sees the target where it was when the sound left it', () => {
  const sensor = createLocalFrame(global, global.origin);
  const m = createMeasurement(sensor);
  m.delay = 1 / 343;
  addComponent(m, COMP_E, 0, 1);
  addComponent(m, COMP_N, 0, 1);
  addComponent(m, COMP_RANGE, 0, 1);
  // target 2.5 km north of the sensor at ground level, flying east at 50 m/s
  const x = Float64Array.from([0, 2500, 0, 50, 0, 0]);
  const z = new Float64Array(4);
  evaluateMeasurement(m, x, z, new Float64Array(24));
  // emission time τ solves τ = ‖(−50τ, 2500)‖/343, τ = 2500/√(343² − 50²) ≈ 7.37 s: the target was ~368 m west
  const tau = Math.hypot(z[0], z[1]) / 343;
  assert.ok(Math.abs(tau - 2500 / Math.sqrt(343 * 343 - 50 * 50)) < 1e-9, `tau ${tau}`);
  assert.ok(Math.abs(z[0] + 50 * tau) < 1e-6, `east ${z[0]}`);
  assert.ok(Math.abs(z[1] - 2500) < 1e-6);
  assert.ok(Math.abs(z[2] - 343 * tau) < 1e-6);
});
