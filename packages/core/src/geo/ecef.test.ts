import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GeoPoint } from '../types.js';
import { ecefToGeodetic, geodeticToEcef } from './ecef.js';
import { WGS84_A, WGS84_B, WGS84_E2, WGS84_EP2, WGS84_F } from './wgs84.js';
import { mulberry32 } from '../math/mulberry32.js';

const rng = mulberry32;

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

/** Longitude difference in degrees, reduced to [−180, 180]. */
function dLon(a: number, b: number): number {
  const d = (((a - b) % 360) + 540) % 360 - 180;
  return d;
}

test('WGS84 constants match NIMA TR8350.2 table 3.3', () => {
  assert.equal(WGS84_A, 6378137);
  assert.equal(WGS84_F, 1 / 298.257223563);
  near(WGS84_B, 6356752.3142, 1e-4, 'b');
  near(WGS84_E2, 6.69437999014e-3, 1e-14, 'e²');
  near(WGS84_EP2, 6.73949674228e-3, 1e-14, "e'²");
});

test('geodeticToEcef: hand-known points', () => {
  const cases: [GeoPoint, [number, number, number]][] = [
    [{ latDeg: 0, lonDeg: 0, altM: 0 }, [WGS84_A, 0, 0]],
    [{ latDeg: 0, lonDeg: 90, altM: 0 }, [0, WGS84_A, 0]],
    [{ latDeg: 0, lonDeg: 180, altM: 100 }, [-(WGS84_A + 100), 0, 0]],
    [{ latDeg: 0, lonDeg: -90, altM: -50 }, [0, -(WGS84_A - 50), 0]],
    [{ latDeg: 90, lonDeg: 0, altM: 0 }, [0, 0, WGS84_B]],
    [{ latDeg: -90, lonDeg: 123, altM: 1000 }, [0, 0, -(WGS84_B + 1000)]],
  ];
  for (const [p, x] of cases) {
    const e = geodeticToEcef(p);
    for (let k = 0; k < 3; k++) near(e[k], x[k], 1e-6, `${JSON.stringify(p)}[${k}]`);
  }
  // Exact where the trigonometry is exact.
  const o = geodeticToEcef({ latDeg: 0, lonDeg: 0, altM: 0 });
  assert.deepEqual(Array.from(o), [6378137, 0, 0]);
});

test('geodeticToEcef: published example (GeographicLib Geocentric class documentation, Mt Everest)', () => {
  // https://geographiclib.sourceforge.io/html/classGeographicLib_1_1Geocentric.html:
  // 27.99°N 86.93°E, 8820 m -> 302271.4 5635928.4 2979666.1 m (given to 0.1 m).
  const e = geodeticToEcef({ latDeg: 27.99, lonDeg: 86.93, altM: 8820 });
  near(e[0], 302271.4, 0.05, 'x');
  near(e[1], 5635928.4, 0.05, 'y');
  near(e[2], 2979666.1, 0.05, 'z');
});

test('geodeticToEcef: surface points lie on the ellipsoid, and height runs along its normal', () => {
  const r = rng(7);
  for (let i = 0; i < 500; i++) {
    const latDeg = 180 * r() - 90;
    const lonDeg = 360 * r() - 180;
    const s = geodeticToEcef({ latDeg, lonDeg, altM: 0 });
    // On the ellipsoid: (p/a)² + (z/b)² = 1.
    const q = (s[0] * s[0] + s[1] * s[1]) / (WGS84_A * WGS84_A) + (s[2] * s[2]) / (WGS84_B * WGS84_B);
    near(q, 1, 1e-15 * 4, `ellipsoid at ${latDeg}, ${lonDeg}`);
    // The surface normal (gradient of the ellipsoid) points along the geodetic latitude and longitude.
    const g = [s[0] / (WGS84_A * WGS84_A), s[1] / (WGS84_A * WGS84_A), s[2] / (WGS84_B * WGS84_B)];
    const gn = Math.hypot(g[0], g[1], g[2]);
    const phi = (latDeg * Math.PI) / 180;
    const lam = (lonDeg * Math.PI) / 180;
    const n = [Math.cos(phi) * Math.cos(lam), Math.cos(phi) * Math.sin(lam), Math.sin(phi)];
    for (let k = 0; k < 3; k++) near(g[k] / gn, n[k], 1e-14, `normal at ${latDeg}, ${lonDeg}`);
    // A height h moves the point by h along that normal.
    const h = 20000 * r() - 10000;
    const e = geodeticToEcef({ latDeg, lonDeg, altM: h });
    for (let k = 0; k < 3; k++) near(e[k], s[k] + h * n[k], 1e-8, `height along normal at ${latDeg}, ${lonDeg}`);
  }
});

