import { test } from 'node:test';
import assert from 'node:assert/strict';
import { degToRad, radToDeg, wrapPi, wrapTwoPi } from './angles.js';
import { mulberry32 } from '../math/mulberry32.js';

const rng = mulberry32;

const TWO_PI = 2 * Math.PI;

test('degToRad and radToDeg: known values and round trip', () => {
  assert.equal(degToRad(180), Math.PI);
  assert.equal(degToRad(-90), -Math.PI / 2);
  assert.equal(degToRad(0), 0);
  assert.equal(radToDeg(Math.PI), 180);
  assert.equal(radToDeg(Math.PI / 2), 90);
  const r = rng(1);
  for (let i = 0; i < 1000; i++) {
    const d = 720 * r() - 360;
    assert.ok(Math.abs(radToDeg(degToRad(d)) - d) <= 1e-13, `${d}`);
  }
});

test('wrapPi: boundaries and known values', () => {
  assert.equal(wrapPi(Math.PI), Math.PI);
  assert.equal(wrapPi(-Math.PI), Math.PI);
  assert.equal(wrapPi(3 * Math.PI), Math.PI);
  assert.equal(wrapPi(0), 0);
  assert.ok(Object.is(wrapPi(-0), 0));
  assert.equal(wrapPi(1), 1);
  assert.equal(wrapPi(-1), -1);
  assert.ok(Math.abs(wrapPi(-1.5 * Math.PI) - 0.5 * Math.PI) < 1e-15);
  assert.ok(Math.abs(wrapPi(TWO_PI + 0.25) - 0.25) < 1e-15);
  assert.ok(Math.abs(wrapPi(-TWO_PI - 0.25) + 0.25) < 1e-15);
  assert.ok(Number.isNaN(wrapPi(Number.POSITIVE_INFINITY)));
  assert.ok(Number.isNaN(wrapPi(Number.NaN)));
});

test('wrapTwoPi: boundaries and known values', () => {
  assert.equal(wrapTwoPi(0), 0);
  assert.ok(Object.is(wrapTwoPi(-0), 0));
  assert.equal(wrapTwoPi(TWO_PI), 0);
  assert.equal(wrapTwoPi(-TWO_PI), 0);
  assert.equal(wrapTwoPi(Math.PI), Math.PI);
  assert.ok(Math.abs(wrapTwoPi(-Math.PI / 2) - 1.5 * Math.PI) < 1e-15);
  assert.ok(Math.abs(wrapTwoPi(5 * Math.PI) - Math.PI) < 1e-14);
  // A tiny negative angle is just below 2π, which rounds to 2π: the result must still be < 2π.
  const tiny = wrapTwoPi(-1e-20);
  assert.ok(tiny >= 0 && tiny < TWO_PI, `${tiny}`);
  assert.ok(Number.isNaN(wrapTwoPi(Number.NEGATIVE_INFINITY)));
});

test('wrapPi and wrapTwoPi: range and congruence over random angles', () => {
  const r = rng(42);
  for (let i = 0; i < 5000; i++) {
    const scale = [1, 10, 1e3, 1e6][i % 4];
    const a = (2 * r() - 1) * scale;
    const p = wrapPi(a);
    const q = wrapTwoPi(a);
    assert.ok(p > -Math.PI && p <= Math.PI, `wrapPi(${a}) = ${p}`);
    assert.ok(q >= 0 && q < TWO_PI, `wrapTwoPi(${a}) = ${q}`);
    // Same direction as a: compare the unit vectors (tolerance grows with |a| through rounding of a itself).
    const tol = 1e-15 * Math.max(1, Math.abs(a)) * 4;
    assert.ok(Math.abs(Math.sin(p) - Math.sin(a)) <= tol && Math.abs(Math.cos(p) - Math.cos(a)) <= tol, `wrapPi(${a})`);
    assert.ok(Math.abs(Math.sin(q) - Math.sin(a)) <= tol && Math.abs(Math.cos(q) - Math.cos(a)) <= tol, `wrapTwoPi(${a})`);
    // The two agree modulo 2π.
    const d = q - p;
    assert.ok(d === 0 || Math.abs(d - TWO_PI) <= 1e-15 * Math.max(1, Math.abs(a)) * 8, `${a}: ${p} vs ${q}`);
  }
});
