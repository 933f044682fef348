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

test('recorded flights fly through a network laid out by the conditions; the raid conditions are refused with them', async () => {
  const { readFileSync } = await import('node:fs');
  const { gunzipSync } = await import('node:zlib');
  const { fileURLToPath } = await import('node:url');
  const file = fileURLToPath(new URL('../../../../data/traffic/ambulances/rega_zh.json.gz', import.meta.url));
  const fileIo: ScenarioIo = { ...io, readJson: () => JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as unknown };
  const raid = parseScenario({ real_motion: { files: ['x'], class: 'piston_owa' }, raid: { alt_m: [100, 500] } });
  assert.ok(!raid.ok && raid.errors.some((e) => e.includes('raid.alt_m: not supported with real_motion')), JSON.stringify(raid));
  const base = { seed: 2, real_motion: { files: ['x'], class: 'piston_owa' }, sensors: { radars: 0, observers: 0 } };
  const plain = parseScenario(base);
  const cond = parseScenario({ ...base, sensors: { ...base.sensors, mic_spacing_m: 4000, mic_range_m: 2500, array_share: 0, mic_pd: 0.8, mic_false_alarms: { rate_per_hour: 1, kinds: ['stationary'] } } });
  assert.ok(plain.ok && cond.ok);
  const count = (sc: typeof cond) => {
    if (!sc.ok) throw new Error('bad scenario');
    const built = buildScenarioScene(sc.scenario, fileIo);
    const rows = [...built.chunks()].flatMap((c) => c.detections);
    const mics = built.sensors.filter((x) => x.kind === 'acoustic');
    return { mics, rows, truth: [...buildScenarioScene(sc.scenario, fileIo).chunks()].flatMap((c) => c.truth) };
  };
  const a = count(plain);
  const b = count(cond);
  // the same recorded truth in both
  assert.equal(a.truth.length, b.truth.length);
  assert.ok(b.truth.length > 100);
  // a grid at 4 km: the mic count follows the spacing, every node presence-only (array_share 0) with the range asked
  const side = Math.sqrt(b.mics.length) * 4000;
  assert.ok(b.mics.length >= 9 && b.mics.length !== a.mics.length, `${b.mics.length} grid nodes`);
  assert.ok(side >= 10000, `grid side ${side}`);
  for (const m of b.mics) assert.equal((m as { range_m?: number }).range_m, 2500);
  const acoustic = b.rows.filter((r) => r.type === 'presence' || r.type === 'bearing');
  assert.ok(acoustic.length > 0 && acoustic.every((r) => r.type === 'presence'), 'presence rows only');
});

test('sensors.mic_report_period_s: the microphones report at that cadence while they hear; out of range refused', () => {
  const doc = (period: number) => ({ preset: 'mixed', seed: 3, duration_s: 600, region_m: 30000, raid: { drones: 6 }, sensors: { mic_spacing_m: 5000, radars: 0, observers: 0, mic_report_period_s: period }, traffic: { airliners: 0, helicopters: 0 } });
  for (const period of [1, 10]) {
    const r = parseScenario(doc(period));
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    const [chunk] = [...buildScenarioScene(r.scenario, io, { annotate: true }).chunks()];
    const bySensor = new Map<string, number[]>();
    for (const d of chunk.detections) {
      if (d.type !== 'presence') continue;
      let l = bySensor.get(d.sensor as string);
      if (!l) bySensor.set(d.sensor as string, (l = []));
      l.push(d.t as number);
    }
    const gaps: number[] = [];
    for (const ts of bySensor.values()) for (let i = 1; i < ts.length; i++) gaps.push(ts[i] - ts[i - 1]);
    assert.ok(gaps.length > 10, `${gaps.length} gaps`);
    // every gap between two reports of one microphone is a whole number of its periods
    for (const g of gaps) assert.ok(Math.abs(g / period - Math.round(g / period)) < 1e-6 && g >= period - 1e-6, `period ${period}: gap ${g}`);
  }
  const bad = parseScenario(doc(0));
  assert.ok(!bad.ok && bad.errors.some((e) => e.includes('sensors.mic_report_period_s')), JSON.stringify(bad));
});

