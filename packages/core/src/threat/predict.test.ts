import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destination } from '../geo/distance.js';
import { createGeoArea, pointInArea } from '../geo/polygon.js';
import { meridianRadius, primeVerticalRadius } from '../geo/wgs84.js';
import type { TrackReport } from '../tracker/tracker.js';
import type { GeoPoint } from '../types.js';
import { planeNodes, stratumNodes } from './ensemble.js';
import { createThreatPredictor, THREAT_DEFAULTS, type ThreatZone, type TrackReportLike, type ZoneThreat } from './predict.js';
import { squareArea, straightReport } from './testing.js';

const origin = { latDeg: 37.0, lonDeg: 127.0, altM: 300 };
/** A target at `origin` flying north at 50 m/s. */
const north50 = (extra: Partial<TrackReportLike> = {}): TrackReportLike => ({
  trackId: 'T1',
  position: origin,
  velocityEnu: [0, 50, 0],
  positionSd: 100,
  ...extra,
});
const find = (threats: ZoneThreat[], zone: string) => threats.find((x) => x.zone === zone);

test('a straight drone at 50 m/s toward a square zone 10 km ahead: probability near 1, ETA near 200 s', () => {
  const zones: ThreatZone[] = [{ id: 'ahead', area: squareArea(origin, 0, 15_000, 10_000) }]; // near edge 10 km north
  const p = createThreatPredictor(zones);
  const th = find(p.predict(north50()), 'ahead');
  assert.ok(th, 'a threat to the zone ahead');
  assert.ok(th.probability >= 0.95, `probability ${th.probability}`);
  assert.ok(Math.abs(th.etaS - 200) <= 10, `ETA ${th.etaS}`);
  assert.ok(th.etaMinS <= th.etaS && th.etaMinS > 150, `earliest ${th.etaMinS}`);
  assert.equal(th.inside, false);
  assert.equal(th.insideProbability, 0);
  assert.equal(th.leadProbability, th.probability, 'all entries are within the default 300 s lead');
  assert.equal(th.track, 'T1');
});

test('a zone 10 km to the side is not threatened', () => {
  const zones: ThreatZone[] = [
    { id: 'side', area: squareArea(origin, 10_000, 0, 4_000) },
    { id: 'side-ahead', area: squareArea(origin, -10_000, 5_000, 4_000) },
  ];
  const threats = createThreatPredictor(zones).predict(north50());
  assert.deepEqual(threats, []);
});

test('a zone slightly off the axis gets an intermediate probability', () => {
  const zones: ThreatZone[] = [{ id: 'off', area: squareArea(origin, 3_000, 10_000, 2_000) }];
  const th = find(createThreatPredictor(zones).predict(north50()), 'off');
  assert.ok(th && th.probability > 0.05 && th.probability < 0.6, `probability ${th?.probability}`);
});

test('the off-axis probability rises with the velocity error while the spread is below the offset', () => {
  // manoeuvres off: the heading spread alone
  const zones: ThreatZone[] = [{ id: 'off', area: squareArea(origin, 2_000, 10_000, 2_000) }];
  const p = createThreatPredictor(zones, { manoeuvreAccelSd: 0, manoeuvreTurnSd: 0 });
  const probs = [1, 3, 4, 8].map((velocitySd) => find(p.predict(north50({ velocitySd })), 'off')?.probability ?? 0);
  assert.equal(probs[0], 0, `nearly sure of the heading, it misses: ${probs}`);
  for (let i = 1; i < probs.length; i++) assert.ok(probs[i] > probs[i - 1], `rising: ${probs}`);
  assert.ok(probs[3] > 0.1 && probs[3] < 0.6, `intermediate at 8 m/s: ${probs}`);
  // with the default manoeuvres, a zone farther off
  const q = createThreatPredictor([{ id: 'far-off', area: squareArea(origin, 6_000, 10_000, 2_000) }]);
  const probs2 = [1, 3, 8, 12].map((velocitySd) => find(q.predict(north50({ velocitySd })), 'far-off')?.probability ?? 0);
  for (let i = 1; i < probs2.length; i++) assert.ok(probs2[i] > probs2[i - 1], `rising with manoeuvres: ${probs2}`);
});

