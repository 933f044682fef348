#!/usr/bin/env node
// Skywarden benchmark: the cost of storing detections and track states in the PostgreSQL
// store, through the store API (appendDetections / appendTrackStates, the batches the service
// sends), on a PostgreSQL + PostGIS of its own (the test-services helper: ephemeral port,
// fsync off). Each layout runs in a fresh schema, the layouts interleaved, `--runs` times;
// prints median and spread (min..max) of the cost per row and rows/s, the machine's load
// (/proc/loadavg) before and after, and EXPLAIN (ANALYZE, BUFFERS) of one detection batch.
//
// Layouts:
//   v2       the tables of schema version 2: the typed and geometry columns of detections and
//            track_states dropped (v2's own 2-D point, written by its client, is not written)
//   v3       schema version 3 as first released: the typed columns of detections and
//            track_states generated columns (each takes the JSON row apart on its own), and
//            their points computed from the JSON row too
//   current  this code's layout: those typed columns filled by one trigger per row (the row
//            taken apart once), their points generated from those columns
//
// Usage: npm run bench:pg [-- --detections 20000 --tracks 5000 --batch 500 --track-batch 100 --runs 3 --layouts v2,v3,current]
// SKYWARDEN_TEST_PG=postgres://... uses an existing server instead (a scratch database!).
import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { createPostgresStore } from '../packages/server/dist/store/postgres/postgres-store.js';
import { FILL_TRIGGER, generatedColumnsDdl } from '../packages/server/dist/store/postgres/postgres-gis.js';
import { testPostgres } from '../packages/server/dist/test-services.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const N = Number(arg('detections', 20000));
const M = Number(arg('tracks', 5000));
const BATCH = Number(arg('batch', 500));
const TRACK_BATCH = Number(arg('track-batch', 100));
const RUNS = Number(arg('runs', 3));
const LAYOUTS = String(arg('layouts', 'v2,v3,current')).split(',');

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/**
 * Makes the typed columns of detections and track_states generated columns again, as schema
 * version 3 first made them (the store's own DDL of that version), without the fill trigger.
 */
async function toV3(admin, s) {
  for (const table of ['detections', 'track_states']) {
    await admin.query(`DROP TRIGGER ${FILL_TRIGGER} ON ${s}.${table}`);
    const cols = await admin.query(
      `SELECT a.attname FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attname NOT IN ('seq', 'sensor', 'id', 't', 'received_at', 'row', 'track', 'geom')`,
      [`${s}.${table}`],
    );
    await admin.query(`ALTER TABLE ${s}.${table} DROP COLUMN IF EXISTS geom CASCADE, ${cols.rows.map((c) => `DROP COLUMN "${c.attname}" CASCADE`).join(', ')}`);
    await admin.query(generatedColumnsDdl(s, table));
    // and the point from the JSON row, as that version computed it
    const g = (await admin.query(`SELECT quote_ident(extnamespace::regnamespace::text) AS g FROM pg_extension WHERE extname = 'postgis'`)).rows[0].g;
    const num = (k) => `${s}.json_num(row, '${k}')`;
    await admin.query(
      `ALTER TABLE ${s}.${table} ADD COLUMN geom ${g}.geometry(PointZ, 4326) GENERATED ALWAYS AS (CASE WHEN ${num('lat')} IS NOT NULL AND ${num('lon')} IS NOT NULL THEN
       ${g}.ST_SetSRID(${g}.ST_MakePoint(${num('lon')}, ${num('lat')}, coalesce(${num('alt_m')}, 0)), 4326) END) STORED`,
    );
    await admin.query(`CREATE INDEX ${table}_geom ON ${s}.${table} USING gist (geom)`);
  }
}

/** Drops what schema version 3 added to the two tables written on the ingest path. */
async function toV2(admin, s) {
  for (const table of ['detections', 'track_states']) {
    const cols = await admin.query(
      `SELECT a.attname FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
       AND (a.attgenerated = 's' OR a.attname = 'geom')`,
      [`${s}.${table}`],
    );
    if (cols.rows.length > 0) await admin.query(`ALTER TABLE ${s}.${table} ${cols.rows.map((c) => `DROP COLUMN "${c.attname}" CASCADE`).join(', ')}`);
  }
}

