/**
 * Merges confirmed tracks that follow the same target: at heights that agree within their
 * uncertainties, and closer than `mergeDistance` with velocities within `mergeSpeed`, or
 * agreeing within their uncertainties (a chi-square test on the position and horizontal
 * velocity differences, with the sum of both covariances: a track-to-track association test
 * that treats their errors as independent). The older track (smaller id) stays; it takes the
 * state of the younger one when that is the more precise, and its cooperative identity when
 * it had none. Runs every `MERGE_INTERVAL` s. Two tracks that each took a plot of their own in
 * one sensor's same scan, among their last two of that sensor, are two targets the sensor
 * resolved (a track takes one plot per scan, a plot one track), however close their states: they
 * are not merged (`seenApart`).
 */
import { cholesky, mahalanobisSq } from '../linalg/dense.js';
import { STATE_DIM } from '../models/state.js';
import type { TrackFilter } from './filter.js';
import type { Merger } from './merger.js';
import { DELETE_REASONS } from './deleter.js';
import { chiSquareQuantile } from './options.js';
import { createSpatialGrid } from './spatial-grid.js';
import type { Track } from './track.js';
import type { TrackTable } from './track-table.js';

/** Seconds between two searches for duplicate tracks to merge. */
const MERGE_INTERVAL = 5;
const n = STATE_DIM;

export interface StatisticalMergerOptions {
  table: TrackTable;
  filter: TrackFilter;
  mergeDistance: number;
  mergeMaxDistance: number;
  mergeSpeed: number;
  mergeProbability: number;
  /** Two detections of one sensor closer in time than this (s) are one scan. */
  sameScanWindow: number;
}

