/**
 * The user's own base map (web.basemap_pmtiles): the server refuses at start a file that is
 * missing or not PMTiles v3 (and a file without its attribution), says what the file holds at
 * /api/v1/basemap, and serves it at /api/v1/basemap/tiles.pmtiles with HTTP Range (what the
 * map's PMTiles reader asks for), behind the viewer login like the rest of the picture; the
 * page's content security policy lets the map fetch it (same origin).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from './server.js';
import { http, login, quietLogger, tempDir, TEST_USERS } from './testing.js';
import { readPmtilesInfo } from './http/basemap.js';

/** A PMTiles v3 header (127 bytes: vector tiles, zoom 0-14, the box given) followed by `rest` bytes of a known pattern. */
function pmtilesBytes(rest: number, tileType = 1): Buffer {
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'latin1');
  h[7] = 3;
  h.writeBigUInt64LE(127n, 8); // root directory right after the header
  h[97] = 1; // internal compression: none
  h[98] = 1; // tile compression: none
  h[99] = tileType;
  h[100] = 0;
  h[101] = 14;
  h.writeInt32LE(Math.round(126.3e7), 102);
  h.writeInt32LE(Math.round(36.8e7), 106);
  h.writeInt32LE(Math.round(127.9e7), 110);
  h.writeInt32LE(Math.round(38.3e7), 114);
  const body = Buffer.alloc(rest);
  for (let i = 0; i < rest; i++) body[i] = i % 251;
  return Buffer.concat([h, body]);
}

