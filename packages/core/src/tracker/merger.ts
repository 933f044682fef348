/**
 * The merging seam: finds live tracks that follow the same target and merges them, removing
 * the duplicates from the track table. Implementation: `statistical-merger.ts`.
 */
import type { TrackerEvent } from './tracker.js';

export interface Merger {
  /** At the end of the step at time t: merges duplicate tracks (their removal is reported in `events`). */
  merge(t: number, events: TrackerEvent[]): void;
}
