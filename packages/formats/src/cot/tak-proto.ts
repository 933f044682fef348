/**
 * TAK protocol version 1: Cursor-on-Target events as protobuf `TakMessage`s, and the two
 * framings TAK products use for them.
 *
 * Source: the TAK protocol description of the ATAK-CIV repository (`takproto/README.md`, the
 * same text as `commoncommo/core/impl/protobuf/protocol.txt`) and its `.proto` files
 * (takmessage, takcontrol, cotevent, detail, contact, group, precisionlocation, status, takv,
 * track; package `atakmap.commoncommo.protobuf.v1`, proto3). The schema below is written from
 * the field names and numbers documented there.
 *
 * - Mesh (one message per UDP datagram): `0xBF <version varint> 0xBF <TakMessage>`.
 * - Streaming (a TAK Server connection): `0xBF <payload length varint> <TakMessage>`, one
 *   after the other; the version is agreed beforehand (see {@link takControlOf}).
 * - A `TakMessage` holds an optional `TakControl` (the sender's decodable versions) and an
 *   optional `CotEvent`: the event's attributes and point as fields, times in ms since the
 *   epoch, and a `Detail` whose `contact`, `__group`, `precisionlocation`, `status`, `takv`
 *   and `track` elements may be typed messages; every other detail element travels as XML text
 *   in `xmlDetail`. A whole element goes to its message or not at all: one with attributes or
 *   children the message cannot hold stays in `xmlDetail`.
 *
 * Decoding turns a `TakMessage` back into a CoT XML event (the reverse of the mapping above),
 * so {@link parseCot} reads markers the same way whichever encoding carried them.
 */
import protobuf from 'protobufjs';
import { escapeXml, parseXml, type XmlElement } from './xml.js';
import { parseCotTime } from './parse-cot.js';
import { cotTime } from './cot-write.js';

/** The magic byte that starts every TAK protocol header. */
export const TAK_MAGIC = 0xbf;
/** The one TAK protocol version (besides 0, XML) this module speaks. */
export const TAK_PROTOCOL_VERSION = 1;
/** Default largest `TakMessage` accepted (bytes), as for XML events. */
export const MAX_TAK_MESSAGE_BYTES = 1 << 20;
/** A TAK protocol varint is at most 10 bytes (64-bit values). */
const MAX_VARINT_BYTES = 10;

