/**
 * End-to-end tests of `skywarden track`: simulate a scene, write the interchange files, run
 * the real command in a child process, read its tracks back and score them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable, Writable } from 'node:stream';
import { scoreTracks, type AlertEvent, type ScoredPoint } from '@skywarden/core';
import { parseTrackLine, parseZonesGeoJson, readCapAlert, type DetectionRow } from '@skywarden/formats';
import { makeRadarScene, type RadarScene } from '@skywarden/sim';
import { runTrack } from './track.js';

const bin = fileURLToPath(new URL('../bin/skywarden.js', import.meta.url));

function writeScene(scene: { sensors: unknown[]; detections: DetectionRow[] }, lines?: string[]): { dir: string; sensors: string; detections: string } {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-e2e-'));
  const sensors = join(dir, 'sensors.json');
  const detections = join(dir, 'detections.ndjson');
  writeFileSync(sensors, JSON.stringify({ sensors: scene.sensors }));
  writeFileSync(detections, (lines ?? scene.detections.map((d) => JSON.stringify(d))).join('\n') + '\n');
  return { dir, sensors, detections };
}

function runTrackCli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, 'track', ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readTracks(path: string): ScoredPoint[] {
  const text = readFileSync(path, 'utf8');
  const out: ScoredPoint[] = [];
  text.split('\n').forEach((line, i) => {
    const r = parseTrackLine(line, i + 1);
    if (r === null) return;
    assert.ok(r.ok, `tracks line ${i + 1} is not a valid track row: ${r.ok ? '' : r.reason}`);
    out.push({ t: r.row.t, id: r.row.track, position: { latDeg: r.row.lat, lonDeg: r.row.lon, altM: r.row.alt_m ?? 0 } });
  });
  return out;
}

function truthOf(scene: RadarScene, fromT = -Infinity): ScoredPoint[] {
  return scene.truth.filter((r) => r.t >= fromT).map((r) => ({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } }));
}

// Six drones well apart, two rotating radars with modest clutter, and observers reporting
// rough positions (hundreds of metres off, no altitude) now and then.
const scene = makeRadarScene({
  seed: 11,
  nTargets: 6,
  durationS: 400,
  clutterPerScan: 2,
  nRadars: 2,
  regionM: 60000,
  annotate: true,
  reporters: [{ id: 'observers', kind: 'observer', period: 30, posSd: 300, reportAltitude: false, pd: 0.5 }],
});

test('track: radar and observer scene is tracked completely and accurately, without false tracks or id switches', () => {
  const f = writeScene(scene);
  const out = join(f.dir, 'tracks.ndjson');
  const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /lines read: \d+ \(detections \d+, rejected \d+/);
  assert.match(r.stderr, /rejected: 0/);
  const tracks = readTracks(out);
  // after a warm-up for confirmation, score every second
  const t0 = Math.min(...scene.truth.map((x) => x.t));
  const s = scoreTracks(truthOf(scene, t0 + 30), tracks.filter((x) => x.t >= t0 + 30));
  assert.equal(s.targetsTracked, 6, 'every target tracked');
  assert.ok(s.meanMissedTargets < 0.02, `targets missed per second after warm-up: ${s.meanMissedTargets}`);
  assert.equal(s.idSwitches, 0, 'no id switches');
  assert.ok(s.meanFalseTracks < 0.02, `false tracks per second: ${s.meanFalseTracks}`);
  // "near what the sensor noise allows": the median error of the tracks is well below the
  // median error of a single radar plot (range and cross-range errors at the plot's range)
  const sensorsById = new Map(scene.sensors.map((x) => [x.id, x]));
  const plotErrors = scene.detections
    .filter((d) => d.type === 'range_bearing' && d.sim_target !== null && d.sim_target !== undefined)
    .map((d) => {
      const sensor = sensorsById.get(d.sensor)!;
      const cross = (d.range_m as number) * (((d.bearing_sd_deg ?? sensor.bearing_sd_deg ?? 1) * Math.PI) / 180);
      return Math.hypot(d.range_sd_m ?? sensor.range_sd_m ?? 30, cross);
    })
    .sort((a, b) => a - b);
  const plotMedian = plotErrors[Math.floor(plotErrors.length / 2)];
  assert.ok(s.medianError < 0.6 * plotMedian, `median track error ${s.medianError.toFixed(1)} m vs single plot ${plotMedian.toFixed(1)} m`);
  assert.ok(s.p95Error < 2 * plotMedian, `95th percentile ${s.p95Error.toFixed(1)} m`);
});

test('track: malformed lines are reported with line numbers, skipped, and change nothing else', () => {
  const good = scene.detections.slice(0, 1500).map((d) => JSON.stringify(d));
  const bad = [
    '{"t": 1, "sensor": ',
    '[1, 2, 3]',
    JSON.stringify({ ...scene.detections[10], lat: 91, type: 'position', lon: 127 }),
    JSON.stringify({ ...scene.detections[11], sensor: 'no-such-sensor' }),
    JSON.stringify({ ...scene.detections[12], range_m: -5 }),
    JSON.stringify({ ...scene.detections[13], t: undefined }),
    '{"t": 1e999, "sensor": "x", "type": "position"}',
  ];
  const mixed: string[] = [];
  const badLineNumbers: number[] = [];
  good.forEach((l, i) => {
    mixed.push(l);
    if (i % 200 === 100 && bad.length > 0) {
      mixed.push(bad.shift()!);
      badLineNumbers.push(mixed.length);
    }
  });
  while (bad.length > 0) {
    mixed.push(bad.shift()!);
    badLineNumbers.push(mixed.length);
  }
  const clean = writeScene(scene, good);
  const dirty = writeScene(scene, mixed);
  const outClean = join(clean.dir, 'tracks.ndjson');
  const outDirty = join(dirty.dir, 'tracks.ndjson');
  assert.equal(runTrackCli(['--sensors', clean.sensors, '--detections', clean.detections, '--out', outClean]).code, 0);
  const r = runTrackCli(['--sensors', dirty.sensors, '--detections', dirty.detections, '--out', outDirty]);
  assert.equal(r.code, 0, r.stderr);
  for (const n of badLineNumbers) assert.match(r.stderr, new RegExp(`detections\\.ndjson:${n}: `), `line ${n} reported`);
  assert.match(r.stderr, /latitude|lat/);
  assert.match(r.stderr, /no-such-sensor/);
  assert.match(r.stderr, /rejected: 7/);
  assert.ok(readFileSync(outClean, 'utf8').length > 1000, 'tracks were written');
  assert.equal(readFileSync(outDirty, 'utf8'), readFileSync(outClean, 'utf8'), 'good lines give the same tracks');
});

test('track: lines that are not JSON are one kind in the summary, however the parser words where and why', () => {
  // random bytes made two kinds of one: "not valid JSON" and "not valid JSON (at column N ...: Unexpected token '\r')" (an outside probe, 2026-12-07)
  const lines = ['{"t":1,"x":[}', 'tru\re', '{"a":t\r}', '\u0001\u0002', '[1,\u2028]'];
  const w = writeScene(scene, lines);
  const r = runTrackCli(['--sensors', w.sensors, '--detections', w.detections, '--out', join(w.dir, 'tracks.ndjson')]);
  assert.match(r.stderr, /rejected: 5\n {2}5 × not valid JSON\n/, r.stderr);
});

test('track: a time far from the rest (a wrong clock) is named with its line, and the rows of before are kept', () => {
  const rows = scene.detections.slice(0, 800);
  const last = rows[rows.length - 1]!;
  const lines = [
    JSON.stringify({ ...rows[0], id: 'epoch', t: 1 }), // a clock that was never set, on line 1
    ...rows.map((d) => JSON.stringify(d)),
    JSON.stringify({ ...last, id: 'far', t: 4_070_908_800 }), // 2099, on the last line
  ];
  const f = writeScene({ sensors: scene.sensors, detections: [] }, lines);
  const out = join(f.dir, 'tracks.ndjson');
  const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:') && l.includes('after every earlier detection'));
  assert.equal(warnings.length, 2, r.stderr);
  assert.match(warnings[0]!, new RegExp(`detections\\.ndjson:2: t ${rows[0]!.t} is 5[56] years after every earlier detection \\(latest: t 1 on line 1\\)`));
  assert.match(warnings[1]!, new RegExp(`detections\\.ndjson:${lines.length}: t 4070908800 is 7[23] years after every earlier detection \\(latest: t ${last.t} on line ${lines.length - 1}\\)`));
  // both rows are taken (they are valid), and the tracks of the scene are still written
  assert.match(r.stderr, new RegExp(`detections ${lines.length}, rejected 0`));
  assert.ok(readTracks(out).some((x) => x.t >= rows[0]!.t && x.t <= last.t + 60), 'the scene is tracked');
  // an ordinary file says nothing of the kind
  const g = writeScene({ sensors: scene.sensors, detections: rows });
  const r2 = runTrackCli(['--sensors', g.sensors, '--detections', g.detections, '--out', join(g.dir, 'tracks.ndjson')]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.doesNotMatch(r2.stderr, /after every earlier detection/);
});

test('track: an output pipe closed early ends the run with 141 (as SIGPIPE) and says the output is cut short', async () => {
  const f = writeScene(scene);
  const child = spawn(process.execPath, [bin, 'track', '--sensors', f.sensors, '--detections', f.detections, '--out', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let rows = 0;
  // the reader takes the first chunk and goes away, as `| head -1` does
  child.stdout.once('data', (c: Buffer) => {
    rows = c.toString('utf8').split('\n').length - 1;
    child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.ok(rows > 0, 'the reader got rows before closing');
  assert.equal(code, 141, stderr);
  assert.match(stderr, /the output was closed before the run ended \(broken pipe\): what was written is cut short/);
});

test('track --strict stops at the first bad line with exit code 1', () => {
  const lines = scene.detections.slice(0, 50).map((d) => JSON.stringify(d));
  lines.splice(20, 0, 'not json');
  const f = writeScene(scene, lines);
  const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, 't.ndjson'), '--strict']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /detections\.ndjson:21: /);
  assert.match(r.stderr, /--strict/);
});

test('track reads standard input and writes standard output; late lines within the reorder delay give the same tracks', () => {
  const lines = scene.detections.slice(0, 3000).map((d) => JSON.stringify(d));
  const f = writeScene(scene, lines);
  const fromFile = join(f.dir, 'tracks.ndjson');
  assert.equal(runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', fromFile]).code, 0);
  // swap neighbours in blocks so that lines arrive up to ~2 s late
  const shuffled = lines.slice();
  for (let i = 0; i + 20 < shuffled.length; i += 40) {
    const block = shuffled.slice(i, i + 20).reverse();
    shuffled.splice(i, 20, ...block);
  }
  const maxLate = (() => {
    let newest = -Infinity;
    let late = 0;
    for (const l of shuffled) {
      const t = (JSON.parse(l) as { t: number }).t;
      late = Math.max(late, newest - t);
      newest = Math.max(newest, t);
    }
    return late;
  })();
  assert.ok(maxLate > 0.5 && maxLate < 5, `lines arrive up to ${maxLate} s late`);
  const r = runTrackCli(['--sensors', f.sensors, '--detections', '-', '--out', '-'], shuffled.join('\n') + '\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(fromFile, 'utf8'));
});

test('track: bad usage and missing files give clear errors', () => {
  const r1 = runTrackCli(['--sensors', 'x.json']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /missing --detections/);
  const r2 = runTrackCli(['--sensors', '/nonexistent/sensors.json', '--detections', '/nonexistent/d.ndjson', '--out', '-']);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /nonexistent\/sensors\.json/);
  const r3 = runTrackCli(['--sensors', 'a', '--detections', 'b', '--out', 'c', '--report-every', '0']);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /--report-every must be a number of seconds in \[0\.05, 3600\]/);
  // the service's bounds: 1e-6 s wrote nothing for minutes, 1e308 no row without a word
  for (const [opt, v] of [['--report-every', '1e-6'], ['--report-every', '1e308'], ['--reorder-delay', '601'], ['--reorder-delay', '1e9']]) {
    const r = runTrackCli(['--sensors', 'a', '--detections', 'b', '--out', 'c', opt!, v!]);
    assert.equal(r.code, 2, `${opt} ${v}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${opt} must be a number of seconds in \\[`), `${opt} ${v}`);
  }
  const f = writeScene({ sensors: [{ id: 'r', kind: 'radar', lat: 95, lon: 0 }], detections: [] });
  const r4 = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', '-']);
  assert.equal(r4.code, 1);
  assert.match(r4.stderr, /lat/);
});

test('track: an output that is an input or the other output, by any name (a symlink, a hard link), is refused before anything is opened; a device is not read whole', () => {
  const f = writeScene(scene);
  const before = readFileSync(f.detections, 'utf8');
  const zones = join(f.dir, 'zones.geojson');
  writeFileSync(zones, JSON.stringify({ type: 'FeatureCollection', features: [] }));
  symlinkSync(f.detections, join(f.dir, 'det-link'));
  linkSync(f.detections, join(f.dir, 'det-hard'));
  const cases: [string[], RegExp][] = [
    [['--out', join(f.dir, 't.ndjson'), '--zones', zones, '--alerts', f.detections], /--alerts .* is the same file as --detections/],
    [['--out', join(f.dir, 'det-link')], /--out .*det-link is the same file as --detections/],
    [['--out', join(f.dir, 'det-hard')], /--out .*det-hard is the same file as --detections/],
    [['--out', f.sensors], /--out .* is the same file as --sensors/],
    [['--out', zones, '--zones', zones, '--alerts', join(f.dir, 'a.ndjson')], /--out .* is the same file as --zones/],
    [['--out', join(f.dir, 'same.ndjson'), '--zones', zones, '--alerts', join(f.dir, 'same.ndjson')], /--alerts .* is the same file as --out/],
  ];
  for (const [extra, why] of cases) {
    const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, ...extra]);
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  assert.equal(readFileSync(f.detections, 'utf8'), before, 'the detections are untouched');
  assert.match(readFileSync(zones, 'utf8'), /FeatureCollection/, 'the zones are untouched');
  // a full disk is the output's error, not the input's
  if (existsSync('/dev/full')) {
    const full = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', '/dev/full']);
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /cannot write \/dev\/full: no space left on the device/);
  }
  // reports every 50 ms (the least): many blocked writes, one wait for the output at a time (no listener warnings)
  const dense = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, 'dense.ndjson'), '--report-every', '0.05']);
  assert.equal(dense.code, 0, dense.stderr);
  assert.doesNotMatch(dense.stderr, /MaxListenersExceededWarning/);
  // a file read whole that never ends is refused at the limit
  if (existsSync('/dev/zero')) {
    const z = spawnSync(process.execPath, [bin, 'track', '--sensors', '/dev/zero', '--detections', f.detections, '--out', '-'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(z.status, 1, z.stderr);
    assert.match(z.stderr, /cannot read \/dev\/zero: more than the 268435456 bytes this command reads whole/);
  }
});

test('score: --truth and --tracks cannot both read standard input', () => {
  const r = spawnSync(process.execPath, [bin, 'score', '--truth', '-', '--tracks', '-'], { encoding: 'utf8', input: '' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /only one of --truth and --tracks may be -/);
});

test('score: the command scores the tracks of a run like the library does, and names bad lines', () => {
  const f = writeScene(scene);
  const out = join(f.dir, 'tracks.ndjson');
  assert.equal(runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', out]).code, 0);
  const truthPath = join(f.dir, 'truth.ndjson');
  writeFileSync(truthPath, scene.truth.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = spawnSync(process.execPath, [bin, 'score', '--truth', truthPath, '--tracks', out, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, number>;
  const want = scoreTracks(truthOf(scene), readTracks(out));
  assert.ok(Math.abs(got.gospa_m - want.gospa) < 1e-6, `${got.gospa_m} vs ${want.gospa}`);
  assert.equal(got.id_switches, want.idSwitches);
  assert.equal(got.targets_tracked, 6);
  assert.equal(got.times, want.times);
  const table = spawnSync(process.execPath, [bin, 'score', '--truth', truthPath, '--tracks', out], { encoding: 'utf8' });
  assert.match(table.stdout, /mean GOSPA \(c=2000 m, p=2\)\s+\d+\.\d m/);
  writeFileSync(truthPath, JSON.stringify(scene.truth[0]) + '\n{"t": 5, "id": "x", "lat": 100, "lon": 0, "alt_m": 0}\n');
  const bad = spawnSync(process.execPath, [bin, 'score', '--truth', truthPath, '--tracks', out], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /truth\.ndjson:2: .*lat/);
});

test('track: a mixed raid over microphones, a radar, phone observers and ADS-B is fused into accurate tracks', async (t) => {
  const { makeMixedScene } = await import('@skywarden/sim');
  // three scenes: one scene's id switches move by several with any change of one association (the
  // particle clouds' draws part from there): seeds 1-6 gave 4-25 with the same code (2026-12-07)
  const perScene: { idSwitches: number; falseTracks: number }[] = [];
  for (const seed of [1, 2, 3]) {
    const mixed = makeMixedScene({ seed, durationS: 300, annotate: true });
    const f = writeScene(mixed);
    const out = join(f.dir, 'tracks.ndjson');
    const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /rejected: 0/);
    // every detection is fused, but for a sensor's repeats within one scan (two drones inside a
    // quarter of an array's bearing error at one instant are one report: here 1 of 18,412)
    const notFused = r.stderr.split('\n').filter((l) => /^\s+\d+ × /.test(l) && !/repeats of a report within one scan/.test(l));
    assert.deepEqual(notFused, [], r.stderr);
    assert.ok(Number(/(\d+) × repeats of a report/.exec(r.stderr)?.[1] ?? 0) <= 5, r.stderr);
    const kinds = new Set(mixed.sensors.map((s) => s.kind));
    for (const k of ['acoustic', 'radar', 'observer', 'adsb']) assert.ok(kinds.has(k), `scene has ${k}`);
    const types = new Set<string>(mixed.detections.map((d) => d.type));
    for (const t of ['presence', 'bearing', 'range_bearing', 'position']) assert.ok(types.has(t), `scene has ${t} detections`);
    const tracks = readTracks(out);
    const s = scoreTracks(truthOf(mixed as unknown as RadarScene), tracks);
    // targets that some sensor detected at least 10 times
    const seen = new Map<string, number>();
    for (const d of mixed.detections) if (typeof d.sim_target === 'string') seen.set(d.sim_target, (seen.get(d.sim_target) ?? 0) + 1);
    const detectable = [...seen.values()].filter((c) => c >= 10).length;
    assert.ok(s.targetsTracked >= 0.95 * detectable, `tracked ${s.targetsTracked} of ${detectable} detectable targets`);
    assert.ok(s.medianError < 120, `median error ${s.medianError.toFixed(0)} m`);
    // downed drones leave tracks that coast on until deleted, and decoys fly low and slow:
    // a realistic raid keeps some false tracks alive at any time
    perScene.push({ idSwitches: s.idSwitches, falseTracks: s.meanFalseTracks });
    // cooperative aircraft carry their ADS-B identity; no other track does
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { target?: string; track: string });
    const icaos = new Set(Object.values(mixed.icao));
    const withId = rows.filter((x) => x.target !== undefined);
    assert.ok(withId.length > 0, 'some rows carry a cooperative identity');
    for (const x of withId) assert.ok(icaos.has(x.target as string), `unknown identity ${x.target}`);
    const seenIds = new Set(withId.map((x) => x.target));
    const adsbHeard = new Set(mixed.detections.filter((d) => d.sensor === mixed.reporters[0].id).map((d) => d.target));
    for (const id of adsbHeard) assert.ok(seenIds.has(id), `aircraft ${id} heard on ADS-B is tracked with its identity`);
  }
  const mean = (k: 'idSwitches' | 'falseTracks') => perScene.reduce((a, x) => a + x[k], 0) / perScene.length;
  t.diagnostic(`per scene: ${perScene.map((x) => `${x.idSwitches} id switches, ${x.falseTracks.toFixed(2)} false tracks`).join('; ')}`);
  assert.ok(mean('falseTracks') < 2, `false tracks ${mean('falseTracks').toFixed(2)} at any time (mean of the scenes)`);
  assert.ok(mean('idSwitches') <= 20, `id switches ${mean('idSwitches').toFixed(1)} (mean of the scenes)`);
});

test('track: unusable inputs and outputs give one clear line and the right exit code', () => {
  const lines = scene.detections.slice(0, 200).map((d) => JSON.stringify(d));
  const f = writeScene(scene, lines);
  const missingDir = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, 'no', 'such', 'dir', 't.nd')]);
  assert.equal(missingDir.code, 1);
  assert.match(missingDir.stderr, /cannot write .*t\.nd: no such file or directory/);
  assert.doesNotMatch(missingDir.stderr, /\n\s+at /, 'no stack trace');
  const same = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', f.detections]);
  assert.equal(same.code, 2);
  assert.match(same.stderr, /--out .* is the same file as --detections .*: it would be overwritten/);
  assert.equal(readFileSync(f.detections, 'utf8').split('\n').length, 201, 'input left intact');
  // an oversized line, a line with terminal escapes and a stray time at the epoch, among good lines
  const mixed = [JSON.stringify({ ...scene.detections[0], t: 0, id: 'early' }), 'x'.repeat(2 << 20), '\u001b[2J\u001b]0;pwned\u0007', ...lines];
  const g = writeScene(scene, mixed);
  const started = Date.now();
  const r = runTrackCli(['--sensors', g.sensors, '--detections', g.detections, '--out', join(g.dir, 't.nd')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - started < 20000, 'a stray early time does not make the run crawl through the years');
  assert.match(r.stderr, /detections\.ndjson:2: line longer than 1048576 characters, skipped/);
  assert.ok(!r.stderr.includes('\u001b'), 'control characters are escaped');
  assert.match(r.stderr, /\\x1b/);
  assert.ok(readFileSync(join(g.dir, 't.nd'), 'utf8').length > 0, 'the good lines were tracked');
  // nothing usable: exit 1; an empty input: a warning, exit 0
  const bad = writeScene(scene, ['{}', '[1]', 'nope']);
  const rb = runTrackCli(['--sensors', bad.sensors, '--detections', bad.detections, '--out', join(bad.dir, 't.nd')]);
  assert.equal(rb.code, 1);
  assert.match(rb.stderr, /no detection could be used/);
  writeFileSync(bad.detections, '');
  const re = runTrackCli(['--sensors', bad.sensors, '--detections', bad.detections, '--out', join(bad.dir, 't.nd')]);
  assert.equal(re.code, 0);
  assert.match(re.stderr, /warning: the detections input is empty/);
});

test('score: reads tracks from standard input; an empty truth file is an error', () => {
  const f = writeScene(scene, scene.detections.slice(0, 500).map((d) => JSON.stringify(d)));
  const tracks = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', '-']);
  assert.equal(tracks.code, 0);
  const truthPath = join(f.dir, 'truth.ndjson');
  writeFileSync(truthPath, scene.truth.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = spawnSync(process.execPath, [bin, 'score', '--truth', truthPath, '--tracks', '-', '--json'], { encoding: 'utf8', input: tracks.stdout });
  assert.equal(r.status, 0, r.stderr);
  assert.ok((JSON.parse(r.stdout) as { targets_tracked: number }).targets_tracked > 0);
  writeFileSync(truthPath, '');
  const e = spawnSync(process.execPath, [bin, 'score', '--truth', truthPath, '--tracks', '-'], { encoding: 'utf8', input: tracks.stdout });
  assert.equal(e.status, 1);
  assert.match(e.stderr, /no truth rows to score against/);
});

/** Validates files with `xmllint --schema` against the bundled CAP 1.2 schema; xmllint is required (the test fails without it). Returns the files that failed, with xmllint's complaint. */
function xmllintCap(files: string[]): string[] {
  const schema = fileURLToPath(new URL('../../formats/schemas/cap12.xsd', import.meta.url));
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) assert.fail(`xmllint is required to validate CAP messages but could not be run (${r.error.message}); install it (Debian/Ubuntu: apt-get install libxml2-utils)`);
  return files.filter((f) => !r.stderr.includes(`${f} validates`)).map((f) => `${f}: ${r.stderr.split('\n').filter((l) => l.includes(f)).join(' | ')}`);
}

