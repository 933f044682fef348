/**
 * Turns a detection into a measurement in the tracker's frame: picks the local frame (the
 * sensor's, or the reported point's), lists the measured components with their errors, and
 * describes where in the horizontal plane the target can be, for the spatial pre-filter:
 *
 * - `SHAPE_POINT` (position, range-bearing): a point (ax, ay) with a 2×2 covariance;
 * - `SHAPE_RAY` (bearing): a ray from the sensor (sx, sy) along (ux, uy), out to `reach` m,
 *   with a one-sigma angle `angleSd`;
 * - `SHAPE_DISC` (presence): a disc of radius `reach` about the sensor (sx, sy).
 *
 * Acoustic detections (sensor kind `acoustic`) carry the sound's travel time in their
 * measurement (see `models/measurement.ts`, `delay`).
 */
import { createLocalFrame, fromLocal, rotateToGlobal, type LocalFrame } from '../models/local-frame.js';
import {
  addComponent,
  COMP_BEARING,
  COMP_E,
  COMP_ELEVATION,
  COMP_N,
  COMP_RANGE,
  COMP_RANGE_RATE,
  COMP_U,
  createMeasurement,
  resetMeasurement,
  type Measurement,
} from '../models/measurement.js';
import { horizontalDistance, type EnuFrame } from '../geo/index.js';
import type { Detection, GeoPoint } from '../types.js';

export const SHAPE_POINT = 0;
export const SHAPE_RAY = 1;
export const SHAPE_DISC = 2;

export interface PreparedDetection {
  det: Detection;
  meas: Measurement;
  shape: number;
  /** Grid query centre (m, tracker frame): the approximate position (point), the middle of the
   *  ray (ray) or the sensor (disc). */
  ax: number;
  ay: number;
  /** The sensor's position in the tracker frame (m); for a position report the reported point. */
  sx: number;
  sy: number;
  sz: number;
  /** Radius (m) of a disc that holds every place the target can be: the grid query. */
  radius: number;
  /** Point: 2×2 covariance (m²) of (ax, ay). */
  cxx: number;
  cxy: number;
  cyy: number;
  /** Ray: unit direction in the tracker frame's horizontal plane, and the angle's one-sigma (rad). */
  ux: number;
  uy: number;
  angleSd: number;
  /** Ray: the sensor's reach (m); disc: the disc's radius (m). */
  reach: number;
  /** Elevation assumed for initiation when a range-bearing detection measures none (rad), else NaN. */
  assumedElevation: number;
  assumedElevationSd: number;
  /** Variance of the bearing component as measured (rad²): the tracker inflates it near the sensor. */
  bearingVariance: number;
  /** Index of the bearing component in `meas`, or -1. */
  bearingComp: number;
}

/** Why a detection could not be used; returned, never thrown. */
export interface PrepareFailure {
  reason: string;
}

export interface PrepareContext {
  global: EnuFrame;
  assumedAltitude: number;
  assumedAltitudeSd: number;
  /** Speed of sound (m/s) for acoustic detections; 0 turns the correction off. */
  soundSpeed: number;
  /** Reach (m) of a bearing sensor that states no `range_m`, by sensor kind (`default` for the rest). */
  bearingReach: Readonly<Record<string, number>>;
  /** Cache of fixed sensors' frames, by sensor id. */
  sensorFrames: Map<string, { at: GeoPoint; frame: LocalFrame }>;
}

const tmp3 = new Float64Array(3);
const tmp3b = new Float64Array(3);
const zero3 = new Float64Array(3);

const IDENTITY_FRAME: LocalFrame = { m: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), o: new Float64Array(3) };

/** An empty prepared detection to fill with `prepareDetection` (pool them: filling allocates little). */
export function createPreparedDetection(): PreparedDetection {
  return {
    det: undefined as unknown as Detection,
    meas: createMeasurement(IDENTITY_FRAME),
    shape: SHAPE_POINT,
    ax: 0,
    ay: 0,
    sx: 0,
    sy: 0,
    sz: 0,
    radius: 0,
    cxx: 0,
    cxy: 0,
    cyy: 0,
    ux: 0,
    uy: 1,
    angleSd: 0,
    reach: 0,
    assumedElevation: NaN,
    assumedElevationSd: NaN,
    bearingVariance: 0,
    bearingComp: -1,
  };
}

