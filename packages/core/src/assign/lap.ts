/**
 * Optimal linear assignment (minimum total cost) on a dense rectangular cost matrix, by the
 * shortest augmenting path method of Jonker & Volgenant (1987, "A shortest augmenting path
 * algorithm for dense and sparse linear assignment problems", Computing 38) in the
 * rectangular form described by Crouse (2016, "On implementing 2D rectangular assignment
 * algorithms", IEEE Trans. Aerospace and Electronic Systems 52(4), 1679–1696), which
 * also shows that starting from zero duals makes the method valid for rectangular matrices
 * (an unassigned column never has a negative dual). Costs are in whatever unit the caller uses (for the
 * tracker, negative log-likelihoods; for GOSPA, metres to the power p).
 *
 * The smaller side is matched completely: when `nRows <= nCols` every row receives a distinct
 * column, otherwise every column receives a distinct row (the matrix is then read transposed,
 * without copying). Each of the min(nRows, nCols) augmentations is a Dijkstra search on
 * reduced costs c(i,j) − u(i) − v(j), so the worst case is O(min² · max) operations.
 *
 * Forbidden pairs are entries equal to `Infinity`. They are replaced internally by a finite
 * penalty `BIG = 2·k·R + 1`, where k = min(nRows, nCols) and R is the spread (max − min) of the
 * finite entries, after shifting the finite entries to start at 0. One more forbidden pair
 * then always costs more than any possible saving on the finite pairs, so the solver first
 * minimises the number of forbidden pairs used and then the finite cost of the rest. The
 * forbidden pairs are finally dropped (set to −1 on both sides). The result is therefore a
 * maximum-cardinality matching over the finite entries with minimum total cost among those.
 */

/** An assignment; −1 marks an unassigned row or column. */
export interface LapResult {
  /** Column assigned to each row (length nRows), or −1. */
  rowToCol: Int32Array;
  /** Row assigned to each column (length nCols), or −1. */
  colToRow: Int32Array;
  /** Sum of the (finite) costs of the assigned pairs, in the unit of the cost matrix. */
  cost: number;
}

/**
 * Scratch buffers for {@link solveLap}. Create one with {@link createLapWorkspace} and reuse
 * it; `solveLap` grows the buffers when a problem does not fit. Fields are internal.
 */
export interface LapWorkspace {
  /** Number of rows and of columns the buffers hold (both sides use the same capacity). */
  capacity: number;
  /** Row duals u (algorithm rows = the smaller side). */
  u: Float64Array;
  /** Column duals v. */
  v: Float64Array;
  /** Shortest path length to each column in the current Dijkstra search. */
  shortest: Float64Array;
  /** Predecessor row of each column on the shortest path tree. */
  pred: Int32Array;
  /** Columns not yet scanned in the current search. */
  remaining: Int32Array;
  /** Rows reached in the current search (a list, not flags). */
  visitedRows: Int32Array;
  /** Columns reached in the current search (a list). */
  visitedCols: Int32Array;
  /** Storage behind `result.rowToCol`. */
  rowBuf: Int32Array;
  /** Storage behind `result.colToRow`. */
  colBuf: Int32Array;
  /** The result object returned by `solveLap` with this workspace, overwritten on each call. */
  result: LapResult;
}

/**
 * Creates scratch buffers for problems up to `maxRows` × `maxCols` (either orientation; the
 * buffers are sized by the larger of the two). Larger problems grow the workspace.
 */
export function createLapWorkspace(maxRows: number, maxCols: number): LapWorkspace {
  checkDim('maxRows', maxRows);
  checkDim('maxCols', maxCols);
  const n = Math.max(maxRows, maxCols, 1);
  const rowBuf = new Int32Array(n);
  const colBuf = new Int32Array(n);
  return {
    capacity: n,
    u: new Float64Array(n),
    v: new Float64Array(n),
    shortest: new Float64Array(n),
    pred: new Int32Array(n),
    remaining: new Int32Array(n),
    visitedRows: new Int32Array(n),
    visitedCols: new Int32Array(n),
    rowBuf,
    colBuf,
    result: { rowToCol: rowBuf.subarray(0, 0), colToRow: colBuf.subarray(0, 0), cost: 0 },
  };
}

