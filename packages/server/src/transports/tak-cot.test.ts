/**
 * CoT to and from TAK with real sockets: a test TAK Server (node:net, and node:tls with
 * client certificates made by openssl) receives the live service's track events and alert
 * shapes (valid against cot-event.xsd, checked with xmllint) and sends markers back, which
 * become journalled observer detections; the same events go to a UDP multicast group (with
 * loopback, which this sandbox has); a multicast UDP listener takes markers; garbage does
 * not stop anything; the client reconnects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { cotTime, createTakStreamReader, type TrackWire } from '@skywarden/formats';
import { startServer, type RunningServer } from '../server.js';
import { feedScene, http, login, quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';
import { cotOpex, MAX_PENDING_EVENTS, MAX_UDP_SHAPE_BYTES, takStreamXml, udpTtl } from './tak-cot.js';

const XSD = fileURLToPath(new URL('../../../formats/schemas/cot-event.xsd', import.meta.url));

function xmllint(docs: string[]): void {
  const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (probe.error) assert.fail(`xmllint is needed (Debian package libxml2-utils): ${probe.error.message}`);
  const dir = mkdtempSync(join(tmpdir(), 'sw-tak-'));
  try {
    const files = docs.map((d, i) => {
      const f = join(dir, `e${i}.xml`);
      writeFileSync(f, d);
      return f;
    });
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, `xmllint rejected events:\n${r.stderr.slice(0, 2000)}`);
    assert.equal((r.stderr.match(/ validates$/gm) ?? []).length, files.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const attr = (xml: string, el: string, name: string): string | undefined => new RegExp(`<${el}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml)?.[1];

/** A TAK user's marker on a hostile drone. */
function marker(uid: string, t: number, lat: number, lon: number): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><event version="2.0" uid="${uid}" type="a-h-A-M-F-Q" how="h-g-i-g-o" ` +
    `time="${cotTime(t)}" start="${cotTime(t)}" stale="${cotTime(t + 300)}"><point lat="${lat}" lon="${lon}" hae="9999999.0" ce="9999999.0" le="9999999.0"/>` +
    `<detail><contact callsign="ALPHA-1"/><link relation="p-p" uid="ANDROID-1234" type="a-f-G-U-C"/></detail></event>`
  );
}

/** A test TAK Server: records what each connection sends, can write to the connections. */
function takServer(server: Server) {
  const conns: { socket: Socket; text: string }[] = [];
  server.on('connection', (s) => {
    const c = { socket: s as Socket, text: '' };
    conns.push(c);
    s.setEncoding('utf8');
    s.on('data', (d: string) => (c.text += d));
    s.on('error', () => {});
  });
  return {
    conns,
    events(): string[] {
      return conns.flatMap((c) => createTakStreamReader().push(Buffer.from(c.text)).items.flatMap((i) => (i.kind === 'xml' ? [i.text] : [])));
    },
    async close() {
      for (const c of conns) c.socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function square(id: string, lat: number, lon: number, h: number) {
  const ring = [
    [lon - h, lat - h],
    [lon + h, lat - h],
    [lon + h, lat + h],
    [lon - h, lat + h],
    [lon - h, lat - h],
  ];
  return { type: 'Feature', properties: { id, name: `Zone ${id}`, kind: 'site' }, geometry: { type: 'Polygon', coordinates: [ring] } };
}

describe('CoT: a TAK Server over TCP, multicast UDP out and in', () => {
  const tmp = tempDir();
  let tak: ReturnType<typeof takServer>;
  let srv: RunningServer;
  let mcast: UdpSocket;
  const datagrams: string[] = [];
  const reports: { t: number; tracks: TrackWire[] }[] = [];
  let now = 0;
  let scene: ReturnType<typeof smallSceneConfig>['scene'];
  const GROUP_OUT = '239.255.42.91';
  const GROUP_IN = '239.255.42.92';

  before(async () => {
    const tcp = createServer();
    tak = takServer(tcp);
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    mcast = createSocket({ type: 'udp4', reuseAddr: true });
    mcast.on('message', (m) => datagrams.push(m.toString('utf8')));
    mcast.bind(0);
    await once(mcast, 'listening');
    mcast.addMembership(GROUP_OUT);

    const s = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 240 });
    scene = s.scene;
    now = scene.t0;
    const origin = scene.origin as unknown as { latDeg: number; lonDeg: number };
    const zonesFile = join(tmp.dir, 'zones.geojson');
    // far from the scene's targets: only the operator alerts it
    // a round zone of 720 vertices: its shape does not fit one datagram as it is
    const circle = Array.from({ length: 721 }, (_, i) => [origin.lonDeg + 1 + 0.06 * Math.cos((2 * Math.PI * (i % 720)) / 720), origin.latDeg + 1 + 0.05 * Math.sin((2 * Math.PI * (i % 720)) / 720)]);
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'hq', name: 'HQ' }, geometry: { type: 'Polygon', coordinates: [circle] } }] }));
    srv = await startServer({
      config: {
        ...s.config,
        zones: { file: zonesFile },
        tak: {
          mode: 'client',
          host: '127.0.0.1',
          port: (tcp.address() as { port: number }).port,
          interval_s: 3,
          udp: { mode: 'multicast', host: GROUP_OUT, port: mcast.address().port, ttl: 0 },
          listen: { enabled: true, host: '0.0.0.0', port: 0, group: GROUP_IN, allow_any: true },
        },
      },
      clock: () => now,
      logger: quietLogger(),
    });
    srv.service.onTracks((t, tracks) => reports.push({ t, tracks: structuredClone(tracks) }));
    await until(() => srv.transports.tak?.connected, 5000, 'the TAK connection');
  });
  after(async () => {
    await srv?.close();
    await tak?.close();
    mcast?.close();
    tmp.cleanup();
  });

  it('streams every confirmed track as a schema-valid CoT event, at most every interval_s per track', async () => {
    const rows = scene.detections as unknown as Record<string, unknown>[];
    await feedScene((r) => srv.service.ingest.ingest(null, r, 'test'), rows, (t) => (now = t));
    await until(() => reports.length > 0 && reports[reports.length - 1].t >= now - 6, 10000, 'the last reports');
    const st = srv.transports.tak!.stats();
    await until(() => tak.events().length >= st.tcpEvents, 5000, 'the events at the TAK Server');
    const events = tak.events().filter((e) => attr(e, 'event', 'type')!.startsWith('a-'));
    assert.ok(events.length >= 50, `${events.length} track events`);
    assert.equal(events.length, st.trackEvents);
    // the stream's framing (ATAK-CIV takproto README, "Traditional Protocol"): each event is the XML
    // header, a newline and the <event>; nothing (no newline) between `</event>` and the next header
    const raw = tak.conns.map((c) => c.text).join('');
    const starts = raw.split('<?xml').slice(1);
    assert.ok(starts.length >= events.length, `${starts.length} XML headers`);
    for (const piece of starts) assert.match(piece, /^[^>]*\?>\n<event[\s>][^]*<\/event>$/, `event framing: ${JSON.stringify(piece.slice(0, 80))}…${JSON.stringify(piece.slice(-20))}`);

    // each event is the service's track at its start time: same position, confirmed
    const byKey = new Map<string, TrackWire>();
    for (const r of reports) for (const tr of r.tracks) byKey.set(`${tr.track}@${cotTime(tr.t)}`, tr);
    const startsByUid = new Map<string, number[]>();
    for (const e of events) {
      const uid = attr(e, 'event', 'uid')!;
      assert.match(uid, /^skywarden-/);
      const start = attr(e, 'event', 'start')!;
      const tr = byKey.get(`${uid.slice('skywarden-'.length)}@${start}`);
      assert.ok(tr, `no reported track for ${uid} at ${start}`);
      assert.equal(tr.status, 'confirmed');
      assert.ok(Math.abs(Number(attr(e, 'point', 'lat')) - tr.lat) < 1e-6, 'lat');
      assert.ok(Math.abs(Number(attr(e, 'point', 'lon')) - tr.lon) < 1e-6, 'lon');
      const list = startsByUid.get(uid) ?? [];
      list.push(Date.parse(start) / 1000);
      startsByUid.set(uid, list);
    }
    for (const [uid, starts] of startsByUid) for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 3 - 1e-3, `${uid} sent ${starts[i] - starts[i - 1]} s apart`);
    // time: when the event was made (the service's clock, the reorder delay after the track's time)
    const lags = events.map((e) => (Date.parse(attr(e, 'event', 'time')!) - Date.parse(attr(e, 'event', 'start')!)) / 1000);
    assert.ok(lags.every((x) => x >= 0) && lags.some((x) => x >= 3), `time - start: ${Math.min(...lags)}..${Math.max(...lags)} s`);
    // an exercise (alerts.cap_status Exercise, the default) says so; civil ADS-B traffic is neutral
    assert.ok(events.every((e) => attr(e, 'event', 'opex') === 'e'));
    const types = new Set(events.map((e) => attr(e, 'event', 'type')));
    assert.ok(types.has('a-n-A-C-F'), `types ${[...types]}`);
    assert.ok(![...types].some((x) => x!.startsWith('a-f-')), 'nothing typed friendly');
    // and confirmed tracks in the reports that are not in any event would be a miss
    const confirmedIds = new Set(reports.flatMap((r) => r.tracks.filter((x) => x.status === 'confirmed').map((x) => `skywarden-${x.track}`)));
    assert.deepEqual([...startsByUid.keys()].sort(), [...confirmedIds].sort());
    xmllint(events);

    // the same events on the multicast group, one per datagram
    await until(() => datagrams.length >= st.udpEvents, 5000, 'the multicast datagrams');
    assert.equal(st.udpEvents, st.tcpEvents);
    // (the same text but for the newline the stream puts after the XML header)
    assert.deepEqual(datagrams.filter((d) => d.includes('type="a-')).sort(), events.map((e) => e.replace(/\?>\n<event/, '?><event')).sort());
  });

  it('sends an alert change as a schema-valid drawn shape', async () => {
    const op = await login(srv.httpPort, 'op', 'op-secret-1');
    const before = tak.events().length;
    const r = await http(srv.httpPort, 'POST', '/api/v1/zones/hq/alert', { token: op, body: { action: 'raise', reason: 'test' } });
    assert.equal(r.status, 200, r.text);
    assert.notEqual(r.json.change, null, 'the raise changed the zone');
    await until(() => tak.events().slice(before).some((e) => attr(e, 'event', 'uid') === 'skywarden-zone-hq'), 5000, 'the zone shape');
    const shape = tak.events().slice(before).find((e) => attr(e, 'event', 'uid') === 'skywarden-zone-hq')!;
    assert.equal(attr(shape, 'event', 'type'), 'u-d-f');
    assert.equal((shape.match(/<link point=/g) ?? []).length, 500, 'over TCP: the ring up to the encoder\'s 500 vertices');
    assert.match(shape, /state="alert"/);
    // over UDP the same shape, fitted to one datagram
    await until(() => datagrams.some((d) => d.includes('uid="skywarden-zone-hq"')), 5000, 'the shape on the multicast group');
    const udpShape = datagrams.find((d) => d.includes('uid="skywarden-zone-hq"'))!;
    assert.ok(Buffer.byteLength(udpShape) <= MAX_UDP_SHAPE_BYTES, `${Buffer.byteLength(udpShape)} bytes`);
    const n = (udpShape.match(/<link point=/g) ?? []).length;
    assert.ok(n >= 12 && n < 60, `${n} vertices in the datagram`);
    assert.equal(attr(udpShape, 'event', 'opex'), 'e');
    xmllint([shape, udpShape]);
  });

  it('takes a marker from the TAK Server as a journalled observer detection, after garbage on the same stream', async () => {
    const conn = tak.conns[tak.conns.length - 1].socket;
    const bad0 = srv.transports.tak!.stats().bad;
    conn.write('this is not xml at all ');
    conn.write('<event version="2.0" uid="x" type="a-h-A" how="h-e" time="yesterday" start="x" stale="y"><point lat="1" lon="2" hae="0" ce="0" le="0"/></event>');
    conn.write('<event><point lat="1"/></eve'); // unterminated, completed by the next write
    conn.write('nt>');
    const t = now - 2;
    conn.write(marker('ATAK-marker-1', t, 37.51, 126.99));
    await until(async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).length > 0, 5000, 'the marker in the journal');
    const [d] = await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' });
    assert.equal(d.id, `cot:ATAK-marker-1:${cotTime(t)}`);
    assert.equal(d.row.type, 'position');
    assert.equal(d.row.lat, 37.51);
    assert.equal(d.row.lon, 126.99);
    assert.equal(d.row.callsign, 'ALPHA-1');
    assert.equal(srv.service.registry.def('tak-observer')?.kind, 'observer');
    assert.equal(srv.transports.tak!.stats().bad - bad0, 3, 'garbage, a bad time and an event without attributes are counted');
    // our own track event echoed back by the server is ignored, not journalled
    const ign0 = srv.transports.tak!.stats().ignored;
    conn.write(tak.events().find((e) => e.includes('type="a-'))!);
    await until(() => srv.transports.tak!.stats().ignored > ign0, 5000, 'the echo to be ignored');
  });

  it('takes a marker from the multicast listener; bad datagrams are counted, and the service keeps serving', async () => {
    const port = srv.transports.takUdpPort!;
    assert.ok(port > 0);
    const tx = createSocket('udp4');
    tx.bind(0);
    await once(tx, 'listening');
    tx.setMulticastTTL(0);
    const bad0 = srv.transports.tak!.stats().bad;
    const send = (b: Buffer | string) => new Promise<void>((r) => tx.send(b, port, GROUP_IN, () => r()));
    await send('garbage');
    await send(Buffer.from([0xbf, 0x01, 0xbf, 0x12, 0x00]));
    await send('<event version="2.0"');
    await send('<?xml version="1.0"?><!DOCTYPE event [<!ENTITY x "y">]><event/>');
    await send(marker('ATAK-marker-2', now - 1, 37.52, 127.01));
    await until(async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).some((d) => d.id.startsWith('cot:ATAK-marker-2:')), 5000, 'the UDP marker');
    tx.close();
    assert.equal(srv.transports.tak!.stats().bad - bad0, 4);
    const h = await http(srv.httpPort, 'GET', '/api/v1/health');
    assert.equal(h.status, 200);
  });

  it('drops datagrams from addresses outside tak.listen.allow_from unread (issue 15: CoT over UDP is unauthenticated)', async () => {
    const tmp2 = tempDir();
    const s2 = smallSceneConfig({ dataDir: tmp2.dir, seed: 3, durationS: 60 });
    const srv2 = await startServer({ config: { ...s2.config, tak: { listen: { enabled: true, host: '127.0.0.1', port: 0, allow_from: '10.9.9.9, 192.168.0.0/16' } } }, clock: () => now, logger: quietLogger() });
    try {
      const tx = createSocket('udp4');
      await new Promise<void>((r) => tx.send(marker('ATAK-outsider', now - 1, 37.52, 127.01), srv2.transports.takUdpPort!, '127.0.0.1', () => r()));
      await until(() => srv2.transports.tak!.stats().refused === 1, 5000, 'the refusal');
      tx.close();
      assert.equal(srv2.transports.tak!.stats().received, 0, 'the datagram was not read');
      assert.equal((await srv2.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).length, 0);
    } finally {
      await srv2.close();
      tmp2.cleanup();
    }
  });

  it('reads at most tak.listen.max_bytes_per_s of datagrams: a flood of large ignored events is dropped unread past it, and markers are read again a second later', async () => {
    const tmp3 = tempDir();
    const s3 = smallSceneConfig({ dataDir: tmp3.dir, seed: 3, durationS: 60 });
    const srv3 = await startServer({ config: { ...s3.config, tak: { listen: { enabled: true, host: '127.0.0.1', port: 0, max_bytes_per_s: 100_000 } } }, clock: () => now, logger: quietLogger() });
    try {
      const port = srv3.transports.takUdpPort!;
      const tx = createSocket('udp4');
      const send = (b: Buffer | string) => new Promise<void>((r) => tx.send(b, port, '127.0.0.1', () => r()));
      // one event of 5,000 attributes in about 50 KB (each costs milliseconds to parse), twenty times
      const attrs = Array.from({ length: 5000 }, (_, i) => `a${i}="v"`).join(' ');
      const big = `<event version="2.0" uid="x" type="b-t-f" time="2026-12-07T00:00:00Z" start="2026-12-07T00:00:00Z" stale="2026-12-07T00:10:00Z" how="h-e"><point lat="0" lon="0" hae="0" ce="1" le="1"/><detail><x ${attrs}/></detail></event>`;
      assert.ok(big.length > 40_000 && big.length < 64_000, `${big.length}`);
      // 20 ms apart (the socket's receive buffer would drop some of a burst before the service saw them): 0.4 s in all
      for (let k = 0; k < 20; k++) {
        await send(big);
        await new Promise((r) => setTimeout(r, 20));
      }
      await until(() => srv3.transports.tak!.stats().received + srv3.transports.tak!.stats().overBytes === 20, 5000, 'every datagram read or dropped');
      const st = srv3.transports.tak!.stats();
      assert.ok(st.received <= 3, `at most 100 KB and its refill in 0.4 s read: ${st.received} events`);
      assert.ok(st.overBytes >= 17, `${st.overBytes} dropped unread`);
      // a second later the budget is back: a marker is read and journalled
      await new Promise((r) => setTimeout(r, 1100));
      await send(marker('ATAK-after-flood', now - 1, 37.52, 127.01));
      await until(async () => (await srv3.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).some((d) => d.id.startsWith('cot:ATAK-after-flood:')), 5000, 'the marker after the flood');
      tx.close();
    } finally {
      await srv3.close();
      tmp3.cleanup();
    }
  });

  it('reconnects to the TAK Server after the connection drops, and sends the alerted shapes again', async () => {
    const n0 = tak.conns.length;
    tak.conns[n0 - 1].socket.destroy();
    await until(() => tak.conns.length > n0 && srv.transports.tak!.connected, 5000, 'the reconnection');
    assert.equal(srv.transports.tak!.stats().connects, 2);
    await until(() => tak.conns[n0].text.includes('uid="skywarden-zone-hq"'), 5000, 'the alerted shape on the new connection');
  });
});

/**
 * The service as a client of a test TAK Server on a small scene, its clock fixed 30 s into the
 * scene (a rate limit's bucket does not refill), with the TAK Server's feed limited to `rate`;
 * connected. `done` closes both and removes the data folder.
 */
async function serviceOfTakServer(seed: number, rate: { rate_per_s: number; burst: number }) {
  const tmp = tempDir();
  const tcp = createServer();
  const tak = takServer(tcp);
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  const s = smallSceneConfig({ dataDir: tmp.dir, seed, durationS: 60 });
  const now = s.scene.t0 + 30;
  const srv = await startServer({
    config: { ...s.config, tak: { mode: 'client', host: '127.0.0.1', port: (tcp.address() as { port: number }).port, interval_s: 3, ...rate } },
    clock: () => now,
    logger: quietLogger(),
  });
  const done = async () => {
    await srv.close();
    await tak.close();
    tmp.cleanup();
  };
  try {
    await until(() => srv.transports.tak?.connected && tak.conns.length > 0, 5000, 'the TAK connection');
  } catch (err) {
    await done();
    throw err;
  }
  return { srv, now, conn: tak.conns[tak.conns.length - 1].socket, done };
}

describe('CoT: a TAK Server that floods the connection with markers', () => {
  it('drops the markers beyond the observer sensor\'s rate before parsing them, and journals those within it', async () => {
    // the feed's own limit (burst 100) holds, not the ingest's (burst 20,000)
    const { srv, now, conn, done } = await serviceOfTakServer(3, { rate_per_s: 1, burst: 100 });
    try {
      const all = Array.from({ length: 2000 }, (_, i) => marker(`flood-${i}`, now - 1, 37.5 + i * 1e-5, 127)).join('');
      conn.write(all);
      await until(() => srv.transports.tak!.stats().received >= 2000, 10_000, 'every marker read');
      await until(async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).length >= 100, 10_000, 'the markers within the rate journalled');
      const st = srv.transports.tak!.stats();
      assert.equal(st.overRate, 1900, `dropped unread beyond the burst: ${JSON.stringify(st)}`);
      assert.equal((await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).length, 100);
      assert.equal(st.bad, 0, 'none was parsed to be refused');
      // the dropped markers are counted where an operator looks: the metrics and the sensor's status
      await until(async () => /skywarden_detections_rejected_total\{source="cot",reason="rate_limited"\} 1900\b/.test((await http(srv.httpPort, 'GET', '/metrics')).text), 5000, 'the drops in the metrics');
      assert.equal((await http(srv.httpPort, 'GET', '/api/v1/health')).status, 200);
    } finally {
      await done();
    }
  });
});

describe('CoT: a TAK Server that writes faster than the journal takes its markers', () => {
  it(`stops reading the connection while ${MAX_PENDING_EVENTS} markers wait for the journal, and reads on, losing none, once it catches up`, async () => {
    const { srv, now, conn, done } = await serviceOfTakServer(4, { rate_per_s: 1000, burst: 10_000 });
    // a journal that does not answer until released (a slow disk)
    const held: (() => void)[] = [];
    const ingest = srv.service.ingest.ingest.bind(srv.service.ingest);
    srv.service.ingest.ingest = (principal, items, source) => new Promise((resolve, reject) => held.push(() => ingest(principal, items, source).then(resolve, reject)));
    try {
      const N = 600;
      // in writes of 50, one per turn of the event loop, so that the service reads them as they come
      for (let k = 0; k < N; k += 50) {
        conn.write(Array.from({ length: 50 }, (_, i) => marker(`slow-${k + i}`, now - 1, 37.5 + (k + i) * 1e-5, 127)).join(''));
        await new Promise((r) => setTimeout(r, 20));
      }
      await until(() => srv.transports.tak!.stats().paused >= 1, 10_000, 'the connection paused');
      await new Promise((r) => setTimeout(r, 300));
      const read = srv.transports.tak!.stats().received;
      assert.ok(read < N, `not read on while paused: ${read} of ${N}`);
      assert.ok(held.length >= MAX_PENDING_EVENTS, `${held.length} markers waiting`);
      // the journal catches up: reading resumes, and every marker is journalled
      for (let i = 0; srv.transports.tak!.stats().accepted < N; i++) {
        assert.ok(i < 500, `journalled ${srv.transports.tak!.stats().accepted} of ${N} after 10 s of releases`);
        for (const release of held.splice(0)) release();
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(srv.transports.tak!.stats().received, N);
      assert.equal((await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-observer' })).length, N);
    } finally {
      for (const release of held.splice(0)) release();
      await done();
    }
  });
});

describe('CoT over TLS with a client certificate, and UDP unicast', () => {
  const tmp = tempDir();
  let srv: RunningServer;
  let tls: Server;
  const seen: { authorized: boolean; cn?: string; text: string; socket: TLSSocket }[] = [];
  let udp: UdpSocket;
  const datagrams: string[] = [];
  let now = 0;

  before(async () => {
    const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
    if (probe.error) assert.fail(`openssl is needed to make the test certificates: ${probe.error.message}`);
    const d = tmp.dir;
    const run = (...args: string[]) => {
      const r = spawnSync('openssl', args, { cwd: d, encoding: 'utf8' });
      assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
    };
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test-ca');
    for (const who of ['server', 'client']) {
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? 'localhost' : 'skywarden-test'}`);
      writeFileSync(join(d, `${who}.ext`), who === 'server' ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
      run('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', '-extfile', `${who}.ext`);
    }
    tls = createTlsServer({ key: readFileSync(join(d, 'server.key')), cert: readFileSync(join(d, 'server.pem')), ca: readFileSync(join(d, 'ca.pem')), requestCert: true, rejectUnauthorized: true }, (s) => {
      const c = { authorized: s.authorized, cn: s.getPeerCertificate().subject?.CN as string | undefined, text: '', socket: s };
      seen.push(c);
      s.setEncoding('utf8');
      s.on('data', (x: string) => (c.text += x));
      s.on('error', () => {});
    });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    udp = createSocket('udp4');
    udp.on('message', (m) => datagrams.push(m.toString('utf8')));
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');

    const s = smallSceneConfig({ dataDir: join(d, 'data'), seed: 3, durationS: 120 });
    now = s.scene.t0;
    const origin = s.scene.origin as unknown as { latDeg: number; lonDeg: number };
    const zonesFile = join(d, 'zones.geojson');
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features: [square('base', origin.latDeg + 1, origin.lonDeg + 1, 0.02)] }));
    srv = await startServer({
      config: {
        ...s.config,
        zones: { file: zonesFile },
        tak: {
          mode: 'client',
          host: '127.0.0.1',
          port: (tls.address() as { port: number }).port,
          tls: { cert: join(d, 'client.pem'), key: join(d, 'client.key'), ca: join(d, 'ca.pem'), server_name: 'localhost' },
          udp: { mode: 'unicast', host: '127.0.0.1', port: udp.address().port },
          observer_sensor: 'tak-tls',
        },
      },
      clock: () => now,
      logger: quietLogger(),
    });
  });
  after(async () => {
    await srv?.close();
    for (const c of seen) c.socket.destroy();
    await new Promise<void>((r) => (tls ? tls.close(() => r()) : r()));
    udp?.close();
    tmp.cleanup();
  });

  it('connects with the client certificate, sends shapes over TLS and UDP, and reads markers over TLS', async () => {
    // the client may see its handshake done a moment before the server's connection handler runs
    await until(() => srv.transports.tak?.connected && seen.length > 0, 8000, 'the TLS connection');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].authorized, true);
    assert.equal(seen[0].cn, 'skywarden-test');
    const op = await login(srv.httpPort, 'op', 'op-secret-1');
    const r = await http(srv.httpPort, 'POST', '/api/v1/zones/base/alert', { token: op, body: { action: 'raise', reason: 'test' } });
    assert.equal(r.status, 200, r.text);
    await until(() => seen[0].text.includes('uid="skywarden-zone-base"'), 5000, 'the shape over TLS');
    await until(() => datagrams.some((x) => x.includes('uid="skywarden-zone-base"')), 5000, 'the shape over UDP unicast');
    seen[0].socket.write(marker('ATAK-tls-1', now, 37.5, 127));
    await until(async () => (await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'tak-tls' })).length === 1, 5000, 'the marker over TLS');
  });

  it('refuses a config whose TLS files do not exist, naming the file', async () => {
    await assert.rejects(
      startServer({ config: { data_dir: join(tmp.dir, 'x'), http: { port: 0 }, mqtt: { mode: 'off' }, log: { level: 'silent' }, tak: { mode: 'client', port: 8089, tls: { cert: '/nonexistent/c.pem', key: '/nonexistent/k.pem' } } }, logger: quietLogger() }),
      /tak\.tls\.cert \/nonexistent\/c\.pem/,
    );
  });
});

