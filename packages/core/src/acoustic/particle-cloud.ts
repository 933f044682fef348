/**
 * A particle filter for a target heard by cheap sensors (presence microphones, bearing
 * arrays, observers' compass bearings), whose posterior is a disc, a ring, a crescent or a
 * band, not a Gaussian (Djuric et al., IEEE TSP 2008; Arulampalam, Maskell, Gordon & Clapp,
 * "A tutorial on particle filters for online nonlinear/non-Gaussian Bayesian tracking",
 * IEEE TSP 50(2), 2002: the bootstrap filter with systematic resampling).
 *
 * Each particle is a horizontal position and velocity in the tracker frame (E, N, m and m/s)
 * and a height above the ellipsoid (m); the tracker frame's U of a particle is its height less
 * the Earth's curvature drop d²/2R at its horizontal distance d from the origin. Motion:
 * nearly constant velocity with white acceleration noise, speeds held inside the class
 * prior's band [speedMin, speedMax] (a Shahed-type drone flies 40-60 m/s), or, for the share
 * `fastShare` of the particles drawn at seeding, inside the fast band [fastMin, fastMax] (a
 * jet one-way attack drone of the Geran-3 type flies 140-170 m/s; helicopters and light
 * aircraft fly above the piston band too): the speed prior is a mixture of the classes the
 * network listens for, each particle holding to its component, so the evidence chooses
 * between them (particles move between bands only by resampling). Measurements:
 * - a presence hit or miss at a sensor: its {@link PresenceModel} at the particle's slant
 *   range, taken where the particle was when the sound left it (range / c earlier);
 * - a bearing: a Gaussian in the wrapped angle, mixed with a uniform share (outliers);
 * - a point (an observer's position estimate): a horizontal Gaussian.
 * Weights are kept normalised; `ess` tells when to resample (systematic, then a small
 * jitter of the copies: regularisation). With `adaptive`, the number of particles follows the
 * posterior's spread (KLD-sampling, Fox, "Adapting the sample size in particle filters through
 * KLD-sampling", IJRR 22(12), 2003): at each resampling, as many as bound the Kullback-Leibler
 * distance between the sample's and the posterior's histogram over bins of position, heading
 * and band by `epsilon` with probability 1 − δ, within [nMin, nMax]; a seeded cloud (a disc, a
 * ray, a wide Gaussian) starts at nMax.
 *
 * Deterministic: all randomness comes from the `rng` given at creation.
 */
import { cholesky } from '../linalg/dense.js';
import { normalQuantile } from '../math/normal.js';
import type { RangeScaleSource } from './range-scale.js';
import { hitLikelihood, missLikelihood, presencePd, presenceReach, type PresenceModel } from './presence-model.js';
import { drawHeading, type HeadingPrior } from './flow-prior.js';

const EARTH_RADIUS = 6_371_000;
const TWO_PI = 2 * Math.PI;

export interface CloudOptions {
  /** Number of particles. Default 200 (400 until 2026-12-05: the same coverage and false tracks on 8 + 6 seeds, half the cost). */
  n?: number;
  /** Horizontal acceleration noise density (m²/s³). Default 1. */
  q?: number;
  /** Class prior's speed band (m/s). Default 35..65 (piston one-way attack drones, with margin). */
  speedMin?: number;
  speedMax?: number;
  /** Speed of sound (m/s) for the sound's travel time; 0: none. Default 343. */
  soundSpeed?: number;
  /** Share of the particles drawn in the fast band at seeding, 0..1. Default 0 (one band). */
  fastShare?: number;
  /** The fast band (m/s). Default {@link CLOUD_FAST_BAND}. */
  fastMin?: number;
  fastMax?: number;
  /** Adaptive particle count (KLD-sampling); absent: always `n`. */
  adaptive?: AdaptiveCount;
  /**
   * Where each particle's range scale is drawn from (range-scale.ts: how far sound carries, as a
   * factor on every node's declared range, held by the particle beside its position; its presence
   * likelihoods take a node's model at slant range r/s); absent: the declared ranges.
   */
  rangeScale?: RangeScaleSource;
  /** Whether the cloud weighs its presence outcomes under every scale (`rsLL`) for the network to learn from: the class's clouds; not the rivals, which never teach. Default false. */
  learnScale?: boolean;
  /**
   * The resampling kernel's bandwidth, as a share of the bandwidth optimal for a Gaussian
   * ({@link resampleCloud}); 0: the fixed jitter alone. Default {@link CLOUD_KERNEL} (0).
   */
  kernel?: number;
}

/**
 * The resampling kernel's default bandwidth share: 0, none (the fixed jitter alone). The kernel
 * is opt-in (docs/tracker.md, "Scenes from an outside generator, again"): at 0.5 (half the
 * Gaussian-optimal bandwidth, the usual reduction for a density that is not one Gaussian:
 * Silverman, Density Estimation, 1986, §3.4.2) it covered 18 % more on an outside generator's
 * scenes, but every resampling moves the particles by a share of the cloud's own spread, a
 * diffusion the motion model does not have: a cloud of a moving target then explains a source
 * that stands at one microphone for minutes (the test of that fails with it), and the project's
 * own scenes gained nothing for a quarter more false track-seconds.
 */
export const CLOUD_KERNEL = 0;

/** The KLD-sampling bound's settings (Fox 2003). */
export interface AdaptiveCount {
  /** Fewest and most particles. */
  nMin: number;
  nMax: number;
  /** Side of a position bin (m). Default 500. */
  binM?: number;
  /** Heading bins over the circle. Default 8. */
  headingBins?: number;
  /** The bound on the Kullback-Leibler distance. Default 0.1. */
  epsilon?: number;
  /** The standard normal quantile of 1 − δ. Default 2.326 (δ = 0.01). */
  z?: number;
  /** Particles of a newly seeded cloud. Default nMax. */
  nSeed?: number;
}

