/**
 * The WGS84 reference ellipsoid, defining parameters and derived constants, as published in
 * NIMA TR8350.2, "Department of Defense World Geodetic System 1984", 3rd edition (2000),
 * tables 3.1 and 3.3. Lengths in metres; ratios dimensionless.
 */

/** Semi-major axis (equatorial radius) a, metres (defining parameter). */
export const WGS84_A = 6378137;

/** Flattening f = (a − b)/a, dimensionless (defining parameter, 1/298.257223563). */
export const WGS84_F = 1 / 298.257223563;

/** Semi-minor axis (polar radius) b = a(1 − f), metres (≈ 6356752.3142). */
export const WGS84_B = WGS84_A * (1 - WGS84_F);

/** First eccentricity squared e² = f(2 − f) = (a² − b²)/a², dimensionless (≈ 6.69437999014e-3). */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);

/** Second eccentricity squared e'² = e²/(1 − e²) = (a² − b²)/b², dimensionless (≈ 6.73949674228e-3). */
export const WGS84_EP2 = WGS84_E2 / (1 - WGS84_E2);

/** Meridional radius of curvature M (m) at geodetic latitude `latRad` (radians): metres per radian of latitude. */
export function meridianRadius(latRad: number): number {
  const s = Math.sin(latRad);
  const w = 1 - WGS84_E2 * s * s;
  return (WGS84_A * (1 - WGS84_E2)) / (w * Math.sqrt(w));
}

/** Prime-vertical radius of curvature N (m) at geodetic latitude `latRad` (radians); N·cos φ is metres per radian of longitude. */
export function primeVerticalRadius(latRad: number): number {
  const s = Math.sin(latRad);
  return WGS84_A / Math.sqrt(1 - WGS84_E2 * s * s);
}
