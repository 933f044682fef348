/**
 * Writer and reader of `tracks.ndjson` rows, and reader of `truth.ndjson` rows
 * (spec/interchange.md, version 1). Used by the tracker's batch output and by the scorer.
 */
import type { TrackRow, TruthRow } from './rows.js';
import { PLAUSIBLE } from './plausible.js';
import {
  checkFiniteWithin,
  checkNonNegative,
  checkProbabilities,
  checkWithin,
  isBlank,
  lineError,
  missing,
  parseJsonObject,
  show,
  type LineError,
} from './check.js';

/** Result of {@link parseTrackLine}; `null` stands for a blank line. */
export type TrackLineResult = { ok: true; row: TrackRow } | LineError | null;
/** Result of {@link parseTruthLine}; `null` stands for a blank line. */
export type TruthLineResult = { ok: true; row: TruthRow } | LineError | null;

/** Decimal places written by {@link formatTrackRow}. */
export const TRACK_ROW_DECIMALS = Object.freeze({
  /** `lat`, `lon`: 7 decimals of a degree, about 1 cm. */
  latLon: 7,
  /** Metres and metres per second (`alt_m`, `*_mps`, `pos_sd_m`): 2 decimals, 1 cm. */
  metric: 2,
  /** Class probabilities: 4 decimals. */
  probability: 4,
});

const P7 = 1e7;
const P2 = 1e2;
const P4 = 1e4;

/** Rounds half away from zero to 1/p; shortest printing then shows at most log10(p) decimals. */
function round(x: number, p: number): number {
  const r = Math.round(Math.abs(x) * p) / p;
  return x < 0 ? -r : r;
}

const ZEROS = '0000000000000000';

/**
 * `${round(x, p)}` for p = 10^d, the same text made from the integer Math.round(|x|·p) with the
 * decimal point put in (trailing zeros left out): printing an integer is cheaper than finding a
 * double's shortest digits, and the track rows are a tenth of a replay. The double k/p is the one
 * nearest the decimal k·10^−d, and no shorter decimal is within half its ulp while k < 10^15, so
 * the shortest printing is that decimal; below 10^−6 JavaScript prints an exponent, and beyond
 * 10^15 the argument fails, so both go the old way.
 */
function fixed(x: number, p: number, d: number): string {
  const k = Math.round(Math.abs(x) * p);
  if (k === 0) return '0';
  if (!(k < 1e15) || k < p * 1e-6) return `${round(x, p)}`;
  let s = `${k}`;
  if (s.length <= d) s = ZEROS.slice(0, d + 1 - s.length) + s;
  const dot = s.length - d;
  let end = s.length;
  while (end > dot && s.charCodeAt(end - 1) === 48) end--;
  const body = end > dot ? `${s.slice(0, dot)}.${s.slice(dot, end)}` : s.slice(0, dot);
  return x < 0 ? `-${body}` : body;
}

/** Class labels as JSON keys (`"bird":`): a row has nine, each written the same way every time. At most {@link LABEL_CACHE_MAX}. */
const labelKeys = new Map<string, string>();
const LABEL_CACHE_MAX = 256;

function labelKey(label: string): string {
  let k = labelKeys.get(label);
  if (k === undefined) {
    k = `${JSON.stringify(label)}:`;
    if (labelKeys.size < LABEL_CACHE_MAX) labelKeys.set(label, k);
  }
  return k;
}

const KNOWN_TRACK_FIELDS = new Set([
  't', 'track', 'lat', 'lon', 'alt_m', 've_mps', 'vn_mps', 'vu_mps', 'pos_sd_m', 'class', 'status',
]);

function assertFinite(field: string, v: number, row: TrackRow): void {
  if (typeof v !== 'number' || v - v !== 0) {
    throw new RangeError(`formatTrackRow: ${field} must be a finite number, got ${show(v)} (track ${JSON.stringify(row.track)})`);
  }
}

/**
 * Writes one `tracks.ndjson` row as a JSON line, without the newline. Field order is the spec's:
 * `t, track, lat, lon, alt_m, ve_mps, vn_mps, vu_mps, pos_sd_m, class, status`, then any extra
 * fields of `row` (writers may add fields) serialised with `JSON.stringify`. Optional fields that
 * are `undefined` are left out.
 *
 * Rounding ({@link TRACK_ROW_DECIMALS}): `lat`/`lon` 7 decimals; `alt_m`, velocities and
 * `pos_sd_m` 2 decimals; class probabilities 4 decimals; `t` is written as given.
 *
 * @throws RangeError on a programmer error: a non-finite number, or a `status` other than
 *   `confirmed` / `coasting` (the message quotes the bad value).
 */
