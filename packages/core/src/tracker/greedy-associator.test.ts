import { test } from 'node:test';
import assert from 'node:assert/strict';
import { associatorConformance } from './associator-conformance.test.js';
import { createGreedyAssociator } from './greedy-associator.js';
import { createPairList } from './hypothesiser.js';

associatorConformance('greedy associator', () => createGreedyAssociator());

test('greedy associator takes the cheapest pair first', () => {
  const pairs = createPairList();
  // det 0 fits track 1 best; det 1 fits only track 1
  pairs.det.push(0, 0, 1);
  pairs.track.push(0, 1, 1);
  pairs.cost.push(2.56, 1.96, 4);
  assert.deepEqual(createGreedyAssociator().associate(pairs, 2), [{ det: 0, track: 1, cost: 1.96 }]);
});
