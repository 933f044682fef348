#!/usr/bin/env node
// Skywarden benchmark report: renders bench/results/tracker.json (written by bench/run.mjs)
// as one self-contained HTML page (inline CSS and SVG, no scripts, fonts or network): the
// machine, each scene in plain words, speed and accuracy tables, the command-line runs, and
// per scene GOSPA over time, the error histogram and a map of truth against tracks.
// Usage: node bench/report.mjs [bench/results/tracker.json] [--out FILE]
//   (default output: report.html next to the JSON). `npm run bench` calls it too.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEG = Math.PI / 180;
const R_EARTH = 6371008.8;

// ---------------------------------------------------------------- text and numbers

/** Escapes text for HTML element content and attribute values. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
/** A number with thousands separators and `d` decimals, or "n/a". */
function fmt(v, d = 0) {
  return isNum(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a';
}
const pct = (v, d = 1) => (isNum(v) ? `${fmt(100 * v, d)} %` : 'n/a');
/** Significant figures suited to a quantity of this size. */
const auto = (v) => (!isNum(v) ? 'n/a' : Math.abs(v) >= 100 ? fmt(v, 0) : Math.abs(v) >= 10 ? fmt(v, 1) : fmt(v, 2));
const px = (v) => (Math.round(v * 10) / 10).toString();

/** Round tick values covering [lo, hi] with about `n` steps of 1, 2 or 5 × 10^k. */
function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step + 0); // + 0: no -0
  return { step, ticks, max: Math.ceil(hi / step - 1e-9) * step };
}

// ---------------------------------------------------------------- sanity check of the JSON

/** What is wrong with `data` for the report (empty when nothing). */
export function checkData(data) {
  const p = [];
  const need = (cond, what) => {
    if (!cond) p.push(what);
    return cond;
  };
  if (!need(data !== null && typeof data === 'object' && !Array.isArray(data), 'the top level must be an object')) return p;
  need(typeof data.date === 'string', '`date` (string) is missing');
  need(typeof data.node === 'string', '`node` (string) is missing');
  if (need(data.machine && typeof data.machine === 'object', '`machine` (cpu, cores) is missing')) {
    need(typeof data.machine.cpu === 'string', '`machine.cpu` (string) is missing');
    need(isNum(data.machine.cores), '`machine.cores` (number) is missing');
  }
  if (need(Array.isArray(data.results) && data.results.length > 0, '`results` (a non-empty array of scenes) is missing')) {
    const numbers = ['targets', 'targetsInTruth', 'durationS', 'detections', 'trackerSeconds', 'detectionsPerSecond', 'microsecondsPerDetection', 'parseLinesPerSecond', 'heapGrowthMB', 'rssMB', 'tracksConfirmed', 'gospa', 'localisation', 'missed', 'false', 'idSwitches', 'targetsTracked', 'meanFalseTracks', 'meanMissedTargets'];
    // NaN is written as null: these may legitimately be undefined for a scene
    const nullable = ['medianErrorM', 'p95ErrorM', 'classAccuracy', 'threatAccuracy'];
    data.results.forEach((r, i) => {
      const at = `results[${i}]${r && typeof r.scene === 'string' ? ` (${r.scene})` : ''}`;
      if (!need(r && typeof r === 'object', `${at} is not an object`)) return;
      need(typeof r.scene === 'string', `${at}.scene (string) is missing`);
      need(typeof r.description === 'string', `${at}.description (string) is missing`);
      for (const k of numbers) need(isNum(r[k]), `${at}.${k} (number) is missing`);
      for (const k of nullable) need(isNum(r[k]) || r[k] === null, `${at}.${k} (number or null) is missing`);
      const s = r.series;
      if (need(s && isNum(s.binS) && Array.isArray(s.points), `${at}.series ({binS, points: [{t, gospa, localisation, missed, false}]}) is missing`)) {
        const bad = s.points.findIndex((q) => !q || !['t', 'gospa', 'localisation', 'missed', 'false'].every((k) => isNum(q[k])));
        need(bad < 0, `${at}.series.points[${bad}] lacks a number among t, gospa, localisation, missed, false`);
      }
      const h = r.errorHistogram;
      if (need(h && !Array.isArray(h) && typeof h === 'object', `${at}.errorHistogram ({binM, overflowFromM, counts}) is missing (an old tracker.json? re-run the bench)`)) {
        need(isNum(h.binM) && h.binM > 0, `${at}.errorHistogram.binM (number > 0) is missing`);
        need(isNum(h.overflowFromM), `${at}.errorHistogram.overflowFromM (number) is missing`);
        need(Array.isArray(h.counts) && h.counts.length > 0 && h.counts.every(isNum), `${at}.errorHistogram.counts (array of numbers) is missing`);
      }
      const m = r.map;
      if (need(m && typeof m === 'object', `${at}.map ({centre, truth, tracks, sensors}) is missing`)) {
        need(m.centre && isNum(m.centre.latDeg) && isNum(m.centre.lonDeg), `${at}.map.centre ({latDeg, lonDeg}) is missing`);
        for (const layer of ['truth', 'tracks']) {
          if (!need(Array.isArray(m[layer]), `${at}.map.${layer} (array of {id, points}) is missing`)) continue;
          const bad = m[layer].findIndex((l) => !l || !Array.isArray(l.points) || l.points.length % 2 !== 0 || !l.points.every(isNum));
          need(bad < 0, `${at}.map.${layer}[${bad}].points must be a flat array [lat, lon, lat, lon, ...] of numbers`);
        }
        if (m.detail !== undefined && m.detail !== null) {
          need(isNum(m.detail.halfSideM) && m.detail.halfSideM > 0, `${at}.map.detail.halfSideM (number > 0) is missing`);
          for (const layer of ['truth', 'tracks']) {
            need(Array.isArray(m.detail[layer]) && m.detail[layer].every((l) => l && Array.isArray(l.points) && l.points.length % 2 === 0 && l.points.every(isNum)), `${at}.map.detail.${layer} must be an array of {id, points: [lat, lon, ...]}`);
          }
        }
        need(m.sensors === null || m.sensors === undefined || (Array.isArray(m.sensors) && m.sensors.every((x) => x && isNum(x.lat) && isNum(x.lon))), `${at}.map.sensors must be null or an array of {kind, lat, lon}`);
      }
    });
  }
  if (need(Array.isArray(data.cli), '`cli` (array of command-line runs) is missing')) {
    data.cli.forEach((c, i) => {
      for (const k of ['durationS', 'detections', 'seconds', 'detectionsPerSecond']) need(c && isNum(c[k]), `cli[${i}].${k} (number) is missing`);
    });
  }
  return p;
}

