import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, geodeticToEnu, lookAngles } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson, type DetectionRow } from '@skywarden/formats';
import { makeMixedScene, type MixedScene } from './scene-mixed.js';
import { sampleTarget, type SimTarget } from './trajectory.js';

const T0 = 1764000000;
const DEG = Math.PI / 180;

const small = { nDrones: 15, nMics: 120, nObservers: 60, durationS: 200, regionM: 20e3 };

test('makeMixedScene is deterministic for a seed and differs between seeds', () => {
  const a = makeMixedScene({ seed: 5, ...small });
  const b = makeMixedScene({ seed: 5, ...small });
  const c = makeMixedScene({ seed: 6, ...small });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.detections, c.detections);
  assert.notDeepEqual(a.truth, c.truth);
  assert.notDeepEqual(a.acoustics, c.acoustics);
  // More drones leave the traffic, the sensor layout and the other sensors' streams alone.
  const more = makeMixedScene({ seed: 5, ...small, nDrones: 16 });
  assert.deepEqual(more.targets.slice(16), a.targets.slice(15));
  assert.deepEqual(more.acoustics, a.acoustics);
  assert.deepEqual(more.observers, a.observers);
  assert.deepEqual(more.targets.slice(0, 15), a.targets.slice(0, 15));
});

// The default scene, built once for the tests below (about a second).
let scene: MixedScene | undefined;
const full = (): MixedScene => (scene ??= makeMixedScene({ seed: 1, annotate: true }));

test('mixed preset: sensors by kind, sensors.json valid, observers mobile', () => {
  const s = full();
  const count = (k: string) => s.sensors.filter((x) => x.kind === k).length;
  assert.equal(count('radar'), 1);
  assert.equal(count('adsb'), 1);
  assert.equal(count('acoustic'), 600);
  assert.equal(count('observer'), 300);
  assert.equal(s.sensors.length, 902);
  const arrays = s.acoustics.filter((m) => m.output === 'bearing').length;
  assert.ok(arrays > 120 && arrays < 180, `${arrays} bearing arrays`);
  const parsed = parseSensorsJson(JSON.stringify({ sensors: s.sensors }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
  for (const row of s.sensors) {
    if (row.kind === 'observer') assert.ok(row.lat === undefined && row.lon === undefined && parsed.sensors.get(row.id)!.position === undefined);
    else assert.ok(typeof row.lat === 'number' && typeof row.lon === 'number');
    if (row.kind === 'acoustic') {
      assert.ok(row.range_m! >= 2000 && row.range_m! <= 3000);
      assert.ok(row.far_per_hour! > 0);
    }
  }
  // Grid spacing ≈ 40 km / √600 ≈ 1.63 km: nearest neighbours between 0.8 and 2.4 km.
  const f = createEnuFrame(s.origin);
  const xy = s.acoustics.map((m) => geodeticToEnu(f, m.position));
  for (let i = 0; i < xy.length; i += 37) {
    let d = Infinity;
    for (let j = 0; j < xy.length; j++) if (j !== i) d = Math.min(d, Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]));
    assert.ok(d > 800 && d < 2400, `nearest neighbour ${d} m`);
  }
});

test('mixed preset: every detection row is valid per the spec, sorted, unique ids, in the period', () => {
  const s = full();
  const parsed = parseSensorsJson(JSON.stringify({ sensors: s.sensors }));
  assert.ok(parsed.ok);
  const ids = new Set<string>();
  const byKind = new Map<string, number>();
  const kindOf = new Map(s.sensors.map((x) => [x.id, x.kind]));
  for (let i = 0; i < s.detections.length; i++) {
    const row = s.detections[i];
    const r = parseDetectionLine(JSON.stringify(row), i + 1, parsed.sensors);
    assert.ok(r && r.ok, r && !r.ok ? `${r.reason}: ${JSON.stringify(row)}` : 'blank');
    assert.ok(!ids.has(row.id!), `duplicate id ${row.id}`);
    ids.add(row.id!);
    if (i > 0) assert.ok(row.t >= s.detections[i - 1].t, `unsorted at ${i}`);
    assert.ok(row.t >= T0 && row.t <= T0 + 600);
    const k = `${kindOf.get(row.sensor)}/${row.type}`;
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
    if (kindOf.get(row.sensor) === 'observer') assert.ok(typeof row.sensor_lat === 'number' && typeof row.sensor_lon === 'number');
  }
  for (const k of ['radar/range_bearing', 'adsb/position', 'acoustic/presence', 'acoustic/bearing', 'observer/bearing', 'observer/position']) {
    assert.ok((byKind.get(k) ?? 0) > 20, `${k}: ${byKind.get(k)} rows`);
  }
  assert.ok(byKind.get('observer/bearing')! > byKind.get('observer/position')!, 'bearings are the common observer report');
});

