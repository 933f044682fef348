import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destination } from '../geo/distance.js';
import { createWarningScorer } from '../metrics/warnings.js';
import { createThreatPredictor, type ThreatZone, type TrackReportLike } from '../threat/predict.js';
import { squareArea } from '../threat/testing.js';
import type { GeoPoint } from '../types.js';
import { ALERT_DEFAULTS, createAlertMachine, type AlertTransition, type AlertThreat } from './alert-machine.js';

const T0 = 1_764_000_000;
const start: GeoPoint = { latDeg: 37.0, lonDeg: 127.0, altM: 300 };
const NORTH = 0;
const WEST = -Math.PI / 2;

/** Zones: A on the northward path (entry near 27 km), B 10 km beside it, C far away. */
const zones: ThreatZone[] = [
  { id: 'A', area: squareArea(start, 0, 30_000, 6_000), leadS: 300 },
  { id: 'B', area: squareArea(start, 10_000, 20_000, 4_000) },
  { id: 'C', area: squareArea(start, -40_000, -40_000, 5_000), leadS: 600 },
];

/** A flight: position and velocity at time t (s after T0). */
type Flight = (t: number) => { position: GeoPoint; bearing: number; speed: number };
const straightNorth: Flight = (t) => ({ position: destination(start, NORTH, 50 * t), bearing: NORTH, speed: 50 });
/** North until `turnAt`, then west (away from B). */
const turnsWest =
  (turnAt: number): Flight =>
  (t) => {
    if (t <= turnAt) return straightNorth(t);
    const corner = destination(start, NORTH, 50 * turnAt);
    return { position: destination(corner, WEST, 50 * (t - turnAt)), bearing: WEST, speed: 50 };
  };

/** Runs predictor + alert machine on reports every `dt` s from 0 to `end`; scores against the flown truth. */
function simulate(flight: Flight, end: number, dt = 2, threatProbability = 0.9) {
  const predictor = createThreatPredictor(zones);
  const machine = createAlertMachine(zones);
  const scorer = createWarningScorer(zones);
  const changes: AlertTransition[] = [];
  for (let s = 0; s <= end; s += dt) {
    const t = T0 + s;
    const f = flight(s);
    const report: TrackReportLike & { threatProbability: number } = {
      trackId: '17',
      position: f.position,
      velocityEnu: [f.speed * Math.sin(f.bearing), f.speed * Math.cos(f.bearing), 0],
      positionSd: 60,
      velocitySd: 2,
      threatProbability,
    };
    changes.push(...machine.update(t, predictor.predict(report), [{ id: '17', threatProbability }]));
    scorer.addTruth(t, [{ id: 'T1', position: f.position }]);
  }
  return { changes, machine, score: scorer.result(changes) };
}

test('simulated straight flight: the zone in the path is raised once, about its lead time before entry, and cleared after the exit', () => {
  const { changes, score, machine } = simulate(straightNorth, 1_200);
  const a = changes.filter((c) => c.zone === 'A');
  assert.deepEqual(
    a.map((c) => c.state),
    ['alert', 'clear'],
    JSON.stringify(changes),
  );
  assert.equal(changes.filter((c) => c.zone !== 'A').length, 0, 'B beside the path and C far away never raised');
  const entry = score.perEntry.find((e) => e.zone === 'A');
  assert.ok(entry && entry.warned, 'the entry is warned');
  assert.ok(Math.abs((entry.leadS as number) - 300) <= 60, `lead ${entry.leadS} s for a 300 s lead time`);
  assert.deepEqual(a[0].tracks, ['17']);
  assert.ok(a[0].etaS !== undefined && Math.abs(a[0].etaS - (entry.t - a[0].t)) < 30, `ETA ${a[0].etaS} vs ${entry.t - a[0].t}`);
  assert.match(a[0].reason, /^auto: track 17 enters within 300 s with P=/);
  // exit near 33 km (660 s); the all-clear 120 s later
  const exitT = T0 + 33_000 / 50;
  assert.ok(a[1].t - exitT >= 118 && a[1].t - exitT <= 126, `clear ${a[1].t - exitT} s after the exit`);
  assert.equal(score.coverage, 1);
  assert.equal(score.episodes, 1);
  assert.equal(score.falseEpisodes, 0);
  assert.equal(machine.state().get('A')?.state, 'clear');
  assert.deepEqual(
    machine.audit().map((e) => [e.zone, e.action, e.who]),
    [
      ['A', 'auto-raise', 'system'],
      ['A', 'auto-clear', 'system'],
    ],
  );
});

