/**
 * NDJSON of an ingest payload (HTTP body or MQTT message), one place for both: the non-empty
 * lines are counted first, and more than `maxLines` are refused before any is parsed (a batch
 * too large costs no parsing); each line is then parsed on its own, so one bad line costs
 * only itself.
 */
export type NdjsonLine = { index: number; ok: true; value: unknown } | { index: number; ok: false; message: string };

/** The non-empty lines of `text` (0-based `index` in the text), or `tooMany`: their count when over `maxLines`. */
export function parseNdjsonLines(text: string, maxLines: number): { lines: NdjsonLine[] } | { tooMany: number } {
  const raw = text.split('\n');
  let nonEmpty = 0;
  for (const line of raw) if (line.trim().length > 0) nonEmpty++;
  if (nonEmpty > maxLines) return { tooMany: nonEmpty };
  const lines: NdjsonLine[] = [];
  for (let i = 0; i < raw.length; i++) {
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
