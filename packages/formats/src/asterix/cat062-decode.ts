/**
 * ASTERIX data block reader and CAT062 record decoder (editions 1.17 to 1.19), for round
 * trips and for reading another tracker's output. Never throws on bad input: every read is
 * checked against the end of its data block, and the result names the block, the record, the
 * item and what was wrong. Items are decoded fully for the set the encoder writes
 * ({@link encodeCat062Record}: with I062/245 and the I062/080 SDS and PFT bits), I062/380 ADR, I062/500 APC and ATV, and I062/136 and
 * I062/135; every other item of the UAP (I062/390 and the FX-extended and repetitive subfields
 * of I062/380 included) is skipped by its length rule.
 */
import { ByteReader } from './bytes.js';
import { fixedItem, readBitmap, resolveTimeOfDay, skipItem, splitAsterixBlocks, type AsterixBlock, type ItemRule } from './items.js';
import { CAT062, CAT062_ALTITUDE_LSB_FT, CAT062_CARTESIAN_LSB_M, CAT062_LATLON_LSB_DEG, CAT062_TIME_LSB_S, CAT062_VELOCITY_LSB_MPS, FT, ICAO_6BIT_ALPHABET, type Cat062Movement, type Cat062Status, type Cat062TargetId } from './cat062.js';

/** One decoded CAT062 record; values in SI units (degrees for latitude and longitude). */
export interface Cat062Record {
  /** Items present, in UAP order, as `I062/105` etc. */
  items: string[];
  sac?: number;
  sic?: number;
  serviceId?: number;
  /** I062/070: seconds since midnight UTC. */
  timeOfDayS?: number;
  /** Epoch seconds, when a reference time was given to the decoder (the day nearest to it). */
  t?: number;
  latDeg?: number;
  lonDeg?: number;
  /** I062/100 (m). */
  cartesian?: { x: number; y: number };
  /** I062/185 (m/s). */
  ve?: number;
  vn?: number;
  trackNumber?: number;
  status?: Cat062Status;
  movement?: Cat062Movement;
  /** I062/130 geometric altitude (m). */
  altM?: number;
  /** I062/136 measured flight level (FL, hundreds of feet). */
  measuredFlightLevel?: number;
  /** I062/135 calculated barometric altitude (FL). */
  barometricFlightLevel?: number;
  /** I062/220 (m/s). */
  vu?: number;
  /** I062/290 TRK (s). */
  ageS?: number;
  /** I062/380 ADR: the 24-bit ICAO aircraft address. */
  targetAddress?: number;
  /** I062/245: STI and the 8 characters as sent (trailing spaces kept). */
  targetId?: Cat062TargetId;
  /** I062/500 APC (m, one sigma of x and y) and ATV (m/s, of vx and vy) when present. */
  accuracy?: { xSdM: number; ySdM: number; vxSdMps?: number; vySdMps?: number };
}

/**
 * Result of {@link decodeCat062}: every record that could be read, and the first error.
 * `warnings`: problems in a record that was kept (an I062/245 with a character outside the
 * ICAO alphabet: the record is kept without `targetId`).
 */
export type Cat062DecodeResult =
  | { ok: true; records: Cat062Record[]; /** Data blocks of other categories, skipped. */ otherBlocks: number; warnings: string[] }
  | { ok: false; reason: string; records: Cat062Record[]; otherBlocks: number; warnings: string[] };

/** Result of {@link decodeCat062Block}: the records read, one reason per record left out (a record that cannot be framed ends the block), and the warnings of records kept. */
export interface Cat062BlockResult {
  records: Cat062Record[];
  errors: string[];
  warnings: string[];
  /** Set when `maxRecords` stopped the decoding with bytes of the block left. */
  truncated?: boolean;
}

/** Options of {@link decodeCat062}. */
export interface Cat062DecodeOptions {
  /** A time (s since the Unix epoch) near the data, to turn I062/070 into epoch seconds (`t`). */
  referenceTime?: number;
  /** Decode at most this many records of a block ({@link decodeCat062Block}); the rest is left unread (`truncated`). */
  maxRecords?: number;
}

