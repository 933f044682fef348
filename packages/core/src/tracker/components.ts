/**
 * The tracker's components (its seams), their defaults, and how a caller replaces one. Each
 * component is given either as an instance or as a factory of the tracker's context (for
 * those that need its frame, its track table or the chosen filter):
 *
 *   createTracker({ origin }, { associator: createGreedyAssociator() })
 *   createTracker({ origin }, { filter: ({ frame }) => createEkfFilter({ frame, qHorizontal: 2, qVertical: 0.2 }) })
 */
import type { SourcePrior } from '../acoustic/source-prior.js';
import type { RangeScaleLearner } from '../acoustic/range-scale.js';
import type { EnuFrame } from '../geo/index.js';
import type { Associator } from './associator.js';
import { createBayesIdentifier } from './bayes-identifier.js';
import { createBearingInitiator } from './bearing-initiator.js';
import type { Deleter } from './deleter.js';
import type { TrackFilter } from './filter.js';
import { createGnnAssociator } from './gnn-associator.js';
import { createJpdaAssociator } from './jpda-associator.js';
import type { Hypothesiser } from './hypothesiser.js';
import type { Identifier } from './identifier.js';
import { createImmFilter } from './imm-filter.js';
import type { Initiator } from './initiator.js';
import { createMahalanobisHypothesiser } from './mahalanobis-hypothesiser.js';
import type { Merger } from './merger.js';
import { chiSquareQuantile, type TrackerOptions } from './options.js';
import { createPointInitiator } from './point-initiator.js';
import { createPresenceInitiator } from './presence-initiator.js';
import { createRevisitDeleter } from './revisit-deleter.js';
import { createStatisticalMerger } from './statistical-merger.js';
import type { TrackTable } from './track-table.js';
import type { TrackerStats } from './tracker.js';
import type { AcousticNetwork } from '../acoustic/acoustic-network.js';
import { createCloudDeleter } from '../acoustic/cloud-deleter.js';
import { createAirTraffic } from '../acoustic/air-traffic.js';
import { createCloudFilter } from '../acoustic/cloud-filter.js';
import { createCloudInitiator, type CloudInitiator } from '../acoustic/cloud-initiator.js';
import { createSilence, type Silence } from '../acoustic/silence.js';

/** What every component may build on. */
export interface TrackerContext {
  readonly options: TrackerOptions;
  readonly frame: EnuFrame;
  readonly table: TrackTable;
  readonly stats: TrackerStats;
  /** The acoustic nodes of `options.sensors` (empty when there are none or `acousticClouds` is off). */
  readonly acoustic: AcousticNetwork;
  /** How far sound carries, learnt over the acoustic tracks (`options.acousticRangeScale`); null: the declared ranges. */
  readonly rangeScale?: RangeScaleLearner | null;
  /** The source kinds' prior, learnt over the acoustic tracks (`options.acousticLearnSources`); null: fixed. */
  readonly sourcePrior?: SourcePrior | null;
}

/** The context with the filter and identifier chosen, for the components that use them. */
export interface TrackerParts extends TrackerContext {
  readonly filter: TrackFilter;
  readonly identifier: Identifier;
  /** The initiator of acoustic (particle-cloud) tracks, when there is an acoustic network: the deleter tells it of noisy nodes. */
  readonly cloudInitiator: CloudInitiator | null;
}

/** A component as an instance, or as a factory of the context. */
export type ComponentSpec<T, C = TrackerParts> = T | ((ctx: C) => T);

export interface TrackerComponents {
  /** Default: the IMM of `options.motionModes` (`createImmFilter`). */
  filter: ComponentSpec<TrackFilter, TrackerContext>;
  /** Default: `createBayesIdentifier`. */
  identifier: ComponentSpec<Identifier, TrackerContext>;
  /** Default: `createMahalanobisHypothesiser`. */
  hypothesiser: ComponentSpec<Hypothesiser>;
  /** Default: by `options.associator`, `createGnnAssociator` with a miss cost of twice the 4-D gate, or `createJpdaAssociator`. */
  associator: ComponentSpec<Associator>;
  /** Offered in turn each detection no track took (the first that accepts it decides). Default: point, bearing, presence. */
  initiators: ComponentSpec<readonly Initiator[]>;
  /** Default: `createRevisitDeleter`. */
  deleter: ComponentSpec<Deleter>;
  /** Default: `createStatisticalMerger`. */
  merger: ComponentSpec<Merger>;
}

/** The components of one tracker, built. */
export interface ResolvedComponents extends TrackerParts {
  /** Negative information for acoustic tracks, when there is an acoustic network. */
  readonly silence: Silence | null;
  readonly hypothesiser: Hypothesiser;
  readonly associator: Associator;
  readonly initiators: readonly Initiator[];
  readonly deleter: Deleter;
  readonly merger: Merger;
}

