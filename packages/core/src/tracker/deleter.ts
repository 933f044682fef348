/**
 * The deletion seam (with the coasting rule of the life cycle): a verdict on each live track
 * at the end of a step. Implementation: `revisit-deleter.ts`.
 */
import type { Track } from './track.js';

/** `delete`: remove the track; `coast`: a confirmed track to report as coasting from now; `keep`: no change. */
export type DeleterVerdict = 'keep' | 'coast' | 'delete';

export interface Deleter {
  /** The verdict on track `tr` at time t (the track is not changed). */
  judge(tr: Track, t: number): DeleterVerdict;
  /**
   * The rule behind the last `delete` verdict (one of {@link DELETE_REASONS}, or a deleter's
   * own short phrase), for the track's `deleted` event; undefined when the deleter does not say.
   */
  readonly lastReason?: string;
}

/** Why a track was removed, as the `deleted` event's `reason` says it. */
export const DELETE_REASONS = Object.freeze({
  /** A tentative track heard no more. */
  tentativeUnheard: 'tentative: unheard',
  /** A confirmed track with few hits that would coast. */
  youngUnheard: 'young: unheard',
  /** Nothing updated it for the time limit. */
  unheard: 'unheard',
  /** Its position one-sigma grew past the limit. */
  spread: 'spread',
  /** An acoustic track whose cloud no longer explains its reports (cloud-deleter.ts). */
  misfit: 'misfit',
  /** An acoustic track a ground vehicle explains far better than a target of its class. */
  rivalGround: 'rival: ground vehicle',
  /** An acoustic track a stationary source explains far better than a target of its class. */
  rivalStill: 'rival: stationary source',
  /** An acoustic track the silences of the nodes about it speak against. */
  silences: 'silences',
  /** A track that stood still too long for its class (stationary.ts). */
  stationary: 'stationary',
  /** Merged into an older track that follows the same target. */
  merged: 'merged',
  /** Dropped after a detection made the tracker fault. */
  fault: 'fault',
});
