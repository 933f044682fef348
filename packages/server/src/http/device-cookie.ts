/**
 * Device cookies against the lock-out of an operator by name (OWASP, "Slow Down Online Guessing
 * Attacks with Device Cookies"): a browser that logged in as a user gets a cookie that names no
 * one but is bound to that user by an HMAC. A login attempt that presents it for that user is
 * a trusted device's: it is not held back by the failures others caused for the name, only by
 * its own (the cookie is counted apart, and locked out by its own failures) and its address's.
 * Without it, the name's failures count as before. So whoever knows an operator's name can
 * still slow guessing at it, but can no longer keep the operator out of a browser they used.
 *
 * The key is kept in the data folder (`device-cookie.key`, 32 random bytes, readable by the
 * service's user only: {@link loadDeviceKey}), so a browser stays trusted across restarts; the
 * sessions themselves still live in memory. Where the file cannot be kept (a read-only folder)
 * the key is drawn at start and a restart makes every device's next login an untrusted one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The key file's name in the data folder. */
export const DEVICE_KEY_FILE = 'device-cookie.key';
const KEY_BYTES = 32;

/**
 * The device cookies' key from `<dataDir>/device-cookie.key`, made (mode 0600, written whole and
 * renamed into place) when missing. A file of another length is replaced (devices trusted before
 * are not, once); a folder where the file can be neither read nor written gives a key for this
 * run only. Each case other than a good file is said through `warn`.
 */
export function loadDeviceKey(dataDir: string, warn: (message: string) => void): Buffer {
  const path = join(dataDir, DEVICE_KEY_FILE);
  let replace = false;
  try {
    const key = readFileSync(path);
    if (key.length === KEY_BYTES) return key;
    warn(`${path}: ${key.length} bytes where the device cookies' key has ${KEY_BYTES}: replaced (browsers trusted before log in as new ones once)`);
    replace = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      warn(`${path}: cannot be read (${(err as Error).message}): the device cookies' key is this run's only (after a restart every browser logs in as a new one)`);
      return randomBytes(KEY_BYTES);
    }
  }
  const key = randomBytes(KEY_BYTES);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true });
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp); // a half-written key of this run's
    } catch {
      // none was made
    }
    warn(`${path}: cannot be written (${(err as Error).message}): the device cookies' key is this run's only${replace ? '' : ' (after a restart every browser logs in as a new one)'}`);
  }
  return key;
}

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
