import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destination } from '../geo/index.js';
import { coverageEvidence, scoreCoverage, type CoverageDetection } from './coverage.js';
import type { ScoredPoint } from './score-tracks.js';

const base = { latDeg: 37.5, lonDeg: 127, altM: 300 };
const at = (bearingDeg: number, d: number) => destination(base, (bearingDeg * Math.PI) / 180, d);
const cat = (s: ReturnType<typeof scoreCoverage>, c: string) => s.categories.find((x) => x.category === c)!;

test('evidence of a detection: cooperative, radar, observer, presence, bearing', () => {
  assert.equal(coverageEvidence('position', 'adsb'), 'cooperative');
  assert.equal(coverageEvidence('position', 'acoustic', true), 'cooperative');
  assert.equal(coverageEvidence('range_bearing', 'radar'), 'radar');
  assert.equal(coverageEvidence('bearing', 'observer'), 'observer');
  assert.equal(coverageEvidence('position', 'observer'), 'observer');
  assert.equal(coverageEvidence('presence', 'acoustic'), 'presence');
  assert.equal(coverageEvidence('bearing', 'acoustic'), 'bearing');
  assert.equal(coverageEvidence('bearing', 'rf'), 'bearing');
  assert.equal(coverageEvidence('position', 'lidar'), 'radar');
});

test('observable needs 2 detections in the last 60 s; covered needs a track within 2 km', () => {
  // one target at base for t = 0..99; presence detections at t = 10, 20; then nothing until 90
  const truth: ScoredPoint[] = [];
  for (let t = 0; t < 100; t++) truth.push({ t, id: 'T1', position: base });
  const det: CoverageDetection[] = [
    { t: 10, target: 'T1', evidence: 'presence' },
    { t: 20, target: 'T1', evidence: 'presence' },
    { t: 90, target: 'T1', evidence: 'presence' },
    { t: 15, target: null, evidence: 'presence' }, // a false alarm: ignored
  ];
  // a track 500 m off at t = 25..49, 3 km off at t = 50..59
  const tracks: ScoredPoint[] = [];
  for (let t = 25; t < 50; t++) tracks.push({ t, id: '7', position: at(90, 500) });
  for (let t = 50; t < 60; t++) tracks.push({ t, id: '7', position: at(90, 3000) });
  const s = scoreCoverage(truth, det, tracks, { sensors: 500 });
  // observable: t in [20, 70] (both detections within [t − 60, t]): 51 s; t = 90..99 has one only
  assert.equal(s.observable, 51);
  assert.equal(s.covered, 25);
  assert.equal(s.unobservable, 49);
  assert.equal(s.unobservableCovered, 0);
  assert.ok(Math.abs(s.coveredShare - 25 / 51) < 1e-12);
  assert.ok(Math.abs(s.missedShare - 26 / 51) < 1e-12);
  const p = cat(s, 'presence');
  assert.equal(p.observable, 51);
  assert.equal(p.covered, 25);
  assert.ok(Math.abs(p.medianErrorM - 500) < 1, `median ${p.medianErrorM}`);
  assert.ok(Math.abs(p.p90ErrorM - 500) < 1);
  assert.equal(cat(s, 'radar').observable, 0);
  assert.ok(Number.isNaN(cat(s, 'radar').coveredShare));
  // the 3 km rows are false: 10 false rows over 100 steps, 0.1 per step, 0.2 per 1,000 sensors at 500 sensors
  assert.equal(s.falseSteps, 100);
  assert.equal(s.falseRows, 10);
  assert.ok(Math.abs(s.falseTracksPer1000Sensors - 0.2) < 1e-12);
  assert.equal(s.falseOnlyTracks, 0);
  // first detection at 10, first covered at 25
  assert.deepEqual(s.timeToTrack, { detectedTargets: 1, coveredTargets: 1, medianS: 15, p90S: 15 });
  assert.equal(s.idSwitches, 0);
});

test('categories follow what observed the target in the window', () => {
  const ids = ['P', 'B', 'M', 'O', 'R', 'C'];
  const truth: ScoredPoint[] = [];
  for (let t = 0; t < 10; t++) for (const id of ids) truth.push({ t, id, position: base });
  const det: CoverageDetection[] = [];
  const two = (id: string, a: CoverageDetection['evidence'], b: CoverageDetection['evidence']) => {
    det.push({ t: 0, target: id, evidence: a }, { t: 0, target: id, evidence: b });
  };
  two('P', 'presence', 'presence');
  two('B', 'bearing', 'bearing');
  two('M', 'presence', 'bearing');
  two('O', 'observer', 'bearing');
  two('R', 'radar', 'presence');
  two('C', 'cooperative', 'radar');
  const s = scoreCoverage(truth, det, []);
  for (const [c, n] of [['presence', 10], ['bearings', 10], ['mixed', 10], ['observers', 10], ['radar', 10], ['cooperative', 10]] as const) {
    assert.equal(cat(s, c).observable, n, c);
    assert.equal(cat(s, c).covered, 0, c);
  }
  assert.equal(s.observable, 60);
  assert.equal(s.missedShare, 1);
  assert.deepEqual(s.timeToTrack, { detectedTargets: 6, coveredTargets: 0, medianS: NaN, p90S: NaN });
});

