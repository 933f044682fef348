/**
 * How often the map may be redrawn. A map frame costs the page's main thread its draw and,
 * after it, the browser's paint and composite of the canvas: about a millisecond with a GPU,
 * hundreds of milliseconds when WebGL is rasterised in software (a laptop or a CI machine
 * without a usable GPU). Redrawing at a fixed rate on such a machine leaves the main thread
 * no time for input, so clicks wait seconds. The governor keeps the map's share of the main
 * thread at or below `share`: the redraw interval is the smoothed frame cost divided by the
 * share, never below `minMs` (the rate on a fast machine) nor above `maxMs` (the picture
 * must still move). Pure: the caller measures and feeds it, at each redraw, the cost of the
 * frames drawn since the one before.
 */
export interface RefreshGovernorOptions {
  /** Shortest interval between map redraws (ms). */
  minMs: number;
  /** Longest interval, however slow the frames (ms). */
  maxMs: number;
  /** Largest share of the main thread the map's redraws may take (0-1). */
  share: number;
  /** Weight of a new sample in the smoothed cost (0-1). */
  alpha?: number;
}

export interface RefreshGovernor {
  /** The measured main-thread cost of the map's frames since the previous redraw (ms). Non-finite or negative samples are ignored. */
  observe(costMs: number): void;
  /** Smoothed frame cost (ms); 0 before the first sample. */
  costMs(): number;
  /** The interval to wait between map redraws now (ms). */
  intervalMs(): number;
}

export function createRefreshGovernor(o: RefreshGovernorOptions): RefreshGovernor {
  if (!(o.minMs > 0) || !(o.maxMs >= o.minMs)) throw new RangeError(`refresh governor: need 0 < minMs <= maxMs (got ${o.minMs}, ${o.maxMs})`);
  if (!(o.share > 0 && o.share <= 1)) throw new RangeError(`refresh governor: share must be in (0, 1] (got ${o.share})`);
  const alpha = o.alpha ?? 0.3;
  let cost = 0;
  let seen = false;
  return {
    observe(c) {
      if (!Number.isFinite(c) || c < 0) return;
      // one very slow frame (a tab switch, a GC) should not stall the map for long: cap a
      // sample at what the longest interval allows
      const s = Math.min(c, o.maxMs * o.share * 2);
      cost = seen ? cost + alpha * (s - cost) : s;
      seen = true;
    },
    costMs: () => cost,
    intervalMs: () => Math.min(o.maxMs, Math.max(o.minMs, cost / o.share)),
  };
}
