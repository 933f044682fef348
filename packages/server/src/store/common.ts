/**
 * Checks and helpers shared by the store implementations, so that every store rejects the
 * same bad values with the same messages.
 */

import type { AlertRow, AuditRecord, JournalInput, QuarantineRecord, Role, SensorRecord, TimeWindow, TrackStateRow, UserRecord } from './store.js';

/** The stores' own cap on the rows one window or journal query returns (rows). */
export const MAX_ROWS_PER_QUERY = 100_000;

/** The user roles a store accepts. */
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** Renders a bad value for an error message (`NaN`, `"text"`, `undefined`, `[object]`). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === undefined || v === null) return String(v);
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function fail(where: string, what: string, v: unknown, expected: string): never {
  throw new TypeError(`${where}: ${what} is ${describeValue(v)}, expected ${expected}`);
}

/** Throws unless `v` is a finite number (a time in seconds, a coordinate). */
export function checkFinite(where: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, what, v, 'a finite number');
  return v;
}

/** Throws unless `v` is a number that is not NaN (window bounds may be infinite). */
export function checkBound(where: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) fail(where, what, v, 'a number (not NaN)');
  return v;
}

/** Throws unless `v` is a non-empty string. */
export function checkId(where: string, what: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) fail(where, what, v, 'a non-empty string');
  return v;
}

/** Throws unless `v` is a plain JSON object (not an array, not null). */
export function checkObject(where: string, what: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, what, v, 'a JSON object');
  return v as Record<string, unknown>;
}

/** Throws unless `v` is a non-negative integer count (rows). */
export function checkLimit(where: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(where, what, v, 'a non-negative integer');
  return v;
}

/** Checks a journal batch before any of it is written; a bad input rejects the whole batch. */
export function checkJournalInputs(inputs: readonly JournalInput[]): void {
  if (!Array.isArray(inputs)) fail('appendDetections', 'inputs', inputs, 'an array');
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    const where = `appendDetections: input ${i}`;
    checkObject(where, 'the input', x);
    checkFinite(where, 't', x.t);
    checkId(where, 'sensor', x.sensor);
    checkId(where, 'id', x.id);
    checkObject(where, 'row', x.row);
    checkFinite(where, 'receivedAt', x.receivedAt);
  }
}

/** Checks track state rows before any is written. */
export function checkTrackStates(rows: readonly TrackStateRow[]): void {
  if (!Array.isArray(rows)) fail('appendTrackStates', 'rows', rows, 'an array');
  rows.forEach((r, i) => {
    const where = `appendTrackStates: row ${i}`;
    checkObject(where, 'the row', r);
    checkFinite(where, 't', r.t);
    checkId(where, 'track', r.track);
    checkObject(where, 'row', r.row);
  });
}

/** Checks alert rows before any is written. */
export function checkAlerts(rows: readonly AlertRow[]): void {
  if (!Array.isArray(rows)) fail('appendAlerts', 'rows', rows, 'an array');
  rows.forEach((r, i) => {
    const where = `appendAlerts: row ${i}`;
    checkObject(where, 'the row', r);
    checkFinite(where, 't', r.t);
    checkId(where, 'zone', r.zone);
    if (r.state !== 'alert' && r.state !== 'clear') fail(where, 'state', r.state, '"alert" or "clear"');
    checkObject(where, 'row', r.row);
  });
}

/** Checks a sensor record. */
export function checkSensor(s: SensorRecord): void {
  const where = 'upsertSensor';
  checkObject(where, 'the sensor', s);
  checkId(where, 'id', s.id);
  checkObject(where, 'def', s.def);
  if (s.credentialHash !== null && (typeof s.credentialHash !== 'string' || s.credentialHash.length === 0)) {
    fail(where, 'credentialHash', s.credentialHash, 'a non-empty string or null');
  }
  checkFinite(where, 'updatedAt', s.updatedAt);
}

/** Checks a user record. */
export function checkUser(u: UserRecord): void {
  const where = 'upsertUser';
  checkObject(where, 'the user', u);
  checkId(where, 'name', u.name);
  checkId(where, 'passwordHash', u.passwordHash);
  if (!ROLES.includes(u.role)) fail(where, 'role', u.role, ROLES.map((r) => `"${r}"`).join(', '));
  checkFinite(where, 'createdAt', u.createdAt);
}

/** Checks an audit record. */
export function checkAudit(a: AuditRecord): void {
  const where = 'appendAudit';
  checkObject(where, 'the record', a);
  checkFinite(where, 't', a.t);
  checkId(where, 'user', a.user);
  checkId(where, 'action', a.action);
  if (typeof a.target !== 'string') fail(where, 'target', a.target, 'a string');
  checkObject(where, 'detail', a.detail);
}

export function checkQuarantine(q: QuarantineRecord): void {
  const where = 'quarantine';
  checkObject(where, 'the record', q);
  if (!Number.isSafeInteger(q.seq) || q.seq < 1) fail(where, 'seq', q.seq, 'a journal sequence number');
  checkId(where, 'sensor', q.sensor);
  checkId(where, 'id', q.id);
  checkFinite(where, 't', q.t);
  checkFinite(where, 'at', q.at);
  if (typeof q.reason !== 'string') fail(where, 'reason', q.reason, 'a string');
}

/** Longest quarantine reason kept (characters). */
export const QUARANTINE_REASON_MAX = 1000;

/** A checked time window: bounds (s) and the row limit after the store's cap. */
export interface CheckedWindow {
  from: number;
  to: number;
  limit: number;
}

/** Checks a window and applies the store's cap to its limit. */
export function checkWindow(where: string, w: TimeWindow): CheckedWindow {
  checkObject(where, 'the window', w);
  const from = checkBound(where, 'from', w.from);
  const to = checkBound(where, 'to', w.to);
  const limit = w.limit === undefined ? MAX_ROWS_PER_QUERY : Math.min(checkLimit(where, 'limit', w.limit), MAX_ROWS_PER_QUERY);
  return { from, to, limit };
}

/** The (lat, lon) of a row (degrees) when it has finite `lat` and `lon` numbers, else null. */
export function positionOf(row: Record<string, unknown>): { lat: number; lon: number } | null {
  const lat = row.lat;
  const lon = row.lon;
  if (typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon)) return { lat, lon };
  return null;
}

/** Key of a detection for duplicate detection: sensor and id. */
export function detectionKey(sensor: string, id: string): string {
  return `${sensor}\u0000${id}`;
}

/**
 * Serialises async work: each call runs after the previous one settled. Used so that a
 * store's appends commit in the order their sequence numbers were taken.
 */
export function createSerialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** A users table row, as both stores keep it. */
export interface UserDbRow {
  name: string;
  password_hash: string;
  role: Role;
  created_at: number;
}

export function toUser(r: UserDbRow): UserRecord {
  return { name: r.name, passwordHash: r.password_hash, role: r.role, createdAt: r.created_at };
}
