#!/usr/bin/env node
// What can microphones tell at all? A bound on the covered share of one cell of the acoustic
// matrix (issue 13: "tracked as well as physics allows"), against which the tracker's figure
// (bench/acoustic-why.mjs on the same cell and seed) can be read.
//
// For each target alone, a particle filter with the tracker's own models (presence and bearing
// likelihoods, the silences of every node as negative information, the sound's travel time,
// the piston speed band) is fed that target's detections only: the association is known (the
// simulator's annotation), false alarms and the other targets do not exist, there is no
// confirmation delay (the filter starts at the target's first detection) and it has 4,000
// particles (the tracker: 200). Every second it is scored as the scorer scores a track: the
// target is covered when the reported point is within 2 km. Two reporting rules:
//  - "shown": the cloud's mean, reported when at least half the cloud's weight is within 2 km of
//    it (the tracker's own rule, cloudShown);
//  - "best point": always reported, at the point (of 64 candidate particles) with the most
//    weight within 2 km: an optimistic reader who always says the likeliest place.
// The filter's motion model matters: `--turns MEAN_S,SD_RAD` lets each particle turn at random
// (on average every MEAN_S seconds, by N(0, SD_RAD)), as the simulator's drones fly dog-legs;
// default off, the tracker's model. What the bound leaves out, in the tracker's favour: none.
// What it leaves in: the sensor model the tracker knows (the catalogue's declared pd and range,
// not each unit's true ones), so it is a bound for trackers with that knowledge.
//
// Usage: npm run build && node bench/acoustic-bound.mjs [--spacing 5000] [--range 2500]
//   [--alt 100,1500] [--arrays 0.2] [--seed 13] [--drones 20] [--duration 1200] [--n 4000]
//   [--turns 120,0.8] [--no-silence] [--own-silences] [--spread-dirs 0]
// The last line (SUMMARY) sums for scripts.
import { createEnuFrame, geodeticToEnu, presenceModel, presenceReach, predictCloud, presenceHit, bearingUpdate, resampleCloud, createCloud } from '@skywarden/core';
import { buildScenarioScene, parseScenario } from '@skywarden/sim';
import { seedFromReport, presenceMissAll } from '../packages/core/dist/acoustic/particle-cloud.js';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const spacing = Number(arg('spacing', 5000));
const range = Number(arg('range', 2500));
const alt = arg('alt', '100,1500').split(',').map(Number);
const arrays = Number(arg('arrays', 0.2));
const seed = Number(arg('seed', 13));
const drones = Number(arg('drones', 20));
const durationS = Number(arg('duration', 1200));
const N = Number(arg('n', 4000));
const turns = arg('turns', null)?.split(',').map(Number) ?? null;
const silence = !args.includes('--no-silence');
// --own-silences: a node is silent for the target when it reported nothing of that target (an oracle's view); default: when it reported nothing at all, as the tracker sees it
const anyReport = !args.includes('--own-silences');
const DEG = Math.PI / 180;

