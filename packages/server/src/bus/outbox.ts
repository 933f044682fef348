/**
 * The journal's way onto the bus: journalled detections are published in journal order, one
 * publication at a time (what is queued meanwhile goes out together in the next). A failed
 * publication (the bus is down, restarting, or slow) is retried with backoff, and nothing later
 * overtakes it. When more than `maxRows` rows wait, the queue is dropped and the outbox reads
 * them back from the journal (which holds every one) until it has caught up: an outage of any
 * length costs memory bounded by `maxRows`. (The service's own picture does not wait for the
 * bus: it takes what the service journalled at once; the bus carries it to other nodes.)
 */

/** A journalled detection as the bus carries it. */
export interface BusRow {
  seq: number;
  id?: string;
  row: Record<string, unknown>;
}

export interface BusOutboxOptions {
  /** Publishes messages (each an array of rows) in order; resolves when the bus holds them all. */
  publish(messages: BusRow[][]): Promise<void>;
  /** Journal entries with seq > `afterSeq`, in seq order, at most `limit`, as bus rows. */
  readJournal(afterSeq: number, limit: number): Promise<BusRow[]>;
  /** Rows per message. */
  chunk: number;
  /** Rows queued before the outbox falls back to reading the journal. */
  maxRows: number;
  /** Told of each failed publication, with its rows (the outbox retries them). */
  onError(err: unknown, rows: readonly BusRow[]): void;
  /** Told when reading the journal back failed (the outbox retries). */
  onReadError(err: unknown): void;
}

export interface BusOutbox {
  /** Rows just journalled (in seq order, after the previous ones). */
  push(rows: BusRow[]): void;
  /** Resolves when everything pushed is on the bus, or after `timeoutMs` (false then). */
  settled(timeoutMs: number): Promise<boolean>;
  /** Stops retrying (what is left stays in the journal); a pending `settled` resolves false. */
  close(): void;
  readonly stats: { published: number; failures: number; fromJournal: number };
}

const BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];
const PAGE = 5000;

export function createBusOutbox(o: BusOutboxOptions): BusOutbox {
  let queue: BusRow[] = [];
  /** Backlog mode: the first seq not yet on the bus, read from the journal; null: queue mode. */
  let backlogFrom: number | null = null;
  /** Highest seq pushed. */
  let latest = 0;
  let running = false;
  let closed = false;
  let wake: (() => void) | null = null;
  const idle: ((done: boolean) => void)[] = [];
  const stats = { published: 0, failures: 0, fromJournal: 0 };

  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
  const toMessages = (rows: BusRow[]) => {
    const m: BusRow[][] = [];
    for (let i = 0; i < rows.length; i += o.chunk) m.push(rows.slice(i, i + o.chunk));
    return m;
  };

  /** Too many rows waiting: drop the queue, the journal has them (backlog mode from its first). */
  function overflowToJournal(): void {
    if (queue.length <= o.maxRows) return;
    backlogFrom = queue[0].seq;
    queue = [];
  }

  async function pump(): Promise<void> {
    if (running) return;
    running = true;
    let failures = 0;
    try {
      while (!closed) {
        let rows: BusRow[];
        const fromJournal = backlogFrom !== null;
        if (backlogFrom !== null) {
          rows = await o.readJournal(backlogFrom - 1, PAGE).catch((err: unknown) => {
            o.onReadError(err);
            return [];
          });
          if (rows.length === 0) {
            if (latest < backlogFrom) backlogFrom = null; // nothing newer journalled: caught up
            else if (!closed) await sleep(BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]);
            continue;
          }
        } else {
          if (queue.length === 0) break;
          rows = queue;
          queue = [];
        }
        try {
          await o.publish(toMessages(rows));
          failures = 0;
          stats.published += rows.length;
          if (fromJournal) stats.fromJournal += rows.length;
          if (backlogFrom !== null) {
            // (the queue may have overflowed while these were in flight: the journal resumes after them)
            backlogFrom = rows[rows.length - 1].seq + 1;
            if (backlogFrom > latest) backlogFrom = null; // caught up: later rows come through the queue
          }
        } catch (err) {
          stats.failures++;
          o.onError(err, rows);
          if (backlogFrom === null) {
            // back to the front; too many waiting: the journal has them
            queue = rows.concat(queue);
            overflowToJournal();
          } else if (rows[0].seq < backlogFrom) backlogFrom = rows[0].seq; // the queue overflowed while these were in flight
          if (!closed) await sleep(BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]);
        }
      }
    } finally {
      running = false;
      if (queue.length === 0 && backlogFrom === null) for (const f of idle.splice(0)) f(true);
    }
  }

  return {
    stats,
    push(rows) {
      if (closed || rows.length === 0) return;
      latest = rows[rows.length - 1].seq;
      if (backlogFrom === null) {
        for (const r of rows) queue.push(r);
        overflowToJournal();
      }
      void pump();
    },
    settled(timeoutMs) {
      if (!running && queue.length === 0 && backlogFrom === null) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(t);
          const i = idle.indexOf(done);
          if (i >= 0) idle.splice(i, 1);
          resolve(ok);
        };
        const t = setTimeout(() => done(false), timeoutMs);
        idle.push(done);
      });
    },
    close() {
      closed = true;
      wake?.();
      for (const f of idle.splice(0)) f(queue.length === 0 && backlogFrom === null && !running);
    },
  };
}
