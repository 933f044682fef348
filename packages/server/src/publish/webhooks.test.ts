import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCapPublisher, readCapAlert, parseZonesGeoJson } from '@skywarden/formats';
import { alertWebhookEvent, createWebhookDispatcher as create, signWebhook, verifyWebhookSignature, type WebhookDispatcherOptions, type WebhookLog } from './webhooks.js';

// whatever a failing assertion leaves open (servers, dispatchers) is closed at the end, so a failure never hangs the run
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
function createWebhookDispatcher(o: WebhookDispatcherOptions) {
  const d = create(o);
  cleanups.push(() => d.close(100));
  return d;
}

const SECRET = 'test-secret-0123456789';

interface Received {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
  signatureOk: boolean;
}

/** A real local HTTP server; `respond` decides each answer (it may also never answer). */
async function startServer(respond: (req: Received, n: number, res: ServerResponse) => void, secret = SECRET) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        at: performance.now(),
        headers: req.headers,
        body,
        signatureOk: verifyWebhookSignature(secret, req.headers['x-skywarden-signature'] as string, body, Date.now() / 1000, 60),
      };
      received.push(r);
      respond(r, received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { url, received, close, server };
}

function recordingLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const log: WebhookLog = {
    warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
  return { log, lines };
}

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('signatures: HMAC-SHA256 over "t.body"; tampering, wrong secrets, stale times and junk headers are refused', () => {
  const body = '{"a":1,"name":"서울 & <x>"}';
  const h = signWebhook(SECRET, 1700000000, body);
  assert.match(h, /^t=1700000000,v1=[0-9a-f]{64}$/);
  assert.equal(verifyWebhookSignature(SECRET, h, body, 1700000000), true);
  assert.equal(verifyWebhookSignature(SECRET, h, Buffer.from(body, 'utf8'), 1700000100), true, 'raw bytes, within tolerance');
  assert.equal(verifyWebhookSignature(SECRET, h, body + ' ', 1700000000), false, 'tampered body');
  assert.equal(verifyWebhookSignature('other-secret', h, body, 1700000000), false, 'wrong secret');
  assert.equal(verifyWebhookSignature(SECRET, h, body, 1700000301), false, 'stale (default tolerance 300 s)');
  assert.equal(verifyWebhookSignature(SECRET, h, body, 1700000301, 600), true, 'a wider tolerance');
  assert.equal(verifyWebhookSignature(SECRET, h.replace('t=1700000000', 't=1700000001'), body, 1700000000), false, 'timestamp is signed');
  const rotated = `${h.split(',')[0]},v1=${'0'.repeat(64)},${h.split(',')[1]}`;
  assert.equal(verifyWebhookSignature(SECRET, rotated, body, 1700000000), true, 'any one v1 may match (secret rotation)');
  for (const junk of [undefined, null, '', 'garbage', 't=1700000000', `v1=${'a'.repeat(64)}`, `t=abc,${h.split(',')[1]}`, `t=1,t=2,${h.split(',')[1]}`]) {
    assert.equal(verifyWebhookSignature(SECRET, junk, body, 1700000000), false, `refused: ${junk}`);
  }
});

