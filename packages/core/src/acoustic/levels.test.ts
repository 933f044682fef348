import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../math/mulberry32.js';
import { createCloud, levelUpdate, LEVEL_OUTLIER_SPAN_DB, type ParticleCloud } from './particle-cloud.js';
import { LEVEL_EVIDENCE, levelTerm, recordLevel, type TrackLevels } from './cloud-filter.js';
import { resolveTrackerOptions } from '../tracker/options.js';
import type { Detection, Sensor } from '../types.js';
import { createTracker } from '../tracker/tracker.js';
import { emitted, geo, ORIGIN, presenceDet, straight, type Path } from '../tracker/testing.js';

/** A cloud of two equal groups 1.5 km east of a node at the origin, at 200 m: one flying west (towards the node), one east (away). */
function twoWay(): ParticleCloud {
  const c = createCloud(mulberry32(3), { n: 200, soundSpeed: 0 });
  for (let i = 0; i < c.n; i++) {
    c.x[i] = 1500;
    c.y[i] = 0;
    c.h[i] = 200;
    c.vx[i] = i % 2 === 0 ? -50 : 50;
    c.vy[i] = 0;
    c.w[i] = 1 / c.n;
  }
  return c;
}

/** The weight of the particles flying towards the node (even indices). */
function approaching(c: ParticleCloud): number {
  let m = 0;
  for (let i = 0; i < c.n; i += 2) m += c.w[i];
  return m;
}

const det = (t: number, db: number | undefined, sensorId = 'ac-1'): Detection => ({ t, sensorId, type: 'presence', ...(db === undefined ? {} : { snrDb: db }) }) as Detection;

test('a level that rose says the source came closer: the particles flying towards the node gain, those flying away lose', () => {
  // 10 s ago the approaching particles were 2,000 m out (level 20·log10(2000/1500) = 2.5 dB lower), the receding ones 1,000 m (3.5 dB higher)
  const rose = twoWay();
  const lRose = levelUpdate(rose, 0, 0, 0, 12.5, [10], [10], 1, 1);
  assert.ok(approaching(rose) > 0.95, `approaching share after a 2.5 dB rise: ${approaching(rose)}`);
  const fell = twoWay();
  levelUpdate(fell, 0, 0, 0, 6.5, [10], [10], 1, 1);
  assert.ok(approaching(fell) < 0.05, `approaching share after a 3.5 dB fall: ${approaching(fell)}`);
  // the loudness is unknown: the same change at another level is the same evidence
  const louder = twoWay();
  const lLouder = levelUpdate(louder, 0, 0, 0, 42.5, [40], [10], 1, 1);
  assert.ok(Math.abs(approaching(louder) - approaching(rose)) < 1e-12);
  assert.ok(Math.abs(lLouder - lRose) < 1e-12);
});

test('several earlier levels: their scatter averages out (the predictive one-sigma is sd·√(1 + 1/n)), and a flat level fits a standing source', () => {
  // a standing source 800 m away heard at a steady level, against a cloud that flies past: the standing cloud explains it better
  const still = createCloud(mulberry32(5), { n: 100, speedMin: 0, speedMax: 0, q: 0, soundSpeed: 0 });
  const moving = createCloud(mulberry32(6), { n: 100, soundSpeed: 0 });
  for (const c of [still, moving]) {
    for (let i = 0; i < c.n; i++) {
      c.x[i] = 800;
      c.y[i] = 0;
      c.h[i] = 2;
      c.vx[i] = 0;
      c.vy[i] = c === moving ? 50 : 0;
      c.w[i] = 1 / c.n;
    }
  }
  const past = [20.3, 19.6, 20.1, 19.9];
  const ago = [40, 30, 20, 10];
  const lStill = levelUpdate(still, 0, 0, 0, 20, past, ago, 4, 3, 0);
  const lMoving = levelUpdate(moving, 0, 0, 0, 20, past, ago, 4, 3, 0);
  assert.ok(lStill > lMoving + 1, `still ${lStill} against moving ${lMoving}`);
  // the standing source: every earlier constant is 20 dB (±0.4) + 20·log10(800): the density of N(0, 3²·1.25) at about 0
  const expected = -0.5 * Math.log(2 * Math.PI * 9 * 1.25);
  assert.ok(Math.abs(lStill - expected) < 0.01, `${lStill} against ${expected}`);
  // no earlier level: no evidence, the weights as they were
  const w = Float64Array.from(moving.w);
  assert.equal(levelUpdate(moving, 0, 0, 0, 20, [], [], 0, 3), 0);
  assert.deepEqual(Float64Array.from(moving.w), w);
});

