/**
 * Failed-login throttling: password guessing is slowed per user name and per client address.
 * After `maxPerUser` failures for one user name, or `maxPerAddress` from one address, within
 * `windowS`, further attempts for that name or from that address are refused (429 with
 * Retry-After) until the oldest failure leaves the window, before any password is checked (a
 * refused guess costs no scrypt time). A successful login clears its user name's failures.
 * Memory is bounded: at most `maxKeys` names and addresses are remembered (the least recently
 * failed are forgotten first). An address is counted as `hostKey` has it (an IPv6 /64 is one
 * address). The service counts every attempt as failed before it checks the
 * password and takes it back on success, so parallel guesses cannot slip through together.
 */
import { hostKey } from '../net-limits.js';

export interface LoginThrottleOptions {
  maxPerUser: number;
  maxPerAddress: number;
  windowS: number;
  maxKeys?: number;
}

export interface LoginThrottle {
  /** Seconds to wait before `user` may try again from `address`; 0 when allowed now. */
  retryAfter(user: string, address: string, nowS: number): number;
  /** Counts an attempt as failed (call it before checking the password, so that parallel guesses all count). */
  failed(user: string, address: string, nowS: number): void;
  /** The attempt counted at `nowS` succeeded: it is taken back from the address, and the name's failures are cleared. */
  succeeded(user: string, address?: string, nowS?: number): void;
  readonly size: number;
}

export function createLoginThrottle(o: LoginThrottleOptions): LoginThrottle {
  const maxKeys = o.maxKeys ?? 10_000;
  /** key -> failure times, oldest first; Map order = least recently failed first */
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number): number[] => {
    const list = failures.get(key);
    if (!list) return [];
    while (list.length > 0 && list[0] <= now - o.windowS) list.shift();
    if (list.length === 0) failures.delete(key);
    return list;
  };
  const wait = (key: string, max: number, now: number): number => {
    const list = recent(key, now);
    return list.length >= max ? Math.max(1, Math.ceil(list[list.length - max] + o.windowS - now)) : 0;
  };
  const add = (key: string, now: number) => {
    const list = recent(key, now);
    failures.delete(key);
    list.push(now);
    failures.set(key, list);
    while (failures.size > maxKeys) failures.delete(failures.keys().next().value as string);
  };
  return {
    retryAfter(user, address, now) {
      return Math.max(wait(`u:${user}`, o.maxPerUser, now), wait(`a:${hostKey(address)}`, o.maxPerAddress, now));
    },
    failed(user, address, now) {
      add(`u:${user}`, now);
      add(`a:${hostKey(address)}`, now);
    },
    succeeded(user, address, now) {
      failures.delete(`u:${user}`);
      if (address === undefined || now === undefined) return;
      const list = failures.get(`a:${hostKey(address)}`);
      const k = list ? list.lastIndexOf(now) : -1;
      if (list && k >= 0) list.splice(k, 1);
    },
    get size() {
      return failures.size;
    },
  };
}
