import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDetectionLine, parseSensorsJson } from '@skywarden/formats';
import { makeSmallScene } from './scene-small.js';

test('small preset: a handful of drones, one radar, an airliner on ADS-B', () => {
  const s = makeSmallScene({ seed: 3, annotate: true });
  const drones = s.targets.filter((t) => t.id.startsWith('D'));
  assert.ok(drones.length >= 4 && drones.length <= 6, `${drones.length} drones`);
  for (const d of drones) assert.equal(d.cls, 'piston_owa');
  const airliners = s.targets.filter((t) => t.cls === 'aircraft');
  assert.deepEqual(airliners.map((t) => t.id), ['A1']);
  assert.deepEqual(s.sensors.map((x) => [x.id, x.kind]), [['radar-1', 'radar'], ['adsb-1', 'adsb']]);
  assert.equal(s.duration, 600);
  // Every target flies in the period and the radar sees every drone.
  const inTruth = new Set(s.truth.map((r) => r.id));
  for (const t of s.targets) assert.ok(inTruth.has(t.id), `${t.id} never flies`);
  const radarSeen = new Set(s.detections.filter((d) => d.sensor === 'radar-1').map((d) => d.sim_target));
  for (const d of drones) assert.ok(radarSeen.has(d.id), `radar never sees ${d.id}`);
  // ADS-B reports the airliner only, with its ICAO address.
  const adsb = s.detections.filter((d) => d.sensor === 'adsb-1');
  assert.ok(adsb.length > 100);
  for (const d of adsb) assert.deepEqual([d.sim_target, d.target], ['A1', s.icao.A1]);
  // Rows are valid, sorted, uniquely identified; a few thousand of them.
  const parsed = parseSensorsJson(JSON.stringify({ sensors: s.sensors }));
  assert.ok(parsed.ok);
  const ids = new Set<string>();
  s.detections.forEach((row, i) => {
    const r = parseDetectionLine(JSON.stringify(row), i + 1, parsed.sensors);
    assert.ok(r && r.ok, r && !r.ok ? r.reason : 'blank');
    assert.ok(!ids.has(row.id!));
    ids.add(row.id!);
    if (i > 0) assert.ok(row.t >= s.detections[i - 1].t);
  });
  assert.ok(s.detections.length > 500 && s.detections.length < 10000, `${s.detections.length} rows`);
});

test('small preset is deterministic, varies with the seed, and takes options', () => {
  assert.deepEqual(makeSmallScene({ seed: 8 }), makeSmallScene({ seed: 8 }));
  assert.notDeepEqual(makeSmallScene({ seed: 8 }).truth, makeSmallScene({ seed: 9 }).truth);
  const counts = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) => makeSmallScene({ seed, durationS: 60 }).targets.length - 1));
  assert.ok([...counts].every((n) => n >= 4 && n <= 6) && counts.size >= 2, `drone counts ${[...counts]}`);
  const s = makeSmallScene({ seed: 8, durationS: 120, nDrones: 2, decoyShare: 0, downedShare: 0 });
  assert.equal(s.targets.length, 3);
  assert.ok(s.truth.every((r) => r.t <= s.t0 + 120));
  assert.deepEqual(s.downed, {});
  assert.throws(() => makeSmallScene({ seed: 1, durationS: -5 }), /durationS must be > 0, got -5/);
});
