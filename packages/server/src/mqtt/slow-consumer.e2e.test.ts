/**
 * A client that subscribes to its errors topic and stops reading must not hold up the other
 * sensors' acknowledgements (an outside probe, 2026-12-06: aedes' deliveries share one queue,
 * and a delivery to a socket that does not drain waited on it for up to aedes' 60 s; every other
 * sensor's QoS 1 publishes went unacknowledged for 35 s).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { startServer } from '../server.js';
import { quietLogger, smallSceneConfig, tempDir } from '../testing.js';

describe('a slow consumer of the errors topic', () => {
  it('does not stop the broker: another sensor\'s QoS 1 messages are acknowledged while it sends bad messages and reads nothing', async () => {
    const tmp = tempDir();
    const { config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 30 });
    const srv = await startServer({ config, logger: quietLogger() });
    const port = srv.mqttPort!;
    const slow = connect(port, '127.0.0.1');
    let cut = false;
    slow.on('error', () => {});
    slow.on('close', () => (cut = true));
    try {
      await once(slow, 'connect');
      const gen = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);
      slow.write(gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'slow-1', keepalive: 0, username: 'radar-1', password: Buffer.from('token-radar-1') }));
      slow.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'skywarden/v1/radar-1/errors', qos: 0 }] }));
      // it reads the CONNACK and SUBACK, then nothing more
      await new Promise((r) => setTimeout(r, 300));
      slow.pause();
      // bad messages (two lines that are no JSON: a report naming them each), written as fast as it can
      // (up to 8 MB waiting in its own socket)
      const bad = gen({ cmd: 'publish', topic: 'skywarden/v1/radar-1/detections', qos: 0, retain: false, dup: false, payload: Buffer.from(`{not json ${'x'.repeat(2000)}\nalso bad ${'y'.repeat(2000)}`) });
      let flooding = true;
      let badSent = 0;
      const flood = (async () => {
        while (flooding && !slow.destroyed) {
          if (slow.writableLength < 8 * 1024 * 1024) {
            for (let k = 0; k < 50; k++) slow.write(bad);
            badSent += 50;
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      await new Promise((r) => setTimeout(r, 10_000)); // its buffers fill, then a hundred deliveries wait (aedes' concurrency)
      // another sensor: 500 QoS 1 messages of detections, 50 in flight at a time
      const other = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'adsb-1', password: 'token-adsb-1', reconnectPeriod: 0 });
      const t0 = Date.now();
      let acked = 0;
      let next = 0;
      await new Promise<void>((done) => {
        const stop = setTimeout(done, 20_000);
        const pump = () => {
          while (next < 500 && next - acked < 50) {
            const i = next++;
            const row = { t: 1764000000 + i * 0.01, sensor: 'adsb-1', type: 'position', id: `ok-${i}`, lat: 37.5, lon: 127, alt_m: 1000, pos_sd_m: 30 };
            other.publish('skywarden/v1/adsb-1/detections', JSON.stringify(row), { qos: 1 }, (err) => {
              if (!err) acked++;
              if (acked === 500) {
                clearTimeout(stop);
                done();
              } else setImmediate(pump);
            });
          }
        };
        pump();
      });
      const took = Date.now() - t0;
      flooding = false;
      await flood;
      await other.endAsync();
      assert.equal(acked, 500, `${acked} of 500 acknowledged in 20 s`);
      // the client that read nothing was cut once a delivery to it had waited DRAIN_TIMEOUT_MS, or it is
      // still connected with its reports dropped: either way it held nobody up
      console.log(`slow consumer ${cut ? 'cut by the broker' : 'still connected'} after ${badSent} bad messages; 500 acknowledgements in ${took} ms`);
    } finally {
      slow.destroy();
      await srv.close();
      tmp.cleanup();
    }
  });
});
