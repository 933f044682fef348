/**
 * Generalized optimal sub-pattern assignment (GOSPA) metric between a set of true targets
 * and a set of estimates, with α = 2 (García-Fernández, Svensson & Morelande 2017,
 * "Generalized optimal sub-pattern assignment metric", Proc. 20th Int. Conf. on Information
 * Fusion, Proposition 1):
 *
 *   GOSPA = ( min over assignments γ of  Σ_{(i,j)∈γ} d(x_i, y_j)^p + (c^p / 2)·(|X| + |Y| − 2|γ|) )^(1/p)
 *
 * where γ ranges over partial one-to-one assignments between truths and estimates using only
 * pairs with d < c. It is computed as a linear assignment (see `../assign/lap.ts`) on the
 * cost min(d^p, c^p): a pair at d ≥ c costs c^p = 2 · c^p/2, exactly one missed plus one
 * false target, so such pairs are reported as a miss and a false target, not as assigned.
 *
 * Decomposition (the convention used here): with L = Σ assigned d^p, M = (c^p/2)·nMissed and
 * F = (c^p/2)·nFalse, GOSPA = (L + M + F)^(1/p) and the parts are reported as
 * localisation = L^(1/p), missed = M^(1/p), false = F^(1/p), all in metres; note that they
 * add up in the p-th power, not linearly.
 */
import { clusterPairs } from '../assign/clusters.js';
import { solveLap } from '../assign/lap.js';

/** GOSPA value and its parts; distances in metres (the unit of `dist`). */
export interface GospaResult {
  /** The metric, (L + M + F)^(1/p), in metres. */
  gospa: number;
  /** Localisation part L^(1/p), L = sum of d^p over assigned pairs, in metres. */
  localisation: number;
  /** Missed-target part ((c^p/2)·nMissed)^(1/p), in metres. */
  missed: number;
  /** False-target part ((c^p/2)·nFalse)^(1/p), in metres. */
  false: number;
  /** Truths not assigned to an estimate at distance < c. */
  nMissed: number;
  /** Estimates not assigned to a truth at distance < c. */
  nFalse: number;
  /** Estimate assigned to each truth (length nTruth), or −1. */
  assignment: Int32Array;
}

/**
 * GOSPA with α = 2 (García-Fernández, Svensson & Morelande 2017).
 *
 * @param dist row-major nTruth × nEst distances between truth i and estimate j, in metres;
 *   non-negative (`Infinity` allowed, meaning "farther than c").
 * @param nTruth number of true targets (≥ 0).
 * @param nEst number of estimates (≥ 0).
 * @param c cut-off distance in metres (> 0): pairs at d ≥ c are never assigned, and each
 *   missed or false target costs c^p / 2.
 * @param p order (≥ 1; 1 and 2 are usual).
 */
export function gospa(dist: Float64Array, nTruth: number, nEst: number, c: number, p: number): GospaResult {
  if (!Number.isInteger(nTruth) || nTruth < 0) throw new Error(`nTruth must be a non-negative integer, got ${nTruth}`);
  if (!Number.isInteger(nEst) || nEst < 0) throw new Error(`nEst must be a non-negative integer, got ${nEst}`);
  if (!(c > 0 && c < Infinity)) throw new Error(`cut-off c must be a positive finite distance, got ${c}`);
  if (!(p >= 1 && p < Infinity)) throw new Error(`order p must be finite and >= 1, got ${p}`);
  const size = nTruth * nEst;
  if (dist.length < size) throw new Error(`dist has ${dist.length} entries, need ${nTruth}×${nEst} = ${size}`);

  const cp = Math.pow(c, p);
  // Only pairs closer than c can be assigned, and the cost c^p of a farther pair equals a miss
  // plus a false target, so the optimal assignment splits into independent problems, one per
  // connected component of the "closer than c" graph: solved apart, they stay small.
  const pairT: number[] = [];
  const pairE: number[] = [];
  for (let k = 0; k < size; k++) {
    const d = dist[k];
    if (!(d >= 0)) throw new Error(`dist[${k}] (truth ${Math.floor(k / nEst)}, estimate ${k % nEst}) must be >= 0, got ${d}`);
    if (d < c) {
      pairT.push(Math.floor(k / nEst));
      pairE.push(k % nEst);
    }
  }
  const cl = clusterPairs(nTruth, nEst, Int32Array.from(pairT), Int32Array.from(pairE), pairT.length);
  const rowsOf: number[][] = Array.from({ length: cl.nClusters }, () => []);
  const colsOf: number[][] = Array.from({ length: cl.nClusters }, () => []);
  for (let i = 0; i < nTruth; i++) if (cl.clusterOfTrack[i] >= 0) rowsOf[cl.clusterOfTrack[i]].push(i);
  for (let j = 0; j < nEst; j++) if (cl.clusterOfDet[j] >= 0) colsOf[cl.clusterOfDet[j]].push(j);

  const assignment = new Int32Array(nTruth).fill(-1);
  let loc = 0;
  let nAssigned = 0;
  for (let k = 0; k < cl.nClusters; k++) {
    const rows = rowsOf[k];
    const cols = colsOf[k];
    const nr = rows.length;
    const nc = cols.length;
    const cost = new Float64Array(nr * nc);
    for (let a = 0; a < nr; a++) {
      for (let b = 0; b < nc; b++) {
        const d = dist[rows[a] * nEst + cols[b]];
        cost[a * nc + b] = d < c ? Math.pow(d, p) : cp;
      }
    }
    const lap = solveLap(cost, nr, nc);
    for (let a = 0; a < nr; a++) {
      const b = lap.rowToCol[a];
      if (b < 0) continue;
      const d = dist[rows[a] * nEst + cols[b]];
      if (d < c) {
        assignment[rows[a]] = cols[b];
        loc += cost[a * nc + b];
        nAssigned++;
      }
    }
  }
  const nMissed = nTruth - nAssigned;
  const nFalse = nEst - nAssigned;
  const missedP = 0.5 * cp * nMissed;
  const falseP = 0.5 * cp * nFalse;
  const inv = 1 / p;
  return {
    gospa: Math.pow(loc + missedP + falseP, inv),
    localisation: Math.pow(loc, inv),
    missed: Math.pow(missedP, inv),
    false: Math.pow(falseP, inv),
    nMissed,
    nFalse,
    assignment,
  };
}
