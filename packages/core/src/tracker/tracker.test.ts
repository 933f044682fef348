import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic, geodeticToEnu } from '../geo/index.js';
import type { Detection, PositionDetection, RangeBearingDetection, GeoPoint } from '../types.js';
import { createTracker, type TrackerEvent } from './tracker.js';
import { createBatchRunner } from './batch-runner.js';
import { mulberry32 } from '../math/mulberry32.js';

const origin: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 0 };
const frame = createEnuFrame(origin);

function pos(t: number, e: number, n: number, u = 500, sensorId = 'obs', posSd = 30, id?: string): PositionDetection {
  const p = enuToGeodetic(frame, e, n, u);
  const d: PositionDetection = { type: 'position', t, sensorId, position: p, hasAltitude: true, posSd, altSd: 30 };
  if (id !== undefined) d.id = id;
  return d;
}

function enuOf(p: GeoPoint): Float64Array {
  return geodeticToEnu(frame, p);
}

test('two well separated targets give two confirmed tracks with stable ids and accurate positions', () => {
  const tr = createTracker({ origin });
  const ids = new Set<string>();
  for (let k = 0; k <= 60; k++) {
    const t = 1000 + k;
    const dets = [pos(t, 50 * k, 0), pos(t, -40 * k, 20000)];
    tr.step(dets, t);
    if (k >= 5) {
      const reps = tr.report(t);
      assert.equal(reps.length, 2, `at k=${k} ${reps.length} tracks`);
      for (const r of reps) ids.add(r.trackId);
    }
  }
  assert.equal(ids.size, 2, `ids seen: ${[...ids]}`);
  const reps = tr.report(1060);
  const a = reps.find((r) => enuOf(r.position)[1] < 10000)!;
  const e = enuOf(a.position);
  assert.ok(Math.abs(e[0] - 3000) < 30 && Math.abs(e[1]) < 30, `position ${e[0]}, ${e[1]}`);
  assert.ok(Math.abs(a.velocityEnu[0] - 50) < 3 && Math.abs(a.velocityEnu[1]) < 3, `velocity ${a.velocityEnu}`);
  assert.ok(a.positionSd > 3 && a.positionSd < 30, `sd ${a.positionSd}`);
});

test('a tentative track needs confirmHits detections; a lone detection never shows', () => {
  const tr = createTracker({ origin, confirmHits: 3 });
  tr.step([pos(10, 0, 0)], 10);
  assert.equal(tr.report(10).length, 0);
  tr.step([pos(11, 50, 0)], 11);
  assert.equal(tr.report(11).length, 0);
  const ev = tr.step([pos(12, 100, 0)], 12);
  assert.ok(ev.some((e) => e.type === 'confirmed'));
  assert.equal(tr.report(12).length, 1);
  // a lone detection far away: tentative, not reported, and gone after the tentative timeout
  tr.step([pos(13, 150, 0), pos(13, 30000, 30000)], 13);
  assert.equal(tr.report(13).length, 1);
  assert.equal(tr.tracks().length, 2);
  for (let t = 14; t <= 30; t++) tr.step([pos(t, 50 * (t - 10), 0)], t);
  assert.equal(tr.tracks().length, 1);
});

test('confirmed track coasts when detections stop, then is deleted', () => {
  const tr = createTracker({ origin, coastAfter: 5, deleteAfter: 20 });
  for (let t = 0; t <= 10; t++) tr.step([pos(t, 50 * t, 0)], t);
  const events: TrackerEvent[] = [];
  for (let t = 11; t <= 40; t++) events.push(...tr.step([], t));
  const coast = events.find((e) => e.type === 'coasting');
  const del = events.find((e) => e.type === 'deleted');
  assert.ok(coast && coast.t > 15 && coast.t <= 17, `coasting at ${coast?.t}`);
  assert.ok(del && del.t > 30 && del.t <= 32, `deleted at ${del?.t}`);
  assert.equal(del.reason, 'unheard', 'the deleted event names the rule');
  assert.equal(tr.report(40).length, 0);
});

