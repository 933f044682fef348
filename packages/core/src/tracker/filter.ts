/**
 * The filter seam (Stone Soup: predictor + updater): predicts a track's state without
 * changing it, updates a track with a prepared detection, and sets up a new track's
 * per-track filter state. Implementations: `imm-filter.ts` (interacting multiple model of
 * nearly-constant-velocity modes, the default) and `ekf-filter.ts` (one NCV model).
 */
import type { PreparedDetection } from './prepare.js';
import type { Track } from './track.js';

export interface TrackFilter {
  /** Number of motion modes: a track's `modeX` holds 6·modes, `modeP` 36·modes and `mu` modes numbers. */
  readonly modes: number;
  /** An upper bound on the horizontal acceleration noise density of any mode (m²/s³), for cheap pre-tests. */
  readonly maxQHorizontal: number;
  /**
   * Sets up the filter state of a new track from its combined state `tr.x`, `tr.p`: the
   * per-mode states, the initial mode probabilities and the orientation of the process noise.
   */
  initialise(tr: Track): void;
  /** The combined estimate of `tr` predicted to time t into `xOut`, `pOut` (6, 6×6); the track's estimate is not changed (a cache such as the noise orientation may be refreshed). */
  predict(tr: Track, t: number, xOut: Float64Array, pOut: Float64Array): void;
  /**
   * Updates `tr` with detection `pd` (state, covariance, modes, time). Returns the squared
   * Mahalanobis distance of the innovation, or NaN (track unchanged) when the detection
   * could not be used.
   */
  update(tr: Track, pd: PreparedDetection): number;
  /**
   * Updates `tr` with several detections at once, each weighted by how likely it is the
   * track's (joint probabilistic association: jpda-associator.ts, `AssociationMixture`):
   * hypothesis i weighs `scale[i]` times the pair's likelihood per resolution cell under the
   * filter's own prediction, "none of them" weighs `missWeight`. The track ends at the latest
   * detection's time. Returns a squared Mahalanobis distance (of the heaviest detection), or NaN
   * (track unchanged) when the detections could not be used. Optional: a filter without it gets
   * the most probable detection alone.
   */
  updateWeighted?(tr: Track, pds: readonly PreparedDetection[], scale: readonly number[], missWeight: number): number;
  /** Whether `updateWeighted` can take detection `pd` for track `tr` (absent: never). */
  weighs?(tr: Track, pd: PreparedDetection): boolean;
}
