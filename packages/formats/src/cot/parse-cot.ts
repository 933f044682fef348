/**
 * Reads a Cursor-on-Target event from a TAK user (a marker dropped on a drone, a missile, an
 * unknown aircraft) and turns it into an observer detection: an interchange `position` row
 * (spec/interchange.md).
 *
 * Taken: atom events (`a-…`) of the air dimension (`a-x-A…`) whose affiliation is hostile,
 * suspect, joker, faker, unknown or pending (`h`, `s`, `j`, `k`, `u`, `p`). Ignored, with the
 * reason: other event kinds (chat, drawings, tasking), ground/sea/space atoms, friendly,
 * assumed-friend, neutral and none (`f`, `a`, `n`, `o`) air atoms, Skywarden's own events
 * (uid prefix or a `<skywarden>` detail, so an echo from a TAK Server is not fed back) and,
 * when the caller gives `now`, events already stale.
 *
 * Mapping: `t` = the event's `time` (when the report was made); `sensor` = the configured
 * observer id if given, else the uid of the reporting device (the `<link relation="p-p">`
 * parent, which TAK clients add to markers they create), else the event uid; `lat`, `lon`;
 * `alt_m` = `hae` unless it is CoT's unknown 9999999; `pos_sd_m` = `ce` (a one-sigma error in
 * CoT) unless unknown (9999999) or not positive, then the default; `alt_sd_m` = `le` likewise
 * (only with an altitude); `id` = `cot:<uid>:<time>` so that a re-sent event is a duplicate.
 * Extra fields `cot_uid`, `cot_type` and `callsign` (when the event has one) are added.
 */
import type { DetectionRow } from '../interchange/rows.js';
import { childNamed, parseXml, type XmlElement } from './xml.js';
import { describeCotType } from './cot-types.js';
import { COT_UNKNOWN } from './cot-write.js';
import { DEFAULT_COT_UID_PREFIX } from './track-to-cot.js';

/** Options of {@link parseCot}. */
export interface ParseCotOptions {
  /** Sensor id of every row (a registered observer sensor). Default: the reporter's uid. */
  sensorId?: string;
  /** Horizontal one-sigma error (m) when `ce` is unknown. Default 500 (the observer default). */
  defaultPosSdM?: number;
  /** Current time (s since the Unix epoch); when given, stale events are ignored. */
  now?: number;
  /** Uid prefix of Skywarden's own events, ignored on input. Default `skywarden-`. */
  ownUidPrefix?: string;
  /** Largest event accepted (characters). Default 100,000. */
  maxLength?: number;
}

/** Result of {@link parseCot}. */
export type CotParseResult =
  | { ok: true; row: DetectionRow }
  /** A valid event that is not an air track to take, and why. */
  | { ok: false; ignored: true; reason: string }
  /** A malformed event, and what is wrong. */
  | { ok: false; ignored: false; reason: string };

const TAKEN = new Set(['h', 's', 'j', 'k', 'u', 'p']);
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const DATE_TIME = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$/;
const TYPE = /^\w+(?:-\w+)*(?:;[^;]*)?$/;

function bad(reason: string): CotParseResult {
  return { ok: false, ignored: false, reason };
}

function ignored(reason: string): CotParseResult {
  return { ok: false, ignored: true, reason };
}

function show(v: string): string {
  return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
}

/** Parses an `xs:decimal` attribute; returns a number or a reason. */
function decimalAttr(el: XmlElement, name: string): number | string {
  const v = el.attrs[name];
  if (v === undefined) return `<${el.name}> lacks the ${name} attribute`;
  const s = v.trim();
  if (!DECIMAL.test(s)) return `<${el.name}> ${name} must be a decimal number, got ${show(v)}`;
  const n = Number(s);
  if (!Number.isFinite(n)) return `<${el.name}> ${name} is out of range, got ${show(v)}`;
  return n;
}

/** Parses an `xs:dateTime` with a time zone to seconds since the Unix epoch; a number or a reason. */
export function parseCotTime(v: string | undefined, name: string): number | string {
  if (v === undefined) return `<event> lacks the ${name} attribute`;
  const m = DATE_TIME.exec(v.trim());
  if (m === null) return `<event> ${name} must be a date-time like 2025-11-24T12:00:00Z, got ${show(v)}`;
  const [, ys, mos, ds, hs, mis, ss, frac, tz] = m;
  if (tz === undefined) return `<event> ${name} must give a time zone (Z), got ${show(v)}`;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const sec = Number(ss);
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (!(y >= 1 && y <= 9999) || mo < 1 || mo > 12 || d < 1 || d > dim || h > 24 || mi > 59 || sec > 59 || (h === 24 && (mi > 0 || sec > 0))) {
    return `<event> ${name} is not a valid date-time, got ${show(v)}`;
  }
  let ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  if (y < 100) ms = new Date(ms).setUTCFullYear(y);
  let t = ms / 1000 + (frac !== undefined ? Number(frac) : 0);
  if (tz !== 'Z') {
    const sign = tz!.charCodeAt(0) === 45 ? -1 : 1;
    const oh = Number(tz!.slice(1, 3));
    const om = Number(tz!.slice(4, 6));
    if (oh > 14 || om > 59) return `<event> ${name} has a bad time zone offset, got ${show(v)}`;
    t -= sign * (oh * 3600 + om * 60);
  }
  return t;
}

