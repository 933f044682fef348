/** The store API: the interface, the SQLite (in the calling thread or a worker thread) and PostgreSQL implementations and their limits. */
export type * from './store.js';
export { MAX_ROWS_PER_QUERY } from './common.js';
export { createSqliteStore, SQLITE_SCHEMA_VERSION, type SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { backupSqliteStore } from './sqlite/backup.js';
export { createSqliteWorkerStore, type SqliteWorkerStore, type SqliteWorkerStoreOptions } from './sqlite/sqlite-worker-store.js';
export {
  createPostgresStore,
  POSTGRES_SCHEMA_VERSION,
  redactConnectionString,
  type PostgresStore,
  type PostgresStoreOptions,
} from './postgres/postgres-store.js';
