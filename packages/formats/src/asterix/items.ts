/**
 * The length rules of ASTERIX data items and the FX-chained bitmaps (FSPEC, compound primary
 * subfields), shared by the category decoders. Every read is checked against the end of the
 * data block; a problem is returned as a reason naming the item.
 */
import { ByteReader } from './bytes.js';

/** How a compound item's subfield is laid out: a fixed length, FX-extended octets, or repetitive. */
export type SubRule = number | { ext: number } | { rep: number };

/** The length rule of one data item. */
export type ItemRule =
  | { kind: 'fixed'; len: number }
  /** A first part of `first` octets, then `ext`-octet extensions while the last octet's FX bit is set. */
  | { kind: 'ext'; first: number; ext: number }
  /** One octet REP, then REP elements of `len` octets. */
  | { kind: 'rep'; len: number }
  /** Subfields, each by its rule, announced by an FX-chained primary subfield. */
  | { kind: 'compound'; sub: SubRule[] }
  | { kind: 'explicit' }
  | { kind: 'spare' };

export const fixedItem = (len: number): ItemRule => ({ kind: 'fixed', len });

/** Reads an FX-chained bitmap (FSPEC or a compound item's primary subfield); returns the set bit indexes (0-based, FX bits not counted) or a reason. */
export function readBitmap(r: ByteReader, maxOctets: number, what: string): number[] | string {
  const set: number[] = [];
  for (let o = 0; ; o++) {
    if (o >= maxOctets) return `${what} runs over ${maxOctets} octets`;
    if (!r.has(1)) return `${what} is cut off by the end of the data block`;
    const v = r.u8();
    for (let bit = 0; bit < 7; bit++) if (v & (0x80 >> bit)) set.push(o * 7 + bit);
    if ((v & 1) === 0) return set;
  }
}

function skipExt(r: ByteReader, name: string, first: number, ext: number): string | undefined {
  let len = first;
  for (let n = 0; ; n++) {
    if (n > 16) return `${name} has more than 16 extensions`;
    if (!r.has(len)) return `${name} is cut off by the end of the data block`;
    r.pos += len;
    if ((r.bytes[r.pos - 1]! & 1) === 0) return undefined;
    len = ext;
  }
}

function skipRep(r: ByteReader, name: string, len: number): string | undefined {
  if (!r.has(1)) return `${name} repetition factor is cut off by the end of the data block`;
  const n = r.u8();
  if (!r.has(n * len)) return `${name} declares ${n} repetitions of ${len} bytes, ${r.left} left in the data block`;
  r.pos += n * len;
  return undefined;
}

/**
 * Moves `r` past one item by its rule. For a compound item, `subs` (when given) receives the
 * start offset of each present subfield by index. Returns a reason on error.
 */
export function skipItem(r: ByteReader, name: string, rule: ItemRule, subs?: Map<number, number>): string | undefined {
  switch (rule.kind) {
    case 'fixed':
      if (!r.has(rule.len)) return `${name} needs ${rule.len} bytes, ${r.left} left in the data block`;
      r.pos += rule.len;
      return undefined;
    case 'ext':
      return skipExt(r, name, rule.first, rule.ext);
    case 'rep':
      return skipRep(r, name, rule.len);
    case 'compound': {
      const bits = readBitmap(r, Math.ceil(rule.sub.length / 7), `${name} primary subfield`);
      if (typeof bits === 'string') return bits;
      for (const i of bits) {
        const sub = rule.sub[i];
        if (sub === undefined) return `${name} announces subfield ${i + 1}, which the edition does not define`;
        subs?.set(i, r.pos);
        const what = `${name} subfield ${i + 1}`;
        if (typeof sub === 'number') {
          if (!r.has(sub)) return `${what} needs ${sub} bytes, ${r.left} left in the data block`;
          r.pos += sub;
        } else {
          const err = 'ext' in sub ? skipExt(r, what, sub.ext, sub.ext) : skipRep(r, what, sub.rep);
          if (err !== undefined) return err;
        }
      }
      return undefined;
    }
    case 'explicit': {
      if (!r.has(1)) return `${name} is cut off by the end of the data block`;
      const len = r.bytes[r.pos]!;
      if (len < 1) return `${name} has a length of 0`;
      if (!r.has(len)) return `${name} declares ${len} bytes, ${r.left} left in the data block`;
      r.pos += len;
      return undefined;
    }
    case 'spare':
      return `the FSPEC sets a spare bit (${name} position)`;
  }
}

/** One ASTERIX data block found in a datagram: its category and the bounds of its records. */
export interface AsterixBlock {
  cat: number;
  /** Offset of the block in the buffer. */
  offset: number;
  /** Offsets of the records' bytes [start, end) in the buffer. */
  start: number;
  end: number;
}

/**
 * Splits a buffer (one UDP datagram) into its data blocks by their LEN fields. Blocks before a
 * bad header are returned; `error` names the offset and what was wrong (the rest of the buffer
 * cannot be framed).
 */
export function splitAsterixBlocks(bytes: Uint8Array): { blocks: AsterixBlock[]; error?: string } {
  const blocks: AsterixBlock[] = [];
  if (bytes.length === 0) return { blocks, error: 'no data (0 bytes)' };
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 3) return { blocks, error: `data block at offset ${pos}: ${bytes.length - pos} bytes left, a block header needs 3` };
    const len = (bytes[pos + 1]! << 8) | bytes[pos + 2]!;
    if (len < 3) return { blocks, error: `data block at offset ${pos}: LEN ${len} is less than the 3-byte header` };
    if (pos + len > bytes.length) return { blocks, error: `data block at offset ${pos}: LEN ${len} runs past the end of the data (${bytes.length - pos} bytes left)` };
    blocks.push({ cat: bytes[pos]!, offset: pos, start: pos + 3, end: pos + len });
    pos += len;
  }
  return { blocks };
}

/**
 * The SAC and SIC of a block's first record, read from its first item when the record's FSPEC
 * has FRN 1 (I048/010, I062/010: the data source identifier) without decoding the record; null
 * when it does not, or the bytes end first. What a listener checks a block's source against
 * before it decodes the block.
 */
export function firstRecordSource(bytes: Uint8Array, block: AsterixBlock): { sac: number; sic: number } | null {
  let p = block.start;
  if (p >= block.end || (bytes[p]! & 0x80) === 0) return null;
  // the FSPEC: octets while their FX bit (the last) is set
  while (p < block.end && (bytes[p]! & 1) === 1) p++;
  p++;
  if (p + 2 > block.end) return null;
  return { sac: bytes[p]!, sic: bytes[p + 1]! };
}

/** Seconds since midnight UTC -> epoch seconds on the day that puts it nearest to `ref` (within 12 h). */
export function resolveTimeOfDay(tod: number, ref: number): number {
  const midnight = Math.floor(ref / 86400) * 86400;
  let t = midnight + tod;
  if (t - ref > 43200) t -= 86400;
  else if (ref - t > 43200) t += 86400;
  return t;
}
