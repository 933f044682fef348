/**
 * The demo: the simulator's Seoul raid (examples/seoul-raid.yaml: 50 drones from the north
 * over 900 microphones, a radar, 400 phone observers and ADS-B traffic, the 77 districts of
 * Seoul, Incheon and Gyeonggi as zones) played as a virtual sensor network through the real
 * ingest paths: the radar and the ADS-B receivers publish over MQTT, each with its own
 * credential; microphones and observers reach the HTTP ingest through a gateway credential,
 * as a field concentrator would. Times are shifted so that the raid starts now, and the
 * service clock runs `speed` times faster than the wall clock. When the raid ends, it starts
 * again with the next seed. Every sensor also sends a heartbeat each minute of service time
 * (the gateway one request for all its nodes, the MQTT sensors on their status topics), as a
 * working network does: without them, a microphone that heard nothing would show as never seen.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { buildScenarioScene, parseScenario, type BuiltScene } from '@skywarden/sim';
import type { SensorCredential } from './config.js';

/** The Seoul raid scenario (as examples/seoul-raid.yaml). */
export function seoulRaidScenario(seed: number) {
  return {
    name: 'Seoul capital area, a raid from the north (demo)',
    preset: 'mixed',
    seed,
    start: '2025-11-24T16:00:00Z',
    duration_s: 1200,
    origin: { lat: 37.62, lon: 126.98 },
    region_m: 60000,
    raid: { drones: 50, jet_share: 0.1, decoy_share: 0.2, downed_share: 0.1, from_deg: 0 },
    sensors: { microphones: 900, radars: 1, observers: 400 },
    traffic: { airliners: 4, helicopters: 2 },
    zones: { kr_admin: ['seoul', 'incheon', 'gyeonggi'], lead_s: 300 },
  };
}

const MQTT_KINDS = new Set(['radar', 'adsb', 'remote_id', 'rf', 'eo']);
/** The demo sensors' heartbeat period (s of service time). */
const HEARTBEAT_S = 60;

export interface DemoScene {
  scene: BuiltScene;
  sensorRows: Record<string, unknown>[];
  zonesText: string;
  credentials: SensorCredential[];
  /** Tokens by publisher id (for the feeder). */
  tokens: Map<string, string>;
  t0: number;
  t1: number;
}

export function buildDemoScene(seed: number, dataDir: URL): DemoScene {
  const parsed = parseScenario(seoulRaidScenario(seed));
  if (!parsed.ok) throw new Error(`demo scenario: ${parsed.errors.join('; ')}`);
  const io = {
    readText: (p: string) => readFileSync(new URL(p, dataDir), 'utf8'),
    readJson: (p: string) => JSON.parse(readFileSync(new URL(p, dataDir), 'utf8')) as unknown,
    krAdminTopology: () => readFileSync(new URL('kr-admin/skorea-municipalities-2018-topo-simple.json', dataDir), 'utf8'),
  };
  const scene = buildScenarioScene(parsed.scenario, io);
  const sensorRows = scene.sensors as unknown as Record<string, unknown>[];
  const tokens = new Map<string, string>();
  const credentials: SensorCredential[] = [];
  const gatewaySensors: string[] = [];
  for (const s of sensorRows) {
    const id = String(s.id);
    if (MQTT_KINDS.has(String(s.kind))) {
      const token = randomBytes(12).toString('base64url');
      tokens.set(id, token);
      credentials.push({ sensor: id, token });
    } else gatewaySensors.push(id);
  }
  const gwToken = randomBytes(12).toString('base64url');
  tokens.set('demo-gateway', gwToken);
  credentials.push({ gateway: 'demo-gateway', sensors: gatewaySensors, token: gwToken });
  const start = parsed.scenario.t0;
  return {
    scene,
    sensorRows,
    zonesText: JSON.stringify(scene.zones),
    credentials,
    tokens,
    t0: start,
    t1: start + parsed.scenario.durationS,
  };
}

export interface DemoFeeder {
  stats: { http: number; mqtt: number; httpErrors: number; laps: number; heartbeats: number };
  close(): Promise<void>;
}

/**
 * Plays the scene into the service at `httpPort` / `mqttPort` on the service clock. The
 * first lap's detections are shifted to start at `startT` (s, service clock).
 */
