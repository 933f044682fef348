/**
 * Seeded scenes: targets, sensors and the interchange rows they produce (sensors.json rows,
 * detections, truth), for tests and benchmarks of the tracker. Deterministic for a seed.
 *
 * `simulateScene` takes fully specified targets (and recorded trajectories, trajectory-sampled.ts)
 * and sensors; `simulateSceneChunks` (scene-chunks.ts) streams the same scene in time chunks.
 * Presets: `makeRadarScene` builds a ready-made raid of piston one-way-attack drones under 1-4
 * radars, `makeSmallScene` (scene-small.ts) a handful of drones, a radar and an airliner,
 * `makeMixedScene` (scene-mixed.ts) a raid over a microphone network with phone observers, a
 * radar and cooperative air traffic, and `makeNationalScene` (scene-national.ts) a night of
 * waves over a country. A fuller scenario simulator (YAML scenarios) can build on the same
 * pieces: trajectories (trajectory.ts, trajectory-sampled.ts, routes.ts, raid.ts, traffic.ts),
 * sensor models (sensors.ts, sensors-acoustic.ts, sensors-observer.ts), zones (zones.ts) and
 * derived random streams (rng.ts).
 */
import { createEnuFrame, enuToGeodetic, geodeticToEnu, type GeoPoint } from '@skywarden/core';
import type { DetectionRow, SensorRow, TruthRow } from '@skywarden/formats';
import { createRng, deriveSeed, type Rng } from './rng.js';
import { prepareScene, pushTruthRows, sceneSensorRows } from './scene-common.js';
import { compileTrajectory, type Leg, type SimTarget, type Trajectory } from './trajectory.js';
import {
  simulatePositionReporter,
  simulateRadar,
  type PositionReporterModel,
  type RadarModel,
  type SimDetection,
} from './sensors.js';
import { simulateAcoustic, type AcousticModel } from './sensors-acoustic.js';
import { simulateObserver, type ObserverModel } from './sensors-observer.js';

export { sceneSensorRows };

/** Inputs of `simulateScene`. */
export interface SceneOptions {
  /** Seed of every random draw in the scene (any safe integer). */
  seed: number;
  /** Start of the simulated period (s since the Unix epoch). */
  t0: number;
  /** Length of the simulated period (s); rows cover [t0, t0 + duration]. */
  duration: number;
  /** Reference point of the scene (the centre of a generated raid); recorded, not used in the maths. */
  origin: GeoPoint;
  /** Simulated targets (flown by trajectory.ts); default none. */
  targets?: SimTarget[];
  /**
   * Further trajectories, for example real motion from recorded fixes (trajectory-sampled.ts,
   * opensky.ts): sensed, and written to truth (class from `target.cls`), exactly like the
   * targets, and listed after them. Ids must be unique across both lists.
   */
  trajectories?: Trajectory[];
  radars?: RadarModel[];
  reporters?: PositionReporterModel[];
  /** Microphone nodes (presence or bearing), see sensors-acoustic.ts. */
  acoustics?: AcousticModel[];
  /** People with phones (mobile sensors), see sensors-observer.ts. */
  observers?: ObserverModel[];
  /** Truth rows at every multiple of this period (s) while a target flies; default 1. */
  truthPeriod?: number;
  /**
   * Order of `detections`: by measurement time `t` (default), or by arrival time (`t` plus the
   * sensor's delay), as a live feed would deliver them.
   */
  order?: 'measurement' | 'arrival';
  /** Add `sim_target` (truth id, or null for clutter) to each detection row; default false. */
  annotate?: boolean;
}

/** The rows of a scene, as the interchange files hold them. */
export interface SceneOutput {
  sensors: SensorRow[];
  /** Sorted by `t` (or by arrival, see `SceneOptions.order`); each has a unique `id`. */
  detections: DetectionRow[];
  /**
   * Sorted by `t`, then by target order: one row per target per truth time while it flies, with
   * its velocity (`ve_mps`, `vn_mps`, `vu_mps`) and, for a decoy, `decoy: true`.
   */
  truth: TruthRow[];
}