export interface ParticleCloud {
  /** Particles in use (the arrays may hold more: the first n count). */
  n: number;
  /** Time of the particles' states (s). */
  t: number;
  x: Float64Array;
  y: Float64Array;
  /** Height above the ellipsoid (m). */
  h: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  /** Normalised weights (the first n). */
  w: Float64Array;
  readonly rng: () => number;
  readonly q: number;
  readonly speedMin: number;
  readonly speedMax: number;
  readonly soundSpeed: number;
  /** Each particle's speed band: 0 [speedMin, speedMax], 1 [fastMin, fastMax]. */
  band: Uint8Array;
  /** The adaptive count's settings, null for a fixed n. */
  readonly adaptive: Required<AdaptiveCount> | null;
  readonly fastShare: number;
  readonly fastMin: number;
  readonly fastMax: number;
  /** The top speed of the bands the particles hold now (m/s): how far the sound's travel time can carry a particle. */
  speedTop: number;
  /** Each particle's range scale (all 1 without a `rangeScale` prior). */
  rs: Float64Array;
  readonly rangeScale: RangeScaleSource | null;
  /**
   * The log predictive likelihood of the presence outcomes the cloud took, under each of the
   * source's values as every particle's scale (a subsample of the particles: {@link RS_SUB}); null
   * without a source. The cloud's marginal likelihood of each scale, which the network learns from.
   */
  rsLL: Float64Array | null;
  /** The largest range scale a particle may hold (1 without a prior). */
  readonly rsMax: number;
  /** The resampling kernel's bandwidth share (0: none). */
  readonly kernel: number;
}

/** The class prior's speed band (m/s) a cloud takes unless told: piston one-way attack drones, with margin. */
export const CLOUD_SPEED_BAND: readonly [number, number] = [35, 65];

/**
 * The fast band (m/s): jet one-way attack drones (Geran-3 type, about 500 km/h: 140-170 m/s),
 * helicopters and light aircraft above the piston band, with margin; cruise missiles (200 m/s
 * and more) are beyond it.
 */
export const CLOUD_FAST_BAND: readonly [number, number] = [65, 180];

export function createCloud(rng: () => number, o: CloudOptions = {}): ParticleCloud {
  const n = o.n ?? 200;
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`particle cloud: n must be an integer >= 2, got ${n}`);
  const speedMin = o.speedMin ?? CLOUD_SPEED_BAND[0];
  const speedMax = o.speedMax ?? CLOUD_SPEED_BAND[1];
  if (!(speedMin >= 0 && speedMax >= speedMin && Number.isFinite(speedMax))) throw new Error(`particle cloud: need 0 <= speedMin <= speedMax, got ${speedMin}, ${speedMax}`);
  const fastShare = o.fastShare ?? 0;
  const fastMin = o.fastMin ?? CLOUD_FAST_BAND[0];
  const fastMax = o.fastMax ?? CLOUD_FAST_BAND[1];
  if (!(fastShare >= 0 && fastShare <= 1)) throw new Error(`particle cloud: fastShare must be in [0, 1], got ${fastShare}`);
  if (!(fastMin >= 0 && fastMax >= fastMin && Number.isFinite(fastMax))) throw new Error(`particle cloud: need 0 <= fastMin <= fastMax, got ${fastMin}, ${fastMax}`);
  const adaptive = o.adaptive ? resolveAdaptive(o.adaptive) : null;
  const rsp = o.rangeScale ?? null;
  const kernel = o.kernel ?? CLOUD_KERNEL;
  if (!(kernel >= 0 && kernel <= 4)) throw new Error(`particle cloud: kernel must be in [0, 4], got ${kernel}`);
  return {
    kernel,
    rs: new Float64Array(n).fill(1),
    rangeScale: rsp,
    rsLL: rsp && o.learnScale ? new Float64Array(rsp.values.length) : null,
    rsMax: rsp ? Math.max(1, rsp.max) : 1,
    n,
    t: NaN,
    x: new Float64Array(n),
    y: new Float64Array(n),
    h: new Float64Array(n),
    vx: new Float64Array(n),
    vy: new Float64Array(n),
    w: new Float64Array(n).fill(1 / n),
    rng,
    q: o.q ?? 1,
    speedMin,
    speedMax,
    soundSpeed: o.soundSpeed ?? 343,
    band: new Uint8Array(n),
    fastShare,
    fastMin,
    fastMax,
    speedTop: fastShare > 0 ? Math.max(speedMax, fastMax) : speedMax,
    adaptive,
  };
}

/** The most particles an adaptive cloud may hold. */
export const ADAPTIVE_N_LIMIT = 100_000;

/**
 * An adaptive count's settings with their defaults, checked (the tracker checks its option
 * with this at start, so a bad one is refused there and not at the first cloud). Throws naming
 * what is wrong.
 */
export function resolveAdaptive(o: AdaptiveCount): Required<AdaptiveCount> {
  const a = { binM: 500, headingBins: 8, epsilon: 0.1, z: 2.326, nSeed: o.nMax, ...o };
  if (!(Number.isInteger(a.nMin) && a.nMin >= 2 && Number.isInteger(a.nMax) && a.nMax >= a.nMin && a.nMax <= ADAPTIVE_N_LIMIT)) throw new Error(`particle cloud: adaptive needs integers 2 <= nMin <= nMax <= ${ADAPTIVE_N_LIMIT}, got ${a.nMin}, ${a.nMax}`);
  if (!(Number.isInteger(a.nSeed) && a.nSeed >= a.nMin && a.nSeed <= a.nMax)) throw new Error(`particle cloud: adaptive nSeed must be an integer in [nMin, nMax], got ${a.nSeed}`);
  if (!(a.binM > 0 && Number.isInteger(a.headingBins) && a.headingBins >= 1 && a.headingBins <= 64 && a.epsilon > 0 && a.z > 0)) throw new Error(`particle cloud: adaptive binM, headingBins (1-64), epsilon and z must be positive, got ${a.binM}, ${a.headingBins}, ${a.epsilon}, ${a.z}`);
  return a;
}

/** Makes room for m particles (the first n kept). */
function ensureCapacity(c: ParticleCloud, m: number): void {
  if (c.x.length >= m) return;
  const grow = (a: Float64Array) => {
    const b = new Float64Array(m);
    b.set(a.subarray(0, c.n));
    return b;
  };
  c.x = grow(c.x);
  c.y = grow(c.y);
  c.h = grow(c.h);
  c.vx = grow(c.vx);
  c.vy = grow(c.vy);
  c.w = grow(c.w);
  c.rs = grow(c.rs);
  const band = new Uint8Array(m);
  band.set(c.band.subarray(0, c.n));
  c.band = band;
}

