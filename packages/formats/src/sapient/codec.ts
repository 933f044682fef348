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
 * Default of {@link SapientDecodeOptions.maxElements}: sub-messages and repeated values one
 * SapientMessage may hold. A real message holds a few dozen (the fullest Registration that
 * `buildRegistration` writes, 26; a DetectionReport, a few classifications); a 1 MB
 * DetectionReport of 80,000 `classification` entries took 300-500 ms to decode, all of it on
 * the caller's thread (an outside probe), 2,048 take a few milliseconds.
 */
export const DEFAULT_SAPIENT_MAX_ELEMENTS = 2048;

/** Default of {@link SapientDecodeOptions.maxDepth}: sub-messages nested in one another. */
export const DEFAULT_SAPIENT_MAX_DEPTH = 32;

/** Options of {@link decodeSapientMessage} and {@link scanSapientMessage}. */
export interface SapientDecodeOptions {
  /**
   * Most elements (every sub-message, nested ones included, and every value of a repeated
   * field) the message may hold; more is refused before it is decoded. Default
   * {@link DEFAULT_SAPIENT_MAX_ELEMENTS}.
   */
  maxElements?: number;
  /** Most levels of sub-messages; deeper is refused before it is decoded. Default {@link DEFAULT_SAPIENT_MAX_DEPTH}. */
  maxDepth?: number;
  /**
   * {@link decodeSapientMessage} only: the caller has scanned these very bytes with these limits
   * ({@link scanSapientMessage}) and they passed, so they are not scanned again.
   */
  scanned?: boolean;
}

/**
 * Result of {@link scanSapientMessage}: the message's kind and node id as its bytes give them,
 * and its elements, or why it is refused, with `limit` true when a limit of
 * {@link SapientDecodeOptions} refused it (elements, fields, depth) rather than its bytes.
 */
export type SapientScanResult = { ok: true; content?: SapientContent; nodeId?: string; elements: number } | { ok: false; reason: string; limit: boolean };

const utf8 = new TextDecoder();

/** `parent.name`, or `name` at the top. */
function fieldPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

/** Fields per element the budget allows (every field occurrence counts, scalars too): 8 per element. */
const FIELDS_PER_ELEMENT = 8;

/** The wire type a field's values are written with: protobufjs's own table for the scalar types; 2 for messages, 0 for enums. */
function wireTypeOf(field: protobuf.Field): number {
  if (field.resolvedType instanceof protobuf.Type) return 2;
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  return (protobuf.types.basic as Record<string, number | undefined>)[field.type] ?? 0;
}

/**
 * Reads the protobuf wire format of a SapientMessage payload without building any object, and
 * refuses, before anything is decoded:
 * - more than `maxElements` elements (sub-messages and values of repeated fields), or more than
 *   8 × `maxElements` fields in all (a megabyte of empty strings is no cheaper to decode than a
 *   megabyte of sub-messages);
 * - sub-messages nested deeper than `maxDepth`;
 * - bytes that are not well-formed: a varint or a length that runs past its message, a group
 *   (wire types 3 and 4, not proto3), or a known field written with another wire type than its
 *   own (protobufjs would read it anyway: a sub-message written as a varint hid its content from
 *   a scan that trusted the wire type, and a review decoded 80,000 elements past such a scan);
 * - more than one of the message's kinds (`content`): the decoder keeps one of them by its own
 *   rule, and the kind the scan reports must be the kind that is decoded.
 * It finds the `content` kind and the `node_id` (the last one, as decoding does). Its cost is one
 * pass over the bytes, with no allocation but the node id, decoded once: a transport can refuse
 * a message by its kind, its sender or its size before paying for {@link decodeSapientMessage}
 * (which decodes, converts to a plain object and walks it again). Never throws.
 */
