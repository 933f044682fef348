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
