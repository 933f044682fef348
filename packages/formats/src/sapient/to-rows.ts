/**
 * SAPIENT DetectionReport -> interchange detection rows (spec/interchange.md).
 *
 * - The row's `sensor` is the Skywarden sensor registered for the message's `node_id`; `t` is
 *   the message timestamp (a DetectionReport has no time of its own); `id` is
 *   `sapient:<node_id>:<report_id>`; `sapient_object_id` keeps the sensor's object (track) id.
 * - `location` form: coordinate system `LAT_LNG_DEG_M` or `LAT_LNG_RAD_M` (UTM is refused);
 *   x is the longitude, y the latitude, z the altitude -> a `position` row. Errors are taken as
 *   one standard deviation; `pos_sd_m` is the root mean square of the east and north errors
 *   in metres. Datum `WGS84_E` altitudes are used as they are; `WGS84_G` (above the geoid)
 *   altitudes are dropped with a warning, as Skywarden has no geoid model.
 * - `range_bearing` form: units `DEGREES_M`, `RADIANS_M`, `DEGREES_KM` or `RADIANS_KM`; datum
 *   true north (magnetic, grid and platform-relative azimuths are refused: they need a
 *   declination, grid convergence or heading Skywarden does not have) -> a `range_bearing` row
 *   when a range is given, else a `bearing` row; elevation optional.
 * - An unspecified coordinate system or datum is refused for `location`; for `range_bearing` an
 *   unspecified datum is read as true north with a warning.
 * - Classifications whose type names one of Skywarden's classes (case and spaces ignored, and a
 *   few SAPIENT taxonomy names, see {@link SAPIENT_CLASS_MAP}) become `class` likelihoods.
 * - When the registry gives the node's position (for mobile nodes, from its status reports), it
 *   is written as `sensor_lat`, `sensor_lon`, `sensor_alt_m`.
 */
import type { DetectionRow } from '../interchange/rows.js';
import { sapientTimeToSeconds, type SapientClassification, type SapientMessage } from './codec.js';

/** What Skywarden knows of a registered SAPIENT node. */
export interface SapientNode {
  /** The Skywarden sensor id of the node (sensors.json). */
  sensorId: string;
  /** Current position, for a mobile node (degrees, metres above the WGS84 ellipsoid). */
  position?: { latDeg: number; lonDeg: number; altM?: number };
}

/** SAPIENT node_id -> registered node. */
export type SapientSensorRegistry = ReadonlyMap<string, SapientNode>;

/** Result of {@link sapientDetectionToRows}. */
export type SapientRowsResult = { ok: true; rows: DetectionRow[]; warnings: string[] } | { ok: false; reason: string };

/** SAPIENT class names (lower case, no spaces or underscores) -> Skywarden class labels. */
export const SAPIENT_CLASS_MAP: Readonly<Record<string, string>> = Object.freeze({
  uavrotarywing: 'multirotor',
  rotarywinguav: 'multirotor',
  multirotor: 'multirotor',
  quadcopter: 'multirotor',
  uavfixedwing: 'fixed_wing_small',
  fixedwinguav: 'fixed_wing_small',
  fixedwingsmall: 'fixed_wing_small',
  pistonowa: 'piston_owa',
  jetowa: 'jet_owa',
  cruisemissile: 'cruise_missile',
  aircraft: 'aircraft',
  fixedwing: 'aircraft',
  helicopter: 'helicopter',
  rotarywing: 'helicopter',
  bird: 'bird',
  clutter: 'clutter',
});

const DEG = 180 / Math.PI;
/** Metres per degree of latitude (mean, WGS84); east errors scale by cos(latitude). */
const M_PER_DEG = 111_320;

