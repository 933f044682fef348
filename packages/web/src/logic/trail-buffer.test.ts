import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTrailBuffer } from './trail-buffer.js';

test('trails grow per snapshot, capped by count and age', () => {
  const tb = createTrailBuffer({ maxPoints: 3, maxAgeS: 100 });
  for (let t = 0; t < 5; t++) tb.update(t, [{ track: 'A', lat: t, lon: 0 }]);
  assert.deepEqual(tb.get('A').map((p) => p.t), [2, 3, 4]);
  const tb2 = createTrailBuffer({ maxPoints: 100, maxAgeS: 2.5 });
  for (let t = 0; t < 6; t++) tb2.update(t, [{ track: 'A', lat: t, lon: 0 }]);
  assert.deepEqual(tb2.get('A').map((p) => p.t), [3, 4, 5]);
});

test('a track missing from a snapshot loses its trail; a repeated time replaces the point', () => {
  const tb = createTrailBuffer();
  tb.update(1, [{ track: 'A', lat: 1, lon: 1 }, { track: 'B', lat: 2, lon: 2 }]);
  tb.update(2, [{ track: 'A', lat: 1.1, lon: 1 }]);
  assert.equal(tb.size(), 1);
  assert.deepEqual(tb.get('B'), []);
  tb.update(2, [{ track: 'A', lat: 1.2, lon: 1 }]);
  assert.deepEqual(tb.get('A').map((p) => p.lat), [1, 1.2]);
});

test('time going back (a replay seek) restarts the trail; bad positions are skipped', () => {
  const tb = createTrailBuffer();
  tb.update(10, [{ track: 'A', lat: 1, lon: 1 }]);
  tb.update(11, [{ track: 'A', lat: 2, lon: 1 }]);
  tb.update(5, [{ track: 'A', lat: 3, lon: 1 }, { track: 'C', lat: Number.NaN, lon: 0 }]);
  assert.deepEqual(tb.get('A').map((p) => p.t), [5]);
  assert.equal(tb.size(), 1);
  assert.throws(() => createTrailBuffer({ maxPoints: 0 }), /got 0/);
});
