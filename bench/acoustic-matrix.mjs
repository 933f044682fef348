#!/usr/bin/env node
// Acoustic condition matrix (issue 13, "Evaluate like an outsider"): seeded scenes under a
// matrix of microphone-network conditions, each simulated with the scenario settings of
// docs/simulator.md, tracked by the batch tracker (runTrack, the code of `skywarden track`) and
// scored with the coverage scorer (scoreCoverage). Prints one row per cell, worst first (covered
// share of observable target-seconds), and writes bench/results/acoustic-matrix.json.
//
// Design: one factor at a time around a central cell (5 km spacing, 2.5 km range, drones at
// 100-1,500 m, Pd 0.6-0.95 with a quality spread of 0.3, 20 % arrays, 0.5 false-alarm episodes
// per microphone-hour of all four kinds, no radar), plus corners: the worst (8 km, 1.5 km,
// 1,500-4,000 m, no arrays, 2 false alarms per hour), the worst with a radar, and the best
// (3 km, 4 km, 100-500 m, 50 % arrays, 0.1 per hour).
// Usage: npm run bench:acoustic [-- --quick] [-- --seed N | --seeds 1,2,3] [-- --no-clouds] [-- --no-flow] [-- --no-sweep] [-- --learn-pd] [-- --cells "a,b"] [-- --fast-share X] [-- --levels] [-- --level-evidence]
//   --quick: 6 cells, 15 drones instead of 20; --seeds: every cell on each seed, pooled (shares over the summed
//   seconds, errors and rates the mean of the seeds'); --no-clouds: acoustic nodes fused as discs only, the tracker
//   before particle clouds, for comparison; --no-flow: clouds without the raid's heading prior (acoustic/flow-prior.ts);
//   --no-sweep: lone arrays always wait 20 s, even when their bearings sweep (acoustic/bearing-sweep.ts);
//   --learn-pd: each node's Pd learnt from its reports (tracker option acousticLearnPd; acoustic/acoustic-network.ts);
//   --fast-share X: the tracker's acousticFastShare (share of a cloud's particles in the fast band; 0: piston band only);
//   --particles MIN,MAX: the clouds' particle count adapted by KLD-sampling between MIN and MAX (acousticParticles).
//   --reference [shown|best]: beside the tracker, the known-association reference of bench/acoustic-reference.mjs (each
//   target alone through the tracker's own models, 4,000 particles), scored by the same scorer: what the multi-target
//   tracker loses of what the models can tell (about 10 s more per cell and seed); 'best' reports its likeliest point always;
//   --ref-no-silence, --ref-h MIN,MAX, --ref-model JSON: the reference's variants (see refOpts).
// Besides the network's conditions, one cell varies the raid: drones from every direction (raid.from_spread_deg 360)
// instead of one raid axis, where the heading prior has the least to learn from.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LEVEL_EVIDENCE, coverageEvidence, scoreCoverage } from '@skywarden/core';
import { buildScenarioScene, parseScenario } from '@skywarden/sim';
import { runTrack } from '../packages/cli/dist/track.js';
import { referenceTracks } from './acoustic-reference.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const clouds = !args.includes('--no-clouds');
const flow = !args.includes('--no-flow');
// --kernel SHARE: the clouds' resampling kernel (tracker option acousticKernel; 0: the fixed jitter alone)
const kernelShare = args.includes('--kernel') ? Number(args[args.indexOf('--kernel') + 1]) : null;
const sweep = !args.includes('--no-sweep');
const learnPd = args.includes('--learn-pd');
// --levels: every microphone's rows carry received levels (sensors.mic_levels: snr_db); --level-evidence: the tracker weighs
// them (tracker option acousticLevels: LEVEL_EVIDENCE; off by default)
const levels = args.includes('--levels');
const levelEvidence = args.includes('--level-evidence');
const fastArg = args.indexOf('--fast-share');
const fastShare = fastArg >= 0 ? Number(args[fastArg + 1]) : undefined;
const partArg = args.indexOf('--particles');
const particles = partArg >= 0 ? { nMin: Number(args[partArg + 1].split(',')[0]), nMax: Number(args[partArg + 1].split(',')[1]) } : null;
// --range-scale MIN,MAX,PONE[,STEPS,TEMPER]: the tracker's acousticRangeScale (acoustic/range-scale.ts); 'off' for none
const rsArg = args.indexOf('--range-scale');
const rangeScale = rsArg >= 0 && args[rsArg + 1] !== 'off' ? (([min, max, pOne, steps, temper]) => ({ min, max, pOne, ...(steps ? { steps } : {}), ...(temper !== undefined ? { temper } : {}) }))(args[rsArg + 1].split(',').map(Number)) : rsArg >= 0 ? null : undefined;
const refArg = args.indexOf('--reference');
const reference = refArg >= 0 ? (['shown', 'best'].includes(args[refArg + 1]) ? args[refArg + 1] : 'shown') : null;
// the reference's variants: --ref-no-silence (no negative information), --ref-h MIN,MAX (heights its
// clouds are drawn in; default 50,2500), --ref-model JSON (its presence model's settings, e.g.
// '{"tailPd":0.0001,"tailRange":1.0001}': pd falling to 0 at the range, as the simulator's)
const refOpts = {
  silences: !args.includes('--ref-no-silence'),
  ...(args.includes('--ref-h') ? { hMin: Number(args[args.indexOf('--ref-h') + 1].split(',')[0]), hMax: Number(args[args.indexOf('--ref-h') + 1].split(',')[1]) } : {}),
  ...(args.includes('--ref-model') ? { model: JSON.parse(args[args.indexOf('--ref-model') + 1]) } : {}),
};
const seedArg = args.indexOf('--seed');
const seedsArg = args.indexOf('--seeds');
const seeds = seedsArg >= 0 ? args[seedsArg + 1].split(',').map(Number) : [seedArg >= 0 ? Number(args[seedArg + 1]) : 13];
for (const s of seeds) if (!Number.isInteger(s)) throw new Error(`--seed/--seeds must be integers, got ${seeds.join(',')}`);
const seedLabel = seeds.join(',');
const durationS = 1200;
const drones = quick ? 15 : 20;

