/**
 * ASTERIX CAT048 (monoradar target reports) decoder, after EUROCONTROL-SPEC-0149-4 editions
 * 1.21 to 1.31 (the UAP and the item lengths are the same in these). Never throws on bad input:
 * every read is checked against the end of its data block. Every item of the UAP is read by
 * its length rule; the items a plot needs are decoded (I048/010, 140, 020, 040, 070, 090, 110,
 * 130, 220, 161, 170, 120 CAL), the others are skipped. A record that cannot be read ends its
 * data block (the next record's start is unknown) but the records before it and the other
 * blocks of the datagram are still returned; a record whose bytes are sound but whose values
 * are not is left out alone. Each problem names the block's offset, the record and the item.
 */
import { ByteReader } from './bytes.js';
import { CAT062_TIME_LSB_S, FT } from './cat062.js';
import { NM } from './cat048.js';
import { fixedItem as fixed, readBitmap, resolveTimeOfDay, skipItem, splitAsterixBlocks, type AsterixBlock, type ItemRule } from './items.js';

export const CAT048 = 48;

/** One decoded CAT048 target report; SI units, angles in degrees. */
export interface Cat048Record {
  /** Items present, in UAP order, as `I048/040` etc. */
  items: string[];
  sac?: number;
  sic?: number;
  /** I048/140: seconds since midnight UTC. */
  timeOfDayS?: number;
  /** Epoch seconds, when a reference time was given (the day that puts it nearest). */
  t?: number;
  /** I048/020. */
  descriptor?: { typ: number; sim: boolean; rdp: boolean; spi: boolean; rab: boolean; tst?: boolean; err?: boolean; xpp?: boolean; me?: boolean; mi?: boolean; foeFri?: number };
  /** I048/040 slant range (m) and azimuth (degrees clockwise from north). */
  rangeM?: number;
  azimuthDeg?: number;
  /** I048/070 Mode 3/A code (octal digits as a number, e.g. 0o7000), with V, G, L. */
  mode3a?: { code: number; validated: boolean; garbled: boolean };
  /** I048/090 flight level (hundreds of feet), with V (validated) and G (garbled). */
  flightLevel?: { fl: number; validated: boolean; garbled: boolean };
  /** I048/110 height measured by a 3D radar (m). */
  height3dM?: number;
  /** I048/120 CAL: calculated Doppler speed (m/s), when valid. */
  dopplerMps?: number;
  /** I048/130 subfields present (SRL, SRR, SAM, PRL, PAM, RPD, APD), raw octets. */
  plotCharacteristics?: Record<string, number>;
  /** I048/220 24-bit ICAO aircraft address. */
  aircraftAddress?: number;
  /** I048/161 track number (12 bits). */
  trackNumber?: number;
  /** I048/170. */
  trackStatus?: { confirmed: boolean; rad: number; dou: boolean; mah: boolean; cdm: number; tre?: boolean; gho?: boolean };
}

/** Result of {@link decodeCat048}: every record that could be read, and one reason per problem. */
export interface Cat048DecodeResult {
  records: Cat048Record[];
  errors: string[];
  /** Data blocks of other categories, skipped. */
  otherBlocks: number;
  /** Set when `maxRecords` stopped the decoding with bytes of the block left. */
  truncated?: boolean;
}

export interface Cat048DecodeOptions {
  /** A time (s since the Unix epoch) near the data, to turn I048/140 into epoch seconds (`t`). */
  referenceTime?: number;
  /** Decode at most this many records of a block ({@link decodeCat048Block}); the rest is left unread (`truncated`). */
  maxRecords?: number;
}

