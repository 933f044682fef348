/**
 * The PostgreSQL store (node-postgres): all tables in one schema of the database, with
 * PostGIS point geometries for detections and track states that have a position, when the
 * PostGIS extension can be used.
 */

import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import {
  checkAlerts,
  checkAudit,
  checkFinite,
  checkId,
  checkJournalInputs,
  checkLimit,
  checkQuarantine,
  checkSensor,
  checkTrackStates,
  checkUser,
  checkWindow,
  createSerialQueue,
  detectionKey,
  MAX_ROWS_PER_QUERY,
  QUARANTINE_REASON_MAX,
  toUser,
  type UserDbRow,
} from '../common.js';
import { ensureGisLayout, typedColumnsMigration } from './postgres-gis.js';
import type { AlertRow, AuditRecord, JournalEntry, QuarantineRecord, SensorRecord, Store, TrackStateRow } from '../store.js';

export interface PostgresStoreOptions {
  /** libpq-style URL, e.g. `postgres://user@host:5432/db`. */
  connectionString: string;
  /** Schema that holds the store's tables (created if missing). Lower-case letters, digits, `_`. Default `skywarden`. */
  schema?: string;
  /** Use PostGIS when it is installed or can be installed (default true); false never touches it. */
  postgis?: boolean;
  /** Most connections the store opens at once (default 4). */
  maxConnections?: number;
  /** Called with errors of idle pooled connections (e.g. the server restarted); the next query fails on its own. */
  onIdleError?: (e: Error) => void;
}

/** The PostgreSQL store. */
export interface PostgresStore extends Store {
  readonly kind: 'postgres';
  /** Schema holding the tables. */
  readonly schema: string;
  /**
   * Whether this store has PostGIS geometries: `geom geometry(PointZ, 4326)` columns (lon, lat
   * in degrees, Z = alt_m above the WGS 84 ellipsoid) on detections, track states and sensors
   * whose row has finite `lat` and `lon`, `geometry(MultiPolygon, 4326)` on zones, and in the
   * `v_*` views (see postgres-gis.ts and docs/server.md). False when PostGIS is not available
   * (or disabled): the store, its typed columns and views work the same without geometry.
   */
  readonly postgis: boolean;
  /** Why PostGIS is not used (not installed on the server, no privilege to create it, disabled), when it is not. */
  readonly postgisMissing: string | null;
  /**
   * Replaces the GIS layers of the running configuration: the `zones` table (zones.geojson
   * features, each with `properties.id`) and `sensor_config` (sensors.json objects, each with
   * an `id`). Features or sensors without an id (or with U+0000 in it) are skipped; one transaction.
   */
  replaceLayers(layers: { zones: readonly Record<string, unknown>[]; sensors: readonly Record<string, unknown>[] }): Promise<void>;
}

/** Schema version this code writes and reads. */
export const POSTGRES_SCHEMA_VERSION = 3;

