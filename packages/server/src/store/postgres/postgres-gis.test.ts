/**
 * The PostgreSQL store as GIS tools see it: typed columns, 3-D geometries registered in
 * PostGIS's geometry_columns, GiST indexes, the v_* views and their comments, the upgrade of
 * a schema version 2 database, and the same without PostGIS. Against a real PostgreSQL with
 * PostGIS (test-services), read back with SQL and with psql.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testPostgres } from '../../test-services.js';
import { createPostgresStore, POSTGRES_SCHEMA_VERSION, type PostgresStore } from './postgres-store.js';
import { FILL_TRIGGER, generatedColumnsDdl, GIS_VIEWS } from './postgres-gis.js';

const url = await testPostgres();

async function admin<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/**
 * A typed column in SQL over pg_class c and pg_attribute a: generated, or on the tables the
 * ingest writes (detections, track_states) any column beyond the store's own, which the fill
 * trigger computes from the row.
 */
const TYPED = `(a.attgenerated = 's' OR (c.relname IN ('detections', 'track_states') AND a.attname NOT IN ('seq', 'sensor', 'id', 't', 'received_at', 'row', 'track')))`;

const freshSchema = (): string => `sw_gis_${randomBytes(6).toString('hex')}`;

async function withStore(o: { postgis?: boolean }, fn: (store: PostgresStore, schema: string) => Promise<void>): Promise<void> {
  const schema = freshSchema();
  try {
    const store = await createPostgresStore({ connectionString: url, schema, postgis: o.postgis });
    try {
      await fn(store, schema);
    } finally {
      await store.close();
    }
  } finally {
    await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

/** geometry_columns rows of a schema: table or view, type, dimension, SRID. */
async function geometryColumns(schema: string): Promise<Record<string, { type: string; dim: number; srid: number }>> {
  const rows = await admin<{ f_table_name: string; type: string; coord_dimension: number; srid: number }>(
    'SELECT f_table_name, type, coord_dimension, srid FROM geometry_columns WHERE f_table_schema = $1',
    [schema],
  );
  return Object.fromEntries(rows.map((r) => [r.f_table_name, { type: r.type, dim: r.coord_dimension, srid: r.srid }]));
}

async function columnTypes(schema: string, table: string): Promise<Record<string, string>> {
  const rows = await admin<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [schema, table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

const T0 = 1_764_000_000.123;
/** A zone square around (lon 127.0..127.1, lat 37.5..37.6). */
const zoneFeature = (id: string, lon0: number) => ({
  type: 'Feature',
  properties: { id, name: `Zone ${id}`, kind: 'site', lead_s: 300 },
  geometry: { type: 'Polygon', coordinates: [[[lon0, 37.5], [lon0 + 0.1, 37.5], [lon0 + 0.1, 37.6], [lon0, 37.6], [lon0, 37.5]]] },
});

/** Fills a store with two tracks, detections, zones, sensors and alerts. */
async function fill(store: PostgresStore): Promise<void> {
  await store.appendTrackStates([
    { t: T0, track: 'T1', row: { t: T0, track: 'T1', lat: 37.55, lon: 127.05, alt_m: 312.25, ve_mps: 30, vn_mps: 40, vu_mps: -1, pos_sd_m: 25, status: 'confirmed', class: { piston_owa: 0.7, bird: 0.2 }, label: 'piston_owa', threat: 0.83, affiliation: 'hostile' } },
    { t: T0 + 1, track: 'T1', row: { t: T0 + 1, track: 'T1', lat: 37.5504, lon: 127.0503, alt_m: 311, ve_mps: 30, vn_mps: 40, status: 'confirmed', class: { piston_owa: 0.75, bird: 0.2 }, label: 'piston_owa', threat: 0.9, affiliation: 'hostile' } },
    { t: T0 + 1, track: 'T2', row: { t: T0 + 1, track: 'T2', lat: 37.7, lon: 126.9, ve_mps: -3, vn_mps: 0, status: 'coasting', class: { bird: 0.6, multirotor: 0.3 }, label: 'bird', threat: 0.05, affiliation: 'unknown' } },
  ]);
  await store.appendDetections([
    { t: T0, sensor: 'r1', id: 'd1', row: { t: T0, sensor: 'r1', id: 'd1', type: 'position', lat: 37.56, lon: 127.04, alt_m: 250, pos_sd_m: 30, class: { multirotor: 0.9 } }, receivedAt: T0 + 0.5 },
    { t: T0, sensor: 'a1', id: 'd2', row: { t: T0, sensor: 'a1', id: 'd2', type: 'bearing', bearing_deg: 42.5 }, receivedAt: T0 + 0.25 },
  ]);
  await store.replaceLayers({
    zones: [zoneFeature('z1', 127.0), zoneFeature('z2', 128.0)],
    sensors: [
      { id: 'r1', kind: 'radar', lat: 37.4, lon: 127.1, alt_m: 55.5, range_m: 8000 },
      { id: 'obs', kind: 'observer' },
    ],
  });
  await store.upsertSensor({ id: 'a1', def: { id: 'a1', kind: 'acoustic', lat: 37.45, lon: 127.2, alt_m: 40, range_m: 2500 }, credentialHash: null, updatedAt: T0 });
  await store.appendAlerts([
    { t: T0 + 10, zone: 'z1', state: 'alert', row: { t: T0 + 10, zone: 'z1', state: 'alert', tier: 'warning', eta_s: 120, tracks: ['T1'], reason: 'T1 p=0.8' } },
    { t: T0 + 20, zone: 'z1', state: 'alert', row: { t: T0 + 20, zone: 'z1', state: 'alert', tier: 'imminent', eta_s: 40, tracks: ['T1'], reason: 'T1 closer', update: true } },
    { t: T0 + 5, zone: 'z2', state: 'alert', row: { t: T0 + 5, zone: 'z2', state: 'alert', tier: 'warning', tracks: ['T2'], reason: 'T2' } },
    { t: T0 + 15, zone: 'z2', state: 'clear', row: { t: T0 + 15, zone: 'z2', state: 'clear', tracks: [], reason: 'gone' } },
  ]);
}

describe('postgres store for GIS tools (PostGIS)', () => {
  it('registers 3-D point, line and polygon geometries with SRID 4326 for its tables and views', () =>
    withStore({}, async (store, schema) => {
      assert.equal(store.postgis, true);
      const g = await geometryColumns(schema);
      const pointZ = { type: 'POINT', dim: 3, srid: 4326 };
      const poly = { type: 'MULTIPOLYGON', dim: 2, srid: 4326 };
      assert.deepEqual(g, {
        detections: pointZ,
        track_states: pointZ,
        sensors: pointZ,
        sensor_config: pointZ,
        zones: poly,
        v_tracks_latest: pointZ,
        v_tracks_live: pointZ,
        v_track_lines: { type: 'LINESTRING', dim: 3, srid: 4326 },
        v_zones: poly,
        v_alerts_active: poly,
        v_alerts: poly,
        v_sensors: pointZ,
      });
    }));

  it('indexes every geometry with GiST and the times with b-trees', () =>
    withStore({}, async (_store, schema) => {
      const idx = await admin<{ tablename: string; indexdef: string }>('SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = $1', [schema]);
      for (const table of ['detections', 'track_states', 'sensors', 'sensor_config', 'zones']) {
        assert.ok(
          idx.some((i) => i.tablename === table && /USING gist \(geom\)/.test(i.indexdef)),
          `${table} has a GiST index on geom: ${idx.filter((i) => i.tablename === table).map((i) => i.indexdef).join('; ')}`,
        );
      }
      for (const table of ['detections', 'track_states', 'alerts', 'audit']) {
        assert.ok(idx.some((i) => i.tablename === table && /USING btree \(("time"|time)\)/.test(i.indexdef)), `${table} has a b-tree on time`);
      }
      // the planner uses the GiST index for a bounding-box query on a big enough table
      await admin(`INSERT INTO "${schema}".track_states (track, t, row) SELECT 'X' || i, i, json_build_object('lat', 30 + (i % 1000) / 100.0, 'lon', 120 + (i / 1000) / 10.0) FROM generate_series(1, 20000) i`);
      await admin(`ANALYZE "${schema}".track_states`);
      const plan = await admin<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT track FROM "${schema}".track_states WHERE geom && ST_MakeEnvelope(126.9, 37.4, 127.1, 37.6, 4326)`);
      assert.match(plan.map((p) => p['QUERY PLAN']).join('\n'), /track_states_geom/);
      // the live view reads the recent states through the time index, not the whole history
      const live = await admin<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT track FROM "${schema}".v_tracks_live`);
      assert.match(live.map((p) => p['QUERY PLAN']).join('\n'), /track_states_time/);
    }));

  it('has typed columns: timestamptz times, class, threat, label, speed as real columns', () =>
    withStore({}, async (_store, schema) => {
      const ts = await columnTypes(schema, 'track_states');
      assert.equal(ts.time, 'timestamp with time zone');
      assert.equal(ts.class, 'text');
      assert.equal(ts.label, 'text');
      assert.equal(ts.threat, 'double precision');
      assert.equal(ts.speed_mps, 'double precision');
      assert.equal(ts.alt_m, 'double precision');
      const d = await columnTypes(schema, 'detections');
      assert.equal(d.time, 'timestamp with time zone');
      assert.equal(d.received, 'timestamp with time zone');
      const a = await columnTypes(schema, 'alerts');
      assert.equal(a.time, 'timestamp with time zone');
      assert.equal(a.tier, 'text');
      assert.equal((await columnTypes(schema, 'audit')).time, 'timestamp with time zone');
      assert.equal((await columnTypes(schema, 'sensors')).updated, 'timestamp with time zone');
      const v = await columnTypes(schema, 'v_tracks_latest');
      assert.equal(v.updated, 'timestamp with time zone');
      assert.equal(v.threat, 'double precision');
    }));

  it('round-trips values: ST_X/ST_Y/ST_Z are lon/lat/alt_m, times to the microsecond, class and threat from the row', () =>
    withStore({}, async (store, schema) => {
      await fill(store);
      const tr = await admin<{ x: number; y: number; z: number; epoch: string; ms: Date; class: string; class_p: number; label: string; threat: number; speed_mps: number; course_deg: number; status: string }>(
        `SELECT ST_X(geom) AS x, ST_Y(geom) AS y, ST_Z(geom) AS z, extract(epoch FROM time)::text AS epoch, time AS ms, class, class_p, label, threat, speed_mps, course_deg, status
         FROM "${schema}".track_states WHERE track = 'T1' ORDER BY t LIMIT 1`,
      );
      assert.equal(tr[0].x, 127.05);
      assert.equal(tr[0].y, 37.55);
      assert.equal(tr[0].z, 312.25);
      assert.equal(tr[0].epoch, '1764000000.123000');
      assert.equal(tr[0].ms.getTime(), Math.round(T0 * 1000));
      assert.deepEqual([tr[0].class, tr[0].class_p, tr[0].label, tr[0].threat, tr[0].status], ['piston_owa', 0.7, 'piston_owa', 0.83, 'confirmed']);
      assert.ok(Math.abs(tr[0].speed_mps - 50) < 1e-9, `speed ${tr[0].speed_mps}`);
      assert.ok(Math.abs(tr[0].course_deg - (Math.atan2(30, 40) * 180) / Math.PI) < 1e-9, `course ${tr[0].course_deg}`);
      // no altitude: Z 0, alt_m NULL
      const t2 = await admin<{ z: number; alt_m: number | null }>(`SELECT ST_Z(geom) AS z, alt_m FROM "${schema}".track_states WHERE track = 'T2'`);
      assert.deepEqual(t2, [{ z: 0, alt_m: null }]);
      // the store's own reads are untouched: the epoch doubles exactly
      const back = await store.trackHistory('T1', { from: -Infinity, to: Infinity });
      assert.deepEqual(back.map((r) => r.t), [T0, T0 + 1]);
      const det = await admin<{ id: string; z: number | null; type: string; received: Date; class: string | null; bearing_deg: number | null }>(
        `SELECT id, ST_Z(geom) AS z, type, received, class, bearing_deg FROM "${schema}".detections ORDER BY id`,
      );
      assert.deepEqual(det, [
        { id: 'd1', z: 250, type: 'position', received: new Date(Math.round((T0 + 0.5) * 1000)), class: 'multirotor', bearing_deg: null },
        { id: 'd2', z: null, type: 'bearing', received: new Date(Math.round((T0 + 0.25) * 1000)), class: null, bearing_deg: 42.5 },
      ]);
      const sensors = await admin<{ id: string; source: string; x: number | null; y: number | null; z: number | null; kind: string }>(
        `SELECT id, source, kind, ST_X(geom) AS x, ST_Y(geom) AS y, ST_Z(geom) AS z FROM "${schema}".v_sensors ORDER BY id`,
      );
      assert.deepEqual(sensors, [
        { id: 'a1', source: 'registered', kind: 'acoustic', x: 127.2, y: 37.45, z: 40 },
        { id: 'obs', source: 'config', kind: 'observer', x: null, y: null, z: null },
        { id: 'r1', source: 'config', kind: 'radar', x: 127.1, y: 37.4, z: 55.5 },
      ]);
    }));

  it('a row holding \\u0000 (which PostgreSQL json cannot take apart) is stored and read back exactly, with NULL typed columns; the good rows of its batch get theirs', () =>
    withStore({}, async (store, schema) => {
      const bad = { t: T0, sensor: 'r1', id: 'nul', type: 'position', lat: 37.5, lon: 127, target: 'a\u0000b', class: { 'x\u0000': 0.5 } };
      const good = { t: T0, sensor: 'r1', id: 'good', type: 'position', lat: 37.6, lon: 127.1, alt_m: 50 };
      const r = await store.appendDetections([
        { t: T0, sensor: 'r1', id: 'nul', row: bad, receivedAt: T0 },
        { t: T0, sensor: 'r1', id: 'good', row: good, receivedAt: T0 },
      ]);
      assert.ok(r.results.every((x) => typeof x === 'number'), JSON.stringify(r.results));
      assert.deepEqual((await store.readJournal(0, 10)).map((e) => e.row), [bad, good]);
      await store.appendTrackStates([{ t: T0, track: 'TN', row: { lat: 1, lon: 2, label: 'x\u0000' } }]);
      assert.deepEqual((await store.trackHistory('TN', { from: -Infinity, to: Infinity })).map((x) => x.row), [{ lat: 1, lon: 2, label: 'x\u0000' }]);
      await store.replaceLayers({ zones: [{ ...zoneFeature('zn', 127), properties: { id: 'zn', name: 'n\u0000' } }], sensors: [] });
      const typed = await admin<{ id: string; type: string | null; z: number | null; time: Date }>(`SELECT id, type, ST_Z(geom) AS z, time FROM "${schema}".detections ORDER BY seq`);
      assert.deepEqual(typed, [
        { id: 'nul', type: null, z: null, time: new Date(Math.round(T0 * 1000)) },
        { id: 'good', type: 'position', z: 50, time: new Date(Math.round(T0 * 1000)) },
      ]);
      assert.deepEqual(await admin(`SELECT zone, geom IS NULL AS no_geom FROM "${schema}".v_zones`), [{ zone: 'zn', no_geom: true }]);
    }));

  it('zone polygons contain the points inside them; v_zones and v_alerts_active give the state now and since when', () =>
    withStore({}, async (store, schema) => {
      await fill(store);
      const inside = await admin<{ zone: string }>(
        `SELECT z.zone FROM "${schema}".v_zones z JOIN "${schema}".v_tracks_latest t ON ST_Contains(z.geom, t.geom) WHERE t.track = 'T1'`,
      );
      assert.deepEqual(inside, [{ zone: 'z1' }]);
      assert.deepEqual(await admin(`SELECT ST_Contains(geom, ST_SetSRID(ST_MakePoint(127.2, 37.55), 4326)) AS c FROM "${schema}".zones WHERE id = 'z1'`), [{ c: false }]);
      const zones = await admin<{ zone: string; state: string; tier: string | null }>(`SELECT zone, state, tier FROM "${schema}".v_zones ORDER BY zone`);
      assert.deepEqual(zones, [
        { zone: 'z1', state: 'alert', tier: 'imminent' },
        { zone: 'z2', state: 'clear', tier: null },
      ]);
      const active = await admin<{ zone: string; name: string; tier: string; since: Date; updated: Date; area: number }>(
        `SELECT zone, name, tier, since, updated, ST_Area(geom) AS area FROM "${schema}".v_alerts_active`,
      );
      assert.equal(active.length, 1, JSON.stringify(active));
      assert.deepEqual({ ...active[0], area: Math.round(active[0].area * 1e6) / 1e6 }, {
        zone: 'z1',
        name: 'Zone z1',
        tier: 'imminent',
        since: new Date(Math.round((T0 + 10) * 1000)),
        updated: new Date(Math.round((T0 + 20) * 1000)),
        area: 0.01,
      });
      // a zone cleared and raised again: since is the new raise
      await store.appendAlerts([
        { t: T0 + 30, zone: 'z2', state: 'alert', row: { tier: 'warning' } },
        { t: T0 + 40, zone: 'z1', state: 'clear', row: {} },
      ]);
      const now = await admin<{ zone: string; since: Date }>(`SELECT zone, since FROM "${schema}".v_alerts_active`);
      assert.deepEqual(now, [{ zone: 'z2', since: new Date(Math.round((T0 + 30) * 1000)) }]);
      assert.equal((await admin(`SELECT n FROM "${schema}".v_alerts WHERE geom IS NOT NULL`)).length, 6);
    }));

  it('v_tracks_latest has one row per track (its latest state), v_track_lines a LineStringZ through the states in time order', () =>
    withStore({}, async (store, schema) => {
      await fill(store);
      const latest = await admin<{ track: string; updated: Date; threat: number; z: number }>(
        `SELECT track, updated, threat, ST_Z(geom) AS z FROM "${schema}".v_tracks_latest ORDER BY track`,
      );
      assert.deepEqual(latest, [
        { track: 'T1', updated: new Date(Math.round((T0 + 1) * 1000)), threat: 0.9, z: 311 },
        { track: 'T2', updated: new Date(Math.round((T0 + 1) * 1000)), threat: 0.05, z: 0 },
      ]);
      // the live view: only tracks with a state in the last 60 s of the database clock
      assert.deepEqual(await admin(`SELECT track FROM "${schema}".v_tracks_live`), []);
      const now = Date.now() / 1000;
      await store.appendTrackStates([{ t: now - 1, track: 'T9', row: { lat: 37.6, lon: 127.2, alt_m: 90, label: 'multirotor', threat: 0.6 } }]);
      const live = await admin<{ track: string; label: string; z: number }>(`SELECT track, label, ST_Z(geom) AS z FROM "${schema}".v_tracks_live`);
      assert.deepEqual(live, [{ track: 'T9', label: 'multirotor', z: 90 }]);
      const lines = await admin<{ track: string; wkt: string; states: string }>(`SELECT track, ST_AsText(geom) AS wkt, states FROM "${schema}".v_track_lines`);
      assert.deepEqual(lines, [{ track: 'T1', wkt: 'LINESTRING Z (127.05 37.55 312.25,127.0503 37.5504 311)', states: '2' }]);
    }));

  it('comments every view and every column a user sees in them', () =>
    withStore({}, async (_store, schema) => {
      const missing = await admin<{ rel: string; col: string | null }>(
        `SELECT c.relname AS rel, NULL AS col FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relkind = 'v' AND obj_description(c.oid, 'pg_class') IS NULL
         UNION ALL
         SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
           WHERE n.nspname = $1 AND c.relkind = 'v' AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NULL`,
        [schema],
      );
      assert.deepEqual(missing, []);
      // and the tables: each, and each typed (generated) column
      const tables = await admin<{ rel: string; col: string | null }>(
        `SELECT c.relname AS rel, NULL AS col FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname IN ('detections', 'track_states', 'alerts', 'sensors', 'zones', 'sensor_config') AND obj_description(c.oid, 'pg_class') IS NULL
         UNION ALL
         SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
           WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND ${TYPED} AND col_description(c.oid, a.attnum) IS NULL`,
        [schema],
      );
      assert.deepEqual(tables, []);
      const generated = await admin<{ n: string }>(
        `SELECT count(*) AS n FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND ${TYPED}`,
        [schema],
      );
      assert.ok(Number(generated[0].n) > 50, `${generated[0].n} typed columns`);
      const views = await admin<{ table_name: string }>("SELECT table_name FROM information_schema.views WHERE table_schema = $1 ORDER BY table_name", [schema]);
      assert.deepEqual(views.map((v) => v.table_name), [...GIS_VIEWS].sort());
      const geomNote = await admin<{ c: string }>(`SELECT col_description('"${schema}".track_states'::regclass, attnum) AS c FROM pg_attribute WHERE attrelid = '"${schema}".track_states'::regclass AND attname = 'geom'`);
      assert.match(geomNote[0].c, /above the WGS 84 ellipsoid/);
    }));

  it('docs/server.md names every view and every column of the views and typed columns of the tables', () =>
    withStore({}, async (_store, schema) => {
      const md = readFileSync(new URL('../../../../../docs/server.md', import.meta.url), 'utf8');
      const from = md.indexOf('## PostgreSQL for GIS tools');
      assert.ok(from >= 0, 'the section is there');
      const section = md.slice(from, md.indexOf('\n## ', from + 5));
      const cols = await admin<{ rel: string; col: string }>(
        `SELECT c.relname AS rel, a.attname AS col FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
         WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND (c.relkind = 'v' OR (c.relkind = 'r' AND ${TYPED})) ORDER BY 1, 2`,
        [schema],
      );
      assert.ok(cols.length > 100, `${cols.length} columns`);
      const undocumented = [...new Set(cols.flatMap((c) => [c.rel, c.col]))].filter((name) => !section.includes(`\`${name}\``));
      assert.deepEqual(undocumented, []);
    }));

  it('psql shows the typed, indexed 3-D geometry columns', () =>
    withStore({}, async (store, schema) => {
      await fill(store);
      const psql = (cmd: string): string => {
        const r = spawnSync('psql', [url, '-X', '-c', cmd], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 0, `psql: ${r.stderr}`);
        return r.stdout;
      };
      const d = psql(`\\d ${schema}.track_states`);
      assert.match(d, /geom\s+\|\s+geometry\(PointZ,4326\)/);
      assert.match(d, /time\s+\|\s+timestamp with time zone/);
      assert.match(d, /"track_states_geom" gist \(geom\)/);
      const v = psql(`SELECT track, label, threat, ST_AsText(geom) FROM ${schema}.v_tracks_latest ORDER BY track`);
      assert.match(v, /T1\s+\|\s+piston_owa\s+\|\s+0\.9\s+\|\s+POINT Z \(127\.0503 37\.5504 311\)/);
    }));

  it('GDAL (the OGR PostgreSQL driver, as QGIS and GeoServer read PostGIS) lists the views as typed 3-D layers in EPSG:4326 and reads their features', () =>
    withStore({}, async (store, schema) => {
      await fill(store);
      const u = new URL(url);
      const conn = `PG:host=${u.hostname} port=${u.port} user=${decodeURIComponent(u.username)} dbname=${u.pathname.slice(1)} schemas=${schema}`;
      const ogr = (args: string[]): string => {
        const r = spawnSync('ogrinfo', ['-ro', ...args], { encoding: 'utf8', timeout: 60_000 });
        assert.ok(!r.error, `ogrinfo (Debian gdal-bin) is needed: ${r.error?.message}`);
        assert.equal(r.status, 0, `ogrinfo: ${r.stderr}`);
        return r.stdout;
      };
      const layers = ogr(['-q', conn]);
      for (const [layer, type] of [
        ['v_tracks_latest', '3D Point'],
        ['v_tracks_live', '3D Point'],
        ['v_track_lines', '3D Line String'],
        ['v_zones', 'Multi Polygon'],
        ['v_alerts_active', 'Multi Polygon'],
        ['v_alerts', 'Multi Polygon'],
        ['v_sensors', '3D Point'],
        ['track_states', '3D Point'],
      ]) {
        assert.match(layers, new RegExp(`\\b${layer} \\(${type}\\)`), `layer ${layer} as ${type} in:\n${layers}`);
      }
      const summary = ogr(['-so', conn, 'v_tracks_latest']);
      assert.match(summary, /Geometry: 3D Point/);
      assert.match(summary, /ID\["EPSG",4326\]/);
      assert.match(summary, /updated: DateTime/);
      assert.match(summary, /threat: Real/);
      const features = ogr(['-q', conn, 'v_tracks_latest']);
      assert.match(features, /track \(String\) = T1[\s\S]*label \(String\) = piston_owa[\s\S]*POINT Z \(127\.0503 37\.5504 311\)/);
      const active = ogr(['-q', conn, 'v_alerts_active']);
      assert.match(active, /zone \(String\) = z1[\s\S]*tier \(String\) = imminent[\s\S]*MULTIPOLYGON \(\(\(127(\.0)? 37\.5,127\.1 37\.5,127\.1 37\.6,127(\.0)? 37\.6,127(\.0)? 37\.5\)\)\)/);
    }));

  it("a read-only GIS role set up as docs/server.md says keeps reading the views when an upgrade remakes them; without the default privileges it would not", () =>
    withStore({}, async (store, schema) => {
      await fill(store);
      const tag = randomBytes(4).toString('hex');
      const [gis, bare] = [`sw_gis_${tag}`, `sw_bare_${tag}`];
      try {
        for (const role of [gis, bare]) {
          await admin(`CREATE ROLE ${role} LOGIN`);
          await admin(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
          await admin(`GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);
        }
        await admin(`ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA "${schema}" GRANT SELECT ON TABLES TO ${gis}`);
        const as = async (role: string) => {
          const u = new URL(url);
          u.username = role;
          const c = new pg.Client({ connectionString: u.toString() });
          await c.connect();
          try {
            return (await c.query(`SELECT track FROM "${schema}".v_tracks_latest ORDER BY track`)).rows;
          } finally {
            await c.end();
          }
        };
        assert.deepEqual(await as(gis), [{ track: 'T1' }, { track: 'T2' }]);
        assert.deepEqual(await as(bare), [{ track: 'T1' }, { track: 'T2' }]);
        // an upgrade that changes the layout: the views are made again
        await admin(`UPDATE "${schema}".gis_layout SET signature = 'older'`);
        await (await createPostgresStore({ connectionString: url, schema })).close();
        assert.deepEqual(await as(gis), [{ track: 'T1' }, { track: 'T2' }]);
        await assert.rejects(as(bare), /permission denied/);
      } finally {
        await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        for (const role of [gis, bare]) {
          await admin(`DROP OWNED BY ${role}`).catch(() => undefined);
          await admin(`DROP ROLE IF EXISTS ${role}`);
        }
      }
    }));

  it('a restart with the layout in place changes nothing (no view rebuilt)', () =>
    withStore({}, async (_store, schema) => {
      const oid = async () => (await admin<{ oid: number }>(`SELECT '"${schema}".v_tracks_latest'::regclass::oid AS oid`))[0].oid;
      const before = await oid();
      await (await createPostgresStore({ connectionString: url, schema })).close();
      assert.equal(await oid(), before);
    }));
});

describe('the service with a PostgreSQL store', () => {
  it('writes its zones and configured sensors as GIS layers at start', async () => {
    const schema = freshSchema();
    const { startServer } = await import('../../server.js');
    const { quietLogger, smallSceneConfig, tempDir } = await import('../../testing.js');
    const tmp = tempDir('sw-gis-');
    try {
      const { config, sensors } = smallSceneConfig({ dataDir: tmp.dir });
      const zonesFile = `${tmp.dir}/zones.geojson`;
      writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features: [zoneFeature('site-a', 127.0)] }));
      const srv = await startServer({ config: { ...config, zones: { file: zonesFile }, store: { kind: 'postgres', url, schema, postgis: 'require' } }, logger: quietLogger() });
      try {
        assert.deepEqual(await admin(`SELECT zone, name, state, ST_AsText(geom) AS wkt FROM "${schema}".v_zones`), [
          { zone: 'site-a', name: 'Zone site-a', state: 'clear', wkt: 'MULTIPOLYGON(((127 37.5,127.1 37.5,127.1 37.6,127 37.6,127 37.5)))' },
        ]);
        const got = await admin<{ id: string; source: string; x: number | null }>(`SELECT id, source, ST_X(geom) AS x FROM "${schema}".v_sensors ORDER BY id COLLATE "C"`);
        const want = sensors
          .map((x) => ({ id: String(x.id), source: 'config', x: typeof x.lon === 'number' ? x.lon : null }))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        assert.ok(want.length > 0);
        assert.deepEqual(got, want);
      } finally {
        await srv.close();
      }
    } finally {
      tmp.cleanup();
      await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});

describe('postgres store backup with pg_dump and pg_restore (docs/deployment.md)', () => {
  it('restores the typed columns, geometries and views into a new database, and the store opens it', async () => {
    const schema = freshSchema();
    const db = `sw_restore_${randomBytes(4).toString('hex')}`;
    const tmp = mkdtempSync(join(tmpdir(), 'sw-gis-dump-'));
    try {
      const store = await createPostgresStore({ connectionString: url, schema });
      try {
        await fill(store);
      } finally {
        await store.close();
      }
      const dump = join(tmp, 'skywarden.dump');
      const d = spawnSync('pg_dump', ['-Fc', '-n', schema, '-f', dump, url], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(d.status, 0, `pg_dump: ${d.stderr}`);
      await admin(`CREATE DATABASE ${db}`);
      const u = new URL(url);
      u.pathname = `/${db}`;
      const restoredUrl = u.toString();
      const c = new pg.Client({ connectionString: restoredUrl });
      await c.connect();
      try {
        await c.query('CREATE EXTENSION postgis');
        const r = spawnSync('pg_restore', ['--exit-on-error', '-d', restoredUrl, dump], { encoding: 'utf8', timeout: 120_000 });
        assert.equal(r.status, 0, `pg_restore: ${r.stderr}`);
        const again = await createPostgresStore({ connectionString: restoredUrl, schema });
        try {
          assert.equal(again.postgis, true);
          assert.deepEqual((await again.trackHistory('T1', { from: -Infinity, to: Infinity })).map((x) => x.t), [T0, T0 + 1]);
          await again.appendTrackStates([{ t: T0 + 2, track: 'T1', row: { lat: 37.551, lon: 127.051, alt_m: 300.5, label: 'jet_owa', threat: 0.95 } }]);
          const latest = (await c.query(`SELECT track, label, ST_Z(geom) AS z, updated FROM "${schema}".v_tracks_latest ORDER BY track`)).rows;
          assert.deepEqual(latest, [
            { track: 'T1', label: 'jet_owa', z: 300.5, updated: new Date(Math.round((T0 + 2) * 1000)) },
            { track: 'T2', label: 'bird', z: 0, updated: new Date(Math.round((T0 + 1) * 1000)) },
          ]);
          const active = (await c.query(`SELECT zone FROM "${schema}".v_alerts_active`)).rows;
          assert.deepEqual(active, [{ zone: 'z1' }]);
          const dims = (await c.query('SELECT f_table_name, coord_dimension FROM geometry_columns WHERE f_table_schema = $1 AND f_table_name = $2', [schema, 'v_track_lines'])).rows;
          assert.deepEqual(dims, [{ f_table_name: 'v_track_lines', coord_dimension: 3 }]);
        } finally {
          await again.close();
        }
      } finally {
        await c.end();
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});

describe('postgres store for GIS tools without PostGIS', () => {
  it('has the typed columns and views, no geometry; PostGIS at a later start adds it', async () => {
    const schema = freshSchema();
    try {
      const store = await createPostgresStore({ connectionString: url, schema, postgis: false });
      try {
        assert.equal(store.postgis, false);
        await fill(store);
        assert.deepEqual(await geometryColumns(schema), {});
        const geomCols = await admin(`SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'geom'`, [schema]);
        assert.deepEqual(geomCols, []);
        assert.equal((await columnTypes(schema, 'track_states')).time, 'timestamp with time zone');
        const latest = await admin<{ track: string; label: string; alt_m: number | null }>(`SELECT track, label, alt_m FROM "${schema}".v_tracks_latest ORDER BY track`);
        assert.deepEqual(latest, [
          { track: 'T1', label: 'piston_owa', alt_m: 311 },
          { track: 'T2', label: 'bird', alt_m: null },
        ]);
        assert.deepEqual(await admin(`SELECT zone, tier FROM "${schema}".v_alerts_active`), [{ zone: 'z1', tier: 'imminent' }]);
      } finally {
        await store.close();
      }
      const again = await createPostgresStore({ connectionString: url, schema });
      try {
        assert.equal(again.postgis, true);
        assert.equal((await geometryColumns(schema)).v_tracks_latest?.dim, 3);
        assert.deepEqual(await admin(`SELECT ST_Z(geom) AS z FROM "${schema}".track_states WHERE track = 'T1' ORDER BY t`), [{ z: 312.25 }, { z: 311 }]);
      } finally {
        await again.close();
      }
    } finally {
      await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});

/**
 * Schema version 2 as the code before schema 3 made it (its DDL kept here as a fixture), with
 * the `geometry(Point, 4326)` columns it added when PostGIS was there, and rows as it wrote them.
 */
function version2Ddl(s: string): string {
  return `
  CREATE SCHEMA ${s};
  CREATE TABLE ${s}.schema_version (version INTEGER NOT NULL);
  INSERT INTO ${s}.schema_version VALUES (2);
  CREATE TABLE ${s}.detections (seq BIGSERIAL PRIMARY KEY, sensor TEXT NOT NULL, id TEXT NOT NULL, t DOUBLE PRECISION NOT NULL,
    received_at DOUBLE PRECISION NOT NULL, row JSON NOT NULL, UNIQUE (sensor, id));
  CREATE INDEX detections_t ON ${s}.detections (t, seq);
  CREATE INDEX detections_sensor_t ON ${s}.detections (sensor, t, seq);
  CREATE TABLE ${s}.track_states (track TEXT NOT NULL, t DOUBLE PRECISION NOT NULL, row JSON NOT NULL, PRIMARY KEY (track, t));
  CREATE INDEX track_states_t ON ${s}.track_states (t, track COLLATE "C");
  CREATE TABLE ${s}.alerts (n BIGSERIAL PRIMARY KEY, t DOUBLE PRECISION NOT NULL, zone TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('alert', 'clear')), row JSON NOT NULL);
  CREATE INDEX alerts_t ON ${s}.alerts (t, n);
  CREATE INDEX alerts_zone_t ON ${s}.alerts (zone, t, n);
  CREATE TABLE ${s}.sensors (id TEXT PRIMARY KEY, def JSON NOT NULL, credential_hash TEXT, updated_at DOUBLE PRECISION NOT NULL);
  CREATE TABLE ${s}.users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    created_at DOUBLE PRECISION NOT NULL);
  CREATE TABLE ${s}.audit (n BIGSERIAL PRIMARY KEY, t DOUBLE PRECISION NOT NULL, user_name TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, detail JSON NOT NULL);
  CREATE INDEX audit_t ON ${s}.audit (t, n);
  CREATE TABLE ${s}.quarantine (seq BIGINT PRIMARY KEY, sensor TEXT NOT NULL, id TEXT NOT NULL, t DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL, at DOUBLE PRECISION NOT NULL);
  CREATE INDEX quarantine_at ON ${s}.quarantine (at);
  ALTER TABLE ${s}.detections ADD COLUMN geom geometry(Point, 4326);
  CREATE INDEX detections_geom ON ${s}.detections USING gist (geom);
  ALTER TABLE ${s}.track_states ADD COLUMN geom geometry(Point, 4326);
  CREATE INDEX track_states_geom ON ${s}.track_states USING gist (geom);
  `;
}

describe('postgres store upgrade from schema version 2', () => {
  it('upgrades a version 2 database on start without losing rows: typed columns and PointZ geometry for the old rows', async () => {
    const schema = freshSchema();
    const s = `"${schema}"`;
    try {
      await admin(version2Ddl(s));
      const n = 500;
      await admin(
        `INSERT INTO ${s}.detections (sensor, id, t, received_at, row, geom)
         SELECT 'r1', 'd' || i, ${T0} + i, ${T0} + i + 0.5, json_build_object('t', ${T0} + i, 'type', 'position', 'lat', 37 + i / 1000.0, 'lon', 127, 'alt_m', i), ST_SetSRID(ST_MakePoint(127, 37 + i / 1000.0), 4326)
         FROM generate_series(1, ${n}) i`,
      );
      await admin(
        `INSERT INTO ${s}.track_states (track, t, row, geom)
         SELECT 'T' || (i % 5), ${T0} + i, json_build_object('lat', 37.5, 'lon', 127 + i / 1000.0, 'alt_m', 100 + i, 'label', 'multirotor', 'threat', 0.25), ST_SetSRID(ST_MakePoint(127 + i / 1000.0, 37.5), 4326)
         FROM generate_series(1, ${n}) i`,
      );
      await admin(`INSERT INTO ${s}.alerts (t, zone, state, row) VALUES (${T0}, 'z1', 'alert', '{"tier":"warning"}'), (${T0 + 9}, 'z1', 'clear', '{}')`);
      await admin(`INSERT INTO ${s}.sensors VALUES ('a1', '{"id":"a1","kind":"acoustic","lat":37,"lon":127,"alt_m":12}', NULL, ${T0})`);
      await admin(`INSERT INTO ${s}.users VALUES ('ops', 'scrypt$x', 'operator', ${T0})`);
      await admin(`INSERT INTO ${s}.audit (t, user_name, action, target, detail) VALUES (${T0}, 'ops', 'login', '', '{}')`);
      await admin(`INSERT INTO ${s}.quarantine VALUES (3, 'r1', 'd3', ${T0 + 3}, 'boom', ${T0 + 4})`);
      const journalBefore = await admin(`SELECT seq, sensor, id, t, received_at, row::text FROM ${s}.detections ORDER BY seq`);

      const store = await createPostgresStore({ connectionString: url, schema });
      try {
        assert.deepEqual(await admin(`SELECT version FROM ${s}.schema_version`), [{ version: POSTGRES_SCHEMA_VERSION }]);
        assert.equal(POSTGRES_SCHEMA_VERSION, 3);
        // every row kept, the journal byte for byte, and the store reads them as before
        assert.deepEqual(await admin(`SELECT seq, sensor, id, t, received_at, row::text FROM ${s}.detections ORDER BY seq`), journalBefore);
        assert.equal(await store.countDetections(), n);
        assert.equal((await store.readJournal(0, 10_000)).length, n);
        assert.equal((await store.trackStatesInWindow({ from: -Infinity, to: Infinity })).length, n);
        assert.equal((await store.alertHistory({ from: -Infinity, to: Infinity })).length, 2);
        assert.equal((await store.listSensors()).length, 1);
        assert.equal((await store.listUsers()).length, 1);
        assert.equal((await store.audit({ from: -Infinity, to: Infinity })).length, 1);
        assert.equal((await store.quarantined(10)).length, 1);
        // the old 2-D columns became 3-D, computed for the old rows
        const g = await geometryColumns(schema);
        assert.deepEqual(g.detections, { type: 'POINT', dim: 3, srid: 4326 });
        assert.deepEqual(g.track_states, { type: 'POINT', dim: 3, srid: 4326 });
        const d = await admin<{ x: number; y: number; z: number; time: Date }>(`SELECT ST_X(geom) AS x, ST_Y(geom) AS y, ST_Z(geom) AS z, time FROM ${s}.detections WHERE id = 'd250'`);
        assert.deepEqual(d, [{ x: 127, y: 37.25, z: 250, time: new Date(Math.round((T0 + 250) * 1000)) }]);
        const withGeom = await admin<{ c: string }>(`SELECT count(*) AS c FROM ${s}.track_states WHERE geom IS NOT NULL AND label = 'multirotor' AND threat = 0.25`);
        assert.deepEqual(withGeom, [{ c: String(n) }]);
        assert.equal((await admin(`SELECT track FROM ${s}.v_tracks_latest`)).length, 5);
        const idx = await admin<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexdef LIKE '%gist%' ORDER BY indexname`, [schema]);
        assert.deepEqual(idx.map((i) => i.indexname), ['detections_geom', 'sensor_config_geom', 'sensors_geom', 'track_states_geom', 'zones_geom']);
        // and new rows go in as before
        const r = await store.appendDetections([{ t: T0 + 1000, sensor: 'r1', id: 'new', row: { lat: 1, lon: 2, alt_m: 3 }, receivedAt: T0 + 1000 }]);
        assert.ok(typeof r.results[0] === 'number' && r.results[0] > n);
        assert.deepEqual(await admin(`SELECT ST_AsText(geom) AS w FROM ${s}.detections WHERE id = 'new'`), [{ w: 'POINT Z (2 1 3)' }]);
      } finally {
        await store.close();
      }
    } finally {
      await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});

describe('postgres store typed columns filled by a trigger (detections, track_states)', () => {
  it('fills them with the values the generated columns of schema version 3 compute, for awkward rows, upserts and raw SQL', () =>
    withStore({}, async (store, schema) => {
      const s = `"${schema}"`;
      // plain columns with the trigger, not generated ones
      for (const table of ['detections', 'track_states']) {
        const gen = await admin<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attgenerated = 's' AND attname NOT IN ('geom')`, [`${schema}.${table}`]);
        assert.deepEqual(gen, [], `${table}: no generated typed columns`);
        const trg = await admin(`SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2`, [`${schema}.${table}`, FILL_TRIGGER]);
        assert.equal(trg.length, 1, `${table} has the fill trigger`);
      }
      const det = (id: string, row: Record<string, unknown>) => ({ t: T0, sensor: 'r1', id, row: { t: T0, sensor: 'r1', id, ...row }, receivedAt: T0 + 0.25 });
      await store.appendDetections([
        det('a', { type: 'position', lat: 37.12345678901234, lon: -0.0, alt_m: 1e-7, pos_sd_m: 1e21, class: { b: 0.5, a: 0.5, c: '0.9', d: null, e: true }, target: 'é"\\\n\t☃' }),
        det('b', { type: 5, lat: '37', lon: null, class: [0.1], target: 7, sensor_lat: 37, sensor_lon: 127.5 }),
        det('c', { class: {} }),
        det('d', { class: 'bird', bearing_deg: 123.000000000001, elevation_deg: -90, range_m: 0 }),
        det('e', { lat: 90, lon: 180, alt_m: -428.5, class: { Z: 0.2, a: 0.2, é: 0.2, x: -1 } }),
        det('f', { lat: 1.5e300, lon: -2.5e-300, class: { only: 1 } }),
      ]);
      // rows only raw SQL writes: not objects, a \u0000, duplicate keys, an explicit typed value (replaced), times beyond timestamptz
      await admin(`INSERT INTO ${s}.detections (sensor, id, t, received_at, row, lat) VALUES
        ('x', 'arr', 1, 2, '[1, 2]', 5), ('x', 'str', 1, 2, '"text"', 5), ('x', 'nul', 1, 2, '{"lat": 1, "x": "\\u0000"}', 5),
        ('x', 'dup', 1, 2, '{"lat": 1, "lat": 2, "type": "a", "type": "b"}', 5), ('x', 'far', 1e13, -1e12, '{"lat": 3}', 5)`);
      const tr = (track: string, t: number, row: Record<string, unknown>) => ({ t, track, row: { t, track, ...row } });
      await store.appendTrackStates([
        tr('T1', T0, { lat: 37.5, lon: 127, alt_m: 300, ve_mps: 0, vn_mps: 0, vu_mps: -1, status: 'confirmed', class: { bird: 0.3, piston_owa: 0.7 }, label: 'x', threat: 0.5, affiliation: 'hostile', target: 'ABC123' }),
        tr('T2', T0, { lat: 37.5, lon: 127, ve_mps: -1, vn_mps: 0, status: 3, class: { a: '1' } }),
        tr('T3', T0, { ve_mps: 3 }),
        tr('T4', T0, { ve_mps: 1e-9, vn_mps: -5, pos_sd_m: 12.5 }),
      ]);
      // an upsert of the same (track, t) computes them again from the new row
      await store.appendTrackStates([tr('T1', T0, { lat: 38, lon: 128, ve_mps: 30, vn_mps: -40, class: { multirotor: 0.9 }, threat: 0.1 })]);
      const t1 = await admin<{ lat: number; speed_mps: number; class: string; status: string | null }>(`SELECT lat, speed_mps, class, status FROM ${s}.track_states WHERE track = 'T1'`);
      assert.deepEqual(t1, [{ lat: 38, speed_mps: 50, class: 'multirotor', status: null }]);
      const raw = await admin<{ id: string; lat: number | null; type: string | null }>(`SELECT id, lat, type FROM ${s}.detections WHERE sensor = 'x' ORDER BY id`);
      assert.deepEqual(raw, [
        { id: 'arr', lat: null, type: null },
        { id: 'dup', lat: 2, type: 'b' },
        { id: 'far', lat: 3, type: null },
        { id: 'nul', lat: null, type: null },
        { id: 'str', lat: null, type: null },
      ]);

      // every typed column equals what the generated expression computes from the same rows
      for (const [table, key] of [['detections', 'seq'], ['track_states', 'track, t']] as const) {
        await admin(`CREATE TABLE ${s}.cmp_${table} AS SELECT * FROM ${s}.${table}`);
        const typed = await admin<{ attname: string }>(
          `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('seq', 'sensor', 'id', 't', 'received_at', 'row', 'track', 'geom')`,
          [`${schema}.${table}`],
        );
        assert.ok(typed.length >= 15, `${table}: ${typed.length} typed columns`);
        await admin(`ALTER TABLE ${s}.cmp_${table} ${typed.map((c) => `DROP COLUMN "${c.attname}"`).join(', ')}`);
        await admin(generatedColumnsDdl(s, table, `cmp_${table}`));
        for (const { attname: col } of typed) {
          const diff = await admin<{ k: string; got: string; want: string }>(
            `SELECT concat_ws(' ', a.${key.replace(', ', ', a.')}) AS k, a."${col}"::text AS got, b."${col}"::text AS want
             FROM ${s}.${table} a JOIN ${s}.cmp_${table} b USING (${key}) WHERE a."${col}" IS DISTINCT FROM b."${col}"`,
          );
          assert.deepEqual(diff, [], `${table}.${col}`);
        }
        const n = await admin<{ n: string }>(`SELECT count(*) AS n FROM ${s}.${table} a JOIN ${s}.cmp_${table} b USING (${key})`);
        assert.equal(Number(n[0].n), table === 'detections' ? 11 : 4);
      }
      // and the values are those of the rows: class ties go to the first label in text order
      const a = await admin<{ class: string; class_p: number; lat: number; target: string; alt_m: number }>(`SELECT class, class_p, lat, target, alt_m FROM ${s}.detections WHERE id = 'a'`);
      assert.deepEqual(a, [{ class: 'a', class_p: 0.5, lat: 37.12345678901234, target: 'é"\\\n\t☃', alt_m: 1e-7 }]);
    }));
});

describe('postgres store upgrade from schema version 3 as first released (generated typed columns)', () => {
  it('makes the typed columns of detections and track_states trigger-filled, keeping every value, and their points from those columns', () =>
    withStore({}, async (store, schema) => {
      const s = `"${schema}"`;
      // the layout of the first release: generated typed columns, points from the JSON row, no trigger
      for (const table of ['detections', 'track_states']) {
        await admin(`DROP TRIGGER ${FILL_TRIGGER} ON ${s}.${table}`);
        const cols = await admin<{ attname: string }>(
          `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('seq', 'sensor', 'id', 't', 'received_at', 'row', 'track', 'geom')`,
          [`${schema}.${table}`],
        );
        await admin(`ALTER TABLE ${s}.${table} DROP COLUMN geom CASCADE, ${cols.map((c) => `DROP COLUMN "${c.attname}" CASCADE`).join(', ')}`);
        await admin(generatedColumnsDdl(s, table));
        const num = (k: string) => `${s}.json_num(row, '${k}')`;
        await admin(
          `ALTER TABLE ${s}.${table} ADD COLUMN geom geometry(PointZ, 4326) GENERATED ALWAYS AS (CASE WHEN ${num('lat')} IS NOT NULL AND ${num('lon')} IS NOT NULL THEN
           ST_SetSRID(ST_MakePoint(${num('lon')}, ${num('lat')}, coalesce(${num('alt_m')}, 0)), 4326) END) STORED`,
        );
      }
      await admin(`UPDATE ${s}.gis_layout SET signature = 'first release'`);
      await fill(store);
      const snapshot = async () => ({
        d: await admin(`SELECT seq, time, received, type, lat, lon, alt_m, class, class_p, target, ST_AsEWKT(geom) AS g FROM ${s}.detections ORDER BY seq`),
        t: await admin(`SELECT track, t, time, lat, lon, alt_m, speed_mps, course_deg, status, class, class_p, label, threat, ST_AsEWKT(geom) AS g FROM ${s}.track_states ORDER BY track, t`),
      });
      const before = await snapshot();
      assert.ok(before.d.length === 2 && before.t.length === 3);
      const generated = await admin(`SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'lat' AND attgenerated = 's'`, [`${schema}.detections`]);
      assert.equal(generated.length, 1, 'the fixture has generated columns');

      const again = await createPostgresStore({ connectionString: url, schema });
      try {
        assert.deepEqual(await snapshot(), before);
        for (const table of ['detections', 'track_states']) {
          const gen = await admin(`SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attgenerated = 's' AND attname <> 'geom'`, [`${schema}.${table}`]);
          assert.deepEqual(gen, [], `${table}: typed columns are plain now`);
          const expr = await admin<{ e: string }>(
            `SELECT pg_get_expr(d.adbin, d.adrelid) AS e FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attrelid = $1::regclass AND a.attname = 'geom'`,
            [`${schema}.${table}`],
          );
          assert.doesNotMatch(expr[0].e, /json_num/, `${table}.geom from the filled columns`);
          assert.match(expr[0].e, /st_makepoint\(lon, lat/i);
        }
        const idx = await admin<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexdef LIKE '%gist%' ORDER BY indexname`, [schema]);
        assert.deepEqual(idx.map((i) => i.indexname), ['detections_geom', 'sensor_config_geom', 'sensors_geom', 'track_states_geom', 'zones_geom']);
        // new rows get their typed columns and point from the trigger
        await again.appendDetections([{ t: T0 + 5, sensor: 'r9', id: 'n1', row: { type: 'position', lat: 37.25, lon: 127.5, alt_m: 99.5, class: { bird: 0.4 } }, receivedAt: T0 + 6 }]);
        const n1 = await admin(`SELECT type, lat, class, class_p, ST_AsText(geom) AS g FROM ${s}.detections WHERE id = 'n1'`);
        assert.deepEqual(n1, [{ type: 'position', lat: 37.25, class: 'bird', class_p: 0.4, g: 'POINT Z (127.5 37.25 99.5)' }]);
      } finally {
        await again.close();
      }
    }));
});
