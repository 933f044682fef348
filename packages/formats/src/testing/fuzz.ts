import { mulberry32 } from '@skywarden/core';
/**
 * Deterministic input generators for the decoders' fuzz tests: a seeded PRNG (mulberry32) and
 * mutations of valid inputs (bit flips, byte changes, deletions, insertions, duplications,
 * truncations). Test support only; not exported from the package.
 */

export { mulberry32 as createPrng };

/** SKYWARDEN_FUZZ_SCALE (a positive number, default 1) multiplies the number of inputs (`npm run test:faults` runs 50). */
function fuzzScale(): number {
  const raw = process.env.SKYWARDEN_FUZZ_SCALE;
  if (raw === undefined || raw === '') return 1;
  const s = Number(raw);
  if (!(s > 0 && s < Infinity)) throw new Error(`SKYWARDEN_FUZZ_SCALE must be a positive number, got ${JSON.stringify(raw)}`);
  return s;
}
export const FUZZ_SCALE = fuzzScale();
/** `n` inputs times the fuzz scale (at least 1). */
export const scaled = (n: number): number => Math.max(1, Math.round(n * FUZZ_SCALE));

/** An integer in [0, n). */
export function randInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/** Random bytes of length [0, maxLen]. */
export function randomBytes(rand: () => number, maxLen: number): Uint8Array {
  const out = new Uint8Array(randInt(rand, maxLen + 1));
  for (let i = 0; i < out.length; i++) out[i] = randInt(rand, 256);
  return out;
}

/** Applies 1 to `maxEdits` random edits to a copy of `input`. */
export function mutateBytes(rand: () => number, input: Uint8Array, maxEdits = 4): Uint8Array {
  let b = Array.from(input);
  const edits = 1 + randInt(rand, maxEdits);
  for (let e = 0; e < edits; e++) {
    const at = randInt(rand, b.length + 1);
    switch (randInt(rand, 7)) {
      case 0: // flip a bit
        if (b.length > 0) b[at % b.length]! ^= 1 << randInt(rand, 8);
        break;
      case 1: // set a byte
        if (b.length > 0) b[at % b.length] = randInt(rand, 256);
        break;
      case 2: // set a byte to an edge value
        if (b.length > 0) b[at % b.length] = [0, 0xff, 0x7f, 0x80, 1][randInt(rand, 5)]!;
        break;
      case 3: // delete a run
        b.splice(at, 1 + randInt(rand, 8));
        break;
      case 4: // insert random bytes
        b.splice(at, 0, ...Array.from({ length: 1 + randInt(rand, 8) }, () => randInt(rand, 256)));
        break;
      case 5: // duplicate a run
        b.splice(at, 0, ...b.slice(at, at + 1 + randInt(rand, 16)));
        break;
      default: // truncate
        b = b.slice(0, at);
    }
  }
  return Uint8Array.from(b);
}

/** Applies 1 to `maxEdits` random edits to a string, with characters drawn from `alphabet`. */
export function mutateString(rand: () => number, input: string, alphabet: string, maxEdits = 4): string {
  let s = input;
  const edits = 1 + randInt(rand, maxEdits);
  for (let e = 0; e < edits; e++) {
    const at = randInt(rand, s.length + 1);
    const ch = (): string => alphabet[randInt(rand, alphabet.length)]!;
    switch (randInt(rand, 5)) {
      case 0:
        s = s.slice(0, at) + ch() + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + randInt(rand, 12));
        break;
      case 2:
        s = s.slice(0, at) + ch() + ch() + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + s.slice(at, at + randInt(rand, 40)) + s.slice(at);
        break;
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}