test('track --cap-dir: one schema-valid CAP message per alert event, Alert, Updates, then the all-clear (an Update, AllClear) with references', (t) => {
  const t0 = Math.min(...scene.truth.map((x) => x.t));
  const at = (id: string, dt: number) => scene.truth.find((r) => r.id === id && r.t >= t0 + dt)!;
  // 2 km squares on the paths of some drones about two minutes in; one zone far away
  const sq = (p: { lat: number; lon: number }, half = 0.009) => {
    const dl = half / Math.cos((p.lat * Math.PI) / 180);
    return [[[p.lon - dl, p.lat - half], [p.lon + dl, p.lat - half], [p.lon + dl, p.lat + half], [p.lon - dl, p.lat + half], [p.lon - dl, p.lat - half]]];
  };
  const feature = (id: string, name: string, geometry: unknown) => ({ type: 'Feature', properties: { id, name }, geometry });
  const zones = {
    type: 'FeatureCollection',
    features: [
      feature('z1', `Jongno-gu & <Palace> "north" 'gate'`, { type: 'Polygon', coordinates: sq(at('T1', 120)) }),
      feature('z2', '서울특별시 중구', { type: 'Polygon', coordinates: sq(at('T5', 150)) }),
      feature('z3', 'Coast & islands', { type: 'MultiPolygon', coordinates: [sq(at('T3', 120)), sq(at('T6', 120))] }),
      feature('far', 'Far away', { type: 'Polygon', coordinates: sq({ lat: 36, lon: 128 }) }),
    ],
  };
  const f = writeScene(scene);
  const zonesPath = join(f.dir, 'zones.geojson');
  writeFileSync(zonesPath, JSON.stringify(zones));
  const alerts = join(f.dir, 'alerts.ndjson');
  const capDir = join(f.dir, 'cap', 'out');
  const base = ['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, 'tracks.ndjson'), '--zones', zonesPath, '--alerts', alerts];
  const r = runTrackCli([...base, '--cap-dir', capDir, '--cap-sender', 'skywarden@e2e.example']);
  assert.equal(r.code, 0, r.stderr);
  const rows = readFileSync(alerts, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; zone: string; state: string });
  const files = readdirSync(capDir).sort();
  assert.match(r.stderr, new RegExp(`CAP messages written: ${files.length} `));
  // alerts.ndjson holds the changes of state; CAP has one message per change plus the Updates
  // of the picture's update policy (the same as the live service's)
  assert.ok(rows.some((x) => x.state === 'clear'), 'the scene has an all-clear');
  assert.ok(new Set(rows.map((x) => x.zone)).size >= 3, `zones raised: ${[...new Set(rows.map((x) => x.zone))]}`);
  assert.ok(!rows.some((x) => x.zone === 'far'));
  t.diagnostic(`${rows.length} alert changes (${rows.filter((x) => x.state === 'clear').length} all-clears) in zones ${[...new Set(rows.map((x) => x.zone))].join(', ')}; ${files.length} CAP files`);
  const bad = xmllintCap(files.map((n) => join(capDir, n)));
  assert.deepEqual(bad, [], 'every file validates against the CAP 1.2 schema');
  // the messages replay the rows: per zone Alert, (Update, ...), all-clear, Alert, ... with references to the episode
  const msgs = files.map((n) => {
    const m = readCapAlert(readFileSync(join(capDir, n), 'utf8'));
    assert.ok(m.ok, m.ok ? '' : m.error);
    assert.equal(`${m.alert.identifier}.xml`, n, 'file named after the identifier');
    return m.alert;
  });
  const isClear = (m: (typeof msgs)[number]) => m.info[0].parameters.state === 'clear';
  assert.equal(msgs.filter((m) => m.msgType === 'Alert' || isClear(m)).length, rows.length, 'one Alert or all-clear per alerts.ndjson row');
  for (const m of msgs.filter(isClear)) {
    assert.equal(m.msgType, 'Update', 'an all-clear is an Update (Cancel withdraws a message sent in error)');
    assert.deepEqual(m.info[0].responseType, ['AllClear']);
  }
  assert.ok(!msgs.some((m) => m.msgType === 'Cancel'));
  const byId = new Map(msgs.map((m) => [m.identifier, m]));
  const names = new Map(zones.features.map((z) => [z.properties.id, z.properties.name]));
  for (const zone of new Set(rows.map((x) => x.zone))) {
    const zr = rows.filter((x) => x.zone === zone);
    // in time order; messages of one second are numbered "-2", "-3", ... after the first
    const repeat = (id: string) => Number(/-(\d+)$/.exec(id)?.[1] ?? 1);
    const zm = msgs
      .filter((m) => m.info[0].parameters.zoneId === zone)
      .sort((a, b) => (a.sent < b.sent ? -1 : a.sent > b.sent ? 1 : repeat(a.identifier) - repeat(b.identifier)));
    assert.deepEqual(zm.filter((m) => m.msgType === 'Alert' || isClear(m)).map((m) => (isClear(m) ? 'AllClear' : m.msgType)), zr.map((x) => (x.state === 'alert' ? 'Alert' : 'AllClear')), `zone ${zone}`);
    let episode: typeof zm = [];
    for (const m of zm) {
      assert.equal(m.sender, 'skywarden@e2e.example');
      assert.equal(m.status, 'Exercise');
      assert.match(m.sent, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      assert.equal(m.info[0].areas[0].areaDesc, names.get(zone));
      assert.equal(m.info[0].areas[0].polygons.length, zone === 'z3' ? 2 : 1);
      if (m.msgType === 'Alert') assert.deepEqual(m.references, []);
      else {
        // an Update or the all-clear refers to every earlier message of its episode, the Alert first
        assert.deepEqual(m.references.map((r) => r.identifier), episode.map((x) => x.identifier), `references of ${m.identifier}`);
        const prev = byId.get(m.references[0].identifier);
        assert.ok(prev, 'the reference names a written message');
        assert.equal(prev.msgType, 'Alert');
        assert.equal(m.references[0].sent, prev.sent);
      }
      episode = isClear(m) ? [] : [...episode, m];
    }
  }
  // --cap-dir without zones is a usage error; a folder that cannot be made is one clear line
  const noZones = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, 't2.nd'), '--cap-dir', capDir]);
  assert.equal(noZones.code, 2);
  assert.match(noZones.stderr, /--cap-dir and --cap-sender need --zones and --alerts/);
  const underFile = runTrackCli([...base, '--cap-dir', join(f.sensors, 'cap')]);
  assert.equal(underFile.code, 1);
  assert.match(underFile.stderr, /cannot write .*sensors\.json\/cap: a part of the path is not a directory/);
  assert.doesNotMatch(underFile.stderr, /\n\s+at /, 'no stack trace');
  const isFile = runTrackCli([...base, '--cap-dir', f.sensors]);
  assert.equal(isFile.code, 1);
  assert.match(isFile.stderr, /cannot write CAP files to .*sensors\.json: it is not a directory/);
  const badSender = runTrackCli([...base, '--cap-dir', capDir, '--cap-sender', 'a b']);
  assert.equal(badSender.code, 1);
  assert.match(badSender.stderr, /--cap-sender is not a CAP sender id: it must be non-empty, with no spaces, commas, < or &/);
  // a sender that would not read as written (a right-to-left override) or that fills a message is refused too
  const rtlSender = runTrackCli([...base, '--cap-dir', capDir, '--cap-sender', 'civil-defence@\u202Egro.elpmaxe']);
  assert.equal(rtlSender.code, 1);
  assert.match(rtlSender.stderr, /--cap-sender is not a CAP sender id: the sender has a bidirectional control .*\(U\+202E\) at character 14/);
  const longSender = runTrackCli([...base, '--cap-dir', capDir, '--cap-sender', `a@${'b'.repeat(300)}`]);
  assert.equal(longSender.code, 1);
  assert.match(longSender.stderr, /--cap-sender is not a CAP sender id: it must be at most 256 characters, got 302/);
  assert.ok(!existsSync(join(capDir, '.skywarden-probe-0')));
  const help = spawnSync(process.execPath, [bin, 'track', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /--cap-dir DIR/);
});

