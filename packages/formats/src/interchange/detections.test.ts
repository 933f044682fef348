import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detection, Sensor } from '@skywarden/core';
import { parseDetectionLine } from './detections.js';
import { parseSensorsJson } from './sensors.js';
import { BUILTIN_DEFAULTS, builtinErrors } from './defaults.js';
import { formatLineError } from './check.js';

const DEG = Math.PI / 180;
const near = (a: number | undefined, b: number, tol = 1e-12): void => {
  assert.ok(a !== undefined && Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);
};

const parsedSensors = parseSensorsJson(
  JSON.stringify({
    sensors: [
      // radar with its own defaults
      { id: 'r-1', kind: 'radar', lat: 37.5, lon: 127.0, alt_m: 50, range_m: 8000, range_sd_m: 15, bearing_sd_deg: 0.5, elevation_sd_deg: 0.8 },
      // radar without defaults: built-in radar values apply
      { id: 'r-2', kind: 'radar', lat: 37.6, lon: 127.1 },
      { id: 'ac-1', kind: 'acoustic', lat: 37.7, lon: 127.2, alt_m: 40, range_m: 2500, bearing_sd_deg: 6 },
      { id: 'ac-2', kind: 'acoustic', lat: 37.7, lon: 127.3 },
      { id: 'obs', kind: 'observer' },
      { id: 'adsb', kind: 'adsb', pos_sd_m: 25 },
      { id: 'x-1', kind: 'lidar', lat: 37, lon: 127 },
    ],
  }),
);
assert.ok(parsedSensors.ok);
const sensors: ReadonlyMap<string, Sensor> = parsedSensors.sensors;

function good(line: string | Record<string, unknown>): Detection {
  const text = typeof line === 'string' ? line : JSON.stringify(line);
  const r = parseDetectionLine(text, 1, sensors);
  assert.ok(r !== null, 'unexpected blank');
  if (!r.ok) assert.fail(`rejected: ${r.reason} (${text})`);
  return r.detection;
}

/** Expects rejection with a reason containing every fragment. */
function bad(line: string | Record<string, unknown>, ...fragments: string[]): string {
  const text = typeof line === 'string' ? line : JSON.stringify(line);
  const r = parseDetectionLine(text, 42, sensors);
  assert.ok(r !== null, 'unexpected blank');
  assert.equal(r.ok, false, `accepted: ${text}`);
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.lineNo, 42);
  for (const f of fragments) assert.ok(r.reason.includes(f), `reason ${JSON.stringify(r.reason)} lacks ${JSON.stringify(f)}`);
  return r.reason;
}

const T = 1764000000.25;

test('detections: blank lines give null', () => {
  assert.equal(parseDetectionLine('', 1, sensors), null);
  assert.equal(parseDetectionLine('   \t ', 1, sensors), null);
  assert.equal(parseDetectionLine('\r', 1, sensors), null);
});

test('detections: range_bearing converts to radians with detection values first', () => {
  const d = good(
    '{"t":1764000000.25,"sensor":"r-1","type":"range_bearing","id":"d-1","range_m":1234.5,"bearing_deg":90,' +
      '"elevation_deg":3,"range_sd_m":7,"bearing_sd_deg":2,"elevation_sd_deg":4,"range_rate_mps":-12.5,' +
      '"range_rate_sd_mps":0.3,"snr_db":17,"class":{"piston_owa":0.7,"bird":0.1,"my_label":0.2},"target":"ABC123","extra":[1]}',
  );
  assert.equal(d.type, 'range_bearing');
  if (d.type !== 'range_bearing') return;
  assert.equal(d.t, T);
  assert.equal(d.sensorId, 'r-1');
  assert.equal(d.id, 'd-1');
  assert.deepEqual(d.sensorPosition, { latDeg: 37.5, lonDeg: 127.0, altM: 50 });
  assert.equal(d.range, 1234.5);
  near(d.bearing, Math.PI / 2);
  near(d.elevation, 3 * DEG);
  assert.equal(d.rangeSd, 7);
  near(d.bearingSd, 2 * DEG);
  near(d.elevationSd, 4 * DEG);
  assert.equal(d.rangeRate, -12.5);
  assert.equal(d.rangeRateSd, 0.3);
  assert.equal(d.snrDb, 17);
  assert.deepEqual(d.classHint, { piston_owa: 0.7, bird: 0.1, my_label: 0.2 });
  assert.equal(d.cooperativeId, 'ABC123');
});

