import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackWire } from '../live/wire.js';
import { createPrng } from '../testing/fuzz.js';
import { writePcap } from '../testing/pcap.js';
import { CLASS_LABELS } from '@skywarden/core';
import {
  CAT062_CLASS_DESIGNATORS,
  CAT062_LATLON_LSB_DEG,
  FT,
  ICAO_6BIT_ALPHABET,
  classDesignator,
  createTrackNumberAllocator,
  decodeCat062,
  encodeCat062Blocks,
  encodeCat062Record,
  trackWireToCat062,
  type Cat062Track,
} from './index.js';

const T0 = 1764000000; // 2025-11-24T16:00:00Z: 57600 s after midnight

function randomTracks(n: number, seed: number): Cat062Track[] {
  const rand = createPrng(seed);
  const out: Cat062Track[] = [];
  for (let i = 0; i < n; i++) {
    const hasAlt = rand() < 0.8;
    const hasVu = rand() < 0.7;
    out.push({
      sac: 7,
      sic: 42,
      serviceId: i % 3 === 0 ? 5 : undefined,
      t: T0 + rand() * 3600,
      latDeg: -89.9 + rand() * 179.8,
      lonDeg: -179.9 + rand() * 359.8,
      ve: (rand() - 0.5) * 600,
      vn: (rand() - 0.5) * 600,
      vu: hasVu ? (rand() - 0.5) * 40 : undefined,
      trackNumber: 1 + Math.floor(rand() * 65534),
      altM: hasAlt ? -200 + rand() * 12000 : undefined,
      ageS: rand() < 0.5 ? rand() * 80 : undefined,
      cartesian: rand() < 0.3 ? { x: (rand() - 0.5) * 400000, y: (rand() - 0.5) * 400000 } : undefined,
      accuracy: rand() < 0.7 ? { positionSdM: rand() * 3000, velocitySdMps: rand() < 0.5 ? rand() * 40 : undefined } : undefined,
      targetAddress: rand() < 0.2 ? Math.floor(rand() * 0x1000000) : undefined,
      targetId: rand() < 0.6 ? { sti: Math.floor(rand() * 4), chars: randomChars(rand) } : undefined,
      status: {
        first: rand() < 0.2, last: rand() < 0.2, coasting: rand() < 0.3, monosensor: rand() < 0.5, altitudeSource: hasAlt ? 3 : 0, geometricAltitudeMoreReliable: hasAlt,
        sources: rand() < 0.5 ? Math.floor(rand() * 4) : undefined, potentiallyFalse: rand() < 0.2,
      },
    });
  }
  return out;
}

/** 0 to 8 random characters of the ICAO 6-bit alphabet. */
function randomChars(rand: () => number): string {
  const alphabet = ICAO_6BIT_ALPHABET.filter((c) => c !== '');
  return Array.from({ length: Math.floor(rand() * 9) }, () => alphabet[Math.floor(rand() * alphabet.length)]!).join('');
}

/** Largest expected error of a quantity rounded to `lsb` (half an LSB, with a little float slack). */
const half = (lsb: number): number => lsb / 2 + 1e-9;

test('FSPEC and item bytes of a known record', () => {
  const r = encodeCat062Record({
    sac: 1, sic: 2, serviceId: 3, t: T0 + 0.5, latDeg: 45, lonDeg: -90, ve: 1.25, vn: -0.5, vu: 2, trackNumber: 0x1234,
    altM: 1000 * FT, ageS: 1.5, cartesian: { x: 1, y: -1 }, status: { first: true, altitudeSource: 3, geometricAltitudeMoreReliable: true },
  });
  const hex = Buffer.from(r).toString('hex');
  assert.equal(
    hex,
    [
      'bf0f94', // FSPEC: FRN 1,3,4,5,6,7 | 12,13,14 | 15,18,20
      '0102', // I010
      '03', // I015
      '708040', // I070: 57600.5 * 128 = 7372864
      '00800000', 'ff000000', // I105: 45 deg = 2^23 LSB, -90 deg = -2^24 LSB
      '000002', 'fffffe', // I100: +1 m, -1 m at 0.5 m
      '0005', 'fffe', // I185: 1.25/0.25, -0.5/0.25
      '1234', // I040
      '2d20', // I080: MRH, SRC=3, FX | TSB
      '8006', // I290: TRK present, 1.5 s / 0.25
      'f4', // I200: TRANS 3, LONG 3, VERT climb
      '00a0', // I130: 1000 ft / 6.25
      '003f', // I220: 2 m/s = 393.7 ft/min / 6.25 = 63
    ].join(''),
  );
});

