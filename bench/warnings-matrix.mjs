#!/usr/bin/env node
// Warnings on a matrix of scenes (issue 14): for each cell, the warnings Skywarden raises from
// its own tracks (the picture: tracker, threat predictor, alert machine, as `skywarden track`)
// beside a straight-line rule fed with perfect tracks (every true threat's true position and
// velocity: a zone is held while the line of the next `lead` seconds (600 by default) enters
// it or the threat is inside, cleared 120 s after the last hold). Scored as spec/interchange.md
// "Scoring" says, on the entries of true threats (piston and jet one-way attack drones, cruise
// missiles; decoys included: nobody can tell them apart), with the lead share of each warned
// entry: its lead over what the first detection of the target allowed (entry - first detection).
// Cells are printed worst first (by warned share, then false share).
// Usage: npm run build && node bench/warnings-matrix.mjs [--quick] [--seed 21] [--cells a,b] [--scenario FILE.yaml]
import { createPicture, createThreatPredictor, createWarningScorer, destination, horizontalDistance, pointInArea } from '@skywarden/core';
import { buildScenarioScene, parseScenario } from '@skywarden/sim';
import { parseDetectionLine, parseSensorsJson, parseZonesGeoJson } from '@skywarden/formats';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const quick = args.includes('--quick');
const seed = Number(arg('seed', 21));
const durationS = quick ? 600 : 1200;
const THREATS = new Set(['piston_owa', 'jet_owa', 'cruise_missile']);
const LINE_S = Number(arg('line', 600));
const HOLD_S = 120;
const WARNABLE_S = 60;

const base = { drones: 20, jet_share: 0.1, decoy_share: 0.2, downed_share: 0.1 };
const mics = (spacing, fa, arrays = 0.3) => ({ mic_spacing_m: spacing, mic_range_m: 2500, mic_pd: [0.6, 0.95], mic_quality_spread: 0.3, array_share: arrays, mic_false_alarms: { rate_per_hour: fa, kinds: ['burst', 'stationary', 'road', 'correlated'] } });
const CELLS = {
  'radar+mics 5 km+observers': { sensors: { ...mics(5000, 0.5), radars: 1, observers: 300 } },
  'mics 5 km+observers': { sensors: { ...mics(5000, 0.5), radars: 0, observers: 300 } },
  'mics 5 km': { sensors: { ...mics(5000, 0.5), radars: 0, observers: 0 } },
  'mics 3 km': { sensors: { ...mics(3000, 0.5), radars: 0, observers: 0 } },
  'mics 8 km': { sensors: { ...mics(8000, 0.5), radars: 0, observers: 0 } },
  'mics 5 km, 2 false/mic-h': { sensors: { ...mics(5000, 2), radars: 0, observers: 0 } },
  'mics 5 km, raid from the east': { sensors: { ...mics(5000, 0.5), radars: 0, observers: 0 }, raid: { from_deg: 90 } },
  'radar only': { sensors: { ...mics(5000, 0.5), mic_spacing_m: 100000, radars: 1, observers: 0 } },
};
// the demo's scene: the Seoul raid of examples/seoul-raid.yaml (50 drones, 77 real districts)
CELLS['seoul raid (demo)'] = { scenario: 'examples/seoul-raid.yaml' };
// any other scenario file as a cell of its own (--scenario FILE)
if (arg('scenario', null)) CELLS[arg('scenario')] = { scenario: arg('scenario') };
const pick = arg('cells', null);
const names = pick ? pick.split(',').map((k) => Object.keys(CELLS).find((n) => n.startsWith(k)) ?? k) : Object.keys(CELLS);
const noIo = { readText: () => { throw new Error('no files'); }, readJson: () => { throw new Error('no files'); }, krAdminTopology: () => readFileSync(new URL('../data/kr-admin/skorea-municipalities-2018-topo-simple.json', import.meta.url), 'utf8') };