/** Simulates the scene described by `opts`. Throws a RangeError on invalid options, naming the value. */
export function simulateScene(opts: SceneOptions): SceneOutput {
  const { seed, t0, duration, trajectories, truthPeriod } = prepareScene(opts, 'simulateScene');
  const t1 = t0 + duration;
  const radars = opts.radars ?? [];
  const reporters = opts.reporters ?? [];
  const acoustics = opts.acoustics ?? [];
  const observers = opts.observers ?? [];
  const simOpts = { seed, t0, t1, annotate: opts.annotate ?? false };

  const sensors = sceneSensorRows(opts);
  const all: SimDetection[] = [];
  for (const r of radars) for (const d of simulateRadar(r, trajectories, simOpts)) all.push(d);
  for (const r of reporters) for (const d of simulatePositionReporter(r, trajectories, simOpts)) all.push(d);
  for (const a of acoustics) for (const d of simulateAcoustic(a, trajectories, simOpts)) all.push(d);
  for (const o of observers) for (const d of simulateObserver(o, trajectories, simOpts)) all.push(d);
  // Stable sort: equal times keep sensor order, then each sensor's own order.
  if (opts.order === 'arrival') all.sort((a, b) => a.arrival - b.arrival);
  else all.sort((a, b) => a.row.t - b.row.t);
  const detections = all.map((d) => d.row);

  const truth: TruthRow[] = [];
  const kFirst = Math.ceil(t0 / truthPeriod);
  const kLast = Math.floor(t1 / truthPeriod);
  for (let k = kFirst; k <= kLast; k++) pushTruthRows(truth, trajectories, k * truthPeriod);
  return { sensors, detections, truth };
}

/** Inputs of `makeRadarScene`; everything but the first three has a seeded default. */
export interface RadarSceneOptions {
  seed: number;
  /** Number of targets, all flying for the whole period. */
  nTargets: number;
  /** Length of the period (s). */
  durationS: number;
  /** Mean clutter plots per radar scan; default 0. */
  clutterPerScan?: number;
  /** Number of radars, 1-4; default drawn from the seed. */
  nRadars?: number;
  /** Centre of the raid region; default Seoul (37.55° N, 127.0° E, 0 m). */
  origin?: GeoPoint;
  /** Start time (s since the Unix epoch); default 1764000000 (2025-11-24T16:00:00Z). */
  t0?: number;
  /** Side of the square region in which the targets' mid-flight points lie (m); default U(30, 60) km. */
  regionM?: number;
  /** Probability of detection of every radar; default 0.9. */
  pd?: number;
  /** Give the radars Doppler: range rate with this one-sigma error (m/s); default none. */
  rangeRateSd?: number;
  /** Position reporters to add (ADS-B, observers); default none. */
  reporters?: PositionReporterModel[];
  /** See `SceneOptions.annotate`. */
  annotate?: boolean;
}

/** A generated scene: its rows plus the inputs that produced them. */
export interface RadarScene extends SceneOutput {
  t0: number;
  duration: number;
  origin: GeoPoint;
  /** Side of the square region of mid-flight points (m). */
  regionM: number;
  targets: SimTarget[];
  radars: RadarModel[];
}

const DEG = Math.PI / 180;

/** Legs alternating straight cruise (30-120 s) and gentle turns (1-5 °/s for 10-40 s), summing to `duration`. */
function randomLegs(rng: Rng, duration: number, alt0: number): Leg[] {
  const legs: Leg[] = [];
  let total = 0;
  let alt = alt0;
  let turn = rng.next() < 0.5;
  while (duration - total > 1e-6) {
    let d = turn ? rng.uniform(10, 40) : rng.uniform(30, 120);
    if (duration - total - d < 1) d = duration - total; // no sliver legs at the end
    const turnRate = turn ? (rng.next() < 0.5 ? -1 : 1) * rng.uniform(1, 5) * DEG : 0;
    // Occasionally climb or descend, staying within 100-2000 m.
    let climbRate = 0;
    if (rng.next() < 0.25) {
      const lo = Math.max(-3, (100 - alt) / d);
      const hi = Math.min(3, (2000 - alt) / d);
      if (hi > lo) climbRate = rng.uniform(lo, hi);
    }
    alt += climbRate * d;
    legs.push({ duration: d, turnRate, climbRate });
    total += d;
    turn = !turn;
  }
  return legs;
}

/**
 * A raid of `nTargets` piston one-way-attack drones (45-55 m/s, 100-2000 m, a few gentle
 * turns, headings within ±30° of a common raid heading) whose positions at mid-flight are
 * spread over a square region of 30-60 km by best-candidate sampling, so that most are well
 * apart then (relative motion mixes them somewhat towards the start and the end),
 * watched by 1-4 rotating radars (scan 2-4 s, range error 20-30 m, bearing error 0.5-1°,
 * pd 0.9) placed around the region's centre with range enough to cover it. Deterministic
 * for a seed.
 */
