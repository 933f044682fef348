/**
 * Reuse of a track's last threat prediction while its state has not changed enough to change
 * the answer (issue 16; docs/warnings.md "Reusing a prediction").
 *
 * The predictor's answer for a report is a functional of one distribution: the track's
 * horizontal position and velocity, N(p, σp²·I) × N(v, σv²·I), pushed through the motion model
 * (constant velocity plus one dog-leg). The last prediction, made at t0, implies a distribution
 * of the state at a later t: its own, propagated by the model's constant-velocity part (per
 * axis, position variance σp0² + Δ²σv0², velocity variance σv0², covariance Δσv0²; Δ = t − t0).
 * The new report gives another. For any event of the future path (entering a zone within a
 * window) the probabilities under the two differ by at most their total-variation distance
 * (data processing: the same motion kernel applied to both), and for two Gaussians that
 * distance is bounded in closed form by the Bhattacharyya coefficient BC:
 * TV ≤ √(1 − BC²) (Le Cam's inequality between the total-variation and Hellinger distances).
 * BC takes both a moved mean (a Mahalanobis distance under the mean covariance) and a
 * covariance that shrank or grew (a determinant ratio), so one number covers a position that
 * moved, a velocity that turned and an uncertainty that changed.
 *
 * The prediction is reused, its members' entry times shifted by Δ (predict.ts `summarise`),
 * when that bound is within the tolerance, by default 1/(2n) for the coarsest dimension of the
 * ensemble (n its strata; speed, 3: 1/6): n equal-probability strata put an error of up to
 * about 1/(2n) into a probability that depends on that dimension (ensemble.ts), so a fresh
 * answer is itself no closer than that to the model's. It is made afresh when the bound is
 * larger, when the saved one is `maxAgeS` old, when the track is new or its most probable class
 * changed, when the reported position entered or left a zone, and when the share of members
 * inside a zone now (the saved members that entered by now, against a fresh count at the new
 * report's position nodes: cheap) differs by more than the tolerance: the members' entry times
 * say when each entered, not whether it has left since. The zone set is the predictor's own: a
 * new zone set is a new predictor, with nothing saved.
 */
import type { GeoPoint } from '../types.js';
import { meridianRadius, primeVerticalRadius } from '../geo/wgs84.js';
import type { MemberEntries, ThreatPredictor, TrackReportLike, ZoneThreat } from './predict.js';

const DEG = Math.PI / 180;

/** What the criterion compares: a report's horizontal state and its one-sigmas. */
export interface ReuseState {
  position: GeoPoint;
  /** East and north velocity (m/s); a third component is ignored. */
  velocityEnu: ArrayLike<number>;
  /** Horizontal position one-sigma per axis (m). */
  positionSd: number;
  /** Horizontal velocity one-sigma per axis (m/s). */
  velocitySd: number;
}

/** Floors of the variances (m², m²/s²): a zero one-sigma would make the bound undefined. */
const POS_VAR_FLOOR = 1e-2;
const VEL_VAR_FLOOR = 1e-4;

/**
 * Upper bound on the total-variation distance between the state `old` implies `dt` seconds
 * later (constant velocity, its covariance propagated) and the state `now`: √(1 − BC²) with
 * BC the Bhattacharyya coefficient of the two 4-D Gaussians (east and north, each a
 * position-velocity pair). 0 when they are the same; near 1 when they have nothing in common.
 * Positions are compared in the local level frame at `old` (fine for the kilometres a track
 * flies between two predictions).
 */
