import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSourcePrior } from './source-prior.js';
import { MODE_PRIOR } from './rival-modes.js';

test('source prior: starts at the fixed prior and moves towards the kinds the finished tracks turned out to be', () => {
  const sp = createSourcePrior({ pseudoCount: 20, floor: 0.05 });
  assert.deepEqual([...sp.prior(0)], [...MODE_PRIOR]);
  // 30 one-node tracks whose reports a stationary source explains 1,000 times better
  for (let i = 0; i < 30; i++) sp.learn(0, [0, -1, Math.log(1000)]);
  const p = sp.prior(0);
  // responsibilities near (0, 0, 1): (0.2·20 + 30) / 50 = 0.68
  assert.ok(Math.abs(p[2] - 0.68) < 0.01, `stationary ${p[2]}`);
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-12);
  // the other strata are untouched
  assert.deepEqual([...sp.prior(1)], [...MODE_PRIOR]);
  assert.equal(sp.tracks, 30);
});

test('source prior: responsibilities weigh the evidence by the current prior; ambiguous tracks keep it; the floor holds', () => {
  const sp = createSourcePrior({ pseudoCount: 10, floor: 0.05 });
  // evidence that does not tell the kinds apart teaches the prior itself
  for (let i = 0; i < 50; i++) sp.learn(1, [-3, -3, -3]);
  const p = sp.prior(1);
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(p[k] - MODE_PRIOR[k]) < 1e-9, `kind ${k}: ${p[k]}`);
  // 500 tracks all in the air: the others stay at the floor, not at 0
  for (let i = 0; i < 500; i++) sp.learn(1, [0, -50, -50]);
  const q = sp.prior(1);
  assert.ok(q[0] > 0.85, `air ${q[0]}`);
  assert.ok(q[1] >= 0.05 / (1 + 0.1) && q[2] >= 0.05 / (1 + 0.1), `floor: ${q}`);
  // a track no kind explains, or a NaN, teaches nothing
  const before = [...sp.prior(1)];
  sp.learn(1, [-Infinity, -Infinity, -Infinity]);
  sp.learn(1, [NaN, 0, 0]);
  assert.deepEqual([...sp.prior(1)], before);
  assert.throws(() => sp.learn(1, [0, 0]), /3 entries/);
  assert.throws(() => createSourcePrior({ floor: 0.5 }), /floor/);
});
