/**
 * The multi-sensor multi-target tracker: plain wiring of predictor (nearly constant
 * velocity), updater (EKF, Joseph form), gate (Mahalanobis, with a spatial pre-filter),
 * data associator (global nearest neighbour, optimal assignment per cluster), initiator
 * (one-point, from any detection that localises a target) and deleter (time and
 * uncertainty based). `step(detections, t)` pushes a batch in and returns events; the same
 * input always gives the same output. See docs/tracker.md.
 */
import { solveLap, createLapWorkspace } from '../assign/lap.js';
import { clusterPairs } from '../assign/clusters.js';
import { createEnuFrame, enuToGeodetic, type EnuFrame } from '../geo/index.js';
import { applyUpdate, createEkfWorkspace, innovate } from '../filters/ekf.js';
import { localRotation } from '../models/local-frame.js';
import { predictNcv } from '../models/ncv.js';
import { STATE_DIM } from '../models/state.js';
import type { Detection, GeoPoint } from '../types.js';
import { chiSquareQuantile, resolveTrackerOptions, type TrackerOptions } from './options.js';
import { createPreparedDetection, prepareDetection, type PrepareContext, type PreparedDetection } from './prepare.js';
import { createSpatialGrid } from './spatial-grid.js';
import type { Track, TrackStatus } from './track.js';

export type TrackerEventType = 'created' | 'confirmed' | 'updated' | 'coasting' | 'deleted' | 'rejected';

export interface TrackerEvent {
  type: TrackerEventType;
  t: number;
  /** Track concerned (absent for `rejected`). */
  trackId?: string;
  /** For `rejected`: the detection and why it could not be used. */
  detection?: Detection;
  reason?: string;
}

/** A track's state as reported: geodetic position, local-level velocity, uncertainty. */
export interface TrackReport {
  t: number;
  trackId: string;
  status: Exclude<TrackStatus, 'tentative'>;
  position: GeoPoint;
  /** False when the altitude is not observable from the detections so far. */
  altitudeObservable: boolean;
  /** Velocity east, north, up in the local level frame at the track (m/s). */
  velocityEnu: [number, number, number];
  /** Horizontal one-sigma: √(trace of the 2×2 horizontal covariance / 2) (m). */
  positionSd: number;
  /** Vertical one-sigma (m). */
  altitudeSd: number;
  classProbs?: Record<string, number>;
  cooperativeId?: string;
  /** Ids of sensors that contributed to the track. */
  sensors: string[];
}

export interface Tracker {
  readonly options: TrackerOptions;
  readonly frame: EnuFrame;
  /** Time of the last step (s), or -Infinity before the first. */
  readonly time: number;
  /**
   * Processes `detections` (any order; all with time <= t, ideally after the previous step's t)
   * and advances the tracker to time `t`. Returns the events in a deterministic order.
   */
  step(detections: readonly Detection[], t: number): TrackerEvent[];
  /** Reports of every confirmed or coasting track, predicted to time `t` (the tracker is not changed). */
  report(t: number): TrackReport[];
  /** Live tracks, tentative ones included (read only). */
  tracks(): readonly Track[];
  /** Work counters since creation, for benchmarks and diagnostics. */
  readonly stats: TrackerStats;
}

export interface TrackerStats {
  detections: number;
  /** Candidate pairs from the spatial index, pairs that passed the disc pre-test, and pairs inside the gate. */
  candidates: number;
  innovations: number;
  gated: number;
  /** Tracks started (tentative) and confirmed. */
  started: number;
  confirmed: number;
}

/** A group of detections of one sensor, associated together. */
interface Candidate {
  det: number;
  track: number;
  cost: number;
}

/** Inflation of the pre-gate's covariance, and a floor (m²) added to its diagonal. */
const PREGATE_INFLATION = 2;
const PREGATE_FLOOR = 50 * 50;

