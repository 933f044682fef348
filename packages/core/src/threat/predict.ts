/**
 * Threat prediction: where a track may fly within a horizon, and per warning zone the
 * probability and time of entry (docs/warnings.md "Prediction").
 *
 * The path is predicted by a deterministic ensemble of horizontal paths in the local level
 * (ENU) frame at the track. Each member combines
 * - a start offset from the reported position (position error `positionSd`, 2-D nodes),
 * - a velocity offset along the track (speed) and across it (heading), from the velocity
 *   error `velocitySd` (per horizontal axis), applied to the velocity vector itself, so a
 *   hovering track gets headings all round,
 * - a manoeuvre: a dog-leg turn with lateral acceleration a = z·σa (turn rate a/speed, at
 *   most `maxTurnRate`) held until the heading has changed by |z|·σψ, then straight flight.
 *   All members turn for the same time σψ·speed/σa (unless the rate cap binds), so the
 *   manoeuvre's lateral spread grows like σa·τ²/2 at first and then linearly, with slope
 *   speed·sin(σψ·|z|).
 * The nodes z of each dimension are equal-probability strata of the normal distribution
 * (ensemble.ts), so every member has the same weight 1/M and a probability is a share of
 * members. Speed × heading × manoeuvre is a full product (3 × 5 × 5 = 75 by default); the
 * five position nodes are spread over it by a Latin square (or multiplied in: `product`).
 * Paths are evaluated every `stepS` in closed form (arc, then straight line) and looked up
 * in the zone index (zone-index.ts); on a straight leg deep inside one label of the index
 * the walk skips ahead on the step grid as far as that label is sure to hold. A first point
 * inside a zone is refined by bisection between it and the previous step point.
 *
 * ENU to latitude/longitude uses the second-order series of the azimuthal equidistant
 * projection about the track (φ = φ₀ + (n − e² tan φ₀ / 2N)/M,
 * λ = λ₀ + e(1 + n tan φ₀ / M)/(N cos φ₀); cf. Snyder 1987, §25): a straight member path is
 * then a geodesic to within about d³/R² (2 m at 45 km, 0.3 km at 225 km).
 */
import type { GeoPoint } from '../types.js';
import type { GeoArea } from '../geo/polygon.js';
import { meridianRadius, primeVerticalRadius } from '../geo/wgs84.js';
import { planeNodes, stratumNodes } from './ensemble.js';
import { CELL_BOUNDARY, CELL_INSIDE, LABEL_MIXED, LABEL_NONE, createZoneIndex, type ZoneIndex } from './zone-index.js';

/** A warning zone: id, area, and the warning lead time it wants (s; zones.geojson `lead_s`). */
export interface ThreatZone {
  id: string;
  area: GeoArea;
  leadS?: number;
}

/**
 * What the predictor needs of a track report. The tracker's `TrackReport` is one; a report
 * that knows its velocity error may add `velocitySd`.
 */
export interface TrackReportLike {
  trackId: string;
  position: GeoPoint;
  /** Velocity east, north, up in the local level frame at the track (m/s); up is ignored. */
  velocityEnu: ArrayLike<number>;
  /** Horizontal position one-sigma (m). */
  positionSd: number;
  /** Horizontal velocity one-sigma per axis (m/s); the predictor's `velocitySd` when absent. */
  velocitySd?: number;
  /** P(threat class), copied into the result when present. */
  threatProbability?: number;
  /**
   * The fastest the track can fly (m/s; the warnings give its class's top speed,
   * `threatTopSpeed`): no member flies faster, however fast the velocity estimate and its
   * error would send it. Absent: no bound.
   */
  maxSpeed?: number;
}

/** The threat of one track to one zone. Probabilities are shares of ensemble members. */
export interface ZoneThreat {
  zone: string;
  track: string;
  /** P(inside now, or entering within the horizon). */
  probability: number;
  /** P(inside now, or entering within the zone's lead time). */
  leadProbability: number;
  /** P(inside now, or entering within `imminentS` or the zone's lead time if shorter): the alert machine's urgent raise (docs/warnings.md "Rules"). */
  imminentProbability: number;
  /** P(inside now, or entering within the zone's lead time + `holdMarginS`): the alert hold window. */
  holdProbability: number;
  /** Median entry time of the members that enter (s after the report); 0 when the reported position is inside. */
  etaS: number;
  /** Earliest entry time of any member (s after the report). */
  etaMinS: number;
  /** Whether the reported position is inside the zone. */
  inside: boolean;
  /** P(inside now): share of members whose start point is inside. */
  insideProbability: number;
  /** The report's threat probability, when it had one. */
  threatProbability?: number;
  /** The top speed (m/s) the paths were held to (the report's `maxSpeed`), when it had one. */
  speedBoundMps?: number;
}

