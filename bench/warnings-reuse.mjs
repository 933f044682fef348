#!/usr/bin/env node
// The warnings with and without reuse of threat predictions (issue 16; docs/warnings.md
// "Reusing a prediction"), on the reports of one recorded scene. Not a test.
//
// The scene's detections are tracked once, as `skywarden track` does (the picture, no zones),
// and every report batch is kept; then warning runners (threat predictor + alert machine, as the
// picture wires them) are fed the same batches under several settings: no reuse at five phases
// of the 5 s warning cadence (the first update at the first, second, ... fifth report time: an
// arbitrary choice, so their spread is the noise of the figures), and reuse at the default
// criterion and other tolerances. For each: CPU time in the warning runner, predictions made
// afresh and reused, and the warnings scored as `skywarden score` scores them (every truth
// target's zone entries; spec/interchange.md "Scoring"), with the lead share of
// bench/warnings-matrix.mjs (lead over what the first detection of the target allowed, median).
//
// Usage: npm run build && node bench/warnings-reuse.mjs --scene bench/results/national-scene-<key> [--tolerances default,0.3,0.5] [--max-age 30] [--phases 5] [--repeat N (alternated timing runs)]
import { createPicture, createWarningRunner, createWarningScorer, sensorCentroid } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson, parseZonesGeoJson } from '@skywarden/formats';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const scene = arg('scene', null);
if (!scene) throw new Error('--scene DIR (a folder with sensors.json, detections.ndjson, zones.geojson, truth.ndjson) is required');
const tolerances = arg('tolerances', 'default').split(',').map((x) => (x === 'default' ? undefined : Number(x)));
const maxAgeS = Number(arg('max-age', 30));
const phases = Number(arg('phases', 5));
const repeat = Number(arg('repeat', 1));
const WARNABLE_S = 60;

const sr = parseSensorsJson(readFileSync(`${scene}/sensors.json`, 'utf8'));
if (!sr.ok) throw new Error(sr.errors.join('; '));
const zr = parseZonesGeoJson(readFileSync(`${scene}/zones.geojson`, 'utf8'));
if (!zr.ok) throw new Error(zr.errors.join('; '));
const zones = zr.zones;

// 1. track once, keep every report batch
const batches = [];
const firstSeen = new Map();
const tTrack = performance.now();
const pic = createPicture({ anchor: sensorCentroid(sr.sensors.values()), sensors: sr.sensors.values() }, (e) => {
  if (e.type === 'tracks') batches.push({ t: e.t, reports: e.reports });
});
const rl = createInterface({ input: createReadStream(`${scene}/detections.ndjson`), crlfDelay: Infinity });
let lineNo = 0;
for await (const line of rl) {
  lineNo++;
  const target = /"sim_target":"([^"]+)"/.exec(line)?.[1];
  const r = parseDetectionLine(line, lineNo, sr.sensors);
  if (r === null || !r.ok) continue;
  if (target && !firstSeen.has(target)) firstSeen.set(target, r.detection.t);
  pic.push(r.detection);
}
pic.finish();
process.stderr.write(`tracked ${lineNo} detections into ${batches.length} report batches (${batches.reduce((a, b) => a + b.reports.length, 0)} reports) in ${((performance.now() - tTrack) / 1000).toFixed(0)} s\n`);

// truth, by time
const truthByT = new Map();
for (const line of readFileSync(`${scene}/truth.ndjson`, 'utf8').split('\n')) {
  if (!line) continue;
  const r = JSON.parse(line);
  (truthByT.get(r.t) ?? truthByT.set(r.t, []).get(r.t)).push({ id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } });
}
const truthTimes = [...truthByT.keys()].sort((a, b) => a - b);

