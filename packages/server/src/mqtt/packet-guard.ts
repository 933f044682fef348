/**
 * The embedded broker's guard on each connection's MQTT framing (MQTT 3.1.1 and 5.0, section 2:
 * a fixed header of one type byte and a variable-length "remaining length" of 1-4 bytes, then the
 * packet's body). aedes and mqtt-packet buffer a whole packet before parsing it, whatever length
 * its header announces (up to 256 MB), and nothing times a packet that stops half-way. The guard
 * sits in `socket.read` (aedes reads with `conn.read(null)`) and sees every byte before the
 * broker does:
 *
 * - **Too large.** A packet announcing more than `limit()` bytes is not buffered. A PUBLISH of a
 *   logged-in client (`loggedIn()`) is replaced by a stand-in: its own fixed header flags, topic,
 *   packet id and (MQTT 5) properties, with `marker` as its payload; the rest of its body is read
 *   and dropped as it arrives. The broker then acknowledges it as a refused message and reports
 *   why (`replaced` holds each stand-in's real payload size, in order), so that the sensor's later
 *   messages are not stuck behind one it would otherwise resend forever (MQTT 3.1.1 has no way to
 *   refuse a QoS 1 message but to close the connection). Any other packet too large (a CONNECT, a
 *   SUBSCRIBE, a PUBLISH before login) closes the connection (`onOversize`); a SUBSCRIBE or
 *   UNSUBSCRIBE is too large beyond {@link MAX_SUBSCRIBE_BYTES}.
 * - **Stalled.** A packet begun must be complete by `timeoutMs` plus its length at `minBytesPerS`
 *   (`deadline`); `stalled(now)` says when one is late and nothing of it waits unread on this
 *   side (the broker pausing its reads is not the client's stall).
 * - **Unsolicited acknowledgements.** The broker sends clients nothing at QoS 1 or 2 (a sensor's
 *   error reports go at QoS 0), so a client's PUBACK, PUBREC or PUBCOMP acknowledges nothing: it
 *   is dropped here, unread by the broker, and past {@link MAX_UNSOLICITED_ACKS} of them the
 *   connection is closed (`onFlood`). A PUBREL releases a QoS 2 PUBLISH of the client's and passes;
 *   one more than the QoS 2 PUBLISH packets the connection sent plus {@link PUBREL_SLACK} (a resumed
 *   session sends its unreleased ones again) closes it. Each had cost the broker a store look-up
 *   and a reply: 8 connections writing them as fast as they could held the service's event loop
 *   for 9-14 s (an outside probe, 2026-12-07).
 */
import type { Socket } from 'node:net';

/** PUBACK, PUBREC and PUBCOMP packets a connection may send (all dropped: they acknowledge nothing) before it is closed. */
export const MAX_UNSOLICITED_ACKS = 64;

/** PUBREL packets a connection may send beyond its QoS 2 PUBLISH packets before it is closed (a resumed session's unreleased ones). */
export const PUBREL_SLACK = 1024;

/** The largest SUBSCRIBE or UNSUBSCRIBE (remaining length, bytes): the connection is closed beyond it. */
export const MAX_SUBSCRIBE_BYTES = 4096;

export interface PacketGuardOptions {
  /** The largest packet (remaining length, bytes) passed to the broker whole. */
  limit(): number;
  /** Whether the client has logged in: its too-large PUBLISH is replaced, not fatal. */
  loggedIn(): boolean;
  /** The client's MQTT protocol level (5: a PUBLISH carries properties). */
  version(): number;
  /** The stand-in payload of a replaced PUBLISH (a secret the broker recognises). */
  marker: Buffer;
  /**
   * Told of a packet too large: `replaced` when a PUBLISH was replaced (the connection stays), else
   * it is closed; `part` is `properties` when it is an MQTT 5 PUBLISH's properties that are too large.
   */
  onOversize(announced: number, limit: number, replaced: boolean, part?: 'packet' | 'properties'): void;
  /** Closes the connection after a fatal packet (the guard discards whatever follows). */
  close(): void;
  /** Told, before the connection is closed, of a flood of acknowledgements: which packets, and how many. */
  onFlood?(what: 'unsolicited acknowledgements' | 'PUBREL without a QoS 2 PUBLISH', count: number): void;
  /** Grace for every packet, ms. */
  timeoutMs: number;
  /** Slowest upload a packet is allowed beyond the grace, bytes per second. */
  minBytesPerS: number;
}

export interface PacketGuard {
  /** The payload sizes of the PUBLISH packets replaced by stand-ins, oldest first (the broker takes them off as it handles the stand-ins). */
  readonly replaced: number[];
  /** When (ms since the epoch) the packet in progress must be complete; 0 between packets. */
  readonly deadline: number;
  /** A packet is late and nothing of it waits unread on this side. */
  stalled(nowMs: number): boolean;
}