function fin(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * An optional number field as given: undefined when absent, or when it is not a finite number
 * (or, with `nonNegative`, below 0), then with a warning naming it. Such values had been left
 * out without a word (an outside probe, 2026-12-07: a NaN altitude, an infinite error).
 */
function optional(name: string, v: unknown, warnings: string[], nonNegative = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (fin(v) && (!nonNegative || v >= 0)) return v;
  warnings.push(`${name} ${typeof v === 'number' ? String(v) : typeof v} is not a finite${nonNegative ? ' non-negative' : ''} number: left out`);
  return undefined;
}

/** The largest azimuth taken (degrees either way): beyond, a value is no bearing read modulo 360 but garbage. */
const MAX_AZIMUTH_DEG = 720;

function collectClasses(list: SapientClassification[] | undefined, out: Record<string, number>): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (c === null || typeof c !== 'object') continue;
    const key = typeof c.type === 'string' ? c.type.toLowerCase().replace(/[\s_-]+/g, '') : '';
    const label = SAPIENT_CLASS_MAP[key];
    if (label !== undefined && Object.prototype.hasOwnProperty.call(SAPIENT_CLASS_MAP, key)) {
      // Confidences are 32-bit floats on the wire: read to 6 significant digits (0.7f -> 0.7).
      const p = fin(c.confidence) && c.confidence >= 0 && c.confidence <= 1 ? Number(c.confidence.toPrecision(6)) : undefined;
      if (p !== undefined) out[label] = Math.max(out[label] ?? 0, p);
    }
    collectClasses(c.subClass, out);
  }
}

/**
 * Converts a decoded SapientMessage holding a DetectionReport to interchange detection rows
 * (one row per report). Never throws: a missing or unusable field is an error naming it.
 */