// Rows like the service stores: interchange detections of the four types, tracks.ndjson rows
// plus label, threat, affiliation and sensors. Deterministic: row i is the same in every layout
// (a small LCG seeded by i).
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const seedRow = (i) => {
  seed = (i * 7919 + 12345) % 2147483648;
};
const T0 = 1_780_000_000;
const CLASSES = ['piston_owa', 'jet_owa', 'multirotor', 'bird', 'aircraft'];
const classOf = () => {
  const c = {};
  for (const k of CLASSES.slice(0, 2 + Math.floor(rnd() * 3))) c[k] = Math.round(rnd() * 1000) / 1000;
  return c;
};
function detection(i) {
  seedRow(i);
  const t = T0 + i * 0.001;
  const sensor = `s${i % 40}`;
  const row = { t, sensor, id: `d${i}` };
  const k = i % 10;
  if (k < 6) Object.assign(row, { type: 'position', lat: 37 + rnd(), lon: 127 + rnd(), alt_m: Math.round(rnd() * 3000 * 100) / 100, pos_sd_m: 25, class: classOf() });
  else if (k < 8) Object.assign(row, { type: 'bearing', bearing_deg: rnd() * 360, elevation_deg: rnd() * 30, class: classOf() });
  else if (k < 9) Object.assign(row, { type: 'range_bearing', range_m: rnd() * 8000, bearing_deg: rnd() * 360, elevation_deg: rnd() * 10 });
  else Object.assign(row, { type: 'presence', range_m: 500, target: `RID-${i}` });
  return { t, sensor, id: row.id, row, receivedAt: t + 0.2 };
}
function trackState(i) {
  seedRow(i + 1_000_000);
  const t = T0 + Math.floor(i / 200);
  const track = `T${i % 200}`;
  const row = {
    t, track, lat: 37 + rnd(), lon: 127 + rnd(), alt_m: rnd() * 3000, ve_mps: rnd() * 60 - 30, vn_mps: rnd() * 60 - 30, vu_mps: rnd() * 4 - 2, pos_sd_m: 30,
    status: i % 7 === 0 ? 'coasting' : 'confirmed', class: classOf(), label: 'piston_owa', threat: rnd(), affiliation: 'hostile', sensors: ['s1', 's2', 's3'],
  };
  return { t, track, row };
}

