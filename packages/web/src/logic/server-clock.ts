/**
 * The picture's clock in the browser. The service's time is not the browser's: a demo or a
 * replay-driven service runs faster than the wall clock (the demo at 5x or 8x), and a server
 * may be set off by seconds. A fixed offset taken from the stream's hello fell behind a fast
 * demo by (speed − 1) seconds every second: after a minute at 8x the on-screen clock was 7
 * minutes behind the picture, and the picture's alerts lay in its future.
 *
 * Model: server time = t_k + rate · (wall − w_k) from the latest anchor (w_k, t_k); anchors
 * are the hello's `server_time` and each tracks report's time; the rate is the slope between
 * anchors at least `minSpanS` of wall time apart (the first such slope, then smoothed), 1
 * until two such anchors exist.
 * The clock never runs backwards: an anchor behind the extrapolation holds the clock until
 * time catches up. Pure: the caller gives the wall time.
 */
export interface ServerClock {
  /** An anchor: the server's time `serverT` (s) known at wall time `wallS` (s). */
  anchor(wallS: number, serverT: number): void;
  /** The server's time now (s), at wall time `wallS`. NaN before any anchor. */
  now(wallS: number): number;
  /** The estimated rate of the server's clock against the wall clock. */
  rate(): number;
  /** Forget everything (a new stream, a mode change). */
  reset(): void;
}

export function createServerClock(o: { minSpanS?: number; alpha?: number; maxRate?: number } = {}): ServerClock {
  const minSpan = o.minSpanS ?? 5;
  const alpha = o.alpha ?? 0.5;
  const maxRate = o.maxRate ?? 1000;
  let last: { w: number; t: number } | null = null;
  let base: { w: number; t: number } | null = null; // the anchor the next rate sample spans from
  let r = 1;
  let sampled = false;
  let shown = Number.NEGATIVE_INFINITY;
  const extrapolate = (w: number) => (last ? last.t + r * (w - last.w) : Number.NaN);
  return {
    anchor(w, t) {
      if (!Number.isFinite(w) || !Number.isFinite(t)) return;
      if (base && w - base.w >= minSpan) {
        const sample = (t - base.t) / (w - base.w);
        if (sample > 0 && sample <= maxRate) {
          r = sampled ? r + alpha * (sample - r) : sample;
          sampled = true;
        }
        base = { w, t };
      }
      if (!base) base = { w, t };
      last = { w, t };
    },
    now(w) {
      const x = extrapolate(w);
      if (!Number.isFinite(x)) return x;
      shown = Math.max(shown, x);
      return shown;
    },
    rate: () => r,
    reset() {
      last = null;
      base = null;
      r = 1;
      sampled = false;
      shown = Number.NEGATIVE_INFINITY;
    },
  };
}
