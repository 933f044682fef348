/**
 * The worker thread of the SQLite worker store (`sqlite-worker-store.ts`): opens the SQLite
 * store (`createSqliteStore`, options from `workerData`) and serves the main thread's calls,
 * one at a time in arrival order.
 *
 * Messages: see `sqlite-worker-protocol.ts`. A call's reply is posted only after the store's method
 * settled, so an append is answered after its transaction committed. After `close` is
 * answered the thread closes its port and ends.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { toWorkerError, WORKER_METHODS, type WorkerReply, type WorkerRequest } from './sqlite-worker-protocol.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('sqlite-worker-thread.js runs as a worker thread (see createSqliteWorkerStore)');
  let store: SqliteStore;
  try {
    store = await createSqliteStore(workerData as SqliteStoreOptions);
  } catch (e) {
    port.postMessage({ kind: 'open-failed', error: toWorkerError(e) } satisfies WorkerReply);
    port.close();
    return;
  }
  const methods = new Set<string>(WORKER_METHODS);
  port.on('message', (m: WorkerRequest) => {
    void (async () => {
      let reply: WorkerReply;
      try {
        if (!methods.has(m.method)) throw new Error(`sqlite store worker: unknown method ${String(m.method)}`);
        const fn = store[m.method] as (...args: unknown[]) => Promise<unknown>;
        reply = { kind: 'result', id: m.id, value: await fn.apply(store, m.args) };
      } catch (e) {
        reply = { kind: 'error', id: m.id, error: toWorkerError(e) };
      }
      port.postMessage(reply);
      if (m.method === 'close' && reply.kind === 'result') port.close();
    })();
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

await main();
