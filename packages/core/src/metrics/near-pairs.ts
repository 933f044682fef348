/**
 * The pairs of two point sets that lie closer than a distance c, found through a grid of
 * latitude-longitude cells at least c wide everywhere in the sets (so a pair closer than c lies
 * in the same or neighbouring cells): time in the points and the pairs found, not in their
 * product. Distances are horizontal (geodesic, `horizontalDistance`).
 */
import { horizontalDistance } from '../geo/index.js';
import type { GeoPoint } from '../types.js';

/** Fewer metres than any degree of latitude, or of longitude at the equator, has (on the sphere or the ellipsoid: 110.6-111.7 km). */
const M_PER_DEG_LOW = 110_000;

export interface GeoPairs {
  /** Index into the first set, into the second, and the distance (m), for every pair closer than c. */
  a: number[];
  b: number[];
  dist: number[];
}

/** At most this many pairs are gathered (about 100 MB as they are kept): a scene with more is refused with an error, not the memory taken. */
export const NEAR_PAIRS_MAX = 4_000_000;

export function nearPairs(first: readonly { position: GeoPoint }[], second: readonly { position: GeoPoint }[], c: number, maxPairs = NEAR_PAIRS_MAX): GeoPairs {
  if (!(c > 0 && c < Infinity)) throw new Error(`nearPairs: c must be a positive finite distance, got ${c}`);
  const out: GeoPairs = { a: [], b: [], dist: [] };
  if (first.length === 0 || second.length === 0) return out;
  // the widest latitude decides the narrowest longitude degree; cells at least c there
  let maxAbsLat = 0;
  for (const p of first) maxAbsLat = Math.max(maxAbsLat, Math.abs(p.position.latDeg));
  for (const p of second) maxAbsLat = Math.max(maxAbsLat, Math.abs(p.position.latDeg));
  const cosLat = Math.cos((Math.min(maxAbsLat, 89.9) * Math.PI) / 180);
  // the cells must not be narrower than c anywhere (1 % to spare)
  const cellLat = (1.01 * c) / M_PER_DEG_LOW;
  const wantLon = (1.01 * c) / (M_PER_DEG_LOW * cosLat);
  const nLon = Math.max(1, Math.floor(360 / wantLon));
  const cellLon = 360 / nLon;
  const ix = (lon: number) => {
    let k = Math.floor((((lon + 180) % 360) + 360) % 360 / cellLon);
    if (k >= nLon) k = nLon - 1;
    return k;
  };
  const iy = (lat: number) => Math.floor((lat + 90) / cellLat);
  const cells = new Map<number, number[]>();
  for (let j = 0; j < second.length; j++) {
    const q = second[j].position;
    if (!Number.isFinite(q.latDeg) || !Number.isFinite(q.lonDeg)) continue;
    const key = iy(q.latDeg) * nLon + ix(q.lonDeg);
    let l = cells.get(key);
    if (!l) cells.set(key, (l = []));
    l.push(j);
  }
  const seen = new Set<number>();
  for (let i = 0; i < first.length; i++) {
    const p = first[i].position;
    if (!Number.isFinite(p.latDeg) || !Number.isFinite(p.lonDeg)) continue;
    const y = iy(p.latDeg);
    const x = ix(p.lonDeg);
    seen.clear();
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const key = (y + dy) * nLon + (((x + dx) % nLon) + nLon) % nLon;
        // with fewer than 3 cells around the world a neighbour repeats
        if (seen.has(key)) continue;
        seen.add(key);
        const l = cells.get(key);
        if (!l) continue;
        for (const j of l) {
          const d = horizontalDistance(p, second[j].position);
          if (d < c) {
            if (out.a.length >= maxPairs) throw new Error(`more than ${maxPairs.toLocaleString('en')} pairs of the ${first.length} and ${second.length} points lie within ${c} m of one another`);
            out.a.push(i);
            out.b.push(j);
            out.dist.push(d);
          }
        }
      }
    }
  }
  return out;
}
