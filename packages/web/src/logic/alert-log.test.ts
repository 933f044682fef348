import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertKind, alertLogRows, type LogAlert } from './alert-log.js';

const al = (t: number, zone: string, state: 'alert' | 'clear', extra: Partial<LogAlert> = {}): LogAlert => ({ t, zone, state, tracks: [], ...extra });

test('each entry typed: raise, tier change, update, clear, manual raise and end', () => {
  assert.equal(alertKind(al(1, 'a', 'alert', { reason: 'auto: track 7 enters within 300 s with P=0.8, ETA 200 s', tier: 'warning' })), 'raise');
  assert.equal(alertKind(al(2, 'a', 'alert', { reason: 'update: tier warning -> imminent, ETA 90 s', update: true, tier: 'imminent' })), 'tier_change');
  assert.equal(alertKind(al(3, 'a', 'alert', { reason: 'update: ETA now 60 s (the last message implied 200 s)', update: true, tier: 'imminent' }), 'imminent'), 'update');
  // an update whose tier differs from the zone's last entry is a tier change even without the words
  assert.equal(alertKind(al(3, 'a', 'alert', { update: true, tier: 'imminent' }), 'warning'), 'tier_change');
  assert.equal(alertKind(al(4, 'a', 'clear', { reason: 'auto: all clear, no track held the zone for 30 s (hold 30 s)' })), 'clear');
  assert.equal(alertKind(al(5, 'a', 'alert', { reason: 'manual raise by operator: drill', by: 'operator' })), 'manual_raise');
  assert.equal(alertKind(al(6, 'a', 'clear', { reason: 'manual end by operator: drill', by: 'operator' })), 'manual_end');
});

test('consecutive updates of a zone collapse into one row with a count, even with other zones between', () => {
  // newest first
  const alerts: LogAlert[] = [
    al(110, 'a', 'clear', { reason: 'auto: all clear' }),
    al(100, 'a', 'alert', { update: true, reason: 'update: ETA now 10 s', tier: 'imminent' }),
    al(95, 'b', 'alert', { reason: 'auto: track 9 inside', tier: 'imminent' }),
    al(90, 'a', 'alert', { update: true, reason: 'update: ETA now 40 s', tier: 'imminent' }),
    al(80, 'a', 'alert', { update: true, reason: 'update: ETA now 70 s', tier: 'imminent' }),
    al(70, 'a', 'alert', { update: true, reason: 'update: tier warning -> imminent', tier: 'imminent' }),
    al(60, 'a', 'alert', { update: true, reason: 'update: ETA now 250 s', tier: 'warning' }),
    al(50, 'a', 'alert', { update: true, reason: 'update: ETA now 400 s', tier: 'warning' }),
    al(40, 'a', 'alert', { reason: 'auto: track 7 enters', tier: 'warning' }),
  ];
  const rows = alertLogRows(alerts);
  assert.deepEqual(rows.map((r) => [r.kind, r.alert.zone, r.count, r.alert.t, r.firstT]), [
    ['clear', 'a', 1, 110, 110],
    ['update', 'a', 3, 100, 80],
    ['raise', 'b', 1, 95, 95],
    ['tier_change', 'a', 1, 70, 70],
    ['update', 'a', 2, 60, 50],
    ['raise', 'a', 1, 40, 40],
  ]);
  assert.equal(rows.reduce((s, r) => s + r.count, 0), alerts.length, 'every entry counted once');
});
