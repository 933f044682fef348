import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic, geodeticToEnu, pointInArea, type GeoPoint } from '@skywarden/core';
import { parseZonesGeoJson, type Zone } from '@skywarden/formats';
import { createRng } from './rng.js';
import { makeDistrictZones, makeSiteZones, type ZoneFeatureCollection } from './zones.js';

const ORIGIN: GeoPoint = { latDeg: 37.55, lonDeg: 127.0, altM: 40 };

/** Signed area of a ring in the lon/lat plane (positive: counter-clockwise). */
function ringArea(ring: [number, number][]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

/** Checks a collection against spec/interchange.md (through the project's reader) and RFC 7946 rings. */
function assertValid(fc: ZoneFeatureCollection, kind: 'admin' | 'site'): Zone[] {
  const parsed = parseZonesGeoJson(JSON.stringify(fc));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
  assert.equal(parsed.zones.length, fc.features.length);
  for (const f of fc.features) {
    assert.equal(f.type, 'Feature');
    assert.equal(f.geometry.type, 'Polygon');
    assert.equal(f.properties.kind, kind);
    assert.equal(typeof f.properties.name, 'string');
    assert.ok(f.properties.lead_s >= 0);
    const ring = f.geometry.coordinates[0];
    assert.deepEqual(ring[0], ring[ring.length - 1], `${f.properties.id}: ring not closed`);
    assert.ok(ringArea(ring) > 0, `${f.properties.id}: ring not counter-clockwise`);
  }
  for (const z of parsed.zones) assert.equal(z.kind, kind);
  return parsed.zones;
}

test('district zones: a valid grid of admin zones, named by row and column', () => {
  const fc = makeDistrictZones({ origin: ORIGIN, widthM: 40e3, heightM: 30e3, nx: 12, ny: 3, leadS: 240 });
  const zones = assertValid(fc, 'admin');
  assert.equal(zones.length, 36);
  assert.deepEqual(fc.features.slice(0, 2).map((f) => [f.properties.id, f.properties.name]), [['district-A01', 'District A1'], ['district-A02', 'District A2']]);
  assert.equal(fc.features[35].properties.id, 'district-C12');
  assert.ok(fc.features.every((f) => f.properties.lead_s === 240));
  assert.equal(makeDistrictZones({ origin: ORIGIN, widthM: 1e3, heightM: 1e3, nx: 1, ny: 28 }).features[27].properties.id, 'district-AB1');
  assert.equal(makeDistrictZones({ origin: ORIGIN, widthM: 1e3, heightM: 1e3, nx: 1, ny: 1 }).features[0].properties.lead_s, 300);
  // Row A is the northernmost, column 1 the westernmost.
  const f = createEnuFrame(ORIGIN);
  const centre = (i: number) => {
    const ring = fc.features[i].geometry.coordinates[0];
    const lon = ring.slice(0, 4).reduce((s, p) => s + p[0], 0) / 4;
    const lat = ring.slice(0, 4).reduce((s, p) => s + p[1], 0) / 4;
    return geodeticToEnu(f, { latDeg: lat, lonDeg: lon, altM: 0 });
  };
  const a1 = centre(0);
  assert.ok(Math.abs(a1[0] - (-20e3 + 40e3 / 24)) < 1 && Math.abs(a1[1] - (15e3 - 5e3)) < 1, `A1 centre at ${a1[0]}, ${a1[1]}`);
});

test('district zones cover the area exactly once, without overlaps', () => {
  const W = 40e3;
  const H = 30e3;
  const nx = 8;
  const ny = 6;
  const fc = makeDistrictZones({ origin: ORIGIN, widthM: W, heightM: H, nx, ny });
  const zones = assertValid(fc, 'admin');
  const frame = createEnuFrame({ ...ORIGIN, altM: 0 });
  const rng = createRng(3);
  for (let k = 0; k < 3000; k++) {
    // Points in the rectangle, at least a metre in from its edge.
    const e = rng.uniform(-W / 2 + 1, W / 2 - 1);
    const n = rng.uniform(-H / 2 + 1, H / 2 - 1);
    const g = enuToGeodetic(frame, e, n, 0);
    const hits = zones.filter((z) => pointInArea(z.area, g.latDeg, g.lonDeg));
    assert.equal(hits.length, 1, `${e}, ${n} in ${hits.length} zones`);
    // And in the expected cell, unless within a metre of a grid line.
    const i = (e + W / 2) / (W / nx);
    const j = (H / 2 - n) / (H / ny);
    if (Math.abs(i - Math.round(i)) * (W / nx) > 1 && Math.abs(j - Math.round(j)) * (H / ny) > 1) {
      assert.equal(hits[0].id, `district-${String.fromCharCode(65 + Math.floor(j))}${Math.floor(i) + 1}`);
    }
  }
  // Outside the rectangle: in none.
  for (const [e, n] of [[W / 2 + 10, 0], [0, -H / 2 - 10], [-W / 2 - 10, H / 2 + 10]]) {
    const g = enuToGeodetic(frame, e, n, 0);
    assert.equal(zones.filter((z) => pointInArea(z.area, g.latDeg, g.lonDeg)).length, 0);
  }
  // The cells' areas (in the lon/lat plane) add up to the area inside the grid's outer boundary.
  const total = fc.features.reduce((s, f) => s + ringArea(f.geometry.coordinates[0]), 0);
  const boundary: [number, number][] = [];
  const vertex = (i: number, j: number): [number, number] => {
    const g = enuToGeodetic(frame, -W / 2 + (i * W) / nx, -H / 2 + (j * H) / ny, 0);
    return [g.lonDeg, g.latDeg];
  };
  for (let i = 0; i < nx; i++) boundary.push(vertex(i, 0));
  for (let j = 0; j < ny; j++) boundary.push(vertex(nx, j));
  for (let i = nx; i > 0; i--) boundary.push(vertex(i, ny));
  for (let j = ny; j >= 0; j--) boundary.push(vertex(0, j));
  assert.ok(Math.abs(total - ringArea(boundary)) < 1e-9 * ringArea(boundary), `${total} vs ${ringArea(boundary)}`);
  assert.throws(() => makeDistrictZones({ origin: ORIGIN, widthM: 1e3, heightM: 1e3, nx: 0, ny: 2 }), /nx and ny must be integers >= 1, got 0, 2/);
  assert.throws(() => makeDistrictZones({ origin: ORIGIN, widthM: -1, heightM: 1e3, nx: 1, ny: 1 }), /widthM and heightM must be > 0, got -1, 1000/);
  assert.throws(() => makeDistrictZones({ origin: ORIGIN, widthM: 1, heightM: 1, nx: 1, ny: 1, leadS: -3 }), /leadS must be a number of seconds >= 0, got -3/);
});

test('site zones: small valid polygons inside the region, apart, deterministic', () => {
  const opts = { seed: 7, origin: ORIGIN, count: 25, radiusM: 600, regionM: 60e3 };
  const fc = makeSiteZones(opts);
  const zones = assertValid(fc, 'site');
  assert.equal(zones.length, 25);
  assert.deepEqual(makeSiteZones(opts), fc);
  assert.notDeepEqual(makeSiteZones({ ...opts, seed: 8 }), fc);
  assert.equal(fc.features[0].properties.id, 'site-01');
  assert.ok(fc.features.every((f) => f.properties.lead_s === 600));
  assert.ok(fc.features.every((f) => /^(Power station|Substation|Fuel depot|Water works|Rail junction|Airfield|Port|Factory|Gas plant|Command post) \d+$/.test(f.properties.name)));
  assert.equal(new Set(fc.features.map((f) => f.properties.name)).size, 25);
  const frame = createEnuFrame({ ...ORIGIN, altM: 0 });
  const centres: Float64Array[] = [];
  for (const f of fc.features) {
    const ring = f.geometry.coordinates[0];
    assert.equal(ring.length, 13);
    const pts = ring.slice(0, -1).map(([lon, lat]) => geodeticToEnu(frame, { latDeg: lat, lonDeg: lon, altM: 0 }));
    const c = new Float64Array([pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length, 0]);
    for (const p of pts) {
      assert.ok(Math.abs(p[0]) <= 30e3 && Math.abs(p[1]) <= 30e3, 'inside the region');
      const r = Math.hypot(p[0] - c[0], p[1] - c[1]);
      assert.ok(r > 0.8 * 600 && r < 1.05 * 600, `vertex ${r} m from the centre`);
    }
    centres.push(c);
  }
  for (let i = 0; i < centres.length; i++) {
    for (let j = i + 1; j < centres.length; j++) assert.ok(Math.hypot(centres[i][0] - centres[j][0], centres[i][1] - centres[j][1]) >= 3 * 600 - 50);
  }
  // No vertex of one site inside another.
  for (const f of fc.features) {
    for (const [lon, lat] of f.geometry.coordinates[0]) {
      assert.equal(zones.filter((z) => z.id !== f.properties.id && pointInArea(z.area, lat, lon)).length, 0);
    }
  }
  assert.throws(() => makeSiteZones({ ...opts, count: 2000 }), /cannot place 2000 sites of radius 600 m at least 1800 m apart/);
  assert.throws(() => makeSiteZones({ ...opts, radiusM: 0 }), /radiusM must be > 0, got 0/);
  assert.deepEqual(makeSiteZones({ ...opts, count: 0 }).features, []);
});
