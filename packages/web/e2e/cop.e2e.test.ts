/**
 * End-to-end: the built web app against the real server (demo raid, speed 20) in headless
 * Chromium. Logs in, watches tracks appear and move, opens a track, sees zones turn to alert,
 * acts as an operator, and replays a window. Screenshots go to test-artifacts/web/.
 * Skipped when Chromium is not installed (CI installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.SKYWARDEN_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');
const WEB_DIST = join(ROOT, 'packages', 'web', 'dist', 'index.html');

interface Running {
  httpPort: number;
  close(): Promise<void>;
}
type StartServer = (o: Record<string, unknown>) => Promise<Running>;

/** Evaluate an expression on window.__skywarden in the page. */
function sw<T>(page: Page, expr: string): Promise<T> {
  return page.evaluate(`(() => { const s = window.__skywarden; return ${expr}; })()`) as Promise<T>;
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
}

/** Move the replay slider to its min or max as a user drag would (an input event). */
function seekSlider(page: Page, to: 'min' | 'max'): Promise<unknown> {
  return page.evaluate(`(() => { const s = document.getElementById('replay-slider'); s.value = s.${to}; s.dispatchEvent(new Event('input')); })()`);
}

test('operating picture against the live demo server', { timeout: 240_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium); .ci/run does`);
  assert.ok(existsSync(WEB_DIST), `the web app is not built (${WEB_DIST}); run npm run build`);
  const { startServer } = (await import('@skywarden/server')) as unknown as { startServer: StartServer };
  const dataDir = mkdtempSync(join(tmpdir(), 'skywarden-web-e2e-'));
  const silent = { level: 'silent', info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return silent; } };
  const srv = await startServer({ port: 0, mqttPort: 0, dataDir, demo: { speed: 20 }, logger: silent });
  mkdirSync(ARTIFACTS, { recursive: true });
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const offsite: string[] = [];
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol.startsWith('http') && u.hostname !== '127.0.0.1') offsite.push(r.url());
    });
    const base = `http://127.0.0.1:${srv.httpPort}/`;
    const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

    await t.test('the demo opens read-only; the offline base layer loads from our server', async () => {
      await page.goto(base);
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      assert.match(await page.textContent('#user-name') ?? '', /not logged in \(viewer\)/);
      assert.equal(await page.isVisible('#btn-login'), true);
      const counts = await waitFor('base layers', () => sw<Record<string, number>>(page, 's.baseCounts()'), (c) => (c.municipalities ?? 0) > 0 && (c.countries ?? 0) > 0);
      assert.ok(counts.countries > 200, `countries ${counts.countries}`);
      assert.equal(counts.provinces, 17);
      assert.equal(counts.municipalities, 250);
      const attribution = await page.textContent('.maplibregl-ctrl-attrib');
      assert.match(attribution ?? '', /Statistics Korea, SGIS/);
      assert.match(attribution ?? '', /Natural Earth/);
    });

    await t.test('tracks of the demo raid appear on the map and move', async () => {
      const n = await waitFor('tracks', () => sw<number>(page, 's.trackCount()'), (v) => v > 0);
      assert.ok(n > 0);
      // drawn by the GPU symbol layer, not only held in the source
      await waitFor('rendered tracks', () => sw<number>(page, 's.renderedTrackCount()'), (v) => v > 0);
      const ids = await sw<string[]>(page, 's.trackIds()');
      const id = ids[0];
      const p0 = await sw<[number, number]>(page, `s.trackPosition(${JSON.stringify(id)})`);
      const p1 = await waitFor('track movement', () => sw<[number, number] | null>(page, `s.trackPosition(${JSON.stringify(id)})`), (p) => p !== null && (p[0] !== p0[0] || p[1] !== p0[1]), 20_000);
      assert.ok(p1 && (p1[0] !== p0[0] || p1[1] !== p0[1]), `track ${id} moved`);
      assert.ok(await sw<number>(page, 's.sensorCount()') > 0, 'sensors drawn');
      assert.ok((await sw<Record<string, number>>(page, 's.streamCounts()')).tracks > 1, 'several tracks events received');
      await shot('01-live-tracks');
    });

    await t.test('a zone turns to alert: map fill, ETA label, alert panel', async () => {
      const nAlert = await waitFor('zone alert', () => sw<number>(page, 's.zoneAlertCount()'), (v) => v > 0, 60_000);
      assert.ok(nAlert > 0);
      await page.waitForSelector('.zone-row.alert', { timeout: 10_000 });
      await page.waitForSelector('.alert-item.alert', { timeout: 10_000 });
      assert.ok((await page.locator('.zone-label').count()) > 0, 'ETA/alert labels on the map');
      assert.match(await page.textContent('#tab-alerts') ?? '', /Alerts \(\d+\)/);
      // newest first
      const times = await page.locator('.alert-item .time').allTextContents();
      assert.deepEqual([...times].sort().reverse(), times);
      // the viewer gets no action form
      assert.equal(await page.locator('#zone-actions').count(), 0);
      await shot('02-zone-alert');
    });

    await t.test('a viewer opens a track but sees no actions', async () => {
      await page.click('#tab-tracks');
      await page.locator('.track-row').first().click();
      await page.waitForSelector('#details-title', { timeout: 10_000 });
      assert.ok((await page.locator('#class-bars .class-bar').count()) > 0);
      assert.equal(await page.locator('#track-actions').count(), 0);
    });

    await t.test('an operator logs in, opens a track (classes, history, sensors) and confirms it', async () => {
      await page.click('#btn-login');
      await page.fill('#login-user', 'operator');
      await page.fill('#login-password', 'wrong');
      await page.click('#login-form button[type=submit]');
      await page.waitForFunction("(document.getElementById('login-error').textContent || '').length > 0");
      assert.match(await page.textContent('#login-error') ?? '', /Wrong user name or password/);
      await page.fill('#login-password', 'operator-demo');
      await Promise.all([page.waitForEvent('load'), page.click('#login-form button[type=submit]')]);
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      assert.match(await page.textContent('#user-name') ?? '', /operator \(operator\)/);
      await waitFor('tracks after login', () => sw<number>(page, 's.trackCount()'), (v) => v > 0);
      await page.click('#tab-tracks');
      const id = await page.locator('.track-row').first().getAttribute('data-track');
      assert.ok(id);
      await page.click(`.track-row[data-track="${id}"]`);
      await page.waitForSelector('#details-title', { timeout: 10_000 });
      assert.match(await page.textContent('#details-title') ?? '', new RegExp(`Track ${id}`));
      const probs = await page.locator('#class-bars .class-bar .p').allTextContents();
      assert.ok(probs.length > 0);
      await page.waitForSelector('#track-history', { timeout: 15_000 });
      const header = await page.locator('#details h4', { hasText: 'Contributing sensors' }).textContent();
      const nSensors = Number(/\((\d+)\)/.exec(header ?? '')?.[1]);
      assert.equal(await page.locator('#track-sensors .chip').count(), nSensors, 'every contributing sensor listed');
      await shot('03-track-details');
      await page.click('#act-confirm');
      await page.waitForSelector('.toast-ok', { timeout: 10_000 });
      await waitFor('confirmed mark', async () => (await page.textContent('#details .kv')) ?? '', (s) => /confirmed by operator/.test(s), 10_000);
    });

    await t.test('replay: a stored window plays on the time slider, clearly marked REPLAY', async () => {
      await page.click('#btn-replay');
      assert.equal(await page.isVisible('#mode-badge'), true);
      assert.equal(await page.textContent('#mode-badge'), 'REPLAY');
      assert.equal(await sw<string>(page, 's.mode()'), 'replay');
      await page.selectOption('#replay-window', '5');
      await page.click('#replay-load');
      const frames = await waitFor('replay frames', () => sw<number>(page, 's.replayFrameCount()'), (v) => v > 0, 20_000);
      assert.ok(frames > 1, `${frames} frames`);
      // seek to the end of the window: the stored tracks are drawn
      await seekSlider(page, 'max');
      await waitFor('replayed tracks', () => sw<number>(page, 's.trackCount()'), (v) => v > 0, 10_000);
      const t0 = await page.textContent('#replay-time');
      // back to the start and play at 30x
      await seekSlider(page, 'min');
      await page.selectOption('#replay-speed', '30');
      await page.click('#replay-play');
      await page.waitForTimeout(1500);
      const t1 = await page.textContent('#replay-time');
      assert.notEqual(t1, t0);
      await page.click('#replay-play'); // pause
      const tp = await page.textContent('#replay-time');
      await page.waitForTimeout(800);
      assert.equal(await page.textContent('#replay-time'), tp, 'paused');
      await shot('04-replay');
      await page.click('#replay-exit');
      assert.equal(await sw<string>(page, 's.mode()'), 'live');
      assert.equal(await page.isVisible('#mode-badge'), false);
    });

    await t.test('tablet layout: the panel becomes a bottom sheet', async () => {
      await page.setViewportSize({ width: 820, height: 1180 });
      await page.waitForTimeout(500);
      const box = await page.locator('#panel').boundingBox();
      assert.ok(box && box.width >= 800 && box.y > 400, `panel at ${JSON.stringify(box)}`);
      await shot('05-tablet');
    });

    await t.test('an operator raises and ends a zone alert by hand', async () => {
      await page.click('#tab-alerts');
      await page.waitForSelector('#zone-actions', { timeout: 10_000 });
      const zone = await page.locator('#zone-select option').first().getAttribute('value');
      assert.ok(zone);
      await page.selectOption('#zone-select', zone);
      await page.fill('#zone-reason', 'e2e drill');
      await page.click('#zone-raise');
      await page.waitForSelector('.toast-ok >> text=/alert raised/', { timeout: 10_000 });
      await page.selectOption('#zone-select', zone);
      await page.click('#zone-end');
      await page.waitForSelector('.toast-ok >> text=/alert ended/', { timeout: 10_000 });
    });

    assert.deepEqual(pageErrors, [], 'no uncaught page errors');
    assert.deepEqual(offsite, [], 'no request leaves the server (offline base map)');
  } finally {
    await browser?.close();
    await srv.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
