/**
 * Where the raid's drones flew lately: a coarse grid of the last time a track moving at the
 * class's speeds, believed to be in the air, was in each cell.
 *
 * What it is for (cloud-deleter.ts): a node that hears something for minutes is a stationary
 * source to an acoustic track's rivals (rival-modes.ts), and the track is dropped for it. But
 * drones of one raid fly the same corridors a minute or less apart, and a node under a corridor
 * hears one drone after another, the nearest of them at each report: one track at that node
 * takes them all, and its reports are those of a source that stays. Presence reports at one node
 * cannot tell the two apart; what is around the node can: a stream of drones is flown by the
 * raid's other tracks, which pass nearby, while a generator stands where no drone flies (or
 * where drones fly, which then tells nothing). So near recent traffic the stationary verdict is
 * not taken as decisive: the same reports are explained by a fourth hypothesis the rivals do not
 * hold (drones passing in turn), whose prior is high exactly there.
 *
 * Pure data structure; no I/O. Cells are keyed by integers (no string per query).
 */

/**
 * Side (m) of a traffic cell. A cell and its eight neighbours reach 1.9-3.75 km from a point:
 * about a node's reach (1.3 × a 2.5 km range), so "near traffic" is "where drones flew within
 * hearing of the track's node". Measured against 2.5 km cells (about 5 km): half the coverage
 * gained on the outside scenes, half the false tracks added, and the mixed scene better in
 * missed share, GOSPA and false tracks (docs/tracker.md "A stream of drones is not a generator").
 */
export const AIR_TRAFFIC_CELL = 1250;
/** Seconds a passage counts: the flow prior's memory (flow-prior.ts; waves of one raid fly the same routes within tens of minutes). */
export const AIR_TRAFFIC_MEMORY = 600;

export interface AirTraffic {
  /** A track believed in the air at (x, y) (tracker frame, m) at time t (s). */
  record(x: number, y: number, t: number): void;
  /** Whether such a track was in the cell of (x, y) or one of its eight neighbours within the memory before t. */
  near(x: number, y: number, t: number): boolean;
  /** Cells recorded so far. */
  readonly size: number;
}

/** Cell coordinates fit in 21 bits each (±1,048,576 cells: beyond any frame; farther places are ignored). */
const OFFSET = 1 << 20;
const keyOf = (cx: number, cy: number): number => (cx + OFFSET) * 2097152 + (cy + OFFSET);

export function createAirTraffic(o: { cell?: number; memory?: number } = {}): AirTraffic {
  const cell = o.cell ?? AIR_TRAFFIC_CELL;
  const memory = o.memory ?? AIR_TRAFFIC_MEMORY;
  if (!(cell > 0 && Number.isFinite(cell) && memory >= 0 && Number.isFinite(memory))) throw new Error(`air traffic: cell must be > 0 and memory >= 0 (finite), got ${cell}, ${memory}`);
  const last = new Map<number, number>();
  const inRange = (c: number) => c > -OFFSET && c < OFFSET - 1;
  return {
    record(x, y, t) {
      const cx = Math.floor(x / cell);
      const cy = Math.floor(y / cell);
      if (!inRange(cx) || !inRange(cy) || !Number.isFinite(t)) return;
      const k = keyOf(cx, cy);
      const was = last.get(k);
      if (was === undefined || t > was) last.set(k, t);
    },
    near(x, y, t) {
      const cx = Math.floor(x / cell);
      const cy = Math.floor(y / cell);
      if (!inRange(cx) || !inRange(cy)) return false;
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          const at = last.get(keyOf(cx + dx, cy + dy));
          if (at !== undefined && t - at <= memory) return true;
        }
      }
      return false;
    },
    get size() {
      return last.size;
    },
  };
}
