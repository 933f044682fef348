/**
 * The residents' view of the warnings (docs/warnings.md "Public warning page"): every zone's
 * tier, since when, its ETA, and its names, without tracks or operators. The same rows go to
 * GET /api/v1/public/alerts/state and, when they change, to the public event stream
 * (GET /api/v1/public/stream), which carries nothing else.
 */
import type { PictureEvent } from '@skywarden/core';
import type { PublicZoneWire, Zone, ZoneStateWire } from '@skywarden/formats';
import type { StreamHub } from '../stream.js';

export type PublicZone = PublicZoneWire;

export function publicZones(states: readonly ZoneStateWire[], zones: ReadonlyMap<string, Zone>): PublicZone[] {
  return states.map((s) => {
    const z = zones.get(s.zone);
    const row: PublicZone = { zone: s.zone, name: s.name ?? z?.name ?? s.zone, state: s.state, tier: s.tier ?? (s.state === 'alert' ? 'warning' : 'none'), since: s.tier_since ?? s.since };
    if (z?.names) row.names = { ...z.names };
    if (s.eta_s !== undefined) row.eta_s = s.eta_s;
    return row;
  });
}

/**
 * Sends the public rows to the public hub when they change (at a raise or clear, and at each
 * alert interval: tiers and ETAs move between changes of state). The ETA is rounded to 10 s so
 * that a countdown alone does not resend every zone each interval.
 */
export function createPublicPublisher(o: { hub: StreamHub; rows: () => PublicZone[]; replaying: () => boolean }) {
  let last = '';
  return {
    onEvent(e: PictureEvent): void {
      if (o.replaying() || (e.type !== 'alert' && e.type !== 'warnings')) return;
      const rows = o.rows();
      const key = JSON.stringify(rows.map((r) => [r.zone, r.tier, r.since, r.eta_s === undefined ? null : Math.round(r.eta_s / 10)]));
      if (key === last) return;
      last = key;
      o.hub.broadcast('public', { t: e.t, zones: rows });
    },
  };
}
