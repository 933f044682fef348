/**
 * The data association seam: given gated detection–track pairs with costs, a one-to-one
 * assignment (each detection and each track in at most one chosen pair, every chosen pair
 * one of the gated ones). Implementations: `gnn-associator.ts` (global nearest neighbour,
 * the default) and `greedy-associator.ts` (cheapest pair first, a baseline).
 */
import type { PairList } from './hypothesiser.js';

/** A chosen pair: detection index, track slot, and the pair's cost. */
export interface Assignment {
  det: number;
  track: number;
  cost: number;
}

export interface Associator {
  /**
   * Chooses pairs among `pairs.det[k]`, `pairs.track[k]`, `pairs.cost[k]` (k < pairs.det.length;
   * detection indices below `nDets`). The same input gives the same output.
   */
  associate(pairs: PairList, nDets: number): Assignment[];
}
