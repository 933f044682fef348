import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destination } from '../geo/distance.js';
import { squareArea } from '../threat/testing.js';
import type { Detection, GeoPoint } from '../types.js';
import { createPicture, type PictureOptions } from './picture.js';
import type { AlertEvent, PictureEvent } from './events.js';
import { createUpdatePolicy } from './update-policy.js';
import type { ZoneState } from '../alerts/alert-machine.js';

const origin: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 0 };
const T0 = 1_764_000_000;
const HOSTILE = { piston_owa: 0.9, aircraft: 0.02 };

/** Position plots of a target flying from (east, north) on `bearing` at `speed`, one a second from t0 to t1. */
function flight(id: string, east: number, north: number, bearing: number, speed: number, t0: number, t1: number): Detection[] {
  const start = destination(destination(origin, 0, north), Math.PI / 2, east);
  const out: Detection[] = [];
  for (let t = t0; t <= t1; t++) {
    const p = destination(start, bearing, speed * (t - t0));
    out.push({ type: 'position', t: T0 + t, sensorId: `radar-${id}`, id: `${id}-${t}`, position: { ...p, altM: 300 }, hasAltitude: true, posSd: 40, altSd: 30, classHint: HOSTILE });
  }
  return out;
}

/** Two drones for one zone 6 km north: the second shows up 60 s after the first. */
function scene(): Detection[] {
  return [...flight('a', 0, 0, 0, 50, 0, 240), ...flight('b', 3000, 500, -0.3, 50, 60, 240)].sort((x, y) => x.t - y.t);
}

const zones = [{ id: 'north', area: squareArea(origin, 0, 6000, 2000), leadS: 300 }];

function run(opts: Partial<PictureOptions>, drive: 'batch' | 'live', dets = scene()): PictureEvent[] {
  const events: PictureEvent[] = [];
  const p = createPicture({ anchor: origin, zones, reorderDelay: 2, ...opts }, (e) => events.push(e));
  for (const d of dets) {
    assert.equal(p.push(d), null);
    if (drive === 'live') p.advanceTo(d.t + 0.5); // the clock runs half a second ahead of the detections
  }
  if (drive === 'batch') p.finish();
  else p.advanceTo(dets[dets.length - 1].t + 2);
  return events;
}

const alerts = (events: PictureEvent[]) => events.filter((e): e is AlertEvent => e.type === 'alert');

test('the picture raises the zone at WARNING, sends an Update when it becomes IMMINENT, and the policy switched off sends none', () => {
  // one drone northward at 50 m/s; the zone 13-17 km north: raised with an ETA near 260 s (a 2 km zone would reach P 0.5 only within 180 s)
  const far = [{ id: 'far-north', area: squareArea(origin, 0, 15000, 4000), leadS: 300 }];
  const dets = flight('a', 0, 0, 0, 50, 0, 240);
  const on = alerts(run({ zones: far }, 'batch', dets));
  assert.equal(on[0]?.action, 'raised', JSON.stringify(on.map((e) => e.action)));
  assert.equal(on[0].change.tier, 'warning');
  assert.ok((on[0].change.etaS ?? 0) > 180, `raised with ETA ${on[0].change.etaS}`);
  const upd = on.filter((e) => e.action === 'updated');
  assert.equal(upd.length, 1, JSON.stringify(upd.map((e) => e.change.reason)));
  assert.match(upd[0].change.reason, /^update: tier warning -> imminent, ETA (1[0-7]\d|180) s$/);
  assert.equal(upd[0].change.tier, 'imminent');
  const off = alerts(run({ zones: far, updates: { enabled: false } }, 'batch', dets));
  assert.equal(off.filter((e) => e.action === 'updated').length, 0);
  assert.deepEqual(off.map((e) => [e.action, e.t]), on.filter((e) => e.action !== 'updated').map((e) => [e.action, e.t]), 'the raises and clears do not depend on the policy');
});

test('driven in one batch or by a clock, the picture gives the same reports and alerts', () => {
  const strip = (events: PictureEvent[]) => events.filter((e) => e.type !== 'tracker').map((e) => JSON.stringify(e, (_k, v) => (v instanceof Map ? [...v] : v)));
  const batch = strip(run({}, 'batch'));
  const live = strip(run({}, 'live'));
  // the live run stops at the clock's last step; the batch one reports the end too
  assert.ok(batch.length > 200);
  assert.deepEqual(live, batch.slice(0, live.length));
  assert.ok(live.length >= batch.length - 5, `${live.length} of ${batch.length} events`);
});

