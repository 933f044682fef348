/**
 * Operators' overrides of the tracker's judgement: a track confirmed as real, dismissed as
 * false or not a threat, or given a class label. A dismissed track raises no alert; a track
 * labelled with a threat class counts as a certain threat, any other label as none.
 */
import { THREAT_CLASSES } from '../identify/classifier.js';
import type { TrackReport } from '../tracker/tracker.js';

export interface OperatorMark {
  confirmed?: boolean;
  dismissed?: boolean;
  label?: string;
  /** Who made the last confirm, dismiss or classify decision, and when (s). */
  by?: string;
  t?: number;
  /** Threat queue work (issue 17): who acknowledged the track and when (s); none of it changes the warnings. */
  ackedBy?: string;
  ackedAt?: number;
  /** Whom the track is assigned to, by whom and when (s). */
  assignedTo?: string;
  assignedBy?: string;
  assignedAt?: number;
}

/** Class labels that are threats (docs/identification.md). */
export const THREAT_LABELS: readonly string[] = THREAT_CLASSES;

/** The threat probability an operator's label implies, or undefined when the mark sets none. */
export function markedThreat(mark: OperatorMark | undefined): number | undefined {
  if (!mark?.label) return undefined;
  return THREAT_LABELS.includes(mark.label) ? 1 : 0;
}

/**
 * The reports the warnings see: dismissed tracks left out, labelled ones with the label's
 * threat and the label as their class (which bounds their predicted speed).
 */
export function effectiveReports(reports: readonly TrackReport[], marks: ReadonlyMap<string, OperatorMark>): TrackReport[] {
  if (marks.size === 0) return reports as TrackReport[];
  const out: TrackReport[] = [];
  for (const r of reports) {
    const m = marks.get(r.trackId);
    if (m?.dismissed) continue;
    const threat = markedThreat(m);
    out.push(threat === undefined || !m?.label ? r : { ...r, threatProbability: threat, classProbs: { [m.label]: 1 } });
  }
  return out;
}

/** Merges a new mark into the current one: confirming clears a dismissal and the reverse. */
export function mergeMark(current: OperatorMark | undefined, m: OperatorMark): OperatorMark {
  const cur = { ...(current ?? {}), ...m };
  if (m.confirmed) delete cur.dismissed;
  if (m.dismissed) delete cur.confirmed;
  return cur;
}
