import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pct, statusFigures, type Reading } from './status.js';

const reading = (t: number, accepted: number, taken: number, refused: Record<string, number>, rejected: Record<string, number> = {}, pending = 0): Reading => ({ t, ingest: { accepted, duplicates: 0, rejected, refused, taken, pending } });

test('rates and shares over the interval between two readings', () => {
  const a = reading(100, 1000, 790, { late: 200, duplicate: 10 }, { invalid_detection: 5 });
  const b = reading(110, 1500, 1190, { late: 290, duplicate: 10, no_anchor: 10 }, { invalid_detection: 5, unknown_sensor: 25 }, 12);
  const f = statusFigures(b, a);
  assert.equal(f.ratePerS, 50);
  // offered to the fusion in the interval: 400 taken + 100 refused
  assert.equal(f.refusedShare, 100 / 500);
  assert.deepEqual(f.refusedBy, [{ reason: 'late', n: 90, share: 90 / 500 }, { reason: 'no_anchor', n: 10, share: 10 / 500 }]);
  // rows sent in the interval: 500 accepted + 25 rejected
  assert.equal(f.rejectedShare, 25 / 525);
  assert.deepEqual(f.rejectedBy.map((x) => x.reason), ['unknown_sensor']);
  assert.equal(f.pending, 12);
  assert.equal(f.windowed, true);
});

test('a single reading: the shares since the start, no rate; nothing offered: no share', () => {
  const f = statusFigures(reading(5, 100, 79, { late: 21 }), null);
  assert.equal(f.ratePerS, null);
  assert.equal(f.refusedShare, 0.21);
  assert.equal(f.windowed, false);
  assert.equal(statusFigures(reading(5, 0, 0, {}), null).refusedShare, null);
  // a reading not later than the previous one (server restarted, clock reset) counts from the start
  assert.equal(statusFigures(reading(5, 10, 10, {}), reading(50, 900, 900, {})).windowed, false);
  assert.equal(pct(0.21), '21 %');
  assert.equal(pct(0.004), '0.4 %');
  assert.equal(pct(0), '0 %');
});
