/**
 * ASTERIX Category 062 (SDPS system track data) encoder, after EUROCONTROL-SPEC-0149-9
 * (ASTERIX Part 9, Category 062), editions 1.17 to 1.20 (same UAP and layouts for the items used here; 1.20 adds the I062/080 MLAT bit, not written).
 *
 * Items written, in UAP order (FRN in brackets):
 *
 * | item | FRN | content | encoding |
 * |---|---|---|---|
 * | I062/010 | 1 | data source: SAC, SIC | 2 octets |
 * | I062/015 | 3 | service identification | 1 octet (optional) |
 * | I062/070 | 4 | time of track information | 3 octets, unsigned, LSB 1/128 s since midnight UTC |
 * | I062/105 | 5 | WGS-84 position | 2 × 4 octets, signed, LSB 180/2^25 deg |
 * | I062/100 | 6 | Cartesian position from the system reference point | 2 × 3 octets, signed, LSB 0.5 m (optional) |
 * | I062/185 | 7 | Cartesian velocity (x east, y north) | 2 × 2 octets, signed, LSB 0.25 m/s |
 * | I062/245 | 10 | target identification: STI and 8 characters of the ICAO 6-bit alphabet | 7 octets (optional) |
 * | I062/040 | 12 | track number | 2 octets, 0..65535 |
 * | I062/080 | 13 | track status | 2 octets (4 when coasting, 5 with SDS or PFT): MON SPI MRH SRC CNF / SIM TSE TSB … / … / CST … / SDS EMS PFT … |
 * | I062/290 | 14 | system track update ages: TRK track age | compound, 1 octet, LSB 1/4 s, max 63.75 s (optional) |
 * | I062/200 | 15 | mode of movement: TRANS LONG VERT ADF | 1 octet |
 * | I062/130 | 18 | calculated track geometric altitude (above the WGS-84 ellipsoid) | 2 octets, signed, LSB 6.25 ft (when the altitude is known) |
 * | I062/220 | 20 | calculated rate of climb/descent | 2 octets, signed, LSB 6.25 ft/min (when the vertical speed is known) |
 *
 * I062/136 (measured flight level) is deliberately not written: it carries a barometric Mode C
 * flight level measured by a sensor, and Skywarden's altitude is geometric (a height above the
 * WGS-84 ellipsoid estimated from acoustic, optical and radar plots), which is what I062/130 is
 * for; I062/080 SRC says where it came from.
 *
 * Values beyond an item's range saturate (the standard reads a maximum as "maximum or above"),
 * except positions: a latitude or longitude out of range is a programmer error and throws; an
 * I062/100 position beyond ±4194 km is left out.
 */
import { ByteWriter, quantiseSigned, quantiseUnsigned } from './bytes.js';

/** Category number of system track data. */
export const CAT062 = 62;

/** LSB of I062/105 latitude and longitude (degrees). */
export const CAT062_LATLON_LSB_DEG = 180 / 2 ** 25;
/** LSB of I062/070 (s). */
export const CAT062_TIME_LSB_S = 1 / 128;
/** LSB of I062/185 (m/s). */
export const CAT062_VELOCITY_LSB_MPS = 0.25;
/** LSB of I062/100 (m). */
export const CAT062_CARTESIAN_LSB_M = 0.5;
/** LSB of I062/130 (ft) and of I062/220 (ft/min). */
export const CAT062_ALTITUDE_LSB_FT = 6.25;
/** Metres per foot. */
export const FT = 0.3048;

