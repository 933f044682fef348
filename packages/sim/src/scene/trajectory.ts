/**
 * Target trajectories made of piecewise legs: constant turn rate, constant climb rate and
 * constant tangential acceleration within each leg (a coordinated-turn model).
 *
 * Geometry. Horizontal motion is integrated exactly, in closed form, in the tangent plane of
 * the ENU frame at the target's start point. Altitude is not the plane's `up` coordinate: it
 * is the start altitude plus the integral of the climb rate, in metres above the WGS84
 * ellipsoid, so a level leg stays at its altitude over the curved Earth instead of rising by
 * d²/2R (280 m after 60 km) as a straight line in the plane would. The horizontal position is
 * the plane point moved along the ellipsoid normal to that altitude. Over 60 km this shortens
 * the ground track by under 2 m relative to the plane track.
 *
 * Closed form. With heading θ clockwise from north, turn rate ω (positive = left, so θ' = −ω),
 * speed v0 + a·s, and the horizontal position written as the complex number north + i·east,
 * the displacement over a time τ into a leg is
 *   P(τ) = e^{iθ0} (v0·A(τ) + a·B(τ)),  A = ∫₀^τ e^{iks} ds,  B = ∫₀^τ s·e^{iks} ds,  k = −ω,
 * with A and B from their closed forms when |kτ| ≥ 0.5 and from their power series otherwise,
 * which keeps full precision as ω → 0.
 */
import { createEnuFrame, enuToGeodetic, wrapTwoPi, type EnuFrame, type GeoPoint } from '@skywarden/core';
import { ecefToEnuVector, enuBasis, enuToEcefVector, meridianRadius, primeVerticalRadius } from './local-basis.js';

/** One leg of a trajectory; all quantities constant over the leg. */
export interface Leg {
  /** Length of the leg (s), ≥ 0. */
  duration: number;
  /** Turn rate (rad/s); positive turns left (counter-clockwise seen from above). */
  turnRate: number;
  /** Rate of change of altitude (m/s), positive up. */
  climbRate: number;
  /** Tangential acceleration (m/s²), default 0. The speed must stay ≥ 0 over the leg. */
  accel?: number;
}

/** A simulated target. Treat it as immutable once sampled (its compiled form is cached). */
export interface SimTarget {
  /** Truth id (appears in truth rows). */
  id: string;
  /** Class label, one of the interchange spec's (for example `piston_owa`). */
  cls: string;
  /** Position at `startTime`. */
  start: GeoPoint;
  /** Time (s since the Unix epoch) at which the target appears. */
  startTime: number;
  /** Horizontal speed at `startTime` (m/s). */
  speed: number;
  /** Heading at `startTime` (rad, clockwise from north). */
  heading: number;
  /** Legs flown one after the other from `startTime`; the target disappears after the last. */
  legs: Leg[];
  /**
   * A decoy (Gerbera type: a cheap airframe without a warhead that flies like a threat to draw
   * fire and saturate the defence). Its class stays that of the threat it imitates; truth rows
   * carry `decoy: true`. Default false.
   */
  decoy?: boolean;
}

/** The state of a target at one instant. */
export interface TargetSample {
  position: GeoPoint;
  /**
   * Velocity (m/s) in the ENU frame at the target's current position: east, north, up.
   * (Within a few tenths of a degree of the start frame's axes over tens of kilometres.)
   */
  velocityEnu: [number, number, number];
  /** Horizontal speed (m/s). */
  speed: number;
  /** Heading (rad, clockwise from north, [0, 2π)) in the tangent plane of the start point. */
  heading: number;
}

/** A target's trajectory, compiled for fast sampling. */
export interface Trajectory {
  readonly target: SimTarget;
  /** First time the target exists (s). */
  readonly startTime: number;
  /** Last time the target exists (s): `startTime` plus the legs' durations. */
  readonly endTime: number;
  /** The target's state at `t`, or null outside [startTime, endTime]. */
  sample(t: number): TargetSample | null;
  /**
   * An upper bound of the target's 3D speed (m/s) over its whole life, for trajectories whose
   * motion is not given by `target.legs` (recorded fixes, trajectory-sampled.ts). When absent,
   * the bound is derived from the legs (coarse-track.ts).
   */
  readonly speedBound?: number;
}

