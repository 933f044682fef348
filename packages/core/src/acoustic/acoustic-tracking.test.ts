/**
 * The acoustic mechanisms inside the tracker (issue 13): single-node initiation needs a
 * sustained sequence, a stationary source never becomes a confirmed threat, a car on a road
 * is not a drone, a radar takes an acoustic track over under the same id and hands it back to
 * the microphones when it loses it (and a radar clutter plot beside a generator is not kept
 * alive by it), and a drone crossing a sparse presence-only grid is held better than by discs
 * alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTracker, type TrackReport } from '../tracker/tracker.js';
import { bearingDet, emitted, FRAME, geo, normals, ORIGIN, presenceDet, radarDet, stepEverySecond, straight, type Path } from '../tracker/testing.js';
import { geodeticToEnu } from '../geo/index.js';
import { mulberry32 } from '../math/mulberry32.js';
import type { Detection, Sensor } from '../types.js';
import { presenceModel, presencePd } from './presence-model.js';
import { CARRY_RIVALS_SCANS, createCloudFilter } from './cloud-filter.js';
import { airProbability } from './rival-modes.js';
import { createImmFilter } from '../tracker/imm-filter.js';
import type { TrackerComponents } from '../tracker/components.js';
import { resolveTrackerOptions, type TrackerOptions } from '../tracker/options.js';

/** The tracker's components with the cloud filter's opt-in hand-back on (after `coastAfter`). */
const HAND_BACK: Partial<TrackerComponents> = {
  filter: ({ options: o, frame, acoustic }) =>
    createCloudFilter({ inner: createImmFilter({ frame, motionModes: o.motionModes, initialModeProbabilities: o.initialModeProbabilities }), network: acoustic, handBackAfter: o.coastAfter }),
};

const RANGE = 2500;
const PERIOD = 2;
const model = presenceModel(RANGE, { pd: 0.9 });

interface Node {
  id: string;
  s: [number, number, number];
}

/** A square grid of presence microphones `spacing` m apart over [-half, half]², 5 m masts. */
function grid(spacing: number, half: number): Node[] {
  const out: Node[] = [];
  for (let x = -half; x <= half + 1; x += spacing) for (let y = -half; y <= half + 1; y += spacing) out.push({ id: `m${out.length}`, s: [x, y, 5] });
  return out;
}

function sensorsOf(nodes: Node[]): Sensor[] {
  return nodes.map((n) => ({ id: n.id, kind: 'acoustic', position: geo(n.s[0], n.s[1], n.s[2]), rangeMax: RANGE, pd: 0.9, farPerHour: 0.5 }));
}

/** Presence reports of `paths` (targets) at the nodes, one per report slot while heard, with the sound's delay. */
function hear(nodes: Node[], paths: Path[], t0: number, t1: number, seed: number, period = PERIOD): Detection[] {
  const rng = mulberry32(seed);
  const out: Detection[] = [];
  for (const n of nodes) {
    const phase = rng() * period;
    for (let t = t0 + phase; t <= t1; t += period) {
      let heard = false;
      for (const path of paths) {
        const p = emitted(path, n.s, t);
        if (rng() < presencePd(model, Math.hypot(p[0] - n.s[0], p[1] - n.s[1], p[2] - n.s[2]))) heard = true;
      }
      if (heard) out.push(presenceDet(n.id, n.s, RANGE, t));
    }
  }
  return out.sort((a, b) => a.t - b.t);
}


const enu = (r: TrackReport) => geodeticToEnu(FRAME, r.position);

