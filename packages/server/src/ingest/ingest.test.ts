/**
 * The ingest's answer once its detections are journalled: what the live picture refused is
 * named (not_fused), and a picture that throws does not leave the callers waiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createIngest } from './ingest.js';
import { createSensorRegistry } from '../sensors.js';
import { createSqliteStore } from '../store/index.js';
import { tempDir } from '../testing.js';

async function setup(onJournalled: Parameters<typeof createIngest>[0]['onJournalled'], rate: { ratePerS: number; burst: number } = { ratePerS: 1000, burst: 1000 }, now: () => number = () => 1000) {
  const tmp = tempDir();
  const store = await createSqliteStore({ path: join(tmp.dir, 'j.sqlite'), sync: 'normal' });
  const sensors = createSensorRegistry({ silentAfterS: 60, stuckPerMin: 1000, maxPositionOffsetM: 1000 });
  assert.deepEqual(sensors.register([{ id: 'r1', kind: 'radar', lat: 37.5, lon: 127, alt_m: 10, range_m: 20000, range_sd_m: 20, bearing_sd_deg: 0.5 }]), []);
  const ingest = createIngest({ store, sensors, now, ...rate, maxFutureS: 30, maxBatch: 100, commitWaitMs: 0, onJournalled });
  const row = (id: string, t: number) => ({ t, sensor: 'r1', type: 'range_bearing', range_m: 5000, bearing_deg: 45, id });
  return { ingest, row, done: async () => { await ingest.close(); await store.close(); tmp.cleanup(); } };
}

test('journalled detections the picture refused are named by their index in the batch', async () => {
  const s = await setup((batch) => new Map(batch.filter((b) => b.detection.t < 900).map((b) => [b.seq, 'too late for the picture'])));
  try {
    const r = await s.ingest.ingest(null, [s.row('a', 999), { bad: true }, s.row('b', 100), s.row('c', 998)], 'test');
    assert.equal(r.accepted, 3);
    assert.equal(r.rejected.length, 1);
    assert.deepEqual(r.notFused, [{ index: 2, message: 'detection 2: journalled, but not taken by the live picture: too late for the picture' }]);
  } finally {
    await s.done();
  }
});

test('a picture that throws on journalled detections does not keep the callers from their answer', { timeout: 10_000 }, async () => {
  const s = await setup(() => {
    throw new Error('picture fault');
  });
  try {
    const r = await s.ingest.ingest(null, [s.row('a', 999)], 'test');
    assert.equal(r.accepted, 1);
    assert.deepEqual(r.notFused, []);
  } finally {
    await s.done();
  }
});

test('a sensor over its rate is refused before its rows are checked, each row named; its good rows within the burst are journalled', async () => {
  const s = await setup(() => {}, { ratePerS: 1, burst: 3 });
  try {
    const r = await s.ingest.ingest(null, [s.row('a', 999), s.row('b', 999.1), s.row('c', 999.2), s.row('d', 999.3), { sensor: 'r1', t: 'not a time' }], 'test');
    assert.equal(r.accepted, 3);
    assert.deepEqual(
      r.rejected.map((x) => [x.index, x.code]),
      [
        [3, 'rate_limited'],
        // out of tokens: refused for the rate, without being read (its bad time is not what it is refused for)
        [4, 'rate_limited'],
      ],
    );
    assert.match(r.rejected[1].message, /^detection 4: sensor "r1" exceeds its rate limit of 1\/s \(burst 3\)$/);
  } finally {
    await s.done();
  }
});

test("a sensor's own rate limit holds in place of the ingest's, and its refusals name it", async () => {
  const s = await setup(() => {}, { ratePerS: 1000, burst: 1000 });
  try {
    s.ingest.setLimit('r1', 2, 2);
    assert.equal(s.ingest.available('r1'), 2);
    const r = await s.ingest.ingest(null, [s.row('a', 999), s.row('b', 999.1), s.row('c', 999.2)], 'test');
    assert.equal(r.accepted, 2);
    assert.deepEqual(r.rejected.map((x) => [x.index, x.code]), [[2, 'rate_limited']]);
    assert.match(r.rejected[0].message, /rate limit of 2\/s \(burst 2\)$/);
    assert.equal(s.ingest.available('r1'), 0);
    // raised again: the bucket keeps what it holds (none), and refills at the new rate
    s.ingest.setLimit('r1', 1000, 1000);
    assert.equal(s.ingest.available('r1'), 0);
    assert.throws(() => s.ingest.setLimit('r1', 0, 5), /rate above 0/);
  } finally {
    await s.done();
  }
});

test('refused rows count against the credential\'s rate: past it, in debt, its batches are refused unread until it is paid off', async () => {
  let now = 1000;
  const s = await setup(() => {}, { ratePerS: 10, burst: 20 }, () => now);
  const sensor = { id: 'r1', gateway: false, sensors: ['r1'], tokenHash: '' };
  const gateway = { id: 'gw', gateway: true, sensors: ['r1'], tokenHash: '' };
  try {
    // 50 malformed rows of a sensor: each refused for what it holds, and charged (20 tokens, then 20 owed, the most)
    const bad = Array.from({ length: 50 }, (_, i) => ({ sensor: 'r1', t: 999, type: 'range_bearing', range_m: -i }));
    const r1 = await s.ingest.ingest(sensor, bad, 'test');
    assert.equal(r1.rejected.length, 50);
    assert.ok(r1.rejected.every((x) => x.code === 'invalid_detection'), 'refused for what they hold');
    assert.equal(s.ingest.owes('r1'), 2, '20 tokens owed at 10 a second');
    assert.match(s.ingest.owesMessage('r1'), /"r1" sent more refused detections .* than its rate limit of 10\/s \(burst 20\) allows: nothing of its batches is read for about 2 s/);
    // in debt: a good row is refused too, unread, naming why
    const r2 = await s.ingest.ingest(sensor, [s.row('a', 999)], 'test');
    assert.equal(r2.accepted, 0);
    assert.deepEqual(r2.rejected.map((x) => x.code), ['rate_limited']);
    assert.match(r2.rejected[0].message, /^detection 0: "r1" sent more refused detections/);
    // paid off after 2 s, then one token a tenth of a second: the good row is taken
    now += 2.1;
    assert.equal(s.ingest.owes('r1'), 0);
    assert.equal((await s.ingest.ingest(sensor, [s.row('b', 1001)], 'test')).accepted, 1);
    // a gateway's refused rows are charged to the gateway, not to its sensors' buckets
    now += 5;
    const r3 = await s.ingest.ingest(gateway, [{ sensor: 'other', t: 1001 }, { sensor: 'r1', t: 'x' }], 'test');
    assert.deepEqual(r3.rejected.map((x) => x.code), ['sensor_mismatch', 'invalid_detection']);
    assert.equal(s.ingest.owes('gw'), 0, 'two rows are within its burst');
    s.ingest.debit('gw', 30);
    assert.ok(s.ingest.owes('gw') > 0);
    assert.equal(s.ingest.owes('r1'), 0, 'the sensor itself owes nothing');
    // rows refused for the rate are not charged again (an over-rate sensor is not locked out)
    now += 10;
    const many = Array.from({ length: 40 }, (_, i) => s.row(`m${i}`, 1010 + i * 0.01));
    const r4 = await s.ingest.ingest(sensor, many, 'test');
    assert.equal(r4.accepted, 20);
    assert.equal(r4.rejected.filter((x) => x.code === 'rate_limited').length, 20);
    assert.equal(s.ingest.owes('r1'), 0);
    // the trusted in-process feed (no credential) is never charged
    assert.equal((await s.ingest.ingest(null, bad, 'test')).rejected.length, 50);
  } finally {
    await s.done();
  }
});
