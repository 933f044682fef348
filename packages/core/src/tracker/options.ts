/**
 * Options of the multi-target tracker, with their defaults. Units: SI (m, s, m/s, m²/s³).
 */
import { BIRTH_LIMIT_DEFAULTS, checkBirthLimit, type BirthLimit } from './birth-limiter.js';
import type { ClassLabel, GeoPoint, Sensor } from '../types.js';
import { CLOUD_KERNEL, resolveAdaptive, type AdaptiveCount } from '../acoustic/particle-cloud.js';
import { checkRangeScalePrior, type RangeScalePrior } from '../acoustic/range-scale.js';
import type { LevelEvidence } from '../acoustic/cloud-filter.js';
import { checkStationary, STATIONARY_DEFAULTS, type StationaryOptions } from './stationary.js';
import { normalQuantile } from '../math/normal.js';

export interface MotionMode {
  qHorizontal: number;
  qVertical: number;
  meanDuration: number;
}

export interface TrackerOptions {
  /** Origin of the tracker's global Cartesian ENU frame (required): pick the centre of the sensor network. */
  origin: GeoPoint;
  /**
   * Motion models of the interacting multiple model filter (Blom & Bar-Shalom 1988): each a
   * nearly-constant-velocity model with its own horizontal and vertical acceleration noise
   * densities (m²/s³) and the mean time (s) a target stays in it. Default: a quiet model for
   * straight legs (qH 0.5, qV 0.05, 60 s) and a manoeuvre model for turns, climbs and dives
   * (qH 30, qV 2, 15 s). One mode gives a plain NCV Kalman filter.
   */
  motionModes: readonly MotionMode[];
  /** Initial probabilities of the modes (normalised). Default [0.7, 0.3]. */
  initialModeProbabilities: readonly number[];
  /** Probability that a true detection falls inside the gate (chi-square quantile per dimension). Default 0.999. */
  gateProbability: number;
  /** Initial velocity one-sigma, horizontal (m/s) for a track started from one detection. Default 80. */
  initVelocitySdH: number;
  /** Initial velocity one-sigma, vertical (m/s). Default 8. */
  initVelocitySdV: number;
  /** Altitude assumed when a detection gives none (m above the ellipsoid). Default 500. */
  assumedAltitude: number;
  /** One-sigma of that assumed altitude (m). Default 700. */
  assumedAltitudeSd: number;
  /** Associated detections that confirm a tentative track. Default 4 (3 let chains of radar clutter through, see docs/tracker.md). */
  confirmHits: number;
  /** The clutter map of births (birth-limiter.ts): at most `max` new tracks per `cellM` square per `windowS`. Default 20 per 1 km² per 30 s. */
  birthLimit: BirthLimit;
  /** A tentative track is confirmed only while the normalised innovations of its detections
   *  pass a chi-square test at this probability (a consistency check that holds chains of
   *  clutter back). Default 0.99. */
  confirmConsistency: number;
  /** A confirmed track with fewer detections than this is deleted as soon as it would coast. Default 8. */
  matureHits: number;
  /** A tentative track with no detection for this long (s) is deleted. Default 12. */
  tentativeTimeout: number;
  /** A confirmed track with no detection for this long (s) is reported as coasting. Default 6. */
  coastAfter: number;
  /** A track with no detection for this long (s) is deleted. Default 15: long enough for two or three missed radar scans; a lost target's track then does not linger as a false one. */
  deleteAfter: number;
  /** A track whose horizontal position one-sigma exceeds this (m) is deleted. Default 3000. */
  maxPositionSd: number;
  /** Two confirmed tracks closer than this horizontally (m), with velocities within `mergeSpeed`, are merged. Default 150. */
  mergeDistance: number;
  /** Two confirmed tracks whose positions and horizontal velocities agree within their
   *  uncertainties (chi-square on 5 degrees of freedom at this probability) are merged too. Default 0.99. */
  mergeProbability: number;
  /** ...but never farther apart than this (m). Default 3000. */
  mergeMaxDistance: number;
  /** Default 10 m/s. */
  mergeSpeed: number;
  /** Two detections of one sensor closer in time than this (s) are taken as one scan: they cannot both update the same track. Default 0.05. */
  sameScanWindow: number;
  /** Speed of sound (m/s) for the travel-time correction of acoustic detections; 0 turns it off. Default 343 (20 °C). */
  soundSpeed: number;
  /** Reach (m) of bearing sensors that state no range, by sensor kind. */
  bearingReach: Readonly<Record<string, number>>;
  /** Unassigned bearings wait this long (s) for a bearing from another sensor to cross. Default 10. */
  bearingInitWindow: number;
  /** Two bearings must cross at least at this angle (rad) to start a track. Default 10°. */
  minCrossingAngle: number;
  /** Unassigned presence detections wait this long (s) for others to localise the target. Default 6. */
  presenceInitWindow: number;
  /** Distinct presence sensors hearing at once that start a track. Default 2. */
  presenceInitSensors: number;
  /** Highest speed (m/s) of a target, for the time slack of bearing and presence initiation. Default 300. */
  maxSpeed: number;
  /** Prior class probabilities of a new track (docs/identification.md); default the raid prior. */
  classPrior?: Partial<Record<ClassLabel, number>>;
  /** Cell size of the spatial index used to pre-filter gating (m). Default 2000. */
  gridCell: number;
  /** Horizontal position one-sigma above which `alt_m` is reported as unobservable (m). Default 600. */
  altitudeObservableSd: number;
  /**
   * Lowest altitude of a target (m above the WGS84 ellipsoid): the filter's estimate is truncated
   * at it after each update (filters/truncate.ts). Default -500: below any land (the Dead Sea's
   * shore is about 430 m below sea level), so it only stops an estimate going underground.
   */
  altitudeFloor: number;
  /**
   * The sensors (sensors.json): acoustic nodes with a fixed position and a range make the
   * acoustic network of particle-cloud tracks and negative information (acoustic/). Default
   * none: presence reports are then fused as discs only.
   */
  sensors: readonly Sensor[];
  /** Whether acoustic nodes in `sensors` get particle-cloud tracks (single-node initiation, negative information). Default true. */
  acousticClouds: boolean;
  /** Whether a new acoustic track draws its headings from those the raid's other tracks flew nearby (acoustic/flow-prior.ts). Default true. */
  acousticFlowPrior: boolean;
  /**
   * Whether a lone array whose bearings sweep (a moving source: acoustic/bearing-sweep.ts) starts
   * a track after the single-node run's `minSpan` instead of waiting for the array's 20 s.
   * Default true (docs/tracker.md "A lone array's sweep").
   */
  acousticArraySweep: boolean;
  /**
   * Whether each acoustic node's Pd is learnt from its own reports (the declared Pd as the
   * prior, never above it: acoustic/acoustic-network.ts `LearnPd`). Default false: it takes back
   * part of what nominal declarations cost, but raised false tracks in most matrix cells and on
   * the CLI test's mixed raid (docs/tracker.md "Declared and real Pd").
   */
  acousticLearnPd: boolean;
  /**
   * Share of an acoustic track's particles that take the fast band (jet one-way attack drones,
   * helicopters, light aircraft: acoustic/particle-cloud.ts `CLOUD_FAST_BAND`) instead of the
   * piston drones' band, 0..1. Default 0: the piston band only. 0.2 was measured on the
   * six-seed acoustic matrix (docs/tracker.md "Real motion and jets"): jets 30 % 32.3 → 35.2 %
   * covered, but spacing 3 km 60.0 → 54.5 %, and 1-3 points less in most piston-only cells.
   */
  acousticFastShare: number;
  /**
   * The acoustic clouds' resampling kernel, as a share of the Gaussian-optimal bandwidth
   * (particle-cloud.ts `resampleCloud`: the regularised particle filter); 0: the fixed jitter
   * alone. Default 0 (`CLOUD_KERNEL`: opt-in; docs/tracker.md "Scenes from an outside generator,
   * again").
   */
  acousticKernel: number;
  /**
   * How the received levels of acoustic reports (`snr_db`) weigh the clouds: a node's level
   * against its earlier levels to the track, as evidence of the range (spherical spreading, the
   * source's loudness unknown: acoustic/cloud-filter.ts `LevelEvidence`): `{ sd, maxAge, keep }`
   * (dB, s, reports), e.g. `LEVEL_EVIDENCE` (`{ sd: 3, maxAge: 60, keep: 8 }`), or false (the
   * default) to ignore the levels: measured on the acoustic matrix and the mixed scene with
   * levels in the rows, they did not raise coverage beyond the noise (docs/tracker.md "Received
   * levels"). Reports without `snr_db` are not affected either way.
   */
  acousticLevels: LevelEvidence | false;
  /**
   * Whether an acoustic track that other reports hold (a hit within the last 3 s) refuses a
   * presence report its cloud gives less than the misfit test's likelihood (0.05), once that test
   * applies to it (5 hits): the report is left to start or feed a track of its own
   * (acoustic/cloud-filter.ts `refuseMisfits`). Default true (docs/tracker.md "A report that is
   * not the track's").
   */
  acousticRefuseMisfits: boolean;
  /**
   * Whether an acoustic track near recent traffic (a track moving at the class's speeds, believed
   * in the air, within 2-4 km (about a node's reach) in the last 10 minutes: acoustic/air-traffic.ts) is kept when
   * its rivals take it for a source that stays or a ground vehicle: a node under a corridor hears
   * one drone after another, which its one track takes for a generator. Default true
   * (docs/tracker.md "A stream of drones is not a generator").
   */
  acousticStreams: boolean;
  /**
   * The data associator: `gnn` (global nearest neighbour: one detection per track, the optimal
   * assignment per cluster) or `jpda` (joint probabilistic association where tracks compete for
   * detections: a track not sure which detection is its own is updated by all of them,
   * weighted; jpda-associator.ts, docs/tracker.md "Joint probabilistic association"). Default
   * `jpda` (since 2026-12-07, stop 49: where no two tracks share a detection it is the GNN).
   */
  associator: 'gnn' | 'jpda';
  /** JPDA: the probability that a sensor detects a target it covers (Pd). */
  jpdaDetectionProbability: number;
  /** JPDA: the probability that a resolution cell of a sensor holds a clutter plot or a new target's first plot (ρ). */
  jpdaClutterPerCell: number;
  /**
   * Whether the prior of an acoustic track's source kinds (in the air, a ground vehicle, a
   * stationary source; rival-modes.ts) is learnt from the tracks the network finished with
   * (acoustic/source-prior.ts) instead of the fixed 0.5 / 0.3 / 0.2. Default false.
   */
  acousticLearnSources: boolean;
  /**
   * Stationary sources of the precise sensors (radar clutter from fixed objects): a track only
   * point detections fed that has not moved since it began is dropped after `windowS` s, and its
   * place starts no more tracks from its sensors' plots (tracker/stationary.ts). Default
   * `STATIONARY_DEFAULTS` (`{ windowS: 120, p: 0.99, minPlots: 5, keepS: 600 }`); false: off.
   */
  stationarySources: StationaryOptions | false;
  /**
   * The acoustic clouds' particle count, adapted to each cloud's spread by KLD-sampling (Fox
   * 2003; acoustic/particle-cloud.ts `AdaptiveCount`): `{ nMin, nMax }` and optional bin sizes.
   * Null (the default): a fixed 200 (docs/tracker.md "Particle count").
   */
  acousticParticles: AdaptiveCount | null;
  /**
   * The prior of the range scale each acoustic particle holds (acoustic/particle-cloud.ts
   * `RangeScalePrior`): how far sound carries, as a factor on the declared ranges, learnt per
   * track from its hits and silences. Null: the declared ranges as they are.
   */
  acousticRangeScale: RangeScalePrior | null;
}