// ---------------------------------------------------------------- charts

const COLOURS = { gospa: '#1b1b1b', localisation: '#1f77b4', missed: '#e8870e', false: '#c92a2a', truth: '#6fa8dc', tracks: '#c2410c' };

function legend(items) {
  return `<div class="legend">${items.map(([colour, label, dash]) => `<span><svg width="22" height="10" aria-hidden="true"><line x1="1" y1="5" x2="21" y2="5" stroke="${colour}" stroke-width="2.5"${dash ? ' stroke-dasharray="4 3"' : ''}/></svg>${esc(label)}</span>`).join('')}</div>`;
}

/** GOSPA and its three parts over time. */
function gospaChart(r, idx) {
  const W = 660;
  const H = 260;
  const m = { l: 66, r: 14, t: 22, b: 40 };
  const pts = r.series.points;
  const keys = ['gospa', 'localisation', 'missed', 'false'];
  const xMax = Math.max(r.durationS, pts.length ? pts.at(-1).t : 1);
  // the scale follows the bulk of the run: when the start (no track confirmed yet) or a spike
  // rises far above it, the line is clipped and the peak is written in the note
  const peak = Math.max(1, ...pts.map((q) => q.gospa));
  const sorted = pts.map((q) => q.gospa).sort((a, b) => a - b);
  const q90 = sorted.length ? sorted[Math.floor(0.9 * (sorted.length - 1))] : peak;
  const yTop = peak > 1.6 * q90 && q90 > 0 ? 1.6 * q90 : peak;
  const xt = niceTicks(0, xMax, 6);
  const yt = niceTicks(0, yTop, 5);
  const X = (t) => m.l + (t / xMax) * (W - m.l - m.r);
  const Y = (v) => H - m.b - (v / yt.max) * (H - m.t - m.b);
  let g = '';
  for (const v of yt.ticks) g += `<line x1="${m.l}" x2="${W - m.r}" y1="${px(Y(v))}" y2="${px(Y(v))}" class="grid"/><text x="${m.l - 6}" y="${px(Y(v) + 4)}" text-anchor="end">${fmt(v)}</text>`;
  for (const v of xt.ticks) if (v <= xMax) g += `<line x1="${px(X(v))}" x2="${px(X(v))}" y1="${H - m.b}" y2="${H - m.b + 4}" class="axis"/><text x="${px(X(v))}" y="${H - m.b + 17}" text-anchor="middle">${fmt(v)}</text>`;
  g += `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" class="axis"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" class="axis"/>`;
  g += `<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle" class="label">time since the scene's start (s)</text>`;
  g += `<text transform="translate(13 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" class="label">metres</text>`;
  const clip = `g${idx}c`;
  g += `<defs><clipPath id="${clip}"><rect x="${m.l}" y="${m.t - 2}" width="${W - m.l - m.r + 2}" height="${H - m.t - m.b + 3}"/></clipPath></defs><g clip-path="url(#${clip})">`;
  for (const k of [...keys].reverse()) {
    if (pts.length === 0) break;
    const d = pts.map((q, i) => `${i ? 'L' : 'M'}${px(X(q.t))} ${px(Y(q[k]))}`).join('');
    g += `<path d="${d}" fill="none" stroke="${COLOURS[k]}" stroke-width="${k === 'gospa' ? 2.2 : 1.5}" stroke-linejoin="round"/>`;
  }
  g += `</g>`;
  const clipped = peak > yt.max;
  if (clipped) g += `<text x="${W - m.r}" y="${m.t - 8}" text-anchor="end" class="mark">clipped: peaks up to ${fmt(peak)} m</text>`;
  const last = pts.at(-1);
  const endGap = pts.length > 2 && last.localisation === 0 && last.missed > 0 && pts.at(-2).localisation > 0;
  const names = { gospa: 'GOSPA', localisation: 'localisation', missed: 'missed targets', false: 'false tracks' };
  return `<figure><figcaption>GOSPA over time and its parts (means over ${esc(r.series.binS)} s bins)</figcaption>
<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="GOSPA over time">${g}</svg>
${legend(keys.map((k) => [COLOURS[k], `${names[k]} (mean ${auto(r[k])} m)`]))}
<p class="note">Lower is better. GOSPA² = localisation² + missed² + false²: each missed target or false track adds (c/√2)² with c/√2 ≈ 1,414 m, each tracked target its error squared.${clipped ? ` The scale follows the bulk of the run; the start (before tracks are confirmed) and spikes reach ${fmt(peak)} m.` : ''}${endGap ? ' The last point counts every target missed: the truth runs a second past the last detection, where no track is reported.' : ''}</p></figure>`;
}

