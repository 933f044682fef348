/**
 * The acoustic sensors the tracker knows (sensors.json, or the live register): where each
 * is in the tracker frame, its presence model (range, Pd, false-alarm rate per report) and
 * how often it reports while it hears something (estimated from its own reports). The
 * particle filters of acoustic tracks use it for hits and for negative information: a
 * working node near a track that did not report is evidence too.
 *
 * Assumption (documented in docs/tracker.md): a node in the catalogue works unless told
 * otherwise (`down`); in the live service its health (silent, stuck) says so.
 */
import { geodeticToEnu, type EnuFrame } from '../geo/index.js';
import type { Detection, Sensor } from '../types.js';
import { createSpatialGrid } from '../tracker/spatial-grid.js';
import { ACOUSTIC_ROW_RANGE_MAX_M, DEFAULT_PRESENCE_RANGE_M, presenceModel, presenceReach, type PresenceModel } from './presence-model.js';

export interface AcousticNode {
  readonly id: string;
  /** Position in the tracker frame (m). */
  readonly sx: number;
  readonly sy: number;
  readonly sz: number;
  readonly model: PresenceModel;
  /** Beyond this slant range (m) the node never hears a target. */
  readonly reach: number;
  /**
   * Seconds between reports while it hears something: the median of its own last 9 gaps once it
   * has {@link PERIOD_MIN_GAPS}, else the network's (nodes of one deployment mostly share a
   * cadence), else the default (see `createAcousticNetwork`).
   */
  readonly period: number;
  /** Time of its latest report (s); -Infinity before the first. */
  lastReport: number;
  /** False while the node is known not to work (no negative information from it). */
  up: boolean;
  /** The Pd the sensor declared (its `model.pd` is this, or what its reports taught: see `learnPd`). */
  readonly pdDeclared: number;
  /** Report intervals inside its runs that had a report, and that had none (`learnPd`). */
  runHits: number;
  runMisses: number;
}

/**
 * Learning each node's Pd from its own reports. A sensors file states a Pd per node, but a
 * deployment states what the model is rated for, and units differ (a worn microphone, one
 * behind a wall, wind noise): a node that hears less than it says makes its silences count
 * against targets it simply missed. While a node hears something, its reports come about once
 * a period, and the periods inside a run of reports that had none are its misses. So each
 * report that follows the previous one by at most `maxGap` periods counts one hit and the
 * missed periods between them, and the node's Pd becomes the mean of a Beta posterior whose
 * prior is the declared Pd with the weight of `priorWeight` intervals, never more than the
 * declared Pd (a node is not trusted to hear better than it says). The first report of a run
 * is not counted (the periods before it are the target's approach, not misses), so the
 * estimate is of the Pd over the runs, lower than at close range where the model's Pd holds:
 * it errs towards weaker silences. It does not learn a shorter range.
 */
export interface LearnPd {
  /** The declared Pd's weight, in report intervals. Default 10. */
  priorWeight?: number;
  /** Longest pause, in report periods, that still continues a run. Default 6 (at Pd 0.6, five misses in a row happen 1 % of the time). */
  maxGap?: number;
}

export interface AcousticNetworkOptions {
  frame: EnuFrame;
  /** The sensors; those of kind `acoustic` with a fixed position and a range become nodes. */
  sensors: Iterable<Sensor>;
  /** Report period (s) assumed until a node's own reports tell. Default 2. */
  defaultPeriod?: number;
  /** Range (m) of a node that states none, until its presence rows give one. Default {@link DEFAULT_PRESENCE_RANGE_M}. */
  defaultRange?: number;
  /** Pd of a node that states none. Default 0.85. */
  defaultPd?: number;
  /** Learn each node's Pd from its reports (`LearnPd`); false keeps the declared Pd. Default on (the tracker's option `acousticLearnPd` is off by default). */
  learnPd?: LearnPd | false;
}

