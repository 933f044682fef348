/**
 * A hierarchical hash grid over the horizontal plane of the tracker frame: items are discs
 * (centre, radius); a query returns the items whose cells overlap a query disc (a superset of
 * the discs that intersect it). Used to pre-filter gating so that its cost grows with local
 * density, not with the number of tracks.
 *
 * Levels of cells `cellSize`·2^L (L = 0 … {@link LEVELS} − 1): a disc is stored at the finest
 * level whose cells are at least its diameter, so in at most 2 × 2 cells, however large it
 * is (Mirtich's hierarchical grid). A query looks at the cells its disc overlaps on each level
 * that holds items. With one level, a vague acoustic track (radius 8 km in 2 km cells) took
 * 81 cells at every step's rebuild: a tenth of the national replay (2026-12-05).
 */

/** Cell key packing: level, then cell indices offset into [0, 2^21), combined into one safe integer. */
const OFFSET = 1 << 20;
const SPAN = 1 << 21;
/** Levels of the hierarchy: cells up to cellSize·2^(LEVELS−1). */
const LEVELS = 8;

export interface SpatialGrid {
  clear(): void;
  insert(item: number, x: number, y: number, radius: number): void;
  /** Calls `visit(item)` once per item whose cells overlap the disc; `stamp` dedupes items. */
  query(x: number, y: number, radius: number, visit: (item: number) => void): void;
}

/** A query spanning more cells than this per axis on a level visits that level's occupied cells instead. */
const MAX_SPAN = 64;

/**
 * True when the cell range [a0, a1] can be walked cell by cell: at most MAX_SPAN + 1 cells, all
 * inside the key's index range. Beyond that range (a position ~5e5 km out at 500 m cells, or
 * larger than 2^53, where `ix++` no longer changes the number) or with a NaN, it cannot.
 */
function walkable(a0: number, a1: number): boolean {
  return a1 - a0 <= MAX_SPAN && a0 >= -OFFSET && a1 < OFFSET;
}

export function createSpatialGrid(cellSize: number): SpatialGrid {
  if (!(cellSize > 0)) throw new Error(`grid cell size must be positive, got ${cellSize}`);
  const cells = new Map<number, number[]>();
  /** Items too large (or with a non-finite extent) to index by cell: every query visits them. */
  const everywhere: number[] = [];
  /** The occupied cells' lists, per level. */
  const used: number[][][] = Array.from({ length: LEVELS }, () => []);
  const pool: number[][] = [];
  const inv = Float64Array.from({ length: LEVELS }, (_, l) => 1 / (cellSize * 2 ** l));
  let seen = new Int32Array(1024);
  let stamp = 0;
  const key = (level: number, ix: number, iy: number) => (level * SPAN + (ix + OFFSET)) * SPAN + (iy + OFFSET);
  const visitList = (arr: number[], visit: (item: number) => void) => {
    for (let i = 0; i < arr.length; i++) {
      const it = arr[i];
      if (seen[it] === stamp) continue;
      seen[it] = stamp;
      visit(it);
    }
  };
  return {
    clear() {
      for (const lists of used) {
        for (const arr of lists) {
          arr.length = 0;
          pool.push(arr);
        }
        lists.length = 0;
      }
      cells.clear();
      everywhere.length = 0;
    },
    insert(item, x, y, radius) {
      if (item >= seen.length) {
        const next = new Int32Array(Math.max(item + 1, seen.length * 2));
        next.set(seen);
        seen = next;
      }
      // the finest level whose cells are at least the disc's diameter
      let level = 0;
      while (level < LEVELS && 2 * radius * inv[level] > 1) level++;
      if (level === LEVELS) {
        everywhere.push(item);
        return;
      }
      const s = inv[level];
      const x0 = Math.floor((x - radius) * s);
      const x1 = Math.floor((x + radius) * s);
      const y0 = Math.floor((y - radius) * s);
      const y1 = Math.floor((y + radius) * s);
      if (!(walkable(x0, x1) && walkable(y0, y1))) {
        everywhere.push(item);
        return;
      }
      for (let ix = x0; ix <= x1; ix++) {
        for (let iy = y0; iy <= y1; iy++) {
          const k = key(level, ix, iy);
          let arr = cells.get(k);
          if (!arr) {
            arr = pool.pop() ?? [];
            cells.set(k, arr);
            used[level].push(arr);
          }
          arr.push(item);
        }
      }
    },
    query(x, y, radius, visit) {
      stamp++;
      if (stamp === 0x7fffffff) {
        seen.fill(0);
        stamp = 1;
      }
      visitList(everywhere, visit);
      for (let level = 0; level < LEVELS; level++) {
        const lists = used[level];
        if (lists.length === 0) continue;
        const s = inv[level];
        const x0 = Math.floor((x - radius) * s);
        const x1 = Math.floor((x + radius) * s);
        const y0 = Math.floor((y - radius) * s);
        const y1 = Math.floor((y + radius) * s);
        if (!(walkable(x0, x1) && walkable(y0, y1))) {
          // a query wider than the index, or outside its range: every occupied cell of the level
          for (const arr of lists) visitList(arr, visit);
          continue;
        }
        for (let ix = x0; ix <= x1; ix++) {
          for (let iy = y0; iy <= y1; iy++) {
            const arr = cells.get(key(level, ix, iy));
            if (arr) visitList(arr, visit);
          }
        }
      }
    },
  };
}