test('detections: error precedence is detection > sensor > built-in by kind', () => {
  // sensor defaults
  const a = good({ t: T, sensor: 'r-1', type: 'range_bearing', range_m: 100, bearing_deg: 0 });
  assert.ok(a.type === 'range_bearing');
  assert.equal(a.rangeSd, 15);
  near(a.bearingSd, 0.5 * DEG);
  near(a.elevationSd, 0.8 * DEG);
  assert.equal(a.rangeRateSd, BUILTIN_DEFAULTS.kinds.radar.rangeRateSdMps);
  assert.equal(a.elevation, undefined);
  assert.equal(a.rangeRate, undefined);
  // built-in radar
  const b = good({ t: T, sensor: 'r-2', type: 'range_bearing', range_m: 100, bearing_deg: 0 });
  assert.ok(b.type === 'range_bearing');
  assert.equal(b.rangeSd, 30);
  near(b.bearingSd, 1 * DEG);
  near(b.elevationSd, 1 * DEG);
  assert.equal(b.rangeRateSd, 1);
  // detection beats sensor
  const c = good({ t: T, sensor: 'ac-1', type: 'bearing', bearing_deg: 10, bearing_sd_deg: 3 });
  assert.ok(c.type === 'bearing');
  near(c.bearingSd, 3 * DEG);
  // sensor beats built-in
  const d = good({ t: T, sensor: 'ac-1', type: 'bearing', bearing_deg: 10 });
  assert.ok(d.type === 'bearing');
  near(d.bearingSd, 6 * DEG);
  near(d.elevationSd, 10 * DEG, 1e-12); // built-in acoustic elevation
  // built-in acoustic
  const e = good({ t: T, sensor: 'ac-2', type: 'bearing', bearing_deg: 10 });
  assert.ok(e.type === 'bearing');
  near(e.bearingSd, 8 * DEG);
  assert.equal(e.bearingSd, builtinErrors('acoustic').bearingSd);
  // unknown kind: "other"
  const f = good({ t: T, sensor: 'x-1', type: 'range_bearing', range_m: 5, bearing_deg: 5 });
  assert.ok(f.type === 'range_bearing');
  assert.equal(f.rangeSd, BUILTIN_DEFAULTS.other.rangeSdM);
  near(f.bearingSd, BUILTIN_DEFAULTS.other.bearingSdDeg * DEG);
});

test('detections: bearing type, with and without elevation', () => {
  const d = good({ t: T, sensor: 'ac-1', type: 'bearing', bearing_deg: 270, elevation_deg: -5 });
  assert.ok(d.type === 'bearing');
  near(d.bearing, 1.5 * Math.PI);
  near(d.elevation, -5 * DEG);
  assert.deepEqual(d.sensorPosition, { latDeg: 37.7, lonDeg: 127.2, altM: 40 });
  const e = good({ t: T, sensor: 'ac-1', type: 'bearing', bearing_deg: 0 });
  assert.ok(e.type === 'bearing');
  assert.equal(e.bearing, 0);
  assert.equal(e.elevation, undefined);
});

test('detections: bearing exactly 360 reads as 0; bearings just below 360 stay below 2π', () => {
  const d = good({ t: T, sensor: 'ac-1', type: 'bearing', bearing_deg: 360 });
  assert.ok(d.type === 'bearing');
  assert.equal(d.bearing, 0);
  const e = good({ t: T, sensor: 'ac-1', type: 'bearing', bearing_deg: 359.99999999999994 });
  assert.ok(e.type === 'bearing');
  assert.ok(e.bearing >= 0 && e.bearing < 2 * Math.PI);
});

test('detections: position type, altitude optional, defaults', () => {
  const d = good({ t: T, sensor: 'obs', type: 'position', lat: 37.55, lon: 126.95, alt_m: 300, pos_sd_m: 200, alt_sd_m: 80 });
  assert.ok(d.type === 'position');
  assert.deepEqual(d.position, { latDeg: 37.55, lonDeg: 126.95, altM: 300 });
  assert.equal(d.hasAltitude, true);
  assert.equal(d.posSd, 200);
  assert.equal(d.altSd, 80);
  assert.equal(d.sensorPosition, undefined, 'a mobile sensor may report a position without its own');
  const e = good({ t: T, sensor: 'obs', type: 'position', lat: 37.55, lon: 126.95 });
  assert.ok(e.type === 'position');
  assert.equal(e.hasAltitude, false);
  assert.equal(e.position.altM, 0);
  assert.equal(e.posSd, 500, 'built-in observer pos_sd_m');
  assert.equal(e.altSd, BUILTIN_DEFAULTS.kinds.observer.altSdM);
  const f = good({ t: T, sensor: 'adsb', type: 'position', lat: 37.55, lon: 126.95, alt_m: 3000, target: '71BE23' });
  assert.ok(f.type === 'position');
  assert.equal(f.posSd, 25, 'sensor pos_sd_m');
  assert.equal(f.altSd, 15, 'built-in adsb alt_sd_m');
  assert.equal(f.cooperativeId, '71BE23');
  const g = good({ t: T, sensor: 'x-1', type: 'position', lat: 1, lon: 2 });
  assert.ok(g.type === 'position');
  assert.equal(g.posSd, 50);
  assert.equal(g.altSd, 100);
});

