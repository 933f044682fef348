import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DICTIONARIES, LANGS, etaText, pickLang, placeholders, tr } from './i18n.js';

test('every key is in both languages, non-empty, with the same placeholders', () => {
  const keys = new Set(LANGS.flatMap((l) => Object.keys(DICTIONARIES[l])));
  assert.ok(keys.size > 30, `${keys.size} keys`);
  for (const k of keys) {
    for (const l of LANGS) {
      const s = (DICTIONARIES[l] as Record<string, string | undefined>)[k];
      assert.ok(typeof s === 'string' && s.trim().length > 0, `${k} missing or empty in ${l}`);
    }
    const en = (DICTIONARIES.en as Record<string, string>)[k];
    const ko = (DICTIONARIES.ko as Record<string, string>)[k];
    assert.deepEqual(placeholders(ko), placeholders(en), `placeholders of ${k}`);
  }
});

test('Korean texts are Korean (Hangul), not English left untranslated', () => {
  // the language switch names the other language; everything else that says words in English must have Hangul in Korean
  const same = Object.keys(DICTIONARIES.en).filter((k) => (DICTIONARIES.en as Record<string, string>)[k] === (DICTIONARIES.ko as Record<string, string>)[k]);
  assert.deepEqual(same, []);
  for (const [k, s] of Object.entries(DICTIONARIES.ko)) {
    if (k === 'lang.switch') continue;
    const words = s.replace(/\{\w+\}/g, '').replace(/[^A-Za-z\uac00-\ud7a3]/g, '');
    if (words.length > 0) assert.match(s, /[\uac00-\ud7a3]/, `${k}: ${s}`);
  }
});

test('tr fills placeholders and leaves unknown ones visible', () => {
  assert.equal(tr('en', 'queue.in', { zone: 'Paju-si', eta: '2 min 40 s', p: '99%' }), 'Paju-si in 2 min 40 s (99%)');
  assert.equal(tr('ko', 'queue.in', { zone: '파주시', eta: '2분 40초', p: '99%' }), '파주시 2분 40초 후 (99%)');
  assert.equal(tr('en', 'queue.acked', {}), 'acked by {user}');
});

test('language: the stored choice, else the browser (ko or en), else English', () => {
  assert.equal(pickLang(null, ['ko-KR', 'en-US']), 'ko');
  assert.equal(pickLang(null, ['en-GB', 'ko']), 'en');
  assert.equal(pickLang(null, ['fr-FR', 'ko']), 'ko');
  assert.equal(pickLang(null, ['fr-FR']), 'en');
  assert.equal(pickLang('ko', ['en-US']), 'ko');
  assert.equal(pickLang('de', ['ko-KR']), 'ko');
});

test('ETA phrases in both languages', () => {
  assert.equal(etaText('en', 0.2), 'now');
  assert.equal(etaText('en', 45.4), '45 s');
  assert.equal(etaText('en', 185), '3 min 05 s');
  assert.equal(etaText('ko', 0), '지금');
  assert.equal(etaText('ko', 45), '45초');
  assert.equal(etaText('ko', 185), '3분 05초');
  assert.equal(etaText('ko', 59.6), '1분 00초');
});
