import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { createStreamHub, frame } from './stream.js';

/** A stand-in for a response: the hub writes head and text; the text is collected. */
function fakeResponse() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  const res = Object.assign(s, { writeHead: () => res }) as unknown as ServerResponse;
  return { res, text: () => text };
}

test('the hub counts its broadcasts (the generation a cached opening snapshot is checked against), and writes pre-made events after the opening ones', async () => {
  const hub = createStreamHub();
  try {
    assert.equal(hub.generation, 0);
    hub.broadcast('zones', { t: 1, zones: [] });
    assert.equal(hub.generation, 1, 'no client: nothing sent, but the state changed');
    const a = fakeResponse();
    hub.attach(a.res, [['hello', { server_time: 1, mode: 'live', report_every_s: 0.25, version: '1' }]], frame('tracks', { t: 1, tracks: [] }));
    hub.broadcast('zones', { t: 2, zones: [] });
    assert.equal(hub.generation, 2);
    await new Promise((r) => setImmediate(r));
    const events = [...a.text().matchAll(/^event: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(events, ['hello', 'tracks', 'zones']);
    assert.match(a.text(), /event: tracks\ndata: \{"t":1,"tracks":\[\]\}\n\n/);
  } finally {
    hub.close();
  }
});
