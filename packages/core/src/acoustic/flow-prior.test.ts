/**
 * The raid's heading prior (flow-prior.ts): what feeds it, what it gives, what it learns, and
 * that a new single-microphone track takes its headings from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Track } from '../tracker/track.js';
import { createFlowPrior, drawHeading, headingOf, wrappedNormal } from './flow-prior.js';
import { createCloudInitiator } from './cloud-initiator.js';
import { createAcousticNetwork } from './acoustic-network.js';
import { mulberry32 } from '../math/mulberry32.js';
import { FRAME, geo, presenceDet } from '../tracker/testing.js';
import { SHAPE_DISC } from '../tracker/prepare.js';
import type { PreparedDetection } from '../tracker/prepare.js';
import type { Sensor } from '../types.js';

const BAND: [number, number] = [35, 65];

/** A track at (x, y) flying (vx, vy) with velocity one-sigma `vSd`, as the tracker holds it. */
function track(id: string, x: number, y: number, vx: number, vy: number, opts: Partial<Track> & { vSd?: number } = {}): Track {
  const p = new Float64Array(36);
  const v = (opts.vSd ?? 3) ** 2;
  p[0] = p[7] = 200 ** 2;
  p[21] = p[28] = v;
  return { id, x: Float64Array.from([x, y, 500, vx, vy, 0]), p, t: opts.t ?? 0, status: 'confirmed', sensors: new Map([['r1', 0]]), ...opts } as unknown as Track;
}

test('headingOf: heading clockwise from north, and its one-sigma from the cross-track velocity variance', () => {
  const east = headingOf(50, 0, 1, 0, 25);
  assert.ok(Math.abs(east.heading - Math.PI / 2) < 1e-12, `${east.heading}`);
  assert.ok(Math.abs(east.sd - 0.1) < 1e-12, `sd ${east.sd}: 5 m/s across at 50 m/s`);
  assert.equal(headingOf(0, 0, 1, 0, 1).sd, Infinity);
});

test('no track, no prior; a confirmed drone-speed track gives a component at its heading, never more than 1 − minUniform', () => {
  const f = createFlowPrior({ speedBand: BAND });
  assert.equal(f.prior(0, 0, 0), null);
  f.observe(0, [track('1', 0, 0, 50, 0)]);
  const p = f.prior(1000, 0, 10)!;
  assert.ok(p, 'a prior next to the track');
  assert.equal(p.components.length, 1);
  assert.ok(Math.abs(p.components[0].heading - Math.PI / 2) < 1e-9);
  assert.ok(p.uniform >= 0.1 - 1e-12 && p.uniform < 1, `uniform ${p.uniform}`);
  const sum = p.uniform + p.components.reduce((a, c) => a + c.weight, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12, `weights sum to ${sum}`);
  // nearer counts more than farther, and beyond three kernel lengths nothing
  const far = f.prior(40000, 0, 10)!;
  assert.ok(far.uniform > p.uniform, `${far.uniform} > ${p.uniform}`);
  assert.equal(f.prior(100000, 0, 10), null);
  // and old samples are forgotten
  assert.equal(f.prior(1000, 0, 5000), null);
});

test('only tracks whose motion says they are of the class feed the prior', () => {
  const f = createFlowPrior({ speedBand: BAND });
  f.observe(0, [
    track('tentative', 0, 0, 50, 0, { status: 'tentative' }),
    track('airliner', 0, 0, 230, 0),
    track('car', 0, 0, 12, 0),
    track('adsb', 0, 0, 50, 0, { cooperativeId: 'ABC123' }),
    track('vague', 0, 0, 50, 0, { vSd: 40 }),
    // an acoustic track one or two nodes heard: its heading is still the prior's, not the target's
    track('one-node', 0, 0, 50, 0, { cloud: {} as Track['cloud'], sensors: new Map([['m1', 0]]) }),
    track('two-nodes', 0, 0, 50, 0, { cloud: {} as Track['cloud'], sensors: new Map([['m1', 0], ['m2', 5]]) }),
    // coasting: its state is a prediction
    track('coasting', 0, 0, 50, 0, { status: 'coasting' }),
  ]);
  assert.equal(f.size, 0);
  assert.equal(f.prior(0, 0, 0), null);
});

