/**
 * Operator actions: confirm, dismiss or classify a track; raise or end a zone alert by hand.
 * Shown only to roles that may act (operator, admin); the server enforces the same rule and
 * answers 403 to a viewer, which is reported, not hidden.
 */
import type { TrackWire, ZoneStateWire } from '@skywarden/formats';
import { CLASS_LABELS, type ClassLabel } from '@skywarden/core';
import type { Api } from './api.js';
import { ApiError } from './api.js';
import { h, toast } from './dom.js';
import { canAct } from './logic/lists.js';
import { CLASS_NAMES, className } from './logic/symbology.js';
import { currentLang, t } from './i18n.js';
import { errorText } from './logic/i18n.js';

function explain(e: unknown): string {
  if (e instanceof ApiError) return e.code === 'forbidden' ? t('act.forbidden') : `${errorText(currentLang(), e)} (${e.code})`;
  return errorText(currentLang(), e);
}

export function trackActionBox(api: Api, role: string, track: TrackWire, onDone: (t: TrackWire) => void): HTMLElement | null {
  if (!canAct(role)) return null;
  const run = async (btn: HTMLElement, action: 'confirm' | 'dismiss' | 'classify', label?: ClassLabel) => {
    btn.setAttribute('disabled', '');
    try {
      const r = await api.trackAction(track.track, action, label);
      toast(t(`act.done.${action}`, { track: track.track, label: className(label ?? '', currentLang()) }), 'ok');
      if (r?.track) onDone(r.track);
    } catch (e) {
      toast(t('act.failed', { track: track.track, what: t(action === 'classify' ? 'act.classify' : `act.${action}`), why: explain(e) }), 'error', 6000);
    } finally {
      btn.removeAttribute('disabled');
    }
  };
  const select = h('select', { id: 'classify-label', 'aria-label': t('act.classify.label') }) as HTMLSelectElement;
  for (const label of Object.keys(CLASS_NAMES)) select.append(h('option', { value: label, text: className(label, currentLang()), selected: label === track.label }));
  const confirm: HTMLElement = h('button', { id: 'act-confirm', class: 'btn', onclick: () => void run(confirm, 'confirm'), text: t(track.operator?.confirmed ? 'act.confirmed' : 'act.confirm') });
  const dismiss: HTMLElement = h('button', { id: 'act-dismiss', class: 'btn btn-warn', onclick: () => void run(dismiss, 'dismiss'), text: t(track.operator?.dismissed ? 'act.dismissed' : 'act.dismiss') });
  const classify: HTMLElement = h('button', { id: 'act-classify', class: 'btn', onclick: () => void run(classify, 'classify', (CLASS_LABELS as readonly string[]).includes(select.value) ? (select.value as ClassLabel) : undefined), text: t('act.classify') });
  return h('div', { class: 'actions', id: 'track-actions' }, h('h4', { text: t('act.title') }), h('div', { class: 'btn-row' }, confirm, dismiss), h('div', { class: 'btn-row' }, select, classify));
}

export function zoneActionBox(
  api: Api,
  role: string,
  zones: { id: string; name: string }[],
  selected: string | null,
  states: ReadonlyMap<string, ZoneStateWire>,
  onDone: (z: ZoneStateWire) => void,
): HTMLElement | null {
  if (!canAct(role) || zones.length === 0) return null;
  const select = h('select', { id: 'zone-select', 'aria-label': t('zone.select') }) as HTMLSelectElement;
  for (const z of [...zones].sort((a, b) => a.name.localeCompare(b.name, currentLang()))) {
    select.append(h('option', { value: z.id, text: zoneOptionText(z.name, states.get(z.id)?.state === 'alert'), selected: z.id === selected }));
  }
  const reason = h('input', { id: 'zone-reason', type: 'text', placeholder: t('zone.reason'), maxlength: 200 }) as HTMLInputElement;
  const run = async (btn: HTMLElement, action: 'raise' | 'end') => {
    // the reason is logged and sent in the warnings: the operator's words, else a fixed one in English
    const r = reason.value.trim() || (action === 'raise' ? 'raised by operator' : 'ended by operator');
    btn.setAttribute('disabled', '');
    const name = zones.find((z) => z.id === select.value)?.name ?? select.value;
    try {
      const res = await api.zoneAlert(select.value, action, r);
      toast(t(action === 'raise' ? 'zone.raised' : 'zone.ended', { zone: name }), 'ok');
      if (res?.zone) onDone(res.zone);
    } catch (e) {
      toast(t('zone.failed', { what: t(action === 'raise' ? 'zone.raise' : 'zone.end'), why: explain(e) }), 'error', 6000);
    } finally {
      btn.removeAttribute('disabled');
    }
  };
  const raise: HTMLElement = h('button', { id: 'zone-raise', class: 'btn btn-danger', onclick: () => void run(raise, 'raise'), text: t('zone.raise') });
  const end: HTMLElement = h('button', { id: 'zone-end', class: 'btn', onclick: () => void run(end, 'end'), text: t('zone.end') });
  return h('div', { class: 'actions zone-actions', id: 'zone-actions' }, h('h4', { text: t('zone.box') }), select, reason, h('div', { class: 'btn-row' }, raise, end));
}

/** An option of the zone list: the name, marked when the zone is in alert ("Paju-si, Gyeonggi (ALERT)" / "경기 파주시 (경보 중)"). */
export function zoneOptionText(name: string, inAlert: boolean): string {
  return inAlert ? t('zone.in_alert', { zone: name }) : name;
}
