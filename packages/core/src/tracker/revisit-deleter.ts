/**
 * The life cycle by time and uncertainty, with time limits that stretch with the track's own
 * revisit (a radar turning every 4 s with a Pd of 0.85 often leaves 8 s between detections):
 * a tentative track silent for `tentativeTimeout` is dropped; a young confirmed one (fewer
 * than `matureHits` detections) as soon as it would coast; a mature one after `deleteAfter`
 * or when its horizontal one-sigma exceeds `maxPositionSd`. A confirmed track coasts after
 * `coastAfter`.
 */
import { STATE_DIM } from '../models/state.js';
import type { Deleter, DeleterVerdict } from './deleter.js';

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
  return {
    judge(tr, t): DeleterVerdict {
      const silent = t - tr.lastHitT;
      const sd = Math.sqrt(0.5 * (tr.p[0] + tr.p[n + 1])); // at the last update; its growth since is covered by the time limits
      const gap = Number.isNaN(tr.meanGap) ? 0 : tr.meanGap;
      const coastLimit = Math.max(options.coastAfter, REVISITS_TO_COAST * gap);
      let gone = false;
      if (tr.status === 'tentative') gone = silent > options.tentativeTimeout;
      else if (tr.hits < options.matureHits) gone = silent > Math.max(options.coastAfter, REVISITS_TO_DROP_YOUNG * gap);
      else gone = silent > Math.max(options.deleteAfter, REVISITS_TO_DELETE * gap) || sd > options.maxPositionSd;
      if (gone) return 'delete';
      if (tr.status === 'confirmed' && silent > coastLimit) return 'coast';
      return 'keep';
    },
  };
}
