import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonArrayItems, parseNdjsonLines } from './ndjson.js';

test('a JSON array\'s items are counted without parsing it: commas and brackets inside strings and nested values do not count', () => {
  assert.equal(jsonArrayItems('[]'), 0);
  assert.equal(jsonArrayItems('  [ ]  '), 0);
  assert.equal(jsonArrayItems('[{}]'), 1);
  assert.equal(jsonArrayItems('\n[{"a":[1,2,3],"b":{"c":[4,5]}}, 7, "x,y]", null]'), 4);
  assert.equal(jsonArrayItems('["a\\",b", "c\\\\", "d"]'), 3, 'escaped quotes and backslashes');
  const big = `[${'{},'.repeat(1_999_999)}{}]`;
  assert.equal(jsonArrayItems(big), 2_000_000);
  for (const notArray of ['{"a":1}', '"[1,2]"', '  7', '']) assert.equal(jsonArrayItems(notArray), null, notArray);
  // malformed arrays are counted as far as they go; JSON.parse names what is wrong
  assert.equal(jsonArrayItems('[{}, {}'), 2);
});

test('NDJSON lines: more than the bound are counted and not parsed; each bad line names itself', () => {
  assert.deepEqual(parseNdjsonLines('{}\n\n{}\n{}', 2), { tooMany: 3 });
  const r = parseNdjsonLines('{"a":1}\nnope\n', 5);
  assert.ok('lines' in r);
  assert.equal(r.lines.length, 2);
  assert.deepEqual(r.lines[0], { index: 0, ok: true, value: { a: 1 } });
  assert.equal(r.lines[1].ok, false);
  assert.match((r.lines[1] as { message: string }).message, /^line 2: not valid JSON/);
});

test('bytes that are not UTF-8 are refused with where they start, not replaced (two ids differing only there became one)', async () => {
  const { decodeUtf8 } = await import('./ndjson.js');
  assert.equal(decodeUtf8(Buffer.from('{"id":"é-ü-漢-😀"}')), '{"id":"é-ü-漢-😀"}');
  const a = Buffer.concat([Buffer.from('{"id":"col'), Buffer.from([0xff]), Buffer.from('-T"}')]);
  assert.deepEqual(decodeUtf8(a), { badByteAt: 10 });
  // a sequence cut short, an overlong form, a lone continuation byte, a surrogate's encoding
  for (const [bytes, at] of [[[0x61, 0xe6, 0xbc], 1], [[0xc0, 0xaf], 0], [[0x61, 0x62, 0x80], 2], [[0xed, 0xa0, 0x80], 0]] as [number[], number][]) {
    assert.deepEqual(decodeUtf8(Uint8Array.from(bytes)), { badByteAt: at }, bytes.join(','));
  }
});
