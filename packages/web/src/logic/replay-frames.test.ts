import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advanceClock, clampWindow, frameEvery, frameIndexAt, framesBetween, storedTrackToWire } from './replay-frames.js';

const frames = [10, 11, 12, 15, 20].map((t) => ({ t }));

test('the frame shown is the last one at or before the replay time', () => {
  assert.equal(frameIndexAt(frames, 9.9), -1);
  assert.equal(frameIndexAt(frames, 10), 0);
  assert.equal(frameIndexAt(frames, 12.5), 2);
  assert.equal(frameIndexAt(frames, 19.99), 3);
  assert.equal(frameIndexAt(frames, 1e9), 4);
  assert.equal(frameIndexAt([], 5), -1);
  assert.deepEqual(framesBetween(frames, 10, 15), [1, 3]);
});

test('the replay clock advances by speed, stops at the end, and not when paused', () => {
  let c = { from: 0, to: 100, time: 0, playing: true, speed: 10 };
  c = advanceClock(c, 2);
  assert.equal(c.time, 20);
  c = advanceClock(c, 100);
  assert.equal(c.time, 100);
  assert.equal(c.playing, false);
  const paused = { from: 0, to: 100, time: 5, playing: false, speed: 10 };
  assert.equal(advanceClock(paused, 3), paused);
});

test('windows are clamped to what the journal holds; frame spacing caps the frame count', () => {
  assert.deepEqual(clampWindow({ from: 0, to: 50 }, { from: 10, to: 40 }), { from: 10, to: 40 });
  assert.equal(clampWindow({ from: 50, to: 60 }, { from: 10, to: 40 }), null);
  assert.equal(frameEvery(600), 1);
  assert.equal(frameEvery(3600, 1200), 3);
  assert.equal(frameEvery(0), 1);
});

test('zone states at a replay time come from the last alert change per zone', async () => {
  const { zoneStatesAt } = await import('./replay-frames.js');
  const log = [
    { t: 30, zone: 'a', state: 'clear' as const, tracks: [], reason: 'all_clear' },
    { t: 10, zone: 'a', state: 'alert' as const, eta_s: 50, tracks: ['T1'], reason: 'predicted' },
    { t: 20, zone: 'b', state: 'alert' as const, tracks: [], reason: 'manual' },
  ];
  const at15 = zoneStatesAt(log, 15);
  assert.equal(at15.get('a')!.state, 'alert');
  assert.equal(at15.get('a')!.eta_s, 45);
  assert.equal(at15.has('b'), false);
  const at40 = zoneStatesAt(log, 40);
  assert.equal(at40.get('a')!.state, 'clear');
  assert.equal(at40.get('b')!.manual, true);
});

test('a stored track state becomes a map track: speed and course from its velocity, defaults for what an old row lacks', () => {
  const full = storedTrackToWire({ t: 5, track: 'T1', lat: 37.5, lon: 127, alt_m: 120, ve_mps: 3, vn_mps: 4, vu_mps: 0.5, pos_sd_m: 20, status: 'confirmed', class: { multirotor: 0.8, bird: 0.2 }, label: 'multirotor', threat: 0.1, affiliation: 'unknown', sensors: ['radar-1'], target: 'ABC123' });
  assert.equal(full.speed_mps, 5);
  assert.ok(Math.abs(full.course_deg - (Math.atan2(3, 4) * 180) / Math.PI) < 1e-9);
  assert.equal(full.label, 'multirotor');
  assert.equal(full.cooperative_id, 'ABC123');
  assert.equal(full.alt_m, 120);
  assert.deepEqual(full.sensors, ['radar-1']);
  const west = storedTrackToWire({ t: 5, track: 'T2', lat: 37.5, lon: 127, ve_mps: -10, vn_mps: 0, status: 'coasting', class: { bird: 0.3, clutter: 0.7 } });
  assert.equal(west.course_deg, 270);
  assert.equal(west.label, 'clutter', 'the most probable class when the row has no label');
  assert.equal(west.threat, 0);
  assert.equal(west.affiliation, 'unknown');
  assert.deepEqual(west.sensors, []);
  assert.equal(west.alt_m, undefined);
  assert.equal(storedTrackToWire({ t: 5, track: 'T3', lat: 0, lon: 0, ve_mps: 0, vn_mps: 0, status: 'confirmed' }).label, 'unknown');
});
