/**
 * Seeded synthetic picture for the render benchmark and tests: `n` tracks flying straight
 * lines and `m` sensors on a jittered grid about a centre. Deterministic for a seed
 * (mulberry32), so the benchmark draws the same picture every run.
 */
import type { SensorWire, TrackWire } from '@skywarden/formats';
import { offsetMetres } from './geometry.js';
import { mulberry32 } from '@skywarden/core';

export { mulberry32 };

const LABELS = ['piston_owa', 'jet_owa', 'cruise_missile', 'multirotor', 'fixed_wing_small', 'aircraft'];
const AFF: TrackWire['affiliation'][] = ['hostile', 'unknown', 'neutral', 'friendly'];

export interface SyntheticTrackSeed {
  id: string;
  lat0: number;
  lon0: number;
  ve: number;
  vn: number;
  label: string;
  affiliation: TrackWire['affiliation'];
  sd: number;
}

export function syntheticTrackSeeds(n: number, seed = 1, centre = { lat: 37.55, lon: 126.98 }, spreadM = 60_000): SyntheticTrackSeed[] {
  const rnd = mulberry32(seed);
  const out: SyntheticTrackSeed[] = [];
  for (let i = 0; i < n; i++) {
    const [lon0, lat0] = offsetMetres(centre.lat, centre.lon, (rnd() * 2 - 1) * spreadM, (rnd() * 2 - 1) * spreadM);
    const speed = 20 + rnd() * 180;
    const c = rnd() * 2 * Math.PI;
    out.push({
      id: `SYN${String(i).padStart(5, '0')}`,
      lat0,
      lon0,
      ve: speed * Math.sin(c),
      vn: speed * Math.cos(c),
      label: LABELS[Math.floor(rnd() * LABELS.length)],
      affiliation: AFF[Math.floor(rnd() * AFF.length)],
      sd: 20 + rnd() * 300,
    });
  }
  return out;
}

/** Tracks of the seeds at `dt` seconds after their start, as the stream would send them. */
export function syntheticTracks(seeds: readonly SyntheticTrackSeed[], t: number, dt: number): TrackWire[] {
  return seeds.map((s) => {
    const [lon, lat] = offsetMetres(s.lat0, s.lon0, s.ve * dt, s.vn * dt);
    const speed = Math.hypot(s.ve, s.vn);
    const course = ((Math.atan2(s.ve, s.vn) * 180) / Math.PI + 360) % 360;
    const threat = s.affiliation === 'hostile' ? 0.8 : 0.1;
    const predicted = s.affiliation === 'hostile'
      ? [30, 60, 90].map((a) => {
          const [plon, plat] = offsetMetres(lat, lon, s.ve * a, s.vn * a);
          return { dt_s: a, lat: plat, lon: plon };
        })
      : undefined;
    return {
      t,
      track: s.id,
      lat,
      lon,
      alt_m: 300,
      ve_mps: s.ve,
      vn_mps: s.vn,
      pos_sd_m: s.sd,
      status: 'confirmed',
      class: { [s.label]: 0.7, aircraft: 0.3 },
      label: s.label,
      threat,
      affiliation: s.affiliation,
      speed_mps: speed,
      course_deg: course,
      sensors: ['S00001'],
      predicted,
    };
  });
}

export function syntheticSensors(m: number, seed = 2, centre = { lat: 37.55, lon: 126.98 }, spreadM = 150_000): SensorWire[] {
  const rnd = mulberry32(seed);
  const kinds = ['radar', 'rf', 'acoustic', 'eo'];
  const out: SensorWire[] = [];
  for (let i = 0; i < m; i++) {
    const [lon, lat] = offsetMetres(centre.lat, centre.lon, (rnd() * 2 - 1) * spreadM, (rnd() * 2 - 1) * spreadM);
    const r = rnd();
    out.push({
      id: `S${String(i).padStart(5, '0')}`,
      kind: kinds[i % kinds.length],
      lat,
      lon,
      status: r < 0.9 ? 'ok' : r < 0.96 ? 'silent' : r < 0.98 ? 'stuck' : 'never_seen',
      rate_per_min: Math.round(rnd() * 60),
      accepted: 0,
      rejected: 0,
    });
  }
  return out;
}

/**
 * A sensor network for the coverage layer and its benchmark: `m` acoustic nodes scattered
 * over a square of ±`spreadM` (ranges 2-3 km; 1 in 10 without a range, so it takes the kind's
 * default) and one radar per 500 nodes (ranges 20-60 km); `okShare` of them ok, the rest
 * silent, stuck, offline or never seen.
 */
export function syntheticCoverageSensors(m: number, seed = 3, centre = { lat: 37.55, lon: 126.98 }, spreadM = 60_000, okShare = 0.9): SensorWire[] {
  const rnd = mulberry32(seed);
  const bad = ['silent', 'stuck', 'offline', 'never_seen'] as const;
  const out: SensorWire[] = [];
  const radars = Math.max(1, Math.round(m / 500));
  for (let i = 0; i < m + radars; i++) {
    const radar = i >= m;
    const [lon, lat] = offsetMetres(centre.lat, centre.lon, (rnd() * 2 - 1) * spreadM, (rnd() * 2 - 1) * spreadM);
    const ok = rnd() < okShare;
    const s: SensorWire = {
      id: radar ? `R${String(i - m).padStart(3, '0')}` : `A${String(i).padStart(5, '0')}`,
      kind: radar ? 'radar' : 'acoustic',
      lat,
      lon,
      status: ok ? 'ok' : bad[Math.floor(rnd() * bad.length)],
      rate_per_min: 1,
      accepted: 0,
      rejected: 0,
    };
    const r = rnd();
    if (radar) s.range_m = 20_000 + r * 40_000;
    else if (r >= 0.1) s.range_m = 2000 + r * 1000;
    out.push(s);
  }
  return out;
}
