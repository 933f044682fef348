/**
 * A SAPIENT (BSI Flex 335 v2.0) fusion node: a TCP server that sensors (ASMs) connect to
 * (configuration section `sapient`, docs/standards.md).
 *
 * Each connection is a stream of 4-byte little-endian lengths and SapientMessages
 * (`createSapientFramer`, at most `sapient.max_frame_bytes` each). Messages are handled in
 * order, one connection at a time each:
 * With `sapient.tls` the server speaks TLS and takes only clients with a certificate signed by
 * `sapient.tls.ca`; a node with `cert_cn` registers only over a connection whose certificate
 * has that subject CN. Plain TCP is refused (by the config) on any address but loopback,
 * unless `sapient.allow_plaintext`.
 * - `Registration`: the node is accepted when `sapient.nodes` lists its UUID (with the
 *   Skywarden sensor id it maps to) or `sapient.accept_unknown` is on (sensor
 *   `sapient-<node_id>`); answered with a `RegistrationAck` (accepted, or refused with the
 *   reason). A sensor id missing from the register is registered, with a kind from the node
 *   type (radar, acoustic, eo, rf, observer, other) and, once a StatusReport gives it, the
 *   node's position.
 *   The registered status interval (`statusDefinition.statusInterval`, in its units) is the
 *   sensor's heartbeat period: it is `silent` once MISSED_HEARTBEATS intervals pass unheard
 *   (sensors.ts), whether the connection is open or not; its connection is not closed as idle
 *   (`sapient.idle_timeout_s`) before that. The interval is held to [1 s, idle_timeout_s]
 *   (MIN_STATUS_INTERVAL_S), and the connection's timeout is set again at each Registration.
 * - `StatusReport`: marks the sensor heard; a `node_location` (degrees, WGS84) becomes the
 *   node's position (written on its detections as `sensor_lat`/`sensor_lon`). With system
 *   `SYSTEM_GOODBYE` the sensor is `offline` (reason: goodbye) until the node registers or
 *   reports again; it stays registered.
 * - `DetectionReport`: `sapientDetectionToRows`, then the one ingest path (source
 *   `sapient`), allowed to publish only for the node's sensor.
 * A message that cannot be read or is refused is answered with an `Error` holding the packet
 * and the reasons (the standard's answer to a bad message). A frame over the maximum cannot be
 * resynchronised: Skywarden answers an Error and closes that connection. Nothing a client
 * sends stops the server.
 */
import { createAddressLimit } from '../net-limits.js';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  buildRegistrationAck,
  missingMandatory,
  buildSapientError,
  sapientDurationToSeconds,
  createSapientFramer,
  decodeSapientMessage,
  encodeSapientMessage,
  frameSapient,
  sapientDetectionToRows,
  type SapientMessage,
  type SapientNode,
} from '@skywarden/formats';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import { MISSED_HEARTBEATS } from '../sensors.js';
import { createWarnLimiter } from '../warn-limiter.js';

export interface SapientStats {
  connections: number;
  registrations: number;
  refusedRegistrations: number;
  statusReports: number;
  /** StatusReports with SYSTEM_GOODBYE. */
  goodbyes: number;
  detectionReports: number;
  /** Detections journalled. */
  accepted: number;
  /** Error messages sent back. */
  errorsSent: number;
  /** Connections closed for an oversized frame. */
  oversized: number;
  /** Connections closed for sending nothing for `sapient.idle_timeout_s`. */
  idleClosed: number;
  /** TLS handshakes refused (no client certificate, or not of sapient.tls.ca). */
  refusedHandshakes: number;
  /** Connections refused because their address already held `max_connections_per_address`. */
  refusedPerAddress: number;
}

export interface SapientNodeServer {
  port: number;
  /** Skywarden's node UUID. */
  nodeId: string;
  stats(): SapientStats;
  close(): Promise<void>;
}