test('π is learnt: a raid on one axis follows the flow, drones from every direction do not', () => {
  const rng = mulberry32(3);
  const axis = createFlowPrior({ speedBand: BAND });
  const anywhere = createFlowPrior({ speedBand: BAND });
  for (let i = 0; i < 40; i++) {
    const x = 20000 * (rng() - 0.5);
    const y = 20000 * (rng() - 0.5);
    const h1 = Math.PI / 2 + 0.2 * (rng() - 0.5);
    axis.observe(i * 10, [track(`a${i}`, x, y, 50 * Math.sin(h1), 50 * Math.cos(h1), { t: i * 10 })]);
    const h2 = 2 * Math.PI * rng();
    anywhere.observe(i * 10, [track(`b${i}`, x, y, 50 * Math.sin(h2), 50 * Math.cos(h2), { t: i * 10 })]);
  }
  assert.ok(axis.follow > 0.8, `one axis: π ${axis.follow.toFixed(2)}`);
  assert.ok(anywhere.follow < 0.35, `every direction: π ${anywhere.follow.toFixed(2)}`);
  const pa = axis.prior(0, 0, 400)!;
  const pb = anywhere.prior(0, 0, 400)!;
  assert.ok(pb.uniform > pa.uniform + 0.4, `uniform share ${pa.uniform.toFixed(2)} on one axis, ${pb.uniform.toFixed(2)} from everywhere`);
});

test('drawHeading follows the mixture; wrappedNormal integrates to one', () => {
  const rng = mulberry32(9);
  const prior = { uniform: 0.2, components: [{ heading: 1, sd: 0.1, weight: 0.8 }] };
  let near = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u1 = rng();
    const g = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const h = drawHeading(prior, u1, rng(), g);
    const d = Math.atan2(Math.sin(h - 1), Math.cos(h - 1));
    if (Math.abs(d) < 0.3) near++;
  }
  // 0.8 × P(|z| < 3) + 0.2 × 0.6 / 2π
  const expected = 0.8 * 0.9973 + (0.2 * 0.6) / (2 * Math.PI);
  assert.ok(Math.abs(near / n - expected) < 0.01, `${(near / n).toFixed(3)} against ${expected.toFixed(3)}`);
  let integral = 0;
  const m = 4000;
  for (let i = 0; i < m; i++) integral += (wrappedNormal(-Math.PI + ((i + 0.5) * 2 * Math.PI) / m, 2) * 2 * Math.PI) / m;
  assert.ok(Math.abs(integral - 1) < 1e-6, `${integral}`);
});

test('a single microphone’s new track flies the raid’s heading when the raid has one, and no heading without', () => {
  const sensors: Sensor[] = [{ id: 'm1', kind: 'acoustic', position: geo(0, 0, 5), rangeMax: 2500, pd: 0.9, farPerHour: 0.5 }];
  const network = createAcousticNetwork({ frame: FRAME, sensors });
  // six drones of the raid flew east a few km upstream: the raid follows its axis (π learnt near 1)
  const eastbound = [0, 1, 2, 3, 4, 5].map((i) => track(`e${i}`, -6000 - 1000 * i, 3000 * (i - 2.5), 50, 0));
  const birthVelocity = (tracks?: () => readonly Track[]) => {
    const init = createCloudInitiator({ network, tracks });
    for (let t = 1; t <= 21; t += 2) {
      const det = presenceDet('m1', [0, 0, 5], 2500, t);
      const b = init.initiate({ det, shape: SHAPE_DISC } as unknown as PreparedDetection);
      if (b) return [b.x[3], b.x[4]];
    }
    throw new Error('no track started');
  };
  const [ve0, vn0] = birthVelocity();
  const [ve1, vn1] = birthVelocity(() => eastbound);
  assert.ok(Math.hypot(ve0, vn0) < 10, `headings uniform: mean velocity ${ve0.toFixed(1)}, ${vn0.toFixed(1)} m/s`);
  assert.ok(ve1 > 25 && Math.abs(vn1) < 8, `with an eastbound raid: mean velocity ${ve1.toFixed(1)}, ${vn1.toFixed(1)} m/s`);
});
