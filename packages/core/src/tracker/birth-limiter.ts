/**
 * A clutter map for track births. A tentative track starts from one detection no track took; a
 * place where such detections come thick (radar clutter in rain, a flood of made-up positions
 * from a sensor within its rate limit) would fill the track table with tentative tracks packed
 * so densely that every later detection gates against thousands of them: the work of a step
 * grows with their number times their density, and a flood of 60,000 positions in a 10 km square
 * over 6 s held the tracker for 8.5 s in one call (2026-12-06; an outside probe held the live
 * service for two minutes so). The map counts births per square cell of the plane over a
 * window of time and refuses a birth in a cell that had `max` already: no real air picture
 * starts that many targets in a square kilometre within half a minute, and the detection itself
 * is still kept (journalled, acknowledged); only no new track comes of it while the cell is
 * saturated. Tracks already there go on taking detections.
 */

export interface BirthLimit {
  /** Side of a cell (m). */
  cellM: number;
  /** Window (s): the count of a cell starts again this long after its first birth. */
  windowS: number;
  /** Births a cell may have in a window. */
  max: number;
}

export const BIRTH_LIMIT_DEFAULTS: Readonly<BirthLimit> = Object.freeze({ cellM: 1000, windowS: 30, max: 20 });

export interface BirthLimiter {
  /** Whether a birth at (x, y) (m, tracker frame) at time t may start a track; counts it when it may. */
  admit(x: number, y: number, t: number): boolean;
  /** Births refused so far. */
  readonly refused: number;
}

/** Checks a birth limit; throws naming the bad field. */
export function checkBirthLimit(b: BirthLimit): void {
  if (!(b.cellM > 0 && Number.isFinite(b.cellM))) throw new Error(`tracker option birthLimit.cellM must be a positive number (m), got ${b.cellM}`);
  if (!(b.windowS > 0 && Number.isFinite(b.windowS))) throw new Error(`tracker option birthLimit.windowS must be a positive number (s), got ${b.windowS}`);
  if (!(Number.isInteger(b.max) && b.max >= 1)) throw new Error(`tracker option birthLimit.max must be an integer >= 1, got ${b.max}`);
}

export function createBirthLimiter(o: BirthLimit): BirthLimiter {
  checkBirthLimit(o);
  /** Per cell: the window's start and its births. */
  const cells = new Map<string, { start: number; count: number }>();
  let refused = 0;
  let prunedAt = -Infinity;
  return {
    admit(x, y, t) {
      if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(t))) return true;
      // windows that ended are forgotten, at most once a window (the map holds the cells of one window)
      if (t - prunedAt > o.windowS || t < prunedAt) {
        for (const [k, c] of cells) if (t - c.start > o.windowS || t < c.start) cells.delete(k);
        prunedAt = t;
      }
      const key = `${Math.floor(x / o.cellM)},${Math.floor(y / o.cellM)}`;
      let c = cells.get(key);
      if (!c || t - c.start > o.windowS || t < c.start) {
        c = { start: t, count: 0 };
        cells.set(key, c);
      }
      if (c.count >= o.max) {
        refused++;
        return false;
      }
      c.count++;
      return true;
    },
    get refused() {
      return refused;
    },
  };
}
