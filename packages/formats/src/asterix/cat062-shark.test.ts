/**
 * The CAT062 decoder against Wireshark's dissector on bytes that Skywarden's encoder did not
 * make: random records built byte by byte from the item layouts (EUROCONTROL CAT062 1.17-1.19)
 * decode to the values tshark reads, item list included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, randInt } from '../testing/fuzz.js';
import { sharkField, tsharkAsterix, type SharkObj } from '../testing/tshark.js';
import { CAT062_LATLON_LSB_DEG, decodeCat062, FT, type Cat062Record } from './index.js';

const T0 = 1764000000;
/** The codes of the ICAO 6-bit alphabet (Annex 10 Vol IV, table 3-9): A-Z 1-26, space 32, 0-9 48-57. */
const ICAO_CODES = [...Array.from({ length: 26 }, (_, i) => i + 1), 32, ...Array.from({ length: 10 }, (_, i) => 48 + i)];

/** A random CAT062 record from the item layouts. */
function randomRecord(rand: () => number): number[] {
  const bytes = (n: number) => Array.from({ length: n }, () => randInt(rand, 256));
  const int = (v: number, n: number) => Array.from({ length: n }, (_, i) => Math.floor(((v % 2 ** (8 * n)) + 2 ** (8 * n)) / 2 ** (8 * (n - 1 - i))) & 255);
  const ext = (first: number, extLen: number, max: number) => {
    const n = 1 + randInt(rand, max);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const part = bytes(i === 0 ? first : extLen);
      part[part.length - 1] = (part[part.length - 1]! & 0xfe) | (i < n - 1 ? 1 : 0);
      out.push(...part);
    }
    return out;
  };
  /** A subfield of a compound item: a fixed length, FX-extended octets, or REP and elements. */
  type Sub = number | { ext: number } | { rep: number };
  const subBytes = (l: Sub): number[] => {
    if (typeof l === 'number') return bytes(l);
    if ('ext' in l) return ext(l.ext, l.ext, 3);
    const n = randInt(rand, 4);
    return [n, ...bytes(n * l.rep)];
  };
  /** A compound item: a random subset of the subfields whose rules are given. */
  const compound = (subs: Sub[]) => {
    const chosen = subs.map(() => rand() < 0.4);
    if (!chosen.some(Boolean)) chosen[0] = true;
    let last = 0;
    chosen.forEach((c, i) => { if (c) last = i; });
    const prim: number[] = [];
    for (let o = 0; o <= Math.floor(last / 7); o++) {
      let v = 0;
      for (let b = 0; b < 7; b++) if (chosen[o * 7 + b]) v |= 0x80 >> b;
      if (o < Math.floor(last / 7)) v |= 1;
      prim.push(v);
    }
    return [...prim, ...subs.flatMap((l, i) => (chosen[i] ? subBytes(l) : []))];
  };
  /** I062/245: STI in the top two bits (spare bits random: the dissector and Skywarden ignore them), then 8 characters of the ICAO alphabet, 6 bits each. */
  const targetId = () => {
    const codes = Array.from({ length: 8 }, () => ICAO_CODES[randInt(rand, ICAO_CODES.length)]!);
    let bits = '';
    for (const c of codes) bits += c.toString(2).padStart(6, '0');
    return [(randInt(rand, 4) << 6) | randInt(rand, 64), ...Array.from({ length: 6 }, (_, i) => parseInt(bits.slice(8 * i, 8 * i + 8), 2))];
  };
  const items: [number, () => number[]][] = [
    [1, () => bytes(2)], // 010
    [3, () => bytes(1)], // 015
    [4, () => int(randInt(rand, 86400 * 128), 3)], // 070
    [5, () => [...int(randInt(rand, 2 ** 25) - 2 ** 24, 4), ...int(randInt(rand, 2 ** 26) - 2 ** 25, 4)]], // 105
    [6, () => bytes(6)], // 100
    [7, () => bytes(4)], // 185
    [8, () => bytes(2)], // 210
    [9, () => bytes(2)], // 060
    [10, () => targetId()], // 245
    // 380, TIS (FX-extended octets), TID (REP x 15 octets) and MB (REP x 8 octets) included
    [11, () => compound([3, 6, 2, 2, 2, 2, 2, { ext: 1 }, { rep: 15 }, 2, 2, 7, 2, 2, 2, 2, 2, 2, 1, 8, 1, 6, 2, 1, { rep: 8 }, 2, 2, 2])],
    [12, () => bytes(2)], // 040
    [13, () => ext(1, 1, 5)], // 080
    [14, () => compound([1, 1, 1, 1, 2, 1, 1, 1, 1, 1])], // 290
    [15, () => [randInt(rand, 256) & 0xfe]], // 200
    [16, () => compound(Array<number>(31).fill(1))], // 295
    [17, () => bytes(2)], // 136
    [18, () => bytes(2)], // 130
    [19, () => bytes(2)], // 135
    [20, () => bytes(2)], // 220
    // 390 flight plan data: TAG CSN IFI FCT TAC WTC DEP DST RDS CFL CTL TOD (REP x 4) AST STS STD STA PEM PEC
    [21, () => compound([2, 7, 4, 1, 4, 1, 4, 4, 3, 2, 2, { rep: 4 }, 6, 1, 7, 7, 2, 7])],
    [22, () => ext(1, 1, 3)], // 270
    [23, () => bytes(1)], // 300
    [24, () => compound([1, 4, 6, 2, 2, 1, 1])], // 110
    [25, () => bytes(2)], // 120
    // 510 (composed track number, 3 octets and 3-octet extents) is left out: Wireshark 4.0's
    // dissector marks it malformed even without extents (it misreads the slave subfields)
    [27, () => compound([4, 2, 4, 1, 1, 2, 2, 1])], // 500
    [28, () => compound([2, 4, 2, 2, 2, 1])], // 340
    [35, () => { const n = 1 + randInt(rand, 4); return [n, ...bytes(n - 1)]; }], // SP
  ];
  const chosen = items.filter(([frn]) => frn === 1 || frn === 4 || frn === 5 || rand() < 0.4);
  const last = chosen[chosen.length - 1]![0];
  const fspec: number[] = [];
  for (let o = 0; o <= Math.floor((last - 1) / 7); o++) {
    let v = 0;
    for (const [frn] of chosen) if (Math.floor((frn - 1) / 7) === o) v |= 0x80 >> ((frn - 1) % 7);
    if (o < Math.floor((last - 1) / 7)) v |= 1;
    fspec.push(v);
  }
  return [...fspec, ...chosen.flatMap(([, f]) => f())];
}

