/**
 * Drives a tracker from a stream of detections that is sorted by time except for late
 * arrivals (up to `reorderDelay` seconds), and reports the tracks on a fixed time grid
 * t = k·reportEvery, from the first detection to the last (spec/interchange.md,
 * tracks.ndjson). The output is online: the report at t is made from detections with time
 * <= t only. A detection that arrives later than the reorder delay allows is refused with a
 * reason; a repeated detection id within the window is refused as a duplicate.
 */
import type { Detection } from '../types.js';
import type { Tracker, TrackerEvent, TrackReport } from './tracker.js';

export interface BatchRunnerOptions {
  /** How late (s) a detection may arrive behind the latest one seen. Default 5. */
  reorderDelay: number;
  /** Report interval (s). Default 1. */
  reportEvery: number;
}

export interface BatchRunnerSink {
  onReport(t: number, reports: TrackReport[]): void;
  onEvents?(events: TrackerEvent[]): void;
}

export interface BatchRunner {
  /** Offers a detection; returns null when taken, or the reason it was refused. */
  push(det: Detection): string | null;
  /** Processes everything still pending and writes the last reports. */
  finish(): void;
  /** Detections waiting in the reorder buffer. */
  readonly pending: number;
}

/** Binary min-heap of detections by (t, arrival order). */
class DetectionHeap {
  private items: Detection[] = [];
  private seqs: number[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  peek(): Detection | undefined {
    return this.items[0];
  }
  private less(i: number, j: number): boolean {
    const a = this.items[i].t;
    const b = this.items[j].t;
    return a < b || (a === b && this.seqs[i] < this.seqs[j]);
  }
  private swap(i: number, j: number): void {
    const it = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = it;
    const s = this.seqs[i];
    this.seqs[i] = this.seqs[j];
    this.seqs[j] = s;
  }
  push(d: Detection): void {
    this.items.push(d);
    this.seqs.push(this.seq++);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): Detection | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0];
    this.swap(0, n - 1);
    this.items.pop();
    this.seqs.pop();
    let i = 0;
    const m = this.items.length;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < m && this.less(l, best)) best = l;
      if (r < m && this.less(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top;
  }
}

export function createBatchRunner(tracker: Tracker, opts: Partial<BatchRunnerOptions>, sink: BatchRunnerSink): BatchRunner {
  const reorderDelay = opts.reorderDelay ?? 5;
  const reportEvery = opts.reportEvery ?? 1;
  if (!(reorderDelay >= 0 && Number.isFinite(reorderDelay))) throw new Error(`reorderDelay must be a finite number >= 0, got ${reorderDelay}`);
  if (!(reportEvery > 0 && Number.isFinite(reportEvery))) throw new Error(`reportEvery must be a positive finite number, got ${reportEvery}`);
  const heap = new DetectionHeap();
  const ids = new Map<string, number>();
  let maxSeen = -Infinity;
  let nextK = NaN; // index of the next report time k·reportEvery
  let processedUpTo = -Infinity;

  function runStep(upTo: number, report: boolean): void {
    const batch: Detection[] = [];
    while (heap.size > 0 && (heap.peek() as Detection).t <= upTo) batch.push(heap.pop() as Detection);
    const events = tracker.step(batch, upTo);
    if (sink.onEvents && events.length > 0) sink.onEvents(events);
    if (report) sink.onReport(upTo, tracker.report(upTo));
    processedUpTo = upTo;
  }

  /** Ids in arrival order, to forget them once no duplicate of theirs could still be taken. */
  const idQueue: { id: string; t: number }[] = [];
  let idHead = 0;
  function pruneIds(): void {
    // a repeat of a detection at or before processedUpTo is refused as late anyway
    const limit = processedUpTo - reorderDelay;
    while (idHead < idQueue.length && idQueue[idHead].t < limit) {
      ids.delete(idQueue[idHead].id);
      idHead++;
    }
    if (idHead > 4096 && idHead * 2 > idQueue.length) {
      idQueue.splice(0, idHead);
      idHead = 0;
    }
  }

  function advance(limit: number): void {
    if (Number.isNaN(nextK)) {
      // the report grid starts at the earliest detection, known once the reorder window has passed it
      const first = heap.peek();
      if (!first || first.t > limit) return;
      nextK = Math.ceil(first.t / reportEvery - 1e-9);
    }
    if (nextK * reportEvery > limit) return;
    while (nextK * reportEvery <= limit) {
      runStep(nextK * reportEvery, true);
      nextK++;
    }
    pruneIds();
  }

  return {
    get pending() {
      return heap.size;
    },
    push(det) {
      if (!Number.isFinite(det.t)) return `time is not a finite number: ${det.t}`;
      if (det.t <= processedUpTo) {
        return `arrives ${(maxSeen - det.t).toFixed(3)} s behind the latest detection, beyond the reorder delay of ${reorderDelay} s`;
      }
      if (det.id !== undefined) {
        if (ids.has(det.id)) return `duplicate detection id "${det.id}"`;
        ids.set(det.id, det.t);
        idQueue.push({ id: det.id, t: det.t });
      }
      heap.push(det);
      if (det.t > maxSeen) {
        maxSeen = det.t;
        advance(maxSeen - reorderDelay);
      }
      return null;
    },
    finish() {
      advance(maxSeen);
      if (heap.size > 0) runStep(maxSeen, false);
    },
  };
}
