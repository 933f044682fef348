#!/usr/bin/env node
// A national night replayed as a user would (opt-in: `npm run bench:national`). The scene
// (bench/national.yaml: 800 drones in waves over 3 hours and 10 aircraft, 14,161 microphones on
// a jittered 5 km grid, 4 radars, 8,000 phone observers, 103 zones) is simulated once into
// bench/results/national-scene-<key>/ (kept: later runs reuse it while the scenario and the
// simulator's built code are unchanged: the key hashes both);
// then `skywarden track --zones --alerts` runs on the files in a child process, timed from its
// start to its exit (reading, tracking, threat prediction, alerts, writing), with its peak
// resident memory; then `skywarden score` gives the accuracy (tracks, observable coverage by
// what observed the target, warnings). Writes bench/results/national.json and prints it.
// Options: --scenario FILE (default bench/national.yaml), --hours H and --drones N (a shorter or
// smaller night; its own scene folder), --regen (simulate again), --no-score, --one-thread (the warnings in the
// main thread, as before 2026-12-05: for comparison).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = `${root}packages/cli/bin/skywarden.js`;
const scenarioFile = arg('scenario', `${root}bench/national.yaml`);
const scenario = parse(readFileSync(scenarioFile, 'utf8'));
if (arg('hours', null) !== null) scenario.duration_s = Math.round(Number(arg('hours')) * 3600);
if (arg('drones', null) !== null) scenario.raid = { ...scenario.raid, drones: Number(arg('drones')) };
const text = stringify(scenario);
// the scene depends on the scenario and on the simulator's code: both go into the folder's key
const keyHash = createHash('sha256').update(text);
const simDist = `${root}packages/sim/dist`;
for (const f of readdirSync(simDist, { recursive: true }).map(String).filter((f) => f.endsWith('.js')).sort()) keyHash.update(f).update(readFileSync(`${simDist}/${f}`));
const key = keyHash.digest('hex').slice(0, 12);
const dir = `${root}bench/results/national-scene-${key}`;
mkdirSync(dir, { recursive: true });
const files = { sensors: `${dir}/sensors.json`, detections: `${dir}/detections.ndjson`, truth: `${dir}/truth.ndjson`, zones: `${dir}/zones.geojson` };

const run = (argv, label) => {
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return r;
};

// `complete` is written after a whole simulation: an interrupted one is done again
if (args.includes('--regen') || !existsSync(`${dir}/complete`) || !Object.values(files).every((f) => existsSync(f))) {
  rmSync(`${dir}/complete`, { force: true });
  writeFileSync(`${dir}/scenario.yaml`, text);
  process.stderr.write(`simulating ${scenarioFile} into ${dir} ...\n`);
  const t0 = performance.now();
  run([bin, 'simulate', '--scenario', `${dir}/scenario.yaml`, '--annotate', '--out', dir], 'simulate');
  writeFileSync(`${dir}/complete`, new Date().toISOString());
  process.stderr.write(`  ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const countLines = (f) => { const b = readFileSync(f); let n = 0; for (let i = 0; i < b.length; i++) if (b[i] === 10) n++; return n; };
const detections = countLines(files.detections);
const sensors = JSON.parse(readFileSync(files.sensors, 'utf8')).sensors;
const byKind = {};
for (const s of sensors) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
const zones = JSON.parse(readFileSync(files.zones, 'utf8')).features.length;

// the child reports its own peak resident memory (getrusage) when it exits
const rssHook = `data:text/javascript,${encodeURIComponent("import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, '\\nmaxrss_kb ' + process.resourceUsage().maxRSS + '\\n'));")}`;
const out = { tracks: `${dir}/tracks.ndjson`, alerts: `${dir}/alerts.ndjson` };
process.stderr.write(`tracking ${detections} detections ...\n`);
const t0 = performance.now();
// --one-thread: the warnings in the main thread too (by default `skywarden track` predicts them in a worker thread)
const tr = run(['--import', rssHook, bin, 'track', '--sensors', files.sensors, '--detections', files.detections, '--zones', files.zones, '--alerts', out.alerts, '--out', out.tracks, ...(args.includes('--one-thread') ? ['--one-thread'] : [])], 'track');
const wallSeconds = (performance.now() - t0) / 1000;
const maxRssKb = Number(/maxrss_kb (\d+)/.exec(tr.stderr)?.[1]);
if (!(maxRssKb > 0)) throw new Error(`the track run did not report its peak memory (maxrss_kb): ${tr.stderr.slice(-500)}`);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  scenario: scenarioFile.replace(root, ''),
  hours: scenario.duration_s / 3600,
  drones: scenario.raid?.drones,
  warningsInWorker: !args.includes('--one-thread'),
  sensors: byKind,
  zones,
  detections,
  detectionsMB: statSync(files.detections).size / 1e6,
  wallSeconds,
  detectionsPerSecond: detections / wallSeconds,
  realTimeFactor: scenario.duration_s / wallSeconds,
  // getrusage's maxrss is in KiB
  peakRssMB: (maxRssKb * 1024) / 1e6,
  trackRows: countLines(out.tracks),
  alertChanges: countLines(out.alerts),
};
if (!args.includes('--no-score')) {
  const sc = JSON.parse(run([bin, 'score', '--truth', files.truth, '--tracks', out.tracks, '--zones', files.zones, '--alerts', out.alerts, '--detections', files.detections, '--sensors', files.sensors, '--json'], 'score').stdout);
  const c = sc.coverage ?? {};
  const share = (k) => c.categories?.[k]?.covered_share;
  result.accuracy = {
    gospa_m: sc.gospa_m, missed_m: sc.missed_m, false_m: sc.false_m, median_error_m: sc.median_error_m, id_switches: sc.id_switches,
    targets_tracked: sc.targets_tracked, targets: sc.targets, mean_false_tracks: sc.mean_false_tracks,
    observable_missed_share: c.missed_share, covered_presence: share('presence'), covered_bearings: share('bearings'), covered_mixed: share('mixed'), covered_observers: share('observers'), covered_radar: share('radar'),
    warning_coverage: sc.warning_coverage, median_lead_s: sc.median_lead_s, alert_episodes: sc.alert_episodes, false_alert_episodes: sc.false_alert_episodes, alert_zone_hours: sc.alert_zone_hours,
  };
}
console.log(JSON.stringify(result, null, 2));
writeFileSync(new URL('./results/national.json', import.meta.url), JSON.stringify(result, null, 2));
