/**
 * What the district-alert test (districts.e2e.test.ts) measures, as pure functions:
 * - the districts' outlines in a local metric frame and the distance from a track to a district;
 * - how far a threat can fly in the time a tier's rule allows, at its class's top speed: the
 *   reach within which the warning rules of docs/warnings.md may put a district in alert;
 * - which tier each district is drawn in, read from a screenshot's pixels.
 */
import { ALERT_DEFAULTS, CLASS_KINEMATICS, THREAT_CLASSES, THREAT_DEFAULTS, createEnuFrame, geodeticToEnu, type EnuFrame } from '@skywarden/core';

export type XY = [number, number];

/** The GeoJSON the API serves for the zones (only what is read here). */
export interface ZoneCollection {
  features: { properties: { id: string; name?: string; lead_s?: number }; geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] } }[];
}

/** A district's rings (outer and holes alike: the even-odd rule) in metres east/north of a common origin. */
export interface District {
  id: string;
  name: string;
  rings: XY[][];
  box: [number, number, number, number];
}

/** Every ring of a zone feature, as [lon, lat] pairs. */
export function ringsOf(f: ZoneCollection['features'][number]): number[][][] {
  return f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat();
}

function boxOf(rings: XY[][]): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const r of rings) {
    for (const [x, y] of r) {
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  }
  return b;
}

/**
 * The zones in the local level frame at their mean vertex (over 150 km the plane's distances
 * are within metres of the geodesic ones), and the conversion of a track position into it.
 */
export function districtsOf(fc: ZoneCollection): { districts: District[]; toXY(lat: number, lon: number): XY } {
  let lat = 0;
  let lon = 0;
  let n = 0;
  for (const f of fc.features) {
    for (const r of ringsOf(f)) {
      for (const [x, y] of r) {
        lon += x;
        lat += y;
        n++;
      }
    }
  }
  if (n === 0) throw new Error('no zone vertices');
  const frame: EnuFrame = createEnuFrame({ latDeg: lat / n, lonDeg: lon / n, altM: 0 });
  const toXY = (la: number, lo: number): XY => {
    const v = geodeticToEnu(frame, { latDeg: la, lonDeg: lo, altM: 0 });
    return [v[0], v[1]];
  };
  const districts = fc.features.map((f) => {
    const rings = ringsOf(f).map((r) => r.map(([lo, la]) => toXY(la, lo)));
    return { id: f.properties.id, name: f.properties.name ?? f.properties.id, rings, box: boxOf(rings) };
  });
  return { districts, toXY };
}

/** Even-odd point in rings. */
export function insideRings(rings: readonly XY[][], p: XY): boolean {
  let c = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i];
      const [xj, yj] = r[j];
      if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
    }
  }
  return c;
}

/** Distance (m) from a point to a district: 0 inside, else to its nearest edge. */
export function distanceToDistrict(d: District, p: XY): number {
  if (insideRings(d.rings, p)) return 0;
  let best = Infinity;
  for (const r of d.rings) {
    for (let i = 1; i < r.length; i++) {
      const a = r[i - 1];
      const b = r[i];
      const dx = b[0] - a[0];
      const dy = b[1] - a[1];
      const l2 = dx * dx + dy * dy;
      const u = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2)) : 0;
      const e = Math.hypot(a[0] + u * dx - p[0], a[1] + u * dy - p[1]);
      if (e < best) best = e;
    }
  }
  return best;
}

/** A lower bound of the distance from a point to a district (its box). */
export function boxDistance(d: District, p: XY): number {
  const dx = Math.max(d.box[0] - p[0], 0, p[0] - d.box[2]);
  const dy = Math.max(d.box[1] - p[1], 0, p[1] - d.box[3]);
  return Math.hypot(dx, dy);
}

/**
 * Top ground speed (m/s) of each class: the upper edge of its speed band plus two shoulder
 * widths (`identify/class-model.ts`: a plateau with Gaussian shoulders), e.g. 70 m/s for a
 * Shahed-type `piston_owa` (band 42-60 m/s, shoulder 5).
 */
export const TOP_SPEED: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(CLASS_KINEMATICS.map((k) => [k.label, k.speed.max + 2 * k.speed.soft])));

