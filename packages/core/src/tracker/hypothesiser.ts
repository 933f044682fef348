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
  /**
   * ln ℓ of each pair: the likelihood of the innovation, N(ν; 0, S), per resolution cell of the
   * detection's sensor (times √|2πR|): −½ (d² + ln|S| − ln|R|), never above 0 (S ≥ R). Weighs
   * the pairs of tracks that compete for a detection against one another (a vague track fits
   * every detection less well than a precise one at the same d²) and against clutter
   * (jpda-associator.ts). A pair of a cooperative identity gets 0.
   */
  logLik: number[];
  /** 1 when the pair's track can take this detection in a weighted update (the filter's `weighs`), else 0. */
  weighable: number[];
  /** Detections whose pairs were put off to a later round (they may gate again then). */
  deferred: number[];
}

export function createPairList(): PairList {
  return { det: [], track: [], cost: [], logLik: [], weighable: [], deferred: [] };
}

export interface Hypothesiser {
  /**
   * Fills `out` with the gated pairs of the detections `i` with `want[i]` set and `used[i]`
   * clear, with the live tracks that `accept` takes. Called once per round of a group.
   */
  hypothesise(prepared: readonly PreparedDetection[], used: Uint8Array, want: Uint8Array, accept: (tr: Track) => boolean, out: PairList): void;
}
