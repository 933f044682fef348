/**
 * The live service's picture: the core's picture (core/src/picture: anchoring, tracker and
 * batch runner, threat prediction, alerts, operators' overrides, the Update policy: the same
 * object `skywarden track` and replay drive), with its events fanned out to the service's
 * publishers (publish/), and the view the API serves: the latest tracks as TrackWire, each
 * track's short history, the zones' states with their names.
 */
import { randomBytes } from 'node:crypto';
import {
  createPicture,
  destination,
  markedThreat,
  type AlertMachineOptions,
  type AlertTransition,
  type Detection,
  type GeoPoint,
  type OperatorMark,
  type Picture,
  type PictureEvent,
  type Sensor,
  type TrackReport,
  type TrackerComponents,
  type ZoneState,
  type ZoneThreat,
} from '@skywarden/core';
import type { Zone } from '@skywarden/formats';
import type { AlertWire, TrackWire, ZoneStateWire, ZoneThreatWire } from '@skywarden/formats';

export type { OperatorMark };

export interface LivePictureOptions {
  /** The frame's anchor (the registered sensors' centre); without one the first detection that gives a point. */
  origin: GeoPoint | null;
  /** The registered sensors (their acoustic nodes give acoustic tracks and negative information). */
  sensors: Iterable<Sensor>;
  reorderDelayS: number;
  reportEveryS: number;
  zones: readonly Zone[];
  alertIntervalS: number;
  /** The alert policy (raise thresholds); the alert machine's defaults when absent. */
  alerts?: AlertMachineOptions;
  /** Particle-cloud tracks for the acoustic nodes (default true). */
  acousticClouds?: boolean;
  /** The tracker's data associator (default the tracker's: `jpda`). */
  associator?: 'gnn' | 'jpda';
  /** Tracker components replaced (research, tests); default all. */
  trackerComponents?: Partial<TrackerComponents>;
}

const PREDICT_STEPS_S = [60, 120, 180, 300, 450, 600];
/** Points of history kept per track for the API (one a second at most, whatever the report interval). */
const HISTORY_POINTS = 600;
const HISTORY_EVERY_S = 1;

function topLabel(probs: Readonly<Record<string, number>>): string {
  let best = 'unknown';
  let p = -1;
  for (const [k, v] of Object.entries(probs)) {
    if (v > p) {
      p = v;
      best = k;
    }
  }
  return best;
}

export function toTrackWire(r: TrackReport, mark: OperatorMark | undefined): TrackWire {
  const [ve, vn, vu] = r.velocityEnu;
  const speed = Math.hypot(ve, vn);
  const course = ((Math.atan2(ve, vn) * 180) / Math.PI + 360) % 360;
  const probs = { ...r.classProbs } as Record<string, number>;
  const label = mark?.label ?? topLabel(probs);
  const threat = markedThreat(mark) ?? r.threatProbability;
  // a cooperative identity (ADS-B, Remote ID) is civil traffic announcing itself: neutral, not friendly
  let affiliation: TrackWire['affiliation'] = threat >= 0.5 ? 'hostile' : r.cooperativeId !== undefined ? 'neutral' : 'unknown';
  if (mark?.dismissed) affiliation = 'neutral';
  const w: TrackWire = {
    t: r.t,
    track: r.trackId,
    lat: r.position.latDeg,
    lon: r.position.lonDeg,
    ve_mps: ve,
    vn_mps: vn,
    vu_mps: vu,
    pos_sd_m: r.positionSd,
    vel_sd_mps: r.velocitySd,
    status: r.status,
    class: probs,
    label,
    threat,
    affiliation,
    speed_mps: speed,
    course_deg: course,
    sensors: r.sensors.slice(),
  };
  if (r.altitudeObservable) w.alt_m = r.position.altM;
  if (r.cooperativeId !== undefined) w.cooperative_id = r.cooperativeId;
  if (threat >= 0.2 && speed > 1 && !mark?.dismissed) {
    const bearing = Math.atan2(ve, vn);
    w.predicted = PREDICT_STEPS_S.map((dt) => {
      const p = destination(r.position, bearing, speed * dt);
      return { dt_s: dt, lat: p.latDeg, lon: p.lonDeg };
    });
  }
  if (mark) applyMark(w, mark);
  return w;
}