test('a level no particle can explain is an outlier, not the end of the cloud: the flat share keeps the weights as they were', () => {
  const c = twoWay();
  const l = levelUpdate(c, 0, 0, 0, 60, [10], [10], 1, 1);
  assert.ok(Math.abs(approaching(c) - 0.5) < 0.01, `a 50 dB jump leaves both groups: ${approaching(c)}`);
  assert.ok(Math.abs(l - Math.log(0.05 / LEVEL_OUTLIER_SPAN_DB)) < 0.01, `${l}`);
});

test('a track keeps each node\'s last levels: older than maxAge or beyond keep they go; rows without a level, and levels of another node, are not compared', () => {
  const o = { sd: 3, maxAge: 15, keep: 2 };
  let lv: TrackLevels | undefined;
  lv = recordLevel(lv, det(0, 10), o);
  lv = recordLevel(lv, det(3, 11), o);
  lv = recordLevel(lv, det(6, 12), o);
  assert.deepEqual(lv!.get('ac-1'), { t: [3, 6], db: [11, 12] });
  assert.equal(recordLevel(lv, det(7, undefined), o), lv);
  assert.deepEqual(lv!.get('ac-1'), { t: [3, 6], db: [11, 12] });
  lv = recordLevel(lv, det(30, 9), o);
  assert.deepEqual(lv!.get('ac-1'), { t: [30], db: [9] }, 'a new pass drops the levels of the last one');
  lv = recordLevel(lv, det(20, 9), o);
  assert.deepEqual(lv!.get('ac-1'), { t: [30], db: [9] }, 'an older report does not go behind the last one');
  const c = twoWay();
  const w = Float64Array.from(c.w);
  assert.equal(levelTerm(c, lv, 0, 0, 0, det(35, 12, 'ac-2'), o), 0, 'another node');
  assert.equal(levelTerm(c, lv, 0, 0, 0, det(35, undefined), o), 0, 'no level');
  assert.equal(levelTerm(c, lv, 0, 0, 0, det(50, 12), o), 0, 'the last level over maxAge before');
  assert.equal(levelTerm(c, lv, 0, 0, 0, det(35, 12), false), 0, 'levels off');
  assert.deepEqual(Float64Array.from(c.w), w);
  assert.ok(levelTerm(c, lv, 0, 0, 0, det(35, 12), o) < 0, 'a level 5 s after the last one weighs');
});

test('the tracker option acousticLevels: off by default, a setting, and a bad value named', () => {
  const origin = { latDeg: 37.5, lonDeg: 127, altM: 0 };
  assert.equal(resolveTrackerOptions({ origin }).acousticLevels, false);
  assert.deepEqual(resolveTrackerOptions({ origin, acousticLevels: LEVEL_EVIDENCE }).acousticLevels, LEVEL_EVIDENCE);
  assert.equal(resolveTrackerOptions({ origin, acousticLevels: false }).acousticLevels, false);
  assert.throws(() => resolveTrackerOptions({ origin, acousticLevels: { sd: 0, maxAge: 15, keep: 1 } }), /tracker option acousticLevels must be false or \{ sd, maxAge, keep \}.*"sd":0/);
  assert.throws(() => resolveTrackerOptions({ origin, acousticLevels: { sd: 3, maxAge: 15, keep: 1.5 } }), /acousticLevels/);
});

