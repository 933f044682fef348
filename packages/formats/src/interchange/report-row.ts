/** Conversion of the tracker's track reports to `tracks.ndjson` rows (spec/interchange.md). */
import type { TrackReport } from '@skywarden/core';
import type { TrackRow } from './rows.js';
import { PLAUSIBLE } from './plausible.js';

/** The spec's row for one report; adds `target` (cooperative identity) when known, and leaves out an `alt_m` beyond the plausibility bounds (plausible.ts). */
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
  // an altitude no target flies at (a filter's estimate pushed underground, predicted on) is
  // left out as unobservable: a reader of the spec refuses the row otherwise
  const alt = r.position.altM;
  if (r.altitudeObservable && alt >= PLAUSIBLE.altMin && alt <= PLAUSIBLE.altMax) row.alt_m = alt;
  if (r.classProbs) row.class = { ...r.classProbs };
  if (r.cooperativeId !== undefined) row.target = r.cooperativeId;
  return row;
}
