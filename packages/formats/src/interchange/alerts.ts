/** `alerts.ndjson` rows (spec/interchange.md): one per change of a zone's alert state. */
import { PLAUSIBLE } from './plausible.js';
import { checkFinite, checkFiniteWithin, isBlank, lineError, parseJsonObject, show, type LineError } from './check.js';

export interface AlertRow {
  t: number;
  zone: string;
  state: 'alert' | 'clear';
  eta_s?: number;
  tracks?: string[];
  [extra: string]: unknown;
}

export type AlertLineResult = { ok: true; row: AlertRow } | LineError | null;

/** Parses one line of alerts.ndjson; null for a blank line. */
export function parseAlertLine(line: string, lineNo: number): AlertLineResult {
  if (isBlank(line)) return null;
  const o = parseJsonObject(line);
  if (typeof o === 'string') return lineError(lineNo, o);
  let err: string | undefined;
  if ((err = checkFiniteWithin('t', o.t, PLAUSIBLE.tMin, PLAUSIBLE.tMax)) !== undefined) return lineError(lineNo, err);
  if (typeof o.zone !== 'string' || o.zone.length === 0) return lineError(lineNo, `zone must be a non-empty string, got ${show(o.zone)}`);
  if (o.state !== 'alert' && o.state !== 'clear') return lineError(lineNo, `state must be "alert" or "clear", got ${show(o.state)}`);
  if (o.eta_s !== undefined && o.eta_s !== null && (err = checkFinite('eta_s', o.eta_s)) !== undefined) return lineError(lineNo, err);
  if (o.tracks !== undefined && !(Array.isArray(o.tracks) && o.tracks.every((x) => typeof x === 'string'))) {
    return lineError(lineNo, `tracks must be an array of track ids (strings), got ${show(o.tracks)}`);
  }
  return { ok: true, row: o as unknown as AlertRow };
}
