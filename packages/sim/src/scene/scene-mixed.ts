/**
 * A mixed-sensor scene: a raid of one-way-attack drones crossing a square region covered by a
 * microphone network and by people with phones, watched by one radar, with cooperative air
 * traffic (airliners and helicopters) reporting by ADS-B. Deterministic for a seed.
 *
 * Random streams: the raid, the drones' fates (decoys, losses), the traffic and the radar each
 * draw from their own stream derived from the seed (`mixed/raid`, `mixed/raid-fate`,
 * `mixed/traffic`, `mixed/radar`), the microphone network and the
 * observers from theirs (sensors-acoustic.ts, sensors-observer.ts), and every sensor's
 * detections from its own; so, for example, more drones leave the traffic and the sensor layout
 * unchanged.
 */
import { createEnuFrame, enuToGeodetic, type EnuFrame, type GeoPoint } from '@skywarden/core';
import { createRng, deriveSeed, type Rng } from './rng.js';
import { makeRaid } from './raid.js';
import { simulateScene, type SceneOutput } from './scene.js';
import type { PositionReporterModel, RadarModel } from './sensors.js';
import { makeAcousticNetwork, type AcousticLevels, type AcousticModel } from './sensors-acoustic.js';
import { addAcousticFalseAlarms, type AcousticFalseKind } from './acoustic-false-alarms.js';
import { makeObservers, type ObserverModel } from './sensors-observer.js';
import { createIcaoAllocator, makeAirliner, makeHelicopter } from './traffic.js';
import type { SimTarget } from './trajectory.js';

/** Inputs of {@link makeMixedScene}; everything but `seed` has a default. */
export interface MixedSceneOptions {
  seed: number;
  /** Number of threat drones; default 50. */
  nDrones?: number;
  /** Share of the drones that are jet one-way-attack drones (`jet_owa`); default 0.1. */
  jetShare?: number;
  /** Share of the drones that end in a strike (a dive) inside the region; the others fly through; default 0.5. */
  strikeShare?: number;
  /** Share of the drones that are decoys (`decoy: true`, class `piston_owa`, slower and lower; see raid.ts); default 0.2. */
  /** Heading of the raid (degrees clockwise from north: 180 comes from the north); default drawn from the seed. */
  raidHeadingDeg?: number;
  /**
   * The raid in waves: drone i flies in wave ⌊i·count/nDrones⌋; wave k launches about `gapS`·k
   * after the first (each drone within 120 s of its wave's time), the first reaching the region at
   * about t0, and keeps to a corridor `corridorM` wide whose centre is drawn for the wave. Default:
   * one stream of drones spread over the whole period and region.
   */
  waves?: { count: number; gapS: number; corridorM: number };
  /**
   * Spread (degrees, 0..360) of the directions the drones come from: each drone's axis is drawn
   * uniformly within ± half of it about the raid's (from a stream of its own, so the other
   * draws stay the same); 360: from anywhere. Default 0 (one direction).
   */
  fromSpreadDeg?: number;
  decoyShare?: number;
  /** Share of the drones that are downed (shot down or crashed) mid-flight; their truth ends there; default 0.1. */
  downedShare?: number;
  /** Length of the period (s); default 600. */
  durationS?: number;
  /** Side of the square region (m); default 40 km. */
  regionM?: number;
  /** Number of microphone nodes on the grid (spacing regionM/√nMics); default 600. */
  nMics?: number;
  /** Share of the nodes that are bearing arrays; default 0.25. */
  bearingMicShare?: number;
  /** Isolated false alarms per hour per node; default 1. */
  micFarPerHour?: number;
  /** False-alarm bursts (passing vehicles) per hour per node; default 0.2. */
  micBurstsPerHour?: number;
  /** Number of people with phones; default 300. */
  nObservers?: number;
  /** Number of airliners; default 2-4 from the seed. */
  nAirliners?: number;
  /** Number of helicopters; default 1-2 from the seed. */
  nHelicopters?: number;
  /** Mean clutter plots per radar scan; default 2. */
  radarClutterPerScan?: number;
  /** Fixed clutter of the radar (`RadarModel.clutterSpots`); default none. */
  radarClutterSpots?: { count: number; pd: number };
  /** Radar masking angle (degrees); default 0.4. */
  radarMaskDeg?: number;
  /** Radar range-rate error (m/s); default none (no Doppler). */
  radarRangeRateSd?: number;
  /** Centre of the region; default Seoul (37.55° N, 127.0° E, 0 m). */
  origin?: GeoPoint;
  /** Start time (s since the Unix epoch); default 1764000000. */
  t0?: number;
  /** See `SceneOptions.order`. */
  order?: 'measurement' | 'arrival';
  /** See `SceneOptions.annotate`. */
  annotate?: boolean;
  /** Number of radars, 0 or 1; default 1 (its random draws are made either way). */
  nRadars?: number;
  /** Range [lo, hi] (m) of the drones' altitudes (all types); default by type (see {@link makeRaid}). */
  droneAltM?: readonly [number, number];
  /** Microphone grid spacing (m); overrides `nMics` (see {@link makeAcousticNetwork}). */
  micSpacingM?: number;
  /** Range [lo, hi] of the microphones' detection range (m); default [2000, 3000]. */
  micRangeM?: readonly [number, number];
  /** Range [lo, hi] of the microphones' probability of detection; default 0.9 for all. */
  micPdRange?: readonly [number, number];
  /** Quality spread between microphones (range and pd scaled per unit); default none. */
  micQualitySpread?: number;
  /** Report period (s) of the microphones while they hear something; default 2 (see {@link makeAcousticNetwork}). */
  micReportPeriodS?: number;
  /** Presence microphones give one row per source heard in a report instead of one per report; default false. */
  micRowPerSource?: boolean;
  /** The microphones' rows carry received levels (`snr_db`: see {@link AcousticLevels}); default none. */
  micLevels?: AcousticLevels;
  /**
   * Realistic acoustic false alarms (see acoustic-false-alarms.ts) at this many episodes per
   * microphone-hour; they replace the isolated false alarms and bursts (`micFarPerHour`,
   * `micBurstsPerHour` become 0 unless given). Default none.
   */
  micFalseAlarms?: { ratePerHour: number; kinds?: readonly AcousticFalseKind[]; owaHintShare?: number };
}

