/**
 * Live fusion: the core's tracker, batch runner and warning runner (the same code as
 * `skywarden track`), driven by the journal's stream of detections and by the service
 * clock, so that tracks coast and end and alerts clear when nothing arrives. With every
 * detection arriving within the reorder delay, the track reports equal the batch
 * command's on the same detections (tested in live-fusion.test.ts).
 *
 * It also keeps what the API shows: the latest snapshot of tracks (as TrackWire), each
 * track's short history, operators' decisions on tracks, and the zones' alert states.
 */
import {
  createBatchRunner,
  createTracker,
  createWarningRunner,
  destination,
  type AlertTransition,
  type BatchRunner,
  type Detection,
  type GeoPoint,
  type Tracker,
  type TrackReport,
  type WarningRunner,
  type ZoneState,
} from '@skywarden/core';
import { trackReportToRow, type Zone } from '@skywarden/formats';
import type { AlertWire, TrackWire, ZoneStateWire } from '@skywarden/formats';

export interface LiveFusionOptions {
  origin: GeoPoint;
  reorderDelayS: number;
  reportEveryS: number;
  zones: readonly Zone[];
  alertIntervalS: number;
  /** Each report time's tracks (after the operators' overrides). */
  onTracks: (t: number, tracks: TrackWire[], rows: Record<string, unknown>[]) => void;
  /** Each alert change. */
  onAlert: (a: AlertWire, tr: AlertTransition) => void;
  /** After the warnings were brought up to report time `t` (every report; the predictor itself runs every `alertIntervalS`). */
  onWarnings?: (t: number) => void;
}

export interface OperatorMark {
  confirmed?: boolean;
  dismissed?: boolean;
  label?: string;
  by?: string;
  t?: number;
}

const THREAT_LABELS = ['piston_owa', 'jet_owa', 'cruise_missile'];
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
  let label = topLabel(probs);
  let threat = r.threatProbability;
  if (mark?.label) {
    label = mark.label;
    threat = THREAT_LABELS.includes(label) ? 1 : 0;
  }
  let affiliation: TrackWire['affiliation'] = threat >= 0.5 ? 'hostile' : r.cooperativeId !== undefined ? 'friendly' : 'unknown';
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
  if (mark) w.operator = { ...mark };
  return w;
}

export function zoneStateWire(s: ZoneState, name: string | undefined): ZoneStateWire {
  const w: ZoneStateWire = { zone: s.zone, state: s.state, since: Number.isFinite(s.since) ? s.since : 0, tracks: s.tracks.slice() };
  if (name) w.name = name;
  if (s.etaS !== undefined && s.state === 'alert') w.eta_s = Math.round(s.etaS * 10) / 10;
  if (s.manual) w.manual = true;
  return w;
}

function alertWire(c: AlertTransition): AlertWire {
  const w: AlertWire = { t: c.t, zone: c.zone, state: c.state, tracks: c.tracks.slice(), reason: c.reason };
  if (c.etaS !== undefined) w.eta_s = Math.round(c.etaS * 10) / 10;
  if (c.who) w.by = c.who;
  return w;
}

export function createLiveFusion(o: LiveFusionOptions) {
  const tracker: Tracker = createTracker({ origin: o.origin });
  const marks = new Map<string, OperatorMark>();
  const history = new Map<string, { t: number; lat: number; lon: number; alt_m?: number }[]>();
  const zoneNames = new Map(o.zones.map((z) => [z.id, z.name]));
  const warn: WarningRunner | null = o.zones.length > 0 ? createWarningRunner(o.zones, { interval: o.alertIntervalS }) : null;
  let snapshot: { t: number; tracks: TrackWire[] } = { t: 0, tracks: [] };
  let refused = 0;

  const runner: BatchRunner = createBatchRunner(
    tracker,
    { reorderDelay: o.reorderDelayS, reportEvery: o.reportEveryS },
    {
      onReport(t, reports) {
        const tracks = reports.map((r) => toTrackWire(r, marks.get(r.trackId)));
        const rows = reports.map((r) => trackReportToRow(r) as unknown as Record<string, unknown>);
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
        for (const id of marks.keys()) if (!live.has(id) && !tracker.tracks().some((tr) => tr.id === id)) marks.delete(id);
        snapshot = { t, tracks };
        o.onTracks(t, tracks, rows);
        if (warn) {
          // a dismissed track does not raise alerts; a track an operator classified as a threat does
          const effective = reports
            .filter((r) => !marks.get(r.trackId)?.dismissed)
            .map((r) => {
              const m = marks.get(r.trackId);
              return m?.label ? { ...r, threatProbability: THREAT_LABELS.includes(m.label) ? 1 : 0 } : r;
            });
          for (const c of warn.onReport(t, effective)) o.onAlert(alertWire(c), c);
          o.onWarnings?.(t);
        }
      },
    },
  );

  return {
    tracker,
    /** Offers a journalled detection; returns null when taken, else why it was refused (late, duplicate). */
    push(d: Detection): string | null {
      const r = runner.push(d);
      if (r !== null) refused++;
      return r;
    },
    /** The clock says `t`: run the steps that are due. */
    advanceTo(t: number): void {
      runner.advanceTo(t);
    },
    get pending() {
      return runner.pending;
    },
    /**
     * Clock time (s) at which the next tracker step (and report, when one is on the grid)
     * becomes due: its time plus the reorder delay; NaN before the first detection.
     */
    get nextDue(): number {
      return runner.nextStepTime + o.reorderDelayS;
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
    mark(id: string, m: OperatorMark): OperatorMark | null {
      if (!snapshot.tracks.some((x) => x.track === id) && !tracker.tracks().some((tr) => tr.id === id)) return null;
      const cur = { ...(marks.get(id) ?? {}), ...m };
      if (m.confirmed) delete cur.dismissed;
      if (m.dismissed) delete cur.confirmed;
      marks.set(id, cur);
      return cur;
    },
    zoneStates(): ZoneStateWire[] {
      if (!warn) return [];
      return [...warn.machine.state().values()].map((s) => zoneStateWire(s, zoneNames.get(s.zone)));
    },
    zoneState(zone: string): ZoneStateWire | null {
      const s = warn?.machine.state().get(zone);
      return s ? zoneStateWire(s, zoneNames.get(zone)) : null;
    },
    /**
     * An operator raises or ends a zone's alert. It is stamped with the picture's time (the
     * latest report, which runs the reorder delay behind the clock), not the clock's `t`:
     * the alert machine's time only moves forward, and the next report is earlier than `t`.
     */
    manualAlert(zone: string, action: 'raise' | 'end', clockT: number, who: string, reason: string): { change: AlertWire | null } | null {
      if (!warn || !zoneNames.has(zone)) return null;
      const mt = warn.machine.time;
      const t = Number.isFinite(mt) ? Math.max(mt, snapshot.t) : snapshot.t > 0 ? snapshot.t : clockT - o.reorderDelayS;
      const c = action === 'raise' ? warn.machine.manualRaise(zone, t, who, reason) : warn.machine.manualEnd(zone, t, who, reason);
      if (c) {
        const w = alertWire(c);
        o.onAlert(w, c);
        return { change: w };
      }
      return { change: null };
    },
    hasZones(): boolean {
      return warn !== null;
    },
  };
}
export type LiveFusion = ReturnType<typeof createLiveFusion>;
