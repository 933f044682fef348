/**
 * `skywarden track --sensors FILE --detections FILE|- --out FILE|- [--report-every S]
 *  [--reorder-delay S] [--strict]`: the batch tracker over interchange files. Streams the
 * detections (memory does not grow with the input), reports malformed lines with their line
 * number and reason, and prints a summary.
 */
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { createBatchRunner, createTracker, type Detection, type GeoPoint, type Sensor, type Tracker, type TrackerOptions } from '@skywarden/core';
import { formatTrackRow, parseDetectionLine, parseSensorsJson, trackReportToRow } from '@skywarden/formats';
import { createProgress } from './progress.js';
import { CliError } from './args.js';

export interface TrackRunOptions {
  sensorsText: string;
  /** Where the sensors came from, for messages. */
  sensorsName: string;
  detections: Readable;
  detectionsName: string;
  /** Size of the detections input in bytes, for the progress bar (0: unknown). */
  detectionsSize: number;
  out: Writable;
  reportEvery: number;
  reorderDelay: number;
  strict: boolean;
  /** Where messages go (stderr). */
  log: (line: string) => void;
  /** Show a progress bar (only when stderr is a terminal). */
  progress: boolean;
  tracker?: Partial<TrackerOptions>;
  /** At most this many rejection messages are printed; the rest are only counted. */
  maxMessages?: number;
}

export interface TrackSummary {
  linesRead: number;
  detectionsRead: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  notFused: number;
  tracksConfirmed: number;
  rowsWritten: number;
  seconds: number;
  aborted: boolean;
}

/** Centre of the fixed sensors (mean of ECEF directions, as lat/lon), or null if none. */
export function sensorCentroid(sensors: Iterable<Sensor>): GeoPoint | null {
  let x = 0;
  let y = 0;
  let z = 0;
  let alt = 0;
  let n = 0;
  for (const s of sensors) {
    if (!s.position) continue;
    const la = (s.position.latDeg * Math.PI) / 180;
    const lo = (s.position.lonDeg * Math.PI) / 180;
    x += Math.cos(la) * Math.cos(lo);
    y += Math.cos(la) * Math.sin(lo);
    z += Math.sin(la);
    alt += s.position.altM;
    n++;
  }
  if (n === 0) return null;
  return { latDeg: (Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI, lonDeg: (Math.atan2(y, x) * 180) / Math.PI, altM: alt / n };
}

function detectionPoint(d: Detection): GeoPoint | null {
  if (d.type === 'position') return { ...d.position, altM: 0 };
  return d.sensorPosition ? { ...d.sensorPosition } : null;
}

/** Reason category for the summary: the reason up to its first comma or colon. */
function category(reason: string): string {
  const m = /^[^,:]*/.exec(reason);
  return (m ? m[0] : reason).replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N').slice(0, 80);
}

export async function runTrack(o: TrackRunOptions): Promise<TrackSummary> {
  const started = performance.now();
  const parsed = parseSensorsJson(o.sensorsText);
  if (!parsed.ok) throw new CliError(`${o.sensorsName}: ${parsed.errors.join('\n')}`);
  for (const w of parsed.warnings) o.log(`${o.sensorsName}: ${w}`);
  const sensors = parsed.sensors;
  const summary: TrackSummary = {
    linesRead: 0,
    detectionsRead: 0,
    rejected: 0,
    rejectedByReason: {},
    notFused: 0,
    tracksConfirmed: 0,
    rowsWritten: 0,
    seconds: 0,
    aborted: false,
  };
  const maxMessages = o.maxMessages ?? 1000;
  let messages = 0;
  const reject = (lineNo: number, reason: string) => {
    summary.rejected++;
    const c = category(reason);
    summary.rejectedByReason[c] = (summary.rejectedByReason[c] ?? 0) + 1;
    if (messages < maxMessages) o.log(`${o.detectionsName}:${lineNo}: ${reason}`);
    else if (messages === maxMessages) o.log(`(further rejection messages suppressed; see the summary)`);
    messages++;
  };

  let pendingOut = '';
  const flushThreshold = 1 << 16;
  let writeBlocked: Promise<unknown> | null = null;
  const write = (s: string) => {
    pendingOut += s;
    if (pendingOut.length >= flushThreshold) {
      if (!o.out.write(pendingOut)) writeBlocked = once(o.out, 'drain');
      pendingOut = '';
    }
  };

  let tracker: Tracker | null = null;
  let runner: ReturnType<typeof createBatchRunner> | null = null;
  const makeRunner = (origin: GeoPoint) => {
    tracker = createTracker({ ...o.tracker, origin });
    runner = createBatchRunner(
      tracker,
      { reorderDelay: o.reorderDelay, reportEvery: o.reportEvery },
      {
        onReport: (_t, reports) => {
          for (const r of reports) {
            write(formatTrackRow(trackReportToRow(r)) + '\n');
            summary.rowsWritten++;
          }
        },
        onEvents: (events) => {
          for (const e of events) {
            if (e.type === 'confirmed') summary.tracksConfirmed++;
            else if (e.type === 'rejected') summary.notFused++;
          }
        },
      },
    );
  };
  const centroid = sensorCentroid(sensors.values());
  if (centroid) makeRunner(centroid);

  const progress = o.progress ? createProgress('tracking', o.detectionsSize) : null;
  let bytes = 0;
  const rl = createInterface({ input: o.detections, crlfDelay: Infinity });
  let inputError: Error | null = null;
  o.detections.on('error', (err: Error) => {
    inputError = err;
    rl.close();
  });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      bytes += line.length + 1;
      summary.linesRead++;
      const r = parseDetectionLine(line, lineNo, sensors);
      if (r === null) continue;
      if (!r.ok) {
        reject(lineNo, r.reason);
        if (o.strict) {
          summary.aborted = true;
          break;
        }
        continue;
      }
      summary.detectionsRead++;
      if (!runner) {
        const p = detectionPoint(r.detection);
        if (p) makeRunner(p);
      }
      const refusal = runner ? (runner as ReturnType<typeof createBatchRunner>).push(r.detection) : 'no sensor position known to anchor the tracker frame';
      if (refusal !== null) {
        summary.detectionsRead--;
        reject(lineNo, refusal);
        if (o.strict) {
          summary.aborted = true;
          break;
        }
      }
      if (writeBlocked) {
        await writeBlocked;
        writeBlocked = null;
      }
      if (progress && (lineNo & 1023) === 0) progress.update(bytes);
    }
  } finally {
    rl.close();
  }
  if (inputError) throw new CliError(`${o.detectionsName}: read failed after line ${lineNo}: ${(inputError as Error).message}`);
  if (!summary.aborted && runner) (runner as ReturnType<typeof createBatchRunner>).finish();
  if (pendingOut.length > 0) o.out.write(pendingOut);
  progress?.finish();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

