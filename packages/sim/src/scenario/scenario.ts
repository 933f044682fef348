/**
 * Scenario files: a readable description of a simulated night (YAML or JSON; the caller
 * parses the text) from which `skywarden simulate` writes the interchange files. Every
 * setting has a default from the chosen preset; validation collects every problem, each
 * naming the setting and the bad value (for example
 * `raid.drones must be an integer in [0, 5000], got -3`).
 *
 * ```yaml
 * name: Seoul, a raid from the north
 * preset: mixed              # small | mixed | national
 * seed: 7
 * start: 2025-11-24T16:00:00Z   # or a number: seconds since the Unix epoch
 * duration_s: 1200
 * origin: { lat: 37.75, lon: 126.98 }
 * raid: { drones: 50, jet_share: 0.1, decoy_share: 0.2, downed_share: 0.1, from_deg: 0 }
 * sensors: { microphones: 600, radars: 1, observers: 300, radar_clutter_per_scan: 2 }
 * traffic: { airliners: 3, helicopters: 1 }
 * zones: { kr_admin: [seoul, incheon, gyeonggi], lead_s: 300 }   # or geojson: FILE, or districts/sites
 * real_motion: { files: [data/traffic/ambulances/rega_zh.json.gz], class: helicopter }
 * ```
 */
import { KR_PROVINCES, krProvinceCode } from '@skywarden/formats';
import { ACOUSTIC_FALSE_KINDS, type AcousticFalseKind } from '../scene/acoustic-false-alarms.js';
import type { AcousticLevels } from '../scene/sensors-acoustic.js';

export type PresetName = 'small' | 'mixed' | 'national';

export interface Scenario {
  name: string;
  preset: PresetName;
  seed: number;
  /** Start (s since the Unix epoch). */
  t0: number;
  durationS: number;
  origin: { latDeg: number; lonDeg: number };
  /** Side of the square region the raid crosses (m). */
  regionM: number;
  raid: {
    drones: number;
    jetShare: number;
    decoyShare: number;
    downedShare: number;
    fromDeg: number | null;
    /** `raid.alt_m`: range [min, max] of every drone's altitude (m); absent: by type. */
    altM?: [number, number];
    /** `raid.waves`: the raid in waves (mixed preset); absent: one stream over the whole period. */
    waves?: { count: number; gapS: number; corridorM: number };
    /** `raid.from_spread_deg`: spread of the drones' directions about `fromDeg` (mixed preset); absent: one direction. */
    fromSpreadDeg?: number;
  };
  sensors: {
    microphones: number;
    radars: number;
    observers: number;
    radarClutterPerScan: number;
    /** Microphone-network conditions (issue 13; small and mixed presets); absent: the preset's. */
    micSpacingM?: number;
    micRangeM?: [number, number];
    arrayShare?: number;
    micPd?: [number, number];
    micQualitySpread?: number;
    /** `sensors.mic_report_period_s`: how often (s) a microphone reports while it hears something. */
    micReportPeriodS?: number;
    /** `sensors.mic_row_per_source`: a presence microphone gives one row per target heard in a report. */
    micRowPerSource?: boolean;
    /** `sensors.radar_clutter_spots`: fixed clutter of each radar (mixed preset): places, and the probability each is plotted on a scan. */
    radarClutterSpots?: { count: number; pd: number };
    /** `sensors.mic_levels`: the microphones' rows carry received levels (`snr_db`); true for the defaults, or `{ threshold_db, offset_sd_db, scatter_db, absorption_db_per_km }`. */
    micLevels?: AcousticLevels;
    micFalseAlarms?: { ratePerHour: number; kinds: AcousticFalseKind[]; owaHintShare: number };
  };
  traffic: { airliners: number; helicopters: number };
  zones:
    | { kind: 'none' }
    | { kind: 'geojson'; file: string; leadS: number | null }
    | { kind: 'kr_admin'; provinces: string[]; leadS: number | null }
    | { kind: 'generated'; districts: { nx: number; ny: number } | null; sites: { count: number; radiusM: number } | null; leadS: number | null };
  realMotion: { files: string[]; cls: string } | null;
}

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

