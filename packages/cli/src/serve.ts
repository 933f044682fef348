/**
 * `skywarden serve [--config FILE] [--demo] [--speed X] [--port N] [--mqtt-port N] [--data-dir DIR]`:
 * runs the live service until SIGTERM or SIGINT, then stops gracefully (ingest first, the
 * journal's pending writes, then the rest).
 */
import { readFileSync } from 'node:fs';
import { backupSqliteStore, buildConfig, ConfigError, parseConfigText, sqliteStorePath, startServer, hashSecret } from '@skywarden/server';
import { CliError } from './args.js';
import { describeFsError } from './lines.js';

/** A listening host as a URL writes it: an IPv6 literal in brackets. */
export const bracket = (h: string): string => (h.includes(':') ? `[${h}]` : h);
/** Where a browser reaches the HTTP listener: a wildcard one (0.0.0.0, ::) at localhost; else its host, bracketed. */
export const urlHost = (h: string): string => (h === '0.0.0.0' || h === '::' ? 'localhost' : bracket(h));

export interface ServeArgs {
  config?: string;
  demo: boolean;
  speed?: number;
  seed?: number;
  port?: number;
  mqttPort?: number;
  dataDir?: string;
  /** cluster.role: all, ingest, fusion, api. */
  role?: string;
}

/** The config file's content (YAML or JSON), or null without one; a CliError naming the file when it cannot be read or parsed. */
function readConfigFile(path: string | undefined): unknown {
  if (path === undefined) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(describeFsError(err, path, 'read'));
  }
  const p = parseConfigText(text, path);
  if (!p.ok) throw new CliError(p.error);
  return p.value;
}

