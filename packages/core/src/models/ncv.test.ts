import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictNcv } from './ncv.js';
import { matMul, matMulABt } from '../linalg/dense.js';

test('predictNcv equals F·P·Fᵀ + Q computed densely', () => {
  const n = 6;
  const p = new Float64Array(n * n);
  // a full symmetric positive definite P
  const a = Float64Array.from({ length: 36 }, (_, i) => Math.sin(i * 1.7) + (i % 7 === 0 ? 3 : 0));
  matMulABt(a, a, p, 6, 6, 6);
  const g = Float64Array.from([2, 0.3, 0.1, 0.3, 1.5, -0.2, 0.1, -0.2, 0.05]);
  const x = Float64Array.from([100, -50, 300, 50, -10, 1]);
  for (const dt of [0.5, 4, -0.3]) {
    const f = new Float64Array(36);
    for (let i = 0; i < 6; i++) f[i * 6 + i] = 1;
    for (let i = 0; i < 3; i++) f[i * 6 + 3 + i] = dt;
    const fp = matMul(f, p, new Float64Array(36), 6, 6, 6);
    const fpft = matMulABt(fp, f, new Float64Array(36), 6, 6, 6);
    const adt = Math.abs(dt);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        fpft[i * 6 + j] += (adt ** 3 / 3) * g[i * 3 + j];
        fpft[i * 6 + 3 + j] += ((dt * adt) / 2) * g[i * 3 + j];
        fpft[(3 + i) * 6 + j] += ((dt * adt) / 2) * g[i * 3 + j];
        fpft[(3 + i) * 6 + 3 + j] += adt * g[i * 3 + j];
      }
    const xo = new Float64Array(6);
    const po = new Float64Array(36);
    predictNcv(x, p, dt, g, xo, po);
    for (let i = 0; i < 36; i++) assert.ok(Math.abs(po[i] - fpft[i]) < 1e-9 * Math.max(1, Math.abs(fpft[i])), `dt=${dt} P[${i}]`);
    assert.deepEqual(Array.from(xo), [100 + 50 * dt, -50 - 10 * dt, 300 + dt, 50, -10, 1]);
    // in place gives the same
    const xi = x.slice();
    const pi = p.slice();
    predictNcv(xi, pi, dt, g, xi, pi);
    assert.deepEqual(Array.from(pi), Array.from(po));
  }
});
