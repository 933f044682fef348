/**
 * The user's own base map for the web map (`web.basemap_pmtiles`): a PMTiles v3 archive
 * (https://github.com/protomaps/PMTiles, spec v3) that the map reads with HTTP Range requests
 * from /api/v1/basemap/tiles.pmtiles. Only the fixed 127-byte header is read here, to refuse
 * at start a file that is missing or not PMTiles v3 and to tell the map what it holds.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The tile types of the PMTiles v3 header (byte 99). */
export const PMTILES_TILE_TYPES = ['unknown', 'mvt', 'png', 'jpeg', 'webp', 'avif'] as const;
export type PmtilesTileType = (typeof PMTILES_TILE_TYPES)[number];

export interface PmtilesInfo {
  bytes: number;
  tileType: PmtilesTileType;
  minZoom: number;
  maxZoom: number;
  /** West, south, east, north (degrees). */
  bounds: [number, number, number, number];
}

const HEADER_BYTES = 127;

/**
 * The header of the PMTiles file at `path`. Throws an Error naming `setting` and the file when
 * it cannot be read, is shorter than a header, or is not PMTiles version 3 (an MBTiles file is
 * an SQLite database: convert it with `pmtiles convert in.mbtiles out.pmtiles`).
 */
export function readPmtilesInfo(path: string, setting = 'web.basemap_pmtiles'): PmtilesInfo {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error(`${setting} ${path}: ${(err as Error).message}`);
  }
  try {
    const size = statSync(path).size;
    const buf = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    if (buf.subarray(0, 15).toString('latin1') === 'SQLite format 3') {
      throw new Error(`${setting} ${path}: an SQLite file (MBTiles?), not PMTiles: convert it with \`pmtiles convert ${path} out.pmtiles\``);
    }
    if (n < HEADER_BYTES || buf.subarray(0, 7).toString('latin1') !== 'PMTiles') {
      throw new Error(`${setting} ${path}: not a PMTiles file (no "PMTiles" header of ${HEADER_BYTES} bytes)`);
    }
    if (buf[7] !== 3) throw new Error(`${setting} ${path}: PMTiles version ${buf[7]}, only version 3 is read`);
    const e7 = (o: number) => buf.readInt32LE(o) / 1e7;
    return {
      bytes: size,
      tileType: PMTILES_TILE_TYPES[buf[99]] ?? 'unknown',
      minZoom: buf[100],
      maxZoom: buf[101],
      bounds: [e7(102), e7(106), e7(110), e7(114)],
    };
  } finally {
    closeSync(fd);
  }
}
