/**
 * A small, fast, seeded pseudo-random number generator for simulations, tests and benchmarks.
 *
 * Generator: sfc32 ("Small Fast Counting", Chris Doty-Humphrey, PractRand 0.94), a 128-bit
 * state generator with a 32-bit output that passes PractRand and BigCrush. Its four state words
 * are filled from the seed by splitmix32 (a 32-bit variant of Steele, Lea & Flood's SplitMix,
 * "Fast splittable pseudorandom number generators", OOPSLA 2014, with the finaliser constants
 * of Chris Wellons' hash-prospector), and the first 15 outputs are discarded, as PractRand's
 * author recommends for sfc.
 *
 * Not cryptographic. Same seed, same sequence, on every platform (only 32-bit integer
 * arithmetic and IEEE doubles are used).
 */

/** A seeded random source. Every method advances the one shared state. */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform in [a, b). */
  uniform(a: number, b: number): number;
  /** Gaussian with the given mean and standard deviation (Box–Muller; pairs are cached). */
  normal(mean?: number, sd?: number): number;
  /** Uniform integer in [a, b], both ends included; a and b must be integers with a ≤ b (span up to 2^32). */
  int(a: number, b: number): number;
  /** Poisson-distributed count with mean `lambda` ≥ 0 (Knuth below 30, Hörmann's PTRS above). */
  poisson(lambda: number): number;
  /** One element of a non-empty array, uniformly. */
  pick<T>(arr: readonly T[]): T;
}

const TWO_POW_32 = 4294967296;

/** splitmix32: a stream of well-mixed 32-bit words from a 32-bit seed (used to fill sfc32's state). */
function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** Folds a seed (any safe integer, negative allowed) into 32 bits without discarding the high part. */
function foldSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`createRng: seed must be a safe integer, got ${seed}`);
  }
  const lo = seed % TWO_POW_32 >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  return (lo ^ Math.imul(hi, 0x85ebca6b)) >>> 0;
}

/**
 * Derives an independent seed from a base seed and a label (for example a sensor id), so that
 * each part of a scene draws from its own stream and adding one sensor does not change the
 * noise of another. FNV-1a over the label's UTF-16 code units, mixed with the seed.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ foldSeed(seed);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h)();
}

/** ln(k!) for k = 0..9 exactly, Stirling's series above (error below 1e-10). */
const LN_FACT_SMALL = [0, 0, Math.log(2), Math.log(6), Math.log(24), Math.log(120), Math.log(720), Math.log(5040), Math.log(40320), Math.log(362880)];
function lnFactorial(k: number): number {
  if (k < 10) return LN_FACT_SMALL[k];
  const k2 = k * k;
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + 1 / (12 * k) - 1 / (360 * k * k2) + 1 / (1260 * k2 * k2 * k);
}

/**
 * Creates a generator. `seed` is any safe integer; different seeds give unrelated sequences.
 * Throws a RangeError for a seed that is not a safe integer.
 */
export function createRng(seed: number): Rng {
  const sm = splitmix32(foldSeed(seed));
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();

  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) nextU32();

  const next = (): number => nextU32() / TWO_POW_32;

  let spare = 0;
  let hasSpare = false;
  const standardNormal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const u1 = 1 - next(); // (0, 1]: log is finite
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const th = 2 * Math.PI * u2;
    spare = r * Math.sin(th);
    hasSpare = true;
    return r * Math.cos(th);
  };

  const poisson = (lambda: number): number => {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) {
      throw new RangeError(`poisson: lambda must be finite and >= 0, got ${lambda}`);
    }
    if (lambda === 0) return 0;
    if (lambda < 30) {
      // Knuth, TAOCP vol. 2, 3.4.1: multiply uniforms until the product drops below e^-λ.
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    }
    // PTRS: W. Hörmann, "The transformed rejection method for generating Poisson random
    // variables", Insurance: Mathematics and Economics 12 (1993) 39-45.
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const bb = 0.931 + 2.53 * slam;
    const aa = -0.059 + 0.02483 * bb;
    const invalpha = 1.1239 + 1.1328 / (bb - 3.4);
    const vr = 0.9277 - 3.6224 / (bb - 2);
    while (true) {
      const u = next() - 0.5;
      const v = next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * aa) / us + bb) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(aa / (us * us) + bb) <= -lambda + k * loglam - lnFactorial(k)) return k;
    }
  };

  const int = (lo: number, hi: number): number => {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      throw new RangeError(`int: need integers a <= b, got a=${lo}, b=${hi}`);
    }
    return lo + Math.floor(next() * (hi - lo + 1));
  };

  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: (mean = 0, sd = 1) => mean + sd * standardNormal(),
    int,
    poisson,
    pick<T>(arr: readonly T[]): T {
      if (arr.length === 0) throw new RangeError('pick: empty array');
      return arr[Math.floor(next() * arr.length)];
    },
  };
}
