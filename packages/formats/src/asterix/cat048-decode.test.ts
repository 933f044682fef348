/**
 * The CAT048 decoder against the standard (a record written by hand from the item layouts)
 * and against Wireshark's dissector (tshark): hand-written bytes and many random records made
 * by a byte builder of this test (not by Skywarden's encoder) must decode to the values tshark
 * reads; plots from Skywarden's encoder round-trip; bad input gives errors naming block,
 * record and item, and the good records around it are kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, mutateBytes, randInt } from '../testing/fuzz.js';
import { sharkField, tsharkAsterix, type SharkObj } from '../testing/tshark.js';
import { decodeCat048, decodeCat048Block, decodeCat062Block, encodeCat048Block, encodeCat062Blocks, firstRecordSource, FT, NM, resolveTimeOfDay, splitAsterixBlocks, type Cat048Record } from './index.js';

const T0 = 1764000000; // 2025-11-24T16:00:00Z: 57600 s after midnight

const hex = (s: string): number[] => [...Buffer.from(s.replace(/\s+/g, ''), 'hex')];
const block = (cat: number, body: number[]): Uint8Array => Uint8Array.from([cat, (body.length + 3) >> 8, (body.length + 3) & 0xff, ...body]);

// Every item of the UAP but RE, written from the item layouts of EUROCONTROL-SPEC-0149-4.
const HAND = hex(
  [
    'ff ff ff fc', // FSPEC: FRN 1-27
    '01 02', // 010 SAC 1 SIC 2
    '70 80 40', // 140 7372864 / 128 = 57600.5 s
    '2b 40', // 020 TYP 1, RDP, RAB, FX | ERR
    '10 00 40 00', // 040 RHO 0x1000 / 256 = 16 NM, THETA 0x4000 * 360 / 2^16 = 90 deg
    '0a 1b', // 070 code 0x0a1b
    '00 64', // 090 FL 100 / 4 = 25
    '88 10 20', // 130 SRL, PAM
    '71 d2 73', // 220
    '11 22 33 44 55 66', // 240
    '02 1122334455667788 99aabbccddeeff00', // 250 two BDS registers
    '01 23', // 161 track 0x123
    '00 10 00 20', // 042
    '00 40 01 00', // 200
    '41 40', // 170 RAD 2, FX | GHO
    '10 20 30 40', // 210
    '00', // 030
    '00 00', // 080
    '00 00 00 00', // 100
    '00 c8', // 110 200 * 25 ft
    'c0 00 05 01 000a0014 0030', // 120 CAL 5 m/s (valid), RDS one element
    '00 00', // 230
    '00 00 00 00 00 00 00', // 260
    '00', // 055
    '00 00', // 050
    '00', // 065
    '00 00', // 060
    '03 aa bb', // SP
  ].join(''),
);

test('a record written by hand from the standard decodes to its values, as in tshark', () => {
  const b = block(48, HAND);
  const r = decodeCat048(b, { referenceTime: T0 + 100 });
  assert.deepEqual(r.errors, []);
  assert.equal(r.records.length, 1);
  const rec = r.records[0]!;
  assert.equal(rec.items.length, 27);
  assert.equal(rec.sac, 1);
  assert.equal(rec.sic, 2);
  assert.equal(rec.timeOfDayS, 57600.5);
  assert.equal(rec.t, T0 + 0.5);
  assert.equal(rec.descriptor!.typ, 1);
  assert.equal(rec.descriptor!.err, true);
  assert.equal(rec.rangeM, 16 * NM);
  assert.equal(rec.azimuthDeg, 90);
  assert.deepEqual(rec.mode3a, { code: 0x0a1b, validated: true, garbled: false });
  assert.deepEqual(rec.flightLevel, { fl: 25, validated: true, garbled: false });
  assert.deepEqual(rec.plotCharacteristics, { SRL: 0x10, PAM: 0x20 });
  assert.equal(rec.aircraftAddress, 0x71d273);
  assert.equal(rec.trackNumber, 0x123);
  assert.deepEqual(rec.trackStatus, { confirmed: true, rad: 2, dou: false, mah: false, cdm: 0, tre: false, gho: true });
  assert.ok(Math.abs(rec.height3dM! - 5000 * FT) < 1e-9);
  assert.equal(rec.dopplerMps, 5);
  // the same bytes in tshark
  const m = tsharkAsterix([b])[0]!.blocks[0]!.messages;
  assert.equal(m.length, 1);
  compareWithShark(rec, m[0]!);
});

/** Our record's values against tshark's decode of the same bytes. */
function compareWithShark(rec: Cat048Record, m: SharkObj): void {
  const f = (item: string, name: string) => sharkField(m, `048_${item}`, name);
  assert.deepEqual(
    rec.items.map((x) => x.slice(5)),
    Object.keys(m).filter((k) => k.startsWith('asterix.048_')).map((k) => k.slice(12)),
    'the same items',
  );
  assert.equal(rec.sac, f('010', 'SAC'));
  assert.equal(rec.sic, f('010', 'SIC'));
  if (rec.timeOfDayS !== undefined) assert.equal(rec.timeOfDayS, f('140', 'VALUE'));
  if (rec.descriptor) {
    assert.equal(rec.descriptor.typ, f('020', 'TYP'));
    assert.equal(Number(rec.descriptor.sim), f('020', 'SIM'));
    assert.equal(Number(rec.descriptor.spi), f('020', 'SPI'));
    assert.equal(rec.descriptor.tst === undefined ? undefined : Number(rec.descriptor.tst), f('020', 'TST'));
  }
  if (rec.rangeM !== undefined) {
    assert.ok(Math.abs(rec.rangeM / NM - f('040', 'RHO')!) < 1e-9, `RHO ${rec.rangeM / NM} vs ${f('040', 'RHO')}`);
    assert.ok(Math.abs(rec.azimuthDeg! - f('040', 'THETA')!) < 1e-9, `THETA ${rec.azimuthDeg} vs ${f('040', 'THETA')}`);
  }
  if (rec.mode3a) {
    assert.equal(rec.mode3a.code, f('070', 'MODE3A'));
    assert.equal(Number(!rec.mode3a.validated), f('070', 'V'));
  }
  if (rec.flightLevel) {
    assert.equal(rec.flightLevel.fl, f('090', 'FL'));
    assert.equal(Number(!rec.flightLevel.validated), f('090', 'V'));
    assert.equal(Number(rec.flightLevel.garbled), f('090', 'G'));
  }
  if (rec.height3dM !== undefined) assert.ok(Math.abs(rec.height3dM / FT - f('110', '3DH')!) < 1e-6, `3DH ${rec.height3dM / FT} vs ${f('110', '3DH')}`);
  assert.equal(rec.aircraftAddress, f('220', 'VALUE'));
  assert.equal(rec.trackNumber, f('161', 'TRN'));
  if (rec.trackStatus) {
    assert.equal(Number(!rec.trackStatus.confirmed), f('170', 'CNF'));
    assert.equal(rec.trackStatus.rad, f('170', 'RAD'));
    assert.equal(rec.trackStatus.cdm, f('170', 'CDM'));
    assert.equal(rec.trackStatus.tre === undefined ? undefined : Number(rec.trackStatus.tre), f('170', 'TRE'));
    assert.equal(rec.trackStatus.gho === undefined ? undefined : Number(rec.trackStatus.gho), f('170', 'GHO'));
  }
  const cal = ((m['asterix.048_120'] as SharkObj | undefined)?.['asterix.048_120_CAL'] as SharkObj | undefined);
  if (cal === undefined) assert.equal(rec.dopplerMps, undefined);
  else assert.equal(rec.dopplerMps, cal['asterix.048_120_CAL_D'] === '0' ? Number(cal['asterix.048_120_CAL_CAL']) : undefined);
  const pc = m['asterix.048_130'] as SharkObj | undefined;
  if (pc === undefined) assert.equal(rec.plotCharacteristics, undefined);
  else assert.deepEqual(Object.keys(rec.plotCharacteristics!), Object.keys(pc).filter((k) => k.startsWith('asterix.048_130_')).map((k) => k.slice(16)));
}