export interface ThreatPredictorOptions {
  /** Prediction horizon (s). Default 900. */
  horizonS?: number;
  /** Time step of the path evaluation (s). Default 5. */
  stepS?: number;
  /** Velocity one-sigma per horizontal axis for reports without `velocitySd` (m/s). Default 3. */
  velocitySd?: number;
  /** One-sigma lateral acceleration of a manoeuvre (m/s²). Default 0.5. */
  manoeuvreAccelSd?: number;
  /** One-sigma heading change of a dog-leg (rad). Default 15° (0.262 rad). */
  manoeuvreTurnSd?: number;
  /** Largest turn rate (rad/s). Default 3°/s (0.0524 rad/s, a standard-rate turn). */
  maxTurnRate?: number;
  /** Lead time of a zone without its own (s). Default 300. */
  leadS?: number;
  /** Added to the lead time for the hold window (`holdProbability`) (s). Default 120. */
  holdMarginS?: number;
  /** Window of `imminentProbability` (s), the alert machine's `imminentS`. Default 180. */
  imminentS?: number;
  /** Ensemble nodes per dimension. Defaults: position 5, speed 3, heading 5, manoeuvre 5. */
  positionNodes?: 1 | 5;
  /**
   * How position nodes combine with the others: `latin` (default) gives each velocity and
   * manoeuvre combination one position node by a Latin square, (speed + heading + 2·manoeuvre)
   * mod 5, so each position node meets each heading and each manoeuvre node equally often
   * when those counts are multiples of 5 (75 members by default); `product` takes every
   * combination (375 members by default, 5 times the cost).
   */
  positionDesign?: 'latin' | 'product';
  speedNodes?: number;
  headingNodes?: number;
  manoeuvreNodes?: number;
  /** Bisection steps that refine an entry time (each halves the error). Default 5 (stepS/32). */
  refineSteps?: number;
}

export interface ThreatPredictor {
  readonly options: Readonly<Required<ThreatPredictorOptions>>;
  /** Number of ensemble members. */
  readonly members: number;
  readonly index: ZoneIndex;
  /**
   * Threats of one report to every zone it may enter within the horizon (probability > 0), in
   * zone order. Times are seconds after the report's time. Throws on a non-finite position or
   * velocity, a negative error, or a position within 0.1° of a pole.
   */
  predict(report: TrackReportLike): ZoneThreat[];
  /**
   * The ensemble's entry times of one report: per zone it may enter, every entering member's
   * entry time, sorted. `predict(report)` is `summarise(entries(report), report, 0)`; a
   * prediction reused later (reuse.ts) is the same entries summarised with the time elapsed
   * since. Throws as `predict` does.
   */
  entries(report: TrackReportLike): MemberEntries;
  /**
   * The threats of `entries` at `elapsedS` (>= 0) seconds after the report they were made
   * from, with the zones' inside flags of `report`'s position and its id and threat
   * probability: every member's entry time less `elapsedS` (a member that entered since
   * counts as inside now), so the windows of lead, hold and imminence slide with the time.
   * With `elapsedS` 0 and the same report, exactly `predict(report)`.
   */
  summarise(entries: MemberEntries, report: TrackReportLike, elapsedS: number): ZoneThreat[];
  /** Indices of the zones that contain a point (ascending). */
  zonesAt(position: GeoPoint): number[];
  /**
   * The zones the ensemble's members start in for `report`, with the share of the members in
   * each: what `insideProbability` of a fresh prediction is, at the cost of one point lookup
   * per position node. Zones ascending.
   */
  startShares(report: TrackReportLike): { zones: number[]; shares: number[] };
  /** Work counters since creation: reports, reports skipped (out of reach of every zone), path points evaluated, zone tests in mixed cells. */
  readonly stats: { reports: number; reportsSkipped: number; points: number; zoneChecks: number };
}

/** The members' entry times of one report, per zone (see {@link ThreatPredictor.entries}). */
export interface MemberEntries {
  /** Indices of the zones some member enters within the horizon (into the predictor's zones), ascending. */
  readonly zones: Int32Array;
  /** Entry times of zone `zones[i]` are `times[offsets[i]]` to `times[offsets[i + 1] - 1]`, sorted; 0 for a member that starts inside. */
  readonly offsets: Int32Array;
  readonly times: Float64Array;
}

const NO_ENTRIES: MemberEntries = Object.freeze({ zones: new Int32Array(0), offsets: new Int32Array(1), times: new Float64Array(0) });

/** Number of elements of the sorted `a[lo, hi)` that are <= x. */
function countAtMost(a: Float64Array, lo: number, hi: number, x: number): number {
  const start = lo;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - start;
}

const DEG = Math.PI / 180;

