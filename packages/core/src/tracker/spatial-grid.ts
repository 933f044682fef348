/**
 * A uniform hash grid over the horizontal plane of the tracker frame: items are discs
 * (centre, radius) stored in every cell they overlap; a query returns the items whose cells
 * overlap a query disc (a superset of the discs that intersect it). Used to pre-filter
 * gating so that its cost grows with local density, not with the number of tracks.
 */

/** Cell key packing: cell indices offset into [0, 2^21) and combined into one safe integer. */
const OFFSET = 1 << 20;
const SPAN = 1 << 21;

export interface SpatialGrid {
  clear(): void;
  insert(item: number, x: number, y: number, radius: number): void;
  /** Calls `visit(item)` once per item whose cells overlap the disc; `stamp` dedupes items. */
  query(x: number, y: number, radius: number, visit: (item: number) => void): void;
}

/** A disc spanning more cells than this per axis is kept in (or queries) the "everywhere" list. */
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
  const used: number[][] = [];
  const pool: number[][] = [];
  let seen = new Int32Array(1024);
  let stamp = 0;
  const key = (ix: number, iy: number) => (ix + OFFSET) * SPAN + (iy + OFFSET);
  const inv = 1 / cellSize;
  return {
    clear() {
      for (const arr of used) {
        arr.length = 0;
        pool.push(arr);
      }
      used.length = 0;
      cells.clear();
      everywhere.length = 0;
    },
    insert(item, x, y, radius) {
      const x0 = Math.floor((x - radius) * inv);
      const x1 = Math.floor((x + radius) * inv);
      const y0 = Math.floor((y - radius) * inv);
      const y1 = Math.floor((y + radius) * inv);
      if (item >= seen.length) {
        const next = new Int32Array(Math.max(item + 1, seen.length * 2));
        next.set(seen);
        seen = next;
      }
      if (!(walkable(x0, x1) && walkable(y0, y1))) {
        everywhere.push(item);
        return;
      }
      for (let ix = x0; ix <= x1; ix++) {
        for (let iy = y0; iy <= y1; iy++) {
          const k = key(ix, iy);
          let arr = cells.get(k);
          if (!arr) {
            arr = pool.pop() ?? [];
            cells.set(k, arr);
            used.push(arr);
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
      const x0 = Math.floor((x - radius) * inv);
      const x1 = Math.floor((x + radius) * inv);
      const y0 = Math.floor((y - radius) * inv);
      const y1 = Math.floor((y + radius) * inv);
      const visitAll = (arr: number[]) => {
        for (let i = 0; i < arr.length; i++) {
          const it = arr[i];
          if (seen[it] === stamp) continue;
          seen[it] = stamp;
          visit(it);
        }
      };
      visitAll(everywhere);
      if (!(walkable(x0, x1) && walkable(y0, y1))) {
        // a query wider than the index, or outside its range: every occupied cell
        for (const arr of used) visitAll(arr);
        return;
      }
      for (let ix = x0; ix <= x1; ix++) {
        for (let iy = y0; iy <= y1; iy++) {
          const arr = cells.get(key(ix, iy));
          if (!arr) continue;
          for (let i = 0; i < arr.length; i++) {
            const it = arr[i];
            if (seen[it] === stamp) continue;
            seen[it] = stamp;
            visit(it);
          }
        }
      }
    },
  };
}
