/**
 * Turns a detection into a measurement in the tracker's frame: picks the local frame (the
 * sensor's, or the reported point's), lists the measured components with their errors, and
 * finds an approximate horizontal position and radius for the spatial pre-filter.
 */
import { createLocalFrame, fromLocal, type LocalFrame } from '../models/local-frame.js';
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
import type { EnuFrame } from '../geo/index.js';
import type { Detection, GeoPoint } from '../types.js';

export interface PreparedDetection {
  det: Detection;
  meas: Measurement;
  /** Approximate horizontal position in the tracker frame (m) and the radius around it
   *  (m) within which the target almost surely is: the gating pre-filter's disc. */
  ax: number;
  ay: number;
  radius: number;
  /** Approximate 2×2 covariance (m²) of that horizontal position in the tracker frame:
   *  the pre-gate's share of the detection's error. */
  cxx: number;
  cxy: number;
  cyy: number;
  /** Elevation assumed for initiation when the detection measures none (rad), else NaN. */
  assumedElevation: number;
  assumedElevationSd: number;
}

/** Why a detection could not be used; returned, never thrown. */
export interface PrepareFailure {
  reason: string;
}

export interface PrepareContext {
  global: EnuFrame;
  assumedAltitude: number;
  assumedAltitudeSd: number;
  /** Cache of fixed sensors' frames, by sensor id. */
  sensorFrames: Map<string, { at: GeoPoint; frame: LocalFrame }>;
}

const tmp3 = new Float64Array(3);
const tmp3b = new Float64Array(3);
const zero3 = new Float64Array(3);

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

/** An empty prepared detection to fill with `prepareDetection` (pool them: filling allocates little). */
export function createPreparedDetection(): PreparedDetection {
  return {
    det: undefined as unknown as Detection,
    meas: createMeasurement(IDENTITY_FRAME),
    ax: 0,
    ay: 0,
    radius: 0,
    cxx: 0,
    cxy: 0,
    cyy: 0,
    assumedElevation: NaN,
    assumedElevationSd: NaN,
  };
}

const IDENTITY_FRAME: LocalFrame = { m: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), o: new Float64Array(3) };

function fill(out: PreparedDetection, det: Detection, ax: number, ay: number, radius: number, cxx: number, cxy: number, cyy: number, assumedElevation: number, assumedElevationSd: number): PreparedDetection {
  out.det = det;
  out.ax = ax;
  out.ay = ay;
  out.radius = radius;
  out.cxx = cxx;
  out.cxy = cxy;
  out.cyy = cyy;
  out.assumedElevation = assumedElevation;
  out.assumedElevationSd = assumedElevationSd;
  return out;
}

/**
 * Prepares `det` into `out` (a new object when not given); returns a failure naming the
 * reason for kinds this tracker cannot use.
 */
export function prepareDetection(ctx: PrepareContext, det: Detection, out: PreparedDetection = createPreparedDetection()): PreparedDetection | PrepareFailure {
  switch (det.type) {
    case 'position': {
      const at: GeoPoint = det.hasAltitude ? det.position : { latDeg: det.position.latDeg, lonDeg: det.position.lonDeg, altM: ctx.assumedAltitude };
      const frame = createLocalFrame(ctx.global, at);
      const meas = out.meas;
      resetMeasurement(meas, frame);
      addComponent(meas, COMP_E, 0, det.posSd);
      addComponent(meas, COMP_N, 0, det.posSd);
      if (det.hasAltitude) addComponent(meas, COMP_U, 0, det.altSd);
      fromLocal(frame, zero3, tmp3);
      const v = det.posSd * det.posSd;
      return fill(out, det, tmp3[0], tmp3[1], 4 * det.posSd, v, 0, v, NaN, NaN);
    }
    case 'range_bearing': {
      const frame = sensorFrame(ctx, det);
      if (!frame || !det.sensorPosition) return { reason: 'range_bearing detection without a sensor position' };
      const meas = out.meas;
      resetMeasurement(meas, frame);
      addComponent(meas, COMP_RANGE, det.range, det.rangeSd);
      addComponent(meas, COMP_BEARING, det.bearing, det.bearingSd);
      let el = det.elevation;
      let assumedElevation = NaN;
      let assumedElevationSd = NaN;
      if (el !== undefined) {
        addComponent(meas, COMP_ELEVATION, el, det.elevationSd);
      } else {
        const r = Math.max(det.range, 1);
        const s = (ctx.assumedAltitude - det.sensorPosition.altM) / r;
        el = Math.asin(Math.max(-1, Math.min(1, s)));
        assumedElevation = el;
        assumedElevationSd = Math.min(Math.PI / 4, ctx.assumedAltitudeSd / r);
      }
      if (det.rangeRate !== undefined) addComponent(meas, COMP_RANGE_RATE, det.rangeRate, det.rangeRateSd);
      const ce = Math.cos(el);
      tmp3[0] = det.range * ce * Math.sin(det.bearing);
      tmp3[1] = det.range * ce * Math.cos(det.bearing);
      tmp3[2] = det.range * Math.sin(el);
      const g = fromLocal(frame, tmp3, tmp3b);
      const radius = 4 * Math.max(det.rangeSd, det.range * det.bearingSd) + (det.elevation === undefined ? ctx.assumedAltitudeSd : 0);
      // horizontal covariance in the sensor frame from range, bearing and elevation errors
      const sb = Math.sin(det.bearing);
      const cb = Math.cos(det.bearing);
      const se = Math.sin(el);
      const elSd = det.elevation === undefined ? assumedElevationSd : det.elevationSd;
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
      const cxx = a00 * a00 * lxx + 2 * a00 * a01 * lxy + a01 * a01 * lyy;
      const cxy = a00 * a10 * lxx + (a00 * a11 + a01 * a10) * lxy + a01 * a11 * lyy;
      const cyy = a10 * a10 * lxx + 2 * a10 * a11 * lxy + a11 * a11 * lyy;
      return fill(out, det, g[0], g[1], radius, cxx, cxy, cyy, assumedElevation, assumedElevationSd);
    }
    case 'bearing':
      return { reason: 'bearing-only detections are not fused yet' };
    case 'presence':
      return { reason: 'presence detections are not fused yet' };
  }
}
