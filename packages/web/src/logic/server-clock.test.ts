import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServerClock } from './server-clock.js';

test('a demo at 8x: the clock follows the picture, not the wall clock', () => {
  const c = createServerClock();
  const T0 = 1_800_000_000;
  // reports once a wall second, each 8 s of picture time later
  for (let w = 0; w <= 60; w++) c.anchor(w, T0 + 8 * w);
  assert.ok(Math.abs(c.rate() - 8) < 1e-9, `rate ${c.rate()}`);
  // half a second after the last report: 4 s of picture time later (a fixed offset would say 0.5 s)
  assert.ok(Math.abs(c.now(60.5) - (T0 + 484)) < 1e-6, `${c.now(60.5) - T0}`);
});

test('a live service: rate 1, the offset of the server clock kept', () => {
  const c = createServerClock();
  for (let w = 100; w <= 130; w += 2) c.anchor(w, w + 3600);
  assert.ok(Math.abs(c.rate() - 1) < 1e-9);
  assert.ok(Math.abs(c.now(131) - 3731) < 1e-9);
});

test('the clock never runs backwards, and holds until an anchor behind it catches up', () => {
  const c = createServerClock();
  c.anchor(0, 1000);
  assert.equal(c.now(3), 1003);
  c.anchor(3, 1001); // a report 2 s behind the extrapolation (the reorder delay)
  assert.equal(c.now(3.5), 1003, 'held');
  assert.ok(c.now(6) > 1003);
});

test('before any anchor: NaN; bad anchors ignored; reset forgets', () => {
  const c = createServerClock();
  assert.ok(Number.isNaN(c.now(1)));
  c.anchor(Number.NaN, 5);
  c.anchor(1, Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(c.now(1)));
  c.anchor(0, 50);
  for (let w = 6; w <= 30; w += 6) c.anchor(w, 50 + 5 * w);
  assert.ok(Math.abs(c.rate() - 5) < 1e-9);
  c.reset();
  assert.equal(c.rate(), 1);
  assert.ok(Number.isNaN(c.now(40)));
});
