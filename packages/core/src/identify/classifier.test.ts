import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_LABELS, type ClassLabel } from '../types.js';
import {
  PEACETIME_PRIOR,
  PROBABILITY_FLOOR,
  RAID_PRIOR,
  applyCooperative,
  applyForgetting,
  applyHint,
  applyKinematics,
  classProbabilities,
  classProbability,
  createClassState,
  mostProbableClass,
  SPEED_BOUND_MIN_P,
  threatProbability,
  threatTopSpeed,
  type ClassState,
  type KinematicObservation,
} from './classifier.js';
import { classTopSpeed } from './class-model.js';
import { mulberry32 } from '../math/mulberry32.js';

type Motion = Omit<KinematicObservation, 'dt'>;

/** Flies `seconds` of 1 Hz filter estimates. */
function fly(state: ClassState, seconds: number, motion: Motion, dt = 1): void {
  const n = Math.round(seconds / dt);
  for (let i = 0; i < n; i++) applyKinematics(state, { ...motion, dt });
}

/**
 * A track as a tracker would report it: starting from one-point initiation (velocity unknown,
 * σ = 80 m/s per axis) and settling to `sd` with a 5 s time constant, the early speed estimates
 * wrong by a decaying oscillation.
 */
function flyTrack(state: ClassState, seconds: number, speed: number, altitude: number, sd = 3): void {
  for (let t = 0; t < seconds; t++) {
    const speedSd = sd + 77 * Math.exp(-t / 5);
    applyKinematics(state, { speed: speed + speedSd * Math.sin(1.7 * t), altitude, speedSd, dt: 1 });
  }
}

function assertValid(state: ClassState, what: string): void {
  const p = classProbabilities(state);
  let sum = 0;
  for (const label of CLASS_LABELS) {
    const v = p[label];
    assert.ok(Number.isFinite(v), `${what}: ${label} = ${v}`);
    assert.ok(v > 0, `${what}: ${label} = ${v} (never exactly 0)`);
    assert.ok(v >= PROBABILITY_FLOOR * 0.999, `${what}: ${label} = ${v} below the floor`);
    sum += v;
  }
  assert.ok(Math.abs(sum - 1) < 1e-12, `${what}: sum ${sum}`);
}

const rng = mulberry32;

test('the default prior is the raid prior; a partial prior changes only what it names', () => {
  const s = createClassState();
  const p = classProbabilities(s);
  for (const label of CLASS_LABELS) assert.ok(Math.abs(p[label] - RAID_PRIOR[label]) < 1e-12, label);
  assert.ok(Math.abs(threatProbability(s) - 0.3) < 1e-12);

  const bumped = classProbabilities(createClassState({ aircraft: 0.45 }));
  assert.ok(Math.abs(bumped.aircraft - 0.45 / 1.3) < 1e-12);
  assert.ok(Math.abs(bumped.piston_owa - 0.2 / 1.3) < 1e-12);

  const peace = createClassState(PEACETIME_PRIOR);
  assert.ok(Math.abs(threatProbability(peace) - 0.02) < 1e-12);

  // A zero weight is floored, not impossible.
  const none = createClassState({ cruise_missile: 0 });
  assert.ok(classProbability(none, 'cruise_missile') > 0);
  assertValid(none, 'zero prior weight');
});

test('bad arguments are programmer errors and say what was wrong', () => {
  assert.throws(() => createClassState({ shahed: 1 } as unknown as Partial<Record<ClassLabel, number>>), /unknown class label.*shahed/);
  assert.throws(() => createClassState({ bird: -1 }), /bird.*-1/);
  assert.throws(() => createClassState({ bird: Number.NaN }), /bird.*NaN/);
  const zeros = Object.fromEntries(CLASS_LABELS.map((l) => [l, 0])) as Record<ClassLabel, number>;
  assert.throws(() => createClassState(zeros), /not all be 0/);
  assert.throws(() => createClassState(undefined, { correlationTime: 0 }), /correlationTime.*0/);
  assert.throws(() => createClassState(undefined, { forgetTime: -5 }), /forgetTime.*-5/);
  const s = createClassState();
  assert.throws(() => applyKinematics(s, { speed: 50, altitude: 600, dt: -1 }), /dt.*-1/);
  assert.throws(() => applyKinematics(s, { speed: 50, altitude: 600, dt: Number.NaN }), /dt.*NaN/);
  assert.throws(() => applyKinematics(s, { speed: 50, altitude: 600, dt: 1, speedSd: -3 }), /speedSd.*-3/);
  assert.throws(() => applyHint(s, { bird: 1 }, -1), /weight.*-1/);
  assert.throws(() => applyCooperative(s, 'adsb', Number.POSITIVE_INFINITY), /weight.*Infinity/);
  assert.throws(() => classProbability(s, 'ufo' as ClassLabel), /ufo/);
});

