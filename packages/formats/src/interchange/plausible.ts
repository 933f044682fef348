/**
 * Plausibility bounds of a detection row (docs/interchange.md, "Plausibility bounds"): every
 * number a sensor may send has a range no real sensor leaves, and every row a size and a
 * nesting depth no real row reaches. A row outside them is refused at the edge, by the
 * interchange reader, with a reason naming the field and the value: absurd magnitudes never
 * reach the tracker, and a hostile row never reaches the journal (a 5,000-deep object would
 * overflow the stack of the store worker's structured clone).
 */
import { checkText, show } from './check.js';

/** The bounds. Generous: they refuse only what no real sensor reports. */
export const PLAUSIBLE = Object.freeze({
  /** `t`: 1900-01-01 to 2100-01-01 UTC (s since the Unix epoch). */
  tMin: -2_208_988_800,
  tMax: 4_102_444_800,
  /** `alt_m`, `sensor_alt_m` (m above the WGS84 ellipsoid): below the Dead Sea shore to the edge of space. */
  altMin: -1_000,
  altMax: 100_000,
  /** `snr_db`. */
  snrDbMin: -100,
  snrDbMax: 200,
  /** `range_rate_mps`: |v| at most 10 km/s (the `_mps` bound of every speed). */
  speedMax: 1e4,
  /** `id` and `target`: characters. */
  idChars: 128,
  /** A sensor's `id` (sensors.json, and the API's registry): characters. */
  sensorIdChars: 256,
  /** A sensor's `kind` (sensors.json): characters. */
  kindChars: 64,
  /** A sensor's `far_per_hour`: a million false reports an hour (hundreds a second) is no sensor's rating. */
  farPerHourMax: 1e6,
  /** `class`: labels, and characters per label. */
  classLabels: 64,
  classLabelChars: 64,
  /** Objects and arrays nested in a row, the row itself counting as the first. */
  depth: 8,
  /** The row as JSON (characters; the NDJSON line, or the row serialised). */
  rowChars: 16_384,
});

/**
 * True when `v` (an object or array at nesting level `level`) nests deeper than `max` levels.
 * The recursion is bounded by `max`, so a value nested 100,000 deep is answered without
 * overflowing the stack; no allocation.
 */
export function nestsDeeper(v: object, level: number, max: number): boolean {
  if (level > max) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' && x !== null && nestsDeeper(x, level + 1, max)) return true;
    }
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' && x !== null && nestsDeeper(x, level + 1, max)) return true;
  }
  return false;
}

/** True when `v` (an object or array at nesting level `level`) nests deeper than {@link PLAUSIBLE.depth}. */
function nestsTooDeep(v: object, level: number): boolean {
  return nestsDeeper(v, level, PLAUSIBLE.depth);
}

/**
 * An upper bound on the length of `v` as JSON, counted until it passes `limit` (then any
 * number above it): strings at 6 characters each (the longest escape, `\u0000`), numbers at
 * 24. Cheap on a flat row, and never below the true length, so a row it passes is short
 * enough without being serialised. Called on rows already checked for depth.
 */
function jsonLengthBound(v: unknown, limit: number): number {
  if (typeof v === 'string') return 6 * v.length + 2;
  if (typeof v !== 'object' || v === null) return 24;
  let n = 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && n <= limit; i++) n += 1 + jsonLengthBound(v[i], limit - n);
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    n += 6 * k.length + 4 + jsonLengthBound(o[k], limit - n);
    if (n > limit) break;
  }
  return n;
}

/**
 * Checks the shape of a row before its fields are read: no field nested deeper than
 * {@link PLAUSIBLE.depth} levels, and (when `size` is true) the row at most
 * {@link PLAUSIBLE.rowChars} characters as JSON. Returns a reason naming the field, or undefined.
 * Cheap on a flat row: one pass over its top-level fields (the size by a bound, serialising
 * only a row the bound cannot pass).
 */
export function checkRowShape(o: Record<string, unknown>, size: boolean): string | undefined {
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'object' && x !== null && nestsTooDeep(x, 2)) {
      return `${JSON.stringify(k.length > 60 ? k.slice(0, 60) + '…' : k)} is nested more than ${PLAUSIBLE.depth} levels deep (a detection may nest at most ${PLAUSIBLE.depth} objects or arrays, itself included)`;
    }
  }
  if (size && jsonLengthBound(o, PLAUSIBLE.rowChars) > PLAUSIBLE.rowChars) {
    const n = JSON.stringify(o).length;
    if (n > PLAUSIBLE.rowChars) {
      let largest = '';
      let most = -1;
      for (const k in o) {
        const m = (JSON.stringify(o[k]) ?? '').length;
        if (m > most) {
          most = m;
          largest = k;
        }
      }
      return `${rowTooLong(n)} (largest field: ${JSON.stringify(largest.length > 60 ? largest.slice(0, 60) + '…' : largest)}, ${most} characters)`;
    }
  }
  return undefined;
}

/** The reason for a row longer than {@link PLAUSIBLE.rowChars}. */
export function rowTooLong(chars: number): string {
  return `the detection is ${chars} characters long as JSON, more than the ${PLAUSIBLE.rowChars} allowed`;
}

/** `field` (`id`, `target`) must be a non-empty string of at most {@link PLAUSIBLE.idChars} characters, readable as written ({@link checkText}); undefined when good. */
export function checkIdLength(field: string, v: string): string | undefined {
  return v.length <= PLAUSIBLE.idChars ? checkText(field, v) : `${field} must be at most ${PLAUSIBLE.idChars} characters, got ${v.length} (${show(v)})`;
}

/** The `class` map's size and label lengths (its probabilities are checked by `checkProbabilities`). */
export function checkClassShape(field: string, v: Record<string, unknown>): string | undefined {
  const n = Object.keys(v).length;
  if (n > PLAUSIBLE.classLabels) return `${field} must have at most ${PLAUSIBLE.classLabels} labels, got ${n}`;
  for (const k in v) {
    if (k.length > PLAUSIBLE.classLabelChars) {
      return `${field} labels must be at most ${PLAUSIBLE.classLabelChars} characters, got one of ${k.length} (${show(k)})`;
    }
  }
  return undefined;
}
