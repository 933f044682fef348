import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenBucket, refillBucket, takeTokens, tokensAt } from './token-bucket.js';

describe('token bucket', () => {
  it('starts full and refuses what it does not hold, taking nothing then', () => {
    const b = createTokenBucket(10, 3, 100);
    assert.equal(takeTokens(b, 1, 100), true);
    assert.equal(takeTokens(b, 2, 100), true);
    assert.equal(takeTokens(b, 1, 100), false);
    assert.equal(b.tokens, 0);
    // 0.25 s at 10 a second: 2.5 tokens; 3 are refused and none taken, 2 are given
    assert.equal(takeTokens(b, 3, 100.25), false);
    assert.equal(b.tokens, 2.5);
    assert.equal(takeTokens(b, 2, 100.25), true);
    assert.equal(b.tokens, 0.5);
  });

  it('refills at its rate up to its burst, whatever the time elapsed', () => {
    const b = createTokenBucket(1000, 500, 0);
    assert.equal(takeTokens(b, 500, 0), true);
    assert.equal(tokensAt(b, 0.1), 100);
    assert.equal(tokensAt(b, 3600), 500);
    // reading does not change the bucket; refilling does
    assert.equal(b.tokens, 0);
    refillBucket(b, 0.2);
    assert.equal(b.tokens, 200);
    assert.equal(b.at, 0.2);
  });

  it('takes several units at once (bytes of one datagram)', () => {
    const b = createTokenBucket(1024, 1024, 5);
    assert.equal(takeTokens(b, 1000, 5), true);
    assert.equal(takeTokens(b, 100, 5), false);
    assert.equal(takeTokens(b, 24, 5), true);
    assert.equal(takeTokens(b, 1024, 6), true);
  });
});