export function scanSapientMessage(bytes: Uint8Array, opts: SapientDecodeOptions = {}): SapientScanResult {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: `a SAPIENT payload must be a Uint8Array, got ${typeof bytes}`, limit: false };
  const maxElements = opts.maxElements ?? DEFAULT_SAPIENT_MAX_ELEMENTS;
  const maxFields = FIELDS_PER_ELEMENT * maxElements;
  const maxDepth = opts.maxDepth ?? DEFAULT_SAPIENT_MAX_DEPTH;
  const M = sapientType('SapientMessage');
  const contentFields = new Set(M.oneofs?.content?.fieldsArray.map((f) => f.name) ?? []);
  let elements = 0;
  let fields = 0;
  /** Elements per field path, to name the field that broke the budget. */
  const perField = new Map<string, number>();
  let content: SapientContent | undefined;
  /** The last node_id's bytes (decoded once, at the end). */
  let nodeStart = -1;
  let nodeEnd = -1;
  let pos = 0;
  /** Set when a limit (not the bytes) refuses the message. */
  let overLimit = false;

  /** The next varint (at most 10 bytes) as a number, or -1 when it runs past `end`. */
  const varint = (end: number): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) return -1;
      const b = bytes[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    return -1;
  };
  const count = (path: string, n: number): string | undefined => {
    elements += n;
    const k = (perField.get(path) ?? 0) + n;
    perField.set(path, k);
    if (elements <= maxElements) return undefined;
    overLimit = true;
    return `SapientMessage holds more than ${maxElements} elements (sub-messages and repeated values, the limit): refused at ${path}, which holds ${k} of them this far`;
  };
  const malformed = (at: number, what: string, path: string): string => `SapientMessage is not well-formed protobuf at byte ${at}${path === '' ? '' : ` (in ${path})`}: ${what}`;

  /** Scans the fields of `type` in [pos, end); returns a refusal, else leaves pos at end. */
  const scan = (type: protobuf.Type, end: number, path: string, depth: number): string | undefined => {
    while (pos < end) {
      const at = pos;
      const tag = varint(end);
      if (tag < 0) return malformed(at, 'a field tag runs past the end', path);
      if (++fields > maxFields) {
        overLimit = true;
        return `SapientMessage holds more than ${maxFields} fields (${FIELDS_PER_ELEMENT} × the element limit ${maxElements}): refused at byte ${at}${path === '' ? '' : ` in ${path}`}`;
      }
      const no = Math.floor(tag / 8);
      const wire = tag % 8;
      const field = type.fieldsById[no];
      field?.resolve();
      /** The field's own wire type (-1 for a field this version of the standard does not know). */
      const own = field !== undefined ? wireTypeOf(field) : -1;
      if (field !== undefined) {
        // a repeated number may also be packed (wire type 2)
        const packable = field.repeated && own !== 2;
        if (wire !== own && !(packable && wire === 2)) return malformed(at, `field ${fieldPath(path, field.name)} is written with wire type ${wire}, not its own ${own}`, path);
      }
      // a field's path is built only for a counted element (at most maxElements + 1 of them), not for every scalar
      if (wire === 0) {
        if (varint(end) < 0) return malformed(at, 'a varint runs past the end', path);
        if (field?.repeated) {
          const r = count(fieldPath(path, field.name), 1);
          if (r !== undefined) return r;
        }
      } else if (wire === 1 || wire === 5) {
        pos += wire === 1 ? 8 : 4;
        if (pos > end) return malformed(at, 'a fixed-size value runs past the end', path);
        if (field?.repeated) {
          const r = count(fieldPath(path, field.name), 1);
          if (r !== undefined) return r;
        }
      } else if (wire === 2) {
        const len = varint(end);
        if (len < 0 || pos + len > end) return malformed(at, 'a length runs past the end', path);
        const start = pos;
        const stop = pos + len;
        if (field !== undefined) {
          if (field.resolvedType instanceof protobuf.Type) {
            const sub = fieldPath(path, field.name);
            const r = count(sub, 1);
            if (r !== undefined) return r;
            if (depth + 1 > maxDepth) {
              overLimit = true;
              return `SapientMessage nests sub-messages more than ${maxDepth} deep, at ${sub}`;
            }
            const r2 = scan(field.resolvedType, stop, sub, depth + 1);
            if (r2 !== undefined) return r2;
          } else if (field.repeated) {
            // a string or bytes value is one element; a packed number array holds one per value
            // (fixed 8 or 4 bytes each for wire types 1 and 5, else one varint each)
            let n = 1;
            if (own === 1 || own === 5) n = Math.ceil(len / (own === 1 ? 8 : 4));
            else if (own === 0) {
              n = 0;
              for (let i = start; i < stop; i++) if (bytes[i]! < 0x80) n++;
            }
            const r = count(fieldPath(path, field.name), n);
            if (r !== undefined) return r;
          }
          if (depth === 0 && contentFields.has(field.name)) {
            if (content !== undefined && content !== field.name) return `SapientMessage holds more than one kind of message (${content} and ${field.name}): one is allowed`;
            content = field.name as SapientContent;
          }
          if (depth === 0 && field.name === 'nodeId') {
            nodeStart = start;
            nodeEnd = stop;
          }
        }
        pos = stop;
      } else return malformed(at, `wire type ${wire} (groups are not proto3; 6 and 7 do not exist)`, path);
    }
    return undefined;
  };

  const refused = scan(M, bytes.length, '', 0);
  if (refused !== undefined) return { ok: false, reason: refused, limit: overLimit };
  return { ok: true, content, nodeId: nodeStart >= 0 ? utf8.decode(bytes.subarray(nodeStart, nodeEnd)) : undefined, elements };
}

/**
 * Decodes one SapientMessage payload (without the length prefix). Never throws: malformed
 * protobuf, a missing `timestamp`, `node_id` or message content are errors with a reason, and
 * so is a message of more elements or deeper nesting than `opts` allow
 * ({@link scanSapientMessage}, checked before anything is decoded).
 */
export function decodeSapientMessage(bytes: Uint8Array, opts: SapientDecodeOptions = {}): SapientDecodeResult {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: `a SAPIENT payload must be a Uint8Array, got ${typeof bytes}` };
  if (!opts.scanned) {
    const scanned = scanSapientMessage(bytes, opts);
    if (!scanned.ok) return { ok: false, reason: scanned.reason };
  }
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
