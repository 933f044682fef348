import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBayesIdentifier } from './bayes-identifier.js';
import { createPairList } from './hypothesiser.js';
import { createImmFilter } from './imm-filter.js';
import { createMahalanobisHypothesiser } from './mahalanobis-hypothesiser.js';
import { DEFAULT_TRACKER_OPTIONS } from './options.js';
import { createPointInitiator } from './point-initiator.js';
import { prepareDetection, type PrepareContext, type PreparedDetection } from './prepare.js';
import { FRAME, positionDet } from './testing.js';
import type { Track } from './track.js';
import { createTrackStarter } from './track-starter.js';
import { createTrackTable } from './track-table.js';
import type { TrackerEvent, TrackerStats } from './tracker.js';
import type { Detection } from '../types.js';

const o = DEFAULT_TRACKER_OPTIONS;
const ctx: PrepareContext = { global: FRAME, assumedAltitude: 500, assumedAltitudeSd: 700, soundSpeed: 343, bearingReach: o.bearingReach, sensorFrames: new Map() };
const zero = () => 0;

function prep(det: Detection): PreparedDetection {
  const r = prepareDetection(ctx, det);
  if ('reason' in r) throw new Error(r.reason);
  return r;
}

/** A track table with tracks started at the given points (t = 10), and a hypothesiser over it. */
function setup(points: [number, number, number][], coop?: string) {
  const table = createTrackTable({ gridCell: 2000 });
  const filter = createImmFilter({ frame: FRAME, motionModes: o.motionModes, initialModeProbabilities: o.initialModeProbabilities });
  const identifier = createBayesIdentifier({ frame: FRAME, confirmHits: 4, altitudeObservableSd: 600 });
  const stats: TrackerStats = { detections: 0, candidates: 0, innovations: 0, gated: 0, started: 0, confirmed: 0, birthsRefused: 0, mixtures: 0, mixturesFallback: 0, stationaryDropped: 0, stationaryRefused: 0, rangeScale: 1, rangeScaleTracks: 0, sourcePrior: [0.5, 0.3, 0.2], sourcePriorTracks: 0 };
  const start = createTrackStarter({ table, filter, identifier, stats, confirmHits: 4 });
  const ini = createPointInitiator(o);
  const events: TrackerEvent[] = [];
  const tracks: Track[] = points.map((p, i) => start(ini.initiate(prep(positionDet('obs', 'observer', p, 10, 30, zero, true, i === 0 ? coop : undefined)))!, events));
  table.beginStep(11, 11);
  const hyp = createMahalanobisHypothesiser({ table, filter, stats, gateProbability: o.gateProbability, sameScanWindow: o.sameScanWindow });
  return { table, hyp, stats, tracks };
}

const all = () => true;

test('mahalanobis hypothesiser: a detection near one track gates with it only; a far one meets no track at all', () => {
  const { hyp, stats, tracks } = setup([[0, 0, 500], [10000, 0, 500]]);
  const pairs = createPairList();
  const dets = [prep(positionDet('obs', 'observer', [30, 20, 500], 11, 30, zero, true)), prep(positionDet('obs', 'observer', [60000, 60000, 500], 11, 30, zero, true))];
  hyp.hypothesise(dets, new Uint8Array(2), new Uint8Array([1, 1]), all, pairs);
  assert.deepEqual(pairs.det, [0]);
  assert.deepEqual(pairs.track, [tracks[0].slot]);
  assert.ok(pairs.cost[0] >= 0 && pairs.cost[0] < 1, `cost ${pairs.cost[0]}`);
  // the spatial grid: the track 10 km away is no candidate of the first, and nothing is near the far one
  assert.equal(stats.candidates, 1);
  assert.equal(stats.gated, 1);
});

test('mahalanobis hypothesiser: used or unwanted detections, and tracks the stage refuses, are skipped', () => {
  const { hyp, tracks } = setup([[0, 0, 500]]);
  const pairs = createPairList();
  const dets = [prep(positionDet('obs', 'observer', [30, 20, 500], 11, 30, zero, true))];
  hyp.hypothesise(dets, new Uint8Array([1]), new Uint8Array([1]), all, pairs);
  assert.equal(pairs.det.length, 0, 'used');
  hyp.hypothesise(dets, new Uint8Array(1), new Uint8Array([0]), all, pairs);
  assert.equal(pairs.det.length, 0, 'not wanted');
  hyp.hypothesise(dets, new Uint8Array(1), new Uint8Array([1]), (tr) => tr !== tracks[0], pairs);
  assert.equal(pairs.det.length, 0, 'refused by the stage');
  hyp.hypothesise(dets, new Uint8Array(1), new Uint8Array([1]), all, pairs);
  assert.equal(pairs.det.length, 1);
});

test('mahalanobis hypothesiser: a cooperative identity goes to its own track, at no cost, and never to another', () => {
  const { hyp, tracks } = setup([[0, 0, 500], [100, 0, 500]], 'ABC');
  const pairs = createPairList();
  // right on the second track, but it carries the first track's identity (150 m away)
  const d = positionDet('adsb', 'adsb', [100, 0, 500], 11, 30, zero, true, 'ABC');
  hyp.hypothesise([prep(d)], new Uint8Array(1), new Uint8Array([1]), all, pairs);
  assert.deepEqual(pairs.track, [tracks[0].slot]);
  assert.deepEqual(pairs.cost, [0]);
  // another identity, right on the first track: that track carries ABC, so only the second one gates it
  const other = positionDet('adsb', 'adsb', [0, 0, 500], 11, 30, zero, true, 'XYZ');
  hyp.hypothesise([prep(other)], new Uint8Array(1), new Uint8Array([1]), all, pairs);
  assert.deepEqual(pairs.track, [tracks[1].slot]);
});

test('mahalanobis hypothesiser: a track takes its detections of a group in time order', () => {
  const { hyp, tracks } = setup([[0, 0, 500]]);
  const pairs = createPairList();
  const dets = [
    prep(positionDet('obs', 'observer', [10, 0, 500], 11, 30, zero, true)),
    prep(positionDet('obs', 'observer', [20, 0, 500], 11.2, 30, zero, true)),
  ];
  hyp.hypothesise(dets, new Uint8Array(2), new Uint8Array([1, 1]), all, pairs);
  assert.deepEqual(pairs.det, [0], 'only the earliest this round');
  assert.deepEqual(pairs.track, [tracks[0].slot]);
  assert.deepEqual(pairs.deferred, [1], 'the later one is put off');
});
