/**
 * Small value checks shared by the interchange readers. Each check returns `undefined` when the
 * value is good and otherwise a reason that names the field and quotes the bad value, e.g.
 * `lat must be within [-90, 90], got 91.5`. Nothing here allocates on the good path.
 */
import { describeJsonError } from './json-error.js';

/** A rejected NDJSON line: its 1-based number and why it was rejected. */
export interface LineError {
  ok: false;
  /** 1-based line number in the file. */
  lineNo: number;
  /** Names the field and quotes the bad value. */
  reason: string;
}

/** Builds a {@link LineError}. */
export function lineError(lineNo: number, reason: string): LineError {
  return { ok: false, lineNo, reason };
}

/** The message the spec asks for: `line 12: lat must be within [-90, 90], got 91.5`. */
export function formatLineError(e: LineError): string {
  return `line ${e.lineNo}: ${e.reason}`;
}

/** `text` without a leading byte-order mark (an editor's UTF-8 with BOM: not JSON, YAML or XML). */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** True when the line holds only whitespace (or a byte-order mark). */
export function isBlank(line: string): boolean {
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    // space, tab, LF, CR, BOM
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

/**
 * Parses a line that must hold one JSON object. Returns the object, or a reason string when the
 * line is not valid JSON or not an object. A leading byte-order mark is skipped.
 */
export function parseJsonObject(line: string): Record<string, unknown> | string {
  let raw: unknown;
  const text = withoutBom(line);
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return `not valid JSON (${describeJsonError(text, e, true)})`;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `a line must be a JSON object, got ${show(raw)}`;
  }
  return raw as Record<string, unknown>;
}

const MAX_SHOWN = 60;

