/**
 * Builders of the SAPIENT messages Skywarden sends, as BSI Flex 335 v2.0 defines them.
 *
 * Message flow with an edge sensor (ASM): the ASM connects and sends a Registration; Skywarden,
 * acting as the decision-making (fusion) node, answers a RegistrationAck (accepted, or rejected
 * with reasons); the ASM then sends StatusReports at the interval it registered and
 * DetectionReports as it detects. A message Skywarden cannot read is answered with an Error
 * holding the offending packet. With a parent fusion node, Skywarden itself registers (a
 * Registration of node type FUSION_NODE) and sends StatusReports and DetectionReports.
 *
 * Every message carries `timestamp` (when sent) and `node_id` (the sender's UUID); replies set
 * `destination_id` to the node addressed. Report ids are ULIDs.
 */
import { secondsToSapientTime, type SapientMessage, type SapientClassification } from './codec.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID (26 characters, Crockford base 32): 48 bits of milliseconds since the Unix epoch,
 * then 80 random bits. `random` defaults to the platform's cryptographic generator.
 */
export function createUlid(t: number = Date.now() / 1000, random?: () => number): string {
  let ms = Math.floor(t * 1000);
  if (!(ms >= 0 && ms < 2 ** 48)) throw new RangeError(`a ULID time must be within [0, 2^48) ms, got ${ms}`);
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[ms % 32]! + time;
    ms = Math.floor(ms / 32);
  }
  const bytes = new Uint8Array(16);
  if (random === undefined) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256);
  let rnd = '';
  for (let i = 0; i < 16; i++) rnd += CROCKFORD[bytes[i]! & 31];
  return time + rnd;
}

const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** True for a canonical ULID: 26 Crockford base-32 characters (upper case), a time within 48 bits. */
export function isUlid(s: unknown): boolean {
  return typeof s === 'string' && ULID_RE.test(s);
}

/** Common fields of every message Skywarden sends. */
export interface SapientHeader {
  /** Sender node UUID (Skywarden's). */
  nodeId: string;
  /** Addressed node UUID, for replies. */
  destinationId?: string;
  /** Send time, seconds since the Unix epoch. */
  t: number;
}

function header(h: SapientHeader): SapientMessage {
  const m: SapientMessage = { timestamp: secondsToSapientTime(h.t), nodeId: h.nodeId };
  if (h.destinationId !== undefined) m.destinationId = h.destinationId;
  return m;
}

/** RegistrationAck: `accepted`, with reasons when rejected. */
export function buildRegistrationAck(h: SapientHeader, accepted: boolean, reasons: string[] = []): SapientMessage {
  return { ...header(h), registrationAck: { acceptance: accepted, ackResponseReason: reasons } };
}

/** Error: the packet that could not be handled and what was wrong with it. */
export function buildSapientError(h: SapientHeader, packet: Uint8Array, messages: string[]): SapientMessage {
  return { ...header(h), error: { packet, errorMessage: messages } };
}

/** Options of {@link buildStatusReport}. */
export interface StatusReportOptions {
  /** `ok`, `warning`, `error` or `goodbye` (about to disconnect). */
  system: 'ok' | 'warning' | 'error' | 'goodbye';
  /** True when something changed since the last report (INFO_NEW), else INFO_UNCHANGED. */
  changed: boolean;
  /** Current mode name (one of the registered modes). */
  mode: string;
  /** Node position (degrees, metres above the WGS84 ellipsoid). */
  position?: { latDeg: number; lonDeg: number; altM?: number };
  /** Report ULID; default a new one. */
  reportId?: string;
}

/** StatusReport (the heartbeat). */
export function buildStatusReport(h: SapientHeader, o: StatusReportOptions): SapientMessage {
  const sr: Record<string, unknown> = {
    reportId: o.reportId ?? createUlid(h.t),
    system: `SYSTEM_${o.system.toUpperCase()}`,
    info: o.changed ? 'INFO_NEW' : 'INFO_UNCHANGED',
    mode: o.mode,
  };
  if (o.position !== undefined) {
    sr.nodeLocation = {
      x: o.position.lonDeg,
      y: o.position.latDeg,
      z: o.position.altM,
      coordinateSystem: 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M',
      datum: 'LOCATION_DATUM_WGS84_E',
    };
  }
  return { ...header(h), statusReport: sr };
}