test('mixed preset: targets and truth: drones, jets, airliners, helicopters; launches spread', () => {
  const s = full();
  const byCls = (c: string) => s.targets.filter((t) => t.cls === c);
  const drones = [...byCls('piston_owa'), ...byCls('jet_owa')];
  assert.equal(drones.length, 50);
  assert.ok(byCls('jet_owa').length >= 1 && byCls('jet_owa').length <= 12);
  assert.ok(byCls('aircraft').length >= 2 && byCls('aircraft').length <= 4);
  assert.ok(byCls('helicopter').length >= 1 && byCls('helicopter').length <= 2);
  const speedOk: Record<string, [number, number]> = { piston_owa: [45, 55], jet_owa: [140, 170], aircraft: [220, 240], helicopter: [50, 70] };
  const altOk: Record<string, [number, number]> = { piston_owa: [0, 2000], jet_owa: [0, 2500], aircraft: [8000, 11000], helicopter: [300, 1000] };
  for (const tg of s.targets) {
    // Decoys (class piston_owa) fly slower: 38-48 m/s (raid.ts).
    const [lo, hi] = tg.decoy ? [38, 48] : speedOk[tg.cls];
    assert.ok(tg.speed >= lo && tg.speed <= hi, `${tg.id} ${tg.cls} at ${tg.speed} m/s`);
    for (const l of tg.legs) assert.ok(Math.abs(l.turnRate) <= 6 * DEG + 1e-12);
  }
  const alive = new Map<number, number>();
  const truthIds = new Set<string>();
  for (const r of s.truth) {
    const tg = s.targets.find((t) => t.id === r.id)!;
    assert.equal(r.class, tg.cls);
    const [lo, hi] = altOk[tg.cls];
    assert.ok(r.alt_m >= lo - 1e-6 && r.alt_m <= hi + 1e-6, `${r.id} at ${r.alt_m} m`);
    truthIds.add(r.id);
    if (tg.cls === 'piston_owa' || tg.cls === 'jet_owa') alive.set(r.t, (alive.get(r.t) ?? 0) + 1);
    assert.ok(Number.isInteger(r.t));
  }
  for (const tg of s.targets) assert.ok(truthIds.has(tg.id), `${tg.id} never flies in the period`);
  const counts = [...alive.values()];
  assert.ok(Math.max(...counts) < 50, 'all drones fly at once');
  assert.ok(Math.min(...counts) < Math.max(...counts) - 5, `drone count hardly changes: ${Math.min(...counts)}-${Math.max(...counts)}`);
  // Routes are dog-legs: most drones turn at least once.
  assert.ok(drones.filter((d) => d.legs.some((l) => l.turnRate !== 0)).length >= 40);
});

test('mixed preset: ADS-B reports only cooperative traffic, with its ICAO address in target', () => {
  const s = full();
  const adsb = s.detections.filter((d) => d.sensor === 'adsb-1');
  const coop = new Set(s.targets.filter((t) => t.cls === 'aircraft' || t.cls === 'helicopter').map((t) => t.id));
  assert.deepEqual(new Set(Object.keys(s.icao)), coop);
  assert.ok(adsb.length > 300);
  for (const d of adsb) {
    assert.equal(d.type, 'position');
    assert.ok(coop.has(d.sim_target as string));
    assert.equal(d.target, s.icao[d.sim_target as string]);
    assert.match(d.target!, /^71[89A-F][0-9A-F]{3}$/);
  }
  assert.equal(new Set(adsb.map((d) => d.target)).size, coop.size);
  // The radar sees the airliners too, without identity.
  const airliners = new Set(s.targets.filter((t) => t.cls === 'aircraft').map((t) => t.id));
  const radarSeen = new Set(s.detections.filter((d) => d.sensor === 'radar-1').map((d) => d.sim_target));
  for (const id of airliners) assert.ok(radarSeen.has(id), `radar never sees ${id}`);
  assert.ok(s.detections.filter((d) => d.sensor === 'radar-1').every((d) => d.target === undefined));
});