/** A seeded cloud's count: the most an adaptive one may hold (a seed is the widest the posterior gets), else n as it is. */
function seedCount(c: ParticleCloud): void {
  if (!c.adaptive) return;
  ensureCapacity(c, c.adaptive.nSeed);
  c.n = c.adaptive.nSeed;
}

/**
 * The KLD-sampling count for k occupied bins (Fox 2003, eq. 8, with the Wilson-Hilferty
 * approximation of the chi-square quantile): (k − 1)/(2ε) · (1 − 2/(9(k − 1)) + √(2/(9(k − 1)))·z)³.
 */
export function kldCount(k: number, epsilon: number, z: number): number {
  if (k <= 1) return 1;
  const a = 2 / (9 * (k - 1));
  const b = 1 - a + Math.sqrt(a) * z;
  return Math.ceil(((k - 1) / (2 * epsilon)) * b * b * b);
}

const binSet = new Set<number>();

/** Bins (position, heading, band) occupied by the first m particles of the scratch arrays. */
function occupiedBins(a: Required<AdaptiveCount>, m: number): number {
  binSet.clear();
  const hb = a.headingBins;
  for (let i = 0; i < m; i++) {
    const ix = Math.floor(scratch.x[i] / a.binM) + 100_000;
    const iy = Math.floor(scratch.y[i] / a.binM) + 100_000;
    const hd = Math.atan2(scratch.vx[i], scratch.vy[i]);
    const ih = Math.min(hb - 1, Math.floor(((hd + Math.PI) / TWO_PI) * hb));
    binSet.add(((ix * 200_000 + iy) * hb + ih) * 2 + scratch.band[i]);
  }
  return binSet.size;
}

/**
 * Gives the particles their bands at seeding, stratified: the last round(fastShare·n) take the
 * fast band, the others the class band (the draws are random in every other respect).
 */
function assignBands(c: ParticleCloud): void {
  const fast = Math.round(c.fastShare * c.n);
  for (let i = 0; i < c.n; i++) c.band[i] = i >= c.n - fast ? 1 : 0;
  c.speedTop = fast > 0 ? Math.max(c.speedMax, c.fastMax) : c.speedMax;
}

/** The top speed of the bands the particles hold (after resampling a band may be gone). */
function updateSpeedTop(c: ParticleCloud): void {
  let fast = false;
  for (let i = 0; i < c.n && !fast; i++) fast = c.band[i] === 1;
  c.speedTop = fast ? Math.max(c.speedMax, c.fastMax) : c.speedMax;
}

/**
 * Normal draws for the particles' process noise, jitter and seeding: {@link NORMAL_TABLE}
 * equiprobable points of the standard normal (the quantiles at (i + ½)/N: mean 0, variance
 * 0.9999, tails to ±4.0σ), one picked per uniform draw. One uniform and a table read
 * instead of Box-Muller's two uniforms, a logarithm, a root and two trigonometric calls: the
 * clouds' prediction was a fifth of the national replay (2026-12-05).
 */
const NORMAL_TABLE = 16384;
const NORMALS = Float64Array.from({ length: NORMAL_TABLE }, (_, i) => normalQuantile((i + 0.5) / NORMAL_TABLE));

function gauss(c: ParticleCloud): number {
  return NORMALS[(c.rng() * NORMAL_TABLE) | 0];
}

/** The tracker frame's U (m) of a point at height `h` above the ellipsoid, horizontal (x, y) from the origin. */
export function upOf(x: number, y: number, h: number): number {
  return h - (x * x + y * y) / (2 * EARTH_RADIUS);
}

/** Where a sensor heard something: its position, presence model and reach, and for an array the bearing (rad) and its one-sigma. */
export interface HeardAt {
  sx: number;
  sy: number;
  sz: number;
  model: PresenceModel;
  reach: number;
  bearing?: number;
  bearingSd?: number;
}

/** A range scale from the cloud's source (1 without one). */
function drawRangeScale(c: ParticleCloud): number {
  return c.rangeScale ? c.rangeScale.draw(c.rng()) : 1;
}

/**
 * Draws particle i from what one report says: a position in the sensor's disc (or, for an
 * array, about the bearing out to the reach) in proportion to the area and the chance of
 * being heard there (rejection on the presence model, altitude included), a height uniform
 * in [hMin, hMax], a heading from the prior (uniform without one) and a speed uniform in the band.
 */
function drawFromReport(c: ParticleCloud, i: number, at: HeardAt, hMin: number, hMax: number, top: number, headings: HeadingPrior | null): void {
  const rs = drawRangeScale(c);
  c.rs[i] = rs;
  for (let tries = 0; ; tries++) {
    const a = at.bearing !== undefined ? at.bearing + (at.bearingSd ?? 0) * gauss(c) : TWO_PI * c.rng();
    const r = at.reach * Math.max(1, rs) * Math.sqrt(c.rng());
    const x = at.sx + r * Math.sin(a);
    const y = at.sy + r * Math.cos(a);
    const h = hMin + (hMax - hMin) * c.rng();
    const dz = upOf(x, y, h) - at.sz;
    const L = hitLikelihood(at.model, Math.sqrt(r * r + dz * dz) / rs);
    if (c.rng() * top <= L || tries >= 50) {
      c.x[i] = x;
      c.y[i] = y;
      c.h[i] = h;
      break;
    }
  }
  const heading = headings ? drawHeading(headings, c.rng(), c.rng(), gauss(c)) : TWO_PI * c.rng();
  const speed = c.band[i] === 1 ? c.fastMin + (c.fastMax - c.fastMin) * c.rng() : c.speedMin + (c.speedMax - c.speedMin) * c.rng();
  c.vx[i] = speed * Math.sin(heading);
  c.vy[i] = speed * Math.cos(heading);
}

/**
 * Spreads the cloud over where a sensor at (sx, sy, sz) that just heard something can hear a
 * target: positions drawn uniformly in the disc of radius `reach`, kept in proportion to the
 * hit likelihood (rejection), heights uniform in [hMin, hMax], headings uniform, speeds
 * uniform in the band.
 */
export function seedAroundSensor(c: ParticleCloud, t: number, sx: number, sy: number, sz: number, model: PresenceModel, reach: number, hMin: number, hMax: number): void {
  seedFromReport(c, t, { sx, sy, sz, model, reach }, hMin, hMax);
}

