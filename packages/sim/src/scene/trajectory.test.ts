import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, geodeticToEnu, horizontalDistance, type GeoPoint } from '@skywarden/core';
import { compileTrajectory, sampleTarget, targetEndTime, type SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;
const T0 = 1764000000;
const START: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 500 };

function target(partial: Partial<SimTarget>): SimTarget {
  return { id: 'T1', cls: 'piston_owa', start: START, startTime: T0, speed: 50, heading: 0, legs: [], ...partial };
}

function headingOf(v: readonly number[]): number {
  const h = Math.atan2(v[0], v[1]);
  return h < 0 ? h + 2 * Math.PI : h;
}

test('a straight level leg advances speed·t along the heading', () => {
  const tg = target({ heading: 60 * DEG, legs: [{ duration: 200, turnRate: 0, climbRate: 0 }] });
  const frame = createEnuFrame(START);
  for (const dt of [0, 1, 37.5, 100, 200]) {
    const s = sampleTarget(tg, T0 + dt);
    assert.ok(s);
    const enu = geodeticToEnu(frame, s.position);
    const dist = Math.hypot(enu[0], enu[1]);
    // Following the Earth's curvature shifts the point by d³/2R² in the start plane: 1.2 cm at 10 km.
    assert.ok(Math.abs(dist - 50 * dt) < 0.005 + (50 * dt) ** 3 / (2 * 6.37e6 ** 2), `dt ${dt}: ${dist}`);
    if (dt > 0) assert.ok(Math.abs(Math.atan2(enu[0], enu[1]) - 60 * DEG) < 1e-6);
    assert.equal(s.position.altM, 500);
    assert.ok(Math.abs(s.speed - 50) < 1e-12);
    assert.ok(Math.abs(Math.hypot(s.velocityEnu[0], s.velocityEnu[1]) - 50) < 1e-3);
    assert.equal(s.velocityEnu[2], 0);
    // Ground distance agrees to within the height scaling (500 m / 6400 km of 10 km ≈ 0.8 m).
    assert.ok(Math.abs(horizontalDistance(START, s.position) - 50 * dt) < 1.5);
  }
});

test('altitude follows the climb rate above the ellipsoid, not the tangent plane', () => {
  const tg = target({ legs: [{ duration: 1200, turnRate: 0, climbRate: 0 }, { duration: 100, turnRate: 0, climbRate: 2 }] });
  const level = sampleTarget(tg, T0 + 1200);
  assert.ok(level);
  assert.equal(level.position.altM, 500); // 60 km on: a straight line in the plane would be ~280 m higher
  const climbed = sampleTarget(tg, T0 + 1250);
  assert.ok(climbed);
  assert.ok(Math.abs(climbed.position.altM - 600) < 1e-9);
  assert.equal(climbed.velocityEnu[2], 2);
});

test('a 90° left turn at 3°/s over 30 s: heading −90°, speed kept, quarter circle of radius v/ω', () => {
  const w = 3 * DEG;
  const tg = target({ heading: 0, legs: [{ duration: 30, turnRate: w, climbRate: 0 }] });
  const s = sampleTarget(tg, T0 + 30);
  assert.ok(s);
  assert.ok(Math.abs(s.heading - 270 * DEG) < 1e-9, `heading ${s.heading}`);
  assert.ok(Math.abs(s.speed - 50) < 1e-12);
  assert.ok(Math.abs(Math.hypot(s.velocityEnu[0], s.velocityEnu[1]) - 50) < 1e-3);
  // The local velocity points west to within the frame rotation over 1 km (≪ 0.01°).
  assert.ok(Math.abs(headingOf(s.velocityEnu) - 270 * DEG) < 0.01 * DEG);
  const r = 50 / w;
  const enu = geodeticToEnu(createEnuFrame(START), s.position);
  assert.ok(Math.abs(enu[0] + r) < 0.01, `east ${enu[0]} vs ${-r}`);
  assert.ok(Math.abs(enu[1] - r) < 0.01, `north ${enu[1]} vs ${r}`);
  // A right turn mirrors it.
  const right = sampleTarget(target({ legs: [{ duration: 30, turnRate: -w, climbRate: 0 }] }), T0 + 30);
  assert.ok(right);
  assert.ok(Math.abs(right.heading - 90 * DEG) < 1e-9);
});

