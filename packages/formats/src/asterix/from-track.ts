/**
 * From the live service's tracks (TrackWire) to CAT062 system tracks, and a track-number
 * allocator (CAT062 track numbers are 16-bit integers; Skywarden track ids are strings).
 */
import { createEnuFrame, geodeticToEnu, type GeoPoint } from '@skywarden/core';
import type { TrackWire } from '../live/wire.js';
import type { Cat062Track } from './cat062.js';

/** Options of {@link trackWireToCat062}. */
export interface TrackWireToCat062Options {
  sac: number;
  sic: number;
  serviceId?: number;
  /** The track number from a {@link TrackNumberAllocator}. */
  trackNumber: number;
  /** First message for this track (I062/080 TSB). */
  first?: boolean;
  /** Last message for this track (I062/080 TSE). */
  last?: boolean;
  /** Time since the track began (s), for I062/290 TRK. */
  ageS?: number;
  /**
   * System reference point for I062/100. Positions are written on the local east-north plane
   * (ENU) at that point, both points taken on the ellipsoid (altitudes ignored); the
   * standard's stereographic plane differs by under 10 m within 100 km.
   * Default: no I062/100.
   */
  referencePoint?: GeoPoint;
  /** I062/080 SRC: where the altitude comes from (default 3, triangulation: fused sensor bearings; 1, GNSS, for a track with an ICAO address: ADS-B). */
  altitudeSource?: number;
  /** I062/080 SIM: a simulated track (demo and replay modes). */
  simulated?: boolean;
  /**
   * Write the track's class as a designator in I062/245 (STI 1, "callsign not downlinked from
   * the target"; {@link CAT062_CLASS_DESIGNATORS}). Default true. The standard's note on
   * I062/245 asks not to use the item when a callsign travels in I062/380 or I062/390, which
   * Skywarden never writes; docs/standards.md explains the choice.
   */
  classInCallsign?: boolean;
  /**
   * Whether a contributing sensor is cooperative (ADS-B, Remote ID): gives I062/080 SDS
   * (combined, co-operative only, non-cooperative only). Without it SDS is "non-cooperative
   * only" for a track without a cooperative id and "not defined" for one with.
   */
  isCooperativeSensor?: (sensorId: string) => boolean;
}

/**
 * Skywarden's class labels as I062/245 designators (8 characters at most, ICAO 6-bit alphabet:
 * A-Z, 0-9, space). Labels not listed (`unknown`) give {@link CAT062_UNKNOWN_DESIGNATOR}.
 */
export const CAT062_CLASS_DESIGNATORS: Readonly<Record<string, string>> = Object.freeze({
  piston_owa: 'UAV OWAP',
  jet_owa: 'UAV OWAJ',
  cruise_missile: 'MISSILE',
  multirotor: 'UAV RW',
  fixed_wing_small: 'UAV FW',
  aircraft: 'ACFT',
  helicopter: 'HELO',
  bird: 'BIRD',
  clutter: 'CLUTTER',
});
/** The I062/245 designator of a label without one of its own. */
export const CAT062_UNKNOWN_DESIGNATOR = 'UNKNOWN';

/** The I062/245 designator of a class label. */
export function classDesignator(label: string): string {
  return Object.hasOwn(CAT062_CLASS_DESIGNATORS, label) ? CAT062_CLASS_DESIGNATORS[label]! : CAT062_UNKNOWN_DESIGNATOR;
}

/** Class labels whose track Skywarden takes for a false one (I062/080 PFT). */
const FALSE_TRACK_LABELS = new Set(['clutter']);

/** The 24-bit ICAO address in a cooperative id of six hexadecimal digits (ADS-B), else undefined. */
export function icaoAddressOf(cooperativeId: string | undefined): number | undefined {
  return cooperativeId !== undefined && /^[0-9A-Fa-f]{6}$/.test(cooperativeId) ? parseInt(cooperativeId, 16) : undefined;
}

/**
 * Converts a live track to a CAT062 system track (coasting sets I062/080 CST): I062/500 from the
 * track's one-sigmas, I062/380 ADR from an ICAO address in its cooperative id, I062/245 the class
 * designator of its label (unless `classInCallsign` is false), I062/080 SDS from its sensors and
 * PFT for a track labelled clutter.
 */
