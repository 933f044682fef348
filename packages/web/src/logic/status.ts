/**
 * The status strip's figures (issue 17) from two readings of `GET /api/v1/health` `ingest`
 * (totals since the server started): the ingest rate, the share of journalled detections the
 * fusion refused and why, the share the ingest rejected and why, over the interval between the
 * readings; with a single reading, since the start; and the strip's texts in the UI's language
 * ({@link stripItems}). Pure, tested in node.
 */
import { tr, trOr, type Lang } from './i18n.js';
import { wordOf } from './symbology.js';

export interface IngestTotals {
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  refused: Record<string, number>;
  taken: number;
  pending: number;
}

export interface Reading {
  /** Server clock of the reading (s). */
  t: number;
  ingest: IngestTotals;
}

export interface StatusFigures {
  /** Detections accepted per second of server clock. */
  ratePerS: number | null;
  /** Share of the detections offered to the fusion that it refused (0..1), and the shares by reason, largest first. */
  refusedShare: number | null;
  refusedBy: { reason: string; share: number; n: number }[];
  /** Share of the rows sent that the ingest rejected (0..1), and by reason. */
  rejectedShare: number | null;
  rejectedBy: { reason: string; share: number; n: number }[];
  /** Detections waiting in the reorder buffer. */
  pending: number;
  /** Whether the figures cover only the interval (true) or the whole run (false). */
  windowed: boolean;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

function diff(a: Record<string, number>, b: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) out[k] = Math.max(0, v - (b?.[k] ?? 0));
  return out;
}

function shares(by: Record<string, number>, of: number): { reason: string; share: number; n: number }[] {
  return Object.entries(by)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => ({ reason, n, share: of > 0 ? n / of : 0 }))
    .sort((x, y) => y.n - x.n || (x.reason < y.reason ? -1 : 1));
}

export function statusFigures(cur: Reading, prev: Reading | null): StatusFigures {
  const p = prev && prev.t < cur.t ? prev : null;
  const accepted = cur.ingest.accepted - (p?.ingest.accepted ?? 0);
  const taken = cur.ingest.taken - (p?.ingest.taken ?? 0);
  const refused = diff(cur.ingest.refused, p?.ingest.refused);
  const rejected = diff(cur.ingest.rejected, p?.ingest.rejected);
  const nRefused = sum(refused);
  const nRejected = sum(rejected);
  const offered = taken + nRefused;
  const sent = accepted + nRejected + (cur.ingest.duplicates - (p?.ingest.duplicates ?? 0));
  return {
    ratePerS: p ? Math.max(0, accepted) / (cur.t - p.t) : null,
    refusedShare: offered > 0 ? nRefused / offered : null,
    refusedBy: shares(refused, offered),
    rejectedShare: sent > 0 ? nRejected / sent : null,
    rejectedBy: shares(rejected, sent),
    pending: cur.ingest.pending,
    windowed: p !== null,
  };
}

/** "21 %" / "0.4 %" / "0 %". */
export function pct(x: number): string {
  if (x === 0) return '0 %';
  return x < 0.01 ? `${(x * 100).toFixed(1)} %` : `${Math.round(x * 100)} %`;
}

/** What the strip could not read: the figures are not served to this user, or the request failed. */
export type StripError = { kind: 'no_ingest' } | { kind: 'failed'; why: string };

export interface StripInput {
  replay: boolean;
  /** The server's mode from the stream's hello (`live`, `demo`; '' before it). */
  serverMode: string;
  /** The last figures ({@link statusFigures}), null before the first reading. */
  figures: StatusFigures | null;
  error: StripError | null;
  sensors: Iterable<{ status: string }>;
  /** Seconds since the last tracks report arrived (null before the first). */
  reportAgeS: number | null;
}

/**
 * One entry of the strip: `label` then `value` in bold; `level` colours the value. The first
 * entry (`key` mode) is the mode, and an entry without a value (`key` error) a plain text.
 */
export interface StripItem {
  key: string;
  label: string;
  value: string;
  level: '' | 'bad' | 'worse';
  /** Tooltip ('' none). */
  title: string;
}

