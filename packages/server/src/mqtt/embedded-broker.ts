/**
 * The embedded MQTT broker (aedes 2, MQTT 3.1.1 and 5.0) on its own TCP port: sensors connect with
 * their id as username and their token as password. See mqtt-ingest.ts for topics and
 * acknowledgement.
 *
 * Packet size: aedes (1.x) and mqtt-packet buffer a whole packet before parsing it, whatever
 * length its fixed header announces (up to 256 MB). The broker therefore reads each socket's
 * MQTT framing itself and closes a connection whose packet announces more than
 * `mqtt.max_packet_bytes` before login (the CONNECT), or more than the larger of that and
 * `mqtt.max_message_bytes` + 64 KiB after it, before the bytes are buffered.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { limitConnectionsPerAddress, socketAddress } from '../net-limits.js';
import { createLoginThrottle } from '../http/login-throttle.js';
import { createWarnLimiter } from '../warn-limiter.js';
import { once } from 'node:events';
import { Aedes, type Client } from 'aedes';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import { handleMqttMessage, parseTopic } from './mqtt-ingest.js';

/** How long (ms) the broker waits for a client's socket to drain before it cuts the client. */
export const DRAIN_TIMEOUT_MS = 2000;

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

/**
 * Watches the MQTT framing of what `socket.read` hands to the broker (aedes reads with
 * `conn.read(null)`): each packet's remaining length is read from its fixed header, and a
 * packet announcing more than `limit()` bytes closes the connection (`onOversize` is told)
 * before its body is read. Malformed lengths are left to the broker's parser.
 */
export function guardPacketSize(socket: Socket, limit: () => number, onOversize: (announced: number, limit: number) => void): void {
  let need = 0; // body bytes of the current packet still to pass
  let inLength = false; // reading the remaining-length bytes
  let len = 0;
  let mul = 1;
  let lenBytes = 0;
  const read = socket.read.bind(socket);
  socket.read = ((size?: number) => {
    const buf = read(size) as Buffer | string | null;
    if (buf === null || typeof buf === 'string') return buf;
    let i = 0;
    while (i < buf.length) {
      if (need > 0) {
        const take = Math.min(need, buf.length - i);
        need -= take;
        i += take;
        continue;
      }
      const b = buf[i++];
      if (!inLength) {
        inLength = true; // the packet type byte; the length follows
        len = 0;
        mul = 1;
        lenBytes = 0;
        continue;
      }
      len += (b & 0x7f) * mul;
      mul *= 128;
      lenBytes++;
      const max = limit();
      if (len > max) {
        onOversize(len, max);
        socket.destroy();
        return null;
      }
      if ((b & 0x80) === 0 || lenBytes >= 4) {
        inLength = false;
        need = len;
      }
    }
    return buf;
  }) as typeof socket.read;
}

export async function startEmbeddedBroker(svc: Service, host: string, port: number): Promise<EmbeddedBroker> {
  const prefix = svc.config.mqtt.topic_prefix;
  const principals = new WeakMap<object, Principal>();
  /** Sockets of logged-in clients: their packets may be as large as a message allows. */
  const loggedIn = new WeakSet<object>();
  const { max_packet_bytes: maxPacket, max_message_bytes: maxMessage } = svc.config.mqtt;
  const maxAfterLogin = Math.max(maxPacket, maxMessage + 64 * 1024);
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
        if (conn) loggedIn.add(conn);
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
      const p = principals.get(client);
      const parts = parseTopic(prefix, packet.topic);
      if (!p || !parts || parts.id !== p.id || parts.kind === 'errors') {
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'forbidden' });
        // MQTT 3.1.1: the connection is closed; MQTT 5: a PUBACK/PUBREC 0x87 with this text as its reason string
        return callback(new Error(`may not publish to ${packet.topic}: publish to ${prefix}/${p?.id ?? '<your id>'}/detections or /status`));
      }
      handleMqttMessage(svc, p, parts, packet.payload as Buffer, publishError)
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
      callback(new Error(`may subscribe only to ${prefix}/<your id>/errors`), null);
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
  broker.on('clientDisconnect', (client) => {
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
  const server: Server = createServer((socket) => {
    guardPacketSize(
      socket,
      () => (loggedIn.has(socket) ? maxAfterLogin : maxPacket),
      (announced, max) => {
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'payload_too_large' });
        svc.log.warn({ from: socket.remoteAddress, announced, max, logged_in: loggedIn.has(socket) }, 'MQTT packet larger than allowed: connection closed');
      },
    );
    (broker.handle as (s: Socket) => void)(socket);
  });
  server.maxConnections = svc.config.mqtt.max_connections;
  limitConnectionsPerAddress(server, svc.config.mqtt.max_connections_per_address, null, svc.log, 'MQTT', 'mqtt.max_connections_per_address');
  server.listen(port, host);
  await once(server, 'listening');
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
