/**
 * Geometry of track initiation from detections that do not localise a target alone:
 * two bearings from different places that cross (triangulation), and several presence
 * sensors that hear the same target at once. Horizontal plane of the tracker frame.
 */

/** A bearing, as a ray in the tracker frame's horizontal plane. */
export interface Ray {
  /** Sensor position (m). */
  sx: number;
  sy: number;
  /** Unit direction. */
  ux: number;
  uy: number;
  /** One-sigma of the direction (rad). */
  angleSd: number;
  /** Farthest a target can be seen along it (m). */
  reach: number;
}

export interface Crossing {
  /** The crossing point (m) and its 2×2 covariance (m²). */
  x: number;
  y: number;
  cxx: number;
  cxy: number;
  cyy: number;
  /** Distances from each sensor to the crossing (m). */
  rangeA: number;
  rangeB: number;
}

/**
 * Where two rays cross, with the covariance that their angular errors give it (the
 * information of each bearing is 1/(range·σ)² across its ray), plus an isotropic `extraVar`
 * (m²: the target's motion between the two detections). Null when the rays are nearly
 * parallel (crossing angle below `minAngle`), cross behind a sensor, or beyond a reach.
 */
export function crossRays(a: Ray, b: Ray, minAngle: number, extraVar: number): Crossing | null {
  const cross = a.ux * b.uy - a.uy * b.ux; // sin of the crossing angle
  if (Math.abs(cross) < Math.sin(minAngle)) return null;
  const dx = b.sx - a.sx;
  const dy = b.sy - a.sy;
  const s = (dx * b.uy - dy * b.ux) / cross;
  const u = (dx * a.uy - dy * a.ux) / cross;
  if (!(s > 0 && u > 0) || s > a.reach || u > b.reach) return null;
  const x = a.sx + s * a.ux;
  const y = a.sy + s * a.uy;
  // information matrix: Σ n nᵀ / σ², with n the normal of each ray and σ its cross-range error
  const va = Math.max((s * a.angleSd) ** 2, 1);
  const vb = Math.max((u * b.angleSd) ** 2, 1);
  const ixx = (a.uy * a.uy) / va + (b.uy * b.uy) / vb;
  const ixy = (-a.uy * a.ux) / va + (-b.uy * b.ux) / vb;
  const iyy = (a.ux * a.ux) / va + (b.ux * b.ux) / vb;
  const det = ixx * iyy - ixy * ixy;
  if (!(det > 0)) return null;
  return { x, y, cxx: iyy / det + extraVar, cxy: -ixy / det, cyy: ixx / det + extraVar, rangeA: s, rangeB: u };
}

/** A presence sensor's disc. */
export interface Disc {
  sx: number;
  sy: number;
  radius: number;
}

/**
 * Whether every pair of discs overlaps (with `slack` m added to each sum of radii): a single
 * target heard by all of them at once lies in all of them.
 */
export function discsOverlap(discs: readonly Disc[], slack: number): boolean {
  for (let i = 0; i < discs.length; i++) {
    for (let j = i + 1; j < discs.length; j++) {
      const d = Math.hypot(discs[i].sx - discs[j].sx, discs[i].sy - discs[j].sy);
      if (d > discs[i].radius + discs[j].radius + slack) return false;
    }
  }
  return true;
}

/**
 * A target heard by several presence sensors at once: the centroid of the sensors, and a
 * covariance that spans their discs' common area: the spread of a uniform disc (R²/4 per axis)
 * shrunk by the number of sensors, never below a tenth of it.
 */
export function presenceFix(discs: readonly Disc[]): { x: number; y: number; variance: number } {
  let x = 0;
  let y = 0;
  let r2 = 0;
  for (const d of discs) {
    x += d.sx;
    y += d.sy;
    r2 += d.radius * d.radius;
  }
  const k = discs.length;
  const v = r2 / k / 4;
  return { x: x / k, y: y / k, variance: Math.max(v / k, v / 10) };
}
