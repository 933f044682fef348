/**
 * The MQTT framing guard on a real loopback socket: what the broker would read, byte for byte,
 * when packets arrive whole, split one byte per read, or too large.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { guardPackets, MAX_PUBLISH_PROPERTIES, MAX_UNSOLICITED_ACKS, PUBREL_SLACK, type PacketGuard } from './packet-guard.js';

const gen = (p: object, protocolVersion = 4) => mqttPacket.generate(p as mqttPacket.Packet, { protocolVersion });
const MARKER = Buffer.from('stand-in-marker');

interface Seen {
  out: Buffer[];
  guard: PacketGuard;
  events: string[];
  socket: Socket;
}

/** A server whose one connection is guarded and read as aedes reads it; `send` writes the client's bytes in the given pieces, one per event-loop turn. */
async function harness(o: { limit: number; loggedIn?: boolean; version?: number; timeoutMs?: number; minBytesPerS?: number }) {
  let seen: Seen | null = null;
  const ready = new Promise<Seen>((resolve) => {
    const server = createServer((socket) => {
      const events: string[] = [];
      const out: Buffer[] = [];
      const guard = guardPackets(socket, {
        limit: () => o.limit,
        loggedIn: () => o.loggedIn ?? true,
        version: () => o.version ?? 4,
        marker: MARKER,
        timeoutMs: o.timeoutMs ?? 30_000,
        minBytesPerS: o.minBytesPerS ?? 8192,
        onOversize: (announced, limit, replaced) => events.push(`${replaced ? 'replaced' : 'fatal'} ${announced} > ${limit}`),
        onFlood: (what, count) => events.push(`flood ${what} ${count}`),
        close: () => {
          events.push('close');
          socket.destroy();
        },
      });
      socket.on('readable', () => {
        let b: Buffer | null;
        while ((b = socket.read() as Buffer | null) !== null) out.push(b);
      });
      seen = { out, guard, events, socket };
      resolve(seen);
      server.close();
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      client = connect(port, '127.0.0.1');
      client.setNoDelay(true);
      client.on('error', () => {});
    });
  });
  let client!: Socket;
  const s = await ready;
  return {
    s,
    client,
    async send(pieces: Buffer[]) {
      for (const p of pieces) {
        client.write(p);
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, 50));
    },
    received: () => Buffer.concat(seen!.out),
  };
}

const bytesOf = (b: Buffer) => [...b].map((x) => Buffer.from([x]));

