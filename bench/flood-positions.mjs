#!/usr/bin/env node
// A flood of made-up positions (an outside probe, 2026-12-06): S sensors send N position reports
// at random points of a 10 km square over D seconds of measurement time, each within its own
// rate limit. Prints the longest event-loop stall while the service tracks them, the health
// answer's time after, and the tracks left.
// Usage: node bench/flood-positions.mjs [N] [S] [D]   (defaults 60000 4 6)
/* global fetch */
import { startServer } from '../packages/server/dist/server.js';
import { smallSceneConfig, basic, quietLogger, tempDir } from '../packages/server/dist/testing.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
const N = Number(process.argv[2] ?? 60000);
const S = Number(process.argv[3] ?? 4);
const D = Number(process.argv[4] ?? 6);
const tmp = tempDir();
const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 60 });
const lat0 = 37.5, lon0 = 127.0;
for (let s = 0; s < S; s++) {
  config.sensors.list.push({ id: `obs-f${s}`, kind: 'observer', lat: lat0, lon: lon0 });
  config.credentials.push({ sensor: `obs-f${s}`, token: `token-obs-f${s}` });
}
let now = scene.t0 + 10;
const srv = await startServer({ config, clock: () => now, logger: quietLogger() });
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const t0 = performance.now();
let acc = 0;
const per = 500;
const posts = [];
for (let i = 0; i < N; i += per) {
  const s = (i / per) % S;
  const body = [];
  for (let j = i; j < Math.min(N, i + per); j++) {
    body.push({ t: now - 1 + (j / N) * D, sensor: `obs-f${s}`, type: 'position', id: `p${j}`, lat: lat0 + (rnd() - 0.5) * 0.09, lon: lon0 + (rnd() - 0.5) * 0.113, pos_sd_m: Number(process.env.SD ?? 200) });
  }
  posts.push(fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/detections`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(`obs-f${s}`, `token-obs-f${s}`) }, body: JSON.stringify(body) }).then(async (r) => {
    const j = await r.json();
    acc += j.accepted ?? 0;
    if (r.status !== 202) console.log(r.status, JSON.stringify(j).slice(0, 200));
  }));
  if (posts.length >= S) await Promise.all(posts.splice(0));
  now = scene.t0 + 10 + (i / N) * D;
}
await Promise.all(posts);
console.log('posted', acc, 'in', (performance.now() - t0).toFixed(0), 'ms');
for (let k = 0; k < 20; k++) {
  now += 1;
  await new Promise((r) => setTimeout(r, 200));
}
const t1 = performance.now();
await fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/health`);
console.log('health after', (performance.now() - t1).toFixed(0), 'ms; loop delay max', (h.max / 1e6).toFixed(0), 'ms p99', (h.percentile(99) / 1e6).toFixed(0), 'ms; tracks', srv.service.fusion.snapshot().tracks.length, 'births refused', srv.service.fusion.picture.tracker?.stats?.birthsRefused);
await srv.close();
tmp.cleanup();
