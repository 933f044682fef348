/**
 * Chunked scene simulation: the rows of a scene produced one time chunk after the other, so that
 * a scene of hours over thousands of sensors (makeNationalScene) can be streamed to files in
 * bounded memory. The sensor models are the same as in `simulateScene`; this module only cuts
 * time and culls (sensor, target) pairs.
 *
 * Chunks. Chunk c covers [t0 + c·chunkS, t0 + (c+1)·chunkS), the last one up to and including
 * t0 + duration. Each chunk's detections are those whose time (`t`, or the arrival time with
 * `order: 'arrival'`) falls in it, sorted, and its truth rows those at its truth times. Every row
 * appears in exactly one chunk; detection ids are numbered `<sensor>-<n>` over the whole period
 * in measurement order, as `simulateScene` numbers them.
 *
 * Cuts. Each sensor is simulated over windows that follow its own schedule, so that no scan or
 * report is split or doubled: a radar's windows start at scan starts of its global scan grid
 * (a scan belongs to the window it starts in, and its plots may fall after the chunk's end: they
 * are carried to the next chunk); a microphone's start at its report slots; a position
 * reporter's schedule is anchored at the scene's start (`schedule` in sensors.ts); observers and
 * clutter, being Poisson processes, are simply drawn per chunk. A radar plot within 0.1 ms before
 * the next window's first scan is lost (a probability of about 3e-5 per target and boundary).
 *
 * Randomness. Chunk 0 uses the scene seed and each later chunk c a seed derived from it
 * (`chunk/<c>`), so the rows are deterministic for (options, chunkS). With a single chunk
 * (chunkS ≥ duration) the output equals `simulateScene`'s exactly; with several it is another
 * draw of the same model: same targets and truth, same sensor schedules, other noise. A false-
 * alarm burst of a microphone that runs over a window's end is cut there (the next window draws
 * its own bursts already under way), which keeps the rate of false rows but not their runs.
 *
 * Culling. Per chunk, the trajectories alive in it are indexed by their coarse samples
 * (coarse-track.ts): a microphone or observer (range up to 10 km) is given only the trajectories
 * with a sample in the 27 ECEF cubes around it, any other sensor those whose samples' bounding
 * box comes within its range (plus the distance flown between samples). Both are conservative
 * supersets of what the sensors' own exact culling keeps, so the rows do not change.
 */
import { geodeticToEcef } from '@skywarden/core';
import type { DetectionRow, TruthRow } from '@skywarden/formats';
import { COARSE_STEP, coarseTrackOf } from './coarse-track.js';
import { createRng, deriveSeed } from './rng.js';
import { prepareScene, pushTruthRows } from './scene-common.js';
import type { SceneOptions } from './scene.js';
import { simulatePositionReporter, simulateRadar, type SensorSimOptions, type SimDetection } from './sensors.js';
import { simulateAcoustic, SPEED_OF_SOUND } from './sensors-acoustic.js';
import { simulateObserver } from './sensors-observer.js';
import type { Trajectory } from './trajectory.js';

/** Options of {@link simulateSceneChunks}. */
export interface SceneChunkOptions {
  /** Length of a chunk (s); default 600. */
  chunkS?: number;
}

/** The rows of one time chunk of a scene. */
export interface SceneChunk {
  /** Chunk number, from 0. */
  index: number;
  /** The chunk covers [t0, t1) (s since the Unix epoch), the last one [t0, t1]. */
  t0: number;
  t1: number;
  /** Whether this is the last chunk. */
  last: boolean;
  /** Detections whose time (or arrival) is in the chunk, sorted by it. */
  detections: DetectionRow[];
  /** Truth rows at the truth times in the chunk, sorted by `t`, then by target order. */
  truth: TruthRow[];
}

/** Sensors of at most this range (m) are culled through the grid. */
const SHORT_RANGE = 10e3;
/** Radar and microphone windows end this long (s) before the next window's first scan or slot. */
const EPS = 1e-4;

/** First index k with `at(k) ≥ x` for an increasing arithmetic sequence with step `step`. */
function firstAtOrAfter(at: (k: number) => number, base: number, step: number, x: number): number {
  let k = Math.ceil((x - base) / step);
  while (at(k) < x) k++;
  while (at(k - 1) >= x) k--;
  return k;
}

/**
 * Conservative (sensor, trajectory) culling for one chunk, from the coarse samples of the alive
 * trajectories over the chunk (and the samples just outside it): their bounding boxes in ECEF,
 * and a grid of ECEF cubes holding them.
 */