test('track: the warnings in a worker thread (the default) give the alerts and CAP messages of --one-thread, and the same tracks', async () => {
  const t0 = Math.min(...scene.truth.map((x) => x.t));
  // a 4 km square on the path of each drone two minutes in: every drone threatens a zone
  const ids = [...new Set(scene.truth.map((x) => x.id))];
  const features = ids.map((id, i) => {
    const p = scene.truth.find((r) => r.id === id && r.t >= t0 + 120) ?? scene.truth.find((r) => r.id === id)!;
    const half = 0.018;
    const dl = half / Math.cos((p.lat * Math.PI) / 180);
    return { type: 'Feature', properties: { id: `z${i}`, name: `zone ${i}` }, geometry: { type: 'Polygon', coordinates: [[[p.lon - dl, p.lat - half], [p.lon + dl, p.lat - half], [p.lon + dl, p.lat + half], [p.lon - dl, p.lat + half], [p.lon - dl, p.lat - half]]] } };
  });
  const f = writeScene(scene);
  const zonesPath = join(f.dir, 'zones.geojson');
  writeFileSync(zonesPath, JSON.stringify({ type: 'FeatureCollection', features }));
  const run = (name: string, extra: string[]) => {
    const capDir = join(f.dir, `cap-${name}`);
    const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, `${name}.tracks`), '--zones', zonesPath, '--alerts', join(f.dir, `${name}.alerts`), '--cap-dir', capDir, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    // the CAP messages, without what depends on the wall clock (sent, and the identifiers made from it)
    const cap = readdirSync(capDir).map((n) => {
      const m = readCapAlert(readFileSync(join(capDir, n), 'utf8'));
      assert.ok(m.ok, m.ok ? '' : m.error);
      const i = m.alert.info[0];
      return JSON.stringify([m.alert.msgType, i.parameters, i.responseType, m.alert.references.length]);
    });
    return { tracks: readFileSync(join(f.dir, `${name}.tracks`), 'utf8'), alerts: readFileSync(join(f.dir, `${name}.alerts`), 'utf8'), cap: cap.sort() };
  };
  const worker = run('worker', []);
  const one = run('one', ['--one-thread']);
  const rows = worker.alerts.trim().split('\n');
  assert.ok(rows.length >= 4 && worker.cap.length >= rows.length, `a scene with alerts (${rows.length} changes, ${worker.cap.length} CAP messages)`);
  assert.equal(worker.alerts, one.alerts, 'alerts.ndjson: the same rows in the same order');
  assert.deepEqual(worker.cap, one.cap, 'the same CAP messages');
  assert.equal(worker.tracks, one.tracks, 'the same tracks');

  // the whole event sequence (raises, Updates, clears) through the library, in order, and which thread predicted
  const zones = parseZonesGeoJson(JSON.stringify({ type: 'FeatureCollection', features }));
  assert.ok(zones.ok);
  const events = async (warningsWorker: boolean) => {
    const seen: string[] = [];
    const summary = await runTrack({
      sensorsText: readFileSync(f.sensors, 'utf8'),
      sensorsName: 'sensors.json',
      detections: Readable.from([readFileSync(f.detections, 'utf8')]),
      detectionsName: 'detections.ndjson',
      detectionsSize: 0,
      out: new Writable({ write: (_c, _e, cb) => cb() }),
      alerts: new Writable({ write: (_c, _e, cb) => cb() }),
      zones: zones.ok ? zones.zones : [],
      reportEvery: 1,
      reorderDelay: 5,
      strict: false,
      log: () => {},
      progress: false,
      warningsWorker,
      onAlertEvent: (e: AlertEvent) => seen.push(`${e.action} ${e.t} ${e.change.zone} ${e.change.tier ?? ''} ${e.change.etaS ?? ''} ${e.change.tracks.join(',')}`),
    });
    return { seen, thread: summary.warningsThread };
  };
  const a = await events(true);
  const b = await events(false);
  assert.equal(a.thread, 'worker');
  assert.equal(b.thread, 'main');
  assert.ok(a.seen.some((x) => x.startsWith('updated')) || a.seen.length >= 4, `events: ${a.seen.length}`);
  assert.deepEqual(a.seen, b.seen, 'the same alert events, Updates included, in the same order');
});

