import { makeRadarScene } from '@skywarden/sim';
import { createTracker, createBatchRunner, scoreTracks, geodeticToEnu, createEnuFrame } from '@skywarden/core';
import { parseSensorsJson, parseDetectionLine } from '@skywarden/formats';
const args = Object.fromEntries(process.argv.slice(2).map(a => a.split('=')));
const scene = makeRadarScene({ seed: Number(args.seed ?? 1), nTargets: Number(args.n ?? 8), durationS: Number(args.d ?? 600), clutterPerScan: Number(args.clutter ?? 3), annotate: true });
const sensors = parseSensorsJson(JSON.stringify({ sensors: scene.sensors })).sensors;
const opts = args.opts ? JSON.parse(args.opts) : {};
const tr = createTracker({ origin: scene.origin, ...opts });
const rows = [];
const events = [];
const runner = createBatchRunner(tr, {}, { onReport: (t, reps) => { for (const r of reps) rows.push({ t, id: r.trackId, position: r.position, status: r.status }); }, onEvents: (e) => events.push(...e) });
let i = 0;
const t0 = performance.now();
for (const d of scene.detections) { const r = parseDetectionLine(JSON.stringify(d), ++i, sensors); if (r.ok) runner.push(r.detection); }
runner.finish();
const dt = (performance.now() - t0) / 1000;
const truth = scene.truth.map(r => ({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } }));
const s = scoreTracks(truth, rows);
const conf = events.filter(e => e.type === 'confirmed').length;
console.log(`dets ${scene.detections.length} in ${dt.toFixed(2)} s (${Math.round(scene.detections.length/dt)}/s) confirmed ${conf}; GOSPA ${s.gospa.toFixed(0)} loc ${s.localisation.toFixed(0)} miss ${s.missed.toFixed(0)} false ${s.false.toFixed(0)}; median ${s.medianError.toFixed(0)} p95 ${s.p95Error.toFixed(0)} tracked ${s.targetsTracked}/${s.targets} idsw ${s.idSwitches} meanFalse ${s.meanFalseTracks.toFixed(2)} meanMissed ${s.meanMissedTargets.toFixed(2)}`);
if (args.v) {
  // per-track lifetime and nearest truth
  const byTrack = new Map();
  for (const r of rows) { if (!byTrack.has(r.id)) byTrack.set(r.id, []); byTrack.get(r.id).push(r); }
  for (const [id, rs] of byTrack) console.log(id, rs[0].t - scene.t0, rs.at(-1).t - scene.t0, rs.length, rs.filter(r=>r.status==='coasting').length);
}
if (args.dup) {
  const frame = createEnuFrame(scene.origin);
  const truthAt = new Map();
  for (const r of scene.truth) { if (!truthAt.has(r.t)) truthAt.set(r.t, []); truthAt.get(r.t).push(r); }
  const byTrack = new Map();
  for (const r of rows) { if (!byTrack.has(r.id)) byTrack.set(r.id, []); byTrack.get(r.id).push(r); }
  for (const [id, rs] of byTrack) {
    if (rs.length > 60) continue;
    const r0 = rs[0];
    const p = geodeticToEnu(frame, r0.position);
    const tt = truthAt.get(Math.round(r0.t)) ?? [];
    let best = Infinity; for (const x of tt) { const q = geodeticToEnu(frame, { latDeg: x.lat, lonDeg: x.lon, altM: x.alt_m }); best = Math.min(best, Math.hypot(q[0]-p[0], q[1]-p[1])); }
    let bestTr = Infinity; for (const o of rows) { if (o.t !== r0.t || o.id === id) continue; const q = geodeticToEnu(frame, o.position); bestTr = Math.min(bestTr, Math.hypot(q[0]-p[0], q[1]-p[1])); }
    console.log(`track ${id} first row t+${r0.t - scene.t0}: nearest truth ${best.toFixed(0)} m, nearest other track ${bestTr.toFixed(0)} m, alt ${r0.position.altM.toFixed(0)}`);
  }
}
