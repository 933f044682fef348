import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import { createStreamHub, frame } from './stream.js';

/** A stand-in for a response: the hub writes head and text; the text is collected. */
function fakeResponse(o: { queued?: boolean } = {}) {
  const s = new PassThrough();
  let text = '';
  let status = 0;
  s.on('data', (d: Buffer) => (text += d.toString()));
  // its connection: a response has one (`socket`) unless it is queued behind another (HTTP pipelining)
  const connection = new EventEmitter() as EventEmitter & { destroyed: boolean };
  connection.destroyed = false;
  const res = Object.assign(s, {
    writeHead: (code: number) => {
      status = code;
      return res;
    },
    socket: o.queued ? null : connection,
    req: { socket: connection },
  }) as unknown as ServerResponse;
  return { res, text: () => text, status: () => status, connection };
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

test('a stream request queued behind another of its connection (pipelined) is refused 409, not registered', () => {
  const hub = createStreamHub();
  try {
    const q = fakeResponse({ queued: true });
    assert.equal(hub.attach(q.res, []), false);
    assert.equal(q.status(), 409);
    assert.match(q.text(), /"code":"conflict"/);
    assert.equal(hub.clients, 0);
    assert.equal(hub.refusedQueued, 1);
  } finally {
    hub.close();
  }
});

test('a client is forgotten when its connection closes, even if its response never emits close', () => {
  const hub = createStreamHub();
  try {
    const a = fakeResponse();
    const b = fakeResponse();
    assert.equal(hub.attach(a.res, []), true);
    assert.equal(hub.attach(b.res, []), true);
    assert.equal(hub.clients, 2);
    a.connection.destroyed = true;
    a.connection.emit('close');
    assert.equal(hub.clients, 1);
    // the response's own close afterwards changes nothing (once only)
    a.res.emit('close');
    assert.equal(hub.clients, 1);
    b.res.emit('close');
    assert.equal(hub.clients, 0);
  } finally {
    hub.close();
  }
});

test('all clients together hold at most maxTotalBufferBytes: the ones furthest behind are dropped first', () => {
  const dropped: number[] = [];
  const hub = createStreamHub({ maxBufferBytes: 1 << 20, maxTotalBufferBytes: 100_000, onDrop: () => dropped.push(1) });
  try {
    // clients that never read: a PassThrough holds what it is not read of (highWaterMark 16 KiB), so writableLength grows
    const slow = [0, 1, 2].map(() => {
      const s = new PassThrough({ highWaterMark: 1 });
      const connection = Object.assign(new EventEmitter(), { destroyed: false });
      const res = Object.assign(s, { writeHead: () => res, socket: connection, req: { socket: connection } }) as unknown as ServerResponse;
      return res;
    });
    hub.attach(slow[0], []);
    hub.broadcast('zones', { t: 1, zones: [] as never[] }); // a little for the first
    const big = { t: 2, zones: Array.from({ length: 800 }, (_, i) => ({ id: `zone-${i}`, padding: 'x'.repeat(20) })) } as never;
    hub.broadcast('zones', big);
    hub.attach(slow[1], []);
    hub.broadcast('zones', big);
    hub.attach(slow[2], []);
    const before = slow.map((r) => r.writableLength);
    assert.ok(before[0] > before[1] && before[1] > before[2], `backlogs ${before}`);
    assert.ok(before[0] + before[1] + before[2] > 100_000, `over the budget: ${before}`);
    hub.broadcast('zones', { t: 3, zones: [] as never[] });
    // the first (furthest behind) went; the rest are within the budget
    assert.ok(dropped.length >= 1, 'one dropped at least');
    assert.ok(hub.buffered <= 100_000, `buffered ${hub.buffered}`);
    assert.equal(hub.clients, 3 - dropped.length);
  } finally {
    hub.close();
  }
});

test('at its client cap the hub gives a newcomer from a less represented address the place of the most represented address\'s oldest client, and refuses one from that address with 503', () => {
  const full: string[] = [];
  const hub = createStreamHub({ maxClients: 4, maxClientsSetting: 'http.max_stream_clients', onFull: (w) => full.push(w) });
  try {
    // three silent clients from one address, one from another: the cap
    const hog = [0, 1, 2].map(() => fakeResponse());
    for (const h of hog) assert.equal(hub.attach(h.res, [], '', '203.0.113.9'), true);
    const other = fakeResponse();
    assert.equal(hub.attach(other.res, [], '', '198.51.100.1'), true);
    assert.equal(hub.clients, 4);
    // the hog's address asks again: it holds the most already
    const more = fakeResponse();
    assert.equal(hub.attach(more.res, [], '', '203.0.113.9'), false);
    assert.equal(more.status(), 503);
    assert.match(more.text(), /"code":"unavailable".*its 4 clients \(http\.max_stream_clients\)/);
    // a new address: the hog's oldest client gives way
    const fresh = fakeResponse();
    assert.equal(hub.attach(fresh.res, [], '', '192.0.2.7'), true);
    assert.equal(hub.clients, 4);
    assert.equal(hog[0].res.writableEnded, true, "the hog's oldest client was ended");
    assert.equal(hog[1].res.writableEnded, false);
    // the second address (1 client) would then hold as many as the hog (2): refused
    const second = fakeResponse();
    assert.equal(hub.attach(second.res, [], '', '198.51.100.1'), false);
    // another new address: the hog gives way again
    const fresh2 = fakeResponse();
    assert.equal(hub.attach(fresh2.res, [], '', '192.0.2.8'), true);
    assert.equal(hog[1].res.writableEnded, true);
    // four addresses, one client each: nobody gives way to a fifth
    const fifth = fakeResponse();
    assert.equal(hub.attach(fifth.res, [], '', '192.0.2.9'), false);
    assert.deepEqual(full, ['refused', 'replaced', 'refused', 'replaced', 'refused']);
    assert.equal(hub.refusedFull, 3);
    assert.equal(hub.replacedFull, 2);
    // a client that leaves frees its place for anyone
    other.res.emit('close');
    const late = fakeResponse();
    assert.equal(hub.attach(late.res, [], '', '203.0.113.9'), true);
    assert.equal(hub.clients, 4);
  } finally {
    hub.close();
  }
});

test('the places are shared out per host: the IPv6 addresses of one /64 count as one address, another /64 as another', () => {
  const hub = createStreamHub({ maxClients: 4 });
  try {
    // one host with three addresses of its /64 (privacy addresses), and a neighbour network
    for (const a of ['2001:db8:1:2::10', '2001:db8:1:2:aaaa::1', '2001:db8:1:2:ffff:ffff:ffff:ffff']) assert.equal(hub.attach(fakeResponse().res, [], '', a), true);
    assert.equal(hub.attach(fakeResponse().res, [], '', '2001:db8:1:3::10'), true);
    // a fourth address of the first /64 holds the most already: refused, as one IPv4 address would be
    const more = fakeResponse();
    assert.equal(hub.attach(more.res, [], '', '2001:0db8:0001:0002:0:0:0:99'), false);
    assert.equal(more.status(), 503);
    // a newcomer elsewhere takes the place of that host's oldest client
    assert.equal(hub.attach(fakeResponse().res, [], '', '::ffff:192.0.2.7'), true);
    assert.equal(hub.replacedFull, 1);
  } finally {
    hub.close();
  }
});