class ChunkIndex {
  private readonly cells = new Map<number, number[]>();
  private readonly stamp: Int32Array;
  private mark = 0;
  /** Per trajectory: min x, y, z, max x, y, z of its samples (m). */
  private readonly box: Float64Array;
  /** Per trajectory: half the distance it can fly between two coarse samples (m). */
  private readonly margin: Float64Array;
  /** Side of the cubes (m). */
  readonly size: number;

  constructor(
    private readonly alive: readonly Trajectory[],
    lo: number,
    hi: number,
    maxShortRange: number,
  ) {
    const n = alive.length;
    this.box = new Float64Array(6 * n);
    this.margin = new Float64Array(n);
    let maxMargin = 0;
    for (let j = 0; j < n; j++) {
      this.margin[j] = (coarseTrackOf(alive[j]).speedBound * COARSE_STEP) / 2 + 1;
      maxMargin = Math.max(maxMargin, this.margin[j]);
    }
    // At least 2 km, so that the cube indices of any point near the Earth fit the key.
    this.size = Math.max(2000, maxShortRange + maxMargin);
    this.stamp = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const tr = alive[j];
      const { times, ecef } = coarseTrackOf(tr);
      const kLo = Math.max(0, Math.floor((lo - tr.startTime) / COARSE_STEP) - 1);
      const kHi = Math.min(times.length - 1, Math.ceil((hi - tr.startTime) / COARSE_STEP) + 1);
      const b = 6 * j;
      this.box.fill(Infinity, b, b + 3);
      this.box.fill(-Infinity, b + 3, b + 6);
      let lastKey = -1;
      for (let k = kLo; k <= kHi; k++) {
        const x = ecef[3 * k];
        const y = ecef[3 * k + 1];
        const z = ecef[3 * k + 2];
        if (x < this.box[b]) this.box[b] = x;
        if (y < this.box[b + 1]) this.box[b + 1] = y;
        if (z < this.box[b + 2]) this.box[b + 2] = z;
        if (x > this.box[b + 3]) this.box[b + 3] = x;
        if (y > this.box[b + 4]) this.box[b + 4] = y;
        if (z > this.box[b + 5]) this.box[b + 5] = z;
        if (maxShortRange <= 0) continue;
        const key = this.key(x, y, z, 0, 0, 0);
        if (key === lastKey) continue;
        lastKey = key;
        let list = this.cells.get(key);
        if (list === undefined) this.cells.set(key, (list = []));
        if (list[list.length - 1] !== j) list.push(j);
      }
    }
  }

  private key(x: number, y: number, z: number, dx: number, dy: number, dz: number): number {
    const s = this.size;
    const ix = Math.floor(x / s) + dx + 4096;
    const iy = Math.floor(y / s) + dy + 4096;
    const iz = Math.floor(z / s) + dz + 4096;
    return (ix * 8192 + iy) * 8192 + iz;
  }

  /**
   * The alive trajectories, in list order, with a coarse sample in the 27 cubes around `site`
   * (ECEF): all those with a sample within `size` of it. Only for a grid built with a short range.
   */
  near(site: ArrayLike<number>): Trajectory[] {
    const m = ++this.mark;
    const idx: number[] = [];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dz = -1; dz <= 1; dz++) {
          const list = this.cells.get(this.key(site[0], site[1], site[2], dx, dy, dz));
          if (list === undefined) continue;
          for (const j of list) {
            if (this.stamp[j] === m) continue;
            this.stamp[j] = m;
            idx.push(j);
          }
        }
      }
    }
    idx.sort((a, b) => a - b);
    return idx.map((j) => this.alive[j]);
  }

  /**
   * The alive trajectories, in list order, whose bounding box comes within `radius` plus their
   * margin of `site` (ECEF): a superset of those nearWindows finds within `radius`.
   */
  within(site: ArrayLike<number>, radius: number): Trajectory[] {
    const out: Trajectory[] = [];
    const box = this.box;
    for (let j = 0; j < this.alive.length; j++) {
      const b = 6 * j;
      const dx = Math.max(box[b] - site[0], 0, site[0] - box[b + 3]);
      const dy = Math.max(box[b + 1] - site[1], 0, site[1] - box[b + 4]);
      const dz = Math.max(box[b + 2] - site[2], 0, site[2] - box[b + 5]);
      const r = radius + this.margin[j];
      if (dx * dx + dy * dy + dz * dz <= r * r) out.push(this.alive[j]);
    }
    return out;
  }
}

