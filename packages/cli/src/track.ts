/**
 * `skywarden track --sensors FILE --detections FILE|- --out FILE|- [--report-every S]
 *  [--reorder-delay S] [--strict] [--zones FILE --alerts FILE [--cap-dir DIR]]`: the batch
 *  tracker over interchange files. Streams the
 * detections (memory does not grow with the input), reports malformed lines with their line
 * number and reason, and prints a summary.
 */
import { createReadStream, createWriteStream, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createPicture, effectiveReports, sensorCentroid, WARNING_INTERVAL_S, warningDue, type AlertEvent, type AlertMachineOptions, type TrackerOptions, type TrackReport, type WarningStageOptions } from '@skywarden/core';
import { capDefaultLanguages, capMessageFor, createCapPublisher, formatTrackRow, checkCapSender, parseDetectionLine, parseSensorsJson, parseZonesGeoJson, trackReportToRow, type Zone } from '@skywarden/formats';
import { createProgress } from './progress.js';
import { CliError } from './args.js';
import { checkDistinctFiles, describeFsError, MAX_LINE, readLines, readWholeText, sanitize } from './lines.js';
import type { WarningWorkerData, WarningWorkerIn, WarningWorkerOut } from './warning-worker.js';

export interface TrackRunOptions {
  sensorsText: string;
  /** Where the sensors came from, for messages. */
  sensorsName: string;
  detections: Readable;
  detectionsName: string;
  /** The output's name in errors (a path, or `<stdout>`). Default `<output>`. */
  outName?: string;
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
  /** Warning zones (parsed); with `alerts`, alert changes are predicted and written. */
  zones?: Zone[];
  alerts?: Writable;
  /** The alert policy (raise thresholds); the alert machine's defaults when absent. */
  alertPolicy?: AlertMachineOptions;
  /**
   * Called with every alert event (raise, Update, clear) after its alerts.ndjson row (the CAP
   * writer of `--cap-dir`). An error it throws stops the run and is thrown from {@link runTrack}.
   */
  onAlertEvent?: (e: AlertEvent) => void;
  /** At most this many rejection messages are printed; the rest are only counted. */
  maxMessages?: number;
  /**
   * With zones: run the warnings (threat prediction, alerts, Updates) in a worker thread beside
   * the tracking, fed the same reports: the same alert events, on a second core. Default false
   * (the `skywarden track` command turns it on unless `--one-thread`).
   */
  warningsWorker?: boolean;
}

/** The warnings in a worker thread (warning-worker.ts): reports go in at the times the stage predicts; alert events come back in order. */
function startWarningWorker(stage: WarningStageOptions, onEvent: (e: AlertEvent) => void, onError: (err: Error) => void) {
  // the worker takes Node's flags of this process but those that only make sense for the main
  // script (--input-type with --eval: the worker is a file)
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const worker = new Worker(new URL('./warning-worker.js', import.meta.url), { workerData: { stage } satisfies WarningWorkerData, execArgv });
  const interval = stage.alertInterval ?? WARNING_INTERVAL_S;
  let lastT = -Infinity;
  let failed: Error | null = null;
  /** Set once the run no longer needs the worker: its exit (terminate() gives code 1) is then no failure. */
  let closing = false;
  let gotDone = false;
  let finish = () => {};
  let fail = (_err: Error) => {};
  const done = new Promise<void>((resolveDone, rejectDone) => {
    finish = resolveDone;
    fail = rejectDone;
  });
  // the rejection is reported through onError and end(); a run that never calls end() must not leave it unhandled
  done.catch(() => {});
  const failWith = (err: Error) => {
    if (closing || gotDone || failed) return;
    failed = err;
    onError(err);
    fail(err);
  };
  worker.on('error', (err) => failWith(new CliError(`the warnings' worker thread failed: ${err.message}`)));
  worker.on('messageerror', (err) => failWith(new CliError(`the warnings' worker thread sent a message that could not be read: ${err.message}`)));
  // any exit before its 'done' (even with code 0) loses alert events: a failure
  worker.on('exit', (code) => failWith(new CliError(`the warnings' worker thread stopped before the end of the input (exit code ${code})`)));
  worker.on('message', (m: WarningWorkerOut) => {
    if (m.type === 'events') for (const e of m.events) onEvent(e);
    else if (m.type === 'done') {
      gotDone = true;
      finish();
    }
  });
  return {
    /** Whether the stage predicts at report time t (the reports of other times it would ignore). */
    due(t: number): boolean {
      return !failed && warningDue(lastT, t, interval);
    },
    /** The reports of a time `due` said yes to. */
    reports(t: number, reports: TrackReport[]) {
      lastT = t;
      worker.postMessage({ type: 'reports', t, reports } satisfies WarningWorkerIn);
    },
    /** No more reports: resolves once every alert event has been delivered. */
    async end(): Promise<void> {
      if (!failed) worker.postMessage({ type: 'end' } satisfies WarningWorkerIn);
      try {
        await done;
      } finally {
        closing = true;
        await worker.terminate();
      }
    },
    /** Stops the worker without waiting for its events (the run failed). Safe to call twice. */
    async stop(): Promise<void> {
      closing = true;
      await worker.terminate();
    },
  };
}

