import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, degToRad, enuToGeodetic, horizontalDistance, lookAngles, lookToEnu, type GeoPoint } from '@skywarden/core';
import type { DetectionRow } from '@skywarden/formats';
import { radarSensorRow, simulatePositionReporter, simulateRadar, type PositionReporterModel, type RadarModel } from './sensors.js';
import { sampleTarget, trajectoryOf, type SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;
const T0 = 1764000000;
const SITE: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 50 };

function radar(partial: Partial<RadarModel> = {}): RadarModel {
  return {
    id: 'r1',
    position: SITE,
    scanPeriod: 4,
    rangeMax: 40_000,
    rangeSd: 0,
    bearingSdDeg: 0,
    elevationSdDeg: 0,
    pd: 1,
    clutterPerScan: 0,
    ...partial,
  };
}

/** Targets around the site, none crossing north of the radar (so one plot per scan each). */
function targets(): SimTarget[] {
  const frame = createEnuFrame(SITE);
  const at = (e: number, n: number, alt: number): GeoPoint => ({ ...enuToGeodetic(frame, e, n, 0), altM: alt });
  return [
    { id: 'A', cls: 'piston_owa', start: at(10_000, 5_000, 800), startTime: T0, speed: 50, heading: 200 * DEG, legs: [{ duration: 60, turnRate: 0, climbRate: 0 }, { duration: 60, turnRate: 3 * DEG, climbRate: 2 }] },
    { id: 'B', cls: 'piston_owa', start: at(-20_000, -3_000, 300), startTime: T0, speed: 45, heading: 80 * DEG, legs: [{ duration: 120, turnRate: -2 * DEG, climbRate: 0, accel: 0.05 }] },
    { id: 'C', cls: 'piston_owa', start: at(2_000, -25_000, 1500), startTime: T0 + 10, speed: 55, heading: 10 * DEG, legs: [{ duration: 100, turnRate: 0, climbRate: -1 }] },
  ];
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

test('noiseless radar: every plot inverts to the true position at its time to within centimetres', () => {
  const tgs = targets();
  const r = radar({ scanOffset: 1.3 });
  const dets = simulateRadar(r, tgs.map(trajectoryOf), { seed: 1, t0: T0, t1: T0 + 120, annotate: true });
  const frame = createEnuFrame(SITE);
  const perTarget = new Map<string, number>();
  for (const { row } of dets) {
    const tg = tgs.find((x) => x.id === row.sim_target);
    assert.ok(tg, 'no clutter configured');
    perTarget.set(tg.id, (perTarget.get(tg.id) ?? 0) + 1);
    const truth = sampleTarget(tg, row.t);
    assert.ok(truth);
    const look = lookAngles(SITE, truth.position);
    assert.ok(Math.abs(row.range_m! - look.range) < 0.01, `range ${row.range_m} vs ${look.range}`);
    assert.ok(Math.abs(degToRad(row.bearing_deg!) - look.bearing) * look.range < 0.01);
    assert.ok(Math.abs(degToRad(row.elevation_deg!) - look.elevation) * look.range < 0.01);
    const enu = lookToEnu(row.range_m!, degToRad(row.bearing_deg!), degToRad(row.elevation_deg!));
    const back = enuToGeodetic(frame, enu[0], enu[1], enu[2]);
    assert.ok(horizontalDistance(back, truth.position) < 0.01);
    assert.ok(Math.abs(back.altM - truth.position.altM) < 0.01);
    // The beam was pointing at the target when the plot was taken (the beam time is solved to 1e-5 s).
    const beamDeg = (mod(row.t - T0 - 1.3, 4) / 4) * 360;
    assert.ok(Math.abs(beamDeg - row.bearing_deg!) < 2e-3, `beam ${beamDeg} vs ${row.bearing_deg}`);
  }
  // pd = 1, no north crossing: one plot per scan while alive (30 scans in 120 s; C lives 100 s).
  assert.ok(Math.abs(perTarget.get('A')! - 30) <= 1);
  assert.ok(Math.abs(perTarget.get('B')! - 30) <= 1);
  assert.ok(Math.abs(perTarget.get('C')! - 25) <= 1);
});

test('noiseless Doppler radar: range rate is the derivative of range', () => {
  const tgs = targets();
  const dets = simulateRadar(radar({ rangeRateSd: 0 }), tgs.map(trajectoryOf), { seed: 1, t0: T0, t1: T0 + 120, annotate: true });
  assert.ok(dets.length > 50);
  for (const { row } of dets) {
    const tg = tgs.find((x) => x.id === row.sim_target)!;
    // Step 0.1 s: epoch times near 1.8e9 s are quantised to 2.4e-7 s, which a short step would amplify.
    const p = sampleTarget(tg, row.t + 0.1);
    const m = sampleTarget(tg, row.t - 0.1);
    if (!p || !m) continue;
    const fd = (lookAngles(SITE, p.position).range - lookAngles(SITE, m.position).range) / 0.2;
    assert.ok(Math.abs(fd - row.range_rate_mps!) < 2e-3, `${fd} vs ${row.range_rate_mps}`);
    assert.equal(row.range_rate_sd_mps, 0);
  }
});

test('noisy radar: errors have the configured spread; rows satisfy the spec', () => {
  const tgs = targets();
  const r = radar({ rangeSd: 25, bearingSdDeg: 0.8, elevationSdDeg: 1.5, clutterPerScan: 5 });
  const dets = simulateRadar(r, tgs.map(trajectoryOf), { seed: 2, t0: T0, t1: T0 + 120, annotate: true });
  let n = 0;
  let sr = 0;
  for (const { row } of dets) {
    assert.equal(row.type, 'range_bearing');
    assert.ok(row.bearing_deg! >= 0 && row.bearing_deg! < 360);
    assert.ok(row.elevation_deg! >= -90 && row.elevation_deg! <= 90);
    assert.ok(row.range_m! >= 0);
    assert.equal(row.range_sd_m, 25);
    if (row.sim_target === null) continue;
    const truth = sampleTarget(tgs.find((x) => x.id === row.sim_target)!, row.t)!;
    sr += (row.range_m! - lookAngles(SITE, truth.position).range) ** 2;
    n++;
  }
  const rms = Math.sqrt(sr / n);
  assert.ok(rms > 18 && rms < 32, `range rms ${rms}`);
  const ids = dets.map((d) => d.row.id);
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 1; i < dets.length; i++) assert.ok(dets[i].row.t >= dets[i - 1].row.t);
});