const PRESETS: Record<PresetName, Omit<Scenario, 'name' | 'preset' | 'seed' | 't0' | 'origin' | 'zones' | 'realMotion'>> = {
  small: {
    durationS: 600,
    regionM: 30000,
    raid: { drones: 5, jetShare: 0, decoyShare: 0, downedShare: 0, fromDeg: null },
    sensors: { microphones: 0, radars: 1, observers: 0, radarClutterPerScan: 2 },
    traffic: { airliners: 1, helicopters: 0 },
  },
  mixed: {
    durationS: 600,
    regionM: 40000,
    raid: { drones: 50, jetShare: 0.1, decoyShare: 0.2, downedShare: 0.1, fromDeg: null },
    sensors: { microphones: 600, radars: 1, observers: 300, radarClutterPerScan: 2 },
    traffic: { airliners: 3, helicopters: 1 },
  },
  national: {
    durationS: 3 * 3600,
    regionM: 350000,
    raid: { drones: 800, jetShare: 0.1, decoyShare: 0.2, downedShare: 0.15, fromDeg: null },
    sensors: { microphones: 10000, radars: 36, observers: 3000, radarClutterPerScan: 2 },
    traffic: { airliners: 12, helicopters: 4 },
  },
};

const KNOWN_TOP = new Set(['name', 'preset', 'seed', 'start', 'duration_s', 'origin', 'region_m', 'raid', 'sensors', 'traffic', 'zones', 'real_motion']);

