/**
 * `startServer`: configuration -> service -> HTTP and MQTT listeners (-> demo feeder).
 * The command `skywarden serve` and the tests call this; `close()` stops it gracefully:
 * ingest stops first, the journal's pending writes finish, then everything closes.
 */
import { mkdirSync } from 'node:fs';
import { lockDataDir } from './data-dir-lock.js';
import { ConfigError } from './errors.js';
import pino, { type Logger } from 'pino';
import { buildConfig, type ServerConfig } from './config.js';
import { createService, DATA_DIR, type Service } from './service.js';
import { buildApp } from './http/app.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt/embedded-broker.js';
import { startExternalIngest, type ExternalIngest } from './mqtt/external-client.js';
import { buildDemoScene, startDemoFeeder, type DemoFeeder } from './demo.js';
import { startTakCot, type TakCot } from './transports/tak-cot.js';
import { startAsterixOut, type AsterixOut } from './transports/asterix-out.js';
import { startAsterixIn, type AsterixIn } from './transports/asterix-in.js';
import { startSapientNode, type SapientNodeServer } from './transports/sapient-node.js';
import { startSapientParent, type SapientParentLink } from './transports/sapient-parent.js';
import type { AlertWire } from '@skywarden/formats';
import type { AlertTransition, TrackerComponents } from '@skywarden/core';
import type { Zone } from '@skywarden/formats';

export interface StartOptions {
  /** The config file's content (parsed YAML/JSON), if any. */
  config?: unknown;
  /** Environment for SKYWARDEN__ overrides (default: none; the CLI passes process.env). */
  env?: Record<string, string | undefined>;
  /** Flags that override the config. */
  port?: number;
  mqttPort?: number;
  dataDir?: string;
  /** The process's part in a cluster (`cluster.role`: all, ingest, fusion, api). */
  role?: string;
  /** Run the Seoul demo raid through the real ingest. `speed`: service clock rate (default 1). */
  demo?: boolean | { speed?: number; seed?: number };
  /** Service clock (s); default the wall clock (or the demo's faster one). */
  clock?: () => number;
  /** Logger; default pino to stderr at the configured level. */
  logger?: Logger;
  /** Extra hook for each alert change (publishers). */
  onAlert?: (a: AlertWire, tr: AlertTransition, zone: Zone | undefined) => void;
  /** Tracker components replaced (research, tests: core's seams); default all. */
  trackerComponents?: Partial<TrackerComponents>;
}

export interface RunningServer {
  config: ServerConfig;
  service: Service;
  httpPort: number;
  /** Embedded broker port, or null when MQTT is external or off. */
  mqttPort: number | null;
  /** Demo users' passwords (demo mode only). */
  demoUsers?: { name: string; password: string; role: string }[];
  demo?: DemoFeeder;
  /** Detections replayed from the journal at start. */
  replayed: number;
  /** The standards transports that are configured on (see docs/standards.md), and their listening ports. */
  transports: {
    tak?: TakCot;
    asterix?: AsterixOut;
    /** ASTERIX CAT048/CAT062 input (its UDP port: `asterixIn.port`). */
    asterixIn?: AsterixIn;
    sapient?: SapientNodeServer;
    /** Port of the SAPIENT fusion node's TCP server. */
    sapientPort?: number;
    /** The link up to a parent SAPIENT fusion node (`sapient.parent`). */
    sapientParent?: SapientParentLink;
    /** Port of the CoT UDP listener. */
    takUdpPort?: number;
  };
  close(): Promise<void>;
}

export { ConfigError } from './errors.js';

const DEMO_USERS = [
  { name: 'admin', password: 'admin-demo', role: 'admin' as const },
  { name: 'operator', password: 'operator-demo', role: 'operator' as const },
  { name: 'viewer', password: 'viewer-demo', role: 'viewer' as const },
];

export async function startServer(o: StartOptions = {}): Promise<RunningServer> {
  const flags: Record<string, unknown> = {};
  if (o.port !== undefined) flags.http = { port: o.port };
  if (o.mqttPort !== undefined) flags.mqtt = { port: o.mqttPort };
  if (o.dataDir !== undefined) flags.data_dir = o.dataDir;
  if (o.role !== undefined) flags.cluster = { role: o.role };
  const demoOpt = o.demo === true ? {} : o.demo === false || o.demo === undefined ? null : o.demo;
  const built = buildConfig(o.config ?? null, o.env ?? {}, flags);
  if (!built.ok) throw new ConfigError(`bad configuration:\n  ${built.errors.join('\n  ')}`);
  const config = built.config;
  mkdirSync(config.data_dir, { recursive: true });
  const unlock = lockDataDir(config.data_dir);
  try {
    return await startLocked(o, config, demoOpt, unlock);
  } catch (err) {
    // a start that fails (a store it cannot open, a bad zones file, a taken port) leaves the data folder free
    unlock();
    throw err;
  }
}

