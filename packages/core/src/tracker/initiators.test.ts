import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBearingInitiator } from './bearing-initiator.js';
import { initiatorConformance } from './initiator-conformance.test.js';
import { DEFAULT_TRACKER_OPTIONS } from './options.js';
import { createPointInitiator } from './point-initiator.js';
import { prepareDetection, type PrepareContext, type PreparedDetection } from './prepare.js';
import { createPresenceInitiator } from './presence-initiator.js';
import { bearingDet, FRAME, geo, positionDet, presenceDet } from './testing.js';
import type { Detection } from '../types.js';

const o = { ...DEFAULT_TRACKER_OPTIONS, frame: FRAME };
const ctx: PrepareContext = {
  global: FRAME,
  assumedAltitude: o.assumedAltitude,
  assumedAltitudeSd: o.assumedAltitudeSd,
  soundSpeed: o.soundSpeed,
  bearingReach: o.bearingReach,
  sensorFrames: new Map(),
};

function prep(det: Detection): PreparedDetection {
  const r = prepareDetection(ctx, det);
  if ('reason' in r) throw new Error(r.reason);
  return r;
}

const target: [number, number, number] = [3000, 4000, 500];
const zero = () => 0;
const point = () => prep(positionDet('obs', 'observer', target, 100, 30, zero, true));
const ray = () => prep(bearingDet('eo1', 'eo', [0, 0, 0], target, 100, 0.01, 0));
const disc = () => prep(presenceDet('mic1', [3000, 3500, 0], 1000, 100));

initiatorConformance('point initiator', () => createPointInitiator(o), {
  localising: (t0) => [prep(positionDet('obs', 'observer', target, t0, 30, zero, true))],
  truth: [target[0], target[1]],
  tolerance: 5,
  window: 0,
  otherShape: ray,
});

initiatorConformance('bearing initiator', () => createBearingInitiator(o), {
  localising: (t0, gap) => [
    prep(bearingDet('eo1', 'eo', [0, 0, 0], target, t0, 0.01, 0)),
    prep(bearingDet('eo2', 'eo', [6000, 0, 0], target, t0 + gap, 0.01, 0)),
  ],
  truth: [target[0], target[1]],
  tolerance: 50,
  window: o.bearingInitWindow,
  otherShape: disc,
});

initiatorConformance('presence initiator', () => createPresenceInitiator(o), {
  localising: (t0, gap) => [prep(presenceDet('mic1', [2500, 4000, 0], 1000, t0)), prep(presenceDet('mic2', [3500, 4000, 0], 1000, t0 + gap))],
  truth: [target[0], target[1]],
  tolerance: 100,
  window: o.presenceInitWindow,
  otherShape: point,
});

test('bearing initiator: two bearings of one sensor, or nearly parallel ones, start nothing', () => {
  const ini = createBearingInitiator(o);
  assert.equal(ini.initiate(prep(bearingDet('eo1', 'eo', [0, 0, 0], target, 100, 0.01, 0))), null);
  assert.equal(ini.initiate(prep(bearingDet('eo1', 'eo', [0, 0, 0], [3100, 4000, 500], 101, 0.01, 0))), null, 'same sensor');
  // a second sensor right behind the first along the line of sight: the rays cross at ~0°
  assert.equal(ini.initiate(prep(bearingDet('eo3', 'eo', [-300, -400, 0], target, 102, 0.01, 0))), null, 'parallel rays');
  assert.ok(ini.initiate(prep(bearingDet('eo2', 'eo', [6000, 0, 0], target, 103, 0.01, 0))), 'a proper crossing still starts one');
});

test('presence initiator: needs presenceInitSensors distinct sensors with overlapping discs', () => {
  const three = createPresenceInitiator({ ...o, presenceInitSensors: 3 });
  assert.equal(three.initiate(prep(presenceDet('mic1', [2500, 4000, 0], 1000, 100))), null);
  assert.equal(three.initiate(prep(presenceDet('mic2', [3500, 4000, 0], 1000, 100.5))), null, 'two of three');
  assert.ok(three.initiate(prep(presenceDet('mic3', [3000, 4700, 0], 1000, 101))), 'the third starts it');
  const far = createPresenceInitiator(o);
  assert.equal(far.initiate(prep(presenceDet('mic1', [0, 0, 0], 1000, 100))), null);
  assert.equal(far.initiate(prep(presenceDet('mic2', [9000, 0, 0], 1000, 100.5))), null, 'discs 9 km apart do not overlap');
});

test('a position farther from its sensor than twice its range_m (beyond five of its one-sigmas) is not used, named; within it, or with no range or sensor position known, it is', () => {
  const at = (e: number, n: number, sd = 30) => ({ ...positionDet('adsb-1', 'adsb', [e, n, 1000], 100, sd, zero, true), sensorPosition: geo(0, 0, 0), sensorRange: 10_000 });
  const far = prepareDetection(ctx, at(30_000, 0));
  assert.ok('reason' in far);
  assert.match(far.reason, /^position 30\.0 km from its sensor, beyond 2 times the sensor's range_m \(10\.0 km\)$/);
  assert.ok(!('reason' in prepareDetection(ctx, at(19_000, 0))), 'within twice the range');
  assert.ok(!('reason' in prepareDetection(ctx, at(0, 24_000, 1000))), 'beyond twice the range by less than five of its one-sigmas (1 km each)');
  assert.ok('reason' in prepareDetection(ctx, at(0, 26_000, 1000)));
  const { sensorRange: _r, ...noRange } = at(30_000, 0);
  assert.ok(!('reason' in prepareDetection(ctx, noRange)), 'no range declared: not judged');
  const { sensorPosition: _p, ...noSensor } = at(30_000, 0);
  assert.ok(!('reason' in prepareDetection(ctx, noSensor)), 'no sensor position: not judged');
});

test('a position more than 3,000 km from the tracker\'s origin is not used, whatever its sensor declares', () => {
  // on the origin's parallel, 55 degrees of longitude east (3,814 km on the ellipsoid) and 30 (2,116 km)
  const at = (dLon: number) => ({ ...positionDet('adsb-1', 'adsb', [0, 0, 1000], 100, 30, zero, true), position: { latDeg: FRAME.origin.latDeg, lonDeg: FRAME.origin.lonDeg + dLon, altM: 1000 } });
  const far = prepareDetection(ctx, at(55));
  assert.ok('reason' in far);
  assert.match(far.reason, /^position 3814 km from the tracker's origin \(the sensors' centre\), beyond the 3000 km its local frame holds$/);
  assert.ok(!('reason' in prepareDetection(ctx, at(30))));
});
