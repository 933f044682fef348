/**
 * The alert log as an operator reads it (issue 17): every entry typed (RAISE, TIER CHANGE,
 * UPDATE, CLEAR, and the operators' MANUAL RAISE / MANUAL END), and the updates of a zone that
 * follow one another (no other entry of that zone between them) collapsed into one row with a
 * count ("12 updates, last 10:42:05").
 *
 * The kind comes from the entry: `update: true` (the server's flag on an Update of an alert
 * already on: docs/api.md) or an "update:" reason is an update, a tier change when the reason
 * says "tier a -> b" or the tier differs from the zone's previous entry; an operator's entry
 * (`by`, or a "manual ..." reason) is manual; otherwise the state says raise or clear.
 */
import type { AlertWire } from '@skywarden/formats';
import { tr, type Lang } from './i18n.js';

export type AlertKind = 'raise' | 'tier_change' | 'update' | 'clear' | 'manual_raise' | 'manual_end';

/** The badges in English. */
export const KIND_TEXT: Readonly<Record<AlertKind, string>> = {
  raise: kindText('en', 'raise'),
  tier_change: kindText('en', 'tier_change'),
  update: kindText('en', 'update'),
  clear: kindText('en', 'clear'),
  manual_raise: kindText('en', 'manual_raise'),
  manual_end: kindText('en', 'manual_end'),
};

/** The badge of a kind in `lang` (발령, 등급 변경, 갱신, 해제, 수동 발령, 수동 해제 in Korean). */
export function kindText(lang: Lang, kind: AlertKind): string {
  return tr(lang, `kind.${kind}`);
}

export type LogAlert = AlertWire & { update?: boolean };

/** The kind of one entry; `prevTier` is the zone's tier at its previous entry, when known. */
export function alertKind(a: LogAlert, prevTier?: string): AlertKind {
  const reason = a.reason ?? '';
  const manual = a.by !== undefined || /^manual\b/.test(reason);
  if (a.state === 'clear') return manual || reason === 'manual_end' ? 'manual_end' : 'clear';
  if (a.update === true || reason.startsWith('update:')) {
    if (/\btier \w+ -> \w+/.test(reason)) return 'tier_change';
    if (prevTier !== undefined && a.tier !== undefined && a.tier !== prevTier) return 'tier_change';
    return 'update';
  }
  return manual ? 'manual_raise' : 'raise';
}

export interface LogRow {
  kind: AlertKind;
  /** The entry shown (for collapsed updates: the newest). */
  alert: LogAlert;
  /** Entries in the row (1, or the updates collapsed into it). */
  count: number;
  /** Time of the oldest entry in the row. */
  firstT: number;
}

/**
 * Rows of the log, newest first, from alerts newest first: each entry typed, and each run of
 * consecutive updates of one zone (its own entries, other zones' entries may lie between) made
 * one row at the place of its newest update. Tier changes, raises and clears are never merged.
 */
export function alertLogRows(alerts: readonly LogAlert[]): LogRow[] {
  // kinds need each zone's previous tier: walk oldest first
  const kinds = new Array<AlertKind>(alerts.length);
  const lastTier = new Map<string, string | undefined>();
  for (let i = alerts.length - 1; i >= 0; i--) {
    const a = alerts[i];
    kinds[i] = alertKind(a, lastTier.get(a.zone));
    lastTier.set(a.zone, a.tier);
  }
  const rows: LogRow[] = [];
  /** The open update row of each zone (newest first: later entries are older). */
  const open = new Map<string, LogRow>();
  for (let i = 0; i < alerts.length; i++) {
    const a = alerts[i];
    const kind = kinds[i];
    if (kind === 'update') {
      const row = open.get(a.zone);
      if (row) {
        row.count++;
        row.firstT = a.t;
        continue;
      }
      const r: LogRow = { kind, alert: a, count: 1, firstT: a.t };
      open.set(a.zone, r);
      rows.push(r);
      continue;
    }
    open.delete(a.zone);
    rows.push({ kind, alert: a, count: 1, firstT: a.t });
  }
  return rows;
}