test('one microphone: a burst starts no track; a sustained sequence does, and confirms only after 20 s', () => {
  const nodes: Node[] = [{ id: 'solo', s: [0, 0, 5] }];
  const burst = [1, 3, 5].map((t) => presenceDet('solo', nodes[0].s, RANGE, t));
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) });
  stepEverySecond(tr, burst, 60);
  assert.equal(tr.stats.started, 0, 'a three-report burst');

  const drone = straight(-1500, 300, 500, 50, 0); // crosses the disc in about a minute
  const dets = hear(nodes, [drone], 0, 90, 1);
  const tr2 = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) });
  const reps = stepEverySecond(tr2, dets, 90);
  assert.equal(tr2.stats.started, 1, `one track, started ${tr2.stats.started}`);
  const firstT = reps.findIndex((r) => r.length > 0) + 1;
  assert.ok(firstT >= dets[0].t + 20, `confirmed at ${firstT}, first report ${dets[0].t.toFixed(1)}`);
  const r = reps[firstT - 1][0];
  assert.ok(Math.hypot(enu(r)[0], enu(r)[1]) < RANGE, 'in the disc');
  assert.ok(r.threatProbability < 0.5, `one node says nothing of speed: threat ${r.threatProbability.toFixed(2)}`);
});

test('a generator heard for ten minutes by one microphone never becomes a confirmed threat, and is dropped', (t) => {
  const nodes = grid(5000, 5000);
  const noisy = nodes.find((n) => n.s[0] === 0 && n.s[1] === 0)!;
  const dets: Detection[] = [];
  for (let t = 0.7; t < 600; t += PERIOD) dets.push(presenceDet(noisy.id, noisy.s, RANGE, t));
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) });
  const reps = stepEverySecond(tr, dets, 600);
  const threatSeconds = reps.filter((rs) => rs.some((r) => r.threatProbability >= 0.5)).length;
  assert.equal(threatSeconds, 0);
  const heldSeconds = reps.filter((rs) => rs.length > 0).length;
  assert.ok(heldSeconds < 200, `reported for ${heldSeconds} of 600 s`);
  assert.ok(tr.stats.started <= 2, `${tr.stats.started} tracks started`);
  t.diagnostic(`reported for ${heldSeconds} s, ${tr.stats.started} tracks started`);
});

test('a car driving a road at 20 m/s past the microphones is not classed as a drone', (t) => {
  const nodes = grid(5000, 10000);
  const car = straight(-12000, 1200, 2, 20, 0); // east along a road, 1.2 km north of a row of microphones
  const dets = hear(nodes, [car], 0, 1200, 2);
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) });
  const reps = stepEverySecond(tr, dets, 1200);
  const threatSeconds = reps.filter((rs) => rs.some((r) => r.threatProbability >= 0.5)).length;
  assert.ok(threatSeconds < 0.1 * 1200, `a threat track for ${threatSeconds} s of 1200`);
  t.diagnostic(`a threat track for ${threatSeconds} s of 1200; tracks started ${tr.stats.started}, reported ${reps.filter((rs) => rs.length > 0).length} s`);
});

test('a radar takes an acoustic track over under the same id', () => {
  const nodes = grid(5000, 10000);
  const drone = straight(-9000, 800, 400, 50, 0);
  const acoustic = hear(nodes, [drone], 0, 300, 3);
  const rnd = normals(4);
  const radar: Detection[] = [];
  for (let t = 200; t <= 300; t += 2) radar.push(radarDet('radar', [0, -20000, 10], drone(t), t, rnd));
  const dets = [...acoustic, ...radar].sort((a, b) => a.t - b.t);
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) });
  const reps = stepEverySecond(tr, dets, 300);
  const before = reps[195].map((r) => r.trackId);
  assert.equal(before.length, 1, `one acoustic track at 196 s: ${before.length}`);
  const after = reps[299];
  assert.equal(after.length, 1);
  assert.equal(after[0].trackId, before[0], 'the same id');
  const [e, n] = enu(after[0]);
  const [te, tn] = drone(300);
  assert.ok(Math.hypot(e - te, n - tn) < 150, `radar accuracy after the hand-off: ${Math.hypot(e - te, n - tn).toFixed(0)} m`);
  assert.equal(tr.tracks()[0].cloud, undefined, 'the cloud ended');
});

