/**
 * Reader of `detections.ndjson` lines (spec/interchange.md, version 1): validates one line and
 * converts it to the core's {@link Detection} (SI units, radians, every error resolved).
 *
 * Hot path (>500k lines/s): one `JSON.parse` per line, then direct field reads; no closures,
 * regular expressions or strings are made unless the line is rejected.
 */
import type { Detection, GeoPoint, Sensor } from '@skywarden/core';
import { builtinErrors, DEFAULT_PRESENCE_RANGE } from './defaults.js';
import {
  checkFiniteWithin,
  checkPositiveBounded,
  upperBound,
  checkProbabilities,
  checkWithin,
  isBlank,
  lineError,
  missing,
  parseJsonObject,
  show,
  type LineError,
} from './check.js';
import { PLAUSIBLE, checkClassShape, checkIdLength, checkRowShape, rowTooLong } from './plausible.js';

/** Result of {@link parseDetectionLine}; `null` stands for a blank line. */
export type DetectionLineResult = { ok: true; detection: Detection } | LineError | null;

const DEG = Math.PI / 180;
const TWO_PI = 2 * Math.PI;
const TYPES = '"position", "range_bearing", "bearing" or "presence"';

/** An optional sd field: undefined when absent, else positive finite; returns a reason on error. */
function badSd(field: string, v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : checkPositiveBounded(field, v);
}

/** Bearing in degrees: [0, 360), and exactly 360 is accepted as 0 (north). */
function badBearing(v: unknown): string | undefined {
  if (typeof v === 'number' && v >= 0 && v <= 360) return undefined;
  if (typeof v !== 'number' || v - v !== 0) return `bearing_deg must be a finite number within [0, 360), got ${show(v)}`;
  return `bearing_deg must be within [0, 360), got ${show(v)}`;
}

/** Degrees (already validated to [0, 360]) to radians in [0, 2π). */
function bearingRad(deg: number): number {
  const r = deg * DEG;
  return r >= TWO_PI ? 0 : r;
}

/**
 * Parses one line of `detections.ndjson`. Never throws on bad input.
 *
 * Checks, in order: a JSON object; `t` a finite number; `sensor` a string naming a sensor of
 * `sensors`; `type` one of the four; then the common optional fields (`id`, `sensor_lat`,
 * `sensor_lon`, `sensor_alt_m`, `snr_db`, `class`, `target`) and the fields of the type. A JSON
 * `null` counts as an absent optional field. Fields that do not belong to the type, and
 * unknown fields, are ignored.
 *
 * - `position`: `lat` in [-90, 90], `lon` in [-180, 180], `alt_m` optional (when absent,
 *   `hasAltitude` is false and `position.altM` is 0), `pos_sd_m`, `alt_sd_m`.
 * - `range_bearing`: `range_m` >= 0, `bearing_deg` in [0, 360) (exactly 360 is accepted and
 *   read as 0: compasses print north as 360), `elevation_deg` in [-90, 90] optional,
 *   `range_rate_mps` optional, and their `*_sd_*` errors.
 * - `bearing`: `bearing_deg`, `elevation_deg` optional, and their errors.
 * - `presence`: `range_m` > 0 optional; else the sensor's `range_m`; else
 *   {@link DEFAULT_PRESENCE_RANGE}.
 * - Every `*_sd_*` field must be a positive finite number. A missing one is taken from the
 *   sensor, else from the built-in default for the sensor's kind ({@link builtinErrors}).
 * - Sensor position: `sensor_lat`/`sensor_lon` (both or neither) override the sensor's fixed
 *   position; `sensor_alt_m` defaults to the fixed position's altitude, else 0, and on its
 *   own overrides only the fixed altitude. `range_bearing`, `bearing` and `presence` need a
 *   sensor position: a mobile sensor's line without one is rejected. When the line gives no
 *   position, `sensorPosition` is the sensor's own (frozen, shared) `position` object.
 * - `class`: an object of label to probability in [0, 1]; unknown labels are kept.
 * - `id`: a non-empty string, or a finite number (converted to a string). `target`: a
 *   non-empty string.
 *
 * Every number must be finite (`1e999` parses to Infinity and is rejected), and within the
 * plausibility bounds of docs/interchange.md ({@link PLAUSIBLE}): `t` in 1900..2100, altitudes
 * in [-1000, 100000] m, `snr_db` in [-100, 200], `range_rate_mps` within ±10 km/s, ranges and
 * errors no larger than their unit's bound; `id` and `target` at most 128 characters, `class`
 * at most 64 labels of at most 64 characters; a row nests at most 8 objects or arrays (itself
 * included) and is at most 16,384 characters of JSON (a longer line is refused unparsed).
 *
 * The returned detection always has every field of its type as an own property (optional
 * ones `undefined`), so all detections of one type share one shape.
 *
 * @param line One line, without its newline (a trailing `\r` is fine).
 * @param lineNo 1-based line number, carried into the error result.
 * @param sensors The register from {@link parseSensorsJson}.
 */