export function createStatisticalMerger(options: StatisticalMergerOptions): Merger {
  const { table, filter } = options;
  const slots = table.slots;
  const maxQH = filter.maxQHorizontal;
  const mergeGrid = createSpatialGrid(Math.max(options.mergeMaxDistance, options.mergeDistance, 1));
  const mergeGate = chiSquareQuantile(5, options.mergeProbability);
  const d5 = new Float64Array(5);
  const s25 = new Float64Array(25);
  const l25 = new Float64Array(25);
  const t5 = new Float64Array(5);
  const xa = new Float64Array(n);
  const pa = new Float64Array(n * n);
  const xb = new Float64Array(n);
  const pb = new Float64Array(n * n);
  const H5 = [0, 1, 2, 3, 4]; // E, N, U, VE, VN
  let mergeDead = new Set<Track>();
  let lastMerge = -Infinity;

  /** Whether one sensor's latest plots of `a` and `b` are distinct plots of one scan (two targets it resolved). */
  function seenApart(a: Track, b: Track): boolean {
    if (!a.lastPlots || !b.lastPlots) return false;
    for (const [sensor, pas] of a.lastPlots) {
      const pbs = b.lastPlots.get(sensor);
      if (pbs === undefined) continue;
      for (const pa of pas) for (const pb of pbs) if (pb !== pa && Math.abs(pa.t - pb.t) < options.sameScanWindow) return true;
    }
    return false;
  }

  function sameTarget(a: Track, b: Track, t: number): boolean {
    // cheap refusal first: the 4-D Mahalanobis distance is at least the horizontal distance²
    // over the trace of the summed horizontal covariances (grown by the prediction)
    const da = t - a.t;
    const db = t - b.t;
    const ex = a.x[0] + a.x[3] * da - (b.x[0] + b.x[3] * db);
    const ey = a.x[1] + a.x[4] * da - (b.x[1] + b.x[4] * db);
    const d2 = ex * ex + ey * ey;
    const lim = Math.max(options.mergeMaxDistance, options.mergeDistance);
    if (d2 > lim * lim) return false;
    if (d2 > options.mergeDistance * options.mergeDistance) {
      const pa0 = a.p;
      const pb0 = b.p;
      const grownA = pa0[0] + pa0[n + 1] + (pa0[3 * n + 3] + pa0[4 * n + 4]) * da * da * 2 + (2 * maxQH * Math.abs(da * da * da)) / 3;
      const grownB = pb0[0] + pb0[n + 1] + (pb0[3 * n + 3] + pb0[4 * n + 4]) * db * db * 2 + (2 * maxQH * Math.abs(db * db * db)) / 3;
      if (d2 > mergeGate * (grownA + grownB)) return false;
    }
    filter.predict(a, t, xa, pa);
    filter.predict(b, t, xb, pb);
    const dist = Math.hypot(xa[0] - xb[0], xa[1] - xb[1]);
    if (dist > Math.max(options.mergeMaxDistance, options.mergeDistance)) return false;
    // two targets stacked at different heights are not one: heights must agree too
    const dz = Math.abs(xa[2] - xb[2]);
    if (dz > 3 * Math.sqrt(pa[2 * n + 2] + pb[2 * n + 2]) + 100) return false;
    if (dist <= options.mergeDistance && Math.hypot(xa[3] - xb[3], xa[4] - xb[4]) <= options.mergeSpeed) return true;
    for (let i = 0; i < 5; i++) {
      d5[i] = xa[H5[i]] - xb[H5[i]];
      for (let j = 0; j < 5; j++) s25[i * 5 + j] = pa[H5[i] * n + H5[j]] + pb[H5[i] * n + H5[j]];
    }
    if (!cholesky(s25, 5, l25)) return false;
    return mahalanobisSq(l25, 5, d5, t5) <= mergeGate;
  }

  return {
    merge(t, events) {
      const live = table.live;
      if (live.length < 2 || t - lastMerge < MERGE_INTERVAL) return;
      lastMerge = t;
      mergeGrid.clear();
      let mature = 0;
      for (const tr of live) {
        if (tr.status === 'tentative') continue;
        const dt = t - tr.t;
        mergeGrid.insert(tr.slot, tr.x[0] + tr.x[3] * dt, tr.x[1] + tr.x[4] * dt, 0);
        mature++;
      }
      if (mature < 2) return;
      const dead = mergeDead;
      dead.clear();
      const reach = Math.max(options.mergeMaxDistance, options.mergeDistance);
      for (const tr of live) {
        if (tr.status === 'tentative' || dead.has(tr)) continue;
        const dt = t - tr.t;
        mergeGrid.query(tr.x[0] + tr.x[3] * dt, tr.x[1] + tr.x[4] * dt, reach, (slot) => {
          const other = slots[slot];
          if (!other || other === tr || dead.has(other) || dead.has(tr) || Number(other.id) < Number(tr.id)) return;
          if (tr.cooperativeId !== undefined && other.cooperativeId !== undefined && tr.cooperativeId !== other.cooperativeId) return;
          if (!sameTarget(tr, other, t) || seenApart(tr, other)) return;
          // tr is the older (smaller id)
          const younger = other;
          const older = tr;
          if (younger.p[0] + younger.p[n + 1] < older.p[0] + older.p[n + 1]) {
            older.x.set(younger.x);
            older.p.set(younger.p);
            older.modeX.set(younger.modeX);
            older.modeP.set(younger.modeP);
            older.mu.set(younger.mu);
            older.t = younger.t;
            // the state goes with its representation: an acoustic track's cloud, or none
            older.cloud = younger.cloud;
          }
          if (younger.precise && !(older.precise && older.precise.t >= younger.precise.t)) older.precise = younger.precise;
          older.lastHitT = Math.max(older.lastHitT, younger.lastHitT);
          older.hits += younger.hits;
          for (const [sid, st] of younger.sensors) if ((older.sensors.get(sid) ?? -Infinity) < st) older.sensors.set(sid, st);
          if (younger.cooperativeId !== undefined && (older.cooperativeId === undefined || older.cooperativeId === younger.cooperativeId)) {
            const id = younger.cooperativeId;
            table.byIdentity.delete(id);
            younger.cooperativeId = undefined;
            table.setCooperative(older, id);
          }
          if (younger.status === 'confirmed' && older.status === 'coasting' && older.t === younger.t) older.status = 'confirmed';
          dead.add(younger);
        });
      }
      if (dead.size === 0) return;
      for (const tr of dead) table.remove(tr, t, events, DELETE_REASONS.merged);
      table.live = live.filter((tr) => !dead.has(tr));
      mergeDead = new Set();
    },
  };
}