export async function startDemoFeeder(o: {
  demo: DemoScene;
  httpPort: number;
  mqttPort: number | null;
  clock: () => number;
  startT: number;
  log: (msg: string) => void;
}): Promise<DemoFeeder> {
  const { demo } = o;
  const stats = { http: 0, mqtt: 0, httpErrors: 0, laps: 0, heartbeats: 0 };
  const clients = new Map<string, MqttClient>();
  if (o.mqttPort !== null) {
    for (const s of demo.sensorRows) {
      const id = String(s.id);
      if (!MQTT_KINDS.has(String(s.kind))) continue;
      const c = mqtt.connect(`mqtt://127.0.0.1:${o.mqttPort}`, { clientId: `demo-${id}`, username: id, password: demo.tokens.get(id), protocolVersion: 4, reconnectPeriod: 1000 });
      c.on('error', (err) => o.log(`demo MQTT ${id}: ${err.message}`));
      clients.set(id, c);
    }
  }
  const gwAuth = 'Basic ' + Buffer.from(`demo-gateway:${demo.tokens.get('demo-gateway')}`).toString('base64');
  const rows = [...demo.scene.chunks()].flatMap((c) => c.detections) as unknown as Record<string, unknown>[];
  let lapShift = o.startT - demo.t0;
  const runTag = Math.round(o.startT * 1000).toString(36);
  const lapLength = demo.t1 - demo.t0 + 30;
  let i = 0;
  let closed = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const gatewaySensors = demo.sensorRows.map((s) => String(s.id)).filter((id) => !clients.has(id));
  /** POSTs `body` to the service with the gateway's credential; `ok(body)` on the expected status, else an HTTP error counted. */
  const postAsGateway = (path: string, body: unknown, expect: number, ok: (b: Record<string, unknown>) => void): Promise<unknown> =>
    fetch(`http://127.0.0.1:${o.httpPort}${path}`, { method: 'POST', headers: { authorization: gwAuth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (res) => {
        const b = (await res.json()) as Record<string, unknown>;
        if (res.status === expect) ok(b);
        else stats.httpErrors++;
      },
      () => stats.httpErrors++,
    );
  let nextBeat = -Infinity;

  /** Every sensor's heartbeat, at most once a minute of service time. */
  const beat = async (now: number) => {
    if (now < nextBeat) return;
    nextBeat = now + HEARTBEAT_S;
    const sends: Promise<unknown>[] = [];
    for (const [id, c] of clients) sends.push(c.publishAsync(`skywarden/v1/${id}/status`, JSON.stringify({ t: now }), { qos: 1 }).then(() => stats.heartbeats++, () => {}));
    if (gatewaySensors.length > 0) sends.push(postAsGateway('/api/v1/sensors/status', { sensors: gatewaySensors }, 200, (b) => (stats.heartbeats += Number(b.heard ?? 0))));
    await Promise.all(sends);
  };

  const pump = async () => {
    const now = o.clock();
    // heartbeats go beside the detections, not before them (a detection waits for no heartbeat)
    const beating = beat(now);
    const http: Record<string, unknown>[] = [];
    const bySensor = new Map<string, Record<string, unknown>[]>();
    while (true) {
      if (i >= rows.length) {
        stats.laps++;
        i = 0;
        lapShift += lapLength;
      }
      const r = rows[i];
      const t = (r.t as number) + lapShift;
      if (t > now) break;
      // ids unique to this run and lap: a restart on the same data folder sends new detections, not duplicates of the last run's
      const row = { ...r, t: Math.round(t * 1000) / 1000, id: r.id !== undefined ? `${r.id}-${runTag}l${stats.laps}` : undefined };
      const sensor = String(r.sensor);
      if (clients.has(sensor)) {
        let list = bySensor.get(sensor);
        if (!list) bySensor.set(sensor, (list = []));
        list.push(row);
      } else http.push(row);
      i++;
    }
    const sends: Promise<unknown>[] = [];
    for (const [sensor, list] of bySensor) {
      const c = clients.get(sensor) as MqttClient;
      sends.push(
        c.publishAsync(`skywarden/v1/${sensor}/detections`, JSON.stringify(list), { qos: 1 }).then(
          () => (stats.mqtt += list.length),
          () => {},
        ),
      );
    }
    for (let k = 0; k < http.length; k += 5000) {
      sends.push(postAsGateway('/api/v1/detections', http.slice(k, k + 5000), 202, (b) => (stats.http += Number(b.accepted ?? 0))));
    }
    await Promise.all([...sends, beating]);
  };
  const timer = setInterval(() => {
    if (closed) return;
    inFlight = inFlight.then(pump).catch((err: Error) => o.log(`demo feeder: ${err.message}`));
  }, 200);
  return {
    stats,
    async close() {
      closed = true;
      clearInterval(timer);
      await inFlight;
      await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
    },
  };
}
