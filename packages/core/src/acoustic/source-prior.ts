/**
 * How often a new acoustic track is a target in the air, a ground vehicle or a stationary
 * source: the prior of the rival hypotheses (rival-modes.ts), learnt from the tracks the network
 * has finished with, instead of one fixed prior for every world.
 *
 * The kinds' shares are the mixing weights of a mixture whose components are the three
 * hypotheses; each finished track gives its likelihood under each (its rivals' log
 * probabilities less the prior it was born with), and the weights are estimated by online EM
 * (Cappé & Moulines, "On-line expectation–maximization algorithm for latent data models",
 * JRSS B 71(3), 2009): the track's responsibilities under the current weights are added to
 * Dirichlet pseudo-counts that start at the fixed prior. A network whose one-node runs mostly
 * turn out to be generators learns to expect generators, one whose runs mostly fly on to the
 * next microphone learns to expect drones. Each kind keeps at least `floor` of the mass, so no
 * hypothesis is ever ruled out before its evidence is heard.
 */
import { MODE_PRIOR } from './rival-modes.js';

export interface SourcePriorOptions {
  /** Pseudo-count of the starting prior (its weight in tracks). Default 20. */
  pseudoCount?: number;
  /** Least share of each kind. Default 0.05. */
  floor?: number;
}

export interface SourcePrior {
  /** The prior probabilities of the three kinds (air, ground vehicle, stationary) now, for a track born as `stratum` says ({@link SOURCE_STRATA}). */
  prior(stratum: SourceStratum): readonly [number, number, number];
  /**
   * A finished track's log likelihood of each kind (up to a constant): adds its responsibilities
   * under the current prior. Non-finite entries (a kind that cannot explain it) count as
   * impossible; a track no kind explains teaches nothing.
   */
  learn(stratum: SourceStratum, logLik: ArrayLike<number>): void;
  /** Tracks learnt from (all strata). */
  readonly tracks: number;
}

/**
 * How a track was born, which sets what it is likely to be: from one node's run (where a
 * generator or a road's traffic starts its tracks), from several nodes at once (a source heard
 * kilometres apart at once is rarely on the ground), or handed back by the precise sensors. Each
 * has its own prior.
 */
export const SOURCE_STRATA = ['one node', 'several nodes', 'handed back'] as const;
export type SourceStratum = 0 | 1 | 2;

export function createSourcePrior(o: SourcePriorOptions = {}): SourcePrior {
  const pseudo = o.pseudoCount ?? 20;
  const floor = o.floor ?? 0.05;
  if (!(pseudo > 0)) throw new Error(`pseudoCount must be positive, got ${pseudo}`);
  if (!(floor >= 0 && floor < 1 / 3)) throw new Error(`floor must be in [0, 1/3), got ${floor}`);
  const alphas = SOURCE_STRATA.map(() => MODE_PRIOR.map((p) => p * pseudo));
  let n = 0;
  const cached: [number, number, number][] = SOURCE_STRATA.map(() => [MODE_PRIOR[0], MODE_PRIOR[1], MODE_PRIOR[2]]);
  const recompute = (q: SourceStratum) => {
    const alpha = alphas[q];
    const s = alpha[0] + alpha[1] + alpha[2];
    const p = alpha.map((a) => Math.max(floor, a / s));
    const t = p[0] + p[1] + p[2];
    cached[q] = [p[0] / t, p[1] / t, p[2] / t];
  };
  return {
    prior: (q) => cached[q],
    learn(q, logLik) {
      if (logLik.length !== 3) throw new Error(`logLik must have 3 entries, got ${logLik.length}`);
      let max = -Infinity;
      for (let k = 0; k < 3; k++) {
        const v = logLik[k];
        if (Number.isNaN(v)) return;
        if (v > max) max = v;
      }
      if (!(max > -Infinity) || max === Infinity) return;
      const r = [0, 0, 0];
      let s = 0;
      for (let k = 0; k < 3; k++) {
        r[k] = cached[q][k] * Math.exp(logLik[k] - max);
        s += r[k];
      }
      for (let k = 0; k < 3; k++) alphas[q][k] += r[k] / s;
      n++;
      recompute(q);
    },
    get tracks() {
      return n;
    },
  };
}