/** Today's tracker: every component at its default. */
export const DEFAULT_COMPONENTS: Readonly<TrackerComponents> = Object.freeze({
  filter: ({ options: o, frame, acoustic, rangeScale, sourcePrior }: TrackerContext) => {
    const imm = createImmFilter({ frame, motionModes: o.motionModes, initialModeProbabilities: o.initialModeProbabilities, altitudeFloor: o.altitudeFloor });
    // hand-back (a track the precise sensors lost goes back to a cloud when a microphone hears it)
    // once the inner filter would drop it (deleteAfter, 15 s): a radar that misses a few plots
    // keeps its track; measured 2026-12-05 with the silence test and the rivals (docs/tracker.md)
    return acoustic.size > 0 ? createCloudFilter({ inner: imm, network: acoustic, handBackAfter: o.deleteAfter, fastShare: o.acousticFastShare, kernel: o.acousticKernel, levels: o.acousticLevels, refuseMisfits: o.acousticRefuseMisfits, ...(o.acousticParticles ? { adaptive: o.acousticParticles } : {}), ...(rangeScale ? { rangeScale } : {}), ...(sourcePrior ? { sourcePrior } : {}) }) : imm;
  },
  identifier: ({ options: o, frame }: TrackerContext) => createBayesIdentifier({ frame, classPrior: o.classPrior, confirmHits: o.confirmHits, altitudeObservableSd: o.altitudeObservableSd }),
  hypothesiser: ({ options: o, table, filter, stats }: TrackerParts) =>
    createMahalanobisHypothesiser({ table, filter, stats, gateProbability: o.gateProbability, sameScanWindow: o.sameScanWindow }),
  associator: ({ options: o }: TrackerParts) =>
    o.associator === 'jpda'
      ? createJpdaAssociator({ missCost: chiSquareQuantile(4, o.gateProbability) * 2, detectionProbability: o.jpdaDetectionProbability, gateProbability: o.gateProbability, clutterPerCell: o.jpdaClutterPerCell })
      : createGnnAssociator({ missCost: chiSquareQuantile(4, o.gateProbability) * 2 }),
  initiators: ({ options: o, frame, cloudInitiator }: TrackerParts) => [
    createPointInitiator(o),
    // acoustic nodes of the network (presence microphones and bearing arrays) start
    // particle-cloud tracks; other direction finders crossing bearings, other presence sensors discs
    ...(cloudInitiator ? [cloudInitiator] : []),
    createBearingInitiator({ ...o, frame }),
    createPresenceInitiator({ ...o, frame }),
  ],
  deleter: ({ options: o, cloudInitiator, rangeScale, sourcePrior }: TrackerParts) => {
    const revisit = createRevisitDeleter(o);
    // re-acquisition (the network and the filter given to it) is opt-in: measured, it lost by GOSPA on the mixed scene and added false tracks on the national one (docs/tracker.md)
    return cloudInitiator ? createCloudDeleter({ inner: revisit, initiator: cloudInitiator, ...(rangeScale ? { rangeScale } : {}), ...(sourcePrior ? { sourcePrior } : {}), ...(o.acousticStreams ? { traffic: createAirTraffic() } : {}) }) : revisit;
  },
  merger: ({ options: o, table, filter }: TrackerParts) => createStatisticalMerger({ ...o, table, filter }),
});

function build<T, C>(spec: ComponentSpec<T, C>, ctx: C): T {
  return typeof spec === 'function' ? (spec as (ctx: C) => T)(ctx) : spec;
}

/** Builds the components of a tracker: those given, the defaults for the rest. */
export function resolveComponents(ctx: TrackerContext, given: Partial<TrackerComponents> = {}): ResolvedComponents {
  const c: TrackerComponents = { ...DEFAULT_COMPONENTS };
  for (const k of Object.keys(given) as (keyof TrackerComponents)[]) {
    if (given[k] !== undefined) Object.assign(c, { [k]: given[k] });
  }
  const filter = build(c.filter, ctx);
  const cloudInitiator = ctx.acoustic.size > 0 ? createCloudInitiator({ network: ctx.acoustic, tracks: ctx.options.acousticFlowPrior ? () => ctx.table.live : undefined, ...(ctx.options.acousticArraySweep ? {} : { sweep: false as const }), levels: ctx.options.acousticLevels, ...(ctx.sourcePrior ? { sourcePrior: ctx.sourcePrior } : {}), cloud: { fastShare: ctx.options.acousticFastShare, kernel: ctx.options.acousticKernel, ...(ctx.options.acousticParticles ? { adaptive: ctx.options.acousticParticles } : {}), ...(ctx.rangeScale ? { rangeScale: ctx.rangeScale } : {}) } }) : null;
  const parts: TrackerParts = { ...ctx, filter, identifier: build(c.identifier, ctx), cloudInitiator };
  return {
    ...parts,
    silence: ctx.acoustic.size > 0 ? createSilence({ network: ctx.acoustic, inner: filter }) : null,
    hypothesiser: build(c.hypothesiser, parts),
    associator: build(c.associator, parts),
    initiators: build(c.initiators, parts),
    deleter: build(c.deleter, parts),
    merger: build(c.merger, parts),
  };
}
