/**
 * Sensor models that turn simulated targets into interchange detection rows
 * (spec/interchange.md: degrees, metres, seconds since the Unix epoch).
 *
 * - A rotating surveillance radar: range, bearing, elevation (and optionally range rate) with
 *   Gaussian errors, a probability of detection and Poisson clutter.
 * - A position reporter: a cooperative transponder network (ADS-B, Remote ID) or an observer
 *   who reports positions, with Gaussian horizontal error and an optional reporting delay.
 *
 * Acoustic nodes and phone observers are in sensors-acoustic.ts and sensors-observer.ts.
 *
 * Every model draws from its own random streams, derived from the scene seed and its sensor
 * id, so that adding or changing one sensor leaves the others' output unchanged.
 */
import { createEnuFrame, enuToLook, geodeticToEcef, geodeticToEnu, radToDeg, wrapTwoPi, type GeoPoint } from '@skywarden/core';
import type { DetectionRow, SensorRow } from '@skywarden/formats';
import { coarseTrackOf, nearWindows } from './coarse-track.js';
import { createRng, deriveSeed, type Rng } from './rng.js';
import type { Trajectory } from './trajectory.js';
import { ecefToEnuVector, enuBasis, enuToEcefVector, meridianRadius, primeVerticalRadius } from './local-basis.js';
import { bearingDeg, byT, check, numberRows, wrapLonDeg } from './row-util.js';

/** Mean Earth radius (m) used by the radar-horizon test. */
const EARTH_RADIUS = 6371000;
const TWO_PI = 2 * Math.PI;
const DEG = Math.PI / 180;

/** A mechanically rotating 3D surveillance radar at a fixed site, turning clockwise. */
export interface RadarModel {
  id: string;
  /** Sensor kind in sensors.json, default `radar`. */
  kind?: string;
  position: GeoPoint;
  /** Time for one full rotation (s). The beam points north at each scan start. */
  scanPeriod: number;
  /** Time (s after the scene start, taken modulo `scanPeriod`) of a scan start; default 0. */
  scanOffset?: number;
  /** Instrumented range (m): slant range beyond which nothing is detected. */
  rangeMax: number;
  /** One-sigma errors: range (m), bearing and elevation (degrees). 0 gives exact measurements. */
  rangeSd: number;
  bearingSdDeg: number;
  elevationSdDeg: number;
  /** Probability of detecting a visible target on one scan, 0..1. */
  pd: number;
  /** Mean number of clutter plots per scan (Poisson), uniform over the coverage disc. */
  clutterPerScan: number;
  /** If set, detections carry a range rate (m/s, positive moving away) with this one-sigma error. */
  rangeRateSd?: number;
  /**
   * Line-of-sight test over a smooth Earth: `radio` (default) uses the 4/3 effective Earth
   * radius of standard refraction, `geometric` the true radius, `none` sees everything in range.
   * Heights are altitudes above the ellipsoid (there is no terrain).
   */
  horizon?: 'radio' | 'geometric' | 'none';
  /**
   * Masking angle (degrees): targets whose geometric look elevation from the radar is below
   * this are hidden (terrain, buildings and trees around the site screen the lowest beam).
   * Default none. Applied on top of `horizon`.
   */
  maskElevationDeg?: number;
  /** Clutter elevations are uniform in [0, this] degrees; default 2. */
  clutterElevationMaxDeg?: number;
  /**
   * Fixed clutter: returns from things that stand still (buildings, masts, wind turbines,
   * terrain), `count` places drawn once uniform in area over the coverage disc at elevations in
   * [0, `clutterElevationMaxDeg`], each plotted on a scan with probability `pd` with the radar's
   * errors. From their own random stream (`radar/<id>/clutter-spots`): the other plots are
   * unchanged. Default none.
   */
  clutterSpots?: { count: number; pd: number };
}

