/**
 * The real servers the tests need (PostgreSQL with PostGIS, Mosquitto, NATS with JetStream),
 * started by the tests themselves on free local ports in temporary folders, and stopped when
 * the test process exits: the tests never depend on, or disturb, services the machine runs on
 * their standard ports. SKYWARDEN_TEST_PG, SKYWARDEN_TEST_MQTT and SKYWARDEN_TEST_NATS point a
 * test run at existing servers instead. Not part of the public API.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

import { freePort } from './testing.js';

export { freePort };

interface Started {
  child: ChildProcess;
  /** The last lines the server wrote (after the first lines of a crash, when it crashed before them). */
  log: () => string;
}

/**
 * Starts `cmd` (as `user` when given: uid and gid), its output going to a log file in `dir`
 * (read back into errors); it does not keep this process alive, and is killed and its folder
 * removed when this process exits or is stopped by SIGTERM or SIGINT.
 */
function start(cmd: string, args: string[], dir: string, user?: { uid: number; gid: number }): Started {
  const logFile = join(dir, 'server.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], ...(user ?? {}) });
  closeSync(fd);
  child.unref();
  const started: Started = {
    child,
    log: () => {
      try {
        const lines = readFileSync(logFile, 'utf8').split('\n');
        // a crash's first words (a Go panic's reason comes before a long trace of its goroutines)
        const crash = lines.findIndex((l) => /^(panic:|fatal error:)/.test(l));
        const head = crash >= 0 && crash < lines.length - 40 ? [...lines.slice(crash, crash + 6), '...'] : [];
        return [...head, ...lines.slice(-40)].join('\n');
      } catch {
        return '';
      }
    },
  };
  child.on('error', () => undefined);
  cleanups.push(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return started;
}

/** What to stop and remove when this process ends: at exit, and on SIGTERM or SIGINT (a test runner's timeout). */
const cleanups: (() => void)[] = [];
const cleanAll = () => {
  for (const f of cleanups.splice(0)) {
    try {
      f();
    } catch {
      /* already gone */
    }
  }
};
process.once('exit', cleanAll);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    cleanAll();
    process.exit(sig === 'SIGTERM' ? 143 : 130);
  });
}

/** Waits until `port` accepts a TCP connection. */
async function waitForPort(port: number, s: Started, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (s.child.exitCode !== null) throw new Error(`${what} exited with ${s.child.exitCode}:\n${s.log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms:\n${s.log()}`);
}

const cache: Record<string, Promise<string>> = {};

/** The folder of PostgreSQL's server programs (pg_config, else the newest /usr/lib/postgresql/N/bin). */
function postgresBin(): string {
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const fromConfig = r.status === 0 ? r.stdout.trim() : '';
  if (fromConfig && existsSync(join(fromConfig, 'initdb'))) return fromConfig;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (no initdb): apt-get install postgresql-15-postgis-3, or set SKYWARDEN_TEST_PG');
  return join(base, versions[0], 'bin');
}

/**
 * A PostgreSQL (with PostGIS installed) of this test process, with a database `test`; its
 * connection URL. PostgreSQL refuses to run as root: as root the server runs as the `postgres`
 * user (the child's uid and gid).
 */
export function testPostgres(): Promise<string> {
  if (process.env.SKYWARDEN_TEST_PG) return Promise.resolve(process.env.SKYWARDEN_TEST_PG);
  return (cache.pg ??= testPostgresServer().then((s) => s.url));
}

/** A PostgreSQL server of this test process that the test can restart (fault tests); always a new one. */
export function testPostgresServer(): Promise<{ url: string; restart: () => Promise<void> }> {
  return (async () => {
    const bin = postgresBin();
    const dir = mkdtempSync(join(tmpdir(), 'sw-test-pg-'));
    const data = join(dir, 'data');
    let user: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (id.status !== 0) throw new Error('running as root, but there is no postgres user to run PostgreSQL as (install PostgreSQL from Debian packages)');
      user = { uid: Number(id.stdout), gid: Number(gid.stdout) };
      chownSync(dir, user.uid, user.gid);
    }
    const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], { encoding: 'utf8', ...(user ?? {}) });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error?.message}`);
    const port = await freePort();
    const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
    // a restart is a fast shutdown (SIGINT: the backends get 57P01 admin_shutdown), then the same server again on the same port
    const s = await startRestartable(join(bin, 'postgres'), args, dir, port, 'PostgreSQL', 'SIGINT', user);
    // the port answers a little before the server takes connections
    const end = Date.now() + 30_000;
    for (;;) {
      const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      try {
        await c.connect();
        await c.query('CREATE DATABASE test');
        await c.end();
        break;
      } catch (e) {
        await c.end().catch(() => undefined);
        if (Date.now() > end) throw new Error(`PostgreSQL on port ${port} does not take connections: ${(e as Error).message}\n${s.log()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const url = `postgres://postgres@127.0.0.1:${port}/test`;
    return { url, restart: () => s.restart() };
  })();
}