type Rule = ItemRule;
const fixed = fixedItem;
/** FRN (1-based) -> item name and length rule, CAT062 UAP editions 1.17-1.19. */
const UAP: [string, Rule][] = [
  ['I062/010', fixed(2)],
  ['spare', { kind: 'spare' }],
  ['I062/015', fixed(1)],
  ['I062/070', fixed(3)],
  ['I062/105', fixed(8)],
  ['I062/100', fixed(6)],
  ['I062/185', fixed(4)],
  ['I062/210', fixed(2)],
  ['I062/060', fixed(2)],
  ['I062/245', fixed(7)],
  // ADR ID MHG IAS TAS SAL FSS | TIS TID COM SAB ACS BVR GVR | RAN TAR TAN GSP VUN MET EMC | POS GAL PUN MB IAR MAC BPS
  // TIS: 1 octet and FX extents (NAV NVB spare FX); TID: REP, then 15-octet trajectory change
  // points (TCA NC TCPN, ALT 16, LAT 24, LON 24, PT TD TRA TOA, TOV 24, TTR 16 bits); MB: REP, then 8-octet Mode S BDS registers
  ['I062/380', { kind: 'compound', sub: [3, 6, 2, 2, 2, 2, 2, { ext: 1 }, { rep: 15 }, 2, 2, 7, 2, 2, 2, 2, 2, 2, 1, 8, 1, 6, 2, 1, { rep: 8 }, 2, 2, 2] }],
  ['I062/040', fixed(2)],
  ['I062/080', { kind: 'ext', first: 1, ext: 1 }],
  // TRK PSR SSR MDS ADS ES VDL | UAT LOP MLT
  ['I062/290', { kind: 'compound', sub: [1, 1, 1, 1, 2, 1, 1, 1, 1, 1] }],
  ['I062/200', fixed(1)],
  // MFL MD1 MD2 MDA MD4 MD5 MHG | IAS TAS SAL FSS TID COM SAB | ACS BVR GVR RAN TAR TAN GSP | VUN MET EMC POS GAL PUN MB | IAR MAC BPS
  ['I062/295', { kind: 'compound', sub: Array<number>(31).fill(1) }],
  ['I062/136', fixed(2)],
  ['I062/130', fixed(2)],
  ['I062/135', fixed(2)],
  ['I062/220', fixed(2)],
  // flight plan related data: TAG CSN IFI FCT TAC WTC DEP | DST RDS CFL CTL TOD AST STS | STD STA PEM PEC
  // (TOD: REP, then 4-octet times of departure/arrival; PEM: 3 spare bits, V, 12-bit Mode 3/A code)
  ['I062/390', { kind: 'compound', sub: [2, 7, 4, 1, 4, 1, 4, 4, 3, 2, 2, { rep: 4 }, 6, 1, 7, 7, 2, 7] }],
  ['I062/270', { kind: 'ext', first: 1, ext: 1 }],
  ['I062/300', fixed(1)],
  // SUM PMN POS GA EM1 TOS XP
  ['I062/110', { kind: 'compound', sub: [1, 4, 6, 2, 2, 1, 1] }],
  ['I062/120', fixed(2)],
  ['I062/510', { kind: 'ext', first: 3, ext: 3 }],
  // APC COV APW AGA ABA ATV AA ARC
  ['I062/500', { kind: 'compound', sub: [4, 2, 4, 1, 1, 2, 2, 1] }],
  // SID POS HEI MDC MDA TYP
  ['I062/340', { kind: 'compound', sub: [2, 4, 2, 2, 2, 1] }],
  ['spare', { kind: 'spare' }],
  ['spare', { kind: 'spare' }],
  ['spare', { kind: 'spare' }],
  ['spare', { kind: 'spare' }],
  ['spare', { kind: 'spare' }],
  ['I062/RE', { kind: 'explicit' }],
  ['I062/SP', { kind: 'explicit' }],
];

