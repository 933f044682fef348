/**
 * The public surface of @skywarden/core, chosen: what the other packages, the benchmarks and
 * a user building on the tracker need. Internals (the tracker's wiring helpers, scratch
 * workspaces, test helpers) stay inside; import a module path only from within core.
 */

// --- data types (SI units and radians inside; degrees only at I/O)
export { CLASS_LABELS, type BearingDetection, type ClassLabel, type Detection, type DetectionType, type GeoPoint, type PositionDetection, type PresenceDetection, type RangeBearingDetection, type Sensor } from './types.js';

// --- geodesy
export { degToRad, radToDeg, wrapPi, wrapTwoPi } from './geo/angles.js';
export { destination, horizontalDistance, initialBearing } from './geo/distance.js';
export { ecefToGeodetic, geodeticToEcef } from './geo/ecef.js';
export { createEnuFrame, ecefToEnu, enuRotation, enuToEcef, enuToGeodetic, geodeticToEnu, type EnuFrame } from './geo/enu.js';
export { enuToLook, lookAngles, lookToEnu, type LookAngles } from './geo/look.js';
export { createGeoArea, pointInArea, type GeoArea, type GeoPolygon } from './geo/polygon.js';
export { meridianRadius, primeVerticalRadius, WGS84_A, WGS84_B, WGS84_E2, WGS84_EP2, WGS84_F } from './geo/wgs84.js';

// --- the tracker and its seams (docs/tracker.md)
export { createTracker, type Tracker, type TrackerEvent, type TrackerEventType, type TrackerStats, type TrackReport } from './tracker/tracker.js';
export { chiSquareQuantile, DEFAULT_TRACKER_OPTIONS, resolveTrackerOptions, type MotionMode, type TrackerOptions } from './tracker/options.js';
export type { Track, TrackStatus } from './tracker/track.js';
export { createBatchRunner, type BatchRunner, type BatchRunnerOptions, type BatchRunnerSink } from './tracker/batch-runner.js';
export { detectionAnchor, sensorCentroid } from './tracker/origin.js';
export { DEFAULT_COMPONENTS, resolveComponents, type ComponentSpec, type ResolvedComponents, type TrackerComponents, type TrackerContext, type TrackerParts } from './tracker/components.js';
export { createTrackTable, type TrackTable, type TrackTableOptions } from './tracker/track-table.js';
export { SHAPE_DISC, SHAPE_POINT, SHAPE_RAY, type PreparedDetection } from './tracker/prepare.js';
export type { TrackFilter } from './tracker/filter.js';
export { createImmFilter, type ImmFilterOptions } from './tracker/imm-filter.js';
export { createEkfFilter, type EkfFilterOptions } from './tracker/ekf-filter.js';
export { createPairList, type Hypothesiser, type PairList } from './tracker/hypothesiser.js';
export { createMahalanobisHypothesiser, type MahalanobisHypothesiserOptions } from './tracker/mahalanobis-hypothesiser.js';
export type { AssociationMixture, Assignment, Associator } from './tracker/associator.js';
export { createGnnAssociator, type GnnAssociatorOptions } from './tracker/gnn-associator.js';
export { createGreedyAssociator } from './tracker/greedy-associator.js';
export { beliefMarginals, createJpdaAssociator, exactMarginals, type AssociationGraph, type JpdaAssociatorOptions } from './tracker/jpda-associator.js';
export type { Initiator, TrackBirth } from './tracker/initiator.js';
export { createPointInitiator, type PointInitiatorOptions } from './tracker/point-initiator.js';
export { createBearingInitiator, type BearingInitiatorOptions } from './tracker/bearing-initiator.js';
export { createPresenceInitiator, type PresenceInitiatorOptions } from './tracker/presence-initiator.js';
export { fixState, initVelocityCovariance, type FixStateOptions, type InitialStateOptions } from './tracker/initial-state.js';
export { DELETE_REASONS, type Deleter, type DeleterVerdict } from './tracker/deleter.js';
export { createRevisitDeleter, type RevisitDeleterOptions } from './tracker/revisit-deleter.js';
export { createCloudDeleter, REACQUIRE_MIN_AIR, type CloudDeleterOptions } from './acoustic/cloud-deleter.js';
export { createAirTraffic, AIR_TRAFFIC_CELL, AIR_TRAFFIC_MEMORY, type AirTraffic } from './acoustic/air-traffic.js';
export type { Merger } from './tracker/merger.js';
export { createStatisticalMerger, type StatisticalMergerOptions } from './tracker/statistical-merger.js';
export type { Identifier } from './tracker/identifier.js';
export { createBayesIdentifier, type BayesIdentifierOptions } from './tracker/bayes-identifier.js';

