/**
 * TAK protocol 1 (protobuf): round trips, and two independent peers. @tak-ps/node-cot reads
 * our payloads (deframed here with protobufjs's own varint reader) and writes payloads we
 * read; node-cot's copy of the ATAK .proto files, loaded by protobufjs, checks the field
 * layout of what we write. Framers are fed every split of their input and hostile bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { createGeoArea } from '@skywarden/core';
import type { TrackWire } from '../live/wire.js';
import type { Zone } from '../interchange/zones.js';
import {
  alertToCot,
  cotToTakMessage,
  createTakStreamReader,
  decodeTakMessage,
  frameTakMesh,
  frameTakStream,
  parseCot,
  parseXml,
  readTakMeshDatagram,
  takControlEvent,
  takControlOf,
  trackToCot,
  type XmlElement,
} from './index.js';

interface NodeCot {
  raw: { event: { _attributes: Record<string, string>; point: { _attributes: Record<string, string | number> }; detail?: Record<string, { _attributes?: Record<string, unknown> }> } };
  to_proto(version?: number): Uint8Array;
  to_xml(): string;
}
interface NodeCotClass {
  new (xml: string): NodeCot;
  from_proto(raw: Uint8Array, version?: number): NodeCot;
}
const nodeCot = async (): Promise<NodeCotClass> => ((await import('@tak-ps/node-cot' as string)) as { default: NodeCotClass }).default;

/** node-cot's copy of the ATAK-CIV .proto files, read by protobufjs: a schema we did not write. */
async function atakSchema(): Promise<protobuf.Type> {
  const req = createRequire(import.meta.url);
  const dir = join(dirname(req.resolve('@tak-ps/node-cot')), '..', 'lib', 'proto');
  const root = await protobuf.load(join(dir, 'takmessage.proto'));
  return root.lookupType('atakmap.commoncommo.protobuf.v1.TakMessage');
}

function track(over: Partial<TrackWire> = {}): TrackWire {
  return {
    t: 1764000000.25,
    track: '17',
    lat: 37.61234567,
    lon: 126.98765432,
    alt_m: 320.4,
    ve_mps: 30,
    vn_mps: -40,
    pos_sd_m: 85.3,
    status: 'confirmed',
    class: { piston_owa: 0.91, jet_owa: 0.05 },
    label: 'piston_owa',
    threat: 0.96,
    affiliation: 'hostile',
    speed_mps: 50,
    course_deg: 143.13,
    sensors: ['ac-0001', 'ob-<7>&"q"'],
    ...over,
  } as TrackWire;
}

function zone(): Zone {
  const ring = new Float64Array([126.9, 37.5, 127.1, 37.5, 127.1, 37.7, 126.9, 37.7, 126.9, 37.5]);
  return { id: 'seoul-jongno', name: 'Jongno & co', area: createGeoArea([{ rings: [ring] }]) };
}

/** A TAK user's marker as XML (what ATAK sends for a hostile drone it sees). */
function marker(uid: string, time: string, lat: number, lon: number): string {
  return (
    `<event version="2.0" uid="${uid}" type="a-h-A-M-F-Q" how="h-g-i-g-o" time="${time}" start="${time}" stale="2099-01-01T00:00:00Z">` +
    `<point lat="${lat}" lon="${lon}" hae="150.5" ce="20" le="9999999.0"/>` +
    `<detail><contact callsign="ALPHA-1"/><link relation="p-p" uid="ANDROID-1234" type="a-f-G-U-C"/><__group name="Cyan" role="Team Member"/></detail></event>`
  );
}

/** An element as a comparable value: attributes, text, and children sorted by their text form. */
function canon(el: XmlElement): unknown {
  // typed messages carry numbers: <track> speed and course compare by value
  const attrs = Object.entries(el.attrs).map(([k, v]) => [k, el.name === 'track' ? String(Number(v)) : v]);
  return { name: el.name, attrs: attrs.sort(), text: el.text.trim(), children: el.children.map((c) => JSON.stringify(canon(c))).sort() };
}
function parsed(xml: string): XmlElement {
  const r = parseXml(xml);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.root;
}