/** A short, readable rendering of a bad value for an error message. */
/** Characters a quoted value shows as escapes: those {@link checkText} refuses that JSON.stringify leaves as they are (C1 controls, separators, bidirectional and invisible format characters). */
const ESCAPED_IN_QUOTES = /[\u007f-\u009f\u200b-\u200d\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * `v` in double quotes as JSON writes it, and with the characters that would change how a
 * message reads (a bidirectional override reorders the text after it) written as \uXXXX: a
 * refusal quotes what it refuses without being garbled by it.
 */
export function quote(v: string): string {
  return JSON.stringify(v).replace(ESCAPED_IN_QUOTES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v); // Infinity from e.g. 1e999 shows as Infinity
  if (typeof v === 'string') {
    const s = quote(v.length > MAX_SHOWN ? v.slice(0, MAX_SHOWN) + '…' : v);
    return `string ${s}`;
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** True for a number that is neither NaN nor ±Infinity. */
export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && v - v === 0;
}

/** `field` must be a finite number. */
export function checkFinite(field: string, v: unknown): string | undefined {
  if (isFiniteNumber(v)) return undefined;
  return `${field} must be a finite number, got ${show(v)}`;
}

/** `field` must be a finite number in the closed interval [lo, hi]. */
export function checkWithin(field: string, v: unknown, lo: number, hi: number): string | undefined {
  if (typeof v === 'number' && v >= lo && v <= hi) return undefined;
  if (!isFiniteNumber(v)) return `${field} must be a finite number within [${lo}, ${hi}], got ${show(v)}`;
  return `${field} must be within [${lo}, ${hi}], got ${show(v)}`;
}

/**
 * `field` must be a finite number (the {@link checkFinite} message otherwise) within the
 * plausibility bounds [lo, hi] (`alt_m must be within [-1000, 100000], got 1e+300`).
 */
export function checkFiniteWithin(field: string, v: unknown, lo: number, hi: number): string | undefined {
  if (typeof v === 'number' && v >= lo && v <= hi) return undefined;
  if (!isFiniteNumber(v)) return `${field} must be a finite number, got ${show(v)}`;
  return `${field} must be within [${lo}, ${hi}], got ${show(v)}`;
}

/** `field` must be a finite number > 0 (errors, ranges). */
export function checkPositive(field: string, v: unknown): string | undefined {
  if (typeof v === 'number' && v > 0 && v - v === 0) return undefined;
  return `${field} must be a positive finite number, got ${show(v)}`;
}

/**
 * Largest value taken for a field, by its unit suffix: distances up to 10,000 km, angle
 * errors up to 180°, speeds up to 10 km/s. Larger values are no measurement, and squared
 * they would overflow the filter's arithmetic.
 */
export function upperBound(field: string): number {
  if (field.endsWith('_deg')) return 180;
  if (field.endsWith('_mps')) return 1e4;
  return 1e7;
}

/**
 * Smallest positive value of an error (one standard deviation) or a presence range that a
 * sensor may claim, in the field's unit: 1 mm, 1 mm/s, a millionth of a degree. Below it a
 * value is not a measurement's (and an error squared, as the tracker does, a denormal one
 * becomes a variance of 0: a falsely certain track).
 */
export function lowerBound(field: string): number {
  if (field.endsWith('_deg')) return 1e-6;
  return 1e-3;
}

/** `field` must be a positive finite number within its unit's bounds. */
export function checkPositiveBounded(field: string, v: unknown): string | undefined {
  const err = checkPositive(field, v);
  if (err !== undefined) return err;
  const max = upperBound(field);
  const min = lowerBound(field);
  if ((v as number) < min) return `${field} must be at least ${min}, got ${show(v)}`;
  return (v as number) <= max ? undefined : `${field} must be at most ${max}, got ${show(v)}`;
}

/** `field` must be a finite number >= 0. */
export function checkNonNegative(field: string, v: unknown): string | undefined {
  if (typeof v === 'number' && v >= 0 && v - v === 0) return undefined;
  return `${field} must be a non-negative finite number, got ${show(v)}`;
}

/** `field` must be a non-empty string. */
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200b-\u200d\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200d\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** Half of a UTF-16 surrogate pair without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What a character {@link checkText} refuses is, for the refusal. */
function unsafeKind(c: number): string {
  if (c < 0x20 || c === 0x7f) return 'a control character';
  if (c <= 0x9f) return 'a C1 control character';
  if (c === 0x2028) return 'a line separator';
  if (c === 0x2029) return 'a paragraph separator';
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return 'a bidirectional control (it reorders the text after it)';
  return 'an invisible character';
}

/**
 * A name or id shown to people must read as it is written: no C0 or C1 control characters, no
 * line or paragraph separators, no bidirectional embeddings, overrides or isolates (U+202A-U+202E,
 * U+2066-U+2069: "Safe-town \u202Etrela on" reads "Safe-town no alert"), no invisible format
 * characters (zero-width spaces and joiners, U+2060-U+2064, the BOM). The marks U+200E and U+200F
 * that right-to-left names carry are taken, and no lone surrogate (half of a pair: no character).
 * `lines`: tab and line feed are taken too (free text, such as an operator's reason). Returns the
 * refusal naming the character and where, or undefined.
 */
export function checkText(field: string, v: string, lines = false): string | undefined {
  const m = (lines ? UNSAFE_TEXT_BUT_LINES : UNSAFE_TEXT).exec(v);
  if (!m) {
    // half of a surrogate pair alone is no character: stored or sent as UTF-8 it becomes U+FFFD
    const lone = LONE_SURROGATE.exec(v);
    return lone ? `${field} has a lone surrogate (U+${lone[0].charCodeAt(0).toString(16).toUpperCase()}) at character ${lone.index}: not a Unicode character` : undefined;
  }
  const c = m[0].charCodeAt(0);
  return `${field} has ${unsafeKind(c)} (U+${c.toString(16).padStart(4, '0').toUpperCase()}) at character ${m.index}: names and ids are shown to people as they are written`;
}

/** Why the text `v` of `field` is refused: longer than `max` characters, or not readable as written ({@link checkText}); undefined when good. */
export function checkBoundedText(field: string, v: string, max: number): string | undefined {
  return v.length > max ? `${field} must be at most ${max} characters, got ${v.length}` : checkText(field, v);
}

/** The scripts whose letters look alike (Unicode TR 39's confusables are mostly among these three). */
const LOOK_ALIKE_SCRIPTS: readonly [string, RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
];

/**
 * An id must not look like another: its letters may come from one of Latin, Cyrillic and Greek,
 * not from two (Unicode TR 39, "Unicode Security Mechanisms": mixed-script identifiers are how a
 * Cyrillic "а" passes for a Latin "a"; "mic-0а1" and "mic-0a1" read the same on every screen).
 * An id wholly in one script is taken ("мік-01"), and so are ids with letters of other scripts
 * (Hangul, Han, Arabic) beside one of the three. Returns the refusal naming the first letter of
 * the second script and where, or undefined.
 */
export function checkOneScript(field: string, v: string): string | undefined {
  let first: string | undefined;
  let i = 0;
  for (const ch of v) {
    for (const [name, re] of LOOK_ALIKE_SCRIPTS) {
      if (!re.test(ch)) continue;
      if (first === undefined) first = name;
      else if (name !== first) {
        const c = ch.codePointAt(0)!;
        return `${field} mixes ${first} and ${name} letters (the ${name} "${ch}", U+${c.toString(16).padStart(4, '0').toUpperCase()}, at character ${i}): an id must not look like another`;
      }
    }
    i += ch.length;
  }
  return undefined;
}

/** Why the id `v` of `field` is refused: {@link checkBoundedText}, then {@link checkOneScript}; undefined when good. */
export function checkBoundedId(field: string, v: string, max: number): string | undefined {
  return checkBoundedText(field, v, max) ?? checkOneScript(field, v);
}

export function checkString(field: string, v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return undefined;
  return `${field} must be a non-empty string, got ${show(v)}`;
}

/**
 * `field` must be an object mapping labels to probabilities in [0, 1] (the `class` field).
 * Any label is accepted (unknown labels are kept).
 */
export function checkProbabilities(field: string, v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return `${field} must be an object of label to probability, got ${show(v)}`;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const p = o[k];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      return `${field}[${JSON.stringify(k)}] must be a probability within [0, 1], got ${show(p)}`;
    }
  }
  return undefined;
}

/** Message for a required field that is absent. */
export function missing(field: string, what: string): string {
  return `${field} is missing (required: ${what})`;
}
