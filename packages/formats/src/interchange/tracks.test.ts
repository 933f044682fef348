import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTrackRow, parseTrackLine, parseTruthLine } from './tracks.js';
import type { TrackRow } from './rows.js';

function goodTrack(line: string): TrackRow {
  const r = parseTrackLine(line, 1);
  assert.ok(r !== null);
  if (!r.ok) assert.fail(`rejected: ${r.reason}`);
  return r.row;
}

function badTrack(line: string | Record<string, unknown>, ...fragments: string[]): void {
  const text = typeof line === 'string' ? line : JSON.stringify(line);
  const r = parseTrackLine(text, 9);
  assert.ok(r !== null);
  assert.equal(r.ok, false, `accepted: ${text}`);
  if (r.ok) return;
  assert.equal(r.lineNo, 9);
  for (const f of fragments) assert.ok(r.reason.includes(f), `reason ${JSON.stringify(r.reason)} lacks ${JSON.stringify(f)}`);
}

function badTruth(line: string | Record<string, unknown>, ...fragments: string[]): void {
  const text = typeof line === 'string' ? line : JSON.stringify(line);
  const r = parseTruthLine(text, 3);
  assert.ok(r !== null);
  assert.equal(r.ok, false, `accepted: ${text}`);
  if (r.ok) return;
  assert.equal(r.lineNo, 3);
  for (const f of fragments) assert.ok(r.reason.includes(f), `reason ${JSON.stringify(r.reason)} lacks ${JSON.stringify(f)}`);
}

test('tracks: format rounds and orders fields as the spec', () => {
  const row: TrackRow = {
    t: 1764000001.5,
    track: '17',
    lat: 37.123456789,
    lon: -126.98765432149,
    alt_m: 301.23456,
    ve_mps: -50.005,
    vn_mps: 0.0049,
    vu_mps: 1.999,
    pos_sd_m: 12.3456,
    class: { piston_owa: 0.912345, bird: 0.087655 },
    status: 'confirmed',
  };
  assert.equal(
    formatTrackRow(row),
    '{"t":1764000001.5,"track":"17","lat":37.1234568,"lon":-126.9876543,"alt_m":301.23,"ve_mps":-50.01,' +
      '"vn_mps":0,"vu_mps":2,"pos_sd_m":12.35,"class":{"piston_owa":0.9123,"bird":0.0877},"status":"confirmed"}',
  );
});

test('tracks: format writes each number as the shortest printing of its rounded value', () => {
  // the reference: round half away from zero to 1/p, then JavaScript's own shortest printing
  const ref = (x: number, p: number) => {
    const r = Math.round(Math.abs(x) * p) / p;
    return String(x < 0 ? -r : r);
  };
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const values = [0, -0, 1e-7, -1e-7, 5e-8, 9e-7, 1e-6, -1e-6, 0.005, -0.004, 0.125, 99.995, 1e12 + 0.125, 123456789.987, 1e15, 3e17];
  for (let i = 0; i < 20_000; i++) {
    const k = i % 5;
    values.push(k === 0 ? (rnd() - 0.5) * 360 : k === 1 ? (rnd() - 0.5) * 2e4 : k === 2 ? (rnd() - 0.5) * 2e-5 : k === 3 ? rnd() : Math.round((rnd() - 0.5) * 1e6) / 100);
  }
  for (const v of values) {
    const row = JSON.parse(formatTrackRow({ t: 1, track: 'a', lat: v, lon: v, alt_m: v, ve_mps: v, vn_mps: v, pos_sd_m: Math.abs(v), class: { bird: v }, status: 'confirmed' }));
    const text = formatTrackRow({ t: 1, track: 'a', lat: v, lon: v, ve_mps: v, vn_mps: v, class: { bird: v }, status: 'confirmed' });
    const want = `{"t":1,"track":"a","lat":${ref(v, 1e7)},"lon":${ref(v, 1e7)},"ve_mps":${ref(v, 1e2)},"vn_mps":${ref(v, 1e2)},"class":{"bird":${ref(v, 1e4)}},"status":"confirmed"}`;
    assert.equal(text, want, `value ${v}`);
    assert.equal(row.alt_m, Number(ref(v, 1e2)));
  }
});