/** A random record, byte by byte from the item layouts (independent of Skywarden's encoder). */
function randomRecord(rand: () => number): number[] {
  const bytes = (n: number) => Array.from({ length: n }, () => randInt(rand, 256));
  /** An FX chain of 1..max octets. */
  const ext = (max: number) => {
    const n = 1 + randInt(rand, max);
    return Array.from({ length: n }, (_, i) => (randInt(rand, 256) & 0xfe) | (i < n - 1 ? 1 : 0));
  };
  const items: (number[] | null)[] = [
    [randInt(rand, 256), randInt(rand, 256)], // 010
    [...bytes(0), randInt(rand, 0xa8), ...bytes(2)], // 140, under 86400 s
    ext(2), // 020
    bytes(4), // 040
    bytes(2), // 070
    // 090: a positive flight level (below 2048 FL): tshark 4.0 reads the 14 bits unsigned, the
    // standard's range (-12 to 1270 FL) needs them signed, as Skywarden reads them (tested below)
    [(randInt(rand, 4) << 6) | randInt(rand, 0x20), randInt(rand, 256)],
    (() => {
      const p = randInt(rand, 127) << 1 || 0x80;
      const out = [p];
      for (let i = 0; i < 7; i++) if (p & (0x80 >> i)) out.push(randInt(rand, 256));
      return out;
    })(), // 130
    bytes(3), // 220
    bytes(6), // 240
    (() => { const n = 1 + randInt(rand, 3); return [n, ...bytes(8 * n)]; })(), // 250
    [randInt(rand, 16), randInt(rand, 256)], // 161
    bytes(4), // 042
    bytes(4), // 200
    ext(2), // 170
    bytes(4), // 210
    ext(3), // 030
    bytes(2), // 080
    bytes(4), // 100
    bytes(2), // 110
    (() => {
      const cal = rand() < 0.7, rds = rand() < 0.5 || !cal;
      const out = [(cal ? 0x80 : 0) | (rds ? 0x40 : 0)];
      if (cal) out.push(randInt(rand, 256) & 0x83, randInt(rand, 256));
      if (rds) { const n = 1 + randInt(rand, 2); out.push(n, ...bytes(6 * n)); }
      return out;
    })(), // 120
    bytes(2), // 230
    bytes(7), // 260
    bytes(1), bytes(2), bytes(1), bytes(2), // 055 050 065 060
    (() => { const n = 1 + randInt(rand, 5); return [n, ...bytes(n - 1)]; })(), // SP
  ];
  const present = items.map((_, i) => i === 0 || i === 1 || i === 3 || rand() < 0.45);
  const fspec: number[] = [];
  let last = 0;
  present.forEach((p, i) => { if (p) last = i; });
  for (let o = 0; o <= Math.floor(last / 7); o++) {
    let v = 0;
    for (let b = 0; b < 7; b++) if (present[o * 7 + b]) v |= 0x80 >> b;
    if (o < Math.floor(last / 7)) v |= 1;
    fspec.push(v);
  }
  return [...fspec, ...items.flatMap((it, i) => (present[i] ? it! : []))];
}

