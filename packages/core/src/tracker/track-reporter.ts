/**
 * Reports of the confirmed and coasting tracks at a time: each predicted there (the tracks are
 * not changed) and given as a geodetic position, a local-level velocity, horizontal and
 * vertical one-sigmas of the position, the horizontal one-sigma of the velocity and the class
 * probabilities; in track id order.
 */
import { enuToGeodetic, type EnuFrame } from '../geo/index.js';
import { classProbabilities, threatProbability } from '../identify/classifier.js';
import { localRotation } from '../models/local-frame.js';
import { STATE_DIM } from '../models/state.js';
import type { TrackFilter } from './filter.js';
import type { Track } from './track.js';
import { cloudReportable } from '../acoustic/cloud-filter.js';
import type { TrackReport } from './tracker.js';

const n = STATE_DIM;

export interface TrackReporterOptions {
  frame: EnuFrame;
  filter: TrackFilter;
  /** Vertical one-sigma (m) above which the altitude is reported as unobservable. */
  altitudeObservableSd: number;
}

export type TrackReporter = (live: readonly Track[], t: number) => TrackReport[];

export function createTrackReporter(options: TrackReporterOptions): TrackReporter {
  const { frame, filter } = options;
  const xs = new Float64Array(n);
  const ps = new Float64Array(n * n);
  const v3 = new Float64Array(3);
  const rot9 = new Float64Array(9);
  return (live, t) => {
    const out: TrackReport[] = [];
    for (const tr of live) {
      if (tr.status === 'tentative' || !cloudReportable(tr)) continue;
      filter.predict(tr, t, xs, ps);
      const geo = enuToGeodetic(frame, xs[0], xs[1], xs[2]);
      const m = localRotation(frame, geo.latDeg, geo.lonDeg, rot9);
      v3[0] = m[0] * xs[3] + m[1] * xs[4] + m[2] * xs[5];
      v3[1] = m[3] * xs[3] + m[4] * xs[4] + m[5] * xs[5];
      v3[2] = m[6] * xs[3] + m[7] * xs[4] + m[8] * xs[5];
      // local covariance of the position: rows of M applied to the position block
      let trH = 0;
      let varU = 0;
      let trV = 0;
      for (let r = 0; r < 3; r++) {
        let s = 0;
        let sv = 0;
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            s += m[r * 3 + i] * ps[i * n + j] * m[r * 3 + j];
            sv += m[r * 3 + i] * ps[(i + 3) * n + j + 3] * m[r * 3 + j];
          }
        }
        if (r < 2) {
          trH += s;
          trV += sv;
        } else varU = s;
      }
      const rep: TrackReport = {
        t,
        trackId: tr.id,
        status: tr.status === 'coasting' ? 'coasting' : 'confirmed',
        position: geo,
        altitudeObservable: Math.sqrt(varU) <= options.altitudeObservableSd,
        velocityEnu: [v3[0], v3[1], v3[2]],
        positionSd: Math.sqrt(trH / 2),
        velocitySd: Math.sqrt(Math.max(0, trV) / 2),
        altitudeSd: Math.sqrt(varU),
        sensors: Array.from(tr.sensors.keys()),
        classProbs: (tr.clsOut ??= { probs: classProbabilities(tr.cls), threat: threatProbability(tr.cls) }).probs,
        threatProbability: tr.clsOut.threat,
      };
      if (tr.cooperativeId !== undefined) rep.cooperativeId = tr.cooperativeId;
      out.push(rep);
    }
    out.sort((a, b) => Number(a.trackId) - Number(b.trackId));
    return out;
  };
}
