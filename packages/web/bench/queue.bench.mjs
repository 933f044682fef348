#!/usr/bin/env node
// Threat queue benchmark (issue 17) in headless Chromium (software WebGL), on the built app's
// ?bench=1 page (synthetic picture, no server):
//  A. Interaction latency: with N tracks (moving, 1 Hz) and M sensors on the map and the threat
//     queue drawn at 1 Hz, K clicks alternately select a queue row and Ack one. Timed in the
//     page from the click event's timeStamp (the input's time, so time queued behind a map
//     frame counts) to the row showing it in the DOM, and to the end of the next frame after it.
//  B. Frame time with F tracks: rAF intervals, the map's per-frame JavaScript (its render call),
//     the track updates and queue renders, and Chromium's own main-thread counters (CDP
//     Performance.getMetrics: ScriptDuration, TaskDuration) over the window: the JS share.
// Prints a table and writes bench/results/queue.json. Needs `npm run build -w @skywarden/web` first.
// Usage: node packages/web/bench/queue.bench.mjs [--clicks 50] [--tracks 500] [--sensors 10000] [--frame-tracks 1000] [--seconds 10]
import { createServer } from 'node:http';
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '..', 'dist');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CLICKS = arg('clicks', 50);
const N_TRACKS = arg('tracks', 500);
const N_SENSORS = arg('sensors', 10000);
const F_TRACKS = arg('frame-tracks', 1000);
const SECONDS = arg('seconds', 10);
const CHROMIUM = process.env.SKYWARDEN_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!existsSync(join(dist, 'index.html'))) {
  console.error(`no build at ${dist}: run npm run build -w @skywarden/web`);
  process.exit(1);
}

const r1 = (x) => Math.round(x * 10) / 10;
function stats(xs) {
  if (xs.length === 0) return { n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, mean: r1(s.reduce((a, b) => a + b, 0) / s.length), p50: r1(q(0.5)), p95: r1(q(0.95)), max: r1(s[s.length - 1]) };
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
function serveDist() {
  const srv = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

// In the page: each click on the queue is timed from its event timeStamp to the row showing
// the result (MutationObserver), then to the end of the next frame (rAF, then a task after it).
const INSTRUMENT = `(() => {
  window.__clicks = [];
  const body = document.getElementById('threats-body');
  body.addEventListener('click', (e) => {
    const row = e.target.closest('tr[data-track]');
    if (!row) return;
    const kind = e.target.closest('.q-ack') ? 'ack' : 'select';
    const rec = { kind, track: row.dataset.track, t0: e.timeStamp, dom: null, frame: null };
    window.__clicks.push(rec);
    const done = () => kind === 'ack' ? row.classList.contains('acked') : row.classList.contains('selected');
    const finish = () => {
      rec.dom = performance.now() - rec.t0;
      requestAnimationFrame(() => setTimeout(() => { rec.frame = performance.now() - rec.t0; }, 0));
    };
    if (done()) return finish();
    const mo = new MutationObserver(() => { if (done()) { mo.disconnect(); finish(); } });
    mo.observe(row, { attributes: true, attributeFilter: ['class'] });
  }, true);
})()`;

const out = join(here, 'results');
const save = () => {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'queue.json'), JSON.stringify(results, null, 2));
};
const results = { date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model };
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
results.chromium = browser.version();
const st = await serveDist();
const url = `http://127.0.0.1:${st.address().port}/?bench=1`;
try {
  // ---- A: click -> queue updated ---------------------------------------------------------------
  {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    results.renderer = await page.evaluate(`(() => { const gl = document.createElement('canvas').getContext('webgl2'); const d = gl.getExtension('WEBGL_debug_renderer_info'); return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()`);
    await page.evaluate(`window.__skywarden.loadQueue(${N_TRACKS}, ${N_SENSORS}, 1)`);
    await page.waitForSelector('#threat-queue .threat-row', { timeout: 60_000 });
    await page.waitForTimeout(2000);
    const rows = await page.locator('#threat-queue .threat-row').count();
    await page.evaluate(INSTRUMENT);
    let rnd = 12345;
    const next = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < CLICKS; i++) {
      const ack = i % 2 === 1;
      const sel = ack ? '#threat-queue .threat-row:not(.acked) .q-ack' : '#threat-queue .threat-row:not(.selected) .threat-head';
      const n = Math.min(25, await page.locator(sel).count());
      const target = page.locator(sel).nth(Math.floor(next() * n));
      // force: no waiting for the element to be still (the map keeps the page busy); the click
      // is real input at the element's position, timed in the page from its event
      const before = await page.evaluate('window.__clicks.length');
      const t = Date.now();
      await target.click({ timeout: 60_000, force: true });
      await page.waitForFunction(`window.__clicks.length > ${before} && window.__clicks[window.__clicks.length - 1].frame !== null`, undefined, { timeout: 60_000, polling: 50 });
      if (i % 10 === 9) console.error(`click ${i + 1}/${CLICKS} (${Date.now() - t} ms round trip)`);
      await page.mouse.move(5, 5); // off the list: its order is not frozen between clicks
      await page.waitForTimeout(200 + next() * 400);
    }
    const clicks = await page.evaluate('window.__clicks');
    const by = (k) => clicks.filter((c) => k === 'all' || c.kind === k);
    results.interaction = {
      tracks: N_TRACKS, sensors: N_SENSORS, queueRows: rows, clicks: clicks.length,
      toDomMs: { all: stats(by('all').map((c) => c.dom)), select: stats(by('select').map((c) => c.dom)), ack: stats(by('ack').map((c) => c.dom)) },
      toNextFrameMs: { all: stats(by('all').map((c) => c.frame)), select: stats(by('select').map((c) => c.frame)), ack: stats(by('ack').map((c) => c.frame)) },
      queueRenderMs: stats(await page.evaluate('window.__skywarden.panelRenderMs()')),
    };
    save();
    console.error(JSON.stringify(results.interaction));
    mkdirSync(join(here, '..', '..', '..', 'test-artifacts', 'web'), { recursive: true });
    await page.screenshot({ path: join(here, '..', '..', '..', 'test-artifacts', 'web', `bench-queue-${N_TRACKS}-tracks.png`), timeout: 60_000 }).catch((e) => console.error(`no screenshot: ${e.message.split('\n')[0]}`));
    await page.close().catch(() => {});
  }

  // ---- B: frame time with F tracks, and the JavaScript share ----------------------------------------
  {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' }).catch(() => cdp.send('Performance.enable'));
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    await page.evaluate(`window.__skywarden.loadQueue(${F_TRACKS}, ${N_SENSORS}, 1)`);
    await page.waitForTimeout(3000);
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const nU = (await page.evaluate('window.__skywarden.syntheticUpdateMs()')).length;
    const nP = (await page.evaluate('window.__skywarden.panelRenderMs()')).length;
    const m0 = await metrics();
    const w0 = performance.now();
    const f = await page.evaluate(`window.__skywarden.measureFrames(${SECONDS * 1000})`);
    const wallMs = performance.now() - w0;
    const m1 = await metrics();
    const upd = (await page.evaluate('window.__skywarden.syntheticUpdateMs()')).slice(nU);
    const pan = (await page.evaluate('window.__skywarden.panelRenderMs()')).slice(nP);
    const d = (k) => (m1[k] ?? 0) - (m0[k] ?? 0);
    const elapsed = sum(f.intervals);
    const appJs = sum(f.renders) + sum(upd) + sum(pan);
    results.frames = {
      tracks: F_TRACKS, sensors: N_SENSORS, seconds: SECONDS,
      fps: r1(f.frames / (elapsed / 1000)),
      rafIntervalMs: stats(f.intervals),
      mapRenderJsMs: stats(f.renders),
      trackUpdateJsMs: stats(upd),
      queueRenderJsMs: stats(pan),
      appJsShare: r1((100 * appJs) / elapsed),
      chromium: { windowMs: Math.round(wallMs), scriptMs: Math.round(d('ScriptDuration') * 1000), taskMs: Math.round(d('TaskDuration') * 1000), layoutMs: Math.round(d('LayoutDuration') * 1000), styleMs: Math.round(d('RecalcStyleDuration') * 1000) },
    };
    results.frames.chromium.scriptShare = r1((100 * results.frames.chromium.scriptMs) / wallMs);
    results.frames.chromium.mainThreadBusyShare = r1((100 * results.frames.chromium.taskMs) / wallMs);
    await page.close();
  }
} finally {
  await browser.close();
  st.close();
}

