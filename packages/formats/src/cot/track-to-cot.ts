/**
 * A Skywarden track as a Cursor-on-Target event (CoT event schema 2.0, `cot-event.xsd`), as
 * TAK clients (ATAK, WinTAK, iTAK, TAK Server) take it:
 *
 * ```xml
 * <event version="2.0" uid="skywarden-17" type="a-h-A-M-F-Q" how="m-f" time=… start=… stale=…>
 *   <point lat lon hae ce le/>
 *   <detail>
 *     <track course speed/>  <contact callsign/>  <remarks>…</remarks>
 *     <skywarden track status label threat affiliation pos_sd_m>
 *       <class label p/>…  <sensor id/>…
 *     </skywarden>
 *   </detail>
 * </event>
 * ```
 *
 * Errors: the schema's documentation defines `ce` and `le` as the one-sigma point of a
 * zero-mean normal distribution when they describe an error. So `ce` is the track's
 * `pos_sd_m` (a one-sigma horizontal error per axis) and `le` the one-sigma vertical error
 * given in the options; unknown values are written as CoT's 9999999. `hae` is the track's
 * `alt_m`, already a height above the WGS84 ellipsoid.
 */
import type { TrackWire } from '../live/wire.js';
import { cotTypeFor } from './cot-types.js';
import { attr, cotTime, decimal, pointXml, XML_DECLARATION } from './cot-write.js';
import { escapeXml } from './xml.js';

/** Options of {@link trackToCot}. */
export interface TrackToCotOptions {
  /** When the event is generated (`time`), seconds since the Unix epoch. Default: `track.t`. */
  now?: number;
  /** How long after `track.t` the event goes stale (s). Default 15. */
  staleS?: number;
  /** Prefix of the event uid; the uid is the prefix and the track id. Default `skywarden-`. */
  uidPrefix?: string;
  /** Vertical one-sigma error of `alt_m` (m), written as `le`. Default: unknown (9999999). */
  altSdM?: number;
  /** Prefix of the callsign TAK shows; the callsign is the prefix, the track id and the label. Default `SW-`. */
  callsignPrefix?: string;
  /** Write the `<?xml …?>` declaration first. Default true. */
  xmlDeclaration?: boolean;
  /** CoT `opex`: `o` operations, `e` exercise, `s` simulation, each optionally `-<name>` (see {@link checkOpex}). Default none ("no statement"). */
  opex?: string;
}

/** A CoT `opex` value as {@link checkOpex} takes it. */
export const COT_OPEX = /^[oes](-[A-Za-z0-9._-]{1,64})?$/;

/**
 * Checks a CoT `opex` value (cot-event.xsd: `o`, `e` or `s`, optionally followed by
 * `-<name>`) and returns it; throws a RangeError naming the value otherwise.
 */
export function checkOpex(opex: string): string {
  if (!COT_OPEX.test(opex)) throw new RangeError(`CoT opex must be o, e or s, optionally followed by -<name> (letters, digits, . _ -), got ${JSON.stringify(opex)}`);
  return opex;
}

/** Default of {@link TrackToCotOptions.staleS} (s). */
export const DEFAULT_TRACK_STALE_S = 15;

/** Default uid prefix of Skywarden's CoT events. */
export const DEFAULT_COT_UID_PREFIX = 'skywarden-';

function check(field: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`track ${field} must be a finite number, got ${v}`);
}

/**
 * Builds the CoT event of a track (one XML document). The type follows the class label and
 * affiliation ({@link cotTypeFor}); `how` is `m-f` (machine, fused). Throws a `RangeError` on
 * a track with non-finite numbers or out-of-range coordinates (a programmer error: tracks come
 * from the tracker).
 */
export function trackToCot(track: TrackWire, opts: TrackToCotOptions = {}): string {
  check('t', track.t);
  check('lat', track.lat);
  check('lon', track.lon);
  check('pos_sd_m', track.pos_sd_m);
  check('speed_mps', track.speed_mps);
  check('course_deg', track.course_deg);
  if (track.alt_m !== undefined) check('alt_m', track.alt_m);
  const staleS = opts.staleS ?? DEFAULT_TRACK_STALE_S;
  if (!(staleS > 0)) throw new RangeError(`staleS must be positive, got ${staleS}`);
  const uid = (opts.uidPrefix ?? DEFAULT_COT_UID_PREFIX) + track.track;
  const type = cotTypeFor(track.label, track.affiliation);
  const hasAlt = track.alt_m !== undefined;
  const le = hasAlt && opts.altSdM !== undefined && opts.altSdM > 0 ? opts.altSdM : undefined;
  const course = ((track.course_deg % 360) + 360) % 360;

  const classes = Object.entries(track.class ?? {})
    .filter(([, p]) => typeof p === 'number' && Number.isFinite(p))
    .sort((a, b) => b[1] - a[1]);
  const pct = classes.length > 0 && classes[0]![0] === track.label ? ` ${Math.round(classes[0]![1] * 100)}%` : '';
  const remarks =
    `Skywarden track ${track.track} (${track.status}): ${track.label}${pct}, ${track.affiliation}, ` +
    `threat ${track.threat.toFixed(2)}, ${Math.round(track.speed_mps)} m/s course ${Math.round(course)}°` +
    (track.sensors.length > 0 ? `. Sensors: ${track.sensors.join(', ')}` : '') +
    (track.cooperative_id !== undefined ? `. Id: ${track.cooperative_id}` : '');

  let sw =
    `<skywarden${attr('version', '1')}${attr('track', track.track)}${attr('status', track.status)}` +
    `${attr('label', track.label)}${attr('threat', decimal(track.threat, 3))}${attr('affiliation', track.affiliation)}` +
    `${attr('pos_sd_m', decimal(track.pos_sd_m, 1))}` +
    (track.cooperative_id !== undefined ? attr('cooperative_id', track.cooperative_id) : '') +
    '>';
  for (const [label, p] of classes) sw += `<class${attr('label', label)}${attr('p', decimal(p, 3))}/>`;
  for (const s of track.sensors) sw += `<sensor${attr('id', s)}/>`;
  sw += '</skywarden>';

  const callsign = `${opts.callsignPrefix ?? 'SW-'}${track.track} ${track.label}`;
  const event =
    `<event${attr('version', '2.0')}${attr('uid', uid)}${attr('type', type)}${attr('how', 'm-f')}` +
    `${attr('time', cotTime(opts.now ?? track.t))}${attr('start', cotTime(track.t))}${attr('stale', cotTime(track.t + staleS))}` +
    `${opts.opex !== undefined ? attr('opex', checkOpex(opts.opex)) : ''}>` +
    pointXml(track.lat, track.lon, track.alt_m, track.pos_sd_m > 0 ? track.pos_sd_m : undefined, le) +
    '<detail>' +
    `<track${attr('course', decimal(course, 1))}${attr('speed', decimal(track.speed_mps, 2))}/>` +
    `<contact${attr('callsign', callsign)}/>` +
    `<remarks>${escapeXml(remarks)}</remarks>` +
    sw +
    '</detail></event>';
  return (opts.xmlDeclaration ?? true) ? XML_DECLARATION + event : event;
}

/** The uid {@link trackToCot} gives a track's events. */
export function cotUidOfTrack(trackId: string, uidPrefix: string = DEFAULT_COT_UID_PREFIX): string {
  return uidPrefix + trackId;
}