/** One microphone's reports every 2 s of a source on `path` (all heard), each with its level by spreading from `refDb` at 1 km, plus `wobble(k)`. */
function heardWithLevels(path: Path, t1: number, refDb: number, wobble: (k: number) => number): Detection[] {
  const s: [number, number, number] = [0, 0, 5];
  const out: Detection[] = [];
  let k = 0;
  for (let t = 0.5; t <= t1; t += 2, k++) {
    const p = emitted(path, s, t);
    const r = Math.hypot(p[0] - s[0], p[1] - s[1], p[2] - s[2]);
    out.push({ ...presenceDet('solo', s, 2500, t), snrDb: refDb - 20 * Math.log10(r / 1000) + wobble(k) });
  }
  return out;
}

/** The tracker over `dets`, stepped each second up to t1; the probabilities of its one acoustic track's hypotheses then (air, ground, still), and its levels. */
function hypothesesAt(dets: Detection[], t1: number, levels: boolean) {
  const sensors: Sensor[] = [{ id: 'solo', kind: 'acoustic', position: geo(0, 0, 5), rangeMax: 2500, pd: 0.9, farPerHour: 0.5 }];
  const tr = createTracker({ origin: ORIGIN, sensors, ...(levels ? { acousticLevels: LEVEL_EVIDENCE } : {}) });
  let k = 0;
  for (let t = 1; t <= t1; t++) {
    const batch: Detection[] = [];
    while (k < dets.length && dets[k].t <= t) batch.push(dets[k++]);
    tr.step(batch, t);
  }
  const cloudy = tr.tracks().filter((x) => x.cloud?.rivals);
  assert.equal(cloudy.length, 1, `one acoustic track, got ${cloudy.length}`);
  const logP = cloudy[0].cloud!.rivals!.logP;
  const top = Math.max(...logP);
  const e = [...logP].map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return { air: e[0] / sum, ground: e[1] / sum, still: e[2] / sum, levels: cloudy[0].cloud!.levels };
}

test('in the tracker: a level that rises and falls says the source moves; a steady level says it stands (and with the loudness unknown, not how fast)', () => {
  const wobble = (k: number) => [0.8, -0.5, 0.3, -0.9, 0.6, -0.2][k % 6];
  // a drone passes 900 m from the microphone at 50 m/s, 300 m up: its level rises about 8 dB and falls again
  const drone = heardWithLevels(straight(-2000, 900, 300, 50, 0), 60, 20, wobble);
  const off = hypothesesAt(drone, 40, false);
  const on = hypothesesAt(drone, 40, true);
  assert.equal(off.levels, undefined, 'levels off: none kept');
  assert.ok((on.levels?.get('solo')?.t.length ?? 0) >= 2, 'levels on: the pass\'s levels kept');
  assert.ok(on.still < 0.75 * off.still, `P(a standing source) with the levels ${on.still.toFixed(3)}, without ${off.still.toFixed(3)}`);
  assert.ok(on.air + on.ground > off.air + off.ground, 'a moving source, in the air or on the ground');
  // a generator 300 m away at a steady level: the levels make it less like a moving source
  const gen = heardWithLevels(straight(300, 0, 2, 0, 0), 60, 20, wobble);
  const gOff = hypothesesAt(gen, 40, false);
  const gOn = hypothesesAt(gen, 40, true);
  assert.ok(gOn.still > gOff.still, `P(a standing source) of the generator with the levels ${gOn.still.toFixed(3)}, without ${gOff.still.toFixed(3)}`);
  assert.ok(gOn.air < gOff.air, `P(in the air) of the generator with the levels ${gOn.air.toFixed(3)}, without ${gOff.air.toFixed(3)}`);
});
