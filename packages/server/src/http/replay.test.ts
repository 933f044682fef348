import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../store/index.js';
import type { Service } from '../service.js';
import { detectionsText, replayRows, ReplayTooLarge, SLICE_ROWS, storedFramesText } from './replay.js';

test('the stored frames written a slice at a time: every row of the window once, frames by `every`, none split at a slice border, past the store\'s 100,000 rows a query', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-replay-'));
  const store = await createSqliteStore({ path: join(dir, 'db.sqlite'), sync: 'normal' });
  try {
    // 40 tracks a second for 600 s, then a quiet 20 minutes with 2 tracks every 7 s, then a burst
    // of 500 tracks a second for 60 s (slices narrow and widen); rows at quarter seconds too
    const row = (t: number, track: string) => ({ t, track, row: { t, track, lat: 37.5 + t / 1e5, lon: 127, alt_m: 300, ve_mps: 20, vn_mps: -3, status: 'confirmed', extra: 'kept by the store' } });
    const rows: ReturnType<typeof row>[] = [];
    for (let t = 0; t < 600; t += 1) for (let k = 0; k < 40; k++) rows.push(row(t, `A${k}`));
    for (let t = 600; t < 1800; t += 7) for (let k = 0; k < 2; k++) rows.push(row(t, `B${k}`));
    for (let t = 1800; t < 1860; t += 0.25) for (let k = 0; k < 500; k++) rows.push(row(t, `C${k}`));
    for (let i = 0; i < rows.length; i += 20_000) await store.appendTrackStates(rows.slice(i, i + 20_000));
    const svc = { store } as unknown as Service;
    const json = (f: unknown) => JSON.stringify(f);
    // what the frames must be: the window's rows by time and track, a frame at the first time at
    // least `every` after the last frame's, with every row of that time
    const expected = (from: number, to: number, every: number) => {
      const inWindow = rows.filter((r) => r.t >= from && r.t <= to).sort((x, y) => x.t - y.t || (x.track < y.track ? -1 : 1));
      const frames: { t: number; tracks: unknown[] }[] = [];
      let next = from;
      for (const r of inWindow) {
        const last = frames.at(-1);
        if (last && last.t === r.t) last.tracks.push(r.row);
        else if (r.t + 1e-9 >= next) {
          frames.push({ t: r.t, tracks: [r.row] });
          next = r.t + every;
        }
      }
      return frames;
    };
    for (const [from, to, every] of [[0, 1860, 1], [0, 1860, 0.25], [30, 1830, 10], [599.5, 1801, 3], [2000, 3000, 1], [1805, 1805, 1]]) {
      let text = '';
      let pieces = 0;
      for await (const s of storedFramesText(svc, from, to, every, json)) {
        text += s;
        pieces++;
      }
      const want = expected(from, to, every);
      assert.deepEqual(JSON.parse(text), { frames: want }, `${from}-${to} every ${every}`);
      // the opening, a piece per slice of at most SLICE_ROWS rows (every one of which starts a frame at this `every`), the close
      const n = rows.filter((r) => r.t >= from && r.t <= to).length;
      if (every <= 0.25) assert.ok(pieces >= 2 + Math.ceil(n / SLICE_ROWS), `${from}-${to}: ${n} rows written in ${pieces} pieces`);
    }
    // the whole window holds 144,344 rows: one query of the store returns at most 100,000 (a read in one piece stopped at 1,838 s)
    assert.equal(rows.length, 144_344);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the journal of a window written a slice at a time: the first `limit` detections by time and sequence, of one sensor or all, each once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-journal-'));
  const store = await createSqliteStore({ path: join(dir, 'db.sqlite'), sync: 'normal' });
  try {
    // a sensor every 2 s for 20 minutes, a burst of 30,000 rows in 3 s (at one time, many), then quiet
    const inputs: { t: number; sensor: string; id: string; row: Record<string, unknown>; receivedAt: number }[] = [];
    const add = (t: number, sensor: string, id: string) => inputs.push({ t, sensor, id, row: { t, sensor, id, type: 'presence' }, receivedAt: t + 0.5 });
    for (let t = 0; t < 1200; t += 2) for (const s of ['s1', 's2']) add(t, s, `${s}-${t}`);
    for (let k = 0; k < 30_000; k++) add(1200 + (k % 3), k % 2 ? 's1' : 's2', `burst-${k}`);
    add(5000, 's1', 'late');
    for (let i = 0; i < inputs.length; i += 5000) await store.appendDetections(inputs.slice(i, i + 5000));
    const journal = await store.detectionsInWindow({ from: 0, to: 1e9, limit: 100_000 });
    const svc = { store } as unknown as Service;
    for (const [from, to, limit, sensor] of [[0, 6000, 50_000, undefined], [0, 6000, 1000, undefined], [1199, 1201, 20_000, 's1'], [100, 1300, 50_000, 's2'], [5000, 5000, 10, undefined], [6000, 7000, 10, undefined]] as [number, number, number, string | undefined][]) {
      let text = '';
      let pieces = 0;
      for await (const s of detectionsText(svc, from, to, limit, sensor, (r) => JSON.stringify(r))) {
        text += s;
        pieces++;
      }
      const want = journal.filter((e) => e.t >= from && e.t <= to && (sensor === undefined || e.sensor === sensor)).slice(0, limit).map((e) => ({ ...e.row, seq: e.seq, received_at: e.receivedAt }));
      assert.deepEqual(JSON.parse(text), { from, to, detections: want }, `${from}-${to} limit ${limit} ${sensor ?? 'all'}`);
      if (want.length > 2 * SLICE_ROWS) assert.ok(pieces > 3, `${want.length} rows written in ${pieces} pieces`);
    }
    // a replay counts the window's detections first, a slice at a time (one read stopped at the
    // store's 100,000), and refuses a window of more than it takes before it starts
    await assert.rejects(replayRows(svc, 0, 6000, 1, 31_200).next(), (e: Error) => e instanceof ReplayTooLarge && /more than 31200 detections/.test(e.message));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
