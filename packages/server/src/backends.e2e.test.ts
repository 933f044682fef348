/**
 * The production parts: the service ingesting from the machine's Mosquitto (MQTT 5, a
 * persistent session: what is published while the service is down arrives when it comes
 * back) and storing in PostgreSQL with PostGIS. The tests start both on free ports
 * (test-services.ts; SKYWARDEN_TEST_MQTT, SKYWARDEN_TEST_PG name existing ones instead) and
 * use their own topic prefix and schema.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import { startServer } from './server.js';
import { testMosquitto, testPostgres } from './test-services.js';
import { feedScene, http, login, quietLogger, smallSceneConfig, tempDir, until } from './testing.js';

const MQTT_URL = await testMosquitto();
const PG_URL = await testPostgres();

describe('external Mosquitto broker', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('journals what sensors publish to the broker, including what was published while the service was down', async () => {
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir });
    const prefix = `sw-test-${randomBytes(4).toString('hex')}/v1`;
    const cfg = { ...config, mqtt: { mode: 'external', url: MQTT_URL, topic_prefix: prefix, client_id: `sw-test-${randomBytes(4).toString('hex')}` } };
    let now = scene.t0 + 100;
    const rows = (scene.detections as unknown as Record<string, unknown>[]).filter((r) => r.sensor === 'radar-1' && (r.t as number) <= now);
    assert.ok(rows.length > 20);
    let srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() }).catch((e: Error) => {
      throw new Error(`is Mosquitto running at ${MQTT_URL}? ${e.message}`);
    });
    const sensor = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5, reconnectPeriod: 0 });
    try {
      const first = rows.slice(0, 10).map((r, i) => ({ ...r, id: `ext-${i}` }));
      await sensor.publishAsync(`${prefix}/radar-1/detections`, JSON.stringify(first), { qos: 1 });
      await until(async () => (await srv.service.store.countDetections()) >= 10, 5000, 'the first ten journalled');
      // the service goes down; the sensor keeps publishing to the broker
      await srv.close();
      const second = rows.slice(10, 20).map((r, i) => ({ ...r, id: `ext-${10 + i}` }));
      for (const r of second) await sensor.publishAsync(`${prefix}/radar-1/detections`, JSON.stringify(r), { qos: 1 });
      now += 5;
      srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
      await until(async () => (await srv.service.store.countDetections()) >= 20, 10000, 'the messages queued during the outage');
      const ids = (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12 })).map((e) => e.id).sort();
      assert.deepEqual(ids, [...first, ...second].map((r) => String(r.id)).sort());
      // a detection for another sensor under this sensor's topic is refused
      await sensor.publishAsync(`${prefix}/radar-1/detections`, JSON.stringify({ ...rows[0], id: 'ext-spoof', sensor: 'adsb-1', type: 'position', lat: 37.5, lon: 127 }), { qos: 1 });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await srv.service.store.detectionsInWindow({ from: 0, to: 1e12 })).filter((e) => e.id === 'ext-spoof').length, 0);
    } finally {
      await sensor.endAsync();
      await srv.close();
    }
  });
});

describe('PostgreSQL with PostGIS as the store', () => {
  const tmp = tempDir();
  const schema = `sw_test_${randomBytes(4).toString('hex')}`;
  after(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
    tmp.cleanup();
  });

  it('runs the service on it: ingest, tracks, stored history, restart with replay', async () => {
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 150 });
    const cfg = { ...config, store: { kind: 'postgres', url: PG_URL, schema }, mqtt: { mode: 'off' } };
    let now = scene.t0;
    let srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
    try {
      const rows = scene.detections as unknown as Record<string, unknown>[];
      await feedScene(
        async (c) => assert.equal((await srv.service.ingest.ingest(null, c, 'test')).rejected.length, 0),
        rows,
        (t) => (now = t),
        10,
      );
      await until(() => (srv.service.fusion?.snapshot().tracks.length ?? 0) >= 3, 5000, 'tracks');
      assert.equal(await srv.service.store.countDetections(), rows.length);
      await srv.close();
      // restart: the picture comes back from the journal, with no new input
      srv = await startServer({ config: cfg, clock: () => now, logger: quietLogger() });
      assert.equal(srv.replayed, rows.length);
      const tok = await login(srv.httpPort, 'view', 'view-secret-1');
      const tr = await http(srv.httpPort, 'GET', '/api/v1/tracks', { token: tok });
      assert.ok((tr.json.tracks as unknown[]).length >= 3, tr.text.slice(0, 200));
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      const ext = await c.query(`select count(*)::int as n from pg_extension where extname = 'postgis'`);
      // the tracker's stored states as GIS users read them: one row per track, typed, with a 3-D point
      const gis = await c.query(
        `select count(*)::int as n, count(geom)::int as g, count(threat)::int as th, count(label)::int as l, count(class)::int as cl,
           count(*) filter (where ST_NDims(geom) = 3 and ST_SRID(geom) = 4326 and ST_X(geom) = lon and ST_Y(geom) = lat)::int as ok
         from ${schema}.v_tracks_latest`,
      );
      const sensors = await c.query(`select count(geom)::int as g from ${schema}.v_sensors`);
      await c.end();
      assert.equal(ext.rows[0].n, 1, 'PostGIS is installed in the test database');
      const v = gis.rows[0] as Record<string, number>;
      assert.ok(v.n >= 3, `v_tracks_latest has ${v.n} tracks`);
      assert.deepEqual([v.g, v.th, v.l, v.cl, v.ok], [v.n, v.n, v.n, v.n, v.n], JSON.stringify(v));
      assert.equal(sensors.rows[0].g, (config.sensors.list as Record<string, unknown>[]).filter((x) => typeof x.lat === 'number').length);
    } finally {
      await srv.close();
    }
  });
});
