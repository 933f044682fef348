/**
 * Any GeoJSON of districts turned into `zones.geojson` (spec/interchange.md; `skywarden zones`,
 * docs/deployment.md "Zones"): the caller names which source property is the zone's id, its
 * name, its official code, which features to keep and which languages' names to carry; the
 * rest of the source's properties are dropped. Pure: text in, text and counts out; every
 * problem is named with the feature's index and the property.
 */
import { quote, withoutBom } from './check.js';
import { describeJsonError } from './json-error.js';
import { isZoneNameLanguage, parseZonesGeoJson } from './zones.js';
import { nestsDeeper } from './plausible.js';

export interface ZonesFromOptions {
  /** Source property holding each zone's id (unique after trimming; numbers are taken as text). */
  idProperty: string;
  /** Source property holding the zone's name; default: the id. */
  nameProperty?: string;
  /** Source property holding the zone's official code (CAP `<geocode>` value). */
  codeProperty?: string;
  /** The code's name (CAP `<geocode>` valueName, e.g. `ISO3166-2`); default `code`. Needs `codeProperty`. */
  codeName?: string;
  /** Keep only features whose property equals the value (as text), e.g. `{ iso_a2: 'US' }`. */
  where?: Readonly<Record<string, string>>;
  /** `properties.kind` of every zone. */
  kind?: 'admin' | 'site';
  /** `properties.lead_s` of every zone (s). */
  leadS?: number;
  /** Languages whose `name_<lang>` source properties are carried, e.g. `['ko', 'uk']`. */
  languages?: readonly string[];
}

export type ZonesFromResult =
  | { ok: true; text: string; kept: number; skipped: number; notes: string[] }
  | { ok: false; errors: string[] };

const asText = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/** Deepest nesting of objects and arrays taken in a GeoJSON document. */
const MAX_GEOJSON_DEPTH = 32;

/** Converts a GeoJSON FeatureCollection (text) into zones.geojson (text), checked by the zones reader. */
export function zonesFromGeoJson(text: string, o: ZonesFromOptions): ZonesFromResult {
  if (o.codeName !== undefined && o.codeProperty === undefined) return { ok: false, errors: ['a code name needs a code property'] };
  for (const l of o.languages ?? []) if (!isZoneNameLanguage(l)) return { ok: false, errors: [`a language must be a 2- or 3-letter code (not "eng"), got ${JSON.stringify(l)}`] };
  if (o.leadS !== undefined && !(Number.isFinite(o.leadS) && o.leadS >= 0)) return { ok: false, errors: [`the lead time must be a number of seconds >= 0, got ${o.leadS}`] };
  let doc: unknown;
  const body = withoutBom(text);
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return { ok: false, errors: [`not valid JSON (${describeJsonError(body, err)})`] };
  }
  const d = doc as { type?: unknown; features?: unknown };
  if (!d || typeof d !== 'object' || d.type !== 'FeatureCollection' || !Array.isArray(d.features)) return { ok: false, errors: ['must be a GeoJSON FeatureCollection with a "features" array'] };
  // a MultiPolygon feature nests 7 levels below the collection; a document nested far deeper is not GeoJSON (and would overflow the stack when written out)
  if (nestsDeeper(doc as object, 0, MAX_GEOJSON_DEPTH)) return { ok: false, errors: [`nested more than ${MAX_GEOJSON_DEPTH} levels deep: a GeoJSON FeatureCollection of (Multi)Polygons nests about 8`] };
  const errors: string[] = [];
  const notes: string[] = [];
  const out: unknown[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  d.features.forEach((f: unknown, i: number) => {
    const feat = f as { type?: unknown; geometry?: { type?: unknown } | null; properties?: Record<string, unknown> | null };
    const props = feat?.properties ?? {};
    if (o.where && !Object.entries(o.where).every(([k, v]) => asText(props[k]) === v)) {
      skipped++;
      return;
    }
    const gType = feat?.geometry?.type;
    if (gType !== 'Polygon' && gType !== 'MultiPolygon') {
      skipped++;
      notes.push(`features[${i}]: skipped, its geometry is ${JSON.stringify(gType ?? null)}, not an area`);
      return;
    }
    const id = asText(props[o.idProperty]);
    if (id === null) return void errors.push(`features[${i}]: property ${JSON.stringify(o.idProperty)} (the id) is missing or empty, got ${JSON.stringify(props[o.idProperty] ?? null)}`);
    const first = seen.get(id);
    if (first !== undefined) return void errors.push(`features[${i}]: id ${quote(id)} (property ${JSON.stringify(o.idProperty)}) is also the id of features[${first}]`);
    seen.set(id, i);
    const p: Record<string, unknown> = { id };
    const name = o.nameProperty !== undefined ? asText(props[o.nameProperty]) : null;
    if (o.nameProperty !== undefined && name === null) notes.push(`features[${i}] (id ${quote(id)}): no ${JSON.stringify(o.nameProperty)}, named by its id`);
    p.name = name ?? id;
    if (o.kind !== undefined) p.kind = o.kind;
    if (o.leadS !== undefined) p.lead_s = o.leadS;
    if (o.codeProperty !== undefined) {
      const code = asText(props[o.codeProperty]);
      if (code === null) return void errors.push(`features[${i}] (id ${quote(id)}): property ${JSON.stringify(o.codeProperty)} (the code) is missing or empty`);
      p.code = code;
      if (o.codeName !== undefined) p.code_name = o.codeName;
    }
    for (const l of o.languages ?? []) {
      const v = asText(props[`name_${l}`]);
      if (v !== null) p[`name_${l}`] = v;
    }
    out.push({ type: 'Feature', properties: p, geometry: feat.geometry });
  });
  if (errors.length > 0) return { ok: false, errors };
  if (out.length === 0) return { ok: false, errors: [`no feature kept (${skipped} skipped${o.where ? `; the filter ${JSON.stringify(o.where)} matched none` : ''})`] };
  const result = JSON.stringify({ type: 'FeatureCollection', features: out });
  // what the service will read: the zones reader checks the geometry too
  const check = parseZonesGeoJson(result);
  if (!check.ok) return { ok: false, errors: check.errors };
  return { ok: true, text: result + '\n', kept: out.length, skipped, notes };
}
