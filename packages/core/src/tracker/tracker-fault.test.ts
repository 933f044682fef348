import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic } from '../geo/index.js';
import type { GeoPoint, PositionDetection } from '../types.js';
import { createTracker, type TrackerEvent } from './tracker.js';
import { DEFAULT_COMPONENTS, type TrackerContext, type TrackerParts } from './components.js';
import type { Hypothesiser } from './hypothesiser.js';
import type { PreparedDetection } from './prepare.js';
import type { Track } from './track.js';
import type { TrackFilter } from './filter.js';

const origin: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 0 };
const frame = createEnuFrame(origin);

function pos(t: number, e: number, n: number, sensorId: string): PositionDetection {
  return { type: 'position', t, sensorId, position: enuToGeodetic(frame, e, n, 500), hasAltitude: true, posSd: 30, altSd: 30 };
}

/** The default filter, with `update` replaced: `fault(tr, pd)` may throw or break the track, before the update or `after` it. */
function plantedFilter(fault: (tr: Track, pd: PreparedDetection) => void, after = false) {
  return (ctx: TrackerContext): TrackFilter => {
    const inner = (DEFAULT_COMPONENTS.filter as (c: TrackerContext) => TrackFilter)(ctx);
    return {
      ...inner,
      initialise: inner.initialise.bind(inner),
      predict: inner.predict.bind(inner),
      update(tr, pd) {
        if (!after) fault(tr, pd);
        const r = inner.update(tr, pd);
        if (after) fault(tr, pd);
        return r;
      },
    };
  };
}

/** The default hypothesiser, throwing on any group that holds a detection of sensor "poison" (a fault of the detection itself, whatever the tracks). */
function plantedHypothesiser(ctx: TrackerParts): Hypothesiser {
  const inner = (DEFAULT_COMPONENTS.hypothesiser as (c: TrackerParts) => Hypothesiser)(ctx);
  return {
    hypothesise(prepared, used, want, accept, out) {
      if (prepared.some((p) => p.det.sensorId === 'poison')) throw new Error('planted fault');
      inner.hypothesise(prepared, used, want, accept, out);
    },
  };
}

/** Two targets 20 km apart seen each second by an observer each; at t = 5 and 6 a "poison" sensor reports near target A. */
function run(components: Parameters<typeof createTracker>[1]) {
  const tr = createTracker({ origin }, components);
  const events: TrackerEvent[] = [];
  for (let t = 0; t < 16; t++) {
    const batch = [pos(t, 60 * t, 0, 'obs-a'), pos(t, 20_000, 60 * t, 'obs-b')];
    if (t === 5 || t === 6) batch.push(pos(t, 60 * t + 10, 5, 'poison'));
    events.push(...tr.step(batch, t));
  }
  const reports = tr.report(15);
  for (const r of reports) assert.ok(Number.isFinite(r.position.latDeg) && Number.isFinite(r.positionSd), `track ${r.trackId} is finite`);
  const nearB = reports.filter((r) => Math.abs(r.position.lonDeg - enuToGeodetic(frame, 20_000, 900, 500).lonDeg) < 0.01);
  assert.equal(nearB.length, 1, 'target B, never near the poison, keeps one track');
  assert.ok(reports.length >= 2, `both targets are still tracked (${reports.length} tracks)`);
  return { events, reports, faulted: events.filter((e) => e.type === 'faulted') };
}

test('a detection that faults on its own (whatever the tracks) is reported as faulted and skipped; the others are used', () => {
  const { faulted } = run({ hypothesiser: plantedHypothesiser });
  assert.equal(faulted.length, 2, 'both poison detections are reported');
  for (const f of faulted) {
    assert.equal(f.detection?.sensorId, 'poison');
    assert.match(f.reason ?? '', /planted fault/);
  }
});

test('a detection that leaves the track it updates non-finite is reported as faulted; the broken track is dropped', () => {
  const { faulted } = run({
    filter: plantedFilter((tr, pd) => {
      if (pd.det.sensorId === 'poison') tr.x[0] = NaN;
    }, true),
  });
  assert.equal(faulted.length, 2);
  for (const f of faulted) assert.match(f.reason ?? '', /non-finite/);
});

test('a detection that leaves its track with a finite but indefinite covariance is reported as faulted; the broken track is dropped', () => {
  const { faulted } = run({
    filter: plantedFilter((tr, pd) => {
      if (pd.det.sensorId === 'poison') tr.p[0] = -1e6; // a negative east variance: every number finite
    }, true),
  });
  assert.equal(faulted.length, 2);
  for (const f of faulted) assert.match(f.reason ?? '', /indefinite/);
});

