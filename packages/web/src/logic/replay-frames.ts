/**
 * Replay: choosing the stored frame to show at a replay time, and advancing the replay
 * clock. Frames come from GET /api/v1/history/tracks, sorted by `t`.
 */
import type { TrackWire } from '@skywarden/formats';
import type { components } from '../api-types.js';
import { tr, type Lang } from './i18n.js';

/** A choice of the replay window in `lang`: "last 10 min" / "최근 10분", whole hours "last 2 h" / "최근 2시간". */
export function windowText(lang: Lang, minutes: number): string {
  return minutes >= 60 && minutes % 60 === 0 ? tr(lang, 'replay.last.h', { n: minutes / 60 }) : tr(lang, 'replay.last.min', { n: minutes });
}

/**
 * Index of the last frame with `t <= time` (binary search), or -1 before the first frame.
 * Frames must be sorted by `t` ascending.
 */
export function frameIndexAt(frames: readonly { t: number }[], time: number): number {
  let lo = 0;
  let hi = frames.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid].t <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Indexes of the frames in (fromT, toT], for building trails when the replay jumps. */
export function framesBetween(frames: readonly { t: number }[], fromT: number, toT: number): [number, number] {
  return [frameIndexAt(frames, fromT) + 1, frameIndexAt(frames, toT)];
}

export interface ReplayClock {
  from: number;
  to: number;
  /** Current replay time (s). */
  time: number;
  playing: boolean;
  /** Replay seconds per wall-clock second. */
  speed: number;
}

/** Advance a replay clock by `wallDtS` wall-clock seconds; stops at the end of the window. */
export function advanceClock(c: ReplayClock, wallDtS: number): ReplayClock {
  if (!c.playing) return c;
  const time = Math.min(c.to, Math.max(c.from, c.time + wallDtS * c.speed));
  return { ...c, time, playing: time < c.to };
}

/** Sanitised replay window from a wanted one and what the journal holds. */
export function clampWindow(want: { from: number; to: number }, have: { from: number; to: number }): { from: number; to: number } | null {
  const from = Math.max(want.from, have.from);
  const to = Math.min(want.to, have.to);
  if (!(Number.isFinite(from) && Number.isFinite(to)) || to <= from) return null;
  return { from, to };
}

/** Frame spacing (s) for a window so that a replay fetches at most `maxFrames` frames. */
export function frameEvery(spanS: number, maxFrames = 1200, minEvery = 1): number {
  if (!(spanS > 0)) return minEvery;
  return Math.max(minEvery, Math.ceil(spanS / maxFrames));
}

/** A zone's state rebuilt from the alert log. */
export interface ReplayZoneState {
  zone: string;
  state: 'alert' | 'clear';
  since: number;
  eta_s?: number;
  tracks: string[];
  manual?: boolean;
}

/**
 * Zone states at `time` from alert changes (any order): for each zone the last change at or
 * before `time`. Zones with no change before `time` are absent (clear).
 */
export function zoneStatesAt(
  alerts: readonly { t: number; zone: string; state: 'alert' | 'clear'; eta_s?: number; tracks: string[]; reason?: string }[],
  time: number,
): Map<string, ReplayZoneState> {
  const out = new Map<string, ReplayZoneState>();
  const sorted = alerts.filter((a) => a.t <= time).sort((a, b) => a.t - b.t);
  for (const a of sorted) {
    const s: ReplayZoneState = { zone: a.zone, state: a.state, since: a.t, tracks: a.tracks ?? [], manual: a.reason === 'manual' || a.reason === 'manual_end' };
    if (a.eta_s !== undefined) s.eta_s = Math.max(0, a.eta_s - (time - a.t));
    out.set(a.zone, s);
  }
  return out;
}

/**
 * A stored track state (GET /api/v1/history/tracks: the tracks.ndjson row plus label, threat,
 * affiliation and sensors) as the map's track: ground speed and course from the velocity, and
 * what an older row lacks filled in (no class: unknown, no threat: 0).
 */
export function storedTrackToWire(r: components['schemas']['TrackRow']): TrackWire {
  const speed = Math.hypot(r.ve_mps, r.vn_mps);
  const cls = r.class ?? {};
  let top = 'unknown';
  for (const [k, p] of Object.entries(cls)) if (top === 'unknown' || p > (cls[top] ?? -1)) top = k;
  const w: TrackWire = {
    t: r.t,
    track: r.track,
    lat: r.lat,
    lon: r.lon,
    ve_mps: r.ve_mps,
    vn_mps: r.vn_mps,
    pos_sd_m: r.pos_sd_m ?? 0,
    status: r.status,
    class: cls,
    label: r.label ?? top,
    threat: r.threat ?? 0,
    affiliation: r.affiliation ?? 'unknown',
    speed_mps: speed,
    course_deg: ((Math.atan2(r.ve_mps, r.vn_mps) * 180) / Math.PI + 360) % 360,
    sensors: r.sensors ?? [],
  };
  if (r.alt_m !== undefined) w.alt_m = r.alt_m;
  if (r.vu_mps !== undefined) w.vu_mps = r.vu_mps;
  if (r.target !== undefined) w.cooperative_id = r.target;
  return w;
}
