/**
 * Recent detections: bearing-only detections as rays from the sensor, presence as circles
 * about the sensor that fade out, position and range-bearing plots as small dots. Redrawn a
 * few times a second while anything is fading.
 */
import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import type { DetectionWire } from '@skywarden/formats';
import { buildDetectionLayers, emptyFC } from '../logic/geojson.js';

export interface DetectionsLayer {
  update(dets: readonly DetectionWire[], now: number): void;
  setVisible(on: boolean): void;
  count(): number;
}

export function addDetectionsLayer(map: MlMap, sensorRange: (id: string) => number | undefined, fadeS = 10): DetectionsLayer {
  for (const id of ['det-rays', 'det-presence', 'det-points']) map.addSource(id, { type: 'geojson', data: emptyFC() });
  map.addLayer({ id: 'det-rays-line', type: 'line', source: 'det-rays', paint: { 'line-color': '#d3adf7', 'line-width': 1, 'line-opacity': ['*', 0.7, ['get', 'opacity']] } });
  map.addLayer({
    id: 'det-presence-circle', type: 'circle', source: 'det-presence',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['get', 'age'], 0, 8, fadeS, 26],
      'circle-color': 'rgba(0,0,0,0)',
      'circle-stroke-color': '#ffc069',
      'circle-stroke-width': 1.5,
      'circle-stroke-opacity': ['get', 'opacity'],
    },
  });
  map.addLayer({ id: 'det-points-circle', type: 'circle', source: 'det-points', paint: { 'circle-radius': 2, 'circle-color': '#e6f7ff', 'circle-opacity': ['*', 0.8, ['get', 'opacity']] } });
  let n = 0;
  const set = (id: string, data: FeatureCollection) => (map.getSource(id) as GeoJSONSource).setData(data);
  return {
    update(dets, now) {
      const L = buildDetectionLayers(dets, now, { fadeS, sensorRange });
      set('det-rays', L.rays);
      set('det-presence', L.presence);
      set('det-points', L.points);
      n = L.rays.features.length + L.presence.features.length + L.points.features.length;
    },
    setVisible(on) {
      for (const id of ['det-rays-line', 'det-presence-circle', 'det-points-circle']) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    },
    count: () => n,
  };
}