/**
 * `cmd args` started as `start` does, on `port`, with a restart: stop it with `signal`, wait
 * `downMs`, start it again on the same port and folder.
 */
async function startRestartable(cmd: string, args: string[], dir: string, port: number, what: string, signal: NodeJS.Signals, user?: { uid: number; gid: number }) {
  let s = start(cmd, args, dir, user);
  await waitForPort(port, s, what);
  return {
    log: () => s.log(),
    /** How the server's process ended (`exited N`, `killed SIG`), or null while it runs. */
    exit: () => (s.child.exitCode !== null ? `exited ${s.child.exitCode}` : s.child.signalCode !== null ? `killed ${s.child.signalCode}` : null),
    async restart(downMs = 0): Promise<void> {
      const exited = new Promise((r) => s.child.once('exit', r));
      s.child.kill(signal);
      await exited;
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      s = start(cmd, args, dir, user);
      await waitForPort(port, s, `${what} (restarted)`);
    },
  };
}

/** A Mosquitto broker of this test process (anonymous, loopback); its URL. */
export function testMosquitto(): Promise<string> {
  if (process.env.SKYWARDEN_TEST_MQTT) return Promise.resolve(process.env.SKYWARDEN_TEST_MQTT);
  return (cache.mqtt ??= testMosquittoServer({ persistence: false, hint: ', or set SKYWARDEN_TEST_MQTT' }).then((m) => m.url));
}

/** A NATS server with JetStream of this test process (loopback, its own store folder); its URL. */
export function testNats(): Promise<string> {
  if (process.env.SKYWARDEN_TEST_NATS) return Promise.resolve(process.env.SKYWARDEN_TEST_NATS);
  return (cache.nats ??= testNatsServer({ hint: ', or set SKYWARDEN_TEST_NATS' }).then((n) => n.url));
}

/** A NATS server with JetStream of this test process that the test can restart (fault tests; same port and store folder); always a new one. */
export async function testNatsServer(o: { hint?: string } = {}): Promise<{ url: string; restart: (downMs?: number) => Promise<void>; log: () => string; exit: () => string | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-test-nats-'));
  const port = await freePort();
  const cmd = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js')];
  const s = await startRestartable(cmd, args, dir, port, `NATS (apt-get install nats-server${o.hint ?? ''})`, 'SIGTERM');
  return { url: `nats://127.0.0.1:${port}`, restart: (downMs = 500) => s.restart(downMs), log: () => s.log(), exit: () => s.exit() };
}

/**
 * A cluster of `n` NATS servers with JetStream (loopback, each its own store folder, routes to
 * the others): what a stream with replicas needs. Resolves once every server listens; JetStream's
 * leader election may take a few seconds more (callers retry their first stream operation).
 */
export async function testNatsCluster(n = 3): Promise<{ urls: string[]; logs: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-test-natsc-'));
  const cmd = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
  const ports: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < n; i++) {
    ports.push(await freePort());
    routePorts.push(await freePort());
  }
  const started: Started[] = [];
  for (let i = 0; i < n; i++) {
    const conf = join(dir, `n${i}.conf`);
    const routes = routePorts.filter((_, k) => k !== i).map((p) => `nats-route://127.0.0.1:${p}`);
    writeFileSync(conf, [`server_name: n${i}`, `listen: 127.0.0.1:${ports[i]}`, `jetstream { store_dir: "${join(dir, `js${i}`)}" }`, `cluster { name: swtest, listen: 127.0.0.1:${routePorts[i]}, routes: [${routes.join(', ')}] }`].join('\n') + '\n');
    mkdirSync(join(dir, `n${i}`));
    started.push(start(cmd, ['-c', conf], join(dir, `n${i}`)));
  }
  for (let i = 0; i < n; i++) await waitForPort(ports[i], started[i], `NATS cluster server ${i} (apt-get install nats-server)`);
  return { urls: ports.map((p) => `nats://127.0.0.1:${p}`), logs: () => started.map((x, i) => `--- n${i}\n${x.log()}`).join('\n') };
}

/** A Mosquitto broker of this test process that the test can restart (fault tests; same port, persistence on unless turned off); always a new one. */
export async function testMosquittoServer(o: { persistence?: boolean; hint?: string } = {}): Promise<{ url: string; restart: (downMs?: number) => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-test-mqtt-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // as root Mosquitto would switch to its own user, which cannot write the persistence folder: it stays root here
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nlog_dest stderr\n${o.persistence === false ? '' : `persistence true\npersistence_location ${dir}/\nautosave_interval 1\n`}${process.getuid?.() === 0 ? 'user root\n' : ''}`);
  const cmd = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
  const s = await startRestartable(cmd, ['-c', conf], dir, port, `Mosquitto (apt-get install mosquitto${o.hint ?? ''})`, 'SIGTERM');
  return { url: `mqtt://127.0.0.1:${port}`, restart: (downMs = 500) => s.restart(downMs) };
}