export function trackWireToCat062(track: TrackWire, opts: TrackWireToCat062Options): Cat062Track {
  const hasAlt = track.alt_m !== undefined;
  const icao = icaoAddressOf(track.cooperative_id);
  const out: Cat062Track = {
    sac: opts.sac,
    sic: opts.sic,
    serviceId: opts.serviceId,
    t: track.t,
    latDeg: track.lat,
    lonDeg: track.lon,
    ve: track.ve_mps,
    vn: track.vn_mps,
    vu: track.vu_mps,
    trackNumber: opts.trackNumber,
    altM: track.alt_m,
    ageS: opts.ageS,
    status: {
      monosensor: track.sensors.length === 1,
      geometricAltitudeMoreReliable: hasAlt,
      altitudeSource: hasAlt ? (opts.altitudeSource ?? (icao !== undefined ? 1 : 3)) : 0,
      tentative: false,
      simulated: opts.simulated,
      first: opts.first,
      last: opts.last,
      coasting: track.status === 'coasting',
      sources: sourcesOf(track, opts.isCooperativeSensor),
      potentiallyFalse: FALSE_TRACK_LABELS.has(track.label),
    },
  };
  if (opts.classInCallsign ?? true) out.targetId = { sti: 1, chars: classDesignator(track.label) };
  if (Number.isFinite(track.pos_sd_m) && track.pos_sd_m >= 0) {
    out.accuracy = { positionSdM: track.pos_sd_m };
    if (track.vel_sd_mps !== undefined && Number.isFinite(track.vel_sd_mps)) out.accuracy.velocitySdMps = track.vel_sd_mps;
  }
  if (icao !== undefined) out.targetAddress = icao;
  if (opts.referencePoint !== undefined) {
    // Both points on the ellipsoid: a target's height must not leak into x and y.
    const ref = opts.referencePoint;
    const enu = geodeticToEnu(createEnuFrame({ latDeg: ref.latDeg, lonDeg: ref.lonDeg, altM: 0 }), { latDeg: track.lat, lonDeg: track.lon, altM: 0 });
    out.cartesian = { x: enu[0]!, y: enu[1]! };
  }
  return out;
}

/** I062/080 SDS: 0 combined, 1 co-operative only, 2 non-cooperative only, 3 not defined. */
function sourcesOf(track: TrackWire, isCoop: ((id: string) => boolean) | undefined): number {
  if (isCoop === undefined || track.sensors.length === 0) return track.cooperative_id === undefined ? 2 : 3;
  const n = track.sensors.filter((s) => isCoop(s)).length;
  return n === 0 ? 2 : n === track.sensors.length ? 1 : 0;
}

/** Gives each track id a CAT062 track number and takes it back when the track ends. */
export interface TrackNumberAllocator {
  /** The track's number, allocating the next free one (1..max, cycling) for a new id. */
  get(trackId: string): number;
  /** Frees the track's number (after its last message, TSE). */
  release(trackId: string): void;
  /** Number of tracks holding a number. */
  readonly size: number;
}

/**
 * Creates a {@link TrackNumberAllocator} over 1..`max` (default 65535). Numbers are reused only
 * after a full cycle, so a consumer does not confuse a new track with one just ended. Throws when
 * all numbers are held.
 */
export function createTrackNumberAllocator(max = 65535): TrackNumberAllocator {
  if (!Number.isInteger(max) || max < 1 || max > 65535) throw new RangeError(`max must be an integer within [1, 65535], got ${max}`);
  const byId = new Map<string, number>();
  const used = new Set<number>();
  let next = 1;
  return {
    get(trackId: string): number {
      const have = byId.get(trackId);
      if (have !== undefined) return have;
      if (used.size >= max) throw new RangeError(`all ${max} CAT062 track numbers are in use`);
      while (used.has(next)) next = next >= max ? 1 : next + 1;
      const n = next;
      next = next >= max ? 1 : next + 1;
      byId.set(trackId, n);
      used.add(n);
      return n;
    },
    release(trackId: string): void {
      const n = byId.get(trackId);
      if (n === undefined) return;
      byId.delete(trackId);
      used.delete(n);
    },
    get size(): number {
      return byId.size;
    },
  };
}
