import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bracket, urlHost } from './serve.js';

test('the serve banner writes a listener as a URL host: IPv6 literals in brackets, wildcards as localhost', () => {
  assert.equal(urlHost('0.0.0.0'), 'localhost');
  assert.equal(urlHost('::'), 'localhost');
  assert.equal(urlHost('127.0.0.1'), '127.0.0.1');
  assert.equal(urlHost('::1'), '[::1]');
  assert.equal(urlHost('2001:db8::5'), '[2001:db8::5]');
  assert.equal(urlHost('sky.example'), 'sky.example');
  // the MQTT line keeps a wildcard as it is (a client connects where it was told), bracketed
  assert.equal(bracket('0.0.0.0'), '0.0.0.0');
  assert.equal(bracket('::'), '[::]');
});
