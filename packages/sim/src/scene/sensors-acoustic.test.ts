import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, degToRad, enuToGeodetic, geodeticToEcef, geodeticToEnu, lookAngles, wrapPi, type GeoPoint } from '@skywarden/core';
import {
  acousticFalseRowsPerHour,
  acousticPd,
  acousticSensorRow,
  levelAt,
  makeAcousticNetwork,
  simulateAcoustic,
  soundEmissionTime,
  SPEED_OF_SOUND,
  type AcousticModel,
} from './sensors-acoustic.js';
import { coarseTrackOf, nearWindows } from './coarse-track.js';
import { sampleTarget, trajectoryOf, type SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;
const T0 = 1764000000;
const MIC: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 5 };
const frame = createEnuFrame(MIC);

function mic(partial: Partial<AcousticModel> = {}): AcousticModel {
  return {
    id: 'ac-1',
    position: MIC,
    output: 'bearing',
    rangeMax: 3000,
    pd: 1,
    period: 2,
    phase: 0,
    bearingSdDeg: 0,
    elevationSdDeg: 0,
    farPerHour: 0,
    classHintProb: 0,
    ...partial,
  };
}

/** A target at (east, north) of the microphone, `alt` m up, flying at `speed` along `headingDeg`. */
function target(id: string, east: number, north: number, alt: number, speed: number, headingDeg: number, duration: number, cls = 'piston_owa'): SimTarget {
  const p = enuToGeodetic(frame, east, north, 0);
  return { id, cls, start: { latDeg: p.latDeg, lonDeg: p.lonDeg, altM: alt }, startTime: T0, speed, heading: headingDeg * DEG, legs: [{ duration, turnRate: 0, climbRate: 0 }] };
}

