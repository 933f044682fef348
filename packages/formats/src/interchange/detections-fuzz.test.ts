/**
 * Fuzz test of the detection-row reader (`parseDetectionRow`, the live ingest's, and
 * `parseDetectionLine`, the detections.ndjson reader's). Valid rows of every type are mutated
 * with extreme numbers, wrong types, deep nesting, huge strings, unicode, prototype keys,
 * removed, extra and duplicated fields; lines are also mutated as text, truncated, padded and
 * made of random bytes. Every input must be answered (a detection, a refusal, or `null` for a
 * blank line), never a throw; a refusal names what it refuses; an accepted detection holds
 * only finite values within the bounds of docs/interchange.md. Beyond that, each input is
 * judged independently by the rules of docs/interchange.md ({@link docsViolation}, written
 * from the document, not from the parser): the parser must accept exactly the rows they accept.
 *
 * SKYWARDEN_FUZZ_SCALE (a positive number, default 1) multiplies the number of inputs: about
 * 20,000 at 1, 1,000,000 at 50 (the fault suite's size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detection, Sensor } from '@skywarden/core';
import { createPrng, mutateString, randInt, randomBytes, scaled } from '../testing/fuzz.js';
import { parseDetectionLine, parseDetectionRow, parseSensorsJson, type LineError } from './index.js';


// --- sensors: one of each sort a detection type needs
const parsedSensors = parseSensorsJson(
  JSON.stringify({
    sensors: [
      { id: 'r-1', kind: 'radar', lat: 37.5, lon: 127.0, alt_m: 50, range_m: 8000, range_sd_m: 15, bearing_sd_deg: 0.5, elevation_sd_deg: 0.8 },
      { id: 'mic-1', kind: 'acoustic', lat: 37.61, lon: 126.99, alt_m: 40, range_m: 600 }, // presence microphone
      { id: 'ac-arr', kind: 'acoustic', lat: 37.7, lon: 127.2, alt_m: 30, bearing_sd_deg: 6 }, // bearing array, no range_m
      { id: 'obs', kind: 'observer' }, // mobile
      { id: 'adsb', kind: 'adsb', pos_sd_m: 25 }, // mobile, cooperative
    ],
  }),
);
assert.ok(parsedSensors.ok, JSON.stringify(parsedSensors));
const sensors: ReadonlyMap<string, Sensor> = parsedSensors.sensors;
const SENSOR_IDS = [...sensors.keys()];

const T = 1764000000.25;
/** Valid rows: every type, every sensor, most optional fields (so that mutations reach them). */
const SEEDS: readonly Record<string, unknown>[] = [
  {
    t: T, sensor: 'r-1', type: 'range_bearing', id: 'd-1', range_m: 1234.5, bearing_deg: 90, elevation_deg: 3, range_sd_m: 7,
    bearing_sd_deg: 2, elevation_sd_deg: 4, range_rate_mps: -12.5, range_rate_sd_mps: 0.3, snr_db: 17, class: { piston_owa: 0.7, bird: 0.1 },
  },
  { t: T, sensor: 'ac-arr', type: 'bearing', id: 7, bearing_deg: 270, elevation_deg: -5, bearing_sd_deg: 3, elevation_sd_deg: 8, snr_db: -3 },
  { t: T, sensor: 'obs', type: 'bearing', bearing_deg: 45, sensor_lat: 37.51, sensor_lon: 126.9, sensor_alt_m: 35, class: { multirotor: 1 } },
  { t: T, sensor: 'mic-1', type: 'presence', range_m: 400, snr_db: 6, class: { multirotor: 0.5 } },
  { t: T, sensor: 'mic-1', type: 'presence', sensor_alt_m: 41 },
  { t: T, sensor: 'obs', type: 'position', lat: 37.55, lon: 126.95, alt_m: 300, pos_sd_m: 200, alt_sd_m: 80, sensor_lat: 37.5, sensor_lon: 126.9 },
  { t: T, sensor: 'adsb', type: 'position', id: 'a-9', lat: -37.55, lon: -179.5, alt_m: 3000, target: '71BE23' },
];
const SEED_TEXTS = SEEDS.map((s) => JSON.stringify(s));
const SEEDS_BEFORE = JSON.stringify(SEEDS);
const SENSORS_BEFORE = JSON.stringify([...sensors]);