test('clutter: Poisson count per scan with the configured mean, uniform over the disc', () => {
  const T = 2;
  const lambda = 20;
  const dets = simulateRadar(radar({ scanPeriod: T, clutterPerScan: lambda, rangeMax: 30_000 }), [], { seed: 3, t0: T0, t1: T0 + 2000 - 1e-6 });
  const scans = 1000;
  const perScan = new Float64Array(scans);
  let r2 = 0;
  for (const { row } of dets) {
    perScan[Math.floor((row.t - T0) / T)]++;
    assert.ok(row.range_m! <= 30_000);
    r2 += (row.range_m! / 30_000) ** 2;
  }
  const mean = dets.length / scans;
  assert.ok(Math.abs(mean - lambda) < 5 * Math.sqrt(lambda / scans), `mean ${mean}`);
  let v = 0;
  for (const c of perScan) v += (c - mean) ** 2;
  v /= scans - 1;
  assert.ok(Math.abs(v / lambda - 1) < 0.2, `variance ${v}`);
  assert.ok(Math.abs(r2 / dets.length - 0.5) < 0.02, 'uniform in area: E[(r/R)²] = 1/2');
});

test('fixed clutter: a few places plotted scan after scan with the radar errors, the other plots unchanged, counted in far_per_hour', () => {
  const T = 2;
  const base = radar({ scanPeriod: T, clutterPerScan: 3, rangeMax: 30_000, rangeSd: 25, bearingSdDeg: 0.5, elevationSdDeg: 0.5 });
  const opts = { seed: 4, t0: T0, t1: T0 + 600 - 1e-6 };
  const plain = simulateRadar(base, targets().map(trajectoryOf), opts);
  const spotted = simulateRadar({ ...base, clutterSpots: { count: 5, pd: 0.4 } }, targets().map(trajectoryOf), opts);
  // the spots' plots come on top of the others, which are the same
  const key = (r: DetectionRow) => `${r.t}|${r.range_m}|${r.bearing_deg}`;
  const plainKeys = new Set(plain.map((d) => key(d.row)));
  const extra = spotted.filter((d) => !plainKeys.has(key(d.row)));
  assert.equal(spotted.length - extra.length, plain.length);
  // 300 scans, 5 places, 0.4: about 600 plots in five tight clusters
  assert.ok(Math.abs(extra.length - 600) < 5 * Math.sqrt(600 * 0.6), `${extra.length} plots`);
  const clusters: { b: number; r: number; n: number }[] = [];
  for (const { row } of extra) {
    const c = clusters.find((k) => Math.abs(k.r - row.range_m!) < 150 && Math.abs(mod(k.b - row.bearing_deg! + 180, 360) - 180) < 3);
    if (c) c.n++;
    else clusters.push({ b: row.bearing_deg!, r: row.range_m!, n: 1 });
  }
  assert.equal(clusters.length, 5, JSON.stringify(clusters));
  assert.ok(extra.every((d) => d.row.sim_target === undefined));
  assert.equal(radarSensorRow({ ...base, clutterSpots: { count: 5, pd: 0.4 } }).far_per_hour, ((3 + 5 * 0.4) * 3600) / T);
  assert.throws(() => simulateRadar({ ...base, clutterSpots: { count: 2, pd: 1.5 } }, [], opts), /clutterSpots.pd must be in \[0, 1\], got 1.5/);
});

