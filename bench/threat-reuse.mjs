#!/usr/bin/env node
// How much a reused threat prediction differs from a fresh one, on the reports of a recorded
// scene (issue 16; docs/warnings.md "Reusing a prediction"). Not a test.
//
// The scene's detections are tracked as `skywarden track` does (the picture, no zones); every 5 s
// of report time each reported track is predicted afresh (75 members, the default) and through
// reusing predictors (threat/reuse.ts) at several tolerances, all on the same reports; for every
// answer a reusing predictor reused, per zone of either answer, the difference of each
// probability, and of the ETA where both say P >= 0.15. Beside them, the ensemble's own error on
// the same reports (every 10th update): the default design against the product design (375
// members: the mean of the five Latin squares) and against a fine ensemble (5 position nodes ×
// 9 speeds × 15 headings × 15 manoeuvres = 10,125 members), which stands for the model's exact
// answer.
//
// Usage: npm run build && node bench/threat-reuse.mjs --scene bench/results/national-scene-<key> [--until S (s after the first detection)] [--tolerances default,0.2,0.3] [--ref-every N (0: none)]
import { createPicture, createReusingPredictor, createThreatPredictor, destination, sensorCentroid } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson, parseZonesGeoJson } from '@skywarden/formats';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const scene = arg('scene', null);
if (!scene) throw new Error('--scene DIR (a folder with sensors.json, detections.ndjson, zones.geojson) is required');
const untilRel = Number(arg('until', Infinity));
const tolerances = arg('tolerances', 'default').split(',').map((x) => (x === 'default' ? undefined : Number(x)));
const INTERVAL = 5;
const refEvery = Number(arg('ref-every', 10)); // 0: no reference ensembles
const ETA_MIN_P = 0.15;
const KEYS = ['probability', 'leadProbability', 'imminentProbability', 'holdProbability', 'insideProbability'];

const sr = parseSensorsJson(readFileSync(`${scene}/sensors.json`, 'utf8'));
if (!sr.ok) throw new Error(sr.errors.join('; '));
const zr = parseZonesGeoJson(readFileSync(`${scene}/zones.geojson`, 'utf8'));
if (!zr.ok) throw new Error(zr.errors.join('; '));
const zones = zr.zones.map((z) => ({ id: z.id, area: z.area, leadS: z.leadS }));
const latin = createThreatPredictor(zones);
const refs = [
  ['product design (375 members)', createThreatPredictor(zones, { positionDesign: 'product' })],
  ['fine ensemble (10,125 members)', createThreatPredictor(zones, { positionDesign: 'product', speedNodes: 9, headingNodes: 15, manoeuvreNodes: 15 })],
];
const reusers = tolerances.map((tol) => ({ name: tol === undefined ? 'default' : String(tol), r: createReusingPredictor(createThreatPredictor(zones), { tolerance: tol }), acc: {}, reports: 0 }));

/** Differences between two answers for one track: per zone of either, |Δ| of each probability; ETA where both have P >= ETA_MIN_P. */
function compare(a, b, acc) {
  const byZone = new Map();
  for (const x of a) byZone.set(x.zone, [x, null]);
  for (const y of b) { const e = byZone.get(y.zone); if (e) e[1] = y; else byZone.set(y.zone, [null, y]); }
  for (const [x, y] of byZone.values()) {
    for (const k of KEYS) (acc[k] ??= []).push(Math.abs((x?.[k] ?? 0) - (y?.[k] ?? 0)));
    if (x && y && x.probability >= ETA_MIN_P && y.probability >= ETA_MIN_P) (acc.eta ??= []).push(Math.abs(x.etaS - y.etaS));
  }
}
const stat = (arr) => {
  if (!arr || arr.length === 0) return { n: 0, mean: NaN, p99: NaN, max: NaN };
  const s = Float64Array.from(arr).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { n: s.length, mean: sum / s.length, p99: s[Math.min(s.length - 1, Math.floor(0.99 * s.length))], max: s[s.length - 1] };
};

