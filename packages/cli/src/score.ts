/**
 * `skywarden score --truth FILE --tracks FILE [--zones FILE --alerts FILE] [--json]`: the
 * metrics of the spec's Scoring section (GOSPA with c = 2000 m, p = 2, alpha = 2 and its
 * parts, id switches, targets ever tracked; with zones and alerts: warning coverage, lead
 * times, false alert episodes, alert zone-hours). Both files are streamed in time order (as the spec writes them):
 * memory stays flat however long they are.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createTrackScorer, createWarningScorer, type AlertChange, type ScoredPoint, type TrackScore, type WarningScorer } from '@skywarden/core';
import { parseAlertLine, parseTrackLine, parseTruthLine, parseZonesGeoJson } from '@skywarden/formats';
import { CliError, UsageError } from './args.js';
import { describeFsError, MAX_LINE, readLines, sanitize } from './lines.js';

interface Timed {
  t: number;
  point: ScoredPoint;
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

export async function scoreFiles(truthPath: string, tracksPath: string, warnings?: WarningScorer, coverage?: ScoreCoverage): Promise<TrackScore> {
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
  let nextTruth = await truth.next();
  let nextTrack = await tracks.next();
  while (!nextTruth.done) {
    const t = nextTruth.value.t;
    const tr: ScoredPoint[] = [];
    while (!nextTruth.done && sameTime(nextTruth.value.t, t)) {
      tr.push({ ...nextTruth.value.point, t });
      nextTruth = await truth.next();
    }
    while (!nextTrack.done && nextTrack.value.t < t - 1e-6) {
      if (coverage) coverage.trackRows++;
      nextTrack = await tracks.next();
    }
    const es: ScoredPoint[] = [];
    while (!nextTrack.done && sameTime(nextTrack.value.t, t)) {
      es.push({ ...nextTrack.value.point, t });
      nextTrack = await tracks.next();
    }
    if (coverage) {
      coverage.truthTimes++;
      coverage.trackRows += es.length;
      if (es.length === 0) coverage.truthTimesWithoutTrackRows++;
    }
    scorer.addTime(t, tr, es);
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

export async function scoreCommand(a: { truth: string; tracks: string; zones?: string; alerts?: string; json: boolean }): Promise<number> {
  if ((a.zones === undefined) !== (a.alerts === undefined)) throw new UsageError('--zones and --alerts go together');
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
  const s = await scoreFiles(a.truth, a.tracks, warn, cov);
  if (cov.truthTimes === 0) throw new CliError(`${a.truth}: no truth rows to score against`);
  if (cov.trackRows > 0 && cov.truthTimesWithoutTrackRows > 0.5 * cov.truthTimes) {
    process.stderr.write(
      `warning: ${cov.truthTimesWithoutTrackRows} of ${cov.truthTimes} truth times have no track row at that time, and count as all missed: were the tracks written on another time grid (--report-every)?\n`,
    );
  }
  const w = warn?.result(alertRows);
  const summary: Record<string, number> = scoreSummary(s);
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
  if (a.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } else {
    const rowsOut = [
      ['truth times scored', String(s.times)],
      ['mean GOSPA (c=2000 m, p=2)', `${s.gospa.toFixed(1)} m`],
      ['  localisation', `${s.localisation.toFixed(1)} m`],
      ['  missed targets', `${s.missed.toFixed(1)} m (${s.meanMissedTargets.toFixed(2)} targets on average)`],
      ['  false tracks', `${s.false.toFixed(1)} m (${s.meanFalseTracks.toFixed(2)} tracks on average)`],
      ['horizontal error median / p95 / rms', `${s.medianError.toFixed(1)} / ${s.p95Error.toFixed(1)} / ${s.rmsError.toFixed(1)} m`],
      ['id switches', String(s.idSwitches)],
      ['targets ever tracked', `${s.targetsTracked} of ${s.targets}`],
    ];
    if (w) {
      rowsOut.push(
        ['zone entries warned', `${w.warned} of ${w.entries} (${(100 * w.coverage).toFixed(1)}%)`],
        ['lead time median / 10th percentile', `${w.medianLeadS.toFixed(0)} / ${w.p10LeadS.toFixed(0)} s`],
        ['alert episodes (false)', `${w.episodes} (${w.falseEpisodes})`],
        ['alert zone-hours', w.alertZoneHours.toFixed(2)],
      );
    }
    const width = Math.max(...rowsOut.map((r) => r[0].length));
    for (const [k, v] of rowsOut) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  }
  return 0;
}
