import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeviceCookies, DEVICE_KEY_FILE, loadDeviceKey } from './device-cookie.js';

test('device cookies: the key is kept in the data folder, so a browser stays trusted across a restart; another folder, another key', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'skywarden-device-')), 'data');
  const warnings: string[] = [];
  const first = createDeviceCookies(loadDeviceKey(dir, (m) => warnings.push(m)));
  const cookie = first.issue('alice');
  assert.ok(first.check(cookie, 'alice'));
  assert.equal(first.check(cookie, 'bob'), null, 'bound to its user');
  // the service restarts: the same key from the file
  const again = createDeviceCookies(loadDeviceKey(dir, (m) => warnings.push(m)));
  assert.ok(again.check(cookie, 'alice'), 'trusted after the restart');
  assert.deepEqual(warnings, []);
  const st = statSync(join(dir, DEVICE_KEY_FILE));
  assert.equal(st.size, 32);
  assert.equal(st.mode & 0o777, 0o600, 'readable by the service user only');
  const other = createDeviceCookies(loadDeviceKey(join(dir, 'elsewhere'), () => {}));
  assert.equal(other.check(cookie, 'alice'), null, 'another folder, another key');
});

test('device cookies: a key file of the wrong length is replaced, saying so; a file that cannot be written or read gives a key for the run, saying so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-device-'));
  writeFileSync(join(dir, DEVICE_KEY_FILE), 'short');
  const warnings: string[] = [];
  const key = loadDeviceKey(dir, (m) => warnings.push(m));
  assert.equal(key.length, 32);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /device-cookie\.key: 5 bytes where the device cookies' key has 32: replaced/);
  assert.deepEqual(readFileSync(join(dir, DEVICE_KEY_FILE)), key, 'the new key is kept');
  // the file cannot be written (here: its temporary name is taken by a folder, which stops root too)
  const ro = mkdtempSync(join(tmpdir(), 'skywarden-device-ro-'));
  mkdirSync(join(ro, `${DEVICE_KEY_FILE}.${process.pid}.tmp`));
  const w2: string[] = [];
  const k2 = loadDeviceKey(ro, (m) => w2.push(m));
  assert.equal(k2.length, 32);
  assert.equal(w2.length, 1);
  assert.match(w2[0]!, /device-cookie\.key: cannot be written \(.*\): the device cookies' key is this run's only/);
  // it cannot be read (the data folder's path runs through a file)
  const file = join(ro, 'plain');
  writeFileSync(file, 'x');
  const w3: string[] = [];
  assert.equal(loadDeviceKey(join(file, 'data'), (m) => w3.push(m)).length, 32);
  assert.match(w3[0] ?? '', /cannot be read \(.*\): the device cookies' key is this run's only/);
});
