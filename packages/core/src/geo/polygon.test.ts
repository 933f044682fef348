import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGeoArea, pointInArea } from './polygon.js';

const square = (x0: number, y0: number, s: number) => Float64Array.from([x0, y0, x0 + s, y0, x0 + s, y0 + s, x0, y0 + s, x0, y0]);

test('points inside, outside, in a hole and in a second polygon', () => {
  const area = createGeoArea([{ rings: [square(127, 37, 1), square(127.4, 37.4, 0.2)] }, { rings: [square(129, 35, 0.5)] }]);
  assert.deepEqual(area.bbox, [127, 35, 129.5, 38]);
  assert.equal(pointInArea(area, 37.1, 127.1), true);
  assert.equal(pointInArea(area, 37.5, 127.5), false, 'in the hole');
  assert.equal(pointInArea(area, 36.9, 127.5), false, 'south of it');
  assert.equal(pointInArea(area, 35.2, 129.2), true, 'second polygon');
  assert.equal(pointInArea(area, 36, 128), false, 'between them, inside the bbox');
});

test('a concave (L-shaped) ring', () => {
  const l = Float64Array.from([0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2]);
  const area = createGeoArea([{ rings: [l] }]);
  assert.equal(pointInArea(area, 0.5, 0.5), true);
  assert.equal(pointInArea(area, 1.5, 0.5), true);
  assert.equal(pointInArea(area, 1.5, 1.5), false, 'the notch');
});