test('uncertainty grows with time: the same zone straight ahead is less likely the farther it is', () => {
  const dists = [5_000, 10_000, 20_000, 30_000, 40_000];
  const zones: ThreatZone[] = dists.map((d) => ({ id: `d${d}`, area: squareArea(origin, 0, d, 4_000) }));
  const threats = createThreatPredictor(zones).predict(north50());
  const probs = dists.map((d) => find(threats, `d${d}`)?.probability ?? 0);
  assert.ok(probs[0] > 0.95, `5 km: ${probs}`);
  for (let i = 1; i < probs.length; i++) assert.ok(probs[i] < probs[i - 1], `falling: ${probs}`);
  assert.ok(probs[4] > 0 && probs[4] < 0.3, `40 km: ${probs}`);
  const etas = dists.map((d) => find(threats, `d${d}`)?.etaS ?? NaN);
  dists.forEach((d, i) => assert.ok(Math.abs(etas[i] - (d - 2_000) / 50) < 0.04 * (d / 50), `ETA at ${d} m: ${etas[i]}`));
});

test('inside now: ETA 0, probability 1; on the edge the position error splits the inside probability', () => {
  const zones: ThreatZone[] = [
    { id: 'here', area: squareArea(origin, 0, 0, 5_000) },
    { id: 'edge', area: squareArea(origin, 1_050, 0, 2_000) }, // west edge 50 m east of the track
  ];
  const p = createThreatPredictor(zones);
  const threats = p.predict(north50({ positionSd: 300 }));
  const here = find(threats, 'here');
  assert.ok(here);
  assert.equal(here.inside, true);
  assert.equal(here.etaS, 0);
  assert.equal(here.etaMinS, 0);
  assert.equal(here.probability, 1);
  assert.equal(here.insideProbability, 1);
  const edge = find(threats, 'edge');
  assert.ok(edge && edge.insideProbability > 0 && edge.insideProbability < 1, `edge inside ${edge?.insideProbability}`);
  assert.equal(edge.inside, false);
  assert.equal(edge.etaMinS, 0, 'the members inside now enter at 0');
  assert.ok(edge.probability > edge.insideProbability, 'some of those outside drift in later');
});

test('lead windows: P within the zone lead, within lead + hold margin, within the horizon', () => {
  const zones: ThreatZone[] = [
    { id: 'short', area: squareArea(origin, 0, 22_000, 4_000), leadS: 300 }, // entry near 400 s
    { id: 'long', area: squareArea(origin, 0, 22_000, 4_000), leadS: 600 },
  ];
  const threats = createThreatPredictor(zones).predict(north50());
  const short = find(threats, 'short');
  const long = find(threats, 'long');
  assert.ok(short && long);
  assert.ok(Math.abs(short.etaS - 400) < 15, `ETA ${short.etaS}`);
  assert.equal(short.leadProbability, 0, 'nobody enters within 300 s');
  assert.ok(short.holdProbability > 0 && short.holdProbability <= short.probability, `hold ${short.holdProbability}`);
  assert.equal(long.leadProbability, long.probability);
  assert.equal(short.probability, long.probability);
  assert.equal(short.imminentProbability, 0, 'nobody enters within the 180 s imminent window');
  // a zone entered near 180 s: some members enter within the 180 s window, some later; the window moves with imminentS
  const near: ThreatZone[] = [{ id: 'near', area: squareArea(origin, 0, 11_000, 4_000) }];
  const at = (imminentS?: number) => find(createThreatPredictor(near, { imminentS }).predict(north50()), 'near');
  const dflt = at();
  const wide = at(300);
  const none = at(0);
  assert.ok(dflt && wide && none);
  assert.ok(dflt.imminentProbability > 0 && dflt.imminentProbability < dflt.leadProbability, `imminent ${dflt.imminentProbability} lead ${dflt.leadProbability}`);
  assert.equal(wide.imminentProbability, wide.leadProbability, 'imminentS = the lead: the two windows agree');
  assert.equal(none.imminentProbability, 0, 'imminentS 0: nobody enters at once');
  // imminentS 0: a start inside counts; the window never reaches past a zone lead shorter than it
  const around: ThreatZone[] = [{ id: 'around', area: squareArea(origin, 0, 0, 2_000) }, { id: 'short', area: squareArea(origin, 0, 11_000, 4_000), leadS: 120 }];
  const zero = createThreatPredictor(around, { imminentS: 0 }).predict(north50());
  const inside = find(zero, 'around');
  assert.ok(inside && inside.insideProbability > 0.5);
  assert.equal(inside.imminentProbability, inside.insideProbability);
  const cut = find(createThreatPredictor(around).predict(north50()), 'short');
  assert.ok(cut);
  assert.equal(cut.imminentProbability, cut.leadProbability, 'lead 120 s: the 180 s window is cut to 120 s');
  assert.equal(cut.imminentProbability, 0, 'nobody enters within 120 s');
});