const CENTRAL = { spacing: 5000, range: 2500, alt: [100, 1500], pd: [0.6, 0.95], spread: 0.3, arrays: 0.2, fa: 0.5, radar: false, dirs: 0, jets: 0 };
const cell = (name, over) => ({ name, ...CENTRAL, ...over });
const ALL = [
  cell('central', {}),
  cell('spacing 3 km', { spacing: 3000 }),
  cell('spacing 8 km', { spacing: 8000 }),
  cell('range 1.5 km', { range: 1500 }),
  cell('range 4 km', { range: 4000 }),
  cell('alt 100-500 m', { alt: [100, 500] }),
  cell('alt 1500-4000 m', { alt: [1500, 4000] }),
  cell('arrays 0 %', { arrays: 0 }),
  cell('arrays 50 %', { arrays: 0.5 }),
  cell('FA 0.1 /mic-h', { fa: 0.1 }),
  cell('FA 2 /mic-h', { fa: 2 }),
  cell('radar on', { radar: true }),
  cell('from every direction', { dirs: 360 }),
  // a third of the raid jet-powered (Geran-3 type, about 140 m/s), as the independent scenes mix them in
  cell('jets 30 %', { jets: 0.3 }),
  // every node declares the nominal range and Pd 0.9 (the rating a deployment states), while the units
  // differ as in the central cell (Pd 0.6-0.95 per node, quality spread 0.3): the presence rows carry the
  // nominal range too
  cell('declared nominal', { declared: 0.9 }),
  // every node declares 1.5 times the range it hears to (a data sheet's maximum; its rows likewise)
  cell('declared range 1.5x', { rangeX: 1.5 }),
  // the microphones' report cadence (the interchange spec does not fix it; the others report every 2 s):
  // a tracker that assumes 2 s counts misses between the reports of a slower node
  cell('reports every 1 s', { period: 1 }),
  cell('reports every 5 s', { period: 5 }),
  cell('reports every 10 s', { period: 10 }),
  // a presence row per target heard in a report (the others give one row: "something is within range")
  cell('a row per source', { rowPerSource: true }),
  cell('worst corner', { spacing: 8000, range: 1500, alt: [1500, 4000], arrays: 0, fa: 2 }),
  cell('worst + radar', { spacing: 8000, range: 1500, alt: [1500, 4000], arrays: 0, fa: 2, radar: true }),
  cell('best corner', { spacing: 3000, range: 4000, alt: [100, 500], arrays: 0.5, fa: 0.1 }),
  // recorded motion instead of the simulator's routes (OpenSky Network samples, data/traffic): one
  // aircraft at a time, flown as a drone through the central network; the raid's settings do not apply
  cell('real: rescue helicopter', { real: 'ambulances/rega_sg' }),
  cell('real: calibration circles', { real: 'calibration/london_heathrow' }),
];
const QUICK = ['central', 'spacing 8 km', 'alt 1500-4000 m', 'FA 2 /mic-h', 'radar on', 'worst corner'];
const cellsArg = args.indexOf('--cells');
const only = cellsArg >= 0 ? args[cellsArg + 1].split(',').map((x) => x.trim()) : null;
if (only) for (const n of only) if (!ALL.some((c) => c.name === n)) throw new Error(`--cells: no cell named ${JSON.stringify(n)}; cells: ${ALL.map((c) => c.name).join(', ')}`);
const cells = only ? ALL.filter((c) => only.includes(c.name)) : quick ? ALL.filter((c) => QUICK.includes(c.name)) : ALL;

