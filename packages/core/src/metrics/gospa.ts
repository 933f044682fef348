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

/** The sizes, cut-off and order of a GOSPA problem, or an error naming the bad one. */
function checkSizes(nTruth: number, nEst: number, c: number, p: number): void {
  if (!Number.isInteger(nTruth) || nTruth < 0) throw new Error(`nTruth must be a non-negative integer, got ${nTruth}`);
  if (!Number.isInteger(nEst) || nEst < 0) throw new Error(`nEst must be a non-negative integer, got ${nEst}`);
  if (!(c > 0 && c < Infinity)) throw new Error(`cut-off c must be a positive finite distance, got ${c}`);
  if (!(p >= 1 && p < Infinity)) throw new Error(`order p must be finite and >= 1, got ${p}`);
}

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
  checkSizes(nTruth, nEst, c, p);
  const size = nTruth * nEst;
  if (dist.length < size) throw new Error(`dist has ${dist.length} entries, need ${nTruth}×${nEst} = ${size}`);

  const pairT: number[] = [];
  const pairE: number[] = [];
  const pairD: number[] = [];
  for (let k = 0; k < size; k++) {
    const d = dist[k];
    if (!(d >= 0)) throw new Error(`dist[${k}] (truth ${Math.floor(k / nEst)}, estimate ${k % nEst}) must be >= 0, got ${d}`);
    if (d < c) {
      pairT.push(Math.floor(k / nEst));
      pairE.push(k % nEst);
      pairD.push(d);
    }
  }
  return gospaPairs(nTruth, nEst, { truth: pairT, est: pairE, dist: pairD }, c, p);
}

/** The pairs closer than c of a GOSPA problem: parallel lists of truth index, estimate index and distance (m). */
export interface NearPairs {
  truth: ArrayLike<number>;
  est: ArrayLike<number>;
  dist: ArrayLike<number>;
}

/**
 * The largest connected component (truths × estimates within c of one another, chained) whose
 * assignment is solved: its cost matrix is this many entries (8 bytes each). Beyond it the
 * scoring is refused with an error that names the sizes, rather than taking the memory.
 */
export const GOSPA_MAX_CLUSTER_CELLS = 25_000_000;

/**
 * GOSPA from the pairs closer than c only (pairs at c or beyond are never assigned, so they need
 * not be listed): memory in the pairs and the largest connected component's square, not in
 * nTruth × nEst. Same result as {@link gospa} on the dense matrix of the same distances.
 */
export function gospaPairs(nTruth: number, nEst: number, pairs: NearPairs, c: number, p: number): GospaResult {
  checkSizes(nTruth, nEst, c, p);
  const nPairs = pairs.truth.length;
  if (pairs.est.length !== nPairs || pairs.dist.length !== nPairs) throw new Error(`pairs: ${nPairs} truths, ${pairs.est.length} estimates and ${pairs.dist.length} distances; they must be as many`);
  const pT = new Int32Array(nPairs);
  const pE = new Int32Array(nPairs);
  for (let k = 0; k < nPairs; k++) {
    const i = pairs.truth[k];
    const j = pairs.est[k];
    const d = pairs.dist[k];
    if (!(Number.isInteger(i) && i >= 0 && i < nTruth)) throw new Error(`pair ${k}: truth index ${i} outside 0..${nTruth - 1}`);
    if (!(Number.isInteger(j) && j >= 0 && j < nEst)) throw new Error(`pair ${k}: estimate index ${j} outside 0..${nEst - 1}`);
    if (!(d >= 0 && d < c)) throw new Error(`pair ${k} (truth ${i}, estimate ${j}): distance must be >= 0 and below c = ${c}, got ${d}`);
    pT[k] = i;
    pE[k] = j;
  }
  const cp = Math.pow(c, p);
  // Only pairs closer than c can be assigned, and the cost c^p of a farther pair equals a miss
  // plus a false target, so the optimal assignment splits into independent problems, one per
  // connected component of the "closer than c" graph: solved apart, they stay small.
  const cl = clusterPairs(nTruth, nEst, pT, pE, nPairs);
  const rowsOf: number[][] = Array.from({ length: cl.nClusters }, () => []);
  const colsOf: number[][] = Array.from({ length: cl.nClusters }, () => []);
  const pairsOf: number[][] = Array.from({ length: cl.nClusters }, () => []);
  const local = new Int32Array(nTruth + nEst);
  for (let i = 0; i < nTruth; i++) if (cl.clusterOfTrack[i] >= 0) { local[i] = rowsOf[cl.clusterOfTrack[i]].length; rowsOf[cl.clusterOfTrack[i]].push(i); }
  for (let j = 0; j < nEst; j++) if (cl.clusterOfDet[j] >= 0) { local[nTruth + j] = colsOf[cl.clusterOfDet[j]].length; colsOf[cl.clusterOfDet[j]].push(j); }
  for (let k = 0; k < nPairs; k++) pairsOf[cl.clusterOfTrack[pT[k]]].push(k);

  const assignment = new Int32Array(nTruth).fill(-1);
  let loc = 0;
  let nAssigned = 0;
  for (let q = 0; q < cl.nClusters; q++) {
    const rows = rowsOf[q];
    const cols = colsOf[q];
    const nr = rows.length;
    const nc = cols.length;
    if (nr * nc > GOSPA_MAX_CLUSTER_CELLS) throw new Error(`${nr} truths and ${nc} estimates lie within c = ${c} m of one another (chained): their optimal assignment needs a ${nr} × ${nc} matrix, beyond the ${GOSPA_MAX_CLUSTER_CELLS.toLocaleString('en')}-entry limit`);
    const cost = new Float64Array(nr * nc).fill(cp);
    // the nearest of duplicated pairs counts
    for (const k of pairsOf[q]) {
      const at = local[pT[k]] * nc + local[nTruth + pE[k]];
      const v = Math.pow(pairs.dist[k], p);
      if (v < cost[at]) cost[at] = v;
    }
    const lap = solveLap(cost, nr, nc);
    for (let a = 0; a < nr; a++) {
      const b = lap.rowToCol[a];
      if (b < 0) continue;
      const v = cost[a * nc + b];
      if (v < cp) {
        assignment[rows[a]] = cols[b];
        loc += v;
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
