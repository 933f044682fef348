/** The air picture: detections and operators' actions in, typed events out (docs/architecture.md). */
export { createPicture, type Picture, type PictureOptions } from './picture.js';
export type { AlertEvent, OverrideEvent, PictureEvent, PictureSink, TrackerStepEvent, TracksReportedEvent, WarningsEvent } from './events.js';
export { effectiveReports, markedThreat, mergeMark, THREAT_LABELS, type OperatorMark } from './overrides.js';
export { createUpdatePolicy, UPDATE_POLICY_DEFAULTS, type UpdatePolicy, type UpdatePolicyOptions } from './update-policy.js';
export { createWarningStage, type WarningStage, type WarningStageOptions } from './warning-stage.js';
