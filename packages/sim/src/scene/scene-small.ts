/**
 * The small preset: a handful of drones, one radar and one airliner on ADS-B, for quick demos and
 * tests (a few thousand rows, generated in well under a second). Deterministic for a seed.
 *
 * Random streams: `small/raid` (drones), `small/raid-fate` (decoys, losses), `small/traffic`
 * (the airliner), `small/radar` (the radar's parameters), and each sensor its own for its rows.
 */
import { createEnuFrame, enuToGeodetic, type GeoPoint } from '@skywarden/core';
import { makeRaid } from './raid.js';
import { createRng, deriveSeed } from './rng.js';
import { simulateScene, type SceneOutput } from './scene.js';
import type { PositionReporterModel, RadarModel } from './sensors.js';
import { createIcaoAllocator, makeAirliner } from './traffic.js';
import type { SimTarget } from './trajectory.js';

/** Inputs of {@link makeSmallScene}; everything but `seed` has a default. */
export interface SmallSceneOptions {
  seed: number;
  /** Length of the period (s); default 600. */
  durationS?: number;
  /** Number of drones; default 4-6 from the seed. */
  nDrones?: number;
  /** Side of the square region (m); default 20 km. */
  regionM?: number;
  /** Shares of the raid (see raid.ts); defaults: jets 0, strikes 0.5, decoys 0.2, downed 0.1. */
  jetShare?: number;
  strikeShare?: number;
  decoyShare?: number;
  downedShare?: number;
  /** Mean clutter plots per radar scan; default 1. */
  clutterPerScan?: number;
  /** Centre of the region; default Seoul (37.55° N, 127.0° E, 0 m). */
  origin?: GeoPoint;
  /** Start time (s since the Unix epoch); default 1764000000. */
  t0?: number;
  /** See `SceneOptions.order`. */
  order?: 'measurement' | 'arrival';
  /** See `SceneOptions.annotate`. */
  annotate?: boolean;
}

/** A generated small scene: its rows plus the models that produced them. */
export interface SmallScene extends SceneOutput {
  t0: number;
  duration: number;
  origin: GeoPoint;
  regionM: number;
  /** The drones first, then the airliner `A1`. */
  targets: SimTarget[];
  radars: RadarModel[];
  reporters: PositionReporterModel[];
  /** ICAO addresses of the cooperative targets (the airliner), by truth id. */
  icao: Record<string, string>;
  /** Downed drones: truth id to the time (s) their trajectory ends. */
  downed: Record<string, number>;
}

/**
 * Builds the small scene (defaults in brackets):
 * - Drones [4-6] crossing or striking a square region [20 km] from one direction, as in
 *   {@link makeRaid}, launched so that all fly during the period: start uniform in
 *   [t0 − 0.3·flight time, t0 + 0.3·durationS].
 * - One airliner (`A1`, `aircraft`, 8-11 km, 220-240 m/s) crossing during the period.
 * - One rotating radar `radar-1` near the centre (within 2 km), 20-30 m up: scan 3 s, range
 *   40 km, errors 25 m / 0.8° / 1.5°, pd 0.9, clutter [1] per scan, radio horizon, no masking.
 * - An ADS-B receiver `adsb-1` at the centre: the airliner every 1 s, 15 m / 10 m, 0.3-1 s delay.
 */
export function makeSmallScene(opts: SmallSceneOptions): SmallScene {
  const { seed } = opts;
  const durationS = opts.durationS ?? 600;
  if (!(durationS > 0) || !Number.isFinite(durationS)) throw new RangeError(`makeSmallScene: durationS must be > 0, got ${durationS}`);
  const side = opts.regionM ?? 20e3;
  if (!(side > 0) || !Number.isFinite(side)) throw new RangeError(`makeSmallScene: regionM must be > 0, got ${side}`);
  const origin = opts.origin ?? { latDeg: 37.55, lonDeg: 127.0, altM: 0 };
  const t0 = opts.t0 ?? 1764000000;
  const frame = createEnuFrame(origin);
  const half = side / 2;

  const raid = createRng(deriveSeed(seed, 'small/raid'));
  const nDrones = opts.nDrones ?? raid.int(4, 6);
  if (!Number.isSafeInteger(nDrones) || nDrones < 0) throw new RangeError(`makeSmallScene: nDrones must be an integer >= 0, got ${nDrones}`);
  const heading = raid.uniform(0, 2 * Math.PI);
  const drones = makeRaid({
    rng: raid,
    fateRng: createRng(deriveSeed(seed, 'small/raid-fate')),
    frame,
    half,
    heading,
    nDrones,
    jetShare: opts.jetShare ?? 0,
    strikeShare: opts.strikeShare ?? 0.5,
    decoyShare: opts.decoyShare ?? 0.2,
    downedShare: opts.downedShare ?? 0.1,
    t0,
    t1: t0 + durationS,
    startTime: (r, routeDuration) => t0 + r.uniform(-0.3 * routeDuration, 0.3 * durationS),
    id: (i) => `D${i + 1}`,
  });
  const targets = drones.map((d) => d.target);
  const downed: Record<string, number> = {};
  for (const d of drones) if (d.downedAt !== null) downed[d.target.id] = d.downedAt;

  const traffic = createRng(deriveSeed(seed, 'small/traffic'));
  const airliner = makeAirliner(traffic, { frame, half, t0, durationS }, 'A1', createIcaoAllocator(traffic));
  targets.push(airliner.target);
  const icao = { A1: airliner.icao };

  const rr = createRng(deriveSeed(seed, 'small/radar'));
  const site = enuToGeodetic(frame, rr.uniform(-2e3, 2e3), rr.uniform(-2e3, 2e3), 0);
  const radars: RadarModel[] = [
    {
      id: 'radar-1',
      position: { latDeg: site.latDeg, lonDeg: site.lonDeg, altM: origin.altM + rr.uniform(20, 30) },
      scanPeriod: 3,
      scanOffset: rr.uniform(0, 3),
      rangeMax: 40e3,
      rangeSd: 25,
      bearingSdDeg: 0.8,
      elevationSdDeg: 1.5,
      pd: 0.9,
      clutterPerScan: opts.clutterPerScan ?? 1,
      horizon: 'radio',
    },
  ];
  const reporters: PositionReporterModel[] = [
    {
      id: 'adsb-1',
      kind: 'adsb',
      position: { ...origin, altM: origin.altM + 15 },
      rangeMax: 300e3,
      period: 1,
      posSd: 15,
      altSd: 10,
      targets: ['A1'],
      cooperative: icao,
      delay: 0.3,
      delayJitter: 0.7,
    },
  ];
  const out = simulateScene({ seed, t0, duration: durationS, origin, targets, radars, reporters, order: opts.order, annotate: opts.annotate });
  return { ...out, t0, duration: durationS, origin, regionM: side, targets, radars, reporters, icao, downed };
}