export function parseDetectionLine(
  line: string,
  lineNo: number,
  sensors: ReadonlyMap<string, Sensor>,
): DetectionLineResult {
  // Cheap test first: almost every line starts with '{'.
  if (line.charCodeAt(0) !== 123 && isBlank(line)) return null;
  // Refused before parsing: a megabyte line is no detection.
  if (line.length > PLAUSIBLE.rowChars && line.trimEnd().length > PLAUSIBLE.rowChars) return lineError(lineNo, rowTooLong(line.trimEnd().length));
  const o = parseJsonObject(line);
  if (typeof o === 'string') return lineError(lineNo, o);
  return parseRow(o, lineNo, sensors, false);
}

/**
 * Validates one detection given as a parsed JSON object (the live service's ingest), with
 * the same checks and messages as {@link parseDetectionLine}. `lineNo` is carried into the
 * error (the index in a batch, for example).
 */
export function parseDetectionRow(
  o: Record<string, unknown>,
  lineNo: number,
  sensors: ReadonlyMap<string, Sensor>,
): { ok: true; detection: Detection } | LineError {
  return parseRow(o, lineNo, sensors, true);
}

/** {@link parseDetectionRow}; `sizeRow`: measure the row as JSON (a line's length is already checked). */
function parseRow(
  o: Record<string, unknown>,
  lineNo: number,
  sensors: ReadonlyMap<string, Sensor>,
  sizeRow: boolean,
): { ok: true; detection: Detection } | LineError {
  let err: string | undefined;

  // --- shape first: depth and size (docs/interchange.md, Plausibility bounds)
  if ((err = checkRowShape(o, sizeRow)) !== undefined) return lineError(lineNo, err);

  // --- t, sensor, type
  const t = o.t;
  if (t === undefined) return lineError(lineNo, missing('t', 'a finite number, seconds since the Unix epoch'));
  if ((err = checkFiniteWithin('t', t, PLAUSIBLE.tMin, PLAUSIBLE.tMax)) !== undefined) return lineError(lineNo, err);

  const sensorId = o.sensor;
  if (sensorId === undefined) return lineError(lineNo, missing('sensor', 'a sensor id from sensors.json'));
  if (typeof sensorId !== 'string') return lineError(lineNo, `sensor must be a string, got ${show(sensorId)}`);
  const sensor = sensors.get(sensorId);
  if (sensor === undefined) return lineError(lineNo, `sensor ${JSON.stringify(sensorId)} is unknown (not in sensors.json)`);

  const type = o.type;
  if (type === undefined) return lineError(lineNo, missing('type', TYPES));
  if (type !== 'position' && type !== 'range_bearing' && type !== 'bearing' && type !== 'presence') {
    return lineError(lineNo, `type must be ${TYPES}, got ${show(type)}`);
  }

  // --- common optional fields
  let id: string | undefined;
  const rawId = o.id;
  if (rawId !== undefined && rawId !== null) {
    if (typeof rawId === 'string' && rawId.length > 0) {
      if ((err = checkIdLength('id', rawId)) !== undefined) return lineError(lineNo, err);
      id = rawId;
    } else if (typeof rawId === 'number' && rawId - rawId === 0) id = String(rawId);
    else return lineError(lineNo, `id must be a non-empty string or a finite number, got ${show(rawId)}`);
  }

  let sensorPosition: GeoPoint | undefined = sensor.position;
  const sLat = o.sensor_lat;
  const sLon = o.sensor_lon;
  const sAlt = o.sensor_alt_m;
  const hasSLat = sLat !== undefined && sLat !== null;
  const hasSLon = sLon !== undefined && sLon !== null;
  const hasSAlt = sAlt !== undefined && sAlt !== null;
  if (hasSLat || hasSLon || hasSAlt) {
    if (hasSLat && (err = checkWithin('sensor_lat', sLat, -90, 90)) !== undefined) return lineError(lineNo, err);
    if (hasSLon && (err = checkWithin('sensor_lon', sLon, -180, 180)) !== undefined) return lineError(lineNo, err);
    if (hasSAlt && (err = checkFiniteWithin('sensor_alt_m', sAlt, PLAUSIBLE.altMin, PLAUSIBLE.altMax)) !== undefined) return lineError(lineNo, err);
    if (hasSLat !== hasSLon) {
      return lineError(lineNo, `${hasSLat ? 'sensor_lon' : 'sensor_lat'} is missing: sensor_lat and sensor_lon must be given together`);
    }
    const fixed = sensor.position;
    if (hasSLat) {
      sensorPosition = {
        latDeg: sLat as number,
        lonDeg: sLon as number,
        altM: hasSAlt ? (sAlt as number) : fixed !== undefined ? fixed.altM : 0,
      };
    } else if (fixed !== undefined) {
      sensorPosition = { latDeg: fixed.latDeg, lonDeg: fixed.lonDeg, altM: sAlt as number };
    } else {
      return lineError(
        lineNo,
        `sensor_alt_m is given without sensor_lat and sensor_lon, and sensor ${JSON.stringify(sensorId)} has no fixed position`,
      );
    }
  }

  let snrDb: number | undefined;
  const rawSnr = o.snr_db;
  if (rawSnr !== undefined && rawSnr !== null) {
    if ((err = checkFiniteWithin('snr_db', rawSnr, PLAUSIBLE.snrDbMin, PLAUSIBLE.snrDbMax)) !== undefined) return lineError(lineNo, err);
    snrDb = rawSnr as number;
  }

  let classHint: Record<string, number> | undefined;
  const rawClass = o.class;
  if (rawClass !== undefined && rawClass !== null) {
    if ((err = checkProbabilities('class', rawClass)) !== undefined) return lineError(lineNo, err);
    if ((err = checkClassShape('class', rawClass as Record<string, unknown>)) !== undefined) return lineError(lineNo, err);
    classHint = rawClass as Record<string, number>; // a fresh object from JSON.parse: safe to keep
  }

  let cooperativeId: string | undefined;
  const rawTarget = o.target;
  if (rawTarget !== undefined && rawTarget !== null) {
    if (typeof rawTarget !== 'string' || rawTarget.length === 0) {
      return lineError(lineNo, `target must be a non-empty string, got ${show(rawTarget)}`);
    }
    if ((err = checkIdLength('target', rawTarget)) !== undefined) return lineError(lineNo, err);
    cooperativeId = rawTarget;
  }

  const defaults = builtinErrors(sensor.kind);

  // --- per type
  if (type === 'position') {
    const lat = o.lat;
    const lon = o.lon;
    const alt = o.alt_m;
    if (lat === undefined) return lineError(lineNo, missing('lat', 'a latitude in degrees within [-90, 90]'));
    if ((err = checkWithin('lat', lat, -90, 90)) !== undefined) return lineError(lineNo, err);
    if (lon === undefined) return lineError(lineNo, missing('lon', 'a longitude in degrees within [-180, 180]'));
    if ((err = checkWithin('lon', lon, -180, 180)) !== undefined) return lineError(lineNo, err);
    const hasAltitude = alt !== undefined && alt !== null;
    if (hasAltitude && (err = checkFiniteWithin('alt_m', alt, PLAUSIBLE.altMin, PLAUSIBLE.altMax)) !== undefined) return lineError(lineNo, err);
    const posSd = o.pos_sd_m;
    const altSd = o.alt_sd_m;
    if ((err = badSd('pos_sd_m', posSd)) !== undefined) return lineError(lineNo, err);
    if ((err = badSd('alt_sd_m', altSd)) !== undefined) return lineError(lineNo, err);
    return {
      ok: true,
      detection: {
        type: 'position',
        t: t as number,
        sensorId,
        sensorKind: sensor.kind,
        sensorRange: sensor.rangeMax,
        id,
        sensorPosition,
        snrDb,
        classHint,
        cooperativeId,
        position: { latDeg: lat as number, lonDeg: lon as number, altM: hasAltitude ? (alt as number) : 0 },
        hasAltitude,
        posSd: typeof posSd === 'number' ? posSd : (sensor.posSd ?? defaults.posSd),
        altSd: typeof altSd === 'number' ? altSd : (sensor.altSd ?? defaults.altSd),
      },
    };
  }

  // The other three need the sensor's position.
  if (sensorPosition === undefined) {
    return lineError(
      lineNo,
      `sensor ${JSON.stringify(sensorId)} has no fixed position and the line gives no sensor_lat/sensor_lon (needed by type "${type}")`,
    );
  }

  if (type === 'presence') {
    const range = o.range_m;
    const hasRange = range !== undefined && range !== null;
    if (hasRange && (err = checkPositiveBounded('range_m', range)) !== undefined) return lineError(lineNo, err);
    return {
      ok: true,
      detection: {
        type: 'presence',
        t: t as number,
        sensorId,
        sensorKind: sensor.kind,
        sensorRange: sensor.rangeMax,
        id,
        sensorPosition,
        snrDb,
        classHint,
        cooperativeId,
        range: hasRange ? (range as number) : (sensor.rangeMax ?? DEFAULT_PRESENCE_RANGE),
      },
    };
  }

  // range_bearing and bearing: bearing, optional elevation.
  const bearingDeg = o.bearing_deg;
  if (bearingDeg === undefined) return lineError(lineNo, missing('bearing_deg', 'degrees clockwise from true north within [0, 360)'));
  if ((err = badBearing(bearingDeg)) !== undefined) return lineError(lineNo, err);
  const elevationDeg = o.elevation_deg;
  const hasElevation = elevationDeg !== undefined && elevationDeg !== null;
  if (hasElevation && (err = checkWithin('elevation_deg', elevationDeg, -90, 90)) !== undefined) return lineError(lineNo, err);
  const bearingSdDeg = o.bearing_sd_deg;
  const elevationSdDeg = o.elevation_sd_deg;
  if ((err = badSd('bearing_sd_deg', bearingSdDeg)) !== undefined) return lineError(lineNo, err);
  if ((err = badSd('elevation_sd_deg', elevationSdDeg)) !== undefined) return lineError(lineNo, err);
  const bearing = bearingRad(bearingDeg as number);
  const elevation = hasElevation ? (elevationDeg as number) * DEG : undefined;
  const bearingSd = typeof bearingSdDeg === 'number' ? bearingSdDeg * DEG : (sensor.bearingSd ?? defaults.bearingSd);
  const elevationSd =
    typeof elevationSdDeg === 'number' ? elevationSdDeg * DEG : (sensor.elevationSd ?? defaults.elevationSd);

  if (type === 'bearing') {
    return {
      ok: true,
      detection: {
        type: 'bearing',
        t: t as number,
        sensorId,
        sensorKind: sensor.kind,
        sensorRange: sensor.rangeMax,
        id,
        sensorPosition,
        snrDb,
        classHint,
        cooperativeId,
        bearing,
        elevation,
        bearingSd,
        elevationSd,
      },
    };
  }

  // range_bearing
  const range = o.range_m;
  if (range === undefined) return lineError(lineNo, missing('range_m', 'a slant range in metres, >= 0'));
  if (typeof range !== 'number' || !(range >= 0) || range - range !== 0 || range > upperBound('range_m')) {
    return lineError(lineNo, `range_m must be a non-negative finite number no larger than ${upperBound('range_m')}, got ${show(range)}`);
  }
  const rangeSd = o.range_sd_m;
  if ((err = badSd('range_sd_m', rangeSd)) !== undefined) return lineError(lineNo, err);
  const rangeRate = o.range_rate_mps;
  const hasRangeRate = rangeRate !== undefined && rangeRate !== null;
  if (hasRangeRate && (err = checkFiniteWithin('range_rate_mps', rangeRate, -PLAUSIBLE.speedMax, PLAUSIBLE.speedMax)) !== undefined) return lineError(lineNo, err);
  const rangeRateSd = o.range_rate_sd_mps;
  if ((err = badSd('range_rate_sd_mps', rangeRateSd)) !== undefined) return lineError(lineNo, err);
  return {
    ok: true,
    detection: {
      type: 'range_bearing',
      t: t as number,
      sensorId,
      sensorKind: sensor.kind,
        sensorRange: sensor.rangeMax,
      id,
      sensorPosition,
      snrDb,
      classHint,
      cooperativeId,
      range,
      bearing,
      elevation,
      rangeSd: typeof rangeSd === 'number' ? rangeSd : (sensor.rangeSd ?? defaults.rangeSd),
      bearingSd,
      elevationSd,
      rangeRate: hasRangeRate ? (rangeRate as number) : undefined,
      rangeRateSd: typeof rangeRateSd === 'number' ? rangeRateSd : defaults.rangeRateSd,
    },
  };
}
