/**
 * Initiation of acoustic tracks from presence reports and array bearings no track took, as
 * particle clouds:
 * - at once, when two nodes whose discs overlap heard something within `pairWindow` s;
 * - from one node alone, after a sustained sequence: at least `minHits` reports spanning at
 *   least `minSpan` s without a pause longer than `maxGap` report periods (a Shahed-type
 *   drone is heard for 40-100 s; a gust or a passing car for seconds); a lone array's run
 *   must span `arraySpan` s, or `minSpan` when its bearings sweep (the source moves).
 * The cloud is seeded over the first node's disc at its first report (along the bearing out
 * to the node's reach, for an array: a lone array starts tracks too) and then takes every
 * report of the sequence in time order, so the new track starts where those reports and
 * their timing put it. A node whose track was dropped for hearing something no moving target
 * explains (a generator, an idling engine: see cloud-deleter.ts) starts no track until it
 * has been quiet for `quietToRearm` s.
 */
import type { SourcePrior } from './source-prior.js';
import { mulberry32 } from '../math/mulberry32.js';
import type { Detection } from '../types.js';
import type { Initiator, TrackBirth } from '../tracker/initiator.js';
import { SHAPE_DISC, SHAPE_RAY } from '../tracker/prepare.js';
import type { AcousticNetwork, AcousticNode } from './acoustic-network.js';
import { CLOUD_H_MAX, CLOUD_H_MIN, cloudShown, levelTerm, recordLevel, reportOf, seedOfDetection, type CloudState, type LevelEvidence } from './cloud-filter.js';
import { CLOUD_SPEED_BAND, bearingHitEvidence, bearingUpdate, cloudMoments, createCloud, predictCloud, presenceHit, resampleCloud, seedFromReport, type CloudOptions, type ParticleCloud } from './particle-cloud.js';
import { createRivals, rivalsUpdate } from './rival-modes.js';
import { createFlowPrior, type FlowPriorOptions } from './flow-prior.js';
import { fitSweep, sweeps, type SweepTest } from './bearing-sweep.js';
import type { Track } from '../tracker/track.js';

export interface CloudInitiatorOptions {
  network: AcousticNetwork;
  cloud?: CloudOptions;
  /** The source kinds' prior learnt over the network's tracks (source-prior.ts); default the fixed one. */
  sourcePrior?: SourcePrior;
  /** Heights (m above the ellipsoid) a new track may fly at. Default 50..2,500. */
  hMin?: number;
  hMax?: number;
  /** Single-node sequence: reports, span (s), longest pause (report periods). Defaults 4, 8 s, 3. */
  minHits?: number;
  minSpan?: number;
  maxGap?: number;
  /**
   * A lone array's run must span this many seconds (default 20): one bearing says nothing of
   * the range, the sweep of its bearings at the band's speeds does; a shorter run gives a ray
   * of a cloud that duplicates tracks other sensors hold. Arrays do not pair with other nodes
   * at once (their crossings refine a track, they do not start one).
   */
  arraySpan?: number;
  /**
   * A lone array's run that spans `minSpan` and whose bearings sweep (bearing-sweep.ts: a smooth
   * turn explains them significantly better than a still bearing: the source moves) starts a
   * track without waiting for `arraySpan`. Default `{ p: 0.9973, fitP: 0.99 }`; false waits for `arraySpan` always.
   */
  sweep?: SweepTest | false;
  /** Two presence nodes heard within this many seconds start a track at once. Default 6. */
  pairWindow?: number;
  /** A noisy node is quiet this long (s) before it may start tracks again. Default 60. */
  quietToRearm?: number;
  /**
   * The tracks held (the tracker's live list), for the heading prior a new cloud draws its
   * headings from (flow-prior.ts). Without it, or with `flow: false`, headings are uniform.
   */
  tracks?: () => readonly Track[];
  /** The heading prior's options, or false for uniform headings. */
  flow?: Omit<FlowPriorOptions, 'speedBand'> | false;
  /** How the nodes' received levels weigh a new cloud (cloud-filter.ts `LevelEvidence`); false (the default): not at all. */
  levels?: LevelEvidence | false;
}

/** A report of a run: a presence report, or an array's bearing (rad, tracker frame) with its one-sigma. */
interface Heard {
  det: Detection;
  bearing?: number;
  sd?: number;
}

interface Run {
  node: AcousticNode;
  dets: Heard[];
  first: number;
  last: number;
}

export interface CloudInitiator extends Initiator {
  /** Marks a node as hearing a stationary source: it starts no track until quiet for `quietToRearm` s. */
  markNoisy(nodeId: string, t: number): void;
  /**
   * Marks the one acoustic node among `sensors` noisy, when exactly one of them is a node of the
   * network (other sensors, a radar that took a clutter plot, do not share the blame); returns
   * whether it did.
   */
  markLoneNode(sensors: Iterable<string>, t: number): boolean;
}