/**
 * Parses one CoT event (one XML document). Never throws on bad input: returns a detection
 * row, an ignored event with the reason, or an error naming what is wrong.
 */
export function parseCot(xml: string, opts: ParseCotOptions = {}): CotParseResult {
  const doc = parseXml(xml, { maxLength: opts.maxLength ?? 100_000, maxDepth: 32, maxElements: 5000 });
  if (!doc.ok) return bad(`not well-formed XML: ${doc.reason}`);
  const ev = doc.root;
  if (ev.name !== 'event') return bad(`the root element must be <event>, got <${ev.name}>`);

  const version = decimalAttr(ev, 'version');
  if (typeof version === 'string') return bad(version);
  if (version < 2) return bad(`<event> version must be 2.0 or later, got ${show(ev.attrs.version!)}`);
  const uid = ev.attrs.uid;
  if (uid === undefined || uid.trim() === '') return bad('<event> lacks a uid');
  const type = ev.attrs.type;
  if (type === undefined) return bad('<event> lacks the type attribute');
  if (!TYPE.test(type)) return bad(`<event> type must look like a-h-A-M-F-Q, got ${show(type)}`);
  const how = ev.attrs.how;
  if (how === undefined) return bad('<event> lacks the how attribute');
  const time = parseCotTime(ev.attrs.time, 'time');
  if (typeof time === 'string') return bad(time);
  const start = parseCotTime(ev.attrs.start, 'start');
  if (typeof start === 'string') return bad(start);
  const stale = parseCotTime(ev.attrs.stale, 'stale');
  if (typeof stale === 'string') return bad(stale);

  const point = childNamed(ev, 'point');
  if (point === undefined) return bad('<event> has no <point>');
  const lat = decimalAttr(point, 'lat');
  if (typeof lat === 'string') return bad(lat);
  if (lat < -90 || lat > 90) return bad(`<point> lat must be within [-90, 90], got ${show(point.attrs.lat!)}`);
  const lon = decimalAttr(point, 'lon');
  if (typeof lon === 'string') return bad(lon);
  if (lon < -180 || lon > 180) return bad(`<point> lon must be within [-180, 180], got ${show(point.attrs.lon!)}`);
  const hae = decimalAttr(point, 'hae');
  if (typeof hae === 'string') return bad(hae);
  const ce = decimalAttr(point, 'ce');
  if (typeof ce === 'string') return bad(ce);
  const le = decimalAttr(point, 'le');
  if (typeof le === 'string') return bad(le);

  // The event is well-formed; now decide whether it is ours to take.
  const detail = childNamed(ev, 'detail');
  const ownPrefix = opts.ownUidPrefix ?? DEFAULT_COT_UID_PREFIX;
  if ((ownPrefix !== '' && uid.startsWith(ownPrefix)) || (detail !== undefined && childNamed(detail, 'skywarden') !== undefined)) {
    return ignored(`event ${show(uid)} is Skywarden's own`);
  }
  const info = describeCotType(type);
  if (info.kind !== 'a') return ignored(`type ${show(type)} is not an atom (a thing on the map): not an air track`);
  if (info.dimension !== 'A') return ignored(`type ${show(type)} is not of the air dimension (a-x-A…)`);
  if (!TAKEN.has(info.affiliation)) {
    return ignored(`type ${show(type)} has affiliation "${info.affiliation}": only hostile, suspect, joker, faker, unknown or pending air objects are taken`);
  }
  if (opts.now !== undefined && stale < opts.now) return ignored(`event ${show(uid)} went stale at ${ev.attrs.stale}`);

  let sensor = opts.sensorId;
  if (sensor === undefined && detail !== undefined) {
    for (const c of detail.children) {
      if (c.name === 'link' && c.attrs.relation === 'p-p' && c.attrs.uid !== undefined && c.attrs.uid.trim() !== '') {
        sensor = c.attrs.uid;
        break;
      }
    }
  }
  if (sensor === undefined) sensor = uid;

  const hasAlt = hae !== COT_UNKNOWN && Math.abs(hae) < 1e6;
  const defaultPosSd = opts.defaultPosSdM ?? 500;
  const row: DetectionRow = {
    t: time,
    sensor,
    type: 'position',
    id: `cot:${uid}:${ev.attrs.time!.trim()}`,
    lat,
    lon,
    pos_sd_m: ce > 0 && ce < COT_UNKNOWN ? ce : defaultPosSd,
    cot_uid: uid,
    cot_type: type,
  };
  if (hasAlt) {
    row.alt_m = hae;
    if (le > 0 && le < COT_UNKNOWN) row.alt_sd_m = le;
  }
  const contact = detail !== undefined ? childNamed(detail, 'contact') : undefined;
  if (contact?.attrs.callsign !== undefined) row.callsign = contact.attrs.callsign;
  return { ok: true, row };
}
