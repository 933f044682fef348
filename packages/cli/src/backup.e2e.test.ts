/**
 * The deployment guide's backup and restore (docs/deployment.md, issue 19), followed as a user
 * would: a running service, `skywarden backup` taken while it runs, the service stopped, the
 * copy put into a new data folder as skywarden.db, a service started there: the journal, the
 * alert history and, rebuilt by the start-up replay, the tracks are the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@skywarden/server';
import { feedScene, quietLogger, smallSceneConfig, tempDir } from '@skywarden/server/testing';

const bin = fileURLToPath(new URL('../bin/skywarden.js', import.meta.url));

function square(id: string, lat: number, lon: number, h: number) {
  const ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]];
  return { type: 'Feature', properties: { id, name: id }, geometry: { type: 'Polygon', coordinates: [ring] } };
}

test('backup while running, restore into a new data folder: same journal, alerts and tracks', { timeout: 120_000 }, async () => {
  const tmp = tempDir('sw-backup-');
  try {
    const dirA = join(tmp.dir, 'a');
    const { scene, config } = smallSceneConfig({ dataDir: dirA, seed: 3, durationS: 300 });
    const truth = scene.truth as unknown as { t: number; lat: number; lon: number; class: string }[];
    const at = truth.filter((r) => Math.abs(r.t - (scene.t0 + 150)) < 0.5 && r.class === 'piston_owa');
    const zonesFile = join(tmp.dir, 'zones.geojson');
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features: at.slice(0, 2).map((r, i) => square(`z${i}`, r.lat, r.lon, 0.03)) }));
    const cfg = { ...config, zones: { file: zonesFile } };
    let now = scene.t0;
    const a = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
    let before: { journal: number; alerts: unknown[]; tracks: string[] };
    const out = join(tmp.dir, 'backup.db');
    try {
      await feedScene(async (c) => assert.equal((await a.service.ingest.ingest(null, c, 'test')).rejected.length, 0), scene.detections as unknown as Record<string, unknown>[], (t) => (now = t));
      await new Promise((r) => setTimeout(r, 500)); // the last states stored
      // the backup, taken while the service runs (from the command line, as an operator would)
      const configFile = join(tmp.dir, 'skywarden.json');
      writeFileSync(configFile, JSON.stringify(cfg));
      const b = spawnSync(process.execPath, [bin, 'backup', '--config', configFile, '--out', out], { encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr);
      assert.match(b.stdout, /skywarden backup: .*skywarden\.db -> .*backup\.db \(\d+ pages/);
      before = {
        journal: await a.service.store.countDetections(),
        alerts: await a.service.store.alertHistory({ from: 0, to: 1e12 }),
        tracks: a.service.fusion!.snapshot().tracks.map((x) => x.track).sort(),
      };
      assert.ok(before.alerts.length > 0, 'the raid raised alerts');
      assert.ok(before.tracks.length > 0);
      // a second backup to the same file is refused (nothing overwritten)
      const again = spawnSync(process.execPath, [bin, 'backup', '--config', configFile, '--out', out], { encoding: 'utf8' });
      assert.equal(again.status, 1);
      assert.match(again.stderr, /exists: the backup does not overwrite a file/);
    } finally {
      await a.close();
    }
    // restore: a new data folder with the copy as skywarden.db
    const dirB = join(tmp.dir, 'b');
    mkdirSync(dirB);
    copyFileSync(out, join(dirB, 'skywarden.db'));
    const b = await startServer({ config: { ...cfg, data_dir: dirB }, clock: () => now, logger: quietLogger() });
    try {
      assert.equal(await b.service.store.countDetections(), before.journal);
      assert.deepEqual(await b.service.store.alertHistory({ from: 0, to: 1e12 }), before.alerts);
      assert.deepEqual(b.service.fusion!.snapshot().tracks.map((x) => x.track).sort(), before.tracks, 'the replay rebuilt the same tracks');
    } finally {
      await b.close();
    }
  } finally {
    tmp.cleanup();
  }
});
