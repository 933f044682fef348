/**
 * Recent detections kept by the client for drawing: appended per stream event, expired by
 * age against the newest detection time, capped in count (oldest go first).
 */
import type { DetectionWire } from '@skywarden/formats';

export interface DetectionBuffer {
  add(dets: readonly DetectionWire[]): void;
  /** Drop detections older than `maxAgeS` before `now`. */
  expire(now: number): void;
  all(): readonly DetectionWire[];
  latestT(): number;
  clear(): void;
}

export function createDetectionBuffer(o: { maxAgeS?: number; maxCount?: number } = {}): DetectionBuffer {
  const maxAgeS = o.maxAgeS ?? 10;
  const maxCount = o.maxCount ?? 5000;
  let items: DetectionWire[] = [];
  let latest = -Infinity;
  return {
    add(dets) {
      for (const d of dets) {
        if (!Number.isFinite(d.t)) continue;
        items.push(d);
        if (d.t > latest) latest = d.t;
      }
      if (items.length > maxCount) items = items.slice(items.length - maxCount);
    },
    expire(now) {
      const cut = now - maxAgeS;
      if (items.length > 0 && items[0].t >= cut && items[items.length - 1].t >= cut) {
        // Items are mostly in time order; full filter only when something may be stale.
        let stale = false;
        for (const d of items) if (d.t < cut) { stale = true; break; }
        if (!stale) return;
      }
      items = items.filter((d) => d.t >= cut);
    },
    all() {
      return items;
    },
    latestT() {
      return latest;
    },
    clear() {
      items = [];
      latest = -Infinity;
    },
  };
}
