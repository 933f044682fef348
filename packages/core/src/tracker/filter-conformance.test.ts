/**
 * The filter contract, as a suite that each filter's test file registers (filters.test.ts).
 * It registers nothing by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClassState } from '../identify/classifier.js';
import type { Detection } from '../types.js';
import type { TrackFilter } from './filter.js';
import { prepareDetection, type PrepareContext, type PreparedDetection } from './prepare.js';
import type { Track } from './track.js';
import { FRAME, positionDet } from './testing.js';

const ctx: PrepareContext = { global: FRAME, assumedAltitude: 500, assumedAltitudeSd: 700, soundSpeed: 343, bearingReach: { default: 20000 }, sensorFrames: new Map() };

function prep(det: Detection): PreparedDetection {
  const r = prepareDetection(ctx, det);
  if ('reason' in r) throw new Error(r.reason);
  return r;
}

/** A track at (1000, 2000, 500) m moving east at 50 m/s at t = 10, position sd 30 m, velocity sd 10 m/s, set up by `filter`. */
function track(filter: TrackFilter): Track {
  const x = Float64Array.from([1000, 2000, 500, 50, 0, 0]);
  const p = new Float64Array(36);
  for (let i = 0; i < 6; i++) p[i * 7] = i < 3 ? 900 : 100;
  const tr: Track = {
    id: '1', slot: 0, x, p, t: 10, status: 'confirmed', hits: 5, nis: 0, nisDof: 0, firstT: 0, lastHitT: 10, meanGap: 1,
    modeX: new Float64Array(6 * filter.modes), modeP: new Float64Array(36 * filter.modes), mu: new Float64Array(filter.modes),
    gH: new Float64Array(9), gV: new Float64Array(9), gAtE: 0, gAtN: 0, sensors: new Map(), cls: createClassState(), clsT: 0, clsOut: null,
  };
  filter.initialise(tr);
  return tr;
}

const zero = () => 0;
const snapshot = (tr: Track) => JSON.stringify([tr.t, Array.from(tr.x), Array.from(tr.p), Array.from(tr.modeX), Array.from(tr.modeP), Array.from(tr.mu)]);