test('tracks: format leaves out absent optional fields and appends extra fields', () => {
  const s = formatTrackRow({ t: 5, track: 'a', lat: 0, lon: 0, ve_mps: 1, vn_mps: 2, status: 'coasting', target: 'ABC', skip: undefined });
  assert.equal(s, '{"t":5,"track":"a","lat":0,"lon":0,"ve_mps":1,"vn_mps":2,"status":"coasting","target":"ABC"}');
  assert.doesNotThrow(() => JSON.parse(s));
});

test('tracks: format throws on programmer errors, quoting the value', () => {
  const row: TrackRow = { t: 5, track: 'a', lat: 0, lon: 0, ve_mps: 1, vn_mps: 2, status: 'confirmed' };
  assert.throws(() => formatTrackRow({ ...row, lat: NaN }), /lat must be a finite number, got NaN/);
  assert.throws(() => formatTrackRow({ ...row, alt_m: Infinity }), /alt_m must be a finite number, got Infinity/);
  assert.throws(() => formatTrackRow({ ...row, class: { bird: NaN } }), /class\["bird"\]/);
  assert.throws(() => formatTrackRow({ ...row, status: 'lost' as 'confirmed' }), /status must be .* got string "lost"/);
});

test('tracks: format / parse round trip', () => {
  const rows: TrackRow[] = [
    { t: 1764000000, track: 'T-1', lat: 37.5, lon: 127.25, alt_m: 120.5, ve_mps: 10.25, vn_mps: -3.5, vu_mps: 0.5, pos_sd_m: 25.75, class: { jet_owa: 0.25, cruise_missile: 0.75 }, status: 'confirmed' },
    { t: 1764000001.5, track: 'T-2', lat: -89.9999999, lon: 179.9999999, ve_mps: 0, vn_mps: 0, status: 'coasting' },
  ];
  for (const row of rows) {
    const back = goodTrack(formatTrackRow(row));
    assert.deepEqual(back, row);
  }
  // rounding is stable: formatting the parsed row again gives the same line
  const messy: TrackRow = { t: 3.14159, track: 'x', lat: 1.000000049, lon: 2.99999999, alt_m: 1.005, ve_mps: 1 / 3, vn_mps: -2 / 3, status: 'confirmed' };
  const line = formatTrackRow(messy);
  assert.equal(formatTrackRow(goodTrack(line)), line);
  const r = goodTrack(line);
  assert.equal(r.lat, 1);
  assert.equal(r.lon, 3);
  assert.equal(r.ve_mps, 0.33);
  assert.equal(r.vn_mps, -0.67);
});

test('tracks: parse accepts numeric track ids, nulls and unknown fields', () => {
  const r = goodTrack('{"t":1,"track":17,"lat":1,"lon":2,"ve_mps":0,"vn_mps":0,"alt_m":null,"status":"confirmed","foo":"bar"}');
  assert.deepEqual(r, { t: 1, track: '17', lat: 1, lon: 2, ve_mps: 0, vn_mps: 0, status: 'confirmed' });
  assert.equal(parseTrackLine('   ', 1), null);
});

