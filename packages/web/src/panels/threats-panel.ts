/**
 * The threat queue (issue 17), the panel an operator opens on: threats ranked by the time to
 * the first zone they may enter (logic/threat-queue.ts), each with its tier, class and
 * confidence, speed, altitude and the zones it may enter with ETA and probability. Rows are
 * keyed by track id and updated in place, so a row under the pointer stays the same element;
 * while the pointer is over the list its order is frozen.
 */
import type { TrackWire } from '@skywarden/formats';
import { h } from '../dom.js';
import { threatQueue } from '../logic/threat-queue.js';
import { className } from '../logic/symbology.js';
import { formatAlt, formatEta } from '../logic/format.js';
import { dropStale, keyedList, placeRow, setText, type KeyedList } from './keyed-rows.js';

const TIER_TEXT = { imminent: 'IMMINENT', warning: 'WARNING', watch: 'WATCH' } as const;

interface Row {
  tr: HTMLElement;
  tier: HTMLElement;
  /** Track id, class and confidence, speed, altitude. */
  head: HTMLElement;
  /** The zones with ETA and probability. */
  zones: HTMLElement;
}

interface PanelDom {
  count: HTMLElement;
  list: KeyedList<Row>;
  onSelect: (id: string) => void;
}

const doms = new WeakMap<HTMLElement, PanelDom>();

/** "Jongno-gu in 2 min 30 s (80%)", "inside Jung-gu (95%)", "Guri-si now (87%)" (entering, the ETA run down). */
function zoneText(z: NonNullable<TrackWire['threatens']>[number]): string {
  const name = z.name ?? z.zone;
  const p = `${Math.round(z.p * 100)}%`;
  if (z.inside) return `inside ${name} (${p})`;
  return z.eta_s <= 0.5 ? `${name} now (${p})` : `${name} in ${formatEta(z.eta_s)} (${p})`;
}

export function renderThreatsPanel(root: HTMLElement, tracks: readonly TrackWire[], selected: string | null, onSelect: (id: string) => void): number {
  let d = doms.get(root);
  if (!d) {
    const body = h('tbody');
    const count = h('p', { class: 'count', id: 'threat-count' });
    const table = h('table', { class: 'threat-table', id: 'threat-queue' },
      h('thead', {}, h('tr', {}, h('th', { text: 'Tier' }), h('th', { text: 'Threat · zones it may enter (ETA, probability)' }))),
      body,
    );
    const dd: PanelDom = { count, list: keyedList<Row>(body), onSelect };
    body.addEventListener('click', (e) => {
      const id = (e.target as HTMLElement).closest('tr')?.getAttribute('data-track');
      if (id) dd.onSelect(id);
    });
    root.replaceChildren(count, table);
    doms.set(root, dd);
    d = dd;
  }
  d.onSelect = onSelect;
  const rows = threatQueue(tracks);
  const keep = new Set<string>();
  let prev: Element | null = null;
  for (const q of rows) {
    keep.add(q.track);
    let r = d.list.rows.get(q.track);
    if (!r) {
      const tier = h('span', { class: 'tier-badge' });
      const head = h('div', { class: 'threat-head' });
      const zones = h('div', { class: 'threat-zones muted' });
      const tr = h('tr', { class: 'threat-row', 'data-track': q.track }, h('td', {}, tier), h('td', {}, head, zones));
      r = { tr, tier, head, zones };
      d.list.rows.set(q.track, r);
    }
    prev = placeRow(d.list, r.tr, prev);
    const cls = `threat-row${q.track === selected ? ' selected' : ''}`;
    if (r.tr.className !== cls) r.tr.className = cls;
    r.tr.setAttribute('data-eta', q.etaS === null ? '' : String(q.etaS));
    r.tier.setAttribute('data-tier', q.tier ?? 'none');
    setText(r.tier, q.tier ? TIER_TEXT[q.tier] : '-');
    const w = q.wire;
    const conf = w.class[w.label];
    setText(r.head, `${w.track}${w.status === 'coasting' ? ' (coast)' : ''} · ${className(w.label)}${conf !== undefined ? ` ${Math.round(conf * 100)}%` : ''} · ${Math.round(w.speed_mps * 3.6)} km/h · ${formatAlt(w.alt_m)}`);
    const shown = q.zones.slice(0, 3).map(zoneText);
    setText(r.zones, shown.length === 0 ? 'no zone in its path' : shown.join('; ') + (q.zones.length > 3 ? `; +${q.zones.length - 3} more` : ''));
  }
  dropStale(d.list, keep);
  const n = rows.length;
  const soon = rows.filter((q) => q.tier === 'imminent').length;
  setText(d.count, n === 0 ? 'No threats' : `${n} threat${n === 1 ? '' : 's'}${soon > 0 ? `, ${soon} imminent` : ''}`);
  return n;
}