export interface AcousticNetwork {
  node(id: string): AcousticNode | undefined;
  /** Records a detection of an acoustic node (its report times give its period). */
  heard(det: Detection): void;
  /**
   * Calls `fn` with every working node that could hear something within `radius` (m,
   * horizontal) of (x, y): whose horizontal distance is at most `radius` plus its reach (its
   * range learnt from its rows included, for a node that declared none).
   */
  near(x: number, y: number, radius: number, fn: (node: AcousticNode) => void): void;
  /** Marks a node as not working (or working again). */
  setUp(id: string, up: boolean): void;
  readonly size: number;
}

/** Gaps between a node's reports longer than this (s) are silences, not its cadence. */
export const PERIOD_MAX_GAP = 60;
/** A node's own period is used once it has this many gaps; the ring keeps its last `PERIOD_NODE_GAPS`, the network's its last `PERIOD_NET_GAPS`. */
export const PERIOD_MIN_GAPS = 3;
const PERIOD_NODE_GAPS = 9;
const PERIOD_NET_GAPS = 63;

/** A ring of the latest gaps and their median (see `createAcousticNetwork`). */
class GapRing {
  private readonly buf: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  count = 0;
  median = NaN;
  constructor(size: number) {
    this.buf = new Float64Array(size);
    this.sorted = new Float64Array(size);
  }
  push(g: number): void {
    const size = this.buf.length;
    const a = this.sorted;
    let m = this.count;
    if (m === size) {
      // the oldest leaves the sorted copy
      const old = this.buf[this.next];
      let i = 0;
      while (i < m - 1 && a[i] !== old) i++;
      for (; i < m - 1; i++) a[i] = a[i + 1];
      m--;
    }
    // the new one goes in at its place (insertion: no allocation, a few moves)
    let j = m;
    while (j > 0 && a[j - 1] > g) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = g;
    m++;
    this.buf[this.next] = g;
    this.next = (this.next + 1) % size;
    this.count = m;
    this.median = m % 2 === 1 ? a[(m - 1) >> 1] : 0.5 * (a[m / 2 - 1] + a[m / 2]);
  }
}

