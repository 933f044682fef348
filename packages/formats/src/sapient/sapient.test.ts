import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseDetectionLine } from '../interchange/detections.js';
import { parseSensorsJson } from '../interchange/sensors.js';
import { sapientType } from './schema.js';
import {
  SAPIENT_PROTO_DIR,
  buildDetectionReport,
  buildRegistration,
  buildRegistrationAck,
  buildSapientError,
  buildStatusReport,
  createSapientFramer,
  createUlid,
  decodeSapientMessage,
  encodeSapientMessage,
  frameSapient,
  missingMandatory,
  isUlid,
  scanSapientMessage,
  DEFAULT_SAPIENT_MAX_ELEMENTS,
  sapientDetectionToRows,
  type SapientMessage,
  type SapientSensorRegistry,
} from './index.js';

const NODE = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const DMM = '6fa459ea-ee8a-3ca4-894e-db77e160355e';
const T = 1764000000.125;
const registry: SapientSensorRegistry = new Map([
  [NODE, { sensorId: 'ac-0001' }],
  ['mobile-node', { sensorId: 'ob-01', position: { latDeg: 37.5, lonDeg: 127.1, altM: 30 } }],
]);

function roundTrip(m: SapientMessage): SapientMessage {
  const r = decodeSapientMessage(encodeSapientMessage(m));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.message;
}

test('the .proto files and their licence ship with the package', () => {
  for (const f of ['sapient_message.proto', 'detection_report.proto', 'registration.proto', 'LICENCE.txt']) {
    assert.ok(existsSync(join(SAPIENT_PROTO_DIR, f)), `${f} in ${SAPIENT_PROTO_DIR}`);
  }
});

test('ULIDs: 26 Crockford characters, time-ordered', () => {
  const a = createUlid(T);
  const b = createUlid(T + 1);
  assert.match(a, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.ok(a.slice(0, 10) < b.slice(0, 10));
  assert.equal(createUlid(0, () => 0), '0'.repeat(26));
});

test('registration, ack, status report and error round-trip', () => {
  const reg = roundTrip(buildRegistration({ nodeId: NODE, t: T }, { name: 'Skywarden', shortName: 'SW', statusIntervalS: 5 }));
  assert.equal(reg.content, 'registration');
  assert.equal(reg.nodeId, NODE);
  assert.deepEqual(reg.timestamp, { seconds: 1764000000, nanos: 125000000 });
  const r = reg.registration as Record<string, unknown>;
  assert.equal(r.icdVersion, 'BSI Flex 335 v2.0');
  assert.deepEqual(r.nodeDefinition, [{ nodeType: 'NODE_TYPE_FUSION_NODE' }]);
  assert.deepEqual((r.statusDefinition as Record<string, unknown>).statusInterval, { units: 'TIME_UNITS_SECONDS', value: 5 });
  const mode = (r.modeDefinition as Record<string, unknown>[])[0]!;
  assert.equal(mode.modeType, 'MODE_TYPE_PERMANENT');
  assert.ok((r.configData as unknown[]).length === 1);

  const ack = roundTrip(buildRegistrationAck({ nodeId: DMM, destinationId: NODE, t: T }, false, ['unknown node type']));
  assert.equal(ack.content, 'registrationAck');
  assert.equal(ack.destinationId, NODE);
  assert.deepEqual(ack.registrationAck, { acceptance: false, ackResponseReason: ['unknown node type'] });

  const st = roundTrip(buildStatusReport({ nodeId: NODE, t: T }, { system: 'ok', changed: true, mode: 'default', position: { latDeg: 37.5, lonDeg: 127, altM: 12 }, reportId: createUlid(T) }));
  const sr = st.statusReport as Record<string, unknown>;
  assert.equal(sr.system, 'SYSTEM_OK');
  assert.equal(sr.info, 'INFO_NEW');
  assert.deepEqual(sr.nodeLocation, { x: 127, y: 37.5, z: 12, coordinateSystem: 'LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M', datum: 'LOCATION_DATUM_WGS84_E' });

  const packet = Uint8Array.from([1, 2, 3, 255]);
  const er = roundTrip(buildSapientError({ nodeId: DMM, destinationId: NODE, t: T }, packet, ['bad report', 'second problem']));
  assert.equal(er.content, 'error');
  assert.deepEqual(Array.from(er.error!.packet!), [1, 2, 3, 255]);
  assert.deepEqual(er.error!.errorMessage, ['bad report', 'second problem']);
});

test('the encoder refuses an object that does not fit the schema', () => {
  assert.throws(() => encodeSapientMessage({ nodeId: NODE, timestamp: { seconds: 1 }, statusReport: { system: 'SYSTEM_BOGUS' } }), /does not fit the schema: .*system/);
});

test('a location DetectionReport becomes a position row the interchange reader accepts', () => {
  const m = roundTrip(
    buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'OBJ1', reportId: 'R1', position: { latDeg: 37.6, lonDeg: 127.05, altM: 310, posSdM: 40, altSdM: 25 }, classes: { 'UAV Fixed Wing': 0.7, Bird: 0.2, Balloon: 0.1 } }),
  );
  assert.equal(m.detectionReport!.locationOneof, 'location');
  const r = sapientDetectionToRows(m, registry);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.rows.length, 1);
  const row = r.rows[0]!;
  assert.equal(row.type, 'position');
  assert.equal(row.t, T);
  assert.equal(row.sensor, 'ac-0001');
  assert.equal(row.id, `sapient:${NODE}:R1`);
  assert.equal(row.sapient_object_id, 'OBJ1');
  assert.equal(row.lat, 37.6);
  assert.equal(row.lon, 127.05);
  assert.equal(row.alt_m, 310);
  assert.equal(row.alt_sd_m, 25);
  assert.ok(Math.abs(row.pos_sd_m! - 40) < 0.01, `pos_sd_m ${row.pos_sd_m}`);
  assert.deepEqual(row.class, { fixed_wing_small: 0.7, bird: 0.2 });
  // The row is a valid detections.ndjson line.
  const sensors = parseSensorsJson(JSON.stringify({ sensors: [{ id: 'ac-0001', kind: 'acoustic', lat: 37.5, lon: 127, alt_m: 20 }] }));
  assert.ok(sensors.ok);
  const d = parseDetectionLine(JSON.stringify(row), 1, sensors.sensors);
  assert.ok(d !== null && d.ok, JSON.stringify(d));
});

