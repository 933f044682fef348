/**
 * The identification seam: a track's class belief from its detections' evidence (class
 * hints, cooperative identities) and from its kinematics. Implementation:
 * `bayes-identifier.ts` (identify/classifier.ts, docs/identification.md).
 */
import type { ClassState } from '../identify/classifier.js';
import type { Detection } from '../types.js';
import type { Track } from './track.js';

export interface Identifier {
  /** The class belief of a new track (its prior). */
  createState(): ClassState;
  /**
   * Takes a detection's evidence on the class of `tr`; `previous` is the time of the same
   * sensor's previous contribution to the track (undefined for its first).
   */
  evidence(tr: Track, det: Detection, previous: number | undefined): void;
  /** The periodic kinematic step, at the end of each tracker step at time t, over the live tracks. */
  step(live: readonly Track[], t: number): void;
}
