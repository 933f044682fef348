/**
 * A fusion worker (`cluster.role: fusion`): runs the live picture of each region it holds a
 * lease on, fed from the region's detections on NATS JetStream through a durable consumer, and
 * publishes the region's tracks and alert changes for the API processes (merged-view.ts).
 *
 * Leases: a JetStream key-value bucket `<stream>_fusion_leases` whose entries expire after
 * `cluster.lease_ttl_s`; a worker takes a free region with a create (refused when the key
 * exists) and renews it every `cluster.lease_renew_s` with an update on the revision it holds
 * (refused when another took it: it then lets the region go at once). So two workers never
 * both hold a region's lease; a worker killed with -9 stops renewing and another takes its
 * regions once the entries expired. A worker takes the regions it prefers (`cluster.prefer`)
 * as soon as they are free, others once they have been free for half a lease; a worker that
 * wants a region another holds without preferring it says so (`want.<region>`, expiring as
 * the leases do) and the holder lets it go.
 *
 * Taking a region (at start or over from a dead worker) rebuilds its picture from JetStream:
 * - the region's last tracks message (`<prefix>.tracks.<region>`) is the checkpoint: the stream
 *   sequence to replay from (the first detection message inside `fusion.replay_window_s` when
 *   it was published) and the tracks it published, with their ids;
 * - the durable consumer `fusion-<region>` is made anew from that sequence (from the window's
 *   start by time when there is no checkpoint), and every message up to the region's last one
 *   at that moment is replayed into the picture before it is advanced to now (nothing comes
 *   too late, nothing is published meanwhile);
 * - the rebuilt tracks take the ids of the checkpoint's tracks they match (nearest within
 *   `cluster.handover_gate_m` after moving them on by their velocity), then the consumer goes on
 *   live: what ingest publishes from then on comes through it, acknowledged once in the picture.
 * Ingest acknowledges a detection once journalled and publishes it to JetStream from the journal
 * (outbox.ts), so a detection acknowledged is in the stream and reaches the region's picture,
 * whichever worker holds it.
 *
 * Track identity across borders: every track has one id for clients. A region *mints* an id
 * (`<region>-<local id>`) for a new track in its core that matches no track another region
 * published; a new track in the margin (outside the core) first looks for a matching track of
 * a neighbour (published with a final id) and takes its id, else carries a provisional id of its
 * own and looks again at every report until it reaches the core (the id is then final). The API
 * shows each id once, from the region whose core holds it.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AckPolicy, DeliverPolicy, nanos, type KV } from 'nats';
import { Gauge, type Registry } from 'prom-client';
import { ALERT_POLICY_KEYS, alertPolicyOptions, sensorCentroid, type AlertTransition, type OperatorMark, type PictureEvent, type Sensor, type TrackerComponents } from '@skywarden/core';
import { parseDetectionRow, type TrackWire, type Zone, type ZoneStateWire } from '@skywarden/formats';
import type { ServerConfig } from '../config.js';
import type { NatsBus } from '../bus/nats/nats-bus.js';
import { detectionsSubject } from '../bus/bus.js';
import type { BusRow } from '../bus/outbox.js';
import { createLivePicture, type LivePicture } from '../picture/live-picture.js';
import { coreRegion, inRegion, parseRegions, type Region } from './regions.js';

/** A track as a region publishes it: the client's row, plus where it stands. */
export interface ClusterTrack extends TrackWire {
  /** The region's own (local) track id. */
  local: string;
  /** In the region's core: the region owns it (the API shows this copy). */
  core: boolean;
  /** Its id is settled (minted in the core, or taken from a neighbour or the checkpoint). */
  final: boolean;
}

/** `<prefix>.tracks.<region>`: a region's tracks at a report, and its checkpoint. */
export interface TracksMessage {
  region: string;
  worker: string;
  t: number;
  /** Stream sequence a worker taking the region over replays from. */
  replay_from: number;
  tracks: ClusterTrack[];
  /** The region's zones (those whose centre is in its core) and their states. */
  zones: ZoneStateWire[];
}