/** Protobufjs's own varint reader removes the stream header: 0xBF, length, payload. */
function deframeStream(b: Uint8Array): Uint8Array {
  assert.equal(b[0], 0xbf);
  const r = protobuf.Reader.create(b.subarray(1));
  const payload = r.bytes();
  assert.equal(r.pos, r.len, 'nothing after the one frame');
  return payload;
}

test('a track event survives XML → protocol 1 → XML: same attributes, point and detail elements', () => {
  const xml = trackToCot(track(), { opex: 'e' });
  const bytes = cotToTakMessage(xml);
  assert.ok(bytes.length < Buffer.byteLength(xml), `${bytes.length} bytes in protobuf against ${Buffer.byteLength(xml)} in XML`);
  const d = decodeTakMessage(bytes);
  assert.ok(d.ok && d.xml !== null, d.ok ? 'no event' : d.reason);
  assert.equal(d.control, null);
  const a = parsed(xml);
  const b = parsed(d.xml);
  assert.deepEqual(b.attrs, a.attrs);
  const pa = a.children.find((c) => c.name === 'point')!.attrs;
  const pb = b.children.find((c) => c.name === 'point')!.attrs;
  for (const k of ['lat', 'lon', 'hae', 'ce', 'le']) assert.equal(Number(pb[k]), Number(pa[k]), k);
  const detail = (e: XmlElement) => canon(e.children.find((c) => c.name === 'detail')!);
  assert.deepEqual(detail(b), detail(a));

  // and a zone shape with its links, colours and Skywarden detail
  for (const shape of alertToCot(zone(), { t: 1764000100, zone: 'seoul-jongno', state: 'alert', tracks: ['17'] } as never)) {
    const r = decodeTakMessage(cotToTakMessage(shape));
    assert.ok(r.ok && r.xml !== null);
    assert.deepEqual(parsed(r.xml).attrs, parsed(shape).attrs);
    assert.deepEqual(detail(parsed(r.xml)), detail(parsed(shape)));
  }
});

test('the field layout matches the ATAK .proto files: contact and track as messages, the rest in xmlDetail', async () => {
  const T = await atakSchema();
  const t = track();
  const m = T.toObject(T.decode(cotToTakMessage(trackToCot(t))), { longs: Number }) as {
    cotEvent: { uid: string; type: string; how: string; sendTime: number; startTime: number; staleTime: number; lat: number; lon: number; hae: number; ce: number; le: number; detail: { xmlDetail: string; contact?: { callsign: string }; track?: { speed: number; course: number } } };
  };
  const e = m.cotEvent;
  assert.equal(e.uid, 'skywarden-17');
  assert.equal(e.type, 'a-h-A-M-F-Q');
  assert.equal(e.how, 'm-f');
  assert.equal(e.startTime, Math.round(t.t * 1000));
  assert.equal(e.staleTime, Math.round((t.t + 15) * 1000));
  assert.ok(Math.abs(e.lat - t.lat) < 1e-7 && Math.abs(e.lon - t.lon) < 1e-7);
  assert.equal(e.hae, 320.4);
  assert.equal(e.ce, 85.3);
  assert.equal(e.le, 9999999);
  assert.equal(e.detail.contact?.callsign, 'SW-17 piston_owa');
  assert.equal(e.detail.track?.speed, 50);
  assert.equal(e.detail.track?.course, 143.1);
  assert.doesNotMatch(e.detail.xmlDetail, /<contact|<track /, 'typed elements are not repeated in xmlDetail');
  assert.match(e.detail.xmlDetail, /^<remarks>.*<\/remarks><skywarden /);
  assert.match(e.detail.xmlDetail, /id="ob-&lt;7&gt;&amp;&quot;q&quot;"/);

  // a whole element or nothing: a contact with an attribute Contact cannot hold stays XML
  const odd = trackToCot(t).replace('<contact callsign=', '<contact phone="555" callsign=');
  const m2 = T.toObject(T.decode(cotToTakMessage(odd))) as { cotEvent: { detail: { xmlDetail: string; contact?: unknown } } };
  assert.equal(m2.cotEvent.detail.contact, undefined);
  assert.match(m2.cotEvent.detail.xmlDetail, /<contact phone="555" callsign="SW-17 piston_owa"\/>/);
});