const KIND_OF_NODE_TYPE: Record<string, string> = {
  NODE_TYPE_RADAR: 'radar',
  NODE_TYPE_ACOUSTIC: 'acoustic',
  NODE_TYPE_CAMERA: 'eo',
  NODE_TYPE_LIDAR: 'eo',
  NODE_TYPE_PASSIVE_RF: 'rf',
  NODE_TYPE_HUMAN: 'observer',
};

/**
 * Shortest registered status interval taken (s); the longest is `sapient.idle_timeout_s`.
 * Intervals outside are clamped (with a warning): a nanosecond interval would make the node
 * flap between ok and silent, a day-long one would switch off its silence detection and hold
 * its connection open for days.
 */
export const MIN_STATUS_INTERVAL_S = 1;

/** Frames queued on one connection before it is paused. */
const MAX_QUEUED = 64;

/** A node's position from a StatusReport's node_location (degrees, WGS84), or null. */
function nodePosition(loc: unknown): SapientNode['position'] | null {
  if (loc === null || typeof loc !== 'object') return null;
  const l = loc as { x?: unknown; y?: unknown; z?: unknown; coordinateSystem?: unknown; datum?: unknown };
  const k = l.coordinateSystem === 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M' ? 1 : l.coordinateSystem === 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M' ? 180 / Math.PI : null;
  if (k === null || (l.datum !== 'LOCATION_DATUM_WGS84_E' && l.datum !== 'LOCATION_DATUM_WGS84_G')) return null;
  if (typeof l.x !== 'number' || typeof l.y !== 'number') return null;
  const lat = l.y * k;
  const lon = l.x * k;
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return null;
  const p: NonNullable<SapientNode['position']> = { latDeg: lat, lonDeg: lon };
  if (l.datum === 'LOCATION_DATUM_WGS84_E' && typeof l.z === 'number' && Number.isFinite(l.z)) p.altM = l.z;
  return p;
}