test('a detection outside the gate does not pull a confirmed track; it starts a new one', () => {
  const tr = createTracker({ origin });
  for (let t = 0; t <= 20; t++) tr.step([pos(t, 50 * t, 0)], t);
  const before = enuOf(tr.report(20)[0].position);
  tr.step([pos(21, 1050 + 5000, 0)], 21); // 5 km off
  const reps = tr.report(21);
  assert.equal(reps.length, 1, 'the outlier is only tentative');
  const after = enuOf(reps[0].position);
  assert.ok(Math.abs(after[0] - (before[0] + 50)) < 20, `track moved to ${after[0]}`);
  assert.equal(tr.tracks().length, 2);
});

test('global nearest neighbour picks the jointly best assignment for two close targets', () => {
  // Two targets 300 m apart flying parallel; detections interleaved: the joint optimum keeps them apart.
  const tr = createTracker({ origin });
  for (let t = 0; t <= 30; t++) tr.step([pos(t, 50 * t, 0, 500, 'r', 20), pos(t, 50 * t, 300, 500, 'r', 20)], t);
  const reps0 = tr.report(30);
  assert.equal(reps0.length, 2);
  const idNorth = reps0.find((r) => enuOf(r.position)[1] > 150)!.trackId;
  // at t=31 a detection of the north target lies closest to ... both are within gate of both tracks
  tr.step([pos(31, 1550, 140, 500, 'r', 20), pos(31, 1550, 170, 500, 'r', 20)], 31);
  const reps = tr.report(31);
  assert.equal(reps.length, 2);
  const north = reps.find((r) => r.trackId === idNorth)!;
  assert.ok(enuOf(north.position)[1] > enuOf(reps.find((r) => r.trackId !== idNorth)!.position)[1], 'tracks did not swap');
});

test('range-bearing radar track of a crossing target converges', () => {
  const tr = createTracker({ origin });
  const sensorPosition = { ...origin };
  let s = 7;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  for (let k = 0; k <= 60; k++) {
    const t = 4 * k;
    const e = -10000 + 50 * t;
    const n = 15000;
    const u = 800;
    const r = Math.hypot(e, n, u);
    let b = Math.atan2(e, n);
    if (b < 0) b += 2 * Math.PI;
    const det: RangeBearingDetection = {
      type: 'range_bearing', t, sensorId: 'radar', sensorPosition, range: r + 40 * rnd(), bearing: b + 0.01 * rnd(), elevation: Math.asin(u / r) + 0.01 * rnd(),
      rangeSd: 20, bearingSd: 0.006, elevationSd: 0.006, rangeRateSd: 1,
    };
    tr.step([det], t);
  }
  const reps = tr.report(240);
  assert.equal(reps.length, 1);
  const e = enuOf(reps[0].position);
  // truth at t=240: e = 2000, n = 15000 (flat-earth approximation is fine at this range for the tolerance)
  assert.ok(Math.hypot(e[0] - 2000, e[1] - 15000) < 120, `error ${Math.hypot(e[0] - 2000, e[1] - 15000)}`);
  assert.ok(Math.abs(reps[0].velocityEnu[0] - 50) < 5, `ve ${reps[0].velocityEnu[0]}`);
});

test('same input gives the same output (determinism)', () => {
  const run = () => {
    const tr = createTracker({ origin });
    const out: string[] = [];
    for (let t = 0; t < 40; t++) {
      const dets = [pos(t, 50 * t, 0), pos(t, 3000 - 45 * t, 2000 + 10 * t), pos(t, 7000 + ((t * 7919) % 13) * 100, (t * 104729) % 9000)];
      out.push(JSON.stringify(tr.step(dets, t)));
      out.push(JSON.stringify(tr.report(t)));
    }
    return out.join('\n');
  };
  assert.equal(run(), run());
});

