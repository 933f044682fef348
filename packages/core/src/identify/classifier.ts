/**
 * Recursive Bayesian classification of a track over the classes of the interchange spec
 * (`CLASS_LABELS`): a discrete Bayes filter whose state is the log posterior probability of
 * each class. Evidence comes from the track's kinematics (`applyKinematics`), from sensors'
 * class hints (`applyHint`) and from cooperative identities (`applyCooperative`); between
 * updates a slow Markov "forgetting" step mixes a little of the prior back in, so that wrong
 * early evidence can be outlived. The model and its numbers are in docs/identification.md.
 *
 * Pure and allocation-light: the state is two `Float64Array`s updated in place; the updates
 * allocate nothing (the kinematic terms share module scratch arrays).
 *
 * Tempering: successive kinematic estimates of a 1 Hz tracking filter are strongly correlated
 * (a Kalman filter's velocity is an average over its recent past), so treating each as an
 * independent observation would multiply one piece of evidence many times and make the
 * posterior overconfident. A step of length dt therefore raises its likelihood to the power
 * w = min(1, dt/τ) (a tempered or "power" likelihood), τ the correlation time of the estimate
 * (default 10 s): τ seconds of track give the weight of one independent observation.
 * In addition, velocity-derived terms are discounted by 1/(1 + (σ_v/10 m/s)²) and altitude by
 * 1/(1 + (σ_h/300 m)²): an uncertain estimate (a just-started track: σ_v = 80 m/s) barely
 * moves the posterior, even though its Rice/Gaussian likelihood already accounts for the error,
 * because young covariances are themselves unreliable (one-point initiation, mis-association).
 */
import { CLASS_LABELS, type ClassLabel } from '../types.js';
import { classTopSpeed } from './class-model.js';
import { cooperativeLikelihood } from './cooperative.js';
import {
  altitudeLogLikelihood,
  climbRateLogLikelihood,
  speedLogLikelihood,
  turnRateLogLikelihood,
} from './kinematic-likelihood.js';

const K = CLASS_LABELS.length;

/** The state of a track's classification. Create with `createClassState`; treat as opaque. */
export interface ClassState {
  /** Log posterior probability of each class, indexed like `CLASS_LABELS`; they sum (in exp) to 1. */
  readonly logProb: Float64Array;
  /** Prior probability of each class, indexed like `CLASS_LABELS`; sums to 1. */
  readonly prior: Float64Array;
  /** Correlation time τ (s) of kinematic estimates. */
  readonly correlationTime: number;
  /** Forgetting time constant T (s); Infinity: no forgetting. */
  readonly forgetTime: number;
}

/** Options of `createClassState`. */
export interface ClassifierOptions {
  /**
   * Correlation time τ (s) of successive kinematic estimates: a step of dt seconds carries the
   * weight min(1, dt/τ) of one independent observation. Default `DEFAULT_CORRELATION_TIME` (10 s).
   */
  correlationTime?: number;
  /**
   * Forgetting time constant T (s): over dt seconds a fraction 1 − exp(−dt/T) of the probability
   * is redistributed according to the prior. Default `DEFAULT_FORGET_TIME` (300 s); Infinity
   * turns forgetting off.
   */
  forgetTime?: number;
}

/** A kinematic estimate of a track, from its filter. SI units: m/s, m, rad/s, s. */
export interface KinematicObservation {
  /** Horizontal ground speed (m/s). Non-finite: not observed. */
  speed: number;
  /** Altitude (m above the WGS84 ellipsoid). Non-finite (e.g. NaN when unobservable): not observed. */
  altitude: number;
  /** Turn rate (rad/s, either sign), if estimated. */
  turnRate?: number;
  /** Climb rate (m/s, positive up), if estimated. */
  climbRate?: number;
  /**
   * One-sigma error of the horizontal velocity per axis (m/s), e.g. √((P_ve + P_vn)/2) from the
   * filter's covariance. Default 0 (2 m/s is always added in quadrature). Also discounts the
   * turn and climb terms, which derive from the velocity.
   */
  speedSd?: number;
  /** One-sigma altitude error (m). Default 0. */
  altitudeSd?: number;
  /** One-sigma turn rate error (rad/s). Default 0. */
  turnRateSd?: number;
  /** One-sigma climb rate error (m/s). Default 0. */
  climbRateSd?: number;
  /** Time since the previous classification step of this track (s, ≥ 0). */
  dt: number;
}

