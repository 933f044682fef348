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
});
