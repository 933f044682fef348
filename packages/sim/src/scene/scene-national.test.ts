import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, geodeticToEnu, horizontalDistance } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson, type DetectionRow, type TruthRow } from '@skywarden/formats';
import { collectSceneChunks, simulateSceneChunks } from './scene-chunks.js';
import { generateNationalRows, makeNationalScene, type NationalSceneOptions } from './scene-national.js';
import { simulateScene } from './scene.js';
import { sampleTarget, targetEndTime } from './trajectory.js';

const DEG = Math.PI / 180;

// A reduced night: 50 drones, 500 microphones, 4 radars, 10 minutes, over an 80 km square so
// that the drones meet the sensors within the period.
const REDUCED: NationalSceneOptions = {
  seed: 5,
  nDrones: 50,
  nMics: 500,
  nRadars: 4,
  nObservers: 150,
  nAirliners: 2,
  nHelicopters: 1,
  durationS: 600,
  regionM: 80e3,
  annotate: true,
};

function rows(opts: NationalSceneOptions, chunkS?: number): { detections: DetectionRow[]; truth: TruthRow[] } {
  const truth: TruthRow[] = [];
  const detections = [...generateNationalRows(makeNationalScene(opts), { chunkS, onTruth: (r) => truth.push(...r) })];
  return { detections, truth };
}

test('national preset, default size: the layout of the record night (no rows)', () => {
  const s = makeNationalScene({ seed: 1 });
  assert.equal(s.duration, 3 * 3600);
  assert.equal(s.regionM, 350e3);
  assert.equal(s.acoustics.length, 10000);
  assert.equal(s.radars.length, 36);
  assert.equal(s.observers.length, 2000);
  const drones = s.targets.filter((t) => t.cls === 'piston_owa' || t.cls === 'jet_owa');
  assert.equal(drones.length, 800);
  assert.equal(new Set(s.targets.map((t) => t.id)).size, s.targets.length);
  assert.equal(s.sensors.length, 10000 + 36 + 2000 + 1);
  // Waves over hours, from several directions, in launch order.
  assert.equal(s.waves.length, 8);
  assert.equal(s.waves.reduce((n, w) => n + w.drones.length, 0), 800);
  for (let i = 1; i < s.waves.length; i++) assert.ok(s.waves[i].window[0] >= s.waves[i - 1].window[0]);
  assert.ok(s.waves[s.waves.length - 1].window[0] - s.waves[0].window[0] > 3600, 'launches span over an hour');
  assert.equal(new Set(s.waves.map((w) => w.fromBearing)).size, 4);
  const jets = drones.filter((t) => t.cls === 'jet_owa').length;
  const decoys = drones.filter((t) => t.decoy).length;
  assert.ok(jets > 20 && jets < 80, `${jets} jets`);
  assert.ok(decoys > 120 && decoys < 200, `${decoys} decoys`);
  assert.ok(Object.keys(s.downed).length > 50 && Object.keys(s.downed).length < 120);
  // Radars spread over the region: every point of a coarse grid within 100 km of one.
  const f = createEnuFrame(s.origin);
  const sites = s.radars.map((r) => geodeticToEnu(f, r.position));
  for (let e = -150e3; e <= 150e3; e += 50e3) {
    for (let n = -150e3; n <= 150e3; n += 50e3) assert.ok(sites.some((p) => Math.hypot(p[0] - e, p[1] - n) < 100e3), `no radar near ${e}, ${n}`);
  }
});

test('national preset: microphones in dense city clusters and along sparse lines', () => {
  const s = makeNationalScene({ ...REDUCED, nMics: 2000, regionM: 350e3 });
  assert.equal(s.acoustics.length, 2000);
  const inCity = s.acoustics.filter((m) => s.cities.some((c) => horizontalDistance(m.position, c.position) < c.radiusM * 1.2));
  assert.ok(inCity.length >= 0.68 * 2000 && inCity.length <= 0.8 * 2000, `${inCity.length} in cities`);
  // Density: a city cluster is far denser than the country at large.
  const capital = s.cities[0];
  const nCapital = s.acoustics.filter((m) => horizontalDistance(m.position, capital.position) < capital.radiusM).length;
  const cityDensity = nCapital / (Math.PI * capital.radiusM ** 2);
  const meanDensity = 2000 / s.regionM ** 2;
  assert.ok(cityDensity > 5 * meanDensity, `capital ${cityDensity * 1e6}/km², mean ${meanDensity * 1e6}/km²`);
  assert.ok(Math.abs(s.cities.reduce((w, c) => w + c.weight, 0) - 1) < 1e-12);
  const arrays = s.acoustics.filter((m) => m.output === 'bearing').length;
  assert.ok(arrays > 0.2 * 2000 && arrays < 0.3 * 2000);
});