test('a straight path 40 km out stays on the geodesic (projection error well under the zone size)', () => {
  const bearing = (60 * Math.PI) / 180;
  const target = destination(origin, bearing, 40_000);
  const zones: ThreatZone[] = [{ id: 'small', area: squareArea(target, 0, 0, 300) }];
  const p = createThreatPredictor(zones, { manoeuvreAccelSd: 0, manoeuvreTurnSd: 0, velocitySd: 0.001 });
  const th = find(p.predict({ trackId: 'X', position: origin, velocityEnu: [50 * Math.sin(bearing), 50 * Math.cos(bearing), 0], positionSd: 0 }), 'small');
  assert.ok(th, 'the path hits a 300 m square at 40 km');
  assert.equal(th.probability, 1);
  // the square's near corner region is about 150-210 m before the centre along the path
  assert.ok(th.etaS > (40_000 - 230) / 50 && th.etaS < (40_000 - 100) / 50, `ETA ${th.etaS}`);
});

test('a hovering track (no velocity) spreads all round; a zone 1 km away is possible, not sure', () => {
  const zones: ThreatZone[] = [{ id: 'near', area: squareArea(origin, 0, -1_500, 1_000) }];
  const th = find(createThreatPredictor(zones).predict({ trackId: 'H', position: origin, velocityEnu: [0, 0, 0], positionSd: 50, velocitySd: 3 }), 'near');
  assert.ok(th && th.probability > 0 && th.probability < 0.6, `probability ${th?.probability}`);
});

test('deterministic, and the product design agrees with the default Latin square', () => {
  const zones: ThreatZone[] = [
    { id: 'a', area: squareArea(origin, 0, 12_000, 4_000) },
    { id: 'b', area: squareArea(origin, 3_000, 10_000, 2_000) },
    { id: 'c', area: squareArea(origin, -1_000, 25_000, 6_000) },
  ];
  const latin = createThreatPredictor(zones);
  const product = createThreatPredictor(zones, { positionDesign: 'product' });
  assert.equal(latin.members, 75);
  assert.equal(product.members, 375);
  const r1 = latin.predict(north50());
  assert.deepEqual(latin.predict(north50()), r1);
  assert.deepEqual(createThreatPredictor(zones).predict(north50()), r1);
  const r2 = product.predict(north50());
  for (const z of ['a', 'b', 'c']) {
    const x = find(r1, z);
    const y = find(r2, z);
    assert.ok(x && y);
    assert.ok(Math.abs(x.probability - y.probability) < 0.05, `${z}: ${x.probability} vs ${y.probability}`);
    assert.ok(Math.abs(x.etaS - y.etaS) < 10, `${z}: ${x.etaS} vs ${y.etaS}`);
  }
});

