/**
 * The per-zone alert life cycle (docs/warnings.md "Alerts"): clear → alert → clear, with
 * hysteresis, an all-clear hold time, operator raise and end, and an audit log.
 *
 * A zone starts clear (spec/interchange.md, alerts.ndjson). At each {@link AlertMachine.update}:
 * - a track *raises* a zone when its threat probability ≥ `threatRaise` and one of:
 *   P(entering within the zone's lead time) ≥ `pRaise` (sure enough); P(entering within
 *   `imminentS`) ≥ `pRaiseImminent` (time is running out); P(entering within the lead time) ≥
 *   `pRaiseImprecise` for a track whose position one-sigma exceeds `impreciseSd` (an acoustic
 *   track: waiting would not make its prediction sharper, only later); P(inside now) ≥ `pInside`;
 * - a track *holds* a zone when its threat probability ≥ `threatHold` and either
 *   P(entering within lead + margin) ≥ `pHold` or P(inside now) ≥ `pInsideHold` (each
 *   threshold weaker than its raise twin, so a raise always holds);
 * - a clear zone goes to alert when some track raises it (unless suppressed, below);
 * - an alert zone goes back to clear when no track has held it for `holdS` seconds (the
 *   all-clear), unless an operator raised it by hand: a manual alert ends only by hand.
 * An operator's end suppresses automatic raises of that zone for `manualSuppressS` seconds,
 * except by a track that was not threatening the zone when the alert was ended.
 *
 * Pure and deterministic: same calls, same results. Times are seconds since the epoch and
 * must not decrease from one call to the next.
 */
import type { ZoneThreat } from '../threat/predict.js';

/** A zone as the machine knows it: id and wanted lead time (s), used in reasons only. */
export interface AlertZone {
  id: string;
  leadS?: number;
}

/** What the machine needs of a threat (the predictor's {@link ZoneThreat} is one). */
export type AlertThreat = Pick<ZoneThreat, 'zone' | 'track' | 'leadProbability' | 'holdProbability' | 'insideProbability' | 'etaS'> & {
  threatProbability?: number;
  /** P(inside now or entering within `imminentS`) (the predictor's, when its `imminentS` is the machine's); absent counts as 0 (no urgent raise). */
  imminentProbability?: number;
  /** P(inside now or entering within the predictor's horizon): drives the `watch` tier; absent counts as `holdProbability`. */
  probability?: number;
};

/**
 * A zone's urgency tier (docs/warnings.md "Tiers"): `imminent` (under alert with a track inside
 * or entering within `imminentS`, or raised by an operator), `warning` (under alert, entry
 * expected later within the lead time),
 * `watch` (not under alert, but a threat may enter within the prediction horizon), `none`.
 * While the all-clear is pending (no track holds the zone any more) the tier stays what it was;
 * an `imminent` zone steps down to `warning` only when the nearest ETA exceeds `imminentS` +
 * `tierHysteresisS` and no track has been that near for `tierHoldS`.
 */
export type AlertTier = 'imminent' | 'warning' | 'watch' | 'none';

/** Tiers from the most urgent down. */
export const ALERT_TIERS: readonly AlertTier[] = Object.freeze(['imminent', 'warning', 'watch', 'none']);

/** One change of a zone's state: an alerts.ndjson row (`t`, `zone`, `state`, `eta_s`, `tracks`) plus why. */
export interface AlertTransition {
  t: number;
  zone: string;
  state: 'alert' | 'clear';
  /** Smallest predicted time to entry of the raising tracks (s after `t`), for an automatic raise. */
  etaS?: number;
  /** The zone's tier after the change (an Update from the update policy: the tier it announces). */
  tier?: AlertTier;
  /** The raising tracks (sorted); empty for a clear or a manual raise. */
  tracks: string[];
  reason: string;
  /** Set when an operator made the change. */
  manual?: boolean;
  who?: string;
}

