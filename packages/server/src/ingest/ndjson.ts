/**
 * NDJSON of an ingest payload (HTTP body or MQTT message), one place for both: the non-empty
 * lines are counted first, and more than `maxLines` are refused before any is parsed (a batch
 * too large costs no parsing); each line is then parsed on its own, so one bad line costs
 * only itself.
 */
import { describeJsonError, PLAUSIBLE } from '@skywarden/formats';

export type NdjsonLine = { index: number; ok: true; value: unknown } | { index: number; ok: false; message: string };

/**
 * The non-empty lines of `text` (0-based `index` in the text), or `tooMany`: their count when over
 * `maxLines`. `bad`: lines already known bad (not UTF-8: {@link decodeLines}), by index, with why.
 */
export function parseNdjsonLines(text: string, maxLines: number, bad?: ReadonlyMap<number, string>): { lines: NdjsonLine[] } | { tooMany: number } {
  const raw = text.split('\n');
  let nonEmpty = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i].trim().length > 0 || bad?.has(i)) nonEmpty++;
  if (nonEmpty > maxLines) return { tooMany: nonEmpty };
  const lines: NdjsonLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    const why = bad?.get(i);
    if (why !== undefined) {
      lines.push({ index: i, ok: false, message: why });
      continue;
    }
    const line = raw[i].trim();
    if (line.length === 0) continue;
    try {
      lines.push({ index: i, ok: true, value: JSON.parse(line) });
    } catch (err) {
      lines.push({ index: i, ok: false, message: `line ${i + 1}: not valid JSON (${describeJsonError(raw[i], err, true)})` });
    }
  }
  return { lines };
}

/** JSON values a batch may hold per detection (a detection row has a dozen or two fields). */
export const VALUES_PER_DETECTION = 64;

/**
 * The shape of `text` as JSON, counted without parsing (one pass over the characters, nothing
 * allocated): `items`, the number of items when it is an array (its first non-blank character
 * `[`), else null; `values`, its objects, arrays and comma-separated values at every depth,
 * outside strings. A batch is refused on these counts before `JSON.parse` builds it: an array of
 * more items than a batch allows (2,000,000 empty objects in 6 MB took 0.66 s of the event loop
 * each), or more values than `VALUES_PER_DETECTION` per detection allowed (the same objects
 * one level down, `[[{},{},...]]`, are one item and took 0.97 s). Malformed JSON is counted as
 * far as it goes; the parser names what is wrong.
 */
export function jsonShape(text: string): { items: number | null; values: number } {
  const { items, values } = jsonScan(text, false);
  return { items, values };
}

/**
 * Deepest nesting of objects and arrays a payload may reach before it is parsed: a detection
 * nests at most `PLAUSIBLE.depth` (8) levels, itself included, and a batch adds one; deeper is
 * no detection, and `JSON.parse` spent 0.3 s of the event loop on 1.3 MB of brackets (an outside
 * probe, 2026-12-07: thirty such bodies at once held the health check for 7 s).
 */
export const MAX_JSON_DEPTH = 32;
/**
 * Most members one object or array may have before it is parsed (a batch's own array aside: the
 * batch size bounds it). A detection has a few dozen fields; one object of 630,000 keys took
 * `JSON.parse` 2.4 s (the same probe).
 */
export const MAX_JSON_MEMBERS = 1024;

/** A part of a payload not to parse ({@link jsonHazards}): why, and where it lies in the text. */
export interface JsonHazard {
  message: string;
  start: number;
  end: number;
}

/**
 * What would make `text` costly to parse and can be no detection, found without parsing (one
 * pass over the characters): nesting deeper than {@link MAX_JSON_DEPTH}, or an object or array
 * of more than {@link MAX_JSON_MEMBERS} members. So that such a part costs only itself:
 * - `lines` true (NDJSON, a detection a line): each line with a hazard, by its 0-based index;
 * - `lines` false and `text` a JSON array (a batch, `batch` true): each item with a hazard, by
 *   its index, and its span (the caller parses the batch with those items left out);
 * - else (one detection): the whole, under 0, and the scan stops there.
 * `start`/`end`: the part's character offsets (a line without its end, an item without its
 * commas). Malformed JSON is scanned as far as it goes; the parser names what is wrong with it.
 */
export function jsonHazards(text: string, lines: boolean): { batch: boolean; found: Map<number, JsonHazard> } {
  const { batch, found } = jsonScan(text, lines);
  return { batch, found };
}

/** What {@link jsonScan} finds: {@link jsonShape}'s counts and {@link jsonHazards}' parts. */
export interface JsonScan {
  items: number | null;
  values: number;
  batch: boolean;
  found: Map<number, JsonHazard>;
}

/**
 * {@link jsonShape} and {@link jsonHazards} in one pass over the characters (a payload is
 * scanned once before it is parsed: the two passes took 5.5 and 7.5 ms of a 1.9 MB batch whose
 * parse took 12). With `lines` (NDJSON) a string ends with its line, for the counts too.
 */