/** A generated mixed scene: its rows plus the models that produced them. */
export interface MixedScene extends SceneOutput {
  t0: number;
  duration: number;
  origin: GeoPoint;
  /** Side of the square region (m). */
  regionM: number;
  /** Drones first, then airliners, then helicopters. */
  targets: SimTarget[];
  radars: RadarModel[];
  /** The ADS-B receiver. */
  reporters: PositionReporterModel[];
  acoustics: AcousticModel[];
  observers: ObserverModel[];
  /** ICAO 24-bit addresses (6 hex digits) of the cooperative targets, by truth id. */
  icao: Record<string, string>;
  /** Direction of the raid (rad, clockwise from north): the drones come from the opposite side. */
  raidHeading: number;
  /** The downed drones: truth id to the time (s) their trajectory ends, mid-flight. */
  downed: Record<string, number>;
}

/** A point `a` metres along `u` and `l` metres along `p` (unit vectors east, north) from the frame origin. */
function at(frame: EnuFrame, u: readonly [number, number], p: readonly [number, number], a: number, l: number): GeoPoint {
  return enuToGeodetic(frame, a * u[0] + l * p[0], a * u[1] + l * p[1], 0);
}

/**
 * Builds a mixed scene (defaults in brackets):
 * - Drones [50]: piston one-way-attack drones (`piston_owa`: 45-55 m/s, 100-2000 m) and a share
 *   [0.1] of jet ones (`jet_owa`: 140-170 m/s, 300-2500 m). Each enters 3-8 km outside the
 *   region on the side the raid comes from (one raid direction, lateral offsets across the
 *   region), flies a dog-leg route through 1-3 waypoints wandering ±6 km across the track
 *   (turns of 2-6 °/s, jets 1-3 °/s; climbs and descents on 30 % of the straight legs, up to
 *   3 m/s, jets 10 m/s) and either dives onto a point inside the region [half] or leaves 5 km
 *   beyond the far side. Launches are spread: the start time is uniform in
 *   [t0 − 0.6·flight time, t0 + 0.75·durationS], so drones come and go during the period.
 *   A share [0.2] of them are decoys (`decoy: true` in truth, class `piston_owa`, 38-48 m/s,
 *   100-1200 m) and a share [0.1] are downed mid-flight (their truth stops there; `downed`
 *   lists when): see {@link makeRaid}.
 * - Airliners [2-4] (`aircraft`: 220-240 m/s, 8-11 km, straight) and helicopters [1-2]
 *   (`helicopter`: 50-70 m/s, 300-1000 m, one or two gentle turns) crossing the region, each
 *   with an ICAO address in the Korean block 718000-71FFFF.
 * - One rotating radar 15-40 m up, inside the region on the defended side (30-60 % of the half
 *   side downstream of the centre): scan 2.5-4 s, range 60 km, errors 25 m / 0.8° / 1.5°,
 *   pd 0.85, clutter [2] per scan, radio horizon and a masking angle [0.4°], so low drones far
 *   out are hidden. It also sees the air traffic (without identity).
 * - An ADS-B receiver at the centre: the airliners and helicopters every 1 s, 15 m
 *   horizontal, 10 m vertical, 0.3-1 s delay, their ICAO address in `target`.
 * - Microphone nodes [600] on a jittered grid over the region (spacing ≈ 1.63 km for the
 *   defaults), a share [0.25] of them bearing arrays: see {@link makeAcousticNetwork}.
 * - People with phones [300]: see {@link makeObservers}.
 */
