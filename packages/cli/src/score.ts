/**
 * `skywarden score --truth FILE --tracks FILE [--zones FILE --alerts FILE] [--json]`: the
 * metrics of the spec's Scoring section (GOSPA with c = 2000 m, p = 2, alpha = 2 and its
 * parts, id switches, targets ever tracked; with zones and alerts: warning coverage, lead
 * times, false alert episodes, alert zone-hours). Both files are streamed in time order (as the spec writes them):
 * memory stays flat however long they are.
 */
import { createReadStream, readFileSync } from 'node:fs';
import {
  coverageEvidence,
  createTrackScorer,
  createWarningScorer,
  scoreCoverage,
  type AlertChange,
  type CoverageDetection,
  type CoverageScore,
  type ScoredPoint,
  type TrackScore,
  type WarningScorer,
} from '@skywarden/core';
import { describeJsonError, parseAlertLine, parseTrackLine, parseTruthLine, parseZonesGeoJson } from '@skywarden/formats';
import { CliError, UsageError } from './args.js';
import { describeFsError, MAX_LINE, readLines, sanitize } from './lines.js';

interface Timed {
  t: number;
  point: ScoredPoint;
  /** The line it came from (set by {@link rows}). */
  line?: number;
}

/** Reads an NDJSON file (or standard input for `-`) of timed rows as an async sequence, checking the time order. */
async function* rows(path: string, parse: (line: string, n: number) => Timed | null | string): AsyncGenerator<Timed> {
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  const name = path === '-' ? '<stdin>' : path;
  let n = 0;
  let last = -Infinity;
  try {
    for await (const line of readLines(input)) {
      n++;
      if (line === null) throw new CliError(`${name}:${n}: line longer than ${MAX_LINE} characters`);
      const r = parse(line, n);
      if (r === null) continue;
      if (typeof r === 'string') throw new CliError(sanitize(`${name}:${n}: ${r}`));
      if (r.t < last - 1e-9) throw new CliError(`${name}:${n}: rows must be sorted by t (t=${r.t} after t=${last})`);
      last = r.t;
      r.line = n;
      yield r;
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(describeFsError(err, name, 'read'));
  }
}

const sameTime = (a: number, b: number) => Math.abs(a - b) < 1e-6;

export interface ScoreCoverage {
  /** Truth times scored, and those at which the tracks file had no row at all. */
  truthTimes: number;
  truthTimesWithoutTrackRows: number;
  /** Track rows read (all times). */
  trackRows: number;
}

/** Where {@link scoreFiles} keeps the rows it reads, when asked (for the coverage table). */
export interface ScoreRows {
  truth: ScoredPoint[];
  tracks: ScoredPoint[];
}

export async function scoreFiles(truthPath: string, tracksPath: string, warnings?: WarningScorer, coverage?: ScoreCoverage, keep?: ScoreRows): Promise<TrackScore> {
  const truth = rows(truthPath, (line, n) => {
    const r = parseTruthLine(line, n);
    if (r === null) return null;
    if (!r.ok) return r.reason;
    return { t: r.row.t, point: { t: r.row.t, id: r.row.id, position: { latDeg: r.row.lat, lonDeg: r.row.lon, altM: r.row.alt_m } } };
  });
  const tracks = rows(tracksPath, (line, n) => {
    const r = parseTrackLine(line, n);
    if (r === null) return null;
    if (!r.ok) return r.reason;
    return { t: r.row.t, point: { t: r.row.t, id: r.row.track, position: { latDeg: r.row.lat, lonDeg: r.row.lon, altM: r.row.alt_m ?? 0 } } };
  });
  const scorer = createTrackScorer();
  const truthName = truthPath === '-' ? '<stdin>' : truthPath;
  const tracksName = tracksPath === '-' ? '<stdin>' : tracksPath;
  // one row per target, and per track, at a time: a second would be scored as a second target
  // (missed twice) or a second track (a false one)
  const seenAt = new Map<string, number>();
  const once = (name: string, what: string, v: Timed): void => {
    const first = seenAt.get(v.point.id);
    if (first !== undefined) throw new CliError(sanitize(`${name}:${v.line}: ${what} ${JSON.stringify(v.point.id)} has a row at t=${v.t} already (line ${first}): one row per ${what} and time`));
    seenAt.set(v.point.id, v.line ?? 0);
  };
  let nextTruth = await truth.next();
  let nextTrack = await tracks.next();
  while (!nextTruth.done) {
    const t = nextTruth.value.t;
    const tr: ScoredPoint[] = [];
    seenAt.clear();
    while (!nextTruth.done && sameTime(nextTruth.value.t, t)) {
      once(truthName, 'target', nextTruth.value);
      tr.push({ ...nextTruth.value.point, t });
      nextTruth = await truth.next();
    }
    while (!nextTrack.done && nextTrack.value.t < t - 1e-6) {
      if (coverage) coverage.trackRows++;
      keep?.tracks.push(nextTrack.value.point);
      nextTrack = await tracks.next();
    }
    if (keep) for (const p of tr) keep.truth.push(p);
    const es: ScoredPoint[] = [];
    seenAt.clear();
    while (!nextTrack.done && sameTime(nextTrack.value.t, t)) {
      once(tracksName, 'track', nextTrack.value);
      es.push({ ...nextTrack.value.point, t });
      nextTrack = await tracks.next();
    }
    if (coverage) {
      coverage.truthTimes++;
      coverage.trackRows += es.length;
      if (es.length === 0) coverage.truthTimesWithoutTrackRows++;
    }
    if (keep) for (const p of es) keep.tracks.push(p);
    try {
      scorer.addTime(t, tr, es);
    } catch (e) {
      throw new CliError(`scoring ${tracksPath} against ${truthPath}: ${(e as Error).message}`);
    }
    warnings?.addTruth(t, tr);
  }
  return scorer.result();
}

export function scoreSummary(s: TrackScore): Record<string, number> {
  return {
    times: s.times,
    gospa_m: s.gospa,
    localisation_m: s.localisation,
    missed_m: s.missed,
    false_m: s.false,
    mean_missed_targets: s.meanMissedTargets,
    mean_false_tracks: s.meanFalseTracks,
    median_error_m: s.medianError,
    p95_error_m: s.p95Error,
    rms_error_m: s.rmsError,
    id_switches: s.idSwitches,
    targets_tracked: s.targetsTracked,
    targets: s.targets,
  };
}

/** Reads alerts.ndjson whole (one row per change of a zone's state: small). */
async function readAlerts(path: string, zoneIds: Set<string>): Promise<AlertChange[]> {
  const out: AlertChange[] = [];
  let n = 0;
  try {
    for await (const line of readLines(createReadStream(path, { encoding: 'utf8' }))) {
      n++;
      if (line === null) throw new CliError(`${path}:${n}: line longer than ${MAX_LINE} characters`);
      const r = parseAlertLine(line, n);
      if (r === null) continue;
      if (!r.ok) throw new CliError(sanitize(`${path}:${n}: ${r.reason}`));
      if (!zoneIds.has(r.row.zone)) throw new CliError(sanitize(`${path}:${n}: zone ${JSON.stringify(r.row.zone)} is not in the zones file`));
      out.push({ t: r.row.t, zone: r.row.zone, state: r.row.state });
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(describeFsError(err, path, 'read'));
  }
  return out;
}

/** The sensors' kinds by id, from sensors.json (read whole; only `id` and `kind` are needed). */
function readSensorKinds(path: string): Map<string, string> {
  let doc: unknown;
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
    doc = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) throw new CliError(`${path}: not valid JSON: ${describeJsonError(text, err)}`);
    throw new CliError(describeFsError(err, path, 'read'));
  }
  const list = (doc as { sensors?: unknown } | null)?.sensors;
  if (!Array.isArray(list)) throw new CliError(`${path}: expected { "sensors": [...] }`);
  const kinds = new Map<string, string>();
  list.forEach((s: unknown, i) => {
    const r = s as { id?: unknown; kind?: unknown } | null;
    if (!r || typeof r.id !== 'string' || typeof r.kind !== 'string') throw new CliError(`${path}: sensors[${i}] needs a string id and kind`);
    if (kinds.has(r.id)) throw new CliError(sanitize(`${path}: sensors[${i}]: id ${JSON.stringify(r.id.length > 60 ? r.id.slice(0, 60) + '…' : r.id)} is not unique (an earlier sensor has it)`));
    kinds.set(r.id, r.kind);
  });
  return kinds;
}