it('an XML event on the TAK stream: header, newline, event, and nothing after </event>', () => {
  const ev = '<event version="2.0" uid="a" type="a-f-G" how="m-g" time="t" start="t" stale="t"><point lat="0" lon="0" hae="0" ce="1" le="1"/></event>';
  const want = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${ev}`;
  assert.equal(takStreamXml(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${ev}`), want);
  assert.equal(takStreamXml(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n  ${ev}\n\n`), want);
  assert.equal(takStreamXml(ev), want, 'a header is added when missing');
});

it('datagram TTL: 1 for the multicast SA group and 64 for unicast unless configured; opex from the mode and CAP status', () => {
  assert.equal(udpTtl('multicast', null), 1);
  assert.equal(udpTtl('unicast', null), 64);
  assert.equal(udpTtl('unicast', 0), 1, 'unicast needs at least one hop');
  assert.equal(udpTtl('multicast', 0), 0);
  assert.equal(udpTtl('unicast', 12), 12);
  const svc = (mode: 'live' | 'demo', cap: 'Actual' | 'Exercise', opex: string | null) => ({ mode, config: { tak: { opex }, alerts: { cap_status: cap } } }) as unknown as Parameters<typeof cotOpex>[0];
  assert.equal(cotOpex(svc('demo', 'Exercise', null)), 's-skywarden-demo');
  assert.equal(cotOpex(svc('live', 'Exercise', null)), 'e');
  assert.equal(cotOpex(svc('live', 'Actual', null)), 'o');
  assert.equal(cotOpex(svc('live', 'Actual', 'e-drill-7')), 'e-drill-7');
});