export function makeMixedScene(opts: MixedSceneOptions): MixedScene {
  const { seed } = opts;
  const nDrones = opts.nDrones ?? 50;
  const durationS = opts.durationS ?? 600;
  if (!Number.isSafeInteger(nDrones) || nDrones < 0) throw new RangeError(`makeMixedScene: nDrones must be an integer >= 0, got ${nDrones}`);
  if (!(durationS > 0) || !Number.isFinite(durationS)) throw new RangeError(`makeMixedScene: durationS must be > 0, got ${durationS}`);
  const side = opts.regionM ?? 40e3;
  if (!(side > 0)) throw new RangeError(`makeMixedScene: regionM must be > 0, got ${side}`);
  const jetShare = opts.jetShare ?? 0.1;
  const strikeShare = opts.strikeShare ?? 0.5;
  const origin = opts.origin ?? { latDeg: 37.55, lonDeg: 127.0, altM: 0 };
  const t0 = opts.t0 ?? 1764000000;
  const frame = createEnuFrame(origin);
  const half = side / 2;

  // --- the raid (in waves: each wave's corridor from a stream of its own, so the routes' draws stay the same)
  const waves = opts.waves;
  if (waves && !(Number.isSafeInteger(waves.count) && waves.count >= 1 && waves.gapS >= 0 && Number.isFinite(waves.gapS) && waves.corridorM > 0 && waves.corridorM <= side)) {
    throw new RangeError(`makeMixedScene: waves must have an integer count >= 1, gapS >= 0 and 0 < corridorM <= the region's side, got ${JSON.stringify(waves)}`);
  }
  const waveOf = (i: number): number => (waves ? Math.min(waves.count - 1, Math.floor((i * waves.count) / Math.max(1, nDrones))) : 0);
  const waveRng = createRng(deriveSeed(seed, 'mixed/waves'));
  const corridors = waves ? Array.from({ length: waves.count }, () => waveRng.uniform(-(half - waves.corridorM / 2), half - waves.corridorM / 2)) : [];
  const raid: Rng = createRng(deriveSeed(seed, 'mixed/raid'));
  const drawnHeading = raid.uniform(0, 2 * Math.PI); // drawn anyway: the stream stays the same
  const raidHeading = opts.raidHeadingDeg === undefined ? drawnHeading : (opts.raidHeadingDeg * Math.PI) / 180;
  if (!Number.isFinite(raidHeading)) throw new RangeError(`makeMixedScene: raidHeadingDeg must be finite, got ${opts.raidHeadingDeg}`);
  const u: [number, number] = [Math.sin(raidHeading), Math.cos(raidHeading)];
  const p: [number, number] = [Math.cos(raidHeading), -Math.sin(raidHeading)];
  const spread = ((opts.fromSpreadDeg ?? 0) * Math.PI) / 180;
  if (!(spread >= 0 && spread <= 2 * Math.PI)) throw new RangeError(`makeMixedScene: fromSpreadDeg must be in [0, 360], got ${opts.fromSpreadDeg}`);
  const dirRng = createRng(deriveSeed(seed, 'mixed/directions'));
  const droneHeadings = spread > 0 ? Array.from({ length: nDrones }, () => raidHeading + dirRng.uniform(-spread / 2, spread / 2)) : [];
  const width = Math.max(3, String(nDrones).length);
  const drones = makeRaid({
    rng: raid,
    fateRng: createRng(deriveSeed(seed, 'mixed/raid-fate')),
    frame,
    half,
    heading: raidHeading,
    headingOf: spread > 0 ? (i) => droneHeadings[i] : undefined,
    nDrones,
    jetShare,
    strikeShare,
    decoyShare: opts.decoyShare ?? 0.2,
    downedShare: opts.downedShare ?? 0.1,
    t0,
    t1: t0 + durationS,
    // in waves: the same single draw, placed within 120 s after the wave's time; a route's first
    // 30 % lies before the region's edge, so the first wave arrives at about t0
    startTime: waves
      ? (r, routeDuration, i) => t0 + waveOf(i) * waves.gapS - 0.3 * routeDuration + r.uniform(0, 120)
      : (r, routeDuration) => t0 + r.uniform(-0.6 * routeDuration, 0.75 * durationS),
    corridor: waves ? (i) => ({ centre: corridors[waveOf(i)], scale: waves.corridorM / 2 / half }) : undefined,
    id: (i) => `D${String(i + 1).padStart(width, '0')}`,
    altRange: opts.droneAltM,
  });
  const targets: SimTarget[] = drones.map((d) => d.target);
  const downed: Record<string, number> = {};
  for (const d of drones) if (d.downedAt !== null) downed[d.target.id] = d.downedAt;

  // --- air traffic
  const traffic: Rng = createRng(deriveSeed(seed, 'mixed/traffic'));
  const nAirliners = opts.nAirliners ?? traffic.int(2, 4);
  const nHelicopters = opts.nHelicopters ?? traffic.int(1, 2);
  const icao: Record<string, string> = {};
  const newIcao = createIcaoAllocator(traffic);
  const area = { frame, half, t0, durationS };
  for (let i = 0; i < nAirliners; i++) {
    const a = makeAirliner(traffic, area, `A${i + 1}`, newIcao);
    icao[a.target.id] = a.icao;
    targets.push(a.target);
  }
  for (let i = 0; i < nHelicopters; i++) {
    const h = makeHelicopter(traffic, area, `H${i + 1}`, newIcao);
    icao[h.target.id] = h.icao;
    targets.push(h.target);
  }

  // --- sensors
  const rr: Rng = createRng(deriveSeed(seed, 'mixed/radar'));
  const scanPeriod = rr.uniform(2.5, 4);
  const radarSite = at(frame, u, p, rr.uniform(0.3, 0.6) * half, rr.uniform(-0.3, 0.3) * half);
  const nRadars = opts.nRadars ?? 1;
  if (nRadars !== 0 && nRadars !== 1) throw new RangeError(`makeMixedScene: nRadars must be 0 or 1, got ${nRadars}`);
  const radars: RadarModel[] = [
    {
      id: 'radar-1',
      position: { latDeg: radarSite.latDeg, lonDeg: radarSite.lonDeg, altM: origin.altM + rr.uniform(15, 40) },
      scanPeriod,
      scanOffset: rr.uniform(0, scanPeriod),
      rangeMax: 60e3,
      rangeSd: 25,
      bearingSdDeg: 0.8,
      elevationSdDeg: 1.5,
      pd: 0.85,
      clutterPerScan: opts.radarClutterPerScan ?? 2,
      ...(opts.radarClutterSpots ? { clutterSpots: opts.radarClutterSpots } : {}),
      rangeRateSd: opts.radarRangeRateSd,
      horizon: 'radio',
      maskElevationDeg: opts.radarMaskDeg ?? 0.4,
    },
  ];
  if (nRadars === 0) radars.length = 0;
  const reporters: PositionReporterModel[] = [
    {
      id: 'adsb-1',
      kind: 'adsb',
      position: { ...origin, altM: origin.altM + 15 },
      rangeMax: 300e3,
      period: 1,
      posSd: 15,
      altSd: 10,
      targets: Object.keys(icao),
      cooperative: icao,
      delay: 0.3,
      delayJitter: 0.7,
    },
  ];
  const nMics = opts.nMics ?? 600;
  const fa = opts.micFalseAlarms;
  let acoustics =
    nMics === 0 && opts.micSpacingM === undefined
      ? []
      : makeAcousticNetwork({
          seed,
          origin,
          widthM: side,
          heightM: side,
          count: Math.max(1, nMics),
          spacing: opts.micSpacingM,
          bearingShare: opts.bearingMicShare ?? 0.25,
          farPerHour: opts.micFarPerHour ?? (fa ? 0 : 1),
          burstsPerHour: opts.micBurstsPerHour ?? (fa ? 0 : 0.2),
          ...(opts.micRangeM !== undefined ? { rangeM: opts.micRangeM } : {}),
          ...(opts.micPdRange !== undefined ? { pdRange: opts.micPdRange } : {}),
          ...(opts.micQualitySpread !== undefined ? { qualitySpread: opts.micQualitySpread } : {}),
          ...(opts.micReportPeriodS !== undefined ? { period: opts.micReportPeriodS } : {}),
          ...(opts.micRowPerSource ? { rowPerSource: true } : {}),
          ...(opts.micLevels ? { levels: opts.micLevels } : {}),
        });
  if (fa && acoustics.length > 0) {
    acoustics = addAcousticFalseAlarms(acoustics, { seed, origin, regionM: side, t0, t1: t0 + durationS, ratePerHour: fa.ratePerHour, kinds: fa.kinds, owaHintShare: fa.owaHintShare });
  }
  const observers = makeObservers({ seed, origin, widthM: side, heightM: side, count: opts.nObservers ?? 300 });

  const out = simulateScene({
    seed,
    t0,
    duration: durationS,
    origin,
    targets,
    radars,
    reporters,
    acoustics,
    observers,
    order: opts.order,
    annotate: opts.annotate,
  });
  return { ...out, t0, duration: durationS, origin, regionM: side, targets, radars, reporters, acoustics, observers, icao, raidHeading, downed };
}