test('with hand-back on, a drone the radar loses is handed back to the microphones under the same id, and held', () => {
  const nodes = grid(5000, 10000);
  const drone = straight(-9000, 800, 400, 50, 0);
  const acoustic = hear(nodes, [drone], 0, 400, 3);
  const rnd = normals(4);
  const radar: Detection[] = [];
  // the radar sees it from 40 s to 150 s only (a sector, a masking ridge)
  for (let t = 40; t <= 150; t += 2) radar.push(radarDet('radar', [0, -20000, 10], drone(t), t, rnd));
  const dets = [...acoustic, ...radar].sort((a, b) => a.t - b.t);
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) }, HAND_BACK);
  const reps = stepEverySecond(tr, dets, 400);
  const radarId = reps[149].map((r) => r.trackId);
  assert.equal(radarId.length, 1, 'one track while the radar sees it');
  assert.equal(tr.tracks().length > 0, true);
  let held = 0;
  let other = 0;
  for (let u = 200; u <= 400; u++) {
    const [te, tn] = drone(u);
    for (const r of reps[u - 1]) {
      const [e, n] = enu(r);
      if (Math.hypot(e - te, n - tn) > 2000) continue;
      if (r.trackId === radarId[0]) held++;
      else other++;
    }
  }
  assert.ok(held >= 150, `held under the radar's id for ${held} of 201 s after the radar lost it (${other} s under another id)`);
  const last = tr.tracks().find((x) => x.id === radarId[0]);
  assert.ok(last?.cloud, 'the microphones\' model holds it: a cloud');
});

test('with hand-back on, a jet the radar loses stays with the IMM: too fast for the cloud band', () => {
  const nodes = grid(5000, 10000);
  const jet = straight(-9500, 800, 300, 150, 0);
  const acoustic = hear(nodes, [jet], 0, 120, 3);
  const rnd = normals(6);
  const radar: Detection[] = [];
  for (let t = 2; t <= 40; t += 2) radar.push(radarDet('radar', [0, -20000, 10], jet(t), t, rnd));
  const dets = [...acoustic, ...radar].sort((a, b) => a.t - b.t);
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) }, HAND_BACK);
  stepEverySecond(tr, dets, 120);
  const radarTracks = tr.tracks().filter((x) => x.sensors.has('radar'));
  assert.ok(radarTracks.length > 0, 'the radar track lives on');
  for (const x of radarTracks) assert.equal(x.cloud, undefined, `track ${x.id} got a cloud although it flies at ${Math.hypot(x.x[3], x.x[4]).toFixed(0)} m/s`);
  assert.ok(radarTracks.some((x) => [...x.sensors.keys()].some((s) => s.startsWith('m') && (x.sensors.get(s) ?? 0) > 50)), 'microphones went on reporting to it after the radar lost it');
});

/** Seconds a generator heard for ten minutes by one microphone of a 5 km grid is reported, with radar clutter plots at `plots` (s) 300 m from it. */
function generatorWithClutter(plots: number[]) {
  const nodes = grid(5000, 5000);
  const noisy = nodes.find((n) => n.s[0] === 0 && n.s[1] === 0)!;
  const dets: Detection[] = [];
  for (let t = 0.7; t < 600; t += PERIOD) dets.push(presenceDet(noisy.id, noisy.s, RANGE, t));
  const rnd = normals(3);
  for (const u of plots) dets.push(radarDet('radar', [0, -20000, 10], [300, 0, 200], u, rnd));
  dets.sort((a, b) => a.t - b.t);
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) });
  const reps = stepEverySecond(tr, dets, 600);
  return {
    held: reps.filter((rs) => rs.length > 0).length,
    threat: reps.filter((rs) => rs.some((r) => r.threatProbability >= 0.5)).length,
    started: tr.stats.started,
  };
}

