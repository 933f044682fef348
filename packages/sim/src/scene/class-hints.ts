/**
 * Class hints (the `class` field of a detection row: label to probability) as an acoustic
 * classifier or a person would give them.
 *
 * Model for a true target of class c:
 * - The hint's top label is c with probability `accuracy` (default 0.85); otherwise it is one of
 *   c's confusers (below), picked uniformly: the classifier is wrong but plausibly so.
 * - The top label gets a confidence w drawn uniformly from `confidence` (default [0.5, 0.85]);
 *   the remaining 1 − w is split over the other labels of c's family (c and its confusers,
 *   less the top label) in proportions drawn uniformly at random.
 *
 * Confusers by sound and look: a piston one-way-attack drone (a two-stroke engine, "moped in the
 * sky") is confused with small fixed-wing aircraft, multirotors and helicopters; a jet drone with
 * cruise missiles and aircraft; a helicopter with multirotors and piston drones; an aircraft with
 * jet drones and helicopters. Labels without an entry are confused with `clutter`.
 *
 * False alarms get an uninformative hint ({@link falseAlarmClassHint}): random weights over
 * clutter and the common drone-like labels (`noise`: weights uniform in [0.5, 1] over six
 * labels, so no label gets more than 1/3.5 ≈ 0.29), or, for a
 * ground vehicle passing a microphone (`vehicle`), a hint that leans to `clutter` but gives a
 * piston drone a real share (a motorbike sounds like a Shahed).
 *
 * Probabilities are rounded down to 3 decimals, so each is in [0, 1] and they sum to at most 1.
 */
import type { Rng } from './rng.js';

/** Plausible confusions per true class label (see the module comment). */
export const CLASS_CONFUSERS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  piston_owa: ['fixed_wing_small', 'multirotor', 'helicopter'],
  jet_owa: ['cruise_missile', 'aircraft'],
  cruise_missile: ['jet_owa', 'aircraft'],
  helicopter: ['multirotor', 'piston_owa'],
  aircraft: ['jet_owa', 'helicopter'],
  multirotor: ['fixed_wing_small', 'piston_owa'],
  fixed_wing_small: ['piston_owa', 'multirotor'],
  bird: ['multirotor', 'clutter'],
});

/** Options of {@link classHint}. */
export interface ClassHintOptions {
  /** Probability that the top label is the true class, 0..1; default 0.85. */
  accuracy?: number;
  /** Range [lo, hi] of the top label's probability; default [0.5, 0.85]. */
  confidence?: readonly [number, number];
}

const NOISE_LABELS = ['clutter', 'piston_owa', 'fixed_wing_small', 'multirotor', 'helicopter', 'bird'] as const;

const round3 = (p: number): number => Math.floor(p * 1000) / 1000;

/** Splits `mass` over `labels` with weights uniform in [wMin, 1] into `out`. */
function spread(rng: Rng, labels: readonly string[], mass: number, out: Record<string, number>, wMin = 0.1): void {
  if (labels.length === 0) return;
  const w = labels.map(() => rng.uniform(wMin, 1));
  let sum = 0;
  for (const x of w) sum += x;
  for (let i = 0; i < labels.length; i++) out[labels[i]] = round3((mass * w[i]) / sum);
}

/** A class hint for a true target of class `cls` (see the module comment). A fresh object. */
export function classHint(rng: Rng, cls: string, opts: ClassHintOptions = {}): Record<string, number> {
  const accuracy = opts.accuracy ?? 0.85;
  const [lo, hi] = opts.confidence ?? [0.5, 0.85];
  const confusers = CLASS_CONFUSERS[cls] ?? ['clutter'];
  const top = rng.next() < accuracy ? cls : rng.pick(confusers);
  const w = rng.uniform(lo, hi);
  const out: Record<string, number> = { [top]: round3(w) };
  spread(rng, [cls, ...confusers].filter((l) => l !== top), 1 - w, out);
  return out;
}

/** An uninformative hint for a false alarm: `noise` (default) or a passing ground `vehicle`. */
export function falseAlarmClassHint(rng: Rng, flavour: 'noise' | 'vehicle' = 'noise'): Record<string, number> {
  const out: Record<string, number> = {};
  if (flavour === 'vehicle') {
    const c = rng.uniform(0.35, 0.55);
    const p = rng.uniform(0.2, 0.35);
    out.clutter = round3(c);
    out.piston_owa = round3(p);
    spread(rng, ['fixed_wing_small', 'multirotor', 'helicopter'], 1 - c - p, out);
    return out;
  }
  spread(rng, NOISE_LABELS, 1, out, 0.5);
  return out;
}
