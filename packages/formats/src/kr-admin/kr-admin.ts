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

/** Display names of the provinces (English short forms and Korean), by KOSTAT code prefix. */
export const KR_PROVINCE_NAMES: Readonly<Record<string, { en: string; ko: string }>> = Object.freeze({
  '11': { en: 'Seoul', ko: '서울' },
  '21': { en: 'Busan', ko: '부산' },
  '22': { en: 'Daegu', ko: '대구' },
  '23': { en: 'Incheon', ko: '인천' },
  '24': { en: 'Gwangju', ko: '광주' },
  '25': { en: 'Daejeon', ko: '대전' },
  '26': { en: 'Ulsan', ko: '울산' },
  '29': { en: 'Sejong', ko: '세종' },
  '31': { en: 'Gyeonggi', ko: '경기' },
  '32': { en: 'Gangwon', ko: '강원' },
  '33': { en: 'Chungbuk', ko: '충북' },
  '34': { en: 'Chungnam', ko: '충남' },
  '35': { en: 'Jeonbuk', ko: '전북' },
  '36': { en: 'Jeonnam', ko: '전남' },
  '37': { en: 'Gyeongbuk', ko: '경북' },
  '38': { en: 'Gyeongnam', ko: '경남' },
  '39': { en: 'Jeju', ko: '제주' },
});

/**
 * The cities whose districts (gu) the KOSTAT data names as one word ("고양시일산동구",
 * "Goyangsiilsandonggu", or the district alone: "Uichanggu" for 창원시의창구), with their
 * romanised names (Revised Romanization, as the cities write them).
 */
const KR_CITIES_WITH_DISTRICTS: Readonly<Record<string, string>> = Object.freeze({
  수원시: 'Suwon',
  성남시: 'Seongnam',
  안양시: 'Anyang',
  안산시: 'Ansan',
  고양시: 'Goyang',
  용인시: 'Yongin',
  청주시: 'Cheongju',
  천안시: 'Cheonan',
  전주시: 'Jeonju',
  포항시: 'Pohang',
  창원시: 'Changwon',
});

const SUFFIX_EN: Readonly<Record<string, string>> = { 시: 'si', 군: 'gun', 구: 'gu' };

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "Hwaseongsi" (화성시) -> "Hwaseong-si"; "Gwangju" (광주시) -> "Gwangju-si"; hyphenated names as they are. */
function unitName(en: string, ko: string): string {
  if (en.includes('-')) return en;
  const suffix = SUFFIX_EN[ko.slice(-1)];
  if (!suffix) return cap(en);
  const lower = en.toLowerCase();
  const stem = lower.endsWith(suffix) ? en.slice(0, en.length - suffix.length) : en;
  return `${cap(stem)}-${suffix}`;
}

/**
 * The display names of a KOSTAT municipality: the English name properly spaced and hyphenated
 * ("Goyang-si Ilsandong-gu" for "Goyangsiilsandonggu", "Changwon-si Uichang-gu" for
 * "Uichanggu") and with its province ("Jung-gu, Seoul", "Jung-gu, Incheon"); the Korean name
 * likewise ("서울 중구", "경기 고양시 일산동구"). Sejong, a province of one municipality, is "Sejong".
 */
export function krDisplayNames(code: string, nameKo: string, nameEng: string): { name: string; district: string; province: string; nameKo: string } {
  const prov = KR_PROVINCE_NAMES[code.slice(0, 2)] ?? { en: code.slice(0, 2), ko: code.slice(0, 2) };
  let district = unitName(nameEng, nameKo);
  let districtKo = nameKo;
  const m = /^(.+?시)(.+구)$/.exec(nameKo);
  const city = m ? KR_CITIES_WITH_DISTRICTS[m[1]] : undefined;
  if (m && city) {
    // strip the city from the English when it is there ("Goyangsi" + "ilsandonggu")
    let rest = nameEng.replace(/-/g, '');
    const prefix = `${city}si`.toLowerCase();
    if (rest.toLowerCase().startsWith(prefix)) rest = rest.slice(prefix.length);
    district = `${city}-si ${unitName(rest, m[2])}`;
    districtKo = `${m[1]} ${m[2]}`;
  }
  if (code.startsWith('29')) return { name: prov.en, district, province: prov.en, nameKo: prov.ko };
  return { name: `${district}, ${prov.en}`, district, province: prov.en, nameKo: `${prov.ko} ${districtKo}` };
}

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
 * (for example `seoul-jongno-gu`, unchanged from the data's English name), names the display
 * names of {@link krDisplayNames} ("Jongno-gu, Seoul", with `district` and `province` apart);
 * the Korean name (with its province) and the KOSTAT code
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
    const names = krDisplayNames(code, f.properties.name, f.properties.name_eng);
    const props: ZoneFeature['properties'] = { id, name: names.name, kind: 'admin', name_ko: names.nameKo, district: names.district, province: names.province, code, code_name: 'KOSTAT' };
    if (opts.leadS !== undefined) props.lead_s = opts.leadS;
    features.push({ type: 'Feature', properties: props, geometry: f.geometry });
  }
  return { type: 'FeatureCollection', attribution: KR_ADMIN_ATTRIBUTION, features };
}