test('node-cot reads our protocol 1 bytes, mesh and stream framed, with the same uid, type, point and times', async () => {
  const CoT = await nodeCot();
  const t = track();
  const xml = trackToCot(t, { now: t.t + 2 });
  const payload = cotToTakMessage(xml);
  const mesh = frameTakMesh(payload);
  assert.deepEqual([...mesh.subarray(0, 3)], [0xbf, 0x01, 0xbf]);
  const stream = frameTakStream(payload);
  assert.ok(payload.length > 127, 'a two-byte length varint is exercised');
  for (const body of [mesh.subarray(3), deframeStream(stream)]) {
    const c = CoT.from_proto(body);
    const a = c.raw.event._attributes;
    assert.equal(a.uid, 'skywarden-17');
    assert.equal(a.type, 'a-h-A-M-F-Q');
    assert.equal(a.how, 'm-f');
    assert.equal(Date.parse(a.time) / 1000, t.t + 2);
    assert.equal(Date.parse(a.start) / 1000, t.t);
    assert.equal(Date.parse(a.stale) / 1000, t.t + 15);
    const p = c.raw.event.point._attributes;
    assert.ok(Math.abs(Number(p.lat) - t.lat) < 1e-7);
    assert.ok(Math.abs(Number(p.lon) - t.lon) < 1e-7);
    assert.equal(Number(p.hae), 320.4);
    assert.equal(c.raw.event.detail?.contact?._attributes?.callsign, 'SW-17 piston_owa');
    assert.equal(Number(c.raw.event.detail?.track?._attributes?.speed), 50);
  }
});

test('we read protocol 1 bytes written by node-cot (mesh and stream) as the same observer row as its XML', async () => {
  const CoT = await nodeCot();
  const xml = marker('ATAK-9', '2025-11-24T12:00:00.500Z', 37.51, 126.99);
  const fromXml = parseCot(xml);
  assert.ok(fromXml.ok);
  const payload = new CoT(xml).to_proto();
  // framed by protobufjs's writer: magic, then a length-delimited field body (varint length + bytes)
  const stream = Buffer.concat([Buffer.from([0xbf]), protobuf.Writer.create().bytes(payload).finish()]);
  const mesh = Buffer.concat([Buffer.from([0xbf, 0x01, 0xbf]), payload]);

  const m = readTakMeshDatagram(mesh);
  assert.ok(m.ok, m.ok ? '' : m.reason);
  const r = createTakStreamReader().push(stream);
  assert.equal(r.fatal, null);
  assert.equal(r.items.length, 1);
  assert.equal(r.items[0]!.kind, 'proto');
  for (const body of [m.payload, (r.items[0] as { payload: Uint8Array }).payload]) {
    const d = decodeTakMessage(body);
    assert.ok(d.ok && d.xml !== null, d.ok ? 'no event' : d.reason);
    const row = parseCot(d.xml);
    assert.ok(row.ok, row.ok ? '' : row.reason);
    assert.deepEqual(row.row, fromXml.row, 'the same row as the XML event, id included');
  }
});

