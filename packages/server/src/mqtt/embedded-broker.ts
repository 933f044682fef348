/**
 * The embedded MQTT broker (aedes 2, MQTT 3.1.1 and 5.0) on its own TCP port: sensors connect with
 * their id as username and their token as password. See mqtt-ingest.ts for topics and
 * acknowledgement.
 *
 * Packets (packet-guard.ts reads each socket's MQTT framing before aedes does): a packet may
 * announce at most `mqtt.max_packet_bytes` before login (the CONNECT), and after it the larger of
 * that and `mqtt.max_message_bytes` + 64 KiB. A larger PUBLISH after login is acknowledged as a
 * refused message (reported on the sensor's errors topic; MQTT 5: a PUBACK with reason 0x87)
 * without its payload ever being held; any other packet too large closes the connection (MQTT 5:
 * after a DISCONNECT with reason 0x95). A packet must be complete within `mqtt.packet_timeout_s`
 * plus its size at `mqtt.min_upload_bytes_per_s`, or the connection is closed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { limitConnectionsPerAddress, socketAddress } from '../net-limits.js';
import { createLoginThrottle } from '../http/login-throttle.js';
import { createWarnLimiter } from '../warn-limiter.js';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { guardPackets, type PacketGuard } from './packet-guard.js';
import { Aedes, type Client } from 'aedes';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import { handleMqttMessage, parseTopic } from './mqtt-ingest.js';
import { createIncomingQos2, keepIncomingQos2Ids } from './incoming-qos2.js';

/** QoS 2 packet ids awaiting their PUBREL the broker keeps over all clients (each a few tens of bytes). */
export const MAX_UNRELEASED_QOS2 = 1_000_000;

