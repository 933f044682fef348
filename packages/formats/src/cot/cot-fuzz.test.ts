import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, FUZZ_SCALE as SCALE, mutateString, randInt, scaled } from '../testing/fuzz.js';
import { parseCot, trackToCot, type CotParseResult } from './index.js';


const MARKER = `<?xml version="1.0" encoding="UTF-8"?>
<event version="2.0" uid="m-1" type="a-u-A" time="2025-11-24T16:00:00Z" start="2025-11-24T16:00:00Z" stale="2025-11-24T16:10:00Z" how="h-e">
<point lat="37.7" lon="127.05" hae="450.0" ce="120.0" le="60.0"/>
<detail><link uid="ANDROID-1" relation="p-p"/><contact callsign="A &amp; B"/><remarks><![CDATA[x < y]]></remarks><!-- c --></detail>
</event>`;

const OWN = trackToCot(
  {
    t: 1764000000, track: '9', lat: 37.6, lon: 127, alt_m: 300, ve_mps: 1, vn_mps: 2, pos_sd_m: 50, status: 'confirmed',
    class: { piston_owa: 0.9 }, label: 'piston_owa', threat: 0.9, affiliation: 'hostile', speed_mps: 40, course_deg: 10, sensors: ['a'],
  },
  { uidPrefix: 'other-' },
).replace(/<skywarden.*<\/skywarden>/, '');

const ALPHABET = '<>/="\' &;#x0123456789.-+eEaAhuZT:![]?CDATAevntpoi\u0000\u00e9\ud800\n';

function check(r: CotParseResult, input: string): void {
  assert.equal(typeof r, 'object', input);
  if (r.ok) {
    const row = r.row;
    assert.equal(row.type, 'position');
    for (const k of ['t', 'lat', 'lon', 'pos_sd_m'] as const) assert.ok(Number.isFinite(row[k]), `${k} of ${input}`);
    assert.ok(row.lat! >= -90 && row.lat! <= 90 && row.lon! >= -180 && row.lon! <= 180);
    assert.ok(row.pos_sd_m! > 0);
    assert.ok(typeof row.sensor === 'string' && row.sensor.length > 0);
  } else {
    assert.equal(typeof r.reason, 'string');
    assert.ok(r.reason.length > 0);
    assert.equal(typeof r.ignored, 'boolean');
  }
}

test('the valid seeds parse (so that mutations start from something good)', () => {
  assert.ok(parseCot(MARKER).ok);
  const own = parseCot(OWN);
  assert.ok(own.ok, JSON.stringify(own));
});

const MUTATED = scaled(6000);
const RANDOM = scaled(2000);

test(`parseCot never throws on ${MUTATED} mutated events and ${RANDOM} random strings (seeded)`, () => {
  const rand = createPrng(0xc07);
  let ok = 0;
  let errors = 0;
  for (let i = 0; i < MUTATED; i++) {
    const input = mutateString(rand, i % 2 === 0 ? MARKER : OWN, ALPHABET, 1 + randInt(rand, 6));
    const r = parseCot(input);
    check(r, input);
    if (r.ok) ok++;
    else errors++;
  }
  for (let i = 0; i < RANDOM; i++) {
    let s = '';
    const n = randInt(rand, 200);
    for (let k = 0; k < n; k++) s += ALPHABET[randInt(rand, ALPHABET.length)];
    const r = parseCot(s);
    check(r, s);
    assert.ok(!r.ok);
  }
  console.log(`fuzz cot: ${MUTATED + RANDOM} inputs, ${ok} accepted, ${errors + RANDOM} refused`);
  // Both outcomes occur: the mutations exercise the decoder beyond the first check.
  assert.ok(ok > 100 * SCALE && errors > 1000 * SCALE, `ok ${ok}, errors ${errors}`);
});

test('parseCot refuses oversized and deeply nested input without throwing', () => {
  const deep = '<event>' + '<a>'.repeat(100) + '</a>'.repeat(100) + '</event>';
  const r = parseCot(deep);
  assert.ok(!r.ok && /nest deeper than 32/.test(r.reason));
  const big = parseCot('<event>' + ' '.repeat(200_000) + '</event>');
  assert.ok(!big.ok && /more than the limit/.test(big.reason));
  const notString = parseCot(42 as unknown as string);
  assert.ok(!notString.ok && /must be a string/.test(notString.reason));
});