export function makeRadarScene(opts: RadarSceneOptions): RadarScene {
  const { seed, nTargets, durationS } = opts;
  if (!Number.isSafeInteger(nTargets) || nTargets < 0) throw new RangeError(`makeRadarScene: nTargets must be an integer >= 0, got ${nTargets}`);
  if (!(durationS > 0)) throw new RangeError(`makeRadarScene: durationS must be > 0, got ${durationS}`);
  const rng = createRng(deriveSeed(seed, 'make-radar-scene'));
  const origin = opts.origin ?? { latDeg: 37.55, lonDeg: 127.0, altM: 0 };
  const t0 = opts.t0 ?? 1764000000;
  const nRadars = opts.nRadars ?? rng.int(1, 4);
  if (!Number.isSafeInteger(nRadars) || nRadars < 1) throw new RangeError(`makeRadarScene: nRadars must be an integer >= 1, got ${nRadars}`);
  const side = opts.regionM ?? rng.uniform(30e3, 60e3);
  const pd = opts.pd ?? 0.9;
  const frame = createEnuFrame(origin);

  // Radars: one at the centre, or evenly around a circle of radius side/4.
  const rangeMax = Math.min(150e3, Math.max(30e3, 0.75 * side + 27.5 * durationS));
  const radars: RadarModel[] = [];
  const rot = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < nRadars; i++) {
    const a = rot + (2 * Math.PI * i) / nRadars;
    const r = nRadars === 1 ? 0 : side / 4;
    const p = enuToGeodetic(frame, r * Math.sin(a), r * Math.cos(a), 0);
    const scanPeriod = rng.uniform(2, 4);
    radars.push({
      id: `radar-${i + 1}`,
      position: { latDeg: p.latDeg, lonDeg: p.lonDeg, altM: rng.uniform(20, 80) },
      scanPeriod,
      scanOffset: rng.uniform(0, scanPeriod),
      rangeMax,
      rangeSd: rng.uniform(20, 30),
      bearingSdDeg: rng.uniform(0.5, 1),
      elevationSdDeg: rng.uniform(1, 2),
      pd,
      clutterPerScan: opts.clutterPerScan ?? 0,
      rangeRateSd: opts.rangeRateSd,
    });
  }

  // Mid-flight points by Mitchell's best-candidate sampling: of a few uniform candidates keep
  // the one farthest from the points placed so far. O(n²) but fine for thousands.
  const candidates = 10;
  const midE = new Float64Array(nTargets);
  const midN = new Float64Array(nTargets);
  for (let i = 0; i < nTargets; i++) {
    let bestE = 0;
    let bestN = 0;
    let bestD = -1;
    for (let c = 0; c < candidates; c++) {
      const e = rng.uniform(-side / 2, side / 2);
      const n = rng.uniform(-side / 2, side / 2);
      let dMin = Infinity;
      for (let j = 0; j < i; j++) {
        const d = (midE[j] - e) ** 2 + (midN[j] - n) ** 2;
        if (d < dMin) dMin = d;
      }
      if (dMin > bestD) {
        bestD = dMin;
        bestE = e;
        bestN = n;
      }
    }
    midE[i] = bestE;
    midN[i] = bestN;
  }

  const raidHeading = rng.uniform(0, 2 * Math.PI);
  const width = String(Math.max(1, nTargets)).length;
  const targets: SimTarget[] = [];
  for (let i = 0; i < nTargets; i++) {
    const speed = rng.uniform(45, 55);
    const heading = raidHeading + rng.uniform(-30, 30) * DEG;
    const alt = rng.uniform(100, 2000);
    const legs = randomLegs(rng, durationS, alt);
    const normHeading = ((heading % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
    // Fly the legs from the origin to find where the target is at mid-flight, then shift the
    // start so that it is at its sampled mid point then.
    const probe: SimTarget = { id: 'probe', cls: 'piston_owa', start: { ...origin, altM: alt }, startTime: t0, speed, heading: normHeading, legs };
    const midSample = compileTrajectory(probe).sample(t0 + durationS / 2);
    const off = midSample ? geodeticToEnu(frame, midSample.position) : new Float64Array(3);
    const s = enuToGeodetic(frame, midE[i] - off[0], midN[i] - off[1], 0);
    targets.push({
      id: `T${String(i + 1).padStart(width, '0')}`,
      cls: 'piston_owa',
      start: { latDeg: s.latDeg, lonDeg: s.lonDeg, altM: alt },
      startTime: t0,
      speed,
      heading: normHeading,
      legs,
    });
  }

  const out = simulateScene({
    seed,
    t0,
    duration: durationS,
    origin,
    targets,
    radars,
    reporters: opts.reporters,
    annotate: opts.annotate,
  });
  return { ...out, t0, duration: durationS, origin, regionM: side, targets, radars };
}
