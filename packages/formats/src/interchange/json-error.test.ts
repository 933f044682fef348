import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeJsonError, jsonErrorOffset, lineColumn, parseErrorMessage } from './json-error.js';

test('jsonErrorOffset: valid JSON is -1; the first bad character otherwise; the end when it stops early', () => {
  for (const ok of ['{}', '[]', ' {"a": [1, -2.5e+3, true, false, null, "x\\u00e9\\n"]} ', '"s"', '0', '-0.1E2', '[[[[{}]]]]']) assert.equal(jsonErrorOffset(ok), -1, ok);
  assert.equal(jsonErrorOffset('{"a":1,}'), 7);
  assert.equal(jsonErrorOffset('{"a": tru}'), 9);
  assert.equal(jsonErrorOffset('[1,2'), 4);
  assert.equal(jsonErrorOffset('[1 2]'), 3);
  assert.equal(jsonErrorOffset('{"a" 1}'), 5);
  assert.equal(jsonErrorOffset('"a\\x"'), 2);
  assert.equal(jsonErrorOffset('"a\\u12g4"'), 2);
  assert.equal(jsonErrorOffset('01'), 1);
  assert.equal(jsonErrorOffset('{} {}'), 3);
  assert.equal(jsonErrorOffset(''), 0);
  // nesting costs no call stack
  assert.equal(jsonErrorOffset('['.repeat(200_000) + ']'.repeat(200_000)), -1);
  assert.equal(jsonErrorOffset('['.repeat(200_000)), 200_000);
});

test('jsonErrorOffset agrees with JSON.parse on what is valid, and with its position where it gives one, over random texts', () => {
  const parts = ['{', '}', '[', ']', ',', ':', '"a"', '"b\\n"', '1', '-2', '0.5', '1e3', 'true', 'null', ' ', '\n', 'x', '"', '01', '-', '.5'];
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let valid = 0;
  let positions = 0;
  for (let k = 0; k < 20_000; k++) {
    let s = '';
    const len = 1 + Math.floor(rnd() * 12);
    for (let j = 0; j < len; j++) s += parts[Math.floor(rnd() * parts.length)];
    let ok = true;
    let pos: number | null = null;
    try {
      JSON.parse(s);
    } catch (e) {
      ok = false;
      const m = /at position (\d+)/.exec((e as Error).message);
      if (m) pos = Number(m[1]);
    }
    const at = jsonErrorOffset(s);
    assert.equal(at === -1, ok, `${JSON.stringify(s)}: offset ${at}, JSON.parse ${ok ? 'accepts' : 'refuses'}`);
    if (ok) valid++;
    if (pos !== null) {
      positions++;
      assert.equal(at, pos, `${JSON.stringify(s)}: offset ${at}, JSON.parse says position ${pos}`);
    }
  }
  assert.ok(valid > 500 && positions > 2000, `${valid} valid, ${positions} with a position`);
});

test('describeJsonError names the line and column, or that the text ends early', () => {
  const text = '[\n  {"t": 1},\n  {"t": 2,}\n]';
  let err: unknown;
  try {
    JSON.parse(text);
  } catch (e) {
    err = e;
  }
  const d = describeJsonError(text, err);
  assert.match(d, /^at line 3, column 11 \("}\\n]"\): /, d);
  assert.doesNotMatch(d, /position/);
  assert.deepEqual(lineColumn(text, text.indexOf('{"t": 2')), { line: 3, column: 3 });
  try {
    JSON.parse('{"a": [1, 2');
  } catch (e) {
    assert.match(describeJsonError('{"a": [1, 2', e), /^the text ends early \(11 characters\)/);
  }
  try {
    JSON.parse('{"a": tru}');
  } catch (e) {
    const one = describeJsonError('{"a": tru}', e, true);
    assert.match(one, /^at column 10 \("}"\): Unexpected token/, one);
    assert.doesNotMatch(one, /is not valid JSON/);
  }
});

test('parseErrorMessage: names a text nested too deeply for the parser, keeping where; other messages are unchanged', () => {
  assert.equal(parseErrorMessage(new RangeError('Maximum call stack size exceeded at line 1, column 787')), 'nested too deeply to read (the parser ran out of stack) at line 1, column 787');
  assert.equal(parseErrorMessage(new Error('Unexpected token')), 'Unexpected token');
  assert.equal(parseErrorMessage('plain'), 'plain');
});