test('detections: presence range from the line, else the sensor, else 2000 m', () => {
  const a = good({ t: T, sensor: 'ac-1', type: 'presence', range_m: 900 });
  assert.ok(a.type === 'presence');
  assert.equal(a.range, 900);
  const b = good({ t: T, sensor: 'ac-1', type: 'presence' });
  assert.ok(b.type === 'presence');
  assert.equal(b.range, 2500);
  const c = good({ t: T, sensor: 'ac-2', type: 'presence' });
  assert.ok(c.type === 'presence');
  assert.equal(c.range, 2000);
  assert.equal(c.range, BUILTIN_DEFAULTS.presenceRangeM);
});

test('detections: mobile sensor position from the line', () => {
  const d = good({ t: T, sensor: 'obs', type: 'bearing', bearing_deg: 45, sensor_lat: 37.51, sensor_lon: 126.9, sensor_alt_m: 35 });
  assert.ok(d.type === 'bearing');
  assert.deepEqual(d.sensorPosition, { latDeg: 37.51, lonDeg: 126.9, altM: 35 });
  near(d.bearing, Math.PI / 4);
  near(d.bearingSd, 12 * DEG);
  // altitude defaults to 0 for a mobile sensor
  const e = good({ t: T, sensor: 'obs', type: 'presence', sensor_lat: 37.51, sensor_lon: 126.9 });
  assert.deepEqual(e.sensorPosition, { latDeg: 37.51, lonDeg: 126.9, altM: 0 });
  // a fixed sensor's line overrides its position; altitude from the fixed position
  const f = good({ t: T, sensor: 'r-1', type: 'presence', sensor_lat: 37.4, sensor_lon: 127.05 });
  assert.deepEqual(f.sensorPosition, { latDeg: 37.4, lonDeg: 127.05, altM: 50 });
  // only sensor_alt_m on a fixed sensor overrides its altitude
  const g = good({ t: T, sensor: 'r-1', type: 'presence', sensor_alt_m: 60 });
  assert.deepEqual(g.sensorPosition, { latDeg: 37.5, lonDeg: 127.0, altM: 60 });
  // without any, a fixed sensor's position is shared, not copied
  const h = good({ t: T, sensor: 'r-1', type: 'presence' });
  assert.equal(h.sensorPosition, sensors.get('r-1')?.position);
});

test('detections: id as number is converted; null optional fields are absent; unknown fields ignored', () => {
  const d = good({ t: 0, sensor: 'r-1', type: 'bearing', bearing_deg: 1, id: 17, snr_db: null, class: null, target: null, zzz: { a: 1 } });
  assert.equal(d.id, '17');
  assert.equal(d.snrDb, undefined);
  assert.equal(d.classHint, undefined);
  assert.equal(d.cooperativeId, undefined);
  // fields of other types are not checked
  good({ t: T, sensor: 'r-1', type: 'bearing', bearing_deg: 1, lat: 500, range_m: -5 });
  // negative t is a valid number; CRLF line endings are fine
  good('{"t":-1,"sensor":"r-1","type":"presence"}\r');
});

test('detections: bad JSON, not an object', () => {
  bad('{"t": 1, "sensor": ', 'not valid JSON');
  bad('nonsense', 'not valid JSON');
  bad('[1, 2]', 'must be a JSON object', 'an array');
  bad('42', 'must be a JSON object', '42');
  bad('"text"', 'must be a JSON object', 'string "text"');
  bad('null', 'must be a JSON object', 'null');
});

