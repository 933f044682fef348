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

test('the picture raises the zone, sends an Update when a second threat appears, and the policy switched off sends none', () => {
  const on = alerts(run({}, 'batch'));
  assert.equal(on[0]?.action, 'raised', JSON.stringify(on.map((e) => e.action)));
  assert.deepEqual(on[0].change.tracks, ['1']);
  const upd = on.filter((e) => e.action === 'updated');
  assert.ok(upd.length >= 1, 'an Update');
  assert.match(upd[0].change.reason, /^update: new tracks 2/);
  assert.ok(upd[0].t > on[0].t);
  const off = alerts(run({ updates: { enabled: false } }, 'batch'));
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
  assert.equal(c.t, p.reportTime, 'stamped with the latest report, not the clock');
  assert.ok(c.t < T0 + 30);
  assert.equal(p.manualAlert('far', 'raise', T0 + 101, 'op', 'again'), null, 'already on');
  assert.equal(p.manualAlert('nowhere', 'raise', T0 + 101, 'op', 'x'), undefined);
  assert.deepEqual(alerts(events).map((e) => e.action), ['raised']);
});

function state(zone: string, tracks: string[], etaS: number | undefined, manual = false): ZoneState {
  return { zone, state: 'alert', since: 0, tracks, episodeTracks: tracks, etaS, lastHoldT: 0, manual, reason: '', suppressedUntil: -Infinity, suppressedTracks: [] };
}

test('update policy: new tracks and ETA moves beyond the limit; nothing for manual, cleared or unchanged zones', () => {
  const p = createUpdatePolicy({ etaShiftS: 120 });
  p.onChange({ t: 0, zone: 'z', state: 'alert', etaS: 300, tracks: ['1'], reason: 'raise' });
  assert.deepEqual(p.review(10, [state('z', ['1'], 290)]), [], 'the ETA counts down as said');
  assert.deepEqual(p.review(20, [state('z', ['1'], 400)]), [], 'a move of 120 s is within the limit');
  const u = p.review(30, [state('z', ['1'], 100)]);
  assert.equal(u.length, 1);
  assert.equal(u[0].reason, 'update: ETA now 100 s');
  assert.deepEqual(p.review(40, [state('z', ['1'], 90)]), [], 'measured from the last message');
  const n = p.review(50, [state('z', ['1', '7'], 80)]);
  assert.equal(n[0].reason, 'update: new tracks 7');
  assert.deepEqual(n[0].tracks, ['1', '7']);
  assert.deepEqual(p.review(60, [state('z', ['7'], 70)]), [], 'a known track');
  assert.deepEqual(p.review(60, [state('m', ['9'], 70, true)]), [], 'no episode of its own');
  p.onChange({ t: 70, zone: 'z', state: 'clear', tracks: [], reason: 'all-clear' });
  assert.deepEqual(p.review(80, [state('z', ['8'], 50)]), [], 'cleared');
  const off = createUpdatePolicy({ enabled: false });
  off.onChange({ t: 0, zone: 'z', state: 'alert', etaS: 300, tracks: ['1'], reason: 'raise' });
  assert.deepEqual(off.review(30, [state('z', ['1', '2'], 10)]), []);
  assert.throws(() => createUpdatePolicy({ etaShiftS: -1 }), /etaShiftS must be >= 0, got -1/);
});
