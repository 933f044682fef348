/**
 * Likelihood of carrying a cooperative identity, by class: P(a track of class c shows an
 * identity of this kind | c), up to a common factor. Used by `applyCooperative`.
 *
 * The smallest entries (0.001) are not "a Shahed would never broadcast ADS-B" but the chance
 * that an identity reaches a track that is not its own (a mis-association near an aircraft, a
 * spoofed or relayed report): that, not the hardware, bounds how far one identity may push the
 * posterior (a factor of about 700 for ADS-B against a threat class).
 */
import { CLASS_LABELS, type ClassLabel } from '../types.js';

function table(values: Record<ClassLabel, number>): Float64Array {
  return Float64Array.from(CLASS_LABELS, (label) => values[label]);
}

/**
 * ADS-B (also Mode S, MLAT, UAT, TIS-B, FLARM): carried by most civil aircraft (mandated in
 * much controlled airspace) and many helicopters; rarely by military aircraft (hence 0.7, not
 * 1), by larger UAS (0.02), almost never by anything else.
 */
export const ADSB_LIKELIHOOD: Readonly<Record<ClassLabel, number>> = Object.freeze({
  piston_owa: 0.001,
  jet_owa: 0.001,
  cruise_missile: 0.001,
  multirotor: 0.002,
  fixed_wing_small: 0.02,
  aircraft: 0.7,
  helicopter: 0.4,
  bird: 0.001,
  clutter: 0.001,
});

/**
 * Remote ID (ASTM F3411 / ASD-STAN prEN 4709-002 broadcast, DJI DroneID): mandated for most
 * civil drones in the US and the EU; multirotors are most of them, small fixed-wings some.
 */
export const REMOTE_ID_LIKELIHOOD: Readonly<Record<ClassLabel, number>> = Object.freeze({
  piston_owa: 0.001,
  jet_owa: 0.001,
  cruise_missile: 0.001,
  multirotor: 0.6,
  fixed_wing_small: 0.3,
  aircraft: 0.001,
  helicopter: 0.001,
  bird: 0.001,
  clutter: 0.001,
});

/**
 * Any other kind of cooperative identity: something that transmits and names itself, so
 * probably a cooperative air vehicle of any kind; threats, birds and clutter 20 times less
 * likely (weaker than the known kinds, since we do not know what the kind means).
 */
export const GENERIC_COOPERATIVE_LIKELIHOOD: Readonly<Record<ClassLabel, number>> = Object.freeze({
  piston_owa: 0.05,
  jet_owa: 0.05,
  cruise_missile: 0.05,
  multirotor: 1,
  fixed_wing_small: 1,
  aircraft: 1,
  helicopter: 1,
  bird: 0.05,
  clutter: 0.05,
});

const ADSB = table(ADSB_LIKELIHOOD);
const REMOTE_ID = table(REMOTE_ID_LIKELIHOOD);
const GENERIC = table(GENERIC_COOPERATIVE_LIKELIHOOD);

const ADSB_KINDS = new Set(['adsb', 'modes', 'mlat', 'uat', 'tisb', 'flarm']);
const REMOTE_ID_KINDS = new Set(['remoteid', 'rid', 'droneid', 'opendroneid']);

/**
 * The likelihood table (indexed like `CLASS_LABELS`; do not modify) for a cooperative kind.
 * The kind is matched case-insensitively ignoring punctuation: `adsb`, `ADS-B`, `ads_b`,
 * `mode_s`, `mlat`, `uat`, `tis-b`, `flarm` → ADS-B; `remote_id`, `rid`, `drone_id`,
 * `open_drone_id` → Remote ID; anything else → the generic table.
 */
export function cooperativeLikelihood(kind: string): Readonly<Float64Array> {
  const k = kind.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (ADSB_KINDS.has(k)) return ADSB;
  if (REMOTE_ID_KINDS.has(k)) return REMOTE_ID;
  return GENERIC;
}
