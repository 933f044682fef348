import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, FUZZ_SCALE as SCALE, mutateBytes, randInt, randomBytes, scaled } from '../testing/fuzz.js';
import { decodeCat062, encodeCat062Blocks, type Cat062DecodeResult } from './index.js';


function check(r: Cat062DecodeResult): Cat062DecodeResult {
  assert.ok(Array.isArray(r.records));
  if (!r.ok) {
    assert.equal(typeof r.reason, 'string');
    assert.ok(r.reason.length > 0);
  }
  for (const rec of r.records) {
    assert.ok(rec.items.length > 0);
    if (rec.latDeg !== undefined) assert.ok(rec.latDeg >= -90 && rec.latDeg <= 90);
    if (rec.lonDeg !== undefined) assert.ok(rec.lonDeg >= -180 && rec.lonDeg < 180);
    for (const v of [rec.ve, rec.vn, rec.vu, rec.altM, rec.timeOfDayS, rec.t]) if (v !== undefined) assert.ok(Number.isFinite(v));
  }
  return r;
}

const MUTATED = scaled(10000);
const RANDOM = scaled(3000);

test(`decodeCat062 never throws on ${MUTATED} mutated and ${RANDOM} random buffers (seeded)`, () => {
  const rand = createPrng(0xa57);
  const seeds = [0, 1, 2, 3].map((k) =>
    encodeCat062Blocks(
      Array.from({ length: 1 + k * 3 }, (_, i) => ({
        sac: 1, sic: 2, serviceId: k, t: 1764000000 + i, latDeg: 37 + i / 10, lonDeg: 127 - i / 10, ve: 10 * i, vn: -5, vu: i % 2 ? 1.5 : undefined,
        trackNumber: 100 + i, altM: i % 3 ? 300 : undefined, ageS: i, cartesian: i % 2 ? { x: 100 * i, y: -50 } : undefined,
        status: { coasting: i % 2 === 0, first: i === 0 },
      })),
    )[0]!,
  );
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < MUTATED; i++) {
    const input = mutateBytes(rand, seeds[i % seeds.length]!, 1 + randInt(rand, 5));
    const r = decodeCat062(input, { referenceTime: 1764000000 });
    check(r);
    if (r.ok) ok++;
    else failed++;
  }
  let randomOk = 0;
  for (let i = 0; i < RANDOM; i++) {
    const b = randomBytes(rand, 300);
    if (i % 2 === 0 && b.length >= 3) {
      b[0] = 62; // mostly CAT062 headers with a consistent LEN, so that records get parsed
      b[1] = b.length >> 8;
      b[2] = b.length & 0xff;
    }
    if (check(decodeCat062(b)).ok) randomOk++;
  }
  console.log(`fuzz cat062: ${MUTATED + RANDOM} inputs, ${ok + randomOk} accepted, ${failed + RANDOM - randomOk} refused`);
  assert.ok(ok > 500 * SCALE && failed > 3000 * SCALE, `ok ${ok}, failed ${failed}`);
});

test('decodeCat062 answers a non-Uint8Array with an error', () => {
  const r = decodeCat062('x' as unknown as Uint8Array);
  assert.ok(!r.ok && /Uint8Array/.test(r.reason));
});
