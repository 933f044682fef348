import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic, geodeticToEnu, type GeoPoint } from '@skywarden/core';
import { coarseTrackOf } from './coarse-track.js';
import { sampledTrajectory, splitFixes, type TimedFix } from './trajectory-sampled.js';

const T0 = 1764000000;
const START: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 300 };
const frame = createEnuFrame(START);

/** A fix `e` m east, `n` m north of START at altitude `alt`, at T0 + dt. */
function fix(dt: number, e: number, n: number, alt: number): TimedFix {
  const g = enuToGeodetic(frame, e, n, 0);
  return { t: T0 + dt, position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: alt } };
}

// A dog-leg: 600 m east in 10 s while climbing 50 m, then 400 m north in 10 s, then 1 km back west-south-west in 20 s.
const FIXES = [fix(0, 0, 0, 300), fix(10, 600, 0, 350), fix(20, 600, 400, 350), fix(40, -300, 0, 310)];

test('a sampled trajectory passes exactly through its fixes and is null outside them', () => {
  const tr = sampledTrajectory({ id: 'H1', cls: 'helicopter', samples: FIXES });
  assert.equal(tr.startTime, T0);
  assert.equal(tr.endTime, T0 + 40);
  for (const f of FIXES) assert.deepEqual(tr.sample(f.t)!.position, f.position);
  assert.equal(tr.sample(T0 - 0.001), null);
  assert.equal(tr.sample(T0 + 40.001), null);
  assert.equal(tr.sample(Number.NaN), null);
  assert.equal(tr.target.id, 'H1');
  assert.equal(tr.target.cls, 'helicopter');
  assert.deepEqual(tr.target.start, FIXES[0].position);
  assert.deepEqual(tr.target.legs, []);
});

test('between fixes the motion is linear: position by the time fraction, altitude linear', () => {
  const tr = sampledTrajectory({ id: 'H1', cls: 'helicopter', samples: FIXES });
  for (let i = 0; i + 1 < FIXES.length; i++) {
    const a = FIXES[i];
    const b = FIXES[i + 1];
    const fa = createEnuFrame(a.position);
    const eb = geodeticToEnu(fa, b.position);
    for (const f of [0.1, 0.25, 0.5, 0.9]) {
      const s = tr.sample(a.t + f * (b.t - a.t))!;
      const e = geodeticToEnu(fa, s.position);
      // Horizontal: the fraction f of the way, to a millimetre (the altitude is put back on the
      // ellipsoid normal, which tilts by under 1e-4 rad over these distances).
      assert.ok(Math.abs(e[0] - f * eb[0]) < 1e-3 && Math.abs(e[1] - f * eb[1]) < 1e-3, `segment ${i} at ${f}: ${e[0]}, ${e[1]} vs ${f * eb[0]}, ${f * eb[1]}`);
      const altLin = a.position.altM + f * (b.position.altM - a.position.altM);
      assert.ok(Math.abs(s.position.altM - altLin) < 1e-9, `altitude ${s.position.altM} vs ${altLin}`);
    }
  }
});

test('velocity is the enclosing segment’s, in the local ENU frame, and the derivative of position', () => {
  const tr = sampledTrajectory({ id: 'H1', cls: 'helicopter', samples: FIXES });
  const close = (a: number, b: number, tol: number, msg: string) => assert.ok(Math.abs(a - b) < tol, `${msg}: ${a} vs ${b}`);
  // Segment 0: 60 m/s east, 5 m/s up; segment 1: 40 m/s north, level; segment 2: 900 m west, 400 m south in 20 s.
  let s = tr.sample(T0 + 5)!;
  close(s.velocityEnu[0], 60, 0.01, 'east');
  close(s.velocityEnu[1], 0, 0.01, 'north');
  assert.equal(s.velocityEnu[2], 5);
  close(s.speed, 60, 0.01, 'speed');
  close(s.heading, Math.PI / 2, 1e-4, 'heading');
  // At a fix, the velocity is that of the segment that starts there; at the end, the last one's.
  s = tr.sample(T0 + 10)!;
  close(s.velocityEnu[1], 40, 0.01, 'north at the second fix');
  close(s.velocityEnu[0], 0, 0.01, 'east at the second fix');
  assert.equal(s.velocityEnu[2], 0);
  s = tr.sample(T0 + 40)!;
  close(s.velocityEnu[0], -45, 0.01, 'east at the end');
  close(s.velocityEnu[1], -20, 0.01, 'north at the end');
  close(s.velocityEnu[2], -2, 1e-12, 'up at the end');
  close(tr.target.speed, 60, 0.01, 'target speed');
  // Finite differences in the frame of the current position.
  for (const tm of [T0 + 3.3, T0 + 17, T0 + 31.5]) {
    const c = tr.sample(tm)!;
    const p = tr.sample(tm + 0.01)!;
    const m = tr.sample(tm - 0.01)!;
    const f = createEnuFrame(c.position);
    const ep = geodeticToEnu(f, p.position);
    const em = geodeticToEnu(f, m.position);
    for (let k = 0; k < 3; k++) close((ep[k] - em[k]) / 0.02, c.velocityEnu[k], 1e-3, `axis ${k} at ${tm - T0}`);
  }
  // The speed bound covers every segment (used by the coarse culling).
  assert.ok(tr.speedBound! >= 60 && tr.speedBound! < 70, `bound ${tr.speedBound}`);
  assert.ok(coarseTrackOf(tr).speedBound >= tr.speedBound!);
});

