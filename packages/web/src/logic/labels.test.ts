import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrackWire } from '@skywarden/formats';
import { hiddenNote, keepNonOverlapping, KO_PROVINCES, labelLines, labelPriority, placeLabels, shortIds, shortZone, textWidth, type LabelRequest } from './labels.js';

function track(id: string, threat: number, extra: Partial<TrackWire> = {}): TrackWire {
  return { t: 0, track: id, lat: 0, lon: 0, ve_mps: 0, vn_mps: 50, vu_mps: 0, pos_sd_m: 50, class: {}, label: 'piston_owa', threat, affiliation: threat >= 0.5 ? 'hostile' : 'unknown', speed_mps: 50, course_deg: 0, sensors: [], status: 'confirmed', ...extra } as TrackWire;
}

test('short ids: the last three characters, the full id where two would collide', () => {
  const s = shortIds(['7', '4123', '1123', '2999', '15']);
  assert.equal(s.get('7'), '#7');
  assert.equal(s.get('15'), '#15');
  assert.equal(s.get('2999'), '#999');
  // "123" would name two tracks: both show their full id
  assert.equal(s.get('4123'), '#4123');
  assert.equal(s.get('1123'), '#1123');
  assert.equal(new Set(s.values()).size, 5, 'no two tracks share a label id');
});

test('label lines: id, altitude, speed in km/h; a threat adds the ETA of its first zone', () => {
  const t = track('4012', 0.9, { alt_m: 451.6, speed_mps: 50, threatens: [{ zone: 'a', name: 'Yangju-si, Gyeonggi', p: 0.2, eta_s: 30 }, { zone: 'b', name: 'Paju-si, Gyeonggi', p: 0.8, eta_s: 160 }] });
  assert.deepEqual(labelLines(t, '#012'), ['#012 · 452 m · 180 km/h', 'ETA 2 min 40 s Paju-si']);
  const inside = track('5', 0.9, { threatens: [{ zone: 'b', name: 'Paju-si, Gyeonggi', p: 0.95, eta_s: 0, inside: true }] });
  assert.deepEqual(labelLines(inside, '#5'), ['#5 · alt - · 180 km/h', 'INSIDE Paju-si']);
  // not a threat: no ETA line even with a zone ahead
  assert.equal(labelLines(track('6', 0.1, { threatens: [{ zone: 'b', p: 1, eta_s: 10 }] }), '#6').length, 1);
});

test('label lines in Korean: the zone by its Korean name without the province, ETA in words; English as before', () => {
  const t = track('4012', 0.9, { alt_m: 451.6, speed_mps: 50, threatens: [{ zone: 'b', name: 'Paju-si, Gyeonggi', p: 0.8, eta_s: 160 }] });
  const names: Record<string, string> = { b: '경기 파주시' };
  const ko = (id: string) => names[id];
  assert.deepEqual(labelLines(t, '#012', 'ko', ko), ['#012 · 452 m · 180 km/h', '파주시 2분 40초 후']);
  assert.deepEqual(labelLines(t, '#012', 'en', () => 'Paju-si, Gyeonggi'), ['#012 · 452 m · 180 km/h', 'ETA 2 min 40 s Paju-si']);
  // a zone the resolver does not know: the name the track carries
  assert.deepEqual(labelLines(t, '#012', 'ko', () => undefined)[1], 'Paju-si 2분 40초 후');
  const inside = track('5', 0.9, { threatens: [{ zone: 'b', name: 'Paju-si, Gyeonggi', p: 0.95, eta_s: 0, inside: true }] });
  assert.deepEqual(labelLines(inside, '#5', 'ko', ko), ['#5 · 고도 - · 180 km/h', '파주시 내부']);
  const now = track('6', 0.9, { alt_m: 100, threatens: [{ zone: 'b', name: 'Paju-si, Gyeonggi', p: 0.95, eta_s: 0.3 }] });
  assert.equal(labelLines(now, '#6')[1], 'ETA now Paju-si');
  assert.equal(labelLines(now, '#6', 'ko', ko)[1], '파주시 지금 진입');
  const soon = track('7', 0.9, { alt_m: 100, threatens: [{ zone: 'b', name: 'Paju-si, Gyeonggi', p: 0.95, eta_s: 44.6 }] });
  assert.equal(labelLines(soon, '#7')[1], 'ETA 45 s Paju-si');
  assert.equal(labelLines(soon, '#7', 'ko', ko)[1], '파주시 45초 후');
});

test('short zone names: without the province in both languages; other names as they are', () => {
  assert.equal(shortZone('Goyang-si Ilsandong-gu, Gyeonggi'), 'Goyang-si Ilsandong-gu');
  assert.equal(shortZone('경기 고양시 일산동구'), '고양시 일산동구');
  assert.equal(shortZone('서울 종로구'), '종로구');
  assert.equal(shortZone('세종'), '세종');
  assert.equal(shortZone('시설 1'), '시설 1', 'a first word that is no province stays');
  assert.equal(shortZone('Site 1'), 'Site 1');
});

test('the province list is the one the KOSTAT zones are named with', async () => {
  const { KR_PROVINCE_NAMES } = await import('@skywarden/formats');
  assert.deepEqual([...KO_PROVINCES].sort(), Object.values(KR_PROVINCE_NAMES).map((p) => p.ko).sort());
});

