import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pointInArea } from '@skywarden/core';
import { parseZonesGeoJson } from '../interchange/zones.js';
import { krAdminZones, krProvinceCode, KR_ADMIN_ATTRIBUTION, KR_PROVINCES } from './kr-admin.js';

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

test('display names: spaced and hyphenated, with the province; Korean likewise; every name unique', () => {
  const all = krAdminZones(topo, { provinces: Object.keys(KR_PROVINCES) });
  assert.equal(all.features.length, 250);
  const byCode = new Map(all.features.map((f) => [String(f.properties.code), f.properties]));
  const name = (code: string) => byCode.get(code)?.name;
  assert.equal(name('11020'), 'Jung-gu, Seoul');
  assert.equal(name('23010'), 'Jung-gu, Incheon');
  assert.equal(name('31103'), 'Goyang-si Ilsandong-gu, Gyeonggi');
  assert.equal(name('31011'), 'Suwon-si Jangan-gu, Gyeonggi');
  assert.equal(name('38111'), 'Changwon-si Uichang-gu, Gyeongnam', 'the city added where the data has the district alone');
  assert.equal(name('37011'), 'Pohang-si Nam-gu, Gyeongbuk');
  assert.equal(name('31240'), 'Hwaseong-si, Gyeonggi');
  assert.equal(name('31250'), 'Gwangju-si, Gyeonggi', 'not to be mistaken for Gwangju, the metropolitan city');
  assert.equal(name('33390'), 'Jeungpyeong-gun, Chungbuk');
  assert.equal(name('29010'), 'Sejong');
  assert.equal(byCode.get('31103')?.district, 'Goyang-si Ilsandong-gu');
  assert.equal(byCode.get('31103')?.province, 'Gyeonggi');
  assert.equal(byCode.get('31103')?.name_ko, '경기 고양시 일산동구');
  assert.equal(byCode.get('11020')?.name_ko, '서울 중구');
  // nothing runs together any more: every English district part is hyphenated words, and no two zones share a name
  for (const f of all.features) {
    const district = String(f.properties.district);
    assert.match(district, /^([A-Z][a-z]+(-[a-z]+)* ?)+$/, `${f.properties.code} ${district}`);
    assert.match(district, /-(si|gun|gu)$/, `${f.properties.code} ${district}`);
  }
  const names = all.features.map((f) => f.properties.name);
  assert.equal(new Set(names).size, names.length, 'display names unique');
  // ids did not change (stored alerts and configs name zones by id)
  assert.ok(byCode.get('31103') && all.features.some((f) => f.properties.id === 'gyeonggi-goyangsiilsandonggu'));
  assert.ok(all.features.some((f) => f.properties.id === 'seoul-jung-gu'));
});
