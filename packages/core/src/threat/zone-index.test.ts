import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGeoArea, pointInArea, type GeoArea } from '../geo/polygon.js';
import { createZoneIndex, LABEL_MIXED, LABEL_NONE } from './zone-index.js';
import { normalCdf, normalPdf, normalQuantile, planeNodes, stratumNodes } from './ensemble.js';

/** A fixed-seed 32-bit LCG (Numerical Recipes constants). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const star = (cx: number, cy: number, r: number, n: number, phase: number) => {
  const ring = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const rr = r * (0.6 + 0.3 * Math.sin(5 * a + phase) + 0.1 * Math.sin(17 * a));
    ring[2 * i] = cx + rr * Math.cos(a);
    ring[2 * i + 1] = cy + rr * Math.sin(a);
  }
  return ring;
};
const square = (x0: number, y0: number, s: number) => Float64Array.from([x0, y0, x0 + s, y0, x0 + s, y0 + s, x0, y0 + s, x0, y0]);

const zones: { id: string; area: GeoArea }[] = [
  { id: 'star', area: createGeoArea([{ rings: [star(127.0, 37.0, 0.05, 300, 0.3)] }]) },
  { id: 'holed', area: createGeoArea([{ rings: [square(127.06, 36.96, 0.08), square(127.08, 36.98, 0.03), star(127.12, 37.01, 0.01, 40, 1)] }]) },
  // two overlapping polygons (invalid GeoJSON, but pointInArea says inside either)
  { id: 'multi', area: createGeoArea([{ rings: [square(126.9, 37.04, 0.06)] }, { rings: [square(126.93, 37.07, 0.06)] }, { rings: [square(127.2, 37.2, 0.01)] }]) },
  { id: 'concave', area: createGeoArea([{ rings: [Float64Array.from([126.95, 36.9, 127.05, 36.9, 127.05, 36.95, 127.0, 36.92, 126.95, 36.95])] }]) },
];

test('inZone gives exactly the even-odd answer of pointInArea (holes, overlaps, concave, many vertices)', () => {
  const index = createZoneIndex(zones);
  const rand = lcg(7);
  let inside = 0;
  for (let i = 0; i < 40_000; i++) {
    const lon = 126.85 + rand() * 0.4;
    const lat = 36.85 + rand() * 0.4;
    zones.forEach((z, k) => {
      const want = pointInArea(z.area, lat, lon);
      if (want) inside++;
      assert.equal(index.inZone(k, lat, lon), want, `${z.id} at ${lat}, ${lon}`);
    });
  }
  assert.ok(inside > 3_000, `enough points inside to mean something: ${inside}`);
  // vertices and points on edges too
  for (const [k, z] of zones.entries()) {
    for (const p of z.area.polygons) for (const r of p.rings) for (let i = 0; i < r.length; i += 2) assert.equal(index.inZone(k, r[i + 1], r[i]), pointInArea(z.area, r[i + 1], r[i]));
  }
});

test('the label raster: pure cells carry the one zone that contains them, and keep it within the stated distance', () => {
  const index = createZoneIndex(zones);
  const f = index.flat;
  const rand = lcg(11);
  let checked = 0;
  let jumped = 0;
  for (let i = 0; i < 20_000; i++) {
    const lon = f.grid[0] + rand() * (f.grid[2] - f.grid[0]);
    const lat = f.grid[1] + rand() * (f.grid[3] - f.grid[1]);
    const c = Math.min(f.labelNy - 1, Math.floor((lat - f.grid[1]) * f.labelSy)) * f.labelNx + Math.min(f.labelNx - 1, Math.floor((lon - f.grid[0]) * f.labelSx));
    const label = f.labels[c];
    if (label === LABEL_MIXED) continue;
    const containing = zones.flatMap((z, k) => (pointInArea(z.area, lat, lon) ? [k] : []));
    assert.deepEqual(containing, label === LABEL_NONE ? [] : [label]);
    checked++;
    // a point moved less than (d − 1)·cellM metres in any direction keeps the label
    const d = f.labelDist[c];
    if (d > 1) {
      const r = (d - 1) * f.labelCellM * 0.999 * rand();
      const a = rand() * 2 * Math.PI;
      const lat2 = lat + (r * Math.cos(a)) / 111_320;
      const lon2 = lon + (r * Math.sin(a)) / (111_320 * Math.cos((lat * Math.PI) / 180));
      const containing2 = zones.flatMap((z, k) => (pointInArea(z.area, lat2, lon2) ? [k] : []));
      assert.deepEqual(containing2, containing, `moved ${r} m from a cell at distance ${d}`);
      jumped++;
    }
  }
  assert.ok(checked > 10_000 && jumped > 5_000, `${checked} ${jumped}`);
});

test('grid cells list every zone whose box holds the point', () => {
  const index = createZoneIndex(zones);
  const range = new Int32Array(2);
  const rand = lcg(3);
  for (let i = 0; i < 5_000; i++) {
    const lon = 126.85 + rand() * 0.4;
    const lat = 36.85 + rand() * 0.4;
    index.cellRange(lat, lon, range);
    const listed = new Set(index.cellZones.subarray(range[0], range[1]));
    zones.forEach((z, k) => {
      const [x0, y0, x1, y1] = z.area.bbox;
      if (lon >= x0 && lon <= x1 && lat >= y0 && lat <= y1) assert.ok(listed.has(k), `${z.id} listed at ${lat}, ${lon}`);
    });
  }
  assert.equal(index.anyBoxOverlap(120, 30, 121, 31), false);
  assert.equal(index.anyBoxOverlap(126.99, 36.99, 127.01, 37.01), true);
});

test('stratum nodes: conditional means of equal-probability strata', () => {
  assert.deepEqual(Array.from(stratumNodes(1)), [0]);
  for (const n of [2, 3, 5, 7]) {
    const z = stratumNodes(n);
    // each node equals a numerical conditional mean of its stratum
    for (let i = 0; i < n; i++) {
      const a = i === 0 ? -9 : normalQuantile(i / n);
      const b = i === n - 1 ? 9 : normalQuantile((i + 1) / n);
      let num = 0;
      let den = 0;
      const m = 20_000;
      for (let k = 0; k < m; k++) {
        const x = a + ((k + 0.5) * (b - a)) / m;
        num += x * normalPdf(x);
        den += normalPdf(x);
      }
      assert.ok(Math.abs(z[i] - num / den) < 1e-4, `n=${n} node ${i}: ${z[i]} vs ${num / den}`);
      assert.ok(z[i] === -z[n - 1 - i], 'symmetric');
    }
  }
  const v5 = stratumNodes(5).reduce((s, x) => s + x * x, 0) / 5;
  assert.ok(Math.abs(v5 - 0.897) < 0.001, `variance kept with 5 nodes: ${v5}`);
  for (const p of [1e-6, 0.01, 0.2, 0.5, 0.77, 0.999]) assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 2e-7 * Math.max(1, p / 0.01), `Φ(Φ⁻¹(${p}))`);
  const pn = planeNodes(5);
  assert.ok(Math.abs(pn[2] - 1.3125) < 1e-3, `plane node radius ${pn[2]}`);
  assert.throws(() => stratumNodes(0), /got 0/);
});
