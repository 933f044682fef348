/**
 * The associator contract, as a suite that each associator's own test file registers for its
 * factory (gnn-associator.test.ts, greedy-associator.test.ts). It registers nothing by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../math/mulberry32.js';
import type { Assignment, Associator } from './associator.js';
import { createPairList, type PairList } from './hypothesiser.js';

/** Pairs [detection, track, cost], with likelihoods −½·cost (tracks as precise as the sensor), each weighable or not. */
export function pairList(pairs: readonly (readonly [number, number, number])[], weighable = 1): PairList {
  const l = createPairList();
  for (const [d, t, c] of pairs) {
    l.det.push(d);
    l.track.push(t);
    l.cost.push(c);
    // as the hypothesiser gives them for tracks as precise as the sensor, every pair weighable
    l.logLik.push(-0.5 * c);
    l.weighable.push(weighable);
  }
  return l;
}

/** Random gated pairs: up to nDets detections, track slots 0..nTracks-1 (each pair once). */
function randomPairs(seed: number, nDets: number, nTracks: number): PairList {
  const rnd = mulberry32(seed);
  const out: [number, number, number][] = [];
  for (let d = 0; d < nDets; d++) {
    for (let t = 0; t < nTracks; t++) if (rnd() < 0.4) out.push([d, t, Math.round(rnd() * 160) / 10]);
  }
  return pairList(out);
}

const key = (a: Assignment) => `${a.det}:${a.track}`;

export function associatorConformance(name: string, make: () => Associator): void {
  test(`${name} (associator contract): empty input gives an empty assignment`, () => {
    assert.deepEqual(make().associate(createPairList(), 0), []);
    assert.deepEqual(make().associate(createPairList(), 5), []);
  });

  test(`${name} (associator contract): a lone gated pair is taken`, () => {
    const out = make().associate(pairList([[2, 7, 3.5]]), 4);
    assert.deepEqual(out, [{ det: 2, track: 7, cost: 3.5 }]);
  });

  test(`${name} (associator contract): one-to-one (but for weighted sets), and only gated pairs with their own cost`, () => {
    for (let seed = 1; seed <= 40; seed++) {
      const pairs = randomPairs(seed, 1 + (seed % 7), 1 + ((seed * 3) % 6));
      const given = new Map<string, number>();
      for (let k = 0; k < pairs.det.length; k++) given.set(`${pairs.det[k]}:${pairs.track[k]}`, pairs.cost[k]);
      const out = make().associate(pairs, 1 + (seed % 7));
      const dets = new Set<number>();
      const tracks = new Set<number>();
      for (const a of out) {
        // hard pairs are one-to-one; a weighted set (JPDA's mixture) may share its detections
        if (!a.mixture) assert.ok(!dets.has(a.det), `seed ${seed}: detection ${a.det} used twice`);
        assert.ok(!tracks.has(a.track), `seed ${seed}: track ${a.track} used twice`);
        if (!a.mixture) dets.add(a.det);
        tracks.add(a.track);
        assert.ok(given.has(key(a)), `seed ${seed}: pair ${key(a)} was not gated`);
        assert.equal(a.cost, given.get(key(a)), `seed ${seed}: cost of ${key(a)}`);
        if (a.mixture) {
          for (const d of a.mixture.dets) assert.ok(given.has(`${d}:${a.track}`), `seed ${seed}: mixture pair ${d}:${a.track} was not gated`);
          assert.ok(a.mixture.dets.includes(a.det), `seed ${seed}: the mixture of track ${a.track} leaves out its own detection`);
          const sum = a.mixture.beta.reduce((x, y) => x + y, a.mixture.miss);
          assert.ok(sum <= 1 + 1e-9 && sum > 0.99, `seed ${seed}: track ${a.track}'s probabilities sum to ${sum}`);
        }
      }
      if (pairs.det.length > 0) assert.ok(out.length > 0, `seed ${seed}: gated pairs but nothing chosen`);
    }
  });

  test(`${name} (associator contract): deterministic, and the input is left as it was`, () => {
    for (let seed = 100; seed < 110; seed++) {
      const pairs = randomPairs(seed, 6, 5);
      const before = JSON.stringify(pairs);
      const one = make();
      const a = JSON.stringify(one.associate(pairs, 6));
      assert.equal(JSON.stringify(pairs), before, 'input changed');
      assert.equal(JSON.stringify(one.associate(pairs, 6)), a, 'same instance, second call');
      assert.equal(JSON.stringify(make().associate(randomPairs(seed, 6, 5), 6)), a, 'fresh instance');
    }
  });
}