export function formatTrackRow(row: TrackRow): string {
  assertFinite('t', row.t, row);
  assertFinite('lat', row.lat, row);
  assertFinite('lon', row.lon, row);
  assertFinite('ve_mps', row.ve_mps, row);
  assertFinite('vn_mps', row.vn_mps, row);
  if (row.status !== 'confirmed' && row.status !== 'coasting') {
    throw new RangeError(`formatTrackRow: status must be "confirmed" or "coasting", got ${show(row.status)}`);
  }
  let s = `{"t":${row.t},"track":${JSON.stringify(String(row.track))},"lat":${fixed(row.lat, P7, 7)},"lon":${fixed(row.lon, P7, 7)}`;
  if (row.alt_m !== undefined) {
    assertFinite('alt_m', row.alt_m, row);
    s += `,"alt_m":${fixed(row.alt_m, P2, 2)}`;
  }
  s += `,"ve_mps":${fixed(row.ve_mps, P2, 2)},"vn_mps":${fixed(row.vn_mps, P2, 2)}`;
  if (row.vu_mps !== undefined) {
    assertFinite('vu_mps', row.vu_mps, row);
    s += `,"vu_mps":${fixed(row.vu_mps, P2, 2)}`;
  }
  if (row.pos_sd_m !== undefined) {
    assertFinite('pos_sd_m', row.pos_sd_m, row);
    s += `,"pos_sd_m":${fixed(row.pos_sd_m, P2, 2)}`;
  }
  if (row.class !== undefined) {
    s += ',"class":{';
    let first = true;
    for (const label in row.class) {
      const p = row.class[label];
      assertFinite(`class[${JSON.stringify(label)}]`, p, row);
      s += `${first ? '' : ','}${labelKey(label)}${fixed(p, P4, 4)}`;
      first = false;
    }
    s += '}';
  }
  s += `,"status":"${row.status}"`;
  for (const key in row) {
    if (KNOWN_TRACK_FIELDS.has(key)) continue;
    const v = row[key];
    if (v === undefined) continue;
    const json = JSON.stringify(v);
    if (json !== undefined) s += `,${JSON.stringify(key)}:${json}`;
  }
  return s + '}';
}

/** A string id, or a finite number converted to a string; `undefined` when invalid. */
function idOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && v - v === 0) return String(v);
  return undefined;
}

const given = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * The fields track and truth rows share: `t`, an id field, `lat`, `lon`. Returns the id, or
 * the reason the first bad field is refused.
 */
function timedPoint(o: Record<string, unknown>, idField: string, idWhat: string): { id: string } | string {
  let err: string | undefined;
  if (o.t === undefined) return missing('t', 'a finite number, seconds since the Unix epoch');
  // the detections' bounds (1900-2100): a row beyond them is no scene's
  if ((err = checkFiniteWithin('t', o.t, PLAUSIBLE.tMin, PLAUSIBLE.tMax)) !== undefined) return err;
  if (o[idField] === undefined) return missing(idField, idWhat);
  const id = idOf(o[idField]);
  if (id === undefined) return `${idField} must be a non-empty string, got ${show(o[idField])}`;
  if (o.lat === undefined) return missing('lat', 'a latitude in degrees within [-90, 90]');
  if ((err = checkWithin('lat', o.lat, -90, 90)) !== undefined) return err;
  if (o.lon === undefined) return missing('lon', 'a longitude in degrees within [-180, 180]');
  if ((err = checkWithin('lon', o.lon, -180, 180)) !== undefined) return err;
  return { id };
}

/**
 * Parses one line of `tracks.ndjson`. Never throws on bad input.
 *
 * Required: `t` within the detections' plausibility bounds (1900-2100, `PLAUSIBLE`), `track` (a
 * non-empty string; a finite number is accepted and converted), `lat` in [-90, 90], `lon` in
 * [-180, 180], `ve_mps` and `vn_mps` within ±10 km/s, `status` `confirmed` or `coasting`.
 * Optional: `alt_m` within the plausible altitudes, `vu_mps` within ±10 km/s, `pos_sd_m` >= 0, `class` an
 * object of probabilities in [0, 1]. A JSON `null` counts as an absent optional field. The row
 * returned holds only these fields (unknown ones are dropped).
 */
