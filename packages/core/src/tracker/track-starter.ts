/**
 * Starts a tentative track from an initiator's birth: a fresh id and slot, the filter's
 * per-track state, the class evidence and cooperative identity of its detections, and the
 * `created` (and, with `confirmHits` 1, `confirmed`) events.
 */
import type { Identifier } from './identifier.js';
import type { TrackFilter } from './filter.js';
import type { TrackBirth } from './initiator.js';
import type { Track } from './track.js';
import type { TrackTable } from './track-table.js';
import type { TrackerEvent, TrackerStats } from './tracker.js';
import { STATE_DIM } from '../models/state.js';

const n = STATE_DIM;

export interface TrackStarterOptions {
  table: TrackTable;
  filter: TrackFilter;
  identifier: Identifier;
  stats: TrackerStats;
  /** Detections that confirm a track (1: confirmed at once). */
  confirmHits: number;
}

export type TrackStarter = (birth: TrackBirth, events: TrackerEvent[]) => Track;

export function createTrackStarter(options: TrackStarterOptions): TrackStarter {
  const { table, filter, identifier, stats } = options;
  const nModes = filter.modes;
  return (birth, events) => {
    const { x, p, t, dets } = birth;
    const det = dets[0];
    const tr: Track = {
      id: table.nextId(),
      slot: table.allocateSlot(),
      x,
      p,
      t,
      status: 'tentative',
      hits: 1,
      nis: 0,
      nisDof: 0,
      firstT: t,
      lastHitT: det.t,
      meanGap: NaN,
      modeX: new Float64Array(nModes * n),
      modeP: new Float64Array(nModes * n * n),
      mu: new Float64Array(nModes),
      gH: new Float64Array(9),
      gV: new Float64Array(9),
      gAtE: 0,
      gAtN: 0,
      sensors: new Map([[det.sensorId, det.t]]),
      cls: identifier.createState(),
      clsT: t,
      clsOut: null,
    };
    if (birth.cloud) tr.cloud = birth.cloud;
    // a plot that started the track alone is its own (the merger's evidence of two targets)
    else if (dets.length === 1 && (det.type === 'position' || det.type === 'range_bearing')) tr.lastPlots = new Map([[det.sensorId, [det]]]);
    if (det.cooperativeId !== undefined) table.setCooperative(tr, det.cooperativeId);
    identifier.evidence(tr, det, undefined);
    filter.initialise(tr);
    table.add(tr);
    if (options.confirmHits <= 1) tr.status = 'confirmed';
    stats.started++;
    events.push({ type: 'created', t: det.t, trackId: tr.id });
    if (tr.status === 'confirmed') events.push({ type: 'confirmed', t: det.t, trackId: tr.id });
    // the other detections the birth was made from count as the track's too
    for (let i = 1; i < dets.length; i++) {
      identifier.evidence(tr, dets[i], tr.sensors.get(dets[i].sensorId));
      tr.hits++;
      tr.sensors.set(dets[i].sensorId, dets[i].t);
      if (dets[i].t > tr.lastHitT) tr.lastHitT = dets[i].t;
    }
    return tr;
  };
}
