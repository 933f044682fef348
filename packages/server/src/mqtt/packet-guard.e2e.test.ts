/**
 * The embedded broker against messages too large and packets that stop half-way (an outside
 * probe, 2026-12-06: a PUBLISH over the size guard closed the connection with no report, so an
 * MQTT 3.1.1 sensor resent it forever and its later messages waited behind it; 200 logged-in
 * connections stalled inside large publishes held 174 MB, and nothing ever closed them).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { startServer, type RunningServer } from '../server.js';
import { MAX_UNSOLICITED_ACKS } from './packet-guard.js';
import { quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';

const gen = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);
const row = (id: string, i = 0) => JSON.stringify({ t: 1764000000 + i, sensor: 'adsb-1', type: 'position', id, lat: 37.5, lon: 127, alt_m: 1000, pos_sd_m: 30 });

/** A raw MQTT 3.1.1 connection logged in as adsb-1, keepalive off (nothing but the guard times it). */
async function rawLogin(port: number, clientId: string, clean = true): Promise<{ sock: Socket; packets: mqttPacket.Packet[]; closed: () => boolean }> {
  const sock = connect(port, '127.0.0.1');
  let closed = false;
  sock.on('error', () => {});
  sock.on('close', () => (closed = true));
  await once(sock, 'connect');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: mqttPacket.Packet[] = [];
  parser.on('packet', (p) => packets.push(p));
  sock.on('data', (d) => parser.parse(d));
  sock.write(gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, clientId, keepalive: 0, username: 'adsb-1', password: Buffer.from('token-adsb-1') }));
  await until(async () => packets.some((p) => p.cmd === 'connack'), 5000, 'CONNACK');
  return { sock, packets, closed: () => closed };
}

