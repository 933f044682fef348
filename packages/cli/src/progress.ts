/**
 * A one-line progress bar on a terminal (stderr). Silent when stderr is not a TTY, so piped
 * or logged runs stay clean.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = Boolean(stream.isTTY) && total > 0;
  const started = Date.now();
  let last = 0;
  let shown = false;
  const draw = (done: number) => {
    const width = 30;
    const frac = Math.min(1, done / total);
    const filled = Math.round(frac * width);
    const secs = (Date.now() - started) / 1000;
    const eta = frac > 0 ? secs / frac - secs : 0;
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}% ${secs.toFixed(0)} s, ~${eta.toFixed(0)} s left `);
    shown = true;
  };
  return {
    update(done) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      draw(done);
    },
    finish() {
      if (!enabled || !shown) return;
      draw(total);
      stream.write('\n');
    },
  };
}
