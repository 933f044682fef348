/**
 * Encoding and decoding of SAPIENT (BSI Flex 335 v2.0) SapientMessage protobufs. Decoded
 * messages are plain objects with camelCase field names (`nodeId`, `detectionReport`), enum
 * values as their names (`LOCATION_DATUM_WGS84_E`), 64-bit integers as numbers, and the
 * name of the set `oneof` member in `content` (and `locationOneof` in a DetectionReport).
 */
import protobuf from 'protobufjs';
import { sapientType } from './schema.js';

/** google.protobuf.Timestamp. */
export interface SapientTimestamp {
  seconds?: number;
  nanos?: number;
}

/** Location (location.proto): x longitude, y latitude, z altitude; errors in the same units. */
export interface SapientLocation {
  x?: number;
  y?: number;
  z?: number;
  xError?: number;
  yError?: number;
  zError?: number;
  coordinateSystem?: string;
  datum?: string;
  utmZone?: string;
}

/** RangeBearing (range_bearing.proto). */
export interface SapientRangeBearing {
  elevation?: number;
  azimuth?: number;
  range?: number;
  elevationError?: number;
  azimuthError?: number;
  rangeError?: number;
  coordinateSystem?: string;
  datum?: string;
}

/** A classification of a DetectionReport, with its sub-classes. */
export interface SapientClassification {
  type?: string;
  confidence?: number;
  subClass?: SapientClassification[];
  level?: number;
}

/** DetectionReport (detection_report.proto), the fields Skywarden reads. */
export interface SapientDetectionReport {
  reportId?: string;
  objectId?: string;
  taskId?: string;
  state?: string;
  rangeBearing?: SapientRangeBearing;
  location?: SapientLocation;
  locationOneof?: 'rangeBearing' | 'location';
  detectionConfidence?: number;
  classification?: SapientClassification[];
  enuVelocity?: { eastRate?: number; northRate?: number; upRate?: number };
  id?: string;
  [other: string]: unknown;
}

/** The message kinds a SapientMessage carries (its `content` oneof). */
export type SapientContent =
  | 'registration'
  | 'registrationAck'
  | 'statusReport'
  | 'detectionReport'
  | 'task'
  | 'taskAck'
  | 'alert'
  | 'alertAck'
  | 'error';

/** SapientMessage as a plain object. */
export interface SapientMessage {
  timestamp?: SapientTimestamp;
  nodeId?: string;
  destinationId?: string;
  content?: SapientContent;
  registration?: Record<string, unknown>;
  registrationAck?: { acceptance?: boolean; ackResponseReason?: string[] };
  statusReport?: Record<string, unknown>;
  detectionReport?: SapientDetectionReport;
  task?: Record<string, unknown>;
  taskAck?: Record<string, unknown>;
  alert?: Record<string, unknown>;
  alertAck?: Record<string, unknown>;
  error?: { packet?: Uint8Array; errorMessage?: string[] };
  additionalInformation?: string;
}

/** Result of {@link decodeSapientMessage}. */
export type SapientDecodeResult = { ok: true; message: SapientMessage } | { ok: false; reason: string };

/** Seconds since the Unix epoch of a Timestamp. */
export function sapientTimeToSeconds(ts: SapientTimestamp): number {
  return (ts.seconds ?? 0) + (ts.nanos ?? 0) / 1e9;
}

const SECONDS_PER_TIME_UNIT: Record<string, number> = {
  TIME_UNITS_NANOSECONDS: 1e-9,
  TIME_UNITS_MICROSECONDS: 1e-6,
  TIME_UNITS_MILLISECONDS: 1e-3,
  TIME_UNITS_SECONDS: 1,
  TIME_UNITS_MINUTES: 60,
  TIME_UNITS_HOURS: 3600,
  TIME_UNITS_DAYS: 86400,
};

/**
 * Seconds of a Registration `Duration` (`{units, value}`, e.g. the status definition's
 * `statusInterval`), or null when its units are unspecified or unknown or its value is not a
 * positive finite number.
 */
