/**
 * What else a microphone hears. An acoustic track's cloud (particle-cloud.ts) is the class's
 * hypothesis: a target in the air, in the class's speed band. Beside it each acoustic track
 * carries two rival hypotheses as clouds of their own: a ground vehicle (on the ground, at
 * 2-35 m/s: a car or a motorcycle on a road) and a stationary source (a generator, an idling
 * engine, a pump). Every report and every silence weighs all three, and their predictive
 * likelihoods update the hypotheses' probabilities: a multiple-model particle filter without
 * switching (a source does not change kind), each model with its own particles so that no
 * hypothesis starves another of particles. The class's probability tells a drone from the
 * false alarms that last (issue 13): a node that goes on hearing long after any drone would
 * have left, or successive nodes heard at a car's pace.
 */
import { mulberry32 } from '../math/mulberry32.js';
import { createCloud, resampleCloud, seedFromReport, predictCloud, upOf, type HeardAt, type ParticleCloud } from './particle-cloud.js';
import type { RangeScaleSource } from './range-scale.js';

export interface RivalModes {
  ground: ParticleCloud;
  still: ParticleCloud;
  /** Log probabilities (up to a constant) of the class's hypothesis, a ground vehicle, a stationary source. */
  readonly logP: Float64Array;
  /** The log prior probabilities the track was born with (source-prior.ts; {@link MODE_PRIOR} when none is learnt). */
  readonly logPrior?: Float64Array;
  /** How the track was born, for a learnt prior (source-prior.ts `SOURCE_STRATA`). */
  stratum?: 0 | 1 | 2;
}

/** Prior probabilities of the three hypotheses for a new acoustic track: the class, a ground vehicle, a stationary source. */
export const MODE_PRIOR: readonly [number, number, number] = [0.5, 0.3, 0.2];
/** Particles of each rival cloud. */
const RIVAL_N = 100;
const LOG_MODE_PRIOR = Float64Array.from(MODE_PRIOR, Math.log);
const logPriorOf = (r: RivalModes): Float64Array => r.logPrior ?? LOG_MODE_PRIOR;

/** The first report of a new track: its time, where the node is, its model and reach, and an array's bearing. */
export interface FirstReport extends HeardAt {
  t: number;
}

/** `prior`: the three kinds' prior probabilities (a learnt {@link SourcePrior}'s); default {@link MODE_PRIOR}. */
export function createRivals(seed: number, first: FirstReport, rangeScale?: RangeScaleSource, kernel?: number, prior: readonly number[] = MODE_PRIOR): RivalModes {
  // the rivals hold the same range-scale prior and resampling kernel as the class's cloud: a hypothesis with more freedom would win comparisons it should not
  const rs = { ...(rangeScale ? { rangeScale } : {}), ...(kernel !== undefined ? { kernel } : {}) };
  const ground = createCloud(mulberry32(seed ^ 0x51f15e), { n: RIVAL_N, speedMin: 2, speedMax: 35, ...rs });
  const still = createCloud(mulberry32(seed ^ 0x2545f49), { n: RIVAL_N, speedMin: 0, speedMax: 0, q: 0, ...rs });
  // on the ground: at the node's height (heights are above the ellipsoid; the frame's curvature put back)
  const h = first.sz - upOf(first.sx, first.sy, 0);
  for (const c of [ground, still]) seedFromReport(c, first.t, first, h, h);
  const logPrior = Float64Array.from(prior, Math.log);
  return { ground, still, logP: Float64Array.from(logPrior), logPrior };
}

/**
 * One measurement for all hypotheses at time t: `airLogL` is the class cloud's predictive log
 * likelihood (already applied to it); `weigh` applies the same measurement to a rival cloud
 * and returns its predictive log likelihood.
 */
export function rivalsUpdate(r: RivalModes, t: number, airLogL: number, weigh: (c: ParticleCloud) => number): void {
  const ls = [airLogL, 0, 0];
  const clouds = [r.ground, r.still];
  for (let k = 0; k < 2; k++) {
    const c = clouds[k];
    predictCloud(c, t);
    ls[k + 1] = weigh(c);
    resampleCloud(c);
  }
  let max = -Infinity;
  for (let k = 0; k < 3; k++) {
    r.logP[k] += ls[k];
    if (r.logP[k] > max) max = r.logP[k];
  }
  if (max === -Infinity) {
    // nothing explains it (cannot happen for the class cloud, which refused it first): keep the prior
    r.logP.set(logPriorOf(r));
    return;
  }
  for (let k = 0; k < 3; k++) r.logP[k] -= max;
}

/**
 * log p(data | the class's hypothesis) − log p(data | a rival), the rivals weighed by their
 * prior: the evidence the reports so far give for a source in the air against one on the
 * ground or standing still.
 */
export function airLogRatio(r: RivalModes): number {
  const lp = logPriorOf(r);
  const l0 = r.logP[0] - lp[0];
  const a = r.logP[1];
  const b = r.logP[2];
  const m = Math.max(a, b);
  if (m === -Infinity) return Infinity;
  const lRival = m + Math.log(Math.exp(a - m) + Math.exp(b - m)) - Math.log(Math.exp(lp[1]) + Math.exp(lp[2]));
  return l0 - lRival;
}

/** The reports' log likelihood under each hypothesis (up to one constant): the log probabilities less the prior. */
export function rivalsLogLikelihood(r: RivalModes): Float64Array {
  const lp = logPriorOf(r);
  return Float64Array.from(r.logP, (v, k) => v - lp[k]);
}

/** Probability of the class's hypothesis (a target of the class in the air). */
export function airProbability(r: RivalModes): number {
  let s = 0;
  for (let k = 0; k < 3; k++) s += Math.exp(r.logP[k]);
  return Math.exp(r.logP[0]) / s;
}
