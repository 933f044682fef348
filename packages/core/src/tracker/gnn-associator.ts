/**
 * Global nearest neighbour association: the gated pairs are split into clusters (connected
 * components of the gating graph, union-find), and each cluster with more than one pair is
 * solved as a linear assignment (Jonker–Volgenant) that minimises the summed cost, with one
 * "no track" column per detection at `missCost` so that a detection may stay unassigned
 * when every track fits it worse than that.
 */
import { clusterPairs } from '../assign/clusters.js';
import { createLapWorkspace, solveLap } from '../assign/lap.js';
import type { Assignment, Associator } from './associator.js';
import type { PairList } from './hypothesiser.js';

export interface GnnAssociatorOptions {
  /** Cost of leaving a detection unassigned (the tracker uses twice the 4-D chi-square gate). */
  missCost: number;
}

/** The gated pairs split into clusters: tracks numbered locally, each pair's local track and detection, and each cluster's pairs. */
export interface PairClusters {
  /** Local track number → track slot. */
  slotOf: number[];
  /** Per pair: its local track number and its detection index. */
  pt: Int32Array;
  pdet: Int32Array;
  /** Cluster of each local track. */
  clusterOfTrack: Int32Array;
  /** The pair indices of each cluster, by cluster label. */
  byCluster: number[][];
}

/** Numbers the pairs' tracks locally and splits the pairs into clusters (clusters.ts). */
export function clusterPairList(pairs: PairList, nDets: number): PairClusters {
  const np = pairs.det.length;
  const trackIndex = new Map<number, number>();
  const pt = new Int32Array(np);
  const pdet = new Int32Array(np);
  for (let k = 0; k < np; k++) {
    let ti = trackIndex.get(pairs.track[k]);
    if (ti === undefined) {
      ti = trackIndex.size;
      trackIndex.set(pairs.track[k], ti);
    }
    pt[k] = ti;
    pdet[k] = pairs.det[k];
  }
  const cl = clusterPairs(trackIndex.size, nDets, pt, pdet, np);
  const byCluster: number[][] = Array.from({ length: cl.nClusters }, () => []);
  for (let k = 0; k < np; k++) byCluster[cl.clusterOfDet[pdet[k]]].push(k);
  return { slotOf: Array.from(trackIndex.keys()), pt, pdet, clusterOfTrack: cl.clusterOfTrack, byCluster };
}

/** The nearest neighbour's choice within one cluster (its pairs `ks`), into `out`. */
export type ClusterSolver = (ks: readonly number[], pairs: PairList, pc: PairClusters, out: Assignment[]) => void;

export function createClusterSolver(missCost: number): ClusterSolver {
  const lapWs = createLapWorkspace(8, 16);
  return (ks, pairs, pc, out) => {
    const { pt, pdet, slotOf } = pc;
    if (ks.length === 1) {
      const k = ks[0];
      out.push({ det: pairs.det[k], track: pairs.track[k], cost: pairs.cost[k] });
      return;
    }
    const dets: number[] = [];
    const trs: number[] = [];
    const dIdx = new Map<number, number>();
    const tIdx = new Map<number, number>();
    for (const k of ks) {
      if (!dIdx.has(pdet[k])) {
        dIdx.set(pdet[k], dets.length);
        dets.push(pdet[k]);
      }
      if (!tIdx.has(pt[k])) {
        tIdx.set(pt[k], trs.length);
        trs.push(pt[k]);
      }
    }
    const nr = dets.length;
    const nc = trs.length + nr; // one "no track" column per detection
    const cost = new Float64Array(nr * nc).fill(Infinity);
    for (let r = 0; r < nr; r++) cost[r * nc + trs.length + r] = missCost;
    for (const k of ks) cost[dIdx.get(pdet[k])! * nc + tIdx.get(pt[k])!] = pairs.cost[k];
    const res = solveLap(cost, nr, nc, lapWs);
    for (let r = 0; r < nr; r++) {
      const c = res.rowToCol[r];
      if (c >= 0 && c < trs.length) out.push({ det: dets[r], track: slotOf[trs[c]], cost: cost[r * nc + c] });
    }
  };
}

export function createGnnAssociator(options: GnnAssociatorOptions): Associator {
  const solve = createClusterSolver(options.missCost);
  return {
    associate(pairs, nDets) {
      const out: Assignment[] = [];
      if (pairs.det.length === 0) return out;
      const pc = clusterPairList(pairs, nDets);
      for (const ks of pc.byCluster) solve(ks, pairs, pc, out);
      return out;
    },
  };
}
