/**
 * The live fusion runs a report as soon as it falls due (its time plus the reorder delay on
 * the clock), on its own timer, not at the next tick of the service clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../config.js';
import { createService } from '../service.js';
import { quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';

describe('live fusion timer', () => {
  it('makes each report when it falls due, with a tick far longer than the report interval', async () => {
    const tmp = tempDir();
    try {
      const { config, sensors } = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 60 });
      const adsb = sensors.find((s) => s.kind === 'adsb');
      assert.ok(adsb, 'the small scene has an ADS-B receiver');
      const reorder = 0.5;
      // a 10 s tick: were the fusion only advanced by the tick, no report would come for 10 s
      const built = buildConfig({ ...config, fusion: { reorder_delay_s: reorder, report_every_s: 0.25, replay_window_s: 0, tick_ms: 10000 } }, {});
      assert.ok(built.ok, built.ok ? '' : built.errors.join('; '));
      const svc = await createService({ config: built.config, log: quietLogger() });
      await svc.start();
      const made: { t: number; at: number }[] = [];
      svc.onTracks((t) => made.push({ t, at: Date.now() / 1000 }));
      try {
        const t0 = Date.now() / 1000;
        const lat = adsb.lat as number;
        const lon = adsb.lon as number;
        let lastSent = 0;
        for (let k = 0; k < 12; k++) {
          const t = Date.now() / 1000;
          lastSent = t;
          const row = { t, sensor: adsb.id, type: 'position', lat: lat + 0.0001 * k, lon, alt_m: 500, pos_sd_m: 15, alt_sd_m: 10, target: 'T1', id: `p${k}` };
          const res = await svc.ingest.ingest(null, [row], 'test');
          assert.equal(res.rejected.length, 0, JSON.stringify(res.rejected));
          await new Promise((r) => setTimeout(r, 100));
        }
        // the last reports fall due after the last detection: nothing but the timer can make them in time
        const lastT = lastSent;
        await until(() => made.some((m) => m.t >= lastT - 0.25), 3000, 'the report after the last detection');
        assert.ok(made.length >= 4, `${made.length} reports`);
        assert.ok(made[0].at - t0 < 3, `first report ${(made[0].at - t0).toFixed(2)} s after the first detection`);
        for (const m of made) {
          const late = m.at - (m.t + reorder);
          assert.ok(late >= -0.005 && late < 0.2, `report ${m.t} made ${late.toFixed(3)} s after it fell due`);
        }
        for (let i = 1; i < made.length; i++) assert.ok(Math.abs(made[i].t - made[i - 1].t - 0.25) < 1e-6, 'every report time on the 0.25 s grid');
      } finally {
        await svc.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
