/**
 * The one ingest path every adapter (HTTP, MQTT, and later SAPIENT and CoT) goes through:
 * validate each detection (the interchange checks, plus: the publisher may publish for
 * that sensor, a per-sensor rate limit, not dated in the future), journal the good ones
 * with a group commit (many callers' detections in one transaction), and only then report
 * them accepted, so that the adapter acknowledges only what is on disk. A bad detection
 * never costs the good ones around it: each gets its own verdict.
 */
import { createHash } from 'node:crypto';
import { parseDetectionRow } from '@skywarden/formats';
import type { Detection } from '@skywarden/core';
import type { JournalInput, Store } from '../store/store.js';
import type { ErrorCode } from '../errors.js';
import { mayPublish, type Principal } from '../auth.js';
import type { SensorRegistry } from '../sensors.js';
import { createTokenBucket, refillBucket, takeTokens, tokensAt, type TokenBucket } from '../token-bucket.js';

export interface Rejection {
  /** Index of the detection in the batch. */
  index: number;
  code: ErrorCode;
  message: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  /**
   * Journalled (acknowledged, kept) detections this process's live picture did not take, by
   * index, with why: most often one older than the picture's reorder delay allows (a sensor's
   * clock behind). Empty when the picture took them all, or when it runs elsewhere (a fusion
   * worker takes them from the bus).
   */
  notFused: { index: number; message: string }[];
}

export interface IngestOptions {
  store: Store;
  sensors: SensorRegistry;
  /** Service clock (s). */
  now: () => number;
  ratePerS: number;
  burst: number;
  maxFutureS: number;
  maxBatch: number;
  commitWaitMs: number;
  /**
   * Called with the journalled detections, in journal order, after each commit; may return, by
   * journal sequence number, why the live picture refused some of them (IngestResult.notFused).
   */
  onJournalled: (batch: { seq: number; detection: Detection; row: Record<string, unknown> }[]) => ReadonlyMap<number, string> | void;
  /** Counters for metrics: accepted by source, rejected by code. */
  onCount?: (source: string, what: 'accepted' | 'duplicate' | ErrorCode, n: number) => void;
  /** Duration (s) and size of each journal commit. */
  onCommit?: (seconds: number, detections: number) => void;
}

interface Pending {
  inputs: JournalInput[];
  detections: Detection[];
  resolve: (r: (number | 'duplicate')[], refused: ReadonlyMap<number, string> | undefined) => void;
  reject: (e: Error) => void;
}

/** A stable id for a detection without one: a hash of its row, so that a resend is a duplicate. */
export function detectionIdOf(row: Record<string, unknown>): string {
  return 'h' + createHash('sha1').update(JSON.stringify(row)).digest('base64url').slice(0, 20);
}

