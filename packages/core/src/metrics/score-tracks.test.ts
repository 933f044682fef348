import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destination } from '../geo/index.js';
import { createTrackScorer, scoreTracks, type ScoredPoint } from './score-tracks.js';

const base = { latDeg: 37.5, lonDeg: 127, altM: 300 };
const at = (bearingDeg: number, d: number) => destination(base, (bearingDeg * Math.PI) / 180, d);

test('one target followed 100 m off by one track: GOSPA 100, no misses, no switches', () => {
  const truth: ScoredPoint[] = [];
  const tracks: ScoredPoint[] = [];
  for (let t = 0; t < 10; t++) {
    truth.push({ t, id: 'T1', position: base });
    tracks.push({ t, id: '7', position: at(90, 100) });
  }
  const s = scoreTracks(truth, tracks);
  assert.equal(s.times, 10);
  assert.ok(Math.abs(s.gospa - 100) < 1e-6, `gospa ${s.gospa}`);
  assert.ok(Math.abs(s.localisation - 100) < 1e-6);
  assert.equal(s.missed, 0);
  assert.equal(s.false, 0);
  assert.equal(s.idSwitches, 0);
  assert.equal(s.targetsTracked, 1);
  assert.ok(Math.abs(s.medianError - 100) < 1e-6);
  const inc = createTrackScorer();
  for (let t = 0; t < 10; t++) inc.addTime(t, [truth[t]], [tracks[t]]);
  const r = inc.result();
  assert.ok(r.medianError > 99 && r.medianError < 101, `histogram median ${r.medianError}`); // the middle of a 1 m bin
});

test('a missed target costs c/√2 with p = 2, and a far track is a miss plus a false track', () => {
  const truth: ScoredPoint[] = [{ t: 0, id: 'T1', position: base }];
  const none = scoreTracks(truth, []);
  assert.ok(Math.abs(none.gospa - 2000 / Math.SQRT2) < 1e-9);
  assert.equal(none.meanMissedTargets, 1);
  assert.equal(none.targetsTracked, 0);
  const far = scoreTracks(truth, [{ t: 0, id: 'x', position: at(0, 5000) }]);
  assert.ok(Math.abs(far.gospa - 2000) < 1e-9, `gospa ${far.gospa}`);
  assert.equal(far.meanFalseTracks, 1);
  assert.equal(far.meanMissedTargets, 1);
});

test('id switches count each change of the track assigned to a target', () => {
  const truth: ScoredPoint[] = [];
  const tracks: ScoredPoint[] = [];
  const ids = ['a', 'a', 'b', 'b', 'a', 'c'];
  ids.forEach((id, t) => {
    truth.push({ t, id: 'T1', position: base });
    tracks.push({ t, id, position: at(45, 50) });
  });
  assert.equal(scoreTracks(truth, tracks).idSwitches, 3);
});

test('track rows at times with no truth are not scored; the incremental scorer equals the batch one', () => {
  const truth: ScoredPoint[] = [{ t: 1, id: 'A', position: base }, { t: 1, id: 'B', position: at(0, 3000) }, { t: 2, id: 'A', position: base }];
  const tracks: ScoredPoint[] = [{ t: 0, id: '1', position: base }, { t: 1, id: '1', position: at(90, 30) }, { t: 2, id: '1', position: at(90, 40) }, { t: 2, id: '2', position: at(0, 2900) }];
  const s = scoreTracks(truth, tracks);
  // t=1: A at 30 m, B missed → sqrt(30² + 2000²/2); t=2: A at 40 m, one false → sqrt(40² + 2000²/2)
  const expect = (Math.sqrt(900 + 2e6) + Math.sqrt(1600 + 2e6)) / 2;
  assert.ok(Math.abs(s.gospa - expect) < 1e-6, `gospa ${s.gospa} vs ${expect}`);
  const inc = createTrackScorer();
  inc.addTime(2, truth.filter((x) => x.t === 2), tracks.filter((x) => x.t === 2));
  inc.addTime(1, truth.filter((x) => x.t === 1), tracks.filter((x) => x.t === 1));
  assert.ok(Math.abs(inc.result().gospa - expect) < 1e-6);
});

test('the incremental scorer\'s quantiles stay within the errors seen: tracks exactly on their targets give 0, not a bin\'s middle', () => {
  const inc = createTrackScorer();
  for (let t = 0; t < 10; t++) inc.addTime(t, [{ t, id: 'T1', position: base }], [{ t, id: '7', position: base }]);
  const r = inc.result();
  assert.equal(r.rmsError, 0);
  assert.equal(r.medianError, 0);
  assert.equal(r.p95Error, 0);
  // no row matched: no error to give
  const none = createTrackScorer();
  none.addTime(0, [{ t: 0, id: 'T1', position: base }], []);
  assert.ok(Number.isNaN(none.result().medianError));
});
