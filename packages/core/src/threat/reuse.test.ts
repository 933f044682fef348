import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destination } from '../geo/distance.js';
import { emitted, geo, ORIGIN, presenceDet, straight } from '../tracker/testing.js';
import { presenceModel, presencePd } from '../acoustic/presence-model.js';
import { mulberry32 } from '../math/mulberry32.js';
import type { Detection, GeoPoint, Sensor } from '../types.js';
import { createTracker, type TrackReport } from '../tracker/tracker.js';
import { createThreatPredictor, type ThreatZone, type TrackReportLike, type ZoneThreat } from './predict.js';
import { createReusingPredictor, defaultTolerance, stateDivergence, type ReuseState } from './reuse.js';
import { squareArea } from './testing.js';

const origin: GeoPoint = { latDeg: 37.0, lonDeg: 127.0, altM: 300 };
/** Zones ahead of a northbound track and beside its path. */
const zones: ThreatZone[] = [
  { id: 'ahead', area: squareArea(origin, 0, 15_000, 6_000) },
  { id: 'right', area: squareArea(origin, 6_000, 12_000, 4_000) },
  { id: 'left', area: squareArea(origin, -7_000, 20_000, 6_000), leadS: 600 },
];

/** A northbound track at 50 m/s, `t` seconds after passing the origin. */
function northbound(t: number, extra: Partial<TrackReportLike> & { classProbs?: Record<string, number> } = {}): TrackReportLike & { classProbs?: Record<string, number> } {
  return { trackId: 'T1', position: destination(origin, 0, 50 * t), velocityEnu: [0, 50, 0], positionSd: 100, velocitySd: 3, threatProbability: 0.9, ...extra };
}

const byZone = (threats: ZoneThreat[]) => new Map(threats.map((x) => [x.zone, x]));
const PROBS = ['probability', 'leadProbability', 'imminentProbability', 'holdProbability', 'insideProbability'] as const;

test('stateDivergence: 0 for the same state; a moved mean gives the closed form √(1 − exp(−d²/4)); a grown variance counts too', () => {
  const s: ReuseState = { position: origin, velocityEnu: [0, 50], positionSd: 100, velocitySd: 3 };
  assert.equal(stateDivergence(s, s, 0), 0);
  // propagated exactly, but the covariance is the old one grown by 10 s of velocity error: > 0
  const later = { ...s, position: destination(origin, 0, 500) };
  const grown = stateDivergence(s, later, 10);
  assert.ok(grown > 0.1 && grown < 0.3, `${grown}`);
  // with dt = 0 the two covariances are equal and the bound is that of a mean shift of d sigmas (Mahalanobis under the common covariance)
  for (const d of [0.1, 0.5, 1, 3]) {
    const moved = { ...s, position: destination(origin, Math.PI / 2, d * 100) };
    const want = Math.sqrt(1 - Math.exp((-d * d) / 4));
    assert.ok(Math.abs(stateDivergence(s, moved, 0) - want) < 1e-3 * want + 1e-9, `d=${d}: ${stateDivergence(s, moved, 0)} vs ${want}`);
    const turned = { ...s, velocityEnu: [d * 3, 50] };
    assert.ok(Math.abs(stateDivergence(s, turned, 0) - want) < 1e-9, `velocity d=${d}`);
  }
  // the position variance doubled (both axes), nothing else: BC = (2√2/3)² per... closed form of equal means
  const wider = { ...s, positionSd: 100 * Math.SQRT2 };
  const bc = (2 * Math.SQRT2) / 3; // (2σ1σ2/(σ1² + σ2²)) per axis, two axes
  assert.ok(Math.abs(stateDivergence(s, wider, 0) - Math.sqrt(1 - bc * bc)) < 1e-9);
  // symmetric in which one is wider when dt = 0
  assert.ok(Math.abs(stateDivergence(wider, s, 0) - stateDivergence(s, wider, 0)) < 1e-12);
});

test('the default tolerance is 1/(2n) of the coarsest ensemble dimension: 1/6 with 3 speed strata', () => {
  assert.equal(defaultTolerance(createThreatPredictor(zones)), 1 / 6);
  assert.equal(defaultTolerance(createThreatPredictor(zones, { speedNodes: 5 })), 1 / 10);
  assert.equal(defaultTolerance(createThreatPredictor(zones, { positionNodes: 1, speedNodes: 1, headingNodes: 1, manoeuvreNodes: 1 })), 0);
  assert.throws(() => createReusingPredictor(createThreatPredictor(zones), { tolerance: 2 }), /tolerance must be a number in \[0, 1\], got 2/);
  assert.throws(() => createReusingPredictor(createThreatPredictor(zones), { maxAgeS: -1 }), /maxAgeS must be a finite number >= 0, got -1/);
});

