/**
 * The SQLite store (better-sqlite3): one database file in WAL mode. better-sqlite3 is
 * synchronous, so every method does its work at once and returns a settled promise.
 */

import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import {
  checkAlerts,
  checkAudit,
  checkId,
  checkFinite,
  checkJournalInputs,
  checkLimit,
  checkQuarantine,
  checkSensor,
  checkTrackStates,
  checkUser,
  checkWindow,
  MAX_ROWS_PER_QUERY,
  QUARANTINE_REASON_MAX,
  toUser,
  type UserDbRow,
} from '../common.js';
import type {
  AlertRow,
  AppendResult,
  AuditRecord,
  JournalEntry,
  JournalInput,
  QuarantineRecord,
  SensorRecord,
  Store,
  TimeWindow,
  TrackStateRow,
} from '../store.js';

export interface SqliteStoreOptions {
  /** Database file (created if missing). */
  path: string;
  /**
   * `full` (default): every committed append is fsynced, so it survives a process crash
   * and a power loss. `normal`: committed appends survive a process crash (kill -9) but the
   * last ones may be lost on power loss or an operating system crash; appends are faster.
   */
  sync?: 'full' | 'normal';
}

/** The SQLite store, with its file and synchronous mode. */
export interface SqliteStore extends Store {
  readonly kind: 'sqlite';
  readonly path: string;
  readonly sync: 'full' | 'normal';
  /** The connection's journal mode (`wal`) and synchronous level (2 = FULL, 1 = NORMAL), as SQLite reports them. */
  pragmas(): Promise<{ journalMode: string; synchronous: number }>;
}

/** Schema version this code writes and reads. */
export const SQLITE_SCHEMA_VERSION = 2;

