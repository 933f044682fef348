/**
 * What the side panels list: tracks ordered by threat and capped (the list never holds more
 * rows than it can show fluidly), alerts newest first, sensor health counts.
 */
import type { AlertWire, SensorWire, TrackWire } from '@skywarden/formats';

/**
 * Tracks for the list: matching `filter` (track id, label, affiliation or cooperative id,
 * case-insensitive), most threatening first, then by id; at most `cap` rows, and the total matched.
 */
export function trackListRows(tracks: readonly TrackWire[], filter: string, cap: number): { rows: TrackWire[]; matched: number } {
  const f = filter.trim().toLowerCase();
  const m = f === ''
    ? tracks.slice()
    : tracks.filter((t) => t.track.toLowerCase().includes(f) || t.label?.toLowerCase().includes(f) || t.affiliation?.includes(f) || (t.cooperative_id ?? '').toLowerCase().includes(f));
  m.sort((a, b) => (b.threat ?? 0) - (a.threat ?? 0) || (a.track < b.track ? -1 : a.track > b.track ? 1 : 0));
  return { rows: m.slice(0, cap), matched: m.length };
}

/** Merge new alerts into a newest-first list without duplicates, capped. */
export function mergeAlerts(list: readonly AlertWire[], add: readonly AlertWire[], cap = 200): AlertWire[] {
  const key = (a: AlertWire) => `${a.t}|${a.zone}|${a.state}|${a.reason ?? ''}`;
  const seen = new Set<string>();
  const out: AlertWire[] = [];
  for (const a of [...add, ...list]) {
    const k = key(a);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(a);
  }
  out.sort((a, b) => b.t - a.t);
  return out.slice(0, cap);
}

/** Sensors counted by status. */
export function sensorCounts(sensors: Iterable<SensorWire>): Record<string, number> {
  const c: Record<string, number> = { ok: 0, silent: 0, stuck: 0, implausible: 0, never_seen: 0, offline: 0 };
  for (const s of sensors) c[s.status] = (c[s.status] ?? 0) + 1;
  return c;
}

/** Sensors needing attention first (not ok), then by id; capped. */
export function sensorRows(sensors: Iterable<SensorWire>, cap: number): SensorWire[] {
  const bad: SensorWire[] = [];
  const good: SensorWire[] = [];
  for (const s of sensors) (s.status === 'ok' ? good : bad).push(s);
  const byId = (a: SensorWire, b: SensorWire) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  bad.sort(byId);
  if (bad.length >= cap) return bad.slice(0, cap);
  good.sort(byId);
  return bad.concat(good.slice(0, cap - bad.length));
}

/** Roles and what they may do (the server enforces; the client hides what a role lacks). */
export type Role = 'viewer' | 'operator' | 'admin';
export function canAct(role: string | undefined): boolean {
  return role === 'operator' || role === 'admin';
}
