/**
 * The bus on NATS JetStream: messages are stored in one stream (file storage, limits), so
 * they survive restarts of the service and of the NATS server, and several nodes can share
 * them (bus.ts: subjects per region, a fusion worker per region).
 *
 * - At creation the stream is ensured: created with subjects `<prefix>.>` when missing,
 *   its limits updated when it exists (its subjects must cover `<prefix>.>`).
 * - `publish` sends every message of the batch with a JetStream publish and resolves when
 *   the stream has acknowledged all of them (at most `maxInFlight` acks outstanding); it
 *   rejects if any was refused or not acknowledged within the timeout. A message may be
 *   stored even when its publish rejected (the ack was lost): the bus is at-least-once.
 * - `subscribe` makes a pull consumer (durable under `durable`, else ephemeral and deleted
 *   on unsubscribe) with explicit acks, filtered to the subject, and consumes it: each
 *   message goes to the handler, one at a time, in stream order, and is acknowledged when
 *   the handler resolves. A handler that throws is called again with the same message (in
 *   this process, order kept) up to `maxDeliver` calls, then the message is terminated
 *   (`term`, not redelivered) and reported to `onError`. While a handler runs the ack
 *   deadline is extended (`working`).
 * - Messages delivered but not acknowledged when the process stops (or the subscription
 *   ends) are redelivered by JetStream after `ackWaitMs` to the next subscription on the
 *   durable consumer: they may then arrive after later messages. On a clean unsubscribe the
 *   ones pulled but not handled are `nak`ed (redelivered at once).
 */
import { randomBytes } from 'node:crypto';
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { BusClosedError, DEFAULT_MAX_DELIVER, SUBJECT_PREFIX, type Bus, type BusHandler, type BusMessage, type SubscribeOptions, type Subscription } from '../bus.js';

export interface NatsBusOptions {
  /** Server address(es), e.g. `nats://127.0.0.1:4222`. */
  url: string | string[];
  /** The stream's name (letters, digits, `_`, `-`). */
  stream: string;
  /** Subject prefix; the stream holds `<prefix>.>`. */
  subjectPrefix: string;
  /** Connection name shown by the server. */
  name?: string;
  /** Stream limits: oldest messages are discarded beyond them (0: no limit). Default 7 days, 10 GiB, no count limit. */
  maxAgeS?: number;
  maxBytes?: number;
  maxMsgs?: number;
  /**
   * Replicas of the stream in a NATS cluster (1 on a single server): a new stream gets them, an
   * existing one is changed to them. Absent: a new stream gets 1 and an existing one keeps what
   * it has (set with the `nats` tool, say).
   */
  replicas?: number;
  /** Unacknowledged messages are redelivered after this long (ms). Default 30000. */
  ackWaitMs?: number;
  /** Messages pulled ahead per subscription. Default 512. */
  prefetch?: number;
  /** Publish acks outstanding at once in one `publish`. Default 2048. */
  maxInFlight?: number;
  /** Time to wait for a publish ack (ms). Default 10000. */
  publishTimeoutMs?: number;
  /** Time to wait for the connection (ms). Default 5000. */
  connectTimeoutMs?: number;
}

