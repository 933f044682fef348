/**
 * The live event stream (server-sent events on GET /api/v1/stream): a hub that writes each
 * event to every connected client. A client that cannot keep up (more than `maxBufferBytes`
 * waiting in its socket) is disconnected rather than slowing the service; it reconnects and
 * gets a fresh snapshot. All clients together hold at most `maxTotalBufferBytes`: past it the
 * ones furthest behind are dropped first (960 clients that never read had each been allowed
 * the per-client limit).
 *
 * A client is forgotten when its response closes or its connection does: Node emits no `close`
 * on a response that is queued behind another on its connection (HTTP pipelining) when the
 * connection dies, and 20,000 such stream requests, pipelined on connections then dropped, had
 * stayed registered and filled 3-4 GB (an outside probe, 2026-12-06). A stream request queued
 * behind another request of its connection is refused outright: it could only be answered after
 * a response that may never end.
 */
import type { ServerResponse } from 'node:http';
import type { StreamEventName, StreamEvents } from '@skywarden/formats';
import { hostKey } from './net-limits.js';

/** Headers on every answer, the event streams included (http/app.ts sets them on the others): no MIME sniffing, no framing, no referrer leaks. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' });

/** An event as the stream writes it. */
export const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

interface Client {
  res: ServerResponse;
  id: number;
  /** The client's address (its own, or the one a trusted proxy gave). */
  address: string;
}

/**
 * Calls `fn` once, when the response closes or the connection it came on closes, whichever is
 * first (see the module's note on pipelined responses); returns a function that cancels it.
 */
export function onResponseGone(res: ServerResponse, fn: () => void): () => void {
  const socket = res.req?.socket;
  let done = false;
  const cancel = () => {
    done = true;
    res.off('close', fire);
    socket?.off('close', fire);
  };
  function fire() {
    if (done) return;
    cancel();
    fn();
  }
  res.once('close', fire);
  if (socket) {
    if (socket.destroyed) queueMicrotask(fire);
    else socket.once('close', fire);
  }
  return cancel;
}

/** Answers a stream request with an error instead of the stream, and closes its connection; false (not attached). */
function refuse(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): false {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close', ...headers, ...SECURITY_HEADERS });
  res.end(JSON.stringify({ error: { code, message } }));
  return false;
}

export interface StreamHubOptions {
  /** Bytes one client may have waiting before it is dropped. Default 16 MiB. */
  maxBufferBytes?: number;
  /** Bytes all clients together may have waiting; past it the furthest behind are dropped. Default 256 MiB. */
  maxTotalBufferBytes?: number;
  /** Called for each client dropped for falling behind. */
  onDrop?: () => void;
  /**
   * Clients at most (default 256). At the cap a newcomer from an address that holds fewer
   * clients than the address holding the most takes the place of that address's oldest client;
   * otherwise it is refused with 503. Clients that never read, and whose stream is too quiet to
   * fill their buffers, had held HTTP connections without end, up to the service's connection
   * cap (an outside probe, 2026-12-06); with the cap the other routes keep their connections.
   */
  maxClients?: number;
  /** The setting that sets `maxClients`, named in a refusal. */
  maxClientsSetting?: string;
  /** Called for each client refused, or replaced, at the cap. */
  onFull?: (what: 'refused' | 'replaced') => void;
}

