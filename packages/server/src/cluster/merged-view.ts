/**
 * The API's picture in a cluster (`cluster.role: api`): the fusion workers' tracks and alert
 * changes of every region (`<prefix>.tracks.*`, `<prefix>.alerts.*` on NATS JetStream),
 * merged into one picture. Each region publishes the tracks it follows, its core's and its
 * margin's; a track id is shown once, from the region whose core holds it (the owner), else
 * (outside every core) from the newest. A region whose last report is `cluster.stale_s` behind
 * the newest is left out (its worker died and no other has taken it yet: its last tracks stay
 * shown that long). Zones are each owned by one region, so their states are the owners'.
 *
 * It offers what the HTTP API reads of the live picture (snapshot, track, history, zone
 * states), and carries operators' decisions to the workers on `<prefix>.control.marks` (a
 * track's mark: every region following the track applies it) and `<prefix>.control.alerts` (a
 * manual raise or end: the zone's owner applies it); their effect comes back with the next
 * report or alert change.
 */
import type { Logger } from 'pino';
import type { AlertTransition, PictureEvent } from '@skywarden/core';
import type { AlertWire, TrackWire, ZoneStateWire } from '@skywarden/formats';
import type { OperatorMark } from '@skywarden/core';
import type { NatsBus } from '../bus/nats/nats-bus.js';
import type { Subscription } from '../bus/bus.js';
import type { AlertMessage, ClusterTrack, TracksMessage } from './fusion-worker.js';
import { alertsSubject, controlAlertsSubject, controlMarksSubject, tracksSubject, type AlertControl, type MarkControl } from './fusion-worker.js';
import type { Region } from './regions.js';

const HISTORY_POINTS = 600;

export interface MergedView {
  snapshot(): { t: number; tracks: TrackWire[] };
  track(id: string): TrackWire | null;
  history(id: string): { t: number; lat: number; lon: number; alt_m?: number }[];
  zoneStates(): ZoneStateWire[];
  zoneState(zone: string): ZoneStateWire | null;
  hasZones(): boolean;
  /** Sends an operator's mark of a live track to the workers; null when no such track. */
  mark(id: string, m: OperatorMark, clockT: number): OperatorMark | null;
  /** Sends a manual raise or end to the zone's owner; null for an unknown zone; the change it should make (null: none). */
  manualAlert(zone: string, action: 'raise' | 'end', clockT: number, who: string, reason: string): { change: AlertWire | null } | null;
  /** Regions heard from, with their last report's time and worker. */
  regions(): { region: string; t: number; worker: string; tracks: number }[];
  close(): Promise<void>;
}

function clientRow(x: ClusterTrack): TrackWire {
  const { local: _l, core: _c, final: _f, ...w } = x;
  return w;
}

