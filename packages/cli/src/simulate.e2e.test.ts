import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAlertLine, parseDetectionLine, parseSensorsJson, parseTruthLine, parseZonesGeoJson } from '@skywarden/formats';

const bin = fileURLToPath(new URL('../bin/skywarden.js', import.meta.url));
const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const sim = (args: string[]) => spawnSync(process.execPath, [bin, 'simulate', ...args], { encoding: 'utf8' });

test('simulate: the Seoul example writes valid, deterministic interchange files with the real districts', () => {
  const a = mkdtempSync(join(tmpdir(), 'skywarden-sim-'));
  const b = mkdtempSync(join(tmpdir(), 'skywarden-sim-'));
  const r1 = sim(['--scenario', join(examples, 'seoul-raid.yaml'), '--out', a]);
  assert.equal(r1.status, 0, r1.stderr);
  assert.equal(sim(['--scenario', join(examples, 'seoul-raid.yaml'), '--out', b]).status, 0);
  for (const f of ['sensors.json', 'detections.ndjson', 'truth.ndjson', 'zones.geojson']) {
    assert.equal(readFileSync(join(a, f), 'utf8'), readFileSync(join(b, f), 'utf8'), `${f} is the same for the same seed`);
  }
  const sensors = parseSensorsJson(readFileSync(join(a, 'sensors.json'), 'utf8'));
  assert.ok(sensors.ok, sensors.ok ? '' : sensors.errors.join('; '));
  const kinds = new Set([...sensors.sensors.values()].map((s) => s.kind));
  for (const k of ['acoustic', 'radar', 'observer', 'adsb']) assert.ok(kinds.has(k), k);
  const lines = readFileSync(join(a, 'detections.ndjson'), 'utf8').trim().split('\n');
  let last = -Infinity;
  lines.forEach((l, i) => {
    const d = parseDetectionLine(l, i + 1, sensors.sensors);
    assert.ok(d && d.ok, `detection line ${i + 1}: ${d && !d.ok ? d.reason : ''}`);
    assert.ok(d.detection.t >= last, 'sorted by t');
    last = d.detection.t;
  });
  const truth = readFileSync(join(a, 'truth.ndjson'), 'utf8').trim().split('\n').map((l, i) => parseTruthLine(l, i + 1));
  assert.ok(truth.every((x) => x && x.ok));
  // truth rows every whole second; the raid comes from the north: drones start north of where they end
  const rows = truth.map((x) => (x && x.ok ? x.row : null)!);
  assert.ok(rows.every((r) => Number.isInteger(r.t)));
  const drones = new Map<string, { first: number; last: number }>();
  for (const r of rows) {
    if (r.class !== 'piston_owa' && r.class !== 'jet_owa') continue;
    const e = drones.get(r.id);
    if (!e) drones.set(r.id, { first: r.lat, last: r.lat });
    else e.last = r.lat;
  }
  const southward = [...drones.values()].filter((d) => d.last < d.first).length;
  assert.ok(southward > 0.8 * drones.size, `${southward} of ${drones.size} drones fly south`);
  const zones = parseZonesGeoJson(readFileSync(join(a, 'zones.geojson'), 'utf8'));
  assert.ok(zones.ok);
  assert.equal(zones.zones.filter((z) => z.id.startsWith('seoul-')).length, 25);
  assert.match(readFileSync(join(a, 'zones.geojson'), 'utf8'), /Statistics Korea/);
});

