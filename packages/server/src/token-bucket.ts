/**
 * A token bucket: at most `burst` tokens, refilled at `ratePerS` a second by the clock. The
 * ingest's per-sensor rate limits count detections with it, the CoT listener the bytes it reads.
 * Times are seconds on any clock, one clock per bucket.
 */
export interface TokenBucket {
  tokens: number;
  /** When `tokens` was last brought up to date (s). */
  at: number;
  ratePerS: number;
  burst: number;
}

/** A full bucket at time `now`. */
export function createTokenBucket(ratePerS: number, burst: number, now: number): TokenBucket {
  return { tokens: burst, at: now, ratePerS, burst };
}

/** The tokens `b` holds at time `now`: refilled at its rate since it was last brought up to date, at most its burst (the bucket is not changed). */
export function tokensAt(b: TokenBucket, now: number): number {
  return Math.min(b.burst, b.tokens + (now - b.at) * b.ratePerS);
}

/** Brings `b` up to time `now`. */
export function refillBucket(b: TokenBucket, now: number): void {
  b.tokens = tokensAt(b, now);
  b.at = now;
}

/** Takes `n` tokens from `b` at time `now` when it holds them (true), else takes none (false). */
export function takeTokens(b: TokenBucket, n: number, now: number): boolean {
  refillBucket(b, now);
  if (b.tokens < n) return false;
  b.tokens -= n;
  return true;
}
