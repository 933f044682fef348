/**
 * The service without its transports: store, sensor register, ingest, live fusion,
 * warnings, event stream, metrics and accounts, wired together. The HTTP and MQTT adapters
 * (http/, mqtt/) call into it; `startServer` (server.ts) opens them.
 *
 * Life of a detection here: adapter -> ingest.ingest (validate, journal with group commit)
 * -> acknowledged; this process's fusion.push at once, and published on the bus (bus/: in
 * the process, or NATS JetStream, through the outbox) for other nodes, whose journalled rows
 * reach this fusion by its subscription -> tracker steps as the clock passes t + reorder delay ->
 * reports -> event stream, stored track states, warnings -> alert changes -> store, stream,
 * CAP, webhooks.
 *
 * In a cluster (`cluster.role`, cluster/) a process does one part: `ingest` journals and
 * publishes to the regions' subjects; `fusion` runs the regions' pictures (fusion-worker.ts);
 * `api` serves the merged picture (merged-view.ts). `all`, the default, is the above.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ALERT_POLICY_KEYS, alertPolicyOptions, sensorCentroid, type AlertTransition, type Detection, type PictureEvent, type TrackerComponents } from '@skywarden/core';
import { capDefaultLanguages, describeJsonError, withoutBom, krAdminZones, krProvinceCode, parseDetectionRow, parseZonesGeoJson, type DetectionWire, type Zone } from '@skywarden/formats';
import { createWebhookDispatcher, createWebhookPublisher } from './publish/webhooks.js';
import { createCapStage } from './publish/cap.js';
import { createPublicPublisher, publicZones } from './publish/public-warnings.js';
import { createStorePublisher } from './publish/store-publisher.js';
import { createStreamPublisher } from './publish/stream-publisher.js';
import { sqliteStorePath, type ServerConfig } from './config.js';
import type { JournalEntry, Store } from './store/store.js';
import { createSqliteStore, createSqliteWorkerStore, createPostgresStore, type PostgresStore } from './store/index.js';
import { createLocalBus, createNatsBus, detectionsSubject, type Bus, type BusMessage } from './bus/index.js';
import { createBusOutbox, type BusRow } from './bus/outbox.js';
import { createSensorRegistry } from './sensors.js';
import { hostname } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { destination, type GeoPoint } from '@skywarden/core';
import type { NatsBus } from './bus/nats/nats-bus.js';
import { parseRegions, regionsFor } from './cluster/regions.js';
import { createFusionWorker, type FusionWorker } from './cluster/fusion-worker.js';
import { createMergedView, type MergedView } from './cluster/merged-view.js';
import { createIngest } from './ingest/ingest.js';
import { alertWire, createLivePicture, type LivePicture } from './picture/live-picture.js';
import { createStreamHub } from './stream.js';
import { createRefusalCounter, ingestStats, type IngestStats } from './ingest-stats.js';
import { createMetrics } from './metrics.js';
import { createCredentialChecker, createSessions, hashSecret, resolveCredentials } from './auth.js';
import type { AlertWire, TrackWire } from '@skywarden/formats';

export interface ServiceOptions {
  config: ServerConfig;
  log: Logger;
  /** Service clock (s since the epoch). Default: the wall clock. The demo runs a faster one. */
  clock?: () => number;
  /** `live` or `demo` (announced in the stream's hello). */
  mode?: 'live' | 'demo';
  /** Extra zones (GeoJSON FeatureCollection text), e.g. the demo scene's; used when the config names none. */
  zonesText?: string;
  /** Extra sensors (sensors.json rows), e.g. the demo network; registered at start. */
  sensorRows?: Record<string, unknown>[];
  /** Called with each alert change after it is stored (publishers: CAP, webhooks). */
  onAlert?: (a: AlertWire, tr: AlertTransition, zone: Zone | undefined) => void;
  /** Tracker components replaced (research, tests: core's seams); default all. */
  trackerComponents?: Partial<TrackerComponents>;
}

/** The repository's data/ folder (shipped boundaries), from this module's location (packages/server/dist/). */
export const DATA_DIR = new URL('../../../data/', import.meta.url);


function loadZones(c: ServerConfig, extra: string | undefined): { zones: Zone[]; geojson: unknown } {
  let text: string | null = null;
  if (c.zones.file) {
    try {
      text = readFileSync(c.zones.file, 'utf8');
    } catch (err) {
      throw new Error(`zones.file ${c.zones.file}: ${(err as Error).message}`);
    }
  } else if (c.zones.kr_admin.length > 0) {
    const topo = readFileSync(new URL('kr-admin/skorea-municipalities-2018-topo-simple.json', DATA_DIR), 'utf8');
    const provinces = c.zones.kr_admin.map((p) => krProvinceCode(p) as string); // checked by the config
    text = JSON.stringify(krAdminZones(topo, { provinces, leadS: c.zones.lead_s }));
  } else if (extra) text = extra;
  if (text === null) return { zones: [], geojson: { type: 'FeatureCollection', features: [] } };
  const parsed = parseZonesGeoJson(text);
  if (!parsed.ok) throw new Error(`zones: ${parsed.errors.slice(0, 5).join('; ')}`);
  const geojson = JSON.parse(text) as { features: { properties: Record<string, unknown> }[] };
  for (const z of parsed.zones) if (z.leadS === undefined) z.leadS = c.zones.lead_s;
  for (const f of geojson.features) f.properties.lead_s ??= c.zones.lead_s;
  return { zones: parsed.zones, geojson };
}