function compare(rec: Cat062Record, m: SharkObj): void {
  const f = (item: string, name: string) => sharkField(m, `062_${item}`, name);
  assert.deepEqual(rec.items.map((x) => x.slice(5)), Object.keys(m).filter((k) => k.startsWith('asterix.062_')).map((k) => k.slice(12)), 'the same items');
  assert.equal(rec.sac, f('010', 'SAC'));
  assert.equal(rec.serviceId, f('015', 'VALUE'));
  assert.equal(rec.timeOfDayS, f('070', 'VALUE'));
  assert.ok(Math.abs(rec.latDeg! - f('105', 'LAT')!) < CAT062_LATLON_LSB_DEG / 100, `lat ${rec.latDeg} vs ${f('105', 'LAT')}`);
  assert.ok(Math.abs(rec.lonDeg! - f('105', 'LON')!) < CAT062_LATLON_LSB_DEG / 100);
  if (rec.cartesian) assert.deepEqual([rec.cartesian.x, rec.cartesian.y], [f('100', 'X'), f('100', 'Y')]);
  if (rec.ve !== undefined) assert.deepEqual([rec.ve, rec.vn], [f('185', 'VX'), f('185', 'VY')]);
  assert.equal(rec.trackNumber, f('040', 'VALUE'));
  if (rec.status) {
    assert.equal(Number(rec.status.monosensor), f('080', 'MON'));
    assert.equal(rec.status.altitudeSource, f('080', 'SRC'));
    assert.equal(Number(rec.status.tentative), f('080', 'CNF'));
    if (f('080', 'SIM') !== undefined) assert.deepEqual([rec.status.simulated, rec.status.last, rec.status.first].map(Number), [f('080', 'SIM'), f('080', 'TSE'), f('080', 'TSB')]);
    assert.equal(rec.status.coasting ? 1 : f('080', 'CST') === undefined ? undefined : 0, f('080', 'CST'));
    assert.equal(rec.status.sources, f('080', 'SDS'));
    assert.equal(rec.status.potentiallyFalse === undefined ? undefined : Number(rec.status.potentiallyFalse), f('080', 'PFT'));
  }
  if (rec.ageS !== undefined || f('290', 'TRK') !== undefined) assert.equal(rec.ageS, f('290', 'TRK'));
  if (rec.movement) assert.deepEqual([rec.movement.trans, rec.movement.long, rec.movement.vert], [f('200', 'TRANS'), f('200', 'LONG'), f('200', 'VERT')]);
  assert.equal(rec.measuredFlightLevel, f('136', 'VALUE'));
  if (rec.altM !== undefined) assert.ok(Math.abs(rec.altM / FT - f('130', 'VALUE')!) < 1e-6);
  assert.equal(rec.barometricFlightLevel, f('135', 'CTB'));
  if (rec.vu !== undefined) assert.ok(Math.abs((rec.vu / FT) * 60 - f('220', 'VALUE')!) < 1e-6);
  const id = m['asterix.062_245'] as Record<string, string> | undefined;
  assert.deepEqual(rec.targetId, id === undefined ? undefined : { sti: Number(id['asterix.062_245_STI']), chars: id['asterix.062_245_CHR'] });
  const adr = ((m['asterix.062_380'] as SharkObj | undefined)?.['asterix.062_380_ADR'] as SharkObj | undefined)?.['asterix.062_380_ADR_VALUE'];
  assert.equal(rec.targetAddress, adr === undefined ? undefined : Number(adr));
  const acc = m['asterix.062_500'] as Record<string, Record<string, string>> | undefined;
  const apc = acc?.['asterix.062_500_APC'];
  if (apc === undefined) assert.equal(rec.accuracy, undefined);
  else {
    assert.deepEqual([rec.accuracy!.xSdM, rec.accuracy!.ySdM], [Number(apc['asterix.062_500_APC_X']), Number(apc['asterix.062_500_APC_Y'])]);
    const atv = acc!['asterix.062_500_ATV'];
    assert.deepEqual([rec.accuracy!.vxSdMps, rec.accuracy!.vySdMps], atv === undefined ? [undefined, undefined] : [Number(atv['asterix.062_500_ATV_X']), Number(atv['asterix.062_500_ATV_Y'])]);
  }
}