/** Decodes one record at `r.pos`; returns the record or a reason. Problems in a record kept are added to `warnings`. */
function decodeRecord(r: ByteReader, ref: number | undefined, warnings: string[]): Cat062Record | string | { bad: string } {
  /** A value out of range in an item read whole: the record is left out, the next one can still be found. */
  let bad: string | undefined;
  const fspec = readBitmap(r, 5, 'FSPEC');
  if (typeof fspec === 'string') return fspec;
  if (fspec.length === 0) return 'empty FSPEC (no items)';
  const rec: Cat062Record = { items: [] };
  for (const i of fspec) {
    const entry = UAP[i];
    if (entry === undefined) return `the FSPEC sets FRN ${i + 1}, beyond the UAP`;
    const [name, rule] = entry;
    const start = r.pos;
    const subs = new Map<number, number>();
    const err = skipItem(r, name, rule, subs);
    if (err !== undefined) return err;
    rec.items.push(name);
    const v = new ByteReader(r.bytes, start, r.pos);
    switch (name) {
      case 'I062/010':
        rec.sac = v.u8();
        rec.sic = v.u8();
        break;
      case 'I062/015':
        rec.serviceId = v.u8();
        break;
      case 'I062/070': {
        const raw = v.uint(3);
        rec.timeOfDayS = raw * CAT062_TIME_LSB_S;
        if (raw >= 86400 * 128) bad ??= `I062/070 time of day ${rec.timeOfDayS} s is not within a day`;
        else if (ref !== undefined) rec.t = resolveTimeOfDay(rec.timeOfDayS, ref);
        break;
      }
      case 'I062/105':
        rec.latDeg = v.int(4) * CAT062_LATLON_LSB_DEG;
        rec.lonDeg = v.int(4) * CAT062_LATLON_LSB_DEG;
        if (!(rec.latDeg >= -90 && rec.latDeg <= 90)) bad ??= `I062/105 latitude ${rec.latDeg} is outside [-90, 90]`;
        else if (!(rec.lonDeg >= -180 && rec.lonDeg < 180)) bad ??= `I062/105 longitude ${rec.lonDeg} is outside [-180, 180)`;
        break;
      case 'I062/100':
        rec.cartesian = { x: v.int(3) * CAT062_CARTESIAN_LSB_M, y: v.int(3) * CAT062_CARTESIAN_LSB_M };
        break;
      case 'I062/185':
        rec.ve = v.int(2) * CAT062_VELOCITY_LSB_MPS;
        rec.vn = v.int(2) * CAT062_VELOCITY_LSB_MPS;
        break;
      case 'I062/040':
        rec.trackNumber = v.uint(2);
        break;
      case 'I062/080': {
        const o1 = v.u8();
        const st: Cat062Status = {
          monosensor: (o1 & 0x80) !== 0,
          spi: (o1 & 0x40) !== 0,
          geometricAltitudeMoreReliable: (o1 & 0x20) !== 0,
          altitudeSource: (o1 >> 2) & 7,
          tentative: (o1 & 0x02) !== 0,
          simulated: false,
          first: false,
          last: false,
          coasting: false,
        };
        // the extents present (FX-chained): 2 SIM TSE TSB…, 3 AMA MD4…, 4 CST…, 5 SDS EMS PFT FPLT
        const ext: number[] = [];
        while (v.has(1)) ext.push(v.u8());
        const o2 = ext[0];
        if (o2 !== undefined) {
          st.simulated = (o2 & 0x80) !== 0;
          st.last = (o2 & 0x40) !== 0;
          st.first = (o2 & 0x20) !== 0;
        }
        if (ext[2] !== undefined) st.coasting = (ext[2] & 0x80) !== 0;
        const o5 = ext[3];
        if (o5 !== undefined) {
          st.sources = o5 >> 6;
          st.potentiallyFalse = (o5 & 0x04) !== 0;
        }
        rec.status = st;
        break;
      }
      case 'I062/290': {
        // TRK is the first subfield, after the whole primary subfield (one or two octets)
        const trk = subs.get(0);
        if (trk !== undefined) rec.ageS = r.bytes[trk]! * 0.25;
        break;
      }
      case 'I062/200': {
        const m = v.u8();
        rec.movement = { trans: (m >> 6) & 3, long: (m >> 4) & 3, vert: (m >> 2) & 3, adf: (m & 2) !== 0 };
        break;
      }
      case 'I062/136':
        rec.measuredFlightLevel = v.int(2) / 4;
        break;
      case 'I062/130':
        rec.altM = v.int(2) * CAT062_ALTITUDE_LSB_FT * FT;
        break;
      case 'I062/135': {
        const raw = v.uint(2) & 0x7fff;
        rec.barometricFlightLevel = (raw >= 0x4000 ? raw - 0x8000 : raw) / 4;
        break;
      }
      case 'I062/220':
        rec.vu = (v.int(2) * CAT062_ALTITUDE_LSB_FT * FT) / 60;
        break;
      case 'I062/245': {
        const sti = v.u8() >> 6;
        let chars = '';
        let bits = 0;
        let acc = 0;
        /** The first character outside the ICAO alphabet (not checked when STI is 3, invalid). */
        let wrong: string | undefined;
        for (let k = 0; k < 6; k++) {
          acc = (acc << 8) | v.u8();
          bits += 8;
          while (bits >= 6) {
            bits -= 6;
            const code = (acc >> bits) & 0x3f;
            const ch = ICAO_6BIT_ALPHABET[code]!;
            if (ch === '' && sti !== 3) wrong ??= `I062/245 character ${chars.length + 1} has code ${code}, which the ICAO 6-bit alphabet (A-Z, 0-9, space) does not use: the record is kept without its identification`;
            chars += ch === '' ? ' ' : ch;
          }
          acc &= (1 << bits) - 1;
        }
        // a bad identification never costs the record its position
        if (wrong === undefined) rec.targetId = { sti, chars };
        else warnings.push(wrong);
        break;
      }
      case 'I062/380': {
        const adr = subs.get(0);
        if (adr !== undefined) rec.targetAddress = new ByteReader(r.bytes, adr, adr + 3).uint(3);
        break;
      }
      case 'I062/500': {
        const apc = subs.get(0);
        if (apc !== undefined) {
          const a = new ByteReader(r.bytes, apc, apc + 4);
          rec.accuracy = { xSdM: a.uint(2) * 0.5, ySdM: a.uint(2) * 0.5 };
          const atv = subs.get(5);
          if (atv !== undefined) {
            rec.accuracy.vxSdMps = r.bytes[atv]! * 0.25;
            rec.accuracy.vySdMps = r.bytes[atv + 1]! * 0.25;
          }
        }
        break;
      }
    }
  }
  return bad !== undefined ? { bad } : rec;
}

