import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pointInArea } from '@skywarden/core';
import { parseZonesGeoJson } from '../interchange/zones.js';
import { krAdminZones, krProvinceCode, KR_ADMIN_ATTRIBUTION } from './kr-admin.js';

const topo = readFileSync(new URL('../../../../data/kr-admin/skorea-municipalities-2018-topo-simple.json', import.meta.url), 'utf8');

test('the Seoul capital area from the shipped KOSTAT boundaries: valid zones, real places inside the right districts', () => {
  const fc = krAdminZones(topo, { leadS: 300 });
  assert.equal(fc.attribution, KR_ADMIN_ATTRIBUTION);
  const ids = fc.features.map((f) => f.properties.id);
  assert.equal(ids.filter((id) => id.startsWith('seoul-')).length, 25, "Seoul's 25 districts");
  assert.equal(fc.features.length, 25 + 10 + 42, 'with Incheon and Gyeonggi');
  assert.equal(new Set(ids).size, ids.length, 'ids unique');
  const parsed = parseZonesGeoJson(JSON.stringify(fc));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
  const zones = new Map(parsed.zones.map((z) => [z.id, z]));
  // Seoul City Hall is in Jung-gu; Gyeongbokgung palace in Jongno-gu; Incheon airport is not in Seoul
  assert.ok(pointInArea(zones.get('seoul-jung-gu')!.area, 37.5663, 126.9779));
  assert.ok(pointInArea(zones.get('seoul-jongno-gu')!.area, 37.5796, 126.977));
  assert.ok(!pointInArea(zones.get('seoul-jongno-gu')!.area, 37.5663, 126.9779));
  const airportZones = parsed.zones.filter((z) => pointInArea(z.area, 37.4602, 126.4407)).map((z) => z.id);
  assert.ok(airportZones.length === 1 && airportZones[0].startsWith('incheon-'), `Incheon airport in ${airportZones}`);
  assert.equal(parsed.zones[0].leadS, 300);
});

test('province codes from names (any case) or two-digit codes; unknown names give undefined', () => {
  assert.equal(krProvinceCode('seoul'), '11');
  assert.equal(krProvinceCode('Gyeonggi'), '31');
  assert.equal(krProvinceCode('23'), '23');
  assert.equal(krProvinceCode('atlantis'), undefined);
  assert.equal(krProvinceCode('1'), undefined);
});