/**
 * The top speed a threat track may fly at: the fastest threat class the identifier gives at
 * least 5 %; if none does, the fastest with any probability; without class probabilities,
 * the fastest threat class.
 */
export function threatTopSpeed(cls: Readonly<Record<string, number>> | undefined): number {
  const ps = THREAT_CLASSES.map((c) => [c, cls?.[c] ?? 0] as const);
  const likely = ps.filter(([, p]) => p >= 0.05);
  const use = likely.length > 0 ? likely : ps.filter(([, p]) => p > 0);
  const labels = use.length > 0 ? use.map(([c]) => c) : THREAT_CLASSES;
  return Math.max(...labels.map((c) => TOP_SPEED[c]));
}

/**
 * The times the warning rules allow (docs/warnings.md "Rules and defaults", "Tiers"), from the
 * defaults the service runs with:
 * - a district stays in alert only while some track with threat probability ≥ `threatHold`
 *   may enter it within its lead time + the hold margin (`alertS`, 300 + 120 s), at some
 *   warning update in the last `holdS` (the all-clear waits 120 s) plus one update interval
 *   (`alertWindowS`);
 * - it is IMMINENT only when a holding track's ETA was at most `imminentHoldS` (180 s + the
 *   60 s hysteresis) within `alertWindowS`, or at most `imminentS` (180 s) within
 *   `imminentWindowS` (the tier waits `tierHoldS` for a near track, after the last hold,
 *   which itself may be `holdS` old).
 */
export interface ReachRules {
  threatHold: number;
  alertS: number;
  alertWindowS: number;
  imminentS: number;
  imminentHoldS: number;
  imminentWindowS: number;
  /** The warning update interval (s): a track's ETAs come from a prediction at most this old, counted down. */
  intervalS: number;
  /** Spacing of the stored track states (s): an update falls at most this far from one. */
  stepS: number;
  /** Position one-sigmas added to the reach: where the drone may be, not only its estimate. */
  sigmas: number;
}

export function reachRules(leadS: number, intervalS: number, stepS: number): ReachRules {
  const a = ALERT_DEFAULTS;
  return {
    threatHold: a.threatHold,
    alertS: leadS + THREAT_DEFAULTS.holdMarginS,
    alertWindowS: a.holdS + intervalS,
    imminentS: a.imminentS,
    imminentHoldS: a.imminentS + a.tierHysteresisS,
    imminentWindowS: a.holdS + a.tierHoldS + intervalS,
    intervalS,
    stepS,
    sigmas: 3,
  };
}

/** A stored track state as the history API gives it (the fields read here). */
export interface TrackState {
  t: number;
  track: string;
  lat: number;
  lon: number;
  pos_sd_m?: number;
  threat?: number;
  class?: Record<string, number>;
}

/** Distance (m) a threat track can cover in `seconds` (+ one state step), plus its position uncertainty. */
export function reachOf(s: TrackState, seconds: number, rules: ReachRules): number {
  return threatTopSpeed(s.class) * (seconds + rules.stepS) + rules.sigmas * (s.pos_sd_m ?? 0);
}

/**
 * The farthest a threat track may be from a district it is said to enter in `etaS` (a
 * `threatens` ETA: predicted up to one interval before the track's row and counted down to
 * it, while the track flew on for that interval in any direction): its top speed times the ETA
 * plus two intervals, plus its position uncertainty.
 */
export function etaReachOf(s: TrackState, etaS: number, rules: ReachRules): number {
  return threatTopSpeed(s.class) * (etaS + 2 * rules.intervalS) + rules.sigmas * (s.pos_sd_m ?? 0);
}

/**
 * The same at the top speed the prediction held the track to (the zone row's `speed_bound_mps`,
 * the fastest threat class the track could be when predicted), or at the fastest threat class's
 * when the row carries none.
 */
export function boundReachOf(s: TrackState, etaS: number, boundMps: number | undefined, rules: ReachRules): number {
  const top = boundMps ?? Math.max(...THREAT_CLASSES.map((c) => TOP_SPEED[c]));
  return top * (etaS + 2 * rules.intervalS) + rules.sigmas * (s.pos_sd_m ?? 0);
}

