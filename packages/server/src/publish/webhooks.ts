/**
 * Webhooks: alert changes POSTed to subscribers' URLs, signed, retried, in order
 * (docs/warnings.md "Publishing: CAP and webhooks").
 *
 * - Body: JSON `{ id, event, created, data }` (`application/json`), or for a subscriber with
 *   `format: 'cap'` the event's CAP 1.2 document (`application/cap+xml`).
 * - Headers: `X-Skywarden-Event` (the event name), `X-Skywarden-Delivery` (a UUID, the same
 *   for every attempt of one delivery: the idempotency key), `X-Skywarden-Attempt` (1, 2, …)
 *   and `X-Skywarden-Signature: t=<unix s>,v1=<hex>`, where v1 = HMAC-SHA256(secret,
 *   `${t}.${body}`) (RFC 2104) and t is the time of that attempt. Subscribers check it with
 *   {@link verifyWebhookSignature}.
 * - Retries: network errors, timeouts, 5xx and 429, up to `retry.attempts` attempts in all,
 *   waiting min(maxDelayMs, baseDelayMs·2^(n−1)) with "equal jitter" (half fixed, half
 *   random); a 429's or 503's `Retry-After` is a floor on the wait, and one longer than
 *   `maxDelayMs` ends the delivery as failed rather than calling back early. Other statuses
 *   (4xx, 3xx: redirects are not followed) fail at once.
 * - One queue per subscriber, delivered one at a time in order; at most `queueSize` waiting:
 *   when full the oldest waiting one is dropped (counted and logged as an error).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AlertTransition, PictureEvent } from '@skywarden/core';
import type { CapMessage } from '@skywarden/formats';
import type { CapStage } from './cap.js';

/** One receiver of webhooks. */
export interface WebhookSubscriber {
  /** http(s) URL to POST to. */
  url: string;
  /** Shared secret for the HMAC signature. */
  secret: string;
  /** Event names to send (e.g. `alert.raised`); default all. */
  events?: readonly string[];
  /** `json` (default) or `cap`: the CAP 1.2 document as `application/cap+xml` (events without one are not sent). */
  format?: 'json' | 'cap';
  /** Name in logs and stats; default the URL's origin. */
  name?: string;
}

/** Structured logger (pino's signature: object first, then message). */
export interface WebhookLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface WebhookRetryOptions {
  /** Attempts in all, including the first (>= 1). Default 5. */
  attempts: number;
  /** Wait before the second attempt, before jitter (ms). Default 500. */
  baseDelayMs: number;
  /** Longest wait between attempts (ms); also the longest Retry-After honoured. Default 30000. */
  maxDelayMs: number;
}

export interface WebhookDispatcherOptions {
  subscribers: readonly WebhookSubscriber[];
  /** Default the global fetch (Node 20). */
  fetch?: typeof fetch;
  retry?: Partial<WebhookRetryOptions>;
  /** Time limit of one attempt, response headers included (ms). Default 5000. */
  timeoutMs?: number;
  /** Most deliveries waiting per subscriber (the one in flight not counted). Default 1000. */
  queueSize?: number;
  /** Default: silent. */
  log?: WebhookLog;
  /** Clock for signature timestamps, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** Uniform [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
}

/** Something to send: a named event with its JSON data and, optionally, its CAP document. */
export interface WebhookEvent {
  event: string;
  data: unknown;
  /** CAP 1.2 XML, for subscribers with format `cap`. */
  cap?: string;
}

export interface WebhookCounters {
  /** Deliveries answered with 2xx. */
  delivered: number;
  /** Deliveries given up (non-retryable status, attempts exhausted, Retry-After too long). */
  failed: number;
  /** Attempts repeated after a retryable failure. */
  retried: number;
  /** Deliveries dropped unsent: queue full, or still pending when close() hit its deadline. */
  dropped: number;
}

export interface WebhookStats extends WebhookCounters {
  /** Deliveries waiting or in flight now. */
  pending: number;
  subscribers: (WebhookCounters & { name: string; pending: number })[];
}

export interface WebhookDispatcher {
  /** Queues the event for every subscriber that wants it; returns how many. Throws after close(). */
  publish(event: WebhookEvent): number;
  /** Counters since the start (copies). */
  stats(): WebhookStats;
  /**
   * Stops taking events and waits until every queue is delivered, or until `deadlineMs`
   * (default 10000 ms) has passed: then in-flight attempts are aborted and what is left is
   * counted as dropped. Resolves with whether everything was sent and what was dropped.
   */
  close(deadlineMs?: number): Promise<{ drained: boolean; dropped: number }>;
}

export const WEBHOOK_DEFAULTS = Object.freeze({
  retry: Object.freeze({ attempts: 5, baseDelayMs: 500, maxDelayMs: 30000 }),
  timeoutMs: 5000,
  queueSize: 1000,
  closeDeadlineMs: 10000,
});

/** The `X-Skywarden-Signature` value for a body sent at `timestampS` (unix seconds): `t=<timestampS>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signWebhook(secret: string, timestampS: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.`).update(body).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/**
 * Checks a webhook's `X-Skywarden-Signature` header against the raw body as received: some
 * `v1` must equal HMAC-SHA256(secret, `${t}.${body}`) (compared in constant time) and `t`
 * must be within `toleranceS` of `nowS` (unix seconds; default 300 s), which bounds replays.
 * Never throws: a missing or malformed header is false.
 */
export function verifyWebhookSignature(secret: string, header: string | undefined | null, body: string | Uint8Array, nowS: number, toleranceS = 300): boolean {
  if (typeof header !== 'string' || typeof secret !== 'string' || secret === '') return false;
  let t: number | undefined;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return false;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't') {
      if (!/^\d{1,12}$/.test(v) || t !== undefined) return false;
      t = Number(v);
    } else if (k === 'v1') {
      if (/^[0-9a-f]{64}$/.test(v)) sigs.push(v);
    }
  }
  if (t === undefined || sigs.length === 0) return false;
  if (!(Math.abs(nowS - t) <= toleranceS)) return false;
  const want = Buffer.from(createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex'), 'utf8');
  let ok = false;
  for (const s of sigs) if (timingSafeEqual(Buffer.from(s, 'utf8'), want)) ok = true;
  return ok;
}

