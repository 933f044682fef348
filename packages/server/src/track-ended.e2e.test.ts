/**
 * `GET /api/v1/tracks/{id}` of a track that has ended answers its last 10 minutes from the store
 * (it answered `{track: null, history: []}` while `/history` still had its rows: an outside try of
 * the README, 2026-12-07), and an id that never was a track answers 404.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.js';
import { feedScene, http, quietLogger, smallSceneConfig, tempDir, until } from './testing.js';

test('an ended track answers null and its last 10 minutes from the store; an unknown id 404', { timeout: 120_000 }, async () => {
  const tmp = tempDir();
  const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 120 });
  let now = scene.t0;
  const srv = await startServer({ config: { ...config, auth: { ...config.auth, open_viewing: true } }, clock: () => now, logger: quietLogger() });
  try {
    const port = srv.httpPort;
    const end = await feedScene((c) => srv.service.ingest.ingest(null, c, 'test'), scene.detections as unknown as Record<string, unknown>[], (t) => (now = t), 8);
    const live = await until(async () => {
      const r = await http(port, 'GET', '/api/v1/tracks');
      const list = (r.json as { tracks: { track: string }[] }).tracks;
      return list.length > 0 ? list : null;
    }, 20_000, 'live tracks');
    const id = live![0].track;
    const whileLive = await http(port, 'GET', `/api/v1/tracks/${encodeURIComponent(id)}`);
    assert.equal(whileLive.status, 200);
    assert.ok((whileLive.json as { history: unknown[] }).history.length > 0);
    // no more detections: two minutes on, the tracks have ended
    now = end + 120;
    await until(async () => {
      const r = await http(port, 'GET', '/api/v1/tracks');
      return !(r.json as { tracks: { track: string }[] }).tracks.some((x) => x.track === id);
    }, 20_000, `track ${id} ended`);
    const ended = await http(port, 'GET', `/api/v1/tracks/${encodeURIComponent(id)}`);
    assert.equal(ended.status, 200, ended.text);
    const body = ended.json as { track: unknown; history: { t: number; lat: number; lon: number }[] };
    assert.equal(body.track, null);
    assert.ok(body.history.length > 10, `the ended track's history from the store: ${body.history.length} points`);
    assert.ok(body.history.every((p, k) => Number.isFinite(p.lat) && Number.isFinite(p.lon) && p.t >= now - 600 && (k === 0 || p.t > body.history[k - 1].t)), 'points within the last 10 minutes, in time order');
    const stored = await http(port, 'GET', `/api/v1/tracks/${encodeURIComponent(id)}/history?from=${now - 600}&to=${now}`);
    assert.equal(body.history.length, (stored.json as { rows: unknown[] }).rows.length, 'the same rows as its stored history');
    assert.equal((await http(port, 'GET', '/api/v1/tracks/no-such-track')).status, 404);
  } finally {
    await srv.close();
    tmp.cleanup();
  }
});