test('a track at 50 m/s and 600 m for 2 minutes is a piston one-way attack drone', () => {
  const s = createClassState();
  flyTrack(s, 120, 50, 600);
  const top = mostProbableClass(s);
  assert.equal(top.label, 'piston_owa');
  assert.ok(top.probability > 0.6, `${top.probability}`);
  assert.ok(threatProbability(s) > 0.9);
  assertValid(s, 'piston');
  // Even with the peacetime prior (threats 2 %), two minutes of Shahed kinematics win.
  const p = createClassState(PEACETIME_PRIOR);
  flyTrack(p, 120, 50, 600);
  assert.equal(mostProbableClass(p).label, 'piston_owa');
});

test('a track at 160 m/s is a jet one-way attack drone; at 230 m/s and 100 m a cruise missile', () => {
  const jet = createClassState();
  flyTrack(jet, 120, 160, 1000);
  assert.equal(mostProbableClass(jet).label, 'jet_owa');
  assert.ok(classProbability(jet, 'jet_owa') > 0.6);
  const cm = createClassState();
  flyTrack(cm, 120, 230, 100, 5);
  assert.equal(mostProbableClass(cm).label, 'cruise_missile');
  assert.ok(classProbability(cm, 'cruise_missile') > 0.6);
});

test('230 m/s at 10 km with an ADS-B identity is an aircraft, not a threat', () => {
  const s = createClassState();
  applyCooperative(s, 'adsb');
  for (let t = 0; t < 120; t++) {
    applyKinematics(s, { speed: 230, altitude: 10000, speedSd: 4, altitudeSd: 30, dt: 1 });
    if (t % 5 === 0) applyCooperative(s, 'adsb', 0.5); // a report every 5 s, weight dt/τ
  }
  assert.ok(classProbability(s, 'aircraft') > 0.95, `${classProbability(s, 'aircraft')}`);
  assert.ok(threatProbability(s) < 0.01, `${threatProbability(s)}`);
  assertValid(s, 'airliner');
});

test('ADS-B overrides jet-like kinematics (an airliner descending at 160 m/s through 3 km)', () => {
  const without = createClassState();
  const withId = createClassState();
  applyCooperative(withId, 'ADS-B');
  for (let t = 0; t < 120; t++) {
    const obs = { speed: 160, altitude: 3000, speedSd: 3, dt: 1 };
    applyKinematics(without, obs);
    applyKinematics(withId, obs);
    applyCooperative(withId, 'adsb', 0.1);
  }
  assert.equal(mostProbableClass(without).label, 'jet_owa');
  assert.equal(mostProbableClass(withId).label, 'aircraft');
  assert.ok(threatProbability(withId) < 0.01, `${threatProbability(withId)}`);
});

test('cooperative identities: Remote ID means a small drone; threats drop but never to 0', () => {
  const s = createClassState();
  applyCooperative(s, 'remote_id');
  const top = mostProbableClass(s).label;
  assert.ok(top === 'multirotor' || top === 'fixed_wing_small', top);
  assert.ok(classProbability(s, 'multirotor') + classProbability(s, 'fixed_wing_small') > 0.95);
  assert.ok(threatProbability(s) < 0.01 && threatProbability(s) > 0);
  // Many ADS-B reports in a row: threats tiny, still positive.
  const a = createClassState();
  for (let i = 0; i < 10000; i++) applyCooperative(a, 'adsb');
  assert.ok(threatProbability(a) > 0 && threatProbability(a) < 1e-9);
  assertValid(a, 'many ADS-B');
  // An unknown kind is weaker evidence than ADS-B, but in the same direction.
  const g = createClassState();
  applyCooperative(g, 'mode_x_unknown');
  const adsb = createClassState();
  applyCooperative(adsb, 'adsb');
  assert.ok(threatProbability(g) < 0.3 && threatProbability(g) > threatProbability(adsb));
});

