/**
 * What the browser end-to-end tests share: where Chromium is and how it is started, where
 * screenshots go, how the server is started in the test's process, and a wait that evaluates
 * in the page without eval (the server's content security policy forbids it).
 */
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
export type StartServer = (o: Record<string, unknown>) => Promise<Running>;

/** A logger that says nothing (the server's pino interface). */
export const silentLogger = (): unknown => {
  const silent = { level: 'silent', info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return silent; } };
  return silent;
};

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
