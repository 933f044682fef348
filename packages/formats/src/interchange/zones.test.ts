import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZonesGeoJson, ZONE_LEAD_MAX_S, ZONES_MAX } from './zones.js';
import { zonesFromGeoJson } from './zones-from.js';

const square: number[][] = [
  [127, 37],
  [127.1, 37],
  [127.1, 37.1],
  [127, 37.1],
  [127, 37],
];
const doc = (coordinates: unknown, properties: Record<string, unknown> = {}, type = 'Polygon') =>
  JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'z1', name: 'Zone one', ...properties }, geometry: { type, coordinates } }] });

function refused(text: string, pattern: RegExp): void {
  const r = parseZonesGeoJson(text);
  assert.equal(r.ok, false, 'accepted');
  if (r.ok) return;
  assert.match(r.errors.join('; '), pattern);
}

test('zones: a closed square is taken, with its properties', () => {
  const r = parseZonesGeoJson(doc([square], { lead_s: 600, kind: 'site' }));
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  assert.deepEqual(r.zones.map((z) => [z.id, z.name, z.kind, z.leadS]), [['z1', 'Zone one', 'site', 600]]);
});

test('zones: a ring that does not end where it starts is refused, naming the ring and both ends', () => {
  refused(doc([square.slice(0, 4).concat([[127.05, 37.05]])]), /^features\[0\] \(id "z1"\): geometry\.coordinates\[0\]: a linear ring must end where it starts \(RFC 7946 3\.1\.6\): first \[127, 37\], last \[127\.05, 37\.05\]$/);
  // in a MultiPolygon, the hole of the second polygon
  const hole = [[127.02, 37.02], [127.04, 37.02], [127.04, 37.04], [127.02, 37.04]];
  refused(doc([[square], [square, hole.concat([[127.03, 37.03]])]], {}, 'MultiPolygon'), /geometry\.coordinates\[1\]\[1\]: a linear ring must end where it starts/);
});

test('zones: a zone with no area (its rings on one line, or a figure-eight of equal lobes) is refused; a flat ring beside a real one is harmless', () => {
  const flat = [[127, 37], [127.1, 37], [127.2, 37], [127, 37]];
  refused(doc([flat]), /^features\[0\] \(id "z1"\): the zone encloses no area/);
  refused(doc([[[127, 37], [127.1, 37.1], [127.1, 37], [127, 37.1], [127, 37]]]), /the zone encloses no area/);
  refused(doc([[flat], [flat]], {}, 'MultiPolygon'), /the zone encloses no area/);
  assert.ok(parseZonesGeoJson(doc([[flat], [square]], {}, 'MultiPolygon')).ok);
  // on a slanted line, where rounding gives absolute coordinates a tiny area; and a 10 m site is a zone
  refused(doc([[[127.1, 37.3], [127.2, 37.7], [127.3, 38.1], [127.1, 37.3]]]), /the zone encloses no area/);
  assert.ok(parseZonesGeoJson(doc([[[127, 37], [127.0001, 37], [127.0001, 37.0001], [127, 37.0001], [127, 37]]])).ok);
});

test('zones: an edge across the antimeridian is refused: such a zone must be cut into a MultiPolygon', () => {
  refused(doc([[[179.9, 50], [-179.9, 50], [-179.9, 50.1], [179.9, 50.1], [179.9, 50]]]), /geometry\.coordinates\[0\]\[1\]: the edge from the position before spans 359\.8° of longitude: a zone across the antimeridian must be cut there/);
  // cut at the antimeridian, it is taken
  const east = [[179.9, 50], [180, 50], [180, 50.1], [179.9, 50.1], [179.9, 50]];
  const west = [[-180, 50], [-179.9, 50], [-179.9, 50.1], [-180, 50.1], [-180, 50]];
  assert.ok(parseZonesGeoJson(doc([[east], [west]], {}, 'MultiPolygon')).ok);
});

