/**
 * `zones.geojson` (spec/interchange.md): a GeoJSON FeatureCollection of Polygon or
 * MultiPolygon features with `properties.id` (unique string) and `properties.name`, optional
 * `properties.kind` (`admin` or `site`) and `properties.lead_s` (wanted warning lead time, s).
 * The reader checks everything and returns every problem, naming the feature and the field.
 */
import { checkBoundedId, checkBoundedText, quote, withoutBom } from './check.js';
import { describeJsonError } from './json-error.js';
import { createGeoArea, type GeoArea, type GeoPolygon } from '@skywarden/core';

export interface Zone {
  id: string;
  name: string;
  kind?: 'admin' | 'site';
  /** Wanted warning lead time (s), if the zone states one. */
  leadS?: number;
  area: GeoArea;
  /** The zone's official code (`properties.code`, string or integer) under `properties.code_name` (default `code`): CAP `<geocode>`. */
  geocode?: { valueName: string; value: string };
  /** Names by language from `properties.name_<lang>` (e.g. `name_ko`), for warnings in that language. */
  names?: Record<string, string>;
}

/** A language whose names a zone may carry as `properties.name_<lang>`: 2 or 3 lower-case letters, not `eng` (KOSTAT's English names). */
export function isZoneNameLanguage(lang: string): boolean {
  return /^[a-z]{2,3}$/.test(lang) && lang !== 'eng';
}

/** The longest zone id and code (characters): ids name CAP areas, webhooks and URLs. */
export const ZONE_ID_MAX_CHARS = 128;
/**
 * The longest zone name, in any language (characters). A name is a CAP headline's and the public
 * page's text: 20,000 characters had pushed the next zone's warning 65 screens down a phone and
 * made the zone's CoT alert too large for UDP, so it reached no TAK client (an outside review,
 * 2026-12-07). CAP 1.2 asks headlines of about 160; the longest official district names are a
 * few tens.
 */
export const ZONE_NAME_MAX_CHARS = 200;

/** The longest warning lead a zone may ask for (s): a day. */
export const ZONE_LEAD_MAX_S = 86_400;

/**
 * The most zones one file may hold. Every zone costs the warnings its alert machine and a test
 * against every threat's predicted paths (about 35 kB and a share of each prediction: 5,000
 * zones took `skywarden track` 5 s and 277 MB, 200,000 ran out of a minute at 3 GB). 20,000
 * holds every district of a country at the finest level warnings are given (Korea's
 * eup-myeon-dong: about 3,500; Ukraine's hromadas: about 1,500).
 */
export const ZONES_MAX = 20_000;

export type ZonesResult = { ok: true; zones: Zone[] } | { ok: false; errors: string[] };

function ring(coords: unknown, where: string, errors: string[]): Float64Array | null {
  if (!Array.isArray(coords) || coords.length < 4) {
    errors.push(`${where}: a linear ring needs at least 4 positions, got ${Array.isArray(coords) ? coords.length : JSON.stringify(coords)}`);
    return null;
  }
  const out = new Float64Array(coords.length * 2);
  for (let i = 0; i < coords.length; i++) {
    const p = coords[i] as unknown;
    if (!Array.isArray(p) || p.length < 2) {
      errors.push(`${where}[${i}]: a position must be [lon, lat], got ${JSON.stringify(p)}`);
      return null;
    }
    const [lon, lat] = p as unknown[];
    if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180)) {
      errors.push(`${where}[${i}]: longitude must be within [-180, 180], got ${JSON.stringify(lon)}`);
      return null;
    }
    if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90)) {
      errors.push(`${where}[${i}]: latitude must be within [-90, 90], got ${JSON.stringify(lat)}`);
      return null;
    }
    if (i > 0 && Math.abs(lon - out[2 * i - 2]) > 180) {
      errors.push(`${where}[${i}]: the edge from the position before spans ${Math.abs(lon - out[2 * i - 2]).toFixed(1)}° of longitude: a zone across the antimeridian must be cut there into a MultiPolygon (RFC 7946 3.1.9)`);
      return null;
    }
    out[2 * i] = lon;
    out[2 * i + 1] = lat;
  }
  const n = coords.length;
  if (out[0] !== out[2 * n - 2] || out[1] !== out[2 * n - 1]) {
    errors.push(`${where}: a linear ring must end where it starts (RFC 7946 3.1.6): first [${out[0]}, ${out[1]}], last [${out[2 * n - 2]}, ${out[2 * n - 1]}]`);
    return null;
  }
  return out;
}