export function createTracker(opts: Partial<TrackerOptions> & { origin: GeoPoint }): Tracker {
  const options = resolveTrackerOptions(opts);
  const frame = createEnuFrame(options.origin);
  const n = STATE_DIM;
  const gates = [0, 1, 2, 3, 4].map((k) => (k === 0 ? 0 : chiSquareQuantile(k, options.gateProbability)));
  const ctx: PrepareContext = {
    global: frame,
    assumedAltitude: options.assumedAltitude,
    assumedAltitudeSd: options.assumedAltitudeSd,
    sensorFrames: new Map(),
  };
  const ws = createEkfWorkspace();
  const lapWs = createLapWorkspace(8, 16);
  const grid = createSpatialGrid(options.gridCell);
  const xs = new Float64Array(n);
  const ps = new Float64Array(n * n);
  const v3 = new Float64Array(3);
  const rot9 = new Float64Array(9);
  const slots: (Track | undefined)[] = [];
  const freeSlots: number[] = [];
  let live: Track[] = [];
  let nextId = 1;
  const stats: TrackerStats = { detections: 0, candidates: 0, innovations: 0, gated: 0, started: 0, confirmed: 0 };
  let time = -Infinity;

  function orientNoise(tr: Track): void {
    const geo = enuToGeodetic(frame, tr.x[0], tr.x[1], tr.x[2]);
    const m = localRotation(frame, geo.latDeg, geo.lonDeg, rot9);
    const q = [options.qHorizontal, options.qHorizontal, options.qVertical];
    // G = Mᵀ·diag(q)·M
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += m[k * 3 + i] * q[k] * m[k * 3 + j];
        tr.g[i * 3 + j] = s;
      }
    }
    tr.gAtE = tr.x[0];
    tr.gAtN = tr.x[1];
  }

  function predictTo(tr: Track, t: number, xOut: Float64Array, pOut: Float64Array): void {
    const dx = tr.x[0] - tr.gAtE;
    const dy = tr.x[1] - tr.gAtN;
    if (dx * dx + dy * dy > 20000 * 20000) orientNoise(tr);
    predictNcv(tr.x, tr.p, t - tr.t, tr.g, xOut, pOut);
  }

  function horizontalSd(p: Float64Array): number {
    return Math.sqrt(0.5 * (p[0] + p[n + 1]));
  }

  function newTrack(pd: PreparedDetection, events: TrackerEvent[]): void {
    const det = pd.det;
    const x = new Float64Array(n);
    const p = new Float64Array(n * n);
    const f = pd.meas.frame;
    const m = f.m;
    // position and its covariance in the local frame of the measurement
    const dl = new Float64Array(3);
    const pl = new Float64Array(9);
    if (det.type === 'position') {
      const vz = det.hasAltitude ? det.altSd * det.altSd : options.assumedAltitudeSd * options.assumedAltitudeSd;
      pl[0] = det.posSd * det.posSd;
      pl[4] = det.posSd * det.posSd;
      pl[8] = vz;
    } else if (det.type === 'range_bearing') {
      const el = det.elevation ?? pd.assumedElevation;
      const elSd = det.elevation === undefined ? pd.assumedElevationSd : det.elevationSd;
      const r = det.range;
      const sb = Math.sin(det.bearing);
      const cb = Math.cos(det.bearing);
      const se = Math.sin(el);
      const ce = Math.cos(el);
      dl[0] = r * ce * sb;
      dl[1] = r * ce * cb;
      dl[2] = r * se;
      // J = ∂d/∂(r, b, el), columns
      const j = [ce * sb, r * ce * cb, -r * se * sb, ce * cb, -r * ce * sb, -r * se * cb, se, 0, r * ce];
      const vr = [det.rangeSd * det.rangeSd, det.bearingSd * det.bearingSd, elSd * elSd];
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += j[a * 3 + k] * vr[k] * j[b * 3 + k];
          pl[a * 3 + b] = s;
        }
      }
    } else {
      return;
    }
    // global position = Mᵀ(dl − o); covariance Mᵀ·Pl·M; velocity covariance likewise from the local level
    const a0 = dl[0] - f.o[0];
    const a1 = dl[1] - f.o[1];
    const a2 = dl[2] - f.o[2];
    for (let i = 0; i < 3; i++) x[i] = m[i] * a0 + m[3 + i] * a1 + m[6 + i] * a2;
    const vh = options.initVelocitySdH * options.initVelocitySdH;
    const vv = options.initVelocitySdV * options.initVelocitySdV;
    for (let i = 0; i < 3; i++) {
      for (let jx = 0; jx < 3; jx++) {
        let s = 0;
        let sv = 0;
        for (let k = 0; k < 3; k++) {
          for (let l = 0; l < 3; l++) s += m[k * 3 + i] * pl[k * 3 + l] * m[l * 3 + jx];
          sv += m[k * 3 + i] * (k === 2 ? vv : vh) * m[k * 3 + jx];
        }
        p[i * n + jx] = s;
        p[(3 + i) * n + 3 + jx] = sv;
      }
    }
    const slot = freeSlots.length > 0 ? (freeSlots.pop() as number) : slots.length;
    const tr: Track = {
      id: String(nextId++),
      slot,
      x,
      p,
      t: det.t,
      status: 'tentative',
      hits: 1,
      nis: 0,
      nisDof: 0,
      firstT: det.t,
      lastHitT: det.t,
      g: new Float64Array(9),
      gAtE: 0,
      gAtN: 0,
      sensors: new Map([[det.sensorId, det.t]]),
    };
    if (det.cooperativeId !== undefined) tr.cooperativeId = det.cooperativeId;
    orientNoise(tr);
    slots[slot] = tr;
    live.push(tr);
    insertInGrid(tr, stepWindowEnd);
    if (options.confirmHits <= 1) tr.status = 'confirmed';
    stats.started++;
    events.push({ type: 'created', t: det.t, trackId: tr.id });
    if (tr.status === 'confirmed') events.push({ type: 'confirmed', t: det.t, trackId: tr.id });
  }

  let stepWindowStart = 0;
  let stepWindowEnd = 0;

  function insertInGrid(tr: Track, tRef: number): void {
    // disc that holds the track's position over the whole step window, with margin
    const w = Math.max(Math.abs(tRef - tr.t), Math.abs(stepWindowStart - tr.t), 1);
    const sdPos = horizontalSd(tr.p);
    const sdVel = Math.sqrt(0.5 * (tr.p[3 * n + 3] + tr.p[4 * n + 4]));
    const speed = Math.hypot(tr.x[3], tr.x[4]);
    const radius = 4 * sdPos + (speed + 4 * sdVel) * w + 200;
    const mid = 0.5 * (stepWindowStart + tRef) - tr.t;
    grid.insert(tr.slot, tr.x[0] + tr.x[3] * mid, tr.x[1] + tr.x[4] * mid, radius + (speed * w) / 2);
  }

  const pairDet: number[] = [];
  const pairTrack: number[] = [];
  const pairCost: number[] = [];

  /** Gathers gated (detection, track) pairs for the detections not yet used whose `want` flag is set. */
  function gatherPairs(prepared: PreparedDetection[], used: Uint8Array, want: Uint8Array, accept: (tr: Track) => boolean): void {
    pairDet.length = 0;
    pairTrack.length = 0;
    pairCost.length = 0;
    for (let i = 0; i < prepared.length; i++) {
      if (used[i] || !want[i]) continue;
      const pd = prepared[i];
      const gate = gates[pd.meas.dim];
      grid.query(pd.ax, pd.ay, pd.radius, (slot) => {
        const tr = slots[slot];
        if (!tr || !accept(tr)) return;
        stats.candidates++;
        if (tr.cooperativeId !== undefined && pd.det.cooperativeId !== undefined && tr.cooperativeId !== pd.det.cooperativeId) return;
        // Pre-gate on the horizontal plane before the filter's full prediction: the 2×2
        // horizontal covariance of the predicted track plus the detection's, inflated by
        // `PREGATE_INFLATION` against linearisation differences, with a looser threshold.
        // The marginal Mahalanobis distance never exceeds the full one, so this only drops
        // pairs the gate would refuse.
        const dt = pd.det.t - tr.t;
        const p = tr.p;
        const de = tr.x[0] + tr.x[3] * dt - pd.ax;
        const dn = tr.x[1] + tr.x[4] * dt - pd.ay;
        const adt = Math.abs(dt);
        const qd = (options.qHorizontal * adt * adt * adt) / 3;
        const dt2 = dt * dt;
        const sxx = (p[0] + 2 * dt * p[3] + dt2 * p[3 * n + 3] + qd + pd.cxx) * PREGATE_INFLATION + PREGATE_FLOOR;
        const sxy = (p[1] + dt * (p[4] + p[3 * n + 1]) + dt2 * p[3 * n + 4] + pd.cxy) * PREGATE_INFLATION;
        const syy = (p[n + 1] + 2 * dt * p[n + 4] + dt2 * p[4 * n + 4] + qd + pd.cyy) * PREGATE_INFLATION + PREGATE_FLOOR;
        const det2 = sxx * syy - sxy * sxy;
        if (det2 > 0 && (syy * de * de - 2 * sxy * de * dn + sxx * dn * dn) / det2 > gate) return;
        const hits = hitTimes.get(tr);
        if (hits !== undefined) {
          for (const ht of hits) if (Math.abs(ht - pd.det.t) < options.sameScanWindow) return;
        }
        predictTo(tr, pd.det.t, xs, ps);
        stats.innovations++;
        if (!innovate(xs, ps, pd.meas, ws)) return;
        if (ws.d2 > gate) return;
        stats.gated++;
        pairDet.push(i);
        pairTrack.push(slot);
        pairCost.push(ws.d2);
      });
    }
  }

  /** Solves the assignment of the gathered pairs; returns chosen (det, slot) pairs. */
  function assign(nDets: number): Candidate[] {
    const np = pairDet.length;
    const out: Candidate[] = [];
    if (np === 0) return out;
    // local track numbering for clustering
    const trackIndex = new Map<number, number>();
    const pt = new Int32Array(np);
    const pdArr = new Int32Array(np);
    for (let k = 0; k < np; k++) {
      let ti = trackIndex.get(pairTrack[k]);
      if (ti === undefined) {
        ti = trackIndex.size;
        trackIndex.set(pairTrack[k], ti);
      }
      pt[k] = ti;
      pdArr[k] = pairDet[k];
    }
    const slotOf = Array.from(trackIndex.keys());
    const cl = clusterPairs(trackIndex.size, nDets, pt, pdArr, np);
    const byCluster: number[][] = Array.from({ length: cl.nClusters }, () => []);
    for (let k = 0; k < np; k++) byCluster[cl.clusterOfDet[pdArr[k]]].push(k);
    for (const ks of byCluster) {
      if (ks.length === 1) {
        const k = ks[0];
        out.push({ det: pairDet[k], track: pairTrack[k], cost: pairCost[k] });
        continue;
      }
      const dets: number[] = [];
      const trs: number[] = [];
      const dIdx = new Map<number, number>();
      const tIdx = new Map<number, number>();
      for (const k of ks) {
        if (!dIdx.has(pdArr[k])) {
          dIdx.set(pdArr[k], dets.length);
          dets.push(pdArr[k]);
        }
        if (!tIdx.has(pt[k])) {
          tIdx.set(pt[k], trs.length);
          trs.push(pt[k]);
        }
      }
      const nr = dets.length;
      const nc = trs.length + nr; // one "no track" column per detection
      const cost = new Float64Array(nr * nc).fill(Infinity);
      for (let r = 0; r < nr; r++) cost[r * nc + trs.length + r] = gates[4] * 2;
      for (const k of ks) cost[dIdx.get(pdArr[k])! * nc + tIdx.get(pt[k])!] = pairCost[k];
      const res = solveLap(cost, nr, nc, lapWs);
      for (let r = 0; r < nr; r++) {
        const c = res.rowToCol[r];
        if (c >= 0 && c < trs.length) out.push({ det: dets[r], track: slotOf[trs[c]], cost: cost[r * nc + c] });
      }
    }
    return out;
  }

  const touched = new Set<Track>();
  /** Prepared detections, reused from group to group. */
  const preparedPool: PreparedDetection[] = [];
  /** Times of the detections each track got from the group being processed. */
  const hitTimes = new Map<Track, number[]>();
  const MAX_ROUNDS = 8;

  function applyPairs(chosen: Candidate[], prepared: PreparedDetection[], used: Uint8Array, events: TrackerEvent[]): void {
    chosen.sort((a, b) => prepared[a.det].det.t - prepared[b.det].det.t || a.det - b.det);
    for (const c of chosen) {
      const tr = slots[c.track];
      const pd = prepared[c.det];
      if (!tr) continue;
      predictTo(tr, pd.det.t, tr.x, tr.p);
      tr.t = pd.det.t;
      if (!innovate(tr.x, tr.p, pd.meas, ws)) continue;
      tr.nis += ws.d2;
      tr.nisDof += ws.dim;
      applyUpdate(tr.x, tr.p, pd.meas, ws);
      used[c.det] = 1;
      tr.hits++;
      if (pd.det.t > tr.lastHitT) tr.lastHitT = pd.det.t;
      tr.sensors.set(pd.det.sensorId, pd.det.t);
      if (pd.det.cooperativeId !== undefined) tr.cooperativeId = pd.det.cooperativeId;
      touched.add(tr);
      const ht = hitTimes.get(tr);
      if (ht) ht.push(pd.det.t);
      else hitTimes.set(tr, [pd.det.t]);
      if (tr.status === 'tentative' && tr.hits >= options.confirmHits && tr.nis <= chiSquareQuantile(tr.nisDof, options.confirmConsistency)) {
        tr.status = 'confirmed';
        stats.confirmed++;
        events.push({ type: 'confirmed', t: pd.det.t, trackId: tr.id });
      } else if (tr.status === 'coasting') {
        tr.status = 'confirmed';
      }
    }
  }

  const isMature = (tr: Track) => tr.status !== 'tentative';
  const isTentative = (tr: Track) => tr.status === 'tentative';

  function processGroup(group: Detection[], events: TrackerEvent[]): void {
    const prepared: PreparedDetection[] = [];
    for (const det of group) {
      if (preparedPool.length <= prepared.length) preparedPool.push(createPreparedDetection());
      const r = prepareDetection(ctx, det, preparedPool[prepared.length]);
      if ('reason' in r) events.push({ type: 'rejected', t: det.t, detection: det, reason: r.reason });
      else prepared.push(r);
    }
    if (prepared.length === 0) return;
    const used = new Uint8Array(prepared.length);
    hitTimes.clear();
    // Confirmed tracks first, then tentative ones. Each round gives a track at most one
    // detection; later rounds let a sensor that reports faster than the step update a track
    // again with its later detections, but never twice within one scan (`sameScanWindow`).
    const want = new Uint8Array(prepared.length);
    for (const stage of [isMature, isTentative]) {
      want.fill(1);
      for (let round = 0; round < MAX_ROUNDS; round++) {
        gatherPairs(prepared, used, want, stage);
        if (pairDet.length === 0) break;
        const chosen = assign(prepared.length);
        if (chosen.length === 0) break;
        applyPairs(chosen, prepared, used, events);
        // the next round looks again only at the detections that gated but were not assigned
        want.fill(0);
        for (let k = 0; k < pairDet.length; k++) if (!used[pairDet[k]]) want[pairDet[k]] = 1;
      }
    }
    for (let i = 0; i < prepared.length; i++) if (!used[i]) newTrack(prepared[i], events);
  }

  function remove(tr: Track, t: number, events: TrackerEvent[]): void {
    slots[tr.slot] = undefined;
    freeSlots.push(tr.slot);
    if (tr.status !== 'tentative') events.push({ type: 'deleted', t, trackId: tr.id });
  }

  function lifecycle(t: number, events: TrackerEvent[]): void {
    const keep: Track[] = [];
    for (const tr of live) {
      const silent = t - tr.lastHitT;
      const sd = horizontalSd(tr.p) + 0; // at last update; growth is covered by the time limits
      let gone = false;
      if (tr.status === 'tentative') gone = silent > options.tentativeTimeout;
      else if (tr.hits < options.matureHits) gone = silent > options.coastAfter;
      else gone = silent > options.deleteAfter || sd > options.maxPositionSd;
      if (gone) {
        remove(tr, t, events);
        continue;
      }
      if (tr.status === 'confirmed' && silent > options.coastAfter) {
        tr.status = 'coasting';
        events.push({ type: 'coasting', t, trackId: tr.id });
      }
      keep.push(tr);
    }
    live = keep;
  }

  /** Merges confirmed tracks that follow the same target (the younger one is deleted). */
  const mergeGrid = createSpatialGrid(Math.max(options.mergeDistance, 1));
  let mergePos = new Float64Array(0);
  const mergeDead = new Set<Track>();
  function merge(t: number, events: TrackerEvent[]): void {
    if (live.length < 2) return;
    if (mergePos.length < slots.length * 4) mergePos = new Float64Array(slots.length * 8);
    mergeGrid.clear();
    let mature = 0;
    for (const tr of live) {
      if (tr.status === 'tentative') continue;
      const dt = t - tr.t;
      const o = tr.slot * 4;
      mergePos[o] = tr.x[0] + tr.x[3] * dt;
      mergePos[o + 1] = tr.x[1] + tr.x[4] * dt;
      mergePos[o + 2] = tr.x[3];
      mergePos[o + 3] = tr.x[4];
      mergeGrid.insert(tr.slot, mergePos[o], mergePos[o + 1], 0);
      mature++;
    }
    if (mature < 2) return;
    const dead = mergeDead;
    dead.clear();
    for (const tr of live) {
      if (tr.status === 'tentative' || dead.has(tr)) continue;
      const o = tr.slot * 4;
      const e = mergePos[o];
      const nn = mergePos[o + 1];
      mergeGrid.query(e, nn, options.mergeDistance, (slot) => {
        const other = slots[slot];
        if (!other || other === tr || dead.has(other) || dead.has(tr)) return;
        const q = slot * 4;
        if (Math.hypot(e - mergePos[q], nn - mergePos[q + 1]) > options.mergeDistance) return;
        if (Math.hypot(mergePos[o + 2] - mergePos[q + 2], mergePos[o + 3] - mergePos[q + 3]) > options.mergeSpeed) return;
        if (tr.cooperativeId !== undefined && other.cooperativeId !== undefined && tr.cooperativeId !== other.cooperativeId) return;
        // keep the older track (smaller id number): stable ids
        dead.add(Number(tr.id) > Number(other.id) ? tr : other);
      });
    }
    if (dead.size === 0) return;
    for (const tr of dead) remove(tr, t, events);
    live = live.filter((tr) => !dead.has(tr));
  }

  const tracker: Tracker = {
    options,
    frame,
    get time() {
      return time;
    },
    step(detections, t) {
      if (!Number.isFinite(t)) throw new Error(`tracker.step needs a finite time, got ${t}`);
      const events: TrackerEvent[] = [];
      const sorted = detections.slice().sort((a, b) => a.t - b.t);
      stats.detections += sorted.length;
      for (const d of sorted) {
        if (d.t > t) throw new Error(`tracker.step(t=${t}) got a detection from the future (t=${d.t}, sensor ${d.sensorId})`);
      }
      stepWindowStart = sorted.length > 0 ? Math.min(sorted[0].t, t) : t;
      stepWindowEnd = t;
      grid.clear();
      for (const tr of live) insertInGrid(tr, t);
      // groups: detections of one sensor within this step, in order of their first time
      const groups = new Map<string, Detection[]>();
      for (const d of sorted) {
        let g = groups.get(d.sensorId);
        if (!g) groups.set(d.sensorId, (g = []));
        g.push(d);
      }
      touched.clear();
      for (const g of groups.values()) processGroup(g, events);
      for (const tr of live) {
        if (touched.has(tr) && tr.status !== 'tentative') events.push({ type: 'updated', t, trackId: tr.id });
      }
      lifecycle(t, events);
      merge(t, events);
      time = t;
      return events;
    },
    report(t) {
      const out: TrackReport[] = [];
      for (const tr of live) {
        if (tr.status === 'tentative') continue;
        predictTo(tr, t, xs, ps);
        const geo = enuToGeodetic(frame, xs[0], xs[1], xs[2]);
        const m = localRotation(frame, geo.latDeg, geo.lonDeg, rot9);
        v3[0] = m[0] * xs[3] + m[1] * xs[4] + m[2] * xs[5];
        v3[1] = m[3] * xs[3] + m[4] * xs[4] + m[5] * xs[5];
        v3[2] = m[6] * xs[3] + m[7] * xs[4] + m[8] * xs[5];
        // local covariance of the position: rows of M applied to the position block
        let trH = 0;
        let varU = 0;
        for (let r = 0; r < 3; r++) {
          let s = 0;
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += m[r * 3 + i] * ps[i * n + j] * m[r * 3 + j];
          if (r < 2) trH += s;
          else varU = s;
        }
        const rep: TrackReport = {
          t,
          trackId: tr.id,
          status: tr.status === 'coasting' ? 'coasting' : 'confirmed',
          position: geo,
          altitudeObservable: Math.sqrt(varU) <= options.altitudeObservableSd,
          velocityEnu: [v3[0], v3[1], v3[2]],
          positionSd: Math.sqrt(trH / 2),
          altitudeSd: Math.sqrt(varU),
          sensors: Array.from(tr.sensors.keys()),
        };
        if (tr.classProbs) rep.classProbs = { ...tr.classProbs };
        if (tr.cooperativeId !== undefined) rep.cooperativeId = tr.cooperativeId;
        out.push(rep);
      }
      out.sort((a, b) => Number(a.trackId) - Number(b.trackId));
      return out;
    },
    tracks() {
      return live;
    },
    stats,
  };
  return tracker;
}
