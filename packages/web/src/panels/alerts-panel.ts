/**
 * Alerts panel: zones in alert now (ETA, tracks), then the alert changes newest first.
 * The zone action box (raise / end by hand) is added by actions.ts for operators.
 */
import type { AlertWire, ZoneStateWire } from '@skywarden/formats';
import { h } from '../dom.js';
import { clockUtc } from '../logic/format.js';
import { alertLogRows, kindText } from '../logic/alert-log.js';
import { tr, trOr, type Lang } from '../logic/i18n.js';
import { etaPhrase } from '../logic/zone-text.js';

export interface AlertsPanelData {
  alerts: readonly AlertWire[];
  states: ReadonlyMap<string, ZoneStateWire>;
  /** A zone's name in the UI's language. */
  zoneName: (id: string) => string;
  /** Seconds elapsed since the zone states' `t` (ETAs count down). */
  etaAge: number;
  lang: Lang;
}

export function renderAlertsPanel(root: HTMLElement, d: AlertsPanelData, onZone: (id: string) => void, onTrack: (id: string) => void): void {
  const lang = d.lang;
  const active = [...d.states.values()].filter((s) => s.state === 'alert').sort((a, b) => (a.eta_s ?? 0) - (b.eta_s ?? 0));
  const trackLinks = (ids: readonly string[]) => {
    const span = h('span', { class: 'track-links' });
    for (const id of ids.slice(0, 8)) span.append(h('button', { class: 'link', 'data-track': id, onclick: () => onTrack(id), text: id }), ' ');
    if (ids.length > 8) span.append(`+${ids.length - 8}`);
    return span;
  };
  const activeBox = h('div', { class: 'active-zones' },
    h('h3', { text: tr(lang, 'alerts.active', { n: active.length }) }),
    active.length === 0 ? h('p', { class: 'muted', text: tr(lang, 'alerts.active.none') }) : null,
  );
  for (const s of active) {
    const eta = s.eta_s !== undefined ? etaPhrase(lang, s.eta_s - d.etaAge) : '';
    activeBox.append(h('div', { class: 'zone-row alert', 'data-zone': s.zone, onclick: () => onZone(s.zone) },
      h('span', { class: 'zone-name', text: d.zoneName(s.zone) }),
      h('span', { class: 'eta', text: eta || tr(lang, s.manual ? 'alerts.manual' : 'alerts.inside') }),
      trackLinks(s.tracks),
    ));
  }
  // the log: typed entries, consecutive updates of a zone collapsed (logic/alert-log.ts)
  const rows = alertLogRows(d.alerts);
  const list = h('ol', { class: 'alert-list', 'aria-label': tr(lang, 'alerts.log.label') });
  for (const r of rows.slice(0, 100)) {
    const a = r.alert;
    const reason = a.reason ? trOr(lang, `reason.${a.reason}`, a.reason.replace(/^(auto|update): /, '')) : '';
    list.append(h('li', { class: `alert-item ${a.state} kind-${r.kind}`, 'data-zone': a.zone, 'data-kind': r.kind, 'data-count': r.count },
      h('span', { class: 'time', text: clockUtc(a.t) }),
      h('span', { class: `kind-badge ${r.kind}`, text: kindText(lang, r.kind) }),
      h('button', { class: 'link zone-name', onclick: () => onZone(a.zone), text: d.zoneName(a.zone) }),
      r.count > 1 ? h('span', { class: 'update-count', text: tr(lang, 'alerts.updates', { n: r.count, first: clockUtc(r.firstT), last: clockUtc(a.t) }) }) : null,
      a.tier && a.state === 'alert' ? h('span', { class: 'muted', text: trOr(lang, `tier.${a.tier}`, a.tier.toUpperCase()) }) : null,
      a.eta_s !== undefined ? h('span', { class: 'eta', text: etaPhrase(lang, a.eta_s) }) : null,
      reason ? h('span', { class: 'muted reason', text: reason }) : null,
      a.tracks.length > 0 && r.kind !== 'update' ? trackLinks(a.tracks) : null,
    ));
  }
  root.replaceChildren(activeBox, h('h3', { text: tr(lang, 'alerts.log', { n: d.alerts.length, rows: rows.length }) }), d.alerts.length === 0 ? h('p', { class: 'muted', text: tr(lang, 'alerts.log.none') }) : list);
}
