/**
 * Gating by the Mahalanobis distance of the innovation, with a spatial pre-filter: a grid
 * query of the live tracks near each detection, a cheap horizontal pre-test by the
 * detection's shape, then the chi-square gate on the full innovation. A detection with a
 * cooperative identity goes to the track that carries it (a loose gate against corrupt
 * reports), and tracks with another identity are refused. A sensor cannot see one target twice
 * in one scan, and a track takes its detections of a group in time order (`earliestPerTrack`).
 */
import { createEkfWorkspace, innovate } from '../filters/ekf.js';
import { STATE_DIM } from '../models/state.js';
import type { TrackFilter } from './filter.js';
import type { Hypothesiser, PairList } from './hypothesiser.js';
import { adaptMeasurement, logDetR } from './measurement-adapt.js';
import { chiSquareQuantile } from './options.js';
import { SHAPE_DISC, SHAPE_POINT, type PreparedDetection } from './prepare.js';
import type { Track } from './track.js';
import type { TrackTable } from './track-table.js';
import type { TrackerStats } from './tracker.js';

/** A detection with a cooperative identity updates its track unless this many gates away (a corrupt report). */
const IDENTITY_GATE_FACTOR = 25;
/** Inflation of the pre-gate's covariance, and a floor (m²) added to its diagonal. */
const PREGATE_INFLATION = 2;
const PREGATE_FLOOR = 50 * 50;
const n = STATE_DIM;

export interface MahalanobisHypothesiserOptions {
  table: TrackTable;
  filter: TrackFilter;
  /** Work counters (candidates, innovations, gated) to add to. */
  stats: TrackerStats;
  /** Probability that a true detection falls inside the gate (chi-square quantile per dimension). */
  gateProbability: number;
  /** Two detections of one sensor closer in time than this (s) cannot both update one track. */
  sameScanWindow: number;
}