/**
 * Stable sort of `list` by arrival (`arrival`) or measurement time: a bucket sort on the key
 * (about four rows a bucket), then insertion sort within buckets. Same order as a stable
 * comparison sort, in about linear time for the chunk's hundreds of thousands of rows.
 */
function sortRows(list: SimDetection[], arrival: boolean): SimDetection[] {
  const n = list.length;
  if (n < 2) return list;
  const keys = new Float64Array(n);
  let kMin = Infinity;
  let kMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = arrival ? list[i].arrival : list[i].row.t;
    keys[i] = k;
    if (k < kMin) kMin = k;
    if (k > kMax) kMax = k;
  }
  if (!(kMax > kMin)) return list;
  const nb = Math.max(1, Math.ceil(n / 4));
  const scale = nb / (kMax - kMin);
  const bucket = new Int32Array(n);
  const start = new Int32Array(nb + 1);
  for (let i = 0; i < n; i++) {
    const b = Math.min(nb - 1, Math.floor((keys[i] - kMin) * scale));
    bucket[i] = b;
    start[b + 1]++;
  }
  for (let b = 0; b < nb; b++) start[b + 1] += start[b];
  const fill = start.slice(0, nb);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[bucket[i]]++] = i;
  for (let b = 0; b < nb; b++) {
    const s = start[b];
    const e = start[b + 1];
    if (e - s > 64) {
      const part = Array.from(order.subarray(s, e)).sort((x, y) => keys[x] - keys[y]);
      order.set(part, s);
      continue;
    }
    for (let i = s + 1; i < e; i++) {
      const v = order[i];
      const kv = keys[v];
      let j = i - 1;
      while (j >= s && keys[order[j]] > kv) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = v;
    }
  }
  const out = new Array<SimDetection>(n);
  for (let i = 0; i < n; i++) out[i] = list[order[i]];
  return out;
}

/**
 * Simulates the scene of `opts` chunk by chunk (see the module comment), yielding each chunk's
 * rows in time order. Throws a RangeError for bad options, naming the value (sensor models are
 * checked when first simulated, in chunk 0).
 */
