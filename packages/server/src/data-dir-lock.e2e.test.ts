/**
 * One service per data folder (issue 19: a second `npm start` silently shared ./skywarden-data
 * with the first): the second is refused with a message naming the first; the mark a killed
 * process left is taken over.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { lockDataDir } from './data-dir-lock.js';
import { join } from 'node:path';
import { startServer } from './server.js';
import { quietLogger, smallSceneConfig, tempDir } from './testing.js';

describe('the data folder lock', () => {
  it('refuses a second service on the same folder, frees it at close, and takes over a dead process\'s mark', async () => {
    const tmp = tempDir();
    try {
      const { config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 30 });
      const a = await startServer({ config, logger: quietLogger() });
      await assert.rejects(startServer({ config, logger: quietLogger() }), new RegExp(`data folder ${tmp.dir} is in use by process ${process.pid} \\(another skywarden serve\\?\\)`));
      assert.equal((await fetch(`http://127.0.0.1:${a.httpPort}/api/v1/health`)).status, 200, 'the first goes on');
      await a.close();
      const b = await startServer({ config, logger: quietLogger() });
      await b.close();
      // a mark left by a process that is gone (kill -9): a pid no process has
      let dead = 4_000_000;
      for (;;) {
        try {
          process.kill(dead, 0);
          dead++;
        } catch {
          break;
        }
      }
      writeFileSync(join(tmp.dir, 'skywarden.pid'), String(dead));
      const c = await startServer({ config, logger: quietLogger() });
      await c.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('takes over a mark whose PID a restart gave to another process, or to itself (a container restarted after kill -9), and refuses one whose process lives', async () => {
    const tmp = tempDir();
    try {
      const mark = join(tmp.dir, 'skywarden.pid');
      // a live process that is not the mark's: the parent's PID (alive), with another boot's id
      const ppid = process.ppid;
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      writeFileSync(mark, `${ppid}\nsome-other-boot\n12345\n`);
      let release = lockDataDir(tmp.dir);
      assert.match(readFileSync(mark, 'utf8'), new RegExp(`^${process.pid}\n${boot}\n\\d+\n$`), 'the mark names this process, its boot and start time');
      release();
      assert.equal(existsSync(mark), false, 'released');
      // the same boot, but the live PID started at another time: its PID was reused
      writeFileSync(mark, `${ppid}\n${boot}\n1\n`);
      release = lockDataDir(tmp.dir);
      release();
      // this process's own PID in a mark it did not write (a mark from before a restart)
      writeFileSync(mark, `${process.pid}\nsome-other-boot\n1\n`);
      release = lockDataDir(tmp.dir);
      // ...but a folder this process holds is refused to a second service in it
      assert.throws(() => lockDataDir(tmp.dir), new RegExp(`in use by process ${process.pid} `));
      release();
      // the mark of a live process as it wrote it: refused, naming it
      const stat = readFileSync(`/proc/${ppid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      writeFileSync(mark, `${ppid}\n${boot}\n${start}\n`);
      assert.throws(() => lockDataDir(tmp.dir), new RegExp(`in use by process ${ppid} \\(another skywarden serve\\?\\)`));
      // an older one-line mark of a live process: the PID alone decides, as before
      writeFileSync(mark, String(ppid));
      assert.throws(() => lockDataDir(tmp.dir), new RegExp(`in use by process ${ppid} `));
    } finally {
      tmp.cleanup();
    }
  });
});