/**
 * Decodes the records of one CAT062 data block found by {@link splitAsterixBlocks} in `bytes`.
 * A record that cannot be framed ends the block (the next record's start is unknown); a record
 * read whole but with a value out of range (a latitude beyond 90 degrees, a time of day past
 * midnight) is left out alone. Each reason names the block's offset, the record and the item.
 */
export function decodeCat062Block(bytes: Uint8Array, block: AsterixBlock, opts: Cat062DecodeOptions = {}): Cat062BlockResult {
  const out: Cat062BlockResult = { records: [], errors: [], warnings: [] };
  const ref = opts.referenceTime !== undefined && Number.isFinite(opts.referenceTime) ? opts.referenceTime : undefined;
  const at = `data block at offset ${block.offset}`;
  if (block.end === block.start) {
    out.errors.push(`${at}: a CAT062 block with no records`);
    return out;
  }
  const r = new ByteReader(bytes, block.start, block.end);
  const max = opts.maxRecords ?? Infinity;
  for (let n = 1; r.left > 0; n++) {
    if (n > max) {
      out.truncated = true;
      break;
    }
    const warnings: string[] = [];
    const rec = decodeRecord(r, ref, warnings);
    for (const w of warnings) out.warnings.push(`${at}, record ${n}: ${w}`);
    if (typeof rec === 'string') {
      out.errors.push(`${at}, record ${n}: ${rec}`);
      break;
    }
    // a record read whole but out of range: the records after it are still decoded
    if ('bad' in rec) out.errors.push(`${at}, record ${n}: ${rec.bad}`);
    else out.records.push(rec);
  }
  return out;
}

/**
 * Decodes a buffer of ASTERIX data blocks (one UDP datagram, or several blocks back to back).
 * CAT062 records are decoded ({@link decodeCat062Block}); blocks of other categories are
 * counted and skipped. Every record that could be read is returned; with any problem the result
 * is `ok: false` and `reason` is the first one (a bad block header ends the buffer: the blocks
 * before it are still read).
 */
export function decodeCat062(bytes: Uint8Array, opts: Cat062DecodeOptions = {}): Cat062DecodeResult {
  const records: Cat062Record[] = [];
  const warnings: string[] = [];
  let otherBlocks = 0;
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: 'input must be a Uint8Array', records, otherBlocks, warnings };
  const { blocks, error } = splitAsterixBlocks(bytes);
  const errors: string[] = [];
  for (const b of blocks) {
    if (b.cat !== CAT062) {
      otherBlocks++;
      continue;
    }
    const d = decodeCat062Block(bytes, b, opts);
    records.push(...d.records);
    errors.push(...d.errors);
    warnings.push(...d.warnings);
  }
  if (error !== undefined) errors.push(error);
  return errors.length > 0 ? { ok: false, reason: errors[0]!, records, otherBlocks, warnings } : { ok: true, records, otherBlocks, warnings };
}
