/** Sensor health: counts by status, then the sensors needing attention first (capped). */
import type { SensorWire } from '@skywarden/formats';
import { h } from '../dom.js';
import { sensorCounts, sensorRows } from '../logic/lists.js';
import { sensorColour, wordOf } from '../logic/symbology.js';
import { formatAge } from '../logic/format.js';
import { tr, type Lang } from '../logic/i18n.js';

const CAP = 100;

export function renderSensorsPanel(root: HTMLElement, sensors: ReadonlyMap<string, SensorWire>, now: number, selected: string | null, lang: Lang = 'en'): void {
  const counts = sensorCounts(sensors.values());
  const summary = h('div', { class: 'sensor-summary' });
  for (const [status, n] of Object.entries(counts)) {
    summary.append(h('span', { class: 'status-chip', 'data-status': status }, h('span', { class: 'aff-dot', style: `background:${sensorColour(status)}` }), `${wordOf(lang, 'sensor', status)} ${n}`));
  }
  const rows = sensorRows(sensors.values(), CAP);
  if (selected && sensors.has(selected) && !rows.some((s) => s.id === selected)) rows.unshift(sensors.get(selected)!);
  const body = h('tbody');
  for (const s of rows) {
    body.append(h('tr', { class: `sensor-row ${s.status}${s.id === selected ? ' selected' : ''}`, 'data-sensor': s.id, title: s.status_reason ?? s.last_error ?? '' },
      h('td', {}, h('span', { class: 'aff-dot', style: `background:${sensorColour(s.status)}` }), s.id),
      h('td', { text: wordOf(lang, 'sensor.kind', s.kind) }),
      h('td', { text: wordOf(lang, 'sensor', s.status) }),
      h('td', { text: formatAge(s.last_seen, now, lang) }),
      h('td', { text: tr(lang, 'sensors.rate', { n: Math.round(s.rate_per_min) }) }),
      h('td', { text: s.rejected > 0 ? tr(lang, 'sensors.rejected', { n: s.rejected }) : '' }),
    ));
  }
  const heads = (['sensors.col.sensor', 'sensors.col.kind', 'sensors.col.status', 'sensors.col.seen', 'sensors.col.rate'] as const).map((k) => tr(lang, k));
  const table = h('table', { class: 'sensor-table' },
    h('thead', {}, h('tr', {}, ...[...heads, ''].map((t) => h('th', { text: t })))),
    body,
  );
  root.replaceChildren(
    h('p', { class: 'count', id: 'sensor-count', text: tr(lang, 'sensors.count', { n: sensors.size }) }),
    summary,
    table,
    sensors.size > rows.length ? h('p', { class: 'muted', text: tr(lang, 'sensors.more', { shown: rows.length, n: sensors.size }) }) : '',
  );
}
