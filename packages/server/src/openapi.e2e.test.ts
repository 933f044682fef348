/**
 * The OpenAPI description is true: a running service (the small scene fed through it, zones,
 * the public feed on) serves its description; Redocly's linter finds no error in it; every
 * route Fastify has is in it with a success schema and its error statuses; and the service's
 * real answers, successes and errors, are valid against the schemas it declares (Ajv, JSON
 * Schema 2020-12 as OpenAPI 3.1 says). A second app on the same service serialises with plain
 * JSON.stringify instead of the response schemas: its answers must equal the real ones (the
 * schemas drop nothing) and be valid with every object closed (the schemas name everything).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startServer, type RunningServer } from './server.js';
import { buildApp } from './http/app.js';
import { buildConfig } from './config.js';
import { createService } from './service.js';
import { basic, feedScene, http, login, quietLogger, smallSceneConfig, tempDir, until } from './testing.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function square(id: string, lat: number, lon: number, h: number) {
  const ring = [
    [lon - h, lat - h],
    [lon + h, lat - h],
    [lon + h, lat + h],
    [lon - h, lat + h],
    [lon - h, lat - h],
  ];
  return { type: 'Feature', properties: { id, name: `Zone ${id}`, names: { en: `Zone ${id}`, ko: `구역 ${id}` }, lead_s: 300 }, geometry: { type: 'Polygon', coordinates: [ring] } };
}

/** A copy of the document where every object schema that names properties and does not say otherwise allows no others. */
function closed(doc: unknown): unknown {
  if (Array.isArray(doc)) return doc.map(closed);
  if (doc === null || typeof doc !== 'object') return doc;
  const o: Json = {};
  for (const [k, v] of Object.entries(doc)) o[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (o.type === 'object' && o.properties !== undefined && o.additionalProperties === undefined) o.additionalProperties = false;
  return o;
}

const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

describe('the OpenAPI description (GET /api/v1/openapi.json)', () => {
  const tmp = tempDir();
  const sceneCfg = smallSceneConfig({ dataDir: tmp.dir, seed: 3, durationS: 300 });
  const { scene, config } = sceneCfg;
  let now = scene.t0;
  let srv: RunningServer;
  let port: number;
  /** The same service, answers serialised with JSON.stringify (nothing dropped). */
  let plain: FastifyInstance;
  let plainPort: number;
  const routes: RouteOptions[] = [];
  let spec: Json & { paths: Record<string, Record<string, Operation>> };
  let ajv: InstanceType<typeof Ajv2020>;
  let admin: string;
  let op: string;
  let viewer: string;
  /** (method path status) of every answer checked against the description. */
  const seen = new Set<string>();

  before(async () => {
    const truth = scene.truth as unknown as { t: number; lat: number; lon: number; class: string }[];
    const mid = scene.t0 + 150;
    const at = truth.filter((r) => Math.abs(r.t - mid) < 0.5 && r.class === 'piston_owa');
    const features = at.slice(0, 2).map((r, i) => square(`z${i}`, r.lat, r.lon, 0.03));
    features.push(square('far', 36.0, 126.0, 0.05));
    const zonesFile = join(tmp.dir, 'zones.geojson');
    writeFileSync(zonesFile, JSON.stringify({ type: 'FeatureCollection', features }));
    // a base map of one's own (web.basemap_pmtiles): a PMTiles v3 header (raster PNG tiles) and some bytes
    const basemap = Buffer.alloc(2000);
    basemap.write('PMTiles', 0, 'latin1');
    basemap[7] = 3;
    basemap[99] = 2;
    basemap[101] = 12;
    writeFileSync(join(tmp.dir, 'base.pmtiles'), basemap);
    srv = await startServer({
      config: { ...config, http: { ...config.http, body_limit_bytes: 64 * 1024 }, zones: { file: zonesFile }, alerts: { interval_s: 5, public_feed: true, cap_sender: 'skywarden@test.example' }, web: { basemap_pmtiles: join(tmp.dir, 'base.pmtiles'), basemap_attribution: 'Test tiles' } },
      clock: () => now,
      logger: quietLogger(),
    });
    port = srv.httpPort;
    plain = await buildApp(srv.service, { serializeBySchema: false, onRoute: (r) => routes.push(r) });
    await plain.listen({ port: 0, host: '127.0.0.1' });
    plainPort = (plain.server.address() as { port: number }).port;
    admin = await login(port, 'admin', 'admin-secret-1');
    op = await login(port, 'op', 'op-secret-1');
    viewer = await login(port, 'view', 'view-secret-1');
    await feedScene((c) => srv.service.ingest.ingest(null, c, 'test'), scene.detections as unknown as Json[], (t) => (now = t), 10);
    await until(async () => ((await http(port, 'GET', '/api/v1/tracks', { token: viewer })).json.tracks as unknown[]).length > 0, 20000, 'tracks');

    const r = await http(port, 'GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200, r.text);
    spec = r.json as typeof spec;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(spec as object, 'open.json');
    ajv.addSchema(closed(spec) as object, 'closed.json');
  });
  after(async () => {
    await plain?.close();
    await srv?.close();
    tmp.cleanup();
  });

  /** Fetches, checks that the status is declared for the operation and the body matches its schema; returns the answer. */
  async function check(
    method: string,
    template: string,
    path: string,
    want: number,
    o: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string>; on?: 'plain' } = {},
  ) {
    const r = await http(o.on === 'plain' ? plainPort : port, method, path, o);
    assert.equal(r.status, want, `${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    const opn = spec.paths[template]?.[method.toLowerCase()];
    assert.ok(opn, `${method} ${template} is not in the description`);
    const resp = opn.responses[String(r.status)];
    assert.ok(resp, `${method} ${template}: status ${r.status} is not declared (declared: ${Object.keys(opn.responses).join(', ')})`);
    const type = String(r.headers.get('content-type') ?? '').split(';')[0].trim();
    assert.ok(resp.content?.[type], `${method} ${template} ${r.status}: content type ${type} is not declared (${Object.keys(resp.content ?? {}).join(', ')})`);
    seen.add(`${method} ${template} ${r.status}`);
    if (type === 'application/json') {
      const at = `#/paths/${pointer(template)}/${method.toLowerCase()}/responses/${r.status}/content/${pointer(type)}/schema`;
      for (const doc of o.on === 'plain' ? ['open.json', 'closed.json'] : ['open.json']) {
        const validate = ajv.getSchema(`${doc}${at}`);
        assert.ok(validate, `no schema at ${at}`);
        assert.ok(validate(r.json), `${method} ${path} ${r.status} against ${doc}: ${(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join('; ')}\n${r.text.slice(0, 500)}`);
      }
    }
    return r;
  }

  /** A GET through both apps: valid, and the schema-serialised answer is the plain one (nothing dropped), which names nothing undeclared. */
  async function checkGet(template: string, path: string, token?: string, want = 200) {
    const real = await check('GET', template, path, want, { token });
    const full = await check('GET', template, path, want, { token, on: 'plain' });
    assert.deepEqual(real.json, full.json, `GET ${path}: the response schema dropped or changed something`);
    return real;
  }

  it('passes redocly lint with no error', () => {
    const file = join(tmp.dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(spec));
    const require = createRequire(import.meta.url);
    const cli = join(require.resolve('@redocly/cli/package.json'), '..', 'bin', 'cli.js');
    const r = spawnSync(process.execPath, [cli, 'lint', file, '--extends', 'recommended', '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 120_000,
    });
    const out = JSON.parse(r.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location?: { pointer: string }[] }[] };
    const list = out.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`).join('\n');
    assert.equal(out.totals.errors, 0, list);
    assert.equal(out.totals.warnings, 0, list);
    assert.equal(r.status, 0, r.stderr);
  });

  it('describes every route with a success schema and its error statuses', () => {
    const shown = routes.filter((r) => r.method !== 'HEAD' && !(r.schema as { hide?: boolean } | undefined)?.hide);
    assert.ok(shown.length >= 30, `${shown.length} routes`);
    const ops = new Set<string>();
    for (const r of shown) {
      const method = String(r.method).toLowerCase();
      const template = r.url.replace(/:(\w+)/g, '{$1}');
      const o = spec.paths[template]?.[method];
      assert.ok(o, `${method} ${template} is not in the description`);
      ops.add(`${method} ${template}`);
      assert.ok(o.operationId, `${method} ${template}: no operationId`);
      const ok = Object.entries(o.responses).filter(([s]) => s.startsWith('2'));
      assert.ok(ok.length > 0, `${method} ${template}: no 2xx response`);
      for (const [s, resp] of ok) {
        const schemas = Object.values(resp.content ?? {}).map((c) => c.schema);
        assert.ok(schemas.length > 0 && schemas.every((x) => x), `${method} ${template} ${s}: no content schema`);
      }
      const errs = Object.keys(o.responses).filter((s) => Number(s) >= 400);
      const need = ['400', '500'];
      // 401 unless the operation may be called without credentials
      if (!(Array.isArray(o.security) && (o.security.length === 0 || o.security.some((x) => Object.keys(x as object).length === 0)))) need.push('401');
      if (method !== 'get') need.push('413', '415');
      for (const s of need) assert.ok(errs.includes(s), `${method} ${template}: no ${s} response`);
      for (const s of errs) {
        // the answers that are not errors: health while starting, and an ingest (of detections or of heartbeats) that accepted nothing, each refusal named
        if ((template === '/api/v1/health' && s === '503') || ((template === '/api/v1/detections' || template === '/api/v1/sensors/status') && s === '422')) continue;
        const schema = o.responses[s].content?.['application/json']?.schema as { $ref?: string } | undefined;
        assert.equal(schema?.$ref, '#/components/schemas/Error', `${method} ${template} ${s}: not the shared error body`);
      }
    }
    // and the description has nothing Fastify does not route
    for (const [p, item] of Object.entries(spec.paths)) for (const m of Object.keys(item).filter((k) => METHODS.includes(k))) assert.ok(ops.has(`${m} ${p}`), `${m} ${p} is described but not routed`);
  });

  it('answers as described while the start-up replay runs (503)', async () => {
    const dir = join(tmp.dir, 'starting');
    mkdirSync(dir);
    const built = buildConfig({ ...config, data_dir: dir }, {});
    assert.ok(built.ok);
    const svc = await createService({ config: built.config, log: quietLogger(), clock: () => scene.t0 });
    const app = await buildApp(svc);
    try {
      const session = svc.sessions.create('op', 'operator').token;
      const cases: [string, string, string, Record<string, string>, unknown][] = [
        ['GET', '/api/v1/health', '/api/v1/health', {}, undefined],
        ['GET', '/api/v1/health', '/api/v1/health', { authorization: `Bearer ${session}` }, undefined],
        ['POST', '/api/v1/detections', '/api/v1/detections', { authorization: basic('radar-1', 'token-radar-1') }, [{ t: scene.t0, sensor: 'radar-1' }]],
        ['POST', '/api/v1/zones/{id}/alert', '/api/v1/zones/any/alert', { authorization: `Bearer ${session}` }, { action: 'raise', reason: 'test' }],
        ['PUT', '/api/v1/sensors/{id}', '/api/v1/sensors/x', { authorization: `Bearer ${session}` }, { kind: 'observer' }],
      ];
      for (const [method, template, url, headers, body] of cases) {
        const r = await app.inject({ method: method as 'GET', url, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' }, payload: body === undefined ? undefined : JSON.stringify(body) });
        assert.equal(r.statusCode, 503, `${method} ${url}: ${r.body}`);
        const at = `#/paths/${pointer(template)}/${method.toLowerCase()}/responses/503/content/application~1json/schema`;
        const validate = ajv.getSchema(`open.json${at}`);
        assert.ok(validate, `${method} ${template}: no 503 schema`);
        assert.ok(validate(r.json()), `${method} ${url} 503: ${ajv.errorsText(validate.errors)} ${r.body}`);
      }
    } finally {
      await app.close();
      await svc.close();
    }
  });

  it("answers as described: every operation's successes, and its errors", async () => {
    const rows = scene.detections as unknown as Json[];
    const good = rows.find((r) => r.sensor === 'radar-1') as Json;
    const radar = basic('radar-1', 'token-radar-1');
    const t0 = scene.t0;
    // the service
    await checkGet('/api/v1/health', '/api/v1/health');
    await checkGet('/api/v1/health', '/api/v1/health', viewer);
    await check('GET', '/api/v1/openapi.json', '/api/v1/openapi.json', 200);
    const metrics = await check('GET', '/metrics', '/metrics', 200);
    assert.match(metrics.text, /skywarden_/);
    // auth
    await checkGet('/api/v1/me', '/api/v1/me', viewer);
    await checkGet('/api/v1/me', '/api/v1/me', undefined, 401);
    await check('POST', '/api/v1/login', '/api/v1/login', 200, { body: { user: 'view', password: 'view-secret-1' }, on: 'plain' });
    await check('POST', '/api/v1/login', '/api/v1/login', 401, { body: { user: 'view', password: 'wrong' } });
    const badBody = await check('POST', '/api/v1/login', '/api/v1/login', 400, { body: { user: 'view' } });
    assert.match(badBody.json.error!.message, /password is required/);
    const tooLong = await check('POST', '/api/v1/login', '/api/v1/login', 400, { body: { user: 'x'.repeat(65), password: 'p' } });
    assert.match(tooLong.json.error!.message, /body field user must NOT have more than 64 characters/);
    await check('POST', '/api/v1/login', '/api/v1/login', 415, { raw: '<x/>', headers: { 'content-type': 'application/xml' } });
    await check('POST', '/api/v1/login', '/api/v1/login', 413, { raw: JSON.stringify({ user: 'a', password: 'x'.repeat(70 * 1024) }), headers: { 'content-type': 'application/json' } });
    let throttled = 0;
    for (let i = 0; i < 12 && throttled === 0; i++) {
      const r = await http(port, 'POST', '/api/v1/login', { body: { user: 'guesser', password: `guess-${i}` } });
      if (r.status === 429) throttled = i;
    }
    assert.ok(throttled > 0, 'the login throttle answers 429');
    await check('POST', '/api/v1/login', '/api/v1/login', 429, { body: { user: 'guesser', password: 'again' } });
    const extra = await login(port, 'view', 'view-secret-1');
    await check('POST', '/api/v1/logout', '/api/v1/logout', 200, { token: extra, body: {} });
    await check('GET', '/api/v1/tracks', '/api/v1/tracks', 400, { headers: { cookie: 'sw_session=%zz' } });

    // ingest
    const mixed = [{ ...good, id: 'oa-good', t: now - 1 }, { ...good, id: 'oa-bad', range_m: -5 }, 'not an object'];
    const ing = await check('POST', '/api/v1/detections', '/api/v1/detections', 202, { body: mixed, headers: { authorization: radar }, on: 'plain' });
    assert.equal((ing.json.rejected as unknown[]).length, 2);
    await check('POST', '/api/v1/detections', '/api/v1/detections', 202, { raw: JSON.stringify({ ...good, id: 'oa-nd', t: now - 1 }) + '\n{oops\n', headers: { authorization: radar, 'content-type': 'application/x-ndjson' } });
    await check('POST', '/api/v1/detections', '/api/v1/detections', 422, { body: [{ ...good, id: 'oa-bad2', range_m: -1 }], headers: { authorization: radar } });
    await check('POST', '/api/v1/detections', '/api/v1/detections', 401, { body: [good] });
    await check('POST', '/api/v1/detections', '/api/v1/detections', 401, { body: [good], headers: { authorization: basic('radar-1', 'wrong-token') } });
    await check('POST', '/api/v1/detections', '/api/v1/detections', 400, { raw: '{"a":', headers: { authorization: radar, 'content-type': 'application/json' } });
    await check('POST', '/api/v1/detections', '/api/v1/detections', 400, { raw: '42', headers: { authorization: radar, 'content-type': 'application/json' } });
    await check('POST', '/api/v1/detections', '/api/v1/detections', 413, { raw: JSON.stringify([{ ...good, pad: 'x'.repeat(70 * 1024) }]), headers: { authorization: radar, 'content-type': 'application/json' } });
    await check('POST', '/api/v1/detections', '/api/v1/detections', 415, { raw: '<x/>', headers: { authorization: radar, 'content-type': 'application/xml' } });
    await check('POST', '/api/v1/sensors/{id}/status', '/api/v1/sensors/radar-1/status', 200, { body: { ok: true }, headers: { authorization: radar }, on: 'plain' });
    await check('POST', '/api/v1/sensors/{id}/status', '/api/v1/sensors/adsb-1/status', 403, { body: { ok: true }, headers: { authorization: radar } });
    await check('POST', '/api/v1/sensors/{id}/status', '/api/v1/sensors/radar-1/status', 401, { body: { ok: true } });
    const beats = await check('POST', '/api/v1/sensors/status', '/api/v1/sensors/status', 200, { body: { sensors: ['radar-1', 'adsb-1', 'no-such'] }, headers: { authorization: radar } });
    assert.equal(beats.json.heard, 1);
    assert.deepEqual((beats.json.refused as { index: number; code: string }[]).map((r) => [r.index, r.code]), [[1, 'sensor_mismatch'], [2, 'sensor_mismatch']]);
    await check('POST', '/api/v1/sensors/status', '/api/v1/sensors/status', 422, { body: { sensors: ['adsb-1'] }, headers: { authorization: radar } });
    await check('POST', '/api/v1/sensors/status', '/api/v1/sensors/status', 400, { body: { sensors: [] }, headers: { authorization: radar } });
    await check('POST', '/api/v1/sensors/status', '/api/v1/sensors/status', 401, { body: { sensors: ['radar-1'] } });

    // the picture
    const tracks = await checkGet('/api/v1/tracks', '/api/v1/tracks', viewer);
    const list = tracks.json.tracks as { track: string; threatens?: unknown }[];
    assert.ok(list.length > 0);
    const id = list[0].track;
    await checkGet('/api/v1/tracks/{id}', `/api/v1/tracks/${encodeURIComponent(id)}`, viewer);
    await checkGet('/api/v1/tracks/{id}', '/api/v1/tracks/no-such-track', viewer, 404);
    await checkGet('/api/v1/tracks/{id}/history', `/api/v1/tracks/${encodeURIComponent(id)}/history?from=0&to=${now + 1}&limit=50`, viewer);
    const badLimit = await checkGet('/api/v1/tracks/{id}/history', `/api/v1/tracks/${encodeURIComponent(id)}/history?limit=0`, viewer, 400);
    assert.match(badLimit.json.error!.message, /query parameter limit must be >= 1/);
    await check('POST', '/api/v1/tracks/{id}/actions', `/api/v1/tracks/${encodeURIComponent(id)}/actions`, 200, { token: op, body: { action: 'classify', label: 'multirotor' }, on: 'plain' });
    await check('POST', '/api/v1/tracks/{id}/actions', `/api/v1/tracks/${encodeURIComponent(id)}/actions`, 200, { token: op, body: { action: 'confirm' } });
    await checkGet('/api/v1/tracks/{id}', `/api/v1/tracks/${encodeURIComponent(id)}`, viewer);
    const badAction = await check('POST', '/api/v1/tracks/{id}/actions', `/api/v1/tracks/${encodeURIComponent(id)}/actions`, 400, { token: op, body: { action: 'paint' } });
    assert.match(badAction.json.error!.message, /body field action must be equal to one of the allowed values: confirm, dismiss, classify/);
    await check('POST', '/api/v1/tracks/{id}/actions', `/api/v1/tracks/${encodeURIComponent(id)}/actions`, 403, { token: viewer, body: { action: 'confirm' } });
    await check('POST', '/api/v1/tracks/{id}/actions', '/api/v1/tracks/nope/actions', 404, { token: op, body: { action: 'confirm' } });
    await check('POST', '/api/v1/tracks/{id}/actions', '/api/v1/tracks/nope/actions', 401, { body: { action: 'confirm' } });
    // the threat queue's work state: acknowledge, assign
    await check('POST', '/api/v1/tracks/{id}/ack', `/api/v1/tracks/${encodeURIComponent(id)}/ack`, 200, { token: op, body: {} });
    await check('POST', '/api/v1/tracks/{id}/ack', '/api/v1/tracks/nope/ack', 404, { token: op, body: {} });
    await check('POST', '/api/v1/tracks/{id}/ack', `/api/v1/tracks/${encodeURIComponent(id)}/ack`, 403, { token: viewer, body: {} });
    await check('POST', '/api/v1/tracks/{id}/assign', `/api/v1/tracks/${encodeURIComponent(id)}/assign`, 200, { token: op, body: { to: 'team north' } });
    await check('POST', '/api/v1/tracks/{id}/assign', `/api/v1/tracks/${encodeURIComponent(id)}/assign`, 400, { token: op, body: { to: '' } });
    await check('POST', '/api/v1/tracks/{id}/assign', '/api/v1/tracks/nope/assign', 401, { body: { to: 'x' } });

    // sensors
    await checkGet('/api/v1/sensors', '/api/v1/sensors', viewer);
    await check('PUT', '/api/v1/sensors/{id}', '/api/v1/sensors/obs-oa', 200, { token: admin, body: { kind: 'observer', lat: 37.5, lon: 127.0, token: 'obs-oa-token-1' }, on: 'plain' });
    await check('PUT', '/api/v1/sensors/{id}', '/api/v1/sensors/obs-oa2', 200, { token: admin, body: { kind: 'observer', lat: 37.5, lon: 127.0 } });
    await check('PUT', '/api/v1/sensors/{id}', '/api/v1/sensors/obs-oa', 400, { token: admin, body: { lat: 37.5 } });
    await check('PUT', '/api/v1/sensors/{id}', '/api/v1/sensors/obs-oa', 403, { token: op, body: { kind: 'observer' } });
    await check('DELETE', '/api/v1/sensors/{id}', '/api/v1/sensors/obs-oa', 200, { token: admin, on: 'plain' });
    await check('DELETE', '/api/v1/sensors/{id}', '/api/v1/sensors/obs-oa', 404, { token: admin });

    // history
    await checkGet('/api/v1/detections', `/api/v1/detections?from=${t0}&to=${t0 + 20}&limit=30`, viewer);
    await checkGet('/api/v1/detections', '/api/v1/detections?from=abc', viewer, 400);
    const empty = await checkGet('/api/v1/detections', '/api/v1/detections?from=&to=&sensor=', viewer);
    assert.equal(empty.json.from, now - 60, 'an empty parameter takes its default');
    await checkGet('/api/v1/history/range', '/api/v1/history/range', viewer);
    await checkGet('/api/v1/history/tracks', `/api/v1/history/tracks?from=${t0}&to=${t0 + 120}&every=10`, viewer);
    const noFrom = await checkGet('/api/v1/history/tracks', '/api/v1/history/tracks', viewer, 400);
    assert.match(noFrom.json.error!.message, /query parameter from is required/);
    const replay = await check('POST', '/api/v1/replay', '/api/v1/replay', 200, { token: op, body: { from: t0, to: t0 + 60 } });
    const lines = replay.text.trim().split('\n');
    assert.ok(lines.length > 0 && lines.every((l) => typeof (JSON.parse(l) as Json).track === 'string'), 'tracks.ndjson rows');
    await check('POST', '/api/v1/replay', '/api/v1/replay', 400, { token: op, body: { from: t0 + 60, to: t0 } });
    await check('POST', '/api/v1/replay', '/api/v1/replay', 403, { token: viewer, body: { from: t0, to: t0 + 60 } });

    // zones and alerts
    await checkGet('/api/v1/zones', '/api/v1/zones', viewer);
    await check('POST', '/api/v1/zones/{id}/alert', '/api/v1/zones/far/alert', 200, { token: op, body: { action: 'raise', reason: 'observer call' }, on: 'plain' });
    await check('POST', '/api/v1/zones/{id}/alert', '/api/v1/zones/far/alert', 200, { token: op, body: { action: 'raise', reason: 'again' } });
    await check('POST', '/api/v1/zones/{id}/alert', '/api/v1/zones/nope/alert', 404, { token: op, body: { action: 'raise', reason: 'x' } });
    await check('POST', '/api/v1/zones/{id}/alert', '/api/v1/zones/far/alert', 400, { token: op, body: { action: 'raise', reason: '' } });
    await checkGet('/api/v1/alerts/state', '/api/v1/alerts/state', viewer);
    const alerts = await checkGet('/api/v1/alerts', `/api/v1/alerts?from=0&to=${now + 10}`, viewer);
    assert.ok((alerts.json.alerts as { cap_identifier?: string }[]).some((a) => a.cap_identifier), 'stored alerts keep their CAP identifier');
    const cap = await checkGet('/api/v1/cap', '/api/v1/cap?limit=20');
    const msgs = cap.json.messages as { identifier: string; href: string }[];
    assert.ok(msgs.length > 0);
    await check('GET', '/api/v1/cap/{identifier}', msgs[0].href, 200);
    await check('GET', '/api/v1/cap/{identifier}', '/api/v1/cap/no-such-message', 404);
    await check('GET', '/api/v1/cap', '/api/v1/cap', 200, { headers: { accept: 'application/atom+xml' } });
    await check('GET', '/api/v1/cap.atom', '/api/v1/cap.atom', 200);
    await checkGet('/api/v1/public/alerts/state', '/api/v1/public/alerts/state');
    await checkGet('/api/v1/public/info', '/api/v1/public/info');
    await check('POST', '/api/v1/zones/{id}/alert', '/api/v1/zones/far/alert', 200, { token: op, body: { action: 'end', reason: 'false report' } });

    // the user's own base map: what it is, and the file in ranges
    const bm = await checkGet('/api/v1/basemap', '/api/v1/basemap', viewer);
    assert.equal((bm.json.pmtiles as Json).tile_type, 'png');
    await checkGet('/api/v1/basemap', '/api/v1/basemap', undefined, 401);
    const tiles = '/api/v1/basemap/tiles.pmtiles';
    await check('GET', tiles, tiles, 206, { token: viewer, headers: { range: 'bytes=0-126' } });
    await check('GET', tiles, tiles, 200, { token: viewer });
    await check('GET', tiles, tiles, 416, { token: viewer, headers: { range: 'bytes=5000-5100' } });
    await check('GET', tiles, tiles, 401, { headers: { range: 'bytes=0-126' } });

    // admin
    await checkGet('/api/v1/audit', '/api/v1/audit?limit=100', admin);
    await checkGet('/api/v1/audit', '/api/v1/audit', viewer, 403);
    await checkGet('/api/v1/quarantine', '/api/v1/quarantine', admin);

    // the event streams: their content type (the events are documented in docs/api.md)
    for (const [template, path] of [
      ['/api/v1/stream', `/api/v1/stream?token=${encodeURIComponent(viewer)}`],
      ['/api/v1/public/stream', '/api/v1/public/stream'],
    ]) {
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: ac.signal });
      const type = String(res.headers.get('content-type')).split(';')[0];
      ac.abort();
      assert.equal(res.status, 200);
      assert.ok(spec.paths[template].get.responses['200'].content?.[type], `${template}: ${type} not declared`);
      seen.add(`GET ${template} 200`);
    }
    await check('GET', '/api/v1/stream', '/api/v1/stream', 401);

    // every operation was seen answering 2xx
    const ops = Object.entries(spec.paths).flatMap(([p, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${p}`));
    const missing = ops.filter((o) => ![...seen].some((s) => s.startsWith(o + ' 2')));
    assert.deepEqual(missing, [], 'operations never checked with a success');
    const errorsSeen = [...seen].filter((s) => !/ 2\d\d$/.test(s)).length;
    assert.ok(errorsSeen >= 30, `${errorsSeen} error answers checked`);
  });
});
