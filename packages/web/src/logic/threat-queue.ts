/**
 * The threat queue (issue 17): the operator's main list. Threats (threat probability at least
 * one half, or affiliation hostile; not dismissed) ranked by the time to the first
 * zone they may enter (inside: 0), soonest first; threats that enter no zone after them, most
 * probable first. Each row's tier follows the alert tiers: IMMINENT inside or within
 * `imminentS` (180 s), WARNING within `warningS` (600 s), WATCH later.
 */
import type { TrackWire, ZoneThreatWire } from '@skywarden/formats';
import type { Tier } from './public-view.js';
import { etaText, tr, type Lang } from './i18n.js';

export interface QueueRow {
  track: string;
  tier: Exclude<Tier, 'none'> | null;
  /** Time to the first zone (s; 0 inside), or null when it threatens none. */
  etaS: number | null;
  /** The zones it may enter, soonest first. */
  zones: ZoneThreatWire[];
  wire: TrackWire;
}

export interface QueueOptions {
  imminentS?: number;
  warningS?: number;
  /** A zone counts for the ranking from this probability (default 0.3); lower ones are listed, not ranked by. */
  rankP?: number;
}

export function tierOfEta(etaS: number | null, o: QueueOptions = {}): QueueRow['tier'] {
  if (etaS === null) return null;
  if (etaS <= (o.imminentS ?? 180)) return 'imminent';
  if (etaS <= (o.warningS ?? 600)) return 'warning';
  return 'watch';
}

/** Whether a track belongs in the queue. */
export function isThreat(t: TrackWire): boolean {
  if (t.operator?.dismissed) return false;
  return t.threat >= 0.5 || t.affiliation === 'hostile';
}

export function threatQueue(tracks: readonly TrackWire[], o: QueueOptions = {}): QueueRow[] {
  const rankP = o.rankP ?? 0.3;
  const rows: QueueRow[] = [];
  for (const t of tracks) {
    if (!isThreat(t)) continue;
    const zones = t.threatens ?? [];
    let eta: number | null = null;
    for (const z of zones) {
      if (z.p < rankP) continue;
      const e = z.inside ? 0 : z.eta_s;
      if (eta === null || e < eta) eta = e;
    }
    rows.push({ track: t.track, tier: tierOfEta(eta, o), etaS: eta, zones, wire: t });
  }
  rows.sort((a, b) => {
    if (a.etaS !== null && b.etaS !== null) return a.etaS - b.etaS || b.wire.threat - a.wire.threat;
    if (a.etaS !== null) return -1;
    if (b.etaS !== null) return 1;
    return b.wire.threat - a.wire.threat || (a.track < b.track ? -1 : 1);
  });
  return rows;
}

/**
 * "Jongno-gu in 2 min 30 s (80%)", "inside Jung-gu (95%)", "Guri-si now (87%)" (entering, the
 * ETA run down), in `lang`; the zone named by `nameOf` (its name in `lang`) when it knows it.
 */
export function zonePhrase(lang: Lang, z: ZoneThreatWire, nameOf?: (id: string) => string | undefined): string {
  const zone = nameOf?.(z.zone) ?? z.name ?? z.zone;
  const p = `${Math.round(z.p * 100)}%`;
  if (z.inside) return tr(lang, 'queue.inside', { zone, p });
  return z.eta_s <= 0.5 ? tr(lang, 'queue.now', { zone, p }) : tr(lang, 'queue.in', { zone, eta: etaText(lang, z.eta_s), p });
}

/** The first `max` zones of a row as one line, or "no zone in its path". */
export function zonesLine(lang: Lang, zones: readonly ZoneThreatWire[], max = 3, nameOf?: (id: string) => string | undefined): string {
  if (zones.length === 0) return tr(lang, 'queue.no_zone');
  const shown = zones.slice(0, max).map((z) => zonePhrase(lang, z, nameOf));
  if (zones.length > max) shown.push(tr(lang, 'queue.more', { n: zones.length - max }));
  return shown.join('; ');
}

/** The operators' work on a row: "acked by kim · assigned to team 2", or ''. */
export function workLine(lang: Lang, w: Pick<TrackWire, 'acked_by' | 'assigned_to'>): string {
  const parts: string[] = [];
  if (w.acked_by) parts.push(tr(lang, 'queue.acked', { user: w.acked_by }));
  if (w.assigned_to) parts.push(tr(lang, 'queue.assigned', { to: w.assigned_to }));
  return parts.join(' · ');
}

/**
 * Which threats became IMMINENT for the first time (the audible cue, once per track): each
 * call takes the queue now and returns the ids of IMMINENT rows never returned before. The
 * ids remembered are capped (the oldest forgotten first).
 */
export function createImminentWatcher(maxRemembered = 10_000): { update(rows: readonly QueueRow[]): string[]; seen(id: string): boolean } {
  const seen = new Set<string>();
  return {
    update(rows) {
      const fresh: string[] = [];
      for (const r of rows) {
        if (r.tier !== 'imminent' || seen.has(r.track)) continue;
        seen.add(r.track);
        fresh.push(r.track);
      }
      while (seen.size > maxRemembered) seen.delete(seen.values().next().value as string);
      return fresh;
    },
    seen: (id) => seen.has(id),
  };
}