// --- the rules of docs/interchange.md ("detections.ndjson", "Plausibility bounds"), written out
// here rather than taken from the parser's PLAUSIBLE table, so that the parser is checked
// against the document.
type Type = Detection['type'];
const TYPES: readonly Type[] = ['position', 'range_bearing', 'bearing', 'presence'];
interface Bound {
  lo: number;
  hi: number;
  /** `lo` itself excluded (positive values). */
  open?: boolean;
}
const closed = (lo: number, hi: number): Bound => ({ lo, hi });
/** An error (one standard deviation): at least a millimetre, a millimetre a second or a millionth of a degree. */
const sd = (lo: number, hi: number): Bound => ({ lo, hi });
const T_MIN = -2_208_988_800;
const T_MAX = 4_102_444_800;
const ROW_CHARS = 16_384;
const MAX_DEPTH = 8;
const COMMON_BOUNDS: Record<string, Bound> = {
  t: closed(T_MIN, T_MAX),
  sensor_lat: closed(-90, 90),
  sensor_lon: closed(-180, 180),
  sensor_alt_m: closed(-1000, 100_000),
  snr_db: closed(-100, 200),
};
const TYPE_BOUNDS: Record<Type, Record<string, Bound>> = {
  position: { lat: closed(-90, 90), lon: closed(-180, 180), alt_m: closed(-1000, 100_000), pos_sd_m: sd(1e-3, 1e7), alt_sd_m: sd(1e-3, 1e7) },
  range_bearing: {
    range_m: closed(0, 1e7),
    // [0, 360): and exactly 360, read as north (compasses print north as 360).
    bearing_deg: closed(0, 360),
    elevation_deg: closed(-90, 90),
    range_sd_m: sd(1e-3, 1e7),
    bearing_sd_deg: sd(1e-6, 180),
    elevation_sd_deg: sd(1e-6, 180),
    range_rate_mps: closed(-1e4, 1e4),
    range_rate_sd_mps: sd(1e-3, 1e4),
  },
  bearing: { bearing_deg: closed(0, 360), elevation_deg: closed(-90, 90), bearing_sd_deg: sd(1e-6, 180), elevation_sd_deg: sd(1e-6, 180) },
  presence: { range_m: sd(1e-3, 1e7) },
};
const REQUIRED: Record<Type, readonly string[]> = { position: ['lat', 'lon'], range_bearing: ['range_m', 'bearing_deg'], bearing: ['bearing_deg'], presence: [] };
/** Every numeric field with its bounds (range_m: the wider of its two). */
const ALL_BOUNDS: Record<string, Bound> = { ...COMMON_BOUNDS, ...TYPE_BOUNDS.presence, ...TYPE_BOUNDS.bearing, ...TYPE_BOUNDS.position, ...TYPE_BOUNDS.range_bearing };
const NUMERIC_FIELDS = Object.keys(ALL_BOUNDS);
const FIELD_NAMES = [...NUMERIC_FIELDS, 'sensor', 'type', 'id', 'class', 'target'];

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
/** An own field (never one inherited through a prototype). */
const own = (o: Record<string, unknown>, k: string): unknown => (hasOwn(o, k) ? o[k] : undefined);
/** Present: JSON `null` counts as absent. */
const given = (v: unknown): boolean => v !== undefined && v !== null;
const inBound = (v: unknown, b: Bound): boolean => typeof v === 'number' && (b.open === true ? v > b.lo : v >= b.lo) && v <= b.hi;

/** The deepest nesting level inside `v` (an object or array at `level`), stopping past MAX_DEPTH. */
function depthOf(v: object, level: number): number {
  if (level > MAX_DEPTH) return level;
  let deepest = level;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    if (typeof x === 'object' && x !== null) deepest = Math.max(deepest, depthOf(x, level + 1));
    if (deepest > MAX_DEPTH) break;
  }
  return deepest;
}

/**
 * Why docs/interchange.md refuses row `o`, or undefined when it is a valid detection.
 * `sizeAsJson`: the row's size is its JSON serialisation (the row reader); the line reader
 * measures the line instead, before parsing it ({@link lineModel}).
 */

