/**
 * A spatial index of warning zones for many point-in-zone queries (docs/warnings.md "Cost").
 *
 * Three levels, all on the longitude/latitude plane in which GeoJSON edges are straight:
 * 1. a label raster over the union of the zones' bounding boxes (cells about 1/64 of the
 *    median zone, at most 2²⁰): each cell holds the one zone that contains all of it, "none",
 *    or "mixed" (an edge meets the cell, or zones overlap there), and the chessboard
 *    distance to the nearest cell whose label may differ, so that a straight path deep inside
 *    one label can skip ahead;
 * 2. a coarse grid over the same box; each cell lists the zones whose bounding box overlaps
 *    it (compressed rows), for mixed cells;
 * 3. per zone, a raster over its bounding box (up to `rasterCells` cells) whose cells are
 *    outside, inside or boundary, and for boundary cells the zone's edges by raster row.
 * A cell is boundary (mixed) when an edge meets the closed cell (exact segment-rectangle
 * clipping, Liang-Barsky 1984); the other cells are grouped into 4-connected components,
 * which cannot cross an edge and so share one answer, found by testing one point. The exact
 * test of a point in a boundary cell is the even-odd rule of `pointInArea` over the edges of
 * its raster row only: the same arithmetic, so the same answer.
 */
import { pointInArea, type GeoArea } from '../geo/polygon.js';
import { meridianRadius, primeVerticalRadius } from '../geo/wgs84.js';

/** A zone as the index takes it. */
export interface IndexedZone {
  id: string;
  area: GeoArea;
}

const OUTSIDE = 0;
const INSIDE = 1;
const BOUNDARY = 2;

/**
 * The edges of one zone by raster row, for the exact test: an edge is listed in every row
 * its latitude range meets. The even-odd test of a point only counts edges whose latitude
 * range straddles the point's, so the edges of the point's row are enough (same arithmetic,
 * same answer as `pointInArea`).
 */
interface RowEdges {
  /** start of row j's edges in `edges`/`ring`: rowStart[j] .. rowStart[j + 1] */
  rowStart: Int32Array;
  /** per listed edge: x0, y0, x1, y1 (degrees; the pnpoly order of `inRing`: x1, y1 = previous vertex) */
  edges: Float64Array;
  /** per listed edge: its ring's global index within the zone */
  ring: Int32Array;
  /** per ring: its polygon and whether it is an outer ring */
  ringPolygon: Int32Array;
  ringOuter: Uint8Array;
  polygons: number;
  /** scratch: per ring its parity (bit 0) and whether a query touched it (bit 1); the rings touched; per polygon 1 in outer | 2 in a hole */
  parity: Uint8Array;
  touched: Int32Array;
  polygonState: Uint8Array;
}

interface ZoneRaster {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
  nx: number;
  ny: number;
  /** cells per degree */
  sx: number;
  sy: number;
  cells: Uint8Array;
  rows: RowEdges;
}

export interface ZoneIndex {
  readonly zones: readonly IndexedZone[];
  /**
   * Writes into `out[0]`, `out[1]` the start and end (exclusive) in {@link cellZones} of the
   * zones whose bounding box overlaps the point's grid cell (a superset of the zones that
   * contain the point; filter with {@link inZone}); start = end when none. Allocates nothing.
   */
  cellRange(latDeg: number, lonDeg: number, out: Int32Array): void;
  /** Zone indices by grid cell, addressed through {@link cellRange}. */
  readonly cellZones: Int32Array;
  /** Whether the point (degrees) is inside zone `zone` (same answer as `pointInArea`). */
  inZone(zone: number, latDeg: number, lonDeg: number): boolean;
  /** Whether a box [minLon, minLat, maxLon, maxLat] (degrees) overlaps any zone's bounding box. */
  anyBoxOverlap(minLon: number, minLat: number, maxLon: number, maxLat: number): boolean;
  /** The flat arrays behind the queries, for callers that inline them in a hot loop (read only). */
  readonly flat: ZoneIndexFlat;
}