test('random CAT062 records from the item layouts decode to the values tshark reads (300 records)', () => {
  const rand = createPrng(62062);
  const datagrams: Uint8Array[] = [];
  for (let d = 0; d < 30; d++) {
    const body: number[] = [];
    for (let k = 0; k < 10; k++) body.push(...randomRecord(rand));
    datagrams.push(Uint8Array.from([62, (body.length + 3) >> 8, (body.length + 3) & 255, ...body]));
  }
  const shark = tsharkAsterix(datagrams);
  let n = 0;
  datagrams.forEach((dg, i) => {
    const r = decodeCat062(dg, { referenceTime: T0 });
    assert.ok(r.ok, r.ok ? '' : `datagram ${i}: ${r.reason}`);
    const msgs = shark[i]!.blocks[0]!.messages;
    assert.equal(r.records.length, msgs.length);
    r.records.forEach((rec, k) => compare(rec, msgs[k]!));
    n += r.records.length;
  });
  assert.equal(n, 300);
});

test('I062/380 TIS, TID and MB and I062/390 (every subfield), written by hand: skipped by their length rules, the items and the record after them kept, as tshark reads them', () => {
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const seq = (n: number, from: number) => Array.from({ length: n }, (_, i) => (from + i) & 255);
  const rec1 = [
    0x99, 0x19, 0x02, // FSPEC: FRN 1 (010), 4 (070), 5 (105) | 11 (380), 12 (040) | 21 (390)
    0x01, 0x02, // I062/010 SAC 1 SIC 2
    0x00, 0x10, 0x00, // I062/070: 4096 / 128 = 32 s
    0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, // I062/105
    // I062/380: primary subfield ADR (1) | TIS (8), TID (9) | - | MB (25)
    0x81, 0xc1, 0x01, 0x10,
    0xab, 0xcd, 0xef, // ADR
    0xc1, 0x00, // TIS: NAV NVB, FX set; one extent
    2, ...seq(30, 0x20), // TID: 2 trajectory change points of 15 octets
    1, ...seq(8, 0x60), // MB: 1 Mode S register of 8 octets
    0x12, 0x34, // I062/040 track number 4660
    // I062/390: all 18 subfields (primary 3 octets)
    0xff, 0xff, 0xf0,
    0x05, 0x06, // TAG: SAC, SIC
    ...ascii('KAL123 '), // CSN
    0x40, 0x00, 0x01, 0x02, // IFI
    0x48, // FCT
    ...ascii('B738'), // TAC
    ...ascii('M'), // WTC
    ...ascii('RKSI'), // DEP
    ...ascii('RKSS'), // DST
    ...ascii('33L'), // RDS
    0x01, 0x40, // CFL
    0x07, 0x0b, // CTL
    2, 0x08, 0x00, 0x0c, 0x1e, 0x10, 0x00, 0x0d, 0x2d, // TOD: 2 times of 4 octets
    ...ascii('GATE12'), // AST
    0x40, // STS
    ...ascii('SID1A  '), // STD
    ...ascii('STAR2B '), // STA
    0x17, 0x00, // PEM: V and Mode 3/A 7400
    ...ascii('PEC1234'), // PEC
  ];
  const rec2 = [0x98, 0x03, 0x04, 0x00, 0x20, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00]; // 010, 070 (64 s), 105
  const body = [...rec1, ...rec2];
  const dg = Uint8Array.from([62, (body.length + 3) >> 8, (body.length + 3) & 255, ...body]);
  const r = decodeCat062(dg, { referenceTime: T0 });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.records.length, 2);
  const [a, b] = r.records;
  assert.deepEqual(a!.items, ['I062/010', 'I062/070', 'I062/105', 'I062/380', 'I062/040', 'I062/390']);
  assert.equal(a!.targetAddress, 0xabcdef);
  assert.equal(a!.trackNumber, 0x1234);
  assert.deepEqual([b!.sac, b!.sic, b!.timeOfDayS], [3, 4, 64]);
  assert.equal(b!.latDeg, 0x300000 * CAT062_LATLON_LSB_DEG);
  assert.equal(b!.lonDeg, 0x400000 * CAT062_LATLON_LSB_DEG);
  // tshark finds the same two records, the same items, and the values after the skipped subfields
  const msgs = tsharkAsterix([dg])[0]!.blocks[0]!.messages;
  assert.equal(msgs.length, 2);
  r.records.forEach((rec, k) => compare(rec, msgs[k]!));
  assert.equal(sharkField(msgs[0]!, '062_040', 'VALUE'), 0x1234);
  assert.equal(sharkField(msgs[1]!, '062_010', 'SIC'), 4);
  // tshark reads the first and the last I062/390 subfields where they were written
  const fpl = msgs[0]!['asterix.062_390'] as Record<string, Record<string, string>>;
  assert.deepEqual([fpl['asterix.062_390_CS']!['asterix.062_390_CS_VALUE'], fpl['asterix.062_390_PEC']!['asterix.062_390_PEC_VALUE']], ['KAL123 ', 'PEC1234']);
  // a REP running past the block is named
  const cut = Uint8Array.from([62, 0, 9, 0x01, 0x10, 0x01, 0x40, 3, 0, 0]);
  const rc = decodeCat062(cut);
  assert.ok(!rc.ok && /I062\/380 subfield 9 declares 3 repetitions of 15 bytes/.test(rc.reason), rc.ok ? '' : rc.reason);
});