test('national preset with micSpacingM: microphones on a jittered grid over the whole region, nMics not used', () => {
  const s = makeNationalScene({ ...REDUCED, nMics: 10, micSpacingM: 5000, regionM: 100e3 });
  assert.equal(s.acoustics.length, 20 * 20);
  const frame = createEnuFrame(s.origin);
  const xy = s.acoustics.map((m) => geodeticToEnu(frame, m.position));
  // every 5 km cell of the region holds one microphone (jitter 0.6 keeps each inside its cell)
  const cells = new Set(xy.map(([e, n]) => `${Math.floor((e + 50e3) / 5000)},${Math.floor((n + 50e3) / 5000)}`));
  assert.equal(cells.size, 400);
  // nearest-neighbour spacing: about the grid's, never a cluster
  const nn = xy.map((p, i) => Math.min(...xy.map((q, j) => (i === j ? Infinity : Math.hypot(p[0] - q[0], p[1] - q[1])))));
  const mean = nn.reduce((a, b) => a + b, 0) / nn.length;
  assert.ok(mean > 3500 && mean < 5200, `mean nearest neighbour ${mean} m`);
  assert.ok(Math.min(...nn) > 1500, `closest pair ${Math.min(...nn)} m`);
  const ids = new Set(s.sensors.map((r) => r.id));
  assert.equal(ids.size, s.sensors.length, 'sensor ids unique');
  assert.throws(() => makeNationalScene({ ...REDUCED, micSpacingM: 0 }), /micSpacingM must be > 0, got 0/);
  // lines of microphones are not needed on a grid (without one, micLines 0 is refused)
  assert.equal(makeNationalScene({ ...REDUCED, micSpacingM: 20_000, micLines: 0, regionM: 100e3 }).acoustics.length, 25);
  assert.throws(() => makeNationalScene({ ...REDUCED, micLines: 0 }), /micLines must be >= 1 unless cityMicShare is 1/);
});