/** `<prefix>.alerts.<region>`: an alert change of a zone the region owns. */
export interface AlertMessage {
  region: string;
  worker: string;
  action: 'raised' | 'cleared';
  change: AlertTransition;
  zones: ZoneStateWire[];
}

export const tracksSubject = (prefix: string, region: string) => `${prefix}.tracks.${region}`;
/** Operators' decisions from the API processes: a track's mark, a zone's manual alert. */
export const controlMarksSubject = (prefix: string) => `${prefix}.control.marks`;
export const controlAlertsSubject = (prefix: string) => `${prefix}.control.alerts`;
export interface MarkControl {
  /** The track's id as clients see it. */
  track: string;
  mark: OperatorMark;
  t: number;
}
export interface AlertControl {
  zone: string;
  action: 'raise' | 'end';
  t: number;
  who: string;
  reason: string;
}
export const alertsSubject = (prefix: string, region: string) => `${prefix}.alerts.${region}`;
export const leaseBucket = (stream: string) => `${stream}_fusion_leases`;
export const durableName = (region: string) => `fusion-${region}`;

/** The region that owns a zone: the one whose core holds the centre of the zone's bounding box. */
export function zoneRegion(regions: readonly Region[], z: Zone): Region | null {
  const [w, s, e, n] = z.area.bbox;
  return coreRegion(regions, (s + n) / 2, (w + e) / 2);
}

const M_PER_DEG = 111_320;

/** Rows remembered per region for skipping the outbox's repeats (which come within seconds). */
const SEEN_MAX = 200_000;

/** A published track moved on by its velocity to time `t` (lat, lon). */
function predicted(x: TrackWire, t: number): { lat: number; lon: number } {
  const dt = Math.max(-30, Math.min(30, t - x.t));
  return { lat: x.lat + (x.vn_mps * dt) / M_PER_DEG, lon: x.lon + (x.ve_mps * dt) / (M_PER_DEG * Math.cos((x.lat * Math.PI) / 180)) };
}

function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  return Math.hypot((a.lat - b.lat) * M_PER_DEG, (a.lon - b.lon) * M_PER_DEG * Math.cos((a.lat * Math.PI) / 180));
}

export interface FusionWorkerOptions {
  config: ServerConfig;
  log: Logger;
  clock: () => number;
  bus: NatsBus;
  /** The registered sensors (by id), for reading the rows. */
  sensors: ReadonlyMap<string, Sensor>;
  zones: readonly Zone[];
  trackerComponents?: Partial<TrackerComponents>;
  /** The process's metrics registry: the worker's regions are read into it at each scrape ({@link registerWorkerMetrics}). */
  registry?: Registry;
}

export interface RegionStatus {
  region: string;
  since: number;
  restoring: boolean;
  /** Detections the region's picture took (replay included). */
  taken: number;
  replayed: number;
  /** Tracks of the checkpoint whose id a rebuilt track took. */
  idsKept: number;
  checkpointTracks: number;
  restoreMs: number;
}

export interface FusionWorker {
  readonly id: string;
  /** The regions held now. */
  regions(): RegionStatus[];
  /** A region's picture (tests). */
  picture(region: string): LivePicture | null;
  /** Lets the regions go (their leases deleted: another worker takes them at once) and stops. */
  close(): Promise<void>;
}

interface Runner {
  region: Region;
  status: RegionStatus;
  stop(): Promise<void>;
  picture: LivePicture;
  /** The region's local id of a client's track id, if it follows it. */
  localOf(id: string): string | null;
  /** Whether the region's picture is live (not rebuilding). */
  live(): boolean;
}

