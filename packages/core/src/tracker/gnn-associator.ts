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

export interface GnnAssociatorOptions {
  /** Cost of leaving a detection unassigned (the tracker uses twice the 4-D chi-square gate). */
  missCost: number;
}

export function createGnnAssociator(options: GnnAssociatorOptions): Associator {
  const missCost = options.missCost;
  const lapWs = createLapWorkspace(8, 16);
  return {
    associate(pairs, nDets) {
      const pairDet = pairs.det;
      const pairTrack = pairs.track;
      const pairCost = pairs.cost;
      const np = pairDet.length;
      const out: Assignment[] = [];
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
        for (let r = 0; r < nr; r++) cost[r * nc + trs.length + r] = missCost;
        for (const k of ks) cost[dIdx.get(pdArr[k])! * nc + tIdx.get(pt[k])!] = pairCost[k];
        const res = solveLap(cost, nr, nc, lapWs);
        for (let r = 0; r < nr; r++) {
          const c = res.rowToCol[r];
          if (c >= 0 && c < trs.length) out.push({ det: dets[r], track: slotOf[trs[c]], cost: cost[r * nc + c] });
        }
      }
      return out;
    },
  };
}
