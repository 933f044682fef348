/**
 * Place names of the offline base map (data/kr-places: GeoNames and KOSTAT names of the demo
 * region) as HTML over the map: the style has no glyphs, so MapLibre cannot draw them. They are
 * the lowest labels: placed after the zone and the track labels, with those, the track icons,
 * the legend and the controls as obstacles (logic/places.ts), so a place name never covers a
 * label or a track. Placed only when the track labels are (the report rate and when the map
 * stops moving), never per animation frame; hidden while the map moves. The work is bounded by
 * the region's few hundred places (at most MAX_PLACES drawn); each name's width is measured
 * once, in its font, and set on its element, so the placed box is the box on screen.
 */
import type { Map as MlMap } from 'maplibre-gl';
import type { Rect } from '../logic/labels.js';
import { parsePlaces, placePlaces, placesAtZoom, type Place, type PlaceKind, type PlaceRequest } from '../logic/places.js';

const MAX_PLACES = 40;
const PAD_X = 2;
/** Line height of each kind's font (CSS px; styles.css .place-label.k-*). */
const LINE_H: Record<PlaceKind, number> = { capital: 17, city: 15, county: 14, town: 14, district: 14 };
const FONT: Record<PlaceKind, string> = {
  capital: '600 13px system-ui, "DejaVu Sans", sans-serif',
  city: '12px system-ui, "DejaVu Sans", sans-serif',
  county: '11px system-ui, "DejaVu Sans", sans-serif',
  town: '11px system-ui, "DejaVu Sans", sans-serif',
  district: 'italic 11px system-ui, "DejaVu Sans", sans-serif',
};

export interface PlaceLabels {
  /** Place the names clear of `obstacles` (CSS px, relative to the map). */
  place(obstacles: readonly Rect[], width: number, height: number): void;
  /** Resolves when the places are loaded (0 places if they could not be). */
  ready: Promise<void>;
  counts(): { places: number; offered: number; inView: number; placed: number; zoom: number };
}

export function addPlaceLabels(map: MlMap, url: string, onLoaded: () => void): PlaceLabels {
  const host = map.getContainer();
  const layer = document.createElement('div');
  layer.className = 'place-labels';
  layer.id = 'place-labels';
  host.append(layer);
  map.on('movestart', () => layer.classList.add('moving'));
  map.on('moveend', () => layer.classList.remove('moving'));

  let places: Place[] = [];
  const widths = new Map<string, number>();
  const els = new Map<string, { dot: HTMLElement; name: HTMLElement }>();
  let last = { offered: 0, inView: 0, placed: 0, zoom: 0 };

  const ready = fetch(url)
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.json();
    })
    .then((fc: unknown) => {
      places = parsePlaces(fc);
      const ctx = document.createElement('canvas').getContext('2d');
      for (const p of places) {
        let w = p.name.length * 7;
        if (ctx) {
          ctx.font = FONT[p.kind];
          w = ctx.measureText(p.name).width;
        }
        widths.set(p.id, Math.ceil(w + 2 * PAD_X + 1));
      }
      onLoaded();
    })
    .catch((e: unknown) => {
      console.error('place names not loaded:', e);
    });

  return {
    ready,
    place(obstacles, width, height) {
      const zoom = map.getZoom();
      const offered = placesAtZoom(places, zoom);
      const reqs: PlaceRequest[] = [];
      const byId = new Map<string, Place>();
      for (const p of offered) {
        const s = map.project([p.lon, p.lat]);
        byId.set(p.id, p);
        reqs.push({ id: p.id, x: s.x, y: s.y, w: widths.get(p.id) ?? 40, h: LINE_H[p.kind] });
      }
      const r = placePlaces(reqs, { width, height, max: MAX_PLACES, obstacles });
      const keep = new Set<string>();
      for (const pl of r.placed) {
        keep.add(pl.id);
        const p = byId.get(pl.id)!;
        let e = els.get(pl.id);
        if (!e) {
          const dot = document.createElement('i');
          dot.className = `place-dot k-${p.kind}`;
          const name = document.createElement('div');
          name.className = `place-label k-${p.kind}`;
          name.dataset.place = p.id;
          name.textContent = p.name;
          if (p.nameKo) name.title = p.nameKo;
          layer.append(dot, name);
          e = { dot, name };
          els.set(pl.id, e);
        }
        e.dot.style.transform = `translate(${pl.x}px, ${pl.y}px)`;
        e.name.style.transform = `translate(${pl.left}px, ${pl.top}px)`;
        e.name.style.width = `${pl.w}px`;
        e.name.style.height = `${pl.h}px`;
      }
      for (const [id, e] of els) {
        if (keep.has(id)) continue;
        e.dot.remove();
        e.name.remove();
        els.delete(id);
      }
      last = { offered: offered.length, inView: r.inView, placed: r.placed.length, zoom };
    },
    counts: () => ({ places: places.length, ...last }),
  };
}
