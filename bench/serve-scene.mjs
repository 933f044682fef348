// The synthetic scene of the serve load benchmark (bench/serve.mjs), shared with its offline
// check (bench/serve-check.mjs): 1,000 radars on a 32 x 32 grid over a 40 km square and
// 1,000 targets flying straight lines at 20-60 m/s, 100-600 m up, bouncing off the edges.
//
// Each radar turns once a second (scan_period_s 1) with its own phase: within one scan it
// sees a target at most once, at the time its beam passes, and the plot is the target's
// position at that time. A target is seen by the `perTarget` radars nearest to it (within
// their 5 km range), so the detection rate is about perTarget x 1,000 per second.
//
// `legacyBatch` is the first version's generator, kept to reproduce its results: every
// detection of a target came from the one radar of the grid cell under it, at the wall
// clock (minus up to 0.2 s), as often as the offered rate asked (5 to 40 plots per target
// and second from one radar that turns once a second).

export const N_TARGETS = 1000;
export const GRID = 32; // 32 x 32 = 1,024 grid points, the first 1,000 hold a radar
export const N_RADARS = 1000;
export const SIDE_M = 40e3;
export const ORIGIN = { lat: 37.55, lon: 127.0 };
export const RADAR_RANGE_M = 5000;
const M_PER_DEG_LAT = 111320;
const M_PER_DEG_LON = 111320 * Math.cos((ORIGIN.lat * Math.PI) / 180);
export const toLat = (y) => ORIGIN.lat + y / M_PER_DEG_LAT;
export const toLon = (x) => ORIGIN.lon + x / M_PER_DEG_LON;
export const bounce = (p, lim) => {
  const period = 4 * lim;
  let q = (((p + lim) % period) + period) % period;
  if (q > 2 * lim) q = period - q;
  return q - lim;
};
export const HALF = SIDE_M / 2 - 10;