test('a steady straight track: the prediction is reused, shifted by the elapsed time, and equals a fresh one closely', (tc) => {
  const predictor = createThreatPredictor(zones);
  const reuse = createReusingPredictor(predictor);
  const fresh = createThreatPredictor(zones);
  let reused = 0;
  const etaDiffs: string[] = [];
  let worst = 0;
  for (let t = 0; t <= 60; t += 5) {
    const r = northbound(t);
    const before = reuse.stats.reused;
    const got = byZone(reuse.predict(1000 + t, r));
    const want = byZone(fresh.predict(r));
    if (reuse.stats.reused > before) reused++;
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `zones at ${t} s`);
    for (const [zone, w] of want) {
      const g = got.get(zone) as ZoneThreat;
      for (const k of PROBS) {
        assert.ok(Math.abs(g[k] - w[k]) <= reuse.options.tolerance + 2 / 75 + 1e-9, `${zone} ${k} at ${t} s: ${g[k]} vs ${w[k]}`);
        worst = Math.max(worst, Math.abs(g[k] - w[k]));
      }
      // shifted, not frozen (a frozen ETA would be 5 s late): the zone ahead, reached in straight
      // flight, within a second; the zones beside, reached by the dog-legs, within the elapsed
      // 5 s (the saved members began their turns 5 s before fresh ones do: they are that much
      // farther into their dog-legs)
      assert.ok(Math.abs(g.etaS - w.etaS) < (zone === 'ahead' ? 1 : 5.5), `${zone} ETA at ${t} s: ${g.etaS} vs ${w.etaS}`);
      etaDiffs.push(`${zone} ${(g.etaS - w.etaS).toFixed(2)}`);
      assert.equal(g.threatProbability, 0.9);
    }
  }
  // 100 m and 3 m/s: 5 s of velocity error grow the old state's spread within the tolerance, 10 s do not: every other answer is reused
  assert.equal(reused, 6);
  assert.equal(reuse.stats.reused, 6);
  assert.equal(reuse.stats.fresh, 7);
  assert.equal(reuse.stats.byReason.state, 6);
  assert.equal(reuse.stats.byReason.new, 1);
  assert.ok(worst <= 4 / 75 + 1e-9, `largest probability difference ${worst}`);
  tc.diagnostic(`largest probability difference ${worst.toFixed(3)}; reused minus fresh ETA (s): ${etaDiffs.filter((x) => !x.endsWith(' 0.00')).join(', ')}`);
});

test('a turn beyond the criterion forces a fresh prediction; the answer then follows the new heading', () => {
  const reuse = createReusingPredictor(createThreatPredictor(zones));
  reuse.predict(0, northbound(0));
  // 5 s later, turned 20° right toward the zone on the right (at the place the straight flight would have reached)
  const a = (20 * Math.PI) / 180;
  const turned = northbound(5, { velocityEnu: [50 * Math.sin(a), 50 * Math.cos(a), 0] });
  const got = byZone(reuse.predict(5, turned));
  assert.equal(reuse.stats.reused, 0);
  assert.equal(reuse.stats.byReason.state, 1);
  assert.deepEqual(got, byZone(createThreatPredictor(zones).predict(turned)));
  // a small wobble within the criterion (0.5 m/s across, 0.17 of the velocity one-sigma) is reused
  reuse.predict(10, northbound(10, { velocityEnu: [50 * Math.sin(a) + 0.5, 50 * Math.cos(a), 0], position: destination(turned.position, a, 250) }));
  assert.equal(reuse.stats.reused, 1);
});

test('staleness is bounded: a prediction is made afresh once maxAgeS has passed, however still the track', () => {
  // a hovering, steady track: its state does not change at all
  const still = (extra: Partial<TrackReportLike> = {}) => ({ trackId: 'H', position: destination(origin, 0, 9_000), velocityEnu: [0, 0, 0], positionSd: 100, velocitySd: 0.01, ...extra });
  for (const maxAgeS of [30, 12]) {
    const reuse = createReusingPredictor(createThreatPredictor(zones), { maxAgeS });
    const fresh: number[] = [];
    for (let t = 0; t <= 70; t += 5) {
      const n = reuse.stats.fresh;
      reuse.predict(t, still());
      if (reuse.stats.fresh > n) fresh.push(t);
    }
    // never older than maxAgeS: fresh at 0, then at the first update more than maxAgeS later
    assert.deepEqual(fresh, maxAgeS === 30 ? [0, 35, 70] : [0, 15, 30, 45, 60]);
    assert.equal(reuse.stats.byReason.age, fresh.length - 1);
  }
  // tolerance 0: never reused
  const off = createReusingPredictor(createThreatPredictor(zones), { tolerance: 0 });
  for (let t = 0; t <= 20; t += 5) off.predict(t, still());
  assert.equal(off.stats.reused, 0);
  assert.equal(off.stats.fresh, 5);
});

