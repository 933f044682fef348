#!/usr/bin/env node
// Skywarden on scenes from the outside generator (bench/outside/gen.py, Python 3 with numpy; see
// README.md): for each family and seed, the scene is generated once into
// bench/results/outside/<family>-<seed>[-n<N>]/ (kept), `skywarden track` runs on its files as a
// user would, `skywarden score` scores it, and the known-association reference
// (bench/acoustic-reference.mjs) shows what the tracker's own models could tell of each target.
// Prints one row per scene, the worst first, and the families' sums; writes
// bench/results/outside.json.
// Usage: npm run build && node bench/outside/evaluate.mjs [--families base,bursts] [--seeds 1,2,3]
//   [--drones N] [--no-reference] [--out FILE] [--compare FILE] [-- TRACK ARGS...]   (arguments after -- go to `skywarden track`)
//   --out FILE: where the JSON goes (default bench/results/outside.json); --compare FILE: a JSON of an
//   earlier run (a baseline), beside which each scene's covered share and false tracks are printed, with
//   the change, and the totals over the scenes both runs hold (a change is judged scene by scene too)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scoreCoverage } from '@skywarden/core';
import { referenceTracks, sceneFiles } from '../acoustic-reference.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const all = process.argv.slice(2);
const dd = all.indexOf('--');
const args = dd >= 0 ? all.slice(0, dd) : all;
const trackArgs = dd >= 0 ? all.slice(dd + 1) : [];
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const families = arg('families', 'base,clock,outage,wind,maneuver,late,swarm,declared,bursts').split(',');
const seeds = arg('seeds', '1,2,3').split(',').map(Number);
const drones = arg('drones', null);
const withReference = !args.includes('--no-reference');
const outFile = arg('out', `${root}bench/results/outside.json`);
const compareFile = arg('compare', null);
// read first: a missing or unreadable baseline stops the run before its minutes are spent
const baseline = compareFile ? (() => {
  try {
    return JSON.parse(readFileSync(compareFile, 'utf8'));
  } catch (e) {
    console.error(`--compare ${compareFile}: cannot read it as JSON (${e.code ?? e.message})`);
    process.exit(2);
  }
})() : null;
if (baseline && !Array.isArray(baseline.rows)) throw new Error(`--compare ${compareFile}: not a JSON of bench/outside/evaluate.mjs (no rows)`);
const bin = `${root}packages/cli/bin/skywarden.js`;
const run = (cmd, argv, env = {}) => {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').slice(-1500)}`);
  return r.stdout;
};

