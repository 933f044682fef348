/**
 * core is pure (docs/architecture.md): the lint rules refuse a clock, randomness, I/O modules
 * and Node globals in core's source files (not in its tests), so that a change that brings
 * one in fails `npm test` before review.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function lint(code: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [r] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('lint refuses a clock, randomness, I/O and Node globals in core/src', async () => {
  const cases: [string, RegExp][] = [
    ['export const now = (): number => Date.now();', /no-restricted-globals.*Date/],
    ['export const when = (): number => new Date().getTime();', /no-restricted-globals.*Date/],
    ['export const r = (): number => Math.random();', /no-restricted-properties.*Math\.random/],
    ["export const v = (): string | undefined => process.env.HOME;", /no-restricted-globals.*process/],
    ["export const log = (x: number): void => console.log(x);", /no-restricted-globals.*console/],
    ['export const later = (f: () => void): unknown => setTimeout(f, 1);', /no-restricted-globals.*setTimeout/],
    ["import { readFileSync } from 'node:fs';\nexport const f = readFileSync;", /no-restricted-imports/],
    ["import { createService } from '@skywarden/server';\nexport const s = createService;", /no-restricted-imports/],
  ];
  for (const [code, want] of cases) {
    const msgs = await lint(code, 'packages/core/src/tracker/impure-example.ts');
    assert.ok(msgs.some((m) => want.test(m)), `${code}\n-> ${msgs.join('; ') || 'no message'}`);
  }
  // the same code is fine outside core, and pure code is fine in core
  assert.deepEqual(await lint('export const now = (): number => Date.now();\n', 'packages/server/src/impure-example.ts'), []);
  assert.deepEqual(await lint('export const twice = (x: number): number => 2 * x;\n', 'packages/core/src/tracker/pure-example.ts'), []);
});
