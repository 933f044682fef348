/**
 * The data association seam: given gated detection–track pairs with costs, a one-to-one
 * assignment (each detection and each track in at most one chosen pair, every chosen pair
 * one of the gated ones). Implementations: `gnn-associator.ts` (global nearest neighbour,
 * the default), `greedy-associator.ts` (cheapest pair first, a baseline) and
 * `jpda-associator.ts` (joint probabilistic data association: where tracks compete for
 * detections, a track may be given a weighted set of them, a `mixture`, instead of one).
 */
import type { PairList } from './hypothesiser.js';

/** A chosen pair: detection index, track slot, and the pair's cost. */
export interface Assignment {
  det: number;
  track: number;
  cost: number;
  /**
   * Joint probabilistic association (jpda-associator.ts): the track is updated by all of these
   * detections, weighted (the filter's `updateWeighted`), not by `det` alone; `det` is then the
   * most probable of them (the track's bookkeeping: hits, sensors, class evidence) and `cost`
   * its pair's. Hard pairs are one-to-one; a detection may be in several tracks' mixtures.
   */
  mixture?: AssociationMixture;
}

/** The weighted detections of one track (Bar-Shalom & Li 1995 §9: JPDA, one track's part). */
export interface AssociationMixture {
  /** Detection indices. */
  dets: number[];
  /** P(detection i is this track's), from the joint association (sums with `miss` to 1). */
  beta: number[];
  /** P(none of them is this track's). */
  miss: number;
  /**
   * What the filter needs to weigh its own motion modes (IMM-JPDA): hypothesis i's weight is
   * `scale[i]` · ℓᵢ, the miss hypothesis's `missWeight`, where ℓᵢ is the pair's likelihood per
   * resolution cell under the mode (hypothesiser.ts, `logLik`). With the combined prediction's ℓ
   * these give `beta` and `miss` once normalised.
   */
  scale: number[];
  missWeight: number;
}

export interface Associator {
  /**
   * Chooses pairs among `pairs.det[k]`, `pairs.track[k]`, `pairs.cost[k]` (k < pairs.det.length;
   * detection indices below `nDets`). The same input gives the same output.
   */
  associate(pairs: PairList, nDets: number): Assignment[];
}
