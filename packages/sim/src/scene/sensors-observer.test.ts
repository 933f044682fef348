import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, degToRad, enuToGeodetic, geodeticToEnu, horizontalDistance, lookAngles, wrapPi, type GeoPoint } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson } from '@skywarden/formats';
import { makeObservers, observerSensorRow, simulateObserver, type ObserverModel } from './sensors-observer.js';
import { sampleTarget, trajectoryOf, type SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;
const T0 = 1764000000;
const HOME: GeoPoint = { latDeg: 37.5, lonDeg: 127.0, altM: 1.5 };
const frame = createEnuFrame(HOME);

function person(partial: Partial<ObserverModel> = {}): ObserverModel {
  return { id: 'obs-1', position: HOME, rangeMax: 2500, reportRate: 0.5, bearingSdDeg: 12, bearingBiasDeg: 5, posSdM: 600, classHintProb: 0.3, ...partial };
}

/** A drone flying east past the person, 1.5 km north of them, 400 m up, for 200 s. */
function passer(): SimTarget {
  const p = enuToGeodetic(frame, -5000, 1500, 0);
  return { id: 'T', cls: 'piston_owa', start: { latDeg: p.latDeg, lonDeg: p.lonDeg, altM: 400 }, startTime: T0, speed: 50, heading: 90 * DEG, legs: [{ duration: 200, turnRate: 0, climbRate: 0 }] };
}

test('observer rows carry the GPS fix; sensors.json gives no position; rows parse per the spec', () => {
  const o = person();
  const dets = simulateObserver(o, [trajectoryOf(passer())], { seed: 1, t0: T0, t1: T0 + 200, annotate: true });
  assert.ok(dets.length > 20, `${dets.length} rows`);
  const srow = observerSensorRow(o);
  assert.equal(srow.kind, 'observer');
  assert.equal(srow.lat, undefined);
  assert.equal(srow.lon, undefined);
  assert.equal(srow.alt_m, undefined);
  const parsed = parseSensorsJson(JSON.stringify({ sensors: [srow] }));
  assert.ok(parsed.ok);
  assert.equal(parsed.sensors.get('obs-1')!.position, undefined);
  let n = 0;
  for (const { row } of dets) {
    assert.ok(typeof row.sensor_lat === 'number' && typeof row.sensor_lon === 'number');
    const fix = { latDeg: row.sensor_lat, lonDeg: row.sensor_lon, altM: HOME.altM };
    assert.ok(horizontalDistance(fix, HOME) < 30, `GPS fix ${horizontalDistance(fix, HOME)} m off`); // 5 m per axis
    const r = parseDetectionLine(JSON.stringify(row), ++n, parsed.sensors);
    assert.ok(r && r.ok, r && !r.ok ? r.reason : 'blank');
    if (r.ok) assert.deepEqual([r.detection.sensorPosition!.latDeg, r.detection.sensorPosition!.lonDeg], [row.sensor_lat, row.sensor_lon]);
  }
  // Without its GPS fix a bearing row of a mobile sensor is rejected.
  const bare = { ...dets.find((d) => d.row.type === 'bearing')!.row, sensor_lat: undefined, sensor_lon: undefined };
  const r = parseDetectionLine(JSON.stringify(bare), 1, parsed.sensors);
  assert.ok(r && !r.ok);
});

test('observer: presses only while in range, Poisson rate, late arrival, bearings biased by the person', () => {
  const o = person({ reportRate: 1, positionShare: 0.25 });
  const tg = passer();
  const dets = simulateObserver(o, [trajectoryOf(tg)], { seed: 2, t0: T0, t1: T0 + 200, annotate: true });
  // In range (slant ≤ 2500 m) while |east| ≤ √(2500² − 1500² − 398.5²) ≈ 1955 m: 78 s.
  const inRange = (2 * Math.sqrt(2500 ** 2 - 1500 ** 2 - 398.5 ** 2)) / 50;
  assert.ok(Math.abs(dets.length - inRange) < 5 * Math.sqrt(inRange), `${dets.length} presses in ${inRange} s at 1/s`);
  const errs: number[] = [];
  let positions = 0;
  let sPos = 0;
  for (const { row, arrival } of dets) {
    assert.ok(arrival >= row.t + 1 && arrival <= row.t + 6, `delay ${arrival - row.t}`);
    const truth = sampleTarget(tg, row.t)!;
    assert.ok(lookAngles(HOME, truth.position).range <= 2500);
    assert.equal(row.sim_target, 'T');
    if (row.type === 'position') {
      positions++;
      assert.equal(row.alt_m, undefined);
      assert.equal(row.pos_sd_m, 600);
      sPos += horizontalDistance({ latDeg: row.lat!, lonDeg: row.lon!, altM: truth.position.altM }, truth.position) ** 2;
    } else {
      assert.equal(row.type, 'bearing');
      assert.equal(row.bearing_sd_deg, 12);
      assert.equal(row.elevation_deg, undefined);
      errs.push(wrapPi(degToRad(row.bearing_deg!) - lookAngles(HOME, truth.position).bearing) / DEG);
    }
  }
  assert.ok(positions > 5 && positions < 0.45 * dets.length, `${positions} position rows of ${dets.length}`);
  const rms = Math.sqrt(sPos / positions / 2);
  assert.ok(rms > 300 && rms < 1000, `position error per axis ${rms} m`);
  const mean = errs.reduce((s, x) => s + x, 0) / errs.length;
  const sd = Math.sqrt(errs.reduce((s, x) => s + (x - mean) ** 2, 0) / (errs.length - 1));
  assert.ok(Math.abs(mean - 5) < 5 * (12 / Math.sqrt(errs.length)), `mean bearing error ${mean}° (bias 5°)`);
  assert.ok(sd > 8 && sd < 16, `bearing error sd ${sd}°`);
  // Nobody presses for a target that stays out of range.
  const far = simulateObserver(o, [trajectoryOf({ ...tg, start: { ...tg.start, altM: 3000 } })], { seed: 2, t0: T0, t1: T0 + 200 });
  assert.equal(far.length, 0);
});

test('observer false reports: Poisson at far_per_hour with random bearings', () => {
  const o = person({ reportRate: 0, farPerHour: 2 });
  assert.equal(observerSensorRow(o).far_per_hour, 2);
  const dets = simulateObserver(o, [trajectoryOf(passer())], { seed: 3, t0: T0, t1: T0 + 1000 * 3600, annotate: true });
  assert.ok(Math.abs(dets.length - 2000) < 5 * Math.sqrt(2000), `${dets.length} false reports`);
  for (const { row } of dets) {
    assert.equal(row.sim_target, null);
    assert.equal(row.type, 'bearing');
  }
});

test('makeObservers: count, ids, spread over the area, per-person parameters in range', () => {
  const origin = { latDeg: 37.55, lonDeg: 127.0, altM: 0 };
  const people = makeObservers({ seed: 4, origin, count: 300 });
  assert.equal(people.length, 300);
  assert.deepEqual(makeObservers({ seed: 4, origin, count: 300 }), people);
  assert.notDeepEqual(makeObservers({ seed: 5, origin, count: 300 }), people);
  assert.equal(people[0].id, 'obs-0001');
  const f = createEnuFrame(origin);
  const quadrants = [0, 0, 0, 0];
  for (const p of people) {
    const [e, n] = geodeticToEnu(f, p.position);
    assert.ok(Math.abs(e) <= 20e3 + 1 && Math.abs(n) <= 20e3 + 1);
    quadrants[(e > 0 ? 1 : 0) + (n > 0 ? 2 : 0)]++;
    assert.ok(p.rangeMax >= 1500 && p.rangeMax <= 3000);
    assert.ok(p.bearingSdDeg >= 10 && p.bearingSdDeg <= 15);
    assert.ok(p.posSdM! >= 300 && p.posSdM! <= 1500);
    assert.ok(p.reportRate >= 0);
  }
  for (const q of quadrants) assert.ok(q > 20, `quadrants ${quadrants}`);
  const meanRate = people.reduce((s, p) => s + p.reportRate, 0) / people.length;
  assert.ok(Math.abs(meanRate * 120 - 1) < 0.3, `mean rate ${meanRate}`);
});
