/**
 * The tracker on cheap sensors (issue 3): presence microphones, bearings, the sound's travel
 * time, manoeuvres, observers, cooperative traffic and acoustic false alarms. Scenes are
 * built here in the tracker frame with seeded noise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { geodeticToEnu } from '../geo/index.js';
import type { Detection } from '../types.js';
import { createBatchRunner } from './batch-runner.js';
import type { TrackerOptions } from './options.js';
import { createTracker, type TrackReport } from './tracker.js';
import { bearingDet, dogLeg, emitted, FRAME, normals, ORIGIN, positionDet, presenceDet, radarDet, straight, type Path } from './testing.js';

type V3 = [number, number, number];

function run(dets: Detection[], opts: Partial<TrackerOptions> = {}): Map<number, TrackReport[]> {
  const tr = createTracker({ origin: ORIGIN, ...opts });
  const out = new Map<number, TrackReport[]>();
  const runner = createBatchRunner(tr, {}, { onReport: (t, r) => out.set(t, r) });
  for (const d of dets.slice().sort((a, b) => a.t - b.t)) assert.equal(runner.push(d), null);
  runner.finish();
  return out;
}

function enu(r: TrackReport): V3 {
  const e = geodeticToEnu(FRAME, r.position);
  return [e[0], e[1], e[2]];
}

/** For each report time: the horizontal error of the nearest track to the truth (or none). */
function errors(reports: Map<number, TrackReport[]>, path: Path, from: number, to: number) {
  const errs: number[] = [];
  const ids = new Set<string>();
  let missing = 0;
  for (let t = from; t <= to; t++) {
    const truth = path(t);
    let best = Infinity;
    let bestId = '';
    for (const r of reports.get(t) ?? []) {
      const p = enu(r);
      const d = Math.hypot(p[0] - truth[0], p[1] - truth[1]);
      if (d < best) {
        best = d;
        bestId = r.trackId;
      }
    }
    if (best < 3000) {
      errs.push(best);
      ids.add(bestId);
    } else missing++;
  }
  const sorted = errs.slice().sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Infinity, max: sorted[sorted.length - 1] ?? Infinity, mean: errs.reduce((a, b) => a + b, 0) / Math.max(errs.length, 1), ids, missing, count: errs.length };
}

function confirmedIds(reports: Map<number, TrackReport[]>): Set<string> {
  const s = new Set<string>();
  for (const rs of reports.values()) for (const r of rs) s.add(r.trackId);
  return s;
}

test('a line of presence-only microphones 4 km apart tracks a drone to within about a kilometre', () => {
  const path = straight(-1000, 300, 300, 50, 0); // east along the line at 50 m/s, 300 m up
  const mics: V3[] = Array.from({ length: 11 }, (_, i) => [i * 4000, 0, 2] as V3);
  const R = 2500;
  const dets: Detection[] = [];
  let k = 0;
  for (let t = 0; t <= 800; t += 2) {
    mics.forEach((m, i) => {
      const p = emitted(path, m, t);
      const heard = Math.hypot(p[0] - m[0], p[1] - m[1], p[2] - m[2]) < R;
      if (heard && (k++ * 7919) % 10 !== 0) dets.push(presenceDet(`mic-${i}`, m, R, 1.7e9 + t)); // pd 0.9
    });
  }
  const reports = run(dets.map((d) => d), {});
  const shifted = (t: number) => path(t - 1.7e9);
  const e = errors(reports, shifted, 1.7e9 + 100, 1.7e9 + 780);
  assert.ok(e.count > 0.8 * 681, `tracked ${e.count} of 681 s`);
  assert.ok(e.mean < 1000, `mean error ${e.mean.toFixed(0)} m`);
  assert.ok(e.ids.size <= 2, `track ids along the line: ${[...e.ids]}`);
});

test('a lone presence report, or one microphone hearing a motorbike for a minute, makes no track', () => {
  const dets: Detection[] = [presenceDet('mic-a', [0, 0, 2], 2500, 1.7e9)];
  for (let t = 0; t < 60; t += 2) dets.push(presenceDet('mic-b', [20000, 0, 2], 2500, 1.7e9 + 100 + t));
  // and a burst of random bearings from one array
  const rnd = normals(5);
  for (let t = 0; t < 60; t += 2) dets.push(bearingDet('arr-c', 'acoustic', [40000, 0, 2], [40000 + 1000 * rnd(), 1000 * rnd() + 1500, 100], 1.7e9 + 200 + t, 0.1, 0));
  assert.equal(confirmedIds(run(dets)).size, 0);
});