function checkDim(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${n}`);
}

function ensureCapacity(ws: LapWorkspace, n: number): void {
  if (n <= ws.capacity) return;
  const cap = Math.max(n, 2 * ws.capacity);
  ws.capacity = cap;
  ws.u = new Float64Array(cap);
  ws.v = new Float64Array(cap);
  ws.shortest = new Float64Array(cap);
  ws.pred = new Int32Array(cap);
  ws.remaining = new Int32Array(cap);
  ws.visitedRows = new Int32Array(cap);
  ws.visitedCols = new Int32Array(cap);
  ws.rowBuf = new Int32Array(cap);
  ws.colBuf = new Int32Array(cap);
}

/**
 * Solves the rectangular linear assignment problem: minimum total cost, matching the smaller
 * side completely (see the module comment for the treatment of `Infinity` entries).
 *
 * @param cost row-major nRows × nCols costs; finite numbers (negative allowed) or `Infinity`
 *   for a forbidden pair. NaN and −Infinity are programmer errors and throw. Finite entries
 *   must span less than about 1e300 / min(nRows, nCols) when forbidden entries are present.
 * @param nRows number of rows (≥ 0).
 * @param nCols number of columns (≥ 0).
 * @param ws optional workspace. With it, the call allocates nothing (except when it must grow
 *   or when the result dimensions change): the returned object and its arrays belong to the
 *   workspace and are overwritten by the next call with the same workspace.
 * @returns rowToCol, colToRow (−1 = unassigned) and the total cost of the assigned pairs.
 */
export function solveLap(cost: Float64Array, nRows: number, nCols: number, ws?: LapWorkspace): LapResult {
  checkDim('nRows', nRows);
  checkDim('nCols', nCols);
  const size = nRows * nCols;
  if (cost.length < size) throw new Error(`cost has ${cost.length} entries, need ${nRows}×${nCols} = ${size}`);
  const w = ws ?? createLapWorkspace(nRows, nCols);
  ensureCapacity(w, Math.max(nRows, nCols));

  // One pass over the matrix: reject NaN / −Infinity, find the finite range and forbidden entries.
  let minF = Infinity;
  let maxF = -Infinity;
  let hasInf = false;
  for (let k = 0; k < size; k++) {
    const c = cost[k];
    if (c === Infinity) hasInf = true;
    else if (c > -Infinity) {
      if (c < minF) minF = c;
      if (c > maxF) maxF = c;
    } else {
      throw new Error(`cost[${k}] (row ${Math.floor(k / nCols)}, col ${k % nCols}) must be finite or Infinity, got ${c}`);
    }
  }
  const k = Math.min(nRows, nCols);
  let offset = 0;
  let big = 0;
  if (hasInf) {
    const range = minF <= maxF ? maxF - minF : 0;
    offset = minF <= maxF ? minF : 0;
    big = 2 * k * range + 1;
    if (!Number.isFinite(big)) throw new Error(`finite costs span ${range}, too wide to penalise Infinity entries`);
  }

  // Result views over the workspace storage, recreated only when the dimensions change.
  const res = w.result;
  if (res.rowToCol.buffer !== w.rowBuf.buffer || res.rowToCol.length !== nRows) res.rowToCol = w.rowBuf.subarray(0, nRows);
  if (res.colToRow.buffer !== w.colBuf.buffer || res.colToRow.length !== nCols) res.colToRow = w.colBuf.subarray(0, nCols);
  const rowToCol = res.rowToCol;
  const colToRow = res.colToRow;

  // Orient so that the algorithm's rows are the smaller side.
  if (nRows <= nCols) shortestAugmentingPaths(cost, nRows, nCols, nCols, 1, offset, big, w, rowToCol, colToRow);
  else shortestAugmentingPaths(cost, nCols, nRows, 1, nCols, offset, big, w, colToRow, rowToCol);

  // Total cost; drop forbidden pairs.
  let total = 0;
  for (let i = 0; i < nRows; i++) {
    const j = rowToCol[i];
    if (j < 0) continue;
    const c = cost[i * nCols + j];
    if (c === Infinity) {
      rowToCol[i] = -1;
      colToRow[j] = -1;
    } else {
      total += c;
    }
  }
  res.cost = total;
  return res;
}

/**
 * Shortest augmenting path core (Jonker & Volgenant 1987; Crouse 2016) for n ≤ m: for each
 * row in turn, a Dijkstra search over reduced costs finds the shortest alternating path to
 * an unassigned column; the duals are updated to keep reduced costs non-negative and the
 * path is augmented. Entry (a, b) of the algorithm's n × m matrix is
 * `cost[a·rowStride + b·colStride]`, with `Infinity` read as `big` and finite entries shifted
 * by −`offset`.
 */
function shortestAugmentingPaths(
  cost: Float64Array,
  n: number,
  m: number,
  rowStride: number,
  colStride: number,
  offset: number,
  big: number,
  ws: LapWorkspace,
  col4row: Int32Array,
  row4col: Int32Array,
): void {
  const { u, v, shortest, pred, remaining, visitedRows, visitedCols } = ws;
  u.fill(0, 0, n);
  v.fill(0, 0, m);
  col4row.fill(-1, 0, n);
  row4col.fill(-1, 0, m);

  for (let curRow = 0; curRow < n; curRow++) {
    // Dijkstra from curRow. `remaining` holds the unscanned columns, in reverse so that ties
    // pick the lowest index, which keeps results reproducible.
    for (let j = 0; j < m; j++) {
      remaining[j] = m - 1 - j;
      shortest[j] = Infinity;
    }
    let nRemaining = m;
    let nVisitedRows = 0;
    let nVisitedCols = 0;
    let minVal = 0;
    let i = curRow;
    let sink = -1;
    while (sink < 0) {
      visitedRows[nVisitedRows++] = i;
      const base = i * rowStride;
      const ui = u[i];
      let lowest = Infinity;
      let lowestAt = -1;
      for (let it = 0; it < nRemaining; it++) {
        const j = remaining[it];
        let c = cost[base + j * colStride];
        c = c === Infinity ? big : c - offset;
        const r = minVal + c - ui - v[j];
        if (r < shortest[j]) {
          pred[j] = i;
          shortest[j] = r;
        }
        const s = shortest[j];
        // Prefer an unassigned column on ties: it ends the search early.
        if (s < lowest || (s === lowest && row4col[j] < 0)) {
          lowest = s;
          lowestAt = it;
        }
      }
      minVal = lowest;
      const j = remaining[lowestAt];
      visitedCols[nVisitedCols++] = j;
      remaining[lowestAt] = remaining[--nRemaining];
      if (row4col[j] < 0) sink = j;
      else i = row4col[j];
    }

    // Dual update: keeps c − u − v ≥ 0 and tight on assigned pairs.
    u[curRow] += minVal;
    for (let t = 1; t < nVisitedRows; t++) {
      const r = visitedRows[t];
      u[r] += minVal - shortest[col4row[r]];
    }
    for (let t = 0; t < nVisitedCols; t++) {
      const j = visitedCols[t];
      v[j] -= minVal - shortest[j];
    }

    // Augment along the predecessor chain back to curRow.
    let j = sink;
    while (true) {
      const r = pred[j];
      row4col[j] = r;
      const prev = col4row[r];
      col4row[r] = j;
      if (r === curRow) break;
      j = prev;
    }
  }
}
