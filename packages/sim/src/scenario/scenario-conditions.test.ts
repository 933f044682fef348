import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from './scenario.js';
import { buildScenarioScene, type ScenarioIo } from './build.js';

const io: ScenarioIo = {
  readText: () => {
    throw new Error('no files');
  },
  readJson: () => {
    throw new Error('no files');
  },
  krAdminTopology: () => {
    throw new Error('no files');
  },
};

test('the microphone-network conditions are validated, each bad value named', () => {
  const r = parseScenario({
    raid: { alt_m: [1500, 100] },
    sensors: {
      mic_spacing_m: 10,
      mic_range_m: -5,
      array_share: 1.5,
      mic_pd: [0.9, 1.2],
      mic_quality_spread: 0.95,
      mic_false_alarms: { rate_per_hour: -1, kinds: ['burst', 'thunderclap'], owa_hint_share: 3, loud: true },
    },
  });
  assert.equal(r.ok, false);
  const text = r.ok ? '' : r.errors.join('\n');
  for (const want of [
    'raid.alt_m must be [min, max] with 0 <= min <= max <= 20000, got [1500,100]',
    'sensors.mic_spacing_m must be a number in [100, 100000], got 10',
    'sensors.mic_range_m must be a number or [min, max] with 50 <= min <= max <= 50000, got -5',
    'sensors.array_share must be a number in [0, 1], got 1.5',
    'sensors.mic_pd must be a number or [min, max] with 0 <= min <= max <= 1, got [0.9,1.2]',
    'sensors.mic_quality_spread must be a number in [0, 0.9], got 0.95',
    'sensors.mic_false_alarms.rate_per_hour must be a number in [0, 100], got -1',
    'sensors.mic_false_alarms.kinds must list some of burst, stationary, road, correlated, got ["burst","thunderclap"]',
    'sensors.mic_false_alarms.owa_hint_share must be a number in [0, 1], got 3',
    'sensors.mic_false_alarms.loud: unknown setting',
  ]) assert.ok(text.includes(want), `missing: ${want}\nin:\n${text}`);
  const both = parseScenario({ sensors: { microphones: 100, mic_spacing_m: 3000 } });
  assert.ok(!both.ok && both.errors.some((e) => e.includes('sensors.mic_spacing_m cannot be combined with sensors.microphones')));
  const nat = parseScenario({ preset: 'national', sensors: { array_share: 0.2 } });
  assert.ok(!nat.ok && nat.errors.some((e) => e.includes('sensors.array_share: not supported with preset national')));
  // the national preset takes a grid spacing (bench/national.yaml), not the other conditions
  const natGrid = parseScenario({ preset: 'national', sensors: { mic_spacing_m: 5000 } });
  assert.ok(natGrid.ok && natGrid.scenario.sensors.micSpacingM === 5000);
  const fa = parseScenario({ sensors: { mic_false_alarms: { kinds: ['road'] } } });
  assert.ok(!fa.ok && fa.errors.some((e) => e.includes('sensors.mic_false_alarms.rate_per_hour is required')));
});

test('the conditions shape the scene: spacing, range, pd, arrays, altitudes, no radar, false alarms', () => {
  const doc = {
    preset: 'mixed',
    seed: 4, // a seed with correlated bursts in the period (there are few events, each over several microphones)
    duration_s: 900,
    region_m: 30000,
    raid: { drones: 8, alt_m: [1500, 4000], jet_share: 0, decoy_share: 0.5 },
    sensors: {
      mic_spacing_m: 3000,
      mic_range_m: 2500,
      array_share: 0.5,
      mic_pd: [0.6, 0.95],
      mic_quality_spread: 0.3,
      radars: 0,
      observers: 0,
      mic_false_alarms: { rate_per_hour: 2 },
    },
    traffic: { airliners: 0, helicopters: 0 },
  };
  const r = parseScenario(doc);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  const b = buildScenarioScene(r.scenario, io, { annotate: true });
  const [chunk] = [...b.chunks()];
  const mics = b.sensors.filter((s) => s.kind === 'acoustic');
  assert.equal(mics.length, 100); // 30 km / 3 km = 10 per side
  assert.equal(b.sensors.filter((s) => s.kind === 'radar').length, 0);
  for (const m of mics) {
    assert.ok((m.range_m as number) <= 2500 && (m.range_m as number) >= 0.7 * 2500 - 1e-9, `range ${m.range_m}`);
    assert.ok((m.pd as number) <= 0.95 && (m.pd as number) >= 0.6 * 0.7 - 1e-9, `pd ${m.pd}`);
  }
  const arrays = mics.filter((m) => m.output === 'bearing').length;
  assert.ok(arrays > 30 && arrays < 70, `${arrays} arrays`);
  // cruise altitudes in the band (a strike's terminal dive leaves it)
  const alts = chunk.truth.map((t) => t.alt_m);
  assert.ok(alts.filter((a) => a >= 1500 - 1e-6 && a <= 4000 + 1e-6).length > 0.8 * alts.length);
  const kinds = new Set(chunk.detections.filter((d) => d.sim_target === null).map((d) => d.sim_false));
  for (const k of ['burst', 'stationary', 'road', 'correlated']) assert.ok(kinds.has(k), `no ${k} false alarms`);
  // sound from high up is weaker: the same raid at 100-500 m is heard far more often
  const low = parseScenario({ ...doc, raid: { ...doc.raid, alt_m: [100, 500] } });
  assert.ok(low.ok);
  const [lowChunk] = [...buildScenarioScene(low.scenario, io, { annotate: true }).chunks()];
  const heard = (c: typeof chunk) => c.detections.filter((d) => typeof d.sim_target === 'string').length;
  assert.ok(heard(chunk) < 0.5 * heard(lowChunk), `heard ${heard(chunk)} high, ${heard(lowChunk)} low`);
});
