/**
 * Sensor coverage as an area (issue 17): the ground the working sensors cover, per kind of
 * coverage (acoustic, radar), and the ground that sensors not ok leave uncovered.
 *
 * Each covering sensor is a disc of its `range_m` (the sensor catalogue), or a documented
 * default for its kind when the catalogue gives none. Only sensors whose status is `ok` count
 * as coverage: silent, stuck, implausible, offline and never-seen sensors do not.
 *
 * Method (scales to 10,000 sensors without 10,000 polygons): per kind, a grid over the discs'
 * bounding box holds, in each cell, the signed distance to the nearest disc edge,
 * max over the discs of (range − distance) in metres (positive inside a disc). The union of the
 * discs is where that field is >= 0; its outline is traced by marching squares (d3-contour)
 * with linear interpolation between cell centres, so the edge falls between cells, not on
 * their sides. The same is done for the sensors not ok; the area they covered that no working
 * sensor of the kind covers is min(bad, −ok) >= 0: the coverage lost. The result is a few
 * MultiPolygons per kind, whatever the number of sensors.
 *
 * The grid is linear in longitude and latitude; the distance from a cell to a sensor is
 * measured on the sensor's local tangent plane (equirectangular about the sensor), which for
 * discs up to 60 km is within 1 % of the great-circle distance. Pure: no DOM.
 */
import { contours } from 'd3-contour';
import simplify from 'simplify-js';
import type { Feature, FeatureCollection, MultiPolygon, Position } from 'geojson';
import type { SensorWire } from '@skywarden/formats';
import { EARTH_RADIUS_M } from './geometry.js';

export type CoverageGroup = 'acoustic' | 'radar';
export const COVERAGE_GROUPS: readonly CoverageGroup[] = ['acoustic', 'radar'];

/**
 * Range (m) of a covering sensor whose catalogue entry has no `range_m`:
 * acoustic 2,000 m (the interchange format's radius of a presence report without a range,
 * docs/interchange.md), radar 5,000 m (a small counter-UAS radar against a small drone).
 */
export const DEFAULT_RANGE_M: Readonly<Record<CoverageGroup, number>> = { acoustic: 2000, radar: 5000 };

/** The coverage group of a sensor kind, or null when the kind is not drawn as coverage (observers, ADS-B, Remote ID, trackers, other words). */
export function coverageGroup(kind: string): CoverageGroup | null {
  if (kind === 'acoustic') return 'acoustic';
  if (kind === 'radar') return 'radar';
  return null;
}

export interface CoverageDisc {
  group: CoverageGroup;
  lat: number;
  lon: number;
  /** Radius (m). */
  r: number;
  /** Status `ok`: counts as coverage. */
  ok: boolean;
}

/** The disc of one sensor, or null when it covers nothing drawable (a kind not drawn, no position). */
export function coverageDisc(s: SensorWire): CoverageDisc | null {
  const group = coverageGroup(s.kind);
  if (!group) return null;
  if (typeof s.lat !== 'number' || typeof s.lon !== 'number' || !Number.isFinite(s.lat) || !Number.isFinite(s.lon)) return null;
  const r = typeof s.range_m === 'number' && Number.isFinite(s.range_m) && s.range_m > 0 ? s.range_m : DEFAULT_RANGE_M[group];
  return { group, lat: s.lat, lon: s.lon, r, ok: s.status === 'ok' };
}

/** What of a sensor matters to the coverage: a change of it (and only that) calls for a recompute. */
export function coverageSignature(s: SensorWire): string {
  const d = coverageDisc(s);
  return d ? `${d.group}|${d.lat}|${d.lon}|${d.r}|${d.ok ? 1 : 0}` : '';
}