test('a subscriber that fails twice with 503 gets the event on the third attempt, signed, same delivery id, with growing backoff', async (t) => {
  const srv = await startServer((_r, n, res) => {
    res.writeHead(n <= 2 ? 503 : 200).end();
  });
  const { log, lines } = recordingLog();
  const d = createWebhookDispatcher({ subscribers: [{ url: srv.url, secret: SECRET }], retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 }, timeoutMs: 2000, log });
  try {
    assert.equal(d.publish({ event: 'alert.raised', data: { zone: 'z1', state: 'alert', name: '종로 & <x>' } }), 1);
    await waitFor(() => d.stats().delivered === 1);
    assert.equal(srv.received.length, 3);
    const ids = new Set(srv.received.map((r) => r.headers['x-skywarden-delivery']));
    assert.equal(ids.size, 1, 'one idempotency id for every attempt');
    assert.match([...ids][0] as string, /^[0-9a-f-]{36}$/);
    assert.deepEqual(srv.received.map((r) => r.headers['x-skywarden-attempt']), ['1', '2', '3']);
    for (const r of srv.received) {
      assert.ok(r.signatureOk, 'the server verified the signature');
      assert.equal(r.headers['x-skywarden-event'], 'alert.raised');
      assert.equal(r.headers['content-type'], 'application/json');
      const body = JSON.parse(r.body) as { id: string; event: string; data: { name: string } };
      assert.equal(body.id, r.headers['x-skywarden-delivery']);
      assert.equal(body.event, 'alert.raised');
      assert.equal(body.data.name, '종로 & <x>');
    }
    // equal jitter: wait n in [base·2^(n-1)/2, base·2^(n-1)]
    const gap1 = srv.received[1].at - srv.received[0].at;
    const gap2 = srv.received[2].at - srv.received[1].at;
    t.diagnostic(`waits between attempts: ${gap1.toFixed(0)} ms, ${gap2.toFixed(0)} ms (base 100 ms)`);
    assert.ok(gap1 >= 45 && gap1 < 1000, `first wait ${gap1.toFixed(0)} ms (50-100 ms + overhead)`);
    assert.ok(gap2 >= 95 && gap2 < 1500, `second wait ${gap2.toFixed(0)} ms (100-200 ms + overhead)`);
    const s = d.stats();
    assert.deepEqual({ delivered: s.delivered, failed: s.failed, retried: s.retried, dropped: s.dropped, pending: s.pending }, { delivered: 1, failed: 0, retried: 2, dropped: 0, pending: 0 });
    assert.equal(lines.filter((l) => l.level === 'warn').length, 2, 'each retry logged');
    assert.ok(!JSON.stringify(lines).includes(SECRET), 'the secret is never logged');
  } finally {
    await d.close(1000);
    await srv.close();
  }
});

test('a 400 is not retried; attempts run out on steady 500s; a wrong secret is visible to the subscriber', async () => {
  const srv = await startServer((r, _n, res) => {
    res.writeHead(r.headers['x-skywarden-event'] === 'bad' ? 400 : 500).end();
  });
  const { log, lines } = recordingLog();
  const d = createWebhookDispatcher({ subscribers: [{ url: srv.url, secret: SECRET }], retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, timeoutMs: 2000, log });
  try {
    d.publish({ event: 'bad', data: {} });
    await waitFor(() => d.stats().failed === 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(srv.received.length, 1, 'one attempt only');
    assert.equal(d.stats().retried, 0);
    assert.match(lines.find((l) => l.level === 'error')!.msg, /not retried/);
    d.publish({ event: 'alert.raised', data: {} });
    await waitFor(() => d.stats().failed === 2);
    assert.equal(srv.received.length, 1 + 3, 'three attempts in all');
    assert.equal(d.stats().retried, 2);
    assert.equal(d.stats().delivered, 0);
  } finally {
    await d.close(1000);
    await srv.close();
  }
  const other = await startServer((_r, _n, res) => res.writeHead(200).end(), 'the-subscribers-real-secret');
  const d2 = createWebhookDispatcher({ subscribers: [{ url: other.url, secret: SECRET }] });
  d2.publish({ event: 'x', data: {} });
  await waitFor(() => other.received.length === 1);
  assert.equal(other.received[0].signatureOk, false);
  await d2.close(1000);
  await other.close();
});

test('429 with Retry-After is honoured; a Retry-After beyond maxDelayMs ends the delivery', async () => {
  const srv = await startServer((r, n, res) => {
    if (r.headers['x-skywarden-event'] === 'long') return void res.writeHead(429, { 'retry-after': '3600' }).end();
    res.writeHead(n === 1 ? 429 : 200, n === 1 ? { 'retry-after': '1' } : {}).end();
  });
  const d = createWebhookDispatcher({ subscribers: [{ url: srv.url, secret: SECRET }], retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 5000 } });
  try {
    d.publish({ event: 'alert.raised', data: {} });
    await waitFor(() => d.stats().delivered === 1);
    const gap = srv.received[1].at - srv.received[0].at;
    assert.ok(gap >= 990, `waited ${gap.toFixed(0)} ms for Retry-After: 1`);
    d.publish({ event: 'long', data: {} });
    await waitFor(() => d.stats().failed === 1);
    assert.equal(srv.received.length, 3, 'no second attempt an hour early');
  } finally {
    await d.close(1000);
    await srv.close();
  }
});

