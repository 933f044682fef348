/**
 * Shared pieces of the initiators: the velocity covariance of a new track, and the state of a
 * track started at a horizontal fix.
 */
import { enuToGeodetic, geodeticToEnu, type EnuFrame } from '../geo/index.js';
import { localRotation } from '../models/local-frame.js';
import { STATE_DIM } from '../models/state.js';

const n = STATE_DIM;

export interface InitialStateOptions {
  /** Initial velocity one-sigma, horizontal and vertical (m/s). */
  initVelocitySdH: number;
  initVelocitySdV: number;
}

/** Velocity covariance of a new track (tracker frame), isotropic in the local level of frame `m`, into `p`. */
export function initVelocityCovariance(options: InitialStateOptions, m: Float64Array, p: Float64Array): void {
  const vh = options.initVelocitySdH * options.initVelocitySdH;
  const vv = options.initVelocitySdV * options.initVelocitySdV;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let sv = 0;
      for (let k = 0; k < 3; k++) sv += m[k * 3 + i] * (k === 2 ? vv : vh) * m[k * 3 + j];
      p[(3 + i) * n + 3 + j] = sv;
    }
  }
}

export interface FixStateOptions extends InitialStateOptions {
  frame: EnuFrame;
  /** Altitude (m above the ellipsoid) and its one-sigma assumed when the fix has no height. */
  assumedAltitude: number;
  assumedAltitudeSd: number;
}

/** Position (E, N) in the tracker frame at an altitude above the ellipsoid: the tracker's U there. */
function upAt(frame: EnuFrame, e: number, nn: number, altM: number): number {
  const g = enuToGeodetic(frame, e, nn, 0);
  return geodeticToEnu(frame, { latDeg: g.latDeg, lonDeg: g.lonDeg, altM })[2];
}

/**
 * A new track's state (x, p) at a horizontal fix (x, y, 2×2 covariance) at the assumed
 * altitude, or at `up` (variance `upVar`) when known. `rot9` is scratch (9).
 */
export function fixState(
  options: FixStateOptions, x: number, y: number, cxx: number, cxy: number, cyy: number, up: number | null, upVar: number, rot9: Float64Array,
): { x: Float64Array; p: Float64Array } {
  const { frame } = options;
  const st = new Float64Array(n);
  const p = new Float64Array(n * n);
  st[0] = x;
  st[1] = y;
  st[2] = up ?? upAt(frame, x, y, options.assumedAltitude);
  p[0] = cxx;
  p[1] = cxy;
  p[n] = cxy;
  p[n + 1] = cyy;
  p[2 * n + 2] = up === null ? options.assumedAltitudeSd * options.assumedAltitudeSd : upVar;
  const g = enuToGeodetic(frame, x, y, st[2]);
  initVelocityCovariance(options, localRotation(frame, g.latDeg, g.lonDeg, rot9), p);
  return { x: st, p };
}