/**
 * Default prior for a raid: the service runs when attack drones and missiles are expected, so
 * threats are a priori plausible (30 % together), the everyday traffic of a capital area
 * (aircraft, helicopters, hobby drones, birds) the rest. It is a starting belief that the
 * kinematics override within a minute; see docs/identification.md.
 */
export const RAID_PRIOR: Readonly<Record<ClassLabel, number>> = Object.freeze({
  piston_owa: 0.2,
  jet_owa: 0.05,
  cruise_missile: 0.05,
  multirotor: 0.15,
  fixed_wing_small: 0.1,
  aircraft: 0.15,
  helicopter: 0.05,
  bird: 0.15,
  clutter: 0.1,
});

/** A peacetime prior: threats rare (2 % together), everyday traffic common. */
export const PEACETIME_PRIOR: Readonly<Record<ClassLabel, number>> = Object.freeze({
  piston_owa: 0.01,
  jet_owa: 0.005,
  cruise_missile: 0.005,
  multirotor: 0.2,
  fixed_wing_small: 0.08,
  aircraft: 0.3,
  helicopter: 0.08,
  bird: 0.2,
  clutter: 0.12,
});

/** The classes summed by `threatProbability` by default. */
export const THREAT_CLASSES: readonly ClassLabel[] = Object.freeze(['piston_owa', 'jet_owa', 'cruise_missile'] as const);

/** Default correlation time τ of kinematic estimates (s). */
export const DEFAULT_CORRELATION_TIME = 10;
/** Default forgetting time constant T (s). */
export const DEFAULT_FORGET_TIME = 300;
/** No class probability ever falls below this: evidence never rules a class out. */
export const PROBABILITY_FLOOR = 1e-12;
/** Velocity error (m/s) at which velocity-derived evidence gets half its weight. */
export const SPEED_SD_REFERENCE = 10;
/** Altitude error (m) at which altitude evidence gets half its weight. */
export const ALTITUDE_SD_REFERENCE = 300;
/**
 * Likelihood given by a hint to a class it gives probability 0 (or leaves out); a class it
 * gives probability p gets HINT_FLOOR + (1 − HINT_FLOOR)·p. One full-weight hint therefore moves
 * the odds between two classes by at most a factor 1/HINT_FLOOR = 20.
 */
export const HINT_FLOOR = 0.05;

const LOG_FLOOR = Math.log(PROBABILITY_FLOOR);

/** Scratch arrays for the kinematic terms. */
const term = new Float64Array(K);
const total = new Float64Array(K);

function requireNonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
}

function requireSd(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (value < 0) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
  return value;
}

/** Normalise log-probabilities in place (log-sum-exp = 0), floor them, normalise again. */
function normalise(l: Float64Array): void {
  let m = -Infinity;
  for (let c = 0; c < K; c++) if (l[c] > m) m = l[c];
  let s = 0;
  for (let c = 0; c < K; c++) s += Math.exp(l[c] - m);
  const z = m + Math.log(s);
  s = 0;
  for (let c = 0; c < K; c++) {
    const v = l[c] - z;
    l[c] = v < LOG_FLOOR ? LOG_FLOOR : v;
    s += Math.exp(l[c]);
  }
  const z2 = Math.log(s);
  for (let c = 0; c < K; c++) l[c] -= z2;
}