/** docs/interchange.md, plausibility bounds: an id or target reads as written (no controls, separators, bidirectional or invisible characters, no half of a surrogate pair alone). */
function readable(v: string): boolean {
  for (let k = 0; k < v.length; k++) {
    const c = v.charCodeAt(k);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x200b && c <= 0x200d) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = v.charCodeAt(k + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      k++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

function docsViolation(o: Record<string, unknown>, sizeAsJson: boolean): string | undefined {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'object' && v !== null && depthOf(v, 2) > MAX_DEPTH) return `${k}: nested too deep`;
  }
  if (sizeAsJson && JSON.stringify(o).length > ROW_CHARS) return 'row too long';
  if (!inBound(own(o, 't'), COMMON_BOUNDS.t!)) return 't';
  const sensorId = own(o, 'sensor');
  const sensor = typeof sensorId === 'string' ? sensors.get(sensorId) : undefined;
  if (sensor === undefined) return 'sensor';
  const type = own(o, 'type');
  if (!TYPES.includes(type as Type)) return 'type';
  for (const k of ['sensor_lat', 'sensor_lon', 'sensor_alt_m', 'snr_db']) {
    if (given(own(o, k)) && !inBound(own(o, k), COMMON_BOUNDS[k]!)) return k;
  }
  const linePosition = given(own(o, 'sensor_lat'));
  if (linePosition !== given(own(o, 'sensor_lon'))) return 'sensor_lat and sensor_lon go together';
  if (given(own(o, 'sensor_alt_m')) && !linePosition && sensor.position === undefined) return 'sensor_alt_m without a sensor position';
  if (type !== 'position' && !linePosition && sensor.position === undefined) return 'no sensor position';
  const id = own(o, 'id');
  if (given(id) && !((typeof id === 'string' && id.length >= 1 && id.length <= 128 && readable(id)) || (typeof id === 'number' && Number.isFinite(id)))) return 'id';
  const target = own(o, 'target');
  if (given(target) && !(typeof target === 'string' && target.length >= 1 && target.length <= 128 && readable(target))) return 'target';
  const cls = own(o, 'class');
  if (given(cls)) {
    if (typeof cls !== 'object' || Array.isArray(cls)) return 'class';
    const labels = Object.keys(cls as object);
    if (labels.length > 64) return 'class: too many labels';
    for (const label of labels) {
      const p = (cls as Record<string, unknown>)[label];
      if (label.length > 64 || !(typeof p === 'number' && p >= 0 && p <= 1)) return `class[${JSON.stringify(label)}]`;
    }
  }
  for (const k of REQUIRED[type as Type]) if (!given(own(o, k))) return `${k} missing`;
  const bounds = TYPE_BOUNDS[type as Type];
  for (const k of Object.keys(bounds)) if (given(own(o, k)) && !inBound(own(o, k), bounds[k]!)) return k;
  return undefined;
}

const BLANK = Symbol('blank');
/** What docs/interchange.md makes of a line: blank, refused (why), or the row to accept. */
function lineModel(line: string): typeof BLANK | string | Record<string, unknown> {
  if (/^[ \t\r\n\ufeff]*$/.test(line)) return BLANK;
  if (line.trimEnd().length > ROW_CHARS) return 'line too long';
  let o: unknown;
  try {
    o = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
  } catch {
    return 'not JSON';
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'not an object';
  const o2 = o as Record<string, unknown>;
  return docsViolation(o2, false) ?? o2;
}

/** True when `v` survives JSON.stringify and JSON.parse unchanged (so both readers can be given it). */
function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.every(jsonExact);
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k of Object.keys(v)) if (!jsonExact((v as Record<string, unknown>)[k])) return false;
  return true;
}

// --- checks of the answers
/** A refusal starts with the field it refuses, or says that the line or detection is bad. */
const NAMES_SOMETHING = new RegExp(`^(?:(?:${FIELD_NAMES.join('|')})\\b|class\\[|"|the detection is|not valid JSON|a line must be a JSON object)`);
/** Own fields of each detection type (all present, optional ones undefined: one shape per type). */
const SHAPE = new Map<string, string>();

function checkRefusal(r: LineError, lineNo: number, input: string): void {
  assert.equal(r.ok, false);
  assert.equal(r.lineNo, lineNo);
  assert.equal(typeof r.reason, 'string');
  assert.ok(r.reason.length > 0, `empty reason for ${input}`);
  assert.match(r.reason, NAMES_SOMETHING, `reason names nothing, for ${input}`);
}

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const within = (v: unknown, lo: number, hi: number): boolean => finite(v) && (v as number) >= lo && (v as number) <= hi;
const DEG = Math.PI / 180;