test('step refuses detections from the future (programmer error)', () => {
  const tr = createTracker({ origin });
  assert.throws(() => tr.step([pos(11, 0, 0)], 10), /future/);
});

test('batch runner reorders late detections, refuses too-late ones and duplicates, and reports online', () => {
  const tr = createTracker({ origin, confirmHits: 3 });
  const reports = new Map<number, number>();
  const runner = createBatchRunner(tr, { reorderDelay: 5, reportEvery: 1 }, {
    onReport: (t, reps) => reports.set(t, reps.length),
  });
  // detections out of order by 2 s
  const order = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19];
  for (const k of order) assert.equal(runner.push(pos(100 + k, 50 * k, 0, 500, 'obs', 30, `d${k}`)), null);
  assert.match(runner.push(pos(100 + 20, 1000, 0, 500, 'obs', 30, 'd20')) ?? '', /duplicate/);
  assert.match(runner.push(pos(100 + 3, 150, 0)) ?? '', /later than the reorder delay of 5 s allows/);
  runner.finish();
  // report times run from the first detection (t=100) to the last (t=120)
  assert.deepEqual([...reports.keys()], Array.from({ length: 21 }, (_, i) => 100 + i));
  assert.equal(reports.get(101), 0);
  assert.equal(reports.get(102), 1, 'confirmed by the third detection at t=102');
});

test('batch runner: a report at t uses no detection later than t', () => {
  const a = createTracker({ origin, confirmHits: 3 });
  const b = createTracker({ origin, confirmHits: 3 });
  const seenA = new Map<number, string>();
  const seenB = new Map<number, string>();
  const ra = createBatchRunner(a, {}, { onReport: (t, r) => seenA.set(t, JSON.stringify(r)) });
  const rb = createBatchRunner(b, {}, { onReport: (t, r) => seenB.set(t, JSON.stringify(r)) });
  for (let k = 0; k <= 20; k++) {
    ra.push(pos(k, 50 * k, 0));
    rb.push(pos(k, 50 * k, 0));
    // b also gets one more detection half a second after the report time 2, off the track's line
    if (k === 2) rb.push(pos(2.5, 50 * 2.5 + 40, 40));
  }
  ra.finish();
  rb.finish();
  // the extra detection at 2.5 must not change b's report at 2, but does change the one at 3
  assert.ok((seenA.get(2) ?? '').length > 2, 'a track is reported at t=2');
  assert.equal(seenA.get(2), seenB.get(2));
  assert.notEqual(seenA.get(3), seenB.get(3));
});

test('batch runner: a detection exactly the delay late, or at the same time with no delay, is taken', () => {
  // jumpRun 1: the first detection sets the time at once (by default the first 8 are gathered and taken in time order)
  const r1 = createBatchRunner(createTracker({ origin }), { reorderDelay: 5, jumpRun: 1 }, { onReport: () => {} });
  assert.equal(r1.push(pos(110, 0, 0)), null);
  assert.equal(r1.push(pos(105, 0, 0)), null, 'exactly 5 s late');
  assert.match(r1.push(pos(104.9, 0, 0)) ?? '', /later than the reorder delay/);
  const r0 = createBatchRunner(createTracker({ origin }), { reorderDelay: 0 }, { onReport: () => {} });
  for (let k = 0; k < 10; k++) {
    assert.equal(r0.push(pos(200 + k, 50 * k, 0)), null);
    assert.equal(r0.push(pos(200 + k, 50 * k, 5000)), null, 'a second detection at the same time');
  }
});

test('batch runner: the report interval samples the output without changing it', () => {
  const run = (reportEvery: number) => {
    const out = new Map<number, string>();
    const r = createBatchRunner(createTracker({ origin }), { reportEvery }, { onReport: (t, reps) => out.set(t, JSON.stringify(reps)) });
    for (let k = 0; k <= 120; k += 2) r.push(pos(300 + k, 50 * k, 20 * Math.sin(k / 10)));
    r.finish();
    return out;
  };
  const fine = run(1);
  const coarse = run(10);
  assert.deepEqual([...coarse.keys()], Array.from({ length: 13 }, (_, i) => 300 + 10 * i));
  for (const [t, v] of coarse) assert.equal(v, fine.get(t), `report at ${t}`);
  const tenth = run(0.1);
  for (const t of tenth.keys()) assert.equal(Math.round(t * 10) / 10, t, `report time ${t} is a multiple of 0.1`);
});

