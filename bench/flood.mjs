#!/usr/bin/env node
// A flood of copies (issue 15): N detections that repeat one radar plot with fresh ids, sent
// over HTTP within the default rate limit, spread over N x gap seconds of measurement time.
// Prints the service's longest event-loop stall while it tracks them and the tracks left.
// Usage: node bench/flood.mjs [N] [same|spread] [gap_s]   (defaults 20000 spread 0.0002)
/* global fetch */
import { startServer } from '../packages/server/dist/server.js';
import { smallSceneConfig, basic, quietLogger, tempDir } from '../packages/server/dist/testing.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
const N = Number(process.argv[2] ?? 20000);
const kind = process.argv[3] ?? 'spread';
const GAP = Number(process.argv[4] ?? 0.0002);
const tmp = tempDir();
const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 60 });
let now = scene.t0 + 10;
const srv = await startServer({ config, clock: () => now, logger: quietLogger() });
const row = scene.detections.find((r) => r.sensor === 'radar-1' && r.t > scene.t0 + 5);
const h = monitorEventLoopDelay({ resolution: 10 }); h.enable();
const rss0 = process.memoryUsage().rss;
let rssPeak = rss0;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
const t0 = performance.now();
let acc = 0;
for (let i = 0; i < N; i += 1000) {
  const body = [];
  for (let j = i; j < Math.min(N, i + 1000); j++) body.push({ ...row, t: kind === 'same' ? row.t : row.t + j * GAP, id: 'f' + j });
  const r = await fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/detections`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic('radar-1', 'token-radar-1') }, body: JSON.stringify(body) });
  const j = await r.json(); acc += j.accepted ?? 0; if (r.status !== 202) console.log(r.status, JSON.stringify(j).slice(0, 200));
}
console.log('posted', acc, 'in', (performance.now() - t0).toFixed(0), 'ms');
for (let k = 0; k < 20; k++) { now += 1; await new Promise((r) => setTimeout(r, 200)); }
const t1 = performance.now();
await fetch(`http://127.0.0.1:${srv.httpPort}/api/v1/health`);
console.log('health after', (performance.now() - t1).toFixed(0), 'ms; loop delay max', (h.max / 1e6).toFixed(0), 'ms p99', (h.percentile(99) / 1e6).toFixed(0), 'tracks', srv.service.fusion.snapshot().tracks.length, 'live', srv.service.fusion.picture.tracker?.tracks().length);
clearInterval(sampler);
console.log(`memory: rss ${(rss0 / 2 ** 20).toFixed(0)} MiB before the flood, peak ${(rssPeak / 2 ** 20).toFixed(0)} MiB`);
await srv.close(); tmp.cleanup();
