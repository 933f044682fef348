/**
 * Built-in default measurement errors of the interchange reader (spec/interchange.md: "A missing
 * error field takes the sensor's default, then a documented built-in default").
 *
 * Precedence when a detection is decoded, field by field:
 *   1. the error given on the detection line (`bearing_sd_deg`, `range_sd_m`, ...);
 *   2. the sensor's default from sensors.json;
 *   3. the built-in default below for the sensor's `kind` (exact, case-sensitive match);
 *   4. the built-in default for any other kind (`other`).
 *
 * The table is written in interchange units (degrees, metres, m/s), one standard deviation of a
 * Gaussian error. {@link builtinErrors} gives the same values in SI units and radians, as the
 * core wants them.
 *
 * Why these values (orders of magnitude of fielded systems, deliberately a little pessimistic so
 * that an unconfigured sensor is trusted less, not more):
 * - `radar`: a small pulse-Doppler counter-UAS radar: 30 m in range, 1 deg in azimuth and
 *   elevation, 1 m/s in radial speed.
 * - `acoustic`: a microphone array: 8 deg in bearing, 10 deg in elevation; any range it reports
 *   is a rough guess (300 m).
 * - `observer`: a person with a phone compass: 12 deg in bearing, 15 deg in elevation; a
 *   position estimate by eye is good to about 500 m horizontally and 300 m vertically.
 * - `rf`: an RF direction finder: 5 deg in bearing, 10 deg in elevation, 500 m in range.
 * - `eo`: an electro-optical / infrared camera on a pan-tilt: 0.5 deg; 50 m in range
 *   (laser range finder or stereo).
 * - `adsb`: an ADS-B position report (GNSS, NACp about 8): 30 m horizontal; barometric
 *   altitude in 25 ft steps: 15 m vertical.
 * - `remote_id`: a Remote ID broadcast (ASTM F3411, the drone's own GNSS): 30 m horizontal,
 *   30 m vertical (GNSS height is worse than its horizontal position).
 * - `other`: any other kind: 50 m in range and position, 3 deg in angles, 100 m in altitude.
 * - Range rate: 1 m/s for every kind.
 * - `presenceRangeM`: a `presence` detection with no `range_m` on the line and no `range_m` on
 *   its sensor means "within 2000 m".
 */
import { DEFAULT_PRESENCE_RANGE_M } from '@skywarden/core';

/** Default one-sigma errors of one sensor kind, in interchange units. */
export interface BuiltinErrorsRow {
  /** Range error (m). */
  readonly rangeSdM: number;
  /** Bearing error (degrees). */
  readonly bearingSdDeg: number;
  /** Elevation error (degrees). */
  readonly elevationSdDeg: number;
  /** Horizontal position error (m). */
  readonly posSdM: number;
  /** Vertical position error (m). */
  readonly altSdM: number;
  /** Range-rate error (m/s). */
  readonly rangeRateSdMps: number;
}

/** Default one-sigma errors of one sensor kind in SI units and radians (core naming). */
export interface BuiltinErrors {
  /** Range error (m). */
  readonly rangeSd: number;
  /** Bearing error (rad). */
  readonly bearingSd: number;
  /** Elevation error (rad). */
  readonly elevationSd: number;
  /** Horizontal position error (m). */
  readonly posSd: number;
  /** Vertical position error (m). */
  readonly altSd: number;
  /** Range-rate error (m/s). */
  readonly rangeRateSd: number;
}

const row = (
  rangeSdM: number,
  bearingSdDeg: number,
  elevationSdDeg: number,
  posSdM: number,
  altSdM: number,
  rangeRateSdMps: number,
): BuiltinErrorsRow => Object.freeze({ rangeSdM, bearingSdDeg, elevationSdDeg, posSdM, altSdM, rangeRateSdMps });

/**
 * The built-in defaults (interchange units: metres, degrees, m/s). Frozen; see the module
 * documentation for the reasons behind each value.
 */
export const BUILTIN_DEFAULTS = Object.freeze({
  /** Per sensor kind. Keys are the spec's kind words. */
  kinds: Object.freeze({
    //            range_sd_m  bearing_sd_deg  elevation_sd_deg  pos_sd_m  alt_sd_m  range_rate_sd_mps
    radar: row(30, 1, 1, 50, 100, 1),
    acoustic: row(300, 8, 10, 300, 200, 1),
    observer: row(1000, 12, 15, 500, 300, 1),
    rf: row(500, 5, 10, 100, 100, 1),
    eo: row(50, 0.5, 0.5, 50, 50, 1),
    adsb: row(50, 1, 1, 30, 15, 1),
    remote_id: row(50, 1, 1, 30, 30, 1),
  }),
  /** For any kind not listed in `kinds`. */
  other: row(50, 3, 3, 50, 100, 1),
  /** Radius (m) of a `presence` detection when neither the line nor the sensor gives `range_m`. */
  presenceRangeM: DEFAULT_PRESENCE_RANGE_M,
});

const DEG = Math.PI / 180;

function toSi(r: BuiltinErrorsRow): BuiltinErrors {
  return Object.freeze({
    rangeSd: r.rangeSdM,
    bearingSd: r.bearingSdDeg * DEG,
    elevationSd: r.elevationSdDeg * DEG,
    posSd: r.posSdM,
    altSd: r.altSdM,
    rangeRateSd: r.rangeRateSdMps,
  });
}

const SI_OTHER = toSi(BUILTIN_DEFAULTS.other);
const SI_BY_KIND: ReadonlyMap<string, BuiltinErrors> = new Map(
  Object.entries(BUILTIN_DEFAULTS.kinds).map(([k, r]) => [k, toSi(r)] as const),
);

/**
 * The built-in default errors for a sensor kind, in SI units and radians (frozen, shared; no
 * allocation per call). Unknown kinds get {@link BUILTIN_DEFAULTS}`.other`.
 */
export function builtinErrors(kind: string): BuiltinErrors {
  return SI_BY_KIND.get(kind) ?? SI_OTHER;
}

/** Radius (m) of a `presence` detection when neither the line nor the sensor gives one. */
export const DEFAULT_PRESENCE_RANGE = BUILTIN_DEFAULTS.presenceRangeM;
