import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertTransition } from '@skywarden/core';
import { parseZonesGeoJson, type Zone } from '../interchange/zones.js';
import {
  capIdentifier,
  capPolygonText,
  capSafeToken,
  createCapPublisher,
  encodeCapAlert,
  formatCapTime,
  isCapToken,
  readCapAlert,
  xmlEscape,
  type CapAlertRead,
  type CapMessage,
} from './cap.js';

const schema = fileURLToPath(new URL('../../schemas/cap12.xsd', import.meta.url));

/**
 * Validates documents with `xmllint --schema` (one run for all of them). xmllint is a
 * required tool (CI installs libxml2-utils): when it is missing the test fails, it is not skipped.
 * Returns, per document, null when valid or xmllint's complaint.
 */
function xmllint(docs: string[]): (string | null)[] {
  const dir = mkdtempSync(join(tmpdir(), 'skywarden-cap-'));
  const files = docs.map((d, i) => {
    const f = join(dir, `m${i}.xml`);
    writeFileSync(f, d);
    return f;
  });
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, ...files], { encoding: 'utf8' });
  if (r.error) {
    assert.fail(`xmllint is required to validate CAP messages but could not be run (${r.error.message}); install it (Debian/Ubuntu: apt-get install libxml2-utils)`);
  }
  return files.map((f) => {
    if (r.stderr.includes(`${f} validates`)) return null;
    const lines = r.stderr.split('\n').filter((l) => l.includes(f));
    return lines.join('\n') || `no verdict for ${f}: ${r.stderr.slice(0, 500)}`;
  });
}

function assertValid(msgs: { xml: string; identifier?: string }[]): void {
  const verdicts = xmllint(msgs.map((m) => m.xml));
  verdicts.forEach((v, i) => assert.equal(v, null, `message ${msgs[i].identifier ?? i} does not validate:\n${v}\n${msgs[i].xml}`));
}

function read(m: CapMessage | string | null): CapAlertRead {
  assert.ok(m !== null, 'a message');
  const r = readCapAlert(typeof m === 'string' ? m : m.xml);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.alert;
}

/** Checks CAP §3.2.4 polygon rules that the schema (xs:string) does not. */
function assertCapPolygon(p: string, maxPoints = 1000): void {
  const pairs = p.split(' ');
  assert.ok(pairs.length >= 4, `at least 4 points: ${p.slice(0, 80)}`);
  assert.ok(pairs.length <= maxPoints, `${pairs.length} points > ${maxPoints}`);
  assert.equal(pairs[0], pairs[pairs.length - 1], 'first equals last');
  for (const pair of pairs) {
    assert.match(pair, /^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, `pair ${pair}`);
    const [lat, lon] = pair.split(',').map(Number);
    assert.ok(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180, `pair ${pair} in range`);
  }
}

const square = (lon: number, lat: number, d: number) => [
  [lon, lat],
  [lon + d, lat],
  [lon + d, lat + d],
  [lon, lat + d],
  [lon, lat],
];

function zonesOf(features: unknown[]): Zone[] {
  const r = parseZonesGeoJson(JSON.stringify({ type: 'FeatureCollection', features }));
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.zones;
}

const zones = zonesOf([
  { type: 'Feature', properties: { id: 'jongno', name: 'Jongno-gu' }, geometry: { type: 'Polygon', coordinates: [square(126.95, 37.57, 0.05)] } },
  {
    type: 'Feature',
    properties: { id: 'islands', name: 'Islands & <Coast> "North" \'bay\'' },
    geometry: {
      type: 'MultiPolygon',
      coordinates: [[square(126.1, 37.2, 0.1), square(126.12, 37.22, 0.02)], [square(126.5, 37.5, 0.05)]],
    },
  },
  { type: 'Feature', properties: { id: '11110', name: '서울특별시 종로구' }, geometry: { type: 'Polygon', coordinates: [square(126.97, 37.59, 0.04)] } },
  { type: 'Feature', properties: { id: 'a b,c<&>', name: 'Odd id' }, geometry: { type: 'Polygon', coordinates: [square(127.0, 37.4, 0.02)] } },
]);

