/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): a tiny seeded uniform source in [0, 1) for
 * tests, fuzzing and synthetic data, where a short period (2^32) is plenty. Not cryptographic.
 * The simulator uses the stronger sfc32 (`@skywarden/sim` rng).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