export function formatSummary(s: TrackSummary): string {
  const lines = [
    `detections read: ${s.detectionsRead} (lines ${s.linesRead})`,
    `rejected: ${s.rejected}`,
  ];
  for (const [k, v] of Object.entries(s.rejectedByReason).sort((a, b) => b[1] - a[1])) lines.push(`  ${v} × ${k}`);
  if (s.notFused > 0) lines.push(`not fused (kind not supported yet): ${s.notFused}`);
  lines.push(`tracks confirmed: ${s.tracksConfirmed}`);
  lines.push(`track rows written: ${s.rowsWritten}`);
  const rate = s.seconds > 0 ? Math.round(s.detectionsRead / s.seconds) : 0;
  lines.push(`time: ${s.seconds.toFixed(2)} s (${rate} detections/s)`);
  if (s.aborted) lines.push('stopped at the first bad line (--strict)');
  return lines.join('\n');
}

export interface TrackCliArgs {
  sensors: string;
  detections: string;
  out: string;
  reportEvery: number;
  reorderDelay: number;
  strict: boolean;
}

/** Runs the command with files or standard streams; returns the exit code. */
export async function trackCommand(a: TrackCliArgs): Promise<number> {
  const sensorsText = readFileSync(a.sensors, 'utf8');
  const fromStdin = a.detections === '-';
  const size = fromStdin ? 0 : statSync(a.detections).size;
  const detections = fromStdin ? process.stdin : createReadStream(a.detections, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const toStdout = a.out === '-';
  const out = toStdout ? process.stdout : createWriteStream(a.out);
  const summary = await runTrack({
    sensorsText,
    sensorsName: a.sensors,
    detections,
    detectionsName: fromStdin ? '<stdin>' : a.detections,
    detectionsSize: size,
    out,
    reportEvery: a.reportEvery,
    reorderDelay: a.reorderDelay,
    strict: a.strict,
    log: (l) => process.stderr.write(l + '\n'),
    progress: !toStdout,
  });
  if (!toStdout) {
    await new Promise<void>((resolve, reject) => {
      out.end(() => resolve());
      out.on('error', reject);
    });
  }
  process.stderr.write(formatSummary(summary) + '\n');
  return summary.aborted ? 1 : 0;
}