/** The scenario document of a cell: a region that fits the spacing (8 spacings, at least 30 km). */
function scenarioOf(c, seed) {
  const network = {
    mic_spacing_m: c.spacing,
    mic_range_m: c.range,
    mic_pd: c.pd,
    mic_quality_spread: c.spread,
    array_share: c.arrays,
    radars: c.radar ? 1 : 0,
    observers: 0,
    mic_false_alarms: { rate_per_hour: c.fa, kinds: ['burst', 'stationary', 'road', 'correlated'] },
    ...(c.period ? { mic_report_period_s: c.period } : {}),
    ...(c.rowPerSource ? { mic_row_per_source: true } : {}),
    ...(levels ? { mic_levels: true } : {}),
  };
  if (c.real) {
    // the recorded flight is the truth, classed as a piston drone (what the network listens for); its region: the flight's reach
    return { name: `acoustic matrix: ${c.name}`, preset: 'small', seed, real_motion: { files: [`data/traffic/${c.real}.json.gz`], class: 'piston_owa' }, sensors: network, traffic: { airliners: 0, helicopters: 0 } };
  }
  return {
    name: `acoustic matrix: ${c.name}`,
    preset: 'mixed',
    seed,
    duration_s: durationS,
    region_m: Math.max(30000, 8 * c.spacing),
    raid: { drones, alt_m: c.alt, jet_share: c.jets, decoy_share: 0, downed_share: 0.1, ...(c.dirs ? { from_spread_deg: c.dirs } : {}) },
    sensors: network,
    traffic: { airliners: 0, helicopters: 0 },
  };
}

const noIo = {
  readText: () => { throw new Error('no files in the matrix'); },
  // the recorded flights of the real-motion cells (paths relative to the repository)
  readJson: (f) => JSON.parse(gunzipSync(readFileSync(fileURLToPath(new URL(`../${f}`, import.meta.url)))).toString('utf8')),
  krAdminTopology: () => { throw new Error('no files in the matrix'); },
};

