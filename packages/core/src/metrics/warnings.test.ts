import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGeoArea } from '../geo/polygon.js';
import { createWarningScorer, type AlertChange } from './warnings.js';

const square = (x0: number, y0: number, s: number) => createGeoArea([{ rings: [Float64Array.from([x0, y0, x0 + s, y0, x0 + s, y0 + s, x0, y0 + s, x0, y0])] }]);

test('entries, lead times, missed warnings, false episodes and zone-hours on a hand-made case', () => {
  const zones = [
    { id: 'A', area: square(127, 37, 0.1) },
    { id: 'B', area: square(128, 37, 0.1) },
  ];
  const s = createWarningScorer(zones);
  const inside = { latDeg: 37.05, lonDeg: 127.05, altM: 0 };
  const outside = { latDeg: 36.5, lonDeg: 127.05, altM: 0 };
  for (let t = 0; t <= 600; t += 10) {
    s.addTruth(t, [
      { id: 'T1', position: t >= 100 ? inside : outside }, // enters A at 100
      { id: 'T2', position: t >= 300 ? inside : outside }, // enters A at 300
      { id: 'T3', position: t >= 520 ? { latDeg: 37.05, lonDeg: 128.05, altM: 0 } : outside }, // enters B at 520
    ]);
  }
  const alerts: AlertChange[] = [
    { t: 40, zone: 'A', state: 'alert' },
    { t: 90, zone: 'A', state: 'alert' }, // an update while on: the same episode
    { t: 200, zone: 'A', state: 'clear' }, // episode A1 40-200: T1 warned with 60 s
    { t: 310, zone: 'A', state: 'alert' }, // too late for T2 (entered at 300)
    { t: 330, zone: 'A', state: 'clear' }, // A2 310-330: nobody enters in [310, 450]: false
    { t: 50, zone: 'B', state: 'alert' },
    { t: 60, zone: 'B', state: 'clear' }, // B1 50-60: false
    { t: 450, zone: 'B', state: 'alert' },
    { t: 500, zone: 'B', state: 'clear' }, // B2 450-500: T3 enters at 520 (within 120 s after): true, but T3 not warned (alert was off)
  ];
  const r = s.result(alerts);
  assert.equal(r.entries, 3);
  assert.equal(r.warned, 1);
  assert.ok(Math.abs(r.coverage - 1 / 3) < 1e-12);
  assert.equal(r.medianLeadS, 60);
  assert.equal(r.episodes, 4);
  assert.equal(r.falseEpisodes, 2);
  assert.ok(Math.abs(r.alertZoneHours - (160 + 20 + 10 + 50) / 3600) < 1e-12);
  assert.deepEqual(
    r.perEntry.map((e) => [e.target, e.zone, e.t, e.warned]),
    [['T1', 'A', 100, true], ['T2', 'A', 300, false], ['T3', 'B', 520, false]],
  );
});

test('an alert still on at the end lasts to the last truth time', () => {
  const s = createWarningScorer([{ id: 'A', area: square(127, 37, 0.1) }]);
  for (let t = 0; t <= 100; t += 10) s.addTruth(t, [{ id: 'T', position: { latDeg: 37.05, lonDeg: 127.05, altM: 0 } }]);
  const r = s.result([{ t: -30, zone: 'A', state: 'alert' }]);
  assert.equal(r.warned, 1);
  assert.equal(r.medianLeadS, 30);
  assert.ok(Math.abs(r.alertZoneHours - 130 / 3600) < 1e-12);
  assert.equal(r.falseEpisodes, 0);
});
