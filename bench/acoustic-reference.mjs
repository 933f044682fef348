// The known-association reference for the acoustic matrix (issue 13: "tracked as well as physics
// allows"): what the tracker's own models can tell about each target when the hard parts of
// multi-target tracking are taken away.
//
// For each target alone, a particle filter with the tracker's own models (particle-cloud.ts: the
// presence and bearing likelihoods, the silences of every node as negative information, the
// sound's travel time, the piston speed band, heights 50-2,500 m) is fed that target's acoustic
// detections only: the association is known (the simulator's annotation); false alarms and the
// other targets exist only in that a node that reported anything is not silent (a presence report
// does not say which target, as in silence.ts); there is no initiation or confirmation delay (the
// filter starts at the target's first detection) and no deletion; 4,000 particles (the tracker:
// 200). Its reports are scored by the scorer the matrix uses (which credits any row within 2 km:
// one target's reference rows may cover another target). Which nodes' silences count is chosen
// from the cloud's box grown by each node's reach (silence.ts: the mean ± 3 sd and the reach);
// how they count is silence.ts's.
//
// Not a strict upper bound: a prior learnt from the raid (the tracker's heading prior), a better
// motion model or other targets' tracks carry information this filter does not use. It measures
// how much of what the models can extract from each target's own reports the multi-target tracker
// loses.
//
// Two reporting rules:
//  - 'shown': the cloud's mean, reported when at least half its weight is within 2 km of it (the
//    mass rule of the tracker's cloudShown, without its hysteresis (hidden below 0.4) and without
//    hiding a cloud whose silences are 10:1 against it);
//  - 'best': always reported, at the point (of 64 candidate particles drawn by weight) with the most
//    weight within 2 km: a reader who always names the likeliest place.
import { coverageEvidence, createEnuFrame, enuToGeodetic, geodeticToEnu, presenceModel, presenceReach, predictCloud, presenceHit, bearingUpdate, resampleCloud, createCloud } from '@skywarden/core';
import { readFileSync } from 'node:fs';
import { massWithin, seedFromReport, presenceMissAll } from '../packages/core/dist/acoustic/particle-cloud.js';

const DEG = Math.PI / 180;
/** A bearing's one-sigma (rad) as the tracker takes it: the row's, with a floor of 0.02 rad (cloud-filter.ts, cloud-initiator.ts). */
const bearingSdOf = (d) => Math.hypot((d.bearing_sd_deg ?? 5) * DEG, 0.02);

/**
 * Reference tracks of a built scene (buildScenarioScene with annotate), as rows the coverage scorer
 * takes: { t, id, position: { latDeg, lonDeg, altM } }, one per target and second while it is reported.
 * Options: n (particles, 4000), turns ([mean s, sd rad]: particles turn at random; default none, the
 * tracker's model), silences (true), anyReport (true: a node is silent only when it reported nothing
 * at all; false: when it reported nothing of this target), rule ('shown' or 'best'), seed, calib (an array: each
 * second's { sd, err } of the cloud, its horizontal one-sigma and its mean's distance to the target, pushed to it).
 */
