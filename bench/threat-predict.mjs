/**
 * Cost of threat prediction (not a test): 1,000 tracks against 77 district-like zones.
 *
 *   npm run build && node bench/threat-predict.mjs [tracks] [zones]
 *
 * Zones: irregular star-shaped polygons of 240 vertices, 5 to 10 km across, tiled over the
 * Seoul capital area (11 × 7 for 77). Tracks: spread over a box 60 km wider than the zones
 * on every side, random headings, 30 to 70 m/s, position errors 30 to 300 m; a fixed
 * seed (a 32-bit LCG), so every run sees the same scene. Prints a table of milliseconds per
 * pass over all tracks for the default ensemble and three others.
 */
import { createGeoArea, createReusingPredictor, createThreatPredictor } from '@skywarden/core';

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const nTracks = Number(process.argv[2] ?? 1000);
const nZones = Number(process.argv[3] ?? 77);
const rand = lcg(20240607);

const lat0 = 37.2;
const lon0 = 126.6;
const cols = 11;
const rows = Math.ceil(nZones / cols);
const cellLat = 0.07; // ≈ 7.8 km
const cellLon = 0.09; // ≈ 8.0 km at 37.5° N
const zones = [];
for (let k = 0; k < nZones; k++) {
  const cx = lon0 + ((k % cols) + 0.5) * cellLon;
  const cy = lat0 + (Math.floor(k / cols) + 0.5) * cellLat;
  const n = 240;
  const ring = new Float64Array(2 * n);
  const phase = rand() * 6.283;
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = 0.5 * (0.65 + 0.25 * Math.sin(3 * a + phase) + 0.1 * Math.sin(11 * a + 2 * phase));
    ring[2 * i] = cx + r * cellLon * Math.cos(a);
    ring[2 * i + 1] = cy + r * cellLat * Math.sin(a);
  }
  zones.push({ id: `z${k}`, area: createGeoArea([{ rings: [ring] }]), leadS: k % 3 === 0 ? 600 : undefined });
}

const pad = 0.7; // degrees, ≈ 60-75 km
const tracks = [];
for (let i = 0; i < nTracks; i++) {
  const lat = lat0 - pad + rand() * (rows * cellLat + 2 * pad);
  const lon = lon0 - pad + rand() * (cols * cellLon + 2 * pad);
  const heading = rand() * 2 * Math.PI;
  const speed = 30 + 40 * rand();
  tracks.push({
    trackId: `T${i}`,
    position: { latDeg: lat, lonDeg: lon, altM: 300 },
    velocityEnu: [speed * Math.sin(heading), speed * Math.cos(heading), 0],
    positionSd: 30 + 270 * rand(),
  });
}

const configs = [
  ['default: 3·5·5 = 75 members, position by Latin square, 5 s steps', {}],
  ['product with 5 position nodes: 375 members, 5 s', { positionDesign: 'product' }],
  ['75 members, 10 s steps', { stepS: 10 }],
  ['3·3·3 = 27 members, 5 s', { headingNodes: 3, manoeuvreNodes: 3 }],
];
console.log(`threat prediction: ${nTracks} tracks, ${nZones} zones of 240 vertices, horizon 900 s`);
console.log('| ensemble | build ms | ms per pass | µs per track | threats | points per track | zone tests per track |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, options] of configs) {
  const b0 = performance.now();
  const predictor = createThreatPredictor(zones, options);
  const build = performance.now() - b0;
  let threats = 0;
  for (const tr of tracks) threats += predictor.predict(tr).length; // warm-up
  const passes = 3;
  const p0 = predictor.stats.points;
  const c0 = predictor.stats.zoneChecks;
  const t0 = performance.now();
  for (let k = 0; k < passes; k++) for (const tr of tracks) predictor.predict(tr);
  const ms = (performance.now() - t0) / passes;
  const per = (x) => ((x / passes / nTracks) | 0).toString();
  console.log(
    `| ${name} | ${build.toFixed(1)} | ${ms.toFixed(0)} | ${((ms * 1000) / nTracks).toFixed(0)} | ${threats} | ${per(predictor.stats.points - p0)} | ${per(predictor.stats.zoneChecks - c0)} |`,
  );
}

// Reuse (threat/reuse.ts): the same tracks reported again 5 s later, each flown straight on at
// the same speed with the same errors. A reused answer costs the criterion (a few dozen
// operations and six zone lookups) and the shift of the saved entry times; a fresh one, the walk.
{
  const predictor = createThreatPredictor(zones);
  const later = tracks.map((tr) => {
    const [ve, vn] = tr.velocityEnu;
    const kLat = 1 / 111_000;
    const kLon = kLat / Math.cos((tr.position.latDeg * Math.PI) / 180);
    return { ...tr, position: { ...tr.position, latDeg: tr.position.latDeg + 5 * vn * kLat, lonDeg: tr.position.lonDeg + 5 * ve * kLon } };
  });
  const passes = 3;
  let fresh = 0;
  let reusedMs = 0;
  let reused = 0;
  let n = 0;
  for (let k = 0; k < passes; k++) {
    const reuse = createReusingPredictor(predictor);
    for (const tr of tracks) reuse.predict(0, tr);
    const t0 = performance.now();
    for (const tr of later) predictor.predict(tr);
    fresh += performance.now() - t0;
    const t1 = performance.now();
    for (const tr of later) reuse.predict(5, tr);
    reusedMs += performance.now() - t1;
    reused += reuse.stats.reused;
    n += later.length;
  }
  console.log(`\nreuse, the same ${nTracks} tracks 5 s later (flown straight on, same errors): ${((100 * reused) / n).toFixed(0)} % reused by the default criterion (tolerance 1/6); a pass afresh ${(fresh / passes).toFixed(0)} ms, through the reusing predictor ${(reusedMs / passes).toFixed(0)} ms`);
}