test('mixed preset: who hears what; the radar misses low drones below its masking angle', () => {
  const s = full();
  const heard = (kind: string) => new Set(s.detections.filter((d) => d.sensor.startsWith(kind) && d.sim_target).map((d) => d.sim_target as string));
  const mics = heard('ac-');
  const people = heard('obs-');
  const cls = (id: string) => s.targets.find((t) => t.id === id)!.cls;
  assert.ok([...mics].filter((id) => cls(id) === 'piston_owa').length >= 35, `mics hear ${mics.size} targets`);
  assert.ok([...people].filter((id) => cls(id) === 'piston_owa').length >= 20, `observers report ${people.size} targets`);
  for (const id of [...mics, ...people]) assert.notEqual(cls(id), 'aircraft', `${id} at cruise altitude heard from the ground`);
  for (const h of s.targets.filter((t) => t.cls === 'helicopter')) assert.ok(mics.has(h.id), `mics never hear helicopter ${h.id}`);
  // Acoustic class hints of piston drones mostly say piston_owa.
  const hints = s.detections.filter((d) => d.sensor.startsWith('ac-') && d.class && d.sim_target && cls(d.sim_target as string) === 'piston_owa');
  const topPiston = hints.filter((d) => Object.entries(d.class!).sort((a, b) => b[1] - a[1])[0][0] === 'piston_owa').length;
  assert.ok(hints.length > 100 && topPiston > 0.75 * hints.length, `${topPiston} of ${hints.length}`);

  // Radar: every drone plot is above the masking angle at its time; some drone positions in range are below it.
  const radar = s.radars[0];
  const mask = radar.maskElevationDeg!;
  const byId = new Map<string, SimTarget>(s.targets.map((t) => [t.id, t]));
  for (const d of s.detections) {
    if (d.sensor !== 'radar-1' || d.sim_target === null) continue;
    const look = lookAngles(radar.position, sampleTarget(byId.get(d.sim_target as string)!, d.t)!.position);
    assert.ok(look.elevation / DEG >= mask - 1e-9);
  }
  let hidden = 0;
  let visible = 0;
  for (const r of s.truth) {
    if (!r.id.startsWith('D')) continue;
    const look = lookAngles(radar.position, { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m });
    if (look.range > radar.rangeMax) continue;
    if (look.elevation / DEG < mask) hidden++;
    else visible++;
  }
  assert.ok(hidden > 0.03 * (hidden + visible) && visible > 0.5 * (hidden + visible), `${hidden} hidden, ${visible} visible`);
});

test('mixed preset in arrival order: same rows, observer reports delivered late', () => {
  const opts = { seed: 7, ...small, annotate: true };
  const m = makeMixedScene(opts);
  const a = makeMixedScene({ ...opts, order: 'arrival' });
  const ids = (rows: DetectionRow[]) => rows.map((d) => d.id!);
  assert.deepEqual(new Set(ids(a.detections)), new Set(ids(m.detections)));
  assert.notDeepEqual(ids(a.detections), ids(m.detections));
  // An observer row measured at t arrives 1-6 s later: rows measured up to 1 s after it come before it.
  const pos = new Map(ids(a.detections).map((id, i) => [id, i]));
  const obs = m.detections.filter((d) => d.sensor.startsWith('obs-'));
  assert.ok(obs.length > 0);
  for (const o of obs.slice(0, 20)) {
    for (const d of m.detections) {
      if (d.sensor.startsWith('ac-') && d.t > o.t && d.t < o.t + 1) assert.ok(pos.get(d.id!)! < pos.get(o.id!)!);
    }
  }
});

test('makeMixedScene rejects bad options', () => {
  assert.throws(() => makeMixedScene({ seed: 1, nDrones: -1 }), /nDrones must be an integer >= 0, got -1/);
  assert.throws(() => makeMixedScene({ seed: 1, durationS: 0 }), /durationS must be > 0, got 0/);
});

