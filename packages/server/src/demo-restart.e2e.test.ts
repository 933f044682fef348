/**
 * A second `npm start` on the data folder an earlier demo run left (issue 17): the demo used
 * to send the same detection ids again (all dropped as duplicates until the new run passed
 * the old one: 0 tracks for minutes) and its clock started behind the earlier run's faster
 * one (the earlier alerts lay in the new run's future). Now each run's ids are its own and
 * the clock resumes after the folder's last detection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.js';
import { quietLogger, tempDir } from './testing.js';

interface Health {
  time: number;
  tracks: number;
  journal_seq: number;
}

async function health(port: number): Promise<Health> {
  return (await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json()) as Health;
}

async function duplicates(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^skywarden_detections_duplicate_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

/** Polls until the demo holds tracks (a deadline against hanging, not a speed target); returns the wall seconds it took and the health then. */
async function untilTracks(port: number, deadlineS: number): Promise<{ s: number; h: Health }> {
  const t0 = performance.now();
  for (;;) {
    const h = await health(port);
    if (h.tracks > 0) return { s: (performance.now() - t0) / 1000, h };
    if ((performance.now() - t0) / 1000 > deadlineS) throw new Error(`no track after ${deadlineS} s: ${JSON.stringify(h)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the demo restarted on an earlier run\'s data folder', () => {
  it('sends new detections (no duplicates), resumes its clock after the last run, and holds tracks again', { timeout: 180_000 }, async (t) => {
    const tmp = tempDir('sw-demo-restart-');
    const opts = { port: 0, mqttPort: 0, dataDir: tmp.dir, demo: { speed: 8 }, config: { fusion: { acoustic_clouds: false } }, logger: quietLogger() };
    const open: { close(): Promise<void> }[] = [];
    try {
      const a = await startServer(opts);
      open.push(a);
      const first = await untilTracks(a.httpPort, 120);
      // let the first run journal a while beyond its first tracks
      await new Promise((r) => setTimeout(r, 4000));
      const endA = await health(a.httpPort);
      assert.ok(endA.journal_seq > 0);
      await open.pop()!.close();

      const b = await startServer(opts);
      open.push(b);
      const startB = await health(b.httpPort);
      assert.ok(startB.time > endA.time, `the clock goes on after the earlier run: ${startB.time} > ${endA.time}`);
      const second = await untilTracks(b.httpPort, 120);
      await new Promise((r) => setTimeout(r, 2000));
      const later = await health(b.httpPort);
      assert.ok(later.journal_seq > endA.journal_seq, `the second run journals new detections: ${later.journal_seq} > ${endA.journal_seq}`);
      assert.equal(await duplicates(b.httpPort), 0, 'no detection of the second run dropped as a duplicate');
      t.diagnostic(`first tracks ${first.s.toFixed(1)} s after the first start, ${second.s.toFixed(1)} s after the restart (wall)`);
    } finally {
      // a failed check must not leave a server running (the test process would not end)
      for (const s of open) await s.close();
      tmp.cleanup();
    }
  });

  it('has every sensor send heartbeats, so that none shows as never seen (the operators\' map shows only sensors with a problem)', { timeout: 120_000 }, async () => {
    const tmp = tempDir('sw-demo-beats-');
    const srv = await startServer({ port: 0, mqttPort: 0, dataDir: tmp.dir, demo: { speed: 8 }, config: { fusion: { acoustic_clouds: false } }, logger: quietLogger() });
    try {
      type Row = { id: string; kind: string; status: string };
      const read = async () => ((await (await fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/sensors`)).json()) as { sensors: Row[] }).sensors;
      const t0 = performance.now();
      let rows = await read();
      while (rows.some((r) => r.status === 'never_seen') && performance.now() - t0 < 60_000) {
        await new Promise((r) => setTimeout(r, 250));
        rows = await read();
      }
      const unseen = rows.filter((r) => r.status === 'never_seen');
      assert.ok(rows.length > 1000, `the demo registers its network: ${rows.length} sensors`);
      assert.deepEqual(unseen.map((r) => `${r.id} (${r.kind})`).slice(0, 10), [], `${unseen.length} of ${rows.length} sensors never seen`);
      const kinds = new Set(rows.map((r) => r.kind));
      for (const k of ['acoustic', 'observer', 'radar', 'adsb']) assert.ok(kinds.has(k), `the demo has ${k} sensors`);
      assert.ok(rows.every((r) => r.status === 'ok'), `every demo sensor is ok: ${JSON.stringify(rows.filter((r) => r.status !== 'ok').slice(0, 5))}`);
    } finally {
      await srv.close();
      tmp.cleanup();
    }
  });
});
