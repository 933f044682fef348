/**
 * Pieces shared by the whole-period scene simulation (scene.ts) and the chunked one
 * (scene-chunks.ts): option checks, the trajectory list, sensors.json rows and truth rows.
 * Internal to the simulator, except {@link sceneSensorRows} (re-exported by scene.ts).
 */
import type { SensorRow, TruthRow } from '@skywarden/formats';
import type { SceneOptions } from './scene.js';
import { radarSensorRow, reporterSensorRow } from './sensors.js';
import { acousticSensorRow } from './sensors-acoustic.js';
import { observerSensorRow } from './sensors-observer.js';
import { trajectoryOf, type Trajectory } from './trajectory.js';

/** The checked essentials of a scene. */
export interface PreparedScene {
  seed: number;
  t0: number;
  duration: number;
  truthPeriod: number;
  /** The targets' compiled trajectories, then `opts.trajectories`. */
  trajectories: Trajectory[];
}

function uniqueIds(fn: string, kind: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new RangeError(`${fn}: duplicate ${kind} id ${JSON.stringify(id)}`);
    seen.add(id);
  }
}

/** Checks `opts` (throwing a RangeError that names `fn` and the bad value) and lists its trajectories. */
export function prepareScene(opts: SceneOptions, fn: string): PreparedScene {
  const { seed, t0, duration } = opts;
  if (!Number.isFinite(t0)) throw new RangeError(`${fn}: t0 must be finite, got ${t0}`);
  if (!(duration >= 0) || !Number.isFinite(duration)) throw new RangeError(`${fn}: duration must be >= 0, got ${duration}`);
  const truthPeriod = opts.truthPeriod ?? 1;
  if (!(truthPeriod > 0)) throw new RangeError(`${fn}: truthPeriod must be > 0, got ${truthPeriod}`);
  const trajectories = [...(opts.targets ?? []).map(trajectoryOf), ...(opts.trajectories ?? [])];
  uniqueIds(fn, 'target', trajectories.map((t) => t.target.id));
  const sensorIds = [
    ...(opts.radars ?? []).map((r) => r.id),
    ...(opts.reporters ?? []).map((r) => r.id),
    ...(opts.acoustics ?? []).map((r) => r.id),
    ...(opts.observers ?? []).map((r) => r.id),
  ];
  uniqueIds(fn, 'sensor', sensorIds);
  return { seed, t0, duration, truthPeriod, trajectories };
}

/** The sensors.json rows of a scene's sensors: radars, reporters, microphones, observers, in that order. */
export function sceneSensorRows(opts: Pick<SceneOptions, 'radars' | 'reporters' | 'acoustics' | 'observers'>): SensorRow[] {
  return [
    ...(opts.radars ?? []).map(radarSensorRow),
    ...(opts.reporters ?? []).map(reporterSensorRow),
    ...(opts.acoustics ?? []).map(acousticSensorRow),
    ...(opts.observers ?? []).map(observerSensorRow),
  ];
}

/** Appends the truth rows at time `t` (s) of every trajectory alive then, in list order. */
export function pushTruthRows(out: TruthRow[], trajectories: readonly Trajectory[], t: number): void {
  for (const tr of trajectories) {
    if (t < tr.startTime || t > tr.endTime) continue;
    const s = tr.sample(t);
    if (s === null) continue;
    const row: TruthRow = {
      t,
      id: tr.target.id,
      lat: s.position.latDeg,
      lon: s.position.lonDeg,
      alt_m: s.position.altM,
      class: tr.target.cls,
      ve_mps: s.velocityEnu[0],
      vn_mps: s.velocityEnu[1],
      vu_mps: s.velocityEnu[2],
    };
    if (tr.target.decoy) row.decoy = true;
    out.push(row);
  }
}
