/**
 * The conformance suite every {@link Store} implementation runs (node:test). Each test gets
 * a fresh, empty database from the factory and cleans it up afterwards.
 */

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRow, AuditRecord, JournalEntry, JournalInput, QuarantineRecord, SensorRecord, Store, TrackStateRow, UserRecord } from './store.js';

/** A fresh, empty store for one test, and how to reopen and remove its database. */
export interface StoreHarness {
  store: Store;
  /** Opens the same database again (a new store object; the test has closed `store` before). */
  reopen(): Promise<Store>;
  /** Closes every store the harness opened (close is idempotent) and removes the database. */
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /**
   * Whether journal sequence numbers are gap-free, starting at 1 (SQLite). When false
   * (PostgreSQL sequences skip numbers consumed by duplicates and rollbacks), the suite
   * checks only that they increase.
   */
  gapFreeSeq: boolean;
}

/** Builds a journal input with a bearing-only interchange row (times in seconds). */
function det(sensor: string, id: string, t: number, extra: Record<string, unknown> = {}): JournalInput {
  return { t, sensor, id, row: { t, sensor, id, type: 'bearing', bearing_deg: 123.5, ...extra }, receivedAt: t + 0.75 };
}

function entry(x: JournalInput, seq: number | 'duplicate'): JournalEntry {
  assert.equal(typeof seq, 'number', `expected a sequence number for ${x.sensor}/${x.id}, got ${String(seq)}`);
  return { ...x, seq: seq as number };
}

