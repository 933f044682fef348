/**
 * GeoJSON for the map's live sources, built from the wire objects in one pass per update.
 * The map calls these at most a few times a second and hands the result to
 * GeoJSONSource.setData; nothing here touches the DOM.
 */
import type { Feature, FeatureCollection, LineString, Point, Polygon, MultiPolygon, Geometry } from 'geojson';
import type { DetectionWire, SensorWire, TrackWire, ZoneStateWire } from '@skywarden/formats';
import { affiliationOf, AFFILIATION_COLOUR, sensorColour, trackIconId } from './symbology.js';
import { circleRing, circularRadius, offsetMetres, rayEnd } from './geometry.js';
import type { TrailBuffer } from './trail-buffer.js';

export type FC<G extends Geometry> = FeatureCollection<G>;

export function emptyFC<G extends Geometry = Geometry>(): FC<G> {
  return { type: 'FeatureCollection', features: [] };
}

export interface TrackLayers {
  points: FC<Point>;
  uncertainty: FC<Polygon>;
  vectors: FC<LineString>;
  predicted: FC<LineString>;
  trails: FC<LineString>;
}

export interface TrackBuildOptions {
  /** Selected track id, drawn highlighted. */
  selected?: string | null;
  /** Length of the velocity leader line in seconds of flight (default 60 s). */
  leaderS?: number;
  /** Probability mass inside the uncertainty circle (default 0.95). */
  uncertaintyP?: number;
  /** Vertices of an uncertainty circle (default 24). */
  circleSteps?: number;
  trails?: TrailBuffer;
}

function finite(...xs: (number | undefined)[]): boolean {
  for (const x of xs) if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  return true;
}

/** Features of all tracks of a snapshot: symbols, uncertainty circles, leaders, predictions, trails. */
export function buildTrackLayers(tracks: readonly TrackWire[], o: TrackBuildOptions = {}): TrackLayers {
  const leaderS = o.leaderS ?? 60;
  const p = o.uncertaintyP ?? 0.95;
  const steps = o.circleSteps ?? 24;
  const points: Feature<Point>[] = [];
  const uncertainty: Feature<Polygon>[] = [];
  const vectors: Feature<LineString>[] = [];
  const predicted: Feature<LineString>[] = [];
  const trails: Feature<LineString>[] = [];
  for (const tr of tracks) {
    if (!finite(tr.lat, tr.lon)) continue;
    const aff = affiliationOf(tr.affiliation);
    const colour = AFFILIATION_COLOUR[aff];
    const dismissed = tr.operator?.dismissed === true;
    const selected = o.selected === tr.track;
    const speed = finite(tr.speed_mps) ? tr.speed_mps : Math.hypot(tr.ve_mps || 0, tr.vn_mps || 0);
    const course = finite(tr.course_deg) ? tr.course_deg : (Math.atan2(tr.ve_mps || 0, tr.vn_mps || 0) * 180) / Math.PI;
    points.push({
      type: 'Feature',
      id: points.length,
      geometry: { type: 'Point', coordinates: [tr.lon, tr.lat] },
      properties: {
        id: tr.track,
        icon: trackIconId(tr),
        colour: dismissed ? '#8c8c8c' : colour,
        course: ((course % 360) + 360) % 360,
        coasting: tr.status === 'coasting',
        dismissed,
        confirmed: tr.operator?.confirmed === true,
        selected,
        threat: finite(tr.threat) ? tr.threat : 0,
        label: tr.label,
        affiliation: aff,
        speed,
        alt: finite(tr.alt_m) ? tr.alt_m : null,
      },
    });
    if (finite(tr.pos_sd_m) && tr.pos_sd_m > 0) {
      uncertainty.push({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [circleRing(tr.lat, tr.lon, circularRadius(tr.pos_sd_m, p), steps)] },
        properties: { id: tr.track, colour, selected },
      });
    }
    if (speed > 0.5 && finite(tr.ve_mps, tr.vn_mps)) {
      vectors.push({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: [[tr.lon, tr.lat], offsetMetres(tr.lat, tr.lon, tr.ve_mps * leaderS, tr.vn_mps * leaderS)] },
        properties: { id: tr.track, colour },
      });
    }
    if (tr.predicted && tr.predicted.length > 0) {
      const coords: [number, number][] = [[tr.lon, tr.lat]];
      for (const q of tr.predicted) if (finite(q.lat, q.lon)) coords.push([q.lon, q.lat]);
      if (coords.length >= 2) predicted.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: coords }, properties: { id: tr.track, colour, selected } });
    }
    if (o.trails) {
      const pts = o.trails.get(tr.track);
      if (pts.length >= 2) {
        trails.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: pts.map((q) => [q.lon, q.lat]) }, properties: { id: tr.track, colour } });
      }
    }
  }
  return {
    points: { type: 'FeatureCollection', features: points },
    uncertainty: { type: 'FeatureCollection', features: uncertainty },
    vectors: { type: 'FeatureCollection', features: vectors },
    predicted: { type: 'FeatureCollection', features: predicted },
    trails: { type: 'FeatureCollection', features: trails },
  };
}

