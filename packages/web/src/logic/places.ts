/**
 * Place names on the map (the offline base map's labels): which places a zoom offers and
 * where their labels go. Pure (no DOM): the place layer (layers/place-labels.ts) projects the
 * places, asks {@link placePlaces} for a placement after the zone and track labels are placed
 * (they come first: place names are the lowest labels on the map) and draws the result.
 *
 * The places are data/kr-places (GeoNames and KOSTAT names, built at build time): each has the
 * least zoom at which it is offered (`minzoom`: the capital from 4, cities of a million from
 * 6.5, ..., districts from 10). Among those offered, the lower `minzoom` first, then the larger
 * population, so a capital keeps its label where a district would collide with it.
 */
import { overlaps, spotsAround, type Box, type Rect } from './labels.js';

export type PlaceKind = 'capital' | 'city' | 'county' | 'town' | 'district';

export interface Place {
  id: string;
  name: string;
  nameKo?: string;
  kind: PlaceKind;
  pop: number;
  minzoom: number;
  lon: number;
  lat: number;
}

/** The places of a data/kr-places FeatureCollection; features without a name or a point are skipped. */
export function parsePlaces(fc: unknown): Place[] {
  const feats = (fc as { features?: unknown[] } | null)?.features;
  if (!Array.isArray(feats)) throw new Error('places: not a GeoJSON FeatureCollection (no features list)');
  const out: Place[] = [];
  const kinds: readonly string[] = ['capital', 'city', 'county', 'town', 'district'];
  feats.forEach((f, i) => {
    const g = (f as { geometry?: { type?: string; coordinates?: unknown } }).geometry;
    const p = ((f as { properties?: Record<string, unknown> }).properties ?? {}) as Record<string, unknown>;
    const c = g?.type === 'Point' && Array.isArray(g.coordinates) ? (g.coordinates as unknown[]) : null;
    if (!c || typeof c[0] !== 'number' || typeof c[1] !== 'number' || typeof p.name !== 'string' || p.name === '') return;
    out.push({
      id: String((f as { id?: unknown }).id ?? i),
      name: p.name,
      nameKo: typeof p.name_ko === 'string' ? p.name_ko : undefined,
      kind: (kinds.includes(String(p.kind)) ? p.kind : 'town') as PlaceKind,
      pop: typeof p.pop === 'number' ? p.pop : 0,
      minzoom: typeof p.minzoom === 'number' ? p.minzoom : 10,
      lon: c[0],
      lat: c[1],
    });
  });
  return out;
}

/** Placement order: the lower minzoom first, then the larger population, then the name. */
export function placeOrder(a: Place, b: Place): number {
  return a.minzoom - b.minzoom || b.pop - a.pop || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The places offered at `zoom`, in placement order (the input need not be sorted). */
export function placesAtZoom(places: readonly Place[], zoom: number): Place[] {
  return places.filter((p) => p.minzoom <= zoom).sort(placeOrder);
}

export interface PlaceRequest {
  id: string;
  /** The place's screen position (CSS px). */
  x: number;
  y: number;
  /** The name's box (CSS px). */
  w: number;
  h: number;
}

export interface PlacedPlace {
  id: string;
  /** The place's dot (centre, CSS px). */
  x: number;
  y: number;
  /** Top-left corner of the name's box (CSS px). */
  left: number;
  top: number;
  w: number;
  h: number;
}

export interface PlacePlaceOptions {
  width: number;
  height: number;
  /** At most this many names (default 40). */
  max?: number;
  /** Radius of the dot drawn at the place (px, default 2.5); the dot is kept clear too. */
  dot?: number;
  /** Gap between the dot and the name (px, default 3). */
  gap?: number;
  /** Empty space kept between a name and any other box (px, default 2). */
  margin?: number;
  /** Boxes neither a name nor its dot may overlap: zone and track labels, track icons, legend, controls. */
  obstacles?: readonly Rect[];
}


/**
 * Greedy placement in the order given (see {@link placeOrder}): each place in view whose dot is
 * clear of the obstacles and of the names already placed takes the first of four places for
 * its name (right of the dot, left, above, below) that stays inside the view and overlaps no
 * obstacle, no name or dot already placed; otherwise it is left out with its dot. Work:
 * O(places × (obstacles + placed)), on the few hundred places of the region.
 */
export function placePlaces(reqs: readonly PlaceRequest[], o: PlacePlaceOptions): { placed: PlacedPlace[]; inView: number } {
  const max = o.max ?? 40;
  const dot = o.dot ?? 2.5;
  const gap = o.gap ?? 3;
  const m = o.margin ?? 2;
  const obstacles: Box[] = (o.obstacles ?? []).map((r) => ({ l: r.left - m, t: r.top - m, r: r.left + r.w + m, b: r.top + r.h + m }));
  const taken: Box[] = [];
  const placed: PlacedPlace[] = [];
  let inView = 0;
  for (const q of reqs) {
    if (q.x < 0 || q.y < 0 || q.x > o.width || q.y > o.height) continue;
    inView++;
    if (placed.length >= max) continue;
    const dotBox = { l: q.x - dot, t: q.y - dot, r: q.x + dot, b: q.y + dot };
    if (obstacles.some((b) => overlaps(dotBox, b)) || taken.some((b) => overlaps(dotBox, b))) continue;
    const d = dot + gap;
    for (const [l, t] of spotsAround(q.x, q.y, d, q.w, q.h)) {
      if (l < 0 || t < 0 || l + q.w > o.width || t + q.h > o.height) continue;
      const padded = { l: l - m, t: t - m, r: l + q.w + m, b: t + q.h + m };
      if (obstacles.some((b) => overlaps(padded, b)) || taken.some((b) => overlaps(padded, b))) continue;
      taken.push({ l, t, r: l + q.w, b: t + q.h }, dotBox);
      placed.push({ id: q.id, x: q.x, y: q.y, left: l, top: t, w: q.w, h: q.h });
      break;
    }
  }
  return { placed, inView };
}