test('sensors.mic_row_per_source: a presence microphone gives a row per target heard in one report; without it one row', () => {
  const doc = (perSource: boolean) => ({ preset: 'mixed', seed: 5, duration_s: 600, region_m: 30000, raid: { drones: 20 }, sensors: { mic_spacing_m: 4000, radars: 0, observers: 0, mic_row_per_source: perSource }, traffic: { airliners: 0, helicopters: 0 } });
  const shared = (perSource: boolean) => {
    const r = parseScenario(doc(perSource));
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    const [chunk] = [...buildScenarioScene(r.scenario, io, { annotate: true }).chunks()];
    const at = new Map<string, Set<unknown>>();
    for (const d of chunk.detections) {
      if (d.type !== 'presence') continue;
      const k = `${d.sensor}@${d.t}`;
      let s = at.get(k);
      if (!s) at.set(k, (s = new Set()));
      s.add(d.sim_target);
    }
    return [...at.values()].filter((s) => s.size > 1).length;
  };
  assert.equal(shared(false), 0, 'one row per report');
  assert.ok(shared(true) > 0, 'two targets in one report: two rows');
  const bad = parseScenario({ ...doc(true), sensors: { ...doc(true).sensors, mic_row_per_source: 'yes' } });
  assert.ok(!bad.ok && bad.errors.some((e) => e.includes('sensors.mic_row_per_source must be true or false')), JSON.stringify(bad));
});

test('sensors.mic_levels: every microphone row carries a received level, on the same scene; settings are checked by name', () => {
  const doc = (levels: unknown) => ({ preset: 'mixed', seed: 5, duration_s: 300, region_m: 30000, raid: { drones: 10 }, sensors: { mic_spacing_m: 4000, radars: 0, observers: 0, mic_false_alarms: { rate_per_hour: 2, kinds: ['burst', 'stationary', 'road', 'correlated'] }, ...(levels === undefined ? {} : { mic_levels: levels }) }, traffic: { airliners: 0, helicopters: 0 } });
  const rows = (levels: unknown) => {
    const r = parseScenario(doc(levels));
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    return [...buildScenarioScene(r.scenario, io, { annotate: true }).chunks()].flatMap((c) => c.detections).filter((d) => d.type === 'presence' || d.type === 'bearing');
  };
  const plain = rows(undefined);
  const withLevels = rows(true);
  assert.ok(plain.length > 100);
  assert.equal(withLevels.length, plain.length);
  assert.ok(plain.every((d) => d.snr_db === undefined));
  assert.ok(withLevels.every((d) => Number.isFinite(d.snr_db)), 'targets and every kind of false alarm have a level');
  assert.deepEqual(withLevels.map(({ snr_db: _, ...rest }) => rest), plain, 'the same rows otherwise');
  // a larger scatter setting spreads the levels of the same rows more
  const spread = (ds: typeof plain) => {
    const v = ds.map((d) => d.snr_db!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  };
  assert.ok(spread(rows({ scatter_db: 12 })) > spread(withLevels) + 1);
  const unknown = parseScenario(doc({ scater_db: 3 }));
  assert.ok(!unknown.ok && unknown.errors.some((e) => e.includes('sensors.mic_levels.scater_db: unknown setting')), JSON.stringify(unknown));
  const bad = parseScenario(doc('yes'));
  assert.ok(!bad.ok && bad.errors.some((e) => e.includes('sensors.mic_levels must be true, false or a mapping')), JSON.stringify(bad));
  const negative = parseScenario(doc({ scatter_db: -1 }));
  assert.ok(!negative.ok && negative.errors.some((e) => e.includes('sensors.mic_levels.scatter_db')), JSON.stringify(negative));
});

test('sensors.radar_clutter_spots: the radar of the mixed scene plots fixed places scan after scan; a count or { count, pd }, checked', () => {
  const doc = (spots: unknown) => ({ preset: 'mixed', seed: 6, duration_s: 300, region_m: 30000, raid: { drones: 5 }, sensors: { microphones: 0, observers: 0, ...(spots === undefined ? {} : { radar_clutter_spots: spots }) }, traffic: { airliners: 0, helicopters: 0 } });
  const radarRows = (spots: unknown) => {
    const r = parseScenario(doc(spots));
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
    return [...buildScenarioScene(r.scenario, io, { annotate: true }).chunks()].flatMap((c) => c.detections).filter((d) => d.type === 'range_bearing');
  };
  const plain = radarRows(undefined);
  const six = radarRows(6);
  const dense = radarRows({ count: 6, pd: 0.9 });
  assert.ok(six.length > plain.length && dense.length > six.length, `${plain.length} < ${six.length} < ${dense.length}`);
  const bad = parseScenario(doc({ count: 6, pd: 2 }));
  assert.ok(!bad.ok && bad.errors.some((e) => e.includes('sensors.radar_clutter_spots.pd')), JSON.stringify(bad));
  const unknown = parseScenario(doc({ cnt: 6 }));
  assert.ok(!unknown.ok && unknown.errors.some((e) => e.includes('sensors.radar_clutter_spots.cnt: unknown setting')), JSON.stringify(unknown));
});
