// Lint rules, including the dependency direction of the packages (see docs/architecture.md):
// core imports nothing of ours and no I/O; formats imports core; sim imports core and formats;
// cli may import everything. Tests may use node: modules anywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ours = (allowed) => {
  const all = ['core', 'formats', 'sim', 'server', 'web', 'cli'];
  return all
    .filter((p) => !allowed.includes(p))
    .map((p) => ({ group: [`@skywarden/${p}`, `@skywarden/${p}/*`], message: `this package may not depend on @skywarden/${p} (dependency direction, docs/architecture.md)` }));
};

// core is pure (docs/architecture.md): no clock, no randomness but through arguments, no
// process, console, timers or other Node globals
const purity = 'core is pure: no clock, randomness, I/O or Node globals; pass them in as arguments (docs/architecture.md)';
const impureGlobals = ['Date', 'process', 'console', 'Buffer', 'performance', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'require', 'module', '__dirname', '__filename', 'global', 'globalThis', 'crypto'];
const pureRules = {
  'no-restricted-globals': ['error', ...impureGlobals.map((name) => ({ name, message: purity }))],
  'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: purity }],
};

const nodeIo = { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'stream'], message: 'core is pure: no I/O modules (docs/architecture.md)' };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/dist-test/**', '**/node_modules/**', 'bench/results/**', 'test-artifacts/**', '**/*.tmp.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeIo, ...ours([])] }], ...pureRules },
  },
  {
    files: ['packages/core/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ours(['core']) }] },
  },
  { files: ['packages/formats/src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: ours(['core', 'formats']) }] } },
  { files: ['packages/sim/src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: ours(['core', 'formats', 'sim']) }] } },
  { files: ['packages/server/src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: ours(['core', 'formats', 'sim', 'server']) }] } },
  { files: ['packages/web/src/**/*.ts'], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...ours(['core', 'formats', 'web']), nodeIo] }] } },
);
