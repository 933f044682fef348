/**
 * Shared value types of the core. SI units, radians, seconds since the Unix epoch.
 * Degrees appear only in fields named `…Deg` (geodetic positions).
 */

/** A WGS84 geodetic position: latitude and longitude in degrees, altitude in metres above the ellipsoid. */
export interface GeoPoint {
  latDeg: number;
  lonDeg: number;
  altM: number;
}

/** Class labels of the interchange spec. */
export const CLASS_LABELS = [
  'piston_owa',
  'jet_owa',
  'cruise_missile',
  'multirotor',
  'fixed_wing_small',
  'aircraft',
  'helicopter',
  'bird',
  'clutter',
] as const;
export type ClassLabel = (typeof CLASS_LABELS)[number];

/** A sensor as registered (sensors.json), with defaults resolved to SI units and radians. */
export interface Sensor {
  id: string;
  /** `acoustic`, `radar`, `observer`, `rf`, `eo`, `adsb`, `remote_id` or another word. */
  kind: string;
  /** Fixed position; undefined for a mobile sensor (its detections carry their own position). */
  position?: GeoPoint;
  /** Maximum detection range (m); for presence sensors the radius of the detection disc. */
  rangeMax?: number;
  /** Default one-sigma errors of its detections (rad, m). */
  bearingSd?: number;
  elevationSd?: number;
  rangeSd?: number;
  posSd?: number;
  altSd?: number;
  /** Probability of detection inside its range, 0..1. */
  pd?: number;
  /** Expected false detections per hour. */
  farPerHour?: number;
}

interface DetectionBase {
  /** Measurement time, seconds since the Unix epoch. */
  t: number;
  sensorId: string;
  /** Kind of the sensor (`acoustic`, `radar`, `observer`, ...), when known: acoustic
   *  detections are corrected for the sound's travel time. */
  sensorKind?: string;
  /** The sensor's maximum detection range (m), when known (sensors.json `range_m`). */
  sensorRange?: number;
  /** Unique detection id, if the source gave one. */
  id?: string;
  /** Position of the sensor at `t` (from the detection for mobile sensors, else from the sensor). */
  sensorPosition?: GeoPoint;
  snrDb?: number;
  /** Class likelihoods, label to probability. */
  classHint?: Partial<Record<string, number>>;
  /** Cooperative identity known to the sensor (ADS-B ICAO address, Remote ID serial). */
  cooperativeId?: string;
}

/** A reported target position (observer estimate, cooperative position report, a fused plot). */
export interface PositionDetection extends DetectionBase {
  type: 'position';
  position: GeoPoint;
  /** True when the report gave no altitude (then `position.altM` is a placeholder). */
  hasAltitude: boolean;
  /** Horizontal one-sigma error (m). */
  posSd: number;
  /** Vertical one-sigma error (m). */
  altSd: number;
}

/** Range and bearing (and optionally elevation and range rate) in the sensor's ENU frame. */
export interface RangeBearingDetection extends DetectionBase {
  type: 'range_bearing';
  /** Slant range (m). */
  range: number;
  /** Bearing clockwise from true north (rad, [0, 2π)). */
  bearing: number;
  /** Elevation above the local horizontal (rad), if measured. */
  elevation?: number;
  rangeSd: number;
  bearingSd: number;
  elevationSd: number;
  /** Radial speed (m/s, positive moving away), if measured. */
  rangeRate?: number;
  rangeRateSd: number;
}

/** A direction only. */
export interface BearingDetection extends DetectionBase {
  type: 'bearing';
  bearing: number;
  elevation?: number;
  bearingSd: number;
  elevationSd: number;
}

/** "Something is within `range` of me" (omnidirectional microphone). */
export interface PresenceDetection extends DetectionBase {
  type: 'presence';
  /** Radius of the detection disc (m). */
  range: number;
}

export type Detection = PositionDetection | RangeBearingDetection | BearingDetection | PresenceDetection;
export type DetectionType = Detection['type'];