test('a sensor that reports each target several times within one step keeps one track per target', () => {
  // position reports at 5 and 10 Hz (tracker steps of 1 s): each step's group holds several
  // reports of every target; they must update its track in time order, not start new tracks
  for (const hz of [5, 10]) {
    const rand = mulberry32(7);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const tr = createTracker({ origin });
    const ids = new Set<string>();
    const r = createBatchRunner(tr, { reorderDelay: 5, reportEvery: 1 }, { onReport: (_t, reps) => reps.forEach((x) => ids.add(x.trackId)) });
    for (let k = 0; k < 60 * hz; k++) {
      const t = 1000 + k / hz;
      for (let j = 0; j < 3; j++) r.push(pos(t, 40 * (t - 1000) + 30 * gauss(), 2000 * j + 30 * gauss(), 500, 'fast'));
    }
    r.finish();
    assert.equal(ids.size, 3, `${hz} Hz: ${ids.size} confirmed tracks for 3 targets`);
  }
});

test('batch runner: nextStepTime names the next step, which advanceTo runs once the clock passes it plus the delay', () => {
  const reports: number[] = [];
  const r = createBatchRunner(createTracker({ origin }), { reorderDelay: 5, reportEvery: 0.25 }, { onReport: (t) => reports.push(t) });
  assert.ok(Number.isNaN(r.nextStepTime), 'nothing before the first detection');
  r.push(pos(100.1, 0, 0));
  assert.equal(r.nextStepTime, 100.25, 'the first grid time at or after the first detection');
  r.advanceTo(105.24);
  assert.deepEqual(reports, [], 'not due before 100.25 + 5');
  assert.equal(r.nextStepTime, 100.25);
  r.advanceTo(105.25);
  assert.deepEqual(reports, [100.25]);
  assert.equal(r.nextStepTime, 100.5);
  r.push(pos(100.6, 30, 0));
  r.advanceTo(106.0);
  assert.deepEqual(reports, [100.25, 100.5, 100.75, 101]);
  assert.equal(r.nextStepTime, 101.25);
});

test('batch runner: a stray early time costs no work and makes no rows', () => {
  const tr = createTracker({ origin });
  const rows: number[] = [];
  const r = createBatchRunner(tr, { reorderDelay: 5 }, { onReport: (t, reps) => reps.length > 0 && rows.push(t) });
  const started = Date.now();
  assert.equal(r.push(pos(0, 0, 0)), null); // a time at the epoch
  for (let k = 0; k <= 20; k++) r.push(pos(1.7e9 + k, 50 * k, 0));
  r.finish();
  assert.ok(Date.now() - started < 5000, 'did not step through 54 years second by second');
  assert.ok(rows.length > 0 && rows.every((t) => t >= 1.7e9));
});

test('batch runner: repeated ids are refused within the dedupe window, forgotten after it', () => {
  const r = createBatchRunner(createTracker({ origin }), { dedupeWindow: 120 }, { onReport: () => {} });
  assert.equal(r.push(pos(1000, 0, 0, 500, 'obs', 30, 'a')), null);
  for (let k = 1; k <= 300; k++) r.push(pos(1000 + k, 0, 0, 500, 'obs', 30, `x${k}`));
  assert.match(r.push(pos(1296, 0, 0, 500, 'obs', 30, 'x250')) ?? '', /duplicate detection id "x250"/, '50 s later');
  assert.match(r.push(pos(1300, 0, 0, 500, 'obs', 30, 'x290')) ?? '', /duplicate detection id "x290"/);
  assert.equal(r.push(pos(1300, 0, 0, 500, 'obs', 30, 'a')), null, 'after 300 s the first id is forgotten');
});