test('range-bearing DetectionReports become range_bearing or bearing rows', () => {
  const rb = roundTrip(buildDetectionReport({ nodeId: 'mobile-node', t: T }, { objectId: 'O2', reportId: 'R2', rangeBearing: { azimuthDeg: -10, elevationDeg: 5, rangeM: 1200, azimuthSdDeg: 2, elevationSdDeg: 3, rangeSdM: 30 } }));
  const r = sapientDetectionToRows(rb, registry);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(
    { ...r.rows[0]! },
    { t: T, sensor: 'ob-01', type: 'range_bearing', id: 'sapient:mobile-node:R2', sapient_object_id: 'O2', bearing_deg: 350, elevation_deg: 5, bearing_sd_deg: 2, elevation_sd_deg: 3, range_m: 1200, range_sd_m: 30, sensor_lat: 37.5, sensor_lon: 127.1, sensor_alt_m: 30 },
  );
  const b = roundTrip(buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O3', reportId: 'R3', rangeBearing: { azimuthDeg: 45 } }));
  const rb2 = sapientDetectionToRows(b, registry);
  assert.ok(rb2.ok && rb2.rows[0]!.type === 'bearing' && rb2.rows[0]!.bearing_deg === 45 && rb2.rows[0]!.range_m === undefined);
  // Radians and kilometres.
  const radKm: SapientMessage = { ...b, detectionReport: { reportId: 'R4', rangeBearing: { azimuth: Math.PI / 2, range: 1.5, coordinateSystem: 'RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM', datum: 'RANGE_BEARING_DATUM_TRUE' } } };
  const r4 = sapientDetectionToRows(roundTrip(radKm), registry);
  assert.ok(r4.ok && Math.abs(r4.rows[0]!.bearing_deg! - 90) < 1e-9 && r4.rows[0]!.range_m === 1500);
});

test('sapientDetectionToRows names what is missing or unsupported', () => {
  const base = buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O', reportId: 'R', position: { latDeg: 37, lonDeg: 127 } });
  const loc = base.detectionReport!.location as Record<string, unknown>;
  const cases: [SapientMessage, RegExp][] = [
    [{ ...base, nodeId: 'stranger' }, /node_id "stranger" is not registered/],
    [{ ...base, detectionReport: undefined, content: 'statusReport' }, /carries statusReport, not a detection_report/],
    [{ ...base, detectionReport: { reportId: 'R' } }, /neither location nor range_bearing/],
    [{ ...base, detectionReport: { objectId: 'O', location: loc } }, /report_id is missing/],
    [{ ...base, detectionReport: { reportId: 'R', location: { ...loc, x: undefined } } }, /location.x \(longitude\) is missing/],
    [{ ...base, detectionReport: { reportId: 'R', location: { ...loc, y: 95 } } }, /latitude\) must be within \[-90, 90\] degrees, got 95/],
    [{ ...base, detectionReport: { reportId: 'R', location: { ...loc, coordinateSystem: 'LOCATION_COORDINATE_SYSTEM_UTM_M' } } }, /must be LAT_LNG_DEG_M or LAT_LNG_RAD_M, got LOCATION_COORDINATE_SYSTEM_UTM_M/],
    [{ ...base, detectionReport: { reportId: 'R', location: { ...loc, datum: undefined } } }, /datum must be WGS84_E or WGS84_G, got nothing/],
    [{ ...base, detectionReport: { reportId: 'R', rangeBearing: { azimuth: 10, coordinateSystem: 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M', datum: 'RANGE_BEARING_DATUM_MAGNETIC' } } }, /DATUM_MAGNETIC is not supported/],
    [{ ...base, detectionReport: { reportId: 'R', rangeBearing: { coordinateSystem: 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M', datum: 'RANGE_BEARING_DATUM_TRUE' } } }, /azimuth is missing/],
    [{ ...base, detectionReport: { reportId: 'R', rangeBearing: { azimuth: 1, range: -5, coordinateSystem: 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M', datum: 'RANGE_BEARING_DATUM_TRUE' } } }, /range must be a non-negative finite number, got -5/],
    [{ ...base, detectionReport: { reportId: 'R', rangeBearing: { azimuth: 1 } } }, /coordinate_system must be DEGREES_M/],
    // an azimuth of 1e308 degrees is no bearing (it had been read modulo 360)
    [{ ...base, detectionReport: { reportId: 'R', rangeBearing: { azimuth: 1e308, coordinateSystem: 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M', datum: 'RANGE_BEARING_DATUM_TRUE' } } }, /azimuth must be within \[-720, 720\] degrees, got 1e\+308/],
  ];
  for (const [m, re] of cases) {
    const r = sapientDetectionToRows(m, registry);
    assert.ok(!r.ok, `expected an error for ${re}`);
    assert.match(r.reason, re);
  }
  const geoid = sapientDetectionToRows({ ...base, detectionReport: { reportId: 'R', location: { ...loc, z: 100, datum: 'LOCATION_DATUM_WGS84_G' } } }, registry);
  assert.ok(geoid.ok && geoid.rows[0]!.alt_m === undefined && /geoid/.test(geoid.warnings[0]!));
  // optional numbers that are not finite (or negative errors) are left out with a warning naming them, the report kept
  const odd = sapientDetectionToRows({ ...base, detectionReport: { reportId: 'R', location: { ...loc, z: NaN, xError: Infinity, yError: -3, zError: 5 } } }, registry);
  assert.ok(odd.ok, odd.ok ? '' : odd.reason);
  assert.equal(odd.rows[0]!.alt_m, undefined);
  assert.equal(odd.rows[0]!.pos_sd_m, undefined);
  assert.deepEqual(odd.warnings, [
    'detection_report.location.z NaN is not a finite number: left out',
    'detection_report.location.x_error Infinity is not a finite non-negative number: left out',
    'detection_report.location.y_error -3 is not a finite non-negative number: left out',
  ]);
  const rbOdd = sapientDetectionToRows({ ...base, detectionReport: { reportId: 'R', rangeBearing: { azimuth: 30, elevation: -Infinity, azimuthError: NaN, range: 900, rangeError: 10, coordinateSystem: 'RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M', datum: 'RANGE_BEARING_DATUM_TRUE' } } }, registry);
  assert.ok(rbOdd.ok && rbOdd.rows[0]!.elevation_deg === undefined && rbOdd.rows[0]!.bearing_sd_deg === undefined && rbOdd.rows[0]!.range_sd_m === 10);
  assert.deepEqual(rbOdd.warnings.map((w) => w.split(' ')[0]), ['detection_report.range_bearing.elevation', 'detection_report.range_bearing.azimuth_error']);
});

test('the framer handles partial, coalesced and byte-by-byte chunks', () => {
  const msgs = [
    buildStatusReport({ nodeId: NODE, t: T }, { system: 'ok', changed: false, mode: 'default' }),
    buildDetectionReport({ nodeId: NODE, t: T + 1 }, { objectId: 'O', position: { latDeg: 37, lonDeg: 127 } }),
    buildRegistrationAck({ nodeId: DMM, t: T + 2 }, true),
  ];
  const stream = Buffer.concat(msgs.map((m) => frameSapient(encodeSapientMessage(m))));
  const decodeAll = (chunks: Uint8Array[]): string[] => {
    const f = createSapientFramer();
    const out: string[] = [];
    for (const c of chunks) {
      for (const fr of f.push(c)) {
        assert.ok(fr.ok);
        const d = decodeSapientMessage(fr.payload);
        assert.ok(d.ok, d.ok ? '' : d.reason);
        out.push(d.message.content!);
      }
    }
    assert.equal(f.buffered, 0);
    return out;
  };
  const want = ['statusReport', 'detectionReport', 'registrationAck'];
  assert.deepEqual(decodeAll([stream]), want);
  assert.deepEqual(decodeAll(Array.from(stream, (b) => Uint8Array.of(b))), want);
  assert.deepEqual(decodeAll([stream.subarray(0, 3), stream.subarray(3, 40), stream.subarray(40)]), want);
  const f = createSapientFramer();
  assert.deepEqual(f.push(stream.subarray(0, 10)), []);
  assert.equal(f.buffered, 10);
});

test('the framer rejects an oversized frame without crashing and stays failed', () => {
  const f = createSapientFramer({ maxFrameBytes: 100 });
  const ok = frameSapient(new Uint8Array(50));
  const big = Uint8Array.from([0x65, 0, 0, 0, 1, 2, 3]); // 101 bytes announced
  const out = f.push(Buffer.concat([ok, big]));
  assert.equal(out.length, 2);
  assert.ok(out[0]!.ok);
  assert.ok(!out[1]!.ok && /101 bytes is larger than the maximum of 100 bytes/.test(out[1]!.reason));
  const later = f.push(ok);
  assert.ok(later.length === 1 && !later[0]!.ok);
  assert.ok(f.error !== undefined);
  const huge = createSapientFramer().push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
  assert.ok(!huge[0]!.ok && /4294967295 bytes/.test(huge[0]!.reason));
});

test('decodeSapientMessage names malformed and incomplete messages', () => {
  const cases: [Uint8Array, RegExp][] = [
    [Uint8Array.from([0x0a, 0x05, 0x08]), /^SapientMessage is not well-formed protobuf at byte 0: a length runs past the end$/],
    [Uint8Array.from([0xff, 0xff, 0xff]), /^SapientMessage is not well-formed protobuf at byte 0: a field tag runs past the end$/],
    [new Uint8Array(0), /lacks its timestamp/],
    [encodeSapientMessage({ timestamp: { seconds: 5 } }), /lacks its node_id/],
    [encodeSapientMessage({ timestamp: { seconds: 5 }, nodeId: NODE }), /carries no message/],
  ];
  for (const [b, re] of cases) {
    const r = decodeSapientMessage(b);
    assert.ok(!r.ok, `expected an error for ${re}`);
    assert.match(r.reason, re);
  }
});

test('missingMandatory: the standard\'s is_mandatory marks; our own registration has them all', () => {
  const reg = buildRegistration({ nodeId: '0b2f6f3e-6a2b-4f43-9f5d-2b0e6f1c9a11', t: 1764000000 }, { name: 'x', shortName: 'x' });
  const d = decodeSapientMessage(encodeSapientMessage(reg));
  assert.ok(d.ok);
  assert.deepEqual(missingMandatory('Registration', d.message.registration as Record<string, unknown>), []);
  assert.deepEqual(missingMandatory('Registration', {}), ['nodeDefinition', 'icdVersion', 'capabilities', 'statusDefinition', 'modeDefinition', 'configData']);
  assert.deepEqual(missingMandatory('Registration', { nodeDefinition: [{}], icdVersion: '' }, 'r').slice(0, 2), ['r.nodeDefinition[0].nodeType', 'r.icdVersion']);
});

test('the upward (fusion node to parent) Registration and DetectionReport carry every mandatory field', () => {
  const reg = roundTrip(
    buildRegistration({ nodeId: NODE, t: T }, { name: 'Skywarden', shortName: 'SW', nodeType: 'FUSION_NODE', statusIntervalS: 2, behaviours: ['threat'], enuVelocity: true, trackingType: 'TRACK', dependentNodes: [DMM] }),
  );
  assert.deepEqual(missingMandatory('Registration', reg.registration as Record<string, unknown>), []);
  assert.deepEqual(reg.registration!.dependentNodes, [DMM]);
  const det = (reg.registration!.modeDefinition as { detectionDefinition: Record<string, unknown>[]; trackingType: string }[])[0];
  assert.equal(det.trackingType, 'TRACKING_TYPE_TRACK');
  assert.deepEqual(det.detectionDefinition[0].behaviourDefinition, [{ type: 'threat', units: 'probability (0-1)' }]);
  const vt = det.detectionDefinition[0].velocityType as Record<string, unknown>;
  assert.deepEqual(vt.enuVelocityUnits, { eastNorthRateUnits: 'SPEED_UNITS_MS', upRateUnits: 'SPEED_UNITS_MS' });
  assert.equal(vt.locationDatum, 'LOCATION_DATUM_WGS84_E');
  const id = createUlid(T);
  const dr = roundTrip(
    buildDetectionReport({ nodeId: NODE, t: T }, { objectId: id, position: { latDeg: 37.5, lonDeg: 127, altM: 300, posSdM: 20 }, velocity: { ve: 10, vn: -5, vu: 1, veSd: 2, vnSd: 2 }, classes: { multirotor: 0.75 }, behaviours: { threat: 0.25 }, state: 'coasting', externalId: 'ABC123' }),
  );
  assert.deepEqual(missingMandatory('DetectionReport', dr.detectionReport as Record<string, unknown>), []);
  const r = dr.detectionReport!;
  assert.equal(r.objectId, id);
  assert.ok(isUlid(r.reportId) && isUlid(r.objectId));
  assert.deepEqual(r.enuVelocity, { eastRate: 10, northRate: -5, upRate: 1, eastRateError: 2, northRateError: 2 });
  assert.deepEqual(r.behaviour, [{ type: 'threat', confidence: 0.25 }]);
  assert.equal(r.state, 'coasting');
  assert.equal(r.id, 'ABC123');
});

test('isUlid: 26 Crockford characters with a 48-bit time', () => {
  assert.ok(isUlid(createUlid(T)));
  assert.ok(!isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAVX'), '27 characters');
  assert.ok(!isUlid('01ARZ3NDEKTSV4RRFFQ69G5FAI'), 'I is not Crockford');
  assert.ok(!isUlid('81ARZ3NDEKTSV4RRFFQ69G5FAV'), 'time over 48 bits');
  assert.ok(!isUlid('01arz3ndektsv4rrffq69g5fav'), 'lower case is not canonical');
  assert.ok(!isUlid(42));
});

/** A protobuf varint. */
function varint(n: number): Buffer {
  const b: number[] = [];
  while (n > 127) {
    b.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  b.push(n);
  return Buffer.from(b);
}
/** A length-delimited field (wire type 2). */
const field = (no: number, payload: Uint8Array): Buffer => Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);

/**
 * A DetectionReport from NODE with `n` more `classification` entries (field 11 of
 * DetectionReport, each `{type: 'bird', confidence: 0.5}`) appended to its bytes, as a hostile
 * sensor writes it: 80,000 of them in 1 MB took 300-500 ms to decode (an outside probe).
 */
function detectionWithClassifications(n: number): Uint8Array {
  const m = buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O', position: { latDeg: 37, lonDeg: 127 } });
  const head = encodeSapientMessage({ ...m, detectionReport: undefined, content: undefined });
  const DR = sapientType('DetectionReport');
  const report = DR.encode(DR.fromObject(m.detectionReport!)).finish();
  const one = field(11, Buffer.concat([field(1, Buffer.from('bird')), Buffer.from([0x15, 0, 0, 0, 0x3f])]));
  return Buffer.concat([head, field(7, Buffer.concat([report, ...Array<Buffer>(n).fill(one)]))]);
}

test('a SapientMessage of more elements than the budget is refused before decoding, naming the field and the limit', () => {
  const hostile = detectionWithClassifications(80_000);
  assert.ok(hostile.length > 1_000_000);
  const d = decodeSapientMessage(hostile);
  assert.equal(d.ok, false);
  // refused at the first element past the budget: the others are the message's own (timestamp, location, ...)
  assert.match(
    d.ok ? '' : d.reason,
    new RegExp(`^SapientMessage holds more than ${DEFAULT_SAPIENT_MAX_ELEMENTS} elements \\(sub-messages and repeated values, the limit\\): refused at detectionReport\\.classification, which holds 20[34]\\d of them this far$`),
  );
  // the budget is the caller's: a smaller one refuses a smaller message, a larger one takes it
  const small = detectionWithClassifications(100);
  const tight = decodeSapientMessage(small, { maxElements: 50 });
  assert.match(tight.ok ? '' : tight.reason, /more than 50 elements .*refused at detectionReport\.classification/);
  const d2 = decodeSapientMessage(small, { maxElements: 200 });
  assert.ok(d2.ok, d2.ok ? '' : d2.reason);
  assert.equal(d2.message.detectionReport!.classification!.length, 100);
  assert.equal(d2.message.detectionReport!.objectId, 'O');
  // a good message decodes with the default budget
  const good = decodeSapientMessage(detectionWithClassifications(3));
  assert.ok(good.ok, good.ok ? '' : good.reason);
});

test('scanSapientMessage: the kind, node id and element count from the bytes, without decoding', () => {
  const reg = scanSapientMessage(encodeSapientMessage(buildRegistration({ nodeId: NODE, t: T }, { name: 'n', shortName: 's', nodeType: 'RADAR' })));
  assert.ok(reg.ok);
  assert.equal(reg.content, 'registration');
  assert.equal(reg.nodeId, NODE);
  assert.ok(reg.elements > 10 && reg.elements < 100, `a full Registration holds ${reg.elements} elements`);
  const det = scanSapientMessage(detectionWithClassifications(5));
  assert.ok(det.ok);
  assert.equal(det.content, 'detectionReport');
  assert.equal(det.nodeId, NODE);
  // malformed bytes are refused by the scan, and so by the decoder, with where
  const junk = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
  const j = scanSapientMessage(junk);
  assert.match(j.ok ? '' : j.reason, /^SapientMessage is not well-formed protobuf at byte \d+: /);
  assert.equal(j.ok ? undefined : j.limit, false, 'the bytes refused it, not a limit');
  const over = scanSapientMessage(detectionWithClassifications(100), { maxElements: 50 });
  assert.equal(over.ok ? undefined : over.limit, true, 'a limit refused it');
  assert.match((decodeSapientMessage(junk) as { reason: string }).reason, /not well-formed protobuf/);
});

test('the scan cannot be walked past: a wrong wire type, a group, a megabyte of scalars and two kinds in one message are refused before decoding', () => {
  const hostile = detectionWithClassifications(80_000);
  const head = encodeSapientMessage({ ...buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O', position: { latDeg: 37, lonDeg: 127 } }), detectionReport: undefined, content: undefined });
  assert.equal(hostile[head.length], 0x3a, 'detection_report (field 7, wire type 2) follows the head');
  // 1. the detection report's tag written as a varint (wire type 0): protobufjs decodes it anyway
  const wrongWire = Uint8Array.from(hostile);
  wrongWire[head.length] = 0x38;
  const w = decodeSapientMessage(wrongWire);
  assert.match(w.ok ? '' : w.reason, /not well-formed protobuf at byte \d+: field detectionReport is written with wire type 0, not its own 2/);
  // 2. an unknown group (field 1000, start and end) in front: protobufjs skips it
  const group = Buffer.concat([Buffer.from([0xc3, 0x3e, 0xc4, 0x3e]), hostile]);
  const g = scanSapientMessage(group);
  assert.match(g.ok ? '' : g.reason, /wire type 3 \(groups are not proto3/);
  // 3. half a million empty node_id fields (no element among them): the fields' budget
  const scalars = Buffer.concat([head, Buffer.alloc(1_000_000, Buffer.from([0x12, 0x00]))]);
  const sc = scanSapientMessage(scalars);
  assert.match(sc.ok ? '' : sc.reason, new RegExp(`^SapientMessage holds more than ${8 * DEFAULT_SAPIENT_MAX_ELEMENTS} fields`));
  // 4. a registration and a detection report in one message: the kind decoded would not be the kind scanned
  const reg = encodeSapientMessage(buildRegistration({ nodeId: NODE, t: T }, { name: 'n', shortName: 's', nodeType: 'RADAR' }));
  const two = Buffer.concat([detectionWithClassifications(1), reg]);
  const t2 = decodeSapientMessage(two);
  assert.match(t2.ok ? '' : t2.reason, /more than one kind of message \(detectionReport and registration\)/);
  // the good ones still pass, and a packed repeated number is not a wrong wire type
  assert.ok(scanSapientMessage(reg).ok);
  assert.ok(decodeSapientMessage(detectionWithClassifications(3)).ok);
});

test('the framer keeps little more memory than the bytes it holds, whatever the sizes of the chunks', () => {
  // alternately 1 byte and 1 KiB of a 1 MiB frame: each small chunk had opened a 16 KiB block, flushed part-used by the next large one
  const stream = frameSapient(Buffer.alloc(1 << 20, 0x41));
  const f = createSapientFramer({ maxFrameBytes: 2 << 20 });
  let i = 0;
  while (i < 600_000) {
    f.push(stream.subarray(i, i + 1));
    f.push(stream.subarray(i + 1, i + 1025));
    i += 1025;
  }
  assert.equal(f.buffered, i);
  assert.ok(f.retained <= 2 * f.buffered + 64 * 1024, `${f.retained} bytes retained for ${f.buffered} held`);
  // a chunk that is a small view of a large buffer (a socket's pool) is copied, not kept with its buffer
  const g = createSapientFramer();
  const pool = new Uint8Array(1 << 20);
  pool.set(stream.subarray(0, 4096));
  g.push(pool.subarray(0, 4096));
  assert.ok(g.retained < 16 * 1024, `${g.retained} bytes retained for 4 KiB held`);
});

test('sub-messages nested deeper than the limit are refused before decoding (no stack overflow)', () => {
  // classification.sub_class (field 3 of DetectionReportClassification) then SubClass.sub_class (field 4) nested 200 deep
  let sub: Buffer = field(1, Buffer.from('bird'));
  for (let i = 0; i < 200; i++) sub = field(4, sub);
  sub = field(3, sub);
  const base = encodeSapientMessage(buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O', position: { latDeg: 37, lonDeg: 127 } }));
  const deep = Buffer.concat([base, field(7, field(11, sub))]);
  const d = decodeSapientMessage(deep);
  assert.match(d.ok ? '' : d.reason, /^SapientMessage nests sub-messages more than 32 deep, at detectionReport\.classification(\.subClass)+$/);
});

test('the framer copies a frame trickled a byte at a time once, not once per byte', () => {
  const payload = encodeSapientMessage(buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O', position: { latDeg: 37, lonDeg: 127 }, classes: { bird: 1 } }));
  const big = Buffer.concat([payload, field(13, Buffer.alloc(16_000, 0x41))]); // additional_information
  const stream = frameSapient(big);
  // count the bytes copied by Uint8Array.prototype.set (how the framer gathers bytes) while it is fed
  const set = Uint8Array.prototype.set;
  let copied = 0;
  Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
    copied += src.length;
    return set.call(this, src, offset);
  } as typeof set;
  const f = createSapientFramer();
  const frames = [];
  try {
    for (let i = 0; i < stream.length; i++) frames.push(...f.push(stream.subarray(i, i + 1)));
  } finally {
    Uint8Array.prototype.set = set;
  }
  assert.equal(frames.length, 1);
  assert.ok(frames[0]!.ok);
  assert.deepEqual(Buffer.from(frames[0]!.payload), big);
  assert.equal(f.buffered, 0);
  // each byte gathered once into a block and once into the payload (all held, every push: 128 MB)
  assert.ok(copied <= 3 * stream.length, `${copied} bytes copied for a frame of ${stream.length}`);
  // and any split of a stream of several frames gives the same frames
  const three = Buffer.concat([stream, frameSapient(payload), stream]);
  for (const cut of [1, 3, 4, 5, 1023, 1024, 5000, 16_385]) {
    const g = createSapientFramer();
    const got: Uint8Array[] = [];
    for (let i = 0; i < three.length; i += cut) for (const fr of g.push(three.subarray(i, i + cut))) got.push((fr as { payload: Uint8Array }).payload);
    assert.deepEqual(got.map((x) => Buffer.from(x)), [big, Buffer.from(payload), big], `chunks of ${cut}`);
    assert.equal(g.buffered, 0);
  }
});