/** I062/080 track status flags (all default to false / 0). */
export interface Cat062Status {
  /** MON: the track is fed by one sensor only. */
  monosensor?: boolean;
  /** SPI: special position identification. */
  spi?: boolean;
  /** MRH: the geometric altitude is more reliable than the barometric one. */
  geometricAltitudeMoreReliable?: boolean;
  /** SRC: source of I062/130: 0 none, 1 GNSS, 2 3D radar, 3 triangulation, 4 height from coverage, 5 speed look-up table, 6 default height, 7 multilateration. */
  altitudeSource?: number;
  /** CNF: a tentative (not yet confirmed) track. */
  tentative?: boolean;
  /** SIM: a simulated track. */
  simulated?: boolean;
  /** TSB: first message sent for this track. */
  first?: boolean;
  /** TSE: last message sent for this track (track end). */
  last?: boolean;
  /** CST: coasting (no update for longer than the system threshold). */
  coasting?: boolean;
  /** SDS (fifth octet): 0 combined, 1 co-operative sources only, 2 non-cooperative only, 3 not defined. */
  sources?: number;
  /** PFT (fifth octet): the SDPS's processing points to a potentially false track. */
  potentiallyFalse?: boolean;
}

/** I062/245 target identification. */
export interface Cat062TargetId {
  /** STI: 0 callsign or registration downlinked from the target, 1 callsign not downlinked from the target, 2 registration not downlinked, 3 invalid. */
  sti: number;
  /** Up to 8 characters of the ICAO 6-bit alphabet (A-Z, 0-9, space); padded with spaces to 8. */
  chars: string;
}

/** The characters of the ICAO 6-bit alphabet (Annex 10 Vol IV, 3.1.2.9): code -> character, '' for codes not used. */
export const ICAO_6BIT_ALPHABET: readonly string[] = Array.from({ length: 64 }, (_, c) =>
  c >= 1 && c <= 26 ? String.fromCharCode(64 + c) : c === 32 ? ' ' : c >= 48 && c <= 57 ? String.fromCharCode(c) : '',
);

/** Packs up to 8 characters (A-Z, 0-9, space; padded with spaces) into 48 bits, 6 octets; throws naming a character outside the alphabet. */
export function encodeIcaoChars(chars: string): Uint8Array {
  if (chars.length > 8) throw new RangeError(`an ICAO target identification has at most 8 characters, got ${JSON.stringify(chars)}`);
  const s = chars.padEnd(8, ' ');
  const out = new Uint8Array(6);
  for (let i = 0; i < 8; i++) {
    const ch = s[i]!;
    const code = ICAO_6BIT_ALPHABET.indexOf(ch);
    if (code < 0 || ch === '') throw new RangeError(`character ${i + 1} of ${JSON.stringify(chars)} (${JSON.stringify(ch)}) is not in the ICAO 6-bit alphabet (A-Z, 0-9, space)`);
    // 6 bits at bit offset 6i of the 48
    const bit = 6 * i;
    for (let b = 0; b < 6; b++) if (code & (0x20 >> b)) out[(bit + b) >> 3]! |= 0x80 >> ((bit + b) & 7);
  }
  return out;
}

/** I062/200 mode of movement: each 0..3 as the standard defines (3 = undetermined). */
export interface Cat062Movement {
  /** 0 constant course, 1 right turn, 2 left turn, 3 undetermined. */
  trans: number;
  /** 0 constant groundspeed, 1 increasing, 2 decreasing, 3 undetermined. */
  long: number;
  /** 0 level, 1 climb, 2 descent, 3 undetermined. */
  vert: number;
  /** ADF: altitude discrepancy. */
  adf?: boolean;
}

