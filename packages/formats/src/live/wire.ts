/**
 * The live service's JSON objects on the wire (REST under /api/v1 and the event stream
 * GET /api/v1/stream, server-sent events). Shared by the server (writer) and the web map
 * (reader). Field names follow the interchange spec: snake_case, SI units, degrees for
 * angles and positions, `t` in seconds since the Unix epoch. Documented in docs/api.md.
 */
import type { TrackRowFields } from '../interchange/rows.js';

/** A track as the live service shows it: the tracks.ndjson row plus the service's fields. */
export interface TrackWire extends TrackRowFields {
  pos_sd_m: number;
  /** Class probabilities (label -> probability), as the identifier has them. */
  class: Record<string, number>;
  /** Most probable class label, after any operator override. */
  label: string;
  /** P(piston_owa) + P(jet_owa) + P(cruise_missile). */
  threat: number;
  /** `hostile` (threat >= 0.5), `neutral` (a cooperative id: civil traffic), `unknown`, or as the operator set it (`neutral` when dismissed); `friendly` is not given by the service. */
  affiliation: 'hostile' | 'unknown' | 'neutral' | 'friendly';
  /** Horizontal velocity one-sigma per axis (m/s), when the tracker gives it. */
  vel_sd_mps?: number;
  /** Ground speed (m/s) and course (degrees clockwise from north). */
  speed_mps: number;
  course_deg: number;
  cooperative_id?: string;
  /** Ids of sensors that contributed. */
  sensors: string[];
  /** Predicted positions (mean) ahead of `t`, for threats: seconds ahead and position. */
  predicted?: { dt_s: number; lat: number; lon: number }[];
  /**
   * The zones this track may enter (the warnings' last prediction, at most every alert
   * interval), soonest first: zone id and name, P(inside now or entering within the
   * prediction horizon), the median entry time (s after `t`; 0 when inside) and whether the
   * track is inside. Only zones with a probability of at least 0.1; at most 5. Absent when
   * the service has no zones or the track threatens none.
   */
  threatens?: ZoneThreatWire[];
  /** Operator decisions on the track, if any. */
  operator?: { confirmed?: boolean; dismissed?: boolean; label?: string; by?: string; t?: number };
  /** The threat queue's work state (issue 17): who acknowledged the track, and when (s). */
  acked_by?: string;
  acked_at?: number;
  /** Whom the track is assigned to (a user name or a team), by whom, when (s). */
  assigned_to?: string;
  assigned_by?: string;
  assigned_at?: number;
}

/** One zone a track may enter (TrackWire.threatens). */
export interface ZoneThreatWire {
  zone: string;
  name?: string;
  p: number;
  eta_s: number;
  inside?: boolean;
  /** The top speed (m/s) the prediction held the track to (the fastest threat class it may be); absent: no bound. */
  speed_bound_mps?: number;
}

/** A recent detection for the map: its interchange row plus the sensor position it was made from. */
export interface DetectionWire {
  t: number;
  sensor: string;
  type: 'position' | 'range_bearing' | 'bearing' | 'presence';
  id: string;
  /** Sensor position at `t` (for bearings and presence). */
  sensor_lat?: number;
  sensor_lon?: number;
  lat?: number;
  lon?: number;
  range_m?: number;
  bearing_deg?: number;
}

export type SensorStatus = 'ok' | 'silent' | 'stuck' | 'implausible' | 'never_seen' | 'offline';

/** A sensor and its health. */
export interface SensorWire {
  id: string;
  kind: string;
  lat?: number;
  lon?: number;
  alt_m?: number;
  range_m?: number;
  status: SensorStatus;
  /** Why the status is not `ok`. */
  status_reason?: string;
  /** Last detection received (s), if any. */
  last_seen?: number;
  /** Detections per minute over the last 5 whole minutes. */
  rate_per_min: number;
  /** Detections accepted and rejected since the service started. */
  accepted: number;
  rejected: number;
  /** Last rejection reason, if any. */
  last_error?: string;
}

/** A zone's current alert state (the current-state endpoint: zone -> state). */
export interface ZoneStateWire {
  zone: string;
  name?: string;
  state: 'alert' | 'clear';
  /** Urgency tier (docs/warnings.md "Tiers"): `imminent`, `warning` (under alert), `watch` (a threat may come later), `none`. */
  tier?: 'imminent' | 'warning' | 'watch' | 'none';
  /** When the current tier began (s). */
  tier_since?: number;
  /** When the current state began (s). */
  since: number;
  /** Earliest predicted entry (s from `t` of the update), when alerted by a prediction. */
  eta_s?: number;
  tracks: string[];
  manual?: boolean;
}

/** A zone as residents see it (the public warning page): no tracks, no operators. */
export interface PublicZoneWire {
  zone: string;
  name: string;
  /** Names by language (`ko`: 종로구), when the zone has them. */
  names?: Record<string, string>;
  state: 'alert' | 'clear';
  tier: 'imminent' | 'warning' | 'watch' | 'none';
  /** When the current tier began (s since the epoch); 0 when it never changed. */
  since: number;
  /** Earliest predicted entry (s after the event's `t`), under a predicted alert. */
  eta_s?: number;
}

/** An alert change (alerts.ndjson row plus why and who). */
export interface AlertWire {
  t: number;
  zone: string;
  state: 'alert' | 'clear';
  /** The zone's tier after the change. */
  tier?: 'imminent' | 'warning' | 'watch' | 'none';
  eta_s?: number;
  tracks: string[];
  /** `predicted`, `inside`, `manual`, `all_clear`, `manual_end`. */
  reason?: string;
  by?: string;
  /** True on an Update of an alert already on (a tier change or a moved ETA; docs/warnings.md "Updates"): the zone stays under alert. */
  update?: boolean;
}

/** Server-sent events on GET /api/v1/stream: `event:` name and `data:` JSON. */
export interface StreamEvents {
  /** First event: what the stream is. */
  hello: { server_time: number; mode: 'live' | 'demo' | 'replay'; report_every_s: number; version: string };
  /** Every report time: all confirmed and coasting tracks (a full snapshot; tracks not in it are gone). */
  tracks: { t: number; tracks: TrackWire[] };
  /** Detections accepted since the last such event (at most a few hundred a second; sampled beyond). */
  detections: { t: number; detections: DetectionWire[]; dropped: number };
  /** Sensors whose health changed (every 5 s, only the changed ones; all on connect). */
  sensors: { t: number; sensors: SensorWire[] };
  /** Alert changes as they happen. */
  alert: AlertWire;
  /** All zones' states (on connect and after every change). */
  zones: { t: number; zones: ZoneStateWire[] };
  /** The public stream's only event (GET /api/v1/public/stream): every zone's public state, when any changed. */
  public: { t: number; zones: PublicZoneWire[] };
}

export type StreamEventName = keyof StreamEvents;

/** Error body of every 4xx/5xx answer: a stable code from the server's catalogue and a message. */
export interface ErrorWire {
  error: { code: string; message: string; details?: unknown };
}
