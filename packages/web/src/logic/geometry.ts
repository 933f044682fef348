/**
 * Small geometry for the map: points offset by metres east/north, circles and ellipses,
 * rays along a bearing. A local tangent-plane (equirectangular) approximation about each
 * centre: for the distances drawn here (up to a few tens of km) its error is far below a
 * pixel at the zoom levels where it is visible. Outputs GeoJSON order `[lon, lat]`.
 */

/** Mean Earth radius (m), IUGG. */
export const EARTH_RADIUS_M = 6_371_008.8;
const DEG = Math.PI / 180;

/** Position `[lon, lat]` (degrees) reached from (latDeg, lonDeg) after `eastM`, `northM` metres. */
export function offsetMetres(latDeg: number, lonDeg: number, eastM: number, northM: number): [number, number] {
  const dLat = northM / EARTH_RADIUS_M / DEG;
  const cos = Math.max(Math.cos(latDeg * DEG), 1e-6);
  const dLon = eastM / (EARTH_RADIUS_M * cos) / DEG;
  return [lonDeg + dLon, latDeg + dLat];
}

/** End point `[lon, lat]` of a ray of `lengthM` metres along `bearingDeg` (clockwise from north). */
export function rayEnd(latDeg: number, lonDeg: number, bearingDeg: number, lengthM: number): [number, number] {
  const b = bearingDeg * DEG;
  return offsetMetres(latDeg, lonDeg, lengthM * Math.sin(b), lengthM * Math.cos(b));
}

/**
 * Closed ring of an ellipse about (latDeg, lonDeg): semi-axes `semiMajorM` along
 * `orientationDeg` (clockwise from north) and `semiMinorM` across it, `steps` vertices
 * plus the closing one.
 */
export function ellipseRing(latDeg: number, lonDeg: number, semiMajorM: number, semiMinorM: number, orientationDeg = 0, steps = 32): [number, number][] {
  if (!(steps >= 3)) throw new Error(`ellipseRing: steps must be >= 3, got ${steps}`);
  const ring: [number, number][] = [];
  const o = orientationDeg * DEG;
  const so = Math.sin(o);
  const co = Math.cos(o);
  for (let i = 0; i < steps; i++) {
    const a = (2 * Math.PI * i) / steps;
    const u = semiMajorM * Math.cos(a); // along the major axis
    const v = semiMinorM * Math.sin(a); // across it
    // Major axis direction (east, north) = (sin o, cos o); minor = (cos o, -sin o).
    ring.push(offsetMetres(latDeg, lonDeg, u * so + v * co, u * co - v * so));
  }
  ring.push(ring[0]);
  return ring;
}

/** Closed ring of a circle of `radiusM` metres. */
export function circleRing(latDeg: number, lonDeg: number, radiusM: number, steps = 32): [number, number][] {
  return ellipseRing(latDeg, lonDeg, radiusM, radiusM, 0, steps);
}

/**
 * Radius of the circle holding `p` of a circular 2-D normal with per-axis standard deviation
 * `sd`: sd·sqrt(−2 ln(1−p)) (the Rayleigh quantile). p = 0.95 gives 2.448·sd.
 */
export function circularRadius(sd: number, p = 0.95): number {
  if (!(p > 0 && p < 1)) throw new Error(`circularRadius: p must be in (0, 1), got ${p}`);
  return sd * Math.sqrt(-2 * Math.log(1 - p));
}

/** Great-circle distance (m, haversine) between two points in degrees. */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * DEG;
  const dLon = (lon2 - lon1) * DEG;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}