export function sapientDurationToSeconds(d: unknown): number | null {
  if (d === null || typeof d !== 'object') return null;
  const { units, value } = d as { units?: unknown; value?: unknown };
  const k = typeof units === 'string' ? SECONDS_PER_TIME_UNIT[units] : undefined;
  if (k === undefined || typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  return value * k;
}

/** A Timestamp of seconds since the Unix epoch. */
export function secondsToSapientTime(t: number): SapientTimestamp {
  if (!Number.isFinite(t)) throw new RangeError(`a SAPIENT time must be finite, got ${t}`);
  let seconds = Math.floor(t);
  let nanos = Math.round((t - seconds) * 1e9);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return { seconds, nanos };
}

/**
 * Decodes one SapientMessage payload (without the length prefix). Never throws: malformed
 * protobuf, a missing `timestamp`, `node_id` or message content are errors with a reason.
 */
export function decodeSapientMessage(bytes: Uint8Array): SapientDecodeResult {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: `a SAPIENT payload must be a Uint8Array, got ${typeof bytes}` };
  const M = sapientType('SapientMessage');
  let obj: SapientMessage;
  try {
    const decoded = M.decode(bytes);
    obj = M.toObject(decoded, { longs: Number, enums: String, oneofs: true, defaults: false }) as SapientMessage;
  } catch (e) {
    return { ok: false, reason: `not a valid SapientMessage protobuf: ${e instanceof Error ? e.message : String(e)}` };
  }
  stripVirtualOneofs(obj as Record<string, unknown>);
  if (obj.timestamp === undefined) return { ok: false, reason: 'SapientMessage lacks its timestamp (mandatory)' };
  const t = sapientTimeToSeconds(obj.timestamp);
  if (!Number.isFinite(t)) return { ok: false, reason: 'SapientMessage timestamp is not a finite time' };
  if (obj.nodeId === undefined || obj.nodeId === '') return { ok: false, reason: 'SapientMessage lacks its node_id (mandatory)' };
  if (obj.content === undefined) return { ok: false, reason: 'SapientMessage carries no message (registration, status_report, detection_report, ...)' };
  return { ok: true, message: obj };
}

/**
 * protobufjs represents proto3 `optional` fields as synthetic oneofs named `_field`; with
 * `oneofs: true` those names appear on the object. They carry no information: remove them.
 */
function stripVirtualOneofs(o: Record<string, unknown>): void {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (k.charCodeAt(0) === 95 && typeof v === 'string') delete o[k];
    else if (Array.isArray(v)) {
      for (const e of v) if (e !== null && typeof e === 'object' && !(e instanceof Uint8Array)) stripVirtualOneofs(e as Record<string, unknown>);
    } else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) stripVirtualOneofs(v as Record<string, unknown>);
  }
}

/**
 * Encodes a SapientMessage (plain object as {@link decodeSapientMessage} returns; enum values by
 * name or number) to protobuf bytes, without the length prefix. Throws on an object that does
 * not fit the schema (a programmer error), naming the field.
 */
export function encodeSapientMessage(message: SapientMessage): Uint8Array {
  const M = sapientType('SapientMessage');
  const err = checkFields(M, message as Record<string, unknown>, 'SapientMessage');
  if (err !== undefined) throw new TypeError(`SapientMessage does not fit the schema: ${err}`);
  const msg = M.fromObject(message as Record<string, unknown>);
  const err2 = M.verify(msg);
  if (err2 !== null) throw new TypeError(`SapientMessage does not fit the schema: ${err2}`);
  return M.encode(msg).finish();
}

/** Oneof names that decoded objects carry (`content`, `locationOneof`, ...): accepted and ignored. */
function isOneofName(type: protobuf.Type, key: string): boolean {
  return type.oneofs !== undefined && Object.prototype.hasOwnProperty.call(type.oneofs, key);
}

/** Checks field names and enum values of a plain object against `type`; returns the first problem. */
function checkFields(type: protobuf.Type, obj: Record<string, unknown>, path: string): string | undefined {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return `${path} must be an object`;
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || value === null) continue;
    const field = type.fields[key];
    if (field === undefined) {
      if (isOneofName(type, key)) continue;
      return `${path}.${key} is not a field of ${type.name}`;
    }
    const values = field.repeated ? (Array.isArray(value) ? value : null) : [value];
    if (values === null) return `${path}.${key} must be an array`;
    field.resolve();
    for (const v of values) {
      if (field.resolvedType instanceof protobuf.Enum) {
        const e = field.resolvedType;
        const ok = typeof v === 'string' ? Object.prototype.hasOwnProperty.call(e.values, v) : typeof v === 'number' && Object.values(e.values).includes(v);
        if (!ok) return `${path}.${key} must be one of ${Object.keys(e.values).join(', ')}, got ${JSON.stringify(v)}`;
      } else if (field.resolvedType instanceof protobuf.Type && !(v instanceof Uint8Array)) {
        const err = checkFields(field.resolvedType, v as Record<string, unknown>, `${path}.${key}`);
        if (err !== undefined) return err;
      }
    }
  }
  return undefined;
}
