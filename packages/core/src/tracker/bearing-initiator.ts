/**
 * Initiation from bearings: a bearing no track took is crossed with a waiting bearing of
 * another sensor at another place (the crossing with the smallest uncertainty area); with
 * none it waits `bearingInitWindow` s for one. The height comes from a measured elevation
 * when either bearing has one, else the assumed altitude.
 */
import type { EnuFrame } from '../geo/index.js';
import type { Detection } from '../types.js';
import { fixState } from './initial-state.js';
import type { Initiator } from './initiator.js';
import { crossRays, type Ray } from './initiate.js';
import { SHAPE_RAY } from './prepare.js';

/** Elevations steeper than this (rad) give no usable height for a new track. */
const MAX_INIT_ELEVATION = (80 * Math.PI) / 180;
/** Speed (m/s) assumed for the motion between detections that start a track together. */
const TYPICAL_SPEED = 60;

export interface BearingInitiatorOptions {
  frame: EnuFrame;
  /** Unassigned bearings wait this long (s) for a bearing from another sensor to cross. */
  bearingInitWindow: number;
  /** Two bearings must cross at least at this angle (rad). */
  minCrossingAngle: number;
  /** Altitude (m above the ellipsoid) and its one-sigma assumed without a measured elevation. */
  assumedAltitude: number;
  assumedAltitudeSd: number;
  /** Initial velocity one-sigma, horizontal and vertical (m/s). */
  initVelocitySdH: number;
  initVelocitySdV: number;
}

interface PooledRay extends Ray {
  det: Detection;
  sz: number;
  delay: number;
}

export function createBearingInitiator(options: BearingInitiatorOptions): Initiator {
  /** Unassigned bearings, waiting for another to cross. */
  let rayPool: PooledRay[] = [];
  const rot9 = new Float64Array(9);
  return {
    accepts(pd) {
      return pd.shape === SHAPE_RAY;
    },
    initiate(pd) {
      const det = pd.det;
      const t = det.t;
      rayPool = rayPool.filter((e) => t - e.det.t <= options.bearingInitWindow && e.det.t - t <= options.bearingInitWindow);
      const ray: PooledRay = { sx: pd.sx, sy: pd.sy, sz: pd.sz, ux: pd.ux, uy: pd.uy, angleSd: pd.angleSd, reach: pd.reach, det, delay: pd.meas.delay };
      let best = -1;
      let bestArea = Infinity;
      let bestFix: ReturnType<typeof crossRays> = null;
      for (let i = 0; i < rayPool.length; i++) {
        const e = rayPool[i];
        if (e.det.sensorId === det.sensorId || Math.hypot(e.sx - ray.sx, e.sy - ray.sy) < 50) continue;
        const dtm = Math.abs(t - e.det.t);
        const fix = crossRays(e, ray, options.minCrossingAngle, (TYPICAL_SPEED * dtm) ** 2);
        if (!fix) continue;
        const area = fix.cxx * fix.cyy - fix.cxy * fix.cxy;
        if (area < bestArea) {
          bestArea = area;
          best = i;
          bestFix = fix;
        }
      }
      if (best < 0 || !bestFix) {
        rayPool.push(ray);
        return null;
      }
      const other = rayPool[best];
      rayPool.splice(best, 1);
      // height from a measured elevation, if either bearing has one
      let up: number | null = null;
      let upVar = 0;
      for (const [r, range] of [[other, bestFix.rangeA], [ray, bestFix.rangeB]] as const) {
        const d = r.det;
        if (d.type === 'bearing' && d.elevation !== undefined && Math.abs(d.elevation) < MAX_INIT_ELEVATION && up === null) {
          up = r.sz + range * Math.tan(d.elevation);
          upVar = (range * d.elevationSd) ** 2 + 100 * 100;
        }
      }
      // the sound left the target range/c before each acoustic detection
      const te = 0.5 * (other.det.t - bestFix.rangeA * other.delay + (t - bestFix.rangeB * ray.delay));
      const s = fixState(options, bestFix.x, bestFix.y, bestFix.cxx, bestFix.cxy, bestFix.cyy, up, upVar, rot9);
      return { x: s.x, p: s.p, t: te, dets: [other.det, det] };
    },
  };
}