/** Histogram of the horizontal errors of the assigned track-target pairs. */
function errorHistogramChart(r) {
  const W = 660;
  const H = 230;
  const m = { l: 66, r: 14, t: 22, b: 40 };
  const h = r.errorHistogram;
  const counts = h.counts;
  const total = counts.reduce((a, b) => a + b, 0);
  const inBins = counts.slice(0, -1); // the last entry holds everything from overflowFromM on
  // x range: to the 99.5th percentile (at least 100 m, and the p95 with room), in whole bins
  let acc = 0;
  let q995 = h.overflowFromM;
  for (let k = 0; k < inBins.length; k++) {
    acc += inBins[k];
    if (acc >= 0.995 * total) {
      q995 = (k + 1) * h.binM;
      break;
    }
  }
  const want = Math.max(100, q995, isNum(r.p95ErrorM) ? 1.15 * r.p95ErrorM : 0);
  const xt = niceTicks(0, Math.min(h.overflowFromM, want), 6);
  const xMax = Math.min(h.overflowFromM, xt.max);
  const nShow = Math.min(inBins.length, Math.ceil(xMax / h.binM));
  const shown = inBins.slice(0, nShow);
  const beyond = total - shown.reduce((a, b) => a + b, 0);
  const yt = niceTicks(0, Math.max(1, ...shown), 4);
  const X = (v) => m.l + (v / xMax) * (W - m.l - m.r);
  const Y = (v) => H - m.b - (v / yt.max) * (H - m.t - m.b);
  let g = '';
  for (const v of yt.ticks) g += `<line x1="${m.l}" x2="${W - m.r}" y1="${px(Y(v))}" y2="${px(Y(v))}" class="grid"/><text x="${m.l - 6}" y="${px(Y(v) + 4)}" text-anchor="end">${fmt(v)}</text>`;
  const bw = X(h.binM) - X(0);
  g += `<g fill="#5b8db8">`;
  shown.forEach((c, k) => {
    if (c > 0) g += `<rect x="${px(X(k * h.binM) + 0.5)}" y="${px(Y(c))}" width="${px(Math.max(0.8, bw - 1))}" height="${px(Y(0) - Y(c))}"/>`;
  });
  g += `</g>`;
  for (const v of xt.ticks) if (v <= xMax) g += `<line x1="${px(X(v))}" x2="${px(X(v))}" y1="${H - m.b}" y2="${H - m.b + 4}" class="axis"/><text x="${px(X(v))}" y="${H - m.b + 17}" text-anchor="middle">${fmt(v)}</text>`;
  g += `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" class="axis"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" class="axis"/>`;
  g += `<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle" class="label">horizontal error (m), ${esc(h.binM)} m bins</text>`;
  g += `<text transform="translate(13 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" class="label">pairs</text>`;
  const marks = [
    [r.medianErrorM, 'median', '#1b1b1b'],
    [r.p95ErrorM, '95 %', COLOURS.false],
  ];
  for (const [v, label, colour] of marks) {
    if (!isNum(v) || v > xMax) continue;
    g += `<line x1="${px(X(v))}" x2="${px(X(v))}" y1="${m.t}" y2="${H - m.b}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="5 3"/>`;
    g += `<text x="${px(X(v) + 4)}" y="${m.t - 8 + 10}" fill="${colour}" class="mark">${esc(label)} ${fmt(v, 0)} m</text>`;
  }
  const note = beyond > 0 ? ` ${fmt(beyond)} pairs (${pct(beyond / total, 2)}) beyond ${fmt(xMax)} m are not drawn.` : '';
  return `<figure><figcaption>Horizontal error of each tracked target at each second (${fmt(total)} track-target pairs)</figcaption>
<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="histogram of horizontal errors">${g}</svg>
<p class="note">A pair is a true target and the track GOSPA assigns to it (within 2 km).${esc(note)}</p></figure>`;
}

