import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic, geodeticToEnu, lookAngles, type GeoPoint } from '@skywarden/core';
import type { DetectionRow } from '@skywarden/formats';
import { makeRadarScene, simulateScene } from './scene.js';
import { sampleTarget, type SimTarget } from './trajectory.js';
import { sampledTrajectory } from './trajectory-sampled.js';

const T0 = 1764000000;
const DEG = Math.PI / 180;
const ORIGIN: GeoPoint = { latDeg: 37.55, lonDeg: 127.0, altM: 0 };

const DETECTION_TYPES = new Set(['position', 'range_bearing', 'bearing', 'presence']);

/** Checks a detection row against spec/interchange.md. */
function assertSpecRow(row: DetectionRow, sensors: Set<string>): void {
  assert.ok(Number.isFinite(row.t));
  assert.ok(sensors.has(row.sensor), `unknown sensor ${row.sensor}`);
  assert.ok(DETECTION_TYPES.has(row.type));
  assert.equal(typeof row.id, 'string');
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k} = ${v}`);
  }
  if (row.type === 'range_bearing') {
    assert.ok(row.range_m! >= 0);
    assert.ok(row.bearing_deg! >= 0 && row.bearing_deg! < 360, `bearing ${row.bearing_deg}`);
    assert.ok(row.elevation_deg! >= -90 && row.elevation_deg! <= 90);
  }
  if (row.type === 'position') {
    assert.ok(Math.abs(row.lat!) <= 90);
    assert.ok(Math.abs(row.lon!) <= 180);
  }
}

test('makeRadarScene is deterministic for a seed and differs between seeds', () => {
  const a = makeRadarScene({ seed: 11, nTargets: 10, durationS: 120, clutterPerScan: 3 });
  const b = makeRadarScene({ seed: 11, nTargets: 10, durationS: 120, clutterPerScan: 3 });
  const c = makeRadarScene({ seed: 12, nTargets: 10, durationS: 120, clutterPerScan: 3 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.detections, c.detections);
  assert.notDeepEqual(a.truth, c.truth);
});

test('makeRadarScene: rows satisfy the spec, sorted by t, unique ids, truth every second', () => {
  const scene = makeRadarScene({ seed: 21, nTargets: 100, durationS: 120, clutterPerScan: 10, rangeRateSd: 1, annotate: true });
  const sensorIds = new Set(scene.sensors.map((s) => s.id));
  assert.equal(sensorIds.size, scene.sensors.length);
  assert.ok(scene.radars.length >= 1 && scene.radars.length <= 4);
  for (const s of scene.sensors) {
    assert.equal(s.kind, 'radar');
    assert.ok(Math.abs(s.lat!) <= 90 && Number.isFinite(s.lon) && Number.isFinite(s.alt_m));
  }
  const ids = new Set<string>();
  for (let i = 0; i < scene.detections.length; i++) {
    const row = scene.detections[i];
    assertSpecRow(row, sensorIds);
    assert.ok(!ids.has(row.id!), `duplicate id ${row.id}`);
    ids.add(row.id!);
    if (i > 0) assert.ok(row.t >= scene.detections[i - 1].t, `unsorted at ${i}`);
    assert.ok(row.t >= T0 && row.t <= T0 + 120);
  }
  // Truth: every target at every whole second of [t0, t0 + 120], sorted by t.
  assert.equal(scene.truth.length, 100 * 121);
  for (let i = 0; i < scene.truth.length; i++) {
    const r = scene.truth[i];
    assert.ok(Number.isInteger(r.t));
    assert.equal(r.class, 'piston_owa');
    if (i > 0) assert.ok(r.t >= scene.truth[i - 1].t);
  }
  assert.deepEqual(new Set(scene.truth.filter((r) => r.t === T0 + 60).map((r) => r.id)), new Set(scene.targets.map((t) => t.id)));
  // Most targets are seen, and most plots come from targets rather than clutter.
  const seen = new Set(scene.detections.map((d) => d.sim_target).filter((x) => x !== null));
  assert.ok(seen.size >= 90, `only ${seen.size} of 100 targets detected`);
});

test('makeRadarScene: targets are Shahed-like and mostly well apart', () => {
  const scene = makeRadarScene({ seed: 31, nTargets: 1000, durationS: 200, clutterPerScan: 0, nRadars: 1 });
  assert.equal(scene.targets.length, 1000);
  assert.equal(scene.radars.length, 1);
  const r = scene.radars[0];
  assert.ok(r.scanPeriod >= 2 && r.scanPeriod <= 4 && r.rangeSd >= 20 && r.rangeSd <= 30);
  assert.ok(r.bearingSdDeg >= 0.5 && r.bearingSdDeg <= 1 && r.pd === 0.9);
  const frame = createEnuFrame(scene.origin);
  const mid = scene.targets.map((tg: SimTarget) => {
    assert.ok(tg.speed >= 45 && tg.speed <= 55);
    assert.equal(tg.legs.reduce((s, l) => s + l.duration, 0), 200);
    for (const l of tg.legs) assert.ok(Math.abs(l.turnRate) <= 5 * DEG);
    for (const t of [0, 100, 200]) {
      const s = sampleTarget(tg, T0 + t);
      assert.ok(s);
      assert.ok(s.position.altM >= 100 - 1e-6 && s.position.altM <= 2000 + 1e-6, `altitude ${s.position.altM}`);
    }
    return geodeticToEnu(frame, sampleTarget(tg, T0 + 100)!.position);
  });
  // Nearest-neighbour distances at mid-flight, against the mean spacing L/√N (uniform random
  // points would give a median of about 0.47 of it, best-candidate sampling about 0.8).
  assert.ok(scene.regionM >= 30e3 && scene.regionM <= 60e3);
  const spacing = scene.regionM / Math.sqrt(1000);
  const nn = mid.map((p, i) => {
    let d = Infinity;
    for (let j = 0; j < mid.length; j++) if (j !== i) d = Math.min(d, Math.hypot(p[0] - mid[j][0], p[1] - mid[j][1]));
    return d;
  });
  nn.sort((a, b) => a - b);
  assert.ok(nn[500] > 0.6 * spacing, `median nearest neighbour ${nn[500]} m, spacing ${spacing} m`);
  assert.ok(nn[100] > 0.3 * spacing, `10th percentile nearest neighbour ${nn[100]} m, spacing ${spacing} m`);
});

test('simulateScene with radar and reporter: merge order, arrival order, truth period', () => {
  const frame = createEnuFrame(ORIGIN);
  const start = (e: number, n: number): GeoPoint => ({ ...enuToGeodetic(frame, e, n, 0), altM: 600 });
  const targets: SimTarget[] = [
    { id: 'A', cls: 'piston_owa', start: start(5000, 0), startTime: T0 + 3.5, speed: 50, heading: 0, legs: [{ duration: 50, turnRate: 2 * DEG, climbRate: 0 }] },
    { id: 'B', cls: 'aircraft', start: start(-8000, 2000), startTime: T0, speed: 70, heading: 90 * DEG, legs: [{ duration: 100, turnRate: 0, climbRate: 5 }] },
  ];
  const opts = {
    seed: 5,
    t0: T0,
    duration: 60,
    origin: ORIGIN,
    targets,
    radars: [{ id: 'rad', position: ORIGIN, scanPeriod: 3, rangeMax: 30_000, rangeSd: 20, bearingSdDeg: 0.5, elevationSdDeg: 1, pd: 0.9, clutterPerScan: 4 }],
    reporters: [{ id: 'adsb', period: 1, posSd: 10, targets: ['B'], cooperative: { B: '71BE01' }, delay: 1.5, delayJitter: 1 }],
    truthPeriod: 2,
  };
  const scene = simulateScene(opts);
  assert.deepEqual(scene.sensors.map((s) => s.id), ['rad', 'adsb']);
  assert.ok(scene.detections.some((d) => d.sensor === 'adsb' && d.target === '71BE01'));
  for (let i = 1; i < scene.detections.length; i++) assert.ok(scene.detections[i].t >= scene.detections[i - 1].t);
  // Truth on multiples of 2 s: A from t0+4 to t0+52 (25 rows), B from t0 to t0+60 (31 rows).
  assert.equal(scene.truth.filter((r) => r.id === 'A').length, 25);
  assert.equal(scene.truth.filter((r) => r.id === 'B').length, 31);
  assert.ok(scene.truth.every((r) => (r.t - T0) % 2 === 0));
  // Arrival order: same rows, ADS-B rows moved later by their delay.
  const live = simulateScene({ ...opts, order: 'arrival' });
  assert.equal(live.detections.length, scene.detections.length);
  assert.deepEqual(new Set(live.detections.map((d) => d.id)), new Set(scene.detections.map((d) => d.id)));
  assert.notDeepEqual(live.detections.map((d) => d.id), scene.detections.map((d) => d.id));
  // Adding a sensor leaves the others' rows unchanged (independent streams).
  const radarOnly = simulateScene({ ...opts, reporters: [] });
  assert.deepEqual(radarOnly.detections, scene.detections.filter((d) => d.sensor === 'rad'));
});

test('simulateScene with microphones and observers: sensor rows, independent streams, arrival order', () => {
  const frame = createEnuFrame(ORIGIN);
  const start = (e: number, n: number): GeoPoint => ({ ...enuToGeodetic(frame, e, n, 0), altM: 400 });
  const targets: SimTarget[] = [{ id: 'A', cls: 'piston_owa', start: start(-3000, 800), startTime: T0, speed: 50, heading: 90 * DEG, legs: [{ duration: 120, turnRate: 0, climbRate: 0 }] }];
  const base = {
    seed: 8,
    t0: T0,
    duration: 120,
    origin: ORIGIN,
    targets,
    radars: [{ id: 'rad', position: ORIGIN, scanPeriod: 3, rangeMax: 30_000, rangeSd: 20, bearingSdDeg: 0.5, elevationSdDeg: 1, pd: 0.9, clutterPerScan: 1 }],
    acoustics: [
      { id: 'ac-1', position: { ...ORIGIN, altM: 4 }, output: 'presence' as const, rangeMax: 2500, pd: 0.9, period: 2, farPerHour: 20 },
      { id: 'ac-2', position: { ...enuToGeodetic(frame, 1500, 0, 0), altM: 4 }, output: 'bearing' as const, rangeMax: 2500, pd: 0.9, period: 2, bearingSdDeg: 6, farPerHour: 20, burstsPerHour: 10 },
    ],
    observers: [{ id: 'obs-1', position: { ...ORIGIN, altM: 1.5 }, rangeMax: 3000, reportRate: 0.2, bearingSdDeg: 12, delay: [5, 10] as const }],
    annotate: true,
  };
  const scene = simulateScene(base);
  assert.deepEqual(scene.sensors.map((s) => [s.id, s.kind]), [['rad', 'radar'], ['ac-1', 'acoustic'], ['ac-2', 'acoustic'], ['obs-1', 'observer']]);
  const kinds = new Set(scene.detections.map((d) => `${d.sensor}/${d.type}`));
  for (const k of ['rad/range_bearing', 'ac-1/presence', 'ac-2/bearing', 'obs-1/bearing']) assert.ok(kinds.has(k), `no ${k} rows`);
  for (let i = 1; i < scene.detections.length; i++) assert.ok(scene.detections[i].t >= scene.detections[i - 1].t);
  // Each sensor's rows do not depend on the other sensors.
  const alone = simulateScene({ ...base, radars: [], observers: [], acoustics: [base.acoustics[1]] });
  assert.deepEqual(alone.detections, scene.detections.filter((d) => d.sensor === 'ac-2'));
  // Arrival order moves the observer's rows 5-10 s later.
  const live = simulateScene({ ...base, order: 'arrival' });
  const pos = (rows: DetectionRow[], id: string) => rows.findIndex((d) => d.id === id);
  const obsRow = scene.detections.find((d) => d.sensor === 'obs-1')!;
  const later = scene.detections.filter((d) => d.sensor !== 'obs-1' && d.t > obsRow.t && d.t < obsRow.t + 5);
  assert.ok(later.length > 0);
  for (const d of later) assert.ok(pos(live.detections, d.id!) < pos(live.detections, obsRow.id!));
});

test('simulateScene rejects duplicate ids and bad periods', () => {
  const base = { seed: 1, t0: T0, duration: 10, origin: ORIGIN, targets: [] as SimTarget[] };
  const tg: SimTarget = { id: 'X', cls: 'bird', start: ORIGIN, startTime: T0, speed: 10, heading: 0, legs: [] };
  assert.throws(() => simulateScene({ ...base, targets: [tg, tg] }), /duplicate target id "X"/);
  assert.throws(() => simulateScene({ ...base, reporters: [{ id: 's', period: 1, posSd: 1 }, { id: 's', period: 2, posSd: 1 }] }), /duplicate sensor id "s"/);
  assert.throws(() => simulateScene({ ...base, truthPeriod: 0 }), /truthPeriod must be > 0, got 0/);
  assert.throws(() => makeRadarScene({ seed: 1, nTargets: -1, durationS: 10 }), /got -1/);
});

test('simulateScene flies recorded trajectories beside simulated targets', () => {
  const frame = createEnuFrame(ORIGIN);
  // A helicopter's fixes every 5 s, weaving east across a microphone at the origin, 300-360 m up.
  const fixes = [];
  for (let k = 0; k <= 24; k++) {
    const g = enuToGeodetic(frame, -3000 + 250 * k, 400 * Math.sin(k / 3), 0);
    fixes.push({ t: T0 + 5 * k, position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: 300 + 60 * Math.sin(k / 5) ** 2 } });
  }
  const heli = sampledTrajectory({ id: 'HELI', cls: 'helicopter', samples: fixes });
  const drone: SimTarget = { id: 'A', cls: 'piston_owa', start: { ...enuToGeodetic(frame, 0, -4000, 0), altM: 500 }, startTime: T0, speed: 50, heading: 0, legs: [{ duration: 160, turnRate: 0, climbRate: 0 }] };
  const opts = {
    seed: 9,
    t0: T0,
    duration: 120,
    origin: ORIGIN,
    targets: [drone],
    trajectories: [heli],
    radars: [{ id: 'rad', position: { ...enuToGeodetic(frame, 2000, 2000, 0), altM: 30 }, scanPeriod: 3, rangeMax: 30_000, rangeSd: 20, bearingSdDeg: 0.5, elevationSdDeg: 1, pd: 0.9, clutterPerScan: 0 }],
    acoustics: [{ id: 'mic', position: { ...ORIGIN, altM: 4 }, output: 'bearing' as const, rangeMax: 2500, pd: 0.9, period: 2, bearingSdDeg: 6, farPerHour: 0 }],
    annotate: true,
  };
  const scene = simulateScene(opts);
  // Truth: both every second, the drone first, the helicopter's rows its trajectory's samples.
  const heliTruth = scene.truth.filter((r) => r.id === 'HELI');
  assert.equal(heliTruth.length, 121);
  assert.equal(scene.truth.length, 242);
  for (const r of heliTruth) {
    const s = heli.sample(r.t)!;
    assert.equal(r.class, 'helicopter');
    assert.deepEqual([r.lat, r.lon, r.alt_m, r.ve_mps, r.vn_mps, r.vu_mps], [s.position.latDeg, s.position.lonDeg, s.position.altM, ...s.velocityEnu]);
  }
  for (let i = 0; i < scene.truth.length; i += 2) assert.deepEqual([scene.truth[i].id, scene.truth[i + 1].id], ['A', 'HELI']);
  // Both sensors sense it, from its recorded motion.
  const seenBy = (sensor: string) => scene.detections.filter((d) => d.sensor === sensor && d.sim_target === 'HELI');
  assert.ok(seenBy('rad').length >= 30, `radar: ${seenBy('rad').length}`);
  assert.ok(seenBy('mic').length >= 15, `microphone: ${seenBy('mic').length}`);
  for (const d of seenBy('rad')) {
    const look = lookAngles(opts.radars[0].position, heli.sample(d.t)!.position);
    assert.ok(Math.abs(d.range_m! - look.range) < 150, `range ${d.range_m} vs ${look.range}`);
  }
  // Targets are optional, and ids must be unique across both lists.
  const heliOnly = simulateScene({ ...opts, targets: undefined });
  assert.deepEqual(heliOnly.truth, heliTruth);
  assert.ok(heliOnly.detections.filter((d) => d.sensor === 'mic').length >= 15);
  assert.ok(heliOnly.detections.every((d) => d.sim_target === 'HELI' || d.sim_target === null));
  const clash = sampledTrajectory({ id: 'A', cls: 'helicopter', samples: fixes });
  assert.throws(() => simulateScene({ ...opts, trajectories: [clash] }), /duplicate target id "A"/);
});
