#!/usr/bin/env node
// The known-association reference (bench/acoustic-reference.mjs) and the tracker's own output on a
// scene made elsewhere: DIR/sensors.json, DIR/detections.ndjson (annotated with sim_target),
// DIR/truth.ndjson, and optionally DIR/<tracks> (tracks.ndjson of `skywarden track`), scored alike
// (observable coverage by what observed the target). Tells whether what a tracker misses on such a
// scene is what the models can extract from each target's own reports at all.
// Usage: npm run build && node bench/reference-files.mjs DIR [--tracks FILE] [--rule shown|best] [--n 4000]
import { readFileSync } from 'node:fs';
import { scoreCoverage } from '@skywarden/core';
import { referenceTracks, sceneFiles } from './acoustic-reference.mjs';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const dir = args[0];
if (!dir || dir.startsWith('--')) { process.stderr.write('usage: node bench/reference-files.mjs DIR [--tracks FILE] [--rule shown|best] [--n 4000]\n'); process.exit(2); }
const nd = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const { sensors, truthRows, detRows, truth, detections } = sceneFiles(dir);
const show = (label, s) => {
  const cat = Object.fromEntries(s.categories.map((k) => [k.category, k]));
  const c = (k) => (cat[k] ? `${k} ${(100 * cat[k].coveredShare).toFixed(1)} % of ${cat[k].observable} s (median ${Math.round(cat[k].medianErrorM)} m)` : null);
  console.log(`${label}: covered ${(100 * s.coveredShare).toFixed(1)} % of ${s.observable} observable s, median ${Math.round(s.medianErrorM)} m; ${['presence', 'bearings', 'mixed'].map(c).filter(Boolean).join('; ')}`);
};
const seed = Number(arg('seed', 1));
show(`reference (${arg('rule', 'shown')})`, scoreCoverage(truth, detections, referenceTracks({ sensors }, truthRows, detRows, { rule: arg('rule', 'shown'), seed, n: Number(arg('n', 4000)) }), { sensors: sensors.length }));
if (arg('tracks', null)) {
  const tracks = nd(arg('tracks')).map((r) => ({ t: r.t, id: r.track, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m ?? 0 } }));
  show('tracker', scoreCoverage(truth, detections, tracks, { sensors: sensors.length }));
}