export const THREAT_DEFAULTS: Readonly<Required<ThreatPredictorOptions>> = Object.freeze({
  horizonS: 900,
  stepS: 5,
  velocitySd: 3,
  manoeuvreAccelSd: 0.5,
  manoeuvreTurnSd: 15 * DEG,
  maxTurnRate: 3 * DEG,
  leadS: 300,
  holdMarginS: 120,
  imminentS: 180,
  positionNodes: 5,
  positionDesign: 'latin',
  speedNodes: 3,
  headingNodes: 5,
  manoeuvreNodes: 5,
  refineSteps: 5,
});

function checkOptions(o: Required<ThreatPredictorOptions>): void {
  const positive = ['horizonS', 'stepS', 'maxTurnRate'] as const;
  for (const k of positive) if (!(Number.isFinite(o[k]) && o[k] > 0)) throw new Error(`threat predictor: ${k} must be a positive number, got ${o[k]}`);
  const nonNegative = ['velocitySd', 'manoeuvreAccelSd', 'manoeuvreTurnSd', 'leadS', 'holdMarginS', 'imminentS'] as const;
  for (const k of nonNegative) if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new Error(`threat predictor: ${k} must be a finite number >= 0, got ${o[k]}`);
  for (const k of ['speedNodes', 'headingNodes', 'manoeuvreNodes'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1 || o[k] > 15) throw new Error(`threat predictor: ${k} must be an integer in [1, 15], got ${o[k]}`);
  }
  if (o.positionDesign !== 'latin' && o.positionDesign !== 'product') throw new Error(`threat predictor: positionDesign must be 'latin' or 'product', got ${String(o.positionDesign)}`);
  if (o.positionNodes !== 1 && o.positionNodes !== 5) throw new Error(`threat predictor: positionNodes must be 1 or 5, got ${String(o.positionNodes)}`);
  if (!Number.isInteger(o.refineSteps) || o.refineSteps < 0 || o.refineSteps > 30) throw new Error(`threat predictor: refineSteps must be an integer in [0, 30], got ${o.refineSteps}`);
}

/** Share of the label's sure distance that a jump uses: margin for the projection's scale error (< 1 % within 100 km). */
const JUMP_SAFETY = 0.9;

/** Extra steps a straight path may skip from a cell with label distance d: ⌊(d − 1)·cellM·safety/(s·Δt)⌋ − 1 ≥ 0. */
function jump(d: number, stepsPerCell: number): number {
  return d > 1 ? Math.max(0, Math.floor((d - 1) * stepsPerCell) - 1) : 0;
}

/** sin(x)/x, stable at 0. */
function sinc(x: number): number {
  return Math.abs(x) < 1e-4 ? 1 - (x * x) / 6 : Math.sin(x) / x;
}

/**
 * Creates a predictor for a fixed set of zones (they are indexed once).
 * Throws on a bad option or zone (the message names it and its value).
 */
