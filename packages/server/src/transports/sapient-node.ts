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
 * A message that cannot be read or is refused is answered with an `Error` holding the first
 * ERROR_PACKET_PREFIX_BYTES of the packet and the reasons (the standard's answer to a bad
 * message). A frame over the maximum cannot be resynchronised: Skywarden answers an Error and
 * closes that connection. Nothing a client sends stops the server.
 *
 * What one client can cost the service is bounded (an outside probe found each of these open):
 * - CPU: a message's elements (sub-messages and repeated values) are counted on its wire bytes
 *   before it is decoded (`scanSapientMessage`), at most `sapient.max_message_elements`; from
 *   the same scan, a StatusReport or DetectionReport of a node not registered on the connection,
 *   and any kind this node does not take, are refused without being decoded. A connection's
 *   frames are handled one at a time with a turn of the event loop between them (setImmediate),
 *   so a burst of frames cannot hold HTTP and the other connections up.
 * - Memory: replies waiting to be sent past `sapient.max_write_backlog_bytes` (a client that
 *   does not read its Errors) close the connection; an Error copies back a short prefix of the
 *   packet, not the packet.
 * - Sensors: `accept_unknown` registers at most `sapient.max_unknown_nodes` nodes, and one
 *   connection registers at most `sapient.max_nodes_per_connection` node ids.
 * - Connection slots: a connection that has registered no node `sapient.registration_timeout_s`
 *   after it opened is closed; at `sapient.max_connections`, a new connection closes the oldest
 *   one that has registered no node (if it is at least EVICT_GRACE_S old), else it is refused.
 * Every refusal is counted (`stats()`) and logged, at most once every 10 s per kind.
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
  scanSapientMessage,
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
  /** Messages refused before decoding for holding more than `max_message_elements` elements (or nesting too deep). */
  tooManyElements: number;
  /** StatusReports and DetectionReports refused before decoding: their node is not registered on the connection. */
  unregisteredRefused: number;
  /** Connections closed because replies waiting for them passed `max_write_backlog_bytes`. */
  backlogClosed: number;
  /** Registrations refused because `accept_unknown` already took `max_unknown_nodes` nodes. */
  unknownOverLimit: number;
  /** Registrations refused because their connection already registered `max_nodes_per_connection` node ids. */
  nodesPerConnectionOverLimit: number;
  /** Connections closed for registering no node within `registration_timeout_s`. */
  registrationTimeouts: number;
  /** Connections with no registered node closed to make room for a new one at `max_connections`. */
  evicted: number;
  /** Connections refused at `max_connections` (no connection without a node old enough to close). */
  refusedFull: number;
  /** Connections closed because their node registered again on a new connection (one live connection per node). */
  takenOver: number;
  /** Connections closed after {@link MAX_PROTOCOL_ERRORS} messages that were not SAPIENT, not for this node, or from no registered node (their queued frames dropped). */
  protocolErrorsClosed: number;
  /** Registrations refused with `accept_unknown` because the node id is not a UUID. */
  notUuidRefused: number;
  /** DetectionReports whose detections were journalled but not fused (too late for the live picture), told to the node in an Error. */
  notFusedReported: number;
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
/** Detection reports of one connection whose journal commit may be pending at once (the next frame waits beyond). */
const MAX_COMMITS_IN_FLIGHT = 256;

/**
 * Messages one connection may send that are refused as frames (not a SapientMessage, over the
 * element limits, content this node does not take, a report of no node registered on it) before
 * the connection is closed and the frames it still has queued are dropped. A node whose
 * messages are refused that often is broken or hostile; 15 s of zero-length frames from 250
 * connections had kept the service busy for 4.5 minutes after they closed, with 2.8 GB (an
 * outside probe, 2026-12-07: one 64 KB read holds 16,384 empty frames). Refusals of detections
 * inside a good DetectionReport (a bad field, a time too far off) do not count.
 */
export const MAX_PROTOCOL_ERRORS = 32;

/**
 * The longest node id taken (characters; a UUID has 36). A longer one is refused as a frame and
 * never echoed: a Registration with a node_id of 500,000 characters had been logged whole and
 * answered with a RegistrationAck of 1 MB (an outside review, 2026-12-07).
 */
