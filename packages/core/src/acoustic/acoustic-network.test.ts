import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAcousticNetwork } from './acoustic-network.js';
import { ACOUSTIC_ROW_RANGE_MAX_M } from './presence-model.js';
import { FRAME, geo, presenceDet } from '../tracker/testing.js';
import { mulberry32 } from '../math/mulberry32.js';
import type { Detection, Sensor } from '../types.js';

const sensor = (id: string, pd: number): Sensor => ({ id, kind: 'acoustic', position: geo(0, 0, 5), rangeMax: 2500, pd, farPerHour: 0.5 });

/** Runs of reports: `runs` passes of `slots` report periods (2 s) each, 200 s apart, each slot heard with probability `pd`. */
function passes(id: string, pd: number, runs: number, slots: number, seed: number): Detection[] {
  const rng = mulberry32(seed);
  const out: Detection[] = [];
  for (let r = 0; r < runs; r++) for (let k = 0; k < slots; k++) if (rng() < pd) out.push(presenceDet(id, [0, 0, 5], 2500, 1000 + 200 * r + 2 * k));
  return out;
}

test('learnPd: a node that hears less than it declares ends near what it hears; one that hears more keeps its declared Pd; the long silences between passes are not misses', () => {
  const net = createAcousticNetwork({ frame: FRAME, sensors: [sensor('deaf', 0.9), sensor('keen', 0.6), sensor('fixed', 0.9)] });
  const fixed = createAcousticNetwork({ frame: FRAME, sensors: [sensor('deaf', 0.9)], learnPd: false });
  for (const d of passes('deaf', 0.5, 10, 30, 1)) {
    net.heard(d);
    fixed.heard(d);
  }
  for (const d of passes('keen', 0.95, 10, 30, 2)) net.heard(d);
  const deaf = net.node('deaf')!;
  // about 140 hits and 140 misses in the runs: the posterior mean is near 0.5 (the declared 0.9 weighs 10 intervals)
  assert.ok(deaf.runHits > 100 && deaf.runMisses > 80, `${deaf.runHits} hits, ${deaf.runMisses} misses`);
  assert.ok(deaf.model.pd > 0.42 && deaf.model.pd < 0.62, `learnt ${deaf.model.pd}`);
  assert.equal(deaf.pdDeclared, 0.9);
  // the 200 s between passes are not misses (they would add about 70 each): the misses are those inside the
  // runs, at most the 150 or so of 300 slots heard with probability 0.5
  assert.ok(deaf.runMisses < 200, `${deaf.runMisses} misses`);
  assert.equal(net.node('keen')!.model.pd, 0.6, 'never above the declared Pd');
  assert.equal(net.node('fixed')!.model.pd, 0.9, 'a node that reported nothing keeps its declared Pd');
  assert.equal(fixed.node('deaf')!.model.pd, 0.9, 'learnPd: false keeps the declared Pd');
});

test('learnPd: refuses a prior weight or a pause that is not a positive finite number', () => {
  assert.throws(() => createAcousticNetwork({ frame: FRAME, sensors: [], learnPd: { priorWeight: 0 } }), /priorWeight > 0/);
  assert.throws(() => createAcousticNetwork({ frame: FRAME, sensors: [], learnPd: { maxGap: Infinity } }), /maxGap >= 1/);
});

test("the report cadence: learnt from a node's own gaps (the median of its gaps: the period while it hears in more than half of its periods), the network's for a node not yet heard enough; two rows of one report time and silences over 60 s are not the cadence", () => {
  const ids = ['slow', 'other', 'fresh'];
  const net = createAcousticNetwork({ frame: FRAME, sensors: ids.map((id) => sensor(id, 0.9)) });
  assert.equal(net.node('fresh')!.period, 2, 'the default before any report');
  const rng = mulberry32(4);
  const periods: number[] = [];
  let heard = 0;
  for (let k = 0; k < 120; k++) {
    if (rng() >= 0.75) continue; // heard three times in four
    const t = 1000 + 10 * k + (k >= 60 ? 200 : 0); // a 200 s silence halfway
    net.heard(presenceDet('slow', [0, 0, 5], 2500, t));
    // a second source heard in the same report
    if (k % 7 === 0) net.heard(presenceDet('slow', [0, 0, 5], 2500, t + 0.05));
    if (++heard >= 5) periods.push(net.node('slow')!.period);
  }
  assert.ok(periods.length > 40);
  // the second source's row 0.05 s after a report makes the next gap 9.95 s
  const off = periods.filter((p) => Math.abs(p - 10) > 0.1);
  assert.ok(off.length <= periods.length * 0.1, `every 10 s, heard three times in four: ${off.length} of ${periods.length} estimates not 10 (${off.slice(0, 5).join(', ')})`);
  assert.ok(Math.abs(net.node('slow')!.period - 10) <= 0.1);
  // a node that has not reported three gaps yet: the network's cadence
  assert.equal(net.node('fresh')!.period, 10);
  net.heard(presenceDet('other', [0, 0, 5], 2500, 5000));
  net.heard(presenceDet('other', [0, 0, 5], 2500, 5001));
  net.heard(presenceDet('other', [0, 0, 5], 2500, 5002));
  net.heard(presenceDet('other', [0, 0, 5], 2500, 5003));
  assert.equal(net.node('other')!.period, 1, 'its own, once it has three gaps');
});

