/**
 * The rival hypotheses of an acoustic track (rival-modes.ts): a stationary source heard on and
 * on loses the class's hypothesis; a source whose sound stops as a passing drone's does, or
 * that a second node 5 km away takes up, keeps it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../math/mulberry32.js';
import { createCloud, predictCloud, presenceHit, presenceMiss, resampleCloud, seedAroundSensor, type ParticleCloud } from './particle-cloud.js';
import { presenceModel, presenceReach } from './presence-model.js';
import { airLogRatio, airProbability, createRivals, MODE_PRIOR, rivalsUpdate } from './rival-modes.js';
import { applySourceKind, classProbabilities, createClassState } from '../identify/classifier.js';

const model = presenceModel(2500, { pd: 0.9, pfa: 0.001 });
const reach = presenceReach(model);
const A = { sx: 0, sy: 0, sz: 5 };
const B = { sx: 5000, sy: 0, sz: 5 };

function start() {
  const air = createCloud(mulberry32(1));
  seedAroundSensor(air, 0, A.sx, A.sy, A.sz, model, reach, 50, 2500);
  const rivals = createRivals(99, { t: 0, ...A, model, reach });
  return { air, rivals };
}

function report(air: ParticleCloud, rivals: ReturnType<typeof createRivals>, t: number, node: typeof A, heard: boolean): void {
  predictCloud(air, t);
  const weigh = (c: ParticleCloud) => (heard ? presenceHit(c, node.sx, node.sy, node.sz, model) : presenceMiss(c, node.sx, node.sy, node.sz, model));
  const l = weigh(air);
  resampleCloud(air);
  rivalsUpdate(rivals, t, l, weigh);
}

test('the hypotheses start at their prior', () => {
  const { rivals } = start();
  assert.ok(Math.abs(airProbability(rivals) - MODE_PRIOR[0]) < 1e-12);
});

test('a node that hears something for five minutes without a pause: a stationary source, not a drone', () => {
  const { air, rivals } = start();
  let first = NaN;
  for (let t = 2; t <= 300; t += 2) {
    report(air, rivals, t, A, true);
    if (Number.isNaN(first) && airProbability(rivals) < 0.01) first = t;
  }
  assert.ok(airProbability(rivals) < 0.01, `P(air) after 300 s: ${airProbability(rivals)}`);
  // as evidence for the class belief: clutter (not a source in the air) takes the track
  const cls = createClassState();
  const before = classProbabilities(cls).clutter;
  applySourceKind(cls, airLogRatio(rivals));
  assert.ok(classProbabilities(cls).clutter > 0.9 && before < 0.2, `clutter ${before} -> ${classProbabilities(cls).clutter}`);
  assert.ok(first > 20, `dropped below 1 % only after ${first} s (a drone is heard for a minute or more)`);
});

test('heard for 60 s, then silent, then heard by a node 5 km away at a drone\'s pace: the class wins', () => {
  const { air, rivals } = start();
  for (let t = 2; t <= 60; t += 2) report(air, rivals, t, A, true);
  for (let t = 62; t <= 100; t += 2) report(air, rivals, t, A, false);
  const afterSilence = airProbability(rivals);
  for (let t = 102; t <= 140; t += 2) report(air, rivals, t, B, true);
  assert.ok(afterSilence > 0.5, `after the sound stopped: P(air) ${afterSilence}`);
  assert.ok(airProbability(rivals) > 0.9, `after the second node: P(air) ${airProbability(rivals)}`);
  assert.ok(airLogRatio(rivals) > Math.log(10), `evidence for a source in the air: ${airLogRatio(rivals)}`);
});
