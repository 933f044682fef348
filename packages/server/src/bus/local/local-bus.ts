/**
 * The in-process bus: publish hands each message to the subject's subscriptions at once,
 * in publish order; a handler that returns nothing (or throws) is called synchronously
 * inside `publish`, so a publisher with synchronous subscribers sees them done when
 * `publish` returns. A handler that returns a promise holds its subscription's later
 * messages until it settles (they queue in memory).
 *
 * No persistence: nothing survives the process, `durable` is false, a durable name is only
 * a name, and `from: 'all'` or a sequence replay nothing (there is no history); a
 * subscription sees the messages published after it was made.
 *
 * At-least-once, as bus.ts says: a handler that throws is called again with the same
 * message, at once (synchronously), up to `maxDeliver` calls; then the message is given up
 * (reported to `onError`) and the next one is delivered. Subjects match exactly (no
 * wildcards). Messages are not copied: a JSON message's `json()` is the published value.
 */
import { BusClosedError, DEFAULT_MAX_DELIVER, type Bus, type BusHandler, type BusMessage, type SubscribeOptions, type Subscription } from '../bus.js';

interface Record_ {
  subject: string;
  seq: number;
  value: unknown;
  bytes: Uint8Array | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function messageOf(r: Record_): BusMessage {
  let data = r.bytes;
  return {
    subject: r.subject,
    seq: r.seq,
    deliveries: 0,
    get data(): Uint8Array {
      data ??= encoder.encode(JSON.stringify(r.value));
      return data;
    },
    json<T>(): T {
      return (r.bytes !== null ? JSON.parse(decoder.decode(r.bytes)) : r.value) as T;
    },
  };
}

interface LocalSub {
  subject: string;
  handler: BusHandler;
  options: SubscribeOptions;
  queue: BusMessage[];
  head: number;
  /** A handler call (or a drain loop) is under way. */
  busy: boolean;
  closed: boolean;
}

export interface LocalBus extends Bus {
  readonly kind: 'local';
  readonly durable: false;
}

export function createLocalBus(): LocalBus {
  let seq = 0;
  let closed = false;
  const bySubject = new Map<string, LocalSub[]>();

  const isThenable = (x: unknown): x is PromiseLike<void> => x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';

  /** After a failed call: give up at maxDeliver (the caller moves on) or retry. Returns whether to move on. */
  const failed = (s: LocalSub, m: BusMessage, err: unknown): boolean => {
    if (m.deliveries < (s.options.maxDeliver ?? DEFAULT_MAX_DELIVER)) return false;
    try {
      s.options.onError?.(err, m);
    } catch {
      /* a reporting hook must not stop delivery */
    }
    return true;
  };

  const advance = (s: LocalSub): void => {
    s.head++;
    if (s.head > 1024 && s.head * 2 > s.queue.length) {
      s.queue = s.queue.slice(s.head);
      s.head = 0;
    }
  };

  /** Delivers the subscription's queue in order; returns when it is empty or a handler's promise is pending. */
  const drain = (s: LocalSub): void => {
    if (s.busy) return;
    s.busy = true;
    while (!s.closed && s.head < s.queue.length) {
      const m = s.queue[s.head];
      m.deliveries++;
      let r: void | Promise<void>;
      try {
        r = s.handler(m);
      } catch (err) {
        if (failed(s, m, err)) advance(s);
        continue;
      }
      if (isThenable(r)) {
        r.then(
          () => {
            advance(s);
            s.busy = false;
            drain(s);
          },
          (err: unknown) => {
            if (failed(s, m, err)) advance(s);
            s.busy = false;
            drain(s);
          },
        );
        return;
      }
      advance(s);
    }
    s.busy = false;
  };

  return {
    kind: 'local',
    durable: false,
    publish(subject, messages) {
      if (closed) return Promise.reject(new BusClosedError('local'));
      const subs = bySubject.get(subject) ?? [];
      for (const value of messages) {
        const r: Record_ = { subject, seq: ++seq, value, bytes: value instanceof Uint8Array ? value : null };
        for (const s of subs) s.queue.push(messageOf(r));
      }
      for (const s of subs.slice()) drain(s);
      return Promise.resolve();
    },
    subscribe(subject, handler, options = {}) {
      if (closed) return Promise.reject(new BusClosedError('local'));
      const s: LocalSub = { subject, handler, options, queue: [], head: 0, busy: false, closed: false };
      const list = bySubject.get(subject) ?? [];
      list.push(s);
      bySubject.set(subject, list);
      const sub: Subscription = {
        subject,
        unsubscribe() {
          s.closed = true;
          s.queue = [];
          s.head = 0;
          const l = bySubject.get(subject);
          if (l) {
            const i = l.indexOf(s);
            if (i >= 0) l.splice(i, 1);
            if (l.length === 0) bySubject.delete(subject);
          }
          return Promise.resolve();
        },
      };
      return Promise.resolve(sub);
    },
    close() {
      closed = true;
      for (const l of bySubject.values()) {
        for (const s of l) {
          s.closed = true;
          s.queue = [];
        }
      }
      bySubject.clear();
      return Promise.resolve();
    },
  };
}
