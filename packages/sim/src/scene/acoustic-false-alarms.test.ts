import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnuFrame, geodeticToEnu } from '@skywarden/core';
import { addAcousticFalseAlarms, type AcousticFalseKind } from './acoustic-false-alarms.js';
import { makeAcousticNetwork, simulateAcoustic, type AcousticModel } from './sensors-acoustic.js';

const origin = { latDeg: 37.5, lonDeg: 127, altM: 0 };
const frame = createEnuFrame(origin);
const t0 = 1764000000;
const t1 = t0 + 3600;

function network(kind: AcousticFalseKind, rate: number, bearingShare = 0.5): AcousticModel[] {
  const nodes = makeAcousticNetwork({ seed: 4, origin, widthM: 30000, heightM: 30000, spacing: 2000, bearingShare, farPerHour: 0, burstsPerHour: 0 });
  return addAcousticFalseAlarms(nodes, { seed: 4, origin, regionM: 30000, t0, t1, ratePerHour: rate, kinds: [kind] });
}

function rowsOf(m: AcousticModel) {
  return simulateAcoustic(m, [], { seed: 4, t0, t1, annotate: true }).map((d) => d.row);
}

test('a stationary source stays at one microphone for minutes, at a steady bearing', () => {
  const nodes = network('stationary', 2);
  let checked = 0;
  for (const m of nodes) {
    for (const ep of m.falseEpisodes ?? []) {
      assert.equal(ep.kind, 'stationary');
      assert.ok(ep.end - ep.start >= 120 && ep.end - ep.start <= 900, `duration ${ep.end - ep.start}`);
      assert.equal(Math.hypot(ep.ve, ep.vn), 0);
      if (ep.start < t0 || ep.end > t1 || m.output !== 'bearing') continue;
      // alone at its node (overlapping sources would mix their bearings)
      if ((m.falseEpisodes ?? []).some((o) => o !== ep && o.start < ep.end && o.end > ep.start)) continue;
      const rows = rowsOf(m).filter((r) => r.t >= ep.start && r.t <= ep.end);
      // reported at most report times (85 %), all false, tagged stationary
      const slots = (ep.end - ep.start) / m.period;
      assert.ok(rows.length >= 0.6 * slots, `${rows.length} rows over ${slots} slots`);
      for (const r of rows) {
        assert.equal(r.sim_target, null);
        assert.equal(r.sim_false, 'stationary');
      }
      // steady bearing: spread within a few sigmas of the node's error around the source
      const want = (Math.atan2(ep.e, ep.n) * 180) / Math.PI;
      for (const r of rows) {
        const d = Math.abs((((r.bearing_deg as number) - want + 540) % 360) - 180);
        assert.ok(d < 6 * Math.hypot(m.bearingSdDeg ?? 6, 3), `bearing off by ${d}`);
      }
      checked++;
    }
  }
  assert.ok(checked >= 3, `checked ${checked} episodes`);
  // no other microphone hears it: the episodes are per node
  const sources = new Map<string, Set<string>>();
  for (const m of nodes) for (const ep of m.falseEpisodes ?? []) (sources.get(ep.source) ?? sources.set(ep.source, new Set()).get(ep.source)!).add(m.id);
  for (const [s, ids] of sources) assert.equal(ids.size, 1, s);
});

test('road traffic is heard by successive microphones along a line at 15-30 m/s', () => {
  const nodes = network('road', 1, 0);
  const byVehicle = new Map<string, { m: AcousticModel; tRef: number; start: number; end: number; ve: number; vn: number }[]>();
  for (const m of nodes) {
    for (const ep of m.falseEpisodes ?? []) {
      assert.equal(ep.kind, 'road');
      let g = byVehicle.get(ep.source);
      if (!g) byVehicle.set(ep.source, (g = []));
      g.push({ m, tRef: ep.tRef, start: ep.start, end: ep.end, ve: ep.ve, vn: ep.vn });
    }
  }
  let checked = 0;
  for (const [src, passes] of byVehicle) {
    if (passes.length < 4) continue;
    passes.sort((a, b) => a.tRef - b.tRef);
    const speed = Math.hypot(passes[0].ve, passes[0].vn);
    assert.ok(speed >= 15 && speed <= 30, `${src}: speed ${speed}`);
    const dir = [passes[0].ve / speed, passes[0].vn / speed];
    const p = passes.map((x) => geodeticToEnu(frame, x.m.position));
    for (let i = 1; i < passes.length; i++) {
      // the distance covered along the road between successive passes is speed × time
      const along = (p[i][0] - p[i - 1][0]) * dir[0] + (p[i][1] - p[i - 1][1]) * dir[1];
      const dt = passes[i].tRef - passes[i - 1].tRef;
      assert.ok(along >= 0, `${src}: microphone ${i} is behind the vehicle`);
      assert.ok(Math.abs(along - speed * dt) < 1, `${src}: ${along} m in ${dt} s at ${speed} m/s`);
      // and across the road every microphone is within hearing distance (1 km) of the same line
      const across0 = -p[0][0] * dir[1] + p[0][1] * dir[0];
      const across = -p[i][0] * dir[1] + p[i][1] * dir[0];
      assert.ok(Math.abs(across - across0) <= 2000, `${src}: microphone ${i} is off the road`);
    }
    // rows: each microphone hears it while it passes, in turn
    const firstRow = passes.map((x) => rowsOf(x.m).find((r) => r.sim_false === 'road' && r.t >= x.start && r.t <= x.end)?.t);
    const heard = firstRow.filter((t): t is number => t !== undefined);
    assert.ok(heard.length >= passes.length / 2, `${src}: ${heard.length} of ${passes.length} heard`);
    for (let i = 1; i < heard.length; i++) assert.ok(heard[i] >= heard[i - 1] - 60, `${src}: heard out of order`);
    checked++;
  }
  assert.ok(checked >= 3, `checked ${checked} vehicles`);
});