export function createIngest(o: IngestOptions) {
  const buckets = new Map<string, TokenBucket>();
  let queue: Pending[] = [];
  let queued = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  /** Rate limits set for one sensor (a TAK Server's observer sensor), in place of the ingest's. */
  const limits = new Map<string, { ratePerS: number; burst: number }>();
  const limitOf = (sensor: string): { ratePerS: number; burst: number } => limits.get(sensor) ?? o;
  /** How a refusal names the sensor's limit. */
  const limitText = (sensor: string): string => {
    const l = limitOf(sensor);
    return `${l.ratePerS}/s (burst ${l.burst})`;
  };

  /** Refills the sensor's bucket to `now`; the bucket, or undefined when the sensor has none yet. */
  function refill(sensor: string, now: number): TokenBucket | undefined {
    const b = buckets.get(sensor);
    if (b) refillBucket(b, now);
    return b;
  }

  /** The bucket of sensor or credential `id`, made full at `now` (with its limit) when it has none yet. */
  function bucketOf(id: string, now: number): TokenBucket {
    let b = buckets.get(id);
    if (!b) {
      const l = limitOf(id);
      buckets.set(id, (b = createTokenBucket(l.ratePerS, l.burst, now)));
    }
    return b;
  }

  function takeToken(sensor: string, now: number): boolean {
    return takeTokens(bucketOf(sensor, now), 1, now);
  }

  /**
   * Charges `n` rows that were refused to credential `id` (a sensor's or a gateway's): its bucket
   * may run into debt, down to minus its burst, and while it owes, its batches are refused
   * before anything in them is read (`owes`). Rows that fail validation cost the service their
   * parsing as good ones do, and cost the sender nothing before: one credential sending
   * batches of malformed rows held the event loop for seconds (an outside probe, 2026-12-07).
   */
  function debit(id: string, n: number, now: number): void {
    if (!(n > 0)) return;
    const b = bucketOf(id, now);
    refillBucket(b, now);
    b.tokens = Math.max(-b.burst, b.tokens - n);
  }

  /** Seconds until credential `id`'s bucket is out of debt; 0 when it owes nothing. */
  function owes(id: string, now: number): number {
    const b = buckets.get(id);
    if (!b) return 0;
    const tokens = tokensAt(b, Math.max(now, b.at));
    return tokens < 0 ? -tokens / b.ratePerS : 0;
  }

  /** The refusal of a batch of a credential that owes. */
  const owesMessage = (id: string, now: number): string =>
    `${JSON.stringify(id)} sent more refused detections (invalid, not its sensor's, or from the future) than its rate limit of ${limitText(id)} allows: nothing of its batches is read for about ${Math.ceil(owes(id, now))} s`;

  /** Whether the sensor has no token left now (its bucket refilled to now; none taken). */
  function outOfTokens(sensor: string, now: number): boolean {
    const b = refill(sensor, now);
    return b !== undefined && b.tokens < 1;
  }

  async function commit(batch: Pending[]): Promise<void> {
    const inputs = batch.flatMap((p) => p.inputs);
    let results: (number | 'duplicate')[];
    const started = performance.now();
    try {
      results = (await o.store.appendDetections(inputs)).results;
      o.onCommit?.((performance.now() - started) / 1000, inputs.length);
    } catch (err) {
      // one caller's input must not fail the others of the group: commit each alone
      if (batch.length > 1) {
        for (const p of batch) await commit([p]);
        return;
      }
      for (const p of batch) p.reject(err as Error);
      return;
    }
    const out: { seq: number; detection: Detection; row: Record<string, unknown> }[] = [];
    let k = 0;
    for (const p of batch) {
      for (let i = 0; i < p.inputs.length; i++) {
        const r = results[k + i];
        if (r !== 'duplicate') out.push({ seq: r, detection: p.detections[i], row: p.inputs[i].row });
      }
      k += p.inputs.length;
    }
    // the picture is fed before the callers are answered, so that they can be told what it refused
    let refused: ReadonlyMap<number, string> | undefined;
    try {
      if (out.length > 0) refused = o.onJournalled(out) ?? undefined;
    } catch {
      // the detections are journalled: their callers are answered whatever the picture did
      // (the service logs its own faults); an exception here left them waiting for ever
    }
    k = 0;
    for (const p of batch) {
      p.resolve(results.slice(k, k + p.inputs.length), refused);
      k += p.inputs.length;
    }
  }

  function flush(): void {
    timer = null;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    queued = 0;
    writing = writing.then(() => commit(batch));
  }

  function enqueue(inputs: JournalInput[], detections: Detection[]): Promise<{ results: (number | 'duplicate')[]; refused: ReadonlyMap<number, string> | undefined }> {
    return new Promise((resolve, reject) => {
      queue.push({ inputs, detections, resolve: (results, refused) => resolve({ results, refused }), reject });
      queued += inputs.length;
      if (queued >= 2000 || o.commitWaitMs <= 0) flush();
      else if (!timer) timer = setTimeout(flush, o.commitWaitMs);
    });
  }

  return {
    /** Detections `sensor` may send now within its rate limit (its bucket refilled to now; none taken). */
    available(sensor: string): number {
      const b = buckets.get(sensor);
      return Math.floor(b ? tokensAt(b, Math.max(o.now(), b.at)) : limitOf(sensor).burst);
    },
    /**
     * Sets `sensor`'s own rate limit in place of the ingest's (a feed that relays many sources
     * under one sensor, such as a TAK Server's markers, wants a lower one). Its bucket keeps the
     * tokens it holds, at most the new burst.
     */
    setLimit(sensor: string, ratePerS: number, burst: number): void {
      if (!(ratePerS > 0) || !(burst >= 1)) throw new RangeError(`sensor ${JSON.stringify(sensor)}: a rate limit needs a rate above 0 and a burst of at least 1 (got ${ratePerS}/s, burst ${burst})`);
      limits.set(sensor, { ratePerS, burst });
      const b = refill(sensor, o.now());
      if (b) {
        b.ratePerS = ratePerS;
        b.burst = burst;
        b.tokens = Math.min(b.tokens, burst);
      }
    },
    /** Charges `n` refused rows (lines that were not JSON, before the ingest saw them) to credential `id` ({@link debit}). */
    debit(id: string, n: number): void {
      debit(id, n, o.now());
    },
    /**
     * Seconds until credential `id` may send again after its refused rows ran its bucket into
     * debt; 0 when it may. A transport refuses a batch of a credential that owes before reading it.
     */
    owes(id: string): number {
      return owes(id, o.now());
    },
    /** The refusal of a batch of a credential that {@link owes}. */
    owesMessage(id: string): string {
      return owesMessage(id, o.now());
    },
    /**
     * Counts `n` detections of `sensor` from `source` that a listener refused for the sensor's rate
     * before building them (it asked {@link available}): counted and noted for the sensor as the
     * ingest's own refusals are.
     */
    refusedForRate(source: string, sensor: string, n: number): void {
      if (n <= 0) return;
      o.onCount?.(source, 'rate_limited', n);
      o.sensors.rejected(sensor, o.now(), `${n} detections of sensor ${JSON.stringify(sensor)} beyond its rate limit of ${limitText(sensor)}`);
    },
    /**
     * Validates and journals a batch from `principal` (null: trusted, e.g. the demo's own
     * in-process feed). Resolves once every accepted detection is journalled; rejects only
     * when the journal itself fails (then nothing of the batch may be acknowledged).
     */
    async ingest(principal: Principal | null, items: readonly unknown[], source: string): Promise<IngestResult> {
      if (closed) throw new Error('ingest is closed');
      const now = o.now();
      const rejected: Rejection[] = [];
      const inputs: JournalInput[] = [];
      const dets: Detection[] = [];
      /** Each journal input's index in `items`. */
      const indexOf: number[] = [];
      const count = (what: 'accepted' | 'duplicate' | ErrorCode, n = 1) => o.onCount?.(source, what, n);
      const seenIds = new Set<string>();
      let duplicates = 0;
      // a credential in debt for the rows it had refused: nothing of the batch is read
      if (principal && owes(principal.id, now) > 0) {
        const message = owesMessage(principal.id, now);
        for (let i = 0; i < items.length; i++) rejected.push({ index: i, code: 'rate_limited', message: `detection ${i}: ${message}` });
        count('rate_limited', items.length);
        return { accepted: 0, duplicates: 0, rejected, notFused: [] };
      }
      /** Rows refused for what they hold, charged to the credential at the end. */
      let refusedRows = 0;
      for (let i = 0; i < items.length; i++) {
        const row = items[i];
        const fail = (code: ErrorCode, message: string, sensor?: string) => {
          rejected.push({ index: i, code, message });
          count(code);
          if (code !== 'rate_limited') refusedRows++;
          if (sensor) o.sensors.rejected(sensor, now, message);
        };
        if (row === null || typeof row !== 'object' || Array.isArray(row)) {
          fail('invalid_detection', `detection ${i}: must be a JSON object, got ${row === null ? 'null' : Array.isArray(row) ? 'an array' : typeof row}`);
          continue;
        }
        const r = row as Record<string, unknown>;
        const sensor = r.sensor;
        if (principal && typeof sensor === 'string' && !mayPublish(principal, sensor)) {
          fail('sensor_mismatch', `detection ${i}: ${principal.gateway ? 'gateway' : 'sensor'} ${JSON.stringify(principal.id)} may not publish for sensor ${JSON.stringify(sensor)}`);
          continue;
        }
        // a sensor over its rate is refused before its row is checked: 5,900 plots a datagram, a
        // thousand datagrams in 10 s, were each validated in full before the limit refused them
        // (an ASTERIX sender held the service for 10 s: an outside probe, 2026-12-06)
        if (typeof sensor === 'string' && outOfTokens(sensor, now)) {
          fail('rate_limited', `detection ${i}: sensor ${JSON.stringify(sensor)} exceeds its rate limit of ${limitText(sensor)}`, sensor);
          continue;
        }
        const p = parseDetectionRow(r, i, o.sensors.sensors);
        if (!p.ok) {
          fail('invalid_detection', `detection ${i}: ${p.reason}`, typeof sensor === 'string' ? sensor : undefined);
          continue;
        }
        const d = p.detection;
        if (d.t > now + o.maxFutureS) {
          fail('in_future', `detection ${i}: t ${d.t} is ${(d.t - now).toFixed(1)} s ahead of the service clock (at most ${o.maxFutureS} s allowed)`, d.sensorId);
          continue;
        }
        if (!takeToken(d.sensorId, now)) {
          fail('rate_limited', `detection ${i}: sensor ${JSON.stringify(d.sensorId)} exceeds its rate limit of ${limitText(d.sensorId)}`, d.sensorId);
          continue;
        }
        const id = d.id ?? detectionIdOf(r);
        if (seenIds.has(id)) {
          duplicates++;
          count('duplicate');
          continue;
        }
        seenIds.add(id);
        if (d.id === undefined) d.id = `${d.sensorId}:${id}`;
        inputs.push({ t: d.t, sensor: d.sensorId, id, row: r, receivedAt: now });
        dets.push(d);
        indexOf.push(i);
      }
      if (principal) debit(principal.id, refusedRows, now);
      let accepted = 0;
      const notFused: { index: number; message: string }[] = [];
      if (inputs.length > 0) {
        const { results, refused } = await enqueue(inputs, dets);
        for (let i = 0; i < results.length; i++) {
          const r = results[i];
          if (r === 'duplicate') {
            duplicates++;
            count('duplicate');
          } else {
            accepted++;
            const why = refused?.get(r);
            if (why !== undefined) notFused.push({ index: indexOf[i], message: `detection ${indexOf[i]}: journalled, but not taken by the live picture: ${why}` });
            const row = inputs[i].row;
            const sp = typeof row.sensor_lat === 'number' && typeof row.sensor_lon === 'number' ? { lat: row.sensor_lat, lon: row.sensor_lon } : undefined;
            o.sensors.accepted(inputs[i].sensor, now, sp);
          }
        }
        if (accepted > 0) count('accepted', accepted);
      }
      return { accepted, duplicates, rejected, notFused };
    },
    get maxBatch() {
      return o.maxBatch;
    },
    /** Writes what is queued and waits for it. */
    async drain(): Promise<void> {
      if (timer) clearTimeout(timer);
      flush();
      await writing;
    },
    async close(): Promise<void> {
      closed = true;
      await this.drain();
    },
  };
}
export type Ingest = ReturnType<typeof createIngest>;