export interface ZoneState {
  zone: string;
  state: 'alert' | 'clear';
  /** Time of the last change (s); -Infinity before the first. */
  since: number;
  /** Tracks raising or holding the zone at the last update, sorted. */
  tracks: string[];
  /** Every track that raised or held the zone during the current (or last) episode, sorted. */
  episodeTracks: string[];
  /** Smallest ETA (s after the last update) of the tracks raising or holding the zone, when any. */
  etaS?: number;
  /** Last time some track held the zone (s); -Infinity when none has. */
  lastHoldT: number;
  /** True while an operator's raise latches the alert on. */
  manual: boolean;
  /** Reason of the last change. */
  reason: string;
  /** Urgency tier after the last update ({@link AlertTier}). */
  tier: AlertTier;
  /** Time the tier last changed (s); -Infinity before the first change. */
  tierSince: number;
  /** Tracks that put the zone on `watch` (sorted; empty unless the tier is `watch`). */
  watchTracks: string[];
  /** Automatic raises by already known tracks are suppressed until this time (s); -Infinity when not. */
  suppressedUntil: number;
  /** The tracks known when the suppression began (sorted): only another track can raise the zone before `suppressedUntil`. */
  suppressedTracks: string[];
}

/** One audit log entry: who did what to which zone, when and why. */
export interface AuditEntry {
  t: number;
  zone: string;
  /** `system` for automatic actions, else the operator. */
  who: string;
  action: 'auto-raise' | 'auto-clear' | 'manual-raise' | 'manual-end' | 'auto-raise-suppressed';
  reason: string;
  /** The zone's state after the action. */
  state: 'alert' | 'clear';
  tracks: string[];
}

export interface AlertMachineOptions {
  /** Lead time of a zone without its own (s); reasons only, the predictor owns the window. Default 300. */
  leadS?: number;
  /** Least track threat probability to raise. Default 0.5. */
  threatRaise?: number;
  /** Least track threat probability to hold. Default 0.25. */
  threatHold?: number;
  /** Least P(entering within the lead time) to raise: more likely than not. Default 0.5. */
  pRaise?: number;
  /** Least P(entering within `imminentS`) to raise (the urgent raise). Default 0.3. */
  pRaiseImminent?: number;
  /** Least P(entering within the lead time) to raise by a track whose position one-sigma exceeds `impreciseSd`. Default 0.3. */
  pRaiseImprecise?: number;
  /** Position one-sigma (m) above which a track is imprecise (`pRaiseImprecise`); tracks given without one are precise. Default 500. */
  impreciseSd?: number;
  /** Least P(entering within lead + margin) to hold. Default 0.15. */
  pHold?: number;
  /** Least P(inside now) to raise. Default 0.5. */
  pInside?: number;
  /** Least P(inside now) to hold. Default 0.25. */
  pInsideHold?: number;
  /** Seconds without any holding track before the all-clear. Default 120. */
  holdS?: number;
  /** Seconds an operator's end suppresses automatic raises by known tracks. Default 600. */
  manualSuppressS?: number;
  /** Threat probability of a track that neither `tracks` nor its threat gives (conservative: a threat). Default 1. */
  unknownThreatProbability?: number;
  /** An alert is `imminent` when the earliest holding track's ETA is at most this (s), or a track is inside. Default 180. */
  imminentS?: number;
  /** An `imminent` alert steps down to `warning` only once the ETA exceeds `imminentS` + this (s): hysteresis. Default 60. */
  tierHysteresisS?: number;
  /** ... and only once no track has been within `imminentS` (or inside) for this long (s), as the all-clear waits `holdS`. Default 120. */
  tierHoldS?: number;
  /** Least P(entering within the horizon) of a track with threat probability >= `threatHold` to put a clear zone on `watch`. Default 0.1. */
  pWatch?: number;
}

