import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DetectionWire, TrackWire } from '@skywarden/formats';
import { applyZoneStates, buildDetectionLayers, buildSensorFeatures, buildTrackLayers, impactZones, zoneLabelPoint } from './geojson.js';
import { createTrailBuffer } from './trail-buffer.js';
import { haversineM } from './geometry.js';
import { syntheticSensors, syntheticTrackSeeds, syntheticTracks } from './synthetic.js';

function track(over: Partial<TrackWire> = {}): TrackWire {
  return {
    t: 100, track: 'T1', lat: 37.5, lon: 127, alt_m: 200, ve_mps: 50, vn_mps: 0, pos_sd_m: 100,
    status: 'confirmed', class: { piston_owa: 0.9, aircraft: 0.1 }, label: 'piston_owa', threat: 0.9,
    affiliation: 'hostile', speed_mps: 50, course_deg: 90, sensors: ['R1'], ...over,
  };
}

test('a track becomes a symbol, an uncertainty circle, a leader and a predicted path', () => {
  const tr = track({ predicted: [{ dt_s: 30, lat: 37.5, lon: 127.02 }, { dt_s: 60, lat: 37.5, lon: 127.04 }] });
  const L = buildTrackLayers([tr], { selected: 'T1', leaderS: 60 });
  assert.equal(L.points.features.length, 1);
  const p = L.points.features[0];
  assert.deepEqual(p.geometry.coordinates, [127, 37.5]);
  assert.equal(p.properties!.icon, 'trk-delta-hostile');
  assert.equal(p.properties!.course, 90);
  assert.equal(p.properties!.selected, true);
  // 95 % circle: 2.448 × pos_sd_m
  const ring = L.uncertainty.features[0].geometry.coordinates[0];
  assert.ok(Math.abs(haversineM(37.5, 127, ring[3][1], ring[3][0]) - 244.8) < 1);
  // leader: 60 s at 50 m/s east = 3 km
  const [a, b] = L.vectors.features[0].geometry.coordinates;
  assert.ok(Math.abs(haversineM(a[1], a[0], b[1], b[0]) - 3000) < 2);
  assert.ok(b[0] > a[0]);
  assert.equal(L.predicted.features[0].geometry.coordinates.length, 3);
  assert.equal(L.predicted.features[0].properties?.selected, true, 'the selected track\'s path is marked');
  assert.equal(buildTrackLayers([tr], { selected: 'T2' }).predicted.features[0].properties?.selected, false);
});

test('dismissed tracks are grey; coasting is flagged; stationary tracks get no leader; bad rows are skipped', () => {
  const L = buildTrackLayers([
    track({ track: 'D', operator: { dismissed: true } }),
    track({ track: 'C', status: 'coasting', ve_mps: 0, vn_mps: 0, speed_mps: 0 }),
    track({ track: 'X', lat: Number.NaN }),
  ]);
  assert.equal(L.points.features.length, 2);
  assert.equal(L.points.features[0].properties!.colour, '#8c8c8c');
  assert.equal(L.points.features[1].properties!.coasting, true);
  assert.equal(L.vectors.features.length, 1);
});

test('trails come from the trail buffer, one line per track with two or more points', () => {
  const tb = createTrailBuffer();
  tb.update(1, [{ track: 'T1', lat: 37.5, lon: 126.99 }]);
  tb.update(2, [{ track: 'T1', lat: 37.5, lon: 127 }]);
  const L = buildTrackLayers([track()], { trails: tb });
  assert.deepEqual(L.trails.features[0].geometry.coordinates, [[126.99, 37.5], [127, 37.5]]);
});