/** A sensor that reports target positions: ADS-B or Remote ID receivers, observers. */
export interface PositionReporterModel {
  id: string;
  /** Sensor kind in sensors.json, default `adsb`. */
  kind?: string;
  /** Time between reports of one target (s). */
  period: number;
  /** One-sigma horizontal error per axis (m). */
  posSd: number;
  /** One-sigma altitude error (m); when unset the altitude is reported exactly and no `alt_sd_m` is written. */
  altSd?: number;
  /** Whether reports carry `alt_m`; default true. */
  reportAltitude?: boolean;
  /** Probability that a due report is made, default 1. */
  pd?: number;
  /** Ids of the targets it reports; default all. */
  targets?: string[];
  /**
   * Cooperative identity written to the `target` field: `true` writes the truth id, a map
   * gives an identity per truth id (targets missing from it get none); default none.
   */
  cooperative?: boolean | Record<string, string>;
  /** Transmission delay (s): a report measured at `t` arrives at `t + delay + U(0, delayJitter)`. */
  delay?: number;
  delayJitter?: number;
  /** Give each target its own random reporting phase (default true); otherwise all report at t0 + k·period. */
  stagger?: boolean;
  /** Fixed site of the sensor, if it has one (an observer, a receiver). */
  position?: GeoPoint;
  /** Only targets within this horizontal distance (m) of `position` are reported. */
  rangeMax?: number;
  /**
   * Fixes the report schedule independently of the simulated window (chunked simulation,
   * scene-chunks.ts): each target's phase is drawn from its own stream, derived from `seed`, the
   * sensor id and the target id, and its reports fall at `epoch + phase + k·period` (k ≥ 0).
   * Default: phases drawn in target order from the sensor's stream, counted from the window start.
   */
  schedule?: { seed: number; epoch: number };
}

/** A detection with the time it reaches the tracker (equal to `t` unless the sensor has a delay). */
export interface SimDetection {
  row: DetectionRow;
  arrival: number;
}

/** Common options of the sensor simulations. */
export interface SensorSimOptions {
  /** Scene seed; each sensor derives its own streams from it and its id. */
  seed: number;
  /** Detections are produced for measurement times in [t0, t1] (s since the Unix epoch). */
  t0: number;
  t1: number;
  /** Add a `sim_target` field to each row: the truth id, or null for clutter. Default false. */
  annotate?: boolean;
}

/** The sensors.json row of a radar. */
export function radarSensorRow(r: RadarModel): SensorRow {
  return {
    id: r.id,
    kind: r.kind ?? 'radar',
    lat: r.position.latDeg,
    lon: r.position.lonDeg,
    alt_m: r.position.altM,
    range_m: r.rangeMax,
    range_sd_m: r.rangeSd,
    bearing_sd_deg: r.bearingSdDeg,
    elevation_sd_deg: r.elevationSdDeg,
    pd: r.pd,
    far_per_hour: ((r.clutterPerScan + (r.clutterSpots ? r.clutterSpots.count * r.clutterSpots.pd : 0)) * 3600) / r.scanPeriod,
    scan_period_s: r.scanPeriod,
  };
}

/** The sensors.json row of a position reporter. */
export function reporterSensorRow(r: PositionReporterModel): SensorRow {
  const row: SensorRow = { id: r.id, kind: r.kind ?? 'adsb' };
  if (r.position) {
    row.lat = r.position.latDeg;
    row.lon = r.position.lonDeg;
    row.alt_m = r.position.altM;
  }
  if (r.rangeMax !== undefined) row.range_m = r.rangeMax;
  row.pos_sd_m = r.posSd;
  if (r.altSd !== undefined) row.alt_sd_m = r.altSd;
  if (r.pd !== undefined) row.pd = r.pd;
  return row;
}

