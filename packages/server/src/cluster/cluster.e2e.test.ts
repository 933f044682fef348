/**
 * Fusion as a cluster, in one test process: a NATS server with JetStream (test-services.ts),
 * an ingest process, two fusion workers (the west and the east region) and an API process,
 * each a `startServer` with its own data folder and `cluster.role`. The small scene's drones
 * cross the border; the API serves one merged picture in which each drone has one track id
 * on both sides.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TrackWire } from '@skywarden/formats';
import { sampleTarget } from '@skywarden/sim';
import pino from 'pino';
import { startServer, type RunningServer } from '../server.js';
import { feedScene, http, login, quietLogger, smallSceneConfig, tempDir, until, TEST_USERS } from '../testing.js';
import { testNats } from '../test-services.js';
import type { NatsBus } from '../bus/nats/nats-bus.js';
import { crossers, regionsDrained, sceneZones, scoreSnapshots, seconds, tiling } from './cluster-testing.js';
import { writeFileSync } from 'node:fs';

const NATS_URL = await testNats();

describe('fusion as a cluster on NATS JetStream', () => {
  const tmp = tempDir('sw-cluster-');
  const id = randomBytes(4).toString('hex');
  const stream = `sw_test_cl_${id}`;
  const prefix = `swcl${id}`;
  let admin: NatsBus;
  after(async () => {
    await admin?.manager.streams.delete(stream).catch(() => undefined);
    await admin?.manager.streams.delete(`KV_${stream}_fusion_leases`).catch(() => undefined);
    await admin?.close();
    tmp.cleanup();
  });

  it('two fusion workers on a west/east tiling: the API merges their tracks, one id per drone across the border', async (t) => {
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 300, seed: 3 });
    const cross = crossers(scene);
    assert.ok(cross.length >= 1, `the scene has drones crossing the border (seed 3): ${cross.join(', ')}`);
    const regions = tiling(2);
    const zonesFile = join(tmp.dir, 'zones.geojson');
    writeFileSync(zonesFile, sceneZones());
    let now = scene.t0;
    const servers: RunningServer[] = [];
    const start = async (name: string, role: string, cluster: Record<string, unknown> = {}) => {
      const cfg = {
        ...config,
        zones: { file: zonesFile },
        data_dir: join(tmp.dir, name),
        mqtt: { mode: 'off' },
        bus: { kind: 'nats', url: NATS_URL, stream, subject_prefix: prefix },
        cluster: { role, regions, overlap_m: 3000, worker_id: name, ...cluster },
      };
      const s = await startServer({ config: cfg, clock: () => now, logger: process.env.SW_TEST_LOG ? pino({ level: 'debug', base: { p: name } }) : quietLogger() });
      servers.push(s);
      return s;
    };
    try {
      const ingest = await start('ingest', 'ingest');
      // (started together: a worker takes a region it does not prefer once it was free for half a lease)
      const [west, east] = await Promise.all([start('fusion-w', 'fusion', { prefer: ['west'] }), start('fusion-e', 'fusion', { prefer: ['east'] })]);
      const api = await start('api', 'api');
      admin = ingest.service.bus as NatsBus;
      await until(() => west.service.cluster.worker?.regions().length === 1 && east.service.cluster.worker?.regions().length === 1, 20_000, 'each worker holding its region');
      assert.deepEqual(west.service.cluster.worker?.regions().map((r) => r.region), ['west']);
      assert.deepEqual(east.service.cluster.worker?.regions().map((r) => r.region), ['east']);

      // the API's merged picture at every report
      const snaps = new Map<number, TrackWire[]>();
      api.service.onTracks((tt, tracks) => snaps.set(tt, tracks));

      // hostile messages on the regions' subjects first: skipped, the regions go on
      for (const r of ['west', 'east']) {
        const subject = `${prefix}.detections.${r}`;
        await admin.publish(subject, [new TextEncoder().encode('not json'), { rows: 1 }, [{ seq: 1e300, node: 'ingest', row: {} }, null, { seq: 'x', row: 5 }], [{ seq: 2 ** 52, node: 'ingest', row: { t: 'soon' } }]]);
      }
      const rows = scene.detections as unknown as Record<string, unknown>[];
      let acked = 0;
      const opToken = await login(api.httpPort, TEST_USERS[1].name, TEST_USERS[1].password);
      let marked: string | null = null;
      let westTaken = 0;
      let handedAt = Infinity;
      for (const s of seconds(rows)) {
        now = s.t + 1;
        acked += (await ingest.service.ingest.ingest(null, s.rows, 'test')).accepted;
        assert.ok(await ingest.service.busSettled(20_000), 'journalled detections on the bus');
        await regionsDrained(admin, stream, ['west', 'east'], 20_000);
        if (s.t === scene.t0 + 100) {
          // an operator dismisses a track of the west core
          const x = api.service.fusion!.snapshot().tracks.find((w) => w.lon < 126.97 && w.status === 'confirmed');
          assert.ok(x, 'a confirmed track in the west');
          marked = x.track;
          assert.equal((await http(api.httpPort, 'POST', `/api/v1/tracks/${marked}/actions`, { token: opToken, body: { action: 'dismiss' } })).status, 200);
        }
        if (s.t === scene.t0 + 150) {
          // the west worker stops (a planned hand-over): the east worker takes the west from the checkpoint
          assert.equal(api.service.fusion!.track(marked!)?.operator?.dismissed, true, 'the mark reached the west worker');
          westTaken = west.service.cluster.worker!.regions()[0].taken;
          await west.close();
          servers.splice(servers.indexOf(west), 1);
          await until(() => east.service.cluster.worker!.regions().length === 2, 30_000, 'the east worker holding the west too');
          handedAt = now;
        }
      }
      now = scene.t0 + scene.duration + 8;
      await until(() => api.service.fusion!.snapshot().t >= scene.t0 + scene.duration, 20_000, 'the last reports merged');
      assert.equal(acked, rows.length);

      // tracks on both sides, each id once, served by the HTTP API
      const token = await login(api.httpPort, TEST_USERS[2].name, TEST_USERS[2].password);
      const r = await http(api.httpPort, 'GET', '/api/v1/tracks', { token });
      assert.equal(r.status, 200);
      const ids = (r.json.tracks as TrackWire[]).map((x) => x.track);
      assert.equal(new Set(ids).size, ids.length, `ids once each: ${ids.join(', ')}`);
      let sides = new Set<string>();
      for (const list of snaps.values()) for (const w of list) sides.add(w.lon < 127 ? 'west' : 'east');
      assert.deepEqual([...sides].sort(), ['east', 'west'], 'tracks from both regions in the merged picture');
      const e = east.service.cluster.worker!.regions().find((r) => r.region === 'east')!;
      const w2 = east.service.cluster.worker!.regions().find((r) => r.region === 'west')!;
      assert.ok(westTaken > 0 && e.taken > 0, `both regions' pictures fed (west ${westTaken}, east ${e.taken})`);
      t.diagnostic(`west handed over at scene second ${handedAt - scene.t0}: replayed ${w2.replayed} detections, ${w2.idsKept}/${w2.checkpointTracks} checkpoint ids kept, ${w2.restoreMs} ms`);
      assert.ok(w2.checkpointTracks > 0 && w2.idsKept === w2.checkpointTracks, 'every checkpoint track rebuilt with its id');

      // the worker's gauges at a scrape: both regions held and live, each region's detections
      // taken, and its durable consumer drained (nothing pending or unacknowledged)
      await regionsDrained(admin, stream, ['west', 'east'], 20_000);
      const scraped = (await http(east.httpPort, 'GET', '/metrics')).text;
      const gauge = (name: string, region: string) => {
        const m = new RegExp(`^${name}\\{region="${region}"\\} (\\S+)$`, 'm').exec(scraped);
        return m ? Number(m[1]) : null;
      };
      for (const reg of ['west', 'east']) {
        assert.equal(gauge('skywarden_fusion_region_held', reg), 1, `${reg} held`);
        assert.equal(gauge('skywarden_fusion_region_restoring', reg), 0, `${reg} live`);
        assert.equal(gauge('skywarden_fusion_consumer_pending', reg), 0, `${reg}'s consumer drained`);
      }
      assert.equal(gauge('skywarden_fusion_region_detections', 'east'), e.taken);
      assert.equal(gauge('skywarden_fusion_region_detections', 'west'), w2.taken);
      assert.doesNotMatch((await http(ingest.httpPort, 'GET', '/metrics')).text, /skywarden_fusion_region_held\{/, 'an ingest process holds no region');
      // the dismissed track: the same id, still dismissed, in every report after the hand-over
      const after = [...snaps].filter(([tt]) => tt > handedAt).flatMap(([, list]) => list.filter((x) => x.track === marked));
      assert.ok(after.length > 0, `track ${marked} goes on after the hand-over`);
      assert.ok(after.every((x) => x.operator?.dismissed === true), `track ${marked} keeps its mark through the hand-over`);

      // each crossing drone: the merged track nearest it keeps one id from one side to the other
      for (const d of cross) {
        const tg = scene.targets.find((x) => x.id === d)!;
        const seen: { t: number; id: string; lon: number }[] = [];
        for (const [tt, list] of [...snaps].sort((a, b) => a[0] - b[0])) {
          if (Math.abs(tt - Math.round(tt)) > 1e-6) continue;
          const truth = sampleTarget(tg, tt);
          if (!truth) continue;
          let best: TrackWire | null = null;
          let bestD = 400;
          for (const x of list) {
            const dd = Math.hypot((x.lat - truth.position.latDeg) * 111320, (x.lon - truth.position.lonDeg) * 111320 * Math.cos((x.lat * Math.PI) / 180));
            if (dd < bestD) {
              best = x;
              bestD = dd;
            }
          }
          if (best) seen.push({ t: tt, id: best.track, lon: truth.position.lonDeg });
        }
        const near = seen.filter((x) => Math.abs(x.lon - 127) < 0.03); // within ~2.6 km of the border
        const idsNear = new Set(near.map((x) => x.id));
        sides = new Set(near.map((x) => (x.lon < 127 ? 'w' : 'e')));
        t.diagnostic(`${d}: ${seen.length} s tracked, ids near the border ${[...idsNear].join(', ')} (sides ${[...sides].join('')})`);
        if (sides.size === 2) assert.equal(idsNear.size, 1, `${d} keeps one id across the border: ${[...idsNear].join(', ')}`);
      }
      const score = scoreSnapshots(scene, snaps, scene.t0 + 30);
      t.diagnostic(`merged picture vs truth: targets tracked ${score.targetsTracked}/${score.targets}, id switches ${score.idSwitches}, rms ${score.rmsError.toFixed(0)} m, GOSPA ${score.gospa.toFixed(0)} m`);

      // the zones' states come from their owners; an operator's decisions go to the workers through the API
      const state = await http(api.httpPort, 'GET', '/api/v1/alerts/state', { token });
      const zoneRows = state.json.zones as { zone: string; state: string }[];
      assert.deepEqual(zoneRows.map((z) => z.zone).sort(), ['z-c', 'z-ne', 'z-nw', 'z-se', 'z-sw'], 'every zone, from its owner');
      const quiet = zoneRows.find((z) => z.state === 'clear');
      assert.ok(quiet, 'a zone not under alert');
      const raise = await http(api.httpPort, 'POST', `/api/v1/zones/${quiet.zone}/alert`, { token: opToken, body: { action: 'raise', reason: 'drill' } });
      assert.equal(raise.status, 200, raise.text);
      assert.equal((raise.json.change as { state: string }).state, 'alert');
      const target = ids.find((x) => x !== marked) ?? ids[0];
      const mark = await http(api.httpPort, 'POST', `/api/v1/tracks/${target}/actions`, { token: opToken, body: { action: 'dismiss' } });
      assert.equal(mark.status, 200, mark.text);
      assert.equal((await http(api.httpPort, 'POST', '/api/v1/tracks/no-such/actions', { token: opToken, body: { action: 'dismiss' } })).status, 404);
      assert.equal((await http(api.httpPort, 'POST', '/api/v1/zones/no-such/alert', { token: opToken, body: { action: 'raise', reason: 'x' } })).status, 404);
      // the clock moves on a little: the workers' next reports carry them
      now += 1;
      await until(async () => {
        const z = await http(api.httpPort, 'GET', '/api/v1/alerts/state', { token });
        return (z.json.zones as { zone: string; state: string }[]).find((x) => x.zone === quiet.zone)?.state === 'alert';
      }, 20_000, `zone ${quiet.zone} raised by its owner`);
      await until(async () => {
        now += 0.25;
        const x = await http(api.httpPort, 'GET', `/api/v1/tracks/${target}`, { token });
        return (x.json.track as TrackWire | null)?.operator?.dismissed === true;
      }, 20_000, `track ${target} dismissed by the worker following it`);
      const history = await http(api.httpPort, 'GET', `/api/v1/alerts?zone=${quiet.zone}`, { token });
      t.diagnostic(`manual raise of ${quiet.zone} stored by the API: ${JSON.stringify((history.json.alerts as unknown[]).slice(0, 1))}`);
      assert.ok((history.json.alerts as { state: string }[]).some((a) => a.state === 'alert'), 'the manual raise in the API\'s alert history');
    } finally {
      for (const s of servers.reverse()) await s.close().catch(() => undefined);
    }
  });

  it('gives the same picture through 1, 2 and 4 regions (and workers) as the all-in-one service: same targets held, ids continuous across borders', async (t) => {
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 150, seed: 10 });
    const rows = scene.detections as unknown as Record<string, unknown>[];
    const logger = (name: string) => (process.env.SW_TEST_LOG ? pino({ level: 'info', base: { p: name } }) : quietLogger());
    /** The merged picture at every report, through `n` regions each with its own worker. */
    const run = async (n: 1 | 2 | 4): Promise<Map<number, TrackWire[]>> => {
      const regions = tiling(n);
      const pre = `${prefix}n${n}`;
      const str = `${stream}_n${n}`;
      let now = scene.t0;
      const servers: RunningServer[] = [];
      const start = async (name: string, role: string, cluster: Record<string, unknown> = {}) => {
        const cfg = {
          ...config,
          data_dir: join(tmp.dir, `n${n}-${name}`),
          mqtt: { mode: 'off' },
          bus: { kind: 'nats', url: NATS_URL, stream: str, subject_prefix: pre },
          cluster: { role, regions, overlap_m: 3000, worker_id: name, ...cluster },
        };
        const s = await startServer({ config: cfg, clock: () => now, logger: logger(`n${n}-${name}`) });
        servers.push(s);
        return s;
      };
      try {
        const ingest = await start('ingest', 'ingest');
        const bus = ingest.service.bus as NatsBus;
        const workers = await Promise.all(regions.map((r) => start(`fusion-${String(r.id)}`, 'fusion', { prefer: [r.id] })));
        const api = await start('api', 'api');
        await until(() => workers.every((w) => w.service.cluster.worker?.regions().length === 1), 60_000, 'each worker holding its region');
        const snaps = new Map<number, TrackWire[]>();
        api.service.onTracks((tt, tracks) => snaps.set(tt, tracks));
        for (const s of seconds(rows)) {
          now = s.t + 1;
          await ingest.service.ingest.ingest(null, s.rows, 'test');
          assert.ok(await ingest.service.busSettled(20_000));
          await regionsDrained(bus, str, regions.map((r) => String(r.id)), 20_000);
        }
        now = scene.t0 + scene.duration + 8;
        await until(() => api.service.fusion!.snapshot().t >= scene.t0 + scene.duration, 20_000, 'the last reports merged');
        await bus.manager.streams.delete(`KV_${str}_fusion_leases`).catch(() => undefined);
        await bus.manager.streams.delete(str).catch(() => undefined);
        return snaps;
      } finally {
        for (const s of servers.reverse()) await s.close().catch(() => undefined);
      }
    };
    // the all-in-one service on the same scene
    let now = scene.t0;
    const single = await startServer({ config: { ...config, data_dir: join(tmp.dir, 'single'), mqtt: { mode: 'off' } }, clock: () => now, logger: quietLogger() });
    const ref = new Map<number, TrackWire[]>();
    single.service.onTracks((tt, tracks) => ref.set(tt, tracks));
    try {
      await feedScene(async (c) => single.service.ingest.ingest(null, c, 'test'), rows, (x) => (now = x));
      await until(() => (single.service.fusion?.snapshot().t ?? 0) >= scene.t0 + scene.duration, 30_000, 'the all-in-one run done');
    } finally {
      await single.close();
    }
    const from = scene.t0 + 30;
    const base = scoreSnapshots(scene, ref, from);
    const line = (name: string, x: ReturnType<typeof scoreSnapshots>) =>
      `${name}: targets tracked ${x.targetsTracked}/${x.targets}, missed per time ${x.meanMissedTargets.toFixed(3)}, false per time ${x.meanFalseTracks.toFixed(3)}, id switches ${x.idSwitches}, rms ${x.rmsError.toFixed(1)} m, GOSPA ${x.gospa.toFixed(1)} m`;
    t.diagnostic(line('all-in-one', base));
    t.diagnostic(`border crossings (west/east): ${crossers(scene).join(', ')}`);
    for (const n of [1, 2, 4] as const) {
      const x = scoreSnapshots(scene, await run(n), from);
      t.diagnostic(line(`${n} region${n > 1 ? 's' : ''}`, x));
      assert.equal(x.targetsTracked, base.targetsTracked, `${n} regions: the same targets held`);
      assert.ok(x.idSwitches <= base.idSwitches, `${n} regions: ids continuous across borders (${x.idSwitches} switches, all-in-one ${base.idSwitches})`);
      assert.ok(x.meanMissedTargets <= base.meanMissedTargets + 0.05, `${n} regions: missed targets per time within 0.05 of the all-in-one`);
      assert.ok(x.meanFalseTracks <= base.meanFalseTracks + 0.05, `${n} regions: false tracks per time within 0.05 of the all-in-one`);
      assert.ok(Math.abs(x.rmsError - base.rmsError) <= 10, `${n} regions: rms error within 10 m of the all-in-one (${x.rmsError.toFixed(1)} vs ${base.rmsError.toFixed(1)})`);
    }
  });
});
