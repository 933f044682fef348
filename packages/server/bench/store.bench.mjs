#!/usr/bin/env node
// Append throughput of the stores: detections per second appended in batches (each batch one
// durable commit), measured on the compiled stores (run `npx tsc -b` first), and how busy the
// calling (main) thread's event loop was meanwhile (event loop utilisation: 100% = the thread
// could do nothing else; the SQLite store in a worker thread leaves it free while it commits) and
// its event loop delay (how long a timer or a socket read waited).
//
// Usage: node packages/server/bench/store.bench.mjs [--n 200000] [--batch 500] [--only sqlite|sqlite-worker|postgres]
// PostgreSQL: SKYWARDEN_TEST_PG (default postgres://postgres@127.0.0.1:5432/test); the bench
// uses a fresh schema sw_bench_<random> and drops it afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import pg from 'pg';
import { createSqliteStore, createSqliteWorkerStore, createPostgresStore } from '../dist/store/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};
const n = Number(arg('n', 200_000));
const batchSize = Number(arg('batch', 500));
const only = arg('only', '');
const pgUrl = process.env.SKYWARDEN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Interchange-like detection rows: a third positions (with lat/lon), the rest range-bearing. */
function makeBatches(count, tag) {
  const batches = [];
  for (let b = 0; b * batchSize < count; b++) {
    const batch = [];
    for (let i = b * batchSize; i < Math.min(count, (b + 1) * batchSize); i++) {
      const t = 1764000000 + i / 100;
      const sensor = `rd-${String(i % 40).padStart(4, '0')}`;
      const id = `${tag}-${i}`;
      const row =
        i % 3 === 0
          ? { t, sensor, id, type: 'position', lat: 37.5 + (i % 1000) / 1e4, lon: 127 + (i % 777) / 1e4, alt_m: 250 + (i % 50), pos_sd_m: 35, alt_sd_m: 20, snr_db: 14.5 }
          : { t, sensor, id, type: 'range_bearing', bearing_deg: (i * 7.3) % 360, elevation_deg: 2.5, range_m: 1500 + (i % 4000), bearing_sd_deg: 1.5, range_sd_m: 25, snr_db: 11.25 };
      batch.push({ t, sensor, id, row, receivedAt: t + 0.4 });
    }
    batches.push(batch);
  }
  return batches;
}

async function measure(label, store) {
  await store.appendDetections(makeBatches(batchSize, 'warm')[0]);
  const batches = makeBatches(n, 'run');
  const start = performance.now();
  const elu = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (const batch of batches) {
    const r = await store.appendDetections(batch);
    if (r.results.length !== batch.length || r.results.some((x) => typeof x !== 'number')) throw new Error(`${label}: a batch was not stored`);
    // back to the event loop between batches, as the service is (else a store whose promises are
    // already settled would run the whole loop in one task and the delay monitor would see nothing)
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - start) / 1000;
  const busy = performance.eventLoopUtilization(elu).utilization;
  delay.disable();
  const stored = await store.countDetections();
  if (stored !== n + batchSize) throw new Error(`${label}: ${stored} stored, expected ${n + batchSize}`);
  console.log(`${label}: ${n} detections in batches of ${batchSize}: ${seconds.toFixed(2)} s, ${Math.round(n / seconds)} detections/s, main thread busy ${(busy * 100).toFixed(0)}%, event loop delay p50/p99/max ${(delay.percentile(50) / 1e6).toFixed(1)}/${(delay.percentile(99) / 1e6).toFixed(1)}/${(delay.max / 1e6).toFixed(1)} ms`);
}

if (only === '' || only === 'sqlite') {
  for (const sync of ['full', 'normal']) {
    const dir = mkdtempSync(join(tmpdir(), 'skywarden-bench-'));
    try {
      const store = await createSqliteStore({ path: join(dir, 'bench.db'), sync });
      await measure(`sqlite sync=${sync}`, store);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (only === '' || only === 'sqlite-worker') {
  for (const sync of ['full', 'normal']) {
    const dir = mkdtempSync(join(tmpdir(), 'skywarden-bench-'));
    try {
      const store = await createSqliteWorkerStore({ path: join(dir, 'bench.db'), sync });
      await measure(`sqlite in a worker sync=${sync}`, store);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (only === '' || only === 'postgres') {
  for (const postgis of [true, false]) {
    const schema = `sw_bench_${randomBytes(6).toString('hex')}`;
    try {
      const store = await createPostgresStore({ connectionString: pgUrl, schema, postgis });
      await measure(`postgres postgis=${store.postgis}`, store);
      await store.close();
    } finally {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
}
