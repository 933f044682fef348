/**
 * Splits a bipartite gating graph (tracks × detections, one edge per gated pair) into its
 * connected components, so that each cluster can be assigned independently. Disjoint-set
 * union (union-find) with union by size and path halving (Tarjan & van Leeuwen 1984,
 * "Worst-case analysis of set union algorithms", J. ACM 31(2)): O((nTracks + nDets + nPairs)
 * · α(n)) time, α the inverse Ackermann function.
 */

/** Cluster labels; −1 marks a track or detection that appears in no pair. */
export interface ClusterResult {
  /** Cluster of each track (length nTracks), or −1. */
  clusterOfTrack: Int32Array;
  /** Cluster of each detection (length nDets), or −1. */
  clusterOfDet: Int32Array;
  /** Number of clusters; labels are 0 … nClusters − 1. */
  nClusters: number;
}

/** Scratch buffers for {@link clusterPairs}; grown on demand. Fields are internal. */
export interface ClusterWorkspace {
  /** Number of nodes (tracks + detections) the buffers hold. */
  capacity: number;
  parent: Int32Array;
  size: Int32Array;
  label: Int32Array;
  trackBuf: Int32Array;
  detBuf: Int32Array;
  /** The result returned by `clusterPairs` with this workspace, overwritten on each call. */
  result: ClusterResult;
}

/** Creates scratch buffers for up to `maxTracks` tracks and `maxDets` detections. */
export function createClusterWorkspace(maxTracks: number, maxDets: number): ClusterWorkspace {
  checkCount('maxTracks', maxTracks);
  checkCount('maxDets', maxDets);
  const cap = Math.max(maxTracks + maxDets, 1);
  const trackBuf = new Int32Array(cap);
  const detBuf = new Int32Array(cap);
  return {
    capacity: cap,
    parent: new Int32Array(cap),
    size: new Int32Array(cap),
    label: new Int32Array(cap),
    trackBuf,
    detBuf,
    result: { clusterOfTrack: trackBuf.subarray(0, 0), clusterOfDet: detBuf.subarray(0, 0), nClusters: 0 },
  };
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${n}`);
}

/**
 * Labels the connected components of the bipartite graph whose edges are the pairs
 * (pairTrack[k], pairDet[k]) for k < nPairs. Clusters are numbered in the order of their
 * lowest track index, so the labelling is deterministic. Repeated pairs are allowed.
 *
 * @param nTracks number of tracks (≥ 0).
 * @param nDets number of detections (≥ 0).
 * @param pairTrack track index of each pair, in [0, nTracks).
 * @param pairDet detection index of each pair, in [0, nDets).
 * @param nPairs number of pairs to read from `pairTrack` / `pairDet`.
 * @param ws optional workspace; with it the call allocates nothing except when the
 *   dimensions change, and the returned object belongs to the workspace (overwritten by the
 *   next call).
 */
export function clusterPairs(
  nTracks: number,
  nDets: number,
  pairTrack: Int32Array,
  pairDet: Int32Array,
  nPairs: number,
  ws?: ClusterWorkspace,
): ClusterResult {
  checkCount('nTracks', nTracks);
  checkCount('nDets', nDets);
  checkCount('nPairs', nPairs);
  if (pairTrack.length < nPairs || pairDet.length < nPairs) {
    throw new Error(`pair arrays have ${pairTrack.length} and ${pairDet.length} entries, need nPairs = ${nPairs}`);
  }
  const w = ws ?? createClusterWorkspace(nTracks, nDets);
  const nNodes = nTracks + nDets;
  if (nNodes > w.capacity) {
    const cap = Math.max(nNodes, 2 * w.capacity);
    w.capacity = cap;
    w.parent = new Int32Array(cap);
    w.size = new Int32Array(cap);
    w.label = new Int32Array(cap);
    w.trackBuf = new Int32Array(cap);
    w.detBuf = new Int32Array(cap);
  }
  const { parent, size, label } = w;
  // Nodes: tracks 0 … nTracks − 1, then detections nTracks … nNodes − 1.
  for (let x = 0; x < nNodes; x++) {
    parent[x] = x;
    size[x] = 1;
    label[x] = -1;
  }

  for (let k = 0; k < nPairs; k++) {
    const t = pairTrack[k];
    const d = pairDet[k];
    if (!(t >= 0 && t < nTracks)) throw new Error(`pairTrack[${k}] = ${t} is outside [0, ${nTracks})`);
    if (!(d >= 0 && d < nDets)) throw new Error(`pairDet[${k}] = ${d} is outside [0, ${nDets})`);
    let a = find(parent, t);
    let b = find(parent, nTracks + d);
    if (a === b) continue;
    if (size[a] < size[b]) {
      const s = a;
      a = b;
      b = s;
    }
    parent[b] = a;
    size[a] += size[b];
  }

  const res = w.result;
  if (res.clusterOfTrack.buffer !== w.trackBuf.buffer || res.clusterOfTrack.length !== nTracks) {
    res.clusterOfTrack = w.trackBuf.subarray(0, nTracks);
  }
  if (res.clusterOfDet.buffer !== w.detBuf.buffer || res.clusterOfDet.length !== nDets) {
    res.clusterOfDet = w.detBuf.subarray(0, nDets);
  }
  const ofTrack = res.clusterOfTrack;
  const ofDet = res.clusterOfDet;
  // A node is in some pair exactly when its set has more than one element (a pair always
  // joins a track to a detection, two distinct nodes). Every such set holds a track.
  let nClusters = 0;
  for (let t = 0; t < nTracks; t++) {
    const r = find(parent, t);
    if (size[r] < 2) {
      ofTrack[t] = -1;
      continue;
    }
    if (label[r] < 0) label[r] = nClusters++;
    ofTrack[t] = label[r];
  }
  for (let d = 0; d < nDets; d++) {
    const r = find(parent, nTracks + d);
    ofDet[d] = size[r] < 2 ? -1 : label[r];
  }
  res.nClusters = nClusters;
  return res;
}

/** Root of x's set, halving the path on the way. */
function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    const g = parent[parent[x]];
    parent[x] = g;
    x = g;
  }
  return x;
}