/**
 * The index as flat arrays. Grid cell of a point: i = min(gridNx − 1, ⌊(lon − grid[0])·gridSx⌋),
 * j likewise with grid[1] and gridSy; zones `cellZones[cellStart[c] .. cellStart[c + 1])` for
 * c = j·gridNx + i, when grid[0] ≤ lon ≤ grid[2] and grid[1] ≤ lat ≤ grid[3]. Raster of zone z:
 * box `rasterBox[4z .. 4z + 4)`, size `rasterNx[z]` × `rasterNy[z]`, cells per degree
 * `rasterSx[z]`, `rasterSy[z]`, states `rasterCells[z]` (0 outside, 1 inside, 2 boundary: ask
 * {@link ZoneIndex.inZone}).
 */
export interface ZoneIndexFlat {
  grid: Float64Array;
  gridNx: number;
  gridNy: number;
  gridSx: number;
  gridSy: number;
  cellStart: Int32Array;
  cellZones: Int32Array;
  rasterBox: Float64Array;
  rasterNx: Int32Array;
  rasterNy: Int32Array;
  rasterSx: Float64Array;
  rasterSy: Float64Array;
  rasterCells: Uint8Array[];
  /**
   * The label raster over the grid's box: cell (i, j) as for the grid with `labelNx`,
   * `labelSx`, `labelSy`; `labels[c]` is the one zone that contains the whole cell, −1 when
   * no zone meets it, −2 (mixed) when a zone edge meets it or zones overlap there (then ask
   * the grid and {@link ZoneIndex.inZone}). `labelDist[c]` is the chessboard distance in
   * cells (at most 255) to the nearest mixed cell or cell with a different neighbour, and
   * `labelCellM` a lower bound of a cell's width and height in metres: a point of cell c
   * keeps the label of c within (labelDist[c] − 1)·labelCellM metres.
   */
  labels: Int32Array;
  labelDist: Uint8Array;
  labelNx: number;
  labelNy: number;
  labelSx: number;
  labelSy: number;
  labelCellM: number;
}

/** Label values of {@link ZoneIndexFlat.labels} other than a zone index. */
export const LABEL_NONE = -1;
export const LABEL_MIXED = -2;

/** Raster cell states of {@link ZoneIndexFlat}. */
export const CELL_OUTSIDE = 0;
export const CELL_INSIDE = 1;
export const CELL_BOUNDARY = 2;

export interface ZoneIndexOptions {
  /** Cells of each zone's raster, at most (default 4096). */
  rasterCells?: number;
  /** Cells of the grid over all zones, at most (default 65536). */
  gridCells?: number;
  /** Cells of the label raster over all zones, at most (default 2²⁰); cells are about 1/64 of the median zone's size. */
  labelCells?: number;
}

/** Whether the closed segment (x0,y0)-(x1,y1) meets the closed rectangle [xa, xb] × [ya, yb] (Liang-Barsky clipping). */
function segmentMeetsBox(x0: number, y0: number, x1: number, y1: number, xa: number, ya: number, xb: number, yb: number): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const p = [-dx, dx, -dy, dy];
  const q = [x0 - xa, xb - x0, y0 - ya, yb - y0];
  for (let i = 0; i < 4; i++) {
    if (p[i] === 0) {
      if (q[i] < 0) return false;
    } else {
      const r = q[i] / p[i];
      if (p[i] < 0) {
        if (r > t1) return false;
        if (r > t0) t0 = r;
      } else {
        if (r < t0) return false;
        if (r < t1) t1 = r;
      }
    }
  }
  return true;
}

/**
 * Sets `marks[k] = value` for every cell k of a grid (origin x0, y0 in degrees, sx, sy cells
 * per degree, nx × ny cells, row-major) that an edge of any ring of `area` meets. A hair of
 * slack makes sure rounding at cell borders never leaves an edge's cell unmarked.
 */
