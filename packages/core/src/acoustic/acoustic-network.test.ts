import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAcousticNetwork } from './acoustic-network.js';
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
