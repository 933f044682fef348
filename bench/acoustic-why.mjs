#!/usr/bin/env node
// Why are observable acoustic target-seconds missed? Runs one cell of the acoustic matrix
// through the picture (the code of `skywarden track`) and, every second, sorts each observable
// target into: covered (a reported track within 2 km); held but not reported (a live track
// within 2 km that is tentative or too vague to report); near (a reported track 2-5 km away);
// lost (no track of any kind within 5 km). Prints the shares and, for the lost seconds, how
// many nodes heard the target in the last 60 s.
// Usage: npm run build && node bench/acoustic-why.mjs [--spacing 5000] [--range 2500] [--alt 100,1500] [--fa 0.5] [--arrays 0.2] [--seed 13] [--drones 20] [--no-clouds] [--reacquire] [--radars 0] [--spread-dirs 0] [--no-flow] [--no-sweep] [--learn-pd] [--declared-nominal PD] [--particles MIN,MAX] [--period S] [--row-per-source] [--levels [--levels-json '{"scatter_db":3}']] [--level-evidence ['{"sd":3,"maxAge":60,"keep":8}']] [--scenario FILE] [--files DIR] [--write DIR] [--kernel SHARE]
// More, by environment: LOST=1 lost seconds while heard; CONT=1 (2: with details) runs (target, node) continued by an
// older track, started a new one, or never covered; DEL=1 deletions; NODE=id,t0,t1 who held a node's reports;
// RUNS=1 run lengths; TYPES=id,... report types by node; OWNER=1 (2: with examples) every observable second by the
// state of the track that took the target's last report; NEWT=1 runs a new track took though an older one had covered
// the target; TRACE=target,track,t0,t1 the two side by side; ORACLE=1 how often a node that heard the target is within
// 2 km of it; FKIND=1 false rows by what their track last took and by the kinds of sensor that fed it (2: also reported rows
// by node count and P(in the air), true and false, and the false tracks one by one); MODE=1 cloud tracks
// reported at their likeliest place instead of their mean (see modeRows); STRIP=range,pd,far, JITTER=S and RANGEX=F
// probe what another generator may do within the spec (see below). --radars N adds
// radars. The last line (SUMMARY) sums for scripts.
import { DEFAULT_COMPONENTS, LEVEL_EVIDENCE, createAirTraffic, createCloudDeleter, createPicture, createEnuFrame, createRevisitDeleter, geodeticToEnu } from '@skywarden/core';
import { buildScenarioScene, parseScenario } from '@skywarden/sim';
import { parseDetectionLine, parseSensorsJson } from '@skywarden/formats';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const spacing = Number(arg('spacing', 5000));
const range = Number(arg('range', 2500));
const alt = arg('alt', '100,1500').split(',').map(Number);
const fa = Number(arg('fa', 0.5));
const arrays = Number(arg('arrays', 0.2));
const seed = Number(arg('seed', 13));
const drones = Number(arg('drones', 20));
const clouds = !args.includes('--no-clouds');
const durationS = Number(arg('duration', 1200));
const noIo = { readText: () => { throw new Error('no files'); }, readJson: (f) => JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')), krAdminTopology: () => { throw new Error('no files'); } };
// --scenario FILE: a scenario file (e.g. examples/mixed-cheap-sensors.yaml) instead of the matrix cell
const scenarioFile = arg('scenario', null);
const parsed = scenarioFile ? parseScenario((await import('yaml')).parse(readFileSync(scenarioFile, 'utf8'))) : parseScenario({
  name: 'why', preset: 'mixed', seed, duration_s: durationS, region_m: Math.max(30000, 8 * spacing),
  raid: { drones, alt_m: alt, jet_share: 0, decoy_share: 0, downed_share: 0.1, from_spread_deg: Number(arg('spread-dirs', 0)) },
  sensors: { radars: Number(arg('radars', 0)), mic_spacing_m: spacing, mic_range_m: range, mic_pd: arg('pd', '0.6,0.95').split(',').map(Number), mic_quality_spread: Number(arg('spread', 0.3)), array_share: arrays, observers: 0, mic_false_alarms: { rate_per_hour: fa, kinds: ['burst', 'stationary', 'road', 'correlated'] }, ...(arg('period', null) !== null ? { mic_report_period_s: Number(arg('period', null)) } : {}), ...(args.includes('--row-per-source') ? { mic_row_per_source: true } : {}), ...(args.includes('--levels') ? { mic_levels: arg('levels-json', null) ? JSON.parse(arg('levels-json')) : true } : {}) },
  traffic: { airliners: 0, helicopters: 0 },
});
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
// --files DIR: a scene made elsewhere (DIR/sensors.json, DIR/detections.ndjson annotated with sim_target, DIR/truth.ndjson)
const filesDir = arg('files', null);
const readNdjson = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const built = filesDir ? { sensors: JSON.parse(readFileSync(`${filesDir}/sensors.json`, 'utf8')).sensors } : buildScenarioScene(parsed.scenario, noIo, { annotate: true });
const truth = [];
const dets = [];
if (filesDir) {
  truth.push(...readNdjson(`${filesDir}/truth.ndjson`).sort((a, b) => a.t - b.t));
  dets.push(...readNdjson(`${filesDir}/detections.ndjson`));
} else for (const ch of built.chunks()) { truth.push(...ch.truth); dets.push(...ch.detections); }
// --write DIR: the scene as files (sensors.json, detections.ndjson annotated, truth.ndjson), as --files and reference-files.mjs read them
if (arg('write', null)) {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const out = arg('write');
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}/sensors.json`, JSON.stringify({ sensors: built.sensors }));
  writeFileSync(`${out}/detections.ndjson`, dets.map((d) => JSON.stringify(d)).join('\n') + '\n');
  writeFileSync(`${out}/truth.ndjson`, truth.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
const ps = parseSensorsJson(JSON.stringify({ sensors: built.sensors }));
if (!ps.ok) throw new Error(ps.errors.join('; '));
const sensorMap = ps.sensors;
// --declared-nominal PD: every acoustic node declares the cell's nominal range and this Pd (as a deployment states
// the rating of its model), while the scene's units differ (pd drawn per node, quality spread); its rows likewise
const nominalPd = arg('declared-nominal', null) !== null ? Number(arg('declared-nominal')) : null;
const sensors = [...sensorMap.values()].map((s) => (nominalPd !== null && s.kind === 'acoustic' ? { ...s, rangeMax: range, pd: nominalPd } : s));
if (nominalPd !== null) for (const d of dets) if (d.type === 'presence' && d.range_m !== undefined && sensorMap.get(d.sensor)?.kind === 'acoustic') d.range_m = range;
// Probes of what another scene generator may do within the interchange spec:
// STRIP=range,srange,pd,far: the acoustic sensors' rows without range_m / pd / far_per_hour (and, for range, not srange, the
// presence rows without range_m); JITTER=S: each acoustic detection's time moved by up to ±S/2 s (a node
// that stamps the sound's arrival, not a report slot), the rows re-sorted
const strip = new Set((process.env.STRIP ?? '').split(',').filter(Boolean));
if (strip.size > 0) {
  for (let i = 0; i < sensors.length; i++) {
    const s = sensors[i];
    if (s.kind !== 'acoustic') continue;
    sensors[i] = { ...s, ...(strip.has('range') || strip.has('srange') ? { rangeMax: undefined } : {}), ...(strip.has('pd') ? { pd: undefined } : {}), ...(strip.has('far') ? { farPerHour: undefined } : {}) };
  }
  if (strip.has('range')) for (const d of dets) if (d.type === 'presence' && sensorMap.get(d.sensor)?.kind === 'acoustic') delete d.range_m;
}
// RANGEX=F: every acoustic sensor declares F times its real range (its presence rows likewise): a "maximum
// range" on a data sheet, or a disc drawn generously
if (Number(process.env.RANGEX) > 0) {
  const f = Number(process.env.RANGEX);
  for (let i = 0; i < sensors.length; i++) if (sensors[i].kind === 'acoustic' && sensors[i].rangeMax) sensors[i] = { ...sensors[i], rangeMax: sensors[i].rangeMax * f };
  for (const d of dets) if (d.type === 'presence' && d.range_m !== undefined && sensorMap.get(d.sensor)?.kind === 'acoustic') d.range_m *= f;
}
if (Number(process.env.JITTER) > 0) {
  const j = Number(process.env.JITTER);
  let u = 12345;
  const rnd = () => ((u = (u * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const d of dets) if (sensorMap.get(d.sensor)?.kind === 'acoustic') d.t += (rnd() - 0.5) * j;
  dets.sort((a, b) => a.t - b.t);
}
// DEAD=F[,T]: a share F of the acoustic nodes (a fixed draw) report nothing from T s into the scene on (default 0: the
// whole night; a power cut, a flat battery, a lost link), while sensors.json still lists them and nothing says so
if (Number((process.env.DEAD ?? '').split(',')[0]) > 0) {
  const [f, from = 0] = process.env.DEAD.split(',').map(Number);
  let u = 424242;
  const rnd = () => ((u = (u * 1103515245 + 12345) % 2147483648) / 2147483648);
  const dead = new Set(sensors.filter((s) => s.kind === 'acoustic' && rnd() < f).map((s) => s.id));
  const t0 = dets.reduce((m, d) => Math.min(m, d.t), Infinity);
  const kept = dets.filter((d) => !(dead.has(d.sensor) && d.t >= t0 + from));
  process.stderr.write(`DEAD: ${dead.size} of ${sensors.filter((s) => s.kind === 'acoustic').length} acoustic nodes silent from ${from} s; ${dets.length - kept.length} detections dropped\n`);
  dets.length = 0;
  dets.push(...kept);
}
const origin = { latDeg: built.sensors[0].lat, lonDeg: built.sensors[0].lon, altM: 0 };
const frame = createEnuFrame(origin);
const enu = (lat, lon, a = 0) => { const v = geodeticToEnu(frame, { latDeg: lat, lonDeg: lon, altM: a }); return { e: v[0], n: v[1] }; };

// per second: reported rows and all live tracks (any status)
const reportedAt = new Map();
const liveAt = new Map();
let picture;
// MODE=1: every reported row of a cloud track, and every confirmed or coasting cloud track, is
// reported at its likeliest place instead of its mean: of 16 particles drawn systematically by
// weight and the mean, the point with the most weight within 2 km, shown when that weight is at
// least 0.5 (the mass rule at the mode; no hysteresis, no silence hide). A diagnostic of what
// reporting by the mode would give the tracker (docs/tracker.md, the reference's 'best' rule).
const modeRows = (tr, reports) => {
  const byId = new Map(reports.map((r) => [r.trackId, r]));
  const out = [];
  for (const x of tr.tracks()) {
    const r = byId.get(x.id);
    if (!x.cloud) {
      if (r) out.push({ id: r.trackId, p: enu(r.position.latDeg, r.position.lonDeg), threat: r.threatProbability });
      continue;
    }
    if (x.status === 'tentative') continue;
    const c = x.cloud.cloud;
    let bx = x.x[0], by = x.x[1], bm = massNear(c, bx, by, 2000);
    let acc = 0, i = 0;
    for (let k = 0; k < 16; k++) {
      const u = (k + 0.5) / 16;
      while (i < c.n - 1 && acc + c.w[i] < u) { acc += c.w[i]; i++; }
      const m = massNear(c, c.x[i], c.y[i], 2000);
      if (m > bm) { bm = m; bx = c.x[i]; by = c.y[i]; }
    }
    if (bm >= 0.5) out.push({ id: x.id, p: { e: bx, n: by }, threat: r?.threatProbability ?? x.threatProbability });
  }
  return out;
};
const massNear = (c, x, y, r) => { let m = 0; for (let i = 0; i < c.n; i++) if ((c.x[i] - x) ** 2 + (c.y[i] - y) ** 2 <= r * r) m += c.w[i]; return m; };
const deletions = [];
const rejections = [];
// --reacquire: the cloud deleter's opt-in re-acquisition (docs/tracker.md)
// --deleter JSON: the cloud deleter's options (cloud-deleter.ts), e.g. '{"minSilenceRatio":1e-300}'
const deleterOpts = arg('deleter', null) !== null ? JSON.parse(arg('deleter')) : null;
// DEL=1 names the rule behind each deletion of an acoustic track (the deleter's own `lastReason`, tracker/deleter.ts)
const delWhy = new Map();
// (DEL=1 alone wraps the tracker's own deleter, so that naming the deletions changes nothing; the
// options build the cloud deleter as the default does, the stream rule and the learnt source prior included)
const reacquire = args.includes('--reacquire') || deleterOpts || process.env.DEL ? { deleter: (ctx) => {
  const { options, cloudInitiator, acoustic, filter, rangeScale, sourcePrior } = ctx;
  const d = !args.includes('--reacquire') && !deleterOpts ? DEFAULT_COMPONENTS.deleter(ctx) : createCloudDeleter({ inner: createRevisitDeleter(options), initiator: cloudInitiator, ...(rangeScale ? { rangeScale } : {}), ...(sourcePrior ? { sourcePrior } : {}), ...(options.acousticStreams ? { traffic: createAirTraffic() } : {}), ...(args.includes('--reacquire') ? { network: acoustic, filter } : {}), ...deleterOpts });
  return { get lastReason() { return d.lastReason; }, judge: (tr, t) => { const v = d.judge(tr, t); if (v === 'delete') delWhy.set(tr.id, d.lastReason); return v; } };
} } : undefined;
picture = createPicture({ anchor: origin, sensors, tracker: { acousticClouds: clouds, ...(arg('kernel', null) !== null ? { acousticKernel: Number(arg('kernel')) } : {}), acousticFlowPrior: !args.includes('--no-flow'), acousticArraySweep: !args.includes('--no-sweep'), acousticLearnPd: args.includes('--learn-pd'), ...(args.includes('--level-evidence') ? { acousticLevels: String(arg('level-evidence', '')).startsWith('{') ? JSON.parse(arg('level-evidence')) : LEVEL_EVIDENCE } : {}), ...(arg('fast-share', null) !== null ? { acousticFastShare: Number(arg('fast-share', null)) } : {}), ...(arg('range-scale', null) === 'off' ? { acousticRangeScale: null } : arg('range-scale', null) !== null ? { acousticRangeScale: { min: Number(arg('range-scale').split(',')[0]), max: Number(arg('range-scale').split(',')[1]), pOne: Number(arg('range-scale').split(',')[2]), ...(arg('range-scale').split(',')[3] ? { steps: Number(arg('range-scale').split(',')[3]) } : {}), ...(arg('range-scale').split(',')[4] ? { temper: Number(arg('range-scale').split(',')[4]) } : {}) } } : {}), ...(arg('particles', null) !== null ? { acousticParticles: { nMin: Number(arg('particles').split(',')[0]), nMax: Number(arg('particles').split(',')[1]), ...(arg('particles').split(',')[2] ? { epsilon: Number(arg('particles').split(',')[2]) } : {}), ...(arg('particles').split(',')[3] ? { headingBins: Number(arg('particles').split(',')[3]) } : {}), ...(arg('particles').split(',')[4] ? { nSeed: Number(arg('particles').split(',')[4]) } : {}) } } : {}) }, trackerComponents: reacquire, reorderDelay: 5, reportEvery: 1 }, (e) => {
  if (e.type === 'tracker') { for (const x of e.events) { if (x.type === 'deleted') deletions.push({ t: x.t, id: x.trackId }); if (x.type === 'rejected') rejections.push({ t: x.t, sensor: x.detection?.sensorId, reason: x.reason }); } return; }
  if (e.type !== 'tracks') return;
  const t = Math.round(e.t);
  reportedAt.set(t, e.reports.map((r) => ({ id: r.trackId, p: enu(r.position.latDeg, r.position.lonDeg), threat: r.threatProbability })));
  const tr = picture.tracker;
  if (process.env.MODE) reportedAt.set(t, modeRows(tr, e.reports));
  liveAt.set(t, tr.tracks().map((x) => ({ id: x.id, e: x.x[0], n: x.x[1], status: x.status, cloud: !!x.cloud, sd: Math.sqrt(0.5 * (x.p[0] + x.p[7])), shown: x.cloud?.shown ?? true, logL: x.cloud?.logL, chits: x.cloud?.hits, sensors: [...x.sensors.keys()], sensorT: new Map(x.sensors), air: x.cloud?.rivals ? (() => { const l = x.cloud.rivals.logP; const m = Math.max(...l); const e = [...l].map((v) => Math.exp(v - m)); return e[0] / (e[0] + e[1] + e[2]); })() : undefined, silent: e.t - x.lastHitT, nSens: x.sensors.size, silentLR: x.cloud?.silentLogLR, speed: Math.hypot(x.x[3], x.x[4]), mass2k: x.cloud ? massNear(x.cloud.cloud, x.x[0], x.x[1], 2000) : undefined })));
});
let i = 0;
for (const d of dets) { const r = parseDetectionLine(JSON.stringify(d), ++i, sensorMap); if (r.ok) picture.push(r.detection); }
picture.finish();

// observability: >= 2 detections of the target in the preceding 60 s; nodes that heard it
const byTarget = new Map();
for (const d of dets) { if (typeof d.sim_target !== 'string') continue; if (!byTarget.has(d.sim_target)) byTarget.set(d.sim_target, []); byTarget.get(d.sim_target).push(d); }
const counts = { covered: 0, heldUnreported: 0, heldTentative: 0, near: 0, lost: 0 };
const BUCKETS = ['heard <5 s', '5-15 s', '15-30 s', '30-60 s'];
const bucketOf = (age) => (age < 5 ? 0 : age < 15 ? 1 : age < 30 ? 2 : 3);
const byAge = Object.fromEntries(Object.keys(counts).map((k) => [k, [0, 0, 0, 0]]));
const lostEx = [];
const t0 = truth[0].t;
const lostNodes = new Map();
const heldSd = [];
let observable = 0;
for (const r of truth) {
  const t = Math.round(r.t);
  const ds = byTarget.get(r.id) ?? [];
  const recent = ds.filter((d) => d.t <= r.t && d.t > r.t - 60);
  if (recent.length < 2) continue;
  observable++;
  const p = enu(r.lat, r.lon);
  const rep = reportedAt.get(t) ?? [];
  const live = liveAt.get(t) ?? [];
  const dist = (q) => Math.hypot(q.e - p.e, q.n - p.n);
  const dRep = Math.min(Infinity, ...rep.map((q) => dist(q.p)));
  const age = r.t - recent.at(-1).t;
  const tally = (k) => { counts[k]++; byAge[k][bucketOf(age)]++; };
  if (dRep <= 2000) { tally('covered'); continue; }
  const nearLive = live.filter((q) => dist(q) <= 2000);
  if (nearLive.length > 0) {
    if (nearLive.some((q) => q.status !== 'tentative')) { tally('heldUnreported'); heldSd.push(Math.min(...nearLive.map((q) => q.sd))); }
    else tally('heldTentative');
    continue;
  }
  if (dRep <= 5000) { tally('near'); continue; }
  tally('lost');
  if (process.env.LOST && age < 5) lostEx.push({ t: t - t0, id: r.id, sensor: recent.at(-1).sensor, nRecent: recent.length, nLive: live.length, dLive: Math.round(Math.min(Infinity, ...live.map(dist))), dRep: Math.round(dRep) });
  const k = new Set(recent.map((d) => d.sensor)).size;
  lostNodes.set(k, (lostNodes.get(k) ?? 0) + 1);
}
const pct = (x) => `${(100 * x / observable).toFixed(1)} %`;
console.log(`cell spacing ${spacing} range ${range} alt ${alt} fa ${fa} arrays ${arrays} seed ${seed} ${clouds ? 'clouds' : 'discs'}: ${observable} observable target-seconds`);
for (const [k, v] of Object.entries(counts)) console.log(`  ${k.padEnd(16)} ${String(v).padStart(6)}  ${pct(v)}`);
console.log(`  by time since the target was last heard (${BUCKETS.join(' | ')}):`);
for (const [k, v] of Object.entries(byAge)) console.log(`  ${k.padEnd(16)} ${v.map((x) => String(x).padStart(6)).join(' ')}`);
heldSd.sort((a, b) => a - b);
if (heldSd.length) console.log(`  held-unreported sd median ${heldSd[heldSd.length >> 1].toFixed(0)} m`);
console.log(`  lost seconds by nodes heard in last 60 s: ${[...lostNodes].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
if (process.env.RUNS) {
  // runs: per (target, node) the detections' count, span and mean gap
  const runs = new Map();
  for (const d of dets) { if (typeof d.sim_target !== 'string') continue; const k = `${d.sim_target}|${d.sensor}`; if (!runs.has(k)) runs.set(k, []); runs.get(k).push(d.t); }
  const rs = [...runs.values()].map((ts) => ({ n: ts.length, span: ts.at(-1) - ts[0], gap: ts.length > 1 ? (ts.at(-1) - ts[0]) / (ts.length - 1) : NaN }));
  const q = (a, f) => { const s = a.filter(Number.isFinite).sort((x, y) => x - y); return s[Math.floor(f * (s.length - 1))]; };
  console.log(`runs ${rs.length}: n median ${q(rs.map((r) => r.n), 0.5)} p10 ${q(rs.map((r) => r.n), 0.1)} p90 ${q(rs.map((r) => r.n), 0.9)}; span median ${q(rs.map((r) => r.span), 0.5)}; gap median ${q(rs.map((r) => r.gap), 0.5)?.toFixed(1)}`);
  const types = new Map(); for (const d of dets) types.set(d.type, (types.get(d.type) ?? 0) + 1); console.log([...types]);
}

if (process.env.LOST) { const seen = new Set(); for (const x of lostEx) { const k = `${x.id}|${x.sensor}`; if (seen.has(k)) continue; seen.add(k); console.log(JSON.stringify(x)); } }

if (process.env.CONT) {
  // per run (target, node; a pause of 15 s splits), did a track that existed before the run cover it during the run?
  const firstSeen = new Map();
  for (const [t, rows] of [...reportedAt].sort((a, b) => a[0] - b[0])) for (const q of rows) if (!firstSeen.has(q.id)) firstSeen.set(q.id, t);
  const truthAt = new Map(truth.map((r) => [`${r.id}|${Math.round(r.t)}`, r]));
  const runs = new Map();
  for (const d of dets) { if (typeof d.sim_target !== 'string') continue; const k = `${d.sim_target}|${d.sensor}`; let a = runs.get(k); if (!a) runs.set(k, (a = [])); const last = a.at(-1); if (last && d.t - last.at(-1) <= 15) last.push(d.t); else a.push([d.t]); }
  const res = { continued: 0, newTrack: 0, never: 0, short: 0 };
  for (const [k, list] of runs) { const id = k.split('|')[0]; for (const ts of list) {
    if (ts.length < 2) { res.short++; continue; }
    let kind = 'never';
    for (let t = Math.round(ts[0]); t <= Math.round(ts.at(-1)); t++) { const r = truthAt.get(`${id}|${t}`); if (!r) continue; const p = enu(r.lat, r.lon);
      for (const q of reportedAt.get(t) ?? []) { if (Math.hypot(q.p.e - p.e, q.p.n - p.n) > 2000) continue; if (firstSeen.get(q.id) < ts[0]) { kind = 'continued'; break; } kind = 'newTrack'; }
      if (kind === 'continued') break; }
    res[kind === 'newTrack' ? 'newTrack' : kind]++;
    if (kind === 'never' && process.env.CONT === '2') {
      let minLive = Infinity, minRep = Infinity, st = '';
      for (let t = Math.round(ts[0]); t <= Math.round(ts.at(-1)) + 5; t++) { const r = truthAt.get(`${id}|${t}`); if (!r) continue; const p = enu(r.lat, r.lon);
        for (const q of liveAt.get(t) ?? []) { const d = Math.hypot(q.e - p.e, q.n - p.n); if (d < minLive) { minLive = d; st = `${q.id}:${q.status}:${q.cloud ? 'cloud' : 'imm'}:sd${Math.round(q.sd)}`; } }
        for (const q of reportedAt.get(t) ?? []) minRep = Math.min(minRep, Math.hypot(q.p.e - p.e, q.p.n - p.n)); }
      const r0 = truthAt.get(`${id}|${Math.round(ts[0])}`);
      console.log(`never: ${k} t ${Math.round(ts[0] - t0)} n ${ts.length} span ${Math.round(ts.at(-1) - ts[0])} alt ${Math.round(r0?.alt_m)} minLive ${Math.round(minLive)} (${st}) minRep ${Math.round(minRep)}`);
    }
  } }
  console.log('runs:', JSON.stringify(res));
}

if (process.env.NEWT) {
  // runs a new track took although an older track had covered the target in the 120 s before: what became of the older one
  const truthAt = new Map(truth.map((r) => [`${r.id}|${Math.round(r.t)}`, r]));
  const delAt = new Map(deletions.map((d) => [d.id, d.t]));
  const runs = new Map();
  for (const d of dets) { if (typeof d.sim_target !== 'string') continue; const k = `${d.sim_target}|${d.sensor}`; let a = runs.get(k); if (!a) runs.set(k, (a = [])); const last = a.at(-1); if (last && d.t - last.at(-1) <= 15) last.push(d.t); else a.push([d.t]); }
  for (const [k, list] of runs) { const id = k.split('|')[0]; for (const ts of list) {
    if (ts.length < 2) continue;
    const s0 = Math.round(ts[0]);
    let prev;
    for (let t = s0 - 120; t < s0; t++) { const r = truthAt.get(`${id}|${t}`); if (!r) continue; const p = enu(r.lat, r.lon);
      for (const q of reportedAt.get(t) ?? []) if (Math.hypot(q.p.e - p.e, q.p.n - p.n) <= 2000) prev = { id: q.id, t }; }
    if (!prev) continue;
    // did prev cover it during the run?
    let cont = false;
    for (let t = s0; t <= Math.round(ts.at(-1)) && !cont; t++) { const r = truthAt.get(`${id}|${t}`); if (!r) continue; const p = enu(r.lat, r.lon);
      for (const q of reportedAt.get(t) ?? []) if (q.id === prev.id && Math.hypot(q.p.e - p.e, q.p.n - p.n) <= 2000) cont = true; }
    if (cont) continue;
    const r = truthAt.get(`${id}|${s0}`); const p = r ? enu(r.lat, r.lon) : undefined;
    const at = (liveAt.get(s0) ?? []).find((q) => q.id === prev.id);
    const took = (liveAt.get(Math.round(ts.at(-1))) ?? []).find((q) => q.id === prev.id)?.sensors.includes(k.split('|')[1]);
    console.log(`newt ${k} t ${s0 - t0} n ${ts.length} prev ${prev.id} lastCovered ${s0 - prev.t}s ago deleted ${delAt.has(prev.id) ? Math.round(delAt.get(prev.id) - t0) : '-'} atStart ${at ? `${at.status} d ${Math.round(Math.hypot(at.e - p.e, at.n - p.n))} sd ${Math.round(at.sd)} shown ${at.shown} silent ${Math.round(at.silent)} nodes ${at.nSens}` : 'gone'} tookNode ${took}`);
  } }
}
if (process.env.TRACE) {
  // TRACE=target,track,t0,t1: the target's truth and the track's state every 5 s, with the nodes that heard the target
  const [tid, kid, a, b] = process.env.TRACE.split(',');
  const truthAt = new Map(truth.filter((r) => r.id === tid).map((r) => [Math.round(r.t), r]));
  for (let t = t0 + Number(a); t <= t0 + Number(b); t += 5) { const r = truthAt.get(t); if (!r) continue; const p = enu(r.lat, r.lon);
    const q = (liveAt.get(t) ?? []).find((x) => String(x.id) === kid);
    const heard = dets.filter((d) => d.sim_target === tid && d.t > t - 5 && d.t <= t).map((d) => d.sensor);
    const fa = dets.filter((d) => !d.sim_target && d.t > t - 5 && d.t <= t && q && q.sensors.includes(d.sensor)).map((d) => d.sensor);
    console.log(`${t - t0} truth ${Math.round(p.e)},${Math.round(p.n)} alt ${Math.round(r.alt_m)} | track ${q ? `${Math.round(q.e)},${Math.round(q.n)} d ${Math.round(Math.hypot(q.e - p.e, q.n - p.n))} sd ${Math.round(q.sd)} ${q.status} shown ${q.shown} nodes ${q.sensors.join(' ')}` : '-'} | heard ${[...new Set(heard)].join(' ')} ${fa.length ? 'FA ' + fa.join(' ') : ''}`); }
}
if (process.env.ORACLE) {
  // bounds: an observable second is "at a hearing node" when a node that heard the target in the last 10 s is within 2 km of it
  const pos = new Map(sensors.map((x) => [x.id, enu(x.position.latDeg, x.position.lonDeg)]));
  let n = 0, atNode = 0, heardNow = 0;
  for (const r of truth) { const ds = (byTarget.get(r.id) ?? []).filter((d) => d.t <= r.t && d.t > r.t - 60); if (ds.length < 2) continue; n++;
    const p = enu(r.lat, r.lon); const recent = ds.filter((d) => d.t > r.t - 10);
    if (recent.length) heardNow++;
    if (recent.some((d) => { const q = pos.get(d.sensor); return q && Math.hypot(q.e - p.e, q.n - p.n) <= 2000; })) atNode++; }
  console.log(`oracle: observable ${n}, heard in last 10 s ${(100 * heardNow / n).toFixed(1)} %, within 2 km of a node that heard it in the last 10 s ${(100 * atNode / n).toFixed(1)} %`);
}
if (process.env.OWNER) {
  // each observable second by the state of the track that took the target's last detection (its owner)
  const lastOwnerOf = new Map(); const lostWhy = new Map();
  const lastSnapOf = new Map(); for (const [tt, rows] of [...liveAt].sort((a, b) => a[0] - b[0])) for (const q of rows) lastSnapOf.set(q.id, { tt, ...q });
  const seenEx = new Set(); const res = new Map(); const bump = (k, age) => { const a = res.get(k) ?? [0, 0, 0, 0]; a[bucketOf(age)]++; res.set(k, a); };
  for (const r of truth) { const t = Math.round(r.t); const ds = (byTarget.get(r.id) ?? []).filter((d) => d.t <= r.t && d.t > r.t - 60); if (ds.length < 2) continue;
    const p = enu(r.lat, r.lon); const last = ds.at(-1); const age = r.t - last.t;
    const rep = reportedAt.get(t) ?? []; const live = liveAt.get(t) ?? [];
    const covered = rep.some((q) => Math.hypot(q.p.e - p.e, q.p.n - p.n) <= 2000);
    // the owner: a live track that took a report of the target's last nodes at or after it
    let owner;
    for (const d of [...ds].reverse()) { owner = live.find((q) => (q.sensorT.get(d.sensor) ?? -Infinity) >= d.t - 1e-6); if (owner) break; }
    let k;
    if (owner) lastOwnerOf.set(r.id, owner.id);
    else if ((byTarget.get(r.id) ?? [])[0] && r.t - byTarget.get(r.id)[0].t >= 30) {
      const lo = lastOwnerOf.get(r.id); let why;
      if (lo === undefined) why = 'never owned';
      else { const alive = live.find((q) => q.id === lo);
        if (alive) why = `old track alive (${alive.status}, ${Math.hypot(alive.e - p.e, alive.n - p.n) <= 5000 ? 'within' : 'beyond'} 5 km, sd ${alive.sd < 1000 ? '<1' : '>1'} km)`;
        else { const q = lastSnapOf.get(lo); why = !q ? 'old track gone' : q.chits >= 5 && q.air !== undefined && q.air < 0.02 ? 'old track dropped: rival' : q.chits >= 5 && q.logL < Math.log(0.05) ? 'old track dropped: misfit' : q.sd > 4000 ? 'old track dropped: spread' : q.silent > 25 ? 'old track dropped: silence' : q.silentLR !== undefined && q.silentLR < Math.log(0.03) ? `old track dropped: silences against it (${q.status})` : `old track dropped: other (${q.status})`; } }
      lostWhy.set(why, (lostWhy.get(why) ?? 0) + 1); }
    if (!owner) { const prevOwner = live.find((q) => ds.some((d) => (q.sensorT.get(d.sensor) ?? -Infinity) >= r.t - 300 && q.sensorT.has(d.sensor)));
      const first = (byTarget.get(r.id) ?? [])[0]; const sinceFirst = r.t - first.t;
      k = covered ? 'covered, no owner' : `no owner (${sinceFirst < 30 ? 'first 30 s of target' : prevOwner ? 'a track of its nodes lives' : 'later'})`; }
    else { const d = Math.hypot(owner.e - p.e, owner.n - p.n); const shown = rep.some((q) => q.id === owner.id);
      if (covered) k = shown && d <= 2000 ? 'covered by owner' : 'covered by another';
      else if (owner.status === 'tentative') { const first = (byTarget.get(r.id) ?? [])[0]; k = `owner tentative, ${d <= 2000 ? 'near' : 'far'}, ${r.t - first.t < 60 ? 'in the target\'s first minute' : 'later'}`; }
      else if (!shown) k = d <= 2000 ? 'owner hidden, near' : `owner hidden, far, ${owner.nSens === 1 ? '1 node' : owner.nSens === 2 ? '2 nodes' : '3+ nodes'}`;
      else k = `owner shown, ${d <= 5000 ? '2-5' : '>5'} km off (sd ${owner.sd < 1000 ? '<1' : '>1'} km, ${owner.nSens === 1 ? '1 node' : owner.nSens === 2 ? '2 nodes' : '3+ nodes'})`; }
    if (k === 'covered by owner') k += `, ${owner.nSens === 1 ? '1 node' : owner.nSens === 2 ? '2 nodes' : '3+ nodes'}`;
    bump(k, age); if (process.env.OWNER === '2' && k.startsWith('owner shown') && !seenEx.has(`${r.id}|${owner.id}`)) { seenEx.add(`${r.id}|${owner.id}`); console.log(`ex ${k} ${r.id} track ${owner.id} t ${t - t0}`); } }
  console.log('no-owner seconds after the first 30 s, by what became of the last track that owned the target:', JSON.stringify(Object.fromEntries([...lostWhy].sort((a, b) => b[1] - a[1]))));
  console.log(`owner states (${BUCKETS.join(' | ')}):`);
  for (const [k, a] of [...res].sort((x, y) => y[1].reduce((s, v) => s + v, 0) - x[1].reduce((s, v) => s + v, 0))) console.log(`  ${k.padEnd(36)} ${a.map((x) => String(x).padStart(6)).join(' ')}  ${a.reduce((s, v) => s + v, 0)}`);
}
if (process.env.DEL) {
  const lastSnap = new Map();
  for (const [t, rows] of [...liveAt].sort((a, b) => a[0] - b[0])) for (const q of rows) lastSnap.set(q.id, { t, ...q });
  for (const d of deletions) { const q = lastSnap.get(d.id); if (!q) continue; const why = delWhy.get(d.id) ?? 'merged or other';
    let tot = 0, ok = 0; for (const [tt, rows] of reportedAt) for (const x of rows) if (x.id === d.id) { tot++; if (truth.some((r) => Math.round(r.t) === tt && Math.hypot(enu(r.lat, r.lon).e - x.p.e, enu(r.lat, r.lon).n - x.p.n) <= 2000)) ok++; }
    console.log(`del ${d.id} t ${Math.round(d.t - t0)} ${q.status} ${why} air ${q.air?.toFixed(3)} true ${ok}/${tot} logL ${q.logL?.toFixed(2)} hits ${q.chits} sd ${Math.round(q.sd)} silent ${Math.round(q.silent)} s silenceLR ${q.silentLR?.toFixed(2)} sensors ${q.sensors.join(',')}`); }
}

if (process.env.NODE) {
  const [node, a, b] = process.env.NODE.split(',');
  for (const [t, rows] of [...liveAt].sort((x, y) => x[0] - y[0])) { const tt = t - t0; if (tt < +a || tt > +b) continue;
    const hold = rows.filter((q) => q.sensors.includes(node)).map((q) => `${q.id}:${q.status}:sd${Math.round(q.sd)}:L${q.logL?.toFixed(1)}`);
    const dd = dets.filter((d) => d.sensor === node && Math.round(d.t) === t).map((d) => d.sim_target ?? 'FALSE');
    if (hold.length || dd.length) console.log(tt, dd.join(','), hold.join(' ')); }
  const rej = rejections.filter((r) => r.sensor === node); console.log('rejected', rej.length, rej.slice(0, 5));
}
if (process.env.TYPES) { for (const n of process.env.TYPES.split(',')) { const t = new Map(); for (const d of dets) if (d.sensor === n) t.set(d.type, (t.get(d.type) ?? 0) + 1); console.log(n, [...t]); } }

{
  // reported rows with no target within 2 km at that second: false track-seconds
  const truthBy = new Map();
  for (const r of truth) { const t = Math.round(r.t); if (!truthBy.has(t)) truthBy.set(t, []); truthBy.get(t).push(enu(r.lat, r.lon)); }
  let falseRows = 0, rows = 0;
  let falseNear = 0;
  let falseThreat = 0;
  let trueThreat = 0;
  for (const [t, rs] of reportedAt) for (const q of rs) { rows++; const ds = (truthBy.get(t) ?? []).map((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n)); if (!ds.some((d) => d <= 2000)) { falseRows++; if (ds.some((d) => d <= 5000)) falseNear++; if (q.threat >= 0.5) falseThreat++; } else if (q.threat >= 0.5) trueThreat++; }
  if (process.env.CALIB) {
    // CALIB=1: how well the clouds know their own error: for each second of a confirmed cloud track
    // with a target within 3 km, the distance to the nearest target over the track's one-sigma
    // (horizontal, per axis: a calibrated 2-D Gaussian gives a median of 1.18), by the track's sd
    const byBand = new Map();
    for (const [t, live] of liveAt) for (const x of live) { if (!x.cloud || x.status === 'tentative') continue;
      const near = (truthBy.get(t) ?? []).reduce((m, p) => Math.min(m, Math.hypot(p.e - x.e, p.n - x.n)), Infinity);
      if (!(near <= 3000)) continue;
      const band = x.sd < 150 ? '<150' : x.sd < 300 ? '150-300' : x.sd < 600 ? '300-600' : x.sd < 1000 ? '600-1000' : '>1000';
      if (!byBand.has(band)) byBand.set(band, []);
      byBand.get(band).push(near / x.sd); }
    for (const band of ['<150', '150-300', '300-600', '600-1000', '>1000']) { const v = (byBand.get(band) ?? []).sort((a, b) => a - b); if (!v.length) continue;
      const q = (f) => v[Math.min(v.length - 1, Math.floor(f * v.length))].toFixed(2);
      console.log(`CALIB sd ${band} m: ${v.length} s, error/sd median ${q(0.5)} p90 ${q(0.9)}`); }
  }
  if (process.env.TTRACK) {
    // one track over time: TTRACK=id[,every]
    const [tid, every] = process.env.TTRACK.split(',');
    for (const [t, live] of [...liveAt].sort((a, b) => a[0] - b[0])) { if ((t - t0) % Number(every ?? 10) !== 0) continue; const x = live.find((q) => q.id === tid); if (!x) continue;
      const near = (truthBy.get(t) ?? []).reduce((m, p) => Math.min(m, Math.hypot(p.e - x.e, p.n - x.n)), Infinity);
      let last; for (const [sid, st] of x.sensorT) if (!last || st > last[1]) last = [sid, st];
      console.log(`  ${tid} t ${t - t0}: ${x.status} ${x.cloud ? 'cloud' : 'imm'} at ${x.e.toFixed(0)},${x.n.toFixed(0)} sd ${x.sd.toFixed(0)} nearest target ${near.toFixed(0)} m; silent ${x.silent.toFixed(0)} s; last ${last?.[0]} at ${(last?.[1] - t0).toFixed(0)}; air ${x.air?.toFixed(3)} shown ${x.shown} logL ${x.logL?.toFixed(2)} silentLR ${x.silentLR?.toFixed(2)} speed ${x.speed?.toFixed(0)}`); }
  }
  if (process.env.FTRACK) {
    // the tracks behind the false rows: rows, span, what fed them, the cloud's air probability at the last false row
    const per = new Map();
    for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) {
      if ((truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000)) continue;
      const x = live.get(q.id); if (!x) continue;
      let e = per.get(q.id); if (!e) per.set(q.id, (e = { n: 0, t0: t, t1: t }));
      e.n++; e.t1 = t; e.sensors = x.sensors.map((s) => sensorMap.get(s)?.kind + ':' + s).join(','); e.cloud = x.cloud; e.air = x.air; e.status = x.status; e.threat = q.threat; e.nSens = x.nSens; } }
    for (const [id, e] of [...per].sort((a, b) => b[1].n - a[1].n).slice(0, Number(process.env.FTRACK) || 15)) console.log(`  false track ${id}: ${e.n} rows over ${e.t0 - t0}-${e.t1 - t0} s, ${e.status}, cloud ${e.cloud}, air ${e.air?.toFixed(3)}, threat ${e.threat?.toFixed(2)}, ${e.nSens} sensors: ${e.sensors.slice(0, 200)}`);
  }
  if (process.env.FKIND) {
    // false rows by what the track last took: a false-alarm kind, another target's report (mislocated), or a plain false alarm
    const detAt = new Map(dets.map((d) => [`${d.sensor}@${d.t}`, d]));
    const kinds = new Map();
    for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) {
      if ((truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000)) continue;
      const x = live.get(q.id); if (!x) continue; let best; for (const [sid, st] of x.sensorT) if (!best || st > best[1]) best = [sid, st];
      const d = best && detAt.get(`${best[0]}@${best[1]}`); const k = !d ? 'unknown' : d.sim_false ?? (d.sim_target ? 'target (mislocated)' : 'random false alarm');
      kinds.set(k, (kinds.get(k) ?? 0) + 1); } }
    console.log('  false rows by what the track last took:', JSON.stringify(Object.fromEntries(kinds)));
    const fed = new Map();
    for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) {
      if ((truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000)) continue;
      const x = live.get(q.id); if (!x) continue; const k = [...new Set(x.sensors.map((s) => sensorMap.get(s)?.kind))].sort().join('+') + (x.cloud ? ' (cloud)' : '');
      fed.set(k, (fed.get(k) ?? 0) + 1); } }
    console.log('  false rows by the kinds of sensor that fed the track:', JSON.stringify(Object.fromEntries(fed)));
    if (process.env.FKIND === '2') {
      // FKIND=2: each false track that last took a stationary source's report: its nodes, hits, P(in the air), false seconds
      const per = new Map();
      for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) {
        if ((truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000)) continue;
        const x = live.get(q.id); if (!x) continue; let best; for (const [sid, st] of x.sensorT) if (!best || st > best[1]) best = [sid, st];
        const d = best && detAt.get(`${best[0]}@${best[1]}`); const k = !d ? 'unknown' : d.sim_false ?? (d.sim_target ? 'mislocated' : 'random');
        const r = per.get(q.id) ?? { id: q.id, kind: k, n: 0, t0: t, nodes: 0, hits: 0, air: [], speed: [] };
        r.n++; r.t1 = t; r.nodes = Math.max(r.nodes, x.nSens); r.hits = x.chits; r.air.push(x.air ?? NaN); r.speed.push(x.speed); r.kind = k; per.set(q.id, r); } }
      // reported rows by the track's node count (1 / 2+) and P(in the air): true and false
      const cal = new Map();
      for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) { const x = live.get(q.id); if (!x || x.air === undefined) continue;
        const ok = (truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000);
        const k = `${x.nSens === 1 ? '1 node' : '2+ nodes'} air<${[0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.01].find((e) => x.air < e)}`;
        const c = cal.get(k) ?? { ok: 0, n: 0 }; c.n++; if (ok) c.ok++; cal.set(k, c); } }
      for (const [k, c] of [...cal].sort()) console.log(`   rows ${k}: ${c.n} rows, ${c.ok} true (${(100 * c.ok / c.n).toFixed(0)} %)`);
      const med = (a) => { const b = a.filter(Number.isFinite).sort((u, v) => u - v); return b.length ? b[b.length >> 1] : NaN; };
      for (const r of [...per.values()].sort((a, b) => b.n - a.n).slice(0, 30)) console.log(`   false ${r.id} ${r.kind}: ${r.n} s (${r.t0 - t0}-${r.t1 - t0}), nodes ${r.nodes}, hits ${r.hits}, air med ${med(r.air).toFixed(3)} min ${Math.min(...r.air.filter(Number.isFinite)).toFixed(3)}, speed med ${med(r.speed).toFixed(0)}`);
    }
  }
  console.log(`  reported track-seconds with no target within 2 km: ${falseRows} (${falseNear} with one within 5 km: mislocated) of ${rows}; with a threat >= 0.5: ${falseThreat} false, ${trueThreat} true`);
  {
    // calibration: a reported cloud's own chance that its mean is within 2 km of the target, against how often it was (of a target within 2 km)
    const bins = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01].map(() => ({ n: 0, ok: 0, sum: 0 }));
    const edges = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01];
    for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) { const x = live.get(q.id); if (!x || x.mass2k === undefined) continue;
      const ok = (truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000);
      let b = 0; while (b < edges.length - 2 && x.mass2k >= edges[b + 1]) b++; bins[b].n++; bins[b].sum += x.mass2k; if (ok) bins[b].ok++; } }
    console.log('  calibration of reported clouds (P(within 2 km) by the cloud -> share that was):', bins.filter((b) => b.n > 0).map((b) => `${(b.sum / b.n).toFixed(2)}->${(b.ok / b.n).toFixed(2)} (${b.n})`).join(', '));
    // the rivals' P(in the air) of reported clouds, against how often a target was within 2 km
    const aEdges = [0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.01];
    const aBins = aEdges.map(() => ({ n: 0, ok: 0, sum: 0 }));
    for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) { const x = live.get(q.id); if (!x || x.air === undefined) continue;
      const ok = (truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000);
      let b = 0; while (b < aEdges.length - 2 && x.air >= aEdges[b + 1]) b++; aBins[b].n++; aBins[b].sum += x.air; if (ok) aBins[b].ok++; } }
    console.log('  calibration of reported clouds (P(in the air) by the rivals -> share with a target within 2 km):', aBins.filter((b) => b.n > 0).map((b) => `${(b.sum / b.n).toFixed(2)}->${(b.ok / b.n).toFixed(2)} (${b.n})`).join(', '));
    // the silences' log ratio since the last hit (CloudState.silentLogLR) of live cloud tracks, true (a target within 2 km) and false:
    // how often a true track is held below the hide bound (log 0.1) and the delete bound (log 0.01)
    const sil = { true: [], false: [] };
    for (const [t, live] of liveAt) for (const x of live) { if (!x.cloud || x.silentLR === undefined || x.status === 'tentative') continue;
      const ok = (truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - x.e, p.n - x.n) <= 2000); sil[ok].push(x.silentLR); }
    const q = (a, f) => { const b = a.slice().sort((u, v) => u - v); return b.length ? b[Math.min(b.length - 1, Math.floor(f * b.length))].toFixed(2) : '-'; };
    for (const k of ['true', 'false']) { const a = sil[k]; const below = (v) => a.length ? (100 * a.filter((x) => x < Math.log(v)).length / a.length).toFixed(1) : '-';
      console.log(`  silences' log ratio of live ${k} cloud tracks (${a.length} track-seconds): p10 ${q(a, 0.1)}, median ${q(a, 0.5)}; below log 0.1: ${below(0.1)} %, below log 0.01: ${below(0.01)} %`); }
  }
  if (process.env.NEIGH) {
    // NEIGH=D[,W]: reported rows of one-node cloud tracks, by the rivals' P(in the air) and by how many other nodes
    // within D m of the track's node (default 7,500) reported anything in the last W s (default 120): true and false
    const [D = 7500, W = 120] = process.env.NEIGH.split(',').map(Number).map((v, i) => (v > 1 ? v : [7500, 120][i]));
    const pos = new Map(built.sensors.filter((s) => s.kind === 'acoustic').map((s) => [s.id, enu(s.lat, s.lon)]));
    const heardAt = new Map();
    for (const d of dets) { if (!pos.has(d.sensor)) continue; let a = heardAt.get(d.sensor); if (!a) heardAt.set(d.sensor, (a = [])); a.push(d.t); }
    for (const a of heardAt.values()) a.sort((u, v) => u - v);
    const near = new Map();
    const neighbours = (id) => { let l = near.get(id); if (l) return l; const p = pos.get(id); l = p ? [...pos].filter(([k, q]) => k !== id && Math.hypot(q.e - p.e, q.n - p.n) <= D).map(([k]) => k) : []; near.set(id, l); return l; };
    const heardIn = (id, a, b) => { const ts = heardAt.get(id); if (!ts) return false; let lo = 0, hi = ts.length; while (lo < hi) { const m = (lo + hi) >> 1; if (ts[m] < a) lo = m + 1; else hi = m; } return lo < ts.length && ts[lo] <= b; };
    const tab = new Map();
    for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) { const x = live.get(q.id); if (!x || !x.cloud || x.nSens !== 1 || x.air === undefined) continue;
      const ok = (truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000);
      const nb = neighbours(x.sensors[0]); const k = nb.filter((id) => heardIn(id, t - W, t)).length;
      const key = `air${x.air < 0.05 ? '<0.05' : x.air < 0.3 ? '<0.3' : '>=0.3'} neigh ${k >= 3 ? '3+' : k}/${nb.length >= 6 ? '6+' : nb.length}`;
      const c = tab.get(key) ?? { ok: 0, n: 0 }; c.n++; if (ok) c.ok++; tab.set(key, c); } }
    for (const [k, c] of [...tab].sort()) console.log(`   NEIGH 1-node rows ${k}: ${c.n} rows, ${c.ok} true (${(100 * c.ok / c.n).toFixed(0)} %)`);
  }
  if (process.env.FALSE) {
    // false vs true rows by the track's silence and number of nodes
    const hist = { true: new Map(), false: new Map() };
    for (const [t, rs] of reportedAt) { const live = new Map((liveAt.get(t) ?? []).map((x) => [x.id, x])); for (const q of rs) { const x = live.get(q.id); if (!x) continue;
      const ok = (truthBy.get(t) ?? []).some((p) => Math.hypot(p.e - q.p.e, p.n - q.p.n) <= 2000);
      const k = `${x.silent < 5 ? 'heard<5s' : x.silent < 30 ? 'silent5-30' : 'silent30+'}|${x.nSens === 1 ? '1node' : '2+nodes'}|${x.cloud ? 'cloud' : 'imm'}`;
      const h = hist[ok]; h.set(k, (h.get(k) ?? 0) + 1); } }
    for (const k of [...new Set([...hist.true.keys(), ...hist.false.keys()])].sort()) console.log(`    ${k.padEnd(28)} true ${String(hist.true.get(k) ?? 0).padStart(5)} false ${String(hist.false.get(k) ?? 0).padStart(5)}`);
  }
  console.log(`SUMMARY observable ${observable} covered ${counts.covered} falseRowSeconds ${falseRows} rows ${rows} falseThreat ${falseThreat} trueThreat ${trueThreat}`);
  if (picture.tracker?.stats) console.error(`range scale learnt ${picture.tracker.stats.rangeScale.toFixed(2)} from ${picture.tracker.stats.rangeScaleTracks} tracks`);
  if (picture.tracker?.stats?.sourcePrior) console.error(`source kinds prior ${picture.tracker.stats.sourcePrior.map((p) => p.toFixed(2)).join(" / ")} from ${picture.tracker.stats.sourcePriorTracks} tracks`);
}
