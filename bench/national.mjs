#!/usr/bin/env node
// The national preset through the tracker (opt-in: `npm run bench:national`, about 5 minutes):
// the record-night scale of September 2025 — 800 drones in waves over 3 hours, 10,000
// microphones, 36 radars, 2,000 observers, airliners — generated chunk by chunk and streamed
// into the tracker, scored on the fly. Writes bench/results/national.json.
// Options: --hours H (default 3), --drones N (default 800), --no-clouds (acoustic nodes as discs,
// the tracker before particle clouds: the register is not given to the tracker). FKIND=1 also prints the
// false track rows (no target within 2 km) by the kinds of sensor that fed their track.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createBatchRunner, createTrackScorer, createTracker } from '@skywarden/core';
import { parseDetectionLine, parseSensorsJson } from '@skywarden/formats';
import { generateNationalRows, makeNationalScene } from '@skywarden/sim';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const hours = arg('hours', 3);
const drones = arg('drones', 800);
const started = performance.now();
const falseKinds = process.env.FKIND ? new Map() : null;
const scene = makeNationalScene({ seed: 7, nDrones: drones, durationS: hours * 3600 });
const sensors = parseSensorsJson(JSON.stringify({ sensors: scene.sensors })).sensors;
const clouds = !process.argv.includes('--no-clouds');
// the sensors' register gives the tracker its acoustic network (particle clouds, negative information)
const tracker = createTracker({ origin: scene.origin, ...(clouds ? { sensors: [...sensors.values()] } : {}) });
const scorer = createTrackScorer();
const truthAt = new Map();
let rows = 0;
let peakRss = 0;
const runner = createBatchRunner(tracker, {}, {
  onReport: (t, reps) => {
    rows += reps.length;
    const truth = truthAt.get(t);
    if (truth && falseKinds) {
      const live = new Map(tracker.tracks().map((x) => [x.id, x]));
      for (const r of reps) {
        const ok = truth.some((q) => { const k = Math.PI / 180; return Math.hypot((q.position.lonDeg - r.position.lonDeg) * k * Math.cos(q.position.latDeg * k) * 6371000, (q.position.latDeg - r.position.latDeg) * k * 6371000) <= 2000; });
        if (ok) continue; const x = live.get(r.trackId); if (!x) continue;
        const kinds = [...new Set([...x.sensors.keys()].map((id) => sensors.get(id)?.kind))].sort().join('+') + (x.cloud ? ' (cloud)' : '') + (x.cloud?.reseedNode ? ' reseeded' : '');
        falseKinds.set(kinds, (falseKinds.get(kinds) ?? 0) + 1);
      }
    }
    if (truth) {
      scorer.addTime(t, truth, reps.map((r) => ({ t, id: r.trackId, position: r.position })));
      truthAt.delete(t);
    }
  },
});
let detections = 0;
let trackSeconds = 0;
let genSeconds = 0;
let tg = performance.now();
let n = 0;
for (const row of generateNationalRows(scene, {
  onTruth: (chunk) => {
    for (const r of chunk) {
      const list = truthAt.get(r.t) ?? [];
      list.push({ t: r.t, id: r.id, position: { latDeg: r.lat, lonDeg: r.lon, altM: r.alt_m } });
      truthAt.set(r.t, list);
    }
  },
})) {
  const t1 = performance.now();
  genSeconds += (t1 - tg) / 1000;
  const d = parseDetectionLine(JSON.stringify(row), ++n, sensors);
  if (d && d.ok && runner.push(d.detection) === null) detections++;
  tg = performance.now();
  trackSeconds += (tg - t1) / 1000;
  if ((n & 0xffff) === 0) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    process.stderr.write(`\r${n} detections, simulated time ${((row.t - scene.t0) / 60).toFixed(0)} min `);
  }
}
const tf = performance.now();
runner.finish();
trackSeconds += (performance.now() - tf) / 1000;
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const s = scorer.result();
const result = {
  date: new Date().toISOString(),
  node: process.version,
  hours,
  drones,
  clouds,
  sensors: scene.sensors.length,
  detections,
  trackRows: rows,
  generateAndParseSeconds: genSeconds,
  trackSeconds,
  wallSeconds: (performance.now() - started) / 1000,
  detectionsPerSecond: detections / trackSeconds,
  peakRssMB: peakRss / 1e6,
  gospa: s.gospa, localisation: s.localisation, missed: s.missed, false: s.false,
  medianErrorM: s.medianError, p95ErrorM: s.p95Error, idSwitches: s.idSwitches,
  targetsTracked: s.targetsTracked, targets: s.targets, meanMissedTargets: s.meanMissedTargets, meanFalseTracks: s.meanFalseTracks,
};
process.stderr.write('\n');
console.log(JSON.stringify(result, null, 2));
if (falseKinds) console.log('false rows by feeding sensors:', JSON.stringify(Object.fromEntries([...falseKinds].sort((a, b) => b[1] - a[1]))));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/national.json', import.meta.url), JSON.stringify(result, null, 2));
