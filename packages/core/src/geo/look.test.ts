import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GeoPoint } from '../types.js';
import { destination, initialBearing } from './distance.js';
import { createEnuFrame, geodeticToEnu } from './enu.js';
import { enuToLook, lookAngles, lookToEnu } from './look.js';
import { WGS84_A, WGS84_E2 } from './wgs84.js';
import { mulberry32 } from '../math/mulberry32.js';

const rng = mulberry32;

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

/** Angle difference reduced to [−π, π]. */
function dAng(a: number, b: number): number {
  return Math.atan2(Math.sin(a - b), Math.cos(a - b));
}

test('enuToLook: cardinal directions, zenith, nadir and zero', () => {
  const cases: [number, number, number, number, number, number][] = [
    // e, n, u, range, bearing, elevation
    [0, 10, 0, 10, 0, 0],
    [10, 0, 0, 10, Math.PI / 2, 0],
    [0, -10, 0, 10, Math.PI, 0],
    [-0, -10, 0, 10, Math.PI, 0],
    [-10, 0, 0, 10, 1.5 * Math.PI, 0],
    [3, 4, 0, 5, Math.atan2(3, 4), 0],
    [0, 0, 7, 7, 0, Math.PI / 2],
    [0, 0, -7, 7, 0, -Math.PI / 2],
    [0, 0, 0, 0, 0, 0],
    [1, 1, Math.SQRT2, 2, Math.PI / 4, Math.PI / 4],
  ];
  for (const [e, n, u, range, bearing, elevation] of cases) {
    const l = enuToLook(e, n, u);
    near(l.range, range, 1e-12, `range of ${e},${n},${u}`);
    near(l.bearing, bearing, 1e-15, `bearing of ${e},${n},${u}`);
    near(l.elevation, elevation, 1e-15, `elevation of ${e},${n},${u}`);
  }
  // Just west of north: bearing just below 2π, never 2π itself.
  const b = enuToLook(-1e-300, 1, 0).bearing;
  assert.ok(b >= 0 && b < 2 * Math.PI, `${b}`);
});

test('enuToLook / lookToEnu round trip and ranges', () => {
  const r = rng(21);
  for (let i = 0; i < 5000; i++) {
    const scale = [1, 1e3, 1e5, 1e7][i % 4];
    const e = (2 * r() - 1) * scale;
    const n = (2 * r() - 1) * scale;
    const u = (2 * r() - 1) * scale;
    const l = enuToLook(e, n, u);
    assert.ok(l.bearing >= 0 && l.bearing < 2 * Math.PI, `bearing ${l.bearing}`);
    assert.ok(l.elevation >= -Math.PI / 2 && l.elevation <= Math.PI / 2, `elevation ${l.elevation}`);
    near(l.range, Math.hypot(e, n, u), 1e-15 * scale * 4, 'range');
    const v = lookToEnu(l.range, l.bearing, l.elevation);
    near(v[0], e, 1e-14 * scale * 4, 'e');
    near(v[1], n, 1e-14 * scale * 4, 'n');
    near(v[2], u, 1e-14 * scale * 4, 'u');
  }
  const out = new Float64Array(3);
  assert.equal(lookToEnu(1, 0, 0, out), out);
  near(out[1], 1, 0, 'north');
});

test('lookAngles: a point 1 km due east at the same height', () => {
  for (const from of [
    { latDeg: 0, lonDeg: 0, altM: 0 },
    { latDeg: 37.5665, lonDeg: 126.978, altM: 38 },
    { latDeg: -60, lonDeg: -170, altM: 2000 },
  ]) {
    const to = destination(from, Math.PI / 2, 1000);
    assert.equal(to.altM, from.altM);
    const l = lookAngles(from, to);
    near(l.bearing, Math.PI / 2, 1e-7, 'bearing');
    // Curvature: seen over a central angle θ = d/N (N: the prime-vertical radius, the radius of the
    // east-west normal section), the target sits θ/2 below the horizontal plane, at a chord of
    // 2 (N + h) sin(θ/2).
    const s = Math.sin((from.latDeg * Math.PI) / 180);
    const rEast = WGS84_A / Math.sqrt(1 - WGS84_E2 * s * s);
    const theta = 1000 / rEast;
    assert.ok(l.elevation < 0, 'below the horizontal');
    near(l.elevation, -theta / 2, 1e-4 * (theta / 2), 'elevation');
    near(l.range, 2 * (rEast + from.altM) * Math.sin(theta / 2), 1e-6, 'slant range');
    assert.ok(l.range < 1000 * (1 + from.altM / rEast), 'chord shorter than the arc');
  }
});

test('lookAngles: straight up and down, and north', () => {
  const from = { latDeg: 48.1, lonDeg: 11.6, altM: 500 };
  let l = lookAngles(from, { ...from, altM: 1500 });
  near(l.range, 1000, 1e-9, 'range up');
  near(l.elevation, Math.PI / 2, 1e-12, 'elevation up');
  l = lookAngles(from, { ...from, altM: 0 });
  near(l.elevation, -Math.PI / 2, 1e-12, 'elevation down');
  l = lookAngles(from, { ...from, latDeg: 48.2, altM: 500 });
  near(l.bearing, 0, 1e-12, 'bearing north');
  l = lookAngles(from, { ...from, latDeg: 48.0, altM: 500 });
  near(l.bearing, Math.PI, 1e-12, 'bearing south');
  l = lookAngles(from, from);
  assert.deepEqual(l, { range: 0, bearing: 0, elevation: 0 });
});

test('lookAngles agrees with the ENU frame path, is reciprocal in range, and near the geodesic bearing', () => {
  const r = rng(22);
  for (let i = 0; i < 1000; i++) {
    const from: GeoPoint = { latDeg: 170 * r() - 85, lonDeg: 360 * r() - 180, altM: 3000 * r() };
    const to = destination(from, 2 * Math.PI * r(), 50000 * r() + 10);
    to.altM = 10000 * r();
    const l = lookAngles(from, to);
    const v = geodeticToEnu(createEnuFrame(from), to);
    const m = enuToLook(v[0], v[1], v[2]);
    near(l.range, m.range, 1e-8, 'range');
    near(dAng(l.bearing, m.bearing), 0, 1e-12, 'bearing');
    near(l.elevation, m.elevation, 1e-12, 'elevation');
    near(lookAngles(to, from).range, l.range, 1e-8, 'reciprocal range');
    // The bearing in the tangent plane is the normal-section azimuth: within a few µrad of the
    // geodesic azimuth at these distances (a target height off the ellipsoid adds a skew term).
    near(dAng(l.bearing, initialBearing(from, to)), 0, 1e-5, 'bearing vs geodesic azimuth');
  }
});
