import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchTooLarge, jsonHazards, jsonScan, jsonShape, MAX_JSON_DEPTH, MAX_JSON_MEMBERS, parseNdjsonLines, withoutHazards } from './ndjson.js';

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
  assert.match(batchTooLarge(jsonShape(nested), 10_000, 'request')!.message, /^\d+ JSON values in one request; at most 640000 \(64 for each of 10000 detections\)$/);
  assert.equal(batchTooLarge(jsonShape(`[${'{"t":1,"sensor":"r","type":"presence"},'.repeat(9_999)}{}]`), 10_000, 'request'), null, 'a full batch of real rows passes');
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

test('nesting too deep or an object too wide to be a detection is found before parsing, and where: in a batch, by item; in NDJSON, by line', () => {
  const row = '{"t":1,"sensor":"r","type":"presence","ext":{"a":[1,[2,{"b":3}]]},"s":"[[[[{{{{,,,,"}';
  const one = (text: string) => jsonHazards(text, false).found;
  // a full batch of real rows, one row per line, and one row: nothing
  assert.equal(one(`[${(row + ',').repeat(9_999)}${row}]`).size, 0, 'a batch array may hold more than the member bound');
  assert.equal(jsonHazards(`${row}\n`.repeat(50), true).found.size, 0);
  assert.equal(one(row).size, 0);
  // exactly at the bounds passes; one more does not (one detection: the whole, under 0)
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  assert.equal(one(deep(MAX_JSON_DEPTH)).size, 0);
  assert.equal(one(`{"a":${deep(MAX_JSON_DEPTH)}}`).get(0)?.message, 'at character 37: objects and arrays nested more than 32 levels deep (a detection nests at most 8, itself included)');
  const wide = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`;
  assert.equal(one(wide(MAX_JSON_MEMBERS)).size, 0);
  assert.match(one(wide(MAX_JSON_MEMBERS + 1)).get(0)!.message, /^at character \d+: an object or array of more than 1024 members \(a detection has a few dozen fields\)$/);
  // brackets and commas inside strings, escaped quotes included, do not count
  assert.equal(one(`{"s":"${'[{,'.repeat(5000)}\\"${'['.repeat(100)}"}`).size, 0);
  // the probe's bodies: 630,000 brackets deep, and one object of 630,000 keys
  assert.equal(one(deep(630_000)).size, 1);
  assert.equal(one(wide(630_000)).size, 1);
  // a batch: the bad items by index and span; written as null, the rest parses as it was
  const batch = `[${row}, {"x":${deep(40)}} ,${row},{"y":[${'0,'.repeat(2000)}0]},\n${row}]`;
  const h = jsonHazards(batch, false);
  assert.equal(h.batch, true);
  assert.deepEqual([...h.found.keys()], [1, 3]);
  assert.match(h.found.get(1)!.message, /nested more than 32 levels deep/);
  assert.match(h.found.get(3)!.message, /more than 1024 members/);
  const parsed = JSON.parse(withoutHazards(batch, h.found)) as unknown[];
  assert.deepEqual(parsed.map((x) => x === null), [false, true, false, true, false]);
  assert.deepEqual(parsed[0], JSON.parse(row));
  assert.deepEqual(parsed[4], JSON.parse(row));
  // NDJSON: each bad line is named by its number and costs only itself; the others are untouched
  const body = [row, deep(40), '', row, wide(3000), row, '{"s":"a\\', row].join('\n');
  const lines = new Map([...jsonHazards(body, true).found].map(([k, x]) => [k, x.message]));
  assert.deepEqual([...lines.keys()], [1, 4]);
  assert.match(lines.get(1)!, /^line 2: at character 33 of the line: objects and arrays nested more than 32 levels deep/);
  assert.match(lines.get(4)!, /^line 5: at character \d+ of the line: an object or array of more than 1024 members/);
  const r = parseNdjsonLines(body, 100, lines);
  assert.ok('lines' in r);
  assert.deepEqual(r.lines.map((l) => [l.index, l.ok]), [[0, true], [1, false], [3, true], [4, false], [5, true], [6, false], [7, true]]);
  // an unclosed line does not carry its depth into the next (NDJSON lines end at the line's end)
  assert.equal(jsonHazards(`${'['.repeat(30)}\n${'['.repeat(30)}\n${row}`, true).found.size, 0);
});

test('jsonScan: one pass gives the counts and the hazards; a hazard found early stops neither the count nor the other parts', () => {
  const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
  // a batch: its second item too deep; three items; values: the batch, {}, 33 brackets, the last
  // {} and its [], two commas between items, one in [1,2]
  const b = jsonScan(`[{"a":1},${deep},{"b":[1,2]}]`, false);
  assert.equal(b.batch, true);
  assert.deepEqual([...b.found.keys()], [1]);
  assert.equal(b.items, 3);
  assert.equal(b.values, 1 + 1 + (MAX_JSON_DEPTH + 1) + 2 + 2 + 1);
  // one detection with a hazard early: refused whole (part 0), every value after it still counted
  const one = jsonScan(`{"a":${deep},"b":[1,2,3]}`, false);
  assert.equal(one.batch, false);
  assert.deepEqual([...one.found.keys()], [0]);
  assert.equal(one.items, null);
  assert.equal(one.values, 1 + (MAX_JSON_DEPTH + 1) + 1 + 1 + 2);
  // NDJSON: the second and fourth lines flagged, by line; a string ends with its line
  const wide = `{"a":[${Array.from({ length: MAX_JSON_MEMBERS + 5 }, (_, k) => k).join(',')}]}`;
  const nd = jsonScan(`{"a":1}\n${deep}\n{"b":"x\\"}\n${wide}\n{"c":"open`, true);
  assert.deepEqual([...nd.found.keys()], [1, 3]);
  assert.match(nd.found.get(3)!.message, /^line 4: at character \d+ of the line: an object or array of more than 1024 members/);
  // the same text's hazards and counts as the two functions give them apart
  assert.deepEqual(nd.found, jsonHazards(`{"a":1}\n${deep}\n{"b":"x\\"}\n${wide}\n{"c":"open`, true).found);
});
