import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pct, statusFigures, stripItems, type Reading, type StripInput, type StripItem } from './status.js';

const reading = (t: number, accepted: number, taken: number, refused: Record<string, number>, rejected: Record<string, number> = {}, pending = 0): Reading => ({ t, ingest: { accepted, duplicates: 0, rejected, refused, taken, pending } });

test('rates and shares over the interval between two readings', () => {
  const a = reading(100, 1000, 790, { late: 200, duplicate: 10 }, { invalid_detection: 5 });
  const b = reading(110, 1500, 1190, { late: 290, duplicate: 10, no_anchor: 10 }, { invalid_detection: 5, unknown_sensor: 25 }, 12);
  const f = statusFigures(b, a);
  assert.equal(f.ratePerS, 50);
  // offered to the fusion in the interval: 400 taken + 100 refused
  assert.equal(f.refusedShare, 100 / 500);
  assert.deepEqual(f.refusedBy, [{ reason: 'late', n: 90, share: 90 / 500 }, { reason: 'no_anchor', n: 10, share: 10 / 500 }]);
  // rows sent in the interval: 500 accepted + 25 rejected
  assert.equal(f.rejectedShare, 25 / 525);
  assert.deepEqual(f.rejectedBy.map((x) => x.reason), ['unknown_sensor']);
  assert.equal(f.pending, 12);
  assert.equal(f.windowed, true);
});

test('a single reading: the shares since the start, no rate; nothing offered: no share', () => {
  const f = statusFigures(reading(5, 100, 79, { late: 21 }), null);
  assert.equal(f.ratePerS, null);
  assert.equal(f.refusedShare, 0.21);
  assert.equal(f.windowed, false);
  assert.equal(statusFigures(reading(5, 0, 0, {}), null).refusedShare, null);
  // a reading not later than the previous one (server restarted, clock reset) counts from the start
  assert.equal(statusFigures(reading(5, 10, 10, {}), reading(50, 900, 900, {})).windowed, false);
  assert.equal(pct(0.21), '21 %');
  assert.equal(pct(0.004), '0.4 %');
  assert.equal(pct(0), '0 %');
});

/** The strip as it reads: "label value" per entry. */
const read = (items: StripItem[]) => items.map((i) => (i.value ? `${i.label} ${i.value}` : i.label)).join(' | ');

test('the strip in English (the texts as before) and in Korean', () => {
  const a = reading(100, 1000, 790, { late: 200, duplicate: 10 }, { invalid_detection: 5 });
  const b = reading(110, 1500, 1190, { late: 290, duplicate: 10, no_anchor: 10 }, { invalid_detection: 5, unknown_sensor: 25 }, 12);
  const inp: StripInput = {
    replay: false,
    serverMode: 'demo',
    figures: statusFigures(b, a),
    error: null,
    sensors: [{ status: 'ok' }, { status: 'silent' }, { status: 'never_seen' }, { status: 'ok' }],
    reportAgeS: 2.34,
  };
  const en = stripItems('en', inp);
  assert.equal(read(en), 'LIVE (DEMO) | ingest 50 det/s | fusion refused 20 % (late 18 %, no sensor position 2 %) | ingest rejected 5 % (unknown sensor 5 %) | fusion buffer 12 | sensors 2 of 4 not ok (1 silent, 1 never seen) | last report 2.3 s ago');
  assert.deepEqual(en.map((i) => i.key), ['mode', 'rate', 'refused', 'rejected', 'pending', 'sensors', 'report']);
  assert.deepEqual(en.map((i) => i.level), ['', '', 'worse', '', '', 'bad', '']);
  // the titles say what the figures mean (an outside try: "fusion refused 22 % (late 22 %)" alarmed with no word of what late is)
  assert.match(en[2].title, /^share of the journalled detections the tracker refused, by reason: late = arrived after the reorder delay/);
  assert.match(en[4].title, /reorder buffer/);
  const ko = stripItems('ko', inp);
  assert.equal(read(ko), '실시간 (데모) | 탐지 수신 50건/초 | 융합 거부 20 % (지연 18 %, 센서 위치 없음 2 %) | 수신 거부 5 % (unknown sensor 5 %) | 융합 대기 12 | 센서 4개 중 2개 이상 (무응답 1, 수신 이력 없음 1) | 마지막 보고 2.3초 전');
  assert.match(ko[2].title, /^기록된 탐지 중 추적기가 받아들이지 않은 비율\(이유별\): 지연 = /);
  assert.match(ko[4].title, /재정렬 대기/);
  assert.deepEqual(ko.map((i) => i.level), en.map((i) => i.level), 'the same colours in both languages');
  // a known ingest reason is translated, an unknown one shown as its code in both
  const r = stripItems('ko', { ...inp, figures: statusFigures(reading(10, 90, 90, {}, { invalid_detection: 10 }), null) });
  assert.match(read(r), /수신 거부 10 % \(탐지 형식 오류 10 %\)/);
  assert.match(read(stripItems('en', { ...inp, figures: statusFigures(reading(10, 90, 90, {}, { invalid_detection: 10 }), null) })), /ingest rejected 10 % \(invalid detection 10 %\)/);
});

test('the strip: replay, a live server, no figures yet, errors, all sensors ok', () => {
  const base: StripInput = { replay: true, serverMode: 'live', figures: null, error: null, sensors: [{ status: 'ok' }, { status: 'ok' }], reportAgeS: 30 };
  // replay: marked so, no report age (the live reports are not what is shown)
  assert.equal(read(stripItems('en', base)), 'REPLAY | sensors 2 ok');
  assert.equal(read(stripItems('ko', base)), '다시 보기 | 센서 2개 정상');
  const live = { ...base, replay: false };
  assert.equal(read(stripItems('en', live)), 'LIVE | sensors 2 ok | last report 30 s ago');
  assert.equal(read(stripItems('ko', live)), '실시간 | 센서 2개 정상 | 마지막 보고 30초 전');
  assert.equal(stripItems('ko', live)[2].level, 'worse', 'a report 30 s old');
  // a single reading: no rate yet
  const one = { ...live, figures: statusFigures(reading(5, 100, 79, { late: 21 }), null) };
  assert.match(read(stripItems('en', one)), /ingest … \| fusion refused 21 % \(late 21 %\)/);
  assert.match(read(stripItems('ko', one)), /탐지 수신 … \| 융합 거부 21 % \(지연 21 %\)/);
  // what could not be read
  assert.equal(read(stripItems('en', { ...live, error: { kind: 'no_ingest' } })).split(' | ')[1], 'ingest figures not available to this user');
  assert.equal(read(stripItems('ko', { ...live, error: { kind: 'no_ingest' } })).split(' | ')[1], '이 사용자에게는 수신 통계가 제공되지 않습니다');
  assert.equal(read(stripItems('en', { ...live, error: { kind: 'failed', why: 'HTTP 502' } })).split(' | ')[1], 'status not available: HTTP 502');
  assert.equal(read(stripItems('ko', { ...live, error: { kind: 'failed', why: 'HTTP 502' } })).split(' | ')[1], '상태를 가져올 수 없음: HTTP 502');
});