test('the stream reader takes XML and frames mixed, split and joined at every byte', () => {
  const a = frameTakStream(cotToTakMessage(marker('P-1', '2025-11-24T12:00:00.000Z', 1, 2)));
  const big = frameTakStream(cotToTakMessage(marker('P-2', '2025-11-24T12:00:01.000Z', 3, 4).replace('<detail>', `<detail><remarks>${'x'.repeat(300)}</remarks>`)));
  // multi-byte UTF-8 (split anywhere too), and a 0xBF byte inside XML text (the continuation byte of 'ο') that must not start a frame
  const x = Buffer.from(`<?xml version="1.0"?>\n${marker('X-1', '2025-11-24T12:00:02.000Z', 5, 6).replace('<detail>', '<detail><remarks>Höhe 300 m, κόσμος °</remarks>')}\n`);
  assert.ok(x.includes(0xbf));
  const all = Buffer.concat([x, a, Buffer.from('\n'), big, x, a]);
  const expect = ['xml', 'proto:P-1', 'proto:P-2', 'xml', 'proto:P-1'];
  const name = (i: { kind: string; payload?: Uint8Array; text?: string }) => {
    if (i.kind === 'xml') return parseCot(i.text!).ok && i.text!.includes('κόσμος °') ? 'xml' : 'xml-broken';
    if (i.kind !== 'proto') return i.kind;
    const d = decodeTakMessage(i.payload!);
    return `proto:${d.ok && d.xml ? /uid="([^"]+)"/.exec(d.xml)![1] : 'bad'}`;
  };
  for (let cut = 0; cut <= all.length; cut++) {
    const rd = createTakStreamReader();
    const r1 = rd.push(all.subarray(0, cut));
    const r2 = rd.push(all.subarray(cut));
    assert.equal(r1.fatal ?? r2.fatal, null);
    assert.deepEqual([...r1.items, ...r2.items].map(name), expect, `cut at ${cut}`);
    assert.equal(rd.buffered, 0);
  }
  // byte by byte
  const rd = createTakStreamReader();
  const items = [];
  for (const b of all) items.push(...rd.push(Uint8Array.of(b)).items);
  assert.deepEqual(items.map(name), expect);
});

test('the stream reader does work linear in the bytes it is given: a big event or frame fed in small chunks is not re-copied or re-scanned per chunk', () => {
  // `work` counts every byte the reader copies or scans; quadratic readers (concatenating or
  // re-scanning the whole pending message per chunk) do hundreds of times the input size here
  const feed = (bytes: Buffer, chunk: number) => {
    const rd = createTakStreamReader({ maxXmlBytes: 4 << 20, maxFrameBytes: 4 << 20 });
    const w0 = rd.work;
    const items: { kind: string }[] = [];
    for (let i = 0; i < bytes.length; i += chunk) items.push(...rd.push(bytes.subarray(i, i + chunk)).items);
    return { items, work: rd.work - w0, buffered: rd.buffered };
  };
  const event = (n: number) => Buffer.from(marker('W-1', '2025-11-24T12:00:00.000Z', 1, 2).replace('<detail>', `<detail><remarks>${'x'.repeat(n)}</remarks>`));
  // a 1 MiB XML event in 4 KiB chunks, and the same wrapped as a protocol 1 frame
  const big = event(1 << 20);
  const x = feed(big, 4096);
  assert.deepEqual(x.items.map((i) => i.kind), ['xml']);
  assert.ok(x.work <= 4 * big.length, `XML: ${x.work} bytes of work for ${big.length} bytes`);
  const frame = Buffer.from(frameTakStream(cotToTakMessage(big.toString())));
  const f = feed(frame, 4096);
  assert.deepEqual(f.items.map((i) => i.kind), ['proto']);
  assert.ok(f.work <= 4 * frame.length, `frame: ${f.work} bytes of work for ${frame.length} bytes`);
  // 512 KiB pending, then 1000 one-byte pushes (the event still open), then its end
  const half = event(512 << 10);
  const open = half.subarray(0, half.length - 200);
  const rd = createTakStreamReader();
  const w0 = rd.work;
  assert.deepEqual(rd.push(open).items, []);
  for (let i = 0; i < 1000; i++) assert.deepEqual(rd.push(Buffer.from(' ')).items, []);
  const last = rd.push(half.subarray(half.length - 200)).items;
  assert.deepEqual(last.map((i) => i.kind), ['xml']);
  assert.ok(rd.work - w0 <= 4 * (half.length + 1000), `${rd.work - w0} bytes of work for ${half.length + 1000} bytes`);
  assert.equal(rd.buffered, 0);
  // linear growth: twice the event, about twice the work (generous bound)
  const small = feed(event(256 << 10), 1024).work;
  const double = feed(event(512 << 10), 1024).work;
  assert.ok(double < 3 * small, `256 KiB: ${small}, 512 KiB: ${double}`);
  // an event over the limit, given in chunks, is dropped as garbage once past the limit; the next event is read
  const lim = createTakStreamReader({ maxXmlBytes: 1000 });
  const got: { kind: string; text?: string }[] = [];
  const over = Buffer.concat([event(3000), Buffer.from('\n'), event(10)]);
  for (let i = 0; i < over.length; i += 100) {
    got.push(...lim.push(over.subarray(i, i + 100)).items);
    assert.ok(lim.buffered <= 1100, `${lim.buffered} bytes held`);
  }
  assert.equal(got[0]?.kind, 'garbage');
  assert.ok(got[0]!.text!.startsWith('<event'));
  assert.ok(parseCot(got.at(-1)!.text!).ok, 'the event after the dropped one is read');
});