const noIo = { readText: () => { throw new Error('no files'); }, readJson: (f) => JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')), krAdminTopology: () => { throw new Error('no files'); } };
// the cell as bench/acoustic-why.mjs makes it (false alarms do not matter here: only the target's own rows are used)
const parsed = parseScenario({
  name: 'bound', preset: 'mixed', seed, duration_s: durationS, region_m: Math.max(30000, 8 * spacing),
  raid: { drones, alt_m: alt, jet_share: 0, decoy_share: 0, downed_share: 0.1, from_spread_deg: Number(arg('spread-dirs', 0)) },
  sensors: { radars: 0, mic_spacing_m: spacing, mic_range_m: range, mic_pd: arg('pd', '0.6,0.95').split(',').map(Number), mic_quality_spread: Number(arg('spread', 0.3)), array_share: arrays, observers: 0, mic_false_alarms: { rate_per_hour: Number(arg('fa', 0.5)), kinds: ['burst', 'stationary', 'road', 'correlated'] } },
  traffic: { airliners: 0, helicopters: 0 },
});
if (!parsed.ok) throw new Error(parsed.errors.join('; '));
const built = buildScenarioScene(parsed.scenario, noIo, { annotate: true });
const truth = [];
const dets = [];
for (const ch of built.chunks()) { truth.push(...ch.truth); dets.push(...ch.detections); }
const frame = createEnuFrame({ latDeg: built.sensors[0].lat, lonDeg: built.sensors[0].lon, altM: 0 });
const enu = (lat, lon, a = 0) => geodeticToEnu(frame, { latDeg: lat, lonDeg: lon, altM: a });

// the nodes, with the models the tracker would build from the catalogue (acoustic-network.ts)
const nodes = new Map();
for (const s of built.sensors) {
  if (s.kind !== 'acoustic') continue;
  const [sx, sy, sz] = enu(s.lat, s.lon, s.alt_m ?? 0);
  const period = s.report_period_s ?? 2;
  const model = presenceModel(s.range_m, { pd: s.pd ?? 0.85, pfa: Math.max(1e-4, Math.min(0.5, ((s.far_per_hour ?? 0.5) * period) / 3600)) });
  nodes.set(s.id, { id: s.id, sx, sy, sz, model, reach: presenceReach(model), period, bearingSdDeg: s.bearing_sd_deg });
}
const nodeList = [...nodes.values()];

const byTarget = new Map();
for (const d of dets) { if (typeof d.sim_target !== 'string' || !nodes.has(d.sensor)) continue; if (!byTarget.has(d.sim_target)) byTarget.set(d.sim_target, []); byTarget.get(d.sim_target).push(d); }
for (const ds of byTarget.values()) ds.sort((a, b) => a.t - b.t);
// every report of each node, whatever caused it: a node that reported anything (another target, a
// false alarm) is not silent, as in the tracker (silence.ts: a presence report does not say which target)
const reportsOf = new Map();
for (const d of dets) { if (!nodes.has(d.sensor)) continue; if (!reportsOf.has(d.sensor)) reportsOf.set(d.sensor, []); reportsOf.get(d.sensor).push(d.t); }
for (const ts of reportsOf.values()) ts.sort((a, b) => a - b);
/** The node's last report at or before t (any cause), -Infinity when none. */
const lastReportOf = (id, t) => { const ts = reportsOf.get(id); if (!ts) return -Infinity; let lo = 0, hi = ts.length; while (lo < hi) { const m = (lo + hi) >> 1; if (ts[m] <= t) lo = m + 1; else hi = m; } return lo > 0 ? ts[lo - 1] : -Infinity; };
const truthOf = new Map();
for (const r of truth) { if (!truthOf.has(r.id)) truthOf.set(r.id, []); truthOf.get(r.id).push(r); }

let s32 = seed * 7919 + 1;
const rng = () => { s32 = (Math.imul(s32 ^ (s32 >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0; let x = s32; x ^= x >>> 13; x = Math.imul(x, 0x5bd1e995); x ^= x >>> 15; return (x >>> 0) / 2 ** 32; };
const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

const tally = { observable: 0, shown: 0, shownCovered: 0, best: 0, byNodes: new Map() };
const errsShown = [];
for (const [id, ds] of byTarget) {
  const tr = (truthOf.get(id) ?? []).sort((a, b) => a.t - b.t);
  if (tr.length === 0 || ds.length < 2) continue;
  const c = createCloud(rng, { n: N });
  const first = ds[0];
  const n0 = nodes.get(first.sensor);
  const at = { sx: n0.sx, sy: n0.sy, sz: n0.sz, model: n0.model, reach: n0.reach };
  if (first.type === 'bearing') { at.bearing = first.bearing_deg * DEG; at.bearingSd = (first.bearing_sd_deg ?? 5) * DEG; }
  seedFromReport(c, first.t, at, 50, 2500);
  // the node's last report of this target, and the last time its silence was counted
  const lastHeard = new Map([[first.sensor, first.t]]);
  const counted = new Map();
  let k = 1; // next detection to take
  let nextSilence = first.t + 2;
  const step = (t) => {
    if (turns && t > c.t) {
      const p = (t - c.t) / turns[0];
      for (let i = 0; i < c.n; i++) if (rng() < p) { const a = turns[1] * gauss(); const ca = Math.cos(a), sa = Math.sin(a); const vx = c.vx[i], vy = c.vy[i]; c.vx[i] = ca * vx + sa * vy; c.vy[i] = -sa * vx + ca * vy; }
    }
    predictCloud(c, t);
  };
  const silencePass = (t) => {
    // nodes within reach of the cloud's particles: its box grown by the largest reach
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < c.n; i++) { if (c.x[i] < x0) x0 = c.x[i]; if (c.x[i] > x1) x1 = c.x[i]; if (c.y[i] < y0) y0 = c.y[i]; if (c.y[i] > y1) y1 = c.y[i]; }
    const silent = [];
    for (const nd of nodeList) {
      if (nd.sx < x0 - nd.reach - 500 || nd.sx > x1 + nd.reach + 500 || nd.sy < y0 - nd.reach - 500 || nd.sy > y1 + nd.reach + 500) continue;
      const heard = anyReport ? lastReportOf(nd.id, t) : lastHeard.get(nd.id) ?? -Infinity;
      const since = Math.max(heard, counted.get(nd.id) ?? -Infinity, first.t);
      // whole report periods without a report (the first 1.5 periods after a report are not yet a miss)
      if (t - heard < 1.5 * nd.period) continue;
      const times = Math.floor((t - since) / nd.period);
      if (times < 1) continue;
      counted.set(nd.id, since + times * nd.period);
      silent.push({ sx: nd.sx, sy: nd.sy, sz: nd.sz, model: nd.model, times });
    }
    if (silent.length > 0) presenceMissAll(c, silent);
  };
  let ti = 0;
  for (let t = Math.ceil(first.t); t <= tr.at(-1).t; t++) {
    // the detections up to t, each at its own time, and the silences every 2 s
    while (k < ds.length && ds[k].t <= t) {
      const d = ds[k++];
      if (silence) while (nextSilence <= d.t) { step(nextSilence); silencePass(nextSilence); resampleCloud(c, 0.5, 30); nextSilence += 2; }
      step(d.t);
      const nd = nodes.get(d.sensor);
      presenceHit(c, nd.sx, nd.sy, nd.sz, nd.model);
      if (d.type === 'bearing') bearingUpdate(c, nd.sx, nd.sy, nd.sz, d.bearing_deg * DEG, (d.bearing_sd_deg ?? 5) * DEG, nd.reach);
      lastHeard.set(d.sensor, d.t);
      resampleCloud(c, 0.5, 30);
    }
    if (silence) while (nextSilence <= t) { step(nextSilence); silencePass(nextSilence); resampleCloud(c, 0.5, 30); nextSilence += 2; }
    step(t);
    while (ti < tr.length && tr[ti].t < t - 0.5) ti++;
    const r = tr[ti];
    if (!r || Math.abs(r.t - t) > 0.5) continue;
    // observable: at least 2 detections in the preceding 60 s (the scorer's rule)
    let recent = 0;
    const nodesHeard = new Set();
    for (let j = k - 1; j >= 0 && ds[j].t > t - 60; j--) { recent++; nodesHeard.add(ds[j].sensor); }
    if (recent < 2) continue;
    tally.observable++;
    const [te, tn] = enu(r.lat, r.lon, r.alt_m ?? 0);
    let mx = 0, my = 0;
    for (let i = 0; i < c.n; i++) { mx += c.w[i] * c.x[i]; my += c.w[i] * c.y[i]; }
    const within = (x, y) => { let m = 0; for (let i = 0; i < c.n; i++) if ((c.x[i] - x) ** 2 + (c.y[i] - y) ** 2 <= 4e6) m += c.w[i]; return m; };
    const nk = nodesHeard.size >= 3 ? '3+' : String(nodesHeard.size);
    const b = tally.byNodes.get(nk) ?? { observable: 0, shownCovered: 0, best: 0 };
    b.observable++;
    tally.byNodes.set(nk, b);
    const err = Math.hypot(mx - te, my - tn);
    if (within(mx, my) >= 0.5) {
      tally.shown++;
      if (err <= 2000) { tally.shownCovered++; b.shownCovered++; }
      errsShown.push(err);
    }
    // the best of 64 candidate points drawn by weight
    let bx = mx, by = my, bm = within(mx, my);
    for (let q = 0; q < 64; q++) {
      let u = rng(), i = 0;
      while (i < c.n - 1 && u > c.w[i]) { u -= c.w[i]; i++; }
      const m = within(c.x[i], c.y[i]);
      if (m > bm) { bm = m; bx = c.x[i]; by = c.y[i]; }
    }
    if (Math.hypot(bx - te, by - tn) <= 2000) { tally.best++; b.best++; }
  }
}
errsShown.sort((a, b) => a - b);
const pct = (x, n = tally.observable) => `${((100 * x) / n).toFixed(1)} %`;
console.log(`bound, cell spacing ${spacing} range ${range} alt ${alt} arrays ${arrays} seed ${seed}, ${N} particles${turns ? `, turns every ${turns[0]} s by N(0, ${turns[1]} rad)` : ''}${silence ? '' : ', no silences'}: ${tally.observable} observable target-seconds`);
console.log(`  shown and within 2 km   ${pct(tally.shownCovered)} (shown ${pct(tally.shown)}; median error when shown ${Math.round(errsShown[errsShown.length >> 1] ?? NaN)} m)`);
console.log(`  best point within 2 km  ${pct(tally.best)}`);
for (const [k, b] of [...tally.byNodes].sort()) console.log(`  nodes heard in the last minute ${k}: ${b.observable} s, shown and within 2 km ${pct(b.shownCovered, b.observable)}, best point ${pct(b.best, b.observable)}`);
console.log(`SUMMARY observable ${tally.observable} shownCovered ${tally.shownCovered} best ${tally.best}`);
