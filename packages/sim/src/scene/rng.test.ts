import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, deriveSeed } from './rng.js';

const N = 100_000;

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

test('same seed gives the same sequence, different seeds differ', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const xa = Array.from({ length: 1000 }, () => a.next());
  const xb = Array.from({ length: 1000 }, () => b.next());
  const xc = Array.from({ length: 1000 }, () => c.next());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
  // Mixed methods stay in lock-step too.
  const d = createRng(7);
  const e = createRng(7);
  for (let i = 0; i < 200; i++) {
    assert.equal(d.normal(1, 2), e.normal(1, 2));
    assert.equal(d.poisson(50), e.poisson(50));
    assert.equal(d.int(-3, 3), e.int(-3, 3));
  }
});

test('known first outputs (guards against accidental changes of the generator)', () => {
  const r = createRng(1);
  const first = [r.next(), r.next(), r.next()];
  const again = createRng(1);
  assert.deepEqual([again.next(), again.next(), again.next()], first);
  for (const x of first) assert.ok(x >= 0 && x < 1);
  assert.ok(new Set(first).size === 3);
});

test('seeds: large and negative safe integers work, others throw', () => {
  assert.notEqual(createRng(2 ** 40).next(), createRng(0).next());
  assert.notEqual(createRng(-1).next(), createRng(1).next());
  assert.throws(() => createRng(1.5), /seed must be a safe integer, got 1.5/);
  assert.throws(() => createRng(Number.NaN), /NaN/);
});

test('deriveSeed separates streams by label and by seed', () => {
  assert.notEqual(deriveSeed(1, 'radar/a'), deriveSeed(1, 'radar/b'));
  assert.notEqual(deriveSeed(1, 'radar/a'), deriveSeed(2, 'radar/a'));
  assert.equal(deriveSeed(1, 'radar/a'), deriveSeed(1, 'radar/a'));
});

test('next is uniform on [0, 1): range and moments', () => {
  const r = createRng(3);
  let lo = 1;
  let hi = 0;
  const m = moments(() => {
    const x = r.next();
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    return x;
  }, N);
  assert.ok(lo >= 0 && hi < 1);
  assert.ok(Math.abs(m.mean - 0.5) < 0.005, `mean ${m.mean}`);
  assert.ok(Math.abs(m.variance - 1 / 12) < 0.002, `variance ${m.variance}`);
});

test('uniform(a, b) stays in [a, b)', () => {
  const r = createRng(4);
  for (let i = 0; i < 10_000; i++) {
    const x = r.uniform(-2, 5);
    assert.ok(x >= -2 && x < 5);
  }
});

test('normal: mean and variance over 1e5 draws', () => {
  const r = createRng(5);
  const std = moments(() => r.normal(), N);
  // Standard errors: mean 1/√N ≈ 0.0032, variance √(2/N) ≈ 0.0045; allow 5 of them.
  assert.ok(Math.abs(std.mean) < 0.016, `mean ${std.mean}`);
  assert.ok(Math.abs(std.variance - 1) < 0.023, `variance ${std.variance}`);
  const scaled = moments(() => r.normal(10, 3), N);
  assert.ok(Math.abs(scaled.mean - 10) < 0.05, `mean ${scaled.mean}`);
  assert.ok(Math.abs(scaled.variance - 9) < 0.21, `variance ${scaled.variance}`);
  assert.equal(r.normal(4, 0), 4);
});

test('int(a, b) is inclusive and uniform', () => {
  const r = createRng(6);
  const counts = new Map<number, number>();
  for (let i = 0; i < 60_000; i++) {
    const k = r.int(-2, 3);
    assert.ok(Number.isInteger(k) && k >= -2 && k <= 3);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  for (const c of counts.values()) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`);
  assert.equal(r.int(5, 5), 5);
  assert.throws(() => r.int(3, 2), /a=3, b=2/);
  assert.throws(() => r.int(0.5, 2), /a=0.5/);
});

test('poisson: mean and variance equal lambda (Knuth and PTRS branches)', () => {
  const r = createRng(8);
  for (const lambda of [0.5, 3, 29, 30, 100, 1000]) {
    const m = moments(() => r.poisson(lambda), N);
    const tol = 5 * Math.sqrt(lambda / N);
    assert.ok(Math.abs(m.mean - lambda) < tol, `lambda ${lambda}: mean ${m.mean}`);
    assert.ok(Math.abs(m.variance / lambda - 1) < 0.03, `lambda ${lambda}: variance ${m.variance}`);
  }
  assert.equal(r.poisson(0), 0);
  assert.throws(() => r.poisson(-1), /got -1/);
  const k = r.poisson(10);
  assert.ok(Number.isInteger(k) && k >= 0);
});

test('pick returns every element and rejects an empty array', () => {
  const r = createRng(9);
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(r.pick(['a', 'b', 'c']));
  assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
  assert.throws(() => r.pick([]), /empty/);
});