export function createThreatPredictor(zones: readonly ThreatZone[], options: ThreatPredictorOptions = {}): ThreatPredictor {
  const o: Required<ThreatPredictorOptions> = { ...THREAT_DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  checkOptions(o);
  for (const z of zones) {
    if (z.leadS !== undefined && !(Number.isFinite(z.leadS) && z.leadS >= 0)) throw new Error(`threat predictor: zone ${JSON.stringify(z.id)} leadS must be a finite number >= 0, got ${z.leadS}`);
  }
  const index = createZoneIndex(zones);
  const nZones = zones.length;
  const leadOf = Float64Array.from(zones, (z) => z.leadS ?? o.leadS);
  const holdOf = Float64Array.from(leadOf, (l) => l + o.holdMarginS);
  // the urgent window never reaches past the zone's own lead time
  const imminentOf = Float64Array.from(leadOf, (l) => Math.min(l, o.imminentS));

  const pos = planeNodes(o.positionNodes);
  const zs = stratumNodes(o.speedNodes);
  const zh = stratumNodes(o.headingNodes);
  const zm = stratumNodes(o.manoeuvreNodes);
  // a member's heading change is ±|z|·σψ (unless the turn outlasts the horizon): its trigonometry
  const turnAbs = Float64Array.from(zm, (z) => Math.abs(z) * o.manoeuvreTurnSd);
  const turnSin = Float64Array.from(zm, (z) => Math.sin(z * o.manoeuvreTurnSd));
  const turnCos = Float64Array.from(zm, (z) => Math.cos(z * o.manoeuvreTurnSd));
  const halfSin = Float64Array.from(zm, (z) => Math.sin(0.5 * z * o.manoeuvreTurnSd));
  const halfCos = Float64Array.from(zm, (z) => Math.cos(0.5 * z * o.manoeuvreTurnSd));
  const halfSinc = Float64Array.from(zm, (z) => sinc(0.5 * z * o.manoeuvreTurnSd));
  const nPos = pos.length / 2;
  const product = o.positionDesign === 'product';
  const nRep = product ? nPos : 1;
  const M = nRep * zs.length * zh.length * zm.length;
  // members per position node (the Latin square balances them when the counts allow)
  const nodeMembers = new Float64Array(nPos);
  for (let rep = 0; rep < nRep; rep++) {
    for (let is = 0; is < zs.length; is++) for (let ih = 0; ih < zh.length; ih++) for (let im = 0; im < zm.length; im++) nodeMembers[product ? rep : (is + ih + 2 * im) % nPos]++;
  }
  const maxPos = Math.max(...Array.from(pos, Math.abs)) * Math.SQRT2;
  const maxVel = Math.hypot(Math.max(...Array.from(zs, Math.abs)), Math.max(...Array.from(zh, Math.abs)));

  const K = Math.ceil(o.horizonS / o.stepS - 1e-9);
  const stepTimes = new Float64Array(K + 1);
  for (let k = 0; k <= K; k++) stepTimes[k] = Math.min(k * o.stepS, o.horizonS);

  // per-report scratch, reused
  const nEnter = new Int32Array(nZones);
  const entryTimes = new Float64Array(Math.max(1, nZones * M));
  const touched = new Int32Array(nZones);
  const memberStamp = new Int32Array(nZones);
  let stamp = 0;
  const stats = { reports: 0, reportsSkipped: 0, points: 0, zoneChecks: 0 };

  // the index, flat, for the hot loop
  const F = index.flat;
  const gMinLon = F.grid[0];
  const gMinLat = F.grid[1];
  const gMaxLon = F.grid[2];
  const gMaxLat = F.grid[3];
  const gNx = F.gridNx;
  const gNy = F.gridNy;
  const gSx = F.gridSx;
  const gSy = F.gridSy;
  const cellStart = F.cellStart;
  const cellZones = F.cellZones;
  const rBox = F.rasterBox;
  const rNx = F.rasterNx;
  const rNy = F.rasterNy;
  const rSx = F.rasterSx;
  const rSy = F.rasterSy;
  const rCells = F.rasterCells;
  const labels = F.labels;
  const labelDist = F.labelDist;
  const lNx = F.labelNx;
  const lNy = F.labelNy;
  const lSx = F.labelSx;
  const lSy = F.labelSy;
  const labelCellM = F.labelCellM;
  const inZone = (z: number, lat: number, lon: number): boolean => {
    const b = 4 * z;
    if (!(lon >= rBox[b] && lon <= rBox[b + 2] && lat >= rBox[b + 1] && lat <= rBox[b + 3])) return false;
    const nx = rNx[z];
    const i = Math.min(nx - 1, Math.floor((lon - rBox[b]) * rSx[z]));
    const j = Math.min(rNy[z] - 1, Math.floor((lat - rBox[b + 1]) * rSy[z]));
    const st = rCells[z][j * nx + i];
    return st === CELL_INSIDE || (st === CELL_BOUNDARY && index.inZone(z, lat, lon));
  };

  /** {@link inZone} through the label raster first. */
  const inZoneLabelled = (z: number, lat: number, lon: number): boolean => {
    if (!(lon >= gMinLon && lon <= gMaxLon && lat >= gMinLat && lat <= gMaxLat)) return false;
    const label = labels[Math.min(lNy - 1, Math.floor((lat - gMinLat) * lSy)) * lNx + Math.min(lNx - 1, Math.floor((lon - gMinLon) * lSx))];
    return label === LABEL_MIXED ? inZone(z, lat, lon) : label === z;
  };

  /**
   * A member's path in closed form: start (e0, n0) m, speed s m/s, initial bearing b0 rad,
   * turn rate w rad/s held for T s, then straight from (eT, nT) on bearing b0 + wT.
   * Projection of the current report: lat0, lon0, kLat, kLon, cE2, cEN (see the module doc).
   */
  const P = new Float64Array(17);
  const E0 = 0, N0 = 1, S = 2, SB0 = 3, CB0 = 4, W = 5, T = 6, ET = 7, NT = 8, SINT = 9, COST = 10;
  const LAT0 = 11, LON0 = 12, KLAT = 13, KLON = 14, CE2 = 15, CEN = 16;
  const at = new Float64Array(2); // lat, lon
  const positionAt = (tau: number): void => {
    let e: number;
    let n: number;
    if (tau <= P[T]) {
      // (s/w)·sin x and (s/w)·(1 − cos x) for x = wτ, stable as w → 0
      const x = P[W] * tau;
      const A = P[S] * tau * sinc(x);
      const B = P[S] * tau * Math.sin(0.5 * x) * sinc(0.5 * x);
      e = P[E0] + P[SB0] * A + P[CB0] * B;
      n = P[N0] + P[CB0] * A - P[SB0] * B;
    } else {
      const d = P[S] * (tau - P[T]);
      e = P[ET] + d * P[SINT];
      n = P[NT] + d * P[COST];
    }
    at[0] = P[LAT0] + (n - P[CE2] * e * e) * P[KLAT];
    at[1] = P[LON0] + e * (1 + P[CEN] * n) * P[KLON];
  };

  const entriesOf = (report: TrackReportLike): MemberEntries => {
    stats.reports++;
    const p = report.position;
    const ve = report.velocityEnu[0];
    const vn = report.velocityEnu[1];
    const sdP = report.positionSd;
    const sdV = report.velocitySd ?? o.velocitySd;
    if (!(Number.isFinite(p.latDeg) && Number.isFinite(p.lonDeg) && Math.abs(p.latDeg) < 89.9)) throw new Error(`threat predictor: track ${report.trackId} position must be finite and off the poles, got ${p.latDeg}, ${p.lonDeg}`);
    if (!(Number.isFinite(ve) && Number.isFinite(vn))) throw new Error(`threat predictor: track ${report.trackId} velocity must be finite, got ${ve}, ${vn}`);
    if (!(sdP >= 0 && Number.isFinite(sdP))) throw new Error(`threat predictor: track ${report.trackId} positionSd must be finite and >= 0, got ${sdP}`);
    if (!(sdV >= 0 && Number.isFinite(sdV))) throw new Error(`threat predictor: track ${report.trackId} velocitySd must be finite and >= 0, got ${sdV}`);
    const vMax = report.maxSpeed ?? Infinity;
    if (!(vMax > 0)) throw new Error(`threat predictor: track ${report.trackId} maxSpeed must be a positive number or absent, got ${report.maxSpeed}`);
    if (nZones === 0) return NO_ENTRIES;

    const lat0 = p.latDeg;
    const lon0 = p.lonDeg;
    const phi = lat0 * DEG;
    const Mr = meridianRadius(phi);
    const Nr = primeVerticalRadius(phi);
    const tanP = Math.tan(phi);
    const kLat = 1 / (Mr * DEG);
    const kLon = 1 / (Nr * Math.cos(phi) * DEG);
    const cE2 = tanP / (2 * Nr);
    const cEN = tanP / Mr;
    P[LAT0] = lat0;
    P[LON0] = lon0;
    P[KLAT] = kLat;
    P[KLON] = kLon;
    P[CE2] = cE2;
    P[CEN] = cEN;
    const aE2 = Math.abs(cE2);
    const aEN = Math.abs(cEN);

    // reach: no member can leave this disc; skip the report when it meets no zone's box
    const speed = Math.hypot(ve, vn);
    const reach = (maxPos * sdP + Math.min(speed + maxVel * sdV, vMax) * o.horizonS) * 1.02 + 1;
    const dLat = (reach + aE2 * reach * reach) * kLat;
    const dLon = reach * (1 + aEN * reach) * kLon;
    if (!index.anyBoxOverlap(lon0 - dLon, lat0 - dLat, lon0 + dLon, lat0 + dLat)) {
      stats.reportsSkipped++;
      return NO_ENTRIES;
    }

    // along (u) and across (c, to the right) unit vectors
    let ue = 0;
    let un = 1;
    if (speed > 0) {
      ue = ve / speed;
      un = vn / speed;
    }
    const ce = un;
    const cn = -ue;
    const horizon = o.horizonS;

    let nTouched = 0;
    let points = 0;
    let checks = 0;
    /** The current member (in P) is first inside zone z at step k: its entry time, refined by bisection. */
    const record = (z: number, k: number): void => {
      memberStamp[z] = stamp;
      let entry = 0;
      if (k > 0) {
        // the previous step point was outside zone z
        let lo = stepTimes[k - 1];
        let hi = stepTimes[k];
        for (let r = 0; r < o.refineSteps; r++) {
          const mid = 0.5 * (lo + hi);
          positionAt(mid);
          if (inZoneLabelled(z, at[0], at[1])) hi = mid;
          else lo = mid;
        }
        entry = hi;
      }
      if (nEnter[z] === 0) touched[nTouched++] = z;
      entryTimes[z * M + nEnter[z]] = entry;
      nEnter[z]++;
    };
    const gE0 = (gMinLon - lon0) / kLon;
    const gE1 = (gMaxLon - lon0) / kLon;
    const gN0 = (gMinLat - lat0) / kLat;
    const gN1 = (gMaxLat - lat0) / kLat;
    for (let rep = 0; rep < nRep; rep++) {
      for (let is = 0; is < zs.length; is++) {
        for (let ih = 0; ih < zh.length; ih++) {
          const we = ve + sdV * (zs[is] * ue + zh[ih] * ce);
          const wn = vn + sdV * (zs[is] * un + zh[ih] * cn);
          const sw = Math.hypot(we, wn);
          // the member's speed: no faster than the track can fly (its bearing kept)
          const s = Math.min(sw, vMax);
          // sine and cosine of the initial bearing (clockwise from north)
          const sb0 = sw > 0 ? we / sw : ue;
          const cb0 = sw > 0 ? wn / sw : un;
          for (let im = 0; im < zm.length; im++) {
            // start offset: every position node with every other node (product), or one per
            // member by a Latin square over (heading, manoeuvre), shifted by the speed node
            const ip = product ? rep : (is + ih + 2 * im) % nPos;
            const pa = pos[2 * ip] * sdP;
            const pc = pos[2 * ip + 1] * sdP;
            const e0 = pa * ue + pc * ce;
            const n0 = pa * un + pc * cn;
            // the member's path: a turn of ±|z|·σψ at rate a/s (capped), then straight
            const a = zm[im] * o.manoeuvreAccelSd;
            let w = s > 0 ? a / s : a === 0 ? 0 : Math.sign(a) * Infinity;
            if (w > o.maxTurnRate) w = o.maxTurnRate;
            else if (w < -o.maxTurnRate) w = -o.maxTurnRate;
            let tTurn = w !== 0 ? turnAbs[im] / Math.abs(w) : 0;
            let sx = turnSin[im];
            let cx = turnCos[im];
            let sh = halfSin[im];
            let chh = halfCos[im];
            let chordF = halfSinc[im];
            if (tTurn > horizon) {
              tTurn = horizon;
              const x = w * tTurn;
              sx = Math.sin(x);
              cx = Math.cos(x);
              sh = Math.sin(0.5 * x);
              chh = Math.cos(0.5 * x);
              chordF = sinc(0.5 * x);
            }
            const chord = s * tTurn * chordF;
            const eT = e0 + chord * (sb0 * chh + cb0 * sh);
            const nT = n0 + chord * (cb0 * chh - sb0 * sh);
            const sinT = sb0 * cx + cb0 * sx;
            const cosT = cb0 * cx - sb0 * sx;
            // cull: a box around the path (the arc lies within s·T of its start)
            const dEnd = s * (horizon - tTurn);
            const eEnd = eT + dEnd * sinT;
            const nEnd = nT + dEnd * cosT;
            const arc = s * tTurn;
            const eMin = Math.min(e0 - arc, eEnd);
            const eMax = Math.max(e0 + arc, eEnd);
            const nMin = Math.min(n0 - arc, nEnd);
            const nMax = Math.max(n0 + arc, nEnd);
            const eAbs = Math.max(-eMin, eMax);
            const nAbs = Math.max(-nMin, nMax);
            const slackE = aEN * eAbs * nAbs;
            const slackN = aE2 * eAbs * eAbs;
            if (eMax + slackE < gE0 || eMin - slackE > gE1 || nMax + slackN < gN0 || nMin - slackN > gN1) continue;
            // the arc's points, when its disc may reach the grid's box
            let kArc = tTurn > 0 ? Math.min(K, Math.floor(tTurn / o.stepS)) : -1;
            if (kArc >= 0 && (e0 + arc + slackE < gE0 || e0 - arc - slackE > gE1 || n0 + arc + slackN < gN0 || n0 - arc - slackN > gN1)) kArc = -1;
            // the straight part, clipped to the τ interval in which it may be in the grid's box
            let tLo = tTurn;
            let tHi = horizon;
            const vE = s * sinT;
            const vN = s * cosT;
            if (vE !== 0) {
              const ta = tTurn + (gE0 - slackE - eT) / vE;
              const tb = tTurn + (gE1 + slackE - eT) / vE;
              tLo = Math.max(tLo, Math.min(ta, tb));
              tHi = Math.min(tHi, Math.max(ta, tb));
            } else if (eT < gE0 - slackE || eT > gE1 + slackE) tHi = -1;
            if (vN !== 0) {
              const ta = tTurn + (gN0 - slackN - nT) / vN;
              const tb = tTurn + (gN1 + slackN - nT) / vN;
              tLo = Math.max(tLo, Math.min(ta, tb));
              tHi = Math.min(tHi, Math.max(ta, tb));
            } else if (nT < gN0 - slackN || nT > gN1 + slackN) tHi = -1;
            // the first straight step is the first after the turn (its points before are on the arc)
            const kStraight = tTurn > 0 ? Math.floor(tTurn / o.stepS) + 1 : 0;
            const kLo = Math.max(kStraight, Math.floor(tLo / o.stepS));
            const kHi = tHi < tLo ? -1 : Math.min(K, Math.ceil(tHi / o.stepS));
            if (kArc < 0 && kHi < kLo) continue;
            if (++stamp >= 0x7fffffff) {
              memberStamp.fill(0);
              stamp = 1;
            }
            P[E0] = e0;
            P[N0] = n0;
            P[S] = s;
            P[SB0] = sb0;
            P[CB0] = cb0;
            P[W] = w;
            P[T] = tTurn;
            P[ET] = eT;
            P[NT] = nT;
            P[SINT] = sinT;
            P[COST] = cosT;
            // arc points by rotating the heading a step at a time: β_k = β₀ + k·w·Δt
            const rOverW = w !== 0 ? s / w : 0;
            const cd = kArc > 0 ? Math.cos(w * o.stepS) : 1;
            const sd = kArc > 0 ? Math.sin(w * o.stepS) : 0;
            let sb = sb0;
            let cb = cb0;
            // straight part: a point deep inside one label's region may jump ahead, as far as
            // the label is sure to hold (labelDist − 1 cells), on the step grid
            const jumpSteps = s > 0 ? (labelCellM * JUMP_SAFETY) / (s * o.stepS) : 0;
            for (let k = kArc >= 0 ? 0 : kLo; k <= kHi || k <= kArc; ) {
              if (k > kArc && k < kLo) k = kLo;
              const tau = stepTimes[k];
              let e: number;
              let n: number;
              if (k <= kArc) {
                if (k > 0) {
                  const t = sb * cd + cb * sd;
                  cb = cb * cd - sb * sd;
                  sb = t;
                }
                e = e0 + rOverW * (cb0 - cb);
                n = n0 + rOverW * (sb - sb0);
              } else {
                const d = s * (tau - tTurn);
                e = eT + d * sinT;
                n = nT + d * cosT;
              }
              const lat = lat0 + (n - cE2 * e * e) * kLat;
              const lon = lon0 + e * (1 + cEN * n) * kLon;
              points++;
              const kNow = k;
              k++;
              if (!(lon >= gMinLon && lon <= gMaxLon && lat >= gMinLat && lat <= gMaxLat)) continue;
              const li = Math.min(lNy - 1, Math.floor((lat - gMinLat) * lSy)) * lNx + Math.min(lNx - 1, Math.floor((lon - gMinLon) * lSx));
              const label = labels[li];
              if (label >= 0) {
                if (memberStamp[label] !== stamp) record(label, kNow);
                else if (kNow > kArc) k += jump(labelDist[li], jumpSteps);
                continue;
              }
              if (label === LABEL_NONE) {
                if (kNow > kArc) k += jump(labelDist[li], jumpSteps);
                continue;
              }
              // a mixed cell: the zones listed in the grid cell, exactly
              const c = Math.min(gNy - 1, Math.floor((lat - gMinLat) * gSy)) * gNx + Math.min(gNx - 1, Math.floor((lon - gMinLon) * gSx));
              const qEnd = cellStart[c + 1];
              for (let q = cellStart[c]; q < qEnd; q++) {
                const z = cellZones[q];
                if (memberStamp[z] === stamp) continue;
                checks++;
                if (inZone(z, lat, lon)) record(z, kNow);
              }
            }
          }
        }
      }
    }
    stats.points += points;
    stats.zoneChecks += checks;

    const list = touched.subarray(0, nTouched).sort();
    let total = 0;
    for (const z of list) total += nEnter[z];
    const zonesOut = Int32Array.from(list);
    const offsets = new Int32Array(list.length + 1);
    const times = new Float64Array(total);
    let o0 = 0;
    for (let i = 0; i < list.length; i++) {
      const z = list[i];
      const n = nEnter[z];
      offsets[i] = o0;
      times.set(entryTimes.subarray(z * M, z * M + n), o0);
      times.subarray(o0, o0 + n).sort();
      o0 += n;
      nEnter[z] = 0;
    }
    offsets[list.length] = o0;
    return { zones: zonesOut, offsets, times };
  };

  const summarise = (entries: MemberEntries, report: TrackReportLike, elapsedS: number): ZoneThreat[] => {
    if (!(elapsedS >= 0 && Number.isFinite(elapsedS))) throw new Error(`threat predictor: elapsed time must be finite and >= 0, got ${elapsedS}`);
    const out: ZoneThreat[] = [];
    const nz = entries.zones.length;
    if (nz === 0) return out;
    const p = report.position;
    if (!(Number.isFinite(p.latDeg) && Number.isFinite(p.lonDeg))) throw new Error(`threat predictor: track ${report.trackId} position must be finite, got ${p.latDeg}, ${p.lonDeg}`);
    const { zones: zi, offsets, times } = entries;
    for (let i = 0; i < nz; i++) {
      const z = zi[i];
      const lo = offsets[i];
      const hi = offsets[i + 1];
      const n = hi - lo;
      const inside = inZone(z, p.latDeg, p.lonDeg);
      // entry times less the elapsed time: a member that entered since (time <= elapsed) is inside now
      const mid = lo + ((n - 1) >> 1);
      const median = n % 2 === 1 ? times[mid] : 0.5 * (times[mid] + times[mid + 1]);
      const threat: ZoneThreat = {
        zone: zones[z].id,
        track: report.trackId,
        probability: n / M,
        leadProbability: countAtMost(times, lo, hi, leadOf[z] + elapsedS) / M,
        imminentProbability: countAtMost(times, lo, hi, imminentOf[z] + elapsedS) / M,
        holdProbability: countAtMost(times, lo, hi, holdOf[z] + elapsedS) / M,
        etaS: inside ? 0 : Math.max(0, median - elapsedS),
        etaMinS: Math.max(0, times[lo] - elapsedS),
        inside,
        insideProbability: countAtMost(times, lo, hi, elapsedS) / M,
      };
      if (report.threatProbability !== undefined) threat.threatProbability = report.threatProbability;
      if (report.maxSpeed !== undefined && Number.isFinite(report.maxSpeed)) threat.speedBoundMps = report.maxSpeed;
      out.push(threat);
    }
    return out;
  };

  const zonesAt = (position: GeoPoint): number[] => {
    const out: number[] = [];
    const lat = position.latDeg;
    const lon = position.lonDeg;
    if (!(lon >= gMinLon && lon <= gMaxLon && lat >= gMinLat && lat <= gMaxLat)) return out;
    const label = labels[Math.min(lNy - 1, Math.floor((lat - gMinLat) * lSy)) * lNx + Math.min(lNx - 1, Math.floor((lon - gMinLon) * lSx))];
    if (label >= 0) out.push(label);
    else if (label === LABEL_MIXED) {
      const c = Math.min(gNy - 1, Math.floor((lat - gMinLat) * gSy)) * gNx + Math.min(gNx - 1, Math.floor((lon - gMinLon) * gSx));
      for (let q = cellStart[c]; q < cellStart[c + 1]; q++) if (inZone(cellZones[q], lat, lon)) out.push(cellZones[q]);
      out.sort((a, b) => a - b);
    }
    return out;
  };

  const startShares = (report: TrackReportLike): { zones: number[]; shares: number[] } => {
    const p = report.position;
    const ve = report.velocityEnu[0];
    const vn = report.velocityEnu[1];
    const sdP = report.positionSd;
    if (!(Number.isFinite(p.latDeg) && Number.isFinite(p.lonDeg) && Math.abs(p.latDeg) < 89.9 && Number.isFinite(ve) && Number.isFinite(vn) && sdP >= 0 && Number.isFinite(sdP))) {
      throw new Error(`threat predictor: track ${report.trackId} needs a finite position off the poles, a finite velocity and positionSd >= 0`);
    }
    const phi = p.latDeg * DEG;
    const Mr = meridianRadius(phi);
    const Nr = primeVerticalRadius(phi);
    const kLat = 1 / (Mr * DEG);
    const kLon = 1 / (Nr * Math.cos(phi) * DEG);
    const cE2 = Math.tan(phi) / (2 * Nr);
    const cEN = Math.tan(phi) / Mr;
    const speed = Math.hypot(ve, vn);
    const ue = speed > 0 ? ve / speed : 0;
    const un = speed > 0 ? vn / speed : 1;
    const count = new Map<number, number>();
    for (let ip = 0; ip < nPos; ip++) {
      // as in the walk: the node's offset along (u) and across (c, to the right) the track
      const pa = pos[2 * ip] * sdP;
      const pc = pos[2 * ip + 1] * sdP;
      const e = pa * ue + pc * un;
      const n = pa * un - pc * ue;
      const at0 = { latDeg: p.latDeg + (n - cE2 * e * e) * kLat, lonDeg: p.lonDeg + e * (1 + cEN * n) * kLon, altM: 0 };
      for (const z of zonesAt(at0)) count.set(z, (count.get(z) ?? 0) + nodeMembers[ip]);
    }
    const zonesOut = [...count.keys()].sort((a, b) => a - b);
    return { zones: zonesOut, shares: zonesOut.map((z) => (count.get(z) as number) / M) };
  };

  return {
    options: Object.freeze({ ...o }),
    members: M,
    index,
    stats,
    predict: (report) => summarise(entriesOf(report), report, 0),
    entries: entriesOf,
    summarise,
    zonesAt,
    startShares,
  };
}
