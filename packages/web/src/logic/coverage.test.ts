import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Feature, MultiPolygon, Position } from 'geojson';
import type { SensorWire } from '@skywarden/formats';
import { clipRing, computeCoverage, coverageDisc, simplifyRing, coverageGroup, coverageSignature, createCoverageSchedule, DEFAULT_RANGE_M, sensorCoverage, type CoverageDisc } from './coverage.js';
import { haversineM, offsetMetres } from './geometry.js';
import { syntheticCoverageSensors } from './synthetic.js';

const C = { lat: 37.55, lon: 126.98 };

function sensor(over: Partial<SensorWire> = {}): SensorWire {
  return { id: 'A1', kind: 'acoustic', lat: C.lat, lon: C.lon, range_m: 2000, status: 'ok', rate_per_min: 1, accepted: 1, rejected: 0, ...over };
}

function disc(eastM: number, northM: number, r: number, ok = true, group: CoverageDisc['group'] = 'acoustic'): CoverageDisc {
  const [lon, lat] = offsetMetres(C.lat, C.lon, eastM, northM);
  return { group, lat, lon, r, ok };
}

function ringContains(ring: Position[], p: Position): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Even-odd point in a MultiPolygon (outer rings and their holes). */
function contains(f: Feature<MultiPolygon> | undefined, eastM: number, northM: number): boolean {
  if (!f) return false;
  const p = offsetMetres(C.lat, C.lon, eastM, northM);
  return f.geometry.coordinates.some((poly) => poly.filter((ring) => ringContains(ring, p)).length % 2 === 1);
}

function part(fs: Feature<MultiPolygon>[], group: string, name: string): Feature<MultiPolygon> | undefined {
  return fs.find((f) => f.properties?.group === group && f.properties?.part === name);
}

test('kinds that cover: acoustic and radar; range from the catalogue, else the default of the kind', () => {
  assert.equal(coverageGroup('acoustic'), 'acoustic');
  assert.equal(coverageGroup('radar'), 'radar');
  for (const k of ['observer', 'adsb', 'remote_id', 'tracker', 'rf', 'unknown']) assert.equal(coverageGroup(k), null, k);
  assert.equal(coverageDisc(sensor({ range_m: 2500 }))?.r, 2500);
  assert.equal(coverageDisc(sensor({ range_m: undefined }))?.r, DEFAULT_RANGE_M.acoustic);
  assert.equal(coverageDisc(sensor({ kind: 'radar', range_m: undefined }))?.r, DEFAULT_RANGE_M.radar);
  assert.equal(coverageDisc(sensor({ range_m: -5 }))?.r, DEFAULT_RANGE_M.acoustic);
  assert.equal(coverageDisc(sensor({ lat: undefined, lon: undefined })), null);
  assert.equal(coverageDisc(sensor({ kind: 'observer' })), null);
  for (const status of ['silent', 'stuck', 'implausible', 'never_seen', 'offline'] as const) assert.equal(coverageDisc(sensor({ status }))?.ok, false, status);
  assert.equal(coverageDisc(sensor())?.ok, true);
});

test('one disc: its outline lies on the circle (within a quarter cell) and its area is πr²', () => {
  const r = 2000;
  const { fc, stats } = computeCoverage([disc(0, 0, r)], { tileCells: 10_000 });
  assert.equal(fc.features.length, 1);
  const f = fc.features[0];
  assert.deepEqual(f.properties, { group: 'acoustic', part: 'covered' });
  assert.equal(f.geometry.coordinates.length, 1, 'one polygon');
  assert.equal(f.geometry.coordinates[0].length, 1, 'no hole');
  const ring = f.geometry.coordinates[0][0];
  assert.ok(ring.length > 30, `${ring.length} vertices`);
  const cell = stats[0].cellM;
  assert.ok(cell <= r / 6 + 1e-9, `cell ${cell} m`);
  let worst = 0;
  for (const [lon, lat] of ring) worst = Math.max(worst, Math.abs(haversineM(C.lat, C.lon, lat, lon) - r));
  assert.ok(worst < cell / 4, `worst vertex ${worst.toFixed(1)} m off the circle (cell ${cell.toFixed(0)} m)`);
  const area = Math.PI * r * r * 1e-6;
  assert.ok(Math.abs(stats[0].coveredKm2 - area) / area < 0.05, `${stats[0].coveredKm2} km² vs ${area}`);
  assert.equal(stats[0].lostKm2, 0);
});