test('random records from the item layouts decode to the values tshark reads (400 records)', () => {
  const rand = createPrng(48);
  const datagrams: Uint8Array[] = [];
  for (let d = 0; d < 40; d++) {
    const body: number[] = [];
    for (let k = 0; k < 10; k++) body.push(...randomRecord(rand));
    datagrams.push(block(48, body));
  }
  const shark = tsharkAsterix(datagrams);
  let n = 0;
  datagrams.forEach((dg, i) => {
    const r = decodeCat048(dg, { referenceTime: T0 });
    assert.deepEqual(r.errors, [], `datagram ${i}`);
    const msgs = shark[i]!.blocks[0]!.messages;
    assert.equal(r.records.length, msgs.length);
    r.records.forEach((rec, k) => compareWithShark(rec, msgs[k]!));
    n += r.records.length;
  });
  assert.equal(n, 400);
});

test('plots from the CAT048 encoder decode to what was written', () => {
  const rand = createPrng(7);
  const plots = Array.from({ length: 200 }, () => ({ sac: randInt(rand, 256), sic: randInt(rand, 256), t: T0 + rand() * 7200, range: rand() * 255 * NM, azimuthDeg: rand() * 360, typ: randInt(rand, 8), simulated: rand() < 0.5 }));
  const r = decodeCat048(encodeCat048Block(plots), { referenceTime: T0 + 3600 });
  assert.deepEqual(r.errors, []);
  assert.equal(r.records.length, plots.length);
  plots.forEach((p, i) => {
    const rec = r.records[i]!;
    assert.equal(rec.sac, p.sac);
    assert.equal(rec.sic, p.sic);
    assert.ok(Math.abs(rec.t! - p.t) <= 1 / 256 + 1e-9);
    assert.ok(Math.abs(rec.rangeM! - p.range) <= NM / 512 + 1e-6);
    const dAz = Math.abs(((rec.azimuthDeg! - p.azimuthDeg + 540) % 360) - 180);
    assert.ok(dAz <= 360 / 65536 / 2 + 1e-9);
    assert.equal(rec.descriptor!.typ, p.typ);
    assert.equal(rec.descriptor!.sim, p.simulated);
  });
});

