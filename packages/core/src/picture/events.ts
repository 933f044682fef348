/**
 * What comes out of the picture (picture.ts): typed events in the order they happened. The
 * batch command, replay and the live service subscribe to the same events; publishers (CAP,
 * stores, streams, TAK, ASTERIX, webhooks) turn them into their own formats.
 */
import type { ZoneThreat } from '../threat/predict.js';
import type { AlertTransition, ZoneState } from '../alerts/alert-machine.js';
import type { TrackerEvent, TrackReport } from '../tracker/tracker.js';
import type { OperatorMark } from './overrides.js';

/** The tracks at a report time (t = k·reportEvery), each with the operator's mark when it has one. */
export interface TracksReportedEvent {
  type: 'tracks';
  t: number;
  reports: readonly TrackReport[];
  /** Operators' marks on the reported tracks (by track id); read only. */
  marks: ReadonlyMap<string, OperatorMark>;
}

/** The tracker's own events of one step (created, confirmed, coasting, deleted, rejected, updated). */
export interface TrackerStepEvent {
  type: 'tracker';
  t: number;
  events: readonly TrackerEvent[];
}

/**
 * An alert change of a zone. `raised` opens an episode, `cleared` ends it (the all-clear,
 * automatic or an operator's end), `updated` tells of new threatening tracks or a moved ETA
 * within the open episode (the update policy, update-policy.ts).
 */
export interface AlertEvent {
  type: 'alert';
  action: 'raised' | 'updated' | 'cleared';
  t: number;
  change: AlertTransition;
}

/** The warnings were brought up to `t` (every alert interval): every zone's state, and the threats (track, zone) predicted then. */
export interface WarningsEvent {
  type: 'warnings';
  t: number;
  states: readonly ZoneState[];
  threats: readonly ZoneThreat[];
}

/** An operator marked a track (confirmed, dismissed, relabelled). */
export interface OverrideEvent {
  type: 'override';
  t: number;
  trackId: string;
  mark: OperatorMark;
}

export type PictureEvent = TracksReportedEvent | TrackerStepEvent | AlertEvent | WarningsEvent | OverrideEvent;

export type PictureSink = (e: PictureEvent) => void;
