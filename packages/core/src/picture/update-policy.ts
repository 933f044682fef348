/**
 * When a zone under alert gets an Update (a CAP `Update`, a webhook `alert.updated`): the
 * one policy of the batch command, replay and the live service (docs/warnings.md "Updates").
 * Within an automatic alert's episode an Update is due when
 * - the zone's tier rose (warning → imminent): at once;
 * - the tier fell (imminent → warning), or, at `warning`, the ETA moved by more than
 *   `etaShiftS` from what the last message implied (its ETA less the time since): once at
 *   least `minIntervalS` has passed since the zone's last message. At `imminent` the ETA is
 *   no news: the message already says to take shelter now.
 * New tracks alone are no reason (residents act on the tier and the time, not on track ids);
 * the next Update names them. Manual alerts get no automatic Updates but a rise of the tier
 * (an operator latching a zone already under a WARNING makes it IMMINENT).
 */
import { ALERT_TIERS, type AlertTier, type AlertTransition, type ZoneState } from '../alerts/alert-machine.js';

export interface UpdatePolicyOptions {
  /** An ETA move (s) beyond which an Update is due. Default 120. */
  etaShiftS?: number;
  /** Least time (s) between two messages of one zone, except a rise of the tier. Default 60. */
  minIntervalS?: number;
  /** False: no Updates at all (raise and clear only). Default true. */
  enabled?: boolean;
}

export interface UpdatePolicy {
  /** Tells the policy of a raise or clear (automatic or manual) of a zone. */
  onChange(change: AlertTransition): void;
  /** The Updates due at time `t` given every zone's state, in zone order. */
  review(t: number, states: readonly ZoneState[]): AlertTransition[];
}

export const UPDATE_POLICY_DEFAULTS: Readonly<Required<UpdatePolicyOptions>> = Object.freeze({ etaShiftS: 120, minIntervalS: 60, enabled: true });

/** Urgency rank of a tier: higher is more urgent. */
const RANK = Object.fromEntries(ALERT_TIERS.map((tier, i) => [tier, ALERT_TIERS.length - i])) as Record<AlertTier, number>;

export function createUpdatePolicy(options: UpdatePolicyOptions = {}): UpdatePolicy {
  const etaShiftS = options.etaShiftS ?? UPDATE_POLICY_DEFAULTS.etaShiftS;
  const minIntervalS = options.minIntervalS ?? UPDATE_POLICY_DEFAULTS.minIntervalS;
  const enabled = options.enabled ?? UPDATE_POLICY_DEFAULTS.enabled;
  if (!(etaShiftS >= 0) || Number.isNaN(etaShiftS)) throw new Error(`update policy: etaShiftS must be >= 0, got ${etaShiftS}`);
  if (!(minIntervalS >= 0) || Number.isNaN(minIntervalS)) throw new Error(`update policy: minIntervalS must be >= 0, got ${minIntervalS}`);
  /** What the last message of each alerted zone said, and when. */
  const published = new Map<string, { tier: AlertTier; etaS?: number; t: number }>();
  return {
    onChange(c) {
      if (c.state === 'alert') published.set(c.zone, { tier: c.tier ?? 'warning', etaS: c.etaS, t: c.t });
      else published.delete(c.zone);
    },
    review(t, states) {
      const out: AlertTransition[] = [];
      if (!enabled) return out;
      for (const z of states) {
        if (z.state !== 'alert') continue;
        const last = published.get(z.zone);
        if (!last) continue;
        const rose = RANK[z.tier] > RANK[last.tier];
        // an operator's alert gets no automatic Updates, but a rise of its tier (an operator
        // latching a zone already under alert makes it imminent) is announced
        if (z.manual && !rose) continue;
        const fell = RANK[z.tier] < RANK[last.tier];
        const implied = last.etaS !== undefined ? Math.max(0, last.etaS - (t - last.t)) : undefined;
        const etaShift = z.tier === 'warning' && last.tier === 'warning' && z.etaS !== undefined && implied !== undefined ? Math.abs(z.etaS - implied) : 0;
        const rested = t - last.t >= minIntervalS;
        if (!rose && !(rested && (fell || etaShift > etaShiftS))) continue;
        const eta = z.etaS !== undefined ? `, ETA ${Math.round(z.etaS)} s` : '';
        const reason =
          rose || fell
            ? `update: tier ${last.tier} -> ${z.tier}${eta}`
            : `update: ETA now ${Math.round(z.etaS ?? 0)} s (the last message implied ${Math.round(implied ?? 0)} s)`;
        published.set(z.zone, { tier: z.tier, etaS: z.etaS, t });
        const u: AlertTransition = { t, zone: z.zone, state: 'alert', tier: z.tier, tracks: z.tracks.slice(), reason };
        if (z.etaS !== undefined) u.etaS = z.etaS;
        out.push(u);
      }
      return out;
    },
  };
}