test('a detection with a huge error neither hangs nor breaks the tracker', () => {
  const tr = createTracker({ origin, confirmHits: 3 });
  const started = Date.now();
  for (let t = 0; t < 10; t++) tr.step([pos(t, 50 * t, 0), pos(t + 0.5, 2e5, 0, 500, 'far', 1e6)], t + 0.5);
  assert.ok(Date.now() - started < 3000, 'no cell-by-cell walk over a million-metre disc');
  const reps = tr.report(9.5);
  assert.ok(reps.length >= 1 && reps.every((r) => Number.isFinite(r.position.latDeg) && Number.isFinite(r.positionSd)));
});

test('a repeated or stray cooperative report never starts a second track with the same identity', () => {
  const tr = createTracker({ origin, confirmHits: 3 });
  for (let t = 0; t <= 30; t++) {
    const d = pos(t, 60 * t, 0, 3000, 'adsb', 20);
    d.cooperativeId = 'ABC123';
    const dup = { ...d, t: t + 0.02 }; // the same message received twice
    const dets = [d, dup];
    if (t === 20) dets.push({ ...d, t: t + 0.5, position: enuToGeodetic(frame, 60 * t + 8000, 0, 3000) }); // 8 km off
    tr.step(dets, t + 0.5);
  }
  const ids = new Set(tr.tracks().map((x) => x.id));
  assert.equal(ids.size, 1, `tracks ${[...ids]}`);
  assert.equal(tr.report(30.5)[0].cooperativeId, 'ABC123');
});

test('a 2-D radar plot (no elevation) updates the track of a high aircraft', () => {
  const tr = createTracker({ origin, confirmHits: 3 });
  const sensorPosition = { ...origin };
  for (let t = 0; t <= 40; t++) {
    const e = 2000 + 60 * t;
    const n = 4000;
    const u = 3000;
    const adsb = pos(t, e, n, u, 'adsb', 20);
    adsb.cooperativeId = 'A1';
    const dets: Detection[] = [adsb];
    if (t % 4 === 2) {
      const r = Math.hypot(e, n, u);
      let b = Math.atan2(e, n);
      if (b < 0) b += 2 * Math.PI;
      dets.push({ type: 'range_bearing', t: t + 0.3, sensorId: 'radar2d', sensorPosition, range: r, bearing: b, rangeSd: 30, bearingSd: 0.01, elevationSd: 0.01, rangeRateSd: 1 });
    }
    tr.step(dets, t + 0.5);
  }
  assert.equal(tr.tracks().length, 1, 'the radar plots joined the aircraft track');
  assert.ok(tr.tracks()[0].sensors.has('radar2d'));
});

test('batch runner: one line dated far ahead does not make the rest late; it is held (another sensor does not agree) and taken at the end', () => {
  const stream = (withStray: boolean) => {
    const reports = new Map<number, string>();
    const r = createBatchRunner(createTracker({ origin }), { reorderDelay: 5 }, { onReport: (t, reps) => reports.set(t, JSON.stringify(reps)) });
    const refused: string[] = [];
    for (let k = 0; k <= 200; k++) {
      for (const [s, e] of [['radar-a', 0], ['radar-b', 20000]] as const) {
        const why = r.push(pos(1000 + k, e + 50 * k, 0, 500, s));
        if (why) refused.push(why);
      }
      // a sensor with its clock set 130 years ahead (the line an independent review slipped into a file)
      if (withStray && k === 100) assert.equal(r.push(pos(4_100_000_000, 0, 0, 500, 'obs-x')), null);
    }
    r.finish();
    return { reports, refused };
  };
  const clean = stream(false);
  const dirty = stream(true);
  assert.deepEqual(dirty.refused, [], 'nothing refused as late');
  // every report of the clean run is made the same way with the stray line in
  for (const [t, rep] of clean.reports) assert.equal(dirty.reports.get(t), rep, `report at ${t}`);
  assert.ok(dirty.reports.size > clean.reports.size, 'the stray line is taken at the end, at its own time');
});

