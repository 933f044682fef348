/**
 * Skywarden reporting up to a parent SAPIENT node. The parent here is a fake written in the
 * test: a TCP server that frames and decodes with protobufjs loaded directly from the bundled
 * BSI Flex 335 v2.0 .proto files (snake_case names, none of the formats package's codec or
 * builders), checks every message against the protos' own marks (`is_mandatory` fields and
 * oneofs, `is_ulid`, `is_uuid`), and answers RegistrationAck. A scene fed to the service must
 * come out as DetectionReports at the service's track positions, one stable object_id per
 * track; the link must survive the parent restarting, a refused registration, and a parent
 * that stops reading.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { once, EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import protobuf from 'protobufjs';
import pino from 'pino';
import type { TrackWire } from '@skywarden/formats';
import { buildConfig } from '../config.js';
import type { Service } from '../service.js';
import { startServer, type RunningServer } from '../server.js';
import { startSapientParent } from './sapient-parent.js';
import { feedScene, quietLogger, smallSceneConfig, tempDir, until } from '../testing.js';

const PKG = 'sapient_msg.bsi_flex_335_v2_0';
const PROTO_DIR = fileURLToPath(new URL('../../../formats/proto/sapient/', import.meta.url));
const PARENT_ID = '11111111-2222-4333-8444-555555555555';
const CHILD = '6f1c2a9e-0b7d-4e55-9a43-2d1b7c8e9f01';
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const root = new protobuf.Root();
root.resolvePath = (_o: string, target: string): string | null => {
  if (target.endsWith('proto_options.proto')) return null; // the option definitions are not published; protobufjs keeps the options
  if (target.startsWith('google/protobuf/')) return target;
  return join(PROTO_DIR, basename(target));
};
root.loadSync('sapient_message.proto', { keepCase: true });
root.resolveAll();
const SapientMessage = root.lookupType(`${PKG}.SapientMessage`);

type Obj = Record<string, unknown>;

/** Problems of `obj` (a decoded `type`) against the protos' marks, recursively. */
function violations(type: protobuf.Type, obj: Obj, path: string, out: string[]): string[] {
  for (const f of type.fieldsArray) {
    const v = obj[f.name];
    const at = `${path}.${f.name}`;
    const has = v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '';
    const o = (f.options ?? {}) as Obj;
    if (o['(field_options).is_mandatory'] === true && !has) out.push(`${at} is mandatory`);
    if (!has) continue;
    const vs = Array.isArray(v) ? v : [v];
    if (o['(field_options).is_ulid'] === true) for (const x of vs) if (!ULID.test(String(x))) out.push(`${at} is not a ULID: ${String(x)}`);
    if (o['(field_options).is_uuid'] === true) for (const x of vs) if (!UUID.test(String(x))) out.push(`${at} is not a UUID: ${String(x)}`);
    if (f.resolvedType instanceof protobuf.Type) for (const [i, x] of vs.entries()) violations(f.resolvedType, x as Obj, Array.isArray(v) ? `${at}[${i}]` : at, out);
  }
  for (const one of type.oneofsArray) {
    if ((one.options as Obj | undefined)?.['(oneof_options).is_mandatory'] !== true) continue;
    if (!one.fieldsArray.some((f) => obj[f.name] !== undefined)) out.push(`${path}: one of ${one.fieldsArray.map((f) => f.name).join(', ')} is mandatory`);
  }
  return out;
}

/** A message as the fake parent received it (snake_case), and when. */
interface Received {
  at: number;
  m: Obj;
}

