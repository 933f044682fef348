import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { horizontalDistance } from '@skywarden/core';
import { openSkyClassForPath, parseOpenSkyStates } from './opensky.js';
import { sampledTrajectory } from './trajectory-sampled.js';

const FT = 0.3048;

/** A state vector as the traffic library exports them. */
function row(icao24: string | null, s: number, lat: number | null, lon: number | null, alt: number | null, geo: number | null, callsign: string | null = null) {
  return { timestamp: 1558612200000 + s * 1000, icao24, latitude: lat, longitude: lon, altitude: alt, geoaltitude: geo, callsign, groundspeed: 100, track: 90, vertical_rate: 0 };
}

test('parseOpenSkyStates: groups by icao24, converts feet, skips bad rows, splits long gaps', () => {
  const json = [
    row('abc123', 0, 47.0, 9.0, 1000, 1100, 'REGA1   '),
    row('def456', 0, 46.0, 8.0, 2000, null, null),
    row('abc123', 1, 47.001, 9.0, 1010, 1110, 'REGA1'),
    row('abc123', 1, 47.5, 9.5, 9999, 9999, 'REGA1'), // repeated time: dropped
    row('abc123', 2, null, 9.0, 1020, 1120), // no latitude: skipped
    row('abc123', 3, 47.003, 9.0, 1030, null), // no geoaltitude, which this aircraft uses: skipped
    row('abc123', 4, 47.004, 9.0, 1040, 1140),
    row('def456', 1, 46.001, 8.0, 2010, null, 'HB-ZXY'),
    row('def456', 200, 46.1, 8.1, 2500, null), // 199 s gap: a second flight
    row('def456', 205, 46.101, 8.1, 2500, null),
    row('def456', 400, 46.2, 8.2, 2500, null), // a lone fix: dropped (fewer than 2)
    row(null, 5, 47.0, 9.0, 1000, 1000), // no icao24
    row('abc123', 6, 95, 9.0, 1000, 1000), // latitude out of range
    // Stale positions: repeated until a new one is decoded; last_position dates the position.
    { ...row('fff000', 0, 45.0, 7.0, 3000, null), last_position: 1558612199500 },
    { ...row('fff000', 1, 45.0, 7.0, 3000, null), last_position: 1558612199500 },
    { ...row('fff000', 2, 45.01, 7.0, 3000, null), last_position: 1558612201800 },
    row('fff000', 3, 45.01, 7.0, 3000, null), // the same position again, undated: a repeat
    row('fff000', 4, 45.02, 7.0, 3000, null),
    'not a row',
    null,
    [1, 2, 3],
  ];
  const flights = parseOpenSkyStates(json, { cls: 'helicopter' });
  assert.deepEqual(
    flights.map((f) => [f.id, f.icao24, f.callsign, f.samples.length, f.cls]),
    [
      ['abc123', 'abc123', 'REGA1', 3, 'helicopter'],
      ['def456-1', 'def456', 'HB-ZXY', 2, 'helicopter'],
      ['def456-2', 'def456', null, 2, 'helicopter'],
      ['fff000', 'fff000', null, 3, 'helicopter'],
    ],
  );
  assert.deepEqual(flights[3].samples.map((f) => f.t), [1558612199.5, 1558612201.8, 1558612204]);
  const abc = flights[0].samples;
  assert.deepEqual(abc.map((f) => f.t), [1558612200, 1558612201, 1558612204]);
  // abc123 has geoaltitude on most rows: that is used, in metres.
  assert.deepEqual(abc.map((f) => f.position.altM), [1100 * FT, 1110 * FT, 1140 * FT]);
  assert.deepEqual(abc[0].position, { latDeg: 47.0, lonDeg: 9.0, altM: 1100 * FT });
  // def456 has none: barometric altitude.
  assert.equal(flights[1].samples[0].position.altM, 2000 * FT);
  // Forced barometric for abc123 keeps the row without geoaltitude.
  const baro = parseOpenSkyStates(json, { altitude: 'baro' });
  assert.deepEqual(baro[0].samples.map((f) => f.position.altM), [1000 * FT, 1010 * FT, 1030 * FT, 1040 * FT]);
  assert.equal(baro[0].cls, 'aircraft');
  // A longer maxGap joins def456's flights (the lone fix at +400 s included).
  assert.deepEqual(parseOpenSkyStates(json, { maxGap: 300 }).map((f) => [f.id, f.samples.length]), [['abc123', 3], ['def456', 5], ['fff000', 3]]);
  assert.deepEqual(parseOpenSkyStates(json, { minSamples: 1 }).map((f) => f.id), ['abc123', 'def456-1', 'def456-2', 'def456-3', 'fff000']);
  // Out-of-order rows are sorted in.
  const reversed = parseOpenSkyStates([...json].reverse(), { cls: 'helicopter' });
  assert.deepEqual(reversed.find((f) => f.id === 'abc123')!.samples.map((f) => f.t), [1558612200, 1558612201, 1558612204]);
  // The flights drive sampled trajectories.
  const tr = sampledTrajectory(flights[0]);
  assert.equal(tr.target.cls, 'helicopter');
  assert.equal(tr.endTime - tr.startTime, 4);
});