/** Migrations: entry `i` takes the schema from version `i` to `i + 1`; `S` is the quoted schema. */
const MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
  CREATE TABLE ${s}.detections (
    seq BIGSERIAL PRIMARY KEY,
    sensor TEXT NOT NULL,
    id TEXT NOT NULL,
    t DOUBLE PRECISION NOT NULL,
    received_at DOUBLE PRECISION NOT NULL,
    row JSON NOT NULL,
    UNIQUE (sensor, id)
  );
  CREATE INDEX detections_t ON ${s}.detections (t, seq);
  CREATE INDEX detections_sensor_t ON ${s}.detections (sensor, t, seq);
  CREATE TABLE ${s}.track_states (
    track TEXT NOT NULL,
    t DOUBLE PRECISION NOT NULL,
    row JSON NOT NULL,
    PRIMARY KEY (track, t)
  );
  CREATE INDEX track_states_t ON ${s}.track_states (t, track COLLATE "C");
  CREATE TABLE ${s}.alerts (
    n BIGSERIAL PRIMARY KEY,
    t DOUBLE PRECISION NOT NULL,
    zone TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('alert', 'clear')),
    row JSON NOT NULL
  );
  CREATE INDEX alerts_t ON ${s}.alerts (t, n);
  CREATE INDEX alerts_zone_t ON ${s}.alerts (zone, t, n);
  CREATE TABLE ${s}.sensors (
    id TEXT PRIMARY KEY,
    def JSON NOT NULL,
    credential_hash TEXT,
    updated_at DOUBLE PRECISION NOT NULL
  );
  CREATE TABLE ${s}.users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    created_at DOUBLE PRECISION NOT NULL
  );
  CREATE TABLE ${s}.audit (
    n BIGSERIAL PRIMARY KEY,
    t DOUBLE PRECISION NOT NULL,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail JSON NOT NULL
  );
  CREATE INDEX audit_t ON ${s}.audit (t, n);
  `,
  (s) => `
  CREATE TABLE ${s}.quarantine (
    seq BIGINT PRIMARY KEY,
    sensor TEXT NOT NULL,
    id TEXT NOT NULL,
    t DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
  );
  CREATE INDEX quarantine_at ON ${s}.quarantine (at);
  `,
  typedColumnsMigration,
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The connection string without its password, for messages. */
export function redactConnectionString(cs: string): string {
  try {
    const u = new URL(cs);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const r = await work();
    await client.query('COMMIT');
    return r;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Schema that holds the installed PostGIS extension, or null. */
async function postgisSchema(client: PoolClient): Promise<string | null> {
  const r = await client.query<{ nspname: string }>(
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'",
  );
  return r.rows[0]?.nspname ?? null;
}

/** Installs PostGIS when missing and possible; returns the schema that holds it, or why not. */
async function ensurePostgis(client: PoolClient): Promise<{ schema: string } | { why: string }> {
  const have = await postgisSchema(client);
  if (have !== null) return { schema: have };
  const avail = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'");
  if (avail.rowCount === 0) return { why: 'the PostGIS extension is not installed on the database server (Debian: postgresql-15-postgis-3)' };
  let err = '';
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
  } catch (e) {
    // No privilege, or another session installed it at the same moment: look again.
    err = (e as Error).message;
  }
  const now = await postgisSchema(client);
  return now !== null ? { schema: now } : { why: `CREATE EXTENSION postgis failed (${err}): a superuser can run it once in the database` };
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Opens a PostgreSQL store: connects, creates the schema and its tables if missing (schema
 * migrations recorded in `<schema>.schema_version`) and uses PostGIS when it can (see
 * {@link PostgresStore.postgis}). Rejects with the (password-less) address when the server
 * is unreachable.
 *
 * Journal sequence numbers come from a sequence: increasing and never reused, but not
 * gap-free (a rolled-back append or a duplicate consumes numbers). Appends are serialised
 * (in-process queue plus a transaction-scoped advisory lock per schema), so they commit in
 * sequence order and a reader following `readJournal(afterSeq)` never misses an entry.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = options.schema ?? 'skywarden';
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`createPostgresStore: schema is ${JSON.stringify(schema)}, expected lower-case letters, digits and _`);
  checkId('createPostgresStore', 'connectionString', options.connectionString);
  const S = quoteIdent(schema);
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4, connectionTimeoutMillis: 10_000 });
  pool.on('error', (e) => options.onIdleError?.(e));
  // a client checked out of the pool has no pool listener: when the server ends its connection
  // between queries (57P01 admin_shutdown at a restart) its 'error' would be unhandled and end
  // the process. The query in flight, if any, fails on its own; the pool drops the client.
  pool.on('connect', (client) => client.on('error', (e) => options.onIdleError?.(e)));

  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new Error(`postgres store: cannot connect to ${redactConnectionString(options.connectionString)}: ${(e as Error).message}`, { cause: e });
  }
  let gis: string | null = null;
  let gisMissing: string | null = options.postgis === false ? 'disabled (store.postgis: off)' : null;
  try {
    if (options.postgis !== false) {
      const r = await ensurePostgis(client);
      if ('schema' in r) gis = r.schema;
      else gisMissing = r.why;
    }
    await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`skywarden-migrate:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${S}.schema_version (version INTEGER NOT NULL)`);
      const got = await client.query<{ version: number }>(`SELECT version FROM ${S}.schema_version`);
      let version = got.rows[0]?.version ?? 0;
      if (got.rowCount === 0) await client.query(`INSERT INTO ${S}.schema_version (version) VALUES (0)`);
      if (version > POSTGRES_SCHEMA_VERSION) {
        throw new Error(`postgres store: schema ${schema} has version ${version}, newer than this code (${POSTGRES_SCHEMA_VERSION})`);
      }
      for (; version < POSTGRES_SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version](S));
      await client.query(`UPDATE ${S}.schema_version SET version = $1`, [version]);
      await ensureGisLayout(client, S, schema, gis === null ? null : quoteIdent(gis));
    });
  } catch (e) {
    client.release();
    await pool.end().catch(() => undefined);
    throw e;
  }
  client.release();

  const sql = {
    insertDetections: `
      INSERT INTO ${S}.detections (sensor, id, t, received_at, row)
      SELECT x.sensor, x.id, x.t, x.received_at, x.row::json
      FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::text[])
        WITH ORDINALITY AS x(sensor, id, t, received_at, row, ord)
      ORDER BY x.ord
      ON CONFLICT (sensor, id) DO NOTHING
      RETURNING seq, sensor, id`,
    upsertTracks: `
      INSERT INTO ${S}.track_states (track, t, row)
      SELECT x.track, x.t, x.row::json
      FROM unnest($1::text[], $2::float8[], $3::text[]) AS x(track, t, row)
      ON CONFLICT (track, t) DO UPDATE SET row = excluded.row`,
    insertAlerts: `
      INSERT INTO ${S}.alerts (t, zone, state, row)
      SELECT x.t, x.zone, x.state, x.row::json
      FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(t, zone, state, row, ord)
      ORDER BY x.ord`,
  };
  const detectionCols = 'seq, sensor, id, t, received_at, row';
  const journalLock = `skywarden-journal:${schema}`;
  const serial = createSerialQueue();

  let closed = false;
  const open = (): void => {
    if (closed) throw new Error(`postgres store (schema ${schema}) is closed`);
  };
  const query = async <R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> => (await pool.query<R>(text, values)).rows;

  const store: PostgresStore = {
    kind: 'postgres',
    schema,
    postgis: gis !== null,
    postgisMissing: gisMissing,

    async appendDetections(inputs) {
      open();
      checkJournalInputs(inputs);
      if (inputs.length === 0) return { results: [] };
      // Duplicates inside the batch: the first occurrence is inserted, later ones are duplicates.
      const first = new Map<string, number>();
      const unique: number[] = [];
      inputs.forEach((x, i) => {
        const k = detectionKey(x.sensor, x.id);
        if (!first.has(k)) {
          first.set(k, i);
          unique.push(i);
        }
      });
      const cols = { sensor: [] as string[], id: [] as string[], t: [] as number[], rec: [] as number[], row: [] as string[] };
      for (const i of unique) {
        const x = inputs[i];
        cols.sensor.push(x.sensor);
        cols.id.push(x.id);
        cols.t.push(x.t);
        cols.rec.push(x.receivedAt);
        cols.row.push(JSON.stringify(x.row));
      }
      const inserted = await serial(async () => {
        const client = await pool.connect();
        try {
          return await inTransaction(client, async () => {
            await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [journalLock]);
            const r = await client.query<{ seq: string; sensor: string; id: string }>(sql.insertDetections, [
              cols.sensor,
              cols.id,
              cols.t,
              cols.rec,
              cols.row,
            ]);
            return r.rows;
          });
        } finally {
          client.release();
        }
      });
      const seqOf = new Map<string, number>();
      for (const r of inserted) seqOf.set(detectionKey(r.sensor, r.id), Number(r.seq));
      return {
        results: inputs.map((x, i) => {
          const k = detectionKey(x.sensor, x.id);
          const seq = seqOf.get(k);
          return seq !== undefined && first.get(k) === i ? seq : 'duplicate';
        }),
      };
    },
    async readJournal(afterSeq, limit) {
      open();
      checkLimit('readJournal', 'afterSeq', afterSeq);
      const n = Math.min(checkLimit('readJournal', 'limit', limit), MAX_ROWS_PER_QUERY);
      if (n === 0) return [];
      return (await query<DetectionDbRow>(`SELECT ${detectionCols} FROM ${S}.detections WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, n])).map(toEntry);
    },
    async detectionsInWindow(w) {
      open();
      const { from, to, limit } = checkWindow('detectionsInWindow', w);
      const rows =
        w.sensor === undefined
          ? await query<DetectionDbRow>(`SELECT ${detectionCols} FROM ${S}.detections WHERE t >= $1 AND t <= $2 ORDER BY t, seq LIMIT $3`, [from, to, limit])
          : await query<DetectionDbRow>(`SELECT ${detectionCols} FROM ${S}.detections WHERE sensor = $1 AND t >= $2 AND t <= $3 ORDER BY t, seq LIMIT $4`, [
              checkId('detectionsInWindow', 'sensor', w.sensor),
              from,
              to,
              limit,
            ]);
      return rows.map(toEntry);
    },
    async lastSeq() {
      open();
      const r = await query<{ m: string }>(`SELECT COALESCE(MAX(seq), 0) AS m FROM ${S}.detections`);
      return Number(r[0].m);
    },
    async firstSeqSince(t) {
      open();
      checkFinite('firstSeqSince', 't', t);
      const r = await query<{ m: string | null }>(`SELECT MIN(seq) AS m FROM ${S}.detections WHERE t >= $1`, [t]);
      return r[0].m === null ? null : Number(r[0].m);
    },
    async countDetections() {
      open();
      const r = await query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${S}.detections`);
      return Number(r[0].n);
    },

    async appendTrackStates(rows) {
      open();
      checkTrackStates(rows);
      if (rows.length === 0) return;
      // One row per (track, t): the last one given wins, as if appended one after the other.
      const last = new Map<string, TrackStateRow>();
      for (const r of rows) last.set(detectionKey(r.track, String(r.t)), r);
      const cols = { track: [] as string[], t: [] as number[], row: [] as string[] };
      for (const r of last.values()) {
        cols.track.push(r.track);
        cols.t.push(r.t);
        cols.row.push(JSON.stringify(r.row));
      }
      await pool.query(sql.upsertTracks, [cols.track, cols.t, cols.row]);
    },
    async trackHistory(track, w) {
      open();
      checkId('trackHistory', 'track', track);
      const { from, to, limit } = checkWindow('trackHistory', w);
      const rows = await query<{ track: string; t: number; row: Record<string, unknown> }>(
        `SELECT track, t, row FROM ${S}.track_states WHERE track = $1 AND t >= $2 AND t <= $3 ORDER BY t LIMIT $4`,
        [track, from, to, limit],
      );
      return rows.map((r) => ({ t: r.t, track: r.track, row: r.row }));
    },
    async trackStatesInWindow(w) {
      open();
      const { from, to, limit } = checkWindow('trackStatesInWindow', w);
      const rows = await query<{ track: string; t: number; row: Record<string, unknown> }>(
        `SELECT track, t, row FROM ${S}.track_states WHERE t >= $1 AND t <= $2 ORDER BY t, track COLLATE "C" LIMIT $3`,
        [from, to, limit],
      );
      return rows.map((r) => ({ t: r.t, track: r.track, row: r.row }));
    },

    async appendAlerts(rows) {
      open();
      checkAlerts(rows);
      if (rows.length === 0) return;
      await pool.query(sql.insertAlerts, [rows.map((r) => r.t), rows.map((r) => r.zone), rows.map((r) => r.state), rows.map((r) => JSON.stringify(r.row))]);
    },
    async alertHistory(w) {
      open();
      const { from, to, limit } = checkWindow('alertHistory', w);
      const rows =
        w.zone === undefined
          ? await query<AlertRow>(`SELECT t, zone, state, row FROM ${S}.alerts WHERE t >= $1 AND t <= $2 ORDER BY t DESC, n DESC LIMIT $3`, [from, to, limit])
          : await query<AlertRow>(`SELECT t, zone, state, row FROM ${S}.alerts WHERE zone = $1 AND t >= $2 AND t <= $3 ORDER BY t DESC, n DESC LIMIT $4`, [
              checkId('alertHistory', 'zone', w.zone),
              from,
              to,
              limit,
            ]);
      return rows.map((r) => ({ t: r.t, zone: r.zone, state: r.state, row: r.row }));
    },

    async upsertSensor(s) {
      open();
      checkSensor(s);
      await pool.query(
        `INSERT INTO ${S}.sensors (id, def, credential_hash, updated_at) VALUES ($1, $2::json, $3, $4)
         ON CONFLICT (id) DO UPDATE SET def = excluded.def, credential_hash = excluded.credential_hash, updated_at = excluded.updated_at`,
        [s.id, JSON.stringify(s.def), s.credentialHash, s.updatedAt],
      );
    },
    async getSensor(id) {
      open();
      const r = await query<SensorDbRow>(`SELECT id, def, credential_hash, updated_at FROM ${S}.sensors WHERE id = $1`, [checkId('getSensor', 'id', id)]);
      return r.length === 0 ? null : toSensor(r[0]);
    },
    async listSensors() {
      open();
      return (await query<SensorDbRow>(`SELECT id, def, credential_hash, updated_at FROM ${S}.sensors ORDER BY id COLLATE "C"`)).map(toSensor);
    },
    async deleteSensor(id) {
      open();
      const r = await pool.query(`DELETE FROM ${S}.sensors WHERE id = $1`, [checkId('deleteSensor', 'id', id)]);
      return (r.rowCount ?? 0) > 0;
    },

    async upsertUser(u) {
      open();
      checkUser(u);
      await pool.query(
        `INSERT INTO ${S}.users (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, created_at = excluded.created_at`,
        [u.name, u.passwordHash, u.role, u.createdAt],
      );
    },
    async getUser(name) {
      open();
      const r = await query<UserDbRow>(`SELECT name, password_hash, role, created_at FROM ${S}.users WHERE name = $1`, [checkId('getUser', 'name', name)]);
      return r.length === 0 ? null : toUser(r[0]);
    },
    async listUsers() {
      open();
      return (await query<UserDbRow>(`SELECT name, password_hash, role, created_at FROM ${S}.users ORDER BY name COLLATE "C"`)).map(toUser);
    },
    async deleteUser(name) {
      open();
      const r = await pool.query(`DELETE FROM ${S}.users WHERE name = $1`, [checkId('deleteUser', 'name', name)]);
      return (r.rowCount ?? 0) > 0;
    },

    async appendAudit(a) {
      open();
      checkAudit(a);
      await pool.query(`INSERT INTO ${S}.audit (t, user_name, action, target, detail) VALUES ($1, $2, $3, $4, $5::json)`, [
        a.t,
        a.user,
        a.action,
        a.target,
        JSON.stringify(a.detail),
      ]);
    },
    async audit(w) {
      open();
      const { from, to, limit } = checkWindow('audit', w);
      const rows = await query<{ t: number; user_name: string; action: string; target: string; detail: Record<string, unknown> }>(
        `SELECT t, user_name, action, target, detail FROM ${S}.audit WHERE t >= $1 AND t <= $2 ORDER BY t DESC, n DESC LIMIT $3`,
        [from, to, limit],
      );
      return rows.map((r): AuditRecord => ({ t: r.t, user: r.user_name, action: r.action, target: r.target, detail: r.detail }));
    },

    async quarantine(q) {
      open();
      checkQuarantine(q);
      await pool.query(`INSERT INTO ${S}.quarantine (seq, sensor, id, t, reason, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING`, [
        q.seq,
        q.sensor,
        q.id,
        q.t,
        q.reason.slice(0, QUARANTINE_REASON_MAX),
        q.at,
      ]);
    },
    async quarantined(limit) {
      open();
      const rows = await query<{ seq: string; sensor: string; id: string; t: number; reason: string; at: number }>(
        `SELECT seq, sensor, id, t, reason, at FROM ${S}.quarantine ORDER BY seq DESC LIMIT $1`,
        [Math.min(checkLimit('quarantined', 'limit', limit), MAX_ROWS_PER_QUERY)],
      );
      return rows.map((r): QuarantineRecord => ({ seq: Number(r.seq), sensor: r.sensor, id: r.id, t: r.t, reason: r.reason, at: r.at }));
    },

    async replaceLayers(layers) {
      open();
      // a text column cannot hold U+0000: an id with one is skipped, a name loses it
      const usableId = (v: unknown): v is string => typeof v === 'string' && v !== '' && !v.includes('\u0000');
      const text = (v: unknown): string | null => (typeof v === 'string' ? v.replaceAll('\u0000', '') : null);
      const zoneRows = layers.zones.flatMap((f) => {
        const p = (f.properties ?? {}) as Record<string, unknown>;
        if (!usableId(p.id)) return [];
        return [{ id: p.id, name: text(p.name), kind: text(p.kind), lead: typeof p.lead_s === 'number' && Number.isFinite(p.lead_s) ? p.lead_s : null, feature: JSON.stringify(f) }];
      });
      const sensorRows = layers.sensors.filter((d) => usableId(d.id));
      const client = await pool.connect();
      try {
        await inTransaction(client, async () => {
          await client.query(`DELETE FROM ${S}.zones`);
          await client.query(
            `INSERT INTO ${S}.zones (id, name, kind, lead_s, feature)
             SELECT x.id, x.name, x.kind, x.lead_s, x.feature::json FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[]) AS x(id, name, kind, lead_s, feature)
             ON CONFLICT (id) DO NOTHING`,
            [zoneRows.map((z) => z.id), zoneRows.map((z) => z.name), zoneRows.map((z) => z.kind), zoneRows.map((z) => z.lead), zoneRows.map((z) => z.feature)],
          );
          await client.query(`DELETE FROM ${S}.sensor_config`);
          await client.query(
            `INSERT INTO ${S}.sensor_config (id, def) SELECT x.id, x.def::json FROM unnest($1::text[], $2::text[]) AS x(id, def) ON CONFLICT (id) DO NOTHING`,
            [sensorRows.map((d) => d.id as string), sensorRows.map((d) => JSON.stringify(d))],
          );
        });
      } finally {
        client.release();
      }
    },

    async prune(before) {
      open();
      checkFinite('prune', 'before', before);
      const client = await pool.connect();
      try {
        return await inTransaction(client, async () => {
          await client.query(`DELETE FROM ${S}.quarantine WHERE t < $1`, [before]);
          const d = await client.query(`DELETE FROM ${S}.detections WHERE t < $1`, [before]);
          const s = await client.query(`DELETE FROM ${S}.track_states WHERE t < $1`, [before]);
          return (d.rowCount ?? 0) + (s.rowCount ?? 0);
        });
      } finally {
        client.release();
      }
    },
    /** Closes the connections (after appends in flight finished); closing twice is harmless. */
    async close() {
      if (closed) return;
      closed = true;
      await serial(async () => undefined);
      await pool.end();
    },
  };
  return store;
}

interface DetectionDbRow {
  seq: string;
  sensor: string;
  id: string;
  t: number;
  received_at: number;
  row: Record<string, unknown>;
}

function toEntry(r: DetectionDbRow): JournalEntry {
  return { seq: Number(r.seq), t: r.t, sensor: r.sensor, id: r.id, row: r.row, receivedAt: r.received_at };
}

interface SensorDbRow {
  id: string;
  def: Record<string, unknown>;
  credential_hash: string | null;
  updated_at: number;
}

function toSensor(r: SensorDbRow): SensorRecord {
  return { id: r.id, def: r.def, credentialHash: r.credential_hash, updatedAt: r.updated_at };
}