test('a target hovering at about 5 m/s and 100 m is a multirotor or a bird', () => {
  for (const speed of [5, 0, 2]) {
    const s = createClassState();
    flyTrack(s, 120, speed, 100, 2);
    const top = mostProbableClass(s).label;
    assert.ok(top === 'multirotor' || top === 'bird', `${speed}: ${top}`);
    assert.ok(threatProbability(s) < 0.05, `${speed}: ${threatProbability(s)}`);
  }
});

test('manoeuvres a Shahed cannot fly move the posterior away from it', () => {
  const turning = createClassState();
  fly(turning, 120, { speed: 50, altitude: 600, speedSd: 3, turnRate: 0.5 }); // 29°/s
  assert.ok(classProbability(turning, 'piston_owa') < 0.05, `${classProbability(turning, 'piston_owa')}`);
  const climbing = createClassState();
  fly(climbing, 120, { speed: 50, altitude: 600, speedSd: 3, climbRate: 15 });
  assert.ok(classProbability(climbing, 'piston_owa') < 0.05);
  // A steep dive (terminal phase) is within a Shahed's envelope.
  const diving = createClassState();
  fly(diving, 120, { speed: 50, altitude: 600, speedSd: 3, climbRate: -40 });
  assert.equal(mostProbableClass(diving).label, 'piston_owa');
});

test('a single strong hint never exceeds 0.9, whatever label and prior', () => {
  for (const prior of [RAID_PRIOR, PEACETIME_PRIOR]) {
    for (const label of CLASS_LABELS) {
      const s = createClassState(prior);
      applyHint(s, { [label]: 1 });
      const p = classProbability(s, label);
      assert.ok(p <= 0.9, `${label}: ${p}`);
      assert.ok(p > prior[label], `${label}: the hint must move it up`);
      assertValid(s, `hint ${label}`);
    }
  }
  // Two independent sensors agreeing are stronger than one.
  const one = createClassState();
  applyHint(one, { bird: 0.9, multirotor: 0.1 });
  const two = createClassState();
  applyHint(two, { bird: 0.9, multirotor: 0.1 });
  applyHint(two, { bird: 0.8 });
  assert.ok(classProbability(two, 'bird') > classProbability(one, 'bird'));
});

test('hints: unknown labels ignored, bad values tolerated, weight 0 changes nothing', () => {
  const base = classProbabilities(createClassState());
  const s = createClassState();
  applyHint(s, { drone: 0.99, shahed: 1 });
  assert.deepEqual(classProbabilities(s), base);
  applyHint(s, { bird: 1 }, 0);
  assert.deepEqual(classProbabilities(s), base);
  const bad = createClassState();
  applyHint(bad, { bird: Number.NaN, multirotor: -3, aircraft: 7, helicopter: Number.POSITIVE_INFINITY });
  assertValid(bad, 'bad hint');
  // 7 is clamped to 1: aircraft now leads; NaN and ±Infinity count as missing.
  assert.equal(mostProbableClass(bad).label, 'aircraft');
  // A half-weight hint moves less than a full one.
  const half = createClassState();
  applyHint(half, { bird: 1 }, 0.5);
  const full = createClassState();
  applyHint(full, { bird: 1 });
  assert.ok(classProbability(half, 'bird') < classProbability(full, 'bird'));
  assert.ok(classProbability(half, 'bird') > base.bird);
});

