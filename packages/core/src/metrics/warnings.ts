/**
 * Warning scoring per spec/interchange.md "Scoring":
 * - a zone entry is the first time a true target's position falls inside a zone;
 * - it is warned if the zone's alert began at or before the entry and was still on then;
 *   its lead time is the entry time minus the alert's start;
 * - an alert episode is false if no true target entered that zone between its start and
 *   120 s after its end.
 * Also the alert zone-hours (the summed length of all episodes; an episode still on at the
 * end of the data lasts until the last truth time).
 */
import { pointInArea, type GeoArea } from '../geo/polygon.js';
import type { GeoPoint } from '../types.js';

export interface ScoredZone {
  id: string;
  area: GeoArea;
}

export interface AlertChange {
  t: number;
  zone: string;
  state: 'alert' | 'clear';
}

export interface ZoneEntry {
  target: string;
  zone: string;
  t: number;
  warned: boolean;
  /** Entry time minus alert start (s), when warned. */
  leadS?: number;
}

export interface WarningScore {
  entries: number;
  warned: number;
  /** warned / entries (NaN with no entry). */
  coverage: number;
  medianLeadS: number;
  p10LeadS: number;
  episodes: number;
  falseEpisodes: number;
  alertZoneHours: number;
  perEntry: ZoneEntry[];
}

/** Seconds after an episode's end within which an entry still makes it a true one. */
export const FALSE_ALERT_GRACE_S = 120;

export interface WarningScorer {
  /** Truth positions at one time (times in ascending order). */
  addTruth(t: number, targets: readonly { id: string; position: GeoPoint }[]): void;
  /** Scores the alert changes (any order) against the entries seen. */
  result(alerts: readonly AlertChange[]): WarningScore;
}

export function createWarningScorer(zones: readonly ScoredZone[]): WarningScorer {
  /** first entry time per target and zone: key `${target}\u0000${zone}` */
  const entries = new Map<string, ZoneEntry>();
  let lastT = -Infinity;
  return {
    addTruth(t, targets) {
      if (t < lastT) throw new Error(`warning scorer: truth times must ascend (t=${t} after ${lastT})`);
      lastT = t;
      for (const x of targets) {
        for (const z of zones) {
          if (!pointInArea(z.area, x.position.latDeg, x.position.lonDeg)) continue;
          const key = `${x.id}\u0000${z.id}`;
          if (!entries.has(key)) entries.set(key, { target: x.id, zone: z.id, t, warned: false });
        }
      }
    },
    result(alerts) {
      // episodes per zone
      const episodes = new Map<string, { start: number; end: number }[]>();
      const sorted = alerts.slice().sort((a, b) => a.t - b.t);
      const open = new Map<string, number>();
      for (const a of sorted) {
        if (a.state === 'alert') {
          if (!open.has(a.zone)) open.set(a.zone, a.t);
        } else if (open.has(a.zone)) {
          const start = open.get(a.zone) as number;
          open.delete(a.zone);
          const list = episodes.get(a.zone) ?? [];
          list.push({ start, end: a.t });
          episodes.set(a.zone, list);
        }
      }
      const endOfData = Math.max(lastT, sorted.length > 0 ? sorted[sorted.length - 1].t : -Infinity);
      for (const [zone, start] of open) {
        const list = episodes.get(zone) ?? [];
        list.push({ start, end: Math.max(endOfData, start) });
        episodes.set(zone, list);
      }
      const perEntry = Array.from(entries.values()).sort((a, b) => a.t - b.t || a.zone.localeCompare(b.zone) || a.target.localeCompare(b.target));
      const leads: number[] = [];
      for (const e of perEntry) {
        const ep = (episodes.get(e.zone) ?? []).find((x) => x.start <= e.t && e.t <= x.end);
        if (ep) {
          e.warned = true;
          e.leadS = e.t - ep.start;
          leads.push(e.leadS);
        }
      }
      let nEpisodes = 0;
      let nFalse = 0;
      let zoneSeconds = 0;
      for (const [zone, list] of episodes) {
        for (const ep of list) {
          nEpisodes++;
          zoneSeconds += ep.end - ep.start;
          const hit = perEntry.some((e) => e.zone === zone && e.t >= ep.start && e.t <= ep.end + FALSE_ALERT_GRACE_S);
          if (!hit) nFalse++;
        }
      }
      leads.sort((a, b) => a - b);
      const q = (p: number) => (leads.length === 0 ? NaN : leads[Math.min(leads.length - 1, Math.max(0, Math.round(p * (leads.length - 1))))]);
      const warned = leads.length;
      return {
        entries: perEntry.length,
        warned,
        coverage: perEntry.length > 0 ? warned / perEntry.length : NaN,
        medianLeadS: q(0.5),
        p10LeadS: q(0.1),
        episodes: nEpisodes,
        falseEpisodes: nFalse,
        alertZoneHours: zoneSeconds / 3600,
        perEntry,
      };
    },
  };
}