/**
 * A new classification state at its prior.
 *
 * @param prior relative weights by label (need not sum to 1); labels left out keep their
 *   weight in `RAID_PRIOR`, so `{ aircraft: 0.5 }` only raises aircraft. Pass a full record
 *   (e.g. `PEACETIME_PRIOR`) to replace the prior. A weight of 0 is raised to
 *   `PROBABILITY_FLOOR`. Throws a RangeError for an unknown label, a negative or non-finite
 *   weight, or all-zero weights.
 * @param options correlation and forgetting times (s).
 */
export function createClassState(prior?: Partial<Record<ClassLabel, number>>, options: ClassifierOptions = {}): ClassState {
  const correlationTime = options.correlationTime ?? DEFAULT_CORRELATION_TIME;
  const forgetTime = options.forgetTime ?? DEFAULT_FORGET_TIME;
  if (!(correlationTime > 0) || !Number.isFinite(correlationTime)) {
    throw new RangeError(`correlationTime must be a finite number > 0 (s), got ${correlationTime}`);
  }
  if (!(forgetTime > 0)) throw new RangeError(`forgetTime must be > 0 (s) or Infinity, got ${forgetTime}`);
  if (prior !== undefined) {
    for (const key of Object.keys(prior)) {
      if (!(CLASS_LABELS as readonly string[]).includes(key)) {
        throw new RangeError(`unknown class label in prior: ${JSON.stringify(key)} (labels: ${CLASS_LABELS.join(', ')})`);
      }
    }
  }
  const p = new Float64Array(K);
  let sum = 0;
  for (let c = 0; c < K; c++) {
    const label = CLASS_LABELS[c];
    const w = prior?.[label] ?? RAID_PRIOR[label];
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`prior weight of ${label} must be a finite number ≥ 0, got ${w}`);
    p[c] = w;
    sum += w;
  }
  if (!(sum > 0)) throw new RangeError(`prior weights must not all be 0, got ${JSON.stringify(prior)}`);
  const logProb = new Float64Array(K);
  for (let c = 0; c < K; c++) logProb[c] = Math.log(p[c] / sum);
  normalise(logProb);
  for (let c = 0; c < K; c++) p[c] = Math.exp(logProb[c]);
  return { logProb, prior: p, correlationTime, forgetTime };
}

/**
 * The forgetting (prediction) step over `dt` seconds: with probability q = 1 − exp(−dt/T) the
 * class is redrawn from the prior, p ← (1 − q)·p + q·prior. This is a Markov chain on the
 * classes with a small "switch" rate 1/T; it bounds how far below q·prior any class can be
 * pushed, so a posterior built on wrong early evidence can recover in seconds to minutes
 * instead of as long as the wrong evidence lasted. Called by `applyKinematics`; call it alone
 * for a coasting track. Throws a RangeError for a negative or non-finite dt.
 */
export function applyForgetting(state: ClassState, dt: number): void {
  requireNonNegative('dt', dt);
  if (state.forgetTime === Infinity || dt === 0) return;
  const q = -Math.expm1(-dt / state.forgetTime);
  const l = state.logProb;
  for (let c = 0; c < K; c++) l[c] = Math.log((1 - q) * Math.exp(l[c]) + q * state.prior[c]);
  normalise(l);
}

/**
 * One kinematic step: forgetting over `obs.dt`, then the kinematic likelihood of the speed,
 * altitude and (if given) turn and climb rates, tempered by w = min(1, dt/τ) and discounted for
 * uncertain estimates (see the module comment). Non-finite values (NaN, ±Infinity) of a
 * quantity or of its error leave that term out (a non-finite `speedSd` also the turn and climb
 * terms, which derive from the velocity). Throws a RangeError for a negative or
 * non-finite dt or a negative error.
 */