export const ALERT_DEFAULTS: Readonly<Required<AlertMachineOptions>> = Object.freeze({
  leadS: 300,
  threatRaise: 0.5,
  threatHold: 0.25,
  pRaise: 0.5,
  pRaiseImminent: 0.3,
  pRaiseImprecise: 0.3,
  impreciseSd: 500,
  pHold: 0.15,
  pInside: 0.5,
  pInsideHold: 0.25,
  holdS: 120,
  manualSuppressS: 600,
  unknownThreatProbability: 1,
  imminentS: 180,
  tierHysteresisS: 60,
  tierHoldS: 120,
  pWatch: 0.1,
});

/** What the machine needs of a track: its threat probability and, for the imprecise raise, its position one-sigma (m). */
export interface AlertTrack {
  id: string;
  threatProbability: number;
  positionSd?: number;
}

/** Which raise rule a threat meets (the first in this order), or null: see the module comment. */
type RaiseRule = 'inside' | 'lead' | 'imminent' | 'imprecise';

export interface AlertMachine {
  readonly options: Readonly<Required<AlertMachineOptions>>;
  /** Time of the last call (s); -Infinity before the first. */
  readonly time: number;
  /**
   * Advances to time `t` with the threats of every live track (all zones; any order) and the
   * tracks' threat probabilities. Returns the changes, in zone order.
   */
  update(t: number, threats: readonly AlertThreat[], tracks?: readonly AlertTrack[]): AlertTransition[];
  /** A copy of every zone's state, in zone order. */
  state(): Map<string, ZoneState>;
  /** A copy of the audit log, oldest first. */
  audit(): AuditEntry[];
  /** An operator raises a zone's alert (latched until a manual end). Returns the change, or null when the zone was already on. */
  manualRaise(zone: string, t: number, who: string, reason: string): AlertTransition | null;
  /** An operator ends a zone's alert and suppresses automatic re-raise. Returns the change, or null when the zone was clear. */
  manualEnd(zone: string, t: number, who: string, reason: string): AlertTransition | null;
}

