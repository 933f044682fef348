/**
 * The user's own base map (server setting `web.basemap_pmtiles`, docs/web.md "Your own base
 * map"): a PMTiles v3 file served by our server at /api/v1/basemap/tiles.pmtiles, read with
 * HTTP Range requests through the `pmtiles` library's MapLibre protocol. Nothing leaves our
 * server. Raster tiles (PNG, JPEG, WebP, AVIF) are drawn as they are, dimmed, under the
 * outlines; vector tiles (MVT) get a plain built-in style for the common layer names of
 * OpenMapTiles and Protomaps (water, roads, railways, boundaries, buildings), lines and fills
 * only: the style has no glyphs, so no names are drawn from the tiles.
 */
import maplibregl, { type Map as MlMap, type LayerSpecification } from 'maplibre-gl';
import { PMTiles, Protocol, FetchSource, TileType } from 'pmtiles';

export const USER_SOURCE = 'user-base';

export interface UserBaseSpec {
  kind: 'raster' | 'vector';
  /** pmtiles://<absolute URL> */
  url: string;
  attribution: string;
  layers: LayerSpecification[];
  /** West, south, east, north (degrees). */
  bounds: [number, number, number, number];
  centerZoom: number;
}

let protocol: Protocol | null = null;

const ROAD = /road|transport|highway|street/i;
const RAIL = /rail/i;
const WATER_AREA = /^(water|ocean|lake|sea)s?$/i;
const WATERWAY = /waterway|river|stream/i;
const BOUNDARY = /bound|admin|border/i;
const BUILDING = /building/i;

/** Road kinds drawn stronger (OpenMapTiles `class`, Protomaps `kind`, OSM `highway`). */
const MAJOR = ['motorway', 'trunk', 'primary', 'highway', 'major_road'];
const isMajor: unknown = ['any', ...['class', 'kind', 'highway'].map((k) => ['in', ['coalesce', ['get', k], ''], ['literal', MAJOR]])];

/** The plain style of a vector PMTiles file's layers (by their names); unknown names get a thin line. */
export function vectorLayers(ids: readonly string[]): LayerSpecification[] {
  const out: LayerSpecification[] = [];
  const src = { source: USER_SOURCE } as const;
  const polys = ['==', ['geometry-type'], 'Polygon'] as unknown as maplibregl.FilterSpecification;
  const lines = ['==', ['geometry-type'], 'LineString'] as unknown as maplibregl.FilterSpecification;
  for (const id of ids) {
    const base = { ...src, 'source-layer': id };
    if (WATER_AREA.test(id)) out.push({ id: `user-${id}-fill`, type: 'fill', ...base, filter: polys, paint: { 'fill-color': '#0d1f2e' } });
    else if (WATERWAY.test(id)) out.push({ id: `user-${id}-line`, type: 'line', ...base, filter: lines, paint: { 'line-color': '#1c3a52', 'line-width': 0.8 } });
    else if (BUILDING.test(id)) out.push({ id: `user-${id}-fill`, type: 'fill', ...base, minzoom: 13, filter: polys, paint: { 'fill-color': '#18222c' } });
    else if (RAIL.test(id)) out.push({ id: `user-${id}-line`, type: 'line', ...base, filter: lines, paint: { 'line-color': '#3a4350', 'line-width': 0.7, 'line-dasharray': [3, 2] } });
    else if (ROAD.test(id)) {
      out.push({ id: `user-${id}-minor`, type: 'line', ...base, filter: ['all', lines, ['!', isMajor]] as unknown as maplibregl.FilterSpecification, paint: { 'line-color': '#2c3a48', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.3, 14, 1.2] } });
      out.push({ id: `user-${id}-major`, type: 'line', ...base, filter: ['all', lines, isMajor] as unknown as maplibregl.FilterSpecification, paint: { 'line-color': '#4f6274', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.6, 14, 2.4] } });
    } else if (BOUNDARY.test(id)) out.push({ id: `user-${id}-line`, type: 'line', ...base, filter: lines, paint: { 'line-color': '#45586b', 'line-width': 0.7, 'line-dasharray': [4, 2] } });
  }
  if (out.length === 0) {
    // names of no known scheme: every layer as thin lines (polygon outlines included)
    for (const id of ids) out.push({ id: `user-${id}-line`, type: 'line', source: USER_SOURCE, 'source-layer': id, paint: { 'line-color': '#3a4a5a', 'line-width': 0.6 } });
  }
  return out;
}

/**
 * Reads the header (and for vector tiles the metadata) of the PMTiles file at `path` (on our
 * server) and returns what to add to the map. `token`: the session's bearer token (the cookie
 * also authenticates; open viewing needs neither).
 */
export async function loadUserBase(path: string, attribution: string, token: string | null): Promise<UserBaseSpec> {
  const abs = new URL(path, location.href).href;
  if (!protocol) {
    protocol = new Protocol();
    maplibregl.addProtocol('pmtiles', protocol.tile);
  }
  const headers = new Headers();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const p = new PMTiles(new FetchSource(abs, headers));
  protocol.add(p);
  const h = await p.getHeader();
  const bounds: [number, number, number, number] = [h.minLon, h.minLat, h.maxLon, h.maxLat];
  if (h.tileType === TileType.Mvt) {
    const meta = (await p.getMetadata()) as { vector_layers?: { id?: unknown }[] } | null;
    const ids = (meta?.vector_layers ?? []).map((l) => l.id).filter((x): x is string => typeof x === 'string');
    if (ids.length === 0) throw new Error('base map: vector PMTiles without vector_layers in its metadata');
    return { kind: 'vector', url: `pmtiles://${abs}`, attribution, layers: vectorLayers(ids), bounds, centerZoom: h.centerZoom };
  }
  if (h.tileType === TileType.Unknown) throw new Error('base map: the PMTiles header gives no tile type');
  return {
    kind: 'raster',
    url: `pmtiles://${abs}`,
    attribution,
    layers: [{ id: 'user-raster', type: 'raster', source: USER_SOURCE, paint: { 'raster-opacity': 0.6, 'raster-saturation': -0.5, 'raster-brightness-max': 0.65 } }],
    bounds,
    centerZoom: h.centerZoom,
  };
}

/** Adds the base map's source and layers under the outlines (again after every style change). */
export function installUserBase(map: MlMap, spec: UserBaseSpec): void {
  if (map.getSource(USER_SOURCE)) return;
  if (spec.kind === 'raster') map.addSource(USER_SOURCE, { type: 'raster', url: spec.url, tileSize: 256, attribution: spec.attribution });
  else map.addSource(USER_SOURCE, { type: 'vector', url: spec.url, attribution: spec.attribution });
  const before = map.getLayer('countries-line') ? 'countries-line' : undefined;
  for (const l of spec.layers) map.addLayer(l, before);
}

/** When the view's centre is outside the file's region, go to the region (a base map of another place). */
export function showUserRegion(map: MlMap, spec: UserBaseSpec): void {
  const [w, s, e, n] = spec.bounds;
  const c = map.getCenter();
  if (!(e > w && n > s)) return;
  if (c.lng >= w && c.lng <= e && c.lat >= s && c.lat <= n) return;
  map.jumpTo({ center: [(w + e) / 2, (s + n) / 2], zoom: Math.max(spec.centerZoom, 5) });
}