/**
 * Reads annotated detections (simulate --annotate: `sim_target` on each row, null for a false
 * alarm) as coverage evidence. Refuses a file without any `sim_target`.
 */
async function readAnnotatedDetections(path: string, kinds: Map<string, string>): Promise<CoverageDetection[]> {
  const out: CoverageDetection[] = [];
  let n = 0;
  let annotated = 0;
  try {
    for await (const line of readLines(createReadStream(path, { encoding: 'utf8' }))) {
      n++;
      if (line === null) throw new CliError(`${path}:${n}: line longer than ${MAX_LINE} characters`);
      if (line.trim() === '') continue;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        throw new CliError(`${path}:${n}: not valid JSON (${describeJsonError(line, err, true)})`);
      }
      if (typeof row.t !== 'number' || !Number.isFinite(row.t) || typeof row.sensor !== 'string' || typeof row.type !== 'string') {
        throw new CliError(sanitize(`${path}:${n}: a detection needs a numeric t, a sensor and a type`));
      }
      if (!kinds.has(row.sensor)) throw new CliError(sanitize(`${path}:${n}: unknown sensor ${JSON.stringify(row.sensor)}`));
      if ('sim_target' in row) annotated++;
      const target = typeof row.sim_target === 'string' ? row.sim_target : null;
      out.push({ t: row.t, target, evidence: coverageEvidence(row.type, kinds.get(row.sensor), typeof row.target === 'string') });
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(describeFsError(err, path, 'read'));
  }
  if (out.length > 0 && annotated === 0) throw new CliError(`${path}: no detection carries sim_target: write it with skywarden simulate --annotate`);
  return out;
}