function straightLine(zones, truth) {
  // a true threat's straight line over LINE_S s, sampled every 10 s; a zone is held when a sample is inside
  const held = new Map(); // zone -> last hold time
  const on = new Map();
  const changes = [];
  const byT = new Map();
  for (const r of truth) if (THREATS.has(r.class)) (byT.get(r.t) ?? byT.set(r.t, []).get(r.t)).push(r);
  const times = [...byT.keys()].sort((a, b) => a - b).filter((t, i, a) => i === 0 || t - a[0] >= 0);
  let next = -Infinity;
  for (const t of times) {
    if (t < next) continue;
    next = t + 5;
    for (const r of byT.get(t)) {
      const speed = Math.hypot(r.ve_mps, r.vn_mps);
      const bearing = Math.atan2(r.ve_mps, r.vn_mps);
      for (let s = 0; s <= LINE_S; s += 10) {
        const p = s === 0 ? { latDeg: r.lat, lonDeg: r.lon, altM: 0 } : destination({ latDeg: r.lat, lonDeg: r.lon, altM: 0 }, bearing, speed * s);
        for (const z of zones) if (pointInArea(z.area, p.latDeg, p.lonDeg)) held.set(z.id, t);
      }
    }
    for (const z of zones) {
      const h = held.get(z.id);
      const isOn = on.get(z.id) ?? false;
      if (!isOn && h === t) { on.set(z.id, true); changes.push({ t, zone: z.id, state: 'alert' }); }
      else if (isOn && h !== undefined && t - h >= HOLD_S) { on.set(z.id, false); changes.push({ t, zone: z.id, state: 'clear' }); }
    }
  }
  return changes;
}

function score(zones, truth, changes, firstSeen) {
  const ws = createWarningScorer(zones);
  const byT = new Map();
  for (const r of truth) if (THREATS.has(r.class)) (byT.get(r.t) ?? byT.set(r.t, []).get(r.t)).push({ id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } });
  for (const t of [...byT.keys()].sort((a, b) => a - b)) ws.addTruth(t, byT.get(t));
  const s = ws.result(changes);
  const shares = [];
  // warnable: the target was first detected at least WARNABLE_S before the entry (a target that
  // starts inside a zone, or is first heard as it enters, cannot be warned of by anyone)
  let warnable = 0;
  let warnableWarned = 0;
  for (const e of s.perEntry) {
    const f0 = firstSeen.get(e.target);
    if (f0 !== undefined && e.t - f0 >= WARNABLE_S) {
      warnable++;
      if (e.warned) warnableWarned++;
    }
  }
  for (const e of s.perEntry) {
    const f = firstSeen.get(e.target);
    const allowed = f === undefined ? NaN : e.t - f;
    if (!(allowed > 0)) continue;
    shares.push(e.warned ? Math.min(1, e.leadS / allowed) : 0);
  }
  shares.sort((a, b) => a - b);
  // most zones under alert at once
  let peak = 0;
  const onNow = new Set();
  for (const c of changes.slice().sort((a, b) => a.t - b.t)) { if (c.state === 'alert') onNow.add(c.zone); else onNow.delete(c.zone); peak = Math.max(peak, onNow.size); }
  if (process.env.MISSED && changes.length > 0) {
    const cls = new Map(truth.map((r) => [r.id, r.class + (r.decoy ? ' decoy' : '')]));
    for (const e of s.perEntry.filter((x) => !x.warned)) {
      const eps = changes.filter((c) => c.zone === e.zone).map((c) => `${c.state}@${(c.t - e.t).toFixed(0)}`).join(' ');
      process.stderr.write(`  missed ${e.target} (${cls.get(e.target)}) -> ${e.zone} at +${(e.t - (firstSeen.get(e.target) ?? NaN)).toFixed(0)} s after first detection; zone changes rel. entry: ${eps || 'none'}\n`);
    }
  }
  return { entries: s.entries, warned: s.warned, cov: s.coverage, warnable, wcov: warnable > 0 ? warnableWarned / warnable : NaN, leadShare: shares.length ? shares[Math.floor(shares.length / 2)] : NaN, episodes: s.episodes, falseEp: s.falseEpisodes, zoneHours: s.alertZoneHours, peak };
}

