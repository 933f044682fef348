import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBusOutbox, type BusRow } from './outbox.js';

const row = (seq: number): BusRow => ({ seq, id: `d${seq}`, row: { n: seq } });
const journal = Array.from({ length: 50 }, (_, i) => row(i + 1));

function harness(maxRows: number) {
  const published: number[] = [];
  let down = true;
  let calls = 0;
  const outbox = createBusOutbox({
    async publish(messages) {
      calls++;
      await new Promise((r) => setTimeout(r, 1));
      if (down) throw new Error('bus down');
      for (const m of messages) for (const r of m) published.push(r.seq);
    },
    readJournal: async (after, limit) => journal.filter((r) => r.seq > after).slice(0, limit),
    chunk: 3,
    maxRows,
    onError: () => {},
    onReadError: () => {},
  });
  return { outbox, published, up: () => (down = false), calls: () => calls };
}

describe('the bus outbox', () => {
  it('retries a failed publication and lets nothing overtake it: every row once, in journal order', async () => {
    const h = harness(1000);
    for (let s = 1; s <= 30; s += 3) h.outbox.push([row(s), row(s + 1), row(s + 2)]);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(h.published, [], 'nothing while the bus is down');
    assert.ok(h.calls() >= 2, 'it retried');
    h.up();
    assert.equal(await h.outbox.settled(10_000), true);
    assert.deepEqual(h.published, Array.from({ length: 30 }, (_, i) => i + 1));
    assert.equal(h.outbox.stats.fromJournal, 0);
  });

  it('past maxRows waiting it drops its queue and reads the rows back from the journal, in order, then returns to the queue', async () => {
    const h = harness(5);
    for (let s = 1; s <= 40; s++) h.outbox.push([row(s)]);
    await new Promise((r) => setTimeout(r, 50));
    h.up();
    await new Promise((r) => setTimeout(r, 50));
    for (let s = 41; s <= 50; s++) h.outbox.push([row(s)]); // journalled while it catches up
    assert.equal(await h.outbox.settled(10_000), true);
    assert.deepEqual(h.published, Array.from({ length: 50 }, (_, i) => i + 1));
    assert.ok(h.outbox.stats.fromJournal >= 35, `${h.outbox.stats.fromJournal} rows read back from the journal`);
  });

  it('settled() gives up after its timeout while the bus stays down; close() stops the retries', async () => {
    const h = harness(1000);
    h.outbox.push([row(1)]);
    assert.equal(await h.outbox.settled(100), false);
    h.outbox.close();
    const n = h.calls();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(h.calls() <= n + 1, 'no more retries after close');
  });
});