test('zones: lead_s beyond a day is refused, naming the bound', () => {
  refused(doc([square], { lead_s: 1e308 }), new RegExp(`properties\\.lead_s must be a number of seconds in \\[0, ${ZONE_LEAD_MAX_S}\\], got 1e\\+308`));
  assert.ok(parseZonesGeoJson(doc([square], { lead_s: ZONE_LEAD_MAX_S })).ok);
});

test('zones: more zones than a file may hold are refused by their count, before any is built; the most are taken', () => {
  const many = (n: number) =>
    JSON.stringify({
      type: 'FeatureCollection',
      features: Array.from({ length: n }, (_, i) => ({ type: 'Feature', properties: { id: `z${i}` }, geometry: { type: 'Polygon', coordinates: [square] } })),
    });
  const r = parseZonesGeoJson(many(ZONES_MAX + 1));
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.errors, [`zones: ${ZONES_MAX + 1} features, more than the ${ZONES_MAX} a zones file may hold (merge small zones, or run a Skywarden per region)`]);
  const ok = parseZonesGeoJson(many(ZONES_MAX));
  assert.ok(ok.ok, ok.ok ? '' : ok.errors[0]);
  assert.equal(ok.zones.length, ZONES_MAX);
});

test('zones: names, ids and codes must read as written and names are at most 200 characters', () => {
  refused(doc([square], { name: 'Safe-town \u202Etrela on\u202C' }), /^features\[0\] \(id "z1"\): properties\.name has a bidirectional control \(it reorders the text after it\) \(U\+202E\) at character 10: names and ids are shown to people as they are written$/);
  refused(doc([square], { name_ko: '구역\nALL CLEAR' }), /properties\.name_ko has a control character \(U\+000A\) at character 2/);
  refused(doc([square], { name: 'B'.repeat(20_000) }), /properties\.name must be at most 200 characters, got 20000/);
  refused(doc([square], { code: 'KR\u200B11' }), /properties\.code has an invisible character \(U\+200B\) at character 2/);
  refused(
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'z\u2066x', name: 'n' }, geometry: { type: 'Polygon', coordinates: [square] } }] }),
    /^features\[0\]: properties\.id has a bidirectional control .*\(U\+2066\) at character 1/,
  );
  refused(
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'z'.repeat(129), name: 'n' }, geometry: { type: 'Polygon', coordinates: [square] } }] }),
    /^features\[0\]: properties\.id must be at most 128 characters, got 129$/,
  );
  // an id that passes for another (a Cyrillic "о" in a Latin id) is refused; a name may mix scripts ("Kyiv / Київ")
  refused(
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'kyiv-p\u043edil', name: 'Kyiv / \u041a\u0438\u0457\u0432' }, geometry: { type: 'Polygon', coordinates: [square] } }] }),
    /^features\[0\]: properties\.id mixes Latin and Cyrillic letters \(the Cyrillic "\u043e", U\+043E, at character 6\): an id must not look like another$/,
  );
  const mixedName = parseZonesGeoJson(doc([square], { name: 'Kyiv / \u041a\u0438\u0457\u0432' }));
  assert.ok(mixedName.ok, mixedName.ok ? '' : mixedName.errors.join('; '));
  // a right-to-left name with its marks, and 200 characters, are taken
  const r = parseZonesGeoJson(doc([square], { name: 'حي\u200F الميناء', name_en: 'N'.repeat(200) }));
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
});

test('zonesFromGeoJson quotes a source id with bidirectional characters escaped in its messages (as the zones reader does)', () => {
  const sq = (lon: number) => ({ type: 'Polygon', coordinates: [[[lon, 37], [lon + 0.1, 37], [lon + 0.1, 37.1], [lon, 37.1], [lon, 37]]] });
  const src = JSON.stringify({ type: 'FeatureCollection', features: [0, 1].map((k) => ({ type: 'Feature', properties: { id: 'a\u202eb' }, geometry: sq(127 + k) })) });
  const r = zonesFromGeoJson(src, { idProperty: 'id' });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors, ['features[1]: id "a\\u202eb" (property "id") is also the id of features[0]']);
});
