/**
 * Observers with phones: people on the ground who, while a target is within `rangeMax` (slant)
 * of them, now and then press a button in an app. Mobile sensors: sensors.json gives no position;
 * every row carries the phone's GPS fix (`sensor_lat`, `sensor_lon`).
 *
 * Model of one person:
 * - Presses form a Poisson process of rate `reportRate` (per second) over the times a target is
 *   within `rangeMax` of them (sampled exactly by thinning a process over the conservative
 *   windows of coarse-track.ts). Each target is noticed independently. Optical: the direction is
 *   to where the target is at the press time (no sound delay).
 * - A press is a `position` estimate with probability `positionShare` (default 0.2), else a
 *   compass `bearing`.
 * - Bearing: true bearing from the person + the person's constant bias `bearingBiasDeg` +
 *   N(0, `bearingSdDeg`); the row declares `bearing_sd_deg` = `bearingSdDeg` (the bias is the
 *   person's secret). No elevation.
 * - Position: the target's horizontal position moved by N(0, `posSdM`) east and north, no
 *   altitude; the row declares `pos_sd_m` = `posSdM` and also carries the person's GPS fix.
 * - GPS fix: the person's position moved by N(0, `gpsSdM`) (default 5 m) per axis, per row.
 * - Rows are stamped with the press time `t` (the measurement) and arrive U(`delay`) seconds
 *   later (default [1, 6]; see `SceneOptions.order = 'arrival'`).
 * - Class hint with probability `classHintProb` (default 0.3): {@link classHint} with accuracy
 *   0.7 and confidence [0.4, 0.8] (people are less sure than a trained classifier).
 * - False reports: Poisson at `farPerHour` (default 0), uniform in time, a uniformly random
 *   bearing with an uninformative hint.
 *
 * Streams per person: `observer/<id>/report`, `observer/<id>/false`, `observer/<id>/class`.
 */
import { createEnuFrame, enuToGeodetic, geodeticToEcef, geodeticToEnu, type GeoPoint } from '@skywarden/core';
import type { DetectionRow, SensorRow } from '@skywarden/formats';
import { classHint, falseAlarmClassHint } from './class-hints.js';
import { nearWindows } from './coarse-track.js';
import { createRng, deriveSeed, type Rng } from './rng.js';
import { bearingDeg, byT, check, numberRows, offsetLatLon } from './row-util.js';
import type { SensorSimOptions, SimDetection } from './sensors.js';
import type { Trajectory } from './trajectory.js';

const DEG = Math.PI / 180;
const TWO_PI = 2 * Math.PI;

/** A person with a phone app at a (hidden) position on the ground. */
export interface ObserverModel {
  id: string;
  /** Sensor kind in sensors.json, default `observer`. */
  kind?: string;
  /** Where the person is (not written to sensors.json: rows carry the GPS fix). */
  position: GeoPoint;
  /** Slant range (m) within which the person notices a target. */
  rangeMax: number;
  /** Presses per second while a target is within range (Poisson rate); 0 for a person who never reports. */
  reportRate: number;
  /** Share of presses that are position estimates, 0..1; default 0.2. */
  positionShare?: number;
  /** One-sigma random error of the compass bearing (degrees), also written to the rows. */
  bearingSdDeg: number;
  /** The person's constant bearing bias (degrees); default 0. */
  bearingBiasDeg?: number;
  /** One-sigma error of position estimates per axis (m), also written to the rows; default 800. */
  posSdM?: number;
  /** One-sigma error of the phone's GPS fix per axis (m); default 5. */
  gpsSdM?: number;
  /** Range [lo, hi] (s) of the delay between the press and the row's arrival; default [1, 6]. */
  delay?: readonly [number, number];
  /** False reports per hour; default 0. */
  farPerHour?: number;
  /** Probability that a row carries a class hint, 0..1; default 0.3. */
  classHintProb?: number;
}

/** The sensors.json row of an observer: no position (a mobile sensor). */
export function observerSensorRow(o: ObserverModel): SensorRow {
  return {
    id: o.id,
    kind: o.kind ?? 'observer',
    range_m: o.rangeMax,
    bearing_sd_deg: o.bearingSdDeg,
    pos_sd_m: o.posSdM ?? 800,
    far_per_hour: o.farPerHour ?? 0,
  };
}

