import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLapWorkspace, solveLap, type LapResult } from './lap.js';
import { mulberry32 } from '../math/mulberry32.js';

const rng = mulberry32;

function close(a: number, b: number, tol = 1e-9): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Structural checks that hold for every valid answer. Returns the number of assigned pairs. */
function checkValid(res: LapResult, cost: Float64Array, nRows: number, nCols: number): number {
  assert.equal(res.rowToCol.length, nRows);
  assert.equal(res.colToRow.length, nCols);
  let count = 0;
  let sum = 0;
  for (let i = 0; i < nRows; i++) {
    const j = res.rowToCol[i];
    assert.ok(j >= -1 && j < nCols, `row ${i} -> ${j}`);
    if (j < 0) continue;
    assert.equal(res.colToRow[j], i, `colToRow[${j}] should be ${i}`);
    const c = cost[i * nCols + j];
    assert.ok(Number.isFinite(c), `row ${i} assigned to forbidden col ${j}`);
    sum += c;
    count++;
  }
  let countCols = 0;
  for (let j = 0; j < nCols; j++) {
    const i = res.colToRow[j];
    assert.ok(i >= -1 && i < nRows, `col ${j} -> ${i}`);
    if (i >= 0) {
      assert.equal(res.rowToCol[i], j);
      countCols++;
    }
  }
  assert.equal(countCols, count);
  assert.ok(close(res.cost, sum), `reported cost ${res.cost} != sum of assigned ${sum}`);
  return count;
}

/**
 * Brute force over every complete matching of the smaller side: maximise the number of finite
 * pairs, then minimise their total cost.
 */
function bruteForce(cost: Float64Array, nRows: number, nCols: number): { count: number; cost: number } {
  const transpose = nRows > nCols;
  const n = transpose ? nCols : nRows;
  const m = transpose ? nRows : nCols;
  const at = (a: number, b: number) => (transpose ? cost[b * nCols + a] : cost[a * nCols + b]);
  const used = new Uint8Array(m);
  let bestCount = -1;
  let bestCost = Infinity;
  const rec = (a: number, count: number, sum: number) => {
    if (a === n) {
      if (count > bestCount || (count === bestCount && sum < bestCost)) {
        bestCount = count;
        bestCost = sum;
      }
      return;
    }
    for (let b = 0; b < m; b++) {
      if (used[b]) continue;
      used[b] = 1;
      const c = at(a, b);
      if (Number.isFinite(c)) rec(a + 1, count + 1, sum + c);
      else rec(a + 1, count, sum);
      used[b] = 0;
    }
  };
  rec(0, 0, 0);
  return { count: bestCount, cost: n === 0 ? 0 : bestCost };
}

function randomMatrix(r: () => number, nRows: number, nCols: number, pInf: number, integer: boolean): Float64Array {
  const a = new Float64Array(nRows * nCols);
  for (let k = 0; k < a.length; k++) {
    if (r() < pInf) a[k] = Infinity;
    else a[k] = integer ? Math.floor(r() * 7) - 2 : (r() - 0.3) * 100;
  }
  return a;
}

test('matches brute force on thousands of random small matrices (with Infinity, ties, negatives)', () => {
  const r = rng(12345);
  const ws = createLapWorkspace(2, 2);
  let cases = 0;
  for (let trial = 0; trial < 4000; trial++) {
    const nRows = 1 + Math.floor(r() * 7);
    const nCols = trial % 3 === 0 ? nRows : 1 + Math.floor(r() * 7);
    const pInf = [0, 0, 0.15, 0.4, 0.8][trial % 5];
    const cost = randomMatrix(r, nRows, nCols, pInf, trial % 2 === 0);
    const expected = bruteForce(cost, nRows, nCols);
    for (const res of [solveLap(cost, nRows, nCols), solveLap(cost, nRows, nCols, ws)]) {
      const count = checkValid(res, cost, nRows, nCols);
      const ctx = `trial ${trial} ${nRows}x${nCols} [${Array.from(cost).join(',')}]`;
      assert.equal(count, expected.count, `cardinality ${ctx}`);
      assert.ok(close(res.cost, expected.cost), `cost ${res.cost} != ${expected.cost} ${ctx}`);
      if (pInf === 0) assert.equal(count, Math.min(nRows, nCols));
    }
    cases++;
  }
  assert.equal(cases, 4000);
});

