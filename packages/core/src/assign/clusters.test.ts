import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterPairs, createClusterWorkspace, type ClusterResult } from './clusters.js';
import { mulberry32 } from '../math/mulberry32.js';

const rng = mulberry32;

/** Reference: components by breadth-first search, labelled in order of lowest track. */
function reference(nTracks: number, nDets: number, pt: number[], pd: number[]): { track: number[]; det: number[]; n: number } {
  const adj: number[][] = Array.from({ length: nTracks + nDets }, () => []);
  for (let k = 0; k < pt.length; k++) {
    adj[pt[k]].push(nTracks + pd[k]);
    adj[nTracks + pd[k]].push(pt[k]);
  }
  const comp = new Array<number>(nTracks + nDets).fill(-1);
  let n = 0;
  for (let s = 0; s < nTracks; s++) {
    if (comp[s] >= 0 || adj[s].length === 0) continue;
    const queue = [s];
    comp[s] = n;
    while (queue.length) {
      const x = queue.shift()!;
      for (const y of adj[x]) {
        if (comp[y] < 0) {
          comp[y] = n;
          queue.push(y);
        }
      }
    }
    n++;
  }
  return { track: comp.slice(0, nTracks), det: comp.slice(nTracks), n };
}

function same(res: ClusterResult, ref: { track: number[]; det: number[]; n: number }, ctx: string): void {
  assert.deepEqual(Array.from(res.clusterOfTrack), ref.track, ctx);
  assert.deepEqual(Array.from(res.clusterOfDet), ref.det, ctx);
  assert.equal(res.nClusters, ref.n, ctx);
}

test('hand-made graph', () => {
  // Tracks 0..4, dets 0..5. Edges: 0-0, 1-0, 1-1 (one cluster {t0,t1,d0,d1});
  // 3-4 (cluster {t3,d4}); 4-2, 4-3, 4-2 repeated (cluster {t4,d2,d3}); t2 and d5 isolated.
  const pt = Int32Array.from([4, 0, 1, 3, 1, 4, 4]);
  const pd = Int32Array.from([2, 0, 0, 4, 1, 3, 2]);
  const res = clusterPairs(5, 6, pt, pd, pt.length);
  assert.deepEqual(Array.from(res.clusterOfTrack), [0, 0, -1, 1, 2]);
  assert.deepEqual(Array.from(res.clusterOfDet), [0, 0, 2, 2, 1, -1]);
  assert.equal(res.nClusters, 3);
});

test('nPairs limits the pairs read', () => {
  const pt = Int32Array.from([0, 1, 0]);
  const pd = Int32Array.from([0, 1, 1]);
  const two = clusterPairs(2, 2, pt, pd, 2);
  assert.deepEqual(Array.from(two.clusterOfTrack), [0, 1]);
  assert.deepEqual(Array.from(two.clusterOfDet), [0, 1]);
  assert.equal(two.nClusters, 2);
  const three = clusterPairs(2, 2, pt, pd, 3);
  assert.deepEqual(Array.from(three.clusterOfTrack), [0, 0]);
  assert.deepEqual(Array.from(three.clusterOfDet), [0, 0]);
  assert.equal(three.nClusters, 1);
});

test('empty inputs', () => {
  let res = clusterPairs(0, 0, new Int32Array(0), new Int32Array(0), 0);
  assert.equal(res.clusterOfTrack.length, 0);
  assert.equal(res.clusterOfDet.length, 0);
  assert.equal(res.nClusters, 0);
  res = clusterPairs(3, 2, new Int32Array(0), new Int32Array(0), 0);
  assert.deepEqual(Array.from(res.clusterOfTrack), [-1, -1, -1]);
  assert.deepEqual(Array.from(res.clusterOfDet), [-1, -1]);
  assert.equal(res.nClusters, 0);
});

test('random graphs match a breadth-first-search reference, with and without a workspace', () => {
  const r = rng(4242);
  const ws = createClusterWorkspace(1, 1);
  for (let trial = 0; trial < 500; trial++) {
    const nTracks = Math.floor(r() * 30);
    const nDets = Math.floor(r() * 30);
    const nPairs = nTracks && nDets ? Math.floor(r() * r() * 2 * (nTracks + nDets)) : 0;
    const pt: number[] = [];
    const pd: number[] = [];
    for (let k = 0; k < nPairs; k++) {
      pt.push(Math.floor(r() * nTracks));
      pd.push(Math.floor(r() * nDets));
    }
    const ref = reference(nTracks, nDets, pt, pd);
    const ctx = `trial ${trial}`;
    same(clusterPairs(nTracks, nDets, Int32Array.from(pt), Int32Array.from(pd), nPairs), ref, ctx);
    const res = clusterPairs(nTracks, nDets, Int32Array.from(pt), Int32Array.from(pd), nPairs, ws);
    assert.equal(res, ws.result);
    same(res, ref, ctx);
  }
});

test('long chain (deep unions) stays correct', () => {
  // t_k - d_k - t_{k+1} - ... : one cluster of 2n nodes.
  const n = 10000;
  const pt = new Int32Array(2 * n - 1);
  const pd = new Int32Array(2 * n - 1);
  for (let k = 0; k < n; k++) {
    pt[2 * k] = k;
    pd[2 * k] = k;
    if (k + 1 < n) {
      pt[2 * k + 1] = k + 1;
      pd[2 * k + 1] = k;
    }
  }
  const res = clusterPairs(n, n, pt, pd, pt.length);
  assert.equal(res.nClusters, 1);
  assert.ok(res.clusterOfTrack.every((c) => c === 0));
  assert.ok(res.clusterOfDet.every((c) => c === 0));
});

test('programmer errors throw with the bad value', () => {
  assert.throws(() => clusterPairs(2, 2, Int32Array.from([2]), Int32Array.from([0]), 1), /pairTrack\[0\] = 2/);
  assert.throws(() => clusterPairs(2, 2, Int32Array.from([0]), Int32Array.from([-1]), 1), /pairDet\[0\] = -1/);
  assert.throws(() => clusterPairs(2, 2, Int32Array.from([0]), Int32Array.from([0]), 2), /nPairs = 2/);
  assert.throws(() => clusterPairs(-1, 2, new Int32Array(0), new Int32Array(0), 0), /-1/);
});
