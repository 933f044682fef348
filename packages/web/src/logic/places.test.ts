import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePlaces, placePlaces, placesAtZoom, type Place, type PlaceRequest } from './places.js';
import type { Rect } from './labels.js';

// dist-test/src/logic/ -> the repository
const DATA = fileURLToPath(new URL('../../../../../data/kr-places/capital-area-places.geojson', import.meta.url));

const overlaps = (a: { left: number; top: number; w: number; h: number }, b: { left: number; top: number; w: number; h: number }) =>
  a.left < b.left + b.w && b.left < a.left + a.w && a.top < b.top + b.h && b.top < a.top + a.h;

test('the shipped places: the capital area, Seoul first, small, every point in the region', () => {
  assert.ok(statSync(DATA).size < 500_000, `${statSync(DATA).size} bytes`);
  const places = parsePlaces(JSON.parse(readFileSync(DATA, 'utf8')));
  assert.ok(places.length >= 100, `${places.length} places`);
  for (const p of places) {
    assert.ok(p.lon >= 126.3 && p.lon <= 127.9 && p.lat >= 36.8 && p.lat <= 38.3, `${p.name} at ${p.lon}, ${p.lat}`);
  }
  const seoul = places.find((p) => p.name === 'Seoul');
  assert.ok(seoul && seoul.kind === 'capital' && seoul.minzoom <= 5, JSON.stringify(seoul));
  // the capital alone at a country-wide zoom; the big cities at the capital-area zoom; Seoul's districts only close in
  assert.deepEqual(placesAtZoom(places, 5).map((p) => p.name), ['Seoul']);
  const at85 = placesAtZoom(places, 8.5).map((p) => p.name);
  for (const n of ['Seoul', 'Incheon', 'Suwon-si', 'Goyang-si', 'Seongnam-si', 'Yongin-si', 'Paju-si']) assert.ok(at85.includes(n), `${n} at zoom 8.5`);
  assert.ok(!at85.includes('Jongno-gu'));
  assert.ok(placesAtZoom(places, 10).some((p) => p.name === 'Jongno-gu' && p.kind === 'district'));
  // one name per place: KOSTAT's spelling kept where GeoNames had the older one
  assert.ok(!places.some((p) => /Kwangmy/.test(p.name)));
  assert.equal(places.filter((p) => p.name === 'Gwangmyeong-si').length, 1);
});

test('parsePlaces refuses what is not a FeatureCollection, skips features without a name or point', () => {
  assert.throws(() => parsePlaces({ type: 'Feature' }), /FeatureCollection/);
  const ps = parsePlaces({ features: [{ geometry: { type: 'Point', coordinates: [127, 37.5] }, properties: { name: 'A', kind: 'city', minzoom: 7 } }, { geometry: null, properties: { name: 'B' } }, { geometry: { type: 'Point', coordinates: [127, 37] }, properties: {} }] });
  assert.deepEqual(ps.map((p) => [p.name, p.kind, p.minzoom, p.pop]), [['A', 'city', 7, 0]]);
});

test('placesAtZoom: lower minzoom first, then the larger population', () => {
  const p = (name: string, minzoom: number, pop: number): Place => ({ id: name, name, kind: 'city', pop, minzoom, lon: 0, lat: 0 });
  const ps = [p('district', 10, 0), p('small', 8, 1000), p('big', 8, 90000), p('capital', 4, 1e7)];
  assert.deepEqual(placesAtZoom(ps, 9).map((x) => x.name), ['capital', 'big', 'small']);
  assert.deepEqual(placesAtZoom(ps, 11).map((x) => x.name), ['capital', 'big', 'small', 'district']);
});

test('placePlaces: never on an obstacle (zone or track label, track icon), never on another name or dot', () => {
  // a dense cluster of 80 places about the centre, and a track label and icon in the middle of it
  const reqs: PlaceRequest[] = [];
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 80; i++) reqs.push({ id: `p${i}`, x: 300 + rnd() * 200, y: 200 + rnd() * 200, w: 40 + Math.round(rnd() * 50), h: 14 });
  const obstacles: Rect[] = [{ left: 380, top: 280, w: 120, h: 30 }, { left: 360, top: 290, w: 16, h: 16 }];
  const r = placePlaces(reqs, { width: 800, height: 600, max: 60, obstacles });
  assert.equal(r.inView, 80);
  assert.ok(r.placed.length >= 10 && r.placed.length < 80, `${r.placed.length} placed`);
  // the first place (most important) is placed where it can be: it is clear here
  assert.equal(r.placed[0].id, 'p0');
  const boxes = r.placed.flatMap((p) => [{ left: p.left, top: p.top, w: p.w, h: p.h }, { left: p.x - 2.5, top: p.y - 2.5, w: 5, h: 5 }]);
  for (let i = 0; i < boxes.length; i++) {
    for (const o of obstacles) assert.ok(!overlaps(boxes[i], o), `place box ${JSON.stringify(boxes[i])} on obstacle ${JSON.stringify(o)}`);
    // a name and its own dot touch by design (gap 3 px); between places nothing may overlap
    for (let j = i + 1; j < boxes.length; j++) if (Math.floor(i / 2) !== Math.floor(j / 2)) assert.ok(!overlaps(boxes[i], boxes[j]), `${JSON.stringify(boxes[i])} / ${JSON.stringify(boxes[j])}`);
    assert.ok(boxes[i].left >= -2.5 && boxes[i].top >= -2.5 && boxes[i].left + boxes[i].w <= 802.5 && boxes[i].top + boxes[i].h <= 602.5);
  }
});

test('placePlaces: a place under an obstacle is left out with its dot; the cap holds; out of view is not counted', () => {
  const reqs: PlaceRequest[] = [
    { id: 'under', x: 100, y: 100, w: 30, h: 12 },
    { id: 'free', x: 400, y: 100, w: 30, h: 12 },
    { id: 'out', x: -10, y: 100, w: 30, h: 12 },
  ];
  const r = placePlaces(reqs, { width: 800, height: 600, obstacles: [{ left: 90, top: 90, w: 20, h: 20 }] });
  assert.deepEqual(r.placed.map((p) => p.id), ['free']);
  assert.equal(r.inView, 2);
  // right of the dot first
  assert.ok(r.placed[0].left > 400);
  const many = Array.from({ length: 50 }, (_, i) => ({ id: `m${i}`, x: 20 + (i % 10) * 70, y: 20 + Math.floor(i / 10) * 40, w: 20, h: 12 }));
  assert.equal(placePlaces(many, { width: 800, height: 600, max: 12 }).placed.length, 12);
});
