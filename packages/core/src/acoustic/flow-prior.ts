/**
 * A prior on the heading of a new acoustic track, learnt from the tracks of the same raid.
 *
 * One microphone that hears a drone says where it is (its disc) but not where it goes: a
 * cloud seeded with headings uniform on the circle becomes a ring as soon as the drone leaves
 * the disc, and its mean stays at the microphone, where the drone is not. Drones of one raid
 * are not independent, though: they share launch areas, corridors and targets (Shahed-type
 * waves fly the same routes within tens of minutes), so the headings that the raid's other
 * tracks flew nearby and recently are evidence for a new track's heading. This is an
 * empirical Bayes prior (the hierarchical model's population of headings estimated from the
 * tracks held), a mixture of
 * - a uniform share, never below `minUniform` (a drone on another route must still be
 *   found: the particles drawn from it are the ones its reports then keep), and
 * - one wrapped-Gaussian component per track seen within about `lengthScale` m and
 *   `memory` s whose speed lies in the class's band and whose heading is known to better
 *   than `maxHeadingSd`, weighted by a Gaussian kernel in distance and an exponential decay
 *   in age; its spread is the raid's own spread of headings about a route (`routeSd`)
 *   and the track's heading uncertainty.
 * The flow's share is π · W / (W + 1) for a summed kernel weight W (few tracks nearby: a
 * small share), capped at 1 − minUniform. π, the share of the raid's drones that follow the
 * flow where they are, is learnt from the raid itself: each track, when its heading first
 * becomes known, is scored by the flow its neighbours gave at its place (density f) against
 * a uniform heading (1 / 2π); its responsibility π f / (π f + (1 − π) / 2π) feeds π's running
 * mean (a Beta(1, 1) start: π = 1/2 before any track). A raid on one axis learns π near 1; drones
 * from every direction, whose neighbours' headings say little, learn a small π, and the prior
 * then stays close to uniform.
 *
 * Only tracks whose motion says they are of the class feed it (speed in the band, confirmed,
 * not coasting, for a cloud heard by three nodes or more and not a ground vehicle or a
 * stationary source by its rival hypotheses), never class hints: a cloud that one or two
 * nodes heard still flies the prior's heading, and feeding it back would only confirm the
 * prior.
 */
import type { Track } from '../tracker/track.js';
import { wrapPi } from '../geo/angles.js';
import { airProbability } from './rival-modes.js';

export interface HeadingComponent {
  /** Heading (rad, clockwise from north, tracker frame). */
  heading: number;
  /** One-sigma (rad). */
  sd: number;
  /** Share of the whole prior (the components and `uniform` sum to 1). */
  weight: number;
}

export interface HeadingPrior {
  /** Share of headings drawn uniformly on the circle. */
  uniform: number;
  components: HeadingComponent[];
}

export interface FlowPriorOptions {
  /** Kernel length (m): a track this far away counts e^{-1/2} of one at the point. Default 30,000 (a corridor's width is tens of km). */
  lengthScale?: number;
  /** A track's sample counts e^{-age/memory}; samples older than 3 × memory are forgotten. Default 600 s. */
  memory?: number;
  /** Spread of the raid's headings about a shared route (rad). Default 0.35 (20°). */
  routeSd?: number;
  /** Tracks whose heading is less certain than this (rad) do not feed the prior. Default 0.5. */
  maxHeadingSd?: number;
  /** The uniform share never falls below this. Default 0.1. */
  minUniform?: number;
  /** Speeds (m/s) of the class: tracks outside [0.8 min, 1.25 max] do not feed the prior. */
  speedBand: readonly [number, number];
  /** A cloud track that its rival hypotheses give less than this probability of being in the air does not feed it. Default 0.5. */
  minAir?: number;
}

interface Sample {
  t: number;
  x: number;
  y: number;
  heading: number;
  sd: number;
}

export interface FlowPrior {
  /** Takes the headings of the tracks held at time t (each track's latest sample replaces its earlier one). */
  observe(t: number, tracks: readonly Track[]): void;
  /** The heading prior at (x, y) and time t, or null when no track feeds it (headings uniform). */
  prior(x: number, y: number, t: number): HeadingPrior | null;
  /** Number of tracks remembered. */
  readonly size: number;
  /** The learnt share of drones that follow the flow (π). */
  readonly follow: number;
}

/** Heading (rad) and its one-sigma (rad) of a horizontal velocity with covariance [pxx pxy; pxy pyy]. */
export function headingOf(vx: number, vy: number, pxx: number, pxy: number, pyy: number): { heading: number; sd: number; speed: number } {
  const speed = Math.hypot(vx, vy);
  const heading = Math.atan2(vx, vy);
  if (speed === 0) return { heading, sd: Infinity, speed };
  // the velocity's variance across its direction, over the speed squared
  const ux = Math.cos(heading);
  const uy = -Math.sin(heading);
  const cross = ux * ux * pxx + 2 * ux * uy * pxy + uy * uy * pyy;
  return { heading, sd: Math.sqrt(Math.max(0, cross)) / speed, speed };
}

