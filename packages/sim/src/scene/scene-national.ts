/**
 * The national preset: a night at the scale of the record attack of 6-7 September 2025 (about
 * 800 drones in one night): waves of Shahed-type drones launched over hours from several
 * directions across a country-sized region, over a national acoustic network of ten thousand
 * microphones, dozens of radars, phone observers and airliners on ADS-B.
 *
 * Size. The default (800 drones, 10 000 microphones, 36 radars, 2 000 observers, 3 h over
 * 350 km) makes about 4.6 million detections and 4.1 million truth rows: measured on a 2-core
 * VM with Node 20, the layout in 0.1 s and all rows in 600-s chunks in about 42 s, with a peak
 * resident memory of 1.4 GB. So {@link makeNationalScene} builds only the layout (targets,
 * sensors, cities, waves) and the rows are streamed afterwards in time chunks (scene-chunks.ts),
 * bounded in memory by a chunk's rows:
 * - {@link generateNationalRows}: detections in time order, one row at a time, with the truth
 *   rows handed to a callback per chunk;
 * - `simulateSceneChunks(scene.scene, { chunkS })`: chunk objects with both, for writing files;
 * - `simulateScene(scene.scene)`: everything at once, for reduced sizes (tests).
 * The chunked rows are deterministic for (options, chunkS) (see scene-chunks.ts).
 *
 * Random streams: `national/cities`, `national/mics`, `national/radars`, `national/waves`,
 * `national/wave/<w>` and `national/wave/<w>/fate` (each wave's drones and their fates),
 * `national/traffic`; observers and every sensor's rows from their own.
 */
import { createEnuFrame, enuToGeodetic, geodeticToEnu, type EnuFrame, type GeoPoint } from '@skywarden/core';
import type { DetectionRow, SensorRow, TruthRow } from '@skywarden/formats';
import { makeRaid } from './raid.js';
import { createRng, deriveSeed, type Rng } from './rng.js';
import { sceneSensorRows } from './scene-common.js';
import { simulateSceneChunks, type SceneChunk } from './scene-chunks.js';
import type { SceneOptions } from './scene.js';
import type { PositionReporterModel, RadarModel } from './sensors.js';
import { makeAcousticNetwork, type AcousticModel } from './sensors-acoustic.js';
import { makeObservers, type ObserverModel } from './sensors-observer.js';
import { createIcaoAllocator, makeAirliner, makeHelicopter } from './traffic.js';
import type { SimTarget } from './trajectory.js';

const DEG = Math.PI / 180;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/** Inputs of {@link makeNationalScene}; everything but `seed` has a default. */
export interface NationalSceneOptions {
  seed: number;
  /** Number of drones over the night; default 800. */
  nDrones?: number;
  /** Number of microphone nodes; default 10 000. */
  nMics?: number;
  /** Number of radars; default 36. */
  nRadars?: number;
  /** Number of people with phones; default 2 000. */
  nObservers?: number;
  /** Number of airliners crossing during the period; default 12. */
  nAirliners?: number;
  /** Number of helicopters (low, around cities); default 6. */
  nHelicopters?: number;
  /** Length of the period (s); default 3 h. */
  durationS?: number;
  /** Side of the square region (m); default 350 km. */
  regionM?: number;
  /** Number of waves; default 8. */
  nWaves?: number;
  /** Number of launch directions (within a 140° arc); default 4. */
  nDirections?: number;
  /** Number of cities (clusters of microphones and strike aims); default 8. */
  nCities?: number;
  /** Share of the microphones in the city clusters (the rest on lines across the country); default 0.7. */
  cityMicShare?: number;
  /** Number of straight lines of microphones (roads, borders, rivers); default 6. */
  micLines?: number;
  /**
   * Microphones on a jittered square grid over the whole region at this spacing (m), as
   * national networks are laid out (about one per 25-60 km²), instead of city clusters and
   * lines; `nMics`, `cityMicShare` and `micLines` are then not used. Default none.
   */
  micSpacingM?: number;
  /** Share of the microphones that are bearing arrays; default 0.25. */
  bearingMicShare?: number;
  /** Isolated false alarms per hour per microphone; default 1. */
  micFarPerHour?: number;
  /** False-alarm bursts (passing vehicles) per hour per microphone; default 0.2. */
  micBurstsPerHour?: number;
  /** Mean clutter plots per radar scan; default 2. */
  radarClutterPerScan?: number;
  /** Raid shares (see raid.ts): jets [0.06], strikes on cities [0.6], decoys [0.2], downed [0.1]. */
  jetShare?: number;
  strikeShare?: number;
  decoyShare?: number;
  downedShare?: number;
  /** Centre of the region; default 36.4° N, 127.9° E (the middle of South Korea), 0 m. */
  origin?: GeoPoint;
  /** Start time (s since the Unix epoch); default 1764000000. */
  t0?: number;
  /** See `SceneOptions.order`. */
  order?: 'measurement' | 'arrival';
  /** See `SceneOptions.annotate`. */
  annotate?: boolean;
}

