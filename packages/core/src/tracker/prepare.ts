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

/** Prepares `det`; returns a failure naming the reason for kinds this tracker cannot use. */
export function prepareDetection(ctx: PrepareContext, det: Detection): PreparedDetection | PrepareFailure {
  switch (det.type) {
    case 'position': {
      const at: GeoPoint = det.hasAltitude ? det.position : { latDeg: det.position.latDeg, lonDeg: det.position.lonDeg, altM: ctx.assumedAltitude };
      const frame = createLocalFrame(ctx.global, at);
      const meas = createMeasurement(frame);
      addComponent(meas, COMP_E, 0, det.posSd);
      addComponent(meas, COMP_N, 0, det.posSd);
      if (det.hasAltitude) addComponent(meas, COMP_U, 0, det.altSd);
      fromLocal(frame, zero3, tmp3);
      return { det, meas, ax: tmp3[0], ay: tmp3[1], radius: 4 * det.posSd, assumedElevation: NaN, assumedElevationSd: NaN };
    }
    case 'range_bearing': {
      const frame = sensorFrame(ctx, det);
      if (!frame || !det.sensorPosition) return { reason: 'range_bearing detection without a sensor position' };
      const meas = createMeasurement(frame);
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
      const g = fromLocal(frame, tmp3, new Float64Array(3));
      const radius = 4 * Math.max(det.rangeSd, det.range * det.bearingSd) + (det.elevation === undefined ? ctx.assumedAltitudeSd : 0);
      return { det, meas, ax: g[0], ay: g[1], radius, assumedElevation, assumedElevationSd };
    }
    case 'bearing':
      return { reason: 'bearing-only detections are not fused yet' };
    case 'presence':
      return { reason: 'presence detections are not fused yet' };
  }
}
