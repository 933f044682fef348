/**
 * Replay of a recorded window: the stored track states as frames (what the picture showed),
 * and a fresh run of the tracker over the journal's detections of the window (what the
 * tracker makes of them now: the same code as `skywarden track`).
 */
import { createBatchRunner, createTracker, detectionAnchor, sensorCentroid, type Tracker } from '@skywarden/core';
import { parseDetectionRow, trackReportToRow, type TrackRow, type TrackWire } from '@skywarden/formats';
import type { Service } from '../service.js';

/** Most track rows one replay request returns. */
const MAX_ROWS = 500_000;

export async function storedFrames(svc: Service, from: number, to: number, every: number): Promise<{ t: number; tracks: TrackWire[] }[]> {
  const rows = await svc.store.trackStatesInWindow({ from, to, limit: MAX_ROWS });
  const frames: { t: number; tracks: TrackWire[] }[] = [];
  let next = from;
  for (const r of rows) {
    const last = frames[frames.length - 1];
    if (last && last.t === r.t) {
      last.tracks.push(r.row as unknown as TrackWire);
      continue;
    }
    if (r.t + 1e-9 < next) continue;
    frames.push({ t: r.t, tracks: [r.row as unknown as TrackWire] });
    next = r.t + every;
  }
  return frames;
}

export async function replayWindow(svc: Service, from: number, to: number, reportEvery: number): Promise<TrackRow[]> {
  const entries = await svc.store.detectionsInWindow({ from, to, limit: 2_000_000 });
  const out: TrackRow[] = [];
  let tracker: Tracker | null = null;
  let runner: ReturnType<typeof createBatchRunner> | null = null;
  const make = (origin: Parameters<typeof createTracker>[0]['origin']) => {
    tracker = createTracker({ origin });
    runner = createBatchRunner(tracker, { reorderDelay: svc.config.fusion.reorder_delay_s, reportEvery }, {
      onReport(_t, reports) {
        if (out.length < MAX_ROWS) for (const r of reports) out.push(trackReportToRow(r));
      },
    });
  };
  const anchor = sensorCentroid(svc.registry.sensors.values());
  if (anchor) make(anchor);
  for (const e of entries) {
    const p = parseDetectionRow(e.row, e.seq, svc.registry.sensors);
    if (!p.ok) continue;
    if (p.detection.id === undefined) p.detection.id = `${e.sensor}:${e.id}`;
    if (!runner) {
      const a = detectionAnchor(p.detection);
      if (a) make(a);
    }
    (runner as ReturnType<typeof createBatchRunner> | null)?.push(p.detection);
  }
  (runner as ReturnType<typeof createBatchRunner> | null)?.finish();
  return out;
}
