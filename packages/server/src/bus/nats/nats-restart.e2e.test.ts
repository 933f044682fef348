/**
 * NATS restarts under load (issue 15): the service on the JetStream bus keeps acknowledging
 * (the journal does not depend on the bus), stays up, and its picture takes every journalled
 * detection in time, the bus down or not (the outbox hands them over directly meanwhile).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from '../../server.js';
import { quietLogger, smallSceneConfig, tempDir, until } from '../../testing.js';
import { testNatsServer } from '../../test-services.js';
import { createNatsBus } from './nats-bus.js';

describe('NATS restarts under load', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('acknowledges through NATS restarts, stays up, and the picture takes every journalled detection in time', async (t) => {
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
      // the clock moves on while NATS is down: each restart runs while 8 seconds of detections
      // are journalled (and acknowledged), as a live sensor would send them
      const restartAt = new Set(Array.from({ length: restarts }, (_, k) => Math.round(((k + 1) * 100) / (restarts + 1))));
      let restarting: Promise<void> | null = null;
      let outageSeconds = 0;
      for (let s = 0; s < 110; s++) {
        if (restartAt.has(s)) restarting = nats.restart(1500);
        await feedSecond(s);
        if (restarting) {
          outageSeconds++;
          await new Promise((r) => setTimeout(r, 150));
          if (outageSeconds % 8 === 0) {
            await restarting;
            restarting = null;
          }
        }
      }
      if (restarting) await restarting;
      assert.equal(failed, 0, 'the ingest never failed: the journal does not depend on the bus');
      assert.equal(await srv.service.store.countDetections(), acked);
      // every journalled detection reaches the picture in time: taken, none refused as late
      await until(() => srv.service.takenCount() >= acked, 20_000, 'every journalled detection taken by the picture');
      const refused = /^skywarden_fusion_refused_total (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${srv.httpPort}/metrics`)).text());
      assert.equal(Number(refused?.[1] ?? NaN), 0, 'no detection came too late for the picture');
      // and the stream holds every one of them for other nodes (the outbox retried what failed)
      const reader = await createNatsBus({ url: nats.url, stream: `sw_test_rs_${id}`, subjectPrefix: `swrs${id}` });
      const seqs = new Set<number>();
      try {
        await reader.subscribe(`swrs${id}.detections.r`, (m) => void m.json<{ seq: number }[]>().forEach((x) => seqs.add(x.seq)), { from: 'all' });
        await until(() => seqs.size >= acked, 20_000, 'every journalled detection on the stream');
      } finally {
        await reader.close();
      }
      const h = await fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/health`);
      assert.equal(h.status, 200);
      t.diagnostic(`NATS restarts ${restarts} (${outageSeconds} s of detections journalled while it was down), detections acknowledged ${acked}, taken by the picture ${srv.service.takenCount()}, on the stream ${seqs.size}`);
    } finally {
      await srv.close();
    }
  });
});

