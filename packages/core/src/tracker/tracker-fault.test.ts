import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic } from '../geo/index.js';
import type { GeoPoint, PositionDetection } from '../types.js';
import { createTracker, type TrackerEvent } from './tracker.js';
import { DEFAULT_COMPONENTS, type TrackerContext } from './components.js';
import type { TrackFilter } from './filter.js';

const origin: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 0 };
const frame = createEnuFrame(origin);

function pos(t: number, e: number, n: number, sensorId: string): PositionDetection {
  return { type: 'position', t, sensorId, position: enuToGeodetic(frame, e, n, 500), hasAltitude: true, posSd: 30, altSd: 30 };
}

/**
 * The default filter, with a fault planted for detections of sensor "poison": `mode` throw makes
 * its update throw, `mode` nan leaves the track's state NaN (a numeric bug that does not throw).
 */
function plantedFilter(mode: 'throw' | 'nan') {
  return (ctx: TrackerContext): TrackFilter => {
    const inner = (DEFAULT_COMPONENTS.filter as (c: TrackerContext) => TrackFilter)(ctx);
    return {
      ...inner,
      initialise: inner.initialise.bind(inner),
      predict: inner.predict.bind(inner),
      update(tr, pd) {
        if (pd.det.sensorId === 'poison') {
          if (mode === 'throw') throw new Error('planted fault');
          tr.x[0] = NaN;
          return 1;
        }
        return inner.update(tr, pd);
      },
    };
  };
}

for (const mode of ['throw', 'nan'] as const) {
  test(`a detection that faults the filter (${mode}) is reported as faulted, its track dropped, and the others are used`, () => {
    const tr = createTracker({ origin }, { filter: plantedFilter(mode) });
    const events: TrackerEvent[] = [];
    // two targets, 20 km apart, seen by an observer each second; at t = 5 and 6 the "poison"
    // sensor reports near target A in the same step as the good detections
    for (let t = 0; t < 16; t++) {
      const batch = [pos(t, 60 * t, 0, 'obs-a'), pos(t, 20_000, 60 * t, 'obs-b')];
      if (t === 5 || t === 6) batch.push(pos(t, 60 * t + 10, 5, 'poison'));
      events.push(...tr.step(batch, t));
    }
    const faulted = events.filter((e) => e.type === 'faulted');
    assert.equal(faulted.length, 2, 'both poison detections are reported');
    for (const f of faulted) {
      assert.equal(f.detection?.sensorId, 'poison', 'only the poison sensor faults');
      assert.match(f.reason ?? '', mode === 'throw' ? /planted fault/ : /non-finite/);
    }
    // the tracker goes on: both targets are held with finite states at the end
    const reports = tr.report(15);
    assert.ok(reports.length >= 2, `both targets are still tracked (${reports.length} tracks)`);
    for (const r of reports) assert.ok(Number.isFinite(r.position.latDeg) && Number.isFinite(r.positionSd), `track ${r.trackId} is finite`);
    const nearB = reports.filter((r) => Math.abs(r.position.lonDeg - enuToGeodetic(frame, 20_000, 900, 500).lonDeg) < 0.01);
    assert.equal(nearB.length, 1, 'target B, never near the poison, keeps one track');
  });
}

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
