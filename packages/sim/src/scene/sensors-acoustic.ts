/**
 * Acoustic sensors: microphone nodes at fixed sites (a few metres above the ground) that hear
 * targets within a slant range and report every `period` seconds while they hear one.
 *
 * Two flavours (`output`):
 * - `presence`: a single microphone. At most one row per report time: "something is within
 *   `range_m`" (the node's `rangeMax`), annotated with the nearest heard target.
 * - `bearing`: a small array. One row per heard target per report time: the direction of
 *   arrival (bearing, and elevation when `elevationSdDeg` is set) with Gaussian errors.
 *
 * Sound propagation delay. A row stamped t (the arrival time at the microphone, as the spec
 * asks) carries the geometry of the target at the emission time t_e < t with
 *   t − t_e = |x(t_e) − m| / c,  c = 343 m/s by default (dry air at 20 °C),
 * solved by Newton's method on f(t_e) = t_e + r(t_e)/c − t, f' = 1 + ṙ/c > 0 for a subsonic
 * target, from the start t_e = t − r(t)/c; two or three steps reach 1e-6 s (see
 * {@link soundEmissionTime}). The solution is unique because f is increasing.
 *
 * Detection. A target is heard at a report time when its slant range r at t_e is within
 * `rangeMax`, with probability {@link acousticPd}: `pd` up to `pdFullRangeFraction`·rangeMax,
 * then falling smoothly (a cubic smoothstep) to 0 at rangeMax. Draws are independent between
 * report times (no fading memory); errors are independent Gaussians.
 *
 * False alarms, drawn from their own stream:
 * - isolated: a Poisson number with mean `farPerHour`·T/3600 over the period T, each at a
 *   uniformly drawn report time: a presence row, or a bearing uniform in [0, 360) (elevation
 *   uniform in [0, 30]°);
 * - bursts (a passing motorbike or truck): a Poisson number with mean `burstsPerHour`·(T + d)/3600,
 *   each starting uniformly in [t0 − d, t1] (d the longest burst, so that bursts under way at t0
 *   are included) and lasting U(`burstDuration`) seconds, during which the
 *   node reports at every report time: presence, or the bearing of a vehicle driving a straight
 *   road (closest approach 30-600 m at mid-burst, 8-25 m/s) at ground level.
 * The sensors.json `far_per_hour` counts both: farPerHour + burstsPerHour·E[duration]/period
 * ({@link acousticFalseRowsPerHour}). (A presence node merges a false alarm into a report time
 * at which it already hears a target, so near targets it makes slightly fewer false rows.)
 *
 * Class hints: a row carries a `class` hint with probability `classHintProb` (default 0.5),
 * from {@link classHint} for a real target (its class) and {@link falseAlarmClassHint} for a
 * false alarm (`noise`, or `vehicle` for bursts). Hints draw from a third stream, so turning
 * them off leaves the rows' geometry unchanged.
 *
 * Streams per node (derived from the scene seed and the id): `acoustic/<id>/phase`,
 * `acoustic/<id>/detect`, `acoustic/<id>/false`, `acoustic/<id>/class`.
 */
import { createEnuFrame, enuToGeodetic, geodeticToEcef, geodeticToEnu, type EnuFrame, type GeoPoint } from '@skywarden/core';
import type { DetectionRow, SensorRow } from '@skywarden/formats';
import type { AcousticFalseEpisode } from './acoustic-false-alarms.js';
import { classHint, falseAlarmClassHint } from './class-hints.js';
import { nearWindows } from './coarse-track.js';
import { createRng, deriveSeed, type Rng } from './rng.js';
import { bearingDeg, byT, check, elevationDeg, numberRows } from './row-util.js';
import type { SensorSimOptions, SimDetection } from './sensors.js';
import type { TargetSample, Trajectory } from './trajectory.js';

/** Speed of sound in dry air at 20 °C (m/s). */
export const SPEED_OF_SOUND = 343;

const DEG = Math.PI / 180;
const TWO_PI = 2 * Math.PI;
/** Height (m) of a microphone above a passing vehicle's noise source (engine, tyres), for burst elevations. */
const VEHICLE_DROP = 4;