function validateObserver(o: ObserverModel): void {
  const p = `observer ${o.id}`;
  check(o.rangeMax > 0 && Number.isFinite(o.rangeMax), `${p}: rangeMax must be > 0, got ${o.rangeMax}`);
  check(o.reportRate >= 0 && Number.isFinite(o.reportRate), `${p}: reportRate must be >= 0, got ${o.reportRate}`);
  const ps = o.positionShare ?? 0.2;
  check(ps >= 0 && ps <= 1, `${p}: positionShare must be in [0, 1], got ${ps}`);
  check(o.bearingSdDeg >= 0, `${p}: bearingSdDeg must be >= 0, got ${o.bearingSdDeg}`);
  check(Number.isFinite(o.bearingBiasDeg ?? 0), `${p}: bearingBiasDeg must be finite, got ${o.bearingBiasDeg}`);
  check((o.posSdM ?? 800) >= 0, `${p}: posSdM must be >= 0, got ${o.posSdM}`);
  check((o.gpsSdM ?? 5) >= 0, `${p}: gpsSdM must be >= 0, got ${o.gpsSdM}`);
  const [lo, hi] = o.delay ?? [1, 6];
  check(lo >= 0 && hi >= lo && Number.isFinite(hi), `${p}: delay must be [lo, hi] with 0 <= lo <= hi, got [${lo}, ${hi}]`);
  const far = o.farPerHour ?? 0;
  check(far >= 0 && Number.isFinite(far), `${p}: farPerHour must be >= 0, got ${far}`);
  const h = o.classHintProb ?? 0.3;
  check(h >= 0 && h <= 1, `${p}: classHintProb must be in [0, 1], got ${h}`);
}

/**
 * Simulates one observer for press times in [t0, t1] (see the module comment). Rows are sorted
 * by `t` and numbered `<id>-<n>`; `arrival` is `t` plus the reporting delay.
 */
export function simulateObserver(o: ObserverModel, trajectories: readonly Trajectory[], opts: SensorSimOptions): SimDetection[] {
  validateObserver(o);
  const { seed, t0, t1 } = opts;
  const annotate = opts.annotate ?? false;
  const rng: Rng = createRng(deriveSeed(seed, `observer/${o.id}/report`));
  const faRng: Rng = createRng(deriveSeed(seed, `observer/${o.id}/false`));
  const hintRng: Rng = createRng(deriveSeed(seed, `observer/${o.id}/class`));
  const frame = createEnuFrame(o.position);
  const site = geodeticToEcef(o.position);
  const R = o.rangeMax;
  const positionShare = o.positionShare ?? 0.2;
  const bSd = o.bearingSdDeg * DEG;
  const bias = (o.bearingBiasDeg ?? 0) * DEG;
  const posSd = o.posSdM ?? 800;
  const gpsSd = o.gpsSdM ?? 5;
  const [dLo, dHi] = o.delay ?? [1, 6];
  const hintProb = o.classHintProb ?? 0.3;
  const enu = new Float64Array(3);
  const windows: number[] = [];
  const out: SimDetection[] = [];

  /** A row with the phone's GPS fix; the delay is drawn from `r`. */
  const make = (r: Rng, t: number, type: 'bearing' | 'position'): SimDetection => {
    const fix = offsetLatLon(o.position.latDeg, o.position.lonDeg, o.position.altM, r.normal(0, gpsSd), r.normal(0, gpsSd));
    const row: DetectionRow = { t, sensor: o.id, type, sensor_lat: fix.lat, sensor_lon: fix.lon };
    return { row, arrival: t + r.uniform(dLo, dHi) };
  };

  if (o.reportRate > 0) {
    for (const tr of trajectories) {
      nearWindows(tr, site, R, t0, t1, windows);
      for (let i = 0; i < windows.length; i += 2) {
        const a = windows[i];
        const b = windows[i + 1];
        const n = rng.poisson(o.reportRate * (b - a));
        for (let j = 0; j < n; j++) {
          const t = rng.uniform(a, b);
          const s = tr.sample(t);
          if (s === null) continue;
          geodeticToEnu(frame, s.position, enu);
          if (Math.hypot(enu[0], enu[1], enu[2]) > R) continue; // thinning: not in range at t
          const isPosition = rng.next() < positionShare;
          const d = make(rng, t, isPosition ? 'position' : 'bearing');
          const row = d.row;
          if (isPosition) {
            const q = offsetLatLon(s.position.latDeg, s.position.lonDeg, s.position.altM, rng.normal(0, posSd), rng.normal(0, posSd));
            row.lat = q.lat;
            row.lon = q.lon;
            row.pos_sd_m = posSd;
          } else {
            row.bearing_deg = bearingDeg(rng.normal(Math.atan2(enu[0], enu[1]) + bias, bSd));
            row.bearing_sd_deg = o.bearingSdDeg;
          }
          if (hintRng.next() < hintProb) row.class = classHint(hintRng, tr.target.cls, { accuracy: 0.7, confidence: [0.4, 0.8] });
          if (annotate) row.sim_target = tr.target.id;
          out.push(d);
        }
      }
    }
  }

  const nFalse = faRng.poisson(((o.farPerHour ?? 0) * (t1 - t0)) / 3600);
  for (let i = 0; i < nFalse; i++) {
    const d = make(faRng, faRng.uniform(t0, t1), 'bearing');
    d.row.bearing_deg = bearingDeg(faRng.next() * TWO_PI);
    d.row.bearing_sd_deg = o.bearingSdDeg;
    if (hintRng.next() < hintProb) d.row.class = falseAlarmClassHint(hintRng);
    if (annotate) d.row.sim_target = null;
    out.push(d);
  }

  out.sort(byT);
  numberRows(o.id, out);
  return out;
}