const T0 = 1714564800; // 2024-05-01T12:00:00Z
const SENDER = 'skywarden@warn.example.org';

test('CAP times are written with +00:00, whole seconds, and checked', () => {
  assert.equal(formatCapTime(T0), '2024-05-01T12:00:00+00:00');
  assert.equal(formatCapTime(T0 + 59.999), '2024-05-01T12:00:59+00:00');
  assert.equal(formatCapTime(0), '1970-01-01T00:00:00+00:00');
  assert.throws(() => formatCapTime(NaN), /time must be/);
  assert.throws(() => formatCapTime(1e15), /time must be/);
});

test('XML escaping covers the five special characters and characters XML cannot carry', () => {
  assert.equal(xmlEscape(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
  assert.equal(xmlEscape('bell\u0007 tab\t nl\n'), 'bell\uFFFD tab\t nl\n');
  assert.equal(xmlEscape('lone \uD800 pair \uD83D\uDE80'), 'lone \uFFFD pair \uD83D\uDE80');
  assert.equal(xmlEscape('종로구'), '종로구');
});

test('identifiers are safe tokens and file names, stable, distinct for distinct zones', () => {
  const id = capIdentifier(SENDER, 'jongno', T0);
  assert.equal(id, 'skywarden-warn.example.org-jongno-20240501T120000Z');
  assert.equal(capIdentifier(SENDER, 'jongno', T0), id, 'stable');
  const odd = capIdentifier(SENDER, 'a b,c<&>/..', T0);
  assert.ok(isCapToken(odd), odd);
  assert.doesNotMatch(odd, /[/\\:*?"<>|\s,&]/, 'no characters file systems or CAP refuse');
  assert.notEqual(capSafeToken('a b'), capSafeToken('a%20b'), 'percent itself is encoded: no collisions');
  assert.equal(capSafeToken('종로'), '%EC%A2%85%EB%A1%9C');
  const long1 = capSafeToken('x'.repeat(300) + '1');
  const long2 = capSafeToken('x'.repeat(300) + '2');
  assert.ok(long1.length <= 64 && long2.length <= 64, 'long ids are cut');
  assert.notEqual(long1, long2, 'and keep a hash of the whole');
  assert.throws(() => encodeCapAlert({ zone: zones[0], state: 'alert', t: T0, tracks: [], reason: 'x' }, { sender: 'has space', msgType: 'Alert' }), /sender/);
  assert.throws(() => createCapPublisher(zones, { sender: 'a,b' }), /sender/);
});

test('a raise, an update and the all-clear make Alert, Update and Update (AllClear) with references to the episode; Cancel only withdraws', () => {
  const pub = createCapPublisher(zones, { sender: SENDER });
  const raise: AlertTransition = { t: T0, zone: 'jongno', state: 'alert', etaS: 250.4, tracks: ['17', '4'], reason: 'auto: track 17 enters within 300 s with P=0.39, ETA 250.40 s' };
  const m1 = pub.publish(raise);
  assert.ok(m1);
  assert.equal(m1.msgType, 'Alert');
  const a1 = read(m1);
  assert.equal(a1.identifier, 'skywarden-warn.example.org-jongno-20240501T120000Z');
  assert.equal(a1.sender, SENDER);
  assert.equal(a1.sent, '2024-05-01T12:00:00+00:00');
  assert.equal(a1.status, 'Exercise', 'default status is Exercise');
  assert.match(a1.note ?? '', /Exercise/);
  assert.equal(a1.msgType, 'Alert');
  assert.equal(a1.scope, 'Public');
  assert.deepEqual(a1.references, []);
  assert.equal(a1.info.length, 1);
  const i1 = a1.info[0];
  assert.equal(i1.language, 'en-US');
  assert.deepEqual(i1.category, ['Security', 'Safety']);
  assert.equal(i1.event, 'Drone attack warning');
  assert.deepEqual(i1.responseType, ['Shelter']);
  assert.equal(i1.urgency, 'Expected', 'ETA 250 s > 180 s');
  assert.equal(i1.severity, 'Severe');
  assert.equal(i1.certainty, 'Likely', 'a prediction');
  assert.equal(i1.onset, '2024-05-01T12:04:10+00:00', 'onset = t + ETA');
  assert.equal(i1.expires, '2024-05-01T13:00:00+00:00', 'expires = sent + 1 h');
  assert.match(i1.headline ?? '', /Jongno-gu/);
  assert.match(i1.headline ?? '', /4 min 10 s/);
  assert.match(i1.description ?? '', /Jongno-gu in about 4 min 10 s \(at about 12:04:10 UTC\)/);
  assert.match(i1.description ?? '', /Tracks: 17, 4\./);
  assert.match(i1.description ?? '', /Reason: auto: track 17/);
  assert.match(i1.instruction ?? '', /shelter/i);
  assert.deepEqual(i1.parameters, { zoneId: 'jongno', state: 'alert', tier: 'warning', etaS: '250.4', tracks: '17 4' });
  assert.equal(i1.areas.length, 1);
  assert.equal(i1.areas[0].areaDesc, 'Jongno-gu');
  assert.deepEqual(i1.areas[0].polygons, ['37.57,126.95 37.57,127 37.62,127 37.62,126.95 37.57,126.95']);

  // a change within the episode (new ETA and tracks): Update referring to the Alert
  const m2 = pub.update('jongno', T0 + 30, { etaS: 0, tracks: ['17'], reason: 'track 17 inside' });
  assert.ok(m2);
  const a2 = read(m2);
  assert.equal(a2.msgType, 'Update');
  assert.deepEqual(a2.references, [{ sender: SENDER, identifier: m1.identifier, sent: m1.sent }]);
  assert.equal(a2.info[0].urgency, 'Immediate');
  assert.equal(a2.info[0].severity, 'Extreme');
  assert.equal(a2.info[0].certainty, 'Observed', 'a track inside');
  assert.match(a2.info[0].description ?? '', /over Jongno-gu now/);
  assert.equal(a2.info[0].onset, a2.sent);
  assert.deepEqual(pub.episode('jongno').map((r) => r.identifier), [m1.identifier, m2.identifier]);

  // the all-clear: an Update with responseType AllClear referring to both, the references in CAP's "sender,identifier,sent" form
  const m3 = pub.publish({ t: T0 + 400, zone: 'jongno', state: 'clear', tracks: [], reason: 'auto: all clear, no track held the zone for 120 s (hold 120 s)' });
  assert.ok(m3);
  assert.match(m3.xml, new RegExp(`<references>${SENDER},${m1.identifier},${m1.sent.replace('+', '\\+')} ${SENDER},${m2.identifier},`));
  const a3 = read(m3);
  assert.equal(a3.msgType, 'Update', 'an all-clear is not a withdrawal (CAP Cancel)');
  assert.equal(a3.info[0].parameters.tier, 'none');
  assert.deepEqual(a3.references.map((r) => r.identifier), [m1.identifier, m2.identifier]);
  assert.deepEqual(a3.info[0].responseType, ['AllClear']);
  assert.equal(a3.info[0].urgency, 'Past');
  assert.match(a3.info[0].headline ?? '', /^All clear: Jongno-gu$/);
  assert.equal(a3.info[0].areas[0].areaDesc, 'Jongno-gu');
  assert.deepEqual(pub.episode('jongno'), [], 'episode closed');

  // no episode: an update or a clear has nothing to refer to
  assert.equal(pub.update('jongno', T0 + 500, { tracks: [], reason: 'x' }), null);
  assert.equal(pub.publish({ t: T0 + 500, zone: 'jongno', state: 'clear', tracks: [], reason: 'x' }), null);
  // the next raise opens a new episode
  const m4 = pub.publish({ ...raise, t: T0 + 900, etaS: 100 });
  assert.equal(m4?.msgType, 'Alert');
  assert.deepEqual(read(m4).references, []);
  assert.equal(read(m4).info[0].urgency, 'Immediate', 'ETA 100 s <= 180 s');
  assert.throws(() => pub.publish({ ...raise, zone: 'nowhere' }), /unknown zone "nowhere"/);
  // a warning sent in error is withdrawn: Cancel of the whole episode
  const w = pub.withdraw('jongno', T0 + 950, 'raised in error: a test drone');
  assert.ok(w);
  const aw = read(w);
  assert.equal(aw.msgType, 'Cancel');
  assert.deepEqual(aw.references.map((r) => r.identifier), [m4!.identifier]);
  assert.deepEqual(pub.episode('jongno'), [], 'the withdrawal closes the episode');
  assert.equal(pub.withdraw('jongno', T0 + 960, 'again'), null, 'nothing open to withdraw');
  assertValid([m1, m2, m3, m4!, w]);
});

test('manual raise and end name the operator; two changes in one second get distinct identifiers', () => {
  const pub = createCapPublisher(zones, { sender: SENDER, status: 'Actual' });
  const up = pub.publish({ t: T0, zone: 'jongno', state: 'alert', tracks: [], reason: 'manual raise by kim: sighting from the roof', manual: true, who: 'kim' });
  const a = read(up);
  assert.equal(a.status, 'Actual');
  assert.equal(a.note, undefined, 'no exercise note on Actual');
  assert.equal(a.msgType, 'Alert');
  assert.equal(a.info[0].urgency, 'Immediate');
  assert.equal(a.info[0].severity, 'Extreme');
  assert.equal(a.info[0].certainty, 'Likely');
  assert.match(a.info[0].description ?? '', /An operator \(kim\) raised/);
  assert.equal(a.info[0].parameters.manual, 'true');
  assert.equal(a.info[0].parameters.who, 'kim');
  assert.equal(a.info[0].parameters.etaS, undefined);
  const end = pub.publish({ t: T0 + 0.5, zone: 'jongno', state: 'clear', tracks: [], reason: 'manual end by kim: false alarm', manual: true, who: 'kim' });
  const b = read(end);
  assert.equal(b.msgType, 'Update');
  assert.deepEqual(b.info[0].responseType, ['AllClear']);
  assert.equal(b.identifier, `${up!.identifier}-2`, 'same second: a suffix keeps it unique');
  assert.deepEqual(b.references.map((r) => r.identifier), [up!.identifier]);
  assert.match(b.info[0].description ?? '', /ended by kim/);
  const again = pub.publish({ t: T0 + 0.9, zone: 'jongno', state: 'alert', tracks: [], reason: 'manual raise by lee: confirmed', manual: true, who: 'lee' });
  assert.equal(read(again).identifier, `${up!.identifier}-3`);
  assertValid([up!, end!, again!]);
});

test('a MultiPolygon zone gives one polygon per part (holes dropped); awkward and Korean names survive', () => {
  const pub = createCapPublisher(zones, { sender: SENDER, status: 'Test' });
  const msgs: CapMessage[] = [];
  for (const z of zones) {
    const m = pub.publish({ t: T0 + 10, zone: z.id, state: 'alert', etaS: 0, tracks: ['t<1>&"2"'], reason: `auto: track t<1>&"2" inside with P=0.9 — ${z.name}` });
    assert.ok(m);
    msgs.push(m);
  }
  const islands = read(msgs[1]);
  assert.equal(islands.info[0].areas[0].areaDesc, 'Islands & <Coast> "North" \'bay\'');
  assert.match(msgs[1].xml, /<areaDesc>Islands &amp; &lt;Coast&gt; &quot;North&quot; &apos;bay&apos;<\/areaDesc>/);
  assert.equal(islands.info[0].areas[0].polygons.length, 2, 'two parts, the hole of the first dropped');
  assert.equal(islands.info[0].areas[0].polygons[1], '37.5,126.5 37.5,126.55 37.55,126.55 37.55,126.5 37.5,126.5');
  assert.deepEqual(islands.info[0].parameters.tracks, 't<1>&"2"');
  const korean = read(msgs[2]);
  assert.equal(korean.info[0].areas[0].areaDesc, '서울특별시 종로구');
  assert.match(korean.info[0].headline ?? '', /서울특별시 종로구/);
  assert.equal(korean.identifier, 'skywarden-warn.example.org-11110-20240501T120010Z');
  const odd = read(msgs[3]);
  assert.equal(odd.info[0].parameters.zoneId, 'a b,c<&>');
  assert.ok(isCapToken(odd.identifier));
  for (const m of msgs) for (const p of read(m).info[0].areas.flatMap((x) => x.polygons)) assertCapPolygon(p);
  // cancel them all: references survive the round trip
  for (const z of zones) {
    const c = pub.publish({ t: T0 + 300, zone: z.id, state: 'clear', tracks: [], reason: 'auto: all clear' });
    assert.ok(c);
    assert.deepEqual(read(c).references, [{ sender: SENDER, identifier: msgs[zones.indexOf(z)].identifier, sent: '2024-05-01T12:00:10+00:00' }]);
    msgs.push(c);
  }
  assertValid(msgs);
});

test('polygons: closed, repeated points dropped, degenerate rings skipped, long rings simplified within the limit', () => {
  assert.equal(capPolygonText([127, 37, 127.1, 37, 127.1, 37, 127.1, 37.1]), '37,127 37,127.1 37.1,127.1 37,127');
  assert.equal(capPolygonText([127, 37, 127.1, 37, 127, 37]), null, 'two distinct points are no polygon');
  assert.equal(capPolygonText([-0.0000001, 10, 1, 10, 1, 11, -0.0000001, 10]), '10,0 10,1 11,1 10,0', 'no "-0"');
  assert.throws(() => capPolygonText([0, 0, 1, 0, 1, 1], 3), /maxPolygonPoints/);
  // a 20,000-vertex wiggly circle, radius 0.1°: at most 1,000 points, all original vertices, close to the original
  const n = 20000;
  const ring: number[] = [];
  const c = Math.cos((37.5 * Math.PI) / 180);
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = 0.1 * (1 + 0.05 * Math.sin(37 * a) + 0.002 * Math.sin(997 * a));
    ring.push(127 + (r * Math.cos(a)) / c, 37.5 + r * Math.sin(a));
  }
  const text = capPolygonText(ring);
  assert.ok(text);
  assertCapPolygon(text, 1000);
  const pts = text.split(' ');
  assert.equal(pts.length, 1000, 'exactly the limit');
  const original = new Set<string>();
  for (let i = 0; i < n; i++) original.add(`${ring[2 * i + 1].toFixed(6).replace(/\.?0+$/, '')},${ring[2 * i].toFixed(6).replace(/\.?0+$/, '')}`);
  for (const p of pts) assert.ok(original.has(p), `kept point ${p} is an original vertex`);
  // every original vertex lies within 0.001° (~100 m, 1 % of the radius) of the simplified outline
  const xy = pts.map((p) => p.split(',').map(Number)).map(([lat, lon]) => [lon * c, lat]);
  let worst = 0;
  for (let i = 0; i < n; i += 7) {
    const px = ring[2 * i] * c;
    const py = ring[2 * i + 1];
    let best = Infinity;
    for (let k = 0; k + 1 < xy.length; k++) {
      const [ax, ay] = xy[k];
      const dx = xy[k + 1][0] - ax;
      const dy = xy[k + 1][1] - ay;
      const u = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
      best = Math.min(best, Math.hypot(px - ax - u * dx, py - ay - u * dy));
    }
    worst = Math.max(worst, best);
  }
  assert.ok(worst < 0.001, `largest deviation ${worst.toFixed(5)}°`);
  // a smaller limit is honoured too
  assertCapPolygon(capPolygonText(ring, 50)!, 50);
  assert.equal(capPolygonText(ring, 50)!.split(' ').length, 50);
  // a message with the long zone validates
  const big = zonesOf([{ type: 'Feature', properties: { id: 'big', name: 'Big' }, geometry: { type: 'Polygon', coordinates: [[...Array.from({ length: n }, (_, i) => [ring[2 * i], ring[2 * i + 1]]), [ring[0], ring[1]]]] } }]);
  const m = encodeCapAlert({ zone: big[0], state: 'alert', t: T0, etaS: 60, tracks: ['1'], reason: 'r' }, { sender: SENDER, msgType: 'Alert', maxPolygonPoints: 500 });
  const polys = read(m).info[0].areas[0].polygons;
  assert.equal(polys.length, 1);
  assertCapPolygon(polys[0], 500);
  assertValid([m]);
});

test('the reader refuses malformed documents without throwing', () => {
  for (const bad of ['', '<alert>', '<alert><identifier>x</alert>', '<alert>a & b</alert>', '<a/><b/>', '<alert xmlns="x"><sender>s</sender></alert>', '<info/>']) {
    const r = readCapAlert(bad);
    assert.equal(r.ok, false, `refused: ${bad}`);
  }
});

test('the schema check catches what CAP forbids (negative controls), so passing it means something', () => {
  const m = encodeCapAlert({ zone: zones[0], state: 'alert', t: T0, etaS: 10, tracks: ['1'], reason: 'r' }, { sender: SENDER, msgType: 'Alert' });
  const broken = [
    m.xml.replace(/<sent>([^<]+)\+00:00<\/sent>/, '<sent>$1Z</sent>'),
    m.xml.replace('<msgType>Alert</msgType>', '<msgType>Warning</msgType>'),
    m.xml.replace('<scope>Public</scope>\n', ''),
    m.xml.replace(/<urgency>\w+<\/urgency>/, '<urgency>Soon</urgency>'),
    m.xml.replace('<category>Security</category>\n    <category>Safety</category>\n', ''),
    m.xml.replace(/(<headline>.*<\/headline>\n)(\s*<description>.*<\/description>\n)/, '$2$1'),
    m.xml.replace('urn:oasis:names:tc:emergency:cap:1.2', 'urn:oasis:names:tc:emergency:cap:1.1'),
  ];
  broken.forEach((b, i) => assert.notEqual(b, m.xml, `control ${i} changed the document`));
  const verdicts = xmllint([m.xml, ...broken]);
  assert.equal(verdicts[0], null, `the original validates: ${verdicts[0]}`);
  verdicts.slice(1).forEach((v, i) => assert.notEqual(v, null, `broken control ${i} must fail validation`));
});

test('the bundled schema is the OASIS CAP 1.2 schema, with its licence', () => {
  const copy = readFileSync(schema, 'utf8');
  assert.match(copy, /targetNamespace="urn:oasis:names:tc:emergency:cap:1.2"/);
  assert.ok(existsSync(fileURLToPath(new URL('../../schemas/cap12.LICENSE.txt', import.meta.url))), 'licence beside the schema');
  const shared = fileURLToPath(new URL('../../../../../shared/standards/cap12.xsd', import.meta.url));
  if (existsSync(shared)) assert.equal(copy, readFileSync(shared, 'utf8'), 'copy identical to ../shared/standards/cap12.xsd');
});

test('Korean and English info blocks, the KOSTAT geocode, the tier sets urgency, sent is when the message is made', () => {
  const [seoul] = zonesOf([
    {
      type: 'Feature',
      properties: { id: 'seoul-jongno-gu', name: 'Jongno-gu', name_ko: '종로구', code: '11010', code_name: 'KOSTAT' },
      geometry: { type: 'Polygon', coordinates: [square(126.95, 37.57, 0.05)] },
    },
  ]);
  assert.deepEqual(seoul.geocode, { valueName: 'KOSTAT', value: '11010' });
  assert.deepEqual(seoul.names, { ko: '종로구' });
  const pub = createCapPublisher([seoul], {
    sender: SENDER,
    languages: ['ko-KR', 'en-US'],
    instructions: { 'en-US': { shelter: 'Go to the metro station shelter.' } },
  });
  // a tier of warning with an ETA under 180 s stays Expected: the tier decides, not the ETA
  const m = pub.publish({ t: T0, zone: seoul.id, state: 'alert', tier: 'warning', etaS: 150, tracks: ['9'], reason: 'auto: r' }, T0 + 4.7);
  const a = read(m);
  assert.equal(a.sent, '2024-05-01T12:00:04+00:00', 'sent = when made');
  assert.equal(a.identifier, 'skywarden-warn.example.org-seoul-jongno-gu-20240501T120000Z', 'the identifier stays on the change time');
  assert.equal(a.info[0].expires, '2024-05-01T13:00:04+00:00', 'expires counts from sent');
  assert.deepEqual(a.info.map((i) => i.language), ['ko-KR', 'en-US']);
  const [ko, en] = a.info;
  assert.equal(ko.event, '드론 공격 경보');
  assert.equal(ko.headline, '드론 공격 경보: 종로구, 약 2분 30초 후 드론 도달 예상');
  assert.match(ko.description ?? '', /드론이 약 2분 30초 후\(UTC 기준 12:02:30경\) 종로구에 도달할 것으로 예측됩니다\./);
  assert.match(ko.instruction ?? '', /대피/);
  assert.equal(ko.areas[0].areaDesc, '종로구');
  assert.equal(en.areas[0].areaDesc, 'Jongno-gu');
  assert.equal(en.instruction, 'Go to the metro station shelter.');
  for (const i of a.info) {
    assert.deepEqual(i.areas[0].geocodes, { KOSTAT: '11010' });
    assert.equal(i.urgency, 'Expected');
    assert.equal(i.severity, 'Severe');
    assert.equal(i.parameters.tier, 'warning');
  }
  const up = read(pub.update(seoul.id, T0 + 20, { tier: 'imminent', etaS: 130, tracks: ['9'], reason: 'update: tier warning -> imminent' }, T0 + 25));
  assert.deepEqual(up.info.map((i) => [i.urgency, i.severity]), [['Immediate', 'Extreme'], ['Immediate', 'Extreme']]);
  assert.match(up.info[0].description ?? '', /앞선 경보를 갱신/);
  const clear = pub.publish({ t: T0 + 300, zone: seoul.id, state: 'clear', tier: 'none', tracks: [], reason: 'auto: all clear' }, T0 + 305);
  const c = read(clear);
  assert.equal(c.info[0].headline, '경보 해제: 종로구');
  assert.deepEqual(c.info.map((i) => i.responseType[0]), ['AllClear', 'AllClear']);
  assertValid([m!, clear!, { xml: pub.publish({ t: T0 + 400, zone: seoul.id, state: 'alert', tier: 'imminent', etaS: 0, tracks: ['9'], reason: 'r' })!.xml }]);
  assert.throws(() => createCapPublisher([seoul], { sender: SENDER, languages: ['fr-FR'] }), /no built-in texts for language "fr-FR" \(built in: en, ko\)/);
  assert.throws(() => createCapPublisher([seoul], { sender: SENDER, languages: ['en-US'], instructions: { 'ko-KR': { shelter: 'x' } } }), /instructions for "ko-KR", which is not one of the languages/);
  assert.throws(() => createCapPublisher([seoul], { sender: SENDER, languages: [] }), /at least one language/);
  const bad = parseZonesGeoJson(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'x', code: { a: 1 } }, geometry: { type: 'Polygon', coordinates: [square(0, 0, 1)] } }] }));
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.errors[0], /features\[0\] \(id "x"\): properties\.code must be a non-empty string or an integer, got \{"a":1\}/);
});