test('timeouts and refused connections are retried', async () => {
  const srv = await startServer((_r, n, res) => {
    if (n === 1) return; // never answers: the attempt times out
    res.writeHead(204).end();
  });
  const d = createWebhookDispatcher({ subscribers: [{ url: srv.url, secret: SECRET }], retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 }, timeoutMs: 200 });
  const started = performance.now();
  d.publish({ event: 'alert.raised', data: {} });
  await waitFor(() => d.stats().delivered === 1);
  assert.ok(performance.now() - started >= 195, 'the first attempt ran into the 200 ms timeout');
  assert.equal(srv.received.length, 2);
  assert.equal(d.stats().retried, 1);
  await d.close(1000);
  await srv.close();
  // nobody listening any more: connection refused, every attempt, then failed
  const { log, lines } = recordingLog();
  const gone = createWebhookDispatcher({ subscribers: [{ url: srv.url, secret: SECRET }], retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 }, timeoutMs: 500, log });
  gone.publish({ event: 'alert.raised', data: {} });
  await waitFor(() => gone.stats().failed === 1);
  assert.equal(gone.stats().retried, 2);
  assert.match(String(lines.find((l) => l.level === 'error')?.obj.why), /ECONNREFUSED|fetch failed/);
  await gone.close(100);
});

test('deliveries stay in order per subscriber, also across retries; a full queue drops the oldest waiting, counted and logged', async () => {
  let failFirst = true;
  const srv = await startServer((r, _n, res) => {
    const body = JSON.parse(r.body) as { data: { i: number } };
    if (body.data.i === 0 && failFirst) {
      failFirst = false;
      return void res.writeHead(502).end();
    }
    setTimeout(() => res.writeHead(200).end(), 20);
  });
  const d = createWebhookDispatcher({ subscribers: [{ url: srv.url, secret: SECRET }], retry: { attempts: 3, baseDelayMs: 30, maxDelayMs: 60 } });
  for (let i = 0; i < 6; i++) d.publish({ event: 'alert.raised', data: { i } });
  await waitFor(() => d.stats().delivered === 6);
  const order = srv.received.map((r) => (JSON.parse(r.body) as { data: { i: number } }).data.i);
  assert.deepEqual(order, [0, 0, 1, 2, 3, 4, 5], 'the retry of 0 comes before 1');
  await d.close(1000);
  await srv.close();

  const slow = await startServer((_r, _n, res) => void setTimeout(() => res.writeHead(200).end(), 100));
  const { log, lines } = recordingLog();
  const q = createWebhookDispatcher({ subscribers: [{ url: slow.url, secret: SECRET, name: 'slow' }], queueSize: 2, log });
  for (let i = 0; i < 5; i++) q.publish({ event: 'alert.raised', data: { i } });
  assert.equal(q.stats().dropped, 2, '0 in flight, 1 and 2 dropped for 3 and 4');
  await waitFor(() => q.stats().delivered === 3);
  assert.deepEqual(slow.received.map((r) => (JSON.parse(r.body) as { data: { i: number } }).data.i), [0, 3, 4]);
  const drops = lines.filter((l) => l.level === 'error' && /queue full/.test(l.msg));
  assert.equal(drops.length, 2);
  assert.equal(drops[1].obj.dropped, 2);
  assert.equal(q.stats().subscribers[0].name, 'slow');
  assert.equal(q.stats().subscribers[0].dropped, 2);
  await q.close(1000);
  await slow.close();
});