/** An accepted detection: the row's values, finite, within the documented bounds. */
function checkDetection(d: Detection, o: Record<string, unknown>, input: string): void {
  const where = `detection ${JSON.stringify(d)} of ${input}`;
  const sensor = sensors.get(d.sensorId);
  assert.ok(sensor !== undefined, where);
  assert.equal(d.type, own(o, 'type'), where);
  assert.equal(d.t, own(o, 't'), where);
  assert.ok(within(d.t, T_MIN, T_MAX), where);
  assert.equal(d.sensorId, own(o, 'sensor'), where);
  assert.equal(d.sensorKind, sensor.kind, where);
  assert.equal(d.sensorRange, sensor.rangeMax, where);
  const keys = Object.keys(d).sort().join();
  if (!SHAPE.has(d.type)) SHAPE.set(d.type, keys);
  assert.equal(keys, SHAPE.get(d.type), `shape of ${where}`);
  if (d.id !== undefined) assert.ok(typeof d.id === 'string' && d.id.length > 0 && d.id.length <= 128, where);
  if (d.cooperativeId !== undefined) assert.ok(typeof d.cooperativeId === 'string' && d.cooperativeId.length > 0 && d.cooperativeId.length <= 128, where);
  if (d.snrDb !== undefined) assert.ok(within(d.snrDb, -100, 200), where);
  if (d.classHint !== undefined) {
    assert.ok(Object.keys(d.classHint).length <= 64, where);
    for (const [label, p] of Object.entries(d.classHint)) assert.ok(label.length <= 64 && within(p, 0, 1), where);
  }
  const sp = d.sensorPosition;
  if (sp !== undefined) {
    assert.ok(within(sp.latDeg, -90, 90) && within(sp.lonDeg, -180, 180) && within(sp.altM, -1000, 100_000), where);
  } else assert.ok(d.type === 'position', `a ${d.type} detection without a sensor position: ${where}`);
  switch (d.type) {
    case 'position':
      assert.ok(d.position.latDeg === own(o, 'lat') && d.position.lonDeg === own(o, 'lon'), where);
      assert.ok(within(d.position.latDeg, -90, 90) && within(d.position.lonDeg, -180, 180) && within(d.position.altM, -1000, 100_000), where);
      assert.equal(d.hasAltitude, given(own(o, 'alt_m')), where);
      assert.ok(within(d.posSd, 1e-3, 1e7) && within(d.altSd, 1e-3, 1e7), where);
      break;
    case 'presence':
      assert.ok(within(d.range, 1e-3, 1e7), where);
      if (given(own(o, 'range_m'))) assert.equal(d.range, own(o, 'range_m'), where);
      break;
    default:
      if (d.type === 'range_bearing') {
        assert.equal(d.range, own(o, 'range_m'), where);
        assert.ok(within(d.range, 0, 1e7) && within(d.rangeSd, 1e-3, 1e7) && within(d.rangeRateSd, 1e-3, 1e4), where);
        if (d.rangeRate !== undefined) assert.ok(within(d.rangeRate, -1e4, 1e4), where);
      }
      assert.ok(finite(d.bearing) && d.bearing >= 0 && d.bearing < 2 * Math.PI, where);
      if (d.elevation !== undefined) assert.ok(within(d.elevation, -90 * DEG, 90 * DEG), where);
      // (before the lower bound, a positive *_sd_deg below about 1.4e-322 became 0 rad: the product underflowed)
      assert.ok(within(d.bearingSd, 1e-6 * DEG, 180 * DEG) && within(d.elevationSd, 1e-6 * DEG, 180 * DEG), where);
  }
}


/** Nothing reached Object.prototype (an inherited enumerable key shows in any `for in`). */
function checkNoPollution(input: string): void {
  for (const k in {}) assert.fail(`Object.prototype polluted with ${JSON.stringify(k)} by ${input}`);
}

