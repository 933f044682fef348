/**
 * Hostile-input review (issue 15): plausibility bounds of a detection row. Absurd but finite
 * magnitudes (an altitude of 1e300 sent the tracker's spatial grid into an endless loop) and
 * rows too deep or too large for the journal (a 5,000-deep extra field overflowed the store
 * worker's structured clone) are refused at the edge, with a reason naming the field and value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Sensor } from '@skywarden/core';
import { parseDetectionLine, parseDetectionRow } from './detections.js';
import { parseSensorsJson } from './sensors.js';
import { buildDetectionReport, sapientDetectionToRows, type SapientSensorRegistry } from '../sapient/index.js';
import { parseCot } from '../cot/index.js';

const parsed = parseSensorsJson(
  JSON.stringify({
    sensors: [
      { id: 'r-1', kind: 'radar', lat: 37.5, lon: 127.0, alt_m: 50, range_m: 8000 },
      { id: 'obs', kind: 'observer' },
      { id: 'tak-observer', kind: 'observer' },
      { id: 'ac-0001', kind: 'acoustic', lat: 37.6, lon: 127.0 },
    ],
  }),
);
assert.ok(parsed.ok);
const sensors: ReadonlyMap<string, Sensor> = parsed.sensors;
const T = 1764000000.25;
const pos = { t: T, sensor: 'obs', type: 'position', lat: 37.5, lon: 127 };
const rb = { t: T, sensor: 'r-1', type: 'range_bearing', range_m: 1000, bearing_deg: 10 };

/** Refused by both the line reader and the row reader, with a reason containing every fragment. */
function refused(row: Record<string, unknown> | string, ...fragments: string[]): string {
  const line = typeof row === 'string' ? row : JSON.stringify(row);
  const a = parseDetectionLine(line, 9, sensors);
  assert.ok(a !== null && !a.ok, `line accepted: ${line.slice(0, 200)}`);
  for (const f of fragments) assert.ok(a.reason.includes(f), `line reason ${JSON.stringify(a.reason)} lacks ${JSON.stringify(f)}`);
  assert.equal(a.lineNo, 9);
  if (typeof row !== 'string') {
    const b = parseDetectionRow(row, 3, sensors);
    assert.ok(!b.ok, 'row accepted');
    assert.equal(b.lineNo, 3);
    for (const f of fragments) assert.ok(b.reason.includes(f), `row reason ${JSON.stringify(b.reason)} lacks ${JSON.stringify(f)}`);
  }
  return a.reason;
}

function accepted(row: Record<string, unknown>): void {
  const r = parseDetectionRow(row, 1, sensors);
  assert.ok(r.ok, r.ok ? '' : r.reason);
}

test('plausibility: absurd but finite altitudes are refused, naming the field and the value', () => {
  assert.equal(refused({ ...pos, alt_m: 1e300 }), 'alt_m must be within [-1000, 100000], got 1e+300');
  refused({ ...pos, alt_m: -1e300 }, 'alt_m', '-1e+300');
  refused({ ...pos, alt_m: 100_001 }, 'alt_m', '100001');
  refused({ ...pos, alt_m: -1_001 }, 'alt_m', '-1001');
  refused({ ...rb, sensor_alt_m: 1e300 }, 'sensor_alt_m must be within [-1000, 100000], got 1e+300');
  refused({ ...rb, sensor_lat: 37, sensor_lon: 127, sensor_alt_m: 2e5 }, 'sensor_alt_m', '200000');
  // real values pass: a balloon at 40 km, a shore below sea level, an aircraft at 12 km
  accepted({ ...pos, alt_m: 40_000 });
  accepted({ ...pos, alt_m: -430 });
  accepted({ ...rb, sensor_alt_m: 12_000 });
});

