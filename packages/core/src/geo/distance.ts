/**
 * Geodesics on the WGS84 ellipsoid: distance and initial bearing between two points (the
 * inverse problem) and the destination from a start, bearing and distance (the direct
 * problem). Heights are ignored: distances are between the points' footprints on the ellipsoid.
 *
 * Method: T. Vincenty, "Direct and inverse solutions of geodesics on the ellipsoid with
 * application of nested equations", Survey Review 23(176), 88–93, 1975: the auxiliary sphere of
 * reduced latitudes, the series in u² for the distance (A, B, Δσ), the longitude relation with
 * C, and for the inverse problem the fixed-point iteration on the auxiliary longitude λ.
 *
 * Fallback: Vincenty's inverse iteration converges slowly or not at all for nearly antipodal
 * points. When it has not converged after 50 updates, or λ leaves [−π, π], or the points are
 * exactly antipodal (sin σ = 0, cos σ < 0), the inverse problem is solved instead for the start
 * azimuth α₁ by bisection, in the formulation of C. F. F. Karney, "Algorithms for geodesics",
 * J. Geodesy 87, 43–55, 2013 (inverse problem): with the points ordered so that |φ₁| ≥ |φ₂|,
 * φ₁ ≤ 0 and 0 ≤ λ₁₂ ≤ π, the longitude λ₁₂(α₁) at which the geodesic leaving point 1 with
 * azimuth α₁ reaches latitude φ₂ (heading north) grows monotonically from 0 at α₁ = 0 to π at
 * α₁ = π, so a bracketing search finds the shortest geodesic. Longitude and distance along the
 * candidate use Vincenty's series, so the fallback has the same truncation error (forced on for
 * all pairs, it matched GeographicLib as closely as the iteration does).
 *
 * Measured against GeographicLib (C. F. F. Karney, exact to ~15 nm), 6·10⁴+ seeded pairs per case:
 * inverse distance within 0.8 µm below 100 km and 0.08 mm at any distance, near-antipodal
 * included (relative 7.4e-12); direct within 0.7 µm below 100 km and 0.1 mm at any distance.
 */
import type { GeoPoint } from '../types.js';
import { degToRad, radToDeg, wrapTwoPi } from './angles.js';
import { WGS84_A, WGS84_B, WGS84_EP2, WGS84_F } from './wgs84.js';

/** Updates of Vincenty's λ before the bisection fallback takes over (away from antipodes < 10 suffice). */
const MAX_LAMBDA_ITERATIONS = 50;
/** Change of λ (rad) at which the iteration has converged: 1e-13 rad is 0.6 µm on the ground. */
const LAMBDA_TOLERANCE = 1e-13;
/** Change of σ (rad) at which the direct iteration has converged. */
const SIGMA_TOLERANCE = 1e-14;
const ONE_MINUS_F = 1 - WGS84_F;
/** Floor for cos β in the fallback, so that both poles stay finite (far below any real value). */
const TINY_COS = 1e-150;

/** Longitude difference lon2 − lon1 (degrees) reduced exactly to (−180, 180]. */
function lonDiffDeg(lon1Deg: number, lon2Deg: number): number {
  let d = (lon2Deg - lon1Deg) % 360;
  if (d > 180) d -= 360;
  else if (d <= -180) d += 360;
  return d;
}

/** Longitude (degrees) reduced to (−180, 180]. */
function wrap180(lonDeg: number): number {
  if (lonDeg > -180 && lonDeg <= 180) return lonDeg;
  let d = lonDeg % 360;
  if (d > 180) d -= 360;
  else if (d <= -180) d += 360;
  return d;
}

/** Reduced latitude U (tan U = (1 − f) tan φ) as [sin U, cos U], exact at the poles. */
const red = new Float64Array(2);
function reducedLatitude(latDeg: number): Float64Array {
  const phi = degToRad(latDeg);
  const su = ONE_MINUS_F * Math.sin(phi);
  // cos(π/2) is 6e-17 in floating point; make the poles exact (coincident polar points give 0).
  const cu = Math.abs(latDeg) === 90 ? 0 : Math.cos(phi);
  const r = Math.sqrt(su * su + cu * cu);
  red[0] = su / r;
  red[1] = cu / r;
  return red;
}

/** Vincenty's C for cos²α (equatorial azimuth α). */
function cCoef(cos2Alpha: number): number {
  return (WGS84_F / 16) * cos2Alpha * (4 + WGS84_F * (4 - 3 * cos2Alpha));
}