/** Options of {@link buildRegistration}. */
export interface RegistrationOptions {
  /** System name and a short name for displays. */
  name: string;
  shortName: string;
  /** Node type enum suffix, e.g. `FUSION_NODE`, `ACOUSTIC`, `RADAR`, `HUMAN`. Default `FUSION_NODE`. */
  nodeType?: string;
  /** Heartbeat interval (s). Default 5. */
  statusIntervalS?: number;
  /** Mode name. Default `default`. */
  mode?: string;
  /** Class names the node reports. Default Skywarden's class labels. */
  classes?: string[];
  /** Manufacturer, model and software version for `config_data`. */
  manufacturer?: string;
  model?: string;
  softwareVersion?: string;
  /** Behaviours the node reports (each with a 0-1 confidence), e.g. `threat`. */
  behaviours?: string[];
  /** Declare ENU velocities in metres per second (WGS84). */
  enuVelocity?: boolean;
  /** Tracking type enum suffix, e.g. `TRACK` (object ids kept through a track's life). */
  trackingType?: string;
  /** UUIDs of this node's child nodes (`dependent_nodes`). */
  dependentNodes?: string[];
}

/**
 * Registration with every field the standard marks mandatory: node definition, ICD version
 * (`BSI Flex 335 v2.0`), capabilities, status definition (heartbeat interval, node location in
 * degrees and metres, WGS84 ellipsoid), one permanent default mode reporting locations in the
 * same system, with its task definition (an area-of-interest region), and configuration data.
 */
