#!/usr/bin/env node
// Offline check of the serve benchmark's synthetic data (bench/serve-scene.mjs) with the
// batch tracker: writes sensors.json, detections.ndjson (in the order the benchmark would
// send them) and truth.ndjson for one offered rate, runs `skywarden track` and
// `skywarden score` on them and prints the confirmed tracks per report and the score.
// Usage: node bench/serve-check.mjs [--legacy] [--rate 5000] [--seconds 30] [--report-every S] [--keep DIR]
//   --legacy: the first version's generator (see serve-scene.mjs)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScene, N_TARGETS } from './serve-scene.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, def) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const legacy = process.argv.includes('--legacy');
const rate = Number(arg('--rate', '5000'));
const seconds = Number(arg('--seconds', '30'));
const keep = arg('--keep', null);
const reportEvery = arg('--report-every', '1');
const dir = keep ?? mkdtempSync(join(tmpdir(), 'sw-serve-check-'));

const T0 = 1764000000;
const scene = createScene(T0);
writeFileSync(join(dir, 'sensors.json'), JSON.stringify({ sensors: scene.sensorRows }));
const lines = [];
if (legacy) {
  // batches of 500 sent at the offered rate, each dated at its send time (minus up to 0.2 s)
  const batch = 500;
  for (let i = 0; (i * batch) / rate < seconds; i++) lines.push(...scene.legacyBatch(batch, T0 + (i * batch) / rate));
} else {
  for (let now = T0; now < T0 + seconds; now += 0.01) lines.push(...scene.scanDetections(now, Math.round(rate / N_TARGETS)));
}
writeFileSync(join(dir, 'detections.ndjson'), lines.join('\n') + '\n');
const truth = [];
for (let t = T0 + 1; t < T0 + seconds; t++) for (const r of scene.truthAt(t)) truth.push(JSON.stringify(r));
writeFileSync(join(dir, 'truth.ndjson'), truth.join('\n') + '\n');

const cli = join(root, 'packages/cli/bin/skywarden.js');
const t0 = performance.now();
const tr = spawnSync(process.execPath, [cli, 'track', '--sensors', join(dir, 'sensors.json'), '--detections', join(dir, 'detections.ndjson'), '--out', join(dir, 'tracks.ndjson'), '--report-every', reportEvery], { encoding: 'utf8' });
const trackS = (performance.now() - t0) / 1000;
if (tr.status !== 0) throw new Error(`track failed: ${tr.stderr}`);
const perT = new Map();
for (const l of readFileSync(join(dir, 'tracks.ndjson'), 'utf8').split('\n')) {
  if (!l) continue;
  const r = JSON.parse(l);
  const c = perT.get(r.t) ?? { confirmed: 0, coasting: 0 };
  c[r.status]++;
  perT.set(r.t, c);
}
const sc = spawnSync(process.execPath, [cli, 'score', '--truth', join(dir, 'truth.ndjson'), '--tracks', join(dir, 'tracks.ndjson'), '--json'], { encoding: 'utf8' });
if (sc.status !== 0) throw new Error(`score failed: ${sc.stderr}`);
const score = JSON.parse(sc.stdout);
const ts = [...perT.keys()].sort((a, b) => a - b);
const series = ts.filter((t) => Math.abs(t - Math.round(t)) < 1e-6 && Math.round(t - T0) % 5 === 0).map((t) => `${t - T0}s:${perT.get(t).confirmed}+${perT.get(t).coasting}`);
console.log(`${legacy ? 'legacy' : 'scan'} generator, offered ${rate}/s for ${seconds} s, reports every ${reportEvery} s: ${lines.length} detections (${(lines.length / seconds).toFixed(0)}/s), ${N_TARGETS} targets; track ${trackS.toFixed(1)} s`);
console.log(`tracks per report (confirmed+coasting): ${series.join(' ')}`);
console.log(`score: ${JSON.stringify(score)}`);
console.log(`stderr of track: ${tr.stderr.trim().split('\n').slice(-3).join(' | ')}`);
if (!keep) rmSync(dir, { recursive: true, force: true });
