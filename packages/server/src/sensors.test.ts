import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSensorRegistry } from './sensors.js';

const opts = { silentAfterS: 300, stuckPerMin: 30, maxPositionOffsetM: 5000 };
const T0 = 1_764_000_000;

describe('sensor register and health', () => {
  it('registers valid rows, names the bad ones, and keeps the good ones of the same call', () => {
    const r = createSensorRegistry(opts);
    const errs = r.register([
      { id: 'ac-1', kind: 'acoustic', lat: 37.5, lon: 127, alt_m: 30, range_m: 2500 },
      { id: 'bad', kind: 'radar', lat: 120, lon: 0 },
    ]);
    assert.equal(errs.length, 1);
    assert.match(errs[0], /lat/);
    assert.deepEqual(r.ids(), ['ac-1']);
    assert.ok(r.sensors.get('ac-1'));
  });

  it('refuses a row nested too deep or too long by name (no stack overflow), and takes the good rows beside it', () => {
    const r = createSensorRegistry(opts);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { x: deep };
    const errs = r.register([
      { id: 'deep', kind: 'radar', lat: 37.5, lon: 127, extra: deep },
      { id: 'long', kind: 'radar', lat: 37.5, lon: 127, extra: 'x'.repeat(7_000_000) },
      { id: 'ac-2', kind: 'acoustic', lat: 37.5, lon: 127, range_m: 2500 },
    ]);
    assert.equal(errs.length, 2, errs.join('; '));
    assert.match(errs[0], /^sensor "deep": nested more than 16 levels deep$/);
    assert.match(errs[1], /^sensor "long": 70000\d\d characters as JSON, more than the 262144 a sensor row may take$/);
    assert.deepEqual(r.ids(), ['ac-2']);
  });

  it('never_seen, then ok, then silent after the quiet time; a heartbeat counts as heard', () => {
    const r = createSensorRegistry(opts);
    r.register([{ id: 'ac-1', kind: 'acoustic', lat: 37.5, lon: 127 }]);
    assert.equal(r.wire('ac-1', T0)?.status, 'never_seen');
    r.accepted('ac-1', T0);
    assert.equal(r.wire('ac-1', T0 + 10)?.status, 'ok');
    assert.equal(r.wire('ac-1', T0 + 301)?.status, 'silent');
    assert.match(r.wire('ac-1', T0 + 301)?.status_reason ?? '', /not heard for 301 s/);
    r.heard('ac-1', T0 + 400);
    assert.equal(r.wire('ac-1', T0 + 401)?.status, 'ok');
  });

  it('flags a microphone that detects all the time as stuck, but not a radar', () => {
    const r = createSensorRegistry(opts);
    r.register([
      { id: 'ac-1', kind: 'acoustic', lat: 37.5, lon: 127 },
      { id: 'rd-1', kind: 'radar', lat: 37.5, lon: 127 },
    ]);
    for (let m = 0; m < 6; m++) {
      for (let k = 0; k < 40; k++) {
        r.accepted('ac-1', T0 + m * 60 + k);
        r.accepted('rd-1', T0 + m * 60 + k);
      }
    }
    const now = T0 + 6 * 60 + 1;
    assert.equal(r.wire('ac-1', now)?.status, 'stuck');
    assert.equal(r.wire('rd-1', now)?.status, 'ok');
    assert.equal(r.wire('ac-1', now)?.rate_per_min, 40);
    // 29 a minute is below the threshold
    const q = createSensorRegistry(opts);
    q.register([{ id: 'ac-2', kind: 'acoustic', lat: 37.5, lon: 127 }]);
    for (let m = 0; m < 6; m++) for (let k = 0; k < 29; k++) q.accepted('ac-2', T0 + m * 60 + k);
    assert.equal(q.wire('ac-2', now)?.status, 'ok');
  });

  it('flags implausible positions and mostly rejected input', () => {
    const r = createSensorRegistry(opts);
    r.register([
      { id: 'ob-1', kind: 'observer', lat: 37.5, lon: 127 },
      { id: 'ac-1', kind: 'acoustic', lat: 37.5, lon: 127 },
    ]);
    r.accepted('ob-1', T0, { lat: 37.6, lon: 127 }); // 11 km north of its registered place
    assert.equal(r.wire('ob-1', T0 + 1)?.status, 'implausible');
    assert.match(r.wire('ob-1', T0 + 1)?.status_reason ?? '', /11\d\d\d m/);
    r.accepted('ac-1', T0);
    for (let i = 0; i < 25; i++) r.rejected('ac-1', T0, 'range_m must be positive');
    assert.equal(r.wire('ac-1', T0 + 1)?.status, 'implausible');
    assert.equal(r.wire('ac-1', T0 + 1)?.last_error, 'range_m must be positive');
    // the window decays: after a few quiet minutes of good input it is ok again
    for (let i = 0; i < 6; i++) r.decay();
    r.accepted('ac-1', T0 + 2);
    assert.equal(r.wire('ac-1', T0 + 3)?.status, 'ok');
  });

  it('reports only the sensors whose status changed', () => {
    const r = createSensorRegistry(opts);
    r.register([
      { id: 'a', kind: 'acoustic', lat: 37.5, lon: 127 },
      { id: 'b', kind: 'acoustic', lat: 37.5, lon: 127 },
    ]);
    assert.equal(r.changed(T0).length, 2);
    assert.equal(r.changed(T0).length, 0);
    r.accepted('a', T0);
    assert.deepEqual(r.changed(T0 + 1).map((s) => [s.id, s.status]), [['a', 'ok']]);
  });

  it('a declared heartbeat period sets the silence: three periods unheard, shorter or longer than silent_after_s', () => {
    const r = createSensorRegistry(opts);
    r.register([
      { id: 'fast', kind: 'acoustic', lat: 37.5, lon: 127 },
      { id: 'slow', kind: 'acoustic', lat: 37.5, lon: 127 },
    ]);
    r.heartbeat('fast', 10);
    r.heartbeat('slow', 200);
    r.heard('fast', T0);
    r.heard('slow', T0);
    assert.equal(r.wire('fast', T0 + 30)?.status, 'ok');
    assert.equal(r.wire('fast', T0 + 31)?.status, 'silent');
    assert.equal(r.wire('slow', T0 + 599)?.status, 'ok', 'a 200 s heartbeat is not silent at silent_after_s (300 s)');
    assert.equal(r.wire('slow', T0 + 601)?.status, 'silent');
    // cleared: back to silent_after_s
    r.heartbeat('slow', null);
    assert.equal(r.wire('slow', T0 + 301)?.status, 'silent');
    assert.equal(r.wire('slow', T0 + 299)?.status, 'ok');
  });

  it('gone: offline with the reason, kept registered, until heard or a detection is accepted', () => {
    const r = createSensorRegistry(opts);
    r.register([{ id: 'a', kind: 'acoustic', lat: 37.5, lon: 127 }]);
    r.heard('a', T0);
    r.gone('a', T0 + 1, 'goodbye');
    assert.equal(r.wire('a', T0 + 5000)?.status, 'offline');
    assert.match(r.wire('a', T0 + 5000)?.status_reason ?? '', /^goodbye \(4999 s ago\)$/);
    assert.deepEqual(r.ids(), ['a']);
    r.heard('a', T0 + 5001);
    assert.equal(r.wire('a', T0 + 5002)?.status, 'ok');
    r.gone('a', T0 + 5003, 'goodbye');
    r.accepted('a', T0 + 5004);
    assert.equal(r.wire('a', T0 + 5005)?.status, 'ok');
  });
});
