/**
 * CAP 1.2 (OASIS Common Alerting Protocol, Version 1.2, 1 July 2010) messages for zone
 * warnings (docs/warnings.md "Publishing: CAP and webhooks").
 *
 * One `<alert>` per change of a zone's alert state: `Alert` for the first raise of an
 * episode, `Update` for a change within it and for the all-clear (responseType AllClear),
 * `Cancel` only to withdraw a warning sent in error, with `<references>` to the episode's
 * earlier messages. Times are written as `YYYY-MM-DDThh:mm:ss+00:00` (CAP
 * §3.3.2: no `Z`, no fractions). The encoder is pure (no clock, no I/O): the same change
 * and options give the same bytes. Output validates against the CAP 1.2 schema
 * (`packages/formats/schemas/cap12.xsd`, checked with xmllint in the tests).
 *
 * Polygons: CAP has outer rings only (no holes), as space-separated `lat,lon` pairs, first
 * equal to last, at least 4 pairs (CAP §3.2.4). Each outer ring of a (Multi)Polygon zone
 * becomes one `<polygon>`; holes are dropped (the area is over-stated, never under-stated).
 * Rings longer than `maxPolygonPoints` (default 1000) are simplified by Douglas-Peucker
 * (Douglas & Peucker 1973), keeping the most significant vertices.
 */
import { simplifyIndices } from '../ring-simplify.js';
import { checkText } from '../interchange/check.js';
import type { AlertEvent, AlertTier, AlertTransition } from '@skywarden/core';

/** CAP `<status>` values this encoder writes. */
export type CapStatus = 'Actual' | 'Exercise' | 'Test';
/** CAP `<msgType>` values this encoder writes. */
export type CapMsgType = 'Alert' | 'Update' | 'Cancel';

/** One earlier message, as CAP `<references>` names it ("sender,identifier,sent"). */
export interface CapReference {
  sender: string;
  identifier: string;
  /** The earlier message's `<sent>`, as written (`…+00:00`). */
  sent: string;
}

/** What the encoder needs of a zone (the zones.geojson reader's `Zone` is one). Rings are flat `[lon0, lat0, lon1, lat1, …]` in degrees. */
export interface CapZone {
  id: string;
  name: string;
  area: { polygons: readonly { rings: readonly ArrayLike<number>[] }[] };
  /** The zone's official code (CAP `<geocode>`), e.g. `{ valueName: 'KOSTAT', value: '11010' }`. */
  geocode?: { valueName: string; value: string };
  /** The zone's name by language (the primary subtag: `ko`), for the `<info>` of that language. */
  names?: Readonly<Record<string, string>>;
}

/** One change of a zone's alert state, with its zone. */
export interface CapAlertChange {
  zone: CapZone;
  state: 'alert' | 'clear';
  /** Time of the change, s since the Unix epoch. */
  t: number;
  /** Predicted time to entry (s after `t`); 0 when a track is inside; absent for a manual raise or a clear. */
  etaS?: number;
  /** The zone's tier (drives urgency and severity); absent: from the ETA and `immediateWithinS`. */
  tier?: AlertTier;
  /** Tracks raising or holding the zone. */
  tracks: readonly string[];
  reason: string;
  manual?: boolean;
  who?: string;
}

/** Settings shared by every message of one sender. */
export interface CapOptions {
  /** CAP `<sender>`: no spaces, commas, `<` or `&` (CAP §3.2.1), e.g. `skywarden@warn.example.org`. Required. */
  sender: string;
  /** CAP `<status>`. Default `Exercise`: set `Actual` only in a real deployment. */
  status?: CapStatus;
  /** `<language>` of the info block (RFC 3066). Default `en-US`. Ignored when `languages` is given. */
  language?: string;
  /**
   * One `<info>` block per language, in this order (RFC 3066 tags whose primary subtag has
   * built-in texts: `en`, `ko`). Default `[language]`.
   */
  languages?: readonly string[];
  /** Instructions by language tag (as in `languages`), replacing the built-in ones of that language. */
  instructions?: Readonly<Record<string, { shelter?: string; clear?: string }>>;
  /** `<senderName>`. Default `Skywarden`. */
  senderName?: string;
  /** `<event>`. Default `Drone attack warning`. */
  event?: string;
  /** Urgency is `Immediate` when the ETA is at most this (s), or a track is inside, or an operator raised the zone; else `Expected`. Default 180. */
  immediateWithinS?: number;
  /** `<expires>` is this many seconds after `<sent>`. Default 3600. */
  expiresS?: number;
  /** Longest `<polygon>` (points, closing point included); longer rings are simplified. Default 1000, least 4. */
  maxPolygonPoints?: number;
  /** Most track ids named in the description (the rest are counted). Default 20. */
  maxTracksListed?: number;
  /** `<instruction>` of a raise or update in English (the first English block). Prefer `instructions`. */
  instruction?: string;
  /** `<instruction>` of the all-clear in English. Prefer `instructions`. */
  clearInstruction?: string;
  /** `<note>`; default for `Exercise`: a sentence saying it is one. */
  note?: string;
}