export function createMahalanobisHypothesiser(options: MahalanobisHypothesiserOptions): Hypothesiser {
  const { table, filter, stats } = options;
  const slots = table.slots;
  const maxQH = filter.maxQHorizontal;
  const gates = [0, 1, 2, 3, 4].map((k) => (k === 0 ? 0 : chiSquareQuantile(k, options.gateProbability)));
  const ws = createEkfWorkspace();
  const xs = new Float64Array(n);
  const ps = new Float64Array(n * n);

  /** Whether track `tr` can be near detection `pd` at its time: cheap horizontal tests by shape. */
  function preGate(tr: Track, pd: PreparedDetection, gate: number): boolean {
    const dt = pd.det.t - tr.t;
    const p = tr.p;
    const px = tr.x[0] + tr.x[3] * dt;
    const py = tr.x[1] + tr.x[4] * dt;
    const adt = Math.abs(dt);
    const qd = (maxQH * adt * adt * adt) / 3;
    const dt2 = dt * dt;
    const vxx = p[0] + 2 * dt * p[3] + dt2 * p[3 * n + 3] + qd;
    const vxy = p[1] + dt * (p[4] + p[3 * n + 1]) + dt2 * p[3 * n + 4];
    const vyy = p[n + 1] + 2 * dt * p[n + 4] + dt2 * p[4 * n + 4] + qd;
    if (pd.shape === SHAPE_POINT) {
      // a range-bearing plot without elevation is placed at an assumed height: its ground
      // position is too uncertain for this test (a high target would be refused), so the
      // full gate decides
      if (!Number.isNaN(pd.assumedElevation)) return true;
      // Pre-gate on the horizontal plane: the 2×2 horizontal covariance of the predicted track
      // plus the detection's, inflated against linearisation differences. The marginal
      // Mahalanobis distance never exceeds the full one, so this only drops pairs the gate
      // would refuse.
      const de = px - pd.ax;
      const dn = py - pd.ay;
      const sxx = (vxx + pd.cxx) * PREGATE_INFLATION + PREGATE_FLOOR;
      const sxy = (vxy + pd.cxy) * PREGATE_INFLATION;
      const syy = (vyy + pd.cyy) * PREGATE_INFLATION + PREGATE_FLOOR;
      const det2 = sxx * syy - sxy * sxy;
      return !(det2 > 0 && (syy * de * de - 2 * sxy * de * dn + sxx * dn * dn) / det2 > gate);
    }
    // rays and discs: distances with generous margins (the sound's travel time lets an
    // acoustic sensor hear a target where it was up to reach/343 s ago)
    const sdH = Math.sqrt(0.5 * (vxx + vyy));
    const speed = Math.hypot(tr.x[3], tr.x[4]);
    const slack = 4 * sdH + 200 + (pd.meas.delay > 0 ? speed * pd.reach * pd.meas.delay : 0);
    const rx = px - pd.sx;
    const ry = py - pd.sy;
    const rho = Math.hypot(rx, ry);
    if (rho > pd.reach + slack) return false;
    if (pd.shape === SHAPE_DISC) return true;
    const along = rx * pd.ux + ry * pd.uy;
    if (along < -slack) return false;
    const cross = Math.abs(rx * pd.uy - ry * pd.ux);
    return cross <= 1.5 * Math.sqrt((rho * pd.angleSd) ** 2 * gate) + slack;
  }

  /** A sensor cannot see one target twice in one scan: refuses a second detection within `sameScanWindow`. */
  function scannedAlready(tr: Track, pd: PreparedDetection): boolean {
    const hits = table.groupHits.get(tr);
    if (hits === undefined) return false;
    // only forward in time, and not within one scan: an earlier detection after a later one
    // would be applied backwards
    for (const ht of hits) if (pd.det.t - ht < options.sameScanWindow) return true;
    return false;
  }

  /** Gathers gated (detection, track) pairs for the detections not yet used whose `want` flag is set. */
  function gatherPairs(prepared: readonly PreparedDetection[], used: Uint8Array, want: Uint8Array, accept: (tr: Track) => boolean, out: PairList): void {
    const pairDet = out.det;
    const pairTrack = out.track;
    const pairCost = out.cost;
    const pairLogLik = out.logLik;
    const pairWeighable = out.weighable;
    pairWeighable.length = 0;
    pairDet.length = 0;
    pairTrack.length = 0;
    pairCost.length = 0;
    pairLogLik.length = 0;
    for (let i = 0; i < prepared.length; i++) {
      if (used[i] || !want[i]) continue;
      const pd = prepared[i];
      const gate = gates[pd.meas.dim];
      const coop = pd.det.cooperativeId;
      if (coop !== undefined) {
        // a cooperative identity names its track: no competition, and a loose gate that only
        // refuses corrupt reports
        const tr = table.byIdentity.get(coop);
        if (tr) {
          if (accept(tr) && !scannedAlready(tr, pd)) {
            filter.predict(tr, pd.det.t, xs, ps);
            stats.innovations++;
            adaptMeasurement(pd, xs, ps);
            if (innovate(xs, ps, pd.meas, ws) && ws.d2 <= IDENTITY_GATE_FACTOR * gate && Number.isFinite(ws.logDetS)) {
              pairDet.push(i);
              pairTrack.push(tr.slot);
              pairCost.push(0);
              pairLogLik.push(0);
              pairWeighable.push(0);
            }
          }
          continue;
        }
      }
      table.grid.query(pd.ax, pd.ay, pd.radius, (slot) => {
        const tr = slots[slot];
        if (!tr || !accept(tr)) return;
        stats.candidates++;
        if (tr.cooperativeId !== undefined && coop !== undefined && tr.cooperativeId !== coop) return;
        if (!preGate(tr, pd, gate)) return;
        if (scannedAlready(tr, pd)) return;
        filter.predict(tr, pd.det.t, xs, ps);
        stats.innovations++;
        adaptMeasurement(pd, xs, ps);
        if (!innovate(xs, ps, pd.meas, ws)) return;
        if (!(ws.d2 <= gate)) return;
        stats.gated++;
        pairDet.push(i);
        pairTrack.push(slot);
        pairCost.push(ws.d2);
        pairLogLik.push(Math.min(0, -0.5 * (ws.d2 + ws.logDetS - logDetR(pd))));
        pairWeighable.push(filter.weighs?.(tr, pd) ? 1 : 0);
      });
    }
  }

  /**
   * Keeps, for each track, only its pairs with the earliest gated detection (and those within
   * `sameScanWindow` of it); the others are put off to the next round. A sensor that reports
   * a target several times within one group (faster than the step) then updates its track in
   * time order. Otherwise the best-fitting of them, not the first, would win the first round,
   * and the earlier ones, refused as going backwards (`scannedAlready`), would start new
   * tracks: one target split into many.
   */
  function earliestPerTrack(prepared: readonly PreparedDetection[], out: PairList): void {
    const pairDet = out.det;
    const pairTrack = out.track;
    const pairCost = out.cost;
    const pairLogLik = out.logLik;
    const pairWeighable = out.weighable;
    const deferredDet = out.deferred;
    deferredDet.length = 0;
    const np = pairDet.length;
    if (np < 2) return;
    const first = new Map<number, number>();
    for (let k = 0; k < np; k++) {
      const t = prepared[pairDet[k]].det.t;
      const f = first.get(pairTrack[k]);
      if (f === undefined || t < f) first.set(pairTrack[k], t);
    }
    if (first.size === np) return; // one pair per track
    let w = 0;
    for (let k = 0; k < np; k++) {
      if (prepared[pairDet[k]].det.t - (first.get(pairTrack[k]) as number) >= options.sameScanWindow) {
        deferredDet.push(pairDet[k]);
        continue;
      }
      pairDet[w] = pairDet[k];
      pairTrack[w] = pairTrack[k];
      pairCost[w] = pairCost[k];
      pairLogLik[w] = pairLogLik[k];
      pairWeighable[w] = pairWeighable[k];
      w++;
    }
    pairDet.length = w;
    pairTrack.length = w;
    pairCost.length = w;
    pairLogLik.length = w;
    pairWeighable.length = w;
  }

  return {
    hypothesise(prepared, used, want, accept, out) {
      gatherPairs(prepared, used, want, accept, out);
      earliestPerTrack(prepared, out);
    },
  };
}
