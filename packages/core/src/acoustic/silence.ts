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
import { predictCloud, presenceMissAll, type SilentNode } from './particle-cloud.js';
import { rivalsUpdate } from './rival-modes.js';

export interface Silence {
  /** Applies the silences up to time t to the acoustic tracks among `tracks`. */
  apply(tracks: readonly Track[], t: number): void;
}

/**
 * Seconds between two silence passes over one track (the nodes' usual report period). A pass
 * counts, for each silent node in reach, the whole report intervals it missed since it was last
 * counted (the remainder carried on; a node not counted in the last pass counts the pass's own
 * span: before, it was out of reach or not silent), so the evidence does not depend on the
 * cadence; a node reporting every 2 s is counted once a pass.
 * Passing every step instead cost one prediction and one resampling of the cloud per step.
 */
export const SILENCE_EVERY = 2;

export function createSilence(o: { network: AcousticNetwork; inner: TrackFilter }): Silence {
  // the pass's silent nodes, reused
  const silent: SilentNode[] = [];
  return {
    apply(tracks, t) {
      for (const tr of tracks) {
        const cs = tr.cloud;
        if (!cs) continue;
        if (t - (cs.silenceAt ?? -Infinity) < SILENCE_EVERY) continue;
        const sd = Math.sqrt(0.5 * (tr.p[0] + tr.p[7]));
        const dt = t - tr.t;
        const x = tr.x[0] + tr.x[3] * dt;
        const y = tr.x[1] + tr.x[4] * dt;
        const span = t - (cs.silenceAt ?? t - SILENCE_EVERY);
        cs.silenceAt = t;
        let count = 0;
        let noTarget = 0;
        // the nodes that can hear the cloud (within their reach of its 3-sigma disc)
        o.network.near(x, y, 3 * sd, (node) => {
          if (t - node.lastReport < node.period * 1.5) return; // it reported: not silent
          const last = cs.missAt.get(node.id) ?? -Infinity;
          // the intervals missed since the node was last counted, the remainder carried to the
          // next pass (a period of 2.05 s must not be counted once in two passes); a node not
          // counted in the last pass (out of reach, or it reported) counts this pass's span
          let times: number;
          let counted: number;
          if (t - last <= span + node.period) {
            times = Math.floor((t - last) / node.period + 1e-9);
            if (times < 1) return;
            counted = last + times * node.period;
          } else {
            times = Math.max(1, Math.round(span / node.period));
            counted = t;
          }
          const e = silent[count] ?? (silent[count] = { sx: 0, sy: 0, sz: 0, model: node.model, times: 1 });
          e.sx = node.sx;
          e.sy = node.sy;
          e.sz = node.sz;
          e.model = node.model;
          e.times = times;
          count++;
          // with no target there, the node is silent with 1 − pfa each interval
          noTarget += times * Math.log(1 - node.model.pfa);
          cs.missAt.set(node.id, counted);
        });
        if (count === 0) continue;
        predictCloud(cs.cloud, t);
        const l = presenceMissAll(cs.cloud, silent, count);
        // the silences' evidence against the target being where the cloud says
        if (l > -Infinity) {
          cs.silentLogLR = (cs.silentLogLR ?? 0) + l - noTarget;
          if (cs.rivals) rivalsUpdate(cs.rivals, t, l, (c) => presenceMissAll(c, silent, count));
        }
        syncCloudTrack(tr, o.inner);
      }
    },
  };
}
