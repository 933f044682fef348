/**
 * Details of the selected track: kinematics, class probabilities, contributing sensors,
 * stored history (from GET /api/v1/tracks/:id) and, for operators, the actions.
 */
import type { TrackWire } from '@skywarden/formats';
import type { HistoryPoint } from '../api.js';
import { h } from '../dom.js';
import { className, sortedClasses, AFFILIATION_COLOUR, affiliationOf, wordOf } from '../logic/symbology.js';
import { clockUtc, formatAlt, formatPercent, formatSpeed } from '../logic/format.js';
import { haversineM } from '../logic/geometry.js';
import { tr, type Lang } from '../logic/i18n.js';

export function renderTrackDetails(
  root: HTMLElement,
  track: TrackWire | null,
  id: string | null,
  history: readonly HistoryPoint[],
  actions: HTMLElement | null,
  onClose: () => void,
  onSensor: (id: string) => void,
  lang: Lang = 'en',
): void {
  if (!id) {
    root.replaceChildren();
    root.classList.add('hidden');
    return;
  }
  root.classList.remove('hidden');
  const close = h('button', { class: 'btn-close', 'aria-label': tr(lang, 'details.close'), onclick: onClose, text: '×' });
  if (!track) {
    root.replaceChildren(close, h('h3', { text: tr(lang, 'details.title', { id }) }), h('p', { class: 'muted', id: 'track-gone', text: tr(lang, 'details.gone') }));
    return;
  }
  const aff = affiliationOf(track.affiliation);
  const kv = (k: string, v: string) => [h('dt', { text: k }), h('dd', { text: v })];
  const dl = h('dl', { class: 'kv' },
    ...kv(tr(lang, 'details.status'), wordOf(lang, 'status', track.status) + (track.operator?.confirmed ? tr(lang, 'details.confirmed') : '') + (track.operator?.dismissed ? tr(lang, 'details.dismissed') : '')),
    ...kv(tr(lang, 'details.affiliation'), wordOf(lang, 'aff', aff)),
    ...kv(tr(lang, 'details.class'), className(track.label, lang) + (track.operator?.label ? tr(lang, 'details.class_set') : '')),
    ...kv(tr(lang, 'details.threat'), formatPercent(track.threat ?? 0)),
    ...kv(tr(lang, 'details.speed'), formatSpeed(track.speed_mps)),
    ...kv(tr(lang, 'details.course'), `${Math.round(track.course_deg)}°`),
    ...kv(tr(lang, 'details.altitude'), formatAlt(track.alt_m)),
    ...kv(tr(lang, 'details.position'), `${track.lat.toFixed(5)}, ${track.lon.toFixed(5)} ± ${Math.round(track.pos_sd_m)} m (1σ)`),
    ...kv(tr(lang, 'details.updated'), clockUtc(track.t)),
    ...(track.cooperative_id ? kv(tr(lang, 'details.coop'), track.cooperative_id) : []),
  );
  const classes = h('div', { class: 'class-bars', id: 'class-bars' });
  for (const { label, p } of sortedClasses(track.class)) {
    classes.append(h('div', { class: 'class-bar', 'data-label': label },
      h('span', { class: 'class-name', text: className(label, lang) }),
      h('span', { class: 'bar' }, h('span', { class: 'fill', style: `width:${Math.max(0, Math.min(100, p * 100)).toFixed(1)}%` })),
      h('span', { class: 'p', text: formatPercent(p) }),
    ));
  }
  const sensors = h('div', { class: 'sensor-links', id: 'track-sensors' });
  for (const s of track.sensors ?? []) sensors.append(h('button', { class: 'chip', onclick: () => onSensor(s), text: s }), ' ');
  let hist: HTMLElement;
  if (history.length === 0) hist = h('p', { class: 'muted', text: tr(lang, 'details.history.none') });
  else {
    let dist = 0;
    for (let i = 1; i < history.length; i++) dist += haversineM(history[i - 1].lat, history[i - 1].lon, history[i].lat, history[i].lon);
    const span = history[history.length - 1].t - history[0].t;
    const recent = history.slice(-6).reverse();
    hist = h('div', { id: 'track-history' },
      h('p', { text: tr(lang, 'details.history.line', { n: history.length, s: Math.round(span), km: (dist / 1000).toFixed(1) }) }),
      h('table', { class: 'mini' }, h('tbody', {}, ...recent.map((p) => h('tr', {}, h('td', { text: clockUtc(p.t) }), h('td', { text: `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}` }), h('td', { text: formatAlt(p.alt_m) }))))),
    );
  }
  root.replaceChildren(
    close,
    h('h3', { id: 'details-title' }, h('span', { class: 'aff-dot', style: `background:${AFFILIATION_COLOUR[aff]}` }), tr(lang, 'details.title', { id: track.track })),
    dl,
    h('h4', { text: tr(lang, 'details.classes') }), classes,
    h('h4', { text: tr(lang, 'details.sensors', { n: track.sensors?.length ?? 0 }) }), sensors,
    h('h4', { text: tr(lang, 'details.history') }), hist,
    actions ?? '',
  );
}
