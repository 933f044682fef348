import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEkfFilter } from './ekf-filter.js';
import { filterConformance } from './filter-conformance.test.js';
import { createImmFilter } from './imm-filter.js';
import { DEFAULT_TRACKER_OPTIONS } from './options.js';
import { createTracker } from './tracker.js';
import { FRAME, ORIGIN, dogLeg, geo } from './testing.js';
import { geodeticToEnu } from '../geo/index.js';
import type { PositionDetection } from '../types.js';

const o = DEFAULT_TRACKER_OPTIONS;
filterConformance('IMM filter', () => createImmFilter({ frame: FRAME, motionModes: o.motionModes, initialModeProbabilities: o.initialModeProbabilities }));
filterConformance('EKF filter', () => createEkfFilter({ frame: FRAME, qHorizontal: 0.5, qVertical: 0.05 }));

test('the IMM follows a sharp turn more closely than a quiet single-model EKF', () => {
  // 60 m/s east, then a 90° left turn at 6°/s; position reports every second, exact
  const path = dogLeg(0, 0, 500, 60, 30, 90, 6);
  const maxErr = (components?: Parameters<typeof createTracker>[1]) => {
    const tr = createTracker({ origin: ORIGIN }, components);
    let worst = 0;
    for (let t = 0; t <= 70; t++) {
      const [e, n, u] = path(t);
      const d: PositionDetection = { type: 'position', t, sensorId: 'obs', position: geo(e, n, u), hasAltitude: true, posSd: 20, altSd: 30 };
      tr.step([d], t);
      const r = tr.report(t);
      if (t > 30 && r.length === 1) {
        const p = geodeticToEnu(FRAME, r[0].position);
        worst = Math.max(worst, Math.hypot(p[0] - e, p[1] - n));
      }
    }
    return worst;
  };
  const imm = maxErr();
  const ekf = maxErr({ filter: ({ frame }) => createEkfFilter({ frame, qHorizontal: 0.5, qVertical: 0.05 }) });
  assert.ok(imm < ekf / 2, `IMM worst error ${imm.toFixed(1)} m, quiet EKF ${ekf.toFixed(1)} m`);
});
