/** Sensor health: counts by status, then the sensors needing attention first (capped). */
import type { SensorWire } from '@skywarden/formats';
import { h } from '../dom.js';
import { sensorCounts, sensorRows } from '../logic/lists.js';
import { sensorColour } from '../logic/symbology.js';
import { formatAge } from '../logic/format.js';

const CAP = 100;

export function renderSensorsPanel(root: HTMLElement, sensors: ReadonlyMap<string, SensorWire>, now: number, selected: string | null): void {
  const counts = sensorCounts(sensors.values());
  const summary = h('div', { class: 'sensor-summary' });
  for (const [status, n] of Object.entries(counts)) {
    summary.append(h('span', { class: 'status-chip', 'data-status': status }, h('span', { class: 'aff-dot', style: `background:${sensorColour(status)}` }), `${status.replace('_', ' ')} ${n}`));
  }
  const rows = sensorRows(sensors.values(), CAP);
  if (selected && sensors.has(selected) && !rows.some((s) => s.id === selected)) rows.unshift(sensors.get(selected)!);
  const body = h('tbody');
  for (const s of rows) {
    body.append(h('tr', { class: `sensor-row ${s.status}${s.id === selected ? ' selected' : ''}`, 'data-sensor': s.id, title: s.status_reason ?? s.last_error ?? '' },
      h('td', {}, h('span', { class: 'aff-dot', style: `background:${sensorColour(s.status)}` }), s.id),
      h('td', { text: s.kind }),
      h('td', { text: s.status.replace('_', ' ') }),
      h('td', { text: formatAge(s.last_seen, now) }),
      h('td', { text: `${Math.round(s.rate_per_min)}/min` }),
      h('td', { text: s.rejected > 0 ? `${s.rejected} rej.` : '' }),
    ));
  }
  const table = h('table', { class: 'sensor-table' },
    h('thead', {}, h('tr', {}, ...['Sensor', 'Kind', 'Status', 'Last seen', 'Rate', ''].map((t) => h('th', { text: t })))),
    body,
  );
  root.replaceChildren(
    h('p', { class: 'count', id: 'sensor-count', text: `${sensors.size} sensors` }),
    summary,
    table,
    sensors.size > rows.length ? h('p', { class: 'muted', text: `Showing ${rows.length} of ${sensors.size} (unhealthy first).` }) : '',
  );
}
