/**
 * Applies chosen detection–track pairs, in detection time order: the filter update, and the
 * track's bookkeeping (consistency, hits, revisit, class evidence, contributing sensors,
 * cooperative identity), and confirmation of a tentative track.
 */
import type { Assignment } from './associator.js';
import type { TrackFilter } from './filter.js';
import { cloudConfirmable } from '../acoustic/cloud-filter.js';
import type { Identifier } from './identifier.js';
import { chiSquareQuantile } from './options.js';
import type { PreparedDetection } from './prepare.js';
import type { TrackTable } from './track-table.js';
import { logHit } from './stationary.js';
import type { TrackerEvent, TrackerStats } from './tracker.js';

/** Weight of a new gap in a track's mean revisit, and the longest gap taken as a revisit (s). */
const GAP_SMOOTHING = 0.3;
const MAX_REVISIT = 10;

export interface TrackUpdaterOptions {
  table: TrackTable;
  filter: TrackFilter;
  identifier: Identifier;
  stats: TrackerStats;
  /** Two detections of one sensor closer in time than this (s) are one scan: no revisit gap. */
  sameScanWindow: number;
  /** Detections, and the chi-square consistency of their innovations, that confirm a track. */
  confirmHits: number;
  confirmConsistency: number;
  /** The stationary-source test's window (stationary.ts), or false when the test is off: every detection applied is logged for it. */
  stationarySources: { windowS: number; minPlots: number } | false;
}

/** Applies `chosen` (sorted here); marks the detections it used in `used`. */
export type TrackUpdater = (chosen: Assignment[], prepared: readonly PreparedDetection[], used: Uint8Array, events: TrackerEvent[]) => void;

export function createTrackUpdater(options: TrackUpdaterOptions): TrackUpdater {
  const { table, filter, identifier, stats } = options;
  const slots = table.slots;
  return (chosen, prepared, used, events) => {
    chosen.sort((a, b) => prepared[a.det].det.t - prepared[b.det].det.t || a.det - b.det);
    for (const c of chosen) {
      const tr = slots[c.track];
      const pd = prepared[c.det];
      if (!tr) continue;
      const d2 = filter.update(tr, pd);
      if (Number.isNaN(d2)) continue;
      tr.nis += d2;
      tr.nisDof += pd.meas.dim;
      used[c.det] = 1;
      tr.hits++;
      if (pd.det.t > tr.lastHitT) {
        // running mean of the gaps between detections (capped: a long silence is no revisit)
        const gap = Math.min(pd.det.t - tr.lastHitT, MAX_REVISIT);
        if (gap > options.sameScanWindow) tr.meanGap = Number.isNaN(tr.meanGap) ? gap : tr.meanGap + GAP_SMOOTHING * (gap - tr.meanGap);
        tr.lastHitT = pd.det.t;
      }
      identifier.evidence(tr, pd.det, tr.sensors.get(pd.det.sensorId));
      tr.sensors.set(pd.det.sensorId, pd.det.t);
      if (pd.det.cooperativeId !== undefined) table.setCooperative(tr, pd.det.cooperativeId);
      table.touched.add(tr);
      table.recordHit(tr, pd.det.t);
      if (options.stationarySources) logHit(tr, pd, options.stationarySources.windowS, options.stationarySources.minPlots);
      // consistency: the normalised innovations of a Gaussian track; an acoustic track's hits
      // each passed its cloud's own predictive test (cloud-filter.ts), and the Gaussian summary
      // of a ring or a ray says nothing about them
      const consistent = tr.cloud !== undefined || tr.nis <= chiSquareQuantile(tr.nisDof, options.confirmConsistency);
      if (tr.status === 'tentative' && tr.hits >= options.confirmHits && consistent && cloudConfirmable(tr)) {
        tr.status = 'confirmed';
        stats.confirmed++;
        events.push({ type: 'confirmed', t: pd.det.t, trackId: tr.id });
      } else if (tr.status === 'coasting') {
        tr.status = 'confirmed';
      }
    }
  };
}
