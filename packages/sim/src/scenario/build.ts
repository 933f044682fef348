/**
 * From a validated scenario to the interchange rows: picks the preset's scene generator,
 * applies the scenario's settings, adds real recorded trajectories and the warning zones.
 * File access goes through `ScenarioIo`, so that this module stays free of I/O.
 */
import { createEnuFrame, destination, geodeticToEnu, type GeoPoint } from '@skywarden/core';
import { krAdminZones, parseZonesGeoJson, type DetectionRow, type SensorRow, type TruthRow } from '@skywarden/formats';
import { makeAcousticNetwork, type AcousticModel } from '../scene/sensors-acoustic.js';
import { addAcousticFalseAlarms } from '../scene/acoustic-false-alarms.js';
import { makeObservers } from '../scene/sensors-observer.js';
import { makeMixedScene, type MixedSceneOptions } from '../scene/scene-mixed.js';
import { makeNationalScene, generateNationalRows } from '../scene/scene-national.js';
import { makeSmallScene } from '../scene/scene-small.js';
import { simulateScene } from '../scene/scene.js';
import { parseOpenSkyStates } from '../scene/opensky.js';
import { sampledTrajectory } from '../scene/trajectory-sampled.js';
import { makeDistrictZones, makeSiteZones } from '../scene/zones.js';
import type { RadarModel } from '../scene/sensors.js';
import type { Scenario } from './scenario.js';

/** File access the builder needs (paths as written in the scenario). */
export interface ScenarioIo {
  readText(path: string): string;
  /** Parsed JSON of a file (gunzipped when it ends in .gz). */
  readJson(path: string): unknown;
  /** The shipped KOSTAT municipalities topology (data/kr-admin). */
  krAdminTopology(): string;
}

/** One time chunk of rows: truth before detections, both sorted by t. */
export interface RowChunk {
  truth: TruthRow[];
  detections: DetectionRow[];
}

export interface BuiltScene {
  sensors: SensorRow[];
  /** zones.geojson: a FeatureCollection per spec/interchange.md. */
  zones: { type: 'FeatureCollection'; features: readonly unknown[] };
  /** The rows, chunk by chunk (one chunk for the small and mixed presets). */
  chunks(): Generator<RowChunk>;
}

export interface BuildOptions {
  /** Add `sim_target` to each detection row (the truth id, null for clutter). */
  annotate?: boolean;
}

function buildZones(s: Scenario, io: ScenarioIo, origin: GeoPoint): BuiltScene['zones'] {
  const z = s.zones;
  if (z.kind === 'none') return { type: 'FeatureCollection', features: [] };
  if (z.kind === 'kr_admin') return krAdminZones(io.krAdminTopology(), { provinces: z.provinces, leadS: z.leadS ?? undefined });
  if (z.kind === 'geojson') {
    const text = io.readText(z.file);
    const parsed = parseZonesGeoJson(text);
    if (!parsed.ok) throw new RangeError(`zones file ${z.file}: ${parsed.errors.join('; ')}`);
    const doc = JSON.parse(text) as { type: 'FeatureCollection'; features: { properties: Record<string, unknown> }[] };
    if (z.leadS !== null) for (const f of doc.features) f.properties.lead_s ??= z.leadS;
    return doc;
  }
  const features: unknown[] = [];
  if (z.districts) {
    const d = makeDistrictZones({ origin, widthM: s.regionM, heightM: s.regionM, nx: z.districts.nx, ny: z.districts.ny, leadS: z.leadS ?? undefined });
    features.push(...d.features);
  }
  if (z.sites && z.sites.count > 0) {
    const st = makeSiteZones({ seed: s.seed, origin, regionM: s.regionM, count: z.sites.count, radiusM: z.sites.radiusM, leadS: z.leadS ?? undefined });
    features.push(...st.features);
  }
  return { type: 'FeatureCollection', features };
}

/**
 * The microphones about recorded flights: by count as before, or with the scenario's network
 * conditions (`mic_spacing_m`, range, Pd, quality spread, arrays, realistic false alarms) laid
 * out as the mixed scene lays them, so the acoustic matrix can fly real motion through them.
 */