describe('MQTT packets too large or stalled', () => {
  let srv: RunningServer;
  const tmp = tempDir();
  before(async () => {
    const { config } = smallSceneConfig({ dataDir: tmp.dir, durationS: 30 });
    (config.mqtt as Record<string, unknown>) = { port: 0, max_message_bytes: 256 * 1024, packet_timeout_s: 1, min_upload_bytes_per_s: 1 << 20, session_expiry_max_s: 600, max_pending_sessions: 3 };
    srv = await startServer({ config, logger: quietLogger() });
  });
  after(async () => {
    await srv.close();
    tmp.cleanup();
  });
  const stored = async (id: string) => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, limit: 100_000 })).some((e) => e.id === id);

  it('MQTT 3.1.1: a QoS 1 message of 3 MB is acknowledged and reported as too large, the connection stays, and the next message is journalled', async () => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: 'adsb-1', password: 'token-adsb-1', protocolVersion: 4, reconnectPeriod: 0 });
    const reports: { code?: string; message?: string }[] = [];
    c.on('message', (_t, m) => reports.push(JSON.parse(m.toString()) as { code?: string; message?: string }));
    await c.subscribeAsync('skywarden/v1/adsb-1/errors', { qos: 0 });
    let closes = 0;
    c.on('close', () => closes++);
    // a batch of 3 MiB: valid detections, just too many bytes
    const lines: string[] = [];
    for (let i = 0; lines.join('\n').length < 3 * 1024 * 1024; i++) lines.push(...Array.from({ length: 1000 }, (_, k) => row(`huge-${i}-${k}`, k)));
    const huge = lines.join('\n');
    await c.publishAsync('skywarden/v1/adsb-1/detections', huge, { qos: 1 });
    await c.publishAsync('skywarden/v1/adsb-1/detections', row('after-huge', 5), { qos: 1 });
    await until(async () => reports.some((r) => r.code === 'payload_too_large'), 5000, 'the error report');
    const rep = reports.find((r) => r.code === 'payload_too_large')!;
    assert.equal(rep.message, `message of ${Buffer.byteLength(huge)} bytes; at most ${256 * 1024} (mqtt.max_message_bytes)`);
    assert.ok(await stored('after-huge'), 'the message after it is journalled');
    assert.equal(await stored('huge-0-0'), false, 'nothing of the refused message is journalled');
    assert.equal(closes, 0, 'the connection stayed');
    await c.endAsync();
  });

  it('MQTT 5: the PUBACK of a message too large carries reason 0x87 and says why', async () => {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: 'adsb-1', password: 'token-adsb-1', protocolVersion: 5, reconnectPeriod: 0 });
    const acks: { reasonCode?: number; properties?: { reasonString?: string } }[] = [];
    c.on('packetreceive', (pk) => {
      if (pk.cmd === 'puback') acks.push(pk as never);
    });
    const err = await c.publishAsync('skywarden/v1/adsb-1/detections', Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 1, properties: { userProperties: { unit: 'm5' } } }).then(
      () => null,
      (e: Error & { code?: number }) => e,
    );
    assert.ok(err, 'the publish was refused');
    assert.equal(err.code, 0x87);
    assert.equal(acks.at(-1)?.reasonCode, 0x87);
    assert.match(acks.at(-1)?.properties?.reasonString ?? '', /^payload_too_large: message of 2097152 bytes; at most 262144/);
    await c.publishAsync('skywarden/v1/adsb-1/detections', row('after-huge-5', 6), { qos: 1 });
    assert.ok(await stored('after-huge-5'));
    await c.endAsync();
  });

  it('a PUBLISH announcing 128 MB is not held: the broker drops its bytes as they come and acknowledges it at its end', async () => {
    const { sock, packets, closed } = await rawLogin(srv.mqttPort!, 'raw-huge');
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const total = 128 * 1024 * 1024;
    const head = gen({ cmd: 'publish', topic: 'skywarden/v1/adsb-1/detections', qos: 1, messageId: 77, retain: false, dup: false, payload: Buffer.alloc(0) });
    // the same header with the remaining length of a 128 MiB payload
    const topicAndId = head.subarray(2);
    const len = topicAndId.length + total;
    const lenBytes: number[] = [];
    for (let n = len; ; ) {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      lenBytes.push(b);
      if (n === 0) break;
    }
    sock.write(Buffer.from([0x32, ...lenBytes]));
    sock.write(topicAndId);
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    let peak = 0;
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!sock.write(chunk)) await once(sock, 'drain');
      if ((sent / chunk.length) % 16 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0);
    }
    await until(async () => packets.some((p) => p.cmd === 'puback' && p.messageId === 77), 20_000, 'the PUBACK of the 128 MiB message');
    assert.equal(closed(), false);
    assert.ok(peak < 32 * 1024 * 1024, `memory grew by ${peak} bytes while 128 MiB went through`);
    console.log(`128 MiB PUBLISH dropped as it came: heap and buffers grew by at most ${(peak / 1048576).toFixed(1)} MiB`);
    sock.destroy();
  });

  it('a QoS 1 PUBLISH with packet identifier 0 closes the connection, unacknowledged and not journalled; the same with identifier 5 is taken', async () => {
    const bad = await rawLogin(srv.mqttPort!, 'raw-id0');
    bad.sock.write(gen({ cmd: 'publish', topic: 'skywarden/v1/adsb-1/detections', qos: 1, messageId: 0, retain: false, dup: false, payload: Buffer.from(row('id0-1', 9)) }));
    await until(async () => bad.closed(), 5000, 'the connection closed');
    assert.equal(bad.packets.filter((p) => p.cmd === 'puback').length, 0, 'no PUBACK');
    assert.equal(await stored('id0-1'), false, 'not journalled');
    const good = await rawLogin(srv.mqttPort!, 'raw-id5');
    good.sock.write(gen({ cmd: 'publish', topic: 'skywarden/v1/adsb-1/detections', qos: 1, messageId: 5, retain: false, dup: false, payload: Buffer.from(row('id5-1', 10)) }));
    await until(async () => good.packets.some((p) => p.cmd === 'puback' && p.messageId === 5), 5000, 'the PUBACK');
    assert.ok(await stored('id5-1'));
    assert.equal(good.closed(), false);
    good.sock.destroy();
  });

  it('a QoS 1 will on the sensor\'s own topic is journalled when its connection drops (it carries no packet identifier: not a protocol error)', async () => {
    for (const protocolVersion of [4, 5] as const) {
      const id = `will-q1-v${protocolVersion}`;
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: 'adsb-1', password: 'token-adsb-1', protocolVersion, reconnectPeriod: 0, will: { topic: 'skywarden/v1/adsb-1/detections', payload: Buffer.from(row(id, 11)), qos: 1, retain: false } });
      (c as unknown as { stream: Socket }).stream.destroy();
      await until(async () => stored(id), 5000, `the will of MQTT ${protocolVersion === 4 ? '3.1.1' : '5'} journalled`);
    }
  });

  it('a logged-in connection that stops inside a packet is closed once the packet is late; an idle one between packets and a slow one within its time are not', async () => {
    const idle = await rawLogin(srv.mqttPort!, 'raw-idle');
    const stall = await rawLogin(srv.mqttPort!, 'raw-stall');
    const slow = await rawLogin(srv.mqttPort!, 'raw-slow');
    idle.sock.write(gen({ cmd: 'publish', topic: 'skywarden/v1/adsb-1/detections', qos: 1, messageId: 1, retain: false, dup: false, payload: Buffer.from(row('idle-1', 7)) }));
    // 200 kB announced, 100 kB sent, then nothing: 1 s of grace and 0.2 s at 1 MiB/s
    const pkt = gen({ cmd: 'publish', topic: 'skywarden/v1/adsb-1/detections', qos: 1, messageId: 2, retain: false, dup: false, payload: Buffer.alloc(200_000, 0x20) });
    const t0 = Date.now();
    stall.sock.write(pkt.subarray(0, 100_000));
    // a packet of one detection, sent in 4 pieces 200 ms apart (0.6 s, within its 1 s)
    const good = gen({ cmd: 'publish', topic: 'skywarden/v1/adsb-1/detections', qos: 1, messageId: 3, retain: false, dup: false, payload: Buffer.from(row('slow-1', 8)) });
    const q = Math.ceil(good.length / 4);
    for (let k = 0; k < 4; k++) {
      slow.sock.write(good.subarray(k * q, (k + 1) * q));
      await new Promise((r) => setTimeout(r, 200));
    }
    await until(async () => stall.closed(), 5000, 'the stalled connection closed');
    const took = Date.now() - t0;
    assert.ok(took >= 1100, `closed after ${took} ms, before its packet was late`);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(idle.closed(), false, 'idle between packets: kept');
    assert.equal(slow.closed(), false, 'slow within its time: kept');
    assert.ok(slow.packets.some((p) => p.cmd === 'puback' && p.messageId === 3));
    assert.ok(await stored('slow-1'));
    assert.ok(await stored('idle-1'));
    idle.sock.destroy();
    slow.sock.destroy();
  });

  it('QoS 2 messages whose PUBREL never comes: their ids are kept, not their payloads, and a clean session\'s go with it; a persistent one\'s PUBREL is answered', async () => {
    const gauge = async () => (await srv.service.metrics.unreleasedQos2.get()).values[0]?.value ?? 0;
    const n = 200;
    const base = await gauge();
    const sendAll = async (c: Awaited<ReturnType<typeof rawLogin>>, tag: string) => {
      // each a valid detection padded to 200 KB (the probe's were 256 KiB: 2.1 GB held after four client ids)
      for (let i = 1; i <= n; i++) c.sock.write(gen({ cmd: 'publish', topic: 'skywarden/v1/adsb-1/detections', qos: 2, messageId: i, retain: false, dup: false, payload: Buffer.from(row(`${tag}-${i}`, i) + ' '.repeat(200_000)) }));
      await until(async () => c.packets.filter((p) => p.cmd === 'pubrec').length === n, 20_000, `${n} PUBRECs`);
    };
    const port = srv.mqttPort!;
    const clean = await rawLogin(port, 'qos2-clean');
    await sendAll(clean, 'q2c');
    assert.equal((await gauge()) - base, n, 'held until their PUBREL');
    assert.ok(await stored('q2c-1') && (await stored(`q2c-${n}`)), 'journalled when received (acknowledged by the PUBREC)');
    clean.sock.end(gen({ cmd: 'disconnect' }));
    await until(async () => (await gauge()) === base, 5000, 'the clean session\'s ids dropped when it ended');

    const kept = await rawLogin(port, 'qos2-persistent', false);
    await sendAll(kept, 'q2p');
    kept.sock.destroy();
    const again = await rawLogin(port, 'qos2-persistent', false);
    assert.equal((await gauge()) - base, n, 'a persistent session keeps them across a reconnect');
    for (let i = 1; i <= n; i++) again.sock.write(gen({ cmd: 'pubrel', messageId: i }));
    await until(async () => again.packets.filter((p) => p.cmd === 'pubcomp').length === n, 10_000, `${n} PUBCOMPs`);
    assert.equal(await gauge(), base, 'released');
    again.sock.destroy();
  });

  it('MQTT 5 sessions: the expiry asked is cut to mqtt.session_expiry_max_s, and at most mqtt.max_pending_sessions outlive their connection (the rest end with it, counted)', async () => {
    const counted = async () => (await srv.service.metrics.rejected.get()).values.find((v) => v.labels.source === 'mqtt' && v.labels.reason === 'session_limit')?.value ?? 0;
    const base = await counted();
    const opts = (clientId: string) => ({
      username: 'adsb-1', password: 'token-adsb-1', protocolVersion: 5 as const, reconnectPeriod: 0, clientId, clean: false,
      properties: { sessionExpiryInterval: 0xffffffff },
      will: { topic: 'skywarden/v1/adsb-1/status', payload: Buffer.alloc(60_000, 0x20), qos: 0 as const, retain: false, properties: { willDelayInterval: 0xfffffff } },
    });
    const first = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, opts('keep-0'));
    const connack = await new Promise<mqttPacket.IConnackPacket>((resolve) => {
      if ((first as unknown as { connackPacket?: mqttPacket.IConnackPacket }).connackPacket) resolve((first as unknown as { connackPacket: mqttPacket.IConnackPacket }).connackPacket);
      else first.once('connect', (p) => resolve(p));
    });
    assert.equal(connack.properties?.sessionExpiryInterval, 600, 'told the expiry it has');
    (first as unknown as { stream: Socket }).stream.destroy();
    // five more sessions left behind by dropped connections: three are kept in all, the rest end at once
    for (let k = 1; k <= 5; k++) {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, opts(`keep-${k}`));
      (c as unknown as { stream: Socket }).stream.destroy();
      await new Promise((r) => setTimeout(r, 50));
    }
    // each of the three beyond the cap counted twice: its session ended, and its delayed will sent at once (wills are capped apart)
    await until(async () => (await counted()) - base >= 6, 5000, 'sessions past the cap ended and counted');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await counted()) - base, 6, '6 sessions and wills, 3 of each kept');
  });

  it('PUBACKs for nothing the broker sent are dropped and, past a few dozen, the connection is closed (MQTT 5: DISCONNECT 0x96); the service goes on', async () => {
    const c = await rawLogin(srv.mqttPort!, 'ack-flood');
    const flood = Buffer.concat(Array.from({ length: 5000 }, (_, k) => gen({ cmd: 'puback', messageId: (k % 60000) + 1 })));
    c.sock.write(flood);
    await until(async () => c.closed(), 5000, 'the flooding connection closed');
    const flooded = (await srv.service.metrics.rejected.get()).values.find((v) => v.labels.source === 'mqtt' && v.labels.reason === 'flood')?.value ?? 0;
    assert.ok(flooded >= 1, 'counted');
    // a well-behaved sensor is served meanwhile
    const good = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: 'adsb-1', password: 'token-adsb-1', protocolVersion: 4, reconnectPeriod: 0 });
    await good.publishAsync('skywarden/v1/adsb-1/detections', row('after-ack-flood', 3), { qos: 1 });
    assert.ok(await stored('after-ack-flood'));
    await good.endAsync();
    assert.ok(MAX_UNSOLICITED_ACKS < 5000);
  });

  it('a subscription to a topic other than the sensor\'s errors is refused in the SUBACK, and the connection stays', async () => {
    for (const protocolVersion of [4, 5] as const) {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${srv.mqttPort}`, { username: 'adsb-1', password: 'token-adsb-1', protocolVersion, reconnectPeriod: 0 });
      let closes = 0;
      c.on('close', () => closes++);
      // the client rejects a SUBACK with a failure in it, and gives the packet
      const suback = await c.subscribeAsync(['skywarden/v1/radar-1/errors', '#', 'skywarden/v1/adsb-1/errors'], { qos: 0 }).then(
        () => null,
        (e: Error & { packet?: { granted?: number[] } }) => e.packet,
      );
      assert.deepEqual(suback?.granted, [protocolVersion === 5 ? 0x87 : 0x80, protocolVersion === 5 ? 0x87 : 0x80, 0], `MQTT ${protocolVersion}`);
      await c.publishAsync('skywarden/v1/adsb-1/detections', row(`after-sub-${protocolVersion}`, 9), { qos: 1 });
      assert.equal(closes, 0, 'the connection stayed');
      assert.ok(await stored(`after-sub-${protocolVersion}`));
      await c.endAsync();
    }
  });
});