test('encode then decode returns every value within half an LSB', () => {
  const tracks = randomTracks(500, 62);
  const blocks = encodeCat062Blocks(tracks);
  const records = blocks.flatMap((b) => {
    const r = decodeCat062(b, { referenceTime: T0 + 1800 });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    return r.records;
  });
  assert.equal(records.length, tracks.length);
  tracks.forEach((trk, i) => {
    const rec = records[i]!;
    assert.equal(rec.sac, 7);
    assert.equal(rec.sic, 42);
    assert.equal(rec.serviceId, trk.serviceId);
    assert.equal(rec.trackNumber, trk.trackNumber);
    assert.ok(Math.abs(rec.t! - trk.t) <= half(1 / 128), `t ${rec.t} vs ${trk.t}`);
    assert.ok(Math.abs(rec.latDeg! - trk.latDeg) <= half(CAT062_LATLON_LSB_DEG));
    assert.ok(Math.abs(rec.lonDeg! - trk.lonDeg) <= half(CAT062_LATLON_LSB_DEG));
    assert.ok(Math.abs(rec.ve! - trk.ve) <= half(0.25));
    assert.ok(Math.abs(rec.vn! - trk.vn) <= half(0.25));
    if (trk.altM === undefined) assert.equal(rec.altM, undefined);
    else assert.ok(Math.abs(rec.altM! - trk.altM) <= half(6.25 * FT));
    if (trk.vu === undefined) assert.equal(rec.vu, undefined);
    else assert.ok(Math.abs(rec.vu! - trk.vu) <= half((6.25 * FT) / 60));
    if (trk.ageS === undefined) assert.equal(rec.ageS, undefined);
    else assert.ok(Math.abs(rec.ageS! - Math.min(trk.ageS, 63.75)) <= half(0.25));
    if (trk.cartesian === undefined) assert.equal(rec.cartesian, undefined);
    else assert.ok(Math.abs(rec.cartesian!.x - trk.cartesian.x) <= 0.25 + 1e-9 && Math.abs(rec.cartesian!.y - trk.cartesian.y) <= 0.25 + 1e-9);
    assert.equal(rec.targetAddress, trk.targetAddress);
    assert.deepEqual(rec.targetId, trk.targetId === undefined ? undefined : { sti: trk.targetId.sti, chars: trk.targetId.chars.padEnd(8, ' ') });
    const fifth = trk.status!.sources !== undefined || trk.status!.potentiallyFalse === true;
    assert.equal(rec.status!.sources, fifth ? (trk.status!.sources ?? 3) : undefined);
    assert.equal(rec.status!.potentiallyFalse, fifth ? trk.status!.potentiallyFalse : undefined);
    if (trk.accuracy === undefined) assert.equal(rec.accuracy, undefined);
    else {
      assert.ok(Math.abs(rec.accuracy!.xSdM - Math.min(trk.accuracy.positionSdM, 32767.5)) <= half(0.5) && rec.accuracy!.xSdM === rec.accuracy!.ySdM);
      const v = trk.accuracy.velocitySdMps;
      if (v === undefined) assert.equal(rec.accuracy!.vxSdMps, undefined);
      else assert.ok(Math.abs(rec.accuracy!.vxSdMps! - Math.min(v, 63.75)) <= half(0.25), `ATV ${rec.accuracy!.vxSdMps} vs ${v}`);
    }
    assert.equal(rec.status!.first, trk.status!.first);
    assert.equal(rec.status!.last, trk.status!.last);
    assert.equal(rec.status!.coasting, trk.status!.coasting);
    assert.equal(rec.status!.monosensor, trk.status!.monosensor);
    assert.equal(rec.status!.tentative, false);
    const vert = trk.vu === undefined ? 3 : Math.abs(trk.vu) < 1 ? 0 : trk.vu > 0 ? 1 : 2;
    assert.equal(rec.movement!.vert, vert);
  });
});