test("the tracker's TrackReport is a TrackReportLike; its threat probability is passed on", () => {
  const report: TrackReport = {
    t: 100,
    trackId: '7',
    status: 'confirmed',
    position: origin,
    altitudeObservable: true,
    velocityEnu: [0, 50, 0],
    positionSd: 80,
    velocitySd: 3,
    altitudeSd: 30,
    classProbs: { piston_owa: 0.9 },
    threatProbability: 0.9,
    sensors: ['r1'],
  };
  const th = createThreatPredictor([{ id: 'z', area: squareArea(origin, 0, 12_000, 4_000) }]).predict(report);
  assert.equal(th.length, 1);
  assert.equal(th[0].track, '7');
  assert.equal(th[0].threatProbability, 0.9);
  // a track that knows its velocity poorly (an acoustic one) spreads: less ahead, more beside
  const pair = [
    { id: 'ahead', area: squareArea(origin, 0, 12_000, 3_000) },
    { id: 'beside', area: squareArea(origin, 7_000, 9_000, 3_000) },
  ];
  const p = createThreatPredictor(pair);
  const at = (sd: number, zone: string) => p.predict({ ...report, velocitySd: sd }).find((x) => x.zone === zone)?.leadProbability ?? 0;
  assert.ok(at(25, 'ahead') < at(3, 'ahead') - 0.2, `ahead: ${at(3, 'ahead')} -> ${at(25, 'ahead')}`);
  assert.ok(at(25, 'beside') > at(3, 'beside') + 0.1, `beside: ${at(3, 'beside')} -> ${at(25, 'beside')}`);
});

test("no member flies faster than the report's maxSpeed: 110 +- 20 m/s estimated, 70 m/s possible", () => {
  const zones: ThreatZone[] = [{ id: 'd', area: squareArea(origin, 0, 20_000, 10_000) }]; // a district, near edge 15 km north
  const p = createThreatPredictor(zones);
  const fast = north50({ velocityEnu: [0, 110, 0], velocitySd: 20 });
  const free = find(p.predict(fast), 'd')!;
  assert.ok(free.imminentProbability > 0.5, `unbounded: P within 180 s ${free.imminentProbability}`);
  const bounded = find(p.predict({ ...fast, maxSpeed: 70 }), 'd');
  assert.ok(bounded, 'still threatened');
  // the start offsets are within 1.312·√2 position sigmas (186 m here): 15 km at 70 m/s take 211 s at least
  assert.ok(bounded.etaMinS >= (15_000 - 200) / 70, `earliest entry ${bounded.etaMinS} s`);
  assert.equal(bounded.imminentProbability, 0);
  assert.ok(bounded.leadProbability >= 0.5, `P within the 300 s lead ${bounded.leadProbability}: still warned`);
  // each threat names the bound its paths were held to (the alert's explanation, the e2e check)
  assert.equal(bounded.speedBoundMps, 70);
  assert.equal(free.speedBoundMps, undefined);
  // a bound above every member's speed changes nothing but the bound named; a bad one is refused
  const high = p.predict({ ...fast, maxSpeed: 1_000 });
  assert.ok(high.length > 0 && high.every((z) => z.speedBoundMps === 1_000));
  assert.deepEqual(
    high.map(({ speedBoundMps: _b, ...rest }) => rest),
    p.predict(fast),
  );
  assert.throws(() => p.predict({ ...fast, maxSpeed: 0 }), /maxSpeed must be a positive number or absent, got 0/);
  assert.throws(() => p.predict({ ...fast, maxSpeed: NaN }), /maxSpeed must be a positive number or absent, got NaN/);
});

test('far tracks are skipped before any path is walked; stats count the work', () => {
  const p = createThreatPredictor([{ id: 'z', area: squareArea(origin, 0, 0, 2_000) }]);
  const far = straightReport('F', { latDeg: 39, lonDeg: 127, altM: 0 }, 0, 50, 0);
  assert.deepEqual(p.predict(far), []);
  assert.equal(p.stats.reportsSkipped, 1);
  assert.equal(p.stats.points, 0);
  p.predict(north50());
  assert.ok(p.stats.points > 0);
});

