/**
 * The likelihood of a presence report (a single microphone: "something is within range")
 * as a function of where the target is: the binary proximity sensor model (Djuric, Vemula &
 * Bugallo, "Target tracking by particle filtering in binary sensor networks", IEEE Trans.
 * Signal Processing 56(6), 2008; Shrivastava, Mudumbai, Madhow & Suri, "Target tracking with
 * binary proximity sensors", ACM TOSN 5(4), 2009).
 *
 * The probability that a microphone hears a target in one report interval falls with the
 * slant range r (altitude included): `pd` up to `fullFraction`·R, then a smooth taper (cubic
 * smoothstep) to `tailPd`·pd at R, and a thin tail beyond, to `tailRange`·R, where the model
 * ends (sound carries further some nights than the nominal `range_m` says; the tail keeps one
 * such report from ruling a true target out). A report may also be a false alarm, with
 * probability `pfa` per interval, whatever the target does. So, for a target at range r:
 *
 *   P(report | r) = 1 − (1 − pd(r))·(1 − pfa)        (a hit)
 *   P(no report | r) = (1 − pd(r))·(1 − pfa)         (a miss: negative information)
 *
 * Pure functions of numbers; no allocation.
 */

export interface PresenceModel {
  /** Nominal detection range R (m), the sensor's `range_m`. */
  range: number;
  /** Probability of hearing a near target in one report interval. */
  pd: number;
  /** Fraction of R up to which the probability is `pd`. Default 0.5. */
  fullFraction: number;
  /** Probability at R, as a share of `pd` (the taper's end). Default 0.1. */
  tailPd: number;
  /** Where the tail ends, as a multiple of R. Default 1.3. */
  tailRange: number;
  /** Probability of a false report in one interval. */
  pfa: number;
}

/**
 * Radius (m) of a presence detection when neither its line nor its sensor gives one (the
 * interchange's built-in default; formats' `presenceRangeM` is this), and the range the tracker
 * takes for an acoustic sensor that declares none until its rows tell.
 */
export const DEFAULT_PRESENCE_RANGE_M = 2000;

/**
 * The largest range (m) the tracker takes from a presence row for an acoustic node that declared
 * none: well beyond what a microphone hears of an aircraft engine (a few kilometres; a jet's
 * roar on a quiet night, some tens), so that one row claiming thousands of kilometres (the
 * interchange allows up to 10,000 km on a line) cannot make one microphone weigh on every
 * track. A declared range (sensors.json, the operator's) is taken as it is.
 */
export const ACOUSTIC_ROW_RANGE_MAX_M = 30_000;

export const PRESENCE_MODEL_DEFAULTS = Object.freeze({ pd: 0.85, fullFraction: 0.5, tailPd: 0.1, tailRange: 1.3, pfa: 0.002 });

/** A model for a sensor of range R (m) with the defaults for the rest (each overridable). */
export function presenceModel(range: number, o: Partial<Omit<PresenceModel, 'range'>> = {}): PresenceModel {
  if (!(range > 0) || !Number.isFinite(range)) throw new Error(`presence model: range must be a positive finite number, got ${range}`);
  const m: PresenceModel = { range, ...PRESENCE_MODEL_DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (m as unknown as Record<string, number>)[k] = v;
  for (const k of ['pd', 'fullFraction', 'tailPd', 'pfa'] as const) {
    if (!(m[k] >= 0 && m[k] <= 1)) throw new Error(`presence model: ${k} must be in [0, 1], got ${m[k]}`);
  }
  if (!(m.tailRange >= 1) || !Number.isFinite(m.tailRange)) throw new Error(`presence model: tailRange must be a finite number >= 1, got ${m.tailRange}`);
  return m;
}

/** Probability that the sensor hears a target at slant range r (m) in one interval (false alarms aside). */
export function presencePd(m: PresenceModel, r: number): number {
  const R = m.range;
  const r0 = m.fullFraction * R;
  if (r <= r0) return m.pd;
  if (r <= R) {
    const s = (r - r0) / (R - r0 || 1);
    const taper = 1 - s * s * (3 - 2 * s); // 1 at r0, 0 at R
    return m.pd * (m.tailPd + (1 - m.tailPd) * taper);
  }
  const end = m.tailRange * R;
  if (r >= end) return 0;
  return m.pd * m.tailPd * (1 - (r - R) / (end - R));
}

/** P(report | r): a hit at slant range r, false alarms included. */
export function hitLikelihood(m: PresenceModel, r: number): number {
  return 1 - (1 - presencePd(m, r)) * (1 - m.pfa);
}

/** P(no report | r): a silent interval at slant range r (negative information). */
export function missLikelihood(m: PresenceModel, r: number): number {
  return (1 - presencePd(m, r)) * (1 - m.pfa);
}

/** The range (m) beyond which the sensor never hears a target: the end of the tail. */
export function presenceReach(m: PresenceModel): number {
  return m.tailRange * m.range;
}
