/**
 * Where a tracker's local frame is anchored: the centre of the fixed sensors, or, with none,
 * the first detection's point. The batch command and the live service choose it the same way,
 * so that they give the same tracks for the same input.
 */
import type { Detection, GeoPoint, Sensor } from '../types.js';

/** Centre of the fixed sensors (mean of their ECEF directions, as latitude and longitude; mean altitude), or null if none. */
export function sensorCentroid(sensors: Iterable<Sensor>): GeoPoint | null {
  let x = 0;
  let y = 0;
  let z = 0;
  let alt = 0;
  let n = 0;
  for (const s of sensors) {
    if (!s.position) continue;
    const la = (s.position.latDeg * Math.PI) / 180;
    const lo = (s.position.lonDeg * Math.PI) / 180;
    x += Math.cos(la) * Math.cos(lo);
    y += Math.cos(la) * Math.sin(lo);
    z += Math.sin(la);
    alt += s.position.altM;
    n++;
  }
  if (n === 0) return null;
  return { latDeg: (Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI, lonDeg: (Math.atan2(y, x) * 180) / Math.PI, altM: alt / n };
}

/** A point to anchor the frame at when no sensor is fixed: the reported position, else the sensor's position at the time. */
export function detectionAnchor(d: Detection): GeoPoint | null {
  if (d.type === 'position') return { ...d.position, altM: 0 };
  return d.sensorPosition ? { ...d.sensorPosition } : null;
}
