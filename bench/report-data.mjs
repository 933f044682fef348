// Reduces a benchmark scene and its tracker output to the small per-scene data the HTML
// report draws (bench/report.mjs): GOSPA over time in bins, the error histogram in 10 m bins,
// and downsampled truth and track polylines for the map. Used by bench/run.mjs.

const DEG = Math.PI / 180;
/** Mean Earth radius (m): the map is a plain equirectangular projection, this is enough. */
const R_EARTH = 6371008.8;

const round = (v, d) => {
  if (!Number.isFinite(v)) return null;
  const k = 10 ** d;
  return Math.round(v * k) / k;
};

/**
 * GOSPA and its parts over time, as means over bins of `binS` seconds (chosen so that there
 * are at most `maxPoints` bins). `t` is the bin's mean time, in seconds since `t0`.
 */
export function binSeries(series, t0, maxPoints = 300) {
  if (series.length === 0) return { binS: 1, points: [] };
  const span = series.at(-1).t - series[0].t;
  const binS = Math.max(1, Math.ceil(span / maxPoints));
  const points = [];
  let cur = null;
  const flush = () => {
    if (!cur) return;
    const n = cur.n;
    points.push({ t: round(cur.t / n, 1), gospa: round(cur.gospa / n, 1), localisation: round(cur.localisation / n, 1), missed: round(cur.missed / n, 1), false: round(cur.false / n, 1) });
  };
  for (const s of series) {
    const k = Math.floor((s.t - series[0].t) / binS);
    if (!cur || cur.k !== k) {
      flush();
      cur = { k, n: 0, t: 0, gospa: 0, localisation: 0, missed: 0, false: 0 };
    }
    cur.n++;
    cur.t += s.t - t0;
    cur.gospa += s.gospa;
    cur.localisation += s.localisation;
    cur.missed += s.missed;
    cur.false += s.false;
  }
  flush();
  return { binS, points };
}

/**
 * The 1 m error histogram of `scoreTracks` (bins 0 .. c-1, then one bin for c and beyond)
 * regrouped into `binM` metre bins; `counts[k]` holds errors in [k·binM, (k+1)·binM), the
 * last entry those from `overflowFromM` on.
 */
export function binHistogram(hist1m, binM = 10) {
  const c = hist1m.length - 1;
  const nBins = Math.ceil(c / binM);
  const counts = new Array(nBins + 1).fill(0);
  for (let i = 0; i < c; i++) counts[Math.floor(i / binM)] += hist1m[i];
  counts[nBins] = hist1m[c];
  return { binM, overflowFromM: nBins * binM, counts, total: counts.reduce((a, b) => a + b, 0) };
}