function assertIncreasing(seqs: readonly (number | 'duplicate')[], what: string): void {
  for (let i = 0; i < seqs.length; i++) {
    const s = seqs[i];
    assert.ok(typeof s === 'number' && Number.isInteger(s) && s > 0, `${what}: seq ${i} is ${String(s)}, expected a positive integer`);
    if (i > 0) assert.ok(s > (seqs[i - 1] as number), `${what}: seq ${i} (${s}) is not above seq ${i - 1} (${String(seqs[i - 1])})`);
  }
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

/**
 * Registers the conformance tests for one store implementation under `describe(name)`.
 * `factory` gives each test its own fresh database.
 */
/**
 * A harness for a store kept in one file: a fresh temporary folder per test, `openAt(path)`
 * opens (and reopens) the store there; cleanup closes every opened store and removes the folder.
 */
export function fileStoreHarness(prefix: string, openAt: (path: string) => Promise<Store>): () => Promise<StoreHarness> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const path = join(dir, 'store.db');
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const st = await openAt(path);
      opened.push(st);
      return st;
    };
    return {
      store: await open(),
      reopen: open,
      cleanup: async () => {
        for (const st of opened) await st.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

export function runStoreConformance(name: string, factory: () => Promise<StoreHarness>, options: ConformanceOptions): void {
  const withStore = async (fn: (h: StoreHarness) => Promise<void>): Promise<void> => {
    const h = await factory();
    try {
      await fn(h);
    } finally {
      await h.cleanup();
    }
  };

  describe(`store conformance: ${name}`, () => {
    it('starts empty', () =>
      withStore(async ({ store }) => {
        assert.equal(typeof store.kind, 'string');
        assert.equal(await store.lastSeq(), 0);
        assert.equal(await store.countDetections(), 0);
        assert.deepEqual(await store.readJournal(0, 100), []);
        assert.deepEqual(await store.detectionsInWindow({ from: -Infinity, to: Infinity }), []);
        assert.deepEqual(await store.appendDetections([]), { results: [] });
        assert.equal(await store.countDetections(), 0);
      }));

    it('appends detections and reads them back in seq order', () =>
      withStore(async ({ store }) => {
        const a = [det('s1', 'a', 100), det('s2', 'b', 99.5), det('s1', 'c', 101.25), det('s3', 'd', 100), det('s1', 'e', 98)];
        const r1 = await store.appendDetections(a);
        assert.equal(r1.results.length, a.length);
        assertIncreasing(r1.results, 'first batch');
        if (options.gapFreeSeq) assert.deepEqual(r1.results, [1, 2, 3, 4, 5]);
        const back = await store.readJournal(0, 100);
        assert.deepEqual(back, a.map((x, i) => entry(x, r1.results[i])));
        // afterSeq is exclusive, limit caps the count.
        assert.deepEqual(await store.readJournal(r1.results[1] as number, 2), [back[2], back[3]]);
        assert.deepEqual(await store.readJournal(0, 0), []);
        assert.deepEqual(await store.readJournal(r1.results[4] as number, 10), []);
        assert.equal(await store.lastSeq(), r1.results[4]);
        assert.equal(await store.countDetections(), 5);

        const b = [det('s2', 'f', 50), det('s1', 'g', 200)];
        const r2 = await store.appendDetections(b);
        assertIncreasing([...r1.results, ...r2.results], 'both batches');
        if (options.gapFreeSeq) assert.deepEqual(r2.results, [6, 7]);
        assert.deepEqual(await store.readJournal(r1.results[4] as number, 10), b.map((x, i) => entry(x, r2.results[i])));
        assert.equal(await store.lastSeq(), r2.results[1]);
        assert.equal(await store.countDetections(), 7);
        // the lowest seq dated from t on, not the seq of the earliest-dated entry
        assert.equal(await store.firstSeqSince(99), r1.results[0]);
        assert.equal(await store.firstSeqSince(100.5), r1.results[2]);
        assert.equal(await store.firstSeqSince(150), r2.results[1]);
        assert.equal(await store.firstSeqSince(-1e9), r1.results[0]);
        assert.equal(await store.firstSeqSince(201), null);
      }));

    it('keeps rows exactly: key order, nesting, unicode, full-precision numbers', () =>
      withStore(async ({ store }) => {
        const row = {
          zeta: 1,
          t: 1764000000.123456,
          alpha: 'Überflug — 無人機 🛩',
          nested: { list: [1, 'two', null, true, { deep: -0.000001234 }], empty: {} },
          small: 5e-324,
          big: 1.7976931348623157e308,
          tricky: 0.1 + 0.2,
          quote: 'say "hi"\\ \n tab\t',
          nothing: null,
        };
        const input: JournalInput = { t: 1764000000.123456, sensor: 'rf-09', id: 'x"1\'', row, receivedAt: 1764000001.987654 };
        const r = await store.appendDetections([input]);
        const [got] = await store.readJournal(0, 10);
        assert.deepEqual(got, entry(input, r.results[0]));
        assert.equal(JSON.stringify(got.row), JSON.stringify(row), 'row text (key order) changed');
        assert.equal(got.t, 1764000000.123456);
        assert.equal(got.receivedAt, 1764000001.987654);
      }));

    it('reports duplicates across batches and stores them once (first row kept)', () =>
      withStore(async ({ store }) => {
        const r1 = await store.appendDetections([det('s1', 'a', 10), det('s1', 'b', 11)]);
        const again = det('s1', 'b', 99, { changed: true });
        const otherSensor = det('s2', 'b', 12);
        const r2 = await store.appendDetections([again, det('s1', 'c', 13), otherSensor]);
        assert.equal(r2.results[0], 'duplicate');
        assertIncreasing([...r1.results, r2.results[1], r2.results[2]], 'stored entries');
        if (options.gapFreeSeq) assert.deepEqual(r2.results, ['duplicate', 3, 4]);
        assert.equal(await store.countDetections(), 4);
        const back = await store.readJournal(0, 100);
        assert.deepEqual(
          back.map((e) => `${e.sensor}/${e.id}`),
          ['s1/a', 's1/b', 's1/c', 's2/b'],
        );
        assert.deepEqual(back[1], entry(det('s1', 'b', 11), r1.results[1]), 'the first stored row must be kept');
        // A batch of nothing but duplicates stores nothing.
        const r3 = await store.appendDetections([det('s1', 'a', 10), det('s2', 'b', 12)]);
        assert.deepEqual(r3.results, ['duplicate', 'duplicate']);
        assert.equal(await store.countDetections(), 4);
        assert.equal(await store.lastSeq(), r2.results[2]);
      }));

    it('reports duplicates inside one batch (first occurrence stored)', () =>
      withStore(async ({ store }) => {
        const first = det('s1', 'a', 10, { n: 1 });
        const batch = [first, det('s1', 'a', 10, { n: 2 }), det('s1', 'b', 11), det('s1', 'a', 12, { n: 3 }), det('s1', 'b', 11, { n: 4 }), det('s2', 'a', 9)];
        const r = await store.appendDetections(batch);
        assert.equal(r.results[1], 'duplicate');
        assert.equal(r.results[3], 'duplicate');
        assert.equal(r.results[4], 'duplicate');
        assertIncreasing([r.results[0], r.results[2], r.results[5]], 'stored entries');
        if (options.gapFreeSeq) assert.deepEqual(r.results, [1, 'duplicate', 2, 'duplicate', 'duplicate', 3]);
        assert.equal(await store.countDetections(), 3);
        const back = await store.readJournal(0, 100);
        assert.deepEqual(back, [entry(first, r.results[0]), entry(batch[2], r.results[2]), entry(batch[5], r.results[5])]);
      }));

    it('selects detections in a time window, by t then seq, with sensor filter and limit', () =>
      withStore(async ({ store }) => {
        const r1 = await store.appendDetections([det('s1', 'a', 10), det('s2', 'b', 10), det('s1', 'c', 11), det('s2', 'd', 12), det('s1', 'e', 13)]);
        // A late detection (earlier t, higher seq) sorts by its t.
        const r2 = await store.appendDetections([det('s1', 'late', 10.5), det('s1', 'early', 9)]);
        const ids = (es: JournalEntry[]): string[] => es.map((e) => e.id);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 10, to: 12 })), ['a', 'b', 'late', 'c', 'd']);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 10, to: 12, sensor: 's1' })), ['a', 'late', 'c']);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 10, to: 12, sensor: 's2' })), ['b', 'd']);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 10, to: 12, limit: 2 })), ['a', 'b']);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 0, to: 100, sensor: 's1', limit: 3 })), ['early', 'a', 'late']);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 10, to: 10 })), ['a', 'b']);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 12.5, to: 12.9 })), []);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 12, to: 10 })), []);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: 0, to: 100, sensor: 'nobody' })), []);
        assert.deepEqual(ids(await store.detectionsInWindow({ from: -Infinity, to: Infinity, limit: 0 })), []);
        const all = await store.detectionsInWindow({ from: -Infinity, to: Infinity });
        assert.deepEqual(ids(all), ['early', 'a', 'b', 'late', 'c', 'd', 'e']);
        assert.equal(all[3].seq, r2.results[0]);
        assert.deepEqual(all[1], entry(det('s1', 'a', 10), r1.results[0]));
      }));

    it('stores track states and returns a track history window by t', () =>
      withStore(async ({ store }) => {
        const ts = (track: string, t: number, extra: Record<string, unknown> = {}): TrackStateRow => ({
          t,
          track,
          row: { t, track, lat: 37.5 + t / 1000, lon: 127 + t / 1000, alt_m: 300, ve_mps: 20, vn_mps: -3, status: 'confirmed', ...extra },
        });
        await store.appendTrackStates([ts('T1', 3), ts('T1', 1), ts('T2', 2)]);
        await store.appendTrackStates([ts('T1', 2), ts('T1', 5), ts('T3', 4, { lat: undefined, status: 'coasting' })]);
        await store.appendTrackStates([]);
        assert.deepEqual(await store.trackHistory('T1', { from: 1, to: 3 }), [ts('T1', 1), ts('T1', 2), ts('T1', 3)]);
        assert.deepEqual(await store.trackHistory('T1', { from: 0, to: 100, limit: 2 }), [ts('T1', 1), ts('T1', 2)]);
        assert.deepEqual(await store.trackHistory('T1', { from: 3.5, to: 100 }), [ts('T1', 5)]);
        assert.deepEqual(await store.trackHistory('T2', { from: 0, to: 100 }), [ts('T2', 2)]);
        assert.deepEqual(await store.trackHistory('T3', { from: 0, to: 100 }), [{ t: 4, track: 'T3', row: JSON.parse(JSON.stringify(ts('T3', 4, { lat: undefined, status: 'coasting' }).row)) }]);
        assert.deepEqual(await store.trackHistory('T9', { from: 0, to: 100 }), []);
        // Every track in a window, by t then track.
        const key = (rs: TrackStateRow[]): string[] => rs.map((r) => `${r.t}:${r.track}`);
        assert.deepEqual(key(await store.trackStatesInWindow({ from: 0, to: 100 })), ['1:T1', '2:T1', '2:T2', '3:T1', '4:T3', '5:T1']);
        assert.deepEqual(await store.trackStatesInWindow({ from: 2, to: 3 }), [ts('T1', 2), ts('T2', 2), ts('T1', 3)]);
        assert.deepEqual(key(await store.trackStatesInWindow({ from: 0, to: 100, limit: 3 })), ['1:T1', '2:T1', '2:T2']);
        assert.deepEqual(await store.trackStatesInWindow({ from: 5.5, to: 100 }), []);
        // One state per track and report time: storing it again replaces it (a replay is harmless).
        await store.appendTrackStates([ts('T1', 2, { status: 'coasting' })]);
        assert.deepEqual(await store.trackHistory('T1', { from: 0, to: 100 }), [ts('T1', 1), ts('T1', 2, { status: 'coasting' }), ts('T1', 3), ts('T1', 5)]);
        // ... also inside one batch: the last one wins.
        await store.appendTrackStates([ts('T2', 2, { n: 1 }), ts('T2', 2, { n: 2 })]);
        assert.deepEqual(await store.trackHistory('T2', { from: 0, to: 100 }), [ts('T2', 2, { n: 2 })]);
      }));

    it('stores alert changes and returns them newest first, with zone filter and limit', () =>
      withStore(async ({ store }) => {
        const al = (zone: string, t: number, state: 'alert' | 'clear', extra: Record<string, unknown> = {}): AlertRow => ({
          t,
          zone,
          state,
          row: { t, zone, state, track: 'T1', reason: 'entry', manual: false, ...extra },
        });
        const a = [al('z1', 10, 'alert'), al('z2', 11, 'alert'), al('z1', 12, 'clear', { manual: true, by: 'op1' })];
        await store.appendAlerts(a);
        const later = al('z1', 12, 'alert', { reason: 'reentry' });
        await store.appendAlerts([later]);
        await store.appendAlerts([]);
        assert.deepEqual(await store.alertHistory({ from: 0, to: 100 }), [later, a[2], a[1], a[0]]);
        assert.deepEqual(await store.alertHistory({ from: 0, to: 100, zone: 'z1' }), [later, a[2], a[0]]);
        assert.deepEqual(await store.alertHistory({ from: 0, to: 100, zone: 'z2' }), [a[1]]);
        assert.deepEqual(await store.alertHistory({ from: 10, to: 11 }), [a[1], a[0]]);
        assert.deepEqual(await store.alertHistory({ from: 0, to: 100, limit: 2 }), [later, a[2]]);
        assert.deepEqual(await store.alertHistory({ from: 0, to: 100, zone: 'z3' }), []);
        assert.deepEqual(await store.alertHistory({ from: 13, to: 100 }), []);
      }));

    it('upserts, gets, lists and deletes sensors', () =>
      withStore(async ({ store }) => {
        const s = (id: string, updatedAt: number, credentialHash: string | null = null): SensorRecord => ({
          id,
          def: { id, kind: 'acoustic', lat: 37.61, lon: 126.99, alt_m: 40, bearing_sd_deg: 5 },
          credentialHash,
          updatedAt,
        });
        assert.equal(await store.getSensor('ac-0002'), null);
        assert.deepEqual(await store.listSensors(), []);
        await store.upsertSensor(s('ac-0002', 100, 'scrypt$16384$8$1$c2FsdA==$aGFzaA=='));
        await store.upsertSensor(s('ac-0001', 101));
        await store.upsertSensor(s('rf-0001', 102));
        assert.deepEqual(await store.getSensor('ac-0002'), s('ac-0002', 100, 'scrypt$16384$8$1$c2FsdA==$aGFzaA=='));
        assert.deepEqual(await store.listSensors(), [s('ac-0001', 101), s('ac-0002', 100, 'scrypt$16384$8$1$c2FsdA==$aGFzaA=='), s('rf-0001', 102)]);
        // Upsert replaces every field, including clearing the credential.
        const changed: SensorRecord = { ...s('ac-0002', 200), def: { id: 'ac-0002', kind: 'radar', lat: 1, lon: 2 } };
        await store.upsertSensor(changed);
        assert.deepEqual(await store.getSensor('ac-0002'), changed);
        assert.equal((await store.listSensors()).length, 3);
        assert.equal(await store.deleteSensor('ac-0002'), true);
        assert.equal(await store.deleteSensor('ac-0002'), false);
        assert.equal(await store.getSensor('ac-0002'), null);
        assert.deepEqual(await store.listSensors(), [s('ac-0001', 101), s('rf-0001', 102)]);
      }));

    it('upserts, gets and lists users', () =>
      withStore(async ({ store }) => {
        const u = (name: string, role: UserRecord['role'], createdAt = 1000): UserRecord => ({
          name,
          passwordHash: `scrypt$16384$8$1$${Buffer.from(name).toString('base64')}$aGFzaA==`,
          role,
          createdAt,
        });
        assert.equal(await store.getUser('alice'), null);
        assert.deepEqual(await store.listUsers(), []);
        await store.upsertUser(u('carol', 'viewer'));
        await store.upsertUser(u('alice', 'admin'));
        await store.upsertUser(u('bob', 'operator'));
        assert.deepEqual(await store.getUser('bob'), u('bob', 'operator'));
        assert.deepEqual(await store.listUsers(), [u('alice', 'admin'), u('bob', 'operator'), u('carol', 'viewer')]);
        const demoted = { ...u('alice', 'viewer', 2000), passwordHash: 'scrypt$16384$8$1$bmV3$bmV3' };
        await store.upsertUser(demoted);
        assert.deepEqual(await store.getUser('alice'), demoted);
        assert.equal((await store.listUsers()).length, 3);
        assert.equal(await store.deleteUser('bob'), true);
        assert.equal(await store.deleteUser('bob'), false);
        assert.equal(await store.getUser('bob'), null);
        assert.deepEqual((await store.listUsers()).map((x) => x.name), ['alice', 'carol']);
      }));

    it('appends audit records and returns them newest first', () =>
      withStore(async ({ store }) => {
        const au = (t: number, action: string, user = 'alice'): AuditRecord => ({ t, user, action, target: `sensor:${action}`, detail: { from: 'web', n: t } });
        const rs = [au(10, 'login'), au(12, 'ack'), au(11, 'edit', 'bob'), au(12, 'clear')];
        for (const r of rs) await store.appendAudit(r);
        assert.deepEqual(await store.audit({ from: 0, to: 100 }), [rs[3], rs[1], rs[2], rs[0]]);
        assert.deepEqual(await store.audit({ from: 10, to: 11 }), [rs[2], rs[0]]);
        assert.deepEqual(await store.audit({ from: 0, to: 100, limit: 1 }), [rs[3]]);
        assert.deepEqual(await store.audit({ from: 13, to: 100 }), []);
      }));

    it('quarantines journal entries (kept in the journal, first mark kept), lists them newest first, prunes them with their detections', () =>
      withStore(async ({ store }) => {
        const r = await store.appendDetections([det('s1', 'a', 5), det('s1', 'b', 10), det('s2', 'c', 15)]);
        const [sa, , sc] = r.results as number[];
        const q = (seq: number, id: string, t: number, at: number, reason = 'tracker threw'): QuarantineRecord => ({ seq, sensor: 's1', id, t, reason, at });
        await store.quarantine(q(sa, 'a', 5, 100));
        await store.quarantine({ ...q(sc, 'c', 15, 101, 'x'.repeat(5000)), sensor: 's2' });
        await store.quarantine(q(sa, 'a', 5, 102, 'again')); // the first mark stays
        const list = await store.quarantined(10);
        assert.deepEqual(list.map((x) => [x.seq, x.at, x.reason.length]), [[sc, 101, 1000], [sa, 100, 'tracker threw'.length]]);
        assert.equal(list[0].sensor, 's2');
        assert.deepEqual(await store.quarantined(1), [list[0]]);
        assert.equal(await store.countDetections(), 3, 'quarantined entries stay in the journal');
        await assert.rejects(store.quarantine(q(0, 'a', 5, 1)), /seq/);
        await assert.rejects(store.quarantine(q(sa, 'a', NaN, 1)), /NaN/);
        await store.prune(10);
        assert.deepEqual((await store.quarantined(10)).map((x) => x.seq), [sc], 'pruned with the detections older than the cut');
      }));

    it('prunes detections and track states older than a time, and never reuses sequence numbers', () =>
      withStore(async ({ store }) => {
        const r = await store.appendDetections([det('s1', 'a', 5), det('s1', 'b', 10), det('s1', 'c', 15), det('s1', 'd', 20), det('s1', 'late', 1)]);
        const tr = (t: number): TrackStateRow => ({ t, track: 'T1', row: { t, track: 'T1', lat: 1, lon: 2 } });
        await store.appendTrackStates([tr(5), tr(10), tr(15)]);
        const alert: AlertRow = { t: 5, zone: 'z', state: 'alert', row: { t: 5 } };
        await store.appendAlerts([alert]);
        const audit: AuditRecord = { t: 5, user: 'u', action: 'a', target: '', detail: {} };
        await store.appendAudit(audit);

        // t < before goes; t == before stays. 'late' had the highest seq.
        assert.equal(await store.prune(10), 3);
        assert.equal(await store.countDetections(), 3);
        assert.deepEqual((await store.readJournal(0, 100)).map((e) => e.id), ['b', 'c', 'd']);
        assert.deepEqual(await store.trackHistory('T1', { from: 0, to: 100 }), [tr(10), tr(15)]);
        assert.deepEqual(await store.alertHistory({ from: 0, to: 100 }), [alert], 'prune must keep alerts');
        assert.deepEqual(await store.audit({ from: 0, to: 100 }), [audit], 'prune must keep audit');
        assert.equal(await store.lastSeq(), r.results[3]);

        const r2 = await store.appendDetections([det('s1', 'e', 30)]);
        assert.ok((r2.results[0] as number) > (r.results[4] as number), `seq ${String(r2.results[0])} reused a pruned number (<= ${String(r.results[4])})`);
        if (options.gapFreeSeq) assert.deepEqual(r2.results, [6]);

        assert.equal(await store.prune(1000), 4 + 2);
        assert.equal(await store.countDetections(), 0);
        assert.equal(await store.lastSeq(), 0);
        assert.equal(await store.prune(1000), 0);
        const r3 = await store.appendDetections([det('s1', 'f', 40)]);
        assert.ok((r3.results[0] as number) > (r2.results[0] as number), 'seq reused after pruning everything');
        if (options.gapFreeSeq) assert.deepEqual(r3.results, [7]);
      }));

    it('keeps everything across close and reopen', () =>
      withStore(async ({ store, reopen }) => {
        const r = await store.appendDetections([det('s1', 'a', 10), det('s2', 'b', 11, { lat: 37.1, lon: 127.2 })]);
        await store.appendTrackStates([{ t: 10, track: 'T1', row: { t: 10, lat: 37, lon: 127 } }]);
        await store.appendAlerts([{ t: 10, zone: 'z1', state: 'alert', row: { t: 10 } }]);
        await store.upsertSensor({ id: 's1', def: { id: 's1', kind: 'radar' }, credentialHash: 'h', updatedAt: 1 });
        await store.upsertUser({ name: 'alice', passwordHash: 'p', role: 'admin', createdAt: 2 });
        await store.appendAudit({ t: 3, user: 'alice', action: 'login', target: '', detail: { ip: '10.0.0.1' } });
        const snapshot = async (s: Store): Promise<unknown[]> => [
          await s.readJournal(0, 100),
          await s.lastSeq(),
          await s.countDetections(),
          await s.trackHistory('T1', { from: 0, to: 100 }),
          await s.trackStatesInWindow({ from: 0, to: 100 }),
          await s.alertHistory({ from: 0, to: 100 }),
          await s.listSensors(),
          await s.listUsers(),
          await s.audit({ from: 0, to: 100 }),
        ];
        const before = await snapshot(store);
        await store.close();
        await store.close(); // idempotent
        await assert.rejects(store.countDetections(), /closed/);

        const again = await reopen();
        assert.deepEqual(await snapshot(again), before);
        assert.equal((before[0] as unknown[]).length, 2);
        // Duplicates are still recognised and numbering continues upwards.
        const r2 = await again.appendDetections([det('s1', 'a', 10), det('s1', 'c', 12)]);
        assert.equal(r2.results[0], 'duplicate');
        assert.ok((r2.results[1] as number) > (r.results[1] as number));
        if (options.gapFreeSeq) assert.deepEqual(r2.results, ['duplicate', 3]);
        assert.equal(await again.countDetections(), 3);
        await again.close();
      }));

    it('rejects bad values with the value in the message and stores nothing of the batch', () =>
      withStore(async ({ store }) => {
        const ok = det('s1', 'ok', 10);
        await assert.rejects(store.appendDetections([ok, det('s1', 'nan', NaN)]), (e: Error) => /\bt\b/.test(e.message) && /NaN/.test(e.message));
        await assert.rejects(store.appendDetections([{ ...ok, t: Infinity }]), /Infinity/);
        await assert.rejects(store.appendDetections([{ ...ok, receivedAt: NaN }]), /receivedAt.*NaN/);
        await assert.rejects(store.appendDetections([{ ...ok, sensor: '' }]), /sensor.*""/);
        await assert.rejects(store.appendDetections([{ ...ok, id: 42 as unknown as string }]), /id.*42/);
        await assert.rejects(store.appendDetections([{ ...ok, row: null as unknown as Record<string, unknown> }]), /row.*null/);
        await assert.rejects(store.appendDetections([{ ...ok, t: '10' as unknown as number }]), /"10"/);
        assert.equal(await store.countDetections(), 0, 'a rejected batch must store nothing');
        assert.equal(await store.lastSeq(), 0);

        await assert.rejects(store.appendTrackStates([{ t: 1, track: 'T1', row: {} }, { t: NaN, track: 'T1', row: {} }]), /NaN/);
        assert.deepEqual(await store.trackHistory('T1', { from: -Infinity, to: Infinity }), []);
        await assert.rejects(store.appendAlerts([{ t: 1, zone: 'z', state: 'bogus' as 'alert', row: {} }]), /bogus/);
        await assert.rejects(store.appendAlerts([{ t: NaN, zone: 'z', state: 'alert', row: {} }]), /NaN/);
        assert.deepEqual(await store.alertHistory({ from: -Infinity, to: Infinity }), []);
        await assert.rejects(store.upsertUser({ name: 'eve', passwordHash: 'p', role: 'root' as 'admin', createdAt: 1 }), /root/);
        assert.equal(await store.getUser('eve'), null);
        await assert.rejects(store.upsertSensor({ id: 's', def: {}, credentialHash: null, updatedAt: NaN }), /updatedAt.*NaN/);
        await assert.rejects(store.appendAudit({ t: NaN, user: 'u', action: 'a', target: '', detail: {} }), /NaN/);
        await assert.rejects(store.detectionsInWindow({ from: NaN, to: 10 }), /from.*NaN/);
        await assert.rejects(store.detectionsInWindow({ from: 0, to: 10, limit: -1 }), /limit.*-1/);
        await assert.rejects(store.trackHistory('T1', { from: 0, to: NaN }), /to.*NaN/);
        await assert.rejects(store.trackStatesInWindow({ from: 0, to: 1, limit: 0.5 }), /limit.*0\.5/);
        await assert.rejects(store.readJournal(-1, 10), /afterSeq.*-1/);
        await assert.rejects(store.readJournal(0, 2.5), /limit.*2\.5/);
        await assert.rejects(store.prune(NaN), /NaN/);

        // The store still works after rejecting.
        assert.equal(typeof (await store.appendDetections([ok])).results[0], 'number');
        assert.equal(await store.countDetections(), 1);
      }));

    it('appends a batch of 10,000 in one call', () =>
      withStore(async ({ store }) => {
        const n = 10_000;
        const batch = range(0, n).map((i) =>
          det(`s${i % 7}`, `d${i}`, 1764000000 + i / 10, i % 3 === 0 ? { type: 'position', lat: 37 + i / 1e5, lon: 127 - i / 1e5, pos_sd_m: 50 } : {}),
        );
        const r = await store.appendDetections(batch);
        assert.equal(r.results.length, n);
        assertIncreasing(r.results, 'large batch');
        if (options.gapFreeSeq) assert.deepEqual(r.results, range(1, n));
        assert.equal(await store.countDetections(), n);
        const back = await store.readJournal(0, n);
        assert.equal(back.length, n);
        back.forEach((e, i) => assert.deepEqual(e, entry(batch[i], r.results[i])));
        assert.equal(await store.lastSeq(), r.results[n - 1]);
        const again = await store.appendDetections(batch.slice(0, 3));
        assert.deepEqual(again.results, ['duplicate', 'duplicate', 'duplicate']);
        assert.equal((await store.detectionsInWindow({ from: 1764000000, to: 1764000000 + 99.95, sensor: 's3' })).length, 143);
      }));

    it('lands every batch of concurrent appends, each in order', () =>
      withStore(async ({ store }) => {
        const batches = range(0, 8).map((b) => range(0, 300).map((i) => det(`s${b}`, `d${i}`, 100 + i, { b })));
        // One key sent by four batches at once: exactly one of them stores it.
        for (const b of [1, 3, 5, 7]) batches[b].push(det('shared', 'x', 50, { b }));
        const results = await Promise.all(batches.map((b) => store.appendDetections(b)));
        const shared = [1, 3, 5, 7].map((b) => results[b].results[300]);
        assert.equal(shared.filter((s) => typeof s === 'number').length, 1, `shared key results: ${shared.join(', ')}`);
        assert.equal(shared.filter((s) => s === 'duplicate').length, 3);

        const all: number[] = [];
        results.forEach((r, b) => {
          assert.equal(r.results.length, batches[b].length);
          const own = r.results.slice(0, 300);
          assertIncreasing(own, `batch ${b}`);
          all.push(...(own as number[]));
        });
        all.push(shared.find((s) => typeof s === 'number') as number);
        const total = 8 * 300 + 1;
        assert.equal(new Set(all).size, total, 'sequence numbers must be distinct');
        assert.equal(await store.countDetections(), total);
        const back = await store.readJournal(0, 10_000);
        assert.equal(back.length, total);
        assertIncreasing(
          back.map((e) => e.seq),
          'journal',
        );
        if (options.gapFreeSeq) assert.deepEqual(back.map((e) => e.seq), range(1, total));
        const seqOf = new Map(back.map((e) => [`${e.sensor}/${e.id}`, e.seq]));
        batches.forEach((batch, b) => batch.slice(0, 300).forEach((x, i) => assert.equal(seqOf.get(`${x.sensor}/${x.id}`), results[b].results[i])));
      }));
  });
}
