/**
 * Helpers shared by the CoT writers: numbers as `xs:decimal` (no exponent), times as
 * `xs:dateTime` in UTC, and the `<point>` element.
 */
import { escapeXml } from './xml.js';

/** CoT's "unknown" value for hae, ce and le (metres). */
export const COT_UNKNOWN = 9999999;

/** A finite number as an `xs:decimal` with `digits` decimals (never exponent notation). */
export function decimal(v: number, digits: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`a CoT number must be finite, got ${v}`);
  const s = v.toFixed(digits);
  // toFixed switches to exponent notation only beyond 1e21: out of any CoT range.
  if (s.includes('e')) throw new RangeError(`a CoT number must be below 1e21 in magnitude, got ${v}`);
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** Seconds since the Unix epoch as an ISO 8601 UTC time with milliseconds (`2025-11-24T12:00:00.000Z`). */
export function cotTime(t: number): string {
  const d = new Date(t * 1000);
  if (!Number.isFinite(t) || Number.isNaN(d.getTime())) throw new RangeError(`a CoT time must be a finite time in seconds, got ${t}`);
  const iso = d.toISOString();
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`a CoT time must fall within years 0000-9999, got ${t}`);
  return iso;
}

/** Attribute text: ` name="value"` with the value escaped. */
export function attr(name: string, value: string): string {
  return ` ${name}="${escapeXml(value)}"`;
}

/**
 * The `<point>` element. `hae`, `ce`, `le` in metres; undefined means unknown (9999999).
 * Latitude and longitude in degrees with 7 decimals (about 1 cm).
 */
export function pointXml(latDeg: number, lonDeg: number, hae: number | undefined, ce: number | undefined, le: number | undefined): string {
  if (!(latDeg >= -90 && latDeg <= 90)) throw new RangeError(`lat must be within [-90, 90], got ${latDeg}`);
  if (!(lonDeg >= -180 && lonDeg <= 180)) throw new RangeError(`lon must be within [-180, 180], got ${lonDeg}`);
  const m = (v: number | undefined): string => (v === undefined ? '9999999.0' : decimal(v, 1));
  return (
    `<point${attr('lat', decimal(latDeg, 7))}${attr('lon', decimal(lonDeg, 7))}` +
    `${attr('hae', m(hae))}${attr('ce', m(ce))}${attr('le', m(le))}/>`
  );
}

/** The XML declaration written before every event. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
