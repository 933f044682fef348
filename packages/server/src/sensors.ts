/**
 * The sensor register (id -> parsed sensor, for validating detections) and each sensor's
 * health: last heard, detection rate over the last 5 minutes, rejects and the last reason,
 * and a status: `ok`, `never_seen`, `silent` (not heard for `silentAfterS`, or for
 * {@link MISSED_HEARTBEATS} of the heartbeat period a sensor declared, e.g. a SAPIENT node's
 * registered status interval), `offline` (it said it was leaving, e.g. a SAPIENT
 * SYSTEM_GOODBYE, and has not been heard since), `stuck`
 * (detecting in every one of the last 5 minutes at least `stuckPerMin` times a minute;
 * radars and cooperative feeds exempt, they report all the time), `implausible` (its
 * reported own position far from the registered one, or most of its input rejected).
 */
import { nestsDeeper, parseSensorsJson, PLAUSIBLE } from '@skywarden/formats';
import type { Sensor } from '@skywarden/core';
import type { SensorStatus, SensorWire } from '@skywarden/formats';

export interface HealthOptions {
  silentAfterS: number;
  stuckPerMin: number;
  maxPositionOffsetM: number;
}

interface Health {
  lastSeen: number;
  /** Detections per minute bucket: minute index -> count, the last 6 minutes. */
  buckets: Map<number, number>;
  accepted: number;
  rejected: number;
  /** Rejected and accepted over the last few minutes, for the implausible test. */
  recentRejected: number;
  recentAccepted: number;
  lastError?: string;
  positionOffsetM: number;
  /** Last status published, to report changes only. */
  lastStatus?: string;
  /** Heartbeat period the sensor declared (s); silent after MISSED_HEARTBEATS of them. */
  heartbeatS?: number;
  /** Set when the sensor said it was leaving; cleared when it is heard again. */
  offline?: { t: number; reason: string };
}

/**
 * A sensor that declared its heartbeat period is silent once this many periods pass without
 * a word from it: one late report (a busy link, a clock skew) and one lost are tolerated, the
 * third missing in a row is a failure.
 */
export const MISSED_HEARTBEATS = 3;

const EXEMPT_FROM_STUCK = new Set(['radar', 'adsb', 'remote_id']);

/** Deepest nesting of objects and arrays in a registered sensor row. */
const MAX_ROW_DEPTH = 16;
/** Longest registered sensor row, as JSON (characters). */
const MAX_ROW_CHARS = 256 * 1024;
/** A sensor id's longest (it names MQTT topics and API paths). */
export const MAX_ID_CHARS = PLAUSIBLE.sensorIdChars;