export function sapientDetectionToRows(msg: SapientMessage, registry: SapientSensorRegistry): SapientRowsResult {
  const dr = msg.detectionReport;
  if (dr === undefined || dr === null) return { ok: false, reason: `the SapientMessage carries ${msg.content ?? 'nothing'}, not a detection_report` };
  const nodeId = msg.nodeId;
  if (typeof nodeId !== 'string' || nodeId === '') return { ok: false, reason: 'node_id is missing' };
  const node = registry.get(nodeId);
  if (node === undefined) return { ok: false, reason: `node_id ${JSON.stringify(nodeId)} is not registered (no accepted Registration)` };
  if (msg.timestamp === undefined) return { ok: false, reason: 'timestamp is missing' };
  const t = sapientTimeToSeconds(msg.timestamp);
  if (!Number.isFinite(t)) return { ok: false, reason: 'timestamp is not a finite time' };
  if (typeof dr.reportId !== 'string' || dr.reportId === '') return { ok: false, reason: 'detection_report.report_id is missing (mandatory)' };
  const warnings: string[] = [];
  const row: DetectionRow = { t, sensor: node.sensorId, type: 'position', id: `sapient:${nodeId}:${dr.reportId}` };
  if (typeof dr.objectId === 'string' && dr.objectId !== '') row.sapient_object_id = dr.objectId;

  const loc = dr.location;
  const rb = dr.rangeBearing;
  if (loc !== undefined && loc !== null) {
    const cs = loc.coordinateSystem;
    if (cs !== 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M' && cs !== 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M') {
      return { ok: false, reason: `detection_report.location.coordinate_system must be LAT_LNG_DEG_M or LAT_LNG_RAD_M, got ${cs ?? 'nothing'}` };
    }
    const datum = loc.datum;
    if (datum !== 'LOCATION_DATUM_WGS84_E' && datum !== 'LOCATION_DATUM_WGS84_G') {
      return { ok: false, reason: `detection_report.location.datum must be WGS84_E or WGS84_G, got ${datum ?? 'nothing'}` };
    }
    const k = cs === 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M' ? DEG : 1;
    if (!fin(loc.x)) return { ok: false, reason: 'detection_report.location.x (longitude) is missing or not finite' };
    if (!fin(loc.y)) return { ok: false, reason: 'detection_report.location.y (latitude) is missing or not finite' };
    const lat = loc.y * k;
    const lon = loc.x * k;
    if (!(lat >= -90 && lat <= 90)) return { ok: false, reason: `detection_report.location.y (latitude) must be within [-90, 90] degrees, got ${lat}` };
    if (!(lon >= -180 && lon <= 180)) return { ok: false, reason: `detection_report.location.x (longitude) must be within [-180, 180] degrees, got ${lon}` };
    row.lat = lat;
    row.lon = lon;
    const z = optional('detection_report.location.z', loc.z, warnings);
    if (z !== undefined) {
      if (datum === 'LOCATION_DATUM_WGS84_E') row.alt_m = z;
      else warnings.push('altitude above the geoid (WGS84_G) dropped: no geoid model');
    }
    const xErr = optional('detection_report.location.x_error', loc.xError, warnings, true);
    const yErr = optional('detection_report.location.y_error', loc.yError, warnings, true);
    const zErr = optional('detection_report.location.z_error', loc.zError, warnings, true);
    const ex = xErr !== undefined && xErr > 0 ? xErr * k * M_PER_DEG * Math.cos(lat / DEG) : undefined;
    const ey = yErr !== undefined && yErr > 0 ? yErr * k * M_PER_DEG : undefined;
    if (ex !== undefined && ey !== undefined) row.pos_sd_m = Math.sqrt((ex * ex + ey * ey) / 2);
    else if (ey !== undefined) row.pos_sd_m = ey;
    else if (ex !== undefined && ex > 0) row.pos_sd_m = ex;
    if (row.alt_m !== undefined && zErr !== undefined && zErr > 0) row.alt_sd_m = zErr;
  } else if (rb !== undefined && rb !== null) {
    const cs = rb.coordinateSystem;
    const deg = cs === 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M' || cs === 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM';
    const rad = cs === 'RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_M' || cs === 'RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM';
    if (!deg && !rad) return { ok: false, reason: `detection_report.range_bearing.coordinate_system must be DEGREES_M, RADIANS_M, DEGREES_KM or RADIANS_KM, got ${cs ?? 'nothing'}` };
    const km = cs.endsWith('_KM') ? 1000 : 1;
    const ak = rad ? DEG : 1;
    const datum = rb.datum;
    if (datum === undefined || datum === 'RANGE_BEARING_DATUM_UNSPECIFIED') warnings.push('range_bearing datum unspecified: azimuth read as from true north');
    else if (datum !== 'RANGE_BEARING_DATUM_TRUE') {
      return { ok: false, reason: `detection_report.range_bearing.datum ${datum} is not supported: azimuths must be from true north` };
    }
    if (!fin(rb.azimuth)) return { ok: false, reason: 'detection_report.range_bearing.azimuth is missing or not finite' };
    if (!(Math.abs(rb.azimuth * ak) <= MAX_AZIMUTH_DEG)) return { ok: false, reason: `detection_report.range_bearing.azimuth must be within [-${MAX_AZIMUTH_DEG}, ${MAX_AZIMUTH_DEG}] degrees, got ${rb.azimuth * ak}` };
    let az = (rb.azimuth * ak) % 360;
    if (az < 0) az += 360;
    if (az >= 360) az = 0;
    row.bearing_deg = az;
    const elevation = optional('detection_report.range_bearing.elevation', rb.elevation, warnings);
    if (elevation !== undefined) {
      const el = elevation * ak;
      if (!(el >= -90 && el <= 90)) return { ok: false, reason: `detection_report.range_bearing.elevation must be within [-90, 90] degrees, got ${el}` };
      row.elevation_deg = el;
    }
    const azErr = optional('detection_report.range_bearing.azimuth_error', rb.azimuthError, warnings, true);
    const elErr = optional('detection_report.range_bearing.elevation_error', rb.elevationError, warnings, true);
    if (azErr !== undefined && azErr > 0) row.bearing_sd_deg = Math.min(180, azErr * ak);
    if (row.elevation_deg !== undefined && elErr !== undefined && elErr > 0) row.elevation_sd_deg = Math.min(180, elErr * ak);
    if (rb.range !== undefined && rb.range !== null) {
      if (!fin(rb.range) || rb.range < 0) return { ok: false, reason: `detection_report.range_bearing.range must be a non-negative finite number, got ${String(rb.range)}` };
      row.type = 'range_bearing';
      row.range_m = rb.range * km;
      const rErr = optional('detection_report.range_bearing.range_error', rb.rangeError, warnings, true);
      if (rErr !== undefined && rErr > 0) row.range_sd_m = rErr * km;
    } else {
      row.type = 'bearing';
    }
  } else {
    return { ok: false, reason: 'detection_report has neither location nor range_bearing (one is mandatory)' };
  }

  const cls: Record<string, number> = {};
  collectClasses(dr.classification, cls);
  if (Object.keys(cls).length > 0) row.class = cls;
  const p = node.position;
  if (p !== undefined) {
    row.sensor_lat = p.latDeg;
    row.sensor_lon = p.lonDeg;
    if (p.altM !== undefined) row.sensor_alt_m = p.altM;
  }
  return { ok: true, rows: [row], warnings };
}
