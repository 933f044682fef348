/**
 * The service with `bus.kind: nats`: journalled detections go through a JetStream stream on a
 * NATS server the test starts on a free port (test-services.ts; SKYWARDEN_TEST_NATS names an
 * existing one instead) and the fusion consumes them from there. The test has its own stream
 * and subject prefix and deletes the stream afterwards.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from '../../server.js';
import { feedScene, quietLogger, smallSceneConfig, tempDir, until } from '../../testing.js';
import { createNatsBus } from './nats-bus.js';
import { testNats } from '../../test-services.js';

const NATS_URL = await testNats();

describe('the service on the NATS JetStream bus', () => {
  const tmp = tempDir();
  const id = randomBytes(4).toString('hex');
  const stream = `sw_test_svc_${id}`;
  const prefix = `swtest${id}`;
  after(async () => {
    const admin = await createNatsBus({ url: NATS_URL, stream, subjectPrefix: prefix });
    await admin.manager.streams.delete(stream);
    await admin.close();
    tmp.cleanup();
  });

  it('publishes journalled detections to the stream and its fusion, fed from it, makes tracks', async () => {
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 150 });
    const cfg = { ...config, mqtt: { mode: 'off' }, bus: { kind: 'nats', url: NATS_URL, stream, subject_prefix: prefix, region: 'test-region' } };
    let now = scene.t0;
    const srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() }).catch((e: Error) => {
      throw new Error(`is NATS with JetStream running at ${NATS_URL}? ${e.message}`);
    });
    try {
      assert.equal(srv.service.bus.kind, 'nats');
      const rows = scene.detections as unknown as Record<string, unknown>[];
      await feedScene(
        async (c) => assert.equal((await srv.service.ingest.ingest(null, c, 'test')).rejected.length, 0),
        rows,
        (t) => (now = t),
        10,
      );
      await until(() => (srv.service.fusion?.snapshot().tracks.length ?? 0) >= 3, 10000, 'tracks from the bus');
      assert.equal(await srv.service.store.countDetections(), rows.length);
      // the stream holds every journalled detection, on the region's subject, in journal order
      const reader = await createNatsBus({ url: NATS_URL, stream, subjectPrefix: prefix });
      try {
        const seqs: number[] = [];
        await reader.subscribe(`${prefix}.detections.test-region`, (m) => void seqs.push(...m.json<{ seq: number }[]>().map((x) => x.seq)), { from: 'all' });
        await until(() => seqs.length >= rows.length, 10000, 'the stream read back');
        assert.equal(seqs.length, rows.length);
        for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `journal seq ${seqs[i]} after ${seqs[i - 1]}`);
      } finally {
        await reader.close();
      }
    } finally {
      await srv.close();
    }
  });
});