// one plot at 10 s, beside the generator's first track; three scans at 100-108 s and two at
// 200-206 s, after that track was dropped and the node muted: a tentative radar track, which
// the generator's reports must not confirm (before, they held it for another 70-80 s)
for (const plots of [[10], [100, 104, 108], [200, 206]]) test(`radar clutter plots at ${plots.join(', ')} s beside a generator do not become a track the generator holds`, (t) => {
  const alone = generatorWithClutter([]);
  const r = generatorWithClutter(plots);
  t.diagnostic(`reported for ${r.held} s (${alone.held} s without the clutter); tracks started ${r.started}`);
  assert.ok(r.held <= alone.held + 10, `reported for ${r.held} s, ${alone.held} s without the clutter`);
  assert.equal(r.threat, 0, `a threat for ${r.threat} s`);
});

test('clutter plots that take a generator\'s track over do not wipe out what the microphones told of it: handed back, it keeps its rivals\' evidence', (t) => {
  const nodes = grid(5000, 5000);
  const noisy = nodes.find((n) => n.s[0] === 0 && n.s[1] === 0)!;
  const base: Detection[] = [];
  for (let t = 0.7; t < 400; t += PERIOD) base.push(presenceDet(noisy.id, noisy.s, RANGE, t));
  // two scans of clutter plots of a radar 20 km south, beside the generator's microphone, once
  // its track is confirmed and the rivals hold it to be standing still: the track goes to the
  // radar's filter, and back to a cloud when the plots stop
  const rnd = normals(3);
  const clutter = [50, 52].map((u) => radarDet('radar', [0, -20000, 10], [300, 200, 200], u, rnd));
  const dets = [...base, ...clutter].sort((a, b) => a.t - b.t);
  const held = (carryRivalsScans: number) => {
    const comps: Partial<TrackerComponents> = {
      filter: ({ options: o, frame, acoustic }) =>
        createCloudFilter({ inner: createImmFilter({ frame, motionModes: o.motionModes, initialModeProbabilities: o.initialModeProbabilities }), network: acoustic, handBackAfter: o.deleteAfter, carryRivalsScans }),
    };
    const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) }, comps);
    let airAtHandBack: number | undefined;
    const reps: TrackReport[][] = [];
    let k = 0;
    for (let u = 1; u <= 400; u++) {
      const batch: Detection[] = [];
      while (k < dets.length && dets[k].t <= u) batch.push(dets[k++]);
      tr.step(batch, u);
      reps.push(tr.report(u));
      const x = tr.tracks().find((q) => q.sensors.has('radar') && q.cloud?.rivals);
      if (airAtHandBack === undefined && x?.cloud?.rivals && x.cloud.hits <= 1) airAtHandBack = airProbability(x.cloud.rivals);
    }
    const tookRadar = reps.some((rs) => rs.length > 0) && airAtHandBack !== undefined;
    return { seconds: reps.filter((rs) => rs.length > 0).length, airAtHandBack, tookRadar };
  };
  const carried = held(CARRY_RIVALS_SCANS);
  const fresh = held(0);
  t.diagnostic(`reported ${carried.seconds} s with the rivals' evidence carried (air ${carried.airAtHandBack?.toFixed(3)} when handed back), ${fresh.seconds} s with their prior (air ${fresh.airAtHandBack?.toFixed(3)})`);
  assert.ok(carried.tookRadar && fresh.tookRadar, 'the clutter took the track over and the microphones took it back');
  assert.ok(fresh.airAtHandBack! >= 0.4, `the prior after the hand-back: ${fresh.airAtHandBack}`);
  assert.ok(carried.airAtHandBack! < 0.2, `handed back with its evidence: ${carried.airAtHandBack}`);
  assert.ok(carried.seconds < fresh.seconds, `reported ${carried.seconds} s against ${fresh.seconds} s`);
});

