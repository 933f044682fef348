/**
 * The threat queue's work state (issue 17): an operator acknowledges a track and assigns it;
 * both are audited, carried on the track's rows (REST at once, the event stream with the
 * next report) and refused to a viewer (403), for an unknown track (404) and with a bad body
 * (400).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from './server.js';
import { feedScene, http, login, quietLogger, smallSceneConfig, tempDir, until } from './testing.js';

interface Row {
  track: string;
  acked_by?: string;
  acked_at?: number;
  assigned_to?: string;
  assigned_by?: string;
  operator?: unknown;
}

describe('acknowledge and assign a track', () => {
  const tmp = tempDir('sw-ack-');
  const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 120 });
  let now = scene.t0;
  let srv: RunningServer;
  let port: number;
  let op: string;
  let viewer: string;
  let admin: string;
  let id: string;

  before(async () => {
    srv = await startServer({ config, clock: () => now, logger: quietLogger() });
    port = srv.httpPort;
    [op, viewer, admin] = await Promise.all([login(port, 'op', 'op-secret-1'), login(port, 'view', 'view-secret-1'), login(port, 'admin', 'admin-secret-1')]);
    await feedScene((c) => srv.service.ingest.ingest(null, c, 'test'), scene.detections as unknown as Record<string, unknown>[], (t) => (now = t), 2);
    const tracks = await until(() => srv.service.fusion?.snapshot().tracks, 10_000, 'tracks');
    await until(() => srv.service.fusion!.snapshot().tracks.length > 0, 10_000, 'a live track');
    id = srv.service.fusion!.snapshot().tracks[0].track;
    assert.ok(tracks);
  });
  after(async () => {
    await srv.close();
    tmp.cleanup();
  });

  it('refuses a viewer (403 forbidden) and changes nothing', async () => {
    for (const [path, body] of [[`/api/v1/tracks/${id}/ack`, {}], [`/api/v1/tracks/${id}/assign`, { to: 'team-2' }]] as const) {
      const r = await http(port, 'POST', path, { token: viewer, body });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.error?.code, 'forbidden');
    }
    const anon = await http(port, 'POST', `/api/v1/tracks/${id}/ack`, { body: {} });
    assert.equal(anon.status, 401);
    const row = srv.service.fusion!.track(id) as Row | null;
    assert.equal(row?.acked_by, undefined);
    assert.equal(row?.assigned_to, undefined);
  });

  it('answers 404 for an unknown track and 400 for a bad assignment', async () => {
    const a = await http(port, 'POST', '/api/v1/tracks/no-such-track/ack', { token: op, body: {} });
    assert.equal(a.status, 404, a.text);
    assert.equal(a.json.error?.code, 'not_found');
    assert.match(a.json.error?.message ?? '', /no-such-track/);
    const b = await http(port, 'POST', '/api/v1/tracks/no-such-track/assign', { token: op, body: { to: 'x' } });
    assert.equal(b.status, 404);
    for (const body of [{}, { to: '' }, { to: '   ' }, { to: 'a\nb' }, { to: 'x'.repeat(65) }]) {
      const r = await http(port, 'POST', `/api/v1/tracks/${id}/assign`, { token: op, body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error?.code, 'bad_request');
    }
  });

  it('an operator acks and assigns: the rows carry it (REST, then the stream) and the audit says who, when, what', async () => {
    const t0 = now;
    const ack = await http(port, 'POST', `/api/v1/tracks/${id}/ack`, { token: op });
    assert.equal(ack.status, 200, ack.text);
    const acked = ack.json.track as Row;
    assert.equal(acked.track, id);
    assert.equal(acked.acked_by, 'op');
    assert.equal(acked.acked_at, t0);
    assert.equal(acked.operator, undefined, 'an ack is no confirm/dismiss decision');
    const as = await http(port, 'POST', `/api/v1/tracks/${id}/assign`, { token: op, body: { to: ' team-2 ' } });
    assert.equal(as.status, 200, as.text);
    const assigned = as.json.track as Row;
    assert.equal(assigned.assigned_to, 'team-2');
    assert.equal(assigned.assigned_by, 'op');
    assert.equal(assigned.acked_by, 'op', 'the ack is kept');
    const listed = (await http(port, 'GET', '/api/v1/tracks', { token: viewer })).json.tracks as Row[];
    assert.equal(listed.find((r) => r.track === id)?.assigned_to, 'team-2');

    // the event stream: the next tracks report carries both
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/stream`, { headers: { authorization: `Bearer ${viewer}` }, signal: ac.signal });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let found: Row | undefined;
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let k;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, k);
          buf = buf.slice(k + 2);
          if (!/^event: tracks$/m.test(block)) continue;
          const d = JSON.parse(/^data: (.*)$/m.exec(block)![1]) as { t: number; tracks: Row[] };
          const r = d.tracks.find((x) => x.track === id);
          if (d.t > t0 && r) {
            found = r;
            return;
          }
        }
      }
    })().catch(() => {});
    // the clock moves on: the picture reports again (the track coasts)
    for (let i = 0; i < 40 && !found; i++) {
      now += 0.5;
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => found, 10_000, 'a tracks event with the track');
    ac.abort();
    await read;
    assert.equal(found!.acked_by, 'op');
    assert.equal(found!.assigned_to, 'team-2');

    const audit = (await http(port, 'GET', '/api/v1/audit', { token: admin })).json.audit as { t: number; user: string; action: string; target: string; detail: Record<string, unknown> }[];
    const a = audit.find((x) => x.action === 'track-ack' && x.target === id);
    assert.ok(a, `track-ack in ${JSON.stringify(audit.map((x) => x.action))}`);
    assert.equal(a.user, 'op');
    assert.equal(a.t, t0);
    const b = audit.find((x) => x.action === 'track-assign' && x.target === id);
    assert.equal(b?.user, 'op');
    assert.deepEqual(b?.detail, { to: 'team-2' });
    // refused requests left no entry
    assert.equal(audit.filter((x) => x.action === 'track-ack').length, 1);
    assert.equal(audit.filter((x) => x.action === 'track-assign').length, 1);
  });
});