/** Event name of an alert change: `alert.raised`, `alert.updated` (a CAP Update) or `alert.cleared`. */
export function alertEventName(change: AlertTransition, cap?: CapMessage | null): string {
  if (change.state === 'clear') return 'alert.cleared';
  return cap?.msgType === 'Update' ? 'alert.updated' : 'alert.raised';
}

/** The webhook event for an alert change: data is the alerts.ndjson row plus tier, reason, manual, who (and the CAP identifier); `cap` the CAP document. */
export function alertWebhookEvent(change: AlertTransition, cap?: CapMessage | null): WebhookEvent {
  const data: Record<string, unknown> = { t: change.t, zone: change.zone, state: change.state };
  if (change.tier !== undefined) data.tier = change.tier;
  if (change.etaS !== undefined) data.eta_s = Math.round(change.etaS * 10) / 10;
  data.tracks = change.tracks.slice();
  data.reason = change.reason;
  if (change.manual) data.manual = true;
  if (change.who !== undefined) data.who = change.who;
  if (cap) data.cap_identifier = cap.identifier;
  const e: WebhookEvent = { event: alertEventName(change, cap), data };
  if (cap) e.cap = cap.xml;
  return e;
}

/** Retry-After (RFC 9110 §10.2.3): delay seconds or an HTTP date; ms from now, or undefined. */
function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const d = Date.parse(v);
  return Number.isNaN(d) ? undefined : Math.max(0, d - nowMs);
}

interface Item {
  event: string;
  delivery: string;
  body: string;
  contentType: string;
}

interface Sub {
  s: WebhookSubscriber;
  name: string;
  queue: Item[];
  busy: boolean;
  idle: Promise<void>;
  counters: WebhookCounters;
}

class Stopped extends Error {}