export const DEFAULT_TRACKER_OPTIONS: Readonly<Omit<TrackerOptions, 'origin'>> = Object.freeze({
  motionModes: Object.freeze([
    Object.freeze({ qHorizontal: 0.5, qVertical: 0.05, meanDuration: 60 }),
    Object.freeze({ qHorizontal: 30, qVertical: 2, meanDuration: 15 }),
  ]),
  initialModeProbabilities: Object.freeze([0.7, 0.3]),
  gateProbability: 0.999,
  initVelocitySdH: 80,
  initVelocitySdV: 8,
  assumedAltitude: 500,
  assumedAltitudeSd: 700,
  confirmHits: 4,
  birthLimit: BIRTH_LIMIT_DEFAULTS,
  confirmConsistency: 0.99,
  matureHits: 8,
  tentativeTimeout: 12,
  coastAfter: 6,
  deleteAfter: 15,
  maxPositionSd: 3000,
  mergeDistance: 150,
  mergeProbability: 0.99,
  mergeMaxDistance: 3000,
  mergeSpeed: 10,
  sameScanWindow: 0.05,
  soundSpeed: 343,
  bearingReach: Object.freeze({ acoustic: 4000, observer: 6000, eo: 15000, rf: 30000, default: 20000 }),
  bearingInitWindow: 10,
  minCrossingAngle: (10 * Math.PI) / 180,
  presenceInitWindow: 6,
  presenceInitSensors: 2,
  maxSpeed: 300,
  gridCell: 2000,
  altitudeObservableSd: 600,
  altitudeFloor: -500,
  sensors: Object.freeze([]) as readonly Sensor[],
  acousticClouds: true,
  acousticFlowPrior: true,
  acousticArraySweep: true,
  acousticLearnPd: false,
  acousticFastShare: 0,
  acousticKernel: CLOUD_KERNEL,
  acousticLevels: false,
  acousticRefuseMisfits: true,
  acousticStreams: true,
  associator: 'jpda',
  jpdaDetectionProbability: 0.9,
  jpdaClutterPerCell: 1e-5,
  acousticLearnSources: false,
  stationarySources: STATIONARY_DEFAULTS,
  acousticParticles: null,
  acousticRangeScale: Object.freeze({ min: 0.5, max: 1, pOne: 0.3, steps: 8, temper: 0.5 }),
});