function toDetectionWire(d: Detection): DetectionWire {
  const w: DetectionWire = { t: d.t, sensor: d.sensorId, type: d.type, id: d.id ?? '' };
  if (d.sensorPosition) {
    w.sensor_lat = d.sensorPosition.latDeg;
    w.sensor_lon = d.sensorPosition.lonDeg;
  }
  if (d.type === 'position') {
    w.lat = d.position.latDeg;
    w.lon = d.position.lonDeg;
  } else if (d.type === 'range_bearing') {
    w.range_m = d.range;
    w.bearing_deg = (d.bearing * 180) / Math.PI;
  } else if (d.type === 'bearing') w.bearing_deg = (d.bearing * 180) / Math.PI;
  else w.range_m = d.range;
  return w;
}

/**
 * A journal entry as the bus carries it: its detection id is the row's, or the one the ingest
 * made, as "sensor:id" (the ingest's onJournalled gives the same).
 */
function journalBusRow(e: JournalEntry): BusRow {
  return { seq: e.seq, id: typeof e.row.id === 'string' ? e.row.id : `${e.sensor}:${e.id}`, row: e.row };
}

/** Most quarantine marks read at start (replay skips those entries). */
const QUARANTINE_SKIP_MAX = 100_000;

/** Seqs remembered as journalled here until the bus delivers them (then skipped). */
const OWN_SEQS_MAX = 1_000_000;

/** Journalled detections queued for the bus before the outbox reads them back from the journal instead. */
const BUS_OUTBOX_MAX_ROWS = 200_000;

/** Most journalled detections in one bus message (NATS: well under its 1 MiB default payload limit). */
const BUS_CHUNK = 1000;

/** Most detections sent on the event stream per second (the map samples beyond). */
const STREAM_DETECTIONS_PER_S = 400;

/** The PostgreSQL store with `store.postgis`: without PostGIS a warning names why (`prefer`), or the start fails (`require`). */
async function openPostgres(c: ServerConfig, log: Logger): Promise<Store> {
  const store = await createPostgresStore({ connectionString: c.store.url, schema: c.store.schema, postgis: c.store.postgis !== 'off' });
  if (store.postgis || c.store.postgis === 'off') return store;
  if (c.store.postgis === 'require') {
    await store.close();
    throw new Error(`store.postgis is require, but PostGIS cannot be used: ${store.postgisMissing}`);
  }
  log.warn({ reason: store.postgisMissing }, `PostgreSQL store without PostGIS: no geometry columns for GIS tools (${store.postgisMissing}); set store.postgis: off to silence this, or require to refuse to start`);
  return store;
}

export async function createService(o: ServiceOptions) {
  const c = o.config;
  const store: Store = c.store.kind === 'postgres' ? await openPostgres(c, o.log) : await (c.store.worker ? createSqliteWorkerStore : createSqliteStore)({ path: sqliteStorePath(c), sync: c.store.sync });
  try {
    return await serviceOn(o, store);
  } catch (err) {
    // a bad sensors file, zones or instructions: the store opened for nothing is closed again
    await store.close().catch(() => undefined);
    throw err;
  }
}

