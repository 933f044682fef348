/**
 * The life cycle by time and uncertainty, with time limits that stretch with the track's own
 * revisit (a radar turning every 4 s with a Pd of 0.85 often leaves 8 s between detections):
 * a tentative track silent for `tentativeTimeout` is dropped; a young confirmed one (fewer
 * than `matureHits` detections) as soon as it would coast; a mature one after `deleteAfter`
 * or when its horizontal one-sigma exceeds `maxPositionSd`. A confirmed track coasts after
 * `coastAfter`.
 */
import { STATE_DIM } from '../models/state.js';
import { DELETE_REASONS, type Deleter, type DeleterVerdict } from './deleter.js';

/** Revisits without a detection after which a track coasts, a young one is dropped, and any is deleted. */
const REVISITS_TO_COAST = 2.2;
const REVISITS_TO_DROP_YOUNG = 3.5;
const REVISITS_TO_DELETE = 5;
const n = STATE_DIM;

export interface RevisitDeleterOptions {
  tentativeTimeout: number;
  coastAfter: number;
  deleteAfter: number;
  matureHits: number;
  maxPositionSd: number;
}

export function createRevisitDeleter(options: RevisitDeleterOptions): Deleter {
  let reason: string | undefined;
  return {
    get lastReason() {
      return reason;
    },
    judge(tr, t): DeleterVerdict {
      const silent = t - tr.lastHitT;
      const sd = Math.sqrt(0.5 * (tr.p[0] + tr.p[n + 1])); // at the last update; its growth since is covered by the time limits
      const gap = Number.isNaN(tr.meanGap) ? 0 : tr.meanGap;
      const coastLimit = Math.max(options.coastAfter, REVISITS_TO_COAST * gap);
      let gone: string | undefined;
      if (tr.status === 'tentative') gone = silent > options.tentativeTimeout ? DELETE_REASONS.tentativeUnheard : undefined;
      else if (tr.hits < options.matureHits) gone = silent > Math.max(options.coastAfter, REVISITS_TO_DROP_YOUNG * gap) ? DELETE_REASONS.youngUnheard : undefined;
      else if (silent > Math.max(options.deleteAfter, REVISITS_TO_DELETE * gap)) gone = DELETE_REASONS.unheard;
      else if (sd > options.maxPositionSd) gone = DELETE_REASONS.spread;
      if (gone !== undefined) {
        reason = gone;
        return 'delete';
      }
      if (tr.status === 'confirmed' && silent > coastLimit) return 'coast';
      return 'keep';
    },
  };
}
