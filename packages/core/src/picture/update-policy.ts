/**
 * When a zone under alert gets an Update (a CAP `Update`, a webhook `alert.updated`): the
 * one policy of the batch command, replay and the live service. Within an automatic alert's
 * episode an Update is due when a track that the last message did not name now threatens
 * the zone, or when the zone's ETA moved by more than `etaShiftS` from what the last message
 * implied (its ETA less the time since). Manual alerts get no automatic Updates.
 */
import type { AlertTransition, ZoneState } from '../alerts/alert-machine.js';

export interface UpdatePolicyOptions {
  /** An ETA move (s) beyond which an Update is sent. Default 120. */
  etaShiftS?: number;
  /** False: no Updates at all (raise and clear only). Default true. */
  enabled?: boolean;
}

export interface UpdatePolicy {
  /** Tells the policy of a raise or clear (automatic or manual) of a zone. */
  onChange(change: AlertTransition): void;
  /** The Updates due at time `t` given every zone's state, in zone order. */
  review(t: number, states: readonly ZoneState[]): AlertTransition[];
}

export const UPDATE_POLICY_DEFAULTS: Readonly<Required<UpdatePolicyOptions>> = Object.freeze({ etaShiftS: 120, enabled: true });

export function createUpdatePolicy(options: UpdatePolicyOptions = {}): UpdatePolicy {
  const etaShiftS = options.etaShiftS ?? UPDATE_POLICY_DEFAULTS.etaShiftS;
  const enabled = options.enabled ?? UPDATE_POLICY_DEFAULTS.enabled;
  if (!(etaShiftS >= 0) || Number.isNaN(etaShiftS)) throw new Error(`update policy: etaShiftS must be >= 0, got ${etaShiftS}`);
  /** What the last message of each alerted zone said. */
  const published = new Map<string, { tracks: Set<string>; etaS?: number; t: number }>();
  return {
    onChange(c) {
      if (c.state === 'alert') published.set(c.zone, { tracks: new Set(c.tracks), etaS: c.etaS, t: c.t });
      else published.delete(c.zone);
    },
    review(t, states) {
      const out: AlertTransition[] = [];
      if (!enabled) return out;
      for (const z of states) {
        if (z.state !== 'alert' || z.manual) continue;
        const last = published.get(z.zone);
        if (!last) continue;
        const fresh = z.tracks.filter((x) => !last.tracks.has(x));
        const etaShift = z.etaS !== undefined && last.etaS !== undefined ? Math.abs(z.etaS - (last.etaS - (t - last.t))) : 0;
        if (fresh.length === 0 && etaShift <= etaShiftS) continue;
        for (const x of z.tracks) last.tracks.add(x);
        last.etaS = z.etaS;
        last.t = t;
        const reason = fresh.length > 0 ? `update: new tracks ${fresh.join(', ')}` : `update: ETA now ${Math.round(z.etaS ?? 0)} s`;
        const u: AlertTransition = { t, zone: z.zone, state: 'alert', tracks: z.tracks.slice(), reason };
        if (z.etaS !== undefined) u.etaS = z.etaS;
        out.push(u);
      }
      return out;
    },
  };
}