test('a position whose altitude is a million times vaguer than its 1 mm horizontal error, 2,800-4,200 km from the origin, keeps the track sound or is not used', () => {
  // an outside probe's rows (2026-12-07, at 4,152 km): within every plausibility bound, they left
  // the track's horizontal variance negative and stopped `skywarden track` at its first report.
  // Beyond 3,000 km from the origin a position is now not used at all (prepare.ts); within it
  // (12 degrees of latitude north of the equator: 2,825 km) the track is sound
  for (const lat of [0, 12]) {
    const tr = createTracker({ origin });
    const events: TrackerEvent[] = [];
    for (let t = 0; t < 9; t++) {
      const d: PositionDetection = { type: 'position', t, sensorId: 'adsb', position: { latDeg: lat, lonDeg: 127, altM: 1000 }, hasAltitude: true, posSd: 0.001, altSd: 1e6 };
      events.push(...tr.step([d], t));
    }
    assert.equal(events.filter((e) => e.type === 'faulted').length, 0);
    const reps = tr.report(8);
    if (lat === 0) {
      assert.equal(reps.length, 0);
      const refused = events.filter((e) => e.type === 'rejected');
      assert.equal(refused.length, 9);
      assert.match((refused[0] as { reason: string }).reason, /^position 4152 km from the tracker's origin/);
      continue;
    }
    assert.equal(reps.length, 1);
    const r = reps[0];
    for (const v of [r.position.latDeg, r.position.lonDeg, r.positionSd, r.velocitySd, ...r.velocityEnu]) assert.ok(Number.isFinite(v), `a non-finite number in ${JSON.stringify(r)}`);
    assert.ok(r.positionSd < 1, `one-sigma ${r.positionSd} m`);
    assert.ok(Math.abs(r.position.latDeg - lat) < 1e-6 && Math.abs(r.position.lonDeg - 127) < 1e-6, 'where the detections put it');
  }
});

test("a track whose (finite) state makes every update throw is dropped; the detections that met it are not blamed", () => {
  let broken: string | null = null;
  const { events, reports, faulted } = run({
    filter: plantedFilter((tr) => {
      broken ??= tr.id; // the first track updated is the broken one
      if (tr.id === broken) throw new Error('broken track state');
    }),
  });
  assert.equal(faulted.length, 0, 'no detection quarantined for the track\'s fault');
  assert.ok(broken !== null);
  // it was dropped the first time it faulted (a tentative track goes without a 'deleted' event): it never updates again
  assert.equal(events.filter((e) => e.type === 'updated' && e.trackId === broken).length, 0);
  assert.ok(!reports.some((r) => r.trackId === broken), 'the broken track is gone');
});

test('a detection that faults the acoustic network is skipped alone', () => {
  const tr = createTracker({ origin });
  const good = pos(0, 0, 0, 'obs');
  // a detection object whose position getter throws: the tracker reports it and takes the other
  const bad = pos(0, 100, 0, 'obs2');
  Object.defineProperty(bad, 'position', { get() { throw new Error('unreadable position'); } });
  const events = tr.step([good, bad], 0);
  const f = events.filter((e) => e.type === 'faulted');
  assert.equal(f.length, 1);
  assert.equal(f[0].detection, bad);
  assert.equal(tr.tracks().length, 1, 'the good detection started its track');
});

test('a flood of copies from one sensor costs one detection per scan and place, not a track each', () => {
  const tr = createTracker({ origin });
  let tracksMax = 0;
  let repeats = 0;
  // 20,000 copies of one report, 0.2 ms apart (4 s), stepped each second as the service does
  for (let s = 0; s < 4; s++) {
    const batch: PositionDetection[] = [];
    for (let i = 0; i < 5000; i++) batch.push({ ...pos(s + i * 0.0002, 1000, 1000, 'radar'), id: `f${s}-${i}` });
    const ev = tr.step(batch, s + 1);
    repeats += ev.filter((e) => e.type === 'rejected' && /repeats a detection of sensor radar/.test(e.reason ?? '')).length;
    tracksMax = Math.max(tracksMax, tr.tracks().length);
  }
  // a step of one second holds 20 scans: before its merge at most one new track per scan
  assert.ok(tracksMax <= 25, `at most one track per scan at the spot, got ${tracksMax} (before: thousands)`);
  // one kept per 50 ms scan: 20 a second
  assert.ok(repeats >= 20_000 - 4 * 21 && repeats < 20_000, `${repeats} repeats refused`);
});

test('two targets the sensor resolves in one scan are both kept', () => {
  const tr = createTracker({ origin });
  for (let t = 0; t < 5; t++) {
    const ev = tr.step([pos(t, 60 * t, 0, 'radar'), pos(t + 0.001, 60 * t, 300, 'radar')], t + 0.5);
    assert.equal(ev.filter((e) => e.type === 'rejected').length, 0);
  }
  assert.equal(tr.report(4.5).length, 2);
});
