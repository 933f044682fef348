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
//  Both with the canvas's resolution governed (the app's default: lower while frames are slow)
//  and pinned at full resolution, in alternating rounds so both see the same machine load.
// Usage: node packages/web/bench/queue.bench.mjs [--clicks 50] [--rounds 2] [--modes auto,full] [--tracks 500] [--sensors 10000] [--frame-tracks 1000] [--seconds 10]
import { createServer } from 'node:http';
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { cpus, loadavg } from 'node:os';
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
const ROUNDS = arg('rounds', 2);
const i0 = process.argv.indexOf('--modes');
const MODES = (i0 > 0 ? process.argv[i0 + 1] : 'auto,full').split(',').filter((m) => m === 'auto' || m === 'full');
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
const results = { date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, modes: {} };
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
results.chromium = browser.version();
const st = await serveDist();
const base = `http://127.0.0.1:${st.address().port}/?bench=1`;
// the app draws the canvas at a lower resolution while frames are slow ('auto', its default);
// 'full' pins it at full resolution. The modes alternate in rounds, so both see the same load.
const urlOf = (mode) => (mode === 'full' ? `${base}&res=full` : base);
const clicksBy = Object.fromEntries(MODES.map((m) => [m, []]));
const renderBy = Object.fromEntries(MODES.map((m) => [m, []]));
const scaleBy = Object.fromEntries(MODES.map((m) => [m, []]));
let rows = 0;
let lost = 0;
let rnd = 12345;
const next = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);

/** One round of A: a fresh page in `mode`, `n` clicks on the queue. */
async function clickRound(mode, n) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(urlOf(mode));
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    results.renderer ??= await page.evaluate(`(() => { const gl = document.createElement('canvas').getContext('webgl2'); const d = gl.getExtension('WEBGL_debug_renderer_info'); return d ? gl.getParameter(d.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()`);
    await page.evaluate(`window.__skywarden.loadQueue(${N_TRACKS}, ${N_SENSORS}, 1)`);
    await page.waitForSelector('#threat-queue .threat-row', { timeout: 60_000 });
    // let the map settle (the resolution governor watches its first frames)
    await page.waitForTimeout(4000);
    rows = await page.locator('#threat-queue .threat-row').count();
    await page.evaluate(INSTRUMENT);
    for (let i = 0; i < n; i++) {
      const ack = i % 2 === 1;
      const sel = ack ? '#threat-queue .threat-row:not(.acked) .q-ack' : '#threat-queue .threat-row:not(.selected) .threat-head';
      const k = Math.min(25, await page.locator(sel).count());
      const target = page.locator(sel).nth(Math.floor(next() * k));
      // force: no waiting for the element to be still (the map keeps the page busy); the click
      // is real input at the element's position, timed in the page from its event
      const before = await page.evaluate('window.__clicks.length');
      await target.click({ timeout: 60_000, force: true });
      // the queue is redrawn at 1 Hz: a click can land where its row was a moment ago and hit
      // no row (nothing recorded); it is counted as lost and the next click goes on
      const hit = await page.waitForFunction(`window.__clicks.length > ${before}`, undefined, { timeout: 15_000, polling: 50 }).then(() => true, () => false);
      if (!hit) {
        lost++;
        continue;
      }
      await page.waitForFunction(`window.__clicks[window.__clicks.length - 1].frame !== null`, undefined, { timeout: 60_000, polling: 50 });
      await page.mouse.move(5, 5); // off the list: its order is not frozen between clicks
      await page.waitForTimeout(200 + next() * 400);
    }
    clicksBy[mode].push(...(await page.evaluate('window.__clicks')));
    renderBy[mode].push(...(await page.evaluate('window.__skywarden.panelRenderMs()')));
    scaleBy[mode].push((await page.evaluate('window.__skywarden.resolution()')).scale);
    if (mode === MODES[0] && !results.screenshot) {
      mkdirSync(join(here, '..', '..', '..', 'test-artifacts', 'web'), { recursive: true });
      results.screenshot = join('test-artifacts', 'web', `bench-queue-${N_TRACKS}-tracks.png`);
      await page.screenshot({ path: join(here, '..', '..', '..', results.screenshot), timeout: 60_000 }).catch((e) => console.error(`no screenshot: ${e.message.split('\n')[0]}`));
    }
  } finally {
    await page.close().catch(() => {});
  }
}