/**
 * Spreads the cloud over what one report allows (a disc, or for an array a ray: see
 * `drawFromReport`), at time t; headings from `headings` (flow-prior.ts) when given, else
 * uniform.
 */
export function seedFromReport(c: ParticleCloud, t: number, at: HeardAt, hMin: number, hMax: number, headings: HeadingPrior | null = null): void {
  const top = hitLikelihood(at.model, 0);
  seedCount(c);
  assignBands(c);
  for (let i = 0; i < c.n; i++) drawFromReport(c, i, at, hMin, hMax, top, headings);
  c.w.fill(1 / c.n);
  c.t = t;
}

/**
 * Spreads the cloud over a Gaussian tracker state (E, N, U, VE, VN, VU and its 6×6
 * covariance, row-major) at time t: horizontal position and velocity drawn jointly from their
 * 4-D Gaussian (speeds then held in the cloud's band), heights from the vertical one, clamped
 * to [hMin, hMax]. For a track that a
 * precise sensor no longer sees and acoustic nodes go on hearing (hand-back).
 */
export function seedFromGaussian(c: ParticleCloud, t: number, x: ArrayLike<number>, p: ArrayLike<number>, hMin: number, hMax: number): void {
  // Cholesky factor of the covariance of (E, N, VE, VN): state indices 0, 1, 3, 4; a covariance
  // that is not positive definite gives its one-sigmas alone
  const idx = [0, 1, 3, 4];
  const S = new Float64Array(16);
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) S[a * 4 + b] = p[idx[a] * 6 + idx[b]];
  const L = new Float64Array(16);
  if (!cholesky(S, 4, L)) {
    L.fill(0);
    for (let a = 0; a < 4; a++) L[a * 5] = Math.sqrt(Math.max(0, S[a * 5]));
  }
  const sdU = Math.sqrt(Math.max(0, p[14]));
  const z = new Float64Array(4);
  seedCount(c);
  for (let i = 0; i < c.n; i++) {
    for (let a = 0; a < 4; a++) z[a] = gauss(c);
    const e = x[0] + L[0] * z[0];
    const n = x[1] + L[4] * z[0] + L[5] * z[1];
    c.x[i] = e;
    c.y[i] = n;
    let vx = x[3] + L[8] * z[0] + L[9] * z[1] + L[10] * z[2];
    let vy = x[4] + L[12] * z[0] + L[13] * z[1] + L[14] * z[2] + L[15] * z[3];
    const sp = Math.hypot(vx, vy);
    // the band that holds the drawn speed (the fast one above the class band, when the cloud has one)
    c.band[i] = c.fastShare > 0 && sp > c.speedMax ? 1 : 0;
    if (sp === 0 && c.speedMin > 0) {
      // a particle at rest takes its heading at random
      const a = TWO_PI * c.rng();
      vx = c.speedMin * Math.sin(a);
      vy = c.speedMin * Math.cos(a);
    } else {
      const k = bandFactor(c, sp, i);
      vx *= k;
      vy *= k;
    }
    c.vx[i] = vx;
    c.vy[i] = vy;
    // height above the ellipsoid from the frame's U (the curvature drop put back)
    const h = x[2] + sdU * gauss(c) + (e * e + n * n) / (2 * EARTH_RADIUS);
    c.h[i] = Math.min(hMax, Math.max(hMin, h));
    c.rs[i] = drawRangeScale(c);
  }
  updateSpeedTop(c);
  c.w.fill(1 / c.n);
  c.t = t;
}

/** The factor that brings a horizontal speed `s` into particle i's band (1 inside it; 0 for a particle at rest). */
function bandFactor(c: ParticleCloud, s: number, i: number): number {
  const lo = c.band[i] === 1 ? c.fastMin : c.speedMin;
  const hi = c.band[i] === 1 ? c.fastMax : c.speedMax;
  if (s <= hi && s >= lo) return 1;
  return s > 0 ? Math.min(hi, Math.max(lo, s)) / s : 0;
}

/** Moves the particles to time t (forward only; an earlier t leaves them where they are). */
export function predictCloud(c: ParticleCloud, t: number): void {
  const dt = t - c.t;
  if (!(dt > 0)) return;
  if (c.q === 0 && c.speedMax === 0) {
    // a stationary cloud (the rivals' standing source): nothing moves
    c.t = t;
    return;
  }
  const sdV = Math.sqrt(c.q * dt);
  // the speed as a square root: Math.hypot, which guards against overflow no speed comes near,
  // took ten times as long (this loop is a tenth of the national replay)
  const xs = c.x, ys = c.y, vxs = c.vx, vys = c.vy;
  for (let i = 0; i < c.n; i++) {
    const vx0 = vxs[i] + gauss(c) * sdV;
    const vy0 = vys[i] + gauss(c) * sdV;
    const k = bandFactor(c, Math.sqrt(vx0 * vx0 + vy0 * vy0), i);
    const vx = vx0 * k;
    const vy = vy0 * k;
    // position with the mean of the old and new velocity (the white-noise acceleration's integral, to first order)
    xs[i] += 0.5 * (vxs[i] + vx) * dt;
    ys[i] += 0.5 * (vys[i] + vy) * dt;
    vxs[i] = vx;
    vys[i] = vy;
  }
  c.t = t;
}

/** Slant range (m) of particle i to the sensor at (sx, sy, sz), where the particle was when the sound it made reached the sensor at the cloud's time. */
function soundRange(c: ParticleCloud, i: number, sx: number, sy: number, sz: number): number {
  let x = c.x[i] - sx;
  let y = c.y[i] - sy;
  const z = upOf(c.x[i], c.y[i], c.h[i]) - sz;
  if (c.soundSpeed > 0) {
    const lag = Math.sqrt(x * x + y * y + z * z) / c.soundSpeed;
    x -= c.vx[i] * lag;
    y -= c.vy[i] * lag;
  }
  return Math.sqrt(x * x + y * y + z * z);
}