test('detections: t, sensor and type', () => {
  bad({ sensor: 'r-1', type: 'presence' }, 't is missing');
  bad({ t: '1764000000', sensor: 'r-1', type: 'presence' }, 't must be a finite number', 'string "1764000000"');
  bad({ t: null, sensor: 'r-1', type: 'presence' }, 't must be a finite number', 'null');
  bad('{"t":1e999,"sensor":"r-1","type":"presence"}', 't must be a finite number', 'Infinity');
  bad({ t: T, type: 'presence' }, 'sensor is missing');
  bad({ t: T, sensor: 5, type: 'presence' }, 'sensor must be a string', '5');
  bad({ t: T, sensor: 'nope', type: 'presence' }, 'sensor "nope" is unknown');
  bad({ t: T, sensor: 'r-1' }, 'type is missing');
  bad({ t: T, sensor: 'r-1', type: 'track' }, 'type must be', 'string "track"');
});

test('detections: common optional fields', () => {
  const base = { t: T, sensor: 'r-1', type: 'presence' };
  bad({ ...base, id: '' }, 'id must be', 'string ""');
  bad({ ...base, id: true }, 'id must be', 'true');
  bad({ ...base, sensor_lat: 91, sensor_lon: 0 }, 'sensor_lat must be within [-90, 90], got 91');
  bad({ ...base, sensor_lat: 0, sensor_lon: 181 }, 'sensor_lon must be within [-180, 180], got 181');
  bad({ ...base, sensor_lat: 10 }, 'sensor_lon is missing');
  bad({ ...base, sensor_lon: 10 }, 'sensor_lat is missing');
  bad({ ...base, sensor_lat: 10, sensor_lon: 10, sensor_alt_m: 'x' }, 'sensor_alt_m must be a finite number', 'string "x"');
  bad('{"t":1,"sensor":"r-1","type":"presence","sensor_alt_m":1e999}', 'sensor_alt_m', 'Infinity');
  bad({ ...base, snr_db: '3 dB' }, 'snr_db must be a finite number');
  bad({ ...base, class: { bird: 1.2 } }, 'class["bird"] must be a probability within [0, 1], got 1.2');
  bad({ ...base, class: { bird: -0.1 } }, 'class["bird"]', '-0.1');
  bad({ ...base, class: { bird: '0.5' } }, 'class["bird"]', 'string "0.5"');
  bad({ ...base, class: [0.5] }, 'class must be an object', 'an array');
  bad({ ...base, class: 'bird' }, 'class must be an object', 'string "bird"');
  bad({ ...base, target: 123 }, 'target must be a non-empty string', '123');
});

test('detections: mobile sensor without a sensor position', () => {
  for (const type of ['range_bearing', 'bearing', 'presence']) {
    bad({ t: T, sensor: 'obs', type, range_m: 10, bearing_deg: 10 }, 'sensor "obs" has no fixed position', 'sensor_lat');
  }
  bad({ t: T, sensor: 'obs', type: 'bearing', bearing_deg: 10, sensor_alt_m: 5 }, 'sensor_alt_m is given without sensor_lat');
});

test('detections: position fields', () => {
  const base = { t: T, sensor: 'obs', type: 'position' };
  assert.equal(bad({ ...base, lat: 91.5, lon: 0 }), 'lat must be within [-90, 90], got 91.5');
  bad({ ...base, lat: -90.01, lon: 0 }, 'lat', '-90.01');
  bad({ ...base, lon: 0 }, 'lat is missing');
  bad({ ...base, lat: 0 }, 'lon is missing');
  bad({ ...base, lat: 0, lon: 200 }, 'lon must be within [-180, 180], got 200');
  bad({ ...base, lat: 0, lon: 0, alt_m: 'x' }, 'alt_m must be a finite number');
  bad('{"t":1,"sensor":"obs","type":"position","lat":0,"lon":0,"alt_m":1e999}', 'alt_m', 'Infinity');
  bad({ ...base, lat: 0, lon: 0, pos_sd_m: 0 }, 'pos_sd_m must be a positive finite number, got 0');
  bad({ ...base, lat: 0, lon: 0, alt_sd_m: -5 }, 'alt_sd_m must be a positive finite number, got -5');
  // beyond any measurement (its square would overflow the filter): refused
  bad({ ...base, lat: 0, lon: 0, pos_sd_m: 1e200 }, 'pos_sd_m must be at most 10000000, got 1e+200');
  bad({ ...base, lat: 0, lon: 0, pos_sd_m: 2e7 }, 'pos_sd_m must be at most 10000000');
});

