import { test } from 'node:test';
import assert from 'node:assert/strict';
import { circleRing, circularRadius, ellipseRing, haversineM, offsetMetres, rayEnd } from './geometry.js';

test('offsetMetres moves the right distance north and east', () => {
  const [lon, lat] = offsetMetres(37.5, 127, 0, 1000);
  assert.ok(Math.abs(haversineM(37.5, 127, lat, lon) - 1000) < 1);
  assert.equal(lon, 127);
  const [lon2, lat2] = offsetMetres(37.5, 127, 1000, 0);
  assert.ok(Math.abs(haversineM(37.5, 127, lat2, lon2) - 1000) < 1);
  assert.ok(lon2 > 127);
});

test('rays point along the bearing: east at 90°, south at 180°', () => {
  const [elon, elat] = rayEnd(37.5, 127, 90, 10_000);
  assert.ok(elon > 127 && Math.abs(elat - 37.5) < 1e-9);
  const [slon, slat] = rayEnd(37.5, 127, 180, 10_000);
  assert.ok(slat < 37.5 && Math.abs(slon - 127) < 1e-9);
  assert.ok(Math.abs(haversineM(37.5, 127, slat, slon) - 10_000) < 10);
});

test('circle rings are closed, with every vertex at the radius', () => {
  const ring = circleRing(37.5, 127, 500, 16);
  assert.equal(ring.length, 17);
  assert.deepEqual(ring[0], ring[16]);
  for (const [lon, lat] of ring) assert.ok(Math.abs(haversineM(37.5, 127, lat, lon) - 500) < 1);
});

test('an ellipse has its major axis along the orientation', () => {
  const ring = ellipseRing(37.5, 127, 2000, 500, 90, 4); // major axis east-west
  // vertex 0 lies on the major axis (east), vertex 1 on the minor axis
  const d0 = haversineM(37.5, 127, ring[0][1], ring[0][0]);
  const d1 = haversineM(37.5, 127, ring[1][1], ring[1][0]);
  assert.ok(Math.abs(d0 - 2000) < 2 && Math.abs(d1 - 500) < 1);
  assert.ok(ring[0][0] > 127 && Math.abs(ring[0][1] - 37.5) < 1e-9);
  assert.throws(() => ellipseRing(0, 0, 1, 1, 0, 2), /steps must be >= 3, got 2/);
});

test('circular radius is the Rayleigh quantile', () => {
  assert.ok(Math.abs(circularRadius(1, 0.95) - 2.4477) < 1e-3);
  assert.ok(Math.abs(circularRadius(10, 1 - Math.exp(-0.5)) - 10) < 1e-9);
  assert.throws(() => circularRadius(1, 1), /got 1/);
});
