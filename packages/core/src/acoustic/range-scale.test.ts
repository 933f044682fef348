import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRangeScaleLearner, checkRangeScalePrior, RANGE_SCALE_FLOOR } from './range-scale.js';
import { bearingHitEvidence, createCloud, presenceHit, presenceMissAll, seedFromReport } from './particle-cloud.js';
import { presenceModel } from './presence-model.js';
import { mulberry32 } from '../math/mulberry32.js';

test('the range-scale prior: a geometric grid from min to max with pOne of the mass at 1, checked', () => {
  const l = createRangeScaleLearner({ min: 0.5, max: 1, pOne: 0.3, steps: 8 });
  assert.equal(l.values.length, 8);
  assert.equal(l.values[0], 0.5);
  assert.equal(l.values[7], 1);
  for (let k = 1; k < 8; k++) assert.ok(Math.abs(l.values[k] / l.values[k - 1] - Math.pow(2, 1 / 7)) < 1e-12);
  assert.ok(Math.abs(l.weights[7] - 0.3) < 1e-12);
  for (let k = 0; k < 7; k++) assert.ok(Math.abs(l.weights[k] - 0.1) < 1e-12);
  // draws by the cumulative distribution
  assert.equal(l.draw(0), 0.5);
  assert.equal(l.draw(0.999), 1);
  assert.equal(l.draw(0.65), l.values[6]);
  assert.match(checkRangeScalePrior({ min: 0, max: 1, pOne: 0.3 }) ?? '', /0 < min <= max/);
  assert.match(checkRangeScalePrior({ min: 0.5, max: 1, pOne: 1.3 }) ?? '', /pOne must be in \[0, 1\]/);
  assert.match(checkRangeScalePrior({ min: 0.5, max: 1, pOne: 0.3, steps: 0 }) ?? '', /steps must be an integer/);
  assert.throws(() => createRangeScaleLearner({ min: 2, max: 1, pOne: 0.3 }), /range scale prior: needs 0 < min <= max/);
});

test('the network learns the scale the tracks\' likelihoods agree on, tempered, never ruling a value out', () => {
  const l = createRangeScaleLearner({ min: 0.5, max: 1, pOne: 0.3, steps: 8, temper: 0.5 });
  // each track: a log likelihood peaked at the grid's 0.67 (index 3), 2 nats down per step away
  const ll = Array.from(l.values, (_, k) => -2 * Math.abs(k - 3));
  for (let i = 0; i < 6; i++) l.learn(ll);
  assert.equal(l.learnt, 6);
  const top = l.weights.indexOf(Math.max(...l.weights));
  assert.equal(top, 3);
  // the other values keep their floor (2 % of their base share): 0.85 is what that leaves
  assert.ok(l.weights[3] > 0.8, `weight at 0.67: ${l.weights[3]}`);
  assert.ok(Math.abs(l.mean - l.values[3]) < 0.03, `mean ${l.mean}`);
  for (let k = 0; k < 8; k++) assert.ok(l.weights[k] >= RANGE_SCALE_FLOOR * (k === 7 ? 0.3 : 0.1) * 0.999, `value ${k} floored`);
  // temper 0: the base prior always
  const still = createRangeScaleLearner({ min: 0.5, max: 1, pOne: 0.3, temper: 0 });
  still.learn(ll);
  assert.equal(still.learnt, 0);
  assert.ok(Math.abs(still.weights[7] - 0.3) < 1e-12);
});

test('a cloud weighs each presence outcome under every scale: silences where the declared range says a node must hear favour a shorter range', () => {
  const l = createRangeScaleLearner({ min: 0.5, max: 1, pOne: 0.3, steps: 8 });
  const model = presenceModel(3000, { pd: 0.9, pfa: 0.001 });
  const cloud = createCloud(mulberry32(7), { n: 400, rangeScale: l, learnScale: true });
  // heard by a node at the origin; a neighbour 2.5 km east stays silent for 20 intervals, one
  // 2.5 km west hears it again and again: a target near the origin heard at 3 km would have been
  // heard by the east node too, unless sound carries less far than declared
  seedFromReport(cloud, 0, { sx: 0, sy: 0, sz: 5, model, reach: 3900 }, 100, 300);
  assert.ok(cloud.rs.subarray(0, cloud.n).some((s) => s < 1) && cloud.rs.subarray(0, cloud.n).some((s) => s === 1), 'particles hold several scales');
  for (let i = 0; i < 20; i++) {
    presenceMissAll(cloud, [{ sx: 2500, sy: 0, sz: 5, model, times: 1 }]);
    presenceHit(cloud, 0, 0, 5, model);
  }
  const ll = cloud.rsLL!;
  assert.ok(ll[0] > ll[7] + 5, `log likelihood of 0.5 against 1: ${(ll[0] - ll[7]).toFixed(1)}`);
  // the same with the east node hearing too: the declared range is the likelier
  const c2 = createCloud(mulberry32(7), { n: 400, rangeScale: l, learnScale: true });
  seedFromReport(c2, 0, { sx: 0, sy: 0, sz: 5, model, reach: 3900 }, 100, 300);
  for (let i = 0; i < 20; i++) {
    presenceHit(c2, 2500, 0, 5, model);
    presenceHit(c2, 0, 0, 5, model);
  }
  assert.ok(c2.rsLL![7] > c2.rsLL![0] + 5, `log likelihood of 1 against 0.5: ${(c2.rsLL![7] - c2.rsLL![0]).toFixed(1)}`);
});

test('an array\'s bearing counts as a hit in the scale evidence: heard 2.5 km off again and again, the declared range is the likelier', () => {
  const l = createRangeScaleLearner({ min: 0.5, max: 1, pOne: 0.3, steps: 8 });
  const model = presenceModel(3000, { pd: 0.9, pfa: 0.001 });
  const cloud = createCloud(mulberry32(11), { n: 400, rangeScale: l, learnScale: true });
  seedFromReport(cloud, 0, { sx: 0, sy: 0, sz: 5, model, reach: 3900 }, 100, 300);
  for (let i = 0; i < 20; i++) bearingHitEvidence(cloud, 2500, 0, 5, model);
  const ll = cloud.rsLL!;
  assert.ok(ll[7] > ll[0] + 5, `log likelihood of 1 against 0.5: ${(ll[7] - ll[0]).toFixed(1)}`);
  // the evidence only: the cloud's weights are the bearing's business (bearingUpdate)
  assert.ok(cloud.w.subarray(0, cloud.n).every((w) => Math.abs(w - 1 / cloud.n) < 1e-15));
});
