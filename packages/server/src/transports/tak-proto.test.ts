/**
 * TAK protocol 1 (protobuf) on the live service's CoT transport, against a test TAK Server
 * whose side of the exchange is made with @tak-ps/node-cot (negotiation events, markers) and
 * protobufjs's own varint reader and writer (framing), not with Skywarden's encoder: the
 * negotiation (offer, request, accepted or refused answer), track events as protobuf frames
 * after the switch read by node-cot, markers in protobuf taken as observer detections, a bad
 * frame skipped, an unframeable stream closed and reconnected; on UDP, mesh datagrams in and
 * out and hostile datagrams counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import protobuf from 'protobufjs';
import { cotTime, cotToTakMessage, frameTakMesh, type TrackWire } from '@skywarden/formats';
import { startServer, type RunningServer } from '../server.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { feedScene, http, login, quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';
import { takNegotiation } from './tak-cot.js';

interface NodeCot {
  raw: { event: { _attributes: Record<string, string>; point: { _attributes: Record<string, string | number> }; detail?: Record<string, unknown> } };
  to_proto(version?: number): Uint8Array;
  to_xml(): string;
}
interface NodeCotClass {
  new (x: string | object): NodeCot;
  from_proto(raw: Uint8Array, version?: number): NodeCot;
}
let CoT: NodeCotClass;

/** A negotiation event made by node-cot: `t-x-takp-v` or `t-x-takp-r`, uid `proto-uid-1`. */
function control(type: string, detail: object, t: number): string {
  const a = { version: '2.0', uid: 'proto-uid-1', type, how: 'm-g', time: cotTime(t), start: cotTime(t), stale: cotTime(t + 60) };
  return new CoT({ event: { _attributes: a, point: { _attributes: { lat: 0, lon: 0, hae: 0, ce: 999999, le: 999999 } }, detail: { TakControl: detail } } }).to_xml();
}

/** A TAK user's hostile-drone marker, made by node-cot. */
function marker(uid: string, t: number, lat: number, lon: number): NodeCot {
  return new CoT(
    `<event version="2.0" uid="${uid}" type="a-h-A-M-H-Q" how="h-g-i-g-o" time="${cotTime(t)}" start="${cotTime(t)}" stale="${cotTime(t + 300)}">` +
      `<point lat="${lat}" lon="${lon}" hae="250" ce="15" le="9999999"/><detail><contact callsign="BRAVO-2"/><link relation="p-p" uid="ANDROID-77" type="a-f-G-U-C"/></detail></event>`,
  );
}

/** Stream framing by protobufjs's writer: 0xBF, then the payload as a length-delimited body. */
const streamFrame = (payload: Uint8Array) => Buffer.concat([Buffer.from([0xbf]), protobuf.Writer.create().bytes(payload).finish()]);

/** What a client sent on one connection: XML events before the switch, node-cot events from frames after it. */
interface Conn {
  socket: Socket;
  buf: Buffer;
  xml: string[];
  proto: NodeCot[];
  switched: boolean;
  requests: NodeCot[];
  frameErrors: string[];
  /** A refusal held back until the test sends it. */
  answer?: () => void;
}

/**
 * A test TAK Server. `behaviour(i)` says what connection i does: offer protocol 1 and answer
 * `true` or `false` to the request, or not offer at all.
 */