export function filterConformance(name: string, make: () => TrackFilter): void {
  test(`${name} (filter contract): initialise gives normalised mode probabilities and per-mode copies of the state`, () => {
    const f = make();
    const tr = track(f);
    assert.ok(f.modes >= 1 && f.maxQHorizontal > 0);
    assert.ok(Math.abs(tr.mu.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    for (let j = 0; j < f.modes; j++) assert.deepEqual(Array.from(tr.modeX.subarray(6 * j, 6 * j + 6)), Array.from(tr.x));
  });

  test(`${name} (filter contract): predict moves the state along the velocity, grows the covariance and leaves the track alone`, () => {
    const f = make();
    const tr = track(f);
    const before = snapshot(tr);
    const x = new Float64Array(6);
    const p = new Float64Array(36);
    f.predict(tr, 14, x, p);
    assert.equal(snapshot(tr), before, 'the track changed');
    assert.ok(Math.abs(x[0] - 1200) < 1e-9 && Math.abs(x[1] - 2000) < 1e-9, `predicted ${x[0]}, ${x[1]}`);
    assert.ok(p[0] > 900 + 16 * 100 && p[7] > 900, 'covariance did not grow');
  });

  test(`${name} (filter contract): update pulls the state toward the detection, shrinks its uncertainty and returns d²`, () => {
    const f = make();
    const tr = track(f);
    const x = new Float64Array(6);
    const p = new Float64Array(36);
    f.predict(tr, 11, x, p);
    const d2 = f.update(tr, prep(positionDet('obs', 'observer', [1070, 2000, 500], 11, 20, zero, true)));
    assert.ok(Number.isFinite(d2) && d2 > 0, `d2 ${d2}`);
    assert.equal(tr.t, 11);
    assert.ok(tr.x[0] > 1050 && tr.x[0] < 1070, `east ${tr.x[0]}`);
    assert.ok(tr.p[0] < p[0] && tr.p[0] < 400, `variance ${tr.p[0]}`);
    assert.ok(Math.abs(tr.mu.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });

  test(`${name} (filter contract): deterministic`, () => {
    const run = () => {
      const f = make();
      const tr = track(f);
      for (let k = 1; k <= 5; k++) f.update(tr, prep(positionDet('obs', 'observer', [1000 + 50 * k + 7 * (k % 2), 2000, 500], 10 + k, 20, zero, true)));
      return snapshot(tr);
    };
    assert.equal(run(), run());
  });

  test(`${name} (filter contract): a weighted update with one sure detection is the plain update`, (t) => {
    const f = make();
    if (!f.updateWeighted) return t.skip('no weighted update');
    const plain = track(f);
    const weighed = track(f);
    const det = positionDet('obs', 'observer', [1070, 2030, 500], 11, 20, zero, true);
    f.update(plain, prep(det));
    const d2 = f.updateWeighted(weighed, [prep(det)], [1e12], 1e-12);
    assert.ok(Number.isFinite(d2) && d2 > 0, `d2 ${d2}`);
    assert.equal(weighed.t, 11);
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(weighed.x[i] - plain.x[i]) < 1e-6, `x[${i}] ${weighed.x[i]} against ${plain.x[i]}`);
    for (let i = 0; i < 36; i++) assert.ok(Math.abs(weighed.p[i] - plain.p[i]) < 1e-6 * Math.max(1, Math.abs(plain.p[i])), `p[${i}] ${weighed.p[i]} against ${plain.p[i]}`);
  });

  test(`${name} (filter contract): a weighted update between two equally likely detections stays between them, more uncertain than either`, (t) => {
    const f = make();
    if (!f.updateWeighted) return t.skip('no weighted update');
    // the prediction at t = 11 is (1050, 2000); detections 60 m north and south of it
    const north = prep(positionDet('obs', 'observer', [1050, 2060, 500], 11, 20, zero, true));
    const south = prep(positionDet('obs', 'observer', [1050, 1940, 500], 11, 20, zero, true));
    const both = track(f);
    f.updateWeighted(both, [north, south], [1e6, 1e6], 1e-12);
    const one = track(f);
    f.update(one, prep(positionDet('obs', 'observer', [1050, 2060, 500], 11, 20, zero, true)));
    assert.ok(Math.abs(both.x[1] - 2000) < 1e-6, `north ${both.x[1]}`);
    assert.ok(Math.abs(both.x[0] - one.x[0]) < 1e-6, `east ${both.x[0]} against ${one.x[0]}`);
    // the spread of the two hypotheses enters the north variance: each moved the state by the
    // gain times 60 m, the gain being the posterior variance over the detection's (20 m)²
    const shift = (60 * one.p[7]) / 400;
    const expected = one.p[7] + shift * shift;
    assert.ok(Math.abs(both.p[7] - expected) < 0.02 * expected, `north variance ${both.p[7]}, expected ${expected} (one detection's ${one.p[7]})`);
    assert.ok(Math.abs(both.p[0] - one.p[0]) < 1e-6 * one.p[0], 'east variance');
  });

  test(`${name} (filter contract): a weighted update that most likely missed is nearly the prediction, and moves to the latest detection's time`, (t) => {
    const f = make();
    if (!f.updateWeighted) return t.skip('no weighted update');
    const tr = track(f);
    const x = new Float64Array(6);
    const p = new Float64Array(36);
    f.predict(tr, 11.02, x, p);
    const a = prep(positionDet('obs', 'observer', [1080, 2000, 500], 11, 20, zero, true));
    const b = prep(positionDet('obs', 'observer', [1020, 2010, 500], 11.02, 20, zero, true));
    f.updateWeighted(tr, [a, b], [1e-3, 1e-3], 1e3);
    assert.equal(tr.t, 11.02);
    assert.ok(Math.hypot(tr.x[0] - x[0], tr.x[1] - x[1]) < 0.1, `moved ${Math.hypot(tr.x[0] - x[0], tr.x[1] - x[1])} m from the prediction`);
    assert.ok(Math.abs(tr.p[0] - p[0]) < 1e-3 * p[0], `variance ${tr.p[0]} against the prediction's ${p[0]}`);
  });
}
