import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRefreshGovernor } from './refresh-governor.js';

test('fast frames keep the fastest refresh; slow frames stretch it so the map takes at most its share', () => {
  const g = createRefreshGovernor({ minMs: 250, maxMs: 4000, share: 0.35 });
  assert.equal(g.intervalMs(), 250, 'before any frame: the fast rate');
  for (let i = 0; i < 20; i++) g.observe(2);
  assert.equal(g.intervalMs(), 250);
  for (let i = 0; i < 40; i++) g.observe(500);
  assert.ok(Math.abs(g.costMs() - 500) < 1, `cost ${g.costMs()}`);
  assert.ok(Math.abs(g.intervalMs() - 500 / 0.35) < 5, `interval ${g.intervalMs()}`);
  // share of the main thread taken by the map at that interval
  assert.ok(g.costMs() / g.intervalMs() <= 0.35 + 1e-9);
});

test('the interval is bounded above; one huge frame does not stall the map; bad samples are ignored', () => {
  const g = createRefreshGovernor({ minMs: 250, maxMs: 4000, share: 0.35 });
  for (let i = 0; i < 30; i++) g.observe(10_000);
  assert.equal(g.intervalMs(), 4000);
  const h = createRefreshGovernor({ minMs: 250, maxMs: 4000, share: 0.35 });
  for (let i = 0; i < 10; i++) h.observe(5);
  h.observe(60_000); // a tab switch
  assert.ok(h.intervalMs() <= 4000 * 0.35 * 2 * 0.3 / 0.35 + 250, `after one huge frame ${h.intervalMs()}`);
  for (let i = 0; i < 12; i++) h.observe(5);
  assert.equal(h.intervalMs(), 250, 'recovers once frames are fast again');
  h.observe(Number.NaN);
  h.observe(-1);
  h.observe(Number.POSITIVE_INFINITY);
  assert.equal(h.intervalMs(), 250);
});

test('nonsense options are refused with what is wrong', () => {
  assert.throws(() => createRefreshGovernor({ minMs: 0, maxMs: 10, share: 0.5 }), /minMs/);
  assert.throws(() => createRefreshGovernor({ minMs: 100, maxMs: 10, share: 0.5 }), /minMs <= maxMs/);
  assert.throws(() => createRefreshGovernor({ minMs: 100, maxMs: 1000, share: 0 }), /share/);
});
