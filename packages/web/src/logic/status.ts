/**
 * The status strip's figures (issue 17) from two readings of `GET /api/v1/health` `ingest`
 * (totals since the server started): the ingest rate, the share of journalled detections the
 * fusion refused and why, the share the ingest rejected and why, over the interval between the
 * readings; with a single reading, since the start. Pure, tested in node.
 */

export interface IngestTotals {
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  refused: Record<string, number>;
  taken: number;
  pending: number;
}

export interface Reading {
  /** Server clock of the reading (s). */
  t: number;
  ingest: IngestTotals;
}

export interface StatusFigures {
  /** Detections accepted per second of server clock. */
  ratePerS: number | null;
  /** Share of the detections offered to the fusion that it refused (0..1), and the shares by reason, largest first. */
  refusedShare: number | null;
  refusedBy: { reason: string; share: number; n: number }[];
  /** Share of the rows sent that the ingest rejected (0..1), and by reason. */
  rejectedShare: number | null;
  rejectedBy: { reason: string; share: number; n: number }[];
  /** Detections waiting in the reorder buffer. */
  pending: number;
  /** Whether the figures cover only the interval (true) or the whole run (false). */
  windowed: boolean;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

function diff(a: Record<string, number>, b: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) out[k] = Math.max(0, v - (b?.[k] ?? 0));
  return out;
}

function shares(by: Record<string, number>, of: number): { reason: string; share: number; n: number }[] {
  return Object.entries(by)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => ({ reason, n, share: of > 0 ? n / of : 0 }))
    .sort((x, y) => y.n - x.n || (x.reason < y.reason ? -1 : 1));
}

export function statusFigures(cur: Reading, prev: Reading | null): StatusFigures {
  const p = prev && prev.t < cur.t ? prev : null;
  const accepted = cur.ingest.accepted - (p?.ingest.accepted ?? 0);
  const taken = cur.ingest.taken - (p?.ingest.taken ?? 0);
  const refused = diff(cur.ingest.refused, p?.ingest.refused);
  const rejected = diff(cur.ingest.rejected, p?.ingest.rejected);
  const nRefused = sum(refused);
  const nRejected = sum(rejected);
  const offered = taken + nRefused;
  const sent = accepted + nRejected + (cur.ingest.duplicates - (p?.ingest.duplicates ?? 0));
  return {
    ratePerS: p ? Math.max(0, accepted) / (cur.t - p.t) : null,
    refusedShare: offered > 0 ? nRefused / offered : null,
    refusedBy: shares(refused, offered),
    rejectedShare: sent > 0 ? nRejected / sent : null,
    rejectedBy: shares(rejected, sent),
    pending: cur.ingest.pending,
    windowed: p !== null,
  };
}

/** "21 %" / "0.4 %" / "0 %". */
export function pct(x: number): string {
  if (x === 0) return '0 %';
  return x < 0.01 ? `${(x * 100).toFixed(1)} %` : `${Math.round(x * 100)} %`;
}
