/**
 * TAK mesh protocol selection (ATAK-CIV takproto README, "Mesh Network Protocol Negotiation"):
 * every contact heard on the group is remembered with the versions it decodes — those of its
 * last `TakControl` while that is under 2 minutes old, else the version of its last message
 * (0 for XML) — and broadcasts go out in the highest version that every known contact and
 * Skywarden decode, XML (version 0) when there is none.
 */

/** A `TakControl` older than this (s) no longer counts: the contact falls back to the version of its last message. */
export const TAK_CONTROL_EXPIRY_S = 120;
/** A mesh sender of protocol > 0 sends its `TakControl` at least this often (s). */
export const TAK_CONTROL_EVERY_S = 60;
/** A contact is forgotten once its last event is stale: at least this long (s) after it was heard... */
const CONTACT_MIN_S = 60;
/** ...and at most this long. */
const CONTACT_MAX_S = 3600;
/** Forgotten after this long (s) when its last message gave no stale time (a control-only message). */
const CONTACT_DEFAULT_S = 300;
/** Most contacts remembered; others are not tracked (a flood of invented uids cannot grow memory). */
const MAX_CONTACTS = 10_000;

export interface MeshRange {
  min: number;
  max: number;
}

export function createMeshVersions(ours: MeshRange) {
  const contacts = new Map<string, { version: number; control: (MeshRange & { at: number }) | null; until: number }>();
  return {
    /**
     * A message from contact `uid` at `t` (s), sent in `version` (0: XML), with its `TakControl`
     * (or null) and its event's stale time (s, or null).
     */
    heard(uid: string, t: number, version: number, control: MeshRange | null, staleT: number | null): void {
      const prev = contacts.get(uid);
      if (prev === undefined && contacts.size >= MAX_CONTACTS) return;
      const keep = staleT !== null && Number.isFinite(staleT) ? Math.min(CONTACT_MAX_S, Math.max(CONTACT_MIN_S, staleT - t)) : CONTACT_DEFAULT_S;
      contacts.set(uid, {
        version,
        control: control !== null ? { ...control, at: t } : (prev?.control ?? null),
        until: Math.max(t + keep, prev?.until ?? 0),
      });
    },
    /** The version to broadcast in at `t` (s): the highest all known contacts and we decode; 0 (XML) when there is none. */
    version(t: number): number {
      let lo = ours.min;
      let hi = ours.max;
      for (const [uid, c] of contacts) {
        if (c.until < t) {
          contacts.delete(uid);
          continue;
        }
        const r = c.control !== null && t - c.control.at <= TAK_CONTROL_EXPIRY_S ? c.control : { min: c.version, max: c.version };
        lo = Math.max(lo, r.min);
        hi = Math.min(hi, r.max);
      }
      return lo <= hi ? hi : 0;
    },
    /** Contacts remembered now. */
    get size(): number {
      return contacts.size;
    },
  };
}