/** Fills defaults and checks ranges; throws (a programmer error) naming the bad option. */
export function resolveTrackerOptions(o: Partial<TrackerOptions> & { origin: GeoPoint }): TrackerOptions {
  const r: TrackerOptions = { ...DEFAULT_TRACKER_OPTIONS, ...o };
  const positive: (keyof TrackerOptions)[] = [
    'initVelocitySdH', 'bearingInitWindow', 'presenceInitWindow', 'maxSpeed', 'initVelocitySdV', 'assumedAltitudeSd', 'tentativeTimeout',
    'coastAfter', 'deleteAfter', 'maxPositionSd', 'gridCell', 'altitudeObservableSd',
  ];
  for (const k of positive) {
    const v = r[k] as number;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`tracker option ${k} must be a positive finite number, got ${String(v)}`);
  }
  if (!(typeof r.altitudeFloor === 'number' && Number.isFinite(r.altitudeFloor))) throw new Error(`tracker option altitudeFloor must be a finite number (m), got ${String(r.altitudeFloor)}`);
  if (!(r.gateProbability > 0 && r.gateProbability < 1)) throw new Error(`tracker option gateProbability must be in (0, 1), got ${r.gateProbability}`);
  if (!Array.isArray(r.motionModes) || r.motionModes.length === 0) throw new Error('tracker option motionModes must list at least one mode');
  r.motionModes.forEach((m, i) => {
    for (const k of ['qHorizontal', 'qVertical', 'meanDuration'] as const) {
      if (!(Number.isFinite(m[k]) && m[k] > 0)) throw new Error(`tracker option motionModes[${i}].${k} must be a positive finite number, got ${String(m[k])}`);
    }
  });
  if (r.initialModeProbabilities.length !== r.motionModes.length || r.initialModeProbabilities.some((p) => !(p >= 0)) || !(r.initialModeProbabilities.reduce((a, b) => a + b, 0) > 0)) {
    throw new Error(`tracker option initialModeProbabilities must give one non-negative number per motion mode (${r.motionModes.length}), got [${r.initialModeProbabilities.join(', ')}]`);
  }
  if (!(r.soundSpeed >= 0)) throw new Error(`tracker option soundSpeed must be >= 0, got ${r.soundSpeed}`);
  if (!(Number.isInteger(r.presenceInitSensors) && r.presenceInitSensors >= 2)) throw new Error(`tracker option presenceInitSensors must be an integer >= 2, got ${r.presenceInitSensors}`);
  if (!(r.confirmConsistency > 0 && r.confirmConsistency < 1)) throw new Error(`tracker option confirmConsistency must be in (0, 1), got ${r.confirmConsistency}`);
  if (!(Number.isInteger(r.matureHits) && r.matureHits >= 1)) throw new Error(`tracker option matureHits must be an integer >= 1, got ${r.matureHits}`);
  if (!(Number.isInteger(r.confirmHits) && r.confirmHits >= 1)) throw new Error(`tracker option confirmHits must be an integer >= 1, got ${r.confirmHits}`);
  checkBirthLimit(r.birthLimit);
  if (!(r.acousticFastShare >= 0 && r.acousticFastShare <= 1)) throw new Error(`tracker option acousticFastShare must be in [0, 1], got ${r.acousticFastShare}`);
  if (!(r.acousticKernel >= 0 && r.acousticKernel <= 4)) throw new Error(`tracker option acousticKernel must be in [0, 4], got ${r.acousticKernel}`);
  if (r.stationarySources !== false) {
    if (typeof r.stationarySources !== 'object' || r.stationarySources === null) throw new Error(`tracker option stationarySources must be false or { windowS, p, minPlots, keepS }, got ${JSON.stringify(r.stationarySources)}`);
    checkStationary(r.stationarySources);
  }
  if (typeof r.acousticLearnSources !== 'boolean') throw new Error(`tracker option acousticLearnSources must be true or false, got ${JSON.stringify(r.acousticLearnSources)}`);
  if (typeof r.acousticStreams !== 'boolean') throw new Error(`tracker option acousticStreams must be true or false, got ${JSON.stringify(r.acousticStreams)}`);
  if (r.associator !== 'gnn' && r.associator !== 'jpda') throw new Error(`tracker option associator must be "gnn" or "jpda", got ${JSON.stringify(r.associator)}`);
  if (!(r.jpdaDetectionProbability > 0 && r.jpdaDetectionProbability <= 1)) throw new Error(`tracker option jpdaDetectionProbability must be in (0, 1], got ${r.jpdaDetectionProbability}`);
  if (!(r.jpdaClutterPerCell > 0 && r.jpdaClutterPerCell < 1)) throw new Error(`tracker option jpdaClutterPerCell must be in (0, 1), got ${r.jpdaClutterPerCell}`);
  if (typeof r.acousticRefuseMisfits !== 'boolean') throw new Error(`tracker option acousticRefuseMisfits must be true or false, got ${JSON.stringify(r.acousticRefuseMisfits)}`);
  if (r.acousticLevels !== false) {
    const lv = r.acousticLevels as Partial<LevelEvidence> | null;
    if (typeof lv !== 'object' || lv === null || !(Number.isFinite(lv.sd) && lv.sd! > 0) || !(Number.isFinite(lv.maxAge) && lv.maxAge! > 0) || !(Number.isInteger(lv.keep) && lv.keep! >= 1)) {
      throw new Error(`tracker option acousticLevels must be false or { sd, maxAge, keep } (sd and maxAge positive finite numbers, keep an integer >= 1), got ${JSON.stringify(r.acousticLevels)}`);
    }
  }
  if (r.acousticParticles !== null) {
    try {
      resolveAdaptive(r.acousticParticles);
    } catch (err) {
      throw new Error(`tracker option acousticParticles must be null or { nMin, nMax, ... }: ${(err as Error).message}`);
    }
  }
  if (r.acousticRangeScale !== null) {
    const bad = checkRangeScalePrior(r.acousticRangeScale);
    if (bad) throw new Error(`tracker option acousticRangeScale must be null or { min, max, pOne, steps?, temper? }: ${bad}`);
  }

  return r;
}

/**
 * Chi-square quantile with k degrees of freedom at probability p, by the Wilson-Hilferty
 * cube-root approximation (Wilson & Hilferty 1931), with the normal quantile from Acklam's
 * rational approximation. Accurate to about 1% for k >= 1 at p in [0.9, 0.9999].
 */
export function chiSquareQuantile(k: number, p: number): number {
  const z = normalQuantile(p);
  const a = 2 / (9 * k);
  const c = 1 - a + z * Math.sqrt(a);
  return k * c * c * c;
}