export interface CoverageOptions {
  /** Cells per group at most (default 1,000,000): bounds the work and the memory (4 bytes a cell, two fields). */
  maxCells?: number;
  /** Cell size (m) wanted: the smallest radius of the group / this (default 6), unless maxCells forces it coarser. */
  cellsPerRadius?: number;
  /** Never finer than this (m, default 25). */
  minCellM?: number;
  /** Side of the square tiles the grid is traced in (cells, default 128). */
  tileCells?: number;
  /** Outlines simplified (Douglas-Peucker) to within this many cells (default 0.2; 0: not simplified). */
  simplifyCells?: number;
  /** At least this many cells along the longer side of a group's grid, when maxCells allows (default 256). */
  minCellsAcross?: number;
}

export interface CoverageGroupStats {
  group: CoverageGroup;
  /** Sensors of the group with a disc, working and not. */
  ok: number;
  notOk: number;
  /** Grid: columns × rows and the cell size (m, north-south). */
  cols: number;
  rows: number;
  cellM: number;
  /** Area covered by working sensors, and covered only by sensors not ok (km², counted in cells). */
  coveredKm2: number;
  lostKm2: number;
}

export interface CoverageResult {
  /** One MultiPolygon per (group, part) that is not empty; properties `{ group, part: 'covered' | 'lost' }`. */
  fc: FeatureCollection<MultiPolygon>;
  stats: CoverageGroupStats[];
}

const DEG = Math.PI / 180;
const M_PER_DEG = EARTH_RADIUS_M * DEG;

/** The coverage areas of the discs (see the module comment). */
export function computeCoverage(discs: readonly CoverageDisc[], o: CoverageOptions = {}): CoverageResult {
  const features: Feature<MultiPolygon>[] = [];
  const stats: CoverageGroupStats[] = [];
  for (const group of COVERAGE_GROUPS) {
    const mine = discs.filter((d) => d.group === group);
    if (mine.length === 0) continue;
    const g = groupCoverage(group, mine, o);
    stats.push(g.stats);
    for (const f of g.features) features.push(f);
  }
  return { fc: { type: 'FeatureCollection', features }, stats };
}