/** Shortened for messages (the inputs may be 100 kB). */
function brief(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} characters)` : s;
}
function describe(o: Record<string, unknown>): string {
  let s: string;
  try {
    s = JSON.stringify(o, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? '-0' : v));
  } catch {
    s = '(not serialisable)';
  }
  return `row ${brief(s)}${Object.getPrototypeOf(o) === null ? ' (null prototype)' : ''}`;
}

// --- generators
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** The next double above `x`. */
function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0] = i64[0] + (x > 0 ? 1n : -1n);
  return f64[0];
}
const nextDown = (x: number): number => -nextUp(-x);

const EXTREME_NUMBERS = [
  1e300, -1e300, NaN, Infinity, -Infinity, -0, 0, 2 ** 53 + 1, -(2 ** 53 + 1), 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE,
  Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 1e-310, 1e-300, Number.EPSILON, 1, -1, 0.5, 1764000000, 2 ** 31, -(2 ** 31), 2 ** 32,
];
const STRINGS = [
  '', ' ', '0', '1', '-1', '1e3', 'NaN', 'Infinity', '-0', 'true', 'null', '{}', '[]', 'position', 'range_bearing', 'bearing', 'presence',
  'Position', 'position ', 'position\u0000', ...SENSOR_IDS, 'r-1 ', 'R-1', '\u0072-1', '__proto__', 'constructor', 'prototype', 'toString',
  'hasOwnProperty', '\u0000', '\ud800', '\udfff\ud800', '\u{1f600}', '\u202e', '\ufeff', 'é', 'ｌａｔ', '\n', '"', '\\', '%s%n', '71BE23',
];
const ODD_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', '', ' ', 'T', 'Lat', 'lat ', 'ｌａｔ',
  'lat\u0000', '\ud800', '\u{1f600}', 'x'.repeat(200), 'extra',
];
const UNICODE = ['\u0000', '\u001f', '\u007f', '\u00e9', '\u0301', '\u200b', '\u202e', '\u2028', '\ufeff', '\ufffd', '\ud800', '\udc00', '\u{1f600}', 'ｌ', 'a', '"', '\\'];

function randomUnicode(rand: () => number, maxLen: number): string {
  let s = '';
  const n = randInt(rand, maxLen + 1);
  for (let k = 0; k < n; k++) s += rand() < 0.5 ? UNICODE[randInt(rand, UNICODE.length)]! : String.fromCharCode(randInt(rand, 0x10000));
  return s;
}

/** A string up to 100 kB, of a length spread over the orders of magnitude. */
function hugeString(rand: () => number): string {
  const n = Math.min(100_000, 2 ** randInt(rand, 18) + randInt(rand, 64));
  return rand() < 0.7 ? 'x'.repeat(n) : '\u{1f600}é"\\\u0000'.repeat(Math.ceil(n / 6)).slice(0, n);
}

/** Arrays and objects nested `depth` deep (alternating), innermost a number. */
function nested(depth: number, innermost: unknown = 1): unknown {
  let v = innermost;
  for (let k = 0; k < depth; k++) v = k % 2 === 0 ? [v] : { a: v };
  return v;
}

function randomDepth(rand: () => number): number {
  return rand() < 0.85 ? 1 + randInt(rand, 12) : [50, 500, 3000][randInt(rand, 3)]!;
}

/** A value near the documented bounds of a numeric field. */
function boundaryValue(rand: () => number, field: string): number {
  const b = ALL_BOUNDS[field]!;
  const v = [b.lo, b.hi, nextDown(b.lo), nextUp(b.lo), nextDown(b.hi), nextUp(b.hi), (b.lo + b.hi) / 2, -0, b.lo - 1, b.hi + 1][randInt(rand, 10)]!;
  return field === 'bearing_deg' && rand() < 0.3 ? [360, nextDown(360), nextUp(360), 359.99999999999994][randInt(rand, 4)]! : v;
}

const throwingObject = (): object => ({
  valueOf(): never {
    throw new Error('valueOf called: the parser coerced an object');
  },
  toString(): never {
    throw new Error('toString called: the parser coerced an object');
  },
});

/** A replacement value: extreme numbers, wrong types, nesting, huge strings, unicode, prototype keys. */
function pickValue(rand: () => number): unknown {
  const c = randInt(rand, 100);
  if (c < 18) return EXTREME_NUMBERS[randInt(rand, EXTREME_NUMBERS.length)];
  if (c < 28) return (rand() < 0.5 ? -1 : 1) * rand() * 10 ** (randInt(rand, 633) - 324); // any magnitude
  if (c < 38) return boundaryValue(rand, NUMERIC_FIELDS[randInt(rand, NUMERIC_FIELDS.length)]!);
  if (c < 43) return Math.round((rand() * 500 - 100) * 1000) / 1000; // an ordinary number
  if (c < 55) return STRINGS[randInt(rand, STRINGS.length)];
  if (c < 61) return randomUnicode(rand, 40);
  if (c < 64) return hugeString(rand);
  if (c < 72) {
    switch (randInt(rand, 7)) {
      case 0: return [];
      case 1: return [37.5, 127];
      case 2: return [null];
      case 3: return [NaN, undefined];
      case 4: return Array.from({ length: randInt(rand, 3000) }, (_, k) => k);
      case 5: return [[[[1]]]];
      default: return [STRINGS[randInt(rand, STRINGS.length)]];
    }
  }
  if (c < 82) {
    switch (randInt(rand, 9)) {
      case 0: return {};
      case 1: return { a: 1 };
      case 2: return { t: T, lat: 37 };
      case 3: return JSON.parse('{"__proto__":{"polluted":1},"t":1}') as unknown;
      case 4: return JSON.parse('{"constructor":{"prototype":{"polluted":1}}}') as unknown;
      case 5: return Object.assign(Object.create(null) as object, { bird: 0.5 });
      case 6: return new Number(5);
      case 7: return throwingObject();
      default: return { valueOf: 5, toString: 'x', toJSON: 1 };
    }
  }
  if (c < 92) return [null, true, false, undefined][randInt(rand, 4)];
  return nested(randomDepth(rand), rand() < 0.5 ? 1 : 'x');
}

function pickKey(rand: () => number): string {
  const c = randInt(rand, 10);
  if (c < 5) return FIELD_NAMES[randInt(rand, FIELD_NAMES.length)]!;
  if (c < 8) return ODD_KEYS[randInt(rand, ODD_KEYS.length)]!;
  return randomUnicode(rand, 12);
}

/** Sets an own property, even one named `__proto__` (which an assignment would turn into a prototype). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function randomClass(rand: () => number): unknown {
  switch (randInt(rand, 6)) {
    case 0: return {};
    case 1: return JSON.parse('{"__proto__":0.5,"constructor":0.25,"toString":1}') as unknown;
    case 2: return JSON.parse('{"__proto__":{"polluted":1}}') as unknown;
    default: {
      const c: Record<string, unknown> = {};
      const n = rand() < 0.3 ? 63 + randInt(rand, 4) : randInt(rand, 6);
      for (let k = 0; k < n; k++) {
        const label = rand() < 0.2 ? 'l'.repeat(62 + randInt(rand, 5)) + k : rand() < 0.5 ? `label${k}` : pickKey(rand);
        setOwn(c, label, rand() < 0.85 ? rand() : pickValue(rand));
      }
      return c;
    }
  }
}

/** A copy of `seed` with 1 to 4 mutations; now and then with a null prototype. */
function mutateRow(rand: () => number, seed: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(seed)) setOwn(o, k, seed[k]);
  const edits = 1 + randInt(rand, 4);
  for (let e = 0; e < edits; e++) {
    const keys = Object.keys(o);
    const existing = keys.length > 0 ? keys[randInt(rand, keys.length)]! : 't';
    switch (randInt(rand, 9)) {
      case 0: // replace a value
        setOwn(o, existing, pickValue(rand));
        break;
      case 1: // set a field of the format (perhaps of another type)
        setOwn(o, FIELD_NAMES[randInt(rand, FIELD_NAMES.length)]!, pickValue(rand));
        break;
      case 2: // remove a field
        delete o[existing];
        break;
      case 3: // an extra field
        setOwn(o, pickKey(rand), pickValue(rand));
        break;
      case 4: { // a number at the edge of its bounds
        const field = NUMERIC_FIELDS[randInt(rand, NUMERIC_FIELDS.length)]!;
        setOwn(o, field, boundaryValue(rand, field));
        break;
      }
      case 5:
        setOwn(o, 'class', randomClass(rand));
        break;
      case 6: // another sensor or type
        if (rand() < 0.5) setOwn(o, 'sensor', SENSOR_IDS[randInt(rand, SENSOR_IDS.length)]);
        else setOwn(o, 'type', TYPES[randInt(rand, TYPES.length)]);
        break;
      case 7: { // id and target lengths at their limit
        const s = 'i'.repeat([0, 1, 127, 128, 129, 5000][randInt(rand, 6)]!);
        setOwn(o, rand() < 0.5 ? 'id' : 'target', rand() < 0.8 ? s : pickValue(rand));
        break;
      }
      default: { // nudge a number
        const v = o[existing];
        if (typeof v === 'number') setOwn(o, existing, [nextUp(v), nextDown(v), -v, v * 1e300, v / 1e300, v + 360, v * (1 + 1e-15)][randInt(rand, 7)]);
        else setOwn(o, existing, pickValue(rand));
      }
    }
  }
  if (randInt(rand, 40) === 0) return Object.assign(Object.create(null) as Record<string, unknown>, o);
  return o;
}

const JSON_ALPHABET = '{}[]":,.-+eE0123456789 \t\r\ntruefalsn\\u_abcdxyz\u0000\u00e9\ud800\ufeff\u{1f600}';
const RAW_NUMBERS = [
  '1e999', '-1e999', '1e-400', '-0', '-0.0', '9007199254740993', '1E+2', '1e308', '1.7976931348623157e309', '4.9e-324', '2.4703282292062328e-324',
  '0.00000000000000000000000000001', '123456789012345678901234567890', '00', '01', '.5', '+1', '0x10', 'NaN', 'Infinity', '-', '1.', '1e',
  '--1', '\u0661', '360.0000000000001', '359.99999999999999', '90.00000000000001', '-90.000000000000001', '4102444800.0000001',
];

/** A JSON text of `o`'s fields with one field written twice (JSON.parse keeps the last). */
function duplicateKeys(rand: () => number, o: Record<string, unknown>): string {
  const parts = Object.keys(o).map((k) => `${JSON.stringify(k)}:${JSON.stringify(o[k]) ?? 'null'}`);
  const key = rand() < 0.8 && parts.length > 0 ? Object.keys(o)[randInt(rand, parts.length)]! : rand() < 0.5 ? '__proto__' : FIELD_NAMES[randInt(rand, FIELD_NAMES.length)]!;
  const value = rand() < 0.5 ? JSON.stringify(pickValue(rand)) ?? 'null' : RAW_NUMBERS[randInt(rand, 10)]!;
  parts.splice(randInt(rand, parts.length + 1), 0, `${JSON.stringify(key)}:${value}`);
  return `{${parts.join(',')}}`;
}

/** A seed's text with one number written as a raw token (1e999, -0, 9007199254740993, 0x10, ...). */
function rawNumber(rand: () => number, seed: Record<string, unknown>): string {
  const parts = Object.keys(seed).map((k) => {
    const v = typeof seed[k] === 'number' && rand() < 0.4 ? RAW_NUMBERS[randInt(rand, RAW_NUMBERS.length)]! : JSON.stringify(seed[k]);
    return `${JSON.stringify(k)}:${v}`;
  });
  return `{${parts.join(',')}}`;
}

/** A line: mutated rows and texts, duplicate keys, raw numbers, truncations, random bytes, blanks, huge lines. */
function makeLine(rand: () => number, i: number): string {
  const seed = SEEDS[i % SEEDS.length]!;
  const text = SEED_TEXTS[i % SEEDS.length]!;
  switch (randInt(rand, 11)) {
    case 0:
    case 1: {
      const s = JSON.stringify(mutateRow(rand, seed));
      return [s, `\ufeff${s}`, `${s}\r`, ` ${s}\t`, `\r${s}`][randInt(rand, 5)]!;
    }
    case 2:
      return mutateString(rand, text, JSON_ALPHABET, 1 + randInt(rand, 6));
    case 3:
      return duplicateKeys(rand, rand() < 0.5 ? seed : mutateRow(rand, seed));
    case 4:
      return rawNumber(rand, seed);
    case 5:
      return text.slice(0, randInt(rand, text.length));
    case 6:
      return Buffer.from(randomBytes(rand, 300)).toString(rand() < 0.5 ? 'utf8' : 'latin1');
    case 7: {
      let s = rand() < 0.5 ? '{' : '';
      const n = randInt(rand, 200);
      for (let k = 0; k < n; k++) s += JSON_ALPHABET[randInt(rand, JSON_ALPHABET.length)];
      return s;
    }
    case 8: {
      let s = '';
      const n = randInt(rand, 6);
      for (let k = 0; k < n; k++) s += ' \t\r\n\ufeff'[randInt(rand, 5)];
      return s;
    }
    case 9: { // around the 16,384-character limit, and far beyond it
      const pad = rand() < 0.6 ? ROW_CHARS - text.length - 10 + randInt(rand, 20) : randInt(rand, 100_000);
      switch (randInt(rand, 4)) {
        case 0: return `${text.slice(0, -1)},"pad":"${'x'.repeat(Math.max(0, pad))}"}`;
        case 1: return ' '.repeat(Math.max(0, pad)) + text;
        case 2: return text + ' '.repeat(Math.max(0, pad));
        default: return `${text.slice(0, -1)},"pad":[${'1,'.repeat(Math.max(0, pad >> 1))}1]}`;
      }
    }
    default: // deep nesting, in text
      return `${text.slice(0, -1)},"deep":${JSON.stringify(nested(randomDepth(rand)))}}`;
  }
}

// --- the tests
interface Tally {
  inputs: number;
  accepted: number;
  refused: number;
  blank: number;
  acceptedTypes: Set<string>;
  acceptedSensors: Set<string>;
}

function checkRowInput(o: Record<string, unknown>, lineNo: number, tally: Tally): void {
  const input = describe(o);
  let r: ReturnType<typeof parseDetectionRow>;
  try {
    r = parseDetectionRow(o, lineNo, sensors);
  } catch (e) {
    assert.fail(`parseDetectionRow threw ${String(e)} on ${input}`);
  }
  assert.equal(typeof r, 'object', input);
  checkNoPollution(input);
  const violation = docsViolation(o, true);
  if (r.ok) {
    assert.equal(violation, undefined, `accepted, but docs/interchange.md refuses it (${violation}): ${input}`);
    checkDetection(r.detection, o, input);
    tally.accepted++;
    tally.acceptedTypes.add(r.detection.type);
    tally.acceptedSensors.add(r.detection.sensorId);
  } else {
    checkRefusal(r, lineNo, input);
    assert.notEqual(violation, undefined, `refused (${r.reason}), but docs/interchange.md accepts it: ${input}`);
    tally.refused++;
  }
  // The line reader gives the same answer for the row as a line ("the same checks and messages").
  if (jsonExact(o)) {
    const line = JSON.stringify(o);
    const l = parseDetectionLine(line, lineNo, sensors);
    assert.ok(l !== null && l.ok === r.ok, `row reader ${r.ok ? 'accepted' : 'refused'}, line reader not: ${input}`);
    if (l.ok && r.ok) assert.deepEqual(l.detection, r.detection, input);
    // Both refuse; their first reason differs only where the two size checks come in another order.
    else if (!l.ok && !r.ok && !/nested more than|characters long as JSON/.test(l.reason + r.reason)) assert.equal(l.reason, r.reason, input);
  }
}

function checkLineInput(line: string, lineNo: number, tally: Tally): void {
  const input = `line ${JSON.stringify(brief(line))}`;
  let r: ReturnType<typeof parseDetectionLine>;
  try {
    r = parseDetectionLine(line, lineNo, sensors);
  } catch (e) {
    assert.fail(`parseDetectionLine threw ${String(e)} on ${input}`);
  }
  checkNoPollution(input);
  const model = lineModel(line);
  if (model === BLANK) {
    assert.equal(r, null, `a blank line gave an answer: ${input}`);
    tally.blank++;
    return;
  }
  assert.ok(r !== null, `a line that is not blank taken as blank: ${input}`);
  if (r.ok) {
    assert.equal(typeof model, 'object', `accepted, but docs/interchange.md refuses it (${typeof model === 'string' ? model : '?'}): ${input}`);
    checkDetection(r.detection, model as Record<string, unknown>, input);
    tally.accepted++;
    tally.acceptedTypes.add(r.detection.type);
    tally.acceptedSensors.add(r.detection.sensorId);
  } else {
    checkRefusal(r, lineNo, input);
    assert.equal(typeof model, 'string', `refused (${r.reason}), but docs/interchange.md accepts it: ${input}`);
    tally.refused++;
  }
}

const newTally = (): Tally => ({ inputs: 0, accepted: 0, refused: 0, blank: 0, acceptedTypes: new Set(), acceptedSensors: new Set() });

test('the valid seeds parse, by both readers, and cover every type and sensor', () => {
  const tally = newTally();
  SEEDS.forEach((seed, k) => {
    checkRowInput(seed, k + 1, tally);
    checkLineInput(SEED_TEXTS[k]!, k + 1, tally);
  });
  assert.equal(tally.accepted, 2 * SEEDS.length);
  assert.deepEqual([...tally.acceptedTypes].sort(), [...TYPES].sort());
  assert.deepEqual([...tally.acceptedSensors].sort(), [...SENSOR_IDS].sort());
});

const ROWS = scaled(12_000);
const LINES = scaled(8_000);

test(`parseDetectionRow and parseDetectionLine answer ${ROWS} mutated rows and ${LINES} mutated lines as docs/interchange.md says (seeded)`, () => {
  const rand = createPrng(0xde7ec7);
  const tally = newTally();
  const protoNames = Object.getOwnPropertyNames(Object.prototype).sort().join();
  for (let i = 0; i < ROWS; i++) {
    checkRowInput(mutateRow(rand, SEEDS[i % SEEDS.length]!), 1 + randInt(rand, 1_000_000), tally);
    tally.inputs++;
  }
  for (let i = 0; i < LINES; i++) {
    checkLineInput(makeLine(rand, i), 1 + randInt(rand, 1_000_000), tally);
    tally.inputs++;
  }
  console.log(`fuzz detections: ${tally.inputs} inputs, ${tally.accepted} accepted, ${tally.refused} refused (${tally.blank} blank lines)`);
  // Nothing was changed behind the parser's back.
  assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), protoNames);
  assert.equal(JSON.stringify(SEEDS), SEEDS_BEFORE);
  assert.equal(JSON.stringify([...sensors]), SENSORS_BEFORE);
  // Both outcomes occur often, for every type and sensor: the mutations reach past the first check.
  assert.deepEqual([...tally.acceptedTypes].sort(), [...TYPES].sort());
  assert.deepEqual([...tally.acceptedSensors].sort(), [...SENSOR_IDS].sort());
  assert.ok(tally.accepted > tally.inputs * 0.1 && tally.refused > tally.inputs * 0.4, `accepted ${tally.accepted}, refused ${tally.refused}`);
});

test('parseDetectionRow refuses rows no JSON text makes (cycles, symbols, functions) without throwing', () => {
  const tally = newTally();
  const cyclic: Record<string, unknown> = { ...SEEDS[0]! };
  cyclic.self = cyclic;
  const cyclicClass: Record<string, unknown> = { a: 0.5 };
  cyclicClass.b = cyclicClass;
  const inputs: Record<string, unknown>[] = [
    cyclic,
    { ...SEEDS[3]!, class: cyclicClass },
    { ...SEEDS[1]!, bearing_deg: Symbol('x') },
    { ...SEEDS[1]!, [Symbol('t')]: 1 },
    { ...SEEDS[5]!, lat: () => 37 },
    { ...SEEDS[5]!, lat: throwingObject() },
    { ...SEEDS[0]!, class: throwingObject() },
    Object.assign(Object.create(null) as Record<string, unknown>, SEEDS[2]!),
  ];
  inputs.forEach((o, k) => {
    let r: ReturnType<typeof parseDetectionRow>;
    try {
      r = parseDetectionRow(o, k, sensors);
    } catch (e) {
      assert.fail(`input ${k} threw ${String(e)}`);
    }
    if (r.ok) tally.accepted++;
    else {
      checkRefusal(r, k, `input ${k}`);
      tally.refused++;
    }
  });
  // Refused: the two cycles (too deep), the symbol bearing, the function and object latitudes, the
  // class of functions. Accepted: the symbol key (not a field) and the null-prototype row.
  assert.deepEqual([tally.refused, tally.accepted], [6, 2]);
  checkNoPollution('the rows no JSON text makes');
});

test('errors below a millimetre or a millionth of a degree are refused (the fuzz found 5e-324 degrees turned into 0 rad)', () => {
  const ac = { t: T, sensor: 'ac-arr', type: 'bearing', bearing_deg: 10 };
  for (const [row, field] of [
    [{ ...ac, bearing_sd_deg: 5e-324 }, 'bearing_sd_deg'],
    [{ ...ac, elevation_sd_deg: 1e-322 }, 'elevation_sd_deg'],
  ] as const) {
    const r = parseDetectionRow(row, 1, sensors);
    assert.ok(!r.ok, describe(row));
    assert.match(r.reason, new RegExp(`^${field} must be at least 0\\.000001, got`));
  }
});