export function createFlowPrior(o: FlowPriorOptions): FlowPrior {
  const L = o.lengthScale ?? 30000;
  const memory = o.memory ?? 600;
  const routeSd = o.routeSd ?? 0.35;
  const maxSd = o.maxHeadingSd ?? 0.5;
  const minUniform = o.minUniform ?? 0.1;
  const minAir = o.minAir ?? 0.5;
  const vLo = 0.8 * o.speedBand[0];
  const vHi = 1.25 * o.speedBand[1];
  if (!(L > 0 && memory > 0 && routeSd > 0 && maxSd > 0 && minUniform >= 0 && minUniform <= 1)) throw new Error('flow prior: lengthScale, memory, routeSd and maxHeadingSd must be > 0 and minUniform in [0, 1]');
  const samples = new Map<string, Sample>();
  const reach2 = (3 * L) ** 2;
  /** Tracks already scored for π, and π's running sums (a Beta(1, 1) start). */
  const scored = new Set<string>();
  let follows = 1;
  let scoredN = 2;
  /** π: the share of drones that follow the flow, as learnt so far. */
  const follow = () => follows / scoredN;

  /** The neighbours' components at (x, y, t), weights unnormalised, leaving out track `skip`. */
  function neighbours(x: number, y: number, t: number, skip: string | null): { comps: HeadingComponent[]; total: number } {
    const comps: HeadingComponent[] = [];
    let total = 0;
    for (const [id, s] of samples) {
      if (id === skip) continue;
      const age = t - s.t;
      if (age > 3 * memory) continue;
      const d2 = (s.x - x) ** 2 + (s.y - y) ** 2;
      if (d2 > reach2) continue;
      const w = Math.exp(-d2 / (2 * L * L) - Math.max(0, age) / memory);
      if (!(w > 1e-6)) continue;
      comps.push({ heading: s.heading, sd: Math.hypot(routeSd, s.sd), weight: w });
      total += w;
    }
    return { comps, total };
  }

  /** Scores a track whose heading just became known: how well its neighbours' flow predicted it (updates π). */
  function score(id: string, s: Sample): void {
    scored.add(id);
    const { comps, total } = neighbours(s.x, s.y, s.t, id);
    if (total < 0.2) return; // no flow to judge by
    let f = 0;
    for (const c of comps) f += (c.weight / total) * wrappedNormal(s.heading - c.heading, c.sd);
    const pi = follow();
    const r = (pi * f) / (pi * f + (1 - pi) / (2 * Math.PI));
    follows += r;
    scoredN += 1;
  }

  return {
    get size() {
      return samples.size;
    },
    observe(t, tracks) {
      for (const [id, s] of samples) if (t - s.t > 3 * memory) samples.delete(id);
      for (const tr of tracks) {
        // confirmed tracks only: a coasting track's state is a prediction (a cloud's time moves
        // on with every silence), not a heading something measured
        if (tr.status !== 'confirmed' || tr.cooperativeId !== undefined) continue;
        if (tr.cloud) {
          // a cloud heard by one or two nodes flies the heading the prior gave it (a second
          // node's report says little of the heading): it must not feed the prior it came from
          if (tr.sensors.size < 3) continue;
          if (tr.cloud.rivals && airProbability(tr.cloud.rivals) < minAir) continue;
        }
        const p = tr.p;
        const h = headingOf(tr.x[3], tr.x[4], p[21], p[22], p[28]);
        if (!(h.speed >= vLo && h.speed <= vHi && h.sd <= maxSd)) continue;
        const sample = { t: tr.t, x: tr.x[0], y: tr.x[1], heading: h.heading, sd: h.sd };
        if (!scored.has(tr.id)) score(tr.id, sample);
        samples.set(tr.id, sample);
      }
      for (const id of scored) if (!samples.has(id)) scored.delete(id);
    },
    get follow() {
      return follow();
    },
    prior(x, y, t) {
      const { comps, total } = neighbours(x, y, t, null);
      if (total === 0) return null;
      const share = Math.min(1 - minUniform, (follow() * total) / (total + 1));
      for (const c of comps) c.weight = (share * c.weight) / total;
      return { uniform: 1 - share, components: comps };
    },
  };
}

/** Density (1/rad) of a Gaussian of one-sigma `sd` wrapped on the circle, at angle difference d. */
export function wrappedNormal(d: number, sd: number): number {
  const a = wrapPi(d);
  let sum = 0;
  for (let k = -2; k <= 2; k++) {
    const z = (a + 2 * Math.PI * k) / sd;
    sum += Math.exp(-0.5 * z * z);
  }
  return sum / (sd * Math.sqrt(2 * Math.PI));
}

/** Draws a heading (rad) from a prior with the uniform draw `u1`, the component draw `u2` and a standard normal `g`. */
export function drawHeading(prior: HeadingPrior | null | undefined, u1: number, u2: number, g: number): number {
  if (!prior || u1 < prior.uniform) return 2 * Math.PI * u2;
  let acc = prior.uniform;
  for (const c of prior.components) {
    acc += c.weight;
    if (u1 < acc) return c.heading + c.sd * g;
  }
  const last = prior.components[prior.components.length - 1];
  return last.heading + last.sd * g;
}
