/**
 * The ingest and fusion figures of GET /api/v1/health (the web app's status strip, issue 17):
 * against a real server fed a radar's rows in time, then late rows and a bad one.
 */
import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from './server.js';
import { basic, http, login, quietLogger, smallSceneConfig, tempDir, until } from './testing.js';
import { refusalCode } from './ingest-stats.js';

test('fusion refusal texts get their codes', () => {
  assert.equal(refusalCode('arrives 12.000 s behind the latest detection, later than the reorder delay of 2 s allows'), 'late');
  assert.equal(refusalCode('duplicate detection id "a"'), 'duplicate');
  assert.equal(refusalCode('time is not a finite number: NaN'), 'bad_time');
  assert.equal(refusalCode('no sensor position known to anchor the tracker frame'), 'no_anchor');
  assert.equal(refusalCode('something new'), 'other');
});

describe('GET /api/v1/health ingest figures', () => {
  const tmp = tempDir();
  const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 60 });
  const rows = scene.detections as unknown as Record<string, unknown>[];
  let now = scene.t0 + 1;
  let srv: RunningServer | null = null;
  after(async () => {
    await srv?.close();
    tmp.cleanup();
  });

  it('counts accepted, rejected by reason, refused late by the fusion, and taken', async () => {
    srv = await startServer({ config, clock: () => now, logger: quietLogger() });
    const port = srv.httpPort;
    const radar = rows.filter((r) => r.sensor === 'radar-1' && (r.t as number) < scene.t0 + 30);
    assert.ok(radar.length > 20, `${radar.length} radar rows`);
    const auth = { authorization: basic('radar-1', 'token-radar-1') };
    for (let s = 0; s < 30; s++) {
      now = scene.t0 + s + 1;
      const chunk = radar.filter((r) => (r.t as number) >= scene.t0 + s && (r.t as number) < scene.t0 + s + 1).map((r, i) => ({ ...r, id: `in-${s}-${i}` }));
      if (chunk.length > 0) assert.equal((await http(port, 'POST', '/api/v1/detections', { body: chunk, headers: auth })).status, 202);
    }
    // the first ten seconds again under new ids: 20 s behind the latest, past the reorder delay
    const late = radar.filter((r) => (r.t as number) < scene.t0 + 10).map((r, i) => ({ ...r, id: `late-${i}` }));
    const lp = await http(port, 'POST', '/api/v1/detections', { body: late, headers: auth });
    assert.equal(lp.status, 202, lp.text);
    // and a row the ingest refuses (no time)
    const bad = await http(port, 'POST', '/api/v1/detections', { body: [{ ...radar[0], id: 'bad-1', t: 'soon' }], headers: auth });
    assert.ok(bad.status >= 400 && bad.status < 500, `${bad.status} ${bad.text}`);
    now = scene.t0 + 40;
    const token = await login(port, 'view', 'view-secret-1');
    const ingest = (await until(async () => {
      const h = await http(port, 'GET', '/api/v1/health', { token });
      const g = h.json.ingest as { accepted: number; rejected: Record<string, number>; refused: Record<string, number>; taken: number; pending: number } | undefined;
      return g && (g.refused.late ?? 0) >= late.length && g.taken > 0 ? g : null;
    }, 20_000, 'the late rows refused by the fusion'))!;
    assert.equal(ingest.accepted, radar.length + late.length, 'every row in time and every late one journalled');
    const metricText = (await http(port, 'GET', '/metrics', { token })).text;
    const refusedMetric = Number(/^skywarden_fusion_refused_total (\S+)$/m.exec(metricText)?.[1]);
    assert.equal(ingest.refused.late, refusedMetric, 'as the metric counts');
    assert.equal(ingest.refused.late, late.length, 'each late row refused once, as late');
    assert.equal(ingest.taken, radar.length, 'the picture took the rows in time');
    // a detection journalled here reaches the picture once: not again through the in-process bus
    assert.equal(ingest.refused.duplicate ?? 0, 0, `no duplicate refusals: ${JSON.stringify(ingest.refused)}`);
    const rejected = Object.values(ingest.rejected).reduce((a, b) => a + b, 0);
    assert.equal(rejected, 1, `the bad row rejected at the ingest: ${JSON.stringify(ingest.rejected)}`);
    assert.ok(ingest.pending >= 0);
    // anonymous callers (no open viewing here) learn only that it is up
    const anon = await http(port, 'GET', '/api/v1/health');
    assert.equal(anon.json.ingest, undefined);
  });
});
