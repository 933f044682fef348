/**
 * Remakes the screenshots of docs/web.md that show one view each, the way the end-to-end test
 * takes its own: the built app against the real demo server in headless Chromium (1400 × 900).
 * Not a test (the name does not end in .test; the demo at 4x): run it by hand after a build,
 *   npm run screenshots -w @skywarden/web     (or node packages/web/dist-test/e2e/doc-screenshots.js [outDir])
 * and it writes, into docs/img (or outDir):
 *  - coverage.png: the coverage layer (and the sensors) turned on in Settings, once 200 of the
 *    demo's microphones have reported;
 *  - selected-threat.png: then a threat chosen in the threat queue, the map centred on it: its
 *    predicted path drawn wide, the zones it may enter outlined (its impact areas), its track card.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ARGS, CHROMIUM, ROOT, startDemoServer, waitFor, waitInPage } from './browser.js';

const OUT = resolve(process.argv[2] ?? join(ROOT, 'docs', 'img'));

function sw<T>(page: Page, expr: string): Promise<T> {
  return page.evaluate(`(() => { const s = window.__skywarden; return ${expr}; })()`) as Promise<T>;
}

/** The map at rest: moved, its sources loaded, labels placed (or 20 s passed on a starved machine). */
function settle(page: Page): Promise<unknown> {
  return page.evaluate(`new Promise((done) => {
    const m = window.__skywarden.map;
    const t = setTimeout(done, 20000);
    m.once('idle', () => { clearTimeout(t); setTimeout(done, 1500); });
    m.triggerRepaint();
  })`);
}

/** Collapses or opens the legend (its state is kept per browser). */
async function legend(page: Page, open: boolean): Promise<void> {
  await page.evaluate(`(() => { const d = document.getElementById('legend'); if (d && d.open !== ${open}) d.querySelector('summary').click(); })()`);
}

async function selectedThreat(page: Page): Promise<string> {
  // a threat still on its way: the largest ETA to its first zone among those in the queue; chosen and clicked at one moment
  const pickAndClick = `(() => {
    const rows = [...document.querySelectorAll('#threat-queue .threat-row')].filter((e) => e.dataset.eta !== '' && Number(e.dataset.eta) > 60);
    rows.sort((a, b) => Number(b.dataset.eta) - Number(a.dataset.eta));
    if (!rows.length) return null;
    rows[0].click();
    return rows[0].dataset.track;
  })()`;
  const misses: string[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      const id = await waitFor('a threat with a zone ahead', () => page.evaluate(pickAndClick) as Promise<string | null>, (v) => v !== null, 300_000);
      await waitInPage(page, `(document.getElementById('details-title')?.textContent ?? '').includes('Track ${id}')`, 60_000);
      await waitFor('impact areas', () => sw<string>(page, 's.impactFilter()'), (f) => /"literal",\["/.test(f), 60_000);
      const at = await sw<[number, number] | null>(page, `s.trackPosition(${JSON.stringify(id)})`);
      if (!at) throw new Error(`track ${id} gone`);
      // the threat a little above the centre: its path runs south towards Seoul
      await page.evaluate(`window.__skywarden.map.jumpTo({ center: [${at[0]}, ${at[1] - 0.05}], zoom: 9.8 })`);
      await settle(page);
      // still held, still a threat with its impact areas: shoot; else try another
      const held = await page.evaluate(`!document.getElementById('track-gone') && (document.getElementById('details-title')?.textContent ?? '').includes('Track ${id}')`);
      if (!held || !/"literal",\["/.test(await sw<string>(page, 's.impactFilter()'))) throw new Error(`track ${id} no longer held or no longer a threat`);
      await page.screenshot({ path: join(OUT, 'selected-threat.png') });
      return id as string;
    } catch (e) {
      misses.push(String((e as Error).message).split('\n')[0]);
    }
  }
  throw new Error(`no threat stayed held long enough for a screenshot: ${misses.join('; ')}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // the raid at 4x: a selected threat stays in the picture while a starved software-rendered map settles
  const srv = await startDemoServer({}, 4);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${srv.httpPort}/`);
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });

    // the coverage layer and the sensors from Settings, as an operator turns them on
    const overlays = async (on: boolean) => {
      await page.click('#btn-settings');
      for (const box of ['#set-coverage', '#set-sensors']) await (on ? page.check(box) : page.uncheck(box));
      await page.click('#settings-form button[type=submit]');
    };
    await legend(page, true);
    await overlays(true);
    // the demo's microphones count as coverage once they have reported: let a good share do
    const info = await waitFor(
      'acoustic coverage',
      () => sw<{ runs: number; stats: { group: string; ok: number; notOk: number }[] }>(page, 's.coverageInfo()'),
      (v) => (v.stats.find((g) => g.group === 'acoustic')?.ok ?? 0) >= 200,
      900_000,
    );
    // centred on the working microphones
    const centre = (await page.evaluate(`fetch('/api/v1/sensors').then((r) => r.json()).then((b) => {
      const ok = b.sensors.filter((s) => s.kind === 'acoustic' && s.status === 'ok' && typeof s.lat === 'number');
      return [ok.reduce((a, s) => a + s.lon, 0) / ok.length, ok.reduce((a, s) => a + s.lat, 0) / ok.length];
    })`)) as [number, number];
    await page.evaluate(`window.__skywarden.map.jumpTo({ center: [${centre[0] + 0.08}, ${centre[1]}], zoom: 10.2 })`);
    await settle(page);
    await page.screenshot({ path: join(OUT, 'coverage.png') });
    console.log(`coverage.png: ${JSON.stringify(info.stats)}`);

    // then a selected threat, with the overlays off again and the legend folded
    await overlays(false);
    await legend(page, false);
    const id = await selectedThreat(page);
    console.log(`selected-threat.png: track ${id}`);
  } finally {
    await browser.close();
    await srv.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
