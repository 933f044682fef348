/**
 * Areas on the Earth as polygons with holes, and point-in-area tests. Vertices are
 * longitude/latitude in degrees and edges are taken as straight lines in that plane, which
 * is what GeoJSON means (RFC 7946 §3.1.1) and is accurate for district-sized zones away
 * from the poles and the antimeridian.
 */

/** One polygon: `rings[0]` the outer ring, the others holes; each ring flat [lon0, lat0, lon1, lat1, ...], closed or not. */
export interface GeoPolygon {
  rings: Float64Array[];
}

/** A (multi)polygon with its bounding box [minLon, minLat, maxLon, maxLat] (degrees). */
export interface GeoArea {
  polygons: GeoPolygon[];
  bbox: [number, number, number, number];
}

/** Builds an area from polygons, computing the bounding box. */
export function createGeoArea(polygons: GeoPolygon[]): GeoArea {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const p of polygons) {
    const outer = p.rings[0];
    for (let i = 0; i < outer.length; i += 2) {
      minLon = Math.min(minLon, outer[i]);
      maxLon = Math.max(maxLon, outer[i]);
      minLat = Math.min(minLat, outer[i + 1]);
      maxLat = Math.max(maxLat, outer[i + 1]);
    }
  }
  return { polygons, bbox: [minLon, minLat, maxLon, maxLat] };
}

/** Even-odd crossing test of one ring (Shimrat 1962 / Franklin's PNPOLY). */
function inRing(ring: Float64Array, lon: number, lat: number): boolean {
  let inside = false;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i];
    const yi = ring[2 * i + 1];
    const xj = ring[2 * j];
    const yj = ring[2 * j + 1];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether the point (degrees) lies inside the area: inside an outer ring and outside its holes. */
export function pointInArea(area: GeoArea, latDeg: number, lonDeg: number): boolean {
  const b = area.bbox;
  if (lonDeg < b[0] || lonDeg > b[2] || latDeg < b[1] || latDeg > b[3]) return false;
  for (const p of area.polygons) {
    if (!inRing(p.rings[0], lonDeg, latDeg)) continue;
    let inHole = false;
    for (let h = 1; h < p.rings.length && !inHole; h++) inHole = inRing(p.rings[h], lonDeg, latDeg);
    if (!inHole) return true;
  }
  return false;
}
