/**
 * Operators and sensors: password and token hashing (scrypt, node:crypto), sessions, and
 * which sensor a credential may publish for.
 *
 * Hash format: `scrypt$N$r$p$<salt base64>$<hash base64>` (N = 2^14, r = 8, p = 1, 32-byte
 * key). Sessions are random 256-bit tokens kept in memory with an expiry: a restart logs
 * everyone out (sensor tokens are not sessions and survive).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import type { Role } from './store/store.js';
import type { SensorCredential } from './config.js';

const scrypt = promisify(scryptCb) as (pw: string | Buffer, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const N = 1 << 14;
const R = 8;
const P = 1;
const KEYLEN = 32;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `secret` matches `hash` (constant-time compare). A malformed hash never matches. */
export async function verifySecret(secret: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const want = Buffer.from(parts[5], 'base64');
  if (want.length < 16) return false;
  const got = await scrypt(secret, salt, want.length, { N: n, r, p, maxmem: 256 * 1024 * 1024 });
  return timingSafeEqual(got, want);
}

export interface Session {
  token: string;
  user: string;
  role: Role;
  expires: number;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export const roleAtLeast = (have: Role, need: Role): boolean => RANK[have] >= RANK[need];

/** In-memory sessions with expiry (`now` in seconds, from the service clock's wall time). */
export function createSessions(ttlS: number, now: () => number) {
  const byToken = new Map<string, Session>();
  /** Told of each session that ends by logout or for its user (what holds it open, an event stream, closes). */
  const enders = new Set<(token: string) => void>();
  const ended = (token: string) => {
    for (const f of enders) f(token);
  };
  return {
    create(user: string, role: Role): Session {
      const s: Session = { token: randomBytes(32).toString('base64url'), user, role, expires: now() + ttlS };
      byToken.set(s.token, s);
      return s;
    },
    get(token: string): Session | null {
      const s = byToken.get(token);
      if (!s) return null;
      if (s.expires <= now()) {
        byToken.delete(token);
        return null;
      }
      return s;
    },
    end(token: string): boolean {
      const had = byToken.delete(token);
      if (had) ended(token);
      return had;
    },
    /** Ends every session of a user (password or role change). */
    endUser(user: string): void {
      for (const [k, s] of byToken) {
        if (s.user !== user) continue;
        byToken.delete(k);
        ended(k);
      }
    },
    /** Calls `f` with the token of every session ended from now on (logout, the user's change); returns the way to stop. */
    onEnd(f: (token: string) => void): () => void {
      enders.add(f);
      return () => enders.delete(f);
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;

/** A sensor credential with its secret hashed, resolved at start. */
export interface Principal {
  /** Sensor id or gateway id (the MQTT username). */
  id: string;
  gateway: boolean;
  /** Sensor ids and prefixes (ending in `*`) it may publish for. */
  sensors: string[];
  tokenHash: string;
}

/** True when the principal may publish detections of `sensor`. */
export function mayPublish(p: Principal, sensor: string): boolean {
  for (const s of p.sensors) {
    if (s.endsWith('*') ? sensor.startsWith(s.slice(0, -1)) : s === sensor) return true;
  }
  return false;
}

export async function resolveCredentials(list: readonly SensorCredential[]): Promise<Principal[]> {
  const out: Principal[] = [];
  for (const c of list) {
    const id = (c.sensor ?? c.gateway) as string;
    const tokenHash = c.token_hash ?? (await hashSecret(c.token as string));
    out.push({ id, gateway: c.gateway !== undefined, sensors: c.gateway !== undefined ? (c.sensors as string[]) : [id], tokenHash });
  }
  return out;
}

/** A well-formed hash no secret matches: verified for an unknown user or sensor id, so that it costs what a known one does. */
export const NO_MATCH_HASH = `scrypt$${N}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA==$${Buffer.alloc(KEYLEN).toString('base64')}`;

/**
 * Token check with a cache of successful verifications (scrypt costs ~50 ms, far too slow
 * per MQTT message or HTTP request): the cache key is a SHA-256 of principal and token.
 */
export function createCredentialChecker(principals: readonly Principal[]) {
  const byId = new Map(principals.map((p) => [p.id, p]));
  const verified = new Set<string>();
  /** Told of every principal whose credential was replaced or removed (live sessions end). */
  const revokedListeners: ((id: string) => void)[] = [];
  const forget = (id: string) => {
    for (const k of verified) if (k.startsWith(id + '\0')) verified.delete(k);
    for (const fn of revokedListeners) fn(id);
  };
  return {
    has(id: string): boolean {
      return byId.has(id);
    },
    /** Adds a principal or replaces its credential: the old token stops working at once, on every transport. */
    add(p: Principal): void {
      const old = byId.get(p.id);
      byId.set(p.id, p);
      if (old && old.tokenHash !== p.tokenHash) forget(p.id);
    },
    /** Removes a principal: its token stops working at once, and its live sessions (MQTT) end. */
    remove(id: string): boolean {
      if (!byId.delete(id)) return false;
      forget(id);
      return true;
    },
    /** Calls `fn(id)` when a principal's credential is replaced or removed. */
    onRevoked(fn: (id: string) => void): void {
      revokedListeners.push(fn);
    },
    /** The principal when this id and token were verified before (no scrypt work); null otherwise. */
    cached(id: string, token: string): Principal | null {
      const p = byId.get(id);
      if (!p) return null;
      const key = id + '\0' + createHash('sha256').update(p.tokenHash).update('\0').update(token).digest('base64');
      return verified.has(key) ? p : null;
    },
    async check(id: string, token: string): Promise<Principal | null> {
      const p = byId.get(id);
      if (!p) {
        // the same work as a wrong token, so that the answer's time does not tell which ids exist
        await verifySecret(token, NO_MATCH_HASH);
        return null;
      }
      const key = id + '\0' + createHash('sha256').update(p.tokenHash).update('\0').update(token).digest('base64');
      if (verified.has(key)) return p;
      if (!(await verifySecret(token, p.tokenHash))) return null;
      // replaced or removed while the hash was being checked: the old token no longer counts
      if (byId.get(id) !== p) return null;
      if (verified.size > 100_000) verified.clear();
      verified.add(key);
      return p;
    },
  };
}
export type CredentialChecker = ReturnType<typeof createCredentialChecker>;