/** FRN (1-based) -> item and length rule, CAT048 UAP (editions 1.21-1.31). */
const UAP: [string, ItemRule][] = [
  ['I048/010', fixed(2)],
  ['I048/140', fixed(3)],
  ['I048/020', { kind: 'ext', first: 1, ext: 1 }],
  ['I048/040', fixed(4)],
  ['I048/070', fixed(2)],
  ['I048/090', fixed(2)],
  // SRL SRR SAM PRL PAM RPD APD: one octet each
  ['I048/130', { kind: 'compound', sub: [1, 1, 1, 1, 1, 1, 1] }],
  ['I048/220', fixed(3)],
  ['I048/240', fixed(6)],
  ['I048/250', { kind: 'rep', len: 8 }],
  ['I048/161', fixed(2)],
  ['I048/042', fixed(4)],
  ['I048/200', fixed(4)],
  ['I048/170', { kind: 'ext', first: 1, ext: 1 }],
  ['I048/210', fixed(4)],
  ['I048/030', { kind: 'ext', first: 1, ext: 1 }],
  ['I048/080', fixed(2)],
  ['I048/100', fixed(4)],
  ['I048/110', fixed(2)],
  // CAL (2 octets), RDS (REP, then 6 octets each)
  ['I048/120', { kind: 'compound', sub: [2, { rep: 6 }] }],
  ['I048/230', fixed(2)],
  ['I048/260', fixed(7)],
  ['I048/055', fixed(1)],
  ['I048/050', fixed(2)],
  ['I048/065', fixed(1)],
  ['I048/060', fixed(2)],
  ['I048/SP', { kind: 'explicit' }],
  ['I048/RE', { kind: 'explicit' }],
];

const PLOT_CHARACTERISTICS = ['SRL', 'SRR', 'SAM', 'PRL', 'PAM', 'RPD', 'APD'];

/** Signed value of the low `bits` bits of `v`. */
function signed(v: number, bits: number): number {
  const m = v & ((1 << bits) - 1);
  return m >= 1 << (bits - 1) ? m - (1 << bits) : m;
}

/** Decodes one record at `r.pos`; `fatal`: the record's end is unknown. */
function decodeRecord(r: ByteReader, ref: number | undefined): { rec: Cat048Record } | { fatal: string } | { bad: string } {
  const fspec = readBitmap(r, 4, 'FSPEC');
  if (typeof fspec === 'string') return { fatal: fspec };
  if (fspec.length === 0) return { fatal: 'empty FSPEC (no items)' };
  const rec: Cat048Record = { items: [] };
  let bad: string | undefined;
  for (const i of fspec) {
    const entry = UAP[i];
    if (entry === undefined) return { fatal: `the FSPEC sets FRN ${i + 1}, beyond the UAP` };
    const [name, rule] = entry;
    const start = r.pos;
    const subs = new Map<number, number>();
    const err = skipItem(r, name, rule, subs);
    if (err !== undefined) return { fatal: err };
    rec.items.push(name);
    const v = new ByteReader(r.bytes, start, r.pos);
    switch (name) {
      case 'I048/010':
        rec.sac = v.u8();
        rec.sic = v.u8();
        break;
      case 'I048/140': {
        const raw = v.uint(3);
        rec.timeOfDayS = raw * CAT062_TIME_LSB_S;
        if (raw >= 86400 * 128) bad ??= `I048/140 time of day ${rec.timeOfDayS} s is not within a day`;
        else if (ref !== undefined) rec.t = resolveTimeOfDay(rec.timeOfDayS, ref);
        break;
      }
      case 'I048/020': {
        const o1 = v.u8();
        const d: NonNullable<Cat048Record['descriptor']> = { typ: o1 >> 5, sim: (o1 & 0x10) !== 0, rdp: (o1 & 0x08) !== 0, spi: (o1 & 0x04) !== 0, rab: (o1 & 0x02) !== 0 };
        if (v.has(1)) {
          const o2 = v.u8();
          d.tst = (o2 & 0x80) !== 0;
          d.err = (o2 & 0x40) !== 0;
          d.xpp = (o2 & 0x20) !== 0;
          d.me = (o2 & 0x10) !== 0;
          d.mi = (o2 & 0x08) !== 0;
          d.foeFri = (o2 >> 1) & 3;
        }
        rec.descriptor = d;
        break;
      }
      case 'I048/040':
        rec.rangeM = (v.uint(2) / 256) * NM;
        rec.azimuthDeg = (v.uint(2) * 360) / 65536;
        break;
      case 'I048/070': {
        const w = v.uint(2);
        rec.mode3a = { code: w & 0x0fff, validated: (w & 0x8000) === 0, garbled: (w & 0x4000) !== 0 };
        break;
      }
      case 'I048/090': {
        const w = v.uint(2);
        rec.flightLevel = { fl: signed(w, 14) / 4, validated: (w & 0x8000) === 0, garbled: (w & 0x4000) !== 0 };
        break;
      }
      case 'I048/110':
        rec.height3dM = signed(v.uint(2), 14) * 25 * FT;
        break;
      case 'I048/120': {
        const cal = subs.get(0);
        if (cal !== undefined) {
          const w = (r.bytes[cal]! << 8) | r.bytes[cal + 1]!;
          if ((w & 0x8000) === 0) rec.dopplerMps = signed(w, 10);
        }
        break;
      }
      case 'I048/130': {
        const pc: Record<string, number> = {};
        for (const [k, at] of subs) pc[PLOT_CHARACTERISTICS[k]!] = r.bytes[at]!;
        rec.plotCharacteristics = pc;
        break;
      }
      case 'I048/220':
        rec.aircraftAddress = v.uint(3);
        break;
      case 'I048/161':
        rec.trackNumber = v.uint(2) & 0x0fff;
        break;
      case 'I048/170': {
        const o1 = v.u8();
        const s: NonNullable<Cat048Record['trackStatus']> = { confirmed: (o1 & 0x80) === 0, rad: (o1 >> 5) & 3, dou: (o1 & 0x10) !== 0, mah: (o1 & 0x08) !== 0, cdm: (o1 >> 1) & 3 };
        if (v.has(1)) {
          const o2 = v.u8();
          s.tre = (o2 & 0x80) !== 0;
          s.gho = (o2 & 0x40) !== 0;
        }
        rec.trackStatus = s;
        break;
      }
    }
  }
  return bad !== undefined ? { bad } : { rec };
}

