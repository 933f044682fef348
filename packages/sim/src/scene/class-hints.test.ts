import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_LABELS } from '@skywarden/core';
import { CLASS_CONFUSERS, classHint, falseAlarmClassHint } from './class-hints.js';
import { createRng } from './rng.js';

const top = (c: Record<string, number>): string => Object.entries(c).sort((a, b) => b[1] - a[1])[0][0];

function assertDistribution(c: Record<string, number>): void {
  let sum = 0;
  for (const [k, p] of Object.entries(c)) {
    assert.ok((CLASS_LABELS as readonly string[]).includes(k), `unknown label ${k}`);
    assert.ok(p >= 0 && p <= 1, `${k}: ${p}`);
    sum += p;
  }
  assert.ok(sum <= 1 + 1e-12 && sum > 0.99, `sum ${sum}`);
}

test('classHint: top label is the true class at the configured accuracy, else a confuser', () => {
  const rng = createRng(1);
  for (const cls of ['piston_owa', 'jet_owa', 'helicopter', 'aircraft']) {
    let right = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const h = classHint(rng, cls);
      assertDistribution(h);
      const t = top(h);
      if (t === cls) right++;
      else assert.ok(CLASS_CONFUSERS[cls].includes(t), `${cls} confused with ${t}`);
      assert.ok(h[t] >= 0.499 && h[t] <= 0.85);
      assert.ok(cls in h, 'the true class always gets some probability');
    }
    assert.ok(Math.abs(right / n - 0.85) < 0.03, `${cls}: ${right / n}`);
  }
  const unsure = createRng(2);
  let right = 0;
  for (let i = 0; i < 4000; i++) if (top(classHint(unsure, 'piston_owa', { accuracy: 0.5, confidence: [0.4, 0.6] })) === 'piston_owa') right++;
  assert.ok(Math.abs(right / 4000 - 0.5) < 0.03);
});

test('false-alarm hints are uninformative; vehicle hints lean to clutter with a piston share', () => {
  const rng = createRng(3);
  for (let i = 0; i < 2000; i++) {
    const h = falseAlarmClassHint(rng);
    assertDistribution(h);
    assert.ok(Math.max(...Object.values(h)) < 0.29);
    const v = falseAlarmClassHint(rng, 'vehicle');
    assertDistribution(v);
    assert.equal(top(v), 'clutter');
    assert.ok(v.piston_owa >= 0.199 && v.piston_owa <= 0.35);
  }
});
