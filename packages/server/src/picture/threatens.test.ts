/**
 * Each live track row says which zones it may enter, soonest first, with the probability and
 * the ETA of the warnings' last prediction counted down to the row's time (the operator's
 * threat queue reads them: issue 17).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDetectionLine, parseSensorsJson, parseZonesGeoJson, type TrackWire } from '@skywarden/formats';
import type { ZoneThreat } from '@skywarden/core';
import { createLivePicture, threatensByTrack, THREATENS_MAX } from './live-picture.js';

const LAT = 50.0;
const LON = 30.0;
/** Degrees of latitude per metre, near enough here. */
const DEG_PER_M = 1 / 111_200;

function square(id: string, name: string, lat: number, lon: number, h: number) {
  const ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]];
  return { type: 'Feature', properties: { id, name, lead_s: 300 }, geometry: { type: 'Polygon', coordinates: [ring] } };
}

describe('tracks say which zones they threaten', () => {
  it('threatensByTrack keeps zones of P >= 0.1, soonest first, at most five, with names', () => {
    const base = { track: '7', leadProbability: 0, imminentProbability: 0, holdProbability: 0, etaMinS: 0, insideProbability: 0 };
    const threats: ZoneThreat[] = [
      { ...base, zone: 'a', probability: 0.9, etaS: 300, inside: false },
      { ...base, zone: 'b', probability: 0.05, etaS: 10, inside: false },
      { ...base, zone: 'c', probability: 0.5, etaS: 0, inside: true },
      ...[1, 2, 3, 4, 5].map((k) => ({ ...base, zone: `x${k}`, probability: 0.2, etaS: 400 + k, inside: false })),
    ];
    const m = threatensByTrack(threats, new Map([['a', 'Alpha']]));
    const list = m.get('7')!;
    assert.equal(list.length, THREATENS_MAX);
    assert.deepEqual(list.map((z) => z.zone), ['c', 'a', 'x1', 'x2', 'x3']);
    assert.equal(list[0].inside, true);
    assert.equal(list[1].name, 'Alpha');
    assert.ok(!list.some((z) => z.zone === 'b'), 'under 0.1 left out');
  });

  it('a drone flying at a zone carries it with an ETA that counts down; a zone behind it is not listed', () => {
    const sensors = parseSensorsJson(JSON.stringify({ sensors: [{ id: 'rx', kind: 'adsb', lat: LAT, lon: LON, alt_m: 10 }] }));
    assert.ok(sensors.ok, sensors.ok ? '' : sensors.errors.join('; '));
    // 12 km north: ahead; 12 km south: behind
    const zonesText = JSON.stringify({ type: 'FeatureCollection', features: [square('ahead', 'Ahead', LAT + 12000 * DEG_PER_M, LON, 0.02), square('behind', 'Behind', LAT - 12000 * DEG_PER_M, LON, 0.02)] });
    const zones = parseZonesGeoJson(zonesText);
    assert.ok(zones.ok, zones.ok ? '' : zones.errors.join('; '));
    const live = createLivePicture({ origin: { latDeg: LAT, lonDeg: LON, altM: 0 }, sensors: sensors.sensors.values(), reorderDelayS: 1, reportEveryS: 1, zones: zones.zones, alertIntervalS: 5 });
    const t0 = 1_800_000_000;
    let line = 0;
    const rows: TrackWire[] = [];
    for (let k = 0; k <= 60; k++) {
      const t = t0 + k;
      const det = { t, sensor: 'rx', type: 'position', lat: LAT + 50 * k * DEG_PER_M, lon: LON, alt_m: 500, pos_sd_m: 20, alt_sd_m: 10, id: `d${k}` };
      const r = parseDetectionLine(JSON.stringify(det), ++line, sensors.sensors);
      assert.ok(r && r.ok, JSON.stringify(r));
      assert.equal(live.push(r.detection), null);
      live.advanceTo(t);
      const tr = live.snapshot().tracks[0];
      if (tr && live.snapshot().t === t - 1) rows.push(structuredClone(tr));
    }
    const withZones = rows.filter((r) => r.threatens && r.threatens.length > 0);
    assert.ok(withZones.length > 20, `${withZones.length} of ${rows.length} rows list zones`);
    for (const r of withZones) {
      assert.deepEqual(r.threatens!.map((z) => z.zone), ['ahead'], JSON.stringify(r.threatens));
      assert.equal(r.threatens![0].name, 'Ahead');
    }
    // between two predictions (every 5 s) the ETA is counted down: one second a second, row by row
    let pairs = 0;
    let countedDown = 0;
    for (let i = 1; i < withZones.length; i++) {
      if (withZones[i].t - withZones[i - 1].t !== 1) continue;
      pairs++;
      if (Math.abs(withZones[i - 1].threatens![0].eta_s - withZones[i].threatens![0].eta_s - 1) < 0.35) countedDown++;
    }
    assert.ok(pairs > 20 && countedDown >= 0.7 * pairs, `${countedDown} of ${pairs} one-second steps counted the ETA down by a second`);
    // flying 50 m/s at a zone whose edge is about 12 km − 2.2 km away at the start: the ETA falls by about one second a second
    const first = withZones[0];
    const last = withZones[withZones.length - 1];
    const fell = first.threatens![0].eta_s - last.threatens![0].eta_s;
    const dt = last.t - first.t;
    assert.ok(Math.abs(fell - dt) < 0.25 * dt + 10, `ETA ${first.threatens![0].eta_s} s at ${first.t - t0}, ${last.threatens![0].eta_s} s at ${last.t - t0}`);
    assert.ok(last.threatens![0].eta_s > 100 && last.threatens![0].eta_s < 250, `ETA ${last.threatens![0].eta_s} s`);
  });
});