/** A city: a cluster of microphones and the aim of strikes. */
export interface NationalCity {
  id: string;
  position: GeoPoint;
  /** Radius of its microphone cluster (m). */
  radiusM: number;
  /** Share of the strikes aimed at it (the weights sum to 1). */
  weight: number;
}

/** One wave of the raid. */
export interface NationalWave {
  /** Bearing (rad, clockwise from north) from which the wave comes; it flies the opposite way. */
  fromBearing: number;
  /** Launch (region entry) window [start, end] (s since the Unix epoch). */
  window: [number, number];
  /** Ids of its drones. */
  drones: string[];
}

/** The layout of a national scene (no rows: stream them, see the module comment). */
export interface NationalScene {
  t0: number;
  duration: number;
  origin: GeoPoint;
  regionM: number;
  /** Drones (wave after wave), then airliners `A<n>`, then helicopters `H<n>`. */
  targets: SimTarget[];
  /** Downed drones: truth id to the time (s) their trajectory ends. */
  downed: Record<string, number>;
  waves: NationalWave[];
  cities: NationalCity[];
  radars: RadarModel[];
  reporters: PositionReporterModel[];
  acoustics: AcousticModel[];
  observers: ObserverModel[];
  /** ICAO addresses of the cooperative targets, by truth id. */
  icao: Record<string, string>;
  /** The sensors.json rows. */
  sensors: SensorRow[];
  /** The inputs of `simulateScene` / `simulateSceneChunks` that produce the rows. */
  scene: SceneOptions;
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder). */
function apportion(total: number, weights: readonly number[]): number[] {
  let sum = 0;
  for (const w of weights) sum += w;
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : total / weights.length));
  const parts = exact.map(Math.floor);
  let rest = total - parts.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) parts[order[k][1]]++;
  return parts;
}

/** Best-candidate (Mitchell) points in the square [−h, h]²: well spread. */
function spreadPoints(rng: Rng, n: number, h: number, candidates = 12): [number, number][] {
  const pts: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    let best: [number, number] = [0, 0];
    let bestD = -1;
    for (let c = 0; c < candidates; c++) {
      const e = rng.uniform(-h, h);
      const nn = rng.uniform(-h, h);
      let d = Infinity;
      for (const q of pts) d = Math.min(d, (q[0] - e) ** 2 + (q[1] - nn) ** 2);
      if (d > bestD) {
        bestD = d;
        best = [e, nn];
      }
    }
    pts.push(best);
  }
  return pts;
}

/** The segment of the line through (e, n) with direction (sin θ, cos θ) inside the square [−h, h]². */
function clipToSquare(e: number, n: number, th: number, h: number): [number, number, number, number] {
  const de = Math.sin(th);
  const dn = Math.cos(th);
  let lo = -Infinity;
  let hi = Infinity;
  for (const [p, d] of [
    [e, de],
    [n, dn],
  ]) {
    if (Math.abs(d) < 1e-12) continue;
    const a = (-h - p) / d;
    const b = (h - p) / d;
    lo = Math.max(lo, Math.min(a, b));
    hi = Math.min(hi, Math.max(a, b));
  }
  return [e + lo * de, n + lo * dn, e + hi * de, n + hi * dn];
}

interface MicNodeOptions {
  bearingShare: number;
  farPerHour: number;
  burstsPerHour: number;
  groundAltM: number;
}

