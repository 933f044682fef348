/**
 * The SAPIENT fusion node with real sockets: a sensor client written here (messages built
 * and framed with the formats codec, from the bundled BSI Flex 335 v2.0 protos) registers,
 * gets its RegistrationAck, reports status and detections, and the detections are in the
 * journal; unlisted nodes are refused; bad messages are answered with Error; an oversized
 * frame closes that connection only; garbage does not stop the service.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import {
  buildDetectionReport,
  buildRegistration,
  buildStatusReport,
  createSapientFramer,
  decodeSapientMessage,
  encodeSapientMessage,
  frameSapient,
  type SapientMessage,
} from '@skywarden/formats';
import { startServer, type RunningServer } from '../server.js';
import { http, quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';

const RADAR = '6f1c2a9e-0b7d-4e55-9a43-2d1b7c8e9f01';
const OTHER = '0d3e5f7a-1111-4222-8333-944455556666';
const SELF = 'a5b6c7d8-0000-4000-8000-000000000001';

/** A SAPIENT sensor's TCP connection: sends messages, reads the fusion node's replies in order. */
async function client(port: number) {
  const s: Socket = connect(port, '127.0.0.1');
  await once(s, 'connect');
  const framer = createSapientFramer();
  const inbox: SapientMessage[] = [];
  let closed = false;
  s.on('data', (d: Buffer) => {
    for (const f of framer.push(d)) {
      assert.ok(f.ok);
      const m = decodeSapientMessage(f.payload);
      assert.ok(m.ok, m.ok ? '' : m.reason);
      inbox.push(m.message);
    }
  });
  s.on('close', () => (closed = true));
  s.on('error', () => {});
  return {
    socket: s,
    inbox,
    get closed() {
      return closed;
    },
    sendRaw(b: Uint8Array) {
      s.write(b);
    },
    send(m: SapientMessage): Uint8Array {
      const payload = encodeSapientMessage(m);
      s.write(frameSapient(payload));
      return payload;
    },
    async next(ms = 3000): Promise<SapientMessage> {
      const n = inbox.length;
      await until(() => inbox.length > n, ms, 'a reply from the fusion node');
      return inbox[n];
    },
    close() {
      s.destroy();
    },
  };
}