test('blocks stay under the maximum size and keep the records in order', () => {
  const tracks = randomTracks(300, 7);
  const blocks = encodeCat062Blocks(tracks, { maxBlockBytes: 1400 });
  assert.ok(blocks.length > 1);
  let n = 0;
  for (const b of blocks) {
    assert.ok(b.length <= 1400, `block of ${b.length} bytes`);
    assert.equal(b[0], 62);
    assert.equal((b[1]! << 8) | b[2]!, b.length);
    const r = decodeCat062(b);
    assert.ok(r.ok);
    for (const rec of r.records) assert.equal(rec.trackNumber, tracks[n++]!.trackNumber);
  }
  assert.equal(n, tracks.length);
  // Filling: each block but the last could not take the next record.
  const small = encodeCat062Blocks(tracks.slice(0, 10), { maxBlockBytes: 100 });
  for (const b of small) assert.ok(b.length <= 100);
  assert.deepEqual(encodeCat062Blocks([]), []);
  assert.throws(() => encodeCat062Blocks(tracks.slice(0, 1), { maxBlockBytes: 10 }), /does not fit in a block of at most 10 bytes/);
  // Several blocks back to back decode as one buffer.
  const joined = Buffer.concat(blocks);
  const all = decodeCat062(joined);
  assert.ok(all.ok && all.records.length === tracks.length);
});

test('the encoder rejects programmer errors with the bad value', () => {
  const base = randomTracks(1, 1)[0]!;
  assert.throws(() => encodeCat062Record({ ...base, latDeg: 95 }), /latDeg must be within \[-90, 90\], got 95/);
  assert.throws(() => encodeCat062Record({ ...base, trackNumber: 70000 }), /trackNumber must be an integer within \[0, 65535\], got 70000/);
  assert.throws(() => encodeCat062Record({ ...base, sac: 256 }), /sac must be an integer within \[0, 255\], got 256/);
  assert.throws(() => encodeCat062Record({ ...base, ve: Number.NaN }), /ve and vn must be finite/);
  // Out-of-range values saturate instead.
  const fast = decodeCat062(encodeCat062Blocks([{ ...base, ve: 1e5, altM: 1e6, ageS: 1000 }])[0]!);
  assert.ok(fast.ok);
  assert.equal(fast.records[0]!.ve, 8191.75);
  assert.equal(fast.records[0]!.altM, 150000 * FT);
  assert.equal(fast.records[0]!.ageS, 63.75);
  const east = decodeCat062(encodeCat062Blocks([{ ...base, lonDeg: 180 }])[0]!);
  assert.ok(east.ok && east.records[0]!.lonDeg === -180);
});

test('the decoder names the problem in bad data', () => {
  const good = encodeCat062Blocks(randomTracks(2, 3))[0]!;
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /no data/],
    [good.slice(0, 2), /a block header needs 3/],
    [good.slice(0, good.length - 1), /LEN \d+ runs past the end of the data/],
    [Uint8Array.from([62, 0, 2]), /LEN 2 is less than the 3-byte header/],
    [Uint8Array.from([62, 0, 3]), /no records/],
    [Uint8Array.from([62, 0, 5, 0x80, 1]), /record 1: I062\/010 needs 2 bytes, 1 left/],
    [Uint8Array.from([62, 0, 4, 0x40]), /spare bit/],
    [Uint8Array.from([62, 0, 5, 0x01, 0x10]), /I062\/380 primary subfield is cut off/],
    // I062/380 with TID (subfield 9, repetitive) and its REP octet cut off
    [Uint8Array.from([62, 0, 7, 0x01, 0x10, 0x01, 0x40]), /I062\/380 subfield 9 repetition factor is cut off/],
    // I062/070 at 86400 s (raw 86400 x 128): not a time of day
    [Uint8Array.from([62, 0, 7, 0x10, 0xa8, 0xc0, 0x00]), /record 1: I062\/070 time of day 86400 s is not within a day/],
    [Uint8Array.from([62, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff]), /FSPEC runs over 5 octets/],
    [Uint8Array.from([62, 0, 5, 0x81, 0x00]), /I062\/010 needs 2 bytes/],
    [Uint8Array.from([62, 0, 4, 0x00]), /empty FSPEC/],
    [Uint8Array.from([62, 0, 12, 0x08, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]), /latitude .* outside \[-90, 90\]/],
  ];
  for (const [bytes, re] of cases) {
    const r = decodeCat062(bytes);
    assert.ok(!r.ok, `expected an error for ${re}`);
    assert.match(r.reason, re);
  }
  // A block of another category is skipped; the CAT062 block after it is read.
  const mixed = Buffer.concat([Uint8Array.from([48, 0, 5, 0, 0]), good]);
  const r = decodeCat062(mixed);
  assert.ok(r.ok && r.otherBlocks === 1 && r.records.length === 2);
  // A record with a value out of range is left out alone: the records after it are kept.
  const badLat = Uint8Array.from([0x08, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  const within = Buffer.concat([Uint8Array.from([62, 0, 3 + 2 * badLat.length]), badLat, Uint8Array.from([0x08, 0, 0, 0, 0x10, 0, 0, 0, 0x20])]);
  const rw = decodeCat062(within);
  assert.ok(!rw.ok && /record 1: I062\/105 latitude/.test(rw.reason));
  assert.equal(rw.records.length, 1);
  assert.equal(rw.records[0]!.latDeg, 16 * CAT062_LATLON_LSB_DEG);
  // Records decoded before an error are returned with it.
  const broken = Buffer.concat([good, Uint8Array.from([62, 0, 5, 0x80, 1])]);
  const rb = decodeCat062(broken);
  assert.ok(!rb.ok && rb.records.length === 2);
});