// --- acoustic sensors: presence likelihood and particle clouds
export { DEFAULT_PRESENCE_RANGE_M, hitLikelihood, missLikelihood, presenceModel, PRESENCE_MODEL_DEFAULTS, presencePd, presenceReach, type PresenceModel } from './acoustic/presence-model.js';
export { bearingUpdate, CLOUD_KERNEL, cloudMoments, createCloud, effectiveSize, levelUpdate, pointUpdate, predictCloud, presenceHit, presenceMiss, resampleCloud, seedAroundSensor, type CloudOptions, type ParticleCloud } from './acoustic/particle-cloud.js';
export { LEVEL_EVIDENCE, type LevelEvidence } from './acoustic/cloud-filter.js';

// --- identification
export { THREAT_CLASSES } from './identify/classifier.js';
export { CLASS_KINEMATICS, classTopSpeed, type ClassKinematics, type SoftBand } from './identify/class-model.js';
export { SPEED_BOUND_MIN_P, threatTopSpeed } from './identify/classifier.js';

// --- threat prediction and alerts (docs/warnings.md)
export { createThreatPredictor, THREAT_DEFAULTS, type ThreatPredictor, type ThreatPredictorOptions, type ThreatZone, type TrackReportLike, type ZoneThreat, type MemberEntries } from './threat/predict.js';
export { createReusingPredictor, stateDivergence, type FreshReason, type PredictionReuseOptions, type ReuseState, type ReusingPredictor } from './threat/reuse.js';
export { ALERT_DEFAULTS, ALERT_TIERS, createAlertMachine, type AlertTier, type AlertMachine, type AlertMachineOptions, type AlertThreat, type AlertTrack, type AlertTransition, type AlertZone, type AuditEntry, type ZoneState } from './alerts/alert-machine.js';
export { createWarningRunner, warningDue, WARNING_INTERVAL_S, type WarningRunner, type WarningZone } from './alerts/warning-runner.js';
export { ALERT_POLICY_DEFAULTS, ALERT_POLICY_KEYS, ALERT_POLICY_RANGES, alertPolicyOptions, type AlertPolicy } from './alerts/policy.js';

// --- the picture: detections and operators' actions in, typed events out (docs/architecture.md)
export * from './picture/index.js';

// --- scoring (spec/interchange.md "Scoring") and the coverage of observable target-seconds
export { gospa, type GospaResult } from './metrics/gospa.js';
export { createTrackScorer, scoreTracks, type ScoredPoint, type TrackScore, type TrackScorer } from './metrics/score-tracks.js';
export { createWarningScorer, FALSE_ALERT_GRACE_S, type AlertChange, type ScoredZone, type WarningScore, type WarningScorer, type ZoneEntry } from './metrics/warnings.js';
export { COVERAGE_CATEGORIES, coverageEvidence, scoreCoverage, type CoverageCategory, type CoverageCategoryStats, type CoverageDetection, type CoverageEvidence, type CoverageOptions, type CoverageScore } from './metrics/coverage.js';

// --- small utilities
export { mulberry32 } from './math/mulberry32.js';
export { normalPdf, normalQuantile } from './math/normal.js';
