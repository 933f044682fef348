/**
 * Drives a tracker from a stream of detections that is sorted by time except for late
 * arrivals (up to `reorderDelay` seconds), and reports the tracks on a fixed time grid
 * t = k·reportEvery, from the first detection to the last (spec/interchange.md,
 * tracks.ndjson). The output is online: the report at t is made from detections with time
 * <= t only. The tracker is stepped at most `stepMax` apart, whatever the report interval.
 * A detection that arrives later than the reorder delay allows is refused with a reason; a
 * repeated detection id is refused as a duplicate for `dedupeWindow` seconds. Time is not
 * moved on by one source alone far ahead of the others: in live use no further than the clock
 * (`clockLead`), and a jump of more than `maxJump` waits for another sensor to agree.
 */
import type { Detection } from '../types.js';
import type { Tracker, TrackerEvent, TrackReport } from './tracker.js';
import { RecentIds } from './recent-ids.js';

export interface BatchRunnerOptions {
  /** How late (s) a detection may arrive behind the latest one seen. Default 5. */
  reorderDelay: number;
  /** Report interval (s). Default 1. */
  reportEvery: number;
  /**
   * Longest tracker step (s). The tracker is stepped on a finer grid than the reports when
   * they are sparse, so that the report interval only samples the output and never changes
   * the estimates. Default 1.
   */
  stepMax: number;
  /** A repeated detection id is refused for this long (s) after the first. Default 120. */
  dedupeWindow: number;
  /** Two 32-bit integers keying the duplicate check's hashes (recent-ids.ts); a random draw makes chosen colliding ids useless. Default [0, 0]. */
  idSeed: readonly [number, number];
  /**
   * Live use (once `advanceTo` has given the clock): how far (s) a detection may lead the clock
   * and still move time on (a sensor's clock skew, a tick's lag). One further ahead waits in the
   * reorder buffer until the clock reaches it, so that one sensor with a clock running ahead
   * cannot make every other sensor's detections late. Default 1.
   */
  clockLead: number;
  /**
   * A detection more than this many seconds ahead of the latest one is a jump in time. It is
   * held, and time does not move, until a detection of another sensor agrees with it (within
   * `maxJump` of it), or `jumpRun` detections in a row have jumped (the stream moved on), or
   * time catches up with it, or the run finishes. One line with a wrong time in a file of
   * detections no longer makes the rest of the file late. Default 60.
   */
  maxJump: number;
  /**
   * Jumped detections in a row that show the stream moved on (see `maxJump`). Default 8. Also
   * the start: without a clock (a file), the first `jumpRun` detections are gathered and taken
   * in time order, so that a first line with a wrong time is judged against the lines after
   * it (a jump, held as above) instead of setting the time every other line is late against.
   */
  jumpRun: number;
}
export interface BatchRunnerSink {
  onReport(t: number, reports: TrackReport[]): void;
  onEvents?(events: TrackerEvent[]): void;
}

