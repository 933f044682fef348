import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runBusConformance } from '../conformance.js';
import { createLocalBus } from './local-bus.js';
import type { Bus } from '../bus.js';

runBusConformance('local', async () => {
  const buses: Bus[] = [createLocalBus()];
  return {
    bus: buses[0],
    subject: (token) => `skywarden.detections.${token}`,
    reopen: async () => {
      const b = createLocalBus();
      buses.push(b);
      return b;
    },
    cleanup: async () => {
      for (const b of buses) await b.close();
    },
  };
});

describe('local bus', () => {
  it('calls synchronous handlers inside publish, in order, with the published values themselves', () => {
    const bus = createLocalBus();
    const seen: unknown[] = [];
    void bus.subscribe('a.b', (m) => void seen.push(m.json()));
    const v1 = { x: 1 };
    const v2 = { x: 2 };
    void bus.publish('a.b', [v1, v2]);
    // no await: delivered already
    assert.equal(seen.length, 2);
    assert.equal(seen[0], v1);
    assert.equal(seen[1], v2);
    void bus.close();
  });

  it('is not durable: durable names and from: all replay nothing', async () => {
    const bus = createLocalBus();
    assert.equal(bus.durable, false);
    await bus.publish('a.b', [{ i: 0 }]);
    const seen: unknown[] = [];
    await bus.subscribe('a.b', (m) => void seen.push(m.json()), { durable: 'x', from: 1 });
    assert.deepEqual(seen, []);
    await bus.close();
  });
});