/** Migrations: entry `i` takes the schema from version `i` to `i + 1`. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE detections (
    seq INTEGER PRIMARY KEY,
    sensor TEXT NOT NULL,
    id TEXT NOT NULL,
    t REAL NOT NULL,
    received_at REAL NOT NULL,
    row TEXT NOT NULL,
    UNIQUE (sensor, id)
  );
  CREATE INDEX detections_t ON detections (t, seq);
  CREATE INDEX detections_sensor_t ON detections (sensor, t, seq);
  -- next_seq: the next journal sequence number; kept apart from MAX(seq) so that numbers
  -- are never reused after prune removed the newest rows.
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO counters (name, value) VALUES ('next_seq', 1);
  CREATE TABLE track_states (
    track TEXT NOT NULL,
    t REAL NOT NULL,
    row TEXT NOT NULL,
    PRIMARY KEY (track, t)
  );
  CREATE INDEX track_states_t ON track_states (t, track);
  CREATE TABLE alerts (
    n INTEGER PRIMARY KEY,
    t REAL NOT NULL,
    zone TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('alert', 'clear')),
    row TEXT NOT NULL
  );
  CREATE INDEX alerts_t ON alerts (t, n);
  CREATE INDEX alerts_zone_t ON alerts (zone, t, n);
  CREATE TABLE sensors (
    id TEXT PRIMARY KEY,
    def TEXT NOT NULL,
    credential_hash TEXT,
    updated_at REAL NOT NULL
  );
  CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    created_at REAL NOT NULL
  );
  CREATE TABLE audit (
    n INTEGER PRIMARY KEY,
    t REAL NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX audit_t ON audit (t, n);
  `,
  `
  CREATE TABLE quarantine (
    seq INTEGER PRIMARY KEY,
    sensor TEXT NOT NULL,
    id TEXT NOT NULL,
    t REAL NOT NULL,
    reason TEXT NOT NULL,
    at REAL NOT NULL
  );
  CREATE INDEX quarantine_at ON quarantine (at);
  `,
];

function migrate(db: SqliteDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const apply = db.transaction(() => {
    const got = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    let version = got?.version ?? 0;
    if (got === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new Error(`sqlite store: database schema version ${version} is newer than this code (${SQLITE_SCHEMA_VERSION})`);
    }
    for (; version < SQLITE_SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]);
    db.prepare('UPDATE schema_version SET version = ?').run(version);
  });
  apply.immediate();
}

interface DetectionDbRow {
  seq: number;
  sensor: string;
  id: string;
  t: number;
  received_at: number;
  row: string;
}

function toEntry(r: DetectionDbRow): JournalEntry {
  return { seq: r.seq, t: r.t, sensor: r.sensor, id: r.id, row: JSON.parse(r.row) as Record<string, unknown>, receivedAt: r.received_at };
}

/**
 * Opens (creating if missing) a SQLite store at `path`, in WAL mode with
 * `synchronous=FULL` (or `NORMAL`, see {@link SqliteStoreOptions.sync}). Journal sequence
 * numbers start at 1 and are gap-free and never reused (not even after prune).
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const sync = options.sync ?? 'full';
  if (sync !== 'full' && sync !== 'normal') throw new TypeError(`createSqliteStore: sync is ${String(sync)}, expected "full" or "normal"`);
  checkId('createSqliteStore', 'path', options.path);
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }

  const st = {
    nextSeq: db.prepare("SELECT value FROM counters WHERE name = 'next_seq'").pluck(),
    setNextSeq: db.prepare("UPDATE counters SET value = ? WHERE name = 'next_seq'"),
    insertDetection: db.prepare(
      'INSERT INTO detections (seq, sensor, id, t, received_at, row) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sensor, id) DO NOTHING',
    ),
    readJournal: db.prepare('SELECT * FROM detections WHERE seq > ? ORDER BY seq LIMIT ?'),
    window: db.prepare('SELECT * FROM detections WHERE t >= ? AND t <= ? ORDER BY t, seq LIMIT ?'),
    windowSensor: db.prepare('SELECT * FROM detections WHERE sensor = ? AND t >= ? AND t <= ? ORDER BY t, seq LIMIT ?'),
    lastSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) FROM detections').pluck(),
    firstSeqSince: db.prepare('SELECT MIN(seq) FROM detections WHERE t >= ?').pluck(),
    count: db.prepare('SELECT COUNT(*) FROM detections').pluck(),
    upsertTrack: db.prepare('INSERT INTO track_states (track, t, row) VALUES (?, ?, ?) ON CONFLICT (track, t) DO UPDATE SET row = excluded.row'),
    trackHistory: db.prepare('SELECT track, t, row FROM track_states WHERE track = ? AND t >= ? AND t <= ? ORDER BY t LIMIT ?'),
    trackWindow: db.prepare('SELECT track, t, row FROM track_states WHERE t >= ? AND t <= ? ORDER BY t, track LIMIT ?'),
    insertAlert: db.prepare('INSERT INTO alerts (t, zone, state, row) VALUES (?, ?, ?, ?)'),
    alerts: db.prepare('SELECT t, zone, state, row FROM alerts WHERE t >= ? AND t <= ? ORDER BY t DESC, n DESC LIMIT ?'),
    alertsZone: db.prepare('SELECT t, zone, state, row FROM alerts WHERE zone = ? AND t >= ? AND t <= ? ORDER BY t DESC, n DESC LIMIT ?'),
    upsertSensor: db.prepare(
      `INSERT INTO sensors (id, def, credential_hash, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET def = excluded.def, credential_hash = excluded.credential_hash, updated_at = excluded.updated_at`,
    ),
    getSensor: db.prepare('SELECT * FROM sensors WHERE id = ?'),
    listSensors: db.prepare('SELECT * FROM sensors ORDER BY id'),
    deleteSensor: db.prepare('DELETE FROM sensors WHERE id = ?'),
    upsertUser: db.prepare(
      `INSERT INTO users (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, created_at = excluded.created_at`,
    ),
    getUser: db.prepare('SELECT * FROM users WHERE name = ?'),
    listUsers: db.prepare('SELECT * FROM users ORDER BY name'),
    deleteUser: db.prepare('DELETE FROM users WHERE name = ?'),
    insertAudit: db.prepare('INSERT INTO audit (t, user, action, target, detail) VALUES (?, ?, ?, ?, ?)'),
    audit: db.prepare('SELECT t, user, action, target, detail FROM audit WHERE t >= ? AND t <= ? ORDER BY t DESC, n DESC LIMIT ?'),
    pruneDetections: db.prepare('DELETE FROM detections WHERE t < ?'),
    pruneTracks: db.prepare('DELETE FROM track_states WHERE t < ?'),
    pruneQuarantine: db.prepare('DELETE FROM quarantine WHERE t < ?'),
    quarantine: db.prepare('INSERT INTO quarantine (seq, sensor, id, t, reason, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING'),
    quarantined: db.prepare('SELECT seq, sensor, id, t, reason, at FROM quarantine ORDER BY seq DESC LIMIT ?'),
  };

  const appendTx = db.transaction((inputs: readonly JournalInput[]): (number | 'duplicate')[] => {
    let next = st.nextSeq.get() as number;
    const results: (number | 'duplicate')[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i];
      const info = st.insertDetection.run(next, x.sensor, x.id, x.t, x.receivedAt, JSON.stringify(x.row));
      if (info.changes === 1) results[i] = next++;
      else results[i] = 'duplicate';
    }
    st.setNextSeq.run(next);
    return results;
  });
  const trackTx = db.transaction((rows: readonly TrackStateRow[]) => {
    for (const r of rows) st.upsertTrack.run(r.track, r.t, JSON.stringify(r.row));
  });
  const alertTx = db.transaction((rows: readonly AlertRow[]) => {
    for (const r of rows) st.insertAlert.run(r.t, r.zone, r.state, JSON.stringify(r.row));
  });
  const pruneTx = db.transaction((before: number): number => {
    st.pruneQuarantine.run(before);
    return st.pruneDetections.run(before).changes + st.pruneTracks.run(before).changes;
  });

  let closed = false;
  const open = (): void => {
    if (closed) throw new Error(`sqlite store ${options.path} is closed`);
  };

  const store: SqliteStore = {
    kind: 'sqlite',
    path: options.path,
    sync,

    async pragmas() {
      open();
      return { journalMode: db.pragma('journal_mode', { simple: true }) as string, synchronous: db.pragma('synchronous', { simple: true }) as number };
    },

    async appendDetections(inputs) {
      open();
      checkJournalInputs(inputs);
      if (inputs.length === 0) return { results: [] };
      // IMMEDIATE: takes the write lock before reading next_seq, so that two processes
      // sharing the file cannot take the same numbers.
      return { results: appendTx.immediate(inputs) } satisfies AppendResult;
    },
    async readJournal(afterSeq, limit) {
      open();
      checkLimit('readJournal', 'afterSeq', afterSeq);
      const n = Math.min(checkLimit('readJournal', 'limit', limit), MAX_ROWS_PER_QUERY);
      return (st.readJournal.all(afterSeq, n) as DetectionDbRow[]).map(toEntry);
    },
    async detectionsInWindow(w) {
      open();
      const { from, to, limit } = checkWindow('detectionsInWindow', w);
      const rows =
        w.sensor === undefined
          ? st.window.all(from, to, limit)
          : st.windowSensor.all(checkId('detectionsInWindow', 'sensor', w.sensor), from, to, limit);
      return (rows as DetectionDbRow[]).map(toEntry);
    },
    async lastSeq() {
      open();
      return st.lastSeq.get() as number;
    },
    async firstSeqSince(t) {
      open();
      checkFinite('firstSeqSince', 't', t);
      return (st.firstSeqSince.get(t) as number | null) ?? null;
    },
    async countDetections() {
      open();
      return st.count.get() as number;
    },

    async appendTrackStates(rows) {
      open();
      checkTrackStates(rows);
      trackTx.immediate(rows);
    },
    async trackHistory(track, w: TimeWindow) {
      open();
      checkId('trackHistory', 'track', track);
      const { from, to, limit } = checkWindow('trackHistory', w);
      return (st.trackHistory.all(track, from, to, limit) as TrackDbRow[]).map(toTrackState);
    },
    async trackStatesInWindow(w) {
      open();
      const { from, to, limit } = checkWindow('trackStatesInWindow', w);
      return (st.trackWindow.all(from, to, limit) as TrackDbRow[]).map(toTrackState);
    },

    async appendAlerts(rows) {
      open();
      checkAlerts(rows);
      alertTx.immediate(rows);
    },
    async alertHistory(w) {
      open();
      const { from, to, limit } = checkWindow('alertHistory', w);
      const rows = w.zone === undefined ? st.alerts.all(from, to, limit) : st.alertsZone.all(checkId('alertHistory', 'zone', w.zone), from, to, limit);
      return (rows as { t: number; zone: string; state: 'alert' | 'clear'; row: string }[]).map((r) => ({
        t: r.t,
        zone: r.zone,
        state: r.state,
        row: JSON.parse(r.row) as Record<string, unknown>,
      }));
    },

    async upsertSensor(s) {
      open();
      checkSensor(s);
      st.upsertSensor.run(s.id, JSON.stringify(s.def), s.credentialHash, s.updatedAt);
    },
    async getSensor(id) {
      open();
      const r = st.getSensor.get(checkId('getSensor', 'id', id)) as SensorDbRow | undefined;
      return r === undefined ? null : toSensor(r);
    },
    async listSensors() {
      open();
      return (st.listSensors.all() as SensorDbRow[]).map(toSensor);
    },
    async deleteSensor(id) {
      open();
      return st.deleteSensor.run(checkId('deleteSensor', 'id', id)).changes > 0;
    },

    async upsertUser(u) {
      open();
      checkUser(u);
      st.upsertUser.run(u.name, u.passwordHash, u.role, u.createdAt);
    },
    async getUser(name) {
      open();
      const r = st.getUser.get(checkId('getUser', 'name', name)) as UserDbRow | undefined;
      return r === undefined ? null : toUser(r);
    },
    async listUsers() {
      open();
      return (st.listUsers.all() as UserDbRow[]).map(toUser);
    },
    async deleteUser(name) {
      open();
      return st.deleteUser.run(checkId('deleteUser', 'name', name)).changes > 0;
    },

    async appendAudit(a) {
      open();
      checkAudit(a);
      st.insertAudit.run(a.t, a.user, a.action, a.target, JSON.stringify(a.detail));
    },
    async audit(w) {
      open();
      const { from, to, limit } = checkWindow('audit', w);
      return (st.audit.all(from, to, limit) as { t: number; user: string; action: string; target: string; detail: string }[]).map(
        (r): AuditRecord => ({ t: r.t, user: r.user, action: r.action, target: r.target, detail: JSON.parse(r.detail) as Record<string, unknown> }),
      );
    },

    async quarantine(q) {
      open();
      checkQuarantine(q);
      st.quarantine.run(q.seq, q.sensor, q.id, q.t, q.reason.slice(0, QUARANTINE_REASON_MAX), q.at);
    },
    async quarantined(limit) {
      open();
      return st.quarantined.all(Math.min(checkLimit('quarantined', 'limit', limit), MAX_ROWS_PER_QUERY)) as QuarantineRecord[];
    },

    async prune(before) {
      open();
      checkFinite('prune', 'before', before);
      return pruneTx.immediate(before);
    },
    /** Closes the database; closing twice is harmless. */
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
  return store;
}

interface TrackDbRow {
  track: string;
  t: number;
  row: string;
}

function toTrackState(r: TrackDbRow): TrackStateRow {
  return { t: r.t, track: r.track, row: JSON.parse(r.row) as Record<string, unknown> };
}

interface SensorDbRow {
  id: string;
  def: string;
  credential_hash: string | null;
  updated_at: number;
}

function toSensor(r: SensorDbRow): SensorRecord {
  return { id: r.id, def: JSON.parse(r.def) as Record<string, unknown>, credentialHash: r.credential_hash, updatedAt: r.updated_at };
}

