/**
 * The store: the durable journal of detections plus everything the service keeps (track
 * states, alerts, sensors, users, audit). One interface, one folder per implementation
 * (`sqlite/`, `postgres/`), one shared conformance suite (`conformance.ts`) that every
 * implementation runs.
 *
 * Durability contract: when `appendDetections` resolves, every entry it reports as
 * `stored` or `duplicate` is on disk (committed), so that the caller may acknowledge it
 * (HTTP 202, MQTT PUBACK). A crash (kill -9) after that never loses it.
 *
 * Times are seconds since the Unix epoch (numbers); detections are kept as their
 * interchange JSON row (spec/interchange.md), exactly as accepted.
 */

/** A detection to journal: its interchange row (validated by the caller) and where it came from. */
export interface JournalInput {
  /** Measurement time (s), the row's `t`. */
  t: number;
  /** Sensor id, the row's `sensor`. */
  sensor: string;
  /** Detection id: the row's `id`, or one the ingest made up (sensor + time + hash). Unique per sensor. */
  id: string;
  /** The interchange row as accepted (JSON object). */
  row: Record<string, unknown>;
  /** Arrival time at the service (s). */
  receivedAt: number;
}

/**
 * A journalled detection: its input plus the journal's sequence number. Numbers increase in
 * commit order and are never reused (not even after `prune`); the SQLite store's are also
 * gap-free (1, 2, 3, ...), the PostgreSQL store's may skip numbers (a sequence: duplicates and
 * rolled-back appends consume numbers). A reader resuming with `readJournal(lastSeenSeq)`
 * misses nothing in either.
 */
export interface JournalEntry extends JournalInput {
  seq: number;
}

export interface AppendResult {
  /** Per input, in order: the sequence number it got, or 'duplicate' (same sensor and id already journalled). */
  results: (number | 'duplicate')[];
}

/** A track state as stored: the tracks.ndjson row of one report time (plus the service's extra fields). */
export interface TrackStateRow {
  t: number;
  track: string;
  row: Record<string, unknown>;
}

/** An alert change (alerts.ndjson row plus the service's fields: reason, manual, by). */
export interface AlertRow {
  t: number;
  zone: string;
  state: 'alert' | 'clear';
  row: Record<string, unknown>;
}

export interface SensorRecord {
  id: string;
  /** sensors.json object of the sensor (interchange fields). */
  def: Record<string, unknown>;
  /** scrypt hash of the sensor's credential (token), or null for none. */
  credentialHash: string | null;
  updatedAt: number;
}

export type Role = 'viewer' | 'operator' | 'admin';

export interface UserRecord {
  name: string;
  /** `scrypt$N$r$p$salt$hash` (base64 parts). */
  passwordHash: string;
  role: Role;
  createdAt: number;
}

export interface AuditRecord {
  t: number;
  user: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/**
 * A journalled detection that made the fusion fault (the tracker threw, or its state went
 * non-finite, with that detection on its own). It stays in the journal; replay skips it.
 */
export interface QuarantineRecord {
  /** The journal entry's sequence number. */
  seq: number;
  sensor: string;
  /** The detection id (as journalled). */
  id: string;
  /** Measurement time (s). */
  t: number;
  /** What went wrong. */
  reason: string;
  /** When it was quarantined (s). */
  at: number;
}

export interface TimeWindow {
  from: number;
  to: number;
  /** At most this many rows (the store's own cap applies too). */
  limit?: number;
}

export interface Store {
  /** Name of the implementation (`sqlite`, `postgres`). */
  readonly kind: string;
  /** Appends detections durably (see the contract above). Duplicates are reported, not stored twice. */
  appendDetections(inputs: readonly JournalInput[]): Promise<AppendResult>;
  /** Entries with seq > `afterSeq`, in seq order, at most `limit`. */
  readJournal(afterSeq: number, limit: number): Promise<JournalEntry[]>;
  /** Entries with `from` <= t <= `to`, ordered by t then seq. */
  detectionsInWindow(w: TimeWindow & { sensor?: string }): Promise<JournalEntry[]>;
  /** Highest sequence number stored (0 when empty). */
  lastSeq(): Promise<number>;
  /**
   * Lowest sequence number among the entries with t >= `t` (null when none). Arrival order
   * is not time order, so this is not the seq of the earliest entry from `t` on.
   */
  firstSeqSince(t: number): Promise<number | null>;
  /** Number of journalled detections. */
  countDetections(): Promise<number>;

  /** Stores track report rows (a batch of one or more report times). */
  appendTrackStates(rows: readonly TrackStateRow[]): Promise<void>;
  /** A track's stored states in a window, by t. */
  trackHistory(track: string, w: TimeWindow): Promise<TrackStateRow[]>;
  /** Every track's stored states in a window, ordered by t then track (replay of the picture). */
  trackStatesInWindow(w: TimeWindow): Promise<TrackStateRow[]>;

  appendAlerts(rows: readonly AlertRow[]): Promise<void>;
  /** Alert changes in a window, newest first. */
  alertHistory(w: TimeWindow & { zone?: string }): Promise<AlertRow[]>;

  upsertSensor(s: SensorRecord): Promise<void>;
  getSensor(id: string): Promise<SensorRecord | null>;
  listSensors(): Promise<SensorRecord[]>;
  deleteSensor(id: string): Promise<boolean>;

  upsertUser(u: UserRecord): Promise<void>;
  getUser(name: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  /** Removes a user (the config is the truth: users no longer configured are removed at start). True when one was removed. */
  deleteUser(name: string): Promise<boolean>;

  appendAudit(a: AuditRecord): Promise<void>;
  /** Audit entries in a window, newest first. */
  audit(w: TimeWindow): Promise<AuditRecord[]>;

  /** Marks a journal entry as quarantined (again for the same seq: kept as first marked). */
  quarantine(q: QuarantineRecord): Promise<void>;
  /** Quarantined entries, newest journal entry first (by seq: those a replay of the recent journal meets), at most `limit`. */
  quarantined(limit: number): Promise<QuarantineRecord[]>;

  /** Deletes detections and track states older than `before` (retention). Returns rows removed. */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}
