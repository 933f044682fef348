/**
 * Interacting multiple model filter (Blom & Bar-Shalom 1988; Bar-Shalom et al. 2001 §11.6.6)
 * of nearly-constant-velocity modes that differ in their acceleration noise, each updated by
 * an extended Kalman filter (Joseph form). A mode's noise is qH·gH + qV·gV, with the unit
 * densities gH, gV oriented to the local level at the track (re-oriented when it moves far).
 */
import { enuToGeodetic, type EnuFrame } from '../geo/index.js';
import { applyUpdate, createEkfWorkspace, innovate } from '../filters/ekf.js';
import { NEGLIGIBLE_SD, truncateBelow } from '../filters/truncate.js';
import { localRotation } from '../models/local-frame.js';
import { predictNcv } from '../models/ncv.js';
import { STATE_DIM } from '../models/state.js';
import type { MotionMode } from './options.js';
import type { TrackFilter } from './filter.js';
import { adaptMeasurement, logDetR } from './measurement-adapt.js';
import type { PreparedDetection } from './prepare.js';
import type { Track } from './track.js';

const LOG_2PI = Math.log(2 * Math.PI);
/** Mean radius of the Earth (m), for a quick bound on a state's altitude. */
const EARTH_RADIUS_M = 6_371_000;
const n = STATE_DIM;

export interface ImmFilterOptions {
  /** The tracker frame. */
  frame: EnuFrame;
  /** The motion modes (at least one). */
  motionModes: readonly MotionMode[];
  /** Initial probabilities of the modes (normalised here). */
  initialModeProbabilities: readonly number[];
  /**
   * Lowest altitude of a target (m above the WGS84 ellipsoid): after each update every mode's
   * estimate is truncated at it (filters/truncate.ts), along the local vertical at the track.
   * Default -Infinity (no bound).
   */
  altitudeFloor?: number;
}

