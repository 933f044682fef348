/**
 * Track scoring per spec/interchange.md "Scoring": at every truth time, GOSPA (c, p,
 * alpha = 2) between the true targets alive then and the track rows at that time, with
 * horizontal distances; means over time; for each true target the number of times the track
 * assigned to it changes id; and how many targets were ever tracked.
 */
import type { GeoPoint } from '../types.js';
import { gospaPairs } from './gospa.js';
import { nearPairs } from './near-pairs.js';

export interface ScoredPoint {
  t: number;
  /** Target id (truth) or track id (estimate). */
  id: string;
  position: GeoPoint;
}

export interface TrackScore {
  /** Number of truth times scored. */
  times: number;
  /** Means over the truth times (m). */
  gospa: number;
  localisation: number;
  missed: number;
  false: number;
  /** Mean number of missed targets and false tracks per time. */
  meanMissedTargets: number;
  meanFalseTracks: number;
  /** Root mean square horizontal error over assigned pairs (m). */
  rmsError: number;
  /** Median and 95th percentile of the assigned pairs' horizontal error (m): exact when the
   *  errors are kept, else the middle of their 1 m histogram bin. */
  medianError: number;
  p95Error: number;
  /** Sum over targets of track id changes. */
  idSwitches: number;
  /** Targets with at least one assigned track row, and all targets. */
  targetsTracked: number;
  targets: number;
  /** Per time: t and GOSPA, for plots. */
  series: { t: number; gospa: number; localisation: number; missed: number; false: number }[];
  /** All assigned pair errors (m), when kept (`scoreTracks` keeps them). */
  errors: number[];
  /** Count of assigned pairs per 1 m error bin, 0 .. c (the last bin holds c and beyond). */
  errorHistogram: Float64Array;
}

function groupByTime(points: readonly ScoredPoint[]): Map<number, ScoredPoint[]> {
  const m = new Map<number, ScoredPoint[]>();
  for (const p of points) {
    let g = m.get(p.t);
    if (!g) m.set(p.t, (g = []));
    g.push(p);
  }
  return m;
}

/**
 * Incremental scorer: feed it the truth and the track rows of one time after another (any
 * time order), then read the result. Memory stays bounded: per-target state and a histogram
 * of errors (1 m bins up to c), not the rows.
 */
export interface TrackScorer {
  addTime(t: number, truth: readonly ScoredPoint[], tracks: readonly ScoredPoint[]): void;
  result(): TrackScore;
}

export function createTrackScorer(c = 2000, p = 2, keepErrors = false): TrackScorer {
  const lastTrackOf = new Map<string, string>();
  const tracked = new Set<string>();
  const targets = new Set<string>();
  let idSwitches = 0;
  let sumG = 0;
  let sumL = 0;
  let sumM = 0;
  let sumF = 0;
  let sumNM = 0;
  let sumNF = 0;
  let times = 0;
  let nErr = 0;
  let sumErr2 = 0;
  let minErr = Infinity;
  let maxErr = -Infinity;
  const hist = new Float64Array(Math.ceil(c) + 1);
  const errors: number[] = [];
  const series: TrackScore['series'] = [];
  return {
    addTime(t, tr, es) {
      times++;
      for (const x of tr) targets.add(x.id);
      // only the pairs closer than c matter (farther ones are never assigned): found through a
      // grid, so memory and time grow with the rows and the near pairs, not their product
      let near;
      let g;
      try {
        near = nearPairs(tr, es, c);
        g = gospaPairs(tr.length, es.length, { truth: near.a, est: near.b, dist: near.dist }, c, p);
      } catch (e) {
        throw new Error(`at t = ${t} (${tr.length} truth rows, ${es.length} track rows): ${(e as Error).message}`);
      }
      const errOf = new Float64Array(tr.length).fill(Infinity);
      for (let k = 0; k < near.a.length; k++) {
        const i = near.a[k];
        if (near.b[k] === g.assignment[i] && near.dist[k] < errOf[i]) errOf[i] = near.dist[k];
      }
      sumG += g.gospa;
      sumL += g.localisation;
      sumM += g.missed;
      sumF += g.false;
      sumNM += g.nMissed;
      sumNF += g.nFalse;
      series.push({ t, gospa: g.gospa, localisation: g.localisation, missed: g.missed, false: g.false });
      for (let i = 0; i < tr.length; i++) {
        const j = g.assignment[i];
        if (j < 0) continue;
        const e = errOf[i];
        nErr++;
        sumErr2 += e * e;
        if (e < minErr) minErr = e;
        if (e > maxErr) maxErr = e;
        hist[Math.min(hist.length - 1, Math.floor(e))]++;
        if (keepErrors) errors.push(e);
        const target = tr[i].id;
        tracked.add(target);
        const prev = lastTrackOf.get(target);
        if (prev !== undefined && prev !== es[j].id) idSwitches++;
        lastTrackOf.set(target, es[j].id);
      }
    },
    result() {
      const n = Math.max(times, 1);
      const sorted = keepErrors ? errors.slice().sort((a, b) => a - b) : null;
      const quantile = (q: number): number => {
        if (nErr === 0) return NaN;
        if (sorted) return sorted[Math.min(nErr - 1, Math.max(0, Math.round(q * (nErr - 1))))];
        const want = q * (nErr - 1);
        let acc = 0;
        // a 1 m bin's middle, within the errors seen (every error 0 m gave a median of 0.5 m
        // beside an rms of 0)
        const within = (v: number) => Math.min(maxErr, Math.max(minErr, v));
        for (let b = 0; b < hist.length; b++) {
          acc += hist[b];
          if (acc > want) return within(b + 0.5);
        }
        return within(hist.length - 0.5);
      };
      series.sort((a, b) => a.t - b.t);
      return {
        times,
        gospa: sumG / n,
        localisation: sumL / n,
        missed: sumM / n,
        false: sumF / n,
        meanMissedTargets: sumNM / n,
        meanFalseTracks: sumNF / n,
        rmsError: nErr > 0 ? Math.sqrt(sumErr2 / nErr) : NaN,
        medianError: quantile(0.5),
        p95Error: quantile(0.95),
        idSwitches,
        targetsTracked: tracked.size,
        targets: targets.size,
        series,
        errors,
        errorHistogram: hist,
      };
    },
  };
}

/**
 * Scores tracks against truth (spec/interchange.md, Scoring). Track rows are matched to the
 * truth rows of the same time `t`; times are taken in ascending order.
 */
export function scoreTracks(truth: readonly ScoredPoint[], tracks: readonly ScoredPoint[], c = 2000, p = 2): TrackScore {
  const truthAt = groupByTime(truth);
  const tracksAt = groupByTime(tracks);
  const scorer = createTrackScorer(c, p, true);
  for (const t of Array.from(truthAt.keys()).sort((a, b) => a - b)) scorer.addTime(t, truthAt.get(t) ?? [], tracksAt.get(t) ?? []);
  return scorer.result();
}
