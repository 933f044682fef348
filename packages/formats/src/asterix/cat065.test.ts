/** The CAT065 encoder: known bytes from the item layouts, and tshark decodes every value written with no expert warnings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, randInt } from '../testing/fuzz.js';
import { tsharkAsterix, type SharkObj } from '../testing/tshark.js';
import { encodeCat065Block, encodeCat065Record, type Cat065Message, type Cat065Nogo } from './index.js';

const T0 = 1764000000; // 57600 s after midnight

test('CAT065 record bytes from the item layouts', () => {
  const r = encodeCat065Record({ sac: 1, sic: 2, type: 1, serviceId: 3, t: T0 + 0.5, status: { nogo: 'degraded', overload: true, pss: 2, sttn: true } });
  // FSPEC FRN 1,2,3,4,6 | 010 | 000 | 015 | 030 57600.5 * 128 | 040 NOGO 1, OVL, PSS 2, STTN
  assert.equal(Buffer.from(r).toString('hex'), ['f4', '0102', '01', '03', '708040', '6a'].join(''));
  const eob = encodeCat065Record({ sac: 1, sic: 2, type: 2, t: T0, batch: 0 });
  assert.equal(Buffer.from(eob).toString('hex'), ['d8', '0102', '02', '708000', '00'].join(''));
  assert.throws(() => encodeCat065Record({ sac: 1, sic: 2, type: 4, t: T0 }), /type must be 1, 2 or 3, got 4/);
  assert.throws(() => encodeCat065Record({ sac: 1, sic: 2, type: 3, t: T0, report: 17 }), /report must be an integer within \[1, 16\], got 17/);
  assert.throws(() => encodeCat065Record({ sac: 300, sic: 2, type: 1, t: T0 }), /sac must be an integer within \[0, 255\], got 300/);
  assert.throws(() => encodeCat065Block([]), /at least one message/);
});

test('tshark decodes our CAT065 messages to the values written (300 messages, no expert warnings)', () => {
  const rand = createPrng(65);
  const nogos: Cat065Nogo[] = ['operational', 'degraded', 'not_connected', 'unknown'];
  const msgs: Cat065Message[] = Array.from({ length: 300 }, () => {
    const type = 1 + randInt(rand, 3);
    return {
      sac: randInt(rand, 256),
      sic: randInt(rand, 256),
      type,
      serviceId: rand() < 0.5 ? randInt(rand, 256) : undefined,
      t: T0 + rand() * 86400 * 2,
      batch: type === 2 ? randInt(rand, 256) : undefined,
      status: type === 1 ? { nogo: nogos[randInt(rand, 4)]!, overload: rand() < 0.5, invalidTimeSource: rand() < 0.5, pss: randInt(rand, 4), sttn: rand() < 0.5 } : undefined,
      report: type === 3 ? 1 + randInt(rand, 16) : undefined,
    };
  });
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < msgs.length; i += 10) blocks.push(encodeCat065Block(msgs.slice(i, i + 10)));
  const shark = tsharkAsterix(blocks).flatMap((p) => p.blocks.flatMap((b) => (assert.equal(b.category, 65), b.messages)));
  assert.equal(shark.length, msgs.length);
  msgs.forEach((m, i) => {
    const s = shark[i]!;
    // tshark names the fields after the edition it decodes with (065_V1_5_... in Wireshark 4.0)
    const get = (item: string, name: string): number | undefined => {
      const k = Object.keys(s).find((x) => x.endsWith(`_${item}`));
      if (k === undefined) return undefined;
      const v = (s[k] as SharkObj)[`${k}_${name}`];
      return typeof v === 'string' ? Number(v) : undefined;
    };
    assert.equal(get('010', 'SAC'), m.sac);
    assert.equal(get('010', 'SIC'), m.sic);
    assert.equal(get('000', 'VALUE'), m.type);
    assert.equal(get('015', 'VALUE'), m.serviceId);
    const tod = (((m.t - T0 + 57600) % 86400) + 86400) % 86400;
    const got = get('030', 'VALUE')!;
    assert.ok(Math.min(Math.abs(got - tod), 86400 - Math.abs(got - tod)) <= 1 / 256 + 1e-9, `time ${got} vs ${tod}`);
    assert.equal(get('020', 'VALUE'), m.batch);
    assert.equal(get('050', 'VALUE'), m.report);
    if (m.status) {
      assert.equal(get('040', 'NOGO'), nogos.indexOf(m.status.nogo));
      assert.equal(get('040', 'OVL'), Number(m.status.overload));
      assert.equal(get('040', 'TSV'), Number(m.status.invalidTimeSource));
      assert.equal(get('040', 'PSS'), m.status.pss);
      assert.equal(get('040', 'STTN'), Number(m.status.sttn));
    } else assert.equal(get('040', 'NOGO'), undefined);
  });
});
