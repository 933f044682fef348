/**
 * `skywarden demo`: simulates a raid of Shahed-type drones (and a few jet drones) crossing a
 * network of microphones, a radar and phone observers while airliners and helicopters with
 * ADS-B fly through; runs the batch tracker on it exactly as `skywarden track` would (same
 * code, in memory), scores the tracks against the truth and prints a summary.
 */
import { Readable, Writable } from 'node:stream';
import { scoreTracks, type ScoredPoint } from '@skywarden/core';
import type { TrackRow } from '@skywarden/formats';
import { makeMixedScene } from '@skywarden/sim';
import { formatSummary, runTrack } from './track.js';

export interface DemoArgs {
  seed: number;
  targets: number;
  duration: number;
}

export async function demoCommand(a: DemoArgs): Promise<number> {
  const out = (s: string) => process.stdout.write(s + '\n');
  const scene = makeMixedScene({ seed: a.seed, nDrones: a.targets, durationS: a.duration });
  const byKind = new Map<string, number>();
  for (const s of scene.sensors) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + 1);
  const byClass = new Map<string, Set<string>>();
  for (const r of scene.truth) {
    const c = String(r.class ?? 'unknown');
    if (!byClass.has(c)) byClass.set(c, new Set());
    byClass.get(c)!.add(r.id);
  }
  out(`Skywarden demo (seed ${a.seed}): a ${a.duration} s raid`);
  out(`  targets: ${[...byClass].map(([c, s]) => `${s.size} ${c}`).join(', ')}`);
  out(`  sensors: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  out(`  ${scene.detections.length} detections`);
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const summary = await runTrack({
    sensorsText: JSON.stringify({ sensors: scene.sensors }),
    sensorsName: 'demo sensors',
    detections: Readable.from(scene.detections.map((d) => JSON.stringify(d) + '\n')),
    detectionsName: 'demo detections',
    detectionsSize: 0,
    out: sink,
    reportEvery: 1,
    reorderDelay: 5,
    strict: false,
    log: (l) => process.stderr.write(l + '\n'),
    progress: false,
  });
  out('');
  out(formatSummary(summary));
  const rows = chunks
    .join('')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as TrackRow);
  const tracks: ScoredPoint[] = rows.map((r) => ({ t: r.t, id: r.track, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m ?? 0 } }));
  const truth: ScoredPoint[] = scene.truth.map((r) => ({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } }));
  const s = scoreTracks(truth, tracks);
  out('');
  out('accuracy against the simulated truth (spec scoring, GOSPA c=2000 m, p=2):');
  out(`  mean GOSPA ${s.gospa.toFixed(1)} m (localisation ${s.localisation.toFixed(1)}, missed ${s.missed.toFixed(1)}, false ${s.false.toFixed(1)})`);
  out(`  horizontal error: median ${s.medianError.toFixed(1)} m, 95th percentile ${s.p95Error.toFixed(1)} m`);
  out(`  targets tracked ${s.targetsTracked}/${s.targets}, id switches ${s.idSwitches}, mean false tracks ${s.meanFalseTracks.toFixed(2)}`);
  // identification at the end: each live track's most probable class
  const lastT = rows.length > 0 ? rows[rows.length - 1].t : NaN;
  const last = rows.filter((r) => r.t === lastT);
  const classes = new Map<string, number>();
  for (const r of last) {
    const top = Object.entries(r.class ?? {}).sort((x, y) => y[1] - x[1])[0];
    const label = top ? top[0] : 'unknown';
    classes.set(label, (classes.get(label) ?? 0) + 1);
  }
  out(`  tracks at the end, by most probable class: ${[...classes].map(([c, n]) => `${n} ${c}`).join(', ') || 'none'}`);
  out('');
  out('try: npx skywarden track --help, or npm run bench');
  return 0;
}
