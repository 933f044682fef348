/**
 * Ingest from an external MQTT broker (Mosquitto; MQTT 5): the service subscribes to
 * `<prefix>/+/detections` and `<prefix>/+/status` with QoS 1 in a persistent session
 * (clean start off, session expiry one day), and acknowledges each message to the broker
 * only after the journal has it, so that the broker redelivers what a crash interrupted.
 *
 * Identity: the broker authenticates sensors and must restrict each to its own topics
 * (Mosquitto ACL `pattern readwrite skywarden/v1/%u/#`); the service trusts the topic's
 * `<id>`, and still checks that each detection's sensor is one that id may publish for
 * (a sensor id, or a gateway of the config's credentials).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Service } from '../service.js';
import type { Principal } from '../auth.js';
import { handleMqttMessage, parseTopic } from './mqtt-ingest.js';

export interface ExternalIngest {
  client: MqttClient;
  close(): Promise<void>;
}

export async function startExternalIngest(svc: Service, gateways: readonly Principal[]): Promise<ExternalIngest> {
  const m = svc.config.mqtt;
  const prefix = m.topic_prefix;
  const byId = new Map(gateways.map((g) => [g.id, g]));
  const client = mqtt.connect(m.url, {
    clientId: m.client_id,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 86400 },
    username: m.username ?? undefined,
    password: m.password ?? undefined,
    reconnectPeriod: 1000,
    manualConnect: true,
  });
  const publishError = (id: string, body: unknown) => {
    client.publish(`${prefix}/${id}/errors`, JSON.stringify(body), { qos: 0 });
  };
  // PUBACK to the broker only after the journal has the message (mqtt.js sends it when the callback is called)
  client.handleMessage = (packet, callback) => {
    const parts = parseTopic(prefix, packet.topic);
    if (!parts) return callback();
    const principal: Principal = byId.get(parts.id) ?? { id: parts.id, gateway: false, sensors: [parts.id], tokenHash: '' };
    handleMqttMessage(svc, principal, parts, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), publishError)
      .then(() => callback())
      .catch((err: Error) => {
        svc.log.error({ err }, 'journal write failed: MQTT message not acknowledged; reconnecting so the broker redelivers');
        client.end(true, () => client.reconnect());
      });
  };
  client.on('error', (err) => svc.log.warn({ err: err.message }, 'external MQTT broker error'));
  client.on('offline', () => svc.log.warn({ url: m.url }, 'external MQTT broker offline; retrying'));
  client.connect();
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`mqtt.url ${m.url}: no connection within 10 s`)), 10000);
    client.once('connect', () => {
      clearTimeout(t);
      resolve();
    });
  });
  await client.subscribeAsync([`${prefix}/+/detections`, `${prefix}/+/status`], { qos: 1 });
  return {
    client,
    async close() {
      await client.endAsync();
    },
  };
}
