import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSpatialGrid } from './spatial-grid.js';

const found = (g: ReturnType<typeof createSpatialGrid>, x: number, y: number, r: number) => {
  const out: number[] = [];
  g.query(x, y, r, (i) => out.push(i));
  return out.sort((a, b) => a - b);
};

test('the grid finds the discs near a query and not the far ones', () => {
  const g = createSpatialGrid(500);
  g.insert(0, 0, 0, 100);
  g.insert(1, 10_000, 0, 100);
  g.insert(2, 1_100, 0, 100);
  assert.deepEqual(found(g, 0, 0, 300), [0]);
  assert.deepEqual(found(g, 1_200, 0, 100), [2]);
  assert.deepEqual(found(g, 5_000, 0, 5_200), [0, 1, 2]);
});

test('huge but finite coordinates (1e300 m, 1e17 m) neither loop nor lose items: they are visited by every query', () => {
  // before: `ix++` on 1e300 left ix unchanged and the insert and the query never ended
  for (const big of [1e300, -1e300, 1e17, 4e18, Number.MAX_VALUE]) {
    const g = createSpatialGrid(500);
    g.insert(0, 0, 0, 100);
    g.insert(1, big, big, 10);
    assert.deepEqual(found(g, 0, 0, 300), [0, 1], `item at ${big}`);
    assert.deepEqual(found(g, big, 0, 10), [0, 1], `query at ${big}`);
  }
});

test('NaN and infinite extents go to the everywhere list', () => {
  const g = createSpatialGrid(500);
  g.insert(0, NaN, 0, 10);
  g.insert(1, 0, 0, Infinity);
  g.insert(2, 3_000, 3_000, 10);
  assert.deepEqual(found(g, -9_000, -9_000, 10), [0, 1]);
  assert.deepEqual(found(g, NaN, 0, 10), [0, 1, 2]);
});

test('discs of every size are found wherever a query meets them, each once', () => {
  // sizes from a tenth of a cell to 200 cells (beyond the top level: the everywhere list)
  const g = createSpatialGrid(500);
  const discs: [number, number, number][] = [];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 300; i++) {
    const r = 50 * 2 ** (rnd() * 11);
    discs.push([(rnd() - 0.5) * 200_000, (rnd() - 0.5) * 200_000, r]);
  }
  discs.forEach(([x, y, r], i) => g.insert(i, x, y, r));
  for (let q = 0; q < 300; q++) {
    const qx = (rnd() - 0.5) * 220_000;
    const qy = (rnd() - 0.5) * 220_000;
    const qr = 20 * 2 ** (rnd() * 10);
    const got: number[] = [];
    g.query(qx, qy, qr, (i) => got.push(i));
    assert.equal(new Set(got).size, got.length, 'each item once');
    const hit = new Set(got);
    discs.forEach(([x, y, r], i) => {
      if (Math.hypot(x - qx, y - qy) <= r + qr) assert.ok(hit.has(i), `disc ${i} (r ${r.toFixed(0)} m) meets query ${q} but was not visited`);
    });
  }
});

test('a large disc (40 km across, 500 m cells) is found at its rim and not far beyond', () => {
  const g = createSpatialGrid(500);
  g.insert(0, 0, 0, 20_000);
  assert.deepEqual(found(g, 19_000, 0, 10), [0]);
  assert.deepEqual(found(g, 0, -19_500, 10), [0]);
  assert.deepEqual(found(g, 80_000, 80_000, 10), []);
});
