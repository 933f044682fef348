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