/** Inputs of {@link makeObservers}. */
export interface ObserversOptions {
  seed: number;
  /** Centre of the rectangle; the people stand at its altitude plus 1.5 m. */
  origin: GeoPoint;
  /** Rectangle centred on `origin` (m); default 40 km square. */
  widthM?: number;
  heightM?: number;
  /** Number of people; default 300. */
  count?: number;
  /** Share of people living in towns (Gaussian clusters of 1.5 km around count/40 centres), the rest uniform; default 0.6. */
  townShare?: number;
  /** Mean press rate while a target is in range (1/s); each person's rate is this times Exp(1); default 1/120. */
  meanReportRate?: number;
  /** Range [lo, hi] of the noticing range (m); default [1500, 3000]. */
  rangeM?: readonly [number, number];
  /** Range [lo, hi] of the compass error (degrees); default [10, 15]. */
  bearingSdDeg?: readonly [number, number];
  /** One-sigma spread of the people's compass biases (degrees); default 4. */
  biasSdDeg?: number;
  /** Range [lo, hi] of the position-estimate error (m); default [300, 1500]. */
  posSdM?: readonly [number, number];
  /** Share of presses that are position estimates; default 0.2. */
  positionShare?: number;
  /** Reporting delay range (s); default [1, 6]. */
  delay?: readonly [number, number];
  /** False reports per hour per person; default 0.05. */
  farPerHour?: number;
  /** Id prefix: ids are `<prefix>-0001`, ...; default `obs`. */
  idPrefix?: string;
}

/**
 * People with phones scattered over a rectangle (partly clustered in towns), each with their own
 * eagerness, compass error and bias, noticing range and estimate quality (see
 * {@link ObserversOptions} for the defaults). Deterministic for a seed.
 */
export function makeObservers(opts: ObserversOptions): ObserverModel[] {
  const prefix = opts.idPrefix ?? 'obs';
  const rng = createRng(deriveSeed(opts.seed, `observers/${prefix}`));
  const frame = createEnuFrame(opts.origin);
  const w = opts.widthM ?? 40e3;
  const h = opts.heightM ?? 40e3;
  const count = opts.count ?? 300;
  check(w > 0 && h > 0, `makeObservers: widthM and heightM must be > 0, got ${w}, ${h}`);
  check(Number.isSafeInteger(count) && count >= 0, `makeObservers: count must be an integer >= 0, got ${count}`);
  const townShare = opts.townShare ?? 0.6;
  const nTowns = Math.max(1, Math.round(count / 40));
  const towns: [number, number][] = [];
  for (let i = 0; i < nTowns; i++) towns.push([rng.uniform(-w / 2, w / 2), rng.uniform(-h / 2, h / 2)]);
  const rate = opts.meanReportRate ?? 1 / 120;
  const [rLo, rHi] = opts.rangeM ?? [1500, 3000];
  const [bLo, bHi] = opts.bearingSdDeg ?? [10, 15];
  const [pLo, pHi] = opts.posSdM ?? [300, 1500];
  const biasSd = opts.biasSdDeg ?? 4;
  const width = Math.max(4, String(count).length);
  const people: ObserverModel[] = [];
  for (let i = 0; i < count; i++) {
    let e: number;
    let n: number;
    if (rng.next() < townShare) {
      const [te, tn] = rng.pick(towns);
      e = Math.max(-w / 2, Math.min(w / 2, rng.normal(te, 1500)));
      n = Math.max(-h / 2, Math.min(h / 2, rng.normal(tn, 1500)));
    } else {
      e = rng.uniform(-w / 2, w / 2);
      n = rng.uniform(-h / 2, h / 2);
    }
    const g = enuToGeodetic(frame, e, n, 0);
    people.push({
      id: `${prefix}-${String(i + 1).padStart(width, '0')}`,
      position: { latDeg: g.latDeg, lonDeg: g.lonDeg, altM: opts.origin.altM + 1.5 },
      rangeMax: rng.uniform(rLo, rHi),
      reportRate: -Math.log(1 - rng.next()) * rate,
      positionShare: opts.positionShare ?? 0.2,
      bearingSdDeg: rng.uniform(bLo, bHi),
      bearingBiasDeg: rng.normal(0, biasSd),
      posSdM: rng.uniform(pLo, pHi),
      delay: opts.delay ?? [1, 6],
      farPerHour: opts.farPerHour ?? 0.05,
    });
  }
  return people;
}
