/**
 * Cursor-on-Target to and from TAK (configuration section `tak`, docs/standards.md).
 *
 * Out: every confirmed track of each report as a CoT event (`trackToCot`), each track at most
 * every `tak.interval_s`, and each alert change as the zone's drawn shapes (`alertToCot`,
 * re-sent every 2 minutes while the zone stays alerted, and on every new TAK Server
 * connection). Events go to
 * - a TAK Server's streaming port (`tak.mode: client`): TCP 8087, or TLS 8089 with a client
 *   certificate (`tak.tls`), reconnecting with a doubling wait up to `tak.reconnect_max_s`;
 * - UDP (`tak.udp`): the SA multicast group (default 239.2.3.1:6969, TTL `tak.udp.ttl`) or
 *   one host, one event per datagram.
 *
 * In (`tak.read_markers`): events the TAK Server streams to us on the same connection, and
 * datagrams on the optional UDP listener (`tak.listen`, joining `tak.listen.group` when set),
 * are read with `parseCot`; air markers of TAK users become observer detections of sensor
 * `tak.observer_sensor` (registered as kind `observer` when missing) through the one ingest
 * path (source `cot`). Anything else is ignored (counted); malformed input is counted and
 * logged (rate-limited), and never stops the transport.
 *
 * TAK protocol 1 (protobuf, `tak.protocol`): on the TAK Server connection, when the server
 * offers protocol 1 (`t-x-takp-v`) and `tak.protocol` is not `xml`, the client requests it
 * (`t-x-takp-q`), holds its events until the answer (`t-x-takp-r`), and after a `true`
 * answer writes and expects 0xBF-framed `TakMessage`s; after `false`, or with no offer, it
 * stays with XML. No answer within a minute closes the connection (the protocol's rule) and
 * it reconnects. Frames are read whenever they come, before or after the switch; a bad frame
 * of known length is skipped, a stream that cannot be framed (no 0xBF where a frame must
 * start after the switch, a length varint over 10 bytes or over the size limit) is closed
 * and reconnected. UDP: datagrams starting with 0xBF are read as mesh protocol 1, others as
 * XML; events are sent as XML unless `tak.protocol` is `1`.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, isIPv6, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import {
  alertToCot,
  cotToTakMessage,
  createTakStreamReader,
  decodeTakMessage,
  frameTakMesh,
  frameTakStream,
  parseCot,
  readTakMeshDatagram,
  takControlEvent,
  takControlMessage,
  XML_DECLARATION,
  takControlOf,
  trackToCot,
  type AlertWire,
  type TrackWire,
  type Zone,
} from '@skywarden/formats';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import { createWarnLimiter } from '../warn-limiter.js';
import { createBackoff, readPemFile } from './link-util.js';
import { createMeshVersions, TAK_CONTROL_EVERY_S } from './tak-mesh.js';
import { parseAllowList } from '../config.js';
import { createTokenBucket, takeTokens } from '../token-bucket.js';

/** Counters of the CoT transport (also useful in tests). */
export interface TakStats {
  /** Events written to the TAK Server connection and sent as UDP datagrams. */
  tcpEvents: number;
  udpEvents: number;
  /** Track and alert-shape events generated. */
  trackEvents: number;
  alertEvents: number;
  /** Events dropped because the TCP connection was not keeping up. */
  dropped: number;
  /** Successful connections to the TAK Server. */
  connects: number;
  /** Events read (TCP and UDP), and what became of them. */
  received: number;
  accepted: number;
  duplicates: number;
  ignored: number;
  /** Malformed events and input (not XML, not an event, over the size limit, refused by the ingest). */
  bad: number;
  /** Datagrams from addresses outside `tak.listen.allow_from`, dropped unread. */
  refused: number;
  /** Events too large for one UDP datagram, sent on TCP only. */
  tooLarge: number;
  /** TAK protocol 1 messages read (TCP frames and UDP datagrams), counted in `received` too when they hold an event. */
  protoReceived: number;
  /** TAK Server connections closed because their stream could not be framed. */
  unframeable: number;
  /** Standalone TakControl datagrams sent on the mesh (`tak.protocol: 1`). */
  controlsSent: number;
  /** Received events dropped before they were read: the observer sensor had no detection left within its rate limit. */
  overRate: number;
  /** Times the TAK Server's connection stopped being read while {@link MAX_PENDING_EVENTS} events waited for the journal. */
  paused: number;
  /** UDP datagrams dropped unread: the listener had read `tak.listen.max_bytes_per_s` in the last second. */
  overBytes: number;
}