describe('MQTT packet guard', () => {
  const small = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 1, messageId: 7, retain: false, dup: false, payload: Buffer.from('{"ok":1}') });
  const ping = gen({ cmd: 'pingreq' });
  const big = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 1, messageId: 8, retain: false, dup: false, payload: Buffer.alloc(5000, 0x78) });

  it('passes packets under the limit unchanged, whole or one byte per read', async () => {
    const h = await harness({ limit: 4096 });
    const stream = Buffer.concat([small, ping, small]);
    await h.send([stream]);
    await h.send(bytesOf(stream));
    assert.deepEqual(h.received(), Buffer.concat([stream, stream]));
    assert.deepEqual(h.s.events, []);
    assert.equal(h.s.guard.deadline, 0, 'no packet in progress');
    h.client.destroy();
  });

  it('replaces a PUBLISH too large by a stand-in with its topic, flags and packet id, and drops its payload unread, one byte per read too', async () => {
    for (const split of [false, true]) {
      const h = await harness({ limit: 4096 });
      const stream = Buffer.concat([small, big, ping]);
      // split: the first 300 bytes (the small packet and the large one's headers) one per read, then 1,000 at a time
      await h.send(split ? [...bytesOf(stream.subarray(0, 300)), ...[0, 1, 2, 3, 4].map((k) => stream.subarray(300 + k * 1000, 300 + (k + 1) * 1000)), stream.subarray(5300)] : [stream]);
      const want = Buffer.concat([small, gen({ cmd: 'publish', topic: 'a/b/detections', qos: 1, messageId: 8, retain: false, dup: false, payload: MARKER }), ping]);
      assert.deepEqual(h.received(), want, split ? 'one byte per read' : 'whole');
      assert.deepEqual(h.s.guard.replaced, [5000]);
      assert.equal(h.s.events.length, 1);
      assert.match(h.s.events[0], /^replaced 50\d\d > 4096$/);
      assert.ok(!h.s.socket.destroyed);
      h.client.destroy();
    }
  });

  it('drops PUBACK, PUBREC and PUBCOMP unread (the broker sends nothing at QoS 1 or 2), whole or one byte per read, and closes the connection past MAX_UNSOLICITED_ACKS', async () => {
    const acks = [gen({ cmd: 'puback', messageId: 1 }), gen({ cmd: 'pubrec', messageId: 2 }), gen({ cmd: 'pubcomp', messageId: 3 }), gen({ cmd: 'puback', messageId: 4, reasonCode: 0x10 }, 5)];
    for (const split of [false, true]) {
      const h = await harness({ limit: 4096 });
      const stream = Buffer.concat([small, ...acks, ping, small]);
      await h.send(split ? bytesOf(stream) : [stream]);
      assert.deepEqual(h.received(), Buffer.concat([small, ping, small]), split ? 'one byte per read' : 'whole');
      assert.deepEqual(h.s.events, []);
      assert.equal(h.s.guard.deadline, 0);
      h.client.destroy();
    }
    const h = await harness({ limit: 4096 });
    const flood = Buffer.concat(Array.from({ length: MAX_UNSOLICITED_ACKS + 10 }, (_, k) => gen({ cmd: 'puback', messageId: k + 1 })));
    await h.send([small, flood, small]);
    assert.deepEqual(h.s.events, [`flood unsolicited acknowledgements ${MAX_UNSOLICITED_ACKS + 1}`, 'close']);
    assert.deepEqual(h.received(), small, 'what came before passes, nothing after');
  });

  it('passes PUBREL for the QoS 2 PUBLISH packets of the connection and PUBREL_SLACK more; one beyond closes it', async () => {
    const rel = (k: number) => gen({ cmd: 'pubrel', messageId: (k % 65535) + 1 });
    const q2 = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 2, messageId: 9, retain: false, dup: false, payload: Buffer.from('{}') });
    const within = await harness({ limit: 4096 });
    const ok = Buffer.concat([q2, q2, ...Array.from({ length: PUBREL_SLACK + 2 }, (_, k) => rel(k))]);
    await within.send([ok]);
    assert.deepEqual(within.s.events, []);
    assert.deepEqual(within.received(), ok, 'every PUBREL passes');
    within.client.destroy();
    const over = await harness({ limit: 4096 });
    await over.send([Buffer.concat([q2, ...Array.from({ length: PUBREL_SLACK + 5 }, (_, k) => rel(k))])]);
    assert.deepEqual(over.s.events, [`flood PUBREL without a QoS 2 PUBLISH ${PUBREL_SLACK + 1}`, 'close']);
    assert.deepEqual(over.received(), Buffer.concat([q2, ...Array.from({ length: PUBREL_SLACK + 1 }, (_, k) => rel(k))]));
  });

  it('keeps an MQTT 5 PUBLISH\'s properties in its stand-in', async () => {
    const props = { payloadFormatIndicator: true, userProperties: { source: 'node-17' } };
    const h = await harness({ limit: 4096, version: 5 });
    const pkt = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 2, messageId: 9, retain: false, dup: false, payload: Buffer.alloc(10_000, 0x31), properties: props }, 5);
    await h.send([pkt.subarray(0, 3), pkt.subarray(3, 40), pkt.subarray(40)]);
    const want = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 2, messageId: 9, retain: false, dup: false, payload: MARKER, properties: props }, 5);
    assert.deepEqual(h.received(), want);
    // the broker's parser reads the stand-in back as the same message
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const got: mqttPacket.Packet[] = [];
    parser.on('packet', (p) => got.push(p));
    parser.parse(h.received());
    assert.equal(got.length, 1);
    const p = got[0] as mqttPacket.IPublishPacket;
    assert.equal(p.topic, 'a/b/detections');
    assert.equal(p.messageId, 9);
    assert.equal(p.qos, 2);
    assert.deepEqual({ ...p.properties?.userProperties }, { source: 'node-17' });
    assert.deepEqual(h.s.guard.replaced, [10_000]);
    h.client.destroy();
  });

  it('closes the connection on an MQTT 5 PUBLISH within the size whose properties pass the cap, passing what came before it; one within the cap passes whole', async () => {
    const many: Record<string, string> = {};
    for (let k = 0; k < 2000; k++) many[`k${k}`] = 'v';
    const heavy = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 1, messageId: 4, retain: false, dup: false, payload: Buffer.from('{}'), properties: { userProperties: many } }, 5);
    assert.ok(heavy.length < 64 * 1024 && heavy.length > MAX_PUBLISH_PROPERTIES, `the packet is within the size limit, its properties are not (${heavy.length} bytes)`);
    const light = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 1, messageId: 5, retain: false, dup: false, payload: Buffer.from('{"ok":1}'), properties: { userProperties: { source: 'node-17', unit: 'm5' } } }, 5);
    for (const split of [false, true]) {
      const h = await harness({ limit: 64 * 1024, version: 5 });
      const stream = Buffer.concat([light, heavy, light]);
      await h.send(split ? bytesOf(stream.subarray(0, light.length + 40)).concat([stream.subarray(light.length + 40)]) : [stream]);
      const got = h.received();
      if (!split) assert.deepEqual(got, light, 'whole: the first packet only');
      else {
        // one byte per read, the heavy packet's first bytes passed before its properties' length
        // was read (the broker holds them unparsed; the connection closes): no more than those
        assert.deepEqual(got.subarray(0, light.length), light);
        const part = got.subarray(light.length);
        assert.deepEqual(part, heavy.subarray(0, part.length), 'then a prefix of the heavy packet');
        assert.ok(part.length <= 1 + 3 + 2 + 14 + 2 + 3, `no further than its properties' length (${part.length} bytes)`);
      }
      assert.equal(h.s.events.length, 2);
      assert.match(h.s.events[0], new RegExp(`^fatal \\d+ > ${MAX_PUBLISH_PROPERTIES}$`));
      assert.equal(h.s.events[1], 'close');
    }
    const ok = await harness({ limit: 64 * 1024, version: 5 });
    await ok.send([Buffer.concat([light, ping, light])]);
    assert.deepEqual(ok.received(), Buffer.concat([light, ping, light]));
    assert.deepEqual(ok.s.events, []);
    assert.equal(ok.s.guard.deadline, 0);
    ok.client.destroy();
  });

  it('closes the connection on a packet too large before login, or one that is not a PUBLISH, passing none of it', async () => {
    for (const [loggedIn, pkt] of [
      [false, big],
      [true, gen({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'x'.repeat(6000), qos: 0 }] })],
    ] as const) {
      const h = await harness({ limit: 4096, loggedIn });
      await h.send([small, pkt.subarray(0, 2), pkt.subarray(2)]);
      assert.deepEqual(h.received(), small, 'what came before it passed, nothing of it');
      assert.equal(h.s.events.length, 2);
      assert.match(h.s.events[0], /^fatal \d+ > 4096$/);
      assert.equal(h.s.events[1], 'close');
    }
  });

  it('a packet stops half-way: stalled once past its grace plus its size at the slowest upload allowed, not before; between packets never', async () => {
    const h = await harness({ limit: 1 << 20, timeoutMs: 200, minBytesPerS: 100_000 });
    const pkt = gen({ cmd: 'publish', topic: 'a/b/detections', qos: 1, messageId: 4, retain: false, dup: false, payload: Buffer.alloc(50_000, 0x41) });
    const t0 = Date.now();
    await h.send([pkt.subarray(0, 20_000)]);
    const d = h.s.guard.deadline;
    // 200 ms of grace and 50,0xx bytes at 100 kB/s
    assert.ok(d >= t0 + 690 && d <= Date.now() + 710, `deadline ${d - t0} ms after the start`);
    assert.equal(h.s.guard.stalled(d - 1), false);
    assert.equal(h.s.guard.stalled(d + 1), true);
    await h.send([pkt.subarray(20_000)]);
    assert.equal(h.s.guard.deadline, 0);
    assert.equal(h.s.guard.stalled(Date.now() + 1e6), false, 'idle between packets is not a stall');
    assert.deepEqual(h.received(), pkt);
    // a fixed header cut between reads is a packet in progress as well
    await h.send([pkt.subarray(0, 2)]);
    assert.ok(h.s.guard.deadline > 0);
    assert.equal(h.received().length, pkt.length, 'the cut header is held back');
    h.client.destroy();
  });
});
