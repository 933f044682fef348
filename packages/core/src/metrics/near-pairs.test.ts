import { test } from 'node:test';
import assert from 'node:assert/strict';
import { horizontalDistance } from '../geo/index.js';
import { mulberry32 } from '../math/mulberry32.js';
import { nearPairs, NEAR_PAIRS_MAX } from './near-pairs.js';
import { gospa, gospaPairs, GOSPA_MAX_CLUSTER_CELLS } from './gospa.js';
import { createTrackScorer, type ScoredPoint } from './score-tracks.js';

type P = { position: { latDeg: number; lonDeg: number; altM: number } };

function brute(a: readonly P[], b: readonly P[], c: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) if (horizontalDistance(a[i].position, b[j].position) < c) out.push(`${i},${j}`);
  return out.sort();
}

function cloud(rnd: () => number, n: number, lat: number, lon: number, spanDeg: number): P[] {
  return Array.from({ length: n }, () => ({ position: { latDeg: Math.max(-90, Math.min(90, lat + (rnd() - 0.5) * spanDeg)), lonDeg: ((lon + (rnd() - 0.5) * spanDeg + 540) % 360) - 180, altM: 0 } }));
}

test('near pairs: the same pairs as comparing every two points, at mid latitudes, near a pole and across the antimeridian', () => {
  const rnd = mulberry32(5);
  const places: [string, number, number, number, number][] = [
    ['Seoul, c 2 km', 37.5, 127, 0.3, 2000],
    ['Svalbard (79° N), c 2 km', 79, 15, 0.6, 2000],
    ['across 180°, c 5 km', -16, 180, 0.5, 5000],
    ['at the pole, c 20 km', 89.8, 0, 0.5, 20_000],
    ['a country, c 2 km', 48.5, 31, 8, 2000],
  ];
  for (const [name, lat, lon, span, c] of places) {
    const a = cloud(rnd, 300, lat, lon, span);
    const b = cloud(rnd, 300, lat, lon, span);
    const got = nearPairs(a, b, c);
    const keys = got.a.map((i, k) => `${i},${got.b[k]}`).sort();
    const want = brute(a, b, c);
    assert.ok(want.length > 0, `${name}: the scene has near pairs`);
    assert.deepEqual(keys, want, name);
    for (let k = 0; k < got.a.length; k++) assert.equal(got.dist[k], horizontalDistance(a[got.a[k]].position, b[got.b[k]].position));
  }
});

test('GOSPA from the near pairs equals GOSPA from the whole distance matrix', () => {
  const rnd = mulberry32(9);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rnd() * 12);
    const m = Math.floor(rnd() * 12);
    const c = 100;
    const d = new Float64Array(n * m);
    const pairs = { truth: [] as number[], est: [] as number[], dist: [] as number[] };
    for (let k = 0; k < n * m; k++) {
      d[k] = rnd() * 250;
      if (d[k] < c) {
        pairs.truth.push(Math.floor(k / m));
        pairs.est.push(k % m);
        pairs.dist.push(d[k]);
      }
    }
    const full = gospa(d, n, m, c, 2);
    const sparse = gospaPairs(n, m, pairs, c, 2);
    assert.ok(Math.abs(full.gospa - sparse.gospa) < 1e-9, `trial ${trial}: ${full.gospa} vs ${sparse.gospa}`);
    assert.equal(sparse.nMissed, full.nMissed);
    assert.equal(sparse.nFalse, full.nFalse);
  }
});

test('GOSPA from pairs: a pair at c or beyond, or an index out of range, is refused with what is wrong', () => {
  assert.throws(() => gospaPairs(2, 2, { truth: [0], est: [1], dist: [100] }, 100, 2), /pair 0 \(truth 0, estimate 1\): distance must be >= 0 and below c = 100, got 100/);
  assert.throws(() => gospaPairs(2, 2, { truth: [2], est: [1], dist: [10] }, 100, 2), /pair 0: truth index 2 outside 0..1/);
  assert.throws(() => gospaPairs(2, 2, { truth: [0, 1], est: [1], dist: [10] }, 100, 2), /as many/);
});

test('scoring many rows at one time: far apart they are cheap; all in one place, refused with the time and sizes named, not the memory taken', () => {
  // 20,000 truths and 20,000 tracks spread over a country: the whole matrix would be 3.2 GB
  const rnd = mulberry32(3);
  const spread = (n: number, id: string): ScoredPoint[] => Array.from({ length: n }, (_, i) => ({ t: 0, id: `${id}${i}`, position: { latDeg: 45 + rnd() * 6, lonDeg: 25 + rnd() * 12, altM: 0 } }));
  const truth = spread(20_000, 'T');
  const tracks = truth.map((p, i) => ({ t: 0, id: `k${i}`, position: { ...p.position, latDeg: p.position.latDeg + 0.001 } }));
  const s = createTrackScorer();
  s.addTime(0, truth, tracks);
  const r = s.result();
  assert.equal(r.targetsTracked, 20_000);
  assert.ok(Math.abs(r.medianError - 111) < 2, `median ${r.medianError}`);
  // everything at one spot: more near pairs than are gathered
  const n = Math.ceil(Math.sqrt(NEAR_PAIRS_MAX)) + 10;
  const one = (id: string): ScoredPoint[] => Array.from({ length: n }, (_, i) => ({ t: 7, id: `${id}${i}`, position: { latDeg: 37.5, lonDeg: 127, altM: 0 } }));
  const s2 = createTrackScorer();
  assert.throws(() => s2.addTime(7, one('T'), one('k')), new RegExp(`at t = 7 \\(${n} truth rows, ${n} track rows\\): more than 4,000,000 pairs of the ${n} and ${n} points lie within 2000 m`));
});

test('GOSPA from pairs: a chain of near pairs that makes one component beyond the limit is refused before its matrix is made', () => {
  const n = Math.ceil(Math.sqrt(GOSPA_MAX_CLUSTER_CELLS)) + 10;
  const pairs = { truth: [] as number[], est: [] as number[], dist: [] as number[] };
  for (let i = 0; i < n; i++) {
    pairs.truth.push(i, i);
    pairs.est.push(i, (i + 1) % n);
    pairs.dist.push(500, 1500);
  }
  const before = process.memoryUsage().rss;
  assert.throws(() => gospaPairs(n, n, pairs, 2000, 2), new RegExp(`${n} truths and ${n} estimates lie within c = 2000 m of one another \\(chained\\)`));
  assert.ok(process.memoryUsage().rss - before < 100e6, 'no matrix made');
});
