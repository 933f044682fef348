/**
 * Joint probabilistic data association (JPDA; Fortmann, Bar-Shalom & Scheffe 1983; Bar-Shalom
 * & Li 1995 §9) beside the global nearest neighbour. Where two or more tracks gate with the
 * same detections (a cluster of the gating graph with more than one track), each track's
 * marginal association probabilities β are computed over the joint events (each detection
 * from at most one track, each track giving at most one detection, the rest clutter or new
 * targets), and a track whose best hypothesis is not sure is updated by the β-weighted
 * detections (the filter's `updateWeighted`: the PDA update, per motion mode) instead of
 * being forced onto one of them. Elsewhere, a track alone in its cluster, the global nearest
 * neighbour assignment (gnn-associator.ts) decides, as before, and so it does in a cluster
 * with a pair that the filter cannot weigh (`PairList.weighable`: an acoustic particle cloud).
 *
 * The marginals are exact, by enumerating the cluster's joint events, up to MAX_EVENTS of
 * them; a larger cluster gets loopy belief propagation on the association graph (Williams &
 * Lau 2014, "Approximate evaluation of marginal association probabilities with belief
 * propagation", IEEE TAES 50(4)): messages between tracks and detections, each pass O(pairs),
 * which converges (their proof) and is close to the exact marginals where clutter and misses
 * weigh, but not where two tracks and two detections all fit well: for weights 3000 and 2000
 * crosswise it says 0.9997 where the truth is 0.69 (its Bethe approximation of the assignment's
 * permanent; tested). That is the crossing of two targets, the case JPDA is for, so small
 * clusters are enumerated.
 *
 * Weights (per track i and detection j, relative to "j is clutter or a new target" = 1):
 *   w_ij = Pd · ℓ_ij / ρ,   w_i0 = 1 − Pd·Pg (no detection of track i among them),
 * with ℓ_ij the pair's likelihood per resolution cell of the detection's sensor (hypothesiser.ts,
 * `logLik`), Pd the detection probability, Pg the gate probability and ρ the probability that
 * a resolution cell holds a clutter plot or a new target's first plot.
 */
import type { Assignment, Associator } from './associator.js';
import type { PairList } from './hypothesiser.js';
import { clusterPairList, createClusterSolver } from './gnn-associator.js';

export interface JpdaAssociatorOptions {
  /** The global nearest neighbour's cost of leaving a detection unassigned (tracks alone in their cluster). */
  missCost: number;
  /** Probability that a sensor detects a target it covers. Default 0.9. */
  detectionProbability?: number;
  /** Probability that the gate holds the target's detection. Default 0.999. */
  gateProbability?: number;
  /** ρ: probability that one resolution cell of a sensor holds a clutter plot or a new target's first plot. Default 1e-5. */
  clutterPerCell?: number;
  /** A track whose most probable hypothesis (a detection, or none) is at least this sure takes it alone. Default 0.99. */
  hardAbove?: number;
  /** Detections of a track's mixture below this β are left out of it. Default 1e-4. */
  minBeta?: number;
}

/** Clusters with more joint events than this get belief propagation instead of the enumeration. */
const MAX_EVENTS = 50_000;
/** Belief propagation stops when no message moves by more than this (relative), or after MAX_PASSES. */
const TOLERANCE = 1e-9;
const MAX_PASSES = 200;

/**
 * One cluster's association weights: pair k joins track `tr[k]` and detection `det[k]` (local
 * indices below `nTracks` and `nDets`) with weight `w[k]`; `w0[i]` is track i's miss weight; a
 * detection's clutter weight is 1.
 */
export interface AssociationGraph {
  nTracks: number;
  nDets: number;
  tr: ArrayLike<number>;
  det: ArrayLike<number>;
  w: ArrayLike<number>;
  w0: ArrayLike<number>;
}

/**
 * Marginal association probabilities by loopy belief propagation (Williams & Lau 2014). Fills
 * `beta[k]` and `beta0[i]`, and `nuOut[k]` (when given) with the detection → track message of
 * pair k (how much of the detection the other tracks leave free for this one); returns the
 * passes it took.
 */
