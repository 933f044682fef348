/**
 * The Bayesian identifier: class hints and cooperative identities as they arrive, and a
 * kinematic step (speed, altitude, climb rate) for every confirmed track every
 * `CLASSIFY_INTERVAL` s (identify/classifier.ts, docs/identification.md).
 */
import { enuToGeodetic, type EnuFrame } from '../geo/index.js';
import { applyCooperative, applyHint, applyKinematics, applySourceKind, createClassState } from '../identify/classifier.js';
import { airLogRatio } from '../acoustic/rival-modes.js';
import { cloudKinematicsKnown } from '../acoustic/cloud-filter.js';
import { STATE_DIM } from '../models/state.js';
import type { ClassLabel } from '../types.js';
import type { Identifier } from './identifier.js';

/** Seconds between kinematic classification steps of a track. */
const CLASSIFY_INTERVAL = 5;
/** Seconds after which a sensor's next class hint on a track counts in full (its reports are correlated). */
const CLASS_HINT_TIME = 10;
const n = STATE_DIM;

export interface BayesIdentifierOptions {
  /** The tracker frame. */
  frame: EnuFrame;
  /** Prior class probabilities of a new track; default the raid prior. */
  classPrior?: Partial<Record<ClassLabel, number>>;
  /** A young track (no more than confirmHits + 1 detections) gets a kinematic step at every tracker step. */
  confirmHits: number;
  /** Vertical one-sigma (m) above which the altitude is not used. */
  altitudeObservableSd: number;
}

export function createBayesIdentifier(options: BayesIdentifierOptions): Identifier {
  const { frame } = options;
  return {
    createState() {
      return createClassState(options.classPrior);
    },
    /**
     * Repeated reports of one sensor are correlated, so each counts in proportion to the
     * time since that sensor's previous one (full weight after `CLASS_HINT_TIME`).
     */
    evidence(tr, det, previous) {
      const w = previous === undefined ? 1 : Math.min(1, Math.max(0, det.t - previous) / CLASS_HINT_TIME);
      if (w <= 0) return;
      if (det.classHint) applyHint(tr.cls, det.classHint, w);
      if (det.cooperativeId !== undefined) applyCooperative(tr.cls, det.sensorKind === 'remote_id' ? 'remote_id' : 'adsb', w);
      tr.clsOut = null;
    },
    step(live, t) {
      for (const tr of live) {
        if (tr.status === 'tentative') {
          tr.clsT = t;
          continue;
        }
        const dt = t - tr.clsT;
        if (dt < CLASSIFY_INTERVAL && tr.hits > options.confirmHits + 1) continue;
        // an acoustic track's rival hypotheses: what its reports say of a source in the air
        // against one on the ground or standing still (given once: the new part each step)
        const cs = tr.cloud;
        if (cs?.rivals) {
          const r = airLogRatio(cs.rivals);
          if (Number.isFinite(r)) {
            applySourceKind(tr.cls, r - (cs.sourceEvidence ?? 0));
            cs.sourceEvidence = r;
            tr.clsOut = null;
          }
        }
        if (!cloudKinematicsKnown(tr)) {
          // an acoustic track heard by one node: its speed is the motion prior's, not a measurement
          tr.clsT = t;
          continue;
        }
        const x = tr.x;
        const p = tr.p;
        const g = enuToGeodetic(frame, x[0], x[1], x[2]);
        const altSd = Math.sqrt(p[2 * n + 2]);
        applyKinematics(tr.cls, {
          speed: Math.hypot(x[3], x[4]),
          speedSd: Math.sqrt(0.5 * (p[3 * n + 3] + p[4 * n + 4])),
          altitude: altSd <= options.altitudeObservableSd ? g.altM : NaN,
          altitudeSd: altSd,
          climbRate: x[5],
          climbRateSd: Math.sqrt(p[5 * n + 5]),
          dt,
        });
        tr.clsT = t;
        tr.clsOut = null;
      }
    },
  };
}