/** Emission time by bisection on g(te) = t − te − r(te)/c (decreasing), independent of the Newton solver. */
function emissionByBisection(tg: SimTarget, t: number): number {
  let lo = Math.max(t - 30, tg.startTime);
  let hi = Math.min(t, tg.startTime + tg.legs.reduce((s, l) => s + l.duration, 0));
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    const s = sampleTarget(tg, mid)!;
    const g = t - mid - lookAngles(MIC, s.position).range / SPEED_OF_SOUND;
    if (g > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

test('propagation delay: a noiseless bearing points where the target was r/c earlier, not where it is', () => {
  // Passes north of the microphone at 2.5 km, flying east at 50 m/s, 5 m up like the microphone.
  const tg = target('T', -1500, 2500, 5, 50, 90, 60);
  // pd 1 out to 5 km.
  const dets = simulateAcoustic(mic({ rangeMax: 5000, pdFullRangeFraction: 1 }), [trajectoryOf(tg)], { seed: 1, t0: T0, t1: T0 + 60, annotate: true });
  assert.ok(dets.length >= 20, `only ${dets.length} rows`);
  let checkedAbeam = false;
  for (const { row, arrival } of dets) {
    assert.equal(row.type, 'bearing');
    assert.equal(arrival, row.t);
    assert.equal(row.sim_target, 'T');
    const te = emissionByBisection(tg, row.t);
    const then = sampleTarget(tg, te)!;
    const now = sampleTarget(tg, row.t);
    const lookThen = lookAngles(MIC, then.position);
    const delay = row.t - te;
    assert.ok(Math.abs(delay - lookThen.range / SPEED_OF_SOUND) < 1e-5);
    assert.ok(Math.abs(wrapPi(degToRad(row.bearing_deg!) - lookThen.bearing)) < 1e-6, `bearing ${row.bearing_deg} vs ${lookThen.bearing / DEG}`);
    assert.ok(Math.abs(degToRad(row.elevation_deg!) - lookThen.elevation) < 1e-6);
    if (now !== null && Math.abs(geodeticToEnu(frame, then.position)[0]) < 60) {
      // Abeam at 2.5 km: 2500/343 = 7.29 s late, and the target has moved 364 m (8.3° of bearing) since.
      checkedAbeam = true;
      assert.ok(delay > 7.25 && delay < 7.35, `delay ${delay}`);
      const off = Math.abs(wrapPi(degToRad(row.bearing_deg!) - lookAngles(MIC, now.position).bearing)) / DEG;
      assert.ok(off > 7.5 && off < 9, `bearing to the present position differs by ${off}°`);
    }
  }
  assert.ok(checkedAbeam, 'no row while abeam');
  // The first sound, emitted at t0 from 2.9 km, arrives 8.5 s later.
  assert.ok(dets[0].row.t >= T0 + Math.hypot(1500, 2500) / SPEED_OF_SOUND);
});

test('soundEmissionTime: residual below 1e-5 s; null when the sound left before the start or after the end', () => {
  const tg = target('T', 0, -2000, 300, 160, 0, 30, 'jet_owa'); // a fast jet flying at the microphone
  const tr = trajectoryOf(tg);
  for (const dt of [6, 10, 20, 30, 35]) {
    const sol = soundEmissionTime(tr, frame, T0 + dt);
    assert.ok(sol, `dt ${dt}`);
    assert.ok(Math.abs(T0 + dt - sol.te - sol.range / SPEED_OF_SOUND) < 1e-5);
    assert.ok(Math.abs(sol.te - emissionByBisection(tg, T0 + dt)) < 1e-5);
  }
  assert.equal(soundEmissionTime(tr, frame, T0 + 1), null); // 2 km away at the start: nothing arrives for 5.9 s
  assert.equal(soundEmissionTime(tr, frame, T0 + 60), null); // ended at +30 s, 2.8 km past: last sound arrives at +38 s
});

test('pd: pd0 to half range, smooth fall to 0 at rangeMax; measured detection rates follow it', () => {
  const m = mic({ pd: 0.9, rangeMax: 2500 });
  assert.equal(acousticPd(m, 0), 0.9);
  assert.equal(acousticPd(m, 1250), 0.9);
  assert.ok(Math.abs(acousticPd(m, 1875) - 0.45) < 1e-12);
  assert.equal(acousticPd(m, 2500), 0);
  assert.equal(acousticPd(m, 3000), 0);
  for (let r = 0; r < 2600; r += 10) assert.ok(acousticPd(m, r + 10) <= acousticPd(m, r));
  // Hovering targets (speed 0) at increasing slant ranges, each with its own microphone.
  const ranges = [800, 1500, 1900, 2200, 2400, 2600];
  const slots = 1000;
  const rates = ranges.map((r, i) => {
    const tg = target(`T${i}`, 0, r, 5, 0, 0, 2 * slots + 60);
    const dets = simulateAcoustic({ ...m, id: `ac-${i}` }, [trajectoryOf(tg)], { seed: 7, t0: T0 + 30, t1: T0 + 30 + 2 * slots - 1e-6 });
    return dets.length / slots;
  });
  for (let i = 0; i < ranges.length; i++) {
    const p = acousticPd(m, ranges[i]);
    const tol = 5 * Math.sqrt((p * (1 - p)) / slots) + 1e-9;
    assert.ok(Math.abs(rates[i] - p) <= tol, `range ${ranges[i]}: rate ${rates[i]} vs pd ${p}`);
    if (i > 0) assert.ok(rates[i] < rates[i - 1], `rate does not fall from ${ranges[i - 1]} to ${ranges[i]} m: ${rates}`);
  }
  assert.equal(rates[rates.length - 1], 0);
});

test('false alarms: isolated ones match far_per_hour over a long run, uniform in time', () => {
  const hours = 1000;
  const m = mic({ output: 'presence', farPerHour: 10, classHintProb: 1 });
  const dets = simulateAcoustic(m, [], { seed: 3, t0: T0, t1: T0 + hours * 3600, annotate: true });
  const expected = acousticSensorRow(m).far_per_hour! * hours;
  assert.equal(expected, 10_000);
  assert.ok(Math.abs(dets.length - expected) < 5 * Math.sqrt(expected), `${dets.length} false rows, expected ${expected}`);
  const firstHalf = dets.filter((d) => d.row.t < T0 + (hours * 3600) / 2).length;
  assert.ok(Math.abs(firstHalf / dets.length - 0.5) < 0.03);
  for (const { row } of dets) {
    assert.equal(row.type, 'presence');
    assert.equal(row.range_m, 3000);
    assert.equal(row.sim_target, null);
    const top = Math.max(...Object.values(row.class!));
    assert.ok(top < 0.29, `false-alarm hint too sure: ${JSON.stringify(row.class)}`);
    // On the node's report grid.
    assert.ok(Math.abs(((row.t - T0) / 2) % 1) < 1e-6 || Math.abs(((row.t - T0) / 2) % 1) > 1 - 1e-6);
  }
});

test('false alarms with bursts: total rate matches the sensor row, bursts come in runs of reports', () => {
  const hours = 500;
  const m = mic({ farPerHour: 2, burstsPerHour: 3, burstDuration: [10, 60], bearingSdDeg: 6, elevationSdDeg: 10 });
  const perHour = acousticFalseRowsPerHour(m);
  assert.ok(Math.abs(perHour - (2 + (3 * 35) / 2)) < 1e-12);
  assert.equal(acousticSensorRow(m).far_per_hour, perHour);
  const dets = simulateAcoustic(m, [], { seed: 4, t0: T0, t1: T0 + hours * 3600 });
  const expected = perHour * hours;
  // Bursts are clumped: 1500 bursts of ~17.5 reports; the standard deviation is about 2.6 %.
  assert.ok(Math.abs(dets.length / expected - 1) < 0.1, `${dets.length} rows, expected ${expected}`);
  // Most false rows come in runs of consecutive report times (bursts), with slowly turning bearings.
  let consecutive = 0;
  for (let i = 1; i < dets.length; i++) if (Math.abs(dets[i].row.t - dets[i - 1].row.t - 2) < 1e-6) consecutive++;
  assert.ok(consecutive / dets.length > 0.7, `only ${consecutive} of ${dets.length} rows follow the previous report`);
  for (const { row } of dets) {
    assert.ok(row.bearing_deg! >= 0 && row.bearing_deg! < 360);
    assert.ok(row.elevation_deg! >= -90 && row.elevation_deg! <= 90);
  }
});

test('presence: one row per report time even with two targets; range_m is the detection radius', () => {
  const a = target('A', 0, 800, 200, 0, 0, 120);
  const b = target('B', 300, 0, 200, 0, 0, 120);
  const m = mic({ output: 'presence', rangeMax: 2500, classHintProb: 1 });
  const dets = simulateAcoustic(m, [trajectoryOf(a), trajectoryOf(b)], { seed: 5, t0: T0 + 10, t1: T0 + 100, annotate: true });
  assert.equal(dets.length, 46); // pd 1: report times +10, +12, ..., +100
  const times = dets.map((d) => d.row.t);
  assert.equal(new Set(times).size, times.length);
  for (const { row } of dets) {
    assert.equal(row.range_m, 2500);
    assert.equal(row.sim_target, 'B'); // the nearer one
    assert.ok(row.class && Object.keys(row.class).includes('piston_owa'));
  }
  assert.equal(acousticSensorRow(m).range_m, 2500);
  assert.equal(acousticSensorRow(m).bearing_sd_deg, undefined);
});

test('class hints of real targets mostly name the class; a jet gets a jet-like hint', () => {
  const piston = target('P', -2000, 1000, 300, 50, 90, 80);
  const jet = target('J', -6000, -1000, 800, 150, 90, 80, 'jet_owa');
  const dets = simulateAcoustic(mic({ classHintProb: 0.5, rangeMax: 3000 }), [trajectoryOf(piston), trajectoryOf(jet)], { seed: 6, t0: T0, t1: T0 + 80, annotate: true });
  const hinted = dets.filter((d) => d.row.class !== undefined);
  assert.ok(hinted.length > 0.3 * dets.length && hinted.length < 0.7 * dets.length, `${hinted.length} of ${dets.length} hinted`);
  const top = (c: Record<string, number>): string => Object.entries(c).sort((x, y) => y[1] - x[1])[0][0];
  const byTarget = (id: string) => hinted.filter((d) => d.row.sim_target === id).map((d) => d.row.class!);
  const p = byTarget('P');
  const j = byTarget('J');
  assert.ok(p.length >= 5 && j.length >= 3, `${p.length} piston and ${j.length} jet hints`);
  assert.ok(p.filter((c) => top(c) === 'piston_owa').length >= 0.6 * p.length);
  for (const c of j) assert.ok(['jet_owa', 'cruise_missile', 'aircraft'].includes(top(c)), JSON.stringify(c));
  for (const c of [...p, ...j]) {
    const sum = Object.values(c).reduce((s, x) => s + x, 0);
    assert.ok(sum <= 1 + 1e-12 && sum > 0.99);
  }
});

test('coarse windows are conservative: every time within the radius lies in a window', () => {
  const tg: SimTarget = {
    ...target('W', -5000, -3000, 400, 55, 30, 0),
    legs: [
      { duration: 80, turnRate: 0, climbRate: 2 },
      { duration: 40, turnRate: 5 * DEG, climbRate: 0, accel: 0.5 },
      { duration: 100, turnRate: -3 * DEG, climbRate: -3 },
    ],
  };
  const tr = trajectoryOf(tg);
  assert.ok(coarseTrackOf(tr).speedBound >= 75);
  // Sites beside the path (offsets from the target's ground position at a few times) and at its start.
  for (const [dt, de, dn, radius] of [[50, 1000, 0, 1500], [100, 0, 2000, 2500], [150, -800, 300, 1200], [200, 2500, 0, 3000], [0, 0, 0, 800]]) {
    const [e0, n0] = geodeticToEnu(frame, sampleTarget(tg, T0 + dt)!.position);
    const [e, n] = [e0 + de, n0 + dn];
    const site = geodeticToEcef({ ...enuToGeodetic(frame, e, n, 0), altM: 5 });
    const w = nearWindows(tr, site, radius, T0, T0 + 220);
    let inside = 0;
    for (let t = T0; t <= T0 + 220; t += 0.25) {
      const p = geodeticToEcef(sampleTarget(tg, t)!.position);
      if (Math.hypot(p[0] - site[0], p[1] - site[1], p[2] - site[2]) > radius) continue;
      inside++;
      let found = false;
      for (let i = 0; i < w.length; i += 2) if (t >= w[i] && t <= w[i + 1]) found = true;
      assert.ok(found, `t0+${t - T0} within ${radius} m of (${e}, ${n}) but outside the windows ${w.map((x) => x - T0)}`);
    }
    assert.ok(inside > 0, `site (${e}, ${n}) never reached`);
    // Not grossly loose: the windows cover at most the in-range time plus a few coarse steps per window.
    let covered = 0;
    for (let i = 0; i < w.length; i += 2) covered += w[i + 1] - w[i];
    assert.ok(covered <= inside * 0.25 + 60 * (w.length / 2), `windows cover ${covered} s for ${inside * 0.25} s in range`);
  }
});

test('makeAcousticNetwork: 600 nodes on a jittered 1.6 km grid over 40 km, a quarter of them arrays', () => {
  const origin = { latDeg: 37.55, lonDeg: 127.0, altM: 20 };
  const nodes = makeAcousticNetwork({ seed: 9, origin, widthM: 40e3, heightM: 40e3, count: 600 });
  assert.equal(nodes.length, 600);
  assert.deepEqual(makeAcousticNetwork({ seed: 9, origin, widthM: 40e3, heightM: 40e3, count: 600 }), nodes);
  assert.equal(new Set(nodes.map((n) => n.id)).size, 600);
  assert.equal(nodes[0].id, 'ac-0001');
  const arrays = nodes.filter((n) => n.output === 'bearing');
  assert.ok(arrays.length > 0.2 * 600 && arrays.length < 0.3 * 600, `${arrays.length} arrays`);
  for (const n of arrays) assert.ok(n.bearingSdDeg! >= 5 && n.bearingSdDeg! <= 8 && n.elevationSdDeg === 10);
  const f = createEnuFrame(origin);
  const xy = nodes.map((n) => geodeticToEnu(f, n.position));
  for (const n of nodes) {
    assert.ok(n.position.altM >= 22 && n.position.altM <= 28, `mast ${n.position.altM - 20}`);
    assert.ok(n.rangeMax >= 2000 && n.rangeMax <= 3000);
  }
  const nn = xy.map((p, i) => {
    let d = Infinity;
    for (let j = 0; j < xy.length; j++) if (j !== i) d = Math.min(d, Math.hypot(p[0] - xy[j][0], p[1] - xy[j][1]));
    assert.ok(Math.abs(p[0]) <= 20e3 && Math.abs(p[1]) <= 20e3);
    return d;
  });
  nn.sort((a, b) => a - b);
  assert.ok(nn[0] > 700, `closest pair ${nn[0]} m`); // jitter ±0.25 of the spacing keeps nodes ≥ 0.5 spacing apart
  assert.ok(nn[300] > 1100 && nn[300] < 1700, `median nearest neighbour ${nn[300]} m`);

  // A triangle: nodes only inside it, about `count` of them.
  const tri = [enuToGeodetic(f, -10e3, -10e3, 0), enuToGeodetic(f, 10e3, -10e3, 0), enuToGeodetic(f, 0, 10e3, 0)];
  const inTri = makeAcousticNetwork({ seed: 9, origin, polygon: tri, count: 100 });
  assert.ok(inTri.length > 80 && inTri.length < 120, `${inTri.length} nodes in the triangle`);
  for (const n of inTri) {
    const [e, nn2] = geodeticToEnu(f, n.position);
    assert.ok(nn2 >= -10e3 - 0.1 && nn2 <= 10e3 && Math.abs(e) <= (10e3 - nn2) / 2 + 0.1, `(${e}, ${nn2}) outside`);
  }
});

test('acoustic options are validated', () => {
  const run = (m: AcousticModel) => simulateAcoustic(m, [], { seed: 1, t0: T0, t1: T0 + 10 });
  assert.throws(() => run(mic({ period: 0 })), /period must be > 0, got 0/);
  assert.throws(() => run(mic({ pd: 2 })), /pd must be in \[0, 1\], got 2/);
  assert.throws(() => run(mic({ output: 'range' as 'bearing' })), /output must be "presence" or "bearing", got range/);
  assert.throws(() => run(mic({ burstDuration: [30, 10] })), /burstDuration/);
  assert.throws(() => run(mic({ phase: 2 })), /phase must be in \[0, period\), got 2/);
  assert.throws(() => run(mic({ levels: { scatterDb: -1 } })), /levels.scatterDb must be >= 0, got -1/);
  assert.throws(() => run(mic({ levels: { thresholdDb: Infinity } })), /levels.thresholdDb must be finite/);
});

test('received levels: a passing drone is loudest at its closest approach, the level follows spreading and absorption within the scatter, and the other draws are unchanged', () => {
  // a drone flies past at 600 m from the microphone, 300 m up, 50 m/s: closest at +60 s
  const d = target('D', -3000, 600, 300, 50, 90, 120);
  const plain = mic({ output: 'presence', rangeMax: 2500, classHintProb: 0.5 });
  const withLevels = { ...plain, levels: { scatterDb: 0, offsetSdDb: 0 } };
  const opts = { seed: 9, t0: T0, t1: T0 + 120, annotate: true };
  const a = simulateAcoustic(plain, [trajectoryOf(d)], opts);
  const b = simulateAcoustic(withLevels, [trajectoryOf(d)], opts);
  assert.ok(a.length > 20);
  assert.equal(b.length, a.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(a[i].row.snr_db, undefined);
    const { snr_db, ...rest } = b[i].row;
    assert.deepEqual(rest, a[i].row, 'levels leave every other field as it was');
    // no scatter, no offset: the law itself, from the slant range at the emission time
    const sol = soundEmissionTime(trajectoryOf(d), frame, a[i].row.t, SPEED_OF_SOUND)!;
    assert.ok(Math.abs(snr_db! - levelAt({}, sol.range, 2500)) <= 0.05 + 1e-9, `${snr_db} at ${sol.range.toFixed(0)} m`);
  }
  const loudest = b.reduce((m, x) => (x.row.snr_db! > m.row.snr_db! ? x : m));
  assert.ok(Math.abs(loudest.row.t - (T0 + 60)) < 6, `loudest at +${loudest.row.t - T0} s`);
  // the law: the threshold at the range, 20 dB per tenfold range and 1 dB/km more absorption
  assert.ok(Math.abs(levelAt({}, 2500, 2500) - 6) < 1e-12);
  assert.ok(Math.abs(levelAt({}, 250, 2500) - (6 + 20 + 2.25)) < 1e-12);
  // with the default scatter and offset: levels scatter about the law by a few dB
  const c = simulateAcoustic({ ...plain, levels: {} }, [trajectoryOf(d)], opts);
  const res = c.map((x) => x.row.snr_db! - levelAt({}, soundEmissionTime(trajectoryOf(d), frame, x.row.t, SPEED_OF_SOUND)!.range, 2500));
  const mean = res.reduce((p, q) => p + q, 0) / res.length;
  const sd = Math.sqrt(res.reduce((p, q) => p + (q - mean) ** 2, 0) / (res.length - 1));
  assert.ok(sd > 1.5 && sd < 4.5, `scatter one-sigma ${sd.toFixed(2)} dB (3 drawn)`);
  assert.ok(Math.abs(mean) < 9, `offset ${mean.toFixed(2)} dB (one-sigma 3 drawn)`);
});