/** Puts an operator's mark on a wire row: the decisions in `operator`, the queue's work state (ack, assignment) as fields of the row. */
export function applyMark(w: TrackWire, mark: OperatorMark): TrackWire {
  const { ackedBy, ackedAt, assignedTo, assignedBy, assignedAt, ...decision } = mark;
  if (Object.keys(decision).length > 0) w.operator = decision;
  else delete w.operator;
  if (ackedBy !== undefined) w.acked_by = ackedBy;
  if (ackedAt !== undefined) w.acked_at = ackedAt;
  if (assignedTo !== undefined) w.assigned_to = assignedTo;
  if (assignedBy !== undefined) w.assigned_by = assignedBy;
  if (assignedAt !== undefined) w.assigned_at = assignedAt;
  return w;
}

export function zoneStateWire(s: ZoneState, name: string | undefined): ZoneStateWire {
  const w: ZoneStateWire = { zone: s.zone, state: s.state, since: Number.isFinite(s.since) ? s.since : 0, tracks: s.tracks.slice() };
  if (name) w.name = name;
  w.tier = s.tier;
  if (Number.isFinite(s.tierSince)) w.tier_since = s.tierSince;
  if (s.etaS !== undefined && s.state === 'alert') w.eta_s = Math.round(s.etaS * 10) / 10;
  if (s.manual) w.manual = true;
  return w;
}

export function alertWire(c: AlertTransition): AlertWire {
  const w: AlertWire = { t: c.t, zone: c.zone, state: c.state, tracks: c.tracks.slice(), reason: c.reason };
  if (c.tier !== undefined) w.tier = c.tier;
  if (c.etaS !== undefined) w.eta_s = Math.round(c.etaS * 10) / 10;
  if (c.who) w.by = c.who;
  return w;
}

/** Zones a track may enter with a probability of at least this are listed with it (TrackWire.threatens). */
export const THREATENS_MIN_P = 0.1;
/** At most this many zones per track. */
export const THREATENS_MAX = 5;

/** The predicted threats grouped by track: zones with P >= THREATENS_MIN_P, soonest first, at most THREATENS_MAX. */
export function threatensByTrack(threats: readonly ZoneThreat[], names: ReadonlyMap<string, string | undefined>): Map<string, ZoneThreatWire[]> {
  const out = new Map<string, ZoneThreatWire[]>();
  for (const z of threats) {
    if (!(z.probability >= THREATENS_MIN_P)) continue;
    let list = out.get(z.track);
    if (!list) out.set(z.track, (list = []));
    const w: ZoneThreatWire = { zone: z.zone, p: Math.round(z.probability * 100) / 100, eta_s: Math.round(z.etaS * 10) / 10 };
    const name = names.get(z.zone);
    if (name) w.name = name;
    if (z.inside) w.inside = true;
    if (z.speedBoundMps !== undefined) w.speed_bound_mps = z.speedBoundMps;
    list.push(w);
  }
  for (const list of out.values()) {
    list.sort((a, b) => a.eta_s - b.eta_s || b.p - a.p);
    if (list.length > THREATENS_MAX) list.length = THREATENS_MAX;
  }
  return out;
}

/** Gives a track row its zones, their ETAs counted down by the `age` (s) of the prediction (never below 0). */
function attachThreatens(w: TrackWire, list: ZoneThreatWire[] | undefined, age: number): TrackWire {
  if (!list || list.length === 0) {
    delete w.threatens;
    return w;
  }
  const a = Math.max(0, age);
  w.threatens = list.map((z) => (a > 0 ? { ...z, eta_s: Math.max(0, Math.round((z.eta_s - a) * 10) / 10) } : z));
  return w;
}

/** The tracks of a report as TrackWire (with the operators' marks). */
export function tracksWire(reports: readonly TrackReport[], marks: ReadonlyMap<string, OperatorMark>): TrackWire[] {
  return reports.map((r) => toTrackWire(r, marks.get(r.trackId)));
}