test('a change of the most probable class, a new track, time going back and a zone entered or left force a fresh prediction', () => {
  const reuse = createReusingPredictor(createThreatPredictor(zones));
  const drone = { piston_owa: 0.7, aircraft: 0.2, bird: 0.1 };
  reuse.predict(0, northbound(0, { classProbs: drone }));
  reuse.predict(5, northbound(5, { classProbs: { piston_owa: 0.6, aircraft: 0.3, bird: 0.1 } })); // same top class: reused
  assert.equal(reuse.stats.reused, 1);
  reuse.predict(10, northbound(10, { classProbs: { piston_owa: 0.3, aircraft: 0.6, bird: 0.1 } })); // now an aircraft
  assert.equal(reuse.stats.byReason.class, 1);
  reuse.predict(15, northbound(15, { classProbs: { piston_owa: 0.3, aircraft: 0.6, bird: 0.1 }, trackId: 'T2' }));
  assert.equal(reuse.stats.byReason.new, 2);
  reuse.predict(8, northbound(8, { classProbs: { piston_owa: 0.3, aircraft: 0.6, bird: 0.1 } }));
  assert.equal(reuse.stats.byReason.time, 1);
  // forgotten tracks start afresh
  reuse.retain(new Set(['T2']));
  reuse.predict(20, northbound(20, { classProbs: { piston_owa: 0.3, aircraft: 0.6, bird: 0.1 } }));
  assert.equal(reuse.stats.byReason.new, 3);

  // crossing into the zone ahead (its near edge 12 km north): fresh at the entry, whatever the criterion says
  const loose = createReusingPredictor(createThreatPredictor(zones), { tolerance: 1 });
  let insideAt = -1;
  for (let t = 222; t <= 262; t += 5) {
    const z = loose.stats.byReason.zone;
    const th = byZone(loose.predict(t, northbound(t)));
    if (loose.stats.byReason.zone > z) insideAt = t;
    assert.equal(th.get('ahead')?.inside, t > 240, `inside at ${t}`);
  }
  assert.equal(insideAt, 242, 'fresh at the first update inside (12 km at 50 m/s: 240 s)');
});

test('a changed speed bound (the top speed of the class) forces a fresh prediction', () => {
  const reuse = createReusingPredictor(createThreatPredictor(zones));
  reuse.predict(0, northbound(0, { maxSpeed: 70 }));
  reuse.predict(5, northbound(5, { maxSpeed: 70 }));
  assert.equal(reuse.stats.reused, 1, 'same bound: reused');
  reuse.predict(10, northbound(10, { maxSpeed: 200 })); // a jet became possible
  assert.equal(reuse.stats.byReason.class, 1);
  reuse.predict(15, northbound(15, {})); // no bound at all
  assert.equal(reuse.stats.byReason.class, 2);
});

test('startShares gives the insideProbability of a fresh prediction', () => {
  const p = createThreatPredictor(zones);
  // along the edges of the zone ahead (12-18 km north, 3 km either side), with errors of 200 m to 2 km, heading all round
  for (let k = 0; k < 60; k++) {
    const north = 11_500 + (k % 6) * 250;
    const east = k % 2 === 0 ? 0 : 2_800;
    const heading = (k * 0.7) % (2 * Math.PI);
    const r: TrackReportLike = { trackId: `E${k}`, position: destination(destination(origin, 0, north), Math.PI / 2, east), velocityEnu: [40 * Math.sin(heading), 40 * Math.cos(heading), 0], positionSd: 200 + 30 * k, velocitySd: 5 };
    const fresh = new Map(p.predict(r).filter((x) => x.insideProbability > 0).map((x) => [x.zone, x.insideProbability]));
    const { zones: zi, shares } = p.startShares(r);
    assert.deepEqual(new Map(zi.map((z, i) => [zones[z].id, shares[i]])), fresh, `report ${k}`);
  }
});

/** A 5 km grid of presence microphones over ±15 km (tracker frame), 2.5 km reach. */
function micGrid(): { id: string; s: [number, number, number] }[] {
  const out: { id: string; s: [number, number, number] }[] = [];
  for (let x = -15_000; x <= 15_001; x += 5_000) for (let y = -15_000; y <= 15_001; y += 5_000) out.push({ id: `m${out.length}`, s: [x, y, 5] });
  return out;
}

