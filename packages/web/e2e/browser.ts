/**
 * What the browser end-to-end tests share: where Chromium is and how it is started, where
 * screenshots go, how the demo server is started (as `npm start` does, in a process of its
 * own), and a wait that evaluates
 * in the page without eval (the server's content security policy forbids it).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const CHROMIUM = process.env.SKYWARDEN_CHROMIUM ?? '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');

export interface Running {
  httpPort: number;
  close(): Promise<void>;
}
/**
 * Waits until `expr` (evaluated in the page) is truthy. Not page.waitForFunction with a string:
 * that builds its predicate with eval in the page, which the server's content security policy
 * (no 'unsafe-eval') rightly blocks.
 */
export async function waitInPage(page: Page, expr: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expr).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr}`);
    await page.waitForTimeout(100);
  }
}

/**
 * The demo raid (8x unless `o.speed` says otherwise, the acoustic particle clouds off: a faster
 * demo for a starved software-rendering Chromium) over `config`, with a data folder of its own
 * (`close` stops it and removes the folder) or the caller's `o.dataDir` (kept). It runs as
 * `skywarden serve --demo` in a process of its own (see {@link spawnDemoServer}), as a user runs
 * it: in the test's process it shared an event loop with Playwright, and on a loaded machine the
 * fusion refused many of the demo's detections as late while screenshots were taken.
 */
export async function startDemoServer(config: Record<string, unknown>, o: { dataDir?: string; speed?: number } = {}): Promise<Running> {
  const fusion = (config.fusion ?? {}) as Record<string, unknown>;
  return spawnDemoServer({ config: { ...config, fusion: { acoustic_clouds: false, ...fusion } }, dataDir: o.dataDir, speed: o.speed ?? 8 });
}

/** Collects a page's uncaught errors and whatever the server's content security policy blocked into `errors`. */
export function watchPage(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(`CSP: ${m.text()}`);
  });
}

/** Polls `fn` until `ok` holds (every 200 ms, up to `timeoutMs`); the error names what was awaited and the last value. */
export async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
}

/**
 * The demo as `npm start` runs it (`skywarden serve --demo`, its default settings: the acoustic
 * clouds on), at `speed`, in a process of its own on free ports with a data folder of its own
 * (removed on close). For pictures of what a user sees: a server in the test's process shares
 * its event loop with Playwright, whose screenshots of a software-rendered map held it long
 * enough that the fusion refused 50-79 % of the demo's detections as late (seen 2026-12-05;
 * with the server in its own process, the same steps: none).
 */
export async function spawnDemoServer(o: { speed?: number; config?: Record<string, unknown>; dataDir?: string } = {}): Promise<Running> {
  // a folder of its own for the config file, and for the data unless the caller brings one
  mkdirSync(ARTIFACTS, { recursive: true });
  const own = mkdtempSync(join(tmpdir(), 'skywarden-web-demo-'));
  const dataDir = o.dataDir ?? join(own, 'data');
  const argv = [join(ROOT, 'packages', 'cli', 'bin', 'skywarden.js'), 'serve', '--demo', '--speed', String(o.speed ?? 5), '--port', '0', '--mqtt-port', '0', '--data-dir', dataDir];
  if (o.config && Object.keys(o.config).length > 0) {
    const file = join(own, 'config.json');
    writeFileSync(file, JSON.stringify(o.config));
    argv.push('--config', file);
  }
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  // a test process that ends without closing (a failed assertion, a timeout) takes the demo with it
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no HTTP address within 60 s: ${out}`)), 60_000);
    const read = (b: Buffer) => {
      out += b.toString('utf8');
      const m = /http: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    // keep reading after the address (the pipes must not fill) and keep the last lines for errors
    child.stdout.on('data', () => (out = out.slice(-20_000)));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}) before serving: ${out}`));
    });
  });
  const stop = async () => {
    process.removeListener('exit', orphan);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(own, { recursive: true, force: true });
  };
  let httpPort: number;
  try {
    httpPort = await started;
  } catch (err) {
    await stop();
    throw err;
  }
  return { httpPort, close: stop };
}
