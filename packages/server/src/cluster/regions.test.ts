import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../config.js';
import { checkRegions, coreRegion, inRegion, parseRegions, regionsFor } from './regions.js';
import { tiling } from './cluster-testing.js';

describe('the cluster tiling', () => {
  const two = parseRegions(tiling(2));
  const M_PER_DEG_LON = 111_320 * Math.cos((37.55 * Math.PI) / 180);

  it('puts a point in one core (borders half-open) and in every extent it lies in', () => {
    assert.equal(coreRegion(two, 37.55, 126.99)?.id, 'west');
    assert.equal(coreRegion(two, 37.55, 127.0)?.id, 'east', 'the border belongs to the east (west/south borders included)');
    assert.equal(coreRegion(two, 37.55, 128), null);
    const lon = 127.0 - 2000 / M_PER_DEG_LON; // 2 km west of the border
    assert.deepEqual(regionsFor(two, 3000, 0, { latDeg: 37.55, lonDeg: lon, point: true }), ['west', 'east']);
    assert.deepEqual(regionsFor(two, 1000, 0, { latDeg: 37.55, lonDeg: lon, point: true }), ['west']);
    assert.ok(inRegion(two[1], 37.55, lon, 2100) && !inRegion(two[1], 37.55, lon, 1900));
  });

  it('sends a detection without a point by its sensor and reach, and one outside every extent to the nearest region', () => {
    const site = 127.0 - 8000 / M_PER_DEG_LON; // a microphone 8 km west of the border
    assert.deepEqual(regionsFor(two, 3000, 2000, { latDeg: 37.55, lonDeg: site, point: false }), ['west']);
    assert.deepEqual(regionsFor(two, 3000, 6000, { latDeg: 37.55, lonDeg: site, point: false }), ['west', 'east']);
    assert.deepEqual(regionsFor(two, 3000, 0, { latDeg: 37.55, lonDeg: 128.5, point: true }), ['east']);
    assert.deepEqual(regionsFor(two, 3000, 0, { latDeg: 36.0, lonDeg: 126.0, point: true }), ['west']);
  });

  it('names what is wrong in a region and where', () => {
    const errs = checkRegions([
      { id: 'a.b', lat_min: 1, lat_max: 2, lon_min: 1, lon_max: 2 },
      { id: 'x', lat_min: 2, lat_max: 1, lon_min: 1, lon_max: 200 },
      { id: 'x', lat_min: 1, lat_max: 2, lon_min: 1, lon_max: 2, colour: 'red' },
    ]);
    assert.deepEqual(errs, [
      'cluster.regions[0].id must be letters, digits, _ or - (a bus subject token), got "a.b"',
      'cluster.regions[1].lon_max must be a number in [-180, 180] (degrees), got 200',
      'cluster.regions[1]: lat_min 2 must be below lat_max 1',
      'cluster.regions[2].colour is not a setting (known here: id, lat_min, lat_max, lon_min, lon_max)',
      'cluster.regions[2].id x is given twice',
    ]);
  });

  it('checks the cluster settings together', () => {
    assert.ok(buildConfig({}, {}).ok, 'all-in-one by default');
    const local = buildConfig({ cluster: { role: 'fusion', regions: tiling(2) } }, {});
    assert.ok(!local.ok && local.errors.includes('cluster.role fusion needs bus.kind nats (the parts meet on NATS JetStream)'), JSON.stringify(local));
    const none = buildConfig({ bus: { kind: 'nats' }, cluster: { role: 'api' } }, {});
    assert.ok(!none.ok && none.errors.includes('cluster.role api needs cluster.regions (at least one region)'));
    const prefer = buildConfig({ bus: { kind: 'nats' }, cluster: { role: 'fusion', regions: tiling(2), prefer: ['north'] } }, {});
    assert.ok(!prefer.ok && prefer.errors.includes('cluster.prefer names "north", not among cluster.regions'));
    const lease = buildConfig({ cluster: { lease_ttl_s: 2, lease_renew_s: 1.5 } }, {});
    assert.ok(!lease.ok && /cluster\.lease_renew_s 1\.5 must be at most half of cluster\.lease_ttl_s 2/.test(lease.errors[0]));
    const role = buildConfig({ cluster: { role: 'worker' } }, {});
    assert.ok(!role.ok && /^cluster\.role must be one of/.test(role.errors[0]), role.ok ? '' : role.errors[0]);
    assert.ok(buildConfig({ bus: { kind: 'nats' }, cluster: { role: 'fusion', regions: tiling(4), prefer: [] } }, {}).ok, 'a standby');
    assert.ok(buildConfig({}, { SKYWARDEN__CLUSTER__ROLE: 'ingest', SKYWARDEN__BUS__KIND: 'nats', SKYWARDEN__CLUSTER__REGIONS: JSON.stringify(tiling(1)) }).ok, 'the role from the environment');
  });
});