test('pd thins detections; the radar horizon hides low distant targets', () => {
  const frame = createEnuFrame(SITE);
  const low: SimTarget = { id: 'L', cls: 'piston_owa', start: { ...enuToGeodetic(frame, 38_000, 0, 0), altM: 20 }, startTime: T0, speed: 0, heading: 0, legs: [{ duration: 400, turnRate: 0, climbRate: 0 }] };
  const high: SimTarget = { ...low, id: 'H', start: { ...low.start, altM: 500 } };
  const run = (r: RadarModel, t: SimTarget) => simulateRadar(r, [trajectoryOf(t)], { seed: 4, t0: T0, t1: T0 + 400 - 1e-6 }).length;
  // Radio horizon (4/3 Earth): √(2·k·R·h) is 9 km for a 5 m site, 18 km for 20 m, 92 km for 500 m.
  const lowSite = { ...SITE, altM: 5 };
  assert.equal(run(radar({ position: lowSite }), low), 0); // 9 km + 18 km < 38 km
  assert.equal(run(radar({ position: lowSite, horizon: 'none' }), low), 100);
  assert.equal(run(radar({ position: lowSite }), high), 100); // 9 km + 92 km
  const thinned = run(radar({ pd: 0.5 }), high);
  assert.ok(Math.abs(thinned - 50) < 20, `pd 0.5 gave ${thinned} of 100`);
  assert.equal(run(radar({ rangeMax: 37_000 }), high), 0);
});

test('masking angle hides targets seen below it, whatever the horizon', () => {
  const frame = createEnuFrame(SITE);
  // 20 km out: 150 m up is 0.43° − 0.09° (curvature) − 0.14° (site 50 m) ≈ 0.2° above the radar's horizontal.
  const low: SimTarget = { id: 'L', cls: 'piston_owa', start: { ...enuToGeodetic(frame, 20_000, 0, 0), altM: 150 }, startTime: T0, speed: 0, heading: 0, legs: [{ duration: 400, turnRate: 0, climbRate: 0 }] };
  const high: SimTarget = { ...low, id: 'H', start: { ...low.start, altM: 600 } };
  const el = (t: SimTarget) => lookAngles(SITE, t.start).elevation / DEG;
  assert.ok(el(low) > 0.1 && el(low) < 0.3 && el(high) > 1, `${el(low)}°, ${el(high)}°`);
  const run = (r: RadarModel, t: SimTarget) => simulateRadar(r, [trajectoryOf(t)], { seed: 4, t0: T0, t1: T0 + 400 - 1e-6 }).length;
  assert.equal(run(radar(), low), 100);
  assert.equal(run(radar({ maskElevationDeg: 0.4 }), low), 0);
  assert.equal(run(radar({ maskElevationDeg: 0.4 }), high), 100);
  assert.equal(run(radar({ maskElevationDeg: 0.4, horizon: 'none' }), low), 0);
  assert.throws(() => simulateRadar(radar({ maskElevationDeg: 95 }), [], { seed: 1, t0: T0, t1: T0 + 1 }), /maskElevationDeg must be within \[-90, 90\], got 95/);
});

