/**
 * ASTERIX input over UDP (configuration section `asterix_in`, docs/standards.md): CAT048
 * monoradar plots and CAT062 system tracks from another tracker become detections of the one
 * ingest path (source `asterix`).
 *
 * A datagram holds one or more data blocks. CAT048 records (decodeCat048) from a radar listed
 * in `asterix_in.radars` (by SAC/SIC) become `range_bearing` rows of its sensor: slant range
 * and azimuth from I048/040, elevation from I048/110 (3D height) or a validated, ungarbled
 * I048/090 flight level taken as an altitude, when known; the I048/220 address as `target`.
 * CAT062 records from a tracker in `asterix_in.trackers` (or any, as sensor
 * `asterix-<sac>-<sic>`, with `accept_unknown`, at most `max_unknown_sources` of them) become `position` rows: I062/105, I062/130
 * (else a barometric level), pos_sd_m from I062/500 APC, I062/185 velocity as extra fields, the
 * I062/380 address as `target`, the I062/245 characters as `callsign`; coasting records (I062/080 CST, a prediction, not a
 * measurement) are left out. Simulated and test reports are not real detections: I048/020 SIM
 * (simulated plot) and RAB (a field monitor or fixed transponder) plots and I062/080 SIM tracks
 * are left out (counted as ignored, by kind) unless the service runs in demo mode. Times of day (I048/140, I062/070) take the day that puts them
 * nearest to the service clock. Ids are made of the SAC, SIC, time and track number (or raw
 * position), so a replayed datagram is a duplicate.
 * Bad datagrams and records are counted and logged (rate-limited); the good records of a
 * datagram are still taken. Nothing a sender sends stops the listener.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { once } from 'node:events';
import { decodeCat048Block, decodeCat062Block, firstRecordSource, FT, NM, splitAsterixBlocks, type Cat048Record, type Cat062Record } from '@skywarden/formats';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import { parseAllowList, type AsterixSourceConfig } from '../config.js';
import { createWarnLimiter } from '../warn-limiter.js';
import { createTokenBucket, takeTokens } from '../token-bucket.js';

export interface AsterixInStats {
  datagrams: number;
  /** Records decoded (CAT048 and CAT062). */
  records: number;
  /** Detections journalled, and duplicates (replays) dropped by the ingest. */
  accepted: number;
  duplicates: number;
  /** Datagrams or records that could not be read (each problem once). */
  bad: number;
  /** Records from a SAC/SIC not configured. */
  unknownSource: number;
  /** Of those, CAT062 records refused because `accept_unknown` already took `max_unknown_sources` sources. */
  unknownOverLimit: number;
  /** Records left out on purpose: test targets, no detection (TYP 0), no position, coasting tracks, simulated and fixed-transponder reports; and blocks of other categories. */
  ignored: number;
  /** `ignored` by kind (`test_target`, `no_detection`, `no_position`, `coasting`, `simulated_plot`, `fixed_transponder`, `simulated_track`, `other_category`). */
  ignoredKinds: Record<string, number>;
  /** Rows the ingest refused. */
  rejected: number;
  /** Datagrams from addresses outside `asterix_in.allow_from`. */
  refused: number;
  /** Datagrams dropped unread while {@link MAX_PENDING_BATCHES} of them waited for the journal. */
  overloaded: number;
  /** Blocks dropped unread, or cut short, because their first record's sensor had no detection (or fewer than the block's records) left within its rate limit (their records unread are not counted in `records`). */
  overRateBlocks: number;
  /** Datagrams dropped unread because the listener had read `asterix_in.max_bytes_per_s` in the last second. */
  overBytes: number;
}

/** Datagrams' detections waiting for the journal at most; beyond, datagrams are dropped before they are decoded. */
export const MAX_PENDING_BATCHES = 32;

export interface AsterixIn {
  port: number;
  stats(): AsterixInStats;
  close(): Promise<void>;
}

/** Mean Earth radius (m), for the elevation of a target at a known altitude. */
const EARTH_R = 6371000;
/** One-sigma altitude error of a Mode C flight level taken as a geometric altitude (pressure vs geometric, 100 ft coding), and of a 3D radar height. */
const FL_ALT_SD_M = 150;
const HEIGHT_3D_SD_M = 300;