/** {@link soundRange} of particle i as it was `back` s before the cloud's time, on its straight path (the same velocity). */
function soundRangeBack(c: ParticleCloud, i: number, back: number, sx: number, sy: number, sz: number): number {
  const px = c.x[i] - c.vx[i] * back;
  const py = c.y[i] - c.vy[i] * back;
  let x = px - sx;
  let y = py - sy;
  const z = upOf(px, py, c.h[i]) - sz;
  if (c.soundSpeed > 0) {
    const lag = Math.sqrt(x * x + y * y + z * z) / c.soundSpeed;
    x -= c.vx[i] * lag;
    y -= c.vy[i] * lag;
  }
  return Math.sqrt(x * x + y * y + z * z);
}

/** Span (dB) of the flat part of {@link levelUpdate}'s likelihood: a level of another source. */
export const LEVEL_OUTLIER_SPAN_DB = 60;

/**
 * A node's received level `db` (dB, `snr_db`) at the cloud's time, weighed against the levels
 * `pastDb` the same node gave the track `pastAgo` s before (its earlier reports of this pass), as
 * evidence of the range. Spherical spreading makes a source's level 20·log10 of the range less
 * than a constant: the source's loudness, the node's gain and its noise floor, unknown but the
 * same for one pass. With a flat prior on that constant and independent Gaussian scatter of
 * one-sigma `sd` dB per report, particle i's predictive density for the new level is Gaussian
 * about the mean of its earlier levels' constants, db_k + 20·log10(r_k) (r_k its slant range
 * `pastAgo[k]` s ago on its straight path back), less 20·log10 of its range now, with variance
 * sd²·(1 + 1/n) for n earlier levels: the constant cancels. A share `outlier` is spread flat over
 * {@link LEVEL_OUTLIER_SPAN_DB} (a report of another source). Returns the log predictive likelihood
 * (a density in dB⁻¹: compare it across hypotheses only). No earlier level: nothing (0).
 */
export function levelUpdate(c: ParticleCloud, sx: number, sy: number, sz: number, db: number, pastDb: ArrayLike<number>, pastAgo: ArrayLike<number>, count: number, sd: number, outlier = 0.05): number {
  if (count <= 0) return 0;
  const v = sd * sd * (1 + 1 / count);
  const k = (1 - outlier) / Math.sqrt(TWO_PI * v);
  const flat = outlier / LEVEL_OUTLIER_SPAN_DB;
  const h = -0.5 / v;
  const DB = 20 / Math.LN10;
  return weigh(c, (i) => {
    let mean = 0;
    for (let j = 0; j < count; j++) mean += pastDb[j] + DB * Math.log(soundRangeBack(c, i, pastAgo[j], sx, sy, sz));
    mean /= count;
    const e = db + DB * Math.log(soundRange(c, i, sx, sy, sz)) - mean;
    return k * Math.exp(h * e * e) + flat;
  });
}

/**
 * Horizontal distance (m) beyond which no particle of `c` can be heard by a sensor of `model`:
 * a particle at horizontal distance d was, when its sound left, at least d·(1 − v/c) away (v its
 * speed: the band's top, with room for the resampling jitter), so the reach over that factor.
 */
function lagReachOf(c: ParticleCloud, model: PresenceModel): number {
  const slow = c.soundSpeed > 0 ? Math.max(0.05, 1 - (1.5 * c.speedTop) / c.soundSpeed) : 1;
  return (presenceReach(model) * c.rsMax) / slow;
}

/**
 * Multiplies the weights by `like(i)` and normalises. Returns the log of the measurement's
 * predictive likelihood (the weighted mean of `like`), -Infinity when every weight vanished
 * (the weights are then left as they were: the measurement cannot be explained by the cloud).
 */
let likeScratch = new Float64Array(0);
function weigh(c: ParticleCloud, like: (i: number) => number): number {
  if (likeScratch.length < c.n) likeScratch = new Float64Array(c.n);
  const L = likeScratch;
  let sum = 0;
  for (let i = 0; i < c.n; i++) {
    L[i] = c.w[i] * like(i);
    sum += L[i];
  }
  if (!(sum > 0)) return -Infinity;
  for (let i = 0; i < c.n; i++) c.w[i] = L[i] / sum;
  return Math.log(sum);
}

/**
 * The likelihood of a presence outcome at each particle: `far` (the outcome's likelihood
 * beyond the sensor's reach) for a particle horizontally farther than the reach plus the
 * distance it covers in the sound's travel time, else `like(range)`.
 */
function presenceWeigh(c: ParticleCloud, sx: number, sy: number, sz: number, model: PresenceModel, like: (m: PresenceModel, r: number) => number, times = 1): number {
  const far = times === 1 ? like(model, Infinity) : like(model, Infinity) ** times;
  const lagReach = lagReachOf(c, model);
  const lim2 = lagReach * lagReach;
  const n = c.n;
  // the same arithmetic as `weigh` with `like(model, soundRange(...))`, in one loop with direct
  // calls: this loop is most of the acoustic tracker's time, and a call through `like` and a
  // closure per particle costs more than the sum (national bench: profile in docs/tracker.md)
  const miss = like === missLikelihood;
  if (!miss && like !== hitLikelihood) {
    return weigh(c, (i) => {
      const dx = c.x[i] - sx;
      const dy = c.y[i] - sy;
      return dx * dx + dy * dy > lim2 ? far : like(model, soundRange(c, i, sx, sy, sz) / c.rs[i]) ** times;
    });
  }
  if (likeScratch.length < n) likeScratch = new Float64Array(n);
  const L = likeScratch;
  const pfa = model.pfa;
  const xs = c.x;
  const ys = c.y;
  const w = c.w;
  const rs = c.rs;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const dx0 = xs[i] - sx;
    const dy0 = ys[i] - sy;
    let l: number;
    if (dx0 * dx0 + dy0 * dy0 > lim2) l = far;
    else {
      const p = presencePd(model, soundRange(c, i, sx, sy, sz) / rs[i]);
      l = miss ? (1 - p) * (1 - pfa) : 1 - (1 - p) * (1 - pfa);
      if (times !== 1) l **= times;
    }
    L[i] = w[i] * l;
    sum += L[i];
  }
  if (!(sum > 0)) return -Infinity;
  for (let i = 0; i < n; i++) w[i] = L[i] / sum;
  return Math.log(sum);
}

/** Particles (about) of the subsample that weighs each presence outcome under every range scale. */
export const RS_SUB = 16;
let rsAcc = new Float64Array(0);