/** A tracker's reason for not using a detection, without its numbers and ids (one line per kind in the summary). */
function notFusedKind(reason: string): string {
  if (reason.startsWith('repeats a detection of sensor')) return 'repeats of a report within one scan: a second detection of one sensor in one scan, within its resolution of the first (two targets closer than the sensor can tell apart, or one reported twice), is taken as the same report';
  if (reason.startsWith('outside the gate of track')) return 'a cooperative identity outside the gate of the track that carries it';
  return reason.replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/g, 'N').slice(0, 120);
}

export interface TrackSummary {
  linesRead: number;
  detectionsRead: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  notFused: number;
  /** Why the tracker did not use a detection, by the reason's kind. */
  notFusedByReason: Record<string, number>;
  /** Detections that made the tracker fault on their own (skipped). */
  faulted: number;
  tracksConfirmed: number;
  rowsWritten: number;
  /** Track reports that could not be written as rows (named on the log, the first few). */
  rowsSkipped: number;
  alertChanges: number;
  seconds: number;
  aborted: boolean;
  /** Where the warnings ran: a worker thread, the main thread, or none (no zones). */
  warningsThread: 'worker' | 'main' | null;
}

/** Reason category for the summary: the reason with its values (numbers, quoted text) blanked out. */
function category(reason: string): string {
  // one kind however the parser words where and why (its quoting of the bad text varies)
  if (reason.startsWith('not valid JSON')) return 'not valid JSON';
  return sanitize(
    reason
      .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
      .replace(/\(.*\)$/, '')
      .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N')
      .replace(/, got .*$/, '')
      .trim(),
  ).slice(0, 90);
}

/** At most this many reason categories are listed in the summary. */
const MAX_CATEGORIES = 12;
/** Messages about rows that could not be written, at most (the count is in the summary). */
const MAX_SKIP_MESSAGES = 10;
/** A detection this much later than every earlier one (s) is worth a word: a wrong clock or a line from another night. */
const TIME_JUMP_WARN_S = 3_600;
/** Warnings of such jumps at most per run (then one count). */
const TIME_JUMPS_SHOWN = 5;

