/**
 * The threat queue (issue 17), the panel an operator opens on and works from: threats ranked
 * by the time to the first zone they may enter (logic/threat-queue.ts), each with its tier,
 * class and confidence, speed, altitude and the zones it may enter with ETA and probability;
 * who acknowledged it and whom it is assigned to; for operators, Ack and Assign buttons.
 * Acknowledged rows are dimmed but keep their place. A row that just became IMMINENT flashes.
 * Rows are keyed by track id and updated in place, so a row under the pointer stays the same
 * element; while the pointer is over the list its order is frozen.
 */
import type { TrackWire } from '@skywarden/formats';
import { h } from '../dom.js';
import { threatQueue, workLine, zonesLine } from '../logic/threat-queue.js';
import { className } from '../logic/symbology.js';
import { formatAlt } from '../logic/format.js';
import { tr, type Lang } from '../logic/i18n.js';
import { dropStale, keyedList, placeRow, setText, type KeyedList } from './keyed-rows.js';

export interface ThreatsPanelOptions {
  lang: Lang;
  /** Operators and admins: Ack and Assign buttons on each row. */
  canAct: boolean;
  /** Proposed assignee when the Assign form opens (the logged-in user). */
  me?: string;
  /** Track ids whose rows flash (just became IMMINENT), with the time (performance.now) until which they flash. */
  flash?: ReadonlyMap<string, number>;
  onAck?: (id: string) => Promise<unknown>;
  onAssign?: (id: string, to: string) => Promise<unknown>;
  /** A zone's name in the UI's language (undefined: the name the track row carries). */
  zoneName?: (id: string) => string | undefined;
}

interface Row {
  tr: HTMLElement;
  tier: HTMLElement;
  /** Track id, class and confidence, speed, altitude. */
  head: HTMLElement;
  /** The zones with ETA and probability. */
  zones: HTMLElement;
  /** Acked by, assigned to. */
  work: HTMLElement;
  /** The buttons (operators), or the assign form while it is open. */
  actions: HTMLElement | null;
  ack: HTMLButtonElement | null;
  assign: HTMLButtonElement | null;
  form: HTMLElement | null;
}

interface PanelDom {
  count: HTMLElement;
  thTier: HTMLElement;
  thThreat: HTMLElement;
  list: KeyedList<Row>;
  /** Acks sent and not yet answered (their button stays disabled). */
  pending: Set<string>;
  onSelect: (id: string) => void;
  o: ThreatsPanelOptions;
}

const doms = new WeakMap<HTMLElement, PanelDom>();

function openAssignForm(d: PanelDom, id: string, r: Row): void {
  if (!r.actions || r.form) return;
  const lang = d.o.lang;
  const input = h('input', { type: 'text', class: 'q-assign-input', maxlength: 64, placeholder: tr(lang, 'queue.assign.placeholder'), 'aria-label': tr(lang, 'queue.assign.label', { track: id }), value: d.o.me ?? '' }) as HTMLInputElement;
  const ok = h('button', { type: 'submit', class: 'btn btn-act q-assign-ok', text: tr(lang, 'queue.assign.ok') }) as HTMLButtonElement;
  const cancel = h('button', { type: 'button', class: 'btn btn-act q-assign-cancel', text: tr(lang, 'queue.assign.cancel') });
  const form = h('form', { class: 'q-assign-form' }, input, ok, cancel);
  const close = () => {
    form.remove();
    r.form = null;
    if (r.actions) r.actions.classList.remove('hidden');
  };
  cancel.addEventListener('click', close);
  form.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Escape') close();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const to = input.value.trim();
    if (!to || !d.o.onAssign) return;
    ok.disabled = true;
    void d.o.onAssign(id, to).then(close, () => (ok.disabled = false));
  });
  r.form = form;
  r.actions.classList.add('hidden');
  r.actions.after(form);
  input.focus();
  input.select();
}