// Per-leg start state layout. Times are relative to the start time (exact sums of durations).
const L_T = 0;
const L_N = 1;
const L_E = 2;
const L_ALT = 3;
const L_HDG = 4;
const L_V = 5;
const L_SIZE = 6;

function finite(name: string, v: number, id: string): void {
  if (!Number.isFinite(v)) throw new RangeError(`target ${id}: ${name} must be a finite number, got ${v}`);
}

/**
 * The displacement integrals over τ into a leg with heading rate k (see the module comment).
 * Writes [Re A, Im A, Re B, Im B] into `out`.
 */
function legIntegrals(k: number, tau: number, out: Float64Array): void {
  const x = k * tau;
  if (x === 0) {
    out[0] = tau;
    out[1] = 0;
    out[2] = (tau * tau) / 2;
    out[3] = 0;
    return;
  }
  if (Math.abs(x) < 0.5) {
    // A = Σ (ikτ)^m/m! · τ/(m+1), B = Σ (ikτ)^m/m! · τ²/(m+2); stop once a term is below
    // 1e-17 (relative); at most 16 terms for |kτ| < 0.5.
    let tr = 1;
    let ti = 0;
    let ar = 0;
    let ai = 0;
    let br = 0;
    let bi = 0;
    const tau2 = tau * tau;
    for (let m = 0; m < 16; m++) {
      ar += (tr * tau) / (m + 1);
      ai += (ti * tau) / (m + 1);
      br += (tr * tau2) / (m + 2);
      bi += (ti * tau2) / (m + 2);
      const f = x / (m + 1);
      const nr = -ti * f;
      ti = tr * f;
      tr = nr;
      if (Math.abs(tr) + Math.abs(ti) < 1e-17) break;
    }
    out[0] = ar;
    out[1] = ai;
    out[2] = br;
    out[3] = bi;
    return;
  }
  const c = Math.cos(x);
  const s = Math.sin(x);
  // A = (e^{ix} − 1)/(ik)
  const ar = s / k;
  const ai = (1 - c) / k;
  // B = (τ e^{ix} − A)/(ik)
  const wr = tau * c - ar;
  const wi = tau * s - ai;
  out[0] = ar;
  out[1] = ai;
  out[2] = wi / k;
  out[3] = -wr / k;
}

/**
 * Validates `target` and precomputes the state at the start of each leg. Throws a RangeError
 * naming the target and the bad value for non-finite inputs, negative durations or a speed
 * that an acceleration would drive below zero.
 */
