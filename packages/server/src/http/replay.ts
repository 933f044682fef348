/**
 * Replay of a recorded window: the stored track states as frames (what the picture showed),
 * and a fresh run of the tracker over the journal's detections of the window (what the
 * tracker makes of them now: the same code as `skywarden track`).
 */
import { createPicture, sensorCentroid } from '@skywarden/core';
import { parseDetectionRow, trackReportToRow, type TrackRow, type TrackWire } from '@skywarden/formats';
import type { Service } from '../service.js';
import type { JournalEntry } from '../store/store.js';

/** Most track rows one replay request returns. */
const MAX_ROWS = 500_000;

/** Rows one read of a slice takes ({@link timeSlices}): the store's answer and its text are made between two yields. */
export const SLICE_ROWS = 5_000;

/** The least number above t (a bound that leaves t out of a window whose ends are both in). */
function nextAfter(t: number): number {
  if (t === 0) return Number.MIN_VALUE;
  const f = new Float64Array([t]);
  const u = new BigInt64Array(f.buffer);
  u[0] += t > 0 ? 1n : -1n;
  return f[0];
}

/**
 * The rows of a time window, oldest first, at most `limit`, as slices of about
 * {@link SLICE_ROWS} with the event loop let go between them. `read(from, to, n)` gives the first
 * `n` rows with from <= t <= to in time order (the store's window reads). Each read asks from
 * where the last one stopped to the window's end, so an empty stretch costs nothing; a slice
 * ends before the time of its first row left out, so the rows of one time are never split
 * between slices (a time with more rows than a slice is read whole on its own).
 */
