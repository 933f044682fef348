#!/usr/bin/env node
// Render benchmark of the operating picture in headless Chromium (software WebGL).
//  A. Frame time with 1,000 synthetic tracks (moving, updated at 1 Hz) and 10,000 sensors:
//     the built app's ?bench=1 page served from packages/web/dist by a static file server.
//  B. Latency from a tracks event leaving the real server (demo raid, speed 1) to the map
//     having rendered it: the bench stamps `sent_ms` into each tracks event in-process, the
//     page records EventSource receipt, setData and the first render after the source loaded.
// Prints a table and writes bench/results/web.json. Needs `npm run build` first.
// Usage: node packages/web/bench/render.bench.mjs [--seconds 5] [--tracks 1000] [--sensors 10000]
import { createServer } from 'node:http';
import { readFileSync, existsSync, mkdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, extname } from 'node:path';
import { tmpdir, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '..', 'dist');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 5);
const N_TRACKS = arg('tracks', 1000);
const N_SENSORS = arg('sensors', 10000);
const CHROMIUM = process.env.SKYWARDEN_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!existsSync(join(dist, 'index.html'))) {
  console.error(`no build at ${dist}: run npm run build`);
  process.exit(1);
}

const stats = (xs) => {
  if (xs.length === 0) return { n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const r = (x) => Math.round(x * 10) / 10;
  return { n: s.length, mean: r(mean), p50: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1]) };
};

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
function staticServer() {
  const srv = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

const results = { date: new Date().toISOString(), chromium: '', renderer: '', cpus: cpus().length, cpu: cpus()[0]?.model, seconds: SECONDS };
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
results.chromium = browser.version();
try {
  // ---- A: frame time with a synthetic picture ----------------------------------------------
  const st = await staticServer();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${st.address().port}/?bench=1`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  results.renderer = await page.evaluate(`(() => { const gl = document.createElement('canvas').getContext('webgl2'); const d = gl.getExtension('WEBGL_debug_renderer_info'); return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()`);
  const measure = async () => page.evaluate(`window.__skywarden.measureFrames(${SECONDS * 1000})`);
  const empty = await measure();
  const load = await page.evaluate(`window.__skywarden.loadSynthetic(${N_TRACKS}, ${N_SENSORS}, 1)`);
  await page.waitForTimeout(1500);
  const loaded = await measure();
  const counts = await page.evaluate(`({ tracks: window.__skywarden.trackCount(), sensors: window.__skywarden.sensorCount(), rendered: window.__skywarden.renderedTrackCount() })`);
  const updateMs = await page.evaluate(`window.__skywarden.syntheticUpdateMs()`);
  mkdirSync(join(here, '..', '..', '..', 'test-artifacts', 'web'), { recursive: true });
  await page.screenshot({ path: join(here, '..', '..', '..', 'test-artifacts', 'web', 'bench-1000-tracks-10000-sensors.png') });
  results.frames = {
    tracks: counts.tracks, sensors: counts.sensors, renderedTrackSymbols: counts.rendered,
    firstBuildMs: Math.round(load.buildMs * 10) / 10,
    emptyMap: { rafIntervalMs: stats(empty.intervals), mapRenderMs: stats(empty.renders), fps: Math.round((empty.frames / SECONDS) * 10) / 10 },
    loaded: { rafIntervalMs: stats(loaded.intervals), mapRenderMs: stats(loaded.renders), fps: Math.round((loaded.frames / SECONDS) * 10) / 10 },
    trackUpdateJsMs: stats(updateMs),
  };
  await page.close();
  st.close();

  // ---- B: server -> page latency with the real server -------------------------------------
  let server;
  try {
    server = await import('@skywarden/server');
  } catch (e) {
    results.latency = { skipped: `@skywarden/server not importable: ${e.message}` };
  }
  if (server?.startServer) {
    const dataDir = mkdtempSync(join(tmpdir(), 'skywarden-web-bench-'));
    const silent = { level: 'silent', info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return silent; } };
    const srv = await server.startServer({ port: 0, mqttPort: 0, dataDir, demo: { speed: 1 }, logger: silent });
    try {
      const hub = srv.service.hub;
      const orig = hub.broadcast.bind(hub);
      hub.broadcast = (event, data) => orig(event, event === 'tracks' ? { ...data, sent_ms: Date.now() } : data);
      const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await p.goto(`http://127.0.0.1:${srv.httpPort}/`);
      await p.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
      await p.waitForTimeout(SECONDS * 4000);
      const lat = await p.evaluate('window.__skywarden.latency');
      const tracks = await p.evaluate('window.__skywarden.trackCount()');
      results.latency = {
        mode: 'demo speed 1 (tracks events at 1 Hz)', samples: lat.length, tracksAtEnd: tracks,
        receiveToSetDataMs: stats(lat.map((s) => s.toSetData)),
        receiveToRenderMs: stats(lat.map((s) => s.toRender)),
        serverSendToRenderMs: stats(lat.filter((s) => s.serverToRender !== undefined).map((s) => s.serverToRender)),
      };
      await p.close();
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
}

const f = results.frames;
console.log(`Chromium ${results.chromium}, ${results.renderer}, ${results.cpus} CPUs`);
console.log(`A. ${f.tracks} tracks (1 Hz updates) + ${f.sensors} sensors, ${SECONDS} s each`);
console.log('                         fps    rAF p50   rAF p95   map render p50  p95');
for (const [name, m] of [['empty map', f.emptyMap], ['1k tracks + 10k sensors', f.loaded]]) {
  console.log(`  ${name.padEnd(22)} ${String(m.fps).padStart(5)}  ${String(m.rafIntervalMs.p50).padStart(7)}  ${String(m.rafIntervalMs.p95).padStart(8)}  ${String(m.mapRenderMs.p50).padStart(13)}  ${String(m.mapRenderMs.p95).padStart(4)}  (ms)`);
}
console.log(`  track update (GeoJSON build + setData, JS): p50 ${f.trackUpdateJsMs.p50} ms, p95 ${f.trackUpdateJsMs.p95} ms; first load ${f.firstBuildMs} ms`);
const L = results.latency;
if (L?.samples) {
  console.log(`B. live latency, ${L.samples} tracks events, ${L.tracksAtEnd} tracks: receive->setData p50 ${L.receiveToSetDataMs.p50} ms; receive->rendered p50 ${L.receiveToRenderMs.p50} / p95 ${L.receiveToRenderMs.p95} ms; server send->rendered p50 ${L.serverSendToRenderMs.p50} / p95 ${L.serverSendToRenderMs.p95} ms`);
} else console.log(`B. latency: ${L?.skipped ?? 'not measured'}`);
const out = join(here, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'web.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${join(out, 'web.json')}`);