/**
 * Geodesic length s = b·A·(σ − Δσ) (Vincenty's series in u² = e'² cos²α) of an arc σ on the auxiliary
 * sphere with equatorial azimuth α (cos²α given) and midpoint 2σm (cos 2σm given).
 */
function arcLength(cos2Alpha: number, sigma: number, sinSigma: number, cosSigma: number, cos2SigmaM: number): number {
  const u2 = cos2Alpha * WGS84_EP2;
  const a = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
  const b = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
  const c2 = cos2SigmaM * cos2SigmaM;
  const dSigma =
    b *
    sinSigma *
    (cos2SigmaM +
      (b / 4) * (cosSigma * (-1 + 2 * c2) - (b / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * c2)));
  return WGS84_B * a * (sigma - dSigma);
}

/** Result of the last inverse solution: [distance (m), initial azimuth (rad, unwrapped)]. */
const inv = new Float64Array(2);

/** Scratch of the fallback's λ₁₂(α₁): σ₁₂, sin σ₁₂, cos σ₁₂, cos 2σm, cos²α₀, sin α₂, cos α₂. */
const lam = new Float64Array(7);

/**
 * Longitude λ₁₂ (rad) at which the geodesic leaving reduced latitude β₁ with azimuth α₁
 * (canonical: β₁ ≤ 0, |β₂| ≤ |β₁|, α₁ ∈ [0, π]) first reaches β₂ heading north (Karney 2013,
 * with Vincenty's series for the longitude). Fills `lam` for the distance.
 */