test('duplicates and out-of-order fixes are dropped, or sorted in with order "sort"', () => {
  const messy = [FIXES[0], FIXES[1], { ...FIXES[1], position: { ...START } }, fix(5, 1, 1, 1), FIXES[2], FIXES[3]];
  const tr = sampledTrajectory({ id: 'X', cls: 'aircraft', samples: messy });
  const clean = sampledTrajectory({ id: 'X', cls: 'aircraft', samples: FIXES });
  for (let dt = 0; dt <= 40; dt += 2.5) assert.deepEqual(tr.sample(T0 + dt), clean.sample(T0 + dt));
  // Sorting keeps the out-of-order fix at t0 + 5 (and still the first of the two at t0 + 10).
  const sorted = sampledTrajectory({ id: 'X', cls: 'aircraft', samples: messy, order: 'sort' });
  assert.equal(sorted.sample(T0 + 5)!.position.altM, 1);
  assert.deepEqual(sorted.sample(T0 + 10)!.position, FIXES[1].position);
  assert.deepEqual(splitFixes([...FIXES].reverse(), { order: 'sort' }), [FIXES]);
  assert.deepEqual(splitFixes([...FIXES].reverse()), [[FIXES[3]]]);
});

test('a gap longer than maxGap ends the trajectory; splitFixes splits there', () => {
  const gappy = [...FIXES, fix(140, 0, 0, 300), fix(150, 100, 0, 300)];
  const tr = sampledTrajectory({ id: 'G', cls: 'aircraft', samples: gappy });
  assert.equal(tr.endTime, T0 + 40);
  assert.equal(tr.sample(T0 + 90), null);
  assert.equal(sampledTrajectory({ id: 'G', cls: 'aircraft', samples: gappy, maxGap: 100 }).endTime, T0 + 150);
  const pieces = splitFixes(gappy);
  assert.deepEqual(pieces.map((p) => p.length), [4, 2]);
  assert.equal(pieces[1][0].t, T0 + 140);
  // A gap of exactly maxGap is bridged.
  assert.equal(splitFixes(gappy, { maxGap: 100 }).length, 1);
});

test('a single fix exists only at its time, at rest; bad input throws with the value', () => {
  const one = sampledTrajectory({ id: 'S', cls: 'bird', samples: [FIXES[0]], decoy: true });
  assert.equal(one.startTime, one.endTime);
  const s = one.sample(T0)!;
  assert.deepEqual(s.velocityEnu, [0, 0, 0]);
  assert.equal(s.speed, 0);
  assert.equal(one.target.decoy, true);
  assert.throws(() => sampledTrajectory({ id: 'E', cls: 'bird', samples: [] }), /E: needs at least one fix, got 0 samples/);
  assert.throws(() => sampledTrajectory({ id: '', cls: 'bird', samples: FIXES }), /id must be a non-empty string/);
  assert.throws(() => sampledTrajectory({ id: 'N', cls: 'bird', samples: [FIXES[0], { t: Number.NaN, position: START }] }), /N: samples\[1\]\.t must be a finite number, got NaN/);
  assert.throws(() => sampledTrajectory({ id: 'L', cls: 'bird', samples: [{ t: T0, position: { ...START, latDeg: 95 } }] }), /samples\[0\]\.position\.latDeg .*got 95/);
  assert.throws(() => splitFixes(FIXES, { maxGap: 0 }), /maxGap must be > 0 s, got 0/);
});
