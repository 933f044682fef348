/**
 * Initiation from presence detections: a presence detection no track took starts a track
 * when at least `presenceInitSensors` sensors (it and the latest waiting detection of each
 * other sensor) heard the target at once with overlapping discs: at the centroid of the
 * sensors, at the assumed altitude. Otherwise it waits `presenceInitWindow` s for others.
 */
import type { EnuFrame } from '../geo/index.js';
import type { Detection } from '../types.js';
import { fixState } from './initial-state.js';
import type { Initiator } from './initiator.js';
import { discsOverlap, presenceFix, type Disc } from './initiate.js';
import { SHAPE_DISC } from './prepare.js';

/** Speed (m/s) assumed for the motion between detections that start a track together. */
const TYPICAL_SPEED = 60;

export interface PresenceInitiatorOptions {
  frame: EnuFrame;
  /** Unassigned presence detections wait this long (s) for others to localise the target. */
  presenceInitWindow: number;
  /** Distinct presence sensors hearing at once that start a track (>= 2). */
  presenceInitSensors: number;
  /** Altitude (m above the ellipsoid) and its one-sigma of the new track. */
  assumedAltitude: number;
  assumedAltitudeSd: number;
  /** Initial velocity one-sigma, horizontal and vertical (m/s). */
  initVelocitySdH: number;
  initVelocitySdV: number;
}

interface PooledDisc extends Disc {
  det: Detection;
  delay: number;
}

export function createPresenceInitiator(options: PresenceInitiatorOptions): Initiator {
  /** Unassigned presence detections, waiting for others to localise a target with. */
  let discPool: PooledDisc[] = [];
  const rot9 = new Float64Array(9);
  return {
    accepts(pd) {
      return pd.shape === SHAPE_DISC;
    },
    initiate(pd) {
      const det = pd.det;
      const t = det.t;
      discPool = discPool.filter((e) => t - e.det.t <= options.presenceInitWindow && e.det.t - t <= options.presenceInitWindow);
      const disc: PooledDisc = { sx: pd.sx, sy: pd.sy, radius: pd.reach, det, delay: pd.meas.delay };
      // the latest waiting detection of each other sensor whose disc overlaps this one
      const latest = new Map<string, number>();
      for (let i = 0; i < discPool.length; i++) {
        const e = discPool[i];
        if (e.det.sensorId === det.sensorId) continue;
        const slack = TYPICAL_SPEED * Math.abs(t - e.det.t);
        if (!discsOverlap([e, disc], slack)) continue;
        const j = latest.get(e.det.sensorId);
        if (j === undefined || discPool[j].det.t < e.det.t) latest.set(e.det.sensorId, i);
      }
      if (latest.size + 1 < options.presenceInitSensors) {
        discPool.push(disc);
        return null;
      }
      const chosen = Array.from(latest.values()).map((i) => discPool[i]);
      chosen.push(disc);
      const fix = presenceFix(chosen);
      const taken = new Set(chosen);
      discPool = discPool.filter((e) => !taken.has(e));
      let te = 0;
      for (const c of chosen) te += c.det.t - (c.radius / 2) * c.delay;
      te /= chosen.length;
      const s = fixState(options, fix.x, fix.y, fix.variance, 0, fix.variance, null, 0, rot9);
      return { x: s.x, p: s.p, t: te, dets: chosen.map((c) => c.det) };
    },
  };
}
