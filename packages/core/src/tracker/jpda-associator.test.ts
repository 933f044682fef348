import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../math/mulberry32.js';
import { associatorConformance, pairList } from './associator-conformance.test.js';
import { createGnnAssociator } from './gnn-associator.js';
import { beliefMarginals, createJpdaAssociator, exactMarginals as enumerated, type AssociationGraph } from './jpda-associator.js';
import { chiSquareQuantile } from './options.js';
import { geodeticToEnu } from '../geo/index.js';
import type { Detection } from '../types.js';
import { createTracker } from './tracker.js';
import { FRAME, ORIGIN, normals, radarDet, stepEverySecond, straight } from './testing.js';

const MISS_COST = chiSquareQuantile(4, 0.999) * 2;
const make = () => createJpdaAssociator({ missCost: MISS_COST });
associatorConformance('JPDA associator', make);

/** The exact marginals by enumerating every joint event (each track one detection or none, each detection at most one track). */
function exactMarginals(nTracks: number, tr: number[], det: number[], w: number[], w0: number[]): { beta: number[]; beta0: number[] } {
  const byTrack: number[][] = Array.from({ length: nTracks }, () => []);
  tr.forEach((t, k) => byTrack[t].push(k));
  const beta = new Array(w.length).fill(0);
  const beta0 = new Array(nTracks).fill(0);
  let total = 0;
  const pick: number[] = [];
  const walk = (i: number, taken: Set<number>, weight: number): void => {
    if (i === nTracks) {
      total += weight;
      pick.forEach((k, t) => (k < 0 ? (beta0[t] += weight) : (beta[k] += weight)));
      return;
    }
    pick[i] = -1;
    walk(i + 1, taken, weight * w0[i]);
    for (const k of byTrack[i]) {
      if (taken.has(det[k])) continue;
      taken.add(det[k]);
      pick[i] = k;
      walk(i + 1, taken, weight * w[k]);
      taken.delete(det[k]);
    }
    pick.length = i;
  };
  walk(0, new Set(), 1);
  return { beta: beta.map((b) => b / total), beta0: beta0.map((b) => b / total) };
}

/** A random cluster of nT tracks and nD detections, each pair gated with probability 0.6, weights e^(span·u + low). */
function randomCluster(rnd: () => number, nT: number, nD: number, span: number, low: number, miss: number): AssociationGraph & { tr: number[]; det: number[]; w: number[]; w0: number[] } {
  const tr: number[] = [];
  const det: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < nT; i++) {
    for (let j = 0; j < nD; j++) {
      if (rnd() < 0.6) {
        tr.push(i);
        det.push(j);
        w.push(Math.exp(span * rnd() + low));
      }
    }
  }
  return { nTracks: nT, nDets: nD, tr, det, w, w0: Array.from({ length: nT }, () => miss) };
}

function marginals(nTracks: number, nDets: number, tr: number[], det: number[], w: number[], w0: number[]) {
  const beta = new Float64Array(w.length);
  const beta0 = new Float64Array(nTracks);
  const passes = beliefMarginals({ nTracks, nDets, tr, det, w, w0 }, beta, beta0);
  return { beta: Array.from(beta), beta0: Array.from(beta0), passes };
}

test('belief propagation gives the exact marginals where the association graph is a tree', () => {
  // two tracks sharing one detection, each with one of its own: a chain, no loop
  const tr = [0, 0, 1, 1];
  const det = [0, 1, 1, 2];
  const w = [30, 5, 8, 40];
  const w0 = [0.1, 0.1];
  const bp = marginals(2, 3, tr, det, w, w0);
  const ex = exactMarginals(2, tr, det, w, w0);
  for (let k = 0; k < w.length; k++) assert.ok(Math.abs(bp.beta[k] - ex.beta[k]) < 1e-9, `pair ${k}: ${bp.beta[k]} against ${ex.beta[k]}`);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(bp.beta0[i] - ex.beta0[i]) < 1e-9, `track ${i} miss`);
});

