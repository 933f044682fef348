/**
 * Warning zones for simulated scenes, as the GeoJSON FeatureCollection of spec/interchange.md
 * (`zones.geojson`): Polygon features with `properties.id` (unique), `properties.name`,
 * `properties.kind` (`admin` or `site`) and `properties.lead_s` (the warning lead time the zone
 * wants, s).
 *
 * - {@link makeDistrictZones}: administrative districts as a regular grid over a rectangle,
 *   drawn in the ENU plane of its centre; neighbouring cells share their corner coordinates
 *   exactly, so in longitude/latitude (where GeoJSON edges are straight lines, RFC 7946 §3.1.1)
 *   the cells tile the area without gaps or overlaps.
 * - {@link makeSiteZones}: protected sites (power stations, depots, ...) as small polygons
 *   scattered over a square region, apart from each other.
 *
 * Rings are closed (first position repeated last) and counter-clockwise (RFC 7946 §3.1.6, the
 * right-hand rule); positions are [longitude, latitude] in degrees.
 */
import { createEnuFrame, enuToGeodetic, type GeoPoint } from '@skywarden/core';
import { createRng, deriveSeed } from './rng.js';
import { check } from './row-util.js';

/** Properties of a zone feature (spec/interchange.md, zones.geojson). */
export interface ZoneProperties {
  id: string;
  name: string;
  kind: 'admin' | 'site';
  /** Wanted warning lead time (s). */
  lead_s: number;
  [extra: string]: unknown;
}

/** A zone: a GeoJSON Polygon feature. */
export interface ZoneFeature {
  type: 'Feature';
  properties: ZoneProperties;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
}

/** The contents of a `zones.geojson` file. */
export interface ZoneFeatureCollection {
  type: 'FeatureCollection';
  features: ZoneFeature[];
}

/** Inputs of {@link makeDistrictZones}. */
export interface DistrictZonesOptions {
  /** Centre of the rectangle (its altitude is ignored). */
  origin: GeoPoint;
  /** Sides of the rectangle (m), east-west and north-south. */
  widthM: number;
  heightM: number;
  /** Number of columns (west to east) and rows (north to south), integers ≥ 1. */
  nx: number;
  ny: number;
  /** `lead_s` of every district (s); default 300 (15 km of warning for a drone at 50 m/s). */
  leadS?: number;
  /** Id prefix; default `district`. */
  idPrefix?: string;
}

