/**
 * The status strip under the top bar (issue 17): what an operator must know about the picture's
 * inputs at a glance. LIVE / DEMO / REPLAY; detections per second; the share the fusion refused
 * (with the main reasons: late, duplicate, ...), the share the ingest rejected; sensors not
 * healthy (silent, stuck, implausible, never seen, offline); detections waiting in the reorder
 * buffer; the age of the last tracks report. The ingest figures come from `GET /api/v1/health`
 * (polled every 5 s; logic/status.ts turns two readings into rates and shares), the sensors and
 * the report age from the event stream the app already holds. Its texts, in the UI's language,
 * are logic/status.ts `stripItems`; it is redrawn every second, so a change of language shows
 * within a second.
 */
import type { SensorWire } from '@skywarden/formats';
import type { Api } from './api.js';
import { h } from './dom.js';
import { currentLang } from './i18n.js';
import { errorText } from './logic/i18n.js';
import { statusFigures, stripItems, type IngestTotals, type Reading, type StripError } from './logic/status.js';

const POLL_MS = 5000;

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
  let error: StripError | null = null;
  const poll = async () => {
    try {
      const r = await api.get<{ time?: number; ingest?: IngestTotals }>('/health');
      if (r.ingest && typeof r.time === 'number') {
        // keep the older reading at least 20 s back, so the shares cover a useful window
        if (!prev || !cur || r.time - prev.t > 30) prev = cur;
        cur = { t: r.time, ingest: r.ingest };
        error = null;
      } else error = { kind: 'no_ingest' };
    } catch (e) {
      error = { kind: 'failed', why: errorText(currentLang(), e) };
    }
    render();
  };

  function render() {
    const replay = inp.mode() === 'replay';
    const items = stripItems(currentLang(), {
      replay,
      serverMode: inp.serverMode(),
      figures: cur ? statusFigures(cur, prev && prev !== cur ? prev : null) : null,
      error,
      sensors: inp.sensors(),
      reportAgeS: inp.reportAgeS(),
    });
    root.replaceChildren(
      ...items.map((it) =>
        it.key === 'mode'
          ? h('span', { class: `st-mode ${replay ? 'replay' : ''}`, 'data-key': 'mode', text: it.label })
          : it.value === ''
            ? h('span', { class: 'st-item', 'data-key': it.key, text: it.label })
            : h('span', { class: `st-item ${it.level}`, 'data-key': it.key, title: it.title || undefined }, `${it.label} `, h('b', { text: it.value })),
      ),
    );
  }
  void poll();
  setInterval(() => void poll(), POLL_MS);
  return { render, text: () => root.textContent ?? '' };
}