const CATEGORY_NAMES: Record<string, string> = {
  presence: 'presence only',
  bearings: 'bearings only',
  mixed: 'presence + bearings',
  observers: 'observers',
  radar: 'radar',
  cooperative: 'cooperative',
};

/** The coverage table, one line per category with observable seconds, then the totals. */
export function formatCoverage(c: CoverageScore): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
  const m = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
  const lines = [
    `coverage of observable target-seconds (>= 2 detections in the last 60 s; covered: a track within 2 km)`,
    `${'observed by'.padEnd(20)} ${'observable s'.padStart(12)} ${'covered'.padStart(8)} ${'median m'.padStart(9)} ${'p90 m'.padStart(7)}`,
  ];
  for (const k of c.categories) {
    if (k.observable === 0) continue;
    lines.push(`${(CATEGORY_NAMES[k.category] ?? k.category).padEnd(20)} ${String(k.observable).padStart(12)} ${pct(k.coveredShare).padStart(8)} ${m(k.medianErrorM).padStart(9)} ${m(k.p90ErrorM).padStart(7)}`);
  }
  lines.push(`${'all'.padEnd(20)} ${String(c.observable).padStart(12)} ${pct(c.coveredShare).padStart(8)} ${m(c.medianErrorM).padStart(9)} ${m(c.p90ErrorM).padStart(7)}`);
  lines.push(`missed share of observable target-seconds  ${pct(c.missedShare)}`);
  lines.push(`covered while not observable  ${c.unobservableCovered} of ${c.unobservable} s`);
  lines.push(`false tracks per time step / per 1,000 sensors  ${c.falseTracksPerStep.toFixed(2)} / ${c.falseTracksPer1000Sensors.toFixed(2)} (${c.sensors} sensors; ${c.falseOnlyTracks} tracks never near a target)`);
  const og = c.observableGospa;
  lines.push(`observable GOSPA (c 2 km, p 2; unobservable targets and their tracks left out)  ${m(og.gospa)} m: localisation ${m(og.localisation)}, missed ${m(og.missed)} (${og.meanMissedTargets.toFixed(2)} targets), false ${m(og.false)} (${og.meanFalseTracks.toFixed(2)} tracks)`);
  const tt = c.timeToTrack;
  lines.push(`first detection to first covering track median / p90  ${m(tt.medianS)} / ${m(tt.p90S)} s (${tt.coveredTargets} of ${tt.detectedTargets} detected targets covered)`);
  return lines.join('\n') + '\n';
}

/** The coverage score as JSON (NaN as null). */
export function coverageJson(c: CoverageScore): Record<string, unknown> {
  const f = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    observable_s: c.observable,
    covered_s: c.covered,
    covered_share: f(c.coveredShare),
    missed_share: f(c.missedShare),
    median_error_m: f(c.medianErrorM),
    p90_error_m: f(c.p90ErrorM),
    unobservable_s: c.unobservable,
    unobservable_covered_s: c.unobservableCovered,
    id_switches: c.idSwitches,
    false_tracks_per_step: c.falseTracksPerStep,
    false_tracks_per_1000_sensors: f(c.falseTracksPer1000Sensors),
    sensors: c.sensors,
    false_only_tracks: c.falseOnlyTracks,
    first_track_median_s: f(c.timeToTrack.medianS),
    first_track_p90_s: f(c.timeToTrack.p90S),
    detected_targets: c.timeToTrack.detectedTargets,
    covered_targets: c.timeToTrack.coveredTargets,
    observable_gospa_m: f(c.observableGospa.gospa),
    observable_gospa_localisation_m: f(c.observableGospa.localisation),
    observable_gospa_missed_m: f(c.observableGospa.missed),
    observable_gospa_false_m: f(c.observableGospa.false),
    observable_missed_targets: f(c.observableGospa.meanMissedTargets),
    observable_false_tracks: f(c.observableGospa.meanFalseTracks),
    categories: Object.fromEntries(
      c.categories.map((k) => [k.category, { observable_s: k.observable, covered_s: k.covered, covered_share: f(k.coveredShare), median_error_m: f(k.medianErrorM), p90_error_m: f(k.p90ErrorM) }]),
    ),
  };
}

