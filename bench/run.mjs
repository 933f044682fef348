#!/usr/bin/env node
// Skywarden benchmark: tracker speed, memory and accuracy on seeded radar scenes of 10, 100
// and 1,000 simultaneous targets, and on a mixed raid. Prints a table, writes
// bench/results/tracker.json and the HTML report bench/results/report.html (bench/report.mjs
// renders it again from the JSON alone).
// Usage: npm run bench [-- --quick]   (--quick: shorter scenes)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTracker, createBatchRunner, createWarningRunner, createWarningScorer, horizontalDistance, scoreTracks } from '@skywarden/core';
import { parseSensorsJson, parseDetectionLine, parseZonesGeoJson, formatTrackRow, trackReportToRow } from '@skywarden/formats';
import { makeDistrictZones, makeMixedScene, makeRadarScene, makeSmallScene } from '@skywarden/sim';
import { binHistogram, binSeries, compactJson, mapData } from './report-data.mjs';
import { renderReport } from './report.mjs';

const quick = process.argv.includes('--quick');
// --associator gnn|jpda: the tracker's data associator (tracker option `associator`; default: the tracker's)
const associatorArg = process.argv.includes('--associator') ? process.argv[process.argv.indexOf('--associator') + 1] : undefined;
const sizes = [10, 100, 1000];
const duration = quick ? 120 : 300;
const results = [];
const benchStart = performance.now();

// Plain-language description of a scene for the report, from what the simulator made.
const CLASS_NAMES = {
  piston_owa: ['piston one-way-attack drone', 'piston one-way-attack drones'],
  jet_owa: ['jet one-way-attack drone', 'jet one-way-attack drones'],
  cruise_missile: ['cruise missile', 'cruise missiles'],
  aircraft: ['airliner', 'airliners'],
  helicopter: ['helicopter', 'helicopters'],
};
const plural = (n, [one, many]) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
function describeScene(scene, durationS, clutterPerScan) {
  const classOf = new Map();
  for (const r of scene.truth) classOf.set(r.id, r.class ?? 'unknown');
  const perClass = new Map();
  for (const c of classOf.values()) perClass.set(c, (perClass.get(c) ?? 0) + 1);
  const order = Object.keys(CLASS_NAMES);
  const rank = (c) => (order.includes(c) ? order.indexOf(c) : order.length);
  const who = [...perClass].sort((a, b) => rank(a[0]) - rank(b[0])).map(([c, n]) => plural(n, CLASS_NAMES[c] ?? [c, c])).join(', ');
  const kinds = new Map();
  for (const s of scene.sensors) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
  const sensorText = [];
  const scans = scene.sensors.filter((s) => s.kind === 'radar' && s.scan_period_s).map((s) => s.scan_period_s);
  if (kinds.get('radar')) {
    const scan = scans.length ? `, turning every ${Math.min(...scans).toFixed(1)}${scans.length > 1 ? `-${Math.max(...scans).toFixed(1)}` : ''} s` : '';
    sensorText.push(`${plural(kinds.get('radar'), ['rotating radar', 'rotating radars'])}${scan}${clutterPerScan ? ` with ${clutterPerScan} clutter plots per scan` : ''}`);
  }
  if (kinds.get('acoustic')) sensorText.push(`${plural(kinds.get('acoustic'), ['microphone node', 'microphone nodes'])} (presence and bearing arrays, with false alarms)`);
  if (kinds.get('observer')) sensorText.push(`${plural(kinds.get('observer'), ['person reporting by phone', 'people reporting by phone'])}`);
  if (kinds.get('adsb')) sensorText.push(`${plural(kinds.get('adsb'), ['ADS-B receiver', 'ADS-B receivers'])} for the cooperative air traffic`);
  for (const [k, n] of kinds) if (!['radar', 'acoustic', 'observer', 'adsb'].includes(k)) sensorText.push(plural(n, [`${k} sensor`, `${k} sensors`]));
  const region = scene.regionM ? ` over a ${(scene.regionM / 1000).toFixed(0)} km square` : '';
  return `${durationS} s${region}: ${who}, watched by ${sensorText.join('; ')}.`;
}