test("an operator's dismissal keeps a track from raising; a threat label makes one raise", () => {
  const dets = flight('a', 0, 0, 0, 50, 0, 200).map((d) => ({ ...d, classHint: { aircraft: 0.95 } }));
  const events: PictureEvent[] = [];
  const p = createPicture({ anchor: origin, zones, reorderDelay: 0 }, (e) => events.push(e));
  let marked = false;
  for (const d of dets) {
    p.push(d);
    const id = p.tracker?.tracks().find((x) => x.status === 'confirmed')?.id;
    if (!marked && id !== undefined) {
      assert.deepEqual(p.mark(id, { label: 'piston_owa', by: 'op' }, d.t), { label: 'piston_owa', by: 'op' });
      marked = true;
    }
  }
  p.finish();
  assert.ok(marked);
  assert.ok(events.some((e) => e.type === 'override'));
  assert.equal(alerts(events)[0]?.action, 'raised', 'the labelled aircraft raises the zone');
  assert.equal(p.mark('no-such-track', { dismissed: true }, T0), null);

  // the same hostile drone dismissed at once: no alert
  const ev2: PictureEvent[] = [];
  const q = createPicture({ anchor: origin, zones, reorderDelay: 0 }, (e) => ev2.push(e));
  let dismissed = false;
  for (const d of flight('a', 0, 0, 0, 50, 0, 200)) {
    q.push(d);
    // an operator acts live: the clock runs with the detections (without one the first few are gathered first)
    q.advanceTo(d.t);
    const id = q.tracker?.tracks()[0]?.id;
    if (!dismissed && id !== undefined) dismissed = q.mark(id, { dismissed: true }, d.t) !== null;
  }
  q.finish();
  assert.ok(dismissed);
  assert.equal(alerts(ev2).length, 0);
});

test('manual alerts are stamped with the picture time; an unknown zone is undefined; no anchor is a reason', () => {
  const events: PictureEvent[] = [];
  const far = { id: 'far', area: squareArea(origin, 50000, 0, 2000), leadS: 300 };
  const p = createPicture({ zones: [far], reorderDelay: 5 }, (e) => events.push(e));
  assert.equal(p.tracker, null);
  const noPoint: Detection = { type: 'bearing', t: T0, sensorId: 'x', bearing: 1, bearingSd: 0.01, elevationSd: 0.01 } as Detection;
  assert.match(p.push(noPoint) ?? '', /no sensor position known to anchor/);
  for (const d of flight('a', 0, 0, 0, 50, 0, 30)) assert.equal(p.push(d), null);
  assert.ok(p.tracker);
  const c = p.manualAlert('far', 'raise', T0 + 100, 'op', 'drill');
  assert.ok(c && c.manual);
  assert.equal(c.t, Math.max(p.reportTime, T0 + 30 - 5), 'stamped with the picture time (its latest detection less the delay), not the clock');
  assert.ok(c.t < T0 + 30);
  assert.equal(p.manualAlert('far', 'raise', T0 + 101, 'op', 'again'), null, 'already on');
  assert.equal(p.manualAlert('nowhere', 'raise', T0 + 101, 'op', 'x'), undefined);
  assert.deepEqual(alerts(events).map((e) => e.action), ['raised']);
});

test('manual alerts in a quiet picture are stamped with the time it was advanced to less the delay, not its last report; the automatic updates after them go on', () => {
  const events: PictureEvent[] = [];
  const far = { id: 'far', area: squareArea(origin, 50000, 0, 2000), leadS: 300 };
  const near = { id: 'near', area: squareArea(origin, 0, 6000, 2000), leadS: 300 };
  const p = createPicture({ zones: [far, near], reorderDelay: 5 }, (e) => events.push(e));
  for (const d of flight('a', 0, 0, Math.PI, 50, 0, 30)) p.push(d); // flying away from both zones
  // no detection for minutes: the clock advances the picture, its track ends, no report is made
  for (let t = 31; t <= 400; t++) p.advanceTo(T0 + t);
  const before = p.reportTime;
  assert.ok(before < T0 + 100, `the last report is old: ${before - T0}`);
  const raised = p.manualAlert('far', 'raise', T0 + 400, 'op', 'drill');
  assert.equal(raised?.t, T0 + 395, 'the raise at the picture time');
  for (let t = 401; t <= 480; t++) p.advanceTo(T0 + t);
  const ended = p.manualAlert('far', 'end', T0 + 480, 'op', 'drill over');
  assert.equal(ended?.t, T0 + 475, 'the end 80 s later, not at the same stale time');
  // a new drone later: its reports and the automatic alerts follow (the machine's time moved on, never back)
  for (const d of flight('b', 0, 0, 0, 50, 500, 700)) {
    p.push(d);
    p.advanceTo(d.t);
  }
  p.finish();
  const changes = alerts(events);
  assert.deepEqual(changes.slice(0, 2).map((e) => [e.change.zone, e.action, e.t - T0]), [['far', 'raised', 395], ['far', 'cleared', 475]]);
  assert.ok(changes.some((e) => e.change.zone === 'near' && e.action === 'raised' && e.t > T0 + 500), 'the new drone raises the zone ahead of it');
});