export function* simulateSceneChunks(opts: SceneOptions, chunking: SceneChunkOptions = {}): Generator<SceneChunk, void, undefined> {
  const { seed, t0, duration, trajectories, truthPeriod } = prepareScene(opts, 'simulateSceneChunks');
  const chunkS = chunking.chunkS ?? 600;
  if (!(chunkS > 0) || !Number.isFinite(chunkS)) throw new RangeError(`simulateSceneChunks: chunkS must be > 0, got ${chunkS}`);
  const t1 = t0 + duration;
  const nChunks = Math.max(1, Math.ceil(duration / chunkS - 1e-9));
  const multi = nChunks > 1;
  const bound = (c: number): number => (c >= nChunks ? t1 : t0 + c * chunkS);
  const annotate = opts.annotate ?? false;
  const arrival = opts.order === 'arrival';
  const key = arrival ? (d: SimDetection) => d.arrival : (d: SimDetection) => d.row.t;
  const radars = opts.radars ?? [];
  const reporters = (opts.reporters ?? []).map((r) => (multi && r.schedule === undefined ? { ...r, schedule: { seed, epoch: t0 } } : r));
  const acoustics = opts.acoustics ?? [];
  const observers = opts.observers ?? [];

  // Global schedules: radar scan grids and microphone report slots.
  const radarGrid = radars.map((r) => {
    const T = r.scanPeriod;
    const off = (((r.scanOffset ?? 0) % T) + T) % T;
    const at = (k: number): number => t0 + off + k * T;
    return { T, off, at, first: (x: number): number => firstAtOrAfter(at, t0 + off, T, x) };
  });
  const micGrid = acoustics.map((m) => {
    const P = m.period;
    const ph = m.phase ?? createRng(deriveSeed(seed, `acoustic/${m.id}/phase`)).uniform(0, P);
    const at = (k: number): number => t0 + ph + k * P;
    return { P, ph, at, first: (x: number): number => firstAtOrAfter(at, t0 + ph, P, x) };
  });
  const radarSites = radars.map((r) => geodeticToEcef(r.position));
  const shortSites = new Map<string, Float64Array>();
  for (const m of acoustics) if (m.rangeMax <= SHORT_RANGE) shortSites.set(m.id, geodeticToEcef(m.position));
  for (const o of observers) if (o.rangeMax <= SHORT_RANGE) shortSites.set(o.id, geodeticToEcef(o.position));
  let maxShort = 0;
  let minSound = SPEED_OF_SOUND;
  for (const m of acoustics) {
    if (m.rangeMax <= SHORT_RANGE) maxShort = Math.max(maxShort, m.rangeMax);
    minSound = Math.min(minSound, m.soundSpeed ?? SPEED_OF_SOUND);
  }
  for (const o of observers) if (o.rangeMax <= SHORT_RANGE) maxShort = Math.max(maxShort, o.rangeMax);
  let maxPeriod = 0;
  for (const g of radarGrid) maxPeriod = Math.max(maxPeriod, g.T);
  for (const g of micGrid) maxPeriod = Math.max(maxPeriod, g.P);
  let maxAcousticRange = 0;
  for (const m of acoustics) maxAcousticRange = Math.max(maxAcousticRange, m.rangeMax);
  const pad = 2 * maxPeriod + maxAcousticRange / minSound + 2 * COARSE_STEP;

  const counts = new Map<string, number>();
  let carry: SimDetection[] = [];

  for (let c = 0; c < nChunks; c++) {
    const a = bound(c);
    const b = bound(c + 1);
    const last = c === nChunks - 1;
    const chunkSeed = c === 0 ? seed : deriveSeed(seed, `chunk/${c}`);
    const lo = a - pad;
    const hi = b + pad;
    const alive = trajectories.filter((tr) => tr.endTime >= lo && tr.startTime <= hi);
    const index = new ChunkIndex(alive, lo, hi, maxShort);
    const simOpts = (w0: number, w1: number): SensorSimOptions => ({ seed: chunkSeed, t0: w0, t1: w1, annotate });
    const fresh: SimDetection[] = [];
    const take = (sensorId: string, list: SimDetection[], limit: number): void => {
      let n = counts.get(sensorId) ?? 0;
      for (const d of list) {
        if (!(d.row.t < limit)) continue;
        d.row.id = `${sensorId}-${++n}`;
        fresh.push(d);
      }
      counts.set(sensorId, n);
    };
    const limit = last ? Infinity : b;

    radars.forEach((r, i) => {
      const g = radarGrid[i];
      const w0 = c === 0 ? t0 : g.at(g.first(a));
      const w1 = last ? t1 : g.at(g.first(b)) - EPS;
      const model = c === 0 ? r : { ...r, scanOffset: 0 };
      take(r.id, simulateRadar(model, index.within(radarSites[i], r.rangeMax), simOpts(w0, w1)), Infinity);
    });
    for (const r of reporters) take(r.id, simulatePositionReporter(r, trajectories, simOpts(a, b)), limit);
    acoustics.forEach((m, i) => {
      const g = micGrid[i];
      const w0 = c === 0 ? t0 : g.at(g.first(a));
      const w1 = last ? t1 : g.at(g.first(b)) - EPS;
      const model = { ...m, phase: c === 0 ? g.ph : 0 };
      const site = shortSites.get(m.id);
      const cands = site !== undefined ? index.near(site) : index.within(geodeticToEcef(m.position), m.rangeMax);
      take(m.id, simulateAcoustic(model, cands, simOpts(w0, w1)), Infinity);
    });
    for (const o of observers) {
      const site = shortSites.get(o.id);
      const cands = site !== undefined ? index.near(site) : index.within(geodeticToEcef(o.position), o.rangeMax);
      take(o.id, simulateObserver(o, cands, simOpts(a, b)), limit);
    }

    // Stable: carried rows first, then sensor order, then each sensor's own order.
    const all = sortRows(carry.length === 0 ? fresh : carry.concat(fresh), arrival);
    let split = all.length;
    if (!last) while (split > 0 && !(key(all[split - 1]) < b)) split--;
    carry = all.slice(split);
    const detections = new Array<DetectionRow>(split);
    for (let i = 0; i < split; i++) detections[i] = all[i].row;

    const truth: TruthRow[] = [];
    for (let k = Math.ceil(a / truthPeriod); ; k++) {
      const t = k * truthPeriod;
      if (last ? t > t1 : t >= b) break;
      pushTruthRows(truth, alive, t);
    }
    yield { index: c, t0: a, t1: b, last, detections, truth };
  }
}

/** All rows of a chunked simulation, concatenated (for small scenes and tests). */
export function collectSceneChunks(chunks: Iterable<SceneChunk>): { detections: DetectionRow[]; truth: TruthRow[] } {
  const detections: DetectionRow[] = [];
  const truth: TruthRow[] = [];
  for (const ch of chunks) {
    for (const d of ch.detections) detections.push(d);
    for (const r of ch.truth) truth.push(r);
  }
  return { detections, truth };
}
