import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackoff, readPemFile } from './link-util.js';

test('the back-off doubles from 1 s up to its maximum and starts again after a reset', () => {
  const b = createBackoff(10);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [1, 2, 4, 8, 10, 10]);
  assert.equal(b.failures, 6);
  b.reset();
  assert.equal(b.failures, 0);
  assert.equal(b.next(), 1);
  const long = createBackoff(3600);
  for (let i = 0; i < 100; i++) long.next();
  assert.equal(long.next(), 3600, 'no overflow after many failures');
});

test('a PEM file is read; a missing one is an error naming the setting and the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pem-'));
  try {
    writeFileSync(join(dir, 'a.pem'), '-----BEGIN CERTIFICATE-----\n');
    assert.equal(readPemFile('tak.tls.cert', join(dir, 'a.pem')).toString(), '-----BEGIN CERTIFICATE-----\n');
    const missing = join(dir, 'none.pem');
    assert.throws(() => readPemFile('sapient.parent.tls.key', missing), (e: Error) => e.message.startsWith(`sapient.parent.tls.key ${missing}: `) && /ENOENT/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