/**
 * Decodes the records of one CAT048 data block found by {@link splitAsterixBlocks} in `bytes`
 * (`otherBlocks` is 0). A record that cannot be framed ends the block; a record whose values are
 * bad is left out alone.
 */
export function decodeCat048Block(bytes: Uint8Array, block: AsterixBlock, opts: Cat048DecodeOptions = {}): Cat048DecodeResult {
  const out: Cat048DecodeResult = { records: [], errors: [], otherBlocks: 0 };
  const ref = opts.referenceTime !== undefined && Number.isFinite(opts.referenceTime) ? opts.referenceTime : undefined;
  if (block.end === block.start) {
    out.errors.push(`data block at offset ${block.offset}: a CAT048 block with no records`);
    return out;
  }
  const r = new ByteReader(bytes, block.start, block.end);
  const max = opts.maxRecords ?? Infinity;
  for (let n = 1; r.left > 0; n++) {
    if (n > max) {
      out.truncated = true;
      break;
    }
    const d = decodeRecord(r, ref);
    if ('rec' in d) out.records.push(d.rec);
    else if ('bad' in d) out.errors.push(`data block at offset ${block.offset}, record ${n}: ${d.bad}`);
    else {
      out.errors.push(`data block at offset ${block.offset}, record ${n}: ${d.fatal}`);
      break;
    }
  }
  return out;
}

/**
 * Decodes the CAT048 records of a buffer of ASTERIX data blocks (one UDP datagram, or several
 * blocks back to back); blocks of other categories are counted and skipped.
 */
export function decodeCat048(bytes: Uint8Array, opts: Cat048DecodeOptions = {}): Cat048DecodeResult {
  const out: Cat048DecodeResult = { records: [], errors: [], otherBlocks: 0 };
  if (!(bytes instanceof Uint8Array)) {
    out.errors.push('input must be a Uint8Array');
    return out;
  }
  const { blocks, error } = splitAsterixBlocks(bytes);
  for (const b of blocks) {
    if (b.cat !== CAT048) {
      out.otherBlocks++;
      continue;
    }
    const d = decodeCat048Block(bytes, b, opts);
    out.records.push(...d.records);
    out.errors.push(...d.errors);
  }
  if (error !== undefined) out.errors.push(error);
  return out;
}
