/**
 * A cap on the simultaneous TCP connections from one address, for the service's listeners
 * (HTTP, the embedded MQTT broker): one host holding idle connections cannot take every slot
 * and lock sensors and operators out.
 */
import { isIP, type Server, type Socket } from 'node:net';
import { parseAllowList } from './config.js';

/**
 * Closes a connection at once when its address already holds `max`. The addresses and CIDRs of
 * `exempt` (trusted reverse proxies: every client behind one shares its address) are not
 * capped. Refusals are logged at most once a minute, naming `what` and the setting `key`.
 */
export function limitConnectionsPerAddress(server: Server, max: number, exempt: string | null, log: { warn: (o: object, m: string) => void }, what: string, key: string): void {
  const proxies = exempt !== null ? parseAllowList(exempt) : null;
  const held = new Map<string, number>();
  let refused = 0;
  let warnedAt = -Infinity;
  server.on('connection', (socket: Socket) => {
    let addr = socket.remoteAddress;
    if (addr === undefined) return;
    if (addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4) addr = addr.slice(7);
    if (proxies && proxies.check(addr, isIP(addr) === 6 ? 'ipv6' : 'ipv4')) return;
    const n = held.get(addr) ?? 0;
    if (n >= max) {
      refused++;
      socket.destroy();
      if (Date.now() - warnedAt > 60_000) {
        warnedAt = Date.now();
        log.warn({ from: addr, held: n, refused }, `${what} connection refused: this address holds ${key} already`);
      }
      return;
    }
    const key2 = addr;
    held.set(key2, n + 1);
    socket.once('close', () => {
      const m = (held.get(key2) ?? 1) - 1;
      if (m <= 0) held.delete(key2);
      else held.set(key2, m);
    });
  });
}