test('simulated turn away before entry: one episode, ended by the all-clear after the hold time', () => {
  const turnAt = 420; // 21 km north, 6 km short of A, heading west from then on
  const { changes, score } = simulate(turnsWest(turnAt), 1_200);
  const a = changes.filter((c) => c.zone === 'A');
  assert.deepEqual(
    a.map((c) => c.state),
    ['alert', 'clear'],
    JSON.stringify(changes),
  );
  assert.ok(a[0].t < T0 + turnAt, 'raised while inbound');
  const after = a[1].t - (T0 + turnAt);
  assert.ok(after >= ALERT_DEFAULTS.holdS && after <= ALERT_DEFAULTS.holdS + 20, `clear ${after} s after the turn`);
  assert.equal(score.entries, 0);
  assert.equal(score.episodes, 1);
  assert.equal(score.falseEpisodes, 1, 'the scorer calls it false: nobody entered');
});

/** Hand-made threats of one track to one zone. */
const threat = (zone: string, p: number, extra: Partial<AlertThreat> = {}): AlertThreat => ({
  zone,
  track: 'T',
  leadProbability: p,
  holdProbability: p,
  insideProbability: 0,
  etaS: 250,
  ...extra,
});

test('no flapping: a probability hovering around the raise threshold gives one episode; the hold timer restarts on any hold', () => {
  const m = createAlertMachine([{ id: 'Z' }]);
  const changes: AlertTransition[] = [];
  const wobble = [0.48, 0.51, 0.46, 0.53, 0.49, 0.18, 0.55, 0.16, 0.5, 0.22];
  let t = T0;
  for (let i = 0; i < 120; i++, t += 5) changes.push(...m.update(t, [threat('Z', wobble[i % wobble.length])], [{ id: 'T', threatProbability: 0.9 }]));
  assert.equal(changes.length, 1, JSON.stringify(changes));
  assert.equal(changes[0].state, 'alert');
  assert.equal(changes[0].t, T0 + 5, 'raised at the first P >= 0.5');
  // below the hold threshold for 100 s, one hold, then quiet
  for (let i = 0; i < 20; i++, t += 5) changes.push(...m.update(t, [threat('Z', 0.1)], [{ id: 'T', threatProbability: 0.9 }]));
  const lastHold = t;
  changes.push(...m.update(t, [threat('Z', 0.16)], [{ id: 'T', threatProbability: 0.9 }]));
  t += 5;
  for (let i = 0; i < 60; i++, t += 5) changes.push(...m.update(t, [threat('Z', 0.05)], [{ id: 'T', threatProbability: 0.9 }]));
  assert.deepEqual(
    changes.map((c) => c.state),
    ['alert', 'clear'],
  );
  assert.equal(changes[1].t, lastHold + ALERT_DEFAULTS.holdS);
  assert.match(changes[1].reason, /all clear/);
});

