/**
 * Reader of `sensors.json` (spec/interchange.md, version 1): the sensor register, validated as a
 * whole and converted to the core's {@link Sensor} (SI units, radians).
 */
import { describeJsonError } from './json-error.js';
import type { GeoPoint, Sensor } from '@skywarden/core';
import {
  quote,
  checkFiniteWithin,
  checkNonNegative,
  checkPositiveBounded,
  checkBoundedId,
  checkBoundedText,
  checkString,
  checkWithin,
  isFiniteNumber,
  show,
  withoutBom,
} from './check.js';
import { PLAUSIBLE } from './plausible.js';

/**
 * A sensor id is a path segment of the API (`/api/v1/sensors/{id}`): "." and ".." are the ones
 * every URL parser resolves away (RFC 3986 §5.2.4), so such a sensor could be registered but
 * never addressed again; undefined when good.
 */
function checkNotDotSegment(field: string, v: string): string | undefined {
  return v === '.' || v === '..' ? `${field} must not be "." or ".." (a URL path resolves them away: the sensor could not be addressed in the API)` : undefined;
}

/** Result of {@link parseSensorsJson}. */
export type SensorsParseResult =
  | { ok: true; sensors: Map<string, Sensor>; warnings: string[] }
  | { ok: false; errors: string[] };

const DEG = Math.PI / 180;

/** Optional numeric fields that must be > 0, with the Sensor field they fill and their scale. */
const POSITIVE_FIELDS = [
  ['range_m', 'rangeMax', 1],
  ['bearing_sd_deg', 'bearingSd', DEG],
  ['elevation_sd_deg', 'elevationSd', DEG],
  ['range_sd_m', 'rangeSd', 1],
  ['pos_sd_m', 'posSd', 1],
  ['alt_sd_m', 'altSd', 1],
] as const;

const given = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * Parses and validates a whole `sensors.json` document. Never throws on bad input.
 *
 * Rules: the document is an object with a `sensors` array; each entry is an object with `id` (a
 * non-empty string, unique), `kind` (a non-empty string, any word), `lat` in [-90, 90] and `lon`
 * in [-180, 180] (both or neither; neither means a mobile sensor), `alt_m` finite (0 when
 * `lat`/`lon` are given without it; ignored with a warning on a mobile sensor), `range_m` and
 * the `*_sd_*` fields > 0, `pd` in [0, 1], `far_per_hour` >= 0. Every number must be finite. A
 * JSON `null` counts as an absent optional field. Unknown fields are ignored.
 *
 * Conversions: `*_sd_deg` to radians; `range_m` becomes `rangeMax`. The fixed position
 * objects are frozen, because detections share them.
 *
 * @returns every problem of the document (not just the first), each naming the entry index,
 *   the sensor id and the field with the bad value, e.g.
 *   `sensors[3] (id "r-2"): bearing_sd_deg must be a positive finite number, got -1`.
 */
export function parseSensorsJson(text: string): SensorsParseResult {
  let doc: unknown;
  const body = withoutBom(text);
  try {
    doc = JSON.parse(body);
  } catch (e) {
    return { ok: false, errors: [`sensors.json is not valid JSON (${describeJsonError(body, e)})`] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, errors: [`sensors.json must be a JSON object with a "sensors" array, got ${show(doc)}`] };
  }
  const list = (doc as Record<string, unknown>).sensors;
  if (!Array.isArray(list)) {
    return { ok: false, errors: [`sensors.json: "sensors" must be an array, got ${show(list)}`] };
  }

  const errors: string[] = [];
  const warnings: string[] = [];
  const sensors = new Map<string, Sensor>();
  const firstIndex = new Map<string, number>();
  if (list.length === 0) warnings.push('sensors.json: "sensors" is empty');

  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push(`sensors[${i}]: must be an object, got ${show(entry)}`);
      continue;
    }
    const e = entry as Record<string, unknown>;
    const idOk = typeof e.id === 'string' && e.id.length > 0;
    const where = idOk ? `sensors[${i}] (id ${quote((e.id as string).length > 60 ? (e.id as string).slice(0, 60) + '…' : (e.id as string))})` : `sensors[${i}]`;
    const nErrors = errors.length;
    const bad = (reason: string | undefined): void => {
      if (reason !== undefined) errors.push(`${where}: ${reason}`);
    };

    if (e.id === undefined) bad('id is missing (required: a non-empty string)');
    else bad(checkString('id', e.id) ?? checkBoundedId('id', e.id as string, PLAUSIBLE.sensorIdChars) ?? checkNotDotSegment('id', e.id as string));
    if (idOk) {
      const id = e.id as string;
      const prev = firstIndex.get(id);
      if (prev !== undefined) bad(`id is not unique: sensors[${prev}] has the same id`);
      else firstIndex.set(id, i);
    }
    if (e.kind === undefined) bad('kind is missing (required: a non-empty string such as "radar")');
    else bad(checkString('kind', e.kind) ?? checkBoundedText('kind', e.kind as string, PLAUSIBLE.kindChars));

    // Position: lat and lon both or neither.
    const hasLat = given(e.lat);
    const hasLon = given(e.lon);
    if (hasLat) bad(checkWithin('lat', e.lat, -90, 90));
    if (hasLon) bad(checkWithin('lon', e.lon, -180, 180));
    if (hasLat !== hasLon) {
      bad(hasLat ? 'lon is missing: lat and lon must be given together' : 'lat is missing: lat and lon must be given together');
    }
    if (given(e.alt_m)) {
      bad(checkFiniteWithin('alt_m', e.alt_m, PLAUSIBLE.altMin, PLAUSIBLE.altMax));
      if (!hasLat && !hasLon) warnings.push(`${where}: alt_m ignored because lat and lon are not given (mobile sensor)`);
    }

    for (const [field] of POSITIVE_FIELDS) {
      if (given(e[field])) bad(checkPositiveBounded(field, e[field]));
    }
    if (given(e.pd)) bad(checkWithin('pd', e.pd, 0, 1));
    if (given(e.far_per_hour)) {
      const err = checkNonNegative('far_per_hour', e.far_per_hour);
      bad(err ?? ((e.far_per_hour as number) > PLAUSIBLE.farPerHourMax ? `far_per_hour must be at most ${PLAUSIBLE.farPerHourMax}, got ${e.far_per_hour as number}` : undefined));
    }

    if (errors.length !== nErrors || !idOk) continue;

    const sensor: Sensor = { id: e.id as string, kind: e.kind as string };
    if (hasLat && hasLon) {
      const position: GeoPoint = {
        latDeg: e.lat as number,
        lonDeg: e.lon as number,
        altM: isFiniteNumber(e.alt_m) ? e.alt_m : 0,
      };
      sensor.position = Object.freeze(position);
    }
    for (const [field, key, scale] of POSITIVE_FIELDS) {
      const v = e[field];
      if (given(v)) sensor[key] = (v as number) * scale;
    }
    if (given(e.pd)) sensor.pd = e.pd as number;
    if (given(e.far_per_hour)) sensor.farPerHour = e.far_per_hour as number;
    sensors.set(sensor.id, sensor);
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, sensors, warnings };
}