/** The scene; `t0` (s) is the time at which the targets are at their start points. */
export function createScene(t0, seed = 12345) {
  const spacing = SIDE_M / GRID;
  const radars = [];
  for (let i = 0; i < N_RADARS; i++) {
    const gx = i % GRID;
    const gy = Math.floor(i / GRID);
    const x = -SIDE_M / 2 + (gx + 0.5) * spacing;
    const y = -SIDE_M / 2 + (gy + 0.5) * spacing;
    // the scan phase: golden-ratio steps spread neighbours' phases over the second
    radars.push({ id: `rdr-${String(i).padStart(4, '0')}`, x, y, lat: toLat(y), lon: toLon(x), alt: 30, phase: (i * 0.6180339887) % 1 });
  }
  const sensorRows = radars.map((r) => ({
    id: r.id,
    kind: 'radar',
    lat: r.lat,
    lon: r.lon,
    alt_m: r.alt,
    range_m: RADAR_RANGE_M,
    range_sd_m: 20,
    bearing_sd_deg: 0.8,
    elevation_sd_deg: 1.5,
    pd: 0.9,
    far_per_hour: 10,
    scan_period_s: 1,
  }));
  sensorRows.push({ id: 'adsb-1', kind: 'adsb', lat: ORIGIN.lat, lon: ORIGIN.lon, alt_m: 15, range_m: 300000, pos_sd_m: 15, alt_sd_m: 10 });

  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 4294967296;
  };
  /** Zero-mean normal deviate. */
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const targets = Array.from({ length: N_TARGETS }, () => {
    const speed = 20 + 40 * rand();
    const head = 2 * Math.PI * rand();
    return { x0: (rand() - 0.5) * SIDE_M * 0.9, y0: (rand() - 0.5) * SIDE_M * 0.9, vx: speed * Math.sin(head), vy: speed * Math.cos(head), alt: 100 + 500 * rand() };
  });
  function targetAt(k, t) {
    const g = targets[k];
    const dt = t - t0;
    return { x: bounce(g.x0 + g.vx * dt, HALF), y: bounce(g.y0 + g.vy * dt, HALF), alt: g.alt };
  }
  /** A range-bearing plot of target position `p` by radar `r` at time `t`, as JSON text. */
  function plot(r, p, t, id, legacyNoise) {
    let dx = p.x - r.x;
    let dy = p.y - r.y;
    let dz = p.alt - r.alt;
    let range;
    let bearing;
    let elev;
    if (legacyNoise) {
      dx += 20 * (legacyNoise() - 0.5);
      dy += 20 * (legacyNoise() - 0.5);
      const ground = Math.hypot(dx, dy);
      range = Math.hypot(ground, dz);
      bearing = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
      elev = (Math.atan2(dz, ground) * 180) / Math.PI;
    } else {
      // the declared errors: range 20 m, bearing 0.8 deg, elevation 1.5 deg (one sd)
      const ground = Math.hypot(dx, dy);
      range = Math.hypot(ground, dz) + 20 * gauss();
      bearing = ((((Math.atan2(dx, dy) * 180) / Math.PI + 0.8 * gauss()) % 360) + 360) % 360;
      elev = (Math.atan2(dz, ground) * 180) / Math.PI + 1.5 * gauss();
    }
    return (
      `{"t":${t.toFixed(3)},"sensor":"${r.id}","type":"range_bearing","range_m":${range.toFixed(1)},"bearing_deg":${bearing.toFixed(3)},` +
      `"elevation_deg":${elev.toFixed(3)},"range_sd_m":20,"bearing_sd_deg":0.8,"elevation_sd_deg":1.5,"id":"${id}"}`
    );
  }

  let detN = 0;
  let tgtN = 0;
  /** The first version's generator: `n` detections dated at `now` minus up to 0.2 s, each from the radar of the cell under its target. */
  function legacyBatch(n, now) {
    const parts = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = tgtN++ % N_TARGETS;
      const t = now - 0.2 * rand();
      const p = targetAt(k, t);
      const gx = Math.min(GRID - 1, Math.max(0, Math.floor((p.x + SIDE_M / 2) / spacing)));
      let gy = Math.min(GRID - 1, Math.max(0, Math.floor((p.y + SIDE_M / 2) / spacing)));
      let ri = gy * GRID + gx;
      if (ri >= N_RADARS) {
        gy = Math.floor((N_RADARS - 1 - gx) / GRID);
        ri = gy * GRID + gx;
      }
      parts[i] = plot(radars[ri], p, t, `b${detN++}`, rand);
    }
    return parts;
  }

  /** The `m` radars nearest to (x, y) within range, nearest first. */
  function nearestRadars(x, y, m) {
    const gx = Math.floor((x + SIDE_M / 2) / spacing);
    const gy = Math.floor((y + SIDE_M / 2) / spacing);
    const reach = Math.ceil(RADAR_RANGE_M / spacing);
    const found = [];
    for (let j = Math.max(0, gy - reach); j <= Math.min(GRID - 1, gy + reach); j++) {
      for (let i = Math.max(0, gx - reach); i <= Math.min(GRID - 1, gx + reach); i++) {
        const ri = j * GRID + i;
        if (ri >= N_RADARS) continue;
        const d = Math.hypot(radars[ri].x - x, radars[ri].y - y);
        if (d <= RADAR_RANGE_M - 1000) found.push([d, ri]); // 1 km margin: the target moves within the scan
      }
    }
    found.sort((a, b) => a[0] - b[0]);
    return found.slice(0, m).map((f) => f[1]);
  }

  let scanSecond = NaN; // the next whole second whose scans are not generated yet
  let queue = []; // { t, r, k } sorted by t, not yet emitted
  let qHead = 0;
  /**
   * The detections (JSON texts, time order) of the scans with times in (previous call, now]:
   * each target by its `perTarget` nearest radars, once per radar and scan.
   */
  function scanDetections(now, perTarget) {
    if (Number.isNaN(scanSecond)) scanSecond = Math.floor(now);
    while (scanSecond <= now) {
      // the scans of second n: radar r passes each target it sees at n + phase(r)
      const n = scanSecond++;
      const fresh = [];
      for (let k = 0; k < N_TARGETS; k++) {
        const p = targetAt(k, n + 0.5);
        for (const ri of nearestRadars(p.x, p.y, perTarget)) fresh.push({ t: n + radars[ri].phase, r: ri, k });
      }
      fresh.sort((a, b) => a.t - b.t);
      queue = queue.slice(qHead).concat(fresh);
      qHead = 0;
    }
    const out = [];
    while (qHead < queue.length && queue[qHead].t <= now) {
      const e = queue[qHead++];
      out.push(plot(radars[e.r], targetAt(e.k, e.t), e.t, `s${detN++}`, null));
    }
    return out;
  }
  /** Truth rows (interchange truth.ndjson) at whole second `t`. */
  function truthAt(t) {
    const out = [];
    for (let k = 0; k < N_TARGETS; k++) {
      const p = targetAt(k, t);
      out.push({ t, id: `T${k}`, lat: toLat(p.y), lon: toLon(p.x), alt_m: p.alt });
    }
    return out;
  }
  return { radars, sensorRows, targetAt, legacyBatch, scanDetections, truthAt, rand };
}