/** A microphone node (single microphone or small array) at a fixed site. */
export interface AcousticModel {
  id: string;
  /** Sensor kind in sensors.json, default `acoustic`. */
  kind?: string;
  /** Site of the microphone (altitude: ground plus the mast, a few metres). */
  position: GeoPoint;
  /** `presence` rows (a single microphone) or `bearing` rows (an array). */
  output: 'presence' | 'bearing';
  /** Slant range (m) beyond which nothing is heard; also the `range_m` of presence rows. */
  rangeMax: number;
  /** Probability of detection per report time at short range, 0..1. */
  pd: number;
  /** Fraction of `rangeMax` up to which the probability of detection is `pd`; default 0.5. */
  pdFullRangeFraction?: number;
  /** Time between reports (s), e.g. 2. */
  period: number;
  /**
   * `presence`: one row per target heard in a report, nearest first, instead of one row per
   * report (a false alarm gives its row only in a report where no target was heard, as with one
   * row); default false (one row: "something is within range").
   */
  rowPerSource?: boolean;
  /** Report phase (s, in [0, period)): reports at t0 + phase + k·period; default drawn from the node's stream. */
  phase?: number;
  /** `bearing`: one-sigma bearing error (degrees); default 6. */
  bearingSdDeg?: number;
  /** `bearing`: when set, rows carry an elevation with this one-sigma error (degrees). */
  elevationSdDeg?: number;
  /** Isolated false alarms per hour (Poisson). */
  farPerHour: number;
  /** False-alarm bursts (passing vehicles) per hour; default 0. */
  burstsPerHour?: number;
  /** Range [lo, hi] of a burst's duration (s); default [10, 60]. */
  burstDuration?: readonly [number, number];
  /** Probability that a row carries a class hint, 0..1; default 0.5. */
  classHintProb?: number;
  /** Speed of sound (m/s); default {@link SPEED_OF_SOUND}. */
  soundSpeed?: number;
  /** When set, every row carries the received level `snr_db` (see {@link AcousticLevels}); default none. */
  levels?: AcousticLevels;
  /**
   * Realistic false-alarm episodes (short bursts, stationary sources, road traffic, correlated
   * bursts; see acoustic-false-alarms.ts), reported from their own stream
   * (`acoustic/<id>/false-episodes`); default none.
   */
  falseEpisodes?: readonly AcousticFalseEpisode[];
  /** Nominal false rows per hour the episodes add (counted in `far_per_hour`); default 0. */
  falseEpisodeRowsPerHour?: number;
}

/** Probability that `m` hears a target at slant range `range` (m) on one report (see the module comment). */
export function acousticPd(m: AcousticModel, range: number): number {
  const r1 = (m.pdFullRangeFraction ?? 0.5) * m.rangeMax;
  if (range <= r1) return m.pd;
  if (!(range < m.rangeMax)) return 0;
  const x = (range - r1) / (m.rangeMax - r1);
  return m.pd * (1 - x * x * (3 - 2 * x));
}

/**
 * The received level a node reports with each row (`snr_db`, dB above its noise floor). A source
 * heard at slant range r gives
 *   snr = thresholdDb + 20·log10(r_ref / r) − absorption·(r − r_ref) + offset + scatter,
 * spherical spreading plus air absorption, where for a target r_ref is the node's `rangeMax` (a
 * source at the edge of hearing is about at the detection threshold) and `offset` is drawn once
 * per target and node (N(0, `offsetSdDb`): the source's loudness and the node's noise floor and
 * gain), and `scatter` once per row (N(0, `scatterDb`): turbulence, ground effect). A false
 * alarm with a source (a vehicle, a generator, a burst's source) gives the same law about its own
 * reference: r_ref its distance at the episode's reference time, heard there 3-15 dB above the
 * threshold (uniform, once per episode or burst); an isolated false alarm (no source) gives the
 * threshold plus |N(0, 4 dB)|. The tracker's level model (spreading only, one-sigma per change)
 * is not this one: the absorption and the per-row scatter are what it does not know.
 */
export interface AcousticLevels {
  /** Level of a target at `rangeMax` (dB); default 6. */
  thresholdDb?: number;
  /** One-sigma (dB) of a target's level offset at one node; default 3. */
  offsetSdDb?: number;
  /** One-sigma (dB) of each row's scatter; default 3. */
  scatterDb?: number;
  /** Air absorption (dB per km); default 1 (about 250 Hz at 20 °C and 70 % humidity: ISO 9613-1). */
  absorptionDbPerKm?: number;
}

/** The received level (dB) of a source at slant range `r` heard `aboveDb` above the threshold at `rRef` (see {@link AcousticLevels}), before the row's scatter. */
export function levelAt(l: AcousticLevels, r: number, rRef: number, aboveDb = 0): number {
  const a = (l.absorptionDbPerKm ?? 1) / 1000;
  return (l.thresholdDb ?? 6) + aboveDb + 20 * Math.log10(rRef / Math.max(r, 1)) - a * (r - rRef);
}

/** Expected false rows per hour of `m`: isolated false alarms plus bursts times their mean number of reports. */
export function acousticFalseRowsPerHour(m: AcousticModel): number {
  const [lo, hi] = m.burstDuration ?? [10, 60];
  return m.farPerHour + ((m.burstsPerHour ?? 0) * (lo + hi)) / 2 / m.period + (m.falseEpisodeRowsPerHour ?? 0);
}

