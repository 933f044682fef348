/**
 * One service per data folder (issue 19: a second `npm start` silently shared ./skywarden-data
 * with the first): the second is refused with a message naming the first; the mark a killed
 * process left is taken over.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
});
