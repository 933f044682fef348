import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeZones, pickLang, texts, tierCounts, zoneLine, zoneName, type PublicZone } from './public-view.js';

const z = (zone: string, tier: PublicZone['tier'], extra: Partial<PublicZone> = {}): PublicZone => ({ zone, name: zone, state: tier === 'imminent' || tier === 'warning' ? 'alert' : 'clear', tier, since: 0, ...extra });

test('public view: most urgent first, then by name; counts; names and texts by language', () => {
  const zones = [z('Mapo-gu', 'warning'), z('Jongno-gu', 'none'), z('Guro-gu', 'imminent', { names: { ko: '구로구' } }), z('Amsa', 'watch'), z('Buk-gu', 'warning')];
  assert.deepEqual(activeZones(zones, 'en').map((x) => x.zone), ['Guro-gu', 'Buk-gu', 'Mapo-gu', 'Amsa']);
  assert.deepEqual(tierCounts(zones), { imminent: 1, warning: 2, watch: 1, none: 1 });
  assert.equal(zoneName(zones[2], 'ko'), '구로구');
  assert.equal(zoneName(zones[2], 'en'), 'Guro-gu');
  assert.equal(zoneName(zones[0], 'ko'), 'Mapo-gu', 'no Korean name: the name');
  assert.equal(texts('ko').counts(tierCounts(zones)), '임박 1 · 경고 2 · 주의 1');
  assert.equal(texts('en').tier.imminent, 'IMMINENT');
  assert.equal(texts('en').otherLabel, 'Switch the language to Korean', 'the language button says what it does');
  assert.match(texts('ko').otherLabel, /영어/);
  assert.equal(pickLang(null, ['ko-KR', 'en']), 'ko');
  assert.equal(pickLang(null, ['de-DE']), 'en');
  assert.equal(pickLang('en', ['ko-KR']), 'en', 'a saved choice wins');
  const w = z('x', 'warning', { since: 1_764_000_000, eta_s: 430 });
  assert.match(zoneLine(w, 'en'), /^since \d\d:\d\d · expected in about 7 min$/);
  assert.match(zoneLine(w, 'ko'), /^\d\d:\d\d부터 · 약 7분 후 도달 예상$/);
  assert.equal(zoneLine(z('y', 'imminent', { eta_s: 30 }), 'en'), '', 'imminent: no ETA, and no since when it never changed');
});
