/**
 * The HTTP API under /api/v1 (Fastify), /metrics, and the web map's files at /.
 * Every route but /api/v1/health, /api/v1/login and the ingest (which takes sensor
 * credentials) needs an operator session: `Authorization: Bearer <token>` or the
 * `sw_session` cookie. Roles: viewer < operator < admin. Errors are
 * `{ error: { code, message } }` with codes from errors.ts. The OpenAPI description is
 * generated from the route schemas (schemas.ts; @fastify/swagger) and served at /api/v1/openapi.json.
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import send from '@fastify/send';
import { fileURLToPath } from 'node:url';
import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { pipeline, Readable, Transform as StreamTransform, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { limitConnectionsPerAddress, shedIdleConnections } from '../net-limits.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import AjvCompiler from '@fastify/ajv-compiler';
import { ApiError, errorBody, type ErrorCode } from '../errors.js';
import { hashSecret, mayPublish, NO_MATCH_HASH, roleAtLeast, verifySecret, type Session } from '../auth.js';
import type { Role } from '../store/store.js';
import type { Service } from '../service.js';
import { CLASS_LABELS } from '@skywarden/core';
import { capAtomFeed, capLanguageTexts, checkText, describeJsonError, formatCapTime, type TrackRow } from '@skywarden/formats';
import { detectionsText, ReplayTooLarge, replayRows, storedFramesText } from './replay.js';
import { batchTooLarge, decodeLines, decodeUtf8, jsonScan, parseNdjsonLines, withoutHazards } from '../ingest/ndjson.js';
import { createDeviceCookies, DEVICE_COOKIE, DEVICE_KEY_FILE as DEVICE_KEY_NAME, loadDeviceKey } from './device-cookie.js';
import { createLoginThrottle } from './login-throttle.js';
import { bodies, bodiesOut, CapIdParam, IdParam, queries, ref, responses, SHARED_SCHEMAS, textBody } from './schemas.js';
import { frame, onResponseGone, SECURITY_HEADERS } from '../stream.js';
import { readPmtilesInfo } from './basemap.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
  }
}

export const API_VERSION = '0.1.0';

/** A number as a query parameter writes it: decimal, optionally signed, with a fraction and an exponent (Infinity and NaN pass here, to be named by the route's own checks). */
const DECIMAL = /^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?Infinity|NaN)$/;
/** Where the web map's built files are (packages/web/dist), from this module (packages/server/dist/http/). */
const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

function parseCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeOrRefuse(part.slice(i + 1).trim(), `the ${name} cookie`);
  }
  return null;
}

/** Percent-decoding of a client's value; a malformed escape is the client's error (400), not ours. */
function decodeOrRefuse(v: string, what: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    throw new ApiError('bad_request', `${what} is not valid percent-encoding (a % must start %XX escapes of UTF-8)`);
  }
}

/** A query parameter's value as the client wrote it: a number (the schema's coercion) in JavaScript's own writing, a string quoted. */
const showParam = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v));

const num = (v: unknown, name: string, dflt?: number): number => {
  if (v === undefined || v === '') {
    if (dflt === undefined) throw new ApiError('bad_request', `query parameter ${name} is required`);
    return dflt;
  }
  const x = Number(v);
  // the schema has made a number of it already (-Infinity, which JSON writes as null, is named as it is)
  if (!Number.isFinite(x)) throw new ApiError('bad_request', `query parameter ${name} must be a finite number, got ${showParam(v)}`);
  return x;
};

/** Requests whose `limit` was capped, with the header that says so (`Skywarden-Limit`, set as the answer is sent). */
const cappedLimits = new WeakMap<FastifyRequest, string>();
/** The longest path parameter the router takes (characters, as sent): a 256-character id percent-encoded. */
const MAX_PARAM_LENGTH = 1024;
/** A `limit` query parameter: a positive integer (default `dflt`), at most `max` (larger ones are capped, and the answer says so). */
const limitParam = (req: FastifyRequest, v: unknown, dflt: number, max: number): number => {
  const x = num(v, 'limit', dflt);
  if (!Number.isInteger(x) || x < 1) throw new ApiError('bad_request', `query parameter limit must be a positive integer, got ${showParam(v)}`);
  // a limit beyond the route's most is taken as the most, and the answer says so
  if (x > max) cappedLimits.set(req, `${max}; requested=${x}`);
  return Math.min(x, max);
};

/** The lines of an NDJSON body that were not UTF-8 (decodeLines) or nested too deep or too wide (jsonHazards), by line index, with why. */
const badUtf8Lines = new WeakMap<FastifyRequest, ReadonlyMap<number, string>>();
/** The items of a JSON batch nested too deep or too wide to be detections (jsonHazards), not parsed, by index, with why. */
const hazardItems = new WeakMap<FastifyRequest, ReadonlyMap<number, string>>();

/** How often an event stream checks that the session it was opened with still lasts (ms). */
const STREAM_SESSION_CHECK_MS = 2000;

/**
 * Fastify's validators (Ajv with its defaults), except that a JSON body's values are taken as
 * they are: Fastify coerces types everywhere (`coerceTypes: 'array'`), so a body's one-item
 * array stood for its item and a string for a one-item list (an outside probe, 2026-12-07: an
 * action sent as `["confirm"]` was taken). A query string's and a path's values are text and
 * keep their coercion ("?limit=10" is a number; a repeated parameter an array).
 */
function bodiesNotCoerced() {
  type Build = (externalSchemas: unknown, options: { customOptions?: object }) => (route: { httpPart?: string }) => unknown;
  const pool = AjvCompiler() as unknown as Build;
  return ((externalSchemas, options) => {
    const loose = pool(externalSchemas, options);
    const strict = pool(externalSchemas, { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } });
    return (route) => (route.httpPart === 'body' ? strict(route) : loose(route));
  }) as Build;
}

/**
 * Items of an ingest body: a JSON array, a single object, or NDJSON. Returns the items, or the
 * bad lines' errors with the good lines kept. NDJSON of more than `maxBatch` non-empty lines is
 * refused before any line is parsed.
 */
function bodyItems(req: FastifyRequest, maxBatch: number): { items: unknown[]; lineErrors: { index: number; code: 'invalid_json' | 'invalid_detection'; message: string }[]; lineOf: number[] | null } {
  const b = req.body;
  if (typeof b === 'string') {
    const r = parseNdjsonLines(b, maxBatch, badUtf8Lines.get(req));
    if ('tooMany' in r) throw new ApiError('batch_too_large', `${r.tooMany} detections in one request; at most ${maxBatch}`);
    const items: unknown[] = [];
    // by item (the ingest's index): the line's error, and its line (blank lines are not items)
    const lineErrors: { index: number; code: 'invalid_json'; message: string }[] = [];
    const lineOf: number[] = [];
    for (const l of r.lines) {
      if (!l.ok) lineErrors.push({ index: items.length, code: 'invalid_json', message: l.message });
      lineOf.push(l.index);
      items.push(l.ok ? l.value : undefined);
    }
    return { items, lineErrors, lineOf };
  }
  if (Array.isArray(b)) {
    const hz = hazardItems.get(req);
    return { items: b, lineErrors: hz ? [...hz].map(([index, why]) => ({ index, code: 'invalid_detection' as const, message: `detection ${index}: ${why}` })) : [], lineOf: null };
  }
  if (b !== null && typeof b === 'object') return { items: [b], lineErrors: [], lineOf: null };
  throw new ApiError('bad_request', 'the body must be a JSON array of detections, one detection object, or NDJSON');
}

/** The sensors' routes: their credentials are checked before their body is read, and they take chunked bodies. */
/** Ids a heartbeat batch marks before it lets other requests run, and the refusals its answer names (the rest are counted in `refused_total`). */
const HEARTBEAT_SLICE = 2000;
const HEARTBEAT_REFUSALS_LISTED = 1000;

/** Requests that sent `Expect: 100-continue` (the server's `checkContinue`): their 100 waits for the route's checks. */
const expectsContinue = new WeakSet<IncomingMessage>();
const SENSOR_ROUTES = new Set(['/api/v1/detections', '/api/v1/sensors/:id/status', '/api/v1/sensors/status']);

/** Ajv's errors as one message naming the field: `query parameter limit must be integer`, `body field reason must NOT have fewer than 1 characters`. */
function validationMessage(errors: readonly { instancePath: string; message?: string; params?: Record<string, unknown> }[], where: string): string {
  return errors
    .map((e) => {
      const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const missing = typeof e.params?.missingProperty === 'string' ? e.params.missingProperty : null;
      const what = where === 'querystring' ? 'query parameter' : where === 'params' ? 'path parameter' : where === 'body' ? 'body field' : `${where} field`;
      if (missing) return `${what} ${field ? `${field}.` : ''}${missing} is required`;
      const allowed = Array.isArray(e.params?.allowedValues) ? `: ${e.params.allowedValues.join(', ')}` : '';
      return field ? `${what} ${field} ${e.message}${allowed}` : `the ${where === 'querystring' ? 'query' : where} ${e.message}${allowed}`;
    })
    .join('; ');
}

export interface BuildOptions {
  /**
   * Serialise answers with fast-json-stringify from the response schemas (the default). False:
   * plain JSON.stringify, so that a test can see what a handler returns beyond its schema.
   */
  serializeBySchema?: boolean;
  /** Told of every route as it is added (a test lists them). */
  onRoute?: (route: RouteOptions) => void;
}

/** Pieces after which a body's mean piece size is checked, and the least mean (bytes): see the preParsing hook. */
const BODY_PIECES_CHECKED = 4096;
const BODY_PIECE_MIN_MEAN = 256;

/** A pass-through that asks `check` about each chunk; an error it returns ends the stream with it. */
class PassThroughCounter extends StreamTransform {
  constructor(private readonly check: (chunk: Buffer) => Error | null) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    const err = this.check(chunk);
    if (err) cb(err);
    else cb(null, chunk);
  }
}

