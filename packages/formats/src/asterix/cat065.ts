/**
 * ASTERIX CAT065 (SDPS service status reports) encoder, after EUROCONTROL CAT065 editions
 * 1.4-1.6 (same items): UAP FRN 1 I065/010 SAC/SIC, 2 I065/000 message type, 3 I065/015
 * service identification, 4 I065/030 time of message (3 octets, LSB 1/128 s since midnight
 * UTC), 5 I065/020 batch number, 6 I065/040 SDPS configuration and status (NOGO 2 bits, OVL,
 * TSV, PSS 2 bits, STTN, spare), 7 I065/050 service status report (one octet, 1..16).
 */
import { ByteWriter } from './bytes.js';
import { CAT062_TIME_LSB_S, timeOfDay } from './cat062.js';

export const CAT065 = 65;

/** I065/000 message types. */
export const CAT065_SDPS_STATUS = 1;
export const CAT065_END_OF_BATCH = 2;
export const CAT065_SERVICE_STATUS_REPORT = 3;

/** I065/040 NOGO values. */
export type Cat065Nogo = 'operational' | 'degraded' | 'not_connected' | 'unknown';
const NOGO: Record<Cat065Nogo, number> = { operational: 0, degraded: 1, not_connected: 2, unknown: 3 };

/** One CAT065 message. */
export interface Cat065Message {
  sac: number;
  sic: number;
  /** I065/000: 1 SDPS status, 2 end of batch, 3 service status report. */
  type: number;
  /** I065/015, if any. */
  serviceId?: number;
  /** I065/030: the time of the message, seconds since the Unix epoch. */
  t: number;
  /** I065/020 batch number (end of batch; 0..255). */
  batch?: number;
  /** I065/040 (SDPS status). */
  status?: { nogo: Cat065Nogo; overload?: boolean; invalidTimeSource?: boolean; pss?: number; sttn?: boolean };
  /** I065/050 service status report code (1..16; service status report). */
  report?: number;
}

function u8Check(name: string, v: number, max = 255): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} must be an integer within [0, ${max}], got ${v}`);
}

/** Encodes one CAT065 record (FSPEC and items). Throws on programmer errors. */
export function encodeCat065Record(m: Cat065Message): Uint8Array {
  u8Check('sac', m.sac);
  u8Check('sic', m.sic);
  if (![CAT065_SDPS_STATUS, CAT065_END_OF_BATCH, CAT065_SERVICE_STATUS_REPORT].includes(m.type)) throw new RangeError(`type must be 1, 2 or 3, got ${m.type}`);
  if (!Number.isFinite(m.t)) throw new RangeError(`t must be finite, got ${m.t}`);
  if (m.serviceId !== undefined) u8Check('serviceId', m.serviceId);
  if (m.batch !== undefined) u8Check('batch', m.batch);
  if (m.report !== undefined && !(Number.isInteger(m.report) && m.report >= 1 && m.report <= 16)) throw new RangeError(`report must be an integer within [1, 16], got ${m.report}`);
  if (m.status?.pss !== undefined) u8Check('status.pss', m.status.pss, 3);
  let fspec = 0x80 | 0x40 | 0x10; // I010, I000, I030
  if (m.serviceId !== undefined) fspec |= 0x20;
  if (m.batch !== undefined) fspec |= 0x08;
  if (m.status !== undefined) fspec |= 0x04;
  if (m.report !== undefined) fspec |= 0x02;
  const w = new ByteWriter();
  w.u8(fspec);
  w.u8(m.sac);
  w.u8(m.sic);
  w.u8(m.type);
  if (m.serviceId !== undefined) w.u8(m.serviceId);
  w.int(Math.round(timeOfDay(m.t) / CAT062_TIME_LSB_S) % (86400 * 128), 3);
  if (m.batch !== undefined) w.u8(m.batch);
  if (m.status !== undefined) {
    const s = m.status;
    const nogo = NOGO[s.nogo];
    if (nogo === undefined) throw new RangeError(`status.nogo must be one of ${Object.keys(NOGO).join(', ')}, got ${String(s.nogo)}`);
    w.u8((nogo << 6) | (s.overload ? 0x20 : 0) | (s.invalidTimeSource ? 0x10 : 0) | ((s.pss ?? 0) << 2) | (s.sttn ? 0x02 : 0));
  }
  if (m.report !== undefined) w.u8(m.report);
  return w.finish();
}

/** Encodes CAT065 messages as one data block (CAT 65, LEN, records). */
export function encodeCat065Block(msgs: readonly Cat065Message[]): Uint8Array {
  if (msgs.length === 0) throw new RangeError('a CAT065 block needs at least one message');
  const w = new ByteWriter();
  w.u8(CAT065);
  w.int(0, 2);
  for (const m of msgs) w.bytes(encodeCat065Record(m));
  const out = w.finish();
  if (out.length > 65535) throw new RangeError(`a CAT065 block of ${out.length} bytes exceeds 65535`);
  out[1] = out.length >> 8;
  out[2] = out.length & 0xff;
  return out;
}
