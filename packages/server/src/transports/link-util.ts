/**
 * Small pieces shared by the outgoing links (tak-cot.ts, sapient-parent.ts): reading the PEM
 * files of a TLS setting, and the doubling wait between reconnections.
 */
import { readFileSync } from 'node:fs';

/** The bytes of a PEM file named by `setting` (e.g. `tak.tls.cert`); an error naming the setting and the file when it cannot be read. */
export function readPemFile(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${setting} ${path}: ${(err as Error).message}`);
  }
}

/** Waits between reconnections: 1 s, then doubling up to `maxS` (≥ 1); `reset` after a good connection. */
export function createBackoff(maxS: number) {
  let failures = 0;
  return {
    /** The wait (s) before the next attempt, counting one more failure. */
    next(): number {
      const wait = Math.min(maxS, 2 ** Math.min(failures, 30));
      failures++;
      return wait;
    },
    reset(): void {
      failures = 0;
    },
    /** Failures since the last reset. */
    get failures(): number {
      return failures;
    },
  };
}
