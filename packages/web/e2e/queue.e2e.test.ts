/**
 * End-to-end: the threat queue as an operator's work list (issue 17), the built app against
 * the real demo server in headless Chromium. A threat that becomes IMMINENT is in the queue's
 * IMMINENT block at the top within 2 s of the tracks event that says so (timed in the page:
 * EventSource receipt to the row in the DOM, seen by a MutationObserver); it sounds the cue once
 * (an AudioContext spy counts the oscillators), and muting silences the next one; an operator
 * acks and assigns a row; the language switch turns the texts Korean and back; at tablet sizes
 * the action buttons are touch-sized. Screenshots go to test-artifacts/web/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ARGS, ARTIFACTS, CHROMIUM, ROOT, startDemoServer, waitInPage, watchPage, waitFor } from './browser.js';
import { chromium, type Browser, type Page } from 'playwright-core';

const WEB_DIST = join(ROOT, 'packages', 'web', 'dist', 'index.html');


/** Counts oscillators started by the page (the cue's tones), before any script of the page runs. */
const AUDIO_SPY = `(() => {
  window.__oscStarts = 0;
  const AC = window.AudioContext;
  if (!AC) return;
  const create = AC.prototype.createOscillator;
  AC.prototype.createOscillator = function () {
    const o = create.call(this);
    const start = o.start.bind(o);
    o.start = (...a) => { window.__oscStarts++; return start(...a); };
    return o;
  };
})()`;

/**
 * Watches the queue's rows in the page: the first moment (performance.now) each track's row is
 * in the DOM with the IMMINENT tier, its position, and whether every row above it was IMMINENT.
 */
const OBSERVE = `(() => {
  const seen = {};
  window.__queueSeen = seen;
  window.__observeFrom = performance.now();
  const scan = () => {
    const now = performance.now();
    const rows = [...document.querySelectorAll('#threat-queue tbody .threat-row')];
    rows.forEach((r, i) => {
      const id = r.dataset.track;
      if (seen[id]) {
        if (/flash|acked/.test(r.className)) seen[id].flashed = true;
        return;
      }
      if (r.querySelector('.tier-badge')?.dataset.tier !== 'imminent') return;
      seen[id] = { at: now, index: i, above: rows.slice(0, i).every((x) => x.querySelector('.tier-badge')?.dataset.tier === 'imminent'), flashed: /flash|acked/.test(r.className) };
    });
  };
  scan();
  new MutationObserver(scan).observe(document.getElementById('threats-body'), { subtree: true, childList: true, attributes: true, attributeFilter: ['data-tier', 'class'] });
  return window.__observeFrom;
})()`;

interface Seen {
  at: number;
  index: number;
  above: boolean;
  /** Whether the row flashed (or was acked) since it was first seen IMMINENT. */
  flashed: boolean;
}

/** The first track that became IMMINENT (by a tracks event) after `from`, with its DOM record. */
async function nextImminent(page: Page, from: number, timeoutMs: number): Promise<{ track: string; receivedAt: number; seen: Seen }> {
  return waitFor(
    'a threat becoming IMMINENT',
    async () => {
      const r = (await page.evaluate(`(() => {
        const ev = (window.__skywarden.imminentEvents() || []).filter((e) => e.receivedAt > ${from});
        const e = ev[0];
        return e ? { track: e.track, receivedAt: e.receivedAt, seen: window.__queueSeen[e.track] || null } : null;
      })()`)) as { track: string; receivedAt: number; seen: Seen | null } | null;
      return r;
    },
    (r) => r !== null && r.seen !== null,
    timeoutMs,
  ) as Promise<{ track: string; receivedAt: number; seen: Seen }>;
}