test('geodeticToEcef: writes into out without allocating a new array', () => {
  const out = new Float64Array(3);
  const res = geodeticToEcef({ latDeg: 10, lonDeg: 20, altM: 30 }, out);
  assert.equal(res, out);
  assert.deepEqual(Array.from(out), Array.from(geodeticToEcef({ latDeg: 10, lonDeg: 20, altM: 30 })));
});

test('ecefToGeodetic: hand-known points', () => {
  let p = ecefToGeodetic(WGS84_A, 0, 0);
  near(p.latDeg, 0, 1e-15, 'lat');
  near(p.lonDeg, 0, 1e-15, 'lon');
  near(p.altM, 0, 1e-9, 'alt');
  p = ecefToGeodetic(0, -WGS84_A - 1000, 0);
  near(p.latDeg, 0, 1e-15, 'lat');
  near(p.lonDeg, -90, 1e-13, 'lon');
  near(p.altM, 1000, 1e-9, 'alt');
  // North pole, exactly on the axis.
  p = ecefToGeodetic(0, 0, WGS84_B);
  assert.equal(p.latDeg, 90);
  near(p.altM, 0, 1e-9, 'alt');
  // South pole, 5 km below the ellipsoid.
  p = ecefToGeodetic(0, 0, -WGS84_B + 5000);
  assert.equal(p.latDeg, -90);
  near(p.altM, -5000, 1e-9, 'alt');
  // A hair off the axis: 1 mm at 100 m height, where the meridian's radius of curvature is a²/b + 100.
  p = ecefToGeodetic(1e-3, 0, WGS84_B + 100);
  near(p.latDeg, 90 - ((1e-3 / ((WGS84_A * WGS84_A) / WGS84_B + 100)) * 180) / Math.PI, 1e-13, 'lat near pole');
  near(p.lonDeg, 0, 0, 'lon near pole');
  near(p.altM, 100, 1e-9, 'alt near pole');
});

test('ECEF round trips over a seeded grid, poles and heights from -10 km to +1000 km', () => {
  const r = rng(2024);
  const heights = [-10000, -1000, 0, 1, 100, 5000, 12000, 100000, 400000, 1000000];
  let worstH = 0;
  let worstLat = 0;
  let worstLon = 0;
  let worstX = 0;
  const check = (p: GeoPoint): void => {
    const e = geodeticToEcef(p);
    const q = ecefToGeodetic(e[0], e[1], e[2]);
    const dh = Math.abs(q.altM - p.altM);
    const dlat = Math.abs(q.latDeg - p.latDeg);
    worstH = Math.max(worstH, dh);
    worstLat = Math.max(worstLat, dlat);
    if (Math.abs(p.latDeg) < 90) worstLon = Math.max(worstLon, Math.abs(dLon(q.lonDeg, p.lonDeg)) * Math.cos((p.latDeg * Math.PI) / 180));
    // And back: ECEF to ECEF closes to the metre-scale rounding of the coordinates.
    const f = geodeticToEcef(q);
    for (let k = 0; k < 3; k++) worstX = Math.max(worstX, Math.abs(f[k] - e[k]));
    assert.ok(dh < 1e-6 && dlat < 1e-11, `${JSON.stringify(p)} -> ${JSON.stringify(q)}`);
  };
  // Regular grid including both poles and the antimeridian.
  for (let lat = -90; lat <= 90; lat += 7.5) {
    for (let lon = -180; lon < 180; lon += 15) {
      for (const altM of heights) check({ latDeg: lat, lonDeg: lon, altM });
    }
  }
  // Near the poles and the equator.
  for (const lat of [-89.9999999, -89.99, -45, -1e-9, 1e-9, 0.001, 89.999, 89.9999999]) {
    for (const altM of heights) check({ latDeg: lat, lonDeg: 360 * r() - 180, altM });
  }
  // Seeded random points.
  for (let i = 0; i < 20000; i++) {
    check({ latDeg: 180 * r() - 90, lonDeg: 360 * r() - 180, altM: -10000 + 1010000 * r() });
  }
  // Requirement: < 1 mm and < 1e-9°; measured far better.
  assert.ok(worstH < 1e-7, `worst height error ${worstH} m`);
  assert.ok(worstLat < 1e-12, `worst latitude error ${worstLat}°`);
  assert.ok(worstLon < 1e-12, `worst longitude error ${worstLon}° (scaled by cos φ)`);
  assert.ok(worstX < 1e-7, `worst ECEF closure ${worstX} m`);
});

test('ecefToGeodetic: beyond the required range it still converges (to 10 000 km)', () => {
  const r = rng(5);
  for (let i = 0; i < 2000; i++) {
    const p = { latDeg: 180 * r() - 90, lonDeg: 360 * r() - 180, altM: 1e7 * r() };
    const e = geodeticToEcef(p);
    const q = ecefToGeodetic(e[0], e[1], e[2]);
    near(q.altM, p.altM, 1e-7, 'alt');
    near(q.latDeg, p.latDeg, 1e-12, 'lat');
  }
});
