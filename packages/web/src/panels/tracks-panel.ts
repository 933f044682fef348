/**
 * Track list: at most CAP rows (most threatening first, filterable); the map shows all.
 * Rebuilt at most once a second, so its cost does not grow with the number of tracks.
 */
import type { TrackWire } from '@skywarden/formats';
import { h } from '../dom.js';
import { trackListRows } from '../logic/lists.js';
import { AFFILIATION_COLOUR, affiliationOf, className } from '../logic/symbology.js';
import { formatAlt } from '../logic/format.js';

export const TRACK_LIST_CAP = 100;

export function renderTracksPanel(root: HTMLElement, tracks: readonly TrackWire[], filter: string, selected: string | null, onSelect: (id: string) => void): void {
  const { rows, matched } = trackListRows(tracks, filter, TRACK_LIST_CAP);
  const table = h('table', { class: 'track-table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'Track' }), h('th', { text: 'Class' }), h('th', { text: 'Threat' }), h('th', { text: 'Speed' }), h('th', { text: 'Alt' }))),
  );
  const body = h('tbody');
  for (const t of rows) {
    const aff = affiliationOf(t.affiliation);
    const tr = h('tr', { class: `track-row${t.track === selected ? ' selected' : ''}${t.operator?.dismissed ? ' dismissed' : ''}`, 'data-track': t.track, onclick: () => onSelect(t.track) },
      h('td', {}, h('span', { class: 'aff-dot', style: `background:${AFFILIATION_COLOUR[aff]}` }), t.track, t.status === 'coasting' ? h('span', { class: 'muted', text: ' (coast)' }) : null),
      h('td', { text: className(t.label) }),
      h('td', { text: `${Math.round((t.threat ?? 0) * 100)}%` }),
      h('td', { text: `${Math.round(t.speed_mps)} m/s` }),
      h('td', { text: formatAlt(t.alt_m) }),
    );
    body.append(tr);
  }
  table.append(body);
  const note = matched > rows.length ? h('p', { class: 'muted', text: `Showing ${rows.length} of ${matched} tracks (most threatening first); filter to narrow.` }) : null;
  root.replaceChildren(h('p', { class: 'count', id: 'track-count', text: `${matched} track${matched === 1 ? '' : 's'}` }), table, note ?? '');
}
