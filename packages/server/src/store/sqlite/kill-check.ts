/**
 * For the SQLite stores' tests: a child process appends batches of 100 detections forever
 * (printing each acknowledged batch's last seq) and is killed with SIGKILL once it has 2,000
 * acknowledged; then every acknowledged detection must be in the file, and no batch in part.
 * `factory` names the module's store factory (`createSqliteStore`, `createSqliteWorkerStore`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { Store } from '../store.js';

export async function checkKillDurability(moduleUrl: string, factory: string, path: string, reopen: (path: string) => Promise<Store>): Promise<void> {
  const child = `
    const { ${factory} } = await import(${JSON.stringify(moduleUrl)});
    const store = await ${factory}({ path: ${JSON.stringify(path)} });
    for (let b = 0; ; b++) {
      const batch = Array.from({ length: 100 }, (_, i) => ({ t: b + i / 100, sensor: 's', id: b + '-' + i, row: { b, i }, receivedAt: b }));
      const r = await store.appendDetections(batch);
      process.stdout.write('ack ' + r.results[99] + '\\n');
    }`;
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
  const store = await reopen(path);
  try {
    const count = await store.countDetections();
    assert.ok(count >= acked, `acknowledged ${acked} detections, found ${count} after the crash`);
    assert.equal(count % 100, 0, 'a batch was stored in part');
    assert.equal(await store.lastSeq(), count);
    const last = await store.readJournal(count - 1, 1);
    assert.deepEqual(last[0].row, { b: count / 100 - 1, i: 99 });
  } finally {
    await store.close();
  }
}
