/**
 * One-point initiation: a detection that localises a target alone (a position report, a
 * range-bearing plot) starts a tentative track at the point it gives, with the covariance its
 * errors give the position and a broad velocity covariance.
 */
import { STATE_DIM } from '../models/state.js';
import { initVelocityCovariance } from './initial-state.js';
import type { Initiator } from './initiator.js';
import { positionSds, SHAPE_POINT } from './prepare.js';

const n = STATE_DIM;

export interface PointInitiatorOptions {
  /** One-sigma of the altitude assumed for a position report without one (m). */
  assumedAltitudeSd: number;
  /** Initial velocity one-sigma, horizontal and vertical (m/s). */
  initVelocitySdH: number;
  initVelocitySdV: number;
}

export function createPointInitiator(options: PointInitiatorOptions): Initiator {
  return {
    accepts(pd) {
      return pd.shape === SHAPE_POINT;
    },
    initiate(pd) {
      const det = pd.det;
      const x = new Float64Array(n);
      const p = new Float64Array(n * n);
      const f = pd.meas.frame;
      const m = f.m;
      // position and its covariance in the local frame of the measurement
      const dl = new Float64Array(3);
      const pl = new Float64Array(9);
      if (det.type === 'position') {
        // the one-sigmas the measurement itself is used with (prepare.ts)
        const { posSd, altSd } = positionSds(det, options.assumedAltitudeSd);
        pl[0] = posSd * posSd;
        pl[4] = posSd * posSd;
        pl[8] = altSd !== null ? altSd * altSd : options.assumedAltitudeSd * options.assumedAltitudeSd;
      } else if (det.type === 'range_bearing') {
        const el = det.elevation ?? pd.assumedElevation;
        const elSd = det.elevation === undefined ? pd.assumedElevationSd : det.elevationSd;
        const r = det.range;
        const sb = Math.sin(det.bearing);
        const cb = Math.cos(det.bearing);
        const se = Math.sin(el);
        const ce = Math.cos(el);
        dl[0] = r * ce * sb;
        dl[1] = r * ce * cb;
        dl[2] = r * se;
        // J = ∂d/∂(r, b, el), columns
        const j = [ce * sb, r * ce * cb, -r * se * sb, ce * cb, -r * ce * sb, -r * se * cb, se, 0, r * ce];
        const vr = [det.rangeSd * det.rangeSd, det.bearingSd * det.bearingSd, elSd * elSd];
        for (let a = 0; a < 3; a++) {
          for (let b = 0; b < 3; b++) {
            let s = 0;
            for (let k = 0; k < 3; k++) s += j[a * 3 + k] * vr[k] * j[b * 3 + k];
            pl[a * 3 + b] = s;
          }
        }
      } else {
        return null;
      }
      // global position = Mᵀ(dl − o); covariance Mᵀ·Pl·M; velocity covariance likewise from the local level
      const a0 = dl[0] - f.o[0];
      const a1 = dl[1] - f.o[1];
      const a2 = dl[2] - f.o[2];
      for (let i = 0; i < 3; i++) x[i] = m[i] * a0 + m[3 + i] * a1 + m[6 + i] * a2;
      for (let i = 0; i < 3; i++) {
        for (let jx = 0; jx < 3; jx++) {
          let s = 0;
          for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) s += m[k * 3 + i] * pl[k * 3 + l] * m[l * 3 + jx];
          p[i * n + jx] = s;
        }
      }
      initVelocityCovariance(options, m, p);
      return { x, p, t: det.t, dets: [det] };
    },
  };
}