const refAcc = refs.map(() => ({}));
// what separates a reused answer from the fresh one (first tolerance): the shift itself (reused
// against a fresh prediction from the saved report propagated at constant velocity, its position
// variance grown by Δ²σv²) and the new state (that against the fresh prediction of the new report);
// per report, the largest |ΔP| over its zones
const lastFresh = new Map();
const split = { shift: [], state: [] };
const maxDiff = (a, b) => { const acc = {}; compare(a, b, acc); return Math.max(0, ...(acc.probability ?? [])); };
let updates = 0;
let reportsPredicted = 0;
let lastT = -Infinity;
let until = Infinity;
const t0 = performance.now();
const pic = createPicture({ anchor: sensorCentroid(sr.sensors.values()), sensors: sr.sensors.values() }, (e) => {
  if (e.type !== 'tracks' || e.t - lastT < INTERVAL - 1e-9 || e.t > until) return;
  lastT = e.t;
  updates++;
  const ids = new Set(e.reports.map((r) => r.trackId));
  for (const r of e.reports) {
    reportsPredicted++;
    const fresh = latin.predict(r);
    reusers.forEach((u, i) => {
      const before = u.r.stats.reused;
      const answer = u.r.predict(e.t, r);
      if (u.r.stats.reused > before) {
        u.reports++;
        compare(answer, fresh, u.acc);
        const old = i === 0 ? lastFresh.get(r.trackId) : undefined;
        if (old) {
          const dt = e.t - old.t;
          const o = old.r;
          const speed = Math.hypot(o.velocityEnu[0], o.velocityEnu[1]);
          const propagated = { ...o, position: destination(o.position, Math.atan2(o.velocityEnu[0], o.velocityEnu[1]), speed * dt), positionSd: Math.hypot(o.positionSd, dt * o.velocitySd) };
          const fromOld = latin.predict(propagated);
          split.shift.push(maxDiff(answer, fromOld));
          split.state.push(maxDiff(fromOld, fresh));
        }
      } else if (i === 0) lastFresh.set(r.trackId, { t: e.t, r });
    });
    if (refEvery > 0 && updates % refEvery === 0) refs.forEach(([, p], i) => compare(fresh, p.predict(r), refAcc[i]));
  }
  for (const u of reusers) u.r.retain(ids);
  for (const id of lastFresh.keys()) if (!ids.has(id)) lastFresh.delete(id);
});

const rl = createInterface({ input: createReadStream(`${scene}/detections.ndjson`), crlfDelay: Infinity });
let lineNo = 0;
for await (const line of rl) {
  lineNo++;
  const r = parseDetectionLine(line, lineNo, sr.sensors);
  if (r === null || !r.ok) continue;
  if (until === Infinity) until = r.detection.t + untilRel;
  if (r.detection.t > until + 10) break;
  pic.push(r.detection);
}
pic.finish();
const sec = (performance.now() - t0) / 1000;

const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const cells = (acc) => [...KEYS.map((k) => { const s = stat(acc[k]); return `${f3(s.mean)} / ${f3(s.p99)} / ${f3(s.max)}`; }), (() => { const s = stat(acc.eta); return `${f1(s.mean)} / ${f1(s.p99)} / ${f1(s.max)}`; })()];
console.log(`scene ${scene}: ${updates} updates, ${reportsPredicted} reports predicted, ${sec.toFixed(0)} s`);
console.log('\nper track and zone, mean / 99th percentile / max of |difference| (ETA in s, where both say P >= 0.15):\n');
console.log('| answers compared | reports | track-zone pairs | P | lead P | imminent P | hold P | inside P | ETA s |');
console.log('|---|---|---|---|---|---|---|---|---|');
if (refEvery > 0) refs.forEach(([name], i) => console.log(`| default (75) against ${name}, every ${refEvery}th update | | ${refAcc[i].probability?.length ?? 0} | ${cells(refAcc[i]).join(' | ')} |`));
for (const u of reusers) {
  const s = u.r.stats;
  const reasons = Object.entries(s.byReason).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`| reused (tolerance ${u.name} = ${u.r.options.tolerance.toFixed(3)}) against fresh | ${u.reports} of ${s.fresh + s.reused} reused (afresh: ${reasons}) | ${u.acc.probability?.length ?? 0} | ${cells(u.acc).join(' | ')} |`);
}
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
if (split.shift.length > 0) console.log(`\nreused answers of tolerance ${reusers[0].name}: the largest |ΔP| per report, mean over ${split.shift.length} reports: the shift itself ${mean(split.shift).toFixed(4)} (max ${Math.max(...split.shift).toFixed(3)}), the new state ${mean(split.state).toFixed(4)} (max ${Math.max(...split.state).toFixed(3)})`);