export function createCloudInitiator(o: CloudInitiatorOptions): CloudInitiator {
  const minHits = o.minHits ?? 4;
  const minSpan = o.minSpan ?? 8;
  const maxGap = o.maxGap ?? 3;
  const pairWindow = o.pairWindow ?? 6;
  const arraySpan = o.arraySpan ?? 20;
  const quietToRearm = o.quietToRearm ?? 60;
  const levelsOpt = o.levels ?? false;
  const sweep = o.sweep === false ? null : (o.sweep ?? {});
  const hMin = o.hMin ?? CLOUD_H_MIN;
  const hMax = o.hMax ?? CLOUD_H_MAX;
  const runs = new Map<string, Run>();
  /** Noisy nodes and the time they last reported. */
  const noisy = new Map<string, number>();
  const band: [number, number] = [o.cloud?.speedMin ?? CLOUD_SPEED_BAND[0], o.cloud?.speedMax ?? CLOUD_SPEED_BAND[1]];
  const flow = o.tracks && o.flow !== false ? createFlowPrior({ ...(o.flow || {}), speedBand: band }) : null;
  let flowT = -Infinity;
  /** The heading prior at a node at time t, the tracks' headings taken at most every 5 s. */
  function headingsAt(x: number, y: number, t: number) {
    if (!flow) return null;
    if (t - flowT >= 5 || t < flowT) {
      flow.observe(t, o.tracks!());
      flowT = t;
    }
    return flow.prior(x, y, t);
  }

  function birth(used: Run[]): TrackBirth {
    const heard = used.flatMap((r) => r.dets).sort((a, b) => a.det.t - b.det.t || (a.det.sensorId < b.det.sensorId ? -1 : 1));
    const first = heard[0];
    const firstNode = used.find((r) => r.node.id === first.det.sensorId)!.node;
    const cloud = createCloud(mulberry32(seedOfDetection(first.det)), o.cloud?.rangeScale ? { ...o.cloud, learnScale: true } : o.cloud);
    const at = { ...reportOf(firstNode, first.det.t), bearing: first.bearing, bearingSd: first.sd };
    seedFromReport(cloud, at.t, at, hMin, hMax, headingsAt(at.sx, at.sy, at.t));
    const stratum = used.length > 1 ? 1 : 0;
    const rivals = createRivals(seedOfDetection(first.det), at, o.cloud?.rangeScale, o.cloud?.kernel, o.sourcePrior?.prior(stratum));
    rivals.stratum = stratum;
    let logL = 0;
    let hits = 0;
    let levels = levelsOpt ? recordLevel(undefined, first.det, levelsOpt) : undefined;
    for (const h of heard.slice(1)) {
      const node = o.network.node(h.det.sensorId)!;
      predictCloud(cloud, h.det.t);
      // the report's fit (the track's logL) and, for the rivals' comparison, its level change (cloud-filter.ts)
      let fit = 0;
      const weigh = (c: ParticleCloud) => {
        let l: number;
        if (h.bearing === undefined) l = presenceHit(c, node.sx, node.sy, node.sz, node.model);
        else {
          bearingHitEvidence(c, node.sx, node.sy, node.sz, node.model);
          l = bearingUpdate(c, node.sx, node.sy, node.sz, h.bearing, h.sd!, node.reach);
        }
        if (c === cloud) fit = l;
        return l === -Infinity ? l : l + levelTerm(c, levels, node.sx, node.sy, node.sz, h.det, levelsOpt);
      };
      const l = weigh(cloud);
      if (l > -Infinity) {
        logL += fit;
        hits++;
        rivalsUpdate(rivals, h.det.t, l, weigh);
        if (levelsOpt) levels = recordLevel(levels, h.det, levelsOpt);
      }
      resampleCloud(cloud);
    }
    const x = new Float64Array(6);
    const p = new Float64Array(36);
    cloudMoments(cloud, x, p);
    const cs: CloudState = { cloud, missAt: new Map(), logL: hits > 0 ? logL / hits : 0, hits, shown: cloudShown(cloud, x[0], x[1], false), rivals, firstReportT: first.det.t, ...(levels ? { levels } : {}) };
    return { x, p, t: cloud.t, dets: heard.map((h) => h.det), cloud: cs };
  }

  /** The still and turning fits of the bearings of an array's run (bearing-sweep.ts). */
  function fitRun(run: Run) {
    const with_ = run.dets.filter((h) => h.bearing !== undefined);
    const t = Float64Array.from(with_, (h) => h.det.t - run.first);
    const b = Float64Array.from(with_, (h) => h.bearing!);
    const sd = Float64Array.from(with_, (h) => h.sd!);
    return fitSweep(t, b, sd);
  }

  return {
    accepts(pd) {
      return (pd.shape === SHAPE_DISC || pd.shape === SHAPE_RAY) && o.network.node(pd.det.sensorId) !== undefined;
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
      run.dets.push(pd.shape === SHAPE_RAY ? { det, bearing: Math.atan2(pd.ux, pd.uy), sd: Math.hypot(pd.angleSd, 0.02) } : { det });
      run.last = t;
      // a neighbour that heard something at about the same time, with an overlapping disc
      let partner: Run | undefined;
      const isArray = pd.shape === SHAPE_RAY;
      for (const r of runs.values()) {
        if (isArray || r === run || t - r.last > pairWindow || r.dets[0].bearing !== undefined) continue;
        const d = Math.hypot(r.node.sx - node.sx, r.node.sy - node.sy);
        if (d > r.node.reach + node.reach) continue;
        if (!partner || r.last > partner.last) partner = r;
      }
      let used: Run[] | null = null;
      if (partner) used = [run, partner];
      else if (run.dets.length >= minHits && run.last - run.first >= (isArray ? arraySpan : minSpan)) used = [run];
      else if (isArray && sweep && run.dets.length >= minHits && run.last - run.first >= minSpan && sweeps(fitRun(run), sweep)) used = [run];
      if (!used) return null;
      for (const r of used) runs.delete(r.node.id);
      return birth(used);
    },
    markNoisy(nodeId, t) {
      noisy.set(nodeId, t);
      runs.delete(nodeId);
    },
    markLoneNode(sensors, t) {
      let lone: string | undefined;
      for (const id of sensors) {
        if (!o.network.node(id)) continue;
        if (lone !== undefined) return false;
        lone = id;
      }
      if (lone === undefined) return false;
      this.markNoisy(lone, t);
      return true;
    },
  };
}
