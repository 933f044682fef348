import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveReports } from '../picture/overrides.js';
import { squareArea } from '../threat/testing.js';
import type { TrackReport } from '../tracker/tracker.js';
import { createWarningRunner, type WarningZone } from './warning-runner.js';

const origin = { latDeg: 37.5, lonDeg: 127.0, altM: 500 };
/** A district whose near edge is 15 km north of the track. */
const zones: WarningZone[] = [{ id: 'd', area: squareArea(origin, 0, 20_000, 10_000), leadS: 300 }];

/** A confirmed track at `origin` whose velocity estimate says 110 ± 20 m/s north (a young radar track). */
function report(classProbs: Record<string, number>, threatProbability: number): TrackReport {
  return { t: 0, trackId: '1', status: 'confirmed', position: origin, altitudeObservable: true, velocityEnu: [0, 110, 0], positionSd: 100, velocitySd: 20, altitudeSd: 30, classProbs, threatProbability, sensors: ['r1'] };
}

test("a track's predicted paths fly no faster than its class can: a Shahed-type estimated at 110 m/s is not IMMINENT for a district 15 km away", () => {
  const shahed = createWarningRunner(zones);
  const [raise] = shahed.onReport(0, [report({ piston_owa: 1 }, 1)]);
  // warned (entry within the 300 s lead), but at 70 m/s, the class's top speed, 15 km take 210 s and more
  assert.equal(raise?.state, 'alert');
  const th = shahed.threats.find((x) => x.zone === 'd')!;
  assert.ok(th.etaMinS >= (15_000 - 300) / 70, `earliest entry ${th.etaMinS} s`);
  assert.equal(th.imminentProbability, 0);
  assert.equal(shahed.machine.state().get('d')!.tier, 'warning');
  // a jet-type drone may fly 200 m/s: the same estimate makes the district IMMINENT
  const jet = createWarningRunner(zones);
  jet.onReport(0, [report({ jet_owa: 1 }, 1)]);
  assert.equal(jet.machine.state().get('d')!.tier, 'imminent');
  // a track the identifier gives 20 % of being a jet keeps the jet's speed
  const unsure = createWarningRunner(zones);
  unsure.onReport(0, [report({ piston_owa: 0.8, jet_owa: 0.2 }, 1)]);
  assert.equal(unsure.machine.state().get('d')!.tier, 'imminent');
});

test("an operator's class label sets the speed bound as it sets the threat", () => {
  const r = report({ jet_owa: 0.9, aircraft: 0.1 }, 0.9);
  const [eff] = effectiveReports([r], new Map([['1', { label: 'piston_owa' }]]));
  assert.deepEqual(eff.classProbs, { piston_owa: 1 });
  assert.equal(eff.threatProbability, 1);
  const runner = createWarningRunner(zones);
  runner.onReport(0, [eff]);
  assert.equal(runner.machine.state().get('d')!.tier, 'warning');
  // the report itself is not changed
  assert.deepEqual(r.classProbs, { jet_owa: 0.9, aircraft: 0.1 });
});

test('a track the predictor refuses (at a pole, a non-finite velocity) gives no threats and takes no other track\'s warning with it', () => {
  for (const reuse of [undefined, false] as const) {
    const runner = createWarningRunner(zones, reuse === false ? { reuse: false } : {});
    const polar: TrackReport = { ...report({ piston_owa: 1 }, 1), trackId: 'pole', position: { latDeg: 89.95, lonDeg: 10, altM: 300 } };
    const broken: TrackReport = { ...report({ piston_owa: 1 }, 1), trackId: 'nan', velocityEnu: [NaN, 0, 0] };
    const [raise] = runner.onReport(0, [polar, report({ piston_owa: 1 }, 1), broken]);
    assert.equal(raise?.state, 'alert', `reuse ${reuse}: the real threat still raises its district`);
    assert.deepEqual([...new Set(runner.threats.map((x) => x.track))], ['1']);
    assert.equal(runner.predictions.refused, 2);
    assert.match(runner.predictions.lastRefusal!, /track nan velocity must be finite/);
  }
});