function realMotionAcoustics(s: Scenario, centre: GeoPoint, side: number, t0: number, t1: number): AcousticModel[] {
  const c = s.sensors;
  const conditioned = c.micSpacingM !== undefined || c.micRangeM || c.arrayShare !== undefined || c.micPd || c.micQualitySpread !== undefined || c.micFalseAlarms || c.micReportPeriodS !== undefined || c.micRowPerSource === true || c.micLevels !== undefined;
  if (!conditioned) return c.microphones > 0 ? makeAcousticNetwork({ seed: s.seed, origin: centre, widthM: side, heightM: side, count: c.microphones }) : [];
  if (c.micSpacingM === undefined && c.microphones === 0) return [];
  const fa = c.micFalseAlarms;
  const mics = makeAcousticNetwork({
    seed: s.seed,
    origin: centre,
    widthM: side,
    heightM: side,
    count: Math.max(1, c.microphones),
    spacing: c.micSpacingM,
    bearingShare: c.arrayShare ?? 0.25,
    farPerHour: fa ? 0 : 1,
    burstsPerHour: fa ? 0 : 0.2,
    ...(c.micRangeM ? { rangeM: c.micRangeM } : {}),
    ...(c.micPd ? { pdRange: c.micPd } : {}),
    ...(c.micQualitySpread !== undefined ? { qualitySpread: c.micQualitySpread } : {}),
    ...(c.micReportPeriodS !== undefined ? { period: c.micReportPeriodS } : {}),
    ...(c.micRowPerSource ? { rowPerSource: true } : {}),
    ...(c.micLevels ? { levels: c.micLevels } : {}),
  });
  return fa ? addAcousticFalseAlarms(mics, { seed: s.seed, origin: centre, regionM: side, t0, t1, ratePerHour: fa.ratePerHour, kinds: fa.kinds, owaHintShare: fa.owaHintShare }) : mics;
}

/** The mixed scene's options for the scenario's microphone-network and raid conditions (issue 13); none when not set. */
function conditionOptions(s: Scenario): Partial<MixedSceneOptions> {
  const o: Partial<MixedSceneOptions> = {};
  const c = s.sensors;
  if (c.radars === 0) o.nRadars = 0;
  if (s.raid.altM) o.droneAltM = s.raid.altM;
  if (s.raid.waves) o.waves = s.raid.waves;
  if (s.raid.fromSpreadDeg !== undefined) o.fromSpreadDeg = s.raid.fromSpreadDeg;
  if (c.micSpacingM !== undefined) o.micSpacingM = c.micSpacingM;
  if (c.micRangeM) o.micRangeM = c.micRangeM;
  if (c.arrayShare !== undefined) o.bearingMicShare = c.arrayShare;
  if (c.micPd) o.micPdRange = c.micPd;
  if (c.micQualitySpread !== undefined) o.micQualitySpread = c.micQualitySpread;
  if (c.micReportPeriodS !== undefined) o.micReportPeriodS = c.micReportPeriodS;
  if (c.micRowPerSource) o.micRowPerSource = true;
  if (c.micLevels) o.micLevels = c.micLevels;
  if (c.radarClutterSpots) o.radarClutterSpots = c.radarClutterSpots;
  if (c.micFalseAlarms) o.micFalseAlarms = { ratePerHour: c.micFalseAlarms.ratePerHour, kinds: c.micFalseAlarms.kinds, owaHintShare: c.micFalseAlarms.owaHintShare };
  return o;
}