/**
 * Map of truth against track trajectories, equirectangular around the scene's centre: the
 * whole scene, or (`detail`) the central square of `map.detail` drawn finely.
 */
function mapChart(r, idx, detail = false) {
  const mp = r.map;
  const layer = detail ? mp.detail : mp;
  const lat0 = mp.centre.latDeg;
  const lon0 = mp.centre.lonDeg;
  const kx = (Math.cos(lat0 * DEG) * R_EARTH * DEG) / 1000;
  const ky = (R_EARTH * DEG) / 1000;
  const E = (lon) => (lon - lon0) * kx; // km east of the centre
  const N = (lat) => (lat - lat0) * ky; // km north
  const sensors = Array.isArray(mp.sensors) ? mp.sensors : [];
  // frame: the truth and the sensors (tracks far outside are clipped)
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  const grow = (lat, lon) => {
    const x = E(lon);
    const y = N(lat);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  };
  let airlinersClipped = false;
  if (detail) {
    const h = layer.halfSideM / 1000;
    [x0, x1, y0, y1] = [-h, h, -h, h];
  } else {
    // airliners cross far beyond the scene at 230 m/s: when there are other targets, the frame
    // follows those (and the sensors), and the airliners' lines are clipped
    const framing = mp.truth.some((l) => l.class !== 'aircraft') ? mp.truth.filter((l) => l.class !== 'aircraft') : mp.truth;
    airlinersClipped = framing.length < mp.truth.length;
    for (const l of framing) for (let i = 0; i < l.points.length; i += 2) grow(l.points[i], l.points[i + 1]);
    for (const s of sensors) grow(s.lat, s.lon);
    if (!(x1 > x0)) for (const l of mp.tracks) for (let i = 0; i < l.points.length; i += 2) grow(l.points[i], l.points[i + 1]);
    if (!(x1 > x0) || !(y1 > y0)) [x0, x1, y0, y1] = [-10, 10, -10, 10];
    const pad = 0.05 * Math.max(x1 - x0, y1 - y0);
    x0 -= pad;
    x1 += pad;
    y0 -= pad;
    y1 += pad;
  }
  const maxW = 600;
  const maxH = 600;
  const s = Math.min(maxW / (x1 - x0), maxH / (y1 - y0)); // px per km
  const PW = (x1 - x0) * s;
  const PH = (y1 - y0) * s;
  const W = Math.ceil(PW) + 2;
  const H = Math.ceil(PH) + 2;
  const X = (lon) => 1 + (E(lon) - x0) * s;
  const Y = (lat) => 1 + (y1 - N(lat)) * s;
  const id = `m${idx}${detail ? 'd' : ''}`;
  const dense = layer.truth.length > 200;
  // scale bar: a round length near a fifth of the width
  const bar = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500].filter((k) => k * s <= PW / 4).at(-1) ?? 1;
  let g = `<defs><clipPath id="${id}c"><rect x="1" y="1" width="${px(PW)}" height="${px(PH)}"/></clipPath>
<marker id="${id}a" viewBox="0 0 10 10" refX="6" refY="5" markerUnits="userSpaceOnUse" markerWidth="${dense ? 6 : 9}" markerHeight="${dense ? 6 : 9}" orient="auto"><path d="M0 0L10 5L0 10z" fill="#2f6fa8"/></marker></defs>`;
  g += `<rect x="1" y="1" width="${px(PW)}" height="${px(PH)}" fill="#f6f8fa" stroke="#9aa5b1"/>`;
  // km grid at the scale bar's spacing, through the centre
  g += `<g class="grid" clip-path="url(#${id}c)">`;
  for (let k = Math.ceil(x0 / bar); k * bar <= x1; k++) g += `<line x1="${px(1 + (k * bar - x0) * s)}" x2="${px(1 + (k * bar - x0) * s)}" y1="1" y2="${px(PH + 1)}"/>`;
  for (let k = Math.ceil(y0 / bar); k * bar <= y1; k++) g += `<line y1="${px(1 + (y1 - k * bar) * s)}" y2="${px(1 + (y1 - k * bar) * s)}" x1="1" x2="${px(PW + 1)}"/>`;
  g += `</g>`;
  // sensors
  const kinds = new Map();
  for (const x of sensors) kinds.set(x.kind, (kinds.get(x.kind) ?? 0) + 1);
  const sensorMark = (kind, x, y) => {
    if (kind === 'radar') return `<path d="M${px(x)} ${px(y - 6)}l5.5 9.5h-11z" fill="#111" stroke="#fff" stroke-width="1"/>`;
    if (kind === 'adsb') return `<path d="M${px(x)} ${px(y - 5)}l5 5l-5 5l-5-5z" fill="#7b2cbf" stroke="#fff" stroke-width="1"/>`;
    return `<circle cx="${px(x)}" cy="${px(y)}" r="1.6" fill="#8a949e"/>`;
  };
  g += `<g clip-path="url(#${id}c)"><g>`;
  for (const x of sensors) if (x.kind !== 'radar' && x.kind !== 'adsb') g += sensorMark(x.kind, X(x.lon), Y(x.lat));
  g += `</g>`;
  // truth under tracks
  const poly = (l) => {
    let d = '';
    for (let i = 0; i < l.points.length; i += 2) d += `${i ? ' ' : ''}${px(X(l.points[i + 1]))},${px(Y(l.points[i]))}`;
    return d;
  };
  // truth as a wide light band, tracks as a thin dark line: a good track runs inside the band
  g += `<g fill="none" stroke="${COLOURS.truth}" stroke-width="${dense ? 3 : 6}" stroke-opacity="${dense ? 0.55 : 0.75}" stroke-linejoin="round" stroke-linecap="round">`;
  for (const l of layer.truth) g += `<polyline points="${poly(l)}" marker-end="url(#${id}a)"/>`;
  g += `</g><g fill="none" stroke="${COLOURS.tracks}" stroke-width="${dense ? 0.7 : 1.2}" stroke-opacity="${dense ? 0.8 : 1}" stroke-linejoin="round">`;
  for (const l of layer.tracks) g += `<polyline points="${poly(l)}"/>`;
  g += `</g>`;
  if (!detail && mp.detail && isNum(mp.detail.halfSideM)) {
    const h = mp.detail.halfSideM / 1000;
    g += `<rect x="${px(1 + (-h - x0) * s)}" y="${px(1 + (y1 - h) * s)}" width="${px(2 * h * s)}" height="${px(2 * h * s)}" fill="none" stroke="#111" stroke-width="1.5" stroke-dasharray="6 4"/>`;
    g += `<text x="${px(1 + (-h - x0) * s + 4)}" y="${px(1 + (y1 - h) * s - 5)}" class="mark" paint-order="stroke" stroke="#fff" stroke-width="3">detail below</text>`;
  }
  for (const x of sensors) if (x.kind === 'radar' || x.kind === 'adsb') g += sensorMark(x.kind, X(x.lon), Y(x.lat));
  g += `</g>`;
  // scale bar (bottom left) and north (top right)
  const bx = 16;
  const by = PH - 16;
  g += `<g class="scale"><rect x="${bx - 6}" y="${px(by - 20)}" width="${px(bar * s + 12 + 40)}" height="28" fill="#fff" fill-opacity="0.8"/>
<path d="M${bx} ${px(by - 5)}v5h${px(bar * s)}v-5" fill="none" stroke="#111" stroke-width="1.5"/><line x1="${px(bx + (bar * s) / 2)}" x2="${px(bx + (bar * s) / 2)}" y1="${px(by - 3)}" y2="${px(by)}" stroke="#111"/>
<text x="${px(bx + bar * s + 5)}" y="${px(by + 1)}">${fmt(bar)} km</text><text x="${bx}" y="${px(by - 9)}">0</text></g>`;
  g += `<g class="north"><path d="M${px(PW - 18)} ${16}l6 16l-6-4l-6 4z" fill="#111"/><text x="${px(PW - 18)}" y="44" text-anchor="middle">N</text></g>`;
  // legend (under the map, so that it hides nothing)
  const nTruth = new Set(layer.truth.map((l) => l.id)).size;
  const nTracks = new Set(layer.tracks.map((l) => l.id)).size;
  const rows = [
    [`<line x1="0" y1="0" x2="22" y2="0" stroke="${COLOURS.truth}" stroke-width="6" stroke-opacity="0.75"/>`, `truth: ${fmt(nTruth)} targets (arrow: heading)`],
    [`<line x1="0" y1="0" x2="22" y2="0" stroke="${COLOURS.tracks}" stroke-width="1.2"/>`, `tracks: ${fmt(nTracks)} track ids`],
  ];
  const kindName = { radar: 'radar', adsb: 'ADS-B receiver', acoustic: 'microphone node' };
  if (!detail) for (const [k, n] of kinds) rows.push([sensorMark(k, 11, k === 'radar' ? 1.5 : 0), `${kindName[k] ?? `${k} sensor`}${n > 1 ? 's' : ''} (${fmt(n)})`]);
  if (!detail && !Array.isArray(mp.sensors) && isNum(mp.sensorsWithPosition)) rows.push(['', `${fmt(mp.sensorsWithPosition)} sensors not drawn (too many)`]);
  const legendHtml = `<div class="legend maplegend">${rows
    .map(([sym, text]) => `<span>${sym ? `<svg width="24" height="14" viewBox="-1 -7 24 14" aria-hidden="true">${sym}</svg>` : ''}${esc(text)}</span>`)
    .join('')}</div>`;
  const ns = (v, pos, neg) => `${fmt(Math.abs(v), 2)}° ${v >= 0 ? pos : neg}`;
  const simplified = `Points every ${isNum(mp.stepS) ? mp.stepS : 5} s, simplified to ${fmt(layer.truthPoints)} truth and ${fmt(layer.trackPoints)} track points${isNum(layer.truthToleranceM) ? ` (tolerance ${fmt(layer.truthToleranceM)} m and ${fmt(layer.trackToleranceM)} m)` : ''}`;
  const caption = detail
    ? `The central ${fmt((2 * layer.halfSideM) / 1000)} km square of the map above, grid every ${fmt(bar)} km. ${simplified}.`
    : `Equirectangular projection centred on ${ns(lat0, 'N', 'S')}, ${ns(lon0, 'E', 'W')} (the scene's centre), grid every ${fmt(bar)} km. ${simplified}; ${airlinersClipped ? 'airliners and tracks' : 'tracks'} outside the frame are clipped.${mp.detail ? ' Too many targets to draw finely: the dashed square is drawn in detail below.' : ''}`;
  const title = detail ? `Detail: the central ${fmt((2 * layer.halfSideM) / 1000)} km square` : 'Truth (light blue band) against tracks (dark orange line)';
  return `<figure class="map${detail ? ' detail' : ''}"><figcaption>${esc(title)}</figcaption>
<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="map of truth and track trajectories">${g}</svg>
${legendHtml}
<p class="note">${esc(caption)}</p></figure>`;
}

