/**
 * NATS restarts under load (issue 15): the service on the JetStream bus keeps acknowledging
 * (the journal does not depend on the bus), stays up, and its picture gets every journalled
 * detection once the bus is back.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from '../../server.js';
import { quietLogger, smallSceneConfig, tempDir, until } from '../../testing.js';
import { testNatsServer } from '../../test-services.js';

describe('NATS restarts under load', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('acknowledges through NATS restarts, stays up, and the picture gets every journalled detection', async (t) => {
    const nats = await testNatsServer();
    const id = randomBytes(4).toString('hex');
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 120 });
    const cfg = { ...config, mqtt: { mode: 'off' }, bus: { kind: 'nats', url: nats.url, stream: `sw_test_rs_${id}`, subject_prefix: `swrs${id}`, region: 'r' } };
    let now = scene.t0;
    const srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
    const restarts = Number(process.env.SKYWARDEN_NATS_RESTARTS ?? 2);
    try {
      const rows = scene.detections as unknown as Record<string, unknown>[];
      let acked = 0;
      let failed = 0;
      const fed = new Set<number>();
      const feedSecond = async (s: number) => {
        now = scene.t0 + s + 1;
        const chunk = rows.filter((r) => (r.t as number) >= scene.t0 + s && (r.t as number) < scene.t0 + s + 1);
        if (chunk.length === 0) return;
        try {
          const r = await srv.service.ingest.ingest(null, chunk, 'test');
          acked += r.accepted;
          fed.add(s);
        } catch {
          failed++;
        }
      };
      const restartAt = new Set(Array.from({ length: restarts }, (_, k) => Math.round(((k + 1) * 100) / (restarts + 1))));
      for (let s = 0; s < 110; s++) {
        if (restartAt.has(s)) await nats.restart(500);
        await feedSecond(s);
      }
      assert.equal(failed, 0, 'the ingest never failed: the journal does not depend on the bus');
      assert.equal(await srv.service.store.countDetections(), acked);
      // every journalled detection reaches the picture (refused ones only for lateness or duplicates)
      await until(() => srv.service.fedCount() >= acked, 20_000, 'every journalled detection in the picture');
      const h = await fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/health`);
      assert.equal(h.status, 200);
      t.diagnostic(`NATS restarts ${restarts}, detections acknowledged ${acked}, in the picture ${srv.service.fedCount()}`);
    } finally {
      await srv.close();
    }
  });
});

