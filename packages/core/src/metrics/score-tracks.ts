/**
 * Track scoring per spec/interchange.md "Scoring": at every truth time, GOSPA (c, p,
 * alpha = 2) between the true targets alive then and the track rows at that time, with
 * horizontal distances; means over time; for each true target the number of times the track
 * assigned to it changes id; and how many targets were ever tracked.
 */
import { horizontalDistance } from '../geo/index.js';
import type { GeoPoint } from '../types.js';
import { gospa } from './gospa.js';

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
  /** Median and 95th percentile of the assigned pairs' horizontal error (m). */
  medianError: number;
  p95Error: number;
  /** Sum over targets of track id changes. */
  idSwitches: number;
  /** Targets with at least one assigned track row, and all targets. */
  targetsTracked: number;
  targets: number;
  /** Per time: t and GOSPA, for plots. */
  series: { t: number; gospa: number; localisation: number; missed: number; false: number }[];
  /** All assigned pair errors (m), for histograms. */
  errors: number[];
}

/** Metres per degree of latitude, roughly (only used to screen far pairs). */
const M_PER_DEG = 111320;

function groupByTime(points: readonly ScoredPoint[]): Map<number, ScoredPoint[]> {
  const m = new Map<number, ScoredPoint[]>();
  for (const p of points) {
    let g = m.get(p.t);
    if (!g) m.set(p.t, (g = []));
    g.push(p);
  }
  return m;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

/** Scores tracks against truth. Track rows are matched to truth rows of the same time `t`. */
export function scoreTracks(truth: readonly ScoredPoint[], tracks: readonly ScoredPoint[], c = 2000, p = 2): TrackScore {
  const truthAt = groupByTime(truth);
  const tracksAt = groupByTime(tracks);
  const times = Array.from(truthAt.keys()).sort((a, b) => a - b);
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
  const errors: number[] = [];
  const series: TrackScore['series'] = [];
  for (const t of times) {
    const tr = truthAt.get(t) ?? [];
    const es = tracksAt.get(t) ?? [];
    for (const x of tr) targets.add(x.id);
    const dist = new Float64Array(tr.length * es.length);
    for (let i = 0; i < tr.length; i++) {
      const a = tr[i].position;
      const kx = Math.cos((a.latDeg * Math.PI) / 180) * M_PER_DEG;
      for (let j = 0; j < es.length; j++) {
        const b = es[j].position;
        // a quick equirectangular distance (good to well under 1% at these scales) screens out
        // pairs far beyond c, whose exact value cannot matter; the rest get the geodesic
        let dl = b.lonDeg - a.lonDeg;
        if (dl > 180) dl -= 360;
        else if (dl < -180) dl += 360;
        const approx = Math.hypot(dl * kx, (b.latDeg - a.latDeg) * M_PER_DEG);
        dist[i * es.length + j] = approx > 2 * c ? approx : horizontalDistance(a, b);
      }
    }
    const g = gospa(dist, tr.length, es.length, c, p);
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
      errors.push(dist[i * es.length + j]);
      const target = tr[i].id;
      tracked.add(target);
      const prev = lastTrackOf.get(target);
      if (prev !== undefined && prev !== es[j].id) idSwitches++;
      lastTrackOf.set(target, es[j].id);
    }
  }
  const n = Math.max(times.length, 1);
  const sorted = errors.slice().sort((a, b) => a - b);
  const rms = errors.length > 0 ? Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length) : NaN;
  return {
    times: times.length,
    gospa: sumG / n,
    localisation: sumL / n,
    missed: sumM / n,
    false: sumF / n,
    meanMissedTargets: sumNM / n,
    meanFalseTracks: sumNF / n,
    rmsError: rms,
    medianError: quantile(sorted, 0.5),
    p95Error: quantile(sorted, 0.95),
    idSwitches,
    targetsTracked: tracked.size,
    targets: targets.size,
    series,
    errors,
  };
}
