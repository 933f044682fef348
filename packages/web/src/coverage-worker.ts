/**
 * Web worker of the coverage layer: computes the coverage areas (logic/coverage.ts) off the
 * page's main thread, so a recompute for 10,000 sensors (a few hundred ms on a slow machine)
 * never delays a frame or a click.
 */
import { computeCoverage, type CoverageDisc } from './logic/coverage.js';

export interface CoverageRequest {
  id: number;
  discs: CoverageDisc[];
}

const ctx = self as unknown as { onmessage: ((e: MessageEvent<CoverageRequest>) => void) | null; postMessage(m: unknown): void };

ctx.onmessage = (e) => {
  const t0 = performance.now();
  try {
    const res = computeCoverage(e.data.discs);
    ctx.postMessage({ id: e.data.id, ...res, ms: performance.now() - t0 });
  } catch (err) {
    ctx.postMessage({ id: e.data.id, error: String(err) });
  }
};