/** A value as the message quotes it: JSON, but for what JSON cannot say (NaN and the infinities, which YAML's .nan and .inf give, would read "null"). */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** Validates a parsed scenario document and fills the preset's defaults. */
export function parseScenario(doc: unknown): ScenarioResult {
  const errors: string[] = [];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, errors: ['scenario: must be a mapping (YAML) or an object (JSON)'] };
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KNOWN_TOP.has(k)) errors.push(`${k}: unknown setting (known: ${[...KNOWN_TOP].join(', ')})`);

  const section = (k: string, known: string[]): Record<string, unknown> => {
    const v = d[k];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      errors.push(`${k} must be a mapping, got ${show(v)}`);
      return {};
    }
    for (const kk of Object.keys(v)) if (!known.includes(kk)) errors.push(`${k}.${kk}: unknown setting (known: ${known.join(', ')})`);
    return v as Record<string, unknown>;
  };
  const num = (path: string, v: unknown, dflt: number, lo: number, hi: number, integer = false): number => {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
      errors.push(`${path} must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${show(v)}`);
      return dflt;
    }
    return v;
  };

  const presetRaw = d.preset ?? 'mixed';
  let preset: PresetName = 'mixed';
  if (presetRaw === 'small' || presetRaw === 'mixed' || presetRaw === 'national') preset = presetRaw;
  else errors.push(`preset must be one of small, mixed, national, got ${show(presetRaw)}`);
  const base = PRESETS[preset];
  const name = typeof d.name === 'string' ? d.name : d.name === undefined ? `${preset} scenario` : (errors.push(`name must be a string, got ${show(d.name)}`), '');
  const seed = num('seed', d.seed, 1, -(2 ** 31), 2 ** 31, true);
  let t0 = 1764000000;
  if (typeof d.start === 'number') t0 = num('start', d.start, t0, 0, 4102444800);
  else if (typeof d.start === 'string' || d.start instanceof Date) {
    const ms = d.start instanceof Date ? d.start.getTime() : Date.parse(d.start);
    if (Number.isFinite(ms)) t0 = ms / 1000;
    else errors.push(`start must be an ISO 8601 time (2025-11-24T16:00:00Z) or seconds since the Unix epoch, got ${show(d.start)}`);
  } else if (d.start !== undefined) errors.push(`start must be an ISO 8601 time or seconds since the Unix epoch, got ${show(d.start)}`);
  const durationS = num('duration_s', d.duration_s, base.durationS, 1, 7 * 86400);
  const o = section('origin', ['lat', 'lon']);
  const origin = { latDeg: num('origin.lat', o.lat, 37.75, -89, 89), lonDeg: num('origin.lon', o.lon, 126.98, -180, 180) };
  const regionM = num('region_m', d.region_m, base.regionM, 1000, 2000000);
  const r = section('raid', ['drones', 'jet_share', 'decoy_share', 'downed_share', 'from_deg', 'from_spread_deg', 'alt_m', 'waves']);
  /** A [min, max] pair (or, with `single`, one number for both) within [lo, hi]. */
  const range = (path: string, v: unknown, lo: number, hi: number, single: boolean): [number, number] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (single && typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi) return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi) && v[0] <= v[1]) return [v[0], v[1]];
    errors.push(`${path} must be ${single ? 'a number or ' : ''}[min, max] with ${lo} <= min <= max <= ${hi}, got ${show(v)}`);
    return undefined;
  };
  const altM = range('raid.alt_m', r.alt_m, 0, 20000, false);
  const raid: Scenario['raid'] = {
    drones: num('raid.drones', r.drones, base.raid.drones, 0, 5000, true),
    jetShare: num('raid.jet_share', r.jet_share, base.raid.jetShare, 0, 1),
    decoyShare: num('raid.decoy_share', r.decoy_share, base.raid.decoyShare, 0, 1),
    downedShare: num('raid.downed_share', r.downed_share, base.raid.downedShare, 0, 1),
    fromDeg: r.from_deg === undefined || r.from_deg === null ? base.raid.fromDeg : num('raid.from_deg', r.from_deg, 0, 0, 360),
  };
  if (altM) raid.altM = altM;
  if (r.from_spread_deg !== undefined && r.from_spread_deg !== null) {
    raid.fromSpreadDeg = num('raid.from_spread_deg', r.from_spread_deg, 0, 0, 360);
    if (preset !== 'mixed') errors.push(`raid.from_spread_deg: only the mixed preset spreads the drones' directions, got preset ${preset}`);
  }
  if (r.waves !== undefined && r.waves !== null) {
    const w = r.waves;
    if (typeof w !== 'object' || Array.isArray(w)) errors.push(`raid.waves must be a mapping { count, gap_s, corridor_m }, got ${show(w)}`);
    else {
      const ww = w as Record<string, unknown>;
      for (const kk of Object.keys(ww)) if (!['count', 'gap_s', 'corridor_m'].includes(kk)) errors.push(`raid.waves.${kk}: unknown setting (known: count, gap_s, corridor_m)`);
      raid.waves = {
        count: num('raid.waves.count', ww.count, 3, 1, 100, true),
        gapS: num('raid.waves.gap_s', ww.gap_s, 400, 0, 86400),
        corridorM: num('raid.waves.corridor_m', ww.corridor_m, Math.min(8000, regionM), 100, regionM),
      };
      if (preset !== 'mixed') errors.push(`raid.waves: only the mixed preset flies in waves, got preset ${preset}`);
    }
  }
  const s = section('sensors', [
    'microphones', 'radars', 'observers', 'radar_clutter_per_scan', 'radar_clutter_spots',
    'mic_spacing_m', 'mic_range_m', 'array_share', 'mic_pd', 'mic_quality_spread', 'mic_false_alarms', 'mic_report_period_s', 'mic_row_per_source', 'mic_levels',
  ]);
  const sensors: Scenario['sensors'] = {
    microphones: num('sensors.microphones', s.microphones, base.sensors.microphones, 0, 100000, true),
    radars: num('sensors.radars', s.radars, base.sensors.radars, 0, 500, true),
    observers: num('sensors.observers', s.observers, base.sensors.observers, 0, 100000, true),
    radarClutterPerScan: num('sensors.radar_clutter_per_scan', s.radar_clutter_per_scan, base.sensors.radarClutterPerScan, 0, 1000),
  };
  // microphone-network conditions (issue 13)
  if (s.mic_spacing_m !== undefined && s.mic_spacing_m !== null) {
    sensors.micSpacingM = num('sensors.mic_spacing_m', s.mic_spacing_m, 5000, 100, 100000);
    if (s.microphones !== undefined && s.microphones !== null) errors.push(`sensors.mic_spacing_m cannot be combined with sensors.microphones (the spacing sets the number), got ${show(s.mic_spacing_m)} and ${show(s.microphones)}`);
  }
  const micRange = range('sensors.mic_range_m', s.mic_range_m, 50, 50000, true);
  if (micRange) sensors.micRangeM = micRange;
  if (s.array_share !== undefined && s.array_share !== null) sensors.arrayShare = num('sensors.array_share', s.array_share, 0.25, 0, 1);
  const micPd = range('sensors.mic_pd', s.mic_pd, 0, 1, true);
  if (micPd) sensors.micPd = micPd;
  if (s.mic_quality_spread !== undefined && s.mic_quality_spread !== null) sensors.micQualitySpread = num('sensors.mic_quality_spread', s.mic_quality_spread, 0, 0, 0.9);
  if (s.mic_report_period_s !== undefined && s.mic_report_period_s !== null) sensors.micReportPeriodS = num('sensors.mic_report_period_s', s.mic_report_period_s, 2, 0.1, 600);
  if (s.mic_row_per_source !== undefined && s.mic_row_per_source !== null) {
    if (typeof s.mic_row_per_source !== 'boolean') errors.push(`sensors.mic_row_per_source must be true or false, got ${show(s.mic_row_per_source)}`);
    else if (s.mic_row_per_source) sensors.micRowPerSource = true;
  }
  if (s.radar_clutter_spots !== undefined && s.radar_clutter_spots !== null && preset !== 'mixed') {
    errors.push(`sensors.radar_clutter_spots is for the mixed preset only (this scenario's is ${preset})`);
  } else if (s.radar_clutter_spots !== undefined && s.radar_clutter_spots !== null) {
    const cs = s.radar_clutter_spots;
    if (typeof cs === 'number') sensors.radarClutterSpots = { count: num('sensors.radar_clutter_spots', cs, 0, 0, 10000, true), pd: 0.4 };
    else if (typeof cs !== 'object' || Array.isArray(cs)) errors.push(`sensors.radar_clutter_spots must be a number of places or a mapping { count, pd }, got ${show(cs)}`);
    else {
      const o = cs as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['count', 'pd'].includes(k)) errors.push(`sensors.radar_clutter_spots.${k}: unknown setting (known: count, pd)`);
      sensors.radarClutterSpots = { count: num('sensors.radar_clutter_spots.count', o.count, 6, 0, 10000, true), pd: num('sensors.radar_clutter_spots.pd', o.pd, 0.4, 0, 1) };
    }
  }
  if (s.mic_levels !== undefined && s.mic_levels !== null && s.mic_levels !== false) {
    const lv = s.mic_levels;
    if (lv === true) sensors.micLevels = {};
    else if (typeof lv !== 'object' || Array.isArray(lv)) errors.push(`sensors.mic_levels must be true, false or a mapping, got ${show(lv)}`);
    else {
      const o = lv as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['threshold_db', 'offset_sd_db', 'scatter_db', 'absorption_db_per_km'].includes(k)) errors.push(`sensors.mic_levels.${k}: unknown setting (known: threshold_db, offset_sd_db, scatter_db, absorption_db_per_km)`);
      const levels: AcousticLevels = {};
      if (o.threshold_db !== undefined) levels.thresholdDb = num('sensors.mic_levels.threshold_db', o.threshold_db, 6, -50, 100);
      if (o.offset_sd_db !== undefined) levels.offsetSdDb = num('sensors.mic_levels.offset_sd_db', o.offset_sd_db, 3, 0, 40);
      if (o.scatter_db !== undefined) levels.scatterDb = num('sensors.mic_levels.scatter_db', o.scatter_db, 3, 0, 40);
      if (o.absorption_db_per_km !== undefined) levels.absorptionDbPerKm = num('sensors.mic_levels.absorption_db_per_km', o.absorption_db_per_km, 1, 0, 100);
      sensors.micLevels = levels;
    }
  }
  if (s.mic_false_alarms !== undefined && s.mic_false_alarms !== null) {
    const fa = s.mic_false_alarms;
    if (typeof fa !== 'object' || Array.isArray(fa)) errors.push(`sensors.mic_false_alarms must be a mapping like { rate_per_hour: 0.5, kinds: [burst, stationary, road, correlated] }, got ${show(fa)}`);
    else {
      const f = fa as Record<string, unknown>;
      const knownFa = ['rate_per_hour', 'kinds', 'owa_hint_share'];
      for (const k of Object.keys(f)) if (!knownFa.includes(k)) errors.push(`sensors.mic_false_alarms.${k}: unknown setting (known: ${knownFa.join(', ')})`);
      if (f.rate_per_hour === undefined) errors.push('sensors.mic_false_alarms.rate_per_hour is required (false-alarm episodes per microphone-hour, e.g. 0.5)');
      const ratePerHour = num('sensors.mic_false_alarms.rate_per_hour', f.rate_per_hour, 0.5, 0, 100);
      let kinds: AcousticFalseKind[] = [...ACOUSTIC_FALSE_KINDS];
      if (f.kinds !== undefined) {
        const list = Array.isArray(f.kinds) ? f.kinds : [f.kinds];
        const bad = list.filter((k) => !(ACOUSTIC_FALSE_KINDS as readonly unknown[]).includes(k));
        if (bad.length > 0 || list.length === 0) errors.push(`sensors.mic_false_alarms.kinds must list some of ${ACOUSTIC_FALSE_KINDS.join(', ')}, got ${show(f.kinds)}`);
        else kinds = [...new Set(list as AcousticFalseKind[])];
      }
      const owaHintShare = num('sensors.mic_false_alarms.owa_hint_share', f.owa_hint_share, 0.3, 0, 1);
      sensors.micFalseAlarms = { ratePerHour, kinds, owaHintShare };
    }
  }
  const conditions = [
    ['sensors.mic_spacing_m', s.mic_spacing_m], ['sensors.mic_range_m', s.mic_range_m], ['sensors.array_share', s.array_share],
    ['sensors.mic_pd', s.mic_pd], ['sensors.mic_quality_spread', s.mic_quality_spread], ['sensors.mic_false_alarms', s.mic_false_alarms], ['sensors.mic_report_period_s', s.mic_report_period_s], ['sensors.mic_row_per_source', s.mic_row_per_source], ['raid.alt_m', r.alt_m],
  ].filter(([, v]) => v !== undefined && v !== null).map(([k]) => k as string);
  // the national preset lays its microphones on a grid at mic_spacing_m; the other conditions are the mixed scene's
  const nationalConditions = conditions.filter((k) => k !== 'sensors.mic_spacing_m');
  if (nationalConditions.length > 0 && preset === 'national') errors.push(`${nationalConditions.join(', ')}: not supported with preset national (use small or mixed)`);
  // recorded flights keep their own motion: the raid's conditions do not apply; the network's do
  const raidConditions = conditions.filter((k) => k.startsWith('raid.'));
  if (raidConditions.length > 0 && d.real_motion !== undefined) errors.push(`${raidConditions.join(', ')}: not supported with real_motion (the flights' motion is recorded)`);
  const tr = section('traffic', ['airliners', 'helicopters']);
  const traffic = {
    airliners: num('traffic.airliners', tr.airliners, base.traffic.airliners, 0, 1000, true),
    helicopters: num('traffic.helicopters', tr.helicopters, base.traffic.helicopters, 0, 1000, true),
  };

  const z = section('zones', ['geojson', 'kr_admin', 'districts', 'sites', 'lead_s']);
  const leadS = z.lead_s === undefined ? null : num('zones.lead_s', z.lead_s, 300, 0, 86400);
  let zones: Scenario['zones'] = { kind: 'none' };
  const zoneKinds = ['geojson', 'kr_admin', 'districts', 'sites'].filter((k) => z[k] !== undefined);
  if (zoneKinds.includes('geojson') && zoneKinds.length > 1) errors.push(`zones: geojson cannot be combined with ${zoneKinds.filter((k) => k !== 'geojson').join(', ')}`);
  else if (zoneKinds.includes('kr_admin') && zoneKinds.length > 1) errors.push(`zones: kr_admin cannot be combined with ${zoneKinds.filter((k) => k !== 'kr_admin').join(', ')}`);
  else if (z.geojson !== undefined) {
    if (typeof z.geojson !== 'string' || z.geojson.length === 0) errors.push(`zones.geojson must be a file path, got ${show(z.geojson)}`);
    else zones = { kind: 'geojson', file: z.geojson, leadS };
  } else if (z.kr_admin !== undefined) {
    const list = Array.isArray(z.kr_admin) ? z.kr_admin : [z.kr_admin];
    const provinces: string[] = [];
    for (const p of list) {
      const code = typeof p === 'string' ? krProvinceCode(p) : undefined;
      if (code === undefined) errors.push(`zones.kr_admin: unknown province ${show(p)} (known: ${Object.values(KR_PROVINCES).join(', ')}, or a two-digit KOSTAT code)`);
      else provinces.push(code);
    }
    zones = { kind: 'kr_admin', provinces, leadS };
  } else if (z.districts !== undefined || z.sites !== undefined) {
    let districts: { nx: number; ny: number } | null = null;
    let sites: { count: number; radiusM: number } | null = null;
    if (z.districts !== undefined) {
      const dd = (typeof z.districts === 'object' && z.districts !== null ? z.districts : {}) as Record<string, unknown>;
      if (typeof z.districts !== 'object' || z.districts === null) errors.push(`zones.districts must be a mapping like { nx: 5, ny: 5 }, got ${show(z.districts)}`);
      districts = { nx: num('zones.districts.nx', dd.nx, 5, 1, 100, true), ny: num('zones.districts.ny', dd.ny, 5, 1, 100, true) };
    }
    if (z.sites !== undefined) {
      const ss = (typeof z.sites === 'object' && z.sites !== null ? z.sites : {}) as Record<string, unknown>;
      if (typeof z.sites !== 'object' || z.sites === null) errors.push(`zones.sites must be a mapping like { count: 5, radius_m: 1500 }, got ${show(z.sites)}`);
      sites = { count: num('zones.sites.count', ss.count, 5, 0, 1000, true), radiusM: num('zones.sites.radius_m', ss.radius_m, 1500, 50, 50000) };
    }
    zones = { kind: 'generated', districts, sites, leadS };
  }

  let realMotion: Scenario['realMotion'] = null;
  if (d.real_motion !== undefined) {
    const rm = section('real_motion', ['files', 'class']);
    const files = Array.isArray(rm.files) ? rm.files : rm.files === undefined ? [] : [rm.files];
    if (files.length === 0 || !files.every((f) => typeof f === 'string' && f.length > 0)) errors.push(`real_motion.files must list one or more file paths, got ${show(rm.files)}`);
    const cls = rm.class === undefined ? 'aircraft' : rm.class;
    if (typeof cls !== 'string') errors.push(`real_motion.class must be a class label, got ${show(rm.class)}`);
    realMotion = { files: files as string[], cls: String(cls) };
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, scenario: { name, preset, seed, t0, durationS, origin, regionM, raid, sensors, traffic, zones, realMotion } };
}
