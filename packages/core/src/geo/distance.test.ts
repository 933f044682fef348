import { test } from 'node:test';
import assert from 'node:assert/strict';
import geodesic from 'geographiclib-geodesic';
import type { GeoPoint } from '../types.js';
import { destination, horizontalDistance, initialBearing } from './distance.js';
import { WGS84_A } from './wgs84.js';
import { mulberry32 } from '../math/mulberry32.js';

/** Independent reference: C. F. F. Karney's GeographicLib (accurate to about 15 nm). */
const g = geodesic.Geodesic.WGS84;

function refInverse(a: GeoPoint, b: GeoPoint): { s12: number; azi1: number } {
  const r = g.Inverse(a.latDeg, a.lonDeg, b.latDeg, b.lonDeg);
  return { s12: r.s12 ?? Number.NaN, azi1: r.azi1 ?? Number.NaN };
}

function refDirect(p: GeoPoint, aziDeg: number, s: number): GeoPoint {
  const r = g.Direct(p.latDeg, p.lonDeg, aziDeg, s);
  return { latDeg: r.lat2 ?? Number.NaN, lonDeg: r.lon2 ?? Number.NaN, altM: 0 };
}

const rng = mulberry32;

/** A point uniform on the sphere (so that the poles are not over-represented). */
function randomPoint(r: () => number): GeoPoint {
  return { latDeg: (Math.asin(2 * r() - 1) * 180) / Math.PI, lonDeg: 360 * r() - 180, altM: 0 };
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

const DEG = Math.PI / 180;

/** Angle difference (rad) reduced to [−π, π]. */
function dAng(a: number, b: number): number {
  return Math.atan2(Math.sin(a - b), Math.cos(a - b));
}

/** How far (m) the geodesic leaving `a` with our bearing, run for the true distance, misses `b`. */
function miss(a: GeoPoint, b: GeoPoint, bearing: number, s12: number): number {
  return refInverse(refDirect(a, bearing / DEG, s12), b).s12;
}

test('Vincenty inverse vs GeographicLib: 1000 seeded pairs under 100 km', () => {
  const r = rng(100);
  let worstS = 0;
  let worstMiss = 0;
  for (let i = 0; i < 1000; i++) {
    const a = randomPoint(r);
    if (i < 10) a.latDeg = [90, -90, 89.9999, -89.9999, 0, 1e-12, 45, -45, 89, -89][i];
    // Log-uniform distance from 1 mm to 100 km.
    const s = 10 ** (-3 + 8 * r());
    const b = refDirect(a, 360 * r() - 180, s);
    const ref = refInverse(a, b);
    const d = horizontalDistance(a, b);
    worstS = Math.max(worstS, Math.abs(d - ref.s12));
    assert.ok(Math.abs(d - ref.s12) < 1e-5, `${JSON.stringify(a)} -> ${JSON.stringify(b)}: ${d} vs ${ref.s12}`);
    const brg = initialBearing(a, b);
    assert.ok(brg >= 0 && brg < 2 * Math.PI, `bearing ${brg}`);
    // The bearing as a displacement at the far end: the geodesic it starts must hit b.
    const m = Math.abs(dAng(brg, ref.azi1 * DEG)) * ref.s12;
    worstMiss = Math.max(worstMiss, m);
    assert.ok(m < 1e-6, `bearing at ${JSON.stringify(a)} -> ${JSON.stringify(b)}: ${brg / DEG} vs ${ref.azi1}`);
  }
  // Requirement: better than 1 mm.
  assert.ok(worstS < 1e-5, `worst distance error ${worstS} m`);
  assert.ok(worstMiss < 1e-6, `worst bearing error × distance ${worstMiss} m`);
});

test('Vincenty inverse vs GeographicLib: 1000 seeded long pairs anywhere on the globe', () => {
  const r = rng(200);
  let worstS = 0;
  let worstRel = 0;
  let worstMiss = 0;
  for (let i = 0; i < 1000; i++) {
    const a = randomPoint(r);
    const b = randomPoint(r);
    const ref = refInverse(a, b);
    const d = horizontalDistance(a, b);
    const e = Math.abs(d - ref.s12);
    worstS = Math.max(worstS, e);
    worstRel = Math.max(worstRel, e / ref.s12);
    assert.ok(e < 2e-4, `${JSON.stringify(a)} -> ${JSON.stringify(b)}: ${d} vs ${ref.s12}`);
    const brg = initialBearing(a, b);
    const m = miss(a, b, brg, ref.s12);
    worstMiss = Math.max(worstMiss, m);
    assert.ok(m < 2e-4, `bearing at ${JSON.stringify(a)} -> ${JSON.stringify(b)}: ${brg / DEG} vs ${ref.azi1}`);
  }
  // Requirement: 1e-6 relative.
  assert.ok(worstRel < 1e-10, `worst relative error ${worstRel}`);
  assert.ok(worstS < 2e-4, `worst distance error ${worstS} m`);
});

test('near-antipodal pairs (the fallback): distance and bearing still match GeographicLib', () => {
  const r = rng(300);
  let worstS = 0;
  let worstMiss = 0;
  const pairs: [GeoPoint, GeoPoint][] = [
    [{ latDeg: 0, lonDeg: 0, altM: 0 }, { latDeg: 0, lonDeg: 180, altM: 0 }],
    [{ latDeg: 0, lonDeg: 0, altM: 0 }, { latDeg: 0, lonDeg: 179.5, altM: 0 }],
    [{ latDeg: 0, lonDeg: 0, altM: 0 }, { latDeg: 0, lonDeg: -179.41, altM: 0 }],
    [{ latDeg: 0, lonDeg: 0, altM: 0 }, { latDeg: 0.5, lonDeg: 179.7, altM: 0 }],
    [{ latDeg: 1e-9, lonDeg: 0, altM: 0 }, { latDeg: 0, lonDeg: 179.9, altM: 0 }],
    [{ latDeg: 10, lonDeg: 0, altM: 0 }, { latDeg: -10, lonDeg: 180, altM: 0 }],
    [{ latDeg: -30, lonDeg: 0, altM: 0 }, { latDeg: 29.9, lonDeg: 179.8, altM: 0 }],
    [{ latDeg: 45, lonDeg: 0, altM: 0 }, { latDeg: -45.00001, lonDeg: 179.99999, altM: 0 }],
    [{ latDeg: 89.9, lonDeg: 0, altM: 0 }, { latDeg: -89.9, lonDeg: 179, altM: 0 }],
    [{ latDeg: 90, lonDeg: 0, altM: 0 }, { latDeg: -90, lonDeg: 0, altM: 0 }],
  ];
  for (let i = 0; i < 1000; i++) {
    const a = randomPoint(r);
    const w = [2, 0.5, 1e-2, 1e-6][i % 4];
    pairs.push([a, { latDeg: -a.latDeg + w * (r() - 0.5), lonDeg: a.lonDeg + 180 + w * (r() - 0.5), altM: 0 }]);
  }
  for (const [a, b] of pairs) {
    const ref = refInverse(a, b);
    const d = horizontalDistance(a, b);
    const e = Math.abs(d - ref.s12);
    worstS = Math.max(worstS, e);
    assert.ok(e < 2e-4, `${JSON.stringify(a)} -> ${JSON.stringify(b)}: ${d} vs ${ref.s12}`);
    // Near the antipode several azimuths can give (nearly) the same shortest length, so check the
    // bearing by where it leads rather than against GeographicLib's azimuth.
    const m = miss(a, b, initialBearing(a, b), ref.s12);
    worstMiss = Math.max(worstMiss, m);
    assert.ok(m < 1e-3, `bearing at ${JSON.stringify(a)} -> ${JSON.stringify(b)} misses by ${m} m`);
  }
  assert.ok(worstS < 2e-4, `worst distance error ${worstS} m`);
});

test('horizontalDistance: hand-known values and properties', () => {
  const P = (latDeg: number, lonDeg: number, altM = 0): GeoPoint => ({ latDeg, lonDeg, altM });
  // Along the equator (shorter than (1 − f)·180°) the geodesic is the equator: s = a·Δλ.
  near(horizontalDistance(P(0, 0), P(0, 1)), (WGS84_A * Math.PI) / 180, 1e-8, '1° of equator');
  near(horizontalDistance(P(0, -90), P(0, 89)), (WGS84_A * Math.PI * 179) / 180, 1e-6, '179° of equator');
  // WGS84 meridian quadrant 10 001 965.729 m (pole to equator), and half meridian over a pole.
  near(horizontalDistance(P(90, 0), P(0, 0)), 10001965.7293, 1e-3, 'meridian quadrant');
  near(horizontalDistance(P(0, 0), P(0, 180)), 2 * 10001965.7293, 1e-3, 'equatorial antipodes');
  near(horizontalDistance(P(-90, 10), P(90, -170)), 2 * 10001965.7293, 1e-3, 'pole to pole');
  // Coincident points, symmetry, antimeridian, altitude ignored.
  assert.equal(horizontalDistance(P(12.3, 45.6), P(12.3, 45.6)), 0);
  assert.equal(horizontalDistance(P(90, 0), P(90, 123)), 0);
  assert.equal(horizontalDistance(P(-90, 0), P(-90, -45)), 0);
  const a = P(37.5, 126.9, 50);
  const b = P(35.1, 129.0, 9000);
  near(horizontalDistance(a, b), horizontalDistance(b, a), 1e-8, 'symmetry');
  near(horizontalDistance(a, b), horizontalDistance(P(37.5, 126.9), P(35.1, 129.0)), 0, 'altitude ignored');
  near(horizontalDistance(P(0, 179.5), P(0, -179.5)), (WGS84_A * Math.PI) / 180, 1e-8, 'across the antimeridian');
  near(horizontalDistance(P(0, 540), P(0, -179)), (WGS84_A * Math.PI) / 180, 1e-8, 'unwrapped longitudes');
});

test('initialBearing: cardinal directions and coincident points', () => {
  const P = (latDeg: number, lonDeg: number): GeoPoint => ({ latDeg, lonDeg, altM: 0 });
  near(initialBearing(P(0, 0), P(1, 0)), 0, 1e-15, 'north');
  near(initialBearing(P(0, 0), P(0, 1)), Math.PI / 2, 1e-15, 'east');
  near(initialBearing(P(0, 0), P(-1, 0)), Math.PI, 1e-15, 'south');
  near(initialBearing(P(0, 0), P(0, -1)), 1.5 * Math.PI, 1e-15, 'west');
  near(initialBearing(P(10, 179.9), P(10, -179.9)), Math.PI / 2, 1e-3, 'east across the antimeridian');
  assert.equal(initialBearing(P(5, 5), P(5, 5)), 0);
});

test('Vincenty direct vs GeographicLib: 1000 seeded short and long cases', () => {
  const r = rng(400);
  let worstShort = 0;
  let worstLong = 0;
  for (let i = 0; i < 1000; i++) {
    const p = randomPoint(r);
    p.altM = 1000 * r();
    if (i < 6) p.latDeg = [90, -90, 0, 89.999, -45, 1e-10][i];
    const bearing = 2 * Math.PI * r() - Math.PI;
    const short = i % 2 === 0;
    const s = short ? 10 ** (-2 + 7 * r()) : 100000 + 19900000 * r();
    const q = destination(p, bearing, s);
    assert.equal(q.altM, p.altM);
    assert.ok(q.lonDeg > -180 && q.lonDeg <= 180, `lon ${q.lonDeg}`);
    const ref = refDirect(p, bearing / DEG, s);
    const e = refInverse(q, ref).s12;
    if (short) worstShort = Math.max(worstShort, e);
    else worstLong = Math.max(worstLong, e);
    assert.ok(e < (short ? 1e-5 : 2e-4), `${JSON.stringify(p)} ${bearing} ${s}: ${JSON.stringify(q)} vs ${JSON.stringify(ref)}`);
  }
  assert.ok(worstShort < 1e-5, `worst short error ${worstShort} m`);
  assert.ok(worstLong < 2e-4, `worst long error ${worstLong} m`);
});

test('destination and the inverse are consistent; distance 0 returns the start', () => {
  const r = rng(500);
  for (let i = 0; i < 500; i++) {
    const p = randomPoint(r);
    p.latDeg = 170 * r() - 85;
    const bearing = 2 * Math.PI * r();
    const s = 10 ** (1 + 6 * r());
    const q = destination(p, bearing, s);
    near(horizontalDistance(p, q), s, 2e-4, 'distance back');
    near(dAng(initialBearing(p, q), bearing), 0, 1e-9, 'bearing back');
    // Negative distance goes backwards.
    const back = destination(p, bearing + Math.PI, -s);
    near(refInverse(q, back).s12, 0, 1e-5, 'negative distance');
  }
  const p = { latDeg: 12.5, lonDeg: -45.25, altM: 7 };
  const z = destination(p, 1, 0);
  near(z.latDeg, p.latDeg, 1e-13, 'lat');
  near(z.lonDeg, p.lonDeg, 1e-13, 'lon');
  // From the north pole, bearing is measured from the meridian of the start longitude.
  const fromPole = destination({ latDeg: 90, lonDeg: 30, altM: 0 }, Math.PI / 2, 10001965.7293);
  near(fromPole.latDeg, 0, 1e-9, 'equator reached');
  near(fromPole.lonDeg, 120, 1e-6, 'along the meridian 30 + 90');
});