test('a block\'s first source is read without decoding it, and maxRecords decodes only the first records (a listener over its rate)', () => {
  const plots = Array.from({ length: 50 }, (_, i) => ({ sac: 10, sic: 20, t: T0 + i, range: 10 * NM, azimuthDeg: i, typ: 1, simulated: false }));
  const bytes = encodeCat048Block(plots);
  const [b] = splitAsterixBlocks(bytes).blocks;
  assert.deepEqual(firstRecordSource(bytes, b!), { sac: 10, sic: 20 });
  const all = decodeCat048Block(bytes, b!, { referenceTime: T0 });
  assert.equal(all.records.length, 50);
  assert.equal(all.truncated, undefined);
  const some = decodeCat048Block(bytes, b!, { referenceTime: T0, maxRecords: 7 });
  assert.equal(some.records.length, 7);
  assert.equal(some.truncated, true);
  assert.deepEqual(some.records, all.records.slice(0, 7));
  // exactly as many as the block holds: not truncated
  assert.equal(decodeCat048Block(bytes, b!, { referenceTime: T0, maxRecords: 50 }).truncated, undefined);
  // CAT062 likewise
  const t62 = encodeCat062Blocks(Array.from({ length: 5 }, (_, i) => ({ sac: 30, sic: 40, t: T0, latDeg: 37.6, lonDeg: 127.1, ve: 0, vn: 0, trackNumber: i + 1 })))[0]!;
  const b62 = splitAsterixBlocks(t62).blocks[0]!;
  assert.deepEqual(firstRecordSource(t62, b62), { sac: 30, sic: 40 });
  const r62 = decodeCat062Block(t62, b62, { referenceTime: T0, maxRecords: 2 });
  assert.deepEqual([r62.records.length, r62.truncated], [2, true]);
  // a record without I048/010 (FRN 1 clear), or cut before its SAC/SIC: none
  assert.equal(firstRecordSource(Uint8Array.from([48, 0, 6, 0x40, 1, 2]), { cat: 48, offset: 0, start: 3, end: 6 }), null);
  assert.equal(firstRecordSource(Uint8Array.from([48, 0, 5, 0x81, 0x80]), { cat: 48, offset: 0, start: 3, end: 5 }), null);
});