/** CoT events waiting for the journal at most; beyond, the TAK Server's connection is not read (TCP backpressure) until half of them are in. */
export const MAX_PENDING_EVENTS = 256;

export interface TakCot {
  /** Port of the UDP listener, or null when not listening. */
  listenPort: number | null;
  /** Connected to the TAK Server now. */
  readonly connected: boolean;
  /** What is written to the TAK Server connection now: `xml`, or `1` after a negotiated switch. */
  readonly tcpProtocol: 'xml' | 1;
  /** Events held on the TAK Server connection while a protocol request awaits its answer. */
  readonly heldEvents: number;
  stats(): TakStats;
  close(): Promise<void>;
}

/** Largest CoT event read from the TCP stream (characters); a longer one is dropped. */
export const MAX_COT_EVENT_CHARS = 1 << 20;
/** Largest UDP datagram (bytes) written; longer events are sent only on TCP. */
const MAX_DATAGRAM = 65000;
/**
 * Zone shapes over UDP are fitted to this many bytes: one Ethernet frame (1,500 bytes less the
 * IP and UDP headers, 1,472) with room to spare, since fragmented multicast is often dropped.
 */
export const MAX_UDP_SHAPE_BYTES = 1400;

/** IP TTL of CoT datagrams: the configured one, else 1 for multicast (the local SA group) and 64 for unicast. */
export function udpTtl(mode: 'off' | 'multicast' | 'unicast', ttl: number | null): number {
  if (ttl !== null) return mode === 'unicast' ? Math.max(1, ttl) : ttl;
  return mode === 'multicast' ? 1 : 64;
}

/** CoT `opex` of the service's events: `tak.opex`, else simulation in demo mode, exercise or operations by `alerts.cap_status`. */
export function cotOpex(svc: Pick<Service, 'mode' | 'config'>): string {
  if (svc.config.tak.opex !== null) return svc.config.tak.opex;
  if (svc.mode === 'demo') return 's-skywarden-demo';
  return svc.config.alerts.cap_status === 'Actual' ? 'o' : 'e';
}

/** Most bytes queued on the TCP socket before track events are dropped. */
const MAX_TCP_BACKLOG = 8 << 20;
/** Timing of the TAK protocol negotiation; `answerTimeoutS`: how long the client waits for the answer to its request (the protocol asks at least one minute). Tests shorten it. */
export const takNegotiation = { answerTimeoutS: 60 };
/** Most events held while a protocol request awaits its answer; more are dropped (counted). */
const MAX_HELD_EVENTS = 10_000;
/** Alert shapes are re-sent while the zone stays alerted (they go stale after 300 s). */
const ALERT_RESEND_S = 120;

/**
 * An XML event as a TAK stream carries it (ATAK-CIV takproto README, "Traditional Protocol"):
 * the XML header, a newline, the `<event>`, and nothing after `</event>` (TAK servers require
 * the next header to follow at once, no newline).
 */
export function takStreamXml(xml: string): string {
  const e = xml.trim();
  const decl = /^<\?xml[^>]*\?>\s*/.exec(e);
  return decl ? `${decl[0].trimEnd()}\n${e.slice(decl[0].length)}` : `${XML_DECLARATION}\n${e}`;
}

