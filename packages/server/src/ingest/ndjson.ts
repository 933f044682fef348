/**
 * NDJSON of an ingest payload (HTTP body or MQTT message), one place for both: the non-empty
 * lines are counted first, and more than `maxLines` are refused before any is parsed (a batch
 * too large costs no parsing); each line is then parsed on its own, so one bad line costs
 * only itself.
 */
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
      lines.push({ index: i, ok: false, message: `line ${i + 1}: not valid JSON (${(err as Error).message})` });
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
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d || text.charCodeAt(i) === 0x09)) i++;
  const isArray = text.charCodeAt(i) === 0x5b; // [
  let depth = 0;
  let items = 0;
  let values = 0;
  let seen = false; // a non-blank character at depth 1 since the last comma
  let inString = false;
  for (; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // \ escapes the next character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      if (depth === 1) seen = true;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (depth === 1) seen = true;
      depth++;
      values++;
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
      if (depth === 0 && isArray) break;
    } else if (ch === 0x2c) {
      values++;
      if (depth === 1) {
        items++;
        seen = false;
      }
    } else if (depth === 1 && ch !== 0x20 && ch !== 0x0a && ch !== 0x0d && ch !== 0x09) seen = true;
  }
  return { items: isArray ? items + (seen ? 1 : 0) : null, values };
}

/** Why a JSON batch is too large to parse (by {@link jsonShape}), or null. `what`: "request" or "message". */
export function batchTooLarge(text: string, maxBatch: number, what: string): { count: number; message: string } | null {
  const { items, values } = jsonShape(text);
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
