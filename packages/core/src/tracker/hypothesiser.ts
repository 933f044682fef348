/**
 * The hypothesiser seam: for a group of prepared detections, the gated detection–track pairs
 * with their costs. Implementation: `mahalanobis-hypothesiser.ts`.
 */
import type { PreparedDetection } from './prepare.js';
import type { Track } from './track.js';

/**
 * Gated pairs as parallel lists (reused from call to call: read them before the next call).
 * Pair k joins detection `det[k]` (an index into the group) and the track in slot `track[k]`,
 * at cost `cost[k]` (the squared Mahalanobis distance; lower is better).
 */
export interface PairList {
  det: number[];
  track: number[];
  cost: number[];
  /** Detections whose pairs were put off to a later round (they may gate again then). */
  deferred: number[];
}

export function createPairList(): PairList {
  return { det: [], track: [], cost: [], deferred: [] };
}

export interface Hypothesiser {
  /**
   * Fills `out` with the gated pairs of the detections `i` with `want[i]` set and `used[i]`
   * clear, with the live tracks that `accept` takes. Called once per round of a group.
   */
  hypothesise(prepared: readonly PreparedDetection[], used: Uint8Array, want: Uint8Array, accept: (tr: Track) => boolean, out: PairList): void;
}
