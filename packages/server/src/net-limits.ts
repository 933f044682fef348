/**
 * A cap on the simultaneous TCP connections from one address, for the service's listeners
 * (HTTP, the embedded MQTT broker): one host holding idle connections cannot take every slot
 * and lock sensors and operators out.
 */
import { isIP, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { parseAllowList } from './config.js';
import { createWarnLimiter } from './warn-limiter.js';

/** An IPv4-mapped IPv6 address (an IPv4 client of a dual-stack listener) as its IPv4 address; any other as it is. */
const unmapped = (raw: string): string => (raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw);

/** A socket's remote address as one host: an IPv4 client of a dual-stack listener as its IPv4 address; undefined when closed. */
export function socketAddress(socket: { remoteAddress?: string }): string | undefined {
  const raw = socket.remoteAddress;
  return raw === undefined ? undefined : unmapped(raw);
}

/**
 * The unit that per-address limits count (connections, event-stream places, failed logins): an
 * IPv4 address as it is (an IPv4-mapped IPv6 address as its IPv4 one), an IPv6 address as its /64
 * network ("2001:db8:0:1::/64"). One IPv6 host is given a whole /64 (RFC 6177; SLAAC and privacy
 * addresses draw from it at will), so counting IPv6 addresses one by one let one host take every
 * place of a limit with addresses of its own (the open end of an outside probe, 2026-12-06). Anything else (a
 * name, garbage) is its own key, unchanged.
 */
export function hostKey(address: string): string {
  const one = unmapped(address);
  const bare = one.split('%')[0];
  if (isIP(bare) !== 6) return one;
  // an IPv4 tail is the last 32 bits: it never reaches the first 64, and counts as two groups
  const lastColon = bare.lastIndexOf(':');
  const text = bare.slice(lastColon + 1).includes('.') ? `${bare.slice(0, lastColon + 1)}0:0` : bare;
  const [left, right] = text.includes('::') ? text.split('::') : [text, null];
  const l = left ? left.split(':') : [];
  const r = right ? right.split(':') : [];
  const groups = right === null ? l : [...l, ...new Array<string>(8 - l.length - r.length).fill('0'), ...r];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Counts connections per address (per {@link hostKey}: an IPv6 /64 is one): `admit` counts a socket against its address until it closes
 * and returns null, or, when the address already holds `max`, counts nothing and returns how
 * many it holds. The addresses and CIDRs of `exempt` (trusted reverse proxies: every client
 * behind one shares its address) are never refused.
 */
export function createAddressLimit(max: number, exempt: string | null): { admit(socket: Socket): number | null } {
  const proxies = exempt !== null ? parseAllowList(exempt) : null;
  const held = new Map<string, number>();
  return {
    admit(socket) {
      const addr = socketAddress(socket);
      if (addr === undefined) return null;
      if (proxies && proxies.check(addr, isIP(addr) === 6 ? 'ipv6' : 'ipv4')) return null;
      const key = hostKey(addr);
      const n = held.get(key) ?? 0;
      if (n >= max) return n;
      held.set(key, n + 1);
      socket.once('close', () => {
        const m = (held.get(key) ?? 1) - 1;
        if (m <= 0) held.delete(key);
        else held.set(key, m);
      });
      return null;
    },
  };
}

/**
 * Closes a connection to `server` at once when its address already holds `max`
 * (`createAddressLimit`). Refusals are logged at most once a minute, naming `what` and the
 * `setting`.
 */
export function limitConnectionsPerAddress(server: Server, max: number, exempt: string | null, log: Pick<Logger, 'warn'>, what: string, setting: string): void {
  const limit = createAddressLimit(max, exempt);
  const warn = createWarnLimiter(log, 60);
  let refused = 0;
  server.on('connection', (socket: Socket) => {
    const held = limit.admit(socket);
    if (held === null) return;
    refused++;
    socket.destroy();
    const from = socket.remoteAddress ?? '';
    const host = hostKey(socketAddress(socket) ?? from);
    warn.warn('per-address', { from, ...(host !== from ? { host } : {}), held, refused }, `${what} connection refused: this ${host.endsWith('/64') ? 'IPv6 /64 network' : 'address'} holds ${setting} already`);
  });
}

/**
 * Keeps room for new HTTP connections when idle ones fill the server: once `max − reserve`
 * sockets are open, each new connection closes the oldest one that has no request in progress
 * (it sent none yet, or only part of its headers, or sits between keep-alive requests). Without
 * it, 1,024 connections opened and left silent from nine addresses (within the per-address cap)
 * held every slot until the headers' timeout, and sensors and operators were refused meanwhile
 * (an outside probe, 2026-12-06). A connection serving a request (an event stream included) is
 * never closed for this; a keep-alive client whose idle connection is closed connects again.
 * `server.maxConnections` stays the hard ceiling. For a plain HTTP server (the service speaks TLS
 * through a proxy): a TLS server's requests come on the TLS socket, not the one connected. Returns
 * the count of connections so closed.
 */
export function shedIdleConnections(server: Server, max: number, log: Pick<Logger, 'warn'>, what: string): { readonly shed: number } {
  const reserve = Math.max(1, Math.min(64, Math.floor(max / 16)));
  const highWater = Math.max(1, max - reserve);
  /** Open sockets with no request in progress, oldest (least recently active) first. */
  const idle = new Set<Socket>();
  const busy = new WeakMap<Socket, number>();
  let open = 0;
  const state = { shed: 0 };
  const warn = createWarnLimiter(log, 60);
  server.on('connection', (socket: Socket) => {
    // refused already (the per-address cap): it takes no room
    if (socket.destroyed) return;
    open++;
    socket.once('close', () => {
      open--;
      idle.delete(socket);
    });
    if (open > highWater) {
      for (const old of idle) {
        idle.delete(old);
        old.destroy();
        state.shed++;
        warn.warn('shed', { open, shed: state.shed }, `${what}: ${open} connections open, the oldest idle one closed to make room (${state.shed} so far)`);
        break;
      }
    }
    idle.add(socket);
  });
  server.on('request', (req: { socket: Socket }, res: { once(e: 'close', f: () => void): void }) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    idle.delete(socket);
    res.once('close', () => {
      const n = (busy.get(socket) ?? 1) - 1;
      busy.set(socket, n);
      // idle again, now the most recently active
      if (n <= 0 && !socket.destroyed) idle.add(socket);
    });
  });
  return state;
}
