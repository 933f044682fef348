#!/usr/bin/env node
// The known-association reference (bench/acoustic-reference.mjs) and the tracker's own output on a
// scene made elsewhere: DIR/sensors.json, DIR/detections.ndjson (annotated with sim_target),
// DIR/truth.ndjson, and optionally DIR/<tracks> (tracks.ndjson of `skywarden track`), scored alike
// (observable coverage by what observed the target). Tells whether what a tracker misses on such a
// scene is what the models can extract from each target's own reports at all.
// Usage: npm run build && node bench/reference-files.mjs DIR [--tracks FILE] [--rule shown|best] [--n 4000] [--calib] [--no-silences] [--turns MEAN_S,SD_RAD] [--model PRESENCE_JSON]
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
const calib = args.includes('--calib') ? [] : undefined;
show(`reference (${arg('rule', 'shown')})`, scoreCoverage(truth, detections, referenceTracks({ sensors }, truthRows, detRows, { rule: arg('rule', 'shown'), seed, n: Number(arg('n', 4000)), ...(calib ? { calib } : {}), ...(args.includes('--no-silences') ? { silences: false } : {}), ...(arg('turns', null) ? { turns: arg('turns').split(',').map(Number) } : {}), ...(arg('model', null) ? { model: JSON.parse(arg('model')) } : {}) }), { sensors: sensors.length }));
if (calib) {
  // --calib: the reference's clouds' error over their one-sigma, by one-sigma (a calibrated 2-D Gaussian: median 1.18)
  for (const [lo, hi] of [[0, 150], [150, 300], [300, 600], [600, 1000], [1000, Infinity]]) {
    const v = calib.filter((x) => x.sd >= lo && x.sd < hi).map((x) => x.err / x.sd).sort((a, b) => a - b);
    if (v.length) console.log(`calib sd ${lo}-${hi} m: ${v.length} s, error/sd median ${v[v.length >> 1].toFixed(2)} p90 ${v[Math.floor(0.9 * v.length)].toFixed(2)}`);
  }
}
if (arg('tracks', null)) {
  const tracks = nd(arg('tracks')).map((r) => ({ t: r.t, id: r.track, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m ?? 0 } }));
  show('tracker', scoreCoverage(truth, detections, tracks, { sensors: sensors.length }));
}