// ---------------------------------------------------------------- page

function outcome(r) {
  const bits = [
    `tracked ${fmt(r.targetsTracked)} of ${fmt(r.targetsInTruth)} targets`,
    isNum(r.medianErrorM) ? `median error ${fmt(r.medianErrorM)} m (95 % within ${fmt(r.p95ErrorM)} m)` : 'no error measured',
    `${fmt(r.idSwitches)} id switch${r.idSwitches === 1 ? '' : 'es'}`,
    `on average ${auto(r.meanMissedTargets)} targets missed and ${auto(r.meanFalseTracks)} false tracks at a time`,
    isNum(r.classAccuracy) ? `class right ${pct(r.classAccuracy)}` : null,
    `${fmt(r.detectionsPerSecond)} detections/s`,
  ];
  return bits.filter(Boolean).join('; ');
}

function table(head, rows, cls = '') {
  return `<table class="${cls}"><thead><tr>${head.map(([h, title]) => `<th${title ? ` title="${esc(title)}"` : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('\n')}</tbody></table>`;
}

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#eef1f4;color:#1b1f24;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1380px;margin:0 auto;padding:20px 24px 40px}
header,section{background:#fff;border:1px solid #d6dce2;border-radius:6px;padding:16px 20px;margin-bottom:16px}
h1{font-size:22px;margin:0 0 6px}
h2{font-size:18px;margin:0 0 8px}
.meta{color:#4a5560;margin:0 0 10px}
.meta b{color:#1b1f24}
.warn{background:#fff4d6;border:1px solid #e6c35c;padding:6px 10px;border-radius:4px}
pre{background:#f6f8fa;border:1px solid #d6dce2;padding:6px 10px;white-space:pre-wrap;font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.scenes{margin:0;padding-left:18px}
ul.scenes li{margin:4px 0}
.outcome{display:block;color:#2f4858}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;margin:4px 0 8px}
th,td{padding:5px 8px;border-bottom:1px solid #e3e7eb;text-align:right;white-space:nowrap}
thead th{background:#f3f5f7;vertical-align:bottom;white-space:normal;font-weight:600;border-bottom:2px solid #c9d0d6}
th[scope=row],thead th:first-child{text-align:left}
tbody tr:hover{background:#f8fafc}
.note{color:#55606b;font-size:12.5px;margin:4px 0 0;max-width:660px}
dl.terms{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:12.5px;color:#44505c;margin:8px 0 0}
dl.terms dt{font-weight:600;color:#1b1f24}
dl.terms dd{margin:0}
.charts{display:grid;grid-template-columns:minmax(0,660px) minmax(0,1fr);gap:8px 24px;align-items:start}
.charts .map{grid-column:2;grid-row:1/span 2}
.charts .map.detail{grid-column:2;grid-row:3}
figure{margin:0 0 8px}
figcaption{font-weight:600;margin-bottom:4px}
svg{max-width:100%;height:auto;font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#333}
svg text{fill:#333}
svg .label{font-size:12px;fill:#44505c}
svg .mark{font-size:11.5px;font-weight:600}
svg .grid line,svg line.grid{stroke:#e1e5ea;stroke-width:1}
svg .axis,svg line.axis{stroke:#7a858f;stroke-width:1}
svg .scale text,svg .north text{font-size:12px;font-weight:600;fill:#111}
.legend.maplegend{margin-left:0}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;margin:2px 0 0 66px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.desc{margin:0 0 10px;color:#34404b}
footer{color:#66717c;font-size:12.5px;text-align:center}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f4;padding:1px 4px;border-radius:3px}
@media (max-width:1100px){.charts{grid-template-columns:1fr}.charts .map,.charts .map.detail{grid-column:1;grid-row:auto}}
`;

/** The whole HTML page for a tracker.json document; throws when the document lacks something. */
export function renderReport(data) {
  const problems = checkData(data);
  if (problems.length > 0) throw new Error(`the benchmark JSON lacks what the report needs:\n  - ${problems.slice(0, 25).join('\n  - ')}${problems.length > 25 ? `\n  - ... and ${problems.length - 25} more` : ''}`);
  const d = new Date(data.date);
  const when = Number.isNaN(d.getTime()) ? data.date : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const mc = data.machine;
  const machine = `${mc.cpu}, ${mc.cores} core${mc.cores === 1 ? '' : 's'}${mc.platform ? `, ${mc.platform}${mc.arch ? ` ${mc.arch}` : ''}` : ''}${isNum(mc.memoryGB) ? `, ${fmt(mc.memoryGB, 1)} GB RAM` : ''}`;
  const R = data.results;

  const speed = table(
    [['scene'], ['detections'], ['tracker det/s', 'detections through the tracker per second of CPU time, one core'], ['µs / detection'], ['tracker s', 'time of the median of three runs'], ['parse lines/s', 'detection lines parsed and validated per second'], ['format rows/s', 'track rows written per second'], ['heap growth MB', 'largest heap growth over a run'], ['RSS MB', 'resident memory of the bench process after the scene']],
    R.map((r) => [r.scene, fmt(r.detections), fmt(r.detectionsPerSecond), fmt(r.microsecondsPerDetection, 1), fmt(r.trackerSeconds, 2), fmt(r.parseLinesPerSecond), isNum(r.formatRowsPerSecond) ? fmt(r.formatRowsPerSecond) : 'n/a', fmt(r.heapGrowthMB, 1), fmt(r.rssMB, 0)]),
  );
  const accuracy = table(
    [['scene'], ['GOSPA m', 'mean over time; lower is better'], ['localisation m'], ['missed m'], ['false m'], ['median error m'], ['p95 error m'], ['id switches'], ['targets tracked'], ['missed targets (mean)'], ['false tracks (mean)'], ['tracks confirmed'], ['class right'], ['threat right']],
    R.map((r) => [r.scene, fmt(r.gospa), fmt(r.localisation), fmt(r.missed), fmt(r.false), fmt(r.medianErrorM, 1), fmt(r.p95ErrorM, 1), fmt(r.idSwitches), `${fmt(r.targetsTracked)} / ${fmt(r.targetsInTruth)}`, fmt(r.meanMissedTargets, 2), fmt(r.meanFalseTracks, 2), fmt(r.tracksConfirmed), pct(r.classAccuracy), pct(r.threatAccuracy)]),
  );
  const W = R.filter((r) => r.warnings);
  const warningsTable = W.length
    ? `<section><h2>Warnings</h2>${table(
        [['scene'], ['zones'], ['zone entries', 'first time a true target is inside a zone'], ['warned', 'an alert on since before the entry'], ['coverage'], ['median lead s'], ['p10 lead s'], ['alert episodes'], ['false episodes', 'no true target entered between the start and 120 s after the end'], ['alert zone-hours'], ['time s', 'prediction and alert updates for the whole scene']],
        W.map((r) => [r.scene, fmt(r.warnings.zones), fmt(r.warnings.entries), fmt(r.warnings.warned), pct(r.warnings.coverage), fmt(r.warnings.medianLeadS), fmt(r.warnings.p10LeadS), fmt(r.warnings.episodes), fmt(r.warnings.falseEpisodes), fmt(r.warnings.alertZoneHours, 2), fmt(r.warnings.seconds, 2)]),
      )}
<p class="note">Square districts generated over each scene's region, each wanting 300 s of warning; alerts from the tracks by the threat predictor and the alert machine (docs/warnings.md), scored as the spec says.</p></section>`
    : '';
  const cli = data.cli.length
    ? table(
        [['scene'], ['scene length s'], ['detections'], ['wall s'], ['det/s'], ['peak RSS MB'], ['exit code']],
        data.cli.map((c) => {
          const failed = c.exitCode !== 0 && c.exitCode !== undefined;
          return [`radar ${fmt(c.targets ?? 1000)}`, fmt(c.durationS), fmt(c.detections), fmt(c.seconds, 1), failed ? 'failed' : fmt(c.detectionsPerSecond), isNum(c.peakRssMB) ? fmt(c.peakRssMB) : 'n/a', c.exitCode ?? 'n/a'];
        }),
      )
    : '<p>No command-line runs recorded.</p>';
  const cliFailures = data.cli
    .filter((c) => c.exitCode !== 0 && c.exitCode !== undefined)
    .map((c) => `<p class="warn">The ${esc(fmt(c.durationS))} s run failed (exit code ${esc(c.exitCode ?? 'none')}): its time and speed mean nothing.${c.stderrTail ? ` Its last error lines:</p><pre>${esc(c.stderrTail)}</pre>` : '</p>'}`)
    .join('');

  const sceneSections = R.map(
    (r, i) => `<section id="scene-${i}"><h2>${esc(r.scene)}</h2><p class="desc">${esc(r.description)} <b>Outcome:</b> ${esc(outcome(r))}.</p>
<div class="charts">${gospaChart(r, i)}${mapChart(r, i)}${errorHistogramChart(r)}${r.map.detail ? mapChart(r, i, true) : ''}</div></section>`,
  ).join('\n');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Skywarden tracker benchmark, ${esc(when)}</title>
<style>${CSS}</style></head>
<body><main>
<header>
<h1>Skywarden tracker benchmark</h1>
<p class="meta"><b>${esc(when)}</b> · Node <b>${esc(data.node)}</b> · ${esc(machine)}${isNum(data.benchSeconds) ? ` · the bench took ${esc(fmt(data.benchSeconds / 60, 1))} min` : ''}</p>
${data.quick ? '<p class="warn">Quick run (<code>--quick</code>): shorter scenes; the numbers are not comparable with a full <code>npm run bench</code>.</p>' : ''}
<ul class="scenes">${R.map((r) => `<li><b>${esc(r.scene)}</b>: ${esc(r.description)}<span class="outcome">${esc(outcome(r))}.</span></li>`).join('\n')}</ul>
</header>
<section><h2>Speed</h2>${speed}
<p class="note">The tracker alone on parsed detections, one core: a warm-up run, then the median of three runs.</p></section>
<section><h2>Accuracy</h2>${accuracy}
<dl class="terms">
<dt>GOSPA</dt><dd>Generalised optimal sub-pattern assignment distance between the true targets and the tracks at each second (c = 2,000 m, p = 2, α = 2), averaged over time; it adds up over targets, so it grows with their number. Its parts: localisation (the errors of tracked targets), missed targets and false tracks.</dd>
<dt>median, p95 error</dt><dd>Horizontal error of each track assigned to a target, every second.</dd>
<dt>id switches</dt><dd>Times the track assigned to a target changed identity.</dd>
<dt>missed targets, false tracks</dt><dd>Mean number at any one time.</dd>
<dt>class right, threat right</dt><dd>Track rows within 1 km of a true target whose most probable class is the target's; whose threat probability is above 0.5 exactly when the target is a threat.</dd>
</dl></section>
${warningsTable}
<section><h2>Command line, end to end</h2>${cli}${cliFailures}
<p class="note"><code>skywarden track</code> on files (parse, track, write tracks.ndjson) in a separate process; the second scene is twice as long as the first: with streaming, peak memory does not grow with it.</p></section>
${sceneSections}
<footer>Written by <code>bench/report.mjs</code> from <code>bench/results/tracker.json</code>; regenerate with <code>node bench/report.mjs bench/results/tracker.json</code>.</footer>
</main></body></html>
`;
}

// ---------------------------------------------------------------- command line

function main(argv) {
  const usage = 'usage: node bench/report.mjs [tracker.json] [--out report.html]';
  let input = null;
  let out = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log(usage);
      return 0;
    } else if (a === '--out') {
      out = argv[++i];
      if (!out) {
        console.error(`report: --out needs a file name\n${usage}`);
        return 2;
      }
    } else if (a.startsWith('-')) {
      console.error(`report: unknown option ${a}\n${usage}`);
      return 2;
    } else if (input === null) input = a;
    else {
      console.error(`report: one input file only\n${usage}`);
      return 2;
    }
  }
  input = resolve(input ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'tracker.json'));
  out = resolve(out ?? join(dirname(input), 'report.html'));
  let data;
  try {
    data = JSON.parse(readFileSync(input, 'utf8'));
  } catch (e) {
    console.error(`report: cannot read ${input}: ${e instanceof SyntaxError ? `not valid JSON (${e.message})` : e.message}\nRun \`npm run bench\` to write it.`);
    return 1;
  }
  const problems = checkData(data);
  if (problems.length > 0) {
    console.error(`report: ${input} lacks what the report needs:\n  - ${problems.slice(0, 25).join('\n  - ')}${problems.length > 25 ? `\n  - ... and ${problems.length - 25} more` : ''}\nRun \`npm run bench\` (this version) to write a complete one.`);
    return 1;
  }
  writeFileSync(out, renderReport(data));
  console.log(`written ${out}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