describe('SAPIENT fusion node', () => {
  const tmp = tempDir();
  let srv: RunningServer;
  let now = 0;
  let port: number;

  before(async () => {
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 60 });
    now = scene.t0 + 100;
    srv = await startServer({
      config: { ...config, sapient: { enabled: true, host: '127.0.0.1', port: 0, node_id: SELF, max_frame_bytes: 4096, nodes: [{ node_id: RADAR, sensor: 'sapient-radar' }] } },
      clock: () => now,
      logger: quietLogger(),
    });
    port = srv.transports.sapientPort!;
  });
  after(async () => {
    await srv?.close();
    tmp.cleanup();
  });

  it('refuses the registration of a node it does not list', async () => {
    const c = await client(port);
    c.send(buildRegistration({ nodeId: OTHER, t: now }, { name: 'stranger', shortName: 'x', nodeType: 'ACOUSTIC' }));
    const ack = await c.next();
    assert.equal(ack.content, 'registrationAck');
    assert.equal(ack.nodeId, SELF);
    assert.equal(ack.destinationId, OTHER);
    assert.equal(ack.registrationAck?.acceptance ?? false, false);
    assert.match(ack.registrationAck!.ackResponseReason![0], /not accepted/);
    assert.equal(srv.service.registry.def(`sapient-${OTHER}`), undefined);
    // and its detections are answered with Error, not journalled
    const payload = c.send(buildDetectionReport({ nodeId: OTHER, t: now }, { objectId: 'o1', position: { latDeg: 37.5, lonDeg: 127 } }));
    const err = await c.next();
    assert.equal(err.content, 'error');
    assert.match(err.error!.errorMessage![0], /not registered/);
    assert.deepEqual(Buffer.from(err.error!.packet!), Buffer.from(payload));
    c.close();
  });

  it('registers a listed sensor, takes its status and detections into the journal', async () => {
    const c = await client(port);
    c.send(buildRegistration({ nodeId: RADAR, t: now }, { name: 'Test radar', shortName: 'TR', nodeType: 'RADAR' }));
    const ack = await c.next();
    assert.equal(ack.content, 'registrationAck');
    assert.equal(ack.registrationAck?.acceptance, true);
    assert.equal(ack.destinationId, RADAR);
    assert.equal(srv.service.registry.def('sapient-radar')?.kind, 'radar');

    // status with the node's position: heard, and registered there
    now += 1;
    c.send(buildStatusReport({ nodeId: RADAR, t: now }, { system: 'ok', changed: true, mode: 'default', position: { latDeg: 37.56, lonDeg: 126.97, altM: 40 } }));
    await until(() => srv.service.registry.def('sapient-radar')?.lat === 37.56, 3000, 'the node position');
    assert.equal(srv.service.registry.wire('sapient-radar', now)?.last_seen, now);
    assert.equal(srv.service.registry.def('sapient-radar')?.alt_m, 40);

    // a detection in the location form and one in the range-bearing form
    now += 1;
    c.send(buildDetectionReport({ nodeId: RADAR, t: now }, { reportId: 'R1', objectId: 'obj-7', position: { latDeg: 37.6, lonDeg: 127.05, altM: 300, posSdM: 30 }, classes: { 'UAV Fixed Wing': 0.8 } }));
    c.send(buildDetectionReport({ nodeId: RADAR, t: now + 0.5 }, { reportId: 'R2', objectId: 'obj-7', rangeBearing: { azimuthDeg: 45, elevationDeg: 2, rangeM: 8000 } }));
    const rows = await until(async () => {
      const d = await srv.service.store.detectionsInWindow({ from: 0, to: 1e12, sensor: 'sapient-radar' });
      return d.length >= 2 ? d : undefined;
    }, 3000, 'the detections in the journal');
    const byId = new Map(rows!.map((d) => [d.id, d]));
    const r1 = byId.get(`sapient:${RADAR}:R1`);
    assert.ok(r1, [...byId.keys()].join(', '));
    assert.equal(r1.t, now);
    assert.equal(r1.row.type, 'position');
    assert.ok(Math.abs((r1.row.lat as number) - 37.6) < 1e-9 && Math.abs((r1.row.lon as number) - 127.05) < 1e-9);
    assert.equal(r1.row.alt_m, 300);
    assert.deepEqual(r1.row.class, { fixed_wing_small: 0.8 });
    assert.equal(r1.row.sapient_object_id, 'obj-7');
    const r2 = byId.get(`sapient:${RADAR}:R2`);
    assert.ok(r2);
    assert.equal(r2.row.type, 'range_bearing');
    assert.equal(r2.row.range_m, 8000);
    assert.equal(r2.row.bearing_deg, 45);
    assert.equal(r2.row.sensor_lat, 37.56);
    assert.equal(c.inbox.length, 1, 'no Error for good messages');

    // a detection the ingest refuses (dated far ahead of the clock) is answered with Error
    const late = c.send(buildDetectionReport({ nodeId: RADAR, t: now + 3600 }, { reportId: 'R3', objectId: 'obj-7', position: { latDeg: 37.6, lonDeg: 127.05 } }));
    const err = await c.next();
    assert.equal(err.content, 'error');
    assert.match(err.error!.errorMessage![0], /ahead of the service clock/);
    assert.deepEqual(Buffer.from(err.error!.packet!), Buffer.from(late));
    const st = srv.transports.sapient!.stats();
    assert.equal(st.accepted, 2);
    c.close();
  });

  it('answers a frame that is not a SapientMessage with Error and keeps the connection', async () => {
    const c = await client(port);
    const junk = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
    c.sendRaw(frameSapient(junk));
    const err = await c.next();
    assert.equal(err.content, 'error');
    assert.deepEqual(Buffer.from(err.error!.packet!), Buffer.from(junk));
    // a valid protobuf without node_id is refused too
    c.send({ timestamp: { seconds: now }, registration: {} } as SapientMessage);
    const err2 = await c.next();
    assert.match(err2.error!.errorMessage![0], /node_id/);
    // a message kind the fusion node does not take
    c.send({ timestamp: { seconds: now }, nodeId: RADAR, taskAck: {} });
    const err3 = await c.next();
    assert.match(err3.error!.errorMessage![0], /not handled/);
    // still served
    c.send(buildRegistration({ nodeId: RADAR, t: now }, { name: 'Test radar', shortName: 'TR', nodeType: 'RADAR' }));
    const ack = await c.next();
    assert.equal(ack.registrationAck?.acceptance, true);
    assert.equal(c.closed, false);
    c.close();
  });

  it('closes a connection that announces a frame over the maximum, and only that one', async () => {
    const bystander = await client(port);
    const c = await client(port);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(5000);
    c.sendRaw(header);
    const err = await c.next();
    assert.equal(err.content, 'error');
    assert.match(err.error!.errorMessage![0], /larger than the maximum of 4096/);
    await until(() => c.closed, 3000, 'the connection to close');
    assert.equal(srv.transports.sapient!.stats().oversized, 1);
    bystander.send(buildRegistration({ nodeId: RADAR, t: now }, { name: 'Test radar', shortName: 'TR', nodeType: 'RADAR' }));
    assert.equal((await bystander.next()).registrationAck?.acceptance, true);
    bystander.close();
  });

  it('survives random garbage on many connections and keeps serving HTTP and SAPIENT', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 20; k++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      await once(s, 'connect');
      const n = 1 + Math.floor(rnd() * 3000);
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
      if (k % 2 === 0 && n >= 4) b.writeUInt32LE(Math.min(n - 4, 4096) >>> 0, 0); // a plausible length, garbage payload
      s.write(b);
      if (k % 3 === 0) s.destroy();
      else s.end();
    }
    const h = await http(srv.httpPort, 'GET', '/api/v1/health');
    assert.equal(h.status, 200);
    const c = await client(port);
    c.send(buildRegistration({ nodeId: RADAR, t: now }, { name: 'Test radar', shortName: 'TR', nodeType: 'RADAR' }));
    assert.equal((await c.next()).registrationAck?.acceptance, true);
    c.close();
  });
});
