/**
 * Tracks on the map: GPU layers over five GeoJSON sources (symbols, 95 % uncertainty
 * circles, velocity leaders, predicted paths, trails). One setData per source per update;
 * no DOM per track.
 */
import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource, Map as MlMap, MapLayerMouseEvent } from 'maplibre-gl';
import type { TrackWire } from '@skywarden/formats';
import { buildTrackLayers, emptyFC, type TrackLayers } from '../logic/geojson.js';
import type { TrailBuffer } from '../logic/trail-buffer.js';
import { addTrackIcons } from '../icons.js';

export const TRACK_SOURCES = { points: 'trk-points', uncertainty: 'trk-unc', vectors: 'trk-vec', predicted: 'trk-pred', trails: 'trk-trail', history: 'trk-history' } as const;

export interface TracksLayer {
  update(tracks: readonly TrackWire[], selected: string | null): void;
  setHistory(coords: [number, number][]): void;
  setVisible(which: 'trails' | 'uncertainty', on: boolean): void;
  /** Features last handed to the symbol source. */
  count(): number;
  last(): TrackLayers | null;
}

export function addTracksLayer(map: MlMap, trails: TrailBuffer, onSelect: (id: string) => void): TracksLayer {
  addTrackIcons(map);
  for (const id of Object.values(TRACK_SOURCES)) map.addSource(id, { type: 'geojson', data: emptyFC(), buffer: 32, tolerance: 0.5 });
  map.addLayer({ id: 'trk-unc-fill', type: 'fill', source: TRACK_SOURCES.uncertainty, paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': ['case', ['get', 'selected'], 0.18, 0.07] } });
  map.addLayer({ id: 'trk-unc-line', type: 'line', source: TRACK_SOURCES.uncertainty, paint: { 'line-color': ['get', 'colour'], 'line-opacity': 0.45, 'line-width': 0.8 } });
  map.addLayer({ id: 'trk-history-line', type: 'line', source: TRACK_SOURCES.history, paint: { 'line-color': '#ffffff', 'line-opacity': 0.5, 'line-width': 1.5, 'line-dasharray': [1, 1.5] } });
  map.addLayer({ id: 'trk-trail-line', type: 'line', source: TRACK_SOURCES.trails, layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': ['get', 'colour'], 'line-opacity': 0.5, 'line-width': 1.5 } });
  // the selected threat's predicted path stands out (wider, opaque)
  map.addLayer({ id: 'trk-pred-line', type: 'line', source: TRACK_SOURCES.predicted, paint: { 'line-color': ['get', 'colour'], 'line-opacity': ['case', ['get', 'selected'], 1, 0.8], 'line-width': ['case', ['get', 'selected'], 3, 1.5], 'line-dasharray': [2, 2] } });
  map.addLayer({ id: 'trk-vec-line', type: 'line', source: TRACK_SOURCES.vectors, paint: { 'line-color': ['get', 'colour'], 'line-width': 1.5 } });
  map.addLayer({
    id: 'trk-selected', type: 'circle', source: TRACK_SOURCES.points, filter: ['==', ['get', 'selected'], true],
    paint: { 'circle-radius': 17, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
  });
  map.addLayer({
    id: 'trk-confirmed', type: 'circle', source: TRACK_SOURCES.points, filter: ['==', ['get', 'confirmed'], true],
    paint: { 'circle-radius': 13, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': ['get', 'colour'], 'circle-stroke-width': 1.2 },
  });
  map.addLayer({
    id: 'trk-symbol', type: 'symbol', source: TRACK_SOURCES.points,
    layout: {
      'icon-image': ['get', 'icon'],
      'icon-rotate': ['get', 'course'],
      'icon-rotation-alignment': 'map',
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
      'icon-size': ['interpolate', ['linear'], ['zoom'], 5, 0.55, 9, 0.8, 12, 1],
      'symbol-sort-key': ['get', 'threat'],
    },
    paint: { 'icon-opacity': ['case', ['get', 'dismissed'], 0.45, ['get', 'coasting'], 0.55, 1] },
  });
  const click = (e: MapLayerMouseEvent) => {
    const id = e.features?.[0]?.properties?.id;
    if (typeof id === 'string') onSelect(id);
  };
  map.on('click', 'trk-symbol', click);
  map.on('mouseenter', 'trk-symbol', () => (map.getCanvas().style.cursor = 'pointer'));
  map.on('mouseleave', 'trk-symbol', () => (map.getCanvas().style.cursor = ''));

  let lastLayers: TrackLayers | null = null;
  const set = (id: string, data: FeatureCollection) => (map.getSource(id) as GeoJSONSource).setData(data);
  return {
    update(tracks, selected) {
      const L = buildTrackLayers(tracks, { selected, trails });
      set(TRACK_SOURCES.points, L.points);
      set(TRACK_SOURCES.uncertainty, L.uncertainty);
      set(TRACK_SOURCES.vectors, L.vectors);
      set(TRACK_SOURCES.predicted, L.predicted);
      set(TRACK_SOURCES.trails, L.trails);
      lastLayers = L;
    },
    setHistory(coords) {
      set(TRACK_SOURCES.history, coords.length >= 2 ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: coords } }] } : emptyFC());
    },
    setVisible(which, on) {
      const v = on ? 'visible' : 'none';
      const ids = which === 'trails' ? ['trk-trail-line'] : ['trk-unc-fill', 'trk-unc-line'];
      for (const id of ids) map.setLayoutProperty(id, 'visibility', v);
    },
    count: () => lastLayers?.points.features.length ?? 0,
    last: () => lastLayers,
  };
}