test('on a recorded sequence (acoustic tracks of two drones across a microphone grid) reused answers equal fresh ones within the tolerance', (tc) => {
  const RANGE = 2_500;
  const PERIOD = 2;
  const model = presenceModel(RANGE, { pd: 0.9 });
  const nodes = micGrid();
  const sensors: Sensor[] = nodes.map((n) => ({ id: n.id, kind: 'acoustic', position: geo(n.s[0], n.s[1], n.s[2]), rangeMax: RANGE, pd: 0.9, farPerHour: 0.5 }));
  const drones = [straight(-16_000, 1_100, 600, 48, 0), straight(-4_000, -16_000, 900, 8, 50)];
  const rng = mulberry32(11);
  const dets: Detection[] = [];
  for (const n of nodes) {
    for (let t = rng() * PERIOD; t <= 600; t += PERIOD) {
      if (drones.some((path) => { const p = emitted(path, n.s, t); return rng() < presencePd(model, Math.hypot(p[0] - n.s[0], p[1] - n.s[1], p[2] - n.s[2])); })) dets.push(presenceDet(n.id, n.s, RANGE, t));
    }
  }
  dets.sort((a, b) => a.t - b.t);
  // zones on and beside the two paths
  const sq = (e: number, n: number, side: number, id: string): ThreatZone => ({ id, area: squareArea(geo(e, n, 0), 0, 0, side) });
  const recZones = [sq(4_000, 1_000, 6_000, 'east-on'), sq(14_000, -3_000, 5_000, 'east-beside'), sq(-3_000, 2_000, 4_000, 'north-on'), sq(-1_000, 12_000, 6_000, 'north-far'), sq(6_000, 8_000, 3_000, 'between')];
  const tracker = createTracker({ origin: ORIGIN, sensors, acousticClouds: true });
  const recorded: { t: number; reports: TrackReport[] }[] = [];
  let k = 0;
  for (let t = 1; t <= 600; t++) {
    const batch: Detection[] = [];
    while (k < dets.length && dets[k].t <= t) batch.push(dets[k++]);
    tracker.step(batch, t);
    if (t % 5 === 0) recorded.push({ t, reports: tracker.report(t) });
  }
  assert.ok(recorded.reduce((a, b) => a + b.reports.length, 0) > 100, 'acoustic tracks were reported');

  const reuse = createReusingPredictor(createThreatPredictor(recZones));
  const fresh = createThreatPredictor(recZones);
  const eps = reuse.options.tolerance;
  const M = fresh.members;
  let compared = 0;
  let pairs = 0;
  let sumP = 0;
  for (const { t, reports } of recorded) {
    for (const r of reports) {
      const n = reuse.stats.reused;
      const got = byZone(reuse.predict(t, r));
      if (reuse.stats.reused === n) continue;
      compared++;
      const freshEntries = fresh.entries(r);
      const want = byZone(fresh.summarise(freshEntries, r, 0));
      for (const zone of new Set([...got.keys(), ...want.keys()])) {
        const g = got.get(zone);
        const w = want.get(zone);
        pairs++;
        sumP += Math.abs((g?.probability ?? 0) - (w?.probability ?? 0));
        // the bound is on the model's probabilities; shares of M members add up to two members of rounding
        for (const key of PROBS) assert.ok(Math.abs((g?.[key] ?? 0) - (w?.[key] ?? 0)) <= eps + 2 / M + 1e-9, `${zone} ${key} at ${t}: reused ${g?.[key]}, fresh ${w?.[key]}`);
        assert.ok(Math.abs((g?.insideProbability ?? 0) - (w?.insideProbability ?? 0)) <= eps + 1e-9, `${zone} inside at ${t}`);
        if (g && w && w.probability >= 0.5 && g.probability >= 0.5 && !w.inside) {
          // the CDFs of the entry time differ by at most the tolerance: the reused median lies
          // between the fresh members' entry times at ranks n/2 ∓ 1.5·ε·M
          const zi = recZones.findIndex((z) => z.id === zone);
          const i = Array.from(freshEntries.zones).indexOf(zi);
          const times = freshEntries.times.subarray(freshEntries.offsets[i], freshEntries.offsets[i + 1]);
          const slack = Math.ceil(1.5 * eps * M) + 2;
          const lo = times[Math.max(0, Math.floor(times.length / 2) - slack)];
          const hi = times[Math.min(times.length - 1, Math.ceil(times.length / 2) + slack)];
          assert.ok(g.etaS >= lo - 1 && g.etaS <= hi + 1, `${zone} ETA at ${t}: reused ${g.etaS}, fresh ${w.etaS}, band ${lo}-${hi}`);
        }
      }
    }
  }
  const all = reuse.stats.fresh + reuse.stats.reused;
  assert.ok(compared >= 10 && compared < all, `reused ${compared} of ${all}`);
  assert.ok(reuse.stats.byReason.state > 0);
  assert.ok(pairs > 0 && sumP / pairs < eps / 2, `mean |ΔP| ${sumP / pairs}`);
  tc.diagnostic(`reused ${compared} of ${all} (afresh: ${JSON.stringify(reuse.stats.byReason)}), mean |ΔP| ${(sumP / pairs).toFixed(4)} over ${pairs} track-zone pairs`);
});