test('batch runner: the first line dated far ahead (or far back) does not make the rest late; the reports are those without it', () => {
  const stream = (stray: number | null, sensors: readonly (readonly [string, number])[]) => {
    const reports = new Map<number, string>();
    // compared without the track ids: a stray far back is a detection at its own time, which may start a track of its own
    const r = createBatchRunner(createTracker({ origin }), { reorderDelay: 5 }, { onReport: (t, reps) => reports.set(t, JSON.stringify(reps.map((x) => ({ ...x, trackId: undefined })))) });
    const refused: string[] = [];
    // the file's first line: its sensor's clock wrong
    if (stray !== null) assert.equal(r.push(pos(stray, 0, 0, 500, 'obs-x')), null);
    for (let k = 0; k <= 200; k++) {
      for (const [s, e] of sensors) {
        const why = r.push(pos(1000 + k, e + 50 * k, 0, 500, s));
        if (why) refused.push(why);
      }
    }
    r.finish();
    return { reports, refused };
  };
  for (const sensors of [[['radar-a', 0], ['radar-b', 20000]], [['radar-a', 0]]] as const) {
    const clean = stream(null, sensors);
    for (const stray of [4_100_000_000, 1000 + 90, 5]) {
      const dirty = stream(stray, sensors);
      const what = `stray at t = ${stray}, ${sensors.length} sensors`;
      assert.deepEqual(dirty.refused, [], `${what}: nothing refused as late`);
      // every report of the clean run within its span is made the same way with the stray line first
      let same = 0;
      for (const [t, rep] of clean.reports) {
        if (stray > 1000 && stray < 1200 && t >= stray - 5) continue; // a stray inside the run's span is a detection like the others there
        assert.equal(dirty.reports.get(t), rep, `${what}: report at ${t}`);
        same++;
      }
      assert.ok(same >= (stray > 1000 && stray < 1200 ? 80 : 190), `${what}: ${same} reports compared`);
    }
  }
});

test('batch runner: a real gap in time goes through (another sensor agrees, or the stream moves on), with the same reports as without holding', () => {
  const run = (maxJump: number, sensors: string[]) => {
    const reports = new Map<number, string>();
    const r = createBatchRunner(createTracker({ origin }), { reorderDelay: 5, maxJump }, { onReport: (t, reps) => reports.set(t, JSON.stringify(reps)) });
    for (const t0 of [0, 500]) {
      for (let k = 0; k <= 30; k++) for (const [i, s] of sensors.entries()) assert.equal(r.push(pos(t0 + k, 20000 * i + 50 * k, 0, 500, s)), null);
    }
    const pendingBeforeEnd = r.pending;
    r.finish();
    return { reports, pendingBeforeEnd };
  };
  for (const sensors of [['a', 'b'], ['a']]) {
    const held = run(60, sensors);
    const free = run(Infinity, sensors);
    assert.deepEqual([...held.reports], [...free.reports], `sensors ${sensors.join(',')}`);
    // nothing is left waiting: the resumed stream released the jump long before the end
    assert.ok(held.pendingBeforeEnd <= free.pendingBeforeEnd, `${held.pendingBeforeEnd} pending at the end against ${free.pendingBeforeEnd}`);
  }
});

