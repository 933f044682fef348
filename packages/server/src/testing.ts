/**
 * Helpers for the server's tests: a temporary data folder, a small scene with its sensors and
 * credentials, a quiet logger, HTTP helpers. Not part of the public API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { makeSmallScene } from '@skywarden/sim';

/** A TCP port free on 127.0.0.1 now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'sw-server-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const quietLogger = () => pino({ level: 'silent' });

export const TEST_USERS = [
  { name: 'admin', password: 'admin-secret-1', role: 'admin' as const },
  { name: 'op', password: 'op-secret-1', role: 'operator' as const },
  { name: 'view', password: 'view-secret-1', role: 'viewer' as const },
];

/** The small scene (a radar, an ADS-B receiver, 4-6 drones and an airliner) and a config that registers its sensors with tokens. */
export function smallSceneConfig(o: { seed?: number; t0?: number; durationS?: number; dataDir: string }) {
  const scene = makeSmallScene({ seed: o.seed ?? 3, t0: o.t0 ?? 1764000000, durationS: o.durationS ?? 240 });
  const sensors = scene.sensors as unknown as Record<string, unknown>[];
  const credentials = sensors.map((s) => ({ sensor: String(s.id), token: `token-${String(s.id)}` }));
  const config = {
    data_dir: o.dataDir,
    http: { port: 0 },
    mqtt: { port: 0 },
    sensors: { list: sensors },
    credentials,
    auth: { users: TEST_USERS },
    fusion: { replay_window_s: 3600, tick_ms: 50 },
    log: { level: 'silent' },
  };
  return { scene, config, sensors };
}

export const basic = (id: string, token: string) => 'Basic ' + Buffer.from(`${id}:${token}`).toString('base64');

export async function http(port: number, method: string, path: string, o: { body?: unknown; raw?: string; headers?: Record<string, string>; token?: string } = {}) {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.raw !== undefined) body = o.raw;
  else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json: json as Record<string, unknown> & { error?: { code: string; message: string } }, text, headers: res.headers };
}

export async function login(port: number, user: string, password: string): Promise<string> {
  const r = await http(port, 'POST', '/api/v1/login', { body: { user, password } });
  if (r.status !== 200) throw new Error(`login ${user}: ${r.status} ${r.text}`);
  return (r.json as { token: string }).token;
}

/** Waits until `check` returns a truthy value (polling), or fails after `ms`. */
export async function until<T>(check: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  while (true) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Feeds detection rows through the service's ingest (trusted) in one-second chunks, moving
 * the test's manual clock along (`setNow`), then past the last detection by `afterS` so the
 * last reports are made. As the live service would see them, quickly.
 */
export async function feedScene(ingest: (rows: Record<string, unknown>[]) => Promise<unknown>, rows: readonly Record<string, unknown>[], setNow: (t: number) => void, afterS = 8): Promise<number> {
  let chunk: Record<string, unknown>[] = [];
  let now = -Infinity;
  for (const r of rows) {
    const t = r.t as number;
    if (t > now + 1) {
      if (chunk.length > 0) await ingest(chunk);
      chunk = [];
      now = t;
      setNow(now);
      await new Promise((res) => setTimeout(res, 2));
    }
    chunk.push(r);
  }
  if (chunk.length > 0) await ingest(chunk);
  const end = (rows[rows.length - 1].t as number) + afterS;
  setNow(end);
  return end;
}

/** The complete server-sent events at the start of `buf` (their names and parsed data), and what is left of it. */
export function takeSseEvents<D = Record<string, unknown>>(buf: string): { events: { event: string; data: D }[]; rest: string } {
  const events: { event: string; data: D }[] = [];
  let k: number;
  while ((k = buf.indexOf('\n\n')) >= 0) {
    const block = buf.slice(0, k);
    buf = buf.slice(k + 2);
    const ev = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (ev && data) events.push({ event: ev, data: JSON.parse(data) as D });
  }
  return { events, rest: buf };
}