/**
 * The strip's entries in `lang`: the mode ("LIVE (DEMO)" / "실시간 (데모)", "REPLAY" / "다시
 * 보기"); the ingest rate ("ingest 12.5 det/s" / "탐지 수신 12.5건/초"); the share the fusion
 * refused with its two main reasons ("fusion refused 3 % (late 2 %, duplicate 1 %)" / "융합 거부
 * 3 % (지연 2 %, 중복 1 %)"); the share the ingest rejected when there is one; the fusion's
 * buffer; the sensors ("sensors 40 ok" / "센서 40개 정상", "sensors 2 of 40 not ok (1 silent,
 * 1 stuck)" / "센서 40개 중 2개 이상 (무응답 1, 고착 1)"); the age of the last report, live only
 * ("last report 1.2 s ago" / "마지막 보고 1.2초 전"). Numbers as they were in English.
 */
export function stripItems(lang: Lang, inp: StripInput): StripItem[] {
  const item = (key: string, label: string, value: string, level: StripItem['level'] = '', title = ''): StripItem => ({ key, label, value, level, title });
  const out: StripItem[] = [];
  const mode = inp.serverMode.toUpperCase() === 'DEMO' ? tr(lang, 'strip.live.mode', { mode: tr(lang, 'mode.demo') }) : tr(lang, 'strip.live');
  out.push(item('mode', inp.replay ? tr(lang, 'replay.flag') : mode, ''));
  const f = inp.figures;
  if (f) {
    out.push(item('rate', tr(lang, 'strip.ingest'), f.ratePerS === null ? '…' : tr(lang, 'strip.rate', { n: f.ratePerS.toFixed(f.ratePerS < 10 ? 1 : 0) })));
    if (f.refusedShare !== null) {
      const why = f.refusedBy
        .slice(0, 2)
        .map((x) => `${trOr(lang, `refuse.${x.reason}`, x.reason)} ${pct(x.share)}`)
        .join(', ');
      out.push(item('refused', tr(lang, 'strip.refused'), `${pct(f.refusedShare)}${why ? ` (${why})` : ''}`, f.refusedShare >= 0.2 ? 'worse' : f.refusedShare >= 0.05 ? 'bad' : '', tr(lang, 'strip.refused.title')));
    }
    if (f.rejectedShare !== null && f.rejectedShare > 0) {
      const why = f.rejectedBy
        .slice(0, 2)
        .map((x) => `${trOr(lang, `reject.${x.reason}`, x.reason.replace(/_/g, ' '))} ${pct(x.share)}`)
        .join(', ');
      out.push(item('rejected', tr(lang, 'strip.rejected'), `${pct(f.rejectedShare)} (${why})`, f.rejectedShare >= 0.05 ? 'bad' : '', tr(lang, 'strip.rejected.title')));
    }
    out.push(item('pending', tr(lang, 'strip.pending'), `${f.pending}`, f.pending > 5000 ? 'bad' : '', tr(lang, 'strip.pending.title')));
  } else if (inp.error) {
    out.push(item('error', inp.error.kind === 'no_ingest' ? tr(lang, 'strip.no_ingest') : tr(lang, 'strip.failed', { why: inp.error.why }), ''));
  }
  let n = 0;
  const byStatus: Record<string, number> = {};
  for (const s of inp.sensors) {
    n++;
    if (s.status !== 'ok') byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  }
  const bad = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const detail = Object.entries(byStatus)
    .map(([k, v]) => tr(lang, 'strip.sensors.one', { n: v, status: wordOf(lang, 'sensor', k) }))
    .join(', ');
  out.push(item('sensors', tr(lang, 'strip.sensors'), bad > 0 ? tr(lang, 'strip.sensors.bad', { bad, n, detail }) : tr(lang, 'strip.sensors.ok', { n }), bad > 0 ? 'bad' : ''));
  const age = inp.reportAgeS;
  if (!inp.replay && age !== null) out.push(item('report', tr(lang, 'strip.report'), tr(lang, 'age.s', { n: age.toFixed(age < 10 ? 1 : 0) }), age > 10 ? 'worse' : age > 3 ? 'bad' : ''));
  return out;
}
