/**
 * `skywarden score --truth FILE --tracks FILE [--json]`: the track metrics of the spec's
 * Scoring section (GOSPA with c = 2000 m, p = 2, alpha = 2 and its parts, id switches,
 * targets ever tracked). Both files are streamed in time order (as the spec writes them):
 * memory stays flat however long they are.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createTrackScorer, type ScoredPoint, type TrackScore } from '@skywarden/core';
import { parseTrackLine, parseTruthLine } from '@skywarden/formats';
import { CliError } from './args.js';

interface Timed {
  t: number;
  point: ScoredPoint;
}

/** Reads an NDJSON file of timed rows as an async sequence, checking the time order. */
async function* rows(path: string, parse: (line: string, n: number) => Timed | null | string): AsyncGenerator<Timed> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let last = -Infinity;
  for await (const line of rl) {
    n++;
    const r = parse(line, n);
    if (r === null) continue;
    if (typeof r === 'string') throw new CliError(`${path}:${n}: ${r}`);
    if (r.t < last - 1e-9) throw new CliError(`${path}:${n}: rows must be sorted by t (t=${r.t} after t=${last})`);
    last = r.t;
    yield r;
  }
}

const sameTime = (a: number, b: number) => Math.abs(a - b) < 1e-6;

export async function scoreFiles(truthPath: string, tracksPath: string): Promise<TrackScore> {
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
    while (!nextTrack.done && nextTrack.value.t < t - 1e-6) nextTrack = await tracks.next();
    const es: ScoredPoint[] = [];
    while (!nextTrack.done && sameTime(nextTrack.value.t, t)) {
      es.push({ ...nextTrack.value.point, t });
      nextTrack = await tracks.next();
    }
    scorer.addTime(t, tr, es);
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

export async function scoreCommand(a: { truth: string; tracks: string; json: boolean }): Promise<number> {
  const s = await scoreFiles(a.truth, a.tracks);
  const summary = scoreSummary(s);
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
    const w = Math.max(...rowsOut.map((r) => r[0].length));
    for (const [k, v] of rowsOut) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  }
  return 0;
}
