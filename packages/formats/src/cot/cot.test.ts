import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGeoArea } from '@skywarden/core';
import type { TrackWire, AlertWire } from '../live/wire.js';
import type { Zone } from '../interchange/zones.js';
import { trackToCot, alertToCot, parseCot, cotTypeFor, parseCotTime, parseXml } from './index.js';

const XSD = fileURLToPath(new URL('../../schemas/cot-event.xsd', import.meta.url));

function track(over: Partial<TrackWire> = {}): TrackWire {
  return {
    t: 1764000000.25,
    track: '17',
    lat: 37.61234567,
    lon: 126.98765432,
    alt_m: 320.4,
    ve_mps: 30,
    vn_mps: -40,
    pos_sd_m: 85.3,
    status: 'confirmed',
    class: { piston_owa: 0.91, jet_owa: 0.05, aircraft: 0.04 },
    label: 'piston_owa',
    threat: 0.96,
    affiliation: 'hostile',
    speed_mps: 50,
    course_deg: 143.13,
    sensors: ['ac-0001', 'ob-<7>&"q"'],
    ...over,
  };
}

function zone(): Zone {
  const ring = new Float64Array([126.9, 37.5, 127.1, 37.5, 127.1, 37.7, 126.9, 37.7, 126.9, 37.5]);
  const ring2 = new Float64Array([126.5, 37.0, 126.6, 37.0, 126.6, 37.1, 126.5, 37.0]);
  return { id: 'seoul-jongno', name: 'Jongno & co', area: createGeoArea([{ rings: [ring] }, { rings: [ring2] }]) };
}

