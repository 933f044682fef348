import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fileStoreHarness, runStoreConformance } from '../conformance.js';
import { createSqliteStore, SQLITE_SCHEMA_VERSION } from './sqlite-store.js';
import { checkKillDurability } from './kill-check.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'skywarden-sqlite-'));
}

const harness = (sync?: 'full' | 'normal') => fileStoreHarness('skywarden-sqlite-', (path) => createSqliteStore({ path, sync }));

runStoreConformance('sqlite', harness(), { gapFreeSeq: true });
runStoreConformance('sqlite (sync=normal)', harness('normal'), { gapFreeSeq: true });

describe('sqlite store', () => {
  it('opens in WAL mode with synchronous=FULL by default, NORMAL on request', async () => {
    const dir = tempDir();
    try {
      const full = await createSqliteStore({ path: join(dir, 'a.db') });
      assert.equal(full.sync, 'full');
      assert.deepEqual(await full.pragmas(), { journalMode: 'wal', synchronous: 2 });
      await full.close();
      const normal = await createSqliteStore({ path: join(dir, 'b.db'), sync: 'normal' });
      assert.deepEqual(await normal.pragmas(), { journalMode: 'wal', synchronous: 1 });
      await normal.close();
      await assert.rejects(createSqliteStore({ path: join(dir, 'c.db'), sync: 'off' as 'full' }), /off/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records its schema version and refuses a newer one', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    try {
      await (await createSqliteStore({ path })).close();
      const db = new Database(path);
      assert.deepEqual(db.prepare('SELECT version FROM schema_version').all(), [{ version: SQLITE_SCHEMA_VERSION }]);
      db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_SCHEMA_VERSION + 1);
      db.close();
      await assert.rejects(createSqliteStore({ path }), new RegExp(`schema version ${SQLITE_SCHEMA_VERSION + 1} is newer`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a version 1 database (before the quarantine) in place, keeping its journal', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    try {
      const s = await createSqliteStore({ path });
      await s.appendDetections([{ t: 5, sensor: 's1', id: 'a', row: { t: 5, sensor: 's1' }, receivedAt: 6 }]);
      await s.close();
      const db = new Database(path);
      db.exec('DROP TABLE quarantine; UPDATE schema_version SET version = 1');
      db.close();
      const s2 = await createSqliteStore({ path });
      assert.equal(await s2.countDetections(), 1);
      await s2.quarantine({ seq: 1, sensor: 's1', id: 'a', t: 5, reason: 'r', at: 7 });
      assert.equal((await s2.quarantined(5)).length, 1);
      await s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every acknowledged append when the process is killed (kill -9)', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    const moduleUrl = new URL('./sqlite-store.js', import.meta.url).href;
    try {
      await checkKillDurability(moduleUrl, 'createSqliteStore', path, (p) => createSqliteStore({ path: p }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