test('plausibility: absurd latitudes, longitudes, ranges, errors, speeds, times, SNR and probabilities', () => {
  refused({ ...pos, lat: 1e300 }, 'lat must be within [-90, 90], got 1e+300');
  refused({ ...pos, lon: -1e300 }, 'lon must be within [-180, 180], got -1e+300');
  refused({ ...rb, sensor_lat: 1e300, sensor_lon: 0 }, 'sensor_lat', '1e+300');
  refused({ ...rb, range_m: 1e300 }, 'range_m', '1e+300');
  refused({ ...rb, range_m: 2e7 }, 'range_m', '20000000');
  refused({ t: T, sensor: 'r-1', type: 'presence', range_m: 1e300 }, 'range_m', '1e+300');
  refused({ ...rb, range_sd_m: 1e300 }, 'range_sd_m', '1e+300');
  refused({ ...rb, bearing_sd_deg: 1e300 }, 'bearing_sd_deg', '1e+300');
  refused({ ...rb, range_rate_mps: 1e300 }, 'range_rate_mps must be within [-10000, 10000], got 1e+300');
  refused({ ...rb, range_rate_mps: -2e4 }, 'range_rate_mps', '-20000');
  refused({ ...rb, range_rate_sd_mps: 1e300 }, 'range_rate_sd_mps', '1e+300');
  refused({ ...rb, t: 1e300 }, 't must be within [-2208988800, 4102444800], got 1e+300');
  refused({ ...rb, t: 5e9 }, 't', '5000000000');
  refused({ ...rb, t: -1e12 }, 't', '-1000000000000');
  refused({ ...rb, snr_db: 1e300 }, 'snr_db must be within [-100, 200], got 1e+300');
  refused({ ...rb, class: { bird: 1e300 } }, 'class["bird"]', '1e+300');
  accepted({ ...rb, range_m: 3_000_000, range_rate_mps: -900, snr_db: 35, t: 4_000_000_000 });
});

test('plausibility: sensors.json refuses an absurd altitude too', () => {
  const r = parseSensorsJson(JSON.stringify({ sensors: [{ id: 's', kind: 'radar', lat: 37, lon: 127, alt_m: 1e300 }] }));
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, ['sensors[0] (id "s"): alt_m must be within [-1000, 100000], got 1e+300']);
});

test('plausibility: an extra field nested 5,000 deep is refused, naming it, without overflowing the stack', () => {
  // JSON.stringify itself overflows on such a value: the lines are written by hand
  const head = JSON.stringify(rb).slice(0, -1);
  const nest = (field: string, depth: number, open: string, close: string) => head + `,"${field}":` + open.repeat(depth) + '1' + close.repeat(depth) + '}';
  const why = (field: string) => `"${field}" is nested more than 8 levels deep (a detection may nest at most 8 objects or arrays, itself included)`;
  for (const [field, open, close] of [['extra', '{"x":', '}'], ['junk', '[', ']']] as const) {
    // the row as HTTP, MQTT or the journal hand it over (already parsed), 5,000 deep
    const b = parseDetectionRow(JSON.parse(nest(field, 5000, open, close)) as Record<string, unknown>, 3, sensors);
    assert.ok(!b.ok, 'row accepted');
    assert.equal(b.reason, why(field));
    // a line 2,000 deep (within the line length)
    const a = parseDetectionLine(nest(field, 2000, open, close), 9, sensors);
    assert.ok(a !== null && !a.ok, 'line accepted');
    assert.equal(a.reason, why(field));
    // a line 9,000 deep is longer than a detection may be: refused unparsed
    const c = parseDetectionLine(nest(field, 9000, open, close), 9, sensors);
    assert.ok(c !== null && !c.ok, 'line accepted');
    assert.match(c.reason, /^the detection is \d+ characters long as JSON, more than the 16384 allowed$/);
  }
  // 8 levels (the row itself included) are fine, 9 are not
  let ok: unknown = 1;
  for (let i = 0; i < 7; i++) ok = { x: ok };
  accepted({ ...rb, extra: ok });
  refused({ ...rb, extra: { x: ok } }, '"extra" is nested more than 8 levels deep');
});