/** The sensors.json row of an acoustic node. */
export function acousticSensorRow(m: AcousticModel): SensorRow {
  const row: SensorRow = {
    id: m.id,
    kind: m.kind ?? 'acoustic',
    lat: m.position.latDeg,
    lon: m.position.lonDeg,
    alt_m: m.position.altM,
    range_m: m.rangeMax,
    pd: m.pd,
    far_per_hour: acousticFalseRowsPerHour(m),
  };
  if (m.output === 'bearing') {
    row.bearing_sd_deg = m.bearingSdDeg ?? 6;
    if (m.elevationSdDeg !== undefined) row.elevation_sd_deg = m.elevationSdDeg;
  }
  row.output = m.output;
  row.report_period_s = m.period;
  return row;
}

function validateAcoustic(m: AcousticModel): void {
  const p = `acoustic ${m.id}`;
  check(m.output === 'presence' || m.output === 'bearing', `${p}: output must be "presence" or "bearing", got ${String(m.output)}`);
  check(m.rangeMax > 0 && Number.isFinite(m.rangeMax), `${p}: rangeMax must be > 0, got ${m.rangeMax}`);
  check(m.pd >= 0 && m.pd <= 1, `${p}: pd must be in [0, 1], got ${m.pd}`);
  const f = m.pdFullRangeFraction ?? 0.5;
  check(f >= 0 && f <= 1, `${p}: pdFullRangeFraction must be in [0, 1], got ${f}`);
  check(m.period > 0 && Number.isFinite(m.period), `${p}: period must be > 0, got ${m.period}`);
  check(m.phase === undefined || (m.phase >= 0 && m.phase < m.period), `${p}: phase must be in [0, period), got ${m.phase}`);
  check((m.bearingSdDeg ?? 6) >= 0, `${p}: bearingSdDeg must be >= 0, got ${m.bearingSdDeg}`);
  check(m.elevationSdDeg === undefined || m.elevationSdDeg >= 0, `${p}: elevationSdDeg must be >= 0, got ${m.elevationSdDeg}`);
  check(m.farPerHour >= 0 && Number.isFinite(m.farPerHour), `${p}: farPerHour must be >= 0, got ${m.farPerHour}`);
  const b = m.burstsPerHour ?? 0;
  check(b >= 0 && Number.isFinite(b), `${p}: burstsPerHour must be >= 0, got ${b}`);
  const [lo, hi] = m.burstDuration ?? [10, 60];
  check(lo >= 0 && hi >= lo && Number.isFinite(hi), `${p}: burstDuration must be [lo, hi] with 0 <= lo <= hi, got [${lo}, ${hi}]`);
  const h = m.classHintProb ?? 0.5;
  check(h >= 0 && h <= 1, `${p}: classHintProb must be in [0, 1], got ${h}`);
  const c = m.soundSpeed ?? SPEED_OF_SOUND;
  check(c > 0 && Number.isFinite(c), `${p}: soundSpeed must be > 0, got ${c}`);
  if (m.levels) {
    const l = m.levels;
    check(Number.isFinite(l.thresholdDb ?? 6), `${p}: levels.thresholdDb must be finite, got ${l.thresholdDb}`);
    for (const k of ['offsetSdDb', 'scatterDb', 'absorptionDbPerKm'] as const) {
      const v = l[k] ?? 0;
      check(v >= 0 && Number.isFinite(v), `${p}: levels.${k} must be >= 0, got ${l[k]}`);
    }
  }
}

/** The emission of a sound that reaches a microphone at a given time. */
export interface EmissionSolution {
  /** Emission time t_e (s since the Unix epoch). */
  te: number;
  /** The target's state at `te`. */
  sample: TargetSample;
  /** Slant range (m) from the microphone to the target at `te`. */
  range: number;
  /** The target at `te` in the microphone's ENU frame (m): east, north, up. */
  enu: Float64Array;
}

/**
 * Solves t − t_e = |x(t_e) − m| / c for the emission time t_e of the sound from the target of
 * `tr` that reaches the microphone at the origin of `frame` at time `t` (Newton's method, see
 * the module comment; stops when the Newton step is below 1e-6 s, at most 12 steps). `enu`, if
 * given, receives the geometry (and is returned in the solution). Returns null when the target did
 * not exist at that emission time (the sound that arrives at `t` left before its start or
 * after its end), or for a supersonic approach without a unique solution.
 */
