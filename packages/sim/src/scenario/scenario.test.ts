import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from './scenario.js';

test('a preset fills every default; settings override them', () => {
  const r = parseScenario({ preset: 'small', seed: 4, duration_s: 300, raid: { drones: 3 } });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.equal(r.scenario.durationS, 300);
  assert.equal(r.scenario.raid.drones, 3);
  assert.equal(r.scenario.sensors.radars, 1);
  assert.equal(r.scenario.zones.kind, 'none');
  const n = parseScenario({ preset: 'national' });
  assert.ok(n.ok);
  assert.equal(n.scenario.raid.drones, 800);
  assert.ok(n.scenario.sensors.microphones >= 10000);
});

test('start as ISO time or epoch seconds; zones by province names', () => {
  const r = parseScenario({ start: '2025-11-24T16:00:00Z', zones: { kr_admin: ['seoul', 'incheon', '31'], lead_s: 300 } });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.equal(r.scenario.t0, 1764000000);
  assert.deepEqual(r.scenario.zones, { kind: 'kr_admin', provinces: ['11', '23', '31'], leadS: 300 });
});

test('raid.waves: a mapping of count, gap_s and corridor_m, for the mixed preset', () => {
  const r = parseScenario({ raid: { waves: { count: 3, gap_s: 400, corridor_m: 6000 } } });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.deepEqual(r.scenario.raid.waves, { count: 3, gapS: 400, corridorM: 6000 });
  const bad = parseScenario({ preset: 'small', raid: { waves: { count: 0, gap: 1, corridor_m: 1e9 } } });
  assert.equal(bad.ok, false);
  const text = bad.ok ? '' : bad.errors.join('\n');
  for (const want of ['raid.waves.gap: unknown setting', 'raid.waves.count must be an integer in [1, 100], got 0', 'raid.waves.corridor_m must be a number in [100, 30000], got 1000000000', 'raid.waves: only the mixed preset flies in waves, got preset small']) {
    assert.ok(text.includes(want), `missing: ${want}\nin:\n${text}`);
  }
  assert.match((parseScenario({ raid: { waves: [3] } }) as { errors: string[] }).errors.join('\n'), /raid\.waves must be a mapping \{ count, gap_s, corridor_m \}, got \[3\]/);
});

test('every problem is named with its setting and value', () => {
  const r = parseScenario({ preset: 'huge', seed: 1.5, duration_s: -1, raid: { drones: -3, jet_share: 2, speed: 5 }, zones: { kr_admin: ['atlantis'] }, bogus: 1, start: 'yesterday' });
  assert.equal(r.ok, false);
  const text = r.ok ? '' : r.errors.join('\n');
  for (const want of [
    'preset must be one of small, mixed, national, got "huge"',
    'seed must be an integer',
    'duration_s must be a number in [1, 604800], got -1',
    'raid.drones must be an integer in [0, 5000], got -3',
    'raid.jet_share must be a number in [0, 1], got 2',
    'raid.speed: unknown setting',
    'zones.kr_admin: unknown province "atlantis"',
    'bogus: unknown setting',
    'start must be an ISO 8601 time',
  ]) assert.ok(text.includes(want), `missing: ${want}\nin:\n${text}`);
  assert.equal(parseScenario([1, 2]).ok, false);
  assert.equal(parseScenario('x').ok, false);
  // YAML's .nan and .inf are named as what they are (JSON would have said null)
  const odd = parseScenario({ preset: 'small', duration_s: Number.NaN, region_m: Number.POSITIVE_INFINITY });
  const oddText = odd.ok ? '' : odd.errors.join('\n');
  assert.ok(oddText.includes('duration_s must be a number in [1, 604800], got NaN'), oddText);
  assert.ok(/region_m must be a number in \[[^\]]*\], got Infinity/.test(oddText), oddText);
});

test('raid.from_spread_deg: degrees in [0, 360], for the mixed preset', () => {
  const r = parseScenario({ raid: { from_spread_deg: 360 } });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.equal(r.scenario.raid.fromSpreadDeg, 360);
  const bad = parseScenario({ preset: 'small', raid: { from_spread_deg: 400 } });
  assert.equal(bad.ok, false);
  const text = bad.ok ? '' : bad.errors.join('\n');
  for (const want of ['raid.from_spread_deg must be a number in [0, 360], got 400', "raid.from_spread_deg: only the mixed preset spreads the drones' directions, got preset small"]) {
    assert.ok(text.includes(want), `missing: ${want}\nin:\n${text}`);
  }
});
