import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareQuantile, fitSweep, sweeps } from './bearing-sweep.js';
import { mulberry32 } from '../math/mulberry32.js';
import { normals } from '../tracker/testing.js';

test('chiSquareQuantile: close to the tables (99 %: 6.63 at 1, 23.21 at 10, 50.89 at 30 degrees of freedom)', () => {
  // Wilson-Hilferty is rough at one degree of freedom (6.66 for 6.63), close from a few on
  assert.ok(Math.abs(chiSquareQuantile(1, 0.99) - 6.635) < 0.1);
  assert.ok(Math.abs(chiSquareQuantile(10, 0.99) - 23.209) < 0.05);
  assert.ok(Math.abs(chiSquareQuantile(30, 0.99) - 50.892) < 0.05);
  assert.ok(Math.abs(chiSquareQuantile(10, 0.5) - 9.342) < 0.02);
});

test('fitSweep: the turn rate of a noiseless turn, across north (unwrapped); the still model misfits it, the turning one fits; null when it cannot fit', () => {
  const t = [0, 2, 4, 6, 8];
  const sd = t.map(() => 0.05);
  // 6.20 rad turning at 0.05 rad/s: crosses 2π between reports
  const f = fitSweep(t, t.map((u) => (6.2 + 0.05 * u) % (2 * Math.PI)), sd)!;
  assert.ok(Math.abs(f.rate - 0.05) < 1e-9, `rate ${f.rate}`);
  assert.ok(f.chi2Turn < 1e-9, `turning residual ${f.chi2Turn}`);
  // still: residuals 0.2, 0.1, 0, -0.1, -0.2 rad over 0.05: 16 + 4 + 0 + 4 + 16
  assert.ok(Math.abs(f.chi2Still - 40) < 1e-9, `still residual ${f.chi2Still}`);
  // a curved turn (a passing source): the quadratic takes it whole
  const g = fitSweep(t, t.map((u) => 1 + 0.02 * u + 0.004 * u * u), sd)!;
  assert.ok(g.chi2Turn < 1e-9 && Math.abs(g.rate - (0.02 + 2 * 0.004 * 4)) < 1e-9, JSON.stringify(g));
  assert.equal(fitSweep([0, 1, 2], [0, 0.1, 0.2], [0.05, 0.05, 0.05]), null);
  assert.equal(fitSweep([3, 3, 3, 3], [0, 0.1, 0.2, 0.3], [0.05, 0.05, 0.05, 0.05]), null);
});

test('sweeps: a still source is taken for a mover about as often as the test level says; a turning bearing is found; scattered bearings are not a sweep', (tc) => {
  const rnd = normals(11);
  const rng = mulberry32(12);
  const sd = 0.1;
  for (const n of [5, 10]) {
    const t = Array.from({ length: n }, (_, i) => 2 * i); // a report every 2 s
    const sds = t.map(() => sd);
    let stillAsMover = 0;
    let moverFound = 0;
    let scatterAsMover = 0;
    const N = 4000;
    for (let k = 0; k < N; k++) {
      const b0 = rng() * 2 * Math.PI;
      if (sweeps(fitSweep(t, t.map(() => b0 + sd * rnd()), sds))) stillAsMover++;
      // 0.1 rad/s: a drone at 50 m/s passing 500 m from the array
      if (sweeps(fitSweep(t, t.map((u) => b0 + 0.1 * u + sd * rnd()), sds))) moverFound++;
      if (sweeps(fitSweep(t, t.map(() => rng() * 2 * Math.PI), sds))) scatterAsMover++;
    }
    const msg = `${n} bearings: still taken for a mover ${stillAsMover}, mover found ${moverFound}, scattered taken for a turn ${scatterAsMover}, of ${N}`;
    // p = 0.9973: 0.27 % of still runs pass the first condition; the fit condition takes a little more off
    assert.ok(stillAsMover / N < 0.006, msg);
    assert.ok(moverFound / N > 0.9, msg);
    // five random bearings fit a quadratic in time (three parameters) within its 99 % quantile
    // now and then (about 3 %); ten hardly ever
    if (n >= 10) assert.ok(scatterAsMover / N < 0.01, msg);
    else assert.ok(scatterAsMover / N < 0.05, msg);
    tc.diagnostic(msg);
  }
});
