/**
 * The tracker's shared state, made explicit: the slot table of tracks (slots are reused after
 * deletion), the live list, id allocation, tracks by cooperative identity, the spatial grid of
 * the live tracks for the current step, and the per-group and per-step bookkeeping that the
 * hypothesiser and the updater share. The components that need it are given it.
 */
import { STATE_DIM } from '../models/state.js';
import { createSpatialGrid, type SpatialGrid } from './spatial-grid.js';
import type { Track } from './track.js';
import type { TrackerEvent } from './tracker.js';

const n = STATE_DIM;

export interface TrackTable {
  /** Tracks by slot; `undefined` marks a free slot. */
  readonly slots: (Track | undefined)[];
  /** Live tracks (tentative ones included), in creation order; replaced, never mutated in place by `sweep`. */
  live: Track[];
  /** Tracks by cooperative identity (ADS-B address, Remote ID serial). */
  readonly byIdentity: Map<string, Track>;
  /** Live tracks by the disc that holds each over the step window (`beginStep`). */
  readonly grid: SpatialGrid;
  /** Times of the detections each track got from the group being processed. */
  readonly groupHits: Map<Track, number[]>;
  /** Tracks updated during the current step. */
  readonly touched: Set<Track>;
  /** Start and end (s) of the current step's window. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The next track id ("1", "2", …); ids are never reused. */
  nextId(): string;
  /** A free slot (the last freed first), or a new one. */
  allocateSlot(): number;
  /** Puts a new track into its slot, the live list and the grid. */
  add(tr: Track): void;
  /** Frees a track's slot and identity; a mature track's removal is reported as `deleted`. Does not touch `live`. */
  /** Removes a track; a confirmed or coasting one gets a `deleted` event, with `reason` when given (deleter.ts `DELETE_REASONS`). */
  remove(tr: Track, t: number, events: TrackerEvent[], reason?: string): void;
  /** Gives a track a cooperative identity (and takes it from whichever track had it). */
  setCooperative(tr: Track, id: string): void;
  /** Starts a step over [start, end]: rebuilds the grid of the live tracks and clears `touched`. */
  beginStep(start: number, end: number): void;
  /** Records that `tr` got a detection at time t in the current group. */
  recordHit(tr: Track, t: number): void;
}

export interface TrackTableOptions {
  /** Cell size of the spatial grid (m). */
  gridCell: number;
}

export function createTrackTable(options: TrackTableOptions): TrackTable {
  const slots: (Track | undefined)[] = [];
  const freeSlots: number[] = [];
  const byIdentity = new Map<string, Track>();
  const grid = createSpatialGrid(options.gridCell);
  const groupHits = new Map<Track, number[]>();
  const touched = new Set<Track>();
  let nextIdNumber = 1;
  let windowStart = 0;
  let windowEnd = 0;

  function insertInGrid(tr: Track, tRef: number): void {
    // disc that holds the track's position over the whole step window, with margin
    const w = Math.max(Math.abs(tRef - tr.t), Math.abs(windowStart - tr.t), 1);
    const sdPos = Math.sqrt(0.5 * (tr.p[0] + tr.p[n + 1]));
    const sdVel = Math.sqrt(0.5 * (tr.p[3 * n + 3] + tr.p[4 * n + 4]));
    const speed = Math.hypot(tr.x[3], tr.x[4]);
    const radius = 4 * sdPos + (speed + 4 * sdVel) * w + 200;
    const mid = 0.5 * (windowStart + tRef) - tr.t;
    grid.insert(tr.slot, tr.x[0] + tr.x[3] * mid, tr.x[1] + tr.x[4] * mid, radius + (speed * w) / 2);
  }

  const table: TrackTable = {
    slots,
    live: [],
    byIdentity,
    grid,
    groupHits,
    touched,
    get windowStart() {
      return windowStart;
    },
    get windowEnd() {
      return windowEnd;
    },
    nextId() {
      return String(nextIdNumber++);
    },
    allocateSlot() {
      return freeSlots.length > 0 ? (freeSlots.pop() as number) : slots.length;
    },
    add(tr) {
      slots[tr.slot] = tr;
      table.live.push(tr);
      insertInGrid(tr, windowEnd);
    },
    remove(tr, t, events, reason) {
      if (tr.cooperativeId !== undefined && byIdentity.get(tr.cooperativeId) === tr) byIdentity.delete(tr.cooperativeId);
      slots[tr.slot] = undefined;
      freeSlots.push(tr.slot);
      if (tr.status !== 'tentative') events.push(reason !== undefined ? { type: 'deleted', t, trackId: tr.id, reason } : { type: 'deleted', t, trackId: tr.id });
    },
    setCooperative(tr, id) {
      if (tr.cooperativeId === id && byIdentity.get(id) === tr) return;
      if (tr.cooperativeId !== undefined && byIdentity.get(tr.cooperativeId) === tr) byIdentity.delete(tr.cooperativeId);
      tr.cooperativeId = id;
      byIdentity.set(id, tr);
    },
    beginStep(start, end) {
      windowStart = start;
      windowEnd = end;
      grid.clear();
      for (const tr of table.live) insertInGrid(tr, end);
      touched.clear();
    },
    recordHit(tr, t) {
      const ht = groupHits.get(tr);
      if (ht) ht.push(t);
      else groupHits.set(tr, [t]);
    },
  };
  return table;
}