test('hand-made cases', () => {
  // Greedy (row 0 takes its cheapest col 0) would cost 1 + 10 = 11; optimum is 2 + 2 = 4.
  let res = solveLap(Float64Array.from([1, 2, 2, 10]), 2, 2);
  assert.deepEqual(Array.from(res.rowToCol), [1, 0]);
  assert.deepEqual(Array.from(res.colToRow), [1, 0]);
  assert.equal(res.cost, 4);

  // Classic 3x3 example: optimum 0->1, 1->0, 2->2 with cost 1 + 2 + 2 = 5.
  res = solveLap(Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]), 3, 3);
  assert.deepEqual(Array.from(res.rowToCol), [1, 0, 2]);
  assert.equal(res.cost, 5);

  // Wide: 2 rows, 4 cols; columns 1 and 3 are cheapest for rows 0 and 1.
  res = solveLap(Float64Array.from([5, 1, 9, 9, 9, 9, 9, 0.5]), 2, 4);
  assert.deepEqual(Array.from(res.rowToCol), [1, 3]);
  assert.deepEqual(Array.from(res.colToRow), [-1, 0, -1, 1]);
  assert.equal(res.cost, 1.5);

  // Tall: 3 rows, 1 col: only the cheapest row gets it.
  res = solveLap(Float64Array.from([3, -1, 2]), 3, 1);
  assert.deepEqual(Array.from(res.rowToCol), [-1, 0, -1]);
  assert.deepEqual(Array.from(res.colToRow), [1]);
  assert.equal(res.cost, -1);

  // Forbidden entries force the only complete matching, even though it is expensive.
  res = solveLap(Float64Array.from([1, 100, 1, Infinity]), 2, 2);
  assert.deepEqual(Array.from(res.rowToCol), [1, 0]);
  assert.equal(res.cost, 101);

  // Row 1 has no finite entry: left unassigned, the rest solved optimally.
  res = solveLap(Float64Array.from([3, 1, Infinity, Infinity, 2, 5]), 3, 2);
  assert.deepEqual(Array.from(res.rowToCol), [1, -1, 0]);
  assert.equal(res.cost, 3);

  // Rows 0 and 1 both only allow column 0: one of them stays unassigned, the cheaper one wins.
  res = solveLap(Float64Array.from([7, Infinity, Infinity, 4, Infinity, Infinity, 9, 8, 1]), 3, 3);
  assert.deepEqual(Array.from(res.rowToCol), [-1, 0, 2]);
  assert.equal(res.cost, 5);

  // Maximum cardinality beats cost: taking (0,0) at cost 0 would leave row 1 unmatched.
  res = solveLap(Float64Array.from([0, 1000, 5, Infinity]), 2, 2);
  assert.deepEqual(Array.from(res.rowToCol), [1, 0]);
  assert.equal(res.cost, 1005);

  // All forbidden.
  res = solveLap(Float64Array.from([Infinity, Infinity, Infinity, Infinity]), 2, 2);
  assert.deepEqual(Array.from(res.rowToCol), [-1, -1]);
  assert.deepEqual(Array.from(res.colToRow), [-1, -1]);
  assert.equal(res.cost, 0);

  // 1x1.
  res = solveLap(Float64Array.from([-3.5]), 1, 1);
  assert.deepEqual(Array.from(res.rowToCol), [0]);
  assert.equal(res.cost, -3.5);

  // All equal: any permutation, cost n·c.
  res = solveLap(new Float64Array(16).fill(2), 4, 4);
  assert.equal(checkValid(res, new Float64Array(16).fill(2), 4, 4), 4);
  assert.equal(res.cost, 8);
});

test('empty problems', () => {
  let res = solveLap(new Float64Array(0), 0, 0);
  assert.equal(res.rowToCol.length, 0);
  assert.equal(res.colToRow.length, 0);
  assert.equal(res.cost, 0);
  res = solveLap(new Float64Array(0), 0, 5);
  assert.equal(res.rowToCol.length, 0);
  assert.deepEqual(Array.from(res.colToRow), [-1, -1, -1, -1, -1]);
  assert.equal(res.cost, 0);
  res = solveLap(new Float64Array(0), 3, 0, createLapWorkspace(0, 0));
  assert.deepEqual(Array.from(res.rowToCol), [-1, -1, -1]);
  assert.equal(res.colToRow.length, 0);
  assert.equal(res.cost, 0);
});