function validateRadar(r: RadarModel): void {
  const p = `radar ${r.id}`;
  check(r.scanPeriod > 0 && Number.isFinite(r.scanPeriod), `${p}: scanPeriod must be > 0, got ${r.scanPeriod}`);
  check(r.rangeMax > 0 && Number.isFinite(r.rangeMax), `${p}: rangeMax must be > 0, got ${r.rangeMax}`);
  check(r.rangeSd >= 0, `${p}: rangeSd must be >= 0, got ${r.rangeSd}`);
  check(r.bearingSdDeg >= 0, `${p}: bearingSdDeg must be >= 0, got ${r.bearingSdDeg}`);
  check(r.elevationSdDeg >= 0, `${p}: elevationSdDeg must be >= 0, got ${r.elevationSdDeg}`);
  check(r.pd >= 0 && r.pd <= 1, `${p}: pd must be in [0, 1], got ${r.pd}`);
  check(r.clutterPerScan >= 0 && Number.isFinite(r.clutterPerScan), `${p}: clutterPerScan must be >= 0, got ${r.clutterPerScan}`);
  if (r.clutterSpots) {
    check(Number.isInteger(r.clutterSpots.count) && r.clutterSpots.count >= 0, `${p}: clutterSpots.count must be an integer >= 0, got ${r.clutterSpots.count}`);
    check(r.clutterSpots.pd >= 0 && r.clutterSpots.pd <= 1, `${p}: clutterSpots.pd must be in [0, 1], got ${r.clutterSpots.pd}`);
  }
  check(r.rangeRateSd === undefined || r.rangeRateSd >= 0, `${p}: rangeRateSd must be >= 0, got ${r.rangeRateSd}`);
  check(r.scanOffset === undefined || Number.isFinite(r.scanOffset), `${p}: scanOffset must be finite, got ${r.scanOffset}`);
  check(
    r.maskElevationDeg === undefined || (r.maskElevationDeg >= -90 && r.maskElevationDeg <= 90),
    `${p}: maskElevationDeg must be within [-90, 90], got ${r.maskElevationDeg}`,
  );
}

/**
 * Simulates a rotating radar over the given trajectories.
 *
 * Each scan starts with the beam at north at `t0 + scanOffset + k·scanPeriod` and turns
 * clockwise at a constant rate, so a target at bearing β is illuminated at
 * `scanStart + β/(2π)·scanPeriod`; that time is found by fixed-point iteration on the moving
 * target's bearing. A target is detected with probability `pd` if, at that time, it exists, its
 * slant range is within `rangeMax`, it is above the horizon and above the masking angle
 * (`maskElevationDeg`, when set). Clutter: a Poisson number of
 * plots per scan, uniform in area over the disc of radius `rangeMax`, each stamped with the
 * time the beam passes its bearing.
 */