/** Validates XML documents with xmllint against the CoT event schema; fails clearly without xmllint. */
function xmllint(docs: string[]): void {
  const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (probe.error) assert.fail(`xmllint is needed to validate CoT events against cot-event.xsd (Debian package libxml2-utils): ${probe.error.message}`);
  const dir = mkdtempSync(join(tmpdir(), 'sw-cot-'));
  try {
    const files = docs.map((d, i) => {
      const f = join(dir, `e${i}.xml`);
      writeFileSync(f, d);
      return f;
    });
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, `xmllint rejected the events:\n${r.stderr}`);
    for (const f of files) assert.match(r.stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} validates`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('cotTypeFor maps classes and affiliations', () => {
  assert.equal(cotTypeFor('piston_owa', 'hostile'), 'a-h-A-M-F-Q');
  assert.equal(cotTypeFor('jet_owa', 'hostile'), 'a-h-A-M-F-Q');
  assert.equal(cotTypeFor('cruise_missile', 'hostile'), 'a-h-A-W-M');
  assert.equal(cotTypeFor('multirotor', 'unknown'), 'a-u-A-M-H-Q');
  assert.equal(cotTypeFor('aircraft', 'neutral'), 'a-n-A-C-F');
  assert.equal(cotTypeFor('aircraft', 'hostile'), 'a-h-A-M-F');
  assert.equal(cotTypeFor('helicopter', 'friendly'), 'a-f-A-C-H');
  assert.equal(cotTypeFor('bird', 'unknown'), 'a-u-A');
  assert.equal(cotTypeFor('something-new', 'unknown'), 'a-u-A');
  assert.throws(() => cotTypeFor('piston_owa', 'ally' as never), /affiliation must be/);
});

test('trackToCot writes the event, point, track and Skywarden detail', () => {
  const xml = trackToCot(track(), { now: 1764000001, altSdM: 40 });
  assert.ok(xml.startsWith('<?xml version="1.0"'));
  const doc = parseXml(xml);
  assert.ok(doc.ok, doc.ok ? '' : doc.reason);
  const ev = doc.root;
  assert.equal(ev.name, 'event');
  assert.equal(ev.attrs.uid, 'skywarden-17');
  assert.equal(ev.attrs.type, 'a-h-A-M-F-Q');
  assert.equal(ev.attrs.how, 'm-f');
  assert.equal(ev.attrs.time, '2025-11-24T16:00:01.000Z');
  assert.equal(ev.attrs.start, '2025-11-24T16:00:00.250Z');
  assert.equal(ev.attrs.stale, '2025-11-24T16:00:15.250Z');
  const point = ev.children.find((c) => c.name === 'point')!;
  assert.deepEqual({ ...point.attrs }, { lat: '37.6123457', lon: '126.9876543', hae: '320.4', ce: '85.3', le: '40.0' });
  const detail = ev.children.find((c) => c.name === 'detail')!;
  const tr = detail.children.find((c) => c.name === 'track')!;
  assert.deepEqual({ ...tr.attrs }, { course: '143.1', speed: '50.00' });
  const sw = detail.children.find((c) => c.name === 'skywarden')!;
  assert.equal(sw.attrs.threat, '0.960');
  assert.deepEqual(
    sw.children.filter((c) => c.name === 'class').map((c) => [c.attrs.label, c.attrs.p]),
    [['piston_owa', '0.910'], ['jet_owa', '0.050'], ['aircraft', '0.040']],
  );
  assert.deepEqual(sw.children.filter((c) => c.name === 'sensor').map((c) => c.attrs.id), ['ac-0001', 'ob-<7>&"q"']);
  const remarks = detail.children.find((c) => c.name === 'remarks')!;
  assert.match(remarks.text, /piston_owa 91%, hostile, threat 0\.96/);
});

test('trackToCot: no altitude means hae and le unknown; coasting and other classes', () => {
  const xml = trackToCot({ ...track({ label: 'cruise_missile', status: 'coasting' }), alt_m: undefined }, { altSdM: 40, xmlDeclaration: false });
  assert.ok(xml.startsWith('<event '));
  assert.match(xml, /<point lat="37\.6123457" lon="126\.9876543" hae="9999999\.0" ce="85\.3" le="9999999\.0"\/>/);
  assert.match(xml, /type="a-h-A-W-M"/);
  assert.match(xml, /status="coasting"/);
  assert.throws(() => trackToCot(track({ lat: Number.NaN })), /lat must be a finite number, got NaN/);
  assert.throws(() => trackToCot(track({ lat: 91 })), /lat must be within \[-90, 90\], got 91/);
});

test('generated events validate against cot-event.xsd (xmllint)', () => {
  const docs = [
    trackToCot(track()),
    trackToCot({ ...track({ label: 'multirotor', affiliation: 'unknown', course_deg: -10, lon: -0.0000000001 }), alt_m: undefined }),
    trackToCot(track({ label: 'aircraft', affiliation: 'neutral', pos_sd_m: 0, class: {} })),
    trackToCot(track({ label: 'bird', affiliation: 'friendly', sensors: [] })),
    ...alertToCot(zone(), { t: 1764000100, zone: 'seoul-jongno', state: 'alert', eta_s: 240, tracks: ['17', '18'], reason: 'predicted' }),
    ...alertToCot(zone(), { t: 1764000200, zone: 'seoul-jongno', state: 'clear', tracks: [], reason: 'all_clear' }),
  ];
  assert.equal(docs.length, 8);
  xmllint(docs);
});

test('a document the schema rejects is caught by the xmllint check (the check can fail)', () => {
  const broken = trackToCot(track()).replace(/ how="m-f"/, '');
  assert.throws(() => xmllint([broken]), /xmllint rejected/);
});

test('@tak-ps/node-cot reads our events with the same type, point and uid', async () => {
  const mod = (await import('@tak-ps/node-cot' as string)) as { default: new (xml: string) => { raw: { event: { _attributes: Record<string, string>; point: { _attributes: Record<string, string> } } }; to_geojson(): { geometry: { type: string; coordinates: unknown } } } };
  const CoT = mod.default;
  const t = track();
  const cot = new CoT(trackToCot(t));
  assert.equal(cot.raw.event._attributes.uid, 'skywarden-17');
  assert.equal(cot.raw.event._attributes.type, 'a-h-A-M-F-Q');
  const p = cot.raw.event.point._attributes;
  assert.ok(Math.abs(Number(p.lat) - t.lat) < 1e-7);
  assert.ok(Math.abs(Number(p.lon) - t.lon) < 1e-7);
  assert.equal(Number(p.hae), 320.4);
  assert.equal(Number(p.ce), 85.3);
  const gj = cot.to_geojson();
  assert.equal(gj.geometry.type, 'Point');

  const [shape] = alertToCot(zone(), { t: 1764000100, zone: 'seoul-jongno', state: 'alert', tracks: ['17'] });
  const sc = new CoT(shape!);
  assert.equal(sc.raw.event._attributes.type, 'u-d-f');
  assert.equal(sc.raw.event._attributes.uid, 'skywarden-zone-seoul-jongno');
  const sg = sc.to_geojson();
  assert.equal(sg.geometry.type, 'Polygon', 'node-cot sees a closed polygon');
  assert.deepEqual((sg.geometry.coordinates as number[][][])[0]![0], [126.9, 37.5]);
});

test('alertToCot: one shape per polygon, closed, red when alerted and green when clear', () => {
  const alert: AlertWire = { t: 1764000100, zone: 'seoul-jongno', state: 'alert', eta_s: 240, tracks: ['17'], reason: 'predicted' };
  const [a, b] = alertToCot(zone(), alert);
  assert.ok(a !== undefined && b !== undefined);
  const doc = parseXml(a);
  assert.ok(doc.ok);
  const detail = doc.root.children.find((c) => c.name === 'detail')!;
  const links = detail.children.filter((c) => c.name === 'link').map((c) => c.attrs.point);
  assert.deepEqual(links, ['37.5000000,126.9000000', '37.5000000,127.1000000', '37.7000000,127.1000000', '37.7000000,126.9000000', '37.5000000,126.9000000']);
  const point = doc.root.children.find((c) => c.name === 'point')!;
  assert.equal(point.attrs.lat, '37.6000000');
  assert.equal(point.attrs.lon, '127.0000000');
  assert.equal(detail.children.find((c) => c.name === 'fillColor')!.attrs.value, String(0x60ff0000 | 0));
  assert.match(a, /<contact callsign="ALERT Jongno &amp; co"\/>/);
  assert.match(a, /predicted entry in 240 s/);
  assert.match(b, /uid="skywarden-zone-seoul-jongno-2"/);
  const [c] = alertToCot(zone(), { ...alert, state: 'clear', tracks: [] }, { clearStaleS: 30 });
  assert.match(c!, /stale="2025-11-24T16:02:10.000Z"/);
  assert.match(c!, /<fillColor value="805355520"\/>/); // 0x3000c000
});

test('alertToCot thins long rings to maxVertices', () => {
  const n = 2000;
  const ring = new Float64Array(2 * (n + 1));
  for (let i = 0; i <= n; i++) {
    const a = (2 * Math.PI * (i % n)) / n;
    ring[2 * i] = 127 + 0.1 * Math.cos(a);
    ring[2 * i + 1] = 37 + 0.1 * Math.sin(a);
  }
  const [ev] = alertToCot({ id: 'c', name: 'circle', area: createGeoArea([{ rings: [ring] }]) }, { t: 1764000000, zone: 'c', state: 'alert', tracks: [] }, { maxVertices: 100 });
  const links = ev!.match(/<link /g)!.length;
  assert.ok(links <= 100 && links >= 90, `${links} links`);
});

test('opex marks exercise and simulation events; the schema and node-cot take it; a bad value is refused', async () => {
  const alert: AlertWire = { t: 1764000100, zone: 'seoul-jongno', state: 'alert', tracks: ['17'] };
  const t = trackToCot(track(), { opex: 's-skywarden-demo' });
  const [z] = alertToCot(zone(), alert, { opex: 'e' });
  assert.match(t, / opex="s-skywarden-demo"/);
  assert.match(z!, / opex="e"/);
  assert.doesNotMatch(trackToCot(track()), /opex/, 'absent: no statement');
  xmllint([t, z!]);
  const mod = (await import('@tak-ps/node-cot' as string)) as { default: new (xml: string) => { raw: { event: { _attributes: Record<string, string> } } } };
  assert.equal(new mod.default(t).raw.event._attributes.opex, 's-skywarden-demo');
  for (const bad of ['x', 'exercise', 's-', 's-a b', 'o-<x>']) assert.throws(() => trackToCot(track(), { opex: bad }), /CoT opex must be o, e or s/);
});

test('alertToCot with maxBytes: a long ring keeps its most significant vertices and fits one datagram', () => {
  // a 6 km square district drawn with 400 vertices per side: 1,600 vertices, 4 of them corners
  const pts: number[] = [];
  const side = (x0: number, y0: number, x1: number, y1: number) => {
    for (let i = 0; i < 400; i++) pts.push(x0 + ((x1 - x0) * i) / 400, y0 + ((y1 - y0) * i) / 400);
  };
  side(127.0, 37.5, 127.07, 37.5);
  side(127.07, 37.5, 127.07, 37.55);
  side(127.07, 37.55, 127.0, 37.55);
  side(127.0, 37.55, 127.0, 37.5);
  pts.push(127.0, 37.5);
  const sq: Zone = { id: 'sq', name: 'square', area: createGeoArea([{ rings: [Float64Array.from(pts)] }]) };
  const alert: AlertWire = { t: 1764000100, zone: 'sq', state: 'alert', tracks: ['17'] };
  const [full] = alertToCot(sq, alert);
  const [small] = alertToCot(sq, alert, { maxBytes: 1400 });
  assert.ok(Buffer.byteLength(full!) > 15_000, `full shape ${Buffer.byteLength(full!)} bytes`);
  assert.ok(Buffer.byteLength(small!) <= 1400, `${Buffer.byteLength(small!)} bytes`);
  const links = [...small!.matchAll(/<link point="([^"]+)"/g)].map((m) => m[1]);
  // the four corners are the most significant vertices: all kept, and the shape closed
  for (const corner of ['37.5000000,127.0000000', '37.5000000,127.0700000', '37.5500000,127.0700000', '37.5500000,127.0000000']) assert.ok(links.includes(corner), `corner ${corner} in ${links.length} links`);
  assert.equal(links[0], links[links.length - 1]);
  xmllint([small!]);
});

const TAK_MARKER = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<event version="2.0" uid="5d1b6c1e-1111-2222-3333-444455556666" type="a-h-A-M-F-Q" time="2025-11-24T16:00:00.5Z"
       start="2025-11-24T16:00:00.5Z" stale="2025-11-25T16:00:00Z" how="h-g-i-g-o">
  <point lat="37.70" lon="127.05" hae="450.0" ce="120.0" le="60.0"/>
  <detail>
    <status readiness="true"/>
    <archive/>
    <link uid="ANDROID-0123456789abcdef" production_time="2025-11-24T16:00:00.5Z" type="a-f-G-U-C" parent_callsign="KIM" relation="p-p"/>
    <contact callsign="H.1.160000"/>
    <remarks>shahed heading south</remarks>
  </detail>
</event>`;

test('parseCot: a TAK marker on a hostile UAV becomes a position detection', () => {
  const r = parseCot(TAK_MARKER);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.row, {
    t: 1764000000.5,
    sensor: 'ANDROID-0123456789abcdef',
    type: 'position',
    id: 'cot:5d1b6c1e-1111-2222-3333-444455556666:2025-11-24T16:00:00.5Z',
    lat: 37.7,
    lon: 127.05,
    alt_m: 450,
    alt_sd_m: 60,
    pos_sd_m: 120,
    cot_uid: '5d1b6c1e-1111-2222-3333-444455556666',
    cot_type: 'a-h-A-M-F-Q',
    callsign: 'H.1.160000',
  });
  const fixed = parseCot(TAK_MARKER, { sensorId: 'observer-tak' });
  assert.ok(fixed.ok && fixed.row.sensor === 'observer-tak');
});