export interface NatsBus extends Bus {
  readonly kind: 'nats';
  readonly durable: true;
  readonly stream: string;
  /** The underlying connection and JetStream manager (tests, administration). */
  readonly connection: NatsConnection;
  readonly manager: JetStreamManager;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function natsMessage(m: JsMsg, deliveries: number): BusMessage {
  return {
    subject: m.subject,
    seq: m.seq,
    deliveries,
    get data() {
      return m.data;
    },
    json<T>(): T {
      return JSON.parse(decoder.decode(m.data)) as T;
    },
  };
}

export async function createNatsBus(o: NatsBusOptions): Promise<NatsBus> {
  if (!/^[A-Za-z0-9_-]+$/.test(o.stream)) throw new Error(`NATS stream name ${JSON.stringify(o.stream)}: letters, digits, _ or -`);
  if (!SUBJECT_PREFIX.test(o.subjectPrefix)) throw new Error(`NATS subject prefix ${JSON.stringify(o.subjectPrefix)}: dot-separated tokens of letters, digits, _ or -`);
  const ackWaitMs = o.ackWaitMs ?? 30000;
  const prefetch = o.prefetch ?? 512;
  const maxInFlight = o.maxInFlight ?? 2048;
  const publishTimeoutMs = o.publishTimeoutMs ?? 10000;
  const servers = Array.isArray(o.url) ? o.url : [o.url];
  let nc: NatsConnection;
  try {
    nc = await connect({ servers, name: o.name ?? 'skywarden', timeout: o.connectTimeoutMs ?? 5000, maxReconnectAttempts: -1 });
  } catch (err) {
    throw new Error(`NATS at ${servers.join(', ')} unreachable: ${(err as Error).message}`);
  }
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  try {
    jsm = await nc.jetstreamManager({ timeout: publishTimeoutMs });
    js = nc.jetstream({ timeout: publishTimeoutMs });
    const want: Partial<StreamConfig> = {
      subjects: [`${o.subjectPrefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos((o.maxAgeS ?? 7 * 86400) * 1000),
      max_bytes: o.maxBytes ?? 10 * 1024 ** 3,
      max_msgs: o.maxMsgs ?? -1,
    };
    if (o.replicas !== undefined) want.num_replicas = o.replicas;
    let exists = true;
    try {
      await jsm.streams.info(o.stream);
    } catch {
      exists = false;
    }
    if (!exists) await jsm.streams.add({ num_replicas: 1, ...want, name: o.stream });
    else {
      const info = await jsm.streams.info(o.stream);
      const subjects = info.config.subjects ?? [];
      if (!subjects.some((s) => s === `${o.subjectPrefix}.>` || s === '>')) subjects.push(`${o.subjectPrefix}.>`);
      await jsm.streams.update(o.stream, { ...info.config, ...want, subjects });
    }
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw new Error(`NATS JetStream stream ${o.stream}: ${(err as Error).message} (is JetStream enabled on the server?)`);
  }

  let closed = false;
  const subs = new Set<{ stop(): Promise<void> }>();

  async function publish(subject: string, messages: readonly Uint8Array[] | readonly unknown[]): Promise<void> {
    if (closed) throw new BusClosedError('nats');
    if (!subject.startsWith(`${o.subjectPrefix}.`)) throw new Error(`subject ${subject} is outside the bus's prefix ${o.subjectPrefix}`);
    const inFlight = new Set<Promise<unknown>>();
    let failure: unknown = null;
    for (const m of messages) {
      if (failure !== null) break;
      if (closed) throw new BusClosedError('nats');
      const data = m instanceof Uint8Array ? m : encoder.encode(JSON.stringify(m));
      const p: Promise<unknown> = js.publish(subject, data, { timeout: publishTimeoutMs }).then(
        () => inFlight.delete(p),
        (err: unknown) => {
          inFlight.delete(p);
          failure ??= err;
        },
      );
      inFlight.add(p);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== null) throw new Error(`NATS publish on ${subject} failed: ${(failure as Error).message ?? String(failure)}`);
  }

  async function subscribe(subject: string, handler: BusHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (closed) throw new BusClosedError('nats');
    const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    const durable = options.durable;
    const name = durable ?? `sw-eph-${randomBytes(6).toString('hex')}`;
    let existing = false;
    if (durable) {
      try {
        await jsm.consumers.info(o.stream, durable);
        existing = true;
      } catch {
        existing = false;
      }
    }
    if (!existing) {
      const from = options.from ?? 'new';
      const cfg: Partial<ConsumerConfig> = {
        ack_policy: AckPolicy.Explicit,
        filter_subject: subject,
        ack_wait: nanos(ackWaitMs),
        max_ack_pending: Math.max(prefetch * 2, 1024),
        deliver_policy: from === 'all' ? DeliverPolicy.All : from === 'new' ? DeliverPolicy.New : DeliverPolicy.StartSequence,
      };
      if (typeof from === 'number') cfg.opt_start_seq = from;
      if (durable) cfg.durable_name = durable;
      else {
        cfg.name = name;
        cfg.inactive_threshold = nanos(Math.max(60000, ackWaitMs * 2));
      }
      await jsm.consumers.add(o.stream, cfg);
    }
    const consumer = await js.consumers.get(o.stream, name);
    const iter: ConsumerMessages = await consumer.consume({ max_messages: prefetch });
    let stopping = false;
    /** Extends the ack deadline of the message in the handler; cleared when the handler settles or the subscription stops. */
    let keepAlive: ReturnType<typeof setInterval> | undefined;
    const loop = (async () => {
      for await (const m of iter) {
        if (stopping) {
          m.nak();
          continue;
        }
        let deliveries = 0;
        for (;;) {
          deliveries++;
          const msg = natsMessage(m, deliveries);
          keepAlive = setInterval(() => m.working(), Math.max(100, ackWaitMs / 2));
          try {
            await handler(msg);
            clearInterval(keepAlive);
            if (!stopping) m.ack();
            break;
          } catch (err) {
            clearInterval(keepAlive);
            if (stopping) break;
            if (deliveries >= maxDeliver) {
              m.term();
              try {
                options.onError?.(err, msg);
              } catch {
                /* a reporting hook must not stop delivery */
              }
              break;
            }
          }
        }
      }
    })().catch((err: unknown) => options.onError?.(err, null));
    const entry = {
      async stop(): Promise<void> {
        if (stopping) return;
        stopping = true;
        clearInterval(keepAlive);
        subs.delete(entry);
        // a handler still running is not waited for long (its message is not acknowledged)
        let timer: ReturnType<typeof setTimeout> | undefined;
        const closing = iter.close().catch(() => undefined);
        await Promise.race([Promise.all([closing, loop]), new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
        clearTimeout(timer);
        if (!nc.isClosed()) await nc.flush().catch(() => undefined);
        if (!durable && !nc.isClosed()) await jsm.consumers.delete(o.stream, name).catch(() => undefined);
      },
    };
    subs.add(entry);
    return { subject, unsubscribe: () => entry.stop() };
  }

  return {
    kind: 'nats',
    durable: true,
    stream: o.stream,
    connection: nc,
    manager: jsm,
    publish,
    subscribe,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subs].map((s) => s.stop()));
      await nc.drain().catch(() => undefined);
    },
  };
}
