/**
 * Per-class kinematic models for identification: what horizontal speed, altitude, turn rate
 * and climb rate each class of the interchange spec plausibly shows. Numbers are open-source
 * figures widened for wind (ground speed, not airspeed), manoeuvres and estimation error; the
 * table with its sources and reasons is in docs/identification.md.
 *
 * Shapes:
 * - speed and altitude are "soft bands": a uniform density on [min, max] convolved with a
 *   Gaussian of standard deviation `soft` (a plateau with Gaussian shoulders). The convolution
 *   keeps it a proper density, so classes with narrow bands (a Shahed flies 42-60 m/s) earn
 *   more from a fitting observation than classes with broad ones (an aircraft flies 60-280
 *   m/s): Bayes' Occam factor. Convolving again with a Gaussian measurement error just widens
 *   the shoulders (sd √(soft² + σ²)), in closed form.
 * - turn and climb rates are tolerances, not densities: a rate inside the class's envelope is
 *   uninformative (factor 1), a rate beyond it is penalised with a Gaussian fall-off. We do not
 *   know the rate distributions of these classes well enough to reward a straight, level
 *   flight; we do know what they cannot do.
 * - every likelihood has a floor (see `LIKELIHOOD_FLOOR`), so no observation ever rules a
 *   class out: sensors err, tracks mis-associate, and targets do unusual things.
 */
import type { ClassLabel } from '../types.js';
import { normalInterval } from './special-functions.js';

/** A plateau on [min, max] with Gaussian shoulders of standard deviation `soft` (units of the quantity). */
export interface SoftBand {
  min: number;
  max: number;
  soft: number;
}

/** The kinematic model of one class. SI units: m/s, m (above the WGS84 ellipsoid), rad/s. */
export interface ClassKinematics {
  label: ClassLabel;
  /** Horizontal ground speed (m/s). */
  speed: SoftBand;
  /** Altitude (m above the ellipsoid, read as roughly above ground in lowland terrain). */
  altitude: SoftBand;
  /** Largest sustained turn rate (rad/s); Infinity: unconstrained. */
  turnRateMax: number;
  /** Shoulder of the turn-rate tolerance (rad/s). */
  turnRateSoft: number;
  /** Largest sustained climb rate (m/s, positive up); Infinity: unconstrained. */
  climbRateMax: number;
  /** Largest sustained descent rate (m/s, positive number); Infinity: unconstrained. */
  descentRateMax: number;
  /** Shoulder of the climb-rate tolerance (m/s). */
  climbRateSoft: number;
  /** Where the numbers come from (one line; the full table is in docs/identification.md). */
  rationale: string;
}

const DEG = Math.PI / 180;

/**
 * The class models, in the order of `CLASS_LABELS` (checked by the tests).
 * Turn rates are given in degrees per second in the comments, radians in the fields.
 */
