/**
 * SAPIENT stream framing (BSI Flex 335 v2.0 over TCP): every message is a 4-byte
 * little-endian unsigned length, then that many bytes of an encoded SapientMessage.
 */

/** One outcome of {@link SapientFramer.push}: a complete frame's payload, or a framing error. */
export type SapientFrame = { ok: true; payload: Uint8Array } | { ok: false; reason: string };

/** Splits a byte stream into SAPIENT frames. */
export interface SapientFramer {
  /**
   * Takes the next chunk of the stream (any size: partial frames are kept until complete,
   * several frames in one chunk are all returned). Never throws. After a frame longer than the
   * maximum, the stream cannot be resynchronised: that error is returned and the framer stays
   * failed (every later push returns the same error); the transport should close the connection.
   */
  push(chunk: Uint8Array): SapientFrame[];
  /** Bytes held for an incomplete frame. */
  readonly buffered: number;
  /** The framing error, once failed. */
  readonly error: string | undefined;
}

/** Options of {@link createSapientFramer}. */
export interface SapientFramerOptions {
  /** Largest payload accepted (bytes). Default 1 MiB. */
  maxFrameBytes?: number;
}

/** Default of {@link SapientFramerOptions.maxFrameBytes} (bytes). */
export const DEFAULT_SAPIENT_MAX_FRAME = 1 << 20;

/** Creates a {@link SapientFramer}. */
export function createSapientFramer(opts: SapientFramerOptions = {}): SapientFramer {
  const max = opts.maxFrameBytes ?? DEFAULT_SAPIENT_MAX_FRAME;
  if (!Number.isInteger(max) || max < 1 || max > 0xffffffff) throw new RangeError(`maxFrameBytes must be an integer within [1, 2^32 - 1], got ${max}`);
  let buf = new Uint8Array(0);
  let error: string | undefined;
  return {
    push(chunk: Uint8Array): SapientFrame[] {
      if (error !== undefined) return [{ ok: false, reason: error }];
      if (!(chunk instanceof Uint8Array)) return [{ ok: false, reason: `a chunk must be a Uint8Array, got ${typeof chunk}` }];
      if (chunk.length === 0) return [];
      const all = new Uint8Array(buf.length + chunk.length);
      all.set(buf, 0);
      all.set(chunk, buf.length);
      const out: SapientFrame[] = [];
      let pos = 0;
      while (all.length - pos >= 4) {
        const len = (all[pos]! | (all[pos + 1]! << 8) | (all[pos + 2]! << 16)) + all[pos + 3]! * 0x1000000;
        if (len > max) {
          error = `SAPIENT frame of ${len} bytes is larger than the maximum of ${max} bytes; the stream cannot be resynchronised`;
          out.push({ ok: false, reason: error });
          buf = new Uint8Array(0);
          return out;
        }
        if (all.length - pos - 4 < len) break;
        out.push({ ok: true, payload: all.slice(pos + 4, pos + 4 + len) });
        pos += 4 + len;
      }
      buf = all.slice(pos);
      return out;
    },
    get buffered(): number {
      return buf.length;
    },
    get error(): string | undefined {
      return error;
    },
  };
}

/** Prefixes an encoded SapientMessage with its 4-byte little-endian length. */
export function frameSapient(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  const n = payload.length;
  out[0] = n & 0xff;
  out[1] = (n >>> 8) & 0xff;
  out[2] = (n >>> 16) & 0xff;
  out[3] = (n >>> 24) & 0xff;
  out.set(payload, 4);
  return out;
}
