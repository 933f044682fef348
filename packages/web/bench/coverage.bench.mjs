#!/usr/bin/env node
// Coverage layer benchmark (issue 17): the time to recompute the coverage areas of a sensor
// network (logic/coverage.ts: a distance field per kind on a grid, traced with d3-contour in
// tiles), for the demo's size and the issue's goal picture, and, for comparison, the union of
// the same discs as 32-gons with polygon-clipping (the vector-union alternative).
//  - 900: the demo's network: 900 acoustic nodes over ±30 km about Seoul (ranges 2-3 km) and
//    2 radars (20-60 km), 90 % ok.
//  - 10,000: 10,000 acoustic nodes over ±200 km and 20 radars, 90 % ok.
// Also the structured clone of the result (what the worker's answer and setData cost the page).
// Runs in Node on the compiled logic; needs `npm run build -w @skywarden/web` first.
// Prints a table and writes bench/results/coverage.json.
// Usage: node packages/web/bench/coverage.bench.mjs [--runs 7] [--union-10k]  (the 10,000-disc union is slow: off unless asked)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import polygonClipping from 'polygon-clipping';

const here = fileURLToPath(new URL('.', import.meta.url));
const logic = join(here, '..', 'dist-test', 'src', 'logic');
if (!existsSync(join(logic, 'coverage.js'))) {
  console.error(`no compiled logic at ${logic}: run npm run build -w @skywarden/web`);
  process.exit(1);
}
const { sensorCoverage, coverageDisc } = await import(join(logic, 'coverage.js'));
const { syntheticCoverageSensors } = await import(join(logic, 'synthetic.js'));
const { circleRing } = await import(join(logic, 'geometry.js'));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 7);
const UNION_10K = process.argv.includes('--union-10k');
const C = { lat: 37.55, lon: 126.98 };
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const r1 = (x) => Math.round(x * 10) / 10;

function vertices(fc) {
  let n = 0;
  for (const f of fc.features) for (const p of f.geometry.coordinates) for (const r of p) n += r.length;
  return n;
}

function scene(label, sensors, union) {
  sensorCoverage(sensors); // warm-up
  const times = [];
  let res;
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    res = sensorCoverage(sensors);
    times.push(performance.now() - t0);
  }
  const c0 = performance.now();
  deserialize(serialize(res.fc)); // the structured clone algorithm, as postMessage uses
  const cloneMs = performance.now() - c0;
  const row = {
    scene: label,
    sensors: sensors.length,
    grid_ms_p50: r1(q(times, 0.5)),
    grid_ms_max: r1(Math.max(...times)),
    clone_ms: r1(cloneMs),
    features: res.fc.features.length,
    vertices: vertices(res.fc),
    groups: res.stats.map((s) => ({ group: s.group, ok: s.ok, not_ok: s.notOk, grid: `${s.cols}x${s.rows}`, cell_m: Math.round(s.cellM), covered_km2: Math.round(s.coveredKm2), lost_km2: Math.round(s.lostKm2) })),
  };
  if (union) {
    // the same working acoustic discs as 32-gons, merged with polygon-clipping
    const polys = [];
    for (const s of sensors) {
      const d = coverageDisc(s);
      if (d && d.ok && d.group === 'acoustic') polys.push([circleRing(d.lat, d.lon, d.r, 32)]);
    }
    const t0 = performance.now();
    const u = polygonClipping.union(...polys);
    row.union_ms = r1(performance.now() - t0);
    row.union_vertices = u.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);
  }
  return row;
}

const rows = [
  scene('demo: 900 microphones + 2 radars', syntheticCoverageSensors(900, 3, C, 30_000), true),
  scene('goal: 10,000 microphones + 20 radars', syntheticCoverageSensors(10_000, 5, C, 200_000), UNION_10K),
];
const env = { date: new Date().toISOString(), cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, loadavg: loadavg().map(r1), node: process.version, runs: RUNS };
console.log(`coverage recompute, ${env.cpus}, load ${env.loadavg.join(' ')}, ${RUNS} runs`);
console.log('| scene | grid + trace p50 / max | clone | features / vertices | union (polygon-clipping) |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.scene} | ${r.grid_ms_p50} / ${r.grid_ms_max} ms | ${r.clone_ms} ms | ${r.features} / ${r.vertices} | ${r.union_ms !== undefined ? `${r.union_ms} ms, ${r.union_vertices} vertices` : 'not run'} |`);
  for (const g of r.groups) console.log(`|   ${g.group} | ${g.ok} ok, ${g.not_ok} not ok | grid ${g.grid}, cell ${g.cell_m} m | ${g.covered_km2} km² covered, ${g.lost_km2} km² lost | |`);
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'coverage.json'), JSON.stringify({ env, rows }, null, 2));
