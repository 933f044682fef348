/**
 * What the operators' status strip shows of the ingest and the fusion (issue 17), in
 * `GET /api/v1/health` as `ingest`: totals since start (the client turns two readings into rates
 * and shares) of detections accepted, dropped as duplicates, rejected at the ingest by reason
 * code, and refused by the fusion by reason (late: behind the reorder delay; duplicate id;
 * bad_time; no_anchor: no sensor position known yet; other), those the picture took, and those
 * waiting in the reorder buffer now.
 */
import type { Metrics } from './metrics.js';

export type RefusalCode = 'late' | 'duplicate' | 'bad_time' | 'no_anchor' | 'other';

/** The code of a fusion refusal from the tracker's text (core's batch runner and picture). */
export function refusalCode(text: string): RefusalCode {
  if (/later than the reorder delay|behind the latest/.test(text)) return 'late';
  if (/^duplicate\b/.test(text)) return 'duplicate';
  if (/^time is not/.test(text)) return 'bad_time';
  if (/no sensor position/.test(text)) return 'no_anchor';
  return 'other';
}

export interface IngestStats {
  accepted: number;
  duplicates: number;
  /** Rejected at the ingest (bad rows, unknown sensors, ...), by reason code, all sources together. */
  rejected: Record<string, number>;
  /** Journalled detections the fusion refused, by {@link RefusalCode}. */
  refused: Record<string, number>;
  /** Journalled detections the picture took (start-up replay included). */
  taken: number;
  /** Detections waiting in the tracker's reorder buffer. */
  pending: number;
}

export function createRefusalCounter() {
  const by: Record<string, number> = {};
  return {
    count(text: string): void {
      const k = refusalCode(text);
      by[k] = (by[k] ?? 0) + 1;
    },
    get(): Record<string, number> {
      return { ...by };
    },
  };
}

/** The figures now, read from the service's counters. */
export async function ingestStats(metrics: Metrics, refused: Record<string, number>, taken: number, pending: number): Promise<IngestStats> {
  const sum = (vals: { value: number }[]) => vals.reduce((s, v) => s + v.value, 0);
  const rejected: Record<string, number> = {};
  for (const v of (await metrics.rejected.get()).values) {
    const k = String(v.labels.reason ?? 'other');
    rejected[k] = (rejected[k] ?? 0) + v.value;
  }
  return {
    accepted: sum((await metrics.accepted.get()).values),
    duplicates: sum((await metrics.duplicates.get()).values),
    rejected,
    refused,
    taken,
    pending,
  };
}
