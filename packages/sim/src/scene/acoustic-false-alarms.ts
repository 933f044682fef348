/**
 * Realistic acoustic false alarms (issue 13): the noises a microphone network hears that are
 * not drones, as episodes attached to the nodes ({@link AcousticModel.falseEpisodes}) and
 * turned into rows by `simulateAcoustic`. Four kinds:
 *
 * - `burst`: a short noise at one microphone (a gust, a passing car): 2-10 s, the source
 *   20-300 m away moving at 0-15 m/s; reported at every report time.
 * - `stationary`: a long noise at one microphone (a generator, a motorcycle idling): 2-15 min,
 *   the source fixed 30-500 m away; reported at 85 % of the report times.
 * - `road`: ground traffic on straight roads. The region has max(2, round(side / 8 km)) roads,
 *   each a straight line through a point in the middle 80 % of the region in a random
 *   direction; vehicles drive them end to end at 15-30 m/s, either way, starting uniformly in
 *   [t0 − transit, t1]. A microphone within its hearing distance of the road (a quarter of its
 *   range, clamped to 300-1,000 m) hears a vehicle while it is within that distance: one
 *   episode per microphone passed, so successive microphones along the road hear it in turn
 *   (a moving false source). Reported at 80 % of the report times; the bearing follows the
 *   vehicle, a few metres below the microphone.
 * - `correlated`: wind or thunder over several neighbouring microphones at once: an event at a
 *   uniform point of the region, radius 1.2-2.2 grid spacings (spacing = side / √nodes), 3-10 s;
 *   every microphone inside hears it, reported at 90 % of the report times; arrays give the
 *   direction of the event's centre with 25° of extra error (a diffuse source).
 *
 * Rate: `ratePerHour` is the number of false-alarm episodes a microphone hears per hour, all
 * kinds together, split evenly over the chosen kinds. For `burst` and `stationary` each node
 * draws its own Poisson number; for `road` the vehicles per road are set so that the episodes
 * over all microphones average the rate (microphones near roads hear far more, those far from
 * every road none); for `correlated` the number of events is the rate times the microphones
 * over the mean number of microphones an event covers.
 *
 * Class hints are not to be trusted: a share `owaHintShare` (default 0.3) of the episodes
 * (chosen per episode; per vehicle for roads, per event for correlated bursts) gives hints drawn
 * as for a real `piston_owa` drone; the others the uninformative hints of class-hints.ts
 * (`vehicle` for roads and stationary sources, `noise` otherwise).
 *
 * Streams (from the scene seed): `acoustic-false/burst/<id>`, `acoustic-false/stationary/<id>`,
 * `acoustic-false/road`, `acoustic-false/correlated`; the report draws of each node use
 * `acoustic/<id>/false-episodes`, so the nodes' other rows are unchanged.
 */
import { createEnuFrame, geodeticToEnu, type GeoPoint } from '@skywarden/core';
import { createRng, deriveSeed, type Rng } from './rng.js';
import { check } from './row-util.js';
import type { AcousticModel } from './sensors-acoustic.js';

export const ACOUSTIC_FALSE_KINDS = ['burst', 'stationary', 'road', 'correlated'] as const;
export type AcousticFalseKind = (typeof ACOUSTIC_FALSE_KINDS)[number];

/** One false-alarm episode at one node. */
export interface AcousticFalseEpisode {
  kind: AcousticFalseKind;
  /** Arrival times (s) between which the node hears it. */
  start: number;
  end: number;
  /** Probability that the node reports it at a report time in [start, end]. */
  pReport: number;
  /** The source relative to the node (ENU, m) at `tRef`, and its horizontal velocity (m/s). */
  tRef: number;
  e: number;
  n: number;
  u: number;
  ve: number;
  vn: number;
  /** Extra one-sigma bearing error (degrees) of array rows, on top of the node's. */
  extraBearingSdDeg: number;
  /** Its rows' class hints are drawn as for a piston one-way-attack drone. */
  owaHint: boolean;
  /** Source label (e.g. `road-2/v17`), for tests. */
  source: string;
}

/** Inputs of {@link addAcousticFalseAlarms}. */
export interface AcousticFalseAlarmOptions {
  seed: number;
  /** Centre of the square region the nodes cover. */
  origin: GeoPoint;
  /** Side of that region (m). */
  regionM: number;
  /** Simulated period (s since the Unix epoch). */
  t0: number;
  t1: number;
  /** False-alarm episodes a microphone hears per hour, all kinds together (> 0). */
  ratePerHour: number;
  /** Kinds to generate; default all four. */
  kinds?: readonly AcousticFalseKind[];
  /** Share of episodes whose class hints look like a piston one-way-attack drone, 0..1; default 0.3. */
  owaHintShare?: number;
}

const TWO_PI = 2 * Math.PI;
/** Height (m) of a microphone above a vehicle's noise source. */
const VEHICLE_DROP = 4;