export async function startTakCot(svc: Service): Promise<TakCot> {
  const c = svc.config.tak;
  const log = svc.log.child({ component: 'tak' });
  const warn = createWarnLimiter(log);
  const stats: TakStats = { tcpEvents: 0, udpEvents: 0, trackEvents: 0, alertEvents: 0, dropped: 0, connects: 0, received: 0, accepted: 0, duplicates: 0, ignored: 0, bad: 0, refused: 0, tooLarge: 0, protoReceived: 0, unframeable: 0, controlsSent: 0, overRate: 0, paused: 0, overBytes: 0 };
  const protocol = String(c.protocol) as 'auto' | 'xml' | '1';
  let closed = false;
  const opex = cotOpex(svc);

  // --- in: the observer sensor and its principal
  const reading = c.read_markers && (c.mode === 'client' || c.listen.enabled);
  if (reading && !svc.registry.def(c.observer_sensor)) {
    const errs = svc.registry.register([{ id: c.observer_sensor, kind: 'observer' }]);
    if (errs.length > 0) throw new Error(`tak.observer_sensor ${JSON.stringify(c.observer_sensor)}: ${errs.join('; ')}`);
  }
  if (reading) svc.ingest.setLimit(c.observer_sensor, c.rate_per_s, c.burst);
  const principal: Principal = { id: c.observer_sensor, gateway: false, sensors: [c.observer_sensor], tokenHash: '' };
  const pending = new Set<Promise<void>>();

  function bad(reason: string, from: string): void {
    stats.bad++;
    svc.metrics.rejected.inc({ source: 'cot', reason: 'invalid_cot' });
    warn.warn('bad', { from, reason }, 'malformed CoT input dropped');
  }

  /** Markers dropped for the rate and not yet counted in the metrics and the sensor's status (an outside probe: 8.6 million dropped were seen nowhere but a rate-limited warning). */
  let overRateUncounted = 0;
  let overRateTimer: ReturnType<typeof setTimeout> | null = null;
  function countOverRate(): void {
    overRateTimer = null;
    svc.ingest.refusedForRate('cot', c.observer_sensor, overRateUncounted);
    overRateUncounted = 0;
  }

  function takeEvent(xml: string, from: string): void {
    stats.received++;
    if (!c.read_markers) {
      stats.ignored++;
      return;
    }
    // beyond the observer sensor's rate an event is dropped before it is parsed: a TAK Server
    // writing markers as fast as the service read them (82 MB in 10 s) had each parsed and sent
    // to the ingest to be refused there, held health up to 7.6 s and grown the process by a
    // gigabyte (an outside probe, 2026-12-06)
    if (svc.ingest.available(c.observer_sensor) <= 0) {
      stats.overRate++;
      // counted in the metrics and the sensor's status once a second, not one call a marker
      overRateUncounted++;
      overRateTimer ??= setTimeout(countOverRate, 1000);
      warn.warn('rate_limited', { from, sensor: c.observer_sensor, dropped: stats.overRate }, 'CoT events beyond the observer sensor\'s rate limit dropped unread');
      return;
    }
    const r = parseCot(xml, { sensorId: c.observer_sensor, now: svc.clock(), ownUidPrefix: c.uid_prefix });
    if (!r.ok) {
      if (r.ignored) {
        stats.ignored++;
        log.debug({ from, reason: r.reason }, 'CoT event ignored');
      } else bad(r.reason, from);
      return;
    }
    const p = svc.ingest
      .ingest(principal, [r.row], 'cot')
      .then((res) => {
        stats.accepted += res.accepted;
        stats.duplicates += res.duplicates;
        if (res.rejected.length > 0) {
          stats.bad++;
          warn.warn('rejected', { from, reason: res.rejected[0].message }, 'CoT marker refused by the ingest');
        } else log.debug({ from, uid: r.row.cot_uid, type: r.row.cot_type }, 'CoT marker taken as an observer detection'); // debug: a TAK feed of thousands of markers a second wrote a line each at info (an outside probe: 40,000 lines in 10 s); the counts are in stats()
      })
      .catch((err: Error) => {
        stats.bad++;
        if (!closed) log.error({ err }, 'journalling a CoT marker failed');
      })
      .finally(() => {
        pending.delete(p);
        if (pending.size <= MAX_PENDING_EVENTS / 2) resumeReading?.();
      });
    pending.add(p);
  }
  /** Reads the TAK Server's connection again once its events have gone to the journal (set while it is paused). */
  let resumeReading: (() => void) | null = null;

  /** A protocol 1 payload (TCP frame or UDP datagram body): its event, if any, goes the way of an XML one. */
  function takeProto(payload: Uint8Array, from: string): void {
    stats.protoReceived++;
    const d = decodeTakMessage(payload, MAX_COT_EVENT_CHARS);
    if (!d.ok) {
      stats.received++;
      bad(`TAK protocol 1: ${d.reason}`, from);
      return;
    }
    if (mesh !== null && from.startsWith('udp ')) meshHeard(d.xml, 1, d.control);
    if (d.xml === null) {
      log.debug({ from, control: d.control }, 'TAK protocol 1 control message without an event');
      return;
    }
    takeEvent(d.xml, from);
  }

  // --- the mesh's protocol versions (with `tak.protocol: 1` on UDP): who on the group decodes what
  const mesh = protocol === '1' ? createMeshVersions({ min: 1, max: 1 }) : null;
  /** Notes the sender of a message heard on the group: its uid (the TakControl's, else the event's), the version it came in, its TakControl. */
  function meshHeard(xml: string | null, version: number, control: { minProtoVersion: number; maxProtoVersion: number; contactUid: string } | null): void {
    if (mesh === null) return;
    const head = xml === null ? '' : (/<event\b[^>]*>/.exec(xml)?.[0] ?? '');
    const uid = control?.contactUid || (/\buid\s*=\s*["']([^"']+)["']/.exec(head)?.[1] ?? '');
    if (uid === '' || uid.startsWith(c.uid_prefix)) return; // unknown sender, or our own events echoed back
    const stale = /\bstale\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
    const staleT = stale !== undefined ? Date.parse(stale) / 1000 : NaN;
    mesh.heard(uid, svc.clock(), version, control !== null ? { min: control.minProtoVersion, max: control.maxProtoVersion } : null, Number.isFinite(staleT) ? staleT : null);
  }

  // --- out: what was sent (per track), the alerted zones' shapes
  const lastSent = new Map<string, number>();
  const alertShapes = new Map<string, { zone: Zone; alert: AlertWire; sentAt: number }>();
  /**
   * The zone's shapes for TCP (every vertex up to the encoder's limit) and, with `forUdp` and a UDP
   * output, for UDP (fitted to one datagram of {@link MAX_UDP_SHAPE_BYTES}; else null: none sent).
   */
  function shapes(zone: Zone, a: AlertWire, now: number, forUdp: boolean): { tcp: string; udp: string | null }[] {
    try {
      const o = { now, uidPrefix: c.uid_prefix, alertStaleS: Math.max(0, now - a.t) + 300, opex };
      const tcp = alertToCot(zone, a, o);
      const udp = forUdp && udpOut ? alertToCot(zone, a, { ...o, maxBytes: MAX_UDP_SHAPE_BYTES }) : null;
      return tcp.map((x, i) => ({ tcp: x, udp: udp ? (udp[i] ?? x) : null }));
    } catch (err) {
      log.error({ err, zone: zone.id }, 'alert shape failed');
      return [];
    }
  }
  const sendShapes = (zone: Zone, a: AlertWire, now: number) => {
    for (const x of shapes(zone, a, now, true)) {
      stats.alertEvents++;
      write(x.tcp, x.udp);
    }
  };

  // --- out: UDP
  let udpOut: UdpSocket | null = null;
  if (c.udp.mode !== 'off') {
    udpOut = createSocket(isIPv6(c.udp.host) ? 'udp6' : 'udp4');
    udpOut.on('error', (err) => warn.warn('udp-out', { err }, 'CoT UDP send failed'));
    udpOut.bind(0);
    await once(udpOut, 'listening');
    const ttl = udpTtl(c.udp.mode, c.udp.ttl);
    if (c.udp.mode === 'multicast') udpOut.setMulticastTTL(ttl);
    else udpOut.setTTL(ttl);
  }

  // the mesh rule: a TakControl at least every minute, and a change of version noticed even when nothing is sent
  const meshTimer = protocol === '1' && udpOut
    ? setInterval(() => {
        if (closed) return;
        const was = lastMeshVersion;
        meshVersion();
        if (was === lastMeshVersion) sendMeshControl(); // (a change sent one already)
      }, TAK_CONTROL_EVERY_S * 1000)
    : null;
  meshTimer?.unref();

  // --- TCP to a TAK Server
  let sock: Socket | null = null;
  let connected = false;
  /** The connection's protocol state: what is written, and a pending request with the events held meanwhile. */
  let link: { proto: 'xml' | 1; pending: { uid: string; timer: ReturnType<typeof setTimeout> } | null; held: string[]; offered: boolean } = { proto: 'xml', pending: null, held: [], offered: false };
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const backoff = createBackoff(c.reconnect_max_s);
  const tlsFiles =
    c.tls === null
      ? null
      : { cert: readPemFile('tak.tls.cert', c.tls.cert), key: readPemFile('tak.tls.key', c.tls.key), ca: c.tls.ca !== undefined ? readPemFile('tak.tls.ca', c.tls.ca) : undefined };

  function connect(): void {
    retryTimer = null;
    if (closed) return;
    const s: Socket =
      tlsFiles !== null && c.tls !== null
        ? tlsConnect({ host: c.host, port: c.port, cert: tlsFiles.cert, key: tlsFiles.key, ca: tlsFiles.ca, rejectUnauthorized: c.tls.reject_unauthorized ?? true, servername: c.tls.server_name ?? (isIPv6(c.host) || /^[\d.]+$/.test(c.host) ? undefined : c.host) })
        : netConnect({ host: c.host, port: c.port });
    sock = s;
    const reader = createTakStreamReader({ maxXmlBytes: MAX_COT_EVENT_CHARS, maxFrameBytes: MAX_COT_EVENT_CHARS });
    const st: typeof link = { proto: 'xml', pending: null, held: [], offered: false };
    link = st;
    const from = `tcp ${c.host}:${c.port}`;
    s.setKeepAlive(true, 30_000);
    s.setNoDelay(true);
    s.on(tlsFiles ? 'secureConnect' : 'connect', () => {
      connected = true;
      backoff.reset();
      stats.connects++;
      log.info({ host: c.host, port: c.port, tls: tlsFiles !== null }, 'connected to the TAK Server');
      for (const z of alertShapes.values()) if (z.alert.state === 'alert') for (const x of shapes(z.zone, z.alert, svc.clock(), false)) write(x.tcp, null);
    });
    /** The end of a protocol request: switch on `true`, stay with XML otherwise, and send what was held. */
    const settle = (to: 'xml' | 1) => {
      if (st.pending) clearTimeout(st.pending.timer);
      st.pending = null;
      st.proto = to;
      if (to === 1) reader.protobufOnly = true;
      const held = st.held;
      st.held = [];
      for (const x of held) writeTcp(x);
    };
    const control = (xml: string): boolean => {
      const tc = takControlOf(xml);
      if (tc === null) return false;
      if (typeof tc === 'string') {
        bad(tc, from);
        return true;
      }
      if (tc.kind === 'offer') {
        if (st.offered || st.proto !== 'xml') return true; // offered once per connection
        st.offered = true;
        if (protocol === 'xml') log.info({ versions: tc.versions }, 'the TAK Server offers TAK protocol versions; tak.protocol is xml: staying with XML');
        else if (!tc.versions.includes(1)) log.info({ versions: tc.versions }, 'the TAK Server offers no TAK protocol version this client speaks (1): staying with XML');
        else {
          s.write(takControlEvent({ kind: 'request', uid: tc.uid, version: 1 }, svc.clock()));
          const waitS = takNegotiation.answerTimeoutS;
          const timer = setTimeout(() => {
            log.warn({ host: c.host, port: c.port }, `no answer to the TAK protocol request within ${waitS} s: closing the connection to start again`);
            s.destroy();
          }, waitS * 1000);
          st.pending = { uid: tc.uid, timer };
          log.info({ uid: tc.uid }, 'the TAK Server offers TAK protocol 1: requested');
        }
      } else if (tc.kind === 'response') {
        if (st.pending === null) log.debug({ status: tc.status }, 'TAK protocol response without a request: ignored');
        else {
          if (tc.uid !== st.pending.uid) log.debug({ uid: tc.uid, expected: st.pending.uid }, 'TAK protocol response with another uid: taken');
          log.info({ status: tc.status }, tc.status ? 'TAK protocol 1 accepted: the connection now speaks protobuf' : 'TAK protocol 1 refused: staying with XML');
          settle(tc.status ? 1 : 'xml');
        }
      } else log.debug({ uid: tc.uid }, 'TAK protocol request from the server side: ignored');
      return true;
    };
    s.on('data', (chunk: Buffer) => {
      const { items, fatal } = reader.push(chunk);
      for (const it of items) {
        if (it.kind === 'garbage') bad(`not a CoT event: ${JSON.stringify(it.text.slice(0, 60))}`, from);
        else if (it.kind === 'proto') takeProto(it.payload, from);
        else if (!control(it.text)) takeEvent(it.text, from);
      }
      // TCP backpressure: the connection is not read while the journal is this far behind
      if (pending.size >= MAX_PENDING_EVENTS && !s.isPaused()) {
        stats.paused++;
        s.pause();
        resumeReading = () => {
          resumeReading = null;
          if (!s.destroyed) s.resume();
        };
      }
      if (fatal !== null && !s.destroyed) {
        stats.unframeable++;
        bad(fatal, from);
        log.warn({ host: c.host, port: c.port, reason: fatal }, 'the TAK stream cannot be framed any more: closing the connection to reconnect');
        s.destroy();
      }
    });
    s.on('error', (err) => {
      if (backoff.failures === 0) log.warn({ err: err.message, host: c.host, port: c.port }, 'TAK Server connection failed');
      else log.debug({ err: err.message }, 'TAK Server connection failed again');
    });
    s.on('close', () => {
      if (st.pending) clearTimeout(st.pending.timer);
      st.pending = null;
      if (sock === s) sock = null;
      if (connected) log.warn({ host: c.host, port: c.port }, 'TAK Server connection closed; reconnecting');
      connected = false;
      if (closed) return;
      retryTimer = setTimeout(connect, backoff.next() * 1000);
    });
  }
  if (c.mode === 'client') connect();

  /** Writes an event to the TAK Server connection in its protocol; held while a protocol request awaits its answer. */
  function writeTcp(xml: string): void {
    if (!sock || !connected) return;
    if (link.pending) {
      if (link.held.length >= MAX_HELD_EVENTS) stats.dropped++;
      else link.held.push(xml);
      return;
    }
    if (sock.writableLength > MAX_TCP_BACKLOG) {
      stats.dropped++;
      return;
    }
    if (link.proto === 1) {
      let frame: Uint8Array;
      try {
        frame = frameTakStream(cotToTakMessage(xml));
      } catch (err) {
        warn.warn('proto-out', { err }, 'event could not be written in TAK protocol 1');
        return;
      }
      sock.write(frame);
    } else sock.write(takStreamXml(xml));
    stats.tcpEvents++;
  }

  /** The versions Skywarden decodes, as its mesh TakControl says. */
  const OUR_CONTROL = { minProtoVersion: 1, maxProtoVersion: 1 };
  let lastMeshVersion: number | null = null;
  /** The version for the next broadcast (0: XML); a change is announced at once with a TakControl (the mesh rule). */
  function meshVersion(): number {
    if (mesh === null) return 0;
    const v = mesh.version(svc.clock());
    if (lastMeshVersion !== null && v !== lastMeshVersion) {
      log.info({ from: lastMeshVersion, to: v, contacts: mesh.size }, v === 0 ? 'TAK mesh: a contact on the group decodes only XML: broadcasting XML' : 'TAK mesh: every known contact decodes protocol 1: broadcasting protocol 1');
      lastMeshVersion = v;
      sendMeshControl();
    }
    lastMeshVersion = v;
    return v;
  }
  /** A standalone TakControl datagram (always in protocol 1, the lowest version > 0, as the rule asks when XML is chosen). */
  function sendMeshControl(): void {
    if (!udpOut || mesh === null) return;
    udpOut.send(frameTakMesh(takControlMessage(OUR_CONTROL)), c.udp.port, c.udp.host);
    stats.controlsSent++;
  }

  /** Writes an event to the TAK Server connection and, as `udpXml` (default the same; null: none), to UDP. */
  function write(xml: string, udpXml: string | null = xml): void {
    writeTcp(xml);
    if (udpOut && udpXml !== null) {
      let b: Uint8Array;
      try {
        b = meshVersion() === 1 ? frameTakMesh(cotToTakMessage(udpXml, { control: OUR_CONTROL })) : Buffer.from(udpXml, 'utf8');
      } catch (err) {
        warn.warn('proto-out', { err }, 'event could not be written in TAK protocol 1');
        return;
      }
      if (b.length <= MAX_DATAGRAM) {
        udpOut.send(b, c.udp.port, c.udp.host);
        stats.udpEvents++;
      } else {
        stats.tooLarge++;
        warn.warn('too-large', { bytes: b.length }, 'CoT event too large for one UDP datagram: sent on TCP only');
      }
    }
  }

  // --- UDP listener
  let udpIn: UdpSocket | null = null;
  let listenPort: number | null = null;
  if (c.listen.enabled) {
    udpIn = createSocket({ type: isIPv6(c.listen.host) ? 'udp6' : 'udp4', reuseAddr: true });
    udpIn.on('error', (err) => warn.warn('udp-in', { err }, 'CoT UDP listener error'));
    const allowed = c.listen.allow_from !== null ? parseAllowList(c.listen.allow_from) : null;
    // Bytes the listener may read, a token bucket of one second's worth refilled by the clock. An
    // event is parsed before anyone can tell a marker from an event that is ignored or malformed,
    // and the observer's rate counts markers only: 64 KB datagrams of one event with 5,000
    // attributes (6.6 ms each to parse) had held health 0.77 s (an outside probe, 2026-12-07).
    // 1 MiB/s by default: a thousand TAK users' position reports are about a tenth of it
    const maxBytes = c.listen.max_bytes_per_s;
    const bytes = createTokenBucket(maxBytes, maxBytes, Date.now() / 1000);
    udpIn.on('message', (msg, rinfo) => {
      const from = `udp ${rinfo.address}:${rinfo.port}`;
      if (allowed && !allowed.check(rinfo.address, rinfo.family === 'IPv6' ? 'ipv6' : 'ipv4')) {
        stats.refused++;
        warn.warn('refused', { from }, 'CoT datagram from an address outside tak.listen.allow_from: dropped');
        return;
      }
      if (!takeTokens(bytes, msg.length, Date.now() / 1000)) {
        stats.overBytes++;
        warn.warn('over-bytes', { from, dropped: stats.overBytes }, 'CoT datagrams dropped unread: the listener read tak.listen.max_bytes_per_s in the last second');
        return;
      }
      if (msg.length > 0 && msg[0] === 0xbf) {
        const m = readTakMeshDatagram(msg);
        if (!m.ok) {
          stats.received++;
          bad(m.reason, from);
        } else takeProto(m.payload, from);
        return;
      }
      // the same rule as the stream: events end at `</event>`, text before an event's start is garbage
      const { items } = createTakStreamReader({ maxXmlBytes: MAX_DATAGRAM }).push(msg);
      if (items.length === 0) {
        stats.received++;
        bad(`not a CoT event: ${JSON.stringify(msg.toString('utf8', 0, 60))}`, from);
      }
      for (const it of items) {
        if (it.kind === 'xml') {
          meshHeard(it.text, 0, null);
          takeEvent(it.text, from);
        }
        else if (it.kind === 'garbage') bad(`not a CoT event: ${JSON.stringify(it.text.slice(0, 60))}`, from);
        else bad('a protocol 1 stream frame inside an XML datagram', from);
      }
    });
    udpIn.bind({ port: c.listen.port, address: c.listen.host });
    await once(udpIn, 'listening');
    if (c.listen.group !== null) udpIn.addMembership(c.listen.group);
    listenPort = udpIn.address().port;
  }

  // --- out: tracks and alerts
  const sending = c.mode === 'client' || c.udp.mode !== 'off';
  if (sending) {
    svc.onTracks((t: number, tracks: TrackWire[]) => {
      if (closed) return;
      const seen = new Set<string>();
      for (const tr of tracks) {
        // a coasting track keeps its last send time: once confirmed again it waits out interval_s
        seen.add(tr.track);
        if (tr.status !== 'confirmed') continue;
        const last = lastSent.get(tr.track);
        if (last !== undefined && t - last < c.interval_s - 1e-6) continue;
        let xml: string;
        try {
          // time: when the event is made (the service's clock); start: the track's report time
          xml = trackToCot(tr, { now: Math.max(t, svc.clock()), staleS: c.stale_s, uidPrefix: c.uid_prefix, opex });
        } catch (err) {
          warn.warn('track', { err, track: tr.track }, 'track could not be written as CoT');
          continue;
        }
        lastSent.set(tr.track, t);
        stats.trackEvents++;
        write(xml);
      }
      for (const id of lastSent.keys()) if (!seen.has(id)) lastSent.delete(id);
      for (const z of alertShapes.values()) {
        if (z.alert.state === 'alert' && t - z.sentAt >= ALERT_RESEND_S) {
          z.sentAt = t;
          sendShapes(z.zone, z.alert, Math.max(t, svc.clock()));
        }
      }
    });
    svc.onAlert((a: AlertWire, zone: Zone | undefined) => {
      if (closed || !zone) return;
      if (a.state === 'alert') alertShapes.set(zone.id, { zone, alert: a, sentAt: a.t });
      else alertShapes.delete(zone.id);
      sendShapes(zone, a, Math.max(a.t, svc.clock()));
    });
  }

  return {
    listenPort,
    get connected() {
      return connected;
    },
    get tcpProtocol() {
      return connected ? link.proto : 'xml';
    },
    get heldEvents() {
      return link.held.length;
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      if (overRateTimer) {
        clearTimeout(overRateTimer);
        countOverRate();
      }
      if (retryTimer) clearTimeout(retryTimer);
      if (meshTimer) clearInterval(meshTimer);
      const s = sock;
      if (s && !s.destroyed) {
        s.end();
        await Promise.race([once(s, 'close'), new Promise((r) => setTimeout(r, 1000).unref())]);
        s.destroy();
      }
      if (udpOut) await new Promise<void>((r) => udpOut!.close(() => r()));
      if (udpIn) await new Promise<void>((r) => udpIn!.close(() => r()));
      await Promise.allSettled([...pending]);
    },
  };
}
