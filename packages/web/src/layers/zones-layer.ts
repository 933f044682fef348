/**
 * Warning zones filled by urgency tier (IMMINENT, WARNING, WATCH). The map style has no glyphs (nothing is fetched from
 * the web), so the ETA labels of zones in alert are small HTML markers: one per zone in
 * alert, capped, never one per track or sensor.
 */
import maplibregl, { type GeoJSONSource, type Map as MlMap, type MapLayerMouseEvent } from 'maplibre-gl';
import type { ZoneStateWire } from '@skywarden/formats';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { applyZoneStates, emptyFC, zoneLabelPoint } from '../logic/geojson.js';
import type { Lang } from '../logic/i18n.js';
import { zoneDisplayName, zoneLabelText } from '../logic/zone-text.js';
import { TIER_COLOUR as T } from '../logic/symbology.js';

/** ETA labels drawn (the soonest first); the alert panel lists every zone in alert. */
const MAX_LABELS = 12;

export interface ZonesLayer {
  setZones(fc: FeatureCollection<Polygon | MultiPolygon>): void;
  update(states: ReadonlyMap<string, ZoneStateWire>, etaBaseAge?: number): void;
  /** The zones and their names in the UI's language. */
  zoneIds(): { id: string; name: string }[];
  /** A zone's name in the UI's language (undefined: a zone not served). */
  zoneName(id: string): string | undefined;
  alertCount(): number;
  /** Outline these zones as the selected threat's impact areas (none: empty). */
  setImpact(ids: readonly string[]): void;
  /** Each zone's tier as last handed to the map, and how many updates that was (tests read the drawn state). */
  drawn(): { updates: number; tiers: Record<string, string> };
}

export function addZonesLayer(map: MlMap, beforeId: string | undefined, onSelect: (id: string) => void, lang: () => Lang = () => 'en'): ZonesLayer {
  map.addSource('zones', { type: 'geojson', data: emptyFC() });
  map.addLayer({
    id: 'zones-fill', type: 'fill', source: 'zones',
    // by urgency tier: IMMINENT red, WARNING orange, WATCH yellow (a threat may come later), else blue
    paint: {
      'fill-color': ['match', ['get', 'tier'], 'imminent', T.imminent.fill, 'warning', T.warning.fill, 'watch', T.watch.fill, T.none.fill],
      'fill-opacity': ['match', ['get', 'tier'], 'imminent', T.imminent.opacity, 'warning', T.warning.opacity, 'watch', T.watch.opacity, T.none.opacity],
    },
  }, beforeId);
  map.addLayer({
    id: 'zones-line', type: 'line', source: 'zones',
    paint: {
      'line-color': ['match', ['get', 'tier'], 'imminent', T.imminent.line, 'warning', T.warning.line, 'watch', T.watch.line, T.none.line],
      'line-width': ['match', ['get', 'tier'], 'imminent', 2.5, 'warning', 2, 'watch', 1.2, 0.8],
    },
  }, beforeId);
  // the impact areas of the selected threat: the zones it may enter, outlined white
  map.addLayer({
    id: 'zones-impact', type: 'line', source: 'zones', filter: ['in', ['get', 'id'], ['literal', []]],
    paint: { 'line-color': '#ffffff', 'line-width': 2.5, 'line-dasharray': [2, 1] },
  }, beforeId);
  map.on('click', 'zones-fill', (e: MapLayerMouseEvent) => {
    // tracks drawn above take the click first
    if (map.queryRenderedFeatures(e.point, { layers: ['trk-symbol'] }).length > 0) return;
    const id = e.features?.[0]?.properties?.id;
    if (typeof id === 'string') onSelect(id);
  });
  let zones: FeatureCollection<Polygon | MultiPolygon> = emptyFC();
  let props = new Map<string, Record<string, unknown> | null>();
  let names: { id: string; name: string }[] = [];
  let namesLang: Lang | null = null;
  const named = () => {
    const l = lang();
    if (l !== namesLang) {
      namesLang = l;
      names = [...props].map(([id, p]) => ({ id, name: zoneDisplayName(p, l, id) }));
    }
    return names;
  };
  let nAlert = 0;
  let impactKey = '';
  let updates = 0;
  let tiers: Record<string, string> = {};
  const markers = new Map<string, maplibregl.Marker>();
  return {
    setZones(fc) {
      zones = fc;
      props = new Map(fc.features.map((f, i) => [String(f.properties?.id ?? f.id ?? i), f.properties]));
      namesLang = null;
      (map.getSource('zones') as GeoJSONSource).setData(applyZoneStates(zones, new Map()));
    },
    update(states, etaBaseAge = 0) {
      const fc = applyZoneStates(zones, states);
      (map.getSource('zones') as GeoJSONSource).setData(fc);
      updates++;
      tiers = Object.fromEntries(fc.features.map((f) => [String(f.properties?.id), String(f.properties?.tier)]));
      const want = new Set<string>();
      const alerted = fc.features.filter((f) => f.properties?.state === 'alert');
      nAlert = alerted.length;
      const eta = (f: (typeof alerted)[number]) => (typeof f.properties?.eta_s === 'number' ? f.properties.eta_s : 0);
      const urgent = (f: (typeof alerted)[number]) => (f.properties?.tier === 'imminent' ? 0 : 1);
      // labels: IMMINENT first, then the soonest
      alerted.sort((a, b) => urgent(a) - urgent(b) || eta(a) - eta(b));
      for (const f of alerted) {
        if (!f.properties) continue;
        if (want.size >= MAX_LABELS) continue;
        const id = String(f.properties.id);
        const at = zoneLabelPoint(f.geometry);
        if (!at) continue;
        want.add(id);
        const tier = String(f.properties.tier ?? 'warning');
        const eta = typeof f.properties.eta_s === 'number' ? f.properties.eta_s - etaBaseAge : null;
        const text = zoneLabelText(lang(), zoneDisplayName(f.properties, lang(), id), tier, f.properties.manual === true, eta);
        let m = markers.get(id);
        if (!m) {
          const el = document.createElement('div');
          el.className = 'zone-label';
          el.dataset.zone = id;
          m = new maplibregl.Marker({ element: el }).setLngLat(at).addTo(map);
          markers.set(id, m);
        }
        m.getElement().textContent = text;
        m.getElement().dataset.tier = tier;
        m.getElement().dataset.rank = String(want.size); // urgency order: the track label layer hides the later of two overlapping
      }
      for (const [id, m] of markers) {
        if (!want.has(id)) {
          m.remove();
          markers.delete(id);
        }
      }
    },
    zoneIds: () => named(),
    zoneName: (id) => (props.has(id) ? zoneDisplayName(props.get(id), lang(), id) : undefined),
    setImpact(ids) {
      const key = ids.join(',');
      if (key === impactKey) return;
      impactKey = key;
      map.setFilter('zones-impact', ['in', ['get', 'id'], ['literal', ids.slice()]]);
    },
    alertCount: () => nAlert,
    drawn: () => ({ updates, tiers: { ...tiers } }),
  };
}
