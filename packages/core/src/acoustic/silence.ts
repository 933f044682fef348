/**
 * Negative information (Djuric et al. 2008: a binary sensor's 0 is a measurement too): at the
 * end of each step, every working acoustic node near an acoustic track that has not reported
 * for one of its report periods weighs the track's cloud by the probability of not hearing
 * it, once per period. A node that reported in that time heard something (this target,
 * another one, or noise): its report went through association, and its silence is not
 * claimed.
 */
import type { TrackFilter } from '../tracker/filter.js';
import type { Track } from '../tracker/track.js';
import type { AcousticNetwork } from './acoustic-network.js';
import { syncCloudTrack } from './cloud-filter.js';
import { predictCloud, presenceMiss } from './particle-cloud.js';
import { rivalsUpdate } from './rival-modes.js';

export interface Silence {
  /** Applies the silences up to time t to the acoustic tracks among `tracks`. */
  apply(tracks: readonly Track[], t: number): void;
}

export function createSilence(o: { network: AcousticNetwork; inner: TrackFilter }): Silence {
  return {
    apply(tracks, t) {
      for (const tr of tracks) {
        const cs = tr.cloud;
        if (!cs) continue;
        const sd = Math.sqrt(0.5 * (tr.p[0] + tr.p[7]));
        const dt = t - tr.t;
        const x = tr.x[0] + tr.x[3] * dt;
        const y = tr.x[1] + tr.x[4] * dt;
        let changed = false;
        o.network.near(x, y, 3 * sd + 4000, (node) => {
          if (t - node.lastReport < node.period * 1.5) return; // it reported: not silent
          const last = cs.missAt.get(node.id) ?? -Infinity;
          if (t - last < node.period) return;
          if (!changed) {
            predictCloud(cs.cloud, t);
            changed = true;
          }
          // only where the cloud can be heard
          if ((node.sx - x) ** 2 + (node.sy - y) ** 2 > (node.reach + 3 * sd) ** 2) return;
          const l = presenceMiss(cs.cloud, node.sx, node.sy, node.sz, node.model);
          // the silence's evidence against the target being there: no target, the node is silent with 1 − pfa
          if (l > -Infinity) cs.silentLogLR = (cs.silentLogLR ?? 0) + l - Math.log(1 - node.model.pfa);
          if (cs.rivals && l > -Infinity) rivalsUpdate(cs.rivals, t, l, (c) => presenceMiss(c, node.sx, node.sy, node.sz, node.model));
          cs.missAt.set(node.id, t);
        });
        if (changed) syncCloudTrack(tr, o.inner);
      }
    },
  };
}
