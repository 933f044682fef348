#!/usr/bin/env node
// Start-up on a large journal (issue 15): time from the start of `skywarden serve` on a data
// dir whose journal holds N detections (default 100,000, in the replay window) until health
// answers 200, and how the API answered meanwhile (health 503 with the progress, the ingest
// 503 "starting"), with the longest health answer seen during the replay.
//
// The journal: the serve benchmark's scene (1,000 radars, 1,000 targets, each plotted by one
// radar a second), written through the store. Usage: node bench/restart.mjs [--rows 100000]
/* global fetch */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startServer } from '../packages/server/dist/server.js';
import { createScene } from './serve-scene.mjs';
import pino from 'pino';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg('rows', 100_000);
const T0 = Math.floor(Date.now() / 1000) - 600;
const scene = createScene(T0);
const work = mkdtempSync(join(tmpdir(), 'sw-bench-restart-'));
const config = {
  data_dir: join(work, 'data'),
  http: { port: 0 },
  mqtt: { port: 0 },
  sensors: { list: scene.sensorRows },
  credentials: [{ gateway: 'gw-bench', sensors: ['rdr-*'], token: 'token-gw-bench' }],
  auth: { users: [{ name: 'bench', password: 'bench-secret-1', role: 'viewer' }], open_viewing: true },
  fusion: { replay_window_s: 3600 },
  log: { level: 'warn' },
};
const logger = pino({ level: 'warn' });

// --- the journal
let clockT = T0;
let srv = await startServer({ config, clock: () => clockT, logger });
let written = 0;
let t = T0;
while (written < ROWS) {
  t += 1;
  const rows = scene.scanDetections(t, 1).map((x) => (typeof x === 'string' ? JSON.parse(x) : x));
  const inputs = rows.slice(0, ROWS - written).map((row, i) => ({ t: row.t, sensor: row.sensor, id: row.id ?? `b-${written + i}`, row, receivedAt: row.t + 0.1 }));
  if (inputs.length > 0) await srv.service.store.appendDetections(inputs);
  written += inputs.length;
}
await srv.close();
const journalEnd = t;
console.log(`journal: ${written} detections over ${journalEnd - T0} s`);

// --- the restart on a known port, polled meanwhile (health, and an ingest post)
const freePort = await new Promise((res) => {
  const srvNet = createServer();
  srvNet.listen(0, '127.0.0.1', () => {
    const p = srvNet.address().port;
    srvNet.close(() => res(p));
  });
});
clockT = journalEnd + 1;
const started = performance.now();
let polls = 0;
let answered503 = 0;
let ingest503 = 0;
let worst = 0;
let lastProgress = null;
let done = false;
const auth = 'Basic ' + Buffer.from('gw-bench:token-gw-bench').toString('base64');
const poll = (async () => {
  while (!done) {
    await new Promise((r) => setTimeout(r, 50));
    const q0 = performance.now();
    try {
      const r = await fetch(`http://127.0.0.1:${freePort}/api/v1/health`);
      const body = await r.json();
      polls++;
      worst = Math.max(worst, performance.now() - q0);
      if (r.status === 503) {
        answered503++;
        lastProgress = { replayed: body.replayed, of: body.of };
        const ing = await fetch(`http://127.0.0.1:${freePort}/api/v1/detections`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '[]' });
        if (ing.status === 503) ingest503++;
      }
    } catch {
      /* not listening yet */
    }
  }
})();
let rssPeak = process.memoryUsage().rss;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
srv = await startServer({ config: { ...config, http: { port: freePort } }, clock: () => clockT, logger });
clearInterval(sampler);
const healthy = performance.now() - started;
done = true;
await poll;
const h = await fetch(`http://127.0.0.1:${freePort}/api/v1/health`);
console.log(`healthy after ${(healthy / 1000).toFixed(1)} s (health ${h.status}), replayed ${srv.replayed}; during the replay: ${polls} health answers (${answered503} of them 503 starting, longest ${worst.toFixed(0)} ms), ingest answered 503 ${ingest503} times; peak rss ${(rssPeak / 2 ** 20).toFixed(0)} MiB`);
await srv.close();
rmSync(work, { recursive: true, force: true });
console.log('RESULT ' + JSON.stringify({ rows: written, healthy_s: +(healthy / 1000).toFixed(2), replayed: srv.replayed, polls, answered503, ingest503, worst_health_ms: Math.round(worst), lastProgress, peak_rss_mib: Math.round(rssPeak / 2 ** 20) }));
process.exit(0);