function markEdgeCells(
  area: GeoArea, x0: number, y0: number, sx: number, sy: number, nx: number, ny: number,
  marks: Uint8Array | Int32Array, value: number,
): void {
  const cw = 1 / sx;
  const ch = 1 / sy;
  const slack = 1e-9 * (cw + ch);
  for (const poly of area.polygons) {
    for (const ring of poly.rings) {
      const m = ring.length / 2;
      for (let i = 0, j = m - 1; i < m; j = i++) {
        const xa = ring[2 * j];
        const ya = ring[2 * j + 1];
        const xb = ring[2 * i];
        const yb = ring[2 * i + 1];
        const i0 = Math.max(0, Math.min(nx - 1, Math.floor((Math.min(xa, xb) - x0) * sx)));
        const i1 = Math.max(0, Math.min(nx - 1, Math.floor((Math.max(xa, xb) - x0) * sx)));
        const j0 = Math.max(0, Math.min(ny - 1, Math.floor((Math.min(ya, yb) - y0) * sy)));
        const j1 = Math.max(0, Math.min(ny - 1, Math.floor((Math.max(ya, yb) - y0) * sy)));
        for (let cy = j0; cy <= j1; cy++) {
          for (let cx = i0; cx <= i1; cx++) {
            const k = cy * nx + cx;
            if (marks[k] === value) continue;
            const bx = x0 + cx * cw;
            const by = y0 + cy * ch;
            if ((i0 === i1 && j0 === j1) || segmentMeetsBox(xa, ya, xb, yb, bx - slack, by - slack, bx + cw + slack, by + ch + slack)) marks[k] = value;
          }
        }
      }
    }
  }
}

function buildRaster(area: GeoArea, maxCells: number): ZoneRaster {
  const [minLon, minLat, maxLon, maxLat] = area.bbox;
  const w = Math.max(maxLon - minLon, 1e-12);
  const h = Math.max(maxLat - minLat, 1e-12);
  let nx = Math.max(1, Math.round(Math.sqrt((maxCells * w) / h)));
  nx = Math.min(nx, maxCells);
  const ny = Math.max(1, Math.min(Math.floor(maxCells / nx), maxCells));
  const sx = nx / w;
  const sy = ny / h;
  const cells = new Uint8Array(nx * ny);
  const cw = 1 / sx;
  const ch = 1 / sy;
  // 1. boundary cells: every cell met by an edge of any ring
  markEdgeCells(area, minLon, minLat, sx, sy, nx, ny, cells, BOUNDARY);
  // 2. the other cells: components of 4-connected non-boundary cells, one test each
  const seen = new Uint8Array(nx * ny);
  const stack: number[] = [];
  for (let start = 0; start < cells.length; start++) {
    if (cells[start] === BOUNDARY || seen[start]) continue;
    const cx = start % nx;
    const cy = (start - cx) / nx;
    const state = pointInArea(area, minLat + (cy + 0.5) * ch, minLon + (cx + 0.5) * cw) ? INSIDE : OUTSIDE;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const k = stack.pop() as number;
      cells[k] = state;
      const x = k % nx;
      const y = (k - x) / nx;
      if (x > 0 && !seen[k - 1] && cells[k - 1] !== BOUNDARY) {
        seen[k - 1] = 1;
        stack.push(k - 1);
      }
      if (x < nx - 1 && !seen[k + 1] && cells[k + 1] !== BOUNDARY) {
        seen[k + 1] = 1;
        stack.push(k + 1);
      }
      if (y > 0 && !seen[k - nx] && cells[k - nx] !== BOUNDARY) {
        seen[k - nx] = 1;
        stack.push(k - nx);
      }
      if (y < ny - 1 && !seen[k + nx] && cells[k + nx] !== BOUNDARY) {
        seen[k + nx] = 1;
        stack.push(k + nx);
      }
    }
  }
  return { minLon, minLat, maxLon, maxLat, nx, ny, sx, sy, cells, rows: buildRows(area, minLat, sy, ny) };
}