export const MAX_NODE_ID_CHARS = 128;

/** Text of a node's own (a registration's name) as logged: at most this many characters. */
const LOGGED_TEXT_CHARS = 200;

/** A node id as the standard writes it (BSI Flex 335 v2.0: a UUID, RFC 4122 text form). */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bytes of a refused packet copied back in its Error. The standard has the packet in the Error
 * so that the sender can tell which message was refused, and allows it to be left out; a prefix
 * identifies it as well. The whole packet (up to `max_frame_bytes`) made every refusal as large
 * as the message refused: a client that sent 1 MB messages and read nothing grew the service's
 * write buffers without limit (an outside probe).
 */
export const ERROR_PACKET_PREFIX_BYTES = 256;

/** Most reasons an Error carries (a DetectionReport whose rows are all refused could list many). */
const MAX_ERROR_REASONS = 16;

/**
 * Age (s) before which a connection with no registered node is not closed to make room for a
 * new one at `max_connections`: a real node needs a moment between its connect (and TLS
 * handshake) and its Registration, and a flood of new connections would otherwise close each
 * real node's connection before it could register.
 */
export const EVICT_GRACE_S = 2;

/** A TCP connection as the cap on connections sees it (over TLS, the raw socket and its TLS socket). */
interface Conn {
  key: string;
  from: string;
  /** Opened (performance.now(), ms). */
  opened: number;
  sockets: Socket[];
}

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
  const stats: SapientStats = {
    connections: 0, registrations: 0, refusedRegistrations: 0, statusReports: 0, goodbyes: 0, detectionReports: 0, accepted: 0, errorsSent: 0, oversized: 0, idleClosed: 0, refusedHandshakes: 0, refusedPerAddress: 0,
    tooManyElements: 0, unregisteredRefused: 0, backlogClosed: 0, unknownOverLimit: 0, nodesPerConnectionOverLimit: 0, registrationTimeouts: 0, evicted: 0, refusedFull: 0, takenOver: 0,
    protocolErrorsClosed: 0, notUuidRefused: 0, notFusedReported: 0,
  };
  /** Sensors this server registered (their position follows the node's status reports). */
  const owned = new Set<string>();
  /** Node ids `accept_unknown` registered (at most `max_unknown_nodes`). */
  const unknownTaken = new Set<string>();
  /**
   * The connection each node id is registered on, and how to close it: one live connection per
   * node. A node that registers again on a new connection (it reconnected; the old one may be
   * half-open) takes over, and the old connection is closed: otherwise any number of connections
   * could register one node id each and keep their slots for good (a review held every slot so).
   */
  const liveNodes = new Map<string, { conn: Conn; close: () => void }>();
  const sockets = new Set<Socket>();
  /** Open connections per remote address (net-limits.ts, as for HTTP and MQTT). */
  const perAddress = createAddressLimit(c.max_connections_per_address, null);
  /** Open TCP connections (the cap, `max_connections`), by remote address and port. */
  const conns = new Map<string, Conn>();
  /** Those that have registered no node yet, oldest first (insertion order): the ones evicted at the cap. */
  const unregistered = new Map<string, Conn>();
  /** Messages being handled, and turns of the event loop before the next one: close() waits for them. */
  const chains = new Set<Promise<void>>();
  let closed = false;

  const connKey = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}`;

  /**
   * Counts a raw TCP connection against its address's share (`max_connections_per_address`)
   * and against `max_connections`; false (and the socket destroyed) past them. At the cap, the
   * oldest connection that has registered no node (and is EVICT_GRACE_S old) is closed to make
   * room: left to the cap alone, idle connections held every slot for `idle_timeout_s` and real
   * nodes were refused meanwhile, silently (an outside probe). Over TLS this runs at the TCP
   * connect, before the handshake, so that connections stalled in their handshakes count too.
   */
  function admit(s: Socket): Conn | null {
    const from = `${s.remoteAddress}:${s.remotePort}`;
    if (closed) {
      s.destroy();
      return null;
    }
    const held = perAddress.admit(s);
    if (held !== null) {
      stats.refusedPerAddress++;
      warn.warn('per-address', { from, held }, `SAPIENT connection refused: ${held} already open from this address (sapient.max_connections_per_address)`);
      s.destroy();
      return null;
    }
    if (conns.size >= c.max_connections) {
      const oldest = unregistered.values().next().value as Conn | undefined;
      const ageS = oldest ? (performance.now() - oldest.opened) / 1000 : 0;
      if (!oldest || ageS < EVICT_GRACE_S) {
        bounded('refusedFull');
        warn.warn('full', { from, open: conns.size, unregistered: unregistered.size }, `SAPIENT connection refused: ${conns.size} open (sapient.max_connections), none without a registered node for ${EVICT_GRACE_S} s or more to close`);
        s.destroy();
        return null;
      }
      bounded('evicted');
      warn.warn('evicted', { from: oldest.from, for: from, age_s: Math.round(ageS * 10) / 10 }, `SAPIENT connection closed to make room at sapient.max_connections (${c.max_connections}): it had registered no node`);
      dropConn(oldest);
    }
    const conn: Conn = { key: connKey(s), from, opened: performance.now(), sockets: [s] };
    conns.set(conn.key, conn);
    unregistered.set(conn.key, conn);
    s.once('close', () => {
      if (conns.get(conn.key) === conn) dropConn(conn);
    });
    return conn;
  }

  /** Counts one of the bounds on what a client costs (the stats and the metric skywarden_sapient_refusals_total). */
  function bounded(kind: 'refusedFull' | 'evicted' | 'registrationTimeouts' | 'backlogClosed' | 'tooManyElements' | 'unregisteredRefused' | 'nodesPerConnectionOverLimit' | 'unknownOverLimit' | 'takenOver' | 'protocolErrorsClosed' | 'notUuidRefused'): void {
    stats[kind]++;
    svc.metrics.sapientRefusals.inc({ kind });
  }

  /** Forgets a connection (its slot is free at once) and closes its sockets. */
  function dropConn(conn: Conn): void {
    if (conns.get(conn.key) === conn) conns.delete(conn.key);
    if (unregistered.get(conn.key) === conn) unregistered.delete(conn.key);
    for (const x of conn.sockets) x.destroy();
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

  function onConnection(s: Socket, raw: Conn | null): void {
    if (closed) {
      s.destroy();
      return;
    }
    // over TLS, the raw connection counted at its TCP connect (gone if it was closed meanwhile)
    const conn = raw ?? conns.get(connKey(s));
    if (conn === undefined) {
      s.destroy();
      return;
    }
    if (!conn.sockets.includes(s)) conn.sockets.push(s);
    const from = conn.from;
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
      stop();
    });
    // a connection that registers no node gives its slot back soon (it need not be silent: refused registrations do not count)
    const registrationDeadline = setTimeout(() => {
      if (nodes.size > 0 || s.destroyed) return;
      bounded('registrationTimeouts');
      warn.warn('no-registration', { from }, `SAPIENT connection closed: no node registered within ${c.registration_timeout_s} s (sapient.registration_timeout_s)`);
      stop();
    }, c.registration_timeout_s * 1000);
    registrationDeadline.unref();
    log.info({ from }, 'SAPIENT node connected');
    const framer = createSapientFramer({ maxFrameBytes: c.max_frame_bytes });
    /** Nodes registered on this connection: node_id -> sensor and position. */
    const nodes = new Map<string, SapientNode & { kind: string }>();
    /** Frames waiting to be handled, in order, and their bytes. */
    const queue: Uint8Array[] = [];
    let queuedBytes = 0;
    /** Past this many bytes queued the socket is paused (as past MAX_QUEUED frames). */
    const maxQueuedBytes = Math.max(4 * c.max_frame_bytes, 1 << 20);
    let running = false;
    /** This connection's detection reports whose journal commit is pending (the next frame does not wait for them). */
    const commits = new Set<Promise<void>>();
    /** Set when the service closes the connection: the frames still queued are not handled. */
    let stopped = false;

    /** Closes the connection on the service's initiative (its queue is dropped). */
    function stop(): void {
      stopped = true;
      queue.length = 0;
      queuedBytes = 0;
      dropConn(conn!);
      s.destroy();
    }

    function send(m: SapientMessage): void {
      if (s.destroyed || !s.writable) return;
      let bytes: Uint8Array;
      try {
        bytes = frameSapient(encodeSapientMessage(m));
      } catch (err) {
        log.error({ err }, 'SAPIENT message could not be encoded');
        return;
      }
      s.write(bytes);
      // a client that does not read its replies: they would pile up in memory without end
      if (s.writableLength > c.max_write_backlog_bytes) {
        bounded('backlogClosed');
        warn.warn('backlog', { from, backlog_bytes: s.writableLength }, `SAPIENT connection closed: ${s.writableLength} bytes of replies unread, more than sapient.max_write_backlog_bytes (${c.max_write_backlog_bytes})`);
        stop();
      }
    }

    /** Messages of this connection refused as frames (see {@link MAX_PROTOCOL_ERRORS}). */
    let protocolErrors = 0;
    /** Refuses a message as a frame: an Error back, and past MAX_PROTOCOL_ERRORS the connection closed and its queue dropped. */
    function refuseFrame(to: string | undefined, packet: Uint8Array, reasons: string[]): void {
      sendError(to, packet, reasons);
      if (++protocolErrors < MAX_PROTOCOL_ERRORS || stopped) return;
      bounded('protocolErrorsClosed');
      warn.warn('protocol-errors', { from, refused: protocolErrors, queued: queue.length }, `SAPIENT connection closed: ${MAX_PROTOCOL_ERRORS} of its messages refused (not SapientMessages, not for this node, or from no registered node); its ${queue.length} queued frames dropped`);
      stop();
    }

    function sendError(to: string | undefined, packet: Uint8Array, reasons: string[]): void {
      stats.errorsSent++;
      svc.metrics.rejected.inc({ source: 'sapient', reason: 'invalid_sapient' });
      warn.warn('error', { from, node: to, reason: reasons[0] }, 'SAPIENT message refused');
      send(buildSapientError({ nodeId: selfId, destinationId: to, t: svc.clock() }, packet.subarray(0, ERROR_PACKET_PREFIX_BYTES), reasons.slice(0, MAX_ERROR_REASONS)));
    }

    function refuseRegistration(nodeId: string, now: number, reason: string): void {
      stats.refusedRegistrations++;
      send(buildRegistrationAck({ nodeId: selfId, destinationId: nodeId, t: now }, false, [reason]));
    }

    async function handle(payload: Uint8Array): Promise<void> {
      // What the message is and whom it is from, read off its bytes: refused here, a message
      // costs one pass over its bytes, not a decode (which is where 1 MB of repeated elements
      // took half a second of the event loop).
      const scan = scanSapientMessage(payload, { maxElements: c.max_message_elements });
      if (!scan.ok) {
        // over the limits (the setting named), or bytes that are not a SapientMessage
        if (!scan.limit) return refuseFrame(undefined, payload, [scan.reason]);
        bounded('tooManyElements');
        return refuseFrame(undefined, payload, [`${scan.reason} (sapient.max_message_elements = ${c.max_message_elements})`]);
      }
      if (scan.nodeId !== undefined && scan.nodeId.length > MAX_NODE_ID_CHARS) {
        return refuseFrame(undefined, payload, [`node_id of ${scan.nodeId.length} characters; at most ${MAX_NODE_ID_CHARS} (a UUID has 36)`]);
      }
      if (scan.content !== undefined && scan.content !== 'registration' && scan.content !== 'statusReport' && scan.content !== 'detectionReport') {
        return refuseFrame(scan.nodeId, payload, [`this fusion node takes registration, status_report and detection_report; ${scan.content} is not handled`]);
      }
      if ((scan.content === 'statusReport' || scan.content === 'detectionReport') && !nodes.has(scan.nodeId ?? '')) {
        bounded('unregisteredRefused');
        return refuseFrame(scan.nodeId, payload, [`node ${scan.nodeId ?? '(no node_id)'} is not registered on this connection (send a Registration first); its ${scan.content} was not read`]);
      }
      const d = decodeSapientMessage(payload, { maxElements: c.max_message_elements, scanned: true });
      if (!d.ok) return refuseFrame(undefined, payload, [d.reason]);
      const m = d.message;
      const nodeId = m.nodeId as string;
      const now = svc.clock();
      switch (m.content) {
        case 'registration': {
          const sensorId = mapped.get(nodeId) ?? (c.accept_unknown ? `sapient-${nodeId}` : undefined);
          // a node the config does not list is taken only under the standard's id (a UUID): an id
          // of any text became a sensor of that name (markup, a slash, right-to-left overrides)
          if (sensorId !== undefined && !mapped.has(nodeId) && !UUID_RE.test(nodeId)) {
            bounded('notUuidRefused');
            warn.warn('not-uuid', { from, node: nodeId.slice(0, 80) }, 'SAPIENT registration refused: an unlisted node id that is not a UUID');
            return refuseRegistration(nodeId, now, `node_id ${JSON.stringify(nodeId.slice(0, 80))} is not a UUID (BSI Flex 335 v2.0); an unlisted node (sapient.accept_unknown) must use one`);
          }
          if (sensorId === undefined) {
            warn.warn('refused', { from, node: nodeId }, 'SAPIENT registration refused: node not in sapient.nodes');
            return refuseRegistration(nodeId, now, `node ${nodeId} is not accepted by this fusion node (sapient.nodes)`);
          }
          const wantCn = certCn.get(nodeId);
          if (wantCn !== undefined && peerCn !== wantCn) {
            warn.warn('refused-cert', { from, node: nodeId, cn: peerCn }, 'SAPIENT registration refused: the client certificate is not the node\'s');
            return refuseRegistration(nodeId, now, `node ${nodeId} must connect with the client certificate of CN ${wantCn} (sapient.nodes[].cert_cn), this connection's is ${peerCn ?? 'none'}`);
          }
          // one connection cannot register node ids without end (each one a sensor, a timer, a line in its interval table)
          if (!nodes.has(nodeId) && nodes.size >= c.max_nodes_per_connection) {
            bounded('nodesPerConnectionOverLimit');
            warn.warn('per-connection', { from, node: nodeId, nodes: nodes.size }, 'SAPIENT registration refused: the connection holds sapient.max_nodes_per_connection nodes');
            return refuseRegistration(nodeId, now, `this connection has registered ${nodes.size} nodes already, the most one connection may (sapient.max_nodes_per_connection); node ${nodeId} is refused`);
          }
          // the standard's mandatory fields (is_mandatory in its .proto files), named in the refusal
          const missing = missingMandatory('Registration', (m.registration ?? {}) as Record<string, unknown>, 'registration');
          if (missing.length > 0) {
            warn.warn('refused-fields', { from, node: nodeId, missing: missing.slice(0, 10) }, 'SAPIENT registration refused: mandatory fields missing');
            return refuseRegistration(nodeId, now, `mandatory fields missing (BSI Flex 335 v2.0): ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}`);
          }
          // accept_unknown takes a bounded number of new nodes: each is a sensor for good (kept, walked by every tick, listed by the API)
          const unknown = !mapped.has(nodeId) && !unknownTaken.has(nodeId) && !svc.registry.def(sensorId);
          if (unknown && unknownTaken.size >= c.max_unknown_nodes) {
            bounded('unknownOverLimit');
            warn.warn('unknown-limit', { from, node: nodeId, limit: c.max_unknown_nodes }, 'SAPIENT registration refused: accept_unknown already took sapient.max_unknown_nodes nodes');
            return refuseRegistration(nodeId, now, `node ${nodeId} is not listed in sapient.nodes and this fusion node already took ${unknownTaken.size} unlisted nodes, the most it takes (sapient.max_unknown_nodes)`);
          }
          const defs = (m.registration?.nodeDefinition ?? []) as { nodeType?: string }[];
          const kind = KIND_OF_NODE_TYPE[defs[0]?.nodeType ?? ''] ?? 'other';
          const prev = nodes.get(nodeId);
          if (!svc.registry.def(sensorId)) {
            const err = registerSensor(sensorId, kind, prev?.position);
            if (err !== null) return refuseRegistration(nodeId, now, `sensor ${sensorId}: ${err}`);
          }
          if (unknown) unknownTaken.add(nodeId);
          nodes.set(nodeId, { sensorId, kind, position: prev?.position });
          const holder = liveNodes.get(nodeId);
          if (holder !== undefined && holder.conn !== conn) {
            bounded('takenOver');
            warn.warn('taken-over', { from, node: nodeId, old: holder.conn.from }, 'SAPIENT node registered on a new connection: its old connection is closed');
            holder.close();
          }
          liveNodes.set(nodeId, { conn: conn!, close: stop });
          // a connection with a node keeps its slot (not closed for the registration deadline, nor to make room)
          unregistered.delete(conn!.key);
          clearTimeout(registrationDeadline);
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
          // (a loop over at most max_nodes_per_connection intervals, not a spread of an unbounded array)
          let longest = 0;
          for (const v of intervals.values()) if (v > longest) longest = v;
          timeoutS = Math.max(c.idle_timeout_s, MISSED_HEARTBEATS * longest);
          s.setTimeout(timeoutS * 1000);
          svc.registry.heard(sensorId, now);
          const name = m.registration?.name;
          log.info({ from, node: nodeId, sensor: sensorId, kind, name: typeof name === 'string' ? name.slice(0, LOGGED_TEXT_CHARS) : name, status_interval_s: intervalS, socket_timeout_s: timeoutS }, 'SAPIENT node registered');
          send(buildRegistrationAck({ nodeId: selfId, destinationId: nodeId, t: now }, true));
          return;
        }
        case 'statusReport': {
          const node = nodes.get(nodeId);
          if (!node) return sendError(nodeId, payload, [`node ${nodeId} is not registered (send a Registration first)`]);
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
          if (!r.ok) return sendError(nodeId, payload, [r.reason]);
          // a report taken with a part left out (a value that is not finite, an altitude above the geoid) is logged
          for (const w of r.warnings) warn.warn('report-warning', { from, node: nodeId, reason: w }, 'SAPIENT detection taken with a part left out');
          const node = nodes.get(nodeId)!;
          const principal: Principal = { id: `sapient:${nodeId}`, gateway: false, sensors: [node.sensorId], tokenHash: '' };
          // The next frame does not wait for this one's journal commit: a report is one detection,
          // and waiting for each commit (its group-commit wait and the store's thread) held a
          // connection to 350-450 reports a second, behind which the live picture lost most of a
          // 1,000-a-second node's detections as late (an outside probe, 2026-12-07). The rows go
          // to the journal in the frames' order all the same; at most MAX_COMMITS_IN_FLIGHT wait.
          const committed = svc.ingest.ingest(principal, r.rows, 'sapient').then((res) => {
            stats.accepted += res.accepted;
            if (res.rejected.length > 0) sendError(nodeId, payload, res.rejected.map((x) => x.message));
            if (res.notFused.length > 0) {
              // journalled, but too late for the live picture (a node clock behind): the node is told,
              // as an MQTT sensor is on its errors topic, else it would feed nothing and look healthy
              stats.notFusedReported++;
              warn.warn('not-fused', { from, node: nodeId, reason: res.notFused[0].message }, 'SAPIENT detections journalled but not fused');
              send(buildSapientError({ nodeId: selfId, destinationId: nodeId, t: svc.clock() }, payload.subarray(0, ERROR_PACKET_PREFIX_BYTES), res.notFused.slice(0, MAX_ERROR_REASONS).map((x) => `kept but not fused: ${x.message}`)));
            }
          });
          const tracked: Promise<void> = committed
            .catch((err: Error) => {
              log.error({ err, from }, 'SAPIENT message failed');
              if (!closed) sendError(undefined, payload, [`could not be handled: ${err.message}`]);
            })
            .finally(() => {
              commits.delete(tracked);
              chains.delete(tracked);
            });
          commits.add(tracked);
          chains.add(tracked);
          if (commits.size >= MAX_COMMITS_IN_FLIGHT) await Promise.race(commits);
          return;
        }
        default:
          return refuseFrame(nodeId, payload, [`this fusion node takes registration, status_report and detection_report; ${m.content ?? 'nothing'} is not handled`]);
      }
    }

    /**
     * Handles the next queued frame; the one after it waits for a turn of the event loop
     * (setImmediate), so that one connection's burst of frames does not keep HTTP, the other
     * connections and the timers waiting (promise chaining ran them all back to back).
     */
    function pump(): void {
      if (running || stopped) return;
      const payload = queue.shift();
      if (payload === undefined) return;
      running = true;
      const p = handle(payload)
        .catch((err: Error) => {
          log.error({ err, from }, 'SAPIENT message failed');
          if (!closed) sendError(undefined, payload, [`could not be handled: ${err.message}`]);
        })
        .finally(() => {
          chains.delete(p);
          running = false;
          queuedBytes -= payload.length;
          if (stopped) return;
          if (s.isPaused() && !closed && queue.length < MAX_QUEUED / 2 && queuedBytes < maxQueuedBytes / 2) s.resume();
          if (queue.length === 0) return;
          // close() waits for this turn too: the frames received are handled before the service stops
          const next = new Promise<void>((r) =>
            setImmediate(() => {
              chains.delete(next);
              pump();
              r();
            }),
          );
          chains.add(next);
        });
      chains.add(p);
    }

    s.on('data', (chunk: Buffer) => {
      if (stopped) return;
      for (const f of framer.push(chunk)) {
        if (!f.ok) {
          stopped = true;
          stats.oversized++;
          queue.length = 0;
          sendError(undefined, new Uint8Array(0), [f.reason]);
          s.end();
          setTimeout(() => dropConn(conn!), 1000).unref();
          return;
        }
        if (f.payload.length === 0) {
          // no SapientMessage is empty (node_id and content are mandatory): refused here, unqueued,
          // so that a read of 16,384 empty frames costs at most MAX_PROTOCOL_ERRORS refusals
          refuseFrame(undefined, f.payload, ['an empty frame holds no SapientMessage (node_id and a content are mandatory)']);
          if (stopped) return;
          continue;
        }
        queue.push(f.payload);
        queuedBytes += f.payload.length;
      }
      if (queue.length >= MAX_QUEUED || queuedBytes >= maxQueuedBytes) s.pause();
      pump();
    });
    s.on('error', (err) => log.debug({ err: err.message, from }, 'SAPIENT connection error'));
    s.on('close', () => {
      sockets.delete(s);
      clearTimeout(registrationDeadline);
      for (const id of nodes.keys()) if (liveNodes.get(id)?.conn === conn) liveNodes.delete(id);
      dropConn(conn!);
      log.info({ from, nodes: [...nodes.keys()] }, 'SAPIENT node disconnected');
    });
  }

  const server: Server = c.tls
    ? createTlsServer({ cert: readFileSync(c.tls.cert), key: readFileSync(c.tls.key), ca: readFileSync(c.tls.ca), requestCert: true, rejectUnauthorized: true, handshakeTimeout: 10_000 }, (s) => onConnection(s, null))
    : createServer((s) => {
        const conn = admit(s);
        if (conn !== null) onConnection(s, conn);
      });
  // a failed TLS handshake (no certificate, another CA) is the client's problem, logged, never the server's
  server.on('tlsClientError', (err: Error, s: Socket) => {
    stats.refusedHandshakes++;
    warn.warn('tls', { from: `${s.remoteAddress}:${s.remotePort}`, err: err.message }, 'SAPIENT TLS handshake refused');
  });
  // over TLS the shares and the cap are counted on the raw connection (the handshake comes after)
  if (c.tls) server.on('connection', (raw: Socket) => void admit(raw));
  // no server.maxConnections: admit() holds the cap itself, so that it can make room (and log and count a refusal)
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
      // no more frames are read; those already received are handled
      for (const s of sockets) s.pause();
      // the frames already received are handled (each connection's next frame waits a turn: loop until none is left)
      while (chains.size > 0) await Promise.allSettled([...chains]);
      for (const s of sockets) s.destroy();
      for (const conn of [...conns.values()]) dropConn(conn);
      await done;
    },
  };
}