/**
 * Creates a dispatcher. Throws on a bad subscriber or option (the message names it); never
 * logs secrets or bodies.
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const retry: WebhookRetryOptions = { ...WEBHOOK_DEFAULTS.retry, ...options.retry };
  const timeoutMs = options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs;
  const queueSize = options.queueSize ?? WEBHOOK_DEFAULTS.queueSize;
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const log = options.log;
  if (!(Number.isInteger(retry.attempts) && retry.attempts >= 1)) throw new Error(`webhooks: retry.attempts must be an integer >= 1, got ${retry.attempts}`);
  if (!(retry.baseDelayMs >= 0 && Number.isFinite(retry.baseDelayMs))) throw new Error(`webhooks: retry.baseDelayMs must be >= 0, got ${retry.baseDelayMs}`);
  if (!(retry.maxDelayMs >= retry.baseDelayMs && Number.isFinite(retry.maxDelayMs))) {
    throw new Error(`webhooks: retry.maxDelayMs must be >= baseDelayMs (${retry.baseDelayMs}), got ${retry.maxDelayMs}`);
  }
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new Error(`webhooks: timeoutMs must be > 0, got ${timeoutMs}`);
  if (!(Number.isInteger(queueSize) && queueSize >= 1)) throw new Error(`webhooks: queueSize must be an integer >= 1, got ${queueSize}`);
  if (typeof doFetch !== 'function') throw new Error('webhooks: no fetch available');

  const subs: Sub[] = options.subscribers.map((s, i) => {
    let url: URL;
    try {
      url = new URL(s.url);
    } catch {
      throw new Error(`webhooks: subscribers[${i}].url is not a URL: ${JSON.stringify(s.url)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`webhooks: subscribers[${i}].url must be http or https, got ${JSON.stringify(s.url)}`);
    if (typeof s.secret !== 'string' || s.secret === '') throw new Error(`webhooks: subscribers[${i}] (${url.origin}) needs a non-empty secret`);
    if (s.format !== undefined && s.format !== 'json' && s.format !== 'cap') throw new Error(`webhooks: subscribers[${i}].format must be "json" or "cap", got ${JSON.stringify(s.format)}`);
    if (s.events !== undefined && (!Array.isArray(s.events) || s.events.some((e) => typeof e !== 'string' || e === ''))) {
      throw new Error(`webhooks: subscribers[${i}].events must be a list of event names, got ${JSON.stringify(s.events)}`);
    }
    return {
      s,
      name: s.name ?? url.origin,
      queue: [],
      busy: false,
      idle: Promise.resolve(),
      counters: { delivered: 0, failed: 0, retried: 0, dropped: 0 },
    };
  });
  const totals: WebhookCounters = { delivered: 0, failed: 0, retried: 0, dropped: 0 };
  const count = (sub: Sub, k: keyof WebhookCounters, n = 1) => {
    sub.counters[k] += n;
    totals[k] += n;
  };
  let closed = false;
  const stop = new AbortController();

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (stop.signal.aborted) return reject(new Stopped());
      const timer = setTimeout(() => {
        stop.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Stopped());
      };
      stop.signal.addEventListener('abort', onAbort, { once: true });
    });

  /** One attempt: 'ok', 'fatal' (no retry) or a retryable failure with an optional Retry-After. */
  const attempt = async (sub: Sub, item: Item, n: number): Promise<{ kind: 'ok' | 'fatal' | 'retry'; why: string; retryAfter?: number }> => {
    if (stop.signal.aborted) throw new Stopped();
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const onStop = () => ctrl.abort(new Stopped());
    stop.signal.addEventListener('abort', onStop, { once: true });
    try {
      const ts = Math.floor(now() / 1000);
      const res = await doFetch(sub.s.url, {
        method: 'POST',
        redirect: 'manual',
        signal: ctrl.signal,
        headers: {
          'content-type': item.contentType,
          'user-agent': 'skywarden-webhooks/1',
          'x-skywarden-event': item.event,
          'x-skywarden-delivery': item.delivery,
          'x-skywarden-attempt': String(n),
          'x-skywarden-signature': signWebhook(sub.s.secret, ts, item.body),
        },
        body: item.body,
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { kind: 'ok', why: `HTTP ${res.status}` };
      if (res.status === 429 || res.status >= 500) {
        return { kind: 'retry', why: `HTTP ${res.status}`, retryAfter: retryAfterMs(res.headers.get('retry-after'), now()) };
      }
      return { kind: 'fatal', why: `HTTP ${res.status}` };
    } catch (err) {
      if (stop.signal.aborted) throw new Stopped();
      const reason = ctrl.signal.aborted ? (ctrl.signal.reason as Error) : (err as Error);
      const cause = (reason as { cause?: { code?: string; message?: string } }).cause;
      return { kind: 'retry', why: `${reason.message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}` };
    } finally {
      clearTimeout(timer);
      stop.signal.removeEventListener('abort', onStop);
    }
  };

  const deliver = async (sub: Sub, item: Item): Promise<void> => {
    const ctx = { subscriber: sub.name, event: item.event, delivery: item.delivery };
    for (let n = 1; ; n++) {
      const r = await attempt(sub, item, n);
      if (r.kind === 'ok') {
        count(sub, 'delivered');
        log?.debug?.({ ...ctx, attempt: n }, 'webhook delivered');
        return;
      }
      if (r.kind === 'fatal' || n >= retry.attempts) {
        count(sub, 'failed');
        log?.error({ ...ctx, attempt: n, why: r.why }, r.kind === 'fatal' ? 'webhook refused; not retried' : `webhook failed after ${n} attempts`);
        return;
      }
      const exp = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (n - 1));
      let wait = exp / 2 + (random() * exp) / 2;
      if (r.retryAfter !== undefined) {
        if (r.retryAfter > retry.maxDelayMs) {
          // calling back earlier than asked would be impolite and likely refused again
          count(sub, 'failed');
          log?.error({ ...ctx, attempt: n, why: r.why, retryAfterMs: r.retryAfter }, `webhook failed: Retry-After exceeds maxDelayMs (${retry.maxDelayMs} ms)`);
          return;
        }
        wait = Math.max(wait, r.retryAfter);
      }
      count(sub, 'retried');
      log?.warn({ ...ctx, attempt: n, why: r.why, waitMs: Math.round(wait) }, 'webhook attempt failed; retrying');
      await sleep(wait);
    }
  };

  const pump = async (sub: Sub): Promise<void> => {
    try {
      while (sub.queue.length > 0) {
        const item = sub.queue[0];
        try {
          await deliver(sub, item);
        } catch (err) {
          if (!(err instanceof Stopped)) throw err;
          // close() hit its deadline: this one is abandoned, close() counts the rest
          sub.queue.shift();
          count(sub, 'dropped');
          log?.error({ subscriber: sub.name, event: item.event, delivery: item.delivery }, 'webhook abandoned at close (deadline)');
          return;
        }
        sub.queue.shift();
      }
    } finally {
      sub.busy = false;
    }
  };

  const pendingOf = (sub: Sub) => sub.queue.length;

  return {
    publish(e) {
      if (closed) throw new Error('webhooks: publish after close()');
      if (typeof e.event !== 'string' || !/^[\w.:-]{1,100}$/.test(e.event)) throw new Error(`webhooks: event name must be 1-100 letters, digits, _ . : -, got ${JSON.stringify(e.event)}`);
      let n = 0;
      let json: string | undefined;
      const created = new Date(now()).toISOString();
      for (const sub of subs) {
        if (sub.s.events && !sub.s.events.includes(e.event)) continue;
        const delivery = randomUUID();
        let item: Item;
        if (sub.s.format === 'cap') {
          if (e.cap === undefined) continue;
          item = { event: e.event, delivery, body: e.cap, contentType: 'application/cap+xml; charset=utf-8' };
        } else {
          json ??= JSON.stringify(e.data);
          item = { event: e.event, delivery, body: `{"id":${JSON.stringify(delivery)},"event":${JSON.stringify(e.event)},"created":"${created}","data":${json}}`, contentType: 'application/json' };
        }
        // queue[0] is the one in flight while busy; only waiting ones are dropped
        const waiting = sub.busy ? sub.queue.length - 1 : sub.queue.length;
        if (waiting >= queueSize) {
          const [old] = sub.queue.splice(sub.busy ? 1 : 0, 1);
          count(sub, 'dropped');
          log?.error({ subscriber: sub.name, event: old.event, delivery: old.delivery, dropped: sub.counters.dropped }, `webhook queue full (${queueSize}): dropped the oldest waiting delivery`);
        }
        sub.queue.push(item);
        n++;
        if (!sub.busy) {
          sub.busy = true;
          sub.idle = pump(sub);
        }
      }
      return n;
    },
    stats() {
      return {
        ...totals,
        pending: subs.reduce((a, s) => a + pendingOf(s), 0),
        subscribers: subs.map((s) => ({ name: s.name, pending: pendingOf(s), ...s.counters })),
      };
    },
    async close(deadlineMs = WEBHOOK_DEFAULTS.closeDeadlineMs) {
      closed = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const all = Promise.all(subs.map((s) => s.idle)).then(() => true);
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), deadlineMs);
      });
      const drained = await Promise.race([all, deadline]);
      clearTimeout(timer);
      let dropped = 0;
      if (!drained) {
        stop.abort();
        await all;
        for (const s of subs) {
          // the aborted in-flight one was shifted by its pump; the rest never went
          dropped += s.queue.length;
          count(s, 'dropped', s.queue.length);
          s.queue.length = 0;
        }
      }
      return { drained, dropped };
    },
  };
}

/** Webhooks as a publisher of the picture: every alert event (raise, Update, clear) with its CAP message; not during the start-up replay. */
export function createWebhookPublisher(o: { dispatcher: WebhookDispatcher; cap: CapStage; replaying: () => boolean }) {
  return {
    onEvent(e: PictureEvent): void {
      if (e.type !== 'alert' || o.replaying()) return;
      o.dispatcher.publish(alertWebhookEvent(e.change, o.cap.messageOf(e)));
    },
  };
}
