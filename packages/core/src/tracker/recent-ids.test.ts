import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentIds } from './recent-ids.js';

test('recent ids: a repeated id is refused until it is forgotten, then taken again', () => {
  const r = new RecentIds(4);
  assert.equal(r.add('a', 1), true);
  assert.equal(r.add('b', 2), true);
  assert.equal(r.add('a', 3), false, 'a repeat is refused');
  assert.equal(r.size, 2);
  r.forgetBefore(2); // forgets what came with t < 2: "a"
  assert.equal(r.has('a'), false);
  assert.equal(r.has('b'), true);
  assert.equal(r.add('a', 5), true, 'taken again after it was forgotten');
  assert.equal(r.add('', 5), true, 'the empty string is an id like any other');
  assert.equal(r.add('', 6), false);
  assert.equal(r.size, 3);
});

test('recent ids: forgetting stops at the first id that arrived with a time at or after the limit', () => {
  const r = new RecentIds();
  r.add('x', 10);
  r.add('y', 5); // arrived late: behind x in the arrival order
  r.forgetBefore(8);
  assert.equal(r.has('x'), true, 'x came with t 10');
  assert.equal(r.has('y'), true, 'y waits behind x, as the Map-and-queue version did');
  r.forgetBefore(11);
  assert.equal(r.size, 0);
});

test('recent ids: agrees with a Map through 300,000 random adds and forgets (growth, wrap-around of the ring, deletion inside probe runs)', () => {
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const r = new RecentIds(8);
  const model = new Map<string, number>();
  const queue: { id: string; t: number }[] = [];
  let head = 0;
  let t = 0;
  let refused = 0;
  for (let k = 0; k < 300_000; k++) {
    t += rand() * 0.01;
    // a small id space so that repeats (and so refusals and re-adds) are common
    const id = `s${Math.floor(rand() * 20)}-${Math.floor(rand() * 100)}`;
    const taken = !model.has(id);
    if (taken) {
      model.set(id, t);
      queue.push({ id, t });
    } else refused++;
    assert.equal(r.add(id, t), taken, `add ${id} at step ${k}`);
    if (k % 97 === 0) {
      const limit = t - rand() * 3;
      while (head < queue.length && queue[head].t < limit) {
        model.delete(queue[head].id);
        head++;
      }
      r.forgetBefore(limit);
      assert.equal(r.size, model.size, `size at step ${k}`);
    }
  }
  assert.ok(refused > 10_000, `the run exercised repeats (${refused})`);
  for (let s = 0; s < 20; s++) for (let n = 0; n < 100; n++) assert.equal(r.has(`s${s}-${n}`), model.has(`s${s}-${n}`));
});

test('recent ids: three million distinct ids of the shapes sensors send are never taken for repeats', () => {
  const r = new RecentIds();
  let falseRepeats = 0;
  for (let i = 0; i < 3_000_000; i++) {
    const id = i % 3 === 0 ? `ac-${i % 14000}-${Math.floor(i / 14000)}` : i % 3 === 1 ? `${i}` : `demo-r2-l1-${i.toString(36)}`;
    if (!r.add(id, i / 20000)) falseRepeats++;
  }
  assert.equal(falseRepeats, 0);
  assert.equal(r.size, 3_000_000);
});

test('recent ids: at the highest load of the smallest table (16 slots, up to 8 ids) deletions inside probe runs that wrap past slot 0 keep it exact, whatever the hash seed', () => {
  for (const seed of [
    [0, 0],
    [123456789, -987654321],
    [-1, 1],
  ]) {
    let s = 99 + seed[0];
    const rand = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const r = new RecentIds(1, seed);
    const model = new Map<string, number>();
    const queue: { id: string; t: number }[] = [];
    let head = 0;
    let t = 0;
    for (let k = 0; k < 200_000; k++) {
      t += 1;
      // at most 8 ids live: the window keeps the last 8 arrivals; 12 ids so repeats are frequent
      const id = `n${Math.floor(rand() * 12)}`;
      const taken = !model.has(id);
      if (taken) {
        model.set(id, t);
        queue.push({ id, t });
      }
      assert.equal(r.add(id, t), taken, `seed ${seed}, step ${k}: add ${id}`);
      const limit = queue.length - head > 7 || rand() < 0.3 ? queue[Math.min(queue.length - 1, head + Math.floor(rand() * 3))].t : -Infinity;
      while (head < queue.length && queue[head].t < limit) {
        model.delete(queue[head].id);
        head++;
      }
      r.forgetBefore(limit);
      assert.equal(r.size, model.size, `seed ${seed}, step ${k}: size`);
      for (let n = 0; n < 12; n++) assert.equal(r.has(`n${n}`), model.has(`n${n}`), `seed ${seed}, step ${k}: has n${n}`);
    }
  }
});

test('recent ids: a capacity below 1 is refused, a fraction rounded up', () => {
  assert.throws(() => new RecentIds(0), /initialCapacity must be >= 1/);
  assert.throws(() => new RecentIds(Number.NaN), /initialCapacity must be >= 1/);
  const r = new RecentIds(1.5);
  for (let i = 0; i < 100; i++) assert.equal(r.add(`x${i}`, i), true);
  assert.equal(r.size, 100);
});