/** Covered share of the observable seconds of `drones` (heard at least twice in the last 60 s) up to `t1`, the median error, and the tracker's stats. */
function scoreGrid(nodes: Node[], drones: Path[], dets: Detection[], clouds: boolean, edit: (s: Sensor) => Sensor = (s) => s, opts: Partial<TrackerOptions> = {}, t1 = 620) {
  const tr = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes).map(edit), acousticClouds: clouds, ...opts });
  const reps = stepEverySecond(tr, dets, t1);
  let observable = 0;
  let covered = 0;
  const errs: number[] = [];
  for (let u = 60; u <= t1; u++) {
    for (const path of drones) {
      const p = path(u);
      const heard = dets.filter((d) => d.t > u - 60 && d.t <= u && Math.hypot(p[0] - geodeticToEnu(FRAME, d.sensorPosition!)[0], p[1] - geodeticToEnu(FRAME, d.sensorPosition!)[1]) < RANGE + 60 * 50).length;
      if (heard < 2) continue;
      observable++;
      let best = Infinity;
      for (const r of reps[u - 1]) best = Math.min(best, Math.hypot(enu(r)[0] - p[0], enu(r)[1] - p[1]));
      if (best <= 2000) {
        covered++;
        errs.push(best);
      }
    }
  }
  errs.sort((a, b) => a - b);
  return { share: covered / observable, median: errs[Math.floor(errs.length / 2)] ?? NaN, observable, stats: tr.stats };
}

test('microphones that report every 10 s (or every 1 s) are tracked as well as those of every 2 s: the cadence is learnt, the silences counted by it', (t) => {
  const nodes = grid(5000, 15000);
  const drones = [straight(-16000, 1100, 600, 48, 0), straight(16000, -7300, 300, -45, 12), straight(-4000, -16000, 900, 8, 50)];
  const at = (period: number) => scoreGrid(nodes, drones, hear(nodes, drones, 0, 620, 5, period), true);
  const two = at(2);
  const msgs: string[] = [];
  for (const period of [1, 10]) {
    const r = at(period);
    const msg = `every ${period} s: ${(100 * r.share).toFixed(0)} % of ${r.observable} observable s covered, median ${r.median.toFixed(0)} m (every 2 s: ${(100 * two.share).toFixed(0)} %)`;
    msgs.push(msg);
    // a 2 s cadence assumed for a 10 s node counted four misses between its reports: 0 % covered
    // (2026-12-05; learnt, 40 %: a tenth of the reports starts and confirms tracks later)
    assert.ok(r.share > 0.3 && r.share > two.share - 0.25, msg);
  }
  t.diagnostic(msgs.join('; '));
});

test('microphones whose sensors.json rows give no range (optional in the spec) are tracked as those that do', (t) => {
  const nodes = grid(5000, 15000);
  const drones = [straight(-16000, 1100, 600, 48, 0), straight(16000, -7300, 300, -45, 12), straight(-4000, -16000, 900, 8, 50)];
  const dets = hear(nodes, drones, 0, 620, 5);
  const declared = scoreGrid(nodes, drones, dets, true);
  const bare = scoreGrid(nodes, drones, dets, true, (s) => ({ ...s, rangeMax: undefined }));
  const msg = `no declared range: ${(100 * bare.share).toFixed(0)} % covered, median ${bare.median.toFixed(0)} m; declared: ${(100 * declared.share).toFixed(0)} %, ${declared.median.toFixed(0)} m`;
  // before 2026-12-05 such a sensor was no acoustic node: no cloud, no silences (6 % in the matrix's central cell)
  assert.ok(bare.share > 0.45 && bare.share > declared.share - 0.1, msg);
  t.diagnostic(msg);
});