export async function createFusionWorker(o: FusionWorkerOptions): Promise<FusionWorker> {
  const c = o.config;
  const cl = c.cluster;
  const log = o.log.child({ component: 'fusion-worker' });
  const regions = parseRegions(cl.regions);
  const workerId = cl.worker_id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const prefix = c.bus.subject_prefix;
  const stream = c.bus.stream;
  const jsm = o.bus.manager;
  const js = o.bus.connection.jetstream();
  const kv: KV = await js.views.kv(leaseBucket(stream), { ttl: cl.lease_ttl_s * 1000, history: 1 });
  const kvTtl = (await kv.status()).ttl;
  if (kvTtl !== cl.lease_ttl_s * 1000) log.warn({ bucket: leaseBucket(stream), ttlMs: kvTtl, want: cl.lease_ttl_s * 1000 }, 'the lease bucket exists with another TTL (made by another configuration?): leases expire after its TTL');
  const preferred = new Set(cl.prefer ?? regions.map((r) => r.id));
  const origin = sensorCentroid(o.sensors.values());
  const alertOptions = alertPolicyOptions(Object.fromEntries(Object.keys(ALERT_POLICY_KEYS).map((k) => [k, c.alerts[k as keyof typeof ALERT_POLICY_KEYS]])), 'alerts');

  /** The latest tracks message of every region (neighbours' ids for the hand-over). */
  const latest = new Map<string, TracksMessage>();
  const tracksSub = await o.bus.subscribe(`${prefix}.tracks.*`, (m) => {
    const msg = m.json<TracksMessage>();
    if (typeof msg?.region === 'string') latest.set(msg.region, msg);
  });

  const held = new Map<string, { rev: number; runner: Runner | null; starting: Promise<void> | null }>();
  /** When a region was first seen free (in a row of polls). */
  const freeSeen = new Map<string, number>();
  let closed = false;

  // operators' decisions from the API: a mark to every region following the track, a manual alert to the zone's owner
  const controlSubs = [
    await o.bus.subscribe(controlMarksSubject(prefix), (m) => {
      const x = m.json<MarkControl>();
      if (typeof x?.track !== 'string' || typeof x.mark !== 'object' || x.mark === null) return;
      for (const h of held.values()) {
        const r = h.runner;
        const local = r?.live() ? r.localOf(x.track) : null;
        if (r && local !== null) r.picture.mark(local, x.mark, o.clock());
      }
    }),
    await o.bus.subscribe(controlAlertsSubject(prefix), (m) => {
      const x = m.json<AlertControl>();
      if (typeof x?.zone !== 'string' || (x.action !== 'raise' && x.action !== 'end')) return;
      for (const h of held.values()) {
        const r = h.runner;
        if (r?.live() && r.picture.zoneState(x.zone)) r.picture.manualAlert(x.zone, x.action, o.clock(), String(x.who ?? 'operator'), String(x.reason ?? ''));
      }
    }),
  ];

  async function startRegion(region: Region): Promise<Runner> {
    const t0 = performance.now();
    const subject = detectionsSubject(prefix, region.id);
    const tSubject = tracksSubject(prefix, region.id);
    const aSubject = alertsSubject(prefix, region.id);
    const zones = o.zones.filter((z) => zoneRegion(regions, z)?.id === region.id);
    const picture = createLivePicture({
      origin,
      sensors: o.sensors.values(),
      acousticClouds: c.fusion.acoustic_clouds,
      associator: c.fusion.associator,
      reorderDelayS: c.fusion.reorder_delay_s,
      reportEveryS: c.fusion.report_every_s,
      zones,
      alertIntervalS: c.alerts.interval_s,
      alerts: alertOptions,
      trackerComponents: o.trackerComponents,
    });
    const status: RegionStatus = { region: region.id, since: Date.now() / 1000, restoring: true, taken: 0, replayed: 0, idsKept: 0, checkpointTracks: 0, restoreMs: 0 };
    let replaying = true;
    let stopped = false;

    // --- the checkpoint: the region's last tracks message
    let checkpoint: TracksMessage | null = null;
    try {
      const sm = await jsm.streams.getMessage(stream, { last_by_subj: tSubject });
      checkpoint = sm.json<TracksMessage>();
    } catch {
      checkpoint = null; // none yet
    }
    const tCheckpoint = Math.round(performance.now() - t0);
    let lastDetectionSeq = 0;
    try {
      lastDetectionSeq = (await jsm.streams.getMessage(stream, { last_by_subj: subject })).seq;
    } catch {
      lastDetectionSeq = 0;
    }
    // --- the durable consumer, made anew from the checkpoint's sequence (or the window's start)
    const durable = durableName(region.id);
    await jsm.consumers.delete(stream, durable).catch(() => undefined);
    const windowStart = new Date(Date.now() - c.fusion.replay_window_s * 1000).toISOString();
    const from = checkpoint && checkpoint.replay_from > 0 ? checkpoint.replay_from : null;
    const info = await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: subject,
      ack_wait: nanos(Math.max(2000, cl.lease_ttl_s * 1000)),
      max_ack_pending: 4096,
      ...(from !== null ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from } : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: windowStart }),
    });
    const replayUntil = info.num_pending > 0 ? lastDetectionSeq : 0;
    const tConsumer = Math.round(performance.now() - t0);
    status.checkpointTracks = checkpoint?.tracks.length ?? 0;

    // --- ids: local track id -> the id clients see
    const ids = new Map<string, { id: string; final: boolean }>();
    /**
     * The (ingest node, journal seq) of the rows taken lately: an outbox's repeat (a publication
     * retried after a lost ack) is skipped. A set, not a highest seq per node: a row with a huge
     * seq cannot hide the rows after it.
     */
    const seen = new Set<string>();
    /** (stream seq, latest detection time) of the messages taken, for the checkpoint's replay point. */
    const marks: { seq: number; t: number }[] = [];

    type Candidate = { id: string; at: { lat: number; lon: number }; operator?: OperatorMark };
    const candidates = (t: number, used: Set<string>, extra: readonly ClusterTrack[]): Candidate[] => {
      const out: Candidate[] = [];
      for (const m of latest.values()) {
        if (m.region === region.id || Math.abs(m.t - t) > 5) continue;
        for (const x of m.tracks) if (x.final && !used.has(x.track)) out.push({ id: x.track, at: predicted(x, t), operator: x.operator });
      }
      for (const x of extra) if (!used.has(x.track)) out.push({ id: x.track, at: predicted(x, t), operator: x.operator });
      return out;
    };
    /** Gives each reported track its id (adopting a neighbour's or the checkpoint's where one matches). */
    const assignIds = (t: number, tracks: readonly TrackWire[], extra: readonly ClusterTrack[] = []): ClusterTrack[] => {
      const live = new Set(tracks.map((w) => w.track));
      for (const k of [...ids.keys()]) if (!live.has(k)) ids.delete(k);
      const used = new Set([...ids.values()].filter((v) => v.final).map((v) => v.id));
      const out: ClusterTrack[] = [];
      // the settled first, then the new ones nearest a candidate first
      const pending: { w: TrackWire; core: boolean }[] = [];
      for (const w of tracks) {
        const core = inRegion(region, w.lat, w.lon);
        const cur = ids.get(w.track);
        if (cur?.final) out.push({ ...w, track: cur.id, local: w.track, core, final: true });
        else pending.push({ w, core });
      }
      const cands = pending.length > 0 ? candidates(t, used, extra) : [];
      const pairs: { i: number; j: number; d: number }[] = [];
      pending.forEach((p, i) => cands.forEach((cd, j) => {
        const d = distanceM({ lat: p.w.lat, lon: p.w.lon }, cd.at);
        if (d <= cl.handover_gate_m) pairs.push({ i, j, d });
      }));
      pairs.sort((a, b) => a.d - b.d);
      const takenI = new Set<number>();
      const takenJ = new Set<string>();
      for (const pr of pairs) {
        if (takenI.has(pr.i) || takenJ.has(cands[pr.j].id)) continue;
        takenI.add(pr.i);
        takenJ.add(cands[pr.j].id);
        const p = pending[pr.i];
        ids.set(p.w.track, { id: cands[pr.j].id, final: true });
        if (extra.length > 0) status.idsKept++;
        // the operator's mark goes with the id (a neighbour's track, or the checkpoint's)
        const op = cands[pr.j].operator;
        if (op && !p.w.operator) {
          const mark: OperatorMark = {};
          for (const k of ['by', 't', 'confirmed', 'dismissed', 'label'] as const) if (op[k] !== undefined) (mark as Record<string, unknown>)[k] = op[k];
          picture.mark(p.w.track, mark, o.clock()); // (in its rows from the next report on)
        }
      }
      pending.forEach((p, i) => {
        let cur = ids.get(p.w.track);
        if (!takenI.has(i)) {
          // no match: its own id, settled once in the core
          const id = cur?.id ?? `${region.id}-${p.w.track}`;
          cur = { id, final: p.core };
          ids.set(p.w.track, cur);
        } else cur = ids.get(p.w.track)!;
        out.push({ ...p.w, track: cur.id, local: p.w.track, core: p.core, final: cur.final });
      });
      return out;
    };

    const replayFrom = (t: number): number => {
      const edge = t - c.fusion.replay_window_s;
      while (marks.length > 1 && marks[1].t < edge) marks.shift();
      return marks.length > 0 ? marks[0].seq : (from ?? 0);
    };

    // --- publishing, in order, off the picture's events
    let publishing: Promise<unknown> = Promise.resolve();
    const publish = (subject: string, value: unknown) => {
      publishing = publishing.then(() => o.bus.publish(subject, [value])).catch((err: unknown) => log.error({ err, subject }, 'publishing on the bus failed'));
    };
    const mapTracks = (list: readonly string[]) => list.map((l) => ids.get(l)?.id ?? `${region.id}-${l}`);
    const tracksMessage = (t: number, tracks: ClusterTrack[]): TracksMessage => ({ region: region.id, worker: workerId, t, replay_from: replayFrom(t), tracks, zones: zonesWire() });
    const zonesWire = () => picture.zoneStates().map((z) => ({ ...z, tracks: mapTracks(z.tracks) }));
    picture.subscribe((e: PictureEvent) => {
      if (replaying || stopped) return;
      if (e.type === 'tracks') {
        const snap = picture.snapshot();
        publish(tSubject, tracksMessage(e.t, assignIds(e.t, snap.tracks)));
      } else if (e.type === 'alert' && e.action !== 'updated') {
        const change: AlertTransition = { ...e.change, tracks: mapTracks(e.change.tracks) };
        publish(aSubject, { region: region.id, worker: workerId, action: e.action, change, zones: zonesWire() } satisfies AlertMessage);
      }
    });

    const finishReplay = () => {
      if (!replaying) return;
      try {
        picture.advanceTo(o.clock());
      } catch (err) {
        log.error({ err, region: region.id }, 'fusion failed while replaying the region');
      }
      replaying = false;
      status.restoring = false;
      const snap = picture.snapshot();
      const tracks = assignIds(snap.t, snap.tracks, checkpoint?.tracks ?? []);
      status.restoreMs = Math.round(performance.now() - t0);
      // alert changes the replay made (suppressed) that the checkpoint had not published: a raise
      // or a clear that fell between the last publication and the takeover, published now
      const before = new Map((checkpoint?.zones ?? []).map((z) => [z.zone, z.state]));
      for (const z of picture.zoneStates()) {
        if ((before.get(z.zone) ?? 'clear') === z.state) continue;
        const change: AlertTransition = { t: snap.t, zone: z.zone, state: z.state, tracks: mapTracks(z.tracks), reason: `${z.state === 'alert' ? 'raised' : 'cleared'} while the region was taken over (its picture rebuilt from JetStream)` };
        if (z.tier !== undefined) change.tier = z.tier;
        if (z.eta_s !== undefined) change.etaS = z.eta_s;
        publish(aSubject, { region: region.id, worker: workerId, action: z.state === 'alert' ? 'raised' : 'cleared', change, zones: zonesWire() } satisfies AlertMessage);
      }
      publish(tSubject, tracksMessage(snap.t, tracks));
      log.info({ region: region.id, replayed: status.replayed, tracks: tracks.length, idsKept: status.idsKept, checkpointTracks: status.checkpointTracks, ms: status.restoreMs, checkpointMs: tCheckpoint, consumerMs: tConsumer }, 'region taken: picture rebuilt from JetStream');
    };

    const sub = await o.bus.subscribe(
      subject,
      (m) => {
        if (stopped) throw new Error('region let go');
        let rows: (BusRow & { node?: string })[] = [];
        try {
          const v = m.json<unknown>();
          if (!Array.isArray(v)) throw new Error(`not a list of rows but ${typeof v}`);
          rows = v as (BusRow & { node?: string })[];
        } catch (err) {
          // (anyone who may publish on the subject could send it: it is skipped, named, and the region goes on)
          log.error({ err, region: region.id, streamSeq: m.seq }, 'a message on the detections subject is not a list of journalled rows: skipped');
        }
        let maxT = -Infinity;
        for (const x of rows) {
          if (x === null || typeof x !== 'object' || !Number.isSafeInteger(x.seq) || x.seq < 1 || typeof x.row !== 'object' || x.row === null) {
            log.error({ region: region.id, streamSeq: m.seq }, 'a row on the detections subject without a journal seq or row: skipped');
            continue;
          }
          const key = `${typeof x.node === 'string' ? x.node : ''}/${x.seq}`;
          if (seen.has(key)) continue; // a repeat of the outbox's
          seen.add(key);
          if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value as string);
          const p = parseDetectionRow(x.row, x.seq, o.sensors);
          if (!p.ok) continue;
          if (p.detection.id === undefined && x.id !== undefined) p.detection.id = x.id;
          if (p.detection.t > maxT) maxT = p.detection.t;
          try {
            if (picture.push(p.detection) === null) status.taken++;
          } catch (err) {
            log.error({ err, seq: x.seq, region: region.id }, 'fusion failed on a journalled detection');
          }
          if (replaying) status.replayed++;
        }
        if (Number.isFinite(maxT)) marks.push({ seq: m.seq, t: maxT });
        if (replaying && m.seq >= replayUntil) finishReplay();
      },
      { durable, onError: (err) => log.error({ err, region: region.id }, 'region consumer: delivery failed') },
    );
    if (replayUntil === 0) finishReplay();

    const timer = setInterval(() => {
      if (replaying || stopped) return;
      try {
        picture.advanceTo(o.clock());
      } catch (err) {
        log.error({ err, region: region.id }, 'fusion step failed');
      }
    }, c.fusion.tick_ms);

    return {
      region,
      status,
      picture,
      localOf(id) {
        for (const [local, v] of ids) if (v.id === id) return local;
        return null;
      },
      live: () => !replaying && !stopped,
      async stop() {
        stopped = true;
        clearInterval(timer);
        await sub.unsubscribe();
        await publishing;
      },
    };
  }

  async function letGo(id: string, why: string): Promise<void> {
    const h = held.get(id);
    if (!h) return;
    held.delete(id);
    log.warn({ region: id, why }, 'region let go');
    await h.starting?.catch(() => undefined);
    await h.runner?.stop().catch(() => undefined);
  }

  async function poll(): Promise<void> {
    for (const r of regions) {
      if (closed) return;
      const h = held.get(r.id);
      if (h) {
        try {
          h.rev = await kv.update(r.id, workerId, h.rev);
        } catch (err) {
          await letGo(r.id, `lease lost: ${(err as Error).message}`);
          continue;
        }
        // a region held but not preferred goes back to a live worker that prefers it
        if (!preferred.has(r.id)) {
          const want = await kv.get(`want.${r.id}`).catch(() => null);
          if (want && want.operation === 'PUT' && want.string() !== workerId) {
            await letGo(r.id, `handed back to ${want.string()}, which prefers it`);
            await kv.delete(r.id, { previousSeq: h.rev }).catch(() => undefined);
          }
        }
        continue;
      }
      let free = false;
      try {
        const e = await kv.get(r.id);
        free = e === null || e.operation !== 'PUT';
      } catch {
        free = false;
      }
      if (!free) {
        freeSeen.delete(r.id);
        // held by another: say this worker prefers it (the entry lives a lease unless renewed)
        if (preferred.has(r.id)) await kv.put(`want.${r.id}`, workerId).catch(() => undefined);
        continue;
      }
      // a region this worker does not prefer is taken once it has been free for half a lease (its preferred worker had its chance)
      const firstFree = freeSeen.get(r.id) ?? Date.now();
      freeSeen.set(r.id, firstFree);
      if (!preferred.has(r.id) && Date.now() - firstFree < (cl.lease_ttl_s * 1000) / 2) continue;
      let rev: number;
      try {
        rev = await kv.create(r.id, workerId);
      } catch {
        continue; // another was quicker
      }
      freeSeen.delete(r.id);
      const entry: { rev: number; runner: Runner | null; starting: Promise<void> | null } = { rev, runner: null, starting: null };
      held.set(r.id, entry);
      log.info({ region: r.id, worker: workerId }, 'region lease taken');
      entry.starting = startRegion(r).then(
        (runner) => {
          entry.runner = runner;
          entry.starting = null;
          if (held.get(r.id) !== entry || closed) void runner.stop();
        },
        (err: unknown) => {
          log.error({ err, region: r.id }, 'taking the region failed: letting it go');
          entry.starting = null;
          if (held.get(r.id) === entry) held.delete(r.id);
          void kv.delete(r.id, { previousSeq: entry.rev }).catch(() => undefined);
        },
      );
    }
  }

  let polling: Promise<void> = Promise.resolve();
  const pollTimer = setInterval(() => {
    polling = polling.then(poll).catch((err: unknown) => log.error({ err }, 'lease poll failed'));
  }, cl.lease_renew_s * 1000);
  polling = poll().catch((err: unknown) => log.error({ err }, 'lease poll failed'));
  await polling;
  log.info({ worker: workerId, regions: [...held.keys()] }, 'fusion worker up');

  const statuses = () => [...held.values()].flatMap((h) => (h.runner ? [h.runner.status] : []));
  if (o.registry) {
    registerWorkerMetrics(o.registry, statuses, async (region) => {
      const i = await jsm.consumers.info(stream, durableName(region));
      return i.num_pending + i.num_ack_pending;
    });
  }

  return {
    id: workerId,
    regions: statuses,
    picture: (id) => held.get(id)?.runner?.picture ?? null,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pollTimer);
      await polling;
      for (const [id, h] of [...held]) {
        await letGo(id, 'worker stopping');
        await kv.delete(id, { previousSeq: h.rev }).catch(() => undefined);
      }
      await tracksSub.unsubscribe();
      for (const s of controlSubs) await s.unsubscribe();
    },
  };
}

