/**
 * Cursor-on-Target type strings for Skywarden's classes and affiliations.
 *
 * A CoT atom type is `a-<affiliation>-<battle dimension>-<function...>` (MIL-STD-2525 derived;
 * names as in the public CoT types catalogue, `CoTtypes.xml`): `A` is air, `A-M-F` military
 * fixed wing, `A-M-F-Q` military fixed-wing drone (RPV/UAV), `A-M-H-Q` military rotary-wing
 * drone, `A-W-M` missile in flight, `A-C-F` civil fixed wing, `A-C-H` civil rotary wing.
 *
 * | class label        | type (x = affiliation letter)          |
 * |--------------------|----------------------------------------|
 * | `piston_owa`       | `a-x-A-M-F-Q` fixed-wing UAV           |
 * | `jet_owa`          | `a-x-A-M-F-Q` fixed-wing UAV (jet-powered one-way drone) |
 * | `cruise_missile`   | `a-x-A-W-M` missile in flight          |
 * | `fixed_wing_small` | `a-x-A-M-F-Q` fixed-wing UAV           |
 * | `multirotor`       | `a-x-A-M-H-Q` rotary-wing UAV          |
 * | `aircraft`         | `a-x-A-C-F` civil fixed wing; `a-h-A-M-F` when hostile |
 * | `helicopter`       | `a-x-A-C-H` civil rotary wing; `a-h-A-M-H` when hostile |
 * | anything else      | `a-x-A` air track                      |
 *
 * Affiliation letters: hostile `h`, unknown `u`, neutral `n`, friendly `f`.
 */

/** Skywarden's affiliations (TrackWire.affiliation). */
export type Affiliation = 'hostile' | 'unknown' | 'neutral' | 'friendly';

const LETTER: Record<Affiliation, string> = { hostile: 'h', unknown: 'u', neutral: 'n', friendly: 'f' };

/** The CoT affiliation letter of an affiliation (`h`, `u`, `n`, `f`). */
export function cotAffiliationLetter(affiliation: Affiliation): string {
  const l = LETTER[affiliation];
  if (l === undefined) throw new RangeError(`affiliation must be hostile, unknown, neutral or friendly, got ${JSON.stringify(affiliation)}`);
  return l;
}

/** The CoT type of an air track of class `label` and the given affiliation (see the module table). */
export function cotTypeFor(label: string, affiliation: Affiliation): string {
  const x = cotAffiliationLetter(affiliation);
  switch (label) {
    case 'piston_owa':
    case 'jet_owa':
    case 'fixed_wing_small':
      return `a-${x}-A-M-F-Q`;
    case 'cruise_missile':
      return `a-${x}-A-W-M`;
    case 'multirotor':
      return `a-${x}-A-M-H-Q`;
    case 'aircraft':
      return x === 'h' ? 'a-h-A-M-F' : `a-${x}-A-C-F`;
    case 'helicopter':
      return x === 'h' ? 'a-h-A-M-H' : `a-${x}-A-C-H`;
    default:
      return `a-${x}-A`;
  }
}

/** What {@link describeCotType} finds in a type string. */
export interface CotTypeInfo {
  /** `a` for an atom (a thing), `b` bits, `t` tasking, `u` drawings and so on. */
  kind: string;
  /** Affiliation letter of an atom (`h`, `u`, `f`, `n`, `s`, `p`, `a`, `j`, `k`, `o`), else ''. */
  affiliation: string;
  /** Battle dimension of an atom (`A` air, `G` ground, `S` sea surface, ...), else ''. */
  dimension: string;
}

/** Splits a CoT type (`a-h-A-M-F-Q`, optionally with a `;...` suffix) into its leading parts. */
export function describeCotType(type: string): CotTypeInfo {
  const main = type.split(';', 1)[0] ?? '';
  const parts = main.split('-');
  const kind = parts[0] ?? '';
  if (kind !== 'a') return { kind, affiliation: '', dimension: '' };
  return { kind, affiliation: parts[1] ?? '', dimension: parts[2] ?? '' };
}
