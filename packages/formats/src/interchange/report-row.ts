/** Conversion of the tracker's track reports to `tracks.ndjson` rows (spec/interchange.md). */
import type { TrackReport } from '@skywarden/core';
import type { TrackRow } from './rows.js';

/** The spec's row for one report; adds `target` (cooperative identity) when known. */
export function trackReportToRow(r: TrackReport): TrackRow {
  const row: TrackRow = {
    t: r.t,
    track: r.trackId,
    lat: r.position.latDeg,
    lon: r.position.lonDeg,
    ve_mps: r.velocityEnu[0],
    vn_mps: r.velocityEnu[1],
    vu_mps: r.velocityEnu[2],
    pos_sd_m: r.positionSd,
    status: r.status,
  };
  if (r.altitudeObservable) row.alt_m = r.position.altM;
  if (r.classProbs) row.class = { ...r.classProbs };
  if (r.cooperativeId !== undefined) row.target = r.cooperativeId;
  return row;
}