test('national preset at a reduced size: deterministic, sorted, valid rows; drones seen by every sensor kind', () => {
  const a = rows(REDUCED);
  const b = rows(REDUCED);
  assert.deepEqual(a, b);
  const c = rows({ ...REDUCED, seed: 6 });
  assert.notDeepEqual(a.truth, c.truth);
  const s = makeNationalScene(REDUCED);
  assert.equal(s.acoustics.length, 500);
  assert.equal(s.radars.length, 4);
  assert.equal(s.targets.filter((t) => t.id.startsWith('D')).length, 50);
  const parsed = parseSensorsJson(JSON.stringify({ sensors: s.sensors }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
  const ids = new Set<string>();
  a.detections.forEach((row, i) => {
    const r = parseDetectionLine(JSON.stringify(row), i + 1, parsed.sensors);
    assert.ok(r && r.ok, r && !r.ok ? `${r.reason}: ${JSON.stringify(row)}` : 'blank');
    assert.ok(!ids.has(row.id!), `duplicate id ${row.id}`);
    ids.add(row.id!);
    if (i > 0) assert.ok(row.t >= a.detections[i - 1].t, `unsorted at ${i}`);
    assert.ok(row.t >= s.t0 && row.t <= s.t0 + 600);
  });
  for (let i = 1; i < a.truth.length; i++) assert.ok(a.truth[i].t >= a.truth[i - 1].t);
  const cls = new Map(s.targets.map((t) => [t.id, t]));
  for (const r of a.truth) {
    assert.equal(r.class, cls.get(r.id)!.cls);
    assert.equal(r.decoy, cls.get(r.id)!.decoy);
  }
  const seen = (prefix: string) => new Set(a.detections.filter((d) => d.sensor.startsWith(prefix) && typeof d.sim_target === 'string' && d.sim_target.startsWith('D')).map((d) => d.sim_target));
  assert.ok(seen('radar-').size >= 25, `radars see ${seen('radar-').size} drones`);
  assert.ok(seen('ac-').size >= 15, `microphones hear ${seen('ac-').size} drones`);
  assert.ok(a.detections.some((d) => d.sensor === 'adsb-1'));
  // One chunk (the default 600 s) is simulateScene on the scene's inputs; smaller chunks give the same truth.
  const whole = simulateScene(s.scene);
  assert.deepEqual(a.detections, whole.detections);
  assert.deepEqual(a.truth, whole.truth);
  const chunked = collectSceneChunks(simulateSceneChunks(s.scene, { chunkS: 120 }));
  assert.deepEqual(chunked.truth, whole.truth);
  for (let i = 1; i < chunked.detections.length; i++) assert.ok(chunked.detections[i].t >= chunked.detections[i - 1].t);
  assert.equal(new Set(chunked.detections.map((d) => d.id)).size, chunked.detections.length);
  assert.deepEqual(rows(REDUCED, 120), { detections: chunked.detections, truth: whole.truth });
});

test('national preset: waves come from their directions and strike the cities', () => {
  const s = makeNationalScene({ ...REDUCED, nDrones: 300, nMics: 10, nObservers: 0, durationS: 4 * 3600, regionM: 200e3, nWaves: 6, nDirections: 3 });
  const f = createEnuFrame(s.origin);
  const byId = new Map(s.targets.map((t) => [t.id, t]));
  const froms = [...new Set(s.waves.map((w) => w.fromBearing))];
  assert.equal(froms.length, 3);
  const spread = (x: number, y: number) => Math.abs(Math.atan2(Math.sin(x - y), Math.cos(x - y)));
  for (const x of froms) for (const y of froms) assert.ok(spread(x, y) <= 160 * DEG);
  for (const w of s.waves) {
    for (const id of w.drones) {
      const t = byId.get(id)!;
      assert.ok(t.startTime >= w.window[0] && t.startTime <= w.window[1]);
      // It enters from the wave's side: its start lies in the direction the wave comes from.
      const p = geodeticToEnu(f, t.start);
      assert.ok(spread(Math.atan2(p[0], p[1]), w.fromBearing) < 80 * DEG, `${id} starts at bearing ${Math.atan2(p[0], p[1]) / DEG}°, wave from ${w.fromBearing / DEG}°`);
    }
  }
  // Strikes dive near a city: most drones that end on the ground end within 2 radii of one.
  let strikes = 0;
  let nearCity = 0;
  for (const t of s.targets) {
    if (!t.id.startsWith('D') || s.downed[t.id] !== undefined) continue;
    const last = t.legs[t.legs.length - 1];
    if (!(last.climbRate < -15)) continue;
    strikes++;
    const pos = sampleTarget(t, targetEndTime(t))!.position;
    assert.ok(Math.abs(pos.altM - s.origin.altM) < 1e-3, `a strike ends on the ground, not at ${pos.altM} m`);
    if (s.cities.some((c) => horizontalDistance(pos, c.position) < 2 * c.radiusM)) nearCity++;
  }
  assert.ok(strikes > 100, `${strikes} strikes`);
  assert.ok(nearCity > 0.8 * strikes, `${nearCity} of ${strikes} strikes near a city`);
});

test('makeNationalScene rejects bad options', () => {
  assert.throws(() => makeNationalScene({ seed: 1, nDrones: -1 }), /nDrones must be an integer >= 0, got -1/);
  assert.throws(() => makeNationalScene({ seed: 1, nWaves: 0 }), /nWaves must be an integer >= 1, got 0/);
  assert.throws(() => makeNationalScene({ seed: 1, cityMicShare: 2 }), /cityMicShare must be in \[0, 1\], got 2/);
  assert.throws(() => makeNationalScene({ seed: 1, regionM: 0 }), /regionM must be > 0, got 0/);
});
