/**
 * The initiator contract, as a suite that each initiator's test file registers with a scene
 * of its own (initiators.test.ts). It registers nothing by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Initiator } from './initiator.js';
import type { PreparedDetection } from './prepare.js';

export interface InitiatorScene {
  /**
   * Detections of one target that together localise it, in time order, the first at t0 and
   * the last `gap` s after the one before it (a single detection when it localises alone).
   */
  localising(t0: number, gap: number): PreparedDetection[];
  /** Where the target is (tracker frame E, N, m), and how close the new track must start. */
  truth: [number, number];
  tolerance: number;
  /** How long (s) the initiator keeps a detection waiting for others (0: it keeps none). */
  window: number;
  /** A detection of a shape this initiator does not use. */
  otherShape(): PreparedDetection;
}

export function initiatorConformance(name: string, make: () => Initiator, scene: InitiatorScene): void {
  test(`${name} (initiator contract): accepts its own shape only`, () => {
    const ini = make();
    assert.equal(ini.accepts(scene.localising(100, 1)[0]), true);
    assert.equal(ini.accepts(scene.otherShape()), false);
  });

  test(`${name} (initiator contract): starts a tentative track only once the detections localise the target`, () => {
    const ini = make();
    const seq = scene.localising(100, 1);
    for (const pd of seq.slice(0, -1)) assert.equal(ini.initiate(pd), null, 'started before the target was localised');
    const last = seq[seq.length - 1];
    const birth = ini.initiate(last);
    assert.ok(birth, 'no track from detections that localise the target');
    assert.equal(birth.x.length, 6);
    assert.equal(birth.p.length, 36);
    assert.ok([...birth.x, ...birth.p].every(Number.isFinite), 'non-finite state');
    for (let i = 0; i < 6; i++) assert.ok(birth.p[i * 6 + i] > 0, `variance ${i} not positive`);
    for (let i = 0; i < 6; i++) for (let j = 0; j < i; j++) assert.ok(Math.abs(birth.p[i * 6 + j] - birth.p[j * 6 + i]) <= 1e-9 * Math.abs(birth.p[i * 6 + j]) + 1e-9, 'covariance not symmetric');
    const err = Math.hypot(birth.x[0] - scene.truth[0], birth.x[1] - scene.truth[1]);
    assert.ok(err <= scene.tolerance, `starts ${err.toFixed(1)} m from the target`);
    assert.deepEqual(new Set(birth.dets), new Set(seq.map((pd) => pd.det)), 'the birth names the detections it was made from');
    assert.ok(birth.t <= last.det.t && birth.t >= seq[0].det.t - 30, `time ${birth.t}`);
  });

  test(`${name} (initiator contract): deterministic`, () => {
    const run = () => {
      const ini = make();
      const births = scene.localising(100, 1).map((pd) => ini.initiate(pd));
      return JSON.stringify(births.map((b) => b && { x: Array.from(b.x), p: Array.from(b.p), t: b.t, dets: b.dets }));
    };
    assert.equal(run(), run());
  });

  if (scene.window > 0) {
    test(`${name} (initiator contract): forgets waiting detections after its window`, () => {
      const ini = make();
      const seq = scene.localising(100, scene.window + 1);
      for (const pd of seq) assert.equal(ini.initiate(pd), null, 'a detection older than the window was used');
    });

    test(`${name} (initiator contract): detections that started a track are used up`, () => {
      const ini = make();
      const seq = scene.localising(100, 1);
      let birth = null;
      for (const pd of seq) birth = ini.initiate(pd);
      assert.ok(birth);
      // the same last detection again (a second report a moment later): its partners are gone
      const again = scene.localising(100, 1.5);
      assert.equal(ini.initiate(again[again.length - 1]), null);
    });
  } else {
    test(`${name} (initiator contract): keeps nothing waiting: a lone detection starts a track at once, however late`, () => {
      const ini = make();
      assert.ok(ini.initiate(scene.localising(100, 1)[0]));
      assert.ok(ini.initiate(scene.localising(1000, 1)[0]));
    });
  }
}
