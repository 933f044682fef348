import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrackWire } from '@skywarden/formats';
import { threatQueue, tierOfEta } from './threat-queue.js';

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
