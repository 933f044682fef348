/**
 * The alert policy as it is configured (service config `alerts.*`, `skywarden track
 * --alert-policy`): snake_case keys with the raise thresholds an operator may choose, mapped to
 * the alert machine's options. One mapping, so the batch command and the service read a policy
 * alike (docs/warnings.md "Choosing the raise thresholds").
 */
import { ALERT_DEFAULTS, type AlertMachineOptions } from './alert-machine.js';

/** Configured key → alert machine option. */
export const ALERT_POLICY_KEYS = Object.freeze({
  p_raise: 'pRaise',
  p_raise_imminent: 'pRaiseImminent',
  p_raise_imprecise: 'pRaiseImprecise',
  imprecise_sd_m: 'impreciseSd',
} as const);

export type AlertPolicy = { [K in keyof typeof ALERT_POLICY_KEYS]?: number };

/** The accepted range of each key: probabilities not under the hold threshold (whatever raises a zone must hold it), a one-sigma in metres. */
export const ALERT_POLICY_RANGES: Readonly<Record<keyof typeof ALERT_POLICY_KEYS, readonly [number, number]>> = Object.freeze({
  p_raise: [ALERT_DEFAULTS.pHold, 1],
  p_raise_imminent: [ALERT_DEFAULTS.pHold, 1],
  p_raise_imprecise: [ALERT_DEFAULTS.pHold, 1],
  imprecise_sd_m: [0, 1e6],
});

/** The defaults, in configured form. */
export const ALERT_POLICY_DEFAULTS: Readonly<Required<AlertPolicy>> = Object.freeze({
  p_raise: ALERT_DEFAULTS.pRaise,
  p_raise_imminent: ALERT_DEFAULTS.pRaiseImminent,
  p_raise_imprecise: ALERT_DEFAULTS.pRaiseImprecise,
  imprecise_sd_m: ALERT_DEFAULTS.impreciseSd,
});

/**
 * Alert machine options of a configured policy. Throws an Error naming the key and value for
 * an unknown key or a value outside its {@link ALERT_POLICY_RANGES} range (`where` prefixes the
 * message, e.g. `--alert-policy`).
 */
export function alertPolicyOptions(policy: unknown, where = 'alert policy'): AlertMachineOptions {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) throw new Error(`${where}: an object of ${Object.keys(ALERT_POLICY_KEYS).join(', ')}, got ${JSON.stringify(policy)}`);
  const out: AlertMachineOptions = {};
  for (const [k, v] of Object.entries(policy)) {
    if (!Object.hasOwn(ALERT_POLICY_KEYS, k)) throw new Error(`${where}: unknown key ${JSON.stringify(k)} (known: ${Object.keys(ALERT_POLICY_KEYS).join(', ')})`);
    const key = k as keyof typeof ALERT_POLICY_KEYS;
    const [lo, hi] = ALERT_POLICY_RANGES[key];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi)) throw new Error(`${where}: ${k} must be a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
    out[ALERT_POLICY_KEYS[key]] = v as number;
  }
  return out;
}
