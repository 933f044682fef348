/**
 * The data folder fills up (issue 15): the ingest answers 503 (nothing
 * acknowledged that is not stored), the service stays up, and it takes detections again once
 * the folder is writable, with nothing acknowledged before lost. The folder is a small tmpfs
 * the test mounts (needs root, or CAP_SYS_ADMIN; skipped where mounting is not allowed). A
 * read-only remount is refused while the store's files are open for writing, so the read-only
 * case (an ext4 error remounting the disk) is not reproduced here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, writeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from './server.js';
import { basic, http, quietLogger, smallSceneConfig } from './testing.js';

const mountDir = mkdtempSync(join(tmpdir(), 'sw-disk-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountDir]).status === 0;

describe('a full data folder', { skip: mounted ? false : 'cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)' }, () => {
  const { scene, config } = smallSceneConfig({ dataDir: join(mountDir, 'data'), durationS: 120 });
  const rows = (scene.detections as unknown as Record<string, unknown>[]).filter((r) => r.sensor === 'radar-1');
  const now = scene.t0 + 110;
  let srv: RunningServer;
  let n = 0;
  const post = (k: number) =>
    http(srv.httpPort, 'POST', '/api/v1/detections', { body: rows.slice(n, (n += k)).map((r, i) => ({ ...r, id: `disk-${n - k + i}` })), headers: { authorization: basic('radar-1', 'token-radar-1') } });
  const acked = new Set<string>();
  const ack = async (k: number) => {
    const from = n;
    const r = await post(k);
    if (r.status === 202) for (let i = from; i < n; i++) acked.add(`disk-${i}`);
    return r;
  };

  before(async () => {
    srv = await startServer({ config, clock: () => now, logger: quietLogger() });
  });
  after(async () => {
    await srv?.close().catch(() => {});
    spawnSync('umount', ['-l', mountDir]);
    rmSync(mountDir, { recursive: true, force: true });
  });

  it('answers 503 while the folder is full, stays up, and stores again once there is room', async () => {
    assert.equal((await ack(5)).status, 202);
    // fill the file system
    const filler = join(mountDir, 'filler');
    const fd = openSync(filler, 'w');
    const block = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, block);
    } catch {
      /* ENOSPC: full */
    }
    closeSync(fd);
    let refused = 0;
    for (let i = 0; i < 5; i++) {
      const r = await ack(20);
      if (r.status === 503) refused++;
      else assert.equal(r.status, 202, r.text);
    }
    assert.ok(refused >= 1, 'a full disk was answered 503');
    assert.equal((await http(srv.httpPort, 'GET', '/api/v1/health')).status, 200, 'the service is up');
    rmSync(filler);
    const back = await ack(5);
    assert.equal(back.status, 202, `stores again: ${back.text}`);
    const stored = new Set((await srv.service.store.detectionsInWindow({ from: 0, to: 1e12 })).map((e) => e.id));
    for (const id of acked) assert.ok(stored.has(id), `acknowledged ${id} is stored`);
  });
});
