/**
 * ASTERIX CAT062 system tracks over UDP (configuration section `asterix`, docs/standards.md).
 *
 * At most every `asterix.interval_s`, on a report of the live picture, every track (confirmed
 * and coasting, I062/080 CST set for the latter) is converted with `trackWireToCat062` under
 * a 16-bit track number from `createTrackNumberAllocator`, encoded as data blocks of at most
 * `asterix.max_block_bytes` (default 1400), one UDP datagram per block, to `asterix.host`:
 * `asterix.port` (a multicast group is fine: TTL `asterix.ttl`). A track's first message sets
 * TSB; when a track leaves the picture its last state is sent once more with TSE and its
 * number is freed. In demo mode SIM is set. Each record carries the track's class designator in
 * I062/245 (unless `asterix.class_in_callsign` is false) and I062/080 SDS (cooperative sources
 * or not, from the sensors' kinds) and PFT (a track labelled clutter).
 *
 * CAT065 (SDPS service status), unless `asterix.status_period_s` is 0: an SDPS status message
 * (I065/000 = 1, I065/040 NOGO operational) every `status_period_s` on a wall-clock timer, and
 * an end-of-batch message (I065/000 = 2, batch 0: one batch per cycle) after each update, each
 * its own datagram to the same destination, stamped with the service clock; on close a service
 * status report (I065/000 = 3) with I065/050 = 7, service ended by the operator.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { once } from 'node:events';
import {
  CAT065_END_OF_BATCH,
  CAT065_SDPS_STATUS,
  CAT065_SERVICE_STATUS_REPORT,
  createTrackNumberAllocator,
  encodeCat062Blocks,
  encodeCat065Block,
  trackWireToCat062,
  type Cat062Track,
  type Cat065Message,
  type TrackWire,
} from '@skywarden/formats';
import type { Service } from '../service.js';
import { createWarnLimiter } from '../warn-limiter.js';

export interface AsterixStats {
  /** Picture updates sent, datagrams (blocks), records. */
  updates: number;
  datagrams: number;
  records: number;
  /** Send errors and tracks that could not be encoded. */
  errors: number;
  /** CAT065 datagrams sent: SDPS status and end of batch. */
  statusMessages: number;
  endOfBatch: number;
}

export interface AsterixOut {
  stats(): AsterixStats;
  close(): Promise<void>;
}

function isMulticast(host: string): boolean {
  const m = /^(\d+)\./.exec(host);
  if (m) return Number(m[1]) >= 224 && Number(m[1]) <= 239;
  return /^ff/i.test(host);
}

export async function startAsterixOut(svc: Service): Promise<AsterixOut> {
  const c = svc.config.asterix;
  const log = svc.log.child({ component: 'asterix' });
  const warn = createWarnLimiter(log);
  const stats: AsterixStats = { updates: 0, datagrams: 0, records: 0, errors: 0, statusMessages: 0, endOfBatch: 0 };
  const sock: UdpSocket = createSocket(isIPv6(c.host) ? 'udp6' : 'udp4');
  sock.on('error', (err) => {
    stats.errors++;
    warn.warn('send', { err }, 'ASTERIX UDP send failed');
  });
  sock.bind(0);
  await once(sock, 'listening');
  if (isMulticast(c.host)) sock.setMulticastTTL(c.ttl);
  const numbers = createTrackNumberAllocator();
  /** Tracks in the last update: first report time and last state. */
  const live = new Map<string, { since: number; last: TrackWire }>();
  let lastUpdate = -Infinity;
  let closed = false;
  const simulated = svc.mode === 'demo';
  /** ADS-B and Remote ID receivers are the cooperative sources (I062/080 SDS). */
  const isCooperativeSensor = (id: string): boolean => {
    const kind = svc.registry.def(id)?.kind;
    return kind === 'adsb' || kind === 'remote_id';
  };

  const record = (tr: TrackWire, since: number, first: boolean, last: boolean): Cat062Track | null => {
    try {
      return trackWireToCat062(tr, {
        sac: c.sac,
        sic: c.sic,
        serviceId: c.service_id ?? undefined,
        trackNumber: numbers.get(tr.track),
        first,
        last,
        ageS: Math.max(0, tr.t - since),
        simulated,
        classInCallsign: c.class_in_callsign,
        isCooperativeSensor,
      });
    } catch (err) {
      stats.errors++;
      warn.warn('encode', { err, track: tr.track }, 'track could not be written as CAT062');
      return null;
    }
  };

  const cat065 = c.status_period_s > 0;
  const send065 = (m: Omit<Cat065Message, 'sac' | 'sic' | 'serviceId'>): boolean => {
    try {
      sock.send(encodeCat065Block([{ sac: c.sac, sic: c.sic, serviceId: c.service_id ?? undefined, ...m }]), c.port, c.host);
      return true;
    } catch (err) {
      stats.errors++;
      warn.warn('cat065', { err }, 'CAT065 message could not be sent');
      return false;
    }
  };
  const sendStatus = () => {
    if (!closed && send065({ type: CAT065_SDPS_STATUS, t: svc.clock(), status: { nogo: 'operational' } })) stats.statusMessages++;
  };
  let statusTimer: NodeJS.Timeout | null = null;
  if (cat065) {
    statusTimer = setInterval(sendStatus, c.status_period_s * 1000);
    statusTimer.unref();
  }

  svc.onTracks((t: number, tracks: TrackWire[]) => {
    if (closed || t - lastUpdate < c.interval_s - 1e-6) return;
    lastUpdate = t;
    try {
      update(t, tracks);
    } finally {
      if (cat065 && !closed && send065({ type: CAT065_END_OF_BATCH, t, batch: 0 })) stats.endOfBatch++;
    }
  });

  function update(t: number, tracks: TrackWire[]): void {
    const out: Cat062Track[] = [];
    const seen = new Set<string>();
    for (const tr of tracks) {
      seen.add(tr.track);
      const had = live.get(tr.track);
      const since = had?.since ?? tr.t;
      live.set(tr.track, { since, last: tr });
      const r = record(tr, since, had === undefined, false);
      if (r) out.push(r);
    }
    const ended: string[] = [];
    for (const [id, x] of live) {
      if (seen.has(id)) continue;
      const r = record(x.last, x.since, false, true);
      if (r) out.push(r);
      ended.push(id);
    }
    for (const id of ended) {
      live.delete(id);
      numbers.release(id);
    }
    if (out.length === 0) return;
    let blocks: Uint8Array[];
    try {
      blocks = encodeCat062Blocks(out, { maxBlockBytes: c.max_block_bytes });
    } catch (err) {
      stats.errors++;
      warn.warn('blocks', { err }, 'CAT062 blocks could not be encoded');
      return;
    }
    stats.updates++;
    stats.records += out.length;
    for (const b of blocks) {
      sock.send(b, c.port, c.host);
      stats.datagrams++;
    }
  }
  if (cat065) sendStatus();
  log.info({ host: c.host, port: c.port, sac: c.sac, sic: c.sic }, 'sending ASTERIX CAT062');

  return {
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      if (statusTimer) clearInterval(statusTimer);
      if (cat065) {
        // a service status report "service ended by the operator" (I065/050 = 7), sent before the socket closes
        await new Promise<void>((r) => {
          try {
            const b = encodeCat065Block([{ sac: c.sac, sic: c.sic, serviceId: c.service_id ?? undefined, type: CAT065_SERVICE_STATUS_REPORT, t: svc.clock(), report: 7 }]);
            sock.send(b, c.port, c.host, () => r());
          } catch {
            r();
          }
        });
      }
      await new Promise<void>((r) => sock.close(() => r()));
    },
  };
}