/** The fake parent node: frames, decodes and validates every message; answers Registrations. */
async function fakeParent(port = 0, opts: { accept?: () => boolean; reason?: string; /** Stop reading after answering the Registration. */ paused?: boolean; tls?: { cert: Buffer; key: Buffer; ca: Buffer } } = {}) {
  const got: Received[] = [];
  const problems: string[] = [];
  const sockets = new Set<Socket>();
  const events = new EventEmitter();
  const onConnection = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4) {
        const n = buf.readUInt32LE(0);
        if (buf.length < 4 + n) break;
        const payload = buf.subarray(4, 4 + n);
        buf = buf.subarray(4 + n);
        const m = SapientMessage.toObject(SapientMessage.decode(payload), { enums: String, longs: Number, defaults: false, oneofs: false }) as Obj;
        violations(SapientMessage, m, 'SapientMessage', problems);
        got.push({ at: Date.now(), m });
        events.emit('message', m);
        if (m.registration !== undefined) {
          const ok = opts.accept ? opts.accept() : true;
          const ack = SapientMessage.fromObject({
            timestamp: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
            node_id: PARENT_ID,
            destination_id: m.node_id,
            registration_ack: { acceptance: ok, ack_response_reason: ok ? [] : [opts.reason ?? 'refused'] },
          });
          const body = SapientMessage.encode(ack).finish();
          const head = Buffer.alloc(4);
          head.writeUInt32LE(body.length);
          s.write(Buffer.concat([head, body]));
          if (opts.paused) s.pause(); // a parent that stops reading once it has answered
        }
      }
    });
  };
  // over TLS: only clients with a certificate of `ca`
  const server: Server = opts.tls ? createTlsServer({ ...opts.tls, requestCert: true, rejectUnauthorized: true }, onConnection) : createServer(onConnection);
  let refusedHandshakes = 0;
  server.on('tlsClientError', () => refusedHandshakes++);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    got,
    problems,
    sockets,
    get refusedHandshakes() {
      return refusedHandshakes;
    },
    of: (kind: string) => got.filter((r) => r.m[kind] !== undefined),
    resume: () => {
      for (const s of sockets) s.resume();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const seconds = (ts: unknown): number => {
  const t = ts as { seconds?: number; nanos?: number };
  return (t.seconds ?? 0) + (t.nanos ?? 0) / 1e9;
};

/** Metres between two positions (equirectangular; fine at a metre's scale). */
function metres(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const k = Math.PI / 180;
  return 6371008.8 * Math.hypot((lat2 - lat1) * k, (lon2 - lon1) * k * Math.cos(lat1 * k));
}

describe('SAPIENT upward link to a parent node', () => {
  const tmp = tempDir();
  let srv: RunningServer;
  let parent: Awaited<ReturnType<typeof fakeParent>>;
  let parent2: Awaited<ReturnType<typeof fakeParent>> | undefined;
  let now = 0;
  /** The service's track reports, as the transports get them. */
  const reports: { t: number; tracks: TrackWire[] }[] = [];
  let rows: Record<string, unknown>[] = [];
  let half = 0;

  before(async () => {
    parent = await fakeParent();
    const { scene, config } = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 240 });
    now = scene.t0;
    rows = scene.detections as unknown as Record<string, unknown>[];
    half = rows.findIndex((r) => (r.t as number) >= scene.t0 + 120);
    srv = await startServer({
      config: {
        ...config,
        sapient: { nodes: [{ node_id: CHILD, sensor: 'sapient-radar' }], parent: { host: '127.0.0.1', port: parent.port, interval_s: 2, status_interval_s: 0.5, reconnect_max_s: 2 } },
      },
      clock: () => now,
      logger: quietLogger(),
    });
    srv.service.onTracks((t, tracks) => reports.push({ t, tracks: structuredClone(tracks) }));
    await until(() => srv.transports.sapientParent?.state() === 'registered', 10_000, 'registered with the parent');
    await feedScene((r) => srv.service.ingest.ingest(null, r, 'test'), rows.slice(0, half), (t) => (now = t), 0);
    const want = srv.transports.sapientParent!.stats().detectionReports;
    await until(() => parent.of('detection_report').length >= want, 10_000, 'the detection reports at the parent');
  });
  after(async () => {
    await srv?.close();
    await parent?.close();
    await parent2?.close();
    tmp.cleanup();
  });

  it('registers as a FUSION_NODE with every mandatory field, and reports status at its registered interval', async () => {
    const regs = parent.of('registration');
    assert.equal(regs.length, 1);
    const m = regs[0].m;
    assert.ok(UUID.test(String(m.node_id)));
    assert.equal(m.node_id, srv.transports.sapientParent!.nodeId);
    const reg = m.registration as Obj;
    assert.deepEqual(reg.node_definition, [{ node_type: 'NODE_TYPE_FUSION_NODE' }]);
    assert.equal(reg.icd_version, 'BSI Flex 335 v2.0');
    assert.deepEqual((reg.status_definition as Obj).status_interval, { units: 'TIME_UNITS_SECONDS', value: 0.5 });
    assert.deepEqual(reg.dependent_nodes, [CHILD]);
    assert.deepEqual(parent.problems, [], 'every message fits the protos\' marks');
    await until(() => parent.of('status_report').length >= 4, 10_000, 'four status reports');
    const st = parent.of('status_report');
    assert.ok(st[0].at >= regs[0].at);
    for (const r of st) assert.equal((r.m.status_report as Obj).system, 'SYSTEM_OK');
    assert.equal((st[0].m.status_report as Obj).info, 'INFO_NEW');
    assert.equal((st[1].m.status_report as Obj).info, 'INFO_UNCHANGED');
    // no flood: the first goes right after the ack (sent when the registration arrived), the
    // k-th no sooner than k intervals later, and none arrives before it is sent (50 ms of timer slack)
    const span = st.at(-1)!.at - regs[0].at;
    assert.ok((st.length - 1) * 500 <= span + 50, `${st.length} status reports in ${span} ms`);
  });

  it("reports the service's tracks: positions within a metre, one stable ULID per track, at most every interval_s", () => {
    const drs = parent.of('detection_report');
    assert.ok(drs.length >= 20, `${drs.length} detection reports`);
    assert.deepEqual(parent.problems, []);
    const objOfTrack = new Map<string, string>();
    const trackOfObj = new Map<string, string>();
    const timesOfObj = new Map<string, number[]>();
    for (const { m } of drs) {
      const dr = m.detection_report as Obj;
      const t = seconds(m.timestamp);
      const loc = dr.location as Obj;
      assert.equal(loc.coordinate_system, 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M');
      assert.equal(loc.datum, 'LOCATION_DATUM_WGS84_E');
      // the service's track at that time and place
      const cands = reports.flatMap((r) => r.tracks).filter((x) => Math.abs(x.t - t) < 1e-6 && metres(x.lat, x.lon, loc.y as number, loc.x as number) < 1);
      const tracks = new Set(cands.map((x) => x.track));
      assert.equal(tracks.size, 1, `one track within a metre of the report at ${t} (${[...tracks].join(', ')})`);
      const tr = cands[0];
      if (tr.alt_m !== undefined) assert.ok(Math.abs((loc.z as number) - tr.alt_m) < 1, 'altitude');
      // one sigma: the degrees back to metres
      const sdN = (loc.y_error as number) * 111_320;
      assert.ok(Math.abs(sdN - tr.pos_sd_m) < 0.01 * tr.pos_sd_m + 0.01, `north error ${sdN} m against ${tr.pos_sd_m} m`);
      const v = dr.enu_velocity as Obj;
      assert.ok(Math.abs((v.east_rate as number) - tr.ve_mps) < 1e-6 && Math.abs((v.north_rate as number) - tr.vn_mps) < 1e-6, 'velocity');
      const cls = dr.classification as { type: string; confidence: number }[];
      for (const [label, p] of Object.entries(tr.class)) if (p > 0) assert.ok(cls.some((c) => c.type === label && Math.abs(c.confidence - p) < 1e-6), `class ${label}`);
      const beh = dr.behaviour as { type: string; confidence: number }[];
      assert.ok(Math.abs(beh.find((b) => b.type === 'threat')!.confidence - tr.threat) < 1e-6, 'threat');
      if (tr.status === 'coasting') assert.equal(dr.state, 'coasting');
      const oid = dr.object_id as string;
      assert.ok(ULID.test(oid));
      assert.equal(objOfTrack.get(tr.track) ?? oid, oid, `track ${tr.track} keeps its object_id`);
      assert.equal(trackOfObj.get(oid) ?? tr.track, tr.track, `object ${oid} is one track`);
      objOfTrack.set(tr.track, oid);
      trackOfObj.set(oid, tr.track);
      timesOfObj.set(oid, [...(timesOfObj.get(oid) ?? []), t]);
    }
    assert.ok(objOfTrack.size >= 3, `${objOfTrack.size} tracks reported`);
    for (const [oid, ts] of timesOfObj) for (let i = 1; i < ts.length; i++) assert.ok(ts[i] - ts[i - 1] >= 2 - 1e-6, `object ${oid} reported ${ts[i] - ts[i - 1]} s after its last`);
    // report ids are new ULIDs each time
    const ids = drs.map((r) => (r.m.detection_report as Obj).report_id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('reconnects and re-registers when the parent restarts; tracks keep their object_ids', async () => {
    const link = srv.transports.sapientParent!;
    const before = parent.of('detection_report');
    const objBefore = new Set(before.map((r) => (r.m.detection_report as Obj).object_id as string));
    const port = parent.port;
    await parent.close();
    await until(() => link.state() !== 'registered', 10_000, 'the link to notice');
    parent2 = await fakeParent(port);
    await until(() => parent2!.of('registration').length >= 1 && link.state() === 'registered', 20_000, 're-registered with the restarted parent');
    assert.equal(parent2.of('registration')[0].m.node_id, link.nodeId, 'the same node id');
    assert.ok(link.stats().connects >= 2);
    const sent = link.stats().detectionReports;
    await feedScene((r) => srv.service.ingest.ingest(null, r, 'test'), rows.slice(half), (t) => (now = t), 10);
    await until(() => parent2!.of('detection_report').length > 0 && link.stats().detectionReports > sent, 10_000, 'reports after the restart');
    await until(() => parent2!.of('detection_report').length >= link.stats().detectionReports - sent, 10_000, 'all of them');
    const afterIds = parent2.of('detection_report').map((r) => (r.m.detection_report as Obj).object_id as string);
    const kept = afterIds.filter((o) => objBefore.has(o));
    assert.ok(kept.length > 0, 'tracks alive across the restart are reported under their object_ids');
    assert.deepEqual(parent2.problems, []);
    // the clock runs on without detections: the tracks end
    const isLost = () => parent2!.of('detection_report').some((r) => (r.m.detection_report as Obj).state === 'lost');
    // the clock moves 5 s at each check, until a lost report arrives (or the real-time limit)
    await until(
      () => {
        if (isLost()) return true;
        now += 5;
        return false;
      },
      60_000,
      'a track reported lost as the clock runs on',
    );
    await until(() => parent2!.of('detection_report').length >= link.stats().detectionReports - sent, 10_000, 'all of them');
    // a track that ended is reported once more as lost, under its object_id, and never again
    const all = [...before, ...parent2.of('detection_report')].map((r) => r.m.detection_report as Obj);
    const lost = all.filter((d) => d.state === 'lost');
    assert.ok(lost.length > 0, 'some tracks ended in the scene');
    for (const l of lost) {
      const of = all.filter((d) => d.object_id === l.object_id);
      assert.ok(of.length >= 2, 'reported before it was lost');
      assert.equal(of.at(-1), l, 'nothing after lost');
      assert.equal(of.filter((d) => d.state === 'lost').length, 1);
    }
  });

  it('says goodbye when the service stops', async () => {
    const p = parent2!;
    await srv.close();
    await until(() => p.of('status_report').some((r) => (r.m.status_report as Obj).system === 'SYSTEM_GOODBYE'), 5000, 'the goodbye');
    const last = p.of('status_report').at(-1)!;
    assert.equal((last.m.status_report as Obj).system, 'SYSTEM_GOODBYE');
  });
});

describe('SAPIENT upward link: refusal and a slow parent', () => {
  /** A stand-in for the service: the link uses its log, clock and track reports only. */
  function fakeService(lines: string[]) {
    const listeners: ((t: number, tracks: TrackWire[]) => void)[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const svc = { log: pino({ level: 'info' }, sink), clock: () => Date.now() / 1000, onTracks: (fn: (t: number, tracks: TrackWire[]) => void) => listeners.push(fn) };
    return { svc: svc as unknown as Service, emit: (t: number, tracks: TrackWire[]) => listeners.forEach((fn) => fn(t, tracks)) };
  }
  const cfg = (port: number) => ({ host: '127.0.0.1', port, node_id: null, interval_s: 0, status_interval_s: 5, tls: null, reconnect_max_s: 1, max_queue: 200 });

  it('logs the reason of a refused registration and retries until accepted', async () => {
    let accept = false;
    const p = await fakeParent(0, { accept: () => accept, reason: 'node 1234 is not in this parent\'s list' });
    const lines: string[] = [];
    const { svc } = fakeService(lines);
    const link = startSapientParent(svc, cfg(p.port));
    try {
      await until(() => link.stats().refused >= 2, 10_000, 'two refusals');
      assert.equal(link.state() === 'registered', false);
      assert.deepEqual(link.stats().lastRefusal, ['node 1234 is not in this parent\'s list']);
      assert.ok(lines.some((l) => /"level":40/.test(l) && l.includes('refused the registration') && l.includes('not in this parent')), 'a warning with the reason');
      assert.ok(p.of('registration').length >= 2, 'registered again');
      accept = true;
      await until(() => link.state() === 'registered', 10_000, 'accepted at last');
      assert.deepEqual(p.problems, []);
    } finally {
      await link.close();
      await p.close();
    }
  });

  it('a parent that stops reading: the track reports never wait, the oldest are dropped and counted, the newest arrive', async () => {
    const p = await fakeParent(0, { paused: true });
    const { svc, emit } = fakeService([]);
    const link = startSapientParent(svc, cfg(p.port));
    try {
      await until(() => link.state() === 'registered', 10_000, 'registered');
      const tracks = (k: number): TrackWire[] =>
        Array.from({ length: 500 }, (_, i) => ({ t: 1_764_000_000 + k, track: `T${i}`, lat: 37.5 + i * 1e-4, lon: 127 + k * 1e-4, alt_m: 100, ve_mps: 1, vn_mps: 2, pos_sd_m: 10, class: { multirotor: 0.5 + (i % 10) / 100 }, label: 'multirotor', threat: 0.1, affiliation: 'unknown', speed_mps: 2.2, course_deg: 30, sensors: ['x'], status: 'confirmed' }));
      let k = 0;
      let slowest = 0;
      while (link.stats().dropped === 0 && k < 400) {
        const t0 = Date.now();
        emit(1_764_000_000 + k, tracks(k));
        slowest = Math.max(slowest, Date.now() - t0);
        k++;
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(link.stats().dropped > 0, `dropped after ${k} reports of 500 tracks`);
      assert.ok(slowest < 5000, `a report took ${slowest} ms`);
      const lastK = k - 1;
      p.resume();
      const sent = link.stats().detectionReports;
      await until(() => p.of('detection_report').length + link.stats().dropped >= sent, 30_000, 'the queue to drain');
      assert.equal(p.of('detection_report').length + link.stats().dropped, sent, 'every report arrived or was counted as dropped');
      const last = p.of('detection_report').at(-1)!.m;
      assert.equal(seconds(last.timestamp), 1_764_000_000 + lastK, 'the newest report arrived');
    } finally {
      await link.close();
      await p.close();
    }
  });

  it('over TLS with a client certificate: registers and reports', async () => {
    const tmp = tempDir();
    try {
      const run = (...args: string[]) => {
        const r = spawnSync('openssl', args, { cwd: tmp.dir, encoding: 'utf8' });
        assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr ?? r.error?.message}`);
      };
      run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test-ca');
      const issue = (who: string, ext: string) => {
        run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
        writeFileSync(join(tmp.dir, `${who}.ext`), ext);
        run('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', '-extfile', `${who}.ext`);
      };
      issue('parent', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
      issue('skywarden', 'extendedKeyUsage=clientAuth\n');
      const f = (n: string) => join(tmp.dir, n);
      const p = await fakeParent(0, { tls: { cert: readFileSync(f('parent.pem')), key: readFileSync(f('parent.key')), ca: readFileSync(f('ca.pem')) } });
      const { svc, emit } = fakeService([]);
      const link = startSapientParent(svc, { ...cfg(p.port), tls: { cert: f('skywarden.pem'), key: f('skywarden.key'), ca: f('ca.pem'), server_name: 'localhost' } });
      try {
        await until(() => link.state() === 'registered', 15_000, 'registered over TLS');
        emit(1_764_000_000, [{ t: 1_764_000_000, track: 'T1', lat: 37.5, lon: 127, ve_mps: 0, vn_mps: 0, pos_sd_m: 5, class: {}, label: 'unknown', threat: 0, affiliation: 'unknown', speed_mps: 0, course_deg: 0, sensors: [], status: 'confirmed' }]);
        await until(() => p.of('detection_report').length === 1, 5000, 'the report over TLS');
        assert.deepEqual(p.problems, []);
      } finally {
        await link.close();
        await p.close();
      }
      // without the client certificate the parent refuses the handshake: the link keeps trying, nothing registers
      const p2 = await fakeParent(0, { tls: { cert: readFileSync(f('parent.pem')), key: readFileSync(f('parent.key')), ca: readFileSync(f('ca.pem')) } });
      const { svc: svc2 } = fakeService([]);
      const link2 = startSapientParent(svc2, { ...cfg(p2.port), tls: { ca: f('ca.pem'), server_name: 'localhost' } });
      try {
        await until(() => p2.refusedHandshakes >= 2, 15_000, 'two handshakes refused');
        assert.notEqual(link2.state(), 'registered');
        assert.equal(p2.of('registration').length, 0);
      } finally {
        await link2.close();
        await p2.close();
      }
    } finally {
      tmp.cleanup();
    }
  });

  it('config: sapient.parent takes defaults and names bad keys', () => {
    const ok = buildConfig({ sapient: { parent: { host: 'parent.example', port: 5020 } } }, {});
    assert.ok(ok.ok);
    assert.deepEqual(ok.config.sapient.parent, { host: 'parent.example', port: 5020, node_id: null, interval_s: 1, status_interval_s: 5, tls: null, reconnect_max_s: 30, max_queue: 1000 });
    const bad = buildConfig({ sapient: { parent: { host: 'p', port: 0, intervall_s: 2, tls: { cert: 'a.pem' } } } }, {});
    assert.equal(bad.ok, false);
    const errs = bad.ok ? '' : bad.errors.join('\n');
    assert.match(errs, /sapient\.parent\.intervall_s is not a setting/);
    assert.match(errs, /sapient\.parent\.port must be an integer in \[1, 65535\]/);
    assert.match(errs, /sapient\.parent\.tls must be .*cert and key together/);
    const noHost = buildConfig({ sapient: { parent: { port: 1 } } }, {});
    assert.match(noHost.ok ? '' : noHost.errors.join('\n'), /sapient\.parent\.host is required/);
  });
});