const BURST = { dur: [2, 10] as const, p: 1 };
const STATIONARY = { dur: [120, 900] as const, p: 0.85 };
const ROAD = { speed: [15, 30] as const, p: 0.8 };
const CORRELATED = { dur: [3, 10] as const, radius: [1.2, 2.2] as const, p: 0.9 };

/** Hearing distance (m) of a node for ground traffic on a road. */
export function roadHearingM(m: AcousticModel): number {
  return Math.min(1000, Math.max(300, 0.25 * m.rangeMax));
}

/** Expected false rows per hour these episodes add to a node of report period `period` (nominal, for sensors.json). */
export function acousticEpisodeRowsPerHour(ratePerHour: number, kinds: readonly AcousticFalseKind[], period: number, meanRoadEpisodeS = 35): number {
  if (kinds.length === 0) return 0;
  const per = ratePerHour / kinds.length;
  let rows = 0;
  for (const k of kinds) {
    if (k === 'burst') rows += (per * ((BURST.dur[0] + BURST.dur[1]) / 2) * BURST.p) / period;
    else if (k === 'stationary') rows += (per * ((STATIONARY.dur[0] + STATIONARY.dur[1]) / 2) * STATIONARY.p) / period;
    else if (k === 'road') rows += (per * meanRoadEpisodeS * ROAD.p) / period;
    else rows += (per * ((CORRELATED.dur[0] + CORRELATED.dur[1]) / 2) * CORRELATED.p) / period;
  }
  return rows;
}

/**
 * The nodes with realistic false-alarm episodes attached (fresh node objects; see the module
 * comment). Deterministic for the seed. Throws a RangeError naming a bad option.
 */
