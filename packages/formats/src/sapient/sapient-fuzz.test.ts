import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, mutateBytes, randInt, randomBytes } from '../testing/fuzz.js';
import {
  buildDetectionReport,
  buildRegistration,
  buildStatusReport,
  createSapientFramer,
  decodeSapientMessage,
  encodeSapientMessage,
  frameSapient,
  sapientDetectionToRows,
  type SapientSensorRegistry,
} from './index.js';

const NODE = 'node-1';
const registry: SapientSensorRegistry = new Map([[NODE, { sensorId: 's1', position: { latDeg: 37, lonDeg: 127 } }]]);
const T = 1764000000;

const payloads = [
  encodeSapientMessage(buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O', position: { latDeg: 37.1, lonDeg: 127.2, altM: 100, posSdM: 30, altSdM: 10 }, classes: { bird: 0.4, 'UAV Rotary Wing': 0.6 } })),
  encodeSapientMessage(buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O', rangeBearing: { azimuthDeg: 30, elevationDeg: 4, rangeM: 900, azimuthSdDeg: 2 }, velocity: { ve: 1, vn: 2 } })),
  encodeSapientMessage(buildStatusReport({ nodeId: NODE, t: T }, { system: 'warning', changed: true, mode: 'm', position: { latDeg: 1, lonDeg: 2 } })),
  encodeSapientMessage(buildRegistration({ nodeId: NODE, t: T }, { name: 'n', shortName: 's' })),
];

function decodeAndConvert(payload: Uint8Array): 'row' | 'error' {
  const d = decodeSapientMessage(payload);
  if (!d.ok) {
    assert.ok(typeof d.reason === 'string' && d.reason.length > 0);
    return 'error';
  }
  if (d.message.detectionReport === undefined) return 'error';
  const r = sapientDetectionToRows(d.message, registry);
  if (!r.ok) {
    assert.ok(typeof r.reason === 'string' && r.reason.length > 0);
    return 'error';
  }
  for (const row of r.rows) {
    assert.ok(Number.isFinite(row.t));
    if (row.type === 'position') assert.ok(row.lat! >= -90 && row.lat! <= 90 && row.lon! >= -180 && row.lon! <= 180);
    else assert.ok(row.bearing_deg! >= 0 && row.bearing_deg! < 360);
  }
  return 'row';
}

test('decoder and row conversion never throw on 6000 mutated and 2000 random payloads (seeded)', () => {
  const rand = createPrng(0x5a91);
  let rows = 0;
  let errors = 0;
  for (let i = 0; i < 6000; i++) {
    const out = decodeAndConvert(mutateBytes(rand, payloads[i % payloads.length]!, 1 + randInt(rand, 4)));
    if (out === 'row') rows++;
    else errors++;
  }
  for (let i = 0; i < 2000; i++) decodeAndConvert(randomBytes(rand, 200));
  assert.ok(rows > 200 && errors > 1000, `rows ${rows}, errors ${errors}`);
});

test('the framer never throws on 2000 mutated streams cut into random chunks (seeded)', () => {
  const rand = createPrng(0xf4a3e);
  const stream = Buffer.concat(payloads.map((p) => frameSapient(p)));
  let frames = 0;
  let failures = 0;
  for (let i = 0; i < 2000; i++) {
    const input = i % 4 === 0 ? stream : mutateBytes(rand, stream, 1 + randInt(rand, 4));
    const f = createSapientFramer({ maxFrameBytes: 4096 });
    for (let pos = 0; pos < input.length; ) {
      const n = 1 + randInt(rand, 64);
      for (const fr of f.push(input.subarray(pos, pos + n))) {
        if (fr.ok) {
          frames++;
          decodeAndConvert(fr.payload);
        } else {
          failures++;
          assert.match(fr.reason, /larger than the maximum/);
        }
      }
      pos += n;
    }
  }
  assert.ok(frames > 2000 && failures > 0, `frames ${frames}, failures ${failures}`);
});