test('belief propagation is close to the exact marginals where misses and clutter weigh, and far off where two tracks both fit two detections', () => {
  const rnd = mulberry32(11);
  let worst = 0;
  for (let trial = 0; trial < 200; trial++) {
    const { tr, det, w, w0, nTracks: nT, nDets: nD } = randomCluster(rnd, 2 + Math.floor(rnd() * 4), 2 + Math.floor(rnd() * 4), 3, -1, 0.5);
    if (w.length === 0) continue;
    const bp = marginals(nT, nD, tr, det, w, w0);
    const ex = exactMarginals(nT, tr, det, w, w0);
    for (let k = 0; k < w.length; k++) worst = Math.max(worst, Math.abs(bp.beta[k] - ex.beta[k]));
    for (let i = 0; i < nT; i++) {
      const sum = bp.beta0[i] + bp.beta.reduce((s, b, k) => s + (tr[k] === i ? b : 0), 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `trial ${trial}: track ${i}'s probabilities sum to ${sum}`);
    }
  }
  // (measured: 0.084 at worst over these 200 clusters)
  assert.ok(worst < 0.1, `largest error of a marginal ${worst.toFixed(4)}`);
  // two crossing targets: weights 3000 and 2000 crosswise, misses 0.1; the truth is 9/13
  const cross = marginals(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [3000, 2000, 2000, 3000], [0.1, 0.1]);
  assert.ok(cross.beta[0] > 0.99, `belief propagation ${cross.beta[0]}`);
  assert.ok(Math.abs(exactMarginals(2, [0, 0, 1, 1], [0, 1, 0, 1], [3000, 2000, 2000, 3000], [0.1, 0.1]).beta[0] - 9 / 13) < 1e-4);
});

test('the enumeration gives the exact marginals, and the messages that rebuild them from one track\'s view', () => {
  const rnd = mulberry32(5);
  for (let trial = 0; trial < 100; trial++) {
    const g = randomCluster(rnd, 2 + Math.floor(rnd() * 4), 1 + Math.floor(rnd() * 5), 10, 0, 0.1);
    const { tr, det, w, w0, nTracks: nT } = g;
    if (w.length === 0) continue;
    const beta = new Float64Array(w.length);
    const beta0 = new Float64Array(nT);
    const nu = new Float64Array(w.length);
    assert.ok(enumerated(g, beta, beta0, nu));
    const ex = exactMarginals(nT, tr, det, w, w0);
    for (let k = 0; k < w.length; k++) assert.ok(Math.abs(beta[k] - ex.beta[k]) < 1e-9, `trial ${trial} pair ${k}`);
    // a track's own normalisation of w·ν and w0 gives its marginals back (what the filter does per mode)
    for (let i = 0; i < nT; i++) {
      let z = w0[i];
      for (let k = 0; k < w.length; k++) if (tr[k] === i) z += w[k] * nu[k];
      for (let k = 0; k < w.length; k++) if (tr[k] === i) assert.ok(Math.abs((w[k] * nu[k]) / z - beta[k]) < 1e-9, `trial ${trial} pair ${k} from the messages`);
    }
  }
  // a cluster past the limit is left to belief propagation
  assert.equal(enumerated({ nTracks: 3, nDets: 3, tr: [0, 0, 1, 1, 2, 2], det: [0, 1, 1, 2, 2, 0], w: [1, 1, 1, 1, 1, 1], w0: [1, 1, 1] }, new Float64Array(6), new Float64Array(3), undefined, 5), false);
});

test('JPDA: tracks alone in their clusters get the nearest neighbour assignment', () => {
  const list = [
    [0, 10, 1.2],
    [1, 10, 4.5],
    [2, 11, 0.3],
  ] as const;
  assert.deepEqual(make().associate(pairList(list), 3), createGnnAssociator({ missCost: MISS_COST }).associate(pairList(list), 3));
});

test('JPDA: two tracks equally close to two detections are each given both, weighted', () => {
  const out = make().associate(
    pairList([
      [0, 5, 2],
      [1, 5, 2],
      [0, 6, 2],
      [1, 6, 2],
    ]),
    2,
  );
  assert.equal(out.length, 2);
  for (const a of out) {
    assert.ok(a.mixture, `track ${a.track} has no mixture`);
    assert.deepEqual(a.mixture.dets, [0, 1]);
    assert.ok(Math.abs(a.mixture.beta[0] - a.mixture.beta[1]) < 1e-9, 'equal weights');
    assert.ok(Math.abs(a.mixture.beta[0] + a.mixture.beta[1] + a.mixture.miss - 1) < 1e-9, 'probabilities sum to 1');
    assert.ok(a.mixture.miss < 0.01, `miss ${a.mixture.miss}`);
  }
});

test('JPDA: a shared cluster whose joint assignment is clear gives hard pairs', () => {
  // track 5 fits detection 0 (d² 0.5) and 1 poorly (d² 12); track 6 fits 1 (d² 0.4) and 0 poorly
  const out = make().associate(
    pairList([
      [0, 5, 0.5],
      [1, 5, 12],
      [0, 6, 13],
      [1, 6, 0.4],
    ]),
    2,
  );
  assert.deepEqual(
    out.map((a) => [a.det, a.track, a.mixture === undefined]),
    [
      [0, 5, true],
      [1, 6, true],
    ],
  );
});