function sensorFrame(ctx: PrepareContext, det: Detection): LocalFrame | null {
  const at = det.sensorPosition;
  if (!at) return null;
  const cached = ctx.sensorFrames.get(det.sensorId);
  if (cached && cached.at.latDeg === at.latDeg && cached.at.lonDeg === at.lonDeg && cached.at.altM === at.altM) {
    return cached.frame;
  }
  const frame = createLocalFrame(ctx.global, at);
  ctx.sensorFrames.set(det.sensorId, { at, frame });
  return frame;
}

function reset(out: PreparedDetection, det: Detection, shape: number): PreparedDetection {
  out.det = det;
  out.shape = shape;
  out.assumedElevation = NaN;
  out.assumedElevationSd = NaN;
  out.bearingComp = -1;
  out.bearingVariance = 0;
  return out;
}

/** Sets the frame's origin (the sensor) in the tracker frame into out.sx/sy/sz and out.ax/ay. */
function sensorOrigin(frame: LocalFrame, out: PreparedDetection): void {
  fromLocal(frame, zero3, tmp3b);
  out.sx = tmp3b[0];
  out.sy = tmp3b[1];
  out.sz = tmp3b[2];
  out.ax = tmp3b[0];
  out.ay = tmp3b[1];
}

/** A position's altitude sd beyond this many times the tracker's assumed altitude sd is no altitude. */
export const UNINFORMATIVE_ALT_SD_FACTOR = 100;
/** Largest ratio between a position measurement's horizontal and vertical one-sigmas (either way). */
export const MAX_SD_RATIO = 1e4;

/**
 * The one-sigmas a position detection is used with: its altitude's left out (null) when it is
 * {@link UNINFORMATIVE_ALT_SD_FACTOR} times vaguer than the tracker's prior of it, and the two
 * kept within {@link MAX_SD_RATIO} of each other (the smaller raised).
 */
export function positionSds(det: { posSd: number; altSd: number; hasAltitude: boolean }, assumedAltitudeSd: number): { posSd: number; altSd: number | null } {
  if (!det.hasAltitude || !(det.altSd <= UNINFORMATIVE_ALT_SD_FACTOR * assumedAltitudeSd)) return { posSd: det.posSd, altSd: null };
  return { posSd: Math.max(det.posSd, det.altSd / MAX_SD_RATIO), altSd: Math.max(det.altSd, det.posSd / MAX_SD_RATIO) };
}

/** A position report farther than this (m) from the tracker's origin is not used: no air picture spans more, and the tangent plane does not hold it. */
export const MAX_FRAME_DISTANCE = 3_000_000;

/** A position report farther from its sensor than this many times the sensor's `range_m` (and its own error) is not used. */
export const POSITION_REACH_FACTOR = 2;

/**
 * Prepares `det` into `out` (a new object when not given); returns a failure naming the
 * reason when it cannot be used.
 */