test('overlapping discs are one area; apart they are two; the gap between them is not covered', () => {
  const whole = { tileCells: 10_000 }; // traced in one piece: polygons are not cut at tile borders
  const two = computeCoverage([disc(0, 0, 2000), disc(3000, 0, 2000)], whole).fc.features[0];
  assert.equal(two.geometry.coordinates.length, 1, 'overlapping: one polygon');
  assert.ok(contains(two, 1500, 0) && contains(two, -1900, 0) && contains(two, 4900, 0));
  assert.ok(!contains(two, 1500, 1900), 'the notch between two circles is outside');
  const apart = computeCoverage([disc(0, 0, 2000), disc(6000, 0, 2000)], whole).fc.features[0];
  assert.equal(apart.geometry.coordinates.length, 2, 'apart: two polygons');
  assert.ok(!contains(apart, 3000, 0), 'the gap between them');
});

test('sensors not ok are no coverage: their area, where no working sensor covers it, is drawn as lost', () => {
  // a working disc at 0 and a silent one 3 km east: lost is the silent disc minus the working one
  const { fc, stats } = computeCoverage([disc(0, 0, 2000, true), disc(3000, 0, 2000, false)]);
  const covered = part(fc.features, 'acoustic', 'covered');
  const lost = part(fc.features, 'acoustic', 'lost');
  assert.ok(covered && lost);
  assert.ok(contains(covered, -1000, 0) && !contains(covered, 4000, 0), 'the silent sensor adds no coverage');
  assert.ok(contains(lost, 4000, 0) && contains(lost, 2500, 0), 'its own ground is lost');
  assert.ok(!contains(lost, 1000, 0) && !contains(lost, -1000, 0), 'ground a working sensor covers is not lost');
  assert.ok(!contains(lost, 8000, 0), 'far away: nothing');
  assert.equal(stats[0].ok, 1);
  assert.equal(stats[0].notOk, 1);
  // lost area = disc − lens of two r = 2 km discs 3 km apart
  const r = 2000;
  const d = 3000;
  const lens = 2 * r * r * Math.acos(d / (2 * r)) - (d / 2) * Math.sqrt(4 * r * r - d * d);
  const want = (Math.PI * r * r - lens) * 1e-6;
  assert.ok(Math.abs(stats[0].lostKm2 - want) / want < 0.06, `lost ${stats[0].lostKm2.toFixed(2)} km² vs ${want.toFixed(2)}`);
  // only sensors not ok: nothing covered, everything lost
  const dead = computeCoverage([disc(0, 0, 2000, false)]);
  assert.equal(part(dead.fc.features, 'acoustic', 'covered'), undefined);
  assert.ok(contains(part(dead.fc.features, 'acoustic', 'lost'), 0, 0));
});

test('a dead sensor inside a ring of working ones: a hole in the coverage, the lost area in it', () => {
  const discs = [disc(0, 0, 2000, false)];
  for (let k = 0; k < 10; k++) {
    const a = (2 * Math.PI * k) / 10;
    discs.push(disc(3500 * Math.cos(a), 3500 * Math.sin(a), 2000));
  }
  const { fc } = computeCoverage(discs, { tileCells: 10_000 });
  const covered = part(fc.features, 'acoustic', 'covered')!;
  assert.equal(covered.geometry.coordinates.length, 1);
  assert.equal(covered.geometry.coordinates[0].length, 2, 'outer ring and one hole');
  assert.ok(!contains(covered, 0, 0), 'the centre is a gap');
  assert.ok(contains(covered, 3500, 0));
  assert.ok(contains(part(fc.features, 'acoustic', 'lost'), 0, 0), 'and the gap is the dead sensor\'s');
});