function buildRows(area: GeoArea, minLat: number, sy: number, ny: number): RowEdges {
  const rowOf = (lat: number) => Math.max(0, Math.min(ny - 1, Math.floor((lat - minLat) * sy)));
  const counts = new Int32Array(ny + 1);
  const ringPolygon: number[] = [];
  const ringOuter: number[] = [];
  area.polygons.forEach((poly, ip) => {
    poly.rings.forEach((r, ir) => {
      ringPolygon.push(ip);
      ringOuter.push(ir === 0 ? 1 : 0);
      const n = r.length / 2;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const a = rowOf(Math.min(r[2 * i + 1], r[2 * j + 1]));
        const b = rowOf(Math.max(r[2 * i + 1], r[2 * j + 1]));
        for (let k = a; k <= b; k++) counts[k + 1]++;
      }
    });
  });
  for (let k = 1; k <= ny; k++) counts[k] += counts[k - 1];
  const edges = new Float64Array(4 * counts[ny]);
  const ring = new Int32Array(counts[ny]);
  const fill = counts.slice(0, ny);
  let g = 0;
  for (const poly of area.polygons) {
    for (const r of poly.rings) {
      const n = r.length / 2;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const a = rowOf(Math.min(r[2 * i + 1], r[2 * j + 1]));
        const b = rowOf(Math.max(r[2 * i + 1], r[2 * j + 1]));
        for (let k = a; k <= b; k++) {
          const q = fill[k]++;
          edges[4 * q] = r[2 * i];
          edges[4 * q + 1] = r[2 * i + 1];
          edges[4 * q + 2] = r[2 * j];
          edges[4 * q + 3] = r[2 * j + 1];
          ring[q] = g;
        }
      }
      g++;
    }
  }
  return {
    rowStart: counts,
    edges,
    ring,
    ringPolygon: Int32Array.from(ringPolygon),
    ringOuter: Uint8Array.from(ringOuter),
    polygons: area.polygons.length,
    parity: new Uint8Array(ringPolygon.length),
    touched: new Int32Array(ringPolygon.length),
    polygonState: new Uint8Array(area.polygons.length),
  };
}

/** `pointInArea` restricted to the edges of the point's row (the point is inside the zone's box). */
function exactInRow(rows: RowEdges, row: number, lat: number, lon: number): boolean {
  const { rowStart, edges, ring, parity, ringPolygon, ringOuter, touched, polygonState } = rows;
  let nTouched = 0;
  const a = rowStart[row];
  const b = rowStart[row + 1];
  for (let q = a; q < b; q++) {
    const xi = edges[4 * q];
    const yi = edges[4 * q + 1];
    const xj = edges[4 * q + 2];
    const yj = edges[4 * q + 3];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
      const r = ring[q];
      if ((parity[r] & 2) === 0) {
        parity[r] = 2;
        touched[nTouched++] = r;
      }
      parity[r] ^= 1;
    }
  }
  // inside when, for some polygon, the point is inside its outer ring and in none of its holes
  for (let k = 0; k < nTouched; k++) {
    const r = touched[k];
    if ((parity[r] & 1) === 1) polygonState[ringPolygon[r]] |= ringOuter[r] ? 1 : 2;
  }
  let inside = false;
  for (let k = 0; k < nTouched; k++) {
    const r = touched[k];
    if (polygonState[ringPolygon[r]] === 1) inside = true;
    parity[r] = 0;
    polygonState[ringPolygon[r]] = 0;
  }
  return inside;
}

const UNSET = -3;
const DEG = Math.PI / 180;

interface LabelRaster {
  labels: Int32Array;
  dist: Uint8Array;
  nx: number;
  ny: number;
  sx: number;
  sy: number;
  cellM: number;
}

/**
 * The label raster (see {@link ZoneIndexFlat.labels}): mixed cells from the edges (exact
 * clipping), then 4-connected components of the other cells, each labelled by testing one
 * point (`zonesAt` lists the zones containing a point), then the chessboard distance
 * transform (two passes, Rosenfeld & Pfaltz 1966) from the cells whose label may differ
 * from a neighbour's.
 */