/** A span of seconds in the largest unit that keeps it readable. */
function span(s: number): string {
  if (s >= 2 * 365.25 * 86_400) return `${(s / (365.25 * 86_400)).toFixed(0)} years`;
  if (s >= 2 * 86_400) return `${(s / 86_400).toFixed(0)} days`;
  return `${(s / 3_600).toFixed(1)} hours`;
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
    notFusedByReason: {},
    faulted: 0,
    tracksConfirmed: 0,
    rowsWritten: 0,
    rowsSkipped: 0,
    alertChanges: 0,
    seconds: 0,
    aborted: false,
    warningsThread: null,
  };
  const maxMessages = o.maxMessages ?? 1000;
  let messages = 0;
  const reject = (lineNo: number, reason: string) => {
    summary.rejected++;
    const c = category(reason);
    summary.rejectedByReason[c] = (summary.rejectedByReason[c] ?? 0) + 1;
    if (messages < maxMessages) o.log(sanitize(`${o.detectionsName}:${lineNo}: ${reason}`));
    else if (messages === maxMessages) o.log(`(further rejection messages suppressed; see the summary)`);
    messages++;
  };

  let pendingOut = '';
  const flushThreshold = 1 << 16;
  let writeBlocked: Promise<unknown> | null = null;
  const write = (s: string) => {
    pendingOut += s;
    if (pendingOut.length >= flushThreshold) {
      // one wait for 'drain' at a time (a wait per blocked write piled up listeners: reports every 0.01 s)
      if (!o.out.write(pendingOut) && !writeBlocked) writeBlocked = once(o.out, 'drain');
      pendingOut = '';
    }
  };

  let changeError: Error | null = null;
  const onAlert = (e: AlertEvent) => {
    // after a failure nothing more is written, in either thread arrangement
    if (changeError) return;
    if (e.action !== 'updated') {
      // alerts.ndjson holds the changes of state (spec/interchange.md); Updates go to CAP only
      const c = e.change;
      const row: Record<string, unknown> = { t: c.t, zone: c.zone, state: c.state };
      if (c.etaS !== undefined) row.eta_s = Math.round(c.etaS * 10) / 10;
      row.tracks = c.tracks;
      o.alerts?.write(JSON.stringify(row) + '\n');
      summary.alertChanges++;
    }
    if (o.onAlertEvent) {
      try {
        o.onAlertEvent(e);
      } catch (err) {
        changeError = err as Error;
      }
    }
  };
  // the warnings' options: the picture's own, or the worker's (one object, so the two cannot differ)
  const stage: WarningStageOptions | null = o.zones && o.alerts && o.zones.length > 0 ? { zones: o.zones, alerts: o.alertPolicy } : null;
  // the warnings beside the tracking, in a worker thread: the same stage fed the same reports
  const inWorker = stage !== null && o.warningsWorker === true;
  summary.warningsThread = stage === null ? null : inWorker ? 'worker' : 'main';
  let remote: ReturnType<typeof startWarningWorker> | null = null;
  // the picture: the same tracker, warnings and alert Update policy as the live service
  const picture = createPicture(
    {
      anchor: sensorCentroid(sensors.values()),
      sensors: sensors.values(),
      tracker: o.tracker,
      reorderDelay: o.reorderDelay,
      reportEvery: o.reportEvery,
      // the duplicate check's hashes keyed at random (recent-ids.ts): ids cannot be chosen to collide
      idSeed: [randomBytes(4).readInt32LE(0), randomBytes(4).readInt32LE(0)],
      ...(stage && !inWorker ? { zones: stage.zones, alerts: stage.alerts } : {}),
    },
    (e) => {
      if (e.type === 'tracks') {
        for (const r of e.reports) {
          // a report the spec's row cannot hold (a non-finite number: a tracker fault the
          // tracker's own checks missed) is named and skipped; the rows around it are written
          let line: string;
          try {
            line = formatTrackRow(trackReportToRow(r));
          } catch (err) {
            if (summary.rowsSkipped++ < MAX_SKIP_MESSAGES) o.log(`track ${r.trackId} at t = ${r.t}: row not written: ${(err as Error).message}`);
            continue;
          }
          write(line + '\n');
          summary.rowsWritten++;
        }
        if (remote?.due(e.t)) remote.reports(e.t, effectiveReports(e.reports, e.marks));
      } else if (e.type === 'tracker') {
        for (const x of e.events) {
          if (x.type === 'confirmed') summary.tracksConfirmed++;
          else if (x.type === 'rejected') {
            summary.notFused++;
            const kind = notFusedKind(x.reason ?? '');
            summary.notFusedByReason[kind] = (summary.notFusedByReason[kind] ?? 0) + 1;
          } else if (x.type === 'faulted') summary.faulted++;
        }
      } else if (e.type === 'alert') onAlert(e);
    },
  );

  if (stage && inWorker) remote = startWarningWorker(stage, onAlert, (err) => (changeError ??= err));
  try {
    return await feed();
  } finally {
    // whatever happened, no worker outlives the run (a live one would keep the process up)
    await remote?.stop();
  }

  async function feed(): Promise<TrackSummary> {
    const progress = o.progress ? createProgress('tracking', o.detectionsSize) : null;
    let bytes = 0;
    let inputError: Error | null = null;
    let lineNo = 0;
    let refusedLate = 0;
    let outputError: Error | null = null;
    // the latest time taken so far, and the line that brought it: a jump far beyond it is named
    let latestT = -Infinity;
    let latestLine = 0;
    let jumps = 0;
    try {
      for await (const line of readLines(o.detections)) {
        lineNo++;
        summary.linesRead++;
        if (line === null) {
          reject(lineNo, `line longer than ${MAX_LINE} characters, skipped`);
          if (o.strict) {
            summary.aborted = true;
            break;
          }
          continue;
        }
        bytes += line.length + 1;
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
        const t = r.detection.t;
        if (t > latestT) {
          if (t - latestT > TIME_JUMP_WARN_S && latestLine > 0) {
            jumps++;
            if (jumps <= TIME_JUMPS_SHOWN) {
              o.log(`warning: ${o.detectionsName}:${lineNo}: t ${t} is ${span(t - latestT)} after every earlier detection (latest: t ${latestT} on line ${latestLine}): the tracks of before coast until deleted and their rows reach past them; is this line's clock, or the earlier one's, wrong?`);
            }
          }
          latestT = t;
          latestLine = lineNo;
        }
        const refusal = picture.push(r.detection);
        if (refusal !== null) {
          summary.detectionsRead--;
          if (refusal.startsWith('arrives')) refusedLate++;
          reject(lineNo, refusal);
          if (o.strict) {
            summary.aborted = true;
            break;
          }
        }
        if (changeError) break;
        if (writeBlocked) {
          try {
            await writeBlocked;
          } catch (err) {
            // the output failed (a full disk): its error, not the input's
            outputError = err as Error;
            break;
          }
          writeBlocked = null;
        }
        if (progress && (lineNo & 1023) === 0) progress.update(bytes);
      }
    } catch (err) {
      inputError = err as Error;
    }
    if (outputError) throw new CliError(describeFsError(outputError, o.outName ?? '<output>', 'write'));
    if (inputError) throw new CliError(`${o.detectionsName}: read failed after line ${lineNo}: ${(inputError as Error).message}`);
    if (jumps > TIME_JUMPS_SHOWN) o.log(`warning: ${jumps - TIME_JUMPS_SHOWN} more jumps of over ${span(TIME_JUMP_WARN_S)} in t not shown`);
    if (refusedLate > Math.max(10, 0.01 * summary.linesRead)) {
      o.log(`warning: ${refusedLate} lines arrived later than the reorder delay allows: is the file sorted by t? (sort it, or raise --reorder-delay)`);
    }
    if (!summary.aborted && !changeError) picture.finish();
    if (remote && !changeError) {
      try {
        await remote.end();
      } catch (err) {
        changeError ??= err as Error;
      }
    }
    if (changeError) throw changeError;
    if (pendingOut.length > 0) o.out.write(pendingOut);
    progress?.finish();
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }
}

