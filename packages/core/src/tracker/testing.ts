/**
 * Small deterministic scene helpers for the tracker's own tests (not exported from the
 * package): targets in the tracker frame, ideal sensors, seeded Gaussian noise.
 */
import { createEnuFrame, enuToGeodetic, enuToLook, type EnuFrame } from '../geo/index.js';
import type { BearingDetection, Detection, GeoPoint, PositionDetection, PresenceDetection, RangeBearingDetection } from '../types.js';
import type { Tracker, TrackReport } from './tracker.js';

export const ORIGIN: GeoPoint = { latDeg: 50.45, lonDeg: 30.52, altM: 0 };
export const FRAME: EnuFrame = createEnuFrame(ORIGIN);

/** Seeded standard normal numbers (Box-Muller over a 32-bit LCG). */
export function normals(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** A target's position (tracker-frame E, N, U in m) at time t. */
export type Path = (t: number) => [number, number, number];

/** Straight flight from (e0, n0, u0) at velocity (ve, vn). */
export function straight(e0: number, n0: number, u0: number, ve: number, vn: number): Path {
  return (t) => [e0 + ve * t, n0 + vn * t, u0];
}

/** Straight east at `speed`, then a turn of `turnDeg` (left, positive) at `rateDeg` per second starting at `tTurn`, then straight. */
export function dogLeg(e0: number, n0: number, u0: number, speed: number, tTurn: number, turnDeg: number, rateDeg: number): Path {
  const w = (rateDeg * Math.PI) / 180;
  const turn = (turnDeg * Math.PI) / 180;
  const dur = Math.abs(turn / w);
  const sgn = Math.sign(turnDeg);
  return (t) => {
    if (t <= tTurn) return [e0 + speed * t, n0, u0];
    const e1 = e0 + speed * tTurn;
    const r = speed / w;
    const tau = Math.min(t - tTurn, dur);
    // heading from east, counter-clockwise positive
    const a = sgn * w * tau;
    const e2 = e1 + r * Math.sin(Math.abs(a));
    const n2 = n0 + sgn * r * (1 - Math.cos(a));
    if (t - tTurn <= dur) return [e2, n2, u0];
    const rest = t - tTurn - dur;
    return [e2 + speed * Math.cos(turn) * rest, n2 + speed * Math.sin(turn) * rest, u0];
  };
}

export function geo(e: number, n: number, u: number): GeoPoint {
  return enuToGeodetic(FRAME, e, n, u);
}

/** Where a target on `path` was when sound reaching a sensor at `s` at time t left it. */
export function emitted(path: Path, s: [number, number, number], t: number, c = 343): [number, number, number] {
  let te = t;
  for (let i = 0; i < 30; i++) {
    const p = path(te);
    te = t - Math.hypot(p[0] - s[0], p[1] - s[1], p[2] - s[2]) / c;
  }
  return path(te);
}

/** Bearing (rad, clockwise from north) and elevation from sensor s to point p, both in the tracker frame near the origin. */
function look(s: [number, number, number], p: [number, number, number]) {
  return enuToLook(p[0] - s[0], p[1] - s[1], p[2] - s[2]);
}

export function bearingDet(sensorId: string, kind: string, s: [number, number, number], p: [number, number, number], t: number, sd: number, noise: number): BearingDetection {
  const l = look(s, p);
  let b = l.bearing + sd * noise;
  b = ((b % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  return { type: 'bearing', t, sensorId, sensorKind: kind, sensorPosition: geo(s[0], s[1], s[2]), bearing: b, bearingSd: sd, elevationSd: 0.1 };
}

export function presenceDet(sensorId: string, s: [number, number, number], range: number, t: number): PresenceDetection {
  return { type: 'presence', t, sensorId, sensorKind: 'acoustic', sensorPosition: geo(s[0], s[1], s[2]), range };
}

export function radarDet(sensorId: string, s: [number, number, number], p: [number, number, number], t: number, rnd: () => number, rangeSd = 25, angSd = 0.01): RangeBearingDetection {
  const l = look(s, p);
  let b = l.bearing + angSd * rnd();
  b = ((b % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  return {
    type: 'range_bearing', t, sensorId, sensorKind: 'radar', sensorPosition: geo(s[0], s[1], s[2]),
    range: l.range + rangeSd * rnd(), bearing: b, elevation: l.elevation + angSd * rnd(),
    rangeSd, bearingSd: angSd, elevationSd: angSd, rangeRateSd: 1,
  };
}

export function positionDet(sensorId: string, kind: string, p: [number, number, number], t: number, posSd: number, rnd: () => number, withAltitude: boolean, target?: string): PositionDetection {
  const d: PositionDetection = {
    type: 'position', t, sensorId, sensorKind: kind, position: geo(p[0] + posSd * rnd(), p[1] + posSd * rnd(), withAltitude ? p[2] : 0),
    hasAltitude: withAltitude, posSd, altSd: 30,
  };
  if (target !== undefined) d.cooperativeId = target;
  return d;
}

/** Steps `tr` once a second from 1 to t1 over `dets` (sorted by time); returns each second's reports. */
export function stepEverySecond(tr: Tracker, dets: readonly Detection[], t1: number): TrackReport[][] {
  const out: TrackReport[][] = [];
  let k = 0;
  for (let t = 1; t <= t1; t++) {
    const batch: Detection[] = [];
    while (k < dets.length && dets[k].t <= t) batch.push(dets[k++]);
    tr.step(batch, t);
    out.push(tr.report(t));
  }
  return out;
}
