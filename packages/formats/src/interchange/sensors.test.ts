import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSensorsJson } from './sensors.js';

const DEG = Math.PI / 180;
const near = (a: number | undefined, b: number, tol = 1e-12): void => {
  assert.ok(a !== undefined && Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);
};
const doc = (...sensors: unknown[]): string => JSON.stringify({ sensors });

/** Expects failure and that some error contains every fragment. */
function expectError(text: string, ...fragments: string[]): string[] {
  const r = parseSensorsJson(text);
  assert.equal(r.ok, false, `expected errors for ${text}`);
  if (r.ok) throw new Error('unreachable');
  assert.ok(
    r.errors.some((e) => fragments.every((f) => e.includes(f))),
    `no error contains ${JSON.stringify(fragments)}: ${JSON.stringify(r.errors)}`,
  );
  return r.errors;
}

test('sensors: the spec example converts to SI and radians', () => {
  const r = parseSensorsJson(
    '{ "sensors": [ { "id": "ac-0001", "kind": "acoustic", "lat": 37.61, "lon": 126.99, "alt_m": 40,' +
      ' "range_m": 2500, "bearing_sd_deg": 8, "pd": 0.9 } ] }',
  );
  assert.ok(r.ok);
  assert.deepEqual(r.warnings, []);
  const s = r.sensors.get('ac-0001');
  assert.ok(s);
  assert.equal(s.kind, 'acoustic');
  assert.deepEqual(s.position, { latDeg: 37.61, lonDeg: 126.99, altM: 40 });
  assert.ok(Object.isFrozen(s.position));
  assert.equal(s.rangeMax, 2500);
  near(s.bearingSd, 8 * DEG);
  assert.equal(s.pd, 0.9);
  assert.equal(s.elevationSd, undefined);
  assert.equal(s.farPerHour, undefined);
});

test('sensors: every field, mobile sensor, defaults, unknown fields ignored', () => {
  const r = parseSensorsJson(
    doc(
      {
        id: 'r-1', kind: 'radar', lat: -33.5, lon: 151.2, range_m: 5000, bearing_sd_deg: 0.5, elevation_sd_deg: 2,
        range_sd_m: 10, pos_sd_m: 20, alt_sd_m: 30, pd: 1, far_per_hour: 0, vendor: 'x', nested: { a: 1 },
      },
      { id: 'obs-7', kind: 'observer' },
      { id: 'w-1', kind: 'some_new_word', lat: 0, lon: 0, alt_m: -12.5 },
    ),
  );
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.sensors.size, 3);
  const radar = r.sensors.get('r-1');
  assert.ok(radar);
  assert.deepEqual(radar.position, { latDeg: -33.5, lonDeg: 151.2, altM: 0 }, 'alt_m defaults to 0');
  near(radar.bearingSd, 0.5 * DEG);
  near(radar.elevationSd, 2 * DEG);
  assert.equal(radar.rangeSd, 10);
  assert.equal(radar.posSd, 20);
  assert.equal(radar.altSd, 30);
  assert.equal(radar.pd, 1);
  assert.equal(radar.farPerHour, 0);
  assert.equal((radar as unknown as Record<string, unknown>).vendor, undefined);
  assert.deepEqual(r.sensors.get('obs-7'), { id: 'obs-7', kind: 'observer' });
  assert.deepEqual(r.sensors.get('w-1')?.position, { latDeg: 0, lonDeg: 0, altM: -12.5 });
});

test('sensors: null counts as absent; alt_m on a mobile sensor is a warning', () => {
  const r = parseSensorsJson(doc({ id: 'm', kind: 'rf', lat: null, lon: null, alt_m: 10, pd: null }));
  assert.ok(r.ok);
  assert.equal(r.sensors.get('m')?.position, undefined);
  assert.equal(r.sensors.get('m')?.pd, undefined);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /sensors\[0\] \(id "m"\): alt_m ignored/);
});

test('sensors: an empty list is valid with a warning', () => {
  const r = parseSensorsJson('{"sensors":[]}');
  assert.ok(r.ok);
  assert.equal(r.sensors.size, 0);
  assert.equal(r.warnings.length, 1);
});

test('sensors: document-level errors', () => {
  expectError('{"sensors": [', 'not valid JSON');
  expectError('[1,2]', 'must be a JSON object', 'an array');
  expectError('null', 'must be a JSON object', 'null');
  expectError('{}', '"sensors" must be an array', 'nothing');
  expectError('{"sensors": {"id": "a"}}', '"sensors" must be an array', 'an object');
  expectError(doc(5), 'sensors[0]: must be an object, got 5');
});