export function createSensorRegistry(opts: HealthOptions) {
  const defs = new Map<string, Record<string, unknown>>();
  const parsed = new Map<string, Sensor>();
  const health = new Map<string, Health>();

  const h = (id: string): Health => {
    let x = health.get(id);
    if (!x) {
      x = { lastSeen: -Infinity, buckets: new Map(), accepted: 0, rejected: 0, recentRejected: 0, recentAccepted: 0, positionOffsetM: 0 };
      health.set(id, x);
    }
    return x;
  };

  function status(id: string, now: number): { status: SensorStatus; reason?: string } {
    const x = health.get(id);
    if (!x || x.lastSeen === -Infinity) return { status: 'never_seen' };
    if (x.offline) return { status: 'offline', reason: `${x.offline.reason} (${Math.round(now - x.offline.t)} s ago)` };
    if (x.heartbeatS !== undefined) {
      if (now - x.lastSeen > MISSED_HEARTBEATS * x.heartbeatS) {
        return { status: 'silent', reason: `not heard for ${Math.round(now - x.lastSeen)} s (${MISSED_HEARTBEATS} status intervals of ${x.heartbeatS} s missed)` };
      }
    } else if (now - x.lastSeen > opts.silentAfterS) return { status: 'silent', reason: `not heard for ${Math.round(now - x.lastSeen)} s` };
    if (x.positionOffsetM > opts.maxPositionOffsetM) return { status: 'implausible', reason: `reports its position ${Math.round(x.positionOffsetM)} m from the registered one` };
    if (x.recentRejected >= 20 && x.recentRejected > x.recentAccepted) return { status: 'implausible', reason: `most of its input is rejected (${x.recentRejected} of ${x.recentRejected + x.recentAccepted}); last: ${x.lastError ?? ''}` };
    const kind = String(defs.get(id)?.kind ?? '');
    if (!EXEMPT_FROM_STUCK.has(kind)) {
      const m = Math.floor(now / 60);
      let stuck = true;
      for (let k = 1; k <= 5; k++) if ((x.buckets.get(m - k) ?? 0) < opts.stuckPerMin) stuck = false;
      if (stuck) return { status: 'stuck', reason: `detecting at least ${opts.stuckPerMin} times a minute for 5 minutes` };
    }
    return { status: 'ok' };
  }

  return {
    /** Registers or replaces sensors from sensors.json rows. Returns errors naming each bad row (the good ones are taken). */
    register(rows: readonly Record<string, unknown>[]): string[] {
      const errors: string[] = [];
      for (const row of rows) {
        // a row is written out to be read as sensors.json: bounded first (a field nested 100,000
        // deep overflowed the stack, a 7 MB string was stored)
        const name = typeof row?.id === 'string' ? JSON.stringify(row.id.slice(0, 60)) : 'without an id';
        if (typeof row === 'object' && row !== null && nestsDeeper(row, 0, MAX_ROW_DEPTH)) {
          errors.push(`sensor ${name}: nested more than ${MAX_ROW_DEPTH} levels deep`);
          continue;
        }
        // an id is a topic level of MQTT and a path segment of the API: bounded, and without the
        // characters MQTT gives a meaning (an outside probe registered "x/+/#" and a 100,000
        // character id)
        if (typeof row?.id === 'string') {
          if (row.id.length > MAX_ID_CHARS) {
            errors.push(`sensor ${name}: id of ${row.id.length} characters; at most ${MAX_ID_CHARS}`);
            continue;
          }
          // eslint-disable-next-line no-control-regex
          const bad = /[+#\u0000-\u001f\u007f]/.exec(row.id);
          if (bad) {
            errors.push(`sensor ${name}: id has ${bad[0] === '+' || bad[0] === '#' ? `"${bad[0]}" (an MQTT wildcard)` : `a control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})`} at ${bad.index}`);
            continue;
          }
        }
        const text = JSON.stringify({ sensors: [row] });
        if (text.length > MAX_ROW_CHARS) {
          errors.push(`sensor ${name}: ${text.length} characters as JSON, more than the ${MAX_ROW_CHARS} a sensor row may take`);
          continue;
        }
        const r = parseSensorsJson(text);
        if (!r.ok) {
          errors.push(...r.errors);
          continue;
        }
        for (const [id, s] of r.sensors) {
          defs.set(id, row);
          parsed.set(id, s);
        }
      }
      return errors;
    },
    remove(id: string): boolean {
      health.delete(id);
      defs.delete(id);
      return parsed.delete(id);
    },
    /** Parsed sensors for the detection parser (live view). */
    sensors: parsed as ReadonlyMap<string, Sensor>,
    def(id: string): Record<string, unknown> | undefined {
      return defs.get(id);
    },
    ids(): string[] {
      return [...defs.keys()];
    },
    /** A detection accepted at time `now`; `sensorPos` is the position it reported for itself, if any. */
    accepted(id: string, now: number, sensorPos?: { lat: number; lon: number }): void {
      const x = h(id);
      x.lastSeen = now;
      x.offline = undefined;
      x.accepted++;
      x.recentAccepted++;
      const m = Math.floor(now / 60);
      x.buckets.set(m, (x.buckets.get(m) ?? 0) + 1);
      if (x.buckets.size > 6) for (const k of x.buckets.keys()) if (k < m - 5) x.buckets.delete(k);
      const reg = parsed.get(id)?.position;
      if (sensorPos && reg) {
        const dLat = ((sensorPos.lat - reg.latDeg) * Math.PI) / 180;
        const dLon = (((sensorPos.lon - reg.lonDeg) * Math.PI) / 180) * Math.cos((reg.latDeg * Math.PI) / 180);
        x.positionOffsetM = 6371000 * Math.hypot(dLat, dLon);
      }
    },
    rejected(id: string, now: number, reason: string): void {
      if (!defs.has(id)) return; // unknown sensors are counted by the ingest, not here
      const x = h(id);
      x.rejected++;
      x.recentRejected++;
      x.lastError = reason;
      void now;
    },
    /** A status message (heartbeat) from the sensor. */
    heard(id: string, now: number): void {
      const x = h(id);
      x.lastSeen = now;
      x.offline = undefined;
    },
    /**
     * The heartbeat period (s) the sensor declared (a SAPIENT node's registered status
     * interval): silent after {@link MISSED_HEARTBEATS} periods unheard instead of
     * `silentAfterS`. Null: back to `silentAfterS`.
     */
    heartbeat(id: string, periodS: number | null): void {
      const x = h(id);
      if (periodS === null || !(periodS > 0) || !Number.isFinite(periodS)) x.heartbeatS = undefined;
      else x.heartbeatS = periodS;
    },
    /** The sensor said it is leaving (`reason`, e.g. a SAPIENT goodbye): `offline` until heard again. The sensor stays registered. */
    gone(id: string, now: number, reason: string): void {
      const x = h(id);
      x.lastSeen = Math.max(x.lastSeen, now);
      x.offline = { t: now, reason };
    },
    /** Halves the recent accept/reject counts (call every minute): a decaying window. */
    decay(): void {
      for (const x of health.values()) {
        x.recentAccepted = Math.floor(x.recentAccepted / 2);
        x.recentRejected = Math.floor(x.recentRejected / 2);
      }
    },
    wire(id: string, now: number): SensorWire | null {
      const def = defs.get(id);
      if (!def) return null;
      const x = health.get(id);
      const st = status(id, now);
      const m = Math.floor(now / 60);
      let n = 0;
      if (x) for (let k = 1; k <= 5; k++) n += x.buckets.get(m - k) ?? 0;
      const w: SensorWire = {
        id,
        kind: String(def.kind ?? 'unknown'),
        status: st.status,
        rate_per_min: Math.round((n / 5) * 10) / 10,
        accepted: x?.accepted ?? 0,
        rejected: x?.rejected ?? 0,
      };
      if (typeof def.lat === 'number') w.lat = def.lat;
      if (typeof def.lon === 'number') w.lon = def.lon;
      if (typeof def.alt_m === 'number') w.alt_m = def.alt_m;
      if (typeof def.range_m === 'number') w.range_m = def.range_m;
      if (st.reason) w.status_reason = st.reason;
      if (x && x.lastSeen > -Infinity) w.last_seen = x.lastSeen;
      if (x?.lastError) w.last_error = x.lastError;
      return w;
    },
    /** Sensors whose status changed since the last call (all of them on the first). */
    changed(now: number): SensorWire[] {
      const out: SensorWire[] = [];
      for (const id of defs.keys()) {
        const st = status(id, now).status;
        const x = h(id);
        if (x.lastStatus !== st) {
          x.lastStatus = st;
          const w = this.wire(id, now);
          if (w) out.push(w);
        }
      }
      return out;
    },
    all(now: number): SensorWire[] {
      const out: SensorWire[] = [];
      for (const id of defs.keys()) {
        const w = this.wire(id, now);
        if (w) out.push(w);
      }
      return out;
    },
  };
}
export type SensorRegistry = ReturnType<typeof createSensorRegistry>;
