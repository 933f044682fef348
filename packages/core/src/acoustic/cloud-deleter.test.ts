/**
 * Blame for a track whose reports stop fitting (cloud-deleter.ts): the node is muted only when
 * it alone heard the track. A track several nodes heard that fits badly now has likely taken a
 * report of another target at the node it reached: muting that node lost the other target
 * (issue 13: 27 of 63 runs at the central matrix cell were never tracked, many at muted nodes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Track } from '../tracker/track.js';
import { createCloudDeleter } from './cloud-deleter.js';
import type { CloudInitiator } from './cloud-initiator.js';

function fakeTrack(sensors: [string, number][], logL: number): Track {
  return {
    status: 'confirmed',
    lastHitT: Math.max(...sensors.map((s) => s[1])),
    sensors: new Map(sensors),
    p: new Float64Array(36),
    cloud: { hits: 8, logL, shown: true, missAt: new Map(), cloud: {} },
  } as unknown as Track;
}

function spyInitiator(): { initiator: CloudInitiator; muted: string[] } {
  const muted: string[] = [];
  const initiator = { accepts: () => false, initiate: () => null, markNoisy: (id: string) => muted.push(id) } as unknown as CloudInitiator;
  return { initiator, muted };
}

test('a badly fitting track one node alone heard is dropped and that node muted', () => {
  const { initiator, muted } = spyInitiator();
  const d = createCloudDeleter({ inner: { judge: () => 'keep' }, initiator });
  assert.equal(d.judge(fakeTrack([['m1', 100]], Math.log(0.01)), 101), 'delete');
  assert.deepEqual(muted, ['m1']);
});

test('a badly fitting track several nodes heard is dropped, and no node is muted for it', () => {
  const { initiator, muted } = spyInitiator();
  const d = createCloudDeleter({ inner: { judge: () => 'keep' }, initiator });
  assert.equal(d.judge(fakeTrack([['m1', 60], ['m2', 100]], Math.log(0.01)), 101), 'delete');
  assert.deepEqual(muted, []);
});

test('a well fitting track is kept', () => {
  const { initiator, muted } = spyInitiator();
  const d = createCloudDeleter({ inner: { judge: () => 'keep' }, initiator });
  assert.equal(d.judge(fakeTrack([['m1', 100]], Math.log(0.5)), 101), 'keep');
  assert.deepEqual(muted, []);
});
