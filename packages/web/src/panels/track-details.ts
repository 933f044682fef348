/**
 * Details of the selected track: kinematics, class probabilities, contributing sensors,
 * stored history (from GET /api/v1/tracks/:id) and, for operators, the actions.
 */
import type { TrackWire } from '@skywarden/formats';
import type { HistoryPoint } from '../api.js';
import { h } from '../dom.js';
import { className, sortedClasses, AFFILIATION_COLOUR, affiliationOf } from '../logic/symbology.js';
import { clockUtc, formatAlt, formatPercent, formatSpeed } from '../logic/format.js';
import { haversineM } from '../logic/geometry.js';

export function renderTrackDetails(
  root: HTMLElement,
  track: TrackWire | null,
  id: string | null,
  history: readonly HistoryPoint[],
  actions: HTMLElement | null,
  onClose: () => void,
  onSensor: (id: string) => void,
): void {
  if (!id) {
    root.replaceChildren();
    root.classList.add('hidden');
    return;
  }
  root.classList.remove('hidden');
  const close = h('button', { class: 'btn-close', 'aria-label': 'close details', onclick: onClose, text: '×' });
  if (!track) {
    root.replaceChildren(close, h('h3', { text: `Track ${id}` }), h('p', { class: 'muted', id: 'track-gone', text: 'Track no longer held (deleted or outside the snapshot).' }));
    return;
  }
  const aff = affiliationOf(track.affiliation);
  const kv = (k: string, v: string) => [h('dt', { text: k }), h('dd', { text: v })];
  const dl = h('dl', { class: 'kv' },
    ...kv('Status', track.status + (track.operator?.confirmed ? ', confirmed by operator' : '') + (track.operator?.dismissed ? ', dismissed' : '')),
    ...kv('Affiliation', aff),
    ...kv('Class', className(track.label) + (track.operator?.label ? ' (set by operator)' : '')),
    ...kv('Threat', formatPercent(track.threat ?? 0)),
    ...kv('Speed', formatSpeed(track.speed_mps)),
    ...kv('Course', `${Math.round(track.course_deg)}°`),
    ...kv('Altitude', formatAlt(track.alt_m)),
    ...kv('Position', `${track.lat.toFixed(5)}, ${track.lon.toFixed(5)} ± ${Math.round(track.pos_sd_m)} m (1σ)`),
    ...kv('Updated', clockUtc(track.t)),
    ...(track.cooperative_id ? kv('Cooperative id', track.cooperative_id) : []),
  );
  const classes = h('div', { class: 'class-bars', id: 'class-bars' });
  for (const { label, p } of sortedClasses(track.class)) {
    classes.append(h('div', { class: 'class-bar', 'data-label': label },
      h('span', { class: 'class-name', text: className(label) }),
      h('span', { class: 'bar' }, h('span', { class: 'fill', style: `width:${Math.max(0, Math.min(100, p * 100)).toFixed(1)}%` })),
      h('span', { class: 'p', text: formatPercent(p) }),
    ));
  }
  const sensors = h('div', { class: 'sensor-links', id: 'track-sensors' });
  for (const s of track.sensors ?? []) sensors.append(h('button', { class: 'chip', onclick: () => onSensor(s), text: s }), ' ');
  let hist: HTMLElement;
  if (history.length === 0) hist = h('p', { class: 'muted', text: 'No stored history yet.' });
  else {
    let dist = 0;
    for (let i = 1; i < history.length; i++) dist += haversineM(history[i - 1].lat, history[i - 1].lon, history[i].lat, history[i].lon);
    const span = history[history.length - 1].t - history[0].t;
    const recent = history.slice(-6).reverse();
    hist = h('div', { id: 'track-history' },
      h('p', { text: `${history.length} stored states over ${Math.round(span)} s, ${(dist / 1000).toFixed(1)} km flown (dashed white line on the map).` }),
      h('table', { class: 'mini' }, h('tbody', {}, ...recent.map((p) => h('tr', {}, h('td', { text: clockUtc(p.t) }), h('td', { text: `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}` }), h('td', { text: formatAlt(p.alt_m) }))))),
    );
  }
  root.replaceChildren(
    close,
    h('h3', { id: 'details-title' }, h('span', { class: 'aff-dot', style: `background:${AFFILIATION_COLOUR[aff]}` }), `Track ${track.track}`),
    dl,
    h('h4', { text: 'Class probabilities' }), classes,
    h('h4', { text: `Contributing sensors (${track.sensors?.length ?? 0})` }), sensors,
    h('h4', { text: 'History' }), hist,
    actions ?? '',
  );
}
