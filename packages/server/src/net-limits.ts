/**
 * A cap on the simultaneous TCP connections from one address, for the service's listeners
 * (HTTP, the embedded MQTT broker): one host holding idle connections cannot take every slot
 * and lock sensors and operators out.
 */
import { isIP, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { parseAllowList } from './config.js';
import { createWarnLimiter } from './warn-limiter.js';

/** A socket's remote address as one host: an IPv4 client of a dual-stack listener as its IPv4 address; undefined when closed. */
export function socketAddress(socket: { remoteAddress?: string }): string | undefined {
  const raw = socket.remoteAddress;
  if (raw === undefined) return undefined;
  return raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
}

/**
 * Counts connections per address: `admit` counts a socket against its address until it closes
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
      const n = held.get(addr) ?? 0;
      if (n >= max) return n;
      held.set(addr, n + 1);
      socket.once('close', () => {
        const m = (held.get(addr) ?? 1) - 1;
        if (m <= 0) held.delete(addr);
        else held.set(addr, m);
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
    warn.warn('per-address', { from: socket.remoteAddress, held, refused }, `${what} connection refused: this address holds ${setting} already`);
  });
}