test('hostile streams: a huge length, an endless varint, or a non-frame after the switch stop the reader with a reason; a bad frame of known length is skipped', () => {
  const good = frameTakStream(cotToTakMessage(marker('G-1', '2025-11-24T12:00:00.000Z', 1, 2)));
  // a frame of a valid length whose body is not a TakMessage: returned, decoding names it, the next frame is read
  const junk = frameTakStream(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
  const r = createTakStreamReader().push(Buffer.concat([junk, good]));
  assert.equal(r.fatal, null);
  assert.equal(r.items.length, 2);
  const d0 = decodeTakMessage((r.items[0] as { payload: Uint8Array }).payload);
  assert.ok(!d0.ok && /not a TakMessage/.test(d0.reason), JSON.stringify(d0));
  assert.ok(decodeTakMessage((r.items[1] as { payload: Uint8Array }).payload).ok);

  const huge = createTakStreamReader({ maxFrameBytes: 1000 }).push(Buffer.concat([good, Uint8Array.from([0xbf, 0xe9, 0x07]), good]));
  assert.equal(huge.items.length, 1, 'the frame before is delivered');
  assert.match(huge.fatal ?? '', /announces 1001 bytes, more than the limit of 1000 \(stream byte \d+\)/);

  const endless = createTakStreamReader().push(Uint8Array.from([0xbf, ...new Array(11).fill(0xff), 0x01]));
  assert.match(endless.fatal ?? '', /longer than 10 bytes/);

  const truncated = createTakStreamReader();
  assert.deepEqual(truncated.push(Uint8Array.from([0xbf, 0xff, 0xff])), { items: [], fatal: null }, 'a truncated varint waits for more');
  assert.equal(truncated.buffered, 3);

  const after = createTakStreamReader();
  after.protobufOnly = true;
  const s = after.push(Buffer.concat([good, Buffer.from('<event/>')]));
  assert.equal(s.items.length, 1);
  assert.match(s.fatal ?? '', /expected the magic byte 0xBF, got 0x3c/);
  assert.match(after.push(good).fatal ?? '', /0x3c/, 'a stopped reader stays stopped');
});

test('hostile payloads and datagrams give reasons, never exceptions', () => {
  const ok = cotToTakMessage(marker('H-1', '2025-11-24T12:00:00.000Z', 1, 2));
  // every truncation and 2,000 random buffers
  for (let n = 0; n < ok.length; n++) decodeTakMessage(ok.subarray(0, n));
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const b = Uint8Array.from({ length: 1 + (i % 97) }, rnd);
    const d = decodeTakMessage(b);
    if (d.ok && d.xml !== null) parseCot(d.xml);
    readTakMeshDatagram(Uint8Array.from([0xbf, 1, 0xbf, ...b]));
    createTakStreamReader().push(Uint8Array.from([0xbf, ...b]));
  }
  // 5,000 mutations of a valid payload (1-3 bytes changed): most still decode, some into odd events; none throws
  let decoded = 0;
  for (let i = 0; i < 5000; i++) {
    const b = Uint8Array.from(ok);
    for (let k = 0; k <= i % 3; k++) b[(rnd() * 256 + rnd()) % b.length] = rnd();
    const d = decodeTakMessage(b);
    if (d.ok && d.xml !== null) {
      decoded++;
      parseCot(d.xml, { now: 1764000000 });
    }
  }
  assert.ok(decoded > 1000, `${decoded} of the mutations decoded`);
  const T = protobuf.Root.fromJSON({
    nested: { M: { fields: { cotEvent: { type: 'E', id: 2 } } }, E: { fields: { uid: { type: 'string', id: 5 }, lat: { type: 'double', id: 10 }, sendTime: { type: 'uint64', id: 6 }, detail: { type: 'D', id: 15 } } }, D: { fields: { xmlDetail: { type: 'string', id: 1 } } } },
  }).lookupType('M');
  const enc = (o: object) => T.encode(T.fromObject(o)).finish();
  const nan = decodeTakMessage(enc({ cotEvent: { uid: 'n', lat: NaN } }));
  assert.ok(!nan.ok && /lat is not a finite number/.test(nan.reason), JSON.stringify(nan));
  const far = decodeTakMessage(enc({ cotEvent: { uid: 'n', sendTime: '9007199254740991' } }));
  assert.ok(!far.ok && /sendTime .* not a time/.test(far.reason), JSON.stringify(far));
  // xmlDetail cannot close <detail> and add elements to the event
  const inj = decodeTakMessage(enc({ cotEvent: { uid: 'n', detail: { xmlDetail: '</detail><detail><skywarden/>' } } }));
  assert.ok(!inj.ok && /xmlDetail is not well-formed/.test(inj.reason), JSON.stringify(inj));
  // an unknown field (number 99) is skipped
  const extra = Buffer.concat([Buffer.from(ok), Buffer.from([0x9a, 0x06, 0x02, 0x68, 0x69])]);
  const e = decodeTakMessage(extra);
  assert.ok(e.ok && e.xml !== null && parseCot(e.xml).ok);

  assert.match((readTakMeshDatagram(Uint8Array.from([0xbf, 0x02, 0xbf, 0x00])) as { reason: string }).reason, /version 2 is not supported/);
  assert.match((readTakMeshDatagram(Uint8Array.from([0xbf, 0x01, 0x00])) as { reason: string }).reason, /second magic byte/);
  assert.match((readTakMeshDatagram(Uint8Array.from([0xbf, 0x81])) as { reason: string }).reason, /ends inside its version varint/);
  assert.match(decodeTakMessage(new Uint8Array(11), 10).ok ? '' : 'limit', /limit/);
});