export interface DistrictReach {
  /** Some threat could put the district in alert under the rules (alert allowed). */
  alert: boolean;
  /** ... IMMINENT allowed. */
  imminent: boolean;
}

/** A threat's stored state placed in the local frame, with how far it may be from a district under each rule (−1: too old for it). */
export interface PlacedThreat {
  p: XY;
  alertR: number;
  immHoldR: number;
  immR: number;
}

/**
 * The threats among the stored states of the window ending at `t`, placed and with their
 * reaches. States of tracks with threat probability below `threatHold` cannot hold an alert
 * and are left out.
 */
export function placeThreats(states: readonly TrackState[], t: number, rules: ReachRules, toXY: (lat: number, lon: number) => XY): PlacedThreat[] {
  const out: PlacedThreat[] = [];
  for (const s of states) {
    if ((s.threat ?? 1) < rules.threatHold || s.t > t + 1e-6) continue;
    const age = t - s.t;
    const holds = age <= rules.alertWindowS + rules.stepS;
    const near = age <= rules.imminentWindowS + rules.stepS;
    if (!holds && !near) continue;
    out.push({
      p: toXY(s.lat, s.lon),
      alertR: holds ? reachOf(s, rules.alertS, rules) : -1,
      immHoldR: holds ? reachOf(s, rules.imminentHoldS, rules) : -1,
      immR: near ? reachOf(s, rules.imminentS, rules) : -1,
    });
  }
  return out;
}

/** Which districts the placed threats can reach, by the rules. */
export function districtReach(districts: readonly District[], threats: readonly PlacedThreat[]): Map<string, DistrictReach> {
  const out = new Map<string, DistrictReach>();
  for (const d of districts) {
    const r: DistrictReach = { alert: false, imminent: false };
    for (const s of threats) {
      if (r.alert && r.imminent) break;
      const far = Math.max(r.alert ? -1 : s.alertR, r.imminent ? -1 : Math.max(s.immHoldR, s.immR));
      if (far < 0 || boxDistance(d, s.p) > far) continue;
      const dist = distanceToDistrict(d, s.p);
      if (dist <= s.alertR) r.alert = true;
      if (dist <= s.immHoldR || dist <= s.immR) r.imminent = true;
    }
    out.set(d.id, r);
  }
  return out;
}

// ---- reading the tiers from a screenshot ---------------------------------------------------

export type Rgb = [number, number, number];