// CPU time (ms) of the PostgreSQL server's processes (the postmaster's children: the backends
// and background workers), from /proc: far less disturbed by other work on a loaded machine
// than wall time. Null where /proc cannot tell (another machine).
const TICK_MS = 10; // USER_HZ = 100 on Linux
function serverCpuMs(postmaster) {
  if (postmaster === null) return null;
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the name: state ppid ... utime (14th field overall) stime (15th)
    if (Number(f[1]) === postmaster || Number(pid) === postmaster) total += (Number(f[11]) + Number(f[12])) * TICK_MS;
  }
  return total;
}
function postmasterOf(backendPid) {
  try {
    const stat = readFileSync(`/proc/${backendPid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const url = await testPostgres();
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const version = (await admin.query('SHOW server_version')).rows[0].server_version;
const postmaster = postmasterOf((await admin.query('SELECT pg_backend_pid() AS p')).rows[0].p);
const results = Object.fromEntries(LAYOUTS.map((l) => [l, { det: [], trk: [], detCpu: [], trkCpu: [] }]));
const explains = {};
const digests = {};
const dets = Array.from({ length: N }, (_, i) => detection(i));
const trks = Array.from({ length: M }, (_, i) => trackState(i));
console.log(`PostgreSQL ${version}; ${N} detections in batches of ${BATCH}, ${M} track states in batches of ${TRACK_BATCH}; ${RUNS} runs per layout`);
console.log(`load before: ${loadavg()}`);
let n = 0;
for (let run = 0; run < RUNS; run++) {
  for (const layout of LAYOUTS) {
    const schema = `bench_${layout}_${n++}`;
    const s = `"${schema}"`;
    const store = await createPostgresStore({ connectionString: url, schema });
    if (layout === 'v2') await toV2(admin, s);
    else if (layout === 'v3') await toV3(admin, s);
    else if (layout !== 'current') throw new Error(`unknown layout ${layout}`);
    // warm-up: one batch each (plans, caches), not counted
    await store.appendDetections([detection(N + 1), detection(N + 2)]);
    await store.appendTrackStates([trackState(M + 200)]);
    let c0 = serverCpuMs(postmaster);
    let t0 = performance.now();
    for (let i = 0; i < N; i += BATCH) await store.appendDetections(dets.slice(i, i + BATCH));
    results[layout].det.push((performance.now() - t0) / N);
    if (c0 !== null) results[layout].detCpu.push((serverCpuMs(postmaster) - c0) / N);
    c0 = serverCpuMs(postmaster);
    t0 = performance.now();
    for (let i = 0; i < M; i += TRACK_BATCH) await store.appendTrackStates(trks.slice(i, i + TRACK_BATCH));
    results[layout].trk.push((performance.now() - t0) / M);
    if (c0 !== null) results[layout].trkCpu.push((serverCpuMs(postmaster) - c0) / M);
    if (run === RUNS - 1 && layout !== 'v2') {
      // what the layouts computed, as a digest: the same for v3 and current when they agree
      const d = await admin.query(
        `SELECT md5(string_agg(concat_ws('|', id, time, received, type, lat, lon, alt_m, pos_sd_m, range_m, bearing_deg, elevation_deg, class, class_p, target, sensor_lat, sensor_lon, ST_AsEWKT(geom)), ',' ORDER BY seq)) AS d FROM ${s}.detections`,
      );
      const t = await admin.query(
        `SELECT md5(string_agg(concat_ws('|', track, time, lat, lon, alt_m, pos_sd_m, ve_mps, vn_mps, vu_mps, speed_mps, course_deg, status, class, class_p, label, threat, affiliation, target, ST_AsEWKT(geom)), ',' ORDER BY track, t)) AS d FROM ${s}.track_states`,
      );
      digests[layout] = `detections ${d.rows[0].d}, track states ${t.rows[0].d}`;
    }
    if (run === RUNS - 1) {
      // the store's detection insert, one batch, inside a transaction rolled back
      const more = Array.from({ length: BATCH }, (_, i) => detection(2 * N + i));
      await admin.query('BEGIN');
      const plan = await admin.query(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) INSERT INTO ${s}.detections (sensor, id, t, received_at, row)
         SELECT x.sensor, x.id, x.t, x.received_at, x.row::json FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[]) WITH ORDINALITY AS x(sensor, id, t, received_at, row, ord)
         ORDER BY x.ord ON CONFLICT (sensor, id) DO NOTHING`,
        [more.map((d) => d.sensor), more.map((d) => d.id), more.map((d) => d.t), more.map((d) => d.receivedAt), more.map((d) => JSON.stringify(d.row))],
      );
      await admin.query('ROLLBACK');
      explains[layout] = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    }
    await store.close();
    await admin.query(`DROP SCHEMA ${s} CASCADE`);
  }
}
console.log(`load after: ${loadavg()}\n`);
const fmt = (xs) => {
  const us = xs.map((x) => x * 1000);
  return `${median(us).toFixed(1).padStart(6)} µs/row (${Math.min(...us).toFixed(1)}..${Math.max(...us).toFixed(1)}), ${Math.round(1e6 / median(us)).toLocaleString('en-US').padStart(7)} rows/s`;
};
console.log('wall time (what a caller waits), per row:');
console.log('layout   | detections                                | track states');
for (const layout of LAYOUTS) console.log(`${layout.padEnd(8)} | ${fmt(results[layout].det)} | ${fmt(results[layout].trk)}`);
const cpu = (xs) => {
  const us = xs.map((x) => x * 1000);
  return us.length === 0 ? 'n/a' : `${median(us).toFixed(1).padStart(6)} µs/row (${Math.min(...us).toFixed(1)}..${Math.max(...us).toFixed(1)})`;
};
console.log('\nPostgreSQL server CPU time, per row:');
console.log('layout   | detections                  | track states');
for (const layout of LAYOUTS) console.log(`${layout.padEnd(8)} | ${cpu(results[layout].detCpu).padEnd(27)} | ${cpu(results[layout].trkCpu)}`);
console.log('');
for (const [layout, d] of Object.entries(digests)) console.log(`typed columns and geometry, ${layout}: ${d}`);
if (process.argv.includes('--explain')) {
  for (const layout of LAYOUTS) console.log(`\nEXPLAIN (ANALYZE, BUFFERS) of one detection batch, ${layout}:\n${explains[layout]}`);
} else {
  for (const layout of LAYOUTS) {
    const exec = /Execution Time: ([\d.]+) ms/.exec(explains[layout] ?? '');
    if (exec) console.log(`EXPLAIN ANALYZE, one batch of ${BATCH} detections, ${layout}: ${exec[1]} ms (${((Number(exec[1]) * 1000) / BATCH).toFixed(1)} µs/row inside the server; one sample, wall time)`);
  }
}
await admin.end();
process.exit(0);
