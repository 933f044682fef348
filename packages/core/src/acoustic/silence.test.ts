/**
 * The silence pass (silence.ts): every 2 s per track, each silent node within reach counts the
 * whole report intervals it missed since it was last counted, the remainder carried, so the
 * evidence does not depend on the pass's cadence or on a node's learnt period.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Track } from '../tracker/track.js';
import type { TrackFilter } from '../tracker/filter.js';
import { createAcousticNetwork } from './acoustic-network.js';
import { createCloud } from './particle-cloud.js';
import { presencePd } from './presence-model.js';
import { createSilence } from './silence.js';
import { mulberry32 } from '../math/mulberry32.js';
import { FRAME, geo, presenceDet } from '../tracker/testing.js';

test('a silent node is counted once per report interval whatever its period (2, 2.05, 2.5, 3 or 1.8 s)', () => {
  for (const period of [2, 2.05, 2.5, 3, 1.8]) {
    const network = createAcousticNetwork({ frame: FRAME, sensors: [{ id: 'm', kind: 'acoustic', position: geo(0, 0, 5), rangeMax: 2500, pd: 0.9, farPerHour: 0.5 }] });
    const node = network.node('m')!;
    // the node's cadence from its own reports (four, `period` apart, well before the silences)
    for (let k = 0; k < 4; k++) network.heard(presenceDet('m', [0, 0, 5], 2500, -1000 + k * period));
    assert.ok(Math.abs(node.period - period) < 1e-9, `period ${node.period}`);
    // a cloud that stands still 600 m from the node: every particle the same miss likelihood
    const c = createCloud(mulberry32(1), { n: 20, speedMin: 0, speedMax: 0, q: 0 });
    for (let i = 0; i < c.n; i++) {
      c.x[i] = 600;
      c.h[i] = 300;
      c.w[i] = 1 / c.n;
    }
    c.t = 0;
    const x = new Float64Array(6);
    x[0] = 600;
    const p = new Float64Array(36);
    p[0] = p[7] = p[14] = 100;
    const tr = { x, p, t: 0, cloud: { cloud: c, missAt: new Map(), logL: 0, hits: 1, shown: true, silentLogLR: 0 } } as unknown as Track;
    const silence = createSilence({ network, inner: { initialise() {} } as unknown as TrackFilter });
    for (let t = 1; t <= 600; t++) silence.apply([tr], t);
    // each counted interval adds log(1 − pd(r)) to the silences' log ratio (pfa cancels)
    const r = Math.hypot(600, 300 - 5 - (600 * 600) / (2 * 6_371_000));
    const perMiss = Math.log(1 - presencePd(node.model, r));
    const counted = tr.cloud!.silentLogLR! / perMiss;
    assert.ok(Math.abs(counted - 600 / period) <= 2, `period ${period} s: ${counted.toFixed(1)} intervals counted in 600 s, expected ${(600 / period).toFixed(1)}`);
  }
});
