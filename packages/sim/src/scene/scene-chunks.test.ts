import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DetectionRow } from '@skywarden/formats';
import { createRng, deriveSeed } from './rng.js';
import { collectSceneChunks, simulateSceneChunks } from './scene-chunks.js';
import { makeMixedScene } from './scene-mixed.js';
import { simulateScene, type SceneOptions } from './scene.js';

const DURATION = 300;

/** The inputs of a small mixed scene (every sensor kind), for simulateScene and the chunks. */
function mixedOptions(order: 'measurement' | 'arrival' = 'measurement'): SceneOptions {
  const m = makeMixedScene({ seed: 12, nDrones: 15, nMics: 150, nObservers: 80, durationS: DURATION, regionM: 20e3, annotate: true, order });
  const { t0, origin, targets, radars, reporters, acoustics, observers } = m;
  return { seed: 12, t0, duration: DURATION, origin, targets, radars, reporters, acoustics, observers, annotate: true, order };
}

const base = mixedOptions();
const whole = simulateScene(base);

test('one chunk gives exactly the rows of simulateScene, in both orders', () => {
  const one = [...simulateSceneChunks(base, { chunkS: DURATION })];
  assert.equal(one.length, 1);
  assert.deepEqual([one[0].index, one[0].t0, one[0].t1, one[0].last], [0, base.t0, base.t0 + DURATION, true]);
  assert.deepEqual(one[0].detections, whole.detections);
  assert.deepEqual(one[0].truth, whole.truth);
  const arrival = mixedOptions('arrival');
  assert.deepEqual(collectSceneChunks(simulateSceneChunks(arrival, { chunkS: 1e6 })), { detections: simulateScene(arrival).detections, truth: whole.truth });
});

test('many chunks: each row once, in time order, in its chunk, numbered per sensor over the period', () => {
  const chunks = [...simulateSceneChunks(base, { chunkS: 47 })];
  assert.equal(chunks.length, 7);
  const detections: DetectionRow[] = [];
  for (const ch of chunks) {
    assert.equal(ch.t0, base.t0 + 47 * ch.index);
    assert.equal(ch.t1, ch.last ? base.t0 + DURATION : base.t0 + 47 * (ch.index + 1));
    for (const d of ch.detections) assert.ok(d.t >= ch.t0 && (ch.last ? d.t <= ch.t1 : d.t < ch.t1), `${d.id} at ${d.t} outside [${ch.t0}, ${ch.t1})`);
    for (const r of ch.truth) assert.ok(r.t >= ch.t0 && (ch.last ? r.t <= ch.t1 : r.t < ch.t1));
    detections.push(...ch.detections);
  }
  for (let i = 1; i < detections.length; i++) assert.ok(detections[i].t >= detections[i - 1].t, `unsorted at ${i}`);
  const perSensor = new Map<string, DetectionRow[]>();
  for (const d of detections) perSensor.set(d.sensor, [...(perSensor.get(d.sensor) ?? []), d]);
  for (const [sensor, rows] of perSensor) rows.forEach((d, i) => assert.equal(d.id, `${sensor}-${i + 1}`));
  // The same truth (the trajectories do not depend on the cuts).
  assert.deepEqual(chunks.flatMap((c) => c.truth), whole.truth);
  // Another draw of the same sensors: similar numbers of rows of each kind.
  const kinds = (rows: DetectionRow[]) => {
    const m = new Map<string, number>();
    for (const d of rows) {
      const k = `${d.sensor.replace(/-.*/, '')}/${d.type}/${d.sim_target === null ? 'false' : 'true'}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const a = kinds(whole.detections);
  const b = kinds(detections);
  for (const [k, n] of a) if (n >= 200) assert.ok(Math.abs((b.get(k) ?? 0) - n) < 0.1 * n, `${k}: ${b.get(k)} rows in chunks, ${n} whole`);
  // Deterministic.
  assert.deepEqual(collectSceneChunks(simulateSceneChunks(base, { chunkS: 47 })).detections, detections);
});

test('cuts split no scan or report: one plot per target per scan, microphones and ADS-B on their schedules', () => {
  const { detections } = collectSceneChunks(simulateSceneChunks(base, { chunkS: 31 }));
  const t0 = base.t0;
  // Radar: scans start at t0 + offset + k·T; at most one plot of a target per scan.
  const radar = base.radars![0];
  const T = radar.scanPeriod;
  const seen = new Set<string>();
  for (const d of detections) {
    if (d.sensor !== radar.id || d.sim_target === null) continue;
    const k = Math.floor((d.t - t0 - radar.scanOffset!) / T);
    const key = `${d.sim_target}/${k}`;
    assert.ok(!seen.has(key), `two plots of ${d.sim_target} in scan ${k}`);
    seen.add(key);
  }
  assert.ok(seen.size > 200);
  // Microphones: every row on the node's slot grid t0 + phase + k·period; presence nodes once a slot.
  let checked = 0;
  for (const m of base.acoustics!) {
    const phase = createRng(deriveSeed(base.seed, `acoustic/${m.id}/phase`)).uniform(0, m.period);
    const slots = new Set<number>();
    for (const d of detections) {
      if (d.sensor !== m.id) continue;
      const k = (d.t - t0 - phase) / m.period;
      assert.ok(Math.abs(k - Math.round(k)) < 1e-5, `${d.id} at ${d.t} off the slot grid`);
      if (m.output === 'presence') {
        assert.ok(!slots.has(Math.round(k)), `${m.id} reports slot ${Math.round(k)} twice`);
        slots.add(Math.round(k));
      }
      checked++;
    }
  }
  assert.ok(checked > 1000);
  // ADS-B: each aircraft's reports stay whole periods apart across the cuts.
  const adsb = base.reporters![0];
  const byTarget = new Map<string, number[]>();
  for (const d of detections) if (d.sensor === adsb.id) byTarget.set(d.target as string, [...(byTarget.get(d.target as string) ?? []), d.t]);
  assert.ok(byTarget.size >= 2);
  for (const [icao, ts] of byTarget) {
    for (let i = 1; i < ts.length; i++) {
      const n = (ts[i] - ts[i - 1]) / adsb.period;
      assert.ok(n > 0.5 && Math.abs(n - Math.round(n)) < 1e-5, `${icao}: reports ${ts[i - 1]} and ${ts[i]}`);
    }
  }
});

test('arrival order in chunks: the same rows as in measurement order, delivered by arrival', () => {
  const arrival = mixedOptions('arrival');
  const m = collectSceneChunks(simulateSceneChunks(base, { chunkS: 60 })).detections;
  const a = collectSceneChunks(simulateSceneChunks(arrival, { chunkS: 60 })).detections;
  assert.deepEqual(new Set(a.map((d) => d.id)), new Set(m.map((d) => d.id)));
  assert.equal(a.length, m.length);
  assert.notDeepEqual(a.map((d) => d.id), m.map((d) => d.id));
});

test('simulateSceneChunks rejects a bad chunk length', () => {
  assert.throws(() => [...simulateSceneChunks(base, { chunkS: 0 })], /chunkS must be > 0, got 0/);
  assert.throws(() => [...simulateSceneChunks({ ...base, duration: -1 })], /simulateSceneChunks: duration must be >= 0, got -1/);
});
