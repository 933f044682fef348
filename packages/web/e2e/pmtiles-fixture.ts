/**
 * Small PMTiles v3 archives for the tests, written from the specification
 * (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): a 127-byte header, the
 * root directory (uncompressed), the JSON metadata, then the tiles. Tile ids come from the
 * `pmtiles` library (zxyToTileId, the Hilbert order); the archives are checked against that
 * library's reader in pmtiles-fixture.test.ts. Also the tiles to put in them: a Mapbox Vector
 * Tile with one layer of lines, and a plain PNG.
 */
import { deflateSync, crc32 } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

/** Protocol-buffer varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

export interface FixtureTile {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

export interface FixtureOptions {
  /** 1 mvt, 2 png, 3 jpeg, 4 webp. */
  tileType: number;
  metadata: Record<string, unknown>;
  /** West, south, east, north (degrees). */
  bounds: [number, number, number, number];
  center: [number, number, number];
}

/** A PMTiles v3 archive of `tiles` (internal and tile compression: none). */
export function pmtilesArchive(tiles: readonly FixtureTile[], o: FixtureOptions): Buffer {
  const entries = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: t.data })).sort((a, b) => a.id - b.id);
  let offset = 0;
  const placed = entries.map((e) => {
    const p = { id: e.id, offset, length: e.data.length };
    offset += e.data.length;
    return p;
  });
  const dir: number[] = [...varint(placed.length)];
  let last = 0;
  for (const p of placed) {
    dir.push(...varint(p.id - last));
    last = p.id;
  }
  for (let i = 0; i < placed.length; i++) dir.push(...varint(1)); // run lengths
  for (const p of placed) dir.push(...varint(p.length));
  placed.forEach((p, i) => dir.push(...varint(i > 0 && p.offset === placed[i - 1].offset + placed[i - 1].length ? 0 : p.offset + 1)));
  const root = Buffer.from(dir);
  const meta = Buffer.from(JSON.stringify(o.metadata));
  const data = Buffer.concat(entries.map((e) => Buffer.from(e.data)));
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'latin1');
  h[7] = 3;
  const u64 = (v: number, at: number) => h.writeBigUInt64LE(BigInt(v), at);
  u64(127, 8);
  u64(root.length, 16);
  u64(127 + root.length, 24);
  u64(meta.length, 32);
  u64(127 + root.length + meta.length, 40);
  u64(0, 48);
  u64(127 + root.length + meta.length, 56);
  u64(data.length, 64);
  u64(entries.length, 72);
  u64(entries.length, 80);
  u64(entries.length, 88);
  h[96] = 1; // clustered
  h[97] = 1; // internal compression: none
  h[98] = 1; // tile compression: none
  h[99] = o.tileType;
  h[100] = Math.min(...tiles.map((t) => t.z));
  h[101] = Math.max(...tiles.map((t) => t.z));
  const e7 = (v: number, at: number) => h.writeInt32LE(Math.round(v * 1e7), at);
  e7(o.bounds[0], 102);
  e7(o.bounds[1], 106);
  e7(o.bounds[2], 110);
  e7(o.bounds[3], 114);
  h[118] = o.center[2];
  e7(o.center[0], 119);
  e7(o.center[1], 123);
  return Buffer.concat([h, root, meta, data]);
}

/** Web Mercator: a lon/lat's position in tile (z, x, y) in units of `extent`. */
export function tilePoint(lon: number, lat: number, z: number, x: number, y: number, extent = 4096): [number, number] {
  const n = 2 ** z;
  const wx = ((lon + 180) / 360) * n;
  const r = (lat * Math.PI) / 180;
  const wy = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n;
  return [Math.round((wx - x) * extent), Math.round((wy - y) * extent)];
}

const field = (num: number, wire: number) => varint(num * 8 + wire);
const bytesField = (num: number, b: readonly number[]) => [...field(num, 2), ...varint(b.length), ...b];
const strField = (num: number, s: string) => bytesField(num, [...Buffer.from(s, 'utf8')]);
const zigzag = (n: number) => (n < 0 ? -2 * n - 1 : 2 * n);

/**
 * A Mapbox Vector Tile (spec 2.1) with one layer `layer` of line features, each with one string
 * property `class` (e.g. "motorway"); `lines` in tile units (extent 4096).
 */
export function mvtLines(layer: string, lines: readonly { cls: string; points: readonly [number, number][] }[]): Uint8Array {
  const classes = [...new Set(lines.map((l) => l.cls))];
  const feats: number[] = [];
  lines.forEach((l, i) => {
    const geom: number[] = [];
    let cx = 0;
    let cy = 0;
    l.points.forEach(([px, py], j) => {
      if (j === 0) geom.push(1 + 8 * 1); // MoveTo, 1 point
      if (j === 1) geom.push(2 + 8 * (l.points.length - 1)); // LineTo, the rest
      geom.push(zigzag(px - cx), zigzag(py - cy));
      cx = px;
      cy = py;
    });
    const tags = [0, classes.indexOf(l.cls)];
    const f = [...field(1, 0), ...varint(i + 1), ...bytesField(2, tags.flatMap(varint)), ...field(3, 0), ...varint(2), ...bytesField(4, geom.flatMap(varint))];
    feats.push(...bytesField(2, f));
  });
  const values = classes.flatMap((c) => bytesField(4, strField(1, c)));
  const layerMsg = [...field(15, 0), ...varint(2), ...strField(1, layer), ...feats, ...strField(3, 'class'), ...values, ...field(5, 0), ...varint(4096)];
  return Uint8Array.from(bytesField(3, layerMsg));
}

/** A `size` × `size` PNG of one colour (RGB). */
export function solidPng(size: number, rgb: [number, number, number]): Uint8Array {
  const row = Buffer.alloc(1 + size * 3);
  for (let i = 0; i < size; i++) row.set(rgb, 1 + i * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Uint8Array.from(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

/** The demo region's vector fixture: zoom 0-6 tiles over Seoul with a motorway and a minor road (layer `transportation`). */
export function seoulVectorArchive(): Buffer {
  const tiles: FixtureTile[] = [];
  for (let z = 0; z <= 6; z++) {
    const n = 2 ** z;
    const x = Math.floor(((126.98 + 180) / 360) * n);
    const r = (37.55 * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
    const pt = (lon: number, lat: number) => tilePoint(lon, lat, z, x, y);
    tiles.push({
      z, x, y,
      data: mvtLines('transportation', [
        { cls: 'motorway', points: [pt(126.6, 37.45), pt(126.98, 37.55), pt(127.4, 37.62)] },
        { cls: 'minor', points: [pt(126.9, 37.3), pt(127.05, 37.8)] },
      ]),
    });
  }
  return pmtilesArchive(tiles, {
    tileType: 1,
    metadata: { name: 'test roads', vector_layers: [{ id: 'transportation', fields: { class: 'String' }, minzoom: 0, maxzoom: 6 }] },
    bounds: [126.3, 36.8, 127.9, 38.3],
    center: [126.98, 37.55, 6],
  });
}

/** A raster fixture: one magenta PNG tile at zoom 0 (the whole world), bounds the world. */
export function rasterArchive(): Buffer {
  return pmtilesArchive([{ z: 0, x: 0, y: 0, data: solidPng(256, [255, 0, 255]) }], { tileType: 2, metadata: { name: 'test raster' }, bounds: [-180, -85, 180, 85], center: [127, 37.5, 0] });
}