function takServer(server: Server, behaviour: (i: number) => 'accept' | 'refuse' | 'no-offer' | 'silent', clock: () => number) {
  const conns: Conn[] = [];
  server.on('connection', (s: Socket) => {
    const c: Conn = { socket: s, buf: Buffer.alloc(0), xml: [], proto: [], switched: false, requests: [], frameErrors: [] };
    const mode = behaviour(conns.length);
    conns.push(c);
    s.on('error', () => {});
    // as a TAK Server does: the offer with its version information, at once
    if (mode !== 'no-offer') s.write(control('t-x-takp-v', { TakProtocolSupport: { _attributes: { version: '1' } }, TakServerVersionInfo: { _attributes: { serverVersion: '5.2-RELEASE-16' } } }, clock()));
    s.on('data', (d: Buffer) => {
      c.buf = Buffer.concat([c.buf, d]);
      while (c.buf.length > 0) {
        if (c.switched) {
          // a frame: 0xBF, then protobufjs reads the varint length and the bytes (throws when they are not all here yet)
          if (c.buf[0] !== 0xbf) {
            c.frameErrors.push(`byte 0x${c.buf[0]!.toString(16)} where a frame must start`);
            c.buf = Buffer.alloc(0);
            break;
          }
          const r = protobuf.Reader.create(c.buf.subarray(1));
          let payload: Uint8Array;
          try {
            payload = r.bytes();
          } catch {
            break;
          }
          c.buf = c.buf.subarray(1 + r.pos);
          c.proto.push(CoT.from_proto(payload));
          continue;
        }
        const text = c.buf.toString('utf8');
        const end = text.indexOf('</event>');
        if (end < 0) break;
        const ev = text.slice(0, end + 8).trim();
        c.buf = Buffer.from(text.slice(end + 8), 'utf8');
        if (ev.includes('t-x-takp-q')) {
          c.requests.push(new CoT(ev.replace(/^<\?xml[^>]*\?>\s*/, '')));
          const answer = () => s.write(control('t-x-takp-r', { TakResponse: { _attributes: { status: mode === 'accept' ? 'true' : 'false' } } }, clock()));
          if (mode === 'accept') {
            answer();
            c.switched = true;
          } else if (mode === 'refuse') c.answer = answer;
        } else c.xml.push(ev);
      }
    });
  });
  return {
    conns,
    async close() {
      for (const c of conns) c.socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const trackEvents = (list: NodeCot[]) => list.filter((e) => e.raw.event._attributes.type.startsWith('a-'));

describe('TAK protocol 1 with a TAK Server that offers it', () => {
  const tmp = tempDir();
  let tak: ReturnType<typeof takServer>;
  let srv: RunningServer;
  let now = 0;
  let scene: ReturnType<typeof smallSceneConfig>['scene'];
  const reports: { t: number; tracks: TrackWire[] }[] = [];

  before(async () => {
    CoT = ((await import('@tak-ps/node-cot' as string)) as { default: NodeCotClass }).default;
    const s = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 150 });
    scene = s.scene;
    now = scene.t0;
    const zonesFile = join(tmp.dir, 'zones.geojson');
    const o = scene.origin as unknown as { latDeg: number; lonDeg: number };
    const ring = [[o.lonDeg + 1, o.latDeg + 1], [o.lonDeg + 1.05, o.latDeg + 1], [o.lonDeg + 1.05, o.latDeg + 1.05], [o.lonDeg + 1, o.latDeg + 1]];
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'hq', name: 'HQ' }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
    const tcp = createServer();
    // connection 0 switches to protocol 1; 1 is not offered it; 2 is refused it; 3 never answers; then accepted again
    tak = takServer(tcp, (i) => (i === 0 ? 'accept' : i === 1 ? 'no-offer' : i === 2 ? 'refuse' : i === 3 ? 'silent' : 'accept'), () => now);
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    srv = await startServer({
      config: { ...s.config, zones: { file: zonesFile }, tak: { mode: 'client', host: '127.0.0.1', port: (tcp.address() as { port: number }).port, interval_s: 3, reconnect_max_s: 1 } },
      clock: () => now,
      logger: quietLogger(),
    });
    srv.service.onTracks((t, tracks) => reports.push({ t, tracks: structuredClone(tracks) }));
    await until(() => srv.transports.tak?.tcpProtocol === 1, 10000, 'the switch to protocol 1');
  });
  after(async () => {
    await srv?.close();
    await tak?.close();
    tmp.cleanup();
  });

  it('requests protocol 1 once offered, then streams track events as protobuf frames that node-cot reads', async () => {
    const c0 = tak.conns[0]!;
    assert.equal(c0.requests.length, 1);
    const rq = c0.requests[0]!.raw.event;
    assert.equal(rq._attributes.uid, 'proto-uid-1', 'the request re-uses the offer uid');
    assert.deepEqual((rq.detail as { TakControl: { TakRequest: { _attributes: { version: string } } } }).TakControl.TakRequest._attributes, { version: '1' });

    const rows = scene.detections as unknown as Record<string, unknown>[];
    await feedScene((r) => srv.service.ingest.ingest(null, r, 'test'), rows, (t) => (now = t));
    await until(() => reports.length > 0 && reports[reports.length - 1]!.t >= now - 6, 10000, 'the last reports');
    const st = srv.transports.tak!.stats();
    await until(() => c0.proto.length >= st.tcpEvents, 5000, 'the frames at the TAK Server');
    assert.deepEqual(c0.frameErrors, []);
    assert.equal(trackEvents(c0.xml.map((x) => new CoT(x.replace(/^<\?xml[^>]*\?>\s*/, '')))).length, 0, 'no track event in XML after the offer');
    const events = trackEvents(c0.proto);
    assert.ok(events.length >= 20, `${events.length} track events`);
    assert.equal(events.length, st.trackEvents);
    const byKey = new Map<string, TrackWire>();
    for (const r of reports) for (const tr of r.tracks) byKey.set(`${tr.track}@${cotTime(tr.t)}`, tr);
    for (const e of events) {
      const a = e.raw.event._attributes;
      assert.match(a.uid, /^skywarden-/);
      const tr = byKey.get(`${a.uid.slice('skywarden-'.length)}@${a.start}`);
      assert.ok(tr, `no reported track for ${a.uid} at ${a.start}`);
      assert.equal(tr.status, 'confirmed');
      const p = e.raw.event.point._attributes;
      assert.ok(Math.abs(Number(p.lat) - tr.lat) < 1e-6 && Math.abs(Number(p.lon) - tr.lon) < 1e-6, 'point');
      assert.ok(Math.abs(Date.parse(a.stale) - Date.parse(a.start) - 15000) < 1, 'stale 15 s after start');
      assert.match(String((e.raw.event.detail as { contact: { _attributes: { callsign: string } } }).contact._attributes.callsign), /^SW-/);
    }
  });

  it('takes a protobuf marker as an observer detection; a bad frame between two markers is skipped and counted', async () => {
    const s = tak.conns[0]!.socket;
    const bad0 = srv.transports.tak!.stats().bad;
    const t = now - 2;
    s.write(Buffer.concat([streamFrame(marker('ATAK-p1', t, 37.53, 127.02).to_proto()), streamFrame(Uint8Array.from([0x0a, 0xff, 0xff, 0xff])), streamFrame(marker('ATAK-p2', t, 37.54, 127.03).to_proto())]));
    const rows = async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).filter((d) => d.id.startsWith('cot:ATAK-p'));
    await until(async () => (await rows()).length === 2, 5000, 'both markers in the journal');
    const [d] = (await rows()).filter((x) => x.id.startsWith('cot:ATAK-p1:'));
    assert.equal(d!.row.type, 'position');
    assert.equal(d!.row.lat, 37.53);
    assert.equal(d!.row.lon, 127.02);
    assert.equal(d!.row.alt_m, 250);
    assert.equal(d!.row.pos_sd_m, 15);
    assert.equal(d!.row.callsign, 'BRAVO-2');
    assert.equal(srv.transports.tak!.stats().bad - bad0, 1);
    assert.ok(srv.transports.tak!.connected, 'the stream goes on');
  });

  it('closes a stream that announces a frame over the size limit, reconnects, and stays with XML when not offered protocol 1', async () => {
    const st0 = srv.transports.tak!.stats();
    tak.conns[0]!.socket.write(Uint8Array.from([0xbf, 0xff, 0xff, 0xff, 0xff, 0x0f])); // 4 GiB
    await until(() => tak.conns.length >= 2 && srv.transports.tak!.connected, 10000, 'the reconnection');
    const st = srv.transports.tak!.stats();
    assert.equal(st.unframeable - st0.unframeable, 1);
    assert.equal(st.bad - st0.bad, 1);
    assert.equal(srv.transports.tak!.tcpProtocol, 'xml');
    // an XML marker is read on the new connection, and our events arrive as XML
    const c1 = tak.conns[1]!;
    const n0 = c1.xml.length;
    c1.socket.write(marker('ATAK-x1', now - 1, 37.55, 127.04).to_xml());
    await until(async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).some((d) => d.id.startsWith('cot:ATAK-x1:')), 5000, 'the XML marker');
    assert.equal((await http(srv.httpPort, 'GET', '/api/v1/health')).status, 200);
    assert.equal(c1.requests.length, 0, 'no request without an offer');
    assert.equal(c1.proto.length, 0);
    // the client's events on this connection are XML
    const token = await login(srv.httpPort, 'op', 'op-secret-1');
    const r = await http(srv.httpPort, 'POST', '/api/v1/zones/hq/alert', { token, body: { action: 'raise', reason: 'test' } });
    assert.equal(r.status, 200, r.text);
    await until(() => c1.xml.slice(n0).some((x) => x.includes('uid="skywarden-zone-hq"')), 5000, 'the zone shape in XML');
  });

  it('stays with XML, and sends what it held, when the server refuses protocol 1', async () => {
    tak.conns[1]!.socket.destroy();
    await until(() => tak.conns.length >= 3 && srv.transports.tak!.connected, 10000, 'the third connection');
    const c2 = tak.conns[2]!;
    await until(() => c2.requests.length === 1 && c2.answer !== undefined, 5000, 'the request');
    // while the request awaits its answer the client sends nothing: the shape of the alert's end is held
    const n0 = c2.xml.length;
    const held = srv.transports.tak!.stats().tcpEvents;
    const h0 = srv.transports.tak!.heldEvents;
    const token = await login(srv.httpPort, 'op', 'op-secret-1');
    const r = await http(srv.httpPort, 'POST', '/api/v1/zones/hq/alert', { token, body: { action: 'end', reason: 'test' } });
    assert.equal(r.status, 200, r.text);
    // the shape was made and held (a positive signal), and none of it reached the server
    await until(() => srv.transports.tak!.heldEvents > h0, 5000, 'the shape of the alert end to be held');
    assert.equal(c2.xml.length, n0, 'nothing sent while awaiting the answer');
    assert.equal(srv.transports.tak!.stats().tcpEvents, held);
    c2.answer!();
    await until(() => c2.xml.slice(n0).some((x) => x.includes('uid="skywarden-zone-hq"') && x.includes('state="clear"')), 5000, 'the held shape, in XML, after the refusal');
    assert.equal(srv.transports.tak!.stats().tcpEvents, held + 1);
    assert.equal(srv.transports.tak!.tcpProtocol, 'xml');
    assert.equal(c2.switched, false);
    assert.deepEqual(c2.proto, []);
  });

  it('closes the connection and starts again when the request gets no answer in time', async () => {
    const was = takNegotiation.answerTimeoutS;
    takNegotiation.answerTimeoutS = 0.5;
    try {
      tak.conns[2]!.socket.destroy();
      await until(() => tak.conns.length >= 4 && tak.conns[3]!.requests.length === 1, 10000, 'the request on the fourth connection');
      const c3 = tak.conns[3]!;
      await until(() => c3.socket.destroyed || c3.socket.readableEnded, 10000, 'the client to give up on the silent server');
      await until(() => tak.conns.length >= 5, 10000, 'the reconnection after the timeout');
      assert.equal(c3.proto.length, 0);
      await until(() => srv.transports.tak!.tcpProtocol === 1, 10000, 'protocol 1 on the new connection, whose server answers');
    } finally {
      takNegotiation.answerTimeoutS = was;
    }
  });
});