export async function startSapientNode(svc: Service): Promise<SapientNodeServer> {
  const c = svc.config.sapient;
  const log = svc.log.child({ component: 'sapient' });
  const warn = createWarnLimiter(log);
  const selfId = c.node_id ?? randomUUID();
  const mapped = new Map(c.nodes.map((n) => [n.node_id, n.sensor]));
  const certCn = new Map(c.nodes.filter((n) => n.cert_cn !== undefined).map((n) => [n.node_id, n.cert_cn as string]));
  const stats: SapientStats = { connections: 0, registrations: 0, refusedRegistrations: 0, statusReports: 0, goodbyes: 0, detectionReports: 0, accepted: 0, errorsSent: 0, oversized: 0, idleClosed: 0, refusedHandshakes: 0, refusedPerAddress: 0 };
  /** Sensors this server registered (their position follows the node's status reports). */
  const owned = new Set<string>();
  const sockets = new Set<Socket>();
  /** Open connections per remote address (net-limits.ts, as for HTTP and MQTT). */
  const perAddress = createAddressLimit(c.max_connections_per_address, null);
  const chains = new Set<Promise<void>>();
  let closed = false;

  function send(s: Socket, m: SapientMessage): void {
    if (s.destroyed || !s.writable) return;
    try {
      s.write(frameSapient(encodeSapientMessage(m)));
    } catch (err) {
      log.error({ err }, 'SAPIENT message could not be encoded');
    }
  }

  function sendError(s: Socket, to: string | undefined, packet: Uint8Array, reasons: string[], from: string): void {
    stats.errorsSent++;
    svc.metrics.rejected.inc({ source: 'sapient', reason: 'invalid_sapient' });
    warn.warn('error', { from, node: to, reason: reasons[0] }, 'SAPIENT message refused');
    send(s, buildSapientError({ nodeId: selfId, destinationId: to, t: svc.clock() }, packet, reasons));
  }

  function registerSensor(sensorId: string, kind: string, pos: SapientNode['position']): string | null {
    const def: Record<string, unknown> = { id: sensorId, kind };
    if (pos) {
      def.lat = pos.latDeg;
      def.lon = pos.lonDeg;
      if (pos.altM !== undefined) def.alt_m = pos.altM;
    }
    const errs = svc.registry.register([def]);
    if (errs.length > 0) return errs.join('; ');
    owned.add(sensorId);
    return null;
  }

  /**
   * Counts a raw TCP connection against its address's share (`max_connections_per_address`);
   * false (and the socket destroyed) past it. Over TLS this runs at the TCP connect, before the
   * handshake, so that connections stalled in their handshakes count too.
   */
  function admit(s: Socket): boolean {
    const held = perAddress.admit(s);
    if (held === null) return true;
    stats.refusedPerAddress++;
    warn.warn('per-address', { from: `${s.remoteAddress}:${s.remotePort}`, held }, `SAPIENT connection refused: ${held} already open from this address (sapient.max_connections_per_address)`);
    s.destroy();
    return false;
  }

  function onConnection(s: Socket): void {
    if (closed) {
      s.destroy();
      return;
    }
    const from = `${s.remoteAddress}:${s.remotePort}`;
    if (!c.tls && !admit(s)) return;
    stats.connections++;
    sockets.add(s);
    // over TLS the peer proved a certificate of sapient.tls.ca (the handshake refused others); its CN binds nodes to it
    const peerCn = c.tls ? ((s as TLSSocket).getPeerCertificate?.()?.subject?.CN as string | undefined) : undefined;
    // a peer that sends nothing (or stops half-way through a frame) does not hold a socket for ever
    /** The connection's idle timeout (s): idle_timeout_s, or three of its longest registered status interval. */
    let timeoutS = c.idle_timeout_s;
    /** Status intervals (s, clamped) of the nodes registered on this connection. */
    const intervals = new Map<string, number>();
    s.setTimeout(timeoutS * 1000, () => {
      stats.idleClosed++;
      warn.warn('idle', { from }, `SAPIENT connection closed: nothing received for ${timeoutS} s`);
      s.destroy();
    });
    log.info({ from }, 'SAPIENT node connected');
    const framer = createSapientFramer({ maxFrameBytes: c.max_frame_bytes });
    /** Nodes registered on this connection: node_id -> sensor and position. */
    const nodes = new Map<string, SapientNode & { kind: string }>();
    let chain: Promise<void> = Promise.resolve();
    let queued = 0;
    let failed = false;

    async function handle(payload: Uint8Array): Promise<void> {
      const d = decodeSapientMessage(payload);
      if (!d.ok) return sendError(s, undefined, payload, [d.reason], from);
      const m = d.message;
      const nodeId = m.nodeId as string;
      const now = svc.clock();
      switch (m.content) {
        case 'registration': {
          const sensorId = mapped.get(nodeId) ?? (c.accept_unknown ? `sapient-${nodeId}` : undefined);
          if (sensorId === undefined) {
            stats.refusedRegistrations++;
            warn.warn('refused', { from, node: nodeId }, 'SAPIENT registration refused: node not in sapient.nodes');
            send(s, buildRegistrationAck({ nodeId: selfId, destinationId: nodeId, t: now }, false, [`node ${nodeId} is not accepted by this fusion node (sapient.nodes)`]));
            return;
          }
          const wantCn = certCn.get(nodeId);
          if (wantCn !== undefined && peerCn !== wantCn) {
            stats.refusedRegistrations++;
            warn.warn('refused-cert', { from, node: nodeId, cn: peerCn }, 'SAPIENT registration refused: the client certificate is not the node\'s');
            send(s, buildRegistrationAck({ nodeId: selfId, destinationId: nodeId, t: now }, false, [`node ${nodeId} must connect with the client certificate of CN ${wantCn} (sapient.nodes[].cert_cn), this connection's is ${peerCn ?? 'none'}`]));
            return;
          }
          // the standard's mandatory fields (is_mandatory in its .proto files), named in the refusal
          const missing = missingMandatory('Registration', (m.registration ?? {}) as Record<string, unknown>, 'registration');
          if (missing.length > 0) {
            stats.refusedRegistrations++;
            warn.warn('refused-fields', { from, node: nodeId, missing: missing.slice(0, 10) }, 'SAPIENT registration refused: mandatory fields missing');
            send(s, buildRegistrationAck({ nodeId: selfId, destinationId: nodeId, t: now }, false, [`mandatory fields missing (BSI Flex 335 v2.0): ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}`]));
            return;
          }
          const defs = (m.registration?.nodeDefinition ?? []) as { nodeType?: string }[];
          const kind = KIND_OF_NODE_TYPE[defs[0]?.nodeType ?? ''] ?? 'other';
          const prev = nodes.get(nodeId);
          if (!svc.registry.def(sensorId)) {
            const err = registerSensor(sensorId, kind, prev?.position);
            if (err !== null) {
              stats.refusedRegistrations++;
              send(s, buildRegistrationAck({ nodeId: selfId, destinationId: nodeId, t: now }, false, [`sensor ${sensorId}: ${err}`]));
              return;
            }
          }
          nodes.set(nodeId, { sensorId, kind, position: prev?.position });
          stats.registrations++;
          // the registered status interval is the sensor's heartbeat period (silent after MISSED_HEARTBEATS of them)
          const statusDef = m.registration?.statusDefinition as { statusInterval?: unknown } | undefined;
          const asked = sapientDurationToSeconds(statusDef?.statusInterval);
          let intervalS: number | null = null;
          if (asked === null) {
            warn.warn('interval', { from, node: nodeId, statusInterval: statusDef?.statusInterval }, 'SAPIENT status interval unreadable (units unspecified or value not positive): health uses health.silent_after_s');
            intervals.delete(nodeId);
          } else {
            // held to [MIN_STATUS_INTERVAL_S, idle_timeout_s]: shorter would flap the status, longer would switch off silence detection
            intervalS = Math.min(Math.max(asked, MIN_STATUS_INTERVAL_S), c.idle_timeout_s);
            if (intervalS !== asked) {
              warn.warn(asked < intervalS ? 'interval-short' : 'interval-long', { from, node: nodeId, status_interval_s: asked, used_s: intervalS }, `SAPIENT status interval outside [${MIN_STATUS_INTERVAL_S} s, sapient.idle_timeout_s = ${c.idle_timeout_s} s]: ${intervalS} s used`);
            }
            intervals.set(nodeId, intervalS);
          }
          svc.registry.heartbeat(sensorId, intervalS);
          // the connection is not idle before its quietest node is silent; set at every registration, so a shorter interval lowers it again
          timeoutS = Math.max(c.idle_timeout_s, MISSED_HEARTBEATS * Math.max(0, ...intervals.values()));
          s.setTimeout(timeoutS * 1000);
          svc.registry.heard(sensorId, now);
          log.info({ from, node: nodeId, sensor: sensorId, kind, name: m.registration?.name, status_interval_s: intervalS, socket_timeout_s: timeoutS }, 'SAPIENT node registered');
          send(s, buildRegistrationAck({ nodeId: selfId, destinationId: nodeId, t: now }, true));
          return;
        }
        case 'statusReport': {
          const node = nodes.get(nodeId);
          if (!node) return sendError(s, nodeId, payload, [`node ${nodeId} is not registered (send a Registration first)`], from);
          stats.statusReports++;
          if (m.statusReport?.system === 'SYSTEM_GOODBYE') {
            stats.goodbyes++;
            svc.registry.gone(node.sensorId, now, 'goodbye: the node said it is disconnecting (SAPIENT SYSTEM_GOODBYE)');
            log.info({ from, node: nodeId, sensor: node.sensorId }, 'SAPIENT node said goodbye');
          } else svc.registry.heard(node.sensorId, now);
          const pos = nodePosition(m.statusReport?.nodeLocation);
          if (pos) {
            node.position = pos;
            const def = svc.registry.def(node.sensorId);
            const moved = !def || def.lat !== pos.latDeg || def.lon !== pos.lonDeg || def.alt_m !== pos.altM;
            if (owned.has(node.sensorId) && moved) {
              const err = registerSensor(node.sensorId, node.kind, pos);
              if (err !== null) warn.warn('position', { node: nodeId, err }, 'SAPIENT node position not registered');
            }
          }
          return;
        }
        case 'detectionReport': {
          stats.detectionReports++;
          const r = sapientDetectionToRows(m, nodes);
          if (!r.ok) return sendError(s, nodeId, payload, [r.reason], from);
          const node = nodes.get(nodeId)!;
          const principal: Principal = { id: `sapient:${nodeId}`, gateway: false, sensors: [node.sensorId], tokenHash: '' };
          const res = await svc.ingest.ingest(principal, r.rows, 'sapient');
          stats.accepted += res.accepted;
          if (res.rejected.length > 0) sendError(s, nodeId, payload, res.rejected.map((x) => x.message), from);
          return;
        }
        default:
          return sendError(s, nodeId, payload, [`this fusion node takes registration, status_report and detection_report; ${m.content ?? 'nothing'} is not handled`], from);
      }
    }

    s.on('data', (chunk: Buffer) => {
      if (failed) return;
      for (const f of framer.push(chunk)) {
        if (!f.ok) {
          failed = true;
          stats.oversized++;
          sendError(s, undefined, new Uint8Array(0), [f.reason], from);
          s.end();
          setTimeout(() => s.destroy(), 1000).unref();
          return;
        }
        queued++;
        const p = chain.then(() =>
          handle(f.payload).catch((err: Error) => {
            log.error({ err, from }, 'SAPIENT message failed');
            if (!closed) sendError(s, undefined, f.payload, [`could not be handled: ${err.message}`], from);
          }),
        );
        chain = p.finally(() => {
          chains.delete(p);
          queued--;
          if (queued < MAX_QUEUED / 2 && s.isPaused()) s.resume();
        });
        chains.add(p);
      }
      if (queued >= MAX_QUEUED) s.pause();
    });
    s.on('error', (err) => log.debug({ err: err.message, from }, 'SAPIENT connection error'));
    s.on('close', () => {
      sockets.delete(s);
      log.info({ from, nodes: [...nodes.keys()] }, 'SAPIENT node disconnected');
    });
  }

  const server: Server = c.tls
    ? createTlsServer({ cert: readFileSync(c.tls.cert), key: readFileSync(c.tls.key), ca: readFileSync(c.tls.ca), requestCert: true, rejectUnauthorized: true, handshakeTimeout: 10_000 }, onConnection)
    : createServer(onConnection);
  // a failed TLS handshake (no certificate, another CA) is the client's problem, logged, never the server's
  server.on('tlsClientError', (err: Error, s: Socket) => {
    stats.refusedHandshakes++;
    warn.warn('tls', { from: `${s.remoteAddress}:${s.remotePort}`, err: err.message }, 'SAPIENT TLS handshake refused');
  });
  // over TLS the share is counted on the raw connection (the handshake comes after)
  if (c.tls) server.on('connection', (raw: Socket) => void admit(raw));
  server.maxConnections = c.max_connections;
  server.listen(c.port, c.host);
  await once(server, 'listening'); // rejects on a listen error (port in use)
  server.on('error', (err) => log.error({ err }, 'SAPIENT server error'));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : c.port;
  log.info({ host: c.host, port, node_id: selfId, tls: c.tls !== null }, 'SAPIENT fusion node listening');

  return {
    port,
    nodeId: selfId,
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((r) => server.close(() => r()));
      await Promise.allSettled([...chains]);
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}