function score(changes) {
  const ws = createWarningScorer(zones);
  for (const t of truthTimes) ws.addTruth(t, truthByT.get(t));
  const s = ws.result(changes);
  const shares = [];
  let warnable = 0;
  let warnableWarned = 0;
  for (const e of s.perEntry) {
    const f = firstSeen.get(e.target);
    const allowed = f === undefined ? NaN : e.t - f;
    if (allowed >= WARNABLE_S) {
      warnable++;
      if (e.warned) warnableWarned++;
    }
    if (allowed > 0) shares.push(e.warned ? Math.min(1, e.leadS / allowed) : 0);
  }
  shares.sort((a, b) => a - b);
  const warnedKeys = new Set(s.perEntry.filter((e) => e.warned).map((e) => `${e.target}|${e.zone}`));
  const meanShare = shares.reduce((a, b) => a + b, 0) / shares.length;
  const leads = s.perEntry.filter((e) => e.warned).map((e) => e.leadS).sort((a, b) => a - b);
  return { entries: s.entries, warned: s.warned, warnable, warnableWarned, leadShare: shares.length ? shares[Math.floor(shares.length / 2)] : NaN, meanShare, warnedKeys, medianLead: leads.length ? leads[Math.floor(leads.length / 2)] : NaN, episodes: s.episodes, falseEpisodes: s.falseEpisodes, zoneHours: s.alertZoneHours };
}

function once(phase, reuse) {
  const runner = createWarningRunner(zones, { reuse });
  const changes = [];
  const c0 = process.cpuUsage();
  for (let i = phase; i < batches.length; i++) {
    for (const c of runner.onReport(batches[i].t, batches[i].reports)) changes.push({ t: c.t, zone: c.zone, state: c.state });
  }
  const cpu = process.cpuUsage(c0);
  return { cpuS: (cpu.user + cpu.system) / 1e6, changes, p: runner.predictions };
}

function run(name, phase, reuse) {
  const r = once(phase, reuse);
  return { name, cpuS: r.cpuS, fresh: r.p.fresh, reused: r.p.reused, points: r.p.points, byReason: r.p.byReason, ...score(r.changes) };
}

const rows = [];
for (let ph = 0; ph < phases; ph++) {
  rows.push(run(`no reuse, phase ${ph}`, ph, false));
  process.stderr.write(`${rows.at(-1).name}: ${rows.at(-1).cpuS.toFixed(1)} s CPU\n`);
}
for (const tol of tolerances) {
  rows.push(run(`reuse, tolerance ${tol === undefined ? 'default (1/6)' : tol}, ${maxAgeS} s`, 0, { tolerance: tol, maxAgeS }));
  process.stderr.write(`${rows.at(-1).name}: ${rows.at(-1).cpuS.toFixed(1)} s CPU\n`);
}
// CPU time, the machine being shared: the least of `repeat` alternated runs of no reuse and the default reuse (phase 0)
const timing = { off: [], on: [] };
for (let k = 0; k < repeat; k++) {
  timing.off.push(once(0, false).cpuS);
  timing.on.push(once(0, undefined).cpuS);
}
console.log(`scene ${scene}: ${zones.length} zones, ${batches.length} report batches`);
if (repeat > 1) console.log(`warning runner CPU, ${repeat} alternated runs (s): no reuse ${timing.off.map((x) => x.toFixed(1)).join(', ')} (least ${Math.min(...timing.off).toFixed(1)}); default reuse ${timing.on.map((x) => x.toFixed(1)).join(', ')} (least ${Math.min(...timing.on).toFixed(1)})`);
console.log('| setting | runner CPU s | predictions afresh | reused | afresh by reason | path points (millions) | entries warned | warned entries gained / lost against phase 0 | warned of warnable | lead share: median / mean | median lead s | episodes (false) | zone-hours |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const pct = (a, b) => `${((100 * a) / b).toFixed(1)} %`;
for (const r of rows) {
  const reasons = Object.entries(r.byReason).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
  const base = rows[0].warnedKeys;
  const gained = [...r.warnedKeys].filter((k) => !base.has(k)).length;
  const lost = [...base].filter((k) => !r.warnedKeys.has(k)).length;
  console.log(`| ${r.name} | ${r.cpuS.toFixed(1)} | ${r.fresh} | ${r.reused} (${pct(r.reused, r.fresh + r.reused)}) | ${reasons} | ${(r.points / 1e6).toFixed(1)} | ${r.warned} of ${r.entries} (${pct(r.warned, r.entries)}) | +${gained} / -${lost} | ${pct(r.warnableWarned, r.warnable)} of ${r.warnable} | ${r.leadShare.toFixed(3)} / ${r.meanShare.toFixed(3)} | ${r.medianLead} | ${r.episodes} (${r.falseEpisodes}) | ${r.zoneHours.toFixed(2)} |`);
}
