/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1) on its own TCP port: sensors connect with
 * their id as username and their token as password. See mqtt-ingest.ts for topics and
 * acknowledgement.
 */
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { Aedes } from 'aedes';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import { handleMqttMessage, parseTopic } from './mqtt-ingest.js';

export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(svc: Service, host: string, port: number): Promise<EmbeddedBroker> {
  const prefix = svc.config.mqtt.topic_prefix;
  const principals = new WeakMap<object, Principal>();
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      if (!username || !password) {
        const e = Object.assign(new Error('username (sensor or gateway id) and password (token) are required'), { returnCode: 4 });
        return done(e as never, false);
      }
      svc.credentials
        .check(username, password.toString('utf8'))
        .then((p) => {
          if (!p) {
            svc.metrics.rejected.inc({ source: 'mqtt', reason: 'bad_credentials' });
            return done(Object.assign(new Error('bad credentials'), { returnCode: 4 }) as never, false);
          }
          principals.set(client, p);
          done(null, true);
        })
        .catch((err: Error) => done(Object.assign(err, { returnCode: 3 }) as never, false));
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null); // the service's own messages
      const p = principals.get(client);
      const parts = parseTopic(prefix, packet.topic);
      if (!p || !parts || parts.id !== p.id || parts.kind === 'errors') {
        svc.metrics.rejected.inc({ source: 'mqtt', reason: 'forbidden' });
        return callback(new Error(`may not publish to ${packet.topic}: publish to ${prefix}/${p?.id ?? '<your id>'}/detections or /status`));
      }
      handleMqttMessage(svc, p, parts, packet.payload as Buffer, publishError)
        .then(() => callback(null))
        .catch((err: Error) => {
          svc.log.error({ err }, 'journal write failed: MQTT message not acknowledged');
          callback(err);
        });
    },
    authorizeSubscribe(client, sub, callback) {
      const p = principals.get(client);
      if (p && sub.topic === `${prefix}/${p.id}/errors`) return callback(null, sub);
      callback(new Error(`may subscribe only to ${prefix}/<your id>/errors`), null);
    },
  });
  function publishError(id: string, body: unknown): void {
    broker.publish({ cmd: 'publish', topic: `${prefix}/${id}/errors`, payload: Buffer.from(JSON.stringify(body)), qos: 0, retain: false, dup: false }, () => {});
  }
  const server: Server = createServer(broker.handle as never);
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
