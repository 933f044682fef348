/**
 * Device cookies against the lock-out of an operator by name (OWASP, "Slow Down Online Guessing
 * Attacks with Device Cookies"): a browser that logged in as a user gets a cookie that names no
 * one but is bound to that user by an HMAC. A login attempt that presents it for that user is
 * a trusted device's: it is not held back by the failures others caused for the name, only by
 * its own (the cookie is counted apart, and locked out by its own failures) and its address's.
 * Without it, the name's failures count as before. So whoever knows an operator's name can
 * still slow guessing at it, but can no longer keep the operator out of a browser they used.
 *
 * The key is drawn when the service starts, as the sessions are (in memory): after a restart a
 * device's first login is an untrusted one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'sw_device';

export interface DeviceCookies {
  /** A new cookie value for `user` (a random nonce and its HMAC with the user name). */
  issue(user: string): string;
  /** The cookie's nonce when `value` was issued by this service for `user`; null otherwise. */
  check(value: string | undefined, user: string): string | null;
}

export function createDeviceCookies(key: Buffer = randomBytes(32)): DeviceCookies {
  const mac = (user: string, nonce: string) => createHmac('sha256', key).update(user).update('\0').update(nonce).digest();
  return {
    issue(user) {
      const nonce = randomBytes(16).toString('base64url');
      return `${nonce}.${mac(user, nonce).toString('base64url')}`;
    },
    check(value, user) {
      if (typeof value !== 'string' || value.length > 200) return null;
      const dot = value.indexOf('.');
      if (dot <= 0) return null;
      const nonce = value.slice(0, dot);
      const given = Buffer.from(value.slice(dot + 1), 'base64url');
      const want = mac(user, nonce);
      return given.length === want.length && timingSafeEqual(given, want) ? nonce : null;
    },
  };
}