function runOnce(scene, detections) {
  const tracker = createTracker({ origin: scene.origin, ...(associatorArg ? { associator: associatorArg } : {}) });
  const rows = [];
  let confirmed = 0;
  const runner = createBatchRunner(tracker, {}, {
    onReport: (t, reps) => { for (const r of reps) rows.push(r); },
    onEvents: (ev) => { for (const e of ev) if (e.type === 'confirmed') confirmed++; },
  });
  const t0 = performance.now();
  for (const d of detections) runner.push(d);
  runner.finish();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, rows, confirmed };
}

const scenes = [
  ...sizes.map((n) => ({ name: `radar ${n}`, targets: n, durationS: duration, clutterPerScan: 5, make: () => makeRadarScene({ seed: 7, nTargets: n, durationS: duration, clutterPerScan: 5, nRadars: 2 }) })),
  { name: 'small preset', targets: 6, durationS: 600, clutterPerScan: 1, districts: 4, make: () => makeSmallScene({ seed: 7 }) },
  { name: 'mixed 50', targets: 50, durationS: quick ? 300 : 600, clutterPerScan: 0, districts: 8, make: () => makeMixedScene({ seed: 7, nDrones: 50, durationS: quick ? 300 : 600 }) },
];
for (const sc of scenes) {
  const n = sc.targets;
  const scene = sc.make();
  const sensors = parseSensorsJson(JSON.stringify({ sensors: scene.sensors })).sensors;
  const lines = scene.detections.map((d) => JSON.stringify(d));
  // parsing speed (formats), measured apart from the tracker
  const tp = performance.now();
  const detections = [];
  for (let i = 0; i < lines.length; i++) {
    const r = parseDetectionLine(lines[i], i + 1, sensors);
    if (r && r.ok) detections.push(r.detection);
  }
  const parseSeconds = (performance.now() - tp) / 1000;
  // a warm-up run (JIT), then three measured runs: the median is reported
  runOnce(scene, detections);
  const runs = [];
  let heapGrowth = 0;
  for (let k = 0; k < 3; k++) {
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    runs.push(runOnce(scene, detections));
    heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - heapBefore);
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const run = runs[1];
  // warnings: districts over the scene's region, alerts from the tracks, scored against the truth
  let warnings = null;
  if (sc.districts) {
    const fc = makeDistrictZones({ origin: scene.origin, widthM: scene.regionM, heightM: scene.regionM, nx: sc.districts, ny: sc.districts, leadS: 300 });
    const zones = parseZonesGeoJson(JSON.stringify(fc));
    if (!zones.ok) throw new Error(zones.errors.join('; '));
    const wr = createWarningRunner(zones.zones);
    const changes = [];
    const byT = new Map();
    for (const r of run.rows) {
      if (!byT.has(r.t)) byT.set(r.t, []);
      byT.get(r.t).push(r);
    }
    const tw = performance.now();
    for (const t of [...byT.keys()].sort((a, b) => a - b)) changes.push(...wr.onReport(t, byT.get(t)));
    const warnSeconds = (performance.now() - tw) / 1000;
    const ws = createWarningScorer(zones.zones);
    const truthTimes = new Map();
    for (const r of scene.truth) {
      if (!truthTimes.has(r.t)) truthTimes.set(r.t, []);
      truthTimes.get(r.t).push({ id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } });
    }
    for (const t of [...truthTimes.keys()].sort((a, b) => a - b)) ws.addTruth(t, truthTimes.get(t));
    const w = ws.result(changes);
    warnings = { zones: zones.zones.length, entries: w.entries, warned: w.warned, coverage: w.coverage, medianLeadS: w.medianLeadS, p10LeadS: w.p10LeadS, episodes: w.episodes, falseEpisodes: w.falseEpisodes, alertZoneHours: w.alertZoneHours, seconds: warnSeconds };
  }
  // output formatting speed
  const tf = performance.now();
  let bytes = 0;
  for (const r of run.rows) bytes += formatTrackRow(trackReportToRow(r)).length + 1;
  const formatSeconds = (performance.now() - tf) / 1000;
  const truth = scene.truth.map((r) => ({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } }));
  const est = run.rows.map((r) => ({ t: r.t, id: r.trackId, position: r.position }));
  const s = scoreTracks(truth, est);
  // identification: each track row near a true target (within 1 km) votes its most probable
  // class against the target's true class
  const truthByT = new Map();
  for (const r of scene.truth) {
    if (!truthByT.has(r.t)) truthByT.set(r.t, []);
    truthByT.get(r.t).push(r);
  }
  let idRight = 0;
  let idAll = 0;
  let threatOk = 0;
  for (const r of run.rows) {
    const ts = truthByT.get(r.t);
    if (!ts || !r.classProbs) continue;
    let best = null;
    let bestD = 1000;
    for (const x of ts) {
      const d = horizontalDistance({ latDeg: x.lat, lonDeg: x.lon, altM: 0 }, r.position);
      if (d < bestD) {
        bestD = d;
        best = x;
      }
    }
    if (!best || !best.class) continue;
    const top = Object.entries(r.classProbs).sort((a, b) => b[1] - a[1])[0][0];
    idAll++;
    if (top === best.class) idRight++;
    const isThreat = ['piston_owa', 'jet_owa', 'cruise_missile'].includes(best.class);
    if ((r.threatProbability > 0.5) === isThreat) threatOk++;
  }
  results.push({
    scene: sc.name,
    targets: n,
    durationS: sc.durationS,
    radars: scene.radars.length,
    targetsInTruth: new Set(scene.truth.map((x) => x.id)).size,
    detections: detections.length,
    trackerSeconds: run.seconds,
    detectionsPerSecond: detections.length / run.seconds,
    microsecondsPerDetection: (run.seconds * 1e6) / detections.length,
    parseLinesPerSecond: lines.length / parseSeconds,
    formatRowsPerSecond: run.rows.length / formatSeconds,
    outputBytes: bytes,
    heapGrowthMB: heapGrowth / 1e6,
    rssMB: process.memoryUsage().rss / 1e6,
    tracksConfirmed: run.confirmed,
    gospa: s.gospa, localisation: s.localisation, missed: s.missed, false: s.false,
    medianErrorM: s.medianError, p95ErrorM: s.p95Error, rmsErrorM: s.rmsError,
    idSwitches: s.idSwitches,
    warnings,
    classAccuracy: idAll > 0 ? idRight / idAll : NaN,
    threatAccuracy: idAll > 0 ? threatOk / idAll : NaN, targetsTracked: s.targetsTracked, meanFalseTracks: s.meanFalseTracks, meanMissedTargets: s.meanMissedTargets,
    // for the HTML report (bench/report.mjs)
    description: describeScene(scene, sc.durationS, sc.clutterPerScan),
    t0: scene.t0,
    series: binSeries(s.series, scene.t0),
    errorHistogram: binHistogram(s.errorHistogram, 10),
    map: mapData({ truth: scene.truth, rows: run.rows, sensors: scene.sensors, centre: scene.origin, t0: scene.t0 }),
  });
  const r = results.at(-1);
  console.error(`${sc.name}: ${r.detections} detections, ${Math.round(r.detectionsPerSecond)} det/s`);
}

