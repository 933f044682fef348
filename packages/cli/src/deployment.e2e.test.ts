/**
 * docs/deployment.md's TLS reverse proxy, followed as written (issue 19): the nginx server
 * block is taken from the guide itself, given a self-signed certificate and free ports, and
 * put in front of a service configured as the guide says (loopback, trust_proxy, public_url).
 * Through it: health answers, a login's session cookie is Secure, the feeds' links are the
 * public https URL, and /metrics is closed to the proxy's loopback peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { startServer } from '@skywarden/server';
import { quietLogger, smallSceneConfig, tempDir } from '@skywarden/server/testing';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

function httpsGet(port: number, path: string, o: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', rejectUnauthorized: false, servername: 'warn.example.org', headers: { host: 'warn.example.org', ...(o.headers ?? {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

test('the guide\'s nginx TLS proxy in front of the service: health, a Secure session cookie, https links, metrics closed', { skip: NGINX ? false : 'nginx is not installed (apt-get install nginx-light)', timeout: 60_000 }, async () => {
  const tmp = tempDir('sw-deploy-');
  const guide = readFileSync(new URL('../../../docs/deployment.md', import.meta.url), 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(guide)?.[1];
  assert.ok(block, 'the guide has an nginx block');
  const tlsPort = await freePort();
  const { config } = smallSceneConfig({ dataDir: join(tmp.dir, 'data'), durationS: 30 });
  const srv = await startServer({
    config: { ...config, http: { ...config.http, host: '127.0.0.1', port: 0, trust_proxy: '127.0.0.1', public_url: `https://warn.example.org:${tlsPort}` }, alerts: { public_feed: true } },
    logger: quietLogger(),
  });
  let nginx: ReturnType<typeof spawn> | null = null;
  try {
    const crt = join(tmp.dir, 'tls.crt');
    const key = join(tmp.dir, 'tls.key');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=warn.example.org', '-keyout', key, '-out', crt], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    // the guide's block, with this test's certificate and ports
    const server = block
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${tlsPort} ssl;`)
      .replace('/etc/letsencrypt/live/warn.example.org/fullchain.pem', crt)
      .replace('/etc/letsencrypt/live/warn.example.org/privkey.pem', key)
      .replace('http://127.0.0.1:8080', `http://127.0.0.1:${srv.httpPort}`);
    assert.notEqual(server, block);
    const conf = join(tmp.dir, 'nginx.conf');
    const t = tmp.dir;
    writeFileSync(conf, `daemon off;\npid ${t}/nginx.pid;\nerror_log ${t}/error.log;\nevents {}\nhttp {\n access_log off;\n client_body_temp_path ${t}/body;\n proxy_temp_path ${t}/proxy;\n fastcgi_temp_path ${t}/fcgi;\n uwsgi_temp_path ${t}/uwsgi;\n scgi_temp_path ${t}/scgi;\n${server}\n}\n`);
    const check = spawnSync(NGINX!, ['-t', '-c', conf, '-p', t], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    nginx = spawn(NGINX!, ['-c', conf, '-p', t], { stdio: 'ignore' });
    await waitForPort(tlsPort);

    const health = await httpsGet(tlsPort, '/api/v1/health');
    assert.equal(health.status, 200, health.text);
    const login = await httpsGet(tlsPort, '/api/v1/login', { method: 'POST', body: JSON.stringify({ user: 'admin', password: 'admin-secret-1' }), headers: { 'content-type': 'application/json' } });
    assert.equal(login.status, 200, login.text);
    assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict; .*; Secure/);
    const atom = await httpsGet(tlsPort, '/api/v1/cap.atom');
    assert.equal(atom.status, 200, atom.text);
    assert.match(atom.text, new RegExp(`https://warn\\.example\\.org:${tlsPort}/api/v1/cap`));
    const metrics = await httpsGet(tlsPort, '/metrics');
    assert.equal(metrics.status, 401, 'the proxy\'s loopback peer is no local scraper');
  } finally {
    nginx?.kill('SIGQUIT');
    await srv.close();
    tmp.cleanup();
  }
});
