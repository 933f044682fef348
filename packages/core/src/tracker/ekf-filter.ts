/**
 * A single-model filter: one nearly-constant-velocity model updated by an extended Kalman
 * filter (Joseph form). It is the IMM of `imm-filter.ts` with one mode, which is exactly an
 * EKF: with one mode the mixing weights, the mode probability and the moment matching are
 * all 1 and add nothing (every product is by 1 and every spread term is 0), so the arithmetic
 * is that of a plain NCV EKF. The track's `modeX`, `modeP` hold a copy of its state.
 */
import type { EnuFrame } from '../geo/index.js';
import type { TrackFilter } from './filter.js';
import { createImmFilter } from './imm-filter.js';

export interface EkfFilterOptions {
  /** The tracker frame. */
  frame: EnuFrame;
  /** Horizontal and vertical acceleration noise densities (m²/s³) of the NCV model. */
  qHorizontal: number;
  qVertical: number;
}

export function createEkfFilter(options: EkfFilterOptions): TrackFilter {
  if (!(options.qHorizontal > 0 && options.qVertical > 0)) throw new Error('an EKF filter needs positive noise densities');
  return createImmFilter({
    frame: options.frame,
    motionModes: [{ qHorizontal: options.qHorizontal, qVertical: options.qVertical, meanDuration: Infinity }],
    initialModeProbabilities: [1],
  });
}