interface Internal {
  s: ZoneState;
  lead: number;
  /** tracks seen threatening the zone (any probability) at the last update */
  seen: string[];
  /** whether the current suppression has been logged */
  suppressionLogged: boolean;
  /** last time (s) a track was within `imminentS` of the zone (or inside) */
  lastImminentT: number;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function copyState(s: ZoneState): ZoneState {
  return { ...s, tracks: s.tracks.slice(), episodeTracks: s.episodeTracks.slice(), suppressedTracks: s.suppressedTracks.slice(), watchTracks: s.watchTracks.slice() };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/**
 * Creates the machine for a fixed set of zones. Throws on a repeated or empty zone id and on a
 * bad option (the message names it and its value).
 */
export function createAlertMachine(zones: readonly AlertZone[], options: AlertMachineOptions = {}): AlertMachine {
  const o: Required<AlertMachineOptions> = { ...ALERT_DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  for (const k of ['threatRaise', 'threatHold', 'pRaise', 'pRaiseImminent', 'pRaiseImprecise', 'pHold', 'pInside', 'pInsideHold', 'unknownThreatProbability', 'pWatch'] as const) {
    if (!(o[k] >= 0 && o[k] <= 1)) throw new Error(`alert machine: ${k} must be in [0, 1], got ${o[k]}`);
  }
  for (const k of ['leadS', 'holdS', 'manualSuppressS', 'imminentS', 'tierHysteresisS', 'tierHoldS', 'impreciseSd'] as const) {
    if (!(o[k] >= 0) || Number.isNaN(o[k])) throw new Error(`alert machine: ${k} must be >= 0, got ${o[k]}`);
  }
  if (o.threatHold > o.threatRaise) throw new Error(`alert machine: threatHold (${o.threatHold}) must not exceed threatRaise (${o.threatRaise})`);
  if (o.pHold > o.pRaise) throw new Error(`alert machine: pHold (${o.pHold}) must not exceed pRaise (${o.pRaise})`);
  for (const k of ['pRaiseImminent', 'pRaiseImprecise'] as const) if (o.pHold > o[k]) throw new Error(`alert machine: pHold (${o.pHold}) must not exceed ${k} (${o[k]})`);
  if (o.pInsideHold > o.pInside) throw new Error(`alert machine: pInsideHold (${o.pInsideHold}) must not exceed pInside (${o.pInside})`);

  const byId = new Map<string, Internal>();
  const order: Internal[] = [];
  for (const z of zones) {
    if (typeof z.id !== 'string' || z.id === '') throw new Error(`alert machine: a zone id must be a non-empty string, got ${JSON.stringify(z.id)}`);
    if (byId.has(z.id)) throw new Error(`alert machine: repeated zone id ${JSON.stringify(z.id)}`);
    const internal: Internal = {
      s: {
        zone: z.id,
        state: 'clear',
        since: -Infinity,
        tracks: [],
        episodeTracks: [],
        lastHoldT: -Infinity,
        manual: false,
        reason: 'initial state',
        tier: 'none',
        tierSince: -Infinity,
        watchTracks: [],
        suppressedUntil: -Infinity,
        suppressedTracks: [],
      },
      lead: z.leadS ?? o.leadS,
      seen: [],
      suppressionLogged: false,
      lastImminentT: -Infinity,
    };
    byId.set(z.id, internal);
    order.push(internal);
  }
  const log: AuditEntry[] = [];
  let time = -Infinity;

  const advance = (t: number, what: string): void => {
    if (!Number.isFinite(t)) throw new Error(`alert machine: ${what} time must be finite, got ${t}`);
    if (t < time) throw new Error(`alert machine: ${what} time ${t} is before the previous call's ${time}`);
    time = t;
  };
  const zoneOf = (zone: string, what: string): Internal => {
    const z = byId.get(zone);
    if (!z) throw new Error(`alert machine: ${what}: unknown zone ${JSON.stringify(zone)}`);
    return z;
  };
  const operator = (who: string, reason: string, what: string): void => {
    if (typeof who !== 'string' || who.trim() === '') throw new Error(`alert machine: ${what} needs who, got ${JSON.stringify(who)}`);
    if (typeof reason !== 'string' || reason.trim() === '') throw new Error(`alert machine: ${what} needs a reason, got ${JSON.stringify(reason)}`);
  };

  /** The zone's tier after an update or an operator's action (see {@link AlertTier}). */
  const retier = (z: Internal, t: number, watchTracks: string[]): void => {
    const s = z.s;
    let tier: AlertTier;
    if (s.state === 'alert') {
      const near = s.etaS !== undefined && s.etaS <= o.imminentS;
      if (near) z.lastImminentT = t;
      if (s.manual || near) tier = 'imminent';
      // no holding track (the threat passed, the all-clear is pending): the tier stays
      else if (s.etaS === undefined) tier = s.tier === 'imminent' || s.tier === 'warning' ? s.tier : 'warning';
      // an imminent zone steps down only beyond the hysteresis and after tierHoldS without a near track
      else if (s.tier === 'imminent' && (s.etaS <= o.imminentS + o.tierHysteresisS || t - z.lastImminentT < o.tierHoldS)) tier = 'imminent';
      else tier = 'warning';
    } else tier = watchTracks.length > 0 ? 'watch' : 'none';
    s.watchTracks = tier === 'watch' ? watchTracks : [];
    if (tier !== s.tier) {
      s.tier = tier;
      s.tierSince = t;
    }
  };

  return {
    options: Object.freeze({ ...o }),
    get time() {
      return time;
    },
    update(t, threats, tracks = []) {
      advance(t, 'update');
      const threatOf = new Map<string, number>();
      const imprecise = new Set<string>();
      for (const tr of tracks) {
        threatOf.set(tr.id, tr.threatProbability);
        if (tr.positionSd !== undefined && tr.positionSd > o.impreciseSd) imprecise.add(tr.id);
      }
      const raiseRule = (th: AlertThreat): RaiseRule | null => {
        if (th.insideProbability >= o.pInside) return 'inside';
        if (th.leadProbability >= o.pRaise) return 'lead';
        if ((th.imminentProbability ?? 0) >= o.pRaiseImminent) return 'imminent';
        if (imprecise.has(th.track) && th.leadProbability >= o.pRaiseImprecise) return 'imprecise';
        return null;
      };
      const perZone = new Map<Internal, AlertThreat[]>();
      for (const th of threats) {
        const z = zoneOf(th.zone, 'update');
        const list = perZone.get(z);
        if (list) list.push(th);
        else perZone.set(z, [th]);
      }
      const changes: AlertTransition[] = [];
      const watchOf = new Map<Internal, string[]>();
      for (const z of order) {
        const s = z.s;
        const list = perZone.get(z) ?? [];
        if (t >= s.suppressedUntil && s.suppressedUntil !== -Infinity) {
          s.suppressedUntil = -Infinity;
          s.suppressedTracks = [];
          z.suppressionLogged = false;
        }
        // raising and holding tracks (one entry per track: its best threat)
        const raising: AlertThreat[] = [];
        const holding: AlertThreat[] = [];
        const watching: AlertThreat[] = [];
        for (const th of list) {
          const p = threatOf.get(th.track) ?? th.threatProbability ?? o.unknownThreatProbability;
          const raises = p >= o.threatRaise && raiseRule(th) !== null;
          const holds = raises || (p >= o.threatHold && (th.holdProbability >= o.pHold || th.insideProbability >= o.pInsideHold));
          if (raises) raising.push(th);
          if (holds) holding.push(th);
          if (p >= o.threatHold && (th.probability ?? th.holdProbability) >= o.pWatch) watching.push(th);
        }
        z.seen = Array.from(new Set(list.map((th) => th.track))).sort(byString);
        const ids = (xs: AlertThreat[]) => Array.from(new Set(xs.map((x) => x.track))).sort(byString);
        watchOf.set(z, ids(watching));
        const earliest = (xs: AlertThreat[]) => xs.reduce((a, b) => (b.etaS < a.etaS || (b.etaS === a.etaS && b.track < a.track) ? b : a));
        if (s.state === 'clear') {
          if (raising.length === 0) continue;
          let candidates = raising;
          let note = '';
          if (t < s.suppressedUntil) {
            candidates = raising.filter((th) => !s.suppressedTracks.includes(th.track));
            if (candidates.length === 0) {
              if (!z.suppressionLogged) {
                z.suppressionLogged = true;
                log.push({
                  t,
                  zone: s.zone,
                  who: 'system',
                  action: 'auto-raise-suppressed',
                  reason: `raise by ${ids(raising).join(', ')} suppressed until ${fmt(s.suppressedUntil)} (manual end)`,
                  state: 'clear',
                  tracks: ids(raising),
                });
              }
              continue;
            }
            note = ' (a new track during a manual suppression)';
          }
          const first = earliest(candidates);
          const trackIds = ids(candidates);
          const rule = raiseRule(first);
          const why =
            rule === 'inside'
              ? `track ${first.track} inside with P=${fmt(first.insideProbability)}`
              : rule === 'imminent'
                ? `track ${first.track} enters within ${fmt(o.imminentS)} s with P=${fmt(first.imminentProbability ?? 0)}, ETA ${fmt(first.etaS)} s`
                : `track ${first.track} enters within ${fmt(z.lead)} s with P=${fmt(first.leadProbability)}${rule === 'imprecise' ? ' (an imprecise track)' : ''}, ETA ${fmt(first.etaS)} s`;
          const reason = `auto: ${why}${trackIds.length > 1 ? ` (+${trackIds.length - 1} more)` : ''}${note}`;
          s.state = 'alert';
          s.since = t;
          s.tracks = ids(holding);
          s.episodeTracks = ids(holding);
          s.etaS = first.etaS;
          s.lastHoldT = t;
          s.manual = false;
          s.reason = reason;
          s.suppressedUntil = -Infinity;
          s.suppressedTracks = [];
          z.suppressionLogged = false;
          changes.push({ t, zone: s.zone, state: 'alert', etaS: first.etaS, tracks: trackIds, reason });
          log.push({ t, zone: s.zone, who: 'system', action: 'auto-raise', reason, state: 'alert', tracks: trackIds });
          continue;
        }
        // on: hold, or the all-clear after holdS without a holding track
        if (holding.length > 0) {
          s.lastHoldT = t;
          s.tracks = ids(holding);
          s.etaS = earliest(holding).etaS;
          s.episodeTracks = Array.from(new Set([...s.episodeTracks, ...s.tracks])).sort(byString);
          continue;
        }
        s.tracks = [];
        delete s.etaS;
        if (s.manual) continue;
        const quiet = s.lastHoldT === -Infinity ? t - s.since : t - s.lastHoldT;
        if (quiet >= o.holdS) {
          const reason = `auto: all clear, no track held the zone for ${fmt(quiet)} s (hold ${fmt(o.holdS)} s)`;
          s.state = 'clear';
          s.since = t;
          s.reason = reason;
          changes.push({ t, zone: s.zone, state: 'clear', tracks: [], reason });
          log.push({ t, zone: s.zone, who: 'system', action: 'auto-clear', reason, state: 'clear', tracks: [] });
        }
      }
      for (const z of order) retier(z, t, watchOf.get(z) ?? []);
      for (const c of changes) c.tier = (byId.get(c.zone) as Internal).s.tier;
      return changes;
    },
    state() {
      const m = new Map<string, ZoneState>();
      for (const z of order) m.set(z.s.zone, copyState(z.s));
      return m;
    },
    audit() {
      return log.map((e) => ({ ...e, tracks: e.tracks.slice() }));
    },
    manualRaise(zone, t, who, reason) {
      const z = zoneOf(zone, 'manualRaise');
      operator(who, reason, 'manualRaise');
      advance(t, 'manualRaise');
      const s = z.s;
      const text = `manual raise by ${who}: ${reason}`;
      const wasOn = s.state === 'alert';
      s.manual = true;
      s.suppressedUntil = -Infinity;
      s.suppressedTracks = [];
      z.suppressionLogged = false;
      log.push({ t, zone, who, action: 'manual-raise', reason: wasOn ? `${reason} (already on; now held on by hand)` : reason, state: 'alert', tracks: s.tracks.slice() });
      if (wasOn) return null;
      s.state = 'alert';
      s.since = t;
      s.lastHoldT = -Infinity;
      s.tracks = [];
      s.episodeTracks = [];
      delete s.etaS;
      s.reason = text;
      retier(z, t, []);
      return { t, zone, state: 'alert', tier: s.tier, tracks: [], reason: text, manual: true, who };
    },
    manualEnd(zone, t, who, reason) {
      const z = zoneOf(zone, 'manualEnd');
      operator(who, reason, 'manualEnd');
      advance(t, 'manualEnd');
      const s = z.s;
      const text = `manual end by ${who}: ${reason}`;
      const wasOn = s.state === 'alert';
      s.suppressedUntil = t + o.manualSuppressS;
      s.suppressedTracks = Array.from(new Set([...s.episodeTracks, ...s.tracks, ...z.seen])).sort(byString);
      z.suppressionLogged = false;
      log.push({ t, zone, who, action: 'manual-end', reason: wasOn ? reason : `${reason} (was clear; raises suppressed)`, state: 'clear', tracks: s.suppressedTracks.slice() });
      s.manual = false;
      if (!wasOn) return null;
      s.state = 'clear';
      s.since = t;
      s.tracks = [];
      delete s.etaS;
      s.reason = text;
      retier(z, t, []);
      return { t, zone, state: 'clear', tier: s.tier, tracks: [], reason: text, manual: true, who };
    },
  };
}
