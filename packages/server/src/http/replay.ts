/**
 * Replay of a recorded window: the stored track states as frames (what the picture showed),
 * and a fresh run of the tracker over the journal's detections of the window (what the
 * tracker makes of them now: the same code as `skywarden track`).
 */
import { createPicture, sensorCentroid } from '@skywarden/core';
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

/** Most journal entries one replay runs the tracker over (a wider window is refused: narrow it). */
export const MAX_REPLAY_DETECTIONS = 500_000;
/** Detections fed between two yields to the event loop (the live service goes on meanwhile). */
const CHUNK = 2_000;

/** Thrown when the window holds more detections than one replay runs over. */
export class ReplayTooLarge extends Error {}

export async function replayWindow(svc: Service, from: number, to: number, reportEvery: number): Promise<TrackRow[]> {
  const entries = await svc.store.detectionsInWindow({ from, to, limit: MAX_REPLAY_DETECTIONS + 1 });
  if (entries.length > MAX_REPLAY_DETECTIONS) throw new ReplayTooLarge(`the window holds more than ${MAX_REPLAY_DETECTIONS} detections: replay a narrower one`);
  const out: TrackRow[] = [];
  // the same picture as the live service and `skywarden track`, without zones
  const picture = createPicture({ anchor: sensorCentroid(svc.registry.sensors.values()), sensors: svc.registry.sensors.values(), tracker: { acousticClouds: svc.config.fusion.acoustic_clouds }, reorderDelay: svc.config.fusion.reorder_delay_s, reportEvery }, (e) => {
    if (e.type === 'tracks' && out.length < MAX_ROWS) for (const r of e.reports) out.push(trackReportToRow(r));
  });
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const p = parseDetectionRow(e.row, e.seq, svc.registry.sensors);
    if (p.ok) {
      if (p.detection.id === undefined) p.detection.id = `${e.sensor}:${e.id}`;
      picture.push(p.detection);
    }
    if (i % CHUNK === CHUNK - 1) await new Promise((r) => setImmediate(r));
  }
  picture.finish();
  return out;
}
