/**
 * Skywarden as a child of a parent SAPIENT (BSI Flex 335 v2.0) fusion node (configuration
 * `sapient.parent`, docs/standards.md): it connects over TCP (or TLS), sends its Registration
 * (node type FUSION_NODE, every field the standard marks mandatory), and once the parent's
 * RegistrationAck accepts it, sends a StatusReport every `status_interval_s` (the interval it
 * registered) and a DetectionReport per live track at most every `interval_s`.
 *
 * - Each Skywarden track has one object_id ULID, made when the track is first reported and kept
 *   for the track's life (across reconnections); a track that leaves the picture is reported
 *   once more with state `lost`, coasting tracks with state `coasting`.
 * - A refused registration is logged with the parent's reasons, and the link retries; a closed
 *   or failed connection reconnects. The waits double from 1 s up to `reconnect_max_s`, and go
 *   back to 1 s once a registration is accepted. A Registration unanswered for 10 s counts as
 *   a failed attempt.
 * - Nothing here waits for the parent: messages go to a queue of at most `max_queue` that is
 *   written as the socket drains; beyond it the oldest are dropped and counted. While not
 *   registered, track reports are not made (the parent gets the picture as it is once back).
 * - On close, a StatusReport with SYSTEM_GOODBYE is sent before the connection ends.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomUUID } from 'node:crypto';
import {
  buildDetectionReport,
  buildRegistration,
  buildStatusReport,
  createSapientFramer,
  createUlid,
  decodeSapientMessage,
  encodeSapientMessage,
  frameSapient,
  type SapientMessage,
  type TrackWire,
} from '@skywarden/formats';
import type { Service } from '../service.js';
import type { SapientParentConfig } from '../config.js';
import { createWarnLimiter } from '../warn-limiter.js';
import { createBackoff, readPemFile } from './link-util.js';

export interface SapientParentStats {
  /** TCP (TLS) connections made. */
  connects: number;
  /** Registrations accepted and refused by the parent. */
  registrations: number;
  refused: number;
  /** The parent's last refusal reasons. */
  lastRefusal: string[] | null;
  statusReports: number;
  detectionReports: number;
  /** Messages dropped from a full queue (the oldest first). */
  dropped: number;
  /** Error messages from the parent. */
  errorsReceived: number;
  /** Frames from the parent that could not be read. */
  badFrames: number;
}

export interface SapientParentLink {
  /** Skywarden's node UUID towards the parent. */
  nodeId: string;
  /** `connecting`, `registering` (waiting for the RegistrationAck), `registered`, `waiting` (to reconnect) or `closed`. */
  state(): 'connecting' | 'registering' | 'registered' | 'waiting' | 'closed';
  stats(): SapientParentStats;
  /** The object_id ULID of a live Skywarden track, if it was reported. */
  objectId(track: string): string | undefined;
  close(): Promise<void>;
}

/** How long a Registration may wait for its RegistrationAck (ms). */
const ACK_TIMEOUT_MS = 10_000;
/** Bytes buffered in the socket before the queue waits for it to drain. */
const HIGH_WATER = 64 * 1024;