test('an uncertain speed (σ = 80 m/s, a just-started track) barely moves the prior', () => {
  for (const speed of [0, 50, 160, 230]) {
    const s = createClassState();
    fly(s, 10, { speed, altitude: Number.NaN, speedSd: 80 });
    const p = classProbabilities(s);
    for (const label of CLASS_LABELS) {
      assert.ok(Math.abs(p[label] - RAID_PRIOR[label]) < 0.01, `${speed} ${label}: ${p[label]} vs ${RAID_PRIOR[label]}`);
    }
    // The same 10 s with a settled velocity are decisive.
    const sure = createClassState();
    fly(sure, 10, { speed, altitude: Number.NaN, speedSd: 2 });
    const moved = CLASS_LABELS.some((l) => Math.abs(classProbabilities(sure)[l] - RAID_PRIOR[l]) > 0.2);
    assert.ok(moved, `${speed}`);
  }
});

test('tempering: the posterior depends on elapsed time, not on the update rate', () => {
  const slow = createClassState();
  fly(slow, 60, { speed: 160, altitude: 1000, speedSd: 3 }, 1);
  const fast = createClassState();
  fly(fast, 60, { speed: 160, altitude: 1000, speedSd: 3 }, 0.1);
  const sparse = createClassState();
  fly(sparse, 60, { speed: 160, altitude: 1000, speedSd: 3 }, 10);
  for (const label of CLASS_LABELS) {
    // Forgetting and evidence interleave differently at different rates: close, not equal.
    assert.ok(Math.abs(classProbability(slow, label) - classProbability(fast, label)) < 2e-3, label);
    assert.ok(Math.abs(classProbability(slow, label) - classProbability(sparse, label)) < 1e-2, label);
  }
  // A 1 Hz second carries a tenth of the weight of one independent observation: after a single
  // step the posterior is far from certain, after one correlation time it is sure.
  const one = createClassState();
  applyKinematics(one, { speed: 51, altitude: 600, speedSd: 2, dt: 1 });
  assert.ok(classProbability(one, 'piston_owa') < 0.4, `${classProbability(one, 'piston_owa')}`);
  // A step of dt = 0 adds nothing.
  const zero = createClassState();
  applyKinematics(zero, { speed: 51, altitude: 600, speedSd: 2, dt: 0 });
  assert.deepEqual(classProbabilities(zero), classProbabilities(createClassState()));
});

test('recovery: 30 s of jet-like speed, then 3 minutes at 50 m/s, ends a piston drone', () => {
  const s = createClassState();
  fly(s, 30, { speed: 160, altitude: 600, speedSd: 3 });
  assert.equal(mostProbableClass(s).label, 'jet_owa');
  fly(s, 180, { speed: 50, altitude: 600, speedSd: 3 });
  assert.equal(mostProbableClass(s).label, 'piston_owa');
  assert.ok(classProbability(s, 'piston_owa') > 0.9);
});

test('forgetting lets a posterior built on long wrong evidence recover faster', () => {
  const recoveryTime = (forgetTime: number): number => {
    const s = createClassState(undefined, { forgetTime });
    fly(s, 600, { speed: 160, altitude: 600, speedSd: 3 });
    for (let t = 1; t <= 600; t++) {
      fly(s, 1, { speed: 50, altitude: 600, speedSd: 3 });
      if (mostProbableClass(s).label === 'piston_owa') return t;
    }
    return Infinity;
  };
  const withForgetting = recoveryTime(300);
  const without = recoveryTime(Infinity);
  assert.ok(withForgetting < 20, `${withForgetting}`);
  assert.ok(without > 2 * withForgetting, `${without} vs ${withForgetting}`);

  // Forgetting alone (a coasting track) relaxes the posterior toward the prior.
  const s = createClassState();
  fly(s, 120, { speed: 50, altitude: 600, speedSd: 3 });
  const before = classProbability(s, 'piston_owa');
  applyForgetting(s, 300);
  const after = classProbability(s, 'piston_owa');
  const expected = before * Math.exp(-1) + RAID_PRIOR.piston_owa * (1 - Math.exp(-1));
  assert.ok(Math.abs(after - expected) < 1e-9, `${after} vs ${expected}`);
  applyForgetting(s, 1e9);
  assert.ok(Math.abs(classProbability(s, 'piston_owa') - RAID_PRIOR.piston_owa) < 1e-9);
});