test('programmer errors throw with the bad value', () => {
  assert.throws(() => solveLap(Float64Array.from([1, NaN]), 1, 2), /NaN/);
  assert.throws(() => solveLap(Float64Array.from([1, -Infinity]), 1, 2), /-Infinity/);
  assert.throws(() => solveLap(new Float64Array(3), 2, 2), /3 entries/);
  assert.throws(() => solveLap(new Float64Array(4), -1, 2), /-1/);
  assert.throws(() => solveLap(new Float64Array(4), 1.5, 2), /1\.5/);
});

test('workspace: reused and grown, same answers as without, result owned by the workspace', () => {
  const r = rng(99);
  const ws = createLapWorkspace(3, 3);
  for (let trial = 0; trial < 200; trial++) {
    const nRows = Math.floor(r() * 40);
    const nCols = Math.floor(r() * 40);
    const cost = randomMatrix(r, nRows, nCols, trial % 2 ? 0.3 : 0, false);
    const fresh = solveLap(cost, nRows, nCols);
    const reused = solveLap(cost, nRows, nCols, ws);
    assert.equal(reused, ws.result);
    checkValid(reused, cost, nRows, nCols);
    assert.ok(close(fresh.cost, reused.cost), `trial ${trial}: ${fresh.cost} vs ${reused.cost}`);
  }
  assert.ok(ws.capacity >= 39);
});

/**
 * Reference: the classic O(n²m) Hungarian method with potentials (Kuhn 1955, Munkres 1957, in
 * the row-by-row form with potentials), for n ≤ m. Returns the optimum cost and the dual lower
 * bound Σu + Σv after checking dual feasibility (u_i + v_j ≤ c_ij, v_j ≤ 0), which certifies
 * optimality independently of the algorithm.
 */
function hungarian(a: Float64Array, n: number, m: number): { cost: number; dualBound: number } {
  const INF = Infinity;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row (1-based) matched to column j, 0 = none
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(INF);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  let cost = 0;
  for (let j = 1; j <= m; j++) if (p[j] !== 0) cost += a[(p[j] - 1) * m + (j - 1)];
  let bound = 0;
  for (let i = 1; i <= n; i++) bound += u[i];
  for (let j = 1; j <= m; j++) {
    assert.ok(v[j] <= 1e-9, `dual v[${j}] = ${v[j]} > 0`);
    bound += v[j];
    for (let i = 1; i <= n; i++) {
      const slack = a[(i - 1) * m + (j - 1)] - u[i] - v[j];
      assert.ok(slack >= -1e-7, `dual infeasible at (${i - 1}, ${j - 1}): slack ${slack}`);
    }
  }
  return { cost, dualBound: bound };
}

function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j];
  return t;
}

test('large random problems agree with a certified Hungarian reference', () => {
  const r = rng(2024);
  for (const [nRows, nCols, integer] of [
    [300, 300, false],
    [300, 300, true],
    [300, 450, false],
    [450, 300, false],
  ] as const) {
    const cost = randomMatrix(r, nRows, nCols, 0, integer);
    const res = solveLap(cost, nRows, nCols);
    assert.equal(checkValid(res, cost, nRows, nCols), Math.min(nRows, nCols));
    const ref = nRows <= nCols ? hungarian(cost, nRows, nCols) : hungarian(transpose(cost, nRows, nCols), nCols, nRows);
    assert.ok(close(ref.cost, ref.dualBound), `reference not optimal: ${ref.cost} vs bound ${ref.dualBound}`);
    assert.ok(close(res.cost, ref.cost), `${nRows}x${nCols}: solveLap ${res.cost} vs Hungarian ${ref.cost}`);
  }
});

test('large sparse (mostly Infinity) problem with a perfect matching agrees with the reference', () => {
  const r = rng(7);
  const n = 300;
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) cost[i * n + j] = i === j || r() < 0.05 ? r() * 50 : Infinity;
  }
  const res = solveLap(cost, n, n);
  assert.equal(checkValid(res, cost, n, n), n);
  const penalised = cost.map((c) => (Number.isFinite(c) ? c : 1e7));
  const ref = hungarian(penalised, n, n);
  assert.ok(ref.cost < 1e7, 'reference used a forbidden pair');
  assert.ok(close(res.cost, ref.cost), `solveLap ${res.cost} vs Hungarian ${ref.cost}`);
});
