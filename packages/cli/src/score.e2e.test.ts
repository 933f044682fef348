import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/skywarden.js', import.meta.url));
const sq = (x0: number, y0: number, s: number) => [[[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]];

test('score --zones --alerts: warning coverage, lead time and false episodes of a hand-made case', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-score-'));
  const zones = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { id: 'A', name: 'Zone A', kind: 'admin', lead_s: 300 }, geometry: { type: 'Polygon', coordinates: sq(127, 37, 0.1) } },
      { type: 'Feature', properties: { id: 'B', name: 'Zone B' }, geometry: { type: 'MultiPolygon', coordinates: [sq(128, 37, 0.1)] } },
    ],
  };
  writeFileSync(join(dir, 'zones.geojson'), JSON.stringify(zones));
  const truth: string[] = [];
  const tracks: string[] = [];
  for (let t = 0; t <= 300; t++) {
    const lat = t >= 100 ? 37.05 : 36.5; // enters A at t=100
    truth.push(JSON.stringify({ t, id: 'T1', lat, lon: 127.05, alt_m: 300, class: 'piston_owa' }));
    tracks.push(JSON.stringify({ t, track: '1', lat, lon: 127.05, alt_m: 300, ve_mps: 0, vn_mps: 0, status: 'confirmed' }));
  }
  writeFileSync(join(dir, 'truth.ndjson'), truth.join('\n') + '\n');
  writeFileSync(join(dir, 'tracks.ndjson'), tracks.join('\n') + '\n');
  const alerts = [
    { t: 10, zone: 'A', state: 'alert', eta_s: 90, tracks: ['1'] },
    { t: 250, zone: 'A', state: 'clear' },
    { t: 20, zone: 'B', state: 'alert' },
    { t: 40, zone: 'B', state: 'clear' },
  ];
  writeFileSync(join(dir, 'alerts.ndjson'), alerts.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const args = ['score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--zones', join(dir, 'zones.geojson'), '--alerts', join(dir, 'alerts.ndjson')];
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(s.zone_entries, 1);
  assert.equal(s.warning_coverage, 1);
  assert.equal(s.median_lead_s, 90);
  assert.equal(s.alert_episodes, 2);
  assert.equal(s.false_alert_episodes, 1);
  assert.ok(Math.abs(s.alert_zone_hours - 260 / 3600) < 1e-9);
  assert.equal(s.gospa_m, 0);
  const table = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  assert.match(table.stdout, /zone entries warned\s+1 of 1 \(100\.0%\)/);
  // bad zones and alerts files are named with the problem
  writeFileSync(join(dir, 'bad.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'A' }, geometry: { type: 'Polygon', coordinates: [[[200, 37], [127, 38], [128, 38], [200, 37]]] } }] }));
  const bz = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--zones', join(dir, 'bad.geojson'), '--alerts', join(dir, 'alerts.ndjson')], { encoding: 'utf8' });
  assert.equal(bz.status, 1);
  assert.match(bz.stderr, /features\[0\] \(id "A"\).*longitude must be within \[-180, 180\], got 200/);
  writeFileSync(join(dir, 'bad-alerts.ndjson'), '{"t": 1, "zone": "A", "state": "maybe"}\n');
  const ba = spawnSync(process.execPath, [bin, ...args.slice(0, -1), join(dir, 'bad-alerts.ndjson')], { encoding: 'utf8' });
  assert.equal(ba.status, 1);
  assert.match(ba.stderr, /bad-alerts\.ndjson:1: state must be "alert" or "clear"/);
  // an alert at t 1e308 made the zone-hours Infinity: refused by the detections' time bounds
  writeFileSync(join(dir, 'far-alerts.ndjson'), '{"t": 10, "zone": "A", "state": "alert"}\n{"t": 1e308, "zone": "A", "state": "clear"}\n');
  const fa = spawnSync(process.execPath, [bin, ...args.slice(0, -1), join(dir, 'far-alerts.ndjson'), '--json'], { encoding: 'utf8' });
  assert.equal(fa.status, 1, fa.stdout);
  assert.match(fa.stderr, /far-alerts\.ndjson:2: t must be within \[-2208988800, 4102444800\], got 1e\+308/);
  // a second row of one target, or one track, at one time is named with both lines
  writeFileSync(join(dir, 'truth-twice.ndjson'), [...truth.slice(0, 5), truth[4], ...truth.slice(5)].join('\n') + '\n');
  const tt = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth-twice.ndjson'), '--tracks', join(dir, 'tracks.ndjson')], { encoding: 'utf8' });
  assert.equal(tt.status, 1, tt.stdout);
  assert.match(tt.stderr, /truth-twice\.ndjson:6: target "T1" has a row at t=4 already \(line 5\): one row per target and time/);
  writeFileSync(join(dir, 'tracks-twice.ndjson'), [...tracks.slice(0, 8), tracks[7], ...tracks.slice(8)].join('\n') + '\n');
  const kt = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks-twice.ndjson')], { encoding: 'utf8' });
  assert.equal(kt.status, 1, kt.stdout);
  assert.match(kt.stderr, /tracks-twice\.ndjson:9: track "1" has a row at t=7 already \(line 8\): one row per track and time/);
  // a track row of the year 2200 is no scene's
  writeFileSync(join(dir, 'tracks-far.ndjson'), [...tracks, JSON.stringify({ t: 7_258_118_400, track: '1', lat: 37, lon: 127, ve_mps: 0, vn_mps: 0, status: 'confirmed' })].join('\n') + '\n');
  const kf = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks-far.ndjson')], { encoding: 'utf8' });
  assert.equal(kf.status, 1, kf.stdout);
  assert.match(kf.stderr, /tracks-far\.ndjson:302: t must be within \[-2208988800, 4102444800\], got 7258118400/);
});

test('score: 20,000 truths and 20,000 tracks at one time, spread over a country, scored in bounded memory; all at one spot, a clear error naming the time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-score-big-'));
  const truth: string[] = [];
  const tracks: string[] = [];
  let seed = 1;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 20_000; i++) {
    const lat = 45 + rnd() * 6;
    const lon = 25 + rnd() * 12;
    truth.push(JSON.stringify({ t: 0, id: `T${i}`, lat, lon, alt_m: 300 }));
    tracks.push(JSON.stringify({ t: 0, track: `k${i}`, lat: lat + 0.001, lon, alt_m: 300, ve_mps: 0, vn_mps: 0, status: 'confirmed' }));
  }
  writeFileSync(join(dir, 'truth.ndjson'), truth.join('\n') + '\n');
  writeFileSync(join(dir, 'tracks.ndjson'), tracks.join('\n') + '\n');
  // the whole distance matrix would be 20,000² × 8 bytes = 3.2 GB (outside the heap): the child
  // tells its peak resident memory at exit
  const peak = `data:text/javascript,process.on('exit', () => process.stderr.write('maxrss_kb ' + process.resourceUsage().maxRSS + '\\n'))`;
  const r = spawnSync(process.execPath, ['--import', peak, bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const kb = Number(/maxrss_kb (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(kb > 0 && kb < 1_500_000, `peak resident ${(kb / 1024).toFixed(0)} MB (a whole matrix: over 3 GB)`);
  const s = JSON.parse(r.stdout);
  assert.equal(s.targets_tracked, 20_000);
  assert.ok(s.median_error_m > 100 && s.median_error_m < 125, `median ${s.median_error_m}`);

  const same: string[] = [];
  const sameT: string[] = [];
  for (let i = 0; i < 2_100; i++) {
    same.push(JSON.stringify({ t: 5, id: `T${i}`, lat: 37.5, lon: 127, alt_m: 300 }));
    sameT.push(JSON.stringify({ t: 5, track: `k${i}`, lat: 37.5, lon: 127, alt_m: 300, ve_mps: 0, vn_mps: 0, status: 'confirmed' }));
  }
  writeFileSync(join(dir, 'truth2.ndjson'), same.join('\n') + '\n');
  writeFileSync(join(dir, 'tracks2.ndjson'), sameT.join('\n') + '\n');
  const r2 = spawnSync(process.execPath, ['--max-old-space-size=512', bin, 'score', '--truth', join(dir, 'truth2.ndjson'), '--tracks', join(dir, 'tracks2.ndjson')], { encoding: 'utf8' });
  assert.equal(r2.status, 1, `exit ${r2.status}: ${r2.stderr}`);
  assert.match(r2.stderr, /at t = 5 \(2100 truth rows, 2100 track rows\): more than 4,000,000 pairs/);
  assert.doesNotMatch(r2.stderr, /heap|FATAL|at .*\.js:\d+/);
});

test('score: no track row near any target and no zone entry give dashes that say why, never NaN', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-score-'));
  const truth: string[] = [];
  const tracks: string[] = [];
  for (let t = 0; t <= 30; t++) {
    truth.push(JSON.stringify({ t, id: 'T1', lat: 37, lon: 127, alt_m: 300 }));
    tracks.push(JSON.stringify({ t, track: '1', lat: 38, lon: 128, alt_m: 300, ve_mps: 0, vn_mps: 0, status: 'confirmed' })); // 140 km off
  }
  const zones = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'A', name: 'Zone A' }, geometry: { type: 'Polygon', coordinates: sq(129, 37, 0.1) } }] };
  writeFileSync(join(dir, 'truth.ndjson'), truth.join('\n') + '\n');
  writeFileSync(join(dir, 'tracks.ndjson'), tracks.join('\n') + '\n');
  writeFileSync(join(dir, 'zones.geojson'), JSON.stringify(zones));
  writeFileSync(join(dir, 'alerts.ndjson'), '');
  const r = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--zones', join(dir, 'zones.geojson'), '--alerts', join(dir, 'alerts.ndjson')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /NaN/);
  assert.match(r.stdout, /median \/ p95 \/ rms\s+- \(no track row was matched to a target\)/);
  assert.match(r.stdout, /zone entries warned\s+0 \(no target entered a zone\)/);
  assert.match(r.stdout, /lead time median \/ 10th percentile\s+- \(no entry warned\)/);
});