describe('the base map of web.basemap_pmtiles', () => {
  const tmp = tempDir('sw-basemap-');
  const file = join(tmp.dir, 'my region.pmtiles');
  const bytes = pmtilesBytes(70_000);
  let srv: RunningServer;
  let port: number;
  let viewer: string;

  before(async () => {
    writeFileSync(file, bytes);
    srv = await startServer({
      config: { data_dir: join(tmp.dir, 'data'), http: { port: 0 }, mqtt: { mode: 'off' }, auth: { users: TEST_USERS }, web: { basemap_pmtiles: file, basemap_attribution: '© OpenStreetMap contributors' }, log: { level: 'silent' } },
      logger: quietLogger(),
    });
    port = srv.httpPort;
    viewer = await login(port, 'view', 'view-secret-1');
  });
  after(async () => {
    await srv.close();
    tmp.cleanup();
  });

  it('reads the header: tile type, zooms, bounds', () => {
    const info = readPmtilesInfo(file);
    assert.equal(info.tileType, 'mvt');
    assert.deepEqual([info.minZoom, info.maxZoom, info.bytes], [0, 14, bytes.length]);
    assert.deepEqual(info.bounds, [126.3, 36.8, 127.9, 38.3]);
  });

  it('says where the file is and what it holds; needs a login', async () => {
    const anon = await http(port, 'GET', '/api/v1/basemap');
    assert.equal(anon.status, 401);
    const r = await http(port, 'GET', '/api/v1/basemap', { token: viewer });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { pmtiles: { url: '/api/v1/basemap/tiles.pmtiles', attribution: '© OpenStreetMap contributors', bytes: bytes.length, tile_type: 'mvt', min_zoom: 0, max_zoom: 14, bounds: [126.3, 36.8, 127.9, 38.3] } });
  });

  it('serves ranges of the file (206 with Content-Range), the whole file, and 416 past its end', async () => {
    const get = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/api/v1/basemap/tiles.pmtiles`, { headers: { authorization: `Bearer ${viewer}`, ...headers } });
    // the header and root directory, as the reader asks first (the first 16 KiB)
    let res = await get({ range: 'bytes=0-16383' });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 0-16383/${bytes.length}`);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('content-type'), 'application/vnd.pmtiles');
    assert.ok(res.headers.get('etag'));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(0, 16384));
    // a tile in the middle
    res = await get({ range: 'bytes=50000-50999' });
    assert.equal(res.status, 206);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(50000, 51000));
    // a range running past the end is cut at the end
    res = await get({ range: `bytes=${bytes.length - 10}-${bytes.length + 100}` });
    assert.equal(res.status, 206);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(bytes.length - 10));
    res = await get({});
    assert.equal(res.status, 200);
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
    res = await get({ range: `bytes=${bytes.length + 5}-${bytes.length + 10}` });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${bytes.length}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'range_not_satisfiable');
    const anon = await fetch(`http://127.0.0.1:${port}/api/v1/basemap/tiles.pmtiles`, { headers: { range: 'bytes=0-10' } });
    assert.equal(anon.status, 401);
  });

  it("the page's content security policy lets the map fetch it (same origin: connect-src 'self')", async () => {
    const page = await http(port, 'GET', '/');
    const csp = page.headers.get('content-security-policy');
    // the web app may not be built in this run; the policy is set on every HTML answer
    if (csp === null) assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    else assert.match(csp, /connect-src 'self'/);
    const api = await http(port, 'GET', '/api/v1/basemap', { token: viewer });
    assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('web.basemap_pmtiles refused at start', () => {
  const tmp = tempDir('sw-basemap-bad-');
  after(() => tmp.cleanup());
  const start = (web: Record<string, unknown>) =>
    startServer({ config: { data_dir: join(tmp.dir, 'data'), http: { port: 0 }, mqtt: { mode: 'off' }, web, log: { level: 'silent' } }, logger: quietLogger() }).then(async (s) => {
      await s.close();
      return 'started';
    });

  it('a missing file, an MBTiles (SQLite) file, a file of another kind, no attribution', async () => {
    await assert.rejects(start({ basemap_pmtiles: join(tmp.dir, 'none.pmtiles'), basemap_attribution: 'x' }), /web\.basemap_pmtiles .*none\.pmtiles: ENOENT/);
    const mb = join(tmp.dir, 'region.mbtiles');
    writeFileSync(mb, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(200)]));
    await assert.rejects(start({ basemap_pmtiles: mb, basemap_attribution: 'x' }), /an SQLite file \(MBTiles\?\), not PMTiles: convert it with `pmtiles convert/);
    const png = join(tmp.dir, 'tile.png');
    writeFileSync(png, Buffer.alloc(300, 7));
    await assert.rejects(start({ basemap_pmtiles: png, basemap_attribution: 'x' }), /not a PMTiles file/);
    const v2 = join(tmp.dir, 'v2.pmtiles');
    const b = pmtilesBytes(10);
    b[7] = 2;
    writeFileSync(v2, b);
    await assert.rejects(start({ basemap_pmtiles: v2, basemap_attribution: 'x' }), /PMTiles version 2, only version 3/);
    const ok = join(tmp.dir, 'ok.pmtiles');
    writeFileSync(ok, pmtilesBytes(10));
    await assert.rejects(start({ basemap_pmtiles: ok }), /web\.basemap_attribution is required with web\.basemap_pmtiles/);
  });

  it('without web.basemap_pmtiles: pmtiles null, and the file route answers 404', async () => {
    const srv = await startServer({ config: { data_dir: join(tmp.dir, 'data2'), http: { port: 0 }, mqtt: { mode: 'off' }, auth: { users: TEST_USERS }, log: { level: 'silent' } }, logger: quietLogger() });
    try {
      const tok = await login(srv.httpPort, 'view', 'view-secret-1');
      const r = await http(srv.httpPort, 'GET', '/api/v1/basemap', { token: tok });
      assert.deepEqual(r.json, { pmtiles: null });
      const f = await http(srv.httpPort, 'GET', '/api/v1/basemap/tiles.pmtiles', { token: tok });
      assert.equal(f.status, 404);
      assert.equal(f.json.error?.code, 'not_found');
    } finally {
      await srv.close();
    }
  });
});
