import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, invFromCholesky, logDetFromCholesky, mahalanobisSq, matMul, matMulABt, symmetrize } from './dense.js';

function randomSpd(n: number, seed: number): Float64Array {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = rnd();
  const out = new Float64Array(n * n);
  matMulABt(a, a, out, n, n, n);
  for (let i = 0; i < n; i++) out[i * n + i] += 0.1;
  return out;
}

test('matMul and matMulABt agree with hand values', () => {
  const a = Float64Array.from([1, 2, 3, 4, 5, 6]); // 2×3
  const b = Float64Array.from([7, 8, 9, 10, 11, 12]); // 3×2
  assert.deepEqual(Array.from(matMul(a, b, new Float64Array(4), 2, 3, 2)), [58, 64, 139, 154]);
  // a·aᵀ
  assert.deepEqual(Array.from(matMulABt(a, a, new Float64Array(4), 2, 3, 2)), [14, 32, 32, 77]);
});

test('cholesky reconstructs, inverse is an inverse, log-det and Mahalanobis agree', () => {
  for (let n = 2; n <= 9; n++) {
    const a = randomSpd(n, n * 7 + 1);
    const l = new Float64Array(n * n);
    assert.equal(cholesky(a, n, l), true);
    const llt = matMulABt(l, l, new Float64Array(n * n), n, n, n);
    for (let i = 0; i < n * n; i++) assert.ok(Math.abs(llt[i] - a[i]) < 1e-10, `n=${n} LLᵀ[${i}]`);
    const inv = invFromCholesky(l, n, new Float64Array(n * n), new Float64Array(n * n));
    const id = matMul(a, inv, new Float64Array(n * n), n, n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(id[i * n + j] - (i === j ? 1 : 0)) < 1e-8, `n=${n} A·A⁻¹[${i},${j}]=${id[i * n + j]}`);
    const v = Array.from({ length: n }, (_, i) => i - n / 2);
    let expect = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect += v[i] * inv[i * n + j] * v[j];
    assert.ok(Math.abs(mahalanobisSq(l, n, v, new Float64Array(n)) - expect) < 1e-8 * Math.max(1, expect));
    // log det: compare with product of squared diagonal
    let prod = 1;
    for (let i = 0; i < n; i++) prod *= l[i * n + i] ** 2;
    assert.ok(Math.abs(logDetFromCholesky(l, n) - Math.log(prod)) < 1e-10);
  }
});

test('cholesky reports a matrix that is not positive definite as false', () => {
  assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2, new Float64Array(4)), false);
  assert.equal(cholesky(Float64Array.from([0, 0, 0, 1]), 2, new Float64Array(4)), false);
  assert.equal(cholesky(Float64Array.from([NaN, 0, 0, 1]), 2, new Float64Array(4)), false);
});

test('symmetrize averages the off-diagonal pairs', () => {
  assert.deepEqual(Array.from(symmetrize(Float64Array.from([1, 2, 4, 3]), 2)), [1, 3, 3, 3]);
});
