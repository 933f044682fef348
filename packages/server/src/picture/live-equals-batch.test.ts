/**
 * The live service's tracks equal the batch tracker's on the same detections (issue 5):
 * the small scene is ingested through the service's ingest (journal, then fusion on the
 * service clock), and its stored track states are compared with the batch runner's rows
 * (the code of `skywarden track`) field by field.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBatchRunner, createTracker, sensorCentroid } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson, trackReportToRow, type TrackRow } from '@skywarden/formats';
import { buildConfig } from '../config.js';
import { createService } from '../service.js';
import { quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';

describe('live fusion equals the batch run', () => {
  it('gives the same track rows for the same detections', async () => {
    const tmp = tempDir();
    try {
      const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, seed: 5, durationS: 180 });
      const rows = scene.detections as unknown as Record<string, unknown>[];
      const reorder = 5;

      // batch: the code path of `skywarden track`
      const parsed = parseSensorsJson(JSON.stringify({ sensors: scene.sensors }));
      assert.ok(parsed.ok);
      const batch: TrackRow[] = [];
      const tracker = createTracker({ origin: sensorCentroid(parsed.sensors.values())! });
      const runner = createBatchRunner(tracker, { reorderDelay: reorder, reportEvery: 1 }, { onReport: (_t, reps) => batch.push(...reps.map(trackReportToRow)) });
      let lineNo = 0;
      for (const r of rows) {
        const p = parseDetectionLine(JSON.stringify(r), ++lineNo, parsed.sensors);
        assert.ok(p && p.ok);
        runner.push(p.detection);
      }
      const lastT = rows[rows.length - 1].t as number;

      // live: the service with a clock the test moves along the detections
      let now = scene.t0;
      const built = buildConfig({ ...config, fusion: { reorder_delay_s: reorder, report_every_s: 1, replay_window_s: 0, tick_ms: 20 } }, {});
      assert.ok(built.ok, built.ok ? '' : built.errors.join('; '));
      const svc = await createService({ config: built.config, log: quietLogger(), clock: () => now });
      await svc.start();
      let chunk: Record<string, unknown>[] = [];
      for (const r of rows) {
        if ((r.t as number) > now + 1) {
          const res = await svc.ingest.ingest(null, chunk, 'test');
          assert.equal(res.rejected.length, 0, JSON.stringify(res.rejected.slice(0, 2)));
          chunk = [];
          now = r.t as number;
          await new Promise((res) => setTimeout(res, 1));
        }
        chunk.push(r);
      }
      await svc.ingest.ingest(null, chunk, 'test');
      now = lastT + reorder + 2;
      const cutoff = lastT - reorder;
      await until(async () => (await svc.store.trackStatesInWindow({ from: cutoff, to: cutoff + 1, limit: 1 })).length > 0 || (svc.fusion?.snapshot().t ?? 0) >= cutoff, 5000, 'the live reports to reach the end');
      await svc.close();

      const { createSqliteStore } = await import('../store/index.js');
      const store = await createSqliteStore({ path: `${tmp.dir}/skywarden.db` });
      const live = (await store.trackStatesInWindow({ from: 0, to: cutoff, limit: 100000 })).map((s) => s.row);
      await store.close();
      const want = batch.filter((r) => r.t <= cutoff);
      assert.ok(want.length > 300, `${want.length} batch rows`);
      assert.equal(live.length, want.length, 'same number of rows');
      const key = (r: { t: number; track: string }) => `${r.t}|${r.track}`;
      const liveBy = new Map(live.map((r) => [key(r as unknown as TrackRow), r]));
      for (const w of want) {
        const l = liveBy.get(key(w));
        assert.ok(l, `live has no row for track ${w.track} at ${w.t}`);
        for (const f of ['lat', 'lon', 'alt_m', 've_mps', 'vn_mps', 'vu_mps', 'pos_sd_m', 'status'] as const) {
          assert.deepEqual(l[f], w[f], `${f} of track ${w.track} at ${w.t}`);
        }
        assert.deepEqual(l.class, w.class);
      }
    } finally {
      tmp.cleanup();
    }
  });
});
