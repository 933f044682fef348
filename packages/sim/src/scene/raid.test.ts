import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, type GeoPoint } from '@skywarden/core';
import { makeRaid, truncateLegs, type RaidOptions } from './raid.js';
import { createRng } from './rng.js';
import { makeMixedScene } from './scene-mixed.js';
import { sampleTarget, targetEndTime } from './trajectory.js';

const T0 = 1764000000;
const ORIGIN: GeoPoint = { latDeg: 37.55, lonDeg: 127.0, altM: 20 };

function raid(over: Partial<RaidOptions> = {}) {
  return makeRaid({
    rng: createRng(11),
    fateRng: createRng(12),
    frame: createEnuFrame(ORIGIN),
    half: 20e3,
    heading: 1.2,
    nDrones: 1000,
    t0: T0,
    t1: T0 + 1200,
    startTime: (r, d) => T0 + r.uniform(-0.6 * d, 0.75 * 1200),
    id: (i) => `D${i + 1}`,
    ...over,
  });
}

test('truncateLegs cuts the legs after a duration', () => {
  const legs = [
    { duration: 10, turnRate: 0, climbRate: 0 },
    { duration: 20, turnRate: 0.01, climbRate: 1 },
    { duration: 5, turnRate: 0, climbRate: -1 },
  ];
  assert.deepEqual(truncateLegs(legs, 25), [legs[0], { duration: 15, turnRate: 0.01, climbRate: 1 }]);
  assert.deepEqual(truncateLegs(legs, 30), legs.slice(0, 2));
  assert.deepEqual(truncateLegs(legs, 100), legs);
  assert.deepEqual(truncateLegs(legs, 0), []);
  assert.equal(legs[1].duration, 20, 'input unchanged');
});

test('decoy and downed shares are met within sampling tolerance; decoys are slow, low pistons', () => {
  const drones = raid({ jetShare: 0.1, decoyShare: 0.2, downedShare: 0.1 });
  const n = drones.length;
  const decoys = drones.filter((d) => d.target.decoy === true);
  const downed = drones.filter((d) => d.downedAt !== null);
  // Binomial standard deviations: 0.013 and 0.0095 for 1000 drones; allow about 3.5 of them.
  assert.ok(Math.abs(decoys.length / n - 0.2) < 0.045, `${decoys.length} decoys of ${n}`);
  assert.ok(Math.abs(downed.length / n - 0.1) < 0.035, `${downed.length} downed of ${n}`);
  const jets = drones.filter((d) => d.target.cls === 'jet_owa');
  assert.ok(Math.abs(jets.length / n - 0.1) < 0.035, `${jets.length} jets`);
  for (const d of decoys) {
    assert.equal(d.target.cls, 'piston_owa');
    assert.ok(d.target.speed >= 38 && d.target.speed <= 48, `decoy at ${d.target.speed} m/s`);
    const end = targetEndTime(d.target);
    for (let t = d.target.startTime; t <= end; t += 30) {
      const alt = sampleTarget(d.target, t)!.position.altM;
      assert.ok(alt <= 1200 + 1e-6, `decoy ${d.target.id} at ${alt} m`);
    }
  }
  for (const d of drones.filter((x) => !x.target.decoy && x.target.cls === 'piston_owa')) assert.ok(d.target.speed >= 45 && d.target.speed <= 55);
  assert.equal(drones.filter((d) => d.target.decoy !== undefined && d.target.decoy !== true).length, 0, 'non-decoys carry no decoy field');
});

test('a downed drone ends mid-flight, in the air, inside the period', () => {
  const drones = raid();
  const downed = drones.filter((d) => d.downedAt !== null);
  assert.ok(downed.length > 50);
  let airborne = 0;
  for (const d of downed) {
    const t = d.downedAt!;
    assert.ok(Math.abs(targetEndTime(d.target) - t) < 1e-6, `${d.target.id} ends at ${targetEndTime(d.target)}, downed at ${t}`);
    assert.ok(t > d.target.startTime && t < d.plannedEndTime, 'mid-flight');
    assert.ok(t > T0 && t < T0 + 1200, 'inside the period');
    if (sampleTarget(d.target, t)!.position.altM > ORIGIN.altM + 50) airborne++;
  }
  // Strikes end in a dive, so a few are downed low in it; most are shot down at cruise height.
  assert.ok(airborne > 0.8 * downed.length, `${airborne} of ${downed.length} above 50 m`);
  for (const d of drones.filter((x) => x.downedAt === null)) assert.ok(Math.abs(targetEndTime(d.target) - d.plannedEndTime) < 1e-6);
});

