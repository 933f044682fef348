/**
 * Short track trails kept by the client: the last positions of every track seen in the
 * snapshots, capped in count and age. A track absent from a snapshot is gone (the stream's
 * tracks event is a full snapshot) and its trail is dropped.
 */

export interface TrailPoint {
  t: number;
  lat: number;
  lon: number;
}

export interface TrailOptions {
  /** Most points kept per track (default 30). */
  maxPoints?: number;
  /** Oldest point kept, seconds before the newest snapshot time (default 60 s). */
  maxAgeS?: number;
}

export interface TrailBuffer {
  /** Apply a full snapshot: append each track's position, drop tracks not in it. */
  update(t: number, tracks: readonly { track: string; lat: number; lon: number }[]): void;
  /** Points of one track, oldest first (a copy). */
  get(id: string): TrailPoint[];
  /** Ids with a trail. */
  ids(): IterableIterator<string>;
  size(): number;
  clear(): void;
}

export function createTrailBuffer(options: TrailOptions = {}): TrailBuffer {
  const maxPoints = options.maxPoints ?? 30;
  const maxAgeS = options.maxAgeS ?? 60;
  if (!(maxPoints >= 1)) throw new Error(`createTrailBuffer: maxPoints must be >= 1, got ${maxPoints}`);
  const trails = new Map<string, TrailPoint[]>();
  return {
    update(t, tracks) {
      const seen = new Set<string>();
      for (const tr of tracks) {
        if (!Number.isFinite(tr.lat) || !Number.isFinite(tr.lon)) continue;
        seen.add(tr.track);
        let pts = trails.get(tr.track);
        if (!pts) {
          pts = [];
          trails.set(tr.track, pts);
        }
        const last = pts[pts.length - 1];
        if (last && t < last.t) pts.length = 0; // time went back (replay seek): start again
        if (last && last.t === t && pts.length > 0) pts[pts.length - 1] = { t, lat: tr.lat, lon: tr.lon };
        else pts.push({ t, lat: tr.lat, lon: tr.lon });
        let drop = 0;
        while (drop < pts.length && (pts.length - drop > maxPoints || t - pts[drop].t > maxAgeS)) drop++;
        if (drop > 0) pts.splice(0, drop);
      }
      for (const id of trails.keys()) if (!seen.has(id)) trails.delete(id);
    },
    get(id) {
      return (trails.get(id) ?? []).slice();
    },
    ids() {
      return trails.keys();
    },
    size() {
      return trails.size;
    },
    clear() {
      trails.clear();
    },
  };
}