export function renderThreatsPanel(root: HTMLElement, tracks: readonly TrackWire[], selected: string | null, onSelect: (id: string) => void, o: ThreatsPanelOptions = { lang: 'en', canAct: false }): number {
  let d = doms.get(root);
  if (!d) {
    const body = h('tbody');
    const count = h('p', { class: 'count', id: 'threat-count' });
    const thTier = h('th');
    const thThreat = h('th');
    const table = h('table', { class: 'threat-table', id: 'threat-queue' }, h('thead', {}, h('tr', {}, thTier, thThreat)), body);
    const dd: PanelDom = { count, thTier, thThreat, list: keyedList<Row>(body), pending: new Set(), onSelect, o };
    body.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const id = target.closest('tr')?.getAttribute('data-track');
      if (!id) return;
      const r = dd.list.rows.get(id);
      const btn = target.closest('button');
      if (btn && r) {
        if (btn === r.ack && dd.o.onAck && !dd.pending.has(id)) {
          r.ack.disabled = true;
          dd.pending.add(id);
          void dd.o.onAck(id).catch(() => undefined).finally(() => {
            dd.pending.delete(id);
            if (r.ack) r.ack.disabled = !!r.tr.classList.contains('acked');
          });
        } else if (btn === r.assign) openAssignForm(dd, id, r);
        return;
      }
      if (target.closest('form')) return;
      dd.onSelect(id);
    });
    root.replaceChildren(count, table);
    doms.set(root, dd);
    d = dd;
  }
  d.onSelect = onSelect;
  d.o = o;
  const lang = o.lang;
  setText(d.thTier, tr(lang, 'queue.col.tier'));
  setText(d.thThreat, tr(lang, 'queue.col.threat'));
  const now = performance.now();
  const rows = threatQueue(tracks);
  const keep = new Set<string>();
  let prev: Element | null = null;
  for (const q of rows) {
    keep.add(q.track);
    let r = d.list.rows.get(q.track);
    if (r && !!r.actions !== o.canAct) {
      // the role changed (a login): the row is rebuilt with or without its buttons
      r.tr.remove();
      d.list.rows.delete(q.track);
      r = undefined;
    }
    if (!r) {
      const tier = h('span', { class: 'tier-badge' });
      const head = h('div', { class: 'threat-head' });
      const zones = h('div', { class: 'threat-zones muted' });
      const work = h('div', { class: 'threat-work' });
      let actions: HTMLElement | null = null;
      let ack: HTMLButtonElement | null = null;
      let assign: HTMLButtonElement | null = null;
      if (o.canAct) {
        ack = h('button', { type: 'button', class: 'btn btn-act q-ack' }) as HTMLButtonElement;
        assign = h('button', { type: 'button', class: 'btn btn-act q-assign' }) as HTMLButtonElement;
        actions = h('div', { class: 'threat-actions' }, ack, assign);
      }
      const rowEl = h('tr', { class: 'threat-row', 'data-track': q.track }, h('td', {}, tier), h('td', {}, head, zones, work, actions));
      r = { tr: rowEl, tier, head, zones, work, actions, ack, assign, form: null };
      d.list.rows.set(q.track, r);
    }
    prev = placeRow(d.list, r.tr, prev);
    const w = q.wire;
    const flashing = (o.flash?.get(q.track) ?? 0) > now;
    const cls = `threat-row${q.track === selected ? ' selected' : ''}${w.acked_by ? ' acked' : ''}${flashing ? ' flash' : ''}`;
    if (r.tr.className !== cls) r.tr.className = cls;
    r.tr.setAttribute('data-eta', q.etaS === null ? '' : String(q.etaS));
    r.tier.setAttribute('data-tier', q.tier ?? 'none');
    setText(r.tier, q.tier ? tr(lang, `tier.${q.tier}` as const) : '-');
    const conf = w.class[w.label];
    setText(r.head, `${w.track}${w.status === 'coasting' ? ` ${tr(lang, 'queue.coast')}` : ''} · ${className(w.label, lang)}${conf !== undefined ? ` ${Math.round(conf * 100)}%` : ''} · ${Math.round(w.speed_mps * 3.6)} km/h · ${formatAlt(w.alt_m)}`);
    setText(r.zones, zonesLine(lang, q.zones, 3, o.zoneName));
    setText(r.work, workLine(lang, w));
    if (r.ack && r.assign) {
      setText(r.ack, w.acked_by ? `${tr(lang, 'queue.ack')} ✓` : tr(lang, 'queue.ack'));
      r.ack.disabled = !!w.acked_by || d.pending.has(q.track);
      r.ack.setAttribute('aria-label', tr(lang, 'queue.ack.label', { track: w.track }));
      setText(r.assign, tr(lang, 'queue.assign'));
      r.assign.setAttribute('aria-label', tr(lang, 'queue.assign.label', { track: w.track }));
    }
  }
  dropStale(d.list, keep);
  const n = rows.length;
  const soon = rows.filter((q) => q.tier === 'imminent').length;
  setText(d.count, n === 0 ? tr(lang, 'queue.none') : tr(lang, n === 1 ? 'queue.count.1' : 'queue.count.n', { n }) + (soon > 0 ? tr(lang, 'queue.imminent', { n: soon }) : ''));
  return n;
}