export function stateDivergence(old: ReuseState, now: ReuseState, dt: number): number {
  const phi = old.position.latDeg * DEG;
  const dN = (now.position.latDeg - old.position.latDeg) * DEG * meridianRadius(phi);
  const dE = (now.position.lonDeg - old.position.lonDeg) * DEG * primeVerticalRadius(phi) * Math.cos(phi);
  const ve0 = old.velocityEnu[0];
  const vn0 = old.velocityEnu[1];
  // the differences of the means, per axis: position (propagated), velocity
  const pe = dE - dt * ve0;
  const pn = dN - dt * vn0;
  const we = now.velocityEnu[0] - ve0;
  const wn = now.velocityEnu[1] - vn0;
  const p0 = Math.max(POS_VAR_FLOOR, old.positionSd * old.positionSd);
  const v0 = Math.max(VEL_VAR_FLOOR, old.velocitySd * old.velocitySd);
  const p1 = Math.max(POS_VAR_FLOOR, now.positionSd * now.positionSd);
  const v1 = Math.max(VEL_VAR_FLOOR, now.velocitySd * now.velocitySd);
  // per axis: A = [[p0 + dt²v0, dt·v0], [dt·v0, v0]] (old, propagated), B = diag(p1, v1) (now)
  const a11 = p0 + dt * dt * v0;
  const a12 = dt * v0;
  const detA = p0 * v0; // a11·v0 − a12²
  const detB = p1 * v1;
  const s11 = 0.5 * (a11 + p1);
  const s12 = 0.5 * a12;
  const s22 = 0.5 * (v0 + v1);
  const detS = s11 * s22 - s12 * s12;
  // δᵀ S⁻¹ δ over both axes, S⁻¹ = [[s22, −s12], [−s12, s11]] / det S
  const quad = (s22 * (pe * pe + pn * pn) - 2 * s12 * (pe * we + pn * wn) + s11 * (we * we + wn * wn)) / detS;
  // ln BC: two axes of ¼ ln det A + ¼ ln det B − ½ ln det S, less ⅛ of the Mahalanobis form
  const lnBC = 0.5 * Math.log(detA) + 0.5 * Math.log(detB) - Math.log(detS) - quad / 8;
  if (!Number.isFinite(lnBC)) return 1;
  return Math.sqrt(Math.max(0, -Math.expm1(2 * Math.min(0, lnBC))));
}

export interface PredictionReuseOptions {
  /**
   * Largest bound on the total-variation distance ({@link stateDivergence}) at which a saved
   * prediction is reused. Default 1/(2√M): the standard error of a share of M independent
   * members at P = ½ (0.058 for 75 members). 0 turns reuse off.
   */
  tolerance?: number;
  /** A prediction is made afresh at least this often (s). Default 30: about one dog-leg turn (σψ·speed/σa = 26 s at 50 m/s). */
  maxAgeS?: number;
}

/** Why a prediction was made afresh. */
export type FreshReason = 'new' | 'age' | 'state' | 'class' | 'zone' | 'time';

export interface ReusingPredictor {
  readonly predictor: ThreatPredictor;
  readonly options: Readonly<Required<PredictionReuseOptions>>;
  /**
   * The threats of `report` at time `t` (s): the saved prediction of the track shifted to `t`
   * when the criterion allows, else a fresh one (then saved). Reports may carry the tracker's
   * `classProbs`: a change of the most probable class makes the prediction afresh.
   */
  predict(t: number, report: TrackReportLike & { classProbs?: Readonly<Record<string, number>> }): ZoneThreat[];
  /** Forgets the saved predictions of every track not in `ids` (tracks that are gone). */
  retain(ids: ReadonlySet<string>): void;
  /** Predictions made afresh (by reason) and reused, since creation. */
  readonly stats: { fresh: number; reused: number; byReason: Record<FreshReason, number> };
}

interface Saved {
  t: number;
  state: ReuseState;
  entries: MemberEntries;
  cls: string | undefined;
  /** The speed bound the members flew under (Infinity: none). */
  maxSpeed: number;
  /** The zones containing the reported position. */
  insideZones: number[];
}

function topClass(probs: Readonly<Record<string, number>> | undefined): string | undefined {
  if (!probs) return undefined;
  let best: string | undefined;
  let bp = -Infinity;
  for (const k in probs) {
    const v = probs[k];
    if (v > bp) {
      bp = v;
      best = k;
    }
  }
  return best;
}

/**
 * The default tolerance: 1/(2n) for the coarsest of the ensemble's dimensions that have a spread
 * (n its strata; speed, 3 by default: 1/6). An ensemble of n equal-probability strata per
 * dimension puts an error of up to about 1/(2n) into a probability that depends on that
 * dimension (ensemble.ts), so a fresh answer is itself no closer than that to the model's.
 * 0 (no reuse) for an ensemble of one member.
 */
export function defaultTolerance(predictor: ThreatPredictor): number {
  const o = predictor.options;
  const dims = [o.positionNodes, o.speedNodes, o.headingNodes, o.manoeuvreNodes].filter((n) => n > 1);
  return dims.length > 0 ? 1 / (2 * Math.min(...dims)) : 0;
}