/** One cell over its seeds: shares over the summed seconds; errors, rates and times the mean of the seeds' (NaN left out). */
function pool(runs) {
  if (runs.length === 1) return runs[0];
  const mean = (f) => { const v = runs.map(f).filter((x) => x !== null && x !== undefined && Number.isFinite(x)); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN; };
  const sum = (f) => runs.reduce((a, r) => a + f(r), 0);
  const share = (obs, cov) => { const o = sum(obs); return o > 0 ? sum((r) => cov(r) * obs(r)) / o : NaN; };
  const by = {};
  for (const k of Object.keys(runs[0].by_category)) {
    by[k] = {
      observable_s: sum((r) => r.by_category[k].observable_s),
      covered_share: share((r) => r.by_category[k].observable_s, (r) => r.by_category[k].covered_share || 0),
      median_error_m: mean((r) => r.by_category[k].median_error_m),
      p90_error_m: mean((r) => r.by_category[k].p90_error_m),
    };
  }
  return {
    ...runs[0],
    seed: runs.map((r) => r.seed),
    detections: sum((r) => r.detections),
    false_detections: sum((r) => r.false_detections),
    observable_s: sum((r) => r.observable_s),
    covered_share: share((r) => r.observable_s, (r) => r.covered_share || 0),
    missed_share: share((r) => r.observable_s, (r) => r.missed_share || 0),
    by_category: by,
    median_error_m: mean((r) => r.median_error_m),
    p90_error_m: mean((r) => r.p90_error_m),
    id_switches: sum((r) => r.id_switches),
    false_tracks_per_step: mean((r) => r.false_tracks_per_step),
    false_tracks_per_1000_sensors: mean((r) => r.false_tracks_per_1000_sensors),
    first_track_median_s: mean((r) => r.first_track_median_s),
    first_track_p90_s: mean((r) => r.first_track_p90_s),
    detections_per_s: mean((r) => r.detections_per_s),
    cell_seconds: sum((r) => r.cell_seconds),
    reference: runs[0].reference ? pool(runs.map((r) => r.reference)) : undefined,
  };
}

