/**
 * Stationary sources of the precise sensors (stationary.ts): a radar's fixed clutter spot makes
 * one track that is dropped and no more after it; a target flying through the spot keeps its
 * track; slow, circling and otherwise reported targets are kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTracker, type TrackReport } from './tracker.js';
import { FRAME, normals, ORIGIN, radarDet, stepEverySecond, straight, type Path } from './testing.js';
import { geodeticToEnu } from '../geo/index.js';
import { mulberry32 } from '../math/mulberry32.js';
import type { Detection } from '../types.js';
import { createStationarySources, logHit, STATIONARY_DEFAULTS } from './stationary.js';
import { resolveTrackerOptions } from './options.js';
import type { Track } from './track.js';
import { createPreparedDetection, SHAPE_POINT, SHAPE_RAY } from './prepare.js';

const RADAR: [number, number, number] = [0, 0, 30];
const SCAN = 3;

/** Plots of a radar turning every 3 s: each source on `paths` seen with probability `pd` per scan (0.5° and 25 m errors). */
function scans(sources: { path: Path; pd: number; from?: number; to?: number }[], t1: number, seed: number): Detection[] {
  const rnd = normals(seed);
  const u = mulberry32(seed + 1);
  const out: Detection[] = [];
  for (let t = 1; t <= t1; t += SCAN) {
    for (const s of sources) {
      if (t < (s.from ?? -Infinity) || t > (s.to ?? Infinity) || u() >= s.pd) continue;
      out.push(radarDet('radar-1', RADAR, s.path(t), t, rnd, 25, 0.0087));
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

const still = (e: number, n: number, u: number): Path => () => [e, n, u];

test('a fixed clutter spot seen on 40 % of the scans: one track, dropped once it has not moved for two minutes, and none after it', () => {
  const dets = scans([{ path: still(12000, 9000, 150), pd: 0.4 }], 900, 1);
  const tr = createTracker({ origin: ORIGIN });
  const reps = stepEverySecond(tr, dets, 900);
  assert.equal(tr.stats.stationaryDropped, 1);
  assert.ok(tr.stats.stationaryRefused > 50, `plots refused on the spot: ${tr.stats.stationaryRefused}`);
  assert.ok(tr.stats.started <= 3, `tracks started: ${tr.stats.started} (a tentative one may die in a run of missed scans before one holds)`);
  const held = reps.filter((r) => r.length > 0).length;
  assert.ok(held > 60 && held < 200, `reported for ${held} s of 900`);
  assert.equal(reps.slice(300).filter((r) => r.length > 0).length, 0, 'nothing after the drop');
  // with the test off, the spot is a track for the whole run
  const off = createTracker({ origin: ORIGIN, stationarySources: false });
  const offReps = stepEverySecond(off, dets, 900);
  assert.ok(offReps.slice(300).filter((r) => r.length > 0).length > 500);
});

test('a drone flying through the spot after it is known keeps one track across it', () => {
  const spot = still(12000, 9000, 150);
  // at 50 m/s eastward, through the spot at t = 600 s
  const drone = straight(12000 - 50 * 600, 9000, 300, 50, 0);
  const dets = scans([{ path: spot, pd: 0.4 }, { path: drone, pd: 0.85, from: 400, to: 800 }], 800, 2);
  const tr = createTracker({ origin: ORIGIN });
  const reps = stepEverySecond(tr, dets, 800);
  assert.equal(tr.stats.stationaryDropped, 1);
  const near = (r: TrackReport, t: number) => {
    const p = drone(t);
    const q = geodeticToEnu(FRAME, r.position);
    return Math.hypot(q[0] - p[0], q[1] - p[1]) < 1000;
  };
  const ids = new Set<string>();
  for (let t = 450; t <= 790; t++) for (const r of reps[t - 1]) if (near(r, t)) ids.add(r.trackId);
  assert.equal(ids.size, 1, `drone's track ids: ${[...ids].join(', ')}`);
  const held = reps.slice(449, 790).filter((rs, i) => rs.some((r) => near(r, 450 + i))).length;
  assert.ok(held > 330, `drone held ${held} of 341 s`);
});

test('slow and circling targets are not stationary: 4 m/s straight, and 20 m/s round a 400 m circle, are kept for ten minutes', () => {
  const slow = straight(8000, 8000, 200, 4 * Math.SQRT1_2, 4 * Math.SQRT1_2);
  const circle: Path = (t) => [-9000 + 400 * Math.cos(t / 20), 7000 + 400 * Math.sin(t / 20), 250];
  for (const [name, path] of [['slow', slow], ['circling', circle]] as const) {
    const tr = createTracker({ origin: ORIGIN });
    const reps = stepEverySecond(tr, scans([{ path, pd: 0.8 }], 600, 3), 600);
    assert.equal(tr.stats.stationaryDropped, 0, name);
    assert.ok(reps.slice(100).every((r) => r.length > 0), `${name}: held throughout`);
  }
});

test('only tracks fed by point detections alone are judged; the options are checked', () => {
  const o = { ...STATIONARY_DEFAULTS, windowS: 60, minPlots: 4 };
  const s = createStationarySources(o);
  const track = () => ({ sensors: new Map([['radar-1', 0]]) }) as unknown as Track;
  const pd = createPreparedDetection();
  const plot = (tr: Track, t: number, e: number, n: number, shape = SHAPE_POINT, type = 'range_bearing') => {
    pd.shape = shape;
    pd.det = { t, sensorId: 'radar-1', type } as Detection;
    pd.ax = e;
    pd.ay = n;
    pd.cxx = pd.cyy = 100 * 100;
    pd.cxy = 0;
    logHit(tr, pd, o.windowS, o.minPlots);
  };
  const rnd = normals(9);
  const a = track();
  for (let t = 0; t <= 70; t += 3) plot(a, t, 5000 + 100 * rnd(), 100 * rnd());
  assert.equal(s.judge(a, 70), true, 'standing still');
  assert.equal(s.spots, 1);
  assert.equal(s.blocks('radar-1', 5100, 50, 80), true, 'a plot on the spot');
  assert.equal(s.blocks('radar-2', 5100, 50, 80), false, 'another radar');
  assert.equal(s.blocks('radar-1', 7000, 50, 80), false, 'elsewhere');
  assert.equal(s.blocks('radar-1', 5100, 50, 80 + 601), false, 'forgotten after keepS unfed');
  const b = track();
  for (let t = 0; t <= 70; t += 3) plot(b, t, 5000 + 100 * rnd(), 100 * rnd());
  plot(b, 71, 5000, 0, SHAPE_RAY);
  assert.equal(s.judge(b, 72), false, 'a bearing fed it within the window');
  for (let t = 73; t <= 140; t += 3) plot(b, t, 5000 + 100 * rnd(), 100 * rnd());
  assert.equal(s.judge(b, 140), true, 'a window after the bearing, point detections alone again');
  const c = track();
  for (let t = 0; t <= 50; t += 3) plot(c, t, 5000 + 100 * rnd(), 100 * rnd());
  assert.equal(s.judge(c, 50), false, 'not held for the window yet');
  // an observer's position fixes of a hovering target: not radar plots, never judged
  const d = track();
  for (let t = 0; t <= 70; t += 3) plot(d, t, 5000 + 100 * rnd(), 100 * rnd(), SHAPE_POINT, 'position');
  assert.equal(s.judge(d, 70), false, 'position fixes');
  // a sensor keeps at most 1,000 spots: the least recently fed go
  const many = createStationarySources(o);
  for (let i = 0; i < 1005; i++) {
    const x = track();
    for (let t = i; t <= 70 + i; t += 3) plot(x, t, 10_000 * i, 0);
    assert.equal(many.judge(x, 70 + i), true);
  }
  assert.equal(many.spots, 1000);
  assert.equal(many.blocks('radar-1', 0, 0, 1100), false, 'the first spot went');
  assert.equal(many.blocks('radar-1', 10_000 * 1004, 0, 1100), true, 'the last is kept');
  const origin = ORIGIN;
  assert.deepEqual(resolveTrackerOptions({ origin }).stationarySources, STATIONARY_DEFAULTS);
  assert.throws(() => resolveTrackerOptions({ origin, stationarySources: { ...STATIONARY_DEFAULTS, p: 1 } }), /stationarySources.p must be in \(0, 1\), got 1/);
  assert.throws(() => resolveTrackerOptions({ origin, stationarySources: { ...STATIONARY_DEFAULTS, minPlots: 1 } }), /stationarySources.minPlots must be an integer >= 2/);
});

test('a target that hovers after flying in is kept through a fade of its radar: the new track continues the one that ended there', () => {
  // flies in at 20 m/s, hovers from t = 300 s; the radar loses it from 400 to 440 s (its track is dropped)
  const hover: Path = (t) => (t < 300 ? [-6000 + 20 * t, 8000, 200] : [0, 8000, 200]);
  const dets = scans([{ path: hover, pd: 0.85 }], 900, 5).filter((d) => d.t < 400 || d.t > 440);
  const tr = createTracker({ origin: ORIGIN });
  const reps = stepEverySecond(tr, dets, 900);
  assert.equal(tr.stats.stationaryDropped, 0);
  const held = reps.slice(500).filter((r) => r.length > 0).length;
  assert.ok(held >= 395, `held ${held} of the last 400 s`);
});

test('a tight orbit first seen while orbiting is not standing still: the radar range error is far smaller than its cross-range error', () => {
  // 150 m round at 15 m/s, 15 km out: the plots scatter about 25 m in range and 130 m across
  const orbit: Path = (t) => [15000 + 150 * Math.cos(t / 10), 150 * Math.sin(t / 10), 300];
  for (const seed of [11, 12, 13]) {
    const tr = createTracker({ origin: ORIGIN });
    const reps = stepEverySecond(tr, scans([{ path: orbit, pd: 0.85 }], 400, seed), 400);
    assert.equal(tr.stats.stationaryDropped, 0, `seed ${seed}`);
    assert.ok(reps.slice(150).every((r) => r.length > 0), `seed ${seed}: held throughout`);
  }
});