test('fates draw from their own stream: the shares change no route', () => {
  const plain = raid({ decoyShare: 0, downedShare: 0, nDrones: 200 });
  const real = raid({ nDrones: 200 });
  let same = 0;
  for (let i = 0; i < 200; i++) {
    const a = real[i];
    const b = plain[i];
    if (a.target.decoy) continue; // its own speed and height, so its own route
    if (a.downedAt !== null) {
      // The same route and launch, cut short.
      assert.equal(a.target.startTime, b.target.startTime);
      assert.equal(a.plannedEndTime, b.plannedEndTime);
      assert.deepEqual(a.target.legs.slice(0, -1), b.target.legs.slice(0, a.target.legs.length - 1));
      continue;
    }
    assert.deepEqual(a, b);
    same++;
  }
  assert.ok(same > 100);
  // More drones leave the first ones unchanged.
  assert.deepEqual(raid({ nDrones: 201 }).slice(0, 200), real);
});

test('makeRaid rejects bad shares and counts', () => {
  assert.throws(() => raid({ decoyShare: 0.95, jetShare: 0.1 }), /decoyShare \+ jetShare must be <= 1 .*got 0.95 \+ 0.1/);
  assert.throws(() => raid({ downedShare: 1.5 }), /downedShare must be in \[0, 1\], got 1.5/);
  assert.throws(() => raid({ nDrones: 2.5 }), /nDrones must be an integer >= 0, got 2.5/);
  assert.throws(() => raid({ waypoints: [3, 1] }), /waypoints must be integers \[lo, hi\].*got \[3, 1\]/);
});

test('mixed scene: decoys flagged in truth, downed truth stops mid-flight where the intact raid flies on', () => {
  const opts = { seed: 4, nDrones: 60, nMics: 0, nObservers: 0, durationS: 900, regionM: 30e3 };
  const s = makeMixedScene({ ...opts, decoyShare: 0.3, downedShare: 0.3 });
  const intact = makeMixedScene({ ...opts, decoyShare: 0.3, downedShare: 0 });
  const decoyIds = new Set(s.targets.filter((t) => t.decoy).map((t) => t.id));
  assert.ok(decoyIds.size >= 8 && decoyIds.size <= 30, `${decoyIds.size} decoys`);
  assert.deepEqual(new Set(intact.targets.filter((t) => t.decoy).map((t) => t.id)), decoyIds, 'the same drones are decoys');
  for (const r of s.truth) {
    if (decoyIds.has(r.id)) {
      assert.equal(r.decoy, true);
      assert.equal(r.class, 'piston_owa');
    } else assert.equal(r.decoy, undefined);
  }
  const ids = Object.keys(s.downed);
  assert.ok(ids.length >= 8, `${ids.length} downed`);
  const lastT = (rows: typeof s.truth, id: string) => Math.max(...rows.filter((r) => r.id === id).map((r) => r.t));
  for (const id of ids) {
    const t = s.downed[id];
    assert.ok(t > s.t0 && t < s.t0 + s.duration);
    const last = lastT(s.truth, id);
    assert.ok(last <= t && last > t - 1, `${id}: last truth at ${last}, downed at ${t}`);
    assert.ok(lastT(intact.truth, id) > t + 1, `${id} would have flown on`);
    // No detection of it after it is downed (radar plots carry the truth id when annotated).
  }
  const annotated = makeMixedScene({ ...opts, decoyShare: 0.3, downedShare: 0.3, annotate: true });
  for (const d of annotated.detections) {
    const t = annotated.downed[d.sim_target as string];
    if (t !== undefined) assert.ok(d.t <= t + 1e-9, `${d.sensor} sees ${d.sim_target} at ${d.t} after ${t}`);
  }
});
