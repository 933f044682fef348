/**
 * Reads a text stream as lines (LF or CRLF), refusing lines longer than a limit without
 * holding them in memory: an oversized line is yielded as `null` (its bytes skipped), so the
 * caller can report it by number and go on.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Longest line taken (characters): 1 MiB is far beyond any detection. */
export const MAX_LINE = 1 << 20;

export async function* readLines(input: Readable, maxLine = MAX_LINE): AsyncGenerator<string | null> {
  let buf = '';
  let overflow = false;
  // a character split between two chunks is decoded whole (decoding each chunk alone turned it into U+FFFD twice)
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        if (!overflow) {
          buf += text.slice(start);
          if (buf.length > maxLine) {
            overflow = true;
            buf = '';
          }
        }
        break;
      }
      if (overflow) {
        yield null;
      } else {
        let line = buf + text.slice(start, nl);
        if (line.length > maxLine) {
          yield null;
        } else {
          if (line.endsWith('\r')) line = line.slice(0, -1);
          yield line;
        }
      }
      buf = '';
      overflow = false;
      start = nl + 1;
    }
  }
  const rest = decoder.end();
  if (!overflow) buf += rest;
  if (overflow) yield null;
  else if (buf.length > maxLine) yield null;
  else if (buf.length > 0) yield buf.endsWith('\r') ? buf.slice(0, -1) : buf;
}

/** Replaces control characters (terminal escapes among them) by visible \xNN escapes. */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A one-line description of a file system error, naming the file. */
export function describeFsError(err: unknown, path: string, verb: 'read' | 'write'): string {
  const e = err as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    ENOTDIR: 'a part of the path is not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
  };
  return `cannot ${verb} ${path}: ${(e && e.code && why[e.code]) || (e && e.message) || String(err)}`;
}