test('correlated bursts hit several neighbouring microphones together for a few seconds', () => {
  const nodes = network('correlated', 2, 0);
  const byEvent = new Map<string, { m: AcousticModel; start: number; end: number }[]>();
  for (const m of nodes) {
    for (const ep of m.falseEpisodes ?? []) {
      assert.equal(ep.kind, 'correlated');
      assert.ok(ep.end - ep.start >= 3 && ep.end - ep.start <= 10);
      let g = byEvent.get(ep.source);
      if (!g) byEvent.set(ep.source, (g = []));
      g.push({ m, start: ep.start, end: ep.end });
    }
  }
  const sizes = [...byEvent.values()].map((g) => g.length);
  assert.ok(sizes.length > 20, `${sizes.length} events`);
  assert.ok(sizes.filter((n) => n >= 2).length > sizes.length / 2, `event sizes ${sizes.join(',')}`);
  let checked = 0;
  for (const g of byEvent.values()) {
    if (g.length < 3 || g[0].start < t0 || g[0].end > t1 - 10) continue;
    // same time window, neighbours (within two radii, 2 × 2.2 spacings)
    for (const x of g) assert.equal(x.start, g[0].start);
    const p = g.map((x) => geodeticToEnu(frame, x.m.position));
    for (const a of p) for (const b of p) assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) <= 2 * 2.2 * 2000 + 1);
    // the rows: most of them report within the window
    const heard = g.filter((x) => rowsOf(x.m).some((r) => r.sim_false === 'correlated' && r.t >= x.start && r.t <= x.end));
    assert.ok(heard.length >= 2, `${heard.length} of ${g.length} heard`);
    checked++;
  }
  assert.ok(checked >= 3, `checked ${checked} events`);
});

test('rate: about the asked number of episodes per microphone-hour; some false hints say piston_owa', () => {
  for (const kind of ['burst', 'stationary', 'road', 'correlated'] as const) {
    const nodes = network(kind, 1);
    const eps = nodes.flatMap((m) => m.falseEpisodes ?? []).filter((e) => e.start >= t0 && e.end <= t1);
    const perMicHour = eps.length / nodes.length;
    assert.ok(perMicHour > 0.5 && perMicHour < 1.6, `${kind}: ${perMicHour} per microphone-hour`);
  }
  const nodes = network('burst', 2);
  const rows = nodes.flatMap(rowsOf).filter((r) => r.class !== undefined);
  const owa = rows.filter((r) => Object.entries(r.class as Record<string, number>).sort((a, b) => b[1] - a[1])[0][0] === 'piston_owa');
  assert.ok(owa.length > 0.1 * rows.length, `${owa.length} of ${rows.length} hints lead with piston_owa`);
});

test('bad options are refused with the value', () => {
  const nodes = makeAcousticNetwork({ seed: 1, origin, widthM: 5000, heightM: 5000, spacing: 2500 });
  assert.throws(() => addAcousticFalseAlarms(nodes, { seed: 1, origin, regionM: 5000, t0, t1, ratePerHour: -1 }), /ratePerHour must be >= 0, got -1/);
  assert.throws(() => addAcousticFalseAlarms(nodes, { seed: 1, origin, regionM: 5000, t0, t1, ratePerHour: 1, owaHintShare: 2 }), /owaHintShare must be in \[0, 1\], got 2/);
  assert.throws(() => makeAcousticNetwork({ seed: 1, origin, qualitySpread: 1.5 }), /qualitySpread must be in \[0, 0.9\], got 1.5/);
  assert.throws(() => makeAcousticNetwork({ seed: 1, origin, pdRange: [0.9, 0.5] }), /pdRange must be \[lo, hi\]/);
});
