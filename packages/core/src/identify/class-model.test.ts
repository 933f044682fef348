import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_LABELS } from '../types.js';
import { CLASS_KINEMATICS, foldedSoftBandDensity, softBandDensity, toleranceFactor, type SoftBand } from './class-model.js';

test('the class table follows CLASS_LABELS and is well formed', () => {
  assert.deepEqual(
    CLASS_KINEMATICS.map((m) => m.label),
    [...CLASS_LABELS],
  );
  for (const m of CLASS_KINEMATICS) {
    for (const b of [m.speed, m.altitude]) {
      assert.ok(Number.isFinite(b.min) && Number.isFinite(b.max) && b.max > b.min, `${m.label} ${JSON.stringify(b)}`);
      assert.ok(b.soft > 0, `${m.label} ${JSON.stringify(b)}`);
    }
    assert.ok(m.speed.min >= 0, m.label);
    assert.ok(m.turnRateMax > 0 && m.turnRateSoft > 0, m.label);
    assert.ok(m.climbRateMax > 0 && m.descentRateMax > 0 && m.climbRateSoft > 0, m.label);
    assert.ok(m.rationale.length > 10, m.label);
  }
  const piston = CLASS_KINEMATICS[CLASS_LABELS.indexOf('piston_owa')];
  assert.ok(piston.speed.min <= 51 && 51 <= piston.speed.max, 'a Shahed cruises at about 51 m/s');
});

/** Trapezoid integral of f over [a, b] with n steps. */
function integrate(f: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = 0.5 * (f(a) + f(b));
  for (let i = 1; i < n; i++) s += f(a + i * h);
  return s * h;
}

test('soft bands are proper densities, also with a measurement error', () => {
  for (const m of CLASS_KINEMATICS) {
    for (const [band, extra] of [
      [m.altitude, 0],
      [m.altitude, 400],
      [m.speed, 0],
      [m.speed, 30],
    ] as [SoftBand, number][]) {
      const s = Math.hypot(band.soft, extra);
      const total = integrate((x) => softBandDensity(x, band, extra), band.min - 12 * s, band.max + 12 * s, 20000);
      assert.ok(Math.abs(total - 1) < 1e-6, `${m.label} ${total}`);
    }
    const s = m.speed.soft;
    const folded = integrate((x) => foldedSoftBandDensity(x, m.speed), 0, m.speed.max + 12 * s, 20000);
    assert.ok(Math.abs(folded - 1) < 1e-6, `${m.label} folded ${folded}`);
  }
});

test('soft band: flat inside, half height at the edges, Gaussian shoulders', () => {
  const b = { min: 40, max: 60, soft: 2 };
  // In the middle the shoulders are 5 σ away: flat to within 2·Q(5) ≈ 6e-7.
  assert.ok(Math.abs(softBandDensity(50, b) * 20 - 1) < 1e-6);
  assert.ok(Math.abs(softBandDensity(40, b) * 20 - 0.5) < 1e-6);
  assert.ok(Math.abs(softBandDensity(60, b) * 20 - 0.5) < 1e-6);
  assert.ok(softBandDensity(30, b) < 1e-6 / 20);
  // A band starting at 0 is flat down to 0 once folded.
  const z = { min: 0, max: 25, soft: 5 };
  assert.ok(Math.abs(foldedSoftBandDensity(0, z) - 1 / 25) < 1e-6);
  assert.ok(Math.abs(foldedSoftBandDensity(3, z) - 1 / 25) < 1e-6);
});

test('tolerance factor: 1 inside the envelope, Gaussian fall-off outside, wider with error', () => {
  assert.equal(toleranceFactor(0.1, -Infinity, 0.15, 0.05), 1);
  assert.equal(toleranceFactor(-50, -60, 5, 2), 1);
  assert.ok(Math.abs(toleranceFactor(0.2, -Infinity, 0.15, 0.05) - Math.exp(-0.5)) < 1e-12);
  assert.ok(Math.abs(toleranceFactor(-62, -60, 5, 2) - Math.exp(-0.5)) < 1e-12);
  assert.ok(toleranceFactor(9, -60, 5, 2, 10) > toleranceFactor(9, -60, 5, 2));
  assert.equal(toleranceFactor(1e9, -Infinity, Infinity, 1), 1);
});