export function compileTrajectory(target: SimTarget): Trajectory {
  const id = target.id;
  finite('startTime', target.startTime, id);
  finite('speed', target.speed, id);
  finite('heading', target.heading, id);
  finite('start.latDeg', target.start.latDeg, id);
  finite('start.lonDeg', target.start.lonDeg, id);
  finite('start.altM', target.start.altM, id);
  if (target.speed < 0) throw new RangeError(`target ${id}: speed must be >= 0, got ${target.speed}`);

  const frame: EnuFrame = createEnuFrame(target.start);
  const startLatRad = (target.start.latDeg * Math.PI) / 180;
  const startLonRad = (target.start.lonDeg * Math.PI) / 180;
  const basis0 = enuBasis(startLatRad, startLonRad);
  const legs = target.legs;
  const nLegs = legs.length;
  const state = new Float64Array((nLegs + 1) * L_SIZE);
  const integ = new Float64Array(4);

  state[L_T] = 0;
  state[L_N] = 0;
  state[L_E] = 0;
  state[L_ALT] = target.start.altM;
  state[L_HDG] = target.heading;
  state[L_V] = target.speed;

  // Advances the state at the start of leg i by τ (within the leg) into `dst` at offset `o`.
  const advance = (i: number, tau: number, dst: Float64Array, o: number): void => {
    const leg = legs[i];
    const b = i * L_SIZE;
    const k = -leg.turnRate;
    const a = leg.accel ?? 0;
    const th0 = state[b + L_HDG];
    const v0 = state[b + L_V];
    legIntegrals(k, tau, integ);
    const pr = v0 * integ[0] + a * integ[2];
    const pi = v0 * integ[1] + a * integ[3];
    const c0 = Math.cos(th0);
    const s0 = Math.sin(th0);
    dst[o + L_T] = state[b + L_T] + tau;
    dst[o + L_N] = state[b + L_N] + c0 * pr - s0 * pi;
    dst[o + L_E] = state[b + L_E] + s0 * pr + c0 * pi;
    dst[o + L_ALT] = state[b + L_ALT] + leg.climbRate * tau;
    dst[o + L_HDG] = th0 + k * tau;
    dst[o + L_V] = v0 + a * tau;
  };

  for (let i = 0; i < nLegs; i++) {
    const leg = legs[i];
    finite(`legs[${i}].duration`, leg.duration, id);
    finite(`legs[${i}].turnRate`, leg.turnRate, id);
    finite(`legs[${i}].climbRate`, leg.climbRate, id);
    finite(`legs[${i}].accel`, leg.accel ?? 0, id);
    if (leg.duration < 0) throw new RangeError(`target ${id}: legs[${i}].duration must be >= 0, got ${leg.duration}`);
    advance(i, leg.duration, state, (i + 1) * L_SIZE);
    const vEnd = state[(i + 1) * L_SIZE + L_V];
    if (vEnd < -1e-9) {
      throw new RangeError(`target ${id}: legs[${i}].accel ${leg.accel} drives the speed to ${vEnd} m/s (< 0)`);
    }
    if (vEnd < 0) state[(i + 1) * L_SIZE + L_V] = 0;
  }

  const startTime = target.startTime;
  const endTime = startTime + state[nLegs * L_SIZE + L_T];
  const cur = new Float64Array(L_SIZE);
  const vEcef = new Float64Array(3);
  const vLoc = new Float64Array(3);
  const basis = new Float64Array(9);

  const sample = (t: number): TargetSample | null => {
    if (!(t >= startTime && t <= endTime)) return null;
    const rel = t - startTime;
    // Last leg whose start time is ≤ t (binary search; zero-length legs are skipped over).
    let lo = 0;
    let hi = nLegs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (state[mid * L_SIZE + L_T] <= rel) lo = mid;
      else hi = mid - 1;
    }
    if (nLegs === 0) {
      cur.set(state.subarray(0, L_SIZE));
    } else {
      advance(lo, Math.max(0, rel - state[lo * L_SIZE + L_T]), cur, 0);
    }
    const north = cur[L_N];
    const east = cur[L_E];
    const alt = cur[L_ALT];
    const hdg = cur[L_HDG];
    const v = cur[L_V];
    const climb = nLegs === 0 ? 0 : legs[lo].climbRate;

    const q = enuToGeodetic(frame, east, north, 0);
    const latRad = (q.latDeg * Math.PI) / 180;
    const lonRad = (q.lonDeg * Math.PI) / 180;
    // Plane velocity into the local axes at the plane point, then scaled from the plane
    // point's height hq to the target's altitude: dλ/dt and dφ/dt are shared, so the metric
    // rates scale by (N+h)/(N+hq) and (M+h)/(M+hq).
    enuToEcefVector(basis0, v * Math.sin(hdg), v * Math.cos(hdg), 0, vEcef);
    ecefToEnuVector(enuBasis(latRad, lonRad, basis), vEcef[0], vEcef[1], vEcef[2], vLoc);
    const mr = meridianRadius(latRad);
    const nr = primeVerticalRadius(latRad);
    const ve = (vLoc[0] * (nr + alt)) / (nr + q.altM);
    const vn = (vLoc[1] * (mr + alt)) / (mr + q.altM);
    return {
      position: { latDeg: q.latDeg, lonDeg: q.lonDeg, altM: alt },
      velocityEnu: [ve, vn, climb],
      speed: v,
      heading: wrapTwoPi(hdg),
    };
  };

  return { target, startTime, endTime, sample };
}

const cache = new WeakMap<SimTarget, Trajectory>();

/** The compiled trajectory of `target`, compiled once and cached per target object. */
export function trajectoryOf(target: SimTarget): Trajectory {
  let tr = cache.get(target);
  if (tr === undefined) {
    tr = compileTrajectory(target);
    cache.set(target, tr);
  }
  return tr;
}

/** The state of `target` at time `t` (s), or null before its start or after its last leg. */
export function sampleTarget(target: SimTarget, t: number): TargetSample | null {
  return trajectoryOf(target).sample(t);
}

/** Time (s) at which `target` ends its last leg. */
export function targetEndTime(target: SimTarget): number {
  return trajectoryOf(target).endTime;
}