export async function serveCommand(a: ServeArgs): Promise<number> {
  const file = readConfigFile(a.config);
  let srv;
  try {
    srv = await startServer({
      config: file,
      env: process.env,
      port: a.port,
      mqttPort: a.mqttPort,
      dataDir: a.dataDir,
      role: a.role,
      demo: a.demo ? { speed: a.speed ?? 1, seed: a.seed } : false,
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${a.config ?? 'configuration'}: ${err.message}`);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new CliError(`a port is already in use (${e.message}): choose another with --port / --mqtt-port (0 = any free port; through npm: npm start -- --port 0)`);
    throw new CliError(`could not start: ${e.message}`);
  }
  const out = (s: string) => process.stdout.write(s + '\n');
  const host = urlHost(srv.config.http.host);
  const role = srv.config.cluster.role;
  out(`skywarden serve: ${srv.service.mode} mode${role !== 'all' ? `, cluster role ${role}` : ''}, store ${srv.service.store.kind}${srv.replayed > 0 ? `, ${srv.replayed} journalled detections replayed` : ''}`);
  out(`  http: http://${host}:${srv.httpPort}/  (API /api/v1, OpenAPI /api/v1/openapi.json, metrics /metrics)`);
  if (srv.config.alerts.public_feed) out(`  public warning page: http://${host}:${srv.httpPort}/public/  (no login; CAP feed /api/v1/cap, Atom /api/v1/cap.atom)`);
  if (srv.mqttPort !== null) out(`  mqtt: mqtt://${bracket(srv.config.mqtt.host)}:${srv.mqttPort}  (topics ${srv.config.mqtt.topic_prefix}/<sensor>/detections|status)`);
  else if (srv.config.mqtt.mode === 'external') out(`  mqtt: subscribed at ${srv.config.mqtt.url}`);
  const tk = srv.config.tak;
  if (tk.mode === 'client') out(`  tak: CoT to the TAK Server ${tk.tls ? 'tls' : 'tcp'}://${tk.host}:${tk.port}${tk.read_markers ? `, markers in as sensor ${tk.observer_sensor}` : ''}`);
  if (tk.udp.mode !== 'off') out(`  tak: CoT over UDP ${tk.udp.mode} to ${tk.udp.host}:${tk.udp.port}`);
  if (srv.transports.takUdpPort !== undefined) out(`  tak: CoT in on UDP ${tk.listen.host}:${srv.transports.takUdpPort}${tk.listen.group ? ` (group ${tk.listen.group})` : ''}`);
  if (srv.transports.asterix) out(`  asterix: CAT062${srv.config.asterix.status_period_s > 0 ? ' and CAT065' : ''} (SAC ${srv.config.asterix.sac}, SIC ${srv.config.asterix.sic}) over UDP to ${srv.config.asterix.host}:${srv.config.asterix.port}`);
  if (srv.transports.asterixIn) out(`  asterix: CAT048/CAT062 in on UDP ${srv.config.asterix_in.host}:${srv.transports.asterixIn.port}${srv.config.asterix_in.group ? ` (group ${srv.config.asterix_in.group})` : ''}`);
  if (srv.transports.sapient) out(`  sapient: fusion node tcp://${srv.config.sapient.host}:${srv.transports.sapientPort}  (node id ${srv.transports.sapient.nodeId})`);
  const parent = srv.config.sapient.parent;
  if (srv.transports.sapientParent && parent) out(`  sapient: reporting to the parent node ${parent.tls ? 'tls' : 'tcp'}://${parent.host}:${parent.port}  (node id ${srv.transports.sapientParent.nodeId})`);
  out(`  sensors: ${srv.service.registry.ids().length}, zones: ${srv.service.zones.length}, data: ${srv.config.data_dir}`);
  if (srv.demoUsers) {
    out(`  demo: the Seoul raid plays at ${a.speed ?? 1}x through MQTT and HTTP; read-only viewing is open to anyone without login`);
    out(`  demo users: ${srv.demoUsers.map((u) => `${u.name}/${u.password} (${u.role})`).join(', ')}`);
  } else if (srv.config.auth.open_viewing) out('  note: auth.open_viewing is on: anyone can view the picture without logging in');
  if (srv.service.config.auth.users.length === 0 && !srv.demoUsers) out('  note: no users configured (auth.users): nobody can log in');
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      out(`skywarden serve: ${sig}, stopping`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // a graceful stop has STOP_DEADLINE_S; past it (or at a second signal) the process ends anyway:
  // everything acknowledged is already in the journal, what is lost is only work in flight
  let timer: ReturnType<typeof setTimeout> | undefined;
  const forced = new Promise<'forced'>((resolve) => {
    timer = setTimeout(() => resolve('forced'), STOP_DEADLINE_S * 1000);
    const again = () => resolve('forced');
    process.once('SIGTERM', again);
    process.once('SIGINT', again);
  });
  const how = await Promise.race([srv.close().then(() => 'stopped' as const), forced]);
  clearTimeout(timer);
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  if (how === 'forced') {
    out(`skywarden serve: the graceful stop did not end within ${STOP_DEADLINE_S} s (or a second signal came): exiting now; acknowledged detections are in the journal`);
    process.exit(1);
  }
  out('skywarden serve: stopped');
  return 0;
}

/**
 * `skywarden backup [--config FILE] [--data-dir DIR] --out FILE`: a consistent copy of the
 * SQLite store the config names, taken while the service may run (docs/deployment.md).
 */
export async function backupCommand(a: { config?: string; dataDir?: string; out: string }): Promise<number> {
  const file = readConfigFile(a.config);
  const built = buildConfig(file, process.env, a.dataDir !== undefined ? { data_dir: a.dataDir } : {});
  if (!built.ok) throw new CliError(`${a.config ?? 'configuration'}: bad configuration:\n  ${built.errors.join('\n  ')}`);
  const c = built.config;
  if (c.store.kind !== 'sqlite') throw new CliError('the store is PostgreSQL: back it up with pg_dump (docs/deployment.md)');
  const path = sqliteStorePath(c);
  const t0 = performance.now();
  try {
    const r = await backupSqliteStore(path, a.out);
    process.stdout.write(`skywarden backup: ${path} -> ${a.out} (${r.pages} pages, ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    throw new CliError(`backup failed: ${(err as Error).message}`);
  }
  return 0;
}

/** Longest graceful stop (s) before the process exits anyway. */
const STOP_DEADLINE_S = 10;

/** `skywarden hash-password`: reads a secret from standard input, prints its scrypt hash for the config. */
export async function hashPasswordCommand(): Promise<number> {
  if (process.stdin.isTTY) process.stderr.write('type the secret (8 characters or more), then Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (secret.length < 8) throw new CliError('the secret must have at least 8 characters');
  process.stdout.write((await hashSecret(secret)) + '\n');
  return 0;
}