describe('TAK protocol 1 over UDP (tak.protocol: 1): mesh datagrams in and out', () => {
  const tmp = tempDir();
  let srv: RunningServer;
  let rx: UdpSocket;
  const got: Buffer[] = [];
  let now = 0;
  let scene: ReturnType<typeof smallSceneConfig>['scene'];

  before(async () => {
    CoT = ((await import('@tak-ps/node-cot' as string)) as { default: NodeCotClass }).default;
    rx = createSocket('udp4');
    rx.on('message', (m) => got.push(m));
    rx.bind(0, '127.0.0.1');
    await once(rx, 'listening');
    const s = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 120 });
    scene = s.scene;
    now = scene.t0;
    const zonesFile = join(tmp.dir, 'zones.geojson');
    const o = scene.origin as unknown as { latDeg: number; lonDeg: number };
    const ring = [[o.lonDeg + 1, o.latDeg + 1], [o.lonDeg + 1.05, o.latDeg + 1], [o.lonDeg + 1.05, o.latDeg + 1.05], [o.lonDeg + 1, o.latDeg + 1]];
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'hq', name: 'HQ' }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
    srv = await startServer({
      config: { ...s.config, zones: { file: zonesFile }, tak: { protocol: 1, interval_s: 3, udp: { mode: 'unicast', host: '127.0.0.1', port: rx.address().port }, listen: { enabled: true, host: '127.0.0.1', port: 0 } } },
      clock: () => now,
      logger: quietLogger(),
    });
  });
  after(async () => {
    await srv?.close();
    rx?.close();
    tmp.cleanup();
  });

  it('reads node-cot protobuf markers as observer detections; hostile datagrams are counted and the service keeps serving', async () => {
    const tx = createSocket('udp4');
    const send = (b: Uint8Array) => new Promise<void>((r) => tx.send(b, srv.transports.takUdpPort!, '127.0.0.1', () => r()));
    const bad0 = srv.transports.tak!.stats().bad;
    await send(Uint8Array.from([0xbf])); // no version
    await send(Uint8Array.from([0xbf, ...new Array(11).fill(0xff)])); // an endless varint
    await send(Uint8Array.from([0xbf, 0x02, 0xbf, 0x12, 0x00])); // version 2
    await send(Uint8Array.from([0xbf, 0x01, 0xbf, 0x12, 0x05, 0x0a])); // truncated field
    await send(Buffer.concat([Buffer.from([0xbf, 0x01, 0xbf]), marker('ATAK-u1', now - 1, 37.56, 127.05).to_proto()]));
    await until(async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).some((d) => d.id.startsWith('cot:ATAK-u1:')), 5000, 'the protobuf marker');
    tx.close();
    const [d] = (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).filter((x) => x.id.startsWith('cot:ATAK-u1:'));
    assert.equal(d!.row.lat, 37.56);
    assert.equal(d!.row.callsign, 'BRAVO-2');
    assert.equal(srv.transports.tak!.stats().bad - bad0, 4);
    assert.ok(srv.transports.tak!.stats().protoReceived >= 2);
    assert.equal((await http(srv.httpPort, 'GET', '/api/v1/health')).status, 200);
  });

  it('sends track events as mesh datagrams (0xBF 1 0xBF) that node-cot reads', async () => {
    const reports: { t: number; tracks: TrackWire[] }[] = [];
    srv.service.onTracks((t, tracks) => reports.push({ t, tracks: structuredClone(tracks) }));
    const rows = scene.detections as unknown as Record<string, unknown>[];
    await feedScene((r) => srv.service.ingest.ingest(null, r, 'test'), rows, (t) => (now = t));
    const st = srv.transports.tak!.stats();
    assert.ok(st.trackEvents >= 10, `${st.trackEvents} track events`);
    await until(() => got.length >= srv.transports.tak!.stats().udpEvents, 5000, 'the datagrams');
    for (const g of got) assert.deepEqual([...g.subarray(0, 3)], [0xbf, 0x01, 0xbf]);
    const events = got.map((g) => CoT.from_proto(g.subarray(3)));
    const byKey = new Map<string, TrackWire>();
    for (const r of reports) for (const tr of r.tracks) byKey.set(`${tr.track}@${cotTime(tr.t)}`, tr);
    let matched = 0;
    for (const e of trackEvents(events)) {
      const a = e.raw.event._attributes;
      const tr = byKey.get(`${a.uid.slice('skywarden-'.length)}@${a.start}`);
      if (!tr) continue; // reports before the listener above was added
      matched++;
      assert.ok(Math.abs(Number(e.raw.event.point._attributes.lat) - tr.lat) < 1e-6);
    }
    assert.ok(matched >= 10, `${matched} events matched reported tracks`);
    // each datagram advertises the versions we decode (the mesh rule), read with the ATAK schema layout
    const T = protobuf.Root.fromJSON({ nested: { M: { fields: { takControl: { type: 'C', id: 1 } } }, C: { fields: { minProtoVersion: { type: 'uint32', id: 1 }, maxProtoVersion: { type: 'uint32', id: 2 } } } } }).lookupType('M');
    assert.deepEqual(T.toObject(T.decode(got[0]!.subarray(3))), { takControl: { minProtoVersion: 1, maxProtoVersion: 1 } });
  });

  it('broadcasts XML while an XML-only contact is on the group, saying so with a TakControl; protocol 1 again once the contact advertises it', async () => {
    const tx = createSocket('udp4');
    const send = (b: Uint8Array) => new Promise<void>((r) => tx.send(b, srv.transports.takUdpPort!, '127.0.0.1', () => r()));
    const markers = async (uid: string) => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).filter((d) => d.id.startsWith(`cot:${uid}:`)).length;
    const T = protobuf.Root.fromJSON({ nested: { M: { fields: { takControl: { type: 'C', id: 1 }, cotEvent: { type: 'bytes', id: 2 } } }, C: { fields: { minProtoVersion: { type: 'uint32', id: 1 }, maxProtoVersion: { type: 'uint32', id: 2 } } } } }).lookupType('M');
    const isControlOnly = (g: Buffer) => g[0] === 0xbf && g[1] === 1 && g[2] === 0xbf && JSON.stringify(T.toObject(T.decode(g.subarray(3)))) === JSON.stringify({ takControl: { minProtoVersion: 1, maxProtoVersion: 1 } });
    const isZone = (g: Buffer) => g.includes('skywarden-zone-hq');
    const token = await login(srv.httpPort, 'op', 'op-secret-1');
    // a legacy client's event in XML (no TakControl): it decodes only version 0
    const n0 = got.length;
    const c0 = srv.transports.tak!.stats().controlsSent;
    await send(Buffer.from(marker('WinTAK-legacy', now - 1, 37.5, 127.0).to_xml()));
    await until(async () => (await markers('WinTAK-legacy')) === 1, 5000, 'the legacy marker');
    const r = await http(srv.httpPort, 'POST', '/api/v1/zones/hq/alert', { token, body: { action: 'raise', reason: 'test' } });
    assert.equal(r.status, 200, r.text);
    await until(() => got.slice(n0).some(isZone), 5000, 'the zone shape');
    const xmlShapes = got.slice(n0).filter(isZone);
    assert.ok(xmlShapes.every((g) => g.toString('utf8').startsWith('<?xml')), 'the shapes go out as XML');
    assert.ok(srv.transports.tak!.stats().controlsSent > c0, 'the change is announced with a TakControl');
    assert.ok(got.slice(n0).some(isControlOnly), 'a standalone TakControl datagram (protocol 1, versions 1..1)');
    // the same contact now sends protocol 1 with a TakControl for versions 1..1: protocol 1 again
    const n1 = got.length;
    await send(frameTakMesh(cotToTakMessage(marker('WinTAK-legacy', now, 37.51, 127.01).to_xml(), { control: { minProtoVersion: 1, maxProtoVersion: 1, contactUid: 'WinTAK-legacy' } })));
    await until(async () => (await markers('WinTAK-legacy')) === 2, 5000, 'the protocol 1 marker');
    const e = await http(srv.httpPort, 'POST', '/api/v1/zones/hq/alert', { token, body: { action: 'end', reason: 'test' } });
    assert.equal(e.status, 200, e.text);
    await until(() => got.slice(n1).some((g) => g[0] === 0xbf && !isControlOnly(g)), 5000, 'a protocol 1 event');
    const shapes = got.slice(n1).filter((g) => g[0] === 0xbf && !isControlOnly(g)).map((g) => CoT.from_proto(g.subarray(3)));
    assert.ok(shapes.some((x) => x.raw.event._attributes.uid === 'skywarden-zone-hq'), 'node-cot reads the shape in protocol 1');
    assert.ok(!got.slice(n1).some((g) => g.toString('utf8').startsWith('<?xml')), 'no XML any more');
    tx.close();
  });
});