test('two bearing sensors 5 km apart triangulate a drone to within a few hundred metres', () => {
  const path = straight(-3000, 4000, 500, 50, 0);
  const s1: V3 = [0, 0, 10];
  const s2: V3 = [5000, 0, 10];
  const rnd = normals(11);
  const dets: Detection[] = [];
  const sd = (3 * Math.PI) / 180;
  for (let t = 0; t <= 220; t += 2) {
    dets.push(bearingDet('df-1', 'rf', s1, path(t), 1.7e9 + t, sd, rnd()));
    dets.push(bearingDet('df-2', 'rf', s2, path(t + 0.5), 1.7e9 + t + 0.5, sd, rnd()));
  }
  const e = errors(run(dets), (t) => path(t - 1.7e9), 1.7e9 + 20, 1.7e9 + 220);
  assert.ok(e.count > 190, `tracked ${e.count} of 201 s`);
  assert.ok(e.median < 250, `median error ${e.median.toFixed(0)} m`);
  assert.ok(e.max < 700, `max error ${e.max.toFixed(0)} m`);
  assert.equal(e.ids.size, 1);
});

test('correcting for the sound travel time removes the along-track bias of acoustic bearings', () => {
  const path = straight(-4000, 1500, 300, 50, 0);
  const arrays: V3[] = [[-3000, -1000, 3], [0, -1200, 3], [3000, -1000, 3], [1500, 3500, 3]];
  const rnd = normals(3);
  const dets: Detection[] = [];
  const sd = (4 * Math.PI) / 180;
  for (let t = 0; t <= 160; t += 2) {
    arrays.forEach((a, i) => {
      const p = emitted(path, a, t);
      if (Math.hypot(p[0] - a[0], p[1] - a[1]) < 4000) dets.push(bearingDet(`arr-${i}`, 'acoustic', a, p, 1.7e9 + t + 0.3 * i, sd, rnd()));
    });
  }
  const bias = (opts: Partial<TrackerOptions>) => {
    const reports = run(dets, opts);
    let sum = 0;
    let cnt = 0;
    for (let t = 1.7e9 + 40; t <= 1.7e9 + 150; t++) {
      const truth = path(t - 1.7e9);
      for (const r of reports.get(t) ?? []) {
        const p = enu(r);
        if (Math.hypot(p[0] - truth[0], p[1] - truth[1]) > 2000) continue;
        sum += p[0] - truth[0]; // along-track (east) error
        cnt++;
      }
    }
    assert.ok(cnt > 80, `tracked ${cnt} s`);
    return sum / cnt;
  };
  const corrected = bias({});
  const uncorrected = bias({ soundSpeed: 0 });
  assert.ok(uncorrected < -150, `without the correction the track lags: ${uncorrected.toFixed(0)} m`);
  assert.ok(Math.abs(corrected) < 0.3 * Math.abs(uncorrected), `corrected bias ${corrected.toFixed(0)} m vs ${uncorrected.toFixed(0)} m`);
});

test('a 90-degree turn at 3 deg/s keeps one track id and a small error', () => {
  const path = dogLeg(-10000, 12000, 600, 50, 100, 90, 3);
  const radar: V3 = [0, 0, 20];
  const rnd = normals(21);
  const dets: Detection[] = [];
  for (let t = 0; t <= 300; t += 3) dets.push(radarDet('radar', radar, path(t), 1.7e9 + t, rnd));
  const reports = run(dets);
  const e = errors(reports, (t) => path(t - 1.7e9), 1.7e9 + 15, 1.7e9 + 300);
  assert.equal(e.ids.size, 1, `ids ${[...e.ids]}`);
  assert.equal(e.missing, 0);
  // identified from its kinematics: 50 m/s at 600 m is a Shahed-type drone
  const lastReport = reports.get(1.7e9 + 300)![0];
  const top = Object.entries(lastReport.classProbs).sort((a, b) => b[1] - a[1])[0];
  assert.equal(top[0], 'piston_owa', JSON.stringify(lastReport.classProbs));
  assert.ok(top[1] > 0.6 && lastReport.threatProbability > 0.6, `P = ${top[1]}`);
  assert.ok(e.max < 400, `max error ${e.max.toFixed(0)} m`);
  assert.ok(e.median < 120, `median error ${e.median.toFixed(0)} m`);
});