export interface DetectionLayers {
  rays: FC<LineString>;
  presence: FC<Point>;
  points: FC<Point>;
}

/**
 * Features of recent detections at time `now` (s): bearings as rays from the sensor,
 * presence as circles about the sensor, positions as dots; opacity fades linearly to 0 over
 * `fadeS` seconds. A bearing without a range is drawn `defaultRayM` long (or the sensor's range).
 */
export function buildDetectionLayers(
  dets: readonly DetectionWire[],
  now: number,
  o: { fadeS?: number; defaultRayM?: number; sensorRange?: (id: string) => number | undefined } = {},
): DetectionLayers {
  const fadeS = o.fadeS ?? 10;
  const defRay = o.defaultRayM ?? 15_000;
  const rays: Feature<LineString>[] = [];
  const presence: Feature<Point>[] = [];
  const points: Feature<Point>[] = [];
  for (const d of dets) {
    const age = now - d.t;
    if (age > fadeS) continue;
    const opacity = Math.max(0, Math.min(1, 1 - Math.max(0, age) / fadeS));
    const props = { sensor: d.sensor, type: d.type, opacity, age };
    const hasSensor = finite(d.sensor_lat, d.sensor_lon);
    if (d.type === 'bearing' && hasSensor && finite(d.bearing_deg)) {
      const len = finite(d.range_m) ? d.range_m! : (o.sensorRange?.(d.sensor) ?? defRay);
      rays.push({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: [[d.sensor_lon!, d.sensor_lat!], rayEnd(d.sensor_lat!, d.sensor_lon!, d.bearing_deg!, len)] },
        properties: props,
      });
    } else if (d.type === 'presence' && hasSensor) {
      presence.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [d.sensor_lon!, d.sensor_lat!] }, properties: props });
    } else if (finite(d.lat, d.lon)) {
      points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [d.lon!, d.lat!] }, properties: props });
    } else if (d.type === 'range_bearing' && hasSensor && finite(d.range_m, d.bearing_deg)) {
      points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: rayEnd(d.sensor_lat!, d.sensor_lon!, d.bearing_deg!, d.range_m!) }, properties: props });
    }
  }
  return {
    rays: { type: 'FeatureCollection', features: rays },
    presence: { type: 'FeatureCollection', features: presence },
    points: { type: 'FeatureCollection', features: points },
  };
}

/** Sensor points coloured by status (sensors without a position are left off the map). */
export function buildSensorFeatures(sensors: Iterable<SensorWire>): FC<Point> {
  const features: Feature<Point>[] = [];
  for (const s of sensors) {
    if (!finite(s.lat, s.lon)) continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [s.lon!, s.lat!] },
      properties: { id: s.id, kind: s.kind, status: s.status, colour: sensorColour(s.status), ok: s.status === 'ok' },
    });
  }
  return { type: 'FeatureCollection', features };
}

type ZoneGeometry = Polygon | MultiPolygon;

/** Zone polygons with their alert state merged into the properties (`state`, `tier`, `eta_s`, `manual`). */
export function applyZoneStates(zones: FC<ZoneGeometry>, states: ReadonlyMap<string, ZoneStateWire>): FC<ZoneGeometry> {
  return {
    type: 'FeatureCollection',
    features: zones.features.map((f, i) => {
      const id = String(f.properties?.id ?? f.id ?? i);
      const st = states.get(id);
      return {
        type: 'Feature',
        id: i,
        geometry: f.geometry,
        properties: {
          ...(f.properties ?? {}),
          id,
          state: st?.state ?? 'clear',
          // the urgency tier drives the fill (an older server without tiers: alert = warning)
          tier: st?.tier ?? (st?.state === 'alert' ? 'warning' : 'none'),
          eta_s: st?.eta_s ?? null,
          manual: st?.manual === true,
          ntracks: st?.tracks.length ?? 0,
        },
      };
    }),
  };
}

/** Area-weighted centroid of the largest outer ring: where a zone's label goes. */
export function zoneLabelPoint(g: ZoneGeometry): [number, number] | null {
  const rings = g.type === 'Polygon' ? [g.coordinates[0]] : g.coordinates.map((p) => p[0]);
  let best: [number, number] | null = null;
  let bestArea = -1;
  for (const ring of rings) {
    if (!ring || ring.length < 3) continue;
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f;
      cx += (ring[j][0] + ring[i][0]) * f;
      cy += (ring[j][1] + ring[i][1]) * f;
    }
    const area = Math.abs(a / 2);
    if (area > bestArea && a !== 0) {
      bestArea = area;
      best = [cx / (3 * a), cy / (3 * a)];
    }
  }
  return best;
}

/** The zones the selected track may enter (its `threatens`, P >= minP): the map outlines them as its impact areas. */
export function impactZones(t: TrackWire | null | undefined, minP = 0.1): string[] {
  if (!t) return [];
  return (t.threatens ?? []).filter((z) => z.p >= minP).map((z) => z.zone);
}