export function parseTrackLine(line: string, lineNo: number): TrackLineResult {
  if (line.charCodeAt(0) !== 123 && isBlank(line)) return null;
  const o = parseJsonObject(line);
  if (typeof o === 'string') return lineError(lineNo, o);
  let err: string | undefined;

  const head = timedPoint(o, 'track', 'a track id string');
  if (typeof head === 'string') return lineError(lineNo, head);
  const track = head.id;
  if (given(o.alt_m) && (err = checkFiniteWithin('alt_m', o.alt_m, PLAUSIBLE.altMin, PLAUSIBLE.altMax)) !== undefined) return lineError(lineNo, err);
  if (o.ve_mps === undefined) return lineError(lineNo, missing('ve_mps', 'the east velocity in m/s'));
  if ((err = checkFiniteWithin('ve_mps', o.ve_mps, -PLAUSIBLE.speedMax, PLAUSIBLE.speedMax)) !== undefined) return lineError(lineNo, err);
  if (o.vn_mps === undefined) return lineError(lineNo, missing('vn_mps', 'the north velocity in m/s'));
  if ((err = checkFiniteWithin('vn_mps', o.vn_mps, -PLAUSIBLE.speedMax, PLAUSIBLE.speedMax)) !== undefined) return lineError(lineNo, err);
  if (given(o.vu_mps) && (err = checkFiniteWithin('vu_mps', o.vu_mps, -PLAUSIBLE.speedMax, PLAUSIBLE.speedMax)) !== undefined) return lineError(lineNo, err);
  if (given(o.pos_sd_m) && (err = checkNonNegative('pos_sd_m', o.pos_sd_m)) !== undefined) return lineError(lineNo, err);
  if (given(o.class) && (err = checkProbabilities('class', o.class)) !== undefined) return lineError(lineNo, err);
  if (o.status === undefined) return lineError(lineNo, missing('status', '"confirmed" or "coasting"'));
  if (o.status !== 'confirmed' && o.status !== 'coasting') {
    return lineError(lineNo, `status must be "confirmed" or "coasting", got ${show(o.status)}`);
  }

  const row: TrackRow = {
    t: o.t as number,
    track,
    lat: o.lat as number,
    lon: o.lon as number,
    ve_mps: o.ve_mps as number,
    vn_mps: o.vn_mps as number,
    status: o.status,
  };
  if (given(o.alt_m)) row.alt_m = o.alt_m as number;
  if (given(o.vu_mps)) row.vu_mps = o.vu_mps as number;
  if (given(o.pos_sd_m)) row.pos_sd_m = o.pos_sd_m as number;
  if (given(o.class)) row.class = o.class as Record<string, number>;
  return { ok: true, row };
}

/**
 * Parses one line of `truth.ndjson`. Never throws on bad input.
 *
 * Required: `t` within the detections' plausibility bounds, `id` (a non-empty string; a finite
 * number is accepted and converted), `lat` in [-90, 90], `lon` in [-180, 180], `alt_m` within the
 * plausible altitudes. Optional: `class`, a non-empty
 * string (a class label; labels outside the spec's list are kept). A JSON `null` counts as an
 * absent optional field. The row returned holds only these fields.
 */
export function parseTruthLine(line: string, lineNo: number): TruthLineResult {
  if (line.charCodeAt(0) !== 123 && isBlank(line)) return null;
  const o = parseJsonObject(line);
  if (typeof o === 'string') return lineError(lineNo, o);
  let err: string | undefined;

  const head = timedPoint(o, 'id', 'a target id string');
  if (typeof head === 'string') return lineError(lineNo, head);
  const id = head.id;
  if (o.alt_m === undefined) return lineError(lineNo, missing('alt_m', 'the altitude in metres above the WGS84 ellipsoid'));
  if ((err = checkFiniteWithin('alt_m', o.alt_m, PLAUSIBLE.altMin, PLAUSIBLE.altMax)) !== undefined) return lineError(lineNo, err);
  const cls = o.class;
  if (given(cls) && (typeof cls !== 'string' || cls.length === 0)) {
    return lineError(lineNo, `class must be a non-empty string (a class label), got ${show(cls)}`);
  }

  const row: TruthRow = { t: o.t as number, id, lat: o.lat as number, lon: o.lon as number, alt_m: o.alt_m as number };
  if (given(cls)) row.class = cls as string;
  return { ok: true, row };
}
