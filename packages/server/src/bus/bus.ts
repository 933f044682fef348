/**
 * The message bus between the service's parts: ingest publishes journalled detections, the
 * fusion consumes them. In one process the local bus (local/local-bus.ts) hands them over in
 * order, at once; in a cluster NATS JetStream (nats/nats-bus.ts) carries them between nodes,
 * durably. Both run the same conformance suite (conformance.ts).
 *
 * Subjects are dot-separated tokens and partitioned by region, so that a cluster can run one
 * fusion worker per region and every worker sees only its region's detections in order:
 *
 *   `<prefix>.detections.<region>`   journalled detections (JSON: `[{ seq, row }]` batches)
 *
 * and, in a cluster (cluster/: `cluster.role`), `<prefix>.tracks.<region>` and
 * `<prefix>.alerts.<region>` (a region's tracks at each report, its alert changes),
 * `<prefix>.control.marks` and `<prefix>.control.alerts` (operators' decisions).
 *
 * with `<prefix>` = `bus.subject_prefix` (default `skywarden`) and `<region>` = `bus.region`
 * (default `default`). Tokens hold letters, digits, `_` and `-` (no `.`, `*`, `>` or spaces).
 *
 * Delivery is at-least-once: a message is acknowledged after the handler's promise resolves;
 * a handler that throws (or rejects) is called with the same message again (`deliveries`
 * counts the calls) before any later message of that subscription, so order holds; after
 * `maxDeliver` failed calls the message is given up and reported to `onError`. Handlers must
 * therefore tolerate seeing a message twice (the journal's seq identifies it).
 */

/** A message as a handler sees it. */
export interface BusMessage {
  subject: string;
  /**
   * Position in the bus's order: the stream sequence (JetStream, durable across restarts)
   * or a per-bus counter from 1 (the local bus).
   */
  seq: number;
  /** How many times this message has been handed to this subscription's handler (1 = first). */
  deliveries: number;
  /** The payload's bytes (a JSON message: its UTF-8 JSON text). */
  readonly data: Uint8Array;
  /**
   * A JSON message's value. The local bus returns the published value itself, not a copy:
   * handlers must not change it.
   */
  json<T = unknown>(): T;
}

export type BusHandler = (msg: BusMessage) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * A durable subscription's name: the bus remembers its last acknowledged message and a new
   * subscription under the same name resumes after it (only where `bus.durable`). Without a
   * name the subscription ends with `unsubscribe` or `close`.
   */
  durable?: string;
  /**
   * Where a new subscription starts: `new` (default) the messages published from now on;
   * `all` every message the bus still holds; a number, from that sequence on. A durable
   * subscription that exists already resumes where it was and ignores this.
   */
  from?: 'new' | 'all' | number;
  /** Calls of the handler for one message before it is given up (default 5). */
  maxDeliver?: number;
  /** Told of a message given up after `maxDeliver` failed calls, and of delivery failures. */
  onError?: (err: unknown, msg: BusMessage | null) => void;
}

export interface Subscription {
  readonly subject: string;
  /** Stops delivery (a handler call under way finishes; its message is not acknowledged if it has not resolved yet). */
  unsubscribe(): Promise<void>;
}

/** A JSON-able value: what `JSON.stringify` turns into text and `JSON.parse` gives back. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue | undefined };

export interface Bus {
  /** `local` or `nats`. */
  readonly kind: string;
  /** Whether messages and durable subscriptions' positions survive the process (JetStream: yes; local: no). */
  readonly durable: boolean;
  /**
   * Publishes messages on one subject, in order. Byte arrays go as they are; other values as
   * JSON. Resolves when the bus holds all of them (JetStream: after the stream acknowledged
   * each; local: at once, after the in-process subscribers were handed them); rejects when
   * the bus is closed or a message was not stored.
   */
  publish(subject: string, messages: readonly Uint8Array[] | readonly unknown[]): Promise<void>;
  /** Delivers the subject's messages to `handler`, one at a time, in order. */
  subscribe(subject: string, handler: BusHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Stops every subscription and closes the connection; publishing afterwards rejects. Idempotent. */
  close(): Promise<void>;
}

/** A subject token: letters, digits, `_` and `-`. */
export const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** A subject prefix: one or more tokens separated by dots. */
export const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The subject of a region's journalled detections. */
export function detectionsSubject(prefix: string, region: string): string {
  if (!SUBJECT_PREFIX.test(prefix)) throw new Error(`bus subject prefix ${JSON.stringify(prefix)}: dot-separated tokens of letters, digits, _ or -`);
  if (!SUBJECT_TOKEN.test(region)) throw new Error(`bus region ${JSON.stringify(region)}: letters, digits, _ or -`);
  return `${prefix}.detections.${region}`;
}

export const DEFAULT_MAX_DELIVER = 5;

/** Thrown by `publish` (and `subscribe`) on a closed bus. */
export class BusClosedError extends Error {
  constructor(kind: string) {
    super(`the ${kind} bus is closed`);
    this.name = 'BusClosedError';
  }
}
