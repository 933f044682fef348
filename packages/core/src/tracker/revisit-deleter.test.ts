import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClassState } from '../identify/classifier.js';
import { createRevisitDeleter } from './revisit-deleter.js';
import { DELETE_REASONS } from './deleter.js';
import type { Track, TrackStatus } from './track.js';

/** A hand-made track: last detection at t = 100, horizontal position one-sigma `sd`. */
function track(status: TrackStatus, hits: number, meanGap = NaN, sd = 20): Track {
  const p = new Float64Array(36);
  for (let i = 0; i < 6; i++) p[i * 7] = i < 3 ? sd * sd : 25;
  return {
    id: '1', slot: 0, x: new Float64Array(6), p, t: 100, status, hits, nis: 0, nisDof: 0, firstT: 50, lastHitT: 100, meanGap,
    modeX: new Float64Array(12), modeP: new Float64Array(72), mu: new Float64Array([0.7, 0.3]), gH: new Float64Array(9), gV: new Float64Array(9),
    gAtE: 0, gAtN: 0, sensors: new Map([['s', 100]]), cls: createClassState(), clsT: 100, clsOut: null,
  };
}

const deleter = createRevisitDeleter({ tentativeTimeout: 12, coastAfter: 6, deleteAfter: 15, matureHits: 8, maxPositionSd: 3000 });

test('revisit deleter: a tentative track is dropped after the tentative timeout, never coasts', () => {
  const tr = track('tentative', 2);
  assert.equal(deleter.judge(tr, 111), 'keep');
  assert.equal(deleter.judge(tr, 112.5), 'delete');
  assert.equal(deleter.lastReason, DELETE_REASONS.tentativeUnheard);
});

test('revisit deleter: a mature confirmed track coasts after coastAfter and is deleted after deleteAfter', () => {
  const tr = track('confirmed', 20);
  assert.equal(deleter.judge(tr, 105), 'keep');
  assert.equal(deleter.judge(tr, 106.5), 'coast');
  assert.equal(deleter.judge(tr, 114), 'coast');
  assert.equal(deleter.judge(tr, 115.5), 'delete');
  assert.equal(deleter.lastReason, DELETE_REASONS.unheard);
  const coasting = track('coasting', 20);
  assert.equal(deleter.judge(coasting, 110), 'keep', 'already coasting: no second coast verdict');
  assert.equal(deleter.judge(coasting, 115.5), 'delete');
});

test('revisit deleter: a young confirmed track is deleted as soon as it would coast', () => {
  assert.equal(deleter.judge(track('confirmed', 5), 106.5), 'delete');
  assert.equal(deleter.lastReason, DELETE_REASONS.youngUnheard);
});

test('revisit deleter: time limits stretch with the track revisit', () => {
  // a radar revisit of 4 s: coasting after 2.2 revisits (8.8 s), deletion after 5 (20 s)
  const tr = track('confirmed', 20, 4);
  assert.equal(deleter.judge(tr, 108), 'keep');
  assert.equal(deleter.judge(tr, 109), 'coast');
  assert.equal(deleter.judge(tr, 119), 'coast');
  assert.equal(deleter.judge(tr, 120.5), 'delete');
});

test('revisit deleter: a mature track whose position one-sigma exceeds the limit is deleted', () => {
  assert.equal(deleter.judge(track('confirmed', 20, NaN, 3100), 101), 'delete');
  assert.equal(deleter.lastReason, DELETE_REASONS.spread);
  assert.equal(deleter.judge(track('confirmed', 20, NaN, 2900), 101), 'keep');
});

test('revisit deleter: judging changes nothing', () => {
  const tr = track('confirmed', 20);
  const before = JSON.stringify({ ...tr, p: Array.from(tr.p), sensors: [...tr.sensors] });
  deleter.judge(tr, 130);
  assert.equal(JSON.stringify({ ...tr, p: Array.from(tr.p), sensors: [...tr.sensors] }), before);
  assert.equal(tr.status, 'confirmed');
});
