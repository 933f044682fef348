/**
 * Angle conversion and wrapping. Radians inside the code, degrees only at I/O (`…Deg`).
 * Wrapping returns values already in range unchanged (bit for bit); others are reduced with
 * JavaScript's `%`, an exact truncated remainder (C `fmod`), then shifted by one turn at most.
 */

const TWO_PI = 2 * Math.PI;
const DEG_PER_RAD = 180 / Math.PI;
const RAD_PER_DEG = Math.PI / 180;

/** Degrees to radians. */
export function degToRad(d: number): number {
  return d * RAD_PER_DEG;
}

/** Radians to degrees. */
export function radToDeg(r: number): number {
  return r * DEG_PER_RAD;
}

/**
 * Wraps an angle (rad) into (−π, π]. Values already in range are returned unchanged;
 * −0 becomes +0. Non-finite input gives NaN.
 */
export function wrapPi(a: number): number {
  if (a > -Math.PI && a <= Math.PI) return a + 0;
  let r = a % TWO_PI; // in (−2π, 2π), same sign as a
  if (r <= -Math.PI) r += TWO_PI;
  else if (r > Math.PI) r -= TWO_PI;
  return r + 0;
}

/**
 * Wraps an angle (rad) into [0, 2π). Values already in range are returned unchanged;
 * −0 becomes +0. Non-finite input gives NaN.
 */
export function wrapTwoPi(a: number): number {
  if (a >= 0 && a < TWO_PI) return a + 0;
  let r = a % TWO_PI; // in (−2π, 2π), same sign as a
  if (r < 0) {
    r += TWO_PI;
    // A tiny negative r rounds up to exactly 2π when shifted; 2π is 0 on the circle.
    if (r >= TWO_PI) r = 0;
  }
  return r + 0;
}
