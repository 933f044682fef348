/**
 * Big-endian byte writing and bounds-checked reading for ASTERIX (all ASTERIX fields are
 * big-endian, two's complement when signed).
 */

/** A growable big-endian byte writer. */
export class ByteWriter {
  private buf = new Uint8Array(64);
  private n = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.n;
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  /** Writes the low 8 bits of `v`. */
  u8(v: number): void {
    this.room(1);
    this.buf[this.n++] = v & 0xff;
  }

  /** Writes `v` as an unsigned or two's complement big-endian integer of `bytes` bytes (1..4). */
  int(v: number, bytes: number): void {
    this.room(bytes);
    for (let i = bytes - 1; i >= 0; i--) this.buf[this.n++] = Math.floor(v / 2 ** (8 * i)) & 0xff;
  }

  /** Writes raw bytes. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  /** A copy of the bytes written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** Reads big-endian fields from `bytes[pos, end)`; every read is checked against `end`. */
export class ByteReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos: number,
    readonly end: number,
  ) {
    this.pos = pos;
  }

  /** Bytes left before `end`. */
  get left(): number {
    return this.end - this.pos;
  }

  /** True when `k` more bytes are available. */
  has(k: number): boolean {
    return this.pos + k <= this.end;
  }

  u8(): number {
    return this.bytes[this.pos++]!;
  }

  /** Unsigned big-endian integer of `k` bytes (1..4); the caller checked `has(k)`. */
  uint(k: number): number {
    let v = 0;
    for (let i = 0; i < k; i++) v = v * 256 + this.bytes[this.pos++]!;
    return v;
  }

  /** Two's complement big-endian integer of `k` bytes (1..4); the caller checked `has(k)`. */
  int(k: number): number {
    const v = this.uint(k);
    const half = 2 ** (8 * k - 1);
    return v >= half ? v - 2 * half : v;
  }
}

/** Rounds `v / lsb` to an integer and clamps it to the signed range of `bits` bits. */
export function quantiseSigned(v: number, lsb: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const q = Math.round(v / lsb);
  return q > max ? max : q < -max - 1 ? -max - 1 : q;
}

/** Rounds `v / lsb` to an integer and clamps it to the unsigned range of `bits` bits. */
export function quantiseUnsigned(v: number, lsb: number, bits: number): number {
  const max = 2 ** bits - 1;
  const q = Math.round(v / lsb);
  return q > max ? max : q < 0 ? 0 : q;
}