test('a manual alert after a detection ahead of the clock is stamped with the time the picture moved to, so the reports after it never run behind the alert machine', () => {
  const events: PictureEvent[] = [];
  const far = { id: 'far', area: squareArea(origin, 50000, 0, 2000), leadS: 300 };
  const p = createPicture({ zones: [far], reorderDelay: 5 }, (e) => events.push(e));
  const dets = flight('a', 0, 0, Math.PI, 50, 0, 60);
  for (const d of dets.slice(0, 31)) {
    p.push(d);
    p.advanceTo(d.t);
  }
  // a sensor 20 s ahead of the clock: the picture moves at most the clock's lead with it
  assert.equal(p.push({ ...dets[50]!, id: 'ahead' }), null);
  const c = p.manualAlert('far', 'raise', T0 + 30, 'op', 'drill');
  assert.ok(c);
  assert.ok(c.t <= T0 + 30 + 1 - 5, `stamped ${c.t - T0}: not the early sensor's time`);
  // the clock goes on: every automatic update comes after the stamp (the machine would throw otherwise)
  assert.doesNotThrow(() => {
    for (const d of dets.slice(31)) {
      p.push(d);
      p.advanceTo(d.t);
    }
    p.finish();
  });
});

function state(zone: string, tracks: string[], etaS: number | undefined, manual = false, tier: ZoneState['tier'] = 'warning'): ZoneState {
  return { zone, state: 'alert', since: 0, tracks, episodeTracks: tracks, etaS, lastHoldT: 0, manual, reason: '', tier, tierSince: 0, watchTracks: [], suppressedUntil: -Infinity, suppressedTracks: [] };
}

test('update policy: a rise of the tier at once; a fall or an ETA move at most once a minute; new tracks alone never', () => {
  const p = createUpdatePolicy({ etaShiftS: 120, minIntervalS: 60 });
  p.onChange({ t: 0, zone: 'z', state: 'alert', tier: 'warning', etaS: 500, tracks: ['1'], reason: 'raise' });
  assert.deepEqual(p.review(10, [state('z', ['1'], 490)]), [], 'the ETA counts down as said');
  assert.deepEqual(p.review(20, [state('z', ['1', '7'], 480)]), [], 'a new track alone is no reason');
  assert.deepEqual(p.review(30, [state('z', ['1'], 300)]), [], 'a move of 170 s, but within a minute of the raise');
  const moved = p.review(60, [state('z', ['1'], 300)]);
  assert.equal(moved.length, 1, 'the same move once the minute has passed');
  assert.equal(moved[0].reason, 'update: ETA now 300 s (the last message implied 440 s)');
  assert.equal(moved[0].tier, 'warning');
  const rose = p.review(65, [state('z', ['1', '7'], 150, false, 'imminent')]);
  assert.equal(rose.length, 1, 'a rise of the tier goes out at once, 5 s after the last message');
  assert.equal(rose[0].reason, 'update: tier warning -> imminent, ETA 150 s');
  assert.deepEqual(rose[0].tracks, ['1', '7']);
  assert.deepEqual(p.review(80, [state('z', ['1'], 400, false, 'warning')]), [], 'a fall waits for the minute');
  const fell = p.review(125, [state('z', ['1'], 400, false, 'warning')]);
  assert.equal(fell[0].reason, 'update: tier imminent -> warning, ETA 400 s');
  assert.deepEqual(p.review(126, [state('m', ['9'], 70, true)]), [], 'no episode of its own');
  assert.equal(p.review(127, [state('z', ['1'], 150, false, 'imminent')]).length, 1, 'rises again');
  assert.deepEqual(p.review(129, [state('z', ['1'], 0, false, 'imminent')]), [], 'at imminent an ETA move is no news');
  assert.deepEqual(p.review(129.5, [state('z', ['1'], 400, false, 'warning')]), [], 'a fall within the minute waits');
  assert.equal(p.review(190, [state('z', ['1'], 400, false, 'warning')])[0]?.tier, 'warning', 'the fall, a minute after the rise');
  assert.deepEqual(p.review(200, [state('z', ['1'], 100, true, 'warning')]), [], 'manual: no automatic Updates');
  const latched = p.review(201, [state('z', ['1'], 400, true, 'imminent')]);
  assert.equal(latched.length, 1, 'but an operator latching the zone raises its tier: announced');
  assert.equal(latched[0].tier, 'imminent');
  p.onChange({ t: 250, zone: 'z', state: 'clear', tracks: [], reason: 'all-clear' });
  assert.deepEqual(p.review(300, [state('z', ['8'], 50, false, 'imminent')]), [], 'cleared');
  const off = createUpdatePolicy({ enabled: false });
  off.onChange({ t: 0, zone: 'z', state: 'alert', etaS: 300, tracks: ['1'], reason: 'raise' });
  assert.deepEqual(off.review(100, [state('z', ['1', '2'], 10, false, 'imminent')]), []);
  assert.throws(() => createUpdatePolicy({ etaShiftS: -1 }), /etaShiftS must be >= 0, got -1/);
  assert.throws(() => createUpdatePolicy({ minIntervalS: NaN }), /minIntervalS must be >= 0, got NaN/);
});