// End-to-end command line on files: wall time and peak memory for the 1,000-target scene at
// two lengths (the second twice the first): streaming means the peak does not grow with it.
const cli = [];
{
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-bench-'));
  const bin = fileURLToPath(new URL('../packages/cli/bin/skywarden.js', import.meta.url));
  const hasTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  for (const dur of quick ? [60, 120] : [300, 600]) {
    const scene = makeRadarScene({ seed: 7, nTargets: 1000, durationS: dur, clutterPerScan: 5, nRadars: 2 });
    const sensorsPath = join(dir, `sensors-${dur}.json`);
    const detPath = join(dir, `detections-${dur}.ndjson`);
    writeFileSync(sensorsPath, JSON.stringify({ sensors: scene.sensors }));
    writeFileSync(detPath, scene.detections.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const args = [bin, 'track', '--sensors', sensorsPath, '--detections', detPath, '--out', join(dir, `tracks-${dur}.ndjson`)];
    const t0 = performance.now();
    const r = hasTime
      ? spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, ...args], { encoding: 'utf8' })
      : spawnSync(process.execPath, args, { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    const m = /maxrss_kb=(\d+)/.exec(r.stderr ?? '');
    cli.push({ targets: 1000, durationS: dur, detections: scene.detections.length, seconds, detectionsPerSecond: scene.detections.length / seconds, peakRssMB: m ? Number(m[1]) / 1024 : null, exitCode: r.status });
    if (r.status !== 0) {
      // keep the end of its stderr for the report: a failed run's speed means nothing
      const tail = (r.stderr ?? '').replace(/maxrss_kb=\d+\s*$/, '').trim().split('\n').slice(-5).join('\n');
      cli.at(-1).stderrTail = tail || (r.error ? String(r.error) : '');
      console.error(`cli ${dur} s: FAILED with exit code ${r.status}: ${cli.at(-1).stderrTail}`);
    }
    console.error(`cli ${dur} s: ${scene.detections.length} detections in ${seconds.toFixed(1)} s`);
  }
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : String(v));
console.log(`\nTracker benchmark (node ${process.version}, one core). radar N: ${duration} s, N drones, 2 radars, 5 clutter plots per scan. mixed 50: ${quick ? 300 : 600} s, 50 drones (some jets) over 600 microphones, 1 radar, 300 phone observers, airliners and helicopters with ADS-B\n`);
console.log('| scene | detections | tracker det/s | µs/det | parse lines/s | heap MB | GOSPA m | loc | missed | false | median err m | p95 err m | id switches | tracked | confirmed | class right | threat right |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.scene} | ${r.detections} | ${fmt(r.detectionsPerSecond)} | ${fmt(r.microsecondsPerDetection, 2)} | ${fmt(r.parseLinesPerSecond)} | ${fmt(r.heapGrowthMB, 1)} | ${fmt(r.gospa, 1)} | ${fmt(r.localisation, 1)} | ${fmt(r.missed, 1)} | ${fmt(r.false, 1)} | ${fmt(r.medianErrorM, 1)} | ${fmt(r.p95ErrorM, 1)} | ${r.idSwitches} | ${r.targetsTracked}/${r.targetsInTruth} | ${r.tracksConfirmed} | ${fmt(100 * r.classAccuracy, 1)}% | ${fmt(100 * r.threatAccuracy, 1)}% |`);
}
const withWarn = results.filter((r) => r.warnings);
if (withWarn.length > 0) {
  console.log('\nWarnings (generated districts with a 300 s lead time; alerts from the tracks; spec scoring):\n');
  console.log('| scene | zones | zone entries | warned | coverage | median lead s | p10 lead s | alert episodes | false episodes | alert zone-hours | time s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of withWarn) {
    const w = r.warnings;
    console.log(`| ${r.scene} | ${w.zones} | ${w.entries} | ${w.warned} | ${fmt(100 * w.coverage, 1)}% | ${fmt(w.medianLeadS)} | ${fmt(w.p10LeadS)} | ${w.episodes} | ${w.falseEpisodes} | ${fmt(w.alertZoneHours, 2)} | ${fmt(w.seconds, 2)} |`);
  }
}
console.log('\nCommand line end to end (parse, track, write tracks.ndjson), 1,000 targets:\n');
console.log('| scene length s | detections | wall s | det/s | peak RSS MB |');
console.log('|---|---|---|---|---|');
for (const c of cli) console.log(`| ${c.durationS} | ${c.detections} | ${fmt(c.seconds, 1)} | ${fmt(c.detectionsPerSecond)} | ${c.peakRssMB === null ? 'n/a' : fmt(c.peakRssMB)} |`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const cpu = cpus();
const machine = { cpu: cpu[0]?.model?.trim() ?? 'unknown', cores: cpu.length, platform: platform(), arch: arch(), release: release(), memoryGB: totalmem() / 1e9 };
const data = { date: new Date().toISOString(), node: process.version, quick, benchSeconds: (performance.now() - benchStart) / 1000, machine, results, cli };
const json = compactJson(data) + '\n';
writeFileSync(new URL('./results/tracker.json', import.meta.url), json);
console.log('\nwritten bench/results/tracker.json');
// the report is drawn from the JSON as written, exactly as `node bench/report.mjs` would
writeFileSync(new URL('./results/report.html', import.meta.url), renderReport(JSON.parse(json)));
console.log('written bench/results/report.html');