const rows = [];
for (const name of names) {
  const cell = CELLS[name];
  if (!cell) throw new Error(`unknown cell ${name}; cells: ${Object.keys(CELLS).join(' | ')}`);
  const parsed = cell.scenario ? parseScenario(YAML.parse(readFileSync(cell.scenario.startsWith("/") ? cell.scenario : new URL(`../${cell.scenario}`, import.meta.url), "utf8"))) : parseScenario({
    name, preset: 'mixed', seed, duration_s: durationS, region_m: 60000,
    raid: { ...base, ...(cell.raid ?? {}) },
    sensors: cell.sensors,
    traffic: { airliners: 2, helicopters: 1 },
    zones: { districts: { nx: 8, ny: 8 }, sites: { count: 4, radius_m: 1500 }, lead_s: 300 },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const built = buildScenarioScene(parsed.scenario, noIo, { annotate: true });
  const truth = [];
  const lines = [];
  for (const ch of built.chunks()) { truth.push(...ch.truth); lines.push(...ch.detections); }
  const sensors = parseSensorsJson(JSON.stringify({ sensors: built.sensors }));
  if (!sensors.ok) throw new Error(sensors.errors.join('; '));
  const zr = parseZonesGeoJson(JSON.stringify(built.zones));
  if (!zr.ok) throw new Error(zr.errors.join('; '));
  const zones = zr.zones;
  const firstSeen = new Map();
  const dets = [];
  lines.forEach((row, i) => {
    if (row.sim_target && !firstSeen.has(row.sim_target)) firstSeen.set(row.sim_target, row.t);
    const r = parseDetectionLine(JSON.stringify(row), i + 1, sensors.sensors);
    if (r && r.ok) dets.push(r.detection);
  });
  dets.sort((a, b) => a.t - b.t);
  const changes = [];
  const trackPos = new Map();
  const reportsAt = new Map();
  const calibSamples = [];
  const t0 = performance.now();
  const origin = { latDeg: built.sensors[0].lat, lonDeg: built.sensors[0].lon, altM: 0 };
  const pic = createPicture({ anchor: origin, sensors: [...sensors.sensors.values()], tracker: { acousticClouds: true }, zones, reorderDelay: 5, reportEvery: 1, alerts: process.env.ALERTS ? JSON.parse(process.env.ALERTS) : undefined }, (e) => {
    if (e.type === 'alert' && e.action !== 'updated') changes.push({ t: e.change.t, zone: e.change.zone, state: e.change.state, tracks: e.change.tracks, reason: e.change.reason });
    if (e.type === 'tracks' && (process.env.FALSE || process.env.WHY)) for (const r of e.reports) trackPos.set(`${r.trackId}@${Math.round(e.t)}`, r);
    if (e.type === 'tracks' && process.env.WHY) reportsAt.set(Math.round(e.t), e.reports);
    if (e.type === 'tracks' && process.env.CALIB && Math.round(e.t) % 5 === 0) calibSamples.push({ t: Math.round(e.t), reports: e.reports });
  });
  for (const d of dets) pic.push(d);
  pic.finish();
  const sec = (performance.now() - t0) / 1000;
  const ours = score(zones, truth, changes, firstSeen);
  if (process.env.WHY) {
    // missed warnable entries: in the lead time before the entry, was a track near the target, and what did it say?
    const ws = createWarningScorer(zones);
    const byT = new Map();
    for (const r of truth) if (THREATS.has(r.class)) (byT.get(r.t) ?? byT.set(r.t, []).get(r.t)).push({ id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } });
    for (const t of [...byT.keys()].sort((a, b) => a - b)) ws.addTruth(t, byT.get(t));
    const res = ws.result(changes);
    const at = new Map(truth.map((r) => [`${r.id}@${Math.round(r.t)}`, r]));
    const tally = { noTrack: 0, lowThreat: 0, held: 0 };
    const thr = [];
    const vsd = [];
    for (const e of res.perEntry) {
      const f0 = firstSeen.get(e.target);
      if (e.warned || f0 === undefined || e.t - f0 < WARNABLE_S) continue;
      let near = 0;
      let best = null;
      for (let dt = 300; dt >= 0; dt -= 10) {
        const t = Math.round(e.t - dt);
        const tr = at.get(`${e.target}@${t}`);
        if (!tr) continue;
        for (const r of reportsAt.get(t) ?? []) {
          if (horizontalDistance(r.position, { latDeg: tr.lat, lonDeg: tr.lon, altM: 0 }) < 2000) {
            near++;
            if (!best || r.threatProbability > best.threatProbability) best = r;
          }
        }
      }
      if (near === 0) tally.noTrack++;
      else if (best.threatProbability < 0.5) tally.lowThreat++;
      else tally.held++;
      if (best) { thr.push(best.threatProbability); vsd.push(best.velocitySd); }
    }
    const med = (a) => (a.length ? a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(2) : '-');
    process.stderr.write(`  missed warnable entries (${name}): no reported track within 2 km in the 300 s before ${tally.noTrack}; a track but threat < 0.5 ${tally.lowThreat}; a track with threat >= 0.5 ${tally.held} (median best threat ${med(thr)}, its velocity sd ${med(vsd)} m/s)\n`);
  }
  if (process.env.CALIB) {
    // is P(inside now or entering within the lead) calibrated? reports matched to a true threat within 1 km
    const predictor = createThreatPredictor(zones.map((z) => ({ id: z.id, area: z.area, leadS: z.leadS })));
    const pathOf = new Map();
    for (const r of truth) if (THREATS.has(r.class)) (pathOf.get(r.id) ?? pathOf.set(r.id, []).get(r.id)).push(r);
    const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, hit: 0 }));
    const zoneById = new Map(zones.map((z) => [z.id, z]));
    for (const { t, reports } of calibSamples) {
      for (const rep of reports) {
        if (rep.threatProbability < 0.5) continue;
        let best = null;
        for (const [id, path] of pathOf) {
          const at = path.find((x) => Math.abs(x.t - t) < 0.5);
          if (!at) continue;
          const d = horizontalDistance(rep.position, { latDeg: at.lat, lonDeg: at.lon, altM: 0 });
          if (d < 1000 && (!best || d < best.d)) best = { id, d };
        }
        if (!best) continue;
        const path = pathOf.get(best.id);
        for (const th of predictor.predict(rep)) {
          const z = zoneById.get(th.zone);
          const lead = z.leadS ?? 300;
          const hit = path.some((x) => x.t >= t - 0.5 && x.t <= t + lead && pointInArea(z.area, x.lat, x.lon));
          const b = bins[Math.min(9, Math.floor(th.leadProbability * 10))];
          b.n++; b.p += th.leadProbability; if (hit) b.hit++;
        }
      }
    }
    process.stderr.write(`  calibration of P(enter within lead) (${name}): ${bins.map((b, i) => (b.n ? `[${i / 10}-${(i + 1) / 10}) n ${b.n} said ${(b.p / b.n).toFixed(2)} was ${(b.hit / b.n).toFixed(2)}` : '')).filter(Boolean).join('; ')}\n`);
  }
  if (process.env.FALSE) {
    // each false episode: the raising track, the nearest true target then, and how close that target's path came to the zone later
    const byT = new Map();
    for (const r of truth) if (THREATS.has(r.class)) (byT.get(r.t) ?? byT.set(r.t, []).get(r.t)).push(r);
    const open = new Map();
    for (const c of changes) {
      if (c.state === 'alert') { open.set(c.zone, c); continue; }
      const a = open.get(c.zone); open.delete(c.zone);
      if (!a) continue;
      const zone = zones.find((z) => z.id === c.zone);
      const entered = truth.some((r) => THREATS.has(r.class) && r.t >= a.t && r.t <= c.t + 120 && pointInArea(zone.area, r.lat, r.lon));
      if (entered) continue;
      const tr = trackPos.get(`${a.tracks[0]}@${Math.round(a.t)}`);
      const at = byT.get(Math.round(a.t)) ?? [];
      let best = null;
      for (const r of at) { const d = tr ? Math.hypot((r.lat - tr.position.latDeg) * 111e3, (r.lon - tr.position.lonDeg) * 88e3) : NaN; if (!best || d < best.d) best = { r, d }; }
      process.stderr.write(`  false ${c.zone} ${a.t - truth[0].t}..${c.t - truth[0].t} s by ${a.tracks.join(',')} (sd ${tr?.positionSd.toFixed(0)} m, threat ${tr?.threatProbability.toFixed(2)}, sensors ${tr?.sensors.length}); nearest truth ${best ? `${best.r.id} ${best.r.class}${best.r.decoy ? ' decoy' : ''} at ${best.d.toFixed(0)} m` : '-'}; ${a.reason}\n`);
    }
  }
  const line = score(zones, truth, straightLine(zones, truth), firstSeen);
  rows.push({ name, ours, line, sec, dets: dets.length });
  process.stderr.write(`${name}: ${dets.length} detections in ${sec.toFixed(1)} s\n`);
}
rows.sort((a, b) => a.ours.wcov - b.ours.wcov || b.ours.falseEp / b.ours.episodes - a.ours.falseEp / a.ours.episodes);
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : '-');
console.log(`Warnings matrix: seed ${seed}, ${durationS} s, 20 drones (10 % jets, 20 % decoys), 8x8 districts of 7.5 km and 4 sites, lead 300 s; straight line ${LINE_S} s on perfect tracks beside`);
console.log(`"warnable": entries of targets first detected at least ${WARNABLE_S} s before; lead share: lead / (entry - first detection), median over entries with such time`);
console.log('| cell | entries | warned | warnable | warned of warnable | lead share | episodes | false | zone-hours | most at once | straight line: warned of warnable | lead share | false | zone-hours | most at once |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const o = r.ours;
  const l = r.line;
  console.log(`| ${r.name} | ${o.entries} | ${pct(o.cov)} | ${o.warnable} | ${pct(o.wcov)} | ${o.leadShare.toFixed(2)} | ${o.episodes} | ${o.falseEp} (${pct(o.falseEp / o.episodes)}) | ${o.zoneHours.toFixed(1)} | ${o.peak} | ${pct(l.wcov)} | ${l.leadShare.toFixed(2)} | ${l.falseEp} (${pct(l.falseEp / l.episodes)}) | ${l.zoneHours.toFixed(1)} | ${l.peak} |`);
}
