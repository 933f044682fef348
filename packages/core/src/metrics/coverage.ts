/**
 * Coverage of observable targets (issue 13, "Evaluate like an outsider"): how much of the time
 * in which the sensors saw a target the tracker held it, split by what saw it.
 *
 * Definitions (per true target, at every truth time t of the truth grid):
 * - observable: the target produced at least `minDetections` (2) detections in the window
 *   [t − `windowS`, t] (60 s), counted from the simulator's annotation (`sim_target`);
 * - covered: a track row at time t lies within `coverM` (2000 m) of the target horizontally;
 *   its error is the horizontal distance to the nearest such row;
 * - category: what observed it in that window, the first that applies of
 *   `cooperative` (any ADS-B / Remote ID report, or any detection carrying a cooperative
 *   `target`), `radar` (any radar plot, or a `position` / `range_bearing` report from a sensor
 *   that is neither an observer nor cooperative), `observers` (any report of a person with a
 *   phone, bearing or position: people are neither microphones nor direction finders, so their
 *   bearings are not counted as `bearings`), `mixed` (acoustic presence and bearings),
 *   `bearings` (only bearings: acoustic arrays, RF and EO direction finders), `presence` (only
 *   presence reports).
 *
 * Also: the missed share of observable target-seconds; id switches (the spec's definition,
 * from {@link scoreTracks}); false tracks: track rows farther than `coverM` from every true
 * target alive at their time, as a mean per time step (the distinct truth and track times from
 * the first to the last truth time) and scaled per 1,000 sensors; the time from a target's
 * first detection to its first covering track row (median and 90th percentile over the
 * targets that were covered after their first detection).
 *
 * Pure and deterministic; holds the inputs in memory (scenes of modest size).
 */
import { gospaPairs } from './gospa.js';
import { nearPairs } from './near-pairs.js';
import { scoreTracks, type ScoredPoint } from './score-tracks.js';

/** What a detection tells, for the coverage categories. */
export type CoverageEvidence = 'presence' | 'bearing' | 'observer' | 'radar' | 'cooperative';

/** The categories of observed target-seconds, in report order. */
export const COVERAGE_CATEGORIES = ['presence', 'bearings', 'mixed', 'observers', 'radar', 'cooperative'] as const;
export type CoverageCategory = (typeof COVERAGE_CATEGORIES)[number];

/** An annotated detection: its time, the true target that caused it (null or undefined: a false alarm) and its evidence. */
export interface CoverageDetection {
  t: number;
  target: string | null | undefined;
  evidence: CoverageEvidence;
}

/**
 * The evidence of a detection row from its `type`, its sensor's `kind` and whether it carries
 * a cooperative identity (`target`). See the module comment.
 */
export function coverageEvidence(type: string, sensorKind: string | undefined, cooperative = false): CoverageEvidence {
  const kind = sensorKind ?? '';
  if (cooperative || kind === 'adsb' || kind === 'remote_id') return 'cooperative';
  if (kind === 'radar') return 'radar';
  if (kind === 'observer') return 'observer';
  if (type === 'presence') return 'presence';
  if (type === 'bearing') return 'bearing';
  return 'radar';
}

export interface CoverageOptions {
  /** Look-back window for observability (s); default 60. */
  windowS?: number;
  /** Detections in the window that make a target observable; default 2. */
  minDetections?: number;
  /** A track row within this horizontal distance (m) covers a target; default 2000. */
  coverM?: number;
  /** Number of sensors, for false tracks per 1,000 sensors; default 1000 (the raw mean). */
  sensors?: number;
}

export interface CoverageCategoryStats {
  category: CoverageCategory;
  /** Observable target-seconds (truth rows) in the category, and those covered. */
  observable: number;
  covered: number;
  /** covered / observable (NaN when none). */
  coveredShare: number;
  /** Median and 90th percentile of the nearest covering track's horizontal error (m); NaN when none. */
  medianErrorM: number;
  p90ErrorM: number;
}