/** A microphone node at (e, n) with parameters drawn as makeAcousticNetwork draws them. */
function micNode(rng: Rng, frame: EnuFrame, id: string, e: number, n: number, o: MicNodeOptions): AcousticModel {
  const g = enuToGeodetic(frame, e, n, 0);
  const isArray = rng.next() < o.bearingShare;
  const node: AcousticModel = {
    id,
    position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: o.groundAltM + rng.uniform(2, 8) },
    output: isArray ? 'bearing' : 'presence',
    rangeMax: rng.uniform(2000, 3000),
    pd: 0.9,
    period: 2,
    farPerHour: o.farPerHour,
    burstsPerHour: o.burstsPerHour,
  };
  const bSd = rng.uniform(5, 8);
  if (isArray) {
    node.bearingSdDeg = bSd;
    node.elevationSdDeg = 10;
  }
  return node;
}

const count = (fn: string, name: string, v: number, min = 0): void => {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${fn}: ${name} must be an integer >= ${min}, got ${v}`);
};
const unit = (fn: string, name: string, v: number): void => {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${fn}: ${name} must be in [0, 1], got ${v}`);
};

/**
 * Builds the layout of a national scene (defaults in brackets; rows are streamed afterwards, see
 * the module comment):
 * - Cities [8], spread by best-candidate sampling within 80 % of the half side, with weights
 *   ∝ 1/rank (the first is the capital) and microphone clusters of radius 6 km + 14 km·√(w/w₁).
 * - Microphones [10 000]: a share [0.7] in the city clusters, apportioned by weight and laid on a
 *   sunflower (Vogel) spiral with ±30 % jitter, so evenly dense within each disc; the rest
 *   evenly along [6] straight lines across the region (±200 m). Node parameters as in
 *   makeAcousticNetwork: range 2-3 km, pd 0.9, every 2 s, a share [0.25] bearing arrays
 *   (5-8°, elevation 10°), false alarms [1]/h and bursts [0.2]/h. Ids `ac-00001`, ...
 * - Radars [36] spread by best-candidate sampling over the region, 15-40 m up: scan 2.5-5 s,
 *   range 50-80 km, errors 20-35 m / 0.6-1° / 1-2°, pd 0.85, clutter [2] per scan, radio
 *   horizon, masking 0.3-0.6°. Ids `radar-01`, ...
 * - Waves [8] from [4] directions spread over a 140° arc around a random bearing; wave w comes
 *   from direction w mod nDirections, enters through a corridor (20-50 % of the side wide, its
 *   centre within ±60 % of the half side) during a launch window of 8-25 % of the period D
 *   (15-45 min for 3 h); the windows start in [t0 − 0.3·D, t0 + 0.6·D], one in each of nWaves
 *   equal slices of it (the night is under way at t0, and waves keep coming for hours); a wave's
 *   share of the drones is ∝ U(0.5, 1.5).
 *   Drones as in makeRaid with 2-5 waypoints wandering 12 km: jets [0.06], strikes [0.6] aimed
 *   at a city drawn by weight (± 0.4 of its radius), the others crossing the country; decoys
 *   [0.2], downed [0.1]. Ids `D001`, ... in wave order (waves sorted by launch).
 * - Airliners [12] crossing the region during the period, helicopters [6] crossing a 60 km
 *   square around a city each; ADS-B receiver `adsb-1` at the centre covering the region.
 * - People with phones [2 000]: {@link makeObservers} over the region.
 */