export function beliefMarginals(g: AssociationGraph, beta: Float64Array, beta0: Float64Array, nuOut?: Float64Array): number {
  const { nTracks, nDets, tr, det, w, w0 } = g;
  const np = w.length;
  const nu = new Float64Array(np).fill(1); // detection → track
  const mu = new Float64Array(np); // track → detection
  const trackSum = new Float64Array(nTracks);
  const detSum = new Float64Array(nDets);
  let passes = 0;
  for (; passes < MAX_PASSES; passes++) {
    trackSum.set(w0);
    for (let k = 0; k < np; k++) trackSum[tr[k]] += w[k] * nu[k];
    for (let k = 0; k < np; k++) mu[k] = w[k] / (trackSum[tr[k]] - w[k] * nu[k]);
    detSum.fill(1);
    for (let k = 0; k < np; k++) detSum[det[k]] += mu[k];
    let moved = 0;
    for (let k = 0; k < np; k++) {
      const next = 1 / (detSum[det[k]] - mu[k]);
      const d = Math.abs(next - nu[k]) / Math.max(next, nu[k]);
      if (d > moved) moved = d;
      nu[k] = next;
    }
    if (moved < TOLERANCE) break;
  }
  trackSum.set(w0);
  for (let k = 0; k < np; k++) trackSum[tr[k]] += w[k] * nu[k];
  for (let k = 0; k < np; k++) beta[k] = (w[k] * nu[k]) / trackSum[tr[k]];
  for (let i = 0; i < nTracks; i++) beta0[i] = w0[i] / trackSum[i];
  if (nuOut) nuOut.set(nu);
  return passes + 1;
}

/**
 * The exact marginals by enumerating the joint events (each track one of its detections or
 * none, each detection at most one track), with the same inputs and outputs as
 * `beliefMarginals` (`nuOut[k]`: the weight of the events of the other tracks that leave pair
 * k's detection free, over all of theirs). Returns false, leaving the outputs unset, when the
 * cluster has more than `maxEvents` joint events.
 */
export function exactMarginals(g: AssociationGraph, beta: Float64Array, beta0: Float64Array, nuOut?: Float64Array, maxEvents = MAX_EVENTS): boolean {
  const { nTracks, nDets, tr, det, w, w0 } = g;
  const np = w.length;
  const byTrack: number[][] = Array.from({ length: nTracks }, () => []);
  for (let k = 0; k < np; k++) byTrack[tr[k]].push(k);
  const taken = new Uint8Array(nDets);
  const pick = new Int32Array(nTracks);
  const sumPair = new Float64Array(np);
  const sumMiss = new Float64Array(nTracks);
  let events = 0;
  let total = 0;
  const walk = (i: number, weight: number): boolean => {
    if (i === nTracks) {
      if (++events > maxEvents) return false;
      total += weight;
      for (let t = 0; t < nTracks; t++) {
        if (pick[t] < 0) sumMiss[t] += weight;
        else sumPair[pick[t]] += weight;
      }
      return true;
    }
    pick[i] = -1;
    if (!walk(i + 1, weight * w0[i])) return false;
    for (const k of byTrack[i]) {
      const d = det[k];
      if (taken[d]) continue;
      taken[d] = 1;
      pick[i] = k;
      const ok = walk(i + 1, weight * w[k]);
      taken[d] = 0;
      if (!ok) return false;
    }
    return true;
  };
  if (!walk(0, 1)) return false;
  for (let k = 0; k < np; k++) beta[k] = sumPair[k] / total;
  for (let i = 0; i < nTracks; i++) beta0[i] = sumMiss[i] / total;
  // β_ij = w_ij·F_ij/Z and β_i0 = w0_i·F_i0/Z, F the others' events (leaving j free, or all): ν = F_ij/F_i0
  if (nuOut) for (let k = 0; k < np; k++) nuOut[k] = beta[k] / w[k] / (beta0[tr[k]] / w0[tr[k]]);
  return true;
}