test('a record that cannot be framed ends its block only: the next blocks of the datagram are still read (one splitter for every category)', () => {
  const good = encodeCat062Blocks(randomTracks(2, 4))[0]!;
  // a CAT062 block whose only record is cut in I062/010, a CAT048 block, then a good CAT062 block
  const dg = Buffer.concat([Uint8Array.from([62, 0, 5, 0x80, 1]), Uint8Array.from([48, 0, 5, 0, 0]), good]);
  const r = decodeCat062(dg);
  assert.ok(!r.ok && /^data block at offset 0, record 1: I062\/010 needs 2 bytes/.test(r.reason), r.ok ? '' : r.reason);
  assert.equal(r.otherBlocks, 1);
  assert.equal(r.records.length, 2, 'the records of the last block');
});

test('the decoder skips items it does not decode by their length rules', () => {
  // FRN 1 (I010), FRN 8 (I210, 2 octets), FRN 10 (I245, 7), FRN 16 (I295 compound: MFL), FRN 22 (I270 ext), FRN 27 (I500: APC), FRN 35 (SP, explicit)
  const fspec = [0x81, 0xa1, 0x41, 0x85, 0x02];
  const items = [
    1, 2, // I010
    0x10, 0x20, // I210
    0x40, 0x54, 0x15, 0xa0, 0x3d, 0x70, 0x50, // I245: STI 1, "UAV OWAP"
    0x80, 9, // I295: MFL only
    0x05, 0x06, // I270: length with FX, then orientation
    0x80, 1, 2, 3, 4, // I500: APC only
    3, 0xaa, 0xbb, // SP: explicit length 3
  ];
  const block = Uint8Array.from([62, 0, 3 + fspec.length + items.length, ...fspec, ...items]);
  const r = decodeCat062(block);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.records[0]!.items, ['I062/010', 'I062/210', 'I062/245', 'I062/295', 'I062/270', 'I062/500', 'I062/SP']);
  assert.equal(r.records[0]!.sic, 2);
});

test('trackWireToCat062 and the track number allocator', () => {
  const tw: TrackWire = {
    t: T0, track: 'T9', lat: 37.6, lon: 127, alt_m: 500, ve_mps: 10, vn_mps: 0, vu_mps: -3, pos_sd_m: 50, status: 'coasting',
    class: {}, label: 'piston_owa', threat: 0.9, affiliation: 'hostile', speed_mps: 10, course_deg: 90, sensors: ['a'],
  };
  const alloc = createTrackNumberAllocator(3);
  const n = alloc.get('T9');
  assert.equal(n, 1);
  assert.equal(alloc.get('T9'), 1);
  const c = trackWireToCat062(tw, { sac: 1, sic: 2, trackNumber: n, first: true, referencePoint: { latDeg: 37.6, lonDeg: 126.9, altM: 0 } });
  assert.ok(c.status!.coasting && c.status!.monosensor && c.status!.first);
  assert.equal(c.status!.altitudeSource, 3);
  assert.deepEqual(c.accuracy, { positionSdM: 50 });
  assert.equal(c.targetAddress, undefined);
  // an ADS-B track: its ICAO address in I062/380, its altitude from GNSS (SRC 1), its velocity one-sigma in I062/500
  const adsb = trackWireToCat062({ ...tw, cooperative_id: '71D273', vel_sd_mps: 1.5 }, { sac: 1, sic: 2, trackNumber: n });
  assert.equal(adsb.targetAddress, 0x71d273);
  assert.equal(adsb.status!.altitudeSource, 1);
  assert.deepEqual(adsb.accuracy, { positionSdM: 50, velocitySdMps: 1.5 });
  assert.equal(trackWireToCat062({ ...tw, cooperative_id: 'RID-SERIAL-1' }, { sac: 1, sic: 2, trackNumber: n }).targetAddress, undefined, 'a Remote ID serial is no ICAO address');
  assert.ok(Math.abs(c.cartesian!.x - 8826) < 20, `x ${c.cartesian!.x}`); // 0.1 deg of longitude at 37.6 N
  assert.ok(Math.abs(c.cartesian!.y) < 5);
  const high = trackWireToCat062({ ...tw, alt_m: 10000 }, { sac: 1, sic: 2, trackNumber: n, referencePoint: { latDeg: 37.6, lonDeg: 126.9, altM: 40 } });
  assert.ok(Math.abs(high.cartesian!.x - c.cartesian!.x) < 1e-6, 'the altitude does not change x');
  const dec = decodeCat062(encodeCat062Blocks([c])[0]!);
  assert.ok(dec.ok && dec.records[0]!.movement!.vert === 2 && dec.records[0]!.status!.coasting === true);
  assert.equal(alloc.get('b'), 2);
  assert.equal(alloc.get('c'), 3);
  assert.throws(() => alloc.get('d'), /all 3 CAT062 track numbers are in use/);
  alloc.release('b');
  assert.equal(alloc.get('d'), 2);
  assert.equal(alloc.size, 3);
});

