import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GeoPoint } from '../types.js';
import { geodeticToEcef } from './ecef.js';
import { createEnuFrame, ecefToEnu, enuToEcef, enuToGeodetic, geodeticToEnu } from './enu.js';
import { mulberry32 } from '../math/mulberry32.js';

const rng = mulberry32;

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

function randomPoint(r: () => number): GeoPoint {
  return { latDeg: 180 * r() - 90, lonDeg: 360 * r() - 180, altM: -500 + 12000 * r() };
}

test('createEnuFrame: rotation is orthonormal and right-handed; origin maps to zero', () => {
  const r = rng(11);
  const origins: GeoPoint[] = [
    { latDeg: 90, lonDeg: 0, altM: 0 },
    { latDeg: -90, lonDeg: 45, altM: 0 },
    { latDeg: 0, lonDeg: 180, altM: 0 },
  ];
  for (let i = 0; i < 200; i++) origins.push(randomPoint(r));
  for (const o of origins) {
    const f = createEnuFrame(o);
    const m = f.rot;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const d = m[i * 3] * m[j * 3] + m[i * 3 + 1] * m[j * 3 + 1] + m[i * 3 + 2] * m[j * 3 + 2];
        near(d, i === j ? 1 : 0, 1e-15, `R·Rᵀ[${i}${j}]`);
      }
    }
    const det =
      m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
    near(det, 1, 1e-15, 'det R');
    const z = geodeticToEnu(f, o);
    for (let k = 0; k < 3; k++) near(z[k], 0, 1e-9, `origin[${k}]`);
    assert.deepEqual(Array.from(f.originEcef), Array.from(geodeticToEcef(o)));
  }
});

test('createEnuFrame: axes point east, north and up (finite differences of geodeticToEcef)', () => {
  const r = rng(12);
  for (let i = 0; i < 200; i++) {
    const o = randomPoint(r);
    o.latDeg = 178 * r() - 89; // away from the poles, where east and north are undefined
    const f = createEnuFrame(o);
    const h = 1e-6; // degrees
    const p0 = geodeticToEcef(o);
    const pe = geodeticToEcef({ ...o, lonDeg: o.lonDeg + h });
    const pn = geodeticToEcef({ ...o, latDeg: o.latDeg + h });
    const pu = geodeticToEcef({ ...o, altM: o.altM + 1 });
    const axes = [pe, pn, pu];
    for (let row = 0; row < 3; row++) {
      const v = [axes[row][0] - p0[0], axes[row][1] - p0[1], axes[row][2] - p0[2]];
      const len = Math.hypot(v[0], v[1], v[2]);
      for (let k = 0; k < 3; k++) near(f.rot[row * 3 + k], v[k] / len, 1e-6, `row ${row} at ${JSON.stringify(o)}`);
    }
  }
});

test('createEnuFrame: keeps a copy of the origin', () => {
  const o = { latDeg: 10, lonDeg: 20, altM: 30 };
  const f = createEnuFrame(o);
  o.latDeg = 50;
  assert.equal(f.origin.latDeg, 10);
});

test('geodeticToEnu: simple geometry', () => {
  const o = { latDeg: 37.5, lonDeg: 127, altM: 50 };
  const f = createEnuFrame(o);
  // Straight up.
  let v = geodeticToEnu(f, { ...o, altM: 150 });
  near(v[0], 0, 1e-9, 'e');
  near(v[1], 0, 1e-9, 'n');
  near(v[2], 100, 1e-9, 'u');
  // A little north: positive n, no east component.
  v = geodeticToEnu(f, { ...o, latDeg: o.latDeg + 0.01 });
  near(v[0], 0, 1e-9, 'e');
  assert.ok(v[1] > 1100 && v[1] < 1120, `n ${v[1]}`);
  assert.ok(v[2] < 0, 'the surface drops below the tangent plane');
  // A little west: negative e.
  v = geodeticToEnu(f, { ...o, lonDeg: o.lonDeg - 0.01 });
  assert.ok(v[0] < -800 && v[0] > -900, `e ${v[0]}`);
  // At the north pole every neighbour is to the south (n < 0); east is the direction of longitude
  // origin + 90°.
  const pole = createEnuFrame({ latDeg: 90, lonDeg: 0, altM: 0 });
  v = geodeticToEnu(pole, { latDeg: 89.99, lonDeg: 0, altM: 0 });
  assert.ok(v[1] < -1000 && Math.abs(v[0]) < 1e-6, `${Array.from(v)}`);
  v = geodeticToEnu(pole, { latDeg: 89.99, lonDeg: 90, altM: 0 });
  assert.ok(v[0] > 1000 && Math.abs(v[1]) < 1e-6, `${Array.from(v)}`);
});

test('ENU round trips: geodetic -> ENU -> geodetic and ECEF -> ENU -> ECEF', () => {
  const r = rng(13);
  let worstM = 0;
  let worstDeg = 0;
  for (let i = 0; i < 2000; i++) {
    const o = randomPoint(r);
    if (i < 20) o.latDeg = i % 2 === 0 ? 90 : -90;
    const f = createEnuFrame(o);
    for (let j = 0; j < 5; j++) {
      // Targets from 0 to ~300 km away and up to 1000 km high, plus a few far ones.
      const scale = [100, 3000, 30000, 300000, 3000000][j];
      const e = (2 * r() - 1) * scale;
      const n = (2 * r() - 1) * scale;
      const u = (2 * r() - 1) * Math.min(scale, 1e6) * 0.3;
      const p = enuToGeodetic(f, e, n, u);
      const back = geodeticToEnu(f, p);
      const err = Math.hypot(back[0] - e, back[1] - n, back[2] - u);
      worstM = Math.max(worstM, err);
      // ECEF path.
      const x = enuToEcef(f, [e, n, u]);
      const v = ecefToEnu(f, x);
      worstM = Math.max(worstM, Math.hypot(v[0] - e, v[1] - n, v[2] - u));
      // Geodetic -> ENU -> geodetic from a random point.
      const q = randomPoint(r);
      const w = geodeticToEnu(f, q);
      const q2 = enuToGeodetic(f, w[0], w[1], w[2]);
      worstDeg = Math.max(worstDeg, Math.abs(q2.latDeg - q.latDeg));
      worstM = Math.max(worstM, Math.abs(q2.altM - q.altM));
    }
  }
  assert.ok(worstM < 1e-6, `worst ENU round-trip error ${worstM} m`);
  assert.ok(worstDeg < 1e-11, `worst latitude round-trip error ${worstDeg}°`);
});

test('ecefToEnu / enuToEcef / geodeticToEnu: out may alias the input, and nothing new is returned', () => {
  const f = createEnuFrame({ latDeg: -33.9, lonDeg: 18.4, altM: 10 });
  const buf = new Float64Array([1000, -2000, 300]);
  const expected = enuToEcef(f, buf);
  const res = enuToEcef(f, buf, buf);
  assert.equal(res, buf);
  assert.deepEqual(Array.from(buf), Array.from(expected));
  const back = ecefToEnu(f, buf, buf);
  assert.equal(back, buf);
  near(buf[0], 1000, 1e-8, 'e');
  near(buf[1], -2000, 1e-8, 'n');
  near(buf[2], 300, 1e-8, 'u');
  const out = new Float64Array(3);
  assert.equal(geodeticToEnu(f, { latDeg: -33.8, lonDeg: 18.5, altM: 0 }, out), out);
});