test('track: a run that fails with the warnings in a worker thread ends and says why (the worker does not keep the process up)', () => {
  // a run that throws after its read loop: 30 lines far behind the others make the "is the file
  // sorted?" warning, and the log fails on it
  const late = scene.detections.slice(0, 30).map((d, i) => ({ ...d, t: d.t - 100, id: `late-${i}` }));
  const f = writeScene({ sensors: scene.sensors, detections: [...scene.detections.slice(0, 2000), ...late] });
  const zonesPath = join(f.dir, 'zones.geojson');
  writeFileSync(zonesPath, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'z', name: 'z' }, geometry: { type: 'Polygon', coordinates: [[[126, 37], [128, 37], [128, 38], [126, 38], [126, 37]]] } }] }));
  const script = `
    import { readFileSync } from 'node:fs';
    import { Readable } from 'node:stream';
    import { parseZonesGeoJson } from '@skywarden/formats';
    import { runTrack } from ${JSON.stringify(new URL('./track.js', import.meta.url).href)};
    const zones = parseZonesGeoJson(readFileSync(${JSON.stringify(zonesPath)}, 'utf8'));
    try {
      await runTrack({ sensorsText: readFileSync(${JSON.stringify(f.sensors)}, 'utf8'), sensorsName: 's', detections: Readable.from([readFileSync(${JSON.stringify(f.detections)}, 'utf8')]), detectionsName: 'd', detectionsSize: 0,
        out: { write() { return true; } }, alerts: { write() { return true; } }, zones: zones.zones, reportEvery: 1, reorderDelay: 5, strict: false,
        log: (line) => { if (line.startsWith('warning:')) throw new Error('the log is gone'); }, progress: false, warningsWorker: true });
      console.log('no error');
    } catch (err) { console.log('failed: ' + err.message); }
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  assert.equal(r.signal, null, `the process ended by itself (it was killed: ${r.signal}); stderr: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^failed: the log is gone$/m);
});