async function serviceOn(o: ServiceOptions, store: Store) {
  const c = o.config;
  const log = o.log;
  const clock = o.clock ?? (() => Date.now() / 1000);
  const metrics = createMetrics();
  /** Fusion refusals by reason code, for the operators' status strip (ingest-stats.ts). */
  const refusals = createRefusalCounter();

  // --- sensors: config file and list, the demo's, then those registered through the API (stored)
  const registry = createSensorRegistry({ silentAfterS: c.health.silent_after_s, stuckPerMin: c.health.stuck_per_min, maxPositionOffsetM: c.health.max_position_offset_m });
  const rows: Record<string, unknown>[] = [];
  if (c.sensors.file) {
    let doc: unknown;
    try {
      const text = readFileSync(c.sensors.file, 'utf8');
      // a byte-order mark (an editor's UTF-8 with BOM) is not JSON, and its error quoted an invisible character
      const body = withoutBom(text);
      try {
        doc = JSON.parse(body);
      } catch (err) {
        throw new Error(`not valid JSON (${describeJsonError(body, err)})`);
      }
    } catch (err) {
      throw new Error(`sensors.file ${c.sensors.file}: ${(err as Error).message}`);
    }
    const list = (doc as { sensors?: unknown }).sensors;
    if (!Array.isArray(list)) throw new Error(`sensors.file ${c.sensors.file}: no "sensors" list`);
    rows.push(...(list as Record<string, unknown>[]));
  }
  rows.push(...c.sensors.list);
  // one id, one sensor: a repeated id would have the later row replace the earlier one without a
  // word (an outside probe, 2026-12-06: a radar moved to 0°, 0° by a second row of its id)
  const where = (i: number) => (c.sensors.file && i < rows.length - c.sensors.list.length ? `${c.sensors.file} sensors[${i}]` : `sensors.list[${i - (rows.length - c.sensors.list.length)}]`);
  const firstOf = new Map<string, number>();
  const repeats: string[] = [];
  rows.forEach((r, i) => {
    const id = typeof r?.id === 'string' ? r.id : undefined;
    if (id === undefined) return;
    const first = firstOf.get(id);
    if (first === undefined) firstOf.set(id, i);
    else repeats.push(`${where(i)} repeats the id ${JSON.stringify(id.slice(0, 60))} of ${where(first)}`);
  });
  if (repeats.length > 0) throw new Error(`sensors: ${repeats.slice(0, 5).join('; ')}${repeats.length > 5 ? ` (and ${repeats.length - 5} more)` : ''}`);
  rows.push(...(o.sensorRows ?? []));
  const errs = registry.register(rows);
  if (errs.length > 0) throw new Error(`sensors: ${errs.slice(0, 5).join('; ')}${errs.length > 5 ? ` (and ${errs.length - 5} more)` : ''}`);
  // a "/" in an id splits its MQTT topic: such a sensor reports over HTTP only
  const slashed = registry.ids().filter((id) => id.includes('/'));
  if (slashed.length > 0) log.warn({ sensors: slashed.slice(0, 10), count: slashed.length }, 'sensor ids with "/" cannot publish over MQTT (a topic level each): they report over HTTP only');
  /** The config's rows by id (sensors.file and sensors.list): a registration through the API replaces one, its removal brings it back. */
  const configSensors = new Map([...firstOf].map(([id, i]) => [id, rows[i]] as const));
  const storedSensors = await store.listSensors();
  const replaced = storedSensors.map((s) => String(s.def?.id ?? '')).filter((id) => configSensors.has(id));
  if (replaced.length > 0) log.warn({ sensors: replaced.slice(0, 10).map((id) => id.slice(0, 60)), count: replaced.length }, 'sensors of the config replaced by their registrations through the API (DELETE /api/v1/sensors/<id> brings back the config\'s)');
  for (const s of storedSensors) {
    // a sensor stored by an earlier version that this one refuses (an id it no longer takes) is named, not dropped unseen
    const e = registry.register([s.def]);
    if (e.length > 0) log.warn({ sensor: String(s.def?.id ?? '').slice(0, 60), errors: e }, 'a stored sensor could not be registered: it is left out');
  }

  // --- accounts
  for (const u of c.auth.users) {
    const passwordHash = u.password_hash ?? (await hashSecret(u.password as string));
    await store.upsertUser({ name: u.name, passwordHash, role: u.role, createdAt: clock() });
  }
  // the config is the truth: users no longer configured (a removed account, an earlier demo's) are removed
  const configured = new Set(c.auth.users.map((u) => u.name));
  for (const u of await store.listUsers()) if (!configured.has(u.name) && (await store.deleteUser(u.name))) log.info({ user: u.name }, 'user removed: no longer in auth.users');
  const sessions = createSessions(c.auth.session_ttl_s, () => Date.now() / 1000);
  const principals = await resolveCredentials(c.credentials);
  for (const s of storedSensors) {
    if (s.credentialHash && !principals.some((p) => p.id === s.id)) principals.push({ id: s.id, gateway: false, sensors: [s.id], tokenHash: s.credentialHash });
  }
  const credentials = createCredentialChecker(principals);

  const { zones, geojson: zonesGeoJson } = loadZones(c, o.zonesText);
  const zoneById = new Map(zones.map((z) => [z.id, z]));
  // PostgreSQL: the zones and configured sensors as GIS layers (tables zones, sensor_config; views v_zones, v_sensors)
  if (store.kind === 'postgres') {
    const features = (zonesGeoJson as { features?: Record<string, unknown>[] }).features ?? [];
    await (store as PostgresStore).replaceLayers({ zones: features, sensors: rows }).catch((err: unknown) => log.error({ err }, 'storing the zones and sensors as GIS layers failed'));
  }
  const webhooks =
    c.webhooks.length > 0
      ? createWebhookDispatcher({ subscribers: c.webhooks.map((w) => ({ url: w.url, secret: w.secret, format: w.format })), log: log.child({ component: 'webhooks' }) })
      : null;
  const streamCap = { maxClients: c.http.max_stream_clients, maxClientsSetting: 'http.max_stream_clients' };
  const hub = createStreamHub({ ...streamCap, onDrop: () => metrics.streamDropped.inc(), onFull: (what) => metrics.streamFull.inc({ stream: 'operators', what }) });
  /** The public warning stream: zone tiers only, for residents' phones (1 MiB behind: dropped). */
  const publicHub = createStreamHub({ ...streamCap, maxBufferBytes: 1 << 20, onDrop: () => metrics.streamDropped.inc(), onFull: (what) => metrics.streamFull.inc({ stream: 'public', what }) });

  // --- the picture (the same object `skywarden track` and replay drive), and its publishers:
  // the API's view (inside the live picture), the stream and metrics, the store, CAP,
  // webhooks, and the transports' listeners (CoT, ASTERIX: onTracks / onAlert below)
  let replaying = false;
  const isReplaying = () => replaying;
  const fusion = createLivePicture({
    origin: sensorCentroid(registry.sensors.values()),
    sensors: registry.sensors.values(),
    acousticClouds: c.fusion.acoustic_clouds,
    associator: c.fusion.associator,
    reorderDelayS: c.fusion.reorder_delay_s,
    reportEveryS: c.fusion.report_every_s,
    zones,
    alertIntervalS: c.alerts.interval_s,
    alerts: alertPolicyOptions(Object.fromEntries(Object.keys(ALERT_POLICY_KEYS).map((k) => [k, c.alerts[k as keyof typeof ALERT_POLICY_KEYS]])), 'alerts'),
    trackerComponents: o.trackerComponents,
  });
  const capLanguages = c.alerts.cap_languages ?? capDefaultLanguages(zones);
  const unknownInstr = Object.keys(c.alerts.instructions).filter((k) => !capLanguages.includes(k));
  if (unknownInstr.length > 0) throw new Error(`alerts.instructions names ${unknownInstr.join(', ')}, not among the CAP languages ${capLanguages.join(', ')} (set alerts.cap_languages)`);
  const cap = createCapStage(zones, { sender: c.alerts.cap_sender, status: c.alerts.cap_status, languages: capLanguages, instructions: c.alerts.instructions }, log, clock);
  const storePublisher = createStorePublisher({ store, storeEvery: c.fusion.store_every, cap, log, replaying: isReplaying });
  const publishers: { onEvent(e: PictureEvent): void }[] = [
    createStreamPublisher({ live: fusion, hub, metrics, clock, reorderDelayS: c.fusion.reorder_delay_s, replaying: isReplaying }),
    storePublisher,
  ];
  if (webhooks) publishers.push(createWebhookPublisher({ dispatcher: webhooks, cap, replaying: isReplaying }));
  // --- the cluster (cluster/): `all` is the one process as ever; `ingest`, `fusion` and `api` are parts
  const role = c.cluster.role;
  let merged: MergedView | null = null;
  let worker: FusionWorker | null = null;
  const publicRows = () => publicZones((merged ?? fusion).zoneStates(), zoneById);
  if (c.alerts.public_feed) publishers.push(createPublicPublisher({ hub: publicHub, rows: publicRows, replaying: isReplaying }));
  const trackListeners: ((t: number, tracks: TrackWire[]) => void)[] = [];
  const alertListeners: ((a: AlertWire, zone: Zone | undefined) => void)[] = [];
  publishers.push({
    onEvent(e) {
      if (replaying) return;
      if (e.type === 'tracks') {
        if (trackListeners.length === 0) return;
        const { tracks } = fusion.snapshot();
        for (const fn of trackListeners) fn(e.t, tracks);
      } else if (e.type === 'alert' && e.action !== 'updated') {
        const a = alertWire(e.change);
        const zone = zoneById.get(e.change.zone);
        for (const fn of alertListeners) fn(a, zone);
        o.onAlert?.(a, e.change, zone);
      }
    },
  });
  fusion.subscribe((e) => {
    for (const p of publishers) p.onEvent(e);
  });

  // --- the quarantine: a journalled detection that faults the tracker on its own (it threw,
  // or left a track non-finite) is marked in the store, counted and logged; the tracker has
  // skipped it and gone on, and replay skips it from now on (a restart never meets it again).
  /** Where each detection fed to the picture came from in the journal (for the quarantine). */
  const journalOf = new WeakMap<Detection, { seq: number; sensor: string; id: string }>();
  const quarantinedSeqs = new Set<number>();
  /** Journalled detections the picture took (replay included; refused ones not counted). */
  let takenTotal = 0;
  /** Seqs this process journalled and gave its picture at once (the bus's delivery of them is skipped). */
  const ownSeqs = new Set<number>();
  /** Quarantine marks being written (awaited at close). */
  let marking: Promise<unknown> = Promise.resolve();
  fusion.subscribe((e) => {
    if (e.type !== 'tracker') return;
    for (const x of e.events) {
      if (x.type !== 'faulted' || !x.detection) continue;
      const j = journalOf.get(x.detection);
      metrics.quarantined.inc();
      log.error({ seq: j?.seq, sensor: x.detection.sensorId, reason: x.reason }, 'a detection made the fusion fault: quarantined (kept in the journal, skipped by the picture and by replay)');
      if (!j || quarantinedSeqs.has(j.seq)) continue;
      quarantinedSeqs.add(j.seq);
      const p = store
        .quarantine({ seq: j.seq, sensor: j.sensor, id: j.id, t: x.detection.t, reason: x.reason ?? 'fault', at: clock() })
        .catch((err: unknown) => log.error({ err, seq: j.seq }, 'could not store the quarantine mark (replay will meet the detection again)'));
      marking = Promise.all([marking, p]);
    }
  });

  let streamBudget = STREAM_DETECTIONS_PER_S;
  let streamDetections: DetectionWire[] = [];
  let streamDropped = 0;

  type Fed = { detection: Detection; row: Record<string, unknown>; seq: number; sensor: string; id: string };
  /** Feeds the picture; returns why it refused any, by journal sequence number. */
  const feed = (batch: Fed[], fromBus = false): Map<number, string> | undefined => {
    if (role !== 'all') return; // the fusion workers take them from the bus
    const started = performance.now();
    let refusedBySeq: Map<number, string> | undefined;
    for (const b of batch) {
      if (quarantinedSeqs.has(b.seq)) continue;
      if (fromBus && ownSeqs.delete(b.seq)) continue; // journalled here: the picture has it already
      journalOf.set(b.detection, { seq: b.seq, sensor: b.sensor, id: b.id });
      let refused: string | null;
      try {
        refused = fusion.push(b.detection);
      } catch (err) {
        // a fault the tracker could not pin on one detection: this one is lost to the picture, not the rest
        log.error({ err, seq: b.seq }, 'fusion failed on a journalled detection');
        metrics.tickErrors.inc();
        continue;
      }
      if (refused !== null) {
        metrics.fusionRefused.inc();
        refusals.count(refused);
        (refusedBySeq ??= new Map()).set(b.seq, refused);
      }
      else takenTotal++;
      if (!replaying) {
        if (streamBudget > 0) {
          streamBudget--;
          streamDetections.push(toDetectionWire(b.detection));
        } else streamDropped++;
      }
    }
    metrics.stepSeconds.observe((performance.now() - started) / 1000);
    scheduleStep();
    return refusedBySeq;
  };

  // --- the bus: journalled detections are published on the region's subject as
  // `[{ seq, id, row }]` messages of at most BUS_CHUNK detections, whatever the bus (the local
  // bus hands the value over in the process, NATS JetStream carries it between nodes); the
  // fusion consumes that subscription for the rows other nodes journalled (its own it took at
  // once) and reads them as the journal replay does.
  let bus: Bus;
  try {
    bus =
      c.bus.kind === 'nats'
        ? await createNatsBus({ url: c.bus.url.split(',').map((u) => u.trim()), stream: c.bus.stream, subjectPrefix: c.bus.subject_prefix, name: `skywarden-${c.bus.region}`, ...(c.bus.replicas !== null ? { replicas: c.bus.replicas } : {}) })
        : createLocalBus();
  } catch (err) {
    await store.close();
    throw err;
  }
  const busSubject = detectionsSubject(c.bus.subject_prefix, c.bus.region);
  /** Bus rows (journalled detections) as the picture takes them; rows today's bounds refuse are skipped. */
  const parseBusRows = (rows: readonly BusRow[]): Fed[] => {
    const out: Fed[] = [];
    for (const x of rows) {
      const p = parseDetectionRow(x.row, x.seq, registry.sensors);
      if (!p.ok) continue;
      if (p.detection.id === undefined && x.id !== undefined) p.detection.id = x.id;
      const sensor = p.detection.sensorId;
      // the journal's id: the row's, or the one the ingest made (carried as "sensor:id")
      const id = typeof x.row.id === 'string' ? x.row.id : x.id?.startsWith(`${sensor}:`) ? x.id.slice(sensor.length + 1) : (x.id ?? String(x.seq));
      out.push({ detection: p.detection, row: x.row, seq: x.seq, sensor, id });
    }
    return out;
  };
  const fromBus = (m: BusMessage): Fed[] => parseBusRows(m.json<BusRow[]>());
  if (role === 'all') await bus.subscribe(
    busSubject,
    (m) => {
      let batch: Fed[] = [];
      try {
        batch = fromBus(m);
        feed(batch, true);
      } catch (err) {
        // the detections are journalled (and will be acknowledged); the picture missed them: say so loudly
        log.error({ err, detections: batch.length }, 'fusion failed on journalled detections');
        metrics.tickErrors.inc();
      }
    },
    { onError: (err) => log.error({ err }, 'bus delivery failed') },
  );
  // in a cluster: each journalled detection to the subject of every region whose extent holds it
  // (cluster/regions.ts), tagged with this node's name (a worker skips an outbox's repeats by it)
  const regions = parseRegions(c.cluster.regions);
  const node = c.cluster.worker_id ?? `${hostname()}:${resolvePath(c.data_dir)}`;
  const rowRegions = (x: BusRow): string[] => {
    const p = parseDetectionRow(x.row, x.seq, registry.sensors);
    if (!p.ok) return regions.map((r) => r.id); // (journalled, so valid when it came: everyone gets it)
    const d = p.detection;
    const sensor = registry.sensors.get(d.sensorId);
    const site: GeoPoint | undefined = d.sensorPosition ?? sensor?.position;
    let at: { latDeg: number; lonDeg: number; point: boolean } | null = null;
    if (d.type === 'position') at = { latDeg: d.position.latDeg, lonDeg: d.position.lonDeg, point: true };
    else if (site && d.type === 'range_bearing') {
      const q = destination(site, d.bearing, d.range);
      at = { latDeg: q.latDeg, lonDeg: q.lonDeg, point: true };
    } else if (site) at = { latDeg: site.latDeg, lonDeg: site.lonDeg, point: false };
    if (!at) return regions.map((r) => r.id);
    return regionsFor(regions, c.cluster.overlap_m, sensor?.rangeMax ?? c.cluster.sensor_reach_m, at);
  };
  const publishToRegions = async (rows: BusRow[]): Promise<void> => {
    const by = new Map<string, (BusRow & { node: string })[]>();
    for (const x of rows) {
      for (const r of rowRegions(x)) {
        let list = by.get(r);
        if (!list) by.set(r, (list = []));
        list.push({ ...x, node });
      }
    }
    for (const [r, list] of by) {
      const messages: BusRow[][] = [];
      for (let i = 0; i < list.length; i += BUS_CHUNK) messages.push(list.slice(i, i + BUS_CHUNK));
      await bus.publish(detectionsSubject(c.bus.subject_prefix, r), messages);
    }
  };
  try {
    if (role === 'fusion') {
      worker = await createFusionWorker({ config: c, log, clock, bus: bus as NatsBus, sensors: registry.sensors, zones, trackerComponents: o.trackerComponents, registry: metrics.registry });
    } else if (role === 'api') {
      const listen = publishers.slice(1); // the store, webhooks, public feed, listeners (the stream's part below)
      merged = await createMergedView({
        bus: bus as NatsBus,
        stream: c.bus.stream,
        prefix: c.bus.subject_prefix,
        regions,
        zoneIds: zones.map((z) => z.id),
        staleS: c.cluster.stale_s,
        log,
        onTracks(snap) {
          hub.broadcast('tracks', snap);
          for (const fn of trackListeners) fn(snap.t, snap.tracks);
        },
        onAlert(e, zoneStates) {
          metrics.alertChanges.inc({ state: e.change.state });
          metrics.alerts.set(zoneStates.filter((z) => z.state === 'alert').length);
          hub.broadcast('alert', alertWire(e.change));
          hub.broadcast('zones', { t: e.t, zones: zoneStates });
          for (const p of listen) p.onEvent(e);
        },
      });
    }
  } catch (err) {
    // (the NATS connection would keep the process alive)
    await bus.close();
    throw new Error(`cluster role ${role}: ${(err as Error).message}`);
  }
  // journalled detections onto the bus in journal order, retried through outages (bus/outbox.ts)
  const outbox = createBusOutbox({
    publish: role === 'all' ? (messages) => bus.publish(busSubject, messages) : (messages) => publishToRegions(messages.flat()),
    readJournal: async (after, limit) => (await store.readJournal(after, limit)).map(journalBusRow),
    chunk: BUS_CHUNK,
    maxRows: BUS_OUTBOX_MAX_ROWS,
    onError(err, rows) {
      // journalled (and acknowledged, and in this process's picture); the outbox retries them, in order
      log.error({ err, detections: rows.length }, 'publishing journalled detections on the bus failed: retrying');
      metrics.busFailures.inc();
    },
    onReadError(err) {
      log.error({ err }, 'reading the journal back for the bus failed: retrying');
      metrics.busFailures.inc();
    },
  });

  /** Start-up: replay progress; `stopping` ends a replay that a close interrupts. */
  const startState = { starting: true, replayed: 0, of: 0 };
  let stopping = false;

  const ingest = createIngest({
    store,
    sensors: registry,
    now: clock,
    ratePerS: c.ingest.rate_per_s,
    burst: c.ingest.burst,
    maxFutureS: c.ingest.max_future_s,
    maxBatch: c.ingest.max_batch,
    commitWaitMs: c.ingest.commit_wait_ms,
    onJournalled(batch) {
      metrics.journalSeq.set(batch[batch.length - 1].seq);
      const rows = batch.map((b) => ({ seq: b.seq, id: b.detection.id, row: b.row }));
      // this process's picture takes them now, whatever the bus does (a bus outage or a slow
      // consumer would bring them after the picture's clock has moved on); the bus carries them
      // to other nodes, and its delivery of them here is skipped. Marked before the outbox is
      // given them: an in-process bus delivers at once, and a delivery before the mark was
      // offered to the picture a second time (refused as a duplicate or late: the refusals the
      // demo showed, issue 17).
      if (ownSeqs.size > OWN_SEQS_MAX) ownSeqs.clear(); // the bus far behind: its late repeats are refused by the picture
      for (const r of rows) ownSeqs.add(r.seq);
      outbox.push(rows);
      try {
        return feed(parseBusRows(rows));
      } catch (err) {
        log.error({ err, detections: rows.length }, 'fusion failed on journalled detections');
        metrics.tickErrors.inc();
      }
    },
    onCommit(seconds) {
      metrics.commitSeconds.observe(seconds);
    },
    onCount(source, what, n) {
      if (what === 'accepted') metrics.accepted.inc({ source }, n);
      else if (what === 'duplicate') metrics.duplicates.inc({ source }, n);
      else metrics.rejected.inc({ source, reason: what }, n);
    },
  });

  // --- the fusion's timer: the advance runs when the next tracker step falls due (its time
  // plus the reorder delay, on the clock), not at the next tick, so a report reaches the
  // stream as soon as it can be made. The wait is capped at one tick (a clock that runs
  // faster than the wall clock, as the demo's, is then polled as before).
  let running = false;
  let stepTimer: ReturnType<typeof setTimeout> | null = null;
  let stepTimerDue = Infinity;
  function advanceFusion(now: number): void {
    const t0 = performance.now();
    fusion.advanceTo(now);
    metrics.stepSeconds.observe((performance.now() - t0) / 1000);
    metrics.journalLag.set(fusion.pending);
  }
  function scheduleStep(): void {
    if (!running) return;
    const due = fusion.nextDue;
    if (!Number.isFinite(due)) return; // no detection yet: the first one schedules
    if (stepTimer !== null) {
      if (stepTimerDue <= due) return; // fires in time, and schedules the next
      clearTimeout(stepTimer);
    }
    const ms = Math.min(c.fusion.tick_ms, Math.max(0, Math.ceil((due - clock()) * 1000)));
    stepTimerDue = due;
    stepTimer = setTimeout(onStepTimer, ms);
  }
  function onStepTimer(): void {
    stepTimer = null;
    stepTimerDue = Infinity;
    try {
      advanceFusion(clock());
    } catch (err) {
      log.error({ err }, 'fusion step failed');
      metrics.tickErrors.inc();
    }
    scheduleStep();
  }

  // --- the clock: steps due (a backstop to the fusion's timer), sensor health, detections to the stream, track states to the store
  let ticks = 0;
  const tick = () => {
    try {
      tickOnce();
    } catch (err) {
      // a bug here must not stop the service: log it, count it, go on with the next tick
      log.error({ err }, 'fusion tick failed');
      metrics.tickErrors.inc();
    }
  };
  const tickOnce = () => {
    const now = clock();
    advanceFusion(now);
    scheduleStep();
    ticks++;
    const perSecond = Math.max(1, Math.round(1000 / c.fusion.tick_ms));
    if (ticks % perSecond === 0) {
      if (streamDetections.length > 0 || streamDropped > 0) hub.broadcast('detections', { t: now, detections: streamDetections, dropped: streamDropped });
      streamDetections = [];
      streamDropped = 0;
      streamBudget = STREAM_DETECTIONS_PER_S;
    }
    if (ticks % (perSecond * 5) === 0) {
      const changed = registry.changed(now);
      if (changed.length > 0) hub.broadcast('sensors', { t: now, sensors: changed });
      const byStatus = new Map<string, number>();
      for (const s of registry.all(now)) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
      for (const st of ['ok', 'silent', 'stuck', 'implausible', 'never_seen', 'offline']) metrics.sensors.set({ status: st }, byStatus.get(st) ?? 0);
      metrics.streamClients.set(hub.clients);
    }
    if (ticks % (perSecond * 60) === 0) registry.decay();
    storePublisher.flush();
  };
  let timer: ReturnType<typeof setInterval> | null = null;

  const service = {
    config: c,
    log,
    clock,
    mode: o.mode ?? 'live',
    store,
    registry,
    configSensors: configSensors as ReadonlyMap<string, Readonly<Record<string, unknown>>>,
    ingest,
    hub,
    publicHub,
    /** Every zone as residents see it (the public page and its stream). */
    publicRows,
    /** The CAP languages in use and their instructions (built in, or from alerts.instructions). */
    capLanguages,
    metrics,
    sessions,
    credentials,
    /** Gateway credentials (an external MQTT broker's topics name them). */
    gateways: principals.filter((p) => p.gateway),
    bus,
    zones,
    zonesGeoJson,
    webhooks,
    /** Calls `fn` with every report's tracks (live, not during the start-up replay). */
    onTracks(fn: (t: number, tracks: TrackWire[]) => void): void {
      trackListeners.push(fn);
    },
    /** Calls `fn` with every alert change (live, not during the start-up replay). */
    onAlert(fn: (a: AlertWire, zone: Zone | undefined) => void): void {
      alertListeners.push(fn);
    },
    /** The live picture: the core's picture with its view (tracks, histories, zone states) and event fan-out; in a cluster's API, the workers' pictures merged; null in its other parts. */
    fusion: (role === 'all' ? fusion : role === 'api' ? (merged as unknown as LivePicture) : null) as LivePicture | null,
    /** The cluster's parts in this process: the fusion worker (`fusion`), the merged view (`api`). */
    cluster: { role, worker, merged, node },
    /**
     * True until `start` has rebuilt the picture: the HTTP API is up meanwhile (health says
     * so, with the progress), but whatever would change the picture answers 503 (a detection
     * fed into a picture still being replayed would arrive ahead of the journal's rest).
     */
    get starting() {
      return startState.starting;
    },
    /** Journal entries replayed so far, and about how many the replay reads in all. */
    get startProgress() {
      return { replayed: startState.replayed, of: startState.of };
    },
    /** Rebuilds the live picture from the journal's last `replay_window_s` seconds, then starts the clock. */
    async start(): Promise<{ replayed: number }> {
      const now = clock();
      let replayed = 0;
      if (c.fusion.replay_window_s > 0 && role === 'all') {
        replaying = true;
        try {
          // the journal in arrival order (seq), from the lowest seq dated in the window (not
          // the earliest-dated entry's: arrival order is not time order): the tracker sees
          // the detections in the order the live service saw them
          for (const q of await store.quarantined(QUARANTINE_SKIP_MAX)) quarantinedSeqs.add(q.seq);
          const first = await store.firstSeqSince(now - c.fusion.replay_window_s);
          const last = await store.lastSeq();
          let after = first !== null ? first - 1 : last;
          startState.of = Math.max(0, last - after);
          // pages small enough that the event loop answers health and refuses ingest in between
          const page = 5000;
          while (!stopping) {
            const entries = await store.readJournal(after, page);
            try {
              feed(parseBusRows(entries.map(journalBusRow)));
            } catch (err) {
              // a fault the tracker could not pin on one detection: the start goes on without this page's rest
              log.error({ err, after }, 'fusion failed while replaying the journal');
              metrics.tickErrors.inc();
            }
            replayed += entries.length;
            startState.replayed = replayed;
            if (entries.length < page) break;
            after = entries[entries.length - 1].seq;
            await new Promise((r) => setImmediate(r));
          }
          try {
            fusion.advanceTo(now);
          } catch (err) {
            log.error({ err }, 'fusion failed while replaying the journal');
            metrics.tickErrors.inc();
          }
        } finally {
          replaying = false;
        }
      }
      metrics.journalSeq.set(await store.lastSeq());
      startState.starting = false;
      if (stopping) return { replayed };
      timer = setInterval(tick, c.fusion.tick_ms);
      running = true;
      scheduleStep();
      return { replayed };
    },
    /** Stops the clock, writes what is pending, closes the store. */
    async close(): Promise<void> {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      running = false;
      if (stepTimer !== null) clearTimeout(stepTimer);
      stepTimer = null;
      await ingest.close();
      // what the bus has not taken within a few seconds stays in the journal (the next start replays it)
      await outbox.settled(5000);
      outbox.close();
      await marking;
      await worker?.close().catch((err: unknown) => log.error({ err }, 'stopping the fusion worker failed'));
      await merged?.close().catch(() => undefined);
      await bus.close();
      tick();
      await storePublisher.settled();
      await webhooks?.close(5000);
      hub.close();
      publicHub.close();
      await store.close();
    },
    /** Resolves true when every detection journalled so far is on the bus (false after `timeoutMs`). */
    busSettled(timeoutMs: number): Promise<boolean> {
      return outbox.settled(timeoutMs);
    },
    /** Journalled detections the picture took so far (start-up replay included; refused ones not counted). */
    takenCount(): number {
      return takenTotal;
    },
    /** Ingest and fusion figures for the operators' status strip (GET /api/v1/health `ingest`). */
    ingestStats(): Promise<IngestStats> {
      return ingestStats(metrics, refusals.get(), takenTotal, fusion.pending);
    },
    /** Sensors' health now. */
    sensorsNow() {
      return registry.all(clock());
    },
  };
  return service;
}
export type Service = Awaited<ReturnType<typeof createService>>;