test('a zone beside the path, and a track that is not a threat, are never raised; a raised track holds at a lower threat probability', () => {
  const m = createAlertMachine([{ id: 'side' }, { id: 'path' }]);
  const changes: AlertTransition[] = [];
  let t = T0;
  for (let i = 0; i < 100; i++, t += 5) {
    changes.push(
      ...m.update(
        t,
        [threat('side', 0.2, { track: 'D' }), threat('path', 0.9, { track: 'bird', insideProbability: 0.9 })],
        [
          { id: 'D', threatProbability: 0.95 },
          { id: 'bird', threatProbability: 0.3 },
        ],
      ),
    );
  }
  assert.equal(changes.length, 0, JSON.stringify(changes));
  // the threat probability's own hysteresis: raise at 0.8, hold at 0.3, clear at 0.1
  const seq = [0.8, 0.3, 0.3, 0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
  for (const p of seq) {
    changes.push(...m.update(t, [threat('path', 0.9, { track: 'bird' })], [{ id: 'bird', threatProbability: p }]));
    t += 30;
  }
  assert.deepEqual(
    changes.map((c) => [c.zone, c.state, c.t - T0]),
    [
      ['path', 'alert', 500],
      ['path', 'clear', 500 + 8 * 30], // last hold at 620 (p = 0.3), all clear 120 s later
    ],
  );
});

test('inside now raises at once; a track unknown to the track list counts as a threat', () => {
  const m = createAlertMachine([{ id: 'Z' }]);
  const c = m.update(T0, [threat('Z', 0, { insideProbability: 0.6, etaS: 0, track: 'X' })]);
  assert.equal(c.length, 1);
  assert.equal(c[0].etaS, 0);
  assert.match(c[0].reason, /track X inside with P=0.60/);
});

test('manual raise and end: audited, latched, and the end suppresses re-raise by known tracks only', () => {
  const m = createAlertMachine([{ id: 'Z' }, { id: 'Y' }], { manualSuppressS: 600 });
  const tracks = [
    { id: 'T', threatProbability: 0.9 },
    { id: 'U', threatProbability: 0.9 },
  ];
  // an operator raises Y by hand; with no track at all it stays on past the hold time
  const up = m.manualRaise('Y', T0, 'op-kim', 'observer report, drone heard over the river');
  assert.deepEqual(up, { t: T0, zone: 'Y', state: 'alert', tier: 'imminent', tracks: [], reason: 'manual raise by op-kim: observer report, drone heard over the river', manual: true, who: 'op-kim' });
  assert.deepEqual(m.update(T0 + 500, [], tracks), []);
  assert.equal(m.state().get('Y')?.manual, true);
  assert.equal(m.manualRaise('Y', T0 + 501, 'op-lee', 'still on'), null, 'already on');
  const down = m.manualEnd('Y', T0 + 510, 'op-kim', 'observer withdrew the report');
  assert.equal(down?.state, 'clear');
  assert.equal(down?.who, 'op-kim');

  // Z raised automatically by T; the operator ends it as a false alarm
  assert.equal(m.update(T0 + 520, [threat('Z', 0.6)], tracks).length, 1);
  assert.equal(m.manualEnd('Z', T0 + 530, 'op-lee', 'T is a known friendly test flight')?.state, 'clear');
  // T keeps threatening: suppressed (logged once), no change
  for (let t = T0 + 535; t < T0 + 700; t += 5) assert.deepEqual(m.update(t, [threat('Z', 0.7)], tracks), []);
  // a new track U raises it at once
  const byNew = m.update(T0 + 700, [threat('Z', 0.7), threat('Z', 0.5, { track: 'U', etaS: 200 })], tracks);
  assert.equal(byNew.length, 1);
  assert.deepEqual(byNew[0].tracks, ['U']);
  assert.match(byNew[0].reason, /new track during a manual suppression/);
  // ended again; after the suppression time T alone raises it again
  m.manualEnd('Z', T0 + 710, 'op-lee', 'U lost, was a bird');
  assert.deepEqual(m.update(T0 + 1_300, [threat('Z', 0.7)], tracks), []);
  assert.equal(m.update(T0 + 1_310, [threat('Z', 0.7)], tracks)[0]?.state, 'alert');

  const log = m.audit();
  assert.deepEqual(
    log.map((e) => [e.t - T0, e.zone, e.who, e.action, e.state]),
    [
      [0, 'Y', 'op-kim', 'manual-raise', 'alert'],
      [501, 'Y', 'op-lee', 'manual-raise', 'alert'],
      [510, 'Y', 'op-kim', 'manual-end', 'clear'],
      [520, 'Z', 'system', 'auto-raise', 'alert'],
      [530, 'Z', 'op-lee', 'manual-end', 'clear'],
      [535, 'Z', 'system', 'auto-raise-suppressed', 'clear'],
      [700, 'Z', 'system', 'auto-raise', 'alert'],
      [710, 'Z', 'op-lee', 'manual-end', 'clear'],
      [1_300, 'Z', 'system', 'auto-raise-suppressed', 'clear'],
      [1_310, 'Z', 'system', 'auto-raise', 'alert'],
    ],
  );
  assert.equal(log[0].reason, 'observer report, drone heard over the river');
  assert.match(log[1].reason, /already on/);
  assert.deepEqual(log[4].tracks, ['T'], 'the end records the tracks it suppresses');
  // the log is a copy
  log[0].who = 'someone else';
  assert.equal(m.audit()[0].who, 'op-kim');
});

test('deterministic: the same calls give the same changes, states and audit', () => {
  const run = () => {
    const r = simulate(turnsWest(420), 900, 3);
    return { changes: r.changes, audit: r.machine.audit(), state: Array.from(r.machine.state()) };
  };
  assert.deepEqual(run(), run());
});

test('raise rules under a strict policy: sure within the lead, urgent within imminentS, or an imprecise track', () => {
  const strict = { pRaise: 0.7, pRaiseImminent: 0.3, pRaiseImprecise: 0.3, impreciseSd: 500 };
  // P(lead) 0.5 from a precise track, nobody within 180 s: waits (the default policy raises)
  const m = createAlertMachine([{ id: 'Z' }], strict);
  const precise = [{ id: 'T', threatProbability: 0.9, positionSd: 250 }];
  assert.deepEqual(m.update(T0, [threat('Z', 0.5, { imminentProbability: 0 })], precise), []);
  assert.equal(createAlertMachine([{ id: 'Z' }]).update(T0, [threat('Z', 0.5, { imminentProbability: 0 })], precise).length, 1, 'the default policy raises at 0.5');
  // time runs out: P(within 180 s) 0.35 raises, and the reason names the urgent window
  const c = m.update(T0 + 5, [threat('Z', 0.5, { imminentProbability: 0.35, etaS: 170 })], precise);
  assert.equal(c.length, 1);
  assert.match(c[0].reason, /^auto: track T enters within 180 s with P=0.35, ETA 170 s$/);
  // sure within the lead: raises with the lead window in the reason
  const m2 = createAlertMachine([{ id: 'Z' }], strict);
  assert.match(m2.update(T0, [threat('Z', 0.75, { imminentProbability: 0 })], precise)[0].reason, /enters within 300 s with P=0.75, ETA 250 s$/);
  // an imprecise track (one-sigma 1.2 km): waiting would not sharpen it, so it raises at 0.3
  const m3 = createAlertMachine([{ id: 'Z' }], strict);
  const loose = [{ id: 'T', threatProbability: 0.9, positionSd: 1200 }];
  const c3 = m3.update(T0, [threat('Z', 0.4, { imminentProbability: 0 })], loose);
  assert.equal(c3.length, 1);
  assert.match(c3[0].reason, /P=0.40 \(an imprecise track\), ETA 250 s$/);
  // a track given without a one-sigma is precise; a threat without imminentProbability has no urgent raise
  const m4 = createAlertMachine([{ id: 'Z' }], strict);
  assert.deepEqual(m4.update(T0, [threat('Z', 0.4, { imminentProbability: 0 })], [{ id: 'T', threatProbability: 0.9 }]), []);
  assert.deepEqual(m4.update(T0 + 5, [threat('Z', 0.4)], [{ id: 'T', threatProbability: 0.9 }]), []);
  assert.equal(m4.update(T0 + 10, [threat('Z', 0.4, { imminentProbability: 0.3 })], [{ id: 'T', threatProbability: 0.9 }]).length, 1);
});

test('programmer errors are refused with the value', () => {
  const m = createAlertMachine([{ id: 'Z' }]);
  m.update(T0 + 10, []);
  assert.throws(() => m.update(T0, []), /time 1764000000 is before the previous call's 1764000010/);
  assert.throws(() => m.update(T0 + 20, [threat('Q', 0.5)]), /unknown zone "Q"/);
  assert.throws(() => m.manualRaise('Z', T0 + 30, ' ', 'why'), /needs who/);
  assert.throws(() => m.manualEnd('Z', T0 + 30, 'op', ''), /needs a reason/);
  assert.throws(() => createAlertMachine([{ id: 'Z' }], { pHold: 0.6 }), /pHold \(0.6\) must not exceed pRaise \(0.5\)/);
  assert.throws(() => createAlertMachine([{ id: 'Z' }], { pRaiseImminent: 0.1 }), /pHold \(0.15\) must not exceed pRaiseImminent \(0.1\)/);
  assert.throws(() => createAlertMachine([{ id: 'Z' }], { pRaiseImprecise: 0.1 }), /pHold \(0.15\) must not exceed pRaiseImprecise \(0.1\)/);
  assert.throws(() => createAlertMachine([{ id: 'Z' }], { impreciseSd: -5 }), /impreciseSd must be >= 0, got -5/);
  assert.throws(() => createAlertMachine([{ id: 'Z' }, { id: 'Z' }]), /repeated zone id "Z"/);
  assert.throws(() => createAlertMachine([{ id: 'Z' }], { holdS: -1 }), /holdS must be >= 0, got -1/);
});

test('tiers: watch before the raise, warning, imminent within 180 s with hysteresis and a hold, kept after the pass, none after the all-clear', () => {
  const th = (etaS: number, lead: number, hold: number, far: number, inside = 0): AlertThreat => ({
    zone: 'Z', track: '1', etaS, leadProbability: lead, holdProbability: hold, insideProbability: inside, probability: far,
  });
  const m = createAlertMachine([{ id: 'Z', leadS: 600 }]);
  const tiers: string[] = [];
  const at = (t: number, threats: AlertThreat[]) => {
    const c = m.update(T0 + t, threats, [{ id: '1', threatProbability: 0.9 }]);
    const s = m.state().get('Z')!;
    tiers.push(s.tier);
    return { c, s };
  };
  assert.equal(at(0, []).s.tier, 'none');
  const w = at(10, [th(800, 0.05, 0.1, 0.4)]);
  assert.equal(w.s.tier, 'watch', 'may enter within the horizon, not within the lead time');
  assert.deepEqual(w.s.watchTracks, ['1']);
  assert.equal(w.c.length, 0, 'watch is not an alert');
  const r = at(20, [th(500, 0.6, 0.7, 0.8)]);
  assert.equal(r.c[0].state, 'alert');
  assert.equal(r.c[0].tier, 'warning', 'the raise carries its tier');
  assert.equal(at(30, [th(170, 0.9, 0.9, 0.9)]).s.tier, 'imminent');
  assert.equal(at(40, [th(230, 0.9, 0.9, 0.9)]).s.tier, 'imminent', 'within 180 + 60 s: stays imminent');
  assert.equal(at(50, [th(260, 0.9, 0.9, 0.9)]).s.tier, 'imminent', 'beyond the hysteresis, but a track was near 20 s ago: held');
  assert.equal(at(160, [th(260, 0.9, 0.9, 0.9)]).s.tier, 'warning', 'beyond the hysteresis and 130 s since a near track: steps down');
  assert.equal(at(170, [th(0, 0.9, 0.9, 0.9, 1)]).s.tier, 'imminent', 'inside');
  assert.equal(at(180, []).s.tier, 'imminent', 'passed: the tier stays while the all-clear is pending');
  const clear = at(300, []);
  assert.equal(clear.c[0].state, 'clear');
  assert.equal(clear.s.tier, 'none');
  assert.equal(clear.c[0].tier, 'none');
  assert.equal(clear.s.tierSince, T0 + 300);
  assert.deepEqual(tiers, ['none', 'watch', 'warning', 'imminent', 'imminent', 'imminent', 'warning', 'imminent', 'imminent', 'none']);
  const low = createAlertMachine([{ id: 'Z' }]);
  low.update(T0, [th(800, 0.05, 0.1, 0.4)], [{ id: '1', threatProbability: 0.1 }]);
  assert.equal(low.state().get('Z')!.tier, 'none', 'a track unlikely to be a threat puts nothing on watch');
  const manual = createAlertMachine([{ id: 'Z' }]);
  assert.equal(manual.manualRaise('Z', T0, 'op', 'drill')!.tier, 'imminent', 'an operator raise is imminent');
  assert.throws(() => createAlertMachine([{ id: 'Z' }], { pWatch: 2 }), /pWatch must be in \[0, 1\], got 2/);
});
