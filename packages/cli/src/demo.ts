/**
 * `skywarden demo`: simulates a small raid of drones over a radar network and observer
 * reports, runs the batch tracker on it exactly as `skywarden track` would (same code,
 * in memory), scores the tracks against the truth and prints a summary.
 */
import { Readable, Writable } from 'node:stream';
import { scoreTracks, type ScoredPoint } from '@skywarden/core';
import { makeRadarScene } from '@skywarden/sim';
import { formatSummary, runTrack } from './track.js';

export interface DemoArgs {
  seed: number;
  targets: number;
  duration: number;
}

export async function demoCommand(a: DemoArgs): Promise<number> {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`Skywarden demo: ${a.targets} Shahed-type drones, ${a.duration} s, seed ${a.seed}`);
  const scene = makeRadarScene({ seed: a.seed, nTargets: a.targets, durationS: a.duration, clutterPerScan: 3 });
  out(`simulated ${scene.detections.length} detections from ${scene.sensors.length} sensors (${scene.sensors.map((s) => `${s.id}:${s.kind}`).join(', ')})`);
  const rows: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      rows.push(String(chunk));
      cb();
    },
  });
  const lines = scene.detections.map((d) => JSON.stringify(d));
  const summary = await runTrack({
    sensorsText: JSON.stringify({ sensors: scene.sensors }),
    sensorsName: 'demo sensors',
    detections: Readable.from(lines.map((l) => l + '\n')),
    detectionsName: 'demo detections',
    detectionsSize: 0,
    out: sink,
    reportEvery: 1,
    reorderDelay: 5,
    strict: false,
    log: (l) => process.stderr.write(l + '\n'),
    progress: false,
  });
  out(formatSummary(summary));
  const tracks: ScoredPoint[] = rows
    .join('')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { t: number; track: string; lat: number; lon: number; alt_m?: number })
    .map((r) => ({ t: r.t, id: r.track, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m ?? 0 } }));
  const truth: ScoredPoint[] = scene.truth.map((r) => ({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } }));
  const s = scoreTracks(truth, tracks);
  out('accuracy against the simulated truth (spec scoring, GOSPA c=2000 m, p=2):');
  out(`  mean GOSPA ${s.gospa.toFixed(1)} m (localisation ${s.localisation.toFixed(1)}, missed ${s.missed.toFixed(1)}, false ${s.false.toFixed(1)})`);
  out(`  horizontal error: median ${s.medianError.toFixed(1)} m, 95th percentile ${s.p95Error.toFixed(1)} m`);
  out(`  targets tracked ${s.targetsTracked}/${s.targets}, id switches ${s.idSwitches}, mean false tracks ${s.meanFalseTracks.toFixed(2)}`);
  return 0;
}