test('acoustic and radar are separate areas, each with its group', () => {
  const { fc, stats } = computeCoverage([disc(0, 0, 2000), disc(20_000, 0, 30_000, true, 'radar')]);
  assert.deepEqual(fc.features.map((f) => f.properties?.group).sort(), ['acoustic', 'radar']);
  assert.deepEqual(stats.map((s) => s.group), ['acoustic', 'radar']);
  const radar = part(fc.features, 'radar', 'covered');
  assert.ok(contains(radar, 45_000, 0) && !contains(radar, 52_000, 0));
  assert.ok(!contains(part(fc.features, 'acoustic', 'covered'), 5000, 0));
  assert.deepEqual(computeCoverage([]).fc.features, []);
});

/** Area (km²) of a MultiPolygon on the local plane about C (holes subtract: opposite winding). */
function areaKm2(f: Feature<MultiPolygon> | undefined): number {
  if (!f) return 0;
  const kx = 111_195 * Math.cos((C.lat * Math.PI) / 180);
  let a = 0;
  for (const poly of f.geometry.coordinates) {
    for (const ring of poly) {
      let s = 0;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j][0] * kx) * (ring[i][1] * 111_195) - (ring[i][0] * kx) * (ring[j][1] * 111_195);
      a += s / 2;
    }
  }
  return Math.abs(a) / 1e6;
}

test('traced in small tiles: the same area and the same points inside as in one piece', () => {
  const discs: CoverageDisc[] = [disc(0, 0, 2000, false)];
  for (let k = 0; k < 40; k++) discs.push(disc(((k * 7919) % 20_000) - 10_000, ((k * 104_729) % 20_000) - 10_000, 1500 + (k % 5) * 300, k % 6 !== 0));
  const one = computeCoverage(discs, { tileCells: 10_000 });
  const tiled = computeCoverage(discs, { tileCells: 8 });
  const cell = one.stats[0].cellM;
  for (const name of ['covered', 'lost']) {
    const a = part(one.fc.features, 'acoustic', name);
    const b = part(tiled.fc.features, 'acoustic', name);
    assert.ok(b && b.geometry.coordinates.length > a!.geometry.coordinates.length, `${name}: cut into more polygons`);
    const aa = areaKm2(a);
    const ab = areaKm2(b);
    assert.ok(Math.abs(aa - ab) / aa < 0.02, `${name}: ${aa.toFixed(2)} vs ${ab.toFixed(2)} km²`);
    // points more than a cell from every disc edge are classified alike
    let checked = 0;
    for (let y = -12_000; y <= 12_000; y += 700) {
      for (let x = -12_000; x <= 12_000; x += 700) {
        const nearEdge = discs.some((d) => {
          const p = offsetMetres(C.lat, C.lon, x, y);
          return Math.abs(haversineM(d.lat, d.lon, p[1], p[0]) - d.r) < cell;
        });
        if (nearEdge) continue;
        checked++;
        assert.equal(contains(b, x, y), contains(a, x, y), `${name} at ${x}, ${y}`);
      }
    }
    assert.ok(checked > 500);
  }
});

test('clipping to a tile and simplifying: the border points stay, the curve loses points but not its shape', () => {
  // a circle of radius 10 about (12, 5), 200 points, clipped to the box [0, 12] × [0, 20]: a half disc
  const ring: Position[] = [];
  for (let k = 0; k < 200; k++) ring.push([12 + 10 * Math.cos((2 * Math.PI * k) / 200), 5 + 10 * Math.sin((2 * Math.PI * k) / 200)]);
  ring.push(ring[0]);
  const box = { x0: 0, y0: 0, x1: 12, y1: 20 };
  const half = clipRing(ring, box);
  assert.ok(half.every((p) => p[0] >= 0 && p[0] <= 12 && p[1] >= 0 && p[1] <= 20));
  const onBorder = (r: Position[]) => r.filter((p) => p[0] === 0 || p[0] === 12 || p[1] === 0 || p[1] === 20).map((p) => p.join(','));
  assert.ok(onBorder(half).length >= 3, 'the cut along x = 12 and y = 0');
  const simple = simplifyRing(half, box, 0.2);
  assert.ok(simple.length < half.length / 2, `${half.length} -> ${simple.length} points`);
  assert.deepEqual(new Set(onBorder(simple)), new Set(onBorder(half)), 'every border point kept');
  for (const p of simple) {
    if (p[0] === 12 || p[1] === 0) continue;
    assert.ok(Math.abs(Math.hypot(p[0] - 12, p[1] - 5) - 10) < 1e-9, 'kept points are points of the ring');
  }
  assert.deepEqual(simple[0], simple[simple.length - 1], 'closed');
  assert.deepEqual(clipRing(ring, { x0: 30, y0: 30, x1: 40, y1: 40 }), [], 'outside the box: nothing');
});