test('a track far from every target is false; an id change counts a switch', () => {
  const truth: ScoredPoint[] = [];
  const tracks: ScoredPoint[] = [];
  const det: CoverageDetection[] = [];
  for (let t = 0; t < 20; t++) {
    truth.push({ t, id: 'T1', position: base });
    det.push({ t, target: 'T1', evidence: 'radar' });
    tracks.push({ t, id: t < 10 ? 'a' : 'b', position: at(0, 100) });
    tracks.push({ t, id: 'far', position: at(180, 10000) });
  }
  const s = scoreCoverage(truth, det, tracks, { sensors: 2000 });
  assert.equal(s.observable, 19); // t = 0 has one detection only
  assert.equal(s.covered, 19);
  assert.equal(cat(s, 'radar').covered, 19);
  assert.equal(s.falseRows, 20);
  assert.equal(s.falseTracksPerStep, 1);
  assert.equal(s.falseTracksPer1000Sensors, 0.5);
  assert.equal(s.falseOnlyTracks, 1);
  assert.equal(s.idSwitches, 1);
  assert.deepEqual(s.timeToTrack, { detectedTargets: 1, coveredTargets: 1, medianS: 0, p90S: 0 });
});

test('observable GOSPA: unobservable targets and the tracks on them cost nothing; duplicates and strays are false', () => {
  // T1 observable from t = 0 (detections at −5 and 0); T2, 20 km north, never heard
  const t2 = at(0, 20_000);
  const truth: ScoredPoint[] = [];
  for (let t = 0; t < 12; t++) truth.push({ t, id: 'T1', position: base }, { t, id: 'T2', position: t2 });
  const det: CoverageDetection[] = [
    { t: -5, target: 'T1', evidence: 'presence' },
    { t: 0, target: 'T1', evidence: 'presence' },
  ];
  const onT2 = destination(t2, Math.PI / 2, 100);
  const stray = at(180, 30_000);
  const tracks: ScoredPoint[] = [];
  for (let t = 0; t < 12; t++) tracks.push({ t, id: 'B', position: onT2 }, { t, id: 'C', position: stray });
  for (let t = 0; t < 5; t++) tracks.push({ t, id: 'A', position: at(90, 500) });
  for (let t = 5; t < 10; t++) tracks.push({ t, id: 'A', position: at(90, 800) }, { t, id: 'D', position: at(270, 900) });
  const s = scoreCoverage(truth, det, tracks);
  const og = s.observableGospa;
  // t 0-4: 500² + one false (C) → 1,500 m; t 5-9: 800² + two false (D, C) → √4.64e6; t 10-11:
  // T1 missed and C false → 2,000 m. B on the unobservable T2 counts neither way.
  const want = (5 * 1500 + 5 * Math.sqrt(640_000 + 4e6) + 2 * 2000) / 12;
  assert.ok(Math.abs(og.gospa - want) < 0.5, `observable GOSPA ${og.gospa}, want ${want}`);
  assert.equal(og.times, 12);
  assert.ok(Math.abs(og.meanMissedTargets - 2 / 12) < 1e-12);
  assert.ok(Math.abs(og.meanFalseTracks - 17 / 12) < 1e-12);
  assert.ok(Math.abs(og.localisation - (5 * 500 + 5 * 800) / 12) < 0.5, `localisation ${og.localisation}`);
  // the same tracks with T2 heard too: B is then a held target, not a don't-care; with T2 heard
  // and B gone, T2 is missed
  const heard = [...det, { t: -5, target: 'T2', evidence: 'presence' as const }, { t: 0, target: 'T2', evidence: 'presence' as const }];
  const withB = scoreCoverage(truth, heard, tracks).observableGospa;
  assert.ok(withB.gospa > og.gospa, 'B at 100 m adds 100² at every time');
  const noB = scoreCoverage(truth, heard, tracks.filter((p) => p.id !== 'B')).observableGospa;
  assert.ok(Math.abs(noB.meanMissedTargets - (12 + 2) / 12) < 1e-12, `missed ${noB.meanMissedTargets}`);
});
