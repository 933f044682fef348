import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBirthLimiter, BIRTH_LIMIT_DEFAULTS } from './birth-limiter.js';
import { createTracker } from './tracker.js';
import { ORIGIN, positionDet } from './testing.js';
import { mulberry32 } from '../math/mulberry32.js';

test('the clutter map of births: at most `max` per cell per window, cells apart, a new window admits again; bad settings named', () => {
  const b = createBirthLimiter({ cellM: 1000, windowS: 30, max: 3 });
  const admitted = (x: number, y: number, t: number) => b.admit(x, y, t);
  assert.deepEqual([0, 1, 2, 3, 4].map((k) => admitted(100 + k, 200, 10 + k)), [true, true, true, false, false]);
  assert.equal(b.refused, 2);
  assert.equal(admitted(1500, 200, 15), true, 'the next cell east is its own');
  assert.equal(admitted(-10, 200, 15), true, 'and the one west of the origin (floor, not truncation)');
  assert.equal(admitted(500, 999, 39), false, 'the same cell within the window');
  assert.equal(admitted(500, 999, 41), true, 'a new window');
  assert.equal(b.admit(NaN, 0, 50), true, 'no position: not counted, not refused');
  assert.throws(() => createBirthLimiter({ ...BIRTH_LIMIT_DEFAULTS, cellM: 0 }), /birthLimit\.cellM must be a positive number \(m\), got 0/);
  assert.throws(() => createBirthLimiter({ ...BIRTH_LIMIT_DEFAULTS, windowS: Infinity }), /birthLimit\.windowS must be a positive number/);
  assert.throws(() => createBirthLimiter({ ...BIRTH_LIMIT_DEFAULTS, max: 2.5 }), /birthLimit\.max must be an integer >= 1, got 2.5/);
  assert.throws(() => createTracker({ origin: ORIGIN, birthLimit: { cellM: 1000, windowS: 30, max: 0 } }), /birthLimit\.max/);
});

test('a flood of made-up positions in a 2 km square starts at most the limit of tracks there; a target flying outside it is tracked as without the flood', () => {
  const run = (flood: boolean) => {
    const tr = createTracker({ origin: ORIGIN });
    // the target's noise and the flood's from streams of their own
    const rndT = mulberry32(3);
    const rnd = mulberry32(4);
    const gaussT = () => rndT() + rndT() + rndT() - 1.5;
    const gauss = () => rnd() + rnd() + rnd() - 1.5;
    let t = 1000;
    for (let step = 0; step < 20; step++, t += 1) {
      const dets = [positionDet('cam-1', 'camera', [-20_000 + 50 * (t - 1000), 5000, 300], t, 30, gaussT, true)];
      if (flood) for (let k = 0; k < 500; k++) dets.push(positionDet('bad-1', 'camera', [rnd() * 2000, rnd() * 2000, 300], t + k / 1000, 30, gauss, true));
      tr.step(dets, t + 0.9);
    }
    return tr;
  };
  const flooded = run(true);
  const clean = run(false);
  // 10,000 positions over 20 s in a 2 km square (at most 9 cells of 1 km): at most 9 × 20 births in one window
  assert.ok(flooded.stats.started <= 9 * BIRTH_LIMIT_DEFAULTS.max + 1, `started ${flooded.stats.started}`);
  // the rest went to the tracks there (each a detection of some tentative track) or started none
  assert.ok(flooded.stats.birthsRefused > 1000, `refused ${flooded.stats.birthsRefused}`);
  assert.equal(clean.stats.birthsRefused, 0);
  // the real target 20 km away: one confirmed track, where it is without the flood
  const far = (tr: ReturnType<typeof createTracker>) => tr.tracks().filter((x) => x.status === 'confirmed' && x.x[0] < -10_000);
  assert.equal(far(flooded).length, 1);
  assert.equal(far(clean).length, 1);
  assert.ok(Math.hypot(far(flooded)[0].x[0] - far(clean)[0].x[0], far(flooded)[0].x[1] - far(clean)[0].x[1]) < 1e-6, `the same estimate: ${far(flooded)[0].x.slice(0, 2)} against ${far(clean)[0].x.slice(0, 2)}`);
});
