/**
 * The SQLite store in a worker thread: the same store (`createSqliteStore`, same file format,
 * same durability) run inside a `node:worker_threads` Worker, so that its synchronous work —
 * above all each append's commit and fsync — no longer blocks the main thread, where the
 * service parses HTTP and MQTT and runs the tracker.
 *
 * Every method posts `{ id, method, args }` to the worker and settles when the worker answers
 * (see `sqlite-worker-protocol.ts`). The worker serves the calls one at a time in the order they
 * were made, and answers an append only after its transaction committed: the durability
 * contract of {@link Store} holds as in the main-thread store. Errors keep their message (and
 * class for the built-in ones, and SQLite's `code`).
 *
 * Transfer: arguments and results cross by structured clone. Measured for journal batches of
 * 100-2,000 interchange rows (Node 20, this project's 2-core test machine): posting the batch
 * costs the main thread 0.6-0.75 µs per row, posting it as one JSON string 1.5-1.9 µs per row
 * (JSON.stringify is slower than the clone), so the rows are sent as they are.
 *
 * If the worker dies (an uncaught error, terminated, out of memory), every pending call is
 * rejected with an error that says so, and every later call fails with it; nothing hangs.
 * The worker does not keep the process alive while no call is pending.
 */

import { Worker } from 'node:worker_threads';
import { checkId } from '../common.js';
import type { SqliteStore, SqliteStoreOptions } from './sqlite-store.js';
import { fromWorkerError, type WorkerMethod, type WorkerReply, type WorkerRequest } from './sqlite-worker-protocol.js';

export type SqliteWorkerStoreOptions = SqliteStoreOptions;

/** The SQLite store run in a worker thread. */
export interface SqliteWorkerStore extends SqliteStore {
  /** The worker thread (for diagnostics and tests: terminating it simulates a crash of the store). */
  readonly worker: Worker;
}

const THREAD_URL = new URL('./sqlite-worker-thread.js', import.meta.url);

/**
 * The process's Node options for the worker (a worker inherits them by default), without
 * `--input-type`, which a worker refuses (a process started with `node --input-type=module -e`).
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--input-type=')) continue;
    if (argv[i] === '--input-type') {
      i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * Opens (creating if missing) a SQLite store at `options.path` in a worker thread; resolves
 * once the worker has opened the database (rejects with the worker's error when it cannot,
 * for example a newer schema version).
 */
export async function createSqliteWorkerStore(options: SqliteWorkerStoreOptions): Promise<SqliteWorkerStore> {
  const sync = options.sync ?? 'full';
  if (sync !== 'full' && sync !== 'normal') throw new TypeError(`createSqliteWorkerStore: sync is ${String(sync)}, expected "full" or "normal"`);
  const path = checkId('createSqliteWorkerStore', 'path', options.path);
  const worker = new Worker(THREAD_URL, { workerData: { path, sync } satisfies SqliteStoreOptions, execArgv: workerExecArgv(), name: 'skywarden-sqlite-store' });

  const pending = new Map<number, Pending>();
  let nextId = 1;
  /** Set once the worker is gone without being closed: every call fails with it. */
  let broken: Error | null = null;
  let closing: Promise<void> | null = null;
  let onOpen: { resolve: () => void; reject: (e: Error) => void } | null = null;
  const opened = new Promise<void>((resolve, reject) => (onOpen = { resolve, reject }));

  const fail = (why: string): void => {
    if (broken !== null) return;
    broken = new Error(`sqlite store ${path}: the worker thread ${why}; the store is unusable (restart the service)`);
    const calls = [...pending.values()];
    pending.clear();
    for (const p of calls) p.reject(new Error(broken.message));
    onOpen?.reject(new Error(broken.message));
  };

  worker.on('message', (m: WorkerReply) => {
    if (m.kind === 'ready') {
      worker.unref();
      onOpen?.resolve();
      return;
    }
    if (m.kind === 'open-failed') {
      onOpen?.reject(fromWorkerError(m.error));
      onOpen = null;
      return;
    }
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    // idle: let the process end (while closing, stay until the worker has ended)
    if (pending.size === 0 && closing === null) worker.unref();
    if (m.kind === 'result') p.resolve(m.value);
    else p.reject(fromWorkerError(m.error));
  });
  worker.on('error', (e: Error) => fail(`failed (${e.message})`));
  worker.on('messageerror', (e: Error) => {
    fail(`sent a message that could not be read (${e.message})`);
    void worker.terminate();
  });
  worker.on('exit', (code) => {
    // after close() the worker ends on its own, with no call left waiting
    if (closing === null || pending.size > 0) fail(`stopped (exit code ${code})`);
  });

  try {
    await opened;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  onOpen = null;

  const call = <T>(method: WorkerMethod, ...args: unknown[]): Promise<T> => {
    if (broken !== null) return Promise.reject(new Error(broken.message));
    if (closing !== null) return Promise.reject(new Error(`sqlite store ${path} is closed`));
    return send<T>(method, args);
  };
  const send = <T>(method: WorkerMethod, args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      try {
        worker.postMessage({ id, method, args } satisfies WorkerRequest);
      } catch (e) {
        // not cloneable (a function or symbol in a row): nothing was sent
        reject(e as Error);
        return;
      }
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });

  const store: SqliteWorkerStore = {
    kind: 'sqlite',
    path,
    sync,
    worker,
    pragmas: () => call('pragmas'),
    appendDetections: (inputs) => call('appendDetections', inputs),
    readJournal: (afterSeq, limit) => call('readJournal', afterSeq, limit),
    detectionsInWindow: (w) => call('detectionsInWindow', w),
    lastSeq: () => call('lastSeq'),
    firstSeqSince: (t) => call('firstSeqSince', t),
    countDetections: () => call('countDetections'),
    appendTrackStates: (rows) => call('appendTrackStates', rows),
    trackHistory: (track, w) => call('trackHistory', track, w),
    trackStatesInWindow: (w) => call('trackStatesInWindow', w),
    appendAlerts: (rows) => call('appendAlerts', rows),
    alertHistory: (w) => call('alertHistory', w),
    upsertSensor: (s) => call('upsertSensor', s),
    getSensor: (id) => call('getSensor', id),
    listSensors: () => call('listSensors'),
    deleteSensor: (id) => call('deleteSensor', id),
    upsertUser: (u) => call('upsertUser', u),
    getUser: (name) => call('getUser', name),
    listUsers: () => call('listUsers'),
    deleteUser: (name) => call('deleteUser', name),
    appendAudit: (a) => call('appendAudit', a),
    audit: (w) => call('audit', w),
    quarantine: (q) => call('quarantine', q),
    quarantined: (limit) => call('quarantined', limit),
    prune: (before) => call('prune', before),
    /**
     * Closes the database after the calls made before (they complete) and ends the worker.
     * Closing twice is harmless; closing after the worker died resolves (nothing to close).
     */
    close() {
      if (closing !== null) return closing;
      if (broken !== null) return (closing = Promise.resolve());
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const closed = send<void>('close', []);
      closing = closed.then(
        () => exited,
        async (e: Error) => {
          await worker.terminate();
          if (broken === null) throw e;
        },
      );
      return closing;
    },
  };
  return store;
}