test('mixed preset in waves: each wave keeps to its corridor and launches together; the routes draw the same numbers', () => {
  const o = { seed: 4, nDrones: 24, nMics: 0, nObservers: 0, durationS: 1200, regionM: 60e3, raidHeadingDeg: 180, jetShare: 0, downedShare: 0 };
  const waves = { count: 3, gapS: 400, corridorM: 6000 };
  const w = makeMixedScene({ ...o, waves });
  const plain = makeMixedScene(o);
  const frame = createEnuFrame(w.origin);
  // across the raid (it flies south): the east coordinate; along: the time of its start
  const across = (tg: SimTarget) => {
    const xs: number[] = [];
    for (let t = tg.startTime; t < tg.startTime + 1200; t += 60) {
      const s = sampleTarget(tg, t);
      if (s) xs.push(geodeticToEnu(frame, s.position)[0]);
    }
    return xs;
  };
  const drones = (s: MixedScene) => s.targets.slice(0, 24);
  const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
  for (let k = 0; k < 3; k++) {
    const wave = drones(w).slice(8 * k, 8 * k + 8);
    const xs = wave.flatMap(across);
    // a 6 km corridor; a strike's dive and the turns onto the legs add a little
    assert.ok(spread(xs) < 9000, `wave ${k}: across the raid ${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)} m`);
    const starts = wave.map((tg) => tg.startTime - (T0 + k * 400));
    // each drone's start: its wave's time, less 30 % of its route, plus up to 120 s
    assert.ok(Math.max(...starts) - Math.min(...starts) < 600, `wave ${k} starts ${starts.map((x) => x.toFixed(0)).join(' ')}`);
  }
  // without waves the drones spread over the region
  assert.ok(spread(drones(plain).flatMap(across)) > 30000);
  // the waves move the routes, not the draws: speeds and altitudes are the same drone by drone
  assert.deepEqual(drones(w).map((tg) => [tg.speed, tg.start.altM]), drones(plain).map((tg) => [tg.speed, tg.start.altM]));
  assert.throws(() => makeMixedScene({ ...o, waves: { count: 0, gapS: 1, corridorM: 1000 } }), /waves must have an integer count >= 1/);
});

test('mixed preset from every direction: the drones enter from all sides; the draws of their routes stay the same', () => {
  const o = { seed: 6, nDrones: 40, nMics: 0, nObservers: 0, durationS: 1200, regionM: 40e3, raidHeadingDeg: 180, jetShare: 0, downedShare: 0 };
  const one = makeMixedScene(o);
  const all = makeMixedScene({ ...o, fromSpreadDeg: 360 });
  const frame = createEnuFrame(one.origin);
  // the side of the region each drone enters from: the direction (from the centre) of its first point inside it
  const sideOf = (tg: SimTarget): number | null => {
    for (let t = tg.startTime; t < tg.startTime + 3600; t += 10) {
      const s = sampleTarget(tg, t);
      if (!s) continue;
      const [e, n] = geodeticToEnu(frame, s.position);
      if (Math.abs(e) < 20e3 && Math.abs(n) < 20e3) return Math.round(((Math.atan2(e, n) * 180) / Math.PI + 360) % 360 / 90) % 4;
    }
    return null;
  };
  const sides = (s: MixedScene) => s.targets.slice(0, 40).map(sideOf).filter((x) => x !== null);
  // the raid flies south: no drone enters on the south side (near a corner, a drone may enter
  // on the east or west side); from every direction, drones enter on all four
  assert.equal(sides(one).filter((x) => x === 2).length, 0, `sides ${sides(one).join(',')}`);
  assert.ok(sides(one).filter((x) => x === 0).length > 20, `sides ${sides(one).join(',')}`);
  assert.equal(new Set(sides(all)).size, 4, `sides ${sides(all).join(',')}`);
  assert.ok(sides(all).filter((x) => x === 2).length >= 5, `sides ${sides(all).join(',')}`);
  assert.deepEqual(all.targets.slice(0, 40).map((tg) => [tg.speed, tg.start.altM]), one.targets.slice(0, 40).map((tg) => [tg.speed, tg.start.altM]));
  assert.throws(() => makeMixedScene({ ...o, fromSpreadDeg: 400 }), /fromSpreadDeg must be in \[0, 360\], got 400/);
});