test('track --alert-policy: a stricter raise threshold raises later and never more; bad policies are usage errors naming the key', () => {
  const t0 = Math.min(...scene.truth.map((x) => x.t));
  const at = (id: string, dt: number) => scene.truth.find((r) => r.id === id && r.t >= t0 + dt)!;
  const sq = (p: { lat: number; lon: number }, half = 0.018) => {
    const dl = half / Math.cos((p.lat * Math.PI) / 180);
    return [[[p.lon - dl, p.lat - half], [p.lon + dl, p.lat - half], [p.lon + dl, p.lat + half], [p.lon - dl, p.lat + half], [p.lon - dl, p.lat - half]]];
  };
  const zones = {
    type: 'FeatureCollection',
    features: ['T1', 'T3', 'T5', 'T6'].map((id, i) => ({ type: 'Feature', properties: { id: `z${i}`, name: `zone ${i}` }, geometry: { type: 'Polygon', coordinates: sq(at(id, 240)) } })),
  };
  const f = writeScene(scene);
  const zonesPath = join(f.dir, 'zones.geojson');
  writeFileSync(zonesPath, JSON.stringify(zones));
  const run = (name: string, policy?: string) => {
    const alerts = join(f.dir, `${name}.ndjson`);
    const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, `${name}-tracks.ndjson`), '--zones', zonesPath, '--alerts', alerts, ...(policy ? ['--alert-policy', policy] : [])]);
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(alerts, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: number; zone: string; state: string });
  };
  const firstRaise = (rows: { t: number; zone: string; state: string }[]) => new Map(rows.filter((x) => x.state === 'alert').reverse().map((x) => [x.zone, x.t]));
  const dflt = run('default');
  const same = run('explicit', '{"p_raise": 0.5, "p_raise_imminent": 0.3, "p_raise_imprecise": 0.3, "imprecise_sd_m": 500}');
  assert.deepEqual(same, dflt, 'the defaults spelt out change nothing');
  const strict = run('strict', '{"p_raise": 0.9, "p_raise_imminent": 0.9, "p_raise_imprecise": 0.9}');
  const d = firstRaise(dflt);
  const s = firstRaise(strict);
  assert.ok(d.size >= 3, `zones raised by default: ${[...d.keys()]}`);
  assert.ok(strict.filter((x) => x.state === 'alert').length <= dflt.filter((x) => x.state === 'alert').length, 'never more raises');
  let later = 0;
  for (const [zone, t] of s) {
    assert.ok(d.has(zone), `${zone} raised by the strict policy only`);
    assert.ok(t >= d.get(zone)!, `${zone}: strict ${t} before default ${d.get(zone)}`);
    if (t > d.get(zone)!) later++;
  }
  assert.ok(later + (d.size - s.size) > 0, 'the strict policy changed something');
  // bad policies: usage errors (exit 2) that name the key
  const base = ['--sensors', f.sensors, '--detections', f.detections, '--out', join(f.dir, 'bad.ndjson')];
  const withZones = [...base, '--zones', zonesPath, '--alerts', join(f.dir, 'bad-alerts.ndjson')];
  for (const [policy, message] of [
    ['{"p_raise": 2}', /--alert-policy: p_raise must be a number in \[0.15, 1\], got 2/],
    ['{"p_rise": 0.5}', /--alert-policy: unknown key "p_rise" \(known: p_raise, p_raise_imminent, p_raise_imprecise, imprecise_sd_m\)/],
    ['{"imprecise_sd_m": -1}', /imprecise_sd_m must be a number in \[0, 1000000\], got -1/],
    ['[0.5]', /--alert-policy: an object of p_raise/],
    ['{p_raise', /--alert-policy: not JSON/],
    ['{"p_raise_imminent": 0.1}', /p_raise_imminent must be a number in \[0.15, 1\], got 0.1/],
  ] as const) {
    const r = runTrackCli([...withZones, '--alert-policy', policy]);
    assert.equal(r.code, 2, `${policy}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const noZones = runTrackCli([...base, '--alert-policy', '{"p_raise": 0.5}']);
  assert.equal(noZones.code, 2);
  assert.match(noZones.stderr, /--alert-policy needs --zones and --alerts/);
});

test('track --associator jpda: weighs the plots that close drones share; a wrong name is refused', () => {
  const bad = runTrackCli(['--sensors', 'a', '--detections', 'b', '--out', 'c', '--associator', 'mht']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--associator: "gnn" or "jpda", got "mht"/);
  // 60 drones in a 15 km square under two radars: plots of close pairs fall in one another's gates
  const dense = makeRadarScene({ seed: 4, nTargets: 60, durationS: 200, clutterPerScan: 2, nRadars: 2, regionM: 15000 });
  const f = writeScene(dense);
  const t0 = Math.min(...dense.truth.map((x) => x.t));
  const runs = (['gnn', 'jpda'] as const).map((a) => {
    const out = join(f.dir, `tracks-${a}.ndjson`);
    const r = runTrackCli(['--sensors', f.sensors, '--detections', f.detections, '--out', out, '--associator', a]);
    assert.equal(r.code, 0, r.stderr);
    return { text: readFileSync(out, 'utf8'), score: scoreTracks(truthOf(dense, t0 + 30), readTracks(out).filter((p) => p.t >= t0 + 30)) };
  });
  assert.notEqual(runs[0].text, runs[1].text, 'the associator made no difference');
  // as held and as accurate (the dense bench's figures are in docs/tracker.md)
  assert.ok(runs[1].score.gospa <= runs[0].score.gospa * 1.1, `GOSPA ${runs[1].score.gospa.toFixed(0)} m with JPDA, ${runs[0].score.gospa.toFixed(0)} m with GNN`);
});