test('bad input: errors name the block, record and item; the good records are kept', () => {
  const good = [...HAND];
  const plot = hex('f0 0102 708040 20 10004000'); // 010 140 020 040
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /no data/],
    [Uint8Array.from([48, 0]), /offset 0: 2 bytes left, a block header needs 3/],
    [Uint8Array.from([48, 0, 2]), /LEN 2 is less than the 3-byte header/],
    [Uint8Array.from([48, 0, 3]), /a CAT048 block with no records/],
    [block(48, [0x80, 1]), /record 1: I048\/010 needs 2 bytes, 1 left/],
    [block(48, [0x00]), /record 1: empty FSPEC/],
    [block(48, [0xff, 0xff, 0xff, 0xff, 0]), /record 1: FSPEC runs over 4 octets/],
    [block(48, [0x02, 1, 2, 3]), /record 1: I048\/130 primary subfield/],
    [block(48, [0x01, 0x01, 0x01, 0x02, 0]), /record 1: I048\/RE has a length of 0/],
    [block(48, [0x01, 0x20, 5, 1, 2]), /record 1: I048\/250 declares 5 repetitions of 8 bytes, 2 left/],
    [block(48, [0x20, 0x2b, 0x41]), /record 1: I048\/020 is cut off/],
  ];
  for (const [bytes, re] of cases) {
    const r = decodeCat048(bytes);
    assert.equal(r.records.length, 0);
    assert.ok(r.errors.some((e) => re.test(e)), `${re}: got ${JSON.stringify(r.errors)}`);
  }
  // a block: good, good, cut; then a good block: the cut record loses only itself and what follows it in its block
  const cut = hex('f0 0102 7080');
  const dg = Buffer.concat([block(48, [...plot, ...good, ...cut]), block(62, [0x80, 1, 2]), block(48, plot)]);
  const r = decodeCat048(new Uint8Array(dg));
  assert.equal(r.records.length, 3);
  assert.equal(r.otherBlocks, 1);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!, /data block at offset 0, record 3: I048\/140 needs 3 bytes, 2 left/);
  // I048/090 in two's complement: -10 FL (0x3fd8), garbled and not validated
  const neg = decodeCat048(block(48, hex('84 0102 ffd8')));
  assert.deepEqual(neg.records[0]!.flightLevel, { fl: -10, validated: false, garbled: true });
  // a time of day past midnight: that record alone is left out
  const late = hex('f0 0102 a8c000 20 10004000'); // 86400 * 128 = 0xa8c000
  const r2 = decodeCat048(block(48, [...plot, ...late, ...plot]));
  assert.equal(r2.records.length, 2);
  assert.match(r2.errors[0]!, /record 2: I048\/140 time of day 86400 s is not within a day/);
  // a truncated datagram: the blocks before it are kept
  const trunc = Buffer.concat([block(48, plot), block(48, plot).subarray(0, 8)]);
  const r3 = decodeCat048(new Uint8Array(trunc));
  assert.equal(r3.records.length, 1);
  assert.match(r3.errors[0]!, /data block at offset 14: LEN 14 runs past the end of the data \(8 bytes left\)/);
});

test('mutated datagrams never throw (2000 inputs)', () => {
  const rand = createPrng(4848);
  const base = block(48, [...randomRecord(rand), ...HAND, ...randomRecord(rand)]);
  for (let i = 0; i < 2000; i++) {
    const r = decodeCat048(mutateBytes(rand, base, 6), { referenceTime: T0 });
    assert.ok(Array.isArray(r.records) && Array.isArray(r.errors));
    for (const rec of r.records) if (rec.rangeM !== undefined) assert.ok(rec.rangeM >= 0 && rec.rangeM < 256 * NM);
  }
});

test('a time of day takes the day that puts it nearest to the receive time (midnight rollover)', () => {
  const midnight = 1764028800; // 2025-11-25T00:00:00Z
  assert.equal(resolveTimeOfDay(86399, midnight + 2), midnight - 1, 'sent just before midnight, received just after');
  assert.equal(resolveTimeOfDay(1, midnight - 2), midnight + 1, 'received just before midnight by a clock a little slow');
  assert.equal(resolveTimeOfDay(43000, midnight + 100), midnight + 43000);
  assert.equal(resolveTimeOfDay(50000, midnight + 100), midnight - 86400 + 50000);
  const r = decodeCat048(block(48, hex('e0 0102 a8bf80 20')), { referenceTime: midnight + 0.5 }); // 86399 s
  assert.equal(r.records[0]!.t, midnight - 1);
});