/**
 * Adds to `c.rsLL` the log predictive likelihood of one presence outcome under each of the
 * range-scale source's values, from a subsample of the particles as they are before the outcome
 * weighs them: a hit of `nodes[0]` (`hit`), or the silences of the first `count` nodes (their
 * misses multiply at each particle).
 */
function scaleEvidence(c: ParticleCloud, nodes: readonly SilentNode[], count: number, hit: boolean): void {
  const src = c.rangeScale;
  const ll = c.rsLL;
  if (!src || !ll) return;
  const v = src.values;
  const K = v.length;
  if (rsAcc.length < 2 * K) rsAcc = new Float64Array(2 * K);
  rsAcc.fill(0, 0, K);
  const stride = Math.max(1, Math.floor(c.n / RS_SUB));
  let wsum = 0;
  for (let i = 0; i < c.n; i += stride) {
    const w = c.w[i];
    for (let k = 0; k < K; k++) rsAcc[K + k] = w;
    for (let j = 0; j < count; j++) {
      const { sx, sy, sz, model, times } = nodes[j];
      const q = 1 - model.pfa;
      // beyond the node's reach at the largest scale no value hears the particle: a silence's
      // miss is (1 − pfa)^times whatever the scale, a factor every particle and value share,
      // left out (the evidence is compared across values only); a hit's likelihood is pfa
      const lagReach = lagReachOf(c, model);
      const dx = c.x[i] - sx;
      const dy = c.y[i] - sy;
      if (dx * dx + dy * dy > lagReach * lagReach) {
        if (hit) for (let k = 0; k < K; k++) rsAcc[K + k] = w * (1 - q);
        continue;
      }
      const r = soundRange(c, i, sx, sy, sz);
      for (let k = 0; k < K; k++) {
        const pd = presencePd(model, r / v[k]);
        if (hit) rsAcc[K + k] = w * (1 - (1 - pd) * q);
        else rsAcc[K + k] *= times === 1 ? 1 - pd : (1 - pd) ** times;
      }
    }
    wsum += w;
    for (let k = 0; k < K; k++) rsAcc[k] += rsAcc[K + k];
  }
  if (!(wsum > 0)) return;
  for (let k = 0; k < K; k++) ll[k] += Math.log(rsAcc[k] / wsum + 1e-300);
}

/** The one node of a hit, as {@link scaleEvidence} takes it (reused). */
const hitNode: SilentNode[] = [{ sx: 0, sy: 0, sz: 0, model: null as unknown as PresenceModel, times: 1 }];

/** A hit of the sensor at (sx, sy, sz) in the cloud's range-scale evidence. */
function scaleEvidenceHit(c: ParticleCloud, sx: number, sy: number, sz: number, model: PresenceModel): void {
  if (!c.rsLL) return;
  const h = hitNode[0];
  h.sx = sx;
  h.sy = sy;
  h.sz = sz;
  h.model = model;
  scaleEvidence(c, hitNode, 1, true);
}

/**
 * An array's bearing is a detection too: its node heard something. The bearing weighs the cloud
 * (`bearingUpdate`); this adds that hit to the cloud's range-scale evidence, as a presence
 * report's does (without it only the array's silences told the scale: the network learnt 0.7-0.9
 * where half the nodes were arrays at their true ranges, 0.9-1.0 without arrays).
 */
export function bearingHitEvidence(c: ParticleCloud, sx: number, sy: number, sz: number, model: PresenceModel): void {
  scaleEvidenceHit(c, sx, sy, sz, model);
}

/** A presence report of the sensor at (sx, sy, sz) at the cloud's time. */
export function presenceHit(c: ParticleCloud, sx: number, sy: number, sz: number, model: PresenceModel): number {
  scaleEvidenceHit(c, sx, sy, sz, model);
  return presenceWeigh(c, sx, sy, sz, model, hitLikelihood);
}

/** A node that stayed silent, as {@link presenceMissAll} takes it: where it is, its model, and how many report intervals it missed. */
export interface SilentNode {
  sx: number;
  sy: number;
  sz: number;
  model: PresenceModel;
  times: number;
}

/**
 * The silences of several nodes at the cloud's time in one pass: the same update as
 * {@link presenceMiss} node after node (their misses are independent given the target's
 * place), with one normalisation. Returns the log of their joint predictive likelihood (the
 * sum of the sequential ones). When the product vanishes at every particle, the nodes are
 * taken one after another and those that no particle can explain are left out (their
 * `presenceMiss` is -Infinity).
 */
