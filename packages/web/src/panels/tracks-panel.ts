/**
 * Track list: at most CAP rows (most threatening first, filterable); the map shows all.
 * Rows are keyed by track id and updated in place (at most once a second), so a row under
 * the finger or the pointer stays the same element while its numbers change; while the
 * pointer is over the list its order is frozen (new tracks go to the end, gone ones fade).
 */
import type { TrackWire } from '@skywarden/formats';
import { h } from '../dom.js';
import { trackListRows } from '../logic/lists.js';
import { AFFILIATION_COLOUR, affiliationOf, className } from '../logic/symbology.js';
import { formatAlt } from '../logic/format.js';
import { tr, type Lang } from '../logic/i18n.js';
import { dropStale, keyedList, placeRow, setText, type KeyedList } from './keyed-rows.js';

export const TRACK_LIST_CAP = 100;

interface Row {
  tr: HTMLElement;
  dot: HTMLElement;
  id: Text;
  coast: HTMLElement;
  cells: HTMLElement[];
}

interface PanelDom {
  heads: HTMLElement[];
  lang: Lang | null;
  count: HTMLElement;
  note: HTMLElement;
  list: KeyedList<Row>;
  onSelect: (id: string) => void;
}

const doms = new WeakMap<HTMLElement, PanelDom>();

export function renderTracksPanel(root: HTMLElement, tracks: readonly TrackWire[], filter: string, selected: string | null, onSelect: (id: string) => void, lang: Lang = 'en'): void {
  let d = doms.get(root);
  if (!d) {
    const body = h('tbody');
    const count = h('p', { class: 'count', id: 'track-count' });
    const note = h('p', { class: 'muted' });
    const heads = [h('th'), h('th'), h('th'), h('th'), h('th')];
    const table = h('table', { class: 'track-table' }, h('thead', {}, h('tr', {}, ...heads)), body);
    const dd: PanelDom = { heads, lang: null, count, note, list: keyedList<Row>(body), onSelect };
    body.addEventListener('click', (e) => {
      const tr = (e.target as HTMLElement).closest('tr');
      const id = tr?.getAttribute('data-track');
      if (id) dd.onSelect(id);
    });
    root.replaceChildren(count, table, note);
    doms.set(root, dd);
    d = dd;
  }
  d.onSelect = onSelect;
  if (d.lang !== lang) {
    d.lang = lang;
    const keys = ['tracks.col.track', 'tracks.col.class', 'tracks.col.threat', 'tracks.col.speed', 'tracks.col.alt'] as const;
    keys.forEach((k, i) => setText(d.heads[i], tr(lang, k)));
  }
  const { rows, matched } = trackListRows(tracks, filter, TRACK_LIST_CAP);
  const keep = new Set<string>();
  let prev: Element | null = null;
  for (const t of rows) {
    keep.add(t.track);
    let r = d.list.rows.get(t.track);
    if (!r) {
      const dot = h('span', { class: 'aff-dot' });
      const id = document.createTextNode('');
      const coast = h('span', { class: 'muted' });
      const cells = [h('td'), h('td'), h('td'), h('td')];
      const tr = h('tr', { class: 'track-row', 'data-track': t.track }, h('td', {}, dot, id, coast), ...cells);
      r = { tr, dot, id, coast, cells };
      d.list.rows.set(t.track, r);
    }
    const aff = affiliationOf(t.affiliation);
    const cls = `track-row${t.track === selected ? ' selected' : ''}${t.operator?.dismissed ? ' dismissed' : ''}`;
    prev = placeRow(d.list, r.tr, prev);
    if (r.tr.className !== cls) r.tr.className = cls;
    r.dot.style.background = AFFILIATION_COLOUR[aff];
    setText(r.id, t.track);
    setText(r.coast, t.status === 'coasting' ? ` ${tr(lang, 'queue.coast')}` : '');
    setText(r.cells[0], className(t.label, lang));
    setText(r.cells[1], `${Math.round((t.threat ?? 0) * 100)}%`);
    setText(r.cells[2], `${Math.round(t.speed_mps)} m/s`);
    setText(r.cells[3], formatAlt(t.alt_m));
  }
  dropStale(d.list, keep);
  setText(d.count, matched === 1 ? tr(lang, 'tracks.count.1') : tr(lang, 'tracks.count.n', { n: matched }));
  setText(d.note, matched > rows.length ? tr(lang, 'tracks.more', { shown: rows.length, n: matched }) : '');
}