export function applyKinematics(state: ClassState, obs: KinematicObservation): void {
  const { dt } = obs;
  requireNonNegative('dt', dt);
  const speedSd = requireSd('speedSd', obs.speedSd);
  const altitudeSd = requireSd('altitudeSd', obs.altitudeSd);
  const turnRateSd = requireSd('turnRateSd', obs.turnRateSd);
  const climbRateSd = requireSd('climbRateSd', obs.climbRateSd);
  applyForgetting(state, dt);
  const w = Math.min(1, dt / state.correlationTime);
  if (w === 0) return;
  // Discounts for uncertain estimates; a non-finite error (NaN, Infinity) gives weight 0.
  const wv = Number.isFinite(speedSd) ? w / (1 + (speedSd / SPEED_SD_REFERENCE) ** 2) : 0;
  const wa = Number.isFinite(altitudeSd) ? w / (1 + (altitudeSd / ALTITUDE_SD_REFERENCE) ** 2) : 0;
  total.fill(0);
  let any = false;
  if (wv > 0 && speedLogLikelihood(obs.speed, speedSd, term)) {
    for (let c = 0; c < K; c++) total[c] += wv * term[c];
    any = true;
  }
  if (wa > 0 && altitudeLogLikelihood(obs.altitude, altitudeSd, term)) {
    for (let c = 0; c < K; c++) total[c] += wa * term[c];
    any = true;
  }
  if (wv > 0 && obs.turnRate !== undefined && turnRateLogLikelihood(obs.turnRate, turnRateSd, term)) {
    for (let c = 0; c < K; c++) total[c] += wv * term[c];
    any = true;
  }
  if (wv > 0 && obs.climbRate !== undefined && climbRateLogLikelihood(obs.climbRate, climbRateSd, term)) {
    for (let c = 0; c < K; c++) total[c] += wv * term[c];
    any = true;
  }
  if (!any) return;
  const l = state.logProb;
  for (let c = 0; c < K; c++) l[c] += total[c];
  normalise(l);
}

/**
 * A sensor's class hint (the `class` object of a detection: label → probability). Each class
 * gets the likelihood HINT_FLOOR + (1 − HINT_FLOOR)·p, with p the hint's value clamped to
 * [0, 1] (0 when the label is missing or its value not a finite number), raised to `weight`.
 * Labels outside `CLASS_LABELS` are ignored; a hint with none of ours changes nothing.
 * Sensor classifiers are often overconfident and a repeated hint from one sensor is not new
 * evidence: for a stream of hints from one sensor about one track pass weight = min(1, dt/τ).
 * Throws a RangeError for a negative or non-finite weight.
 */
export function applyHint(state: ClassState, hint: Partial<Record<string, number>>, weight = 1): void {
  requireNonNegative('weight', weight);
  if (weight === 0) return;
  let any = false;
  for (let c = 0; c < K; c++) {
    const v = hint[CLASS_LABELS[c]];
    let p = 0;
    if (typeof v === 'number' && Number.isFinite(v)) {
      p = v < 0 ? 0 : v > 1 ? 1 : v;
      any = true;
    }
    term[c] = weight * Math.log(HINT_FLOOR + (1 - HINT_FLOOR) * p);
  }
  if (!any) return;
  const l = state.logProb;
  for (let c = 0; c < K; c++) l[c] += term[c];
  normalise(l);
}

/**
 * A cooperative identity on the track: `adsb` (also Mode S, MLAT, UAT, FLARM) makes aircraft
 * and helicopters very likely, `remote_id` multirotors and small fixed-wings; any other kind
 * makes cooperative vehicles more likely, more weakly. Threat classes become very unlikely but
 * never 0 (an identity can be mis-associated or spoofed): see `cooperative.ts` for the tables.
 * Apply once when the identity first reaches the track and, while its reports continue, with
 * weight min(1, dt/τ) per step, so that forgetting does not erode it. Throws a RangeError for
 * a negative or non-finite weight.
 */