test('10,000 sensors: the grid stays within maxCells and the areas agree with the discs', () => {
  const sensors = syntheticCoverageSensors(10_000, 5, C, 200_000);
  const t0 = performance.now();
  const res = sensorCoverage(sensors);
  const ms = performance.now() - t0;
  const vertices = res.fc.features.reduce((n, f) => n + f.geometry.coordinates.reduce((m, p) => m + p.reduce((k, r) => k + r.length, 0), 0), 0);
  // diagnostics only: speed is measured by bench/coverage.bench.mjs
  console.log(`# coverage of ${sensors.length} sensors: ${ms.toFixed(0)} ms, ${res.fc.features.length} features, ${vertices} vertices; ${res.stats.map((s) => `${s.group} ${s.cols}×${s.rows} cells of ${s.cellM.toFixed(0)} m, ${s.coveredKm2.toFixed(0)} km² covered, ${s.lostKm2.toFixed(0)} km² lost`).join('; ')}`);
  for (const s of res.stats) assert.ok(s.cols * s.rows <= 1_000_000, `${s.group}: ${s.cols}×${s.rows}`);
  const ac = res.stats.find((s) => s.group === 'acoustic')!;
  assert.equal(ac.ok + ac.notOk, 10_000);
  // covered area is at most the sum of the working discs' areas, and lost at most the dead ones'
  let okArea = 0;
  let badArea = 0;
  for (const s of sensors) {
    const d = coverageDisc(s);
    if (d?.group !== 'acoustic') continue;
    if (d.ok) okArea += Math.PI * d.r * d.r * 1e-6;
    else badArea += Math.PI * d.r * d.r * 1e-6;
  }
  assert.ok(ac.coveredKm2 > 0.3 * okArea && ac.coveredKm2 < okArea * 1.05, `${ac.coveredKm2} of ${okArea}`);
  assert.ok(ac.lostKm2 > 0 && ac.lostKm2 < badArea * 1.05, `${ac.lostKm2} of ${badArea}`);
});

test('the schedule: a recompute only when what covers changed, at most once per interval', () => {
  const s = createCoverageSchedule(5000);
  const a = sensor({ id: 'A1' });
  const b = sensor({ id: 'A2', lon: C.lon + 0.05 });
  assert.equal(s.observe([a, b]), true);
  assert.equal(s.due(0), 0, 'first time: now');
  s.started(0);
  assert.equal(s.due(100), null);
  // a new rate or accepted count is not a coverage change
  assert.equal(s.observe([{ ...a, rate_per_min: 50, accepted: 99, last_seen: 5 }]), false);
  assert.equal(s.due(200), null);
  // a sensor going silent is
  assert.equal(s.observe([{ ...a, status: 'silent' }]), true);
  assert.equal(s.due(1000), 4000, 'throttled: wait until 5 s after the last');
  assert.equal(s.due(6000), 0);
  s.started(6000);
  assert.equal(s.due(6001), null);
  // a kind that does not cover changes nothing
  assert.equal(s.observe([sensor({ id: 'O1', kind: 'observer' })]), false);
  // back to ok, a new range, a move: each a change
  const v = s.version();
  s.observe([{ ...a, status: 'ok' }]);
  s.observe([{ ...b, range_m: 3000 }]);
  s.observe([{ ...b, range_m: 3000, lat: C.lat + 0.01 }]);
  assert.equal(s.version(), v + 3);
  assert.notEqual(coverageSignature(a), coverageSignature({ ...a, status: 'stuck' }));
  assert.equal(coverageSignature(sensor({ kind: 'adsb' })), '');
});
