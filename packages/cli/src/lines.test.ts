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

test('readLines: an over-long line is reported when it passes the limit, not when (if ever) it ends; endless input without a line end is refused', async () => {
  // an endless stream of one character: the null comes after about the limit, then an error once 64 limits are skipped
  let served = 0;
  const endless = new Readable({
    read() {
      served += 1024;
      this.push(Buffer.alloc(1024, 0x30));
    },
  });
  const it = readLines(endless, 4096);
  const first = await it.next();
  assert.deepEqual(first, { value: null, done: false });
  assert.ok(served <= 4096 + 2048, `reported after ${served} characters`);
  await assert.rejects(it.next(), /more than \d+ characters without a line end: not a file of lines/);
  endless.destroy();
  // a long line split over chunks is one null, and the lines after it keep their places
  assert.deepEqual(await collect([Buffer.from('a\n' + 'x'.repeat(30)), Buffer.from('x'.repeat(30) + '\nb\n')], 20), ['a', null, 'b']);
});