export interface CoverageScore {
  /** Per category, in {@link COVERAGE_CATEGORIES} order (all listed, empty ones with zeros). */
  categories: CoverageCategoryStats[];
  /** All truth rows scored, and targets. */
  truthRows: number;
  targets: number;
  /** Observable target-seconds over all categories, those covered, and the shares. */
  observable: number;
  covered: number;
  coveredShare: number;
  missedShare: number;
  medianErrorM: number;
  p90ErrorM: number;
  /** Truth rows that were not observable, and how many of them were covered anyway. */
  unobservable: number;
  unobservableCovered: number;
  /** Id switches as the spec defines them (GOSPA assignment), from {@link scoreTracks}. */
  idSwitches: number;
  /** Time steps counted for false tracks, false track rows, the mean per step, and per 1,000 sensors. */
  falseSteps: number;
  falseRows: number;
  falseTracksPerStep: number;
  falseTracksPer1000Sensors: number;
  sensors: number;
  /** Track ids whose every row was false. */
  falseOnlyTracks: number;
  /** Time from a target's first detection to its first covering track row (s). */
  timeToTrack: { detectedTargets: number; coveredTargets: number; medianS: number; p90S: number };
  /**
   * Observable GOSPA (issue 13's "observable GOSPA"; c = `coverM`, p = 2, α = 2): at every truth
   * time the spec's GOSPA assignment between all the targets alive and the track rows, with the
   * unobservable targets as "don't care": an observable target costs its assigned distance² or,
   * unassigned, c²/2; a track row assigned to no target costs c²/2; an unobservable target and
   * the track row assigned to it cost nothing (a track that holds a target between its reports is
   * not false, and a target nothing has heard is not missed). Means over the truth times (m; the
   * parts add in squares, as the spec's), and the mean counts of missed observable targets and of
   * false track rows.
   */
  observableGospa: { gospa: number; localisation: number; missed: number; false: number; meanMissedTargets: number; meanFalseTracks: number; times: number };
}

const key = (t: number): number => Math.round(t * 1000);

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

const EVIDENCE_INDEX: Record<CoverageEvidence, number> = { presence: 0, bearing: 1, observer: 2, radar: 3, cooperative: 4 };

function categoryOf(c: Int32Array): CoverageCategory {
  if (c[4] > 0) return 'cooperative';
  if (c[3] > 0) return 'radar';
  if (c[2] > 0) return 'observers';
  if (c[0] > 0 && c[1] > 0) return 'mixed';
  if (c[1] > 0) return 'bearings';
  return 'presence';
}

/**
 * Scores coverage (see the module comment). `truth` and `tracks` as for {@link scoreTracks}
 * (`id` the target or track id); any order.
 */