/** What makes one message of a stream: its type, the earlier messages it refers to, and optionally its identifier. */
export interface CapMessageOptions extends CapOptions {
  msgType: CapMsgType;
  references?: readonly CapReference[];
  /** When the message is made (s since the epoch): `<sent>`, and `<expires>` counts from it. Default the change's `t`. The identifier stays on `t`. */
  sentT?: number;
  /** Default {@link capIdentifier}(sender, zone id, t). No spaces, commas, `<` or `&`. */
  identifier?: string;
}

/** An encoded message with the header fields a feed or a publisher keeps. */
export interface CapMessage {
  identifier: string;
  sender: string;
  sent: string;
  status: CapStatus;
  msgType: CapMsgType;
  zone: string;
  references: CapReference[];
  /** The whole document, UTF-8 text with an XML declaration. */
  xml: string;
}

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

export const CAP_DEFAULTS = Object.freeze({
  status: 'Exercise' as CapStatus,
  language: 'en-US',
  senderName: 'Skywarden',
  event: 'Drone attack warning',
  immediateWithinS: 180,
  expiresS: 3600,
  maxPolygonPoints: 1000,
  maxTracksListed: 20,
  exerciseNote: 'Exercise: this message was generated from simulated or recorded data. No action is required.',
});

// ---------------------------------------------------------------- text helpers

