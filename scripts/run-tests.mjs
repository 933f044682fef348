#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/**/*.test.js, and packages/*/dist-test/**/*.test.js
// where a package compiles its tests apart from its bundle, as web does) with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring-filter ...]
//
// A run never hangs: a test without its own timeout is cancelled after TEST_TIMEOUT_MS, a test
// file whose tests are done is ended even if something it started still holds its event loop
// (--test-force-exit), and the whole run is stopped after RUN_LIMIT_MIN minutes (env
// SKYWARDEN_TEST_RUN_LIMIT_MIN), naming the test files that had not finished.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const TEST_TIMEOUT_MS = 600_000;
const RUN_LIMIT_MIN = Number(process.env.SKYWARDEN_TEST_RUN_LIMIT_MIN ?? 75);

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
};
for (const pkg of readdirSync(join(root, 'packages'))) {
  for (const out of ['dist', 'dist-test']) {
    const dist = join(root, 'packages', pkg, out);
    try { statSync(dist); } catch { continue; }
    walk(dist);
  }
}
const chosen = files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (chosen.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
if (!(RUN_LIMIT_MIN > 0)) {
  console.error(`SKYWARDEN_TEST_RUN_LIMIT_MIN must be a positive number of minutes, not ${process.env.SKYWARDEN_TEST_RUN_LIMIT_MIN}`);
  process.exit(1);
}

const child = spawn(process.execPath, ['--test', '--test-force-exit', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...chosen], {
  stdio: 'inherit',
  detached: true, // its own process group, so that a stopped run takes its servers and workers with it
});
/** The test files whose processes are still running (the runner starts one process per file). */
const running = () => {
  const out = [];
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const f = chosen.find((x) => cmd.includes(x));
      if (f && !cmd.includes('--test')) out.push(relative(root, f));
    } catch { /* gone */ }
  }
  return out;
};
const limit = setTimeout(() => {
  const files = running();
  console.error(`\nThe test run took longer than ${RUN_LIMIT_MIN} min (SKYWARDEN_TEST_RUN_LIMIT_MIN) and was stopped. Test files still running: ${files.length ? files.join(', ') : 'none found'}`);
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  setTimeout(() => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    process.exit(1);
  }, 10_000).unref();
}, RUN_LIMIT_MIN * 60_000);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { try { process.kill(-child.pid, sig); } catch { /* gone */ } });
child.on('exit', (code) => {
  clearTimeout(limit);
  process.exit(code ?? 1);
});
