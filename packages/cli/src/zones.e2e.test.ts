/**
 * `skywarden zones` (issue 19): any GeoJSON of districts into zones.geojson, on the worked example
 * of examples/zones (Natural Earth admin-1 districts, public domain), run as its README says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pointInArea } from '@skywarden/core';
import { parseZonesGeoJson } from '@skywarden/formats';
import { tempDir } from '@skywarden/server/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(ROOT, 'packages/cli/bin/skywarden.js');
const SAMPLE = join(ROOT, 'examples/zones/natural-earth-admin1-sample.geojson');
const zones = (args: string[]) => spawnSync(process.execPath, [bin, 'zones', ...args], { encoding: 'utf8', cwd: ROOT });

test('zones: the worked example of examples/zones/README.md gives three zones with ISO 3166-2 geocodes and Korean and Ukrainian names', () => {
  // as published the file is no zones file: no ids, and a number under name_len
  const raw = parseZonesGeoJson(readFileSync(SAMPLE, 'utf8'));
  assert.ok(!raw.ok);
  assert.match(raw.errors[0], /features\[0\]: properties\.id must be a non-empty string/);
  const tmp = tempDir('sw-zones-');
  try {
    const readme = readFileSync(join(ROOT, 'examples/zones/README.md'), 'utf8');
    const cmd = /```sh\n(npx skywarden zones [\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(cmd, 'the README has the command');
    const args = cmd.replace(/\\\n/g, ' ').trim().split(/\s+/).slice(3).map((a) => (a === 'zones.geojson' ? join(tmp.dir, 'zones.geojson') : a));
    const r = zones(args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /zones written: 3 to /);
    const z = parseZonesGeoJson(readFileSync(join(tmp.dir, 'zones.geojson'), 'utf8'));
    assert.ok(z.ok, z.ok ? '' : z.errors.join('; '));
    assert.deepEqual(
      z.zones.map((x) => [x.id, x.name, x.kind, x.leadS, x.geocode, x.names]),
      [
        ['US-MN', 'Minnesota', 'admin', 300, { valueName: 'ISO3166-2', value: 'US-MN' }, { ko: '미네소타', uk: 'Міннесота' }],
        ['US-MT', 'Montana', 'admin', 300, { valueName: 'ISO3166-2', value: 'US-MT' }, { ko: '몬태나', uk: 'Монтана' }],
        ['US-ND', 'North Dakota', 'admin', 300, { valueName: 'ISO3166-2', value: 'US-ND' }, { ko: '노스다코타', uk: 'Північна Дакота' }],
      ],
    );
    // the areas are the published ones: Minneapolis is in Minnesota, Billings in Montana, Fargo in North Dakota
    const inside = (lat: number, lon: number) => z.zones.filter((x) => pointInArea(x.area, lat, lon)).map((x) => x.id);
    assert.deepEqual([inside(44.98, -93.27), inside(45.78, -108.5), inside(46.88, -96.79), inside(40.7, -74.0)], [['US-MN'], ['US-MT'], ['US-ND'], []]);
  } finally {
    tmp.cleanup();
  }
});

test('zones: filters, standard output, and clear errors for bad sources and bad usage', () => {
  const one = zones(['--in', SAMPLE, '--out', '-', '--id', 'postal', '--where', 'postal=MN']);
  assert.equal(one.status, 0, one.stderr);
  const z = parseZonesGeoJson(one.stdout);
  assert.ok(z.ok);
  assert.deepEqual(z.zones.map((x) => [x.id, x.name]), [['MN', 'MN']]);
  assert.match(one.stderr, /zones written: 1 \(2 features skipped\)/);
  const none = zones(['--in', SAMPLE, '--out', '-', '--id', 'postal', '--where', 'iso_a2=UA']);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no feature kept \(3 skipped; the filter \{"iso_a2":"UA"\} matched none\)/);
  const dup = zones(['--in', SAMPLE, '--out', '-', '--id', 'iso_a2']);
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /features\[1\]: id "US" \(property "iso_a2"\) is also the id of features\[0\]/);
  assert.doesNotMatch(dup.stderr, /\n\s+at /, 'no stack trace');
  const noId = zones(['--in', SAMPLE, '--out', '-', '--id', 'nope']);
  assert.equal(noId.status, 1);
  assert.match(noId.stderr, /features\[0\]: property "nope" \(the id\) is missing or empty/);
  // the source converted onto itself would be lost: refused, whatever name the output has
  const self = tempDir('sw-zones-self-');
  try {
    const src = join(self.dir, 'src.geojson');
    writeFileSync(src, readFileSync(SAMPLE));
    symlinkSync(src, join(self.dir, 'link.geojson'));
    for (const out of [src, join(self.dir, 'link.geojson')]) {
      const r = zones(['--in', src, '--out', out, '--id', 'postal']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--out .* is the same file as --in/);
    }
    assert.equal(readFileSync(src, 'utf8'), readFileSync(SAMPLE, 'utf8'));
    // a source saved with a byte-order mark is read as meant, and so is the zones file written from it
    const bom = join(self.dir, 'bom.geojson');
    writeFileSync(bom, '\ufeff' + readFileSync(SAMPLE, 'utf8'));
    const out = join(self.dir, 'out.geojson');
    const b = zones(['--in', bom, '--out', out, '--id', 'postal']);
    assert.equal(b.status, 0, b.stderr);
    writeFileSync(out, '\ufeff' + readFileSync(out, 'utf8'));
    const parsed = parseZonesGeoJson(readFileSync(out, 'utf8'));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const help = zones(['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: skywarden zones --in FILE/);
  } finally {
    self.cleanup();
  }
  const noCode = zones(['--in', SAMPLE, '--out', '-', '--id', 'postal', '--code', 'fips']);
  assert.equal(noCode.status, 1);
  assert.match(noCode.stderr, /features\[0\] \(id "MN"\): property "fips" \(the code\) is missing or empty/);
  // coordinates nested 200,000 deep: a named error, no stack overflow
  const tmp = tempDir('sw-zones-deep-');
  try {
    const deep = join(tmp.dir, 'deep.geojson');
    writeFileSync(deep, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Polygon","coordinates":${'['.repeat(200_000)}${']'.repeat(200_000)}}}]}`);
    const d = zones(['--in', deep, '--out', '-', '--id', 'id']);
    assert.equal(d.status, 1, d.stderr);
    assert.match(d.stderr, /nested more than 32 levels deep/);
    assert.doesNotMatch(d.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    tmp.cleanup();
  }
  const missing = zones(['--in', join(ROOT, 'nope.geojson'), '--out', '-', '--id', 'x']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*nope\.geojson/);
  for (const [args, re] of [
    [['--in', SAMPLE, '--out', '-'], /missing --id/],
    [['--in', SAMPLE, '--out', '-', '--id', 'postal', '--code-name', 'X'], /--code-name needs --code/],
    [['--in', SAMPLE, '--out', '-', '--id', 'postal', '--kind', 'city'], /--kind must be admin or site, got "city"/],
    [['--in', SAMPLE, '--out', '-', '--id', 'postal', '--where', 'postal'], /--where must be PROP=VALUE, got "postal"/],
    [['--in', SAMPLE, '--out', '-', '--id', 'postal', '--names', 'ko,english'], /--names takes 2- or 3-letter language codes, got "english"/],
    [['--in', SAMPLE, '--out', '-', '--id', 'postal', '--lead=-5'], /--lead must be a number of seconds in \[0, 86400\], got "-5"/],
    [['--in', SAMPLE, '--out', '-', '--id', 'postal', '--lead', '1e308'], /--lead must be a number of seconds in \[0, 86400\], got "1e308"/],
  ] as const) {
    const r = zones([...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  const help = spawnSync(process.execPath, [bin, 'zones', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout + help.stderr, /--code-name NAME/);
});