test('a drone crossing a 5 km presence-only grid is held better with clouds than with discs alone', (t) => {
  const nodes = grid(5000, 15000);
  const drones = [straight(-16000, 1100, 600, 48, 0), straight(16000, -7300, 300, -45, 12), straight(-4000, -16000, 900, 8, 50)];
  const dets = hear(nodes, drones, 0, 620, 5);
  const score = (clouds: boolean) => scoreGrid(nodes, drones, dets, clouds);
  const withClouds = score(true);
  const discs = score(false);
  const msg = `clouds: ${(100 * withClouds.share).toFixed(0)} % covered, median ${withClouds.median.toFixed(0)} m; discs only: ${(100 * discs.share).toFixed(0)} %, ${discs.median.toFixed(0)} m (${withClouds.observable} observable s)`;
  assert.ok(withClouds.share > discs.share + 0.2, msg);
  // 0.6 until 2026-12-05: the silences are now counted in whole report intervals with the
  // remainder carried (before, a node whose learnt period was a little over 2 s was counted about
  // every other interval), which holds the drone a little less between nodes (63 → 59 %); the
  // filter's own random draws move this one scene by about ±5 points
  // 0.55 until the cadence was learnt from the gaps' median (2026-12-05: this scene 59 → 51 %; the
  // 8 seeds of the central cell 42.8 → 44.4 %, the matrix's cells without a radar within 3 points
  // but the cadence's, docs/tracker.md)
  assert.ok(withClouds.share > 0.45, msg);
  t.diagnostic(msg);
});

test('a lone bearing array starts a track along its bearings, confirmed, where the drone is', (t) => {
  const arr: Node = { id: 'array', s: [0, 0, 5] };
  const sensors: Sensor[] = [{ id: arr.id, kind: 'acoustic', position: geo(0, 0, 5), rangeMax: RANGE, pd: 0.9, farPerHour: 0.5 }];
  const drone = straight(-3000, 900, 400, 50, 0); // passes 900 m north of the array, heard for about 90 s
  const rng = mulberry32(7);
  const rnd = normals(8);
  const dets: Detection[] = [];
  for (let u = 0.5; u <= 150; u += PERIOD) {
    const p = emitted(drone, arr.s, u);
    if (rng() < presencePd(model, Math.hypot(p[0], p[1], p[2] - 5))) dets.push(bearingDet(arr.id, 'acoustic', arr.s, p, u, 0.05, rnd()));
  }
  assert.ok(dets.length >= 30, `${dets.length} bearings`);
  const tr = createTracker({ origin: ORIGIN, sensors });
  const reps = stepEverySecond(tr, dets, 150);
  const first = Math.ceil(dets[0].t);
  const last = Math.floor(dets.at(-1)!.t);
  let held = 0;
  const errs: number[] = [];
  for (let u = first + 30; u <= last; u++) {
    const p = drone(u);
    let best = Infinity;
    for (const r of reps[u - 1]) best = Math.min(best, Math.hypot(enu(r)[0] - p[0], enu(r)[1] - p[1]));
    if (best <= 2000) {
      held++;
      errs.push(best);
    }
  }
  errs.sort((a, b) => a - b);
  const span = last - first - 30 + 1;
  const msg = `held ${held} of ${span} s from 30 s after the first bearing, median ${errs[errs.length >> 1]?.toFixed(0)} m; ${tr.stats.started} tracks started`;
  assert.ok(tr.stats.started >= 1 && tr.stats.started <= 2, msg);
  assert.ok(held >= 0.8 * span, msg);
  assert.ok(errs[errs.length >> 1] < 1000, msg);
  t.diagnostic(msg);
});

