import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, enuToGeodetic, geodeticToEnu, horizontalDistance, type GeoPoint } from '@skywarden/core';
import { planRoute } from './routes.js';
import { createRng } from './rng.js';
import { sampleTarget, type SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;
const T0 = 1764000000;
const ORIGIN: GeoPoint = { latDeg: 37.55, lonDeg: 127.0, altM: 0 };

test('a planned dog-leg route passes through its waypoints, turning at the drawn rates', () => {
  const f = createEnuFrame(ORIGIN);
  const wps = [[-25e3, -20e3], [-8e3, -5e3], [3e3, 4e3], [22e3, 2e3], [30e3, 20e3]].map(([e, n]) => enuToGeodetic(f, e, n, 0));
  const rng = createRng(1);
  const route = planRoute(rng, wps, { speed: 50, turnRate: [2 * DEG, 6 * DEG], altitude: 800, climbProb: 0.5, altRange: [100, 2000] });
  const tg: SimTarget = { id: 'R', cls: 'piston_owa', start: route.start, startTime: T0, speed: 50, heading: route.heading, legs: route.legs };
  assert.equal(route.legs.reduce((s, l) => s + l.duration, 0), route.duration);
  const turns = route.legs.filter((l) => l.turnRate !== 0);
  assert.equal(turns.length, 3);
  for (const l of turns) assert.ok(Math.abs(l.turnRate) >= 2 * DEG - 1e-12 && Math.abs(l.turnRate) <= 6 * DEG + 1e-12);
  // Closest approach to every waypoint (sampled each second) within 50 m.
  for (const w of wps) {
    let best = Infinity;
    for (let t = 0; t <= route.duration; t += 1) best = Math.min(best, horizontalDistance(sampleTarget(tg, T0 + t)!.position, w));
    assert.ok(best < 50, `waypoint missed by ${best} m`);
  }
  // Altitude stays within the range; the route length is about the polyline's.
  for (let t = 0; t <= route.duration; t += 5) {
    const a = sampleTarget(tg, T0 + t)!.position.altM;
    assert.ok(a >= 100 - 1e-6 && a <= 2000 + 1e-6, `altitude ${a}`);
  }
  let poly = 0;
  for (let i = 1; i < wps.length; i++) poly += horizontalDistance(wps[i - 1], wps[i]);
  // Turns start at a waypoint and bulge outwards: a little longer than the polyline.
  assert.ok(route.duration * 50 > poly && route.duration * 50 < poly + 3000, `${route.duration * 50} m flown for ${poly} m of polyline`);
  const end = geodeticToEnu(f, sampleTarget(tg, T0 + route.duration)!.position);
  assert.ok(Math.hypot(end[0] - 30e3, end[1] - 20e3) < 50);
});

test('a strike route ends with a dive to the ground', () => {
  const f = createEnuFrame(ORIGIN);
  const route = planRoute(createRng(2), [enuToGeodetic(f, 0, 0, 0), enuToGeodetic(f, 10e3, 0, 0)], { speed: 50, turnRate: [2 * DEG, 4 * DEG], altitude: 1200, dive: true, groundAltM: 30 });
  const last = route.legs[route.legs.length - 1];
  assert.ok(last.climbRate <= -20 + 1e-9 && last.climbRate >= -40 - 1e-9);
  const tg: SimTarget = { id: 'S', cls: 'piston_owa', start: route.start, startTime: T0, speed: 50, heading: route.heading, legs: route.legs };
  assert.ok(Math.abs(sampleTarget(tg, T0 + route.duration)!.position.altM - 30) < 1e-6);
  assert.throws(() => planRoute(createRng(1), [ORIGIN], { speed: 50, turnRate: [1, 2], altitude: 0 }), /at least 2 waypoints, got 1/);
  assert.throws(() => planRoute(createRng(1), [ORIGIN, ORIGIN], { speed: 50, turnRate: [0, 2], altitude: 0 }), /turnRate/);
});