export function simulateRadar(radar: RadarModel, trajectories: readonly Trajectory[], opts: SensorSimOptions): SimDetection[] {
  validateRadar(radar);
  const { t0, t1 } = opts;
  const annotate = opts.annotate ?? false;
  const rng: Rng = createRng(deriveSeed(opts.seed, `radar/${radar.id}/detect`));
  const clutterRng: Rng = createRng(deriveSeed(opts.seed, `radar/${radar.id}/clutter`));
  const frame = createEnuFrame(radar.position);
  const radarBasis = enuBasis(radar.position.latDeg * DEG, radar.position.lonDeg * DEG);
  const T = radar.scanPeriod;
  const offset = (((radar.scanOffset ?? 0) % T) + T) % T;
  const horizon = radar.horizon ?? 'radio';
  const kEarth = horizon === 'radio' ? 4 / 3 : 1;
  const radarHorizon = Math.sqrt(2 * kEarth * EARTH_RADIUS * Math.max(radar.position.altM, 0));
  const rangeSd = radar.rangeSd;
  const bSd = radar.bearingSdDeg * DEG;
  const eSd = radar.elevationSdDeg * DEG;
  const rrSd = radar.rangeRateSd;
  const clutterElMax = (radar.clutterElevationMaxDeg ?? 2) * DEG;
  // fixed clutter: the places drawn once, then a draw per scan and place, all from their own stream
  const spotRng: Rng = createRng(deriveSeed(opts.seed, `radar/${radar.id}/clutter-spots`));
  const spots = Array.from({ length: radar.clutterSpots?.count ?? 0 }, () => ({ range: radar.rangeMax * Math.sqrt(spotRng.next()), bearing: spotRng.next() * TWO_PI, elevation: spotRng.next() * clutterElMax }));
  const spotPd = radar.clutterSpots?.pd ?? 0;
  const maskEl = radar.maskElevationDeg === undefined ? -Infinity : radar.maskElevationDeg * DEG;
  const enu = new Float64Array(3);
  const tmp3 = new Float64Array(3);
  const vRad = new Float64Array(3);
  const basis = new Float64Array(9);
  const out: SimDetection[] = [];
  // Conservative culling: for each target, the windows in which it may be within rangeMax
  // (coarse-track.ts); a scan that meets none of them cannot detect it, so it is skipped before
  // any sampling (and before any draw: the output is the same as without culling).
  const site = geodeticToEcef(radar.position);
  const windows: number[][] = trajectories.map((tr) => nearWindows(tr, site, radar.rangeMax, t0 - T, t1 + T));
  const cursor = new Int32Array(trajectories.length);
  const speedBounds = trajectories.map((tr) => coarseTrackOf(tr).speedBound);

  const baseRow = (t: number, range: number, bearing: number, elevation: number): DetectionRow => ({
    t,
    sensor: radar.id,
    type: 'range_bearing',
    range_m: Math.max(0, range),
    bearing_deg: bearingDeg(bearing),
    elevation_deg: Math.max(-90, Math.min(90, radToDeg(elevation))),
    range_sd_m: radar.rangeSd,
    bearing_sd_deg: radar.bearingSdDeg,
    elevation_sd_deg: radar.elevationSdDeg,
  });

  /** A clutter plot (random or fixed), with its range rate when the radar gives one. */
  const pushClutter = (t: number, range: number, bearing: number, elevation: number, rr: number): void => {
    const row = baseRow(t, range, bearing, elevation);
    if (rrSd !== undefined) {
      row.range_rate_mps = rr;
      row.range_rate_sd_mps = rrSd;
    }
    if (annotate) row.sim_target = null;
    out.push({ row, arrival: t });
  };

  for (let k = offset > 0 ? -1 : 0; ; k++) {
    const scanStart = t0 + offset + k * T;
    if (scanStart > t1) break;
    const scanEnd = scanStart + T;

    for (let j = 0; j < trajectories.length; j++) {
      const tr = trajectories[j];
      if (tr.endTime < scanStart || tr.startTime > scanEnd) continue;
      const w = windows[j];
      let c = cursor[j];
      while (c < w.length && w[c + 1] < scanStart) c += 2;
      cursor[j] = c;
      if (c >= w.length || w[c] > scanEnd) continue;
      let s = tr.sample(Math.min(Math.max(scanStart, tr.startTime), tr.endTime));
      if (s === null) continue;
      geodeticToEnu(frame, s.position, enu);
      // Cull targets that cannot come within range during this scan (the speed bound covers
      // trajectories whose speed jumps, such as recorded fixes).
      const reach = Math.max((s.speed + Math.abs(s.velocityEnu[2])) * T * 1.5, speedBounds[j] * T) + 100;
      if (Math.hypot(enu[0], enu[1], enu[2]) > radar.rangeMax + reach) continue;
      // Skip a target that stays hidden for the whole scan (below the masking angle, or beyond
      // the horizon): until the scan ends it stays within vMax·T of this sample (vMax bounds its
      // 3D speed, coarse-track.ts), so this skips no detection and no draw.
      const move = speedBounds[j] * T + 1;
      const hMin = Math.hypot(enu[0], enu[1]) - move;
      if (hMin > 0) {
        if (Math.atan2(enu[2] + move, hMin) < maskEl) continue;
        if (horizon !== 'none' && hMin > radarHorizon + Math.sqrt(2 * kEarth * EARTH_RADIUS * Math.max(s.position.altM + move, 0))) continue;
      }
      // Fixed point t = scanStart + β(t)/(2π)·T; the map contracts by about (dβ/dt)·T/(2π) ≪ 1.
      let t = scanStart + (wrapTwoPi(Math.atan2(enu[0], enu[1])) / TWO_PI) * T;
      let converged = false;
      for (let it = 0; it < 8; it++) {
        s = tr.sample(t);
        if (s === null) break;
        geodeticToEnu(frame, s.position, enu);
        const tNext = scanStart + (wrapTwoPi(Math.atan2(enu[0], enu[1])) / TWO_PI) * T;
        if (Math.abs(tNext - t) < 1e-5) {
          converged = true; // keep t: the sample (and enu) belong to it exactly
          break;
        }
        t = tNext;
      }
      if (!converged || s === null || t < t0 || t > t1) continue;
      const look = enuToLook(enu[0], enu[1], enu[2]);
      if (look.range > radar.rangeMax) continue;
      if (look.elevation < maskEl) continue;
      if (horizon !== 'none') {
        const targetHorizon = Math.sqrt(2 * kEarth * EARTH_RADIUS * Math.max(s.position.altM, 0));
        if (Math.hypot(enu[0], enu[1]) > radarHorizon + targetHorizon) continue;
      }
      if (rng.next() >= radar.pd) continue;
      const row = baseRow(
        t,
        rng.normal(look.range, rangeSd),
        rng.normal(look.bearing, bSd),
        rng.normal(look.elevation, eSd),
      );
      if (rrSd !== undefined) {
        // Target velocity from its local ENU axes into the radar's, then projected on the line of sight.
        const v = s.velocityEnu;
        enuBasis(s.position.latDeg * DEG, s.position.lonDeg * DEG, basis);
        enuToEcefVector(basis, v[0], v[1], v[2], tmp3);
        ecefToEnuVector(radarBasis, tmp3[0], tmp3[1], tmp3[2], vRad);
        const rr = look.range > 0 ? (enu[0] * vRad[0] + enu[1] * vRad[1] + enu[2] * vRad[2]) / look.range : 0;
        row.range_rate_mps = rng.normal(rr, rrSd);
        row.range_rate_sd_mps = rrSd;
      }
      if (annotate) row.sim_target = tr.target.id;
      out.push({ row, arrival: t });
    }

    const nClutter = clutterRng.poisson(radar.clutterPerScan);
    for (let i = 0; i < nClutter; i++) {
      const range = radar.rangeMax * Math.sqrt(clutterRng.next());
      const bearing = clutterRng.next() * TWO_PI;
      const elevation = clutterRng.next() * clutterElMax;
      const t = scanStart + (bearing / TWO_PI) * T;
      const rr = rrSd === undefined ? 0 : clutterRng.normal(0, rrSd);
      if (t >= t0 && t <= t1) pushClutter(t, range, bearing, elevation, rr);
    }
    for (const sp of spots) {
      if (spotRng.next() >= spotPd) continue;
      const t = scanStart + (sp.bearing / TWO_PI) * T;
      const range = sp.range + spotRng.normal(0, rangeSd);
      const bearing = sp.bearing + spotRng.normal(0, bSd);
      const elevation = sp.elevation + spotRng.normal(0, eSd);
      const rr = rrSd === undefined ? 0 : spotRng.normal(0, rrSd);
      if (t >= t0 && t <= t1) pushClutter(t, range, bearing, elevation, rr);
    }
  }

  out.sort(byT);
  numberRows(radar.id, out);
  return out;
}

