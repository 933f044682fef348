/**
 * The rows of the interchange files (spec/interchange.md, version 1) exactly as they appear
 * on the wire: snake_case field names, degrees, metres, seconds since the Unix epoch.
 */

/** One entry of `sensors.json` `sensors`. */
export interface SensorRow {
  id: string;
  kind: string;
  lat?: number;
  lon?: number;
  alt_m?: number;
  range_m?: number;
  bearing_sd_deg?: number;
  elevation_sd_deg?: number;
  range_sd_m?: number;
  pos_sd_m?: number;
  alt_sd_m?: number;
  pd?: number;
  far_per_hour?: number;
  [extra: string]: unknown;
}

/** The whole `sensors.json` document. */
export interface SensorsFile {
  sensors: SensorRow[];
}

/** One line of `detections.ndjson`. */
export interface DetectionRow {
  t: number;
  sensor: string;
  type: 'position' | 'range_bearing' | 'bearing' | 'presence';
  id?: string;
  sensor_lat?: number;
  sensor_lon?: number;
  sensor_alt_m?: number;
  lat?: number;
  lon?: number;
  alt_m?: number;
  pos_sd_m?: number;
  alt_sd_m?: number;
  range_m?: number;
  bearing_deg?: number;
  elevation_deg?: number;
  range_sd_m?: number;
  bearing_sd_deg?: number;
  elevation_sd_deg?: number;
  range_rate_mps?: number;
  range_rate_sd_mps?: number;
  snr_db?: number;
  class?: Record<string, number>;
  target?: string;
  [extra: string]: unknown;
}

/** One line of `truth.ndjson`. */
export interface TruthRow {
  t: number;
  id: string;
  lat: number;
  lon: number;
  alt_m: number;
  class?: string;
  [extra: string]: unknown;
}

/** The fields of a `tracks.ndjson` line (the live API's TrackWire has them too). */
export interface TrackRowFields {
  t: number;
  track: string;
  lat: number;
  lon: number;
  alt_m?: number;
  ve_mps: number;
  vn_mps: number;
  vu_mps?: number;
  pos_sd_m?: number;
  class?: Record<string, number>;
  status: 'confirmed' | 'coasting';
}

/** One line of `tracks.ndjson` (writers may add fields). */
export interface TrackRow extends TrackRowFields {
  [extra: string]: unknown;
}
