/**
 * Poison isolation (issue 15): a journalled detection that makes the fusion fault is
 * quarantined (kept in the journal, marked, counted, listed for admins), the picture goes on
 * with the detections around it, and a restart's replay skips it instead of meeting it again.
 * The fault is planted through the tracker's hypothesiser seam: no detection that passes the input
 * bounds is known to fault the real tracker, which is the point of the bounds.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_COMPONENTS, type Hypothesiser, type TrackerComponents, type TrackerParts } from '@skywarden/core';
import { startServer, type RunningServer } from './server.js';
import { basic, http, login, quietLogger, smallSceneConfig, tempDir } from './testing.js';

/** The default hypothesiser with a fault planted: a group holding detection "poison-1" makes it throw (the detection's own fault, whatever the tracks). */
const planted: Partial<TrackerComponents> = {
  hypothesiser: (ctx: TrackerParts): Hypothesiser => {
    const inner = (DEFAULT_COMPONENTS.hypothesiser as (c: TrackerParts) => Hypothesiser)(ctx);
    return {
      hypothesise(prepared, used, want, accept, out) {
        if (prepared.some((p) => p.det.id === 'poison-1')) throw new Error('planted fault in the hypothesiser');
        inner.hypothesise(prepared, used, want, accept, out);
      },
    };
  },
};

async function waitFor<T>(what: string, f: () => Promise<T | null>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const metric = async (port: number, name: string) => {
  const r = await http(port, 'GET', '/metrics');
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(r.text);
  return m ? Number(m[1]) : NaN;
};

describe('quarantine of a detection that faults the fusion (issue 15)', () => {
  const tmp = tempDir();
  const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 120 });
  const rows = scene.detections as unknown as Record<string, unknown>[];
  let now = scene.t0 + 1;
  const clock = () => now;
  let srv: RunningServer | null = null;
  after(async () => {
    await srv?.close();
    tmp.cleanup();
  });

  it('quarantines it, keeps tracking with the rest, and a restart skips it', async () => {
    srv = await startServer({ config, clock, logger: quietLogger(), trackerComponents: planted });
    let port = srv.httpPort;
    const radar = rows.filter((r) => r.sensor === 'radar-1' && (r.t as number) < scene.t0 + 60);
    assert.ok(radar.length > 50, `${radar.length} radar rows`);
    const k = Math.floor(radar.length * 0.7); // well into the run: its target's track is held by then
    const body: Record<string, unknown>[] = radar.map((r, i) => ({ ...r, id: i === k ? 'poison-1' : `r-${i}` }));
    // as a live sensor sends them: each second's rows as the clock reaches that second
    let accepted = 0;
    for (let s = 0; s < 60; s++) {
      now = scene.t0 + s + 1;
      const chunk = body.filter((r) => (r.t as number) >= scene.t0 + s && (r.t as number) < scene.t0 + s + 1);
      if (chunk.length === 0) continue;
      const post = await http(port, 'POST', '/api/v1/detections', { body: chunk, headers: { authorization: basic('radar-1', 'token-radar-1') } });
      assert.equal(post.status, 202, post.text);
      accepted += post.json.accepted as number;
    }
    assert.equal(accepted, radar.length);
    now = scene.t0 + 70; // the steps over all of them fall due

    const admin = await login(port, 'admin', 'admin-secret-1');
    const list = await waitFor('the quarantine mark', async () => {
      const r = await http(port, 'GET', '/api/v1/quarantine', { token: admin });
      assert.equal(r.status, 200, r.text);
      const q = r.json.quarantine as { seq: number; sensor: string; id: string; reason: string }[];
      return q.length > 0 ? q : null;
    });
    assert.equal(list.length, 1);
    assert.equal(list[0].id, 'poison-1');
    assert.equal(list[0].sensor, 'radar-1');
    assert.match(list[0].reason, /planted fault in the hypothesiser/);
    const journal = await srv.service.store.readJournal(0, 10_000);
    assert.equal(journal.find((e) => e.seq === list[0].seq)?.id, 'poison-1', 'the quarantined entry stays in the journal');
    assert.equal(await metric(port, 'skywarden_quarantined_total'), 1);
    // only admins see it
    const viewer = await login(port, 'view', 'view-secret-1');
    assert.equal((await http(port, 'GET', '/api/v1/quarantine', { token: viewer })).status, 403);
    // the picture went on: the service answers and holds tracks from the good rows
    const health = await http(port, 'GET', '/api/v1/health');
    assert.equal(health.status, 200);
    const tracks = (await http(port, 'GET', '/api/v1/tracks', { token: admin })).json.tracks as unknown[];
    assert.ok(tracks.length >= 1, `${tracks.length} tracks`);
    await srv.close();
    srv = null;

    // restart on the same data dir, same planted fault: replay skips the quarantined row
    srv = await startServer({ config, clock, logger: quietLogger(), trackerComponents: planted });
    port = srv.httpPort;
    assert.equal(await metric(port, 'skywarden_quarantined_total'), 0, 'replay did not meet the fault again');
    const again = await login(port, 'admin', 'admin-secret-1');
    const q2 = (await http(port, 'GET', '/api/v1/quarantine', { token: again })).json.quarantine as unknown[];
    assert.equal(q2.length, 1, 'the mark is kept across restarts');
    const tracks2 = (await http(port, 'GET', '/api/v1/tracks', { token: again })).json.tracks as unknown[];
    assert.ok(tracks2.length >= 1, `replay rebuilt ${tracks2.length} tracks`);
  });
});
