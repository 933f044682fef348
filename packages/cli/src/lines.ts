/**
 * Reads a text stream as lines (LF or CRLF), refusing lines longer than a limit without
 * holding them in memory: an oversized line is yielded as `null` (its bytes skipped), so the
 * caller can report it by number and go on.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { CliError, UsageError } from './args.js';
import { StringDecoder } from 'node:string_decoder';

/** Longest line taken (characters): 1 MiB is far beyond any detection. */
export const MAX_LINE = 1 << 20;

export async function* readLines(input: Readable, maxLine = MAX_LINE): AsyncGenerator<string | null> {
  let buf = '';
  let overflow = false;
  let skipped = 0;
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
            // said at once (a line that never ends is reported, not waited for), its rest skipped
            overflow = true;
            skipped = buf.length;
            buf = '';
            yield null;
          }
        } else {
          skipped += text.length - start;
          // 64 limits of one line skipped: not a file of lines at all (`/dev/zero`)
          if (skipped > 64 * maxLine) throw new Error(`more than ${64 * maxLine} characters without a line end: not a file of lines`);
        }
        break;
      }
      if (overflow) {
        // the over-long line was reported when it passed the limit
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
      skipped = 0;
      start = nl + 1;
    }
  }
  const rest = decoder.end();
  if (!overflow) buf += rest;
  if (overflow) return;
  if (buf.length > maxLine) yield null;
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

/** The most a command reads of a file it takes whole (sensors.json, zones, a scenario, a recorded flight): 256 MiB. */
export const WHOLE_FILE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * A file read whole as UTF-8 text, at most `maxBytes` (checked as it is read: a device or a pipe
 * that never ends, `/dev/zero`, is refused at the limit, not read until memory runs out). Errors
 * name the file.
 */
export function readWholeText(path: string, maxBytes = WHOLE_FILE_MAX_BYTES): string {
  return readWholeBytes(path, maxBytes).toString('utf8');
}

/** {@link readWholeText}'s bytes. */
export function readWholeBytes(path: string, maxBytes = WHOLE_FILE_MAX_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new CliError(describeFsError(err, path, 'read'));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new CliError(`cannot read ${path}: it is a directory`);
    if (st.isFile() && st.size > maxBytes) throw new CliError(`cannot read ${path}: it is ${st.size} bytes, more than the ${maxBytes} this command reads whole`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw new CliError(describeFsError(err, path, 'read'));
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new CliError(`cannot read ${path}: more than the ${maxBytes} bytes this command reads whole`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * What names a file: its device and inode when it exists (links and symlinks alike), else its
 * resolved path; null for what is not a regular file (a terminal, a pipe, /dev/null: nothing to
 * overwrite, and `/dev/stdin` and `/dev/stdout` may be one terminal).
 */
function fileIdentity(path: string): string | null {
  try {
    const st = statSync(path);
    return st.isFile() ? `${st.dev}:${st.ino}` : null;
  } catch {
    return `path:${resolvePath(path)}`;
  }
}

/**
 * Refuses, before anything is read or written, an output that is the same file as an input or as
 * another output (through a symlink or a hard link too): it would be overwritten, or two outputs
 * mixed in one file. `-` (a standard stream) is never compared.
 */
export function checkDistinctFiles(inputs: readonly [flag: string, path: string | undefined][], outputs: readonly [flag: string, path: string | undefined][]): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of inputs) {
    const id = path === undefined || path === '-' ? null : fileIdentity(path);
    if (id !== null) seen.set(id, `${flag} ${path}`);
  }
  for (const [flag, path] of outputs) {
    if (path === undefined || path === '-') continue;
    const id = fileIdentity(path);
    if (id === null) continue;
    const other = seen.get(id);
    if (other !== undefined) throw new UsageError(`${flag} ${path} is the same file as ${other}: it would be overwritten`);
    seen.set(id, `${flag} ${path}`);
  }
}
