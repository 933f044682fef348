/**
 * The test archives of pmtiles-fixture.ts read back with the `pmtiles` library the map uses
 * (header, metadata, every tile by z/x/y) and the vector tiles decoded with
 * @mapbox/vector-tile (MapLibre's decoder): the browser test's fixtures are what the spec says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { PMTiles, TileType, type Source, type RangeResponse } from 'pmtiles';
import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { rasterArchive, seoulVectorArchive } from './pmtiles-fixture.js';

/** A pmtiles Source over bytes in memory. */
function memSource(buf: Buffer): Source {
  return {
    getKey: () => 'mem',
    getBytes: async (offset: number, length: number): Promise<RangeResponse> => {
      const b = buf.subarray(offset, offset + length);
      return { data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    },
  };
}

test('the vector fixture: header, metadata, a motorway and a minor road in every zoom 0-6 tile over Seoul', async () => {
  const p = new PMTiles(memSource(seoulVectorArchive()));
  const h = await p.getHeader();
  assert.equal(h.specVersion, 3);
  assert.equal(h.tileType, TileType.Mvt);
  assert.deepEqual([h.minZoom, h.maxZoom, h.numAddressedTiles], [0, 6, 7]);
  assert.deepEqual([h.minLon, h.minLat, h.maxLon, h.maxLat], [126.3, 36.8, 127.9, 38.3]);
  const meta = (await p.getMetadata()) as { vector_layers: { id: string }[] };
  assert.deepEqual(meta.vector_layers.map((l) => l.id), ['transportation']);
  for (const [z, x, y] of [[0, 0, 0], [3, 6, 3], [6, 54, 24]]) {
    const t = await p.getZxy(z, x, y);
    assert.ok(t, `tile ${z}/${x}/${y}`);
    const vt = new VectorTile(new Pbf(new Uint8Array(t.data)));
    const layer = vt.layers.transportation;
    assert.equal(layer.length, 2);
    const f = layer.feature(0);
    assert.equal(f.type, 2);
    assert.equal(f.properties.class, 'motorway');
    // the motorway's middle point is Seoul (126.98, 37.55) to the tile's precision
    const g = f.toGeoJSON(x, y, z).geometry as unknown as { coordinates: [number, number][] };
    const tol = 360 / 2 ** z / 4096;
    assert.ok(Math.abs(g.coordinates[1][0] - 126.98) <= tol * 2 && Math.abs(g.coordinates[1][1] - 37.55) <= tol * 2, JSON.stringify(g.coordinates[1]));
    assert.equal(layer.feature(1).properties.class, 'minor');
  }
  assert.equal(await p.getZxy(6, 0, 0), undefined);
});

test('the raster fixture: one PNG tile, a valid 256 x 256 image', async () => {
  const p = new PMTiles(memSource(rasterArchive()));
  const h = await p.getHeader();
  assert.equal(h.tileType, TileType.Png);
  const t = await p.getZxy(0, 0, 0);
  assert.ok(t);
  const png = Buffer.from(t.data);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 256);
  // the IDAT holds 256 rows of a filter byte and 256 magenta pixels
  const idatLen = png.readUInt32BE(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  assert.equal(raw.length, 256 * (1 + 256 * 3));
  assert.deepEqual([...raw.subarray(1, 4)], [255, 0, 255]);
});