function lambda12(alpha1: number, sb1: number, cb1: number, sb2: number, cb2: number): number {
  const sa1 = Math.sin(alpha1);
  const ca1 = Math.cos(alpha1);
  // Equatorial azimuth α₀ (Clairaut): sin α₀ = sin α₁ cos β₁.
  const sa0 = sa1 * cb1;
  const cos2a0 = ca1 * ca1 + sa1 * sb1 * (sa1 * sb1);
  // Arc σ₁ from the northward node to point 1, and longitude ω₁ on the auxiliary sphere.
  let ss1 = sb1;
  let cs1 = ca1 * cb1;
  let r = Math.hypot(ss1, cs1);
  if (r > 0) {
    ss1 /= r;
    cs1 /= r;
  }
  let so1 = sa0 * sb1;
  let co1 = ca1 * cb1;
  r = Math.hypot(so1, co1);
  if (r > 0) {
    so1 /= r;
    co1 /= r;
  }
  // Azimuth at point 2, heading north: cos²α₂ cos²β₂ = cos²α₁ cos²β₁ + cos²β₂ − cos²β₁.
  const sa2 = sa0 / cb2;
  const d = cb1 < -sb1 ? (cb2 - cb1) * (cb2 + cb1) : (sb1 - sb2) * (sb1 + sb2);
  const ca2 = Math.sqrt(Math.max(0, ca1 * cb1 * (ca1 * cb1) + d)) / cb2;
  let ss2 = sb2;
  let cs2 = ca2 * cb2;
  r = Math.hypot(ss2, cs2);
  if (r > 0) {
    ss2 /= r;
    cs2 /= r;
  }
  let so2 = sa0 * sb2;
  let co2 = ca2 * cb2;
  r = Math.hypot(so2, co2);
  if (r > 0) {
    so2 /= r;
    co2 /= r;
  }
  const sSig = Math.max(0, cs1 * ss2 - ss1 * cs2);
  const cSig = cs1 * cs2 + ss1 * ss2;
  const sigma = Math.atan2(sSig, cSig);
  const omega = Math.atan2(Math.max(0, co1 * so2 - so1 * co2), co1 * co2 + so1 * so2);
  const cos2SigmaM = cs1 * cs2 - ss1 * ss2;
  const c = cCoef(cos2a0);
  lam[0] = sigma;
  lam[1] = sSig;
  lam[2] = cSig;
  lam[3] = cos2SigmaM;
  lam[4] = cos2a0;
  lam[5] = sa2;
  lam[6] = ca2;
  // Vincenty's longitude relation: ellipsoidal longitude from the auxiliary one.
  return omega - (1 - c) * WGS84_F * sa0 * (sigma + c * sSig * (cos2SigmaM + c * cSig * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
}

/**
 * Fallback for nearly antipodal points: bisection on α₁ (see the module TSDoc). Inputs are
 * the reduced latitudes (sin, cos) of both points and the longitude difference L ∈ (−π, π].
 * Writes `inv`.
 */
function inverseByAzimuth(su1: number, cu1: number, su2: number, cu2: number, l: number): void {
  // Canonical order: |β₁| ≥ |β₂|, then β₁ ≤ 0, then L ≥ 0.
  const swap = Math.abs(su1) < Math.abs(su2);
  let sb1 = swap ? su2 : su1;
  const cb1 = Math.max(TINY_COS, swap ? cu2 : cu1);
  let sb2 = swap ? su1 : su2;
  const cb2 = Math.max(TINY_COS, swap ? cu1 : cu2);
  let target = swap ? -l : l;
  const latFlip = sb1 > 0;
  if (latFlip) {
    sb1 = -sb1;
    sb2 = -sb2;
  }
  const lonFlip = target < 0;
  if (lonFlip) target = -target;

  if (sb1 === 0 && target <= ONE_MINUS_F * Math.PI) {
    // Both on the equator (|β₂| ≤ |β₁| = 0) and close enough: the equator is the geodesic. Here
    // λ₁₂(α₁) jumps at α₁ = π/2, so bisection would not find it. (Vincenty converges in this case;
    // this keeps the fallback correct on its own.)
    inv[0] = WGS84_A * target;
    inv[1] = lonFlip ? -Math.PI / 2 : Math.PI / 2;
    return;
  }

  // λ₁₂(0) = 0 ≤ target ≤ π = λ₁₂(π): bisect until the bracket stops shrinking.
  let lo = 0;
  let hi = Math.PI;
  for (let i = 0; i < 64 && hi - lo > 1e-15; i++) {
    const mid = 0.5 * (lo + hi);
    if (lambda12(mid, sb1, cb1, sb2, cb2) < target) lo = mid;
    else hi = mid;
  }
  const alpha1 = 0.5 * (lo + hi);
  lambda12(alpha1, sb1, cb1, sb2, cb2);
  inv[0] = arcLength(lam[4], lam[0], lam[1], lam[2], lam[3]);
  let az1 = alpha1;
  let az2 = Math.atan2(lam[5], lam[6]);
  if (lonFlip) {
    az1 = -az1;
    az2 = -az2;
  }
  if (latFlip) {
    az1 = Math.PI - az1;
    az2 = Math.PI - az2;
  }
  // Swapped: the wanted geodesic is the canonical one reversed.
  inv[1] = swap ? az2 + Math.PI : az1;
}

/** Vincenty's inverse solution with the fallback; writes `inv`. Angles in degrees. */
function inverse(lat1Deg: number, lon1Deg: number, lat2Deg: number, lon2Deg: number): void {
  const l = degToRad(lonDiffDeg(lon1Deg, lon2Deg));
  // Reduced latitudes: tan U = (1 − f) tan φ.
  reducedLatitude(lat1Deg);
  const su1 = red[0];
  const cu1 = red[1];
  reducedLatitude(lat2Deg);
  const su2 = red[0];
  const cu2 = red[1];

  let lambda = l;
  let converged = false;
  for (let i = 0; i <= MAX_LAMBDA_ITERATIONS; i++) {
    const sinLambda = Math.sin(lambda);
    const cosLambda = Math.cos(lambda);
    const t1 = cu2 * sinLambda;
    const t2 = cu1 * su2 - su1 * cu2 * cosLambda;
    const sinSigma = Math.sqrt(t1 * t1 + t2 * t2);
    const cosSigma = su1 * su2 + cu1 * cu2 * cosLambda;
    if (sinSigma === 0) {
      if (cosSigma > 0) {
        // Coincident points.
        inv[0] = 0;
        inv[1] = 0;
        return;
      }
      break; // exactly antipodal: azimuth undetermined here
    }
    const sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cu1 * cu2 * sinLambda) / sinSigma;
    const cos2Alpha = 1 - sinAlpha * sinAlpha;
    // On the equator cos²α = 0 and the term is 0/0; there C = 0 and cos 2σm drops out.
    const cos2SigmaM = cos2Alpha !== 0 ? cosSigma - (2 * su1 * su2) / cos2Alpha : 0;
    if (converged) {
      // Evaluated at the converged λ, so distance and azimuth carry no iteration error.
      inv[0] = arcLength(cos2Alpha, sigma, sinSigma, cosSigma, cos2SigmaM);
      inv[1] = Math.atan2(t1, t2);
      return;
    }
    const c = cCoef(cos2Alpha);
    const next =
      l +
      (1 - c) *
        WGS84_F *
        sinAlpha *
        (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (!(Math.abs(next) <= Math.PI)) break;
    converged = Math.abs(next - lambda) <= LAMBDA_TOLERANCE;
    lambda = next;
  }
  inverseByAzimuth(su1, cu1, su2, cu2, l);
}

/**
 * Geodesic distance (m) on the WGS84 ellipsoid between the footprints of `a` and `b` (heights
 * ignored): Vincenty's inverse formula, with the bisection fallback near antipodal points (see
 * the module TSDoc). Measured error against GeographicLib: < 1 µm below 100 km, < 0.1 mm at any
 * distance. Allocates nothing.
 *
 * @param a first point (degrees; latitude within [−90, 90])
 * @param b second point (degrees; latitude within [−90, 90])
 */
export function horizontalDistance(a: GeoPoint, b: GeoPoint): number {
  inverse(a.latDeg, a.lonDeg, b.latDeg, b.lonDeg);
  return inv[0];
}

/**
 * Initial bearing (forward azimuth) at `a` of the shortest geodesic from `a` to `b` on the
 * WGS84 ellipsoid, clockwise from true north (rad, [0, 2π)). 0 for coincident points. At a
 * pole the bearing is measured from the meridian of `a.lonDeg`.
 * @param a start (degrees)
 * @param b end (degrees)
 */
export function initialBearing(a: GeoPoint, b: GeoPoint): number {
  inverse(a.latDeg, a.lonDeg, b.latDeg, b.lonDeg);
  return wrapTwoPi(inv[1]);
}

/**
 * Point reached from `p` after `distance` metres along the geodesic that leaves `p` with
 * `bearing` (Vincenty's direct formula, 1975, with its iteration on σ).
 * The result keeps `p.altM`; its longitude is in (−180, 180].
 *
 * @param p start (degrees, metres)
 * @param bearing initial azimuth, clockwise from true north (rad); at a pole, from the
 *   meridian of `p.lonDeg`
 * @param distance along the ellipsoid (m); negative goes backwards
 * @returns a new object
 */
export function destination(p: GeoPoint, bearing: number, distance: number): GeoPoint {
  reducedLatitude(p.latDeg);
  const su1 = red[0];
  const cu1 = red[1];
  const sAlpha1 = Math.sin(bearing);
  const cAlpha1 = Math.cos(bearing);
  // σ₁: arc from the northward equator crossing to the start; α: equatorial azimuth (Clairaut).
  const sigma1 = Math.atan2(su1, cu1 * cAlpha1);
  const sinAlpha = cu1 * sAlpha1;
  const cos2Alpha = 1 - sinAlpha * sinAlpha;
  const u2 = cos2Alpha * WGS84_EP2;
  const a = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
  const b = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
  const sigma0 = distance / (WGS84_B * a);
  let sigma = sigma0;
  let sinSigma = 0;
  let cosSigma = 1;
  let cos2SigmaM = 0;
  for (let i = 0; i < 20; i++) {
    sinSigma = Math.sin(sigma);
    cosSigma = Math.cos(sigma);
    cos2SigmaM = Math.cos(2 * sigma1 + sigma);
    const c2 = cos2SigmaM * cos2SigmaM;
    const dSigma =
      b *
      sinSigma *
      (cos2SigmaM +
        (b / 4) * (cosSigma * (-1 + 2 * c2) - (b / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * c2)));
    const next = sigma0 + dSigma;
    const done = Math.abs(next - sigma) <= SIGMA_TOLERANCE;
    sigma = next;
    if (done) break;
  }
  sinSigma = Math.sin(sigma);
  cosSigma = Math.cos(sigma);
  cos2SigmaM = Math.cos(2 * sigma1 + sigma);
  const t = su1 * sinSigma - cu1 * cosSigma * cAlpha1;
  const phi2 = Math.atan2(su1 * cosSigma + cu1 * sinSigma * cAlpha1, ONE_MINUS_F * Math.sqrt(sinAlpha * sinAlpha + t * t));
  const lambda = Math.atan2(sinSigma * sAlpha1, cu1 * cosSigma - su1 * sinSigma * cAlpha1);
  const c = cCoef(cos2Alpha);
  const l =
    lambda -
    (1 - c) * WGS84_F * sinAlpha * (sigma + c * sinSigma * (cos2SigmaM + c * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
  return { latDeg: radToDeg(phi2), lonDeg: wrap180(p.lonDeg + radToDeg(l)), altM: p.altM };
}
