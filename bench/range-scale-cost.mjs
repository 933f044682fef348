#!/usr/bin/env node
// What the learnt range scale (acoustic/range-scale.ts) costs in time: the same detections
// tracked with it on and off, alternated (on, off, on, off, ...) in one process so that the
// machine's other load falls on both; prints each run's wall time and the tracks' count.
// Usage: npm run build && node bench/range-scale-cost.mjs --sensors FILE --detections FILE [--runs 3]
// e.g. the first 100,000 detections of the national scene (bench/national.mjs writes it):
//   head -100000 bench/results/national-scene-*/detections.ndjson > /tmp/slice.ndjson
import { createPicture, sensorCentroid } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson } from '@skywarden/formats';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const arg = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const ps = parseSensorsJson(readFileSync(arg('sensors'), 'utf8'));
if (!ps.ok) throw new Error(ps.errors.join('; '));
const sensors = ps.sensors;
const dets = [];
let n = 0;
for (const line of readFileSync(arg('detections'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = parseDetectionLine(line, ++n, sensors);
  if (r?.ok) dets.push(r.detection);
}
const runs = Number(arg('runs', 3));
const once = (rangeScale) => {
  let rows = 0;
  const picture = createPicture({ anchor: sensorCentroid(sensors.values()), sensors: sensors.values(), tracker: rangeScale ? {} : { acousticRangeScale: null }, idSeed: [1, 2] }, (e) => {
    if (e.type === 'tracks') rows += e.reports.length;
  });
  const t0 = performance.now();
  for (const d of dets) picture.push(d);
  picture.finish?.();
  return { s: (performance.now() - t0) / 1000, rows };
};
const times = { on: [], off: [] };
for (let k = 0; k < runs; k++) {
  for (const on of [true, false]) {
    const r = once(on);
    times[on ? 'on' : 'off'].push(r.s);
    console.log(`range scale ${on ? 'on ' : 'off'}: ${r.s.toFixed(2)} s, ${r.rows} track rows`);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`${dets.length} detections; median on ${med(times.on).toFixed(2)} s, off ${med(times.off).toFixed(2)} s: the scale costs ${(100 * (med(times.on) / med(times.off) - 1)).toFixed(1)} %`);