export function soundEmissionTime(
  tr: Trajectory,
  frame: EnuFrame,
  t: number,
  c = SPEED_OF_SOUND,
  enu: Float64Array = new Float64Array(3),
): EmissionSolution | null {
  const a = tr.startTime;
  const b = tr.endTime;
  const clamp = (x: number): number => (x < a ? a : x > b ? b : x);
  let s = tr.sample(clamp(t));
  if (s === null) return null;
  geodeticToEnu(frame, s.position, enu);
  let te = clamp(t - Math.hypot(enu[0], enu[1], enu[2]) / c);
  for (let it = 0; it < 12; it++) {
    s = tr.sample(te);
    if (s === null) return null;
    geodeticToEnu(frame, s.position, enu);
    const r = Math.hypot(enu[0], enu[1], enu[2]);
    const v = s.velocityEnu;
    // ṙ from the target's local ENU velocity (its axes differ from the microphone's by under
    // 0.03° within 3 km, which only slows the convergence a little).
    const rDot = r > 0 ? (enu[0] * v[0] + enu[1] * v[1] + enu[2] * v[2]) / r : 0;
    const fp = 1 + rDot / c;
    if (!(fp > 0)) return null;
    const step = (te + r / c - t) / fp;
    // Tolerance on the Newton step, not on te itself: epoch times near 1.8e9 s are spaced 2.4e-7 s apart.
    if (Math.abs(step) < 1e-6) return { te, sample: s, range: r, enu };
    const next = te - step;
    if ((next < a && te === a) || (next > b && te === b)) return null; // the root lies outside the target's life
    te = clamp(next);
  }
  return null;
}

/** The uninformative-hint flavour of an episode: ground vehicles and engines sound like vehicles. */
function episodeFlavour(ep: AcousticFalseEpisode): 'noise' | 'vehicle' {
  return ep.kind === 'road' || ep.kind === 'stationary' ? 'vehicle' : 'noise';
}

/** A false alarm's class hint: drawn as for a piston drone when the episode sounds like one, else uninformative. */
function episodeHint(rng: Rng, ep: AcousticFalseEpisode): Record<string, number> {
  return ep.owaHint ? classHint(rng, 'piston_owa') : falseAlarmClassHint(rng, episodeFlavour(ep));
}

/** A level as a row gives it: to 0.1 dB, within the interchange's bounds. */
function roundDb(db: number): number {
  return Math.round(Math.max(-100, Math.min(200, db)) * 10) / 10;
}

/** One heard target at a report slot of a presence node (the nearest is kept). */
interface PresenceHit {
  range: number;
  target: Trajectory | null;
  flavour: 'noise' | 'vehicle';
  /** A realistic false-alarm episode (its hints and `sim_false` annotation). */
  episode?: AcousticFalseEpisode;
  /** The received level (dB), with `AcousticModel.levels`. */
  snr?: number;
}

/**
 * Simulates an acoustic node over the given trajectories for report (arrival) times in
 * [t0, t1] (see the module comment). Rows are sorted by `t`, numbered `<id>-<n>`, and their
 * arrival equals `t`.
 */