export function formatSummary(s: TrackSummary): string {
  const lines = [
    `lines read: ${s.linesRead} (detections ${s.detectionsRead}, rejected ${s.rejected}${s.linesRead - s.detectionsRead - s.rejected > 0 ? `, blank ${s.linesRead - s.detectionsRead - s.rejected}` : ''})`,
    `rejected: ${s.rejected}`,
  ];
  const cats = Object.entries(s.rejectedByReason).sort((a, b) => b[1] - a[1]);
  for (const [k, v] of cats.slice(0, MAX_CATEGORIES)) lines.push(`  ${v} × ${k}`);
  if (cats.length > MAX_CATEGORIES) lines.push(`  ${cats.slice(MAX_CATEGORIES).reduce((n, c) => n + c[1], 0)} × other reasons (${cats.length - MAX_CATEGORIES} kinds)`);
  if (s.notFused > 0) {
    lines.push(`not fused by the tracker: ${s.notFused}`);
    for (const [k, v] of Object.entries(s.notFusedByReason).sort((a, b) => b[1] - a[1])) lines.push(`  ${v} × ${k}`);
  }
  if (s.faulted > 0) lines.push(`made the tracker fault (skipped): ${s.faulted}`);
  lines.push(`tracks confirmed: ${s.tracksConfirmed}`);
  lines.push(`track rows written: ${s.rowsWritten}`);
  if (s.rowsSkipped > 0) lines.push(`track rows not written (a report the spec's row cannot hold): ${s.rowsSkipped}`);
  if (s.alertChanges > 0) lines.push(`alert changes written: ${s.alertChanges}`);
  if (s.warningsThread === 'worker') lines.push('warnings predicted in a worker thread');
  const rate = s.seconds > 0 ? Math.round(s.detectionsRead / s.seconds) : 0;
  lines.push(`time: ${s.seconds.toFixed(2)} s (${rate} detections/s)`);
  if (s.aborted) lines.push('stopped at the first bad line (--strict)');
  return lines.join('\n');
}