/**
 * Simulates a position reporter. Each reported target is due every `period` seconds (from its
 * own random phase when `stagger` is on); a due report is made with probability `pd` if the
 * target exists (and is within `rangeMax` of `position`, when given). The reported position is
 * the true one moved by independent Gaussian errors of `posSd` east and north (and `altSd` up).
 */
export function simulatePositionReporter(rep: PositionReporterModel, trajectories: readonly Trajectory[], opts: SensorSimOptions): SimDetection[] {
  const p = `position reporter ${rep.id}`;
  check(rep.period > 0 && Number.isFinite(rep.period), `${p}: period must be > 0, got ${rep.period}`);
  check(rep.posSd >= 0, `${p}: posSd must be >= 0, got ${rep.posSd}`);
  check(rep.altSd === undefined || rep.altSd >= 0, `${p}: altSd must be >= 0, got ${rep.altSd}`);
  check(rep.pd === undefined || (rep.pd >= 0 && rep.pd <= 1), `${p}: pd must be in [0, 1], got ${rep.pd}`);
  check((rep.delay ?? 0) >= 0 && (rep.delayJitter ?? 0) >= 0, `${p}: delay and delayJitter must be >= 0, got ${rep.delay}, ${rep.delayJitter}`);
  check(rep.rangeMax === undefined || rep.position !== undefined, `${p}: rangeMax needs a position`);

  const { t0, t1 } = opts;
  const annotate = opts.annotate ?? false;
  const rng = createRng(deriveSeed(opts.seed, `reporter/${rep.id}`));
  const wanted = rep.targets ? new Set(rep.targets) : null;
  const pd = rep.pd ?? 1;
  const delay = rep.delay ?? 0;
  const jitter = rep.delayJitter ?? 0;
  const reportAlt = rep.reportAltitude ?? true;
  const frame = rep.position ? createEnuFrame(rep.position) : null;
  const enu = new Float64Array(3);
  const out: SimDetection[] = [];

  const sched = rep.schedule;
  check(sched === undefined || (Number.isFinite(sched.epoch) && Number.isSafeInteger(sched.seed)), `${p}: schedule needs a finite epoch and an integer seed, got ${JSON.stringify(sched)}`);
  const base = sched === undefined ? t0 : sched.epoch;
  for (const tr of trajectories) {
    if (wanted && !wanted.has(tr.target.id)) continue;
    // Drawn for every reported target (even one outside the window) so phases do not depend on t0.
    const phase =
      rep.stagger === false
        ? 0
        : sched === undefined
          ? rng.uniform(0, rep.period)
          : createRng(deriveSeed(sched.seed, `reporter/${rep.id}/phase/${tr.target.id}`)).uniform(0, rep.period);
    const coop = rep.cooperative === true ? tr.target.id : rep.cooperative ? rep.cooperative[tr.target.id] : undefined;
    const lo = Math.max(t0, tr.startTime);
    const hi = Math.min(t1, tr.endTime);
    for (let m = Math.max(0, Math.ceil((lo - base - phase) / rep.period)); ; m++) {
      const t = base + phase + m * rep.period;
      if (t > hi) break;
      const s = tr.sample(t);
      if (s === null) continue;
      if (frame && rep.rangeMax !== undefined) {
        geodeticToEnu(frame, s.position, enu);
        if (Math.hypot(enu[0], enu[1]) > rep.rangeMax) continue;
      }
      if (pd < 1 && rng.next() >= pd) continue;
      const latRad = s.position.latDeg * DEG;
      const h = s.position.altM;
      const dn = rng.normal(0, rep.posSd);
      const de = rng.normal(0, rep.posSd);
      const row: DetectionRow = {
        t,
        sensor: rep.id,
        type: 'position',
        lat: s.position.latDeg + dn / (meridianRadius(latRad) + h) / DEG,
        lon: wrapLonDeg(s.position.lonDeg + de / ((primeVerticalRadius(latRad) + h) * Math.cos(latRad)) / DEG),
        pos_sd_m: rep.posSd,
      };
      if (reportAlt) {
        row.alt_m = rep.altSd === undefined ? h : rng.normal(h, rep.altSd);
        if (rep.altSd !== undefined) row.alt_sd_m = rep.altSd;
      }
      if (coop !== undefined) row.target = coop;
      if (annotate) row.sim_target = tr.target.id;
      out.push({ row, arrival: t + delay + (jitter > 0 ? rng.uniform(0, jitter) : 0) });
    }
  }
  out.sort(byT);
  numberRows(rep.id, out);
  return out;
}