async function runCell(c, seed) {
  const parsed = parseScenario(scenarioOf(c, seed));
  if (!parsed.ok) throw new Error(`${c.name}: ${parsed.errors.join('; ')}`);
  const built = buildScenarioScene(parsed.scenario, noIo, { annotate: true });
  const truthRows = [];
  const detRows = [];
  for (const ch of built.chunks()) {
    for (const r of ch.truth) truthRows.push(r);
    for (const r of ch.detections) detRows.push(r);
  }
  if (c.declared !== undefined) {
    built.sensors = built.sensors.map((x) => (x.kind === 'acoustic' ? { ...x, range_m: c.range, pd: c.declared } : x));
    const acoustic = new Set(built.sensors.filter((x) => x.kind === 'acoustic').map((x) => x.id));
    for (const d of detRows) if (d.type === 'presence' && d.range_m !== undefined && acoustic.has(d.sensor)) d.range_m = c.range;
  }
  if (c.rangeX !== undefined) {
    built.sensors = built.sensors.map((x) => (x.kind === 'acoustic' && x.range_m ? { ...x, range_m: x.range_m * c.rangeX } : x));
    const acoustic = new Set(built.sensors.filter((x) => x.kind === 'acoustic').map((x) => x.id));
    for (const d of detRows) if (d.type === 'presence' && d.range_m !== undefined && acoustic.has(d.sensor)) d.range_m *= c.rangeX;
  }
  const kinds = new Map(built.sensors.map((s) => [s.id, s.kind]));
  const mics = built.sensors.filter((s) => s.kind === 'acoustic').length;
  const falseDet = detRows.filter((d) => d.sim_target === null).length;

  // track: the batch tracker of `skywarden track`, fed the NDJSON lines
  const lines = detRows.map((d) => JSON.stringify(d) + '\n');
  let outText = '';
  const out = new Writable({ write(chunk, _enc, cb) { outText += chunk.toString(); cb(); } });
  const summary = await runTrack({
    sensorsText: JSON.stringify({ sensors: built.sensors }),
    sensorsName: 'sensors.json',
    detections: Readable.from(lines),
    detectionsName: 'detections.ndjson',
    detectionsSize: 0,
    out,
    reportEvery: 1,
    reorderDelay: 5,
    strict: false,
    log: () => {},
    progress: false,
    tracker: { acousticClouds: clouds, ...(kernelShare !== null ? { acousticKernel: kernelShare } : {}), acousticFlowPrior: flow, acousticArraySweep: sweep, acousticLearnPd: learnPd, ...(levelEvidence ? { acousticLevels: LEVEL_EVIDENCE } : {}), ...(fastShare !== undefined ? { acousticFastShare: fastShare } : {}), ...(particles ? { acousticParticles: particles } : {}), ...(rangeScale !== undefined ? { acousticRangeScale: rangeScale } : {}) },
  });
  const tracks = [];
  for (const line of outText.split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    tracks.push({ t: r.t, id: r.track, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m ?? 0 } });
  }
  const truth = truthRows.map((r) => ({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } }));
  const detections = detRows.map((d) => ({ t: d.t, target: typeof d.sim_target === 'string' ? d.sim_target : null, evidence: coverageEvidence(d.type, kinds.get(d.sensor), typeof d.target === 'string') }));
  const s = scoreCoverage(truth, detections, tracks, { sensors: built.sensors.length });
  const cat = Object.fromEntries(s.categories.map((k) => [k.category, k]));
  let ref;
  if (reference) {
    const rs = scoreCoverage(truth, detections, referenceTracks(built, truthRows, detRows, { rule: reference, seed, ...refOpts }), { sensors: built.sensors.length });
    const rcat = Object.fromEntries(rs.categories.map((k) => [k.category, k]));
    ref = {
      seed,
      observable_s: rs.observable,
      covered_share: rs.coveredShare,
      missed_share: rs.missedShare,
      by_category: Object.fromEntries(Object.entries(rcat).map(([k, v]) => [k, { observable_s: v.observable, covered_share: v.coveredShare, median_error_m: v.medianErrorM, p90_error_m: v.p90ErrorM }])),
      median_error_m: rs.medianErrorM,
      p90_error_m: rs.p90ErrorM,
      detections: 0, false_detections: 0, id_switches: 0, cell_seconds: 0,
    };
  }
  return {
    reference: ref,
    cell: c.name,
    seed,
    conditions: { spacing_m: c.spacing, range_m: c.range, alt_m: c.alt, pd: c.pd, quality_spread: c.spread, array_share: c.arrays, false_per_mic_hour: c.fa, radar: c.radar, from_spread_deg: c.dirs, jet_share: c.jets },
    region_m: parsed.scenario.regionM,
    mics,
    sensors: built.sensors.length,
    drones: c.real ? 1 : drones,
    duration_s: c.real ? null : durationS,
    detections: detRows.length,
    false_detections: falseDet,
    tracks_confirmed: summary.tracksConfirmed,
    track_seconds: summary.seconds,
    detections_per_s: summary.seconds > 0 ? summary.detectionsRead / summary.seconds : null,
    observable_s: s.observable,
    covered_share: s.coveredShare,
    missed_share: s.missedShare,
    by_category: Object.fromEntries(Object.entries(cat).map(([k, v]) => [k, { observable_s: v.observable, covered_share: v.coveredShare, median_error_m: v.medianErrorM, p90_error_m: v.p90ErrorM }])),
    median_error_m: s.medianErrorM,
    p90_error_m: s.p90ErrorM,
    id_switches: s.idSwitches,
    false_tracks_per_step: s.falseTracksPerStep,
    false_tracks_per_1000_sensors: s.falseTracksPer1000Sensors,
    false_only_tracks: s.falseOnlyTracks,
    first_track_median_s: s.timeToTrack.medianS,
    first_track_p90_s: s.timeToTrack.p90S,
    targets_detected: s.timeToTrack.detectedTargets,
    targets_covered: s.timeToTrack.coveredTargets,
  };
}