function groupCoverage(group: CoverageGroup, discs: readonly CoverageDisc[], o: CoverageOptions): { features: Feature<MultiPolygon>[]; stats: CoverageGroupStats } {
  const maxCells = o.maxCells ?? 1_000_000;
  // bounding box of the discs (degrees)
  let s = Infinity;
  let n = -Infinity;
  let w = Infinity;
  let e = -Infinity;
  let rMin = Infinity;
  for (const d of discs) {
    const dLat = d.r / M_PER_DEG;
    const dLon = d.r / (M_PER_DEG * Math.max(Math.cos(d.lat * DEG), 1e-6));
    s = Math.min(s, d.lat - dLat);
    n = Math.max(n, d.lat + dLat);
    w = Math.min(w, d.lon - dLon);
    e = Math.max(e, d.lon + dLon);
    rMin = Math.min(rMin, d.r);
  }
  const cosMid = Math.max(Math.cos(((s + n) / 2) * DEG), 1e-6);
  const heightM = (n - s) * M_PER_DEG;
  const widthM = (e - w) * M_PER_DEG * cosMid;
  // fine enough for the smallest disc, and for the whole area when it is large (one radar)
  let cellM = Math.max(o.minCellM ?? 25, Math.min(rMin / (o.cellsPerRadius ?? 6), Math.max(widthM, heightM) / (o.minCellsAcross ?? 256)));
  // three cells of margin on every side: the field is negative on the border, so every ring closes inside
  const cellsAt = (c: number) => (Math.ceil(widthM / c) + 6) * (Math.ceil(heightM / c) + 6);
  if (cellsAt(cellM) > maxCells) {
    cellM = Math.sqrt((widthM * heightM) / maxCells) * 1.01;
    while (cellsAt(cellM) > maxCells) cellM *= 1.05;
  }
  const cellLat = cellM / M_PER_DEG;
  const cellLon = cellM / (M_PER_DEG * cosMid);
  const cols = Math.ceil(widthM / cellM) + 6;
  const rows = Math.ceil(heightM / cellM) + 6;
  // cell (i, j) has its centre at lon0 + i·cellLon, lat0 + j·cellLat (row 0 in the south)
  const lon0 = w - 3 * cellLon;
  const lat0 = s - 3 * cellLat;
  const floor = -3 * cellM; // far from every disc: negative, below the threshold
  const okF = new Float32Array(cols * rows).fill(floor);
  const badF = new Float32Array(cols * rows).fill(floor);
  let nOk = 0;
  let nBad = 0;
  for (const d of discs) {
    const field = d.ok ? okF : badF;
    if (d.ok) nOk++;
    else nBad++;
    const kx = M_PER_DEG * Math.max(Math.cos(d.lat * DEG), 1e-6); // metres per degree of longitude at the sensor
    const reach = d.r + 2 * cellM; // cells just outside the edge get their true value: the interpolation needs it
    const i0 = Math.max(0, Math.floor((d.lon - reach / kx - lon0) / cellLon));
    const i1 = Math.min(cols - 1, Math.ceil((d.lon + reach / kx - lon0) / cellLon));
    const j0 = Math.max(0, Math.floor((d.lat - reach / M_PER_DEG - lat0) / cellLat));
    const j1 = Math.min(rows - 1, Math.ceil((d.lat + reach / M_PER_DEG - lat0) / cellLat));
    for (let j = j0; j <= j1; j++) {
      const dy = (lat0 + j * cellLat - d.lat) * M_PER_DEG;
      const dy2 = dy * dy;
      const row = j * cols;
      for (let i = i0; i <= i1; i++) {
        const dx = (lon0 + i * cellLon - d.lon) * kx;
        const v = d.r - Math.sqrt(dx * dx + dy2);
        if (v > field[row + i]) field[row + i] = v;
      }
    }
  }
  const cellKm2 = (cellM * cellM) / 1e6;
  let covered = 0;
  let lost = 0;
  // lost: covered by a sensor not ok and by no working one; min(bad, −ok) >= 0
  const lostF = nBad > 0 ? new Float32Array(cols * rows) : null;
  for (let k = 0; k < okF.length; k++) {
    if (okF[k] >= 0) covered++;
    if (lostF) {
      const v = Math.min(badF[k], -okF[k]);
      // −ok is positive far from every working sensor: keep the bad field's floor there
      lostF[k] = v;
      if (v >= 0) lost++;
    }
  }
  const toLonLat = (x: number, y: number): Position => [lon0 + (x - 0.5) * cellLon, lat0 + (y - 0.5) * cellLat];
  const features: Feature<MultiPolygon>[] = [];
  const trace = (field: Float32Array, part: 'covered' | 'lost') => {
    const coordinates = traceTiled(field, cols, rows, o.tileCells ?? 128, o.simplifyCells ?? 0.2, toLonLat);
    if (coordinates.length > 0) features.push({ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates }, properties: { group, part } });
  };
  if (nOk > 0) trace(okF, 'covered');
  if (lostF && lost > 0) trace(lostF, 'lost');
  return {
    features,
    stats: { group, ok: nOk, notOk: nBad, cols, rows, cellM, coveredKm2: covered * cellKm2, lostKm2: lost * cellKm2 },
  };
}

/**
 * The polygons where `field` >= 0, traced by d3-contour tile by tile. d3-contour stitches a
 * ring by prepending to and concatenating arrays, and matches each hole against every
 * polygon: quadratic in the length of a ring and in the number of polygons (one grid of a
 * million cells with 10,000 discs took 1.0-1.8 s in one piece). Traced in tiles of
 * `tile` × `tile` cells every ring stays short and the work is about linear in the cells.
 * Each tile is traced with one cell of its neighbours on every side (so the edge is
 * interpolated across the tile border as anywhere else, and d3-contour's closing of rings at
 * the grid border, which cuts corners, happens outside the tile), then its rings are clipped
 * to the tile's square (Sutherland–Hodgman; the square is convex). The pieces of a polygon
 * that crosses tile borders abut exactly along them. Then each ring is simplified
 * (simplifyRing): marching squares put a vertex on every cell side the edge crosses, which on
 * a gentle curve is far more than the shape needs.
 */
