import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/skywarden.js', import.meta.url));

test('score --detections --sensors: coverage by category of a hand-made case, as a table and in --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-coverage-'));
  const sensors = {
    sensors: [
      { id: 'ac-1', kind: 'acoustic', lat: 37.5, lon: 127, alt_m: 5, range_m: 2500, output: 'presence' },
      { id: 'ac-2', kind: 'acoustic', lat: 37.52, lon: 127, alt_m: 5, range_m: 2500, output: 'presence' },
      { id: 'radar-1', kind: 'radar', lat: 37.4, lon: 127, alt_m: 20 },
    ],
  };
  writeFileSync(join(dir, 'sensors.json'), JSON.stringify(sensors));
  const truth: string[] = [];
  const tracks: string[] = [];
  const det: string[] = [];
  // T1 heard by microphones only (t = 0..99), held by a track 300 m off from t = 50;
  // T2 seen by the radar, held throughout; a far false track all along
  for (let t = 0; t < 100; t++) {
    truth.push(JSON.stringify({ t, id: 'T1', lat: 37.5, lon: 127, alt_m: 300 }), JSON.stringify({ t, id: 'T2', lat: 37.3, lon: 127, alt_m: 300 }));
    if (t >= 50) tracks.push(JSON.stringify({ t, track: '1', lat: 37.5027, lon: 127, ve_mps: 0, vn_mps: 0, status: 'confirmed' }));
    tracks.push(JSON.stringify({ t, track: '2', lat: 37.3, lon: 127, ve_mps: 0, vn_mps: 0, status: 'confirmed' }));
    tracks.push(JSON.stringify({ t, track: '9', lat: 38, lon: 127, ve_mps: 0, vn_mps: 0, status: 'confirmed' }));
    if (t % 2 === 0) det.push(JSON.stringify({ t, sensor: t % 4 === 0 ? 'ac-1' : 'ac-2', type: 'presence', sim_target: 'T1' }));
    det.push(JSON.stringify({ t, sensor: 'radar-1', type: 'range_bearing', range_m: 11000, bearing_deg: 180, sim_target: 'T2' }));
    if (t % 10 === 5) det.push(JSON.stringify({ t, sensor: 'ac-2', type: 'presence', sim_target: null }));
  }
  writeFileSync(join(dir, 'truth.ndjson'), truth.join('\n') + '\n');
  writeFileSync(join(dir, 'tracks.ndjson'), tracks.join('\n') + '\n');
  writeFileSync(join(dir, 'detections.ndjson'), det.join('\n') + '\n');
  const args = ['score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--detections', join(dir, 'detections.ndjson'), '--sensors', join(dir, 'sensors.json')];
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(typeof j.gospa_m, 'number'); // the usual metrics are still there
  const c = j.coverage;
  // T1 observable from t = 2 (two detections), 98 s, covered from 50: 50 s; T2 observable from t = 1, 99 s, all covered
  assert.equal(c.categories.presence.observable_s, 98);
  assert.equal(c.categories.presence.covered_s, 50);
  assert.equal(c.categories.radar.observable_s, 99);
  assert.equal(c.categories.radar.covered_s, 99);
  assert.ok(Math.abs(c.categories.presence.median_error_m - 300) < 5, `median ${c.categories.presence.median_error_m}`);
  assert.equal(c.observable_s, 197);
  assert.ok(Math.abs(c.missed_share - 48 / 197) < 1e-9);
  assert.equal(c.false_tracks_per_step, 1);
  assert.ok(Math.abs(c.false_tracks_per_1000_sensors - 1000 / 3) < 1e-9);
  assert.equal(c.false_only_tracks, 1);
  // observable GOSPA: t 0-1 the stray track 9 alone (T1 not yet observable, T2 held or not yet
  // observable); t 2-49 T1 missed and 9; t 50-99 T1 at 300 m and 9
  const og = (2 * Math.sqrt(2e6) + 48 * 2000 + 50 * Math.sqrt(2e6 + 300 ** 2)) / 100;
  assert.ok(Math.abs(c.observable_gospa_m - og) < 5, `observable GOSPA ${c.observable_gospa_m}, want about ${og}`);
  assert.ok(Math.abs(c.observable_missed_targets - 0.48) < 1e-9);
  assert.equal(c.observable_false_tracks, 1);
  assert.equal(c.first_track_median_s, 50); // T2 at once, T1 after 50 s: the nearest rank of two takes the upper
  const table = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /presence only\s+98\s+51\.0%/);
  assert.match(table.stdout, /radar\s+99\s+100\.0%/);
  // one without the other is a usage error; unannotated detections are refused
  const half = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--detections', join(dir, 'detections.ndjson')], { encoding: 'utf8' });
  assert.equal(half.status, 2);
  assert.match(half.stderr, /--detections and --sensors go together/);
  writeFileSync(join(dir, 'plain.ndjson'), JSON.stringify({ t: 1, sensor: 'ac-1', type: 'presence' }) + '\n');
  const plain = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--detections', join(dir, 'plain.ndjson'), '--sensors', join(dir, 'sensors.json')], { encoding: 'utf8' });
  assert.equal(plain.status, 1);
  assert.match(plain.stderr, /no detection carries sim_target/);
  // a sensors file that gives one id twice cannot say which kind observed
  writeFileSync(join(dir, 'twice.json'), JSON.stringify({ sensors: [...sensors.sensors, { ...sensors.sensors[0], kind: 'radar' }] }));
  const twice = spawnSync(process.execPath, [bin, ...args.slice(0, -1), join(dir, 'twice.json')], { encoding: 'utf8' });
  assert.equal(twice.status, 1, twice.stdout);
  assert.match(twice.stderr, /twice\.json: sensors\[3\]: id "ac-1" is not unique/);
});