const started = performance.now();
const perSeed = [];
const results = [];
for (const c of cells) {
  const runs = [];
  for (const seed of seeds) {
    const t = performance.now();
    const r = await runCell(c, seed);
    r.cell_seconds = (performance.now() - t) / 1000;
    runs.push(r);
    process.stderr.write(`${c.name} (seed ${seed}): ${r.mics} microphones, ${r.detections} detections (${r.false_detections} false), ${r.cell_seconds.toFixed(1)} s\n`);
  }
  perSeed.push(...runs);
  results.push(pool(runs));
}
const totalSeconds = (performance.now() - started) / 1000;

// worst first; NaN (nothing observable) last
const key = (r) => (Number.isFinite(r.covered_share) ? r.covered_share : Infinity);
results.sort((a, b) => key(a) - key(b));
const pct = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(1)}`);
const num = (x, d = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
const catPct = (r, k) => (r.by_category[k].observable_s > 0 ? `${pct(r.by_category[k].covered_share)} (${r.by_category[k].observable_s})` : '-');
const head = ['cell', 'mics', 'obs s', 'cov %', 'presence % (s)', 'bearings % (s)', 'mixed % (s)', 'radar % (s)', 'med m', 'p90 m', 'id sw', 'false/1k sens', '1st trk med/p90 s', 'det/s'];
const table = results.map((r) => [
  r.cell,
  String(r.mics),
  String(r.observable_s),
  pct(r.covered_share),
  catPct(r, 'presence'),
  catPct(r, 'bearings'),
  catPct(r, 'mixed'),
  catPct(r, 'radar'),
  num(r.median_error_m),
  num(r.p90_error_m),
  String(r.id_switches),
  num(r.false_tracks_per_1000_sensors, 2),
  `${num(r.first_track_median_s)}/${num(r.first_track_p90_s)}`,
  num(r.detections_per_s),
]);
if (reference) {
  head.push(`ref ${reference} cov %`, 'ref presence %', 'ref bearings %', 'ref med m');
  results.forEach((r, i) => table[i].push(pct(r.reference.covered_share), catPct(r.reference, 'presence'), catPct(r.reference, 'bearings'), num(r.reference.median_error_m)));
}
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const fmt = (row) => row.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
console.log(`acoustic matrix (seed ${seedLabel}, ${drones} drones, ${durationS} s per cell${quick ? ', quick' : ''}, ${clouds ? `particle clouds${flow ? '' : ' without the heading prior'}` : 'discs only'}${levels ? `, received levels${levelEvidence ? ' weighed' : ' (not weighed)'}` : ''}): worst first by covered share of observable target-seconds`);
console.log(fmt(head));
for (const row of table) console.log(fmt(row));
console.log(`observable: >= 2 detections of the target in the last 60 s; covered: a track row within 2 km; "% (s)": covered share (observable seconds) of the category`);
if (reference) console.log(`ref: the known-association reference (bench/acoustic-reference.mjs: each target alone through the tracker's models, 4,000 particles, reported by the rule '${reference}'), scored alike`);
console.log(`total ${totalSeconds.toFixed(0)} s on ${cpus().length} cores`);

const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const json = JSON.stringify(
  { generated: new Date().toISOString(), seeds, quick, clouds, flow, sweep, learn_pd: learnPd, levels, level_evidence: levelEvidence, duration_s: durationS, drones, total_seconds: totalSeconds, cells: results, per_seed: seeds.length > 1 ? perSeed : undefined },
  (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
  2,
);
writeFileSync(`${outDir}acoustic-matrix${levels ? '-levels' : ''}${levelEvidence ? '-weighed' : ''}.json`, json + '\n');
console.log(`written to bench/results/acoustic-matrix${levels ? "-levels" : ""}${levelEvidence ? "-weighed" : ""}.json`);