function traceTiled(field: Float32Array, cols: number, rows: number, tile: number, tolerance: number, toLonLat: (x: number, y: number) => Position): Position[][][] {
  const out: Position[][][] = [];
  const gen = contours().thresholds([0]);
  const buf = new Float32Array((tile + 2) * (tile + 2));
  for (let ty = 0; ty < rows; ty += tile) {
    const h = Math.min(tile, rows - ty);
    for (let tx = 0; tx < cols; tx += tile) {
      const w = Math.min(tile, cols - tx);
      // skip a tile (with its one-cell rim) that has nothing above the threshold: most of a sparse network
      const x0 = Math.max(0, tx - 1);
      const x1 = Math.min(cols, tx + w + 1);
      const y0 = Math.max(0, ty - 1);
      const y1 = Math.min(rows, ty + h + 1);
      let any = false;
      for (let j = y0; j < y1 && !any; j++) {
        for (let k = j * cols + x0, end = j * cols + x1; k < end; k++) {
          if (field[k] >= 0) {
            any = true;
            break;
          }
        }
      }
      if (!any) continue;
      const pw = x1 - x0;
      const vals = buf.subarray(0, pw * (y1 - y0));
      for (let j = y0; j < y1; j++) vals.set(field.subarray(j * cols + x0, j * cols + x1), (j - y0) * pw);
      const mp = gen.size([pw, y1 - y0])(vals as unknown as number[])[0];
      // the tile's square in the padded tile's coordinates (sample k at k + 0.5)
      const box = { x0: tx - x0, y0: ty - y0, x1: tx - x0 + w, y1: ty - y0 + h };
      for (const poly of mp.coordinates) {
        const rings: Position[][] = [];
        for (let r = 0; r < poly.length; r++) {
          const c = simplifyRing(clipRing(poly[r], box), box, tolerance);
          if (c.length < 4) {
            if (r === 0) break; // the outer ring is outside the square: so are its holes
            continue;
          }
          rings.push(c.map((p) => toLonLat(p[0] + x0, p[1] + y0)));
        }
        if (rings.length > 0) out.push(rings);
      }
    }
  }
  return out;
}

/**
 * A closed ring simplified with Douglas-Peucker (simplify-js) to within `tolerance`, keeping
 * every point on the box's border: the pieces of a polygon cut at a tile border keep the same
 * points there, so they still abut without a sliver. Fewer than 4 points: nothing left.
 */
export function simplifyRing(ring: Position[], b: { x0: number; y0: number; x1: number; y1: number }, tolerance: number): Position[] {
  if (!(tolerance > 0) || ring.length < 5) return ring;
  const pts = ring.slice(0, -1).map((p) => ({ x: p[0], y: p[1] }));
  const locked = (p: { x: number; y: number }) => p.x === b.x0 || p.x === b.x1 || p.y === b.y0 || p.y === b.y1;
  const start = pts.findIndex(locked);
  if (start < 0) {
    // no point on the border: the ring's first point stays, the rest is simplified
    const out = simplify([...pts, pts[0]], tolerance, true);
    return out.length < 4 ? [] : out.map((p) => [p.x, p.y]);
  }
  const n = pts.length;
  const out: { x: number; y: number }[] = [];
  let chain = [pts[start]];
  for (let k = 1; k <= n; k++) {
    const p = pts[(start + k) % n];
    chain.push(p);
    if (locked(p)) {
      const s = simplify(chain, tolerance, true);
      for (let i = 0; i < s.length - 1; i++) out.push(s[i]);
      chain = [p];
    }
  }
  if (out.length < 3) return [];
  out.push(out[0]);
  return out.map((p) => [p.x, p.y]);
}