test('tracks: parse rejects bad rows naming the field', () => {
  const ok = { t: 1, track: 'a', lat: 1, lon: 2, ve_mps: 0, vn_mps: 0, status: 'confirmed' };
  badTrack('{"t":', 'not valid JSON');
  badTrack('[]', 'must be a JSON object');
  badTrack({ ...ok, t: undefined }, 't is missing');
  badTrack('{"t":1e999,"track":"a","lat":1,"lon":2,"ve_mps":0,"vn_mps":0,"status":"confirmed"}', 't must be a finite number', 'Infinity');
  badTrack({ ...ok, track: undefined }, 'track is missing');
  badTrack({ ...ok, track: '' }, 'track must be a non-empty string');
  badTrack({ ...ok, track: {} }, 'track', 'an object');
  badTrack({ ...ok, lat: 91 }, 'lat must be within [-90, 90], got 91');
  badTrack({ ...ok, lat: undefined }, 'lat is missing');
  badTrack({ ...ok, lon: -181 }, 'lon must be within [-180, 180], got -181');
  badTrack({ ...ok, alt_m: 'x' }, 'alt_m must be a finite number');
  badTrack({ ...ok, ve_mps: undefined }, 've_mps is missing');
  badTrack({ ...ok, vn_mps: '1' }, 'vn_mps must be a finite number');
  badTrack({ ...ok, vu_mps: true }, 'vu_mps must be a finite number');
  badTrack({ ...ok, pos_sd_m: -1 }, 'pos_sd_m must be a non-negative finite number, got -1');
  badTrack({ ...ok, class: { bird: 2 } }, 'class["bird"]', 'got 2');
  badTrack({ ...ok, status: undefined }, 'status is missing');
  badTrack({ ...ok, status: 'tentative' }, 'status must be', 'string "tentative"');
});

test('truth: parse good rows', () => {
  const r = parseTruthLine('{ "t": 1764000000, "id": "T17", "lat": 37.9, "lon": 127.1, "alt_m": 300, "class": "piston_owa" }', 1);
  assert.ok(r !== null && r.ok);
  assert.deepEqual(r.row, { t: 1764000000, id: 'T17', lat: 37.9, lon: 127.1, alt_m: 300, class: 'piston_owa' });
  const s = parseTruthLine('{"t":1,"id":4,"lat":0,"lon":0,"alt_m":-10,"class":null,"x":1}', 2);
  assert.ok(s !== null && s.ok);
  assert.deepEqual(s.row, { t: 1, id: '4', lat: 0, lon: 0, alt_m: -10 });
  assert.equal(parseTruthLine('', 3), null);
});

test('truth: parse rejects bad rows naming the field', () => {
  const ok = { t: 1, id: 'a', lat: 1, lon: 2, alt_m: 100 };
  badTruth('{', 'not valid JSON');
  badTruth('true', 'must be a JSON object');
  badTruth({ ...ok, t: undefined }, 't is missing');
  badTruth({ ...ok, t: 'now' }, 't must be a finite number');
  badTruth({ ...ok, id: undefined }, 'id is missing');
  badTruth({ ...ok, id: [] }, 'id must be a non-empty string', 'an array');
  badTruth({ ...ok, lat: -95 }, 'lat must be within [-90, 90], got -95');
  badTruth({ ...ok, lon: 1000 }, 'lon must be within [-180, 180], got 1000');
  badTruth({ ...ok, alt_m: undefined }, 'alt_m is missing');
  badTruth('{"t":1,"id":"a","lat":1,"lon":2,"alt_m":1e999}', 'alt_m must be a finite number', 'Infinity');
  badTruth({ ...ok, class: 3 }, 'class must be a non-empty string', '3');
});

test('a report whose altitude no target flies at is written without alt_m, and the row reads back', async () => {
  const { trackReportToRow } = await import('./report-row.js');
  const report = (altM: number, altitudeObservable = true) => ({
    t: 100, trackId: '7', status: 'confirmed' as const, position: { latDeg: 37, lonDeg: 127, altM }, altitudeObservable,
    velocityEnu: [50, 0, -2] as [number, number, number], positionSd: 300, velocitySd: 5, altitudeSd: 900, sensors: ['radar'], classProbs: { piston_owa: 1 }, threatProbability: 0.9,
  });
  assert.equal(trackReportToRow(report(350)).alt_m, 350);
  for (const alt of [-1145.27, 100_001, Number.NaN]) {
    const row = trackReportToRow(report(alt));
    assert.equal('alt_m' in row, false, `alt_m ${alt} written`);
    goodTrack(formatTrackRow(row));
  }
  assert.equal('alt_m' in trackReportToRow(report(350, false)), false);
});
