import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { createAddressLimit, hostKey, limitConnectionsPerAddress, shedIdleConnections } from './net-limits.js';
import { EventEmitter } from 'node:events';

const quiet = { warn: () => {} };

/** An HTTP server on an ephemeral port: `/hold` answers only when `release` is called (an event stream's stand-in), other paths at once. */
async function serve(max: number, shed: boolean): Promise<{ server: Server; port: number; held: ServerResponse[]; shedCount: () => number }> {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/hold') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('held\n');
      held.push(res);
      return;
    }
    res.end('ok');
  });
  server.maxConnections = max;
  limitConnectionsPerAddress(server, 4, null, quiet, 'HTTP', 'test');
  const state = shed ? shedIdleConnections(server, max, quiet, 'HTTP') : { shed: 0 };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return { server, port, held, shedCount: () => state.shed };
}

function from(port: number, localAddress: string): Socket {
  const s = connect({ port, host: '127.0.0.1', localAddress });
  s.on('error', () => {});
  return s;
}

const closedWithin = (s: Socket, ms: number) => (s.destroyed ? Promise.resolve(true) : Promise.race([once(s, 'close').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]));

/** One whole GET on a new connection from `localAddress`: the status line, or '' when the connection was closed unanswered. */
async function get(port: number, localAddress: string, path = '/'): Promise<string> {
  const s = from(port, localAddress);
  let got = '';
  s.on('data', (d) => (got += d.toString()));
  s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await closedWithin(s, 3_000);
  s.destroy();
  return got.split('\r\n')[0];
}

/** `n` idle connections, 4 from each of the addresses 127.0.0.<first>, <first + 1>, ... (the per-address cap is 4). */
async function idleHogs(port: number, n: number, first: number): Promise<Socket[]> {
  const socks: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = from(port, `127.0.0.${first + Math.floor(i / 4)}`);
    await once(s, 'connect');
    socks.push(s);
  }
  // the server has taken them all
  await new Promise((r) => setTimeout(r, 100));
  return socks;
}

describe('shedIdleConnections', () => {
  it('without it, idle connections within the per-address cap fill the server and a new client is refused (the lockout it prevents)', async () => {
    const { server, port } = await serve(16, false);
    const hogs = await idleHogs(port, 16, 2);
    try {
      assert.equal(await get(port, '127.0.0.30'), '', 'the 17th connection was refused');
    } finally {
      for (const s of hogs) s.destroy();
      server.close();
    }
  });

  it('closes the oldest idle connection to serve a new client, and never one that is serving a request', async () => {
    const { server, port, held, shedCount } = await serve(16, true);
    // a long response in progress on the first connection (an event stream)
    const stream = from(port, '127.0.0.2');
    let streamed = '';
    stream.on('data', (d) => (streamed += d.toString()));
    stream.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!streamed.includes('held')) await once(stream, 'data');
    const hogs = await idleHogs(port, 15, 3);
    try {
      // the server full: new clients, six at once, each close the oldest idle one and are answered
      const answers = await Promise.all([30, 31, 32, 33, 34, 35].map((a) => get(port, `127.0.0.${a}`)));
      for (const a of answers) assert.match(a, /^HTTP\/1\.1 200/);
      const closed = await Promise.all(hogs.map((s) => closedWithin(s, 200)));
      // as many as made room (one when the 16th hog came, then at least one for the clients)
      assert.ok(shedCount() >= 2, `${shedCount()} idle connections closed`);
      // the oldest idle ones went first
      assert.deepEqual(closed.slice(0, shedCount()), Array(shedCount()).fill(true), `the oldest idle connections were closed: ${closed.join(',')}`);
      assert.equal(closed.filter(Boolean).length, shedCount(), 'no other was closed');
      assert.ok(!closed[14], 'the newest idle connection is still open');
      assert.equal(stream.destroyed, false, 'the connection serving a request was left open');
      held[0].end('done\n');
      await closedWithin(stream, 100);
      assert.match(streamed, /held\n/);
    } finally {
      for (const s of [stream, ...hogs]) s.destroy();
      server.close();
    }
  });

  it('a keep-alive connection is idle again between its requests, and a connection refused by the per-address cap takes no room', async () => {
    const { server, port, shedCount } = await serve(16, true);
    const keep = from(port, '127.0.0.2');
    let got = '';
    keep.on('data', (d) => (got += d.toString()));
    keep.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!got.includes('ok')) await once(keep, 'data');
    // five more from one address: the fifth is refused by the cap and must not shed anyone
    const capped = await idleHogs(port, 4, 3);
    const fifth = from(port, '127.0.0.3');
    assert.ok(await closedWithin(fifth, 1_000), 'the fifth from one address was refused');
    assert.equal(shedCount(), 0, 'a refused connection shed no other');
    const hogs = await idleHogs(port, 10, 4);
    try {
      // 15 open, the keep-alive one the oldest idle: the next client (the 16th) closes it
      assert.equal(keep.destroyed, false);
      assert.match(await get(port, '127.0.0.30'), /^HTTP\/1\.1 200/);
      assert.ok(await closedWithin(keep, 500), 'the idle keep-alive connection, the oldest, was closed');
    } finally {
      for (const s of [keep, fifth, ...capped, ...hogs]) s.destroy();
      server.close();
    }
  });
});

