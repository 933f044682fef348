/**
 * The live event stream (GET /api/v1/stream, server-sent events) as typed callbacks.
 * EventSource reconnects by itself after a dropped connection; when the server refuses the
 * connection (for instance an expired session) the source closes, and we retry after a pause
 * and report the state so the app can ask for a login again.
 */
import type { StreamEventName, StreamEvents } from '@skywarden/formats';

export type StreamState = 'connecting' | 'open' | 'retrying' | 'closed';

export type StreamHandlers = {
  [K in StreamEventName]?: (data: StreamEvents[K], receivedAt: number) => void;
} & { state?: (s: StreamState) => void };

export interface StreamClient {
  close(): void;
  state(): StreamState;
  /** Events received per name since start. */
  counts(): Record<string, number>;
}

const NAMES: StreamEventName[] = ['hello', 'tracks', 'detections', 'sensors', 'alert', 'zones'];

export function openStream(url: () => string, handlers: StreamHandlers, retryMs = 3000): StreamClient {
  let es: EventSource | null = null;
  let state: StreamState = 'connecting';
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const counts: Record<string, number> = {};
  const setState = (s: StreamState) => {
    if (s === state) return;
    state = s;
    handlers.state?.(s);
  };

  const connect = () => {
    if (closed) return;
    setState('connecting');
    es = new EventSource(url(), { withCredentials: true });
    es.onopen = () => setState('open');
    es.onerror = () => {
      if (closed) return;
      if (es && es.readyState === EventSource.CLOSED) {
        es = null;
        setState('retrying');
        timer = setTimeout(connect, retryMs);
      } else setState('connecting');
    };
    for (const name of NAMES) {
      es.addEventListener(name, (ev) => {
        const receivedAt = performance.now();
        counts[name] = (counts[name] ?? 0) + 1;
        let data: unknown;
        try {
          data = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          return; // a malformed event is dropped, not fatal
        }
        const h = handlers[name] as ((d: unknown, r: number) => void) | undefined;
        h?.(data, receivedAt);
      });
    }
  };
  connect();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      es?.close();
      es = null;
      setState('closed');
    },
    state: () => state,
    counts: () => ({ ...counts }),
  };
}
