/**
 * The status strip under the top bar (issue 17): what an operator must know about the picture's
 * inputs at a glance. LIVE / DEMO / REPLAY; detections per second; the share the fusion refused
 * (with the main reasons: late, duplicate, ...), the share the ingest rejected; sensors not
 * healthy (silent, stuck, implausible, never seen, offline); detections waiting in the reorder
 * buffer; the age of the last tracks report. The ingest figures come from `GET /api/v1/health`
 * (polled every 5 s; logic/status.ts turns two readings into rates and shares), the sensors and
 * the report age from the event stream the app already holds.
 */
import type { SensorWire } from '@skywarden/formats';
import type { Api } from './api.js';
import { h } from './dom.js';
import { pct, statusFigures, type IngestTotals, type Reading } from './logic/status.js';

const POLL_MS = 5000;
const REASON_TEXT: Record<string, string> = { late: 'late', duplicate: 'duplicate', bad_time: 'bad time', no_anchor: 'no sensor position', other: 'other' };

export interface StatusInputs {
  mode: () => 'live' | 'replay';
  serverMode: () => string;
  sensors: () => Iterable<SensorWire>;
  /** Seconds since the last tracks event arrived (null before the first). */
  reportAgeS: () => number | null;
}

export interface StatusStrip {
  render(): void;
  /** The last figures shown, for tests. */
  text(): string;
}

export function createStatusStrip(root: HTMLElement, api: Api, inp: StatusInputs): StatusStrip {
  let prev: Reading | null = null;
  let cur: Reading | null = null;
  let error: string | null = null;
  const poll = async () => {
    try {
      const r = await api.get<{ time?: number; ingest?: IngestTotals }>('/health');
      if (r.ingest && typeof r.time === 'number') {
        // keep the older reading at least 20 s back, so the shares cover a useful window
        if (!prev || !cur || r.time - prev.t > 30) prev = cur;
        cur = { t: r.time, ingest: r.ingest };
        error = null;
      } else error = 'ingest figures not available to this user';
    } catch (e) {
      error = `status not available: ${(e as Error).message}`;
    }
    render();
  };
  const item = (key: string, label: string, value: string, level: '' | 'bad' | 'worse' = '', title = '') =>
    h('span', { class: `st-item ${level}`, 'data-key': key, title: title || undefined }, `${label} `, h('b', { text: value }));

  function render() {
    const kids: HTMLElement[] = [];
    const replay = inp.mode() === 'replay';
    kids.push(h('span', { class: `st-mode ${replay ? 'replay' : ''}`, 'data-key': 'mode', text: replay ? 'REPLAY' : (inp.serverMode() || 'live').toUpperCase() === 'DEMO' ? 'LIVE (DEMO)' : 'LIVE' }));
    if (cur) {
      const f = statusFigures(cur, prev && prev !== cur ? prev : null);
      kids.push(item('rate', 'ingest', f.ratePerS === null ? '…' : `${f.ratePerS.toFixed(f.ratePerS < 10 ? 1 : 0)} det/s`));
      if (f.refusedShare !== null) {
        const why = f.refusedBy.slice(0, 2).map((x) => `${REASON_TEXT[x.reason] ?? x.reason} ${pct(x.share)}`).join(', ');
        kids.push(item('refused', 'fusion refused', `${pct(f.refusedShare)}${why ? ` (${why})` : ''}`, f.refusedShare >= 0.2 ? 'worse' : f.refusedShare >= 0.05 ? 'bad' : '', 'share of the journalled detections the tracker refused'));
      }
      if (f.rejectedShare !== null && f.rejectedShare > 0) {
        const why = f.rejectedBy.slice(0, 2).map((x) => `${x.reason.replace(/_/g, ' ')} ${pct(x.share)}`).join(', ');
        kids.push(item('rejected', 'ingest rejected', `${pct(f.rejectedShare)} (${why})`, f.rejectedShare >= 0.05 ? 'bad' : '', 'share of the rows sent that the ingest refused'));
      }
      kids.push(item('pending', 'fusion buffer', `${f.pending}`, f.pending > 5000 ? 'bad' : ''));
    } else if (error) kids.push(h('span', { class: 'st-item', 'data-key': 'error', text: error }));
    let bad = 0;
    const byStatus: Record<string, number> = {};
    let n = 0;
    for (const s of inp.sensors()) {
      n++;
      if (s.status === 'ok') continue;
      bad++;
      byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    }
    const detail = Object.entries(byStatus).map(([k, v]) => `${v} ${k.replace('_', ' ')}`).join(', ');
    kids.push(item('sensors', 'sensors', bad > 0 ? `${bad} of ${n} not ok (${detail})` : `${n} ok`, bad > 0 ? 'bad' : ''));
    const age = inp.reportAgeS();
    if (!replay && age !== null) kids.push(item('report', 'last report', `${age.toFixed(age < 10 ? 1 : 0)} s ago`, age > 10 ? 'worse' : age > 3 ? 'bad' : ''));
    root.replaceChildren(...kids);
  }
  void poll();
  setInterval(() => void poll(), POLL_MS);
  return { render, text: () => root.textContent ?? '' };
}
