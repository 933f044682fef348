import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrackWire } from '@skywarden/formats';
import { createImminentWatcher, threatQueue, tierOfEta, workLine, zonePhrase, zonesLine } from './threat-queue.js';

function track(id: string, threat: number, threatens?: TrackWire['threatens'], extra: Partial<TrackWire> = {}): TrackWire {
  return { t: 0, track: id, lat: 0, lon: 0, ve_mps: 0, vn_mps: 50, vu_mps: 0, pos_sd_m: 50, class: {}, label: 'piston_owa', threat, affiliation: threat >= 0.5 ? 'hostile' : 'unknown', speed_mps: 50, course_deg: 0, sensors: [], status: 'confirmed', ...(threatens ? { threatens } : {}), ...extra } as TrackWire;
}

test('threats ranked by time to their first zone (inside first), the rest by threat; non-threats and dismissed left out', () => {
  const q = threatQueue([
    track('far', 0.9, [{ zone: 'a', p: 0.9, eta_s: 700 }]),
    track('none', 0.95),
    track('inside', 0.6, [{ zone: 'b', p: 0.5, eta_s: 0, inside: true }]),
    track('soon', 0.8, [{ zone: 'c', p: 0.2, eta_s: 30 }, { zone: 'd', p: 0.7, eta_s: 120 }]),
    track('airliner', 0.01, [{ zone: 'a', p: 1, eta_s: 10 }]),
    track('dismissed', 0.9, [{ zone: 'a', p: 1, eta_s: 5 }], { operator: { dismissed: true } }),
    track('weaker', 0.7),
  ]);
  assert.deepEqual(q.map((r) => r.track), ['inside', 'soon', 'far', 'none', 'weaker']);
  assert.deepEqual(q.map((r) => r.tier), ['imminent', 'imminent', 'watch', null, null]);
  // a zone under the ranking probability is listed but does not set the ETA
  assert.equal(q[1].etaS, 120);
  assert.equal(q[1].zones.length, 2);
});

test('tiers by ETA', () => {
  assert.equal(tierOfEta(0), 'imminent');
  assert.equal(tierOfEta(180), 'imminent');
  assert.equal(tierOfEta(181), 'warning');
  assert.equal(tierOfEta(600), 'warning');
  assert.equal(tierOfEta(601), 'watch');
  assert.equal(tierOfEta(null), null);
});

test('zone phrases and the work line, in English and Korean', () => {
  const zones = [
    { zone: 'a', name: 'Paju-si', p: 1, eta_s: 0, inside: true },
    { zone: 'b', name: 'Yangju-si', p: 0.987, eta_s: 160 },
    { zone: 'c', p: 0.5, eta_s: 0.3 },
    { zone: 'd', name: 'Guri-si', p: 0.4, eta_s: 900 },
  ];
  assert.equal(zonesLine('en', zones), 'inside Paju-si (100%); Yangju-si in 2 min 40 s (99%); c now (50%); +1 more');
  assert.equal(zonesLine('ko', zones), 'Paju-si 내부 (100%); Yangju-si 2분 40초 후 (99%); c 지금 진입 (50%); 외 1곳');
  assert.equal(zonesLine('en', []), 'no zone in its path');
  // named in the UI's language when the zones give it (the Korean names of the KOSTAT zones)
  const ko: Record<string, string> = { a: '경기 파주시', b: '경기 양주시' };
  assert.equal(zonesLine('ko', zones, 2, (id) => ko[id]), '경기 파주시 내부 (100%); 경기 양주시 2분 40초 후 (99%); 외 2곳');
  assert.equal(zonePhrase('ko', zones[2], (id) => ko[id]), 'c 지금 진입 (50%)', 'no name: the wire name, then the id');
  assert.equal(zonePhrase('en', zones[3]), 'Guri-si in 15 min 00 s (40%)');
  assert.equal(workLine('en', { acked_by: 'kim', assigned_to: 'team 2' }), 'acked by kim · assigned to team 2');
  assert.equal(workLine('ko', { assigned_to: '2팀' }), '2팀 담당');
  assert.equal(workLine('en', {}), '');
});

test('a threat is reported IMMINENT once: when it first enters the tier, never again', () => {
  const w = createImminentWatcher();
  const q = (a: number, b: number) => threatQueue([track('A', 0.9, [{ zone: 'z', p: 0.9, eta_s: a }]), track('B', 0.9, [{ zone: 'z', p: 0.9, eta_s: b }])]);
  assert.deepEqual(w.update(q(400, 900)), []);
  assert.deepEqual(w.update(q(170, 900)), ['A']);
  assert.deepEqual(w.update(q(100, 500)), []);
  // A leaves the tier and comes back: no second cue; B enters
  assert.deepEqual(w.update(q(300, 150)), ['B']);
  assert.deepEqual(w.update(q(60, 20)), []);
  assert.equal(w.seen('A'), true);
  // capped memory
  const small = createImminentWatcher(1);
  assert.deepEqual(small.update(q(10, 20)), ['A', 'B']);
  assert.deepEqual(small.update(q(10, 20)), ['A']);
});