/** How long (ms) the broker waits for a client's socket to drain before it cuts the client. */
export const DRAIN_TIMEOUT_MS = 2000;

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(svc: Service, host: string, port: number): Promise<EmbeddedBroker> {
  const prefix = svc.config.mqtt.topic_prefix;
  const principals = new WeakMap<object, Principal>();
  const { max_packet_bytes: maxPacket, max_message_bytes: maxMessage } = svc.config.mqtt;
  const maxAfterLogin = Math.max(maxPacket, maxMessage + 64 * 1024);
  /** The stand-in payload of a PUBLISH too large to hold (a secret: no client can send it). */
  const marker = Buffer.from(`skywarden-oversize-${randomBytes(16).toString('hex')}`);
  /** Each connection's packet guard; the sweep below closes those stalled inside a packet. */
  const guards = new Map<Socket, PacketGuard>();
  /** The aedes client of each logged-in socket (its protocol version); a socket here has logged in, and its packets may be as large as a message allows. */
  const clientOf = new WeakMap<object, Client>();
  let stalledClosed = 0;
  let oversizeSeen = 0;
  const stallWarn = createWarnLimiter(svc.log, 60);
  const oversizeWarn = createWarnLimiter(svc.log, 60);
  const floodWarn = createWarnLimiter(svc.log, 60);
  /** The broker's connected clients by client id (aedes keeps them; its types do not say so). */
  const clientsOf = () => (broker as unknown as { clients: Record<string, Client | undefined> }).clients;
  const throttle = createLoginThrottle({ maxPerUser: svc.config.auth.sensor_max_failures, maxPerAddress: svc.config.auth.sensor_max_failures, windowS: svc.config.auth.login_window_s });
  let throttled = 0;
  const throttleWarn = createWarnLimiter(svc.log, 60);
  /** The clients subscribed to each sensor's errors topic (the only topic a client may subscribe to). */
  const errorSubscribers = new Map<string, Set<Client>>();
  let reportsDropped = 0;
  const dropWarn = createWarnLimiter(svc.log, 60);
  const broker: Aedes = await Aedes.createBroker({
    // told to MQTT 5 clients in the CONNACK; the socket guard below enforces it for every version
    maximumPacketSize: maxAfterLogin,
    // a client that does not read what it subscribed to holds a delivery until its socket drains,
    // and aedes' deliveries share one queue: every sensor's acknowledgements waited on it (an
    // outside probe, 2026-12-06: 35 s; aedes' default is 60 s). Such a client is cut after 2 s,
    // and the errors it would be sent are dropped before that (publishError)
    drainTimeout: DRAIN_TIMEOUT_MS,
    // MQTT 5 sessions that outlive their connection hold their will (up to a CONNECT's size) and
    // state: a client reconnecting under new client ids with a never-expiring session and a
    // delayed 60 KB will had grown the process by 1.3 GB in 28 s, for good (an outside probe,
    // 2026-12-07). The expiry a client may ask is cut to mqtt.session_expiry_max_s, and at most
    // mqtt.max_pending_sessions sessions (and, apart, delayed wills) are kept: beyond it a session
    // ends with its connection and a will is sent at once
    sessionExpiryIntervalLimit: svc.config.mqtt.session_expiry_max_s,
    pendingSessionsLimit: svc.config.mqtt.max_pending_sessions,
    authenticate(client, username, password, done) {
      if (!username || !password) {
        const e = Object.assign(new Error('username (sensor or gateway id) and password (token) are required'), { returnCode: 4 });
        return done(e as never, false);
      }
      const token = password.toString('utf8');
      const grant = (p: Principal) => {
        // a client id in use belongs to the credential that holds it: another sensor may not
        // take it over (MQTT would end the holder's session), its holder may reconnect
        const holder = clientsOf()[client.id];
        const held = holder ? principals.get(holder) : undefined;
        if (held && held.id !== p.id) {
          svc.metrics.rejected.inc({ source: 'mqtt', reason: 'forbidden' });
          svc.log.warn({ client_id: client.id, holder: held.id, by: p.id }, 'MQTT client id held by another sensor: connection refused');
          return done(Object.assign(new Error(`client id ${client.id} is in use by another sensor`), { returnCode: 2 }) as never, false);
        }
        principals.set(client, p);
        const conn = (client as unknown as { conn?: object }).conn;
        if (conn) clientOf.set(conn, client);
        done(null, true);
      };
      // credentials verified before cost no scrypt work and are not throttled
      const known = svc.credentials.cached(username, token);
      if (known) return grant(known);
      // failed checks per address, as on HTTP (auth.sensor_max_failures in auth.login_window_s):
      // each costs scrypt time, and a flood of wrong tokens would slow every login
      const addr = socketAddress((client as unknown as { conn?: { remoteAddress?: string } }).conn ?? {}) ?? 'unknown';
      const nowS = Date.now() / 1000;
      const wait = throttle.retryAfter(addr, addr, nowS);
      if (wait > 0) {
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'rate_limited' });
        throttleWarn.warn('throttled', { address: addr, refused: ++throttled }, 'MQTT logins refused: too many failed sensor credentials from one address (auth.sensor_max_failures)');
        // 3: server unavailable (MQTT 5: a connection rate exceeded); the sensor tries again later
        return done(Object.assign(new Error(`too many failed sensor credentials from this address: try again in ${wait} s`), { returnCode: 3 }) as never, false);
      }
      throttle.failed(addr, addr, nowS);
      svc.credentials
        .check(username, token)
        .then((p) => {
          if (!p) {
            svc.metrics.rejected.inc({ source: 'mqtt', reason: 'bad_credentials' });
            return done(Object.assign(new Error('bad credentials'), { returnCode: 4 }) as never, false);
          }
          throttle.succeeded(addr, addr, nowS);
          grant(p);
        })
        .catch((err: Error) => done(Object.assign(err, { returnCode: 3 }) as never, false));
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null); // the service's own messages
      // a QoS 1 or 2 PUBLISH must carry a packet identifier other than 0 (MQTT 3.1.1 and 5.0,
      // section 2.3.1): one with 0 is a protocol error, the connection closed and nothing of it
      // journalled or acknowledged (aedes would acknowledge it, an outside probe of 2026-12-07).
      // Only a PUBLISH from the wire: a will, which aedes publishes for the client when it goes,
      // is the CONNECT's will (no `cmd`, no packet identifier) and is judged as its publishes are
      if ((packet as { cmd?: string }).cmd === 'publish' && packet.qos > 0 && !((packet.messageId ?? 0) > 0)) {
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'protocol' });
        svc.log.warn({ client_id: String(client.id).slice(0, 80), sensor: principals.get(client)?.id }, 'MQTT connection closed: a QoS 1 or 2 PUBLISH with packet identifier 0 (MQTT section 2.3.1)');
        (client as unknown as { conn?: { destroy(): void } }).conn?.destroy();
        return callback(new Error('a QoS 1 or 2 PUBLISH must carry a non-zero packet identifier'));
      }
      const p = principals.get(client);
      const parts = parseTopic(prefix, packet.topic);
      if (!p || !parts || parts.id !== p.id || parts.kind === 'errors') {
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'forbidden' });
        // MQTT 3.1.1: the connection is closed; MQTT 5: a PUBACK/PUBREC 0x87 with this text as its reason string
        return callback(new Error(`may not publish to ${packet.topic}: publish to ${prefix}/${p?.id ?? '<your id>'}/detections or /status`));
      }
      const payload = packet.payload as Buffer;
      // a stand-in for a PUBLISH too large to hold (packet-guard.ts): refused by its real size
      const conn = (client as unknown as { conn?: Socket }).conn;
      const replacedBytes = conn && payload.length === marker.length && payload.equals(marker) ? guards.get(conn)?.replaced.shift() : undefined;
      handleMqttMessage(svc, p, parts, payload, publishError, replacedBytes)
        .then((out) => {
          // MQTT 5 can say in the acknowledgement that nothing was taken (3.1.1 cannot: there the
          // message is acknowledged and the report goes to <id>/errors only, as it does for both)
          if (out.refused !== undefined && client.version === 5) return callback(new Error(out.refused.slice(0, 512)));
          callback(null);
        })
        .catch((err: Error) => {
          svc.log.error({ err }, 'journal write failed: MQTT message not acknowledged');
          // no acknowledgement of any kind (an MQTT 5 refusal would end the sensor's retries):
          // the connection is dropped and the sensor sends the message again
          (client as unknown as { conn?: { destroy(): void } }).conn?.destroy();
          callback(err);
        });
    },
    authorizeSubscribe(client, sub, callback) {
      const p = principals.get(client);
      if (p && sub.topic === `${prefix}/${p.id}/errors`) {
        let set = errorSubscribers.get(p.id);
        if (!set) errorSubscribers.set(p.id, (set = new Set()));
        set.add(client);
        return callback(null, sub);
      }
      // refused in the SUBACK (0x80; MQTT 5: 0x87), the connection kept: an error here closed it
      svc.log.debug({ client_id: client.id, topic: sub.topic }, `MQTT subscription refused: may subscribe only to ${prefix}/<your id>/errors`);
      callback(null, null);
    },
  });
  // a replaced or removed credential ends the sessions logged in with it, at once
  svc.credentials.onRevoked((id) => {
    for (const cl of Object.values(clientsOf())) {
      if (cl && principals.get(cl)?.id === id) {
        svc.log.warn({ client_id: cl.id, sensor: id }, 'MQTT session ended: its credential was replaced or removed');
        cl.close();
      }
    }
  });
  // QoS 2 messages awaiting their PUBREL: their ids only, a clean session's dropped when it ends,
  // at most MAX_UNRELEASED_QOS2 over all clients (incoming-qos2.ts)
  const unreleased = createIncomingQos2(MAX_UNRELEASED_QOS2);
  const unreleasedChanged = () => svc.metrics.unreleasedQos2.set(unreleased.size);
  keepIncomingQos2Ids((broker as unknown as { persistence: object }).persistence, unreleased, unreleasedChanged);
  // a persistent session (clean false) keeps only the subscriptions authorizeSubscribe grants: aedes
  // stores every filter of a SUBSCRIBE once any one of them is granted (its subscribe handler's
  // storeSubscriptions gives persistence.addSubscriptions the whole packet's list), so a sensor
  // that subscribed to its errors topic and '#' in one packet was sent every other sensor's
  // messages when it came back, and its offline queue kept a copy of each (an outside probe,
  // 2026-12-06: another sensor's detections read; 2.5 GB held; with 2,000 such sessions, the
  // process out of memory)
  keepOnlyGrantedSubscriptions((broker as unknown as { persistence: object }).persistence, (client, topic) => {
    const p = principals.get(client);
    return p !== undefined && topic === `${prefix}/${p.id}/errors`;
  });
  const sessionWarn = createWarnLimiter(svc.log, 60);
  let sessionsEnded = 0;
  (broker as unknown as { on(e: 'sessionLimitReached', f: (client: Client, info: { reason: string; limit: number }) => void): void }).on('sessionLimitReached', (client, info) => {
    sessionsEnded++;
    svc.metrics.rejected.inc({ source: 'mqtt', reason: 'session_limit' });
    sessionWarn.warn(info.reason, { client_id: String(client.id).slice(0, 80), sensor: principals.get(client)?.id, reason: info.reason, limit: info.limit, ended: sessionsEnded }, info.reason === 'willDelay' ? 'MQTT delayed wills at mqtt.max_pending_sessions: a will was sent at once' : 'MQTT sessions kept after their connection at mqtt.max_pending_sessions: a session ended with its connection');
  });
  broker.on('clientDisconnect', (client) => {
    if (client.clean) {
      unreleased.clear(client.id);
      unreleasedChanged();
    }
    const p = principals.get(client);
    const set = p ? errorSubscribers.get(p.id) : undefined;
    if (set) {
      set.delete(client);
      if (set.size === 0) errorSubscribers.delete(p!.id);
    }
  });
  /**
   * A report of rejected detections to the sensor's errors topic (QoS 0: at most once). Not sent
   * while a subscriber of that topic has not read what it was sent before (its socket's buffer
   * past its high-water mark): the delivery would wait for it, and with it every other client's.
   */
  function publishError(id: string, body: unknown): void {
    const subs = errorSubscribers.get(id);
    if (subs) {
      for (const cl of subs) {
        const conn = (cl as unknown as { conn?: { writableNeedDrain?: boolean; destroyed?: boolean } }).conn;
        if (conn && (conn.writableNeedDrain || conn.destroyed)) {
          reportsDropped++;
          dropWarn.warn('slow', { sensor: id, dropped: reportsDropped }, 'MQTT error reports dropped: a subscriber of the errors topic does not read them');
          return;
        }
      }
    }
    broker.publish({ cmd: 'publish', topic: `${prefix}/${id}/errors`, payload: Buffer.from(JSON.stringify(body)), qos: 0, retain: false, dup: false }, () => {});
  }
  const { packet_timeout_s: packetTimeoutS, min_upload_bytes_per_s: minUpload } = svc.config.mqtt;
  const server: Server = createServer((socket) => {
    /** The MQTT 5 DISCONNECT reason the guard's close gives: 0x95 packet too large, 0x96 message rate too high (a flood). */
    let closeReason = 0x95;
    const guard = guardPackets(socket, {
      limit: () => (clientOf.has(socket) ? maxAfterLogin : maxPacket),
      loggedIn: () => clientOf.has(socket),
      version: () => clientOf.get(socket)?.version ?? 4,
      marker,
      timeoutMs: packetTimeoutS * 1000,
      minBytesPerS: minUpload,
      onOversize(announced, max, replaced, part = 'packet') {
        oversizeSeen++;
        if (replaced) {
          // counted and reported with the message's refusal (handleMqttMessage)
          oversizeWarn.warn('replaced', { from: socket.remoteAddress, sensor: principals.get(clientOf.get(socket) ?? {})?.id, announced, max, seen: oversizeSeen }, 'MQTT message larger than allowed: refused and acknowledged, its payload dropped unread');
          return;
        }
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'payload_too_large' });
        oversizeWarn.warn('closed', { from: socket.remoteAddress, part, announced, max, logged_in: clientOf.has(socket), seen: oversizeSeen }, part === 'properties' ? 'MQTT 5 PUBLISH properties larger than allowed: connection closed' : 'MQTT packet larger than allowed: connection closed');
      },
      onFlood(what, count) {
        closeReason = 0x96;
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'flood' });
        floodWarn.warn(what, { from: socket.remoteAddress, sensor: principals.get(clientOf.get(socket) ?? {})?.id, packets: count }, `MQTT connection closed: ${what} (${count})`);
      },
      close() {
        // MQTT 5 is told why first (DISCONNECT, reason 0x95: packet too large, or 0x96: message rate too high)
        if (clientOf.get(socket)?.version === 5 && !socket.destroyed) socket.end(Buffer.from([0xe0, 0x01, closeReason]), () => socket.destroy());
        else socket.destroy();
      },
    });
    guards.set(socket, guard);
    socket.once('close', () => guards.delete(socket));
    (broker.handle as (s: Socket) => void)(socket);
  });
  // connections stalled inside a packet hold what they sent of it: closed once it is late
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, guard] of guards) {
      if (!guard.stalled(now)) continue;
      guards.delete(socket);
      stalledClosed++;
      svc.metrics.rejected.inc({ source: 'mqtt', reason: 'stalled' });
      stallWarn.warn('stalled', { from: socket.remoteAddress, logged_in: clientOf.has(socket), closed: stalledClosed }, 'MQTT connection closed: a packet was not complete in time (mqtt.packet_timeout_s, mqtt.min_upload_bytes_per_s)');
      socket.destroy();
    }
  }, Math.min(1000, packetTimeoutS * 250));
  sweep.unref();
  server.maxConnections = svc.config.mqtt.max_connections;
  limitConnectionsPerAddress(server, svc.config.mqtt.max_connections_per_address, null, svc.log, 'MQTT', 'mqtt.max_connections_per_address');
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    // the port is taken (or not ours): what was started here must not keep the process alive
    clearInterval(sweep);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    async close() {
      clearInterval(sweep);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The part of aedes' persistence that stores a persistent session's subscriptions. */
interface SubscriptionPersistence {
  addSubscriptions(client: Client, subs: { topic: string }[]): Promise<void>;
}

/** Makes `persistence` store, of the subscriptions it is given, only those `granted` allows. */
export function keepOnlyGrantedSubscriptions(persistence: object, granted: (client: Client, topic: string) => boolean): void {
  const p = persistence as SubscriptionPersistence;
  const add = p.addSubscriptions.bind(p);
  p.addSubscriptions = (client, subs) => add(client, subs.filter((s) => granted(client, s.topic)));
}
