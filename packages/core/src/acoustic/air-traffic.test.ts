/** Where the raid's drones flew lately (air-traffic.ts): cells, neighbours, memory, bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AIR_TRAFFIC_CELL, AIR_TRAFFIC_MEMORY, createAirTraffic } from './air-traffic.js';

test('a passage counts in its cell and the eight around it, for the memory, and not beyond', () => {
  const a = createAirTraffic();
  assert.equal(a.near(0, 0, 0), false, 'nothing recorded');
  a.record(100, 100, 1000);
  const c = AIR_TRAFFIC_CELL;
  for (const [x, y] of [[100, 100], [c * 1.9, 100], [-c * 0.9, -c * 0.9], [100, c * 1.5]]) assert.equal(a.near(x, y, 1000), true, `near at ${x}, ${y}`);
  for (const [x, y] of [[c * 2.1, 100], [100, -c * 1.1 - 1], [-c * 3, c * 3]]) assert.equal(a.near(x, y, 1000), false, `not near at ${x}, ${y}`);
  assert.equal(a.near(100, 100, 1000 + AIR_TRAFFIC_MEMORY), true, 'at the end of the memory');
  assert.equal(a.near(100, 100, 1000 + AIR_TRAFFIC_MEMORY + 1), false, 'after it');
  // a later passage renews the cell; an older one does not undo it
  a.record(200, 200, 1500);
  a.record(200, 200, 1200);
  assert.equal(a.near(100, 100, 1500 + AIR_TRAFFIC_MEMORY), true);
  assert.equal(a.size, 1);
});

test('options and odd input: a cell and memory of its own; non-finite and far places ignored; bad options refused', () => {
  const a = createAirTraffic({ cell: 1000, memory: 60 });
  assert.notEqual(AIR_TRAFFIC_CELL, 1000, 'the default is not what this test sets');
  a.record(0, 0, 0);
  assert.equal(a.near(1500, 0, 60), true);
  assert.equal(a.near(2500, 0, 0), false);
  assert.equal(a.near(0, 0, 61), false);
  a.record(NaN, 0, 0);
  a.record(0, Infinity, 0);
  a.record(1e12, 0, 0);
  a.record(0, 0, NaN);
  assert.equal(a.size, 1);
  assert.equal(a.near(NaN, 0, 0), false);
  assert.equal(a.near(1e12, 0, 0), false);
  assert.throws(() => createAirTraffic({ cell: 0 }), /cell must be > 0/);
  assert.throws(() => createAirTraffic({ memory: -1 }), /memory >= 0/);
});