export interface TrackCliArgs {
  zones?: string;
  alerts?: string;
  /** Folder for one CAP 1.2 file per alert change (needs zones and alerts). */
  capDir?: string;
  /** CAP sender; default `skywarden@<host name>`. */
  capSender?: string;
  /** The alert policy (raise thresholds), from `--alert-policy`. */
  alertPolicy?: AlertMachineOptions;
  sensors: string;
  detections: string;
  out: string;
  reportEvery: number;
  reorderDelay: number;
  strict: boolean;
  /** Everything in the main thread (`--one-thread`); by default the warnings run in a worker thread beside the tracking. */
  oneThread?: boolean;
  /** The tracker's data associator (`--associator`); default the tracker's. */
  associator?: 'gnn' | 'jpda';
}

/** Creates the CAP folder if needed and checks that a file can be written in it; throws CliError naming the problem. */
function prepareCapDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') throw new CliError(`cannot write CAP files to ${dir}: it is not a directory`);
    throw new CliError(describeFsError(err, dir, 'write'));
  }
  try {
    if (!statSync(dir).isDirectory()) throw new CliError(`cannot write CAP files to ${dir}: it is not a directory`);
    const probe = join(dir, `.skywarden-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(describeFsError(err, dir, 'write'));
  }
}

/**
 * The `--cap-dir` writer: each alert event as `DIR/<identifier>.xml` (CAP 1.2, status Exercise:
 * batch runs are not live; sent = the change's time). Korean and English info blocks when the
 * zones carry Korean names (as the service does by default), else English.
 */
function capWriter(dir: string, zones: Zone[], sender: string): { write: (e: AlertEvent) => void; written: number } {
  const publisher = createCapPublisher(zones, { sender, status: 'Exercise', languages: capDefaultLanguages(zones) });
  const w = {
    written: 0,
    write(e: AlertEvent) {
      const m = capMessageFor(publisher, e);
      if (!m) return;
      const file = join(dir, `${m.identifier}.xml`);
      try {
        writeFileSync(file, m.xml);
      } catch (err) {
        throw new CliError(describeFsError(err, file, 'write'));
      }
      w.written++;
    },
  };
  return w;
}

/** Runs the command with files or standard streams; returns the exit code. */
export async function trackCommand(a: TrackCliArgs): Promise<number> {
  // an output that is an input (or the other output), by any name: refused before anything is opened
  checkDistinctFiles(
    [['--sensors', a.sensors], ['--detections', a.detections], ['--zones', a.zones]],
    [['--out', a.out], ['--alerts', a.alerts]],
  );
  const sensorsText = readWholeText(a.sensors);
  const fromStdin = a.detections === '-';
  let size = 0;
  if (!fromStdin) {
    try {
      const st = statSync(a.detections);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = st.size;
    } catch (err) {
      throw new CliError(describeFsError(err, a.detections, 'read'));
    }
  }
  const toStdout = a.out === '-';
  let out: Writable;
  if (toStdout) out = process.stdout;
  else {
    let fd: number;
    try {
      fd = openSync(a.out, 'w');
    } catch (err) {
      throw new CliError(describeFsError(err, a.out, 'write'));
    }
    out = createWriteStream(a.out, { fd });
  }
  let writeError: Error | null = null;
  out.on('error', (err: Error) => {
    writeError = err;
  });
  let zones: Zone[] | undefined;
  let alertsOut: Writable | undefined;
  if ((a.zones === undefined) !== (a.alerts === undefined)) throw new CliError('--zones and --alerts go together');
  if (a.capDir !== undefined && a.zones === undefined) throw new CliError('--cap-dir needs --zones and --alerts');
  const capSender = a.capSender ?? `skywarden@${hostname().replace(/[\s,<&]/g, '-') || 'localhost'}`;
  const badSender = checkCapSender(capSender);
  if (badSender !== undefined) throw new CliError(`--cap-sender is not a CAP sender id: ${badSender}`);
  if (a.zones !== undefined && a.alerts !== undefined) {
    const z = parseZonesGeoJson(readWholeText(a.zones));
    if (!z.ok) throw new CliError(`${a.zones}: ${z.errors.join('\n')}`);
    zones = z.zones;
    if (a.capDir !== undefined) prepareCapDir(a.capDir);
    try {
      alertsOut = createWriteStream(a.alerts, { fd: openSync(a.alerts, 'w') });
    } catch (err) {
      throw new CliError(describeFsError(err, a.alerts, 'write'));
    }
  }
  const cap = a.capDir !== undefined && zones !== undefined ? capWriter(a.capDir, zones, capSender) : undefined;
  const detections = fromStdin ? process.stdin : createReadStream(a.detections, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const summary = await runTrack({
    sensorsText,
    sensorsName: a.sensors,
    detections,
    detectionsName: fromStdin ? '<stdin>' : a.detections,
    outName: toStdout ? '<stdout>' : a.out,
    detectionsSize: size,
    out,
    reportEvery: a.reportEvery,
    reorderDelay: a.reorderDelay,
    strict: a.strict,
    ...(a.associator ? { tracker: { associator: a.associator } } : {}),
    log: (l) => process.stderr.write(l + '\n'),
    progress: !toStdout,
    zones,
    alerts: alertsOut,
    alertPolicy: a.alertPolicy,
    warningsWorker: !a.oneThread,
    onAlertEvent: cap?.write,
  });
  if (alertsOut) await new Promise<void>((done) => (alertsOut as NodeJS.WritableStream).end(() => done()));
  if (!toStdout) await new Promise<void>((done) => (out as NodeJS.WritableStream).end(() => done()));
  if (writeError) throw new CliError(describeFsError(writeError, toStdout ? '<stdout>' : a.out, 'write'));
  process.stderr.write(formatSummary(summary) + '\n');
  if (cap) process.stderr.write(`CAP messages written: ${cap.written} (${a.capDir})\n`);
  if (summary.aborted) return 1;
  if (summary.linesRead === 0) {
    process.stderr.write('warning: the detections input is empty\n');
    return 0;
  }
  if (summary.detectionsRead === 0) {
    process.stderr.write('skywarden: no detection could be used (see the reasons above)\n');
    return 1;
  }
  return 0;
}