function buildLabels(
  zones: readonly IndexedZone[],
  box: readonly [number, number, number, number],
  cellDeg: number,
  maxCells: number,
  zonesAt: (lat: number, lon: number, out: number[]) => void,
): LabelRaster {
  const [x0, y0, x1, y1] = box;
  const W = Math.max(x1 - x0, 1e-9);
  const H = Math.max(y1 - y0, 1e-9);
  const cosMid = Math.max(Math.cos(((y0 + y1) / 2) * DEG), 1e-3);
  let ch = Math.max(cellDeg, 1e-6);
  while (Math.ceil((W * cosMid) / ch) * Math.ceil(H / ch) > maxCells) ch *= 1.25;
  const nx = Math.max(1, Math.ceil((W * cosMid) / ch));
  const ny = Math.max(1, Math.ceil(H / ch));
  const sx = nx / W;
  const sy = ny / H;
  const cw = 1 / sx;
  const chh = 1 / sy;
  const n = nx * ny;
  const labels = new Int32Array(n).fill(UNSET);
  for (const z of zones) markEdgeCells(z.area, x0, y0, sx, sy, nx, ny, labels, LABEL_MIXED);
  const stack = new Int32Array(n);
  const found: number[] = [];
  for (let start = 0; start < n; start++) {
    if (labels[start] !== UNSET) continue;
    const cx = start % nx;
    const cy = (start - cx) / nx;
    found.length = 0;
    zonesAt(y0 + (cy + 0.5) * chh, x0 + (cx + 0.5) * cw, found);
    const label = found.length === 0 ? LABEL_NONE : found.length === 1 ? found[0] : LABEL_MIXED;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const k = stack[--top];
      const x = k % nx;
      if (x > 0 && labels[k - 1] === UNSET) {
        labels[k - 1] = label;
        stack[top++] = k - 1;
      }
      if (x < nx - 1 && labels[k + 1] === UNSET) {
        labels[k + 1] = label;
        stack[top++] = k + 1;
      }
      if (k >= nx && labels[k - nx] === UNSET) {
        labels[k - nx] = label;
        stack[top++] = k - nx;
      }
      if (k + nx < n && labels[k + nx] === UNSET) {
        labels[k + nx] = label;
        stack[top++] = k + nx;
      }
    }
  }
  // seeds: mixed cells, cells with a differently labelled 8-neighbour, zone cells on the edge
  const INF = 0xffff;
  const d = new Uint16Array(n);
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx < nx; cx++) {
      const k = cy * nx + cx;
      const l = labels[k];
      let seed = l === LABEL_MIXED || (l !== LABEL_NONE && (cx === 0 || cy === 0 || cx === nx - 1 || cy === ny - 1));
      for (let dy = -1; dy <= 1 && !seed; dy++) {
        const yy = cy + dy;
        if (yy < 0 || yy >= ny) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = cx + dx;
          if (xx >= 0 && xx < nx && labels[yy * nx + xx] !== l) {
            seed = true;
            break;
          }
        }
      }
      d[k] = seed ? 0 : INF;
    }
  }
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx < nx; cx++) {
      const k = cy * nx + cx;
      let v = d[k];
      if (v === 0) continue;
      if (cx > 0) v = Math.min(v, d[k - 1] + 1);
      if (cy > 0) {
        v = Math.min(v, d[k - nx] + 1);
        if (cx > 0) v = Math.min(v, d[k - nx - 1] + 1);
        if (cx < nx - 1) v = Math.min(v, d[k - nx + 1] + 1);
      }
      d[k] = v;
    }
  }
  for (let cy = ny - 1; cy >= 0; cy--) {
    for (let cx = nx - 1; cx >= 0; cx--) {
      const k = cy * nx + cx;
      let v = d[k];
      if (v === 0) continue;
      if (cx < nx - 1) v = Math.min(v, d[k + 1] + 1);
      if (cy < ny - 1) {
        v = Math.min(v, d[k + nx] + 1);
        if (cx > 0) v = Math.min(v, d[k + nx - 1] + 1);
        if (cx < nx - 1) v = Math.min(v, d[k + nx + 1] + 1);
      }
      d[k] = v;
    }
  }
  const dist = new Uint8Array(n);
  for (let k = 0; k < n; k++) dist[k] = Math.min(255, d[k]);
  // metres per cell, at least: the narrowest parallel and the flattest meridian arc in the box
  const latLo = y0 <= 0 && y1 >= 0 ? 0 : Math.min(Math.abs(y0), Math.abs(y1)) * DEG;
  const latHi = Math.max(Math.abs(y0), Math.abs(y1)) * DEG;
  const cellM = Math.min(chh * DEG * meridianRadius(latLo), cw * DEG * primeVerticalRadius(latHi) * Math.cos(latHi));
  return { labels, dist, nx, ny, sx, sy, cellM };
}