// --- tshark as the reference decoder

interface SharkMsg {
  [k: string]: unknown;
}

function tsharkMessages(blocks: Uint8Array[]): SharkMsg[] {
  const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (probe.error) assert.fail(`tshark is needed as the reference ASTERIX decoder (Debian package tshark): ${probe.error.message}`);
  const dir = mkdtempSync(join(tmpdir(), 'sw-asx-'));
  try {
    const file = join(dir, 'cat062.pcap');
    writeFileSync(file, writePcap(blocks.map((payload, i) => ({ t: T0 + i, payload }))));
    const r = spawnSync('tshark', ['-r', file, '-d', 'udp.port==8600,asterix', '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
    const packets = JSON.parse(r.stdout) as { _source: { layers: Record<string, unknown> } }[];
    assert.equal(packets.length, blocks.length);
    const msgs: SharkMsg[] = [];
    for (const p of packets) {
      const layers = p._source.layers;
      assert.ok(!('_ws.malformed' in layers), `tshark found a malformed packet: ${JSON.stringify(layers['_ws.malformed'])}`);
      const ast = layers.asterix as { 'asterix.category': string; 'asterix.message': SharkMsg | SharkMsg[] };
      assert.equal(ast['asterix.category'], '62');
      const m = ast['asterix.message'];
      msgs.push(...(Array.isArray(m) ? m : [m]));
    }
    return msgs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function field(m: SharkMsg, item: string, name: string): number | undefined {
  const it = m[`asterix.062_${item}`] as Record<string, unknown> | undefined;
  if (it === undefined) return undefined;
  let v = it[`asterix.062_${item}_${name}`];
  if (typeof v === 'object' && v !== null) v = (v as Record<string, unknown>)[`asterix.062_${item}_${name}_VALUE`];
  return typeof v === 'string' ? Number(v) : undefined;
}

test('tshark decodes our CAT062 blocks to the same values (within the LSB)', () => {
  const tracks = randomTracks(200, 2024);
  const blocks = encodeCat062Blocks(tracks, { maxBlockBytes: 1400 });
  const msgs = tsharkMessages(blocks);
  assert.equal(msgs.length, tracks.length);
  tracks.forEach((trk, i) => {
    const m = msgs[i]!;
    const tod = (trk.t - T0 + 57600) % 86400;
    assert.equal(field(m, '010', 'SAC'), 7);
    assert.equal(field(m, '010', 'SIC'), 42);
    assert.equal(field(m, '040', 'VALUE'), trk.trackNumber);
    assert.ok(Math.abs(field(m, '070', 'VALUE')! - tod) <= half(1 / 128), `time ${field(m, '070', 'VALUE')} vs ${tod}`);
    assert.ok(Math.abs(field(m, '105', 'LAT')! - trk.latDeg) <= half(CAT062_LATLON_LSB_DEG) + 1e-12);
    assert.ok(Math.abs(field(m, '105', 'LON')! - trk.lonDeg) <= half(CAT062_LATLON_LSB_DEG) + 1e-12);
    assert.ok(Math.abs(field(m, '185', 'VX')! - trk.ve) <= half(0.25));
    assert.ok(Math.abs(field(m, '185', 'VY')! - trk.vn) <= half(0.25));
    if (trk.altM !== undefined) assert.ok(Math.abs(field(m, '130', 'VALUE')! - trk.altM / FT) <= half(6.25), `alt ${field(m, '130', 'VALUE')} vs ${trk.altM / FT}`);
    else assert.equal(field(m, '130', 'VALUE'), undefined);
    if (trk.vu !== undefined) assert.ok(Math.abs(field(m, '220', 'VALUE')! - (trk.vu / FT) * 60) <= half(6.25));
    if (trk.ageS !== undefined) assert.ok(Math.abs(field(m, '290', 'TRK')! - Math.min(trk.ageS, 63.75)) <= half(0.25));
    if (trk.cartesian !== undefined) assert.ok(Math.abs(field(m, '100', 'X')! - trk.cartesian.x) <= 0.25 + 1e-9);
    assert.equal(field(m, '080', 'TSB'), trk.status!.first ? 1 : 0);
    assert.equal(field(m, '080', 'TSE'), trk.status!.last ? 1 : 0);
    const fifth = trk.status!.sources !== undefined || trk.status!.potentiallyFalse === true;
    assert.equal(field(m, '080', 'CST'), trk.status!.coasting ? 1 : fifth ? 0 : undefined);
    assert.equal(field(m, '080', 'CNF'), 0);
    assert.equal(field(m, '080', 'SDS'), fifth ? (trk.status!.sources ?? 3) : undefined);
    assert.equal(field(m, '080', 'PFT'), fifth ? Number(trk.status!.potentiallyFalse) : undefined);
    // I062/245: STI and the characters tshark reads from the 6-bit codes
    const id = m['asterix.062_245'] as Record<string, string> | undefined;
    if (trk.targetId === undefined) assert.equal(id, undefined);
    else assert.deepEqual([Number(id!['asterix.062_245_STI']), id!['asterix.062_245_CHR']], [trk.targetId.sti, trk.targetId.chars.padEnd(8, ' ')]);
    // I062/500 APC and ATV, I062/380 ADR
    const acc = m['asterix.062_500'] as Record<string, Record<string, string>> | undefined;
    if (trk.accuracy === undefined) assert.equal(acc, undefined);
    else {
      assert.ok(Math.abs(Number(acc!['asterix.062_500_APC']!['asterix.062_500_APC_X']) - trk.accuracy.positionSdM) <= half(0.5) + 1e-9);
      assert.ok(Math.abs(Number(acc!['asterix.062_500_APC']!['asterix.062_500_APC_Y']) - trk.accuracy.positionSdM) <= half(0.5) + 1e-9);
      const v = trk.accuracy.velocitySdMps;
      if (v === undefined) assert.equal(acc!['asterix.062_500_ATV'], undefined);
      else assert.ok(Math.abs(Number(acc!['asterix.062_500_ATV']!['asterix.062_500_ATV_X']) - Math.min(v, 63.75)) <= half(0.25) + 1e-9, `ATV ${JSON.stringify(acc)} vs ${v}`);
    }
    const adr = (m['asterix.062_380'] as Record<string, Record<string, string>> | undefined)?.['asterix.062_380_ADR']?.['asterix.062_380_ADR_VALUE'];
    assert.equal(adr === undefined ? undefined : Number(adr), trk.targetAddress);
  });
});

// --- identity and class: I062/245 and the I062/080 SDS and PFT bits

test('I062/245 bytes of a known designator, written by hand from the ICAO 6-bit alphabet', () => {
  const r = encodeCat062Record({ sac: 1, sic: 2, t: T0, latDeg: 0, lonDeg: 0, ve: 0, vn: 0, trackNumber: 1, targetId: { sti: 1, chars: 'UAV OWAP' } });
  // FSPEC FRN 1,4,5,7 | 10,12,13 | 15: 10011011 00101101 10000000
  const hex = Buffer.from(r).toString('hex');
  assert.equal(hex.slice(0, 6), '9b2d80');
  // after I010 (2), I070 (3), I105 (8), I185 (4): STI 01 and six spare bits, then U A V ' ' O W A P = 21 1 22 32 15 23 1 16 in 6 bits each
  assert.equal(hex.slice(6 + 2 * 17, 6 + 2 * 24), '40' + '5415a03d7050');
  assert.throws(() => encodeCat062Record({ sac: 1, sic: 2, t: T0, latDeg: 0, lonDeg: 0, ve: 0, vn: 0, trackNumber: 1, targetId: { sti: 1, chars: 'UAV_OWA' } }), /character 4 of "UAV_OWA" \("_"\) is not in the ICAO 6-bit alphabet/);
  assert.throws(() => encodeCat062Record({ sac: 1, sic: 2, t: T0, latDeg: 0, lonDeg: 0, ve: 0, vn: 0, trackNumber: 1, targetId: { sti: 1, chars: 'ABCDEFGHI' } }), /at most 8 characters/);
  assert.throws(() => encodeCat062Record({ sac: 1, sic: 2, t: T0, latDeg: 0, lonDeg: 0, ve: 0, vn: 0, trackNumber: 1, targetId: { sti: 4, chars: 'A' } }), /sti must be an integer within \[0, 3\], got 4/);
});

test('the class designators: the documented table, one per class, distinct, 8 characters of the alphabet at most', () => {
  // docs/standards.md "Identity and class in CAT062": a change here must change the docs too
  assert.deepEqual({ ...CAT062_CLASS_DESIGNATORS }, {
    piston_owa: 'UAV OWAP', jet_owa: 'UAV OWAJ', cruise_missile: 'MISSILE', multirotor: 'UAV RW', fixed_wing_small: 'UAV FW',
    aircraft: 'ACFT', helicopter: 'HELO', bird: 'BIRD', clutter: 'CLUTTER',
  });
  const all = [...CLASS_LABELS.map((l) => classDesignator(l)), classDesignator('unknown')];
  assert.equal(new Set(all).size, CLASS_LABELS.length + 1, `designators are distinct: ${all.join(', ')}`);
  for (const d of all) assert.ok(d.length <= 8 && [...d].every((c) => c !== '' && ICAO_6BIT_ALPHABET.includes(c)), d);
  assert.equal(classDesignator('unknown'), 'UNKNOWN');
  assert.equal(classDesignator('toString'), 'UNKNOWN', 'no inherited property is a designator');
});

const baseWire: TrackWire = {
  t: T0, track: 'T1', lat: 50.45, lon: 30.52, alt_m: 300, ve_mps: 40, vn_mps: 5, vu_mps: 0, pos_sd_m: 80, status: 'confirmed',
  class: {}, label: 'piston_owa', threat: 0.9, affiliation: 'hostile', speed_mps: 40, course_deg: 83, sensors: ['mic-1', 'mic-2'],
};

test('trackWireToCat062: the class designator in I062/245 (STI 1), SDS from the sensors, PFT for clutter; classInCallsign false leaves I062/245 out', () => {
  const opts = { sac: 1, sic: 2, trackNumber: 7 };
  const shahed = trackWireToCat062(baseWire, opts);
  assert.deepEqual(shahed.targetId, { sti: 1, chars: 'UAV OWAP' });
  assert.equal(shahed.status!.sources, 2, 'no cooperative id: non-cooperative sources only');
  assert.equal(shahed.status!.potentiallyFalse, false);
  assert.equal(trackWireToCat062(baseWire, { ...opts, classInCallsign: false }).targetId, undefined);
  // an airliner seen by ADS-B alone, and with a radar too
  const coop = (id: string) => id.startsWith('adsb');
  const airliner = { ...baseWire, label: 'aircraft', cooperative_id: '71D273', sensors: ['adsb-1'] };
  assert.equal(trackWireToCat062(airliner, { ...opts, isCooperativeSensor: coop }).status!.sources, 1);
  assert.equal(trackWireToCat062({ ...airliner, sensors: ['adsb-1', 'psr-1'] }, { ...opts, isCooperativeSensor: coop }).status!.sources, 0);
  assert.equal(trackWireToCat062(airliner, opts).status!.sources, 3, 'without sensor kinds a cooperative track is "not defined"');
  assert.deepEqual(trackWireToCat062(airliner, opts).targetId, { sti: 1, chars: 'ACFT' });
  assert.equal(trackWireToCat062({ ...baseWire, label: 'clutter' }, opts).status!.potentiallyFalse, true);
  // the operator's label wins: it is the track's label
  assert.equal(trackWireToCat062({ ...baseWire, label: 'bird', operator: { label: 'bird' } }, opts).targetId!.chars, 'BIRD');
});

test('tshark reads the class designator of every label, SDS and PFT from trackWireToCat062 records (300 random tracks)', () => {
  const rand = createPrng(245);
  const labels = [...CLASS_LABELS, 'unknown'];
  const wires: TrackWire[] = Array.from({ length: 300 }, (_, i) => ({
    ...baseWire,
    track: `T${i}`,
    t: T0 + rand() * 3600,
    lat: -80 + rand() * 160,
    lon: -179 + rand() * 358,
    label: labels[i % labels.length]!,
    status: rand() < 0.3 ? 'coasting' : 'confirmed',
    cooperative_id: rand() < 0.3 ? Math.floor(rand() * 0x1000000).toString(16).padStart(6, '0') : undefined,
    sensors: rand() < 0.5 ? ['mic-1'] : ['adsb-1', 'psr-2'].slice(0, 1 + Math.floor(rand() * 2)),
  }));
  const tracks = wires.map((w, i) => trackWireToCat062(w, { sac: 3, sic: 4, trackNumber: i + 1, isCooperativeSensor: (s) => s.startsWith('adsb') }));
  const blocks = encodeCat062Blocks(tracks);
  const msgs = tsharkMessages(blocks);
  assert.equal(msgs.length, wires.length);
  const ours = blocks.flatMap((b) => {
    const r = decodeCat062(b);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    return r.records;
  });
  wires.forEach((w, i) => {
    const m = msgs[i]!;
    const id = m['asterix.062_245'] as Record<string, string>;
    const want = (CAT062_CLASS_DESIGNATORS[w.label] ?? 'UNKNOWN').padEnd(8, ' ');
    assert.deepEqual([id['asterix.062_245_STI'], id['asterix.062_245_CHR']], ['1', want], `track ${i} (${w.label})`);
    assert.deepEqual(ours[i]!.targetId, { sti: 1, chars: want });
    const coopN = w.sensors.filter((s) => s.startsWith('adsb')).length;
    const sds = coopN === 0 ? 2 : coopN === w.sensors.length ? 1 : 0;
    assert.equal(field(m, '080', 'SDS'), sds, `track ${i} SDS`);
    assert.equal(ours[i]!.status!.sources, sds);
    assert.equal(field(m, '080', 'PFT'), w.label === 'clutter' ? 1 : 0);
    assert.equal(field(m, '080', 'CST'), w.status === 'coasting' ? 1 : 0);
    assert.equal(ours[i]!.status!.coasting, w.status === 'coasting');
  });
});

test('a bad I062/245 never costs the record: kept without the identification and with a warning; with STI 3 (invalid) the characters are not checked', () => {
  const good = encodeCat062Record({ sac: 1, sic: 2, t: T0, latDeg: 1, lonDeg: 2, ve: 0, vn: 0, trackNumber: 9, targetId: { sti: 1, chars: 'BIRD' } });
  // I062/245 starts after FSPEC (3) + I010 (2) + I070 (3) + I105 (8) + I185 (4) = 20: the STI octet; character 1 is the top 6 bits of the next
  const code63 = Uint8Array.from(good);
  code63[21] = (code63[21]! & 0x03) | (63 << 2);
  // all-zero padding (code 0 is not in the alphabet), STI 1
  const zeros = Uint8Array.from(good);
  zeros.fill(0, 21, 27);
  // the same with STI 3: the characters are not checked
  const invalid = Uint8Array.from(zeros);
  invalid[20] = 3 << 6;
  const body = Buffer.concat([code63, zeros, invalid, good]);
  const r = decodeCat062(Buffer.concat([Uint8Array.from([62, 0, 3 + body.length]), body]));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.records.length, 4, 'every record kept');
  for (const rec of r.records) assert.deepEqual([rec.trackNumber, rec.latDeg, rec.lonDeg].map((x) => x !== undefined && Math.round(x)), [9, 1, 2]);
  assert.deepEqual(r.records.map((x) => x.targetId?.sti), [undefined, undefined, 3, 1]);
  assert.equal(r.records[2]!.targetId!.chars, '        ');
  assert.equal(r.records[3]!.targetId!.chars, 'BIRD    ');
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0]!, /record 1: I062\/245 character 1 has code 63/);
  assert.match(r.warnings[1]!, /record 2: I062\/245 character 1 has code 0/);
});

test('an I062/070 time of day past midnight leaves its record out alone, as I048/140 does', () => {
  const good = encodeCat062Record({ sac: 1, sic: 2, t: T0, latDeg: 1, lonDeg: 2, ve: 0, vn: 0, trackNumber: 9 });
  // I062/070 is at offset 3 + 2 (FSPEC, I010): 0xffffff / 128 = 131072 s less 1/128, past 86400
  const late = Uint8Array.from(good);
  late.fill(0xff, 5, 8);
  const body = Buffer.concat([late, good]);
  const r = decodeCat062(Buffer.concat([Uint8Array.from([62, 0, 3 + body.length]), body]), { referenceTime: T0 });
  assert.ok(!r.ok && /record 1: I062\/070 time of day 131071\.99\d* s is not within a day/.test(r.reason), r.ok ? '' : r.reason);
  assert.equal(r.records.length, 1);
  assert.equal(r.records[0]!.timeOfDayS, 57600);
});
