/**
 * Start-up on a journal (issue 15): the API listens while the picture is rebuilt; health says
 * "starting" with the progress (503), the ingest asks sensors to retry (503, nothing taken),
 * and a close during the replay ends it.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from './config.js';
import { createService } from './service.js';
import { buildApp } from './http/app.js';
import { basic, quietLogger, smallSceneConfig, tempDir } from './testing.js';

describe('start-up replay (issue 15)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('answers health 503 "starting" and refuses ingest with 503 until the replay is done, then 200 and 202', async () => {
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 120 });
    const built = buildConfig(config, {});
    assert.ok(built.ok);
    const svc = await createService({ config: built.config, log: quietLogger(), clock: () => scene.t0 + 100 });
    const app = await buildApp(svc);
    try {
      const rows = (scene.detections as unknown as Record<string, unknown>[]).filter((r) => r.sensor === 'radar-1' && (r.t as number) < scene.t0 + 90);
      await svc.store.appendDetections(rows.map((row, i) => ({ t: row.t as number, sensor: 'radar-1', id: `j-${i}`, row, receivedAt: row.t as number })));
      // rows an older version journalled before the input bounds (a 1e300 coordinate had hung the grid,
      // and every start after it): replay re-reads each row with today's bounds and skips them
      const absurd: Record<string, unknown>[] = rows.slice(0, 2).map((row, i) => ({ ...row, id: `absurd-${i}`, range_m: 1e300 }));
      await svc.store.appendDetections(absurd.map((row) => ({ t: row.t as number, sensor: 'radar-1', id: row.id as string, row, receivedAt: row.t as number })));

      const h = await app.inject({ method: 'GET', url: '/api/v1/health' });
      assert.equal(h.statusCode, 503);
      assert.equal(h.headers['retry-after'], '2');
      const hb = h.json() as { ok: boolean; starting: boolean; replayed?: number };
      assert.equal(hb.ok, false);
      assert.equal(hb.starting, true);
      const post = await app.inject({ method: 'POST', url: '/api/v1/detections', headers: { authorization: basic('radar-1', 'token-radar-1'), 'content-type': 'application/json' }, payload: JSON.stringify([{ ...rows[0], id: 'during-start' }]) });
      assert.equal(post.statusCode, 503, post.body);
      assert.equal(post.headers['retry-after'], '5');
      assert.match((post.json() as { error: { message: string } }).error.message, /starting .*replaying its journal.*retry/);
      assert.equal(await svc.store.countDetections(), rows.length + 2, 'nothing of the refused request was journalled');
      // nor may an operator change the picture meanwhile
      const raise = await app.inject({ method: 'POST', url: '/api/v1/zones/any/alert', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ action: 'raise', reason: 'test' }) });
      assert.equal(raise.statusCode, 503, raise.body);

      const { replayed } = await svc.start();
      assert.equal(replayed, rows.length + 2, 'the start read every journal entry and finished');
      assert.equal(svc.takenCount(), rows.length, 'the two absurd rows were skipped');
      const h2 = await app.inject({ method: 'GET', url: '/api/v1/health' });
      assert.equal(h2.statusCode, 200);
      assert.ok(svc.fusion!.snapshot().tracks.length >= 1, 'the replay rebuilt the tracks');
      const post2 = await app.inject({ method: 'POST', url: '/api/v1/detections', headers: { authorization: basic('radar-1', 'token-radar-1'), 'content-type': 'application/json' }, payload: JSON.stringify([{ ...rows[rows.length - 1], id: 'after-start' }]) });
      assert.equal(post2.statusCode, 202, post2.body);
    } finally {
      await app.close();
      await svc.close();
    }
  });
});
