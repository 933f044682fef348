/**
 * docs/deployment.md walked as an operator would (issue 19). Every step takes its block from the
 * guide itself, with this test's folder in place of /etc, /var and /opt and free ports in place
 * of 443, 8080 and 8883:
 * - section 2: the example production config (examples/skywarden.production.yaml), secrets as
 *   hashes made by `skywarden hash-password`;
 * - section 3: the systemd unit, checked by `systemd-analyze verify`, then its ExecStart run as
 *   systemd runs it (WorkingDirectory, Environment; stopped with SIGTERM);
 * - section 4: the nginx TLS proxy (health, a Secure session cookie, https links, /metrics closed);
 * - section 5: Mosquitto with TLS, a password file and the guide's ACL; the radar publishes over
 *   MQTTS as the guide's sensor client does, the ADS-B receiver's rows come over HTTPS through
 *   the proxy as the guide's curl does, with the gateway's hashed token;
 * - section 6: the backup command while the service runs, then the restore commands (stop, copy,
 *   remove the WAL, start): the restored service shows the same alerts and stored tracks, and its
 *   replay rebuilds the live tracks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import YAML from 'yaml';
import { makeSmallScene } from '@skywarden/sim';
import { freePort, tempDir } from '@skywarden/server/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const bin = join(ROOT, 'packages/cli/bin/skywarden.js');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

async function waitForPort(port: number, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: nothing listens on ${port}`);
}

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: unknown };
function https(port: number, path: string, o: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', rejectUnauthorized: false, servername: 'warn.example.org', headers: { host: 'warn.example.org', ...(o.headers ?? {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Every fenced block of a language in the guide, in order. */
function blocks(guide: string, lang: string): string[] {
  return [...guide.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('the deployment guide, walked: config, systemd unit, TLS proxy, Mosquitto with TLS and ACL, sensors over MQTTS and HTTPS, backup and restore', { timeout: 240_000 }, async (t) => {
  assert.ok(NGINX, 'nginx is needed (apt-get install nginx-light)');
  assert.ok(MOSQUITTO, 'Mosquitto is needed (apt-get install mosquitto)');
  assert.ok(SYSTEMD_ANALYZE, 'systemd-analyze is needed to check the unit (apt-get install systemd)');
  const tmp = tempDir('sw-guide-');
  const T = tmp.dir;
  // the guide's system paths, under this test's folder
  const local = (s: string) =>
    s
      .replaceAll('/opt/skywarden', ROOT)
      .replaceAll('/etc/skywarden', `${T}/etc/skywarden`)
      .replaceAll('/var/lib/skywarden', `${T}/var/lib/skywarden`)
      .replaceAll('/var/backups', `${T}/var/backups`)
      .replaceAll('/etc/mosquitto', `${T}/etc/mosquitto`);
  for (const d of ['etc/skywarden', 'var/lib/skywarden', 'var/backups', 'etc/mosquitto/certs', 'mosquitto-data', 'nginx']) mkdirSync(join(T, d), { recursive: true });
  const guide = readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8');
  const children: ChildProcess[] = [];
  let service: ChildProcess | null = null;
  const sensorClients: mqtt.MqttClient[] = [];
  try {
    const [httpPort, tlsPort, mqttPort] = [await freePort(), await freePort(), await freePort()];

    // ---- section 5 first (the service connects to the broker at start): certificates, Mosquitto ----
    const certs = `${T}/etc/mosquitto/certs`;
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Skywarden test CA', '-keyout', `${certs}/ca.key`, '-out', `${certs}/ca.crt`]);
    run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', `${certs}/server.key`, '-out', `${certs}/server.csr`]);
    writeFileSync(`${certs}/san.ext`, 'subjectAltName=IP:127.0.0.1,DNS:warn.example.org\n');
    run('openssl', ['x509', '-req', '-in', `${certs}/server.csr`, '-CA', `${certs}/ca.crt`, '-CAkey', `${certs}/ca.key`, '-CAcreateserial', '-days', '1', '-extfile', `${certs}/san.ext`, '-out', `${certs}/server.crt`]);
    const scene = makeSmallScene({ seed: 3, t0: Math.floor(Date.now() / 1000) + 3, durationS: 45 });
    const radar = 'radar-1';
    const adsb = 'adsb-1';
    const secrets = { service: 'service-secret-1', radar: 'radar-secret-1', gateway: 'gateway-secret-1', admin: 'admin-secret-1', duty: 'duty-secret-1' };
    run('mosquitto_passwd', ['-c', '-b', `${T}/etc/mosquitto/passwd`, 'skywarden-service', secrets.service]);
    run('mosquitto_passwd', ['-b', `${T}/etc/mosquitto/passwd`, radar, secrets.radar]);
    const [mosqConf, acl] = blocks(guide, 'conf');
    assert.match(mosqConf, /^# \/etc\/mosquitto\/conf\.d\/skywarden\.conf/);
    assert.match(acl, /^# \/etc\/mosquitto\/acl/);
    writeFileSync(`${T}/etc/mosquitto/acl`, acl);
    const conf = local(mosqConf).replace(/^listener 8883$/m, `listener ${mqttPort} 127.0.0.1`);
    assert.notEqual(conf, mosqConf);
    // as root Mosquitto would switch to its own user, which cannot read this test's folder
    writeFileSync(`${T}/mosquitto.conf`, `${conf}persistence_location ${T}/mosquitto-data/\nlog_dest file ${T}/mosquitto.log\n${process.getuid?.() === 0 ? 'user root\n' : ''}`);
    children.push(spawn(MOSQUITTO!, ['-c', `${T}/mosquitto.conf`], { stdio: 'ignore' }));
    await waitForPort(mqttPort, 'Mosquitto');

    // ---- section 2: the production config, hashed secrets ----
    const hash = (secret: string) => run(process.execPath, [bin, 'hash-password'], `${secret}\n`).trim();
    const cfg = YAML.parse(readFileSync(join(ROOT, 'examples/skywarden.production.yaml'), 'utf8'));
    cfg.data_dir = local(cfg.data_dir);
    cfg.http.port = httpPort;
    cfg.http.public_url = `https://warn.example.org:${tlsPort}`;
    cfg.mqtt.url = cfg.mqtt.url.replace(':8883', `:${mqttPort}`);
    cfg.mqtt.password = secrets.service;
    cfg.sensors.file = local(cfg.sensors.file);
    writeFileSync(cfg.sensors.file, JSON.stringify({ sensors: scene.sensors }));
    assert.equal(cfg.credentials.length, 1);
    cfg.credentials[0] = { gateway: 'gw-adsb', sensors: ['adsb-*'], token_hash: hash(secrets.gateway) };
    for (const u of cfg.auth.users) u.password_hash = hash(u.name === 'admin' ? secrets.admin : secrets.duty);
    cfg.alerts.cap_status = 'Exercise'; // the guide: Exercise until the deployment is real
    // zones: 6 km squares around where the drones are 20 s in
    const truth = scene.truth as unknown as { t: number; id: string; lat: number; lon: number; class: string }[];
    const at20 = truth.filter((r) => Math.abs(r.t - (scene.t0 + 20)) < 0.5 && r.class === 'piston_owa').slice(0, 3);
    assert.ok(at20.length >= 2, 'drones to put zones on');
    const square = (id: string, lat: number, lon: number, h: number) => ({ type: 'Feature', properties: { id, name: `District ${id}` }, geometry: { type: 'Polygon', coordinates: [[[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]]] } });
    cfg.zones.file = local(cfg.zones.file);
    writeFileSync(cfg.zones.file, JSON.stringify({ type: 'FeatureCollection', features: at20.map((r, i) => square(`d${i}`, r.lat, r.lon, 0.027)) }));
    const configFile = `${T}/etc/skywarden/skywarden.yaml`;
    writeFileSync(configFile, YAML.stringify(cfg));

    // ---- section 3: the systemd unit ----
    const unit = blocks(guide, 'ini')[0];
    assert.ok(unit && /^\[Service\]$/m.test(unit), 'the guide has a unit');
    // verify checks that ExecStart's program exists: this machine's node where /usr/bin/node is not
    writeFileSync(`${T}/skywarden.service`, existsSync('/usr/bin/node') ? unit : unit.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
    const verify = spawnSync(SYSTEMD_ANALYZE!, ['verify', `${T}/skywarden.service`], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.doesNotMatch(verify.stderr, /Unknown (key|section)|not executable|Failed/, verify.stderr);
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1].split(/\s+/).map(local);
    const workDir = local(/^WorkingDirectory=(.*)$/m.exec(unit)![1]);
    const env = Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], local(m[2])]));
    assert.deepEqual(Object.keys(env), ['NODE_EXTRA_CA_CERTS']);
    assert.equal(execStart[0], '/usr/bin/node');
    const serviceLog = `${T}/service.log`;
    const start = () => {
      const fd = openSync(serviceLog, 'a');
      const child = spawn(process.execPath, execStart.slice(1), { cwd: workDir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', fd] });
      closeSync(fd); // the child has its own copy
      children.push(child);
      return child;
    };
    service = start();
    await waitForPort(httpPort, `the service (log: ${serviceLog})`);

    // ---- section 4: nginx in front ----
    const block = blocks(guide, 'nginx')[0];
    const crt = `${T}/tls.crt`;
    const key = `${T}/tls.key`;
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=warn.example.org', '-keyout', key, '-out', crt]);
    const server = block
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${tlsPort} ssl;`)
      .replace('/etc/letsencrypt/live/warn.example.org/fullchain.pem', crt)
      .replace('/etc/letsencrypt/live/warn.example.org/privkey.pem', key)
      .replace('http://127.0.0.1:8080', `http://127.0.0.1:${httpPort}`);
    assert.notEqual(server, block);
    const n = `${T}/nginx`;
    writeFileSync(`${n}/nginx.conf`, `daemon off;\npid ${n}/nginx.pid;\nerror_log ${n}/error.log;\nevents {}\nhttp {\n access_log off;\n client_body_temp_path ${n}/body;\n proxy_temp_path ${n}/proxy;\n fastcgi_temp_path ${n}/fcgi;\n uwsgi_temp_path ${n}/uwsgi;\n scgi_temp_path ${n}/scgi;\n${server}\n}\n`);
    run(NGINX!, ['-t', '-c', `${n}/nginx.conf`, '-p', n]);
    const nginx = spawn(NGINX!, ['-c', `${n}/nginx.conf`, '-p', n], { stdio: 'ignore' });
    children.push(nginx);
    await waitForPort(tlsPort, 'nginx');
    const healthy = async (what: string) => {
      for (let i = 0; i < 300; i++) {
        const h = await https(tlsPort, '/api/v1/health').catch(() => null);
        if (h?.status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${what}: not healthy through the proxy; service log:\n${readFileSync(serviceLog, 'utf8').slice(-3000)}`);
    };
    await healthy('first start');
    const login = await https(tlsPort, '/api/v1/login', { method: 'POST', body: JSON.stringify({ user: 'admin', password: secrets.admin }), headers: { 'content-type': 'application/json' } });
    assert.equal(login.status, 200, login.text);
    assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict; .*; Secure/);
    const auth = { authorization: `Bearer ${(login.json as { token: string }).token}` };
    const atom = await https(tlsPort, '/api/v1/cap.atom');
    assert.equal(atom.status, 200, atom.text);
    assert.match(atom.text, new RegExp(`https://warn\\.example\\.org:${tlsPort}/api/v1/cap`));
    assert.equal((await https(tlsPort, '/metrics')).status, 401, "the proxy's loopback peer is no local scraper");

    // ---- section 5: the sensors, in real time: the radar over MQTTS (with the broker's CA, as the
    // guide's client), the ADS-B rows over HTTPS ----
    const ca = readFileSync(`${certs}/ca.crt`);
    const sensor = await mqtt.connectAsync(`mqtts://127.0.0.1:${mqttPort}`, { username: radar, password: secrets.radar, clientId: radar, ca, reconnectPeriod: 0 });
    sensorClients.push(sensor);
    // the ACL: a sensor may not write another sensor's topics (the broker drops it; nothing is journalled)
    await sensor.publishAsync(`skywarden/v1/${adsb}/detections`, JSON.stringify([{ t: Date.now() / 1000, sensor: adsb, type: 'position', lat: 37, lon: 127, pos_sd_m: 10 }]), { qos: 1 });
    const rows = scene.detections as unknown as Record<string, unknown>[];
    const gw = 'Basic ' + Buffer.from(`gw-adsb:${secrets.gateway}`).toString('base64');
    let httpRows = 0;
    let mqttRows = 0;
    for (let s = 0; s <= 45; s++) {
      const wait = (scene.t0 + s + 1) * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const now = rows.filter((r) => (r.t as number) >= scene.t0 + s && (r.t as number) < scene.t0 + s + 1);
      const viaMqtt = now.filter((r) => r.sensor === radar);
      const viaHttp = now.filter((r) => r.sensor === adsb);
      if (viaMqtt.length > 0) {
        await sensor.publishAsync(`skywarden/v1/${radar}/detections`, JSON.stringify(viaMqtt), { qos: 1 });
        mqttRows += viaMqtt.length;
      }
      if (viaHttp.length > 0) {
        const r = await https(tlsPort, '/api/v1/detections', { method: 'POST', body: JSON.stringify(viaHttp), headers: { 'content-type': 'application/json', authorization: gw } });
        assert.equal(r.status, 202, r.text);
        httpRows += viaHttp.length;
      }
    }
    t.diagnostic(`${mqttRows} radar rows over MQTTS, ${httpRows} ADS-B rows over HTTPS`);
    const snapshot = async () => (await https(tlsPort, '/api/v1/tracks', { headers: auth })).json as { t: number; tracks: { track: string }[] };
    const tracksNow = async () => (await snapshot()).tracks;
    // the picture runs the reorder delay (5 s) behind the clock: wait until it has passed the last
    // detection, so that what it stores and raises up to that time is final
    const lastT = Math.max(...rows.map((r) => r.t as number));
    let snap = await snapshot();
    for (let i = 0; i < 200 && !(snap.t >= lastT + 1); i++) {
      await new Promise((r) => setTimeout(r, 100));
      snap = await snapshot();
    }
    assert.ok(snap.t >= lastT + 1, `the picture reached ${snap.t}, the last detection is at ${lastT}`);
    await new Promise((r) => setTimeout(r, 500)); // the store's last writes of those reports
    assert.ok(snap.tracks.length >= 3, `live tracks: ${JSON.stringify(snap.tracks)}`);
    // every row was journalled by its way in; the row the ACL refused was not (the broker acknowledges and drops it)
    const journalled = async () => {
      const m = await https(tlsPort, '/metrics', { headers: { authorization: `Bearer ${cfg.http.metrics_token}` } });
      assert.equal(m.status, 200, 'the metrics token opens /metrics through the proxy');
      return Object.fromEntries([...m.text.matchAll(/^skywarden_detections_accepted_total\{source="(\w+)"\} (\d+)$/gm)].map((x) => [x[1], Number(x[2])]));
    };
    let bySource: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      bySource = await journalled();
      if (bySource.mqtt === mqttRows) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(bySource, { mqtt: mqttRows, http: httpRows }, JSON.stringify(bySource));
    const alertsOf = async () => ((await https(tlsPort, `/api/v1/alerts?from=0&to=${lastT}`, { headers: auth })).json as { alerts: unknown[] }).alerts;
    const alertsBefore = await alertsOf();
    assert.ok(alertsBefore.length >= 1, 'the drones raised their districts');
    const storedTracks = async () => {
      const r = await https(tlsPort, `/api/v1/history/tracks?from=${scene.t0 - 10}&to=${lastT}&every=5`, { headers: auth });
      assert.equal(r.status, 200, r.text);
      return r.json as { frames: unknown[] };
    };
    const storedBefore = await storedTracks();
    assert.ok(storedBefore.frames.length > 5);

    // ---- section 6: the backup command while it runs, then the restore ----
    const backupCmd = /sudo -u skywarden (node [^\n]*? backup \\\n[^\n]*)/.exec(guide)?.[1];
    assert.ok(backupCmd, 'the guide has a backup command');
    const b = spawnSync('bash', ['-c', local(backupCmd.replace(/^node /, `${process.execPath} `))], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const copies = readdirSync(`${T}/var/backups`);
    assert.equal(copies.length, 1, `backups: ${copies}`);
    assert.match(copies[0], /^skywarden-\d{4}-\d\d-\d\d-\d{4}\.db$/);
    const liveBefore = (await tracksNow()).map((x) => x.track).sort();

    const restore = blocks(guide, 'sh').find((x) => x.includes('systemctl stop skywarden'));
    assert.ok(restore, 'the guide has a restore block');
    const lines = restore.split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 3).join(' ')), ['sudo systemctl stop', 'sudo -u skywarden', 'sudo rm -f', 'sudo systemctl start']);
    for (const line of lines) {
      if (line === 'sudo systemctl stop skywarden') {
        // systemd sends SIGTERM and waits TimeoutStopSec (20 s)
        const exited = new Promise<number | null>((r) => service!.once('exit', (code) => r(code)));
        service!.kill('SIGTERM');
        const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 20_000))]);
        assert.equal(code, 0, `the service stops within TimeoutStopSec with exit 0; log:\n${readFileSync(serviceLog, 'utf8').slice(-2000)}`);
      } else if (line === 'sudo systemctl start skywarden') {
        service = start();
      } else {
        const cmd = local(line.replace(/^sudo (-u skywarden )?/, '').replace(/\/var\/backups\/skywarden-[\d-]+\.db/, `/var/backups/${copies[0]}`));
        const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
      }
    }
    await waitForPort(httpPort, 'the restored service');
    await healthy('after the restore');
    const again = await https(tlsPort, '/api/v1/login', { method: 'POST', body: JSON.stringify({ user: 'admin', password: secrets.admin }), headers: { 'content-type': 'application/json' } });
    assert.equal(again.status, 200);
    auth.authorization = `Bearer ${(again.json as { token: string }).token}`;
    assert.deepEqual(await alertsOf(), alertsBefore, 'the same alert history');
    assert.deepEqual(await storedTracks(), storedBefore, 'the same stored tracks');
    const liveAfter = (await tracksNow()).map((x) => x.track).sort();
    assert.ok(liveAfter.length > 0, 'the start-up replay rebuilt live tracks');
    assert.ok(liveAfter.every((id) => liveBefore.includes(id)), `live tracks after ${liveAfter} were live before ${liveBefore} (some may have ended since)`);
    t.diagnostic(`live tracks before the stop ${liveBefore.length}, after the restore ${liveAfter.length}; ${alertsBefore.length} alert rows`);
  } finally {
    for (const c of sensorClients) await c.endAsync().catch(() => undefined);
    // stop what runs (the service's graceful stop takes at most 10 s), then kill what is left
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
    const exits = running.map((c) => new Promise((r) => c.once('exit', r)));
    for (const c of running) c.kill('SIGTERM');
    const timer = setTimeout(() => running.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')), 15_000);
    await Promise.all(exits);
    clearTimeout(timer);
    tmp.cleanup();
  }
});
