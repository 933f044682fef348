/**
 * The threat queue (issue 17): the operator's main list. Threats (threat probability at least
 * one half, or affiliation hostile; not dismissed) ranked by the time to the first
 * zone they may enter (inside: 0), soonest first; threats that enter no zone after them, most
 * probable first. Each row's tier follows the alert tiers: IMMINENT inside or within
 * `imminentS` (180 s), WARNING within `warningS` (600 s), WATCH later.
 */
import type { TrackWire, ZoneThreatWire } from '@skywarden/formats';
import type { Tier } from './public-view.js';

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