test('parseCot: unknown altitude and error take defaults', () => {
  const xml = TAK_MARKER.replace('hae="450.0" ce="120.0" le="60.0"', 'hae="9999999.0" ce="9999999.0" le="9999999.0"').replace('a-h-A-M-F-Q', 'a-u-A');
  const r = parseCot(xml, { defaultPosSdM: 700 });
  assert.ok(r.ok);
  assert.equal(r.row.alt_m, undefined);
  assert.equal(r.row.alt_sd_m, undefined);
  assert.equal(r.row.pos_sd_m, 700);
  assert.ok(!('alt_m' in r.row));
});

test('parseCot ignores events that are not hostile or unknown air tracks, with a reason', () => {
  const cases: [string, RegExp][] = [
    [TAK_MARKER.replace('a-h-A-M-F-Q', 'a-f-A-M-F-Q'), /affiliation "f"/],
    [TAK_MARKER.replace('a-h-A-M-F-Q', 'a-n-A-C-F'), /affiliation "n"/],
    [TAK_MARKER.replace('a-h-A-M-F-Q', 'a-h-G-U-C'), /not of the air dimension/],
    [TAK_MARKER.replace('a-h-A-M-F-Q', 'b-t-f'), /not an atom/],
    [TAK_MARKER.replace('a-h-A-M-F-Q', 'u-d-f'), /not an atom/],
    [TAK_MARKER.replace('uid="5d1b', 'uid="skywarden-5d1b'), /Skywarden's own/],
    [trackToCot(track()).replace('uid="skywarden-17"', 'uid="relayed-17"'), /Skywarden's own/],
  ];
  for (const [xml, re] of cases) {
    const r = parseCot(xml);
    assert.ok(!r.ok && r.ignored, `expected ignored: ${JSON.stringify(r)}`);
    assert.match(r.reason, re);
  }
  const stale = parseCot(TAK_MARKER, { now: 1764100000 });
  assert.ok(!stale.ok && stale.ignored && /went stale/.test(stale.reason));
  assert.ok(parseCot(TAK_MARKER, { now: 1764000010 }).ok);
});

test('parseCot names what is wrong in a malformed event', () => {
  const cases: [string, RegExp][] = [
    ['', /not well-formed XML: no root element/],
    ['<event', /not well-formed XML/],
    ['<foo/>', /root element must be <event>, got <foo>/],
    [TAK_MARKER.replace(/<point[^>]*\/>/, ''), /has no <point>/],
    [TAK_MARKER.replace('lat="37.70"', 'lat="97.70"'), /lat must be within \[-90, 90\], got "97.70"/],
    [TAK_MARKER.replace('lon="127.05"', 'lon="east"'), /lon must be a decimal number, got "east"/],
    [TAK_MARKER.replace('lon="127.05"', 'lon="1e2"'), /lon must be a decimal number, got "1e2"/],
    [TAK_MARKER.replace(' ce="120.0"', ''), /<point> lacks the ce attribute/],
    [TAK_MARKER.replace('time="2025-11-24T16:00:00.5Z"', 'time="yesterday"'), /time must be a date-time/],
    [TAK_MARKER.replace('time="2025-11-24T16:00:00.5Z"', 'time="2025-11-24T16:00:00"'), /must give a time zone/],
    [TAK_MARKER.replace('time="2025-11-24T16:00:00.5Z"', 'time="2025-02-30T16:00:00Z"'), /not a valid date-time/],
    [TAK_MARKER.replace('uid="5d1b6c1e-1111-2222-3333-444455556666"', 'uid=""'), /lacks a uid/],
    [TAK_MARKER.replace('version="2.0"', 'version="1.1"'), /version must be 2\.0 or later/],
    [TAK_MARKER.replace('type="a-h-A-M-F-Q"', 'type="a h"'), /type must look like/],
    [TAK_MARKER.replace('<remarks>', '<!DOCTYPE x><remarks>'), /not well-formed XML/],
    ['<!DOCTYPE event [<!ENTITY x "y">]><event/>', /document type declarations are not accepted/],
    [TAK_MARKER.replace('shahed', '&bogus; shahed'), /unknown entity &bogus;/],
  ];
  for (const [xml, re] of cases) {
    const r = parseCot(xml);
    assert.ok(!r.ok && !r.ignored, `expected an error for ${re}: ${JSON.stringify(r)}`);
    assert.match(r.reason, re);
  }
});

test('parseCotTime handles offsets and fractions', () => {
  assert.equal(parseCotTime('2025-11-24T16:00:00Z', 'time'), 1764000000);
  assert.equal(parseCotTime('2025-11-24T18:30:00.125+02:30', 'time'), 1764000000.125);
  assert.equal(parseCotTime('2025-11-24T16:00:00.25-00:00', 'time'), 1764000000.25);
  assert.match(String(parseCotTime('2025-13-01T00:00:00Z', 'time')), /not a valid/);
});

test('our own track event read back by parseCot is ignored (no feedback loop through a TAK Server)', () => {
  const xml = trackToCot(track());
  const r = parseCot(xml);
  assert.ok(!r.ok && r.ignored);
});
