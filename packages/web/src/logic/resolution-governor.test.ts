import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResolutionGovernor } from './resolution-governor.js';

/** A frame's cost as a software rasteriser gives it: a fixed part and a part per pixel (∝ s²). */
const frameCost = (fixed: number, fullPixels: number) => (s: number) => fixed + fullPixels * s * s;

test('a machine with a GPU keeps full resolution', () => {
  const g = createResolutionGovernor({ budgetMs: 100, scales: [1, 0.75, 0.5] });
  for (let i = 0; i < 200; i++) assert.equal(g.observe(3), false);
  assert.equal(g.scale(), 1);
});

test('slow frames lower the resolution until a frame fits the budget, and it stays there', () => {
  const g = createResolutionGovernor({ budgetMs: 100, scales: [1, 0.75, 0.5] });
  const cost = frameCost(20, 300); // 320 ms at full, 189 at 0.75, 95 at 0.5
  const seen: number[] = [];
  for (let i = 0; i < 500; i++) {
    g.observe(cost(g.scale()));
    seen.push(g.scale());
  }
  assert.equal(g.scale(), 0.5);
  assert.ok(g.costMs() <= 100, `cost ${g.costMs()}`);
  // no flapping: once at 0.5 it never went back up (the prediction for 0.75 is over the margin)
  const first = seen.indexOf(0.5);
  assert.ok(first > 0 && first < 20, `reached 0.5 after ${first} frames`);
  assert.ok(seen.slice(first).every((s) => s === 0.5));
});

test('frames that become fast again bring full resolution back, level by level', () => {
  const g = createResolutionGovernor({ budgetMs: 100, scales: [1, 0.75, 0.5], holdFrames: 50 });
  for (let i = 0; i < 40; i++) g.observe(frameCost(20, 400)(g.scale()));
  assert.equal(g.scale(), 0.5);
  // the load goes away: frames cost 2 + 30 s²
  const fast = frameCost(2, 30);
  let steps = 0;
  for (let i = 0; i < 200; i++) if (g.observe(fast(g.scale()))) steps++;
  assert.equal(g.scale(), 1);
  assert.equal(steps, 2, 'one level at a time');
});

test('a level left for being slow is not tried again before the hold ends', () => {
  const g = createResolutionGovernor({ budgetMs: 100, scales: [1, 0.5], holdFrames: 100, upMargin: 1 });
  // 130 ms at full, 40 ms at half: the s² prediction from half (160) is over the budget...
  const cost = frameCost(10, 120);
  for (let i = 0; i < 10; i++) g.observe(cost(g.scale()));
  assert.equal(g.scale(), 0.5);
  // ...so frames that now cost 20 ms at half (prediction 80 ms) may go up, but only after the hold
  let upAt = -1;
  for (let i = 0; i < 200 && upAt < 0; i++) if (g.observe(20)) upAt = i;
  // frame 6 left full resolution: it may be tried from frame 106, the 96th of these
  assert.equal(upAt, 95, `went up after ${upAt + 1} more frames`);
  assert.equal(g.scale(), 1);
});

test('bad samples are ignored and bad options refused', () => {
  const g = createResolutionGovernor({ budgetMs: 100, scales: [1, 0.5] });
  for (const x of [Number.NaN, -5, Number.POSITIVE_INFINITY]) assert.equal(g.observe(x), false);
  assert.equal(g.costMs(), 0);
  assert.throws(() => createResolutionGovernor({ budgetMs: 0, scales: [1] }), /budgetMs/);
  assert.throws(() => createResolutionGovernor({ budgetMs: 10, scales: [0.5, 1] }), /largest first/);
  assert.throws(() => createResolutionGovernor({ budgetMs: 10, scales: [] }), /scales/);
});