test('the threat queue as an operator work list, against the live demo', { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium)`);
  assert.ok(existsSync(WEB_DIST), `the web app is not built (${WEB_DIST}); run npm run build`);
  const srv = await startDemoServer({});
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, '--autoplay-policy=no-user-gesture-required'] });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
    await ctx.addInitScript(AUDIO_SPY);
    const page = await ctx.newPage();
    watchPage(page, pageErrors);
    const base = `http://127.0.0.1:${srv.httpPort}/`;
    const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    const sw = <T>(expr: string) => page.evaluate(`(() => { const s = window.__skywarden; return ${expr}; })()`) as Promise<T>;
    /** The cue's counters and the oscillators started, read in one evaluate: a cue that sounds
     * between two separate reads would otherwise count in one and not the other. */
    const cueState = () => sw<{ requested: number; played: number; osc: number }>('({ ...s.cueCounts(), osc: window.__oscStarts })');

    await t.test('a viewer sees the queue without Ack or Assign', async () => {
      await page.goto(base);
      await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
      await waitFor('threat rows', () => page.locator('#threat-queue .threat-row').count(), (n) => n > 0, 120_000);
      assert.equal(await page.locator('#threat-queue .q-ack, #threat-queue .q-assign').count(), 0);
    });

    await t.test('an operator logs in', async () => {
      await page.click('#btn-login');
      await page.fill('#login-user', 'operator');
      await page.fill('#login-password', 'operator-demo');
      await Promise.all([page.waitForEvent('load', { timeout: 90_000 }), page.click('#login-form button[type=submit]')]);
      await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
      assert.match((await page.textContent('#user-name')) ?? '', /operator \(operator\)/);
      await waitFor('rows with Ack', () => page.locator('#threat-queue .q-ack').count(), (n) => n > 0, 60_000);
    });

    let from = 0;
    await t.test('a new IMMINENT threat is at the top of the queue within 2 s of its tracks event; the cue sounds once', async () => {
      // the observer started and the cue's counters read in one evaluate: a cue between two reads
      // would be the one nextImminent finds, already counted in `before`
      const start = (await page.evaluate(`(() => ({ from: ${OBSERVE}, before: { ...window.__skywarden.cueCounts(), osc: window.__oscStarts } }))()`)) as { from: number; before: { requested: number; played: number; osc: number } };
      from = start.from;
      const before = start.before;
      const n = await nextImminent(page, from, 240_000);
      const latency = n.seen.at - n.receivedAt;
      console.log(`new IMMINENT ${n.track}: tracks event -> row in the queue ${latency.toFixed(0)} ms (row ${n.seen.index})`);
      assert.ok(latency < 2000, `row after ${latency.toFixed(0)} ms`);
      assert.ok(n.seen.above, `every row above ${n.track} is IMMINENT (it is in the top block)`);
      const after = await waitFor('the cue', cueState, (c) => c.played > before.played, 10_000);
      assert.ok(after.requested > before.requested);
      // each cue sounded starts its two tones, in the same step
      assert.equal(after.osc - before.osc, 2 * (after.played - before.played), 'the cue started its tones');
      // the row flashed (seen by the observer: the flash lasts 4 s, and the row may be gone by now)
      assert.ok(await page.evaluate(`window.__queueSeen[${JSON.stringify(n.track)}].flashed`), `row ${n.track} flashed`);
      await shot('q1-new-imminent');
      // once per track: the same track never cues again (its imminentEvents entry is unique)
      const ids = (await sw<{ track: string }[]>('s.imminentEvents()')).map((e) => e.track);
      assert.equal(new Set(ids).size, ids.length, 'each track is announced once');
    });

    await t.test('mute silences the next cue, and the choice persists', async () => {
      await page.click('#btn-mute');
      assert.equal(await page.getAttribute('#btn-mute', 'aria-pressed'), 'true');
      assert.equal(await page.evaluate(`localStorage.getItem('skywarden.cue.muted')`), '1');
      const c0 = await cueState();
      const last = await sw<{ receivedAt: number }[]>('s.imminentEvents()');
      const since = Math.max(from, ...last.map((e) => e.receivedAt));
      const n = await nextImminent(page, since, 300_000);
      assert.ok(n.seen.at - n.receivedAt < 2000, `row after ${(n.seen.at - n.receivedAt).toFixed(0)} ms`);
      const c1 = await cueState();
      assert.ok(c1.requested > c0.requested, 'a cue was due');
      assert.equal(c1.played, c0.played, 'muted: nothing sounded');
      assert.equal(c1.osc, c0.osc, 'no oscillator started');
    });

    await t.test('an operator acks a threat: the row says so, dimmed, in its place', async () => {
      let done: string | null = null;
      const misses: string[] = [];
      for (let attempt = 0; attempt < 6 && !done; attempt++) {
        const id = await page.locator('#threat-queue .threat-row:not(.acked) .q-ack:not([disabled])').first().evaluate((b) => b.closest('tr')?.getAttribute('data-track') ?? null, undefined, { timeout: 10_000 }).catch(() => null);
        if (!id) continue;
        await page.hover('#threat-queue tbody', { position: { x: 5, y: 5 } }).catch(() => {});
        await page.click(`#threat-queue .threat-row[data-track="${id}"] .q-ack`, { timeout: 10_000 }).catch(() => {});
        const ok = await waitFor('the acked row', () => page.evaluate(`(() => { const r = document.querySelector('#threat-queue .threat-row[data-track="${id}"]'); return r ? [r.className, r.querySelector('.threat-work').textContent] : null; })()`) as Promise<[string, string] | null>, (r) => r !== null && /acked/.test(r[0]) && /acked by operator/.test(r[1]), 15_000).then(() => true, () => false);
        if (ok) done = id;
        else misses.push(id);
      }
      assert.ok(done, `an operator acked a row (misses: ${misses.join(', ')})`);
      await page.mouse.move(5, 5);
      // dimmed, and the queue is still in ETA order with the acked row in it
      const opacity = Number(await page.evaluate(`getComputedStyle(document.querySelector('#threat-queue .threat-row[data-track="${done}"]')).opacity`));
      assert.ok(opacity < 0.9, `acked row opacity ${opacity}`);
      // the list's order is frozen while the pointer is over it (new rows at the end, gone ones
      // faded) and set again at the next redraw after it leaves (once a second): read it, in one
      // evaluate, once the pointer is off and the list redrawn (no faded row); a list that stays
      // out of ETA order fails
      const isSorted = (v: number[]) => v.every((x, i) => i === 0 || v[i - 1] <= x);
      const q = await waitFor(
        'the queue redrawn in ETA order',
        () => page.evaluate(`(() => { const b = document.querySelector('#threat-queue tbody'); return { hover: b.matches(':hover'), dismissed: b.querySelectorAll('.dismissed').length, etas: [...b.querySelectorAll('.threat-row')].map((e) => e.dataset.eta) }; })()`) as Promise<{ hover: boolean; dismissed: number; etas: string[] }>,
        (v) => !v.hover && v.dismissed === 0 && isSorted(v.etas.filter((x) => x !== '').map(Number)),
        10_000,
      ).catch(async (err: Error) => {
        const etas = (await page.evaluate(`[...document.querySelectorAll('#threat-queue .threat-row')].map((e) => e.dataset.eta)`)) as string[];
        throw new Error(`${err.message}: ETAs ${etas.join(',')}`);
      });
      const ranked = q.etas.filter((x) => x !== '').map(Number);
      assert.deepEqual([...ranked].sort((a, b) => a - b), ranked, `ETAs in order: ${q.etas.join(',')}`);
      await shot('q2-acked');
    });

    await t.test('an operator assigns a threat: "assigned to" on the row', async () => {
      let done = false;
      for (let attempt = 0; attempt < 6 && !done; attempt++) {
        const id = await page.locator('#threat-queue .threat-row .q-assign').first().evaluate((b) => b.closest('tr')?.getAttribute('data-track') ?? null, undefined, { timeout: 10_000 }).catch(() => null);
        if (!id) continue;
        await page.hover('#threat-queue tbody', { position: { x: 5, y: 5 } }).catch(() => {});
        const row = `#threat-queue .threat-row[data-track="${id}"]`;
        const opened = await page.click(`${row} .q-assign`, { timeout: 10_000 }).then(() => page.waitForSelector(`${row} .q-assign-input`, { timeout: 5_000 })).then(() => true, () => false);
        if (!opened) continue;
        assert.equal(await page.inputValue(`${row} .q-assign-input`), 'operator', 'the form proposes the user');
        await page.fill(`${row} .q-assign-input`, 'team 2');
        await page.click(`${row} .q-assign-ok`, { timeout: 5_000 }).catch(() => {});
        done = await waitFor('assigned', () => page.evaluate(`document.querySelector('${row} .threat-work')?.textContent ?? ''`) as Promise<string>, (s) => /assigned to team 2/.test(s), 15_000).then(() => true, () => false);
      }
      assert.ok(done, 'a row shows its assignment');
      await page.mouse.move(5, 5);
    });

    await t.test('the language switch turns the texts Korean, persists, and back', async () => {
      await page.click('#btn-lang');
      await waitInPage(page, `/위협/.test(document.getElementById('tab-threats').textContent)`, 10_000);
      assert.equal(await page.evaluate(`localStorage.getItem('skywarden.lang')`), 'ko');
      assert.equal(await page.getAttribute('html', 'lang'), 'ko');
      await waitInPage(page, `/등급/.test(document.querySelector('#threat-queue thead').textContent)`, 10_000);
      const tiers = (await page.locator('#threat-queue .tier-badge').allTextContents()).filter((x) => x !== '-');
      assert.ok(tiers.length > 0 && tiers.every((x) => ['임박', '경고', '주의'].includes(x)), `tiers ${tiers.join(',')}`);
      const acks = await page.locator('#threat-queue .q-ack').allTextContents();
      assert.ok(acks.length > 0 && acks.every((x) => x.startsWith('확인')), `buttons ${acks.join(',')}`);
      const zones = await page.locator('#threat-queue .threat-zones').allTextContents();
      assert.ok(zones.some((z) => /후 \(|내부|지금 진입|경로상 구역 없음/.test(z)), `zone phrases ${zones.slice(0, 3).join(' | ')}`);
      assert.match((await page.textContent('#btn-replay')) ?? '', /다시 보기/);
      assert.match((await page.textContent('#threat-count')) ?? '', /위협/);
      // the status strip (redrawn every second), the top bar's connection and mode, the replay
      // bar and the login form (hidden now, their texts set all the same)
      const strip = await waitFor('the status strip in Korean', () => page.textContent('#status-strip').then((x) => x ?? ''), (x) => /융합 거부/.test(x) && /^실시간/.test(x), 10_000);
      assert.match(strip, /^실시간 \(데모\)탐지 수신 /, strip);
      assert.match(strip, /센서 \d+개 (정상|중 \d+개 이상)/, strip);
      assert.doesNotMatch(strip, /ingest|fusion|sensors|last report|det\/s/, strip);
      assert.equal(await page.textContent('#conn'), '실시간');
      assert.equal(await page.textContent('#server-mode'), '데모');
      assert.match((await page.textContent('#user-name')) ?? '', /^operator \(운용자\)$/);
      const bar = (await page.evaluate(`[...document.querySelectorAll('#replay-bar .replay-flag, #replay-bar label > span, #replay-bar button, #replay-window option')].map((e) => e.textContent)`)) as string[];
      assert.deepEqual(bar, ['다시 보기', '구간', '최근 5분', '최근 10분', '최근 30분', '최근 2시간', '최근 24시간', '불러오기', '▶ 재생', '속도', '실시간으로 돌아가기']);
      const login = (await page.evaluate(`[...document.querySelectorAll('#login-form p, #login-form label > span, #login-form button')].map((e) => e.textContent)`)) as string[];
      assert.deepEqual(login.slice(0, 5), ['대드론 조기 경보', '사용자', '비밀번호', '로그인', '로그인하지 않고 계속']);
      // the map's track labels: the zone by its Korean name, the ETA in words, each text inside its box
      const trk = await waitFor(
        'Korean track labels',
        () => page.evaluate(`[...document.querySelectorAll('#track-labels .trk-label')].map((e) => ({ text: e.textContent, fits: e.scrollWidth <= e.clientWidth + 1 }))`) as Promise<{ text: string; fits: boolean }[]>,
        (l) => l.some((x) => /\n[\uac00-\ud7a3 ]+ (\d+분 \d+초 후|\d+초 후|내부|지금 진입)$/.test(x.text)),
        60_000,
      );
      assert.ok(trk.every((x) => !/ETA|INSIDE|alt -/.test(x.text)), `no English in the labels: ${trk.map((x) => x.text).join(' | ')}`);
      assert.deepEqual(trk.filter((x) => !x.fits).map((x) => x.text), [], 'every label fits its box');
      const note = (await page.textContent('#track-labels-hidden')) ?? '';
      assert.ok(note === '' || /숨김 \(지도를 확대하십시오\)$/.test(note), note);
      t.diagnostic(`Korean track labels: ${trk.slice(0, 3).map((x) => x.text.replace('\n', ' / ')).join(' | ')}; strip: ${strip}`);
      await shot('q3-korean');
      // the alert log: headings, the badges (발령 / 해제 …) and the zones by their Korean names;
      // the operator's zone box; the map's zone labels
      await page.click('#tab-alerts');
      await waitInPage(page, `document.querySelectorAll('#alerts-body .alert-item').length > 0`, 60_000);
      const log = (await page.evaluate(`(() => ({
        heads: [...document.querySelectorAll('#alerts-body h3')].map((e) => e.textContent),
        badges: [...document.querySelectorAll('#alerts-body .kind-badge')].map((e) => e.textContent),
        zones: [...document.querySelectorAll('#alerts-body .alert-item .zone-name')].map((e) => e.textContent),
        box: document.querySelector('#zone-actions h4')?.textContent ?? null,
        raise: document.getElementById('zone-raise')?.textContent ?? null,
      }))()`)) as { heads: string[]; badges: string[]; zones: string[]; box: string | null; raise: string | null };
      assert.ok(log.heads.some((x) => /^경보 발령 구역 \(\d+\)$/.test(x)), `headings ${log.heads.join(' | ')}`);
      assert.ok(log.heads.some((x) => /^경보 기록 \(\d+건, \d+행\)$/.test(x)), `headings ${log.heads.join(' | ')}`);
      assert.ok(log.badges.length > 0 && log.badges.every((x) => ['발령', '등급 변경', '갱신', '해제', '수동 발령', '수동 해제'].includes(x)), `badges ${log.badges.slice(0, 5).join(',')}`);
      assert.ok(log.zones.length > 0 && log.zones.every((z) => /^[\uac00-\ud7a3 ]+$/.test(z)), `zone names in Korean: ${log.zones.slice(0, 5).join(' | ')}`);
      assert.equal(log.box, '구역 경보 수동 조작');
      assert.equal(log.raise, '경보 발령');
      assert.equal(await page.textContent('#legend h4'), '구역 (긴급도별)', 'the legend too');
      const labels = await waitFor('Korean zone labels on the map', () => page.locator('.zone-label').allTextContents(), (l) => l.length > 0 && l.every((x) => /^[\uac00-\ud7a3 ]+ · (임박|경고)( · |$)/.test(x)), 30_000);
      await shot('q3b-korean-alerts');
      // the track details of a threat: headings and words in Korean
      await page.click('#tab-threats');
      // (a track the tracker drops meanwhile shows "no longer held": then the next row)
      let details: string[] = [];
      for (let k = 0; k < 3 && details.length === 0; k++) {
        await page.evaluate(`document.querySelectorAll('#threat-queue .threat-row')[${k}]?.click()`);
        await waitInPage(page, `/^항적 /.test(document.querySelector('#details h3')?.textContent ?? '')`, 30_000);
        details = (await page.evaluate(`[...document.querySelectorAll('#details h4, #details dt')].map((e) => e.textContent)`)) as string[];
      }
      for (const k of ['분류 확률', '이력', '상태', '피아 구분', '고도']) assert.ok(details.some((x) => x.startsWith(k)), `${k} in ${details.join(',')}`);
      await page.evaluate(`document.querySelector('#details .btn-close')?.click()`);
      t.diagnostic(`Korean zone labels: ${labels.slice(0, 3).join(' | ')}`);
      // kept across a reload
      await page.reload();
      await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
      await waitInPage(page, `/위협/.test(document.getElementById('tab-threats').textContent)`, 20_000);
      assert.equal(await page.getAttribute('#btn-mute', 'aria-pressed'), 'true', 'mute kept across a reload');
      await page.click('#btn-lang');
      await waitInPage(page, `/Threats/.test(document.getElementById('tab-threats').textContent)`, 10_000);
      assert.match((await page.textContent('#btn-replay')) ?? '', /Replay/);
      await waitFor('the status strip in English again', () => page.textContent('#status-strip').then((x) => x ?? ''), (x) => /^LIVE \(DEMO\)ingest /.test(x), 10_000);
      assert.equal(await page.textContent('#replay-load'), 'Load');
    });

    for (const [w, hgt] of [[1024, 768], [768, 1024]] as const) {
      await t.test(`tablet ${w}x${hgt}: the queue is on screen and its buttons are touch-sized`, async () => {
        await page.setViewportSize({ width: w, height: hgt });
        await waitFor('rows with buttons', () => page.locator('#threat-queue .q-ack').count(), (n) => n > 0, 60_000);
        await page.waitForTimeout(300);
        const boxes = (await page.evaluate(`[...document.querySelectorAll('#threat-queue .btn-act, #btn-mute, #btn-lang, .tab, #btn-panel, #btn-login, #btn-logout, #btn-replay, #btn-settings')]
          .filter((e) => e.getBoundingClientRect().width > 0)
          .map((e) => { const r = e.getBoundingClientRect(); return [e.id || e.className, Math.round(r.width), Math.round(r.height)]; })`)) as [string, number, number][];
        const small = boxes.filter(([, bw, bh]) => bw < 40 || bh < 40);
        assert.deepEqual(small, [], 'every touch target at least 40 x 40 px');
        // the earlier steps may have left the panel scrolled (an assigned row, the log): the queue's
        // first row brought into view as a user scrolls to it, then it must lie inside the panel;
        // scrolled and measured in one task of the page, since the live queue redraws every second
        const geo = (await page.evaluate(`(() => {
          const row = document.querySelector('#threat-queue .threat-row');
          const box = document.querySelector('#panel');
          if (!row || !box) return null;
          row.scrollIntoView({ block: 'nearest', behavior: 'instant' });
          const r = row.getBoundingClientRect();
          const p = box.getBoundingClientRect();
          return { panel: { x: p.x, y: p.y, width: p.width, height: p.height }, first: { x: r.x, y: r.y, width: r.width, height: r.height } };
        })()`)) as { panel: { x: number; y: number; width: number; height: number }; first: { x: number; y: number; width: number; height: number } } | null;
        const panel = geo?.panel;
        const first = geo?.first;
        assert.ok(panel && first && first.y >= panel.y && first.y + first.height <= panel.y + panel.height + 1, `a queue row inside the panel: ${JSON.stringify({ panel, first })}`);
        assert.ok(first!.x >= 0 && first!.x + first!.width <= w + 1, 'the row fits the width');
        const topbar = await page.locator('.topbar').boundingBox();
        assert.ok(topbar && topbar.height < hgt * 0.25, `top bar ${topbar?.height} px high`);
        const map = await page.locator('#map').boundingBox();
        assert.ok(map && map.height > 150 && map.width > 300, `the map keeps room: ${JSON.stringify(map)}`);
        await shot(`q4-tablet-${w}x${hgt}`);
      });
    }

    assert.deepEqual(pageErrors, [], 'no uncaught page errors');
  } finally {
    await browser?.close();
    await srv.close();
  }
});
