/** Mesh protocol selection, the rules of the ATAK-CIV takproto README, on a driven clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMeshVersions, TAK_CONTROL_EXPIRY_S } from './tak-mesh.js';

test('protocol 1 only while every known contact decodes it; XML with a legacy contact; a TakControl counts for 2 minutes', () => {
  const m = createMeshVersions({ min: 1, max: 1 });
  assert.equal(m.version(0), 1, 'no contacts known: our own highest');
  // a contact that advertises 1..1 in a protocol 1 message
  m.heard('ATAK-a', 0, 1, { min: 1, max: 1 }, 600);
  assert.equal(m.version(1), 1);
  // a legacy client (XML, no TakControl): no overlap, so XML
  m.heard('WinTAK-old', 10, 0, null, 600);
  assert.equal(m.version(11), 0);
  // a newer client that decodes 1..2 does not change the choice for itself
  const n = createMeshVersions({ min: 1, max: 1 });
  n.heard('ATAK-new', 0, 1, { min: 1, max: 2 }, 600);
  assert.equal(n.version(1), 1);
  // a contact whose TakControl is older than 2 minutes reverts to the version of its last message
  const k = createMeshVersions({ min: 1, max: 1 });
  k.heard('ATAK-b', 0, 1, { min: 1, max: 1 }, 600);
  k.heard('ATAK-b', 30, 0, null, 600); // then an XML message, no TakControl
  assert.equal(k.version(30 + 1), 1, 'its TakControl is still fresh');
  assert.equal(k.version(TAK_CONTROL_EXPIRY_S + 1), 0, 'control expired: its last message was XML');
  k.heard('ATAK-b', 200, 1, { min: 1, max: 1 }, 800);
  assert.equal(k.version(201), 1, 'a new TakControl');
});

test('contacts are forgotten once their last event is stale; a flood of uids is bounded', () => {
  const m = createMeshVersions({ min: 1, max: 1 });
  m.heard('legacy', 0, 0, null, 90);
  assert.equal(m.version(80), 0);
  assert.equal(m.version(91), 1, 'the legacy contact went stale');
  assert.equal(m.size, 0);
  for (let i = 0; i < 20_000; i++) m.heard(`x-${i}`, 100, 1, { min: 1, max: 1 }, 1000);
  assert.equal(m.size, 10_000);
});