save();
const i = results.interaction;
const f = results.frames;
console.log(`Chromium ${results.chromium}, ${results.renderer}, ${results.cpus} CPUs (${results.cpu})`);
console.log(`\nA. click -> threat queue updated: ${i.tracks} tracks (1 Hz), ${i.sensors} sensors, ${i.queueRows} queue rows, ${i.clicks} clicks`);
console.log('| | to the row in the DOM p50 / p95 / max | to the end of the next frame p50 / p95 / max |');
console.log('|---|---|---|');
for (const k of ['all', 'select', 'ack']) console.log(`| ${k} (n=${i.toDomMs[k].n}) | ${i.toDomMs[k].p50} / ${i.toDomMs[k].p95} / ${i.toDomMs[k].max} ms | ${i.toNextFrameMs[k].p50} / ${i.toNextFrameMs[k].p95} / ${i.toNextFrameMs[k].max} ms |`);
console.log(`queue render (JS): p50 ${i.queueRenderMs.p50} ms, p95 ${i.queueRenderMs.p95} ms`);
console.log(`\nB. frames with ${f.tracks} tracks + ${f.sensors} sensors, ${f.seconds} s: ${f.fps} fps; rAF interval p50 ${f.rafIntervalMs.p50} / p95 ${f.rafIntervalMs.p95} ms`);
console.log(`   map render JS p50 ${f.mapRenderJsMs.p50} / p95 ${f.mapRenderJsMs.p95} ms; track update JS p50 ${f.trackUpdateJsMs.p50} ms; queue render JS p50 ${f.queueRenderJsMs.p50} ms`);
console.log(`   app JS share of frame time ${f.appJsShare} %; Chromium: script ${f.chromium.scriptShare} %, main thread busy ${f.chromium.mainThreadBusyShare} % of ${f.chromium.windowMs} ms`);
console.log(`\nwrote ${join(out, 'queue.json')}`);