export function jsonScan(text: string, lines: boolean): JsonScan {
  const found = new Map<number, JsonHazard>();
  const members = new Int32Array(MAX_JSON_DEPTH + 2);
  const n = text.length;
  let i = 0;
  while (i < n && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d || text.charCodeAt(i) === 0x09)) i++;
  const isArray = text.charCodeAt(i) === 0x5b; // [
  const batch = !lines && isArray;
  // the shape: depth over the whole text, the top array's items, every value
  let sDepth = 0;
  let items = 0;
  let values = 0;
  let seen = false; // a non-blank character at depth 1 since the last comma
  let shapeDone = false;
  // the hazards: depth within a part (a line, or an item of the batch)
  let depth = 0;
  let part = 0;
  let partStart = lines ? 0 : i + 1;
  let inString = false;
  /** The part has a hazard: its brackets are only counted to find its end. */
  let skip: JsonHazard | null = null;
  /** One detection with a hazard: nothing more to find. */
  let hazardsDone = false;
  const flag = (at: number, what: string): void => {
    const where = lines ? `line ${part + 1}: at character ${at - partStart + 1} of the line` : `at character ${at + 1}`;
    skip = { message: `${where}: ${what}`, start: partStart, end: n };
    found.set(part, skip);
    if (!lines && !batch) hazardsDone = true;
  };
  const endPart = (at: number) => {
    if (skip) skip.end = at;
    skip = null;
    part++;
    partStart = at + 1;
  };
  for (; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a && lines) {
      endPart(i);
      depth = 0;
      inString = false;
      continue;
    }
    if (inString) {
      // \ escapes the next character (not a line's end: NDJSON lines end there whatever)
      if (ch === 0x5c && !(lines && text.charCodeAt(i + 1) === 0x0a)) i++;
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      if (sDepth === 1) seen = true;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (!shapeDone) {
        if (sDepth === 1) seen = true;
        sDepth++;
        values++;
      }
      depth++;
      if (skip || hazardsDone) continue;
      if (depth > MAX_JSON_DEPTH) {
        flag(i, `objects and arrays nested more than ${MAX_JSON_DEPTH} levels deep (a detection nests at most ${PLAUSIBLE.depth}, itself included)`);
        continue;
      }
      members[depth] = 0;
    } else if (ch === 0x5d || ch === 0x7d) {
      if (!shapeDone) {
        sDepth--;
        if (sDepth === 0 && isArray) shapeDone = true;
      }
      if (depth > 0) depth--;
      if (batch && depth === 0) {
        endPart(i);
        break;
      }
    } else if (ch === 0x2c) {
      if (!shapeDone) {
        values++;
        if (sDepth === 1) {
          items++;
          seen = false;
        }
      }
      if (batch && depth === 1) endPart(i);
      else if (!skip && !hazardsDone && depth > 0 && depth <= MAX_JSON_DEPTH && ++members[depth] >= MAX_JSON_MEMBERS) {
        flag(i, `an object or array of more than ${MAX_JSON_MEMBERS} members (a detection has a few dozen fields)`);
      }
    } else if (!shapeDone && sDepth === 1 && ch !== 0x20 && ch !== 0x0d && ch !== 0x09 && ch !== 0x0a) seen = true;
  }
  return { items: isArray ? items + (seen ? 1 : 0) : null, values, batch, found };
}

/**
 * `text`, a JSON batch, with the items `found` by {@link jsonHazards} written as `null` (the
 * others as they were), to be parsed without them.
 */
export function withoutHazards(text: string, found: ReadonlyMap<number, JsonHazard>): string {
  const parts = [...found.values()].sort((x, y) => x.start - y.start);
  let out = '';
  let at = 0;
  for (const h of parts) {
    out += text.slice(at, h.start) + 'null';
    at = h.end;
  }
  return out + text.slice(at);
}

/** Why a JSON batch is too large to parse, from its counts (`jsonScan` or {@link jsonShape} of its text), or null. `what`: "request" or "message". */
export function batchTooLarge(scan: Pick<JsonScan, 'items' | 'values'>, maxBatch: number, what: string): { count: number; message: string } | null {
  const { items, values } = scan;
  if (items !== null && items > maxBatch) return { count: items, message: `${items} detections in one ${what}; at most ${maxBatch}` };
  const maxValues = maxBatch * VALUES_PER_DETECTION;
  if (values > maxValues) return { count: values, message: `${values} JSON values in one ${what}; at most ${maxValues} (${VALUES_PER_DETECTION} for each of ${maxBatch} detections)` };
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `bytes` as UTF-8 text, or where they stop being UTF-8. A lenient decoding turned each bad
 * byte into U+FFFD, and two detections whose ids differed only there became one id (the second
 * answered as a duplicate of the first: an outside probe, 2026-12-06).
 */
export function decodeUtf8(bytes: Uint8Array): string | { badByteAt: number } {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return { badByteAt: firstBadUtf8(bytes) };
  }
}

/** The offset of the first byte of `b` that does not begin or continue a valid UTF-8 sequence (-1: none). */
export function firstBadUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    if (n > 0) {
      try {
        strictUtf8.decode(b.subarray(i, i + n + 1));
      } catch {
        return i;
      }
    }
    i += n + 1;
  }
  return -1;
}

/**
 * NDJSON bytes as text, line by line: a line that is not UTF-8 costs only itself (it is left
 * empty in `text` and named in `bad`, by its 0-based index), as a line that is not JSON does.
 */
export function decodeLines(bytes: Uint8Array): { text: string; bad: Map<number, string> } {
  const bad = new Map<number, string>();
  const whole = decodeUtf8(bytes);
  if (typeof whole === 'string') return { text: whole, bad };
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    const line = bytes.subarray(start, i);
    const d = decodeUtf8(line);
    if (typeof d === 'string') parts.push(d);
    else {
      bad.set(parts.length, `line ${parts.length + 1}: not valid UTF-8 (its first bad byte at offset ${d.badByteAt} of the line)`);
      parts.push('');
    }
    start = i + 1;
  }
  return { text: parts.join('\n'), bad };
}