/** B: frame time with F tracks in `mode`, and the JavaScript share. */
async function frames(mode) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' }).catch(() => cdp.send('Performance.enable'));
    await page.goto(urlOf(mode));
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    await page.evaluate(`window.__skywarden.loadQueue(${F_TRACKS}, ${N_SENSORS}, 1)`);
    await page.waitForTimeout(4000);
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
    const r = {
      tracks: F_TRACKS, sensors: N_SENSORS, seconds: SECONDS,
      scale: (await page.evaluate('window.__skywarden.resolution()')).scale,
      fps: r1(f.frames / (elapsed / 1000)),
      rafIntervalMs: stats(f.intervals),
      mapRenderJsMs: stats(f.renders),
      trackUpdateJsMs: stats(upd),
      queueRenderJsMs: stats(pan),
      appJsShare: r1((100 * appJs) / elapsed),
      chromium: { windowMs: Math.round(wallMs), scriptMs: Math.round(d('ScriptDuration') * 1000), taskMs: Math.round(d('TaskDuration') * 1000), layoutMs: Math.round(d('LayoutDuration') * 1000), styleMs: Math.round(d('RecalcStyleDuration') * 1000) },
    };
    r.chromium.scriptShare = r1((100 * r.chromium.scriptMs) / wallMs);
    r.chromium.mainThreadBusyShare = r1((100 * r.chromium.taskMs) / wallMs);
    return r;
  } finally {
    await page.close().catch(() => {});
  }
}

try {
  const perRound = Math.ceil(CLICKS / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
      await clickRound(mode, perRound);
      console.error(`round ${round + 1}/${ROUNDS} ${mode}: ${clicksBy[mode].length} clicks`);
    }
  }
  for (const mode of MODES) {
    const clicks = clicksBy[mode];
    const by = (k) => clicks.filter((c) => k === 'all' || c.kind === k);
    results.modes[mode] = {
      interaction: {
        tracks: N_TRACKS, sensors: N_SENSORS, queueRows: rows, clicks: clicks.length, scales: scaleBy[mode],
        toDomMs: { all: stats(by('all').map((c) => c.dom)), select: stats(by('select').map((c) => c.dom)), ack: stats(by('ack').map((c) => c.dom)) },
        toNextFrameMs: { all: stats(by('all').map((c) => c.frame)), select: stats(by('select').map((c) => c.frame)), ack: stats(by('ack').map((c) => c.frame)) },
        queueRenderMs: stats(renderBy[mode]),
      },
    };
    save();
  }
  results.clicksLost = lost;
  for (const mode of MODES) {
    results.modes[mode].frames = await frames(mode);
    save();
  }
} finally {
  await browser.close();
  st.close();
}

save();
console.log(`Chromium ${results.chromium}, ${results.renderer}, ${results.cpus} CPUs (${results.cpu}), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end`);
for (const mode of MODES) {
  const i = results.modes[mode].interaction;
  const f = results.modes[mode].frames;
  console.log(`\n== canvas resolution: ${mode === 'full' ? 'pinned at full' : 'governed (the app\'s default)'}; scale at the end of each round ${i.scales.join(', ')}`);
  console.log(`A. click -> threat queue updated: ${i.tracks} tracks (1 Hz), ${i.sensors} sensors, ${i.queueRows} queue rows, ${i.clicks} clicks`);
  console.log('| | to the row in the DOM p50 / p95 / max | to the end of the next frame p50 / p95 / max |');
  console.log('|---|---|---|');
  for (const k of ['all', 'select', 'ack']) console.log(`| ${k} (n=${i.toDomMs[k].n}) | ${i.toDomMs[k].p50} / ${i.toDomMs[k].p95} / ${i.toDomMs[k].max} ms | ${i.toNextFrameMs[k].p50} / ${i.toNextFrameMs[k].p95} / ${i.toNextFrameMs[k].max} ms |`);
  console.log(`queue render (JS): p50 ${i.queueRenderMs.p50} ms, p95 ${i.queueRenderMs.p95} ms`);
  console.log(`B. frames with ${f.tracks} tracks + ${f.sensors} sensors, ${f.seconds} s, scale ${f.scale}: ${f.fps} fps; rAF interval p50 ${f.rafIntervalMs.p50} / p95 ${f.rafIntervalMs.p95} ms`);
  console.log(`   map render JS p50 ${f.mapRenderJsMs.p50} / p95 ${f.mapRenderJsMs.p95} ms; track update JS p50 ${f.trackUpdateJsMs.p50} ms; queue render JS p50 ${f.queueRenderJsMs.p50} ms`);
  console.log(`   app JS share of frame time ${f.appJsShare} %; Chromium: script ${f.chromium.scriptShare} %, main thread busy ${f.chromium.mainThreadBusyShare} % of ${f.chromium.windowMs} ms`);
}
console.log(`\nclicks that hit no row (the queue moved under the pointer): ${lost}`);
console.log(`wrote ${join(out, 'queue.json')}`);
