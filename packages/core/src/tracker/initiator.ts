/**
 * The initiation seam: detections that no track took are offered to the initiators; one
 * that can localise a target (alone, or with detections it pooled before) returns the state
 * of a new tentative track. Implementations: `point-initiator.ts` (position and
 * range-bearing), `bearing-initiator.ts` (two crossing bearings) and
 * `presence-initiator.ts` (overlapping presence discs).
 */
import type { Detection } from '../types.js';
import type { PreparedDetection } from './prepare.js';
import type { CloudState } from '../acoustic/cloud-filter.js';

/** The state of a track to start: position and velocity with covariance in the tracker frame, at time t. */
export interface TrackBirth {
  /** State (6) and covariance (6×6), owned by the new track from now on. */
  x: Float64Array;
  p: Float64Array;
  /** Time of the state (s). */
  t: number;
  /** The detections it was made from, the one that names the track's first sensor first. */
  dets: Detection[];
  /** An acoustic track's particle cloud (acoustic/cloud-initiator.ts); `x`, `p` are its moments. */
  cloud?: CloudState;
}

export interface Initiator {
  /** Whether this initiator uses detections like `pd` (by its shape); only those are offered. */
  accepts(pd: PreparedDetection): boolean;
  /**
   * Offers a detection no track took. Returns a birth when it localises a target (alone or
   * with detections pooled earlier, which are then used up), else null (the detection may be
   * pooled for a while, `pd` itself is not kept).
   */
  initiate(pd: PreparedDetection): TrackBirth | null;
}
