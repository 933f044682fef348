import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DICTIONARIES, LANGS, errorText, etaText, pickLang, placeholders, tr } from './i18n.js';

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

test('the rest of the UI in Korean: alert kinds, class names, statuses, kinds, ages, zone names and labels', async () => {
  const { kindText, KIND_TEXT } = await import('./alert-log.js');
  const { className, wordOf, CLASS_NAMES } = await import('./symbology.js');
  const { formatAge } = await import('./format.js');
  const { zoneDisplayName, zoneLabelText, etaPhrase } = await import('./zone-text.js');
  // the alert log's badges: raise and clear as civil defence says them
  assert.equal(kindText('ko', 'raise'), '발령');
  assert.equal(kindText('ko', 'clear'), '해제');
  assert.equal(kindText('ko', 'manual_end'), '수동 해제');
  assert.equal(KIND_TEXT.tier_change, 'TIER CHANGE');
  // class names: every class the operator may set has a Korean name
  const { CLASS_LABELS } = await import('@skywarden/core');
  for (const label of CLASS_LABELS) {
    assert.ok(label in CLASS_NAMES, `${label} has a name`);
    assert.match(className(label, 'ko'), /[\uac00-\ud7a3]/, label);
  }
  assert.equal(className('piston_owa'), 'One-way attack (piston)');
  assert.equal(className('cruise_missile', 'ko'), '순항 미사일');
  assert.equal(className('balloon', 'ko'), 'balloon', 'an unknown label as it is');
  assert.equal(wordOf('ko', 'sensor', 'never_seen'), '수신 이력 없음');
  assert.equal(wordOf('en', 'sensor', 'never_seen'), 'never seen');
  assert.equal(wordOf('ko', 'aff', 'hostile'), '적');
  assert.equal(wordOf('ko', 'status', 'coasting'), '탐지 끊김');
  assert.equal(wordOf('ko', 'sensor.kind', 'acoustic'), '음향');
  assert.equal(wordOf('ko', 'sensor.kind', 'lidar_x'), 'lidar x', 'an unknown kind as it is');
  assert.equal(formatAge(100, 112), '12 s ago');
  assert.equal(formatAge(100, 112, 'ko'), '12초 전');
  assert.equal(formatAge(0, 600, 'ko'), '10분 전');
  assert.equal(formatAge(undefined, 600, 'ko'), '없음');
  // zones: the Korean name when the UI is Korean, else the name; the id when there is none
  const kostat = { id: 'seoul-jongno-gu', name: 'Jongno-gu, Seoul', name_ko: '서울 종로구' };
  assert.equal(zoneDisplayName(kostat, 'ko', kostat.id), '서울 종로구');
  assert.equal(zoneDisplayName(kostat, 'en', kostat.id), 'Jongno-gu, Seoul');
  assert.equal(zoneDisplayName({ name: 'Site 1', names: { ko: '시설 1' } }, 'ko', 's1'), '시설 1');
  assert.equal(zoneDisplayName({ name: 'Site 1' }, 'ko', 's1'), 'Site 1', 'no Korean name: the name');
  assert.equal(zoneDisplayName(null, 'ko', 's1'), 's1');
  // the map's labels of zones in alert
  assert.equal(zoneLabelText('en', 'Paju-si, Gyeonggi', 'imminent', false, 84), 'Paju-si, Gyeonggi · IMMINENT · ETA 1 min 24 s');
  assert.equal(zoneLabelText('ko', '경기 파주시', 'imminent', false, 84), '경기 파주시 · 임박 · 1분 24초 후 도달');
  assert.equal(zoneLabelText('ko', '경기 파주시', 'warning', true, null), '경기 파주시 · 경고 · 수동');
  assert.equal(zoneLabelText('en', 'X', 'warning', true, -3), 'X · WARNING · manual · ETA now');
  assert.equal(etaPhrase('ko', 0), '지금 도달');
});

test("errors: the server unreachable in the language, the browser's words kept; others by their message", () => {
  const net = { code: 'network', detail: 'Failed to fetch', message: 'cannot reach the server (Failed to fetch)' };
  assert.equal(errorText('en', net), net.message, 'English as the client has always said it');
  assert.equal(errorText('ko', net), '서버에 연결할 수 없습니다 (Failed to fetch)');
  assert.equal(errorText('ko', { code: 'bad_request', message: 'reason too long' }), 'reason too long', "the server's words");
  assert.equal(errorText('ko', new Error('boom')), 'boom');
  assert.equal(errorText('en', 'plain'), 'plain');
});

test('the top bar, the login form and the replay bar in Korean', async () => {
  const { windowText } = await import('./replay-frames.js');
  assert.equal(tr('en', 'user.none', { role: 'viewer' }), 'not logged in (viewer)');
  assert.equal(tr('ko', 'user.none', { role: tr('ko', 'role.viewer') }), '로그인 안 함 (열람자)');
  assert.equal(tr('ko', 'role.operator'), '운용자', 'the word the actions use (운용자 조치)');
  assert.equal(tr('ko', 'conn.retrying'), '재연결 중…');
  assert.equal(tr('en', 'login.wrong'), 'Wrong user name or password.');
  assert.equal(tr('ko', 'login.wrong'), '사용자 이름 또는 비밀번호가 올바르지 않습니다.');
  assert.equal(tr('ko', 'login.failed', { why: 'HTTP 500' }), '로그인 실패: HTTP 500');
  assert.equal(tr('ko', 'replay.flag'), tr('ko', 'top.replay'), 'the mode is named as its button');
  assert.equal(tr('en', 'replay.loaded', { n: 120, from: '10:00:00', to: '10:10:00', s: 5 }), '120 frames, 10:00:00–10:10:00 UTC, every 5 s');
  assert.equal(tr('ko', 'replay.loaded', { n: 120, from: '10:00:00', to: '10:10:00', s: 5 }), '장면 120개, 10:00:00–10:10:00 UTC, 5초 간격');
  assert.equal(windowText('en', 5), 'last 5 min');
  assert.equal(windowText('en', 120), 'last 2 h');
  assert.equal(windowText('en', 1440), 'last 24 h');
  assert.equal(windowText('en', 90), 'last 90 min');
  assert.equal(windowText('ko', 10), '최근 10분');
  assert.equal(windowText('ko', 120), '최근 2시간');
});
