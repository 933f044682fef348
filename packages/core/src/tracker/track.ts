import type { ClassState } from '../identify/classifier.js';
import type { CloudState } from '../acoustic/cloud-filter.js';
import type { PlotLog } from './stationary.js';
import type { Detection } from '../types.js';

/** The tracker's internal record of one track. */
export type TrackStatus = 'tentative' | 'confirmed' | 'coasting';

export interface Track {
  /** Stable id, unique for the tracker's life ("1", "2", ...). */
  readonly id: string;
  /** Index in the tracker's slot table (reused after deletion). */
  slot: number;
  /** State E, N, U, VE, VN, VU in the tracker frame (m, m/s), valid at `t`. */
  readonly x: Float64Array;
  /** Covariance 6×6 row-major. */
  readonly p: Float64Array;
  /** Time of the state (s since the epoch). */
  t: number;
  status: TrackStatus;
  /** Detections associated so far. */
  hits: number;
  /** Sum of the normalised innovations squared of its updates and their degrees of freedom. */
  nis: number;
  nisDof: number;
  /** Time the track was started and of the last associated detection. */
  readonly firstT: number;
  lastHitT: number;
  /** Running mean of the gaps between its detections (s): its sensors' revisit (NaN before the second detection). */
  meanGap: number;
  /** Per-mode states (mode j at [6j, 6j+6)) and covariances (at [36j, 36j+36)) of the IMM, and the modes' probabilities. */
  readonly modeX: Float64Array;
  readonly modeP: Float64Array;
  readonly mu: Float64Array;
  /** Unit horizontal and vertical acceleration noise densities in the tracker frame (3×3 each),
   *  oriented to the local level at `gAt`: a mode's noise is qH·gH + qV·gV. */
  readonly gH: Float64Array;
  readonly gV: Float64Array;
  /** Horizontal position (tracker frame) where `g` was last oriented. */
  gAtE: number;
  gAtN: number;
  /** Sensors that contributed, with their last contribution time. */
  readonly sensors: Map<string, number>;
  /**
   * The last two point detections (positions, plots; the latest first) of each sensor that
   * updated this track alone (not weighed with other tracks): two tracks holding distinct plots
   * of one sensor's same scan are two targets, which the merger does not merge
   * (statistical-merger.ts). Two, because a scan's plots may fall in two steps: at a merge one
   * track may hold this scan's plot and the other only the scan before's.
   */
  lastPlots?: Map<string, Detection[]>;
  /** Cooperative identity (ADS-B / Remote ID), when a sensor reported one. */
  cooperativeId?: string;
  /** Class belief (identify/classifier.ts), and the time of its last kinematic step. */
  readonly cls: ClassState;
  clsT: number;
  /** Class probabilities and threat probability computed from `cls`, or null when stale. */
  clsOut: { probs: Record<string, number>; threat: number } | null;
  /** Its last precise detection (a radar plot, a position better than the hand-off error: acoustic/cloud-filter.ts) and the running mean gap between them (s; NaN before the second): when acoustic nodes alone hold it, it is handed back to a cloud. */
  precise?: {
    t: number;
    gap: number;
    /** Scans of precise detections since a cloud was last handed off (counted when `heldRivals` is set). */
    scans?: number;
    /** The rival hypotheses' log likelihoods (their log probabilities less the prior) of the cloud handed off to the precise sensors (acoustic/rival-modes.ts): what the microphones had told of the source. */
    heldRivals?: Float64Array;
  };
  /** An acoustic track's particle cloud (acoustic/): set while only cheap sensors hold the track. */
  cloud?: CloudState;
  /** The plots it took, for the test of a stationary source (stationary.ts); absent with that test off. */
  plots?: PlotLog;
}
