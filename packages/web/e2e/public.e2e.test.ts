/**
 * End-to-end: the residents' warning page (/public/) against the live demo server in headless
 * Chromium on a phone-sized screen: no login, Korean first for a Korean phone, the areas under
 * warning as the API states them, my area's card with its instruction, live updates over the
 * public stream, English on a tap, and offline with the last state from the service worker's
 * cache. Screenshots go to test-artifacts/web/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ARGS, ARTIFACTS, CHROMIUM, ROOT, startDemoServer, waitInPage, watchPage } from './browser.js';
import { chromium, type Browser } from 'playwright-core';

const PUBLIC_HTML = join(ROOT, 'packages', 'web', 'dist', 'public.html');
interface Zone {
  zone: string;
  name: string;
  names?: Record<string, string>;
  tier: string;
}


test('public warning page on a phone: live tiers, my area, languages, offline', { timeout: 240_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium); .ci/run does`);
  assert.ok(existsSync(PUBLIC_HTML), `the public page is not built (${PUBLIC_HTML}); run npm run build`);
  const srv = await startDemoServer({ alerts: { public_feed: true } });
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ko-KR' });
    const page = await ctx.newPage();
    // no uncaught errors, and the server's content security policy blocks nothing the page does
    watchPage(page, pageErrors);
    const base = `http://127.0.0.1:${srv.httpPort}`;
    const api = async (path: string) => (await fetch(base + path)).json() as Promise<{ zones: Zone[] }>;

    await t.test('opens without login, in Korean for a Korean phone, and fits the screen', async () => {
      const res = await page.goto(`${base}/public`);
      assert.equal(new URL(res!.url()).pathname, '/public/', 'redirected to the worker scope');
      const h = res!.headers();
      assert.match(h['content-security-policy'] ?? '', /default-src 'self'/);
      assert.equal(h['x-frame-options'], 'DENY');
      assert.equal(h['x-content-type-options'], 'nosniff');
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      assert.equal(await page.textContent('#title'), '드론 경보');
      assert.equal(await page.getAttribute('html', 'lang'), 'ko');
      const overflow = await page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth');
      assert.ok((overflow as number) <= 0, `no sideways scrolling (${overflow} px too wide)`);
      // what the page itself costs (compressed as sent; the API's answers apart)
      await page.waitForLoadState('load');
      const bytes = (await page.evaluate(
        `[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].filter((e) => !e.name.includes('/api/')).reduce((a, e) => a + e.encodedBodySize, 0)`,
      )) as number;
      t.diagnostic(`page weight without the API: ${(bytes / 1024).toFixed(1)} KiB`);
      assert.ok(bytes < 40 * 1024, `a light page for slow links: ${bytes} bytes`);
    });

    await t.test('the list shows the areas under warning as the API states them, most urgent first', async () => {
      await page.waitForSelector('body[data-conn=live]', { timeout: 30_000 });
      // the API and the page at (nearly) the same moment: retried until they agree
      let last = '';
      for (let i = 0; i < 40; i++) {
        const want = (await api('/api/v1/public/alerts/state')).zones.filter((z) => z.tier !== 'none');
        const shown = (await page.evaluate(`Array.from(document.querySelectorAll('#list li.row')).map((e) => e.dataset.zone + ':' + e.dataset.tier)`)) as string[];
        const a = want.map((z) => `${z.zone}:${z.tier}`).sort().join(',');
        last = `api ${a} | page ${shown.slice().sort().join(',')}`;
        if (a === shown.slice().sort().join(',') && shown.length > 0) {
          const rank = { imminent: 0, warning: 1, watch: 2 } as Record<string, number>;
          const tiers = shown.map((s) => rank[s.split(':')[1]]);
          assert.deepEqual(tiers, tiers.slice().sort((x, y) => x - y), 'most urgent first');
          assert.match((await page.textContent('#counts')) ?? '', /^임박 \d+ · 경고 \d+ · 주의 \d+$/);
          await page.screenshot({ path: join(ARTIFACTS, 'public-01-list-ko.png') });
          return;
        }
        await page.waitForTimeout(500);
      }
      assert.fail(`the page never matched the API: ${last}`);
    });

    await t.test('my area: a card with the tier, what to do, and the Korean name', async () => {
      const row = page.locator('#list li.row').first();
      const zone = (await row.getAttribute('data-zone')) as string;
      await page.selectOption('#mine-select', zone);
      await waitInPage(page, `document.getElementById('mine').dataset.tier !== undefined`);
      const all = (await api('/api/v1/public/alerts/state')).zones;
      const z = all.find((x) => x.zone === zone)!;
      assert.ok(z.names?.ko, 'demo districts carry Korean names');
      // the card's tier and its text read at one moment (the live stream may change the tier between two reads)
      const { tier, text, option } = (await page.evaluate(`(() => { const c = document.getElementById('mine'); return { tier: c.dataset.tier, text: c.textContent ?? '', option: document.getElementById('mine-select').selectedOptions[0].textContent }; })()`)) as { tier: string; text: string; option: string };
      assert.equal(option, z.names!.ko);
      if (tier === 'imminent') assert.match(text, /임박지금 즉시 대피하십시오/);
      if (tier === 'imminent' || tier === 'warning') assert.match(text, /대피소로 대피하고/, 'the shelter instruction');
      // remembered across a reload
      await page.reload();
      await page.waitForSelector('body[data-ready=true]');
      assert.equal(await page.inputValue('#mine-select'), zone);
      await page.screenshot({ path: join(ARTIFACTS, 'public-02-my-area-ko.png') });
    });

    await t.test('live: the public stream updates the page without a reload', async () => {
      const n0 = Number(await page.getAttribute('body', 'data-updates'));
      await waitInPage(page, `Number(document.body.dataset.updates) >= ${n0 + 2}`, 60_000);
    });

    await t.test('one tap to English', async () => {
      await page.click('#lang');
      assert.equal(await page.textContent('#title'), 'Drone warnings');
      // (the list names the areas under warning, or says there are none at the moment)
      const list = (await page.textContent('#list')) ?? '';
      assert.match(list, /IMMINENT|WARNING|WATCH|^No area is under warning now\.$/, 'the list in English');
      assert.match((await page.textContent('#counts')) ?? '', /^\d+ imminent · \d+ warning · \d+ watch$/);
      await page.screenshot({ path: join(ARTIFACTS, 'public-03-list-en.png') });
    });

    await t.test('installable: a manifest, and offline the last state from the service worker', async () => {
      const manifest = (await (await fetch(`${base}/public/manifest.webmanifest`)).json()) as { start_url: string; scope: string; display: string; icons: unknown[] };
      assert.equal(manifest.start_url, '/public/');
      assert.equal(manifest.display, 'standalone');
      assert.ok(manifest.icons.length > 0);
      // a resident who opened the page once, then lost the network: a fresh browser, one visit
      const fresh = await browser!.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
      try {
        const once = await fresh.newPage();
        watchPage(once, pageErrors);
        await once.goto(`${base}/public/`);
        await once.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
        await once.evaluate('navigator.serviceWorker.ready');
        await waitInPage(once, 'navigator.serviceWorker.controller !== null', 15_000);
        const rowsOnline = await once.locator('#list li.row').count();
        await fresh.setOffline(true);
        const later = await fresh.newPage();
        await later.goto(`${base}/public/`);
        await later.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
        await later.waitForSelector('body[data-conn=offline]', { timeout: 15_000 });
        assert.match((await later.textContent('#status')) ?? '', /^Offline · last known state of \d\d:\d\d$/);
        assert.equal(await later.textContent('#title'), 'Drone warnings', 'the script ran from the cache');
        assert.ok((await later.locator('#list li.row').count()) > 0 || rowsOnline === 0, 'the last known areas are still listed');
        await later.screenshot({ path: join(ARTIFACTS, 'public-04-offline-en.png') });
      } finally {
        await fresh.close();
      }
    });
    assert.deepEqual(pageErrors, [], 'no script errors');
  } finally {
    await browser?.close();
    await srv.close();
  }
});

test('public warning page: refused by a full stream (503), it comes back live on its own once there is room', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium); .ci/run does`);
  // one place on the public stream, held by a client that does not read (one address: loopback)
  const srv = await startDemoServer({ alerts: { public_feed: true }, http: { max_stream_clients: 1 } });
  let browser: Browser | undefined;
  const hold = new AbortController();
  const pageErrors: string[] = [];
  try {
    const base = `http://127.0.0.1:${srv.httpPort}`;
    const held = await fetch(`${base}/api/v1/public/stream`, { signal: hold.signal });
    assert.equal(held.status, 200);
    const refused = await fetch(`${base}/api/v1/public/stream`);
    assert.equal(refused.status, 503, 'the stream is full');
    assert.equal(refused.headers.get('retry-after'), '10');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
    const page = await ctx.newPage();
    watchPage(page, pageErrors);
    await page.goto(`${base}/public/`);
    await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
    // the page's stream refused too (the first refusal was the fetch's above)
    const refusals = async () => Number(/skywarden_stream_full_total\{stream="public",what="refused"\} (\d+)/.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0);
    for (let i = 0; (await refusals()) < 2; i++) {
      assert.ok(i < 100, `the page's stream was never refused (${await refusals()} refusals)`);
      await page.waitForTimeout(200);
    }
    assert.equal(await page.getAttribute('body', 'data-conn'), 'reconnecting');
    // room again: the page's next try (10-20 s after the refusal) is served
    hold.abort();
    await page.waitForSelector('body[data-conn=live]', { timeout: 40_000 });
    assert.match((await page.textContent('#status')) ?? '', /^Live/);
    // a 503 the browser logs as a failed resource load is no script error
    assert.deepEqual(pageErrors, [], 'no script errors');
  } finally {
    hold.abort();
    await browser?.close();
    await srv.close();
  }
});
