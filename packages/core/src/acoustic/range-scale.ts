/**
 * How far sound carries, learnt over the network (a hierarchical prior). A microphone's declared
 * range is a data sheet's or an operator's figure; on a given night the sound of an engine
 * carries less far or further (wind, temperature gradients, a unit's wear), and a range
 * overstated by half made every silence count against targets the nodes could not hear (the
 * central cell of the acoustic matrix at 26 % covered against 45 %: docs/tracker.md "Ranges
 * learnt").
 *
 * Each acoustic particle holds a range scale s (particle-cloud.ts: its likelihoods take every
 * node's model at slant range r/s), drawn from a discrete prior over a geometric grid of
 * scales. Each presence outcome a track's cloud takes (a hit, an array's bearing, a pass of
 * silences) is also weighed under every value of the grid on a subsample of its particles
 * (`rsLL`): summed, the track's marginal log likelihood of each scale. (The cloud's particle mass
 * per scale is not that: a resampled cloud keeps one or two lineages, and its mass sits on the
 * value ancestry picked.) When a track the tracker believed in ends (confirmed, heard often
 * enough, its rivals holding it in the air), that likelihood, tempered (tracks share nodes and
 * nights), is added to the network's log evidence; new clouds draw their scales from the base
 * prior times that evidence, with a floor so that the night may change its mind. At the declared
 * range the evidence gathers at 1 and the silences weigh as they did; where ranges are overstated
 * it gathers below 1.
 */

/** The base prior of the range scales: `steps` values geometric from `min` to `max`, `pOne` of the mass at 1 (which the grid holds when min <= 1 <= max), the rest even. */
export interface RangeScalePrior {
  min: number;
  max: number;
  pOne: number;
  /** Grid values. Default 8. */
  steps?: number;
  /** Weight of one track's log likelihood in the network's evidence. Default 0.5; 0: no learning (the base prior always). */
  temper?: number;
}

/** What a cloud needs to draw scales: the grid and the current distribution over it. */
export interface RangeScaleSource {
  readonly values: Float64Array;
  /** The current distribution over `values` (sums to 1). */
  readonly weights: Float64Array;
  /** The largest value. */
  readonly max: number;
  /** A value drawn by its cumulative distribution at u in [0, 1). */
  draw(u: number): number;
}

export interface RangeScaleLearner extends RangeScaleSource {
  /** A believed track's log likelihood of each value (its cloud's `rsLL`). */
  learn(ll: ArrayLike<number>): void;
  /** Tracks learnt from. */
  readonly learnt: number;
  /** The mean of the current distribution. */
  readonly mean: number;
}

/** No value's share of the network's distribution falls below this fraction of its base prior share. */
export const RANGE_SCALE_FLOOR = 0.02;

export function checkRangeScalePrior(p: RangeScalePrior): string | null {
  const steps = p.steps ?? 8;
  if (!(p.min > 0 && p.max >= p.min && Number.isFinite(p.max))) return `needs 0 < min <= max (finite), got ${p.min}, ${p.max}`;
  if (!(p.pOne >= 0 && p.pOne <= 1)) return `pOne must be in [0, 1], got ${p.pOne}`;
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= 64)) return `steps must be an integer in [1, 64], got ${steps}`;
  if (!((p.temper ?? 0.5) >= 0 && Number.isFinite(p.temper ?? 0.5))) return `temper must be a finite number >= 0, got ${p.temper}`;
  return null;
}

export function createRangeScaleLearner(p: RangeScalePrior): RangeScaleLearner {
  const bad = checkRangeScalePrior(p);
  if (bad) throw new Error(`range scale prior: ${bad}`);
  const steps = p.steps ?? 8;
  const temper = p.temper ?? 0.5;
  const values = new Float64Array(steps);
  const ratio = steps > 1 ? Math.pow(p.max / p.min, 1 / (steps - 1)) : 1;
  for (let k = 0; k < steps; k++) values[k] = steps > 1 ? p.min * Math.pow(ratio, k) : p.min;
  // the value nearest 1 takes pOne (exactly 1 when the grid reaches it)
  let one = 0;
  for (let k = 1; k < steps; k++) if (Math.abs(Math.log(values[k])) < Math.abs(Math.log(values[one]))) one = k;
  if (p.min <= 1 && p.max >= 1) values[one] = 1;
  const base = new Float64Array(steps);
  for (let k = 0; k < steps; k++) base[k] = steps === 1 ? 1 : k === one ? p.pOne : (1 - p.pOne) / (steps - 1);
  const evidence = new Float64Array(steps);
  const weights = new Float64Array(steps);
  const cdf = new Float64Array(steps);
  let learnt = 0;
  function refresh(): void {
    let top = -Infinity;
    for (let k = 0; k < steps; k++) if (base[k] > 0) top = Math.max(top, evidence[k]);
    let sum = 0;
    for (let k = 0; k < steps; k++) {
      weights[k] = base[k] > 0 ? Math.max(RANGE_SCALE_FLOOR * base[k], base[k] * Math.exp(evidence[k] - top)) : 0;
      sum += weights[k];
    }
    let acc = 0;
    for (let k = 0; k < steps; k++) {
      weights[k] /= sum;
      acc += weights[k];
      cdf[k] = acc;
    }
    cdf[steps - 1] = 1;
  }
  refresh();
  return {
    values,
    weights,
    max: values[steps - 1],
    draw(u) {
      let k = 0;
      while (k < steps - 1 && u >= cdf[k]) k++;
      return values[k];
    },
    learn(ll) {
      if (temper === 0) return;
      let top = -Infinity;
      for (let k = 0; k < steps; k++) top = Math.max(top, ll[k]);
      if (!Number.isFinite(top)) return;
      for (let k = 0; k < steps; k++) evidence[k] += temper * Math.max(-50, ll[k] - top);
      learnt++;
      refresh();
    },
    get learnt() {
      return learnt;
    },
    get mean() {
      let m = 0;
      for (let k = 0; k < steps; k++) m += weights[k] * values[k];
      return m;
    },
  };
}