export function applyCooperative(state: ClassState, kind: 'adsb' | 'remote_id' | string, weight = 1): void {
  requireNonNegative('weight', weight);
  if (weight === 0) return;
  const table = cooperativeLikelihood(kind);
  const l = state.logProb;
  for (let c = 0; c < K; c++) l[c] += weight * Math.log(table[c]);
  normalise(l);
}

/**
 * Evidence on what kind of source a track is, as a log likelihood ratio: `logRatio` =
 * log p(data | a source in the air) − log p(data | a source on the ground or standing still)
 * (acoustic/rival-modes.ts). Every class but `clutter` is a source in the air; `clutter`
 * collects what is not one (a generator, a car on a road heard by microphones).
 */
export function applySourceKind(state: ClassState, logRatio: number): void {
  if (!Number.isFinite(logRatio) || logRatio === 0) return;
  const l = state.logProb;
  const clutter = CLASS_LABELS.indexOf('clutter');
  for (let c = 0; c < K; c++) if (c !== clutter) l[c] += logRatio;
  normalise(l);
}

/**
 * The posterior probability of each class (normalised, each ≥ about 1e-12). Writes into `out`
 * when given (no allocation), else into a new object.
 */
export function classProbabilities(state: ClassState, out?: Record<ClassLabel, number>): Record<ClassLabel, number> {
  const r = out ?? ({} as Record<ClassLabel, number>);
  for (let c = 0; c < K; c++) r[CLASS_LABELS[c]] = Math.exp(state.logProb[c]);
  return r;
}

/** The posterior probability of one class. */
export function classProbability(state: ClassState, label: ClassLabel): number {
  const c = CLASS_LABELS.indexOf(label);
  if (c < 0) throw new RangeError(`unknown class label: ${JSON.stringify(label)}`);
  return Math.exp(state.logProb[c]);
}

/** The most probable class and its probability (ties: the first in `CLASS_LABELS`). */
export function mostProbableClass(state: ClassState): { label: ClassLabel; probability: number } {
  let best = 0;
  for (let c = 1; c < K; c++) if (state.logProb[c] > state.logProb[best]) best = c;
  return { label: CLASS_LABELS[best], probability: Math.exp(state.logProb[best]) };
}

/**
 * Probability that the track is a threat: the sum over `labels`, by default `THREAT_CLASSES`
 * (piston_owa + jet_owa + cruise_missile). Multirotors and small fixed-wings are not included
 * by default: in a capital area they are overwhelmingly hobby and commercial drones, and
 * counting them would raise city-wide raid warnings all day; a site that guards against them
 * (an airport, a base) passes its own list.
 */
export function threatProbability(state: ClassState, labels: readonly ClassLabel[] = THREAT_CLASSES): number {
  let p = 0;
  for (const label of labels) p += classProbability(state, label);
  return p;
}

/** Least probability of a threat class for its top speed to bound the track's predicted paths. */
export const SPEED_BOUND_MIN_P = 0.05;

/**
 * The fastest a track can fly as a threat (m/s), for the threat predictor: the top speed
 * ({@link classTopSpeed}) of the fastest threat class the track has at least
 * {@link SPEED_BOUND_MIN_P} of, else of the fastest it has any probability of; undefined when
 * it has none (no bound). A Shahed-type track whose velocity estimate is still poor (a young
 * radar track: 110 ± 40 m/s) is then not predicted to reach a district faster than 70 m/s allow.
 */
export function threatTopSpeed(probs: Readonly<Record<string, number>>, labels: readonly ClassLabel[] = THREAT_CLASSES): number | undefined {
  let likely: number | undefined;
  let any: number | undefined;
  for (const label of labels) {
    const p = probs[label] ?? 0;
    const v = classTopSpeed(label);
    if (!(p > 0) || v === undefined) continue;
    any = Math.max(any ?? 0, v);
    if (p >= SPEED_BOUND_MIN_P) likely = Math.max(likely ?? 0, v);
  }
  return likely ?? any;
}
