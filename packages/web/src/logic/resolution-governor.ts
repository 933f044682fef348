/**
 * The map's drawing resolution on slow graphics. Where WebGL is rasterised in software (a
 * laptop or a CI machine without a usable GPU) a map frame holds the page's main thread for
 * hundreds of milliseconds, and a click that lands meanwhile waits for the frame to end. The
 * refresh governor spaces the frames, which bounds the map's share of the thread but not the
 * wait of a click that lands in a frame: that wait is the frame's length. A software
 * rasteriser's work grows with the pixels it fills, so the frame is shortened by drawing the
 * canvas at a lower resolution (the browser scales it up: the map looks softer, the panels
 * and labels are unchanged).
 *
 * Model: a frame's cost is `fixed + k · s²` at the linear scale `s` of the canvas. Going
 * down one level is tried while the smoothed cost is over `budgetMs`; going back up is
 * allowed only when the cost at the level above, predicted as if all of it grew with the
 * pixels (`cost · (s_up / s)²`, an upper bound), stays under `budgetMs · upMargin`. A level
 * left for being too slow is not tried again for `holdFrames` frames. Pure: the caller
 * measures each frame and applies the scale.
 */
export interface ResolutionGovernorOptions {
  /** A frame longer than this holds input too long (ms). */
  budgetMs: number;
  /** The scales the canvas may take, largest first, e.g. [1, 0.75, 0.5]. */
  scales: number[];
  /** Frames to watch at a level before deciding (default 6). */
  settle?: number;
  /** Weight of a new sample in the smoothed cost (default 0.3). */
  alpha?: number;
  /** Share of the budget the predicted cost must stay under to go back up (default 0.6). */
  upMargin?: number;
  /** Frames before a level left for being too slow is tried again (default 300). */
  holdFrames?: number;
}

export interface ResolutionGovernor {
  /** One frame's main-thread cost (ms). Returns true when the scale changed. Non-finite or negative samples are ignored. */
  observe(frameMs: number): boolean;
  /** The scale to draw at now (a factor of the device pixel ratio). */
  scale(): number;
  /** Smoothed frame cost at the current scale (ms); 0 before the settle frames. */
  costMs(): number;
}

export function createResolutionGovernor(o: ResolutionGovernorOptions): ResolutionGovernor {
  const scales = o.scales;
  if (!(o.budgetMs > 0)) throw new RangeError(`resolution governor: budgetMs must be > 0 (got ${o.budgetMs})`);
  if (scales.length === 0 || scales.some((s, i) => !(s > 0 && s <= 1) || (i > 0 && !(s < scales[i - 1]!)))) {
    throw new RangeError(`resolution governor: scales must be in (0, 1], largest first (got ${scales.join(', ')})`);
  }
  const settle = o.settle ?? 6;
  const alpha = o.alpha ?? 0.3;
  const upMargin = o.upMargin ?? 0.6;
  const holdFrames = o.holdFrames ?? 300;
  let level = 0;
  let n = 0;
  let cost = 0;
  let frame = 0;
  // the frame number before which a level may not be tried again, per level
  const heldUntil = scales.map(() => 0);
  const move = (to: number) => {
    level = to;
    n = 0;
    cost = 0;
    return true;
  };
  return {
    observe(ms) {
      if (!Number.isFinite(ms) || ms < 0) return false;
      frame++;
      cost = n === 0 ? ms : cost + alpha * (ms - cost);
      n++;
      if (n < settle) return false;
      if (cost > o.budgetMs && level < scales.length - 1) {
        heldUntil[level] = frame + holdFrames;
        return move(level + 1);
      }
      if (level > 0 && frame >= heldUntil[level - 1]!) {
        const ratio = scales[level - 1]! / scales[level]!;
        if (cost * ratio * ratio < o.budgetMs * upMargin) return move(level - 1);
      }
      return false;
    },
    scale: () => scales[level]!,
    costMs: () => (n >= settle ? cost : 0),
  };
}
