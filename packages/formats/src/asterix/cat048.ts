/**
 * A minimal ASTERIX Category 048 (monoradar target reports) plot encoder, after
 * EUROCONTROL-SPEC-0149-4 (CAT048), UAP FRN 1-4: I048/010 SAC/SIC, I048/140 time of day
 * (3 octets, LSB 1/128 s since midnight UTC), I048/020 target report descriptor (TYP, SIM;
 * one octet), I048/040 measured position in polar co-ordinates (RHO 2 octets LSB 1/256 NM,
 * THETA 2 octets LSB 360/2^16 deg, from the radar, clockwise from north). Enough to feed a
 * radar plot into a consumer that takes CAT048; no Mode S, no tracks.
 */
import { ByteWriter, quantiseUnsigned } from './bytes.js';
import { CAT062_TIME_LSB_S, timeOfDay } from './cat062.js';

/** Metres per nautical mile. */
export const NM = 1852;

/** One primary radar plot. */
export interface Cat048Plot {
  sac: number;
  sic: number;
  /** Detection time, seconds since the Unix epoch. */
  t: number;
  /** Slant range from the radar (m), below 256 NM. */
  range: number;
  /** Azimuth clockwise from north (degrees). */
  azimuthDeg: number;
  /** I048/020 TYP: 1 single PSR detection (default), 2 SSR, 3 SSR + PSR, … */
  typ?: number;
  /** I048/020 SIM: a simulated plot. */
  simulated?: boolean;
}

/** Encodes plots as one CAT048 data block (CAT 48, LEN, records). Throws on programmer errors. */
export function encodeCat048Block(plots: readonly Cat048Plot[]): Uint8Array {
  const w = new ByteWriter();
  w.u8(48);
  w.int(0, 2); // LEN, patched below
  for (const p of plots) {
    for (const [k, v] of [['sac', p.sac], ['sic', p.sic]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${k} must be an integer within [0, 255], got ${v}`);
    }
    if (!Number.isFinite(p.t)) throw new RangeError(`t must be finite, got ${p.t}`);
    if (!(p.range >= 0 && p.range < 256 * NM)) throw new RangeError(`range must be within [0, 256 NM), got ${p.range}`);
    if (!Number.isFinite(p.azimuthDeg)) throw new RangeError(`azimuthDeg must be finite, got ${p.azimuthDeg}`);
    const typ = p.typ ?? 1;
    if (!Number.isInteger(typ) || typ < 0 || typ > 7) throw new RangeError(`typ must be an integer within [0, 7], got ${typ}`);
    w.u8(0xf0); // FSPEC: FRN 1-4, no extension
    w.u8(p.sac);
    w.u8(p.sic);
    w.int(Math.round(timeOfDay(p.t) / CAT062_TIME_LSB_S) % (86400 * 128), 3);
    w.u8((typ << 5) | (p.simulated ? 0x10 : 0));
    w.int(quantiseUnsigned(p.range / NM, 1 / 256, 16), 2);
    const az = ((p.azimuthDeg % 360) + 360) % 360;
    w.int(Math.round(az / (360 / 65536)) % 65536, 2);
  }
  const out = w.finish();
  if (out.length > 65535) throw new RangeError(`a CAT048 block of ${out.length} bytes exceeds 65535; send fewer plots per block`);
  out[1] = out.length >> 8;
  out[2] = out.length & 0xff;
  return out;
}