export function scoreCoverage(
  truth: readonly ScoredPoint[],
  detections: readonly CoverageDetection[],
  tracks: readonly ScoredPoint[],
  opts: CoverageOptions = {},
): CoverageScore {
  const windowS = opts.windowS ?? 60;
  const minDet = opts.minDetections ?? 2;
  const coverM = opts.coverM ?? 2000;
  const nSensors = opts.sensors ?? 1000;

  // detections per target, in time order
  const detOf = new Map<string, { t: number[]; e: number[] }>();
  const sortedDet = detections.filter((d) => d.target !== null && d.target !== undefined).slice().sort((a, b) => a.t - b.t);
  for (const d of sortedDet) {
    let g = detOf.get(d.target as string);
    if (!g) detOf.set(d.target as string, (g = { t: [], e: [] }));
    g.t.push(d.t);
    g.e.push(EVIDENCE_INDEX[d.evidence]);
  }

  // track rows by time
  const tracksAt = new Map<number, ScoredPoint[]>();
  for (const p of tracks) {
    const k = key(p.t);
    let g = tracksAt.get(k);
    if (!g) tracksAt.set(k, (g = []));
    g.push(p);
  }
  const truthSorted = truth.slice().sort((a, b) => a.t - b.t);
  const truthAt = new Map<number, ScoredPoint[]>();
  for (const p of truthSorted) {
    const k = key(p.t);
    let g = truthAt.get(k);
    if (!g) truthAt.set(k, (g = []));
    g.push(p);
  }

  interface TargetState {
    lo: number;
    hi: number;
    counts: Int32Array;
    firstCoveredT: number;
  }
  const state = new Map<string, TargetState>();
  const errs = new Map<CoverageCategory, number[]>();
  const obs = new Map<CoverageCategory, number>();
  const isObservable = new Uint8Array(truth.length);
  for (const c of COVERAGE_CATEGORIES) {
    errs.set(c, []);
    obs.set(c, 0);
  }
  const allErrs: number[] = [];
  let observable = 0;
  let covered = 0;
  let unobservable = 0;
  let unobservableCovered = 0;

  // the nearest track row to each truth row of its time, and which track rows have a truth row
  // within coverM: from the near pairs of each time (a grid: not every truth row against every row)
  const reach = coverM * (1 + 1e-12) + 1e-9;
  const bestOf = new Float64Array(truthSorted.length).fill(Infinity);
  const trackNearAt = new Map<number, Uint8Array>();
  // the spec's GOSPA assignment at each truth time (all targets alive): each truth row's assigned
  // distance (Infinity: none), and per time the first truth row and the track rows assigned to none
  const assignedD = new Float64Array(truthSorted.length).fill(Infinity);
  const gospaTimes: { from: number; to: number; unassignedTracks: number }[] = [];
  for (let i = 0; i < truthSorted.length; ) {
    const k = key(truthSorted[i].t);
    let j = i + 1;
    while (j < truthSorted.length && key(truthSorted[j].t) === k) j++;
    const es = tracksAt.get(k) ?? [];
    const nearTrack = new Uint8Array(es.length);
    trackNearAt.set(k, nearTrack);
    const pairs = nearPairs(truthSorted.slice(i, j), es, reach);
    const gT: number[] = [];
    const gE: number[] = [];
    const gD: number[] = [];
    for (let q = 0; q < pairs.a.length; q++) {
      const d = pairs.dist[q];
      if (!(d <= coverM)) continue;
      const a = i + pairs.a[q];
      if (d < bestOf[a]) bestOf[a] = d;
      nearTrack[pairs.b[q]] = 1;
      if (d < coverM) {
        gT.push(pairs.a[q]);
        gE.push(pairs.b[q]);
        gD.push(d);
      }
    }
    const g = gospaPairs(j - i, es.length, { truth: gT, est: gE, dist: gD }, coverM, 2);
    for (let q = 0; q < gT.length; q++) if (g.assignment[gT[q]] === gE[q] && gD[q] < assignedD[i + gT[q]]) assignedD[i + gT[q]] = gD[q];
    gospaTimes.push({ from: i, to: j, unassignedTracks: g.nFalse });
    i = j;
  }

  for (let ip = 0; ip < truthSorted.length; ip++) {
    const p = truthSorted[ip];
    let s = state.get(p.id);
    if (!s) state.set(p.id, (s = { lo: 0, hi: 0, counts: new Int32Array(5), firstCoveredT: NaN }));
    const g = detOf.get(p.id);
    if (g) {
      while (s.hi < g.t.length && g.t[s.hi] <= p.t + 1e-9) s.counts[g.e[s.hi++]]++;
      while (s.lo < s.hi && g.t[s.lo] < p.t - windowS - 1e-9) s.counts[g.e[s.lo++]]--;
    }
    const inWindow = s.hi - s.lo;
    const best = bestOf[ip];
    const isCovered = best <= coverM;
    if (isCovered && g && g.t.length > 0 && p.t >= g.t[0] - 1e-9 && Number.isNaN(s.firstCoveredT)) s.firstCoveredT = p.t;
    if (inWindow >= minDet) {
      observable++;
      isObservable[ip] = 1;
      const c = categoryOf(s.counts);
      obs.set(c, obs.get(c)! + 1);
      if (isCovered) {
        covered++;
        errs.get(c)!.push(best);
        allErrs.push(best);
      }
    } else {
      unobservable++;
      if (isCovered) unobservableCovered++;
    }
  }

  const categories: CoverageCategoryStats[] = COVERAGE_CATEGORIES.map((c) => {
    const e = errs.get(c)!.sort((a, b) => a - b);
    const o = obs.get(c)!;
    return { category: c, observable: o, covered: e.length, coveredShare: o > 0 ? e.length / o : NaN, medianErrorM: quantile(e, 0.5), p90ErrorM: quantile(e, 0.9) };
  });
  allErrs.sort((a, b) => a - b);

  // false tracks: every distinct truth or track time from the first to the last truth time
  let falseSteps = 0;
  let falseRows = 0;
  const trackRowsFalse = new Map<string, { rows: number; falseRows: number }>();
  if (truthSorted.length > 0) {
    const kFirst = key(truthSorted[0].t);
    const kLast = key(truthSorted[truthSorted.length - 1].t);
    const steps = new Set<number>();
    for (const k of truthAt.keys()) steps.add(k);
    for (const k of tracksAt.keys()) if (k >= kFirst && k <= kLast) steps.add(k);
    for (const k of steps) {
      falseSteps++;
      const nearTrack = trackNearAt.get(k);
      const rows = tracksAt.get(k) ?? [];
      for (let r = 0; r < rows.length; r++) {
        const es = rows[r];
        const near = nearTrack !== undefined && nearTrack[r] === 1;
        let c = trackRowsFalse.get(es.id);
        if (!c) trackRowsFalse.set(es.id, (c = { rows: 0, falseRows: 0 }));
        c.rows++;
        if (!near) {
          falseRows++;
          c.falseRows++;
        }
      }
    }
  }
  let falseOnlyTracks = 0;
  for (const c of trackRowsFalse.values()) if (c.rows > 0 && c.falseRows === c.rows) falseOnlyTracks++;
  const falseTracksPerStep = falseSteps > 0 ? falseRows / falseSteps : 0;

  // time to first track
  const latencies: number[] = [];
  let detectedTargets = 0;
  for (const [id, s] of state) {
    const g = detOf.get(id);
    if (!g || g.t.length === 0) continue;
    detectedTargets++;
    if (!Number.isNaN(s.firstCoveredT)) latencies.push(Math.max(0, s.firstCoveredT - g.t[0]));
  }
  latencies.sort((a, b) => a - b);

  // observable GOSPA (see CoverageScore.observableGospa)
  const half = (coverM * coverM) / 2;
  let sumG = 0;
  let sumL = 0;
  let sumM = 0;
  let sumF = 0;
  let sumNM = 0;
  let sumNF = 0;
  for (const tm of gospaTimes) {
    let loc = 0;
    let nMissed = 0;
    for (let a = tm.from; a < tm.to; a++) {
      if (isObservable[a] !== 1) continue;
      const d = assignedD[a];
      if (d < Infinity) loc += d * d;
      else nMissed++;
    }
    sumG += Math.sqrt(loc + half * (nMissed + tm.unassignedTracks));
    sumL += Math.sqrt(loc);
    sumM += Math.sqrt(half * nMissed);
    sumF += Math.sqrt(half * tm.unassignedTracks);
    sumNM += nMissed;
    sumNF += tm.unassignedTracks;
  }
  const nT = Math.max(gospaTimes.length, 1);
  const observableGospa = { gospa: sumG / nT, localisation: sumL / nT, missed: sumM / nT, false: sumF / nT, meanMissedTargets: sumNM / nT, meanFalseTracks: sumNF / nT, times: gospaTimes.length };

  const ids = scoreTracks(truth, tracks, coverM).idSwitches;
  return {
    categories,
    truthRows: truthSorted.length,
    targets: state.size,
    observable,
    covered,
    coveredShare: observable > 0 ? covered / observable : NaN,
    missedShare: observable > 0 ? 1 - covered / observable : NaN,
    medianErrorM: quantile(allErrs, 0.5),
    p90ErrorM: quantile(allErrs, 0.9),
    unobservable,
    unobservableCovered,
    idSwitches: ids,
    falseSteps,
    falseRows,
    falseTracksPerStep,
    falseTracksPer1000Sensors: nSensors > 0 ? (falseTracksPerStep * 1000) / nSensors : NaN,
    sensors: nSensors,
    falseOnlyTracks,
    timeToTrack: { detectedTargets, coveredTargets: latencies.length, medianS: quantile(latencies, 0.5), p90S: quantile(latencies, 0.9) },
    observableGospa,
  };
}