export async function scoreCommand(a: { truth: string; tracks: string; zones?: string; alerts?: string; json: boolean; detections?: string; sensors?: string }): Promise<number> {
  if ((a.zones === undefined) !== (a.alerts === undefined)) throw new UsageError('--zones and --alerts go together');
  if ((a.detections === undefined) !== (a.sensors === undefined)) throw new UsageError('--detections and --sensors go together');
  let warn: WarningScorer | undefined;
  let alertRows: AlertChange[] = [];
  if (a.zones !== undefined && a.alerts !== undefined) {
    let zonesText: string;
    try {
      zonesText = readFileSync(a.zones, 'utf8');
    } catch (err) {
      throw new CliError(describeFsError(err, a.zones, 'read'));
    }
    const z = parseZonesGeoJson(zonesText);
    if (!z.ok) throw new CliError(`${a.zones}: ${z.errors.join('\n')}`);
    warn = createWarningScorer(z.zones);
    alertRows = await readAlerts(a.alerts, new Set(z.zones.map((x) => x.id)));
  }
  const cov: ScoreCoverage = { truthTimes: 0, truthTimesWithoutTrackRows: 0, trackRows: 0 };
  const wantCoverage = a.detections !== undefined && a.sensors !== undefined;
  const kinds = wantCoverage ? readSensorKinds(a.sensors!) : null;
  const keep: ScoreRows | undefined = wantCoverage ? { truth: [], tracks: [] } : undefined;
  const s = await scoreFiles(a.truth, a.tracks, warn, cov, keep);
  if (cov.truthTimes === 0) throw new CliError(`${a.truth}: no truth rows to score against`);
  if (cov.trackRows > 0 && cov.truthTimesWithoutTrackRows > 0.5 * cov.truthTimes) {
    process.stderr.write(
      `warning: ${cov.truthTimesWithoutTrackRows} of ${cov.truthTimes} truth times have no track row at that time, and count as all missed: were the tracks written on another time grid (--report-every)?\n`,
    );
  }
  const w = warn?.result(alertRows);
  let coverage: CoverageScore | null = null;
  if (wantCoverage && kinds && keep) {
    const detections = await readAnnotatedDetections(a.detections!, kinds);
    coverage = scoreCoverage(keep.truth, detections, keep.tracks, { sensors: kinds.size });
  }
  const summary: Record<string, unknown> = scoreSummary(s);
  if (w) {
    Object.assign(summary, {
      zone_entries: w.entries,
      zone_entries_warned: w.warned,
      warning_coverage: w.coverage,
      median_lead_s: w.medianLeadS,
      p10_lead_s: w.p10LeadS,
      alert_episodes: w.episodes,
      false_alert_episodes: w.falseEpisodes,
      alert_zone_hours: w.alertZoneHours,
    });
  }
  if (coverage) summary.coverage = coverageJson(coverage);
  if (a.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } else {
    const rowsOut = [
      ['truth times scored', String(s.times)],
      ['mean GOSPA (c=2000 m, p=2)', `${s.gospa.toFixed(1)} m`],
      ['  localisation', `${s.localisation.toFixed(1)} m`],
      ['  missed targets', `${s.missed.toFixed(1)} m (${s.meanMissedTargets.toFixed(2)} targets on average)`],
      ['  false tracks', `${s.false.toFixed(1)} m (${s.meanFalseTracks.toFixed(2)} tracks on average)`],
      ['horizontal error median / p95 / rms', s.medianError >= 0 ? `${s.medianError.toFixed(1)} / ${s.p95Error.toFixed(1)} / ${s.rmsError.toFixed(1)} m` : '- (no track row was matched to a target)'],
      ['id switches', String(s.idSwitches)],
      ['targets ever tracked', `${s.targetsTracked} of ${s.targets}`],
    ];
    if (w) {
      rowsOut.push(
        ['zone entries warned', w.entries > 0 ? `${w.warned} of ${w.entries} (${(100 * w.coverage).toFixed(1)}%)` : '0 (no target entered a zone)'],
        ['lead time median / 10th percentile', Number.isFinite(w.medianLeadS) ? `${w.medianLeadS.toFixed(0)} / ${w.p10LeadS.toFixed(0)} s` : '- (no entry warned)'],
        ['alert episodes (false)', `${w.episodes} (${w.falseEpisodes})`],
        ['alert zone-hours', w.alertZoneHours.toFixed(2)],
      );
    }
    const width = Math.max(...rowsOut.map((r) => r[0].length));
    for (const [k, v] of rowsOut) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
    if (coverage) process.stdout.write('\n' + formatCoverage(coverage));
  }
  return 0;
}
