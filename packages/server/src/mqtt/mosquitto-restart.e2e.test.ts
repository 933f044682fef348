/**
 * Mosquitto restarts under load (issue 15): with `mqtt.mode: external` the service is a client
 * of the broker with a persistent session. Through broker restarts it stays up, reconnects,
 * and journals every message the broker acknowledged to the sensor (the broker keeps the
 * session's queue across its restart: persistence on, as a deployment would have it).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { startServer } from '../server.js';
import { quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';
import { testMosquittoServer } from '../test-services.js';

describe('Mosquitto restarts under load', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('stays up through broker restarts and journals every message the broker acknowledged', async (t) => {
    const broker = await testMosquittoServer();
    const id = randomBytes(4).toString('hex');
    const prefix = `sw-rs-${id}/v1`;
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 120 });
    const cfg = { ...config, mqtt: { mode: 'external', url: broker.url, topic_prefix: prefix, client_id: `sw-rs-${id}` } };
    let now = scene.t0;
    const srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
    const restarts = Number(process.env.SKYWARDEN_MQTT_RESTARTS ?? 2);
    const rows = (scene.detections as unknown as Record<string, unknown>[]).filter((r) => r.sensor === 'radar-1');
    const acked = new Set<string>();
    let unacked = 0;
    const sensor = mqtt.connect(broker.url, { protocolVersion: 5, clientId: `radar-${id}`, clean: false, reconnectPeriod: 200 });
    sensor.on('error', () => {});
    try {
      await until(() => sensor.connected, 5000, 'the sensor connected');
      const restartAt = new Set(Array.from({ length: restarts }, (_, k) => Math.round(((k + 1) * 100) / (restarts + 1))));
      for (let s = 0; s < 110; s++) {
        if (restartAt.has(s)) await broker.restart(500);
        now = scene.t0 + s + 1;
        const chunk = rows.filter((r) => (r.t as number) >= scene.t0 + s && (r.t as number) < scene.t0 + s + 1);
        for (const [i, r] of chunk.entries()) {
          const rid = `m-${s}-${i}`;
          // QoS 1: the broker's PUBACK is the sensor's acknowledgement
          const ok = await Promise.race([
            sensor.publishAsync(`${prefix}/radar-1/detections`, JSON.stringify({ ...r, id: rid }), { qos: 1 }).then(() => true, () => false),
            new Promise<boolean>((res) => setTimeout(() => res(false), 3000)),
          ]);
          if (ok) acked.add(rid);
          else unacked++;
        }
      }
      await until(async () => {
        const ids = new Set((await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, limit: 100_000 })).map((e) => e.id));
        return [...acked].every((x) => ids.has(x));
      }, 20_000, 'every message the broker acknowledged, journalled');
      const h = await fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/health`);
      assert.equal(h.status, 200);
      assert.ok(acked.size > 100, `${acked.size} acknowledged`);
      t.diagnostic(`Mosquitto restarts ${restarts}: ${acked.size} messages acknowledged by the broker, all journalled; ${unacked} not acknowledged (sent during a restart)`);
    } finally {
      await sensor.endAsync(true);
      await srv.close();
    }
  });

  it('subscribes again when the broker comes back without the session (no persistence; mqtt.js resubscribes): what is published after that is journalled', async () => {
    const broker = await testMosquittoServer({ persistence: false });
    const id = randomBytes(4).toString('hex');
    const prefix = `sw-np-${id}/v1`;
    const tmp2 = tempDir();
    const { scene, config } = smallSceneConfig({ dataDir: tmp2.dir, durationS: 60 });
    const cfg = { ...config, mqtt: { mode: 'external', url: broker.url, topic_prefix: prefix, client_id: `sw-np-${id}` } };
    const now = scene.t0 + 30;
    const srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
    const row = (scene.detections as unknown as Record<string, unknown>[]).find((r) => r.sensor === 'radar-1' && (r.t as number) < now)!;
    try {
      await broker.restart(300);
      // the sensor publishes until the service, back and subscribed again, journals one
      const sensor = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
      let n = 0;
      await until(async () => {
        await sensor.publishAsync(`${prefix}/radar-1/detections`, JSON.stringify({ ...row, id: `np-${n++}` }), { qos: 1 });
        return (await srv.service.store.countDetections()) > 0;
      }, 15_000, 'a detection journalled after the broker lost the session');
      await sensor.endAsync(true);
    } finally {
      await srv.close();
      tmp2.cleanup();
    }
  });
});