export function buildRegistration(h: SapientHeader, o: RegistrationOptions): SapientMessage {
  const latLng = { locationUnits: 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M', locationDatum: 'LOCATION_DATUM_WGS84_E' };
  const classes = o.classes ?? ['piston_owa', 'jet_owa', 'cruise_missile', 'multirotor', 'fixed_wing_small', 'aircraft', 'helicopter', 'bird', 'clutter'];
  const detection: Record<string, unknown> = {
    locationType: latLng,
    detectionClassDefinition: [
      {
        confidenceDefinition: 'CONFIDENCE_DEFINITION_MULTI_CLASS',
        classDefinition: classes.map((type) => ({ type, units: 'probability (0-1)' })),
      },
    ],
  };
  if (o.behaviours !== undefined && o.behaviours.length > 0) detection.behaviourDefinition = o.behaviours.map((type) => ({ type, units: 'probability (0-1)' }));
  if (o.enuVelocity === true) detection.velocityType = { enuVelocityUnits: { eastNorthRateUnits: 'SPEED_UNITS_MS', upRateUnits: 'SPEED_UNITS_MS' }, locationDatum: 'LOCATION_DATUM_WGS84_E' };
  const mode: Record<string, unknown> = {
    modeName: o.mode ?? 'default',
    modeType: 'MODE_TYPE_PERMANENT',
    settleTime: { units: 'TIME_UNITS_SECONDS', value: 0 },
    detectionDefinition: [detection],
    task: { regionDefinition: { regionType: ['REGION_TYPE_AREA_OF_INTEREST'], regionArea: [latLng] } },
  };
  if (o.trackingType !== undefined) mode.trackingType = `TRACKING_TYPE_${o.trackingType}`;
  const extra: Record<string, unknown> = {};
  if (o.dependentNodes !== undefined && o.dependentNodes.length > 0) extra.dependentNodes = o.dependentNodes;
  return {
    ...header(h),
    registration: {
      nodeDefinition: [{ nodeType: `NODE_TYPE_${o.nodeType ?? 'FUSION_NODE'}` }],
      icdVersion: 'BSI Flex 335 v2.0',
      name: o.name,
      shortName: o.shortName,
      capabilities: [{ category: 'Tracking', type: 'Fused air tracks' }],
      statusDefinition: {
        statusInterval: { units: 'TIME_UNITS_SECONDS', value: o.statusIntervalS ?? 5 },
        locationDefinition: latLng,
      },
      modeDefinition: [mode],
      ...extra,
      configData: [{ manufacturer: o.manufacturer ?? 'Skywarden', model: o.model ?? 'Skywarden', softwareVersion: o.softwareVersion }],
    },
  };
}

/** Options of {@link buildDetectionReport}. */
export interface DetectionReportOptions {
  /** Report ULID; default a new one. */
  reportId?: string;
  /** Object (track) ULID or id, stable for the object. */
  objectId: string;
  /** A geodetic position (degrees, metres above the WGS84 ellipsoid, one-sigma errors in metres)… */
  position?: { latDeg: number; lonDeg: number; altM?: number; posSdM?: number; altSdM?: number };
  /** …or a range and bearing from the node (degrees, metres, true north). */
  rangeBearing?: { azimuthDeg: number; elevationDeg?: number; rangeM?: number; azimuthSdDeg?: number; elevationSdDeg?: number; rangeSdM?: number };
  /** Class confidences (0..1). */
  classes?: Record<string, number>;
  /** Velocity east, north, up (m/s), with one-sigma errors per axis (m/s). */
  velocity?: { ve: number; vn: number; vu?: number; veSd?: number; vnSd?: number; vuSd?: number };
  /** Behaviour confidences (0..1), e.g. `{ threat: 0.9 }` (declared in the Registration). */
  behaviours?: Record<string, number>;
  /** A special case in effect, e.g. `coasting` or `lost`. */
  state?: string;
  /** An id of the object itself (e.g. an aircraft's registration or ICAO address), field `id`. */
  externalId?: string;
}

/** DetectionReport in the location or the range-bearing form (exactly one must be given). */
export function buildDetectionReport(h: SapientHeader, o: DetectionReportOptions): SapientMessage {
  if ((o.position === undefined) === (o.rangeBearing === undefined)) throw new TypeError('a DetectionReport needs exactly one of position and rangeBearing');
  const dr: Record<string, unknown> = { reportId: o.reportId ?? createUlid(h.t), objectId: o.objectId };
  if (o.position !== undefined) {
    const p = o.position;
    const degY = p.posSdM !== undefined ? p.posSdM / 111_320 : undefined;
    const degX = degY !== undefined ? degY / Math.max(1e-6, Math.cos((p.latDeg * Math.PI) / 180)) : undefined;
    dr.location = {
      x: p.lonDeg, y: p.latDeg, z: p.altM, xError: degX, yError: degY, zError: p.altSdM,
      coordinateSystem: 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M', datum: 'LOCATION_DATUM_WGS84_E',
    };
  } else {
    const r = o.rangeBearing!;
    dr.rangeBearing = {
      azimuth: r.azimuthDeg, elevation: r.elevationDeg, range: r.rangeM, azimuthError: r.azimuthSdDeg, elevationError: r.elevationSdDeg, rangeError: r.rangeSdM,
      coordinateSystem: 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M', datum: 'RANGE_BEARING_DATUM_TRUE',
    };
  }
  if (o.classes !== undefined) {
    dr.classification = Object.entries(o.classes).map(([type, confidence]): SapientClassification => ({ type, confidence }));
  }
  if (o.velocity !== undefined) {
    const v = o.velocity;
    dr.enuVelocity = { eastRate: v.ve, northRate: v.vn, upRate: v.vu, eastRateError: v.veSd, northRateError: v.vnSd, upRateError: v.vuSd };
  }
  if (o.behaviours !== undefined) dr.behaviour = Object.entries(o.behaviours).map(([type, confidence]) => ({ type, confidence }));
  if (o.state !== undefined) dr.state = o.state;
  if (o.externalId !== undefined) dr.id = o.externalId;
  return { ...header(h), detectionReport: dr };
}