export function startSapientParent(svc: Service, pc: SapientParentConfig, opts: { nodeId?: string; dependentNodes?: string[] } = {}): SapientParentLink {
  const log = svc.log.child({ component: 'sapient-parent' });
  const warn = createWarnLimiter(log);
  const selfId = pc.node_id ?? opts.nodeId ?? randomUUID();
  const stats: SapientParentStats = { connects: 0, registrations: 0, refused: 0, lastRefusal: null, statusReports: 0, detectionReports: 0, dropped: 0, errorsReceived: 0, badFrames: 0 };
  const pem = (key: 'cert' | 'key' | 'ca'): Buffer | undefined => {
    const file = pc.tls?.[key];
    return file === undefined ? undefined : readPemFile(`sapient.parent.tls.${key}`, file);
  };
  const tls = pc.tls
    ? {
        cert: pem('cert'),
        key: pem('key'),
        ca: pem('ca'),
        rejectUnauthorized: pc.tls.reject_unauthorized ?? true,
        servername: pc.tls.server_name ?? pc.host,
      }
    : null;
  let state: ReturnType<SapientParentLink['state']> = 'connecting';
  let sock: Socket | null = null;
  const backoff = createBackoff(pc.reconnect_max_s);
  let reconnectTimer: NodeJS.Timeout | null = null;
  let ackTimer: NodeJS.Timeout | null = null;
  let statusTimer: NodeJS.Timeout | null = null;
  let firstStatus = true;
  const queue: Uint8Array[] = [];
  /** Live tracks: object id, last report time (track time) and last state. */
  const objects = new Map<string, { objectId: string; lastSent: number; last: TrackWire }>();

  const header = () => ({ nodeId: selfId, t: svc.clock() });

  function encode(m: SapientMessage): Uint8Array | null {
    try {
      return frameSapient(encodeSapientMessage(m));
    } catch (err) {
      warn.warn('encode', { err }, 'SAPIENT message to the parent could not be encoded');
      return null;
    }
  }

  /** Writes queued frames while the socket takes them. */
  function pump(): void {
    const s = sock;
    if (s === null || state !== 'registered' || s.destroyed) return;
    while (queue.length > 0 && s.writableLength < HIGH_WATER) s.write(queue.shift()!);
  }

  function enqueue(frame: Uint8Array): void {
    queue.push(frame);
    while (queue.length > pc.max_queue) {
      queue.shift();
      stats.dropped++;
      warn.warn('dropped', { dropped: stats.dropped, max_queue: pc.max_queue }, 'SAPIENT parent is slow: oldest messages dropped (sapient.parent.max_queue)');
    }
    pump();
  }

  function sendStatus(system: 'ok' | 'goodbye'): void {
    const f = encode(buildStatusReport(header(), { system, changed: firstStatus, mode: 'default' }));
    firstStatus = false;
    if (f === null) return;
    stats.statusReports++;
    enqueue(f);
  }

  function clearTimers(): void {
    if (ackTimer) clearTimeout(ackTimer);
    if (statusTimer) clearInterval(statusTimer);
    ackTimer = null;
    statusTimer = null;
  }

  function scheduleReconnect(why: string): void {
    clearTimers();
    if (state === 'closed' || reconnectTimer !== null) return;
    state = 'waiting';
    queue.length = 0; // what was not sent is stale by the time the link is back
    const waitS = backoff.next();
    log.info({ why, retry_in_s: waitS }, 'SAPIENT parent link down; reconnecting');
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, waitS * 1000);
    reconnectTimer.unref();
  }

  function onMessage(m: SapientMessage): void {
    switch (m.content) {
      case 'registrationAck': {
        if (state !== 'registering') return;
        if (ackTimer) clearTimeout(ackTimer);
        ackTimer = null;
        const reasons = m.registrationAck?.ackResponseReason ?? [];
        if (m.registrationAck?.acceptance !== true) {
          stats.refused++;
          stats.lastRefusal = reasons;
          log.warn({ parent: `${pc.host}:${pc.port}`, node: selfId, reasons }, `SAPIENT parent refused the registration: ${reasons.join('; ') || 'no reason given'}`);
          sock?.destroy();
          return;
        }
        stats.registrations++;
        state = 'registered';
        backoff.reset();
        firstStatus = true;
        log.info({ parent: `${pc.host}:${pc.port}`, parent_node: m.nodeId, node: selfId }, 'registered with the SAPIENT parent');
        sendStatus('ok');
        statusTimer = setInterval(() => sendStatus('ok'), pc.status_interval_s * 1000);
        statusTimer.unref();
        return;
      }
      case 'error':
        stats.errorsReceived++;
        warn.warn('parent-error', { reasons: m.error?.errorMessage }, 'the SAPIENT parent answered Error');
        return;
      default:
        // tasks and alerts are not taken from a parent (yet): noted, not answered
        warn.warn('ignored', { content: m.content }, 'SAPIENT message from the parent ignored');
    }
  }

  function connect(): void {
    if (state === 'closed') return;
    state = 'connecting';
    const s = tls ? tlsConnect({ host: pc.host, port: pc.port, ...tls }) : netConnect({ host: pc.host, port: pc.port });
    sock = s;
    s.setKeepAlive(true, 10_000); // a parent gone without a word is noticed
    const framer = createSapientFramer();
    s.once(tls ? 'secureConnect' : 'connect', () => {
      if (state === 'closed') return s.destroy();
      stats.connects++;
      state = 'registering';
      const reg = encode(
        buildRegistration(header(), {
          name: 'Skywarden counter-drone early warning',
          shortName: 'Skywarden',
          nodeType: 'FUSION_NODE',
          statusIntervalS: pc.status_interval_s,
          behaviours: ['threat'],
          enuVelocity: true,
          trackingType: 'TRACK',
          dependentNodes: opts.dependentNodes,
        }),
      );
      if (reg !== null) s.write(reg);
      ackTimer = setTimeout(() => {
        warn.warn('ack-timeout', { parent: `${pc.host}:${pc.port}` }, `SAPIENT parent sent no RegistrationAck within ${ACK_TIMEOUT_MS / 1000} s`);
        s.destroy();
      }, ACK_TIMEOUT_MS);
      ackTimer.unref();
    });
    s.on('data', (chunk: Buffer) => {
      for (const f of framer.push(chunk)) {
        if (!f.ok) {
          stats.badFrames++;
          warn.warn('frame', { reason: f.reason }, 'SAPIENT parent stream unreadable; reconnecting');
          s.destroy();
          return;
        }
        const d = decodeSapientMessage(f.payload);
        if (!d.ok) {
          stats.badFrames++;
          warn.warn('decode', { reason: d.reason }, 'SAPIENT message from the parent unreadable');
          continue;
        }
        onMessage(d.message);
      }
    });
    s.on('drain', pump);
    s.on('error', (err) => warn.warn('socket', { err: err.message, parent: `${pc.host}:${pc.port}` }, 'SAPIENT parent connection failed'));
    s.on('close', () => {
      if (sock === s) sock = null;
      scheduleReconnect('connection closed');
    });
  }

  function report(tr: TrackWire, objectId: string, state: string | undefined): void {
    const classes = Object.fromEntries(Object.entries(tr.class ?? {}).filter(([, p]) => Number.isFinite(p) && p > 0));
    // the message time is the track's: the parent reads it as the time of the position
    const f = encode(
      buildDetectionReport({ nodeId: selfId, t: tr.t }, {
        objectId,
        position: { latDeg: tr.lat, lonDeg: tr.lon, altM: tr.alt_m, posSdM: tr.pos_sd_m },
        velocity: { ve: tr.ve_mps, vn: tr.vn_mps, vu: tr.vu_mps, veSd: tr.vel_sd_mps, vnSd: tr.vel_sd_mps },
        classes,
        behaviours: Number.isFinite(tr.threat) ? { threat: tr.threat } : undefined,
        state,
        externalId: tr.cooperative_id,
      }),
    );
    if (f === null) return;
    stats.detectionReports++;
    enqueue(f);
  }

  svc.onTracks((t: number, tracks: TrackWire[]) => {
    if (state === 'closed') return;
    const seen = new Set<string>();
    for (const tr of tracks) {
      seen.add(tr.track);
      let o = objects.get(tr.track);
      if (o === undefined) {
        o = { objectId: createUlid(Number.isFinite(tr.t) && tr.t > 0 ? tr.t : svc.clock()), lastSent: -Infinity, last: tr };
        objects.set(tr.track, o);
      }
      o.last = tr;
      if (state !== 'registered' || t - o.lastSent < pc.interval_s - 1e-6) continue;
      o.lastSent = t;
      report(tr, o.objectId, tr.status === 'coasting' ? 'coasting' : undefined);
    }
    for (const [id, o] of objects) {
      if (seen.has(id)) continue;
      if (state === 'registered' && o.lastSent > -Infinity) report(o.last, o.objectId, 'lost');
      objects.delete(id);
    }
  });

  log.info({ parent: `${pc.host}:${pc.port}`, node: selfId, tls: tls !== null }, 'connecting to the SAPIENT parent');
  connect();

  return {
    nodeId: selfId,
    state: () => state,
    stats: () => ({ ...stats, lastRefusal: stats.lastRefusal ? [...stats.lastRefusal] : null }),
    objectId: (track) => objects.get(track)?.objectId,
    async close() {
      if (state === 'closed') return;
      const wasRegistered = state === 'registered';
      clearTimers();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      if (wasRegistered) sendStatus('goodbye');
      state = 'closed';
      const s = sock;
      if (s && !s.destroyed) {
        // what is still queued (the goodbye last) goes out first, briefly
        while (queue.length > 0) s.write(queue.shift()!);
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            s.destroy();
            r();
          }, 2000);
          t.unref();
          s.end(() => {
            clearTimeout(t);
            r();
          });
        });
        s.destroy();
      }
    },
  };
}