/**
 * The largest properties of an MQTT 5 PUBLISH that passes (bytes): beyond it the connection is
 * closed. A sensor's properties are a few user properties of a few bytes each; 30 PUBLISH packets of
 * 1 MB of user properties within the packet size had cost 12.8 s of the event loop, each property
 * parsed into an object before anything could refuse it (an outside probe, 2026-12-06).
 */
export const MAX_PUBLISH_PROPERTIES = 8192;

/** Bytes of a PUBLISH variable header (topic, packet id, MQTT 5 properties) the guard collects at most; a longer one closes the connection. */
export const MAX_PUBLISH_HEADER = 256 * 1024;

const enum Mode {
  Type,
  Length,
  Pass,
  Header,
  /** An MQTT 5 PUBLISH that passes: its variable header is read as it passes, for the size of its properties. */
  Peek,
  Skip,
  Dead,
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export function guardPackets(socket: Socket, o: PacketGuardOptions): PacketGuard {
  let mode = Mode.Type;
  let type = 0; // the current packet's first byte
  let len = 0; // its remaining length
  let mul = 1;
  let lenBytes = 0;
  let need = 0; // body bytes still to pass (Pass) or drop (Skip)
  let deadline = 0;
  let startMs = 0;
  // a replaced PUBLISH: its variable header as it arrives
  let hdr: number[] = [];
  let hdrTotal = -1; // its length once known
  let propsLen = 0; // its MQTT 5 properties' length, once known
  const replaced: number[] = [];
  let unsolicited = 0; // PUBACK, PUBREC, PUBCOMP dropped
  let qos2 = 0; // QoS 2 PUBLISH packets passed
  let pubrel = 0; // PUBREL packets passed

  /** The length of the variable header in `hdr` once its bytes tell it, else -1 (or -2 when malformed). */
  function headerLength(): number {
    if (hdr.length < 2) return -1;
    const qos = (type >> 1) & 3;
    if (qos === 3) return -2;
    const base = 2 + ((hdr[0] << 8) | hdr[1]) + (qos > 0 ? 2 : 0);
    if (o.version() < 5) return base;
    let props = 0;
    let m = 1;
    for (let k = 0; k < 4; k++) {
      if (hdr.length <= base + k) return -1;
      const b = hdr[base + k];
      props += (b & 0x7f) * m;
      m *= 128;
      if ((b & 0x80) === 0) {
        propsLen = props;
        return base + k + 1 + props;
      }
    }
    return -2;
  }

  // the fixed header of a packet cut by the end of a read, held back until its length is known
  let held: Buffer | null = null;
  let heldStartMs = 0;

  const read = socket.read.bind(socket);
  socket.read = ((size?: number) => {
    const got = read(size) as Buffer | string | null;
    if (got === null || typeof got === 'string') return got;
    if (mode === Mode.Dead) return null;
    const now = Date.now();
    let buf = got;
    if (held !== null) {
      // parsed again from its first byte, nothing of it having passed
      buf = Buffer.concat([held, got]);
      held = null;
    }
    // the output: `buf` itself while nothing is dropped or added, else these pieces
    let pieces: Buffer[] | null = mode === Mode.Skip || mode === Mode.Header ? [] : null;
    let from = 0; // start of the part of `buf` still to pass
    let headerAt = 0; // where the current packet's fixed header began in `buf`
    let i = 0;
    while (i < buf.length) {
      if (mode === Mode.Pass) {
        const take = Math.min(need, buf.length - i);
        need -= take;
        i += take;
        if (need === 0) {
          mode = Mode.Type;
          deadline = 0;
        }
        continue;
      }
      if (mode === Mode.Skip) {
        const take = Math.min(need, buf.length - i);
        need -= take;
        i += take;
        from = i;
        if (need === 0) {
          mode = Mode.Type;
          deadline = 0;
        }
        continue;
      }
      const b = buf[i++];
      if (mode === Mode.Type) {
        type = b;
        mode = Mode.Length;
        len = 0;
        mul = 1;
        lenBytes = 0;
        headerAt = i - 1;
        startMs = heldStartMs > 0 ? heldStartMs : now;
        heldStartMs = 0;
        deadline = startMs + o.timeoutMs;
        continue;
      }
      if (mode === Mode.Length) {
        len += (b & 0x7f) * mul;
        mul *= 128;
        lenBytes++;
        if ((b & 0x80) !== 0 && lenBytes < 4) continue;
        deadline = startMs + o.timeoutMs + (len * 1000) / o.minBytesPerS;
        // a SUBSCRIBE or UNSUBSCRIBE is a topic or two (a sensor's errors topic): 90,000 filters in
        // 1 MB had each been checked, 0.5 s of the event loop a packet (an outside probe, 2026-12-06)
        const max = type >> 4 === 8 || type >> 4 === 10 ? Math.min(o.limit(), MAX_SUBSCRIBE_BYTES) : o.limit();
        const kind = type >> 4;
        if (len <= max && (kind === 4 || kind === 5 || kind === 7)) {
          // an acknowledgement of nothing the broker sent: dropped, counted (a too large one closes the connection below)
          if (++unsolicited > MAX_UNSOLICITED_ACKS) {
            if (pieces === null) pieces = [];
            if (headerAt > from) pieces.push(buf.subarray(from, headerAt));
            o.onFlood?.('unsolicited acknowledgements', unsolicited);
            mode = Mode.Dead;
            o.close();
            break;
          }
          if (pieces === null) pieces = [];
          if (headerAt > from) pieces.push(buf.subarray(from, headerAt));
          from = i;
          need = len;
          mode = len > 0 ? Mode.Skip : Mode.Type;
          if (len === 0) deadline = 0;
          continue;
        }
        if (kind === 3 && ((type >> 1) & 3) === 2) qos2++;
        else if (kind === 6 && ++pubrel > qos2 + PUBREL_SLACK) {
          if (pieces === null) pieces = [];
          if (headerAt > from) pieces.push(buf.subarray(from, headerAt));
          o.onFlood?.('PUBREL without a QoS 2 PUBLISH', pubrel - qos2);
          mode = Mode.Dead;
          o.close();
          break;
        }
        if (len <= max && type >> 4 === 3 && o.version() >= 5) {
          mode = Mode.Peek;
          need = len;
          hdr = [];
          hdrTotal = -1;
          continue;
        }
        if (len <= max) {
          mode = len > 0 ? Mode.Pass : Mode.Type;
          need = len;
          if (len === 0) deadline = 0;
          continue;
        }
        // too large: nothing of it passes
        if (pieces === null) pieces = [];
        if (headerAt > from) pieces.push(buf.subarray(from, headerAt));
        from = i;
        if (type >> 4 === 3 && o.loggedIn()) {
          // a PUBLISH: its variable header is collected for a stand-in
          mode = Mode.Header;
          hdr = [];
          hdrTotal = -1;
          continue;
        }
        o.onOversize(len, max, false);
        mode = Mode.Dead;
        o.close();
        break;
      }
      if (mode === Mode.Peek) {
        // one byte of a passing MQTT 5 PUBLISH's variable header: it passes
        hdr.push(b);
        need--;
        hdrTotal = headerLength();
        if (hdrTotal >= 0 && propsLen > MAX_PUBLISH_PROPERTIES) {
          // the packet goes no further: what came before it in this read passes
          if (pieces === null) pieces = [];
          if (headerAt > from) pieces.push(buf.subarray(from, headerAt));
          o.onOversize(propsLen, MAX_PUBLISH_PROPERTIES, false, 'properties');
          mode = Mode.Dead;
          o.close();
          break;
        }
        // the properties' length known and within the cap (or the header malformed: the broker's
        // parser says so), or the packet ended: the rest passes unread
        if (hdrTotal !== -1 || need === 0) {
          hdr = [];
          mode = need > 0 ? Mode.Pass : Mode.Type;
          if (need === 0) deadline = 0;
        }
        continue;
      }
      // Mode.Header: one byte of a replaced PUBLISH's variable header
      hdr.push(b);
      from = i;
      if (hdrTotal < 0) hdrTotal = headerLength();
      if (hdrTotal === -2 || hdrTotal > len || hdr.length > MAX_PUBLISH_HEADER) {
        o.onOversize(len, o.limit(), false);
        mode = Mode.Dead;
        o.close();
        break;
      }
      if (hdrTotal >= 0 && hdr.length === hdrTotal) {
        pieces!.push(Buffer.from([type, ...varint(hdrTotal + o.marker.length), ...hdr]), o.marker);
        replaced.push(len - hdrTotal);
        o.onOversize(len, o.limit(), true);
        need = len - hdrTotal;
        mode = need > 0 ? Mode.Skip : Mode.Type;
        if (need === 0) deadline = 0;
        hdr = [];
      }
    }
    let end = buf.length;
    if (mode === Mode.Length) {
      // the read ended inside a fixed header: it is held back and parsed again with what follows
      held = Buffer.from(buf.subarray(headerAt));
      heldStartMs = startMs;
      mode = Mode.Type;
      end = headerAt;
      if (pieces === null) pieces = [];
    }
    if (pieces === null) return buf;
    const list: Buffer[] = pieces;
    if (mode !== Mode.Dead && end > from) list.push(buf.subarray(from, end));
    if (list.length === 0) return null;
    return list.length === 1 ? list[0] : Buffer.concat(list);
  }) as typeof socket.read;

  return {
    replaced,
    get deadline() {
      return deadline;
    },
    stalled(nowMs) {
      return mode !== Mode.Dead && deadline > 0 && nowMs > deadline && socket.readableLength === 0;
    },
  };
}