/** One system track to encode (SI units, degrees for latitude and longitude). */
export interface Cat062Track {
  /** System area code (0..255). */
  sac: number;
  /** System identification code (0..255). */
  sic: number;
  /** I062/015 service identification (0..255), if any. */
  serviceId?: number;
  /** Time of the track information, seconds since the Unix epoch (UTC). */
  t: number;
  latDeg: number;
  lonDeg: number;
  /** I062/100 position from the system reference point (m, x east, y north), if wanted. */
  cartesian?: { x: number; y: number };
  /** Velocity east and north (m/s). */
  ve: number;
  vn: number;
  /** Vertical speed (m/s, up positive), if known: I062/220 and I062/200 VERT. */
  vu?: number;
  /** Track number (0..65535). */
  trackNumber: number;
  status?: Cat062Status;
  /** I062/200; default derived from `vu` (VERT) with TRANS and LONG undetermined. */
  movement?: Cat062Movement;
  /** Height above the WGS-84 ellipsoid (m), if known: I062/130. */
  altM?: number;
  /** Time since the track began (s), if known: I062/290 TRK. */
  ageS?: number;
  /** I062/500 estimated accuracies (one-sigma): APC, position per Cartesian axis (m); ATV, velocity per axis (m/s), when known. */
  accuracy?: { positionSdM: number; velocitySdMps?: number };
  /** I062/380 ADR: the 24-bit ICAO address of a cooperative aircraft (ADS-B), when known. */
  targetAddress?: number;
  /** I062/245 target identification, if any. */
  targetId?: Cat062TargetId;
}