export function makeNationalScene(opts: NationalSceneOptions): NationalScene {
  const fn = 'makeNationalScene';
  const { seed } = opts;
  const nDrones = opts.nDrones ?? 800;
  const nMics = opts.nMics ?? 10000;
  const nRadars = opts.nRadars ?? 36;
  const nObservers = opts.nObservers ?? 2000;
  const nAirliners = opts.nAirliners ?? 12;
  const nHelicopters = opts.nHelicopters ?? 6;
  const nWaves = opts.nWaves ?? 8;
  const nDirections = opts.nDirections ?? 4;
  const nCities = opts.nCities ?? 8;
  const nLines = opts.micLines ?? 6;
  count(fn, 'nDrones', nDrones);
  count(fn, 'nMics', nMics);
  count(fn, 'nRadars', nRadars);
  count(fn, 'nObservers', nObservers);
  count(fn, 'nAirliners', nAirliners);
  count(fn, 'nHelicopters', nHelicopters);
  count(fn, 'nWaves', nWaves, 1);
  count(fn, 'nDirections', nDirections, 1);
  count(fn, 'nCities', nCities, 1);
  count(fn, 'micLines', nLines);
  const durationS = opts.durationS ?? 3 * 3600;
  if (!(durationS > 0) || !Number.isFinite(durationS)) throw new RangeError(`${fn}: durationS must be > 0, got ${durationS}`);
  const side = opts.regionM ?? 350e3;
  if (!(side > 0) || !Number.isFinite(side)) throw new RangeError(`${fn}: regionM must be > 0, got ${side}`);
  const cityMicShare = opts.cityMicShare ?? 0.7;
  unit(fn, 'cityMicShare', cityMicShare);
  const onGrid = opts.micSpacingM !== undefined;
  if (onGrid && !(opts.micSpacingM! > 0 && Number.isFinite(opts.micSpacingM))) throw new RangeError(`${fn}: micSpacingM must be > 0, got ${opts.micSpacingM}`);
  // on a grid the lines and clusters are not used
  if (!onGrid && nLines === 0 && cityMicShare < 1 && nMics > 0) throw new RangeError(`${fn}: micLines must be >= 1 unless cityMicShare is 1, got ${nLines}`);
  const origin = opts.origin ?? { latDeg: 36.4, lonDeg: 127.9, altM: 0 };
  const t0 = opts.t0 ?? 1764000000;
  const t1 = t0 + durationS;
  const frame = createEnuFrame(origin);
  const half = side / 2;
  const ground = origin.altM;

  // --- cities
  const cr = createRng(deriveSeed(seed, 'national/cities'));
  const cityXY = spreadPoints(cr, nCities, 0.8 * half);
  const rawW = cityXY.map((_, i) => 1 / (i + 1));
  const wSum = rawW.reduce((s, x) => s + x, 0);
  const cities: NationalCity[] = cityXY.map(([e, n], i) => {
    const g = enuToGeodetic(frame, e, n, 0);
    return {
      id: `city-${i + 1}`,
      position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: ground },
      radiusM: Math.min(0.2 * side, 6e3 + 14e3 * Math.sqrt(rawW[i] / rawW[0])),
      weight: rawW[i] / wSum,
    };
  });

  // --- microphones
  const mr = createRng(deriveSeed(seed, 'national/mics'));
  const micOpts: MicNodeOptions = {
    bearingShare: opts.bearingMicShare ?? 0.25,
    farPerHour: opts.micFarPerHour ?? 1,
    burstsPerHour: opts.micBurstsPerHour ?? 0.2,
    groundAltM: ground,
  };
  const micWidth = Math.max(4, String(nMics).length);
  const acoustics: AcousticModel[] = [];
  if (onGrid) {
    acoustics.push(
      ...makeAcousticNetwork({
        seed: deriveSeed(seed, 'national/mic-grid'),
        origin,
        widthM: side,
        heightM: side,
        spacing: opts.micSpacingM,
        jitter: 0.6,
        bearingShare: micOpts.bearingShare,
        farPerHour: micOpts.farPerHour,
        burstsPerHour: micOpts.burstsPerHour,
      }),
    );
  }
  const micId = (): string => `ac-${String(acoustics.length + 1).padStart(micWidth, '0')}`;
  const nCityMics = onGrid ? 0 : nLines === 0 ? nMics : Math.round(cityMicShare * nMics);
  const perCity = apportion(nCityMics, cities.map((c) => c.weight));
  cities.forEach((city, ci) => {
    const n = perCity[ci];
    const [ce, cn] = cityXY[ci];
    const spacing = city.radiusM * Math.sqrt(Math.PI / Math.max(1, n));
    const rot = mr.uniform(0, 2 * Math.PI);
    for (let k = 0; k < n; k++) {
      const r = city.radiusM * Math.sqrt((k + 0.5) / n);
      const a = rot + k * GOLDEN_ANGLE;
      const e = ce + r * Math.sin(a) + mr.uniform(-0.3, 0.3) * spacing;
      const nn = cn + r * Math.cos(a) + mr.uniform(-0.3, 0.3) * spacing;
      acoustics.push(micNode(mr, frame, micId(), e, nn, micOpts));
    }
  });
  const lines = Array.from({ length: nLines }, () => clipToSquare(mr.uniform(-0.7 * half, 0.7 * half), mr.uniform(-0.7 * half, 0.7 * half), mr.uniform(0, Math.PI), half));
  const perLine = apportion(
    onGrid ? 0 : nMics - nCityMics,
    lines.map(([ea, na, eb, nb]) => Math.hypot(eb - ea, nb - na)),
  );
  lines.forEach(([ea, na, eb, nb], li) => {
    const n = perLine[li];
    const len = Math.hypot(eb - ea, nb - na);
    const ue = (eb - ea) / len;
    const un = (nb - na) / len;
    for (let k = 0; k < n; k++) {
      const s = (len * (k + 0.5)) / n;
      const off = mr.uniform(-200, 200);
      acoustics.push(micNode(mr, frame, micId(), ea + s * ue + off * un, na + s * un - off * ue, micOpts));
    }
  });

  // --- radars
  const rr = createRng(deriveSeed(seed, 'national/radars'));
  const radarWidth = Math.max(2, String(nRadars).length);
  const radars: RadarModel[] = spreadPoints(rr, nRadars, 0.95 * half).map(([e, n], i) => {
    const g = enuToGeodetic(frame, e, n, 0);
    const scanPeriod = rr.uniform(2.5, 5);
    return {
      id: `radar-${String(i + 1).padStart(radarWidth, '0')}`,
      position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: ground + rr.uniform(15, 40) },
      scanPeriod,
      scanOffset: rr.uniform(0, scanPeriod),
      rangeMax: rr.uniform(50e3, 80e3),
      rangeSd: rr.uniform(20, 35),
      bearingSdDeg: rr.uniform(0.6, 1),
      elevationSdDeg: rr.uniform(1, 2),
      pd: 0.85,
      clutterPerScan: opts.radarClutterPerScan ?? 2,
      horizon: 'radio' as const,
      maskElevationDeg: rr.uniform(0.3, 0.6),
    };
  });

  // --- waves of drones
  const wr = createRng(deriveSeed(seed, 'national/waves'));
  const threat = wr.uniform(0, 2 * Math.PI);
  const directions = Array.from({ length: nDirections }, (_, k) => {
    const spread = nDirections === 1 ? 0 : (k / (nDirections - 1) - 0.5) * 140 * DEG;
    return threat + spread + wr.uniform(-10, 10) * DEG;
  });
  // Launch windows stratified over [t0 − 0.3·D, t0 + 0.6·D]: wave w starts in the w-th of nWaves
  // equal slices (in a shuffled order of slices), so the waves come over hours.
  const slices = Array.from({ length: nWaves }, (_, k) => k);
  for (let k = nWaves - 1; k > 0; k--) {
    const m = wr.int(0, k);
    [slices[k], slices[m]] = [slices[m], slices[k]];
  }
  const plans = Array.from({ length: nWaves }, (_, w) => {
    const start = t0 + (-0.3 + (0.9 * (slices[w] + wr.next())) / nWaves) * durationS;
    const centre = wr.uniform(-0.6, 0.6) * half;
    const width = wr.uniform(0.2, 0.5) * side;
    return {
      from: directions[w % nDirections],
      window: [start, start + wr.uniform(0.08, 0.25) * durationS] as [number, number],
      lateral: [Math.max(-half, centre - width / 2), Math.min(half, centre + width / 2)] as const,
      weight: wr.uniform(0.5, 1.5),
      stream: w,
    };
  });
  plans.sort((a, b) => a.window[0] - b.window[0] || a.stream - b.stream);
  const perWave = apportion(nDrones, plans.map((p) => p.weight));
  const cityEnu = cities.map((c) => geodeticToEnu(frame, c.position));
  const pickCity = (r: Rng): number => {
    let x = r.next();
    for (let i = 0; i < cities.length - 1; i++) {
      x -= cities[i].weight;
      if (x < 0) return i;
    }
    return cities.length - 1;
  };
  const droneWidth = Math.max(3, String(nDrones).length);
  const targets: SimTarget[] = [];
  const downed: Record<string, number> = {};
  const waves: NationalWave[] = [];
  plans.forEach((plan, w) => {
    const heading = plan.from + Math.PI;
    const u = [Math.sin(heading), Math.cos(heading)];
    const p = [Math.cos(heading), -Math.sin(heading)];
    const first = targets.length;
    const drones = makeRaid({
      rng: createRng(deriveSeed(seed, `national/wave/${plan.stream}`)),
      fateRng: createRng(deriveSeed(seed, `national/wave/${plan.stream}/fate`)),
      frame,
      half,
      heading,
      nDrones: perWave[w],
      jetShare: opts.jetShare ?? 0.06,
      strikeShare: opts.strikeShare ?? 0.6,
      decoyShare: opts.decoyShare ?? 0.2,
      downedShare: opts.downedShare ?? 0.1,
      t0,
      t1,
      startTime: (r) => r.uniform(plan.window[0], plan.window[1]),
      entryLateral: plan.lateral,
      strikeAim: (r) => {
        const ci = pickCity(r);
        const sd = 0.4 * cities[ci].radiusM;
        const e = cityEnu[ci][0] + r.normal(0, sd);
        const n = cityEnu[ci][1] + r.normal(0, sd);
        return [e * u[0] + n * u[1], e * p[0] + n * p[1]];
      },
      waypoints: [2, 5],
      wander: 12e3,
      id: (i) => `D${String(first + i + 1).padStart(droneWidth, '0')}`,
    });
    for (const d of drones) {
      targets.push(d.target);
      if (d.downedAt !== null) downed[d.target.id] = d.downedAt;
    }
    waves.push({ fromBearing: ((plan.from % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI), window: plan.window, drones: drones.map((d) => d.target.id) });
  });

  // --- air traffic
  const tr = createRng(deriveSeed(seed, 'national/traffic'));
  const newIcao = createIcaoAllocator(tr);
  const icao: Record<string, string> = {};
  for (let i = 0; i < nAirliners; i++) {
    const a = makeAirliner(tr, { frame, half, t0, durationS }, `A${i + 1}`, newIcao);
    icao[a.target.id] = a.icao;
    targets.push(a.target);
  }
  for (let i = 0; i < nHelicopters; i++) {
    const city = cities[i % cities.length];
    const h = makeHelicopter(tr, { frame: createEnuFrame(city.position), half: 30e3, t0, durationS }, `H${i + 1}`, newIcao);
    icao[h.target.id] = h.icao;
    targets.push(h.target);
  }

  const reporters: PositionReporterModel[] = [
    {
      id: 'adsb-1',
      kind: 'adsb',
      position: { ...origin, altM: ground + 15 },
      rangeMax: side,
      period: 1,
      posSd: 15,
      altSd: 10,
      targets: Object.keys(icao),
      cooperative: icao,
      delay: 0.3,
      delayJitter: 0.7,
    },
  ];
  const observers = makeObservers({ seed, origin, widthM: side, heightM: side, count: nObservers });

  const scene: SceneOptions = {
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
  };
  const sensors = sceneSensorRows(scene);
  return { t0, duration: durationS, origin, regionM: side, targets, downed, waves, cities, radars, reporters, acoustics, observers, icao, sensors, scene };
}

/** Options of {@link generateNationalRows}. */
export interface NationalRowsOptions {
  /** Length of a time chunk (s); default 600. Memory grows with it, time hardly. */
  chunkS?: number;
  /** Called with each chunk's truth rows (sorted by `t`) before its detections are yielded. */
  onTruth?: (rows: TruthRow[], chunk: SceneChunk) => void;
}

/**
 * The detections of a national scene in time order (by `t`, or by arrival for a scene made with
 * `order: 'arrival'`), generated chunk by chunk (scene-chunks.ts) so that only one chunk's rows
 * are held at a time. Truth rows go to `onTruth`. Deterministic for the scene and `chunkS`.
 */
export function* generateNationalRows(scene: NationalScene, opts: NationalRowsOptions = {}): Generator<DetectionRow, void, undefined> {
  for (const chunk of simulateSceneChunks(scene.scene, { chunkS: opts.chunkS })) {
    opts.onTruth?.(chunk.truth, chunk);
    yield* chunk.detections;
  }
}
