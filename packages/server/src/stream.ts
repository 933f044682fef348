/**
 * The live event stream (server-sent events on GET /api/v1/stream): a hub that writes each
 * event to every connected client. A client that cannot keep up (more than `maxBufferBytes`
 * waiting in its socket) is disconnected rather than slowing the service; it reconnects and
 * gets a fresh snapshot.
 */
import type { ServerResponse } from 'node:http';
import type { StreamEventName, StreamEvents } from '@skywarden/formats';

/** Headers on every answer, the event streams included (http/app.ts sets them on the others): no MIME sniffing, no framing, no referrer leaks. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' });

/** An event as the stream writes it. */
export const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

interface Client {
  res: ServerResponse;
  id: number;
}

export function createStreamHub(opts: { maxBufferBytes?: number; onDrop?: () => void } = {}) {
  const maxBuffer = opts.maxBufferBytes ?? 16 * 1024 * 1024;
  const clients = new Map<number, Client>();
  let nextId = 1;
  let sent = 0;
  let generation = 0;

  function write(c: Client, text: string, done?: () => void): void {
    if (c.res.writableLength > maxBuffer) {
      clients.delete(c.id);
      opts.onDrop?.();
      c.res.end();
      done?.();
      return;
    }
    if (done) c.res.write(text, () => done());
    else c.res.write(text);
  }

  const heartbeat = setInterval(() => {
    for (const c of clients.values()) write(c, `: keep-alive\n\n`);
  }, 15000);
  heartbeat.unref();

  return {
    /** Takes over a response as an event stream; `initial` events are sent to it first, then `framed` (events already made by {@link frame}). */
    attach(res: ServerResponse, initial: [StreamEventName, unknown][], framed = ''): void {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...SECURITY_HEADERS,
      });
      const c: Client = { res, id: nextId++ };
      clients.set(c.id, c);
      res.on('close', () => clients.delete(c.id));
      res.write('retry: 2000\n\n');
      for (const [e, d] of initial) write(c, frame(e, d));
      if (framed) write(c, framed);
    },
    /** Writes an event to every client; `onWritten` is called once every client's copy has gone to its socket. */
    broadcast<E extends StreamEventName>(event: E, data: StreamEvents[E], onWritten?: () => void): void {
      // a change made while nobody listens still outdates a cached opening snapshot
      generation++;
      if (clients.size === 0) return;
      const text = frame(event, data);
      sent++;
      let waiting = clients.size;
      const done = onWritten ? () => --waiting === 0 && onWritten() : undefined;
      for (const c of [...clients.values()]) write(c, text, done);
    },
    get clients() {
      return clients.size;
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