/** Vertical speed (m/s) below which a track counts as level in I062/200. */
export const LEVEL_VU_MPS = 1;

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} must be an integer within [0, 255], got ${v}`);
}

/** Writes an FSPEC for the set FRNs (1-based) and returns nothing; bits 8..2 are FRNs, bit 1 FX. */
function writeFspec(w: ByteWriter, frns: number[]): void {
  const max = frns.length === 0 ? 1 : Math.max(...frns);
  const octets = Math.ceil(max / 7);
  const f = new Uint8Array(octets);
  for (const frn of frns) f[Math.floor((frn - 1) / 7)]! |= 0x80 >> (frn - 1) % 7;
  for (let i = 0; i < octets - 1; i++) f[i]! |= 1;
  w.bytes(f);
}

/** Seconds since midnight UTC of an epoch time (leap seconds ignored, as POSIX time). */
export function timeOfDay(t: number): number {
  const d = t % 86400;
  return d < 0 ? d + 86400 : d;
}

/** Encodes one CAT062 record (FSPEC and items, without the data block header). */
export function encodeCat062Record(trk: Cat062Track): Uint8Array {
  checkByte('sac', trk.sac);
  checkByte('sic', trk.sic);
  if (trk.serviceId !== undefined) checkByte('serviceId', trk.serviceId);
  if (!Number.isInteger(trk.trackNumber) || trk.trackNumber < 0 || trk.trackNumber > 65535) {
    throw new RangeError(`trackNumber must be an integer within [0, 65535], got ${trk.trackNumber}`);
  }
  if (!Number.isFinite(trk.t)) throw new RangeError(`t must be a finite number, got ${trk.t}`);
  if (!(trk.latDeg >= -90 && trk.latDeg <= 90)) throw new RangeError(`latDeg must be within [-90, 90], got ${trk.latDeg}`);
  if (!(trk.lonDeg >= -180 && trk.lonDeg <= 180)) throw new RangeError(`lonDeg must be within [-180, 180], got ${trk.lonDeg}`);
  if (!Number.isFinite(trk.ve) || !Number.isFinite(trk.vn)) throw new RangeError(`ve and vn must be finite, got ${trk.ve}, ${trk.vn}`);
  const st = trk.status ?? {};
  const src = st.altitudeSource ?? 0;
  if (!Number.isInteger(src) || src < 0 || src > 7) throw new RangeError(`altitudeSource must be an integer within [0, 7], got ${src}`);

  const frns: number[] = [];
  const body = new ByteWriter();
  // FRN 1: I062/010
  frns.push(1);
  body.u8(trk.sac);
  body.u8(trk.sic);
  // FRN 3: I062/015
  if (trk.serviceId !== undefined) {
    frns.push(3);
    body.u8(trk.serviceId);
  }
  // FRN 4: I062/070, wrapping to 0 at midnight
  frns.push(4);
  body.int(Math.round(timeOfDay(trk.t) / CAT062_TIME_LSB_S) % (86400 * 128), 3);
  // FRN 5: I062/105 (longitude 180 is written as -180, the item's range being [-180, 180))
  frns.push(5);
  body.int(quantiseSigned(trk.latDeg, CAT062_LATLON_LSB_DEG, 32), 4);
  body.int(quantiseSigned(trk.lonDeg >= 180 ? trk.lonDeg - 360 : trk.lonDeg, CAT062_LATLON_LSB_DEG, 32), 4);
  // FRN 6: I062/100
  const c = trk.cartesian;
  const cMax = 2 ** 23 * CAT062_CARTESIAN_LSB_M;
  if (c !== undefined && Math.abs(c.x) < cMax && Math.abs(c.y) < cMax) {
    frns.push(6);
    body.int(quantiseSigned(c.x, CAT062_CARTESIAN_LSB_M, 24), 3);
    body.int(quantiseSigned(c.y, CAT062_CARTESIAN_LSB_M, 24), 3);
  }
  // FRN 7: I062/185
  frns.push(7);
  body.int(quantiseSigned(trk.ve, CAT062_VELOCITY_LSB_MPS, 16), 2);
  body.int(quantiseSigned(trk.vn, CAT062_VELOCITY_LSB_MPS, 16), 2);
  // FRN 10: I062/245 target identification: STI in the two top bits, 6 spare bits, 8 characters
  if (trk.targetId !== undefined) {
    const sti = trk.targetId.sti;
    if (!Number.isInteger(sti) || sti < 0 || sti > 3) throw new RangeError(`targetId.sti must be an integer within [0, 3], got ${sti}`);
    const chars = encodeIcaoChars(trk.targetId.chars);
    frns.push(10);
    body.u8(sti << 6);
    body.bytes(chars);
  }
  // FRN 11: I062/380 aircraft derived data, ADR (target address) only
  if (trk.targetAddress !== undefined) {
    if (!Number.isInteger(trk.targetAddress) || trk.targetAddress < 0 || trk.targetAddress > 0xffffff) throw new RangeError(`targetAddress must be a 24-bit integer, got ${trk.targetAddress}`);
    frns.push(11);
    body.u8(0x80); // primary subfield: ADR, no extension
    body.int(trk.targetAddress, 3);
  }
  // FRN 12: I062/040
  frns.push(12);
  body.int(trk.trackNumber, 2);
  // FRN 13: I062/080
  frns.push(13);
  const b = (v: boolean | undefined, bit: number): number => (v ? 1 << bit : 0);
  const sds = st.sources;
  if (sds !== undefined && (!Number.isInteger(sds) || sds < 0 || sds > 3)) throw new RangeError(`sources (SDS) must be an integer within [0, 3], got ${sds}`);
  const fifth = sds !== undefined || st.potentiallyFalse === true;
  const ext = st.coasting === true || fifth;
  body.u8(b(st.monosensor, 7) | b(st.spi, 6) | b(st.geometricAltitudeMoreReliable, 5) | (src << 2) | b(st.tentative, 1) | 1);
  body.u8(b(st.simulated, 7) | b(st.last, 6) | b(st.first, 5) | (ext ? 1 : 0));
  if (ext) {
    body.u8(1); // AMA 0, MD4 0 and MD5 0 (no Mode 4/5 interrogation), ME 0, MI 0
    body.u8(b(st.coasting, 7) | (fifth ? 1 : 0)); // CST; PSR SSR MDS ADS SUC AAC 0
    // SDS (default 3: not defined), EMS 0 (no emergency), PFT, FPLT 0; no sixth octet
    if (fifth) body.u8(((sds ?? 3) << 6) | b(st.potentiallyFalse, 2));
  }
  // FRN 14: I062/290, TRK only
  if (trk.ageS !== undefined && Number.isFinite(trk.ageS)) {
    frns.push(14);
    body.u8(0x80);
    body.u8(quantiseUnsigned(trk.ageS, 0.25, 8));
  }
  // FRN 15: I062/200
  frns.push(15);
  let mv = trk.movement;
  if (mv === undefined) {
    const vu = trk.vu;
    const vert = vu === undefined || !Number.isFinite(vu) ? 3 : Math.abs(vu) < LEVEL_VU_MPS ? 0 : vu > 0 ? 1 : 2;
    mv = { trans: 3, long: 3, vert };
  }
  body.u8(((mv.trans & 3) << 6) | ((mv.long & 3) << 4) | ((mv.vert & 3) << 2) | b(mv.adf, 1));
  // FRN 18: I062/130 geometric altitude, range [-1500, 150000] ft
  if (trk.altM !== undefined && Number.isFinite(trk.altM)) {
    frns.push(18);
    const ft = Math.min(150000, Math.max(-1500, trk.altM / FT));
    body.int(quantiseSigned(ft, CAT062_ALTITUDE_LSB_FT, 16), 2);
  }
  // FRN 20: I062/220 rate of climb/descent
  if (trk.vu !== undefined && Number.isFinite(trk.vu)) {
    frns.push(20);
    body.int(quantiseSigned((trk.vu / FT) * 60, CAT062_ALTITUDE_LSB_FT, 16), 2);
  }

  // FRN 27: I062/500 estimated accuracies: APC (x, y: 2 octets each, LSB 0.5 m) and ATV (x, y: 1
  // octet each, LSB 0.25 m/s), saturating at the largest value the item can carry
  const acc = trk.accuracy;
  if (acc !== undefined && Number.isFinite(acc.positionSdM) && acc.positionSdM >= 0) {
    frns.push(27);
    const atv = acc.velocitySdMps !== undefined && Number.isFinite(acc.velocitySdMps) && acc.velocitySdMps >= 0;
    body.u8(0x80 | (atv ? 0x04 : 0)); // APC, ATV; no extension
    const apc = Math.min(0xffff, Math.round(acc.positionSdM / 0.5));
    body.int(apc, 2);
    body.int(apc, 2);
    if (atv) {
      const v = Math.min(0xff, Math.round((acc.velocitySdMps as number) / 0.25));
      body.u8(v);
      body.u8(v);
    }
  }

  const out = new ByteWriter();
  writeFspec(out, frns);
  out.bytes(body.finish());
  return out.finish();
}

/** Options of {@link encodeCat062Blocks}. */
export interface Cat062BlockOptions {
  /** Largest data block (bytes, header included). Default 1400 (fits one UDP datagram on Ethernet). */
  maxBlockBytes?: number;
}

/**
 * Encodes tracks as CAT062 data blocks: CAT (1 octet, 62), LEN (2 octets, the whole block),
 * then as many records as fit under `maxBlockBytes`; further records start new blocks. Returns
 * no block for no tracks. Throws if one record alone does not fit (a programmer error).
 */
export function encodeCat062Blocks(tracks: readonly Cat062Track[], opts: Cat062BlockOptions = {}): Uint8Array[] {
  const max = opts.maxBlockBytes ?? 1400;
  if (!Number.isInteger(max) || max < 4 || max > 65535) throw new RangeError(`maxBlockBytes must be an integer within [4, 65535], got ${max}`);
  const blocks: Uint8Array[] = [];
  let records: Uint8Array[] = [];
  let size = 3;
  const flush = (): void => {
    if (records.length === 0) return;
    const block = new Uint8Array(size);
    block[0] = CAT062;
    block[1] = size >> 8;
    block[2] = size & 0xff;
    let at = 3;
    for (const r of records) {
      block.set(r, at);
      at += r.length;
    }
    blocks.push(block);
    records = [];
    size = 3;
  };
  for (const trk of tracks) {
    const r = encodeCat062Record(trk);
    if (3 + r.length > max) throw new RangeError(`a CAT062 record of ${r.length} bytes does not fit in a block of at most ${max} bytes`);
    if (size + r.length > max) flush();
    records.push(r);
    size += r.length;
  }
  flush();
  return blocks;
}
