/**
 * Applies chosen detection–track pairs, in detection time order: the filter update, and the
 * track's bookkeeping (consistency, hits, revisit, class evidence, contributing sensors,
 * cooperative identity), and confirmation of a tentative track.
 */
import type { AssociationMixture, Assignment } from './associator.js';
import type { TrackFilter } from './filter.js';
import { cloudConfirmable } from '../acoustic/cloud-filter.js';
import type { Identifier } from './identifier.js';
import { chiSquareQuantile } from './options.js';
import { SHAPE_POINT, type PreparedDetection } from './prepare.js';
import type { Track } from './track.js';
import type { Detection } from '../types.js';
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
  /** A point detection that updated `tr` alone: its sensor's last two (Track.lastPlots). */
  function notePlot(tr: Track, det: Detection): void {
    const plots = (tr.lastPlots ??= new Map());
    const had = plots.get(det.sensorId);
    if (!had) plots.set(det.sensorId, [det]);
    else {
      // in place: no allocation per update
      had[1] = had[0];
      had[0] = det;
    }
  }

  /** The bookkeeping of a track that detection `pd` updated (d2: its innovation's squared Mahalanobis distance). */
  function hit(tr: Track, pd: PreparedDetection, d2: number, events: TrackerEvent[]): void {
    tr.nis += d2;
    tr.nisDof += pd.meas.dim;
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

  /**
   * A track's weighted update (a JPDA mixture). It counts as a hit of its most probable
   * detection when the track more likely than not gave one of them; the detections that the
   * tracks together more likely than not explain are used (they start no track).
   */
  function weighted(tr: Track, c: Assignment, m: AssociationMixture, prepared: readonly PreparedDetection[], claim: Float64Array, events: TrackerEvent[]): boolean {
    if (!filter.updateWeighted) return false;
    const pds = m.dets.map((i) => prepared[i]);
    const d2 = filter.updateWeighted(tr, pds, m.scale, m.missWeight);
    if (Number.isNaN(d2)) return false;
    let tMax = -Infinity;
    for (const pd of pds) tMax = Math.max(tMax, pd.det.t);
    table.touched.add(tr);
    table.recordHit(tr, tMax);
    for (let i = 0; i < m.dets.length; i++) claim[m.dets[i]] += m.beta[i];
    if (m.miss < 0.5) hit(tr, prepared[c.det], d2, events);
    return true;
  }

  return (chosen, prepared, used, events) => {
    chosen.sort((a, b) => prepared[a.det].det.t - prepared[b.det].det.t || a.det - b.det);
    let claim: Float64Array | null = null;
    for (const c of chosen) {
      const tr = slots[c.track];
      const pd = prepared[c.det];
      if (!tr) continue;
      if (c.mixture) {
        claim ??= new Float64Array(prepared.length);
        if (weighted(tr, c, c.mixture, prepared, claim, events)) {
          stats.mixtures++;
          continue;
        }
        stats.mixturesFallback++;
        // a filter (or a track) that takes one detection at a time: the most probable one, if likely
        if (c.mixture.miss >= 0.5) continue;
      }
      const d2 = filter.update(tr, pd);
      if (Number.isNaN(d2)) continue;
      used[c.det] = 1;
      table.touched.add(tr);
      table.recordHit(tr, pd.det.t);
      if (pd.shape === SHAPE_POINT) notePlot(tr, pd.det);
      hit(tr, pd, d2, events);
    }
    if (claim) for (let i = 0; i < claim.length; i++) if (claim[i] >= 0.5) used[i] = 1;
  };
}