export function presenceMissAll(c: ParticleCloud, nodes: readonly SilentNode[], count = nodes.length): number {
  if (count === 0) return 0;
  scaleEvidence(c, nodes, count, false);
  const n = c.n;
  if (likeScratch.length < n) likeScratch = new Float64Array(n);
  const L = likeScratch;
  const xs = c.x;
  const ys = c.y;
  const w = c.w;
  const rs = c.rs;
  // beyond its reach a node's silence is (1 − pfa)^times for every particle: a common factor
  let farAll = 1;
  for (let k = 0; k < count; k++) farAll *= (1 - nodes[k].model.pfa) ** nodes[k].times;
  for (let i = 0; i < n; i++) L[i] = w[i];
  for (let j = 0; j < count; j++) {
    const { sx, sy, sz, model, times } = nodes[j];
    const lagReach = lagReachOf(c, model);
    const lim2 = lagReach * lagReach;
    for (let i = 0; i < n; i++) {
      const dx0 = xs[i] - sx;
      const dy0 = ys[i] - sy;
      if (dx0 * dx0 + dy0 * dy0 > lim2) continue;
      const m = 1 - presencePd(model, soundRange(c, i, sx, sy, sz) / rs[i]);
      // relative to the far factor (1 − pfa)^times, which every particle shares
      L[i] *= times === 1 ? m : m ** times;
    }
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += L[i];
  if (!(sum > 0)) {
    // the product vanished everywhere (a node no particle can be silent at, or underflow): one
    // node after another, so that only the impossible ones are left out
    let total = 0;
    for (let k = 0; k < count; k++) {
      const { sx, sy, sz, model, times } = nodes[k];
      const l = presenceMiss(c, sx, sy, sz, model, times);
      if (l > -Infinity) total += l;
    }
    return total;
  }
  for (let i = 0; i < n; i++) w[i] = L[i] / sum;
  return Math.log(sum) + Math.log(farAll);
}

/**
 * `times` report intervals of the sensor without a report, at the cloud's time (negative
 * information; the intervals' misses are taken as independent, at the cloud's present place).
 */
export function presenceMiss(c: ParticleCloud, sx: number, sy: number, sz: number, model: PresenceModel, times = 1): number {
  return presenceWeigh(c, sx, sy, sz, model, missLikelihood, times);
}

/**
 * A bearing (rad, clockwise from north, in the tracker frame's horizontal plane) from the
 * sensor at (sx, sy, sz), one-sigma `sd`; `outlier` is the share of bearings that point
 * anywhere (a uniform share of the likelihood). `reach` (m): the sensor hears no farther.
 */
export function bearingUpdate(c: ParticleCloud, sx: number, sy: number, sz: number, bearing: number, sd: number, reach: number, outlier = 0.05): number {
  const k = 1 / (Math.sqrt(TWO_PI) * sd);
  const u = 1 / TWO_PI;
  return weigh(c, (i) => {
    const dx = c.x[i] - sx;
    const dy = c.y[i] - sy;
    if (dx * dx + dy * dy > reach * reach) return outlier * u * 0.1;
    let d = Math.atan2(dx, dy) - bearing;
    d -= TWO_PI * Math.round(d / TWO_PI);
    return (1 - outlier) * k * Math.exp((-0.5 * d * d) / (sd * sd)) + outlier * u;
  });
}

/** A horizontal position estimate (x, y) with one-sigma `sd` (m) per axis, robust to outliers. */
export function pointUpdate(c: ParticleCloud, x: number, y: number, sd: number, outlier = 0.05): number {
  const v = sd * sd;
  const floor = outlier * Math.exp(-0.5 * 25); // beyond 5 sigma, a flat share
  return weigh(c, (i) => {
    const dx = c.x[i] - x;
    const dy = c.y[i] - y;
    return (1 - outlier) * Math.exp((-0.5 * (dx * dx + dy * dy)) / v) + floor;
  });
}

/** The weight of the particles within `r` m (horizontally) of (x, y). */
export function massWithin(c: ParticleCloud, x: number, y: number, r: number): number {
  const r2 = r * r;
  let m = 0;
  for (let i = 0; i < c.n; i++) {
    const dx = c.x[i] - x;
    const dy = c.y[i] - y;
    if (dx * dx + dy * dy <= r2) m += c.w[i];
  }
  return m;
}

/** Effective sample size 1/Σw². */
export function effectiveSize(c: ParticleCloud): number {
  let s = 0;
  for (let i = 0; i < c.n; i++) s += c.w[i] * c.w[i];
  return 1 / s;
}

const scratch = { x: new Float64Array(0), y: new Float64Array(0), h: new Float64Array(0), vx: new Float64Array(0), vy: new Float64Array(0), rs: new Float64Array(0), band: new Uint8Array(0) };

const kernel = new Float64Array(6);

/**
 * The resampling kernel of a cloud of n particles (before resampling): the lower Cholesky
 * factors of its weighted position covariance (into k[0..2]: l11, l21, l22) and velocity
 * covariance (k[3..5]), times `share` of the Gaussian-optimal bandwidth for d = 4.
 */
function kernelOf(c: ParticleCloud, n: number, share: number, k: Float64Array): void {
  const w = c.w, xs = c.x, ys = c.y, us = c.vx, vs = c.vy;
  let mx = 0, my = 0, mu = 0, mv = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    mx += wi * xs[i];
    my += wi * ys[i];
    mu += wi * us[i];
    mv += wi * vs[i];
  }
  let sxx = 0, sxy = 0, syy = 0, suu = 0, suv = 0, svv = 0;
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    const dx = xs[i] - mx, dy = ys[i] - my, du = us[i] - mu, dv = vs[i] - mv;
    sxx += wi * dx * dx;
    sxy += wi * dx * dy;
    syy += wi * dy * dy;
    suu += wi * du * du;
    suv += wi * du * dv;
    svv += wi * dv * dv;
  }
  const h = share * Math.pow(4 / (n * 6), 1 / 8);
  cholesky2(sxx, sxy, syy, h, k, 0);
  cholesky2(suu, suv, svv, h, k, 3);
}

/** h times the lower Cholesky factor of [[a, b], [b, d]] into k[o], k[o+1], k[o+2] (a degenerate matrix gives what it can). */
function cholesky2(a: number, b: number, d: number, h: number, k: Float64Array, o: number): void {
  const l11 = Math.sqrt(Math.max(a, 0));
  const l21 = l11 > 0 ? b / l11 : 0;
  const l22 = Math.sqrt(Math.max(d - l21 * l21, 0));
  k[o] = h * l11;
  k[o + 1] = h * l21;
  k[o + 2] = h * l22;
}

/**
 * Systematic resampling, then a jitter of the copies (regularisation): positions by
 * `jitter` m, velocities by a tenth of that per second, and, with the cloud's `kernel` > 0, a
 * Gaussian kernel shaped like the cloud itself: the regularised particle filter (Musso, Oudjane
 * & Le Gland, "Improving regularised particle filters", in Doucet, de Freitas & Gordon (eds.),
 * Sequential Monte Carlo Methods in Practice, Springer 2001, ch. 12). Each copy moves by
 * h·L·ε, L the Cholesky factor of the weighted covariance of the particles' positions (and,
 * apart, of their velocities) before resampling, ε standard normal, and h the `kernel` times
 * the bandwidth that is optimal for a Gaussian density in d = 4 dimensions,
 * (4 / (n (d + 2)))^(1 / (d + 4)) (0.49 for 200 particles). Resampling alone only copies
 * particles: a cloud that took a few sharp reports collapses onto a handful of states and can
 * no longer follow a turn it did not draw; a fixed jitter of tens of metres does not refill a
 * cloud that is kilometres wide. Only when the effective size is
 * below `threshold`·n; returns whether it resampled.
 */
