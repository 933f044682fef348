/**
 * The map and its offline base layer. The style references nothing on the web: no glyphs,
 * no sprites, no tiles, unless the user sets an online raster tile source in the settings.
 * Country outlines (world-atlas, Natural Earth 1:50m) and the Korean provinces and
 * municipalities (KOSTAT SGIS 2018, KOGL Type 1) are TopoJSON files that the build copies
 * into dist/assets; they are fetched from our own server and converted here. The place names
 * of the demo region (data/kr-places) are HTML labels (layers/place-labels.ts).
 */
import { createResolutionGovernor } from './logic/resolution-governor.js';
import maplibregl, { type Map as MlMap, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection } from 'geojson';
import countriesUrl from 'world-atlas/countries-50m.json?url';
import provincesUrl from '../../../data/kr-admin/skorea-provinces-2018-topo-simple.json?url';
import municipalitiesUrl from '../../../data/kr-admin/skorea-municipalities-2018-topo-simple.json?url';
import placesDataUrl from '../../../data/kr-places/capital-area-places.geojson?url';
import { validTileUrl, type Settings } from './settings.js';

export const ATTRIBUTION_WORLD = 'Countries: Natural Earth (public domain) via world-atlas';
export const ATTRIBUTION_KR = 'Korean boundaries — Source: Statistics Korea, SGIS (KOGL Type 1)';
/** The place names (HTML labels, layers/place-labels.ts): always shown, so a custom attribution. */
export const ATTRIBUTION_PLACES = 'Places: GeoNames (CC BY 4.0), Statistics Korea SGIS';
/** The demo region's place names (data/kr-places), copied into dist/assets by the build. */
export const placesUrl: string = placesDataUrl;

const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Style of the base map: a dark background, optional online raster, offline outlines. */
export function baseStyle(settings: Settings): StyleSpecification {
  const online = validTileUrl(settings.tileUrl);
  return {
    version: 8,
    name: 'skywarden-dark',
    sources: {
      countries: { type: 'geojson', data: EMPTY, attribution: ATTRIBUTION_WORLD },
      provinces: { type: 'geojson', data: EMPTY, attribution: ATTRIBUTION_KR },
      municipalities: { type: 'geojson', data: EMPTY },
      ...(online
        ? { online: { type: 'raster' as const, tiles: [settings.tileUrl], tileSize: 256, maxzoom: 19, attribution: settings.tileAttribution || settings.tileUrl } }
        : {}),
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#0b1219' } },
      { id: 'countries-fill', type: 'fill', source: 'countries', paint: { 'fill-color': '#141d26' } },
      ...(online ? [{ id: 'online-raster', type: 'raster' as const, source: 'online', paint: { 'raster-opacity': 0.55, 'raster-saturation': -0.6, 'raster-brightness-max': 0.6 } }] : []),
      { id: 'countries-line', type: 'line', source: 'countries', paint: { 'line-color': '#4a5d70', 'line-width': 0.8 } },
      {
        id: 'municipalities-line', type: 'line', source: 'municipalities', minzoom: 7.5,
        layout: { visibility: settings.showMunicipalities ? 'visible' : 'none' },
        paint: { 'line-color': '#2f4152', 'line-width': 0.6 },
      },
      { id: 'provinces-line', type: 'line', source: 'provinces', paint: { 'line-color': '#5c7389', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 0.6, 10, 1.6] } },
    ],
  };
}

async function loadTopo(url: string): Promise<FeatureCollection> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`base layer ${url}: HTTP ${res.status}`);
  const topo = (await res.json()) as Topology;
  const name = Object.keys(topo.objects)[0];
  return feature(topo, topo.objects[name] as GeometryCollection) as unknown as FeatureCollection;
}

export interface MapHandle {
  map: MlMap;
  /** Resolves when the style and the offline base data are in. */
  ready: Promise<void>;
  /** Base features loaded per source (for tests). */
  baseCounts: Record<string, number>;
  /** The canvas's drawing scale now (1: full resolution; lower on slow graphics) and the smoothed frame cost (ms). */
  resolution(): { scale: number; frameMs: number };
}

/**
 * A frame longer than this holds a click too long (ms): with the 200 ms goal for a click to
 * show its result, a frame may take half of it.
 */
const FRAME_BUDGET_MS = 100;

/** Fetch the packaged base files and hand them to the base sources (after any style change). */
export async function loadBaseData(map: MlMap, counts: Record<string, number> = {}): Promise<void> {
  const entries: [string, string][] = [['countries', countriesUrl], ['provinces', provincesUrl], ['municipalities', municipalitiesUrl]];
  await Promise.all(entries.map(async ([id, url]) => {
    try {
      const fc = await loadTopo(url);
      counts[id] = fc.features.length;
      (map.getSource(id) as maplibregl.GeoJSONSource | undefined)?.setData(fc);
    } catch (e) {
      console.error(`base layer ${id} not loaded:`, e);
      counts[id] = 0;
    }
  }));
}

/** Create the map in `container`, centred on the Seoul capital area. */
export function createMap(container: HTMLElement, settings: Settings, opts: { adaptiveResolution?: boolean } = {}): MapHandle {
  const map = new maplibregl.Map({
    container,
    style: baseStyle(settings),
    center: [126.98, 37.55],
    zoom: 8.5,
    attributionControl: false,
    maxPitch: 0,
    dragRotate: false,
    fadeDuration: 0,
    // The page is the only user of this map: keep the drawing buffer so tests and the
    // benchmark can read pixels back.
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: ['Skywarden', ATTRIBUTION_PLACES] }), 'bottom-left');
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  const baseCounts: Record<string, number> = {};
  const styleLoaded = new Promise<void>((resolve) => {
    if (map.isStyleLoaded()) resolve();
    else map.once('load', () => resolve());
  });
  const ready = styleLoaded.then(() => loadBaseData(map, baseCounts));
  // Slow graphics: a frame's cost is its render to the next task (the draw, then the
  // browser's paint and composite of the canvas, where a software rasteriser spends its
  // time); the governor lowers the canvas's resolution while frames are over the budget.
  const dpr = () => (globalThis.devicePixelRatio > 0 ? globalThis.devicePixelRatio : 1);
  const governor = createResolutionGovernor({ budgetMs: FRAME_BUDGET_MS, scales: [1, 0.75, 0.5] });
  map.on('render', () => {
    const t = performance.now();
    setTimeout(() => {
      if (governor.observe(performance.now() - t) && opts.adaptiveResolution !== false) map.setPixelRatio(dpr() * governor.scale());
    }, 0);
  });
  return { map, ready, baseCounts, resolution: () => ({ scale: opts.adaptiveResolution === false ? 1 : governor.scale(), frameMs: governor.costMs() }) };
}