/** A closed ring clipped to an axis-aligned box (Sutherland–Hodgman), closed again; fewer than 4 points: nothing left. */
export function clipRing(ring: readonly Position[], b: { x0: number; y0: number; x1: number; y1: number }): Position[] {
  let pts: Position[] = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring.slice();
  const edge = (inside: (p: Position) => boolean, cut: (p: Position, q: Position) => Position) => {
    const res: Position[] = [];
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i];
      const q = pts[(i + 1) % pts.length];
      const pin = inside(p);
      const qin = inside(q);
      if (pin) res.push(p);
      if (pin !== qin) res.push(cut(p, q));
    }
    pts = res;
  };
  const atX = (x: number) => (p: Position, q: Position): Position => [x, p[1] + ((q[1] - p[1]) * (x - p[0])) / (q[0] - p[0])];
  const atY = (y: number) => (p: Position, q: Position): Position => [p[0] + ((q[0] - p[0]) * (y - p[1])) / (q[1] - p[1]), y];
  // a box side a ring does not reach needs no pass
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of pts) {
    if (p[0] < minX) minX = p[0];
    if (p[0] > maxX) maxX = p[0];
    if (p[1] < minY) minY = p[1];
    if (p[1] > maxY) maxY = p[1];
  }
  if (minX < b.x0) edge((p) => p[0] >= b.x0, atX(b.x0));
  if (maxX > b.x1 && pts.length > 0) edge((p) => p[0] <= b.x1, atX(b.x1));
  if (minY < b.y0 && pts.length > 0) edge((p) => p[1] >= b.y0, atY(b.y0));
  if (maxY > b.y1 && pts.length > 0) edge((p) => p[1] <= b.y1, atY(b.y1));
  if (pts.length < 3) return [];
  pts.push(pts[0]);
  return pts;
}

/** Coverage of a set of sensors: the discs of those that cover, then {@link computeCoverage}. */
export function sensorCoverage(sensors: Iterable<SensorWire>, o?: CoverageOptions): CoverageResult {
  const discs: CoverageDisc[] = [];
  for (const s of sensors) {
    const d = coverageDisc(s);
    if (d) discs.push(d);
  }
  return computeCoverage(discs, o);
}

/**
 * When to recompute (the layer's schedule): only when a sensor's coverage signature changed
 * (a sensor came or went from ok, moved, changed range), and at most once per `minIntervalMs`.
 * Times are the caller's clock (ms), so tests drive it.
 */
export interface CoverageSchedule {
  /** Takes sensors that changed (or all of them); true when the coverage is now stale. */
  observe(sensors: Iterable<SensorWire>): boolean;
  /** null: nothing to do; 0: recompute now; > 0: wait this many ms (the throttle). */
  due(nowMs: number): number | null;
  /** A recompute started at `nowMs` with the sensors as observed so far. */
  started(nowMs: number): void;
  version(): number;
}

export function createCoverageSchedule(minIntervalMs: number): CoverageSchedule {
  const sigs = new Map<string, string>();
  let version = 0;
  let drawn = -1;
  let lastAt = -Infinity;
  return {
    observe(sensors) {
      let changed = false;
      for (const s of sensors) {
        const sig = coverageSignature(s);
        if ((sigs.get(s.id) ?? '') !== sig) {
          sigs.set(s.id, sig);
          changed = true;
        }
      }
      if (changed) version++;
      return version !== drawn;
    },
    due(nowMs) {
      if (version === drawn) return null;
      return Math.max(0, lastAt + minIntervalMs - nowMs);
    },
    started(nowMs) {
      drawn = version;
      lastAt = nowMs;
    },
    version: () => version,
  };
}