export async function createMergedView(o: {
  bus: NatsBus;
  stream: string;
  prefix: string;
  regions: readonly Region[];
  /** The configured zones' ids (a manual alert names one of them). */
  zoneIds: readonly string[];
  staleS: number;
  log: Logger;
  /** Called with the merged tracks after each region's report. */
  onTracks(snap: { t: number; tracks: TrackWire[] }): void;
  /** Called with each alert change (as the picture's event) and the zones' states after it. */
  onAlert(e: PictureEvent & { type: 'alert' }, zones: ZoneStateWire[]): void;
}): Promise<MergedView> {
  const latest = new Map<string, TracksMessage>();
  const zoneStates = new Map<string, ZoneStateWire>();
  const history = new Map<string, { t: number; lat: number; lon: number; alt_m?: number }[]>();
  let merged: { t: number; tracks: TrackWire[] } = { t: 0, tracks: [] };

  const takeZones = (zones: readonly ZoneStateWire[] | undefined) => {
    for (const z of zones ?? []) zoneStates.set(z.zone, z);
  };

  const remerge = () => {
    let t = 0;
    for (const m of latest.values()) t = Math.max(t, m.t);
    const best = new Map<string, ClusterTrack & { _t: number }>();
    for (const m of latest.values()) {
      if (m.t < t - o.staleS) continue;
      for (const x of m.tracks) {
        const cur = best.get(x.track);
        if (!cur || (x.core && !cur.core) || (x.core === cur.core && m.t > cur._t)) best.set(x.track, { ...x, _t: m.t });
      }
    }
    const tracks = [...best.values()].map(({ _t, ...x }) => clientRow(x)).sort((a, b) => (a.track < b.track ? -1 : a.track > b.track ? 1 : 0));
    const live = new Set<string>();
    for (const w of tracks) {
      live.add(w.track);
      let h = history.get(w.track);
      if (!h) history.set(w.track, (h = []));
      if (h.length > 0 && w.t - h[h.length - 1].t < 1 - 1e-6) continue;
      h.push(w.alt_m === undefined ? { t: w.t, lat: w.lat, lon: w.lon } : { t: w.t, lat: w.lat, lon: w.lon, alt_m: w.alt_m });
      if (h.length > HISTORY_POINTS) h.splice(0, h.length - HISTORY_POINTS);
    }
    for (const id of history.keys()) if (!live.has(id)) history.delete(id);
    merged = { t, tracks };
  };

  const onTracksMessage = (m: TracksMessage) => {
    if (typeof m?.region !== 'string' || !Array.isArray(m.tracks)) return;
    const prev = latest.get(m.region);
    if (prev && prev.t > m.t) return; // an older report (a worker that lost the lease, a late repeat)
    latest.set(m.region, m);
    takeZones(m.zones);
    remerge();
  };

  // what each region last published, then what comes
  for (const r of o.regions) {
    try {
      onTracksMessage((await o.bus.manager.streams.getMessage(o.stream, { last_by_subj: tracksSubject(o.prefix, r.id) })).json<TracksMessage>());
    } catch {
      /* nothing published yet */
    }
  }
  const subs: Subscription[] = [];
  subs.push(
    await o.bus.subscribe(`${o.prefix}.tracks.*`, (msg) => {
      onTracksMessage(msg.json<TracksMessage>());
      o.onTracks(merged);
    }),
  );
  subs.push(
    await o.bus.subscribe(`${alertsSubject(o.prefix, '*')}`, (msg) => {
      const m = msg.json<AlertMessage>();
      if (!m?.change || (m.action !== 'raised' && m.action !== 'cleared')) return;
      takeZones(m.zones);
      const change: AlertTransition = m.change;
      o.onAlert({ type: 'alert', action: m.action, t: change.t, change }, [...zoneStates.values()]);
    }),
  );

  return {
    snapshot: () => merged,
    track: (id) => merged.tracks.find((x) => x.track === id) ?? null,
    history: (id) => history.get(id)?.slice() ?? [],
    zoneStates: () => [...zoneStates.values()],
    zoneState: (zone) => zoneStates.get(zone) ?? null,
    hasZones: () => zoneStates.size > 0,
    mark(id, m, clockT) {
      if (!merged.tracks.some((x) => x.track === id)) return null;
      const mark: OperatorMark = { ...m, t: m.t ?? clockT };
      void o.bus.publish(controlMarksSubject(o.prefix), [{ track: id, mark, t: clockT } satisfies MarkControl]).catch((err: unknown) => o.log.error({ err, track: id }, 'sending an operator mark to the fusion workers failed'));
      return mark;
    },
    manualAlert(zone, action, clockT, who, reason) {
      if (!o.zoneIds.includes(zone)) return null;
      void o.bus.publish(controlAlertsSubject(o.prefix), [{ zone, action, t: clockT, who, reason } satisfies AlertControl]).catch((err: unknown) => o.log.error({ err, zone }, 'sending a manual alert to the fusion workers failed'));
      const state = action === 'raise' ? 'alert' : 'clear';
      if ((zoneStates.get(zone)?.state ?? 'clear') === state) return { change: null };
      return { change: { t: clockT, zone, state, tracks: [], reason, by: who } };
    },
    regions: () => [...latest.values()].map((m) => ({ region: m.region, t: m.t, worker: m.worker, tracks: m.tracks.length })),
    async close() {
      for (const s of subs) await s.unsubscribe();
    },
  };
}
