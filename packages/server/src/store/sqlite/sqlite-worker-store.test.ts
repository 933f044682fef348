import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fileStoreHarness, runStoreConformance } from '../conformance.js';
import type { JournalInput } from '../store.js';
import { SQLITE_SCHEMA_VERSION } from './sqlite-store.js';
import { createSqliteWorkerStore } from './sqlite-worker-store.js';
import { checkKillDurability } from './kill-check.js';
import { startServer } from '../../server.js';
import { quietLogger, smallSceneConfig } from '../../testing.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'skywarden-sqlite-worker-'));
}

const harness = (sync?: 'full' | 'normal') => fileStoreHarness('skywarden-sqlite-worker-', (path) => createSqliteWorkerStore({ path, sync }));

runStoreConformance('sqlite in a worker thread', harness(), { gapFreeSeq: true });
runStoreConformance('sqlite in a worker thread (sync=normal)', harness('normal'), { gapFreeSeq: true });

function batch(tag: string, n: number): JournalInput[] {
  return Array.from({ length: n }, (_, i) => ({ t: 1000 + i, sensor: 's', id: `${tag}-${i}`, row: { tag, i }, receivedAt: 1000 + i }));
}

/** Settles within `ms` or fails the test (a call that hangs is the bug these tests look for). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('sqlite worker store', () => {
  it('runs the store in another thread, in WAL mode with synchronous=FULL by default, NORMAL on request', async () => {
    const dir = tempDir();
    try {
      const full = await createSqliteWorkerStore({ path: join(dir, 'a.db') });
      assert.equal(full.kind, 'sqlite');
      assert.equal(full.sync, 'full');
      assert.notEqual(full.worker.threadId, 0);
      assert.deepEqual(await full.pragmas(), { journalMode: 'wal', synchronous: 2 });
      await full.close();
      const normal = await createSqliteWorkerStore({ path: join(dir, 'b.db'), sync: 'normal' });
      assert.deepEqual(await normal.pragmas(), { journalMode: 'wal', synchronous: 1 });
      await normal.close();
      await assert.rejects(createSqliteWorkerStore({ path: join(dir, 'c.db'), sync: 'off' as 'full' }), /off/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes the worker's errors on with their class and message, and refuses a newer schema at open", async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    try {
      const store = await createSqliteWorkerStore({ path });
      await assert.rejects(store.appendDetections([{ t: NaN, sensor: 's', id: 'a', row: {}, receivedAt: 0 }]), {
        name: 'TypeError',
        message: 'appendDetections: input 0: t is NaN, expected a finite number',
      });
      await assert.rejects(store.readJournal(-1, 10), { name: 'TypeError', message: /afterSeq is -1/ });
      // the store goes on after an error
      assert.deepEqual(await store.appendDetections(batch('x', 2)), { results: [1, 2] });
      await store.close();
      await assert.rejects(store.lastSeq(), new RegExp(`sqlite store ${path.replace(/[/\\.]/g, '\\$&')} is closed`));
      await store.close(); // twice is harmless

      const db = new Database(path);
      db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_SCHEMA_VERSION + 1);
      db.close();
      await assert.rejects(createSqliteWorkerStore({ path }), new RegExp(`schema version ${SQLITE_SCHEMA_VERSION + 1} is newer`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers calls in the order they were made, and close() waits for the calls before it', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    try {
      const store = await createSqliteWorkerStore({ path });
      const appends = Array.from({ length: 20 }, (_, b) => store.appendDetections(batch(`b${b}`, 100)));
      const counted = store.countDetections();
      const exitCode = new Promise<number>((resolve) => store.worker.once('exit', resolve));
      const closed = store.close();
      const results = await Promise.all(appends);
      results.forEach((r, b) => assert.deepEqual(r.results, Array.from({ length: 100 }, (_, i) => b * 100 + i + 1)));
      assert.equal(await counted, 2000);
      await closed;
      assert.equal(await exitCode, 0, 'the worker ended on its own after close');
      const again = await createSqliteWorkerStore({ path });
      assert.equal(await again.countDetections(), 2000);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects pending and later calls with a clear error when the worker dies (never hangs)', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    try {
      const store = await createSqliteWorkerStore({ path });
      assert.deepEqual((await store.appendDetections(batch('first', 3))).results, [1, 2, 3]);
      const appends = Array.from({ length: 50 }, (_, b) => store.appendDetections(batch(`b${b}`, 500)));
      const reads = store.readJournal(0, 10);
      await store.worker.terminate();
      const settled = await within(Promise.allSettled([...appends, reads]), 5000, 'pending calls after the worker died');
      const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      assert.ok(rejected.length > 0, 'no call was pending when the worker was terminated');
      for (const r of rejected) {
        assert.match((r.reason as Error).message, /^sqlite store .*store\.db: the worker thread stopped \(exit code 1\); the store is unusable/);
      }
      // later calls fail at once with the same message
      await within(assert.rejects(store.appendDetections(batch('late', 1)), /the worker thread stopped \(exit code 1\); the store is unusable/), 1000, 'a later append');
      await within(assert.rejects(store.lastSeq(), /the worker thread stopped/), 1000, 'a later read');
      await within(store.close(), 1000, 'close after the crash');

      // every append that was answered is in the file
      const answered = settled.slice(0, 50).filter((s) => s.status === 'fulfilled').length;
      const again = await createSqliteWorkerStore({ path });
      const count = await again.countDetections();
      assert.ok(count >= 3 + answered * 500, `${answered} batches were acknowledged, ${count} detections stored`);
      assert.equal((count - 3) % 500, 0, 'a batch was stored in part');
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every acknowledged append when the process is killed (kill -9), and does not keep an idle process alive', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    const moduleUrl = new URL('./sqlite-worker-store.js', import.meta.url).href;
    try {
      // An idle, unclosed store lets the process end.
      const idle = `
        const { createSqliteWorkerStore } = await import(${JSON.stringify(moduleUrl)});
        const store = await createSqliteWorkerStore({ path: ${JSON.stringify(join(dir, 'idle.db'))} });
        await store.appendDetections([{ t: 1, sensor: 's', id: 'a', row: {}, receivedAt: 1 }]);
        process.stdout.write('appended\\n');`;
      const ended = spawn(process.execPath, ['--input-type=module', '-e', idle], { stdio: ['ignore', 'pipe', 'inherit'] });
      let idleOut = '';
      ended.stdout.on('data', (d: Buffer) => (idleOut += d.toString()));
      const idleExit = await within(new Promise<number | null>((resolve) => ended.on('exit', resolve)), 10000, 'the idle process');
      assert.equal(idleExit, 0);
      assert.equal(idleOut, 'appended\n');

      await checkKillDurability(moduleUrl, 'createSqliteWorkerStore', path, (p) => createSqliteWorkerStore({ path: p }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the service\'s SQLite store unless store.worker is false', async () => {
    const dir = tempDir();
    try {
      for (const worker of [undefined, true, false]) {
        const { config } = smallSceneConfig({ dataDir: dir });
        const cfg = { ...config, mqtt: { mode: 'off' }, store: worker === undefined ? {} : { worker } };
        const srv = await startServer({ config: cfg, logger: quietLogger() });
        try {
          assert.equal(srv.service.store.kind, 'sqlite');
          assert.equal('worker' in srv.service.store, worker !== false, `store.worker ${String(worker)}`);
        } finally {
          await srv.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