/** Indices of the points Ramer-Douglas-Peucker keeps at tolerance `tol` (metres). */
function simplify(xs, ys, tol) {
  const n = xs.length;
  if (n <= 2) return Array.from({ length: n }, (_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack = [[0, n - 1]];
  const tol2 = tol * tol;
  while (stack.length > 0) {
    const [a, b] = stack.pop();
    const dx = xs[b] - xs[a];
    const dy = ys[b] - ys[a];
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD = tol2;
    for (let i = a + 1; i < b; i++) {
      let ex = xs[i] - xs[a];
      let ey = ys[i] - ys[a];
      if (len2 > 0) {
        const u = Math.max(0, Math.min(1, (ex * dx + ey * dy) / len2));
        ex -= u * dx;
        ey -= u * dy;
      }
      const d2 = ex * ex + ey * ey;
      if (d2 > worstD) {
        worstD = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  const out = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

/**
 * Pieces of polyline from rows {t, id, lat, lon, cls} (any order): one per id, split where
 * the id has a gap longer than `maxGapS`; points every `stepS` seconds from `t0` (plus each
 * piece's ends), with their local east and north coordinates (m) around `centre`.
 */
function buildPieces(rows, { t0, centre, stepS, maxGapS }) {
  const kx = Math.cos(centre.latDeg * DEG) * R_EARTH * DEG;
  const ky = R_EARTH * DEG;
  const byId = new Map();
  for (const r of rows) {
    let g = byId.get(r.id);
    if (!g) byId.set(r.id, (g = []));
    g.push(r);
  }
  const pieces = [];
  for (const [id, g] of byId) {
    g.sort((a, b) => a.t - b.t);
    let piece = [];
    const close = () => {
      if (piece.length >= 2) pieces.push({ id, cls: piece[0].cls, rows: piece });
      piece = [];
    };
    for (let i = 0; i < g.length; i++) {
      const r = g[i];
      if (piece.length > 0 && r.t - g[i - 1].t > maxGapS) {
        if (piece.at(-1) !== g[i - 1]) piece.push(g[i - 1]);
        close();
      }
      const onStep = Math.abs((r.t - t0) / stepS - Math.round((r.t - t0) / stepS)) < 1e-6;
      if (piece.length === 0 || onStep) piece.push(r);
    }
    if (g.length > 0 && piece.length > 0 && piece.at(-1) !== g.at(-1)) piece.push(g.at(-1));
    close();
  }
  for (const p of pieces) {
    p.xs = p.rows.map((r) => (r.lon - centre.lonDeg) * kx);
    p.ys = p.rows.map((r) => (r.lat - centre.latDeg) * ky);
  }
  return pieces;
}

/** The parts of `pieces` inside the square |x|, |y| <= half (m), each with one point beyond either edge it crosses. */
function clipPieces(pieces, half) {
  const out = [];
  for (const p of pieces) {
    const inside = p.xs.map((x, i) => Math.abs(x) <= half && Math.abs(p.ys[i]) <= half);
    let i = 0;
    while (i < inside.length) {
      if (!inside[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < inside.length && inside[j + 1]) j++;
      const a = Math.max(0, i - 1);
      const b = Math.min(inside.length - 1, j + 1);
      if (b > a) out.push({ id: p.id, cls: p.cls, rows: p.rows.slice(a, b + 1), xs: p.xs.slice(a, b + 1), ys: p.ys.slice(a, b + 1) });
      i = j + 1;
    }
  }
  return out;
}

/**
 * The pieces as polylines of [lat, lon, ...] (degrees rounded to 1e-5, about 1 m), simplified
 * (Ramer-Douglas-Peucker) with a tolerance raised from a tenth of a pixel of a ~600 px map of
 * half side `extent` (m) until the whole layer has at most `maxPoints` points.
 */
function toLines(pieces, { extent, maxPoints }) {
  let tol = Math.max(1, extent / 3000);
  let kept;
  for (let iter = 0; iter < 40; iter++) {
    kept = pieces.map((p) => simplify(p.xs, p.ys, tol));
    const total = kept.reduce((a, k) => a + k.length, 0);
    if (total <= maxPoints) break;
    tol *= 1.4;
  }
  const lines = pieces.map((p, i) => {
    const pts = [];
    for (const j of kept[i]) pts.push(round(p.rows[j].lat, 5), round(p.rows[j].lon, 5));
    const o = { id: p.id };
    if (p.cls) o.class = p.cls;
    o.points = pts;
    return o;
  });
  return { lines, toleranceM: round(tol, 1), points: lines.reduce((a, l) => a + l.points.length / 2, 0) };
}

/**
 * Map data: truth rows ({t, id, lat, lon, class}) and track report rows ({t, trackId,
 * position}) as polylines around the scene's centre (at most `maxPoints` per layer), plus the
 * sensors that have a position when there are at most `maxSensors` of them. With more than
 * `denseTargets` targets the whole-scene layers are coarse, so `detail` adds a central square
 * (holding about `detailTargets` of them) drawn finely with its own budget.
 */
export function mapData({ truth, rows, sensors, centre, t0, stepS = 5, maxPoints = 5000, maxSensors = 2000, denseTargets = 200, detailTargets = 100 }) {
  const c = { latDeg: centre.latDeg, lonDeg: centre.lonDeg };
  const tp = buildPieces(
    truth.map((r) => ({ t: r.t, id: r.id, lat: r.lat, lon: r.lon, cls: r.class })),
    { t0, centre: c, stepS, maxGapS: 10 },
  );
  const kp = buildPieces(
    rows.map((r) => ({ t: r.t, id: r.trackId, lat: r.position.latDeg, lon: r.position.lonDeg })),
    { t0, centre: c, stepS, maxGapS: 10 },
  );
  let extent = 1000;
  for (const p of tp) for (let i = 0; i < p.xs.length; i++) extent = Math.max(extent, Math.abs(p.xs[i]), Math.abs(p.ys[i]));
  const t = toLines(tp, { extent, maxPoints });
  const k = toLines(kp, { extent, maxPoints });
  const placed = sensors.filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lon));
  const nTargets = new Set(tp.map((p) => p.id)).size;
  let detail = null;
  if (nTargets > denseTargets) {
    // the largest central square (in 500 m steps) that about `detailTargets` targets cross
    const crossing = (h) => {
      const ids = new Set();
      for (const p of tp) if (!ids.has(p.id) && p.xs.some((x, i) => Math.abs(x) <= h && Math.abs(p.ys[i]) <= h)) ids.add(p.id);
      return ids.size;
    };
    let half = Math.max(1000, Math.round((extent * Math.sqrt(detailTargets / nTargets)) / 500) * 500);
    while (half > 1000 && crossing(half) > 1.2 * detailTargets) half -= 500;
    const dt = toLines(clipPieces(tp, half), { extent: half, maxPoints });
    const dk = toLines(clipPieces(kp, half), { extent: half, maxPoints });
    detail = { halfSideM: half, truth: dt.lines, truthPoints: dt.points, truthToleranceM: dt.toleranceM, tracks: dk.lines, trackPoints: dk.points, trackToleranceM: dk.toleranceM };
  }
  return {
    centre: { latDeg: round(c.latDeg, 6), lonDeg: round(c.lonDeg, 6) },
    stepS,
    truth: t.lines,
    truthPoints: t.points,
    truthToleranceM: t.toleranceM,
    tracks: k.lines,
    trackPoints: k.points,
    trackToleranceM: k.toleranceM,
    sensorsWithPosition: placed.length,
    sensors: placed.length <= maxSensors ? placed.map((s) => ({ id: s.id, kind: s.kind, lat: round(s.lat, 5), lon: round(s.lon, 5) })) : null,
    detail,
  };
}

/**
 * JSON with two-space indentation, but an array of numbers or strings on one line, and an
 * array of flat objects (whose values are such) one object per line: the long data arrays
 * stay readable and small. NaN and infinities become null, as in JSON.stringify.
 */
export function compactJson(value, indent = '') {
  const isFlat = (v) => v === null || typeof v !== 'object' || (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'));
  if (ArrayBuffer.isView(value)) value = Array.from(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(value);
    if (value.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && Object.values(x).every(isFlat))) {
      return '[\n' + value.map((x) => inner + JSON.stringify(x)).join(',\n') + '\n' + indent + ']';
    }
    return '[\n' + value.map((x) => inner + compactJson(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) return '{}';
  return '{\n' + entries.map(([k, v]) => inner + JSON.stringify(k) + ': ' + compactJson(v, inner)).join(',\n') + '\n' + indent + '}';
}
