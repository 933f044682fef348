/**
 * The cluster's tiling: the picture partitioned into regions (rectangles in latitude and
 * longitude, each with an id that is a bus subject token), each extended by an overlap margin
 * (`cluster.overlap_m`). A region's *core* is its rectangle; its *extent* is the rectangle
 * grown by the margin on every side. Ingest publishes a detection to every region whose extent
 * holds it (bus/bus.ts: `<prefix>.detections.<region>`); a region's fusion worker owns the
 * tracks and zones in its core and also follows, in the margin, the tracks its neighbours own,
 * so a track crossing a border is already held on both sides when it is handed over.
 */
import { SUBJECT_TOKEN } from '../bus/bus.js';

/** A region as configured (degrees). */
export interface RegionConfig {
  id: string;
  lat_min: number;
  lat_max: number;
  lon_min: number;
  lon_max: number;
  [k: string]: unknown;
}

export interface Region {
  id: string;
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

const M_PER_DEG_LAT = 111_320;

/** Checks the configured regions; a list of errors naming the region and key. */
export function checkRegions(list: readonly Record<string, unknown>[], path = 'cluster.regions'): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  list.forEach((r, i) => {
    const p = `${path}[${i}]`;
    for (const k of Object.keys(r)) if (!['id', 'lat_min', 'lat_max', 'lon_min', 'lon_max'].includes(k)) errors.push(`${p}.${k} is not a setting (known here: id, lat_min, lat_max, lon_min, lon_max)`);
    if (typeof r.id !== 'string' || !SUBJECT_TOKEN.test(r.id)) errors.push(`${p}.id must be letters, digits, _ or - (a bus subject token), got ${JSON.stringify(r.id)}`);
    else if (seen.has(r.id)) errors.push(`${p}.id ${r.id} is given twice`);
    else seen.add(r.id);
    const n = (k: string, lo: number, hi: number) => {
      const v = r[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
        errors.push(`${p}.${k} must be a number in [${lo}, ${hi}] (degrees), got ${JSON.stringify(v)}`);
        return NaN;
      }
      return v;
    };
    const a = n('lat_min', -90, 90);
    const b = n('lat_max', -90, 90);
    const c = n('lon_min', -180, 180);
    const d = n('lon_max', -180, 180);
    if (a >= b) errors.push(`${p}: lat_min ${a} must be below lat_max ${b}`);
    if (c >= d) errors.push(`${p}: lon_min ${c} must be below lon_max ${d}`);
  });
  return errors;
}

export function parseRegions(list: readonly Record<string, unknown>[]): Region[] {
  return list.map((r) => ({ id: r.id as string, latMin: r.lat_min as number, latMax: r.lat_max as number, lonMin: r.lon_min as number, lonMax: r.lon_max as number }));
}

/** Whether (lat, lon) is in the region grown by `marginM` metres on each side (0: its core; borders are half-open: [min, max)). */
export function inRegion(r: Region, latDeg: number, lonDeg: number, marginM = 0): boolean {
  if (!Number.isFinite(latDeg) || !Number.isFinite(lonDeg)) return false;
  const dLat = marginM / M_PER_DEG_LAT;
  const dLon = marginM / (M_PER_DEG_LAT * Math.max(0.01, Math.cos((latDeg * Math.PI) / 180)));
  return latDeg >= r.latMin - dLat && latDeg < r.latMax + dLat && lonDeg >= r.lonMin - dLon && lonDeg < r.lonMax + dLon;
}

/** The region whose core holds (lat, lon), or null (outside the tiling). */
export function coreRegion(regions: readonly Region[], latDeg: number, lonDeg: number): Region | null {
  for (const r of regions) if (inRegion(r, latDeg, lonDeg)) return r;
  return null;
}

/**
 * The regions a journalled detection goes to: those whose extent (core + `overlapM`) holds the
 * point it names (a position, or a range and bearing from its sensor), or, for a detection that
 * names no point (a bearing, a presence), whose extent comes within `reachM` of its sensor.
 * A detection outside every extent goes to the nearest region (nothing journalled is dropped).
 */
export function regionsFor(regions: readonly Region[], overlapM: number, reachM: number, p: { latDeg: number; lonDeg: number; point: boolean }): string[] {
  const out: string[] = [];
  const margin = p.point ? overlapM : overlapM + reachM;
  for (const r of regions) if (inRegion(r, p.latDeg, p.lonDeg, margin)) out.push(r.id);
  if (out.length > 0 || regions.length === 0) return out;
  let best = regions[0];
  let bestD = Infinity;
  for (const r of regions) {
    const lat = Math.min(Math.max(p.latDeg, r.latMin), r.latMax);
    const lon = Math.min(Math.max(p.lonDeg, r.lonMin), r.lonMax);
    const d = Math.hypot(lat - p.latDeg, (lon - p.lonDeg) * Math.cos((p.latDeg * Math.PI) / 180));
    if (!(d >= bestD)) {
      best = r;
      bestD = d;
    }
  }
  return [best.id];
}
