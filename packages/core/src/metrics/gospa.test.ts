import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gospa } from './gospa.js';
import { mulberry32 } from '../math/mulberry32.js';

const rng = mulberry32;

function near(a: number, b: number, msg?: string, tol = 1e-9): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${msg ?? ''} ${a} != ${b}`);
}

/** Distance matrix between 1D point sets (metres). */
function dist1d(x: number[], y: number[]): Float64Array {
  const d = new Float64Array(x.length * y.length);
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) d[i * y.length + j] = Math.abs(x[i] - y[j]);
  return d;
}

function gospa1d(x: number[], y: number[], c: number, p: number) {
  return gospa(dist1d(x, y), x.length, y.length, c, p);
}

/** Brute-force GOSPA from the definition: every partial one-to-one assignment using pairs with d < c. */
function bruteGospa(d: Float64Array, n: number, m: number, c: number, p: number): number {
  const used = new Uint8Array(m);
  let best = Infinity;
  const rec = (i: number, sum: number, nPairs: number) => {
    if (i === n) {
      best = Math.min(best, sum + (Math.pow(c, p) / 2) * (n + m - 2 * nPairs));
      return;
    }
    rec(i + 1, sum, nPairs); // truth i missed
    for (let j = 0; j < m; j++) {
      const dij = d[i * m + j];
      if (used[j] || !(dij < c)) continue;
      used[j] = 1;
      rec(i + 1, sum + Math.pow(dij, p), nPairs + 1);
      used[j] = 0;
    }
  };
  rec(0, 0, 0);
  return Math.pow(best, 1 / p);
}

test('empty sets give 0', () => {
  const r = gospa(new Float64Array(0), 0, 0, 10, 2);
  assert.equal(r.gospa, 0);
  assert.equal(r.localisation, 0);
  assert.equal(r.missed, 0);
  assert.equal(r.false, 0);
  assert.equal(r.nMissed, 0);
  assert.equal(r.nFalse, 0);
  assert.equal(r.assignment.length, 0);
});

test('one truth, no estimate: (c^p/2)^(1/p), one missed', () => {
  for (const p of [1, 2, 3]) {
    const r = gospa(new Float64Array(0), 1, 0, 500, p);
    near(r.gospa, Math.pow(Math.pow(500, p) / 2, 1 / p), `p=${p}`);
    near(r.missed, r.gospa);
    assert.equal(r.false, 0);
    assert.equal(r.nMissed, 1);
    assert.equal(r.nFalse, 0);
    assert.deepEqual(Array.from(r.assignment), [-1]);
  }
  // No truth, two estimates: two false targets.
  const r = gospa(new Float64Array(0), 0, 2, 10, 2);
  near(r.gospa, Math.sqrt(100));
  assert.equal(r.nFalse, 2);
  near(r.false, 10);
});

test('one truth, one estimate at 100 m with c = 500: 100 m, all localisation', () => {
  for (const p of [1, 2, 4]) {
    const r = gospa(Float64Array.from([100]), 1, 1, 500, p);
    near(r.gospa, 100, `p=${p}`);
    near(r.localisation, 100);
    assert.equal(r.missed, 0);
    assert.equal(r.false, 0);
    assert.deepEqual(Array.from(r.assignment), [0]);
  }
});

test('one truth, one estimate beyond (or at) c: one missed plus one false', () => {
  for (const d of [600, 500, Infinity]) {
    const r = gospa(Float64Array.from([d]), 1, 1, 500, 2);
    near(r.gospa, Math.sqrt(500 * 500), `d=${d}`);
    assert.equal(r.localisation, 0);
    near(r.missed, Math.sqrt(500 * 500 / 2));
    near(r.false, Math.sqrt(500 * 500 / 2));
    assert.equal(r.nMissed, 1);
    assert.equal(r.nFalse, 1);
    assert.deepEqual(Array.from(r.assignment), [-1]);
  }
});

test('two truths, three estimates, by hand (greedy nearest-first would be wrong)', () => {
  // Truths at 0 and 4 m, estimates at 3, 7 and 100 m, c = 5 m, p = 2.
  // d = [[3, 7, 100], [1, 3, 96]]; costs min(d², 25) = [[9, 25, 25], [1, 9, 25]].
  // Best: t0→e0 (9) + t1→e1 (9) = 18, plus estimate e2 false: 25/2 → GOSPA² = 30.5.
  // (Greedy t1→e0 at 1 m leaves t0 with e1 at 7 m ≥ c: 1 + 25/2·2 + 25/2 = 38.5.)
  const r = gospa1d([0, 4], [3, 7, 100], 5, 2);
  near(r.gospa, Math.sqrt(30.5));
  near(r.localisation, Math.sqrt(18));
  assert.equal(r.missed, 0);
  near(r.false, Math.sqrt(12.5));
  assert.equal(r.nMissed, 0);
  assert.equal(r.nFalse, 1);
  assert.deepEqual(Array.from(r.assignment), [0, 1]);
  // Same sets with p = 1: costs min(d, 5) = [[3, 5, 5], [1, 3, 5]]; best 3 + 3 + 2.5 (e2 false)
  // = 8.5, tied with t1→e0 + t0 missed + e1, e2 false = 1 + 2.5 + 5: only the value is checked.
  near(gospa1d([0, 4], [3, 7, 100], 5, 1).gospa, 8.5);
});

test('agrees with a brute-force evaluation of the definition', () => {
  const r = rng(31);
  for (let trial = 0; trial < 1500; trial++) {
    const n = Math.floor(r() * 6);
    const m = Math.floor(r() * 6);
    const d = new Float64Array(n * m);
    for (let k = 0; k < d.length; k++) d[k] = r() * 30;
    const c = 5 + r() * 20;
    const p = [1, 2, 3][trial % 3];
    const res = gospa(d, n, m, c, p);
    near(res.gospa, bruteGospa(d, n, m, c, p), `trial ${trial}`);
    // Parts recombine in the p-th power, and the counts match the assignment.
    near(Math.pow(res.gospa, p), Math.pow(res.localisation, p) + Math.pow(res.missed, p) + Math.pow(res.false, p));
    const nAssigned = res.assignment.reduce((s, j) => s + (j >= 0 ? 1 : 0), 0);
    assert.equal(res.nMissed, n - nAssigned);
    assert.equal(res.nFalse, m - nAssigned);
    let loc = 0;
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const j = res.assignment[i];
      if (j < 0) continue;
      assert.ok(!seen.has(j));
      seen.add(j);
      assert.ok(d[i * m + j] < c);
      loc += Math.pow(d[i * m + j], p);
    }
    near(res.localisation, Math.pow(loc, 1 / p));
  }
});

test('metric properties on random 1D point sets: identity, symmetry, triangle inequality', () => {
  const r = rng(77);
  const randomSet = () => Array.from({ length: Math.floor(r() * 5) }, () => r() * 40);
  for (let trial = 0; trial < 2000; trial++) {
    const c = 2 + r() * 10;
    const p = [1, 2, 3][trial % 3];
    const x = randomSet();
    const y = randomSet();
    const z = randomSet();
    const dxy = gospa1d(x, y, c, p).gospa;
    const dyz = gospa1d(y, z, c, p).gospa;
    const dxz = gospa1d(x, z, c, p).gospa;
    // Identity.
    assert.equal(gospa1d(x, x, c, p).gospa, 0);
    // Symmetry: the transposed distance matrix gives the same value.
    const dyx = gospa(dist1d(y, x), y.length, x.length, c, p);
    near(dyx.gospa, dxy, `symmetry trial ${trial}`);
    // Positivity for distinct sets of different sizes.
    if (x.length !== y.length) assert.ok(dxy > 0);
    // Triangle inequality.
    assert.ok(dxz <= dxy + dyz + 1e-9, `triangle trial ${trial}: ${dxz} > ${dxy} + ${dyz}`);
  }
});

test('programmer errors throw with the bad value', () => {
  assert.throws(() => gospa(Float64Array.from([1]), 1, 1, 0, 2), /got 0/);
  assert.throws(() => gospa(Float64Array.from([1]), 1, 1, 10, 0.5), /got 0\.5/);
  assert.throws(() => gospa(Float64Array.from([-1]), 1, 1, 10, 2), /got -1/);
  assert.throws(() => gospa(Float64Array.from([NaN]), 1, 1, 10, 2), /NaN/);
  assert.throws(() => gospa(new Float64Array(1), 1, 2, 10, 2), /1 entries/);
});