test('turn integration is continuous across the series/closed-form switch and as the rate goes to 0', () => {
  const frame = createEnuFrame(START);
  const at = (turnRate: number, tau: number): Float64Array => {
    const s = sampleTarget(target({ heading: 0.3, legs: [{ duration: 100, turnRate, climbRate: 0, accel: 0.2 }] }), T0 + tau);
    assert.ok(s);
    return geodeticToEnu(frame, s.position);
  };
  // k·τ = 0.5 is the switch: just below and just above give nearly the same point.
  const a = at(0.005, 99.9999);
  const b = at(0.005, 100);
  assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) < 0.01);
  const straight = at(0, 100);
  const tiny = at(1e-12, 100);
  assert.ok(Math.hypot(straight[0] - tiny[0], straight[1] - tiny[1]) < 1e-6);
  // Straight with acceleration: v0·t + a·t²/2 = 5000 + 1000.
  assert.ok(Math.abs(Math.hypot(straight[0], straight[1]) - 6000) < 0.01);
});

test('legs chain: state at the end of one leg starts the next', () => {
  const tg = target({
    legs: [
      { duration: 30, turnRate: 3 * DEG, climbRate: 1 },
      { duration: 40, turnRate: 0, climbRate: 0, accel: 0.5 },
      { duration: 30, turnRate: -2 * DEG, climbRate: -1, accel: -0.5 },
    ],
  });
  assert.equal(targetEndTime(tg), T0 + 100);
  for (const tb of [30, 70]) {
    const before = sampleTarget(tg, T0 + tb - 1e-6);
    const after = sampleTarget(tg, T0 + tb + 1e-6);
    assert.ok(before && after);
    assert.ok(horizontalDistance(before.position, after.position) < 1e-3);
    assert.ok(Math.abs(before.speed - after.speed) < 1e-5);
    assert.ok(Math.abs(before.heading - after.heading) < 1e-6);
  }
  const end = sampleTarget(tg, T0 + 100);
  assert.ok(end);
  assert.ok(Math.abs(end.speed - 55) < 1e-9);
  assert.ok(Math.abs(end.position.altM - 500) < 1e-9);
  assert.ok(Math.abs(end.heading - (360 - 90 + 60) * DEG) < 1e-9);
});

test('velocity is the derivative of position (finite differences in the local frame)', () => {
  const tg = target({ heading: 1, legs: [{ duration: 600, turnRate: 2 * DEG, climbRate: 1.5, accel: 0.02 }] });
  const tm = T0 + 450;
  const s = sampleTarget(tg, tm);
  const p = sampleTarget(tg, tm + 0.01);
  const m = sampleTarget(tg, tm - 0.01);
  assert.ok(s && p && m);
  const frame = createEnuFrame(s.position);
  const ep = geodeticToEnu(frame, p.position);
  const em = geodeticToEnu(frame, m.position);
  for (let i = 0; i < 3; i++) {
    const fd = (ep[i] - em[i]) / 0.02;
    assert.ok(Math.abs(fd - s.velocityEnu[i]) < 1e-3, `axis ${i}: ${fd} vs ${s.velocityEnu[i]}`);
  }
});

test('null before the start and after the last leg', () => {
  const tg = target({ startTime: T0 + 10, legs: [{ duration: 20, turnRate: 0, climbRate: 0 }] });
  assert.equal(sampleTarget(tg, T0 + 9.999), null);
  assert.ok(sampleTarget(tg, T0 + 10));
  assert.ok(sampleTarget(tg, T0 + 30));
  assert.equal(sampleTarget(tg, T0 + 30.001), null);
  assert.equal(sampleTarget(tg, Number.NaN), null);
});

test('bad inputs throw with the value', () => {
  assert.throws(() => compileTrajectory(target({ speed: -1 })), /speed must be >= 0, got -1/);
  assert.throws(() => compileTrajectory(target({ legs: [{ duration: -5, turnRate: 0, climbRate: 0 }] })), /duration must be >= 0, got -5/);
  assert.throws(() => compileTrajectory(target({ legs: [{ duration: 10, turnRate: 0, climbRate: 0, accel: -10 }] })), /speed to -50/);
  assert.throws(() => compileTrajectory(target({ heading: Number.NaN })), /heading must be a finite number/);
});