test('a lone array starts a track before 20 s when its bearings sweep (a mover), and not before 20 s when they stay still (a generator)', (t) => {
  const arr: Node = { id: 'array', s: [0, 0, 5] };
  const sensors: Sensor[] = [{ id: arr.id, kind: 'acoustic', position: geo(0, 0, 5), rangeMax: RANGE, pd: 0.9, farPerHour: 0.5 }];
  /** Seconds from the first bearing to the first track started, over `t1` s of bearings of `at` (a point at time u). */
  const firstStart = (at: (u: number) => [number, number, number], seed: number, t1: number, reach = RANGE) => {
    const rnd = normals(seed);
    const dets: Detection[] = [];
    for (let u = 0.5; u <= t1; u += PERIOD) {
      const p = at(u);
      if (Math.hypot(p[0], p[1], p[2] - 5) <= reach) dets.push(bearingDet(arr.id, 'acoustic', arr.s, p, u, 0.05, rnd()));
    }
    const tr = createTracker({ origin: ORIGIN, sensors });
    let k = 0;
    for (let u = 1; u <= t1; u++) {
      const batch: Detection[] = [];
      while (k < dets.length && dets[k].t <= u) batch.push(dets[k++]);
      tr.step(batch, u);
      if (tr.stats.started > 0) return u - dets[0].t;
    }
    return Infinity;
  };
  // a drone at 50 m/s passing 300 m north of the array, heard within 1.2 km (bearings with a
  // one-sigma of 0.05 rad, about 3°): its bearing turns by 0.01 rad/s when first heard, 0.17 at its closest
  const drone = straight(-1500, 300, 300, 50, 0);
  const generator = (): [number, number, number] => [200, -150, 2];
  const moverStarts: number[] = [];
  const stillStarts: number[] = [];
  for (let seed = 1; seed <= 10; seed++) {
    moverStarts.push(firstStart((u) => emitted(drone, arr.s, u), seed, 90, 1200));
    stillStarts.push(firstStart(generator, 100 + seed, 60));
  }
  const msg = `seconds to the first track: drone ${moverStarts.map((x) => x.toFixed(0)).join(' ')}; generator ${stillStarts.map((x) => x.toFixed(0)).join(' ')}`;
  const median = (l: number[]) => [...l].sort((a, b) => a - b)[l.length >> 1];
  assert.ok(median(moverStarts) <= 16, msg);
  assert.ok(Math.max(...moverStarts) < 20, msg);
  assert.ok(stillStarts.every((x) => x >= 20 && x < 30), msg);
  t.diagnostic(msg);
});

test('microphones whose declared range is half again what they hear: the tracks teach the network a shorter range, and hold the drones better than the declared one', (t) => {
  const nodes = grid(5000, 20000);
  // eight drones over 20 minutes, from four sides, at 300-900 m
  const drones: Path[] = [];
  for (let k = 0; k < 8; k++) {
    const lag = 130 * k;
    const v = 45 + k;
    const dir = k % 4;
    const off = -12000 + 3300 * k;
    if (dir === 0) drones.push(straight(-22000 - v * lag, off, 300 + 80 * k, v, 0));
    else if (dir === 1) drones.push(straight(22000 + v * lag, off, 300 + 80 * k, -v, 0));
    else if (dir === 2) drones.push(straight(off, -22000 - v * lag, 300 + 80 * k, 0, v));
    else drones.push(straight(off, 22000 + v * lag, 300 + 80 * k, 0, -v));
  }
  const dets = hear(nodes, drones, 0, 1500, 11);
  const overstated = (s: Sensor): Sensor => ({ ...s, rangeMax: RANGE * 1.5 });
  const learnt = scoreGrid(nodes, drones, dets, true, overstated, {}, 1500);
  const fixed = scoreGrid(nodes, drones, dets, true, overstated, { acousticRangeScale: null }, 1500);
  const msg = `declared 1.5 x: range scale learnt ${learnt.stats.rangeScale.toFixed(2)} from ${learnt.stats.rangeScaleTracks} tracks, ${(100 * learnt.share).toFixed(0)} % covered (median ${learnt.median.toFixed(0)} m); declared ranges as they are ${(100 * fixed.share).toFixed(0)} % (${learnt.observable} observable s)`;
  assert.ok(learnt.stats.rangeScaleTracks >= 3 && learnt.stats.rangeScale < 0.85, msg);
  assert.ok(learnt.share > fixed.share + 0.05, msg);
  t.diagnostic(msg);
});

