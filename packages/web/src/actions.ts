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
import { CLASS_NAMES } from './logic/symbology.js';

function explain(e: unknown): string {
  if (e instanceof ApiError) return e.code === 'forbidden' ? 'Not allowed for your role.' : `${e.message} (${e.code})`;
  return (e as Error).message;
}

export function trackActionBox(api: Api, role: string, track: TrackWire, onDone: (t: TrackWire) => void): HTMLElement | null {
  if (!canAct(role)) return null;
  const run = async (btn: HTMLElement, action: 'confirm' | 'dismiss' | 'classify', label?: ClassLabel) => {
    btn.setAttribute('disabled', '');
    try {
      const r = await api.trackAction(track.track, action, label);
      toast(`${track.track}: ${action}${label ? ` as ${label}` : ''} done`, 'ok');
      if (r?.track) onDone(r.track);
    } catch (e) {
      toast(`${track.track}: ${action} failed: ${explain(e)}`, 'error', 6000);
    } finally {
      btn.removeAttribute('disabled');
    }
  };
  const select = h('select', { id: 'classify-label', 'aria-label': 'classification' }) as HTMLSelectElement;
  for (const [label, name] of Object.entries(CLASS_NAMES)) select.append(h('option', { value: label, text: name, selected: label === track.label }));
  const confirm: HTMLElement = h('button', { id: 'act-confirm', class: 'btn', onclick: () => void run(confirm, 'confirm'), text: track.operator?.confirmed ? 'Confirmed ✓' : 'Confirm' });
  const dismiss: HTMLElement = h('button', { id: 'act-dismiss', class: 'btn btn-warn', onclick: () => void run(dismiss, 'dismiss'), text: track.operator?.dismissed ? 'Dismissed' : 'Dismiss' });
  const classify: HTMLElement = h('button', { id: 'act-classify', class: 'btn', onclick: () => void run(classify, 'classify', (CLASS_LABELS as readonly string[]).includes(select.value) ? (select.value as ClassLabel) : undefined), text: 'Set class' });
  return h('div', { class: 'actions', id: 'track-actions' }, h('h4', { text: 'Operator actions' }), h('div', { class: 'btn-row' }, confirm, dismiss), h('div', { class: 'btn-row' }, select, classify));
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
  const select = h('select', { id: 'zone-select', 'aria-label': 'zone' }) as HTMLSelectElement;
  for (const z of [...zones].sort((a, b) => a.name.localeCompare(b.name))) {
    const st = states.get(z.id)?.state === 'alert' ? ' (ALERT)' : '';
    select.append(h('option', { value: z.id, text: `${z.name}${st}`, selected: z.id === selected }));
  }
  const reason = h('input', { id: 'zone-reason', type: 'text', placeholder: 'reason (logged)', maxlength: 200 }) as HTMLInputElement;
  const run = async (btn: HTMLElement, action: 'raise' | 'end') => {
    const r = reason.value.trim() || (action === 'raise' ? 'raised by operator' : 'ended by operator');
    btn.setAttribute('disabled', '');
    try {
      const res = await api.zoneAlert(select.value, action, r);
      toast(`Zone ${select.selectedOptions[0]?.textContent ?? select.value}: alert ${action === 'raise' ? 'raised' : 'ended'}`, 'ok');
      if (res?.zone) onDone(res.zone);
    } catch (e) {
      toast(`Zone alert ${action} failed: ${explain(e)}`, 'error', 6000);
    } finally {
      btn.removeAttribute('disabled');
    }
  };
  const raise: HTMLElement = h('button', { id: 'zone-raise', class: 'btn btn-danger', onclick: () => void run(raise, 'raise'), text: 'Raise alert' });
  const end: HTMLElement = h('button', { id: 'zone-end', class: 'btn', onclick: () => void run(end, 'end'), text: 'End alert' });
  return h('div', { class: 'actions zone-actions', id: 'zone-actions' }, h('h4', { text: 'Zone alert by hand' }), select, reason, h('div', { class: 'btn-row' }, raise, end));
}
