/**
 * OpenSky Network state vectors (as exported by the `traffic` library: a JSON array of objects,
 * one per report) into recorded flights for {@link sampledTrajectory}. Pure: the caller reads the
 * file and gunzips it (`JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'))`).
 *
 * Fields used: `timestamp` (epoch milliseconds), `last_position` (epoch milliseconds, optional),
 * `icao24` (the transponder's 24-bit address, hex), `latitude`, `longitude` (degrees), `altitude`
 * (barometric) and `geoaltitude` (GNSS), both in feet, `callsign`. Everything else is ignored.
 *
 * Stale positions. A state vector repeats the last known position until a new one is decoded
 * (for seconds at a time in the shared samples, then a jump of up to 2 km in one second). So the
 * time of a fix is `last_position`, the time of the position itself, when the row has one, else
 * `timestamp`; and a row whose latitude and longitude equal those of the previous kept fix is
 * dropped as a repeat. Without this, the samples show speeds of up to 1.9 km/s.
 *
 * Rows that are not objects, or lack any of the fields used (null, missing, not a number,
 * latitude beyond ±90, longitude beyond ±180), are skipped. Rows are grouped by `icao24`
 * (in order of first appearance); within a group they are sorted by time, repeated times and
 * positions are dropped, and the group is split into flights at every gap longer than `maxGap`
 * (default 60 s, see {@link splitFixes}). Flights with fewer than `minSamples` fixes (default 2)
 * are dropped.
 *
 * Altitude: feet times 0.3048. `auto` (default) takes, per aircraft, `geoaltitude` when at least
 * half of its rows have one (rows without it are then skipped, so that one flight never mixes
 * the two), otherwise the barometric `altitude`. Either is used as the height above the WGS84
 * ellipsoid: the geoid undulation (tens of metres) and the barometric error are not corrected.
 *
 * Reference for the data: M. Schäfer, M. Strohmeier, V. Lenders, I. Martinovic, M. Wilhelm,
 * "Bringing up OpenSky: A large-scale ADS-B sensor network for research", IPSN 2014.
 */
import { splitFixes, type TimedFix } from './trajectory-sampled.js';

const FEET = 0.3048;

/** Options of {@link parseOpenSkyStates}. */
export interface OpenSkyParseOptions {
  /** Class label of every flight; default `aircraft` (see {@link openSkyClassForPath}). */
  cls?: string;
  /** Which altitude to use (see the module comment); default `auto`. */
  altitude?: 'auto' | 'geo' | 'baro';
  /** Gap (s) that splits an aircraft's rows into separate flights; default 60. */
  maxGap?: number;
  /** Smallest number of fixes of a flight that is kept; default 2. */
  minSamples?: number;
}

/** One recorded flight: the inputs of {@link sampledTrajectory} plus its identity. */
export interface OpenSkyFlight {
  /**
   * Truth id: the `icao24` address when the aircraft makes one flight, else `<icao24>-<k>`
   * (k = 1, 2, ... in time order).
   */
  id: string;
  cls: string;
  /** The aircraft's ICAO 24-bit address as given (lower-case hex in OpenSky data). */
  icao24: string;
  /** The first non-empty callsign of the flight (trimmed), or null. */
  callsign: string | null;
  /** Fixes in strictly increasing time. */
  samples: TimedFix[];
}

/**
 * The class label for a file of the shared traffic samples: `helicopter` for the ambulance
 * (rescue helicopter) folder, `aircraft` for everything else.
 */
export function openSkyClassForPath(path: string): string {
  return /(^|[\\/])ambulances[\\/]/.test(path) ? 'helicopter' : 'aircraft';
}

interface Row {
  t: number;
  lat: number;
  lon: number;
  baroFt: number | null;
  geoFt: number | null;
  callsign: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Parses OpenSky state vectors (see the module comment) into flights, in order of the aircraft's
 * first row, then time. Throws a RangeError when `json` is not an array or an option is bad;
 * bad rows are skipped, not reported.
 */
export function parseOpenSkyStates(json: unknown, opts: OpenSkyParseOptions = {}): OpenSkyFlight[] {
  if (!Array.isArray(json)) {
    throw new RangeError(`parseOpenSkyStates: expected a JSON array of state vectors, got ${json === null ? 'null' : typeof json}`);
  }
  const cls = opts.cls ?? 'aircraft';
  const mode = opts.altitude ?? 'auto';
  if (mode !== 'auto' && mode !== 'geo' && mode !== 'baro') throw new RangeError(`parseOpenSkyStates: altitude must be "auto", "geo" or "baro", got ${JSON.stringify(mode)}`);
  const minSamples = opts.minSamples ?? 2;
  if (!Number.isSafeInteger(minSamples) || minSamples < 1) throw new RangeError(`parseOpenSkyStates: minSamples must be an integer >= 1, got ${minSamples}`);
  const maxGap = opts.maxGap ?? 60;
  if (!(maxGap > 0)) throw new RangeError(`parseOpenSkyStates: maxGap must be > 0 s, got ${maxGap}`);

  const groups = new Map<string, Row[]>();
  for (const r of json as unknown[]) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) continue;
    const o = r as Record<string, unknown>;
    const icao = typeof o.icao24 === 'string' ? o.icao24.trim() : '';
    const ts = num(o.last_position) ?? num(o.timestamp);
    const lat = num(o.latitude);
    const lon = num(o.longitude);
    if (icao === '' || ts === null || lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
    const baroFt = num(o.altitude);
    const geoFt = num(o.geoaltitude);
    if (baroFt === null && geoFt === null) continue;
    const callsign = typeof o.callsign === 'string' && o.callsign.trim() !== '' ? o.callsign.trim() : null;
    let g = groups.get(icao);
    if (g === undefined) groups.set(icao, (g = []));
    g.push({ t: ts / 1000, lat, lon, baroFt, geoFt, callsign });
  }

  const flights: OpenSkyFlight[] = [];
  for (const [icao24, rows] of groups) {
    let useGeo = mode === 'geo';
    if (mode === 'auto') {
      let nGeo = 0;
      for (const r of rows) if (r.geoFt !== null) nGeo++;
      useGeo = 2 * nGeo >= rows.length;
    }
    const fixes: (TimedFix & { callsign: string | null })[] = [];
    let prev: Row | null = null;
    for (const r of rows.sort((a, b) => a.t - b.t)) {
      const ft = useGeo ? r.geoFt : r.baroFt;
      if (ft === null) continue;
      if (prev !== null && (r.t <= prev.t || (r.lat === prev.lat && r.lon === prev.lon))) continue;
      fixes.push({ t: r.t, position: { latDeg: r.lat, lonDeg: r.lon, altM: ft * FEET }, callsign: r.callsign });
      prev = r;
    }
    const pieces = splitFixes(fixes, { maxGap }).filter((p) => p.length >= minSamples);
    pieces.forEach((piece, k) => {
      const samples: TimedFix[] = piece.map((f) => ({ t: f.t, position: f.position }));
      const callsign = (piece as typeof fixes).find((f) => f.callsign !== null)?.callsign ?? null;
      flights.push({ id: pieces.length === 1 ? icao24 : `${icao24}-${k + 1}`, cls, icao24, callsign, samples });
    });
  }
  return flights;
}
