/**
 * Helpers of the cluster tests: a two-sided scene (the small scene, its drones crossing the
 * border between a west and an east region), the tilings, a feeder that waits for the fusion
 * workers to take each second, and the scoring of a merged picture against the truth.
 */
import { sampleTarget, type SmallScene } from '@skywarden/sim';
import { scoreTracks, type ScoredPoint, type TrackScore } from '@skywarden/core';
import type { TrackWire } from '@skywarden/formats';
import type { NatsBus } from '../bus/nats/nats-bus.js';
import { durableName } from './fusion-worker.js';

/** Tilings of the small scene's square around (37.55, 127.0): 1, 2 (west | east) or 4 (quadrants) regions, borders through the centre. */
export function tiling(n: 1 | 2 | 4): Record<string, unknown>[] {
  const lat = [37.2, 37.55, 37.9];
  const lon = [126.6, 127.0, 127.4];
  if (n === 1) return [{ id: 'all', lat_min: lat[0], lat_max: lat[2], lon_min: lon[0], lon_max: lon[2] }];
  if (n === 2)
    return [
      { id: 'west', lat_min: lat[0], lat_max: lat[2], lon_min: lon[0], lon_max: lon[1] },
      { id: 'east', lat_min: lat[0], lat_max: lat[2], lon_min: lon[1], lon_max: lon[2] },
    ];
  const out: Record<string, unknown>[] = [];
  for (const [i, ns] of ['s', 'n'].entries()) for (const [j, we] of ['w', 'e'].entries()) out.push({ id: `${ns}${we}`, lat_min: lat[i], lat_max: lat[i + 1], lon_min: lon[j], lon_max: lon[j + 1] });
  return out;
}

/** Truth drones (D*) whose path crosses the meridian 127.0 (the west/east border) while the scene runs. */
export function crossers(scene: SmallScene): string[] {
  const out: string[] = [];
  for (const tg of scene.targets) {
    if (!tg.id.startsWith('D')) continue;
    let side = 0;
    for (let t = scene.t0; t <= scene.t0 + scene.duration; t += 2) {
      const s = sampleTarget(tg, t);
      if (!s) continue;
      const now = Math.sign(s.position.lonDeg - 127.0);
      if (side !== 0 && now !== side) {
        out.push(tg.id);
        break;
      }
      side = now;
    }
  }
  return out;
}

/** Waits until every region's durable consumer has handed over and acknowledged all it holds. */
export async function regionsDrained(bus: NatsBus, stream: string, regions: readonly string[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    let done = true;
    for (const r of regions) {
      try {
        const i = await bus.manager.consumers.info(stream, durableName(r));
        if (i.num_pending > 0 || i.num_ack_pending > 0) done = false;
      } catch {
        done = false; // not made yet (the region not taken yet)
      }
    }
    if (done) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for the regions' consumers to drain`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The scene's rows in one-second chunks (by measurement time). */
export function seconds(rows: readonly Record<string, unknown>[]): { t: number; rows: Record<string, unknown>[] }[] {
  const out: { t: number; rows: Record<string, unknown>[] }[] = [];
  for (const r of rows) {
    const t = Math.floor(r.t as number);
    if (out.length === 0 || out[out.length - 1].t !== t) out.push({ t, rows: [] });
    out[out.length - 1].rows.push(r);
  }
  return out;
}

/**
 * Scores merged snapshots (report time -> tracks) against the truth drones and airliner at the
 * same times (whole seconds), with core's track scorer (GOSPA, id switches).
 */
export function scoreSnapshots(scene: SmallScene, snaps: ReadonlyMap<number, readonly TrackWire[]>, from: number): TrackScore {
  const truth: ScoredPoint[] = [];
  const tracks: ScoredPoint[] = [];
  for (const [t, list] of snaps) {
    if (t < from || Math.abs(t - Math.round(t)) > 1e-6) continue;
    for (const tg of scene.targets) {
      const s = sampleTarget(tg, t);
      if (s) truth.push({ t, id: tg.id, position: s.position });
    }
    // each row moved on by its velocity from its own report time to the snapshot's (the regions
    // report on the same grid, but the merged snapshot holds each region's latest: up to a report behind)
    for (const w of list) {
      const dt = t - w.t;
      const lat = w.lat + (w.vn_mps * dt) / 111_320;
      const lon = w.lon + (w.ve_mps * dt) / (111_320 * Math.cos((w.lat * Math.PI) / 180));
      tracks.push({ t, id: w.track, position: { latDeg: lat, lonDeg: lon, altM: w.alt_m ?? 0 } });
    }
  }
  return scoreTracks(truth, tracks);
}

/** Zones over the small scene (GeoJSON text): a square of `sideM` around each of five points (the centre and four around it at `offsetM`). */
export function sceneZones(sideM = 6000, offsetM = 6000): string {
  const c = { lat: 37.55, lon: 127.0 };
  const dLat = (m: number) => m / 111_320;
  const dLon = (m: number) => m / (111_320 * Math.cos((c.lat * Math.PI) / 180));
  const at = [
    ['z-c', 0, 0],
    ['z-ne', offsetM, offsetM],
    ['z-nw', offsetM, -offsetM],
    ['z-se', -offsetM, offsetM],
    ['z-sw', -offsetM, -offsetM],
  ] as const;
  const features = at.map(([id, n, e]) => {
    const lat = c.lat + dLat(n);
    const lon = c.lon + dLon(e);
    const h = sideM / 2;
    const ring = [
      [lon - dLon(h), lat - dLat(h)],
      [lon + dLon(h), lat - dLat(h)],
      [lon + dLon(h), lat + dLat(h)],
      [lon - dLon(h), lat + dLat(h)],
      [lon - dLon(h), lat - dLat(h)],
    ];
    return { type: 'Feature', properties: { id, name: id }, geometry: { type: 'Polygon', coordinates: [ring] } };
  });
  return JSON.stringify({ type: 'FeatureCollection', features });
}
