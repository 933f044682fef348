import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PictureEvent } from '@skywarden/core';
import { createMetrics } from '../metrics.js';
import type { StreamHub } from '../stream.js';
import type { LivePicture } from '../picture/live-picture.js';
import { createStreamPublisher } from './stream-publisher.js';

test('the stream carries raises, clears and Updates of an alert (flagged update), each with the zones after it; the metric counts changes only', async () => {
  const sent: [string, Record<string, unknown>][] = [];
  const hub = { broadcast: (event: string, data: Record<string, unknown>) => sent.push([event, data]) } as unknown as StreamHub;
  const zones = [{ zone: 'z1', state: 'alert', tier: 'imminent', since: 10, tracks: ['7'] }];
  const live = { zoneStates: () => zones, snapshot: () => ({ t: 0, tracks: [] }) } as unknown as LivePicture;
  const metrics = createMetrics();
  let replaying = false;
  const p = createStreamPublisher({ live, hub, metrics, clock: () => 100, reorderDelayS: 1, replaying: () => replaying });
  const change = (state: 'alert' | 'clear', reason: string, tier: 'warning' | 'imminent' | 'none') => ({ t: 20, zone: 'z1', state, tier, tracks: ['7'], reason });
  p.onEvent({ type: 'alert', action: 'raised', t: 10, change: change('alert', 'auto: track 7 enters', 'warning') } as PictureEvent);
  p.onEvent({ type: 'alert', action: 'updated', t: 20, change: change('alert', 'update: tier warning -> imminent, ETA 90 s', 'imminent') } as PictureEvent);
  p.onEvent({ type: 'alert', action: 'cleared', t: 30, change: change('clear', 'auto: all clear', 'none') } as PictureEvent);
  assert.deepEqual(sent.map(([e, d]) => [e, d.update ?? null, d.reason ?? null]), [
    ['alert', null, 'auto: track 7 enters'],
    ['zones', null, null],
    ['alert', true, 'update: tier warning -> imminent, ETA 90 s'],
    ['zones', null, null],
    ['alert', null, 'auto: all clear'],
    ['zones', null, null],
  ]);
  assert.equal(sent[2][1].tier, 'imminent');
  const changes = (await metrics.alertChanges.get()).values.reduce((s, v) => s + v.value, 0);
  assert.equal(changes, 2, 'an Update is no change of state');
  // while the start-up replay runs, no Update goes out
  replaying = true;
  sent.length = 0;
  p.onEvent({ type: 'alert', action: 'updated', t: 40, change: change('alert', 'update: ETA now 5 s', 'imminent') } as PictureEvent);
  assert.equal(sent.length, 0);
});