export function simulateAcoustic(m: AcousticModel, trajectories: readonly Trajectory[], opts: SensorSimOptions): SimDetection[] {
  validateAcoustic(m);
  const { seed, t0, t1 } = opts;
  const annotate = opts.annotate ?? false;
  const period = m.period;
  const phase = m.phase ?? createRng(deriveSeed(seed, `acoustic/${m.id}/phase`)).uniform(0, period);
  const rng: Rng = createRng(deriveSeed(seed, `acoustic/${m.id}/detect`));
  const faRng: Rng = createRng(deriveSeed(seed, `acoustic/${m.id}/false`));
  const hintRng: Rng = createRng(deriveSeed(seed, `acoustic/${m.id}/class`));
  // the levels draw from their own stream: turning them on leaves every other draw as it was
  const lv = m.levels;
  const lvRng: Rng = createRng(deriveSeed(seed, `acoustic/${m.id}/levels`));
  const scatterDb = lv?.scatterDb ?? 3;
  /** Each target's level offset at this node, and each false source's level above the threshold at its reference distance. */
  const lvOffset = new Map<unknown, number>();
  const offsetOf = (key: unknown, draw: () => number): number => {
    let o = lvOffset.get(key);
    if (o === undefined) lvOffset.set(key, (o = draw()));
    return o;
  };
  /** A row's level: of a source at slant range r (reference rRef, `key` its offset's), or of an isolated false alarm (r undefined). */
  const levelOf = (r: number | undefined, rRef: number, key: unknown, target: boolean): number | undefined => {
    if (!lv) return undefined;
    if (r === undefined) return (lv.thresholdDb ?? 6) + Math.abs(lvRng.normal(0, 4));
    const above = offsetOf(key, () => (target ? lvRng.normal(0, lv.offsetSdDb ?? 3) : lvRng.uniform(3, 15)));
    return levelAt(lv, r, rRef, above) + lvRng.normal(0, scatterDb);
  };
  const c = m.soundSpeed ?? SPEED_OF_SOUND;
  const R = m.rangeMax;
  const bSdDeg = m.bearingSdDeg ?? 6;
  const bSd = bSdDeg * DEG;
  const eSdDeg = m.elevationSdDeg;
  const eSd = (eSdDeg ?? 0) * DEG;
  const hintProb = m.classHintProb ?? 0.5;
  const isBearing = m.output === 'bearing';
  const frame = createEnuFrame(m.position);
  const site = geodeticToEcef(m.position);
  // Report slots k = 0..kMax at t0 + phase + k·period.
  const kMax = Math.floor((t1 - t0 - phase) / period);
  const slotTime = (k: number): number => t0 + phase + k * period;
  const out: SimDetection[] = [];
  const presence = new Map<number, PresenceHit>();
  /** With `rowPerSource`: every target heard in a report, the nearest (in `presence`) included. */
  const extraHits = new Map<number, PresenceHit[]>();

  const bearingRow = (t: number, bearing: number, elevation: number): DetectionRow => {
    const row: DetectionRow = { t, sensor: m.id, type: 'bearing', bearing_deg: bearingDeg(bearing), bearing_sd_deg: bSdDeg };
    if (eSdDeg !== undefined) {
      row.elevation_deg = elevationDeg(elevation);
      row.elevation_sd_deg = eSdDeg;
    }
    return row;
  };

  // --- targets: only report times whose sound can come from within R (culled by coarse windows)
  const windows: number[] = [];
  const arrivals: number[] = [];
  const scratch = new Float64Array(3);
  if (kMax >= 0) {
    for (const tr of trajectories) {
      // Emission times that can arrive within [t0, t1] lie in [t0 − R/c, t1].
      nearWindows(tr, site, R, t0 - R / c, t1, windows);
      // Arrival intervals [ea, eb + R/c], merged.
      arrivals.length = 0;
      for (let i = 0; i < windows.length; i += 2) {
        const ea = windows[i];
        const eb = windows[i + 1] + R / c;
        if (arrivals.length > 0 && arrivals[arrivals.length - 1] >= ea) arrivals[arrivals.length - 1] = Math.max(arrivals[arrivals.length - 1], eb);
        else arrivals.push(ea, eb);
      }
      for (let i = 0; i < arrivals.length; i += 2) {
        const kA = Math.max(0, Math.ceil((arrivals[i] - t0 - phase) / period));
        const kB = Math.min(kMax, Math.floor((arrivals[i + 1] - t0 - phase) / period));
        for (let k = kA; k <= kB; k++) {
          const t = slotTime(k);
          const sol = soundEmissionTime(tr, frame, t, c, scratch);
          if (sol === null || sol.range > R) continue;
          if (rng.next() >= acousticPd(m, sol.range)) continue;
          if (!isBearing) {
            const prev = presence.get(k);
            const hit: PresenceHit = { range: sol.range, target: tr, flavour: 'noise', snr: levelOf(sol.range, R, tr, true) };
            if (m.rowPerSource) {
              let l = extraHits.get(k);
              if (!l) extraHits.set(k, (l = []));
              l.push(hit);
            }
            if (prev === undefined || sol.range < prev.range) presence.set(k, hit);
            continue;
          }
          const e = sol.enu;
          const h = Math.hypot(e[0], e[1]);
          const bearing = rng.normal(Math.atan2(e[0], e[1]), bSd);
          const elevation = eSdDeg === undefined ? 0 : rng.normal(Math.atan2(e[2], h), eSd);
          const row = bearingRow(t, bearing, elevation);
          const snr = levelOf(sol.range, R, tr, true);
          if (snr !== undefined) row.snr_db = roundDb(snr);
          if (hintRng.next() < hintProb) row.class = classHint(hintRng, tr.target.cls);
          if (annotate) row.sim_target = tr.target.id;
          out.push({ row, arrival: t });
        }
      }
    }
  }

  // --- false alarms
  const addFalse = (k: number, bearing: number, elevation: number, flavour: 'noise' | 'vehicle', snr: number | undefined): void => {
    if (!isBearing) {
      if (!presence.has(k)) presence.set(k, { range: Infinity, target: null, flavour, snr });
      return;
    }
    const t = slotTime(k);
    const row = bearingRow(t, bearing, elevation);
    if (snr !== undefined) row.snr_db = roundDb(snr);
    if (hintRng.next() < hintProb) row.class = falseAlarmClassHint(hintRng, flavour);
    if (annotate) row.sim_target = null;
    out.push({ row, arrival: t });
  };
  const span = t1 - t0;
  const nFalse = faRng.poisson((m.farPerHour * span) / 3600);
  for (let i = 0; i < nFalse; i++) {
    const k = kMax >= 0 ? faRng.int(0, kMax) : -1;
    const bearing = faRng.next() * TWO_PI;
    const elevation = isBearing && eSdDeg !== undefined ? faRng.uniform(0, 30) * DEG : 0;
    if (k >= 0) addFalse(k, bearing, elevation, 'noise', levelOf(undefined, 0, null, false));
  }
  // Bursts start from dHi before t0, so that bursts already under way at t0 are included and the
  // rate of false rows is the same over the whole period.
  const [dLo, dHi] = m.burstDuration ?? [10, 60];
  const nBursts = faRng.poisson(((m.burstsPerHour ?? 0) * (span + dHi)) / 3600);
  for (let i = 0; i < nBursts; i++) {
    const start = t0 - dHi + faRng.next() * (span + dHi);
    const dur = faRng.uniform(dLo, dHi);
    const dClose = faRng.uniform(30, 600);
    const road = faRng.next() * TWO_PI;
    const speed = faRng.uniform(8, 25);
    const tMid = start + dur / 2;
    const kA = Math.max(0, Math.ceil((start - t0 - phase) / period));
    const kB = Math.min(kMax, Math.floor((start + dur - t0 - phase) / period));
    for (let k = kA; k <= kB; k++) {
      const x = speed * (slotTime(k) - tMid);
      // Vehicle on a straight road: closest-approach offset along (cos ψ, −sin ψ), driving along (sin ψ, cos ψ).
      const ve = dClose * Math.cos(road) + x * Math.sin(road);
      const vn = -dClose * Math.sin(road) + x * Math.cos(road);
      const bearing = isBearing ? faRng.normal(Math.atan2(ve, vn), bSd) : 0;
      const elevation = isBearing && eSdDeg !== undefined ? faRng.normal(Math.atan2(-VEHICLE_DROP, Math.hypot(ve, vn)), eSd) : 0;
      addFalse(k, bearing, elevation, 'vehicle', levelOf(Math.hypot(ve, vn, VEHICLE_DROP), Math.hypot(dClose, VEHICLE_DROP), i, false));
    }
  }

  // Realistic false-alarm episodes (acoustic-false-alarms.ts), from their own stream.
  const episodes = m.falseEpisodes ?? [];
  if (episodes.length > 0 && kMax >= 0) {
    const epRng: Rng = createRng(deriveSeed(seed, `acoustic/${m.id}/false-episodes`));
    for (const ep of episodes) {
      const kA = Math.max(0, Math.ceil((ep.start - t0 - phase) / period));
      const kB = Math.min(kMax, Math.floor((ep.end - t0 - phase) / period));
      for (let k = kA; k <= kB; k++) {
        if (epRng.next() >= ep.pReport) continue;
        const t = slotTime(k);
        const ve = ep.e + ep.ve * (t - ep.tRef);
        const vn = ep.n + ep.vn * (t - ep.tRef);
        const snr = levelOf(Math.hypot(ve, vn, ep.u), Math.hypot(ep.e, ep.n, ep.u), ep, false);
        if (!isBearing) {
          if (!presence.has(k)) presence.set(k, { range: Infinity, target: null, flavour: episodeFlavour(ep), episode: ep, snr });
          continue;
        }
        const sd = Math.hypot(bSdDeg, ep.extraBearingSdDeg) * DEG;
        const bearing = epRng.normal(Math.atan2(ve, vn), sd);
        const elevation = eSdDeg !== undefined ? epRng.normal(Math.atan2(ep.u, Math.hypot(ve, vn)), eSd) : 0;
        const row = bearingRow(t, bearing, elevation);
        if (snr !== undefined) row.snr_db = roundDb(snr);
        if (hintRng.next() < hintProb) row.class = episodeHint(hintRng, ep);
        if (annotate) {
          row.sim_target = null;
          row.sim_false = ep.kind;
        }
        out.push({ row, arrival: t });
      }
    }
  }

  if (!isBearing) {
    const slots = [...presence.keys()].sort((x, y) => x - y);
    for (const k of slots) {
      const first = presence.get(k)!;
      const t = slotTime(k);
      // one row, or with rowPerSource one per target heard (nearest first) and one for a false alarm
      const hits = m.rowPerSource ? [...(extraHits.get(k) ?? []).sort((a, b) => a.range - b.range), ...(first.target === null ? [first] : [])] : [first];
      for (const hit of hits) {
        const row: DetectionRow = { t, sensor: m.id, type: 'presence', range_m: R };
        if (hit.snr !== undefined) row.snr_db = roundDb(hit.snr);
        if (hintRng.next() < hintProb) {
          row.class =
            hit.target !== null ? classHint(hintRng, hit.target.target.cls) : hit.episode !== undefined ? episodeHint(hintRng, hit.episode) : falseAlarmClassHint(hintRng, hit.flavour);
        }
        if (annotate) {
          row.sim_target = hit.target === null ? null : hit.target.target.id;
          if (hit.target === null && hit.episode !== undefined) row.sim_false = hit.episode.kind;
        }
        out.push({ row, arrival: t });
      }
    }
  }

  out.sort(byT);
  numberRows(m.id, out);
  return out;
}

