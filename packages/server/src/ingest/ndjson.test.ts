import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchTooLarge, jsonShape, parseNdjsonLines } from './ndjson.js';

test('a JSON batch is measured without parsing it: items at the top, values at every depth; commas and brackets inside strings do not count', () => {
  assert.deepEqual(jsonShape('[]'), { items: 0, values: 1 });
  assert.deepEqual(jsonShape('  [ ]  '), { items: 0, values: 1 });
  assert.deepEqual(jsonShape('[{}]'), { items: 1, values: 2 });
  assert.deepEqual(jsonShape('\n[{"a":[1,2,3],"b":{"c":[4,5]}}, 7, "x,y]", null]'), { items: 4, values: 12 });
  assert.equal(jsonShape('["a\\",b", "c\\\\", "d"]').items, 3, 'escaped quotes and backslashes');
  const big = `[${'{},'.repeat(1_999_999)}{}]`;
  assert.equal(jsonShape(big).items, 2_000_000);
  // the same objects one level down are one item, and two million values
  const nested = `[[${'{},'.repeat(1_999_999)}{}]]`;
  assert.deepEqual(jsonShape(nested), { items: 1, values: 2 + 2_000_000 + 1_999_999 });
  assert.match(batchTooLarge(nested, 10_000, 'request')!.message, /^\d+ JSON values in one request; at most 640000 \(64 for each of 10000 detections\)$/);
  assert.equal(batchTooLarge(`[${'{"t":1,"sensor":"r","type":"presence"},'.repeat(9_999)}{}]`, 10_000, 'request'), null, 'a full batch of real rows passes');
  for (const notArray of ['{"a":1}', '"[1,2]"', '  7', '']) assert.equal(jsonShape(notArray).items, null, notArray);
  assert.equal(jsonShape('[{}, {}').items, 2, 'a broken end is counted as far as it goes');
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

test('NDJSON bytes: a line that is not UTF-8 costs only itself, named by its line', async () => {
  const { decodeLines } = await import('./ndjson.js');
  const ok = decodeLines(Buffer.from('{"a":1}\n{"b":2}'));
  assert.equal(ok.text, '{"a":1}\n{"b":2}');
  assert.equal(ok.bad.size, 0);
  const mixed = decodeLines(Buffer.concat([Buffer.from('{"a":1}\n{"id":"x'), Buffer.from([0xff]), Buffer.from('"}\n\n{"c":3}')]));
  assert.equal(mixed.text, '{"a":1}\n\n\n{"c":3}');
  assert.deepEqual([...mixed.bad], [[1, 'line 2: not valid UTF-8 (its first bad byte at offset 8 of the line)']]);
  const r = parseNdjsonLines(mixed.text, 10, mixed.bad);
  assert.ok('lines' in r);
  assert.deepEqual(r.lines.map((l) => [l.index, l.ok]), [[0, true], [1, false], [3, true]]);
  assert.deepEqual(parseNdjsonLines(mixed.text, 2, mixed.bad), { tooMany: 3 }, 'a bad line counts as a line');
});