describe('hostKey: what a per-address limit counts', () => {
  it('IPv4 as it is, IPv4-mapped as its IPv4 address, IPv6 as its /64 in every spelling', () => {
    assert.equal(hostKey('192.0.2.7'), '192.0.2.7');
    assert.equal(hostKey('::ffff:192.0.2.7'), '192.0.2.7');
    for (const a of ['2001:db8:0:1::5', '2001:0db8:0000:0001:0000:0000:0000:0005', '2001:db8:0:1:ffff:ffff:ffff:ffff', '2001:DB8:0:1::a%eth0', '2001:db8:0:1::192.0.2.1']) assert.equal(hostKey(a), '2001:db8:0:1::/64', a);
    assert.equal(hostKey('2001:db8::'), '2001:db8:0:0::/64');
    assert.equal(hostKey('::1'), '0:0:0:0::/64');
    assert.equal(hostKey('::'), '0:0:0:0::/64');
    assert.equal(hostKey('fe80::1%lo'), 'fe80:0:0:0::/64');
    assert.equal(hostKey('1:2:3:4:5:6:7:8'), '1:2:3:4::/64');
    assert.equal(hostKey('1:2:3::'), '1:2:3:0::/64');
    assert.notEqual(hostKey('2001:db8:0:1::5'), hostKey('2001:db8:0:2::5'));
    // not an address: its own key
    for (const a of ['', 'unknown', '2001:db8::zz', '1.2.3']) assert.equal(hostKey(a), a);
  });

  it('createAddressLimit counts the addresses of one /64 together and frees the count as they close', () => {
    const limit = createAddressLimit(2, null);
    const sock = (remoteAddress: string) => Object.assign(new EventEmitter(), { remoteAddress }) as unknown as Socket;
    const a = sock('2001:db8:7:8::1');
    const b = sock('2001:db8:7:8::2');
    assert.equal(limit.admit(a), null);
    assert.equal(limit.admit(b), null);
    assert.equal(limit.admit(sock('2001:db8:7:8:abcd::3')), 2, 'a third address of the /64 is refused: it holds 2');
    assert.equal(limit.admit(sock('2001:db8:7:9::1')), null, 'another /64 is not');
    (a as unknown as EventEmitter).emit('close');
    assert.equal(limit.admit(sock('2001:db8:7:8::4')), null, 'a closed one frees its place');
    // a trusted proxy's addresses are never refused
    const proxied = createAddressLimit(1, '2001:db8:9::/48');
    for (let i = 1; i < 5; i++) assert.equal(proxied.admit(sock(`2001:db8:9::${i}`)), null);
  });
});

describe('limitConnectionsPerAddress logs its refusals', () => {
  it('a refusal is warned with the address, what it holds and the setting (at most once a minute)', async () => {
    const warned: [Record<string, unknown>, string][] = [];
    const log = { warn: (o: Record<string, unknown>, m: string) => void warned.push([o, m]) };
    const server = createServer((_req, res) => res.end('ok'));
    limitConnectionsPerAddress(server, 2, null, log as never, 'HTTP', 'http.max_connections_per_address');
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const socks: Socket[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const s = from(port, '127.0.0.9');
        await once(s, 'connect');
        socks.push(s);
      }
      assert.equal(await closedWithin(socks[3], 2_000), true, 'the fourth is closed');
      assert.equal(warned.length, 1, JSON.stringify(warned));
      const [fields, text] = warned[0];
      assert.equal(fields.held, 2);
      assert.match(String(fields.from), /127\.0\.0\.9$/);
      assert.equal(fields.host, undefined, 'an IPv4 address is its own host');
      assert.match(text, /HTTP connection refused: this address holds http\.max_connections_per_address already/);
    } finally {
      for (const s of socks) s.destroy();
      server.close();
      server.closeAllConnections();
    }
  });
});
