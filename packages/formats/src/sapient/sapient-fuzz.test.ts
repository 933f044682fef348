import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, FUZZ_SCALE as SCALE, mutateBytes, randInt, randomBytes, scaled } from '../testing/fuzz.js';
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

const MUTATED = scaled(6000);
const RANDOM = scaled(2000);
const STREAMS = scaled(2000);

test(`decoder and row conversion never throw on ${MUTATED} mutated and ${RANDOM} random payloads (seeded)`, () => {
  const rand = createPrng(0x5a91);
  let rows = 0;
  let errors = 0;
  for (let i = 0; i < MUTATED; i++) {
    const out = decodeAndConvert(mutateBytes(rand, payloads[i % payloads.length]!, 1 + randInt(rand, 4)));
    if (out === 'row') rows++;
    else errors++;
  }
  let randomRows = 0;
  for (let i = 0; i < RANDOM; i++) if (decodeAndConvert(randomBytes(rand, 200)) === 'row') randomRows++;
  console.log(`fuzz sapient: ${MUTATED + RANDOM} inputs, ${rows + randomRows} accepted, ${errors + RANDOM - randomRows} refused`);
  assert.ok(rows > 200 * SCALE && errors > 1000 * SCALE, `rows ${rows}, errors ${errors}`);
});

test(`the framer never throws on ${STREAMS} mutated streams cut into random chunks (seeded)`, () => {
  const rand = createPrng(0xf4a3e);
  const stream = Buffer.concat(payloads.map((p) => frameSapient(p)));
  let frames = 0;
  let failures = 0;
  let refusedStreams = 0;
  for (let i = 0; i < STREAMS; i++) {
    const failuresBefore = failures;
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
    if (failures > failuresBefore) refusedStreams++;
  }
  // A stream counts as refused when the framer refused one of its frames as oversized.
  console.log(`fuzz sapient framer: ${STREAMS} inputs, ${STREAMS - refusedStreams} accepted, ${refusedStreams} refused (${frames} frames, ${failures} oversized)`);
  assert.ok(frames > 2000 * SCALE && failures > 0, `frames ${frames}, failures ${failures}`);
});