export const CLASS_KINEMATICS: readonly ClassKinematics[] = Object.freeze([
  {
    label: 'piston_owa',
    // Shahed-136 / Geran-2: top speed about 185 km/h (51 m/s), cruise 150-185 km/h; wind moves
    // the ground speed by ±10 m/s. Flies 50-2500 m (low at first, higher to evade guns);
    // a 30° bank at 51 m/s turns 6.3°/s; climbs slowly (a few m/s), dives steeply onto the target.
    speed: { min: 42, max: 60, soft: 5 },
    altitude: { min: 50, max: 2500, soft: 150 },
    turnRateMax: 9 * DEG,
    turnRateSoft: 3 * DEG,
    climbRateMax: 5,
    descentRateMax: 60,
    climbRateSoft: 2,
    rationale: 'Shahed-136/Geran-2: cruise ~51 m/s (185 km/h), 50-2500 m, gentle turns, terminal dive',
  },
  {
    label: 'jet_owa',
    // Geran-3 / Shahed-238 (small turbojet): reported 500-650 km/h (140-180 m/s); altitude
    // poorly known, reported from low level to several km: broad on purpose.
    speed: { min: 130, max: 180, soft: 10 },
    altitude: { min: 50, max: 6000, soft: 500 },
    turnRateMax: 6 * DEG,
    turnRateSoft: 2 * DEG,
    climbRateMax: 20,
    descentRateMax: 100,
    climbRateSoft: 5,
    rationale: 'Geran-3/Shahed-238 jet: 130-180 m/s, 50-6000 m (poorly known)',
  },
  {
    label: 'cruise_missile',
    // Kh-101 cruise 190-200 m/s, up to 270 m/s; Kalibr and Tomahawk about 0.7-0.8 Mach
    // (240-270 m/s). Terrain following at 30-300 m for most of the flight (Kh-101 also flies
    // high legs, see the limits in the docs). 2 g at 230 m/s is 4.9°/s.
    speed: { min: 200, max: 270, soft: 15 },
    altitude: { min: 30, max: 300, soft: 120 },
    turnRateMax: 6 * DEG,
    turnRateSoft: 2 * DEG,
    climbRateMax: 40,
    descentRateMax: 150,
    climbRateSoft: 10,
    rationale: 'Kh-101/Kalibr/Tomahawk: 200-270 m/s, terrain following 30-300 m',
  },
  {
    label: 'multirotor',
    // DJI Mavic 3 class: top speed 21 m/s; most flights below 150 m above ground (the legal
    // limit in Korea and the EU is 150 m and 120 m), ceilings of a few km exist. Hovers, turns
    // on the spot, climbs and descends at 5-10 m/s. Racing/FPV drones exceed 30 m/s (a limit).
    speed: { min: 0, max: 25, soft: 5 },
    altitude: { min: 0, max: 500, soft: 100 },
    turnRateMax: 120 * DEG,
    turnRateSoft: 60 * DEG,
    climbRateMax: 10,
    descentRateMax: 10,
    climbRateSoft: 4,
    rationale: 'DJI-class quadcopters: 0-25 m/s, hover, mostly below 500 m, agile',
  },
  {
    label: 'fixed_wing_small',
    // Reconnaissance and hobby fixed-wing UAS: Orlan-10 cruises 90-150 km/h (25-42 m/s) up to
    // 5 km; hobby models 15-30 m/s low down. A 45° bank at 20 m/s turns 28°/s.
    speed: { min: 15, max: 40, soft: 5 },
    altitude: { min: 0, max: 3000, soft: 300 },
    turnRateMax: 35 * DEG,
    turnRateSoft: 10 * DEG,
    climbRateMax: 8,
    descentRateMax: 15,
    climbRateSoft: 3,
    rationale: 'Orlan-10 class and hobby UAS: 15-40 m/s, up to 3 km',
  },
  {
    label: 'aircraft',
    // From light aircraft on approach (the shoulder reaches 40 m/s) to jet airliners with
    // tail wind (the shoulder reaches 320 m/s), up to 12 km. Standard-rate turn 3°/s,
    // 30° bank at 60 m/s is 5.4°/s; airliners climb 10-15 m/s, military jets more.
    speed: { min: 60, max: 280, soft: 20 },
    altitude: { min: 0, max: 12000, soft: 500 },
    turnRateMax: 7 * DEG,
    turnRateSoft: 3 * DEG,
    climbRateMax: 40,
    descentRateMax: 40,
    climbRateSoft: 10,
    rationale: 'General aviation to airliners: 60-280 m/s, 0-12 km, standard-rate turns',
  },
  {
    label: 'helicopter',
    // Cruise 60-78 m/s (UH-60: 150 kn), hovers; mostly below 3000 m; turns hard at low speed.
    speed: { min: 0, max: 80, soft: 8 },
    altitude: { min: 0, max: 3000, soft: 300 },
    turnRateMax: 30 * DEG,
    turnRateSoft: 10 * DEG,
    climbRateMax: 15,
    descentRateMax: 15,
    climbRateSoft: 4,
    rationale: 'Helicopters: 0-80 m/s, hover, 0-3000 m',
  },
  {
    label: 'bird',
    // Radar-measured airspeeds of 138 species: 8-23 m/s (Alerstam et al. 2007; Bruderer &
    // Boldt 2001), ground speed with wind 5-25 m/s; most flight below 1 km; agile; raptors stoop.
    speed: { min: 5, max: 25, soft: 4 },
    altitude: { min: 0, max: 1000, soft: 200 },
    turnRateMax: 120 * DEG,
    turnRateSoft: 60 * DEG,
    climbRateMax: 5,
    descentRateMax: 30,
    climbRateSoft: 3,
    rationale: 'Birds: 5-25 m/s ground speed, 0-1000 m (Alerstam et al. 2007, Bruderer & Boldt 2001)',
  },
  {
    label: 'clutter',
    // False tracks: ground and weather returns, multipath, chains of false alarms. Any speed,
    // any height, erratic: a weak, broad density and no tolerances at all, so it collects what
    // nothing else explains.
    speed: { min: 0, max: 350, soft: 50 },
    altitude: { min: -200, max: 5000, soft: 500 },
    turnRateMax: Infinity,
    turnRateSoft: 1,
    climbRateMax: Infinity,
    descentRateMax: Infinity,
    climbRateSoft: 1,
    rationale: 'False tracks: anything, erratic; weak and broad',
  },
] satisfies ClassKinematics[]);