test('sensors: the brief example message', () => {
  const errors = expectError(
    doc(
      { id: 'a', kind: 'radar' },
      { id: 'b', kind: 'radar' },
      { id: 'c', kind: 'radar' },
      { id: 'r-2', kind: 'radar', bearing_sd_deg: -1 },
    ),
  );
  assert.deepEqual(errors, ['sensors[3] (id "r-2"): bearing_sd_deg must be a positive finite number, got -1']);
});

test('sensors: field errors name the index, the id, the field and the value', () => {
  const bad: Array<[Record<string, unknown>, string[]]> = [
    [{ kind: 'radar' }, ['sensors[0]:', 'id is missing']],
    [{ id: '', kind: 'radar' }, ['sensors[0]:', 'id must be a non-empty string', 'string ""']],
    [{ id: 7, kind: 'radar' }, ['sensors[0]:', 'id must be a non-empty string', 'got 7']],
    [{ id: 's' }, ['(id "s")', 'kind is missing']],
    [{ id: 's', kind: 3 }, ['(id "s")', 'kind must be a non-empty string', 'got 3']],
    [{ id: 's', kind: 'radar', lat: 91, lon: 0 }, ['(id "s")', 'lat must be within [-90, 90], got 91']],
    [{ id: 's', kind: 'radar', lat: 0, lon: -180.5 }, ['lon must be within [-180, 180], got -180.5']],
    [{ id: 's', kind: 'radar', lat: '37', lon: 127 }, ['lat must be a finite number within [-90, 90], got string "37"']],
    [{ id: 's', kind: 'radar', lat: 37 }, ['(id "s")', 'lon is missing']],
    [{ id: 's', kind: 'radar', lon: 127 }, ['(id "s")', 'lat is missing']],
    [{ id: 's', kind: 'radar', lat: 37, lon: 127, alt_m: 'high' }, ['alt_m must be a finite number, got string "high"']],
    [{ id: 's', kind: 'radar', range_m: 0 }, ['range_m must be a positive finite number, got 0']],
    [{ id: 's', kind: 'radar', elevation_sd_deg: true }, ['elevation_sd_deg must be a positive finite number, got true']],
    [{ id: 's', kind: 'radar', range_sd_m: -3 }, ['range_sd_m must be a positive finite number, got -3']],
    [{ id: 's', kind: 'radar', pos_sd_m: 0 }, ['pos_sd_m must be a positive finite number, got 0']],
    [{ id: 's', kind: 'radar', alt_sd_m: [] }, ['alt_sd_m must be a positive finite number, got an array']],
    [{ id: 's', kind: 'radar', pd: 1.5 }, ['pd must be within [0, 1], got 1.5']],
    [{ id: 's', kind: 'radar', pd: -0.1 }, ['pd must be within [0, 1], got -0.1']],
    [{ id: 's', kind: 'radar', far_per_hour: -1 }, ['far_per_hour must be a non-negative finite number, got -1']],
  ];
  for (const [entry, fragments] of bad) expectError(doc(entry), ...fragments);
});

test('sensors: non-finite numbers (1e999) are rejected', () => {
  expectError('{"sensors":[{"id":"s","kind":"radar","lat":1e999,"lon":0}]}', 'lat', 'Infinity');
  expectError('{"sensors":[{"id":"s","kind":"radar","range_m":1e999}]}', 'range_m', 'Infinity');
  expectError('{"sensors":[{"id":"s","kind":"radar","lat":0,"lon":0,"alt_m":-1e999}]}', 'alt_m', '-Infinity');
  expectError('{"sensors":[{"id":"s","kind":"radar","far_per_hour":1e999}]}', 'far_per_hour', 'Infinity');
});

test('sensors: duplicate ids are rejected and all errors are collected', () => {
  const errors = expectError(
    doc({ id: 'x', kind: 'radar' }, { id: 'y', kind: 'radar', pd: 2 }, { id: 'x', kind: 'eo' }),
    'sensors[2] (id "x")',
    'not unique',
    'sensors[0]',
  );
  assert.equal(errors.length, 2);
  assert.ok(errors.some((e) => e.includes('sensors[1] (id "y"): pd')));
});

