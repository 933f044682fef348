#!/usr/bin/env node
// Why do tracks change identity in a dense radar scene? Runs the tracker on a seeded radar scene
// (as `npm run bench`'s "radar N" cells) and sorts every id switch the scorer counts by cause:
//   swap     the target's previous track is alive and now held by another target
//   break    the target's previous track was deleted (a new track took over)
//   idle     the previous track is alive but assigned to nobody (a duplicate took over)
// Flags: --targets N (1000) --duration S (300) --seed K (7) --assoc gnn|greedy (gnn)
//   (--assoc jpda: joint probabilistic association, jpda-associator.ts; env JPDA_RHO, JPDA_HARD)
//   --oracle SD[,TAU]: no tracker; each target's own track, never swapped, placed at the truth plus
//   a horizontal error of one-sigma SD m per axis that wanders with time constant TAU s (default
//   10; first-order Gauss-Markov): what the scorer counts for tracks that never change identity
//   but are as accurate as a tracker's (the floor of its per-instant assignment's flicker)
import { createTracker, createBatchRunner, createGreedyAssociator, createJpdaAssociator, chiSquareQuantile, gospa, horizontalDistance } from '@skywarden/core';
import { parseSensorsJson, parseDetectionLine } from '@skywarden/formats';
import { makeRadarScene } from '@skywarden/sim';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const n = Number(arg('targets', 1000));
const durationS = Number(arg('duration', 300));
const seed = Number(arg('seed', 7));
const assoc = arg('assoc', 'gnn');
const scene = makeRadarScene({ seed, nTargets: n, durationS, clutterPerScan: 5, nRadars: 2 });
const sensors = parseSensorsJson(JSON.stringify({ sensors: scene.sensors })).sensors;
const dets = [];
scene.detections.forEach((d, i) => { const r = parseDetectionLine(JSON.stringify(d), i + 1, sensors); if (r && r.ok) dets.push(r.detection); });
const oracle = arg('oracle', null);
const components = assoc === 'greedy' ? { associator: createGreedyAssociator() } : assoc === 'jpda' ? { associator: createJpdaAssociator({ missCost: chiSquareQuantile(4, 0.999) * 2, ...(process.env.JPDA_RHO ? { clutterPerCell: Number(process.env.JPDA_RHO) } : {}), ...(process.env.JPDA_HARD ? { hardAbove: Number(process.env.JPDA_HARD) } : {}) }) } : {};
const tracker = createTracker({ origin: scene.origin }, components);
const rowsByT = new Map();
const deletedAt = new Map();
const deleteReasons = new Map();
const runner = createBatchRunner(tracker, {}, {
  onReport: (t, reps) => rowsByT.set(t, reps.map((r) => ({ id: r.trackId, position: r.position }))),
  onEvents: (ev) => { for (const e of ev) if (e.type === 'deleted') { deletedAt.set(e.trackId, e.t); deleteReasons.set(e.reason ?? '?', (deleteReasons.get(e.reason ?? '?') ?? 0) + 1); } },
});
const t0 = performance.now();
if (!oracle) {
  for (const d of dets) runner.push(d);
  runner.finish();
}
const sec = (performance.now() - t0) / 1000;
const truthByT = new Map();
for (const r of scene.truth) {
  if (!truthByT.has(r.t)) truthByT.set(r.t, []);
  truthByT.get(r.t).push({ id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } });
}
if (oracle) {
  // identity-true tracks with a tracker's error: AR(1) per target and axis, stationary one-sigma sd
  const [sd, tau = 10] = oracle.split(',').map(Number);
  let u = seed * 2654435761 >>> 0;
  const rnd = () => { u = (u + 0x6d2b79f5) >>> 0; let x = u; x = Math.imul(x ^ (x >>> 15), x | 1); x ^= x + Math.imul(x ^ (x >>> 7), x | 61); return ((x ^ (x >>> 14)) >>> 0) / 4294967296; };
  const normal = () => Math.sqrt(-2 * Math.log(rnd() + 1e-300)) * Math.cos(2 * Math.PI * rnd());
  const err = new Map();
  const lastT = new Map();
  for (const t of [...truthByT.keys()].sort((a, b) => a - b)) {
    const out = [];
    for (const r of truthByT.get(t)) {
      let e = err.get(r.id);
      const dt = t - (lastT.get(r.id) ?? t);
      if (!e) e = [sd * normal(), sd * normal()];
      else { const a = Math.exp(-dt / tau); const b = sd * Math.sqrt(1 - a * a); e = [a * e[0] + b * normal(), a * e[1] + b * normal()]; }
      err.set(r.id, e);
      lastT.set(r.id, t);
      const lat = r.position.latDeg + e[1] / 111_320;
      const lon = r.position.lonDeg + e[0] / (111_320 * Math.cos((r.position.latDeg * Math.PI) / 180));
      out.push({ id: `o-${r.id}`, position: { latDeg: lat, lonDeg: lon, altM: r.position.altM } });
    }
    rowsByT.set(t, out);
  }
}
const last = new Map();
const cause = { swap: 0, break: 0, idle: 0 };
let switches = 0;
let back = 0;
const segs = new Map();
const seen = new Map();
const sepHist = [];
const errNow = [];
const allErr = [];
const c = 2000;
for (const t of [...truthByT.keys()].sort((a, b) => a - b)) {
  const tr = truthByT.get(t);
  const es = rowsByT.get(t);
  if (!es) continue;
  const dist = new Float64Array(tr.length * es.length);
  for (let i = 0; i < tr.length; i++) for (let j = 0; j < es.length; j++) dist[i * es.length + j] = horizontalDistance(tr[i].position, es[j].position);
  const g = gospa(dist, tr.length, es.length, c, 2);
  const holder = new Map();
  for (let i = 0; i < tr.length; i++) if (g.assignment[i] >= 0) holder.set(es[g.assignment[i]].id, tr[i].id);
  const alive = new Set(es.map((e) => e.id));
  for (let i = 0; i < tr.length; i++) {
    const j = g.assignment[i];
    if (j < 0) continue;
    const prev = last.get(tr[i].id);
    const now = es[j].id;
    allErr.push(dist[i * es.length + j]);
    if (prev !== undefined && prev !== now) {
      switches++;
      if (!alive.has(prev)) cause.break++;
      else if (holder.has(prev)) {
        cause.swap++;
        const hist = seen.get(tr[i].id) ?? [];
        if (hist.includes(now)) back++;
        const other = tr.findIndex((x) => x.id === holder.get(prev));
        sepHist.push(horizontalDistance(tr[i].position, tr[other].position));
        errNow.push(dist[i * es.length + j]);
      }
      else cause.idle++;
    }
    last.set(tr[i].id, now);
    if (!segs.has(tr[i].id)) segs.set(tr[i].id, []);
    const sg = segs.get(tr[i].id);
    if (sg.length && sg[sg.length - 1].id === now) sg[sg.length - 1].t1 = t;
    else sg.push({ id: now, t0: t, t1: t });
    if (!seen.has(tr[i].id)) seen.set(tr[i].id, []);
    if (!seen.get(tr[i].id).includes(now)) seen.get(tr[i].id).push(now);
  }
}
console.log(`radar ${n}, ${durationS} s, seed ${seed}, ${oracle ? `oracle tracks (identity true, error ${oracle})` : `associator ${assoc}`}: ${switches} id switches (swap ${cause.swap}, break ${cause.break}, idle ${cause.idle}); tracker ${(dets.length / sec).toFixed(0)} det/s; tracks started ${tracker.stats.started}; weighted updates ${tracker.stats.mixtures} (fell back ${tracker.stats.mixturesFallback})`);
const q = (a, f) => { const b = a.slice().sort((x, y) => x - y); return b.length ? b[Math.floor(f * (b.length - 1))].toFixed(0) : '-'; };
console.log(`swaps back to an earlier track: ${back}; separation of the two targets at a swap: median ${q(sepHist, 0.5)} m, p10 ${q(sepHist, 0.1)} m, p90 ${q(sepHist, 0.9)} m; error after: median ${q(errNow, 0.5)} m`);
// lasting switches: drop holdings shorter than 30 s, merge neighbours with the same track, count changes
let lasting = 0;
for (const sg of segs.values()) {
  const kept = sg.filter((x) => x.t1 - x.t0 >= 30);
  for (let k = 1; k < kept.length; k++) if (kept[k].id !== kept[k - 1].id) lasting++;
}
console.log(`lasting switches (holdings of >= 30 s only): ${lasting}`);
console.log(`horizontal error of every assigned pair: median ${q(allErr, 0.5)} m, p90 ${q(allErr, 0.9)} m`);
if (!oracle) console.log(`tracks deleted, by reason: ${[...deleteReasons].map(([r, k]) => `${r} ${k}`).join(', ')}`);
