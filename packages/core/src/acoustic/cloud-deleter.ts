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
 *   track and a stationary source explains its reports better than a target in the air (the
 *   rivals' probabilities, rival-modes.ts), it is then marked noisy with the initiator, so it
 *   does not start the same false track again (a track several nodes heard blames none of
 *   them: its last report may be another target's, and muting that node would lose the
 *   target; nor does a drone's track whose cloud went wrong).
 *   Re-acquisition first, opt-in (given the network and the filter; the tracker's default
 *   does not: measured, it cost more in false tracks than it gained, docs/tracker.md): when
 *   the rivals hold such a track to be in the air (`REACQUIRE_MIN_AIR`) and the node that last reported
 *   to it still hears it (reported within `stillHeardPeriods` of its periods), the
 *   cloud went wrong, not the track (a turn, a report of another target, a mirror image along
 *   a line of nodes): the cloud is spread again over that node's disc and the track goes on
 *   under its id and status. Not twice running at one node: a second misfit at the node it was
 *   last re-acquired at is a source that stays there (a drone crosses a disc in a minute or two); the track is
 *   then dropped and that node muted.
 * A confirmed acoustic track coasts after `coastAfter` s of silence.
 */
import { DELETE_REASONS, type Deleter } from '../tracker/deleter.js';
import type { Track } from '../tracker/track.js';
import type { CloudInitiator } from './cloud-initiator.js';
import { airProbability, rivalsLogLikelihood } from './rival-modes.js';
import type { SourcePrior } from './source-prior.js';
import type { AcousticNetwork } from './acoustic-network.js';
import { lastNode, MISFIT_LIKELIHOOD, MISFIT_MIN_HITS, reseedCloudTrack } from './cloud-filter.js';
import type { TrackFilter } from '../tracker/filter.js';
import type { RangeScaleLearner } from './range-scale.js';
import type { AirTraffic } from './air-traffic.js';
import { CLOUD_SPEED_BAND } from './particle-cloud.js';

export interface CloudDeleterOptions {
  inner: Deleter;
  initiator: CloudInitiator;
  /** Default 120 s. */
  maxSilence?: number;
  /** Default 30 s: a tentative acoustic track heard no more. */
  tentativeSilence?: number;
  /** Default 5,000 m. */
  maxSd?: number;
  /** Default {@link MISFIT_LIKELIHOOD} (0.05). */
  minLikelihood?: number;
  /** Default 20 s. */
  coastAfter?: number;
  /**
   * The acoustic network and the tracker's filter: with them a misfit track that a node still
   * hears is re-acquired (its cloud spread again over that node's disc: `reseedCloudTrack`)
   * rather than deleted. Without them a misfit track is deleted.
   */
  network?: AcousticNetwork;
  filter?: TrackFilter;
  /** A node still hears a track when it reported to it within this many of its report periods. Default 3 (the initiator's longest pause in a run). */
  stillHeardPeriods?: number;
  /** Below this probability of the class's hypothesis against its rivals (rival-modes.ts) an acoustic track is dropped. Default 0.01. */
  minAirProbability?: number;
  /**
   * An acoustic track is dropped when the silences since its last hit are this much less
   * likely with the target where its cloud says than with no target (the likelihood ratio of
   * the nodes' misses, silence.ts). Default 0.01.
   */
  minSilenceRatio?: number;
  /**
   * How far sound carries, learnt from the tracks (range-scale.ts): a track dropped while it was
   * believed (confirmed, {@link RANGE_LEARN_HITS} hits or more, its rivals holding it in the air
   * with at least {@link RANGE_LEARN_AIR}) gives it its cloud's likelihood of each scale. A track dropped for
   * its rivals or a misfit does not.
   */
  rangeScale?: RangeScaleLearner;
  /**
   * Where the raid's drones flew lately (air-traffic.ts): every acoustic track judged that moves
   * at the class's speeds (`trafficBand`) and is believed in the air (confirmed, heard by
   * {@link TRAFFIC_MIN_NODES} nodes or more, its rivals' probability of the air at least
   * {@link REACQUIRE_MIN_AIR}) is recorded, and a track near recent traffic is not dropped for its
   * rivals: a node under a corridor hears drones in turn, which its one track takes for a source
   * that stays (docs/tracker.md "A stream of drones is not a generator"). Tracks the precise
   * sensors hold are not counted: their drones take the reports of the nodes they pass, and a
   * node's own long track beside a radar's corridor is a false one (measured: counting them added
   * false tracks, no coverage). Without it the rivals' verdict stands everywhere.
   */
  traffic?: AirTraffic;
  /** The source kinds' prior (source-prior.ts): every acoustic track dropped with {@link MISFIT_MIN_HITS} hits or more teaches it what its reports said of its kind. */
  sourcePrior?: SourcePrior;
  /** Speeds (m/s) that make a track traffic. Default the class's band with the flow prior's margins: 0.8 × 35 to 1.25 × 65. */
  trafficBand?: readonly [number, number];
}

/** Nodes an acoustic track must have been heard by to count as traffic (one node's track is what the test is about). */
export const TRAFFIC_MIN_NODES = 2;

/** Hits a dropped track needs to teach the range scale. */
export const RANGE_LEARN_HITS = 10;
/** Its rivals' probability of a target in the air it needs. */
export const RANGE_LEARN_AIR = 0.9;

/** Re-acquisition needs the rivals to hold the track in the air with at least this probability. */
export const REACQUIRE_MIN_AIR = 0.5;

export function createCloudDeleter(o: CloudDeleterOptions): Deleter {
  const maxSilence = o.maxSilence ?? 120;
  const tentativeSilence = o.tentativeSilence ?? 30;
  const maxSd = o.maxSd ?? 5000;
  const minLogL = Math.log(o.minLikelihood ?? MISFIT_LIKELIHOOD);
  const coastAfter = o.coastAfter ?? 20;
  const stillHeard = o.stillHeardPeriods ?? 3;
  const minAir = o.minAirProbability ?? 0.01;
  const minSilentLogLR = Math.log(o.minSilenceRatio ?? 0.01);
  const traffic = o.traffic ?? null;
  const [vLo, vHi] = o.trafficBand ?? [0.8 * CLOUD_SPEED_BAND[0], 1.25 * CLOUD_SPEED_BAND[1]];
  /** Records `tr` as traffic when it moves at the class's speeds and is believed in the air (`airP`: its rivals', 1 without). */
  const record = (tr: Track, t: number, airP: number) => {
    if (!traffic || !tr.cloud || tr.status !== 'confirmed' || tr.sensors.size < TRAFFIC_MIN_NODES || airP < REACQUIRE_MIN_AIR) return;
    const v = Math.hypot(tr.x[3], tr.x[4]);
    if (v >= vLo && v <= vHi) traffic.record(tr.x[0], tr.x[1], t);
  };
  let reason: string | undefined;
  const deleted = (why: string | undefined): 'delete' => {
    reason = why;
    return 'delete';
  };
  return {
    get lastReason() {
      return reason;
    },
    judge(tr: Track, t: number) {
      const cs = tr.cloud;
      if (!cs) {
        const v = o.inner.judge(tr, t);
        if (v === 'delete') reason = o.inner.lastReason;
        return v;
      }
      const silent = t - tr.lastHitT;
      // a dropped track teaches the source kinds' prior what its reports said of its kind
      const drop = (why: string): 'delete' => {
        if (o.sourcePrior && cs.rivals && cs.hits >= MISFIT_MIN_HITS) o.sourcePrior.learn(cs.rivals.stratum ?? 0, rivalsLogLikelihood(cs.rivals));
        return deleted(why);
      };
      // its reports no longer fit, or a ground vehicle or a stationary source explains them
      // far better than a target of the class
      const airP = cs.rivals !== undefined ? airProbability(cs.rivals) : 1;
      record(tr, t, airP);
      // near recent traffic a source that stays is not told from drones passing in turn
      const rivalWins = airP < minAir && !(traffic && traffic.near(tr.x[0], tr.x[1], t));
      // re-acquisition: only a track its rivals hold to be in the air (a false alarm's track that stops fitting is dropped)
      if (o.network && o.filter && cs.hits >= MISFIT_MIN_HITS && cs.logL < minLogL && airP >= REACQUIRE_MIN_AIR) {
        const last = lastNode(tr, o.network);
        if (last && t - last.t <= stillHeard * last.node.period && last.node.id !== cs.reseedNode) {
          reseedCloudTrack(tr, last.node, last.t, o.filter);
          return 'keep';
        }
        // a second misfit where the track was re-acquired: a source that stays there (a drone crosses a disc in a minute or two)
        if (last && last.node.id === cs.reseedNode) o.initiator.markNoisy(last.node.id, t);
      }
      if (cs.hits >= MISFIT_MIN_HITS && (cs.logL < minLogL || rivalWins)) {
        // the node is to blame only when it alone of the microphones heard the track; a track
        // that several heard and that fits badly now may have taken a report of another target
        // or a false alarm at a node it reached: that node must not be muted for it (a radar's
        // clutter plot the track took does not clear its one node)
        // (a track the precise sensors held for several scans before it came back is not one node's doing);
        // and only when a source that stays at the node explains the reports better than a target
        // in the air (the stationary rival's probability above the class's): a drone's track whose
        // cloud went wrong (a turn it did not follow, a report of another target) misfits too, and
        // muting its node kept the drone from being tracked again while it was still heard (a
        // track a ground vehicle explains best is muted for only when a source that stays beats
        // the class too: a car drives on)
        const rv = cs.rivals;
        const staysThere = rv === undefined || rv.logP[2] > rv.logP[0];
        if (!staysThere) {
          // the node may start a track again at its next report
        } else if (cs.fromPrecise === 'track') {
          if (tr.sensors.size === 1) for (const id of tr.sensors.keys()) o.initiator.markNoisy(id, t);
        } else o.initiator.markLoneNode(tr.sensors.keys(), t);
        // the misfit first: it is what the running mean of the reports says (the rivals share those reports)
        if (cs.logL < minLogL) return drop(DELETE_REASONS.misfit);
        return drop(rv && rv.logP[1] > rv.logP[2] ? DELETE_REASONS.rivalGround : DELETE_REASONS.rivalStill);
      }
      const spread = Math.sqrt(0.5 * (tr.p[0] + tr.p[7])) > maxSd;
      const against = (cs.silentLogLR ?? 0) < minSilentLogLR;
      const lost = spread || against || silent > (tr.status === 'tentative' ? tentativeSilence : maxSilence);
      if (lost) {
        // spread too far, the nodes about it silent where they should have heard it (a false
        // alarm that ended, a downed drone, a cloud that lost its target), or unheard too long
        const c = cs.cloud;
        if (o.rangeScale && c.rsLL && tr.status !== 'tentative' && cs.hits >= RANGE_LEARN_HITS && airP >= RANGE_LEARN_AIR) o.rangeScale.learn(c.rsLL);
        return drop(spread ? DELETE_REASONS.spread : against ? DELETE_REASONS.silences : tr.status === 'tentative' ? DELETE_REASONS.tentativeUnheard : DELETE_REASONS.unheard);
      }
      if (tr.status === 'confirmed' && silent > coastAfter) return 'coast';
      return 'keep';
    },
  };
}
