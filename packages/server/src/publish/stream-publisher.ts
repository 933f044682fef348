/**
 * The event stream (SSE) and the metrics as publishers of the picture: tracks at every
 * report, each raise and clear with the zones' states, and the zones' states every alert
 * interval while any zone is alerted. The replay at start-up goes to the stream too (no
 * client is connected yet) but not into the latency histograms.
 */
import type { PictureEvent } from '@skywarden/core';
import type { Metrics } from '../metrics.js';
import type { StreamHub } from '../stream.js';
import type { LivePicture } from '../picture/live-picture.js';
import { alertWire } from '../picture/live-picture.js';

export function createStreamPublisher(o: { live: LivePicture; hub: StreamHub; metrics: Metrics; clock: () => number; reorderDelayS: number; replaying: () => boolean }) {
  const { live, hub, metrics } = o;
  return {
    onEvent(e: PictureEvent): void {
      if (e.type === 'tracks') {
        const snap = live.snapshot(); // the view made it from this event
        let confirmed = 0;
        for (const x of snap.tracks) if (x.status === 'confirmed') confirmed++;
        metrics.tracks.set({ status: 'confirmed' }, confirmed);
        metrics.tracks.set({ status: 'coasting' }, snap.tracks.length - confirmed);
        if (o.replaying()) {
          hub.broadcast('tracks', snap);
          return;
        }
        // the latency budget: a report falls due at t + reorder delay; how late it is made,
        // and how long its event takes to reach the clients' sockets
        const b0 = performance.now();
        metrics.reportLateSeconds.observe(Math.max(0, o.clock() - (e.t + o.reorderDelayS)));
        hub.broadcast('tracks', snap, () => metrics.broadcastSeconds.observe((performance.now() - b0) / 1000));
      } else if (e.type === 'alert') {
        if (e.action === 'updated') {
          // an Update (tier change or moved ETA) of an alert already on: the operators' log
          // shows it as such; it is no change of state (not counted, no new toast)
          if (o.replaying()) return;
          hub.broadcast('alert', { ...alertWire(e.change), update: true });
          hub.broadcast('zones', { t: e.t, zones: live.zoneStates() });
          return;
        }
        const zones = live.zoneStates();
        metrics.alertChanges.inc({ state: e.change.state });
        metrics.alerts.set(zones.filter((z) => z.state === 'alert').length);
        hub.broadcast('alert', alertWire(e.change));
        hub.broadcast('zones', { t: e.t, zones });
      } else if (e.type === 'warnings') {
        if (o.replaying()) return;
        if (e.states.some((z) => z.state === 'alert')) hub.broadcast('zones', { t: e.t, zones: live.zoneStates() });
      }
    },
  };
}