test('drones flying side by side 5 km apart over a 5 km grid: a track another node holds refuses the reports its cloud cannot explain, and each drone gets its own track', (t) => {
  const nodes = grid(5000, 15000);
  // three drones abreast, each along a row of microphones, and a fourth 3 km behind the first
  const drones = [straight(-16000, 0, 500, 48, 0), straight(-16000, 5000, 500, 48, 0), straight(-16000, -5000, 500, 48, 0), straight(-19000, 0, 500, 48, 0)];
  const rows: string[] = [];
  let gain = 0;
  for (const seed of [11, 12, 13]) {
    const dets = hear(nodes, drones, 0, 700, seed);
    const on = scoreGrid(nodes, drones, dets, true, undefined, {}, 700);
    const off = scoreGrid(nodes, drones, dets, true, undefined, { acousticRefuseMisfits: false }, 700);
    gain += on.share - off.share;
    assert.ok(on.share > off.share, `seed ${seed}: refusing ${on.share.toFixed(2)}, taking ${off.share.toFixed(2)}`);
    rows.push(`seed ${seed}: refusing ${(100 * on.share).toFixed(0)} % covered (${on.stats.started} tracks), taking ${(100 * off.share).toFixed(0)} % (${off.stats.started})`);
  }
  t.diagnostic(rows.join('; '));
  // measured: +21, +16 and +43 points
  assert.ok(gain / 3 > 0.1, `refusing covers more on average: ${rows.join('; ')}`);
});

test('the tracker option acousticRefuseMisfits: on by default, off on request, a bad value named', () => {
  const origin = { latDeg: 37.5, lonDeg: 127, altM: 0 };
  assert.equal(resolveTrackerOptions({ origin }).acousticRefuseMisfits, true);
  assert.equal(resolveTrackerOptions({ origin, acousticRefuseMisfits: false }).acousticRefuseMisfits, false);
  assert.throws(() => resolveTrackerOptions({ origin, acousticRefuseMisfits: 'yes' as unknown as boolean }), /tracker option acousticRefuseMisfits must be true or false, got "yes"/);
});

test('acousticLearnSources: a network whose lone nodes keep hearing generators learns to expect stationary sources of one-node tracks; off by default', (t) => {
  const nodes = grid(5000, 10000);
  const dets: Detection[] = [];
  // eight generators, one after another at different nodes, four minutes each
  for (let g = 0; g < 8; g++) {
    const n = nodes[(g * 7 + 3) % nodes.length];
    for (let u = 60 * g + 0.3 * g; u < 60 * g + 240; u += PERIOD) dets.push(presenceDet(n.id, n.s, RANGE, u));
  }
  dets.sort((a, b) => a.t - b.t);
  const learnt = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes), acousticLearnSources: true });
  stepEverySecond(learnt, dets, 900);
  const fixed = createTracker({ origin: ORIGIN, sensors: sensorsOf(nodes) });
  stepEverySecond(fixed, dets, 900);
  const [air, ground, still] = learnt.stats.sourcePrior;
  const msg = `one-node prior learnt ${air.toFixed(2)} / ${ground.toFixed(2)} / ${still.toFixed(2)} from ${learnt.stats.sourcePriorTracks} tracks`;
  assert.ok(learnt.stats.sourcePriorTracks >= 4, msg);
  assert.ok(still > 0.3 && air < 0.45, msg);
  // the several-node and handed-back strata learnt nothing here
  assert.deepEqual(learnt.stats.sourcePrior.slice(3), [0.5, 0.3, 0.2, 0.5, 0.3, 0.2]);
  assert.equal(fixed.stats.sourcePriorTracks, 0);
  assert.deepEqual(fixed.stats.sourcePrior.slice(0, 3), [0.5, 0.3, 0.2]);
  t.diagnostic(msg);
});
