/**
 * The messages between the SQLite worker store (`sqlite-worker-store.ts`, main thread) and its
 * worker thread (`sqlite-worker-thread.ts`).
 *
 * In: `{ id, method, args }`. Out: first `{ kind: 'ready' }` or `{ kind: 'open-failed', error }`,
 * then per call `{ kind: 'result', id, value }` or `{ kind: 'error', id, error }`. Values cross
 * by structured clone (the measured cheapest way for journal batches, see the store).
 */

/** A call from the main thread. */
export interface WorkerRequest {
  id: number;
  method: WorkerMethod;
  args: unknown[];
}

/** An error as it crosses the thread boundary. */
export interface WorkerError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'open-failed'; error: WorkerError }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: WorkerError };

/** The store methods the worker serves (every method of {@link SqliteStore}). */
export const WORKER_METHODS = [
  'appendDetections',
  'readJournal',
  'detectionsInWindow',
  'lastSeq',
  'firstSeqSince',
  'countDetections',
  'appendTrackStates',
  'trackHistory',
  'trackStatesInWindow',
  'appendAlerts',
  'alertHistory',
  'upsertSensor',
  'getSensor',
  'listSensors',
  'deleteSensor',
  'upsertUser',
  'getUser',
  'listUsers',
  'deleteUser',
  'appendAudit',
  'audit',
  'quarantine',
  'quarantined',
  'prune',
  'pragmas',
  'close',
] as const;
export type WorkerMethod = (typeof WORKER_METHODS)[number];

export function toWorkerError(e: unknown): WorkerError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}), ...(e.stack !== undefined ? { stack: e.stack } : {}) };
  }
  return { name: 'Error', message: String(e) };
}

/** Rebuilds an error that came from the worker: same class (for the built-in ones), name, message and code. */
export function fromWorkerError(e: WorkerError): Error {
  const Ctor = e.name === 'TypeError' ? TypeError : e.name === 'RangeError' ? RangeError : Error;
  const err = new Ctor(e.message);
  if (err.name !== e.name) err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  if (e.stack !== undefined) err.stack = `${err.stack ?? `${e.name}: ${e.message}`}\n    (in the sqlite store worker thread:)\n${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}