export function createAcousticNetwork(o: AcousticNetworkOptions): AcousticNetwork {
  const defaultPeriod = o.defaultPeriod ?? 2;
  const defaultRange = o.defaultRange ?? DEFAULT_PRESENCE_RANGE_M;
  if (!(defaultRange > 0 && Number.isFinite(defaultRange))) throw new Error(`acoustic network: defaultRange must be a positive finite number (m), got ${defaultRange}`);
  const learn = o.learnPd === false ? null : { priorWeight: 10, maxGap: 6, ...(o.learnPd ?? {}) };
  if (learn && !(learn.priorWeight > 0 && Number.isFinite(learn.priorWeight) && learn.maxGap >= 1 && Number.isFinite(learn.maxGap))) {
    throw new Error(`acoustic network: learnPd needs priorWeight > 0 and maxGap >= 1 (finite), got ${learn.priorWeight}, ${learn.maxGap}`);
  }
  // The cadence: while a node hears something it reports about once a period, missing some
  // (Pd < 1), so the gaps inside its runs are the period or a few of them, and their median is
  // the period while more than half of them are single periods (a node that hears in more than
  // half of its periods), else two or three periods: then its silences count less, not more. A
  // lower percentile, closer to the period for nodes that hear less (the 20th of the last 15
  // gaps), was measured and cost 1-7 points of coverage in most cells of the acoustic matrix
  // (docs/tracker.md, "The microphones' cadence"). Sensors differ: 1, 2, 5 or 10 s (a period
  // assumed 2 s for a node that reports every 10 s counts four misses between each two of its
  // reports and pushes the cloud out of the disc of the node that hears it).
  const net = new GapRing(PERIOD_NET_GAPS);
  const netPeriod = () => (net.count >= PERIOD_MIN_GAPS ? net.median : defaultPeriod);
  class Node implements AcousticNode {
    readonly gaps = new GapRing(PERIOD_NODE_GAPS);
    lastReport = -Infinity;
    up = true;
    rangeFromRows = false;
    /** The reach it is indexed by in the network's grid (it is indexed again when its reach grows by a tenth). */
    indexedReach = 0;
    runHits = 0;
    runMisses = 0;
    readonly pdDeclared: number;
    constructor(
      /** Its place in `nodes` and its item in the grid. */
      readonly index: number,
      readonly id: string,
      readonly sx: number,
      readonly sy: number,
      readonly sz: number,
      readonly model: PresenceModel,
      public reach: number,
      /** False: the sensor declared no range; its presence rows' largest range is taken (see `heard`). */
      readonly rangeDeclared: boolean,
    ) {
      this.pdDeclared = model.pd;
    }
    get period(): number {
      return this.gaps.count >= PERIOD_MIN_GAPS ? this.gaps.median : netPeriod();
    }
  }
  const nodes: Node[] = [];
  const byId = new Map<string, Node>();
  for (const s of o.sensors) {
    if (s.kind !== 'acoustic' || !s.position) continue;
    // the range is optional in sensors.json: a node that declares none takes the default until its
    // presence rows tell (left out, its reports had no node: no cloud, no silences; 6 % covered)
    const declared = s.rangeMax !== undefined && s.rangeMax > 0 && Number.isFinite(s.rangeMax);
    const [sx, sy, sz] = geodeticToEnu(o.frame, s.position);
    const period = defaultPeriod;
    const pfa = Math.min(0.5, ((s.farPerHour ?? 0.5) * period) / 3600);
    const model = presenceModel(declared ? (s.rangeMax as number) : defaultRange, { pd: s.pd ?? o.defaultPd ?? 0.85, pfa: Math.max(pfa, 1e-4) });
    const node = new Node(nodes.length, s.id, sx, sy, sz, model, presenceReach(model), declared);
    byId.set(s.id, node);
    nodes.push(node);
  }
  // nodes are indexed as discs of their reach, so that a query finds a node whose reach is
  // large (a long-range microphone, or one whose rows claim a large range) from far away, and
  // a query's cost stays with its own radius (the hierarchical grid keeps large discs in a
  // few coarse cells). Until 2026-12-06 nodes were points and the silence pass looked 4 km
  // beyond a cloud's spread: the silences of nodes of a reach beyond that were not counted.
  const grid = createSpatialGrid(2000);
  const index = (n: Node) => {
    grid.insert(n.index, n.sx, n.sy, n.reach);
    n.indexedReach = n.reach;
  };
  nodes.forEach(index);
  return {
    node: (id) => byId.get(id),
    heard(det) {
      const n = byId.get(det.sensorId);
      if (!n) return;
      if (!n.rangeDeclared && det.type === 'presence' && det.range > 0 && Number.isFinite(det.range) && (!n.rangeFromRows || det.range > n.model.range)) {
        // a sensor without a declared range: its rows' largest disc, at most ACOUSTIC_ROW_RANGE_MAX_M
        n.model.range = Math.min(det.range, ACOUSTIC_ROW_RANGE_MAX_M);
        n.reach = presenceReach(n.model);
        n.rangeFromRows = true;
        // indexed again (the old entry stays: a query dedupes; growth by a tenth or more, so a
        // stream of ever larger ranges adds at most a few hundred entries per node)
        if (n.reach > 1.1 * n.indexedReach) index(n);
      }
      const gap = det.t - n.lastReport;
      if (learn && gap > 0.2 && gap <= learn.maxGap * n.period) {
        // one hit, and the periods between the two reports that had none
        n.runHits += 1;
        n.runMisses += Math.max(1, Math.round(gap / n.period)) - 1;
        const w = learn.priorWeight;
        n.model.pd = Math.min(n.pdDeclared, (n.pdDeclared * w + n.runHits) / (w + n.runHits + n.runMisses));
      }
      // the node's cadence (see above); two rows of one report time (two sources) are one report
      if (gap > 0.2 && gap <= PERIOD_MAX_GAP) {
        n.gaps.push(gap);
        net.push(gap);
      }
      if (det.t > n.lastReport) n.lastReport = det.t;
    },
    near(x, y, radius, fn) {
      grid.query(x, y, radius, (i) => {
        const n = nodes[i];
        const dx = n.sx - x;
        const dy = n.sy - y;
        const r = radius + n.reach;
        if (n.up && dx * dx + dy * dy <= r * r) fn(n);
      });
    },
    setUp(id, up) {
      const n = byId.get(id);
      if (n) n.up = up;
    },
    size: nodes.length,
  };
}