test('detections: range_bearing and bearing fields', () => {
  const rb = { t: T, sensor: 'r-1', type: 'range_bearing' };
  bad({ ...rb, range_m: -1, bearing_deg: 10 }, 'range_m must be a non-negative finite number no larger than 10000000, got -1');
  bad({ ...rb, bearing_deg: 10 }, 'range_m is missing');
  bad('{"t":1,"sensor":"r-1","type":"range_bearing","range_m":1e999,"bearing_deg":10}', 'range_m', 'Infinity');
  bad({ ...rb, range_m: 100, bearing_deg: 400 }, 'bearing_deg must be within [0, 360), got 400');
  bad({ ...rb, range_m: 100, bearing_deg: -1 }, 'bearing_deg must be within [0, 360), got -1');
  bad({ ...rb, range_m: 100, bearing_deg: 360.5 }, 'bearing_deg', '360.5');
  bad({ ...rb, range_m: 100 }, 'bearing_deg is missing');
  bad({ ...rb, range_m: 100, bearing_deg: '10' }, 'bearing_deg must be a finite number', 'string "10"');
  bad({ ...rb, range_m: 100, bearing_deg: 10, elevation_deg: 91 }, 'elevation_deg must be within [-90, 90], got 91');
  bad({ ...rb, range_m: 100, bearing_deg: 10, range_sd_m: 0 }, 'range_sd_m must be a positive finite number, got 0');
  bad({ ...rb, range_m: 100, bearing_deg: 10, bearing_sd_deg: -2 }, 'bearing_sd_deg must be a positive finite number, got -2');
  bad({ ...rb, range_m: 100, bearing_deg: 10, elevation_sd_deg: 'big' }, 'elevation_sd_deg', 'string "big"');
  bad({ ...rb, range_m: 100, bearing_deg: 10, range_rate_mps: 'fast' }, 'range_rate_mps must be a finite number');
  bad({ ...rb, range_m: 100, bearing_deg: 10, range_rate_sd_mps: 0 }, 'range_rate_sd_mps must be a positive finite number');
  const b = { t: T, sensor: 'ac-1', type: 'bearing' };
  bad({ ...b }, 'bearing_deg is missing');
  bad('{"t":1,"sensor":"ac-1","type":"bearing","bearing_deg":1e999}', 'bearing_deg', 'Infinity');
  bad({ ...b, bearing_deg: 10, elevation_deg: -90.5 }, 'elevation_deg', '-90.5');
  // zero range is allowed for range_bearing, not for presence
  good({ ...rb, range_m: 0, bearing_deg: 10 });
  bad({ t: T, sensor: 'ac-1', type: 'presence', range_m: 0 }, 'range_m must be a positive finite number, got 0');
  bad({ t: T, sensor: 'ac-1', type: 'presence', range_m: -10 }, 'range_m', '-10');
});

test('detections: formatLineError gives the line number and the reason', () => {
  const r = parseDetectionLine('{"t":1,"sensor":"nope","type":"presence"}', 7, sensors);
  assert.ok(r !== null && !r.ok);
  assert.equal(formatLineError(r), 'line 7: sensor "nope" is unknown (not in sensors.json)');
});

test('detections: an id or target that would not read as written (a bidirectional override, a line break, an invisible character) is refused, naming it; right-to-left marks are taken', () => {
  const base = { t: T, sensor: 'adsb', type: 'position', lat: 37.5, lon: 127, alt_m: 1000 };
  bad({ ...base, target: 'T<img src=x>\u202Eevil' }, 'target has a bidirectional control (it reorders the text after it) (U+202E) at character 12');
  bad({ ...base, id: 'cot:u\nU:1' }, 'id has a control character (U+000A) at character 5');
  bad({ ...base, id: 'a\u200Bb' }, 'id has an invisible character (U+200B) at character 1');
  bad({ ...base, target: 'x\u0085y' }, 'target has a C1 control character (U+0085)');
  bad({ ...base, target: 'x\u2028y' }, 'target has a line separator (U+2028)');
  // half of a surrogate pair is no character (stored as UTF-8 it became U+FFFD: an outside probe, 2026-12-07); a whole pair is one
  bad({ ...base, id: 'a\ud800b' }, 'id has a lone surrogate (U+D800) at character 1: not a Unicode character');
  bad({ ...base, id: 'ab\udc00' }, 'id has a lone surrogate (U+DC00) at character 2');
  assert.equal(good({ ...base, id: 'drone-\ud83d\ude81' }).id, 'drone-\ud83d\ude81');
  const ok = good({ ...base, id: 'ok-1', target: 'طائرة\u200F-7' });
  assert.equal(ok.id, 'ok-1');
});