export interface BatchRunner {
  /** Offers a detection; returns null when taken, or the reason it was refused. */
  push(det: Detection): string | null;
  /**
   * The time the runner has moved to (s): the latest detection taken or clock given to
   * {@link advanceTo} (a detection ahead of the clock counts only to the clock's lead); its steps
   * and reports have run up to this less the reorder delay. -Infinity before the first.
   */
  readonly latest: number;
  /** Processes everything still pending and writes the last reports. */
  finish(): void;
  /**
   * Live use: the clock says it is `t` (s). Time moves on as if a detection at `t` had
   * arrived: the steps up to `t - reorderDelay` run (tracks coast and end without new
   * detections) and a detection older than `t - reorderDelay` is refused from now on. With
   * every detection arriving within the reorder delay, the output is the same as the batch
   * run's on the same detections.
   */
  advanceTo(t: number): void;
  /** Detections waiting in the reorder buffer. */
  readonly pending: number;
  /**
   * Live use: the time of the next tracker step (s; a report time when it falls on the
   * report grid), or NaN before the first detection. It runs once the clock reaches it plus
   * the reorder delay. (With no track alive the runner may skip it: then nothing is due.)
   */
  readonly nextStepTime: number;
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
  const stepMax = opts.stepMax ?? 1;
  const dedupeWindow = opts.dedupeWindow ?? 120;
  if (!(reorderDelay >= 0 && Number.isFinite(reorderDelay))) throw new Error(`reorderDelay must be a finite number >= 0, got ${reorderDelay}`);
  if (!(reportEvery > 0 && Number.isFinite(reportEvery))) throw new Error(`reportEvery must be a positive finite number, got ${reportEvery}`);
  if (!(stepMax > 0 && Number.isFinite(stepMax))) throw new Error(`stepMax must be a positive finite number, got ${stepMax}`);
  if (!(dedupeWindow >= 0 && Number.isFinite(dedupeWindow))) throw new Error(`dedupeWindow must be a finite number >= 0, got ${dedupeWindow}`);
  const clockLead = opts.clockLead ?? 1;
  const maxJump = opts.maxJump ?? 60;
  const jumpRun = opts.jumpRun ?? 8;
  if (!(clockLead >= 0 && Number.isFinite(clockLead))) throw new Error(`clockLead must be a finite number >= 0, got ${clockLead}`);
  if (!(maxJump > 0)) throw new Error(`maxJump must be a positive number (Infinity: no jump is held), got ${maxJump}`);
  if (!(Number.isInteger(jumpRun) && jumpRun >= 1)) throw new Error(`jumpRun must be an integer >= 1, got ${jumpRun}`);
  /** Tracker steps per report interval. */
  const sub = Math.max(1, Math.ceil(reportEvery / stepMax - 1e-9));
  /** Time of step j: j·reportEvery/sub, rounded to the microsecond so that report times print as k·reportEvery. */
  const stepTime = (j: number) => Math.round(((j * reportEvery) / sub) * 1e6) / 1e6;
  const firstStepAtOrAfter = (t: number) => Math.ceil(((t * sub) / reportEvery) * (1 - 1e-15) - 1e-9);
  const heap = new DetectionHeap();
  const ids = new RecentIds(1024, opts.idSeed);
  let maxSeen = -Infinity;
  let nextJ = NaN; // index of the next tracker step
  /** The clock's latest time (live use), -Infinity before the first `advanceTo`. */
  let clockT = -Infinity;
  /**
   * Detections that jumped ahead in time, waiting for another sensor to agree (see `maxJump`):
   * in a heap by time (released in time order) and, per sensor, their times in order (whether
   * another sensor agrees is a binary search per sensor holding any). A sensor whose clock runs
   * far ahead while the others stream in order keeps adding to them: each of its rows, and each
   * in-order row, costs a logarithm of their number, not a sort or a scan of them all (a file
   * of 80,000 rows, every other one 1e7 s ahead, took 50 s that way; an outside probe, 2026-12-07).
   */
  const held = new DetectionHeap();
  const heldTimes = new Map<string, { times: number[]; head: number }>();
  let jumpsInRow = 0;