test('bad options and reports are refused with the value in the message', () => {
  const zones: ThreatZone[] = [{ id: 'z', area: squareArea(origin, 0, 0, 2_000) }];
  assert.throws(() => createThreatPredictor(zones, { horizonS: 0 }), /horizonS must be a positive number, got 0/);
  assert.throws(() => createThreatPredictor(zones, { headingNodes: 2.5 }), /headingNodes .* got 2.5/);
  assert.throws(() => createThreatPredictor(zones, { positionNodes: 3 as 5 }), /positionNodes must be 1 or 5, got 3/);
  assert.throws(() => createThreatPredictor([{ id: 'z', area: zones[0].area, leadS: -1 }]), /leadS .* got -1/);
  assert.throws(() => createThreatPredictor([zones[0], zones[0]]), /repeated zone id "z"/);
  const p = createThreatPredictor(zones);
  assert.throws(() => p.predict(north50({ positionSd: NaN })), /positionSd .* got NaN/);
  assert.throws(() => p.predict(north50({ velocityEnu: [Infinity, 0, 0] })), /velocity must be finite/);
  assert.equal(THREAT_DEFAULTS.horizonS, 900);
  assert.deepEqual(createThreatPredictor([]).predict(north50()), []);
});

test('the indexed, clipped and skipping walk gives exactly what a brute-force walk gives', () => {
  // reference: every member at every step, pointInArea on every zone; the same ensemble and formulas
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const star = (c: GeoPoint, r: number, n: number) => {
    const ring = new Float64Array(2 * n);
    const ph = rand() * 6;
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      const rr = r * (0.7 + 0.2 * Math.sin(3 * a + ph) + 0.1 * Math.sin(13 * a));
      ring[2 * i] = c.lonDeg + (rr * Math.cos(a)) / (111_000 * Math.cos((c.latDeg * Math.PI) / 180));
      ring[2 * i + 1] = c.latDeg + (rr * Math.sin(a)) / 111_000;
    }
    return ring;
  };
  const zones: ThreatZone[] = [];
  for (let i = 0; i < 12; i++) {
    const c = destination(origin, rand() * 2 * Math.PI, 5_000 + rand() * 30_000);
    const rings = [star(c, 1_000 + rand() * 4_000, 60 + Math.floor(rand() * 200))];
    if (i % 4 === 0) rings.push(star(c, 400, 20)); // a hole
    zones.push({ id: `z${i}`, area: createGeoArea([{ rings }]), leadS: i % 3 === 0 ? 600 : undefined });
  }
  const predictor = createThreatPredictor(zones);
  const o = predictor.options;
  const pos = planeNodes(5);
  const [zs, zh, zm] = [stratumNodes(3), stratumNodes(5), stratumNodes(5)];
  const sinc = (x: number) => (Math.abs(x) < 1e-4 ? 1 - (x * x) / 6 : Math.sin(x) / x);
  const reference = (r: TrackReportLike) => {
    const phi = (r.position.latDeg * Math.PI) / 180;
    const M = meridianRadius(phi);
    const N = primeVerticalRadius(phi);
    const toGeo = (e: number, n: number) => [
      r.position.latDeg + ((n - (Math.tan(phi) / (2 * N)) * e * e) / M) * (180 / Math.PI),
      r.position.lonDeg + ((e * (1 + (Math.tan(phi) / M) * n)) / (N * Math.cos(phi))) * (180 / Math.PI),
    ];
    const [ve, vn] = [r.velocityEnu[0], r.velocityEnu[1]];
    const sp = Math.hypot(ve, vn);
    const [ue, un] = sp > 0 ? [ve / sp, vn / sp] : [0, 1];
    const sdV = r.velocitySd ?? o.velocitySd;
    const entries = zones.map(() => [] as number[]);
    for (let is = 0; is < 3; is++)
      for (let ih = 0; ih < 5; ih++)
        for (let im = 0; im < 5; im++) {
          const ip = (is + ih + 2 * im) % 5;
          const e0 = pos[2 * ip] * r.positionSd * ue + pos[2 * ip + 1] * r.positionSd * un;
          const n0 = pos[2 * ip] * r.positionSd * un - pos[2 * ip + 1] * r.positionSd * ue;
          const we = ve + sdV * (zs[is] * ue + zh[ih] * un);
          const wn = vn + sdV * (zs[is] * un - zh[ih] * ue);
          const s = Math.hypot(we, wn);
          const [sb0, cb0] = s > 0 ? [we / s, wn / s] : [ue, un];
          const a = zm[im] * o.manoeuvreAccelSd;
          const w = Math.max(-o.maxTurnRate, Math.min(o.maxTurnRate, s > 0 ? a / s : a === 0 ? 0 : Math.sign(a) * Infinity));
          const T = w !== 0 ? Math.min((Math.abs(zm[im]) * o.manoeuvreTurnSd) / Math.abs(w), o.horizonS) : 0;
          const arcAt = (tau: number) => {
            const x = w * tau;
            const A = s * tau * sinc(x);
            const B = s * tau * Math.sin(0.5 * x) * sinc(0.5 * x);
            return [e0 + sb0 * A + cb0 * B, n0 + cb0 * A - sb0 * B];
          };
          const [eT, nT] = arcAt(T);
          const [sT, cT] = [Math.sin(Math.atan2(sb0, cb0) + w * T), Math.cos(Math.atan2(sb0, cb0) + w * T)];
          const at = (tau: number) => (tau <= T ? arcAt(tau) : [eT + s * (tau - T) * sT, nT + s * (tau - T) * cT]);
          const K = Math.ceil(o.horizonS / o.stepS - 1e-9);
          zones.forEach((z, iz) => {
            for (let k = 0; k <= K; k++) {
              const tau = Math.min(k * o.stepS, o.horizonS);
              const [lat, lon] = toGeo(...(at(tau) as [number, number]));
              if (!pointInArea(z.area, lat, lon)) continue;
              let lo = Math.min((k - 1) * o.stepS, o.horizonS);
              let hi = tau;
              if (k > 0) {
                for (let q = 0; q < o.refineSteps; q++) {
                  const mid = 0.5 * (lo + hi);
                  const [la, lo2] = toGeo(...(at(mid) as [number, number]));
                  if (pointInArea(z.area, la, lo2)) hi = mid;
                  else lo = mid;
                }
              }
              entries[iz].push(k === 0 ? 0 : hi);
              break;
            }
          });
        }
    return zones.flatMap((z, iz) => {
      const t = entries[iz].sort((a, b) => a - b);
      if (t.length === 0) return [];
      return [{ zone: z.id, probability: t.length / 75, lead: t.filter((x) => x <= (z.leadS ?? o.leadS)).length / 75, imminent: t.filter((x) => x <= o.imminentS).length / 75, inside: t.filter((x) => x === 0).length / 75, eta: t.length % 2 ? t[(t.length - 1) / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2 }];
    });
  };
  let compared = 0;
  for (let i = 0; i < 40; i++) {
    const p0 = destination(origin, rand() * 2 * Math.PI, rand() * 40_000);
    const speed = i % 10 === 0 ? 0 : i % 7 === 0 ? 240 : 20 + rand() * 50;
    const bearing = rand() * 2 * Math.PI;
    const report: TrackReportLike = { trackId: `R${i}`, position: p0, velocityEnu: [speed * Math.sin(bearing), speed * Math.cos(bearing), 0], positionSd: 20 + rand() * 400, velocitySd: 1 + rand() * 8 };
    const got = predictor.predict(report);
    const want = reference(report);
    assert.deepEqual(got.map((x) => x.zone), want.map((x) => x.zone), `zones for report ${i}`);
    got.forEach((x, k) => {
      const y = want[k];
      assert.equal(x.probability, y.probability, `P ${i} ${x.zone}`);
      assert.equal(x.leadProbability, y.lead, `lead P ${i} ${x.zone}`);
      assert.equal(x.imminentProbability, y.imminent, `imminent P ${i} ${x.zone}`);
      assert.equal(x.insideProbability, y.inside, `inside P ${i} ${x.zone}`);
      if (!x.inside) assert.ok(Math.abs(x.etaS - y.eta) < 1e-6, `ETA ${i} ${x.zone}: ${x.etaS} vs ${y.eta}`);
      compared++;
    });
  }
  assert.ok(compared > 40, `compared ${compared} threats`);
});