/**
 * Top ground speed of a class (m/s): the upper edge of its speed band plus two shoulder
 * widths, beyond which its speed likelihood has fallen below 2.3 % of the plateau's (70 m/s for
 * `piston_owa`, 200 for `jet_owa`, 300 for `cruise_missile`). Undefined for a label without a model.
 */
export function classTopSpeed(label: string): number | undefined {
  const k = CLASS_KINEMATICS.find((c) => c.label === label);
  return k ? k.speed.max + 2 * k.speed.soft : undefined;
}

/**
 * Weight of the outlier component mixed into every kinematic likelihood: a fraction ε = 0.01 of
 * observations is taken to come from outside the class model (gross errors, mis-associations,
 * unusual behaviour), spread broadly. It bounds the evidence of one full-weight observation
 * between two classes (about 8 nats for speed or altitude) and keeps every likelihood above 0.
 */
export const LIKELIHOOD_FLOOR = 0.01;

/** Range of the broad outlier density of speed (m/s): uniform on [0, 600]. */
export const SPEED_OUTLIER_MAX = 600;

/** Range of the broad outlier density of altitude (m): uniform on [−1000, 20000]. */
export const ALTITUDE_OUTLIER_MIN = -1000;
export const ALTITUDE_OUTLIER_MAX = 20000;

/**
 * Density at `x` of the soft band convolved with a further Gaussian error of standard deviation
 * `errorSd` (same units): P(min − x < e ≤ max − x)/(max − min) with e ~ N(0, soft² + errorSd²).
 * Integrates to 1 over the real line. Never negative; may underflow to 0 far out (callers add
 * the floor).
 */
export function softBandDensity(x: number, band: SoftBand, errorSd = 0): number {
  const s = Math.hypot(band.soft, errorSd);
  return normalInterval((band.min - x) / s, (band.max - x) / s) / (band.max - band.min);
}

/**
 * Density at `x ≥ 0` of a soft band for a non-negative quantity (speed): the band's density
 * folded at 0 (the mass of the shoulder below 0 reflected back), so that it integrates to 1
 * over [0, ∞) and a band starting at 0 is flat down to 0.
 */
export function foldedSoftBandDensity(x: number, band: SoftBand, errorSd = 0): number {
  return softBandDensity(x, band, errorSd) + softBandDensity(-x, band, errorSd);
}

/**
 * Tolerance factor in (0, 1] of a rate `x` against the envelope [lo, hi] (lo ≤ hi, either may
 * be infinite): 1 inside, exp(−d²/(2s²)) at a distance d outside, with s = √(soft² + errorSd²).
 */
export function toleranceFactor(x: number, lo: number, hi: number, soft: number, errorSd = 0): number {
  const d = x > hi ? x - hi : x < lo ? lo - x : 0;
  if (d === 0) return 1;
  const u = d / Math.hypot(soft, errorSd);
  return Math.exp(-0.5 * u * u);
}
