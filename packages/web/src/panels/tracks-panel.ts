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
  count: HTMLElement;
  note: HTMLElement;
  list: KeyedList<Row>;
  onSelect: (id: string) => void;
}

const doms = new WeakMap<HTMLElement, PanelDom>();

export function renderTracksPanel(root: HTMLElement, tracks: readonly TrackWire[], filter: string, selected: string | null, onSelect: (id: string) => void): void {
  let d = doms.get(root);
  if (!d) {
    const body = h('tbody');
    const count = h('p', { class: 'count', id: 'track-count' });
    const note = h('p', { class: 'muted' });
    const table = h('table', { class: 'track-table' },
      h('thead', {}, h('tr', {}, h('th', { text: 'Track' }), h('th', { text: 'Class' }), h('th', { text: 'Threat' }), h('th', { text: 'Speed' }), h('th', { text: 'Alt' }))),
      body,
    );
    const dd: PanelDom = { count, note, list: keyedList<Row>(body), onSelect };
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
    setText(r.coast, t.status === 'coasting' ? ' (coast)' : '');
    setText(r.cells[0], className(t.label));
    setText(r.cells[1], `${Math.round((t.threat ?? 0) * 100)}%`);
    setText(r.cells[2], `${Math.round(t.speed_mps)} m/s`);
    setText(r.cells[3], formatAlt(t.alt_m));
  }
  dropStale(d.list, keep);
  setText(d.count, `${matched} track${matched === 1 ? '' : 's'}`);
  setText(d.note, matched > rows.length ? `Showing ${rows.length} of ${matched} tracks (most threatening first); filter to narrow.` : '');
}
