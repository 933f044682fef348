import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncateBelow } from './truncate.js';
import { mulberry32 } from '../math/mulberry32.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} against ${b}`);

test('a standard normal cut at its mean takes the half-normal moments', () => {
  const x = Float64Array.of(0);
  const p = Float64Array.of(1);
  assert.equal(truncateBelow(x, p, [1], 1, 0), true);
  close(x[0], Math.sqrt(2 / Math.PI), 1e-6, 'mean');
  close(p[0], 1 - 2 / Math.PI, 1e-6, 'variance');
});

test('a correlated state moves with the constrained component as sampling says', () => {
  // c = x0 + x1 (a = [1, 1]), bound c >= 1.5 above a mean of c = 0.5; x2 uncorrelated with c
  const mean = [0.2, 0.3, 5];
  const cov = [
    [1.0, 0.3, 0.0],
    [0.3, 0.5, 0.0],
    [0.0, 0.0, 2.0],
  ];
  const x = Float64Array.from(mean);
  const p = Float64Array.from(cov.flat());
  assert.equal(truncateBelow(x, p, [1, 1, 0], 3, 1.0), true);
  // the same moments by sampling the Gaussian and keeping what meets the bound
  const rnd = mulberry32(5);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const l00 = Math.sqrt(cov[0][0]);
  const l10 = cov[1][0] / l00;
  const l11 = Math.sqrt(cov[1][1] - l10 * l10);
  let n = 0;
  const s = [0, 0, 0];
  const ss = [0, 0, 0, 0];
  for (let i = 0; i < 400_000; i++) {
    const z0 = gauss();
    const z1 = gauss();
    const v0 = mean[0] + l00 * z0;
    const v1 = mean[1] + l10 * z0 + l11 * z1;
    const v2 = mean[2] + Math.sqrt(2) * gauss();
    if (v0 + v1 < 1.5) continue;
    n++;
    s[0] += v0;
    s[1] += v1;
    s[2] += v2;
    ss[0] += v0 * v0;
    ss[1] += v0 * v1;
    ss[2] += v1 * v1;
    ss[3] += v2 * v2;
  }
  const m = s.map((v) => v / n);
  close(x[0], m[0], 0.01, 'E x0');
  close(x[1], m[1], 0.01, 'E x1');
  close(x[2], 5, 1e-12, 'E x2 (uncorrelated: unchanged)');
  close(p[0], ss[0] / n - m[0] * m[0], 0.01, 'var x0');
  close(p[1], ss[1] / n - m[0] * m[1], 0.01, 'cov x0 x1');
  close(p[4], ss[2] / n - m[1] * m[1], 0.01, 'var x1');
  close(p[8], 2, 1e-12, 'var x2 (unchanged)');
  assert.ok(x[0] + x[1] >= 1.5, 'the truncated mean meets the bound');
});

test('a bound far below the mean leaves the estimate as it is; one far above puts the mean just past it', () => {
  const x = Float64Array.of(100);
  const p = Float64Array.of(4);
  assert.equal(truncateBelow(x, p, [1], 1, -13), false);
  assert.deepEqual([...x, ...p], [100, 4]);
  // 40 sigmas above: the tail underflows, the asymptote of the Mills ratio keeps it finite
  assert.equal(truncateBelow(x, p, [1], 1, 80), true);
  assert.ok(x[0] > 180 && x[0] < 180.2, `mean ${x[0]}`);
  assert.ok(p[0] >= 0 && p[0] < 0.01, `variance ${p[0]}`);
});

test('a sure value below the bound is moved onto it; a sure value above it stays', () => {
  const x = Float64Array.of(1, 2);
  const p = new Float64Array(4);
  assert.equal(truncateBelow(x, p, [0, 1], 2, 3), true);
  assert.deepEqual([...x], [1, 5]);
  assert.equal(truncateBelow(x, p, [0, 1], 2, -1), false);
  assert.deepEqual([...x], [1, 5]);
});

test('a state of more than 16 numbers is truncated as a short one is', () => {
  // 20 independent unit components; the cut on the last one takes the half-normal moments there
  const n = 20;
  const x = new Float64Array(n);
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) p[i * n + i] = 1;
  const a = new Float64Array(n);
  a[n - 1] = 1;
  assert.equal(truncateBelow(x, p, a, n, 0), true);
  close(x[n - 1], Math.sqrt(2 / Math.PI), 1e-6, 'mean');
  close(p[n * n - 1], 1 - 2 / Math.PI, 1e-6, 'variance');
  for (let i = 0; i < n - 1; i++) assert.equal(x[i], 0);
});
