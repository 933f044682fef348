/**
 * Initiation of acoustic tracks from presence reports no track took, as particle clouds:
 * - at once, when two nodes whose discs overlap heard something within `pairWindow` s;
 * - from one node alone, after a sustained sequence: at least `minHits` reports spanning at
 *   least `minSpan` s without a pause longer than `maxGap` report periods (a Shahed-type
 *   drone is heard for 40-100 s; a gust or a passing car for seconds).
 * The cloud is seeded over the first node's disc at its first report and then takes every
 * report of the sequence in time order, so the new track starts where those reports and
 * their timing put it. A node whose track was dropped for hearing something no moving target
 * explains (a generator, an idling engine: see cloud-deleter.ts) starts no track until it
 * has been quiet for `quietToRearm` s.
 */
import { mulberry32 } from '../math/mulberry32.js';
import type { Detection } from '../types.js';
import type { Initiator, TrackBirth } from '../tracker/initiator.js';
import { SHAPE_DISC } from '../tracker/prepare.js';
import type { AcousticNetwork, AcousticNode } from './acoustic-network.js';
import { CLOUD_REPORT_SD, type CloudState } from './cloud-filter.js';
import { cloudMoments, createCloud, predictCloud, presenceHit, resampleCloud, seedAroundSensor, type CloudOptions } from './particle-cloud.js';

export interface CloudInitiatorOptions {
  network: AcousticNetwork;
  cloud?: CloudOptions;
  /** Heights (m above the ellipsoid) a new track may fly at. Default 50..2,500. */
  hMin?: number;
  hMax?: number;
  /** Single-node sequence: reports, span (s), longest pause (report periods). Defaults 4, 8 s, 3. */
  minHits?: number;
  minSpan?: number;
  maxGap?: number;
  /** Two nodes heard within this many seconds start a track at once. Default 6. */
  pairWindow?: number;
  /** A noisy node is quiet this long (s) before it may start tracks again. Default 60. */
  quietToRearm?: number;
}

interface Run {
  node: AcousticNode;
  dets: Detection[];
  first: number;
  last: number;
}

export interface CloudInitiator extends Initiator {
  /** Marks a node as hearing a stationary source: it starts no track until quiet for `quietToRearm` s. */
  markNoisy(nodeId: string, t: number): void;
}

/** A seed for a track's generator from its first detection (deterministic: the same input, the same cloud). */
function seedOf(det: Detection): number {
  let h = 2166136261;
  const s = `${det.sensorId}@${det.t}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function createCloudInitiator(o: CloudInitiatorOptions): CloudInitiator {
  const minHits = o.minHits ?? 4;
  const minSpan = o.minSpan ?? 8;
  const maxGap = o.maxGap ?? 3;
  const pairWindow = o.pairWindow ?? 6;
  const quietToRearm = o.quietToRearm ?? 60;
  const hMin = o.hMin ?? 50;
  const hMax = o.hMax ?? 2500;
  const runs = new Map<string, Run>();
  /** Noisy nodes and the time they last reported. */
  const noisy = new Map<string, number>();

  function birth(used: Run[]): TrackBirth {
    const dets = used.flatMap((r) => r.dets).sort((a, b) => a.t - b.t || (a.sensorId < b.sensorId ? -1 : 1));
    const first = dets[0];
    const firstNode = used.find((r) => r.node.id === first.sensorId)!.node;
    const cloud = createCloud(mulberry32(seedOf(first)), o.cloud);
    seedAroundSensor(cloud, first.t, firstNode.sx, firstNode.sy, firstNode.sz, firstNode.model, firstNode.reach, hMin, hMax);
    let logL = 0;
    let hits = 0;
    for (const d of dets.slice(1)) {
      const node = o.network.node(d.sensorId)!;
      predictCloud(cloud, d.t);
      const l = presenceHit(cloud, node.sx, node.sy, node.sz, node.model);
      if (l > -Infinity) {
        logL += l;
        hits++;
      }
      resampleCloud(cloud);
    }
    const x = new Float64Array(6);
    const p = new Float64Array(36);
    cloudMoments(cloud, x, p);
    const v = 0.5 * (p[0] + p[7]);
    const cs: CloudState = { cloud, missAt: new Map(), logL: hits > 0 ? logL / hits : 0, hits, shown: v <= CLOUD_REPORT_SD * CLOUD_REPORT_SD };
    return { x, p, t: cloud.t, dets, cloud: cs };
  }

  return {
    accepts(pd) {
      return pd.shape === SHAPE_DISC && o.network.node(pd.det.sensorId) !== undefined;
    },
    initiate(pd) {
      const det = pd.det;
      const node = o.network.node(det.sensorId)!;
      const t = det.t;
      const quietSince = noisy.get(node.id);
      if (quietSince !== undefined) {
        if (t - quietSince < quietToRearm) {
          noisy.set(node.id, t);
          return null;
        }
        noisy.delete(node.id);
      }
      // forget runs that ended
      for (const [id, r] of runs) if (t - r.last > maxGap * r.node.period + pairWindow) runs.delete(id);
      let run = runs.get(node.id);
      if (!run || t - run.last > maxGap * node.period) {
        run = { node, dets: [], first: t, last: t };
        runs.set(node.id, run);
      }
      run.dets.push(det);
      run.last = t;
      // a neighbour that heard something at about the same time, with an overlapping disc
      let partner: Run | undefined;
      for (const r of runs.values()) {
        if (r === run || t - r.last > pairWindow) continue;
        const d = Math.hypot(r.node.sx - node.sx, r.node.sy - node.sy);
        if (d > r.node.reach + node.reach) continue;
        if (!partner || r.last > partner.last) partner = r;
      }
      let used: Run[] | null = null;
      if (partner) used = [run, partner];
      else if (run.dets.length >= minHits && run.last - run.first >= minSpan) used = [run];
      if (!used) return null;
      for (const r of used) runs.delete(r.node.id);
      return birth(used);
    },
    markNoisy(nodeId, t) {
      noisy.set(nodeId, t);
      runs.delete(nodeId);
    },
  };
}
