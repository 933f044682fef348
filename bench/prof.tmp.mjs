import { createTracker, createBatchRunner } from '@skywarden/core';
import { parseSensorsJson, parseDetectionLine } from '@skywarden/formats';
import { makeRadarScene } from '@skywarden/sim';
const n = Number(process.argv[2] ?? 1000);
const scene = makeRadarScene({ seed: 7, nTargets: n, durationS: 120, clutterPerScan: 5, nRadars: 2 });
const sensors = parseSensorsJson(JSON.stringify({ sensors: scene.sensors })).sensors;
const dets = scene.detections.map((d, i) => parseDetectionLine(JSON.stringify(d), i + 1, sensors).detection);
for (let rep = 0; rep < 3; rep++) {
  const tracker = createTracker({ origin: scene.origin });
  let rows = 0;
  let tRep = 0, tStep = 0;
  const rep0 = tracker.report.bind(tracker), step0 = tracker.step.bind(tracker);
  tracker.report = (t) => { const a = performance.now(); const r = rep0(t); tRep += performance.now() - a; return r; };
  tracker.step = (d, t) => { const a = performance.now(); const r = step0(d, t); tStep += performance.now() - a; return r; };
  const runner = createBatchRunner(tracker, {}, { onReport: (t, r) => { rows += r.length; } });
  const t0 = performance.now();
  for (const d of dets) runner.push(d);
  runner.finish();
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify(tracker.stats), `${dets.length} dets ${s.toFixed(2)} s ${Math.round(dets.length / s)} det/s rows ${rows} report ${tRep.toFixed(0)} ms step ${tStep.toFixed(0)} ms`);
}