test('sensors: a kind longer than 64 characters and a far_per_hour beyond a million are refused by name; the bounds themselves are taken', () => {
  expectError(`{"sensors":[{"id":"s","kind":"${'k'.repeat(10_000)}"}]}`, 'kind', '10000');
  expectError('{"sensors":[{"id":"s","kind":"radar","far_per_hour":1e308}]}', 'far_per_hour', '1e+308');
  const ok = parseSensorsJson(`{"sensors":[{"id":"s","kind":"${'k'.repeat(64)}","far_per_hour":1000000}]}`);
  assert.equal(ok.ok, true, JSON.stringify(ok));
  // a syntax error names its line and column
  const bad = parseSensorsJson('{"sensors": [\n  {"id": "s", "kind": "radar",}\n]}');
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.errors[0], /^sensors\.json is not valid JSON \(at line 2, column 31/);
});

test('sensors: an id longer than 256 characters (the bound of the service\'s registry) is refused, named by its first 60 characters; 256 are taken', () => {
  const long = 's'.repeat(1_000_000);
  const r = parseSensorsJson(`{"sensors":[{"id":"${long}","kind":"microphone","lat":37,"lon":127,"range_m":2500}]}`);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.errors.length, 1, r.errors.join('; ').slice(0, 500));
    assert.equal(r.errors[0], `sensors[0] (id "${'s'.repeat(60)}…"): id must be at most 256 characters, got 1000000`);
  }
  const ok = parseSensorsJson(`{"sensors":[{"id":"${'s'.repeat(256)}","kind":"microphone","lat":37,"lon":127,"range_m":2500}]}`);
  assert.equal(ok.ok, true, JSON.stringify(ok).slice(0, 300));
});

test('sensors: an id whose letters mix Latin, Cyrillic or Greek (a look-alike of another id) is refused, naming the letter; an id in one script is taken', () => {
  // "mic-0а1" with a Cyrillic а (U+0430) reads as "mic-0a1" on every screen
  expectError('{"sensors":[{"id":"mic-0a1","kind":"microphone","lat":37,"lon":127},{"id":"mic-0\u04301","kind":"microphone","lat":37,"lon":127.01}]}', 'sensors[1]', 'id mixes Latin and Cyrillic letters (the Cyrillic "\u0430", U+0430, at character 5): an id must not look like another');
  expectError('{"sensors":[{"id":"\u03bfbserver-1","kind":"observer","lat":37,"lon":127}]}', 'id mixes Greek and Latin letters (the Latin "b", U+0062, at character 1)');
  // one script, or another script beside Latin (Hangul), is taken
  const ok = parseSensorsJson('{"sensors":[{"id":"\u043c\u0456\u043a-01","kind":"microphone","lat":37,"lon":127},{"id":"mic-\uc11c\uc6b8-1","kind":"microphone","lat":37,"lon":127.01}]}');
  assert.equal(ok.ok, true, JSON.stringify(ok).slice(0, 300));
});

test('sensors: an id or kind that would not read as written (a zero-width space, a bidirectional override) is refused, naming it', () => {
  expectError('{"sensors":[{"id":"radar-1\u200b","kind":"radar","lat":37,"lon":127}]}', 'id has an invisible character (U+200B) at character 7');
  const errs = expectError('{"sensors":[{"id":"q\u202eevil","kind":"radar","lat":37,"lon":127}]}', 'id has a bidirectional control');
  // the refusal quotes the id with the override escaped, so that it does not reorder the message itself
  assert.ok(errs.some((e) => e.startsWith('sensors[0] (id "q\\u202eevil"): ')), JSON.stringify(errs));
  assert.ok(errs.every((e) => !e.includes('\u202e')), 'no raw override in a message');
  expectError('{"sensors":[{"id":"s","kind":"rad\u0085ar","lat":37,"lon":127}]}', 'kind has a C1 control character (U+0085)');
});

test('sensors: the ids "." and ".." are refused (a URL path resolves them away); ids that only contain dots are taken', () => {
  for (const id of ['.', '..']) expectError(doc({ id, kind: 'radar', lat: 37, lon: 127 }), `(id "${id}")`, 'must not be "." or ".."');
  for (const id of ['...', 'mic.01', '.hidden']) {
    const r = parseSensorsJson(doc({ id, kind: 'radar', lat: 37, lon: 127 }));
    assert.ok(r.ok, `${id}: ${r.ok ? '' : r.errors.join('; ')}`);
  }
});
