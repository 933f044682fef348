/**
 * The life cycle of acoustic tracks (the others go to the inner deleter). A track heard by
 * microphones several kilometres apart is silent for tens of seconds between them and
 * survives those gaps by prediction (its cloud, pruned by the nodes that stay silent). It is
 * deleted when
 * - nothing heard it for `maxSilence` s, or its cloud spread beyond `maxSd` m (lost);
 * - its cloud no longer explains its reports: the running mean of their log predictive
 *   likelihood fell below log(`minLikelihood`): a node that goes on hearing something for
 *   longer than a target at the class's speeds can stay within its range (a generator, an
 *   idling engine) or hears at a rhythm no drone makes. When that node alone heard the
 *   track, it is then marked noisy with the initiator, so it does not start the same false
 *   track again (a track several nodes heard blames none of them: its last report may be
 *   another target's, and muting that node would lose the target).
 * A confirmed acoustic track coasts after `coastAfter` s of silence.
 */
import type { Deleter } from '../tracker/deleter.js';
import type { Track } from '../tracker/track.js';
import type { CloudInitiator } from './cloud-initiator.js';
import { airProbability } from './rival-modes.js';

export interface CloudDeleterOptions {
  inner: Deleter;
  initiator: CloudInitiator;
  /** Default 120 s. */
  maxSilence?: number;
  /** Default 30 s: a tentative acoustic track heard no more. */
  tentativeSilence?: number;
  /** Default 5,000 m. */
  maxSd?: number;
  /** Default 0.05. */
  minLikelihood?: number;
  /** Default 20 s. */
  coastAfter?: number;
  /** Below this probability of the class's hypothesis against its rivals (rival-modes.ts) an acoustic track is dropped. Default 0.01. */
  minAirProbability?: number;
}

export function createCloudDeleter(o: CloudDeleterOptions): Deleter {
  const maxSilence = o.maxSilence ?? 120;
  const tentativeSilence = o.tentativeSilence ?? 30;
  const maxSd = o.maxSd ?? 5000;
  const minLogL = Math.log(o.minLikelihood ?? 0.05);
  const coastAfter = o.coastAfter ?? 20;
  const minAir = o.minAirProbability ?? 0.01;
  return {
    judge(tr: Track, t: number) {
      const cs = tr.cloud;
      if (!cs) return o.inner.judge(tr, t);
      const silent = t - tr.lastHitT;
      // its reports no longer fit, or a ground vehicle or a stationary source explains them
      // far better than a target of the class
      if (cs.hits >= 5 && (cs.logL < minLogL || (cs.rivals !== undefined && airProbability(cs.rivals) < minAir))) {
        // the node is to blame only when it alone heard the track; a track that several
        // heard and that fits badly now may have taken a report of another target or a
        // false alarm at a node it reached: that node must not be muted for it
        if (tr.sensors.size === 1) for (const id of tr.sensors.keys()) o.initiator.markNoisy(id, t);
        return 'delete';
      }
      if (Math.sqrt(0.5 * (tr.p[0] + tr.p[7])) > maxSd) return 'delete';
      if (silent > (tr.status === 'tentative' ? tentativeSilence : maxSilence)) return 'delete';
      if (tr.status === 'confirmed' && silent > coastAfter) return 'coast';
      return 'keep';
    },
  };
}