async function startLocked(o: StartOptions, config: ServerConfig, demoOpt: { speed?: number; seed?: number } | null, unlock: () => void): Promise<RunningServer> {
  const log = o.logger ?? pino({ level: config.log.level, base: { service: 'skywarden' } }, pino.destination(2));

  let clock = o.clock;
  let demoClockShift = 0;
  let demoScene: ReturnType<typeof buildDemoScene> | null = null;
  let demoUsers: RunningServer['demoUsers'];
  if (demoOpt) {
    const speed = demoOpt.speed ?? 1;
    if (!(speed > 0 && speed <= 1000)) throw new ConfigError(`demo speed must be in (0, 1000], got ${speed}`);
    if (!clock) {
      const wall0 = Date.now() / 1000;
      // a restart on an earlier run's data folder goes on after that run's last detection
      // (its faster clock ran ahead of the wall clock): never back in time (see below)
      clock = () => wall0 + (Date.now() / 1000 - wall0) * speed + demoClockShift;
    }
    demoScene = buildDemoScene(demoOpt.seed ?? 7, DATA_DIR);
    config.credentials = [...config.credentials, ...demoScene.credentials];
    if (config.auth.users.length === 0) {
      config.auth.users = DEMO_USERS.map((u) => ({ ...u }));
      demoUsers = DEMO_USERS;
    }
    config.auth.open_viewing = true;
    config.alerts.public_feed = true; // the residents' page at /public/ shows the demo's warnings
    config.alerts.cap_status = 'Exercise';
    // the demo raid is short: replay only its own span, not an old run's
    config.fusion.replay_window_s = 0;
  }
  const service = await createService({
    config,
    log,
    clock,
    mode: demoOpt ? 'demo' : 'live',
    zonesText: demoScene?.zonesText,
    sensorRows: demoScene?.sensorRows,
    onAlert: o.onAlert,
    trackerComponents: o.trackerComponents,
  });
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  let broker: EmbeddedBroker | null = null;
  let external: ExternalIngest | null = null;
  let feeder: DemoFeeder | undefined;
  const transports: RunningServer['transports'] = {};
  const closeTransports = async () => {
    await transports.sapient?.close().catch((err: Error) => log.error({ err }, 'closing SAPIENT failed'));
    await transports.sapientParent?.close().catch((err: Error) => log.error({ err }, 'closing the SAPIENT parent link failed'));
    await transports.tak?.close().catch((err: Error) => log.error({ err }, 'closing CoT failed'));
    await transports.asterix?.close().catch((err: Error) => log.error({ err }, 'closing ASTERIX failed'));
    await transports.asterixIn?.close().catch((err: Error) => log.error({ err }, 'closing the ASTERIX input failed'));
  };
  try {
    // before the API listens: heartbeats and audit entries are stamped with the resumed clock
    if (demoOpt && !o.clock) {
      // the demo's clock resumes after the last detection an earlier run journalled: its alerts,
      // tracks and detections then lie in the past of this run, not in its future
      // (the latest time among the last entries: arrival order is not time order)
      const last = await service.store.lastSeq();
      const tail = last > 0 ? await service.store.readJournal(Math.max(0, last - 1000), 1000) : [];
      const resumeAt = tail.length > 0 ? Math.max(...tail.map((e) => e.t)) + config.fusion.reorder_delay_s + 1 : -Infinity;
      if (resumeAt > service.clock()) {
        demoClockShift = resumeAt - service.clock();
        log.info({ resumeAt }, 'demo clock resumes after the data folder\'s last detection');
      }
    }
    // the API listens first: health answers (503, with the progress) and the ingest asks to retry while the journal replays
    app = await buildApp(service);
    await app.listen({ port: config.http.port, host: config.http.host });
    const addr = app.server.address();
    const httpPort = typeof addr === 'object' && addr ? addr.port : config.http.port;
    const { replayed } = await service.start();
    if (config.mqtt.mode === 'embedded') broker = await startEmbeddedBroker(service, config.mqtt.host, config.mqtt.port);
    else if (config.mqtt.mode === 'external') external = await startExternalIngest(service, service.gateways);
    const mqttPort = broker ? broker.port : null;
    if (config.tak.mode === 'client' || config.tak.udp.mode !== 'off' || config.tak.listen.enabled) {
      transports.tak = await startTakCot(service);
      if (transports.tak.listenPort !== null) transports.takUdpPort = transports.tak.listenPort;
    }
    if (config.asterix.enabled) transports.asterix = await startAsterixOut(service);
    if (config.asterix_in.enabled) transports.asterixIn = await startAsterixIn(service);
    if (config.sapient.enabled) {
      transports.sapient = await startSapientNode(service);
      transports.sapientPort = transports.sapient.port;
    }
    if (config.sapient.parent !== null) {
      transports.sapientParent = startSapientParent(service, config.sapient.parent, { nodeId: transports.sapient?.nodeId ?? config.sapient.node_id ?? undefined, dependentNodes: config.sapient.nodes.map((n) => n.node_id) });
    }
    if (demoScene) {
      feeder = await startDemoFeeder({ demo: demoScene, httpPort, mqttPort, clock: service.clock, startT: service.clock(), log: (m) => log.warn(m) });
    }
    let closing: Promise<void> | null = null;
    return {
      config,
      service,
      httpPort,
      mqttPort,
      demoUsers,
      demo: feeder,
      replayed,
      transports,
      close() {
        closing ??= (async () => {
          await feeder?.close();
          await closeTransports();
          await broker?.close();
          await external?.close();
          service.hub.close();
          await app?.close();
          await service.close();
          unlock();
        })();
        return closing;
      },
    };
  } catch (err) {
    await feeder?.close().catch(() => {});
    await closeTransports();
    await broker?.close().catch(() => {});
    await external?.close().catch(() => {});
    service.hub.close();
    await app?.close().catch(() => {});
    await service.close().catch(() => {});
    throw err;
  }
}
