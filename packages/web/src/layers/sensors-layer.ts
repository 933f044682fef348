/**
 * Sensors coloured by health. Healthy sensors are small dots; silent, stuck, implausible and
 * never-seen sensors are drawn larger with a ring on a layer above, so they stay visible in
 * a network of thousands.
 */
import type { GeoJSONSource, Map as MlMap, MapLayerMouseEvent } from 'maplibre-gl';
import type { SensorWire } from '@skywarden/formats';
import { buildSensorFeatures, emptyFC } from '../logic/geojson.js';

export interface SensorsLayer {
  update(sensors: Iterable<SensorWire>): void;
  setVisible(on: boolean): void;
  count(): number;
}

export function addSensorsLayer(map: MlMap, onSelect: (id: string) => void): SensorsLayer {
  map.addSource('sensors', { type: 'geojson', data: emptyFC() });
  map.addLayer({
    id: 'sensors-ok', type: 'circle', source: 'sensors', filter: ['==', ['get', 'ok'], true],
    paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 1.5, 10, 3.5, 13, 5], 'circle-color': ['get', 'colour'], 'circle-opacity': 0.75 },
  });
  map.addLayer({
    id: 'sensors-bad', type: 'circle', source: 'sensors', filter: ['==', ['get', 'ok'], false],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 3, 10, 5.5, 13, 7],
      'circle-color': '#0b1219',
      'circle-stroke-color': ['get', 'colour'],
      'circle-stroke-width': 2,
    },
  });
  for (const layer of ['sensors-ok', 'sensors-bad']) {
    map.on('click', layer, (e: MapLayerMouseEvent) => {
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'string') onSelect(id);
    });
  }
  let n = 0;
  return {
    update(sensors) {
      const fc = buildSensorFeatures(sensors);
      n = fc.features.length;
      (map.getSource('sensors') as GeoJSONSource).setData(fc);
    },
    setVisible(on) {
      for (const id of ['sensors-ok', 'sensors-bad']) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    },
    count: () => n,
  };
}