test('extreme and broken inputs: always normalised, never 0, never NaN', () => {
  const speeds = [0, -5, 1e-300, 5, 50, 600, 650, 10000, 1e308, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const altitudes = [-500, -1e6, 0, 600, 1e6, 1e308, Number.NaN, Number.NEGATIVE_INFINITY];
  const rates = [undefined, 0, -1e9, 1e9, Number.NaN];
  const sds = [undefined, 0, 1e-300, 80, 1e6, 1e308, Number.POSITIVE_INFINITY, Number.NaN];
  const dts = [0, 1e-9, 1, 10, 1e6, 1e300];
  const r = rng(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  for (let run = 0; run < 40; run++) {
    const s = createClassState(run % 2 === 0 ? undefined : PEACETIME_PRIOR, { forgetTime: run % 3 === 0 ? Infinity : 300 });
    for (let i = 0; i < 200; i++) {
      const roll = r();
      if (roll < 0.8) {
        applyKinematics(s, {
          speed: pick(speeds),
          altitude: pick(altitudes),
          turnRate: pick(rates),
          climbRate: pick(rates),
          speedSd: pick(sds),
          altitudeSd: pick(sds),
          turnRateSd: pick(sds),
          climbRateSd: pick(sds),
          dt: pick(dts),
        });
      } else if (roll < 0.9) {
        applyHint(s, { [pick([...CLASS_LABELS])]: pick([0, 1, 1e9, -1, Number.NaN]), junk: 1 }, pick([0, 1, 1000]));
      } else {
        applyCooperative(s, pick(['adsb', 'remote_id', 'flarm', '', 'x']), pick([0, 1, 50]));
      }
      assertValid(s, `run ${run} step ${i}`);
    }
  }
  // The brief's named extremes, one by one.
  for (const [speed, altitude] of [
    [0, 600],
    [10000, 600],
    [50, -300],
    [0, -1e4],
    [10000, -1e4],
  ]) {
    const s = createClassState();
    fly(s, 120, { speed, altitude, speedSd: 0 });
    assertValid(s, `${speed} m/s at ${altitude} m`);
  }
});

test('deterministic: the same inputs give bit-identical states', () => {
  const a = createClassState();
  const b = createClassState();
  for (const s of [a, b]) {
    flyTrack(s, 60, 47, 900);
    applyHint(s, { piston_owa: 0.7, fixed_wing_small: 0.3 }, 0.5);
    applyCooperative(s, 'rid', 0.2);
  }
  assert.deepEqual(a.logProb, b.logProb);
});

test('threat probability: the OWA and missile classes by default; a site may add its own', () => {
  const s = createClassState();
  flyTrack(s, 120, 8, 80, 2);
  const p = classProbabilities(s);
  assert.ok(Math.abs(threatProbability(s) - (p.piston_owa + p.jet_owa + p.cruise_missile)) < 1e-15);
  const withDrones = threatProbability(s, ['piston_owa', 'jet_owa', 'cruise_missile', 'multirotor', 'fixed_wing_small']);
  assert.ok(withDrones > 0.5 && threatProbability(s) < 0.05);
  // classProbabilities can write into a caller's object.
  const out = {} as Record<ClassLabel, number>;
  assert.equal(classProbabilities(s, out), out);
  assert.deepEqual(out, p);
});

test('the speed bound of the threat predictor: the top speed of the fastest threat class a track may be', () => {
  assert.equal(classTopSpeed('piston_owa'), 70);
  assert.equal(classTopSpeed('jet_owa'), 200);
  assert.equal(classTopSpeed('cruise_missile'), 300);
  assert.equal(classTopSpeed('no_such_class'), undefined);
  assert.equal(threatTopSpeed({ piston_owa: 0.96, jet_owa: 0.03, aircraft: 0.01 }), 70);
  assert.equal(threatTopSpeed({ piston_owa: 0.9, jet_owa: SPEED_BOUND_MIN_P }), 200);
  // no threat class reaches 5 %: the fastest with any probability
  assert.equal(threatTopSpeed({ multirotor: 0.97, piston_owa: 0.02, cruise_missile: 0.01 }), 300);
  assert.equal(threatTopSpeed({ multirotor: 0.98, piston_owa: 0.02 }), 70);
  // no threat class at all: no bound
  assert.equal(threatTopSpeed({ aircraft: 1 }), undefined);
  assert.equal(threatTopSpeed({}), undefined);
});
