/**
 * A local East-North-Up frame at some point (a sensor, a reported position), expressed as an
 * affine map from the tracker's global Cartesian frame: local = M·x + o. Because both frames
 * are exact rotations and translations of ECEF, the map is exact at any distance.
 */
import { enuRotation, geodeticToEcef, type EnuFrame } from '../geo/index.js';
import type { GeoPoint } from '../types.js';

export interface LocalFrame {
  /** 3×3 row-major rotation, global ENU axes to local ENU axes. */
  readonly m: Float64Array;
  /** Offset (m): the global origin expressed in the local frame. */
  readonly o: Float64Array;
}

const scratchEcef = new Float64Array(3);
const scratchDiff = new Float64Array(3);

const rq = new Float64Array(9);

/**
 * Rotation M from the global frame's axes to the local level axes at (latDeg, lonDeg), into
 * `out` (3×3 row-major): M = R_local · R_globalᵀ. Allocates nothing.
 */
export function localRotation(global: EnuFrame, latDeg: number, lonDeg: number, out: Float64Array): Float64Array {
  enuRotation(latDeg, lonDeg, rq);
  const ro = global.rot;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = rq[i * 3] * ro[j * 3] + rq[i * 3 + 1] * ro[j * 3 + 1] + rq[i * 3 + 2] * ro[j * 3 + 2];
    }
  }
  return out;
}

/** Builds the map from the global frame `global` to the ENU frame at `at`. */
export function createLocalFrame(global: EnuFrame, at: GeoPoint): LocalFrame {
  const m = localRotation(global, at.latDeg, at.lonDeg, new Float64Array(9));
  // rq now holds the ECEF-to-local rotation at `at`
  geodeticToEcef(at, scratchEcef);
  for (let k = 0; k < 3; k++) scratchDiff[k] = global.originEcef[k] - scratchEcef[k];
  const o = new Float64Array(3);
  for (let i = 0; i < 3; i++) o[i] = rq[i * 3] * scratchDiff[0] + rq[i * 3 + 1] * scratchDiff[1] + rq[i * 3 + 2] * scratchDiff[2];
  return { m, o };
}

/** out = M·x[0..2] + o (a global position into the local frame). */
export function toLocal(f: LocalFrame, x: ArrayLike<number>, out: Float64Array): Float64Array {
  const m = f.m;
  const x0 = x[0];
  const x1 = x[1];
  const x2 = x[2];
  out[0] = m[0] * x0 + m[1] * x1 + m[2] * x2 + f.o[0];
  out[1] = m[3] * x0 + m[4] * x1 + m[5] * x2 + f.o[1];
  out[2] = m[6] * x0 + m[7] * x1 + m[8] * x2 + f.o[2];
  return out;
}

/** out = Mᵀ·(l − o): a local position back into the global frame. */
export function fromLocal(f: LocalFrame, l: ArrayLike<number>, out: Float64Array): Float64Array {
  const m = f.m;
  const a = l[0] - f.o[0];
  const b = l[1] - f.o[1];
  const c = l[2] - f.o[2];
  out[0] = m[0] * a + m[3] * b + m[6] * c;
  out[1] = m[1] * a + m[4] * b + m[7] * c;
  out[2] = m[2] * a + m[5] * b + m[8] * c;
  return out;
}

/** out = M·v (a global direction into the local frame, no offset). */
export function rotateToLocal(f: LocalFrame, v: ArrayLike<number>, out: Float64Array): Float64Array {
  const m = f.m;
  const v0 = v[0];
  const v1 = v[1];
  const v2 = v[2];
  out[0] = m[0] * v0 + m[1] * v1 + m[2] * v2;
  out[1] = m[3] * v0 + m[4] * v1 + m[5] * v2;
  out[2] = m[6] * v0 + m[7] * v1 + m[8] * v2;
  return out;
}

/** out = Mᵀ·v (a local direction into the global frame). */
export function rotateToGlobal(f: LocalFrame, v: ArrayLike<number>, out: Float64Array): Float64Array {
  const m = f.m;
  const v0 = v[0];
  const v1 = v[1];
  const v2 = v[2];
  out[0] = m[0] * v0 + m[3] * v1 + m[6] * v2;
  out[1] = m[1] * v0 + m[4] * v1 + m[7] * v2;
  out[2] = m[2] * v0 + m[5] * v1 + m[8] * v2;
  return out;
}
