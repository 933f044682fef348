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
  /** Memory (bytes) the framer keeps alive for them: the whole buffers its held chunks are views of, and its gathering block. */
  readonly retained: number;
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

/** Chunks shorter than this (bytes) are copied into a block rather than held as they are. */
const SMALL_CHUNK = 1024;
/** Size of the blocks that gather small chunks (bytes). */
const SMALL_BLOCK = 16 * 1024;
const EMPTY = new Uint8Array(0);

/** Creates a {@link SapientFramer}. */
export function createSapientFramer(opts: SapientFramerOptions = {}): SapientFramer {
  const max = opts.maxFrameBytes ?? DEFAULT_SAPIENT_MAX_FRAME;
  if (!Number.isInteger(max) || max < 1 || max > 0xffffffff) throw new RangeError(`maxFrameBytes must be an integer within [1, 2^32 - 1], got ${max}`);
  // The bytes held are kept as the chunks they came in, and copied once, into the payload, when
  // a frame is complete: concatenating everything held on every push made a frame trickled in
  // small pieces cost the square of its size. Small chunks are gathered into blocks of
  // SMALL_BLOCK bytes first, so that a frame sent a byte at a time is not held as a million
  // one-byte arrays (each of them ~100 bytes of object).
  let chunks: Uint8Array[] = [];
  /** Index in `chunks` of the first chunk not wholly consumed. */
  let first = 0;
  /** Bytes of chunks[first] already consumed. */
  let head = 0;
  /** The block gathering small chunks, and its bytes used (not yet in `chunks`). */
  let block: Uint8Array | null = null;
  let blockUsed = 0;
  /** Bytes held (in `chunks` from `first` on, and in `block`). */
  let held = 0;
  /** Payload length of the frame whose header was read, or -1 while it is not. */
  let need = -1;
  let error: string | undefined;

  // What is kept must not hold much more memory than the bytes it keeps: a part-filled block, or
  // a chunk that is a small view of a larger buffer, is copied to its size (a review found a
  // sender alternating 1-byte and 1 KiB writes made each 1 KiB held cost a 16 KiB block: 17 MB
  // held for a 1 MiB frame)
  const keep = (a: Uint8Array): Uint8Array => (a.buffer.byteLength > 2 * a.length ? a.slice() : a);
  const flushBlock = (): void => {
    if (block !== null && blockUsed > 0) chunks.push(keep(block.subarray(0, blockUsed)));
    block = null;
    blockUsed = 0;
  };
  const add = (chunk: Uint8Array): void => {
    held += chunk.length;
    if (chunk.length >= SMALL_CHUNK) {
      flushBlock();
      chunks.push(keep(chunk));
      return;
    }
    if (block !== null && blockUsed + chunk.length > block.length) flushBlock();
    block ??= new Uint8Array(SMALL_BLOCK);
    block.set(chunk, blockUsed);
    blockUsed += chunk.length;
  };
  /** Takes the next `n` bytes held (n <= held) into a new array. */
  const take = (n: number): Uint8Array => {
    flushBlock();
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = chunks[first]!;
      const k = Math.min(n - o, c.length - head);
      out.set(c.subarray(head, head + k), o);
      o += k;
      head += k;
      if (head === c.length) {
        chunks[first++] = EMPTY; // let it go now
        head = 0;
      }
    }
    held -= n;
    return out;
  };

  return {
    push(chunk: Uint8Array): SapientFrame[] {
      if (error !== undefined) return [{ ok: false, reason: error }];
      if (!(chunk instanceof Uint8Array)) return [{ ok: false, reason: `a chunk must be a Uint8Array, got ${typeof chunk}` }];
      if (chunk.length === 0) return [];
      add(chunk);
      const out: SapientFrame[] = [];
      for (;;) {
        if (need < 0) {
          if (held < 4) break;
          const h = take(4);
          const len = (h[0]! | (h[1]! << 8) | (h[2]! << 16)) + h[3]! * 0x1000000;
          if (len > max) {
            error = `SAPIENT frame of ${len} bytes is larger than the maximum of ${max} bytes; the stream cannot be resynchronised`;
            out.push({ ok: false, reason: error });
            chunks = [];
            first = head = held = 0;
            block = null;
            blockUsed = 0;
            return out;
          }
          need = len;
        }
        if (held < need) break;
        out.push({ ok: true, payload: take(need) });
        need = -1;
      }
      // drop the consumed chunks' slots once per push (not per chunk: shifting an array is linear)
      if (first > 0) {
        chunks = chunks.slice(first);
        first = 0;
      }
      return out;
    },
    get buffered(): number {
      // the header of a frame being read counts as held, as before
      return held + (need >= 0 ? 4 : 0);
    },
    get retained(): number {
      let n = block?.length ?? 0;
      for (let i = first; i < chunks.length; i++) n += chunks[i]!.buffer.byteLength;
      return n;
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