export function createImmFilter(options: ImmFilterOptions): TrackFilter {
  const { frame } = options;
  const modes = options.motionModes;
  const nModes = modes.length;
  if (nModes === 0) throw new Error('an IMM filter needs at least one motion mode');
  if (options.initialModeProbabilities.length !== nModes) throw new Error(`an IMM filter needs one initial probability per mode (${nModes})`);
  const maxQH = Math.max(...modes.map((m) => m.qHorizontal));
  const g9 = new Float64Array(9);
  const rot9 = new Float64Array(9);
  const ws = createEkfWorkspace();
  // IMM scratch
  const mixX = new Float64Array(nModes * n);
  const mixP = new Float64Array(nModes * n * n);
  const logL = new Float64Array(nModes);
  const cbar = new Float64Array(nModes);
  const xm = new Float64Array(n);
  const pm = new Float64Array(n * n);
  const floor = options.altitudeFloor ?? -Infinity;
  const up = new Float64Array(n);
  const modeXs = new Float64Array(n);
  const modeP = new Float64Array(n * n);

  /** Orients the unit noise densities gH, gV to the local level at the track's position. */
  function orientNoise(tr: Track): void {
    const geo = enuToGeodetic(frame, tr.x[0], tr.x[1], tr.x[2]);
    const m = localRotation(frame, geo.latDeg, geo.lonDeg, rot9);
    // gH = Mᵀ·diag(1, 1, 0)·M, gV = Mᵀ·diag(0, 0, 1)·M
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        tr.gH[i * 3 + j] = m[i] * m[j] + m[3 + i] * m[3 + j];
        tr.gV[i * 3 + j] = m[6 + i] * m[6 + j];
      }
    }
    tr.gAtE = tr.x[0];
    tr.gAtN = tr.x[1];
  }

  /** Noise density of mode j (or, with j = -1, the modes' mixture by their probabilities) into `out`. */
  function noiseOf(tr: Track, j: number, out: Float64Array): Float64Array {
    let qh = 0;
    let qv = 0;
    if (j >= 0) {
      qh = modes[j].qHorizontal;
      qv = modes[j].qVertical;
    } else {
      for (let k = 0; k < nModes; k++) {
        qh += tr.mu[k] * modes[k].qHorizontal;
        qv += tr.mu[k] * modes[k].qVertical;
      }
    }
    for (let i = 0; i < 9; i++) out[i] = qh * tr.gH[i] + qv * tr.gV[i];
    return out;
  }

  function reorientIfMoved(tr: Track): void {
    const dx = tr.x[0] - tr.gAtE;
    const dy = tr.x[1] - tr.gAtN;
    if (dx * dx + dy * dy > 20000 * 20000) orientNoise(tr);
  }

  function transition(i: number, j: number, adt: number): number {
    if (nModes === 1) return 1;
    const stay = Math.exp(-adt / modes[i].meanDuration);
    return i === j ? stay : (1 - stay) / (nModes - 1);
  }

  /** The combined (moment-matched) estimate of the modes into tr.x, tr.p. */
  function combine(tr: Track): void {
    tr.x.fill(0);
    for (let j = 0; j < nModes; j++) for (let a = 0; a < n; a++) tr.x[a] += tr.mu[j] * tr.modeX[j * n + a];
    tr.p.fill(0);
    for (let j = 0; j < nModes; j++) {
      const mu = tr.mu[j];
      const jo = j * n * n;
      for (let a = 0; a < n; a++) {
        const da = tr.modeX[j * n + a] - tr.x[a];
        for (let b = 0; b <= a; b++) tr.p[a * n + b] += mu * (tr.modeP[jo + a * n + b] + da * (tr.modeX[j * n + b] - tr.x[b]));
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) tr.p[b * n + a] = tr.p[a * n + b];
  }

  /** The IMM's mixing over `adt` seconds: each mode's prior, mixed from the modes before by the transition probabilities (cbar: the predicted mode probabilities), into mixX, mixP. */
  function mix(tr: Track, adt: number): void {
    // π_ij = P(mode j now | mode i before), from the modes' mean durations
    for (let j = 0; j < nModes; j++) {
      let c = 0;
      for (let i = 0; i < nModes; i++) c += transition(i, j, adt) * tr.mu[i];
      cbar[j] = c;
    }
    for (let j = 0; j < nModes; j++) {
      const xo = j * n;
      const po = j * n * n;
      for (let a = 0; a < n; a++) mixX[xo + a] = 0;
      for (let i = 0; i < nModes; i++) {
        const wgt = cbar[j] > 0 ? (transition(i, j, adt) * tr.mu[i]) / cbar[j] : i === j ? 1 : 0;
        for (let a = 0; a < n; a++) mixX[xo + a] += wgt * tr.modeX[i * n + a];
      }
      for (let a = 0; a < n * n; a++) mixP[po + a] = 0;
      for (let i = 0; i < nModes; i++) {
        const wgt = cbar[j] > 0 ? (transition(i, j, adt) * tr.mu[i]) / cbar[j] : i === j ? 1 : 0;
        if (wgt === 0) continue;
        const io = i * n * n;
        // lower triangle, mirrored below
        for (let a = 0; a < n; a++) {
          const da = tr.modeX[i * n + a] - mixX[xo + a];
          for (let b = 0; b <= a; b++) {
            const db = tr.modeX[i * n + b] - mixX[xo + b];
            mixP[po + a * n + b] += wgt * (tr.modeP[io + a * n + b] + da * db);
          }
        }
      }
      for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) mixP[po + b * n + a] = mixP[po + a * n + b];
    }
  }

  /**
   * The IMM update of track `tr` with detection `pd`: mixing with the mode transition
   * probabilities over the elapsed time, per-mode prediction and EKF update, mode
   * probabilities from the likelihoods, and the moment-matched combined estimate. Returns the
   * squared Mahalanobis distance of the most likely mode, or NaN when no mode could use the
   * detection.
   */
  function update(tr: Track, pd: PreparedDetection): number {
    reorientIfMoved(tr);
    const dt = pd.det.t - tr.t;
    const adt = Math.abs(dt);
    mix(tr, adt);
    // per-mode prediction and update
    let best = -1;
    let bestD2 = NaN;
    let maxLog = -Infinity;
    for (let j = 0; j < nModes; j++) {
      const xo = j * n;
      const po = j * n * n;
      for (let a = 0; a < n; a++) xm[a] = mixX[xo + a];
      for (let a = 0; a < n * n; a++) pm[a] = mixP[po + a];
      predictNcv(xm, pm, dt, noiseOf(tr, j, g9), xm, pm);
      adaptMeasurement(pd, xm, pm);
      if (innovate(xm, pm, pd.meas, ws)) {
        logL[j] = -0.5 * (ws.d2 + ws.logDetS + ws.dim * LOG_2PI);
        const d2 = ws.d2;
        applyUpdate(xm, pm, pd.meas, ws);
        if (logL[j] + Math.log(cbar[j] || 1e-300) > maxLog) {
          maxLog = logL[j] + Math.log(cbar[j] || 1e-300);
          best = j;
          bestD2 = d2;
        }
      } else {
        logL[j] = -Infinity;
      }
      for (let a = 0; a < n; a++) mixX[xo + a] = xm[a];
      for (let a = 0; a < n * n; a++) mixP[po + a] = pm[a];
    }
    if (best < 0) return NaN;
    finish(tr, maxLog, pd.det.t);
    return bestD2;
  }

  /** The new mode probabilities from logL and cbar (maxLog: the largest ln(cbar·L)), the modes' states from mixX, mixP, and the combined estimate at time t. */
  function finish(tr: Track, maxLog: number, t: number): void {
    let sum = 0;
    for (let j = 0; j < nModes; j++) {
      const w = logL[j] === -Infinity || !(cbar[j] > 0) ? 0 : Math.exp(logL[j] + Math.log(cbar[j]) - maxLog);
      tr.mu[j] = w;
      sum += w;
    }
    for (let j = 0; j < nModes; j++) tr.mu[j] = Math.max(tr.mu[j] / sum, 1e-6);
    let s2 = 0;
    for (let j = 0; j < nModes; j++) s2 += tr.mu[j];
    for (let j = 0; j < nModes; j++) tr.mu[j] /= s2;
    tr.modeX.set(mixX);
    tr.modeP.set(mixP);
    if (floor > -Infinity) holdAboveFloor(tr);
    combine(tr);
    tr.t = t;
  }

  /**
   * Truncates each mode's estimate at the altitude floor, along the local vertical at the
   * track (the unit up vector: gV = u·uᵀ, whose third column over √gV₂₂ is u). An update may
   * put a target below the ground: a radar plot at long range, whose elevation's one-sigma is
   * a kilometre or more there, took a track to -1,145 m (a national scene, 2026-12-07).
   */
  function holdAboveFloor(tr: Track): void {
    const uz = Math.sqrt(tr.gV[8]);
    if (!(uz > 0)) return;
    for (let a = 0; a < 3; a++) up[a] = tr.gV[a * 3 + 2] / uz;
    for (let j = 0; j < nModes; j++) {
      const xo = j * n;
      const po = j * n * n;
      // far above the floor (by the spherical approximation, with a kilometre to spare for it):
      // nothing to do, without the exact conversion
      const e = tr.modeX[xo];
      const nn = tr.modeX[xo + 1];
      const rough = frame.origin.altM + tr.modeX[xo + 2] + (e * e + nn * nn) / (2 * EARTH_RADIUS_M);
      if (rough - NEGLIGIBLE_SD * Math.sqrt(Math.max(0, tr.modeP[po + 2 * n + 2])) > floor + 1000) continue;
      const alt = enuToGeodetic(frame, e, nn, tr.modeX[xo + 2]).altM;
      if (!Number.isFinite(alt)) continue;
      for (let a = 0; a < n; a++) modeXs[a] = tr.modeX[xo + a];
      for (let a = 0; a < n * n; a++) modeP[a] = tr.modeP[po + a];
      if (!truncateBelow(modeXs, modeP, up, n, floor - alt)) continue;
      tr.modeX.set(modeXs, xo);
      tr.modeP.set(modeP, po);
    }
  }

  // scratch of the weighted update: each hypothesis's posterior state, covariance and weight
  let hypX = new Float64Array(4 * n);
  let hypP = new Float64Array(4 * n * n);
  let hypW = new Float64Array(4);
  let hypD2 = new Float64Array(4);

  /**
   * The PDA update of an IMM (Bar-Shalom & Li 1995 §9.4; per mode, with mode-conditioned
   * association probabilities, as the IMM-PDAF): for each mode, the hypotheses "detection i is
   * the track's" (its EKF update at the detection's time, predicted on to the latest of them,
   * t*) and "none is" (the prediction to t*), weighted scale[i]·ℓᵢ and missWeight with ℓᵢ the
   * pair's likelihood per resolution cell under the mode; the mode's posterior is their
   * moment-matched mixture (the spread of the hypotheses enters the covariance), and its
   * likelihood for the mode probabilities is the sum of the weights. Returns the squared
   * Mahalanobis distance of the heaviest detection in the most probable mode, or NaN (the
   * track unchanged) when no mode could use any of the detections.
   */
  function updateWeighted(tr: Track, pds: readonly PreparedDetection[], scale: readonly number[], missWeight: number): number {
    const nh = pds.length + 1;
    if (hypW.length < nh) {
      hypX = new Float64Array(nh * n);
      hypP = new Float64Array(nh * n * n);
      hypW = new Float64Array(nh);
      hypD2 = new Float64Array(nh);
    }
    reorientIfMoved(tr);
    let tStar = -Infinity;
    for (const pd of pds) if (pd.det.t > tStar) tStar = pd.det.t;
    if (!Number.isFinite(tStar)) return NaN;
    mix(tr, Math.abs(tStar - tr.t));
    let used = false;
    let maxLog = -Infinity;
    let bestD2 = NaN;
    for (let j = 0; j < nModes; j++) {
      const xo = j * n;
      const po = j * n * n;
      const g = noiseOf(tr, j, g9);
      // the miss hypothesis: the prediction to t*
      for (let a = 0; a < n; a++) xm[a] = mixX[xo + a];
      for (let a = 0; a < n * n; a++) pm[a] = mixP[po + a];
      predictNcv(xm, pm, tStar - tr.t, g, xm, pm);
      hypX.set(xm, 0);
      hypP.set(pm, 0);
      hypW[0] = missWeight;
      let total = missWeight;
      for (let i = 0; i < pds.length; i++) {
        const pd = pds[i];
        const h = i + 1;
        hypW[h] = 0;
        hypD2[h] = NaN;
        for (let a = 0; a < n; a++) xm[a] = mixX[xo + a];
        for (let a = 0; a < n * n; a++) pm[a] = mixP[po + a];
        predictNcv(xm, pm, pd.det.t - tr.t, g, xm, pm);
        adaptMeasurement(pd, xm, pm);
        if (!innovate(xm, pm, pd.meas, ws) || !Number.isFinite(ws.logDetS)) continue;
        const w = scale[i] * Math.exp(Math.min(0, -0.5 * (ws.d2 + ws.logDetS - logDetR(pd))));
        if (!(w > 0) || !Number.isFinite(w)) continue;
        hypD2[h] = ws.d2;
        applyUpdate(xm, pm, pd.meas, ws);
        predictNcv(xm, pm, tStar - pd.det.t, g, xm, pm);
        hypX.set(xm, h * n);
        hypP.set(pm, h * n * n);
        hypW[h] = w;
        total += w;
        used = true;
      }
      // the mixture's mean and covariance (spread of the hypotheses included)
      for (let a = 0; a < n; a++) {
        let m = 0;
        for (let h = 0; h < nh; h++) if (hypW[h] > 0) m += hypW[h] * hypX[h * n + a];
        mixX[xo + a] = m / total;
      }
      for (let a = 0; a < n; a++) {
        for (let b = 0; b <= a; b++) {
          let c = 0;
          for (let h = 0; h < nh; h++) {
            if (!(hypW[h] > 0)) continue;
            c += hypW[h] * (hypP[h * n * n + a * n + b] + (hypX[h * n + a] - mixX[xo + a]) * (hypX[h * n + b] - mixX[xo + b]));
          }
          mixP[po + a * n + b] = c / total;
          mixP[po + b * n + a] = c / total;
        }
      }
      logL[j] = Math.log(total);
      const lp = logL[j] + Math.log(cbar[j] || 1e-300);
      if (lp > maxLog) {
        maxLog = lp;
        let hb = -1;
        for (let h = 1; h < nh; h++) if (hypW[h] > 0 && (hb < 0 || hypW[h] > hypW[hb])) hb = h;
        bestD2 = hb < 0 ? NaN : hypD2[hb];
      }
    }
    if (!used) return NaN;
    finish(tr, maxLog, tStar);
    return Number.isNaN(bestD2) ? 0 : bestD2;
  }

  return {
    modes: nModes,
    maxQHorizontal: maxQH,
    initialise(tr) {
      const mu0 = options.initialModeProbabilities;
      const muSum = mu0.reduce((a, b) => a + b, 0);
      for (let j = 0; j < nModes; j++) {
        tr.modeX.set(tr.x, j * n);
        tr.modeP.set(tr.p, j * n * n);
        tr.mu[j] = mu0[j] / muSum;
      }
      orientNoise(tr);
    },
    predict(tr, t, xOut, pOut) {
      reorientIfMoved(tr);
      predictNcv(tr.x, tr.p, t - tr.t, noiseOf(tr, -1, g9), xOut, pOut);
    },
    update,
    updateWeighted,
    weighs: () => true,
  };
}
