import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SensorWire, TrackWire } from '@skywarden/formats';
import { canAct, mergeAlerts, sensorCounts, sensorRows, trackListRows } from './lists.js';
import { clockUtc, formatAge, formatEta } from './format.js';
import { createDetectionBuffer } from './detection-buffer.js';

const tr = (track: string, threat: number, label = 'aircraft'): TrackWire => ({
  t: 0, track, lat: 0, lon: 0, ve_mps: 0, vn_mps: 0, pos_sd_m: 1, status: 'confirmed', class: {}, label, threat,
  affiliation: threat >= 0.5 ? 'hostile' : 'unknown', speed_mps: 0, course_deg: 0, sensors: [],
});

test('the track list puts threats first, filters and caps', () => {
  const tracks = [tr('B', 0.1), tr('A', 0.9, 'jet_owa'), tr('C', 0.1), tr('D', 0.6)];
  const r = trackListRows(tracks, '', 3);
  assert.deepEqual(r.rows.map((t) => t.track), ['A', 'D', 'B']);
  assert.equal(r.matched, 4);
  assert.deepEqual(trackListRows(tracks, 'JET', 10).rows.map((t) => t.track), ['A']);
  assert.deepEqual(trackListRows(tracks, 'hostile', 10).rows.map((t) => t.track), ['A', 'D']);
});

test('alerts merge newest first without duplicates', () => {
  const a1 = { t: 1, zone: 'z', state: 'alert' as const, tracks: ['T'] };
  const a2 = { t: 2, zone: 'z', state: 'clear' as const, tracks: [] };
  const m = mergeAlerts([a1], [a2, a1]);
  assert.deepEqual(m.map((a) => a.t), [2, 1]);
  assert.equal(mergeAlerts(m, [{ t: 3, zone: 'y', state: 'alert', tracks: [] }], 2).length, 2);
});

test('sensor rows list the unhealthy first; counts by status', () => {
  const s = (id: string, status: SensorWire['status']): SensorWire => ({ id, kind: 'rf', status, rate_per_min: 0, accepted: 0, rejected: 0 });
  const list = [s('a', 'ok'), s('b', 'silent'), s('c', 'ok'), s('d', 'stuck')];
  assert.deepEqual(sensorRows(list, 3).map((x) => x.id), ['b', 'd', 'a']);
  assert.deepEqual(sensorCounts(list), { ok: 2, silent: 1, stuck: 1, implausible: 0, never_seen: 0, offline: 0 });
});

test('only operators and admins act', () => {
  assert.equal(canAct('viewer'), false);
  assert.equal(canAct('operator'), true);
  assert.equal(canAct('admin'), true);
  assert.equal(canAct(undefined), false);
});

test('formatting of times and ETAs', () => {
  assert.equal(clockUtc(3600 + 61), '01:01:01');
  assert.equal(formatEta(0), 'now');
  assert.equal(formatEta(45.2), '45 s');
  assert.equal(formatEta(185), '3 min 05 s');
  assert.equal(formatEta(undefined), '');
  assert.equal(formatAge(90, 100), '10 s ago');
  assert.equal(formatAge(undefined, 100), 'never');
});

test('the detection buffer expires by age and caps the count', () => {
  const b = createDetectionBuffer({ maxAgeS: 5, maxCount: 3 });
  const d = (t: number) => ({ t, sensor: 's', type: 'presence' as const, id: String(t) });
  b.add([d(1), d(2), d(3), d(4)]);
  assert.deepEqual(b.all().map((x) => x.t), [2, 3, 4]);
  b.expire(8);
  assert.deepEqual(b.all().map((x) => x.t), [3, 4]);
  assert.equal(b.latestT(), 4);
});