test('negotiation events: node-cot offers and responses are read; our request has the documented form', async () => {
  const CoT = await nodeCot();
  const ev = (type: string, detail: object) =>
    new CoT({ event: { _attributes: { version: '2.0', uid: 'proto-77', type, how: 'm-g', time: '2025-11-24T12:00:00Z', start: '2025-11-24T12:00:00Z', stale: '2025-11-24T12:01:00Z' }, point: { _attributes: { lat: 0, lon: 0, hae: 0, ce: 999999, le: 999999 } }, detail: { TakControl: detail } } } as never).to_xml();
  assert.deepEqual(takControlOf(ev('t-x-takp-v', { TakProtocolSupport: { _attributes: { version: '1' } } })), { kind: 'offer', uid: 'proto-77', versions: [1] });
  assert.deepEqual(takControlOf(ev('t-x-takp-r', { TakResponse: { _attributes: { status: 'true' } } })), { kind: 'response', uid: 'proto-77', status: true });
  assert.deepEqual(takControlOf(ev('t-x-takp-r', { TakResponse: { _attributes: { status: 'false' } } })), { kind: 'response', uid: 'proto-77', status: false });
  assert.match(String(takControlOf(ev('t-x-takp-r', { TakResponse: { _attributes: { status: 'maybe' } } }))), /needs one <TakResponse status/);
  assert.equal(takControlOf(marker('M', '2025-11-24T12:00:00Z', 1, 2)), null);

  const q = takControlEvent({ kind: 'request', uid: 'proto-77', version: 1 }, 1764000000);
  const c = new CoT(q);
  assert.equal(c.raw.event._attributes.type, 't-x-takp-q');
  assert.equal(c.raw.event._attributes.uid, 'proto-77');
  assert.deepEqual(takControlOf(q), { kind: 'request', uid: 'proto-77', version: 1 });
  assert.match(q, /<detail><TakControl><TakRequest version="1"\/><\/TakControl><\/detail>/);
});