/** Inputs of {@link makeAcousticNetwork}. */
export interface AcousticNetworkOptions {
  /** Seed of the layout (positions, flavours, per-node parameters). */
  seed: number;
  /** Centre of the rectangle, and the ground altitude of the nodes (its `altM`). */
  origin: GeoPoint;
  /** Rectangle centred on `origin` (m, east-west and north-south); default 40 km square. Ignored with `polygon`. */
  widthM?: number;
  heightM?: number;
  /** A ring of points (latitude, longitude; altitude ignored) bounding the network instead of the rectangle. */
  polygon?: readonly GeoPoint[];
  /** Number of nodes wanted (exact for a rectangle up to rounding of the grid's sides); default 600. */
  count?: number;
  /** Grid spacing (m); overrides `count`. */
  spacing?: number;
  /** Each node is moved from its grid point by up to ±jitter·spacing/2 per axis (uniform); default 0.5. */
  jitter?: number;
  /** Fraction of nodes that are bearing arrays (the rest report presence); default 0.25. */
  bearingShare?: number;
  /** Range [lo, hi] of the nodes' `rangeMax` (m); default [2000, 3000]. */
  rangeM?: readonly [number, number];
  /** Range [lo, hi] of the arrays' bearing error (degrees); default [5, 8]. */
  bearingSdDeg?: readonly [number, number];
  /** Elevation error of the arrays (degrees); default 10; `null` for arrays without elevation. */
  elevationSdDeg?: number | null;
  /** Range [lo, hi] of the mast height above the ground (m); default [2, 8]. */
  mastM?: readonly [number, number];
  /** Per-node parameters shared by all; defaults pd 0.9, period 2 s, farPerHour 1, burstsPerHour 0.2. */
  pd?: number;
  period?: number;
  /** Presence nodes give a row per source heard in a report (`AcousticModel.rowPerSource`); default false. */
  rowPerSource?: boolean;
  /** Every node's rows carry received levels (`AcousticModel.levels`); default none. */
  levels?: AcousticLevels;
  farPerHour?: number;
  burstsPerHour?: number;
  classHintProb?: number;
  /** Id prefix: ids are `<prefix>-0001`, ...; default `ac`. */
  idPrefix?: string;
  /** Range [lo, hi] of the per-node probability of detection, drawn per node (overrides `pd`); default none. */
  pdRange?: readonly [number, number];
  /**
   * Quality spread between units, 0..0.9: each node's range and pd are scaled by
   * q = 1 − spread·u² (u uniform in [0, 1]), so most units are near their nominal and a few
   * much deafer; default none (q = 1).
   */
  qualitySpread?: number;
}