export function prepareDetection(ctx: PrepareContext, det: Detection, out: PreparedDetection = createPreparedDetection()): PreparedDetection | PrepareFailure {
  const delay = det.sensorKind === 'acoustic' && ctx.soundSpeed > 0 ? 1 / ctx.soundSpeed : 0;
  switch (det.type) {
    case 'position': {
      // an altitude a hundred times vaguer than the tracker's own prior of it tells nothing (its
      // information is under 1e-4 of the prior's) and, beside a precise horizontal position,
      // makes a covariance no double-precision filter can hold: it is left out. What is left is
      // kept within MAX_SD_RATIO of each other (the horizontal sd raised to the altitude's /
      // MAX_SD_RATIO at least): 1 mm with 1,000 km, both within the plausibility bounds, made a
      // covariance whose horizontal variance came out negative far from the tracker's origin
      // (an outside probe, 2026-12-07)
      const { posSd, altSd } = positionSds(det, ctx.assumedAltitudeSd);
      // a position its sensor cannot have seen: farther from it than POSITION_REACH_FACTOR times
      // its declared maximum range (range_m), beyond five of the position's own one-sigmas. Not a
      // target of this sensor's (made up, or the wrong sensor's id), and a flood of such rows
      // scattered over the globe had started a tentative track each (an outside probe of
      // 2026-12-07: 40,000 in four posts held the service's loop for seconds)
      if (det.sensorPosition && det.sensorRange !== undefined && det.sensorRange > 0) {
        const d = horizontalDistance(det.sensorPosition, det.position);
        if (!(d <= POSITION_REACH_FACTOR * det.sensorRange + 5 * posSd)) {
          return { reason: `position ${(d / 1000).toFixed(1)} km from its sensor, beyond ${POSITION_REACH_FACTOR} times the sensor's range_m (${(det.sensorRange / 1000).toFixed(1)} km)` };
        }
      }
      // and, whatever its sensor declares, one beyond what the tracker's plane can hold: the
      // frame is tangent at the sensors' centre, and 3,000 km from it the ground lies 700 km
      // below the plane (a sensor without range_m let the globe-scattered flood through)
      const fromOrigin = horizontalDistance(ctx.global.origin, det.position);
      if (!(fromOrigin <= MAX_FRAME_DISTANCE)) {
        return { reason: `position ${(fromOrigin / 1000).toFixed(0)} km from the tracker's origin (the sensors' centre), beyond the ${MAX_FRAME_DISTANCE / 1000} km its local frame holds` };
      }
      const hasAltitude = altSd !== null;
      const at: GeoPoint = hasAltitude ? det.position : { latDeg: det.position.latDeg, lonDeg: det.position.lonDeg, altM: ctx.assumedAltitude };
      const frame = createLocalFrame(ctx.global, at);
      reset(out, det, SHAPE_POINT);
      const meas = out.meas;
      resetMeasurement(meas, frame);
      addComponent(meas, COMP_E, 0, posSd);
      addComponent(meas, COMP_N, 0, posSd);
      if (altSd !== null) addComponent(meas, COMP_U, 0, altSd);
      sensorOrigin(frame, out);
      const v = posSd * posSd;
      out.radius = 4 * posSd;
      out.cxx = v;
      out.cxy = 0;
      out.cyy = v;
      return out;
    }
    case 'range_bearing': {
      const frame = sensorFrame(ctx, det);
      if (!frame || !det.sensorPosition) return { reason: 'range_bearing detection without a sensor position' };
      reset(out, det, SHAPE_POINT);
      const meas = out.meas;
      resetMeasurement(meas, frame, delay);
      addComponent(meas, COMP_RANGE, det.range, det.rangeSd);
      out.bearingComp = meas.dim;
      out.bearingVariance = det.bearingSd * det.bearingSd;
      addComponent(meas, COMP_BEARING, det.bearing, det.bearingSd);
      let el = det.elevation;
      if (el !== undefined) {
        addComponent(meas, COMP_ELEVATION, el, det.elevationSd);
      } else {
        const r = Math.max(det.range, 1);
        const s = (ctx.assumedAltitude - det.sensorPosition.altM) / r;
        el = Math.asin(Math.max(-1, Math.min(1, s)));
        out.assumedElevation = el;
        out.assumedElevationSd = Math.min(Math.PI / 4, ctx.assumedAltitudeSd / r);
      }
      if (det.rangeRate !== undefined) addComponent(meas, COMP_RANGE_RATE, det.rangeRate, det.rangeRateSd);
      sensorOrigin(frame, out);
      const ce = Math.cos(el);
      tmp3[0] = det.range * ce * Math.sin(det.bearing);
      tmp3[1] = det.range * ce * Math.cos(det.bearing);
      tmp3[2] = det.range * Math.sin(el);
      const g = fromLocal(frame, tmp3, tmp3b);
      out.ax = g[0];
      out.ay = g[1];
      out.radius = 4 * Math.max(det.rangeSd, det.range * det.bearingSd) + (det.elevation === undefined ? ctx.assumedAltitudeSd : 0);
      // horizontal covariance in the sensor frame from range, bearing and elevation errors
      const sb = Math.sin(det.bearing);
      const cb = Math.cos(det.bearing);
      const se = Math.sin(el);
      const elSd = det.elevation === undefined ? out.assumedElevationSd : det.elevationSd;
      const vr = det.rangeSd * det.rangeSd;
      const vb = det.range * ce * det.bearingSd * (det.range * ce * det.bearingSd);
      const ve = det.range * se * elSd * (det.range * se * elSd);
      // along-range unit vector (sb, cb) carries range and elevation errors; across-range (cb, -sb) the bearing error
      const va = vr * ce * ce + ve;
      const lxx = va * sb * sb + vb * cb * cb;
      const lxy = va * sb * cb - vb * sb * cb;
      const lyy = va * cb * cb + vb * sb * sb;
      // rotate the horizontal block into the tracker frame (M's horizontal rows, transposed)
      const m = frame.m;
      const a00 = m[0];
      const a01 = m[3];
      const a10 = m[1];
      const a11 = m[4];
      out.cxx = a00 * a00 * lxx + 2 * a00 * a01 * lxy + a01 * a01 * lyy;
      out.cxy = a00 * a10 * lxx + (a00 * a11 + a01 * a10) * lxy + a01 * a11 * lyy;
      out.cyy = a10 * a10 * lxx + 2 * a10 * a11 * lxy + a11 * a11 * lyy;
      return out;
    }
    case 'bearing': {
      const frame = sensorFrame(ctx, det);
      if (!frame || !det.sensorPosition) return { reason: 'bearing detection without a sensor position' };
      reset(out, det, SHAPE_RAY);
      const meas = out.meas;
      resetMeasurement(meas, frame, delay);
      out.bearingComp = 0;
      out.bearingVariance = det.bearingSd * det.bearingSd;
      addComponent(meas, COMP_BEARING, det.bearing, det.bearingSd);
      if (det.elevation !== undefined) addComponent(meas, COMP_ELEVATION, det.elevation, det.elevationSd);
      sensorOrigin(frame, out);
      // the bearing's direction in the tracker frame's horizontal plane
      tmp3[0] = Math.sin(det.bearing);
      tmp3[1] = Math.cos(det.bearing);
      tmp3[2] = 0;
      rotateToGlobal(frame, tmp3, tmp3b);
      const h = Math.hypot(tmp3b[0], tmp3b[1]);
      out.ux = tmp3b[0] / h;
      out.uy = tmp3b[1] / h;
      out.angleSd = det.bearingSd;
      const kind = det.sensorKind ?? 'default';
      const known = Object.prototype.hasOwnProperty.call(ctx.bearingReach, kind) ? ctx.bearingReach[kind] : undefined;
      out.reach = det.sensorRange ?? known ?? ctx.bearingReach.default ?? 20000;
      // grid query: a disc holding the ray
      out.radius = out.reach / 2 + 500;
      out.ax += (out.ux * out.reach) / 2;
      out.ay += (out.uy * out.reach) / 2;
      return out;
    }
    case 'presence': {
      const frame = sensorFrame(ctx, det);
      if (!frame || !det.sensorPosition) return { reason: 'presence detection without a sensor position' };
      reset(out, det, SHAPE_DISC);
      const meas = out.meas;
      resetMeasurement(meas, frame, delay);
      // The target is somewhere in the disc: a Gaussian with the disc's own spread (a uniform
      // disc of radius R has a variance of R²/4 per axis) centred on the sensor.
      addComponent(meas, COMP_E, 0, det.range / 2);
      addComponent(meas, COMP_N, 0, det.range / 2);
      sensorOrigin(frame, out);
      out.reach = det.range;
      out.radius = det.range + 500;
      return out;
    }
  }
}