test('the note of hidden labels in both languages', () => {
  assert.equal(hiddenNote('en', 3, 1), '3 track labels, 1 zone label hidden (zoom in)');
  assert.equal(hiddenNote('en', 1, 0), '1 track label hidden (zoom in)');
  assert.equal(hiddenNote('en', 0, 2), '2 zone labels hidden (zoom in)');
  assert.equal(hiddenNote('en', 0, 0), '');
  assert.equal(hiddenNote('ko', 3, 1), '항적 표지 3개, 구역 표지 1개 숨김 (지도를 확대하십시오)');
  assert.equal(hiddenNote('ko', 0, 1), '구역 표지 1개 숨김 (지도를 확대하십시오)');
  assert.equal(hiddenNote('ko', 0, 0), '');
});

test('label width: a Hangul syllable takes the wide width, the rest the narrow one', () => {
  assert.equal(textWidth('#012 · 452 m', 7, 13), 12 * 7);
  assert.equal(textWidth('파주시 45초 후', 7, 13), 5 * 13 + 4 * 7);
  assert.equal(textWidth('', 7, 13), 0);
});

test('priority: selected, then threats soonest first, then threats without zone, then the rest', () => {
  const a = track('a', 0.9, { threatens: [{ zone: 'z', p: 0.9, eta_s: 300 }] });
  const b = track('b', 0.9, { threatens: [{ zone: 'z', p: 0.9, eta_s: 30 }] });
  const c = track('c', 0.95);
  const d = track('d', 0.2);
  const order = [d, c, a, b].sort((x, y) => labelPriority(x, null) - labelPriority(y, null)).map((x) => x.track);
  assert.deepEqual(order, ['b', 'a', 'c', 'd']);
  assert.ok(labelPriority(d, 'd') < labelPriority(b, 'd'), 'the selected track first');
});

const intersects = (a: { left: number; top: number; w: number; h: number }, b: typeof a) => a.left < b.left + b.w && b.left < a.left + a.w && a.top < b.top + b.h && b.top < a.top + a.h;

test('placement: a dense cluster gets no overlapping labels, the most urgent are placed, the rest counted as hidden', () => {
  // 60 tracks in a 200 x 150 px cluster in the middle of a 1000 x 700 view, plus 5 out of view
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const reqs: LabelRequest[] = [];
  for (let i = 0; i < 60; i++) reqs.push({ id: `t${i}`, x: 400 + rnd() * 200, y: 275 + rnd() * 150, w: 150, h: 30, priority: i });
  for (let i = 0; i < 5; i++) reqs.push({ id: `out${i}`, x: -50 - i, y: 100, w: 150, h: 30, priority: -10 });
  const p = placeLabels(reqs, { width: 1000, height: 700, max: 40 });
  assert.equal(p.inView, 60);
  assert.ok(p.placed.length > 3 && p.placed.length < 60, `${p.placed.length} placed`);
  assert.equal(p.hidden, 60 - p.placed.length);
  assert.equal(p.placed[0].id, 't0', 'the most urgent first');
  for (let i = 0; i < p.placed.length; i++) {
    const a = p.placed[i];
    assert.ok(a.left >= 0 && a.top >= 0 && a.left + a.w <= 1000 && a.top + a.h <= 700, 'inside the view');
    for (let j = i + 1; j < p.placed.length; j++) assert.ok(!intersects(a, p.placed[j]), `${a.id} and ${p.placed[j].id} overlap`);
  }
});

test('placement: a label moves to the left at the right edge, and the cap holds', () => {
  const p = placeLabels([{ id: 'edge', x: 990, y: 300, w: 100, h: 20, priority: 0 }], { width: 1000, height: 600 });
  assert.equal(p.placed[0].left, 990 - 12 - 100);
  const many: LabelRequest[] = [];
  for (let i = 0; i < 100; i++) many.push({ id: `g${i}`, x: 50 + (i % 10) * 180, y: 40 + Math.floor(i / 10) * 60, w: 60, h: 16, priority: i });
  const q = placeLabels(many, { width: 2000, height: 800, max: 25 });
  assert.equal(q.placed.length, 25);
  assert.equal(q.hidden, 75);
});

test('zone labels: the most urgent kept, one overlapping it hidden; track labels keep off the obstacles', () => {
  const zones = [
    { left: 100, top: 100, w: 200, h: 20 },
    { left: 250, top: 110, w: 200, h: 20 }, // overlaps the first
    { left: 100, top: 130, w: 200, h: 20 }, // just below: 10 px apart
  ];
  assert.deepEqual(keepNonOverlapping(zones), [true, false, true]);
  // a track right of which a zone label lies: its label goes elsewhere
  const p = placeLabels([{ id: 'a', x: 88, y: 110, w: 80, h: 20, priority: 0 }], { width: 1000, height: 700, obstacles: [zones[0]] });
  const box = p.placed[0];
  assert.ok(box, 'placed');
  assert.ok(!(box.left < 300 && 100 < box.left + box.w && box.top < 120 && 100 < box.top + box.h), `clear of the zone label: ${JSON.stringify(box)}`);
  // a place that would touch an obstacle to within the margin is not taken
  const touch = placeLabels([{ id: 't', x: 100, y: 100, w: 50, h: 20, priority: 0 }], { width: 1000, height: 700, obstacles: [{ left: 163, top: 80, w: 30, h: 40 }] });
  assert.ok(touch.placed[0] && touch.placed[0].left !== 112, `not right against the obstacle: ${JSON.stringify(touch.placed)}`);
  // nowhere to go: hidden
  const q = placeLabels([{ id: 'b', x: 500, y: 350, w: 80, h: 20, priority: 0 }], { width: 1000, height: 700, obstacles: [{ left: 300, top: 200, w: 400, h: 300 }] });
  assert.equal(q.placed.length, 0);
  assert.equal(q.hidden, 1);
});