/** Wraps a predictor with the reuse criterion (module doc). Throws on a bad option. */
export function createReusingPredictor(predictor: ThreatPredictor, options: PredictionReuseOptions = {}): ReusingPredictor {
  const tolerance = options.tolerance ?? defaultTolerance(predictor);
  const maxAgeS = options.maxAgeS ?? 30;
  if (!(tolerance >= 0 && tolerance <= 1)) throw new Error(`prediction reuse: tolerance must be a number in [0, 1], got ${tolerance}`);
  if (!(maxAgeS >= 0 && Number.isFinite(maxAgeS))) throw new Error(`prediction reuse: maxAgeS must be a finite number >= 0, got ${maxAgeS}`);
  const defaultVelocitySd = predictor.options.velocitySd;
  const saved = new Map<string, Saved>();
  const stats = { fresh: 0, reused: 0, byReason: { new: 0, age: 0, state: 0, class: 0, zone: 0, time: 0 } as Record<FreshReason, number> };

  const why = (s: Saved | undefined, t: number, report: TrackReportLike, state: ReuseState, cls: string | undefined): FreshReason | null => {
    if (!s) return 'new';
    const dt = t - s.t;
    if (!(dt >= 0)) return 'time';
    if (dt > maxAgeS + 1e-9) return 'age';
    if (cls !== s.cls) return 'class';
    // the speed bound (the class's top speed) changed: the members' paths differ
    if ((report.maxSpeed ?? Infinity) !== s.maxSpeed) return 'class';
    if (stateDivergence(s.state, state, dt) > tolerance) return 'state';
    // the reported position entered or left a zone: the saved members record entries, not exits
    const now = predictor.zonesAt(state.position);
    if (now.length !== s.insideZones.length) return 'zone';
    for (let i = 0; i < now.length; i++) if (now[i] !== s.insideZones[i]) return 'zone';
    // the members' start points: the fresh inside share is known for the price of a lookup per
    // position node; the saved members counted inside now (entered by dt) must agree within the
    // tolerance (a member that entered and left again is still counted by the saved entries)
    const fresh = predictor.startShares(report);
    const { zones: zi, offsets, times } = s.entries;
    const M = predictor.members;
    let j = 0;
    for (let i = 0; i < zi.length; i++) {
      while (j < fresh.zones.length && fresh.zones[j] < zi[i]) if (fresh.shares[j++] > tolerance) return 'zone';
      const want = j < fresh.zones.length && fresh.zones[j] === zi[i] ? fresh.shares[j++] : 0;
      let inside = 0;
      for (let k = offsets[i]; k < offsets[i + 1] && times[k] <= dt; k++) inside++;
      if (Math.abs(inside / M - want) > tolerance) return 'zone';
    }
    while (j < fresh.zones.length) if (fresh.shares[j++] > tolerance) return 'zone';
    return null;
  };

  return {
    predictor,
    options: Object.freeze({ tolerance, maxAgeS }),
    stats,
    predict(t, report) {
      if (!Number.isFinite(t)) throw new Error(`prediction reuse: track ${report.trackId} time must be finite, got ${t}`);
      const state: ReuseState = {
        position: report.position,
        velocityEnu: report.velocityEnu,
        positionSd: report.positionSd,
        velocitySd: report.velocitySd ?? defaultVelocitySd,
      };
      const cls = topClass(report.classProbs);
      const s = saved.get(report.trackId);
      const reason = tolerance > 0 ? why(s, t, report, state, cls) : s ? 'state' : 'new';
      if (reason === null && s) {
        stats.reused++;
        return predictor.summarise(s.entries, report, t - s.t);
      }
      stats.fresh++;
      stats.byReason[reason as FreshReason]++;
      const entries = predictor.entries(report);
      // the state is copied: a caller may reuse its report objects
      saved.set(report.trackId, {
        t,
        state: { position: { ...report.position }, velocityEnu: [report.velocityEnu[0], report.velocityEnu[1]], positionSd: state.positionSd, velocitySd: state.velocitySd },
        entries,
        cls,
        maxSpeed: report.maxSpeed ?? Infinity,
        insideZones: predictor.zonesAt(report.position),
      });
      return predictor.summarise(entries, report, 0);
    },
    retain(ids) {
      for (const id of saved.keys()) if (!ids.has(id)) saved.delete(id);
    },
  };
}