test('detections: bearings become rays of their range, presence circles fade, positions are dots', () => {
  const dets: DetectionWire[] = [
    { t: 100, sensor: 'A1', type: 'bearing', id: 'd1', sensor_lat: 37.5, sensor_lon: 127, bearing_deg: 0 },
    { t: 95, sensor: 'P1', type: 'presence', id: 'd2', sensor_lat: 37.4, sensor_lon: 127.1 },
    { t: 100, sensor: 'R1', type: 'range_bearing', id: 'd3', sensor_lat: 37.5, sensor_lon: 127, range_m: 1000, bearing_deg: 90 },
    { t: 100, sensor: 'G1', type: 'position', id: 'd4', lat: 37.6, lon: 127.2 },
    { t: 80, sensor: 'P1', type: 'presence', id: 'old', sensor_lat: 37.4, sensor_lon: 127.1 },
  ];
  const L = buildDetectionLayers(dets, 100, { fadeS: 10, sensorRange: (id) => (id === 'A1' ? 5000 : undefined) });
  assert.equal(L.rays.features.length, 1);
  const [s, e] = L.rays.features[0].geometry.coordinates;
  assert.ok(Math.abs(haversineM(s[1], s[0], e[1], e[0]) - 5000) < 5);
  assert.ok(e[1] > s[1]);
  assert.equal(L.presence.features.length, 1);
  assert.equal(L.presence.features[0].properties!.opacity, 0.5);
  assert.equal(L.points.features.length, 2);
  const rb = L.points.features.find((f) => f.properties!.sensor === 'R1')!;
  assert.ok(Math.abs(haversineM(37.5, 127, rb.geometry.coordinates[1], rb.geometry.coordinates[0]) - 1000) < 2);
});

test('sensors without a position are left off; zones take their alert state', () => {
  const fc = buildSensorFeatures([
    { id: 'a', kind: 'radar', lat: 37, lon: 127, status: 'silent', rate_per_min: 0, accepted: 0, rejected: 0 },
    { id: 'b', kind: 'rf', status: 'ok', rate_per_min: 0, accepted: 0, rejected: 0 },
  ]);
  assert.equal(fc.features.length, 1);
  assert.equal(fc.features[0].properties!.status, 'silent');
  const zones = {
    type: 'FeatureCollection' as const,
    features: [
      { type: 'Feature' as const, properties: { id: 'z1', name: 'One' }, geometry: { type: 'Polygon' as const, coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]] } },
      { type: 'Feature' as const, properties: { id: 'z2', name: 'Two' }, geometry: { type: 'Polygon' as const, coordinates: [[[5, 5], [6, 5], [6, 6], [5, 5]]] } },
    ],
  };
  const z = applyZoneStates(zones, new Map([['z1', { zone: 'z1', state: 'alert' as const, since: 1, eta_s: 40, tracks: ['T1'] }]]));
  assert.equal(z.features[0].properties!.state, 'alert');
  assert.equal(z.features[0].properties!.eta_s, 40);
  assert.equal(z.features[1].properties!.state, 'clear');
  assert.equal(z.features[0].properties!.tier, 'warning', 'an alert without a tier (an older server) is a warning');
  assert.equal(z.features[1].properties!.tier, 'none');
  const t = applyZoneStates(zones, new Map([
    ['z1', { zone: 'z1', state: 'alert' as const, tier: 'imminent' as const, since: 1, eta_s: 0, tracks: ['T1'] }],
    ['z2', { zone: 'z2', state: 'clear' as const, tier: 'watch' as const, since: 1, tracks: [] }],
  ]));
  assert.deepEqual(t.features.map((f) => f.properties!.tier), ['imminent', 'watch'], 'the tier drives the fill');
  assert.deepEqual(zoneLabelPoint(zones.features[0].geometry), [1, 1]);
});

test('synthetic picture: deterministic, 1,000 tracks and 10,000 sensors build in one pass', () => {
  const seeds = syntheticTrackSeeds(1000, 7);
  assert.deepEqual(syntheticTrackSeeds(3, 7).map((s) => s.id), seeds.slice(0, 3).map((s) => s.id));
  assert.equal(syntheticTrackSeeds(3, 7)[2].lat0, seeds[2].lat0);
  const tracks = syntheticTracks(seeds, 1000, 10);
  const L = buildTrackLayers(tracks);
  assert.equal(L.points.features.length, 1000);
  assert.equal(L.uncertainty.features.length, 1000);
  assert.equal(buildSensorFeatures(syntheticSensors(10_000)).features.length, 10_000);
});

test('impact areas of the selected track: the zones it may enter, from P 0.1', () => {
  const t = track({ threatens: [{ zone: 'a', p: 0.9, eta_s: 30 }, { zone: 'b', p: 0.05, eta_s: 60 }, { zone: 'c', p: 0.1, eta_s: 0, inside: true }] });
  assert.deepEqual(impactZones(t), ['a', 'c']);
  assert.deepEqual(impactZones(null), []);
});