const rows = [];
for (const fam of families) {
  for (const seed of seeds) {
    const dir = `${root}bench/results/outside/${fam}-${seed}${drones ? `-n${drones}` : ''}`;
    if (!existsSync(`${dir}/truth.ndjson`)) {
      mkdirSync(dir, { recursive: true });
      run('python3', [`${root}bench/outside/gen.py`, fam, String(seed), dir], drones ? { NDRONES: drones } : {});
    }
    const t0 = performance.now();
    run(process.execPath, [bin, 'track', '--sensors', `${dir}/sensors.json`, '--detections', `${dir}/detections.ndjson`, '--out', `${dir}/tracks.ndjson`, ...trackArgs]);
    const trackS = (performance.now() - t0) / 1000;
    const s = JSON.parse(run(process.execPath, [bin, 'score', '--json', '--truth', `${dir}/truth.ndjson`, '--tracks', `${dir}/tracks.ndjson`, '--detections', `${dir}/detections.ndjson`, '--sensors', `${dir}/sensors.json`]));
    const c = s.coverage;
    const row = {
      scene: `${fam}-${seed}`, family: fam, seed,
      observable_s: c.observable_s, covered_s: c.covered_s, missed_share: c.missed_share,
      presence: c.categories.presence?.covered_share ?? null, bearings: c.categories.bearings?.covered_share ?? null,
      median_error_m: c.median_error_m, false_tracks: s.mean_false_tracks, id_switches: s.id_switches,
      first_track_median_s: c.first_track_median_s, gospa_m: s.gospa_m, observable_gospa_m: c.observable_gospa_m, track_s: trackS,
    };
    if (withReference) {
      const { sensors, truthRows, detRows, truth, detections } = sceneFiles(dir);
      const r = scoreCoverage(truth, detections, referenceTracks({ sensors }, truthRows, detRows, { rule: 'shown', seed }), { sensors: sensors.length });
      row.reference_covered_share = r.coveredShare;
    }
    rows.push(row);
    process.stderr.write(`${row.scene}: missed ${(100 * row.missed_share).toFixed(1)} %${row.reference_covered_share !== undefined ? `, reference covers ${(100 * row.reference_covered_share).toFixed(1)} %` : ''}\n`);
  }
}
const pct = (x) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)} %`);
console.log('| scene | missed | presence only | bearings | median m | false tracks | id switches | first track s | reference covers | tracker / reference |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of [...rows].sort((a, b) => b.missed_share - a.missed_share)) {
  console.log(`| ${r.scene} | ${pct(r.missed_share)} | ${pct(r.presence)} | ${pct(r.bearings)} | ${Math.round(r.median_error_m)} | ${r.false_tracks.toFixed(2)} | ${r.id_switches} | ${r.first_track_median_s?.toFixed(0) ?? '-'} | ${pct(r.reference_covered_share)} | ${r.reference_covered_share ? (r.covered_s / r.observable_s / r.reference_covered_share).toFixed(2) : '-'} |`);
}
const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
console.log(`all ${rows.length} scenes: covered ${sum('covered_s')} of ${sum('observable_s')} observable s (${pct(sum('covered_s') / sum('observable_s'))}), false tracks ${(sum('false_tracks') / rows.length).toFixed(2)} at any time (mean), id switches ${sum('id_switches')}, observable GOSPA ${Math.round(sum('observable_gospa_m') / rows.length)} m (mean)`);
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(outFile, JSON.stringify({ trackArgs, rows }, null, 2));
if (baseline) {
  const before = new Map(baseline.rows.map((r) => [r.scene, r]));
  const both = rows.filter((r) => before.has(r.scene));
  const cov = (r) => r.covered_s / r.observable_s;
  console.log(`\nbeside ${compareFile} (track args ${JSON.stringify(baseline.trackArgs ?? [])} -> ${JSON.stringify(trackArgs)}), worst change first:`);
  console.log('| scene | covered before | now | change, points | false tracks before | now |');
  console.log('|---|---|---|---|---|---|');
  for (const r of [...both].sort((a, b) => cov(a) - cov(before.get(a.scene)) - (cov(b) - cov(before.get(b.scene))))) {
    const b = before.get(r.scene);
    console.log(`| ${r.scene} | ${pct(cov(b))} | ${pct(cov(r))} | ${(100 * (cov(r) - cov(b))).toFixed(1)} | ${b.false_tracks.toFixed(2)} | ${r.false_tracks.toFixed(2)} |`);
  }
  const s = (xs, k) => xs.reduce((a, r) => a + r[k], 0);
  const bs = both.map((r) => before.get(r.scene));
  const better = both.filter((r) => cov(r) > cov(before.get(r.scene))).length;
  const worse = both.filter((r) => cov(r) < cov(before.get(r.scene))).length;
  console.log(`${both.length} scenes in both: covered ${pct(s(bs, 'covered_s') / s(bs, 'observable_s'))} -> ${pct(s(both, 'covered_s') / s(both, 'observable_s'))}, false tracks ${(s(bs, 'false_tracks') / both.length).toFixed(2)} -> ${(s(both, 'false_tracks') / both.length).toFixed(2)} (mean), id switches ${s(bs, 'id_switches')} -> ${s(both, 'id_switches')}${bs.every((r) => r.observable_gospa_m !== undefined) ? `, observable GOSPA ${Math.round(s(bs, 'observable_gospa_m') / both.length)} -> ${Math.round(s(both, 'observable_gospa_m') / both.length)} m (mean)` : ''}; ${better} scenes better, ${worse} worse`);
  if (both.length < rows.length) console.log(`${rows.length - both.length} scenes not in the baseline: ${rows.filter((r) => !before.has(r.scene)).map((r) => r.scene).join(', ')}`);
}