const PKG = 'atakmap.commoncommo.protobuf.v1';
const f = (type: string, id: number) => ({ type, id });
const SCHEMA = {
  nested: {
    atakmap: {
      nested: {
        commoncommo: {
          nested: {
            protobuf: {
              nested: {
                v1: {
                  nested: {
                    TakMessage: { fields: { takControl: f('TakControl', 1), cotEvent: f('CotEvent', 2) } },
                    TakControl: { fields: { minProtoVersion: f('uint32', 1), maxProtoVersion: f('uint32', 2), contactUid: f('string', 3) } },
                    CotEvent: {
                      fields: {
                        type: f('string', 1),
                        access: f('string', 2),
                        qos: f('string', 3),
                        opex: f('string', 4),
                        uid: f('string', 5),
                        sendTime: f('uint64', 6),
                        startTime: f('uint64', 7),
                        staleTime: f('uint64', 8),
                        how: f('string', 9),
                        lat: f('double', 10),
                        lon: f('double', 11),
                        hae: f('double', 12),
                        ce: f('double', 13),
                        le: f('double', 14),
                        detail: f('Detail', 15),
                      },
                    },
                    Detail: {
                      fields: {
                        xmlDetail: f('string', 1),
                        contact: f('Contact', 2),
                        group: f('Group', 3),
                        precisionLocation: f('PrecisionLocation', 4),
                        status: f('Status', 5),
                        takv: f('Takv', 6),
                        track: f('Track', 7),
                      },
                    },
                    Contact: { fields: { endpoint: f('string', 1), callsign: f('string', 2) } },
                    Group: { fields: { name: f('string', 1), role: f('string', 2) } },
                    PrecisionLocation: { fields: { geopointsrc: f('string', 1), altsrc: f('string', 2) } },
                    Status: { fields: { battery: f('uint32', 1) } },
                    Takv: { fields: { device: f('string', 1), platform: f('string', 2), os: f('string', 3), version: f('string', 4) } },
                    Track: { fields: { speed: f('double', 1), course: f('double', 2) } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

let takMessageType: protobuf.Type | undefined;
function TakMessage(): protobuf.Type {
  takMessageType ??= protobuf.Root.fromJSON(SCHEMA).lookupType(`${PKG}.TakMessage`);
  return takMessageType;
}

/**
 * The typed detail messages: XML element name, message field, attributes (required ones
 * first: an element lacking one stays in `xmlDetail`), and which are numbers.
 */
const TYPED: { el: string; field: string; required: string[]; optional: string[]; kind: 'string' | 'double' | 'uint32' }[] = [
  { el: 'contact', field: 'contact', required: ['callsign'], optional: ['endpoint'], kind: 'string' },
  { el: '__group', field: 'group', required: ['name', 'role'], optional: [], kind: 'string' },
  { el: 'precisionlocation', field: 'precisionLocation', required: ['geopointsrc', 'altsrc'], optional: [], kind: 'string' },
  { el: 'status', field: 'status', required: ['battery'], optional: [], kind: 'uint32' },
  { el: 'takv', field: 'takv', required: ['device', 'platform', 'os', 'version'], optional: [], kind: 'string' },
  { el: 'track', field: 'track', required: ['speed', 'course'], optional: [], kind: 'double' },
];

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** The typed message of a detail element, or null when the whole element does not fit one. */
function typedOf(el: XmlElement, spec: (typeof TYPED)[number]): Record<string, string | number> | null {
  if (el.children.length > 0 || el.text.trim() !== '') return null;
  const names = Object.keys(el.attrs);
  if (!spec.required.every((n) => names.includes(n))) return null;
  if (!names.every((n) => spec.required.includes(n) || spec.optional.includes(n))) return null;
  const out: Record<string, string | number> = {};
  for (const n of names) {
    const v = el.attrs[n]!;
    if (spec.kind === 'string') {
      if (v === '' && spec.optional.includes(n)) continue;
      out[n] = v;
    } else {
      const s = v.trim();
      if (!DECIMAL.test(s)) return null;
      const x = Number(s);
      if (!Number.isFinite(x) || (spec.kind === 'uint32' && !(Number.isInteger(x) && x >= 0 && x <= 0xffffffff))) return null;
      out[n] = x;
    }
  }
  return out;
}

/** An element back as XML text (attributes, character data, then child elements: enough for CoT details, which do not mix text and elements). */
export function xmlElementToString(el: XmlElement): string {
  let s = `<${el.name}`;
  for (const [k, v] of Object.entries(el.attrs)) s += ` ${k}="${escapeXml(v)}"`;
  if (el.children.length === 0 && el.text === '') return s + '/>';
  s += '>' + escapeXml(el.text).replace(/&#(9|10|13);/g, (_, c: string) => String.fromCharCode(Number(c)));
  for (const c of el.children) s += xmlElementToString(c);
  return s + `</${el.name}>`;
}

/** What {@link cotToTakMessage} may add besides the event. */
export interface TakMessageOptions {
  /** A `TakControl` giving the versions the sender decodes (mesh senders advertise it at least every 60 s). */
  control?: { minProtoVersion: number; maxProtoVersion: number; contactUid?: string };
}

function numAttr(el: XmlElement, name: string): number {
  const v = el.attrs[name];
  if (v === undefined || !DECIMAL.test(v.trim())) throw new RangeError(`<${el.name}> ${name} must be a decimal number, got ${JSON.stringify(v)}`);
  return Number(v.trim());
}

function timeMs(ev: XmlElement, name: string): number {
  const t = parseCotTime(ev.attrs[name], name);
  if (typeof t === 'string') throw new RangeError(t);
  if (t < 0) throw new RangeError(`<event> ${name} must not be before 1970 in TAK protocol 1 (unsigned ms), got ${ev.attrs[name]}`);
  return Math.round(t * 1000);
}

/**
 * A CoT XML event (as {@link trackToCot} and {@link alertToCot} write them) as the bytes of a
 * version 1 `TakMessage` (the payload, without a header: see {@link frameTakMesh} and
 * {@link frameTakStream}). Throws a `RangeError` naming the problem when `xml` is not a
 * well-formed event with a point and valid times.
 */
export function cotToTakMessage(xml: string, opts: TakMessageOptions = {}): Uint8Array {
  const doc = parseXml(xml, { maxLength: 4 * MAX_TAK_MESSAGE_BYTES, maxDepth: 32, maxElements: 100_000 });
  if (!doc.ok) throw new RangeError(`not well-formed XML: ${doc.reason}`);
  const ev = doc.root;
  if (ev.name !== 'event') throw new RangeError(`the root element must be <event>, got <${ev.name}>`);
  const point = ev.children.find((c) => c.name === 'point');
  if (point === undefined) throw new RangeError('<event> has no <point>');
  const cotEvent: Record<string, unknown> = {
    type: ev.attrs.type ?? '',
    uid: ev.attrs.uid ?? '',
    how: ev.attrs.how ?? '',
    sendTime: timeMs(ev, 'time'),
    startTime: timeMs(ev, 'start'),
    staleTime: timeMs(ev, 'stale'),
    lat: numAttr(point, 'lat'),
    lon: numAttr(point, 'lon'),
    hae: numAttr(point, 'hae'),
    ce: numAttr(point, 'ce'),
    le: numAttr(point, 'le'),
  };
  for (const k of ['access', 'qos', 'opex'] as const) if (ev.attrs[k] !== undefined) cotEvent[k] = ev.attrs[k];
  const detailEl = ev.children.find((c) => c.name === 'detail');
  if (detailEl !== undefined) {
    const detail: Record<string, unknown> = {};
    const count = new Map<string, number>();
    for (const c of detailEl.children) count.set(c.name, (count.get(c.name) ?? 0) + 1);
    let rest = '';
    for (const c of detailEl.children) {
      const spec = TYPED.find((s) => s.el === c.name);
      const typed = spec !== undefined && count.get(c.name) === 1 ? typedOf(c, spec) : null;
      if (spec !== undefined && typed !== null) detail[spec.field] = typed;
      else rest += xmlElementToString(c);
    }
    if (rest !== '') detail.xmlDetail = rest;
    if (Object.keys(detail).length > 0) cotEvent.detail = detail;
  }
  const msg: Record<string, unknown> = { cotEvent };
  if (opts.control) msg.takControl = opts.control;
  const T = TakMessage();
  return T.encode(T.fromObject(msg)).finish();
}

/** A version 1 `TakMessage` holding only a `TakControl` (the standalone form mesh senders may send). */
export function takControlMessage(control: { minProtoVersion: number; maxProtoVersion: number; contactUid?: string }): Uint8Array {
  const T = TakMessage();
  return T.encode(T.fromObject({ takControl: control })).finish();
}

/** The `TakControl` of a message: versions its sender decodes (0 read as 1, as documented). */
export interface TakControlInfo {
  minProtoVersion: number;
  maxProtoVersion: number;
  contactUid: string;
}

/** Result of {@link decodeTakMessage}. */
export type TakDecodeResult =
  | { ok: true; control: TakControlInfo | null; xml: string | null }
  | { ok: false; reason: string };

/** A double as an `xs:decimal` (no exponent), or null when not finite. */
function decimalText(v: number): string | null {
  if (!Number.isFinite(v)) return null;
  const s = String(v);
  if (!s.includes('e')) return s;
  if (Math.abs(v) < 1) return v.toFixed(12).replace(/\.?0+$/, '') || '0';
  return null; // beyond 1e21: no CoT quantity
}

function msTime(v: unknown, name: string): string | { bad: string } {
  const ms = typeof v === 'number' ? v : 0;
  if (!Number.isSafeInteger(ms) || ms > 253402300799999) return { bad: `cotEvent ${name} ${String(v)} ms is not a time within years 1970-9999` };
  return cotTime(ms / 1000);
}

/**
 * Reads the bytes of a version 1 `TakMessage` (a payload, the header already removed). Never
 * throws: returns the control information and the event as a CoT XML document (null when the
 * message holds none), or a reason naming what is wrong. Unknown fields are skipped.
 * `xmlDetail` must be well-formed XML content; a typed message whose element also appears in
 * `xmlDetail` is dropped (the protocol's rule).
 */
export function decodeTakMessage(bytes: Uint8Array, maxBytes = MAX_TAK_MESSAGE_BYTES): TakDecodeResult {
  if (bytes.length > maxBytes) return { ok: false, reason: `TakMessage of ${bytes.length} bytes exceeds the limit of ${maxBytes}` };
  let o: Record<string, unknown>;
  try {
    const T = TakMessage();
    o = T.toObject(T.decode(bytes), { longs: Number, defaults: false }) as Record<string, unknown>;
  } catch (err) {
    return { ok: false, reason: `not a TakMessage: ${(err as Error).message}` };
  }
  let control: TakControlInfo | null = null;
  const tc = o.takControl as Record<string, unknown> | undefined;
  if (tc !== undefined) {
    control = {
      minProtoVersion: Number(tc.minProtoVersion ?? 0) || 1,
      maxProtoVersion: Number(tc.maxProtoVersion ?? 0) || 1,
      contactUid: typeof tc.contactUid === 'string' ? tc.contactUid : '',
    };
  }
  const e = o.cotEvent as Record<string, unknown> | undefined;
  if (e === undefined) return { ok: true, control, xml: null };

  const str = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : '');
  const times: string[] = [];
  for (const [k, name] of [['sendTime', 'time'], ['startTime', 'start'], ['staleTime', 'stale']] as const) {
    const t = msTime(e[k], k);
    if (typeof t !== 'string') return { ok: false, reason: t.bad };
    times.push(` ${name}="${t}"`);
  }
  let point = '<point';
  for (const k of ['lat', 'lon', 'hae', 'ce', 'le']) {
    const v = decimalText(typeof e[k] === 'number' ? (e[k] as number) : 0);
    if (v === null) return { ok: false, reason: `cotEvent ${k} is not a finite number below 1e21, got ${String(e[k])}` };
    point += ` ${k}="${v}"`;
  }
  point += '/>';

  let detail = '';
  const d = e.detail as Record<string, unknown> | undefined;
  if (d !== undefined) {
    const xmlDetail = typeof d.xmlDetail === 'string' ? d.xmlDetail : '';
    let inXml = new Set<string>();
    if (xmlDetail !== '') {
      // parsed alone first: a well-formed <detail> root means the text cannot close it early
      const r = parseXml(`<detail>${xmlDetail}</detail>`, { maxLength: maxBytes + 20, maxDepth: 31, maxElements: 5000 });
      if (!r.ok) return { ok: false, reason: `cotEvent detail xmlDetail is not well-formed XML: ${r.reason}` };
      inXml = new Set(r.root.children.map((c) => c.name));
      detail += xmlDetail;
    }
    for (const spec of TYPED) {
      const m = d[spec.field] as Record<string, unknown> | undefined;
      if (m === undefined || inXml.has(spec.el)) continue;
      let el = `<${spec.el}`;
      for (const n of [...spec.required, ...spec.optional]) {
        const v = m[n];
        if (v === undefined && spec.optional.includes(n)) continue;
        const text = spec.kind === 'string' ? (typeof v === 'string' ? v : '') : decimalText(typeof v === 'number' ? v : 0);
        if (text === null) return { ok: false, reason: `cotEvent detail ${spec.field}.${n} is not a finite number, got ${String(v)}` };
        el += ` ${n}="${escapeXml(text)}"`;
      }
      detail += el + '/>';
    }
  }
  let attrs = ` version="2.0" uid="${escapeXml(str('uid'))}" type="${escapeXml(str('type'))}" how="${escapeXml(str('how'))}"${times.join('')}`;
  for (const k of ['access', 'qos', 'opex']) if (str(k) !== '') attrs += ` ${k}="${escapeXml(str(k))}"`;
  const xml = `<event${attrs}>${point}${detail !== '' ? `<detail>${detail}</detail>` : ''}</event>`;
  return { ok: true, control, xml };
}

// ---------------------------------------------------------------------------------------------
// Framing

/** A varint (unsigned, 7 bits a byte, least significant first) as bytes. */
export function encodeTakVarint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a TAK varint must be a non-negative safe integer, got ${n}`);
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/**
 * Reads a varint at `at`: its value and the offset after it; `null` when the bytes end
 * first (wait for more); a reason when it runs past 10 bytes or past JavaScript's safe
 * integers (no length or version is that large).
 */
export function readTakVarint(b: Uint8Array, at: number): { value: number; next: number } | null | { bad: string } {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (at + i >= b.length) return null;
    const byte = b[at + i]!;
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(v)) return { bad: `varint at byte ${at} exceeds 2^53` };
      return { value: v, next: at + i + 1 };
    }
    mul *= 0x80;
  }
  return { bad: `varint at byte ${at} is longer than ${MAX_VARINT_BYTES} bytes` };
}

/** A mesh (UDP) message: `0xBF 0x01 0xBF` and the payload. */
export function frameTakMesh(payload: Uint8Array, version = TAK_PROTOCOL_VERSION): Uint8Array {
  const v = encodeTakVarint(version);
  const out = new Uint8Array(2 + v.length + payload.length);
  out[0] = TAK_MAGIC;
  out.set(v, 1);
  out[1 + v.length] = TAK_MAGIC;
  out.set(payload, 2 + v.length);
  return out;
}

/** A streaming message: `0xBF`, the payload length as a varint, the payload. */
export function frameTakStream(payload: Uint8Array): Uint8Array {
  const n = encodeTakVarint(payload.length);
  const out = new Uint8Array(1 + n.length + payload.length);
  out[0] = TAK_MAGIC;
  out.set(n, 1);
  out.set(payload, 1 + n.length);
  return out;
}

/** Result of {@link readTakMeshDatagram}. */
export type TakMeshResult = { ok: true; version: number; payload: Uint8Array } | { ok: false; reason: string };

/** Splits a mesh datagram into its protocol version and payload; a reason when the header is wrong or the version is not 1. */
export function readTakMeshDatagram(b: Uint8Array): TakMeshResult {
  if (b.length === 0 || b[0] !== TAK_MAGIC) return { ok: false, reason: 'a TAK protocol datagram must start with the magic byte 0xBF' };
  const v = readTakVarint(b, 1);
  if (v === null) return { ok: false, reason: 'TAK protocol datagram ends inside its version varint' };
  if ('bad' in v) return { ok: false, reason: `TAK protocol datagram version: ${v.bad}` };
  if (v.next >= b.length || b[v.next] !== TAK_MAGIC) return { ok: false, reason: `TAK protocol datagram lacks the second magic byte 0xBF at byte ${v.next}` };
  if (v.value !== TAK_PROTOCOL_VERSION) return { ok: false, reason: `TAK protocol version ${v.value} is not supported (only 0, XML, and 1)` };
  return { ok: true, version: v.value, payload: b.subarray(v.next + 1) };
}

/** One item of a TAK streaming connection. */
export type TakStreamItem =
  /** An XML event (text from `<?xml`/`<event` to `</event>`). */
  | { kind: 'xml'; text: string }
  /** A protocol 1 payload (a `TakMessage`'s bytes). */
  | { kind: 'proto'; payload: Uint8Array }
  /** Bytes that are neither, skipped (XML mode only); `text` shows their start. */
  | { kind: 'garbage'; text: string };

/** Limits and mode of {@link createTakStreamReader}. */
export interface TakStreamReaderOptions {
  /** Largest XML event (bytes) before the partial text is dropped. Default 1 MiB. */
  maxXmlBytes?: number;
  /** Largest protobuf frame (bytes); a longer announced length is fatal. Default 1 MiB. */
  maxFrameBytes?: number;
}

const XML_START = /<\?xml|<event[\s>]/;
const CLOSE_TAG = Buffer.from('</event', 'latin1');

/**
 * Finds the end of `</event>` (spaces allowed before `>`) in a stream given piece by piece:
 * each byte is looked at once, the state (how much of the tag has been seen) carries over
 * from one piece to the next, so a message split over many chunks is scanned once in all.
 */
function createCloseTagScanner() {
  let m = 0; // bytes of `</event` matched; CLOSE_TAG.length: in the spaces before '>'
  const scanner = {
    /** Bytes looked at so far. */
    work: 0,
    reset(): void {
      m = 0;
    },
    /** The offset just after the `>` closing the tag, at or after `from` in `b`, or -1 (the state is kept). */
    scan(b: Buffer, from: number): number {
      let i = from;
      while (i < b.length) {
        if (m === 0) {
          const j = b.indexOf(0x3c, i);
          scanner.work += (j < 0 ? b.length : j + 1) - i;
          if (j < 0) return -1;
          m = 1;
          i = j + 1;
          continue;
        }
        const c = b[i]!;
        scanner.work++;
        if (m < CLOSE_TAG.length) {
          if (c === CLOSE_TAG[m]) {
            m++;
            i++;
          } else {
            m = 0; // '<' appears only first in the tag: look at this byte again as a start
          }
          continue;
        }
        if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
          i++;
          continue;
        }
        m = 0;
        if (c === 0x3e) return i + 1;
      }
      return -1;
    },
  };
  return scanner;
}

/**
 * Splits a TAK streaming connection into XML events and protocol 1 frames, whichever comes:
 * at each message boundary (after optional whitespace) a 0xBF byte starts a frame
 * (`0xBF <length varint> <payload>`), anything else is XML up to the next `</event>` (text
 * before an event's start is returned as garbage, a partial event over the limit is dropped).
 * Chunks may split or join messages anywhere.
 *
 * The work is linear in the bytes given: while a message is incomplete its chunks are kept
 * in a list (not joined) and only the new bytes are scanned for `</event>`; the chunks are
 * joined once, when the message is complete.
 *
 * Once {@link protobufOnly} is set (after a negotiated switch), a boundary byte that is not
 * 0xBF means the stream cannot be framed any more. That, a length varint over 10 bytes, or a
 * length over `maxFrameBytes` is fatal: the reader stops, returns `fatal` with the reason,
 * and the caller must close the connection (a protobuf stream has no way to find the next
 * frame after a bad length). A frame of a valid length whose payload is bad is returned and
 * the caller skips it: the stream stays framed.
 */
export function createTakStreamReader(opts: TakStreamReaderOptions = {}) {
  const maxXml = opts.maxXmlBytes ?? MAX_TAK_MESSAGE_BYTES;
  const maxFrame = opts.maxFrameBytes ?? MAX_TAK_MESSAGE_BYTES;
  const close = createCloseTagScanner();
  /** Unread bytes when no message is pending (at most a frame header's worth between pushes). */
  let buf: Buffer = Buffer.alloc(0);
  /** The chunks of an incomplete message (starting at its first byte), and their length. */
  let parts: Buffer[] = [];
  let partsLen = 0;
  /** What the pending message waits for: its `</event>`, or `need` bytes of a frame in all. */
  let waiting: null | { kind: 'xml' } | { kind: 'frame'; need: number } = null;
  let copied = 0; // bytes copied, for `work`
  let fatal: string | null = null;
  let consumed = 0; // bytes consumed so far, for offsets in reasons
  const join = (list: Buffer[], length: number): Buffer => {
    copied += length;
    return list.length === 1 && list[0]!.length === length ? list[0]! : Buffer.concat(list, length);
  };
  const reader = {
    /** Set after a switch to protocol 1: every message must then be a 0xBF frame. */
    protobufOnly: false,
    push(chunk: Uint8Array): { items: TakStreamItem[]; fatal: string | null } {
      const items: TakStreamItem[] = [];
      if (fatal !== null) return { items, fatal };
      copied += chunk.length;
      const fresh = Buffer.from(chunk); // a copy: the caller may reuse its chunk
      let at = 0;
      // the XML event from `at` to `end`: text before its start is garbage
      const xmlItem = (end: number) => {
        // latin1 keeps one character per byte, so offsets in the piece are byte offsets
        const piece = buf.toString('latin1', at, end);
        const s = XML_START.exec(piece);
        const startAt = s ? s.index : 0;
        if (startAt > 0 && piece.slice(0, startAt).trim() !== '') items.push({ kind: 'garbage', text: buf.toString('utf8', at, at + startAt) });
        items.push({ kind: 'xml', text: buf.toString('utf8', at + startAt, end) });
        at = end;
      };
      if (waiting === null) {
        buf = buf.length === 0 ? fresh : join([buf, fresh], buf.length + fresh.length);
      } else {
        parts.push(fresh);
        partsLen += fresh.length;
        if (waiting.kind === 'frame') {
          if (partsLen < waiting.need) return { items, fatal };
          buf = join(parts, partsLen);
        } else {
          const k = close.scan(fresh, 0);
          if (k < 0) {
            if (partsLen > maxXml) {
              items.push({ kind: 'garbage', text: join(parts, Math.min(200, partsLen)).toString('utf8') });
              consumed += partsLen;
              parts = [];
              partsLen = 0;
              waiting = null;
              close.reset();
            }
            return { items, fatal };
          }
          buf = join(parts, partsLen);
          xmlItem(partsLen - fresh.length + k);
        }
        parts = [];
        partsLen = 0;
        waiting = null;
      }
      const stop = (reason: string) => {
        fatal = `${reason} (stream byte ${consumed + at})`;
        buf = Buffer.alloc(0);
      };
      // keep the rest of `buf` from `at` as the first part of a pending message
      const wait = (w: NonNullable<typeof waiting>) => {
        waiting = w;
        parts = [buf.subarray(at)];
        partsLen = buf.length - at;
        at = buf.length;
        consumed -= partsLen; // counted once the message is read
      };
      while (at < buf.length) {
        const c = buf[at]!;
        if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
          at++;
          continue;
        }
        if (c === TAK_MAGIC) {
          const n = readTakVarint(buf, at + 1);
          if (n === null) break; // wait for the rest of the header
          if ('bad' in n) {
            stop(`TAK protocol frame length: ${n.bad}`);
            return { items, fatal };
          }
          if (n.value > maxFrame) {
            stop(`TAK protocol frame announces ${n.value} bytes, more than the limit of ${maxFrame}`);
            return { items, fatal };
          }
          if (buf.length < n.next + n.value) {
            wait({ kind: 'frame', need: n.next + n.value - at }); // wait for the payload
            break;
          }
          copied += n.value;
          items.push({ kind: 'proto', payload: Uint8Array.prototype.slice.call(buf, n.next, n.next + n.value) });
          at = n.next + n.value;
          continue;
        }
        if (reader.protobufOnly) {
          stop(`TAK protocol stream: expected the magic byte 0xBF, got 0x${c.toString(16).padStart(2, '0')}`);
          return { items, fatal };
        }
        // XML up to the next </event> (optionally with spaces before '>')
        close.reset();
        const end = close.scan(buf, at);
        if (end < 0) {
          if (buf.length - at > maxXml) {
            items.push({ kind: 'garbage', text: buf.toString('utf8', at, at + 200) });
            at = buf.length;
            close.reset();
          } else wait({ kind: 'xml' });
          break;
        }
        xmlItem(end);
      }
      consumed += at;
      buf = at >= buf.length ? Buffer.alloc(0) : buf.subarray(at);
      return { items, fatal };
    },
    /** Bytes held waiting for the rest of a message. */
    get buffered(): number {
      return buf.length + partsLen;
    },
    /** Bytes copied or scanned so far: a cost measure, linear in the bytes pushed. */
    get work(): number {
      return copied + close.work;
    },
  };
  return reader;
}

// ---------------------------------------------------------------------------------------------
// Streaming negotiation (TakControl CoT events, exchanged in XML before the switch)

/** A negotiation event: the server's offer (`t-x-takp-v`), a client's request (`t-x-takp-q`) or the server's response (`t-x-takp-r`). */
export type TakControlEvent =
  | { kind: 'offer'; uid: string; versions: number[] }
  | { kind: 'request'; uid: string; version: number }
  | { kind: 'response'; uid: string; status: boolean };

/**
 * The negotiation content of a CoT XML event, or null when it is not a `t-x-takp-*` event;
 * a string names what is wrong with one that is.
 */
export function takControlOf(xml: string): TakControlEvent | null | string {
  if (!xml.includes('t-x-takp')) return null;
  const doc = parseXml(xml, { maxLength: 100_000, maxDepth: 8, maxElements: 100 });
  if (!doc.ok || doc.root.name !== 'event') return null;
  const ev = doc.root;
  const type = ev.attrs.type ?? '';
  if (!/^t-x-takp-[vqr]$/.test(type)) return null;
  const uid = ev.attrs.uid ?? '';
  const tc = ev.children.find((c) => c.name === 'detail')?.children.find((c) => c.name === 'TakControl');
  if (tc === undefined) return `${type} event ${JSON.stringify(uid)} has no <detail><TakControl>`;
  const version = (el: XmlElement): number | null => {
    const v = (el.attrs.version ?? '').trim();
    return /^\d{1,9}$/.test(v) ? Number(v) : null;
  };
  if (type === 't-x-takp-v') {
    const versions = tc.children.filter((c) => c.name === 'TakProtocolSupport').map(version);
    if (versions.length === 0 || versions.some((v) => v === null)) return `t-x-takp-v event ${JSON.stringify(uid)} needs <TakProtocolSupport version="n"/> elements with integer versions`;
    return { kind: 'offer', uid, versions: versions as number[] };
  }
  if (type === 't-x-takp-q') {
    const rq = tc.children.filter((c) => c.name === 'TakRequest');
    const v = rq.length === 1 ? version(rq[0]!) : null;
    if (v === null) return `t-x-takp-q event ${JSON.stringify(uid)} needs one <TakRequest version="n"/>`;
    return { kind: 'request', uid, version: v };
  }
  const rs = tc.children.filter((c) => c.name === 'TakResponse');
  const st = rs.length === 1 ? rs[0]!.attrs.status : undefined;
  if (st !== 'true' && st !== 'false') return `t-x-takp-r event ${JSON.stringify(uid)} needs one <TakResponse status="true|false"/>`;
  return { kind: 'response', uid, status: st === 'true' };
}

/** The negotiation event `c` as CoT XML (the forms of the protocol description), made at `now` (s) and stale a minute later. */
export function takControlEvent(c: TakControlEvent, now: number): string {
  const type = c.kind === 'offer' ? 't-x-takp-v' : c.kind === 'request' ? 't-x-takp-q' : 't-x-takp-r';
  const body =
    c.kind === 'offer'
      ? c.versions.map((v) => `<TakProtocolSupport version="${v}"/>`).join('')
      : c.kind === 'request'
        ? `<TakRequest version="${c.version}"/>`
        : `<TakResponse status="${c.status}"/>`;
  const t = cotTime(now);
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<event version="2.0" uid="${escapeXml(c.uid)}" type="${type}" time="${t}" start="${t}" stale="${cotTime(now + 60)}" how="m-g">` +
    `<point lat="0.0" lon="0.0" hae="0.0" ce="999999" le="999999"/><detail><TakControl>${body}</TakControl></detail></event>`
  );
}