test('CAP subscribers get application/cap+xml; event filters apply; alert changes map to events', async () => {
  const zones = parseZonesGeoJson(
    JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { id: 'z1', name: '종로구 & <Palace>' }, geometry: { type: 'Polygon', coordinates: [[[127, 37], [127.1, 37], [127.1, 37.1], [127, 37]]] } }],
    }),
  );
  assert.ok(zones.ok);
  const pub = createCapPublisher(zones.zones, { sender: 'skywarden@test' });
  const capSrv = await startServer((_r, _n, res) => res.writeHead(200).end());
  const jsonSrv = await startServer((_r, _n, res) => res.writeHead(200).end());
  const d = createWebhookDispatcher({
    subscribers: [
      { url: capSrv.url, secret: SECRET, format: 'cap' },
      { url: jsonSrv.url, secret: SECRET, events: ['alert.cleared'] },
    ],
  });
  const raise = { t: 1714564800, zone: 'z1', state: 'alert' as const, etaS: 42.26, tracks: ['7'], reason: 'auto: test' };
  const clear = { t: 1714565000, zone: 'z1', state: 'clear' as const, tracks: [], reason: 'auto: all clear' };
  const m1 = pub.publish(raise);
  const e1 = alertWebhookEvent(raise, m1);
  assert.equal(e1.event, 'alert.raised');
  assert.deepEqual(e1.data, { t: 1714564800, zone: 'z1', state: 'alert', eta_s: 42.3, tracks: ['7'], reason: 'auto: test', cap_identifier: m1!.identifier });
  assert.equal(d.publish(e1), 1, 'only the CAP subscriber wants raises');
  const m2 = pub.publish(clear);
  const e2 = alertWebhookEvent(clear, m2);
  assert.equal(e2.event, 'alert.cleared');
  assert.equal(d.publish(e2), 2);
  assert.equal(d.publish({ event: 'alert.cleared', data: { note: 'no CAP variant' } }), 1, 'no CAP document: not sent to the CAP subscriber');
  await waitFor(() => d.stats().delivered === 4);
  assert.equal(capSrv.received.length, 2);
  for (const r of capSrv.received) {
    assert.equal(r.headers['content-type'], 'application/cap+xml; charset=utf-8');
    assert.ok(r.signatureOk);
  }
  const cap = readCapAlert(capSrv.received[1].body);
  assert.ok(cap.ok);
  assert.equal(cap.alert.msgType, 'Update');
  assert.deepEqual(cap.alert.info[0].responseType, ['AllClear']);
  assert.equal(cap.alert.info[0].areas[0].areaDesc, '종로구 & <Palace>');
  assert.equal(capSrv.received[1].body, m2!.xml, 'the body is the CAP document, byte for byte');
  assert.equal(jsonSrv.received.length, 2);
  assert.equal((JSON.parse(jsonSrv.received[0].body) as { data: { cap_identifier: string } }).data.cap_identifier, m2!.identifier);
  assert.equal(alertWebhookEvent({ ...raise }, { ...m1!, msgType: 'Update' }).event, 'alert.updated');
  await d.close(1000);
  await capSrv.close();
  await jsonSrv.close();
});

test('close() waits for deliveries in flight, and at its deadline aborts and counts what is left as dropped', async () => {
  const srv = await startServer((_r, _n, res) => void setTimeout(() => res.writeHead(200).end(), 200));
  const d = createWebhookDispatcher({ subscribers: [{ url: srv.url, secret: SECRET }] });
  d.publish({ event: 'a', data: {} });
  d.publish({ event: 'b', data: {} });
  const r = await d.close(3000);
  assert.deepEqual(r, { drained: true, dropped: 0 });
  assert.equal(d.stats().delivered, 2, 'both delivered before close resolved');
  assert.throws(() => d.publish({ event: 'c', data: {} }), /after close/);
  await srv.close();

  const hang = await startServer(() => undefined);
  const { log, lines } = recordingLog();
  const h = createWebhookDispatcher({ subscribers: [{ url: hang.url, secret: SECRET }], timeoutMs: 60000, log });
  for (let i = 0; i < 3; i++) h.publish({ event: 'a', data: { i } });
  await waitFor(() => hang.received.length === 1);
  const started = performance.now();
  const r2 = await h.close(150);
  const took = performance.now() - started;
  assert.ok(took >= 140 && took < 1000, `close took ${took.toFixed(0)} ms for a 150 ms deadline`);
  assert.equal(r2.drained, false);
  assert.equal(r2.dropped, 2, 'the two that never went');
  assert.equal(h.stats().dropped, 3, 'and the aborted one');
  assert.equal(h.stats().pending, 0);
  assert.ok(lines.some((l) => /abandoned at close/.test(l.msg)));
  await hang.close();
});

test('bad options are refused with the value named', () => {
  const ok = { url: 'http://127.0.0.1:1/x', secret: 's' };
  assert.throws(() => create({ subscribers: [{ ...ok, url: 'ftp://x' }] }), /http or https, got "ftp:\/\/x"/);
  assert.throws(() => create({ subscribers: [{ ...ok, url: 'nope' }] }), /not a URL/);
  assert.throws(() => create({ subscribers: [{ ...ok, secret: '' }] }), /secret/);
  assert.throws(() => create({ subscribers: [{ ...ok, format: 'xml' as 'cap' }] }), /format/);
  assert.throws(() => create({ subscribers: [ok], retry: { attempts: 0 } }), /attempts/);
  assert.throws(() => create({ subscribers: [ok], retry: { baseDelayMs: 100, maxDelayMs: 10 } }), /maxDelayMs/);
  assert.throws(() => create({ subscribers: [ok], queueSize: 0 }), /queueSize/);
  assert.throws(() => create({ subscribers: [ok] }).publish({ event: 'a\nb', data: {} }), /event name/);
});