export function createStreamHub(opts: StreamHubOptions = {}) {
  const maxBuffer = opts.maxBufferBytes ?? 16 * 1024 * 1024;
  const maxTotal = opts.maxTotalBufferBytes ?? 256 * 1024 * 1024;
  const maxClients = opts.maxClients ?? 256;
  const clients = new Map<number, Client>();
  /** Clients by address. */
  const perAddress = new Map<string, number>();
  let nextId = 1;
  let refusedFull = 0;
  let replacedFull = 0;

  function forget(c: Client): void {
    if (!clients.delete(c.id)) return;
    const n = (perAddress.get(c.address) ?? 1) - 1;
    if (n <= 0) perAddress.delete(c.address);
    else perAddress.set(c.address, n);
  }

  /** At the cap: makes room for a newcomer from `address` (see {@link StreamHubOptions.maxClients}); whether it did. */
  function makeRoom(address: string): boolean {
    let top = '';
    let most = 0;
    for (const [a, n] of perAddress) {
      if (n > most) {
        most = n;
        top = a;
      }
    }
    if ((perAddress.get(address) ?? 0) + 1 >= most) return false;
    for (const c of clients.values()) {
      if (c.address !== top) continue;
      forget(c);
      replacedFull++;
      opts.onFull?.('replaced');
      c.res.end();
      return true;
    }
    return false;
  }
  let sent = 0;
  let generation = 0;
  let refusedQueued = 0;

  function drop(c: Client): void {
    forget(c);
    opts.onDrop?.();
    c.res.end();
  }

  function write(c: Client, text: string, done?: () => void): void {
    if (!clients.has(c.id)) {
      done?.();
      return;
    }
    if (c.res.writableLength > maxBuffer) {
      drop(c);
      done?.();
      return;
    }
    if (done) c.res.write(text, () => done());
    else c.res.write(text);
  }

  /** Drops the clients furthest behind while all of them together hold more than `maxTotal` bytes. */
  function holdTotal(): void {
    let total = 0;
    for (const c of clients.values()) total += c.res.writableLength;
    if (total <= maxTotal) return;
    const behind = [...clients.values()].sort((a, b) => b.res.writableLength - a.res.writableLength);
    for (const c of behind) {
      if (total <= maxTotal) break;
      total -= c.res.writableLength;
      drop(c);
    }
  }

  const heartbeat = setInterval(() => {
    for (const c of clients.values()) write(c, `: keep-alive\n\n`);
  }, 15000);
  heartbeat.unref();

  return {
    /**
     * Takes over a response as an event stream; `initial` events are sent to it first, then
     * `framed` (events already made by {@link frame}). A response queued behind another of its
     * connection (HTTP pipelining: it has no socket yet) is answered 409 instead; returns whether
     * the stream was attached.
     */
    attach(res: ServerResponse, initial: [StreamEventName, unknown][], framed = '', from = res.req?.socket?.remoteAddress ?? ''): boolean {
      // places are shared out per host (an IPv6 /64 is one: net-limits.ts hostKey)
      const address = hostKey(from);
      if (!res.socket) {
        refusedQueued++;
        return refuse(res, 409, 'conflict', 'an event stream must be the only request in flight on its connection (it was pipelined behind another)');
      }
      if (clients.size >= maxClients && !makeRoom(address)) {
        refusedFull++;
        opts.onFull?.('refused');
        const setting = opts.maxClientsSetting ? ` (${opts.maxClientsSetting})` : '';
        return refuse(res, 503, 'unavailable', `the event stream has its ${maxClients} clients${setting}, and no other address holds more than this one would: try again later`, { 'retry-after': '10' });
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...SECURITY_HEADERS,
      });
      const c: Client = { res, id: nextId++, address };
      clients.set(c.id, c);
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      onResponseGone(res, () => forget(c));
      // a client that ends its side of the connection is gone: the HTTP server keeps a half-closed
      // connection writable (so that a request sent and then half-closed gets its answer,
      // http/app.ts), and a quiet stream would never write to find out the reader has left
      const sock = res.req?.socket;
      sock?.once('end', () => sock.destroy());
      res.write('retry: 2000\n\n');
      for (const [e, d] of initial) write(c, frame(e, d));
      if (framed) write(c, framed);
      holdTotal();
      return true;
    },
    /** Writes an event to every client; `onWritten` is called once every client's copy has gone to its socket. */
    broadcast<E extends StreamEventName>(event: E, data: StreamEvents[E], onWritten?: () => void): void {
      // a change made while nobody listens still outdates a cached opening snapshot
      generation++;
      if (clients.size === 0) return;
      const text = frame(event, data);
      sent++;
      holdTotal();
      let waiting = clients.size;
      if (waiting === 0) return;
      const done = onWritten ? () => --waiting === 0 && onWritten() : undefined;
      for (const c of [...clients.values()]) write(c, text, done);
    },
    get clients() {
      return clients.size;
    },
    /** Bytes all clients have waiting. */
    get buffered() {
      let total = 0;
      for (const c of clients.values()) total += c.res.writableLength;
      return total;
    },
    /** Stream requests refused at the client cap, and clients replaced there by a newcomer from a less represented address. */
    get refusedFull() {
      return refusedFull;
    },
    get replacedFull() {
      return replacedFull;
    },
    /** Stream requests refused for being pipelined behind another request (see `attach`). */
    get refusedQueued() {
      return refusedQueued;
    },
    /** Broadcasts so far (whether or not a client was connected): what a cached snapshot of the stream's state must not predate. */
    get generation() {
      return generation;
    },
    get sent() {
      return sent;
    },
    close(): void {
      clearInterval(heartbeat);
      for (const c of clients.values()) c.res.end();
      clients.clear();
    },
  };
}
export type StreamHub = ReturnType<typeof createStreamHub>;
