/**
 * Greedy association, a baseline: the gated pairs by increasing cost (ties by detection,
 * then track), each taken when neither its detection nor its track is taken yet. Cheaper
 * than the optimal assignment, but it can take a pair that forces a much worse one on a
 * neighbour (see gnn-associator.test.ts).
 */
import type { Assignment, Associator } from './associator.js';

export function createGreedyAssociator(): Associator {
  const order: number[] = [];
  const takenDet = new Set<number>();
  const takenTrack = new Set<number>();
  return {
    associate(pairs) {
      const np = pairs.det.length;
      const out: Assignment[] = [];
      if (np === 0) return out;
      order.length = 0;
      for (let k = 0; k < np; k++) order.push(k);
      const { det, track, cost } = pairs;
      order.sort((a, b) => cost[a] - cost[b] || det[a] - det[b] || track[a] - track[b]);
      takenDet.clear();
      takenTrack.clear();
      for (const k of order) {
        if (takenDet.has(det[k]) || takenTrack.has(track[k])) continue;
        takenDet.add(det[k]);
        takenTrack.add(track[k]);
        out.push({ det: det[k], track: track[k], cost: cost[k] });
      }
      return out;
    },
  };
}