/** A scenario's scene (deterministic for its seed). Throws a RangeError naming a bad input file. */
export function buildScenarioScene(s: Scenario, io: ScenarioIo, opts: BuildOptions = {}): BuiltScene {
  const origin: GeoPoint = { latDeg: s.origin.latDeg, lonDeg: s.origin.lonDeg, altM: 0 };
  const raidHeadingDeg = s.raid.fromDeg === null ? undefined : (s.raid.fromDeg + 180) % 360;
  const zones = buildZones(s, io, origin);
  const annotate = opts.annotate ?? false;

  if (s.realMotion) {
    // recorded flights as the truth, sensors simulated around them
    const trajectories = s.realMotion.files.flatMap((f) =>
      parseOpenSkyStates(io.readJson(f), { cls: s.realMotion!.cls }).map((fl) => sampledTrajectory({ id: fl.id, cls: fl.cls, samples: fl.samples })),
    );
    if (trajectories.length === 0) throw new RangeError(`real_motion: no usable flight in ${s.realMotion.files.join(', ')}`);
    const t0 = Math.min(...trajectories.map((t) => t.startTime));
    const t1 = Math.max(...trajectories.map((t) => t.endTime));
    // centre the sensors on the flights
    let lat = 0;
    let lon = 0;
    let n = 0;
    for (const tr of trajectories) {
      for (let t = tr.startTime; t <= tr.endTime; t += 30) {
        const p = tr.sample(t);
        if (p) {
          lat += p.position.latDeg;
          lon += p.position.lonDeg;
          n++;
        }
      }
    }
    const centre: GeoPoint = { latDeg: lat / n, lonDeg: lon / n, altM: 0 };
    const frame = createEnuFrame(centre);
    let reach = 5000;
    for (const tr of trajectories) {
      for (let t = tr.startTime; t <= tr.endTime; t += 30) {
        const p = tr.sample(t);
        if (p) {
          const e = geodeticToEnu(frame, p.position);
          reach = Math.max(reach, Math.hypot(e[0], e[1]));
        }
      }
    }
    const side = Math.min(2 * reach + 10000, 200000);
    const radars: RadarModel[] = Array.from({ length: s.sensors.radars }, (_, i) => ({
      id: `radar-${i + 1}`,
      position: i === 0 ? { ...centre, altM: 30 } : { ...destination(centre, (2 * Math.PI * i) / s.sensors.radars, side / 4), altM: 30 },
      scanPeriod: 3,
      rangeMax: Math.max(40000, side),
      rangeSd: 25,
      bearingSdDeg: 0.8,
      elevationSdDeg: 1.5,
      pd: 0.9,
      clutterPerScan: s.sensors.radarClutterPerScan,
    }));
    const acoustics = realMotionAcoustics(s, centre, side, t0, t1);
    const observers = s.sensors.observers > 0 ? makeObservers({ seed: s.seed, origin: centre, widthM: side, heightM: side, count: s.sensors.observers }) : [];
    const scene = simulateScene({ seed: s.seed, t0, duration: t1 - t0, origin: centre, targets: [], trajectories, radars, acoustics, observers, annotate });
    return { sensors: scene.sensors, zones, *chunks() { yield { truth: scene.truth, detections: scene.detections }; } };
  }

  if (s.preset === 'national') {
    const scene = makeNationalScene({
      seed: s.seed, nDrones: s.raid.drones, nMics: s.sensors.microphones, nRadars: s.sensors.radars, nObservers: s.sensors.observers,
      nAirliners: s.traffic.airliners, nHelicopters: s.traffic.helicopters, durationS: s.durationS, regionM: s.regionM,
      jetShare: s.raid.jetShare, decoyShare: s.raid.decoyShare, downedShare: s.raid.downedShare, radarClutterPerScan: s.sensors.radarClutterPerScan,
      origin, t0: s.t0, annotate,
      ...(s.sensors.micSpacingM !== undefined ? { micSpacingM: s.sensors.micSpacingM } : {}),
    });
    return {
      sensors: scene.sensors,
      zones,
      *chunks() {
        let truth: TruthRow[] = [];
        let detections: DetectionRow[] = [];
        for (const row of generateNationalRows(scene, { onTruth: (rows) => { truth = truth.concat(rows); } })) {
          if (truth.length > 0 && detections.length >= 50000) {
            yield { truth, detections };
            truth = [];
            detections = [];
          }
          detections.push(row);
        }
        yield { truth, detections };
      },
    };
  }

  if (s.preset === 'small' && s.sensors.microphones === 0 && s.sensors.observers === 0 && s.sensors.micSpacingM === undefined && s.raid.altM === undefined) {
    const scene = makeSmallScene({
      seed: s.seed, durationS: s.durationS, nDrones: s.raid.drones, regionM: s.regionM, jetShare: s.raid.jetShare,
      decoyShare: s.raid.decoyShare, downedShare: s.raid.downedShare, clutterPerScan: s.sensors.radarClutterPerScan, origin, t0: s.t0, annotate,
    });
    return { sensors: scene.sensors, zones, *chunks() { yield { truth: scene.truth, detections: scene.detections }; } };
  }

  const scene = makeMixedScene({
    seed: s.seed, nDrones: s.raid.drones, jetShare: s.raid.jetShare, decoyShare: s.raid.decoyShare, downedShare: s.raid.downedShare,
    durationS: s.durationS, regionM: s.regionM, nMics: s.sensors.microphones, nObservers: s.sensors.observers,
    nAirliners: s.traffic.airliners, nHelicopters: s.traffic.helicopters, radarClutterPerScan: s.sensors.radarClutterPerScan,
    origin, t0: s.t0, annotate, raidHeadingDeg,
    ...conditionOptions(s),
  });
  return { sensors: scene.sensors, zones, *chunks() { yield { truth: scene.truth, detections: scene.detections }; } };
}