/**
 * Twice a ring's signed area (shoelace, in square degrees), from coordinates taken relative to its
 * first position (from absolute ones, near 127° and 37°, rounding alone decided whether a ring
 * on one slanted line had an area).
 */
function ringArea2(r: Float64Array): number {
  const x0 = r[0];
  const y0 = r[1];
  let a = 0;
  for (let i = 0; i + 3 < r.length; i += 2) a += (r[i] - x0) * (r[i + 3] - y0) - (r[i + 2] - x0) * (r[i + 1] - y0);
  return a;
}

/** Twice the area (square degrees) below which a ring holds nothing: about 0.01 m², far below any zone and far above rounding. */
const NO_AREA2 = 2e-12;

function polygon(coords: unknown, where: string, errors: string[]): GeoPolygon | null {
  if (!Array.isArray(coords) || coords.length === 0) {
    errors.push(`${where}: a polygon needs at least one ring`);
    return null;
  }
  const rings: Float64Array[] = [];
  for (let i = 0; i < coords.length; i++) {
    const r = ring(coords[i], `${where}[${i}]`, errors);
    if (!r) return null;
    rings.push(r);
  }
  return { rings };
}

/** Parses and checks a zones GeoJSON document. */
export function parseZonesGeoJson(text: string): ZonesResult {
  let doc: unknown;
  const body = withoutBom(text);
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return { ok: false, errors: [`zones: not valid JSON (${describeJsonError(body, err)})`] };
  }
  const errors: string[] = [];
  const d = doc as { type?: unknown; features?: unknown };
  if (!d || typeof d !== 'object' || d.type !== 'FeatureCollection' || !Array.isArray(d.features)) {
    return { ok: false, errors: ['zones: must be a GeoJSON FeatureCollection with a "features" array'] };
  }
  if (d.features.length > ZONES_MAX) {
    return { ok: false, errors: [`zones: ${d.features.length} features, more than the ${ZONES_MAX} a zones file may hold (merge small zones, or run a Skywarden per region)`] };
  }
  const zones: Zone[] = [];
  const seen = new Set<string>();
  d.features.forEach((f: unknown, i: number) => {
    const feat = f as { type?: unknown; geometry?: { type?: unknown; coordinates?: unknown } | null; properties?: Record<string, unknown> | null };
    const props = feat?.properties ?? {};
    const id = props.id;
    const where = `features[${i}]${typeof id === 'string' ? ` (id ${quote(id)})` : ''}`;
    if (!feat || feat.type !== 'Feature') return void errors.push(`${where}: must be a GeoJSON Feature`);
    if (typeof id !== 'string' || id.length === 0) return void errors.push(`${where}: properties.id must be a non-empty string, got ${JSON.stringify(id)}`);
    const badId = checkBoundedId('properties.id', id, ZONE_ID_MAX_CHARS);
    if (badId) return void errors.push(`features[${i}]: ${badId}`);
    if (seen.has(id)) return void errors.push(`${where}: properties.id ${JSON.stringify(id)} is used twice`);
    seen.add(id);
    const name = props.name;
    if (name !== undefined && typeof name !== 'string') return void errors.push(`${where}: properties.name must be a string, got ${JSON.stringify(name)}`);
    if (typeof name === 'string') {
      const why = checkBoundedText('properties.name', name, ZONE_NAME_MAX_CHARS);
      if (why) return void errors.push(`${where}: ${why}`);
    }
    const kind = props.kind;
    if (kind !== undefined && kind !== 'admin' && kind !== 'site') return void errors.push(`${where}: properties.kind must be "admin" or "site", got ${JSON.stringify(kind)}`);
    const lead = props.lead_s;
    if (lead !== undefined && !(typeof lead === 'number' && lead >= 0 && lead <= ZONE_LEAD_MAX_S)) {
      return void errors.push(`${where}: properties.lead_s must be a number of seconds in [0, ${ZONE_LEAD_MAX_S}], got ${JSON.stringify(lead)}`);
    }
    const code = props.code;
    const codeName = props.code_name;
    if (code !== undefined && !((typeof code === 'string' && code.trim() !== '') || Number.isSafeInteger(code))) {
      return void errors.push(`${where}: properties.code must be a non-empty string or an integer, got ${JSON.stringify(code)}`);
    }
    if (typeof code === 'string') {
      const why = checkBoundedText('properties.code', code, ZONE_ID_MAX_CHARS);
      if (why) return void errors.push(`${where}: ${why}`);
    }
    if (codeName !== undefined && !(typeof codeName === 'string' && codeName.trim() !== '')) {
      return void errors.push(`${where}: properties.code_name must be a non-empty string, got ${JSON.stringify(codeName)}`);
    }
    if (typeof codeName === 'string') {
      const why = checkBoundedText('properties.code_name', codeName, ZONE_ID_MAX_CHARS);
      if (why) return void errors.push(`${where}: ${why}`);
    }
    const names: Record<string, string> = {};
    for (const [k, v] of Object.entries(props)) {
      const m = /^name_(.*)$/.exec(k);
      if (!m || !isZoneNameLanguage(m[1]!)) continue;
      if (typeof v !== 'string') return void errors.push(`${where}: properties.${k} must be a string, got ${JSON.stringify(v)}`);
      const why = checkBoundedText(`properties.${k}`, v, ZONE_NAME_MAX_CHARS);
      if (why) return void errors.push(`${where}: ${why}`);
      if (v.trim() !== '') names[m[1]] = v;
    }
    const g = feat.geometry;
    let polys: GeoPolygon[] | null = null;
    if (g && g.type === 'Polygon') {
      const p = polygon(g.coordinates, `${where}: geometry.coordinates`, errors);
      polys = p ? [p] : null;
    } else if (g && g.type === 'MultiPolygon' && Array.isArray(g.coordinates)) {
      polys = [];
      for (let k = 0; k < g.coordinates.length; k++) {
        const p = polygon(g.coordinates[k], `${where}: geometry.coordinates[${k}]`, errors);
        if (!p) {
          polys = null;
          break;
        }
        polys.push(p);
      }
    } else {
      return void errors.push(`${where}: geometry must be a Polygon or MultiPolygon, got ${JSON.stringify(g?.type ?? g)}`);
    }
    if (!polys || polys.length === 0) return;
    // a ring on one line holds nothing and is harmless (simplified boundaries have such islands:
    // six of the KOSTAT districts), but a zone whose every outer ring is so can never be entered
    if (!polys.some((p) => Math.abs(ringArea2(p.rings[0])) > NO_AREA2)) return void errors.push(`${where}: the zone encloses no area (every outer ring's positions lie on one line, or cross into equal and opposite lobes)`);
    const zone: Zone = { id, name: typeof name === 'string' ? name : id, area: createGeoArea(polys) };
    if (kind !== undefined) zone.kind = kind;
    if (lead !== undefined) zone.leadS = lead as number;
    if (code !== undefined) zone.geocode = { valueName: typeof codeName === 'string' ? codeName.trim() : 'code', value: String(code).trim() };
    if (Object.keys(names).length > 0) zone.names = names;
    zones.push(zone);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, zones };
}
