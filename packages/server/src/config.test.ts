import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig, DEFAULT_CONFIG, parseConfigText } from './config.js';

describe('service configuration', () => {
  it('starts on the documented defaults', () => {
    const r = buildConfig(null, {});
    assert.ok(r.ok);
    assert.deepEqual(r.config, DEFAULT_CONFIG);
    assert.equal(r.config.http.port, 8080);
    assert.equal(r.config.store.kind, 'sqlite');
    assert.equal(r.config.mqtt.mode, 'embedded');
  });

  it('names every bad setting, with the value it got', () => {
    const r = buildConfig({ http: { port: 'eighty' }, store: { kind: 'mongo' }, fusion: { reorder_delay_s: -1 }, colour: 'blue' }, {});
    assert.ok(!r.ok);
    const text = r.errors.join('\n');
    assert.match(text, /http\.port must be an integer in \[0, 65535\], got "eighty"/);
    assert.match(text, /store\.kind must be one of "sqlite", "postgres", got "mongo"/);
    assert.match(text, /fusion\.reorder_delay_s must be a number in \[0, 600\], got -1/);
    assert.match(text, /colour is not a setting/);
  });

  it('checks list items: users, credentials, webhooks', () => {
    const r = buildConfig(
      {
        auth: { users: [{ name: 'a b', role: 'king' }] },
        credentials: [{ sensor: 'x', token: 'short' }, { gateway: 'g', token: 'long-enough-token' }],
        webhooks: [{ url: 'ftp://x', secret: 's' }],
      },
      {},
    );
    assert.ok(!r.ok);
    const text = r.errors.join('\n');
    assert.match(text, /auth\.users\[0\]\.name/);
    assert.match(text, /auth\.users\[0\]\.role/);
    assert.match(text, /auth\.users\[0\] needs exactly one of password or password_hash/);
    assert.match(text, /credentials\[0\] needs exactly one of token/);
    assert.match(text, /credentials\[1\]\.sensors must list/);
    assert.match(text, /webhooks\[0\]\.url/);
    assert.match(text, /webhooks\[0\]\.secret/);
  });

  it('takes environment overrides, then flags, over the file', () => {
    const r = buildConfig({ http: { port: 9000 }, store: { kind: 'sqlite' } }, { SKYWARDEN__HTTP__PORT: '9100', SKYWARDEN__STORE__KIND: 'postgres', OTHER: 'x' }, { http: { port: 0 } });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    assert.equal(r.config.http.port, 0);
    assert.equal(r.config.store.kind, 'postgres');
    const bad = buildConfig(null, { SKYWARDEN__HTTP__PROT: '1' });
    assert.ok(!bad.ok);
    assert.match(bad.errors[0], /SKYWARDEN__HTTP__PROT: http\.prot is not a setting/);
  });

  it('reads YAML and reports a syntax error with its place', () => {
    const ok = parseConfigText('http:\n  port: 8081\n', 'c.yaml');
    assert.ok(ok.ok);
    assert.deepEqual(ok.value, { http: { port: 8081 } });
    const bad = parseConfigText('http:\n  port: [8081\n', 'c.yaml');
    assert.ok(!bad.ok);
    assert.match(bad.error, /^c\.yaml: .*line/s);
    const top = buildConfig([1, 2], {});
    assert.ok(!top.ok);
    assert.match(top.errors[0], /mapping/);
  });
});