export function addAcousticFalseAlarms(nodes: readonly AcousticModel[], opts: AcousticFalseAlarmOptions): AcousticModel[] {
  const kinds = opts.kinds ?? ACOUSTIC_FALSE_KINDS;
  const owaShare = opts.owaHintShare ?? 0.3;
  check(opts.ratePerHour >= 0 && Number.isFinite(opts.ratePerHour), `addAcousticFalseAlarms: ratePerHour must be >= 0, got ${opts.ratePerHour}`);
  check(owaShare >= 0 && owaShare <= 1, `addAcousticFalseAlarms: owaHintShare must be in [0, 1], got ${owaShare}`);
  check(opts.regionM > 0 && Number.isFinite(opts.regionM), `addAcousticFalseAlarms: regionM must be > 0, got ${opts.regionM}`);
  check(opts.t1 >= opts.t0, `addAcousticFalseAlarms: t1 must be >= t0, got ${opts.t0}, ${opts.t1}`);
  for (const k of kinds) check((ACOUSTIC_FALSE_KINDS as readonly string[]).includes(k), `addAcousticFalseAlarms: unknown kind ${String(k)}`);
  const { t0, t1 } = opts;
  const span = t1 - t0;
  const per = kinds.length > 0 ? opts.ratePerHour / kinds.length : 0;
  const frame = createEnuFrame(opts.origin);
  const pos = nodes.map((m) => geodeticToEnu(frame, m.position));
  const episodes: AcousticFalseEpisode[][] = nodes.map(() => []);
  const side = opts.regionM;
  const half = side / 2;

  // --- one-node kinds
  const local = (kind: 'burst' | 'stationary', conf: { dur: readonly [number, number]; p: number }): void => {
    nodes.forEach((m, i) => {
      const rng = createRng(deriveSeed(opts.seed, `acoustic-false/${kind}/${m.id}`));
      const [dLo, dHi] = conf.dur;
      const count = rng.poisson((per * (span + dHi)) / 3600);
      for (let j = 0; j < count; j++) {
        const start = t0 - dHi + rng.next() * (span + dHi);
        const dur = rng.uniform(dLo, dHi);
        const b = rng.next() * TWO_PI;
        const d = kind === 'burst' ? rng.uniform(20, 300) : rng.uniform(30, 500);
        const speed = kind === 'burst' ? rng.uniform(0, 15) : 0;
        const dir = rng.next() * TWO_PI;
        episodes[i].push({
          kind,
          start,
          end: start + dur,
          pReport: conf.p,
          tRef: start,
          e: d * Math.sin(b),
          n: d * Math.cos(b),
          u: -VEHICLE_DROP,
          ve: speed * Math.sin(dir),
          vn: speed * Math.cos(dir),
          extraBearingSdDeg: kind === 'stationary' ? 3 : 0,
          owaHint: rng.next() < owaShare,
          source: `${kind}/${m.id}/${j + 1}`,
        });
      }
    });
  };
  if (kinds.includes('burst')) local('burst', BURST);
  if (kinds.includes('stationary')) local('stationary', STATIONARY);

  // --- roads
  if (kinds.includes('road') && nodes.length > 0) {
    const rng: Rng = createRng(deriveSeed(opts.seed, 'acoustic-false/road'));
    const nRoads = Math.max(2, Math.round(side / 8000));
    const L = side * Math.SQRT2 + 2000; // long enough to cross the region
    const roads: { pe: number; pn: number; de: number; dn: number; near: { i: number; s: number; d: number; hear: number }[] }[] = [];
    let nearSum = 0;
    for (let r = 0; r < nRoads; r++) {
      const pe = rng.uniform(-0.4, 0.4) * side;
      const pn = rng.uniform(-0.4, 0.4) * side;
      const th = rng.next() * Math.PI;
      const de = Math.sin(th);
      const dn = Math.cos(th);
      const near: { i: number; s: number; d: number; hear: number }[] = [];
      for (let i = 0; i < nodes.length; i++) {
        const x = pos[i][0] - pe;
        const y = pos[i][1] - pn;
        const s = x * de + y * dn; // along the road
        const d = -x * dn + y * de; // signed offset
        const hear = roadHearingM(nodes[i]);
        if (Math.abs(d) < hear && Math.abs(s) < L / 2) near.push({ i, s, d, hear });
      }
      nearSum += near.length;
      roads.push({ pe, pn, de, dn, near });
    }
    const wanted = (per * nodes.length * span) / 3600;
    const perRoad = nearSum > 0 ? wanted / nearSum : 0;
    roads.forEach((road, r) => {
      // vehicles whose transit overlaps the period: start in [t0 − transit, t1]; the extra
      // transit time is added to the mean so that the rate holds over the period
      const nVeh = rng.poisson(perRoad * (1 + (L / 22.5) / Math.max(span, 1)));
      for (let v = 0; v < nVeh; v++) {
        const speed = rng.uniform(ROAD.speed[0], ROAD.speed[1]);
        const transit = L / speed;
        const start = t0 - transit + rng.next() * (span + transit);
        const sign = rng.next() < 0.5 ? 1 : -1;
        const owa = rng.next() < owaShare;
        // position along the road: s(t) = −sign·L/2 + sign·speed·(t − start)
        for (const nm of road.near) {
          const w = Math.sqrt(nm.hear * nm.hear - nm.d * nm.d) / speed;
          const tMid = start + (nm.s + (sign * L) / 2) / (sign * speed);
          const a = tMid - w;
          const b = tMid + w;
          if (b < t0 || a > t1) continue;
          // vehicle relative to the node at tMid: at the closest point, offset −d across the road
          const e = -nm.d * -road.dn; // across-road unit vector is (−dn, de); node is at +d
          const n = -nm.d * road.de;
          episodes[nm.i].push({
            kind: 'road',
            start: a,
            end: b,
            pReport: ROAD.p,
            tRef: tMid,
            e,
            n,
            u: -VEHICLE_DROP,
            ve: sign * speed * road.de,
            vn: sign * speed * road.dn,
            extraBearingSdDeg: 0,
            owaHint: owa,
            source: `road-${r + 1}/v${v + 1}`,
          });
        }
      }
    });
  }

  // --- correlated bursts over neighbours
  if (kinds.includes('correlated') && nodes.length > 0) {
    const rng: Rng = createRng(deriveSeed(opts.seed, 'acoustic-false/correlated'));
    const spacing = side / Math.sqrt(nodes.length);
    const [ra, rb] = CORRELATED.radius;
    const meanHits = Math.max(1, (Math.PI * spacing * spacing * (ra * ra + ra * rb + rb * rb)) / 3 / (spacing * spacing));
    const [dLo, dHi] = CORRELATED.dur;
    const nEvents = rng.poisson((per * nodes.length * (span + dHi)) / 3600 / meanHits);
    for (let k = 0; k < nEvents; k++) {
      const start = t0 - dHi + rng.next() * (span + dHi);
      const dur = rng.uniform(dLo, dHi);
      const ce = rng.uniform(-half, half);
      const cn = rng.uniform(-half, half);
      const radius = rng.uniform(ra, rb) * spacing;
      const owa = rng.next() < owaShare;
      for (let i = 0; i < nodes.length; i++) {
        const e = ce - pos[i][0];
        const n = cn - pos[i][1];
        if (Math.hypot(e, n) > radius) continue;
        episodes[i].push({
          kind: 'correlated',
          start,
          end: start + dur,
          pReport: CORRELATED.p,
          tRef: start,
          e,
          n,
          u: 0,
          ve: 0,
          vn: 0,
          extraBearingSdDeg: 25,
          owaHint: owa,
          source: `correlated/${k + 1}`,
        });
      }
    }
  }

  const extraRows = acousticEpisodeRowsPerHour(opts.ratePerHour, kinds, 1);
  return nodes.map((m, i) => {
    const list = episodes[i].sort((a, b) => a.start - b.start);
    return { ...m, falseEpisodes: list, falseEpisodeRowsPerHour: extraRows / m.period };
  });
}