test('JPDA: a cluster with a pair the filter cannot weigh (a particle cloud) stays with the nearest neighbour', () => {
  const list = [
    [0, 5, 2],
    [1, 5, 2],
    [0, 6, 2],
    [1, 6, 2],
  ] as const;
  const l = pairList(list);
  l.weighable[3] = 0;
  const out = make().associate(l, 2);
  assert.ok(out.every((a) => a.mixture === undefined));
  assert.deepEqual(out, createGnnAssociator({ missCost: MISS_COST }).associate(pairList(list), 2));
});

test('JPDA: a vague track weighs less than a precise one at the same distance (ln|S| in the likelihood)', () => {
  const l = pairList([
    [0, 5, 2],
    [0, 6, 2],
  ]);
  l.logLik[1] = -0.5 * 2 - 0.5 * Math.log(100); // track 6: S ten times wider per axis (2-D)
  const out = make().associate(l, 1);
  const m5 = out.find((a) => a.track === 5)!;
  const m6 = out.find((a) => a.track === 6)!;
  const b5 = m5.mixture ? m5.mixture.beta[0] : 1;
  const b6 = m6?.mixture ? m6.mixture.beta[0] : 0;
  assert.ok(b5 > 0.85 && b6 < 0.15, `precise ${b5}, vague ${b6}`);
});

test('JPDA in the tracker: two drones crossing under one radar are weighed while they are unresolved, and both stay held', () => {
  const run = (associator: 'gnn' | 'jpda') => {
    const tracker = createTracker({ origin: ORIGIN, associator });
    const rnd = normals(3);
    const paths = [straight(14_700, -3_000, 300, 5, 50), straight(15_300, -3_000, 300, -5, 50)];
    const dets: Detection[] = [];
    // one scan every 2 s; the two plots 10 ms apart (the beam sweeps past both)
    for (let t = 0; t <= 120; t += 2) paths.forEach((p, i) => dets.push(radarDet('radar', [0, 0, 20], p(t), t + 0.01 * i, rnd, 25, 0.01)));
    const reports = stepEverySecond(tracker, dets, 121);
    const last = reports[reports.length - 1];
    const errors = paths.map((p) => {
      const [e, n] = p(121);
      return Math.min(...last.map((r) => Math.hypot(...(([x, y]) => [x - e, y - n])(geodeticToEnu(FRAME, r.position)))));
    });
    return { stats: tracker.stats, tracks: last.length, errors };
  };
  const j = run('jpda');
  assert.ok(j.stats.mixtures > 0, 'no weighted update while the two were within one beam width');
  assert.equal(j.tracks, 2, `${j.tracks} tracks at the end`);
  for (const e of j.errors) assert.ok(e < 300, `a drone's nearest track is ${e.toFixed(0)} m off`);
  assert.equal(run('gnn').stats.mixtures, 0);
});

test('the tracker refuses an unknown associator and JPDA parameters out of range', () => {
  assert.throws(() => createTracker({ origin: ORIGIN, associator: 'mht' as never }), /associator must be "gnn" or "jpda"/);
  assert.throws(() => createTracker({ origin: ORIGIN, associator: 'jpda', jpdaClutterPerCell: 0 }), /jpdaClutterPerCell/);
  assert.throws(() => createTracker({ origin: ORIGIN, associator: 'jpda', jpdaDetectionProbability: 1.5 }), /jpdaDetectionProbability/);
});

test('two drones in formation closer than the merge distance stay two tracks while one radar resolves their plots in each scan', () => {
  for (const associator of ['gnn', 'jpda'] as const) {
    const tracker = createTracker({ origin: ORIGIN, associator });
    const rnd = normals(8);
    // 120 m apart in range (the radar's range error 10 m), side by side in its beam, flying east together
    const paths = [straight(0, 10_000, 300, 50, 0), straight(0, 10_120, 300, 50, 0)];
    const dets: Detection[] = [];
    for (let t = 0; t <= 120; t += 2) paths.forEach((p, i) => dets.push(radarDet('radar', [0, 0, 20], p(t), t + 0.001 * i, rnd, 10, 0.005)));
    const merged: string[] = [];
    let k = 0;
    let last: ReturnType<typeof tracker.report> = [];
    for (let t = 1; t <= 121; t++) {
      const batch: Detection[] = [];
      while (k < dets.length && dets[k].t <= t) batch.push(dets[k++]);
      for (const e of tracker.step(batch, t)) if (e.type === 'deleted' && e.reason === 'merged') merged.push(e.trackId!);
      last = tracker.report(t);
    }
    assert.deepEqual(merged, [], `${associator}: tracks merged`);
    assert.equal(last.length, 2, `${associator}: ${last.length} tracks`);
    // what the merger's distance rule alone would have merged (closer than 150 m, the same velocity)
    const [a, b] = last.map((r) => geodeticToEnu(FRAME, r.position));
    assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) < 150, `${associator}: tracks ${Math.hypot(a[0] - b[0], a[1] - b[1]).toFixed(0)} m apart`);
  }
});
