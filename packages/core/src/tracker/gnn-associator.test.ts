import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic, geodeticToEnu } from '../geo/index.js';
import type { GeoPoint, PositionDetection } from '../types.js';
import { associatorConformance } from './associator-conformance.test.js';
import type { Associator } from './associator.js';
import { createGnnAssociator } from './gnn-associator.js';
import { createGreedyAssociator } from './greedy-associator.js';
import { createPairList } from './hypothesiser.js';
import { createTracker } from './tracker.js';

associatorConformance('GNN associator', () => createGnnAssociator({ missCost: 36.9 }));

test('GNN associator: the joint optimum, where the cheapest pair first would take the wrong track', () => {
  // tracks A (slot 0) at y = 0 and B (slot 1) at y = 300; detections at y = 160 (det 0) and
  // y = 500 (det 1), σ = 100 m: det 0 fits B (140 m) a little better than A (160 m), det 1 fits
  // only B (A is out of its gate)
  const pairs = createPairList();
  pairs.det.push(0, 0, 1);
  pairs.track.push(0, 1, 1);
  pairs.cost.push(2.56, 1.96, 4);
  const gnn = createGnnAssociator({ missCost: 36.9 }).associate(pairs, 2);
  assert.deepEqual(gnn.slice().sort((a, b) => a.det - b.det), [{ det: 0, track: 0, cost: 2.56 }, { det: 1, track: 1, cost: 4 }]);
  const greedy = createGreedyAssociator().associate(pairs, 2);
  assert.deepEqual(greedy, [{ det: 0, track: 1, cost: 1.96 }], 'greedy differs here: the test tells them apart');
});

test('GNN associator: a detection stays unassigned when every track costs more than a miss', () => {
  const pairs = createPairList();
  // both detections fit track 0; det 1 fits track 1 too, but at a cost above the miss cost
  pairs.det.push(0, 1, 1);
  pairs.track.push(0, 0, 1);
  pairs.cost.push(1, 2, 50);
  const out = createGnnAssociator({ missCost: 36.9 }).associate(pairs, 2);
  assert.deepEqual(out.slice().sort((a, b) => a.det - b.det), [{ det: 0, track: 0, cost: 1 }]);
});

const origin: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 0 };
const frame = createEnuFrame(origin);

function pos(t: number, e: number, n: number): PositionDetection {
  return { type: 'position', t, sensorId: 'r', position: enuToGeodetic(frame, e, n, 500), hasAltitude: true, posSd: 80, altSd: 30 };
}

/** Two parallel targets 300 m apart, then one step whose detections are at y = 160 and y = 500. */
function crossingScene(associator?: Associator) {
  const tr = createTracker({ origin }, associator ? { associator } : undefined);
  for (let t = 0; t <= 30; t++) tr.step([pos(t, 50 * t, 0), pos(t, 50 * t, 300)], t);
  const before = tr.report(30);
  assert.equal(before.length, 2);
  const idSouth = before.find((r) => geodeticToEnu(frame, r.position)[1] < 150)!.trackId;
  const idNorth = before.find((r) => r.trackId !== idSouth)!.trackId;
  tr.step([pos(31, 1550, 160), pos(31, 1550, 500)], 31);
  const after = tr.report(31);
  const y = (id: string) => geodeticToEnu(frame, after.find((r) => r.trackId === id)!.position)[1];
  return { south: y(idSouth), north: y(idNorth), tracks: tr.tracks().length };
}

test('tracker with the GNN associator keeps both tracks on their targets where greedy pulls the wrong one', () => {
  const gnn = crossingScene();
  // joint optimum: the south track takes y = 160, the north one y = 500; no new track
  assert.ok(gnn.south > 15, `south track at y = ${gnn.south.toFixed(1)}, expected pulled north by the y = 160 detection`);
  assert.ok(gnn.north > 320, `north track at y = ${gnn.north.toFixed(1)}, expected pulled north by the y = 500 detection`);
  assert.equal(gnn.tracks, 2);
  // the same scene with greedy association: the north track takes y = 160 (its cheapest pair),
  // the south one gets nothing, and the y = 500 detection starts a new track
  const greedy = crossingScene(createGreedyAssociator());
  assert.ok(greedy.north < 290, `greedy: north track at y = ${greedy.north.toFixed(1)}, expected pulled south`);
  assert.ok(Math.abs(greedy.south) < 20, `greedy: south track at y = ${greedy.south.toFixed(1)}, expected not updated`);
  assert.equal(greedy.tracks, 3);
});
