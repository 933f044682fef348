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
}
