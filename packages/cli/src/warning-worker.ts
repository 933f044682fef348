/**
 * The warnings of `skywarden track` in a worker thread: the picture's warning stage
 * (core picture/warning-stage.ts) fed the track reports of the times it predicts at, while the
 * main thread reads, tracks and writes the track rows. Threat prediction was about a fifth of a
 * national night's work (docs/tracker.md "National scale"); here it runs on the second core.
 * The stage is the same code fed the same reports, so the alert events are the in-process
 * ones, in the same order (track.e2e.test.ts compares the two).
 *
 * Messages in: { type: 'reports', t, reports } (the picture's reports, operators' marks
 * applied), { type: 'end' }. Out: { type: 'events', events } (the alert events of one report
 * time, in order), { type: 'done' } after 'end'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createWarningStage, type AlertEvent, type PictureEvent, type TrackReport, type WarningStageOptions } from '@skywarden/core';

export interface WarningWorkerData {
  stage: WarningStageOptions;
}

export type WarningWorkerIn = { type: 'reports'; t: number; reports: TrackReport[] } | { type: 'end' };
export type WarningWorkerOut = { type: 'events'; events: AlertEvent[] } | { type: 'done' };

const port = parentPort;
if (port) {
  const stage = createWarningStage((workerData as WarningWorkerData).stage);
  const out: AlertEvent[] = [];
  const emit = (e: PictureEvent) => {
    if (e.type === 'alert') out.push(e);
  };
  port.on('message', (m: WarningWorkerIn) => {
    if (m.type === 'end') {
      port.postMessage({ type: 'done' } satisfies WarningWorkerOut);
      port.close();
      return;
    }
    stage.onReports(m.t, m.reports, emit);
    if (out.length > 0) {
      port.postMessage({ type: 'events', events: out.splice(0) } satisfies WarningWorkerOut);
    }
  });
}
