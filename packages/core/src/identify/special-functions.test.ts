import { test } from 'node:test';
import assert from 'node:assert/strict';
import { besselI0e, erfc, normalCdf, normalInterval, normalUpperTail } from './special-functions.js';

/** Reference values from SciPy 1.x (scipy.special.erfc, i0, i0e), double precision. */
const ERFC: [number, number][] = [
  [0, 1],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028516],
  [2, 0.004677734981047266],
  [3, 2.2090496998585445e-5],
  [5, 1.5374597944280347e-12],
  [-1, 1.8427007929497148],
];

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

test('erfc: SciPy reference values, relative error below 1.2e-7', () => {
  for (const [x, v] of ERFC) close(erfc(x), v, 1.2e-7, `erfc(${x})`);
  assert.equal(erfc(Number.POSITIVE_INFINITY), 0);
  assert.equal(erfc(Number.NEGATIVE_INFINITY), 2);
  assert.ok(Number.isNaN(erfc(Number.NaN)));
});

test('normal distribution: symmetry, tails and intervals', () => {
  // The Chebyshev fit is good to 1.2e-7 relative, not to the last bit: erfc(0) is 1 ± 1.2e-7.
  close(normalCdf(0), 0.5, 1.2e-7, 'Φ(0)');
  close(normalCdf(1.959963984540054), 0.975, 1.2e-7, 'Φ(1.96)');
  for (const u of [-6, -2.5, -1, 0, 0.3, 1, 4]) {
    assert.ok(Math.abs(normalCdf(u) + normalUpperTail(u) - 1) < 2.4e-7, `${u}`);
    assert.equal(normalCdf(-u), normalUpperTail(u), `${u}`);
  }
  // A far-tail interval keeps its relative accuracy (1 − Φ would lose every digit).
  close(normalInterval(8, 9), normalUpperTail(8) - normalUpperTail(9), 1e-12, 'tail');
  assert.ok(normalInterval(8, 9) > 6e-16 && normalInterval(8, 9) < 7e-16);
  close(normalInterval(-9, -8), normalInterval(8, 9), 1e-12, 'mirror');
  close(normalInterval(-1, 1), 0.6826894921370859, 1e-7, '±1σ');
  assert.equal(normalInterval(2, 2), 0);
});

test('besselI0e: SciPy reference values across both approximation ranges', () => {
  const cases: [number, number][] = [
    [0, 1],
    [0.5, 0.64503527044915],
    [1, 1.2660658777520082 * Math.exp(-1)],
    [3.75, 9.118945860844567 * Math.exp(-3.75)],
    [10, 2815.716628466254 * Math.exp(-10)],
    [100, 0.03994437929909668],
  ];
  for (const [x, v] of cases) {
    close(besselI0e(x), v, 5e-7, `I0e(${x})`);
    close(besselI0e(-x), v, 5e-7, `I0e(${-x})`);
  }
  // Never overflows, stays in (0, 1].
  for (const x of [700, 1e4, 1e8, 1e300]) {
    const v = besselI0e(x);
    assert.ok(v > 0 && v <= 1, `${x}: ${v}`);
    close(v, 1 / Math.sqrt(2 * Math.PI * x), 1e-3, `asymptote ${x}`);
  }
});