  /** Whether a held detection of a sensor other than `det`'s lies within `maxJump` of it. */
  function agreesWithHeld(det: Detection): boolean {
    for (const [sensor, q] of heldTimes) {
      if (sensor === det.sensorId) continue;
      // the first held time at or after det.t - maxJump
      let lo = q.head;
      let hi = q.times.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (q.times[mid] < det.t - maxJump) lo = mid + 1;
        else hi = mid;
      }
      if (lo < q.times.length && q.times[lo] <= det.t + maxJump) return true;
    }
    return false;
  }

  function hold(det: Detection): void {
    held.push(det);
    let q = heldTimes.get(det.sensorId);
    if (!q) heldTimes.set(det.sensorId, (q = { times: [], head: 0 }));
    // times mostly come in order: insert from the end
    let i = q.times.length;
    q.times.push(det.t);
    while (i > q.head && q.times[i - 1] > det.t) {
      q.times[i] = q.times[i - 1];
      i--;
    }
    q.times[i] = det.t;
  }

  /** The earliest held detection, out of both stores. */
  function unhold(): Detection {
    const d = held.pop() as Detection;
    const q = heldTimes.get(d.sensorId)!;
    // released in time order: the sensor's earliest held time is this one's
    q.head++;
    if (q.head >= q.times.length) heldTimes.delete(d.sensorId);
    else if (q.head > 1024 && q.head * 2 > q.times.length) {
      q.times = q.times.slice(q.head);
      q.head = 0;
    }
    return d;
  }
  /** The first detections of a run without a clock, gathered to be taken in time order (see `jumpRun`). */
  const startBuf: Detection[] = [];
  let started = false;

  /** Ends the start: the gathered detections go in, in time order. */
  function start(): void {
    if (started) return;
    started = true;
    startBuf.sort((a, b) => a.t - b.t);
    for (const d of startBuf) accept(d);
    startBuf.length = 0;
  }

  /** A detection whose time and id passed: held as a jump, or taken. */
  function accept(det: Detection): void {
    if (Number.isFinite(maxSeen) && det.t > maxSeen + maxJump) {
      // a jump ahead in time: held until another sensor agrees or the stream moves on
      const agrees = agreesWithHeld(det);
      hold(det);
      jumpsInRow++;
      if (agrees || jumpsInRow >= jumpRun) release(Infinity);
      return;
    }
    jumpsInRow = 0;
    release(det.t);
    take(det);
  }

  /** Takes a detection into the reorder buffer; time moves on to it (no further than the clock allows). */
  function take(det: Detection): void {
    heap.push(det);
    if (det.t > maxSeen) {
      const to = Number.isFinite(clockT) ? Math.min(det.t, Math.max(maxSeen, clockT + clockLead)) : det.t;
      if (to > maxSeen) {
        maxSeen = to;
        advance(maxSeen - reorderDelay);
      }
    }
  }

  /**
   * Takes the held detections dated up to `upTo` (Infinity: all), in time order: called before
   * time moves to `upTo`, so a held detection goes in when the stream's time reaches it, never
   * behind a step already made.
   */
  function release(upTo: number): void {
    if (held.size === 0) return;
    while (held.size > 0 && (held.peek() as Detection).t <= upTo) take(unhold());
    if (held.size === 0) jumpsInRow = 0;
  }

  function runStep(upTo: number, report: boolean): void {
    const batch: Detection[] = [];
    while (heap.size > 0 && (heap.peek() as Detection).t <= upTo) batch.push(heap.pop() as Detection);
    const events = tracker.step(batch, Math.max(upTo, tracker.time));
    if (sink.onEvents && events.length > 0) sink.onEvents(events);
    if (report) sink.onReport(upTo, tracker.report(upTo));
  }

  /** Forgets ids older than the dedupe window (ids arrive roughly in time order). */
  function pruneIds(): void {
    ids.forgetBefore(maxSeen - Math.max(dedupeWindow, reorderDelay));
  }

  function advance(limit: number): void {
    if (Number.isNaN(nextJ)) {
      // the grid starts at the earliest detection, known once the reorder window has passed it
      const first = heap.peek();
      if (!first || first.t > limit) return;
      nextJ = firstStepAtOrAfter(first.t);
    }
    while (stepTime(nextJ) <= limit) {
      // With no track alive and nothing due, the empty steps up to the next detection would
      // report nothing: skip them (a long silence, or a stray early time, costs no work).
      if (tracker.tracks().length === 0) {
        const next = heap.peek();
        const due = next ? next.t : Infinity;
        if (due > stepTime(nextJ)) {
          const j = due === Infinity ? firstStepAtOrAfter(limit) + 1 : firstStepAtOrAfter(due);
          if (j > nextJ) {
            nextJ = j;
            continue;
          }
        }
      }
      runStep(stepTime(nextJ), nextJ % sub === 0);
      nextJ++;
    }
    pruneIds();
  }

  return {
    get pending() {
      return heap.size + held.size + startBuf.length;
    },
    get nextStepTime() {
      if (!Number.isNaN(nextJ)) return stepTime(nextJ);
      let first = heap.peek()?.t ?? Infinity;
      for (const d of startBuf) first = Math.min(first, d.t);
      return first < Infinity ? stepTime(firstStepAtOrAfter(first)) : NaN;
    },
    get latest() {
      return maxSeen;
    },
    push(det) {
      if (!Number.isFinite(det.t)) return `time is not a finite number: ${det.t}`;
      const late = maxSeen - det.t;
      if (late > reorderDelay) {
        return `arrives ${late.toFixed(3)} s behind the latest detection, later than the reorder delay of ${reorderDelay} s allows`;
      }
      if (det.id !== undefined) {
        if (!ids.add(det.id, det.t)) return `duplicate detection id "${det.id}"`;
      }
      if (!started) {
        if (Number.isFinite(clockT)) start();
        else {
          // nothing to be late against yet: gathered, then taken in time order
          startBuf.push(det);
          if (startBuf.length >= jumpRun) start();
          return null;
        }
      }
      accept(det);
      return null;
    },
    advanceTo(t) {
      if (!Number.isFinite(t)) throw new Error(`advanceTo: time must be finite, got ${t}`);
      start();
      if (t > clockT) clockT = t;
      release(t);
      if (t > maxSeen) {
        maxSeen = t;
        advance(maxSeen - reorderDelay);
      }
    },
    finish() {
      start();
      release(Infinity);
      advance(maxSeen);
      if (heap.size > 0) runStep(maxSeen, false);
    },
  };
}