test('batch runner: a sensor whose every line is dated far ahead, between the lines of one in order, is held whole and taken at the end in its order', () => {
  // the pattern of an outside probe (2026-12-07): each held line was sorted again at every line in
  // order, which made such a file quadratic (80,000 lines: 50 s); now a heap and a per-sensor index
  const run = (withJumped: boolean) => {
    const reports = new Map<number, string>();
    const taken: number[] = [];
    const tracker = createTracker({ origin });
    const r = createBatchRunner(tracker, { reorderDelay: 5 }, { onReport: (t, reps) => reports.set(t, JSON.stringify(reps)) });
    for (let k = 0; k <= 600; k++) {
      assert.equal(r.push(pos(1000 + k, 50 * k, 0, 500, 'radar-a')), null);
      // its clock 1e7 s ahead, and its lines a little out of order among themselves
      if (withJumped) assert.equal(r.push(pos(1e7 + 1000 + k + (k % 2 === 0 ? 1.5 : 0), 30_000, 20 * k, 500, 'obs-x')), null);
    }
    const pending = r.pending;
    const step = tracker.step.bind(tracker);
    tracker.step = (dets, t) => {
      for (const d of dets) if (d.sensorId === 'obs-x') taken.push(d.t);
      return step(dets, t);
    };
    r.finish();
    return { reports, pending, taken };
  };
  const clean = run(false);
  const dirty = run(true);
  for (const [t, rep] of clean.reports) assert.equal(dirty.reports.get(t), rep, `report at ${t}`);
  assert.ok(dirty.pending >= 601, `${dirty.pending} lines waiting before the end: the far ones held`);
  assert.equal(dirty.taken.length, 601, 'every held line is taken at the end');
  for (let i = 1; i < dirty.taken.length; i++) assert.ok(dirty.taken[i] >= dirty.taken[i - 1], `taken in time order (${dirty.taken[i - 1]}, ${dirty.taken[i]})`);
});

test('batch runner, live: a detection ahead of the clock waits for it and does not make the others late', () => {
  const r = createBatchRunner(createTracker({ origin }), { reorderDelay: 5 }, { onReport: () => {} });
  const refused: string[] = [];
  for (let now = 1000; now <= 1060; now++) {
    r.advanceTo(now);
    // a sensor whose clock runs 29 s ahead (the ingest lets 30 s through)
    if (now === 1010) assert.equal(r.push(pos(now + 29, 0, 0, 500, 'obs-x')), null);
    const why = r.push(pos(now - 2, 50 * (now - 1000), 0, 500, 'radar-a')); // 2 s in transit
    if (why) refused.push(`${now}: ${why}`);
  }
  assert.deepEqual(refused, []);
  assert.ok(r.latest <= 1060 + 1, `time is the clock's (${r.latest})`);
});

test('a track is not estimated underground: long-range plots below the horizon leave it at the altitude floor', () => {
  // a radar at sea level sees a target 60 km out at elevations of -1.5 degrees (one-sigma 1.35
  // degrees: 1.4 km of altitude there), as a low target's multipath or clutter gives
  const run = (altitudeFloor?: number) => {
    const tr = createTracker({ origin, ...(altitudeFloor !== undefined ? { altitudeFloor } : {}) });
    for (let k = 0; k <= 10; k++) {
      const t = 2 * k;
      const det: RangeBearingDetection = {
        type: 'range_bearing', t, sensorId: 'radar', sensorPosition: { ...origin }, range: 60000 + 100 * t, bearing: 0.5, elevation: (-1.5 * Math.PI) / 180,
        rangeSd: 20, bearingSd: 0.01, elevationSd: (1.35 * Math.PI) / 180, rangeRateSd: 1,
      };
      tr.step([det], t);
    }
    const reps = tr.report(20);
    assert.equal(reps.length, 1);
    return reps[0];
  };
  const free = run(-1e9);
  assert.ok(free.position.altM < -1000, `without a floor the plots put it at ${free.position.altM.toFixed(0)} m`);
  const held = run();
  assert.ok(held.position.altM >= -500 && held.position.altM < 500, `with the default floor (-500 m): ${held.position.altM.toFixed(0)} m`);
  // the horizontal estimate is the plots' as before
  const a = enuOf(free.position);
  const b = enuOf(held.position);
  assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) < 200, `horizontal difference ${Math.hypot(a[0] - b[0], a[1] - b[1]).toFixed(0)} m`);
  assert.throws(() => createTracker({ origin, altitudeFloor: Number.NaN }), /altitudeFloor must be a finite number/);
});