test('parseOpenSkyStates rejects what is not an array, and bad options', () => {
  assert.throws(() => parseOpenSkyStates({ states: [] }), /expected a JSON array of state vectors, got object/);
  assert.throws(() => parseOpenSkyStates(null), /got null/);
  assert.throws(() => parseOpenSkyStates([], { minSamples: 0 }), /minSamples must be an integer >= 1, got 0/);
  assert.throws(() => parseOpenSkyStates([], { altitude: 'msl' as 'geo' }), /altitude must be "auto", "geo" or "baro", got "msl"/);
  assert.deepEqual(parseOpenSkyStates([]), []);
});

test('openSkyClassForPath: helicopters for the ambulances folder, aircraft otherwise', () => {
  assert.equal(openSkyClassForPath('/x/traffic/ambulances/rega_zh.json.gz'), 'helicopter');
  assert.equal(openSkyClassForPath('traffic\\ambulances\\samu31.json.gz'), 'helicopter');
  assert.equal(openSkyClassForPath('/x/traffic/calibration/vienna.json.gz'), 'aircraft');
  assert.equal(openSkyClassForPath('/x/traffic/featured/ambulances.json.gz'), 'aircraft');
});

// The samples shipped with the project: <root>/data (this file runs from packages/sim/dist/scene).
const AMBULANCES = fileURLToPath(new URL('../../../../data/traffic/ambulances/', import.meta.url));
const firstFile = existsSync(AMBULANCES) ? readdirSync(AMBULANCES).filter((f) => f.endsWith('.json.gz')).sort()[0] : undefined;

test(
  'parseOpenSkyStates on the first real rescue-helicopter file',
  { skip: firstFile === undefined ? `no OpenSky sample files in ${AMBULANCES} (data/traffic is missing from the project)` : false },
  () => {
    const path = AMBULANCES + firstFile!;
    const json = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Record<string, unknown>[];
    const flights = parseOpenSkyStates(json, { cls: openSkyClassForPath(path) });
    assert.ok(flights.length >= 1);
    const icaos = new Set(json.map((r) => r.icao24));
    assert.deepEqual(new Set(flights.map((f) => f.icao24)), icaos);
    // Every fix is a row's position at that row's position time; stale repeats are gone, but
    // most rows remain (the files have no long gaps).
    const byTime = new Map<number, Record<string, unknown>[]>();
    for (const r of json) {
      const t = ((typeof r.last_position === 'number' ? r.last_position : r.timestamp) as number) / 1000;
      byTime.set(t, [...(byTime.get(t) ?? []), r]);
    }
    let nFixes = 0;
    for (const f of flights) {
      for (const s of f.samples) {
        const rows = byTime.get(s.t) ?? [];
        assert.ok(rows.some((r) => r.latitude === s.position.latDeg && r.longitude === s.position.lonDeg), `fix at ${s.t} is no row's`);
      }
      nFixes += f.samples.length;
    }
    assert.ok(nFixes > 0.7 * json.length && nFixes <= json.length, `${nFixes} fixes from ${json.length} rows`);
    for (const f of flights) {
      assert.equal(f.cls, 'helicopter');
      for (let i = 1; i < f.samples.length; i++) assert.ok(f.samples[i].t > f.samples[i - 1].t && f.samples[i].t - f.samples[i - 1].t <= 60);
      for (const s of f.samples) assert.ok(s.position.altM > 0 && s.position.altM < 3000, `altitude ${s.position.altM} m`);
      // Real motion: a rescue helicopter cruising at 100-150 kt, with turns, climbs and descents.
      const tr = sampledTrajectory(f);
      const speeds: number[] = [];
      let turned = 0;
      let prevHeading: number | null = null;
      for (let t = Math.ceil(tr.startTime); t <= tr.endTime; t += 5) {
        const s = tr.sample(t)!;
        speeds.push(s.speed);
        if (prevHeading !== null && s.speed > 10) turned += Math.abs(Math.atan2(Math.sin(s.heading - prevHeading), Math.cos(s.heading - prevHeading)));
        prevHeading = s.speed > 10 ? s.heading : prevHeading;
      }
      speeds.sort((a, b) => a - b);
      const median = speeds[speeds.length >> 1];
      assert.ok(median > 20 && median < 90, `median speed ${median} m/s`);
      assert.ok(speeds[speeds.length - 1] < 120, `top speed ${speeds[speeds.length - 1]} m/s`);
      assert.ok(turned > Math.PI, `total turn ${turned} rad`);
      // Consecutive fixes agree with the trajectory's speed bound.
      const a = f.samples[0];
      const b = f.samples[1];
      assert.ok(horizontalDistance(a.position, b.position) / (b.t - a.t) <= tr.speedBound! + 1e-9);
    }
  },
);