test('simulate: real recorded flights become the truth; generated districts and sites as zones', () => {
  const out = mkdtempSync(join(tmpdir(), 'skywarden-sim-'));
  assert.equal(sim(['--scenario', join(examples, 'real-helicopters.yaml'), '--out', out]).status, 0);
  const truth = readFileSync(join(out, 'truth.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { class: string; lat: number });
  assert.ok(truth.length > 100 && truth.every((r) => r.class === 'helicopter'));
  assert.ok(truth.every((r) => r.lat > 45 && r.lat < 48), 'Swiss rescue flights stay in Switzerland');
  const small = mkdtempSync(join(tmpdir(), 'skywarden-sim-'));
  assert.equal(sim(['--scenario', join(examples, 'small.yaml'), '--out', small]).status, 0);
  const z = parseZonesGeoJson(readFileSync(join(small, 'zones.geojson'), 'utf8'));
  assert.ok(z.ok);
  assert.equal(z.zones.filter((x) => x.kind === 'admin').length, 16);
  assert.equal(z.zones.filter((x) => x.kind === 'site').length, 3);
});

test('simulate: a bad scenario lists every problem by setting; a bad file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-sim-'));
  writeFileSync(join(dir, 'bad.yaml'), 'preset: huge\nraid:\n  drones: -3\nsensors: { radars: 1.5 }\nzones: { geojson: nowhere.geojson }\n');
  const r = sim(['--scenario', join(dir, 'bad.yaml'), '--out', join(dir, 'o')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /3 problems/);
  assert.match(r.stderr, /preset must be one of small, mixed, national, got "huge"/);
  assert.match(r.stderr, /raid\.drones must be an integer in \[0, 5000\], got -3/);
  assert.match(r.stderr, /sensors\.radars must be an integer/);
  writeFileSync(join(dir, 'nofile.yaml'), 'zones: { geojson: nowhere.geojson }\n');
  const n = sim(['--scenario', join(dir, 'nofile.yaml'), '--out', join(dir, 'o')]);
  assert.equal(n.status, 1);
  assert.match(n.stderr, /nowhere\.geojson" not found/);
  writeFileSync(join(dir, 'syntax.yaml'), 'raid: [unclosed\n');
  const y = sim(['--scenario', join(dir, 'syntax.yaml'), '--out', join(dir, 'o')]);
  assert.equal(y.status, 1);
  assert.match(y.stderr, /syntax\.yaml/);
  assert.doesNotMatch(y.stderr, /\n\s+at /, 'no stack trace');
  // a scenario file that is not there is named, with the presets offered instead
  const missing = sim(['--scenario', join(dir, 'absent.yaml'), '--out', join(dir, 'o')]);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, `skywarden: cannot read ${join(dir, 'absent.yaml')}: no such file or directory (a scenario file, or a preset: small, mixed, national)\n`);
  // a recorded flight's gzip that is cut short, or not gzip at all: one line naming the file, no stack trace
  const helicopters = readFileSync(join(examples, 'real-helicopters.yaml'), 'utf8');
  const gz = readFileSync(new URL('../../../data/traffic/ambulances/rega_zh.json.gz', import.meta.url));
  writeFileSync(join(dir, 'cut.json.gz'), gz.subarray(0, 2000));
  writeFileSync(join(dir, 'plain.json.gz'), 'not gzip at all');
  for (const [file, why] of [['cut.json.gz', /cut\.json\.gz: cannot read it as gzip: the gzip data ends early \(a truncated file\)/], ['plain.json.gz', /plain\.json\.gz: cannot read it as gzip: not gzip data/]] as const) {
    writeFileSync(join(dir, 'heli.yaml'), helicopters.replace(/data\/traffic\/ambulances\/rega_zh\.json\.gz/, join(dir, file)));
    const g = sim(['--scenario', join(dir, 'heli.yaml'), '--out', join(dir, 'o')]);
    assert.equal(g.status, 1, g.stderr);
    assert.match(g.stderr, why);
    assert.doesNotMatch(g.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('simulate: a preset by name (--scenario small) gives that preset with its defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-sim-'));
  const r = sim(['--scenario', 'small', '--out', join(dir, 'o')]);
  assert.equal(r.status, 0, r.stderr);
  const sensors = parseSensorsJson(readFileSync(join(dir, 'o', 'sensors.json'), 'utf8'));
  assert.ok(sensors.ok && sensors.sensors.size > 0);
  assert.ok(readFileSync(join(dir, 'o', 'detections.ndjson'), 'utf8').split('\n').filter(Boolean).length > 100);
});

test('CLI usage: --zones without --alerts is bad usage (exit 2); hash-password --help prints its usage', () => {
  const track = spawnSync(process.execPath, [bin, 'track', '--sensors', 'a', '--detections', 'b', '--out', 'c', '--zones', 'z.geojson'], { encoding: 'utf8' });
  assert.equal(track.status, 2);
  assert.match(track.stderr, /--zones and --alerts go together/);
  const help = spawnSync(process.execPath, [bin, 'hash-password', '--help'], { encoding: 'utf8', input: '' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: skywarden hash-password < secret\.txt/);
  const extra = spawnSync(process.execPath, [bin, 'hash-password', 'oops'], { encoding: 'utf8', input: '' });
  assert.equal(extra.status, 2);
});

test('track --zones --alerts on a simulated raid: alert changes per the spec, most zone entries warned ahead', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-sim-'));
  assert.equal(sim(['--scenario', join(examples, 'small.yaml'), '--out', dir]).status, 0);
  const t = spawnSync(process.execPath, [bin, 'track', '--sensors', join(dir, 'sensors.json'), '--detections', join(dir, 'detections.ndjson'), '--out', join(dir, 'tracks.ndjson'), '--zones', join(dir, 'zones.geojson'), '--alerts', join(dir, 'alerts.ndjson')], { encoding: 'utf8' });
  assert.equal(t.status, 0, t.stderr);
  const rows = readFileSync(join(dir, 'alerts.ndjson'), 'utf8').trim().split('\n').map((l, i) => parseAlertLine(l, i + 1));
  assert.ok(rows.length > 0 && rows.every((r) => r && r.ok), 'valid alert rows');
  // per zone the states alternate, starting with an alert (a zone starts clear)
  const last = new Map<string, string>();
  for (const r of rows) {
    if (!r || !r.ok) continue;
    assert.notEqual(last.get(r.row.zone) ?? 'clear', r.row.state, `zone ${r.row.zone} changes state at ${r.row.t}`);
    last.set(r.row.zone, r.row.state);
  }
  const s = spawnSync(process.execPath, [bin, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--zones', join(dir, 'zones.geojson'), '--alerts', join(dir, 'alerts.ndjson'), '--json'], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  const m = JSON.parse(s.stdout) as Record<string, number>;
  assert.ok(m.zone_entries >= 5, `${m.zone_entries} zone entries`);
  assert.ok(m.warning_coverage >= 0.8, `coverage ${m.warning_coverage}`);
  assert.ok(m.median_lead_s >= 60, `median lead ${m.median_lead_s} s`);
});

test('simulate says how far it is while it writes a scene (a line every few seconds; here after every chunk)', async () => {
  const { simulateCommand } = await import('./simulate.js');
  const out = mkdtempSync(join(tmpdir(), 'sw-sim-progress-'));
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    // the national preset over 300 s: about 60,000 detections, written in chunks of 50,000
    const scenario = join(out, 'national-short.yaml');
    writeFileSync(scenario, 'name: national-short\npreset: national\nseed: 2\nduration_s: 300\n');
    assert.equal(await simulateCommand({ scenario, out, annotate: false, progressEveryS: 0 }), 0);
  } finally {
    process.stderr.write = write;
  }
  const progress = lines.filter((l) => /^ {2}scene second \d+ of \d+: \d+ detections written so far \(\d+ s\)\n$/.test(l));
  assert.ok(lines[0].startsWith('simulating national-short: 300 s, seed 2'), lines[0]);
  assert.equal(progress.length, 2, `progress lines: ${JSON.stringify(lines.slice(0, 4))}`);
  const counts = progress.map((l) => Number(/: (\d+) detections/.exec(l)![1]));
  assert.deepEqual(counts, [...counts].sort((x, y) => x - y), 'the counts grow');
  const total = readFileSync(join(out, 'detections.ndjson'), 'utf8').trim().split('\n').length;
  assert.equal(counts.at(-1), total, 'the last line counts every detection written');
});
