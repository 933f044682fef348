/**
 * `skywarden serve` when one of its ports is taken: it says which, and ends (exit code 1). With
 * the MQTT port taken it used to print the error and then run on for ever, the HTTP listener and
 * the broker's timers started before the failure keeping the process alive (an outside try of
 * the README, 2026-12-07).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@skywarden/server/testing';

const bin = fileURLToPath(new URL('../bin/skywarden.js', import.meta.url));

/** Runs `skywarden serve args`; its exit code and output, or code null when it still ran after `waitMs` (then killed). */
async function serveExit(args: string[], waitMs: number): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  const timer = setTimeout(() => child.kill('SIGKILL'), waitMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, out };
}

test('serve ends with a message naming the port when the HTTP or the MQTT port is taken', { timeout: 120_000 }, async () => {
  const holder = createServer();
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  const taken = (holder.address() as AddressInfo).port;
  const tmp = tempDir('sw-ports-');
  try {
    // the MQTT port taken (the HTTP one free): the HTTP listener was already up when the broker failed
    const mqtt = await serveExit(['--port', '0', '--mqtt-port', String(taken), '--data-dir', `${tmp.dir}/a`], 45_000);
    assert.equal(mqtt.code, 1, `serve should end with code 1, not run on (killed after 45 s: code null); it wrote:\n${mqtt.out}`);
    assert.match(mqtt.out, new RegExp(`a port is already in use \\(.*127\\.0\\.0\\.1:${taken}\\)`));
    // the HTTP port taken
    const http = await serveExit(['--port', String(taken), '--mqtt-port', '0', '--data-dir', `${tmp.dir}/b`], 45_000);
    assert.equal(http.code, 1, http.out);
    assert.match(http.out, new RegExp(`a port is already in use \\(.*:${taken}\\)`));
  } finally {
    holder.close();
    tmp.cleanup();
  }
});