test('radar options are validated', () => {
  assert.throws(() => simulateRadar(radar({ scanPeriod: 0 }), [], { seed: 1, t0: T0, t1: T0 + 1 }), /scanPeriod must be > 0, got 0/);
  assert.throws(() => simulateRadar(radar({ pd: 1.5 }), [], { seed: 1, t0: T0, t1: T0 + 1 }), /pd must be in \[0, 1\], got 1.5/);
});

function reporter(partial: Partial<PositionReporterModel> = {}): PositionReporterModel {
  return { id: 'adsb-1', period: 1, posSd: 0, ...partial };
}

test('noiseless position reporter reports the truth; cooperative ids and target selection', () => {
  const tgs = targets();
  const dets = simulatePositionReporter(reporter({ stagger: false, cooperative: { A: 'ICAO71BE01' }, targets: ['A', 'C'] }), tgs.map(trajectoryOf), {
    seed: 5,
    t0: T0,
    t1: T0 + 120,
    annotate: true,
  });
  const byTarget = new Map<string, DetectionRow[]>();
  for (const { row } of dets) {
    const list = byTarget.get(row.sim_target as string) ?? [];
    list.push(row);
    byTarget.set(row.sim_target as string, list);
    const truth = sampleTarget(tgs.find((x) => x.id === row.sim_target)!, row.t)!;
    assert.equal(row.type, 'position');
    assert.equal(row.lat, truth.position.latDeg);
    assert.equal(row.lon, truth.position.lonDeg);
    assert.equal(row.alt_m, truth.position.altM);
    assert.ok(Number.isInteger(row.t));
  }
  assert.deepEqual([...byTarget.keys()].sort(), ['A', 'C']);
  assert.equal(byTarget.get('A')!.length, 121);
  assert.equal(byTarget.get('C')!.length, 101);
  assert.ok(byTarget.get('A')!.every((r) => r.target === 'ICAO71BE01'));
  assert.ok(byTarget.get('C')!.every((r) => r.target === undefined));
});

test('position reporter noise, delay and range limit', () => {
  const tgs = targets();
  const dets = simulatePositionReporter(reporter({ kind: 'observer', posSd: 100, altSd: 30, delay: 2, delayJitter: 1, cooperative: true }), tgs.map(trajectoryOf), {
    seed: 6,
    t0: T0,
    t1: T0 + 120,
    annotate: true,
  });
  let s2 = 0;
  for (const { row, arrival } of dets) {
    assert.ok(arrival >= row.t + 2 && arrival <= row.t + 3);
    assert.equal(row.target, row.sim_target);
    assert.equal(row.pos_sd_m, 100);
    assert.equal(row.alt_sd_m, 30);
    const truth = sampleTarget(tgs.find((x) => x.id === row.sim_target)!, row.t)!;
    s2 += horizontalDistance({ latDeg: row.lat!, lonDeg: row.lon!, altM: truth.position.altM }, truth.position) ** 2;
  }
  // Horizontal error² is σ²·χ²₂: mean 2σ².
  const rms = Math.sqrt(s2 / dets.length / 2);
  assert.ok(Math.abs(rms - 100) < 10, `per-axis rms ${rms}`);

  const near = simulatePositionReporter(reporter({ position: SITE, rangeMax: 15_000 }), tgs.map(trajectoryOf), { seed: 6, t0: T0, t1: T0 + 120, annotate: true });
  assert.ok(near.length > 0);
  for (const { row } of near) {
    assert.ok(horizontalDistance(SITE, { latDeg: row.lat!, lonDeg: row.lon!, altM: SITE.altM }) <= 15_000 + 1);
  }
  assert.throws(() => simulatePositionReporter(reporter({ rangeMax: 1 }), [], { seed: 1, t0: T0, t1: T0 }), /rangeMax needs a position/);
});