/** Characters XML 1.0 forbids (controls other than tab, LF, CR; lone surrogates; U+FFFE, U+FFFF), replaced by U+FFFD. */
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content or attribute values (&, <, >, ", ') and replaces characters XML cannot carry by U+FFFD. */
export function xmlEscape(s: string): string {
  return s.replace(XML_FORBIDDEN, '\uFFFD').replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A CAP date-time (CAP §3.3.2) for `t` seconds since the Unix epoch, in UTC written as
 * `+00:00`: `2024-05-01T12:00:00+00:00`. Fractions of a second are truncated (CAP has none).
 * Throws on a time outside years 0-9999.
 */
export function formatCapTime(t: number): string {
  const d = new Date(Math.floor(t) * 1000);
  if (!Number.isFinite(t) || Number.isNaN(d.getTime()) || d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999) {
    throw new Error(`CAP: time must be seconds since the epoch within years 0-9999, got ${t}`);
  }
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`;
}

/** Whether `s` may be a CAP sender or identifier: non-empty, no whitespace, commas, `<` or `&` (CAP §3.2.1). */
export function isCapToken(s: string): boolean {
  return typeof s === 'string' && s.length > 0 && !/[\s,<&]/.test(s);
}

/** Longest CAP sender id taken (`alerts.cap_sender`, `skywarden track --cap-sender`). */
export const CAP_SENDER_MAX = 256;

/**
 * Why `s` cannot be the CAP `<sender>`; undefined when it can. CAP 1.2 forbids spaces, commas
 * and restricted characters (< and &) in it; every message and the Atom feed carry it, so it must
 * also read as written ({@link checkText}: no control, bidirectional or invisible characters) and
 * be at most {@link CAP_SENDER_MAX} characters.
 */
export function checkCapSender(s: string): string | undefined {
  if (!isCapToken(s)) return 'it must be non-empty, with no spaces, commas, < or &';
  if (s.length > CAP_SENDER_MAX) return `it must be at most ${CAP_SENDER_MAX} characters, got ${s.length}`;
  return checkText('the sender', s);
}

/** 32-bit FNV-1a of the UTF-16 code units, as 8 hex digits: a short stable tag, not a security hash. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Makes text safe for an identifier and a file name: letters, digits, `.`, `_` and `-`
 * stay; every other character becomes `%XX` of its UTF-8 bytes (so distinct texts stay
 * distinct). Longer than `max` characters: cut, then `~` and a hash of the whole text.
 */
export function capSafeToken(s: string, max = 64): string {
  const bytes = new TextEncoder().encode(s);
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > max) out = `${out.slice(0, max - 9).replace(/%[0-9A-F]?$/, '')}~${fnv1a(s)}`;
  return out;
}

/** The host part of a sender (after the last `@`), or the whole sender. */
function senderHost(sender: string): string {
  const at = sender.lastIndexOf('@');
  return at >= 0 && at < sender.length - 1 ? sender.slice(at + 1) : sender;
}

/**
 * The default message identifier: `skywarden-<sender host>-<zone id>-<UTC time of t>`,
 * e.g. `skywarden-warn.example.org-seoul-11110-20240501T120000Z`; host and zone id pass
 * through {@link capSafeToken}, so it is also a safe file name. Unique per sender as long as
 * one zone changes at most once a second; {@link createCapPublisher} adds `-2`, `-3`, … when not.
 */
export function capIdentifier(sender: string, zoneId: string, t: number): string {
  const sent = formatCapTime(t);
  const stamp = sent.slice(0, 19).replace(/[-:]/g, '') + 'Z';
  return `skywarden-${capSafeToken(senderHost(sender), 48)}-${capSafeToken(zoneId)}-${stamp}`;
}

// ---------------------------------------------------------------- polygons

function coord(x: number): string {
  const s = x.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/**
 * The CAP `<polygon>` text of one ring (flat `[lon, lat, …]`, closed or not): `lat,lon`
 * pairs with 6 decimals (0.1 m), repeated points dropped, closed, simplified to at most
 * `maxPoints` points. Null when fewer than 3 distinct points remain.
 */
export function capPolygonText(ring: ArrayLike<number>, maxPoints: number = CAP_DEFAULTS.maxPolygonPoints): string | null {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 4)) throw new Error(`CAP: maxPolygonPoints must be an integer >= 4, got ${maxPoints}`);
  const pts: string[] = [];
  const lons: number[] = [];
  const lats: number[] = [];
  for (let i = 0; i + 1 < ring.length; i += 2) {
    const lon = ring[i];
    const lat = ring[i + 1];
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
    const p = `${coord(lat)},${coord(lon)}`;
    if (pts.length > 0 && pts[pts.length - 1] === p) continue;
    pts.push(p);
    lons.push(lon);
    lats.push(lat);
  }
  while (pts.length > 1 && pts[pts.length - 1] === pts[0]) {
    pts.pop();
    lons.pop();
    lats.pop();
  }
  if (new Set(pts).size < 3) return null;
  let keep: number[] = pts.map((_, i) => i);
  if (pts.length + 1 > maxPoints) {
    const meanLat = lats.reduce((a, b) => a + b, 0) / lats.length;
    const c = Math.cos((meanLat * Math.PI) / 180);
    keep = simplifyIndices(Float64Array.from(lons, (x) => x * c), Float64Array.from(lats), maxPoints - 1);
  }
  const out = keep.map((i) => pts[i]);
  out.push(out[0]);
  return out.join(' ');
}

/** The `<polygon>` texts of a zone: one per outer ring (holes dropped), degenerate rings skipped. */
export function capPolygons(zone: CapZone, maxPoints: number = CAP_DEFAULTS.maxPolygonPoints): string[] {
  const out: string[] = [];
  for (const p of zone.area.polygons) {
    if (p.rings.length === 0) continue;
    const text = capPolygonText(p.rings[0], maxPoints);
    if (text !== null) out.push(text);
  }
  return out;
}

// ---------------------------------------------------------------- encoder

/** What one language says; every sentence is built here, so a language is one table. */
interface CapTexts {
  event: string;
  duration(s: number): string;
  headlineManual(event: string, name: string): string;
  headlineInside(event: string, name: string): string;
  headlineEta(event: string, name: string, eta: string): string;
  headlineThreat(event: string, name: string): string;
  headlineClear(name: string): string;
  manual(event: string, name: string, who?: string): string;
  inside(name: string): string;
  eta(name: string, eta: string, clock: string): string;
  threat(name: string): string;
  tracks(list: string, n: number): string;
  update: string;
  reason(r: string): string;
  cleared(event: string, name: string, who?: string): string;
  shelter: string;
  clear: string;
}

const EN: CapTexts = {
  event: 'Drone attack warning',
  duration(s) {
    const r = Math.max(0, Math.round(s));
    if (r < 60) return `${r} s`;
    const m = Math.floor(r / 60);
    const sec = r % 60;
    return sec === 0 ? `${m} min` : `${m} min ${sec} s`;
  },
  headlineManual: (event, name) => `${event}: ${name}`,
  headlineInside: (event, name) => `${event}: ${name}, drone overhead`,
  headlineEta: (event, name, eta) => `${event}: ${name}, drone expected in ${eta}`,
  headlineThreat: (event, name) => `${event}: ${name}`,
  headlineClear: (name) => `All clear: ${name}`,
  manual: (event, name, who) => `An operator${who ? ` (${who})` : ''} raised the ${event.toLowerCase()} for ${name}.`,
  inside: (name) => `A drone is over ${name} now.`,
  eta: (name, eta, clock) => `A drone is predicted to reach ${name} in about ${eta} (at about ${clock} UTC).`,
  threat: (name) => `Drones threaten ${name}.`,
  tracks: (list, n) => `${n === 1 ? 'Track' : 'Tracks'}: ${list}.`,
  update: 'This message updates the earlier warning.',
  reason: (r) => `Reason: ${r}`,
  cleared: (event, name, who) => `The ${event.toLowerCase()} for ${name} has ended${who ? ` (ended by ${who})` : ''}.`,
  shelter:
    'Take shelter now inside a solid building, away from windows, or in an underground shelter, and stay there until the all-clear. ' +
    'Do not approach, film or try to down drones; report sightings to the authorities.',
  clear: 'The drone threat to this area has ended. You may leave shelter; follow the instructions of the local authorities. Do not touch debris; report it.',
};

const KO: CapTexts = {
  event: '드론 공격 경보',
  duration(s) {
    const r = Math.max(0, Math.round(s));
    if (r < 60) return `${r}초`;
    const m = Math.floor(r / 60);
    const sec = r % 60;
    return sec === 0 ? `${m}분` : `${m}분 ${sec}초`;
  },
  headlineManual: (event, name) => `${event}: ${name}`,
  headlineInside: (event, name) => `${event}: ${name} 상공에 드론`,
  headlineEta: (event, name, eta) => `${event}: ${name}, 약 ${eta} 후 드론 도달 예상`,
  headlineThreat: (event, name) => `${event}: ${name}`,
  headlineClear: (name) => `경보 해제: ${name}`,
  manual: (event, name, who) => `운영자${who ? `(${who})` : ''}가 ${name}에 ${event}를 발령했습니다.`,
  inside: (name) => `지금 ${name} 상공에 드론이 있습니다.`,
  eta: (name, eta, clock) => `드론이 약 ${eta} 후(UTC 기준 ${clock}경) ${name}에 도달할 것으로 예측됩니다.`,
  threat: (name) => `${name}에 드론 위협이 있습니다.`,
  tracks: (list) => `추적 번호: ${list}.`,
  update: '이 메시지는 앞선 경보를 갱신합니다.',
  reason: (r) => `사유(시스템 기록): ${r}`,
  cleared: (event, name, who) => `${name}의 ${event}가 해제되었습니다${who ? `(해제: ${who})` : ''}.`,
  shelter:
    '지금 즉시 튼튼한 건물 안의 창문에서 떨어진 곳이나 지하 대피소로 대피하고, 경보가 해제될 때까지 머무르십시오. ' +
    '드론에 다가가거나 촬영하거나 떨어뜨리려 하지 마시고, 목격하면 당국에 신고하십시오.',
  clear: '이 지역에 대한 드론 위협이 끝났습니다. 대피 장소에서 나와도 되며, 지방자치단체의 안내를 따르십시오. 잔해는 만지지 말고 신고하십시오.',
};

/** Built-in texts by primary language subtag. */
const TEXTS: Readonly<Record<string, CapTexts>> = Object.freeze({ en: EN, ko: KO });

/** The default `<info>` languages for a set of zones: Korean then English when any zone has a Korean name (KOSTAT districts do), else English. The batch command and the service both use it. */
export function capDefaultLanguages(zones: readonly Pick<CapZone, 'names'>[]): string[] {
  return zones.some((z) => z.names?.ko) ? ['ko-KR', 'en-US'] : ['en-US'];
}

/** The languages with built-in CAP texts (primary subtags). */
export const CAP_LANGUAGES: readonly string[] = Object.freeze(Object.keys(TEXTS));

const primary = (tag: string) => tag.split('-')[0].toLowerCase();

/**
 * The event name and instructions of a language tag (built-in texts by its primary subtag, the
 * instructions replaced by `instructions[language]` where given): what a CAP `<info>` of that
 * language says, and what the public page shows. Undefined when the language has no built-in texts.
 */
export function capLanguageTexts(language: string, instructions?: Readonly<Record<string, { shelter?: string; clear?: string }>>): { event: string; shelter: string; clear: string } | undefined {
  const L = TEXTS[primary(language)];
  if (!L) return undefined;
  const own = instructions?.[language] ?? {};
  return { event: L.event, shelter: own.shelter ?? L.shelter, clear: own.clear ?? L.clear };
}

function trackList(tracks: readonly string[], max: number): string {
  const shown = tracks.slice(0, max).join(', ');
  return tracks.length > max ? `${shown} +${tracks.length - max}` : shown;
}

interface CheckedOptions {
  sender: string;
  status: CapStatus;
  languages: string[];
  senderName: string;
  /** The event name by language: `event` for English, the built-in one otherwise. */
  event: string | undefined;
  immediateWithinS: number;
  expiresS: number;
  maxPolygonPoints: number;
  maxTracksListed: number;
  instructions: Record<string, { shelter?: string; clear?: string }>;
  note: string | undefined;
}

function checkOptions(o: CapMessageOptions): CheckedOptions {
  if (!isCapToken(o.sender)) throw new Error(`CAP: sender must be non-empty without spaces, commas, < or &, got ${JSON.stringify(o.sender)}`);
  const status = o.status ?? CAP_DEFAULTS.status;
  const languages = o.languages !== undefined ? [...o.languages] : [o.language ?? CAP_DEFAULTS.language];
  const r: CheckedOptions = {
    sender: o.sender,
    status,
    languages,
    senderName: o.senderName ?? CAP_DEFAULTS.senderName,
    event: o.event,
    immediateWithinS: o.immediateWithinS ?? CAP_DEFAULTS.immediateWithinS,
    expiresS: o.expiresS ?? CAP_DEFAULTS.expiresS,
    maxPolygonPoints: o.maxPolygonPoints ?? CAP_DEFAULTS.maxPolygonPoints,
    maxTracksListed: o.maxTracksListed ?? CAP_DEFAULTS.maxTracksListed,
    instructions: { ...(o.instructions ?? {}) },
    note: o.note ?? (status === 'Exercise' ? CAP_DEFAULTS.exerciseNote : undefined),
  };
  if (!['Actual', 'Exercise', 'Test'].includes(r.status)) throw new Error(`CAP: status must be Actual, Exercise or Test, got ${JSON.stringify(r.status)}`);
  if (languages.length === 0) throw new Error('CAP: languages must name at least one language');
  for (const l of languages) {
    if (typeof l !== 'string' || !/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(l)) throw new Error(`CAP: language must be an RFC 3066 tag such as en-US, got ${JSON.stringify(l)}`);
    if (!(primary(l) in TEXTS)) throw new Error(`CAP: no built-in texts for language ${JSON.stringify(l)} (built in: ${CAP_LANGUAGES.join(', ')})`);
  }
  if (new Set(languages).size !== languages.length) throw new Error(`CAP: languages repeat a tag: ${JSON.stringify(languages)}`);
  for (const k of Object.keys(r.instructions)) {
    if (!languages.includes(k)) throw new Error(`CAP: instructions for ${JSON.stringify(k)}, which is not one of the languages ${JSON.stringify(languages)}`);
  }
  const firstEn = languages.find((l) => primary(l) === 'en');
  if (firstEn !== undefined && (o.instruction !== undefined || o.clearInstruction !== undefined)) {
    r.instructions[firstEn] = { shelter: o.instruction, clear: o.clearInstruction, ...r.instructions[firstEn] };
  }
  if (!(r.immediateWithinS >= 0)) throw new Error(`CAP: immediateWithinS must be >= 0 s, got ${r.immediateWithinS}`);
  if (!(r.expiresS > 0 && Number.isFinite(r.expiresS))) throw new Error(`CAP: expiresS must be a positive number of seconds, got ${r.expiresS}`);
  if (!(Number.isInteger(r.maxTracksListed) && r.maxTracksListed >= 0)) throw new Error(`CAP: maxTracksListed must be an integer >= 0, got ${r.maxTracksListed}`);
  return r;
}

/**
 * Encodes one change of a zone's alert state as a CAP 1.2 `<alert>` document, with one
 * `<info>` per language (docs/warnings.md "CAP").
 *
 * - raise / update (`state: 'alert'`): category Security and Safety, responseType Shelter;
 *   by tier: `imminent` (or an operator's raise) urgency Immediate, severity Extreme;
 *   `warning` Expected, Severe (without a tier: Immediate when the ETA is at most
 *   `immediateWithinS` or a track is inside); certainty Observed when a track is inside
 *   (ETA 0), else Likely; onset = t + ETA.
 * - all-clear (`state: 'clear'`, msgType Update within the episode): responseType AllClear,
 *   urgency Past, severity Minor, certainty Observed, onset = t. `Cancel` is for withdrawing
 *   a message sent in error (CAP §3.2.1), which an all-clear is not.
 * `<sent>` is `sentT` (when the message is made), `<expires>` = sent + `expiresS`. Each info
 * carries the zone as `<area>` (areaDesc = the zone's name in that language, its polygons, its
 * `<geocode>`) and parameters `zoneId`, `state`, `tier`, `etaS`, `tracks`, `manual`, `who` for
 * machines. Throws on bad options (the message names the value).
 */
export function encodeCapAlert(change: CapAlertChange, options: CapMessageOptions): CapMessage {
  const o = checkOptions(options);
  const msgType = options.msgType;
  if (!['Alert', 'Update', 'Cancel'].includes(msgType)) throw new Error(`CAP: msgType must be Alert, Update or Cancel, got ${JSON.stringify(msgType)}`);
  const references = (options.references ?? []).map((r) => ({ ...r }));
  for (const r of references) {
    if (!isCapToken(r.sender) || !isCapToken(r.identifier) || !isCapToken(r.sent)) throw new Error(`CAP: bad reference ${JSON.stringify(r)}`);
  }
  const t = change.t;
  const sentT = options.sentT ?? t;
  const sent = formatCapTime(sentT);
  const identifier = options.identifier ?? capIdentifier(o.sender, change.zone.id, t);
  if (!isCapToken(identifier)) throw new Error(`CAP: identifier must be non-empty without spaces, commas, < or &, got ${JSON.stringify(identifier)}`);
  const geocode = change.zone.geocode;
  if (geocode !== undefined && !(typeof geocode.valueName === 'string' && geocode.valueName !== '' && typeof geocode.value === 'string' && geocode.value !== '')) {
    throw new Error(`CAP: zone ${JSON.stringify(change.zone.id)} has a geocode without a valueName and value: ${JSON.stringify(geocode)}`);
  }
  const tracks = change.tracks.slice();
  const on = change.state === 'alert';
  const eta = change.etaS !== undefined && Number.isFinite(change.etaS) ? Math.max(0, change.etaS) : undefined;
  const inside = on && eta === 0 && !change.manual;
  const immediate = on && (change.tier !== undefined ? change.tier === 'imminent' || !!change.manual : change.manual || eta === undefined || eta <= o.immediateWithinS);
  const urgency = !on ? 'Past' : immediate ? 'Immediate' : 'Expected';
  const severity = !on ? 'Minor' : immediate ? 'Extreme' : 'Severe';
  const certainty = !on || inside ? 'Observed' : 'Likely';
  const tier = on ? (change.tier ?? (immediate ? 'imminent' : 'warning')) : 'none';
  const onset = formatCapTime(on && eta !== undefined ? t + eta : t);
  const expires = formatCapTime(sentT + o.expiresS);
  const clock = formatCapTime(t + (eta ?? 0)).slice(11, 19);

  const e = xmlEscape;
  const el = (tag: string, text: string, indent: string) => `${indent}<${tag}>${e(text)}</${tag}>\n`;
  const pair = (outer: string, k: string, v: string) => `    <${outer}>\n      <valueName>${e(k)}</valueName>\n      <value>${e(v)}</value>\n    </${outer}>\n`;
  let x = '<?xml version="1.0" encoding="UTF-8"?>\n';
  x += `<alert xmlns="${CAP_NAMESPACE}">\n`;
  x += el('identifier', identifier, '  ');
  x += el('sender', o.sender, '  ');
  x += el('sent', sent, '  ');
  x += el('status', o.status, '  ');
  x += el('msgType', msgType, '  ');
  x += el('scope', 'Public', '  ');
  if (o.note !== undefined) x += el('note', o.note, '  ');
  if (references.length > 0) x += el('references', references.map((r) => `${r.sender},${r.identifier},${r.sent}`).join(' '), '  ');
  for (const language of o.languages) {
    const L = TEXTS[primary(language)];
    const event = primary(language) === 'en' && o.event !== undefined ? o.event : L.event;
    const name = change.zone.names?.[primary(language)] || change.zone.name || change.zone.id;
    let headline: string;
    let description: string;
    if (on) {
      const parts: string[] = [];
      if (change.manual) {
        headline = L.headlineManual(event, name);
        parts.push(L.manual(event, name, change.who));
      } else if (inside) {
        headline = L.headlineInside(event, name);
        parts.push(L.inside(name));
      } else if (eta !== undefined) {
        headline = L.headlineEta(event, name, L.duration(eta));
        parts.push(L.eta(name, L.duration(eta), clock));
      } else {
        headline = L.headlineThreat(event, name);
        parts.push(L.threat(name));
      }
      if (tracks.length > 0) parts.push(L.tracks(trackList(tracks, o.maxTracksListed), tracks.length));
      if (msgType === 'Update') parts.push(L.update);
      parts.push(L.reason(change.reason));
      description = parts.join(' ');
    } else {
      headline = L.headlineClear(name);
      description = `${L.cleared(event, name, change.manual ? change.who : undefined)} ${L.reason(change.reason)}`;
    }
    const said = capLanguageTexts(language, o.instructions) as NonNullable<ReturnType<typeof capLanguageTexts>>; // checked: a built-in language
    const instruction = on ? said.shelter : said.clear;
    x += '  <info>\n';
    x += el('language', language, '    ');
    x += el('category', 'Security', '    ');
    x += el('category', 'Safety', '    ');
    x += el('event', event, '    ');
    x += el('responseType', on ? 'Shelter' : 'AllClear', '    ');
    x += el('urgency', urgency, '    ');
    x += el('severity', severity, '    ');
    x += el('certainty', certainty, '    ');
    x += el('onset', onset, '    ');
    x += el('expires', expires, '    ');
    x += el('senderName', o.senderName, '    ');
    x += el('headline', headline, '    ');
    x += el('description', description, '    ');
    x += el('instruction', instruction, '    ');
    x += pair('parameter', 'zoneId', change.zone.id);
    x += pair('parameter', 'state', change.state);
    x += pair('parameter', 'tier', tier);
    if (on && eta !== undefined) x += pair('parameter', 'etaS', String(Math.round(eta * 10) / 10));
    if (tracks.length > 0) x += pair('parameter', 'tracks', tracks.join(' '));
    if (change.manual) x += pair('parameter', 'manual', 'true');
    if (change.who) x += pair('parameter', 'who', change.who);
    x += '    <area>\n';
    x += el('areaDesc', name, '      ');
    for (const p of capPolygons(change.zone, o.maxPolygonPoints)) x += el('polygon', p, '      ');
    if (geocode !== undefined) x += `      <geocode>\n        <valueName>${e(geocode.valueName)}</valueName>\n        <value>${e(geocode.value)}</value>\n      </geocode>\n`;
    x += '    </area>\n';
    x += '  </info>\n';
  }
  x += '</alert>\n';
  return { identifier, sender: o.sender, sent, status: o.status, msgType, zone: change.zone.id, references, xml: x };
}

// ---------------------------------------------------------------- publisher

/** Turns a stream of alert changes into CAP messages, tracking each zone's episode for `<references>`. */
export interface CapPublisher {
  /**
   * The message for one change: `Alert` for a raise that opens an episode, `Update` for a
   * raise while one is open, and for the all-clear an `Update` with responseType AllClear
   * referring to every message of the episode, which it closes. Null for a clear with no open
   * episode. `sentT`: when the message is made (default the change's time). Throws on an
   * unknown zone.
   */
  publish(change: AlertTransition, sentT?: number): CapMessage | null;
  /**
   * An `Update` within the zone's open episode (new tier, ETA or tracks), referring to the
   * episode's earlier messages; null when the zone has no open episode.
   */
  update(zone: string, t: number, info: { etaS?: number; tier?: AlertTier; tracks: readonly string[]; reason: string }, sentT?: number): CapMessage | null;
  /**
   * A `Cancel` of every message of the zone's open episode, for a warning sent in error (CAP
   * §3.2.1: "Cancel - Cancel the earlier message(s)"); closes the episode. Null when none is open.
   */
  withdraw(zone: string, t: number, reason: string, sentT?: number): CapMessage | null;
  /** The messages of the zone's open episode, oldest first; empty when none. */
  episode(zone: string): CapReference[];
}

/**
 * Creates a publisher for a fixed set of zones (id, name, polygons) and one sender's
 * options. Identifiers are {@link capIdentifier}; a second message for the same zone within
 * the same second gets `-2`, `-3`, … appended, so identifiers stay unique.
 */
export function createCapPublisher(zones: readonly CapZone[], options: CapOptions): CapPublisher {
  checkOptions({ ...options, msgType: 'Alert' });
  const byId = new Map<string, { zone: CapZone; episode: CapReference[]; lastBase: string; repeat: number }>();
  for (const z of zones) byId.set(z.id, { zone: z, episode: [], lastBase: '', repeat: 0 });
  const zoneOf = (id: string) => {
    const z = byId.get(id);
    if (!z) throw new Error(`CAP publisher: unknown zone ${JSON.stringify(id)}`);
    return z;
  };
  const emit = (z: ReturnType<typeof zoneOf>, change: Omit<CapAlertChange, 'zone'>, msgType: CapMsgType, sentT: number | undefined): CapMessage => {
    const base = capIdentifier(options.sender, z.zone.id, change.t);
    z.repeat = base === z.lastBase ? z.repeat + 1 : 1;
    z.lastBase = base;
    const identifier = z.repeat === 1 ? base : `${base}-${z.repeat}`;
    return encodeCapAlert({ ...change, zone: z.zone }, { ...options, msgType, references: z.episode, identifier, sentT });
  };
  const ref = (m: CapMessage): CapReference => ({ sender: m.sender, identifier: m.identifier, sent: m.sent });
  return {
    publish(c, sentT) {
      const z = zoneOf(c.zone);
      const change = { t: c.t, state: c.state, etaS: c.etaS, tier: c.tier, tracks: c.tracks, reason: c.reason, manual: c.manual, who: c.who };
      if (c.state === 'alert') {
        const m = emit(z, change, z.episode.length === 0 ? 'Alert' : 'Update', sentT);
        z.episode.push(ref(m));
        return m;
      }
      if (z.episode.length === 0) return null;
      const m = emit(z, change, 'Update', sentT);
      z.episode = [];
      return m;
    },
    update(zone, t, info, sentT) {
      const z = zoneOf(zone);
      if (z.episode.length === 0) return null;
      const m = emit(z, { t, state: 'alert', etaS: info.etaS, tier: info.tier, tracks: info.tracks, reason: info.reason }, 'Update', sentT);
      z.episode.push(ref(m));
      return m;
    },
    withdraw(zone, t, reason, sentT) {
      const z = zoneOf(zone);
      if (z.episode.length === 0) return null;
      const m = emit(z, { t, state: 'clear', tracks: [], reason }, 'Cancel', sentT);
      z.episode = [];
      return m;
    },
    episode(zone) {
      return zoneOf(zone).episode.map((r) => ({ ...r }));
    },
  };
}

/**
 * The CAP message of one of the picture's alert events: `raised` and `cleared` as
 * {@link CapPublisher.publish} (Alert, or Update within an open episode; the all-clear an
 * Update), `updated` as {@link CapPublisher.update}. The batch command and the live service
 * both publish through this, so the same events give the same messages (the live service
 * passes its clock as `sentT`).
 */
export function capMessageFor(publisher: CapPublisher, e: AlertEvent, sentT?: number): CapMessage | null {
  const c = e.change;
  if (e.action === 'updated') return publisher.update(c.zone, c.t, { etaS: c.etaS, tier: c.tier, tracks: c.tracks, reason: c.reason }, sentT);
  return publisher.publish(c, sentT);
}

// ---------------------------------------------------------------- reader

/** The fields of a CAP alert that Skywarden writes, as read back. */
export interface CapAlertRead {
  identifier: string;
  sender: string;
  sent: string;
  status: string;
  msgType: string;
  scope: string;
  note?: string;
  references: CapReference[];
  info: {
    language?: string;
    category: string[];
    event: string;
    responseType: string[];
    urgency: string;
    severity: string;
    certainty: string;
    onset?: string;
    expires?: string;
    senderName?: string;
    headline?: string;
    description?: string;
    instruction?: string;
    parameters: Record<string, string>;
    areas: { areaDesc: string; polygons: string[]; geocodes: Record<string, string> }[];
  }[];
}

interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

function decodeEntities(s: string, at: number): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new Error(`bare & near offset ${at}`);
    if (ent[0] === '#') {
      const cp = ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      if (!(cp > 0 && cp <= 0x10ffff)) throw new Error(`bad character reference ${m}`);
      return String.fromCodePoint(cp);
    }
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (!(ent in named)) throw new Error(`unknown entity ${m}`);
    return named[ent];
  });
}

/** A small XML reader: elements, text, the five entities, character references, comments, CDATA; attributes are skipped. Throws on malformed input. */
function parseXml(xml: string): XmlNode {
  let i = 0;
  const root: XmlNode = { name: '#document', children: [], text: '' };
  const stack: XmlNode[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > i) {
      const raw = xml.slice(i, textEnd);
      if (stack.length === 1) {
        if (raw.trim() !== '') throw new Error(`text outside the root element at offset ${i}`);
      } else stack[stack.length - 1].text += decodeEntities(raw, i);
    }
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) throw new Error('unterminated processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end < 0) throw new Error('unterminated CDATA');
      stack[stack.length - 1].text += xml.slice(lt + 9, end);
      i = end + 3;
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      const name = xml.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (end < 0 || !open || open === root || open.name !== name) throw new Error(`unexpected </${name}> at offset ${lt}`);
      i = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(lt, lt + 4096));
      if (!m) throw new Error(`malformed tag at offset ${lt}`);
      const node: XmlNode = { name: m[1].replace(/^[\w.-]+:/, ''), children: [], text: '' };
      if (stack.length === 1 && root.children.length > 0) throw new Error('more than one root element');
      stack[stack.length - 1].children.push(node);
      if (m[3] !== '/') stack.push(node);
      i = lt + m[0].length;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0];
}

/**
 * Reads back a CAP 1.2 alert of the shape this module writes (enough for tests and simple
 * subscribers; not a validating reader: use the schema for that). Never throws: a malformed
 * document gives `{ ok: false, error }`.
 */
export function readCapAlert(xml: string): { ok: true; alert: CapAlertRead } | { ok: false; error: string } {
  try {
    const root = parseXml(xml);
    if (root.name !== 'alert') throw new Error(`root element is <${root.name}>, not <alert>`);
    const one = (n: XmlNode, name: string): string | undefined => n.children.find((c) => c.name === name)?.text;
    const need = (n: XmlNode, name: string): string => {
      const v = one(n, name);
      if (v === undefined) throw new Error(`missing <${name}> in <${n.name}>`);
      return v;
    };
    const all = (n: XmlNode, name: string): XmlNode[] => n.children.filter((c) => c.name === name);
    const refs = one(root, 'references');
    const references: CapReference[] = [];
    if (refs !== undefined) {
      for (const r of refs.trim().split(/\s+/)) {
        const p = r.split(',');
        if (p.length !== 3) throw new Error(`reference ${JSON.stringify(r)} is not sender,identifier,sent`);
        references.push({ sender: p[0], identifier: p[1], sent: p[2] });
      }
    }
    const alert: CapAlertRead = {
      identifier: need(root, 'identifier'),
      sender: need(root, 'sender'),
      sent: need(root, 'sent'),
      status: need(root, 'status'),
      msgType: need(root, 'msgType'),
      scope: need(root, 'scope'),
      references,
      info: all(root, 'info').map((inf) => {
        const parameters: Record<string, string> = {};
        for (const p of all(inf, 'parameter')) parameters[need(p, 'valueName')] = need(p, 'value');
        return {
          language: one(inf, 'language'),
          category: all(inf, 'category').map((c) => c.text),
          event: need(inf, 'event'),
          responseType: all(inf, 'responseType').map((c) => c.text),
          urgency: need(inf, 'urgency'),
          severity: need(inf, 'severity'),
          certainty: need(inf, 'certainty'),
          onset: one(inf, 'onset'),
          expires: one(inf, 'expires'),
          senderName: one(inf, 'senderName'),
          headline: one(inf, 'headline'),
          description: one(inf, 'description'),
          instruction: one(inf, 'instruction'),
          parameters,
          areas: all(inf, 'area').map((a) => {
            const geocodes: Record<string, string> = {};
            for (const g of all(a, 'geocode')) geocodes[need(g, 'valueName')] = need(g, 'value');
            return { areaDesc: need(a, 'areaDesc'), polygons: all(a, 'polygon').map((p) => p.text), geocodes };
          }),
        };
      }),
    };
    const note = one(root, 'note');
    if (note !== undefined) alert.note = note;
    return { ok: true, alert };
  } catch (err) {
    return { ok: false, error: `CAP: ${(err as Error).message}` };
  }
}