export async function* timeSlices<R extends { t: number }>(read: (from: number, to: number, n: number) => Promise<R[]>, from: number, to: number, limit: number): AsyncGenerator<R[]> {
  let a = from;
  let left = limit;
  while (left > 0 && a <= to) {
    const cap = Math.min(left, SLICE_ROWS);
    const rows = await read(a, to, cap + 1);
    if (rows.length <= cap) {
      if (rows.length > 0) yield rows;
      return;
    }
    const stop = rows[cap].t;
    let n = 0;
    while (n < cap && rows[n].t < stop) n++;
    let take: R[];
    if (n > 0) {
      take = rows.slice(0, n);
      a = stop;
    } else {
      // one time holds more rows than a slice
      take = await read(stop, stop, left);
      a = nextAfter(stop);
    }
    left -= take.length;
    yield take;
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * The stored track states of a window as frames (a frame at the first time at least `every` after
 * the last frame's, with every state of that time), as the JSON text of `{ "frames": [...] }`,
 * made a slice of the window at a time ({@link timeSlices}), each frame written by `frameJson`
 * (the route's serializer). Made in one piece (one query, capped by the store at 100,000 rows: a
 * long window stopped there, unsaid) a 6-hour window held the service for 11 s (an outside probe,
 * 2026-12-07: health 10.6 s late, the live picture refusing acknowledged detections as late). At
 * most {@link MAX_ROWS} rows are read in all.
 */
export async function* storedFramesText(svc: Service, from: number, to: number, every: number, frameJson: (f: { t: number; tracks: TrackWire[] }) => string): AsyncGenerator<string> {
  yield '{"frames":[';
  let next = from;
  let cur: { t: number; tracks: TrackWire[] } | null = null;
  let wrote = false;
  for await (const rows of timeSlices((f, t, n) => svc.store.trackStatesInWindow({ from: f, to: t, limit: n }), from, to, MAX_ROWS)) {
    let out = '';
    for (const r of rows) {
      if (cur && cur.t === r.t) {
        cur.tracks.push(r.row as unknown as TrackWire);
        continue;
      }
      if (r.t + 1e-9 < next) continue;
      if (cur) {
        out += (wrote ? ',' : '') + frameJson(cur);
        wrote = true;
      }
      cur = { t: r.t, tracks: [r.row as unknown as TrackWire] };
      next = r.t + every;
    }
    if (out) yield out;
  }
  yield (cur ? (wrote ? ',' : '') + frameJson(cur) : '') + ']}';
}

/**
 * The journal's detections of a window (oldest first: by time, then sequence), at most `limit`,
 * of one sensor or all, a slice at a time ({@link timeSlices}).
 */
export function journalSlices(svc: Service, from: number, to: number, limit: number, sensor?: string): AsyncGenerator<JournalEntry[]> {
  return timeSlices((f, t, n) => svc.store.detectionsInWindow({ from: f, to: t, limit: n, ...(sensor !== undefined ? { sensor } : {}) }), from, to, limit);
}

/**
 * The journal's detections of a window (oldest first, at most `limit`, of one sensor or all) as
 * the JSON text of `{ from, to, detections: [...] }`, each row written by `rowJson` (the route's
 * serializer), a time slice at a time ({@link journalSlices}: an outside probe, 2026-12-07,
 * twenty reads of 50,000 rows made in one piece held the health check 3-7 s).
 */
export async function* detectionsText(svc: Service, from: number, to: number, limit: number, sensor: string | undefined, rowJson: (r: Record<string, unknown>) => string): AsyncGenerator<string> {
  yield `{"from":${JSON.stringify(from)},"to":${JSON.stringify(to)},"detections":[`;
  let wrote = false;
  for await (const slice of journalSlices(svc, from, to, limit, sensor)) {
    let out = '';
    for (const e of slice) {
      out += (wrote ? ',' : '') + rowJson({ ...e.row, seq: e.seq, received_at: e.receivedAt });
      wrote = true;
    }
    yield out;
  }
  yield ']}';
}

/** Most journal entries one replay runs the tracker over (a wider window is refused: narrow it). */
export const MAX_REPLAY_DETECTIONS = 500_000;
/** Detections fed between two yields to the event loop (the live service goes on meanwhile). */
const CHUNK = 2_000;

/** Thrown when the window holds more detections than one replay runs over. */
export class ReplayTooLarge extends Error {}

/**
 * The tracker run again over the journal of a window: its tracks.ndjson rows, a batch per slice of
 * the journal read ({@link journalSlices}; the event loop let go between), at most
 * {@link MAX_ROWS} in all. Throws {@link ReplayTooLarge} before the first batch when the window
 * holds more than {@link MAX_REPLAY_DETECTIONS} detections (counted first, a slice at a time:
 * one read of them all was capped by the store at 100,000, and the rest of the window was left
 * out unsaid).
 */
export async function* replayRows(svc: Service, from: number, to: number, reportEvery: number, maxDetections = MAX_REPLAY_DETECTIONS): AsyncGenerator<TrackRow[]> {
  let count = 0;
  for await (const slice of journalSlices(svc, from, to, maxDetections + 1)) count += slice.length;
  if (count > maxDetections) throw new ReplayTooLarge(`the window holds more than ${maxDetections} detections: replay a narrower one`);
  let out: TrackRow[] = [];
  let rows = 0;
  // the same picture as the live service and `skywarden track`, without zones
  const picture = createPicture({ anchor: sensorCentroid(svc.registry.sensors.values()), sensors: svc.registry.sensors.values(), tracker: { acousticClouds: svc.config.fusion.acoustic_clouds, associator: svc.config.fusion.associator }, reorderDelay: svc.config.fusion.reorder_delay_s, reportEvery }, (e) => {
    if (e.type !== 'tracks') return;
    for (const r of e.reports) {
      if (rows >= MAX_ROWS) return;
      out.push(trackReportToRow(r));
      rows++;
    }
  });
  for await (const slice of journalSlices(svc, from, to, maxDetections)) {
    for (let i = 0; i < slice.length; i++) {
      const e = slice[i];
      const p = parseDetectionRow(e.row, e.seq, svc.registry.sensors);
      if (p.ok) {
        if (p.detection.id === undefined) p.detection.id = `${e.sensor}:${e.id}`;
        picture.push(p.detection);
      }
      if (i % CHUNK === CHUNK - 1) await new Promise((r) => setImmediate(r));
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  picture.finish();
  if (out.length > 0) yield out;
}

/** {@link replayRows} collected: every row of the replay. */
export async function replayWindow(svc: Service, from: number, to: number, reportEvery: number): Promise<TrackRow[]> {
  const all: TrackRow[] = [];
  for await (const batch of replayRows(svc, from, to, reportEvery)) for (const r of batch) all.push(r);
  return all;
}
