import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readLines } from './lines.js';

const collect = async (chunks: Buffer[], maxLine?: number) => {
  const out: (string | null)[] = [];
  for await (const l of readLines(Readable.from(chunks), maxLine)) out.push(l);
  return out;
};

test('readLines: characters split between chunks are read whole (standard input hands over chunks anywhere)', async () => {
  const text = '{"sensor":"레이더-1","id":"탐지-1"}\r\n{"sensor":"мікрофон"}\nlast 🛩';
  const bytes = Buffer.from(text, 'utf8');
  const whole = await collect([bytes]);
  assert.deepEqual(whole, ['{"sensor":"레이더-1","id":"탐지-1"}', '{"sensor":"мікрофон"}', 'last 🛩']);
  // cut at every byte, and into single bytes
  for (let cut = 1; cut < bytes.length; cut++) assert.deepEqual(await collect([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at byte ${cut}`);
  assert.deepEqual(await collect([...bytes].map((b) => Buffer.from([b]))), whole, 'byte by byte');
});

test('readLines: a line longer than the limit is yielded as null and the next one is read', async () => {
  assert.deepEqual(await collect([Buffer.from('ok\n' + 'x'.repeat(50) + '\nnext\n' + 'y'.repeat(50))], 20), ['ok', null, 'next', null]);
});
