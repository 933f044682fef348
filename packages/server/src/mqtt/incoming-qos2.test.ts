import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIncomingQos2, keepIncomingQos2Ids } from './incoming-qos2.js';

test('a QoS 2 id is known from its PUBLISH to its PUBREL, per client', () => {
  const q = createIncomingQos2(100);
  q.store('a', 7);
  q.store('a', 7); // a repeated PUBLISH (DUP) before the PUBREL
  assert.equal(q.size, 1);
  assert.equal(q.has('a', 7), true);
  assert.equal(q.has('b', 7), false, 'another client\'s id 7 is another message');
  assert.equal(q.release('a', 7), true);
  assert.equal(q.release('a', 7), false, 'a second PUBREL finds nothing');
  assert.equal(q.size, 0);
});

test('a clean session that ends takes its unreleased ids with it', () => {
  const q = createIncomingQos2(100);
  for (let i = 1; i <= 10; i++) q.store('gone', i);
  q.store('stays', 1);
  q.clear('gone');
  assert.equal(q.size, 1);
  assert.equal(q.has('gone', 3), false);
  assert.equal(q.has('stays', 1), true);
});

test('over the bound, the least recently used client\'s oldest ids are forgotten first', () => {
  const q = createIncomingQos2(5);
  for (let i = 1; i <= 3; i++) q.store('old', i);
  for (let i = 1; i <= 2; i++) q.store('new', i);
  q.store('old', 4); // old is used again: new is now the least recent
  assert.equal(q.size, 5);
  assert.equal(q.has('new', 1), false, 'the least recent client\'s oldest id went');
  assert.equal(q.has('new', 2), true);
  assert.equal(q.evicted, 1);
  // one client alone past the bound loses its own oldest ids
  const solo = createIncomingQos2(3);
  for (let i = 1; i <= 5; i++) solo.store('s', i);
  assert.deepEqual([1, 2, 3, 4, 5].map((i) => solo.has('s', i)), [false, false, true, true, true]);
  assert.equal(solo.size, 3);
  assert.throws(() => createIncomingQos2(0), /maxIds must be at least 1, got 0/);
});

test('the persistence methods aedes calls answer from the ids, without the payload', async () => {
  const q = createIncomingQos2(10);
  const persistence = {} as Record<string, (c: { id: string }, p: { messageId?: number; payload?: Buffer }) => Promise<unknown>>;
  let changes = 0;
  keepIncomingQos2Ids(persistence, q, () => changes++);
  await persistence.incomingStorePacket({ id: 'c' }, { messageId: 3, payload: Buffer.alloc(1 << 20) });
  assert.deepEqual(await persistence.incomingGetPacket({ id: 'c' }, { messageId: 3 }), { cmd: 'publish', messageId: 3 });
  await assert.rejects(persistence.incomingGetPacket({ id: 'c' }, { messageId: 4 }), /no such packet/);
  await persistence.incomingDelPacket({ id: 'c' }, { messageId: 3 });
  await assert.rejects(persistence.incomingDelPacket({ id: 'c' }, { messageId: 3 }), /no such packet/);
  assert.equal(changes, 2);
  assert.equal(q.size, 0);
});