/**
 * Builds the index. Throws on an empty id, a repeated id or a zone without a finite bounding box.
 */
export function createZoneIndex(zones: readonly IndexedZone[], options: ZoneIndexOptions = {}): ZoneIndex {
  const rasterCells = options.rasterCells ?? 4096;
  const gridCells = options.gridCells ?? 65536;
  const labelCells = options.labelCells ?? 1 << 20;
  if (!Number.isInteger(rasterCells) || rasterCells < 1) throw new Error(`zone index: rasterCells must be a positive integer, got ${rasterCells}`);
  if (!Number.isInteger(gridCells) || gridCells < 1) throw new Error(`zone index: gridCells must be a positive integer, got ${gridCells}`);
  if (!Number.isInteger(labelCells) || labelCells < 1) throw new Error(`zone index: labelCells must be a positive integer, got ${labelCells}`);
  const ids = new Set<string>();
  for (const z of zones) {
    if (typeof z.id !== 'string' || z.id === '') throw new Error(`zone index: a zone id must be a non-empty string, got ${JSON.stringify(z.id)}`);
    if (ids.has(z.id)) throw new Error(`zone index: repeated zone id ${JSON.stringify(z.id)}`);
    ids.add(z.id);
    if (!z.area.bbox.every(Number.isFinite)) throw new Error(`zone index: zone ${JSON.stringify(z.id)} has no finite bounding box (${z.area.bbox.join(', ')})`);
  }
  const rasters = zones.map((z) => buildRaster(z.area, rasterCells));

  // the grid: union box, cells about half the median zone size, at most gridCells
  let gMinLon = Infinity;
  let gMinLat = Infinity;
  let gMaxLon = -Infinity;
  let gMaxLat = -Infinity;
  const sizes: number[] = [];
  for (const r of rasters) {
    gMinLon = Math.min(gMinLon, r.minLon);
    gMinLat = Math.min(gMinLat, r.minLat);
    gMaxLon = Math.max(gMaxLon, r.maxLon);
    gMaxLat = Math.max(gMaxLat, r.maxLat);
    sizes.push(Math.max(r.maxLon - r.minLon, r.maxLat - r.minLat));
  }
  let gx = 1;
  let gy = 1;
  let gsx = 0;
  let gsy = 0;
  let cellStart = new Int32Array(2);
  let cellZones = new Int32Array(0);
  if (zones.length > 0) {
    sizes.sort((a, b) => a - b);
    const W = Math.max(gMaxLon - gMinLon, 1e-9);
    const H = Math.max(gMaxLat - gMinLat, 1e-9);
    let cell = Math.max(sizes[sizes.length >> 1] / 2, 1e-6);
    while (Math.ceil(W / cell) * Math.ceil(H / cell) > gridCells) cell *= 1.25;
    gx = Math.max(1, Math.ceil(W / cell));
    gy = Math.max(1, Math.ceil(H / cell));
    gsx = gx / W;
    gsy = gy / H;
    const counts = new Int32Array(gx * gy + 1);
    const span = (r: ZoneRaster) => [
      Math.max(0, Math.min(gx - 1, Math.floor((r.minLon - gMinLon) * gsx))),
      Math.max(0, Math.min(gx - 1, Math.floor((r.maxLon - gMinLon) * gsx))),
      Math.max(0, Math.min(gy - 1, Math.floor((r.minLat - gMinLat) * gsy))),
      Math.max(0, Math.min(gy - 1, Math.floor((r.maxLat - gMinLat) * gsy))),
    ];
    for (const r of rasters) {
      const [i0, i1, j0, j1] = span(r);
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) counts[j * gx + i + 1]++;
    }
    for (let k = 1; k < counts.length; k++) counts[k] += counts[k - 1];
    cellStart = counts;
    cellZones = new Int32Array(counts[counts.length - 1]);
    const fill = counts.slice(0, gx * gy);
    rasters.forEach((r, z) => {
      const [i0, i1, j0, j1] = span(r);
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) cellZones[fill[j * gx + i]++] = z;
    });
  }

  const cellOf = (latDeg: number, lonDeg: number): number => {
    if (!(lonDeg >= gMinLon && lonDeg <= gMaxLon && latDeg >= gMinLat && latDeg <= gMaxLat)) return -1;
    const i = Math.min(gx - 1, Math.floor((lonDeg - gMinLon) * gsx));
    const j = Math.min(gy - 1, Math.floor((latDeg - gMinLat) * gsy));
    return j * gx + i;
  };

  const inZone = (zone: number, latDeg: number, lonDeg: number): boolean => {
    const r = rasters[zone];
    if (!(lonDeg >= r.minLon && lonDeg <= r.maxLon && latDeg >= r.minLat && latDeg <= r.maxLat)) return false;
    const i = Math.min(r.nx - 1, Math.floor((lonDeg - r.minLon) * r.sx));
    const j = Math.min(r.ny - 1, Math.floor((latDeg - r.minLat) * r.sy));
    const s = r.cells[j * r.nx + i];
    if (s === BOUNDARY) return exactInRow(r.rows, j, latDeg, lonDeg);
    return s === INSIDE;
  };

  const medianSize = sizes.length > 0 ? sizes[sizes.length >> 1] : 1;
  const lab =
    zones.length > 0
      ? buildLabels(zones, [gMinLon, gMinLat, gMaxLon, gMaxLat], medianSize / 64, labelCells, (lat, lon, out) => {
          const c = cellOf(lat, lon);
          if (c < 0) return;
          for (let k = cellStart[c]; k < cellStart[c + 1]; k++) if (inZone(cellZones[k], lat, lon)) out.push(cellZones[k]);
        })
      : { labels: Int32Array.of(LABEL_NONE), dist: new Uint8Array(1), nx: 1, ny: 1, sx: 0, sy: 0, cellM: 0 };

  const flat: ZoneIndexFlat = {
    grid: Float64Array.from([gMinLon, gMinLat, gMaxLon, gMaxLat]),
    gridNx: gx,
    gridNy: gy,
    gridSx: gsx,
    gridSy: gsy,
    cellStart,
    cellZones,
    rasterBox: Float64Array.from(rasters.flatMap((r) => [r.minLon, r.minLat, r.maxLon, r.maxLat])),
    rasterNx: Int32Array.from(rasters, (r) => r.nx),
    rasterNy: Int32Array.from(rasters, (r) => r.ny),
    rasterSx: Float64Array.from(rasters, (r) => r.sx),
    rasterSy: Float64Array.from(rasters, (r) => r.sy),
    rasterCells: rasters.map((r) => r.cells),
    labels: lab.labels,
    labelDist: lab.dist,
    labelNx: lab.nx,
    labelNy: lab.ny,
    labelSx: lab.sx,
    labelSy: lab.sy,
    labelCellM: lab.cellM,
  };

  return {
    zones,
    flat,
    cellZones,
    cellRange(latDeg, lonDeg, out) {
      const c = cellOf(latDeg, lonDeg);
      if (c < 0) {
        out[0] = 0;
        out[1] = 0;
      } else {
        out[0] = cellStart[c];
        out[1] = cellStart[c + 1];
      }
    },
    inZone,
    anyBoxOverlap(minLon, minLat, maxLon, maxLat) {
      if (maxLon < gMinLon || minLon > gMaxLon || maxLat < gMinLat || minLat > gMaxLat) return false;
      for (const r of rasters) if (!(maxLon < r.minLon || minLon > r.maxLon || maxLat < r.minLat || minLat > r.maxLat)) return true;
      return false;
    },
  };
}