/** Ray-casting point-in-polygon test in the plane (ring given as flat [e0, n0, e1, n1, ...]). */
function insideRing(ring: Float64Array, e: number, n: number): boolean {
  let inside = false;
  const m = ring.length / 2;
  for (let i = 0, j = m - 1; i < m; j = i++) {
    const ei = ring[2 * i];
    const ni = ring[2 * i + 1];
    const ej = ring[2 * j];
    const nj = ring[2 * j + 1];
    if (ni > n !== nj > n && e < ((ej - ei) * (n - ni)) / (nj - ni) + ei) inside = !inside;
  }
  return inside;
}

/**
 * A network of acoustic nodes on a jittered square grid over a rectangle (or polygon), a share
 * of them bearing arrays (see {@link AcousticNetworkOptions} for the defaults). The grid of a
 * rectangle has nx·ny ≈ `count` cells (nx = round(√(count·W/H)), ny = round(count/nx)), one node
 * near the centre of each; a polygon gets a square grid of spacing √(area/count) over its
 * bounding box, keeping the nodes that fall inside. Deterministic for a seed.
 */
export function makeAcousticNetwork(opts: AcousticNetworkOptions): AcousticModel[] {
  const origin = opts.origin;
  const frame = createEnuFrame(origin);
  const rng = createRng(deriveSeed(opts.seed, `acoustic-network/${opts.idPrefix ?? 'ac'}`));
  const count = opts.count ?? 600;
  check(opts.spacing === undefined || opts.spacing > 0, `makeAcousticNetwork: spacing must be > 0, got ${opts.spacing}`);
  check(Number.isSafeInteger(count) && count >= 1, `makeAcousticNetwork: count must be an integer >= 1, got ${count}`);
  const jitter = opts.jitter ?? 0.5;
  const points: number[] = []; // e, n pairs
  if (opts.polygon === undefined) {
    const w = opts.widthM ?? 40e3;
    const h = opts.heightM ?? 40e3;
    check(w > 0 && h > 0, `makeAcousticNetwork: widthM and heightM must be > 0, got ${w}, ${h}`);
    const nx = Math.max(1, opts.spacing !== undefined ? Math.round(w / opts.spacing) : Math.round(Math.sqrt((count * w) / h)));
    const ny = Math.max(1, opts.spacing !== undefined ? Math.round(h / opts.spacing) : Math.round(count / nx));
    const sx = w / nx;
    const sy = h / ny;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const e = -w / 2 + (i + 0.5) * sx + rng.uniform(-0.5, 0.5) * jitter * sx;
        const n = -h / 2 + (j + 0.5) * sy + rng.uniform(-0.5, 0.5) * jitter * sy;
        points.push(e, n);
      }
    }
  } else {
    const poly = opts.polygon;
    check(poly.length >= 3, `makeAcousticNetwork: polygon needs at least 3 points, got ${poly.length}`);
    const ring = new Float64Array(2 * poly.length);
    let area = 0;
    let eMin = Infinity;
    let eMax = -Infinity;
    let nMin = Infinity;
    let nMax = -Infinity;
    for (let i = 0; i < poly.length; i++) {
      const p = geodeticToEnu(frame, { latDeg: poly[i].latDeg, lonDeg: poly[i].lonDeg, altM: origin.altM });
      ring[2 * i] = p[0];
      ring[2 * i + 1] = p[1];
      eMin = Math.min(eMin, p[0]);
      eMax = Math.max(eMax, p[0]);
      nMin = Math.min(nMin, p[1]);
      nMax = Math.max(nMax, p[1]);
    }
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) area += ring[2 * j] * ring[2 * i + 1] - ring[2 * i] * ring[2 * j + 1];
    area = Math.abs(area) / 2;
    const s = opts.spacing ?? Math.sqrt(area / count);
    for (let n0 = nMin + s / 2; n0 < nMax; n0 += s) {
      for (let e0 = eMin + s / 2; e0 < eMax; e0 += s) {
        const e = e0 + rng.uniform(-0.5, 0.5) * jitter * s;
        const n = n0 + rng.uniform(-0.5, 0.5) * jitter * s;
        if (insideRing(ring, e, n)) points.push(e, n);
      }
    }
  }

  const [rLo, rHi] = opts.rangeM ?? [2000, 3000];
  const [bLo, bHi] = opts.bearingSdDeg ?? [5, 8];
  const [mLo, mHi] = opts.mastM ?? [2, 8];
  const elevationSd = opts.elevationSdDeg === undefined ? 10 : opts.elevationSdDeg;
  const bearingShare = opts.bearingShare ?? 0.25;
  const nNodes = points.length / 2;
  const width = Math.max(4, String(nNodes).length);
  const prefix = opts.idPrefix ?? 'ac';
  const nodes: AcousticModel[] = [];
  const pdRange = opts.pdRange;
  const spread = opts.qualitySpread;
  check(pdRange === undefined || (pdRange[0] >= 0 && pdRange[1] >= pdRange[0] && pdRange[1] <= 1), `makeAcousticNetwork: pdRange must be [lo, hi] with 0 <= lo <= hi <= 1, got ${JSON.stringify(pdRange)}`);
  check(spread === undefined || (spread >= 0 && spread <= 0.9), `makeAcousticNetwork: qualitySpread must be in [0, 0.9], got ${spread}`);
  // the per-unit quality draws come from their own stream: the layout stays the same
  const qRng = pdRange !== undefined || spread !== undefined ? createRng(deriveSeed(opts.seed, `acoustic-network/${opts.idPrefix ?? 'ac'}/quality`)) : null;
  for (let i = 0; i < nNodes; i++) {
    const g = enuToGeodetic(frame, points[2 * i], points[2 * i + 1], 0);
    const isArray = rng.next() < bearingShare;
    const node: AcousticModel = {
      id: `${prefix}-${String(i + 1).padStart(width, '0')}`,
      position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: origin.altM + rng.uniform(mLo, mHi) },
      output: isArray ? 'bearing' : 'presence',
      rangeMax: rng.uniform(rLo, rHi),
      pd: opts.pd ?? 0.9,
      period: opts.period ?? 2,
      ...(opts.rowPerSource ? { rowPerSource: true } : {}),
      ...(opts.levels ? { levels: opts.levels } : {}),
      farPerHour: opts.farPerHour ?? 1,
      burstsPerHour: opts.burstsPerHour ?? 0.2,
    };
    if (qRng !== null) {
      if (pdRange !== undefined) node.pd = qRng.uniform(pdRange[0], pdRange[1]);
      const u = qRng.next();
      const q = 1 - (spread ?? 0) * u * u;
      node.rangeMax *= q;
      node.pd *= q;
    }
    const bSd = rng.uniform(bLo, bHi);
    if (isArray) {
      node.bearingSdDeg = bSd;
      if (elevationSd !== null) node.elevationSdDeg = elevationSd;
    }
    if (opts.classHintProb !== undefined) node.classHintProb = opts.classHintProb;
    nodes.push(node);
  }
  return nodes;
}