/** Decoders of the request bodies' content codings the service takes (`Content-Encoding`). */
const DECODERS = new Map<string, () => Transform>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/** The body limit (bytes) of the routes that are not batches (see `BATCH_ROUTES`), when http.body_limit_bytes is larger. */
export const SMALL_BODY_BYTES = 64 * 1024;
/** The routes whose bodies may be as large as http.body_limit_bytes. */
const BATCH_ROUTES = new Set(['/api/v1/detections', '/api/v1/sensors/status']);

export async function buildApp(svc: Service, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const c = svc.config;
  // requestTimeout: a client must send its whole request in time (headers within the lesser of
  // that and 60 s), so a connection trickling bytes (a slowloris) is cut off within a second
  // of it (Node checks every connectionsCheckingInterval; its default is 30 s). It does not
  // limit how long a response (an event stream) lasts.
  const requestTimeout = c.http.request_timeout_s * 1000;
  const app = Fastify({
    logger: false,
    schemaController: { compilersFactory: { buildValidator: bodiesNotCoerced() as never } },
    bodyLimit: c.http.body_limit_bytes,
    // the client's address (login throttling, audit) from X-Forwarded-For only behind the proxies named in http.trust_proxy
    trustProxy: c.http.trust_proxy ?? false,
    serverFactory: (handler) => {
      const server = createHttpServer({ requestTimeout, connectionsCheckingInterval: 1000 }, handler);
      // a client that half-closes after its request (sends its FIN, as `nc -N` or a shell's
      // printf | nc do) gets its answer: by default Node aborts the request on the FIN and the
      // client never learns that its detections were journalled. With the flag the response in
      // flight is written and the connection then ended (no request in flight: ended at once);
      // a half-closed client's unfinished request ends at http.request_timeout_s as any other.
      // An event stream ends when its client's side does (stream.ts): it would never learn of a
      // quiet reader gone. Node's own property, kept for this (nodejs/node#36819); tested in
      // hostile-input.e2e.
      (server as unknown as { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
      // `Expect: 100-continue`: Node would answer 100 at once, before anyone asked who sends the
      // body; the interim answer waits for the route (and for a sensors' route, its credentials)
      server.on('checkContinue', (req, res) => {
        expectsContinue.add(req);
        handler(req, res);
      });
      return server;
    },
    schemaErrorFormatter: (errors, where) => new Error(validationMessage(errors, where)),
    // a path parameter may be a sensor id of up to 256 characters, percent-encoded (three
    // characters a byte); a longer one, and a path that is not a valid URL, are answered in the
    // API's error shape (they were Fastify's own bodies)
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: ((err: Error & { code?: string }, _req: FastifyRequest, reply: FastifyReply) => {
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.status(414).send(errorBody('uri_too_long', `a path parameter is longer than ${MAX_PARAM_LENGTH} characters (ids are at most 256)`));
      if (err.code === 'FST_ERR_BAD_URL') return reply.status(400).send(errorBody('bad_request', `the path is not a valid URL: ${String(err.message).slice(0, 200)}`));
      return reply.status(500).send(errorBody('internal', 'the request could not be routed'));
    }) as never,
    // requests Node's HTTP parser refuses before any route sees them answered in the API's error
    // shape too (they were bare `400 Bad Request`, 408 and 431 without a body)
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      const [status, code, message] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'headers_too_large', 'the request\'s headers are larger than the server takes']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'request_timeout', `the request was not complete within ${c.http.request_timeout_s} s (http.request_timeout_s)`]
            : [400, 'bad_request', `the request is not valid HTTP/1.1 (${String(err.code ?? err.message).slice(0, 80)})`];
      // a connection the client reset, or one already gone: nothing to answer
      if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return socket.destroy();
      const body = JSON.stringify(errorBody(code as ErrorCode, message));
      // the reply, then the connection is gone: ended only, a client that never closed its side
      // kept it (and one that finished its headers after a 408 had its request served)
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  });
  // the user's own base map: refused at start when missing or not PMTiles v3 (named in the error)
  const basemapPath = c.web.basemap_pmtiles !== null ? resolve(c.web.basemap_pmtiles) : null;
  if (basemapPath !== null) readPmtilesInfo(basemapPath);
  if (opts.serializeBySchema === false) app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  // only the batches (detections, a gateway's heartbeats) may be as large as http.body_limit_bytes;
  // every other body (a login, an operator's action, one sensor, a replay's window) is small, and
  // an anonymous 8 MiB login of nested arrays had held the event loop for seconds before its route
  // refused it (an outside probe, 2026-12-06)
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit === undefined && !BATCH_ROUTES.has(route.url)) route.bodyLimit = Math.min(SMALL_BODY_BYTES, c.http.body_limit_bytes);
  });
  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  app.server.maxConnections = c.http.max_connections;
  // the service's logger: Fastify's own is off (logger: false), and its app.log dropped these warnings
  limitConnectionsPerAddress(app.server, c.http.max_connections_per_address, c.http.trust_proxy, svc.log, 'HTTP', 'http.max_connections_per_address');
  shedIdleConnections(app.server, c.http.max_connections, svc.log, 'HTTP');
  await app.register(fastifySwagger, {
    // the shared schemas keep their names (TrackWire, Error, ...) under components.schemas
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Skywarden API',
        version: API_VERSION,
        description:
          'Counter-drone early warning: ingest, tracks, sensors, alerts, CAP feeds. Operators log in (POST /api/v1/login) and send the bearer token or the sw_session cookie; ' +
          'sensors send HTTP Basic credentials (sensor or gateway id and token). Roles: viewer < operator < admin. Errors are `{ error: { code, message, details? } }`. See docs/api.md.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // without http.public_url, '/': the host this description was fetched from
      servers: [c.http.public_url ? { url: c.http.public_url.replace(/\/+$/, ''), description: 'This service (http.public_url)' } : { url: '/', description: 'This service (the host this description came from)' }],
      tags: [
        { name: 'service', description: 'Health and the API description' },
        { name: 'auth', description: 'Operator sessions' },
        { name: 'ingest', description: 'Detections and heartbeats from sensors (HTTP Basic)' },
        { name: 'picture', description: 'Tracks and operator decisions' },
        { name: 'sensors', description: 'Registered sensors and their health' },
        { name: 'history', description: 'The journal, stored track states, replay' },
        { name: 'alerts', description: 'Warning zones and alerts' },
        { name: 'cap', description: 'CAP 1.2 and Atom feeds' },
        { name: 'public', description: "The residents' warning page" },
        { name: 'admin', description: 'Audit and quarantine' },
        { name: 'stream', description: 'Server-sent events' },
        { name: 'map', description: "The web map's own base map (web.basemap_pmtiles)" },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/v1/login' },
          session: { type: 'apiKey', in: 'cookie', name: 'sw_session', description: 'The HttpOnly session cookie POST /api/v1/login sets' },
          sensorBasic: { type: 'http', scheme: 'basic', description: 'A sensor or gateway id and its token' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  app.decorateRequest('session', null);
  // an empty query parameter (`?zone=&from=`) is an absent one: its default, not Ajv's 0 or '';
  // a parameter that takes one value is given once; and a number is written as a decimal number:
  // Ajv's coercion took blanks (`from=%20`) for 0, which read the journal from 1970, and `0x10`
  // for 16 (an outside probe, 2026-12-07)
  app.addHook('preValidation', async (req) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (!q || typeof q !== 'object') return;
    const props = (req.routeOptions.schema?.querystring as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
    for (const k of Object.keys(q)) {
      const v = q[k];
      if (v === '') {
        delete q[k];
        continue;
      }
      const type = props?.[k]?.type;
      // given more than once where the route takes one value: named so (Ajv's coercion had made it
      // an array and then called it the wrong type)
      if (Array.isArray(v) && type !== undefined && type !== 'array') throw new ApiError('bad_request', `query parameter ${k} is given ${v.length} times: give it once`);
      if (typeof v === 'string' && (type === 'number' || type === 'integer') && !DECIMAL.test(v)) {
        throw new ApiError('bad_request', `query parameter ${k} must be a decimal number, got ${JSON.stringify(v.slice(0, 40))}`);
      }
    }
  });
  // bodies are read as bytes and decoded strictly: bytes that are not UTF-8 were each turned into
  // U+FFFD, and two detections whose ids differed only there became one id, the second answered
  // as a duplicate of the first (an outside probe, 2026-12-06)
  const utf8 = (body: string | Buffer): string => {
    const r = decodeUtf8(typeof body === 'string' ? Buffer.from(body) : body);
    if (typeof r !== 'string') throw new ApiError('invalid_json', `the body is not valid UTF-8 (its first bad byte at offset ${r.badByteAt})`);
    return r;
  };
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson', 'text/plain'], { parseAs: 'buffer' }, (req, body, done) => {
    try {
      // line by line: a line that is not UTF-8 costs only itself (bodyItems names it)
      const { text, bad } = decodeLines(typeof body === 'string' ? Buffer.from(body) : body);
      // NDJSON's lines are counted before they are parsed (bodyItems); their values here (one
      // line of two million nested objects is one line)
      const ingest = req.routeOptions.url === '/api/v1/detections';
      // one scan of the text gives both its counts and its hazards
      const scan = ingest ? jsonScan(text, true) : null;
      const tooLarge = scan ? batchTooLarge(scan, svc.ingest.maxBatch, 'request') : null;
      if (tooLarge) return done(new ApiError('batch_too_large', tooLarge.message), undefined);
      // a line nested too deep or too wide to be a detection is not parsed; it costs only itself
      if (scan) for (const [line, h] of scan.found) bad.set(line, h.message);
      if (bad.size > 0) badUtf8Lines.set(req, bad);
      done(null, text);
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // JSON as Fastify parses it, keys `__proto__` and `constructor.prototype` removed (they cannot
  // reach a prototype, and readers ignore unknown fields: refusing them threw away a whole batch
  // of good rows as "not valid JSON", which it was: an outside probe, 2026-12-07); an ingest batch
  // that is an array of more detections than a batch allows is refused on a count of its items,
  // before it is parsed (NDJSON's lines are counted the same way: bodyItems)
  const parseJson = app.getDefaultJsonParser('remove', 'remove');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = utf8(body);
    } catch (err) {
      return done(err as Error, undefined);
    }
    // a syntax error names its line and column (JSON.parse gives an offset for some errors only)
    const bodyText = text;
    const parsed = (err: Error | null, value?: unknown) => (err instanceof SyntaxError || (err as { code?: string } | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? done(new ApiError('invalid_json', `the body is not valid JSON: ${describeJsonError(bodyText, err)}`), undefined) : done(err, value));
    if (req.routeOptions.url !== '/api/v1/detections') return parseJson(req, text, parsed);
    const hz = jsonScan(text, false);
    const tooLarge = batchTooLarge(hz, svc.ingest.maxBatch, 'request');
    if (tooLarge) return done(new ApiError('batch_too_large', tooLarge.message), undefined);
    // nested too deep or too wide to be a detection: not parsed. An item of a batch so made costs
    // only itself (parsed as null, refused by name: bodyItems); one detection so made is refused
    if (hz.found.size > 0 && !hz.batch) return done(new ApiError('bad_request', `the body is not parsed: ${hz.found.get(0)!.message}`), undefined);
    if (hz.found.size > 0) {
      hazardItems.set(req, new Map([...hz.found].map(([k, h]) => [k, h.message])));
      text = withoutHazards(text, hz.found);
    }
    parseJson(req, text, (err, value) => {
      // a JSON string is not a batch (an NDJSON body arrives as the raw text: bodyItems)
      if (!err && typeof value === 'string') return done(new ApiError('bad_request', 'the body must be a JSON array of detections, one detection object, or NDJSON; it is a JSON string'), undefined);
      parsed(err, value);
    });
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    // refused before its body was read (a 401 of the sensors' routes): the connection is closed,
    // else Node reads and drops the rest of the body, a call per chunk, to keep it open
    if (!req.raw.complete) reply.header('connection', 'close');
    if (err instanceof ApiError) return reply.status(err.status).send(errorBody(err.code, err.message, err.details));
    if (typeof err.code === 'string' && /^Z_(DATA|BUF|STREAM)_ERROR$|^ERR_BROTLI|^ERR__ERROR_FORMAT/.test(err.code)) return reply.status(400).send(errorBody('bad_request', `the body is not valid ${String(req.headers['content-encoding'] ?? '').trim().toLowerCase()} data: ${err.message}`));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = req.routeOptions.bodyLimit ?? c.http.body_limit_bytes;
      return reply.status(413).send(errorBody('payload_too_large', `the body is larger than ${limit} bytes${limit < c.http.body_limit_bytes ? ` (the limit of ${req.routeOptions.url ?? 'this route'}; only the batches, POST /api/v1/detections and /api/v1/sensors/status, take up to http.body_limit_bytes)` : ''}`));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send(errorBody('unsupported_media_type', `content type ${JSON.stringify(req.headers['content-type'] ?? '')} is not supported: use application/json or application/x-ndjson`));
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.status(400).send(errorBody('invalid_json', 'the body is empty: send a JSON value (the Content-Type says application/json)'));
    if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return reply.status(400).send(errorBody('invalid_json', `the body is not valid JSON: ${err.message}`));
    }
    if (err.validation) return reply.status(400).send(errorBody('bad_request', err.message));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.status(err.statusCode).send(errorBody('bad_request', err.message));
    svc.log.error({ err, url: req.url }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'internal error (logged)'));
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/')) return reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
    return reply.status(404).type('text/plain').send('not found');
  });

  // --- browser hardening on every answer: no MIME sniffing, no framing (clickjacking), no
  // referrer leaks, and a content security policy for pages: scripts, styles, workers and
  // connections from this server only (the map's workers are blob: URLs it makes itself)
  app.addHook('onSend', async (req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    const capped = cappedLimits.get(req);
    if (capped !== undefined) reply.header('skywarden-limit', capped);
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; child-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
      );
    }
    return payload;
  });

  // --- chunked bodies: each chunk costs the HTTP parser a call into JavaScript, and a body of
  // 1-byte chunks (1.3 million in 8 MB) held the event loop for seconds per request, even on
  // routes that check who is asking only after reading the body (an outside probe, 2026-12-06:
  // six anonymous ones on the login route took health to 1.5 s). Only the ingest, whose
  // credentials are checked before its body is read, takes them; elsewhere 411, and the
  // connection is closed so that the rest of the body is not parsed
  app.addHook('onRequest', async (req, reply) => {
    // a request that waits for 100 Continue gets it once the route may read its body: at once
    // here, or for a sensors' route once its credentials are checked (credentialsFirst)
    if (expectsContinue.has(req.raw) && !(req.method === 'POST' && SENSOR_ROUTES.has(req.routeOptions.url ?? '')) && !/chunked/i.test(String(req.headers['transfer-encoding'] ?? ''))) reply.raw.writeContinue();
    const te = req.headers['transfer-encoding'];
    if (te === undefined) return;
    // a transfer coding other than chunked (`gzip, chunked`): Node takes the chunks off and would
    // hand the rest on as if it were the body (an outside probe, 2026-12-07: gzip bytes read as
    // plain text). Not understood, so 501 (RFC 9112 section 6.1) and the connection closed; a
    // compressed body goes with Content-Encoding
    const other = String(te)
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter((x) => x !== '' && x !== 'chunked');
    if (other.length > 0) {
      reply.header('connection', 'close');
      throw new ApiError('not_implemented', `transfer coding ${JSON.stringify(other.join(', '))} is not supported: send the body chunked or with a Content-Length, compressed with Content-Encoding (gzip, deflate or br) if you like`);
    }
    if (req.method === 'POST' && SENSOR_ROUTES.has(req.routeOptions.url ?? '')) return;
    reply.header('connection', 'close');
    throw new ApiError('length_required', 'send the body with a Content-Length: chunked bodies are taken only by the sensors\' routes (POST /api/v1/detections and the heartbeats)');
  });

  // --- a body in a great many tiny pieces (1-byte chunks of a chunked body): each piece costs a
  // parser call, an event and a buffer kept until the body is whole (an outside probe, 2026-12-07:
  // 8 MB so sent took 25 s of the event loop and 3.5 GB). Once a body has come in
  // BODY_PIECES_CHECKED pieces averaging under BODY_PIECE_MIN_MEAN bytes it is refused (400, the
  // connection closed); a real sender's pieces are its chunks or its link's segments, hundreds of
  // bytes at the least
  app.addHook('preParsing', async (req, reply, payload) => {
    if (req.method === 'GET' || req.method === 'HEAD') return payload;
    let pieces = 0;
    let bytes = 0;
    const counted = new PassThroughCounter((chunk) => {
      pieces++;
      bytes += chunk.length;
      if (pieces >= BODY_PIECES_CHECKED && bytes < BODY_PIECE_MIN_MEAN * pieces) {
        return new ApiError('bad_request', `the body arrives in pieces too small: ${pieces} pieces of ${(bytes / pieces).toFixed(1)} bytes on average so far (at least ${BODY_PIECE_MIN_MEAN} asked after ${BODY_PIECES_CHECKED}); send it in larger chunks`);
      }
      return null;
    });
    pipeline(payload, counted, () => {});
    reply.raw.once('close', () => {
      if (!counted.readableEnded) counted.destroy();
    });
    return counted;
  });

  // --- compressed bodies (a sensor on a metered link may gzip its NDJSON): gzip, deflate and
  // br are decompressed as they arrive, and `http.body_limit_bytes` counts the decompressed
  // bytes, so a small bomb is cut off at the limit (413); another coding is refused (415, before
  // the body is read). Before 2026-12-06 the coding was ignored and a gzip body was refused as
  // bytes that are not UTF-8 (an outside probe)
  app.addHook('preParsing', async (req, reply, payload) => {
    const coding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (coding === '' || coding === 'identity') return payload;
    // no body (a GET or HEAD, a Content-Length of 0, or neither a length nor chunks): nothing to
    // decode, whatever the header says (a gzip decoder fed nothing fails "unexpected end of file")
    const length = req.headers['content-length'];
    if (req.method === 'GET' || req.method === 'HEAD' || (req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0))) return payload;
    const make = DECODERS.get(coding);
    if (!make) throw new ApiError('unsupported_media_type', `content encoding ${JSON.stringify(coding)} is not supported: send the body as it is, or with gzip, deflate or br`);
    const decoded = make() as Transform & { receivedEncodedLength: number };
    // Fastify matches Content-Length against the bytes received, not the decoded ones
    decoded.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => (decoded.receivedEncodedLength += chunk.length));
    // the two joined with their errors handled (an error on either side destroys both): a
    // decoder's error while no body reader listened (a body refused for its content type, or
    // after the 413) was an unhandled 'error' event that ended the process (a review, 2026-12-06)
    pipeline(payload, decoded, () => {});
    // once the answer is out (a 413 at the limit, a 415 for the content type), stop decoding: a
    // small bomb went on inflating after its 413 until its input ended (4 s of CPU for 6.5 KB)
    reply.raw.once('close', () => {
      if (!decoded.readableEnded) decoded.destroy();
    });
    return decoded;
  });

  // --- authentication
  // while the start-up replay rebuilds the picture, nothing may change it (an operator's mark or
  // alert would be made on a picture that is not yet the live one, and not published): 503
  app.addHook('onRequest', async (req, reply) => {
    if (!svc.starting || req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    if (req.url === '/api/v1/login' || req.url === '/api/v1/logout') return;
    reply.header('retry-after', '5');
    const p = svc.startProgress;
    throw new ApiError('unavailable', `the service is starting (replaying its journal: ${p.replayed} of about ${p.of} entries); nothing was changed: retry`);
  });
  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization;
    let token: string | null = null;
    if (h?.startsWith('Bearer ')) token = h.slice(7).trim();
    else token = parseCookie(req.headers.cookie, 'sw_session');
    if (!token && req.url.startsWith('/api/v1/stream')) {
      const q = req.url.indexOf('token=');
      if (q >= 0) token = decodeOrRefuse(req.url.slice(q + 6).split('&')[0], 'the token query parameter');
    }
    req.session = token ? svc.sessions.get(token) : null;
  });
  const need = (role: Role) => async (req: FastifyRequest) => {
    if (!req.session) {
      if (role === 'viewer' && c.auth.open_viewing) return;
      throw new ApiError('unauthenticated', 'log in first (POST /api/v1/login), then send Authorization: Bearer <token>');
    }
    if (!roleAtLeast(req.session.role, role)) throw new ApiError('forbidden', `this needs the ${role} role; you are ${req.session.role}`);
  };
  const viewer = { preHandler: need('viewer') };
  const operator = { preHandler: need('operator') };
  const admin = { preHandler: need('admin') };
  // history reads (tens of thousands of rows each) run at most http.max_concurrent_reads at
  // once, a few more wait, the rest are refused: 60 at once had held 1.3 GB and the event loop 22 s.
  // A slot is given back when the response closes or its connection does: Node emits no close on
  // a response queued behind another of its connection (HTTP pipelining) when the connection
  // dies, and three reads pipelined on a dropped connection had kept every slot for good (an
  // outside probe, 2026-12-06)
  let readsInFlight = 0;
  const readWaiters: (() => void)[] = [];
  const releaseRead = () => {
    const next = readWaiters.shift();
    if (next) next();
    else readsInFlight--;
  };
  const readSlot = async (_req: FastifyRequest, reply: FastifyReply) => {
    const max = c.http.max_concurrent_reads;
    if (readsInFlight < max) readsInFlight++;
    else {
      if (readWaiters.length >= 4 * max) {
        reply.header('retry-after', '1');
        throw new ApiError('rate_limited', `more than ${5 * max} history reads at once: try again in a second`);
      }
      // the slot passes straight from the request that ends to this one
      await new Promise<void>((resolve, reject) => {
        const take = () => {
          cancel();
          resolve();
        };
        const cancel = onResponseGone(reply.raw, () => {
          const i = readWaiters.indexOf(take);
          if (i >= 0) readWaiters.splice(i, 1);
          reject(new ApiError('bad_request', 'the client went away while its read waited'));
        });
        readWaiters.push(take);
      });
    }
    onResponseGone(reply.raw, releaseRead);
  };
  const historyRead = { preHandler: [need('viewer'), readSlot] };
  // the feeds: no login with alerts.public_feed (their operations then say security: [])
  const feedAccess = c.alerts.public_feed ? {} : viewer;
  const feedSecurity = c.alerts.public_feed ? { security: [] } : {};
  /** Error statuses of routes that need a session (401), a role above viewer (403), of writes (body too large, wrong type, starting). */
  const VIEW = [401];
  const ROLE = [401, 403];
  const WRITE = [413, 415, 503];
  const who = (req: FastifyRequest) => req.session?.user ?? 'anonymous';
  /** The session cookie is Secure when the request came over TLS (directly, or per a trusted proxy) or the public URL is https. */
  const secureCookie = (req: FastifyRequest) => (req.protocol === 'https' || c.http.public_url?.startsWith('https:') ? '; Secure' : '');
  /** May see the picture's counts (health details, metrics): a session, open viewing. */
  const seesCounts = (req: FastifyRequest) => req.session !== null || c.auth.open_viewing;
  /** The config gives this sensor or gateway id its credential (the API may not change or remove it). */
  const configuredCredential = (id: string) => c.credentials.some((x) => x.sensor === id || x.gateway === id);
  const audit = (req: FastifyRequest, action: string, target: string, detail: Record<string, unknown>) =>
    svc.store.appendAudit({ t: svc.clock(), user: who(req), action, target, detail });

  app.get('/api/v1/health', {
    schema: {
      operationId: 'getHealth',
      tags: ['service'],
      summary: 'Liveness and basic state (no login needed); 503 while the start-up replay runs',
      description: 'Anonymous callers learn that it is up; with a session (or open viewing) also the store, the track count and the journal sequence.',
      security: [],
      response: responses({ 200: { description: 'Up', ...bodiesOut.health }, 503: { description: 'Starting: the start-up replay runs (Retry-After)', ...bodiesOut.healthStarting } }),
    },
  }, async (_req, reply) => {
    if (svc.starting) {
      const p = svc.startProgress;
      const progress = seesCounts(_req) ? { replayed: p.replayed, of: p.of } : {};
      return reply.status(503).header('retry-after', '2').send({ ok: false, starting: true, version: API_VERSION, mode: svc.mode, ...progress });
    }
    // anonymous callers learn that it is up; the counts are for those who may see the picture
    if (!seesCounts(_req)) return { ok: true, version: API_VERSION, mode: svc.mode, time: svc.clock() };
    const f = svc.fusion;
    return { ok: true, version: API_VERSION, mode: svc.mode, time: svc.clock(), store: svc.store.kind, tracks: f ? f.snapshot().tracks.length : 0, journal_seq: await svc.store.lastSeq(), ingest: await svc.ingestStats() };
  });

  const throttleAudited = new Map<string, number>();
  // the key in the data folder: a browser an operator logged in from stays trusted after a restart
  const devices = createDeviceCookies(loadDeviceKey(c.data_dir, (m) => svc.log.warn({ file: DEVICE_KEY_NAME }, m)));
  const loginThrottle = createLoginThrottle({ maxPerUser: c.auth.login_max_failures, maxPerAddress: 4 * c.auth.login_max_failures, windowS: c.auth.login_window_s });
  app.post(
    '/api/v1/login',
    {
      schema: {
        operationId: 'login',
        tags: ['auth'],
        summary: 'Log in; returns a bearer token and sets the sw_session cookie',
        description: 'Failed logins are counted per name and per address: past auth.login_max_failures in auth.login_window_s, 429 with Retry-After. A browser that logged in as the user before (its sw_device cookie) is counted by its own failures instead of the name\'s, so others cannot lock the user out of it.',
        security: [],
        body: bodies.login,
        response: responses({ 200: { description: 'Logged in (Set-Cookie: sw_session)', ...bodiesOut.login } }, [401, 413, 415, 429]),
      },
    },
    async (req, reply) => {
      const { user, password } = req.body as { user: string; password: string };
      const nowS = Date.now() / 1000; // real time: a demo clock must not speed up the lock-out
      // a browser that logged in as this user before (its device cookie) is not held back by the
      // failures others caused for the name: its own failures count apart (device-cookie.ts)
      let deviceNonce: string | null = null;
      try {
        deviceNonce = devices.check(parseCookie(req.headers.cookie, DEVICE_COOKIE) ?? undefined, user);
      } catch {
        deviceNonce = null; // a malformed device cookie is no device cookie
      }
      const who = deviceNonce !== null ? `\0device\0${deviceNonce}` : user;
      const wait = loginThrottle.retryAfter(who, req.ip, nowS);
      if (wait > 0) {
        // audited once a minute per name, not per refused request (the audit is not a flood target)
        if (!(nowS - (throttleAudited.get(user) ?? -Infinity) < 60)) {
          throttleAudited.set(user, nowS);
          if (throttleAudited.size > 10_000) throttleAudited.delete(throttleAudited.keys().next().value as string);
          await svc.store.appendAudit({ t: svc.clock(), user, action: 'login-throttled', target: user, detail: { ip: req.ip, retry_after_s: wait } });
        }
        reply.header('retry-after', String(wait));
        throw new ApiError('rate_limited', `too many failed logins for this user or from this address: try again in ${wait} s`);
      }
      // counted before the (slow) password check, taken back on success: parallel guesses all count
      loginThrottle.failed(who, req.ip, nowS);
      const u = await svc.store.getUser(user);
      // verify against a dummy hash when the user is unknown, so both cases take the same time
      const ok = u ? await verifySecret(password, u.passwordHash) : (await verifySecret(password, NO_MATCH_HASH), false);
      if (!u || !ok) {
        await svc.store.appendAudit({ t: svc.clock(), user, action: 'login-failed', target: user, detail: { ip: req.ip } });
        throw new ApiError('bad_credentials', 'unknown user or wrong password');
      }
      // a trusted device's success clears its own failures, not the name's (the guessing goes on counting)
      loginThrottle.succeeded(who, req.ip, nowS);
      const s = svc.sessions.create(u.name, u.role);
      await svc.store.appendAudit({ t: svc.clock(), user: u.name, action: 'login', target: u.name, detail: { ip: req.ip, trusted_device: deviceNonce !== null } });
      reply.header('set-cookie', [
        `sw_session=${encodeURIComponent(s.token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${c.auth.session_ttl_s}${secureCookie(req)}`,
        // the device cookie for this user (a year; only the login reads it)
        `${DEVICE_COOKIE}=${devices.issue(u.name)}; HttpOnly; SameSite=Strict; Path=/api/v1/login; Max-Age=${365 * 86400}${secureCookie(req)}`,
      ]);
      return { token: s.token, user: u.name, role: u.role, expires: s.expires };
    },
  );
  app.post('/api/v1/logout', { schema: { operationId: 'logout', tags: ['auth'], summary: 'Ends the session (if any) and clears the cookie', security: [{ bearer: [] }, { session: [] }, {}], response: responses({ 200: { description: 'Logged out', ...ref('Ok') } }, [413, 415]) } }, async (req, reply) => {
    if (req.session) svc.sessions.end(req.session.token);
    reply.header('set-cookie', `sw_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secureCookie(req)}`);
    return { ok: true };
  });
  app.get('/api/v1/me', { ...viewer, schema: { operationId: 'getMe', tags: ['auth'], summary: 'Who is logged in (user null: nobody, under open viewing)', response: responses({ 200: { description: 'The session', ...bodiesOut.me } }, VIEW) } }, async (req) => ({
    user: req.session?.user ?? null,
    // without a session only under open viewing (the preHandler refuses otherwise): a viewer
    role: req.session?.role ?? 'viewer',
    mode: svc.mode,
  }));

  // --- ingest (sensor credentials: HTTP Basic, sensor or gateway id and its token)
  // failed sensor credential checks per address (each costs scrypt time: a flood of wrong tokens
  // slowed logins and the web page for everyone); verified credentials are not throttled
  const sensorThrottle = createLoginThrottle({ maxPerUser: c.auth.sensor_max_failures, maxPerAddress: c.auth.sensor_max_failures, windowS: c.auth.login_window_s });
  const sensorPrincipal = async (req: FastifyRequest, reply?: FastifyReply) => {
    const h = req.headers.authorization;
    if (!h?.startsWith('Basic ')) throw new ApiError('unauthenticated', 'send the sensor (or gateway) id and token as HTTP Basic credentials');
    const dec = Buffer.from(h.slice(6), 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i <= 0) throw new ApiError('bad_credentials', 'unknown sensor or wrong token');
    const id = dec.slice(0, i);
    const token = dec.slice(i + 1);
    const known = svc.credentials.cached(id, token);
    if (known) return known;
    const nowS = Date.now() / 1000;
    const wait = sensorThrottle.retryAfter(req.ip, req.ip, nowS);
    if (wait > 0) {
      reply?.header('retry-after', String(wait));
      throw new ApiError('rate_limited', `too many failed sensor credentials from this address: try again in ${wait} s`);
    }
    sensorThrottle.failed(req.ip, req.ip, nowS);
    const principal = await svc.credentials.check(id, token);
    if (!principal) throw new ApiError('bad_credentials', 'unknown sensor or wrong token');
    sensorThrottle.succeeded(req.ip, req.ip, nowS);
    return principal;
  };
  /** The principal of a sensors' route's request, found before its body was read. */
  const ingestPrincipals = new WeakMap<FastifyRequest, Awaited<ReturnType<typeof sensorPrincipal>>>();
  /** Checks a sensors' route's credentials before its body is read (the ingest, the heartbeats: SENSOR_ROUTES). */
  const credentialsFirst = async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = await sensorPrincipal(req, reply);
    ingestPrincipals.set(req, principal);
    // a credential whose refused detections ran its rate limit into debt: its body is not read
    if (req.routeOptions.url === '/api/v1/detections') {
      const wait = svc.ingest.owes(principal.id);
      if (wait > 0) {
        reply.header('retry-after', String(Math.ceil(wait)));
        throw new ApiError('rate_limited', svc.ingest.owesMessage(principal.id));
      }
    }
    if (expectsContinue.has(req.raw)) reply.raw.writeContinue();
  };
  /** The principal {@link credentialsFirst} found, or checked now. */
  const principalOf = async (req: FastifyRequest) => ingestPrincipals.get(req) ?? (await sensorPrincipal(req));
  /** Marks sensor `id` heard at `now` for `principal`; or why not (not the credential's sensor, not registered). */
  const heartbeat = (principal: Awaited<ReturnType<typeof sensorPrincipal>>, id: string, now: number): { code: 'sensor_mismatch' | 'not_found'; message: string } | null => {
    if (!mayPublish(principal, id)) return { code: 'sensor_mismatch', message: `may not report for sensor ${JSON.stringify(id)}` };
    if (!svc.registry.def(id)) return { code: 'not_found', message: `sensor ${JSON.stringify(id)} is not registered` };
    svc.registry.heard(id, now);
    return null;
  };
  app.post('/api/v1/detections', {
    schema: {
      operationId: 'ingestDetections',
      tags: ['ingest'],
      summary: 'Ingest detections (JSON array, one object, or NDJSON); 202 once journalled',
      description: 'The good detections are journalled and acknowledged (202) even when others in the batch are bad; each bad one is named in `rejected` by its index. 422 when none was accepted. Refused detections count against the credential\'s rate limit as accepted ones do: past it, 429 with Retry-After, the body not read.',
      security: [{ sensorBasic: [] }],
      body: bodies.detections,
      response: responses(
        { 202: { description: 'Journalled (some may be rejected, each named)', ...ref('IngestResult') }, 422: { description: 'Nothing accepted: every detection was rejected (each named)', ...ref('IngestResult') } },
        [401, 413, 415, 429, 503],
      ),
    },
    // the body's schema describes it; the ingest checks it (a JSON array, one object or NDJSON),
    // and each item, naming every bad one by its index (Ajv would turn a bare value into a batch)
    validatorCompiler: () => () => true,
    // the credentials are checked before the body is read: an anonymous client cannot make the
    // service hold megabytes of body per connection (300 stalled 8 MB bodies took 2.5 GB)
    onRequest: credentialsFirst,
  }, async (req, reply) => {
    const principal = await principalOf(req);
    const { items, lineErrors, lineOf } = bodyItems(req, svc.ingest.maxBatch);
    if (items.length > svc.ingest.maxBatch) throw new ApiError('batch_too_large', `${items.length} detections in one request; at most ${svc.ingest.maxBatch}`);
    let result;
    try {
      result = await svc.ingest.ingest(principal, items, 'http');
    } catch (err) {
      svc.log.error({ err }, 'journal write failed');
      throw new ApiError('unavailable', 'the journal could not store the detections; nothing of this request was accepted: retry');
    }
    // JSON lines that did not parse are reported as such (the ingest saw `undefined` there), and
    // NDJSON's indexes are its line indexes (the ingest counts items: blank lines are none)
    const badLines = new Map(lineErrors.map((l) => [l.index, l]));
    // (and their messages name the line, 1-based as the parser's do, not the item: blank lines made them differ)
    const atLine = <T extends { index: number; message?: string }>(x: T): T => {
      if (!lineOf) return x;
      const line = lineOf[x.index] ?? x.index;
      return { ...x, index: line, ...(typeof x.message === 'string' ? { message: x.message.replace(/^detection \d+: /, `line ${line + 1}: `) } : {}) };
    };
    const rejected = result.rejected.map((r) => atLine(badLines.get(r.index) ?? r));
    const notFused = result.notFused.map(atLine);
    const status = result.accepted + result.duplicates > 0 || items.length === 0 ? 202 : 422;
    return reply.status(status).send({ accepted: result.accepted, duplicates: result.duplicates, rejected, ...(notFused.length > 0 ? { not_fused: notFused } : {}) });
  });
  // the heartbeats' credentials, too, are checked before their body is read (they take chunked bodies)
  app.post('/api/v1/sensors/:id/status', { onRequest: credentialsFirst, schema: { operationId: 'sensorHeartbeat', tags: ['ingest'], summary: 'A sensor heartbeat (HTTP Basic credentials of the sensor or its gateway)', security: [{ sensorBasic: [] }], params: IdParam, response: responses({ 200: { description: 'Heard', ...ref('Ok') } }, [401, 403, 404, ...WRITE]) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const refusal = heartbeat(await principalOf(req), id, svc.clock());
    if (refusal) throw new ApiError(refusal.code, refusal.message);
    return { ok: true };
  });

  // a gateway's (field concentrator's) heartbeat for many of its nodes in one request: one
  // credential check instead of one per node; each id it may not report for, or that is not
  // registered, is named in `refused` and the others are marked heard
  app.post('/api/v1/sensors/status', {
    onRequest: credentialsFirst,
    schema: {
      operationId: 'sensorHeartbeats',
      tags: ['ingest'],
      summary: 'Heartbeats of many sensors (HTTP Basic credentials of their gateway, or of the one sensor)',
      description: 'Each listed sensor the credential may report for and that is registered is marked heard; the others are named in `refused` by their index (the first 1,000 of them; `refused_total` then counts them all). 422 when none was marked.',
      security: [{ sensorBasic: [] }],
      body: bodies.heartbeats,
      response: responses({ 200: { description: 'Marked (some may be refused, each named)', ...bodiesOut.heartbeats }, 422: { description: 'None marked: every id was refused (each named)', ...bodiesOut.heartbeats } }, [400, 401, ...WRITE]),
    },
  }, async (req, reply) => {
    const principal = await principalOf(req);
    const ids = (req.body as { sensors: string[] }).sensors;
    const now = svc.clock();
    let heard = 0;
    let refusedTotal = 0;
    const refused: { index: number; sensor: string; code: string; message: string }[] = [];
    for (let index = 0; index < ids.length; index++) {
      // a long list gives the other requests their turn between slices (100,000 unknown ids in
      // one request had held the event loop for 1.2 s, eight at once for 7 s)
      if (index > 0 && index % HEARTBEAT_SLICE === 0) await new Promise((r) => setImmediate(r));
      const refusal = heartbeat(principal, ids[index], now);
      if (!refusal) heard++;
      else if (refusedTotal++ < HEARTBEAT_REFUSALS_LISTED) refused.push({ index, sensor: ids[index], ...refusal });
    }
    return reply.status(heard > 0 ? 200 : 422).send({ heard, refused, ...(refusedTotal > refused.length ? { refused_total: refusedTotal } : {}) });
  });

  // --- the picture
  app.get('/api/v1/tracks', { ...viewer, schema: { operationId: 'getTracks', tags: ['picture'], summary: 'Confirmed and coasting tracks now', response: responses({ 200: { description: 'The last report', ...ref('TrackSnapshot') } }, VIEW) } }, async () => svc.fusion?.snapshot() ?? { t: svc.clock(), tracks: [] });
  app.get('/api/v1/tracks/:id', { ...viewer, schema: { operationId: 'getTrack', tags: ['picture'], summary: 'A track now (null when no longer live) and its last 10 minutes (from the store when it has ended)', params: IdParam, response: responses({ 200: { description: 'The track', ...bodiesOut.track } }, [401, 404]) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const f = svc.fusion;
    const track = f?.track(id) ?? null;
    let history: { t: number; lat: number; lon: number; alt_m?: number }[] = f?.history(id) ?? [];
    if (!track && history.length === 0) {
      // a track that ended: its last 10 minutes from the store (the live picture keeps only live
      // tracks' history; an ended track had answered an empty history beside stored rows)
      const now = svc.clock();
      const recent = await svc.store.trackHistory(id, { from: now - 600, to: now, limit: 600 });
      history = recent.flatMap((r) => {
        const { lat, lon, alt_m: alt } = r.row as { lat?: unknown; lon?: unknown; alt_m?: unknown };
        if (typeof lat !== 'number' || typeof lon !== 'number') return [];
        return [typeof alt === 'number' ? { t: r.t, lat, lon, alt_m: alt } : { t: r.t, lat, lon }];
      });
      if (history.length === 0 && (await svc.store.trackHistory(id, { from: 0, to: 1e15, limit: 1 })).length === 0) throw new ApiError('not_found', `no track ${JSON.stringify(id)}`);
    }
    return { track, history };
  });
  app.get('/api/v1/tracks/:id/history', { ...historyRead, schema: { operationId: 'getTrackHistory', tags: ['history'], summary: 'Stored states of a track in a window (from, to, limit)', params: IdParam, querystring: queries.trackHistory, response: responses({ 200: { description: 'The stored rows, oldest first', ...bodiesOut.trackHistory } }, VIEW) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const q = req.query as Record<string, string>;
    const now = svc.clock();
    const rows = await svc.store.trackHistory(id, { from: num(q.from, 'from', now - 3600), to: num(q.to, 'to', now), limit: limitParam(req, q.limit, 10000, 100000) });
    return { track: id, rows: rows.map((r) => r.row) };
  });
  app.post('/api/v1/tracks/:id/actions', {
    ...operator,
    schema: {
      operationId: 'trackAction',
      tags: ['picture'],
      summary: 'Operator decision on a track: confirm, dismiss, or classify (audited)',
      params: IdParam,
      body: bodies.trackAction,
      response: responses({ 200: { description: 'The track with the decision', ...bodiesOut.trackAction } }, [...ROLE, 404, ...WRITE]),
    },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    const b = req.body as { action: 'confirm' | 'dismiss' | 'classify'; label?: string };
    if (b.action === 'classify' && !b.label) throw new ApiError('bad_request', `classify needs a label: one of ${CLASS_LABELS.join(', ')}`);
    const f = svc.fusion;
    const mark = { by: who(req), t: svc.clock(), ...(b.action === 'confirm' ? { confirmed: true } : b.action === 'dismiss' ? { dismissed: true } : { label: b.label }) };
    const m = f?.mark(id, mark, svc.clock()) ?? null;
    if (!m) throw new ApiError('not_found', `no live track ${JSON.stringify(id)}`);
    await audit(req, `track-${b.action}`, id, b.label ? { label: b.label } : {});
    return { track: f?.track(id) ?? null, operator: m };
  });
  // the threat queue's work (issue 17): acknowledge a threat, assign it to someone; neither
  // changes the warnings, both are carried on the track's rows (acked_by, assigned_to, ...)
  app.post('/api/v1/tracks/:id/ack', {
    ...operator,
    schema: {
      operationId: 'trackAck',
      tags: ['picture'],
      summary: 'Acknowledge a track in the threat queue (audited); no body needed',
      params: IdParam,
      response: responses({ 200: { description: 'The track with its work state', ...bodiesOut.trackWork } }, [...ROLE, 404, ...WRITE]),
    },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    const f = svc.fusion;
    const m = f?.mark(id, { ackedBy: who(req), ackedAt: svc.clock() }, svc.clock()) ?? null;
    if (!m) throw new ApiError('not_found', `no live track ${JSON.stringify(id)}`);
    await audit(req, 'track-ack', id, {});
    return { track: f?.track(id) ?? null };
  });
  app.post('/api/v1/tracks/:id/assign', {
    ...operator,
    schema: {
      operationId: 'trackAssign',
      tags: ['picture'],
      summary: 'Assign a track of the threat queue to a user or team (audited)',
      params: IdParam,
      body: bodies.trackAssign,
      response: responses({ 200: { description: 'The track with its work state', ...bodiesOut.trackWork } }, [...ROLE, 404, ...WRITE]),
    },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    const to = (req.body as { to: string }).to.trim();
    // shown to operators as written: no bidirectional or invisible characters either
    const badTo = checkText('body field to', to);
    if (badTo) throw new ApiError('bad_request', badTo);
    const f = svc.fusion;
    const m = f?.mark(id, { assignedTo: to, assignedBy: who(req), assignedAt: svc.clock() }, svc.clock()) ?? null;
    if (!m) throw new ApiError('not_found', `no live track ${JSON.stringify(id)}`);
    await audit(req, 'track-assign', id, { to });
    return { track: f?.track(id) ?? null };
  });

  app.get('/api/v1/sensors', { ...viewer, schema: { operationId: 'getSensors', tags: ['sensors'], summary: 'Registered sensors and their health', response: responses({ 200: { description: 'Every sensor', ...bodiesOut.sensors } }, VIEW) } }, async () => ({ t: svc.clock(), sensors: svc.sensorsNow() }));
  app.put('/api/v1/sensors/:id', {
    ...admin,
    schema: {
      operationId: 'putSensor',
      tags: ['sensors'],
      summary: 'Register or replace a sensor (sensors.json fields, plus an optional token; audited)',
      params: IdParam,
      body: bodies.sensorPut,
      response: responses({ 200: { description: 'The sensor as registered', ...bodiesOut.sensor } }, [...ROLE, ...WRITE]),
    },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    const { token, ...def } = req.body as Record<string, unknown> & { token?: string };
    if (token !== undefined && configuredCredential(id)) {
      throw new ApiError('bad_request', `the config gives ${JSON.stringify(id)} its credential (credentials): change the token there, not through the API`);
    }
    const row = { ...def, id };
    const errs = svc.registry.register([row]);
    if (errs.length > 0) throw new ApiError('bad_request', errs.join('; '));
    const old = await svc.store.getSensor(id);
    const credentialHash = token ? await hashSecret(token) : (old?.credentialHash ?? null);
    await svc.store.upsertSensor({ id, def: row, credentialHash, updatedAt: svc.clock() });
    if (credentialHash) svc.credentials.add({ id, gateway: false, sensors: [id], tokenHash: credentialHash });
    // a sensor of the config replaced through the API: said in the answer, the log and the audit
    // (it is kept across restarts, where the config's row would otherwise be taken)
    const overrides = svc.configSensors.has(id);
    await audit(req, 'sensor-register', id, { kind: def.kind, ...(overrides ? { overrides_config: true } : {}) });
    if (!overrides) return { sensor: svc.registry.wire(id, svc.clock()) };
    const warning = `sensor ${JSON.stringify(id)} of the config (sensors.file or sensors.list) is replaced by this registration, also after a restart, until DELETE /api/v1/sensors/${encodeURIComponent(id)} brings back the config's`;
    svc.log.warn({ sensor: id.slice(0, 60), by: who(req) }, warning);
    return { sensor: svc.registry.wire(id, svc.clock()), warnings: [warning] };
  });
  app.delete('/api/v1/sensors/:id', { ...admin, schema: { operationId: 'deleteSensor', tags: ['sensors'], summary: 'Remove a sensor registered through the API (audited)', params: IdParam, response: responses({ 200: { description: 'Removed', ...ref('Ok') } }, [...ROLE, 404, ...WRITE]) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const gone = await svc.store.deleteSensor(id);
    if (!gone) throw new ApiError('not_found', `sensor ${JSON.stringify(id)} was not registered through the API`);
    svc.registry.remove(id);
    // a sensor of the config that the API had replaced is the config's again
    const fromConfig = svc.configSensors.get(id);
    if (fromConfig) svc.registry.register([fromConfig]);
    // its token stops working now (HTTP, and live MQTT sessions end), unless the config gives it one
    if (!configuredCredential(id)) svc.credentials.remove(id);
    await audit(req, 'sensor-remove', id, {});
    return { ok: true };
  });

  app.get('/api/v1/detections', { ...historyRead, schema: { operationId: 'getDetections', tags: ['history'], summary: 'Journalled detections in a window (from, to, sensor, limit <= 50000)', querystring: queries.detections, response: responses({ 200: { description: 'The detections, oldest first', ...bodiesOut.detections } }, VIEW) } }, async (req, reply) => {
    const q = req.query as Record<string, string>;
    const now = svc.clock();
    const from = num(q.from, 'from', now - 60);
    const to = num(q.to, 'to', now);
    if (to < from) throw new ApiError('bad_request', `to (${to}) is before from (${from})`);
    const limit = limitParam(req, q.limit, 10000, 50000);
    // written a time slice at a time (the service goes on between slices), each row by the route's own serializer
    const rowJson = reply.compileSerializationSchema(bodiesOut.detections.properties.detections.items as unknown as Record<string, unknown>) as (r: unknown) => string;
    reply.type('application/json; charset=utf-8');
    return reply.send(Readable.from(detectionsText(svc, from, to, limit, q.sensor || undefined, rowJson)));
  });
  app.get('/api/v1/history/range', { ...viewer, schema: { operationId: 'getHistoryRange', tags: ['history'], summary: 'The time span the journal holds', response: responses({ 200: { description: 'The span', ...bodiesOut.historyRange } }, VIEW) } }, async () => {
    const first = await svc.store.detectionsInWindow({ from: 0, to: 1e15, limit: 1 });
    return { from: first[0]?.t ?? null, to: svc.clock() };
  });
  app.get('/api/v1/history/tracks', { ...historyRead, schema: { operationId: 'getHistoryTracks', tags: ['history'], summary: 'Stored track states of a window as frames (from, to, every; at most 6 hours)', querystring: queries.historyTracks, response: responses({ 200: { description: 'The frames, oldest first', ...bodiesOut.historyTracks } }, VIEW) } }, async (req, reply) => {
    const q = req.query as Record<string, string>;
    const from = num(q.from, 'from');
    const to = num(q.to, 'to');
    if (!(to >= from) || to - from > 6 * 3600) throw new ApiError('bad_request', 'need from <= to and a window of at most 6 hours');
    const every = Math.max(num(q.every, 'every', c.fusion.report_every_s), c.fusion.report_every_s);
    // written a slice of the window at a time (the service goes on between slices), each frame by the route's own serializer
    const frameJson = reply.compileSerializationSchema(bodiesOut.historyTracks.properties.frames.items as unknown as Record<string, unknown>) as (f: unknown) => string;
    reply.type('application/json; charset=utf-8');
    return reply.send(Readable.from(storedFramesText(svc, from, to, every, frameJson)));
  });
  /** One tracker replay at a time (each runs the tracker over up to MAX_REPLAY_DETECTIONS detections). */
  let replayRunning = false;
  app.post('/api/v1/replay', {
    ...operator,
    schema: {
      operationId: 'replay',
      tags: ['history'],
      summary: 'Re-runs the tracker over the journal of a window; returns tracks.ndjson rows',
      description: 'At most 3 hours and 500,000 detections; one replay at a time (429 with Retry-After while another runs).',
      body: bodies.replay,
      response: responses({ 200: textBody('application/x-ndjson', 'One tracks.ndjson row (JSON object) per line') }, [...ROLE, 429, ...WRITE]),
    },
  }, async (req, reply) => {
    const b = req.body as { from: number; to: number; report_every_s?: number };
    if (!(b.to > b.from) || b.to - b.from > 3 * 3600) throw new ApiError('bad_request', 'need from < to and a window of at most 3 hours');
    if (replayRunning) {
      reply.header('retry-after', '10');
      throw new ApiError('rate_limited', 'another replay is running (one at a time): retry when it is done');
    }
    replayRunning = true;
    // the rows are written as the replay makes them, a slice of the journal at a time (one answer
    // made whole, up to 282 MB, held the service 8.6 s: an outside probe, 2026-12-07); the first
    // batch is taken before the answer starts, so that a window too large is still a 400. The
    // replay counts as running until its answer is written or dropped
    const gen = replayRows(svc, b.from, b.to, b.report_every_s ?? c.fusion.report_every_s);
    let first: IteratorResult<TrackRow[]>;
    try {
      first = await gen.next();
    } catch (err) {
      replayRunning = false;
      if (err instanceof ReplayTooLarge) throw new ApiError('bad_request', err.message);
      throw err;
    }
    // (written, or dropped: a client gone while the first batch was made counts too)
    onResponseGone(reply.raw, () => {
      replayRunning = false;
      void gen.return(undefined);
    });
    const ndjson = (rows: readonly TrackRow[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');
    async function* text(): AsyncGenerator<string> {
      if (!first.done) yield ndjson(first.value);
      for await (const rows of gen) yield ndjson(rows);
    }
    return reply.type('application/x-ndjson').send(Readable.from(text()));
  });

  // --- zones and alerts
  app.get('/api/v1/zones', { ...viewer, schema: { operationId: 'getZones', tags: ['alerts'], summary: 'Warning zones (GeoJSON)', response: responses({ 200: { description: 'The zones', ...ref('ZonesGeoJson') } }, VIEW) } }, async () => svc.zonesGeoJson);
  app.get('/api/v1/alerts/state', { ...viewer, schema: { operationId: 'getAlertState', tags: ['alerts'], summary: 'Every zone and its alert state now (the current-state map)', response: responses({ 200: { description: 'Every zone', ...bodiesOut.zoneStates } }, VIEW) } }, async () => ({ t: svc.clock(), zones: svc.fusion?.zoneStates() ?? [] }));
  app.get('/api/v1/alerts', { ...viewer, schema: { operationId: 'getAlerts', tags: ['alerts'], summary: 'Alert history, newest first (from, to, zone, limit)', querystring: queries.alerts, response: responses({ 200: { description: 'The changes, newest first', ...bodiesOut.alerts } }, VIEW) } }, async (req) => {
    const q = req.query as Record<string, string>;
    const now = svc.clock();
    const rows = await svc.store.alertHistory({ from: num(q.from, 'from', now - 86400), to: num(q.to, 'to', now + 1), zone: q.zone || undefined, limit: limitParam(req, q.limit, 1000, 10000) });
    return { alerts: rows.map((r) => r.row) };
  });
  app.post('/api/v1/zones/:id/alert', {
    ...operator,
    schema: {
      operationId: 'zoneAlert',
      tags: ['alerts'],
      summary: "Raise or end a zone's alert by hand (audited)",
      params: IdParam,
      body: bodies.zoneAlert,
      response: responses({ 200: { description: "The zone's state and the change made (null: none was needed)", ...bodiesOut.zoneAlert } }, [...ROLE, 404, ...WRITE]),
    },
  }, async (req) => {
    const id = (req.params as { id: string }).id;
    const b = req.body as { action: 'raise' | 'end'; reason: string };
    // the reason goes into the CAP message and the alert log as written (tabs and line feeds taken)
    const badReason = checkText('body field reason', b.reason, true);
    if (badReason) throw new ApiError('bad_request', badReason);
    const f = svc.fusion;
    const r = f?.manualAlert(id, b.action, svc.clock(), who(req), b.reason) ?? null;
    if (!r) throw new ApiError('not_found', `no zone ${JSON.stringify(id)}`);
    await audit(req, `alert-${b.action}`, id, { reason: b.reason, changed: r.change !== null });
    return { zone: f?.zoneState(id), change: r.change };
  });
  // --- CAP 1.2 feed: the alert messages, newest first, and each message's XML
  const capRows = async (limit: number) =>
    (await svc.store.alertHistory({ from: 0, to: 1e15, limit: Math.min(limit * 2, 10000) })).filter((r) => typeof r.row.cap_identifier === 'string').slice(0, limit);
  /** The Atom feed (RFC 4287) of the active alerts: each zone under alert now, its episode's latest CAP message. */
  let atomCache: { key: string; until: number; xml: string } | null = null;
  const atomFeed = async (req: FastifyRequest): Promise<string> => {
    const base = c.http.public_url ?? `${req.protocol}://${req.host}`;
    const now = Date.now();
    if (atomCache && atomCache.key === base && now < atomCache.until) return atomCache.xml;
    const active = (svc.fusion?.zoneStates() ?? []).filter((z) => z.state === 'alert');
    // per zone under alert, the newest stored message of its episode (a few rows per zone)
    const entries: { xml: string; href: string }[] = [];
    for (const z of active) {
      const rows = await svc.store.alertHistory({ from: z.since - 1, to: 1e15, zone: z.zone, limit: 50 });
      const r = rows.find((x) => typeof x.row.cap_identifier === 'string' && x.state === 'alert');
      if (r) entries.push({ xml: r.row.cap_xml as string, href: `${base}/api/v1/cap/${encodeURIComponent(r.row.cap_identifier as string)}` });
    }
    const xml = capAtomFeed({
      selfHref: `${base}/api/v1/cap.atom`,
      title: `Skywarden: active drone warnings (${c.alerts.cap_sender})`,
      author: 'Skywarden',
      emptyUpdated: formatCapTime(svc.clock()),
      entries,
    });
    atomCache = { key: base, until: now + 5000, xml };
    return xml;
  };
  const wantsAtom = (req: FastifyRequest) => /application\/atom\+xml/i.test(String(req.headers.accept ?? ''));
  app.get('/api/v1/cap.atom', { ...feedAccess, schema: { operationId: 'getCapAtom', tags: ['cap'], summary: 'Atom feed (RFC 4287) of the active alerts: per zone under alert, its latest CAP message', ...feedSecurity, response: responses({ 200: textBody('application/atom+xml', 'The Atom feed') }, VIEW) } }, async (req, reply) =>
    reply.type('application/atom+xml; charset=utf-8').send(await atomFeed(req)),
  );
  app.get('/api/v1/cap', {
    ...feedAccess,
    schema: {
      operationId: 'getCapFeed',
      tags: ['cap'],
      summary: 'CAP 1.2 feed: the latest alert messages (identifier, type, zone, link), newest first; with Accept: application/atom+xml the Atom feed of active alerts',
      ...feedSecurity,
      querystring: queries.limitOnly(100, 1000),
      response: responses({ 200: { description: 'The latest messages (JSON), or the Atom feed', content: { 'application/json': { schema: bodiesOut.cap }, 'application/atom+xml': { schema: { type: 'string' } } } } }, VIEW),
    },
  }, async (req, reply) => {
    if (wantsAtom(req)) return reply.type('application/atom+xml; charset=utf-8').send(await atomFeed(req));
    const q = req.query as Record<string, string>;
    const rows = await capRows(limitParam(req, q.limit, 100, 1000));
    return {
      sender: c.alerts.cap_sender,
      status: c.alerts.cap_status,
      messages: rows.map((r) => ({ identifier: r.row.cap_identifier, msg_type: r.row.cap_msg_type, zone: r.zone, state: r.state, tier: r.row.tier, t: r.t, href: `/api/v1/cap/${encodeURIComponent(String(r.row.cap_identifier))}` })),
    };
  });
  app.get('/api/v1/cap/:identifier', { ...feedAccess, schema: { operationId: 'getCapMessage', tags: ['cap'], summary: 'One CAP 1.2 message (application/cap+xml)', ...feedSecurity, params: CapIdParam, response: responses({ 200: textBody('application/cap+xml', 'The CAP 1.2 message') }, [401, 404]) } }, async (req, reply) => {
    const id = (req.params as { identifier: string }).identifier;
    const row = (await capRows(10000)).find((r) => r.row.cap_identifier === id);
    if (!row) throw new ApiError('not_found', `no CAP message ${JSON.stringify(id)}`);
    return reply.type('application/cap+xml; charset=utf-8').send(row.row.cap_xml as string);
  });
  app.get('/api/v1/public/alerts/state', { ...feedAccess, schema: { operationId: 'getPublicAlertState', tags: ['public'], summary: 'Every zone as residents see it: tier, since, ETA, names (no login when alerts.public_feed is on)', ...feedSecurity, response: responses({ 200: { description: 'Every zone', ...bodiesOut.publicState } }, VIEW) } }, async () => ({
    t: svc.clock(),
    zones: svc.publicRows(),
  }));
  app.get('/api/v1/public/info', { ...feedAccess, schema: { operationId: 'getPublicInfo', tags: ['public'], summary: "The public page's texts: languages and, per language, the event name and instructions", ...feedSecurity, response: responses({ 200: { description: 'The texts', ...bodiesOut.publicInfo } }, VIEW) } }, async () => ({
    languages: svc.capLanguages,
    texts: Object.fromEntries(
      svc.capLanguages.map((l) => [l, capLanguageTexts(l, c.alerts.instructions) ?? { event: '', shelter: '', clear: '' }]),
    ),
  }));
  app.get('/api/v1/public/stream', { ...feedAccess, schema: { operationId: 'getPublicStream', tags: ['public', 'stream'], summary: 'Server-sent events for the public page: `public` (every zone as residents see it) at connection and whenever a tier, since or ETA changes', ...feedSecurity, response: responses({ 200: textBody('text/event-stream', 'Server-sent events (event: public, data: {t, zones})') }, [...VIEW, 409, 503]) } }, async (req, reply) => {
    reply.hijack();
    svc.publicHub.attach(reply.raw, [['public', { t: svc.clock(), zones: svc.publicRows() }]], '', req.ip);
  });
  // the residents' page (built with the web app) at /public/, the scope of its service worker
  // (/public/sw.js); its manifest, icon and worker are static files of the web build under public/
  app.get('/public', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/public/', 301));
  app.get('/public/', { schema: { hide: true } }, async (_req, reply) => {
    if (!c.alerts.public_feed) throw new ApiError('not_found', 'the public warning page is off: set alerts.public_feed to true');
    let html: Buffer;
    try {
      html = readFileSync(join(WEB_DIST, 'public.html'));
    } catch {
      throw new ApiError('not_found', 'the public warning page is not built (public.html): run npm run build');
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  });

  app.get('/api/v1/audit', { ...admin, schema: { operationId: 'getAudit', tags: ['admin'], summary: 'Audit log, newest first (from, to, limit)', querystring: queries.audit, response: responses({ 200: { description: 'The entries, newest first', ...bodiesOut.audit } }, ROLE) } }, async (req) => {
    const q = req.query as Record<string, string>;
    const now = svc.clock();
    return { audit: await svc.store.audit({ from: num(q.from, 'from', now - 86400 * 7), to: num(q.to, 'to', now + 1), limit: limitParam(req, q.limit, 1000, 10000) }) };
  });

  app.get('/api/v1/quarantine', { ...admin, schema: { operationId: 'getQuarantine', tags: ['admin'], summary: 'Journalled detections that made the fusion fault: kept, skipped by the picture and replay (newest first, limit)', querystring: queries.limitOnly(1000, 10000), response: responses({ 200: { description: 'The quarantined detections, newest first', ...bodiesOut.quarantine } }, ROLE) } }, async (req) => {
    const q = req.query as Record<string, string>;
    return { quarantine: await svc.store.quarantined(limitParam(req, q.limit, 1000, 10000)) };
  });

  // --- the user's own base map (web.basemap_pmtiles): where it is and what it holds, and the
  // file itself with HTTP Range (the map reads the header, directories and tiles in ranges)
  const BASEMAP_URL = '/api/v1/basemap/tiles.pmtiles';
  app.get('/api/v1/basemap', { ...viewer, schema: { operationId: 'getBasemap', tags: ['map'], summary: "The user's own base map (web.basemap_pmtiles): its URL, attribution and tile type, or null", response: responses({ 200: { description: 'The base map, or pmtiles: null', ...bodiesOut.basemap } }, VIEW) } }, async () => {
    if (basemapPath === null) return { pmtiles: null };
    let info;
    try {
      info = readPmtilesInfo(basemapPath);
    } catch (err) {
      // replaced by something unreadable since the start: the map goes on without it
      svc.log.error({ err }, 'web.basemap_pmtiles unreadable');
      return { pmtiles: null };
    }
    return { pmtiles: { url: BASEMAP_URL, attribution: c.web.basemap_attribution ?? '', bytes: info.bytes, tile_type: info.tileType, min_zoom: info.minZoom, max_zoom: info.maxZoom, bounds: info.bounds } };
  });
  app.get(BASEMAP_URL, {
    ...viewer,
    schema: {
      operationId: 'getBasemapTiles',
      tags: ['map'],
      summary: 'The PMTiles file of web.basemap_pmtiles (HTTP Range: 206 Partial Content; 416 for a range past its end)',
      response: responses({ 200: textBody('application/vnd.pmtiles', 'The whole file'), 206: textBody('application/vnd.pmtiles', 'The range asked for (Content-Range)') }, [...VIEW, 404, 416]),
    },
  }, async (req, reply) => {
    if (basemapPath === null) throw new ApiError('not_found', 'no base map of your own is configured: set web.basemap_pmtiles (docs/web.md)');
    const r = await send(req.raw, `/${encodeURIComponent(basename(basemapPath))}`, { root: dirname(basemapPath), dotfiles: 'allow', acceptRanges: true, cacheControl: false, etag: true, lastModified: true, index: false });
    if (r.type !== 'file') {
      if (r.statusCode === 404) throw new ApiError('not_found', `the base map file of web.basemap_pmtiles is gone (${basemapPath})`);
      if (r.statusCode === 416) {
        const range = String(req.headers.range ?? '');
        return reply.code(416).header('content-range', r.headers['content-range'] ?? r.headers['Content-Range'] ?? '').send(errorBody('range_not_satisfiable', `the range ${JSON.stringify(range)} starts past the end of the base map file`));
      }
      if (r.statusCode === 304 || r.statusCode === 412) return reply.code(r.statusCode).headers(r.headers).send();
      throw r.type === 'error' ? r.metadata.error : new Error(`base map: unexpected ${r.type}`);
    }
    return reply.code(r.statusCode).headers(r.headers).header('cache-control', 'no-cache').type('application/vnd.pmtiles').send(r.stream);
  });

  // --- live stream
  /** The stream's opening snapshot, as text, and the hub's generation and the clock when it was made. */
  let streamStart: { gen: number; at: number; text: string } | null = null;
  app.get('/api/v1/stream', { ...viewer, schema: { operationId: 'getStream', tags: ['stream'], summary: 'Server-sent events: hello, tracks, detections, sensors, alert, zones', description: 'The cookie or ?token= authenticates an EventSource. See docs/api.md "Event stream" for the events (their data are the objects of this description: TrackSnapshot, SensorWire, ZoneStateWire, AlertWire).', querystring: queries.stream, response: responses({ 200: textBody('text/event-stream', 'Server-sent events') }, [...VIEW, 409, 503]) } }, async (req, reply) => {
    reply.hijack();
    const f = svc.fusion;
    const now = svc.clock();
    // the picture's snapshot, made once for every client that connects before the stream's next
    // event (and within a second): 1,000 clients connecting at once had each serialized every
    // sensor and track, and held the service for 4-6 s
    const gen = svc.hub.generation;
    if (!streamStart || streamStart.gen !== gen || !(Math.abs(now - streamStart.at) <= 1)) {
      streamStart = { gen, at: now, text: frame('sensors', { t: now, sensors: svc.sensorsNow() }) + frame('zones', { t: now, zones: f?.zoneStates() ?? [] }) + frame('tracks', f?.snapshot() ?? { t: now, tracks: [] }) };
    }
    svc.hub.attach(reply.raw, [['hello', { server_time: now, mode: svc.mode, report_every_s: c.fusion.report_every_s, version: API_VERSION }]], streamStart.text, req.ip);
    // a stream opened with a session lasts as long as the session: a logout (or the user's change)
    // ends it at once, an expiry within STREAM_SESSION_CHECK_MS (it had gone on for as long as
    // the connection did: an outside probe, 2026-12-08)
    const session = req.session;
    if (session) {
      const token = session.token;
      const end = () => {
        stopEnd();
        clearInterval(check);
        if (!reply.raw.writableEnded) reply.raw.end();
      };
      const stopEnd = svc.sessions.onEnd((t) => {
        if (t === token) end();
      });
      const check = setInterval(() => {
        if (!svc.sessions.get(token)) end();
      }, STREAM_SESSION_CHECK_MS);
      check.unref();
      reply.raw.once('close', () => {
        stopEnd();
        clearInterval(check);
      });
    }
  });

  app.get('/metrics', {
    schema: {
      operationId: 'getMetrics',
      tags: ['service'],
      summary: 'Prometheus metrics (text exposition format)',
      description: 'For a loopback client, a session (or open viewing), or the http.metrics_token as a bearer token.',
      security: [{ bearer: [] }, { session: [] }, {}],
      response: responses({ 200: textBody('text/plain', 'Prometheus text format 0.0.4') }, [401]),
    },
  }, async (req, reply) => {
    // loopback (a local scraper or agent), a session, open viewing, or the metrics token
    const fromLoopback = req.socket.remoteAddress === '127.0.0.1' || req.socket.remoteAddress === '::1' || req.socket.remoteAddress === '::ffff:127.0.0.1';
    // behind a reverse proxy (http.trust_proxy) a loopback peer is the proxy, not a local scraper
    const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined;
    const direct = fromLoopback && !forwarded && c.http.trust_proxy === null;
    const token = c.http.metrics_token;
    const byToken = token !== null && typeof req.headers.authorization === 'string' && safeEqual(req.headers.authorization, `Bearer ${token}`);
    if (!(direct || seesCounts(req) || byToken)) throw new ApiError('unauthenticated', 'metrics need a session, the http.metrics_token bearer, or a loopback client');
    const body = await svc.metrics.registry.metrics();
    return reply.type(svc.metrics.registry.contentType).send(body);
  });
  app.get('/api/v1/openapi.json', { schema: { operationId: 'getOpenApi', tags: ['service'], summary: 'This OpenAPI 3.1 description', security: [], response: responses({ 200: { description: 'The OpenAPI document', type: 'object', additionalProperties: true } }) } }, async () => app.swagger());

  if (existsSync(WEB_DIST)) {
    // public.html only at /public/ (behind alerts.public_feed)
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', index: ['index.html'], wildcard: false, allowedPath: (p) => p !== '/public.html' });
  } else {
    app.get('/', async (_req: FastifyRequest, reply: FastifyReply) =>
      reply.type('text/html').send('<!doctype html><title>Skywarden</title><p>Skywarden is running. The web map is not built: run <code>npm run build</code>. API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>'),
    );
  }
  return app;
}

/** Constant-time string comparison (different lengths: false). */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