/**
 * Elevation (degrees) of a target at altitude `h` (m) seen at slant range `r` (m) from a sensor at
 * altitude `h0`, on a spherical Earth without refraction; undefined when no such geometry exists.
 */
export function elevationFromAltitude(r: number, h: number, h0: number): number | undefined {
  if (!(r > 0)) return undefined;
  const a = EARTH_R + h0;
  const s = ((EARTH_R + h) ** 2 - a * a - r * r) / (2 * r * a);
  if (!(s >= -1 && s <= 1)) return undefined;
  return (Math.asin(s) * 180) / Math.PI;
}

const hex6 = (a: number) => a.toString(16).toUpperCase().padStart(6, '0');

export async function startAsterixIn(svc: Service): Promise<AsterixIn> {
  const c = svc.config.asterix_in;
  const log = svc.log.child({ component: 'asterix-in' });
  const warn = createWarnLimiter(log);
  const stats: AsterixInStats = { datagrams: 0, records: 0, accepted: 0, duplicates: 0, bad: 0, unknownSource: 0, unknownOverLimit: 0, ignored: 0, ignoredKinds: {}, rejected: 0, refused: 0, overloaded: 0, overRateBlocks: 0, overBytes: 0 };
  /** Simulated reports are real only in a demo. */
  const takeSimulated = svc.mode === 'demo';
  const ignore = (kind: string) => {
    stats.ignored++;
    stats.ignoredKinds[kind] = (stats.ignoredKinds[kind] ?? 0) + 1;
  };
  /** Sources registered by `accept_unknown`. */
  let unknownTaken = 0;
  let closed = false;
  const key = (sac: number, sic: number) => `${sac}/${sic}`;

  // the radars' sensors: registered from the config when missing (with their position)
  const register = (x: AsterixSourceConfig, kind: string) => {
    if (svc.registry.def(x.sensor)) return;
    const def: Record<string, unknown> = { id: x.sensor, kind };
    if (x.lat !== undefined && x.lon !== undefined) Object.assign(def, { lat: x.lat, lon: x.lon, alt_m: x.alt_m ?? 0 });
    const errs = svc.registry.register([def]);
    if (errs.length > 0) throw new Error(`asterix_in sensor ${JSON.stringify(x.sensor)}: ${errs.join('; ')}`);
  };
  const radars = new Map<string, AsterixSourceConfig>();
  for (const r of c.radars) {
    if (!svc.registry.def(r.sensor) && r.lat === undefined) {
      throw new Error(`asterix_in.radars: sensor ${JSON.stringify(r.sensor)} (SAC ${r.sac} SIC ${r.sic}) is not registered and has no lat/lon: a radar's plots need its position`);
    }
    register(r, 'radar');
    radars.set(key(r.sac, r.sic), r);
  }
  const trackers = new Map<string, AsterixSourceConfig>();
  for (const t of c.trackers) {
    register(t, 'tracker');
    trackers.set(key(t.sac, t.sic), t);
  }

  const bad = (reason: string, from: string) => {
    stats.bad++;
    svc.metrics.rejected.inc({ source: 'asterix', reason: 'invalid_asterix' });
    warn.warn('bad', { from, reason }, 'bad ASTERIX input dropped');
  };
  const unknown = (sac: number | undefined, sic: number | undefined, what: string, from: string) => {
    stats.unknownSource++;
    warn.warn('unknown', { from, sac, sic }, `${what} from a SAC/SIC not in asterix_in: dropped`);
  };

  const plotRow = (rec: Cat048Record, from: string): Record<string, unknown> | null => {
    const radar = radars.get(key(rec.sac ?? -1, rec.sic ?? -1));
    if (!radar) {
      unknown(rec.sac, rec.sic, 'CAT048 plot', from);
      return null;
    }
    const d = rec.descriptor;
    const skip = rec.rangeM === undefined || rec.t === undefined ? 'no_position' : d?.typ === 0 ? 'no_detection' : d?.tst ? 'test_target'
      : !takeSimulated && d?.sim ? 'simulated_plot' : !takeSimulated && d?.rab ? 'fixed_transponder' : undefined;
    if (skip !== undefined || rec.rangeM === undefined || rec.t === undefined) {
      ignore(skip ?? 'no_position');
      return null;
    }
    const def = svc.registry.def(radar.sensor);
    const h0 = typeof def?.alt_m === 'number' ? def.alt_m : 0;
    const row: Record<string, unknown> = {
      t: rec.t,
      sensor: radar.sensor,
      type: 'range_bearing',
      id: `asterix:048:${rec.sac}-${rec.sic}:${Math.round(rec.t * 128)}:${rec.trackNumber ?? `${Math.round((rec.rangeM / NM) * 256)}-${Math.round((rec.azimuthDeg! * 65536) / 360)}`}`,
      range_m: rec.rangeM,
      bearing_deg: rec.azimuthDeg! % 360,
      asterix_sac: rec.sac,
      asterix_sic: rec.sic,
    };
    let alt: number | undefined;
    let altSd = 0;
    if (rec.height3dM !== undefined) [alt, altSd] = [rec.height3dM, HEIGHT_3D_SD_M];
    else if (rec.flightLevel && rec.flightLevel.validated && !rec.flightLevel.garbled) [alt, altSd] = [rec.flightLevel.fl * 100 * FT, FL_ALT_SD_M];
    if (alt !== undefined) {
      const el = elevationFromAltitude(rec.rangeM, alt, h0);
      if (el !== undefined) {
        row.elevation_deg = el;
        row.elevation_sd_deg = Math.min(45, (Math.atan2(altSd, rec.rangeM) * 180) / Math.PI);
      }
    }
    if (rec.aircraftAddress !== undefined) row.target = hex6(rec.aircraftAddress);
    if (rec.trackNumber !== undefined) row.asterix_track = rec.trackNumber;
    return row;
  };

  const trackRow = (rec: Cat062Record, from: string): Record<string, unknown> | null => {
    const k = key(rec.sac ?? -1, rec.sic ?? -1);
    let src = trackers.get(k);
    if (!src && c.accept_unknown && rec.sac !== undefined && rec.sic !== undefined) {
      if (unknownTaken >= c.max_unknown_sources) {
        stats.unknownSource++;
        stats.unknownOverLimit++;
        warn.warn('unknown_limit', { from, sac: rec.sac, sic: rec.sic, limit: c.max_unknown_sources }, 'CAT062 track from a new SAC/SIC refused: accept_unknown already took asterix_in.max_unknown_sources sources');
        return null;
      }
      src = { sac: rec.sac, sic: rec.sic, sensor: `asterix-${rec.sac}-${rec.sic}` };
      try {
        register(src, 'tracker');
        trackers.set(k, src);
        unknownTaken++;
        log.info({ from, sac: rec.sac, sic: rec.sic, sensor: src.sensor }, 'CAT062 source registered');
      } catch (err) {
        bad((err as Error).message, from);
        return null;
      }
    }
    if (!src) {
      unknown(rec.sac, rec.sic, 'CAT062 track', from);
      return null;
    }
    const skip = rec.latDeg === undefined || rec.lonDeg === undefined || rec.t === undefined ? 'no_position' : rec.status?.coasting ? 'coasting'
      : !takeSimulated && rec.status?.simulated ? 'simulated_track' : undefined;
    if (skip !== undefined || rec.latDeg === undefined || rec.lonDeg === undefined || rec.t === undefined) {
      ignore(skip ?? 'no_position');
      return null;
    }
    const row: Record<string, unknown> = {
      t: rec.t,
      sensor: src.sensor,
      type: 'position',
      id: `asterix:062:${rec.sac}-${rec.sic}:${Math.round(rec.t * 128)}:${rec.trackNumber ?? `${rec.latDeg.toFixed(7)},${rec.lonDeg.toFixed(7)}`}`,
      lat: rec.latDeg,
      lon: rec.lonDeg,
      asterix_sac: rec.sac,
      asterix_sic: rec.sic,
    };
    if (rec.altM !== undefined) row.alt_m = rec.altM;
    else {
      const fl = rec.barometricFlightLevel ?? rec.measuredFlightLevel;
      if (fl !== undefined) [row.alt_m, row.alt_sd_m] = [fl * 100 * FT, FL_ALT_SD_M];
    }
    if (rec.accuracy) row.pos_sd_m = Math.max(0.5, Math.sqrt((rec.accuracy.xSdM ** 2 + rec.accuracy.ySdM ** 2) / 2));
    if (rec.ve !== undefined && rec.vn !== undefined) [row.ve_mps, row.vn_mps] = [rec.ve, rec.vn];
    if (rec.vu !== undefined) row.vu_mps = rec.vu;
    if (rec.targetAddress !== undefined) row.target = hex6(rec.targetAddress);
    if (rec.trackNumber !== undefined) row.asterix_track = rec.trackNumber;
    // I062/245 (another tracker's callsign, or Skywarden's class designator), unless STI says invalid
    if (rec.targetId !== undefined && rec.targetId.sti !== 3 && rec.targetId.chars.trim() !== '') row.callsign = rec.targetId.chars.trim();
    return row;
  };

  const pending = new Set<Promise<void>>();
  const journal = (sensor: string, rows: Record<string, unknown>[], from: string) => {
    const principal: Principal = { id: `asterix:${sensor}`, gateway: false, sensors: [sensor], tokenHash: '' };
    const p = svc.ingest
      .ingest(principal, rows, 'asterix')
      .then((res) => {
        stats.accepted += res.accepted;
        stats.duplicates += res.duplicates;
        if (res.rejected.length > 0) {
          stats.rejected += res.rejected.length;
          warn.warn('rejected', { from, sensor, reason: res.rejected[0].message, count: res.rejected.length }, 'ASTERIX detections refused by the ingest');
        }
      })
      .catch((err: Error) => {
        stats.rejected += rows.length;
        if (!closed) log.error({ err }, 'journalling ASTERIX detections failed');
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  // Bytes the listener may read, a token bucket of one second's worth refilled by the clock. A
  // block is decoded before its records' sources are known: a block whose first record came from
  // an unknown source, followed by 5,899 plots of an over-rate radar, was decoded in full (the
  // rate check looks at the first record), and datagrams of 21,835 empty blocks each cost their
  // parsing too; a hundred such datagrams a second held health for 0.7-2.6 s (an outside probe,
  // 2026-12-07). 1 MiB/s by default: a busy radar's plots are a few tens of kilobytes a second
  const byteBudget = createTokenBucket(c.max_bytes_per_s, c.max_bytes_per_s, Date.now() / 1000);
  const overBytesWarn = createWarnLimiter(log, 10);
  const take = (msg: Buffer, from: string) => {
    stats.datagrams++;
    if (!takeTokens(byteBudget, msg.length, Date.now() / 1000)) {
      stats.overBytes++;
      overBytesWarn.warn('over-bytes', { from, dropped: stats.overBytes }, 'ASTERIX datagrams dropped unread: the listener read asterix_in.max_bytes_per_s in the last second');
      return;
    }
    // UDP cannot be slowed: while the journal is this far behind, datagrams are dropped before
    // they are decoded (a sender of 64 KB datagrams of plots, a hundred a second, had grown the
    // journal's queue and the process by a gigabyte: an outside probe, 2026-12-06)
    if (pending.size >= MAX_PENDING_BATCHES) {
      stats.overloaded++;
      warn.warn('overloaded', { from, pending: pending.size }, 'ASTERIX datagram dropped: the journal is behind');
      return;
    }
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    const now = svc.clock();
    const rows: Record<string, unknown>[] = [];
    // the datagram is split once; each block goes to its category's decoder
    const split = splitAsterixBlocks(bytes);
    for (const b of split.blocks) {
      // a block whose (first record's) source has no detection left within its rate limit now is
      // dropped before it is decoded: 64 KB datagrams of 5,900 plots each, a hundred a second,
      // had each been decoded in full to be refused (an outside probe, 2026-12-06)
      // (and of a block whose source has some left, only as many records are decoded)
      let maxRecords = Infinity;
      if (b.cat === 48 || b.cat === 62) {
        const first = firstRecordSource(bytes, b);
        const sensor = first ? (b.cat === 48 ? radars : trackers).get(key(first.sac, first.sic))?.sensor : undefined;
        if (sensor !== undefined) {
          maxRecords = svc.ingest.available(sensor);
          if (maxRecords <= 0) {
            stats.overRateBlocks++;
            warn.warn('rate_limited', { from, sensor }, 'ASTERIX block of a sensor beyond its rate limit dropped unread');
            continue;
          }
        }
      }
      if (b.cat === 62) {
        const r = decodeCat062Block(bytes, b, { referenceTime: now, maxRecords });
        if (r.truncated) stats.overRateBlocks++;
        for (const e of r.errors) bad(`CAT062 ${e}`, from);
        for (const w of r.warnings) warn.warn('record_warning', { from, reason: `CAT062 ${w}` }, 'ASTERIX record taken with a problem');
        stats.records += r.records.length;
        for (const rec of r.records) {
          const row = trackRow(rec, from);
          if (row) rows.push(row);
        }
      } else if (b.cat === 48) {
        const r = decodeCat048Block(bytes, b, { referenceTime: now, maxRecords });
        if (r.truncated) stats.overRateBlocks++;
        for (const e of r.errors) bad(`CAT048 ${e}`, from);
        stats.records += r.records.length;
        for (const rec of r.records) {
          const row = plotRow(rec, from);
          if (row) rows.push(row);
        }
      } else ignore('other_category');
    }
    if (split.error !== undefined) bad(split.error, from);
    const bySensor = new Map<string, Record<string, unknown>[]>();
    // each sensor's rows beyond what its rate limit allows now are counted, not sent to the ingest
    // (which would check each in full to refuse it: 5,900 plots a datagram)
    const over = new Map<string, number>();
    /** What each sensor may still send now (asked once a datagram: nothing is taken until the rows are journalled below). */
    const allowed = new Map<string, number>();
    for (const row of rows) {
      const s = row.sensor as string;
      let list = bySensor.get(s);
      if (!list) {
        bySensor.set(s, (list = []));
        allowed.set(s, svc.ingest.available(s));
        svc.registry.heard(s, now);
      }
      if (list.length >= allowed.get(s)!) over.set(s, (over.get(s) ?? 0) + 1);
      else list.push(row);
    }
    for (const [s, n] of over) {
      stats.rejected += n;
      svc.ingest.refusedForRate('asterix', s, n);
      warn.warn('rate_limited', { from, sensor: s, count: n }, 'ASTERIX detections beyond the sensor\'s rate limit dropped');
    }
    for (const [s, list] of bySensor) if (list.length > 0) journal(s, list, from);
  };

  const sock: UdpSocket = createSocket({ type: isIPv6(c.host) ? 'udp6' : 'udp4', reuseAddr: true });
  sock.on('error', (err) => warn.warn('socket', { err }, 'ASTERIX UDP listener error'));
  const allowed = c.allow_from !== null ? parseAllowList(c.allow_from) : null;
  sock.on('message', (msg, rinfo) => {
    if (closed) return;
    const from = `udp ${rinfo.address}:${rinfo.port}`;
    if (allowed && !allowed.check(rinfo.address, rinfo.family === 'IPv6' ? 'ipv6' : 'ipv4')) {
      stats.refused++;
      warn.warn('refused', { from }, 'ASTERIX datagram from an address outside asterix_in.allow_from: dropped');
      return;
    }
    try {
      take(msg, from);
    } catch (err) {
      // a decoder bug must not stop the listener
      bad(`internal error: ${(err as Error).message}`, from);
    }
  });
  sock.bind({ port: c.port, address: c.host });
  await once(sock, 'listening');
  if (c.group !== null) sock.addMembership(c.group);
  const port = sock.address().port;
  log.info({ host: c.host, port, group: c.group, radars: c.radars.length, trackers: c.trackers.length }, 'reading ASTERIX CAT048/CAT062');

  return {
    port,
    stats: () => ({ ...stats, ignoredKinds: { ...stats.ignoredKinds } }),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((r) => sock.close(() => r()));
      await Promise.allSettled([...pending]);
    },
  };
}