/** Spreadsheet-style row letters: 0 → A, 25 → Z, 26 → AA, ... */
function rowLabel(j: number): string {
  let s = '';
  for (let k = j + 1; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

function checkLead(fn: string, leadS: number): void {
  check(leadS >= 0 && Number.isFinite(leadS), `${fn}: leadS must be a number of seconds >= 0, got ${leadS}`);
}

/**
 * A grid of `nx` × `ny` administrative districts covering the rectangle `widthM` × `heightM`
 * centred on `origin` (see the module comment). Rows are lettered from the north (A, B, ...),
 * columns numbered from the west (1, 2, ...): the district in row B, column 4 has id
 * `district-B04` (columns zero-padded to a common width) and name `District B4`. Kind `admin`.
 * Throws a RangeError for bad sizes or counts, quoting them.
 */
export function makeDistrictZones(opts: DistrictZonesOptions): ZoneFeatureCollection {
  const fn = 'makeDistrictZones';
  const { widthM: w, heightM: h, nx, ny } = opts;
  check(w > 0 && Number.isFinite(w) && h > 0 && Number.isFinite(h), `${fn}: widthM and heightM must be > 0, got ${w}, ${h}`);
  check(Number.isSafeInteger(nx) && nx >= 1 && Number.isSafeInteger(ny) && ny >= 1, `${fn}: nx and ny must be integers >= 1, got ${nx}, ${ny}`);
  const leadS = opts.leadS ?? 300;
  checkLead(fn, leadS);
  const prefix = opts.idPrefix ?? 'district';
  const frame = createEnuFrame({ ...opts.origin, altM: 0 });
  // Vertex (i, j): i from the west edge, j from the south edge.
  const vx: [number, number][] = [];
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const g = enuToGeodetic(frame, -w / 2 + (i * w) / nx, -h / 2 + (j * h) / ny, 0);
      vx.push([g.lonDeg, g.latDeg]);
    }
  }
  // A fresh pair per use (same numbers), so that no two positions share an array.
  const v = (i: number, j: number): [number, number] => [vx[j * (nx + 1) + i][0], vx[j * (nx + 1) + i][1]];
  const width = String(nx).length;
  const features: ZoneFeature[] = [];
  for (let r = 0; r < ny; r++) {
    const j = ny - 1 - r; // row r from the north is cell row j from the south
    for (let i = 0; i < nx; i++) {
      const label = rowLabel(r);
      features.push({
        type: 'Feature',
        properties: { id: `${prefix}-${label}${String(i + 1).padStart(width, '0')}`, name: `District ${label}${i + 1}`, kind: 'admin', lead_s: leadS },
        geometry: { type: 'Polygon', coordinates: [[v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1), v(i, j)]] },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

/** Inputs of {@link makeSiteZones}. */
export interface SiteZonesOptions {
  seed: number;
  /** Centre of the square region (its altitude is ignored). */
  origin: GeoPoint;
  /** Side of the square region (m); every site lies wholly inside it. */
  regionM: number;
  /** Number of sites, an integer ≥ 0. */
  count: number;
  /** Outer radius of a site's polygon (m), > 0. */
  radiusM: number;
  /** `lead_s` of every site (s); default 600 (time to ready the defence and shelter). */
  leadS?: number;
  /** Number of vertices of each polygon, ≥ 3; default 12. */
  vertices?: number;
  /** Id prefix; default `site`. */
  idPrefix?: string;
}

const SITE_KINDS = ['Power station', 'Substation', 'Fuel depot', 'Water works', 'Rail junction', 'Airfield', 'Port', 'Factory', 'Gas plant', 'Command post'];

/**
 * `count` protected sites (kind `site`) scattered over the square region: each a star-shaped
 * polygon of `vertices` corners at 85-100 % of `radiusM` from its centre, with centres drawn by
 * best-candidate sampling (20 candidates) at least 3·radiusM apart and radiusM inside the
 * region's edge, so sites never overlap. Ids `site-01`, ...; names like `Fuel depot 2`.
 * Deterministic for a seed (stream `zones/sites/<prefix>`). Throws a RangeError for bad options,
 * or when the sites do not fit apart in the region.
 */
export function makeSiteZones(opts: SiteZonesOptions): ZoneFeatureCollection {
  const fn = 'makeSiteZones';
  const { count, radiusM: r, regionM } = opts;
  check(Number.isSafeInteger(count) && count >= 0, `${fn}: count must be an integer >= 0, got ${count}`);
  check(r > 0 && Number.isFinite(r), `${fn}: radiusM must be > 0, got ${r}`);
  check(regionM > 2 * r && Number.isFinite(regionM), `${fn}: regionM must be finite and > 2·radiusM (${2 * r}), got ${regionM}`);
  const nv = opts.vertices ?? 12;
  check(Number.isSafeInteger(nv) && nv >= 3, `${fn}: vertices must be an integer >= 3, got ${nv}`);
  const leadS = opts.leadS ?? 600;
  checkLead(fn, leadS);
  const prefix = opts.idPrefix ?? 'site';
  const rng = createRng(deriveSeed(opts.seed, `zones/sites/${prefix}`));
  const frame = createEnuFrame({ ...opts.origin, altM: 0 });
  const lim = regionM / 2 - r;
  const minGap = 3 * r;
  const centres: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    let best: [number, number] | null = null;
    let bestD = -1;
    for (let attempt = 0; attempt < 50 && bestD < minGap * minGap; attempt++) {
      for (let c = 0; c < 20; c++) {
        const e = rng.uniform(-lim, lim);
        const n = rng.uniform(-lim, lim);
        let d = Infinity;
        for (const q of centres) d = Math.min(d, (q[0] - e) ** 2 + (q[1] - n) ** 2);
        if (d > bestD) {
          bestD = d;
          best = [e, n];
        }
      }
    }
    if (best === null || bestD < minGap * minGap) {
      throw new RangeError(`${fn}: cannot place ${count} sites of radius ${r} m at least ${minGap} m apart in a ${regionM} m square (placed ${k})`);
    }
    centres.push(best);
  }
  const width = Math.max(2, String(count).length);
  const perKind = new Map<string, number>();
  const features: ZoneFeature[] = centres.map(([ce, cn], k) => {
    const kind = rng.pick(SITE_KINDS);
    const nth = (perKind.get(kind) ?? 0) + 1;
    perKind.set(kind, nth);
    const rot = rng.uniform(0, (2 * Math.PI) / nv);
    const ring: [number, number][] = [];
    for (let i = 0; i < nv; i++) {
      const a = rot + (2 * Math.PI * i) / nv; // counter-clockwise from east
      const rr = r * rng.uniform(0.85, 1);
      const g = enuToGeodetic(frame, ce + rr * Math.cos(a), cn + rr * Math.sin(a), 0);
      ring.push([g.lonDeg, g.latDeg]);
    }
    ring.push([ring[0][0], ring[0][1]]);
    return {
      type: 'Feature' as const,
      properties: { id: `${prefix}-${String(k + 1).padStart(width, '0')}`, name: `${kind} ${nth}`, kind: 'site' as const, lead_s: leadS },
      geometry: { type: 'Polygon' as const, coordinates: [ring] },
    };
  });
  return { type: 'FeatureCollection', features };
}