test('late observer reports kilometres off help, and never drag a radar track away', () => {
  const path = straight(-8000, 9000, 400, 45, 10);
  const rnd = normals(8);
  const radarOnly: Detection[] = [];
  for (let t = 0; t <= 300; t += 4) radarOnly.push(radarDet('radar', [0, 0, 20], path(t), 1.7e9 + t, rnd));
  const withObservers = radarOnly.slice();
  for (let t = 5; t <= 300; t += 7) {
    // a rough position with a 1.2 km error, no altitude, reported 3 s late
    const d = positionDet('observers', 'observer', path(t), 1.7e9 + t, 1200, rnd, false);
    withObservers.push(d);
  }
  const a = errors(run(radarOnly), (t) => path(t - 1.7e9), 1.7e9 + 20, 1.7e9 + 300);
  const b = errors(run(withObservers), (t) => path(t - 1.7e9), 1.7e9 + 20, 1.7e9 + 300);
  assert.equal(b.ids.size, 1);
  assert.ok(b.median < a.median + 15, `median with observers ${b.median.toFixed(0)} m, radar alone ${a.median.toFixed(0)} m`);
  assert.ok(b.max < a.max + 60, `max with observers ${b.max.toFixed(0)} m, radar alone ${a.max.toFixed(0)} m`);
  assert.equal(confirmedIds(run(withObservers)).size, 1, 'observer reports make no track of their own');
  // and observers alone (no radar) still give a track of the drone
  const obsOnly: Detection[] = [];
  for (let t = 0; t <= 300; t += 5) obsOnly.push(positionDet('observers', 'observer', path(t), 1.7e9 + t, 400, rnd, false));
  const c = errors(run(obsOnly), (t) => path(t - 1.7e9), 1.7e9 + 60, 1.7e9 + 300);
  assert.ok(c.count > 200 && c.median < 500, `observers alone: ${c.count} s tracked, median ${c.median.toFixed(0)} m`);
});

test('cooperative traffic is tracked by identity and kept apart from a drone flying close by', () => {
  const airliner = straight(-20000, 5000, 900, 70, 0); // a helicopter-like slow cooperative aircraft at 900 m
  const drone = straight(-20000, 5400, 700, 50, 2); // a drone 400 m beside it, 200 m lower
  const rnd = normals(4);
  const dets: Detection[] = [];
  for (let t = 0; t <= 200; t += 1) dets.push(positionDet('adsb', 'adsb', airliner(t), 1.7e9 + t, 20, rnd, true, '71BE12'));
  for (let t = 0; t <= 200; t += 3) {
    dets.push(radarDet('radar', [0, -10000, 20], airliner(t + 0.1), 1.7e9 + t + 0.1, rnd));
    dets.push(radarDet('radar', [0, -10000, 20], drone(t + 0.12), 1.7e9 + t + 0.12, rnd));
  }
  const reports = run(dets);
  const last = reports.get(1.7e9 + 200) ?? [];
  assert.equal(last.length, 2, `tracks: ${last.map((r) => r.trackId)}`);
  const coop = last.filter((r) => r.cooperativeId === '71BE12');
  assert.equal(coop.length, 1, 'exactly one track carries the identity');
  const d = errors(reports, (t) => drone(t - 1.7e9), 1.7e9 + 30, 1.7e9 + 200);
  const a = errors(reports, (t) => airliner(t - 1.7e9), 1.7e9 + 30, 1.7e9 + 200);
  assert.equal(d.ids.size, 1);
  assert.ok(![...d.ids].some((id) => a.ids.has(id)), 'the drone and the aircraft never share a track');
  assert.ok(d.median < 100, `drone error ${d.median.toFixed(0)} m`);
  for (const rs of reports.values()) for (const r of rs) if (d.ids.has(r.trackId)) assert.equal(r.cooperativeId, undefined);
  // the identified aircraft is not a threat; the drone beside it is
  const aircraft = last.find((r) => r.cooperativeId === '71BE12')!;
  const droneTrack = last.find((r) => r.cooperativeId === undefined)!;
  assert.ok(aircraft.threatProbability < 0.01, `aircraft threat ${aircraft.threatProbability}`);
  assert.ok(aircraft.classProbs.aircraft + aircraft.classProbs.helicopter > 0.95, JSON.stringify(aircraft.classProbs));
  assert.ok(droneTrack.threatProbability > 0.5, `drone threat ${droneTrack.threatProbability}`);
});