export function resampleCloud(c: ParticleCloud, threshold = 0.5, jitter = 30): boolean {
  if (effectiveSize(c) >= threshold * c.n) return false;
  const n = c.n;
  // the kernel (regularisation): the cloud's weighted covariance of position and of velocity,
  // taken before the copies are made, as Cholesky factors scaled by the bandwidth
  const k = kernel;
  if (c.kernel > 0) kernelOf(c, n, c.kernel, k);
  else k.fill(0);
  const u0 = c.rng();
  systematic(c, n, u0);
  let m = n;
  if (c.adaptive) {
    // as many as the occupied bins of this draw call for; drawn again (same offset) when that differs
    const a = c.adaptive;
    m = Math.min(a.nMax, Math.max(a.nMin, kldCount(occupiedBins(a, n), a.epsilon, a.z)));
    if (m !== n) systematic(c, m, u0);
    ensureCapacity(c, m);
    c.n = m;
  }
  const regularise = c.kernel > 0;
  for (let i = 0; i < m; i++) {
    if (regularise) {
      const a = gauss(c), b = gauss(c), e = gauss(c), f = gauss(c);
      c.x[i] = scratch.x[i] + jitter * gauss(c) + k[0] * a;
      c.y[i] = scratch.y[i] + jitter * gauss(c) + k[1] * a + k[2] * b;
      c.vx[i] = scratch.vx[i] + 0.1 * jitter * gauss(c) + k[3] * e;
      c.vy[i] = scratch.vy[i] + 0.1 * jitter * gauss(c) + k[4] * e + k[5] * f;
      c.h[i] = scratch.h[i];
      c.rs[i] = scratch.rs[i];
      c.band[i] = scratch.band[i];
      continue;
    }
    c.x[i] = scratch.x[i] + jitter * gauss(c);
    c.y[i] = scratch.y[i] + jitter * gauss(c);
    c.h[i] = scratch.h[i];
    c.rs[i] = scratch.rs[i];
    c.vx[i] = scratch.vx[i] + 0.1 * jitter * gauss(c);
    c.vy[i] = scratch.vy[i] + 0.1 * jitter * gauss(c);
    c.band[i] = scratch.band[i];
  }
  if (c.fastShare > 0) updateSpeedTop(c);
  c.w.fill(1 / m, 0, m);
  return true;
}

/** Systematic resampling of the cloud's n weighted particles into m copies in the scratch arrays (offset u0·(1/m)). */
function systematic(c: ParticleCloud, m: number, u0: number): void {
  if (scratch.x.length < m) {
    scratch.x = new Float64Array(m);
    scratch.y = new Float64Array(m);
    scratch.h = new Float64Array(m);
    scratch.vx = new Float64Array(m);
    scratch.vy = new Float64Array(m);
    scratch.rs = new Float64Array(m);
    scratch.band = new Uint8Array(m);
  }
  const n = c.n;
  const step = 1 / m;
  let u = u0 * step;
  let cum = c.w[0];
  let j = 0;
  for (let i = 0; i < m; i++) {
    while (u > cum && j < n - 1) cum += c.w[++j];
    scratch.x[i] = c.x[j];
    scratch.y[i] = c.y[j];
    scratch.h[i] = c.h[j];
    scratch.rs[i] = c.rs[j];
    scratch.vx[i] = c.vx[j];
    scratch.vy[i] = c.vy[j];
    scratch.band[i] = c.band[j];
    u += step;
  }
}

/**
 * The cloud's mean and covariance as a tracker state (E, N, U, VE, VN, VU; 6 and 6×6
 * row-major) at the cloud's time. The vertical speed is taken as 0 ± `vuSd`.
 */
export function cloudMoments(c: ParticleCloud, xOut: Float64Array, pOut: Float64Array, vuSd = 3): void {
  const n = c.n;
  let mx = 0, my = 0, mz = 0, mvx = 0, mvy = 0;
  for (let i = 0; i < n; i++) {
    const w = c.w[i];
    mx += w * c.x[i];
    my += w * c.y[i];
    mz += w * upOf(c.x[i], c.y[i], c.h[i]);
    mvx += w * c.vx[i];
    mvy += w * c.vy[i];
  }
  xOut[0] = mx;
  xOut[1] = my;
  xOut[2] = mz;
  xOut[3] = mvx;
  xOut[4] = mvy;
  xOut[5] = 0;
  pOut.fill(0);
  // the lower triangle of the weighted scatter of (E N U VE VN) = state indices 0 1 2 3 4, in
  // scalars (the same products summed in the same order as an indexed loop: the same numbers)
  let s00 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s22 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0, s40 = 0, s41 = 0, s42 = 0, s43 = 0, s44 = 0;
  const xs = c.x, ys = c.y, hs = c.h, vxs = c.vx, vys = c.vy, ws = c.w;
  for (let i = 0; i < n; i++) {
    const w = ws[i];
    const d0 = xs[i] - mx;
    const d1 = ys[i] - my;
    const d2 = upOf(xs[i], ys[i], hs[i]) - mz;
    const d3 = vxs[i] - mvx;
    const d4 = vys[i] - mvy;
    const w0 = w * d0, w1 = w * d1, w2 = w * d2, w3 = w * d3, w4 = w * d4;
    s00 += w0 * d0;
    s10 += w1 * d0;
    s11 += w1 * d1;
    s20 += w2 * d0;
    s21 += w2 * d1;
    s22 += w2 * d2;
    s30 += w3 * d0;
    s31 += w3 * d1;
    s32 += w3 * d2;
    s33 += w3 * d3;
    s40 += w4 * d0;
    s41 += w4 * d1;
    s42 += w4 * d2;
    s43 += w4 * d3;
    s44 += w4 * d4;
  }
  pOut[0] = s00;
  pOut[6] = s10;
  pOut[7] = s11;
  pOut[12] = s20;
  pOut[13] = s21;
  pOut[14] = s22;
  pOut[18] = s30;
  pOut[19] = s31;
  pOut[20] = s32;
  pOut[21] = s33;
  pOut[24] = s40;
  pOut[25] = s41;
  pOut[26] = s42;
  pOut[27] = s43;
  pOut[28] = s44;
  for (let a = 0; a < 6; a++) for (let b = 0; b < a; b++) pOut[b * 6 + a] = pOut[a * 6 + b];
  pOut[5 * 6 + 5] = vuSd * vuSd;
  // a floor: a cloud collapsed onto few copies still has some spread
  pOut[0] += 25;
  pOut[7] += 25;
  pOut[14] += 25;
  pOut[21] += 1;
  pOut[28] += 1;
}
