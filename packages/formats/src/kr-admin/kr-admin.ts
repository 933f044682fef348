/**
 * Warning zones from the South Korean administrative boundaries of KOSTAT SGIS (2018,
 * simplified TopoJSON, shipped in data/kr-admin/; KOGL Type 1: attribution required, see
 * `KR_ADMIN_ATTRIBUTION`). Converts a municipalities topology into a zones FeatureCollection
 * per spec/interchange.md (zones.geojson).
 */
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';

/** The attribution the KOGL Type 1 licence asks for. */
export const KR_ADMIN_ATTRIBUTION = 'Boundaries: Statistics Korea (KOSTAT), SGIS, 2018 (KOGL Type 1)';

/** First two digits of the KOSTAT codes of the provinces and metropolitan cities, with a slug. */
export const KR_PROVINCES: Readonly<Record<string, string>> = Object.freeze({
  '11': 'seoul',
  '21': 'busan',
  '22': 'daegu',
  '23': 'incheon',
  '24': 'gwangju',
  '25': 'daejeon',
  '26': 'ulsan',
  '29': 'sejong',
  '31': 'gyeonggi',
  '32': 'gangwon',
  '33': 'chungbuk',
  '34': 'chungnam',
  '35': 'jeonbuk',
  '36': 'jeonnam',
  '37': 'gyeongbuk',
  '38': 'gyeongnam',
  '39': 'jeju',
});

/**
 * The KOSTAT code of a province given by its name in KR_PROVINCES (any case) or as a two-digit
 * code; undefined for anything else.
 */
export function krProvinceCode(nameOrCode: string): string | undefined {
  if (/^\d{2}$/.test(nameOrCode)) return nameOrCode;
  const name = nameOrCode.toLowerCase();
  return Object.keys(KR_PROVINCES).find((code) => KR_PROVINCES[code] === name);
}

/** The Seoul capital area: Seoul's 25 districts with Incheon and Gyeonggi around them. */
export const SEOUL_CAPITAL_AREA = Object.freeze(['11', '23', '31']);

export interface KrAdminZoneOptions {
  /** Province code prefixes to keep (default: the Seoul capital area). */
  provinces?: readonly string[];
  /** Wanted warning lead time for every zone (s), written as `lead_s`. */
  leadS?: number;
}

export interface ZoneFeature {
  type: 'Feature';
  properties: { id: string; name: string; kind: 'admin' | 'site'; lead_s?: number; [k: string]: unknown };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

export interface ZonesFeatureCollection {
  type: 'FeatureCollection';
  attribution?: string;
  features: ZoneFeature[];
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Zones from a KOSTAT municipalities topology (its text). Ids are `<province>-<name>` in ASCII
 * (for example `seoul-jongno-gu`), names the English names; the Korean name and the KOSTAT code
 * are kept as `name_ko` and `code` (with `code_name` KOSTAT: the CAP geocode). Throws (a programmer error: the shipped data is known) when
 * the text is not such a topology.
 */
export function krAdminZones(topologyText: string, opts: KrAdminZoneOptions = {}): ZonesFeatureCollection {
  const topo = JSON.parse(topologyText) as Topology;
  const key = Object.keys(topo.objects ?? {})[0];
  if (topo.type !== 'Topology' || key === undefined) throw new Error('krAdminZones: not a TopoJSON topology');
  const fc = feature(topo, topo.objects[key] as GeometryCollection) as unknown as {
    features: { properties: { code: string; name: string; name_eng: string }; geometry: ZoneFeature['geometry'] }[];
  };
  const keep = new Set(opts.provinces ?? SEOUL_CAPITAL_AREA);
  const features: ZoneFeature[] = [];
  const used = new Set<string>();
  for (const f of fc.features) {
    const code = String(f.properties.code);
    const prov = code.slice(0, 2);
    if (!keep.has(prov)) continue;
    let id = `${KR_PROVINCES[prov] ?? prov}-${slug(f.properties.name_eng)}`;
    if (used.has(id)) id = `${id}-${code}`;
    used.add(id);
    const props: ZoneFeature['properties'] = { id, name: f.properties.name_eng, kind: 'admin', name_ko: f.properties.name, code, code_name: 'KOSTAT' };
    if (opts.leadS !== undefined) props.lead_s = opts.leadS;
    features.push({ type: 'Feature', properties: props, geometry: f.geometry });
  }
  return { type: 'FeatureCollection', attribution: KR_ADMIN_ATTRIBUTION, features };
}