export function referenceTracks(built, truthRows, detRows, o = {}) {
  const N = o.n ?? 4000;
  const rule = o.rule ?? 'shown';
  const silences = o.silences ?? true;
  const anyReport = o.anyReport ?? true;
  const turns = o.turns ?? null;
  const acoustic = built.sensors.filter((s) => s.kind === 'acoustic');
  if (acoustic.length === 0) return [];
  const frame = createEnuFrame({ latDeg: acoustic[0].lat, lonDeg: acoustic[0].lon, altM: 0 });
  const enu = (lat, lon, a = 0) => geodeticToEnu(frame, { latDeg: lat, lonDeg: lon, altM: a });

  // the nodes, with the models the tracker builds from the catalogue (acoustic-network.ts)
  const nodes = new Map();
  for (const s of acoustic) {
    const [sx, sy, sz] = enu(s.lat, s.lon, s.alt_m ?? 0);
    const period = s.report_period_s ?? 2;
    const model = presenceModel(s.range_m, { pd: s.pd ?? 0.85, pfa: Math.max(1e-4, Math.min(0.5, ((s.far_per_hour ?? 0.5) * period) / 3600)), ...o.model });
    // reach: of the presence model (1.3 R, as the network's nodes); rangeM: the sensor's range, the reach of its bearings' rays (prepare.ts)
    nodes.set(s.id, { id: s.id, sx, sy, sz, model, reach: presenceReach(model), rangeM: s.range_m, period });
  }
  const nodeList = [...nodes.values()];
  const byTarget = new Map();
  const reportsOf = new Map();
  for (const d of detRows) {
    if (!nodes.has(d.sensor)) continue;
    if (!reportsOf.has(d.sensor)) reportsOf.set(d.sensor, []);
    reportsOf.get(d.sensor).push(d.t);
    if (typeof d.sim_target !== 'string') continue;
    if (!byTarget.has(d.sim_target)) byTarget.set(d.sim_target, []);
    byTarget.get(d.sim_target).push(d);
  }
  for (const ds of byTarget.values()) ds.sort((a, b) => a.t - b.t);
  for (const ts of reportsOf.values()) ts.sort((a, b) => a - b);
  /** The node's last report at or before t (any cause), -Infinity when none. */
  const lastReportOf = (id, t) => {
    const ts = reportsOf.get(id);
    if (!ts) return -Infinity;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (ts[m] <= t) lo = m + 1; else hi = m; }
    return lo > 0 ? ts[lo - 1] : -Infinity;
  };
  const truthOf = new Map();
  for (const r of truthRows) { if (!truthOf.has(r.id)) truthOf.set(r.id, []); truthOf.get(r.id).push(r); }

  let s32 = (o.seed ?? 1) * 7919 + 1;
  const rng = () => { s32 = (Math.imul(s32 ^ (s32 >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0; let x = s32; x ^= x >>> 13; x = Math.imul(x, 0x5bd1e995); x ^= x >>> 15; return (x >>> 0) / 2 ** 32; };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

  const rows = [];
  for (const [id, ds] of byTarget) {
    const tr = (truthOf.get(id) ?? []).slice().sort((a, b) => a.t - b.t);
    if (tr.length === 0 || ds.length < 2) continue;
    const c = createCloud(rng, { n: N });
    const first = ds[0];
    const n0 = nodes.get(first.sensor);
    const at = { sx: n0.sx, sy: n0.sy, sz: n0.sz, model: n0.model, reach: n0.reach };
    if (first.type === 'bearing') { at.bearing = first.bearing_deg * DEG; at.bearingSd = bearingSdOf(first); }
    seedFromReport(c, first.t, at, o.hMin ?? 50, o.hMax ?? 2500);
    const lastHeard = new Map([[first.sensor, first.t]]);
    const counted = new Map();
    let k = 1;
    let nextSilence = first.t + 2;
    const step = (t) => {
      if (turns && t > c.t) {
        const p = (t - c.t) / turns[0];
        for (let i = 0; i < c.n; i++) {
          if (rng() >= p) continue;
          const a = turns[1] * gauss();
          const ca = Math.cos(a);
          const sa = Math.sin(a);
          const vx = c.vx[i];
          const vy = c.vy[i];
          c.vx[i] = ca * vx + sa * vy;
          c.vy[i] = -sa * vx + ca * vy;
        }
      }
      predictCloud(c, t);
    };
    let passAt = first.t;
    const silencePass = (t) => {
      const span = t - passAt;
      passAt = t;
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (let i = 0; i < c.n; i++) { if (c.x[i] < x0) x0 = c.x[i]; if (c.x[i] > x1) x1 = c.x[i]; if (c.y[i] < y0) y0 = c.y[i]; if (c.y[i] > y1) y1 = c.y[i]; }
      const silent = [];
      for (const nd of nodeList) {
        if (nd.sx < x0 - nd.reach - 500 || nd.sx > x1 + nd.reach + 500 || nd.sy < y0 - nd.reach - 500 || nd.sy > y1 + nd.reach + 500) continue;
        const heard = anyReport ? lastReportOf(nd.id, t) : lastHeard.get(nd.id) ?? -Infinity;
        // the first 1.5 periods after a report are not yet a miss; then whole periods count,
        // since the node was last counted, or (as silence.ts) only this pass's span for a node
        // not counted in the last pass (out of reach then, or it reported)
        if (t - heard < 1.5 * nd.period) continue;
        const last = counted.get(nd.id) ?? -Infinity;
        let times;
        if (t - last <= span + nd.period) {
          times = Math.floor((t - last) / nd.period + 1e-9);
          if (times < 1) continue;
          counted.set(nd.id, last + times * nd.period);
        } else {
          times = Math.max(1, Math.round(span / nd.period));
          counted.set(nd.id, t);
        }
        silent.push({ sx: nd.sx, sy: nd.sy, sz: nd.sz, model: nd.model, times });
      }
      if (silent.length > 0) presenceMissAll(c, silent);
    };
    const silencesUpTo = (t) => {
      if (!silences) return;
      while (nextSilence <= t) { step(nextSilence); silencePass(nextSilence); resampleCloud(c, 0.5, 30); nextSilence += 2; }
    };
    const within = (x, y) => massWithin(c, x, y, 2000);
    let ti = 0;
    const truthAt = (t) => { while (ti < tr.length - 1 && tr[ti + 1].t <= t + 0.5) ti++; return Math.abs(tr[ti].t - t) <= 0.5 ? tr[ti] : null; };
    for (let t = Math.ceil(first.t); t <= tr.at(-1).t + 0.5; t++) {
      while (k < ds.length && ds[k].t <= t) {
        const d = ds[k++];
        silencesUpTo(d.t);
        step(d.t);
        const nd = nodes.get(d.sensor);
        // as the tracker's cloud filter (cloud-filter.ts): a presence report weighs by the hit
        // likelihood, an array's bearing by the bearing likelihood alone, out to the sensor's range
        if (d.type === 'bearing') bearingUpdate(c, nd.sx, nd.sy, nd.sz, d.bearing_deg * DEG, bearingSdOf(d), nd.rangeM);
        else presenceHit(c, nd.sx, nd.sy, nd.sz, nd.model);
        lastHeard.set(d.sensor, d.t);
        resampleCloud(c, 0.5, 30);
      }
      silencesUpTo(t);
      step(t);
      let mx = 0;
      let my = 0;
      for (let i = 0; i < c.n; i++) { mx += c.w[i] * c.x[i]; my += c.w[i] * c.y[i]; }
      let px = mx;
      let py = my;
      if (o.calib) {
        // the cloud's horizontal one-sigma (per axis) and its mean's error against the truth at t
        const r = truthAt(t);
        if (r) { let sxx = 0; let syy = 0; for (let i = 0; i < c.n; i++) { sxx += c.w[i] * (c.x[i] - mx) ** 2; syy += c.w[i] * (c.y[i] - my) ** 2; }
          const [ex, ey] = enu(r.lat, r.lon); o.calib.push({ sd: Math.sqrt(0.5 * (sxx + syy)), err: Math.hypot(ex - mx, ey - my) }); }
      }
      if (rule === 'shown') {
        if (within(mx, my) < 0.5) continue;
      } else {
        let bm = within(mx, my);
        for (let q = 0; q < 64; q++) {
          let u = rng();
          let i = 0;
          while (i < c.n - 1 && u > c.w[i]) { u -= c.w[i]; i++; }
          const m = within(c.x[i], c.y[i]);
          if (m > bm) { bm = m; px = c.x[i]; py = c.y[i]; }
        }
      }
      const g = enuToGeodetic(frame, px, py, 0);
      rows.push({ t, id: `ref-${id}`, position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: 0 } });
    }
  }
  return rows;
}

/**
 * A scene's files (DIR/sensors.json, DIR/truth.ndjson, DIR/detections.ndjson annotated with
 * sim_target) read for the coverage scorer: its rows as the files have them, sorted by time,
 * and the truth and detections as `scoreCoverage` takes them.
 */
export function sceneFiles(dir) {
  const nd = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const sensors = JSON.parse(readFileSync(`${dir}/sensors.json`, 'utf8')).sensors;
  const truthRows = nd(`${dir}/truth.ndjson`).sort((a, b) => a.t - b.t);
  const detRows = nd(`${dir}/detections.ndjson`).sort((a, b) => a.t - b.t);
  const kinds = new Map(sensors.map((s) => [s.id, s.kind]));
  const truth = truthRows.map((r) => ({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } }));
  const detections = detRows.map((d) => ({ t: d.t, target: typeof d.sim_target === 'string' ? d.sim_target : null, evidence: coverageEvidence(d.type, kinds.get(d.sensor), typeof d.target === 'string') }));
  return { sensors, truthRows, detRows, truth, detections };
}