/**
 * A fusion worker's gauges, read at each scrape: the regions it holds, the detections each
 * region's picture took since it was taken, whether it is still rebuilding, and its durable
 * consumer's lag (messages on the region's subject not yet delivered, or delivered and not yet
 * acknowledged: what the picture is behind JetStream). A region let go disappears from them.
 */
export function registerWorkerMetrics(registry: Registry, regions: () => RegionStatus[], pending: (region: string) => Promise<number>): void {
  /** A gauge with one value per region held, read from its status at each scrape. */
  const perRegion = (name: string, help: string, value: (r: RegionStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['region'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of regions()) this.set({ region: r.region }, value(r));
      },
    });
  perRegion('skywarden_fusion_region_held', 'Regions this fusion worker holds (1 each), by region', () => 1);
  perRegion('skywarden_fusion_region_restoring', 'Regions this worker is rebuilding from JetStream (1) or running live (0), by region', (r) => (r.restoring ? 1 : 0));
  perRegion('skywarden_fusion_region_detections', 'Detections the region\'s picture took since this worker took the region (replay included), by region', (r) => r.taken);
  new Gauge({
    name: 'skywarden_fusion_consumer_pending',
    help: 'The region\'s durable consumer: messages not yet delivered plus delivered and not yet acknowledged (the picture\'s lag behind JetStream), by region',
    labelNames: ['region'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of regions()) {
        // a region whose consumer cannot be read now (being made anew, NATS away) is left out of this scrape
        const n = await pending(r.region).catch(() => null);
        if (n !== null) this.set({ region: r.region }, n);
      }
    },
  });
}