test('plausibility: huge ids, targets, class maps and rows are refused, naming the field', () => {
  const mb = 'x'.repeat(1 << 20);
  refused({ ...rb, id: 'i'.repeat(129) }, 'id must be at most 128 characters, got 129');
  accepted({ ...rb, id: 'i'.repeat(128) });
  refused({ ...rb, target: 'a'.repeat(200) }, 'target must be at most 128 characters, got 200');
  const many: Record<string, number> = {};
  for (let i = 0; i < 65; i++) many[`label${i}`] = 0.01;
  refused({ ...rb, class: many }, 'class must have at most 64 labels, got 65');
  const huge: Record<string, number> = {};
  for (let i = 0; i < 100_000; i++) huge[`l${i}`] = 0;
  const r = parseDetectionRow({ ...rb, class: huge }, 0, sensors);
  assert.ok(!r.ok && r.reason.includes('more than the 16384 allowed') && r.reason.includes('largest field: "class"'), r.ok ? 'accepted' : r.reason);
  refused({ ...rb, class: { ['k'.repeat(65)]: 0.5 } }, 'class labels must be at most 64 characters, got one of 65');
  // a megabyte anywhere: the line is refused before it is parsed; the row (HTTP, MQTT, journal) by its JSON size
  const line = refused({ ...rb, id: mb }, 'characters long', 'more than the 16384 allowed');
  assert.ok(line.length < 200, 'the reason does not quote the megabyte');
  refused({ ...rb, note: mb }, 'more than the 16384 allowed');
  const row = parseDetectionRow({ ...rb, id: mb }, 0, sensors);
  assert.ok(!row.ok && row.reason.length < 300 && row.reason.includes('largest field: "id"'), row.ok ? 'accepted' : row.reason);
});

test('plausibility: the SAPIENT and CoT decoders\' rows are held to the same bounds', () => {
  const NODE = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
  const registry: SapientSensorRegistry = new Map([[NODE, { sensorId: 'ac-0001' }]]);
  const m = buildDetectionReport({ nodeId: NODE, t: T }, { objectId: 'O1', reportId: 'R1', position: { latDeg: 37.6, lonDeg: 127.05, altM: 1e300 } });
  const rows = sapientDetectionToRows(m, registry);
  assert.ok(rows.ok, rows.ok ? '' : rows.reason);
  const p = parseDetectionRow(rows.rows[0] as unknown as Record<string, unknown>, 0, sensors);
  assert.ok(!p.ok);
  assert.equal(p.reason, 'alt_m must be within [-1000, 100000], got 1e+300');
  const mt = buildDetectionReport({ nodeId: NODE, t: 1e300 }, { objectId: 'O2', reportId: 'R2', position: { latDeg: 37.6, lonDeg: 127.05 } });
  const rt = sapientDetectionToRows(mt, registry);
  if (rt.ok) {
    const q = parseDetectionRow(rt.rows[0] as unknown as Record<string, unknown>, 0, sensors);
    assert.ok(!q.ok && q.reason.startsWith('t must be'), q.ok ? 'accepted' : q.reason);
  } else assert.match(rt.reason, /timestamp/);

  const xml = `<event version="2.0" uid="u-1" type="a-h-A-M-F-Q" time="2025-11-24T16:00:00.5Z" start="2025-11-24T16:00:00.5Z" stale="2025-11-25T16:00:00Z" how="h-g-i-g-o"><point lat="37.70" lon="127.05" hae="900000.0" ce="120.0" le="60.0"/></event>`;
  const c = parseCot(xml, { sensorId: 'tak-observer' });
  assert.ok(c.ok, c.ok ? '' : c.reason);
  const cr = parseDetectionRow(c.row as unknown as Record<string, unknown>, 0, sensors);
  assert.ok(!cr.ok);
  assert.equal(cr.reason, 'alt_m must be within [-1000, 100000], got 900000');
});