export function parseHex(c: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${c}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

export interface PaletteEntry {
  tier: string;
  base: string;
  rgb: Rgb;
}

/** The colour of each tier's fill blended over each base colour (the map's land and its background: coasts differ between the base and the zones). */
export function tierPalette(tiers: Readonly<Record<string, { fill: string; opacity: number }>>, bases: readonly string[]): PaletteEntry[] {
  const out: PaletteEntry[] = [];
  for (const [tier, { fill, opacity }] of Object.entries(tiers)) {
    const f = parseHex(fill);
    for (const base of bases) {
      const b = parseHex(base);
      out.push({ tier, base, rgb: [0, 1, 2].map((i) => opacity * f[i] + (1 - opacity) * b[i]) as Rgb });
    }
  }
  return out;
}

/** Smallest distance (RGB units) between two palette colours of different tiers. */
export function paletteSeparation(palette: readonly PaletteEntry[]): number {
  let best = Infinity;
  for (const a of palette) for (const b of palette) if (a.tier !== b.tier) best = Math.min(best, Math.hypot(a.rgb[0] - b.rgb[0], a.rgb[1] - b.rgb[1], a.rgb[2] - b.rgb[2]));
  return best;
}

export interface Rect {
  l: number;
  t: number;
  r: number;
  b: number;
}

export interface Image {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Uint8Array;
}

export interface ReadOptions {
  /** Pixels kept off a district's outline (the outlines and borders are drawn there). */
  erode: number;
  /** Largest RGB distance from a tier's colour that counts as that tier. */
  tolerance: number;
  /** Least pixels of some tier for a district to be read. */
  minPixels: number;
  /** Least share of the tier-coloured pixels the most frequent tier must have. */
  share: number;
}

export const READ_DEFAULTS: ReadOptions = { erode: 4, tolerance: 10, minPixels: 5, share: 0.6 };

export interface DistrictPixels {
  /** The tier read, or null when the district shows too few pixels of one tier (hidden under panels, or too small). */
  tier: string | null;
  counts: Record<string, number>;
  /** Interior pixels matching no tier (tracks, their paths and icons drawn over the district). */
  other: number;
  /** Interior pixels under an HTML element (legend, labels, controls) or off the image. */
  hidden: number;
}

/**
 * The tier each district is drawn in: its interior pixels (even-odd over its rings in screen
 * pixels, `erode` pixels away from its outline, not under `masks`) are matched to the nearest
 * palette colour within `tolerance`; the district's tier is the most frequent when it has at
 * least `minPixels` pixels and `share` of the matched ones.
 */
export function readDistrictTiers(img: Image, districts: readonly { id: string; rings: XY[][] }[], masks: readonly Rect[], palette: readonly PaletteEntry[], o: ReadOptions = READ_DEFAULTS): Map<string, DistrictPixels> {
  const out = new Map<string, DistrictPixels>();
  const tol2 = o.tolerance * o.tolerance;
  const masked = (x: number, y: number) => masks.some((m) => x + 0.5 >= m.l && x + 0.5 <= m.r && y + 0.5 >= m.t && y + 0.5 <= m.b);
  for (const d of districts) {
    const res: DistrictPixels = { tier: null, counts: {}, other: 0, hidden: 0 };
    out.set(d.id, res);
    let [x0, y0, x1, y1] = boxOf(d.rings);
    x0 = Math.floor(x0);
    y0 = Math.floor(y0);
    x1 = Math.ceil(x1);
    y1 = Math.ceil(y1);
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (!(w > 0 && h > 0) || w * h > 4e6) continue;
    // scanline fill of the rings (pixel centres)
    const inside = new Uint8Array(w * h);
    const xs: number[] = [];
    for (let y = y0; y <= y1; y++) {
      const yc = y + 0.5;
      xs.length = 0;
      for (const r of d.rings) {
        for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
          const [xi, yi] = r[i];
          const [xj, yj] = r[j];
          if (yi > yc !== yj > yc) xs.push(xi + ((yc - yi) * (xj - xi)) / (yj - yi));
        }
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const a = Math.max(x0, Math.ceil(xs[k] - 0.5));
        const b = Math.min(x1, Math.floor(xs[k + 1] - 0.5));
        for (let x = a; x <= b; x++) inside[(y - y0) * w + (x - x0)] = 1;
      }
    }
    const at = (x: number, y: number) => x >= x0 && x <= x1 && y >= y0 && y <= y1 && inside[(y - y0) * w + (x - x0)] === 1;
    const e = o.erode;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (!at(x, y)) continue;
        if (!(at(x - e, y) && at(x + e, y) && at(x, y - e) && at(x, y + e) && at(x - e, y - e) && at(x + e, y - e) && at(x - e, y + e) && at(x + e, y + e))) continue;
        if (x < 0 || y < 0 || x >= img.width || y >= img.height || masked(x, y)) {
          res.hidden++;
          continue;
        }
        const i = (y * img.width + x) * 4;
        const r = img.data[i];
        const g = img.data[i + 1];
        const b = img.data[i + 2];
        let best: PaletteEntry | null = null;
        let bestD = Infinity;
        for (const p of palette) {
          const dd = (r - p.rgb[0]) ** 2 + (g - p.rgb[1]) ** 2 + (b - p.rgb[2]) ** 2;
          if (dd < bestD) {
            bestD = dd;
            best = p;
          }
        }
        if (best && bestD <= tol2) res.counts[best.tier] = (res.counts[best.tier] ?? 0) + 1;
        else res.other++;
      }
    }
    const matched = Object.values(res.counts).reduce((a, b) => a + b, 0);
    const top = Object.entries(res.counts).sort((a, b) => b[1] - a[1])[0];
    if (top && top[1] >= o.minPixels && top[1] >= o.share * matched) res.tier = top[0];
  }
  return out;
}