test('a microphone that declares no range (optional in sensors.json) is a node: the default range until its presence rows give one, then their largest disc; a declared range stays', () => {
  const bare: Sensor = { id: 'bare', kind: 'acoustic', position: geo(0, 0, 5) };
  const net = createAcousticNetwork({ frame: FRAME, sensors: [bare, sensor('declared', 0.9)] });
  const n = net.node('bare');
  assert.ok(n, 'a node without a declared range');
  assert.equal(n!.model.range, 2000);
  const reach0 = n!.reach;
  net.heard(presenceDet('bare', [0, 0, 5], 2600, 10));
  assert.equal(n!.model.range, 2600);
  assert.ok(n!.reach > reach0);
  net.heard(presenceDet('bare', [0, 0, 5], 1500, 12));
  assert.equal(n!.model.range, 2600, 'the largest disc of its rows');
  net.heard(presenceDet('declared', [0, 0, 5], 4000, 10));
  assert.equal(net.node('declared')!.model.range, 2500, 'a declared range is not changed by a row');
  assert.throws(() => createAcousticNetwork({ frame: FRAME, sensors: [], defaultRange: 0 }), /defaultRange must be a positive finite number/);
});

test("near: a node is found when a point within its reach is within the radius, however far its reach (a declared long range, or one its rows gave); a row's range is taken up to ACOUSTIC_ROW_RANGE_MAX_M", () => {
  const far: Sensor = { id: 'far', kind: 'acoustic', position: geo(0, 0, 5), rangeMax: 8000, pd: 0.9 };
  const bare: Sensor = { id: 'bare', kind: 'acoustic', position: geo(50_000, 0, 5) };
  const net = createAcousticNetwork({ frame: FRAME, sensors: [far, bare, sensor('plain', 0.9)] });
  const found = (x: number, y: number, r: number) => {
    const ids: string[] = [];
    net.near(x, y, r, (n) => ids.push(n.id));
    return ids.sort();
  };
  const reachFar = net.node('far')!.reach;
  assert.ok(reachFar > 8000, `reach ${reachFar}`);
  // a cloud 500 m across, 9 km north of the 8 km microphone: within its reach, not of the others (2.5 km at the same place)
  assert.deepEqual(found(0, 9000, 500), ['far']);
  assert.deepEqual(found(0, reachFar + 400, 500), ['far'], 'the query disc touches the reach');
  assert.deepEqual(found(0, reachFar + 600, 500), [], 'beyond reach plus radius');
  assert.deepEqual(found(0, 1000, 0), ['far', 'plain']);
  // the node without a declared range, 50 km east: 2 km until a row says more
  assert.deepEqual(found(50_000, 5000, 100), []);
  net.heard(presenceDet('bare', [50_000, 0, 5], 6000, 10));
  assert.equal(net.node('bare')!.model.range, 6000);
  assert.deepEqual(found(50_000, 6000, 100), ['bare'], 'found by the reach its row gave');
  // a row claiming 10,000 km: taken up to the cap, so the node is not found 200 km away
  net.heard(presenceDet('bare', [50_000, 0, 5], 1e7, 12));
  assert.equal(net.node('bare')!.model.range, ACOUSTIC_ROW_RANGE_MAX_M);
  assert.deepEqual(found(50_000, 200_000, 1000), []);
  assert.deepEqual(found(50_000, ACOUSTIC_ROW_RANGE_MAX_M, 1000), ['bare']);
  // a node marked down is not found
  net.setUp('far', false);
  assert.deepEqual(found(0, 9000, 500), []);
  // a stream of ever larger ranges, a metre at a time: each is taken (the index grows by tenths, not by rows)
  const grow = createAcousticNetwork({ frame: FRAME, sensors: [{ id: 'g', kind: 'acoustic', position: geo(0, 0, 5) }] });
  for (let k = 0; k < 20_000; k++) grow.heard(presenceDet('g', [0, 0, 5], 2001 + k, 10 + k));
  assert.equal(grow.node('g')!.model.range, 22_000);
  const seen: string[] = [];
  grow.near(0, grow.node('g')!.reach - 10, 0, (n) => seen.push(n.id));
  assert.deepEqual(seen, ['g'], 'found once at the edge of its last reach');
});

test("the cadence is the median of a node's last 9 gaps exactly, and the network's of the last 63, over random gaps", () => {
  const net = createAcousticNetwork({ frame: FRAME, sensors: [sensor('a', 0.9), sensor('b', 0.9)] });
  const rng = mulberry32(8);
  const median = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
  };
  const gaps: number[] = [];
  let t = 0;
  for (let k = 0; k < 400; k++) {
    // whole seconds, many ties (as report slots give)
    const g = 1 + Math.floor(rng() * 6);
    t += g;
    net.heard(presenceDet('a', [0, 0, 5], 2500, t));
    if (k === 0) continue;
    gaps.push(g);
    if (gaps.length >= 3) assert.equal(net.node('a')!.period, median(gaps.slice(-9)), `after ${gaps.length} gaps`);
    assert.equal(net.node('b')!.period, gaps.length >= 3 ? median(gaps.slice(-63)) : 2, `the network's, after ${gaps.length} gaps`);
  }
});