export function createLivePicture(o: LivePictureOptions) {
  const listeners: ((e: PictureEvent) => void)[] = [];
  const history = new Map<string, { t: number; lat: number; lon: number; alt_m?: number }[]>();
  const zoneNames = new Map(o.zones.map((z) => [z.id, z.name]));
  let snapshot: { t: number; tracks: TrackWire[] } = { t: 0, tracks: [] };
  let refused = 0;

  /** The zones each track may enter, from the warnings' last prediction (at time `threatsT`). */
  let threatsByTrack = new Map<string, ZoneThreatWire[]>();
  let threatsT = 0;

  /** The view the API serves, kept up to date before the publishers hear of a report. */
  const view = (e: PictureEvent) => {
    if (e.type === 'warnings') {
      threatsByTrack = threatensByTrack(e.threats, zoneNames);
      threatsT = e.t;
      // the tracks of this time get them at once, as new rows: the rows already sent (the
      // stream, the ASTERIX and CoT publishers) are never changed after the fact
      snapshot = { t: snapshot.t, tracks: snapshot.tracks.map((w) => attachThreatens({ ...w }, threatsByTrack.get(w.track), snapshot.t - threatsT)) };
      return;
    }
    if (e.type !== 'tracks') return;
    const t = e.t;
    const tracks = tracksWire(e.reports, e.marks);
    for (const w of tracks) attachThreatens(w, threatsByTrack.get(w.track), t - threatsT);
    const live = new Set<string>();
    for (const w of tracks) {
      live.add(w.track);
      let h = history.get(w.track);
      if (!h) history.set(w.track, (h = []));
      if (h.length > 0 && t - h[h.length - 1].t < HISTORY_EVERY_S - 1e-6) continue;
      h.push(w.alt_m === undefined ? { t, lat: w.lat, lon: w.lon } : { t, lat: w.lat, lon: w.lon, alt_m: w.alt_m });
      if (h.length > HISTORY_POINTS) h.splice(0, h.length - HISTORY_POINTS);
    }
    for (const id of history.keys()) if (!live.has(id)) history.delete(id);
    snapshot = { t, tracks };
  };

  const picture: Picture = createPicture(
    {
      anchor: o.origin,
      sensors: o.sensors,
      tracker: { acousticClouds: o.acousticClouds ?? true, ...(o.associator ? { associator: o.associator } : {}) },
      trackerComponents: o.trackerComponents,
      reorderDelay: o.reorderDelayS,
      reportEvery: o.reportEveryS,
      // the duplicate check's hashes keyed at random: sensors' ids cannot be chosen to collide
      idSeed: [randomBytes(4).readInt32LE(0), randomBytes(4).readInt32LE(0)],
      zones: o.zones,
      alertInterval: o.alertIntervalS,
      alerts: o.alerts,
    },
    (e) => {
      view(e);
      for (const fn of listeners) fn(e);
    },
  );

  return {
    picture,
    /** Calls `fn` with every event of the picture, after the view took it. */
    subscribe(fn: (e: PictureEvent) => void): void {
      listeners.push(fn);
    },
    /** Offers a journalled detection; returns null when taken, else why it was refused (late, duplicate). */
    push(d: Detection): string | null {
      const r = picture.push(d);
      if (r !== null) refused++;
      return r;
    },
    /** The clock says `t`: run the steps that are due. */
    advanceTo(t: number): void {
      picture.advanceTo(t);
    },
    get pending() {
      return picture.pending;
    },
    /**
     * Clock time (s) at which the next tracker step (and report, when one is on the grid)
     * becomes due: its time plus the reorder delay; NaN before the first detection.
     */
    get nextDue(): number {
      return picture.nextStepTime + o.reorderDelayS;
    },
    get refused() {
      return refused;
    },
    snapshot(): { t: number; tracks: TrackWire[] } {
      return snapshot;
    },
    track(id: string): TrackWire | null {
      return snapshot.tracks.find((x) => x.track === id) ?? null;
    },
    history(id: string) {
      return history.get(id)?.slice() ?? [];
    },
    /** An operator's decision on a live track; null when no such track. */
    mark(id: string, m: OperatorMark, clockT: number): OperatorMark | null {
      const cur = picture.mark(id, m, clockT);
      // the API's view shows it at once (as a new row: rows already sent are never changed);
      // the stream carries it with the next tracks report
      if (cur) snapshot = { t: snapshot.t, tracks: snapshot.tracks.map((w) => (w.track === id ? applyMark({ ...w }, cur) : w)) };
      return cur;
    },
    zoneStates(): ZoneStateWire[] {
      return picture.zoneStates().map((s: ZoneState) => zoneStateWire(s, zoneNames.get(s.zone)));
    },
    zoneState(zone: string): ZoneStateWire | null {
      const s = picture.zoneStates().find((x) => x.zone === zone);
      return s ? zoneStateWire(s, zoneNames.get(zone)) : null;
    },
    /** An operator raises or ends a zone's alert (stamped with the picture's time); null for an unknown zone. */
    manualAlert(zone: string, action: 'raise' | 'end', clockT: number, who: string, reason: string): { change: AlertWire | null } | null {
      const c = picture.manualAlert(zone, action, clockT, who, reason);
      if (c === undefined) return null;
      return { change: c ? alertWire(c) : null };
    },
    hasZones(): boolean {
      return picture.hasZones;
    },
  };
}
export type LivePicture = ReturnType<typeof createLivePicture>;