export function createJpdaAssociator(options: JpdaAssociatorOptions): Associator {
  const pd = options.detectionProbability ?? 0.9;
  const pg = options.gateProbability ?? 0.999;
  const rho = options.clutterPerCell ?? 1e-5;
  const hardAbove = options.hardAbove ?? 0.99;
  const minBeta = options.minBeta ?? 1e-4;
  if (!(pd > 0 && pd <= 1)) throw new Error(`JPDA detectionProbability must be in (0, 1], got ${pd}`);
  if (!(pg > 0 && pg <= 1)) throw new Error(`JPDA gateProbability must be in (0, 1], got ${pg}`);
  if (!(rho > 0 && rho < 1)) throw new Error(`JPDA clutterPerCell must be in (0, 1), got ${rho}`);
  if (!(hardAbove > 0.5 && hardAbove <= 1)) throw new Error(`JPDA hardAbove must be in (0.5, 1], got ${hardAbove}`);
  const logGain = Math.log(pd / rho);
  const gain = pd / rho;
  const missWeight = Math.max(1 - pd * pg, 1e-12);
  const solve = createClusterSolver(options.missCost);

  /** One cluster's pairs `ks`: the marginals, then each track's hard pair, mixture or nothing, into `out`. */
  function weigh(ks: readonly number[], pairs: PairList, pt: Int32Array, pdet: Int32Array, out: Assignment[]): void {
    const lt = new Map<number, number>();
    const ld = new Map<number, number>();
    const tr = new Int32Array(ks.length);
    const dt = new Int32Array(ks.length);
    const w = new Float64Array(ks.length);
    ks.forEach((k, q) => {
      if (!lt.has(pt[k])) lt.set(pt[k], lt.size);
      if (!ld.has(pdet[k])) ld.set(pdet[k], ld.size);
      tr[q] = lt.get(pt[k])!;
      dt[q] = ld.get(pdet[k])!;
      w[q] = Math.exp(logGain + pairs.logLik[k]);
    });
    const w0 = new Float64Array(lt.size).fill(missWeight);
    const beta = new Float64Array(ks.length);
    const beta0 = new Float64Array(lt.size);
    const nu = new Float64Array(ks.length);
    const graph: AssociationGraph = { nTracks: lt.size, nDets: ld.size, tr, det: dt, w, w0 };
    if (!exactMarginals(graph, beta, beta0, nu)) beliefMarginals(graph, beta, beta0, nu);
    // per track: its pairs, the best hypothesis, and a hard pair or a mixture
    const pairsOf: number[][] = Array.from({ length: lt.size }, () => []);
    for (let q = 0; q < ks.length; q++) pairsOf[tr[q]].push(q);
    for (const li of lt.values()) {
      const qs = pairsOf[li];
      let best = qs[0];
      for (const q of qs) if (beta[q] > beta[best] || (beta[q] === beta[best] && pairs.det[ks[q]] < pairs.det[ks[best]])) best = q;
      if (beta0[li] >= hardAbove) continue; // most likely missed: no update
      const kb = ks[best];
      const slot = pairs.track[kb];
      if (beta[best] >= hardAbove) {
        out.push({ det: pairs.det[kb], track: slot, cost: pairs.cost[kb] });
        continue;
      }
      const dets: number[] = [];
      const b: number[] = [];
      const scale: number[] = [];
      for (const q of qs) {
        if (beta[q] < minBeta) continue;
        dets.push(pairs.det[ks[q]]);
        b.push(beta[q]);
        scale.push(gain * nu[q]);
      }
      out.push({ det: pairs.det[kb], track: slot, cost: pairs.cost[kb], mixture: { dets, beta: b, miss: beta0[li], scale, missWeight } });
    }
  }

  return {
    associate(pairs, nDets) {
      const out: Assignment[] = [];
      if (pairs.det.length === 0) return out;
      const pc = clusterPairList(pairs, nDets);
      // a cluster is weighed when more than one track is in it and each of its pairs can be
      // weighed (a particle cloud takes one detection at a time: its clusters stay with the GNN)
      const tracksIn = new Int32Array(pc.byCluster.length);
      for (const c of pc.clusterOfTrack) tracksIn[c]++;
      for (let k = 0; k < pairs.det.length; k++) if (!pairs.weighable[k]) tracksIn[pc.clusterOfTrack[pc.pt[k]]] = 0;
      const weighed: Assignment[] = [];
      for (const ks of pc.byCluster) {
        if (tracksIn[pc.clusterOfTrack[pc.pt[ks[0]]]] > 1) weigh(ks, pairs, pc.pt, pc.pdet, weighed);
        else solve(ks, pairs, pc, out);
      }
      for (const a of weighed) out.push(a);
      return out;
    },
  };
}
