import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fileStoreHarness, runStoreConformance } from '../conformance.js';
import { createSqliteStore, SQLITE_SCHEMA_VERSION } from './sqlite-store.js';

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
      await assert.rejects(createSqliteStore({ path }), /schema version 2 is newer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every acknowledged append when the process is killed (kill -9)', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    const moduleUrl = new URL('./sqlite-store.js', import.meta.url).href;
    // The child appends batches of 100 forever, printing each acknowledged batch's last seq.
    const child = `
      const { createSqliteStore } = await import(${JSON.stringify(moduleUrl)});
      const store = await createSqliteStore({ path: ${JSON.stringify(path)} });
      for (let b = 0; ; b++) {
        const batch = Array.from({ length: 100 }, (_, i) => ({ t: b + i / 100, sensor: 's', id: b + '-' + i, row: { b, i }, receivedAt: b }));
        const r = await store.appendDetections(batch);
        process.stdout.write('ack ' + r.results[99] + '\\n');
      }`;
    try {
      const proc = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
      let acked = 0;
      let out = '';
      await new Promise<void>((resolve, reject) => {
        proc.on('error', reject);
        proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited with ${code} ${signal}`))));
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          for (const m of out.matchAll(/ack (\d+)\n/g)) acked = Math.max(acked, Number(m[1]));
          if (acked >= 2000 && !proc.killed) proc.kill('SIGKILL');
        });
      });
      assert.ok(acked >= 2000, `child acknowledged only ${acked}`);
      const store = await createSqliteStore({ path });
      const count = await store.countDetections();
      assert.ok(count >= acked, `acknowledged ${acked} detections, found ${count} after the crash`);
      assert.equal(count % 100, 0, 'a batch was stored in part');
      assert.equal(await store.lastSeq(), count);
      const last = await store.readJournal(count - 1, 1);
      assert.deepEqual(last[0].row, { b: count / 100 - 1, i: 99 });
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
